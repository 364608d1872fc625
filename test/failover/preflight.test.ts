// What `run` (and `run --check`) checks before it starts, as plain functions: the exec checks'
// programs by the StrictModes rules (one line each, naming the check), the interface checks'
// interfaces absent now (a warning), and the environment an exec check runs with.
import { strict as assert } from "node:assert";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecCheckConfig, parseConfig } from "../../src/failover/config";
import { execCheckEnvironment, execCheckProblems, interfaceCheckWarnings } from "../../src/failover/preflight";
import { ipv6PrefixProblem } from "../../src/failover/preflight";
import { Ipv6Address } from "../../src/packets/ipv6";

const BASE = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\nchecks:\n  - target: peer\n";

describe("preflight: exec and interface checks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "takeover-preflight-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names each exec check whose program may not be run, with the fix; a good one and other check types pass", () => {
    const good = join(dir, "good");
    writeFileSync(good, "#!/bin/sh\n");
    chmodSync(good, 0o755);
    const lax = join(dir, "lax");
    writeFileSync(lax, "#!/bin/sh\n");
    chmodSync(lax, 0o757);
    const missing = join(dir, "missing");
    const config = parseConfig(
      `${BASE}  - {type: exec, command: [${good}]}\n  - {type: interface, interface: eth1}\n  - {type: exec, command: [${missing}, -q]}\n  - {type: exec, command: [${lax}], keepCapabilities: true}\n`,
      "brain.yaml",
    );
    assert.deepEqual(execCheckProblems(config), [
      `checks[3].command: ${missing} does not exist: install it, or fix the path`,
      `checks[4].command: ${lax} is writable by group or others (anyone of them could run anything as the daemon): chmod go-w ${lax}`,
    ]);
    assert.deepEqual(execCheckProblems(parseConfig(`${BASE}  - {type: exec, command: [${good}]}\n`, "brain.yaml")), []);
  });

  it("warns of an interface check's interface absent now, and not of one present", () => {
    const config = parseConfig(`${BASE}  - {type: interface, interface: lo}\n  - {name: uplink, type: interface, interface: tk-absent0}\n`, "brain.yaml");
    const warnings = interfaceCheckWarnings(config);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^checks\[2\]\.interface: no interface "tk-absent0"; this host has: .*lo.*; the check "uplink" fails until it exists$/);
  });

  it("gives an exec check its name, role, the boxes' names, the interface and the four addresses", () => {
    const config = parseConfig(`${BASE}  - {name: db, type: exec, command: [/bin/true]}\n`, "brain.yaml");
    assert.deepEqual(execCheckEnvironment(config, config.checks[1] as ExecCheckConfig), {
      TAKEOVER_CHECK: "db",
      TAKEOVER_ROLE: "self",
      TAKEOVER_NODE: "brain",
      TAKEOVER_PEER: "pinky",
      TAKEOVER_INTERFACE: "eth0",
      TAKEOVER_NODE_ADDRESS: "192.0.2.17",
      TAKEOVER_NODE_PUBLIC_ADDRESS: "192.0.2.37",
      TAKEOVER_PEER_ADDRESS: "192.0.2.18",
      TAKEOVER_PEER_PUBLIC_ADDRESS: "192.0.2.36",
      TAKEOVER_NODE_PUBLIC_ADDRESSES: "192.0.2.37",
      TAKEOVER_PEER_PUBLIC_ADDRESSES: "192.0.2.36",
    });
  });

  it("gives an exec check every public address of both boxes when they have lists", () => {
    const lists = BASE.replace("publicAddress: 192.0.2.37", "publicAddress: [192.0.2.37, 192.0.2.38]").replace("publicAddress: 192.0.2.36", "publicAddress: [192.0.2.36, 192.0.2.35]");
    assert.notEqual(lists, BASE);
    const config = parseConfig(`${lists}  - {name: db, type: exec, command: [/bin/true]}\n`, "brain.yaml");
    const env = execCheckEnvironment(config, config.checks[1] as ExecCheckConfig);
    assert.equal(env.TAKEOVER_NODE_PUBLIC_ADDRESS, "192.0.2.37");
    assert.equal(env.TAKEOVER_NODE_PUBLIC_ADDRESSES, "192.0.2.37 192.0.2.38");
    assert.equal(env.TAKEOVER_PEER_PUBLIC_ADDRESSES, "192.0.2.36 192.0.2.35");
  });
});

describe("preflight: IPv6 public addresses against the interface's IPv6 prefixes", () => {
  const config = parseConfig(
    "interface: eth0\nnode: { address: 192.0.2.17, publicAddress: [192.0.2.37, 2001:db8:1::37/64] }\npeer: { address: 192.0.2.18, publicAddress: [192.0.2.36, 2001:db8:1::36/64] }\n",
    "brain.yaml",
  );
  const a = (text: string, prefixLength: number, ours = false) => ({ address: Ipv6Address.parse(text), prefixLength, ours });

  it("accepts addresses in a prefix of the interface, and an interface with only a link-local (nothing to compare)", () => {
    assert.equal(ipv6PrefixProblem(config, [a("fe80::1", 64), a("2001:db8:1::17", 64)]), undefined);
    assert.equal(ipv6PrefixProblem(config, [a("fe80::1", 64)]), undefined);
    assert.equal(ipv6PrefixProblem(config, []), undefined);
  });

  it("names the first address outside every prefix, and the prefixes the interface has", () => {
    assert.equal(
      ipv6PrefixProblem(config, [a("fe80::1", 64), a("2001:db8:2::17", 64)]),
      "node.publicAddress[1]: 2001:db8:1::37/64 is not in a prefix of eth0 (it has 2001:db8:2::17/64); use an address and prefix length of the segment, or the router will not send it here",
    );
    // the same prefix but another length is not the segment's prefix either
    assert.match(ipv6PrefixProblem(config, [a("2001:db8:1::17", 48)]) ?? "", /^node\.publicAddress\[1\]: 2001:db8:1::37\/64 is not in a prefix of eth0 \(it has 2001:db8:1::17\/48\)/);
  });

  it("does not count takeover's own addresses (the peer's, held after a crash) as the interface's prefixes", () => {
    assert.equal(ipv6PrefixProblem(config, [a("2001:db8:2::17", 64), a("2001:db8:1::36", 64, true)])?.startsWith("node.publicAddress[1]"), true);
  });
});

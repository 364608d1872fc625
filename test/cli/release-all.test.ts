// `takeover release-all`, run as the systemd unit runs it after a crash (the built CLI as a child
// process), inside a network namespace of the test's own with a veth interface eth0 carrying the
// box's real address, two addresses labelled eth0:vip (what `run` adds), and one an operator labelled
// otherwise: it must remove exactly the two, one line each, exit 0, and then find nothing (exit 0, no
// output); --label and --config pick other labels; an unknown interface and a missing CAP_NET_ADMIN
// are one line and exit status 2, touching nothing.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");

describe("takeover release-all", function () {
  this.timeout(30_000);
  const ns = `tk-rel-${process.pid}-a`;
  let dir = "";

  /** The CLI inside the namespace, with `prefix` (setpriv …) before node if given. */
  function releaseAll(args: string[], prefix: string[] = []): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync("ip", ["netns", "exec", ns, ...prefix, process.execPath, CLI, "release-all", ...args], { encoding: "utf8", timeout: 20_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** `address/prefix label` of each IPv4 address on eth0, sorted. */
  function addresses(): string[] {
    const out = execFileSync("ip", ["-n", ns, "-j", "-4", "addr", "show", "dev", "eth0"], { encoding: "utf8" });
    const parsed = JSON.parse(out) as { addr_info: { local: string; prefixlen: number; label?: string }[] }[];
    return parsed[0].addr_info.map((a) => `${a.local}/${a.prefixlen} ${a.label ?? "eth0"}`).sort();
  }

  function ip(...args: string[]): void {
    execFileSync("ip", ["-n", ns, ...args]);
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "takeover-release-"));
    execFileSync("ip", ["netns", "add", ns]);
    // a veth pair, both ends here (this kernel has no dummy module)
    ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
    ip("link", "set", "eth0", "up");
    ip("link", "set", "eth1", "up");
  });

  beforeEach(() => {
    ip("addr", "flush", "dev", "eth0");
    // the real address first: it is the primary, the others secondaries
    ip("addr", "add", "192.0.2.17/24", "dev", "eth0");
    ip("addr", "add", "192.0.2.37/24", "dev", "eth0", "label", "eth0:vip");
    ip("addr", "add", "192.0.2.36/24", "dev", "eth0", "label", "eth0:vip");
    ip("addr", "add", "192.0.2.50/24", "dev", "eth0", "label", "eth0:ops");
  });

  after(() => {
    spawnSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
    assert.ok(!execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).includes(ns), "the namespace is gone");
  });

  it("removes the addresses labelled eth0:vip, one line each, and leaves the others", () => {
    const r = releaseAll(["eth0"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.deepEqual(r.stdout.split("\n").filter((l) => l !== "").sort(), [
      "removed 192.0.2.36/24 from eth0 (label eth0:vip)",
      "removed 192.0.2.37/24 from eth0 (label eth0:vip)",
    ]);
    assert.deepEqual(addresses(), ["192.0.2.17/24 eth0", "192.0.2.50/24 eth0:ops"]);
    // again: nothing left of ours, nothing said, exit 0
    const again = releaseAll(["eth0"]);
    assert.deepEqual(again, { status: 0, stdout: "", stderr: "" });
    assert.deepEqual(addresses(), ["192.0.2.17/24 eth0", "192.0.2.50/24 eth0:ops"]);
  });

  it("takes another label with --label, and the interface and label from --config", () => {
    const r = releaseAll(["eth0", "--label", "ops"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "removed 192.0.2.50/24 from eth0 (label eth0:ops)\n");
    // a config whose other keys are broken: only interface and label are read
    const config = join(dir, "brain.yaml");
    writeFileSync(config, "interface: eth0\nlabel: vip\nnode: {address: not-an-address}\n");
    const c = releaseAll(["--config", config]);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(c.stdout.split("\n").filter((l) => l !== "").length, 2);
    assert.deepEqual(addresses(), ["192.0.2.17/24 eth0"]);
  });

  it("says in one line, exit 2, when the interface does not exist or the label cannot be", () => {
    const r = releaseAll(["eth9"]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^takeover: no interface "eth9"; this host has: [^\n]*eth0[^\n]*\n$/);
    const long = releaseAll(["eth0", "--label", "much-too-long"]);
    assert.equal(long.status, 2);
    assert.equal(long.stderr, 'takeover: "eth0:much-too-long" is 18 characters, over the 15 Linux allows for an address label, so no address can carry it; check IFACE and --label\n');
    assert.equal(addresses().length, 4);
  });

  it("without CAP_NET_ADMIN says so in one line, exit 2, and removes nothing", () => {
    const unprivileged = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"];
    const r = releaseAll(["eth0"], unprivileged);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^takeover: removing 192\.0\.2\.3[67] from eth0: operation not permitted — needs CAP_NET_ADMIN \(run as root, or give the binary cap_net_admin\)\n$/);
    assert.equal(addresses().length, 4);
  });
});

// The config file of `takeover run`: the shipped examples resolve and mirror each other, left-out keys
// take the documented defaults, each kind of mistake gets its exact one-line message at the right
// line, all mistakes are reported at once, and durations round-trip through parse and format. Only a
// regular file of at most 1 MiB is read; values quoted in messages are cut and escaped.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { CheckConfig, ConfigError, DEFAULTS, loadConfig, machineConfigOf, MAX_CONFIG_BYTES, parseConfig, sameAddress, TakeoverConfig } from "../../src/failover/config";
import { DurationError, formatDuration, parseDuration } from "../../src/failover/duration";
import { Ipv4, Mac } from "../../src/packets/address";
import { Ipv6Address } from "../../src/packets/ipv6";
import { Reach } from "../helpers/property";

const EXAMPLES = resolve(__dirname, "../../../examples");

/** A small good config; the line numbers below are those of this text. */
const BASE = [
  "interface: eth0", //               1
  "node:", //                          2
  "  address: 192.0.2.17", //          3
  "  publicAddress: 192.0.2.37", //    4
  "peer:", //                          5
  "  address: 192.0.2.18", //          6
  "  publicAddress: 192.0.2.36", //    7
  "checks:", //                        8
  "  - name: peer-ping", //            9
  "    type: icmp", //                 10
  "    target: peer", //               11
  "    interval: 100ms", //            12
  "    timeout: 100ms", //             13
  "    fall: 3", //                    14
  "    rise: 2", //                    15
  "  - type: http", //                 16
  "    target: peer-public", //        17
  "    port: 80", //                   18
  "    path: /", //                    19
  "  - type: tcp", //                  20
  "    target: peer", //               21
  "    port: 22", //                   22
];

/** BASE with lines replaced (1-based; "" removes a line's text but keeps the numbering) and lines added at the end. */
function edit(replace: Record<number, string>, append: string[] = []): string {
  return [...BASE.map((line, i) => replace[i + 1] ?? line), ...append].join("\n") + "\n";
}

/** The ConfigError message of `text`, asserting parseConfig throws one. */
function errorOf(text: string, file = "brain.yaml"): string {
  try {
    parseConfig(text, file);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("parseConfig accepted a bad config");
}

function check(config: TakeoverConfig, name: string): CheckConfig {
  const found = config.checks.find((c) => c.name === name);
  assert.ok(found, `no check named ${name}`);
  return found;
}

describe("config: good files", () => {
  it("resolves examples/brain.yaml", async () => {
    const config = await loadConfig(join(EXAMPLES, "brain.yaml"));
    assert.equal(config.source, join(EXAMPLES, "brain.yaml"));
    assert.equal(config.interface, "eth0");
    assert.equal(config.aliasLabel, "eth0:vip");
    assert.deepEqual(config.node, { name: "brain", address: Ipv4.parse("192.0.2.17"), publicAddress: Ipv4.parse("192.0.2.37"), publicAddresses: [{ address: Ipv4.parse("192.0.2.37") }] });
    assert.deepEqual(config.peer, { name: "pinky", address: Ipv4.parse("192.0.2.18"), publicAddress: Ipv4.parse("192.0.2.36"), publicAddresses: [{ address: Ipv4.parse("192.0.2.36") }], runsTakeover: true });
    assert.deepEqual(config.failback, { mode: "immediate" });
    assert.deepEqual(config.checks, [
      { name: "peer-ping", type: "icmp", role: "peer", target: "peer", address: Ipv4.parse("192.0.2.18"), targetsPeerPublic: false, intervalMicros: 100_000, timeoutMicros: 100_000, fall: 3, rise: 2 },
      {
        name: "peer-web",
        type: "http",
        role: "peer",
        target: "peer-public",
        address: Ipv4.parse("192.0.2.36"),
        targetsPeerPublic: true,
        intervalMicros: 1_000_000,
        timeoutMicros: 500_000,
        fall: 3,
        rise: 2,
        port: 80,
        path: "/",
        host: "www.example.org",
        expectStatus: 200,
        bodyContains: "</html>",
        maxBytes: 65_536,
      },
    ]);
    assert.deepEqual(config.announce, { count: 5, intervalMicros: 200_000, form: "both", refreshMicros: 0, router: false });
    assert.deepEqual(config.claim, { probes: 2, probeIntervalMicros: 20_000, probeWaitMicros: 50_000, retryMicros: 500_000, verifyIntervalMicros: 250_000 });
    assert.deepEqual(config.conflicts, { yieldToStrangers: false, defendIntervalMicros: 20_000, defendBurst: 10 });
  });

  it("ships examples/brain.yaml and examples/pinky.yaml as mirror images", async () => {
    const brain = await loadConfig(join(EXAMPLES, "brain.yaml"));
    const pinky = await loadConfig(join(EXAMPLES, "pinky.yaml"));
    // node and peer swapped
    const { runsTakeover: brainPeerRuns, mac: brainPeerMac, ...brainPeer } = brain.peer;
    const { runsTakeover: pinkyPeerRuns, mac: pinkyPeerMac, ...pinkyPeer } = pinky.peer;
    assert.deepEqual(pinky.node, brainPeer);
    assert.deepEqual(pinkyPeer, brain.node);
    assert.equal(pinkyPeerRuns, brainPeerRuns);
    assert.equal(pinkyPeerMac, brainPeerMac);
    assert.equal(pinky.node.address.toString(), "192.0.2.18");
    assert.equal(pinky.node.publicAddress.toString(), "192.0.2.36");
    // everything else is the same, with each box's checks pointing at the other
    const rest = (c: TakeoverConfig) => ({ ...c, source: "", node: undefined, peer: undefined, checks: c.checks.map((k) => ({ ...k, address: undefined })) });
    assert.deepEqual(rest(pinky), rest(brain));
    for (const c of pinky.checks) {
      assert.ok("address" in c, `${c.name} is a network check`);
      assert.ok(sameAddress(c.address, c.target === "peer" ? brain.node.address : brain.node.publicAddress), `${c.name} on pinky does not point at brain`);
    }
    // and the machines see each other's addresses swapped
    const brainMachine = machineConfigOf(brain);
    const pinkyMachine = machineConfigOf(pinky);
    assert.deepEqual(brainMachine.addresses, [
      { address: "192.0.2.37", home: true },
      { address: "192.0.2.36", home: false },
    ]);
    assert.deepEqual(pinkyMachine.addresses, [
      { address: "192.0.2.36", home: true },
      { address: "192.0.2.37", home: false },
    ]);
    assert.deepEqual({ ...pinkyMachine, addresses: [] }, { ...brainMachine, addresses: [] });
  });

  it("resolves examples/fast.yaml: ICMP every 2 ms, 1 ms timeout, fall 3, one probe and 1 ms of listening", async () => {
    const fast = await loadConfig(join(EXAMPLES, "fast.yaml"));
    const brain = await loadConfig(join(EXAMPLES, "brain.yaml"));
    // the same boxes and addresses as brain.yaml
    assert.deepEqual(fast.node, brain.node);
    assert.deepEqual(fast.peer, brain.peer);
    assert.equal(fast.interface, "eth0");
    assert.equal(fast.aliasLabel, "eth0:vip");
    assert.deepEqual(fast.checks, [
      { name: "peer-ping", type: "icmp", role: "peer", target: "peer", address: Ipv4.parse("192.0.2.18"), targetsPeerPublic: false, intervalMicros: 2_000, timeoutMicros: 1_000, fall: 3, rise: 2 },
    ]);
    assert.deepEqual(fast.claim, { probes: 1, probeIntervalMicros: 1_000, probeWaitMicros: 1_000, retryMicros: 100_000, verifyIntervalMicros: 50_000 });
    assert.deepEqual(fast.announce, { count: 3, intervalMicros: 20_000, form: "both", refreshMicros: 0, router: false });
    // what fast.yaml does not set is brain.yaml's
    assert.deepEqual(fast.conflicts, brain.conflicts);
    assert.deepEqual(fast.failback, brain.failback);
    // the budget its header states: 2 ms to the first missed echo, fall − 1 intervals, a timeout, the listen
    const check = fast.checks[0];
    const budget = check.intervalMicros + (check.fall - 1) * check.intervalMicros + check.timeoutMicros + fast.claim.probeWaitMicros;
    assert.equal(budget, 8_000);
  });

  it("fills every left-out key with its default, and pings the peer when no checks are given", () => {
    const config = parseConfig("interface: eth0\nnode:\n  address: 192.0.2.17\n  publicAddress: 192.0.2.37/24\npeer:\n  address: 192.0.2.18\n  publicAddress: 192.0.2.36\n", "min.yaml");
    assert.equal(config.source, "min.yaml");
    assert.equal(config.label, "vip");
    assert.equal(config.aliasLabel, "eth0:vip");
    assert.deepEqual(config.node, { name: "192.0.2.17", address: Ipv4.parse("192.0.2.17"), publicAddress: Ipv4.parse("192.0.2.37"), publicPrefixLength: 24, publicAddresses: [{ address: Ipv4.parse("192.0.2.37"), prefixLength: 24 }] });
    assert.deepEqual(config.peer, { name: "192.0.2.18", address: Ipv4.parse("192.0.2.18"), publicAddress: Ipv4.parse("192.0.2.36"), publicAddresses: [{ address: Ipv4.parse("192.0.2.36") }], runsTakeover: true });
    assert.deepEqual(config.checks, [
      { name: "icmp-peer", type: "icmp", role: "peer", target: "peer", address: Ipv4.parse("192.0.2.18"), targetsPeerPublic: false, intervalMicros: 100_000, timeoutMicros: 100_000, fall: 3, rise: 2 },
    ]);
    assert.deepEqual(config.announce, { count: 5, intervalMicros: 200_000, form: "both", refreshMicros: 0, router: false });
    assert.deepEqual(config.claim, { probes: 2, probeIntervalMicros: 20_000, probeWaitMicros: 50_000, retryMicros: 500_000, verifyIntervalMicros: 250_000 });
    assert.deepEqual(config.conflicts, { yieldToStrangers: false, defendIntervalMicros: 20_000, defendBurst: 10 });
    assert.deepEqual(machineConfigOf(config), {
      addresses: [
        { address: "192.0.2.37", home: true },
        { address: "192.0.2.36", home: false },
      ],
      checks: [{ name: "icmp-peer", role: "peer", fall: 3, rise: 2, targetsPeerPublic: false }],
      peerRunsTakeover: true,
      retryMicros: 500_000,
      refreshMicros: 0,
      defendMicros: 20_000,
      defendBurst: 10,
      verifyMicros: 250_000,
      yieldToStrangers: false,
      failback: { mode: "immediate" },
    });
  });

  it("defaults fail over in under 1 s and fail back in under 0.5 s", () => {
    const c = DEFAULTS.check;
    const claim = DEFAULTS.claim.probes * DEFAULTS.claim.probeIntervalMicros + DEFAULTS.claim.probeWaitMicros;
    // worst case: the peer dies just after a good ping; `fall` pings time out, then we probe
    const failover = c.fall * c.intervalMicros.icmp + c.timeoutMicros.icmp + claim;
    // a recovered peer running takeover probes its own address and claims it; we yield on hearing it
    const failbackTakeover = claim;
    // a plain peer: `rise` good pings, then the hand-back announcement
    const failbackPlain = c.rise * c.intervalMicros.icmp;
    assert.ok(failover < 1_000_000, `failover ${formatDuration(failover)}`);
    assert.ok(failbackTakeover < 500_000 && failbackPlain < 500_000, `failback ${formatDuration(failbackTakeover)} / ${formatDuration(failbackPlain)}`);
  });

  it("defaults the timeout to the interval when the interval is shorter, and names checks <type>-<target>", () => {
    const config = parseConfig(edit({}, ["  - type: http", "    target: 192.0.2.99", "    interval: 200ms", "    role: self"]), "brain.yaml");
    assert.deepEqual(
      config.checks.map((c) => ["address" in c ? [c.name, c.role, c.target, c.address.toString(), c.intervalMicros, c.timeoutMicros] : []].flat()),
      [
        ["peer-ping", "peer", "peer", "192.0.2.18", 100_000, 100_000],
        ["http-peer-public", "peer", "peer-public", "192.0.2.36", 1_000_000, 500_000],
        ["tcp-peer", "peer", "peer", "192.0.2.18", 1_000_000, 500_000],
        ["http-192.0.2.99", "self", "address", "192.0.2.99", 200_000, 200_000],
      ],
    );
    assert.equal(check(config, "tcp-peer").type, "tcp");
  });

  it("makes self-public checks self checks and marks peer-public ones, also when written as literals", () => {
    const config = parseConfig(edit({ 17: "    target: 192.0.2.36" }, ["  - name: own-web", "    type: http", "    target: self-public", "  - name: own-ping", "    target: 192.0.2.37"]), "brain.yaml");
    assert.deepEqual(
      machineConfigOf(config).checks.map((c) => [c.name, c.role, c.targetsPeerPublic]),
      [
        ["peer-ping", "peer", false],
        ["http-peer-public", "peer", true],
        ["tcp-peer", "peer", false],
        ["own-web", "self", false],
        ["own-ping", "self", false],
      ],
    );
  });

  it("reads the optional keys: peer MAC, plain peer, label, announce, claim and conflicts", () => {
    const config = parseConfig(
      edit({ 7: "  publicAddress: 192.0.2.36\n  mac: 02-00-00-00-00-18\n  runsTakeover: false" }, [
        "announce: {count: 3, interval: 1.5s, form: reply, refresh: 10s}",
        "claim: {probes: 3, probeInterval: 250us, probeWait: 1m, retry: 2s, verifyInterval: 100ms}",
        "conflicts: {yieldToStrangers: true, defendInterval: 10s}",
        "label: takeover",
      ]),
      "brain.yaml",
    );
    assert.ok(config.peer.mac?.equals(Mac.parse("02:00:00:00:00:18")));
    assert.equal(config.peer.runsTakeover, false);
    assert.equal(config.aliasLabel, "eth0:takeover");
    assert.deepEqual(config.announce, { count: 3, intervalMicros: 1_500_000, form: "reply", refreshMicros: 10_000_000, router: false });
    assert.deepEqual(config.claim, { probes: 3, probeIntervalMicros: 250, probeWaitMicros: 60_000_000, retryMicros: 2_000_000, verifyIntervalMicros: 100_000 });
    assert.deepEqual(config.conflicts, { yieldToStrangers: true, defendIntervalMicros: 10_000_000, defendBurst: 10 });
    assert.equal(machineConfigOf(config).peerRunsTakeover, false);
  });
});

describe("config: several public addresses, and failback", () => {
  const ip = (text: string) => Ipv4.parse(text);

  it("takes one address, a flow list or a block list, in the file's order, each with its own prefix length", () => {
    const config = parseConfig(edit({ 4: "  publicAddress: [192.0.2.37/24, 192.0.2.38, 192.0.2.39/25]", 7: "  publicAddress:\n    - 192.0.2.36\n    - 192.0.2.40" }), "brain.yaml");
    assert.deepEqual(config.node.publicAddresses, [{ address: ip("192.0.2.37"), prefixLength: 24 }, { address: ip("192.0.2.38") }, { address: ip("192.0.2.39"), prefixLength: 25 }]);
    assert.deepEqual(config.node.publicAddress, ip("192.0.2.37"), "publicAddress is the first");
    assert.equal(config.node.publicPrefixLength, 24);
    assert.deepEqual(config.peer.publicAddresses, [{ address: ip("192.0.2.36") }, { address: ip("192.0.2.40") }]);
    assert.deepEqual(machineConfigOf(config).addresses, [
      { address: "192.0.2.37", home: true },
      { address: "192.0.2.38", home: true },
      { address: "192.0.2.39", home: true },
      { address: "192.0.2.36", home: false },
      { address: "192.0.2.40", home: false },
    ]);
    // a one-item list is the same as the address alone
    const one = parseConfig(edit({ 4: "  publicAddress: [192.0.2.37]" }), "brain.yaml");
    assert.deepEqual(one.node, parseConfig(edit({}), "brain.yaml").node);
  });

  it("takes up to 64 addresses per box", () => {
    const list = Array.from({ length: 64 }, (_, i) => `198.51.100.${i + 1}`);
    const config = parseConfig(edit({ 4: `  publicAddress: [${list.join(", ")}]` }), "brain.yaml");
    assert.equal(config.node.publicAddresses.length, 64);
    assert.equal(machineConfigOf(config).addresses.length, 65);
  });

  it("peer-public and self-public name the first address; a literal may name any of them", () => {
    const config = parseConfig(
      edit({ 4: "  publicAddress: [192.0.2.37, 192.0.2.38]", 7: "  publicAddress: [192.0.2.36, 192.0.2.35]" }, ["  - name: second-web", "    type: http", "    target: 192.0.2.35", "  - name: own-second", "    target: 192.0.2.38", "  - name: own-first", "    target: self-public"]),
      "brain.yaml",
    );
    const byName = (name: string) => config.checks.find((c) => c.name === name) as Extract<CheckConfig, { type: "icmp" | "http" }>;
    assert.deepEqual([byName("http-peer-public").target, String(byName("http-peer-public").address), byName("http-peer-public").targetsPeerPublic], ["peer-public", "192.0.2.36", true]);
    assert.deepEqual([byName("second-web").target, String(byName("second-web").address), byName("second-web").targetsPeerPublic], ["peer-public", "192.0.2.35", true]);
    assert.deepEqual([byName("own-second").target, String(byName("own-second").address), byName("own-second").role], ["self-public", "192.0.2.38", "self"]);
    assert.deepEqual([byName("own-first").target, String(byName("own-first").address)], ["self-public", "192.0.2.37"]);
  });

  const cases: [string, string, string][] = [
    ["an empty list", edit({ 4: "  publicAddress: []" }), "brain.yaml:4: node.publicAddress: an empty list; write this box's own public IPv4 address, like publicAddress: 192.0.2.37, or a list like [192.0.2.37/24, 192.0.2.38/24]"],
    [
      "a list over the cap",
      edit({ 7: `  publicAddress: [${Array.from({ length: 65 }, (_, i) => `198.51.100.${i + 1}`).join(", ")}]` }),
      "brain.yaml:7: peer.publicAddress: a list of 65 addresses, over the 64 one box may have (each is probed, announced and verified on its own): list at most 64",
    ],
    ["an address twice in one list", edit({ 4: "  publicAddress:\n    - 192.0.2.37\n    - 192.0.2.37" }), 'brain.yaml:6: node.publicAddress[1]: "192.0.2.37" is node.publicAddress[0] too: list each address once'],
    ["an address in both lists", edit({ 4: "  publicAddress: [192.0.2.37, 192.0.2.38]", 7: "  publicAddress: [192.0.2.36, 192.0.2.38]" }), 'brain.yaml:7: peer.publicAddress[1]: "192.0.2.38" is node.publicAddress[1] too: each box needs its own public address'],
    ["a listed address that is a real one", edit({ 4: "  publicAddress: [192.0.2.37, 192.0.2.17]" }), 'brain.yaml:4: node.publicAddress[1]: "192.0.2.17" is node.address too: a public address must be separate from both boxes\' real addresses'],
    ["a bad address in a block list, at its line", edit({ 7: "  publicAddress:\n    - 192.0.2.36\n    - 192.0.2.300" }), 'brain.yaml:9: peer.publicAddress[1]: "192.0.2.300" is not an IPv4 address: 300 is over 255'],
    ["a list inside the list", edit({ 4: "  publicAddress: [192.0.2.37, [192.0.2.38]]" }), "brain.yaml:4: node.publicAddress[1]: a list inside the list; write this box's own public IPv4 address, like publicAddress: 192.0.2.37"],
    ["a mapping as an address", edit({ 4: "  publicAddress: {address: 192.0.2.37}" }), "brain.yaml:4: node.publicAddress: a mapping is not allowed here; write this box's own public IPv4 address, like publicAddress: 192.0.2.37"],
    ["an unknown failback mode", edit({}, ["failback: later"]), 'brain.yaml:23: failback: "later" is not a failback mode; write immediate, delay and a duration (like failback: delay 30s), or manual'],
    ["a failback delay without a duration", edit({}, ["failback: delay"]), 'brain.yaml:23: failback: "delay" needs a duration: write it like failback: delay 30s'],
    ["a failback delay without a unit", edit({}, ["failback: delay 30"]), 'brain.yaml:23: failback: "30" has no unit: write 30ms or 2s; write it like failback: delay 30s'],
    ["a failback delay of zero", edit({}, ["failback: delay 0s"]), 'brain.yaml:23: failback: "delay 0s" waits no time: write failback: immediate, or a delay like 30s'],
    ["a failback delay over a day", edit({}, ["failback: delay 25h"]), 'brain.yaml:23: failback: "delay 25h" is over a day: write a shorter delay, or failback: manual'],
    ["failback as a mapping", edit({}, ["failback: {delay: 30s}"]), "brain.yaml:23: failback: a mapping is not allowed here; write immediate, delay and a duration (like failback: delay 30s), or manual"],
  ];
  for (const [what, text, message] of cases) {
    it(`one line for ${what}`, () => assert.equal(errorOf(text), message));
  }

  it("reads failback: immediate (the default), delay <duration> and manual", () => {
    const failback = (line?: string) => parseConfig(edit({}, line === undefined ? [] : [line]), "brain.yaml").failback;
    assert.deepEqual(failback(), { mode: "immediate" });
    assert.deepEqual(failback("failback: immediate"), { mode: "immediate" });
    assert.deepEqual(failback("failback: manual"), { mode: "manual" });
    assert.deepEqual(failback("failback: delay 30s"), { mode: "delay", delayMicros: 30_000_000 });
    assert.deepEqual(failback("failback: delay   1.5m"), { mode: "delay", delayMicros: 90_000_000 });
    assert.deepEqual(machineConfigOf(parseConfig(edit({}, ["failback: manual"]), "brain.yaml")).failback, { mode: "manual" });
  });
});

describe("config: status and hooks", () => {
  it("listens on 127.0.0.1:9337 and runs no hooks by default, as the examples say", async () => {
    const config = parseConfig(edit({}), "brain.yaml");
    assert.deepEqual(config.status, { listen: { host: "127.0.0.1", port: 9337 } });
    assert.deepEqual(config.hooks, { paths: {}, timeoutMicros: 5_000_000, keepCapabilities: false });
    assert.deepEqual(DEFAULTS.status.listen, { host: "127.0.0.1", port: 9337 });
    for (const name of ["brain.yaml", "pinky.yaml"]) {
      const example = await loadConfig(join(EXAMPLES, name));
      assert.deepEqual(example.status, { listen: { host: "127.0.0.1", port: 9337 } });
      assert.deepEqual(example.hooks, { paths: {}, timeoutMicros: 5_000_000, keepCapabilities: false });
    }
  });

  it("reads listen: off (or false), any address written out, port 0, localhost and [v6]", () => {
    const listen = (value: string) => parseConfig(edit({}, ["status:", `  listen: ${value}`]), "brain.yaml").status;
    assert.deepEqual(listen("off"), {});
    assert.deepEqual(listen("false"), {});
    assert.deepEqual(listen("0.0.0.0:9100"), { listen: { host: "0.0.0.0", port: 9100 } });
    assert.deepEqual(listen("192.0.2.17:9337"), { listen: { host: "192.0.2.17", port: 9337 } });
    assert.deepEqual(listen("127.0.0.1:0"), { listen: { host: "127.0.0.1", port: 0 } });
    assert.deepEqual(listen("localhost:9337"), { listen: { host: "127.0.0.1", port: 9337 } });
    assert.deepEqual(listen('"[::1]:9337"'), { listen: { host: "::1", port: 9337 } });
    assert.deepEqual(parseConfig(edit({}, ["status: {}"]), "brain.yaml").status, { listen: { host: "127.0.0.1", port: 9337 } });
  });

  it("reads log: level and format, info and text by default, and names a bad one with the choices", () => {
    assert.deepEqual(parseConfig(edit({}), "brain.yaml").log, { level: "info", format: "text" });
    assert.deepEqual(parseConfig(edit({}, ["log:", "  level: debug", "  format: json"]), "brain.yaml").log, { level: "debug", format: "json" });
    assert.deepEqual(parseConfig(edit({}, ["log: {level: warning}"]), "brain.yaml").log, { level: "warning", format: "text" });
    const bad = errorOf(edit({}, ["log:", "  level: loud", "  format: xml"])).split("\n");
    assert.equal(bad.length, 2, bad.join("\n"));
    assert.match(bad[0], /^brain\.yaml:\d+: log\.level: "?loud"? is not a log level; write error, warning, notice, info or debug$/);
    assert.match(bad[1], /^brain\.yaml:\d+: log\.format: "?xml"? is not a log format; write text or json$/);
  });

  it("gives every event the all: hook unless it has its own, and reads the timeout", () => {
    const config = parseConfig(edit({}, ["hooks:", "  all: /usr/local/bin/all.sh", "  claimed: /usr/local/bin/claimed.sh", "  timeout: 1.5s"]), "brain.yaml");
    assert.deepEqual(config.hooks, {
      paths: { claimed: "/usr/local/bin/claimed.sh", released: "/usr/local/bin/all.sh", conflict: "/usr/local/bin/all.sh", "peer-down": "/usr/local/bin/all.sh", "peer-up": "/usr/local/bin/all.sh" },
      timeoutMicros: 1_500_000,
      keepCapabilities: false,
    });
    const some = parseConfig(edit({}, ["hooks:", "  peer-down: /a", "  conflict: /b"]), "brain.yaml");
    assert.deepEqual(some.hooks, { paths: { conflict: "/b", "peer-down": "/a" }, timeoutMicros: 5_000_000, keepCapabilities: false });
    assert.equal(parseConfig(edit({}, ["hooks: {all: /a, keepCapabilities: true}"]), "brain.yaml").hooks.keepCapabilities, true);
    assert.throws(() => parseConfig(edit({}, ["hooks: {all: /a, keepCapabilities: yes please}"]), "brain.yaml"), /hooks\.keepCapabilities: "yes please" is not true or false; write true/);
  });
});

describe("config: exec and interface checks", () => {
  it("reads an exec check: the argv as given, a self check by default, every 2 s with a 1 s timeout, capabilities dropped", () => {
    const config = parseConfig(edit({}, ["  - type: exec", "    command: [/usr/local/bin/check-db, --quick, 3, \"$(not a shell)\"]"]), "brain.yaml");
    assert.deepEqual(check(config, "exec-check-db"), {
      type: "exec",
      name: "exec-check-db",
      role: "self",
      targetsPeerPublic: false,
      command: ["/usr/local/bin/check-db", "--quick", "3", "$(not a shell)"],
      keepCapabilities: false,
      intervalMicros: 2_000_000,
      timeoutMicros: 1_000_000,
      fall: 3,
      rise: 2,
    });
    assert.deepEqual(
      machineConfigOf(config).checks.find((c) => c.name === "exec-check-db"),
      { name: "exec-check-db", role: "self", fall: 3, rise: 2, targetsPeerPublic: false },
    );
  });

  it("reads an exec check's own name, role, timings and keepCapabilities; a block list is a list too", () => {
    const config = parseConfig(
      edit({}, ["  - name: db", "    type: exec", "    role: peer", "    command:", "      - /usr/local/bin/check-peer-db", "    interval: 500ms", "    fall: 1", "    rise: 1", "    keepCapabilities: true"]),
      "brain.yaml",
    );
    const db = check(config, "db");
    assert.deepEqual(db, { type: "exec", name: "db", role: "peer", targetsPeerPublic: false, command: ["/usr/local/bin/check-peer-db"], keepCapabilities: true, intervalMicros: 500_000, timeoutMicros: 500_000, fall: 1, rise: 1 });
  });

  it("reads an interface check: a self check every 100 ms, named interface-<name>", () => {
    const config = parseConfig(edit({}, ["  - type: interface", "    interface: eth1", "    fall: 1"]), "brain.yaml");
    assert.deepEqual(check(config, "interface-eth1"), { type: "interface", name: "interface-eth1", role: "self", targetsPeerPublic: false, interface: "eth1", intervalMicros: 100_000, timeoutMicros: 100_000, fall: 1, rise: 2 });
    assert.equal(parseConfig(edit({}, ["  - {type: interface, interface: bond0, role: self}"]), "brain.yaml").checks[3].role, "self");
  });

  it("does not count an exec or interface self check as watching the peer", () => {
    const text = "interface: eth0\nnode: {address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {address: 192.0.2.18, publicAddress: 192.0.2.36}\nchecks:\n  - {type: exec, command: [/bin/true]}\n  - {type: interface, interface: eth1}\n";
    assert.equal(errorOf(text), "brain.yaml:4: checks: no check watches the peer, so its address would never be taken over; add one, like - target: peer");
  });

  const cases: [string, string, string][] = [
    ["a command written as one string", edit({}, ["  - type: exec", '    command: "/usr/local/bin/check-db --quick"']), 'brain.yaml:24: checks[3].command: "/usr/local/bin/check-db --quick" is one string: a command is run without a shell, so write it as a list, like command: [/usr/local/bin/check-db, --quick]'],
    ["a command with a relative program", edit({}, ["  - type: exec", "    command: [check-db, --quick]"]), 'brain.yaml:24: checks[3].command: "check-db" is not an absolute path (checks run with PATH=/usr/sbin:/usr/bin:/sbin:/bin from /); write the program\'s full path, like command: [/usr/bin/check-db, …]'],
    ["an empty command", edit({}, ["  - type: exec", "    command: []"]), "brain.yaml:24: checks[3].command: an empty list runs nothing; write the program and its arguments as a list, like command: [/usr/local/bin/check-db, --quick]"],
    ["a command word that is a mapping", edit({}, ["  - type: exec", "    command: [/bin/check, {a: 1}]"]), 'brain.yaml:24: checks[3].command: word 2 is a mapping, not text; write each word as text, quoted if it holds "{", "[", ":" or "#"'],
    ["a command word that is true", edit({}, ["  - type: exec", "    command: [/bin/check, true]"]), 'brain.yaml:24: checks[3].command: word 2 is true, not text; quote it, like "true"'],
    ["an exec check without a command", edit({}, ["  - type: exec"]), "brain.yaml:23: checks[3].command: missing; an exec check needs the program to run, like command: [/usr/local/bin/check-db, --quick]"],
    ["a target on an exec check", edit({}, ["  - type: exec", "    command: [/bin/true]", "    target: peer"]), "brain.yaml:25: checks[3].target: exec checks have no target; remove it, or use type: icmp, tcp or http"],
    ["a port on an exec check", edit({}, ["  - type: exec", "    command: [/bin/true]", "    port: 80"]), "brain.yaml:25: checks[3].port: exec checks have no port; remove it, or use type: tcp or http"],
    ["a command on an icmp check", edit({ 15: "    rise: 2\n    command: [/bin/true]" }), "brain.yaml:16: checks[0].command: icmp checks have no command; remove it, or use type: exec"],
    ["a timeout longer than the exec interval", edit({}, ["  - type: exec", "    command: [/bin/true]", "    timeout: 3s"]), 'brain.yaml:25: checks[3].timeout: "3s" is longer than the interval (2s, the default for exec checks): make it at most 2s, or raise interval'],
    ["an interface check without an interface", edit({}, ["  - type: interface"]), "brain.yaml:23: checks[3].interface: missing; an interface check needs the interface whose carrier to watch, like interface: eth1"],
    ["an interface name that cannot be", edit({}, ["  - type: interface", "    interface: eth1:0"]), 'brain.yaml:24: checks[3].interface: "eth1:0" is not an interface name: Linux allows 1 to 15 characters, without spaces, ":" or "/" (ip link lists them)'],
    ["an interface check as a peer check", edit({}, ["  - type: interface", "    interface: eth1", "    role: peer"]), "brain.yaml:25: checks[3].role: \"peer\" does not fit an interface check: our own interface's carrier says nothing sure about the peer, and a pulled cable would take its address; remove role (interface checks are self checks)"],
    ["a timeout on an interface check", edit({}, ["  - type: interface", "    interface: eth1", "    timeout: 50ms"]), "brain.yaml:25: checks[3].timeout: interface checks have no timeout; they read the kernel's state at once, so remove it"],
    ["an interface key on an exec check", edit({}, ["  - type: exec", "    command: [/bin/true]", "    interface: eth1"]), "brain.yaml:25: checks[3].interface: exec checks have no interface; remove it, or use type: interface"],
    ["two interface checks of one interface", edit({}, ["  - {type: interface, interface: eth1}", "  - {type: interface, interface: eth1}"]), 'brain.yaml:24: checks[4].name: the default name "interface-eth1" is taken by checks[3]: give this check a name'],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      assert.equal(errorOf(text), expected);
    });
  }
});

describe("config: one exact line per mistake", () => {
  const cases: [string, string, string][] = [
    ["a bad IPv4 address", edit({ 7: "  publicAddress: 192.0.2.377" }), 'brain.yaml:7: peer.publicAddress: "192.0.2.377" is not an IPv4 address: 377 is over 255'],
    ["a duration without a unit", edit({ 12: "    interval: 100" }), 'brain.yaml:12: checks[0].interval: "100" has no unit: write 100ms or 2s'],
    ["a duration with an unknown unit", edit({ 13: "    timeout: 100msec" }), 'brain.yaml:13: checks[0].timeout: "100msec" has an unknown unit "msec": write 100ms'],
    ["a mistyped key", edit({ 19: "    fal: 3" }), 'brain.yaml:19: checks[1].fal: unknown key; did you mean "fall"?'],
    ["a key in snake case", edit({ 4: "  public_address: 192.0.2.37" }), 'brain.yaml:4: node.public_address: unknown key; did you mean "publicAddress"?'],
    ["an unknown key like no other", edit({}, ["colour: blue"]), "brain.yaml:23: colour: unknown key; the keys here are interface, label, node, peer, checks, announce, claim, conflicts, status, hooks, auth, log, failback"],
    ["a missing required key", edit({ 6: "" }), "brain.yaml:5: peer.address: missing; write the other box's real IPv4 address, like address: 192.0.2.18"],
    ["the same real address twice", edit({ 6: "  address: 192.0.2.17" }), 'brain.yaml:6: peer.address: "192.0.2.17" is node.address too: node and peer are two boxes, each with its own address'],
    ["a public address that is a real one", edit({ 4: "  publicAddress: 192.0.2.18" }), 'brain.yaml:4: node.publicAddress: "192.0.2.18" is peer.address too: a public address must be separate from both boxes\' real addresses'],
    ["one public address for both", edit({ 7: "  publicAddress: 192.0.2.37" }), 'brain.yaml:7: peer.publicAddress: "192.0.2.37" is node.publicAddress too: each box needs its own public address'],
    ["a loopback address", edit({ 3: "  address: 127.0.0.1" }), "brain.yaml:3: node.address: \"127.0.0.1\" is a loopback address; write this box's real IPv4 address on the interface, like address: 192.0.2.17"],
    ["a bad prefix length", edit({ 4: "  publicAddress: 192.0.2.37/33" }), 'brain.yaml:4: node.publicAddress: "192.0.2.37/33" has prefix length "33": write a whole number from 1 to 32 after the "/", or leave "/33" out to use the interface\'s'],
    ["a multicast MAC", edit({ 7: "  publicAddress: 192.0.2.36\n  mac: ff:ff:ff:ff:ff:ff" }), 'brain.yaml:8: peer.mac: "ff:ff:ff:ff:ff:ff" is a broadcast MAC address; write the peer\'s MAC address, like mac: 02:00:00:00:00:18, or leave mac out to learn it by ARP'],
    ["a timeout longer than the interval", edit({ 13: "    timeout: 200ms" }), 'brain.yaml:13: checks[0].timeout: "200ms" is longer than the interval (100ms): make it at most 100ms, or raise interval'],
    ["a timeout longer than the default interval", edit({}, ["    timeout: 2s"]), 'brain.yaml:23: checks[2].timeout: "2s" is longer than the interval (1s, the default for tcp checks): make it at most 1s, or raise interval'],
    ["a verify interval past the convergence bound", edit({}, ["claim:", "  verifyInterval: 2s"]), 'brain.yaml:24: claim.verifyInterval: "2s" is too long; write how often to ask whether the peer has its address back while holding it, like verifyInterval: 250ms, at most 750ms (the convergence bound is 1 s)'],
    ["a fall of 0", edit({ 14: "    fall: 0" }), "brain.yaml:14: checks[0].fall: 0 is too small; write how many failures in a row mark the target down: a whole number from 1, like fall: 3"],
    ["a rise that is not whole", edit({ 15: "    rise: 1.5" }), "brain.yaml:15: checks[0].rise: 1.5 is not a whole number; write how many passes in a row mark the target up: a whole number from 1, like rise: 2"],
    ["a quoted count", edit({ 15: '    rise: "2"' }), 'brain.yaml:15: checks[0].rise: "2" is quoted text; write it without quotes: 2'],
    ["a port out of range", edit({ 22: "    port: 70000" }), "brain.yaml:22: checks[2].port: 70000 is too large; write a port number from 1 to 65535, like port: 80"],
    ["a tcp check without a port", edit({ 22: "" }), "brain.yaml:20: checks[2].port: missing; a tcp check needs the port to connect to, like port: 22"],
    ["a port on an icmp check", edit({ 15: "    rise: 2\n    port: 80" }), "brain.yaml:16: checks[0].port: icmp checks have no port; remove it, or use type: tcp or http"],
    ["an http path without /", edit({ 19: "    path: health" }), 'brain.yaml:19: checks[1].path: "health" does not start with "/": write "/health"'],
    ["an HTTP status out of range", edit({ 19: "    expectStatus: 700" }), "brain.yaml:19: checks[1].expectStatus: 700 is too large; write the HTTP status a healthy server answers with, from 100 to 599, like expectStatus: 200"],
    ["an unknown check type", edit({ 20: "  - type: ping" }), 'brain.yaml:20: checks[2].type: "ping" is not a check type; write icmp, http, tcp, exec or interface'],
    ["an unknown target", edit({ 21: "    target: peer_public" }), 'brain.yaml:21: checks[2].target: "peer_public" is not a target; write peer, peer-public, self-public, an IPv4 or an IPv6 address'],
    ["a role against the target", edit({ 11: "    target: self-public\n    role: peer" }), 'brain.yaml:12: checks[0].role: "peer" does not fit target self-public, which makes it a self check; remove role, or change target'],
    ["two checks with one name", edit({ 16: "  - name: peer-ping\n    type: http" }), 'brain.yaml:16: checks[1].name: "peer-ping" is the name of checks[0] too: give each check its own name'],
    ["two checks with one default name", edit({}, ["  - type: tcp", "    port: 80"]), 'brain.yaml:23: checks[3].name: the default name "tcp-peer" is taken by checks[2]: give this check a name'],
    ["no check of the peer", "interface: eth0\nnode: {address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {address: 192.0.2.18, publicAddress: 192.0.2.36}\nchecks:\n  - target: self-public\n", "brain.yaml:4: checks: no check watches the peer, so its address would never be taken over; add one, like - target: peer"],
    ["an empty check list", edit({ 8: "checks: []", 9: "", 10: "", 11: "", 12: "", 13: "", 14: "", 15: "", 16: "", 17: "", 18: "", 19: "", 20: "", 21: "", 22: "" }), "brain.yaml:8: checks: an empty list would never see the peer fail; list at least one check, or leave checks out to ping the peer"],
    ["a label too long for the interface", edit({}, ["label: takeover-alias"]), 'brain.yaml:23: label: "eth0:takeover-alias" is 19 characters, over the 15 Linux allows for an address label: shorten label to at most 10 characters, like label: vip'],
    ["an interface with a label", edit({ 1: "interface: eth0:1" }), 'brain.yaml:1: interface: "eth0:1" is not an interface name: ":" starts an alias label; write interface: eth0 and label: 1'],
    ["a key given twice", edit({ 14: "    fall: 3\n    fall: 4" }), 'brain.yaml:15: "fall" is given twice in the same mapping: keep one'],
    ["a tab in the indentation", edit({ 3: "\taddress: 192.0.2.17" }), "brain.yaml:3: a tab indents this line: YAML needs spaces"],
    ["text that is not YAML, reported once", edit({ 2: "node: [192.0.2.17" }), "brain.yaml:2: not valid YAML: Implicit keys of flow sequence pairs need to be on a single line"],
    ["a section that is not a mapping", edit({}, ["announce: 5"]), "brain.yaml:23: announce: 5 is not a mapping of keys; write keys like count: 5 under announce:, or leave it out"],
    ["an empty file", "# nothing yet\n", "brain.yaml: the file is empty; see examples/brain.yaml for a complete config"],
    ["a listen address without a port", edit({}, ["status:", "  listen: 127.0.0.1"]), 'brain.yaml:24: status.listen: "127.0.0.1" is not host:port; write host:port, like listen: 127.0.0.1:9337 (loopback: only this box can ask), or listen: off'],
    ["a listen port as a bare number", edit({}, ["status: {listen: 9337}"]), "brain.yaml:23: status.listen: 9337 is not host:port; write host:port, like listen: 127.0.0.1:9337 (loopback: only this box can ask), or listen: off"],
    ["a listen port over 65535", edit({}, ["status:", "  listen: 127.0.0.1:65536"]), 'brain.yaml:24: status.listen: "127.0.0.1:65536" has port 65536, over 65535; write host:port, like listen: 127.0.0.1:9337 (loopback: only this box can ask), or listen: off'],
    ["a listen host that is not an address", edit({}, ["status:", "  listen: example.org:9337"]), 'brain.yaml:24: status.listen: "example.org" is not an IPv4 address: need four numbers separated by dots, like 192.0.2.1; write host:port, like listen: 127.0.0.1:9337 (loopback: only this box can ask), or listen: off'],
    ["a mistyped status key", edit({}, ["status:", "  listne: 127.0.0.1:9337"]), 'brain.yaml:24: status.listne: unknown key; did you mean "listen"?'],
    ["a relative hook path", edit({}, ["hooks:", "  timeout: 5s", "  claimed: hooks/claimed.sh"]), 'brain.yaml:25: hooks.claimed: "hooks/claimed.sh" is not an absolute path (hooks run from any directory); write the absolute path of the program to run, like claimed: /etc/takeover/hooks/claimed.sh'],
    ["a hook timeout without a unit", edit({}, ["hooks:", "  timeout: 5"]), 'brain.yaml:24: hooks.timeout: "5" has no unit: write 5ms or 2s'],
    ["a misspelt hook event", edit({}, ["hooks:", "  peer_down: /bin/true"]), 'brain.yaml:24: hooks.peer_down: unknown key; did you mean "peer-down"?'],
    ["hooks that are not a mapping", edit({}, ["hooks: /bin/true"]), 'brain.yaml:23: hooks: "/bin/true" is not a mapping of keys; write keys like claimed: /etc/takeover/hooks/claimed.sh under hooks:, or leave it out'],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      assert.equal(errorOf(text), expected);
    });
  }

  it("gives each problem as {line, path, message}", () => {
    try {
      parseConfig(edit({ 12: "    interval: 100" }), "brain.yaml");
      assert.fail("accepted");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.file, "brain.yaml");
      assert.deepEqual(error.problems, [{ line: 12, path: "checks[0].interval", message: '"100" has no unit: write 100ms or 2s' }]);
    }
  });
});

describe("config: every mistake at once", () => {
  it("reports all problems, one line each, in file order", () => {
    const text = edit({
      4: "  publicAddress: 192.0.2.37",
      6: "  address: 192.0.2.17",
      7: "  publicAddress: 192.0.2.377",
      12: "    interval: 100",
      14: "    fall: 0",
      15: "    rize: 2",
      18: "    port: 0",
      20: "  - type: tcp",
      21: "    target: peer",
      22: "    timeout: 5s",
    }, ["label: a-label-too-long"]);
    assert.deepEqual(errorOf(text).split("\n"), [
      'brain.yaml:6: peer.address: "192.0.2.17" is node.address too: node and peer are two boxes, each with its own address',
      'brain.yaml:7: peer.publicAddress: "192.0.2.377" is not an IPv4 address: 377 is over 255',
      'brain.yaml:12: checks[0].interval: "100" has no unit: write 100ms or 2s',
      "brain.yaml:14: checks[0].fall: 0 is too small; write how many failures in a row mark the target down: a whole number from 1, like fall: 3",
      'brain.yaml:15: checks[0].rize: unknown key; did you mean "rise"?',
      "brain.yaml:18: checks[1].port: 0 is too small; write a port number from 1 to 65535, like port: 80",
      "brain.yaml:20: checks[2].port: missing; a tcp check needs the port to connect to, like port: 22",
      'brain.yaml:22: checks[2].timeout: "5s" is longer than the interval (1s, the default for tcp checks): make it at most 1s, or raise interval',
      'brain.yaml:23: label: "eth0:a-label-too-long" is 21 characters, over the 15 Linux allows for an address label: shorten label to at most 10 characters, like label: vip',
    ]);
  });
});

describe("config: loading", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "takeover-config-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("says how to fix a missing file, in one line", async () => {
    const path = join(dir, "nope.yaml");
    await assert.rejects(loadConfig(path), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, `${path}: no such file: give the path of the config file (examples/brain.yaml shows one)`);
      return true;
    });
  });

  it("says a directory is not a config file", async () => {
    await assert.rejects(loadConfig(dir), { message: `${dir}: is a directory: give the path of the YAML file itself` });
  });

  it("names the file as given in every line", async () => {
    const path = join(dir, "bad.yaml");
    await writeFile(path, edit({ 12: "    interval: 100" }));
    await assert.rejects(loadConfig(path), { message: `${path}:12: checks[0].interval: "100" has no unit: write 100ms or 2s` });
  });

  it("refuses a FIFO at once, without waiting for a writer", async () => {
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    await assert.rejects(loadConfig(fifo), { message: `${fifo}: is a FIFO, not a regular file: give the path of the YAML file itself` });
    assert.ok(Date.now() - started < 1000);
  });

  it("refuses devices like /dev/urandom and /dev/null within a second, reading nothing", async () => {
    const started = Date.now();
    await assert.rejects(loadConfig("/dev/urandom"), { message: "/dev/urandom: is a device, not a regular file: give the path of the YAML file itself" });
    await assert.rejects(loadConfig("/dev/null"), { message: "/dev/null: is a device, not a regular file: give the path of the YAML file itself" });
    assert.ok(Date.now() - started < 1000);
  });

  it("refuses a file over 1 MiB before reading it, and reads one of exactly 1 MiB", async () => {
    const big = join(dir, "big.yaml");
    await writeFile(big, `${edit({})}# ${"x".repeat(MAX_CONFIG_BYTES)}\n`);
    const size = (await stat(big)).size;
    await assert.rejects(loadConfig(big), { message: `${big}: is ${size} bytes, over the 1048576 (1 MiB) a config may have: give the path of the YAML file itself` });
    const text = edit({});
    await writeFile(big, `${text}#${"x".repeat(MAX_CONFIG_BYTES - text.length - 2)}\n`);
    assert.equal((await stat(big)).size, MAX_CONFIG_BYTES);
    assert.equal((await loadConfig(big)).interface, "eth0");
  });
});

describe("config: values quoted in messages", () => {
  it("cuts a long value to 60 characters, with an ellipsis and its full length", () => {
    const long = "a".repeat(100_000);
    assert.equal(errorOf(edit({ 1: `interface: ${long}` })), `brain.yaml:1: interface: "${"a".repeat(60)}…" (100000 characters) is not an interface name: Linux allows 1 to 15 characters, without spaces or "/" (ip link lists them)`);
  });

  it("escapes what is not printable", () => {
    assert.equal(errorOf(edit({ 1: 'interface: "e\\x01t\\u200bh\\"0 \\\\"' })), 'brain.yaml:1: interface: "e\\x01t\\u{200b}h\\"0 \\\\" is not an interface name: Linux allows 1 to 15 characters, without spaces or "/" (ip link lists them)');
  });

  it("cuts unknown keys too", () => {
    const key = "k".repeat(500);
    assert.equal(errorOf(edit({}, [`${key}: 1`])).split("\n")[0], `brain.yaml:23: ${"k".repeat(60)}… (500 characters): unknown key; the keys here are interface, label, node, peer, checks, announce, claim, conflicts, status, hooks, auth, log, failback`);
  });

  it("refuses a 1 MiB scalar quickly", () => {
    const started = Date.now();
    const message = errorOf(edit({ 1: `interface: ${"b".repeat(MAX_CONFIG_BYTES - 300)}` }));
    assert.ok(message.length < 300, message);
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
  });
});

describe("durations", () => {
  it("reads each unit into whole microseconds", () => {
    const cases: [string, number][] = [
      ["250us", 250],
      ["250µs", 250],
      ["250\u03bcs", 250],
      ["100ms", 100_000],
      ["1.5ms", 1_500],
      ["2s", 2_000_000],
      ["1.5s", 1_500_000],
      ["1.1s", 1_100_000],
      ["1m", 60_000_000],
      ["1h", 3_600_000_000],
      ["100 ms", 100_000],
      ["0", 0],
      ["0s", 0],
    ];
    for (const [text, micros] of cases) assert.equal(parseDuration(text), micros, text);
  });

  it("refuses what is not a duration, saying how to write it", () => {
    const cases: [string, string][] = [
      ["100", '"100" has no unit: write 100ms or 2s'],
      ["2sec", '"2sec" has an unknown unit "sec": write 2s'],
      ["2MS", '"2MS" has an unknown unit "MS": write 2ms'],
      ["5x", '"5x" has an unknown unit "x": use us, ms, s, m or h'],
      ["-1s", '"-1s" is negative: a duration is 0 or more, like 0s or 100ms'],
      ["fast", '"fast" is not a duration: write a number and a unit, like 100ms or 2s'],
      ["0.5us", '"0.5us" is finer than a microsecond: round it to whole microseconds'],
      ["", '"" is empty: write a number and a unit, like 100ms or 2s'],
    ];
    for (const [text, message] of cases) assert.throws(() => parseDuration(text), (e: unknown) => e instanceof DurationError && e.message === message, text);
  });

  it("writes the shortest plain form", () => {
    const cases: [number, string][] = [
      [0, "0s"],
      [250, "250us"],
      [1_500, "1.5ms"],
      [100_000, "100ms"],
      [1_500_000, "1.5s"],
      [90_000_000, "90s"],
      [120_000_000, "2m"],
      [7_200_000_000, "2h"],
      [1_000_001, "1000.001ms"],
    ];
    for (const [micros, text] of cases) assert.equal(formatDuration(micros), text, String(micros));
  });

  it("round-trips any number-and-unit string through parse and format", () => {
    const units: [string, number, number][] = [
      // unit, µs per unit, most fraction digits that still give whole microseconds
      ["us", 1, 0],
      ["µs", 1, 0],
      ["ms", 1_000, 3],
      ["s", 1_000_000, 6],
      ["m", 60_000_000, 6],
      ["h", 3_600_000_000, 6],
    ];
    const text = fc.constantFrom(...units).chain(([unit, per, digits]) =>
      fc.record({
        whole: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 9, arbitrary: fc.integer({ min: 0, max: 99_999 }) }),
        fraction: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: digits }).map((d) => d.join("")),
        unit: fc.constant(unit),
        per: fc.constant(per),
      }),
    );
    const reach = new Reach("durations round-trip", {
      us: 40, "µs": 40, ms: 40, s: 40, m: 40, h: 40, noFraction: 60, sixFractionDigits: 15, wholeZero: 20, wholeOver10000: 150,
    });
    fc.assert(
      fc.property(text, ({ whole, fraction, unit, per }) => {
        reach.run();
        reach.hit(unit as "us");
        reach.hit("noFraction", fraction === "");
        reach.hit("sixFractionDigits", fraction.length === 6);
        reach.hit("wholeZero", whole === 0);
        reach.hit("wholeOver10000", whole > 10000);
        const written = fraction === "" ? `${whole}${unit}` : `${whole}.${fraction}${unit}`;
        const micros = parseDuration(written);
        assert.equal(micros, Math.round(Number(`${whole}.${fraction || "0"}`) * per), written);
        const formatted = formatDuration(micros);
        assert.equal(parseDuration(formatted), micros, `${written} → ${formatted}`);
        assert.equal(formatDuration(parseDuration(formatted)), formatted);
      }),
      { numRuns: 600 },
    );
    reach.check();
  });

  it("formats any whole number of microseconds to text that reads back the same", () => {
    // any number, and whole numbers of each unit (which format without a fraction)
    const micros = fc.oneof(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 0, max: 999 }),
      fc.constant(0),
      ...[1_000, 1_000_000, 60_000_000, 3_600_000_000].map((per) => fc.integer({ min: 1, max: 10_000 }).map((n) => n * per)),
    );
    const reach = new Reach("any microseconds format and read back", { zero: 30, under1000: 50, wholeMs: 50, wholeS: 50, wholeM: 50, wholeH: 50, over2To40: 50 });
    fc.assert(
      fc.property(micros, (micros) => {
        reach.run();
        reach.hit("zero", micros === 0);
        reach.hit("under1000", micros < 1000);
        reach.hit("wholeMs", micros % 1_000 === 0 && micros % 1_000_000 !== 0);
        reach.hit("wholeS", micros % 1_000_000 === 0 && micros % 60_000_000 !== 0);
        reach.hit("wholeM", micros % 60_000_000 === 0 && micros % 3_600_000_000 !== 0);
        reach.hit("wholeH", micros > 0 && micros % 3_600_000_000 === 0);
        reach.hit("over2To40", micros > 2 ** 40);
        assert.equal(parseDuration(formatDuration(micros)), micros);
      }),
      { numRuns: 1000 },
    );
    reach.check();
  });
});

describe("config: auth (the pair's shared key)", () => {
  it("takes an absolute key file path, with the rotation grace defaulted or given", () => {
    assert.deepEqual(parseConfig(edit({}, ["auth:", "  keyFile: /etc/takeover/pair.key"]), "brain.yaml").auth, { keyFile: "/etc/takeover/pair.key", rotationGraceMicros: 60_000_000 });
    assert.deepEqual(parseConfig(edit({}, ["auth:", "  keyFile: /k", "  rotationGrace: 5m"]), "brain.yaml").auth, { keyFile: "/k", rotationGraceMicros: 300_000_000 });
    assert.equal(parseConfig(edit({}), "brain.yaml").auth, undefined);
  });

  it("refuses a relative path, a missing keyFile, and a key with a plain peer, one line each", () => {
    assert.match(errorOf(edit({}, ["auth:", "  keyFile: pair.key"])), /^brain\.yaml:24: auth\.keyFile: "pair\.key" is not an absolute path; write the absolute path/);
    assert.match(errorOf(edit({}, ["auth:", "  rotationGrace: 1m"])), /^brain\.yaml:\d+: auth(\.keyFile)?: .*keyFile/);
    assert.match(errorOf(edit({ 7: "  publicAddress: 192.0.2.36\n  runsTakeover: false" }, ["auth:", "  keyFile: /k"])), /auth\.keyFile: a plain peer \(runsTakeover: false\) cannot sign its frames/);
  });
});

describe("config: IPv6 public addresses and check targets", () => {
  const v6 = (text: string) => Ipv6Address.parse(text);

  it("takes IPv6 public addresses with their prefix length next to the IPv4 ones; publicAddress is the first IPv4 one", () => {
    const config = parseConfig(edit({ 4: "  publicAddress: [2001:db8:1::37/64, 192.0.2.37/24]", 7: "  publicAddress:\n    - 192.0.2.36\n    - 2001:DB8:1:0::36/64" }), "brain.yaml");
    assert.deepEqual(config.node.publicAddresses, [{ address: v6("2001:db8:1::37"), prefixLength: 64 }, { address: Ipv4.parse("192.0.2.37"), prefixLength: 24 }]);
    assert.deepEqual(config.node.publicAddress, Ipv4.parse("192.0.2.37"));
    assert.equal(config.node.publicPrefixLength, 24);
    assert.deepEqual(config.peer.publicAddresses, [{ address: Ipv4.parse("192.0.2.36") }, { address: v6("2001:db8:1::36"), prefixLength: 64 }]);
    // the machine knows each address by its RFC 5952 text
    assert.deepEqual(
      machineConfigOf(config).addresses.map((a) => a.address),
      ["2001:db8:1::37", "192.0.2.37", "192.0.2.36", "2001:db8:1::36"],
    );
    assert.equal(config.announce.router, false);
    assert.equal(parseConfig(edit({}, ["announce:", "  router: true"]), "brain.yaml").announce.router, true);
  });

  it("checks may target IPv6 literals; a public one is named as such", () => {
    const config = parseConfig(
      edit({ 4: "  publicAddress: [192.0.2.37, 2001:db8:1::37/64]", 7: "  publicAddress: [192.0.2.36, 2001:db8:1::36/64]" }, ["  - name: v6-peer", '    target: "2001:db8:1::18"', "  - name: v6-web", "    type: http", "    target: 2001:db8:1::36"]),
      "brain.yaml",
    );
    const byName = (name: string) => config.checks.find((c) => c.name === name) as Extract<CheckConfig, { type: "icmp" | "http" }>;
    assert.deepEqual([byName("v6-peer").target, String(byName("v6-peer").address), byName("v6-peer").address instanceof Ipv6Address], ["address", "2001:db8:1::18", true]);
    assert.deepEqual([byName("v6-web").target, String(byName("v6-web").address), byName("v6-web").targetsPeerPublic], ["peer-public", "2001:db8:1::36", true]);
  });

  const cases: [string, string, string][] = [
    ["a link-local public address", edit({ 4: "  publicAddress: [192.0.2.37, fe80::37/64]" }), 'brain.yaml:4: node.publicAddress[1]: "fe80::37/64" is a link-local address (fe80::/10), which every box has its own of and none can hand over; give a global or unique-local address a box can own, like 2001:db8:1::37/64'],
    ["a multicast public address", edit({ 7: "  publicAddress: [192.0.2.36, ff02::1/64]" }), 'brain.yaml:7: peer.publicAddress[1]: "ff02::1/64" is a multicast address (ff00::/8); give a global or unique-local address a box can own, like 2001:db8:1::37/64'],
    ["the unspecified address", edit({ 4: "  publicAddress: [192.0.2.37, ::/64]" }), 'brain.yaml:4: node.publicAddress[1]: "::/64" is the unspecified address (::); give a global or unique-local address a box can own, like 2001:db8:1::37/64'],
    ["an IPv4-mapped address", edit({ 4: '  publicAddress: [192.0.2.37, "::ffff:192.0.2.38/120"]' }), 'brain.yaml:4: node.publicAddress[1]: "::ffff:192.0.2.38/120" is an IPv4-mapped address (::ffff:0:0/96): write the IPv4 address itself, 192.0.2.38'],
    ["an IPv6 address without its prefix length", edit({ 4: "  publicAddress: [192.0.2.37, 2001:db8:1::37]" }), 'brain.yaml:4: node.publicAddress[1]: "2001:db8:1::37" has no prefix length: write the segment\'s, like 2001:db8:1::37/64 (an IPv6 address is added with the prefix it is on-link in)'],
    ["an IPv6 prefix length over 128", edit({ 4: "  publicAddress: [192.0.2.37, 2001:db8:1::37/129]" }), 'brain.yaml:4: node.publicAddress[1]: "2001:db8:1::37/129" has prefix length "129": an IPv6 prefix length is a whole number from 1 to 128, like 2001:db8:1::37/64'],
    ["a broken IPv6 address", edit({ 4: "  publicAddress: [192.0.2.37, 2001:db8:::37/64]" }), 'brain.yaml:4: node.publicAddress[1]: "2001:db8:::37" is not an IPv6 address: "" is not a group of one to four hex digits; write an IPv6 address with its prefix length, like 2001:db8:1::37/64'],
    ["IPv6 in an IPv4 field", edit({ 3: "  address: 2001:db8:1::17" }), 'brain.yaml:3: node.address: "2001:db8:1::17" is IPv6, and this key takes an IPv4 address (the boxes watch each other over IPv4; IPv6 public addresses go in publicAddress); write this box\'s real IPv4 address on the interface, like address: 192.0.2.17'],
    ["only IPv6 public addresses", edit({ 7: "  publicAddress: 2001:db8:1::36/64" }), "brain.yaml:7: peer.publicAddress: has no IPv4 address: list at least one IPv4 public address next to the IPv6 ones, like [192.0.2.37/24, 2001:db8:1::36/64] (IPv6-only public addresses are not supported yet)"],
    ["an IPv6 address twice, written two ways", edit({ 4: "  publicAddress: [192.0.2.37, 2001:db8:1::37/64]", 7: "  publicAddress: [192.0.2.36, 2001:db8:1:0:0:0:0:37/64]" }), 'brain.yaml:7: peer.publicAddress[1]: "2001:db8:1::37" is node.publicAddress[1] too: each box needs its own public address'],
    ["a link-local check target", edit({}, ["  - target: fe80::18"]), 'brain.yaml:23: checks[3].target: "fe80::18" is link-local: a check needs an address routed without a zone; give the peer\'s global or unique-local address'],
    ["a router flag that is not a boolean", edit({}, ["announce:", "  router: maybe"]), "brain.yaml:24: announce.router: "],
  ];
  for (const [what, text, message] of cases) {
    it(`one line for ${what}`, () => {
      const error = errorOf(text);
      if (message.endsWith(": ")) assert.ok(error.startsWith(message) && !error.includes("\n"), error);
      else assert.equal(error, message);
    });
  }
});

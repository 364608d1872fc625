// `takeover ping` against the real Linux kernel in network namespaces: replies matched, exact loss
// under an nft rule, unreachable targets, and RTTs in line with iputils ping and fping.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
/** a preload that hides the raw-socket addon, as on a box where it never built */
const WITHOUT_RAW_SOCKET = join(__dirname, "..", "helpers", "without-raw-socket.js");

/** An nft ruleset with one rule on the input hook. */
const dropRule = (rule: string) => `table inet loss {\n  chain input {\n    type filter hook input priority 0;\n    ${rule}\n  }\n}\n`;

describe("takeover ping (kernel as the peer)", function () {
  this.timeout(60_000);
  let lab: Lab;

  before(async () => {
    lab = await Lab.create({ hosts: [{ name: "a", address: "192.0.2.17/24" }, { name: "b", address: "192.0.2.18/24" }] });
  });
  after(async () => {
    await lab?.destroy();
  });
  afterEach(() => lab.nftFlush("b"));

  const ping = (...args: string[]) => lab.exec("a", [process.execPath, CLI, "ping", ...args], { timeoutMs: 30_000 });
  const jsonLines = (text: string) => text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

  it("matches every reply, with kernel stamps, and reports no loss", () => {
    const result = ping("-c", "5", "-i", "0.05", "--json", "192.0.2.18");
    assert.equal(result.status, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    const replies = lines.filter((l) => l.type === "reply");
    assert.deepEqual(replies.map((r) => r.seq), [1, 2, 3, 4, 5]);
    for (const r of replies) {
      assert.equal(r.stamp, "kernel");
      assert.equal(r.ttl, 64);
      assert.ok(typeof r.rttMicros === "number" && r.rttMicros > 0 && r.rttMicros < 1_000_000, `rtt ${r.rttMicros}`);
    }
    const summary = lines.find((l) => l.type === "summary")!;
    assert.equal(summary.sent, 5);
    assert.equal(summary.received, 5);
    assert.equal(summary.lossPercent, 0);
  });

  it("reports exactly 50 % loss when every other echo request is dropped", () => {
    lab.nft("b", dropRule("icmp type echo-request numgen inc mod 2 == 0 drop"));
    const result = ping("-c", "10", "-i", "0.02", "-W", "0.3", "--json", "192.0.2.18");
    assert.equal(result.status, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    const summary = lines.find((l) => l.type === "summary")!;
    assert.equal(summary.sent, 10);
    assert.equal(summary.received, 5);
    assert.equal(summary.lossPercent, 50);
    assert.equal(lines.filter((l) => l.type === "timeout").length, 5);
  });

  it("times out on a host that drops every echo request, and exits 1", () => {
    lab.nft("b", dropRule("icmp type echo-request drop"));
    const result = ping("-c", "2", "-i", "0.1", "-W", "0.2", "192.0.2.18");
    assert.equal(result.status, 1);
    assert.match(result.stdout, /2 packets transmitted, 0 received, 100% packet loss/);
  });

  it("reports an address nobody answers ARP for as unreachable, and exits 1", () => {
    const result = ping("-c", "1", "-W", "0.3", "192.0.2.99");
    assert.equal(result.status, 1);
    assert.match(result.stdout, /From 192\.0\.2\.17 icmp_seq=1 Destination Host Unreachable/);
  });

  it("refuses a malformed address and an unknown interface with one line and exit 2", () => {
    const bad = ping("192.0.2.377");
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim(), 'takeover: target: "192.0.2.377" is not an IPv4 address: 377 is over 255');
    const noIface = ping("-I", "eht0", "-c", "1", "192.0.2.18");
    assert.equal(noIface.status, 2);
    assert.equal(noIface.stderr.trim(), 'takeover: no interface "eht0"; this host has: lo, eth0');
  });

  it("measures RTTs of the same order as iputils ping and fping on the same link", () => {
    const ours = jsonLines(ping("-c", "20", "-i", "0.01", "--json", "192.0.2.18").stdout).find((l) => l.type === "summary")!;
    const iputils = lab.exec("a", ["ping", "-c", "20", "-i", "0.01", "-q", "192.0.2.18"], { check: true }).stdout;
    const fping = lab.exec("a", ["fping", "-C", "20", "-p", "10", "-q", "192.0.2.18"]).stderr;
    const iputilsAvgMs = Number(/= [\d.]+\/([\d.]+)\//.exec(iputils)![1]);
    const fpingMs = fping.split(":")[1].trim().split(/\s+/).map(Number);
    const fpingMedianMs = fpingMs.sort((x, y) => x - y)[10];
    const oursAvgMs = (ours.avgMicros as number) / 1000;
    assert.equal(ours.received, 20);
    assert.ok(oursAvgMs > 0 && oursAvgMs < 100, `ours ${oursAvgMs} ms`);
    // same order of magnitude: within 20x either way of both tools (a sanity check, not a race)
    for (const [tool, theirs] of [["ping", iputilsAvgMs], ["fping", fpingMedianMs]] as const) {
      assert.ok(oursAvgMs < theirs * 20 && oursAvgMs > theirs / 20, `ours ${oursAvgMs} ms vs ${tool} ${theirs} ms`);
    }
  });
});

// Routing as `ip route get` routes: host a has a default route to nobody on eth0, and reaches
// 198.51.100.0/24 only through a policy rule (table 100, via r on eth1). Each case runs iputils ping
// (or fping, for several targets) on the same host and compares received counts and exit codes.
describe("takeover ping routes as the kernel does (policy rules, loopback, reject routes, several targets)", function () {
  this.timeout(120_000);
  let lab: Lab;

  before(async () => {
    lab = await Lab.create({
      hosts: [
        { name: "a", links: [{ segment: "lan", address: "192.0.2.17/24" }, { segment: "side", address: "203.0.113.1/24" }], gateway: "192.0.2.1" },
        { name: "b", segment: "lan", address: "192.0.2.18/24" },
        { name: "r", segment: "side", address: ["203.0.113.2/24", "198.51.100.7/24"] },
      ],
    });
    const ipIn = (...argv: string[]) => lab.exec("a", ["ip", ...argv], { check: true });
    ipIn("route", "add", "198.51.100.0/24", "via", "203.0.113.2", "dev", "eth1", "table", "100");
    ipIn("rule", "add", "to", "198.51.100.0/24", "table", "100");
    ipIn("route", "add", "prohibit", "203.0.113.128/25");
    ipIn("route", "add", "unreachable", "192.0.2.128/25");
  });
  after(async () => {
    await lab?.destroy();
  });

  const ping = (...args: string[]) => lab.exec("a", [process.execPath, CLI, "ping", ...args], { timeoutMs: 30_000 });
  const summaries = (stdout: string) => stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.type === "summary");
  /** iputils ping's received count (undefined when it printed no statistics) and exit code. */
  const iputils = (target: string, ...flags: string[]) => {
    const result = lab.exec("a", ["ping", "-c", "3", "-i", "0.1", "-W", "1", ...flags, target], { timeoutMs: 30_000 });
    const received = /(\d+) received/.exec(result.stdout)?.[1];
    return { received: received === undefined ? undefined : Number(received), status: result.status };
  };

  it("reaches an address routed only by a policy rule, out of the second interface, as iputils ping does", () => {
    const shown = ping("-c", "3", "-i", "0.1", "198.51.100.7");
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^PING 198\.51\.100\.7 from 203\.0\.113\.1 eth1: /);
    const result = ping("-c", "3", "-i", "0.1", "--json", "198.51.100.7");
    const [ours] = summaries(result.stdout);
    assert.deepEqual({ received: ours.received, status: result.status }, iputils("198.51.100.7"));
    assert.deepEqual([ours.received, ours.duplicates], [3, 0]);
    // -I eth0, like ping -I: the rule's route leaves by eth1, so the main table's default (nobody at 192.0.2.1)
    const pinned = ping("-c", "3", "-i", "0.1", "-W", "1", "-I", "eth0", "--json", "198.51.100.7");
    assert.deepEqual({ received: summaries(pinned.stdout)[0].received, status: pinned.status }, iputils("198.51.100.7", "-I", "eth0"));
    assert.equal(pinned.status, 1);
  });

  it("pings 127.0.0.1, 127.0.0.5 and its own address as iputils ping does, through the kernel's ICMP socket, with the lo sysctls off", () => {
    for (const target of ["127.0.0.1", "127.0.0.5", "192.0.2.17"]) {
      const result = ping("-c", "3", "-i", "0.1", "--json", target);
      assert.equal(result.status, 0, `${target}: ${result.stderr}`);
      const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      const replies = lines.filter((l) => l.type === "reply");
      // the request leaves through the kernel's socket, and both it and the reply are captured on lo
      assert.deepEqual(replies.map((r) => [r.seq, r.stamp, r.ttl]), [[1, "kernel", 64], [2, "kernel", 64], [3, "kernel", 64]], target);
      const [ours] = summaries(result.stdout);
      assert.deepEqual({ received: ours.received, status: result.status }, iputils(target), target);
      assert.deepEqual([ours.received, ours.duplicates], [3, 0], target);
    }
    const shown = ping("-c", "1", "127.0.0.1", "192.0.2.17");
    assert.match(shown.stdout, /^PING 127\.0\.0\.1 from 127\.0\.0\.1 lo; 192\.0\.2\.17 from 192\.0\.2\.17 lo: /);
    assert.equal(shown.status, 0, shown.stderr);
  });

  describe("without the raw-socket addon", () => {
    const pingWithout = (...args: string[]) => lab.exec("a", [process.execPath, "--require", WITHOUT_RAW_SOCKET, CLI, "ping", ...args], { timeoutMs: 30_000 });

    it("refuses a local destination in one line while the kernel would drop requests put on lo", () => {
      for (const [target, missing] of [
        ["127.0.0.1", "net.ipv4.conf.lo.route_localnet=1 and net.ipv4.conf.lo.accept_local=1"],
        ["192.0.2.17", "net.ipv4.conf.lo.accept_local=1"],
      ]) {
        const ours = pingWithout("-c", "3", "-i", "0.1", target);
        assert.equal(ours.status, 2, target);
        assert.equal(ours.stdout, "", target);
        assert.match(
          ours.stderr.trim(),
          new RegExp(`^takeover: ${target.replaceAll(".", "\\.")} is an address of this host \\(local route, dev lo\\): the raw-socket addon did not load \\(Cannot find module 'raw-socket'.*\\); reinstall takeover with build tools present \\(npm ci builds it with node-gyp\\), and the kernel drops echo requests put on lo from userspace unless ${missing}; fix the first, or set ${missing.includes(" and ") ? "those" : "that"} with sysctl -w$`),
        );
        assert.equal(ours.stderr.trim().split("\n").length, 1);
      }
    });

    it("puts the requests on lo itself once the kernel accepts them there, as iputils ping is answered", () => {
      lab.sysctl("a", "net.ipv4.conf.lo.accept_local", "1");
      lab.sysctl("a", "net.ipv4.conf.lo.route_localnet", "1");
      try {
        for (const target of ["127.0.0.1", "192.0.2.17"]) {
          const result = pingWithout("-c", "3", "-i", "0.1", "--json", target);
          assert.equal(result.status, 0, `${target}: ${result.stderr}`);
          const replies = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.type === "reply");
          assert.deepEqual(replies.map((r) => [r.seq, r.stamp]), [[1, "kernel"], [2, "kernel"], [3, "kernel"]], target);
          assert.deepEqual({ received: replies.length, status: result.status }, iputils(target), target);
        }
      } finally {
        lab.sysctl("a", "net.ipv4.conf.lo.accept_local", "0");
        lab.sysctl("a", "net.ipv4.conf.lo.route_localnet", "0");
      }
    });
  });

  it("refuses a lone prohibit, unreachable or unrouted destination in one line, exit 2, as iputils ping exits; with several, exits as fping", () => {
    lab.exec("a", ["ip", "route", "del", "default"], { check: true });
    try {
      for (const [target, message] of [
        ["203.0.113.200", /^takeover: 203\.0\.113\.200 is unreachable \(prohibit route; see ip route get 203\.0\.113\.200 and ip rule\)$/],
        ["192.0.2.200", /^takeover: 192\.0\.2\.200 is unreachable \(unreachable route; /],
        ["8.8.8.8", /^takeover: no route to 8\.8\.8\.8 \(ip route get 8\.8\.8\.8: Network is unreachable\); add one/],
      ] as const) {
        const ours = ping("-c", "1", target);
        assert.match(ours.stderr.trim(), message, target);
        assert.equal(ours.stderr.trim().split("\n").length, 1);
        assert.equal(ours.status, 2, target);
        assert.equal(iputils(target).status, 2, `iputils ping ${target}`);
      }
      // with several targets, as fping: the one without a route is unreachable (one line on stderr),
      // the others are pinged, and the exit status is 1
      const mixed = ping("-c", "1", "-W", "0.5", "--json", "192.0.2.18", "8.8.8.8", "203.0.113.200");
      assert.deepEqual(mixed.stderr.trim().split("\n").map((l) => l.replace(/ \(.*$/, "")), ["takeover: no route to 8.8.8.8", "takeover: 203.0.113.200 is unreachable"]);
      const lines = mixed.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(lines.filter((l) => l.type === "unroutable").map((l) => l.target), ["8.8.8.8", "203.0.113.200"]);
      assert.deepEqual(summaries(mixed.stdout).map((l) => [l.target, l.received]), [["192.0.2.18", 1]]);
      assert.equal(mixed.status, 1);
      const fping = lab.exec("a", ["fping", "-c", "1", "-t", "500", "-q", "192.0.2.18", "8.8.8.8", "203.0.113.200"], { timeoutMs: 30_000 });
      assert.equal(fping.status, 1);
      const none = ping("-c", "1", "8.8.8.8", "203.0.113.200");
      assert.deepEqual([none.status, none.stdout, none.stderr.trim().split("\n").length], [1, "", 2]);
    } finally {
      lab.exec("a", ["ip", "route", "replace", "default", "via", "192.0.2.1"], { check: true });
    }
  });

  it("with several targets exits as fping does: 0 when every one answered, 1 when one did not", () => {
    const fping = (...targets: string[]) => lab.exec("a", ["fping", "-c", "2", "-p", "100", "-t", "300", "-q", ...targets], { timeoutMs: 30_000 }).status;
    // two interfaces, two sources: each target is routed on its own
    const both = ping("-c", "2", "-i", "0.1", "-W", "0.3", "--json", "192.0.2.18", "198.51.100.7");
    assert.deepEqual(summaries(both.stdout).map((s) => [s.target, s.received]), [["192.0.2.18", 2], ["198.51.100.7", 2]]);
    assert.equal(both.status, 0, both.stderr);
    assert.equal(fping("192.0.2.18", "198.51.100.7"), 0);
    const oneSilent = ping("-c", "2", "-i", "0.1", "-W", "0.3", "--json", "192.0.2.18", "192.0.2.99");
    assert.deepEqual(summaries(oneSilent.stdout).map((s) => [s.target, s.received]), [["192.0.2.18", 2], ["192.0.2.99", 0]]);
    assert.equal(oneSilent.status, 1);
    assert.equal(fping("192.0.2.18", "192.0.2.99"), 1);
  });
});

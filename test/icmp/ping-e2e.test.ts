// `takeover ping` against the real Linux kernel in network namespaces: replies matched, exact loss
// under an nft rule, unreachable targets, and RTTs in line with iputils ping and fping.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");

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

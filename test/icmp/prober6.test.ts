// The ICMPv6 echo prober (src/icmp/prober6.ts): in memory against a peer built from our codecs
// (matching, loss, duplicates, strays, quoted errors), its requests read by tshark (an independent
// decoder), and in network namespaces against the real Linux kernel: replies with kernel stamps, the
// hop limit a router takes off, time exceeded and destination unreachable from a router, exact loss
// under an nft rule.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Prober6, ProbeEvent6 } from "../../src/icmp/prober6";
import { runPing } from "../../src/icmp/session";
import { Lab } from "../../src/lab/netns";
import { routedIpv6Lab } from "../helpers/ipv6-lab";
import { FramePort, memoryPortPair } from "../../src/link/port";
import { Mac } from "../../src/packets/address";
import { ETHERNET_HEADER_LENGTH } from "../../src/packets/ethernet";
import { decodeIcmpv6, emitIcmpv6, Icmpv6Record, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_DESTINATION_UNREACHABLE } from "../../src/packets/icmpv6";
import { decodeIpv6, IPV6_HEADER_LENGTH, Ipv6Address } from "../../src/packets/ipv6";
import { writePcap } from "../../src/packets/pcap";
import { runTool, TSHARK } from "../helpers/tools";
import { icmpv6Frame } from "../helpers/frames";

const OURS = Mac.parse("02:00:00:00:00:01");
const THEIRS = Mac.parse("02:00:00:00:00:02");
const HERE = Ipv6Address.parse("2001:db8:1::17");
const THERE = Ipv6Address.parse("2001:db8:1::18");
const ROUTER = Ipv6Address.parse("2001:db8:1::1");


/** The IPv6 packet and ICMPv6 message of a frame (no VLAN). */
function read(frame: Uint8Array) {
  const ip = decodeIpv6(frame, ETHERNET_HEADER_LENGTH);
  const icmp = decodeIcmpv6(frame, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + ip.payloadLength);
  return { ip, icmp };
}

/** Answers echo requests as a host would; `answer(seq)` says how many replies a request gets. */
function echoPeer6(port: FramePort, answer: (seq: number) => number, mangle?: (reply: Uint8Array) => void): Uint8Array[] {
  const requests: Uint8Array[] = [];
  port.listen((frame) => {
    const bytes = frame.bytes.slice();
    const { ip, icmp } = read(bytes);
    if (icmp.type !== ICMPV6_ECHO_REQUEST || icmp.body.kind !== "echo") return;
    requests.push(bytes);
    const reply = icmpv6Frame(port.mac, OURS, ip.destination, ip.source, { type: ICMPV6_ECHO_REPLY, code: 0, checksum: 0, body: { ...icmp.body, data: icmp.body.data.slice() } });
    mangle?.(reply);
    for (let i = 0; i < answer(icmp.body.sequence); i++) port.send(reply);
  });
  return requests;
}

const prober = (port: FramePort, extra: Partial<ConstructorParameters<typeof Prober6>[1]> = {}) => new Prober6(port, { sourceIp: HERE, nextHop: async () => THEIRS, ...extra });

describe("ICMPv6 echo prober (in memory)", () => {
  it("matches every reply to its request, with RTT, hop limit and size", async () => {
    const [a, b] = memoryPortPair(OURS, THEIRS);
    echoPeer6(b, () => 1);
    const p = prober(a);
    const events: ProbeEvent6[] = [];
    const [summary] = await runPing(p, [THERE], { count: 5, intervalMs: 2, timeoutMs: 200 }, (e) => events.push(e));
    p.close();
    const replies = events.filter((e) => e.type === "reply");
    assert.deepEqual(replies.map((e) => e.seq), [1, 2, 3, 4, 5]);
    for (const r of replies) assert.ok(r.type === "reply" && r.ttl === 61 && r.bytes === 64 && r.rttMicros >= 0 && r.target.equals(THERE), JSON.stringify(r));
    assert.deepEqual([summary.sent, summary.received, summary.lossPercent, summary.target.toString()], [5, 5, 0, "2001:db8:1::18"]);
  });

  it("counts loss exactly, and reports duplicates without counting them", async () => {
    const [a, b] = memoryPortPair(OURS, THEIRS);
    echoPeer6(b, (seq) => (seq % 2 === 0 ? 0 : 2));
    const p = prober(a);
    const events: ProbeEvent6[] = [];
    const [summary] = await runPing(p, [THERE], { count: 6, intervalMs: 2, timeoutMs: 60 }, (e) => events.push(e));
    p.close();
    assert.deepEqual([summary.received, summary.lossPercent], [3, 50]);
    assert.deepEqual(events.filter((e) => e.type === "timeout").map((e) => e.seq), [2, 4, 6]);
    assert.ok(summary.duplicates >= 1 && events.some((e) => e.type === "duplicate"));
  });

  it("ignores replies that are not to its requests: another identifier, another nonce, a bad checksum, another source", async () => {
    const mangles: Array<[string, (reply: Uint8Array) => void]> = [
      ["identifier", (r) => (r[ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + 4] ^= 0xff)],
      ["nonce", (r) => (r[ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + 8 + 4] ^= 0xff)],
      ["checksum", (r) => (r[ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + 2] ^= 0xff)],
      ["source", (r) => (r[ETHERNET_HEADER_LENGTH + 8 + 15] ^= 0x01)],
    ];
    // the same exchange unmangled is answered: so each zero below is the mangling's doing
    const [a0, b0] = memoryPortPair(OURS, THEIRS);
    echoPeer6(b0, () => 1);
    const control = prober(a0);
    const [answered] = await runPing(control, [THERE], { count: 2, intervalMs: 2, timeoutMs: 40 }, () => undefined);
    control.close();
    assert.equal(answered.received, 2, "unmangled");
    for (const [what, mangle] of mangles) {
      const [a, b] = memoryPortPair(OURS, THEIRS);
      echoPeer6(b, () => 1, (reply) => {
        mangle(reply);
        if (what !== "checksum") {
          // keep the checksum right, so only the mangled field can make it not ours
          const { ip, icmp } = read(reply);
          emitIcmpv6({ ...icmp, checksum: 0 }, reply, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH, {}, { source: ip.source, destination: ip.destination });
        }
      });
      const p = prober(a);
      const [summary] = await runPing(p, [THERE], { count: 2, intervalMs: 2, timeoutMs: 40 }, () => undefined);
      p.close();
      assert.equal(summary.received, 0, what);
    }
  });

  it("reports a destination unreachable quoting its request, from the router that sent it, once", async () => {
    const [a, b] = memoryPortPair(OURS, THEIRS);
    b.listen((frame) => {
      const bytes = frame.bytes.slice();
      const quoted = bytes.subarray(ETHERNET_HEADER_LENGTH);
      const error = icmpv6Frame(THEIRS, OURS, ROUTER, HERE, { type: ICMPV6_DESTINATION_UNREACHABLE, code: 3, checksum: 0, body: { kind: "error", parameter: 0, invoking: quoted } } as Icmpv6Record);
      b.send(error);
      b.send(error);
    });
    const p = prober(a);
    const events: ProbeEvent6[] = [];
    const [summary] = await runPing(p, [THERE], { count: 2, intervalMs: 5, timeoutMs: 100 }, (e) => events.push(e));
    p.close();
    const errors = events.filter((e) => e.type === "unreachable");
    assert.deepEqual(errors.map((e) => [e.seq, e.type === "unreachable" && e.from.toString(), e.type === "unreachable" && e.code]), [[1, "2001:db8:1::1", 3], [2, "2001:db8:1::1", 3]]);
    assert.deepEqual([summary.received, summary.errors], [0, 2]);
  });

  it("reports a target whose next hop cannot be resolved as unreachable from our own address", async () => {
    const [a] = memoryPortPair(OURS, THEIRS);
    const p = prober(a, { nextHop: async () => Promise.reject(new Error("no NA")) });
    const events: ProbeEvent6[] = [];
    await runPing(p, [THERE], { count: 1, intervalMs: 1, timeoutMs: 50 }, (e) => events.push(e));
    p.close();
    assert.deepEqual(events.map((e) => [e.type, e.type === "unreachable" ? e.from.toString() : ""]), [["unreachable", "2001:db8:1::17"]]);
  });

  it("sends requests tshark reads as we meant them: echo request, identifier, sequence, hop limit, a good checksum", async () => {
    const [a, b] = memoryPortPair(OURS, THEIRS);
    const requests = echoPeer6(b, () => 1);
    const p = prober(a, { payloadSize: 100, hopLimit: 7, identifier: 0x1234 });
    await runPing(p, [THERE], { count: 3, intervalMs: 2, timeoutMs: 100 }, () => undefined);
    p.close();
    const dir = fs.mkdtempSync(join(os.tmpdir(), "takeover-prober6-"));
    try {
      const file = join(dir, "requests.pcap");
      fs.writeFileSync(file, writePcap(requests.map((data, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: 0, data }))));
      const { stdout } = runTool(TSHARK, ["-r", file, "-n", "-T", "fields", "-E", "separator=,", ...["ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.plen", "icmpv6.type", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number", "icmpv6.checksum.status"].flatMap((f) => ["-e", f])]);
      assert.deepEqual(stdout.trim().split("\n"), [1, 2, 3].map((seq) => `2001:db8:1::17,2001:db8:1::18,7,108,128,0x1234,${seq},1`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const RUN = join(__dirname, "fixtures", "prober6-run.js");

describe("ICMPv6 echo prober (kernel as the peer)", function () {
  this.timeout(60_000);
  let lab: Lab;
  const macOf = (host: string, iface = "eth0") => (JSON.parse(lab.exec(host, ["ip", "-j", "link", "show", iface], { check: true }).stdout) as Array<{ address: string }>)[0].address;

  before(async () => {
    lab = await routedIpv6Lab();
  });
  after(async () => {
    await lab?.destroy();
  });
  afterEach(() => lab.nftFlush("b"));

  const probe = (job: { nextHop: string; targets: string[]; count: number; intervalMs?: number; timeoutMs?: number; hopLimit?: number }) => {
    const result = lab.exec("a", [process.execPath, RUN, JSON.stringify({ iface: "eth0", source: "2001:db8:1::17", intervalMs: 20, timeoutMs: 500, ...job })], { timeoutMs: 30_000 });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  it("gets the kernel's replies on the segment, timed by kernel stamps, hop limit 64", () => {
    const lines = probe({ nextHop: macOf("b"), targets: ["2001:db8:1::18"], count: 5 });
    const replies = lines.filter((l) => l.type === "reply");
    assert.deepEqual(replies.map((r) => r.seq), [1, 2, 3, 4, 5]);
    for (const r of replies) assert.ok(r.stamp === "kernel" && r.ttl === 64 && r.bytes === 64 && (r.rttMicros as number) > 0 && (r.rttMicros as number) < 500_000, JSON.stringify(r));
    assert.deepEqual(lines.filter((l) => l.type === "summary").map((s) => [s.sent, s.received]), [[5, 5]]);
  });

  it("reaches a host behind a router (hop limit 63 on the reply), and hears time exceeded with hop limit 1", () => {
    const routed = probe({ nextHop: macOf("r"), targets: ["2001:db8:2::2"], count: 3 });
    assert.deepEqual(routed.filter((l) => l.type === "reply").map((r) => r.ttl), [63, 63, 63]);
    const expired = probe({ nextHop: macOf("r"), targets: ["2001:db8:2::2"], count: 2, hopLimit: 1 });
    assert.deepEqual(expired.filter((l) => l.type !== "summary").map((l) => [l.type, l.seq, l.from, l.code]), [["time-exceeded", 1, "2001:db8:1::1", 0], ["time-exceeded", 2, "2001:db8:1::1", 0]]);
  });

  it("hears the router's destination unreachable for an unreachable route (code 0, no route)", () => {
    const lines = probe({ nextHop: macOf("r"), targets: ["2001:db8:50::9"], count: 2 });
    assert.deepEqual(lines.filter((l) => l.type !== "summary").map((l) => [l.type, l.seq, l.from, l.code]), [["unreachable", 1, "2001:db8:1::1", 0], ["unreachable", 2, "2001:db8:1::1", 0]]);
    assert.deepEqual(lines.filter((l) => l.type === "summary").map((s) => [s.sent, s.received, s.errors]), [[2, 0, 2]]);
  });

  it("counts exactly 50 % loss when the kernel drops every other echo request", () => {
    lab.nft("b", "table inet loss {\n  chain input {\n    type filter hook input priority 0;\n    icmpv6 type echo-request numgen inc mod 2 == 0 drop\n  }\n}\n");
    const lines = probe({ nextHop: macOf("b"), targets: ["2001:db8:1::18"], count: 10, timeoutMs: 300 });
    const [summary] = lines.filter((l) => l.type === "summary");
    assert.deepEqual([summary.sent, summary.received, summary.lossPercent], [10, 5, 50]);
    assert.equal(lines.filter((l) => l.type === "timeout").length, 5);
  });
});

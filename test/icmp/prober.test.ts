// The echo prober and ping sessions against an in-memory peer: matching, statistics, loss, duplicates,
// stray replies. The same code meets the real kernel in test/icmp/ping-e2e.test.ts.
import assert from "node:assert/strict";
import { Prober, ProbeEvent } from "../../src/icmp/prober";
import { runPing } from "../../src/icmp/session";
import { FramePort, memoryPortPair } from "../../src/link/port";
import { decodeFrame, encodeFrame, ETHERTYPE_IPV4, ICMP_ECHO_REQUEST, ipv4Header, Ipv4, IP_PROTOCOL_ICMP, Mac } from "../../src/packets";

const ours = Mac.parse("02:00:00:00:00:01");
const theirs = Mac.parse("02:00:00:00:00:02");
const here = Ipv4.parse("192.0.2.17");
const there = Ipv4.parse("192.0.2.18");

/** Answers echo requests like a host would; `answer(seq)` decides how many replies a request gets. */
function echoPeer(port: FramePort, answer: (seq: number) => number, mangle?: (reply: Uint8Array) => void): void {
  port.listen((frame) => {
    const request = decodeFrame(frame.bytes.slice());
    if (request.icmp?.type !== ICMP_ECHO_REQUEST || request.ipv4 === undefined) return;
    const reply = encodeFrame({
      ethernet: { destination: request.ethernet.source, source: port.mac, etherType: ETHERTYPE_IPV4 },
      ipv4: ipv4Header(request.ipv4.destination, request.ipv4.source, IP_PROTOCOL_ICMP, { ttl: 61 }),
      icmp: { type: 0, code: 0, identifier: request.icmp.identifier, sequence: request.icmp.sequence },
      payload: request.payload.slice(),
    });
    mangle?.(reply);
    for (let i = 0; i < answer(request.icmp.sequence!); i++) port.send(reply);
  });
}

function prober(port: FramePort): Prober {
  return new Prober(port, { sourceIp: here, nextHop: async () => theirs });
}

describe("ICMP echo prober (in memory)", () => {
  it("matches every reply to its request, with RTT, TTL and the stamp source", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    echoPeer(b, () => 1);
    const p = prober(a);
    const events: ProbeEvent[] = [];
    const [summary] = await runPing(p, [there], { count: 5, intervalMs: 2, timeoutMs: 200 }, (e) => events.push(e));
    p.close();
    const replies = events.filter((e) => e.type === "reply");
    assert.deepEqual(replies.map((e) => e.seq), [1, 2, 3, 4, 5]);
    for (const r of replies) {
      assert.ok(r.type === "reply" && r.rttMicros >= 0 && r.rttMicros < 200_000 && r.ttl === 61 && r.stamp === "hrtime");
    }
    assert.equal(summary.sent, 5);
    assert.equal(summary.received, 5);
    assert.equal(summary.lossPercent, 0);
    assert.ok(summary.minMicros <= summary.avgMicros && summary.avgMicros <= summary.maxMicros);
  });

  it("counts loss exactly and reports each lost request as a timeout", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    echoPeer(b, (seq) => (seq % 2 === 0 ? 0 : 1));
    const p = prober(a);
    const events: ProbeEvent[] = [];
    const [summary] = await runPing(p, [there], { count: 6, intervalMs: 2, timeoutMs: 50 }, (e) => events.push(e));
    p.close();
    assert.equal(summary.received, 3);
    assert.equal(summary.lossPercent, 50);
    assert.deepEqual(events.filter((e) => e.type === "timeout").map((e) => e.seq), [2, 4, 6]);
  });

  it("reports duplicates and does not count them as received", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    echoPeer(b, () => 2);
    const p = prober(a);
    const events: ProbeEvent[] = [];
    const [summary] = await runPing(p, [there], { count: 2, intervalMs: 30, timeoutMs: 100 }, (e) => events.push(e));
    await new Promise((r) => setTimeout(r, 10));
    p.close();
    assert.equal(summary.received, 2);
    assert.ok(summary.duplicates >= 1);
    assert.ok(events.some((e) => e.type === "duplicate"));
  });

  it("ignores replies that are not ours: another identifier or a payload without our magic", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    echoPeer(b, () => 1, (reply) => {
      reply[42 + 0] ^= 0xff; // first payload byte: the magic
    });
    const p = prober(a);
    const events: ProbeEvent[] = [];
    const [summary] = await runPing(p, [there], { count: 2, intervalMs: 2, timeoutMs: 40 }, (e) => events.push(e));
    p.close();
    assert.equal(summary.received, 0);
    assert.equal(events.filter((e) => e.type === "timeout").length, 2);
  });

  it("reports an unresolvable next hop as unreachable from our own address", async () => {
    const [a] = memoryPortPair(ours, theirs);
    const p = new Prober(a, { sourceIp: here, nextHop: async () => { throw new Error("no ARP reply"); } });
    const events: ProbeEvent[] = [];
    const [summary] = await runPing(p, [there], { count: 1, intervalMs: 1, timeoutMs: 10 }, (e) => events.push(e));
    p.close();
    assert.equal(summary.errors, 1);
    assert.equal(summary.received, 0);
    const unreachable = events.find((e) => e.type === "unreachable");
    assert.ok(unreachable?.type === "unreachable" && unreachable.from.equals(here));
  });
});

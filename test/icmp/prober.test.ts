// The echo prober and ping sessions against an in-memory peer: matching, statistics, loss, duplicates,
// stray replies. The same code meets the real kernel in test/icmp/ping-e2e.test.ts.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import fc from "fast-check";
import { scaled } from "../helpers/property";
import { Prober, ProbeEvent } from "../../src/icmp/prober";
import { runPing } from "../../src/icmp/session";
import { FramePort, memoryPortPair } from "../../src/link/port";
import { checksumVerifies, decodeFrame, decodeIcmp, encodeFrame, ETHERTYPE_IPV4, ICMP_ECHO_REQUEST, ipv4Header, Ipv4, IP_PROTOCOL_ICMP, Mac } from "../../src/packets";

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

  it("sends each request as encodeFrame would make it, for any sequence, size, TTL, next hop and MAC of ours", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 16, max: 1472 }),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff_ffff }), fc.boolean()), { minLength: 1, maxLength: 4 }),
        async (payloadSize, ttl, sends) => {
          let mac = ours;
          const sent: Uint8Array[] = [];
          const port: FramePort = { name: "fake", get mac() { return mac; }, send: (frame) => void sent.push(frame.slice()), listen: () => () => undefined };
          let hop = theirs;
          const p = new Prober(port, { sourceIp: here, nextHop: async () => hop, knownNextHop: () => hop, payloadSize, ttl, identifier: 0x1234 });
          try {
            for (const [target, hopValue, macValue, skipSequence] of sends) {
              hop = new Mac(hopValue);
              mac = new Mac(macValue);
              const to = new Ipv4(target);
              if (skipSequence) await p.send(to, 1000); // another sequence number for the next one
              const seq = await p.send(to, 1000);
              const request = decodeFrame(sent[sent.length - 1].slice());
              const expected = encodeFrame({
                ethernet: { destination: hop, source: mac, etherType: ETHERTYPE_IPV4 },
                ipv4: ipv4Header(here, to, IP_PROTOCOL_ICMP, { ttl, identification: seq }),
                icmp: { type: ICMP_ECHO_REQUEST, code: 0, identifier: 0x1234, sequence: seq },
                payload: request.payload.slice(), // the stamp in it is the prober's own
              });
              assert.deepEqual(Buffer.from(sent[sent.length - 1]).toString("hex"), Buffer.from(expected).toString("hex"));
            }
          } finally {
            p.close();
          }
        },
      ),
      { numRuns: scaled(200, 200) },
    );
  });

  it("with sendIcmp, hands it each request's ICMP message (the frame's, after the IPv4 header) and puts nothing on the port", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 16, max: 1472 }), fc.integer({ min: 1, max: 5 }), async (payloadSize, requests) => {
        const onPort: Uint8Array[] = [];
        const port: FramePort = { name: "lo", mac: Mac.ZERO, send: (frame) => void onPort.push(frame), listen: () => () => undefined };
        const handed: Array<[string, Uint8Array]> = [];
        const p = new Prober(port, { sourceIp: here, nextHop: async () => Mac.ZERO, payloadSize, identifier: 0x4321, sendIcmp: (message, target) => void handed.push([target.toString(), message.slice()]) });
        try {
          for (let i = 0; i < requests; i++) await p.send(there, 1000);
        } finally {
          p.close();
        }
        assert.equal(onPort.length, 0);
        assert.deepEqual(handed.map(([to]) => to), Array(requests).fill("192.0.2.18"));
        for (const [i, [, message]] of handed.entries()) {
          assert.equal(message.length, 8 + payloadSize);
          assert.ok(checksumVerifies(message), "the ICMP checksum is written");
          const icmp = decodeIcmp(message);
          assert.deepEqual([icmp.type, icmp.code, icmp.identifier, icmp.sequence], [ICMP_ECHO_REQUEST, 0, 0x4321, i + 1]);
        }
      }),
      { numRuns: scaled(50, 50) },
    );
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

  it("runs one session over several probers, each target sent and counted on its own port", async () => {
    const [a1, b1] = memoryPortPair(ours, theirs);
    const [a2, b2] = memoryPortPair(ours, theirs);
    const seen = { first: 0, second: 0 };
    b1.listen(() => seen.first++);
    b2.listen(() => seen.second++);
    echoPeer(b1, () => 1);
    echoPeer(b2, () => 0); // the second path loses everything
    const other = Ipv4.parse("198.51.100.7");
    const p1 = prober(a1);
    const p2 = new Prober(a2, { sourceIp: Ipv4.parse("203.0.113.1"), nextHop: async () => theirs });
    const summaries = await runPing((t) => (t.equals(there) ? p1 : p2), [there, other], { count: 3, intervalMs: 2, timeoutMs: 50 }, () => {});
    p1.close();
    p2.close();
    assert.deepEqual(summaries.map((s) => [s.target.toString(), s.sent, s.received]), [["192.0.2.18", 3, 3], ["198.51.100.7", 3, 0]]);
    assert.deepEqual(seen, { first: 3, second: 3 });
  });

  it("on a loopback-like port, where our own request is heard before the reply, counts only the reply", async () => {
    // lo as libpcap shows it: all-zero MACs, and every frame sent is heard once by the sender too
    const listeners = new Set<(f: { bytes: Uint8Array; timeMicros: number; stamp: "kernel" }) => void>();
    const hear = (bytes: Uint8Array) => {
      const timeMicros = Date.now() * 1000;
      for (const l of listeners) l({ bytes, timeMicros, stamp: "kernel" });
    };
    const lo: FramePort = {
      name: "lo",
      mac: Mac.ZERO,
      send(frame) {
        const copy = frame.slice();
        queueMicrotask(() => {
          hear(copy); // our request, as the capture sees it on lo
          const request = decodeFrame(copy);
          if (request.icmp?.type !== ICMP_ECHO_REQUEST || request.ipv4 === undefined) return;
          hear(
            encodeFrame({
              ethernet: { destination: Mac.ZERO, source: Mac.ZERO, etherType: ETHERTYPE_IPV4 },
              ipv4: ipv4Header(request.ipv4.destination, request.ipv4.source, IP_PROTOCOL_ICMP, { ttl: 64 }),
              icmp: { type: 0, code: 0, identifier: request.icmp.identifier, sequence: request.icmp.sequence },
              payload: request.payload.slice(),
            }),
          );
        });
      },
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const loopback = Ipv4.parse("127.0.0.1");
    const p = new Prober(lo, { sourceIp: loopback, nextHop: async () => Mac.ZERO });
    const events: ProbeEvent[] = [];
    const [summary] = await runPing(p, [loopback], { count: 3, intervalMs: 2, timeoutMs: 200 }, (e) => events.push(e));
    p.close();
    assert.deepEqual([summary.sent, summary.received, summary.duplicates], [3, 3, 0]);
    assert.deepEqual(events.filter((e) => e.type === "reply").map((e) => e.type === "reply" && e.stamp), ["kernel", "kernel", "kernel"]);
  });

  it("leaves no abort listener behind per round (no MaxListenersExceededWarning on long runs)", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    echoPeer(b, () => 1);
    const p = prober(a);
    const stop = new AbortController();
    const [summary] = await runPing(p, [there], { count: 15, intervalMs: 1, timeoutMs: 200, signal: stop.signal }, () => {});
    p.close();
    assert.equal(summary.received, 15);
    assert.ok(getEventListeners(stop.signal, "abort").length <= 1, `${getEventListeners(stop.signal, "abort").length} abort listeners left`);
  });
});

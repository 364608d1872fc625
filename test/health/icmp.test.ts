// The ICMP echo check over an in-memory link with a fake peer: a reply passes with the prober's RTT;
// silence is a timeout; a router's destination-unreachable and time-exceeded, and a next hop that
// does not resolve, fail with who said so; checks sharing a prober each get their own verdict; a
// next hop that never resolves and an abort end the run in time; the prober is left without listeners.
import assert from "node:assert/strict";
import { IcmpCheck } from "../../src/health";
import { ProbeEvent, Prober } from "../../src/icmp/prober";
import { FramePort, memoryPortPair } from "../../src/link/port";
import {
  decodeFrame,
  encodeFrame,
  ETHERTYPE_IPV4,
  ICMP_DESTINATION_UNREACHABLE,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_TIME_EXCEEDED,
  ipv4Header,
  Ipv4,
  IP_PROTOCOL_ICMP,
  Mac,
} from "../../src/packets";
import { millisSince } from "./servers";
import { icmpv6Frame } from "../helpers/frames";
import { Prober6 } from "../../src/icmp/prober6";
import { ETHERNET_HEADER_LENGTH } from "../../src/packets/ethernet";
import { decodeIcmpv6, ICMPV6_DESTINATION_UNREACHABLE, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST } from "../../src/packets/icmpv6";
import { decodeIpv6, IPV6_HEADER_LENGTH, Ipv6Address } from "../../src/packets/ipv6";

const ours = Mac.parse("02:00:00:00:00:01");
const theirs = Mac.parse("02:00:00:00:00:02");
const here = Ipv4.parse("192.0.2.17");
const peer = Ipv4.parse("192.0.2.18");
const silentHost = Ipv4.parse("192.0.2.19");
const farHost = Ipv4.parse("198.51.100.7");
const loopingHost = Ipv4.parse("198.51.100.8");
const router = Ipv4.parse("192.0.2.1");

const ETHERNET_HEADER = 14;
/** an ICMP error quotes the offending IPv4 header and the first 8 bytes after it */
const QUOTED_BYTES = 20 + 8;

/** which of its echo requests `peer` answers, by sequence number */
let peerAnswers: (seq: number) => boolean = () => true;

/**
 * The far side of the link: `peer` answers echo requests (those `peerAnswers` picks), requests for `farHost` draw a host
 * unreachable and those for `loopingHost` a time exceeded from `router`; anything else is dropped.
 */
function fakeNetwork(port: FramePort): void {
  port.listen((frame) => {
    const bytes = frame.bytes.slice();
    const request = decodeFrame(bytes);
    if (request.icmp?.type !== ICMP_ECHO_REQUEST || request.ipv4 === undefined) return;
    const ethernet = { destination: request.ethernet.source, source: port.mac, etherType: ETHERTYPE_IPV4 };
    const target = request.ipv4.destination;
    if (target.equals(peer)) {
      if (!peerAnswers(request.icmp.sequence ?? 0)) return;
      port.send(
        encodeFrame({
          ethernet,
          ipv4: ipv4Header(target, request.ipv4.source, IP_PROTOCOL_ICMP, { ttl: 61 }),
          icmp: { type: ICMP_ECHO_REPLY, code: 0, identifier: request.icmp.identifier, sequence: request.icmp.sequence },
          payload: request.payload.slice(),
        }),
      );
    } else if (target.equals(farHost) || target.equals(loopingHost)) {
      const type = target.equals(farHost) ? ICMP_DESTINATION_UNREACHABLE : ICMP_TIME_EXCEEDED;
      const code = target.equals(farHost) ? 1 : 0;
      port.send(
        encodeFrame({
          ethernet,
          ipv4: ipv4Header(router, request.ipv4.source, IP_PROTOCOL_ICMP),
          icmp: { type, code, restOfHeader: 0 },
          payload: bytes.slice(ETHERNET_HEADER, ETHERNET_HEADER + QUOTED_BYTES),
        }),
      );
    }
  });
}

describe("ICMP echo check (in memory)", () => {
  let prober: Prober;
  const events: ProbeEvent[] = [];

  beforeEach(() => {
    const [a, b] = memoryPortPair(ours, theirs);
    fakeNetwork(b);
    peerAnswers = () => true;
    prober = new Prober(a, { sourceIp: here, nextHop: async () => theirs });
    events.length = 0;
    prober.on("event", (event) => events.push(event));
  });

  afterEach(() => prober.close());

  /** listeners on the prober besides this test's own recorder */
  function checkListeners(): number {
    return prober.listenerCount("event") - 1;
  }

  it("passes on an echo reply, with the prober's RTT", async () => {
    const result = await new IcmpCheck("ping", prober, peer, 200).run();
    assert.equal(result.ok, true, result.detail);
    const replies = events.filter((event) => event.type === "reply");
    assert.equal(replies.length, 1);
    assert.ok(replies[0].type === "reply");
    assert.equal(result.rttMicros, replies[0].rttMicros);
    assert.ok(result.rttMicros >= 0 && result.rttMicros < 200_000);
    assert.match(result.detail, /^echo reply in [0-9.]+ms, ttl 61$/);
    assert.equal(checkListeners(), 0);
  });

  it("fails with 'no echo reply within …' when nothing answers, within bounds", async () => {
    const start = process.hrtime.bigint();
    const result = await new IcmpCheck("ping", prober, silentHost, 60).run();
    const took = millisSince(start);
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "no echo reply within 60ms" });
    assert.ok(took >= 55 && took < 400, `took ${took}ms`);
    assert.ok(result.rttMicros >= 55_000, `rttMicros ${result.rttMicros}`);
    assert.equal(checkListeners(), 0);
  });

  it("fails naming the router that says the host is unreachable, or that the TTL ran out", async () => {
    const unreachable = await new IcmpCheck("ping", prober, farHost, 500).run();
    assert.deepEqual({ ok: unreachable.ok, detail: unreachable.detail }, { ok: false, detail: "host unreachable (from 192.0.2.1)" });
    const looping = await new IcmpCheck("ping", prober, loopingHost, 500).run();
    assert.deepEqual({ ok: looping.ok, detail: looping.detail }, { ok: false, detail: "TTL exceeded in transit (from 192.0.2.1)" });
  });

  it("fails as unreachable from our own address when the next hop does not resolve", async () => {
    const [a] = memoryPortPair(ours, theirs);
    const noArp = new Prober(a, {
      sourceIp: here,
      nextHop: () => {
        throw new Error("no ARP reply");
      },
    });
    const result = await new IcmpCheck("ping", noArp, peer, 500).run();
    noArp.close();
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "host unreachable (from 192.0.2.17)" });
  });

  it("gives each of several checks on one prober its own verdict, also for the same target", async () => {
    const runs = [
      new IcmpCheck("peer-a", prober, peer, 150),
      new IcmpCheck("silent", prober, silentHost, 150),
      new IcmpCheck("peer-b", prober, peer, 150),
      new IcmpCheck("far", prober, farHost, 150),
      new IcmpCheck("peer-c", prober, peer, 150),
    ].map((check) => check.run());
    assert.equal(checkListeners(), 1, "one listener for all the checks on a prober");
    const results = await Promise.all(runs);
    assert.deepEqual(
      results.map((result) => result.ok),
      [true, false, true, false, true],
    );
    assert.equal(results[1].detail, "no echo reply within 150ms");
    assert.equal(results[3].detail, "host unreachable (from 192.0.2.1)");
    const replyRtts = events.flatMap((event) => (event.type === "reply" ? [event.rttMicros] : []));
    assert.deepEqual([results[0], results[2], results[4]].map((result) => result.rttMicros).sort(), [...replyRtts].sort());
    assert.equal(checkListeners(), 0);
  });

  it("takes only the verdict on its own request: of two runs to one target, only the answered one passes", async () => {
    peerAnswers = (seq) => seq % 2 === 0;
    const [first, second] = await Promise.all([new IcmpCheck("first", prober, peer, 100).run(), new IcmpCheck("second", prober, peer, 100).run()]);
    assert.deepEqual({ ok: first.ok, detail: first.detail }, { ok: false, detail: "no echo reply within 100ms" });
    assert.equal(second.ok, true, second.detail);
    assert.deepEqual(
      events.filter((event) => event.type === "reply" || event.type === "timeout").map((event) => `${event.type} ${event.seq}`),
      ["reply 2", "timeout 1"],
    );
  });

  it("gives up on its own when the next hop never resolves", async () => {
    const [a] = memoryPortPair(ours, theirs);
    const stuck = new Prober(a, { sourceIp: here, nextHop: () => new Promise<Mac>(() => {}) });
    const start = process.hrtime.bigint();
    const result = await new IcmpCheck("ping", stuck, peer, 50).run();
    const took = millisSince(start);
    stuck.close();
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "no echo reply within 50ms (next hop not resolved)" });
    assert.ok(took >= 50 && took < 400, `took ${took}ms`);
    assert.equal(stuck.listenerCount("event"), 0);
  });

  it("ends at once when aborted, before or during the wait", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const start = process.hrtime.bigint();
    const result = await new IcmpCheck("ping", prober, silentHost, 5000).run(controller.signal);
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "aborted" });
    assert.ok(millisSince(start) < 1000);
    assert.equal(checkListeners(), 0);
    assert.deepEqual(await new IcmpCheck("ping", prober, peer, 100).run(AbortSignal.abort()), { ok: false, rttMicros: 0, detail: "aborted" });
  });
});

describe("ICMP echo check of an IPv6 target (in memory, through a Prober6)", () => {
  const here6 = Ipv6Address.parse("2001:db8:1::17");
  const peer6 = Ipv6Address.parse("2001:db8:1::18");
  const far6 = Ipv6Address.parse("2001:db8:2::7");
  const router6 = Ipv6Address.parse("2001:db8:1::1");
  let prober6: Prober6;


  beforeEach(() => {
    const [a, b] = memoryPortPair(ours, theirs);
    // the peer answers; for far6 the router says the address is unreachable (ICMPv6 code 3)
    b.listen((frame) => {
      const bytes = frame.bytes.slice();
      const ip = decodeIpv6(bytes, ETHERNET_HEADER_LENGTH);
      const icmp = decodeIcmpv6(bytes, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + ip.payloadLength);
      if (icmp.type !== ICMPV6_ECHO_REQUEST || icmp.body.kind !== "echo") return;
      if (ip.destination.equals(peer6)) {
        b.send(icmpv6Frame(theirs, ours, peer6, ip.source, { type: ICMPV6_ECHO_REPLY, code: 0, checksum: 0, body: { ...icmp.body, data: icmp.body.data.slice() } }, 63));
      } else if (ip.destination.equals(far6)) {
        const quoted = bytes.slice(ETHERNET_HEADER_LENGTH, ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + 8);
        b.send(icmpv6Frame(theirs, ours, router6, ip.source, { type: ICMPV6_DESTINATION_UNREACHABLE, code: 3, checksum: 0, body: { kind: "error", parameter: 0, invoking: quoted } }, 63));
      }
    });
    prober6 = new Prober6(a, { sourceIp: here6, nextHop: async () => theirs });
  });

  afterEach(() => prober6.close());

  it("passes on an ICMPv6 echo reply, naming the hop limit", async () => {
    const result = await new IcmpCheck("ping6", prober6, peer6, 200).run();
    assert.equal(result.ok, true, result.detail);
    assert.match(result.detail, /^echo reply in [0-9.]+ms, hop limit 63$/);
  });

  it("fails with the ICMPv6 reason (address unreachable, code 3) and who said it", async () => {
    const result = await new IcmpCheck("ping6", prober6, far6, 500).run();
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "address unreachable (from 2001:db8:1::1)" });
  });

  it("times out on silence", async () => {
    const result = await new IcmpCheck("ping6", prober6, Ipv6Address.parse("2001:db8:1::19"), 40).run();
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "no echo reply within 40ms" });
  });
});

// The views of the old codecs (EthernetPacket, ArpPacket, Ipv4Packet, IcmpPacket): on valid frames
// cut, mutated and cut short by an enclosing length, and on the fuzzer's buffers, each view's check()
// refuses exactly what the decoders refused before the views took them over (legacy-decoders.ts, the
// code as it was) with the same error, field for field; after a clean check its parse function gives
// the record those decoders gave and its getters the record's fields; and decodeX is that view.
import { strict as assert } from "assert";
import fc from "fast-check";
import * as packets from "../../src/packets";
import {
  ArpPacket,
  DecodeError,
  decodeArp,
  decodeEthernet,
  decodeIcmp,
  decodeIpv4,
  decodeIpv4Header,
  encodeFrame,
  EthernetPacket,
  IcmpPacket,
  Ipv4Packet,
  parseArp,
  parseEthernet,
  parseIcmp,
  parseIpv4,
} from "../../src/packets";
import { Reach, scaled } from "../helpers/property";
import { ethernet, frame, fuzzBuffer, ipv4Header } from "./arbitraries";
import { legacy } from "./legacy-decoders";

type Outcome = "accepted" | "captured" | "header" | "content";

/** What a legacy decoder did: its record, or the DecodeError it threw (anything else is rethrown). */
function run<T>(decode: () => T): T | DecodeError {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

/** A DecodeError's every field, for deepEqual (an Error's own enumerable keys leave some out). */
function fields(error: DecodeError): object {
  const { layer, field, offset, needed, available, reason, lengthSource, message, truncated } = error;
  return { layer, field, offset, needed, available, reason, lengthSource, message, truncated };
}

/**
 * Asserts the view's check() and the legacy decoder agree on accept or refuse and on the error, and,
 * accepted, that parse gives the legacy record and decode (check + parse) does too. Returns which.
 */
function agree<T>(check: DecodeError | undefined, before: T | DecodeError, parse: () => T, decode: () => T | DecodeError): Outcome {
  const now = run(decode);
  if (before instanceof DecodeError) {
    assert.ok(check !== undefined, `the view accepted what the decoder refused: ${before.message}`);
    assert.deepEqual(fields(check), fields(before));
    assert.ok(now instanceof DecodeError, "decodeX refuses it too");
    assert.deepEqual(fields(now), fields(before));
    return before.truncated ? before.lengthSource : "content";
  }
  assert.equal(check?.message, undefined, "the view refused what the decoder accepted");
  assert.deepEqual(parse(), before);
  assert.deepEqual(now, before);
  return "accepted";
}

const u16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];

/** A valid frame cut at any length, with up to three bytes of its first 80 changed. */
const mutatedFrame = fc
  .record({
    fields: frame,
    cut: fc.option(fc.nat(), { nil: undefined }),
    changes: fc.array(fc.record({ at: fc.nat({ max: 79 }), value: fc.nat({ max: 255 }) }), { maxLength: 3 }),
  })
  .map(({ fields: f, cut, changes }) => {
    const whole = encodeFrame(f);
    const bytes = cut === undefined ? whole.slice() : whole.slice(0, cut % (whole.length + 1));
    for (const { at, value } of changes) if (at < bytes.length) bytes[at] = value;
    return bytes;
  });

/** An ICMP error (unreachable, time exceeded, parameter problem) quoting an IPv4 header and 8 bytes, cut at any length. */
const icmpErrorFrame = fc
  .record({
    ethernet: ethernet(fc.constant(0x0800)),
    ipv4: ipv4Header(fc.constant(1)),
    type: fc.constantFrom(3, 11, 12),
    code: fc.nat({ max: 15 }),
    quoted: ipv4Header(fc.nat({ max: 255 }), "any"),
    after: fc.uint8Array({ minLength: 0, maxLength: 8 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ ethernet: e, ipv4: ip, type, code, quoted, after, cut }) => {
    const header = new Uint8Array(encodeIpv4Header(quoted, after.length));
    const payload = new Uint8Array(header.length + after.length);
    payload.set(header);
    payload.set(after, header.length);
    const whole = encodeFrame({ ethernet: e, ipv4: ip, icmp: { type, code, restOfHeader: 0 }, payload });
    return cut === undefined ? whole : whole.slice(0, cut % (whole.length + 1));
  });

function encodeIpv4Header(fields: packets.Ipv4Fields, payloadLength: number): Uint8Array {
  const into = new Uint8Array(60);
  return into.subarray(0, packets.encodeIpv4(fields, payloadLength, into));
}

/** Where an enclosing header ends a layer: the bytes' end, or somewhere before it (a lying length). */
const limitShare = fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) });

describe("packets/views (Ethernet, ARP, IPv4, ICMP)", () => {
  it("property: each view's check() refuses what the decoders refused before it, with the same error; parse and decodeX give their records", () => {
    const runs = scaled(6000);
    // minimums: under half of what runs of 6000 reached (REACH=1 prints the counts), as shares of the runs
    const share = (n: number) => Math.ceil((n * runs) / 6000);
    const reach = new Reach("old-codec views agree with the old decoders", {
      ethernetAccepted: share(300),
      ethernetCaptured: share(50),
      ethernetTagCut: share(10),
      arpAccepted: share(100),
      arpUnsupported: share(20),
      arpCaptured: share(30),
      arpHeader: share(30),
      ipv4Accepted: share(300),
      ipv4Captured: share(50),
      ipv4Header: share(50),
      ipv4Version: share(30),
      ipv4Ihl: share(10),
      ipv4Options: share(10),
      ipv4TotalUnder: share(10),
      quotedHeaderRefused: share(10),
      icmpAccepted: share(200),
      icmpQuoted: share(20),
      icmpCaptured: share(50),
      icmpHeader: share(8),
    });
    const ethernetView = new EthernetPacket();
    const arpView = new ArpPacket();
    const ipv4View = new Ipv4Packet();
    const icmpView = new IcmpPacket();
    fc.assert(
      fc.property(fc.oneof(mutatedFrame, fuzzBuffer, icmpErrorFrame), limitShare, fc.boolean(), (bytes, share, whole) => {
        reach.run();
        const length = bytes.length;
        const ethernet = agree(ethernetView.reset(bytes, 0).check(), run(() => legacy.decodeEthernet(bytes)), () => parseEthernet(ethernetView), () => decodeEthernet(bytes));
        reach.hit("ethernetAccepted", ethernet === "accepted");
        reach.hit("ethernetCaptured", ethernet === "captured");
        reach.hit("ethernetTagCut", ethernet === "captured" && length >= 14 && length < 18);
        if (ethernet !== "accepted") return;
        const record = decodeEthernet(bytes);
        assert.equal(ethernetView.destination, record.destination.value);
        assert.equal(ethernetView.source, record.source.value);
        assert.equal(ethernetView.etherType, record.etherType);
        assert.equal(ethernetView.tagged, record.vlan !== undefined);
        assert.deepEqual(
          ethernetView.tagged ? { id: ethernetView.vlanId, priority: ethernetView.vlanPriority, dropEligible: ethernetView.vlanDropEligible } : undefined,
          record.vlan,
        );
        const at = ethernetView.payloadOffset;
        // an enclosing limit before the end of the bytes makes "header" length errors
        const end = at + Math.floor(share * (length - at));

        const arp = agree(arpView.reset(bytes, at, end).check(), run(() => legacy.decodeArp(bytes, at, end)), () => parseArp(arpView), () => decodeArp(bytes, at, end));
        reach.hit("arpAccepted", arp === "accepted" && record.etherType === 0x0806);
        reach.hit("arpCaptured", arp === "captured" && record.etherType === 0x0806);
        reach.hit("arpHeader", arp === "header" && record.etherType === 0x0806);
        if (arp === "accepted") {
          const body = decodeArp(bytes, at, end);
          assert.equal(arpView.supported, body.supported);
          reach.hit("arpUnsupported", !body.supported && record.etherType === 0x0806);
          assert.deepEqual([arpView.hardwareType, arpView.protocolType, arpView.hardwareLength, arpView.protocolLength, arpView.operation], [body.hardwareType, body.protocolType, body.hardwareLength, body.protocolLength, body.operation]);
          assert.equal(arpView.payloadOffset, at + 8 + 2 * body.hardwareLength + 2 * body.protocolLength);
          if (body.supported) {
            assert.deepEqual([arpView.senderMac, arpView.senderIp, arpView.targetMac, arpView.targetIp], [body.senderMac.value, body.senderIp.value, body.targetMac.value, body.targetIp.value]);
          }
        }

        const headerOnly = agree(ipv4View.reset(bytes, at, end).checkHeader(), run(() => legacy.decodeIpv4Header(bytes, at, end, false)!), () => parseIpv4(ipv4View), () => decodeIpv4Header(bytes, at, end, false)!);
        assert.deepEqual(decodeIpv4Header(bytes, at, end, true), legacy.decodeIpv4Header(bytes, at, end, true), "lenient: the record or undefined alike");
        reach.hit("quotedHeaderRefused", headerOnly !== "accepted" && record.etherType === 0x0800);
        if (headerOnly === "accepted") {
          // ICMP after a header whose datagram was cut by the capture, as a sniffer reads it
          const cutAt = ipv4View.reset(bytes, at, end).payloadOffset;
          const cut = agree(icmpView.reset(bytes, cutAt, length).check(), run(() => legacy.decodeIcmp(bytes, cutAt, length)), () => parseIcmp(icmpView), () => decodeIcmp(bytes, cutAt, length));
          reach.hit("icmpCaptured", cut === "captured");
        }
        const ipv4 = agree(ipv4View.reset(bytes, at, end).check(), run(() => legacy.decodeIpv4(bytes, at, end)), () => parseIpv4(ipv4View), () => decodeIpv4(bytes, at, end));
        const isIpv4 = record.etherType === 0x0800;
        const refusal = ipv4 === "accepted" ? undefined : (run(() => decodeIpv4(bytes, at, end)) as DecodeError);
        reach.hit("ipv4Accepted", ipv4 === "accepted" && isIpv4);
        reach.hit("ipv4Captured", ipv4 === "captured" && isIpv4);
        reach.hit("ipv4Header", ipv4 === "header" && isIpv4);
        reach.hit("ipv4Version", refusal?.field === "version" && ipv4 === "content");
        reach.hit("ipv4Ihl", refusal?.field === "headerLength");
        reach.hit("ipv4Options", refusal?.field === "options");
        reach.hit("ipv4TotalUnder", refusal?.field === "totalLength" && ipv4 === "content");
        if (ipv4 !== "accepted") return;
        const datagram = decodeIpv4(bytes, at, end);
        assert.deepEqual(
          [ipv4View.version, ipv4View.headerLength, ipv4View.dscp, ipv4View.ecn, ipv4View.totalLength, ipv4View.identification, ipv4View.reservedFlag, ipv4View.dontFragment, ipv4View.moreFragments, ipv4View.fragmentOffset, ipv4View.ttl, ipv4View.protocol, ipv4View.checksum, ipv4View.checksumValid, ipv4View.source, ipv4View.destination],
          [datagram.version, datagram.headerLength, datagram.dscp, datagram.ecn, datagram.totalLength, datagram.identification, datagram.reservedFlag, datagram.dontFragment, datagram.moreFragments, datagram.fragmentOffset, datagram.ttl, datagram.protocol, datagram.checksum, datagram.checksumValid, datagram.source.value, datagram.destination.value],
        );
        assert.deepEqual(bytes.subarray(ipv4View.optionsOffset, ipv4View.payloadOffset), datagram.options);
        assert.equal(ipv4View.payloadEnd, at + datagram.totalLength);

        // ICMP in the datagram, whatever its protocol: the view sees bytes, not the protocol field
        const icmpAt = ipv4View.payloadOffset;
        const icmpEnd = ipv4View.payloadEnd;
        const icmp = agree(icmpView.reset(bytes, icmpAt, icmpEnd).check(), run(() => legacy.decodeIcmp(bytes, icmpAt, icmpEnd, whole)), () => parseIcmp(icmpView, whole), () => decodeIcmp(bytes, icmpAt, icmpEnd, whole));
        const isIcmp = datagram.protocol === 1;
        reach.hit("icmpAccepted", icmp === "accepted" && isIcmp);
        reach.hit("icmpCaptured", icmp === "captured");
        reach.hit("icmpHeader", icmp === "header");
        if (icmp !== "accepted") return;
        const message = decodeIcmp(bytes, icmpAt, icmpEnd, whole);
        reach.hit("icmpQuoted", message.quoted !== undefined);
        assert.deepEqual([icmpView.type, icmpView.code, icmpView.checksum], [message.type, message.code, message.checksum]);
        if (message.identifier !== undefined) assert.deepEqual([icmpView.identifier, icmpView.sequence], [message.identifier, message.sequence]);
        else assert.equal(icmpView.restOfHeader, message.restOfHeader);
        if (whole) assert.equal(icmpView.checksumValid, message.checksumValid);
        assert.equal(u16(bytes, icmpAt + 2), icmpView.checksum);
      }),
      { numRuns: runs },
    );
    reach.check();
  });

  it("an `end` past the bytes is the bytes' end: a cut header is a length error from the captured bytes, never a read past them", () => {
    const bytes = encodeFrame({ ethernet: packets.ethernetHeader(packets.Mac.BROADCAST, packets.Mac.ZERO, 0x0800) }).subarray(0, 10);
    assert.equal(new EthernetPacket(bytes, 0, 100).check()?.available, 10);
    const ip = Uint8Array.of(0x45, 0, 0, 40, 0, 0, 0, 0, 64, 1, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2);
    assert.deepEqual(fields(new Ipv4Packet(ip, 0, 40).check()!), fields(new DecodeError("ipv4", "totalLength", 2, 40, 20)));
    assert.equal(new IcmpPacket(ip, 16, 40).check()?.lengthSource, "captured");
    assert.deepEqual(fields(new ArpPacket(ip.subarray(0, 6), 0, 40).check()!), fields(new DecodeError("arp", "operation", 6, 8, 6)));
  });

  it("the views are reusable: reset() aims one at other bytes and offsets, and it allocates nothing to do so", () => {
    const view = new Ipv4Packet();
    const a = Uint8Array.of(0, 0, 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2);
    assert.equal(view.reset(a, 2).check(), undefined);
    assert.equal(view.protocol, 17);
    assert.equal(view.source, 0xc0000201);
    assert.equal(view.reset(a, 0).check()?.field, "version");
    assert.equal(view.reset(a, 2, 21).check()?.lengthSource, "header");
  });

  it("the check-free record readers of before are gone from the package: a record comes from a checked view", () => {
    for (const name of ["readEthernet", "readArp", "readIpv4Header", "readIcmp"]) assert.equal(name in packets, false, name);
    for (const name of ["EthernetPacket", "ArpPacket", "Ipv4Packet", "IcmpPacket", "parseEthernet", "parseArp", "parseIpv4", "parseIcmp"]) assert.equal(name in packets, true, name);
  });
});

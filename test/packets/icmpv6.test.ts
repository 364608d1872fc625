// ICMPv6 codec: round trips of every message kind and NDP option with the checksum over the IPv6
// pseudo-header, every cut of a message ("captured"), every lying payloadLength or option length
// inside an IPv6 packet ("header"), and the bytes scapy writes for a neighbor solicitation.
import { strict as assert } from "assert";
import fc from "fast-check";
import {
  DecodeError,
  emitIcmpv6,
  emitIpv6,
  Icmpv6Packet,
  icmpv6BufferLength,
  icmpv6FixedLength,
  icmpv6HasOptions,
  Icmpv6Record,
  Ipv6Address,
  Ipv6Packet,
  ipv6BufferLength,
  Ipv6Record,
  ndpOptionLength,
  parseIcmpv6,
} from "../../src/packets";
import { Reach, scaled } from "../helpers/property";
import { icmpv6Record, ipv6Address } from "./ipv6-arbitraries";

/** IPv6 header (no extensions) + the message, checksummed. */
function packet(message: Icmpv6Record, source: Ipv6Address, destination: Ipv6Address): Uint8Array {
  const ip: Ipv6Record = { version: 6, trafficClass: 0, flowLabel: 0, payloadLength: 0, nextHeader: 58, hopLimit: 255, source, destination, extensions: [] };
  const length = icmpv6BufferLength(message);
  const bytes = new Uint8Array(40 + length);
  emitIpv6(ip, bytes, 0, {}, length);
  assert.equal(emitIcmpv6(message, bytes, 40, {}, { source, destination }), length);
  return bytes;
}

/** The offsets where each option of a message starts, and its end. */
function optionStarts(message: Icmpv6Record): number[] {
  const starts: number[] = [];
  let at = icmpv6FixedLength(message.type);
  if ("options" in message.body) for (const o of message.body.options) {
    starts.push(at);
    at += ndpOptionLength(o);
  }
  starts.push(at);
  return starts;
}

describe("packets/icmpv6", () => {
  it("emit then check and parse gives the record back with a checksum that verifies, for every message and option", () => {
    const reach = new Reach("icmpv6 round trip", {
      "echo request": 30, "echo reply": 30, "destination unreachable": 15, "packet too big": 15, "time exceeded": 15, "parameter problem": 15,
      "router solicitation": 30, "router advertisement": 30, "neighbor solicitation": 30, "neighbor advertisement": 30, redirect: 30,
      "MLD query": 10, "MLD report": 10, "MLD done": 10, "other type": 30,
      "source link-layer address": 50, "target link-layer address": 50, "prefix information": 50, "redirected header": 50, MTU: 50, RDNSS: 50, "unknown option": 50,
      "NDP without options": 30,
    });
    const names: Record<number, string> = {
      128: "echo request", 129: "echo reply", 1: "destination unreachable", 2: "packet too big", 3: "time exceeded", 4: "parameter problem",
      133: "router solicitation", 134: "router advertisement", 135: "neighbor solicitation", 136: "neighbor advertisement", 137: "redirect",
      130: "MLD query", 131: "MLD report", 132: "MLD done",
    };
    const optionNames: Record<number, string> = { 1: "source link-layer address", 2: "target link-layer address", 3: "prefix information", 4: "redirected header", 5: "MTU", 25: "RDNSS" };
    fc.assert(
      fc.property(icmpv6Record, ipv6Address, ipv6Address, (message, source, destination) => {
        reach.run();
        reach.hit((names[message.type] ?? "other type") as never);
        if ("options" in message.body) {
          reach.hit("NDP without options", message.body.options.length === 0);
          for (const o of message.body.options) reach.hit(("kind" in o ? "unknown option" : optionNames[o.type]) as never);
        }
        const bytes = packet(message, source, destination);
        const ip = new Ipv6Packet().reset(bytes);
        assert.equal(ip.check(), undefined);
        const view = new Icmpv6Packet().reset(bytes, ip.payloadOffset, ip.payloadEnd, "header");
        assert.equal(view.check(), undefined);
        assert.ok(view.checksumValid(ip.sourceOffset, ip.destinationOffset), "checksum verifies");
        const parsed = parseIcmpv6(view);
        assert.deepEqual({ ...parsed, checksum: 0 }, message);
        // a flipped bit anywhere in the message or the addresses breaks the checksum
        const at = 8 + ((parsed.checksum * 7) % (bytes.length - 8));
        bytes[at] ^= 0x10;
        assert.equal(view.checksumValid(ip.sourceOffset, ip.destinationOffset), false);
      }),
      { numRuns: scaled(4000) },
    );
    reach.check();
  });

  it("writes the record's checksum as it is without computeChecksums, and refuses to compute one without addresses", () => {
    fc.assert(
      fc.property(icmpv6Record, fc.integer({ min: 0, max: 0xffff }), (message, checksum) => {
        const bytes = new Uint8Array(icmpv6BufferLength(message));
        emitIcmpv6({ ...message, checksum }, bytes, 0, { computeChecksums: false });
        assert.equal((bytes[2] << 8) | bytes[3], checksum);
        assert.throws(() => emitIcmpv6(message, bytes, 0), /needs the IPv6 source and destination/);
      }),
      { numRuns: scaled(200) },
    );
  });

  it("gives a length error with source 'captured' for every cut inside the fixed part or an option, and a valid message at every option boundary", () => {
    const reach = new Reach("icmpv6 cuts", { "cut in the fixed part": 200, "cut in an option": 200, "cut at an option boundary": 50 });
    fc.assert(
      fc.property(icmpv6Record, ipv6Address, ipv6Address, (message, source, destination) => {
        const whole = packet(message, source, destination).subarray(40);
        const fixed = icmpv6FixedLength(message.type);
        const starts = optionStarts(message);
        for (let cut = 0; cut < whole.length; cut++) {
          const error = new Icmpv6Packet().reset(whole.subarray(0, cut)).check();
          const inFixed = cut < fixed;
          const atBoundary = !inFixed && (!icmpv6HasOptions(message.type) || starts.includes(cut));
          reach.hit("cut in the fixed part", inFixed);
          reach.hit("cut in an option", !inFixed && !atBoundary);
          reach.hit("cut at an option boundary", !inFixed && atBoundary && icmpv6HasOptions(message.type));
          if (atBoundary) {
            assert.equal(error, undefined, `cut at ${cut}: data or whole options remain`);
            continue;
          }
          assert.ok(error instanceof DecodeError && error.truncated, `cut at ${cut}: ${error}`);
          assert.equal(error.layer, "icmpv6");
          assert.equal(error.lengthSource, "captured");
          assert.equal(error.available, cut);
        }
      }),
      { numRuns: scaled(1000) },
    );
    reach.check();
  });

  it("inside an IPv6 packet, gives 'header' when payloadLength ends inside the message's fixed part or an option", () => {
    let tried = 0;
    fc.assert(
      fc.property(icmpv6Record, ipv6Address, ipv6Address, (message, source, destination) => {
        const bytes = packet(message, source, destination);
        const fixed = icmpv6FixedLength(message.type);
        const starts = optionStarts(message);
        for (let lie = 0; lie < bytes.length - 40; lie++) {
          const valid = lie >= fixed && (!icmpv6HasOptions(message.type) || starts.includes(lie));
          if (valid) continue;
          tried++;
          bytes[4] = lie >>> 8;
          bytes[5] = lie & 0xff;
          const ip = new Ipv6Packet().reset(bytes);
          assert.equal(ip.check(), undefined, "the IPv6 layer is fine: its payload is shorter");
          const error = new Icmpv6Packet().reset(bytes, ip.payloadOffset, ip.payloadEnd, "header").check();
          assert.ok(error instanceof DecodeError && error.truncated, `payloadLength ${lie}: ${error}`);
          assert.equal(error.lengthSource, "header");
        }
      }),
      { numRuns: scaled(500) },
    );
    assert.ok(tried > 2000, `only ${tried} lying lengths tried`);
  });

  it("gives 'header' when an option's length runs past the message, and a content error for length 0", () => {
    const source = Ipv6Address.parse("fe80::1");
    const destination = Ipv6Address.parse("ff02::1:ff00:2");
    const ns: Icmpv6Record = {
      type: 135, code: 0, checksum: 0,
      body: { kind: "neighborSolicitation", reserved: 0, target: Ipv6Address.parse("2001:db8::2"), options: [{ type: 1, address: Uint8Array.of(2, 0, 0x5e, 0, 0x53, 1) }] },
    };
    const bytes = packet(ns, source, destination);
    const option = 40 + 24;
    bytes[option + 1] = 2; // 16 bytes, 8 there
    const ip = new Ipv6Packet().reset(bytes);
    assert.equal(ip.check(), undefined);
    const error = new Icmpv6Packet().reset(bytes, ip.payloadOffset, ip.payloadEnd, "header").check();
    assert.ok(error instanceof DecodeError && error.truncated);
    assert.equal(error.field, "option.length");
    assert.equal(error.offset, option + 1);
    assert.equal(error.lengthSource, "header");
    bytes[option + 1] = 0;
    const zero = new Icmpv6Packet().reset(bytes, ip.payloadOffset, ip.payloadEnd, "header").check();
    assert.ok(zero instanceof DecodeError && !zero.truncated);
    assert.match(zero.message, /length 0/);
  });

  it("writes a neighbor solicitation byte for byte as scapy 2.5 does, checksum included", () => {
    // fe80::200:5eff:fe00:5301 asks ff02::1:ff00:5302 who has fe80::200:5eff:fe00:5302; the bytes
    // are scapy's raw(IPv6(...)/ICMPv6ND_NS(...)/ICMPv6NDOptSrcLLAddr(...)) (checksum 0x1295)
    const hex =
      "6000000000203aff fe800000000000000200 5eff fe005301 ff020000000000000000 0001ff005302" +
      "8700 1295 00000000 fe800000000000000200 5eff fe005302 0101 02005e005301";
    const bytes = Uint8Array.from(hex.replace(/\s+/g, "").match(/../g)!.map((h) => parseInt(h, 16)));
    const ip = new Ipv6Packet().reset(bytes);
    assert.equal(ip.check(), undefined);
    const view = new Icmpv6Packet().reset(bytes, ip.payloadOffset, ip.payloadEnd, "header");
    assert.equal(view.check(), undefined);
    const record = parseIcmpv6(view);
    assert.equal(record.body.kind, "neighborSolicitation");
    // the checksum we compute for the same message is the one in the frame
    const again = new Uint8Array(32);
    emitIcmpv6(record, again, 0, {}, { source: Ipv6Address.read(bytes, 8), destination: Ipv6Address.read(bytes, 24) });
    assert.deepEqual(again, bytes.subarray(40));
    assert.equal(view.checksumValid(ip.sourceOffset, ip.destinationOffset), true);
  });
});

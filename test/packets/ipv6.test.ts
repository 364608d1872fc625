// IPv6 codec: addresses (RFC 5952 text, parsing), the view and record round trip over random
// extension-header chains, and every truncation and every lying length reported with its source.
import { strict as assert } from "assert";
import fc from "fast-check";
import {
  decodeIpv6,
  DecodeError,
  emitIpv6,
  Ipv6Address,
  Ipv6Packet,
  ipv6BufferLength,
  ipv6Text,
  IPV6_HEADER_LENGTH,
  parseIpv6,
} from "../../src/packets";
import { Reach, scaled } from "../helpers/property";
import { ipv6Address, ipv6Record } from "./ipv6-arbitraries";

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.replace(/\s+/g, "").match(/../g)!.map((h) => parseInt(h, 16)));
}

describe("packets/ipv6: addresses", () => {
  const cases: [string, string][] = [
    ["20010db8000000000000000000000001", "2001:db8::1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"], // equal runs: the first
    ["20010db8000000000001000000000000", "2001:db8:0:0:1::"], // the longer run
    ["20010db8000100000001000100010001", "2001:db8:1:0:1:1:1:1"], // a single zero group stays
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["00000000000000000000ffffc0000207", "::ffff:192.0.2.7"],
    ["fe800000000000000200 5eff fe005301", "fe80::200:5eff:fe00:5301"],
    ["20010DB8AAAABBBBCCCCDDDDEEEEFFFF", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"],
  ];
  it("writes RFC 5952 text (lowercase, no leading zeros, the first longest zero run as ::, mapped IPv4 dotted)", () => {
    for (const [bytes, text] of cases) assert.equal(new Ipv6Address(hex(bytes)).toString(), text);
  });

  it("writes the IPv4-compatible form dotted only when asked (tcpdump's form)", () => {
    const b = hex("000000000000000000000000c0000209");
    assert.equal(ipv6Text(b, 0), "::c000:209");
    assert.equal(ipv6Text(b, 0, true), "::192.0.2.9");
  });

  it("parses what it writes, and the long forms, back to the same bytes", () => {
    fc.assert(
      fc.property(ipv6Address, (a) => {
        assert.ok(Ipv6Address.parse(a.toString()).equals(a));
        const long = Array.from({ length: 8 }, (_, i) => ((a.bytes[2 * i] << 8) | a.bytes[2 * i + 1]).toString(16).padStart(4, "0")).join(":");
        assert.ok(Ipv6Address.parse(long.toUpperCase()).equals(a));
      }),
      { numRuns: scaled(2000) },
    );
  });

  it("agrees with the WHATWG URL serializer (RFC 5952 without dotted forms) on every address that is not IPv4-mapped", () => {
    fc.assert(
      fc.property(ipv6Address, (a) => {
        const mapped = a.bytes.subarray(0, 10).every((b) => b === 0) && a.bytes[10] === 0xff && a.bytes[11] === 0xff;
        fc.pre(!mapped);
        assert.equal(`[${a.toString()}]`, new URL(`http://[${a.toString()}]/`).hostname);
      }),
      { numRuns: scaled(2000) },
    );
  });

  it("refuses text that is not an address, saying why", () => {
    for (const [text, why] of [
      ["2001:db8::1::2", '"::" may appear only once'],
      ["2001:db8:1", "3 groups, need 8"],
      ["fe80::1%eth0", "a zone"],
      ["2001:db8::/64", "a prefix length"],
      ["2001:db8::12345", '"12345" is not a group'],
      ["1:2:3:4:5:6:7::8", "at most 7 with"],
      ["::ffff:192.0.2.256", "not a dotted quad"],
    ]) {
      assert.throws(() => Ipv6Address.parse(text), (e: Error) => e.message.includes(text) && e.message.includes(why), text);
    }
  });
});

describe("packets/ipv6: view and record", () => {
  it("emit then check and parse gives the record back, over chains reaching every extension header", () => {
    const reach = new Reach("ipv6 round trip", {
      "no extension": 20,
      "hop-by-hop": 50,
      "destination options": 50,
      routing: 50,
      "first fragment": 50,
      "later fragment": 20,
      "Pad1 option": 20,
      "PadN option": 20,
      "three or more headers": 20,
      "upper-layer bytes": 50,
    });
    fc.assert(
      fc.property(ipv6Record(), fc.integer({ min: 0, max: 40 }), (record, upper) => {
        reach.run();
        const kinds = record.extensions.map((e) => e.kind);
        reach.hit("no extension", kinds.length === 0);
        reach.hit("hop-by-hop", kinds.includes(0));
        reach.hit("destination options", kinds.includes(60));
        reach.hit("routing", kinds.includes(43));
        reach.hit("first fragment", record.extensions.some((e) => e.kind === 44 && e.fragmentOffset === 0));
        reach.hit("later fragment", record.extensions.some((e) => e.kind === 44 && e.fragmentOffset !== 0));
        const options = record.extensions.flatMap((e) => ("options" in e ? e.options : []));
        reach.hit("Pad1 option", options.some((o) => o.type === 0));
        reach.hit("PadN option", options.some((o) => o.type === 1));
        reach.hit("three or more headers", kinds.length >= 3);
        reach.hit("upper-layer bytes", upper > 0);
        const length = ipv6BufferLength(record);
        const bytes = new Uint8Array(length + upper + 5).fill(0xee);
        assert.equal(emitIpv6(record, bytes, 0, {}, upper), length);
        const view = new Ipv6Packet().reset(bytes, 0, length + upper + 5);
        assert.equal(view.check(), undefined);
        assert.deepEqual(parseIpv6(view), { ...record, payloadLength: record.payloadLength + upper });
        assert.equal(view.payloadEnd, length + upper);
        const laterFragment = kinds.length > 0 && record.extensions[kinds.length - 1].kind === 44 && (record.extensions[kinds.length - 1] as { fragmentOffset: number }).fragmentOffset !== 0;
        assert.equal(view.payloadOffset, length);
        assert.equal(view.upperProtocol, laterFragment ? 44 : kinds.length === 0 ? record.nextHeader : record.extensions[kinds.length - 1].nextHeader);
        assert.equal(view.isFragment, kinds.includes(44));
        // and the bytes again, from the parsed record
        const again = new Uint8Array(length + upper);
        again.set(bytes.subarray(length, length + upper), length);
        emitIpv6(parseIpv6(view), again, 0, {}, upper);
        assert.deepEqual(again, bytes.subarray(0, length + upper));
      }),
      { numRuns: scaled(3000) },
    );
    reach.check();
  });

  it("reads the fixed header's fields where RFC 8200 puts them", () => {
    const bytes = hex("6b8fedcb 0008 3a 40 20010db8000000000000000000000001 20010db8000000000000000000000002 8000 0000 0001 0002");
    const record = decodeIpv6(bytes);
    assert.equal(record.trafficClass, 0xb8);
    assert.equal(record.flowLabel, 0xfedcb);
    assert.equal(record.payloadLength, 8);
    assert.equal(record.nextHeader, 58);
    assert.equal(record.hopLimit, 64);
    assert.equal(record.source.toString(), "2001:db8::1");
    assert.equal(record.destination.toString(), "2001:db8::2");
  });

  it("gives a length error with source 'captured' for every cut of a packet", () => {
    const reach = new Reach("ipv6 cuts", { "cut in the fixed header": 100, "cut in an extension header": 100, "cut in the upper layer": 100 });
    fc.assert(
      fc.property(ipv6Record(), fc.integer({ min: 1, max: 16 }), (record, upper) => {
        reach.run();
        const length = ipv6BufferLength(record);
        const bytes = new Uint8Array(length + upper);
        emitIpv6(record, bytes, 0, {}, upper);
        for (let cut = 0; cut < length + upper; cut++) {
          reach.hit("cut in the fixed header", cut < IPV6_HEADER_LENGTH);
          reach.hit("cut in an extension header", cut >= IPV6_HEADER_LENGTH && cut < length);
          reach.hit("cut in the upper layer", cut >= length);
          const error = new Ipv6Packet().reset(bytes.subarray(0, cut)).check();
          assert.ok(error instanceof DecodeError && error.truncated, `cut at ${cut}: ${error}`);
          assert.equal(error.layer, "ipv6");
          assert.equal(error.lengthSource, "captured");
          assert.equal(error.available, cut);
          assert.ok(error.needed > cut);
          if (cut < IPV6_HEADER_LENGTH) assert.ok(error.offset <= cut, "names the first field that does not fit");
        }
      }),
      { numRuns: scaled(300) },
    );
    reach.check();
  });

  it("gives a length error with source 'header' for every payloadLength that ends inside an extension header", () => {
    let tried = 0;
    fc.assert(
      fc.property(ipv6Record().filter((r) => r.extensions.length > 0), (record) => {
        const length = ipv6BufferLength(record);
        const bytes = new Uint8Array(length);
        emitIpv6(record, bytes, 0);
        const starts: number[] = [];
        let at = IPV6_HEADER_LENGTH;
        for (const e of record.extensions) {
          starts.push(at);
          at += e.kind === 44 ? 8 : (e.lengthUnits + 1) * 8;
        }
        for (let lie = 0; lie < length - IPV6_HEADER_LENGTH; lie++) {
          if (starts.includes(IPV6_HEADER_LENGTH + lie)) continue; // ends between headers: a valid shorter chain
          tried++;
          bytes[4] = lie >>> 8;
          bytes[5] = lie & 0xff;
          const error = new Ipv6Packet().reset(bytes).check();
          assert.ok(error instanceof DecodeError && error.truncated, `payloadLength ${lie}: ${error}`);
          assert.equal(error.lengthSource, "header");
          assert.equal(error.available, IPV6_HEADER_LENGTH + lie);
        }
      }),
      { numRuns: scaled(300) },
    );
    assert.ok(tried > 3000, `only ${tried} lying lengths tried`);
  });

  it("gives a length error with source 'header' when an option's length runs past its header", () => {
    const bytes = hex("60000000 0008 00 40" + "00".repeat(32) + "3a00 0104 00000000"); // PadN of 4 in the 6 option bytes: fits
    assert.equal(new Ipv6Packet().reset(bytes).check(), undefined);
    bytes[IPV6_HEADER_LENGTH + 3] = 5; // PadN of 5 needs 7 of the 6
    const error = new Ipv6Packet().reset(bytes).check();
    assert.ok(error instanceof DecodeError);
    assert.equal(error.field, "hopByHop.option.data");
    assert.equal(error.lengthSource, "header");
  });

  it("refuses a version other than 6 as a content error naming it", () => {
    const bytes = new Uint8Array(40);
    bytes[0] = 0x45;
    const error = new Ipv6Packet().reset(bytes).check();
    assert.ok(error instanceof DecodeError && !error.truncated);
    assert.equal(error.field, "version");
    assert.match(error.message, /version 4/);
  });

  it("ignores bytes after payloadLength (Ethernet padding)", () => {
    const bytes = new Uint8Array(60);
    bytes[0] = 0x60;
    bytes[6] = 59;
    const view = new Ipv6Packet().reset(bytes, 0, 60);
    assert.equal(view.check(), undefined);
    assert.equal(view.payloadEnd, 40);
    assert.equal(view.upperLength, 0);
  });

  it("writes the record's lengths and version as they are without fixLengths", () => {
    fc.assert(
      fc.property(ipv6Record().filter((r) => r.extensions.some((e) => e.kind !== 44)), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), (record, payloadLength, version) => {
        const bytes = new Uint8Array(ipv6BufferLength(record));
        emitIpv6({ ...record, payloadLength, version }, bytes, 0, { fixLengths: false });
        assert.equal((bytes[4] << 8) | bytes[5], payloadLength);
        assert.equal(bytes[0] >>> 4, version);
      }),
      { numRuns: scaled(300) },
    );
  });
});

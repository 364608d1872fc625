// The IPv4 codec's fixed cases that the round-trip properties cannot reach: encoding options
// (fixLengths and computeChecksums apart, and the deprecated "compute"/"keep"), a record without options, too many option bytes, the lenient header
// reader the ICMP decoder uses for a quoted header, and isFragment. Each was a surviving mutant.
import assert from "node:assert/strict";
import { checksumVerifies, decodeIpv4, decodeIpv4Header, encodeFrame, encodeIpv4, ethernetHeader, ETHERTYPE_IPV4, Ipv4, ipv4Header, isFragment, Mac } from "../../src/packets";

const A = Ipv4.parse("192.0.2.1");
const B = Ipv4.parse("192.0.2.2");

function encoded(fields: Parameters<typeof encodeIpv4>[0], payloadLength: number, options?: Parameters<typeof encodeIpv4>[4]): Uint8Array {
  const bytes = new Uint8Array(80 + payloadLength);
  const headerLength = encodeIpv4(fields, payloadLength, bytes, 0, options);
  return bytes.subarray(0, headerLength + payloadLength);
}

describe("IPv4 codec (fixed cases)", () => {
  it("computes lengths and the checksum by default, whatever the record says of them", () => {
    const first = decodeIpv4(encoded(ipv4Header(A, B, 17), 8));
    assert.equal(first.checksumValid, true);
    // a decoded record edited: its checksum and totalLength are stale, and are recomputed
    const again = decodeIpv4(encoded({ ...first, ttl: 1, totalLength: 999, checksum: 0x1234 }, 12));
    assert.equal(again.ttl, 1);
    assert.equal(again.totalLength, 32);
    assert.equal(again.checksumValid, true);
    assert.notEqual(again.checksum, 0x1234);
  });

  it("writes checksum, totalLength, headerLength and version as the record says with checksums: keep", () => {
    const bytes = encoded({ ...ipv4Header(A, B, 17), checksum: 0x1234, totalLength: 28, version: 4, headerLength: 20 }, 8, { checksums: "keep" });
    const record = decodeIpv4(bytes);
    assert.equal(record.checksum, 0x1234);
    assert.equal(record.checksumValid, false);
    assert.equal(record.totalLength, 28);
    const odd = encoded({ ...ipv4Header(A, B, 17), version: 6, headerLength: 24 }, 0, { checksums: "keep" });
    assert.equal(odd[0], 0x66, "version 6, IHL 6, as given");
    // "keep" with no checksum in the record still computes one
    assert.equal(decodeIpv4(encoded(ipv4Header(A, B, 17), 8, { checksums: "keep" })).checksumValid, true);
  });

  it("fixLengths and computeChecksums act apart: wrong lengths with a right checksum, or the reverse", () => {
    const stale = { ...ipv4Header(A, B, 17), checksum: 0x1234, totalLength: 999, version: 4, headerLength: 20 };
    // lengths as the record says, the checksum computed over the header as written
    const lying = encoded(stale, 8, { fixLengths: false });
    assert.equal((lying[2] << 8) | lying[3], 999, "totalLength as given");
    assert.equal(decodeIpv4Header(lying, 0, lying.length, false)!.checksumValid, true, "the checksum covers the lying length");
    // lengths fixed, the record's checksum written as it is
    const badSum = decodeIpv4(encoded(stale, 8, { computeChecksums: false }));
    assert.equal(badSum.totalLength, 28);
    assert.equal(badSum.checksum, 0x1234);
    assert.equal(badSum.checksumValid, false);
    // the named options win over the deprecated switch
    const mixed = decodeIpv4(encoded(stale, 8, { checksums: "keep", fixLengths: true }));
    assert.equal(mixed.totalLength, 28);
    assert.equal(mixed.checksum, 0x1234);
    const odd = encoded({ ...ipv4Header(A, B, 17), version: 6, headerLength: 24 }, 0, { fixLengths: false });
    assert.equal(odd[0], 0x66, "version and IHL are length fields here: as given");
    // through encodeFrame: an echo request whose IPv4 header lies about its length, both checksums right
    const frame = encodeFrame(
      { ethernet: ethernetHeader(Mac.BROADCAST, Mac.BROADCAST, ETHERTYPE_IPV4), ipv4: { ...ipv4Header(A, B, 1), totalLength: 999 }, icmp: { type: 8, code: 0, identifier: 1, sequence: 2 }, payload: Uint8Array.of(1, 2, 3) },
      undefined,
      { fixLengths: false },
    );
    assert.equal((frame[16] << 8) | frame[17], 999);
    assert.equal(decodeIpv4Header(frame, 14, frame.length, false)!.checksumValid, true);
    assert.equal(checksumVerifies(frame.subarray(34)), true, "the ICMP checksum is computed");
  });

  it("encodes a record with no options key as a 20-byte header, and options padded to whole words", () => {
    const fields = ipv4Header(A, B, 1);
    assert.equal("options" in fields, false);
    assert.equal(encoded(fields, 0).length, 20);
    const padded = decodeIpv4(encoded({ ...fields, options: Uint8Array.from([1, 1, 1]) }, 0));
    assert.equal(padded.headerLength, 24);
    assert.deepEqual([...padded.options], [1, 1, 1, 0]);
    assert.equal(padded.checksumValid, true);
  });

  it("refuses more than 40 option bytes, saying how many", () => {
    assert.throws(() => encoded({ ...ipv4Header(A, B, 1), options: new Uint8Array(41) }, 0), { name: "RangeError", message: "ipv4: 44 option bytes, at most 40 fit" });
    assert.equal(encoded({ ...ipv4Header(A, B, 1), options: new Uint8Array(40) }, 0).length, 60);
  });

  it("reads a quoted header leniently: undefined for one it cannot use, the record for one it can", () => {
    const header = encoded(ipv4Header(A, B, 17), 0);
    assert.equal(decodeIpv4Header(header, 0, 20, true)?.source.toString(), "192.0.2.1");
    assert.equal(decodeIpv4Header(header, 0, 19, true), undefined, "cut short");
    const six = header.slice();
    six[0] = 0x65;
    assert.equal(decodeIpv4Header(six, 0, 20, true), undefined, "version 6");
    const ihl4 = header.slice();
    ihl4[0] = 0x44;
    assert.equal(decodeIpv4Header(ihl4, 0, 20, true), undefined, "IHL 4");
    assert.throws(() => decodeIpv4Header(ihl4, 0, 20, false), { field: "headerLength" });
    const ihl6 = header.slice();
    ihl6[0] = 0x46;
    assert.equal(decodeIpv4Header(ihl6, 0, 20, true), undefined, "IHL 6 with 20 bytes");
    assert.throws(() => decodeIpv4Header(ihl6, 0, 20, false), { field: "options" });
  });

  it("names the version it found", () => {
    const header = encoded(ipv4Header(A, B, 17), 0);
    header[0] = 0x65;
    assert.throws(() => decodeIpv4(header), { message: "ipv4: bad version at byte 0: version 6, need 4" });
  });

  it("tells a fragment: more fragments, or an offset, or both", () => {
    assert.equal(isFragment({ moreFragments: false, fragmentOffset: 0 }), false);
    assert.equal(isFragment({ moreFragments: true, fragmentOffset: 0 }), true);
    assert.equal(isFragment({ moreFragments: false, fragmentOffset: 8 }), true);
    assert.equal(isFragment({ moreFragments: true, fragmentOffset: 1480 }), true);
  });
});

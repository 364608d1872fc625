// The ICMP codec, fixed cases: the exact DecodeError of a header cut short (at an offset, echo and
// not), which types quote the offending datagram and how much of its ICMP header they must quote,
// and the checksum computed unless kept. The properties in frame.test.ts reach ICMP only inside
// whole frames, where the IPv4 layer refuses most of these first.
import assert from "node:assert/strict";
import { decodeIcmp, encodeIcmp, encodeIpv4, ipv4Header, Ipv4, checksumVerifies } from "../../src/packets";

describe("ICMP codec (fixed cases)", () => {
  const from = Ipv4.parse("192.0.2.17");
  const to = Ipv4.parse("192.0.2.1");

  it("names the field a header cut short ends in, at an offset: the echo fields for echo, restOfHeader for the others", () => {
    const at = 10;
    const cut = (type: number, length: number) => {
      const bytes = new Uint8Array(at + 8).fill(0xee);
      bytes[at] = type;
      return () => decodeIcmp(bytes, at, at + length);
    };
    assert.throws(cut(3, 0), { name: "DecodeError", layer: "icmp", field: "type", offset: 10, needed: 11, available: 10 });
    assert.throws(cut(3, 1), { layer: "icmp", field: "code", offset: 11, needed: 12, available: 11 });
    assert.throws(cut(3, 3), { layer: "icmp", field: "checksum", offset: 12, needed: 14, available: 13 });
    assert.throws(cut(3, 4), { layer: "icmp", field: "restOfHeader", offset: 14, needed: 18, available: 14 });
    assert.throws(cut(11, 7), { layer: "icmp", field: "restOfHeader", offset: 14, needed: 18, available: 17 });
    assert.throws(cut(8, 5), { layer: "icmp", field: "identifier", offset: 14, needed: 16, available: 15 });
    assert.throws(cut(0, 7), { layer: "icmp", field: "sequence", offset: 16, needed: 18, available: 17 });
    assert.equal(decodeIcmp(new Uint8Array(at + 8), at, at + 8).type, 0, "8 bytes are a header");
  });

  /** An ICMP error of `type` quoting an IPv4 header (protocol `protocol`, `fields`) and `after` bytes after it. */
  function error(type: number, protocol: number, after: Uint8Array, fields: Parameters<typeof ipv4Header>[3] = {}): Uint8Array {
    const message = new Uint8Array(8 + 20 + after.length);
    message[0] = type;
    encodeIpv4(ipv4Header(to, from, protocol, fields), 8, message, 8);
    message.set(after, 28);
    return message;
  }
  const echo = Uint8Array.of(8, 0, 0x12, 0x34, 0x00, 0x07, 0x00, 0x2a);

  it("destination unreachable, time exceeded and parameter problem quote the datagram; a redirect does not", () => {
    for (const type of [3, 11, 12]) {
      const record = decodeIcmp(error(type, 1, echo));
      assert.ok(record.quoted !== undefined, `type ${type} quotes`);
      assert.equal(record.quoted!.source.toString(), "192.0.2.1");
      assert.deepEqual(record.quoted!.icmp, { type: 8, code: 0, identifier: 7, sequence: 42 });
    }
    const redirect = decodeIcmp(error(5, 1, echo));
    assert.ok(!("quoted" in redirect), "a redirect's data are not read as a quoted datagram");
  });

  it("reads the quoted ICMP header only when all 8 bytes of it are there, and only in a first fragment", () => {
    assert.deepEqual(decodeIcmp(error(3, 1, echo)).quoted!.icmp, { type: 8, code: 0, identifier: 7, sequence: 42 });
    assert.ok(!("icmp" in decodeIcmp(error(3, 1, echo.subarray(0, 7))).quoted!), "7 bytes of it: the header only");
    assert.ok(!("icmp" in decodeIcmp(error(3, 1, echo, { fragmentOffset: 100, dontFragment: false })).quoted!), "a later fragment has no ICMP header");
    assert.deepEqual(decodeIcmp(error(3, 1, Uint8Array.of(3, 1, 0, 0, 0, 0, 0, 0))).quoted!.icmp, { type: 3, code: 1 }, "a quoted error: type and code");
    assert.ok(!("icmp" in decodeIcmp(error(3, 17, echo)).quoted!), "not ICMP: nothing read after the header");
  });

  it("has no quoted key when fewer than 20 bytes of the datagram are quoted", () => {
    const short = error(3, 1, new Uint8Array(0)).subarray(0, 8 + 19);
    const record = decodeIcmp(short);
    assert.ok(!("quoted" in record), Object.keys(record).join(", "));
    assert.equal(record.restOfHeader, 0);
  });

  it("computes the checksum unless told to keep the record's", () => {
    const data = Uint8Array.of(1, 2, 3);
    const into = new Uint8Array(11);
    encodeIcmp({ type: 8, code: 0, identifier: 7, sequence: 42, checksum: 0x1234 }, data, into);
    assert.ok(checksumVerifies(into), "computed, though the record says 0x1234");
    assert.equal(decodeIcmp(into).checksumValid, true, "a whole message (the default) has its checksum checked");
    assert.equal(decodeIcmp(into, 0, 11, false).checksumValid, null, "a first fragment's cannot be");
    assert.deepEqual([...into.subarray(8)], [1, 2, 3]);
    encodeIcmp({ type: 8, code: 0, identifier: 7, sequence: 42, checksum: 0x1234 }, data, into, 0, { checksums: "keep" });
    assert.deepEqual([into[2], into[3]], [0x12, 0x34]);
    into.fill(0);
    encodeIcmp({ type: 8, code: 0, identifier: 7, sequence: 42, checksum: 0x4321 }, data, into, 0, { computeChecksums: false });
    assert.deepEqual([into[2], into[3]], [0x43, 0x21], "computeChecksums: false writes the record's");
    encodeIcmp({ type: 8, code: 0, identifier: 7, sequence: 42, checksum: 0x4321 }, data, into, 0, { fixLengths: false });
    assert.ok(checksumVerifies(into), "fixLengths: false alone still computes the checksum");
  });
});

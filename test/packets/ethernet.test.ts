// Ethernet header fixed cases the frame properties do not reach: the header length of a record,
// and decoding at an offset into a larger buffer (the frame decoder always starts at 0).
import assert from "node:assert/strict";
import { DecodeError, decodeEthernet, ethernetHeaderLength, Mac } from "../../src/packets";

const A = Mac.parse("02:00:00:00:00:01");
const B = Mac.parse("02:00:00:00:00:02");

describe("Ethernet header (fixed cases)", () => {
  it("is 14 bytes, or 18 with a VLAN tag", () => {
    assert.equal(ethernetHeaderLength({ destination: A, source: B, etherType: 0x0800 }), 14);
    assert.equal(ethernetHeaderLength({ destination: A, source: B, etherType: 0x0800, vlan: { id: 5, priority: 0, dropEligible: false } }), 18);
  });

  it("decodes at an offset, and counts the bytes from there", () => {
    const bytes = new Uint8Array(4 + 18).fill(0xee);
    bytes.set([...A.toBytes(), ...B.toBytes(), 0x81, 0x00, 0x20, 0x05, 0x08, 0x06], 4);
    const record = decodeEthernet(bytes, 4, 22);
    assert.equal(record.destination.toString(), "02:00:00:00:00:01");
    assert.deepEqual(record.vlan, { id: 5, priority: 1, dropEligible: false });
    assert.equal(record.etherType, 0x0806);
    // 13 bytes from offset 4 is too few, though the buffer holds 17
    assert.throws(() => decodeEthernet(bytes, 4, 17), (e: unknown) => e instanceof DecodeError && e.field === "etherType" && e.offset === 16 && e.needed === 18 && e.available === 17);
    assert.throws(() => decodeEthernet(bytes, 4, 21), (e: unknown) => e instanceof DecodeError && e.field === "etherType" && e.offset === 20 && e.needed === 22);
  });
});

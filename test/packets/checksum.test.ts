// The internet checksum (RFC 1071) and its incremental update (RFC 1624).
import assert from "node:assert/strict";
import fc from "fast-check";
import { checksumVerifies, internetChecksum, updateChecksum, updateChecksum32 } from "../../src/packets";

describe("internet checksum", () => {
  it("matches the worked example of RFC 1071 section 3", () => {
    // 00 01 f2 03 f4 f5 f6 f7 sums to 2ddf0, folds to ddf2; the checksum is its complement
    assert.equal(internetChecksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), 0x220d);
  });

  it("matches the IPv4 header example everyone checks against (checksum 0xb861)", () => {
    // 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7 — bytes only, nothing is sent
    const header = Uint8Array.from(Buffer.from("450000730000400040110000c0a80001c0a800c7", "hex"));
    assert.equal(internetChecksum(header), 0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    assert.ok(checksumVerifies(header));
    header[11] = 0x62;
    assert.ok(!checksumVerifies(header));
  });

  it("pads an odd trailing byte with zero", () => {
    assert.equal(internetChecksum(Uint8Array.from([0x12])), internetChecksum(Uint8Array.from([0x12, 0x00])));
  });

  it("verifies any data once its checksum is written in", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 300 }), (data) => {
        const bytes = new Uint8Array(data.length + (data.length % 2) + 2);
        bytes.set(data, 2);
        const sum = internetChecksum(bytes);
        bytes[0] = sum >>> 8;
        bytes[1] = sum & 0xff;
        assert.ok(checksumVerifies(bytes));
      }),
    );
  });

  it("updated incrementally after changing a 16-bit word, still verifies (RFC 1624)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 100 }), fc.nat(), fc.integer({ min: 0, max: 0xffff }), (data, where, word) => {
        const bytes = new Uint8Array(2 + data.length + (data.length % 2));
        bytes.set(data, 2);
        const sum = internetChecksum(bytes);
        bytes[0] = sum >>> 8;
        bytes[1] = sum & 0xff;
        const at = 2 + 2 * (where % ((bytes.length - 2) / 2));
        const old = (bytes[at] << 8) | bytes[at + 1];
        bytes[at] = word >>> 8;
        bytes[at + 1] = word & 0xff;
        const updated = updateChecksum(sum, old, word);
        bytes[0] = updated >>> 8;
        bytes[1] = updated & 0xff;
        assert.ok(checksumVerifies(bytes));
      }),
    );
  });

  it("updated for a changed IPv4 address equals the recomputed header checksum", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 0xffff_ffff }), (data, address) => {
        const header = data.slice();
        header[10] = header[11] = 0;
        const before = internetChecksum(header);
        const old = ((header[12] << 24) | (header[13] << 16) | (header[14] << 8) | header[15]) >>> 0;
        header.set([address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff], 12);
        const recomputed = internetChecksum(header);
        const updated = updateChecksum32(before, old, address);
        // ones'-complement has two zeros: 0x0000 and 0xffff are the same checksum
        assert.equal(updated % 0xffff, recomputed % 0xffff);
      }),
    );
  });
});

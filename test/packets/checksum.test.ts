// The internet checksum (RFC 1071) and its incremental update (RFC 1624).
import assert from "node:assert/strict";
import fc from "fast-check";
import { checksumVerifies, foldChecksum, internetChecksum, onesComplementSum, updateChecksum, updateChecksum32 } from "../../src/packets";
import { Reach } from "../helpers/property";

/** The sum of the 16-bit words, the slow plain way, and whether folding it takes a second round. */
function plainSum(bytes: Uint8Array): { sum: number; secondFold: boolean } {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  const once = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return { sum, secondFold: once > 0xffff };
}

/**
 * Bytes, and half the time with their last whole word set so that the sum of all words ends in 0xffff
 * with a carry above it: the case where folding the sum once leaves 17 bits and it must fold again.
 * (Random bytes reach it about once in a thousand.)
 */
const data = (minLength: number, maxLength: number) =>
  fc.tuple(fc.uint8Array({ minLength, maxLength }), fc.boolean()).map(([bytes, carry]) => {
    const last = bytes.length - (bytes.length % 2) - 2;
    if (!carry || last < 0) return bytes;
    const out = bytes.slice();
    out[last] = out[last + 1] = 0;
    const rest = plainSum(out).sum;
    const word = (0xffff - (rest & 0xffff)) & 0xffff;
    out[last] = word >>> 8;
    out[last + 1] = word & 0xff;
    return out;
  });

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

  it("folds twice when the first fold carries: ff ff ff ff 00 01 gives 0xfffe", () => {
    // 0xffff + 0xffff + 0x0001 = 0x1ffff; fold: 0xffff + 0x1 = 0x10000, still 17 bits; fold again:
    // 0x0000 + 0x1 = 0x0001; complement: 0xfffe. Folding only once would give ~0x10000 & 0xffff = 0xffff.
    assert.equal(internetChecksum(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01])), 0xfffe);
    assert.equal(foldChecksum(0x1ffff), 0xfffe);
    assert.equal(foldChecksum(0xffff), 0x0000);
    assert.equal(foldChecksum(0x10000), 0xfffe);
    assert.equal(onesComplementSum(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]), 0, 6), 0x1ffff);
    // through the eight-bytes-a-turn loop too: four 0xffff words and a 0x0001
    assert.equal(internetChecksum(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01])), 0xfffe);
  });

  it("sums the ranges it is given: the tail words, an odd end, an initial sum, a range past the bytes", () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(onesComplementSum(bytes, 0, 11), 0x0102 + 0x0304 + 0x0506 + 0x0708 + 0x090a + 0x0b00);
    assert.equal(onesComplementSum(bytes, 2, 7), 0x0304 + 0x0506 + 0x0700);
    assert.equal(onesComplementSum(bytes, 8, 10, 5), 5 + 0x090a);
    assert.equal(onesComplementSum(bytes, 3, 3), 0);
    // past the end (the plain loop): what is not there counts as zero
    assert.equal(onesComplementSum(bytes, 8, 14), 0x090a + 0x0b00);
    assert.equal(onesComplementSum(bytes, 9, 14, 1), 1 + 0x0a0b);
    assert.equal(onesComplementSum(bytes, 10, 13), 0x0b00);
    assert.equal(onesComplementSum(bytes, 10, 11, 7), 7 + 0x0b00);
    // a start before the bytes or not a whole number (the plain loop, too): missing bytes count as zero
    assert.equal(onesComplementSum(bytes, -2, 3), 0x0102 + 0x0300);
    assert.equal(onesComplementSum(bytes, -2, 2), 0x0102);
    assert.equal(onesComplementSum(bytes, -4, 4, 9), 9 + 0x0102 + 0x0304);
    assert.equal(onesComplementSum(bytes, 0.5, 2), 0);
    assert.equal(internetChecksum(bytes, 2, 6), ~(0x0304 + 0x0506) & 0xffff);
    assert.ok(!checksumVerifies(bytes, 0, 4));
  });

  it("pads an odd trailing byte with zero", () => {
    assert.equal(internetChecksum(Uint8Array.from([0x12])), internetChecksum(Uint8Array.from([0x12, 0x00])));
  });

  it("verifies any data once its checksum is written in", () => {
    const reach = new Reach("verifies any data", { oddLength: 300, evenLength: 300, over200Bytes: 120, secondFold: 200, eightByteLoopAndTail: 300 });
    fc.assert(
      fc.property(data(2, 300), (data) => {
        const bytes = new Uint8Array(data.length + (data.length % 2) + 2);
        bytes.set(data, 2);
        reach.run();
        reach.hit("oddLength", data.length % 2 === 1);
        reach.hit("evenLength", data.length % 2 === 0);
        reach.hit("over200Bytes", data.length > 200);
        reach.hit("secondFold", plainSum(bytes).secondFold);
        reach.hit("eightByteLoopAndTail", bytes.length >= 8 && bytes.length % 8 !== 0);
        const sum = internetChecksum(bytes);
        assert.equal(sum, ~foldPlain(plainSum(bytes).sum) & 0xffff, "the checksum is the complement of the folded plain sum");
        bytes[0] = sum >>> 8;
        bytes[1] = sum & 0xff;
        assert.ok(checksumVerifies(bytes));
      }),
      { numRuns: 1000 },
    );
    reach.check();
  });

  it("updated incrementally after changing a 16-bit word, still verifies (RFC 1624)", () => {
    const reach = new Reach("updated incrementally", { wordChanged: 500, wordUnchanged: 70, secondFold: 20, over50Words: 200 });
    fc.assert(
      fc.property(data(4, 300), fc.nat(), fc.integer({ min: 0, max: 0xffff }), fc.constantFrom("drawn", "carry", "same", "zero", "ones"), (data, where, drawn, mode) => {
        const bytes = new Uint8Array(2 + data.length + (data.length % 2));
        bytes.set(data, 2);
        const sum = internetChecksum(bytes);
        bytes[0] = sum >>> 8;
        bytes[1] = sum & 0xff;
        const at = 2 + 2 * (where % ((bytes.length - 2) / 2));
        const old = (bytes[at] << 8) | bytes[at + 1];
        // "carry": the new word that makes ~HC + ~m + m' end in 0xffff, with a carry when ~HC + ~m has one
        const carry = (0xffff - (((~sum & 0xffff) + (~old & 0xffff)) & 0xffff)) & 0xffff;
        const word = { drawn, carry, same: old, zero: 0, ones: 0xffff }[mode];
        bytes[at] = word >>> 8;
        bytes[at + 1] = word & 0xff;
        const updated = updateChecksum(sum, old, word);
        reach.run();
        reach.hit("wordChanged", old !== word);
        reach.hit("wordUnchanged", old === word);
        reach.hit("secondFold", ((~sum & 0xffff) + (~old & 0xffff) + word) % 0x10000 + Math.floor(((~sum & 0xffff) + (~old & 0xffff) + word) / 0x10000) > 0xffff);
        reach.hit("over50Words", bytes.length > 100);
        bytes[0] = updated >>> 8;
        bytes[1] = updated & 0xff;
        assert.ok(checksumVerifies(bytes));
      }),
      { numRuns: 1000 },
    );
    reach.check();
  });

  it("updated for a changed IPv4 address equals the recomputed header checksum", () => {
    const reach = new Reach("updated for a changed IPv4 address", { bothHalvesChanged: 100, oneHalfChanged: 200, sameAddress: 100 });
    const address = fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(0, 0xffff_ffff, 0xc000_0201));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), address, fc.constantFrom("any", "high", "low", "same"), (data, drawn, keep) => {
        const header = data.slice();
        header[10] = header[11] = 0;
        const before = internetChecksum(header);
        const old = ((header[12] << 24) | (header[13] << 16) | (header[14] << 8) | header[15]) >>> 0;
        // the new address keeps the old one's high or low half, or all of it, a quarter of the time each
        const address = (keep === "high" ? (old & 0xffff_0000) | (drawn & 0xffff) : keep === "low" ? (drawn & 0xffff_0000) | (old & 0xffff) : keep === "same" ? old : drawn) >>> 0;
        reach.run();
        reach.hit("bothHalvesChanged", (address >>> 16) !== (old >>> 16) && (address & 0xffff) !== (old & 0xffff));
        reach.hit("oneHalfChanged", ((address >>> 16) === (old >>> 16)) !== ((address & 0xffff) === (old & 0xffff)));
        reach.hit("sameAddress", address === old);
        header.set([address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff], 12);
        const recomputed = internetChecksum(header);
        const updated = updateChecksum32(before, old, address);
        // ones'-complement has two zeros: 0x0000 and 0xffff are the same checksum
        assert.equal(updated % 0xffff, recomputed % 0xffff);
      }),
      { numRuns: 1000 },
    );
    reach.check();
  });
});

/** Folds to 16 bits by the definition (end-around carry until none is left). */
function foldPlain(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

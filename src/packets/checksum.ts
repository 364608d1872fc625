// The internet checksum (RFC 1071) used by IPv4 and ICMP, and its incremental update (RFC 1624) for
// rewriting one 16-bit field without summing the whole packet again.

/**
 * Ones'-complement sum of the 16-bit big-endian words in bytes[start, end), not yet folded or
 * complemented. An odd trailing byte is padded with zero, as RFC 1071 says. Add partial sums together
 * and pass the total to `foldChecksum`.
 */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  // The sum of the big-endian words b[i]·256 + b[i+1] is 256·(sum of the even bytes) + (sum of the
  // odd bytes): two plain byte sums, eight bytes a turn, and one multiply at the end. (Reading 16 or
  // 32 bits at a time needs a DataView, and getting one for an arbitrary Uint8Array costs more than
  // the byte loads it saves: `.buffer` and `.byteOffset` are not inlined by V8 11.)
  if (!(start >= 0 && end <= bytes.length && (start | 0) === start)) return onesComplementSumChecked(bytes, start, end, initial);
  let high = 0;
  let low = 0;
  let i = start;
  for (const last8 = end - 8; i <= last8; i += 8) {
    high += bytes[i] + bytes[i + 2] + bytes[i + 4] + bytes[i + 6];
    low += bytes[i + 1] + bytes[i + 3] + bytes[i + 5] + bytes[i + 7];
  }
  for (const last = end - 1; i < last; i += 2) {
    high += bytes[i];
    low += bytes[i + 1];
  }
  if (i < end) high += bytes[i];
  return initial + high * 256 + low;
}

/** The plain loop, for a range that runs outside the bytes: what is not there counts as zero. */
function onesComplementSumChecked(bytes: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  const last = end - 1;
  for (; i < last; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Folds a ones'-complement sum to 16 bits and complements it: the value that goes in the packet. */
export function foldChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** The internet checksum of bytes[start, end): what the checksum field must hold. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return foldChecksum(onesComplementSum(bytes, start, end));
}

/**
 * True when the checksum over bytes[start, end) — checksum field included — verifies. A zero or
 * 0xffff result both mean "valid" in ones'-complement arithmetic; a correct sender produces the former.
 */
export function checksumVerifies(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  return foldChecksum(onesComplementSum(bytes, start, end)) === 0;
}

/**
 * RFC 1624 (eqn. 3): the new checksum after one 16-bit word of the covered data changes from
 * `oldWord` to `newWord`, given the old checksum: HC' = ~(~HC + ~m + m').
 */
export function updateChecksum(oldChecksum: number, oldWord: number, newWord: number): number {
  return foldChecksum((~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff));
}

/** `updateChecksum` for a 32-bit field (an IPv4 address), as two 16-bit word changes. */
export function updateChecksum32(oldChecksum: number, oldValue: number, newValue: number): number {
  const once = updateChecksum(oldChecksum, oldValue >>> 16, newValue >>> 16);
  return updateChecksum(once, oldValue & 0xffff, newValue & 0xffff);
}

/** tcpdump's in_cksum_shouldbe: the checksum field that would have verified, from the field and the sum computed over it. */
export function checksumShouldBe(field: number, computed: number): number {
  let shouldBe = field + computed;
  shouldBe = (shouldBe & 0xffff) + (shouldBe >>> 16);
  shouldBe = (shouldBe & 0xffff) + (shouldBe >>> 16);
  return shouldBe;
}

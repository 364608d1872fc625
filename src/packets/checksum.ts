// The internet checksum (RFC 1071) used by IPv4 and ICMP, and its incremental update (RFC 1624) for
// rewriting one 16-bit field without summing the whole packet again.

/**
 * Ones'-complement sum of the 16-bit big-endian words in bytes[start, end), not yet folded or
 * complemented. An odd trailing byte is padded with zero, as RFC 1071 says. Add partial sums together
 * and pass the total to `foldChecksum`.
 */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
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

// The pseudo-header that UDP, TCP, VRRPv3 (and ICMPv6) checksums cover, for IPv4 (RFC 768/793:
// source, destination, zero, protocol, 16-bit length) and IPv6 (RFC 8200 §8.1: source, destination,
// 32-bit length, three zero bytes, next header). Both come down to the same ones'-complement sum:
// the address bytes, the protocol and the upper-layer length, since the zero bytes add nothing and a
// 32-bit length below 65536 sums like a 16-bit one.
import { foldChecksum, onesComplementSum } from "./checksum";

/** Where a pseudo-header's addresses are: two byte strings of 4 (IPv4) or 16 (IPv6) bytes each. */
export interface PseudoHeader {
  /** the source address, 4 or 16 bytes */
  readonly source: Uint8Array;
  /** the destination address, as long as `source` */
  readonly destination: Uint8Array;
}

/**
 * Ones'-complement sum (not folded) of the pseudo-header whose addresses sit in `bytes` at
 * `sourceAt` and `destinationAt`, `addressLength` (4 or 16) bytes each, for `protocol` and an
 * upper-layer message of `length` bytes. Allocates nothing: pass the IP header's own bytes.
 */
export function pseudoHeaderSumAt(bytes: Uint8Array, sourceAt: number, destinationAt: number, addressLength: number, protocol: number, length: number): number {
  const sum = onesComplementSum(bytes, sourceAt, sourceAt + addressLength, protocol + (length & 0xffff) + Math.floor(length / 0x10000));
  return onesComplementSum(bytes, destinationAt, destinationAt + addressLength, sum);
}

/** {@link pseudoHeaderSumAt} for addresses held apart (a record's, or an encoder's). */
export function pseudoHeaderSum(pseudo: PseudoHeader, protocol: number, length: number): number {
  const sum = onesComplementSum(pseudo.source, 0, pseudo.source.length, protocol + (length & 0xffff) + Math.floor(length / 0x10000));
  return onesComplementSum(pseudo.destination, 0, pseudo.destination.length, sum);
}

/**
 * The checksum an upper-layer message in bytes[start, end) must carry (its checksum field counted
 * as it is: zero it first when computing), given the pseudo-header sum from {@link pseudoHeaderSum}.
 * Zero is returned as is; UDP's caller maps it to 0xffff.
 */
export function transportChecksum(bytes: Uint8Array, start: number, end: number, pseudoSum: number): number {
  return foldChecksum(onesComplementSum(bytes, start, end, pseudoSum));
}

/**
 * True when the message in bytes[start, end), checksum field included, verifies against the
 * pseudo-header sum.
 */
export function transportChecksumVerifies(bytes: Uint8Array, start: number, end: number, pseudoSum: number): boolean {
  return foldChecksum(onesComplementSum(bytes, start, end, pseudoSum)) === 0;
}

/**
 * Checks that a pseudo-header holds two IPv4 or two IPv6 addresses, before an encoder sums it.
 * @throws Error when the two addresses are not both 4 or both 16 bytes long
 */
export function checkPseudoHeader(layer: string, pseudo: PseudoHeader): void {
  const n = pseudo.source.length;
  if ((n !== 4 && n !== 16) || pseudo.destination.length !== n) {
    throw new Error(`takeover: ${layer} pseudo-header: addresses of ${n} and ${pseudo.destination.length} bytes; give two IPv4 (4-byte) or two IPv6 (16-byte) addresses`);
  }
}

// UDP (RFC 768): the view, the record and the encoder, in the codecs-v2 shape (see view.ts). The
// checksum covers a pseudo-header (pseudo-header.ts) of IPv4 or IPv6 addresses, so the view checks
// it only when given that header's sum; a zero checksum means "none" (allowed over IPv4 only).
//
// Lengths: the view sees bytes[offset, end), where `end` is what the enclosing header allows (the
// IPv4 or IPv6 payload end) and may pass bytes.length when a snap length cut the capture. A length
// error's source is "captured" when the captured bytes ran out first, "header" when `end` did.
//
//   0             2                  4        6          8
//   | sourcePort  | destinationPort  | length | checksum | payload
import { struct, u16be } from "buffer-layout";
import { DecodeError, lengthError, contentError, LengthSource } from "./errors";
import { IP_PROTOCOL_UDP } from "./ipv4";
import { checkLiterals, fieldTable, firstFieldPast } from "./layout";
import type { HeaderLayout } from "./positions";
import { checkPseudoHeader, PseudoHeader, pseudoHeaderSum, transportChecksum, transportChecksumVerifies } from "./pseudo-header";
import { ByteRange } from "./view";
import type { EmitOptions, PacketView } from "./view";
import { UdpAt } from "./wire-literals";

const udpStructure = struct([u16be("sourcePort"), u16be("destinationPort"), u16be("length"), u16be("checksum")]);
/** The UDP header's description (field names, widths, order). */
export const udpLayout: HeaderLayout = udpStructure;
/** Offset and span of each UDP header field. */
export const UDP = fieldTable(udpStructure);
/** Length of the UDP header. */
export const UDP_HEADER_LENGTH = udpStructure.span;

checkLiterals("udp", [
  ["sourcePort", UdpAt.SourcePort, UDP.sourcePort.offset],
  ["destinationPort", UdpAt.DestinationPort, UDP.destinationPort.offset],
  ["length", UdpAt.Length, UDP.length.offset],
  ["checksum", UdpAt.Checksum, UDP.checksum.offset],
  ["header length", UdpAt.Header, UDP_HEADER_LENGTH],
]);

/** The IP protocol number of UDP: ipv4.ts's IP_PROTOCOL_UDP under the name this module has always exported. */
export const UDP_PROTOCOL = IP_PROTOCOL_UDP;

/**
 * Where a length error's limit came from: the captured bytes when they end before `end`, else the
 * enclosing header that set `end`.
 */
export function limitSource(bytes: Uint8Array, end: number): LengthSource {
  return bytes.length < end ? "captured" : "header";
}

/** A view of a UDP datagram in bytes[offset, end): no copy, reusable. */
export class UdpPacket extends ByteRange implements PacketView {
  /**
   * Undefined when the header and the payload its length field claims are all there; otherwise a
   * length error (the header cut, or the length field past the limit) or a content error (a length
   * field under 8).
   */
  check(): DecodeError | undefined {
    const { bytes, offset, end } = this;
    const limit = Math.min(end, bytes.length);
    if (limit - offset < UdpAt.Header) {
      const field = firstFieldPast(UDP, offset, limit)!;
      return lengthError("udp", field.name, offset + field.offset, offset + field.offset + field.span, limit, limitSource(bytes, end));
    }
    const length = this.length;
    if (length < UdpAt.Header) return contentError("udp", "length", offset + UdpAt.Length, length, `length ${length} is under the 8-byte header`);
    if (offset + length > limit) return lengthError("udp", "payload", offset + UdpAt.Header, offset + length, limit, limitSource(bytes, end));
    return undefined;
  }

  get sourcePort(): number {
    return (this.bytes[this.offset] << 8) | this.bytes[this.offset + 1];
  }
  get destinationPort(): number {
    return (this.bytes[this.offset + UdpAt.DestinationPort] << 8) | this.bytes[this.offset + UdpAt.DestinationPort + 1];
  }
  /** the length field: header plus payload, in bytes */
  get length(): number {
    return (this.bytes[this.offset + UdpAt.Length] << 8) | this.bytes[this.offset + UdpAt.Length + 1];
  }
  get checksum(): number {
    return (this.bytes[this.offset + UdpAt.Checksum] << 8) | this.bytes[this.offset + UdpAt.Checksum + 1];
  }
  /** absolute offset of the payload */
  get payloadOffset(): number {
    return this.offset + UdpAt.Header;
  }
  /** absolute offset one past the payload, as the length field says */
  get payloadEnd(): number {
    return this.offset + this.length;
  }

  /**
   * True when the checksum verifies against the pseudo-header sum (`pseudoHeaderSumAt` with
   * protocol 17 and this datagram's length), or is zero ("no checksum", IPv4 only: over IPv6 a zero
   * is an error and the caller should say so).
   */
  checksumVerifies(pseudoSum: number): boolean {
    return this.checksum === 0 || transportChecksumVerifies(this.bytes, this.offset, this.offset + this.length, pseudoSum);
  }
}

/** A UDP datagram as a plain object. */
export interface UdpRecord {
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** the length field (header plus payload); rewritten on emit unless fixLengths is false */
  readonly length: number;
  /** the checksum field; computed on emit unless computeChecksums is false */
  readonly checksum: number;
  /** the payload, a view into the parsed bytes */
  readonly payload: Uint8Array;
}

/** The record of a checked view (call `view.check()` first). */
export function parseUdp(view: UdpPacket): UdpRecord {
  return {
    sourcePort: view.sourcePort,
    destinationPort: view.destinationPort,
    length: view.length,
    checksum: view.checksum,
    payload: view.bytes.subarray(view.payloadOffset, view.payloadEnd),
  };
}

/** Bytes `emitUdp` writes for `record`. */
export function udpBufferLength(record: Pick<UdpRecord, "payload">): number {
  return UdpAt.Header + record.payload.length;
}

/** Encoding options for the transport layers: the pseudo-header the checksum covers. */
export interface TransportEmitOptions extends EmitOptions {
  /** the addresses of the enclosing IPv4 or IPv6 header; needed when computeChecksums is on */
  readonly pseudoHeader?: PseudoHeader;
}

/**
 * Writes `record` at into[offset]; returns the offset after it. With computeChecksums (the default)
 * the checksum covers `options.pseudoHeader` (a computed zero goes out as 0xffff, RFC 768).
 * @throws RangeError when `into` is too short; Error when a checksum is asked for without a pseudo-header
 */
export function emitUdp(record: UdpRecord, into: Uint8Array, offset = 0, options: TransportEmitOptions = {}): number {
  const total = udpBufferLength(record);
  if (offset + total > into.length) throw new RangeError(`takeover: udp: ${total} bytes do not fit at ${offset} in a buffer of ${into.length}; give a larger buffer`);
  const length = options.fixLengths === false ? record.length : total;
  put16(into, offset + UdpAt.SourcePort, record.sourcePort);
  put16(into, offset + UdpAt.DestinationPort, record.destinationPort);
  put16(into, offset + UdpAt.Length, length);
  put16(into, offset + UdpAt.Checksum, 0);
  into.set(record.payload, offset + UdpAt.Header);
  if (options.computeChecksums === false) put16(into, offset + UdpAt.Checksum, record.checksum);
  else {
    const pseudo = options.pseudoHeader;
    if (pseudo === undefined) throw new Error("takeover: udp: computeChecksums needs options.pseudoHeader (the IP addresses); give it or set computeChecksums: false");
    checkPseudoHeader("udp", pseudo);
    const sum = transportChecksum(into, offset, offset + total, pseudoHeaderSum(pseudo, UDP_PROTOCOL, length));
    put16(into, offset + UdpAt.Checksum, sum === 0 ? 0xffff : sum);
  }
  return offset + total;
}

function put16(into: Uint8Array, at: number, value: number): void {
  into[at] = (value >>> 8) & 0xff;
  into[at + 1] = value & 0xff;
}

// ICMP (RFC 792): echo request and reply with identifier and sequence; destination unreachable and
// time exceeded with the quoted IPv4 header (and the first 8 bytes after it) decoded, so a prober can
// tell which of its requests failed; any other type kept as type, code and bytes. Checksum verified on
// decode, computed on encode. In the codecs-v2 shape (view.ts): the IcmpPacket view, parseIcmp, and
// decodeIcmp = both.
//
//   0      1      2          4                          8
//   | type | code | checksum | identifier | sequence    | data ...      (echo)
//   | type | code | checksum | rest of header (unused, MTU, pointer) | quoted IPv4 header + 8 bytes
import type { HeaderLayout } from "./positions";
import { struct, u16be, u32be, u8 } from "buffer-layout";
import { foldChecksum, onesComplementSum } from "./checksum";
import { DecodeError, lengthError } from "./errors";
import { computesChecksums, EncodeOptions, Ipv4Record } from "./ipv4";
import { checkLiterals, fieldTable, firstFieldPast } from "./layout";
import { icmpRecordAt } from "./layer-records";
import { ByteRange } from "./view";
import type { PacketView } from "./view";
import { IcmpAt } from "./wire-literals";


export const ICMP_ECHO_REPLY = 0;
export const ICMP_DESTINATION_UNREACHABLE = 3;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETER_PROBLEM = 12;

const icmpEchoStructure = struct([u8("type"), u8("code"), u16be("checksum"), u16be("identifier"), u16be("sequence")]);
/** The header's description (field names, widths, order), for tools that show or check layouts. */
export const icmpEchoLayout: HeaderLayout = icmpEchoStructure;
const icmpStructure = struct([u8("type"), u8("code"), u16be("checksum"), u32be("restOfHeader")]);
/** The header's description (field names, widths, order), for tools that show or check layouts. */
export const icmpLayout: HeaderLayout = icmpStructure;
export const ICMP = fieldTable(icmpStructure);
export const ICMP_ECHO = fieldTable(icmpEchoStructure);
export const ICMP_HEADER_LENGTH = icmpStructure.span;
const ICMP_ECHO_HEADER_LENGTH = icmpEchoStructure.span;

// The layout's numbers as literals for the hot paths (IcmpAt in wire-literals.ts, which frame.ts uses
// too), checked here against the layouts and the constants.
checkLiterals("icmp", [
  ["type", IcmpAt.Type, ICMP.type.offset],
  ["code", IcmpAt.Code, ICMP.code.offset],
  ["checksum", IcmpAt.Checksum, ICMP.checksum.offset],
  ["restOfHeader", IcmpAt.RestOfHeader, ICMP.restOfHeader.offset],
  ["identifier", IcmpAt.Identifier, ICMP_ECHO.identifier.offset],
  ["sequence", IcmpAt.Sequence, ICMP_ECHO.sequence.offset],
  ["header length", IcmpAt.HeaderLength, ICMP_HEADER_LENGTH],
  ["echo header length", IcmpAt.HeaderLength, ICMP_ECHO_HEADER_LENGTH],
  ["echo reply", IcmpAt.EchoReply, ICMP_ECHO_REPLY],
  ["echo request", IcmpAt.EchoRequest, ICMP_ECHO_REQUEST],
]);

/** The part of the offending datagram's ICMP header an ICMP error quotes, when it was ICMP. */
export interface QuotedIcmp {
  readonly type: number;
  readonly code: number;
  readonly identifier?: number;
  readonly sequence?: number;
}

/** The IPv4 header an ICMP error quotes. Its totalLength may well exceed the bytes quoted. */
export type QuotedIpv4 = Ipv4Record & { readonly icmp?: QuotedIcmp };

export interface IcmpRecord {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** null where it cannot be checked: the message is split over IPv4 fragments */
  readonly checksumValid: boolean | null;
  /** echo request and reply only */
  readonly identifier?: number;
  readonly sequence?: number;
  /** the four bytes after the checksum, for types other than echo (unused, next-hop MTU, pointer…) */
  readonly restOfHeader?: number;
  /** destination unreachable, time exceeded, parameter problem: the offending header, when ≥ 20 bytes are quoted */
  readonly quoted?: QuotedIpv4;
}

export function isEcho(type: number): boolean {
  return type === IcmpAt.EchoRequest || type === IcmpAt.EchoReply;
}

/**
 * A view of the ICMP message at bytes[offset, end), `end` being the end of the IPv4 payload: no copy,
 * reusable (view.ts). After a clean check() the 8-byte header's getters are safe; the message's
 * data are bytes[payloadOffset, end).
 */
export class IcmpPacket extends ByteRange implements PacketView {
  /**
   * Undefined when the 8-byte header is there; otherwise the length error for the first field cut
   * ("header" when `end`, the IPv4 totalLength, stopped it before the captured bytes ran out). The
   * same error decodeIcmp throws.
   */
  check(): DecodeError | undefined {
    const { bytes, offset } = this;
    const limit = Math.min(this.end, bytes.length);
    if (limit - offset >= IcmpAt.HeaderLength) return undefined;
    const field = firstFieldPast(ICMP_ECHO, offset, limit)!;
    const type = limit > offset ? bytes[offset] : -1;
    const name = isEcho(type) || field.offset < 4 ? field.name : "restOfHeader";
    const span = name === "restOfHeader" ? 4 : field.span;
    const at = name === "restOfHeader" ? offset + IcmpAt.RestOfHeader : offset + field.offset;
    return lengthError("icmp", name, at, at + span, limit, limit < bytes.length ? "header" : "captured");
  }

  /** the message type */
  get type(): number {
    return this.bytes[this.offset];
  }
  /** the message code */
  get code(): number {
    return this.bytes[this.offset + IcmpAt.Code];
  }
  /** the checksum field */
  get checksum(): number {
    return (this.bytes[this.offset + IcmpAt.Checksum] << 8) | this.bytes[this.offset + IcmpAt.Checksum + 1];
  }
  /** the echo identifier (the first half of restOfHeader; meaningful for echo request and reply) */
  get identifier(): number {
    return (this.bytes[this.offset + IcmpAt.Identifier] << 8) | this.bytes[this.offset + IcmpAt.Identifier + 1];
  }
  /** the echo sequence number (the second half of restOfHeader) */
  get sequence(): number {
    return (this.bytes[this.offset + IcmpAt.Sequence] << 8) | this.bytes[this.offset + IcmpAt.Sequence + 1];
  }
  /** the four bytes after the checksum as one number (unused, next-hop MTU, pointer…) */
  get restOfHeader(): number {
    const b = this.bytes;
    const at = this.offset + IcmpAt.RestOfHeader;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  /** true when the checksum verifies over the whole message (meaningless for a first fragment) */
  get checksumValid(): boolean {
    return foldChecksum(onesComplementSum(this.bytes, this.offset, Math.min(this.end, this.bytes.length))) === 0;
  }
  /** absolute offset of the data after the 8-byte header (an error's quoted datagram) */
  get payloadOffset(): number {
    return this.offset + IcmpAt.HeaderLength;
  }
}

const scratch = new IcmpPacket();

/**
 * Decodes the ICMP message at bytes[start..end) (end = the end of the IPv4 payload): `parseIcmp` of
 * a checked IcmpPacket. The message's data are bytes[start + 8, end). Pass `whole = false` for the
 * first fragment of a fragmented datagram: the checksum then cannot be verified and checksumValid is null.
 * @throws DecodeError when fewer than 8 bytes are at hand (IcmpPacket.check's error)
 */
export function decodeIcmp(bytes: Uint8Array, start = 0, end = bytes.length, whole = true): IcmpRecord {
  const error = scratch.reset(bytes, start, end).check();
  if (error !== undefined) throw error;
  return parseIcmp(scratch, whole);
}

/**
 * The record of a checked view (call `view.check()` first), with the header an error quotes decoded
 * when it is usable. `whole` as for decodeIcmp.
 */
export function parseIcmp(view: IcmpPacket, whole = true): IcmpRecord {
  return icmpRecordAt(view.bytes, view.offset, Math.min(view.end, view.bytes.length), whole);
}

const NO_OPTIONS: EncodeOptions = {};

/** What encodeIcmp needs: checksum and its validity are derived unless kept. */
export type IcmpFields = Omit<IcmpRecord, "checksum" | "checksumValid" | "quoted"> & { readonly checksum?: number };

/**
 * Writes the 8-byte ICMP header at `into[offset]`, with `data` after it, and returns the message
 * length. The checksum covers header and data; `computeChecksums: false` writes record.checksum instead.
 */
export function encodeIcmp(
  record: IcmpFields,
  data: Uint8Array,
  into: Uint8Array,
  offset = 0,
  options: EncodeOptions = NO_OPTIONS,
): number {
  const type = record.type;
  const code = record.code;
  into[offset] = type;
  into[offset + IcmpAt.Code] = code;
  into[offset + IcmpAt.Checksum] = 0;
  into[offset + IcmpAt.Checksum + 1] = 0;
  // the header's words as written (each masked as its byte stores mask it), for the checksum
  let headerSum = ((type & 0xff) << 8) | (code & 0xff);
  if (isEcho(type)) {
    const identifier = record.identifier ?? 0;
    const sequence = record.sequence ?? 0;
    into[offset + IcmpAt.Identifier] = identifier >>> 8;
    into[offset + IcmpAt.Identifier + 1] = identifier & 0xff;
    into[offset + IcmpAt.Sequence] = sequence >>> 8;
    into[offset + IcmpAt.Sequence + 1] = sequence & 0xff;
    headerSum += (identifier & 0xffff) + (sequence & 0xffff);
  } else {
    const rest = record.restOfHeader ?? 0;
    into[offset + IcmpAt.RestOfHeader] = rest >>> 24;
    into[offset + IcmpAt.RestOfHeader + 1] = (rest >>> 16) & 0xff;
    into[offset + IcmpAt.RestOfHeader + 2] = (rest >>> 8) & 0xff;
    into[offset + IcmpAt.RestOfHeader + 3] = rest & 0xff;
    headerSum += (rest >>> 16) + (rest & 0xffff);
  }
  const dataAt = offset + IcmpAt.HeaderLength;
  if (data.length > 0) into.set(data, dataAt);
  const end = dataAt + data.length;
  const checksum =
    !computesChecksums(options) && record.checksum !== undefined ? record.checksum : foldChecksum(onesComplementSum(into, dataAt, end, headerSum));
  into[offset + IcmpAt.Checksum] = checksum >>> 8;
  into[offset + IcmpAt.Checksum + 1] = checksum & 0xff;
  return end - offset;
}

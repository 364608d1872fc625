// IPv4 headers (RFC 791): every field, options kept as bytes, the header checksum verified on decode
// (reported in the record, never thrown) and computed on encode. totalLength bounds the datagram:
// bytes after it (Ethernet padding) are not part of it; a totalLength past the bytes at hand is an error.
//
//   0          1          2             4                6                       8     9        10         12       16
//   | ver|ihl  | dscp|ecn | totalLength | identification | R|DF|MF|fragOffset/8 | ttl | proto | checksum | source | destination | options
import { blob, bits, struct, u16be, u8 } from "buffer-layout";
import { Ipv4 } from "./address";
import { foldChecksum, onesComplementSum } from "./checksum";
import { DecodeError } from "./errors";
import { bitTable, fieldTable, firstFieldPast } from "./layout";

export const IP_PROTOCOL_ICMP = 1;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;

const versionAndLength = bits(u8("versionAndHeaderLength"), true, "versionAndHeaderLength");
const versionAndLengthFields = [versionAndLength.addField(4, "version"), versionAndLength.addField(4, "headerWords")];
const trafficClass = bits(u8("trafficClass"), true, "trafficClass");
const trafficClassFields = [trafficClass.addField(6, "dscp"), trafficClass.addField(2, "ecn")];
const fragment = bits(u16be("flagsAndFragmentOffset"), true, "flagsAndFragmentOffset");
const fragmentFields = [
  fragment.addBoolean("reservedFlag"),
  fragment.addBoolean("dontFragment"),
  fragment.addBoolean("moreFragments"),
  fragment.addField(13, "fragmentUnits"),
];

export const ipv4Layout = struct([
  versionAndLength,
  trafficClass,
  u16be("totalLength"),
  u16be("identification"),
  fragment,
  u8("ttl"),
  u8("protocol"),
  u16be("checksum"),
  blob(4, "source"),
  blob(4, "destination"),
]);
export const IPV4 = fieldTable(ipv4Layout);
/** Header length without options. */
export const IPV4_MIN_HEADER_LENGTH = ipv4Layout.span;
const IPV4_MAX_HEADER_LENGTH = 60;
const VERSION_IHL = bitTable(ipv4Layout, versionAndLength, versionAndLengthFields);
const TRAFFIC_CLASS = bitTable(ipv4Layout, trafficClass, trafficClassFields);
const FRAGMENT = bitTable(ipv4Layout, fragment, fragmentFields);

const NO_OPTIONS = new Uint8Array(0);

export interface Ipv4Record {
  readonly version: number;
  /** header length in bytes, options included (20..60) */
  readonly headerLength: number;
  readonly dscp: number;
  readonly ecn: number;
  /** header plus payload, in bytes, as the header says */
  readonly totalLength: number;
  readonly identification: number;
  /** the reserved ("evil") flag bit, kept so that encode(decode(b)) gives b back */
  readonly reservedFlag: boolean;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** in bytes (the header counts 8-byte units) */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly checksumValid: boolean;
  readonly source: Ipv4;
  readonly destination: Ipv4;
  /** option bytes as on the wire (headerLength − 20 of them); a view into the decoded bytes */
  readonly options: Uint8Array;
}

/** True when this datagram is a fragment (not the whole datagram). */
export function isFragment(record: Pick<Ipv4Record, "moreFragments" | "fragmentOffset">): boolean {
  return record.moreFragments || record.fragmentOffset !== 0;
}

function bad(field: string, offset: number, needed: number, available: number, reason: string): DecodeError {
  return new DecodeError("ipv4", field, offset, needed, available, reason);
}

/**
 * Reads the fixed header fields; checks lengths only as far as the header goes. Shared by the frame
 * decoder and the ICMP decoder (for the header an ICMP error quotes). Returns undefined when
 * `lenient` and the header is unusable; otherwise throws DecodeError.
 */
export function decodeIpv4Header(bytes: Uint8Array, start: number, end: number, lenient: boolean): Ipv4Record | undefined {
  if (end - start < IPV4_MIN_HEADER_LENGTH) {
    if (lenient) return undefined;
    const field = firstFieldPast(IPV4, start, end)!;
    const name = field.name === "versionAndHeaderLength" ? "version" : field.name;
    throw new DecodeError("ipv4", name, start + field.offset, start + field.offset + field.span, end);
  }
  const first = bytes[start];
  const version = (first >>> VERSION_IHL.version.shift) & VERSION_IHL.version.mask;
  const headerLength = ((first >>> VERSION_IHL.headerWords.shift) & VERSION_IHL.headerWords.mask) * 4;
  if (version !== 4) {
    if (lenient) return undefined;
    throw bad("version", start, 4, version, `version ${version}, need 4`);
  }
  if (headerLength < IPV4_MIN_HEADER_LENGTH) {
    if (lenient) return undefined;
    throw bad("headerLength", start, 5, headerLength / 4, `IHL ${headerLength / 4} (${headerLength} bytes), need at least 5 (20 bytes)`);
  }
  if (end - start < headerLength) {
    if (lenient) return undefined;
    throw new DecodeError("ipv4", "options", start + IPV4_MIN_HEADER_LENGTH, start + headerLength, end);
  }
  const tos = bytes[start + 1];
  const flags = (bytes[start + 6] << 8) | bytes[start + 7];
  const checksumSum = onesComplementSum(bytes, start, start + headerLength);
  return {
    version,
    headerLength,
    dscp: (tos >>> TRAFFIC_CLASS.dscp.shift) & TRAFFIC_CLASS.dscp.mask,
    ecn: (tos >>> TRAFFIC_CLASS.ecn.shift) & TRAFFIC_CLASS.ecn.mask,
    totalLength: (bytes[start + 2] << 8) | bytes[start + 3],
    identification: (bytes[start + 4] << 8) | bytes[start + 5],
    reservedFlag: ((flags >>> FRAGMENT.reservedFlag.shift) & 1) === 1,
    dontFragment: ((flags >>> FRAGMENT.dontFragment.shift) & 1) === 1,
    moreFragments: ((flags >>> FRAGMENT.moreFragments.shift) & 1) === 1,
    fragmentOffset: ((flags >>> FRAGMENT.fragmentUnits.shift) & FRAGMENT.fragmentUnits.mask) * 8,
    ttl: bytes[start + 8],
    protocol: bytes[start + 9],
    checksum: (bytes[start + 10] << 8) | bytes[start + 11],
    checksumValid: foldChecksum(checksumSum) === 0,
    source: Ipv4.read(bytes, start + 12),
    destination: Ipv4.read(bytes, start + 16),
    options: headerLength === IPV4_MIN_HEADER_LENGTH ? NO_OPTIONS : bytes.subarray(start + IPV4_MIN_HEADER_LENGTH, start + headerLength),
  };
}

/**
 * Decodes the IPv4 header at bytes[start..end) and checks totalLength against the bytes at hand.
 * The payload is bytes[start + headerLength, start + totalLength).
 * @throws DecodeError for a short header, version ≠ 4, IHL < 5, or a totalLength under the header
 *   length or past `end`
 */
export function decodeIpv4(bytes: Uint8Array, start = 0, end = bytes.length): Ipv4Record {
  const record = decodeIpv4Header(bytes, start, end, false)!;
  const totalAt = start + IPV4.totalLength.offset;
  if (record.totalLength < record.headerLength) {
    throw bad("totalLength", totalAt, record.headerLength, record.totalLength,
      `totalLength ${record.totalLength} is under the header length ${record.headerLength}`);
  }
  if (start + record.totalLength > end) {
    throw bad("totalLength", totalAt, start + record.totalLength, end,
      `totalLength ${record.totalLength} runs past the end of the frame: need ${start + record.totalLength} bytes, got ${end}`);
  }
  return record;
}

/** What encodeIpv4 needs: the record without the fields it derives (lengths, checksum validity). */
export type Ipv4Fields = Omit<Ipv4Record, "checksumValid" | "headerLength" | "totalLength" | "version" | "options" | "checksum"> &
  Partial<Pick<Ipv4Record, "checksum" | "options" | "version" | "headerLength" | "totalLength">>;

export interface EncodeOptions {
  /**
   * "compute" (default): write correct lengths and checksums.
   * "keep": write checksum, totalLength, headerLength and version exactly as the record says — to
   * craft malformed packets for tests.
   */
  readonly checksums?: "compute" | "keep";
}

/** Header length `record` encodes to: 20 plus its options (padded to 4 bytes). */
export function ipv4HeaderLength(record: Ipv4Fields): number {
  const optionBytes = record.options?.length ?? 0;
  return IPV4_MIN_HEADER_LENGTH + ((optionBytes + 3) & ~3);
}

/**
 * Writes the IPv4 header at `into[offset]` for a payload of `payloadLength` bytes and returns the
 * header length. With checksums "compute", totalLength = header + payload and the checksum is filled.
 */
export function encodeIpv4(record: Ipv4Fields, payloadLength: number, into: Uint8Array, offset = 0, encodeOptions: EncodeOptions = {}): number {
  const keep = encodeOptions.checksums === "keep";
  const headerLength = ipv4HeaderLength(record);
  if (headerLength > IPV4_MAX_HEADER_LENGTH) throw new RangeError(`ipv4: ${headerLength - 20} option bytes, at most 40 fit`);
  const writtenHeaderLength = keep && record.headerLength !== undefined ? record.headerLength : headerLength;
  const version = keep && record.version !== undefined ? record.version : 4;
  const totalLength = keep && record.totalLength !== undefined ? record.totalLength : headerLength + payloadLength;
  into[offset] = ((version & 0xf) << VERSION_IHL.version.shift) | (((writtenHeaderLength >>> 2) & 0xf) << VERSION_IHL.headerWords.shift);
  into[offset + 1] = ((record.dscp & 0x3f) << TRAFFIC_CLASS.dscp.shift) | ((record.ecn & 3) << TRAFFIC_CLASS.ecn.shift);
  into[offset + 2] = (totalLength >>> 8) & 0xff;
  into[offset + 3] = totalLength & 0xff;
  into[offset + 4] = (record.identification >>> 8) & 0xff;
  into[offset + 5] = record.identification & 0xff;
  const flags =
    ((record.reservedFlag ? 1 : 0) << FRAGMENT.reservedFlag.shift) |
    ((record.dontFragment ? 1 : 0) << FRAGMENT.dontFragment.shift) |
    ((record.moreFragments ? 1 : 0) << FRAGMENT.moreFragments.shift) |
    (((record.fragmentOffset >>> 3) & FRAGMENT.fragmentUnits.mask) << FRAGMENT.fragmentUnits.shift);
  into[offset + 6] = flags >>> 8;
  into[offset + 7] = flags & 0xff;
  into[offset + 8] = record.ttl;
  into[offset + 9] = record.protocol;
  into[offset + 10] = 0;
  into[offset + 11] = 0;
  record.source.write(into, offset + IPV4.source.offset);
  record.destination.write(into, offset + IPV4.destination.offset);
  const options = record.options;
  if (options !== undefined && options.length > 0) {
    into.set(options, offset + IPV4_MIN_HEADER_LENGTH);
    into.fill(0, offset + IPV4_MIN_HEADER_LENGTH + options.length, offset + headerLength);
  }
  const checksum = keep && record.checksum !== undefined ? record.checksum : foldChecksum(onesComplementSum(into, offset, offset + headerLength));
  into[offset + 10] = checksum >>> 8;
  into[offset + 11] = checksum & 0xff;
  return headerLength;
}

// IPv4 headers (RFC 791): every field, options kept as bytes, the header checksum verified on decode
// (reported in the record, never thrown) and computed on encode. totalLength bounds the datagram:
// bytes after it (Ethernet padding) are not part of it; a totalLength past the bytes at hand is an error.
//
//   0          1          2             4                6                       8     9        10         12       16
//   | ver|ihl  | dscp|ecn | totalLength | identification | R|DF|MF|fragOffset/8 | ttl | proto | checksum | source | destination | options
import type { HeaderLayout } from "./positions";
import { blob, bits, struct, u16be, u8 } from "buffer-layout";
import { Ipv4 } from "./address";
import { foldChecksum, onesComplementSum } from "./checksum";
import { DecodeError } from "./errors";
import { bitTable, checkLiterals, fieldTable, firstFieldPast } from "./layout";

export const IP_PROTOCOL_ICMP = 1;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;
export const IP_PROTOCOL_IGMP = 2;
/** The IPv6 fragment extension header's next-header number. */
export const IP_PROTOCOL_IPV6_FRAGMENT = 44;
export const IP_PROTOCOL_ICMPV6 = 58;
export const IP_PROTOCOL_SCTP = 132;

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

const ipv4Structure = struct([
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
/** The header's description (field names, widths, order), for tools that show or check layouts. */
export const ipv4Layout: HeaderLayout = ipv4Structure;
export const IPV4 = fieldTable(ipv4Structure);
/** Header length without options. */
export const IPV4_MIN_HEADER_LENGTH = ipv4Structure.span;
const IPV4_MAX_HEADER_LENGTH = 60;
const VERSION_IHL = bitTable(ipv4Structure, versionAndLength, versionAndLengthFields);
const TRAFFIC_CLASS = bitTable(ipv4Structure, trafficClass, trafficClassFields);
const FRAGMENT = bitTable(ipv4Structure, fragment, fragmentFields);

const NO_OPTIONS = new Uint8Array(0);

/** The layout's numbers as literals for the hot paths; checked against the layout below. */
const enum Ip {
  TotalLength = 2,
  Identification = 4,
  Flags = 6,
  Ttl = 8,
  Protocol = 9,
  Checksum = 10,
  Source = 12,
  Destination = 16,
  MinHeaderLength = 20,
  ReservedFlag = 0x8000,
  DontFragment = 0x4000,
  MoreFragments = 0x2000,
  FragmentUnits = 0x1fff,
}
checkLiterals("ipv4", [
  ["totalLength", Ip.TotalLength, IPV4.totalLength.offset],
  ["identification", Ip.Identification, IPV4.identification.offset],
  ["flags", Ip.Flags, IPV4.flagsAndFragmentOffset.offset],
  ["ttl", Ip.Ttl, IPV4.ttl.offset],
  ["protocol", Ip.Protocol, IPV4.protocol.offset],
  ["checksum", Ip.Checksum, IPV4.checksum.offset],
  ["source", Ip.Source, IPV4.source.offset],
  ["destination", Ip.Destination, IPV4.destination.offset],
  ["header length", Ip.MinHeaderLength, IPV4_MIN_HEADER_LENGTH],
  ["version shift", 4, VERSION_IHL.version.shift],
  ["version mask", 0xf, VERSION_IHL.version.mask],
  ["IHL shift", 0, VERSION_IHL.headerWords.shift],
  ["IHL mask", 0xf, VERSION_IHL.headerWords.mask],
  ["dscp shift", 2, TRAFFIC_CLASS.dscp.shift],
  ["dscp mask", 0x3f, TRAFFIC_CLASS.dscp.mask],
  ["ecn shift", 0, TRAFFIC_CLASS.ecn.shift],
  ["ecn mask", 3, TRAFFIC_CLASS.ecn.mask],
  ["reserved flag", Ip.ReservedFlag, 1 << FRAGMENT.reservedFlag.shift],
  ["DF flag", Ip.DontFragment, 1 << FRAGMENT.dontFragment.shift],
  ["MF flag", Ip.MoreFragments, 1 << FRAGMENT.moreFragments.shift],
  ["fragment offset shift", 0, FRAGMENT.fragmentUnits.shift],
  ["fragment offset mask", Ip.FragmentUnits, FRAGMENT.fragmentUnits.mask],
]);

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
  if (end - start < Ip.MinHeaderLength) {
    if (lenient) return undefined;
    const field = firstFieldPast(IPV4, start, end)!;
    const name = field.name === "versionAndHeaderLength" ? "version" : field.name;
    throw new DecodeError("ipv4", name, start + field.offset, start + field.offset + field.span, end);
  }
  const first = bytes[start];
  const version = first >>> 4;
  const headerLength = (first & 0xf) * 4;
  if (version !== 4) {
    if (lenient) return undefined;
    throw bad("version", start, 4, version, `version ${version}, need 4`);
  }
  if (headerLength < Ip.MinHeaderLength) {
    if (lenient) return undefined;
    throw bad("headerLength", start, 5, headerLength / 4, `IHL ${headerLength / 4} (${headerLength} bytes), need at least 5 (20 bytes)`);
  }
  if (end - start < headerLength) {
    if (lenient) return undefined;
    throw new DecodeError("ipv4", "options", start + Ip.MinHeaderLength, start + headerLength, end);
  }
  const tos = bytes[start + 1];
  const flags = (bytes[start + Ip.Flags] << 8) | bytes[start + Ip.Flags + 1];
  return {
    version,
    headerLength,
    dscp: tos >>> 2,
    ecn: tos & 3,
    totalLength: (bytes[start + Ip.TotalLength] << 8) | bytes[start + Ip.TotalLength + 1],
    identification: (bytes[start + Ip.Identification] << 8) | bytes[start + Ip.Identification + 1],
    reservedFlag: (flags & Ip.ReservedFlag) !== 0,
    dontFragment: (flags & Ip.DontFragment) !== 0,
    moreFragments: (flags & Ip.MoreFragments) !== 0,
    fragmentOffset: (flags & Ip.FragmentUnits) * 8,
    ttl: bytes[start + Ip.Ttl],
    protocol: bytes[start + Ip.Protocol],
    checksum: (bytes[start + Ip.Checksum] << 8) | bytes[start + Ip.Checksum + 1],
    checksumValid: foldChecksum(onesComplementSum(bytes, start, start + headerLength)) === 0,
    source: Ipv4.read(bytes, start + Ip.Source),
    destination: Ipv4.read(bytes, start + Ip.Destination),
    options: headerLength === Ip.MinHeaderLength ? NO_OPTIONS : bytes.subarray(start + Ip.MinHeaderLength, start + headerLength),
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
  const totalAt = start + Ip.TotalLength;
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

const NO_ENCODE_OPTIONS: EncodeOptions = {};

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
  return Ip.MinHeaderLength + ((optionBytes + 3) & ~3);
}

/**
 * Writes the IPv4 header at `into[offset]` for a payload of `payloadLength` bytes and returns the
 * header length. With checksums "compute", totalLength = header + payload and the checksum is filled.
 */
export function encodeIpv4(record: Ipv4Fields, payloadLength: number, into: Uint8Array, offset = 0, encodeOptions: EncodeOptions = NO_ENCODE_OPTIONS): number {
  const keep = encodeOptions.checksums === "keep";
  const options = record.options;
  const optionBytes = options === undefined ? 0 : options.length;
  const headerLength = Ip.MinHeaderLength + ((optionBytes + 3) & ~3);
  if (headerLength > IPV4_MAX_HEADER_LENGTH) throw new RangeError(`ipv4: ${headerLength - 20} option bytes, at most 40 fit`);
  const writtenHeaderLength = keep && record.headerLength !== undefined ? record.headerLength : headerLength;
  const version = keep && record.version !== undefined ? record.version : 4;
  const totalLength = keep && record.totalLength !== undefined ? record.totalLength : headerLength + payloadLength;
  const identification = record.identification;
  const ttl = record.ttl;
  const protocol = record.protocol;
  const source = record.source.value;
  const destination = record.destination.value;
  const first = ((version & 0xf) << 4) | ((writtenHeaderLength >>> 2) & 0xf);
  const tos = ((record.dscp & 0x3f) << 2) | (record.ecn & 3);
  const flags =
    (record.reservedFlag ? Ip.ReservedFlag : 0) |
    (record.dontFragment ? Ip.DontFragment : 0) |
    (record.moreFragments ? Ip.MoreFragments : 0) |
    ((record.fragmentOffset >>> 3) & Ip.FragmentUnits);
  into[offset] = first;
  into[offset + 1] = tos;
  into[offset + Ip.TotalLength] = (totalLength >>> 8) & 0xff;
  into[offset + Ip.TotalLength + 1] = totalLength & 0xff;
  into[offset + Ip.Identification] = (identification >>> 8) & 0xff;
  into[offset + Ip.Identification + 1] = identification & 0xff;
  into[offset + Ip.Flags] = flags >>> 8;
  into[offset + Ip.Flags + 1] = flags & 0xff;
  into[offset + Ip.Ttl] = ttl;
  into[offset + Ip.Protocol] = protocol;
  into[offset + Ip.Source] = source >>> 24;
  into[offset + Ip.Source + 1] = (source >>> 16) & 0xff;
  into[offset + Ip.Source + 2] = (source >>> 8) & 0xff;
  into[offset + Ip.Source + 3] = source & 0xff;
  into[offset + Ip.Destination] = destination >>> 24;
  into[offset + Ip.Destination + 1] = (destination >>> 16) & 0xff;
  into[offset + Ip.Destination + 2] = (destination >>> 8) & 0xff;
  into[offset + Ip.Destination + 3] = destination & 0xff;
  if (optionBytes > 0) {
    into.set(options!, offset + Ip.MinHeaderLength);
    into.fill(0, offset + Ip.MinHeaderLength + optionBytes, offset + headerLength);
  }
  let checksum: number;
  if (keep && record.checksum !== undefined) checksum = record.checksum;
  else {
    // The sum of the header's words from the values just written (each masked as its byte stores
    // mask it) rather than read back; only the option words are read back.
    let sum =
      (first << 8) +
      tos +
      (totalLength & 0xffff) +
      (identification & 0xffff) +
      flags +
      (((ttl & 0xff) << 8) | (protocol & 0xff)) +
      (source >>> 16) +
      (source & 0xffff) +
      (destination >>> 16) +
      (destination & 0xffff);
    if (optionBytes > 0) sum = onesComplementSum(into, offset + Ip.MinHeaderLength, offset + headerLength, sum);
    checksum = foldChecksum(sum);
  }
  into[offset + Ip.Checksum] = checksum >>> 8;
  into[offset + Ip.Checksum + 1] = checksum & 0xff;
  return headerLength;
}

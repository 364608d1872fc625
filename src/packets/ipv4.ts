// IPv4 headers (RFC 791): every field, options kept as bytes, the header checksum verified on decode
// (reported in the record, never thrown) and computed on encode. totalLength bounds the datagram:
// bytes after it (Ethernet padding) are not part of it; a totalLength past the bytes at hand is an error.
// In the codecs-v2 shape (view.ts): the Ipv4Packet view, parseIpv4, and decodeIpv4 = both.
//
//   0          1          2             4                6                       8     9        10         12       16
//   | ver|ihl  | dscp|ecn | totalLength | identification | R|DF|MF|fragOffset/8 | ttl | proto | checksum | source | destination | options
import type { HeaderLayout } from "./positions";
import { blob, bits, struct, u16be, u8 } from "buffer-layout";
import { Ipv4 } from "./address";
import { foldChecksum, onesComplementSum } from "./checksum";
import { contentError, DecodeError, lengthError } from "./errors";
import { bitTable, checkLiterals, fieldTable, firstFieldPast } from "./layout";
import { ipv4RecordAt } from "./layer-records";
import { ByteRange } from "./view";
import type { EmitOptions, PacketView } from "./view";
import { IpProtocol, Ipv4At } from "./wire-literals";

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
const VERSION_IHL = bitTable(ipv4Structure, versionAndLength, versionAndLengthFields);
const TRAFFIC_CLASS = bitTable(ipv4Structure, trafficClass, trafficClassFields);
const FRAGMENT = bitTable(ipv4Structure, fragment, fragmentFields);

const NO_OPTIONS = new Uint8Array(0);

// The layout's numbers as literals for the hot paths (Ipv4At in wire-literals.ts, which frame.ts and
// summary.ts use too), checked here against the layout.
checkLiterals("ipv4", [
  ["versionAndHeaderLength", Ipv4At.VersionAndLength, IPV4.versionAndHeaderLength.offset],
  ["trafficClass", Ipv4At.TrafficClass, IPV4.trafficClass.offset],
  ["totalLength", Ipv4At.TotalLength, IPV4.totalLength.offset],
  ["identification", Ipv4At.Identification, IPV4.identification.offset],
  ["flags", Ipv4At.Flags, IPV4.flagsAndFragmentOffset.offset],
  ["ttl", Ipv4At.Ttl, IPV4.ttl.offset],
  ["protocol", Ipv4At.Protocol, IPV4.protocol.offset],
  ["checksum", Ipv4At.Checksum, IPV4.checksum.offset],
  ["source", Ipv4At.Source, IPV4.source.offset],
  ["destination", Ipv4At.Destination, IPV4.destination.offset],
  ["header length", Ipv4At.MinHeaderLength, IPV4_MIN_HEADER_LENGTH],
  ["largest header length", Ipv4At.MaxHeaderLength, VERSION_IHL.headerWords.mask * 4],
  ["version shift", Ipv4At.VersionShift, VERSION_IHL.version.shift],
  ["version mask", 0xf, VERSION_IHL.version.mask],
  ["IHL shift", 0, VERSION_IHL.headerWords.shift],
  ["IHL mask", Ipv4At.HeaderWordsMask, VERSION_IHL.headerWords.mask],
  ["dscp shift", Ipv4At.DscpShift, TRAFFIC_CLASS.dscp.shift],
  ["dscp mask", 0x3f, TRAFFIC_CLASS.dscp.mask],
  ["ecn shift", 0, TRAFFIC_CLASS.ecn.shift],
  ["ecn mask", Ipv4At.EcnMask, TRAFFIC_CLASS.ecn.mask],
  ["reserved flag", Ipv4At.ReservedFlag, 1 << FRAGMENT.reservedFlag.shift],
  ["DF flag", Ipv4At.DontFragment, 1 << FRAGMENT.dontFragment.shift],
  ["MF flag", Ipv4At.MoreFragments, 1 << FRAGMENT.moreFragments.shift],
  ["fragment offset shift", 0, FRAGMENT.fragmentUnits.shift],
  ["fragment offset mask", Ipv4At.FragmentUnits, FRAGMENT.fragmentUnits.mask],
  ["ICMP protocol", Ipv4At.ProtocolIcmp, IP_PROTOCOL_ICMP],
  ["ICMP protocol number", IpProtocol.Icmp, IP_PROTOCOL_ICMP],
  ["IGMP protocol number", IpProtocol.Igmp, IP_PROTOCOL_IGMP],
  ["TCP protocol number", IpProtocol.Tcp, IP_PROTOCOL_TCP],
  ["UDP protocol number", IpProtocol.Udp, IP_PROTOCOL_UDP],
  ["IPv6 fragment protocol number", IpProtocol.Fragment, IP_PROTOCOL_IPV6_FRAGMENT],
  ["ICMPv6 protocol number", IpProtocol.Icmpv6, IP_PROTOCOL_ICMPV6],
  ["SCTP protocol number", IpProtocol.Sctp, IP_PROTOCOL_SCTP],
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

/** A content error: `field` at `offset` holds `value`, wrong for `reason`. */
function bad(field: string, offset: number, value: number, reason: string): DecodeError {
  return contentError("ipv4", field, offset, value, reason);
}

/**
 * A view of the IPv4 datagram at bytes[offset, end): no copy, reusable (view.ts). `end` is what the
 * enclosing layer allows (the frame's end); the datagram itself ends at offset + totalLength. After a
 * clean check() the getters read inside the header; addresses come out as 32-bit numbers.
 */
export class Ipv4Packet extends ByteRange implements PacketView {
  /**
   * The header alone: undefined when the fixed header is there, the version is 4, the IHL at least 5
   * and the options inside the bytes; otherwise the first problem (a length error, or a content error
   * with the field and its value). totalLength is not looked at: an ICMP error quotes headers whose
   * datagram is not there. The getters are safe after it; payloadEnd is not.
   */
  checkHeader(): DecodeError | undefined {
    const { bytes, offset, end } = this;
    const limit = Math.min(end, bytes.length);
    if (limit - offset < Ipv4At.MinHeaderLength) {
      const field = firstFieldPast(IPV4, offset, limit)!;
      const name = field.name === "versionAndHeaderLength" ? "version" : field.name;
      return lengthError("ipv4", name, offset + field.offset, offset + field.offset + field.span, limit, limit < bytes.length ? "header" : "captured");
    }
    const first = bytes[offset];
    const version = first >>> Ipv4At.VersionShift;
    const headerLength = (first & Ipv4At.HeaderWordsMask) * 4;
    if (version !== 4) return bad("version", offset, version, `version ${version}, need 4`);
    if (headerLength < Ipv4At.MinHeaderLength) {
      return bad("headerLength", offset, headerLength / 4, `IHL ${headerLength / 4} (${headerLength} bytes), need at least 5 (20 bytes)`);
    }
    if (limit - offset < headerLength) {
      return lengthError("ipv4", "options", offset + Ipv4At.MinHeaderLength, offset + headerLength, limit, limit < bytes.length ? "header" : "captured");
    }
    return undefined;
  }

  /**
   * checkHeader, then the datagram: undefined when totalLength covers the header and ends inside
   * bytes[offset, end); a totalLength past it is a length error (most often a capture cut by its
   * snap length), one under the header length a content error. The same error decodeIpv4 throws.
   */
  check(): DecodeError | undefined {
    const error = this.checkHeader();
    if (error !== undefined) return error;
    const totalLength = this.totalLength;
    const headerLength = this.headerLength;
    const totalAt = this.offset + Ipv4At.TotalLength;
    if (totalLength < headerLength) return bad("totalLength", totalAt, totalLength, `totalLength ${totalLength} is under the header length ${headerLength}`);
    const limit = Math.min(this.end, this.bytes.length);
    if (this.offset + totalLength > limit) {
      return lengthError("ipv4", "totalLength", totalAt, this.offset + totalLength, limit, limit < this.bytes.length ? "header" : "captured");
    }
    return undefined;
  }

  /** the version field (4 after a clean check) */
  get version(): number {
    return this.bytes[this.offset] >>> Ipv4At.VersionShift;
  }
  /** header length in bytes, options included (20..60), from the IHL */
  get headerLength(): number {
    return (this.bytes[this.offset] & Ipv4At.HeaderWordsMask) * 4;
  }
  /** differentiated services code point */
  get dscp(): number {
    return this.bytes[this.offset + Ipv4At.TrafficClass] >>> Ipv4At.DscpShift;
  }
  /** explicit congestion notification bits */
  get ecn(): number {
    return this.bytes[this.offset + Ipv4At.TrafficClass] & Ipv4At.EcnMask;
  }
  /** header plus payload, in bytes, as the header says */
  get totalLength(): number {
    return (this.bytes[this.offset + Ipv4At.TotalLength] << 8) | this.bytes[this.offset + Ipv4At.TotalLength + 1];
  }
  /** the identification field */
  get identification(): number {
    return (this.bytes[this.offset + Ipv4At.Identification] << 8) | this.bytes[this.offset + Ipv4At.Identification + 1];
  }
  /** the flags and fragment offset word as on the wire */
  get flagsAndFragmentOffset(): number {
    return (this.bytes[this.offset + Ipv4At.Flags] << 8) | this.bytes[this.offset + Ipv4At.Flags + 1];
  }
  /** the reserved ("evil") flag bit */
  get reservedFlag(): boolean {
    return (this.flagsAndFragmentOffset & Ipv4At.ReservedFlag) !== 0;
  }
  /** don't fragment */
  get dontFragment(): boolean {
    return (this.flagsAndFragmentOffset & Ipv4At.DontFragment) !== 0;
  }
  /** more fragments follow */
  get moreFragments(): boolean {
    return (this.flagsAndFragmentOffset & Ipv4At.MoreFragments) !== 0;
  }
  /** the fragment's offset in bytes (the header counts 8-byte units) */
  get fragmentOffset(): number {
    return (this.flagsAndFragmentOffset & Ipv4At.FragmentUnits) * 8;
  }
  /** time to live */
  get ttl(): number {
    return this.bytes[this.offset + Ipv4At.Ttl];
  }
  /** the payload's protocol number */
  get protocol(): number {
    return this.bytes[this.offset + Ipv4At.Protocol];
  }
  /** the header checksum field */
  get checksum(): number {
    return (this.bytes[this.offset + Ipv4At.Checksum] << 8) | this.bytes[this.offset + Ipv4At.Checksum + 1];
  }
  /** true when the header checksum verifies (computed on each call) */
  get checksumValid(): boolean {
    return foldChecksum(onesComplementSum(this.bytes, this.offset, this.offset + this.headerLength)) === 0;
  }
  /** the source address as a 32-bit number */
  get source(): number {
    return u32(this.bytes, this.offset + Ipv4At.Source);
  }
  /** the destination address as a 32-bit number */
  get destination(): number {
    return u32(this.bytes, this.offset + Ipv4At.Destination);
  }
  /** absolute offset of the options (headerLength − 20 bytes of them) */
  get optionsOffset(): number {
    return this.offset + Ipv4At.MinHeaderLength;
  }
  /** absolute offset of the payload, after the options */
  get payloadOffset(): number {
    return this.offset + this.headerLength;
  }
  /** absolute offset one past the datagram, as totalLength says (valid after check(), not checkHeader()) */
  get payloadEnd(): number {
    return this.offset + this.totalLength;
  }
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

const scratch = new Ipv4Packet();

/**
 * Decodes the IPv4 header at bytes[start..end) checking the header alone (Ipv4Packet.checkHeader):
 * for the header an ICMP error quotes. Returns undefined when `lenient` and the header is unusable;
 * otherwise throws checkHeader's DecodeError.
 */
export function decodeIpv4Header(bytes: Uint8Array, start: number, end: number, lenient: boolean): Ipv4Record | undefined {
  const error = scratch.reset(bytes, start, end).checkHeader();
  if (error === undefined) return parseIpv4(scratch);
  if (lenient) return undefined;
  throw error;
}

/** The record of a view whose header is checked (call `view.check()` or `view.checkHeader()` first). */
export function parseIpv4(view: Ipv4Packet): Ipv4Record {
  return ipv4RecordAt(view.bytes, view.offset, view.headerLength);
}

/**
 * Decodes the IPv4 header at bytes[start..end) and checks totalLength against the bytes at hand:
 * `parseIpv4` of a checked Ipv4Packet. The payload is bytes[start + headerLength, start + totalLength).
 * @throws DecodeError (Ipv4Packet.check's): a length error (`truncated`, with its lengthSource) for a
 *   header cut short or a totalLength past `end`; a content error (the field and its value) for
 *   version ≠ 4, IHL < 5, or a totalLength under the header length
 */
export function decodeIpv4(bytes: Uint8Array, start = 0, end = bytes.length): Ipv4Record {
  const error = scratch.reset(bytes, start, end).check();
  if (error !== undefined) throw error;
  return parseIpv4(scratch);
}

/** What encodeIpv4 needs: the record without the fields it derives (lengths, checksum validity). */
export type Ipv4Fields = Omit<Ipv4Record, "checksumValid" | "headerLength" | "totalLength" | "version" | "options" | "checksum"> &
  Partial<Pick<Ipv4Record, "checksum" | "options" | "version" | "headerLength" | "totalLength">>;

const NO_ENCODE_OPTIONS: EncodeOptions = {};

/**
 * How the old codecs (IPv4, ICMP, encodeFrame) encode, named for what each option does as in the newer
 * codecs (view.ts): `fixLengths: false` writes the record's version, IHL and totalLength as they are;
 * `computeChecksums: false` writes its checksums as they are. Both default on. Each is independent:
 * a record with a wrong checksum and right lengths, or the reverse, can be crafted.
 */
export interface EncodeOptions extends EmitOptions {
  /**
   * The older, single switch: "keep" is `{ fixLengths: false, computeChecksums: false }` and "compute"
   * the default. fixLengths and computeChecksums, when given, win over it.
   * @deprecated use fixLengths and computeChecksums
   */
  readonly checksums?: "compute" | "keep";
}

/** options.fixLengths, or what the deprecated `checksums` says of it. */
export function fixesLengths(options: EncodeOptions): boolean {
  const fix = options.fixLengths;
  return fix === undefined ? options.checksums !== "keep" : fix;
}

/** options.computeChecksums, or what the deprecated `checksums` says of it. */
export function computesChecksums(options: EncodeOptions): boolean {
  const compute = options.computeChecksums;
  return compute === undefined ? options.checksums !== "keep" : compute;
}

/** Header length `record` encodes to: 20 plus its options (padded to 4 bytes). */
export function ipv4HeaderLength(record: Ipv4Fields): number {
  const optionBytes = record.options?.length ?? 0;
  return Ipv4At.MinHeaderLength + ((optionBytes + 3) & ~3);
}

/**
 * Writes the IPv4 header at `into[offset]` for a payload of `payloadLength` bytes and returns the
 * header length. By default totalLength = header + payload and the checksum is computed; see
 * EncodeOptions to write the record's own.
 */
export function encodeIpv4(record: Ipv4Fields, payloadLength: number, into: Uint8Array, offset = 0, encodeOptions: EncodeOptions = NO_ENCODE_OPTIONS): number {
  const keepLengths = !fixesLengths(encodeOptions);
  const options = record.options;
  const optionBytes = options === undefined ? 0 : options.length;
  const headerLength = Ipv4At.MinHeaderLength + ((optionBytes + 3) & ~3);
  if (headerLength > Ipv4At.MaxHeaderLength) throw new RangeError(`ipv4: ${headerLength - 20} option bytes, at most 40 fit`);
  const writtenHeaderLength = keepLengths && record.headerLength !== undefined ? record.headerLength : headerLength;
  const version = keepLengths && record.version !== undefined ? record.version : 4;
  const totalLength = keepLengths && record.totalLength !== undefined ? record.totalLength : headerLength + payloadLength;
  const identification = record.identification;
  const ttl = record.ttl;
  const protocol = record.protocol;
  const source = record.source.value;
  const destination = record.destination.value;
  const first = ((version & 0xf) << 4) | ((writtenHeaderLength >>> 2) & 0xf);
  const tos = ((record.dscp & 0x3f) << Ipv4At.DscpShift) | (record.ecn & Ipv4At.EcnMask);
  const flags =
    (record.reservedFlag ? Ipv4At.ReservedFlag : 0) |
    (record.dontFragment ? Ipv4At.DontFragment : 0) |
    (record.moreFragments ? Ipv4At.MoreFragments : 0) |
    ((record.fragmentOffset >>> 3) & Ipv4At.FragmentUnits);
  into[offset] = first;
  into[offset + Ipv4At.TrafficClass] = tos;
  into[offset + Ipv4At.TotalLength] = (totalLength >>> 8) & 0xff;
  into[offset + Ipv4At.TotalLength + 1] = totalLength & 0xff;
  into[offset + Ipv4At.Identification] = (identification >>> 8) & 0xff;
  into[offset + Ipv4At.Identification + 1] = identification & 0xff;
  into[offset + Ipv4At.Flags] = flags >>> 8;
  into[offset + Ipv4At.Flags + 1] = flags & 0xff;
  into[offset + Ipv4At.Ttl] = ttl;
  into[offset + Ipv4At.Protocol] = protocol;
  into[offset + Ipv4At.Source] = source >>> 24;
  into[offset + Ipv4At.Source + 1] = (source >>> 16) & 0xff;
  into[offset + Ipv4At.Source + 2] = (source >>> 8) & 0xff;
  into[offset + Ipv4At.Source + 3] = source & 0xff;
  into[offset + Ipv4At.Destination] = destination >>> 24;
  into[offset + Ipv4At.Destination + 1] = (destination >>> 16) & 0xff;
  into[offset + Ipv4At.Destination + 2] = (destination >>> 8) & 0xff;
  into[offset + Ipv4At.Destination + 3] = destination & 0xff;
  if (optionBytes > 0) {
    into.set(options!, offset + Ipv4At.MinHeaderLength);
    into.fill(0, offset + Ipv4At.MinHeaderLength + optionBytes, offset + headerLength);
  }
  let checksum: number;
  if (!computesChecksums(encodeOptions) && record.checksum !== undefined) checksum = record.checksum;
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
    if (optionBytes > 0) sum = onesComplementSum(into, offset + Ipv4At.MinHeaderLength, offset + headerLength, sum);
    checksum = foldChecksum(sum);
  }
  into[offset + Ipv4At.Checksum] = checksum >>> 8;
  into[offset + Ipv4At.Checksum + 1] = checksum & 0xff;
  return headerLength;
}

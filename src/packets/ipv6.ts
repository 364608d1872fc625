// IPv6 (RFC 8200): the fixed header and the extension-header chain in front of the upper layer —
// hop-by-hop options, routing, fragment and destination options — as a view (Ipv6Packet) and as a
// record (parseIpv6/emitIpv6/ipv6BufferLength), in the codecs-v2 shape of view.ts. Addresses stay
// 16 bytes at an offset; `Ipv6Address` holds a copy for records and gives RFC 5952 text on demand.
// Also the pseudo-header sum that ICMPv6, UDP and TCP checksums over IPv6 start from.
//
//   0               4               6            7          8        24            40
//   | ver|class|flow | payloadLength | nextHeader | hopLimit | source | destination | extension headers… | upper layer
//
// Extension headers (each a multiple of 8 bytes; the fragment header is always 8):
//   hop-by-hop (0), destination options (60): | nextHeader | length/8−1 | options (TLV, Pad1 = one 0 byte) |
//   routing (43):                             | nextHeader | length/8−1 | routingType | segmentsLeft | data |
//   fragment (44):                            | nextHeader | reserved | offset/8 ‹13› res ‹2› M ‹1› | identification |
//
// Limits: payloadLength 0 is an empty payload (jumbograms, RFC 2675, are not decoded); the chain is
// followed through at most MAX_IPV6_EXTENSIONS headers; a non-first fragment ends the chain (what
// follows it is the middle of a datagram, not a header).
import type { HeaderLayout } from "./positions";
import { bits, blob, struct, u16be, u32be, u8 } from "buffer-layout";
import { AddressError } from "./address";
import { foldChecksum, onesComplementSum } from "./checksum";
import { contentError, DecodeError, lengthError } from "./errors";
import { IP_PROTOCOL_ICMPV6, IP_PROTOCOL_IPV6_FRAGMENT } from "./ipv4";
import { bitTable, checkLiterals, fieldTable, firstFieldPast } from "./layout";
import { ByteRange } from "./view";
import type { EmitOptions, PacketView } from "./view";
import { IpProtocol, Ipv6AddressAt, Ipv6At, Ipv6OptionType, PrintedIpProtocol } from "./wire-literals";

/** Next-header number of the hop-by-hop options header. */
export const IPV6_HOP_BY_HOP = 0;
/** Next-header number of the routing header. */
export const IPV6_ROUTING = 43;
/** Next-header number of the fragment header (ipv4.ts's IP_PROTOCOL_IPV6_FRAGMENT). */
export const IPV6_FRAGMENT = IP_PROTOCOL_IPV6_FRAGMENT;
/** Next-header number of the destination options header. */
export const IPV6_DESTINATION_OPTIONS = 60;
/** Next-header number meaning "nothing follows". */
export const IPV6_NO_NEXT_HEADER = 59;
/** Next-header number of ICMPv6 (ipv4.ts's IP_PROTOCOL_ICMPV6). */
export const IPV6_ICMPV6 = IP_PROTOCOL_ICMPV6;
/** IP protocol number of DCCP (RFC 4340), which tcpdump prints with its ports like TCP and UDP. */
export const IP_PROTOCOL_DCCP = 33;
/** IP protocol number of IPv6 in IP (RFC 2473), also the next header of an IPv6 packet tunnelled in IPv6. */
export const IP_PROTOCOL_IPV6 = 41;
/** IP protocol number of the authentication header (RFC 4302), an extension header whose length counts 4-byte units. */
export const IP_PROTOCOL_AH = 51;
/** IP protocol number 77, IPPROTO_ND (the unofficial "net disk" protocol tcpdump names). */
export const IP_PROTOCOL_ND = 77;
/** Hop-by-hop or destination option Pad1: one zero byte, no length. */
export const IPV6_OPTION_PAD1 = 0;
/** Hop-by-hop or destination option PadN: padding of two or more bytes. */
export const IPV6_OPTION_PADN = 1;
/** Hop-by-hop option router alert (RFC 2711). */
export const IPV6_OPTION_ROUTER_ALERT = 5;
/** Hop-by-hop option jumbo payload (RFC 2675). */
export const IPV6_OPTION_JUMBO_PAYLOAD = 0xc2;
/** Destination option home address (RFC 6275). */
export const IPV6_OPTION_HOME_ADDRESS = 0xc9;
/** The most extension headers Ipv6Packet follows; a longer chain is a content error. */
export const MAX_IPV6_EXTENSIONS = 8;

const versionClassFlow = bits(u32be("versionClassFlow"), true, "versionClassFlow");
const versionClassFlowFields = [
  versionClassFlow.addField(4, "version"),
  versionClassFlow.addField(8, "trafficClass"),
  versionClassFlow.addField(20, "flowLabel"),
];
const ipv6Structure = struct([
  versionClassFlow,
  u16be("payloadLength"),
  u8("nextHeader"),
  u8("hopLimit"),
  blob(16, "source"),
  blob(16, "destination"),
]);
/** The fixed header's description (field names, widths, order). */
export const ipv6Layout: HeaderLayout = ipv6Structure;
/** Byte offset and span of each fixed-header field. */
export const IPV6 = fieldTable(ipv6Structure);
/** Length of the fixed header. */
export const IPV6_HEADER_LENGTH = ipv6Structure.span;
const VERSION_CLASS_FLOW = bitTable(ipv6Structure, versionClassFlow, versionClassFlowFields);

/** The start every options or routing header shares. */
const extensionStructure = struct([u8("nextHeader"), u8("lengthUnits"), u8("routingType"), u8("segmentsLeft")]);
const EXTENSION = fieldTable(extensionStructure);
const fragmentWord = bits(u16be("offsetAndFlags"), true, "offsetAndFlags");
const fragmentWordFields = [fragmentWord.addField(13, "fragmentUnits"), fragmentWord.addField(2, "reserved"), fragmentWord.addBoolean("moreFragments")];
const fragmentStructure = struct([u8("nextHeader"), u8("reserved"), fragmentWord, u32be("identification")]);
/** The fragment header's description. */
export const ipv6FragmentLayout: HeaderLayout = fragmentStructure;
const FRAGMENT = fieldTable(fragmentStructure);
const FRAGMENT_BITS = bitTable(fragmentStructure, fragmentWord, fragmentWordFields);

/** More of the extension headers' shapes, for the literals below. */
const optionStructure = struct([u8("type"), u8("dataLength")]);
const OPTION = fieldTable(optionStructure);
const routingAddressesStructure = struct([u8("nextHeader"), u8("lengthUnits"), u8("routingType"), u8("segmentsLeft"), u32be("reserved")]);
const ROUTING_ADDRESSES = fieldTable(routingAddressesStructure);
const segmentRoutingStructure = struct([u8("nextHeader"), u8("lengthUnits"), u8("routingType"), u8("segmentsLeft"), u8("lastEntry"), u8("flags"), u16be("tag")]);
const SEGMENT_ROUTING = fieldTable(segmentRoutingStructure);
/** An IPv4-mapped address (RFC 4291 §2.5.5.2): 80 zero bits, 16 one bits, the IPv4 address. */
const mappedAddressStructure = struct([blob(10, "zeros"), u16be("ones"), blob(4, "ipv4")]);
checkLiterals("ipv6", [
  ["versionClassFlow", Ipv6At.VersionClassFlow, IPV6.versionClassFlow.offset],
  ["payloadLength", Ipv6At.PayloadLength, IPV6.payloadLength.offset],
  ["nextHeader", Ipv6At.NextHeader, IPV6.nextHeader.offset],
  ["hopLimit", Ipv6At.HopLimit, IPV6.hopLimit.offset],
  ["source", Ipv6At.Source, IPV6.source.offset],
  ["destination", Ipv6At.Destination, IPV6.destination.offset],
  ["header length", Ipv6At.HeaderLength, IPV6_HEADER_LENGTH],
  ["version shift", Ipv6At.VersionShift, VERSION_CLASS_FLOW.version.shift],
  ["class shift", Ipv6At.ClassShift, VERSION_CLASS_FLOW.trafficClass.shift],
  ["flow label mask", Ipv6At.FlowMask, VERSION_CLASS_FLOW.flowLabel.mask],
  ["class mask", Ipv6At.ClassMask, VERSION_CLASS_FLOW.trafficClass.mask],
  ["version shift in its byte", Ipv6At.VersionByteShift, VERSION_CLASS_FLOW.version.shift - 8 * (IPV6.versionClassFlow.span - 1)],
  ["address length", Ipv6At.AddressLength, IPV6.source.span],
  ["extension next header", Ipv6At.ExtNextHeader, EXTENSION.nextHeader.offset],
  ["options start", Ipv6At.ExtOptions, EXTENSION.lengthUnits.offset + EXTENSION.lengthUnits.span],
  ["routing reserved", Ipv6At.RoutingReserved, ROUTING_ADDRESSES.reserved.offset],
  ["routing addresses", Ipv6At.RoutingAddresses, routingAddressesStructure.span],
  ["segment routing lastEntry", Ipv6At.SrhLastEntry, SEGMENT_ROUTING.lastEntry.offset],
  ["segment routing flags", Ipv6At.SrhFlags, SEGMENT_ROUTING.flags.offset],
  ["segment routing tag", Ipv6At.SrhTag, SEGMENT_ROUTING.tag.offset],
  ["segment routing segments", Ipv6At.SrhSegments, segmentRoutingStructure.span],
  ["option type", Ipv6At.OptionType, OPTION.type.offset],
  ["option data length", Ipv6At.OptionLength, OPTION.dataLength.offset],
  ["option data", Ipv6At.OptionData, optionStructure.span],
  ["extension length", Ipv6At.ExtLength, EXTENSION.lengthUnits.offset],
  ["routing type", Ipv6At.RoutingType, EXTENSION.routingType.offset],
  ["segments left", Ipv6At.SegmentsLeft, EXTENSION.segmentsLeft.offset],
  ["fragment word", Ipv6At.FragmentWord, FRAGMENT.offsetAndFlags.offset],
  ["fragment identification", Ipv6At.FragmentIdentification, FRAGMENT.identification.offset],
  ["fragment header length", Ipv6At.FragmentLength, fragmentStructure.span],
  ["fragment reserved byte", Ipv6AddressAt.FragmentReserved, FRAGMENT.reserved.offset],
  ["Pad1", Ipv6OptionType.Pad1, IPV6_OPTION_PAD1],
  ["PadN", Ipv6OptionType.PadN, IPV6_OPTION_PADN],
  ["router alert", Ipv6OptionType.RouterAlert, IPV6_OPTION_ROUTER_ALERT],
  ["jumbo payload", Ipv6OptionType.JumboPayload, IPV6_OPTION_JUMBO_PAYLOAD],
  ["home address", Ipv6OptionType.HomeAddress, IPV6_OPTION_HOME_ADDRESS],
  ["DCCP", PrintedIpProtocol.Dccp, IP_PROTOCOL_DCCP],
  ["IPv6 in IP", PrintedIpProtocol.Ipv6, IP_PROTOCOL_IPV6],
  ["AH", PrintedIpProtocol.Ah, IP_PROTOCOL_AH],
  ["ND", PrintedIpProtocol.Nd, IP_PROTOCOL_ND],
  ["address group length (the 0xffff group's span)", Ipv6AddressAt.GroupLength, (mappedAddressStructure.offsetOf("ipv4") ?? -1) - (mappedAddressStructure.offsetOf("ones") ?? -1)],
  ["IPv4-mapped marker", Ipv6AddressAt.MappedMarker, mappedAddressStructure.offsetOf("ones") ?? -1],
  ["embedded IPv4 address", Ipv6AddressAt.EmbeddedIpv4, mappedAddressStructure.offsetOf("ipv4") ?? -1],
  ["mapped address length", Ipv6At.AddressLength, mappedAddressStructure.span],
  ["fragment offset shift", Ipv6At.FragmentUnitsShift, FRAGMENT_BITS.fragmentUnits.shift],
  ["fragment reserved shift", Ipv6At.FragmentReservedShift, FRAGMENT_BITS.reserved.shift],
  ["more fragments", Ipv6At.MoreFragments, 1 << FRAGMENT_BITS.moreFragments.shift],
  ["fragment offset mask", Ipv6At.FragmentOffsetMask, FRAGMENT_BITS.fragmentUnits.mask << FRAGMENT_BITS.fragmentUnits.shift],
  ["hop-by-hop next header", Ipv6At.HopByHop, IPV6_HOP_BY_HOP],
  ["routing next header", Ipv6At.Routing, IPV6_ROUTING],
  ["fragment next header", Ipv6At.Fragment, IPV6_FRAGMENT],
  ["destination options next header", Ipv6At.DestinationOptions, IPV6_DESTINATION_OPTIONS],
  ["hop-by-hop protocol number", IpProtocol.HopByHop, IPV6_HOP_BY_HOP],
  ["routing protocol number", IpProtocol.Routing, IPV6_ROUTING],
  ["destination options protocol number", IpProtocol.DestinationOptions, IPV6_DESTINATION_OPTIONS],
  ["no next header", IpProtocol.NoNextHeader, IPV6_NO_NEXT_HEADER],
]);

// ---------------------------------------------------------------------------------------------
// Addresses

const HEX = "0123456789abcdef";

/**
 * The text of the IPv6 address in bytes[offset, offset + 16), RFC 5952: lowercase, no leading zeros,
 * the longest run (the first of equal runs) of two or more zero groups as "::". With `embeddedIpv4`
 * (tcpdump's form), an IPv4-mapped (::ffff:0:0/96) or IPv4-compatible (::/96, two or more leading
 * zero groups) address ends in a dotted quad, as inet_ntop and tcpdump print it; without it only the
 * mapped form does, as RFC 5952 §5 recommends.
 */
export function ipv6Text(bytes: Uint8Array, offset: number, embeddedIpv4 = false): string {
  let bestBase = -1;
  let bestLength = 0;
  let base = -1;
  for (let i = 0; i < 8; i++) {
    const group = offset + Ipv6AddressAt.GroupLength * i;
    const zero = ((bytes[group] << 8) | bytes[group + 1]) === 0;
    if (zero) {
      if (base === -1) base = i;
      if (i - base + 1 > bestLength) {
        bestLength = i - base + 1;
        bestBase = base;
      }
    } else base = -1;
  }
  if (bestLength < 2) bestBase = -1;
  const marker = offset + Ipv6AddressAt.MappedMarker;
  const word5 = (bytes[marker] << 8) | bytes[marker + 1];
  const mapped = bestBase === 0 && bestLength === 5 && word5 === 0xffff;
  const compatible = embeddedIpv4 && bestBase === 0 && bestLength === 6;
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLength) {
      if (i === bestBase) text += ":";
      continue;
    }
    if (i !== 0) text += ":";
    if (i === 6 && (mapped || compatible)) {
      const v4 = offset + Ipv6AddressAt.EmbeddedIpv4;
      return `${text}${bytes[v4]}.${bytes[v4 + 1]}.${bytes[v4 + 2]}.${bytes[v4 + 3]}`;
    }
    const group = offset + Ipv6AddressAt.GroupLength * i;
    const word = (bytes[group] << 8) | bytes[group + 1];
    text += word.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLength === 8) text += ":";
  return text;
}

/** An IPv6 address: a copy of its 16 bytes, text made only when asked (RFC 5952). */
export class Ipv6Address {
  declare private readonly brand: "Ipv6Address";
  /** the 16 bytes, network order */
  readonly bytes: Uint8Array;

  /** @param bytes 16 bytes, network order (kept, not copied) */
  constructor(bytes: Uint8Array) {
    if (bytes.length !== 16) throw new AddressError(`an IPv6 address is 16 bytes, not ${bytes.length}`);
    this.bytes = bytes;
  }

  /** The unspecified address, "::". */
  static readonly ANY = new Ipv6Address(new Uint8Array(16));

  /** Copies the 16 bytes at `offset`. The caller has checked the length. */
  static read(bytes: Uint8Array, offset: number): Ipv6Address {
    return new Ipv6Address(bytes.slice(offset, offset + Ipv6At.AddressLength));
  }

  /**
   * Parses RFC 4291 text: eight groups of up to four hex digits, one "::" for a run of zero groups,
   * an optional trailing dotted quad. No zone ("%eth0") and no prefix ("/64").
   * @throws AddressError naming the text and the problem
   */
  static parse(text: string): Ipv6Address {
    const fail = (why: string): never => {
      throw new AddressError(`"${text}" is not an IPv6 address: ${why}`);
    };
    if (text.includes("%")) fail("a zone (%…) is not part of an address; leave it out");
    if (text.includes("/")) fail("a prefix length (/…) is not part of an address; leave it out");
    const halves = text.split("::");
    if (halves.length > 2) fail('"::" may appear only once');
    const groups = (part: string): number[] => {
      if (part === "") return [];
      const out: number[] = [];
      const pieces = part.split(":");
      pieces.forEach((piece, i) => {
        if (i === pieces.length - 1 && piece.includes(".")) {
          const quad = piece.split(".");
          if (quad.length !== 4 || quad.some((q) => !/^(0|[1-9][0-9]{0,2})$/.test(q) || Number(q) > 255)) fail(`"${piece}" is not a dotted quad`);
          const n = quad.map(Number);
          out.push((n[0] << 8) | n[1], (n[2] << 8) | n[3]);
          return;
        }
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) fail(`"${piece}" is not a group of one to four hex digits`);
        out.push(parseInt(piece, 16));
      });
      return out;
    };
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    const count = head.length + tail.length;
    if (halves.length === 1 && count !== 8) fail(`${count} groups, need 8 (or "::" for a run of zeros)`);
    if (halves.length === 2 && count > 7) fail(`${count} groups and "::", at most 7 with "::"`);
    const words = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
    const bytes = new Uint8Array(16);
    words.forEach((w, i) => {
      bytes[2 * i] = w >>> 8;
      bytes[2 * i + 1] = w & 0xff;
    });
    return new Ipv6Address(bytes);
  }

  /** Writes the 16 bytes at `offset`. */
  write(into: Uint8Array, offset: number): void {
    into.set(this.bytes, offset);
  }

  /** True when both hold the same 16 bytes. */
  equals(other: Ipv6Address): boolean {
    for (let i = 0; i < 16; i++) if (this.bytes[i] !== other.bytes[i]) return false;
    return true;
  }

  /** RFC 5952 text. */
  toString(): string {
    return ipv6Text(this.bytes, 0);
  }

  /** RFC 5952 text, for JSON.stringify. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * The ones'-complement sum of the IPv6 pseudo-header (RFC 8200 §8.1): the source and destination
 * addresses at those offsets of `bytes`, the upper-layer length and the next-header value. Add the
 * upper-layer bytes to it with onesComplementSum and fold with foldChecksum.
 */
export function ipv6PseudoHeaderSum(bytes: Uint8Array, sourceOffset: number, destinationOffset: number, upperLength: number, nextHeader: number): number {
  let sum = onesComplementSum(bytes, sourceOffset, sourceOffset + 16);
  sum = onesComplementSum(bytes, destinationOffset, destinationOffset + 16, sum);
  return sum + Math.floor(upperLength / 0x10000) + (upperLength & 0xffff) + nextHeader;
}

/** True for the next-header values of the extension headers this codec walks. */
export function isIpv6ExtensionHeader(nextHeader: number): boolean {
  return nextHeader === IPV6_HOP_BY_HOP || nextHeader === IPV6_ROUTING || nextHeader === IPV6_FRAGMENT || nextHeader === IPV6_DESTINATION_OPTIONS;
}

// ---------------------------------------------------------------------------------------------
// The view

const EMPTY = new Uint8Array(0);

/**
 * A view of an IPv6 packet at bytes[offset, end): the fixed header, then the extension headers that
 * check() found (their kinds and offsets in preallocated arrays), then the upper layer at
 * `payloadOffset` up to `payloadEnd` (which payloadLength sets; bytes after it, Ethernet padding,
 * are not part of the packet).
 */
export class Ipv6Packet extends ByteRange implements PacketView {
  /** after a clean check: where the upper layer starts (after the last extension header) */
  payloadOffset = 0;
  /** after a clean check: the upper layer's protocol number (59: none; 44: a non-first fragment's data) */
  upperProtocol = 0;
  /** after a clean check: the number of extension headers found */
  extensionCount = 0;
  /** after a clean check: the next-header value that named each extension header */
  readonly extensionKinds = new Uint8Array(MAX_IPV6_EXTENSIONS);
  /** after a clean check: the absolute offset of each extension header */
  readonly extensionOffsets = new Int32Array(MAX_IPV6_EXTENSIONS);
  /** after a clean check: the absolute offset of the fragment header, −1 when there is none */
  fragmentHeaderOffset = -1;
  /** after a clean check: one past the last byte of the packet (payloadLength's end) */
  payloadEnd = 0;


  /**
   * Checks the fixed header (captured, version 6), that payloadLength stays inside the captured
   * bytes, and walks the extension headers; each must fit inside payloadLength.
   * @returns undefined, or a length error ("captured": the bytes end first; "header": payloadLength
   *   ends before an extension header does), or a content error (version, too many headers)
   */
  check(): DecodeError | undefined {
    // the common case (a whole header, no extension headers) here, small enough for V8 to inline
    const b = this.bytes;
    const start = this.offset;
    if (this.end - start >= Ipv6At.HeaderLength && b[start] >>> 4 === 6) {
      const next = b[start + Ipv6At.NextHeader];
      const payloadEnd = start + Ipv6At.HeaderLength + ((b[start + Ipv6At.PayloadLength] << 8) | b[start + Ipv6At.PayloadLength + 1]);
      if (payloadEnd <= this.end && next !== Ipv6At.HopByHop && next !== Ipv6At.Routing && next !== Ipv6At.Fragment && next !== Ipv6At.DestinationOptions) {
        this.extensionCount = 0;
        this.fragmentHeaderOffset = -1;
        this.upperProtocol = next;
        this.payloadOffset = start + Ipv6At.HeaderLength;
        this.payloadEnd = payloadEnd;
        return undefined;
      }
    }
    return this.checkChain();
  }

  /** check() for the rest: errors, and the extension-header walk. */
  private checkChain(): DecodeError | undefined {
    const b = this.bytes;
    const start = this.offset;
    const end = this.end;
    if (end - start < Ipv6At.HeaderLength) {
      const field = firstFieldPast(IPV6, start, end)!;
      const name = field.name === "versionClassFlow" ? "version" : field.name;
      return lengthError("ipv6", name, start + field.offset, start + field.offset + field.span, end, "captured");
    }
    const version = b[start] >>> 4;
    if (version !== 6) return contentError("ipv6", "version", start, version, `version ${version} in an IPv6 header, need 6`);
    const payloadEnd = start + Ipv6At.HeaderLength + ((b[start + Ipv6At.PayloadLength] << 8) | b[start + Ipv6At.PayloadLength + 1]);
    if (payloadEnd > end) return lengthError("ipv6", "payload", start + Ipv6At.HeaderLength, payloadEnd, end, "captured");
    let next = b[start + Ipv6At.NextHeader];
    let at = start + Ipv6At.HeaderLength;
    let count = 0;
    this.fragmentHeaderOffset = -1;
    while (next === Ipv6At.HopByHop || next === Ipv6At.Routing || next === Ipv6At.Fragment || next === Ipv6At.DestinationOptions) {
      if (count === MAX_IPV6_EXTENSIONS) {
        return contentError("ipv6", "nextHeader", at, next, `more than ${MAX_IPV6_EXTENSIONS} extension headers`);
      }
      const error = checkExtension(b, next, at, payloadEnd);
      if (error !== undefined) return error;
      this.extensionKinds[count] = next;
      this.extensionOffsets[count] = at;
      count++;
      if (next === Ipv6At.Fragment) {
        this.fragmentHeaderOffset = at;
        const units = ((b[at + Ipv6At.FragmentWord] << 8) | b[at + Ipv6At.FragmentWord + 1]) >>> Ipv6At.FragmentUnitsShift;
        if (units !== 0) {
          // a later fragment: what follows is the middle of the datagram, not a header
          at += Ipv6At.FragmentLength;
          next = Ipv6At.Fragment;
          break;
        }
        next = b[at];
        at += Ipv6At.FragmentLength;
      } else {
        next = b[at];
        at += (b[at + Ipv6At.ExtLength] + 1) * 8;
      }
    }
    this.extensionCount = count;
    this.upperProtocol = next;
    this.payloadOffset = at;
    this.payloadEnd = payloadEnd;
    return undefined;
  }

  /** 6 in a checked packet. */
  get version(): number {
    return this.bytes[this.offset] >>> 4;
  }
  /** The traffic class byte (DSCP and ECN). */
  get trafficClass(): number {
    const b = this.bytes;
    const at = this.offset;
    // the class sits across the first two bytes: shift the 16-bit half of the first word, not the whole word
    return (((b[at] << 8) | b[at + 1]) >>> (Ipv6At.ClassShift - 16)) & Ipv6At.ClassMask;
  }
  /** The 20-bit flow label. */
  get flowLabel(): number {
    const b = this.bytes;
    const at = this.offset;
    return ((b[at + 1] & 0xf) << 16) | (b[at + 2] << 8) | b[at + 3];
  }
  /** Bytes after the fixed header, extension headers included, as the header says. */
  get payloadLength(): number {
    const b = this.bytes;
    return (b[this.offset + Ipv6At.PayloadLength] << 8) | b[this.offset + Ipv6At.PayloadLength + 1];
  }
  /** The fixed header's next-header field (the first extension header, or the upper layer). */
  get nextHeader(): number {
    return this.bytes[this.offset + Ipv6At.NextHeader];
  }
  /** The hop limit. */
  get hopLimit(): number {
    return this.bytes[this.offset + Ipv6At.HopLimit];
  }
  /** Absolute offset of the 16-byte source address. */
  get sourceOffset(): number {
    return this.offset + Ipv6At.Source;
  }
  /** Absolute offset of the 16-byte destination address. */
  get destinationOffset(): number {
    return this.offset + Ipv6At.Destination;
  }

  /** Bytes of the upper layer: payloadEnd − payloadOffset. */
  get upperLength(): number {
    return this.payloadEnd - this.payloadOffset;
  }
  /** True when a fragment header was found. */
  get isFragment(): boolean {
    return this.fragmentHeaderOffset >= 0;
  }
  /** The fragment offset in bytes (0 without a fragment header). */
  get fragmentOffset(): number {
    const at = this.fragmentHeaderOffset;
    if (at < 0) return 0;
    return (((this.bytes[at + Ipv6At.FragmentWord] << 8) | this.bytes[at + Ipv6At.FragmentWord + 1]) >>> Ipv6At.FragmentUnitsShift) * 8;
  }
  /** The fragment header's M flag (false without one). */
  get moreFragments(): boolean {
    const at = this.fragmentHeaderOffset;
    return at >= 0 && (this.bytes[at + Ipv6At.FragmentWord + 1] & Ipv6At.MoreFragments) !== 0;
  }
  /** The fragment identification (0 without a fragment header). */
  get fragmentIdentification(): number {
    const at = this.fragmentHeaderOffset;
    if (at < 0) return 0;
    const b = this.bytes;
    const i = at + Ipv6At.FragmentIdentification;
    return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  }
  /** The source address as RFC 5952 text (allocates). */
  sourceText(): string {
    return ipv6Text(this.bytes, this.offset + Ipv6At.Source);
  }
  /** The destination address as RFC 5952 text (allocates). */
  destinationText(): string {
    return ipv6Text(this.bytes, this.offset + Ipv6At.Destination);
  }
  /**
   * Absolute offset of the address the upper layer's pseudo-header uses as destination (RFC 8200
   * §8.1): the final destination. With a routing header that still has segments left, that is its
   * last address (types 0 and 2) or the first entry of its segment list (type 4, RFC 8754);
   * otherwise the header's destination.
   */
  get pseudoHeaderDestinationOffset(): number {
    const b = this.bytes;
    for (let i = 0; i < this.extensionCount; i++) {
      if (this.extensionKinds[i] !== Ipv6At.Routing) continue;
      const at = this.extensionOffsets[i];
      const units = b[at + Ipv6At.ExtLength];
      if (b[at + Ipv6At.SegmentsLeft] === 0 || units < 2) continue;
      const type = b[at + Ipv6At.RoutingType];
      if (type === 0 || type === 2) return at + Ipv6At.RoutingAddresses + Ipv6At.AddressLength * ((units >>> 1) - 1);
      if (type === 4) return at + Ipv6At.SrhSegments;
    }
    return this.offset + Ipv6At.Destination;
  }
  /** The pseudo-header sum for the upper layer (see ipv6PseudoHeaderSum), with the final destination. */
  pseudoHeaderSum(): number {
    return ipv6PseudoHeaderSum(this.bytes, this.offset + Ipv6At.Source, this.pseudoHeaderDestinationOffset, this.upperLength, this.upperProtocol);
  }
}

/** Checks one extension header at `at` against payloadEnd: its fixed bytes, its length, its options. */
function checkExtension(b: Uint8Array, kind: number, at: number, payloadEnd: number): DecodeError | undefined {
  if (kind === Ipv6At.Fragment) {
    if (at + Ipv6At.FragmentLength > payloadEnd) {
      const field = firstFieldPast(FRAGMENT, at, payloadEnd)!;
      return lengthError("ipv6", `fragment.${field.name}`, at + field.offset, at + field.offset + field.span, payloadEnd, "header");
    }
    return undefined;
  }
  const name = extensionName(kind);
  const fixed = kind === Ipv6At.Routing ? Ipv6At.RoutingReserved : Ipv6At.ExtOptions;
  if (at + fixed > payloadEnd) {
    const field = firstFieldPast(kind === IPV6_ROUTING ? EXTENSION : { nextHeader: EXTENSION.nextHeader, lengthUnits: EXTENSION.lengthUnits }, at, payloadEnd)!;
    return lengthError("ipv6", `${name}.${field.name}`, at + field.offset, at + field.offset + field.span, payloadEnd, "header");
  }
  const length = (b[at + Ipv6At.ExtLength] + 1) * 8;
  if (at + length > payloadEnd) return lengthError("ipv6", `${name}.lengthUnits`, at + Ipv6At.ExtLength, at + length, payloadEnd, "header");
  if (kind === Ipv6At.Routing) return undefined;
  // options: Pad1 is one zero byte; the others are type, length, data
  const optionsEnd = at + length;
  for (let o = at + Ipv6At.ExtOptions; o < optionsEnd; ) {
    if (b[o] === Ipv6OptionType.Pad1) {
      o++;
      continue;
    }
    if (o + Ipv6At.OptionData > optionsEnd) return lengthError("ipv6", `${name}.option.length`, o + Ipv6At.OptionLength, o + Ipv6At.OptionData, optionsEnd, "header");
    const next = o + Ipv6At.OptionData + b[o + Ipv6At.OptionLength];
    if (next > optionsEnd) return lengthError("ipv6", `${name}.option.data`, o + Ipv6At.OptionData, next, optionsEnd, "header");
    o = next;
  }
  return undefined;
}

function extensionName(kind: number): string {
  return kind === IPV6_HOP_BY_HOP ? "hopByHop" : kind === IPV6_ROUTING ? "routing" : kind === IPV6_FRAGMENT ? "fragment" : "destinationOptions";
}

// ---------------------------------------------------------------------------------------------
// Records

/** One option of a hop-by-hop or destination options header; Pad1 is `{ type: 0, data: empty }`. */
export interface Ipv6OptionRecord {
  readonly type: number;
  /** the option's data (not for Pad1, which has no length byte) */
  readonly data: Uint8Array;
}

/** A hop-by-hop (0) or destination options (60) header. */
export interface Ipv6OptionsHeaderRecord {
  readonly kind: typeof IPV6_HOP_BY_HOP | typeof IPV6_DESTINATION_OPTIONS;
  readonly nextHeader: number;
  /** the length field: (header bytes / 8) − 1 */
  readonly lengthUnits: number;
  /** every option in order, padding included */
  readonly options: readonly Ipv6OptionRecord[];
}

/** A routing header (43); its type-specific data (addresses, SRH fields) kept as bytes. */
export interface Ipv6RoutingHeaderRecord {
  readonly kind: typeof IPV6_ROUTING;
  readonly nextHeader: number;
  readonly lengthUnits: number;
  readonly routingType: number;
  readonly segmentsLeft: number;
  /** the bytes after segmentsLeft: (lengthUnits + 1) · 8 − 4 of them */
  readonly data: Uint8Array;
}

/** A fragment header (44). */
export interface Ipv6FragmentHeaderRecord {
  readonly kind: typeof IPV6_FRAGMENT;
  readonly nextHeader: number;
  /** the reserved byte after nextHeader */
  readonly reserved: number;
  /** in bytes (the header counts 8-byte units) */
  readonly fragmentOffset: number;
  /** the two reserved bits before the M flag */
  readonly reservedBits: number;
  readonly moreFragments: boolean;
  readonly identification: number;
}

/** Any extension header this codec walks. */
export type Ipv6ExtensionRecord = Ipv6OptionsHeaderRecord | Ipv6RoutingHeaderRecord | Ipv6FragmentHeaderRecord;

/** An IPv6 header with its extension headers (the upper layer is not part of the record). */
export interface Ipv6Record {
  readonly version: number;
  readonly trafficClass: number;
  readonly flowLabel: number;
  /** as the header says; emitIpv6 with fixLengths writes extensions + upper-layer length */
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: Ipv6Address;
  readonly destination: Ipv6Address;
  readonly extensions: readonly Ipv6ExtensionRecord[];
}

/**
 * The record of a checked view (call check() first; its result must be undefined).
 * Option and routing data are views into the viewed bytes, not copies.
 */
export function parseIpv6(view: Ipv6Packet): Ipv6Record {
  const b = view.bytes;
  const extensions: Ipv6ExtensionRecord[] = [];
  for (let i = 0; i < view.extensionCount; i++) {
    const kind = view.extensionKinds[i];
    const at = view.extensionOffsets[i];
    if (kind === IPV6_FRAGMENT) {
      const word = (b[at + Ipv6At.FragmentWord] << 8) | b[at + Ipv6At.FragmentWord + 1];
      extensions.push({
        kind: IPV6_FRAGMENT,
        nextHeader: b[at],
        reserved: b[at + Ipv6AddressAt.FragmentReserved],
        fragmentOffset: (word >>> Ipv6At.FragmentUnitsShift) * 8,
        reservedBits: (word >>> Ipv6At.FragmentReservedShift) & 3,
        moreFragments: (word & Ipv6At.MoreFragments) !== 0,
        identification: u32(b, at + Ipv6At.FragmentIdentification),
      });
      continue;
    }
    const lengthUnits = b[at + Ipv6At.ExtLength];
    const end = at + (lengthUnits + 1) * 8;
    if (kind === IPV6_ROUTING) {
      extensions.push({
        kind: IPV6_ROUTING,
        nextHeader: b[at],
        lengthUnits,
        routingType: b[at + Ipv6At.RoutingType],
        segmentsLeft: b[at + Ipv6At.SegmentsLeft],
        data: b.subarray(at + Ipv6At.RoutingReserved, end),
      });
      continue;
    }
    const options: Ipv6OptionRecord[] = [];
    for (let o = at + Ipv6At.ExtOptions; o < end; ) {
      if (b[o] === Ipv6OptionType.Pad1) {
        options.push({ type: Ipv6OptionType.Pad1, data: EMPTY });
        o++;
      } else {
        const dataEnd = o + Ipv6At.OptionData + b[o + Ipv6At.OptionLength];
        options.push({ type: b[o], data: b.subarray(o + Ipv6At.OptionData, dataEnd) });
        o = dataEnd;
      }
    }
    extensions.push({ kind: kind as typeof IPV6_HOP_BY_HOP | typeof IPV6_DESTINATION_OPTIONS, nextHeader: b[at], lengthUnits, options });
  }
  return {
    version: view.version,
    trafficClass: view.trafficClass,
    flowLabel: view.flowLabel,
    payloadLength: view.payloadLength,
    nextHeader: view.nextHeader,
    hopLimit: view.hopLimit,
    source: Ipv6Address.read(b, view.sourceOffset),
    destination: Ipv6Address.read(b, view.destinationOffset),
    extensions,
  };
}

/** Bytes an options header's options take, before padding to 8. */
function optionBytes(options: readonly Ipv6OptionRecord[]): number {
  let n = 2;
  for (const option of options) n += option.type === 0 ? 1 : 2 + option.data.length;
  return n;
}

/** Bytes one extension header emits to (with fixLengths; otherwise as its length field says). */
function extensionLength(extension: Ipv6ExtensionRecord, fixLengths: boolean): number {
  if (extension.kind === IPV6_FRAGMENT) return Ipv6At.FragmentLength;
  if (!fixLengths) return (extension.lengthUnits + 1) * 8;
  const raw = extension.kind === IPV6_ROUTING ? 4 + extension.data.length : optionBytes(extension.options);
  return Math.max(8, (raw + 7) & ~7);
}

/** Bytes emitIpv6 writes for `record` (fixed header and extension headers), lengths fixed. */
export function ipv6BufferLength(record: Ipv6Record, options: EmitOptions = {}): number {
  const fix = options.fixLengths !== false;
  let n = Ipv6At.HeaderLength;
  for (const extension of record.extensions) n += extensionLength(extension, fix);
  return n;
}

/**
 * Writes the fixed header and the extension headers at into[offset] and returns the bytes written.
 * With fixLengths (the default) payloadLength becomes the extension headers' bytes plus
 * `upperLength`, each options or routing header's length field fits what it holds, and an options
 * header whose options do not fill a multiple of 8 bytes is padded (Pad1 or PadN); without it the
 * record's length fields are written and the header is cut or zero-filled to what they say.
 * Version is 6 with fixLengths, the record's otherwise. IPv6 has no header checksum.
 */
export function emitIpv6(record: Ipv6Record, into: Uint8Array, offset = 0, options: EmitOptions = {}, upperLength = 0): number {
  const fix = options.fixLengths !== false;
  let at = offset + Ipv6At.HeaderLength;
  for (const extension of record.extensions) at += emitExtension(extension, into, at, fix);
  const payloadLength = fix ? at - offset - Ipv6At.HeaderLength + upperLength : record.payloadLength;
  const version = fix ? 6 : record.version;
  const word = (((version & 0xf) << 28) | ((record.trafficClass & 0xff) << 20) | (record.flowLabel & Ipv6At.FlowMask)) >>> 0;
  into[offset] = word >>> 24;
  into[offset + 1] = (word >>> 16) & 0xff;
  into[offset + 2] = (word >>> 8) & 0xff;
  into[offset + 3] = word & 0xff;
  into[offset + Ipv6At.PayloadLength] = (payloadLength >>> 8) & 0xff;
  into[offset + Ipv6At.PayloadLength + 1] = payloadLength & 0xff;
  into[offset + Ipv6At.NextHeader] = record.nextHeader;
  into[offset + Ipv6At.HopLimit] = record.hopLimit;
  record.source.write(into, offset + Ipv6At.Source);
  record.destination.write(into, offset + Ipv6At.Destination);
  return at - offset;
}

function emitExtension(extension: Ipv6ExtensionRecord, into: Uint8Array, at: number, fix: boolean): number {
  const length = extensionLength(extension, fix);
  into[at] = extension.nextHeader;
  if (extension.kind === IPV6_FRAGMENT) {
    into[at + Ipv6AddressAt.FragmentReserved] = extension.reserved;
    const word = (((extension.fragmentOffset >>> 3) & 0x1fff) << Ipv6At.FragmentUnitsShift) | ((extension.reservedBits & 3) << Ipv6At.FragmentReservedShift) | (extension.moreFragments ? 1 : 0);
    const wordAt = at + Ipv6At.FragmentWord;
    into[wordAt] = word >>> 8;
    into[wordAt + 1] = word & 0xff;
    const id = extension.identification >>> 0;
    const idAt = at + Ipv6At.FragmentIdentification;
    into[idAt] = id >>> 24;
    into[idAt + 1] = (id >>> 16) & 0xff;
    into[idAt + 2] = (id >>> 8) & 0xff;
    into[idAt + 3] = id & 0xff;
    return length;
  }
  into[at + Ipv6At.ExtLength] = fix ? length / 8 - 1 : extension.lengthUnits;
  const end = at + length;
  if (extension.kind === IPV6_ROUTING) {
    into[at + Ipv6At.RoutingType] = extension.routingType;
    into[at + Ipv6At.SegmentsLeft] = extension.segmentsLeft;
    const data = extension.data.subarray(0, Math.max(0, length - Ipv6At.RoutingReserved));
    into.set(data, at + Ipv6At.RoutingReserved);
    into.fill(0, at + Ipv6At.RoutingReserved + data.length, end);
    return length;
  }
  let o = at + Ipv6At.ExtOptions;
  for (const option of extension.options) {
    if (o >= end) break;
    if (option.type === Ipv6OptionType.Pad1) {
      into[o++] = Ipv6OptionType.Pad1;
      continue;
    }
    into[o] = option.type;
    if (o + Ipv6At.OptionLength < end) into[o + Ipv6At.OptionLength] = option.data.length;
    const data = option.data.subarray(0, Math.max(0, end - o - Ipv6At.OptionData));
    into.set(data, o + Ipv6At.OptionData);
    o += Ipv6At.OptionData + option.data.length;
  }
  if (o < end) {
    // padding: Pad1 for one byte, PadN for more (its data zero); without fixLengths, zeros
    if (fix && end - o === 1) into[o] = Ipv6OptionType.Pad1;
    else if (fix) {
      into[o] = Ipv6OptionType.PadN;
      into[o + Ipv6At.OptionLength] = end - o - Ipv6At.OptionData;
      into.fill(0, o + Ipv6At.OptionData, end);
    } else into.fill(0, o, end);
  }
  return length;
}

/**
 * Decodes an IPv6 header and its extension headers from bytes[offset, end).
 * @throws DecodeError as Ipv6Packet.check() reports it
 */
export function decodeIpv6(bytes: Uint8Array, offset = 0, end = bytes.length): Ipv6Record {
  const view = new Ipv6Packet().reset(bytes, offset, end);
  const error = view.check();
  if (error !== undefined) throw error;
  return parseIpv6(view);
}

/** The 32-bit big-endian number at b[at]. */
function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

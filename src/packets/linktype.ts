// Link-layer headers of capture files other than Ethernet: Linux cooked capture v1 and v2 (what
// `tcpdump -i any` writes), raw IP, and BSD/OpenBSD loopback. Each decoder finds the network-layer
// protocol (as an EtherType) and where its payload starts, so the Ethernet-era summaries (ARP, IPv4,
// ICMP) print for them too. Numbers are libpcap's LINKTYPE_* values as they appear in files.
//
//   LINUX_SLL (16 bytes):  | packet type u16 | ARPHRD u16 | address length u16 | address 8 | protocol u16 |
//   LINUX_SLL2 (20 bytes): | protocol u16 | reserved u16 | interface index u32 | ARPHRD u16 |
//                          | packet type u8 | address length u8 | address 8 |
//   NULL (4 bytes):        | address family u32, in the byte order of the host that wrote the file |
//   LOOP (4 bytes):        | address family u32, big-endian |
//   RAW (0 bytes):         the IP header itself; its version nibble tells IPv4 from IPv6
import { blob, struct, u16be, u32be, u8 } from "buffer-layout";
import { DecodeError } from "./errors";
import { checkLiterals, fieldTable, firstFieldPast, spanOf } from "./layout";
import { LINKTYPE_ETHERNET } from "./pcap";
import type { HeaderLayout } from "./positions";
import { EtherType, Ipv4At } from "./wire-literals";

/** BSD loopback: a 4-byte address family in the capturing host's byte order, then the IP packet. */
export const LINKTYPE_NULL = 0;
/** DLT_RAW as Linux libpcap reads it from a file (tcpdump shows it as RAW); 101 is the portable value. */
export const LINKTYPE_RAW_LINUX_DLT = 12;
/** Raw IP: no link header, the packet starts with the IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;
/** OpenBSD loopback: like LINKTYPE_NULL, with the address family big-endian. */
export const LINKTYPE_LOOP = 108;
/** Linux cooked capture v1 (SLL), what `tcpdump -i any` writes: a 16-byte pseudo-header. */
export const LINKTYPE_LINUX_SLL = 113;
/** Linux cooked capture v2 (SLL2): a 20-byte pseudo-header that also carries the interface index. */
export const LINKTYPE_LINUX_SLL2 = 276;

const sllStructure = struct([u16be("packetType"), u16be("addressType"), u16be("addressLength"), blob(8, "address"), u16be("protocol")]);
const sll2Structure = struct([
  u16be("protocol"),
  u16be("reserved"),
  u32be("interfaceIndex"),
  u16be("addressType"),
  u8("packetType"),
  u8("addressLength"),
  blob(8, "address"),
]);
const familyStructure = struct([u32be("family")]);
/** The Linux cooked v1 header's description (field names, widths, order), for tools that show or check layouts. */
export const linuxSllLayout: HeaderLayout = sllStructure;
/** The Linux cooked v2 header's description (field names, widths, order). */
export const linuxSll2Layout: HeaderLayout = sll2Structure;
/** The loopback header's description: one 32-bit address family. */
export const loopbackLayout: HeaderLayout = familyStructure;

/** Byte offset and span of each field of the Linux cooked v1 header, by field name. */
export const LINUX_SLL = fieldTable(sllStructure);
/** Byte offset and span of each field of the Linux cooked v2 header, by field name. */
export const LINUX_SLL2 = fieldTable(sll2Structure);
/** Byte offset and span of the loopback header's one field (family). */
export const LOOPBACK = fieldTable(familyStructure);

/** The layouts' numbers as literals for the per-frame path; checked against the layouts below. */
const enum L {
  SllLength = 16,
  SllPacketType = 0,
  SllAddressLength = 4,
  SllAddress = 6,
  SllProtocol = 14,
  Sll2Length = 20,
  Sll2Protocol = 0,
  Sll2InterfaceIndex = 4,
  Sll2PacketType = 10,
  Sll2AddressLength = 11,
  Sll2Address = 12,
  Family = 0,
  FamilyLength = 4,
}
checkLiterals("linktype", [
  ["SLL length", L.SllLength, spanOf(sllStructure)],
  ["SLL packetType", L.SllPacketType, LINUX_SLL.packetType.offset],
  ["SLL addressLength", L.SllAddressLength, LINUX_SLL.addressLength.offset],
  ["SLL address", L.SllAddress, LINUX_SLL.address.offset],
  ["SLL protocol", L.SllProtocol, LINUX_SLL.protocol.offset],
  ["SLL2 length", L.Sll2Length, spanOf(sll2Structure)],
  ["SLL2 protocol", L.Sll2Protocol, LINUX_SLL2.protocol.offset],
  ["SLL2 interfaceIndex", L.Sll2InterfaceIndex, LINUX_SLL2.interfaceIndex.offset],
  ["SLL2 packetType", L.Sll2PacketType, LINUX_SLL2.packetType.offset],
  ["SLL2 addressLength", L.Sll2AddressLength, LINUX_SLL2.addressLength.offset],
  ["SLL2 address", L.Sll2Address, LINUX_SLL2.address.offset],
  ["family", L.Family, LOOPBACK.family.offset],
  ["family length", L.FamilyLength, spanOf(familyStructure)],
]);

/** SLL protocol values up to this are not EtherTypes (802.3, 802.2, CAN…), as in Ethernet. */
const MAX_802_3_LENGTH = 1500;
/** BSD address families (NULL and LOOP headers). */
export const BSD_AF_INET = 2;
const BSD_AF_INET6 = [24, 28, 30];

/** tcpdump's names of the link types, as its "reading from file" line prints them. */
const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, "NULL (BSD loopback)"],
  [LINKTYPE_ETHERNET, "EN10MB (Ethernet)"],
  [LINKTYPE_RAW_LINUX_DLT, "RAW (Raw IP)"],
  [LINKTYPE_RAW, "RAW (Raw IP)"],
  [LINKTYPE_LOOP, "LOOP (OpenBSD loopback)"],
  [LINKTYPE_LINUX_SLL, "LINUX_SLL (Linux cooked v1)"],
  [LINKTYPE_LINUX_SLL2, "LINUX_SLL2 (Linux cooked v2)"],
]);

/** True for the link types the summaries and sniff read: Ethernet and those of this module. */
export function linkTypeSupported(linkType: number): boolean {
  return LINK_TYPE_NAMES.has(linkType);
}

/** "LINUX_SLL2 (Linux cooked v2)" as tcpdump names a link type, or the bare number for others. */
export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES.get(linkType) ?? `${linkType}`;
}

/** The link types sniff reads, as a list for an error message. */
export const SUPPORTED_LINK_TYPES = "Ethernet (1), Linux cooked v1 (113) and v2 (276), raw IP (101, 12), BSD loopback (0) and OpenBSD loopback (108)";

/** What a direction/packet-type byte of a cooked header means, as tcpdump prints it. */
export function packetTypeName(packetType: number): string {
  return ["In", "B", "M", "P", "Out"][packetType] ?? "?";
}

function familyEtherType(family: number): number {
  if (family === BSD_AF_INET) return EtherType.Ipv4;
  return BSD_AF_INET6.includes(family) ? EtherType.Ipv6 : -1;
}

/**
 * A reusable, allocation-free reader of one link header at a time, as FrameView is for Ethernet.
 * `reset` returns false when the frame is too short for its header (decodeLinkHeader then says
 * why); after a true reset, `headerLength` is where the network layer starts and `etherType` is its
 * protocol as an EtherType (-1 when the header names none: 802.2, an unknown family or IP version).
 */
export class LinkView {
  /** The LINKTYPE_* given to the last reset. */
  linkType = LINKTYPE_ETHERNET;
  /** The frame given to the last reset (not copied). */
  bytes: Uint8Array = new Uint8Array(0);
  /** Length of the link header: where the network layer starts in `bytes`. */
  headerLength = 0;
  /** The network layer's protocol as an EtherType; -1 when the header names none. */
  etherType = -1;
  /** the protocol field of a cooked header, the address family of a loopback one, the IP version of raw IP */
  protocol = 0;

  /**
   * Points the view at a frame of link type `linkType`.
   * @returns false when the frame is too short for its link header (decodeLinkHeader says why)
   */
  reset(linkType: number, bytes: Uint8Array): boolean {
    this.linkType = linkType;
    this.bytes = bytes;
    const end = bytes.length;
    switch (linkType) {
      case LINKTYPE_LINUX_SLL:
        if (end < L.SllLength) return false;
        this.headerLength = L.SllLength;
        this.protocol = (bytes[L.SllProtocol] << 8) | bytes[L.SllProtocol + 1];
        this.etherType = this.protocol > MAX_802_3_LENGTH ? this.protocol : -1;
        return true;
      case LINKTYPE_LINUX_SLL2:
        if (end < L.Sll2Length) return false;
        this.headerLength = L.Sll2Length;
        this.protocol = (bytes[L.Sll2Protocol] << 8) | bytes[L.Sll2Protocol + 1];
        this.etherType = this.protocol > MAX_802_3_LENGTH ? this.protocol : -1;
        return true;
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: {
        if (end < L.FamilyLength) return false;
        this.headerLength = L.FamilyLength;
        const at = L.Family;
        const big = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
        const little = ((bytes[at + 3] << 24) | (bytes[at + 2] << 16) | (bytes[at + 1] << 8) | bytes[at]) >>> 0;
        // NULL is in the writer's byte order, LOOP big-endian: read as the reader's (little-endian, as
        // tcpdump on x86 does) or big-endian, and swapped when that leaves the upper half set, as
        // tcpdump does for both.
        const first = linkType === LINKTYPE_LOOP ? big : little;
        this.protocol = first > 0xffff ? (linkType === LINKTYPE_LOOP ? little : big) : first;
        this.etherType = familyEtherType(this.protocol);
        return true;
      }
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_LINUX_DLT:
        if (end < 1) return false;
        this.headerLength = 0;
        // the version nibble sits where IPv4's does in IPv6 too (its first 4 bits)
        this.protocol = bytes[Ipv4At.VersionAndLength] >>> Ipv4At.VersionShift;
        this.etherType = this.protocol === 4 ? EtherType.Ipv4 : this.protocol === 6 ? EtherType.Ipv6 : -1;
        return true;
      default:
        return false;
    }
  }

  /** Packet type of a cooked header (0 In, 1 B, 2 M, 3 P, 4 Out). */
  get packetType(): number {
    const b = this.bytes;
    return this.linkType === LINKTYPE_LINUX_SLL ? (b[L.SllPacketType] << 8) | b[L.SllPacketType + 1] : b[L.Sll2PacketType];
  }
  /** Interface index of an SLL2 header. */
  get interfaceIndex(): number {
    const b = this.bytes;
    const at = L.Sll2InterfaceIndex;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  /** Link-layer address length of a cooked header. */
  get addressLength(): number {
    const b = this.bytes;
    return this.linkType === LINKTYPE_LINUX_SLL ? (b[L.SllAddressLength] << 8) | b[L.SllAddressLength + 1] : b[L.Sll2AddressLength];
  }
  /** Offset of a cooked header's link-layer address. */
  get addressOffset(): number {
    return this.linkType === LINKTYPE_LINUX_SLL ? L.SllAddress : L.Sll2Address;
  }
}

/** A decoded link header, for JSON and for what is wrong with one. */
export interface LinkHeaderRecord {
  /** The LINKTYPE_* of the frame. */
  readonly linkType: number;
  /** Length of the link header in bytes (0 for raw IP). */
  readonly headerLength: number;
  /** The network layer's EtherType, or -1 when the header names none. */
  readonly etherType: number;
  /** Cooked headers: "In", "Out", "B", "M", "P" or "?". */
  readonly direction?: string;
  /** Linux cooked v2: the index of the interface the packet was captured on. */
  readonly interfaceIndex?: number;
  /** Cooked headers: the link-layer address, as colon-separated hex (its first addressLength bytes, up to 8). */
  readonly address?: string;
  /** NULL and LOOP: the address family. */
  readonly family?: number;
  /** RAW: the IP version. */
  readonly ipVersion?: number;
}

function linkTruncated(linkType: number, table: Readonly<Record<string, { name: string; offset: number; span: number }>>, end: number): DecodeError {
  const field = firstFieldPast(table, 0, end) ?? { name: "header", offset: 0, span: 1 };
  return new DecodeError("link", `${linkTypeName(linkType).split(" ")[0]} ${field.name}`, field.offset, field.offset + field.span, end);
}

/**
 * Decodes the link header of a frame of `linkType` (one of linkTypeSupported's but Ethernet).
 * @throws DecodeError (layer "link") when the frame is shorter than its header, or for a link type
 *   this module does not read
 */
export function decodeLinkHeader(linkType: number, bytes: Uint8Array): LinkHeaderRecord {
  const view = new LinkView();
  if (!view.reset(linkType, bytes)) {
    switch (linkType) {
      case LINKTYPE_LINUX_SLL:
        throw linkTruncated(linkType, LINUX_SLL, bytes.length);
      case LINKTYPE_LINUX_SLL2:
        throw linkTruncated(linkType, LINUX_SLL2, bytes.length);
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP:
        throw linkTruncated(linkType, LOOPBACK, bytes.length);
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_LINUX_DLT:
        throw new DecodeError("link", "RAW version", 0, 1, 0);
      default:
        throw new DecodeError("link", "linkType", 0, 0, linkType, `link type ${linkType} is not one this reader decodes: ${SUPPORTED_LINK_TYPES}`);
    }
  }
  const base = { linkType, headerLength: view.headerLength, etherType: view.etherType };
  switch (linkType) {
    case LINKTYPE_LINUX_SLL:
    case LINKTYPE_LINUX_SLL2: {
      const length = Math.min(view.addressLength, 8);
      const address = Array.from(bytes.subarray(view.addressOffset, view.addressOffset + length), (b) => b.toString(16).padStart(2, "0")).join(":");
      const direction = packetTypeName(view.packetType);
      return linkType === LINKTYPE_LINUX_SLL2 ? { ...base, direction, interfaceIndex: view.interfaceIndex, address } : { ...base, direction, address };
    }
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return { ...base, family: view.protocol };
    default:
      return { ...base, ipVersion: view.protocol };
  }
}

// Ethernet II frames with an optional single 802.1Q tag. The EtherType is kept as a number, so
// frames of any protocol pass through; the payload is what follows the header, up to the end.
// In the codecs-v2 shape (view.ts): the EthernetPacket view, parseEthernet, and decodeEthernet = both.
//
//   0      6      12         14          16         18
//   | dst  | src  | 0x8100 | TCI (pcp 3 | dei 1 | vid 12) | inner type |  payload ...
//   | dst  | src  | type   | payload ...
import type { HeaderLayout } from "./positions";
import { blob, bits, struct, u16be } from "buffer-layout";
import { Mac } from "./address";
import { DecodeError } from "./errors";
import { bitTable, checkLiterals, fieldTable, firstFieldPast } from "./layout";
import { ethernetRecordAt } from "./layer-records";
import { ByteRange } from "./view";
import type { PacketView } from "./view";
import { EthAt, EtherType } from "./wire-literals";


export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_RARP = 0x8035;
export const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1ad (QinQ) service tag, and the older pre-standard QinQ tag: libpcap's `vlan` takes both. */
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
/** Shortest Ethernet frame on the wire without its FCS; shorter ones are padded by the sender. */
export const ETHERNET_MIN_FRAME = 60;

const ethernetStructure = struct([blob(6, "destination"), blob(6, "source"), u16be("etherType")]);
/** The header's description (field names, widths, order), for tools that show or check layouts. */
export const ethernetLayout: HeaderLayout = ethernetStructure;
const tci = bits(u16be("tci"), true, "tci");
const tciFields = [tci.addField(3, "priority"), tci.addBoolean("dropEligible"), tci.addField(12, "id")];
/** The four bytes of an 802.1Q tag that follow the outer 0x8100 EtherType. */
const vlanTagStructure = struct([tci, u16be("etherType")]);
/** The header's description (field names, widths, order), for tools that show or check layouts. */
export const vlanTagLayout: HeaderLayout = vlanTagStructure;

export const ETHERNET = fieldTable(ethernetStructure);
export const ETHERNET_HEADER_LENGTH = ethernetStructure.span;
export const VLAN_TAG = fieldTable(vlanTagStructure);
export const VLAN_TAG_LENGTH = vlanTagStructure.span;
const TCI = bitTable(vlanTagStructure, tci, tciFields);

// The layout's numbers as literals for the hot paths (EthAt, EtherType in wire-literals.ts), checked
// here against the layout and the constants above.
checkLiterals("ethernet", [
  ["header length", EthAt.HeaderLength, ETHERNET_HEADER_LENGTH],
  ["etherType offset", EthAt.Type, ETHERNET.etherType.offset],
  ["destination offset", EthAt.Destination, ETHERNET.destination.offset],
  ["source offset", EthAt.Source, ETHERNET.source.offset],
  ["MAC length", EthAt.MacLength, ETHERNET.source.span],
  ["tag length", EthAt.TagLength, VLAN_TAG_LENGTH],
  ["tagged header length", EthAt.TaggedHeaderLength, ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH],
  ["TCI offset", EthAt.Tci, ETHERNET_HEADER_LENGTH + VLAN_TAG.tci.offset],
  ["inner etherType offset", EthAt.InnerType, ETHERNET_HEADER_LENGTH + VLAN_TAG.etherType.offset],
  ["priority shift", EthAt.PriorityShift, TCI.priority.shift],
  ["priority mask", EthAt.PriorityMask, TCI.priority.mask],
  ["dropEligible shift", EthAt.DropEligibleShift, TCI.dropEligible.shift],
  ["id shift", 0, TCI.id.shift],
  ["id mask", EthAt.IdMask, TCI.id.mask],
  ["IPv4 EtherType", EtherType.Ipv4, ETHERTYPE_IPV4],
  ["ARP EtherType", EtherType.Arp, ETHERTYPE_ARP],
  ["VLAN EtherType", EtherType.Vlan, ETHERTYPE_VLAN],
  ["IPv6 EtherType", EtherType.Ipv6, ETHERTYPE_IPV6],
  ["QinQ EtherType", EtherType.Qinq, ETHERTYPE_QINQ],
  ["old QinQ EtherType", EtherType.QinqOld, ETHERTYPE_QINQ_OLD],
]);

export interface VlanTag {
  /** VLAN identifier, 0..4095 */
  readonly id: number;
  /** priority code point, 0..7 */
  readonly priority: number;
  readonly dropEligible: boolean;
}

export interface EthernetRecord {
  readonly destination: Mac;
  readonly source: Mac;
  readonly vlan?: VlanTag;
  /** with a VLAN tag, the inner EtherType */
  readonly etherType: number;
}

/** Header length of `record` on the wire: 14, or 18 with a VLAN tag. */
export function ethernetHeaderLength(record: EthernetRecord): number {
  return record.vlan === undefined ? EthAt.HeaderLength : EthAt.TaggedHeaderLength;
}

function truncated(table: typeof ETHERNET | typeof VLAN_TAG, base: number, end: number): DecodeError {
  const field = firstFieldPast(table, base, end);
  // firstFieldPast always finds one here: callers only come when the header does not fit.
  const name = field === undefined ? "header" : field.name === "tci" ? "vlan" : field.name;
  const offset = field === undefined ? base : base + field.offset;
  const needed = field === undefined ? end + 1 : offset + field.span;
  return new DecodeError("ethernet", name, offset, needed, end);
}

/**
 * A view of the Ethernet header (and its 802.1Q tag, when the outer type is 0x8100) at
 * bytes[offset, end): no copy, reusable (view.ts). After a clean check() the getters read inside
 * the header; addresses come out as 48-bit numbers (Mac's `value`).
 */
export class EthernetPacket extends ByteRange implements PacketView {
  /**
   * Undefined when the header (with its tag, when tagged) lies inside bytes[offset, end) and the
   * bytes at hand; otherwise the length error for the first field cut (its lengthSource is always
   * "captured": no header limits an Ethernet frame). The same error decodeEthernet throws.
   */
  check(): DecodeError | undefined {
    const { bytes, offset } = this;
    const limit = Math.min(this.end, bytes.length);
    if (limit - offset < EthAt.HeaderLength) return truncated(ETHERNET, offset, limit);
    const outerType = (bytes[offset + EthAt.Type] << 8) | bytes[offset + EthAt.Type + 1];
    if (outerType === EtherType.Vlan && limit - offset - EthAt.HeaderLength < EthAt.TagLength) return truncated(VLAN_TAG, offset + EthAt.HeaderLength, limit);
    return undefined;
  }

  /** the destination MAC address as a 48-bit number */
  get destination(): number {
    return mac48(this.bytes, this.offset + EthAt.Destination);
  }
  /** the source MAC address as a 48-bit number */
  get source(): number {
    return mac48(this.bytes, this.offset + EthAt.Source);
  }
  /** the EtherType after the addresses: 0x8100 for a tagged frame */
  get outerType(): number {
    return (this.bytes[this.offset + EthAt.Type] << 8) | this.bytes[this.offset + EthAt.Type + 1];
  }
  /** true when an 802.1Q tag follows the addresses */
  get tagged(): boolean {
    return this.outerType === EtherType.Vlan;
  }
  /** the payload's EtherType: with a tag, the inner one */
  get etherType(): number {
    const at = this.offset + (this.tagged ? EthAt.InnerType : EthAt.Type);
    return (this.bytes[at] << 8) | this.bytes[at + 1];
  }
  /** the tag's control word (priority, drop eligible, id); 0 for an untagged frame */
  get tci(): number {
    return this.tagged ? (this.bytes[this.offset + EthAt.Tci] << 8) | this.bytes[this.offset + EthAt.Tci + 1] : 0;
  }
  /** the VLAN id, 0..4095 (0 for an untagged frame) */
  get vlanId(): number {
    return this.tci & EthAt.IdMask;
  }
  /** the priority code point, 0..7 (0 for an untagged frame) */
  get vlanPriority(): number {
    return this.tci >>> EthAt.PriorityShift;
  }
  /** the tag's drop eligible indicator (false for an untagged frame) */
  get vlanDropEligible(): boolean {
    return ((this.tci >>> EthAt.DropEligibleShift) & 1) === 1;
  }
  /** 14, or 18 with a tag */
  get headerLength(): number {
    return this.tagged ? EthAt.TaggedHeaderLength : EthAt.HeaderLength;
  }
  /** absolute offset of the payload (after the tag, when tagged) */
  get payloadOffset(): number {
    return this.offset + this.headerLength;
  }
}

function mac48(b: Uint8Array, at: number): number {
  return ((b[at] << 8) | b[at + 1]) * 0x1_0000_0000 + u32(b, at + 2);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

const scratch = new EthernetPacket();

/**
 * Decodes the Ethernet header at bytes[start..end): `parseEthernet` of a checked EthernetPacket.
 * Returns the record; the payload starts at `start + ethernetHeaderLength(record)`.
 * @throws DecodeError if the header or its VLAN tag is cut short (EthernetPacket.check's error)
 */
export function decodeEthernet(bytes: Uint8Array, start = 0, end = bytes.length): EthernetRecord {
  const error = scratch.reset(bytes, start, end).check();
  if (error !== undefined) throw error;
  return parseEthernet(scratch);
}

/** The record of a checked view (call `view.check()` first). */
export function parseEthernet(view: EthernetPacket): EthernetRecord {
  return ethernetRecordAt(view.bytes, view.offset);
}

/** Writes the header at `into[offset]`; returns its length. `into` must have room for it. */
export function encodeEthernet(record: EthernetRecord, into: Uint8Array, offset = 0): number {
  record.destination.write(into, offset);
  record.source.write(into, offset + EthAt.Source);
  if (record.vlan !== undefined) return encodeTagged(record, record.vlan, into, offset);
  const etherType = record.etherType;
  into[offset + EthAt.Type] = etherType >>> 8;
  into[offset + EthAt.Type + 1] = etherType & 0xff;
  return EthAt.HeaderLength;
}

/** encodeEthernet's 802.1Q tag and inner type, apart so that the untagged path stays small enough to inline. */
function encodeTagged(record: EthernetRecord, vlan: VlanTag, into: Uint8Array, offset: number): number {
  const typeAt = offset + EthAt.Type;
  into[typeAt] = EtherType.Vlan >>> 8;
  into[typeAt + 1] = EtherType.Vlan & 0xff;
  const word = ((vlan.priority & EthAt.PriorityMask) << EthAt.PriorityShift) | ((vlan.dropEligible ? 1 : 0) << EthAt.DropEligibleShift) | (vlan.id & EthAt.IdMask);
  const tagAt = offset + EthAt.HeaderLength;
  into[tagAt] = word >>> 8;
  into[tagAt + 1] = word & 0xff;
  into[tagAt + 2] = record.etherType >>> 8;
  into[tagAt + 3] = record.etherType & 0xff;
  return EthAt.TaggedHeaderLength;
}

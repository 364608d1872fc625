// Ethernet II frames with an optional single 802.1Q tag. The EtherType is kept as a number, so
// frames of any protocol pass through; the payload is what follows the header, up to the end.
//
//   0      6      12         14          16         18
//   | dst  | src  | 0x8100 | TCI (pcp 3 | dei 1 | vid 12) | inner type |  payload ...
//   | dst  | src  | type   | payload ...
import { blob, bits, struct, u16be } from "buffer-layout";
import { Mac } from "./address";
import { DecodeError } from "./errors";
import { bitTable, fieldTable, firstFieldPast } from "./layout";

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
/** Shortest Ethernet frame on the wire without its FCS; shorter ones are padded by the sender. */
export const ETHERNET_MIN_FRAME = 60;

export const ethernetLayout = struct([blob(6, "destination"), blob(6, "source"), u16be("etherType")]);
const tci = bits(u16be("tci"), true, "tci");
const tciFields = [tci.addField(3, "priority"), tci.addBoolean("dropEligible"), tci.addField(12, "id")];
/** The four bytes of an 802.1Q tag that follow the outer 0x8100 EtherType. */
export const vlanTagLayout = struct([tci, u16be("etherType")]);

export const ETHERNET = fieldTable(ethernetLayout);
export const ETHERNET_HEADER_LENGTH = ethernetLayout.span;
export const VLAN_TAG = fieldTable(vlanTagLayout);
export const VLAN_TAG_LENGTH = vlanTagLayout.span;
const TCI = bitTable(vlanTagLayout, tci, tciFields);

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
  return record.vlan === undefined ? ETHERNET_HEADER_LENGTH : ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
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
 * Decodes the Ethernet header at bytes[start..end). Returns the record; the payload starts at
 * `start + ethernetHeaderLength(record)`.
 * @throws DecodeError if the header or its VLAN tag is cut short
 */
export function decodeEthernet(bytes: Uint8Array, start = 0, end = bytes.length): EthernetRecord {
  if (end - start < ETHERNET_HEADER_LENGTH) throw truncated(ETHERNET, start, end);
  const destination = Mac.read(bytes, start);
  const source = Mac.read(bytes, start + 6);
  const outerType = (bytes[start + 12] << 8) | bytes[start + 13];
  if (outerType !== ETHERTYPE_VLAN) return { destination, source, etherType: outerType };
  const tagStart = start + ETHERNET_HEADER_LENGTH;
  if (end - tagStart < VLAN_TAG_LENGTH) throw truncated(VLAN_TAG, tagStart, end);
  const word = (bytes[tagStart] << 8) | bytes[tagStart + 1];
  return {
    destination,
    source,
    vlan: {
      id: (word >>> TCI.id.shift) & TCI.id.mask,
      priority: (word >>> TCI.priority.shift) & TCI.priority.mask,
      dropEligible: ((word >>> TCI.dropEligible.shift) & 1) === 1,
    },
    etherType: (bytes[tagStart + 2] << 8) | bytes[tagStart + 3],
  };
}

/** Writes the header at `into[offset]`; returns its length. `into` must have room for it. */
export function encodeEthernet(record: EthernetRecord, into: Uint8Array, offset = 0): number {
  record.destination.write(into, offset + ETHERNET.destination.offset);
  record.source.write(into, offset + ETHERNET.source.offset);
  const typeAt = offset + ETHERNET.etherType.offset;
  if (record.vlan === undefined) {
    into[typeAt] = record.etherType >>> 8;
    into[typeAt + 1] = record.etherType & 0xff;
    return ETHERNET_HEADER_LENGTH;
  }
  into[typeAt] = ETHERTYPE_VLAN >>> 8;
  into[typeAt + 1] = ETHERTYPE_VLAN & 0xff;
  const { id, priority, dropEligible } = record.vlan;
  const word =
    ((priority & TCI.priority.mask) << TCI.priority.shift) |
    ((dropEligible ? 1 : 0) << TCI.dropEligible.shift) |
    ((id & TCI.id.mask) << TCI.id.shift);
  const tagAt = offset + ETHERNET_HEADER_LENGTH;
  into[tagAt] = word >>> 8;
  into[tagAt + 1] = word & 0xff;
  into[tagAt + 2] = record.etherType >>> 8;
  into[tagAt + 3] = record.etherType & 0xff;
  return ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
}

// ARP (RFC 826) for Ethernet and IPv4, plus the forms the announcer and conflict detector send:
// gratuitous request and reply, and the RFC 5227 probe. ARP for other hardware or protocol types
// decodes to an "unsupported" record that still shows its header. In the codecs-v2 shape (view.ts):
// the ArpPacket view, parseArp, and decodeArp = both.
//
//   0       2       4      5      6     8          14        18          24        28
//   | htype | ptype | hlen | plen | op  | senderMac | senderIp | targetMac | targetIp |
import type { HeaderLayout } from "./positions";
import { blob, struct, u16be, u8 } from "buffer-layout";
import { Ipv4, Mac } from "./address";
import { DecodeError, lengthError } from "./errors";
import { ETHERTYPE_IPV4 } from "./ethernet";
import { checkLiterals, fieldTable, firstFieldPast } from "./layout";
import { arpRecordAt } from "./layer-records";
import { ByteRange } from "./view";
import type { PacketView } from "./view";
import { ArpAt, EtherType } from "./wire-literals";


export const ARP_HARDWARE_ETHERNET = 1;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

const arpStructure = struct([
  u16be("hardwareType"),
  u16be("protocolType"),
  u8("hardwareLength"),
  u8("protocolLength"),
  u16be("operation"),
  blob(6, "senderMac"),
  blob(4, "senderIp"),
  blob(6, "targetMac"),
  blob(4, "targetIp"),
]);
/** The header's description (field names, widths, order), for tools that show or check layouts. */
export const arpLayout: HeaderLayout = arpStructure;
export const ARP = fieldTable(arpStructure);
/** Length of an Ethernet/IPv4 ARP body. */
export const ARP_LENGTH = arpStructure.span;
/** The fixed part before the addresses, whatever their lengths. */
const ARP_FIXED_LENGTH = ARP.senderMac.offset;

// The layout's offsets as literals for the hot paths (ArpAt in wire-literals.ts, which frame.ts,
// summary.ts and filter.ts use too), checked here against the layout and the constants.
checkLiterals("arp", [
  ["hardwareType", ArpAt.HardwareType, ARP.hardwareType.offset],
  ["protocolType", ArpAt.ProtocolType, ARP.protocolType.offset],
  ["hardwareLength", ArpAt.HardwareLength, ARP.hardwareLength.offset],
  ["protocolLength", ArpAt.ProtocolLength, ARP.protocolLength.offset],
  ["operation", ArpAt.Operation, ARP.operation.offset],
  ["senderMac", ArpAt.SenderMac, ARP.senderMac.offset],
  ["senderIp", ArpAt.SenderIp, ARP.senderIp.offset],
  ["targetMac", ArpAt.TargetMac, ARP.targetMac.offset],
  ["targetIp", ArpAt.TargetIp, ARP.targetIp.offset],
  ["length", ArpAt.Length, ARP_LENGTH],
  ["MAC length", ArpAt.MacLength, ARP.senderMac.span],
  ["IPv4 length", ArpAt.Ipv4Length, ARP.senderIp.span],
  ["Ethernet hardware type", ArpAt.HardwareEthernet, ARP_HARDWARE_ETHERNET],
  ["Ethernet/IPv4 types word", ArpAt.EthernetIpv4Types, ARP_HARDWARE_ETHERNET * 0x1_0000 + ETHERTYPE_IPV4],
  ["request", ArpAt.Request, ARP_REQUEST],
  ["reply", ArpAt.Reply, ARP_REPLY],
]);

export interface ArpRecord {
  readonly supported: true;
  readonly hardwareType: 1;
  readonly protocolType: typeof ETHERTYPE_IPV4;
  readonly hardwareLength: 6;
  readonly protocolLength: 4;
  /** 1 request, 2 reply; other values are kept as they are */
  readonly operation: number;
  readonly senderMac: Mac;
  readonly senderIp: Ipv4;
  readonly targetMac: Mac;
  readonly targetIp: Ipv4;
}

/** ARP for a hardware or protocol type other than Ethernet/IPv4: the header, without addresses. */
export interface UnsupportedArpRecord {
  readonly supported: false;
  readonly hardwareType: number;
  readonly protocolType: number;
  readonly hardwareLength: number;
  readonly protocolLength: number;
  readonly operation: number;
}

export type AnyArpRecord = ArpRecord | UnsupportedArpRecord;

/** Bytes the ARP body takes: 8 + 2·hlen + 2·plen. */
export function arpLength(record: AnyArpRecord): number {
  return ArpAt.SenderMac + 2 * record.hardwareLength + 2 * record.protocolLength;
}

function addressFieldsFor(hardwareLength: number, protocolLength: number, supported: boolean) {
  const names = supported
    ? ["senderMac", "senderIp", "targetMac", "targetIp"]
    : ["senderHardwareAddress", "senderProtocolAddress", "targetHardwareAddress", "targetProtocolAddress"];
  const spans = [hardwareLength, protocolLength, hardwareLength, protocolLength];
  let offset = ARP_FIXED_LENGTH;
  return names.map((name, i) => {
    const field = { name, offset, span: spans[i] };
    offset += spans[i];
    return field;
  });
}

function truncated(bytes: Uint8Array, start: number, end: number, hardwareLength: number, protocolLength: number, supported: boolean) {
  const fixed = Object.fromEntries(
    [ARP.hardwareType, ARP.protocolType, ARP.hardwareLength, ARP.protocolLength, ARP.operation].map((f) => [f.name, f]),
  );
  const field =
    firstFieldPast(fixed, start, end) ??
    addressFieldsFor(hardwareLength, protocolLength, supported).find((f) => start + f.offset + f.span > end);
  if (field === undefined) throw new Error("arp: truncated() called on a complete header");
  return lengthError("arp", field.name, start + field.offset, start + field.offset + field.span, end, end < bytes.length ? "header" : "captured");
}

/**
 * A view of the ARP body at bytes[offset, end): no copy, reusable (view.ts). After a clean check()
 * the fixed fields and the body's length are safe to read, and, when `supported` (Ethernet/IPv4
 * ARP), the four addresses too, as numbers (48-bit MACs, 32-bit IPv4).
 */
export class ArpPacket extends ByteRange implements PacketView {
  /**
   * Undefined when the fixed part and the addresses its lengths declare (8 + 2·hlen + 2·plen bytes)
   * lie inside bytes[offset, end); otherwise the length error for the first field cut ("header"
   * when `end` stopped it before the bytes ran out). The same error decodeArp throws.
   */
  check(): DecodeError | undefined {
    const { bytes, offset, end } = this;
    const limit = Math.min(end, bytes.length);
    if (limit - offset < ArpAt.SenderMac) return truncated(bytes, offset, limit, ArpAt.MacLength, ArpAt.Ipv4Length, true);
    const hardwareLength = bytes[offset + ArpAt.HardwareLength];
    const protocolLength = bytes[offset + ArpAt.ProtocolLength];
    if (limit - offset < ArpAt.SenderMac + 2 * hardwareLength + 2 * protocolLength) {
      return truncated(bytes, offset, limit, hardwareLength, protocolLength, this.supported);
    }
    return undefined;
  }

  /** hardware type (1: Ethernet) */
  get hardwareType(): number {
    return (this.bytes[this.offset + ArpAt.HardwareType] << 8) | this.bytes[this.offset + ArpAt.HardwareType + 1];
  }
  /** protocol type, an EtherType (0x0800: IPv4) */
  get protocolType(): number {
    return (this.bytes[this.offset + ArpAt.ProtocolType] << 8) | this.bytes[this.offset + ArpAt.ProtocolType + 1];
  }
  /** hardware address length in bytes */
  get hardwareLength(): number {
    return this.bytes[this.offset + ArpAt.HardwareLength];
  }
  /** protocol address length in bytes */
  get protocolLength(): number {
    return this.bytes[this.offset + ArpAt.ProtocolLength];
  }
  /** 1 request, 2 reply, or any other value as it is */
  get operation(): number {
    return (this.bytes[this.offset + ArpAt.Operation] << 8) | this.bytes[this.offset + ArpAt.Operation + 1];
  }
  /** true for Ethernet/IPv4 ARP (types 1 and 0x0800, lengths 6 and 4): the address getters apply */
  get supported(): boolean {
    const bytes = this.bytes;
    const at = this.offset;
    return (
      ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) === ArpAt.EthernetIpv4Types &&
      bytes[at + ArpAt.HardwareLength] === ArpAt.MacLength &&
      bytes[at + ArpAt.ProtocolLength] === ArpAt.Ipv4Length
    );
  }
  /** the body's length as its address lengths declare: 8 + 2·hlen + 2·plen */
  get length(): number {
    return ArpAt.SenderMac + 2 * this.hardwareLength + 2 * this.protocolLength;
  }
  /** absolute offset of the address bytes (of any hardware and protocol) */
  get addressesOffset(): number {
    return this.offset + ArpAt.SenderMac;
  }
  /** sender MAC as a 48-bit number (when `supported`) */
  get senderMac(): number {
    return mac48(this.bytes, this.offset + ArpAt.SenderMac);
  }
  /** sender IPv4 address as a 32-bit number (when `supported`) */
  get senderIp(): number {
    return u32(this.bytes, this.offset + ArpAt.SenderIp);
  }
  /** target MAC as a 48-bit number (when `supported`) */
  get targetMac(): number {
    return mac48(this.bytes, this.offset + ArpAt.TargetMac);
  }
  /** target IPv4 address as a 32-bit number (when `supported`) */
  get targetIp(): number {
    return u32(this.bytes, this.offset + ArpAt.TargetIp);
  }
  /** absolute offset one past the body: ARP carries no payload, what follows is padding */
  get payloadOffset(): number {
    return this.offset + this.length;
  }
}

function mac48(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 8) | bytes[at + 1]) * 0x1_0000_0000 + u32(bytes, at + 2);
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

const scratch = new ArpPacket();

/**
 * Decodes the ARP body at bytes[start..end): `parseArp` of a checked ArpPacket. Bytes after the body
 * (Ethernet padding) are ignored.
 * @throws DecodeError if the body is shorter than its declared lengths (ArpPacket.check's error)
 */
export function decodeArp(bytes: Uint8Array, start = 0, end = bytes.length): AnyArpRecord {
  const error = scratch.reset(bytes, start, end).check();
  if (error !== undefined) throw error;
  return parseArp(scratch);
}

/**
 * The record of a checked view (call `view.check()` first): an ArpRecord for Ethernet/IPv4 ARP, else
 * an UnsupportedArpRecord with the header alone.
 */
export function parseArp(view: ArpPacket): AnyArpRecord {
  return arpRecordAt(view.bytes, view.offset, view.supported);
}

/**
 * Writes the ARP body at `into[offset]` and returns its length. For an unsupported record the
 * address bytes are not part of the record: pass them as `addresses` (2·hlen + 2·plen bytes).
 */
export function encodeArp(record: AnyArpRecord, into: Uint8Array, offset = 0, addresses?: Uint8Array): number {
  const hardwareType = record.hardwareType;
  const protocolType = record.protocolType;
  const operation = record.operation;
  into[offset] = hardwareType >>> 8;
  into[offset + 1] = hardwareType & 0xff;
  into[offset + ArpAt.ProtocolType] = protocolType >>> 8;
  into[offset + ArpAt.ProtocolType + 1] = protocolType & 0xff;
  into[offset + ArpAt.HardwareLength] = record.hardwareLength;
  into[offset + ArpAt.ProtocolLength] = record.protocolLength;
  into[offset + ArpAt.Operation] = operation >>> 8;
  into[offset + ArpAt.Operation + 1] = operation & 0xff;
  if (record.supported) {
    record.senderMac.write(into, offset + ArpAt.SenderMac);
    record.senderIp.write(into, offset + ArpAt.SenderIp);
    record.targetMac.write(into, offset + ArpAt.TargetMac);
    record.targetIp.write(into, offset + ArpAt.TargetIp);
    return ArpAt.Length;
  }
  return encodeUnsupportedAddresses(record, into, offset, addresses);
}

/** encodeArp's rare path, apart so that the common one stays small enough for V8 to inline. */
function encodeUnsupportedAddresses(record: UnsupportedArpRecord, into: Uint8Array, offset: number, addresses: Uint8Array | undefined): number {
  const length = arpLength(record);
  const bodyLength = length - ArpAt.SenderMac;
  if (addresses !== undefined) into.set(addresses.subarray(0, bodyLength), offset + ArpAt.SenderMac);
  if (addresses === undefined || addresses.length < bodyLength) {
    into.fill(0, offset + ArpAt.SenderMac + (addresses?.length ?? 0), offset + length);
  }
  return length;
}

function arp(operation: number, senderMac: Mac, senderIp: Ipv4, targetMac: Mac, targetIp: Ipv4): ArpRecord {
  return {
    supported: true,
    hardwareType: ArpAt.HardwareEthernet,
    protocolType: EtherType.Ipv4,
    hardwareLength: 6,
    protocolLength: 4,
    operation,
    senderMac,
    senderIp,
    targetMac,
    targetIp,
  };
}

/** "Who has targetIp? Tell senderIp." */
export function arpRequest(senderMac: Mac, senderIp: Ipv4, targetIp: Ipv4): ArpRecord {
  return arp(ARP_REQUEST, senderMac, senderIp, Mac.ZERO, targetIp);
}

/** "senderIp is at senderMac", in answer to targetMac/targetIp. */
export function arpReply(senderMac: Mac, senderIp: Ipv4, targetMac: Mac, targetIp: Ipv4): ArpRecord {
  return arp(ARP_REPLY, senderMac, senderIp, targetMac, targetIp);
}

/** Gratuitous ARP, request form: sender IP = target IP, target MAC zero (RFC 5227 "announcement"). */
export function gratuitousRequest(mac: Mac, ip: Ipv4): ArpRecord {
  return arp(ARP_REQUEST, mac, ip, Mac.ZERO, ip);
}

/** Gratuitous ARP, reply form: sender = target, both MAC and IP. */
export function gratuitousReply(mac: Mac, ip: Ipv4): ArpRecord {
  return arp(ARP_REPLY, mac, ip, mac, ip);
}

/** RFC 5227 probe: "who has ip?" with sender IP 0.0.0.0, so no one's cache learns from it. */
export function arpProbe(mac: Mac, ip: Ipv4): ArpRecord {
  return arp(ARP_REQUEST, mac, Ipv4.ANY, Mac.ZERO, ip);
}

/** Sender IP equals target IP: an announcement of the sender's own binding. */
export function isGratuitous(record: ArpRecord): boolean {
  return record.senderIp.value === record.targetIp.value;
}

/** An RFC 5227 probe: a request with sender IP 0.0.0.0. */
export function isProbe(record: ArpRecord): boolean {
  return record.operation === ARP_REQUEST && record.senderIp.value === 0;
}

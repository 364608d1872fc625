// VRRP advertisements: version 2 (RFC 3768, IPv4, with its authentication types) and version 3
// (RFC 5798, over IPv4 or IPv6, centisecond intervals, a pseudo-header checksum), in the codecs-v2
// shape (see view.ts), so that sniff shows keepalived's adverts and a later interop is possible.
//
//   0            1      2          3          4                         6          8
//   | ver|type   | vrid | priority | addrCount | v2: authType, interval s | checksum | addresses…  | v2: 8 bytes auth data
//                                              | v3: rsvd(4)|interval cs(12)
// The checksum of v2 covers the message; that of v3 adds the IPv4 or IPv6 pseudo-header (protocol 112).
import { bits, blob, struct, u16be, u8 } from "buffer-layout";
import { foldChecksum, onesComplementSum } from "./checksum";
import { contentError, DecodeError, lengthError } from "./errors";
import { bitTable, checkLiterals, fieldTable, firstFieldPast } from "./layout";
import type { HeaderLayout } from "./positions";
import { checkPseudoHeader, pseudoHeaderSum, transportChecksum } from "./pseudo-header";
import { limitSource, TransportEmitOptions } from "./udp";
import type { PacketView } from "./view";
import { IpProtocol, VrrpAt } from "./wire-literals";

const versionAndType = bits(u8("versionAndType"), true, "versionAndType");
const versionAndTypeFields = [versionAndType.addField(4, "version"), versionAndType.addField(4, "type")];
const vrrpStructure = struct([
  versionAndType,
  u8("virtualRouterId"),
  u8("priority"),
  u8("addressCount"),
  u16be("interval"),
  u16be("checksum"),
]);
/** The fixed VRRP header's description; bytes 4–5 are `interval` (v3: 4 reserved bits, 12 of centiseconds; v2: authType, then seconds). */
export const vrrpLayout: HeaderLayout = vrrpStructure;
/** Offset and span of each fixed VRRP header field. */
export const VRRP = fieldTable(vrrpStructure);
/** Length of the fixed VRRP header. */
export const VRRP_HEADER_LENGTH = vrrpStructure.span;
const VERSION_TYPE = bitTable(vrrpStructure, versionAndType, versionAndTypeFields);
/** What follows a VRRPv2 message's addresses: 8 bytes of authentication data (RFC 2338). */
const authDataStructure = struct([blob(8, "authData")]);

checkLiterals("vrrp", [
  ["versionAndType", VrrpAt.VersionAndType, VRRP.versionAndType.offset],
  ["virtualRouterId", VrrpAt.VirtualRouterId, VRRP.virtualRouterId.offset],
  ["priority", VrrpAt.Priority, VRRP.priority.offset],
  ["addressCount", VrrpAt.AddressCount, VRRP.addressCount.offset],
  ["interval", VrrpAt.Interval, VRRP.interval.offset],
  ["checksum", VrrpAt.Checksum, VRRP.checksum.offset],
  ["header length", VrrpAt.Header, VRRP_HEADER_LENGTH],
  ["v2 authentication data length", VrrpAt.AuthData, authDataStructure.span],
  ["version shift", 4, VERSION_TYPE.version.shift],
  ["version mask", 0xf, VERSION_TYPE.version.mask],
  ["type shift", 0, VERSION_TYPE.type.shift],
  ["type mask", 0xf, VERSION_TYPE.type.mask],
]);

/** The IP protocol number of VRRP. */
export const VRRP_PROTOCOL = 112;
checkLiterals("vrrp", [["protocol number", IpProtocol.Vrrp, VRRP_PROTOCOL]]);
/** The one VRRP message type, "Advertisement". */
export const VRRP_ADVERTISEMENT = 1;
/** VRRPv2 authentication types (RFC 2338; RFC 3768 keeps only "none" but receivers still see the others). */
export const VrrpAuthType = { NONE: 0, SIMPLE: 1, AH: 2 } as const;

/** A view of a VRRP message in bytes[offset, end): no copy, reusable. */
export class VrrpPacket implements PacketView {
  bytes: Uint8Array;
  offset: number;
  end: number;
  /** bytes per address: 4 over IPv4, 16 over IPv6 (v3 only) */
  addressLength: 4 | 16;

  constructor(bytes: Uint8Array = new Uint8Array(0), offset = 0, end = bytes.length, addressLength: 4 | 16 = 4) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
    this.addressLength = addressLength;
  }

  /** Aims the view at the message in bytes[offset, end), carried over IPv4 (4) or IPv6 (16). */
  reset(bytes: Uint8Array, offset = 0, end = bytes.length, addressLength: 4 | 16 = 4): this {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
    this.addressLength = addressLength;
    return this;
  }

  /**
   * Undefined when the header, its addresses (and for v2 the 8 bytes of authentication data) are
   * there and the version is 2 (over IPv4) or 3; else the first problem, exactly.
   */
  check(): DecodeError | undefined {
    const { bytes, offset, end } = this;
    const limit = Math.min(end, bytes.length);
    if (limit - offset < VrrpAt.Header) {
      const field = firstFieldPast(VRRP, offset, limit)!;
      const name = field.name === "versionAndType" ? "version" : field.name;
      return lengthError("vrrp", name, offset + field.offset, offset + field.offset + field.span, limit, limitSource(bytes, end));
    }
    const version = this.version;
    if (version !== 2 && version !== 3) return contentError("vrrp", "version", offset, version, `version ${version}, need 2 or 3`);
    if (version === 2 && this.addressLength !== 4) return contentError("vrrp", "version", offset, version, "version 2 over IPv6; VRRPv2 is IPv4 only");
    const addressesEnd = this.addressesOffset + this.addressCount * this.addressLength;
    if (addressesEnd > limit) return lengthError("vrrp", "addresses", this.addressesOffset, addressesEnd, limit, limitSource(bytes, end));
    if (version === 2 && addressesEnd + VrrpAt.AuthData > limit) return lengthError("vrrp", "authData", addressesEnd, addressesEnd + VrrpAt.AuthData, limit, limitSource(bytes, end));
    return undefined;
  }

  get version(): number {
    return this.bytes[this.offset] >>> 4;
  }
  /** message type (1, Advertisement, is the only one defined) */
  get type(): number {
    return this.bytes[this.offset] & 0xf;
  }
  get virtualRouterId(): number {
    return this.bytes[this.offset + VrrpAt.VirtualRouterId];
  }
  get priority(): number {
    return this.bytes[this.offset + VrrpAt.Priority];
  }
  get addressCount(): number {
    return this.bytes[this.offset + VrrpAt.AddressCount];
  }
  /** v2: the authentication type (byte 4); v3: the 4 reserved bits */
  get authType(): number {
    return this.version === 2 ? this.bytes[this.offset + VrrpAt.Interval] : this.bytes[this.offset + VrrpAt.Interval] >>> 4;
  }
  /** the advertisement interval: v2 in seconds (byte 5), v3 in centiseconds (12 bits) */
  get interval(): number {
    const b = this.bytes;
    const at = this.offset + VrrpAt.Interval;
    return this.version === 2 ? b[at + 1] : ((b[at] & 0x0f) << 8) | b[at + 1];
  }
  get checksum(): number {
    return (this.bytes[this.offset + VrrpAt.Checksum] << 8) | this.bytes[this.offset + VrrpAt.Checksum + 1];
  }
  /** absolute offset of the first address */
  get addressesOffset(): number {
    return this.offset + VrrpAt.Header;
  }
  /** absolute offset of the v2 authentication data */
  get authDataOffset(): number {
    return this.addressesOffset + this.addressCount * this.addressLength;
  }
  /** absolute offset one past the message (the addresses, and v2's authentication data) */
  get payloadOffset(): number {
    return this.authDataOffset + (this.version === 2 ? VrrpAt.AuthData : 0);
  }

  /**
   * True when the checksum over bytes[offset, end) verifies: v2 over the message alone, v3 with the
   * pseudo-header sum (`pseudoHeaderSumAt` with protocol 112 and end − offset) added.
   */
  checksumVerifies(pseudoSum: number): boolean {
    const sum = onesComplementSum(this.bytes, this.offset, this.end, this.version === 2 ? 0 : pseudoSum);
    return foldChecksum(sum) === 0;
  }
}

/** A VRRP advertisement as a plain object. */
export interface VrrpRecord {
  /** 2 or 3 */
  readonly version: number;
  readonly type: number;
  readonly virtualRouterId: number;
  readonly priority: number;
  /** the count field; rewritten from `addresses` on emit unless fixLengths is false */
  readonly addressCount: number;
  /** v2: authentication type; v3: the 4 reserved bits */
  readonly authType: number;
  /** v2: seconds (0..255); v3: centiseconds (0..4095) */
  readonly interval: number;
  /** the checksum field; computed on emit unless computeChecksums is false */
  readonly checksum: number;
  /** the virtual addresses, 4 bytes each (or 16 for v3 over IPv6) */
  readonly addresses: readonly Uint8Array[];
  /** v2: the 8 bytes of authentication data (a simple password, zero-filled); empty for v3 */
  readonly authData: Uint8Array;
}

/** The record of a checked view (call `view.check()` first). */
export function parseVrrp(view: VrrpPacket): VrrpRecord {
  const b = view.bytes;
  const addresses: Uint8Array[] = [];
  for (let i = 0, at = view.addressesOffset; i < view.addressCount; i++, at += view.addressLength) addresses.push(b.subarray(at, at + view.addressLength));
  const auth = view.authDataOffset;
  return {
    version: view.version,
    type: view.type,
    virtualRouterId: view.virtualRouterId,
    priority: view.priority,
    addressCount: view.addressCount,
    authType: view.authType,
    interval: view.interval,
    checksum: view.checksum,
    addresses,
    authData: view.version === 2 ? b.subarray(auth, auth + VrrpAt.AuthData) : new Uint8Array(0),
  };
}

/** Bytes `emitVrrp` writes for `record`. */
export function vrrpBufferLength(record: Pick<VrrpRecord, "version" | "addresses">): number {
  let length: number = VrrpAt.Header + (record.version === 2 ? VrrpAt.AuthData : 0);
  for (const address of record.addresses) length += address.length;
  return length;
}

/**
 * Writes `record` at into[offset]; returns the offset after it. v2's checksum covers the message;
 * v3's needs `options.pseudoHeader` too. v2's authentication data is written zero-filled to 8 bytes.
 * @throws RangeError when `into` is too short or the addresses are of mixed or wrong lengths; Error
 *   when a v3 checksum is asked for without a pseudo-header
 */
export function emitVrrp(record: VrrpRecord, into: Uint8Array, offset = 0, options: TransportEmitOptions = {}): number {
  const total = vrrpBufferLength(record);
  if (offset + total > into.length) throw new RangeError(`takeover: vrrp: ${total} bytes do not fit at ${offset} in a buffer of ${into.length}; give a larger buffer`);
  const v2 = record.version === 2;
  const addressLength = record.addresses.length === 0 ? 4 : record.addresses[0].length;
  for (const address of record.addresses) {
    if (address.length !== addressLength || (address.length !== 4 && address.length !== 16) || (v2 && address.length !== 4)) {
      throw new RangeError(`takeover: vrrp: an address of ${address.length} bytes; give all 4-byte (IPv4) or, for version 3, all 16-byte (IPv6) addresses`);
    }
  }
  if (record.authData.length > VrrpAt.AuthData) throw new RangeError(`takeover: vrrp: ${record.authData.length} bytes of authentication data; VRRPv2 holds 8`);
  into[offset] = ((record.version & 0xf) << 4) | (record.type & 0xf);
  into[offset + VrrpAt.VirtualRouterId] = record.virtualRouterId;
  into[offset + VrrpAt.Priority] = record.priority;
  into[offset + VrrpAt.AddressCount] = options.fixLengths === false ? record.addressCount : record.addresses.length;
  if (v2) {
    into[offset + VrrpAt.Interval] = record.authType;
    into[offset + VrrpAt.Interval + 1] = record.interval;
  } else {
    into[offset + VrrpAt.Interval] = ((record.authType & 0xf) << 4) | ((record.interval >>> 8) & 0xf);
    into[offset + VrrpAt.Interval + 1] = record.interval & 0xff;
  }
  into[offset + VrrpAt.Checksum] = 0;
  into[offset + VrrpAt.Checksum + 1] = 0;
  let at = offset + VrrpAt.Header;
  for (const address of record.addresses) {
    into.set(address, at);
    at += address.length;
  }
  if (v2) {
    into.fill(0, at, at + VrrpAt.AuthData);
    into.set(record.authData, at);
  }
  let checksum = record.checksum;
  if (options.computeChecksums !== false) {
    if (v2) checksum = transportChecksum(into, offset, offset + total, 0);
    else {
      const pseudo = options.pseudoHeader;
      if (pseudo === undefined) throw new Error("takeover: vrrp: a version 3 checksum needs options.pseudoHeader (the IP addresses); give it or set computeChecksums: false");
      checkPseudoHeader("vrrp", pseudo);
      checksum = transportChecksum(into, offset, offset + total, pseudoHeaderSum(pseudo, VRRP_PROTOCOL, total));
    }
  }
  into[offset + VrrpAt.Checksum] = (checksum >>> 8) & 0xff;
  into[offset + VrrpAt.Checksum + 1] = checksum & 0xff;
  return offset + total;
}

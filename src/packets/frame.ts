// One frame decoder and its inverse: Ethernet → ARP | IPv4 → ICMP, with the layers as top-level keys
// of one record. decodeFrame builds records (addresses stay numbers until printed); FrameView is the
// no-allocation path for hot loops (sniffer, prober), reading fields straight from the bytes after
// one walk of length checks.
import { Ipv4, Mac } from "./address";
import { AnyArpRecord, arpLength, decodeArp, encodeArp } from "./arp";
import { DecodeError } from "./errors";
import {
  decodeEthernet,
  encodeEthernet,
  ethernetHeaderLength,
  EthernetRecord,
  ETHERNET_HEADER_LENGTH,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_VLAN,
} from "./ethernet";
import { decodeIcmp, encodeIcmp, IcmpFields, IcmpRecord, ICMP_HEADER_LENGTH, isEcho } from "./icmp";
import { decodeIpv4, encodeIpv4, EncodeOptions, ipv4HeaderLength, Ipv4Fields, Ipv4Record, IP_PROTOCOL_ICMP, isFragment } from "./ipv4";

const EMPTY = new Uint8Array(0);

/** What encodeFrame takes: the layers, the bytes after the last one, and any Ethernet padding. */
export interface FrameFields {
  readonly ethernet: EthernetRecord;
  readonly arp?: AnyArpRecord;
  readonly ipv4?: Ipv4Fields;
  readonly icmp?: IcmpFields;
  /**
   * The bytes after the last decoded header: ICMP data, an IPv4 payload of another protocol, an
   * unknown EtherType's payload, or an unsupported ARP's address bytes.
   */
  readonly payload?: Uint8Array;
  /** bytes after the datagram or ARP body, up to the end of the frame (Ethernet padding) */
  readonly padding?: Uint8Array;
}

/**
 * A decoded frame. Layer records are plain, immutable objects; `payload` and `padding` are views of
 * the decoded bytes made on demand, so copy the frame's bytes if the buffer is reused (capture
 * buffers are). `JSON.stringify(frame)` gives the layers with addresses as text.
 */
export class Frame implements FrameFields {
  readonly #bytes: Uint8Array;
  readonly #payloadStart: number;
  readonly #payloadEnd: number;
  readonly ethernet: EthernetRecord;
  readonly arp?: AnyArpRecord;
  readonly ipv4?: Ipv4Record;
  readonly icmp?: IcmpRecord;

  constructor(
    bytes: Uint8Array,
    payloadStart: number,
    payloadEnd: number,
    ethernet: EthernetRecord,
    arp: AnyArpRecord | undefined,
    ipv4: Ipv4Record | undefined,
    icmp: IcmpRecord | undefined,
  ) {
    this.#bytes = bytes;
    this.#payloadStart = payloadStart;
    this.#payloadEnd = payloadEnd;
    this.ethernet = ethernet;
    if (arp !== undefined) this.arp = arp;
    if (ipv4 !== undefined) this.ipv4 = ipv4;
    if (icmp !== undefined) this.icmp = icmp;
  }

  get payload(): Uint8Array {
    return this.#bytes.subarray(this.#payloadStart, this.#payloadEnd);
  }

  get padding(): Uint8Array {
    return this.#bytes.subarray(this.#payloadEnd);
  }

  /** The frame's length on the wire (as captured). */
  get length(): number {
    return this.#bytes.length;
  }

  toJSON(): object {
    const out: Record<string, unknown> = { ethernet: this.ethernet };
    if (this.arp !== undefined) out.arp = this.arp;
    if (this.ipv4 !== undefined) out.ipv4 = { ...this.ipv4, options: hex(this.ipv4.options) };
    if (this.icmp !== undefined) {
      const quoted = this.icmp.quoted;
      out.icmp = quoted === undefined ? this.icmp : { ...this.icmp, quoted: { ...quoted, options: hex(quoted.options) } };
    }
    out.payloadLength = this.#payloadEnd - this.#payloadStart;
    return out;
  }
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

/**
 * Decodes a whole frame. Any Uint8Array (a Buffer too); its byteOffset and byteLength are honoured.
 * @throws DecodeError — and nothing else — when a header is cut short or malformed
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  const end = bytes.length;
  const ethernet = decodeEthernet(bytes, 0, end);
  const start = ethernet.vlan === undefined ? ETHERNET_HEADER_LENGTH : ETHERNET_HEADER_LENGTH + 4;
  if (ethernet.etherType === ETHERTYPE_ARP) {
    const arp = decodeArp(bytes, start, end);
    const addressesAt = start + 8;
    const arpEnd = start + arpLength(arp);
    return arp.supported
      ? new Frame(bytes, arpEnd, arpEnd, ethernet, arp, undefined, undefined)
      : new Frame(bytes, addressesAt, arpEnd, ethernet, arp, undefined, undefined);
  }
  if (ethernet.etherType === ETHERTYPE_IPV4) {
    const ipv4 = decodeIpv4(bytes, start, end);
    const payloadStart = start + ipv4.headerLength;
    const datagramEnd = start + ipv4.totalLength;
    if (ipv4.protocol === IP_PROTOCOL_ICMP && ipv4.fragmentOffset === 0) {
      const icmp = decodeIcmp(bytes, payloadStart, datagramEnd, !ipv4.moreFragments);
      return new Frame(bytes, payloadStart + ICMP_HEADER_LENGTH, datagramEnd, ethernet, undefined, ipv4, icmp);
    }
    return new Frame(bytes, payloadStart, datagramEnd, ethernet, undefined, ipv4, undefined);
  }
  return new Frame(bytes, start, end, ethernet, undefined, undefined, undefined);
}

/** decodeFrame that returns the DecodeError instead of throwing it. */
export function tryDecodeFrame(bytes: Uint8Array): Frame | DecodeError {
  try {
    return decodeFrame(bytes);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

/** Bytes encodeFrame writes for `record`. */
export function encodedFrameLength(record: FrameFields): number {
  let length = ethernetHeaderLength(record.ethernet);
  if (record.arp !== undefined) length += arpLength(record.arp);
  else if (record.ipv4 !== undefined) {
    length += ipv4HeaderLength(record.ipv4);
    if (record.icmp !== undefined) length += ICMP_HEADER_LENGTH;
    length += record.payload?.length ?? 0;
  } else length += record.payload?.length ?? 0;
  return length + (record.padding?.length ?? 0);
}

/**
 * Encodes a frame: the inverse of decodeFrame. Writes into `into` (from its start) when given —
 * it must hold encodedFrameLength(record) bytes — and returns the bytes written as a view of it;
 * otherwise allocates. Lengths and checksums are computed unless `checksums: "keep"`.
 */
export function encodeFrame(record: FrameFields, into?: Uint8Array, options: EncodeOptions = {}): Uint8Array {
  const length = encodedFrameLength(record);
  const out = into ?? new Uint8Array(length);
  if (out.length < length) throw new RangeError(`encodeFrame: the buffer holds ${out.length} bytes, the frame needs ${length}`);
  let at = encodeEthernet(record.ethernet, out, 0);
  const payload = record.payload ?? EMPTY;
  if (record.arp !== undefined) {
    at += encodeArp(record.arp, out, at, record.arp.supported ? undefined : payload);
  } else if (record.ipv4 !== undefined) {
    const icmpLength = record.icmp === undefined ? payload.length : ICMP_HEADER_LENGTH + payload.length;
    at += encodeIpv4(record.ipv4, icmpLength, out, at, options);
    if (record.icmp !== undefined) {
      const whole = !isFragment(record.ipv4);
      at += encodeIcmp(record.icmp, payload, out, at, whole ? options : { checksums: "keep" });
    } else {
      out.set(payload, at);
      at += payload.length;
    }
  } else {
    out.set(payload, at);
    at += payload.length;
  }
  if (record.padding !== undefined && record.padding.length > 0) {
    out.set(record.padding, at);
    at += record.padding.length;
  }
  return at === out.length ? out : out.subarray(0, at);
}

/** What FrameView found at the top layer it understood. */
export enum FrameKind {
  /** an EtherType other than ARP or IPv4 */
  Other = 0,
  Arp = 1,
  /** IPv4 carrying something other than (first-fragment) ICMP */
  Ipv4 = 2,
  Icmp = 3,
  /** ARP for a hardware or protocol type other than Ethernet/IPv4 */
  UnsupportedArp = 4,
}

/**
 * A reusable, allocation-free reader of one frame at a time. `reset(bytes)` walks the headers with the
 * same length checks as decodeFrame and returns false where decodeFrame would throw (call decodeFrame
 * then for the DecodeError). After a true reset, the getters of the layers `kind` says are present
 * cannot fail; addresses are numbers (IPv4 as uint32, MAC as a 48-bit integer). Checksums are not
 * verified here: use decodeFrame, or `icmpChecksumValid()`.
 */
export class FrameView {
  bytes: Uint8Array = EMPTY;
  kind: FrameKind = FrameKind.Other;
  /** start of the layer after Ethernet (and its VLAN tag) */
  networkOffset = 0;
  /** start of the IPv4 payload (the ICMP header for Icmp) */
  transportOffset = 0;
  /** end of the IPv4 datagram or ARP body */
  datagramEnd = 0;

  reset(bytes: Uint8Array): boolean {
    this.bytes = bytes;
    const end = bytes.length;
    if (end < ETHERNET_HEADER_LENGTH) return false;
    let type = (bytes[12] << 8) | bytes[13];
    let at = ETHERNET_HEADER_LENGTH;
    if (type === ETHERTYPE_VLAN) {
      if (end < 18) return false;
      type = (bytes[16] << 8) | bytes[17];
      at = 18;
    }
    this.networkOffset = at;
    if (type === ETHERTYPE_ARP) {
      if (end - at < 8) return false;
      const addressBytes = 2 * bytes[at + 4] + 2 * bytes[at + 5];
      if (end - at < 8 + addressBytes) return false;
      this.datagramEnd = at + 8 + addressBytes;
      this.kind =
        bytes[at] === 0 && bytes[at + 1] === 1 && bytes[at + 2] === 8 && bytes[at + 3] === 0 && bytes[at + 4] === 6 && bytes[at + 5] === 4
          ? FrameKind.Arp
          : FrameKind.UnsupportedArp;
      return true;
    }
    if (type === ETHERTYPE_IPV4) {
      if (end - at < 20) return false;
      const first = bytes[at];
      const headerLength = (first & 0xf) * 4;
      if (first >>> 4 !== 4 || headerLength < 20 || end - at < headerLength) return false;
      const totalLength = (bytes[at + 2] << 8) | bytes[at + 3];
      if (totalLength < headerLength || at + totalLength > end) return false;
      this.transportOffset = at + headerLength;
      this.datagramEnd = at + totalLength;
      const firstFragment = (((bytes[at + 6] << 8) | bytes[at + 7]) & 0x1fff) === 0;
      if (bytes[at + 9] === IP_PROTOCOL_ICMP && firstFragment) {
        if (totalLength - headerLength < ICMP_HEADER_LENGTH) return false;
        this.kind = FrameKind.Icmp;
      } else this.kind = FrameKind.Ipv4;
      return true;
    }
    this.kind = FrameKind.Other;
    this.datagramEnd = end;
    return true;
  }

  get etherType(): number {
    const b = this.bytes;
    return this.networkOffset === 18 ? (b[16] << 8) | b[17] : (b[12] << 8) | b[13];
  }
  /** VLAN id, or -1 without a tag */
  get vlanId(): number {
    return this.networkOffset === 18 ? ((this.bytes[14] << 8) | this.bytes[15]) & 0xfff : -1;
  }
  get destinationMac(): number {
    return mac48(this.bytes, 0);
  }
  get sourceMac(): number {
    return mac48(this.bytes, 6);
  }

  get arpOperation(): number {
    const b = this.bytes;
    const at = this.networkOffset;
    return (b[at + 6] << 8) | b[at + 7];
  }
  get arpSenderMac(): number {
    return mac48(this.bytes, this.networkOffset + 8);
  }
  get arpSenderIp(): number {
    return u32(this.bytes, this.networkOffset + 14);
  }
  get arpTargetMac(): number {
    return mac48(this.bytes, this.networkOffset + 18);
  }
  get arpTargetIp(): number {
    return u32(this.bytes, this.networkOffset + 24);
  }

  get ipv4Source(): number {
    return u32(this.bytes, this.networkOffset + 12);
  }
  get ipv4Destination(): number {
    return u32(this.bytes, this.networkOffset + 16);
  }
  get ipv4Ttl(): number {
    return this.bytes[this.networkOffset + 8];
  }
  get ipv4Protocol(): number {
    return this.bytes[this.networkOffset + 9];
  }
  get ipv4Identification(): number {
    const b = this.bytes;
    return (b[this.networkOffset + 4] << 8) | b[this.networkOffset + 5];
  }
  get ipv4TotalLength(): number {
    return this.datagramEnd - this.networkOffset;
  }

  get icmpType(): number {
    return this.bytes[this.transportOffset];
  }
  get icmpCode(): number {
    return this.bytes[this.transportOffset + 1];
  }
  get icmpIdentifier(): number {
    const b = this.bytes;
    return (b[this.transportOffset + 4] << 8) | b[this.transportOffset + 5];
  }
  get icmpSequence(): number {
    const b = this.bytes;
    return (b[this.transportOffset + 6] << 8) | b[this.transportOffset + 7];
  }
  /** start of the ICMP data (after the 8-byte header) */
  get icmpDataOffset(): number {
    return this.transportOffset + ICMP_HEADER_LENGTH;
  }
  /** True for an echo request or reply */
  get isEcho(): boolean {
    return isEcho(this.bytes[this.transportOffset]);
  }
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function mac48(b: Uint8Array, at: number): number {
  return ((b[at] << 8) | b[at + 1]) * 0x1_0000_0000 + u32(b, at + 2);
}

/** An Ethernet header record for common cases. */
export function ethernetHeader(destination: Mac, source: Mac, etherType: number): EthernetRecord {
  return { destination, source, etherType };
}

/** Options of an IPv4 header with common defaults, for building frames. */
export function ipv4Header(
  source: Ipv4,
  destination: Ipv4,
  protocol: number,
  fields: Partial<Omit<Ipv4Fields, "source" | "destination" | "protocol">> = {},
): Ipv4Fields {
  return {
    dscp: 0,
    ecn: 0,
    identification: 0,
    reservedFlag: false,
    dontFragment: true,
    moreFragments: false,
    fragmentOffset: 0,
    ttl: 64,
    ...fields,
    source,
    destination,
    protocol,
  };
}

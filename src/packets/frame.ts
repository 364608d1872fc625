// One frame decoder and its inverse: Ethernet → ARP | IPv4 → ICMP, with the layers as top-level keys
// of one record. One walk, walkFrame, decides where each layer starts and ends and whether it is
// valid, in the manner of gopacket's DecodingLayerParser: FrameView.reset runs it and then reads
// fields straight from the bytes (the no-allocation path for hot loops: sniffer, prober), and
// decodeFrame runs it and then reads each layer's record at the offsets it found (addresses stay
// numbers until printed). A refused frame's DecodeError comes from the refusing layer's decoder.
import { Ipv4, Mac } from "./address";
import { AnyArpRecord, arpLength, ArpPacket, ArpRecord, encodeArp } from "./arp";
import { DecodeError } from "./errors";
import { encodeEthernet, EthernetPacket, EthernetRecord } from "./ethernet";
import { checkLiterals } from "./layout";
import { encodeIcmp, IcmpFields, IcmpPacket, IcmpRecord, isEcho } from "./icmp";
import { encodeIpv4, EncodeOptions, ipv4HeaderLength, Ipv4Fields, Ipv4Packet, Ipv4Record, isFragment } from "./ipv4";
import { arpRecordAt, ethernetRecordAt, icmpRecordAt, ipv4RecordAt } from "./layer-records";
import { ArpAt, EthAt, EtherType, IcmpAt, Ipv4At } from "./wire-literals";

const EMPTY = new Uint8Array(0);
// The layer views that word a refused frame's error (refusal); an accepted frame's records are built
// by layer-records.ts, whose builders the views' parse functions call too, at the offsets walkFrame found.
const ethernetView = new EthernetPacket();
const arpView = new ArpPacket();
const ipv4View = new Ipv4Packet();
const icmpView = new IcmpPacket();
const NO_OPTIONS: EncodeOptions = {};
/** An ICMP message split over fragments: its checksum cannot be computed from the first one. */
const KEEP_CHECKSUMS: EncodeOptions = { computeChecksums: false };


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

/** A decoded frame's payload (EMPTY when it has none), for encodeFrame: one view, made only when needed. */
let framePayload: (frame: Frame) => Uint8Array;
/** A decoded frame's padding, or undefined when it has none. */
let framePadding: (frame: Frame) => Uint8Array | undefined;

/**
 * A decoded frame. Layer records are plain, immutable objects; `payload` and `padding` are views of
 * the decoded bytes made on demand, so copy the frame's bytes if the buffer is reused (capture
 * buffers are). `JSON.stringify(frame)` gives the layers with addresses as text.
 */
export class Frame implements FrameFields {
  readonly #bytes: Uint8Array;
  readonly #payloadStart: number;
  readonly #payloadEnd: number;
  // `declare`: no class fields are emitted for these (ES2022 would define all four on every frame,
  // undefined or not); the constructor assigns only the layers the frame has, so an absent layer
  // has no key at all.
  declare readonly ethernet: EthernetRecord;
  declare readonly arp?: AnyArpRecord;
  declare readonly ipv4?: Ipv4Record;
  declare readonly icmp?: IcmpRecord;

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

  static {
    framePayload = (frame) =>
      frame.#payloadStart === frame.#payloadEnd ? EMPTY : frame.#bytes.subarray(frame.#payloadStart, frame.#payloadEnd);
    framePadding = (frame) => (frame.#payloadEnd === frame.#bytes.length ? undefined : frame.#bytes.subarray(frame.#payloadEnd));
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
 * The frame is walked once, by walkFrame (FrameView's walk: the one place that decides where each
 * layer starts and ends and whether it is valid); the records are then read at the offsets it found.
 * @throws DecodeError — and nothing else — when a header is cut short or malformed
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  const found = walkFrame(walker, bytes);
  if (found < 0) throw refusal(bytes, found);
  const at = walker.networkOffset;
  const datagramEnd = walker.datagramEnd;
  const ethernet = ethernetRecordAt(bytes, 0);
  if (found === Kind.Icmp || found === Kind.Ipv4) return ipv4Frame(bytes, ethernet, at, walker.transportOffset, datagramEnd, found === Kind.Icmp);
  if (found === Kind.Arp) return new Frame(bytes, datagramEnd, datagramEnd, ethernet, arpRecordAt(bytes, at, true), undefined, undefined);
  if (found === Kind.UnsupportedArp) {
    return new Frame(bytes, at + ArpAt.SenderMac, datagramEnd, ethernet, arpRecordAt(bytes, at, false), undefined, undefined);
  }
  return new Frame(bytes, at, datagramEnd, ethernet, undefined, undefined, undefined);
}

/**
 * decodeFrame's IPv4 frame (with ICMP when `icmp`), from the offsets walkFrame found; apart so that
 * decodeFrame stays small enough for V8 to inline with what it calls.
 */
function ipv4Frame(bytes: Uint8Array, ethernet: EthernetRecord, at: number, transport: number, datagramEnd: number, icmp: boolean): Frame {
  const ipv4 = ipv4RecordAt(bytes, at, transport - at);
  if (!icmp) return new Frame(bytes, transport, datagramEnd, ethernet, undefined, ipv4, undefined);
  const message = icmpRecordAt(bytes, transport, datagramEnd, !ipv4.moreFragments);
  return new Frame(bytes, transport + IcmpAt.HeaderLength, datagramEnd, ethernet, undefined, ipv4, message);
}

/**
 * The DecodeError for a frame walkFrame refused (`refused`, one of Refused): the refusing layer's
 * view, aimed at that layer alone where the walk stopped, says exactly what is wrong in its check()
 * (it refuses the same bytes; the frame is not walked again).
 */
function refusal(bytes: Uint8Array, refused: number): DecodeError {
  const end = bytes.length;
  const error =
    refused === Refused.Ethernet
      ? ethernetView.reset(bytes, 0, end).check()
      : refused === Refused.Arp
        ? arpView.reset(bytes, walker.networkOffset, end).check()
        : refused === Refused.Ipv4
          ? ipv4View.reset(bytes, walker.networkOffset, end).check()
          : icmpView.reset(bytes, walker.transportOffset, walker.datagramEnd).check();
  if (error !== undefined) return error;
  const layer = refused === Refused.Ethernet ? "ethernet" : refused === Refused.Arp ? "arp" : refused === Refused.Ipv4 ? "ipv4" : "icmp";
  throw new Error(`decodeFrame: the frame walker refused the ${layer} header and its view's check() accepted it; a bug, please report it with the frame's bytes`);
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
  if (record instanceof Frame) return frameLength(record, framePayload(record), framePadding(record));
  return frameLength(record, record.payload ?? EMPTY, record.padding);
}

function frameLength(record: FrameFields, payload: Uint8Array, padding: Uint8Array | undefined): number {
  const arp = record.arp;
  const ipv4 = record.ipv4;
  let length = record.ethernet.vlan === undefined ? EthAt.HeaderLength : EthAt.TaggedHeaderLength;
  if (arp !== undefined) length += arpLength(arp);
  else if (ipv4 !== undefined) length += ipv4HeaderLength(ipv4) + (record.icmp !== undefined ? IcmpAt.HeaderLength : 0) + payload.length;
  else length += payload.length;
  return padding === undefined ? length : length + padding.length;
}

/**
 * Encodes a frame: the inverse of decodeFrame. Writes into `into` (from its start) when given —
 * it must hold encodedFrameLength(record) bytes — and returns the bytes written as a view of it;
 * otherwise allocates. Lengths and checksums are computed; `fixLengths: false` writes the record's
 * IPv4 lengths and `computeChecksums: false` its checksums as given (EncodeOptions).
 */
export function encodeFrame(record: FrameFields, into?: Uint8Array, options: EncodeOptions = NO_OPTIONS): Uint8Array {
  // Decoded Frames and plain records go separate ways from the start, so that each property read
  // below sees the few object shapes of its kind (V8 slows down past four shapes at one read).
  if (record instanceof Frame) return encodeDecoded(record, into, options);
  const arp = record.arp;
  if (arp !== undefined && arp.supported && arp.hardwareLength === ArpAt.MacLength && arp.protocolLength === ArpAt.Ipv4Length) {
    const written = encodeArpFrame(record.ethernet, arp, record.padding, into);
    if (written !== undefined) return written;
  }
  return encodeLayers(record, record.payload ?? EMPTY, record.padding, into, options);
}

/** encodeFrame for a decoded Frame: its payload and padding are views made only when not empty. */
function encodeDecoded(frame: Frame, into: Uint8Array | undefined, options: EncodeOptions): Uint8Array {
  const arp = frame.arp;
  if (arp !== undefined && arp.supported && arp.hardwareLength === ArpAt.MacLength && arp.protocolLength === ArpAt.Ipv4Length) {
    const written = encodeArpFrame(frame.ethernet, arp, framePadding(frame), into);
    if (written !== undefined) return written;
  }
  return encodeLayers(frame, framePayload(frame), framePadding(frame), into, options);
}

/**
 * encodeFrame for Ethernet/IPv4 ARP, the frames the announcer and the conflict detector send many of:
 * the body is written here, straight-line, instead of by encodeArp and four Mac/Ipv4 writes. V8
 * inlines only so much bytecode into one optimized function, and the layer-by-layer path spends
 * that budget before it reaches the address writes, which then cost a call each (measured: 38 ns a
 * frame that way, 26 this way). Returns undefined, having written nothing, for an address value
 * this fast path does not write (negative or NaN: the general path writes it as Mac.write does).
 */
function encodeArpFrame(
  ethernet: EthernetRecord,
  arp: ArpRecord,
  padding: Uint8Array | undefined,
  into: Uint8Array | undefined,
): Uint8Array | undefined {
  const senderMac = arp.senderMac.value;
  const targetMac = arp.targetMac.value;
  if (!(senderMac >= 0 && targetMac >= 0)) return undefined;
  const at = ethernet.vlan === undefined ? EthAt.HeaderLength : EthAt.TaggedHeaderLength;
  const arpEnd = at + ArpAt.Length;
  const length = padding === undefined ? arpEnd : arpEnd + padding.length;
  const out = into ?? new Uint8Array(length);
  if (out.length < length) throw new RangeError(`encodeFrame: the buffer holds ${out.length} bytes, the frame needs ${length}`);
  encodeEthernet(ethernet, out, 0);
  const hardwareType = arp.hardwareType;
  const protocolType = arp.protocolType;
  const operation = arp.operation;
  out[at + ArpAt.HardwareType] = hardwareType >>> 8;
  out[at + ArpAt.HardwareType + 1] = hardwareType & 0xff;
  out[at + ArpAt.ProtocolType] = protocolType >>> 8;
  out[at + ArpAt.ProtocolType + 1] = protocolType & 0xff;
  out[at + ArpAt.HardwareLength] = ArpAt.MacLength;
  out[at + ArpAt.ProtocolLength] = ArpAt.Ipv4Length;
  out[at + ArpAt.Operation] = operation >>> 8;
  out[at + ArpAt.Operation + 1] = operation & 0xff;
  let high = (senderMac / 0x1_0000_0000) >>> 0;
  let low = senderMac >>> 0;
  let p = at + ArpAt.SenderMac;
  out[p] = high >>> 8;
  out[p + 1] = high & 0xff;
  out[p + 2] = low >>> 24;
  out[p + 3] = (low >>> 16) & 0xff;
  out[p + 4] = (low >>> 8) & 0xff;
  out[p + 5] = low & 0xff;
  low = arp.senderIp.value >>> 0;
  p = at + ArpAt.SenderIp;
  out[p] = low >>> 24;
  out[p + 1] = (low >>> 16) & 0xff;
  out[p + 2] = (low >>> 8) & 0xff;
  out[p + 3] = low & 0xff;
  high = (targetMac / 0x1_0000_0000) >>> 0;
  low = targetMac >>> 0;
  p = at + ArpAt.TargetMac;
  out[p] = high >>> 8;
  out[p + 1] = high & 0xff;
  out[p + 2] = low >>> 24;
  out[p + 3] = (low >>> 16) & 0xff;
  out[p + 4] = (low >>> 8) & 0xff;
  out[p + 5] = low & 0xff;
  low = arp.targetIp.value >>> 0;
  p = at + ArpAt.TargetIp;
  out[p] = low >>> 24;
  out[p + 1] = (low >>> 16) & 0xff;
  out[p + 2] = (low >>> 8) & 0xff;
  out[p + 3] = low & 0xff;
  if (padding !== undefined && padding.length > 0) out.set(padding, arpEnd);
  return length === out.length ? out : out.subarray(0, length);
}

/** encodeFrame layer by layer: every frame encodeArpFrame does not take. */
function encodeLayers(
  record: FrameFields,
  payload: Uint8Array,
  padding: Uint8Array | undefined,
  into: Uint8Array | undefined,
  options: EncodeOptions,
): Uint8Array {
  const length = frameLength(record, payload, padding);
  const out = into ?? new Uint8Array(length);
  if (out.length < length) throw new RangeError(`encodeFrame: the buffer holds ${out.length} bytes, the frame needs ${length}`);
  let at = encodeEthernet(record.ethernet, out, 0);
  const arp = record.arp;
  const ipv4 = record.ipv4;
  if (arp !== undefined) {
    at += encodeArp(arp, out, at, arp.supported ? undefined : payload);
  } else if (ipv4 !== undefined) {
    const icmp = record.icmp;
    const icmpLength = icmp === undefined ? payload.length : IcmpAt.HeaderLength + payload.length;
    at += encodeIpv4(ipv4, icmpLength, out, at, options);
    if (icmp !== undefined) {
      at += encodeIcmp(icmp, payload, out, at, isFragment(ipv4) ? KEEP_CHECKSUMS : options);
    } else {
      if (payload.length > 0) out.set(payload, at);
      at += payload.length;
    }
  } else {
    if (payload.length > 0) out.set(payload, at);
    at += payload.length;
  }
  if (padding !== undefined && padding.length > 0) {
    out.set(padding, at);
    at += padding.length;
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

/** FrameKind as literals for FrameView.reset (a FrameKind member is a property load); checked below. */
const enum Kind {
  Other = 0,
  Arp = 1,
  Ipv4 = 2,
  Icmp = 3,
  UnsupportedArp = 4,
}
checkLiterals("FrameKind", [
  ["Other", Kind.Other, FrameKind.Other],
  ["Arp", Kind.Arp, FrameKind.Arp],
  ["Ipv4", Kind.Ipv4, FrameKind.Ipv4],
  ["Icmp", Kind.Icmp, FrameKind.Icmp],
  ["UnsupportedArp", Kind.UnsupportedArp, FrameKind.UnsupportedArp],
]);

/** What walkFrame returns for a frame it refuses, by the layer that refuses it (negative: a Kind is ≥ 0). */
const enum Refused {
  Ethernet = -1,
  Arp = -2,
  Ipv4 = -3,
  Icmp = -4,
}

/**
 * The one walk of a frame, for FrameView.reset and decodeFrame: Ethernet (one 802.1Q tag) → ARP |
 * IPv4 → ICMP in a first (or only) fragment, with every length check a reader needs before it
 * trusts a field. Sets the view's offsets and returns the kind found (a Kind, ≥ 0), or the
 * layer that refused the frame (a Refused, < 0). Never reads past the bytes. The numbers are
 * literals (const enums from wire-literals.ts), which V8 compiles to immediates.
 */
function walkFrame(view: FrameView, bytes: Uint8Array): number {
  const end = bytes.length;
  if (end < EthAt.HeaderLength) return Refused.Ethernet;
  let type = (bytes[EthAt.Type] << 8) | bytes[EthAt.Type + 1];
  let at: number = EthAt.HeaderLength;
  if (type === EtherType.Vlan) {
    if (end < EthAt.TaggedHeaderLength) return Refused.Ethernet;
    type = (bytes[EthAt.InnerType] << 8) | bytes[EthAt.InnerType + 1];
    at = EthAt.TaggedHeaderLength;
  }
  view.networkOffset = at;
  if (type === EtherType.Arp) {
    if (end - at < ArpAt.SenderMac) return Refused.Arp;
    const hardwareLength = bytes[at + ArpAt.HardwareLength];
    const protocolLength = bytes[at + ArpAt.ProtocolLength];
    const arpEnd = at + ArpAt.SenderMac + 2 * hardwareLength + 2 * protocolLength;
    if (arpEnd > end) return Refused.Arp;
    view.datagramEnd = arpEnd;
    // hardware type 1 and protocol type 0x0800 as one word, then the two lengths
    const types = (bytes[at + ArpAt.HardwareType] << 24) | (bytes[at + ArpAt.HardwareType + 1] << 16) | (bytes[at + ArpAt.ProtocolType] << 8) | bytes[at + ArpAt.ProtocolType + 1];
    return types === ArpAt.EthernetIpv4Types && hardwareLength === ArpAt.MacLength && protocolLength === ArpAt.Ipv4Length ? Kind.Arp : Kind.UnsupportedArp;
  }
  if (type === EtherType.Ipv4) {
    if (end - at < Ipv4At.MinHeaderLength) return Refused.Ipv4;
    const first = bytes[at];
    const headerLength = (first & Ipv4At.HeaderWordsMask) * 4;
    if (first >>> Ipv4At.VersionShift !== 4 || headerLength < Ipv4At.MinHeaderLength || end - at < headerLength) return Refused.Ipv4;
    const totalLength = (bytes[at + Ipv4At.TotalLength] << 8) | bytes[at + Ipv4At.TotalLength + 1];
    if (totalLength < headerLength || at + totalLength > end) return Refused.Ipv4;
    view.transportOffset = at + headerLength;
    view.datagramEnd = at + totalLength;
    const firstFragment = (((bytes[at + Ipv4At.Flags] << 8) | bytes[at + Ipv4At.Flags + 1]) & Ipv4At.FragmentUnits) === 0;
    if (bytes[at + Ipv4At.Protocol] === Ipv4At.ProtocolIcmp && firstFragment) {
      return totalLength - headerLength < IcmpAt.HeaderLength ? Refused.Icmp : Kind.Icmp;
    }
    return Kind.Ipv4;
  }
  view.datagramEnd = end;
  return Kind.Other;
}

/**
 * A reusable, allocation-free reader of one frame at a time. `reset(bytes)` walks the headers with
 * decodeFrame's walk (walkFrame) and returns false where decodeFrame would throw (call decodeFrame
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

  /**
   * reset(), with the view typed by what it found: undefined where reset returns false, else this view
   * as the one of ArpFrameView, UnsupportedArpFrameView, Ipv4FrameView, IcmpFrameView, OtherFrameView
   * that `kind` names, so that the compiler refuses a getter of another layer (`ipv4Ttl` of an ARP
   * frame). The same object, not a copy: valid until the next reset. Allocates nothing.
   */
  resetTyped(bytes: Uint8Array): TypedFrameView | undefined {
    return this.reset(bytes) ? (this as unknown as TypedFrameView) : undefined;
  }

  /**
   * Aims the view at a frame and walks its headers (walkFrame, decodeFrame's walk too). True when
   * decodeFrame would decode it; false where decodeFrame would throw (call it then for the
   * DecodeError). Allocates nothing.
   */
  reset(bytes: Uint8Array): boolean {
    this.bytes = bytes;
    const kind = walkFrame(this, bytes);
    if (kind < 0) return false;
    this.kind = kind;
    return true;
  }

  get etherType(): number {
    const b = this.bytes;
    return this.networkOffset === EthAt.TaggedHeaderLength ? (b[EthAt.InnerType] << 8) | b[EthAt.InnerType + 1] : (b[EthAt.Type] << 8) | b[EthAt.Type + 1];
  }
  /** VLAN id, or -1 without a tag */
  get vlanId(): number {
    return this.networkOffset === EthAt.TaggedHeaderLength ? ((this.bytes[EthAt.Tci] << 8) | this.bytes[EthAt.Tci + 1]) & EthAt.IdMask : -1;
  }
  get destinationMac(): number {
    return mac48(this.bytes, EthAt.Destination);
  }
  get sourceMac(): number {
    return mac48(this.bytes, EthAt.Source);
  }

  get arpOperation(): number {
    const b = this.bytes;
    const at = this.networkOffset;
    return (b[at + ArpAt.Operation] << 8) | b[at + ArpAt.Operation + 1];
  }
  get arpSenderMac(): number {
    return mac48(this.bytes, this.networkOffset + ArpAt.SenderMac);
  }
  get arpSenderIp(): number {
    return u32(this.bytes, this.networkOffset + ArpAt.SenderIp);
  }
  get arpTargetMac(): number {
    return mac48(this.bytes, this.networkOffset + ArpAt.TargetMac);
  }
  get arpTargetIp(): number {
    return u32(this.bytes, this.networkOffset + ArpAt.TargetIp);
  }

  get ipv4Source(): number {
    return u32(this.bytes, this.networkOffset + Ipv4At.Source);
  }
  get ipv4Destination(): number {
    return u32(this.bytes, this.networkOffset + Ipv4At.Destination);
  }
  get ipv4Ttl(): number {
    return this.bytes[this.networkOffset + Ipv4At.Ttl];
  }
  get ipv4Protocol(): number {
    return this.bytes[this.networkOffset + Ipv4At.Protocol];
  }
  get ipv4Identification(): number {
    const b = this.bytes;
    return (b[this.networkOffset + Ipv4At.Identification] << 8) | b[this.networkOffset + Ipv4At.Identification + 1];
  }
  get ipv4TotalLength(): number {
    return this.datagramEnd - this.networkOffset;
  }

  get icmpType(): number {
    return this.bytes[this.transportOffset + IcmpAt.Type];
  }
  get icmpCode(): number {
    return this.bytes[this.transportOffset + IcmpAt.Code];
  }
  get icmpIdentifier(): number {
    const b = this.bytes;
    return (b[this.transportOffset + IcmpAt.Identifier] << 8) | b[this.transportOffset + IcmpAt.Identifier + 1];
  }
  get icmpSequence(): number {
    const b = this.bytes;
    return (b[this.transportOffset + IcmpAt.Sequence] << 8) | b[this.transportOffset + IcmpAt.Sequence + 1];
  }
  /** start of the ICMP data (after the 8-byte header) */
  get icmpDataOffset(): number {
    return this.transportOffset + IcmpAt.HeaderLength;
  }
  /** True for an echo request or reply */
  get isEcho(): boolean {
    return isEcho(this.bytes[this.transportOffset + IcmpAt.Type]);
  }
}

/**
 * Where decodeFrame's walks leave their offsets: one for the module (decodeFrame runs to its end
 * before anyone else can walk). walkFrame writes only offsets into it, never the bytes, so it keeps
 * no frame (or capture buffer) alive.
 */
const walker = new FrameView();

/** What a FrameView has for every frame it accepted. */
export interface FrameViewCommon {
  /** the frame viewed */
  readonly bytes: Uint8Array;
  /** start of the layer after Ethernet (and its VLAN tag) */
  readonly networkOffset: number;
  /** end of the IPv4 datagram or ARP body; the end of the frame for another EtherType */
  readonly datagramEnd: number;
  /** the EtherType (inside a VLAN tag, the inner one) */
  readonly etherType: number;
  /** VLAN id, or -1 without a tag */
  readonly vlanId: number;
  /** destination MAC as a 48-bit integer */
  readonly destinationMac: number;
  /** source MAC as a 48-bit integer */
  readonly sourceMac: number;
}

/** A FrameView on Ethernet/IPv4 ARP: the addresses can be read. */
export interface ArpFrameView extends FrameViewCommon {
  /** FrameKind.Arp */
  readonly kind: FrameKind.Arp;
  /** 1 request, 2 reply, or another operation */
  readonly arpOperation: number;
  /** sender MAC as a 48-bit integer */
  readonly arpSenderMac: number;
  /** sender IPv4 address as a uint32 */
  readonly arpSenderIp: number;
  /** target MAC as a 48-bit integer */
  readonly arpTargetMac: number;
  /** target IPv4 address as a uint32 */
  readonly arpTargetIp: number;
}

/** A FrameView on ARP for other hardware or protocol types: only the fixed part can be read. */
export interface UnsupportedArpFrameView extends FrameViewCommon {
  /** FrameKind.UnsupportedArp */
  readonly kind: FrameKind.UnsupportedArp;
  /** the operation field */
  readonly arpOperation: number;
}

/** The IPv4 getters of a FrameView, for IPv4 frames with or without ICMP. */
export interface Ipv4FrameFields extends FrameViewCommon {
  /** start of the IPv4 payload (the ICMP header for ICMP) */
  readonly transportOffset: number;
  /** source address as a uint32 */
  readonly ipv4Source: number;
  /** destination address as a uint32 */
  readonly ipv4Destination: number;
  /** time to live */
  readonly ipv4Ttl: number;
  /** the protocol number of the payload */
  readonly ipv4Protocol: number;
  /** the identification field */
  readonly ipv4Identification: number;
  /** header plus payload, as the totalLength field says */
  readonly ipv4TotalLength: number;
}

/** A FrameView on IPv4 carrying something other than (first-fragment) ICMP. */
export interface Ipv4FrameView extends Ipv4FrameFields {
  /** FrameKind.Ipv4 */
  readonly kind: FrameKind.Ipv4;
}

/** A FrameView on ICMP over IPv4 (first fragment or whole): the ICMP header can be read. */
export interface IcmpFrameView extends Ipv4FrameFields {
  /** FrameKind.Icmp */
  readonly kind: FrameKind.Icmp;
  /** the ICMP type */
  readonly icmpType: number;
  /** the ICMP code */
  readonly icmpCode: number;
  /** echo identifier (for other types, the first half of the rest of the header) */
  readonly icmpIdentifier: number;
  /** echo sequence number (for other types, the second half of the rest of the header) */
  readonly icmpSequence: number;
  /** start of the ICMP data (after the 8-byte header) */
  readonly icmpDataOffset: number;
  /** true for an echo request or reply */
  readonly isEcho: boolean;
}

/** A FrameView on a frame of an EtherType other than ARP and IPv4: only the Ethernet header can be read. */
export interface OtherFrameView extends FrameViewCommon {
  /** FrameKind.Other */
  readonly kind: FrameKind.Other;
}

/** What FrameView.resetTyped returns: the view, typed by the kind of frame it found. */
export type TypedFrameView = ArpFrameView | UnsupportedArpFrameView | Ipv4FrameView | IcmpFrameView | OtherFrameView;

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

// TCP segment headers (RFC 9293): the view, the record and the encoder in the codecs-v2 shape (see
// view.ts), with the options that matter on a real segment decoded (EOL, NOP, MSS, window scale,
// SACK-permitted, SACK, timestamps) and every other kind, or a known kind of the wrong length, kept
// raw so that emit(parse(b)) gives b back. The checksum covers a pseudo-header (pseudo-header.ts).
//
// Lengths: as in udp.ts, `end` is what the enclosing header allows and may pass bytes.length when
// the capture was cut; a length error says "captured" when the captured bytes ran out first and
// "header" when the limit came from a header: the enclosing one, the data offset, or (for an option
// whose length runs past the data offset's end) the option's own length byte.
//
//   0      2      4          8                12                  14      16         18       20
//   | sport | dport | sequence | acknowledgment | offset|rsvd|flags | window | checksum | urgent | options
import { bits, blob, struct, u16be, u32be, u8, type Structure } from "buffer-layout";
import { contentError, DecodeError, lengthError } from "./errors";
import { IP_PROTOCOL_TCP } from "./ipv4";
import { bitTable, checkLiterals, fieldTable, firstFieldPast } from "./layout";
import type { HeaderLayout } from "./positions";
import { checkPseudoHeader, pseudoHeaderSum, transportChecksum, transportChecksumVerifies } from "./pseudo-header";
import { limitSource, TransportEmitOptions } from "./udp";
import { ByteRange } from "./view";
import type { PacketView } from "./view";
import { TcpAt, TcpOptionAt, TcpOptionType } from "./wire-literals";

const offsetAndFlags = bits(u16be("offsetAndFlags"), true, "offsetAndFlags");
const offsetAndFlagsFields = [offsetAndFlags.addField(4, "dataOffset"), offsetAndFlags.addField(12, "flags")];
const tcpStructure = struct([
  u16be("sourcePort"),
  u16be("destinationPort"),
  u32be("sequence"),
  u32be("acknowledgment"),
  offsetAndFlags,
  u16be("window"),
  u16be("checksum"),
  u16be("urgentPointer"),
]);
/** The TCP header's description (field names, widths, order). */
export const tcpLayout: HeaderLayout = tcpStructure;
/** Offset and span of each fixed TCP header field. */
export const TCP = fieldTable(tcpStructure);
/** Length of the TCP header without options. */
export const TCP_MIN_HEADER_LENGTH = tcpStructure.span;
const OFFSET_AND_FLAGS = bitTable(tcpStructure, offsetAndFlags, offsetAndFlagsFields);

checkLiterals("tcp", [
  ["sourcePort", TcpAt.SourcePort, TCP.sourcePort.offset],
  ["destinationPort", TcpAt.DestinationPort, TCP.destinationPort.offset],
  ["sequence", TcpAt.Sequence, TCP.sequence.offset],
  ["acknowledgment", TcpAt.Acknowledgment, TCP.acknowledgment.offset],
  ["offsetAndFlags", TcpAt.OffsetAndFlags, TCP.offsetAndFlags.offset],
  ["window", TcpAt.Window, TCP.window.offset],
  ["checksum", TcpAt.Checksum, TCP.checksum.offset],
  ["urgentPointer", TcpAt.UrgentPointer, TCP.urgentPointer.offset],
  ["header length", TcpAt.MinHeader, TCP_MIN_HEADER_LENGTH],
  ["flags byte", TcpAt.Flags, TCP.offsetAndFlags.offset + TCP.offsetAndFlags.span - 1],
  ["longest header", TcpAt.MaxHeader, OFFSET_AND_FLAGS.dataOffset.mask * 4],
  ["data offset shift", 12, OFFSET_AND_FLAGS.dataOffset.shift],
  ["data offset mask", 0xf, OFFSET_AND_FLAGS.dataOffset.mask],
  ["flags shift", 0, OFFSET_AND_FLAGS.flags.shift],
  ["flags mask", 0xfff, OFFSET_AND_FLAGS.flags.mask],
]);

// The option bodies, each described once (kind and length bytes first); the decoder, the encoder and
// transport-summary.ts's printers use TcpOptionAt, checked against these below.
const optionHead = () => [u8("kind"), u8("length")] as const;
const kindOnlyOption = struct([u8("kind")]);
const sackPermittedOption = struct([...optionHead()]);
const mssOption = struct([...optionHead(), u16be("value")]);
const windowScaleOption = struct([...optionHead(), u8("shift")]);
const sackBlock = struct([u32be("left"), u32be("right")]);
const timestampsOption = struct([...optionHead(), u32be("value"), u32be("echo")]);
const value32Option = struct([...optionHead(), u32be("value")]);
const md5Option = struct([...optionHead(), blob(16, "digest")]);
const scpsOption = struct([...optionHead(), u8("capabilities"), u8("connectionId")]);
const userTimeoutOption = struct([...optionHead(), u16be("granularityAndTimeout")]);
const authenticationOption = struct([...optionHead(), u8("keyId"), u8("rnextKeyId")]);
const experimentOption = struct([...optionHead(), u16be("experimentId")]);
const mptcpSubtypeByte = bits(u8("subtypeAndLow"), true, "subtypeAndLow");
const mptcpSubtypeFields = [mptcpSubtypeByte.addField(4, "subtype"), mptcpSubtypeByte.addField(4, "low")];
const mptcpOption = struct([...optionHead(), mptcpSubtypeByte, u8("flags")]);
const mptcpCapableOption = struct([...optionHead(), u8("subtypeAndVersion"), u8("flags"), blob(8, "senderKey"), blob(8, "receiverKey")]);
const mptcpJoinSynOption = struct([...optionHead(), u8("subtypeAndBackup"), u8("addressId"), u32be("token"), u32be("nonce")]);
const mptcpJoinSynAckOption = struct([...optionHead(), u8("subtypeAndBackup"), u8("addressId"), blob(8, "hmac"), u32be("nonce")]);
const mptcpJoinAckOption = struct([...optionHead(), u8("subtype"), u8("reserved"), blob(20, "hmac")]);
const MPTCP_SUBTYPE = bitTable(mptcpOption, mptcpSubtypeByte, mptcpSubtypeFields);
const offsetIn = (layout: Structure, field: string): number => layout.offsetOf(field) ?? -1;

checkLiterals("tcp options", [
  ["option kind", TcpOptionAt.Kind, offsetIn(mssOption, "kind")],
  ["option length", TcpOptionAt.Length, offsetIn(mssOption, "length")],
  ["option data", TcpOptionAt.Data, offsetIn(mssOption, "value")],
  ["EOL and NOP length", TcpOptionAt.KindOnlyLength, kindOnlyOption.span],
  ["SACK-permitted length", TcpOptionAt.Data, sackPermittedOption.span],
  ["MSS length", TcpOptionAt.MssLength, mssOption.span],
  ["window scale shift", TcpOptionAt.Data, offsetIn(windowScaleOption, "shift")],
  ["window scale length", TcpOptionAt.WindowScaleLength, windowScaleOption.span],
  ["SACK right edge", TcpOptionAt.SackRight, offsetIn(sackBlock, "right")],
  ["SACK block length", TcpOptionAt.SackBlockLength, sackBlock.span],
  ["timestamps value", TcpOptionAt.Data, offsetIn(timestampsOption, "value")],
  ["timestamps echo", TcpOptionAt.TimestampsEcho, offsetIn(timestampsOption, "echo")],
  ["timestamps length", TcpOptionAt.TimestampsLength, timestampsOption.span],
  ["32-bit value option length", TcpOptionAt.Value32Length, value32Option.span],
  ["MD5 digest", TcpOptionAt.Data, offsetIn(md5Option, "digest")],
  ["MD5 digest length", TcpOptionAt.Md5DigestLength, md5Option.span - TcpOptionAt.Data],
  ["MD5 length", TcpOptionAt.Md5Length, md5Option.span],
  ["SCPS connection id", TcpOptionAt.ScpsConnectionId, offsetIn(scpsOption, "connectionId")],
  ["SCPS length", TcpOptionAt.ScpsLength, scpsOption.span],
  ["user timeout length", TcpOptionAt.UtoLength, userTimeoutOption.span],
  ["TCP-AO receive-next key id", TcpOptionAt.AoRnextKeyId, offsetIn(authenticationOption, "rnextKeyId")],
  ["TCP-AO MAC", TcpOptionAt.AoMac, authenticationOption.span],
  ["experiment data", TcpOptionAt.ExperimentData, experimentOption.span],
  ["MPTCP subtype", TcpOptionAt.MptcpSubtype, MPTCP_SUBTYPE.subtype.offset],
  ["MPTCP subtype shift", TcpOptionAt.MptcpSubtypeShift, MPTCP_SUBTYPE.subtype.shift],
  ["MPTCP low nibble mask", TcpOptionAt.MptcpLowMask, MPTCP_SUBTYPE.low.mask],
  ["MPTCP flags or id", TcpOptionAt.MptcpFlagsOrId, offsetIn(mptcpOption, "flags")],
  ["MP_JOIN address id", TcpOptionAt.MptcpFlagsOrId, offsetIn(mptcpJoinSynOption, "addressId")],
  ["MPTCP data", TcpOptionAt.MptcpData, mptcpOption.span],
  ["MP_CAPABLE sender key", TcpOptionAt.MptcpData, offsetIn(mptcpCapableOption, "senderKey")],
  ["MP_CAPABLE receiver key", TcpOptionAt.MptcpReceiverKey, offsetIn(mptcpCapableOption, "receiverKey")],
  ["MP_JOIN token", TcpOptionAt.MptcpData, offsetIn(mptcpJoinSynOption, "token")],
  ["MP_JOIN SYN nonce", TcpOptionAt.MptcpJoinSynNonce, offsetIn(mptcpJoinSynOption, "nonce")],
  ["MP_JOIN SYN-ACK HMAC", TcpOptionAt.MptcpData, offsetIn(mptcpJoinSynAckOption, "hmac")],
  ["MP_JOIN SYN-ACK nonce", TcpOptionAt.MptcpJoinSynAckNonce, offsetIn(mptcpJoinSynAckOption, "nonce")],
  ["MP_JOIN ACK HMAC length", TcpOptionAt.MptcpJoinAckHmacLength, mptcpJoinAckOption.span - TcpOptionAt.MptcpData],
]);

/** The IP protocol number of TCP: ipv4.ts's IP_PROTOCOL_TCP under the name this module has always exported. */
export const TCP_PROTOCOL = IP_PROTOCOL_TCP;

/** TCP flag bits, as in the low 12 bits of the offset-and-flags word. */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** accurate-ECN (formerly NS) */
  AE: 0x100,
} as const;

/**
 * TCP option kinds: EOL to TIMESTAMPS are decoded here (parseTcp), the others kept raw; the summary
 * line prints them all, as tcpdump does.
 */
export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  /** echo and echo reply (RFC 1072), CC, CC.NEW and CC.ECHO (RFC 1644): obsolete, one 32-bit value */
  ECHO: 6,
  ECHO_REPLY: 7,
  CC: 11,
  CC_NEW: 12,
  CC_ECHO: 13,
  /** TCP MD5 signature (RFC 2385) */
  MD5: 19,
  /** SCPS capabilities */
  SCPS: 20,
  /** user timeout (RFC 5482) */
  USER_TIMEOUT: 28,
  /** TCP authentication option (RFC 5925) */
  AUTHENTICATION: 29,
  /** multipath TCP (RFC 8684) */
  MPTCP: 30,
  /** TCP fast open cookie (RFC 7413) */
  FAST_OPEN: 34,
  /** experimental option (RFC 6994), with a 16-bit ExID first */
  EXPERIMENT: 254,
} as const;

/** The ExID (RFC 6994) of TCP fast open's cookie in an experimental option, from before kind 34. */
export const TCP_FAST_OPEN_EXPERIMENT_ID = 0xf989;

checkLiterals("tcp option kinds", [
  ["EOL", TcpOptionType.Eol, TcpOptionKind.EOL],
  ["NOP", TcpOptionType.Nop, TcpOptionKind.NOP],
  ["MSS", TcpOptionType.Mss, TcpOptionKind.MSS],
  ["window scale", TcpOptionType.WindowScale, TcpOptionKind.WINDOW_SCALE],
  ["SACK permitted", TcpOptionType.SackPermitted, TcpOptionKind.SACK_PERMITTED],
  ["SACK", TcpOptionType.Sack, TcpOptionKind.SACK],
  ["echo", TcpOptionType.Echo, TcpOptionKind.ECHO],
  ["echo reply", TcpOptionType.EchoReply, TcpOptionKind.ECHO_REPLY],
  ["timestamps", TcpOptionType.Timestamps, TcpOptionKind.TIMESTAMPS],
  ["CC", TcpOptionType.Cc, TcpOptionKind.CC],
  ["CC.NEW", TcpOptionType.CcNew, TcpOptionKind.CC_NEW],
  ["CC.ECHO", TcpOptionType.CcEcho, TcpOptionKind.CC_ECHO],
  ["MD5", TcpOptionType.Md5, TcpOptionKind.MD5],
  ["SCPS", TcpOptionType.Scps, TcpOptionKind.SCPS],
  ["user timeout", TcpOptionType.UserTimeout, TcpOptionKind.USER_TIMEOUT],
  ["TCP-AO", TcpOptionType.Authentication, TcpOptionKind.AUTHENTICATION],
  ["MPTCP", TcpOptionType.Mptcp, TcpOptionKind.MPTCP],
  ["fast open", TcpOptionType.FastOpen, TcpOptionKind.FAST_OPEN],
  ["experiment", TcpOptionType.Experiment, TcpOptionKind.EXPERIMENT],
  ["fast open experiment id", TcpOptionType.FastOpenExperimentId, TCP_FAST_OPEN_EXPERIMENT_ID],
]);

/** A view of a TCP segment in bytes[offset, end): no copy, reusable. */
export class TcpPacket extends ByteRange implements PacketView {
  /**
   * Undefined when the fixed header and the options the data offset claims are there, the data
   * offset is at least 5, and every option fits the header; else the first problem, exactly. The
   * payload is the rest up to `end`; a capture cut inside it is "captured" (check `end` against
   * bytes.length for that).
   */
  check(): DecodeError | undefined {
    return this.checkHeader() ?? this.checkOptions();
  }

  /** check() without the walk over the options: the getters and `optionsEnd` are then safe. */
  checkHeader(): DecodeError | undefined {
    const { bytes, offset, end } = this;
    const limit = Math.min(end, bytes.length);
    if (limit - offset < TcpAt.MinHeader) {
      const field = firstFieldPast(TCP, offset, limit)!;
      return lengthError("tcp", field.name, offset + field.offset, offset + field.offset + field.span, limit, limitSource(bytes, end));
    }
    const headerLength = this.headerLength;
    if (headerLength < TcpAt.MinHeader) {
      return contentError("tcp", "dataOffset", offset + TcpAt.OffsetAndFlags, headerLength / 4, `data offset ${headerLength / 4} (${headerLength} bytes) is under 5 (20 bytes)`);
    }
    if (offset + headerLength > limit) return lengthError("tcp", "options", offset + TcpAt.MinHeader, offset + headerLength, limit, limitSource(bytes, end));
    return undefined;
  }

  /** The options walk of check(): an option length under 2 or past the header end is an error. */
  checkOptions(): DecodeError | undefined {
    const b = this.bytes;
    const end = this.optionsEnd;
    let at = this.offset + TcpAt.MinHeader;
    while (at < end) {
      const kind = b[at];
      if (kind === TcpOptionKind.EOL) return undefined;
      if (kind === TcpOptionKind.NOP) {
        at++;
        continue;
      }
      if (at + TcpOptionAt.Data > end) return lengthError("tcp", "option length", at + TcpOptionAt.Length, at + TcpOptionAt.Data, end, "header");
      const length = b[at + TcpOptionAt.Length];
      if (length < TcpOptionAt.Data) return contentError("tcp", "option length", at + TcpOptionAt.Length, length, `option ${kind} has length ${length}, under 2`);
      if (at + length > end) return lengthError("tcp", `option ${kind}`, at, at + length, end, "header");
      at += length;
    }
    return undefined;
  }

  get sourcePort(): number {
    return (this.bytes[this.offset] << 8) | this.bytes[this.offset + 1];
  }
  get destinationPort(): number {
    return (this.bytes[this.offset + TcpAt.DestinationPort] << 8) | this.bytes[this.offset + TcpAt.DestinationPort + 1];
  }
  /** sequence number, 0..2³²−1 */
  get sequence(): number {
    const b = this.bytes;
    const at = this.offset + TcpAt.Sequence;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  /** acknowledgment number, 0..2³²−1 */
  get acknowledgment(): number {
    const b = this.bytes;
    const at = this.offset + TcpAt.Acknowledgment;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  /** header length in bytes (data offset × 4), options included */
  get headerLength(): number {
    return (this.bytes[this.offset + TcpAt.OffsetAndFlags] >>> 4) * 4;
  }
  /** the 12 bits after the data offset: reserved bits, AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN */
  get flags(): number {
    return ((this.bytes[this.offset + TcpAt.OffsetAndFlags] & 0x0f) << 8) | this.bytes[this.offset + TcpAt.Flags];
  }
  get window(): number {
    return (this.bytes[this.offset + TcpAt.Window] << 8) | this.bytes[this.offset + TcpAt.Window + 1];
  }
  get checksum(): number {
    return (this.bytes[this.offset + TcpAt.Checksum] << 8) | this.bytes[this.offset + TcpAt.Checksum + 1];
  }
  get urgentPointer(): number {
    return (this.bytes[this.offset + TcpAt.UrgentPointer] << 8) | this.bytes[this.offset + TcpAt.UrgentPointer + 1];
  }
  /** absolute offset of the first option byte */
  get optionsOffset(): number {
    return this.offset + TcpAt.MinHeader;
  }
  /** absolute offset one past the options (the data offset's end) */
  get optionsEnd(): number {
    return this.offset + this.headerLength;
  }
  /** absolute offset of the payload */
  get payloadOffset(): number {
    return this.offset + this.headerLength;
  }
  /** bytes of payload up to `end` (the enclosing header's bound, not the captured bytes) */
  get payloadLength(): number {
    return this.end - this.offset - this.headerLength;
  }

  /** True when the checksum over the segment up to `end` verifies against the pseudo-header sum. */
  checksumVerifies(pseudoSum: number): boolean {
    return transportChecksumVerifies(this.bytes, this.offset, this.end, pseudoSum);
  }
}

/** One TCP option as a plain object. */
export type TcpOption =
  | { readonly kind: "eol" }
  | { readonly kind: "nop" }
  | { readonly kind: "mss"; readonly value: number }
  | { readonly kind: "windowScale"; readonly shift: number }
  | { readonly kind: "sackPermitted" }
  | { readonly kind: "sack"; readonly blocks: readonly (readonly [left: number, right: number])[] }
  | { readonly kind: "timestamps"; readonly value: number; readonly echo: number }
  /** any other kind, or a known kind with a length other than its own: `data` is what follows the length byte */
  | { readonly kind: "other"; readonly type: number; readonly data: Uint8Array };

/** A TCP segment as a plain object. */
export interface TcpRecord {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly sequence: number;
  readonly acknowledgment: number;
  /** header length in bytes; rewritten on emit unless fixLengths is false */
  readonly headerLength: number;
  /** the 12 flag bits (see TcpFlag) */
  readonly flags: number;
  readonly window: number;
  /** the checksum field; computed on emit unless computeChecksums is false */
  readonly checksum: number;
  readonly urgentPointer: number;
  readonly options: readonly TcpOption[];
  /** bytes between the options and the data offset's end (after EOL, or padding), kept as they are */
  readonly padding: Uint8Array;
  /** the payload, a view into the parsed bytes */
  readonly payload: Uint8Array;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** The options of a view whose check() passed, as records. */
export function parseTcpOptions(view: TcpPacket): { options: TcpOption[]; padding: Uint8Array } {
  const b = view.bytes;
  const end = view.optionsEnd;
  const options: TcpOption[] = [];
  let at = view.optionsOffset;
  while (at < end) {
    const kind = b[at];
    if (kind === TcpOptionKind.EOL) {
      options.push({ kind: "eol" });
      at++;
      break;
    }
    if (kind === TcpOptionKind.NOP) {
      options.push({ kind: "nop" });
      at++;
      continue;
    }
    const length = b[at + TcpOptionAt.Length];
    const data = at + TcpOptionAt.Data;
    if (kind === TcpOptionKind.MSS && length === TcpOptionAt.MssLength) options.push({ kind: "mss", value: (b[data] << 8) | b[data + 1] });
    else if (kind === TcpOptionKind.WINDOW_SCALE && length === TcpOptionAt.WindowScaleLength) options.push({ kind: "windowScale", shift: b[data] });
    else if (kind === TcpOptionKind.SACK_PERMITTED && length === TcpOptionAt.Data) options.push({ kind: "sackPermitted" });
    else if (kind === TcpOptionKind.TIMESTAMPS && length === TcpOptionAt.TimestampsLength) {
      options.push({ kind: "timestamps", value: u32(b, data), echo: u32(b, at + TcpOptionAt.TimestampsEcho) });
    } else if (kind === TcpOptionKind.SACK && length > TcpOptionAt.Data && (length - TcpOptionAt.Data) % TcpOptionAt.SackBlockLength === 0) {
      const blocks: [number, number][] = [];
      for (let block = data; block < at + length; block += TcpOptionAt.SackBlockLength) blocks.push([u32(b, block), u32(b, block + TcpOptionAt.SackRight)]);
      options.push({ kind: "sack", blocks });
    } else options.push({ kind: "other", type: kind, data: b.subarray(data, at + length) });
    at += length;
  }
  return { options, padding: b.subarray(at, end) };
}

/** The record of a checked view (call `view.check()` first). The payload runs to `view.end`. */
export function parseTcp(view: TcpPacket): TcpRecord {
  const { options, padding } = parseTcpOptions(view);
  return {
    sourcePort: view.sourcePort,
    destinationPort: view.destinationPort,
    sequence: view.sequence,
    acknowledgment: view.acknowledgment,
    headerLength: view.headerLength,
    flags: view.flags,
    window: view.window,
    checksum: view.checksum,
    urgentPointer: view.urgentPointer,
    options,
    padding,
    payload: view.bytes.subarray(view.payloadOffset, Math.min(view.end, view.bytes.length)),
  };
}

/** Bytes one option takes on the wire. */
export function tcpOptionLength(option: TcpOption): number {
  switch (option.kind) {
    case "eol":
    case "nop":
      return TcpOptionAt.KindOnlyLength;
    case "mss":
      return TcpOptionAt.MssLength;
    case "windowScale":
      return TcpOptionAt.WindowScaleLength;
    case "sackPermitted":
      return TcpOptionAt.Data;
    case "sack":
      return TcpOptionAt.Data + TcpOptionAt.SackBlockLength * option.blocks.length;
    case "timestamps":
      return TcpOptionAt.TimestampsLength;
    case "other":
      return TcpOptionAt.Data + option.data.length;
  }
}

/** The header length emitTcp writes: 20, the options and the padding, rounded up to 4 bytes. */
export function tcpHeaderLength(record: Pick<TcpRecord, "options" | "padding">): number {
  let length: number = TcpAt.MinHeader + record.padding.length;
  for (const option of record.options) length += tcpOptionLength(option);
  return (length + 3) & ~3;
}

/** Bytes `emitTcp` writes for `record`. */
export function tcpBufferLength(record: Pick<TcpRecord, "options" | "padding" | "payload">): number {
  return tcpHeaderLength(record) + record.payload.length;
}

/**
 * Writes `record` at into[offset]; returns the offset after it. Options are written in order, then
 * the padding, then zeros up to a multiple of 4. With computeChecksums (the default) the checksum
 * covers `options.pseudoHeader`.
 * @throws RangeError when `into` is too short or the options pass 40 bytes; Error when a checksum is
 *   asked for without a pseudo-header
 */
export function emitTcp(record: TcpRecord, into: Uint8Array, offset = 0, options: TransportEmitOptions = {}): number {
  const headerLength = tcpHeaderLength(record);
  if (headerLength > TcpAt.MaxHeader) throw new RangeError(`takeover: tcp: options and padding of ${headerLength - TcpAt.MinHeader} bytes pass the 40 a header holds; drop some`);
  const total = headerLength + record.payload.length;
  if (offset + total > into.length) throw new RangeError(`takeover: tcp: ${total} bytes do not fit at ${offset} in a buffer of ${into.length}; give a larger buffer`);
  const wordCount = (options.fixLengths === false ? record.headerLength : headerLength) / 4;
  put16(into, offset, record.sourcePort);
  put16(into, offset + TcpAt.DestinationPort, record.destinationPort);
  put32(into, offset + TcpAt.Sequence, record.sequence);
  put32(into, offset + TcpAt.Acknowledgment, record.acknowledgment);
  put16(into, offset + TcpAt.OffsetAndFlags, ((wordCount & 0xf) << 12) | (record.flags & 0xfff));
  put16(into, offset + TcpAt.Window, record.window);
  put16(into, offset + TcpAt.Checksum, 0);
  put16(into, offset + TcpAt.UrgentPointer, record.urgentPointer);
  let at = offset + TcpAt.MinHeader;
  for (const option of record.options) at = emitOption(option, into, at);
  into.set(record.padding, at);
  at += record.padding.length;
  into.fill(0, at, offset + headerLength);
  into.set(record.payload, offset + headerLength);
  if (options.computeChecksums === false) put16(into, offset + TcpAt.Checksum, record.checksum);
  else {
    const pseudo = options.pseudoHeader;
    if (pseudo === undefined) throw new Error("takeover: tcp: computeChecksums needs options.pseudoHeader (the IP addresses); give it or set computeChecksums: false");
    checkPseudoHeader("tcp", pseudo);
    put16(into, offset + TcpAt.Checksum, transportChecksum(into, offset, offset + total, pseudoHeaderSum(pseudo, TCP_PROTOCOL, total)));
  }
  return offset + total;
}

function emitOption(option: TcpOption, into: Uint8Array, at: number): number {
  switch (option.kind) {
    case "eol":
      into[at] = TcpOptionKind.EOL;
      return at + TcpOptionAt.KindOnlyLength;
    case "nop":
      into[at] = TcpOptionKind.NOP;
      return at + TcpOptionAt.KindOnlyLength;
    case "mss":
      into[at] = TcpOptionKind.MSS;
      into[at + TcpOptionAt.Length] = TcpOptionAt.MssLength;
      put16(into, at + TcpOptionAt.Data, option.value);
      return at + TcpOptionAt.MssLength;
    case "windowScale":
      into[at] = TcpOptionKind.WINDOW_SCALE;
      into[at + TcpOptionAt.Length] = TcpOptionAt.WindowScaleLength;
      into[at + TcpOptionAt.Data] = option.shift;
      return at + TcpOptionAt.WindowScaleLength;
    case "sackPermitted":
      into[at] = TcpOptionKind.SACK_PERMITTED;
      into[at + TcpOptionAt.Length] = TcpOptionAt.Data;
      return at + TcpOptionAt.Data;
    case "sack": {
      into[at] = TcpOptionKind.SACK;
      into[at + TcpOptionAt.Length] = TcpOptionAt.Data + TcpOptionAt.SackBlockLength * option.blocks.length;
      let block = at + TcpOptionAt.Data;
      for (const [left, right] of option.blocks) {
        put32(into, block, left);
        put32(into, block + TcpOptionAt.SackRight, right);
        block += TcpOptionAt.SackBlockLength;
      }
      return block;
    }
    case "timestamps":
      into[at] = TcpOptionKind.TIMESTAMPS;
      into[at + TcpOptionAt.Length] = TcpOptionAt.TimestampsLength;
      put32(into, at + TcpOptionAt.Data, option.value);
      put32(into, at + TcpOptionAt.TimestampsEcho, option.echo);
      return at + TcpOptionAt.TimestampsLength;
    case "other":
      into[at] = option.type;
      into[at + TcpOptionAt.Length] = TcpOptionAt.Data + option.data.length;
      into.set(option.data, at + TcpOptionAt.Data);
      return at + TcpOptionAt.Data + option.data.length;
  }
}

function put16(into: Uint8Array, at: number, value: number): void {
  into[at] = (value >>> 8) & 0xff;
  into[at + 1] = value & 0xff;
}

function put32(into: Uint8Array, at: number, value: number): void {
  into[at] = (value >>> 24) & 0xff;
  into[at + 1] = (value >>> 16) & 0xff;
  into[at + 2] = (value >>> 8) & 0xff;
  into[at + 3] = value & 0xff;
}

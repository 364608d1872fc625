// The summary lines of UDP, TCP and VRRP as `tcpdump -n` (4.99) prints them at default verbosity,
// written from the codec views (udp.ts, tcp.ts, vrrp.ts) into a TextBuffer without allocating
// (except for the TCP conversation table below). The printers do not care which IP version carried
// the message: they take where the source and destination addresses are in the frame and whether
// they are 4 (IPv4) or 16 (IPv6) bytes, so the IPv4 and IPv6 line writers both call them.
//
// TCP sequence numbers are printed relative to each conversation's first numbers, as tcpdump does:
// `TcpConversations` is tcpdump's table (keyed by both addresses and ports, one entry for both
// directions, made or renewed by a segment with ACK set that is new or carries SYN). tcpdump's table
// grows without bound; ours holds `capacity` conversations (65536 by default) and, when full, drops
// the one used longest ago: a later segment of a dropped conversation starts it over (absolute numbers
// once, then relative to that segment), where tcpdump would go on relative to the first. With
// `absolute` (sniff -S) nothing is tracked and every number is printed as it is on the wire.
import { checksumShouldBe, foldChecksum, onesComplementSum } from "./checksum";
import { pseudoHeaderSumAt } from "./pseudo-header";
import { printStyle } from "./print-style";
import type { TextBuffer } from "./summary";
import { TcpPacket } from "./tcp";
import { UdpPacket } from "./udp";
import { VrrpAuthType, VrrpPacket } from "./vrrp";
import { IpProtocol, Ipv4At, TcpOptionAt, TcpOptionType, VrrpAt } from "./wire-literals";
import { writeIpv6Address } from "./summary-ipv6";

const TWO_32 = 0x1_0000_0000;

/** Appends the address of `addressLength` (4 or 16) bytes at b[at]. */
export function writeIpAddress(out: TextBuffer, b: Uint8Array, at: number, addressLength: number): void {
  if (addressLength === 4) out.ipv4At(b, at);
  else writeIpv6Address(out, b, at);
}

/** Where the enclosing IP header's addresses are: in `bytes` at these offsets, 4 or 16 bytes each. */
export interface AddressPlace {
  readonly bytes: Uint8Array;
  readonly sourceAt: number;
  readonly destinationAt: number;
  /** 4 for IPv4, 16 for IPv6 */
  readonly addressLength: number;
  /** the addresses are on the line already (tcpdump after an IPv6 extension header): ports only */
  readonly portsOnly?: boolean;
}

function writeAddresses(out: TextBuffer, ip: AddressPlace): void {
  writeIpAddress(out, ip.bytes, ip.sourceAt, ip.addressLength);
  out.ascii(" > ");
  writeIpAddress(out, ip.bytes, ip.destinationAt, ip.addressLength);
}

function writeAddressesAndPorts(out: TextBuffer, ip: AddressPlace, sourcePort: number, destinationPort: number): void {
  const addresses = ip.portsOnly !== true;
  if (addresses) {
    writeIpAddress(out, ip.bytes, ip.sourceAt, ip.addressLength);
    out.byte(46);
  }
  out.decimal(sourcePort);
  out.ascii(" > ");
  if (addresses) {
    writeIpAddress(out, ip.bytes, ip.destinationAt, ip.addressLength);
    out.byte(46);
  }
  out.decimal(destinationPort);
}

/**
 * A reusable AddressPlace (set its fields, pass it on) so that line writers need not allocate one
 * per frame.
 */
export class MutableAddressPlace implements AddressPlace {
  bytes: Uint8Array = new Uint8Array(0);
  sourceAt = 0;
  destinationAt = 0;
  addressLength = 4;
  portsOnly = false;

  /** Points at new addresses; returns this. */
  set(bytes: Uint8Array, sourceAt: number, destinationAt: number, addressLength: number, portsOnly = false): this {
    this.bytes = bytes;
    this.sourceAt = sourceAt;
    this.destinationAt = destinationAt;
    this.addressLength = addressLength;
    this.portsOnly = portsOnly;
    return this;
  }
}

const udpView = new UdpPacket();
const tcpView = new TcpPacket();
const vrrpView = new VrrpPacket();

/**
 * Appends the UDP part of a line from the addresses on: the message is bytes[at, end) where `end`
 * is the IP payload's end (IPv4 totalLength, IPv6 payloadLength); `fragmented` when the datagram
 * is the first fragment of several (a length past the end is then no error).
 */
export function writeUdpSummary(out: TextBuffer, ip: AddressPlace, at: number, end: number, fragmented: boolean): void {
  const view = udpView.reset(ip.bytes, at, end);
  const length = end - at;
  if (length < 4) {
    writeAddresses(out, ip);
    out.ascii(":  [|udp]");
    return;
  }
  writeAddressesAndPorts(out, ip, view.sourcePort, view.destinationPort);
  if (length < 8) {
    out.ascii(": truncated-udp ");
    out.decimal(length);
    return;
  }
  const udpLength = view.length;
  if (udpLength < 8) {
    out.ascii(": truncated-udplength ");
    out.decimal(udpLength);
    return;
  }
  if (udpLength > length && !fragmented) {
    out.ascii(": UDP, bad length ");
    out.decimal(udpLength - 8);
    out.ascii(" > ");
    out.decimal(length - 8);
    return;
  }
  out.ascii(": ");
  // -v: the checksum's verdict, over IPv6 only (tcpdump checks IPv4's from -vv on)
  if (printStyle.verbose !== 0) writeUdpChecksum(out, ip, at, udpLength, fragmented);
  out.ascii("UDP, length ");
  out.decimal(udpLength - 8);
}

/** "[udp sum ok] " or "[bad udp cksum 0xFFFF -> 0xFFFF!] " for a whole, unfragmented datagram at b[at] over IPv6. */
function writeUdpChecksum(out: TextBuffer, ip: AddressPlace, at: number, udpLength: number, fragmented: boolean): void {
  const b = ip.bytes;
  if (ip.addressLength !== 16 || fragmented || at + udpLength > b.length) return;
  const sum = foldChecksum(onesComplementSum(b, at, at + udpLength, pseudoHeaderSumAt(b, ip.sourceAt, ip.destinationAt, 16, IpProtocol.Udp, udpLength)));
  if (sum === 0) return void out.ascii("[udp sum ok] ");
  const field = udpView.checksum; // writeUdpSummary aimed the view at b[at]
  out.ascii("[bad udp cksum 0x");
  out.hex(field, 4);
  out.ascii(" -> 0x");
  out.hex(checksumShouldBe(field, sum), 4);
  out.ascii("!] ");
}

/** tcpdump's per-conversation sequence table (see the module comment); one per capture being printed. */
export class TcpConversations {
  /** how many conversations the table holds before it drops the one used longest ago */
  readonly capacity: number;
  readonly #table = new Map<string, { seq: number; ack: number }>();
  /** the last lookup's results: seq and ack to print, the bases for SACK blocks, the direction */
  sequence = 0;
  acknowledgment = 0;
  baseSequence = 0;
  baseAcknowledgment = 0;
  reversed = false;

  constructor(capacity = 65536) {
    if (!(capacity >= 1)) throw new RangeError(`takeover: TCP conversation table: capacity ${capacity}; give 1 or more`);
    this.capacity = capacity;
  }

  /** conversations held now */
  get size(): number {
    return this.#table.size;
  }

  /**
   * tcpdump's lookup for one segment with ACK set: sets `sequence`/`acknowledgment` to the numbers
   * to print (absolute for a new conversation or a SYN, else relative), and the SACK bases.
   */
  track(ip: AddressPlace, sourcePort: number, destinationPort: number, sequence: number, acknowledgment: number, syn: boolean): void {
    const b = ip.bytes;
    let reversed = sourcePort > destinationPort;
    if (sourcePort === destinationPort) {
      for (let i = 0; i < ip.addressLength; i++) {
        const s = b[ip.sourceAt + i];
        const d = b[ip.destinationAt + i];
        if (s !== d) {
          reversed = s > d;
          break;
        }
      }
    }
    const first = reversed ? ip.destinationAt : ip.sourceAt;
    const second = reversed ? ip.sourceAt : ip.destinationAt;
    let key = ip.addressLength === 4 ? "4" : "6";
    for (let i = 0; i < ip.addressLength; i += 2) key += String.fromCharCode((b[first + i] << 8) | b[first + i + 1]);
    for (let i = 0; i < ip.addressLength; i += 2) key += String.fromCharCode((b[second + i] << 8) | b[second + i + 1]);
    key += reversed ? String.fromCharCode(destinationPort, sourcePort) : String.fromCharCode(sourcePort, destinationPort);
    const table = this.#table;
    let entry = table.get(key);
    if (entry === undefined || syn) {
      if (entry === undefined) {
        if (table.size >= this.capacity) table.delete(table.keys().next().value as string);
        entry = { seq: 0, ack: 0 };
      } else table.delete(key);
      table.set(key, entry);
      if (reversed) {
        entry.ack = sequence;
        entry.seq = (acknowledgment - 1 + TWO_32) % TWO_32;
      } else {
        entry.seq = sequence;
        entry.ack = (acknowledgment - 1 + TWO_32) % TWO_32;
      }
    } else {
      table.delete(key);
      table.set(key, entry);
      if (reversed) {
        sequence = (sequence - entry.ack + TWO_32) % TWO_32;
        acknowledgment = (acknowledgment - entry.seq + TWO_32) % TWO_32;
      } else {
        sequence = (sequence - entry.seq + TWO_32) % TWO_32;
        acknowledgment = (acknowledgment - entry.ack + TWO_32) % TWO_32;
      }
    }
    this.sequence = sequence;
    this.acknowledgment = acknowledgment;
    this.baseSequence = entry.seq;
    this.baseAcknowledgment = entry.ack;
    this.reversed = reversed;
  }

  /** Forgets every conversation. */
  clear(): void {
    this.#table.clear();
  }
}

const FLAG_LETTERS = "FSRP.UEW";
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const URG = 0x20;

/**
 * Appends the TCP part of a line from the addresses on, for the segment in bytes[at, end) (`end`:
 * the IP payload's end). `conversations` gives relative sequence numbers; undefined prints them
 * absolute (sniff -S).
 */
export function writeTcpSummary(
  out: TextBuffer, ip: AddressPlace, at: number, end: number, conversations: TcpConversations | undefined, fragmented = false, captured = end,
): void {
  const view = tcpView.reset(ip.bytes, at, end);
  const b = ip.bytes;
  const length = end - at;
  if (length < 4) {
    writeAddresses(out, ip);
    out.ascii(": [|tcp]");
    return;
  }
  writeAddressesAndPorts(out, ip, view.sourcePort, view.destinationPort);
  if (length < 20) {
    out.ascii(":  [|tcp]");
    return;
  }
  const headerLength = view.headerLength;
  if (headerLength < 20) {
    out.ascii(":  tcp ");
    out.decimal((length - headerLength) >>> 0);
    out.ascii(" [bad hdr length ");
    out.decimal(headerLength);
    out.ascii(" - too short, < 20]");
    return;
  }
  if (printStyle.quick) {
    // -q: the payload's length only (no conversation is tracked: nothing relative is printed)
    out.ascii(": tcp ");
    out.decimal((length - headerLength) >>> 0);
    if (headerLength > length) {
      out.ascii(" [bad hdr length ");
      out.decimal(headerLength);
      out.ascii(" - too long, > ");
      out.decimal(length);
      out.byte(0x5d);
    }
    return;
  }
  const flags = view.flags & 0xff; // tcpdump 4.99 prints the low 8 flag bits
  out.ascii(": Flags [");
  if (flags === 0) out.ascii("none");
  for (let bit = 0; bit < 8; bit++) if ((flags & (1 << bit)) !== 0) out.byte(FLAG_LETTERS.charCodeAt(bit));
  out.byte(0x5d);
  let sequence = view.sequence;
  let acknowledgment = view.acknowledgment;
  let baseSequence = 0;
  let baseAcknowledgment = 0;
  let reversed = false;
  if (conversations !== undefined && (flags & ACK) !== 0) {
    conversations.track(ip, view.sourcePort, view.destinationPort, sequence, acknowledgment, (flags & SYN) !== 0);
    sequence = conversations.sequence;
    acknowledgment = conversations.acknowledgment;
    baseSequence = conversations.baseSequence;
    baseAcknowledgment = conversations.baseAcknowledgment;
    reversed = conversations.reversed;
  }
  if (headerLength > length) {
    out.ascii(" [bad hdr length ");
    out.decimal(headerLength);
    out.ascii(" - too long, > ");
    out.decimal(length);
    out.byte(0x5d);
    return;
  }
  if (printStyle.verbose !== 0 && !fragmented) writeTcpChecksum(out, ip, at, end, captured); // -v
  const dataLength = length - headerLength;
  if (dataLength > 0 || (flags & (SYN | FIN | RST)) !== 0) {
    out.ascii(", seq ");
    out.decimal(sequence);
    if (dataLength > 0) {
      out.byte(58);
      out.decimal((sequence + dataLength) % TWO_32);
    }
  }
  if ((flags & ACK) !== 0) {
    out.ascii(", ack ");
    out.decimal(acknowledgment);
  }
  out.ascii(", win ");
  out.decimal(view.window);
  if ((flags & URG) !== 0) {
    out.ascii(", urg ");
    out.decimal(view.urgentPointer);
  }
  if (headerLength > 20) {
    const sackBase = reversed ? baseSequence : baseAcknowledgment;
    if (!writeTcpOptions(out, b, view.optionsOffset, view.optionsEnd, end, sackBase, flags)) return;
  }
  out.ascii(", length ");
  out.decimal(dataLength);
}

/** ", cksum 0xFFFF (correct)" or "(incorrect -> 0xFFFF)" for the whole segment b[at, end). */
function writeTcpChecksum(out: TextBuffer, ip: AddressPlace, at: number, end: number, captured: number): void {
  if (end > captured) return;
  const b = ip.bytes;
  const field = tcpView.checksum; // writeTcpSummary aimed the view at b[at]
  const sum = foldChecksum(onesComplementSum(b, at, end, pseudoHeaderSumAt(b, ip.sourceAt, ip.destinationAt, ip.addressLength, IpProtocol.Tcp, end - at)));
  out.ascii(", cksum 0x");
  out.hex(field, 4);
  if (sum === 0) return void out.ascii(" (correct)");
  out.ascii(" (incorrect -> 0x");
  out.hex(checksumShouldBe(field, sum), 4);
  out.byte(0x29);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function hexBytes(out: TextBuffer, b: Uint8Array, from: number, count: number): void {
  for (let i = 0; i < count; i++) out.hex(b[from + i], 2);
}

/**
 * tcpdump's option list: ", options [" then each option's name and value, "[len N]" after one whose
 * length byte disagrees with its kind (the walk then goes on by the kind's own size, as tcpdump's
 * does), "]". Returns false after "[bad opt]" (a length under 2 or past the header, or a value past
 * it), where tcpdump stops the line, or after " [|tcp]" when the capture ends inside the header.
 * `sackBase` is subtracted from SACK edges (0 for absolute numbers); `flags` (the low 8 flag bits)
 * decide which MPTCP forms are valid.
 */
function writeTcpOptions(out: TextBuffer, b: Uint8Array, start: number, headerEnd: number, end: number, sackBase: number, flags: number): boolean {
  out.ascii(", options [");
  let remaining = headerEnd - start;
  let at = start;
  let separator = false;
  const bad = (): false => {
    out.ascii("[bad opt]");
    if (separator) out.byte(0x5d);
    return false;
  };
  while (remaining > 0) {
    if (separator) out.byte(44);
    const opt = at;
    const kind = b[at++];
    let length: number = TcpOptionAt.KindOnlyLength;
    if (kind > TcpOptionType.Nop) {
      if (at >= end) {
        out.ascii(" [|tcp]");
        return false;
      }
      length = b[at++];
      if (length < TcpOptionAt.Data || length > remaining) return bad();
      remaining--;
    }
    remaining--;
    let dataLength = 0;
    switch (kind) {
      case TcpOptionType.Eol:
        out.ascii("eol");
        break;
      case TcpOptionType.Nop:
        out.ascii("nop");
        break;
      case TcpOptionType.Mss:
        out.ascii("mss");
        dataLength = TcpOptionAt.MssLength - TcpOptionAt.Data;
        if (dataLength > remaining) return bad();
        out.byte(32);
        out.decimal((b[at] << 8) | b[at + 1]);
        break;
      case TcpOptionType.WindowScale:
        out.ascii("wscale");
        dataLength = TcpOptionAt.WindowScaleLength - TcpOptionAt.Data;
        if (dataLength > remaining) return bad();
        out.byte(32);
        out.decimal(b[at]);
        break;
      case TcpOptionType.SackPermitted:
        out.ascii("sackOK");
        break;
      case TcpOptionType.Sack:
        out.ascii("sack");
        dataLength = length - TcpOptionAt.Data;
        if (dataLength % TcpOptionAt.SackBlockLength !== 0) out.ascii(" invalid sack");
        else {
          out.byte(32);
          out.decimal(dataLength / TcpOptionAt.SackBlockLength);
          out.byte(32);
          for (let i = 0; i < dataLength; i += TcpOptionAt.SackBlockLength) {
            if (i + TcpOptionAt.SackBlockLength > remaining) return bad();
            out.byte(0x7b);
            out.decimal((u32(b, at + i) - sackBase + TWO_32) % TWO_32);
            out.byte(58);
            out.decimal((u32(b, at + i + TcpOptionAt.SackRight) - sackBase + TWO_32) % TWO_32);
            out.byte(0x7d);
          }
        }
        break;
      case TcpOptionType.Echo:
      case TcpOptionType.EchoReply:
      case TcpOptionType.Cc:
      case TcpOptionType.CcNew:
      case TcpOptionType.CcEcho:
        out.ascii(kind === TcpOptionType.Echo ? "echo" : kind === TcpOptionType.EchoReply ? "echoreply" : kind === TcpOptionType.Cc ? "cc" : kind === TcpOptionType.CcNew ? "ccnew" : ""); // tcpdump 4.99 names CC.ECHO ""
        dataLength = TcpOptionAt.Value32Length - TcpOptionAt.Data;
        if (dataLength > remaining) return bad();
        out.byte(32);
        out.decimal(u32(b, at));
        break;
      case TcpOptionType.Timestamps:
        out.ascii("TS");
        dataLength = TcpOptionAt.TimestampsLength - TcpOptionAt.Data;
        if (dataLength > remaining) return bad();
        out.ascii(" val ");
        out.decimal(u32(b, at));
        out.ascii(" ecr ");
        out.decimal(u32(b, opt + TcpOptionAt.TimestampsEcho));
        break;
      case TcpOptionType.Md5:
        out.ascii("md5");
        dataLength = TcpOptionAt.Md5DigestLength;
        if (dataLength > remaining) return bad();
        out.ascii(" shared secret not supplied with -M, can't check - ");
        hexBytes(out, b, at, TcpOptionAt.Md5DigestLength);
        break;
      case TcpOptionType.Scps:
        out.ascii("scps");
        dataLength = TcpOptionAt.ScpsLength - TcpOptionAt.Data;
        if (dataLength > remaining) return bad();
        out.ascii(" cap ");
        out.hex(b[at], 2);
        out.ascii(" id ");
        out.decimal(b[opt + TcpOptionAt.ScpsConnectionId]);
        break;
      case TcpOptionType.UserTimeout: {
        out.ascii("uto");
        dataLength = TcpOptionAt.UtoLength - TcpOptionAt.Data;
        if (dataLength > remaining) return bad();
        let value = (b[at] << 8) | b[at + 1];
        out.ascii(" 0x");
        out.ascii(value.toString(16));
        value = (value & 1) !== 0 ? (value >>> 1) * 60 : value >>> 1;
        out.byte(32);
        out.decimal(value);
        break;
      }
      case TcpOptionType.Authentication:
        out.ascii("tcp-ao");
        dataLength = length - TcpOptionAt.Data;
        if (length < TcpOptionAt.AoMac) out.ascii(" (invalid)");
        else {
          out.ascii(" keyid ");
          out.decimal(b[at]);
          out.ascii(" rnextkeyid ");
          out.decimal(b[opt + TcpOptionAt.AoRnextKeyId]);
          if (length > TcpOptionAt.AoMac) {
            out.ascii(" mac 0x");
            hexBytes(out, b, opt + TcpOptionAt.AoMac, length - TcpOptionAt.AoMac);
          }
        }
        break;
      case TcpOptionType.FastOpen:
        out.ascii("tfo ");
        dataLength = length - TcpOptionAt.Data;
        writeFastOpen(out, b, at, dataLength);
        break;
      case TcpOptionType.Experiment: {
        out.ascii("exp");
        dataLength = length - TcpOptionAt.Data;
        if (length < TcpOptionAt.ExperimentData) return bad();
        const magic = (b[at] << 8) | b[at + 1];
        out.byte(45);
        if (magic === TcpOptionType.FastOpenExperimentId) {
          out.ascii("tfo");
          writeFastOpen(out, b, opt + TcpOptionAt.ExperimentData, length - TcpOptionAt.ExperimentData);
        } else out.hex(magic, 4);
        break;
      }
      case TcpOptionType.Mptcp:
        out.ascii("mptcp");
        dataLength = length - TcpOptionAt.Data;
        if (dataLength > remaining) return bad();
        if (at + dataLength > end) {
          out.ascii(" [|tcp]");
          return false;
        }
        if (!writeMptcpOption(out, b, opt, length, flags)) return bad();
        break;
      default:
        out.ascii("unknown-");
        out.decimal(kind);
        dataLength = length - TcpOptionAt.Data;
        if (dataLength > 0) {
          out.ascii(" 0x");
          hexBytes(out, b, at, dataLength);
        }
        break;
    }
    at += dataLength;
    remaining -= dataLength;
    if (dataLength + (kind > TcpOptionType.Nop ? TcpOptionAt.Data : TcpOptionAt.KindOnlyLength) !== length) {
      out.ascii("[len ");
      out.decimal(length);
      out.byte(0x5d);
    }
    separator = true;
    if (kind === TcpOptionType.Eol) break;
  }
  out.byte(0x5d);
  return true;
}

/** A 64-bit big-endian number at b[at], in decimal or (hex) without leading zeros. */
function u64Text(b: Uint8Array, at: number, hex = false): string {
  let value = 0n;
  for (let i = 0; i < 8; i++) value = (value << 8n) | BigInt(b[at + i]);
  return hex ? value.toString(16) : value.toString();
}

const MPTCP_SUBTYPES = ["capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"];
/** tcpdump's names of ADD_ADDR's low four bits (IP version in v0, echo bit in v1). */
const MPTCP_ADD_ADDR_FORMS = new Map([[6, "v0-ip6"], [4, "v0-ip4"], [1, "v1-echo"], [0, "v1"]]);

/**
 * An MPTCP option (RFC 6824/8684) as tcpdump 4.99's print-mptcp.c prints it after "mptcp": " LEN
 * SUBTYPE" and the subtype's fields. `opt` is the option's kind byte, `length` its whole length,
 * `flags` the segment's TCP flags. Returns false where tcpdump's printer rejects the option (the
 * caller then prints "[bad opt]", as tcpdump does after what was printed so far).
 */
function writeMptcpOption(out: TextBuffer, b: Uint8Array, opt: number, length: number, flags: number): boolean {
  if (length < 3) return false;
  const subtype = Math.min(b[opt + TcpOptionAt.MptcpSubtype] >> TcpOptionAt.MptcpSubtypeShift, 8);
  out.byte(32);
  out.decimal(length);
  out.byte(32);
  out.ascii(MPTCP_SUBTYPES[subtype]);
  switch (subtype) {
    case 0: {
      // capable: 4 or 12 bytes on SYN, 20 or 22 on the third ACK
      const onSyn = (length === 12 || length === 4) && (flags & SYN) !== 0;
      const onAck = (length === 20 || length === 22) && (flags & (SYN | ACK)) === ACK;
      if (!onSyn && !onAck) return false;
      const version = b[opt + TcpOptionAt.MptcpSubtype] & TcpOptionAt.MptcpLowMask;
      if (version > 1) {
        out.ascii(` Unknown Version (${version})`);
        return true;
      }
      out.ascii(version === 0 ? " v0" : " v1");
      if ((b[opt + TcpOptionAt.MptcpFlagsOrId] & 0x80) !== 0) out.ascii(" csum");
      if (length === 12 || length >= 20) {
        out.ascii(" {0x" + u64Text(b, opt + TcpOptionAt.MptcpData, true));
        if (length >= 20) out.ascii(",0x" + u64Text(b, opt + TcpOptionAt.MptcpReceiverKey, true));
        out.byte(0x7d);
      }
      return true;
    }
    case 1: {
      // join: 12 bytes on SYN, 16 on SYN-ACK, 24 on ACK
      if (!(length === 12 && (flags & SYN) !== 0) && !(length === 16 && (flags & (SYN | ACK)) === (SYN | ACK)) && !(length === 24 && (flags & ACK) !== 0)) return false;
      if (length !== 24) {
        if ((b[opt + TcpOptionAt.MptcpSubtype] & 1) !== 0) out.ascii(" backup");
        out.ascii(" id ");
        out.decimal(b[opt + TcpOptionAt.MptcpFlagsOrId]);
      }
      if (length === 12) {
        out.ascii(" token 0x" + u32(b, opt + TcpOptionAt.MptcpData).toString(16) + " nonce 0x" + u32(b, opt + TcpOptionAt.MptcpJoinSynNonce).toString(16));
      } else if (length === 16) {
        out.ascii(" hmac 0x" + u64Text(b, opt + TcpOptionAt.MptcpData, true) + " nonce 0x" + u32(b, opt + TcpOptionAt.MptcpJoinSynAckNonce).toString(16));
      } else {
        out.ascii(" hmac 0x");
        hexBytes(out, b, opt + TcpOptionAt.MptcpData, TcpOptionAt.MptcpJoinAckHmacLength);
      }
      return true;
    }
    case 2: {
      // dss: data ack and mapping, each of 4 or 8 bytes
      if (length < 4 || (flags & SYN) !== 0) return false;
      const dss = b[opt + TcpOptionAt.MptcpFlagsOrId];
      if ((dss & 0x10) !== 0) out.ascii(" fin");
      let at = opt + TcpOptionAt.MptcpData;
      let left = length - TcpOptionAt.MptcpData;
      if ((dss & 0x01) !== 0) {
        out.ascii(" ack ");
        const size = (dss & 0x02) !== 0 ? 8 : 4;
        if (left < size) return false;
        out.ascii(size === 8 ? u64Text(b, at) : String(u32(b, at)));
        at += size;
        left -= size;
      }
      if ((dss & 0x04) !== 0) {
        out.ascii(" seq ");
        const size = (dss & 0x08) !== 0 ? 8 : 4;
        if (left < size) return false;
        out.ascii(size === 8 ? u64Text(b, at) : String(u32(b, at)));
        at += size;
        left -= size;
        if (left < 4) return false;
        out.ascii(" subseq ");
        out.decimal(u32(b, at));
        at += 4;
        left -= 4;
        if (left < 2) return false;
        out.ascii(" len ");
        out.decimal((b[at] << 8) | b[at + 1]);
        at += 2;
        left -= 2;
        if (left >= 2) {
          out.ascii(" csum 0x" + ((b[at] << 8) | b[at + 1]).toString(16));
          left -= 2;
        }
      }
      return left === 0;
    }
    case 3: {
      // add-addr: IPv4 (8, 10 with a port, 16/18 with an HMAC) or IPv6 (20, 22, 28, 30)
      if (![8, 10, 16, 18, 20, 22, 28, 30].includes(length)) return false;
      out.byte(32);
      out.ascii(MPTCP_ADD_ADDR_FORMS.get(b[opt + TcpOptionAt.MptcpSubtype] & TcpOptionAt.MptcpLowMask) ?? "[bad version/echo]");
      out.ascii(" id ");
      out.decimal(b[opt + TcpOptionAt.MptcpFlagsOrId]);
      out.byte(32);
      const addressLength = length < 20 ? 4 : 16;
      writeIpAddress(out, b, opt + TcpOptionAt.MptcpData, addressLength);
      const after = opt + TcpOptionAt.MptcpData + addressLength;
      const withPort = length === 10 || length === 18 || length === 22 || length === 30;
      if (withPort) {
        out.byte(58);
        out.decimal((b[after] << 8) | b[after + 1]);
      }
      if (length === 16 || length === 18 || length === 28 || length === 30) out.ascii(" hmac 0x" + u64Text(b, after + (withPort ? 2 : 0), true));
      return true;
    }
    case 4:
      // rem-addr: the address ids
      if (length < 4) return false;
      out.ascii(" id");
      for (let i = TcpOptionAt.MptcpFlagsOrId; i < length; i++) {
        out.byte(32);
        out.decimal(b[opt + i]);
      }
      return true;
    case 5:
      // prio
      if (length !== 3 && length !== 4) return false;
      out.ascii((b[opt + TcpOptionAt.MptcpSubtype] & 1) !== 0 ? " backup" : " non-backup");
      if (length === 4) {
        out.ascii(" id ");
        out.decimal(b[opt + TcpOptionAt.MptcpFlagsOrId]);
      }
      return true;
    case 6:
    case 7:
      // fail (the data sequence number), fast-close (the receiver's key)
      if (length !== 12) return false;
      out.ascii(subtype === 6 ? " seq " + u64Text(b, opt + TcpOptionAt.MptcpData) : " key 0x" + u64Text(b, opt + TcpOptionAt.MptcpData, true));
      return true;
    default:
      return true;
  }
}

function writeFastOpen(out: TextBuffer, b: Uint8Array, at: number, dataLength: number): void {
  if (dataLength === 0) out.ascii(" cookiereq");
  else if (dataLength % 2 !== 0 || dataLength < 4 || dataLength > 16) out.ascii(" (invalid)");
  else {
    out.ascii(" cookie ");
    hexBytes(out, b, at, dataLength);
  }
}

const VRRP_AUTH_NAMES = ["none", "simple", "ah"];

/**
 * Appends the VRRP part of a line, after "src > dst: ": the message is bytes[at, end) (`end`: the IP
 * payload's end), `ttl` the IPv4 TTL or IPv6 hop limit (tcpdump notes one other than 255).
 */
export function writeVrrpSummary(out: TextBuffer, b: Uint8Array, at: number, end: number, ttl: number, ipv4Header = -1, captured = end): void {
  const view = vrrpView.reset(b, at, end);
  const length = end - at;
  out.ascii("VRRP");
  if (length < 1) return void out.ascii(" [|vrrp]");
  const version = view.version;
  const type = view.type;
  out.byte(118); // "v"
  out.decimal(version);
  out.ascii(type === 1 ? ", Advertisement" : ", unknown type (");
  if (type !== 1) {
    out.decimal(type);
    out.byte(0x29);
  }
  if (ttl !== 255) {
    out.ascii(", (ttl ");
    out.decimal(ttl);
    out.byte(0x29);
  }
  if (version < 2 || version > 3 || type !== 1) return;
  if (length < 3) return void out.ascii(" [|vrrp]");
  out.ascii(", vrid ");
  out.decimal(view.virtualRouterId);
  out.ascii(", prio ");
  out.decimal(view.priority);
  if (version === 2) {
    if (length < 5) return void out.ascii(" [|vrrp]");
    const auth = view.authType;
    out.ascii(", authtype ");
    if (auth < VRRP_AUTH_NAMES.length) out.ascii(VRRP_AUTH_NAMES[auth]);
    else {
      out.byte(35);
      out.decimal(auth);
    }
    if (length < 6) return void out.ascii(" [|vrrp]");
    out.ascii(", intvl ");
    out.decimal(view.interval);
    out.ascii("s, length ");
  } else {
    if (length < 6) return void out.ascii(" [|vrrp]");
    out.ascii(", intvl ");
    out.decimal(view.interval);
    out.ascii("cs, length ");
  }
  out.decimal(length);
  if (printStyle.verbose !== 0) writeVrrpVerbose(out, view, end, version, ipv4Header, captured);
}

/** tcpdump -v's tail of a VRRP line: a bad checksum, ", addrs(N): a,b", a simple password. */
function writeVrrpVerbose(out: TextBuffer, view: VrrpPacket, end: number, version: number, ipv4Header: number, captured: number): void {
  const b = view.bytes;
  const at = view.offset;
  const length = end - at;
  const whole = end <= captured;
  if (whole && version === 2 && foldChecksum(onesComplementSum(b, at, end)) !== 0) {
    out.ascii(", (bad vrrp cksum ");
    out.ascii(view.checksum.toString(16));
    out.byte(0x29);
  }
  if (whole && version === 3 && ipv4Header >= 0) {
    const sum = pseudoHeaderSumAt(b, ipv4Header + Ipv4At.Source, ipv4Header + Ipv4At.Destination, 4, IpProtocol.Vrrp, length);
    if (foldChecksum(onesComplementSum(b, at, end, sum)) !== 0) {
      out.ascii(", (bad vrrp cksum ");
      out.ascii(view.checksum.toString(16));
      out.byte(0x29);
    }
  }
  const count = view.addressCount;
  out.ascii(", addrs");
  if (count > 1) {
    out.byte(0x28);
    out.decimal(count);
    out.byte(0x29);
  }
  out.byte(0x3a);
  let address = view.addressesOffset;
  // tcpdump prints them as IPv4 addresses (the view's addressLength, 4, as writeVrrpSummary aimed it)
  for (let i = 0; i < count; i++, address += view.addressLength) {
    if (address + view.addressLength > captured) return void out.ascii(" [|vrrp]");
    out.byte(i === 0 ? 0x20 : 0x2c);
    out.ipv4At(b, address);
  }
  if (version === 2 && view.authType === VrrpAuthType.SIMPLE) {
    if (address + VrrpAt.AuthData > captured) return void out.ascii(" [|vrrp]");
    out.ascii(' auth "');
    for (let i = 0; i < VrrpAt.AuthData; i++) {
      const c = b[address + i];
      if (c === 0) break;
      writePrintable(out, c);
    }
    out.byte(0x22);
  }
}

/** A byte as tcpdump's fn_print_char writes it: "M-" for the high bit, "^X" for a control character. */
function writePrintable(out: TextBuffer, c: number): void {
  if (c >= 0x80) {
    out.ascii("M-");
    c &= 0x7f;
  }
  if (c < 0x20 || c === 0x7f) {
    out.byte(0x5e);
    out.byte(c ^ 0x40);
  } else out.byte(c);
}

// One-line summaries of frames as `tcpdump -n` prints them (ARP and ICMP exactly, learned from
// tcpdump 4.99 by comparing its output with ours on generated captures), and one JSON object per
// frame. The line writer puts ASCII straight into a byte buffer through a FrameView, so a sniffer
// summarises a frame without allocating; `frameSummary`/`summaryLine` are the string forms.
//
// Where the line matches tcpdump -n, and where it does not:
//   ARP (Ethernet/IPv4, and tcpdump's "ARP, <hardware> (len h), <protocol> (len p)" form for others),
//   ICMP of every type, IPv4 fragments, UDP (as tcpdump prints a port it has no dissector for) and
//   IPv4 protocols tcpdump does not decode: the same line. VLAN-tagged frames print as their inner
//   frame, as tcpdump does without -e; so do frames under 802.1ad (QinQ) or several tags. VXLAN (UDP port 4789) and OTV (8472): tcpdump's tunnel line
//   ("VXLAN, flags [I] (0x08), vni N"), then the line of the frame inside on a line of its own,
//   without time, as tcpdump prints it.
//   ARP operations tcpdump hex-dumps (NACK, unknown): tcpdump's first line, "ARP, Unknown (N) " (the
//   hex dump of its next lines is sniff -x's business). ARP whose addresses were not captured (a snap
//   length cut, or address lengths past the frame): tcpdump's " [|arp]".
//   TCP: tcpdump's layout with absolute sequence numbers (as with -S) and no application decoding.
//   IPv6: summary-ipv6.ts (tcpdump's line), with TCP and VRRP written by transport-summary.ts.
//   Other EtherTypes: "src > dst, ethertype NAME (0x....), length N", tcpdump's -e form.
//   IPv4 cut by a snap length, shorter on the wire than its header says, or with a totalLength under
//   its header length: tcpdump's line (writeUnacceptedIpv4).
//   Any other frame our decoder rejects: "malformed: <DecodeError message>", saying what was cut or
//   wrong and at which byte (tcpdump would print "[|ip]" or "bad-len" and the like).
//
// tcpdump's output flags (LineOptions, and print-style.ts for the ones the writers look at): the time
// forms of -t…-ttttt, -e's link header (writeEthernetHeader; the line after it drops "IP "/"ARP, "),
// -q, -x/-X dumps (hex-dump.ts) and -v: the IPv4 header's fields, ARP's types, ICMP's checksum and
// the packet an error quotes, on lines of their own as tcpdump prints them.
import { checksumShouldBe, internetChecksum } from "./checksum";
import { writeHex, writeHexAndAscii } from "./hex-dump";
import { DecodeError } from "./errors";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, ETHERTYPE_RARP, ETHERTYPE_VLAN } from "./ethernet";
import { FrameKind, FrameView, tryDecodeFrame } from "./frame";
import { Ipv6TransportContext, setIpv6TransportWriter, writeIpv6Address, writeIpv6Summary, writeTransportFallback } from "./summary-ipv6";
import { MutableAddressPlace, TcpConversations, writeTcpSummary, writeUdpSummary, writeVrrpSummary } from "./transport-summary";
import { VRRP_PROTOCOL } from "./vrrp";
import { ArpAt, EthAt, EtherType, IcmpAt, IpProtocol, Ipv4At, Ipv6At, TcpAt } from "./wire-literals";
import { IP_PROTOCOL_NAMES, printStyle } from "./print-style";

/** Where the IPv4 header's addresses are, for the transport printers; reused for every frame. */
const ipv4Addresses = new MutableAddressPlace();
/** The same for IPv6. */
const ipv6Addresses = new MutableAddressPlace();

/**
 * TCP, UDP and VRRP over IPv6 with the IPv4 line's printers: TCP also after an extension header (its
 * ports only, as tcpdump), UDP when the UDP header follows the IPv6 header; what they cannot print (a
 * segment the capture cut, UDP after an extension header) goes to summary-ipv6's own writer.
 */
function writeIpv6Transport(c: Ipv6TransportContext, out: TextBuffer): void {
  const end = c.transport + c.length;
  const conversations = c.conversations ?? printStyle.conversations;
  const source = c.ip + Ipv6At.Source;
  const destination = c.ip + Ipv6At.Destination;
  // TcpAt.Sequence: the ports were captured
  if (c.protocol === IpProtocol.Tcp && c.length >= TcpAt.Sequence && end <= c.snapEnd) {
    return writeTcpSummary(out, ipv6Addresses.set(c.bytes, source, destination, Ipv6At.AddressLength, c.addressesWritten), c.transport, end, conversations, c.fragmented);
  }
  if (c.protocol === IpProtocol.Tcp && c.transport + TcpAt.Sequence > c.snapEnd) {
    // tcp_print names the addresses (again, after an extension header) before " [|tcp]"
    writeIpv6Address(out, c.bytes, source);
    out.put(ARROW);
    writeIpv6Address(out, c.bytes, destination);
    out.ascii(": [|tcp]");
    return;
  }
  if (c.protocol === IpProtocol.Udp && !c.addressesWritten && end <= c.snapEnd) {
    return writeUdpSummary(out, ipv6Addresses.set(c.bytes, source, destination, Ipv6At.AddressLength), c.transport, end, c.fragmented);
  }
  if (c.protocol === IpProtocol.Vrrp) return writeVrrpSummary(out, c.bytes, c.transport, Math.min(end, c.snapEnd), c.bytes[c.ip + Ipv6At.HopLimit]);
  writeTransportFallback(c, out);
}
setIpv6TransportWriter(writeIpv6Transport);

/** The longest line writeSummary produces, with its time column and newline. */
export const MAX_LINE_LENGTH = 4096;

const HEX_DIGITS = "0123456789abcdef";
/** "000" to "999" as character codes, three a number. */
const THREE_DIGITS = Uint8Array.from({ length: 3000 }, (_, i) => 48 + (Math.floor(Math.floor(i / 3) / 10 ** (2 - (i % 3))) % 10));

/** Writes 0..999 without leading zeros at bytes[at]; returns the index after it. */
function writeSmall(bytes: Uint8Array, at: number, value: number): number {
  const digits = value * 3;
  if (value >= 100) bytes[at++] = THREE_DIGITS[digits];
  if (value >= 10) bytes[at++] = THREE_DIGITS[digits + 1];
  bytes[at++] = THREE_DIGITS[digits + 2];
  return at;
}

/** Writes 0..999 as three digits at bytes[at]; returns the index after them. */
function writeThreeDigits(bytes: Uint8Array, at: number, value: number): number {
  const digits = value * 3;
  bytes[at] = THREE_DIGITS[digits];
  bytes[at + 1] = THREE_DIGITS[digits + 1];
  bytes[at + 2] = THREE_DIGITS[digits + 2];
  return at + 3;
}

/** A constant's bytes, for TextBuffer.put. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

const NEWLINE = 10;
const SPACE = 32;
const COLON = 58;
const DOT = 46;

/**
 * A growable buffer of ASCII text. The writers below append to it; `reserve` before a batch of
 * appends (the appenders themselves do not check the room, to stay cheap).
 */
export class TextBuffer {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Makes room for `count` more bytes, growing the storage when needed. */
  reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Appends text made of characters 0..255 (one byte each). */
  ascii(text: string): void {
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  byte(code: number): void {
    this.bytes[this.length++] = code;
  }

  /** Appends a non-negative integer in decimal. */
  decimal(value: number): void {
    if (value < 1000) {
      this.length = writeSmall(this.bytes, this.length, value);
      return;
    }
    if (value < 1_000_000) {
      const thousands = (value / 1000) | 0;
      const at = writeSmall(this.bytes, this.length, thousands);
      this.length = writeThreeDigits(this.bytes, at, value - thousands * 1000);
      return;
    }
    const bytes = this.bytes;
    let digits = 7;
    for (let limit = 10_000_000; limit <= value; limit *= 10) digits++;
    let at = this.length + digits;
    this.length = at;
    while (value >= 10) {
      const quotient = Math.floor(value / 10);
      bytes[--at] = 48 + (value - quotient * 10);
      value = quotient;
    }
    bytes[--at] = 48 + value;
  }

  /** Appends the bytes of a constant made with `asciiBytes` (faster than `ascii` for hot paths). */
  put(constant: Uint8Array): void {
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < constant.length; i++) bytes[at++] = constant[i];
    this.length = at;
  }

  /** Appends `value` (0..99) as two digits. */
  twoDigits(value: number): void {
    const tens = (value / 10) | 0;
    this.bytes[this.length++] = 48 + tens;
    this.bytes[this.length++] = 48 + value - tens * 10;
  }

  /** Appends `value` in decimal, zero-padded to `width` digits. */
  padded(value: number, width: number): void {
    const bytes = this.bytes;
    let at = this.length + width;
    this.length = at;
    for (let i = 0; i < width; i++) {
      const quotient = Math.floor(value / 10);
      bytes[--at] = 48 + (value - quotient * 10);
      value = quotient;
    }
  }

  /** Appends `value` in lowercase hex, zero-padded to `width` digits. */
  hex(value: number, width: number): void {
    const bytes = this.bytes;
    let at = this.length + width;
    this.length = at;
    for (let i = 0; i < width; i++) {
      bytes[--at] = HEX_DIGITS.charCodeAt(value & 15);
      value = Math.floor(value / 16);
    }
  }

  /** Appends the dotted quad in source[at, at + 4). */
  ipv4At(source: Uint8Array, at: number): void {
    const bytes = this.bytes;
    let out = writeSmall(bytes, this.length, source[at]);
    bytes[out++] = DOT;
    out = writeSmall(bytes, out, source[at + 1]);
    bytes[out++] = DOT;
    out = writeSmall(bytes, out, source[at + 2]);
    bytes[out++] = DOT;
    this.length = writeSmall(bytes, out, source[at + 3]);
  }

  /** Appends source[at, at + count) as two hex digits a byte, joined by colons (a MAC for 6 bytes). */
  linkAddress(source: Uint8Array, at: number, count: number): void {
    const bytes = this.bytes;
    let out = this.length;
    for (let i = 0; i < count; i++) {
      if (i > 0) bytes[out++] = COLON;
      const value = source[at + i];
      bytes[out++] = HEX_DIGITS.charCodeAt(value >>> 4);
      bytes[out++] = HEX_DIGITS.charCodeAt(value & 15);
    }
    this.length = out;
  }

  /** The text written so far. */
  toString(): string {
    let text = "";
    for (let start = 0; start < this.length; start += 8192) {
      text += String.fromCharCode(...this.bytes.subarray(start, Math.min(this.length, start + 8192)));
    }
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// Names tcpdump prints, as the installed tcpdump 4.99 prints them (learned by sweeping every value).

/** The names tcpdump prints for EtherTypes ("Unknown" for the rest). */
export const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00fe, "GRE-OSI"], [0x0200, "PUP"], [0x0500, "Sprite"], [0x0600, "NS"], [0x0707, "GeoNet (old)"],
  [ETHERTYPE_IPV4, "IPv4"], [ETHERTYPE_ARP, "ARP"], [0x1000, "Trail"], [0x1111, "CALM FAST"], [0x6001, "MOP DL"],
  [0x6002, "MOP RC"], [0x6003, "DN"], [0x6004, "LAT"], [0x6007, "SCA"], [0x6558, "TEB"],
  [ETHERTYPE_RARP, "Reverse ARP"], [0x8038, "Lanbridge"], [0x803c, "DEC DNS"], [0x803e, "DEC DTS"], [0x805b, "VEXP"],
  [0x805c, "VPROD"], [0x809b, "Appletalk"], [0x80f3, "Appletalk ARP"], [ETHERTYPE_VLAN, "802.1Q"], [0x8137, "IPX"],
  [ETHERTYPE_IPV6, "IPv6"], [0x8808, "MPCP"], [0x8809, "Slow Protocols"], [0x880b, "PPP"], [0x8847, "MPLS unicast"],
  [0x8848, "MPLS multicast"], [0x8863, "PPPoE D"], [0x8864, "PPPoE S"], [0x886f, "MS NLB heartbeat"], [0x8870, "Jumbo"],
  [0x888e, "EAPOL"], [0x8899, "Realtek protocols"], [0x88a2, "AoE"], [ETHERTYPE_QINQ, "802.1Q-QinQ"], [0x88ca, "TIPC"],
  [0x88cc, "LLDP"], [0x88e5, "802.1AE MACsec"], [0x88f7, "PTP"], [0x8902, "CFM"], [0x893a, "IEEE1905.1"],
  [0x8947, "GeoNet"], [0x894f, "NSH"], [0x9000, "Loopback"], [ETHERTYPE_QINQ_OLD, "802.1Q-9100"], [0x9200, "802.1Q-9200"],
  [0xabcd, "CFM (old)"], [0xd28b, "Arista Vendor Specific Protocol"], [0xfefe, "OSI"],
]);

/** IPv4 option names, as tcpdump's ip_optprint gives them. */
const IP_OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "EOL"], [1, "NOP"], [68, "timestamp"], [130, "security"], [7, "RR"], [137, "SSRR"], [131, "LSRR"], [148, "RA"], [82, "traceroute"],
]);

const ARP_HARDWARE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "Ethernet"], [6, "TokenRing"], [7, "ArcNet"], [15, "FrameRelay"], [19, "ATM"], [23, "Strip"],
  [24, "IEEE 1394"], [32, "InfiniBand"],
]);

const ARP_OPERATION_NAMES: readonly (string | undefined)[] = [
  undefined, "Request", "Reply", "Reverse Request", "Reverse Reply", undefined, undefined, undefined,
  "Inverse Request", "Inverse Reply", "NACK Reply",
];

const ICMP_TYPE_NAMES: readonly (string | undefined)[] = [
  "echo reply", undefined, undefined, undefined, "source quench", undefined, undefined, undefined,
  "echo request", undefined, "router solicitation", undefined, undefined, "time stamp request",
  "time stamp reply", "information request", "information reply", "address mask request",
];

const UNREACHABLE_FORMATS: readonly (readonly [string, string] | undefined)[] = [
  ["net ", " unreachable"],
  ["host ", " unreachable"],
  undefined, // protocol: its own format
  undefined, // port: its own format
  undefined, // need to frag: its own format
  ["", " unreachable - source route failed"],
  ["net ", " unreachable - unknown"],
  ["host ", " unreachable - unknown"],
  ["", " unreachable - source host isolated"],
  ["net ", " unreachable - admin prohibited"],
  ["host ", " unreachable - admin prohibited"],
  ["net ", " unreachable - tos prohibited"],
  ["host ", " unreachable - tos prohibited"],
  ["host ", " unreachable - admin prohibited filter"],
  ["host ", " unreachable - host precedence violation"],
  ["host ", " unreachable - precedence cutoff"],
];

const REDIRECT_FORMATS: readonly (readonly [string, string])[] = [
  ["redirect ", " to net "],
  ["redirect ", " to host "],
  ["redirect-tos ", " to net "],
  ["redirect-tos ", " to host "],
];

/** tcpdump builds an ICMP description in a 164-byte buffer: a router advertisement is cut there. */
const ICMP_DESCRIPTION_LIMIT = 163;


// The constant text of the commonest lines, as bytes (TextBuffer.put copies them faster than ascii).
const ARP_WHO_HAS = asciiBytes("ARP, Request who-has ");
const ARP_REPLY_TEXT = asciiBytes("ARP, Reply ");
const TELL = asciiBytes(" tell ");
const IS_AT = asciiBytes(" is-at ");
const COMMA_LENGTH = asciiBytes(", length ");
const IP_PREFIX = asciiBytes("IP ");
const ARROW = asciiBytes(" > ");
const ICMP_PREFIX = asciiBytes(": ICMP ");
const ECHO_REQUEST_ID = asciiBytes("echo request, id ");
const ECHO_REPLY_ID = asciiBytes("echo reply, id ");
const COMMA_SEQ = asciiBytes(", seq ");

const ETHERTYPE_TRAIL = 0x1000;
const ARP_HARDWARE_ATM = 19;
/** EtherType values up to this are 802.3 lengths, not types. */
const MAX_802_3_LENGTH = 1500;

// ---------------------------------------------------------------------------------------------
// The summary writers. Each reads the bytes of a frame `view` has accepted.

/**
 * Appends the summary of the frame `view` holds (after `view.reset(bytes)`; pass its result as
 * `accepted`), without time column or newline. `wireLength` is the frame's length on the wire, which
 * tcpdump prints for ARP (it is more than the bytes at hand when a snap length cut the frame).
 * Reserve MAX_LINE_LENGTH bytes in `out` first. `conversations` makes TCP sequence numbers relative to
 * each conversation's first, as tcpdump prints them; without it they are absolute (tcpdump -S).
 */
export function writeSummary(view: FrameView, accepted: boolean, wireLength: number, out: TextBuffer, conversations?: TcpConversations): void {
  if (!accepted) {
    // tcpdump's forms of cut IPv4 are written for the default line only (not yet with -e, -q, -v)
    if (printStyle.plain && writeUnacceptedIpv4(view.bytes, wireLength, out, conversations)) return;
    return writeMalformed(view.bytes, wireLength, out);
  }
  switch (view.kind) {
    case FrameKind.Arp:
    case FrameKind.UnsupportedArp:
      return printStyle.plain ? writeArp(view, wireLength, out) : writeArpStyled(view, wireLength, out);
    case FrameKind.Icmp:
    case FrameKind.Ipv4:
      // the default line keeps its own, small writer, which V8 inlines into; the flags take the general one
      if (printStyle.plain) return writeIpv4(view, out, conversations);
      return writeIpv4Packet(view.bytes, view.networkOffset, view.transportOffset, view.datagramEnd, view.datagramEnd, out, conversations, false);
    default:
      // IPv6: summary-ipv6.ts
      if (view.etherType === EtherType.Ipv6) return writeIpv6Summary(view.bytes, view.networkOffset, view.bytes.length, wireLength - view.networkOffset, out, conversations);
      if (printStyle.plain && VLAN_TAG_TYPES.includes(view.etherType) && writeStackedTags(view, wireLength, out, conversations)) return;
      return writeOtherEtherType(view, wireLength, out);
  }
}

/**
 * tcpdump's line for an IPv4 datagram (in an Ethernet frame, after one 802.1Q tag at most) that the
 * view rejects for its lengths: cut by a snap length or shorter on the wire than its totalLength says
 * (tcpdump prints "truncated-ip - N bytes missing! " first for the latter, then the line as usual from
 * the header's lengths), or with a totalLength under its header length ("bad-len N"). Returns false,
 * having written nothing, for the rest: no IPv4, a bad version or header length, an IPv4 header not
 * captured whole, TCP options or a VRRP header cut by the capture.
 */
export function writeUnacceptedIpv4(b: Uint8Array, wireLength: number, out: TextBuffer, conversations?: TcpConversations): boolean {
  const captured = b.length;
  if (captured < EthAt.HeaderLength) return false;
  let type = (b[EthAt.Type] << 8) | b[EthAt.Type + 1];
  let ip: number = EthAt.HeaderLength;
  if (type === EtherType.Vlan && captured >= EthAt.TaggedHeaderLength) {
    type = (b[EthAt.InnerType] << 8) | b[EthAt.InnerType + 1];
    ip = EthAt.TaggedHeaderLength;
  }
  if (type !== EtherType.Ipv4 || captured < ip + Ipv4At.MinHeaderLength) return false;
  const headerLength = (b[ip] & 0x0f) * 4;
  if (b[ip] >>> 4 !== 4 || headerLength < 20 || captured < ip + headerLength) return false;
  const start = out.length;
  const onTheWire = wireLength - ip;
  const totalLength = (b[ip + Ipv4At.TotalLength] << 8) | b[ip + Ipv4At.TotalLength + 1];
  out.put(IP_PREFIX);
  if (onTheWire < totalLength) {
    out.ascii("truncated-ip - ");
    out.decimal(totalLength - onTheWire);
    out.ascii(" bytes missing! ");
  }
  if (totalLength < headerLength) {
    out.ascii("bad-len ");
    out.decimal(totalLength);
    return true;
  }
  const transport = ip + headerLength;
  const end = ip + totalLength;
  const length = totalLength - headerLength;
  const protocol = b[ip + Ipv4At.Protocol];
  if ((((b[ip + Ipv4At.Flags] & 0x1f) << 8) | b[ip + Ipv4At.Flags + 1]) !== 0) {
    writeAddresses(b, ip, out);
    out.ascii(": ip-proto-");
    out.decimal(protocol);
    return true;
  }
  const transportCaptured = captured - transport;
  switch (protocol) {
    case 17:
      if (transportCaptured >= 8 || (transportCaptured >= 4 && length < 8)) {
        writeUdpSummary(out, ipv4Addresses.set(b, ip + Ipv4At.Source, ip + Ipv4At.Destination, 4), transport, end, (b[ip + Ipv4At.Flags] & 0x20) !== 0);
      } else if (transportCaptured < 4) {
        writeAddresses(b, ip, out);
        out.ascii(":  [|udp]");
      } else {
        // the ports captured, the rest of the header not
        writeAddressesAndPorts(b, ip, transport, out);
        const udpLength = transportCaptured >= 6 ? (b[transport + 4] << 8) | b[transport + 5] : 8;
        if (udpLength < 8) {
          out.ascii(": truncated-udplength ");
          out.decimal(udpLength);
        } else out.ascii(":  [|udp]");
      }
      return true;
    case 6:
      if (transportCaptured < 4) {
        writeAddresses(b, ip, out);
        out.ascii(": [|tcp]");
        return true;
      }
      if (transportCaptured < 20) {
        writeAddressesAndPorts(b, ip, transport, out);
        out.ascii(":  [|tcp]");
        return true;
      }
      if (transportCaptured < (b[transport + 12] >>> 4) * 4) break;
      writeTcpSummary(out, ipv4Addresses.set(b, ip + Ipv4At.Source, ip + Ipv4At.Destination, 4), transport, end, conversations);
      return true;
    case 1:
      if (transportCaptured < icmpBytesNeeded(b, transport, length) && length >= icmpBytesNeeded(b, transport, length)) {
        writeAddresses(b, ip, out);
        out.ascii(":  [|icmp]");
      } else writeIcmp(b, ip, transport, length, out);
      return true;
    case VRRP_PROTOCOL:
      if (transportCaptured < 8) break;
      writeAddresses(b, ip, out);
      out.ascii(": ");
      writeVrrpSummary(out, b, transport, end, b[ip + Ipv4At.Ttl]);
      return true;
    default:
      writeAddresses(b, ip, out);
      out.ascii(":  ip-proto-");
      out.decimal(protocol);
      out.byte(SPACE);
      out.decimal(length);
      return true;
  }
  out.length = start;
  return false;
}

function writeMalformed(bytes: Uint8Array, wireLength: number, out: TextBuffer): void {
  const result = tryDecodeFrame(bytes);
  if (result instanceof DecodeError && result.layer === "arp" && result.truncated && !isAtmArp(bytes)) {
    // tcpdump checks that the addresses were captured before it prints "ARP, ": its whole line is this
    out.ascii(" [|arp]");
    return;
  }
  const message = result instanceof DecodeError ? result.message : "the frame reader rejected it, the decoder did not";
  out.reserve(message.length + 64);
  out.ascii("malformed: ");
  out.ascii(message);
  if (wireLength > bytes.length) {
    out.ascii(" (captured ");
    out.decimal(bytes.length);
    out.ascii(" of ");
    out.decimal(wireLength);
    out.ascii(" bytes)");
  }
}

/** Whether the ARP in an Ethernet frame (after 802.1Q tags) has hardware type ATM (tcpdump's atmarp_print). */
function isAtmArp(bytes: Uint8Array): boolean {
  let at: number = EthAt.Type;
  while (at + EthAt.TagLength <= bytes.length && ((bytes[at] << 8) | bytes[at + 1]) === EtherType.Vlan) at += EthAt.TagLength;
  const arp = at + 2;
  return arp + 2 <= bytes.length && ((bytes[arp + ArpAt.HardwareType] << 8) | bytes[arp + ArpAt.HardwareType + 1]) === ARP_HARDWARE_ATM;
}

/** The EtherTypes of VLAN tags tcpdump looks through: 802.1Q, 802.1ad (QinQ) and the older 0x9100, 0x9200. */
const VLAN_TAG_TYPES: readonly number[] = [ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, 0x9200];

/**
 * A frame under more than one VLAN tag, or an 802.1ad one (the view reads one 802.1Q tag): the line of
 * the ARP, IPv4 or IPv6 inside, as tcpdump prints it without -e, written from a copy of the frame
 * without its tags. False (nothing written) for another protocol inside.
 */
function writeStackedTags(view: FrameView, wireLength: number, out: TextBuffer, conversations: TcpConversations | undefined): boolean {
  const b = view.bytes;
  let at: number = EthAt.Type;
  // a tag, then at least the type after it
  while (at + EthAt.TagLength + 2 <= b.length && VLAN_TAG_TYPES.includes((b[at] << 8) | b[at + 1])) at += EthAt.TagLength;
  const inner = (b[at] << 8) | b[at + 1];
  if (at + 2 > b.length || (inner !== EtherType.Arp && inner !== EtherType.Ipv4 && inner !== EtherType.Ipv6)) return false;
  const untagged = new Uint8Array(EthAt.Type + b.length - at);
  untagged.set(b.subarray(0, EthAt.Type));
  untagged.set(b.subarray(at), EthAt.Type);
  writeSummary(view, view.reset(untagged), wireLength - (at - EthAt.Type), out, conversations);
  return true;
}

function writeOtherEtherType(view: FrameView, wireLength: number, out: TextBuffer): void {
  const bytes = view.bytes;
  const type = view.etherType;
  out.linkAddress(bytes, EthAt.Source, EthAt.MacLength);
  out.ascii(" > ");
  out.linkAddress(bytes, EthAt.Destination, EthAt.MacLength);
  if (type <= MAX_802_3_LENGTH) {
    out.ascii(", 802.3");
  } else {
    out.ascii(", ethertype ");
    out.ascii(ETHERTYPE_NAMES.get(type) ?? "Unknown");
    out.ascii(" (0x");
    out.hex(type, 4);
    out.byte(0x29); // ")"
  }
  out.ascii(", length ");
  out.decimal(wireLength);
}

function writeArp(view: FrameView, wireLength: number, out: TextBuffer): void {
  if (!writeArpRequestOrReply(view, wireLength, out)) writeArpStyled(view, wireLength, out);
}

/**
 * An Ethernet/IPv4 request or reply, most ARP on the wire, in tcpdump's default form: true when
 * written; false, having written nothing, for any other ARP.
 */
function writeArpRequestOrReply(view: FrameView, wireLength: number, out: TextBuffer): boolean {
  const b = view.bytes;
  const at = view.networkOffset;
  if (view.kind !== FrameKind.Arp || b[at + ArpAt.Operation] !== 0) return false;
  const operation = b[at + ArpAt.Operation + 1];
  if (operation === ArpAt.Request) {
    out.put(ARP_WHO_HAS);
    out.ipv4At(b, at + ArpAt.TargetIp);
    if (anyNonZero(b, at + ArpAt.TargetMac, ArpAt.MacLength)) {
      out.ascii(" (");
      out.linkAddress(b, at + ArpAt.TargetMac, ArpAt.MacLength);
      out.byte(0x29);
    }
    out.put(TELL);
    out.ipv4At(b, at + ArpAt.SenderIp);
  } else if (operation === ArpAt.Reply) {
    out.put(ARP_REPLY_TEXT);
    out.ipv4At(b, at + ArpAt.SenderIp);
    out.put(IS_AT);
    out.linkAddress(b, at + ArpAt.SenderMac, ArpAt.MacLength);
  } else return false;
  out.put(COMMA_LENGTH);
  out.decimal(wireLength - at);
  return true;
}

/** ARP under any flags, and the operations and types the default path leaves to it. */
function writeArpStyled(view: FrameView, wireLength: number, out: TextBuffer): void {
  if (!printStyle.linkHeader && printStyle.verbose === 0 && writeArpRequestOrReply(view, wireLength, out)) return;
  const b = view.bytes;
  const at = view.networkOffset;
  const hardware = (b[at + ArpAt.HardwareType] << 8) | b[at + ArpAt.HardwareType + 1];
  const protocol = (b[at + ArpAt.ProtocolType] << 8) | b[at + ArpAt.ProtocolType + 1];
  const hardwareLength = b[at + ArpAt.HardwareLength];
  const protocolLength = b[at + ArpAt.ProtocolLength];
  const operation = (b[at + ArpAt.Operation] << 8) | b[at + ArpAt.Operation + 1];
  // the addresses start after the fixed part, where an Ethernet/IPv4 body has its sender MAC
  const senderHardware = at + ArpAt.SenderMac;
  const senderProtocol = senderHardware + hardwareLength;
  const targetHardware = senderProtocol + protocolLength;
  const targetProtocol = targetHardware + hardwareLength;
  if (!printStyle.linkHeader) out.ascii("ARP, ");
  if (hardware === ARP_HARDWARE_ATM) {
    // ATM ARP (RFC 2225) lays its addresses out differently; tcpdump decodes it, we only name it.
    out.ascii("ATM ARP (hardware type 19), length ");
    out.decimal(wireLength - at);
    return;
  }
  if ((protocol !== ETHERTYPE_IPV4 && protocol !== ETHERTYPE_TRAIL) || protocolLength !== ArpAt.Ipv4Length || hardwareLength === 0) {
    out.ascii(ARP_HARDWARE_NAMES.get(hardware) ?? `Unknown Hardware (${hardware})`);
    writeArpTypes(protocol, hardwareLength, protocolLength, out);
    out.ascii(", length ");
    out.decimal(wireLength - at);
    return;
  }
  if (printStyle.verbose !== 0) {
    // -v: the types and lengths before every operation
    out.ascii(ARP_HARDWARE_NAMES.get(hardware) ?? `Unknown Hardware (${hardware})`);
    writeArpTypes(protocol, hardwareLength, protocolLength, out);
    out.ascii(", ");
  }
  const name = operation < ARP_OPERATION_NAMES.length ? ARP_OPERATION_NAMES[operation] : undefined;
  out.ascii(name ?? `Unknown (${operation})`);
  out.byte(SPACE);
  switch (operation) {
    case 1:
      out.ascii("who-has ");
      out.ipv4At(b, targetProtocol);
      if (anyNonZero(b, targetHardware, hardwareLength)) {
        out.ascii(" (");
        out.linkAddress(b, targetHardware, hardwareLength);
        out.byte(0x29);
      }
      out.ascii(" tell ");
      out.ipv4At(b, senderProtocol);
      break;
    case 2:
      out.ipv4At(b, senderProtocol);
      out.ascii(" is-at ");
      out.linkAddress(b, senderHardware, hardwareLength);
      break;
    case 3:
    case 8:
      out.ascii("who-is ");
      out.linkAddress(b, targetHardware, hardwareLength);
      out.ascii(" tell ");
      out.linkAddress(b, senderHardware, hardwareLength);
      break;
    case 4:
      out.linkAddress(b, targetHardware, hardwareLength);
      out.ascii(" at ");
      out.ipv4At(b, targetProtocol);
      break;
    case 9:
      out.linkAddress(b, senderHardware, hardwareLength);
      out.ascii(" at ");
      out.ipv4At(b, senderProtocol);
      break;
    default:
      // tcpdump hex-dumps the body on the lines after "ARP, <operation> " and gives no length
      return;
  }
  out.ascii(", length ");
  out.decimal(wireLength - at);
}

function writeArpTypes(protocol: number, hardwareLength: number, protocolLength: number, out: TextBuffer): void {
  out.ascii(" (len ");
  out.decimal(hardwareLength);
  out.ascii("), ");
  const name = ETHERTYPE_NAMES.get(protocol);
  if (name !== undefined) out.ascii(name);
  else {
    out.ascii("Unknown Protocol (0x");
    out.hex(protocol, 4);
    out.byte(0x29);
  }
  out.ascii(" (len ");
  out.decimal(protocolLength);
  out.byte(0x29);
}

function anyNonZero(bytes: Uint8Array, at: number, count: number): boolean {
  for (let i = 0; i < count; i++) if (bytes[at + i] !== 0) return true;
  return false;
}

function writeAddresses(b: Uint8Array, ip: number, out: TextBuffer): void {
  out.ipv4At(b, ip + Ipv4At.Source);
  out.put(ARROW);
  out.ipv4At(b, ip + Ipv4At.Destination);
}

function writeAddressesAndPorts(b: Uint8Array, ip: number, transport: number, out: TextBuffer): void {
  out.ipv4At(b, ip + Ipv4At.Source);
  out.byte(DOT);
  out.decimal((b[transport] << 8) | b[transport + 1]);
  out.put(ARROW);
  out.ipv4At(b, ip + Ipv4At.Destination);
  out.byte(DOT);
  out.decimal((b[transport + 2] << 8) | b[transport + 3]);
}

function writeIpv4(view: FrameView, out: TextBuffer, conversations: TcpConversations | undefined): void {
  const b = view.bytes;
  const ip = view.networkOffset;
  const transport = view.transportOffset;
  const payloadLength = view.datagramEnd - transport;
  const protocol = b[ip + Ipv4At.Protocol];
  out.put(IP_PREFIX);
  const fragmentOffset = ((b[ip + Ipv4At.Flags] & 0x1f) << 8) | b[ip + Ipv4At.Flags + 1];
  if (fragmentOffset !== 0) {
    writeAddresses(b, ip, out);
    out.ascii(": ip-proto-");
    out.decimal(protocol);
    return;
  }
  const moreFragments = (b[ip + Ipv4At.Flags] & 0x20) !== 0;
  if (view.kind === FrameKind.Icmp) return writeIcmp(b, ip, transport, payloadLength, out);
  if (protocol === 17) {
    const tunnel = overlayTunnel(b, transport, view.datagramEnd);
    if (tunnel !== 0) return writeOverlayTunnel(tunnel, view, ip, transport, out, conversations);
    return writeUdpSummary(out, ipv4Addresses.set(b, ip + Ipv4At.Source, ip + Ipv4At.Destination, 4), transport, view.datagramEnd, moreFragments);
  }
  if (protocol === 6) return writeTcpSummary(out, ipv4Addresses.set(b, ip + Ipv4At.Source, ip + Ipv4At.Destination, 4), transport, view.datagramEnd, conversations);
  if (protocol === VRRP_PROTOCOL) {
    writeAddresses(b, ip, out);
    out.ascii(": ");
    return writeVrrpSummary(out, b, transport, view.datagramEnd, b[ip + Ipv4At.Ttl]);
  }
  writeAddresses(b, ip, out);
  out.ascii(":  ip-proto-");
  out.decimal(protocol);
  out.byte(SPACE);
  out.decimal(payloadLength);
}

/** The UDP ports of the Ethernet-in-UDP tunnels tcpdump decodes without -T: OTV (checked first, as tcpdump does) and VXLAN (RFC 7348). */
const OTV_PORT = 8472;
const VXLAN_PORT = 4789;

/**
 * OTV_PORT or VXLAN_PORT when the UDP datagram at b[udp] is to or from that port and its length field
 * holds the 8-byte tunnel header and an Ethernet header inside the datagram; 0 otherwise.
 */
function overlayTunnel(b: Uint8Array, udp: number, end: number): number {
  const udpLength = (b[udp + 4] << 8) | b[udp + 5];
  if (udpLength < 16 + 14 || udp + udpLength > end) return 0;
  const source = (b[udp] << 8) | b[udp + 1];
  const destination = (b[udp + 2] << 8) | b[udp + 3];
  if (source === OTV_PORT || destination === OTV_PORT) return OTV_PORT;
  if (source === VXLAN_PORT || destination === VXLAN_PORT) return VXLAN_PORT;
  return 0;
}

/**
 * tcpdump's tunnel line ("VXLAN, flags [I] (0x08), vni N" or "OTV, flags [I] (0x08), overlay N,
 * instance N") and, on the next line (no time column, as tcpdump prints it), the line of the
 * Ethernet frame inside. `view` is reused for the inner frame.
 */
function writeOverlayTunnel(port: number, view: FrameView, ip: number, udp: number, out: TextBuffer, conversations: TcpConversations | undefined): void {
  const b = view.bytes;
  writeAddressesAndPorts(b, ip, udp, out);
  const flags = b[udp + 8];
  const instance = (b[udp + 12] << 16) | (b[udp + 13] << 8) | b[udp + 14];
  out.ascii(port === VXLAN_PORT ? ": VXLAN, flags [" : ": OTV, flags [");
  out.ascii((flags & 0x08) !== 0 ? "I" : port === VXLAN_PORT ? "invalid" : ".");
  out.ascii("] (0x");
  out.hex(flags, 2);
  if (port === VXLAN_PORT) out.ascii("), vni ");
  else {
    out.ascii("), overlay ");
    out.decimal((b[udp + 9] << 16) | (b[udp + 10] << 8) | b[udp + 11]);
    out.ascii(", instance ");
  }
  out.decimal(instance);
  out.byte(NEWLINE);
  const inner = b.subarray(udp + 16, udp + ((b[udp + 4] << 8) | b[udp + 5]));
  out.reserve(MAX_LINE_LENGTH);
  writeSummary(view, view.reset(inner), inner.length, out, conversations);
}

/**
 * The line of the IPv4 packet at b[ip] under the output flags (writeIpv4 is the default line's): its
 * payload is b[transport, end) as the header says, of which b[transport, captured) is at hand (less
 * only for a packet an ICMP error quotes, `quoted`, often 8 bytes of it).
 */
function writeIpv4Packet(
  b: Uint8Array, ip: number, transport: number, end: number, captured: number, out: TextBuffer,
  conversations: TcpConversations | undefined, quoted: boolean,
): void {
  const payloadLength = end - transport;
  const protocol = b[ip + Ipv4At.Protocol];
  if (!printStyle.linkHeader) out.put(IP_PREFIX);
  if (printStyle.verbose !== 0) writeIpv4Fields(b, ip, out);
  const fragmentOffset = ((b[ip + Ipv4At.Flags] & 0x1f) << 8) | b[ip + Ipv4At.Flags + 1];
  if (fragmentOffset !== 0) {
    writeAddresses(b, ip, out);
    out.ascii(": ip-proto-");
    out.decimal(protocol);
    return;
  }
  const moreFragments = (b[ip + Ipv4At.Flags] & 0x20) !== 0;
  if (protocol === 1) {
    if (Math.min(payloadLength, captured - transport) < icmpBytesNeeded(b, transport, payloadLength)) {
      writeAddresses(b, ip, out);
      out.ascii(":  [|icmp]");
      return;
    }
    writeIcmp(b, ip, transport, payloadLength, out);
    if (printStyle.verbose !== 0) writeIcmpVerbose(b, transport, payloadLength, captured, moreFragments, quoted, out);
    return;
  }
  if (protocol === 6 && captured < end && captured - transport < 20) {
    // a quoted packet cut inside the header (a header short of its own length is writeTcpSummary's)
    if (captured - transport < 4) {
      writeAddresses(b, ip, out);
      out.ascii(": [|tcp]");
      return;
    }
    writeAddressesAndPorts(b, ip, transport, out);
    out.ascii(":  [|tcp]");
    return;
  }
  if (protocol === 17 && captured < end && captured - transport < 8) {
    writeAddresses(b, ip, out);
    out.ascii(":  [|udp]");
    return;
  }
  if (protocol === 17) return writeUdpSummary(out, ipv4Addresses.set(b, ip + Ipv4At.Source, ip + Ipv4At.Destination, 4), transport, end, moreFragments);
  if (protocol === 6) return writeTcpSummary(out, ipv4Addresses.set(b, ip + Ipv4At.Source, ip + Ipv4At.Destination, 4), transport, end, conversations, moreFragments, captured);
  if (protocol === VRRP_PROTOCOL) {
    writeAddresses(b, ip, out);
    out.ascii(": ");
    return writeVrrpSummary(out, b, transport, end, b[ip + Ipv4At.Ttl], ip, captured);
  }
  writeAddresses(b, ip, out);
  out.ascii(":  ip-proto-");
  out.decimal(protocol);
  out.byte(SPACE);
  out.decimal(payloadLength);
}

/** tcpdump -v's lines for the packet an ICMP error quotes, at b[at, captured): "\n\t" and its line. */
function writeQuotedIpv4(b: Uint8Array, at: number, captured: number, out: TextBuffer): void {
  out.ascii("\n\t");
  const headerLength = (b[at] & 0x0f) * 4;
  if (captured - at < 20 || b[at] >>> 4 !== 4 || headerLength < 20 || captured - at < headerLength) {
    if (!printStyle.linkHeader) out.put(IP_PREFIX);
    out.ascii("[|ip]");
    return;
  }
  const totalLength = (b[at + 2] << 8) | b[at + 3];
  const end = at + Math.max(totalLength, headerLength);
  writeIpv4Packet(b, at, at + headerLength, end, Math.min(captured, end), out, printStyle.conversations, true);
}

/**
 * tcpdump -v's IPv4 fields, "(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length
 * 84)", with the options and a bad header checksum inside the parentheses, then a new line indented
 * by four. The header must be captured whole (FrameView checks it).
 */
export function writeIpv4Fields(b: Uint8Array, ip: number, out: TextBuffer): void {
  const tos = b[ip + Ipv4At.TrafficClass];
  out.ascii("(tos 0x");
  out.ascii(HEX[tos]);
  const ecn = tos & 3;
  if (ecn !== 0) out.ascii(ecn === 1 ? ",ECT(1)" : ecn === 2 ? ",ECT(0)" : ",CE");
  const ttl = b[ip + Ipv4At.Ttl];
  if (ttl >= 1) {
    out.ascii(", ttl ");
    out.decimal(ttl);
  }
  out.ascii(", id ");
  out.decimal((b[ip + Ipv4At.Identification] << 8) | b[ip + Ipv4At.Identification + 1]);
  out.ascii(", offset ");
  const flagsAndOffset = (b[ip + Ipv4At.Flags] << 8) | b[ip + Ipv4At.Flags + 1];
  out.decimal((flagsAndOffset & 0x1fff) * 8);
  out.ascii(", flags [");
  const fragmentFlags = flagsAndOffset & 0xe000;
  if (fragmentFlags === 0) out.ascii("none");
  else {
    let first = true;
    for (let i = 0; i < IPV4_FLAG_NAMES.length; i++) {
      if ((fragmentFlags & IPV4_FLAG_NAMES[i][0]) === 0) continue;
      if (!first) out.ascii(", ");
      out.ascii(IPV4_FLAG_NAMES[i][1]);
      first = false;
    }
  }
  const protocol = b[ip + Ipv4At.Protocol];
  out.ascii("], proto ");
  out.ascii(IP_PROTOCOL_NAMES.get(protocol) ?? "unknown");
  out.ascii(" (");
  out.decimal(protocol);
  out.ascii("), length ");
  out.decimal((b[ip + Ipv4At.TotalLength] << 8) | b[ip + Ipv4At.TotalLength + 1]);
  const headerLength = (b[ip] & 0x0f) * 4;
  if (headerLength > 20) {
    out.ascii(", options (");
    writeIpv4Options(b, ip + Ipv4At.MinHeaderLength, headerLength - 20, out);
    out.byte(0x29);
  }
  const sum = internetChecksum(b, ip, ip + headerLength);
  if (sum !== 0) {
    const field = (b[ip + Ipv4At.Checksum] << 8) | b[ip + Ipv4At.Checksum + 1];
    out.ascii(", bad cksum ");
    out.ascii(field.toString(16));
    out.ascii(" (->");
    out.ascii(checksumShouldBe(field, sum).toString(16));
    out.ascii(")!");
  }
  out.ascii(")\n    ");
}

/** bittok2str order of tcpdump's ip_frag_values. */
const IPV4_FLAG_NAMES: readonly (readonly [number, string])[] = [[0x2000, "+"], [0x4000, "DF"], [0x8000, "rsvd"]];
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));

/** tcpdump's ip_optprint: the options' names, comma-separated, with a router alert's value and the addresses of a route. */
function writeIpv4Options(b: Uint8Array, at: number, length: number, out: TextBuffer): void {
  let first = true;
  while (length > 0) {
    if (!first) out.byte(0x2c);
    first = false;
    const code = b[at];
    const name = IP_OPTION_NAMES.get(code);
    if (name !== undefined) out.ascii(name);
    else {
      out.ascii("unknown ");
      out.decimal(code);
    }
    let optionLength = 1;
    if (code !== 0 && code !== 1) {
      if (length < 2) {
        out.ascii(" [|ip]");
        return;
      }
      optionLength = b[at + 1];
      if (optionLength < 2) {
        out.ascii(" [bad length ");
        out.decimal(optionLength);
        out.byte(0x5d);
        return;
      }
    }
    if (optionLength > length) {
      out.ascii(" [bad length ");
      out.decimal(optionLength);
      out.byte(0x5d);
      return;
    }
    if (code === 0) return;
    if (code === 148) {
      if (optionLength < 4) {
        out.ascii(" [bad length ");
        out.decimal(optionLength);
        out.byte(0x5d);
      } else {
        const value = (b[at + 2] << 8) | b[at + 3];
        if (value !== 0) {
          out.ascii(" value ");
          out.decimal(value);
        }
      }
    } else if (code === 7 || code === 137 || code === 131) {
      if (optionLength < 3) {
        out.ascii(" [bad length ");
        out.decimal(optionLength);
        out.byte(0x5d);
      } else {
        if (((optionLength + 1) & 3) !== 0) {
          out.ascii(" [bad length ");
          out.decimal(optionLength);
          out.byte(0x5d);
        }
        const pointer = b[at + 2] - 1;
        if (pointer < 3 || ((pointer + 1) & 3) !== 0 || pointer > optionLength + 1) {
          out.ascii(" [bad ptr ");
          out.decimal(b[at + 2]);
          out.byte(0x5d);
        }
        for (let i = 3; i + 4 <= optionLength; i += 4) {
          out.byte(SPACE);
          out.ipv4At(b, at + i);
          if (pointer > i) out.byte(0x2c);
        }
      }
    }
    at += optionLength;
    length -= optionLength;
  }
}

/** Bytes of the ICMP message tcpdump reads before it prints anything; fewer gives "[|icmp]". */
function icmpBytesNeeded(b: Uint8Array, icmp: number, length: number): number {
  const type = b[icmp];
  switch (type) {
    case 3: {
      if (b[icmp + IcmpAt.Code] !== 3) return 28;
      if (length < 18) return 18;
      const quotedHeaderLength = (b[icmp + IcmpAt.HeaderLength] & Ipv4At.HeaderWordsMask) * 4;
      return Math.max(28, 12 + quotedHeaderLength);
    }
    case 5:
    case 11:
      return 28;
    case 9:
      return b[icmp + 5] === 2 ? 8 + 8 * b[icmp + 4] : 8;
    case 14:
      return 20;
    case 18:
      return 12;
    case 0:
    case 8:
    case 12:
    case 13:
      return 8;
    default:
      // a name only: tcpdump reads the type and code (a message this short comes only from a datagram
      // whose totalLength leaves under 8 bytes, see writeUnacceptedIpv4)
      return 2;
  }
}

function writeIcmp(b: Uint8Array, ip: number, icmp: number, length: number, out: TextBuffer): void {
  writeAddresses(b, ip, out);
  if (length < icmpBytesNeeded(b, icmp, length)) {
    out.ascii(":  [|icmp]");
    return;
  }
  out.put(ICMP_PREFIX);
  const type = b[icmp];
  const code = b[icmp + IcmpAt.Code];
  switch (type) {
    case 0:
    case 8:
      out.put(type === 8 ? ECHO_REQUEST_ID : ECHO_REPLY_ID);
      out.decimal((b[icmp + IcmpAt.Identifier] << 8) | b[icmp + IcmpAt.Identifier + 1]);
      out.put(COMMA_SEQ);
      out.decimal((b[icmp + IcmpAt.Sequence] << 8) | b[icmp + IcmpAt.Sequence + 1]);
      break;
    case 3:
      writeUnreachable(b, icmp, code, out);
      break;
    case 5: {
      const format = code < REDIRECT_FORMATS.length ? REDIRECT_FORMATS[code] : undefined;
      if (format === undefined) {
        out.ascii("redirect-#");
        out.decimal(code);
        out.byte(SPACE);
        out.ipv4At(b, icmp + IcmpAt.HeaderLength + Ipv4At.Destination);
        out.ascii(" to ");
      } else {
        out.ascii(format[0]);
        out.ipv4At(b, icmp + IcmpAt.HeaderLength + Ipv4At.Destination);
        out.ascii(format[1]);
      }
      out.ipv4At(b, icmp + IcmpAt.RestOfHeader);
      break;
    }
    case 9:
      writeRouterAdvertisement(b, icmp, out);
      break;
    case 11:
      if (code === 0) out.ascii("time exceeded in-transit");
      else if (code === 1) out.ascii("ip reassembly time exceeded");
      else {
        out.ascii("time exceeded-#");
        out.decimal(code);
      }
      break;
    case 12:
      out.ascii(code === 0 ? "parameter problem - octet " : "parameter problem - code ");
      out.decimal(code === 0 ? b[icmp + IcmpAt.RestOfHeader] : code);
      break;
    case 13:
      out.ascii("time stamp query id ");
      out.decimal((b[icmp + IcmpAt.Identifier] << 8) | b[icmp + IcmpAt.Identifier + 1]);
      out.ascii(" seq ");
      out.decimal((b[icmp + IcmpAt.Sequence] << 8) | b[icmp + IcmpAt.Sequence + 1]);
      break;
    case 14:
      out.ascii("time stamp reply id ");
      out.decimal((b[icmp + IcmpAt.Identifier] << 8) | b[icmp + IcmpAt.Identifier + 1]);
      out.ascii(" seq ");
      out.decimal((b[icmp + IcmpAt.Sequence] << 8) | b[icmp + IcmpAt.Sequence + 1]);
      out.ascii(": org ");
      writeMillisecondsOfDay(u32(b, icmp + 8), out);
      out.ascii(", recv ");
      writeMillisecondsOfDay(u32(b, icmp + 12), out);
      out.ascii(", xmit ");
      writeMillisecondsOfDay(u32(b, icmp + 16), out);
      break;
    case 18:
      out.ascii("address mask is 0x");
      out.hex(u32(b, icmp + 8), 8);
      break;
    default: {
      const name = type < ICMP_TYPE_NAMES.length ? ICMP_TYPE_NAMES[type] : undefined;
      if (name !== undefined) out.ascii(name);
      else {
        out.ascii("type-#");
        out.decimal(type);
      }
    }
  }
  out.put(COMMA_LENGTH);
  out.decimal(length);
}

/** -v's tail of an ICMP line: a wrong checksum, and the packet an error quotes on lines of its own (one level deep). */
function writeIcmpVerbose(b: Uint8Array, icmp: number, length: number, captured: number, fragmented: boolean, quoted: boolean, out: TextBuffer): void {
  if (!fragmented && icmp + length <= captured) {
    const sum = internetChecksum(b, icmp, icmp + length);
    if (sum !== 0) {
      const field = (b[icmp + IcmpAt.Checksum] << 8) | b[icmp + IcmpAt.Checksum + 1];
      out.ascii(" (wrong icmp cksum ");
      out.ascii(field.toString(16));
      out.ascii(" (->");
      out.ascii(checksumShouldBe(field, sum).toString(16));
      out.ascii(")!)");
    }
  }
  const type = b[icmp];
  if (!quoted && (type === 3 || type === 4 || type === 5 || type === 11 || type === 12)) writeQuotedIpv4(b, icmp + IcmpAt.HeaderLength, Math.min(captured, icmp + length), out);
}

function writeUnreachable(b: Uint8Array, icmp: number, code: number, out: TextBuffer): void {
  const quotedDestination = icmp + IcmpAt.HeaderLength + Ipv4At.Destination;
  switch (code) {
    case 2:
      out.ipv4At(b, quotedDestination);
      out.ascii(" protocol ");
      out.decimal(b[icmp + IcmpAt.HeaderLength + Ipv4At.Protocol]);
      out.ascii(" unreachable");
      return;
    case 3: {
      const quotedProtocol = b[icmp + IcmpAt.HeaderLength + Ipv4At.Protocol];
      const portAt = icmp + IcmpAt.HeaderLength + (b[icmp + IcmpAt.HeaderLength] & Ipv4At.HeaderWordsMask) * 4 + 2;
      const port = (b[portAt] << 8) | b[portAt + 1];
      out.ipv4At(b, quotedDestination);
      if (quotedProtocol === 6 || quotedProtocol === 17) {
        out.ascii(quotedProtocol === 6 ? " tcp port " : " udp port ");
      } else {
        out.ascii(" protocol ");
        out.decimal(quotedProtocol);
        out.ascii(" port ");
      }
      out.decimal(port);
      out.ascii(" unreachable");
      return;
    }
    case 4: {
      const mtu = (b[icmp + 6] << 8) | b[icmp + 7];
      out.ipv4At(b, quotedDestination);
      out.ascii(" unreachable - need to frag");
      if (mtu !== 0) {
        out.ascii(" (mtu ");
        out.decimal(mtu);
        out.byte(0x29);
      }
      return;
    }
  }
  const format = code < UNREACHABLE_FORMATS.length ? UNREACHABLE_FORMATS[code] : undefined;
  if (format === undefined) {
    out.ipv4At(b, quotedDestination);
    out.ascii(" unreachable - #");
    out.decimal(code);
    return;
  }
  out.ascii(format[0]);
  out.ipv4At(b, quotedDestination);
  out.ascii(format[1]);
}

function writeRouterAdvertisement(b: Uint8Array, icmp: number, out: TextBuffer): void {
  const start = out.length;
  const count = b[icmp + 4];
  const entrySize = b[icmp + 5];
  const lifetime = (b[icmp + 6] << 8) | b[icmp + 7];
  out.ascii("router advertisement lifetime ");
  if (lifetime < 60) out.decimal(lifetime);
  else if (lifetime < 3600) {
    out.decimal(Math.floor(lifetime / 60));
    out.byte(COLON);
    out.twoDigits(lifetime % 60);
  } else {
    out.decimal(Math.floor(lifetime / 3600));
    out.byte(COLON);
    out.twoDigits(Math.floor((lifetime % 3600) / 60));
    out.byte(COLON);
    out.twoDigits(lifetime % 60);
  }
  out.byte(SPACE);
  out.decimal(count);
  out.byte(COLON);
  if (entrySize !== 2) {
    out.ascii(" [size ");
    out.decimal(entrySize);
    out.byte(0x5d); // "]"
  } else {
    for (let i = 0; i < count && out.length - start <= ICMP_DESCRIPTION_LIMIT; i++) {
      const entry = icmp + 8 + 8 * i;
      out.ascii(" {");
      out.ipv4At(b, entry);
      out.byte(SPACE);
      out.decimal(u32(b, entry + 4));
      out.byte(0x7d); // "}"
    }
  }
  if (out.length - start > ICMP_DESCRIPTION_LIMIT) out.length = start + ICMP_DESCRIPTION_LIMIT;
}

/** An ICMP timestamp (ms since midnight UTC) as tcpdump prints it: hours may pass 24. */
function writeMillisecondsOfDay(value: number, out: TextBuffer): void {
  const milliseconds = value % 1000;
  let seconds = Math.floor(value / 1000);
  let minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  if (hours < 10) out.byte(48);
  out.decimal(hours);
  out.byte(COLON);
  out.twoDigits(minutes);
  out.byte(COLON);
  out.twoDigits(seconds);
  out.byte(DOT);
  out.padded(milliseconds, 3);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Lines with a time column.

/** How a LineWriter prints: tcpdump's output flags. */
export interface LineOptions {
  /** TCP sequence and ack numbers as on the wire (tcpdump -S); default false: relative per conversation */
  readonly absoluteSequence?: boolean;
  /**
   * The time column, as tcpdump's count of -t: 0 "HH:MM:SS.uuuuuu" (local time), 1 none (-t),
   * 2 seconds since the epoch (-tt), 3 since the previous frame (-ttt), 4 date and time (-tttt),
   * 5 since the first frame (-ttttt)
   */
  readonly timeFormat?: number;
  /** -e: the link-level header first */
  readonly linkHeader?: boolean;
  /** -q: quick (shorter) lines */
  readonly quick?: boolean;
  /** -v count (0 or 1) */
  readonly verbose?: number;
  /** -x count: 1 the bytes after the link header in hex, 2 (-xx) the whole frame */
  readonly hex?: number;
  /** -X count: as -x, with the ASCII beside; wins over -x */
  readonly hexAscii?: number;
}

/** Bytes -v's continuation lines may take for each byte of the frame (NDP options: about 9 for 1). */
export const VERBOSE_BYTES_PER_BYTE = 12;
/** Bytes a hex dump may take for each byte of the frame (a 16-byte row is at most 70 bytes). */
const DUMP_BYTES_PER_BYTE = 5;

/**
 * Writes summary lines, time column first, into a TextBuffer: the no-allocation path of a sniffer.
 * The time of day is local time (the TZ environment variable is honoured), computed once per
 * distinct second.
 */
export class LineWriter {
  readonly view = new FrameView();
  readonly out: TextBuffer;
  #second = Number.NaN;
  readonly #clock = new Uint8Array(9); // "HH:MM:SS."
  /** the TCP conversations seen, for relative sequence numbers; undefined when they are printed absolute */
  readonly conversations: TcpConversations | undefined;
  readonly timeFormat: number;
  readonly linkHeader: boolean;
  readonly quick: boolean;
  readonly verbose: number;
  /** 0 none, 1 hex (-x), 2 hex and ASCII (-X) */
  readonly dump: number;
  /** the dump covers the link header too (-xx, -XX) */
  readonly dumpLinkHeader: boolean;
  /** none of -e, -q, -v, -x, -X: tcpdump's default line */
  readonly plain: boolean;
  /** the previous frame's time (-ttt) or the first's (-ttttt), in seconds and microseconds; NaN before any */
  #referenceSeconds = Number.NaN;
  #referenceMicros = 0;

  /**
   * @param options.absoluteSequence print TCP sequence and ack numbers as on the wire (tcpdump -S)
   *   instead of relative to each conversation's first; the other options are tcpdump's output flags
   *   (see LineOptions)
   */
  constructor(out: TextBuffer = new TextBuffer(), options: LineOptions = {}) {
    this.out = out;
    this.conversations = options.absoluteSequence === true ? undefined : new TcpConversations();
    this.timeFormat = options.timeFormat ?? 0;
    this.linkHeader = options.linkHeader === true;
    this.quick = options.quick === true;
    this.verbose = options.verbose ?? 0;
    const hexAscii = options.hexAscii ?? 0;
    const hex = options.hex ?? 0;
    this.dump = hexAscii > 0 ? 2 : hex > 0 ? 1 : 0;
    this.dumpLinkHeader = (hexAscii > 0 ? hexAscii : hex) > 1;
    this.plain = !this.linkHeader && !this.quick && this.verbose === 0 && this.dump === 0;
  }

  /**
   * Makes this writer's options the ones the summary writers follow (see print-style.ts), unless
   * they are already: the default path does no more than one comparison per frame.
   */
  applyStyle(): void {
    if (this.dump !== 0) printStyle.ranOut = false;
    if (printStyle.owner === this) return;
    printStyle.owner = this;
    printStyle.plain = !this.linkHeader && !this.quick && this.verbose === 0;
    printStyle.linkHeader = this.linkHeader;
    printStyle.quick = this.quick;
    printStyle.verbose = this.verbose;
    printStyle.conversations = this.conversations;
  }

  /**
   * Appends "HH:MM:SS.uuuuuu <summary>\n" for one frame (in the form the options ask for).
   * @param seconds      capture time, whole seconds since the epoch
   * @param microseconds capture time, the microseconds within that second (0..999999)
   * @param wireLength   the frame's length on the wire (≥ bytes.length)
   */
  write(bytes: Uint8Array, seconds: number, microseconds: number, wireLength: number): void {
    if (!this.plain) return this.writeWithOptions(bytes, seconds, microseconds, wireLength);
    // tcpdump's default line (any -t form): kept this small so that V8 inlines what it calls
    const out = this.out;
    out.reserve(MAX_LINE_LENGTH);
    this.writeTime(seconds, microseconds);
    if (printStyle.owner !== this) this.applyStyle();
    const view = this.view;
    writeSummary(view, view.reset(bytes), wireLength, out, this.conversations);
    out.bytes[out.length++] = NEWLINE;
  }

  /** write() with -e, -q, -v or a dump. */
  private writeWithOptions(bytes: Uint8Array, seconds: number, microseconds: number, wireLength: number): void {
    const out = this.out;
    out.reserve(this.verbose === 0 ? MAX_LINE_LENGTH : MAX_LINE_LENGTH + bytes.length * VERBOSE_BYTES_PER_BYTE);
    this.writeTime(seconds, microseconds);
    const view = this.view;
    const accepted = view.reset(bytes);
    this.applyStyle();
    if (this.linkHeader && accepted && (view.kind !== FrameKind.Other || view.etherType === EtherType.Ipv6)) writeEthernetHeader(view, wireLength, out);
    writeSummary(view, accepted, wireLength, out, this.conversations);
    if (this.dump !== 0) this.writeDump(bytes, this.dumpLinkHeader || printStyle.ranOut ? 0 : Math.min(accepted ? view.networkOffset : 14, bytes.length));
    out.bytes[out.length++] = NEWLINE;
  }

  /** Appends the -x/-X dump of bytes[from, end) (nothing when it is empty), as tcpdump's lines after the summary. */
  writeDump(bytes: Uint8Array, from: number): void {
    if (this.dump === 0 || from >= bytes.length) return;
    this.out.reserve((bytes.length - from) * DUMP_BYTES_PER_BYTE + 64);
    if (this.dump === 2) writeHexAndAscii(bytes, from, bytes.length, this.out);
    else writeHex(bytes, from, bytes.length, this.out);
  }

  /** Appends the time column in the form the options ask for, with its space. Reserve 32 bytes first. */
  writeTime(seconds: number, microseconds: number): void {
    if (this.timeFormat !== 0) return this.writeOtherTime(seconds, microseconds);
    const clock = this.#clock;
    if (seconds !== this.#second) {
      this.#second = seconds;
      const date = new Date(seconds * 1000);
      setTwoDigits(clock, 0, date.getHours());
      clock[2] = COLON;
      setTwoDigits(clock, 3, date.getMinutes());
      clock[5] = COLON;
      setTwoDigits(clock, 6, date.getSeconds());
      clock[8] = DOT;
    }
    const out = this.out;
    const bytes = out.bytes;
    let at = out.length;
    for (let i = 0; i < 9; i++) bytes[at++] = clock[i];
    const milliseconds = (microseconds / 1000) | 0;
    at = writeThreeDigits(bytes, at, milliseconds);
    at = writeThreeDigits(bytes, at, microseconds - milliseconds * 1000);
    bytes[at++] = SPACE;
    out.length = at;
  }

  /** The time column of -t, -tt, -ttt, -tttt and -ttttt. */
  private writeOtherTime(seconds: number, microseconds: number): void {
    const out = this.out;
    switch (this.timeFormat) {
      case 1:
        return;
      case 2:
        out.decimal(seconds);
        out.byte(DOT);
        out.padded(microseconds, 6);
        out.byte(SPACE);
        return;
      case 4: {
        // date and time of day, local time
        const date = new Date(seconds * 1000);
        out.padded(date.getFullYear(), 4);
        out.byte(45);
        out.twoDigits(date.getMonth() + 1);
        out.byte(45);
        out.twoDigits(date.getDate());
        out.byte(SPACE);
        out.twoDigits(date.getHours());
        out.byte(COLON);
        out.twoDigits(date.getMinutes());
        out.byte(COLON);
        out.twoDigits(date.getSeconds());
        out.byte(DOT);
        out.padded(microseconds, 6);
        out.byte(SPACE);
        return;
      }
      default: {
        // 3: since the previous frame, 5: since the first; tcpdump prints the difference as a time
        // of day (hours modulo 24), after its sign
        if (Number.isNaN(this.#referenceSeconds)) {
          this.#referenceSeconds = seconds;
          this.#referenceMicros = microseconds;
        }
        let delta = (seconds - this.#referenceSeconds) * 1_000_000 + (microseconds - this.#referenceMicros);
        if (this.timeFormat === 3) {
          this.#referenceSeconds = seconds;
          this.#referenceMicros = microseconds;
        }
        out.byte(delta < 0 ? 45 : SPACE);
        if (delta < 0) delta = -delta;
        const wholeSeconds = Math.floor(delta / 1_000_000);
        out.twoDigits(Math.floor(wholeSeconds / 3600) % 24);
        out.byte(COLON);
        out.twoDigits(Math.floor(wholeSeconds / 60) % 60);
        out.byte(COLON);
        out.twoDigits(wholeSeconds % 60);
        out.byte(DOT);
        out.padded(delta - wholeSeconds * 1_000_000, 6);
        out.byte(SPACE);
      }
    }
  }
}

/**
 * tcpdump -e's Ethernet header: "SRC > DST, ethertype NAME (0xTTTT), length N: " (-q: "SRC > DST,
 * NAME, length N: "), then for an 802.1Q tag "vlan V, p P, ethertype NAME (0xTTTT), " (", DEI" after
 * the priority when that bit is set).
 */
export function writeEthernetHeader(view: FrameView, wireLength: number, out: TextBuffer): void {
  const b = view.bytes;
  out.linkAddress(b, EthAt.Source, EthAt.MacLength);
  out.put(ARROW);
  out.linkAddress(b, EthAt.Destination, EthAt.MacLength);
  out.ascii(", ");
  writeEtherTypeName((b[EthAt.Type] << 8) | b[EthAt.Type + 1]);
  out.put(COMMA_LENGTH);
  out.decimal(wireLength);
  out.ascii(": ");
  if (view.networkOffset === EthAt.TaggedHeaderLength) {
    const tag = (b[EthAt.Tci] << 8) | b[EthAt.Tci + 1];
    out.ascii("vlan ");
    out.decimal(tag & EthAt.IdMask);
    out.ascii(", p ");
    out.decimal(tag >>> EthAt.PriorityShift);
    if (((tag >>> EthAt.DropEligibleShift) & 1) !== 0) out.ascii(", DEI");
    out.ascii(", ");
    writeEtherTypeName((b[EthAt.InnerType] << 8) | b[EthAt.InnerType + 1]);
    out.ascii(", ");
  }

  function writeEtherTypeName(type: number): void {
    const name = ETHERTYPE_NAMES.get(type);
    if (printStyle.quick) {
      if (name !== undefined) out.ascii(name);
      else {
        out.ascii("Unknown Ethertype (0x");
        out.hex(type, 4);
        out.byte(0x29);
      }
      return;
    }
    out.ascii("ethertype ");
    out.ascii(name ?? "Unknown");
    out.ascii(" (0x");
    out.hex(type, 4);
    out.byte(0x29);
  }
}

/** Back to tcpdump's default output (no -e, -q, -v), for the string forms below. */
export function useDefaultStyle(): void {
  printStyle.plain = true;
  printStyle.linkHeader = false;
  printStyle.quick = false;
  printStyle.verbose = 0;
  printStyle.conversations = undefined;
  printStyle.owner = undefined;
}

function setTwoDigits(into: Uint8Array, at: number, value: number): void {
  const tens = (value / 10) | 0;
  into[at] = 48 + tens;
  into[at + 1] = 48 + value - tens * 10;
}

/** The summary of one frame, without time column: what `tcpdump -n` prints after the time. */
export function frameSummary(bytes: Uint8Array, wireLength = bytes.length): string {
  useDefaultStyle();
  const view = new FrameView();
  const out = new TextBuffer(MAX_LINE_LENGTH);
  writeSummary(view, view.reset(bytes), wireLength, out);
  return out.toString();
}

/** "HH:MM:SS.uuuuuu <summary>" for a frame captured at `timeMicros` (µs since the epoch), local time. */
export function summaryLine(bytes: Uint8Array, timeMicros: number, wireLength = bytes.length): string {
  const writer = new LineWriter(new TextBuffer(MAX_LINE_LENGTH));
  const seconds = Math.floor(timeMicros / 1_000_000);
  writer.write(bytes, seconds, timeMicros - seconds * 1_000_000, wireLength);
  const line = writer.out.toString();
  return line.slice(0, line.length - 1);
}

/**
 * One JSON object for a frame: decodeFrame's JSON with `time` (µs since the epoch) first, or for a
 * frame the decoder rejects, `time` and `malformed` (the DecodeError's fields and message).
 */
export function frameJson(bytes: Uint8Array, timeMicros: number): string {
  const result = tryDecodeFrame(bytes);
  if (result instanceof DecodeError) {
    const { layer, field, offset, needed, available, reason, message } = result;
    return JSON.stringify({ time: timeMicros, malformed: { message, layer, field, offset, needed, available, reason } });
  }
  const body = JSON.stringify(result);
  return `{"time":${timeMicros},${body.slice(1)}`;
}

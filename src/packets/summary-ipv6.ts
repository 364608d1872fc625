// One-line summaries of IPv6 packets as `tcpdump -n` 4.99 prints them at default verbosity: the
// extension-header chain (HBH, DSTOPT, RT6, frag), ICMPv6 (echo, errors with what they quote, NDP,
// MLD) and the forms tcpdump gives protocols it cannot go into. Ported from tcpdump 4.99.3's
// print-ip6.c, print-ip6opts.c, print-frag6.c, print-rt6.c and print-icmp6.c, read with the
// installed tcpdump on generated captures (test/packets/summary-ipv6.test.ts).
//
// tcpdump reads through a "snap end": the captured bytes, cut further to payloadLength's end. A read
// past it ends the line with " [|proto]", proto being the layer being read (ip6, hbhopt, dstopt,
// rt6, frag6, icmp6, udp); the printer below does the same, by checking every read.
//
// Not decoded as tcpdump does (the line differs): ICMPv6 node information replies (140) and queries
// for a DNS name, mobility headers (135/62 as next header), AH, ESP, and
// every upper layer with a dissector of its own (OSPF, PIM, SCTP, DCCP, GRE, IPv4 in IPv6…).
// TCP, UDP and VRRP go through `ipv6TransportWriter` (see there; summary.ts sets it to the IPv4
// line's printers of transport-summary.ts for TCP, UDP and VRRP). With -v (print-style.ts) the
// header's fields, the extension headers' options and fragment id, the ICMPv6 checksum verdict (over
// a routing header's final destination, as tcpdump's ip6_finddst), NDP fields and options and MLDv2
// records.
import { checksumShouldBe, foldChecksum, onesComplementSum } from "./checksum";
import { writeHex } from "./hex-dump";
import { IP_PROTOCOL_NAMES, printStyle } from "./print-style";
import { pseudoHeaderSumAt } from "./pseudo-header";
import type { TextBuffer } from "./summary";
import type { TcpConversations } from "./transport-summary";
import { Icmpv6At, Icmpv6Type, IpProtocol, Ipv6At, Ipv6OptionType, NdpOptionType, PrintedIcmpv6Type, PrintedIpProtocol, UdpAt } from "./wire-literals";

/** Thrown (one shared instance) when a read runs past the snap end: the line ends in " [|proto]". */
const CUT = { cut: true };

const HEX_DIGITS = "0123456789abcdef";

/** The big-endian 16-bit field at bytes[at] (no bounds check: for bytes the caller checked). */
function be16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/**
 * Appends the IPv6 address at bytes[at, at + 16) as tcpdump's addrtostr6 writes it: RFC 5952
 * (lowercase, no leading zeros, the first longest run of ≥ 2 zero groups as "::") with an IPv4-mapped
 * or IPv4-compatible address ending in a dotted quad. Allocates nothing.
 */
export function writeIpv6Address(out: TextBuffer, bytes: Uint8Array, at: number): void {
  let bestBase = -1;
  let bestLength = 0;
  let base = -1;
  for (let i = 0; i < 8; i++) {
    if (bytes[at + 2 * i] === 0 && bytes[at + 2 * i + 1] === 0) {
      if (base === -1) base = i;
      if (i - base + 1 > bestLength) {
        bestLength = i - base + 1;
        bestBase = base;
      }
    } else base = -1;
  }
  if (bestLength < 2) bestBase = -1;
  const embedded = bestBase === 0 && (bestLength === 6 || (bestLength === 5 && bytes[at + 10] === 0xff && bytes[at + 11] === 0xff));
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLength) {
      if (i === bestBase) out.byte(0x3a);
      continue;
    }
    if (i !== 0) out.byte(0x3a);
    if (i === 6 && embedded) {
      out.ipv4At(bytes, at + 12);
      return;
    }
    const word = (bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1];
    let started = false;
    for (let shift = 12; shift >= 0; shift -= 4) {
      const digit = (word >>> shift) & 15;
      if (digit !== 0 || started || shift === 0) {
        out.byte(HEX_DIGITS.charCodeAt(digit));
        started = true;
      }
    }
  }
  if (bestBase !== -1 && bestBase + bestLength === 8) out.byte(0x3a);
}

/** What a transport writer is told about the packet around it. */
export interface Ipv6TransportContext {
  readonly bytes: Uint8Array;
  /** absolute offset of the IPv6 header */
  readonly ip: number;
  /** absolute offset of the transport header */
  readonly transport: number;
  /** the transport's length as tcpdump counts it (payloadLength less the extension headers) */
  readonly length: number;
  /** where the readable bytes end (captured, cut to payloadLength) */
  readonly snapEnd: number;
  /** a fragment header came before */
  readonly fragmented: boolean;
  /** the transport protocol (6 TCP, 17 UDP, 112 VRRP) */
  readonly protocol: number;
  /** true when the addresses are already on the line (an extension header came first) */
  readonly addressesWritten: boolean;
  /** the line writer's TCP conversations (relative sequence numbers); undefined for absolute ones */
  readonly conversations: TcpConversations | undefined;
}

/**
 * The call point for TCP, UDP and VRRP over IPv6: a function that appends what tcpdump prints for the
 * transport header, starting where tcpdump's udp_print/tcp_print start (addresses and ports first
 * when `addressesWritten` is false, only the ports otherwise; VRRP after the addresses). The default
 * (writeTransportFallback) prints UDP as tcpdump does for a port it has no dissector for, TCP in
 * tcpdump's `-q` form ("tcp N") and VRRP as "ip-proto-112"; summary.ts, which every line writer
 * loads, replaces it with one that prints TCP and VRRP with transport-summary.ts's printers.
 */
export let ipv6TransportWriter: (context: Ipv6TransportContext, out: TextBuffer) => void = writeTransportFallback;

/** Replaces the TCP/UDP-over-IPv6 writer (see ipv6TransportWriter). */
export function setIpv6TransportWriter(writer: (context: Ipv6TransportContext, out: TextBuffer) => void): void {
  ipv6TransportWriter = writer;
}

/** The default transport writer: UDP as tcpdump prints it, TCP in tcpdump's -q form. */
export function writeTransportFallback(c: Ipv6TransportContext, out: TextBuffer): void {
  if (c.protocol === IpProtocol.Vrrp) {
    out.ascii(" ip-proto-112 ");
    out.decimal(c.length);
    return;
  }
  const b = c.bytes;
  const t = c.transport;
  const ports = (): void => {
    if (!c.addressesWritten) {
      writeIpv6Address(out, b, c.ip + Ipv6At.Source);
      out.byte(0x2e);
    }
    out.decimal(be16(b, t + UdpAt.SourcePort)); // TCP's ports are where UDP's are
    out.ascii(" > ");
    if (!c.addressesWritten) {
      writeIpv6Address(out, b, c.ip + Ipv6At.Destination);
      out.byte(0x2e);
    }
    out.decimal(be16(b, t + UdpAt.DestinationPort));
    out.ascii(": ");
  };
  const name = c.protocol === IpProtocol.Udp ? "udp" : "tcp";
  if (t + UdpAt.Length > c.snapEnd) {
    // the ports were not captured
    if (!c.addressesWritten) {
      writeIpv6Address(out, b, c.ip + Ipv6At.Source);
      out.ascii(" > ");
      writeIpv6Address(out, b, c.ip + Ipv6At.Destination);
      out.ascii(": ");
    }
    out.ascii(` [|${name}]`);
    return;
  }
  ports();
  if (c.protocol !== IpProtocol.Udp) {
    out.ascii("tcp ");
    out.decimal(c.length);
    return;
  }
  if (c.length < UdpAt.Header) {
    out.ascii("truncated-udp ");
    out.decimal(c.length);
    return;
  }
  if (t + UdpAt.Checksum > c.snapEnd) {
    // the length field was not captured
    out.ascii(" [|udp]");
    return;
  }
  const udpLength = be16(b, t + UdpAt.Length);
  if (udpLength < UdpAt.Header) {
    out.ascii("truncated-udplength ");
    out.decimal(udpLength);
    return;
  }
  if (t + UdpAt.Header > c.snapEnd) {
    out.ascii(" [|udp]");
    return;
  }
  if (printStyle.verbose !== 0 && !c.fragmented && t + udpLength <= c.snapEnd) {
    // -v: the checksum's verdict (over the final destination, a routing header's last address)
    const sum = foldChecksum(onesComplementSum(b, t, t + udpLength, pseudoHeaderSumAt(b, c.ip + Ipv6At.Source, printer.destinationAt, Ipv6At.AddressLength, IpProtocol.Udp, udpLength)));
    const field = be16(b, t + UdpAt.Checksum);
    if (sum === 0) out.ascii("[udp sum ok] ");
    else {
      out.ascii("[bad udp cksum 0x");
      out.hex(field, 4);
      out.ascii(" -> 0x");
      out.hex(checksumShouldBe(field, sum), 4);
      out.ascii("!] ");
    }
  }
  out.ascii("UDP, length ");
  out.decimal(Math.min(udpLength, c.length) - UdpAt.Header);
}

const ICMPV6_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "destination unreachable"], [2, "packet too big"], [3, "time exceeded in-transit"], [4, "parameter problem"],
  [128, "echo request"], [129, "echo reply"], [130, "multicast listener query"], [131, "multicast listener report"],
  [132, "multicast listener done"], [133, "router solicitation"], [134, "router advertisement"],
  [135, "neighbor solicitation"], [136, "neighbor advertisement"], [137, "redirect"], [138, "router renumbering"],
  [139, "who-are-you request"], [140, "who-are-you reply"], [141, "inverse neighbor solicitation"],
  [142, "inverse neighbor advertisement"], [143, "multicast listener report v2"], [144, "ha discovery request"],
  [145, "ha discovery reply"], [146, "mobile router solicitation"], [147, "mobile router advertisement"],
  [155, "RPL"], [200, "mtrace response"], [201, "mtrace message"],
]);

/** The node-address query flags in the order tcpdump prints their letters. */
const NODE_ADDRESS_FLAGS: readonly (readonly [number, string])[] = [[0x40, "a"], [0x20, "G"], [0x10, "S"], [0x08, "L"], [0x04, "C"], [0x02, "A"]];

/** rpl_print's names of RPL (RFC 6550) message codes 0..3. */
const RPL_CODE_NAMES: readonly string[] = ["DODAG Information Solicitation", "DODAG Information Object", "Destination Advertisement Object", "Destination Advertisement Object Ack"];

/** NDP option names, as tcpdump's icmp6_opt_values (the ones this printer decodes, and those it names). */
const ND_OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "source link-address"], [2, "destination link-address"], [3, "prefix info"], [4, "redirected header"], [5, "mtu"],
  [7, "advertisement interval"], [8, "homeagent information"], [24, "route info"], [25, "rdnss"], [31, "dnssl"],
]);
const RA_FLAG_NAMES: readonly (readonly [number, string])[] = [[0x80, "managed"], [0x40, "other stateful"], [0x20, "home agent"], [0x02, "ipv6 only"]];
const NA_FLAG_NAMES: readonly (readonly [number, string])[] = [[0x80, "router"], [0x40, "solicited"], [0x20, "override"]];
const PREFIX_FLAG_NAMES: readonly (readonly [number, string])[] = [[0x80, "onlink"], [0x40, "auto"], [0x20, "router"], [0x10, "ipv6 only"]];
const MLDV2_RECORD_TYPES = ["is_in", "is_ex", "to_in", "to_ex", "allow", "block"];
const ROUTER_PREFERENCES = ["medium", "high", "rsv", "low"];

/** bittok2str: the names of the bits set, ", "-separated, "none" for none. */
function writeFlagNames(out: TextBuffer, value: number, names: readonly (readonly [number, string])[]): void {
  let first = true;
  for (let i = 0; i < names.length; i++) {
    if ((value & names[i][0]) === 0) continue;
    if (!first) out.ascii(", ");
    out.ascii(names[i][1]);
    first = false;
  }
  if (first) out.ascii("none");
}

/** get_lifetime: "infinity" for all ones, else seconds. */
function writeLifetime(out: TextBuffer, value: number): void {
  if (value === 0xffffffff) out.ascii("infinity");
  else {
    out.decimal(value);
    out.byte(0x73);
  }
}

const UNREACHABLE_CODES: readonly string[] = ["unreachable route", " unreachable prohibited", "beyond scope", "unreachable address", "unreachable port"];

/** tcpdump's ipproto names, for "[X requires IPv4]". */
const IPV4_ONLY: ReadonlyMap<number, string> = new Map([[IpProtocol.Icmp, "ICMP"], [IpProtocol.Igmp, "IGMP"]]);

/**
 * Writes an IPv6 packet's line the way tcpdump -n does, one packet per instance call; reusable.
 * Allocates nothing on the common paths.
 */
class Ipv6LinePrinter {
  b: Uint8Array = new Uint8Array(0);
  out!: TextBuffer;
  snapEnd = 0;
  protocol = "ip6";
  conversations: TcpConversations | undefined = undefined;

  u8(at: number): number {
    if (at >= this.snapEnd) throw CUT;
    return this.b[at];
  }
  u16(at: number): number {
    this.need(at, 2);
    return be16(this.b, at);
  }
  u32(at: number): number {
    this.need(at, 4);
    const b = this.b;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  address(at: number): void {
    if (at + Ipv6At.AddressLength > this.snapEnd) throw CUT;
    writeIpv6Address(this.out, this.b, at);
  }
  /** Throws CUT unless bytes [at, at + n) are readable: tcpdump reads a printf's arguments before printing any of it. */
  need(at: number, n: number): void {
    if (at + n > this.snapEnd) throw CUT;
  }

  /**
   * @param ip       absolute offset of the IPv6 header in `b`
   * @param captured absolute end of the captured bytes
   * @param length   the packet's length on the wire (from the IPv6 header on)
   */
  print(b: Uint8Array, ip: number, captured: number, length: number, out: TextBuffer, conversations: TcpConversations | undefined): void {
    this.conversations = conversations;
    this.b = b;
    this.out = out;
    this.snapEnd = captured;
    this.protocol = "ip6";
    this.checkedCut = false;
    try {
      this.ip6(ip, length);
    } catch (error) {
      if (error !== CUT) throw error;
      // tcpdump checks the IPv6 header and these two ICMPv6 cuts itself; elsewhere its reads longjmp
      if (this.protocol !== "ip6" && !this.checkedCut) printStyle.ranOut = true;
      out.ascii(" [|");
      out.ascii(this.protocol);
      out.byte(0x5d);
    }
  }

  private ip6(ip: number, length: number): void {
    const out = this.out;
    if (ip + Ipv6At.HeaderLength > this.snapEnd) throw CUT;
    if (length < Ipv6At.HeaderLength) {
      out.ascii("truncated-ip6 ");
      out.decimal(length);
      return;
    }
    if (!printStyle.linkHeader) out.ascii("IP6 ");
    const b = this.b;
    const version = b[ip + Ipv6At.VersionClassFlow] >>> Ipv6At.VersionByteShift;
    if (version !== 6) {
      out.ascii("version error: ");
      out.decimal(version);
      out.ascii(" != 6");
      return;
    }
    let payloadLength = be16(b, ip + Ipv6At.PayloadLength);
    let len: number;
    if (payloadLength !== 0) {
      len = payloadLength + Ipv6At.HeaderLength;
      if (length < len) {
        out.ascii("truncated-ip6 - ");
        out.decimal(len - length);
        out.ascii(" bytes missing!");
      }
    } else len = length + Ipv6At.HeaderLength;
    let nh = b[ip + Ipv6At.NextHeader];
    this.destinationAt = ip + Ipv6At.Destination;
    if (printStyle.verbose !== 0) {
      // -v: the header's fields in parentheses, before the addresses
      const flow = this.u32(ip + Ipv6At.VersionClassFlow);
      const trafficClass = (flow >>> Ipv6At.ClassShift) & Ipv6At.ClassMask;
      out.byte(0x28);
      if (trafficClass !== 0) {
        out.ascii("class 0x");
        out.hex(trafficClass, 2);
        out.ascii(", ");
      }
      if ((flow & Ipv6At.FlowMask) !== 0) {
        out.ascii("flowlabel 0x");
        out.hex(flow & Ipv6At.FlowMask, 5);
        out.ascii(", ");
      }
      out.ascii("hlim ");
      out.decimal(b[ip + Ipv6At.HopLimit]);
      out.ascii(", next-header ");
      out.ascii(IP_PROTOCOL_NAMES.get(nh) ?? "unknown");
      out.ascii(" (");
      out.decimal(nh);
      out.ascii(") payload length: ");
      out.decimal(be16(b, ip + Ipv6At.PayloadLength));
      out.ascii(") ");
    }
    const outerSnapEnd = this.snapEnd;
    if (ip + len < this.snapEnd) this.snapEnd = ip + len;
    let cp = ip;
    let advance: number = Ipv6At.HeaderLength;
    let totalAdvance = 0;
    let foundExtension = false;
    let foundJumbo = false;
    let foundHopByHop = false;
    let previous = 255;
    let fragmented = false;
    while (cp < this.snapEnd && advance > 0) {
      if (len < advance) throw CUT;
      cp += advance;
      len -= advance;
      totalAdvance += advance;
      const first = cp === ip + Ipv6At.HeaderLength;
      // tcpdump's TCP, UDP, DCCP (33) and SCTP printers write the addresses with the ports
      if (first && nh !== IpProtocol.Tcp && nh !== IpProtocol.Udp && nh !== PrintedIpProtocol.Dccp && nh !== IpProtocol.Sctp) {
        this.address(ip + Ipv6At.Source);
        out.ascii(" > ");
        this.address(ip + Ipv6At.Destination);
        out.ascii(": ");
      }
      switch (nh) {
        case Ipv6At.HopByHop: {
          if (foundHopByHop) {
            out.ascii("[The Hop-by-Hop Options header was already found] (invalid)");
            return;
          }
          if (previous !== 255) {
            out.ascii("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)");
            return;
          }
          this.protocol = "hbhopt";
          const headerLength = (this.u8(cp + Ipv6At.ExtLength) + 1) * 8;
          if (cp + headerLength > this.snapEnd) return this.trunc();
          out.ascii("HBH ");
          const jumbo = this.options(cp + Ipv6At.ExtOptions, headerLength - Ipv6At.ExtOptions, payloadLength);
          if (jumbo === -1) {
            this.trunc();
            if (payloadLength === 0) out.ascii("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)");
            return;
          }
          if (jumbo > 0) {
            foundJumbo = true;
            payloadLength = jumbo;
          }
          if (payloadLength === 0 && !foundJumbo) {
            out.ascii("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)");
            return;
          }
          advance = headerLength;
          foundExtension = true;
          foundHopByHop = true;
          nh = b[cp + Ipv6At.ExtNextHeader];
          break;
        }
        case Ipv6At.DestinationOptions: {
          this.protocol = "dstopt";
          const headerLength = (this.u8(cp + Ipv6At.ExtLength) + 1) * 8;
          if (cp + headerLength > this.snapEnd) return this.trunc();
          out.ascii("DSTOPT ");
          const options = cp + Ipv6At.ExtOptions;
          if (printStyle.verbose !== 0 && this.options(options, headerLength - Ipv6At.ExtOptions, payloadLength, false) === -1) return this.trunc();
          advance = headerLength;
          foundExtension = true;
          nh = b[cp + Ipv6At.ExtNextHeader];
          break;
        }
        case Ipv6At.Fragment: {
          this.protocol = "frag6";
          const word = this.u16(cp + Ipv6At.FragmentWord);
          const offset = word & Ipv6At.FragmentOffsetMask;
          out.ascii("frag (");
          if (printStyle.verbose !== 0) {
            out.ascii("0x");
            out.hex(this.u32(cp + Ipv6At.FragmentIdentification), 8);
            out.byte(0x3a);
          }
          out.decimal(offset);
          out.byte(0x7c);
          const remaining = Ipv6At.HeaderLength + be16(b, ip + Ipv6At.PayloadLength) - (cp - ip) - Ipv6At.FragmentLength;
          if (remaining >= 0) out.decimal(remaining);
          else out.ascii((2n ** 64n + BigInt(remaining)).toString());
          out.byte(0x29);
          if (offset !== 0) return;
          out.byte(0x20);
          advance = Ipv6At.FragmentLength;
          if (this.snapEnd <= cp + advance) return;
          foundExtension = true;
          nh = b[cp + Ipv6At.ExtNextHeader];
          fragmented = true;
          break;
        }
        case Ipv6At.Routing: {
          this.u8(cp + Ipv6At.ExtNextHeader);
          this.protocol = "rt6";
          const result = this.routing(cp);
          if (result < 0) return;
          advance = result;
          foundExtension = true;
          nh = b[cp + Ipv6At.ExtNextHeader];
          break;
        }
        default: {
          if (foundJumbo) {
            len = payloadLength + Ipv6At.HeaderLength;
            if (len < totalAdvance) throw CUT;
            if (length < len) {
              out.ascii("truncated-ip6 - ");
              out.decimal(len - length);
              out.ascii(" bytes missing!");
            }
            this.snapEnd = Math.min(ip + len, outerSnapEnd);
            len -= totalAdvance;
          } else if (payloadLength === 0) {
            if (foundExtension) throw CUT;
            len = Ipv6At.HeaderLength;
            this.snapEnd = Math.min(ip + len, outerSnapEnd);
            len -= totalAdvance;
          }
          return this.demux(ip, cp, len, nh, fragmented, !first);
        }
      }
      previous = nh;
      this.protocol = "ip6";
    }
  }

  private trunc(): void {
    this.out.ascii(" [|");
    this.out.ascii(this.protocol);
    this.out.byte(0x5d);
  }

  /**
   * ip6_opt_process: −1 when cut, else the jumbo length found (0 for none). With -v it names each
   * option, "(padn)", "(rtalert: 0x0000) ", "(jumbo: N) "…, and ends with a space. `hopByHop`:
   * the options are a Hop-by-Hop header's (the only place a jumbo length counts).
   */
  private options(at: number, len: number, payloadLength: number, hopByHop = true): number {
    const out = this.out;
    const verbose = printStyle.verbose !== 0;
    let jumbo = 0;
    let seenJumbo = false;
    let optionLength = 0;
    for (let i = 0; i < len; i += optionLength) {
      const option = at + i;
      const type = this.u8(option + Ipv6At.OptionType);
      if (type === Ipv6OptionType.Pad1) optionLength = 1; // Pad1: the type byte alone
      else if (i + Ipv6At.OptionLength < len) optionLength = this.u8(option + Ipv6At.OptionLength) + Ipv6At.OptionData;
      else return -1;
      if (i + optionLength > len) return -1;
      switch (type) {
        case Ipv6OptionType.Pad1:
          if (verbose) out.ascii("(pad1)");
          break;
        case Ipv6OptionType.PadN:
          if (len - i < 2) {
            out.ascii("(padn: trunc)");
            return -1;
          }
          if (verbose) out.ascii("(padn)");
          break;
        case Ipv6OptionType.RouterAlert:
          if (len - i < 4) {
            out.ascii("(rtalert: trunc)");
            return -1;
          }
          if (this.u8(option + Ipv6At.OptionLength) !== 2) {
            out.ascii("(rtalert: invalid len ");
            out.decimal(this.u8(option + Ipv6At.OptionLength));
            out.byte(0x29);
            return -1;
          }
          if (verbose) {
            out.ascii("(rtalert: 0x");
            out.hex(this.u16(option + Ipv6At.OptionData), 4);
            out.ascii(") ");
          }
          break;
        case Ipv6OptionType.JumboPayload: {
          if (len - i < 6) {
            out.ascii("(jumbo: trunc)");
            return -1;
          }
          if (this.u8(option + Ipv6At.OptionLength) !== 4) {
            out.ascii("(jumbo: invalid len ");
            out.decimal(this.u8(option + Ipv6At.OptionLength));
            out.byte(0x29);
            return -1;
          }
          const value = this.u32(option + Ipv6At.OptionData);
          let note = "";
          if (!hopByHop) note = " - not a hop-by-hop option";
          else if (seenJumbo) note = " - already seen";
          else {
            seenJumbo = true;
            if (payloadLength !== 0) note = " - payload len != 0";
            else if (value < 65536) note = " - < 65536";
            else jumbo = value;
          }
          if (verbose) {
            out.ascii("(jumbo: ");
            out.decimal(value);
            out.ascii(note);
            out.ascii(") ");
          }
          break;
        }
        case Ipv6OptionType.HomeAddress:
          if (len - i < 18) {
            out.ascii("(homeaddr: trunc)");
            return -1;
          }
          if (this.u8(option + Ipv6At.OptionLength) < Ipv6At.AddressLength) {
            out.ascii("(homeaddr: invalid len ");
            out.decimal(this.u8(option + Ipv6At.OptionLength));
            out.byte(0x29);
            return -1;
          }
          if (verbose) {
            out.ascii("(homeaddr: ");
            this.address(option + Ipv6At.OptionData);
            out.byte(0x29);
          }
          break;
        default:
          if (len - i < 2) {
            out.ascii("(type ");
            out.decimal(type);
            out.ascii(": trunc)");
            return -1;
          }
          if (verbose) {
            out.ascii("(opt_type 0x");
            out.hex(type, 2);
            out.ascii(": len=");
            out.decimal(this.u8(option + Ipv6At.OptionLength));
            out.byte(0x29);
          }
      }
    }
    if (verbose) out.byte(0x20);
    return jumbo;
  }

  /** rt6_print at default verbosity: the header's length in bytes, or −1 after "(invalid)". */
  private routing(cp: number): number {
    const out = this.out;
    out.ascii("RT6");
    let len = this.u8(cp + Ipv6At.ExtLength);
    out.ascii(" (len=");
    out.decimal(len);
    const type = this.u8(cp + Ipv6At.RoutingType);
    out.ascii(", type=");
    out.decimal(type);
    if (type === 0) out.ascii(" [Deprecated]");
    const segmentsLeft = this.u8(cp + Ipv6At.SegmentsLeft);
    out.ascii(", segleft=");
    out.decimal(segmentsLeft);
    let addresses: number;
    if (type === 0 || type === 2) {
      const reserved = this.u32(cp + Ipv6At.RoutingReserved);
      if (reserved !== 0 || printStyle.verbose !== 0) {
        out.ascii(", rsv=0x");
        out.ascii(reserved.toString(16));
      }
    } else if (type === 4) {
      const lastEntry = this.u8(cp + Ipv6At.SrhLastEntry);
      out.ascii(", last-entry=");
      out.decimal(lastEntry);
      const flags = this.u8(cp + Ipv6At.SrhFlags);
      if (flags !== 0 || printStyle.verbose !== 0) {
        out.ascii(", flags=0x");
        out.ascii(flags.toString(16));
      }
      const tag = this.u16(cp + Ipv6At.SrhTag);
      out.ascii(", tag=");
      out.ascii(tag.toString(16));
    } else {
      out.ascii(" (unknown type) (invalid)");
      return -1;
    }
    addresses = cp + Ipv6At.RoutingAddresses; // = Ipv6At.SrhSegments
    if (len % 2 === 1) {
      out.ascii(" (invalid length ");
      out.decimal(len);
      out.ascii(") (invalid)");
      return -1;
    }
    len >>= 1;
    // the checksums' final destination: the last address of types 0 and 2, the first of type 4's segment list
    if ((type === 0 || type === 2) && len > 0) this.destinationAt = addresses + Ipv6At.AddressLength * (len - 1);
    else if (type === 4 && len > 0) this.destinationAt = addresses;
    for (let i = 0; i < len; i++) {
      this.need(addresses, Ipv6At.AddressLength);
      out.ascii(", [");
      out.decimal(i);
      out.byte(0x5d);
      this.address(addresses);
      addresses += Ipv6At.AddressLength;
    }
    out.ascii(") ");
    return (this.b[cp + Ipv6At.ExtLength] + 1) * 8;
  }

  /** ip_demux_print for the protocols that follow an IPv6 header. */
  private demux(ip: number, cp: number, len: number, nh: number, fragmented: boolean, addressesWritten: boolean): void {
    const out = this.out;
    switch (nh) {
      case IpProtocol.Icmpv6:
        this.protocol = "icmp6";
        return this.icmp6(ip, cp, len, fragmented);
      case IpProtocol.Tcp:
      case IpProtocol.Udp:
        this.protocol = nh === IpProtocol.Udp ? "udp" : "tcp";
        return ipv6TransportWriter({ bytes: this.b, ip, transport: cp, length: len, snapEnd: this.snapEnd, fragmented, protocol: nh, addressesWritten, conversations: this.conversations }, out);
      case IpProtocol.NoNextHeader:
        out.ascii("no next header");
        return;
      case IpProtocol.Vrrp:
        // VRRP (v3 is the IPv6 one): through the transport writer too (the IPv4 line's printer)
        this.protocol = "vrrp";
        return ipv6TransportWriter({ bytes: this.b, ip, transport: cp, length: len, snapEnd: this.snapEnd, fragmented, protocol: nh, addressesWritten, conversations: this.conversations }, out);
      case IpProtocol.Icmp:
      case IpProtocol.Igmp:
        out.byte(0x5b);
        out.ascii(IPV4_ONLY.get(nh)!);
        out.ascii(" requires IPv4] (invalid)");
        return;
      case PrintedIpProtocol.Ipv6:
        this.protocol = "ip6";
        return this.ip6(cp, len);
      case PrintedIpProtocol.Nd: // IPPROTO_ND
        out.ascii(" nd ");
        out.decimal(len);
        return;
      default:
        out.ascii(" ip-proto-");
        out.decimal(nh);
        out.byte(0x20);
        out.decimal(len);
    }
  }

  /** icmp6_print at default verbosity, and -v's checksum verdict, NDP fields and options. */
  private icmp6(ip: number, cp: number, length: number, fragmented: boolean): void {
    const out = this.out;
    if (length === 0) {
      out.ascii("ICMP6, length 0 (invalid)");
      return;
    }
    const type = this.u8(cp + Icmpv6At.Type);
    const verbose = printStyle.verbose !== 0;
    if (verbose && !fragmented) {
      if (cp + length <= this.snapEnd) {
        const field = this.u16(cp + Icmpv6At.Checksum);
        const b = this.b;
        const pseudoHeader = pseudoHeaderSumAt(b, ip + Ipv6At.Source, this.destinationAt, Ipv6At.AddressLength, IpProtocol.Icmpv6, length);
        const sum = foldChecksum(onesComplementSum(b, cp, cp + length, pseudoHeader));
        if (sum === 0) out.ascii("[icmp6 sum ok] ");
        else {
          out.ascii("[bad icmp6 cksum 0x");
          out.hex(field, 4);
          out.ascii(" -> 0x");
          out.hex(checksumShouldBe(field, sum), 4);
          out.ascii("!] ");
        }
      }
    }
    out.ascii("ICMP6, ");
    const name = ICMPV6_TYPE_NAMES.get(type);
    if (name !== undefined) out.ascii(name);
    else {
      out.ascii("unknown icmp6 type (");
      out.decimal(type);
      out.byte(0x29);
    }
    const lengthFirst =
      type === Icmpv6Type.RouterSolicitation || type === Icmpv6Type.RouterAdvertisement || type === Icmpv6Type.NeighborAdvertisement ||
      type === Icmpv6Type.NeighborSolicitation || type === Icmpv6Type.Redirect || type === PrintedIcmpv6Type.HomeAgentDiscoveryReply || type === PrintedIcmpv6Type.MobilePrefixAdvertisement;
    if (verbose && lengthFirst) {
      out.ascii(", length ");
      out.decimal(length);
    }
    const code = this.u8(cp + Icmpv6At.Code);
    const quoted = cp + Icmpv6At.HeaderLength; // the packet an error quotes
    switch (type) {
      case Icmpv6Type.DestinationUnreachable:
        out.ascii(", ");
        if (code < UNREACHABLE_CODES.length) out.ascii(UNREACHABLE_CODES[code]);
        else {
          out.ascii("unknown unreach code (");
          out.decimal(code);
          out.byte(0x29);
        }
        switch (code) {
          case 0:
          case 1:
          case 3:
            this.need(quoted + Ipv6At.Destination, Ipv6At.AddressLength);
            out.byte(0x20);
            this.address(quoted + Ipv6At.Destination);
            break;
          case 2:
            this.need(quoted + Ipv6At.Source, 2 * Ipv6At.AddressLength);
            out.byte(0x20);
            this.address(quoted + Ipv6At.Destination);
            out.ascii(", source address ");
            this.address(quoted + Ipv6At.Source);
            break;
          case 4: {
            const upper = this.upperLayer(quoted);
            if (upper < 0) {
              this.checkedCut = true;
              throw CUT;
            }
            const port = this.u16(upper + UdpAt.DestinationPort); // TCP's is at the same place
            const protocol = this.upperProtocol;
            this.need(quoted + Ipv6At.Destination, Ipv6At.AddressLength);
            out.ascii(", ");
            this.address(quoted + Ipv6At.Destination);
            if (protocol === IpProtocol.Tcp || protocol === IpProtocol.Udp) {
              out.ascii(protocol === IpProtocol.Tcp ? " tcp port " : " udp port ");
              out.decimal(port);
            } else {
              out.ascii(" protocol ");
              out.decimal(protocol);
              out.ascii(" port ");
              out.decimal(port);
              out.ascii(" unreachable");
            }
            break;
          }
          default:
            // tcpdump hex-dumps the message on lines of its own and ends the line here
            return;
        }
        break;
      case Icmpv6Type.PacketTooBig:
        this.need(cp + Icmpv6At.TooBigMtu, 4);
        out.ascii(", mtu ");
        out.decimal(this.u32(cp + Icmpv6At.TooBigMtu));
        break;
      case Icmpv6Type.TimeExceeded:
        if (code === 0) {
          this.need(quoted + Ipv6At.Destination, Ipv6At.AddressLength);
          out.ascii(" for ");
          this.address(quoted + Ipv6At.Destination);
        } else if (code === 1) out.ascii(" (reassembly)");
        else {
          out.ascii(", unknown code (");
          out.decimal(code);
          out.byte(0x29);
        }
        break;
      case Icmpv6Type.ParameterProblem: {
        if (quoted + Ipv6At.HeaderLength > this.snapEnd) {
          this.checkedCut = true;
          throw CUT;
        }
        const texts = [", erroneous - octet ", ", next header - octet ", ", option - octet ", ", incomplete header chain - octet "];
        if (code < 4) {
          const pointer = this.u32(cp + Icmpv6At.Pointer);
          out.ascii(texts[code]);
          out.decimal(pointer);
        } else {
          out.ascii(", code-#");
          out.decimal(code);
        }
        break;
      }
      case Icmpv6Type.EchoRequest:
      case Icmpv6Type.EchoReply:
        this.need(cp + Icmpv6At.Identifier, 4);
        out.ascii(", id ");
        out.decimal(this.u16(cp + Icmpv6At.Identifier));
        out.ascii(", seq ");
        out.decimal(this.u16(cp + Icmpv6At.Sequence));
        break;
      case Icmpv6Type.MldQuery:
        if (length === Icmpv6At.MldLength) this.mld(cp);
        else if (length >= Icmpv6At.Mld2QueryLength) {
          out.ascii(" v2");
          const verbose = printStyle.verbose !== 0;
          if (verbose) {
            const code = this.u16(cp + Icmpv6At.MaxResponseDelay);
            out.ascii(" [max resp delay=");
            out.decimal(code < 32768 ? code : ((code & 0x0fff) | 0x1000) * 2 ** (((code & 0x7000) >>> 12) + 3));
            out.byte(0x5d);
          }
          this.need(cp + Icmpv6At.MulticastAddress, Ipv6At.AddressLength);
          out.ascii(" [gaddr ");
          this.address(cp + Icmpv6At.MulticastAddress);
          if (verbose) {
            const flags = this.u8(cp + Icmpv6At.Mld2QueryFlags);
            if ((flags & Icmpv6At.Mld2SuppressMask) !== 0) out.ascii(" sflag");
            if ((flags & Icmpv6At.Mld2RobustnessMask) !== 0) {
              out.ascii(" robustness=");
              out.decimal(flags & Icmpv6At.Mld2RobustnessMask);
            }
            const qqic = this.u8(cp + Icmpv6At.Mld2Qqic);
            out.ascii(" qqi=");
            out.decimal(qqic < 128 ? qqic : ((qqic & 0x0f) | 0x10) * 2 ** (((qqic & 0x70) >>> 4) + 3));
          }
          const sources = this.u16(cp + Icmpv6At.Mld2SourceCount);
          if (sources > 0) {
            if (length < Icmpv6At.Mld2QueryLength + sources * Ipv6At.AddressLength) out.ascii(" [invalid number of sources]");
            else {
              out.ascii(", ");
              out.decimal(sources);
              out.ascii(" source(s)");
            }
          }
          out.byte(0x5d);
        } else {
          out.ascii(" unknown-version (len ");
          out.decimal(length);
          out.ascii(") ");
        }
        break;
      case Icmpv6Type.MldReport:
      case Icmpv6Type.MldDone:
        this.mld(cp);
        break;
      case Icmpv6Type.RouterSolicitation:
        // its options follow the 8-byte header (type, code, checksum, reserved)
        if (verbose) this.ndOptions(cp + Icmpv6At.HeaderLength, length - Icmpv6At.HeaderLength);
        break;
      case Icmpv6Type.RouterAdvertisement:
        if (verbose) {
          const flags = this.u8(cp + Icmpv6At.RaFlags);
          out.ascii("\n\thop limit ");
          out.decimal(this.u8(cp + Icmpv6At.CurHopLimit));
          out.ascii(", Flags [");
          writeFlagNames(out, flags, RA_FLAG_NAMES);
          out.ascii("], pref ");
          out.ascii(ROUTER_PREFERENCES[(flags >>> 3) & 3]);
          out.ascii(", router lifetime ");
          out.decimal(this.u16(cp + Icmpv6At.RouterLifetime));
          out.ascii("s, reachable time ");
          out.decimal(this.u32(cp + Icmpv6At.ReachableTime));
          out.ascii("ms, retrans timer ");
          out.decimal(this.u32(cp + Icmpv6At.RetransTimer));
          out.ascii("ms");
          this.ndOptions(cp + Icmpv6At.RaLength, length - Icmpv6At.RaLength);
        }
        break;
      case PrintedIcmpv6Type.InverseNeighborSolicitation:
      case PrintedIcmpv6Type.InverseNeighborAdvertisement:
      case PrintedIcmpv6Type.HomeAgentDiscoveryReply:
      case PrintedIcmpv6Type.MobilePrefixAdvertisement:
        break;
      case Icmpv6Type.NeighborSolicitation:
        this.need(cp + Icmpv6At.Target, Ipv6At.AddressLength);
        out.ascii(", who has ");
        this.address(cp + Icmpv6At.Target);
        if (verbose) this.ndOptions(cp + Icmpv6At.NeighborLength, length - Icmpv6At.NeighborLength);
        break;
      case Icmpv6Type.NeighborAdvertisement:
        this.need(cp + Icmpv6At.Target, Ipv6At.AddressLength);
        out.ascii(", tgt is ");
        this.address(cp + Icmpv6At.Target);
        if (verbose) {
          out.ascii(", Flags [");
          writeFlagNames(out, this.u8(cp + Icmpv6At.NaFlags), NA_FLAG_NAMES);
          out.byte(0x5d);
          this.ndOptions(cp + Icmpv6At.NeighborLength, length - Icmpv6At.NeighborLength);
        }
        break;
      case Icmpv6Type.Redirect:
        this.need(cp + Icmpv6At.Destination, Ipv6At.AddressLength);
        out.ascii(", ");
        this.address(cp + Icmpv6At.Destination);
        this.need(cp + Icmpv6At.Target, Ipv6At.AddressLength);
        out.ascii(" to ");
        this.address(cp + Icmpv6At.Target);
        if (verbose) this.ndOptions(cp + Icmpv6At.RedirectLength, length - Icmpv6At.RedirectLength);
        break;
      case PrintedIcmpv6Type.Mld2Report:
        if (length < Icmpv6At.Mld2ReportLength) {
          out.ascii(" [invalid len ");
          out.decimal(length);
          out.byte(0x5d);
          return;
        }
        this.need(cp + Icmpv6At.Mld2RecordCount, 2);
        out.ascii(", ");
        out.decimal(this.u16(cp + Icmpv6At.Mld2RecordCount));
        out.ascii(" group record(s)");
        if (printStyle.verbose !== 0) {
          // -v: each group record, " [gaddr G to_ex, N source(s)]"
          const groups = this.u16(cp + Icmpv6At.Mld2RecordCount);
          let group: number = Icmpv6At.Mld2ReportLength;
          for (let i = 0; i < groups; i++) {
            if (length < group + Icmpv6At.RecordLength) {
              out.ascii(" [invalid number of groups]");
              return;
            }
            const record = cp + group;
            this.need(record + Icmpv6At.RecordAddress, Ipv6At.AddressLength); // tcpdump reads the address before it prints " [gaddr "
            out.ascii(" [gaddr ");
            this.address(record + Icmpv6At.RecordAddress);
            const recordType = this.u8(record + Icmpv6At.RecordType);
            out.byte(0x20);
            if (recordType >= 1 && recordType <= 6) out.ascii(MLDV2_RECORD_TYPES[recordType - 1]);
            else {
              out.ascii(" [v2-report-#");
              out.decimal(recordType);
              out.byte(0x5d);
            }
            const sources = this.u16(record + Icmpv6At.RecordSourceCount);
            if (length < group + Icmpv6At.RecordLength + sources * Ipv6At.AddressLength) {
              out.ascii(" [invalid number of sources ");
              out.decimal(sources);
              out.byte(0x5d);
              return;
            }
            out.ascii(", ");
            out.decimal(sources);
            out.ascii(" source(s)]");
            group += Icmpv6At.RecordLength + sources * Ipv6At.AddressLength;
          }
        }
        break;
      case PrintedIcmpv6Type.RouterRenumbering:
        this.routerRenumbering(cp, code);
        break;
      case PrintedIcmpv6Type.NodeInformationQuery:
        this.nodeInformationQuery(cp, code);
        break;
      case PrintedIcmpv6Type.RplControl:
        // rpl_print at default verbosity: secured or not, then the message's name
        if ((code & 0x80) !== 0) out.ascii(", (SEC) [worktodo]");
        else {
          out.ascii(", (CLR)");
          out.ascii(RPL_CODE_NAMES[code] ?? `RPL message, unknown code ${code}`);
        }
        break;
      case PrintedIcmpv6Type.HomeAgentDiscoveryRequest:
      case PrintedIcmpv6Type.MobilePrefixSolicitation:
        this.need(cp + Icmpv6At.Identifier, 2);
        out.ascii(", id 0x");
        out.hex(this.u16(cp + Icmpv6At.Identifier), 4);
        break;
      default:
        // unknown types (and the ones this printer does not go into): tcpdump prints the length and
        // hex-dumps the message on lines of its own
        out.ascii(", length ");
        out.decimal(length);
        return;
    }
    if (verbose) return; // -v gave the length after the type, for the NDP messages only
    out.ascii(", length ");
    out.decimal(length);
  }

  /**
   * icmp6_rrenum_print at default verbosity (RFC 2894): the code and sequence number, and for a
   * command its match-prefix part and each use-prefix part ("match(add,fec0::/48) use(...)"). Where
   * tcpdump's own checks fail it prints " [|icmp6]" and the line goes on (", length N").
   */
  private routerRenumbering(cp: number, code: number): void {
    const out = this.out;
    const cut = (): void => out.ascii(" [|icmp6]");
    if (cp + Icmpv6At.RrLength > this.snapEnd) return cut();
    out.ascii(code === 0 ? ", command" : code === 1 ? ", result" : code === 255 ? ", sequence number reset" : `, code-#${code}`);
    out.ascii(", seq=");
    out.decimal(this.u32(cp + Icmpv6At.RrSequence));
    if (code !== 0) return;
    const match = cp + Icmpv6At.RrLength;
    if (match + Icmpv6At.MatchPartLength > this.snapEnd) return cut();
    const operation = this.u8(match + Icmpv6At.MatchOpCode);
    out.ascii(operation === 1 ? " match(add" : operation === 2 ? " match(change" : operation === 3 ? " match(setglobal" : ` match(#${operation}`);
    out.byte(0x2c);
    this.address(match + Icmpv6At.MatchPrefix);
    out.byte(0x2f);
    out.decimal(this.u8(match + Icmpv6At.MatchLength));
    out.byte(0x29);
    // the operation's length counts 8-byte units: 3 for the match-prefix part, 4 for each use-prefix part
    let uses = this.u8(match + Icmpv6At.MatchOpLength) - Icmpv6At.MatchPartLength / 8;
    if (uses % (Icmpv6At.UsePartLength / 8) !== 0) return cut();
    uses /= Icmpv6At.UsePartLength / 8;
    for (let use = match + Icmpv6At.MatchPartLength; uses > 0; uses--, use += Icmpv6At.UsePartLength) {
      if (use + Icmpv6At.UsePartLength > this.snapEnd) return cut();
      out.ascii(" use(");
      const flags = this.u8(use + Icmpv6At.UseFlags);
      if (flags !== 0) {
        if ((flags & 0x80) !== 0) out.byte(0x56); // V
        if ((flags & 0x40) !== 0) out.byte(0x50); // P
        out.byte(0x2c);
      }
      this.address(use + Icmpv6At.UsePrefix);
      out.byte(0x2f);
      out.decimal(this.u8(use + Icmpv6At.UseLength));
      out.byte(0x2f);
      out.decimal(this.u8(use + Icmpv6At.UseKeepLength));
      out.byte(0x29);
    }
  }

  /**
   * icmp6_nodeinfo_print for a query (RFC 4620) at default verbosity: KAME's who-are-you (12 bytes),
   * or the query type, its flags and an IPv6 or IPv4 subject. A DNS-name subject is only named (tcpdump
   * goes on with the name: the line differs there).
   */
  private nodeInformationQuery(cp: number, code: number): void {
    const out = this.out;
    const size = this.snapEnd - cp;
    if (size === 12) return void out.ascii(" who-are-you request");
    out.ascii(" node information query");
    if (size < Icmpv6At.NiLength) return void out.ascii(" [|icmp6]");
    const queryType = this.u16(cp + Icmpv6At.NiQueryType);
    const flags = this.u16(cp + Icmpv6At.NiFlags);
    out.ascii(" (");
    switch (queryType) {
      case 0:
        out.ascii("noop");
        break;
      case 1:
        out.ascii("supported qtypes");
        if (flags !== 0) out.ascii((flags & 1) !== 0 ? " [C]" : " []");
        break;
      case 2:
        out.ascii("DNS name");
        break;
      case 3:
        out.ascii("node addresses");
        if (flags !== 0) {
          out.ascii(" [");
          for (const [bit, letter] of NODE_ADDRESS_FLAGS) if ((flags & bit) !== 0) out.ascii(letter);
          out.byte(0x5d);
        }
        break;
      default:
        out.ascii("unknown");
    }
    if (queryType === 0 || queryType === 1) return void out.byte(0x29);
    if (size === Icmpv6At.NiLength) return void out.ascii(", 03 draft)");
    const subject = cp + Icmpv6At.NiLength;
    switch (code) {
      case 0:
        if (size === Icmpv6At.NiLength + Ipv6At.AddressLength) {
          out.ascii(", subject=");
          this.address(subject);
        }
        break;
      case 1:
        out.ascii(", subject=DNS name");
        break;
      case 2:
        if (size === Icmpv6At.NiLength + 4) {
          out.ascii(", subject=");
          out.ipv4At(this.b, subject);
        }
        break;
      default:
        out.ascii(", unknown subject");
    }
    out.byte(0x29);
  }

  /**
   * icmp6_opt_print: each NDP option on a line of its own, "\n\t  NAME option (T), length L (N): "
   * and its value; a cut option ends the line with " [|icmp6]". An option tcpdump does not decode is
   * hex-dumped and ends the list, as tcpdump does.
   */
  private ndOptions(at: number, remaining: number): void {
    const out = this.out;
    const b = this.b;
    const start = at;
    while (at < this.snapEnd) {
      // tcpdump checks an option's header and length itself (a cut here is no longjmp)
      if (at + Icmpv6At.OptionData > this.snapEnd) {
        this.checkedCut = true;
        throw CUT;
      }
      if (remaining <= 0) return;
      const type = b[at + Icmpv6At.OptionType];
      const units = b[at + Icmpv6At.OptionUnits];
      if (units === 0 || at + units * 8 > this.snapEnd) {
        this.checkedCut = true;
        throw CUT;
      }
      const optionLength = units * 8;
      out.ascii("\n\t  ");
      out.ascii(ND_OPTION_NAMES.get(type) ?? "unknown");
      out.ascii(" option (");
      out.decimal(type);
      out.ascii("), length ");
      out.decimal(optionLength);
      out.ascii(" (");
      out.decimal(units);
      out.ascii("): ");
      switch (type) {
        case NdpOptionType.SourceLinkLayerAddress:
        case NdpOptionType.TargetLinkLayerAddress:
          out.linkAddress(b, at + Icmpv6At.OptionData, optionLength - Icmpv6At.OptionData);
          break;
        case NdpOptionType.PrefixInformation:
          this.need(at + Icmpv6At.Prefix, Ipv6At.AddressLength);
          writeIpv6Address(out, b, at + Icmpv6At.Prefix);
          out.byte(0x2f);
          out.decimal(b[at + Icmpv6At.PrefixLength]);
          if (optionLength !== Icmpv6At.PrefixOptionLength) out.ascii("badlen");
          out.ascii(", Flags [");
          writeFlagNames(out, b[at + Icmpv6At.PrefixFlags], PREFIX_FLAG_NAMES);
          out.ascii("], valid time ");
          writeLifetime(out, this.u32(at + Icmpv6At.ValidLifetime));
          out.ascii(", pref. time ");
          writeLifetime(out, this.u32(at + Icmpv6At.PreferredLifetime));
          break;
        case NdpOptionType.RedirectedHeader:
          // tcpdump dumps from the first option on, not this one's
          this.need(start, optionLength);
          writeHex(b, start, start + optionLength, out, "\n\t    ");
          break;
        case NdpOptionType.Mtu:
          out.byte(0x20);
          out.decimal(this.u32(at + Icmpv6At.Mtu));
          if (optionLength !== Icmpv6At.MtuOptionLength) out.ascii("bad option length");
          break;
        case 7: // advertisement interval (RFC 6275)
          out.byte(0x20);
          out.decimal(this.u32(at + Icmpv6At.AdvertisementInterval));
          out.ascii("ms");
          break;
        case NdpOptionType.Rdnss: {
          out.ascii(" lifetime ");
          out.decimal(this.u32(at + Icmpv6At.RdnssLifetime));
          out.ascii("s,");
          const count = Math.floor((optionLength - Icmpv6At.RdnssAddresses) / Ipv6At.AddressLength);
          for (let i = 0; i < count; i++) {
            out.ascii(" addr: ");
            this.address(at + Icmpv6At.RdnssAddresses + Ipv6At.AddressLength * i);
          }
          break;
        }
        default:
          writeHex(b, at + Icmpv6At.OptionData, at + optionLength, out, "\n\t  ");
          return;
      }
      at += optionLength;
      remaining -= optionLength;
    }
  }

  /** mld6_print: nothing when the 24 bytes are not all there. */
  private mld(cp: number): void {
    if (cp + Icmpv6At.MldLength > this.snapEnd) return;
    const out = this.out;
    out.ascii("max resp delay: ");
    out.decimal(this.u16(cp + Icmpv6At.MaxResponseDelay));
    out.ascii(" addr: ");
    this.address(cp + Icmpv6At.MulticastAddress);
  }

  upperProtocol = 0;
  /** the cut was found by a check of tcpdump's own (not a read that longjmps): -x dumps from the network layer */
  checkedCut = false;
  /** where the checksums' pseudo-header destination is: the IPv6 header's, or a routing header's last address (ip6_finddst) */
  destinationAt = 0;

  /** get_upperlayer: the offset of the TCP/UDP header in a quoted packet, or −1 (upperProtocol set). */
  private upperLayer(ip: number): number {
    const end = this.snapEnd;
    if (ip + Ipv6At.NextHeader + 1 > end) return -1;
    let nh = this.b[ip + Ipv6At.NextHeader];
    let at = ip;
    let headerLength: number = Ipv6At.HeaderLength;
    while (at < end) {
      at += headerLength;
      switch (nh) {
        case IpProtocol.Tcp:
        case IpProtocol.Udp:
          // the ports (TCP's are where UDP's are)
          if (at + UdpAt.Length > end) return -1;
          this.upperProtocol = nh;
          return at;
        case Ipv6At.HopByHop:
        case Ipv6At.DestinationOptions:
        case Ipv6At.Routing:
          if (at + Ipv6At.ExtLength + 1 > end) return -1;
          nh = this.b[at + Ipv6At.ExtNextHeader];
          headerLength = (this.b[at + Ipv6At.ExtLength] + 1) * 8;
          break;
        case Ipv6At.Fragment:
          if (at + Ipv6At.FragmentWord + 2 > end) return -1;
          if ((be16(this.b, at + Ipv6At.FragmentWord) & Ipv6At.FragmentOffsetMask) !== 0) return -1;
          nh = this.b[at + Ipv6At.ExtNextHeader];
          headerLength = Ipv6At.FragmentLength;
          break;
        case PrintedIpProtocol.Ah: // AH: its length counts 4-byte units, less two
          if (at + Ipv6At.ExtLength + 1 > end) return -1;
          nh = this.b[at + Ipv6At.ExtNextHeader];
          headerLength = (this.b[at + Ipv6At.ExtLength] + 2) * 4;
          break;
        default:
          this.upperProtocol = nh;
          return -1;
      }
    }
    return -1;
  }
}

const printer = new Ipv6LinePrinter();

/**
 * Appends tcpdump -n's line (after the time column) for the IPv6 packet at bytes[ip, captured).
 * `length` is the packet's length on the wire, from the IPv6 header on (more than captured − ip
 * when a snap length cut the frame). Reserve MAX_LINE_LENGTH in `out` first. `conversations` is
 * handed to the TCP writer (see ipv6TransportWriter) for relative sequence numbers.
 */
export function writeIpv6Summary(bytes: Uint8Array, ip: number, captured: number, length: number, out: TextBuffer, conversations?: TcpConversations): void {
  printer.print(bytes, ip, captured, length, out, conversations);
}

// The lines that differed from tcpdump's on tcpdump's own test captures (its tests/ directory, measured
// with scripts/transport-vs-tcpdump.sh), each rebuilt as frames of the same form and compared with what
// the installed tcpdump prints for them: MPTCP options (mptcp-*.pcap), ARP operations tcpdump
// hex-dumps and ARP cut inside its addresses (arp-oobr.pcap), IPv4 cut by a snap length or shorter on
// the wire than its totalLength (the *-oobr.pcap fuzz cases and others), VXLAN and OTV tunnels
// (vxlan.pcap, vxlan_port_8472.pcap), ICMPv6 node information queries, RPL and router renumbering
// (icmpv6-ni-flags.pcap, rpl-*.pcap, icmpv6-RFC2894-RR.pcap), 802.1ad QinQ (802.1ad_QinQ.pcap), VRRP and
// TCP over IPv6
// (vrrp.pcap, bigtcp-ipv6-hbh.pcap, bgp-*.pcapng). The frames
// are generated here (addresses from the documentation ranges), not copied from those captures.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writePcap } from "../../src/packets/pcap";
import { LineWriter, MAX_LINE_LENGTH, TextBuffer } from "../../src/packets/summary";

interface Case {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** length on the wire, when more than the bytes (a snap length cut the frame) */
  readonly wireLength?: number;
}

const MAC_A = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x01];
const MAC_B = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x02];
const IP_A = [192, 0, 2, 1];
const IP_B = [198, 51, 100, 2];
const IP6_A = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const VRRP6_GROUP = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12];

function ethernet(etherType: number, payload: readonly number[]): Uint8Array {
  return Uint8Array.from([...MAC_B, ...MAC_A, etherType >> 8, etherType & 0xff, ...payload]);
}

function ipv4(protocol: number, payload: readonly number[]): number[] {
  const total = 20 + payload.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, protocol, 0, 0, ...IP_A, ...IP_B, ...payload];
}

function ipv6(nextHeader: number, hopLimit: number, destination: readonly number[], payload: readonly number[]): number[] {
  return [0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, nextHeader, hopLimit, ...IP6_A, ...destination, ...payload];
}

/** A TCP segment with these option bytes (NOPs added in front to a multiple of 4) and `data` bytes. */
function tcp(flags: number, options: readonly number[], data = 0): number[] {
  const padded = [...Array((4 - (options.length % 4)) % 4).fill(1), ...options];
  const offset = (20 + padded.length) / 4;
  return [0x9c, 0x40, 0x00, 0x16, 0, 0, 0x10, 0, 0, 0, 0x20, 0, offset << 4, flags, 0x01, 0x00, 0, 0, 0, 0, ...padded, ...Array(data).fill(0x61)];
}

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const SYN_ACK = 0x12;
const KEY_A = [0x9c, 0x9e, 0xab, 0xd1, 0xe4, 0x6a, 0x33, 0xb2];
const KEY_B = [0x06, 0x7d, 0x27, 0x70, 0xb6, 0x96, 0x05, 0x52]; // a leading zero nibble: tcpdump prints hex without it

function mptcp(name: string, flags: number, option: readonly number[], data = 0): Case {
  return { name: `MPTCP ${name}`, bytes: ethernet(0x0800, ipv4(6, tcp(flags, [30, option.length + 2, ...option], data))) };
}

/** MPTCP options of every subtype tcpdump decodes, in the forms each allows and some it rejects. */
function mptcpCases(): Case[] {
  return [
    mptcp("capable v0 on SYN, checksum flag, key", SYN, [0x00, 0x81, ...KEY_A]),
    mptcp("capable v1 on SYN, no key", SYN, [0x01, 0x01]),
    mptcp("capable v1 on SYN-ACK, key", SYN_ACK, [0x01, 0x01, ...KEY_B]),
    mptcp("capable v0 on the third ACK, both keys", ACK, [0x00, 0x81, ...KEY_A, ...KEY_B]),
    mptcp("capable v1 on ACK with data-level length", PSH_ACK, [0x01, 0x01, ...KEY_A, ...KEY_B, 0x00, 0x10], 16),
    mptcp("capable of version 3", SYN, [0x03, 0x01, ...KEY_A]),
    mptcp("capable of a length the flags do not allow", ACK, [0x00, 0x81, ...KEY_A]),
    mptcp("join on SYN, backup", SYN, [0x11, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x12, 0x34]),
    mptcp("join on SYN-ACK", SYN_ACK, [0x10, 0x02, ...KEY_B, 0x0a, 0x0b, 0x0c, 0x0d]),
    mptcp("join on ACK", ACK, [0x10, 0x00, ...Array.from({ length: 20 }, (_, i) => i * 11)]),
    mptcp("join on a plain ACK of SYN length", ACK, [0x10, 0x05, 0, 0, 0, 1, 0, 0, 0, 2]),
    mptcp("dss with a 4-byte data ack", ACK, [0x20, 0x01, 0xd5, 0x2a, 0xbe, 0xca]),
    mptcp("dss with 8-byte ack and mapping, no checksum", PSH_ACK, [0x20, 0x0f, ...KEY_A, ...KEY_B, 0, 0, 0, 1, 0, 16], 16),
    mptcp("dss with 4-byte mapping and checksum", PSH_ACK, [0x20, 0x05, 0xd5, 0x2a, 0xbe, 0xca, 0xd1, 0xb9, 0x74, 0x90, 0, 0, 0, 1, 0, 41, 0x08, 0x2f], 41),
    mptcp("dss with the DATA_FIN flag", ACK, [0x20, 0x1f, ...KEY_A, ...KEY_B, 0, 0, 0, 0, 0, 1]),
    mptcp("dss on SYN", SYN, [0x20, 0x01, 1, 2, 3, 4]),
    mptcp("dss shorter than its flags say", ACK, [0x20, 0x03, 1, 2, 3, 4]),
    mptcp("add-addr v0 IPv4", ACK, [0x34, 0x01, ...IP_B]),
    mptcp("add-addr v0 IPv4 with a port", ACK, [0x34, 0x02, ...IP_B, 0x1f, 0x90]),
    mptcp("add-addr v1 IPv4 with an HMAC", ACK, [0x30, 0x01, ...IP_B, ...KEY_B]),
    mptcp("add-addr v1 echo IPv4 with port and HMAC", ACK, [0x31, 0x01, ...IP_B, 0x1f, 0x90, ...KEY_A]),
    mptcp("add-addr v0 IPv6", ACK, [0x36, 0x03, ...IP6_A]),
    mptcp("add-addr v1 IPv6 with port and HMAC", ACK, [0x30, 0x03, ...IP6_A, 0x1f, 0x90, ...KEY_A]),
    mptcp("add-addr with bad version bits", ACK, [0x3f, 0x01, ...IP_B]),
    mptcp("add-addr of a length it has no form for", ACK, [0x30, 0x01, ...IP_B, 0]),
    mptcp("rem-addr of three ids", ACK, [0x40, 1, 2, 3]),
    mptcp("prio, backup, with id", ACK, [0x51, 0x07]),
    mptcp("prio, non-backup, no id", ACK, [0x50]),
    mptcp("fail", ACK, [0x60, 0x00, ...KEY_A]),
    mptcp("fast-close", ACK, [0x70, 0x00, ...KEY_B]),
    mptcp("fast-close of a wrong length", ACK, [0x70, 0x00, 1, 2, 3, 4]),
    mptcp("unknown subtype", ACK, [0x80, 0x00]),
    mptcp("subtype 15", ACK, [0xf0, 0x00, 9, 9]),
    mptcp("one byte long (length 2)", ACK, []),
    { name: "MPTCP options after others, two of them", bytes: ethernet(0x0800, ipv4(6, tcp(PSH_ACK, [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 8, 0x34, 0x01, ...IP_B, 30, 8, 0x20, 0x01, 1, 2, 3, 4], 41))) },
  ];
}

/** ARP (Ethernet/IPv4 sizes) with this operation; `cut` keeps only that many of its bytes. */
function arp(operation: number, options: { hardwareLength?: number; cut?: number } = {}): Case {
  const hardwareLength = options.hardwareLength ?? 6;
  const body = [0, 1, 8, 0, hardwareLength, 4, operation >> 8, operation & 0xff, ...MAC_A, ...IP_A, ...Array(6).fill(0), ...IP_B];
  const bytes = ethernet(0x0806, [...body, ...Array(18).fill(0)]);
  const cut = options.cut ?? bytes.length;
  return { name: `ARP operation ${operation}, hardware length ${hardwareLength}, ${cut} bytes captured`, bytes: bytes.subarray(0, cut), wireLength: bytes.length };
}

/** `inner` (an Ethernet frame) with VLAN tags of these EtherTypes put in after the addresses. */
function tagged(name: string, tagTypes: readonly number[], inner: Uint8Array): Case {
  const tags = tagTypes.flatMap((type, i) => [type >> 8, type & 0xff, 0x20 | i, 10 + i]);
  return { name, bytes: Uint8Array.from([...inner.subarray(0, 12), ...tags, ...inner.subarray(12)]) };
}

function taggedCases(): Case[] {
  const echo = ethernet(0x0800, ipv4(1, [8, 0, 0, 0, 0x12, 0x34, 0, 1, ...Array(56).fill(1)]));
  return [
    tagged("ARP under 802.1ad and 802.1Q (802.1ad_QinQ.pcap)", [0x88a8, 0x8100], arp(1).bytes),
    tagged("ARP reply under 802.1ad alone", [0x88a8], arp(2).bytes),
    tagged("ICMP under 0x9100 and 802.1Q", [0x9100, 0x8100], echo),
    tagged("ICMP under two 802.1Q tags", [0x8100, 0x8100], echo),
    tagged("TCP over IPv6 under 802.1ad", [0x88a8, 0x8100], ethernet(0x86dd, ipv6(6, 64, IP6_A.map((x, i) => (i === 15 ? 2 : x)), tcp(SYN, [])))),
  ];
}

function arpCases(): Case[] {
  return [
    arp(5),
    arp(10), // NACK Reply: a name, but hex-dumped
    arp(37),
    arp(29953),
    arp(1, { hardwareLength: 156 }), // arp-oobr.pcap: address lengths past the frame
    arp(2, { hardwareLength: 40 }),
    arp(1, { cut: 34 }), // a snap length inside the addresses
    arp(1, { cut: 18 }), // inside the fixed header
    arp(1, { cut: 42 }), // the addresses whole, the padding cut: a normal line
  ];
}

/** A VRRPv3 advertisement for one IPv6 address, sent with `hopLimit`. */
function vrrp6(hopLimit: number, vrid: number, priority: number, centiseconds: number): Case {
  const vrrp = [0x31, vrid, priority, 1, centiseconds >> 8, centiseconds & 0x0f, 0, 0, ...IP6_A];
  return { name: `VRRPv3 over IPv6, hop limit ${hopLimit}`, bytes: ethernet(0x86dd, ipv6(112, hopLimit, VRRP6_GROUP, vrrp)) };
}

function icmp6(name: string, message: readonly number[], captured?: number): Case {
  const bytes = ethernet(0x86dd, ipv6(58, 255, IP6_A.map((x, i) => (i === 15 ? 2 : x)), message));
  return { name, bytes: bytes.subarray(0, captured ?? bytes.length), wireLength: bytes.length };
}

/** ICMPv6 router renumbering (RFC 2894) with `code`, and for a command a match-prefix part with these use-prefix parts. */
function renumbering(name: string, code: number, uses: readonly number[][], options: { matchLength?: number; captured?: number } = {}): Case {
  const header = [138, code, 0, 0, 0, 0, 1, 0, 0, 0, 0, 100, 0, 0, 0, 0];
  const prefix = [0x20, 0x01, 0x0d, 0xb8, 0, 0x10, ...Array(10).fill(0)];
  const match = [1, options.matchLength ?? 3 + 4 * uses.length, 0, 48, 0, 128, 0, 0, ...prefix];
  return icmp6(name, code === 0 ? [...header, ...match, ...uses.flat()] : header, options.captured === undefined ? undefined : 14 + 40 + options.captured);
}

function use(flags: number, useLength: number, keepLength: number): number[] {
  return [useLength, keepLength, 0, 0, 0, 0, 0, 60, 0, 0, 0, 30, flags, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0x20, ...Array(10).fill(0)];
}

/** An ICMPv6 node information query (RFC 4620) of `queryType` with `flags`, subject code `code` and `subject`. */
function nodeQuery(name: string, code: number, queryType: number, flags: number, subject: readonly number[], captured?: number): Case {
  return icmp6(`node information query: ${name}`, [139, code, 0, 0, queryType >> 8, queryType & 0xff, flags >> 8, flags & 0xff, 1, 2, 3, 4, 5, 6, 7, 8, ...subject], captured);
}

function icmp6Cases(): Case[] {
  return [
    icmp6("KAME who-are-you", [139, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]),
    nodeQuery("noop", 0, 0, 0, IP6_A),
    nodeQuery("supported qtypes, C", 0, 1, 1, []),
    nodeQuery("supported qtypes, other flags", 0, 1, 2, []),
    nodeQuery("DNS name of an IPv6 subject", 0, 2, 0, IP6_A),
    nodeQuery("node addresses, every flag, IPv6 subject", 0, 3, 0x7e, IP6_A),
    nodeQuery("node addresses, A", 0, 3, 0x02, IP6_A),
    nodeQuery("node addresses of an IPv4 subject", 2, 3, 0x20, IP_B),
    nodeQuery("an IPv6 subject of the wrong length", 0, 3, 0, IP_B),
    nodeQuery("unknown subject code", 5, 3, 0, IP_B),
    nodeQuery("unknown query type", 0, 9, 0, IP6_A),
    nodeQuery("no subject (03 draft)", 0, 2, 0, []),
    nodeQuery("cut inside its header", 0, 3, 0, IP6_A, 14 + 40 + 14),
    ...[0, 1, 2, 3, 7, 0x82].map((code) => icmp6(`RPL code ${code}`, [155, code, 0, 0, ...Array(20).fill(0)])),
    ...[0, 1, 2, 3, 7, 0x82].map((code) => icmp6(`RPL code ${code}`, [155, code, 0, 0, ...Array(20).fill(0)])),
    renumbering("router renumbering command, one use-prefix", 0, [use(0, 48, 16)]),
    renumbering("router renumbering command, two use-prefixes with flags", 0, [use(0xc0, 48, 16), use(0x40, 64, 0)]),
    renumbering("router renumbering command, no use-prefix", 0, []),
    renumbering("router renumbering command, a match length that is no whole number of use-prefixes", 0, [use(0, 48, 16)], { matchLength: 5 }),
    renumbering("router renumbering command cut inside its match-prefix", 0, [use(0, 48, 16)], { captured: 16 + 10 }),
    renumbering("router renumbering command cut inside a use-prefix", 0, [use(0, 48, 16)], { captured: 16 + 24 + 20 }),
    renumbering("router renumbering result", 1, []),
    renumbering("router renumbering sequence number reset", 255, []),
    renumbering("router renumbering code 7", 7, []),
  ];
}

function cutTo(bytes: Uint8Array, captured: number): Case {
  return { name: "", bytes: bytes.subarray(0, captured), wireLength: bytes.length };
}

function ipv6Cases(): Case[] {
  const cut = vrrp6(255, 1, 100, 100);
  return [
    vrrp6(255, 45, 191, 1000),
    vrrp6(64, 1, 255, 100),
    { name: "VRRPv3 over IPv6 cut after its priority", bytes: cut.bytes.subarray(0, 14 + 40 + 3), wireLength: cut.bytes.length },
    { name: "TCP over IPv6 (SYN with options)", bytes: ethernet(0x86dd, ipv6(6, 64, IP6_A.map((x, i) => (i === 15 ? 2 : x)), tcp(SYN, [2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7]))) },
    { name: "TCP over IPv6 with data", bytes: ethernet(0x86dd, ipv6(6, 64, IP6_A.map((x, i) => (i === 15 ? 2 : x)), tcp(PSH_ACK, [], 100))) },
    { ...cutTo(ethernet(0x86dd, ipv6(6, 64, IP6_A.map((x, i) => (i === 15 ? 2 : x)), tcp(ACK, []))), 14 + 40 + 3), name: "TCP over IPv6 cut before its ports" },
    { ...cutTo(ethernet(0x86dd, ipv6(0, 64, IP6_A.map((x, i) => (i === 15 ? 2 : x)), [6, 0, 1, 4, 0, 0, 0, 0, ...tcp(ACK, [])])), 14 + 40 + 8 + 2), name: "TCP over IPv6 cut before its ports, after a hop-by-hop header" },
    { name: "TCP over IPv6 after a hop-by-hop header (ports only)", bytes: ethernet(0x86dd, ipv6(0, 64, IP6_A.map((x, i) => (i === 15 ? 2 : x)), [6, 0, 1, 4, 0, 0, 0, 0, ...tcp(ACK, [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2])])) },
  ];
}

/** An IPv4 datagram of `protocol` whose frame keeps `captured` bytes, on the wire `wire` bytes (default: whole). */
function cutIpv4(name: string, protocol: number, payload: readonly number[], captured: number, options: { wire?: number; totalLength?: number; fragment?: number } = {}): Case {
  const datagram = ipv4(protocol, payload);
  if (options.totalLength !== undefined) datagram.splice(2, 2, options.totalLength >> 8, options.totalLength & 0xff);
  if (options.fragment !== undefined) datagram.splice(6, 2, options.fragment >> 8, options.fragment & 0xff);
  const bytes = ethernet(0x0800, datagram);
  return { name, bytes: bytes.subarray(0, captured), wireLength: options.wire ?? bytes.length };
}

function cutIpv4Cases(): Case[] {
  const udp = [0x30, 0x39, 0x1f, 0x90, 0, 108, 0, 0, ...Array(100).fill(7)];
  const echo = [8, 0, 0, 0, 0x12, 0x34, 0, 1, ...Array(56).fill(1)];
  const unreachable = [3, 3, 0, 0, 0, 0, 0, 0, ...ipv4(17, [0x30, 0x39, 0, 53, 0, 8, 0, 0])];
  const vrrp2 = [0x21, 7, 100, 1, 0, 1, 0, 0, ...IP_B, 0, 0, 0, 0, 0, 0, 0, 0];
  return [
    cutIpv4("UDP cut by a snap length after its header", 17, udp, 14 + 20 + 12),
    cutIpv4("UDP cut inside its header", 17, udp, 14 + 20 + 6),
    cutIpv4("TCP cut after its header", 6, tcp(PSH_ACK, [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], 200), 14 + 20 + 32 + 10),
    cutIpv4("TCP cut inside its fixed header", 6, tcp(ACK, [], 10), 14 + 20 + 10),
    cutIpv4("TCP cut before its destination port", 6, tcp(ACK, [], 10), 14 + 20 + 3),
    cutIpv4("ICMP echo cut after 8 bytes", 1, echo, 14 + 20 + 10),
    cutIpv4("ICMP echo cut inside its header", 1, echo, 14 + 20 + 4),
    cutIpv4("ICMP of an unknown type, 3 bytes long by its totalLength", 1, [49, 0, 0, 0, 0, 0, 0, 0], 14 + 20 + 8, { totalLength: 23 }),
    cutIpv4("ICMP source quench, 2 bytes long by its totalLength", 1, [4, 0, 0, 0, 0, 0, 0, 0], 14 + 20 + 8, { totalLength: 22 }),
    cutIpv4("ICMP echo, 6 bytes long by its totalLength", 1, echo, 14 + 20 + 8, { totalLength: 26 }),
    cutIpv4("ICMP unreachable cut inside the quoted header", 1, unreachable, 14 + 20 + 8 + 12),
    cutIpv4("VRRPv2 cut after 8 bytes", 112, vrrp2, 14 + 20 + 8),
    cutIpv4("protocol 253 (experimental) cut by a snap length", 253, Array(40).fill(0), 14 + 20 + 4),
    cutIpv4("a datagram shorter on the wire than its totalLength (UDP)", 17, udp, 14 + 20 + 108, { totalLength: 20 + 108 + 30 }),
    cutIpv4("a datagram shorter on the wire than its totalLength (ICMP)", 1, echo, 14 + 20 + 64, { totalLength: 20 + 64 + 1000 }),
    cutIpv4("totalLength 0 (bad-len)", 6, tcp(ACK, []), 14 + 40, { totalLength: 0 }),
    cutIpv4("totalLength under the header length", 17, udp, 14 + 40, { totalLength: 12 }),
    cutIpv4("a later fragment cut", 17, udp, 14 + 20 + 8, { fragment: 0x0010 }),
  ];
}

/** Ethernet-in-UDP (VXLAN, OTV) to `port` with these tunnel flags, carrying `inner` (an Ethernet frame). */
function tunnel(name: string, port: number, flags: number, inner: Uint8Array): Case {
  const header = [flags, 0, 0, 0x2a, 0, 0, 100, 0];
  const udpLength = 8 + header.length + inner.length;
  return { name, bytes: ethernet(0x0800, ipv4(17, [0xa5, 0x5a, port >> 8, port & 0xff, udpLength >> 8, udpLength & 0xff, 0, 0, ...header, ...inner])) };
}

function tunnelCases(): Case[] {
  const innerArp = arp(1).bytes.subarray(0, 42);
  const innerEcho = ethernet(0x0800, ipv4(1, [8, 0, 0, 0, 0x12, 0x34, 0, 1, ...Array(56).fill(1)]));
  return [
    tunnel("VXLAN with ARP inside", 4789, 0x08, innerArp),
    tunnel("VXLAN with ICMP inside", 4789, 0x08, innerEcho),
    tunnel("VXLAN without the I flag", 4789, 0x00, innerEcho),
    tunnel("OTV with ICMP inside", 8472, 0x08, innerEcho),
    tunnel("OTV without the I flag", 8472, 0x02, innerArp),
  ];
}

let directory = "";
let files = 0;

/** tcpdump -n -S (absolute TCP numbers, as our writer here) over the cases, one line each. */
function tcpdumpLines(cases: readonly Case[]): string[] {
  const file = path.join(directory, `cases-${files++}.pcap`);
  const records = cases.map((c, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: 0, data: c.bytes, originalLength: c.wireLength ?? c.bytes.length }));
  fs.writeFileSync(file, writePcap(records));
  const result = spawnSync("tcpdump", ["-n", "-S", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  if (result.error !== undefined) throw new Error(`tcpdump could not run (apt-get install tcpdump): ${result.error.message}`);
  assert.equal(result.status, 0, `tcpdump failed: ${result.stderr}`);
  const lines = result.stdout.split("\n").filter((line) => line !== "" && !line.startsWith("\t"));
  assert.equal(lines.length, cases.length, "tcpdump printed one line per frame");
  return lines;
}

function ourLines(cases: readonly Case[]): string[] {
  const writer = new LineWriter(new TextBuffer(MAX_LINE_LENGTH), { absoluteSequence: true });
  return cases.map((c, i) => {
    writer.out.length = 0;
    writer.write(c.bytes, 1_700_000_000 + i, 0, c.wireLength ?? c.bytes.length);
    return writer.out.toString().slice(0, -1);
  });
}

function assertSameAsTcpdump(cases: readonly Case[]): string[] {
  const theirs = tcpdumpLines(cases);
  const ours = ourLines(cases);
  cases.forEach((c, i) => assert.equal(ours[i], theirs[i], `${c.name}: ours vs tcpdump's`));
  return theirs;
}

describe("packets/summary: the forms found differing on tcpdump's test captures, against tcpdump", function () {
  this.timeout(60_000);
  const savedTimeZone = process.env.TZ;

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-real-captures-"));
    process.env.TZ = "UTC";
  });

  after(() => {
    if (savedTimeZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedTimeZone;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("decodes MPTCP options of every subtype as tcpdump does, and rejects the forms it rejects", () => {
    const theirs = assertSameAsTcpdump(mptcpCases());
    // the cases reach what they are for
    for (const mark of ["capable v0 csum {", "capable v1 {", "join backup id", "join hmac", "dss fin ack", "csum 0x", "add-addr v1-echo", "hmac 0x", "rem-addr id 1 2 3", "prio backup id 7", "fail seq", "fast-close key", "mptcp 4 unknown", "[bad opt]", "Unknown Version"]) {
      assert.ok(theirs.some((line) => line.includes(mark)), `no case shows ${mark}`);
    }
  });

  it("prints ARP operations tcpdump hex-dumps, and ARP whose addresses were not captured, as tcpdump does", () => {
    const theirs = assertSameAsTcpdump(arpCases());
    assert.equal(theirs.filter((line) => line.endsWith(" [|arp]")).length, 4);
    assert.ok(theirs.some((line) => line.endsWith("ARP, NACK Reply ")));
    assert.ok(theirs.some((line) => line.endsWith("ARP, Unknown (29953) ")));
  });

  it("prints IPv4 cut by a snap length, shorter on the wire than its header says, or of a bad totalLength, as tcpdump does", () => {
    const theirs = assertSameAsTcpdump(cutIpv4Cases());
    for (const mark of ["UDP, length 100", "Flags [P.]", "[|tcp]", "ICMP echo request", "[|icmp]", "ICMP type-#49, length 3", "VRRPv2", "ip-proto-253 40", "truncated-ip - 30 bytes missing!", "bad-len 0"]) {
      assert.ok(theirs.some((line) => line.includes(mark)), `no case shows ${mark}`);
    }
  });

  it("prints frames under 802.1ad (QinQ) or several VLAN tags as the frame inside, as tcpdump does without -e", () => {
    const theirs = assertSameAsTcpdump(taggedCases());
    assert.ok(theirs[0].endsWith("ARP, Request who-has 198.51.100.2 tell 192.0.2.1, length 46"), theirs[0]);
  });

  it("prints VXLAN and OTV as tcpdump does: the tunnel's line, then the inner frame's on a line without time", () => {
    const cases = tunnelCases();
    const file = path.join(directory, "tunnels.pcap");
    fs.writeFileSync(file, writePcap(cases.map((c, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: 0, data: c.bytes, originalLength: c.bytes.length }))));
    const theirs = spawnSync("tcpdump", ["-n", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).stdout.trim().split("\n");
    const writer = new LineWriter(new TextBuffer(MAX_LINE_LENGTH));
    cases.forEach((c, i) => writer.write(c.bytes, 1_700_000_000 + i, 0, c.bytes.length));
    assert.deepEqual(writer.out.toString().trim().split("\n"), theirs);
    assert.equal(theirs.length, 2 * cases.length);
    assert.ok(theirs.some((line) => line.includes("VXLAN, flags [invalid] (0x00), vni 100")));
    assert.ok(theirs.some((line) => line.includes("OTV, flags [.] (0x02), overlay 42, instance 100")));
  });

  it("prints ICMPv6 node information queries, RPL and router renumbering as tcpdump does", () => {
    const theirs = assertSameAsTcpdump(icmp6Cases());
    for (const mark of ["who-are-you request, length 12", "(node addresses [aGSLCA], subject=2001:db8::1)", "subject=198.51.100.2", "unknown subject", "03 draft", "query [|icmp6]", "(CLR)DODAG Information Solicitation", "RPL message, unknown code 7", "(SEC) [worktodo]", "match(add,2001:db8:10::/48) use(2001:db8:20::/48/16)", "use(VP,", "[|icmp6], length", "sequence number reset", "code-#7"]) {
      assert.ok(theirs.some((line) => line.includes(mark)), `no case shows ${mark}`);
    }
  });

  it("prints VRRP and TCP over IPv6 with the IPv4 line's printers, as tcpdump does (relative numbers too)", () => {
    const cases = ipv6Cases();
    const theirs = assertSameAsTcpdump(cases);
    assert.equal(theirs.filter((line) => line.includes("VRRPv3, Advertisement")).length, 3);
    assert.ok(theirs.some((line) => line.includes("(ttl 64)")));
    assert.ok(theirs.some((line) => / > 2001:db8::2: HBH 40000 > 22: Flags \[\.\]/.test(line)));
    // relative sequence numbers over IPv6: a LineWriter with its conversation table, against plain tcpdump -n
    const file = path.join(directory, "relative.pcap");
    const conversation = [cases[3], cases[4], cases[4]];
    fs.writeFileSync(file, writePcap(conversation.map((c, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: 0, data: c.bytes, originalLength: c.bytes.length }))));
    const relative = spawnSync("tcpdump", ["-n", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).stdout.trim().split("\n");
    const writer = new LineWriter(new TextBuffer(MAX_LINE_LENGTH));
    conversation.forEach((c, i) => writer.write(c.bytes, 1_700_000_000 + i, 0, c.bytes.length));
    assert.deepEqual(writer.out.toString().trim().split("\n"), relative);
  });
});

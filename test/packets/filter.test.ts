// The pcap-filter compiler (src/packets/filter.ts) against tcpdump itself: a mixed capture (ARP,
// RARP, IPv4 ICMP/UDP/TCP/IGMP/SCTP, fragments, IPv4 options, 802.1Q and QinQ tags, IPv6 with
// ICMPv6/UDP/TCP and fragment/hop-by-hop headers, broadcast and multicast, a frame cut short by the
// snap length) is filtered by tcpdump and by our predicate, and the frames each keeps must be the same,
// for a table of primitives, systematic combinations of them, and random expressions (fast-check).
// Each frame has its own timestamp second, so `tcpdump -tt` names the frames it keeps.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { compileFilter, FilterError, parseIpv6 } from "../../src/packets/filter";
import { PcapRecordInput, writePcap } from "../../src/packets/pcap";
import { runTool, TCPDUMP } from "../helpers/tools";

const BASE_SECONDS = 1_700_000_000;

// --- a tiny frame builder: raw bytes, so nothing here depends on the codecs under test ---------

function bytes(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const mac = (text: string) => text.split(":").map((h) => parseInt(h, 16));
const v4 = (text: string) => text.split(".").map(Number);
const v6 = (text: string) => (parseIpv6(text) as number[]).flatMap((w) => [w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff]);

const A = "00:00:5e:00:53:01";
const B = "00:00:5e:00:53:02";
const BROADCAST = "ff:ff:ff:ff:ff:ff";

/** An Ethernet frame; each tag is [TPID, VLAN id], outermost first. Padded to 60 bytes. */
function ether(dst: string, src: string, type: number, payload: Uint8Array, tags: [number, number][] = []): Uint8Array {
  const frame = bytes(mac(dst), mac(src), ...tags.flatMap(([tpid, id]) => [u16(tpid), u16(id)]), u16(type), payload);
  return frame.length >= 60 ? frame : bytes(frame, new Array<number>(60 - frame.length).fill(0));
}

function ipv4(src: string, dst: string, protocol: number, payload: Uint8Array, options: { fragment?: number; optionWords?: number } = {}): Uint8Array {
  const words = options.optionWords ?? 0;
  const length = 20 + 4 * words + payload.length;
  return bytes([0x45 + words, 0], u16(length), [0x12, 0x34], u16(options.fragment ?? 0), [64, protocol, 0, 0], v4(src), v4(dst), new Array<number>(4 * words).fill(1), payload);
}

function ipv6(src: string, dst: string, next: number, payload: Uint8Array): Uint8Array {
  return bytes([0x60, 0, 0, 0], u16(payload.length), [next, 64], v6(src), v6(dst), payload);
}

const tcp = (sport: number, dport: number, flags: number, data: number[] = []) =>
  bytes(u16(sport), u16(dport), [0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags], u16(512), [0, 0, 0, 0], data);
const udp = (sport: number, dport: number, data: number[] = [1, 2, 3, 4]) => bytes(u16(sport), u16(dport), u16(8 + data.length), [0, 0], data);
const icmp = (type: number, code: number, rest: number[] = [0, 1, 0, 1]) => bytes([type, code, 0, 0], rest);
const arp = (op: number, sha: string, spa: string, tha: string, tpa: string) =>
  bytes([0, 1, 8, 0, 6, 4], u16(op), mac(sha), v4(spa), mac(tha), v4(tpa));
/** An IPv6 fragment header in front of `payload`. */
const fragment6 = (next: number, offsetAndFlags: number, payload: Uint8Array) => bytes([next, 0], u16(offsetAndFlags), [0, 0, 0, 7], payload);

interface Frame {
  readonly what: string;
  readonly data: Uint8Array;
  readonly wireLength?: number;
}

function mixedFrames(): Frame[] {
  const frames: Frame[] = [
    { what: "ARP request", data: ether(BROADCAST, A, 0x0806, arp(1, A, "192.0.2.17", "00:00:00:00:00:00", "192.0.2.1")) },
    { what: "ARP reply", data: ether(A, B, 0x0806, arp(2, B, "192.0.2.1", A, "192.0.2.17")) },
    { what: "RARP request", data: ether(BROADCAST, A, 0x8035, arp(3, A, "0.0.0.0", A, "0.0.0.0")) },
    { what: "ICMP echo", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 1, icmp(8, 0))) },
    { what: "ICMP echo reply", data: ether(A, B, 0x0800, ipv4("192.0.2.1", "192.0.2.17", 1, icmp(0, 0))) },
    { what: "ICMP port unreachable", data: ether(A, B, 0x0800, ipv4("192.0.2.1", "192.0.2.17", 1, icmp(3, 3, [0, 0, 0, 0, ...ipv4("192.0.2.17", "192.0.2.1", 17, udp(40000, 33434))]))) },
    { what: "ICMP time exceeded", data: ether(A, B, 0x0800, ipv4("198.51.100.7", "192.0.2.17", 1, icmp(11, 0, [0, 0, 0, 0]))) },
    { what: "UDP DNS query", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 17, udp(40000, 53))) },
    { what: "UDP DNS answer", data: ether(A, B, 0x0800, ipv4("192.0.2.1", "192.0.2.17", 17, udp(53, 40000, new Array<number>(80).fill(7)))) },
    { what: "DHCP broadcast", data: ether(BROADCAST, A, 0x0800, ipv4("0.0.0.0", "255.255.255.255", 17, udp(68, 67))) },
    { what: "mDNS multicast", data: ether("01:00:5e:00:00:fb", A, 0x0800, ipv4("192.0.2.17", "224.0.0.251", 17, udp(5353, 5353))) },
    { what: "TCP SYN", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "198.51.100.7", 6, tcp(40000, 80, 0x02))) },
    { what: "TCP SYN-ACK", data: ether(A, B, 0x0800, ipv4("198.51.100.7", "192.0.2.17", 6, tcp(80, 40000, 0x12))) },
    { what: "TCP ACK with data", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "198.51.100.7", 6, tcp(40000, 80, 0x10, [0x47, 0x45, 0x54, 0x20]))) },
    { what: "TCP FIN-ACK", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "198.51.100.7", 6, tcp(40000, 80, 0x11))) },
    { what: "TCP RST", data: ether(A, B, 0x0800, ipv4("192.0.2.1", "192.0.2.17", 6, tcp(22, 40001, 0x04))) },
    { what: "TCP PSH-ACK https", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "203.0.113.9", 6, tcp(40002, 443, 0x18, new Array<number>(300).fill(0x17)))) },
    { what: "IPv4 first fragment", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 17, udp(40003, 53, new Array<number>(40).fill(1)), { fragment: 0x2000 })) },
    { what: "IPv4 later fragment", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 17, bytes(u16(53), u16(53), new Array<number>(40).fill(2)), { fragment: 185 })) },
    { what: "IPv4 with options, TCP", data: ether(B, A, 0x0800, ipv4("10.1.2.3", "198.51.100.7", 6, tcp(8080, 22, 0x02), { optionWords: 1 })) },
    { what: "IGMP report", data: ether("01:00:5e:00:00:16", A, 0x0800, ipv4("192.0.2.17", "224.0.0.22", 2, bytes([0x22, 0, 0, 0, 0, 0, 0, 0]))) },
    { what: "SCTP", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 132, bytes(u16(5060), u16(5060), [0, 0, 0, 0, 0, 0, 0, 0]))) },
    { what: "VLAN 10 ICMP echo", data: ether(B, A, 0x0800, ipv4("198.51.100.7", "192.0.2.1", 1, icmp(8, 0)), [[0x8100, 10]]) },
    { what: "VLAN 20 ARP", data: ether(BROADCAST, A, 0x0806, arp(1, A, "192.0.2.17", "00:00:00:00:00:00", "198.51.100.7"), [[0x8100, 20]]) },
    { what: "VLAN 10 IPv6 UDP", data: ether(B, A, 0x86dd, ipv6("2001:db8::1", "2001:db8::2", 17, udp(40000, 53)), [[0x8100, 10]]) },
    { what: "QinQ 100/10 TCP", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 6, tcp(40004, 80, 0x02)), [[0x88a8, 100], [0x8100, 10]]) },
    { what: "ICMPv6 echo", data: ether(B, A, 0x86dd, ipv6("2001:db8::1", "2001:db8::2", 58, icmp(128, 0))) },
    { what: "ICMPv6 echo reply", data: ether(A, B, 0x86dd, ipv6("2001:db8::2", "2001:db8::1", 58, icmp(129, 0))) },
    { what: "ICMPv6 neighbor solicitation", data: ether("33:33:ff:00:00:02", A, 0x86dd, ipv6("fe80::1", "ff02::1:ff00:2", 58, icmp(135, 0, new Array<number>(20).fill(0)))) },
    { what: "IPv6 DHCPv6 to multicast", data: ether("33:33:00:01:00:02", A, 0x86dd, ipv6("fe80::1", "ff02::1:2", 17, udp(546, 547))) },
    { what: "IPv6 TCP SYN", data: ether(B, A, 0x86dd, ipv6("2001:db8::1", "2001:db8:1::5", 6, tcp(40005, 22, 0x02))) },
    { what: "IPv6 TCP in a fragment header", data: ether(B, A, 0x86dd, ipv6("2001:db8::1", "2001:db8::2", 44, fragment6(6, 1, tcp(40006, 80, 0x02)))) },
    { what: "IPv6 UDP in a fragment header", data: ether(B, A, 0x86dd, ipv6("2001:db8::2", "2001:db8::1", 44, fragment6(17, 1, udp(53, 40007)))) },
    { what: "IPv6 hop-by-hop then ICMPv6 (MLD)", data: ether("33:33:00:00:00:16", A, 0x86dd, ipv6("fe80::1", "ff02::16", 0, bytes([58, 0, 5, 2, 0, 0, 1, 0], icmp(143, 0)))) },
    { what: "EtherType 0x88b5", data: ether(B, A, 0x88b5, new Uint8Array(46)) },
    { what: "IPv4 TCP cut short by the snap length", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 6, tcp(40008, 80, 0x02))).subarray(0, 40), wireLength: 74 },
    { what: "IPv4 UDP, 1000 bytes", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "192.0.2.1", 17, udp(123, 123, new Array<number>(958).fill(3)))) },
    { what: "TCP SYN ECE CWR to 8080", data: ether(B, A, 0x0800, ipv4("10.1.2.3", "198.51.100.7", 6, tcp(40009, 8080, 0xc2))) },
    { what: "ICMPv6 router solicitation", data: ether("33:33:00:00:00:02", B, 0x86dd, ipv6("fe80::2", "ff02::2", 58, icmp(133, 0))) },
    { what: "IPv4-mapped address in IPv6", data: ether(B, A, 0x86dd, ipv6("::ffff:192.0.2.17", "2001:db8::2", 17, udp(40010, 69))) },
    { what: "802.3 LLC STP BPDU", data: ether("01:80:c2:00:00:00", A, 38, bytes([0x42, 0x42, 0x03], new Array<number>(35).fill(0))) },
    { what: "802.3 LLC SNAP-less SAP 0x06", data: ether(B, A, 20, bytes([0x06, 0x06, 0x03], new Array<number>(17).fill(0))) },
    { what: "IPv4 GRE", data: ether(B, A, 0x0800, ipv4("192.0.2.17", "203.0.113.9", 47, bytes([0, 0, 0x08, 0]))) },
    { what: "IPv4 NTP to 192.0.2.255", data: ether(BROADCAST, A, 0x0800, ipv4("192.0.2.17", "192.0.2.255", 17, udp(123, 123))) },
  ];
  return frames;
}

/** Primitives: each one alone, and the pieces the combinations and random expressions are made of. */
const PRIMITIVES = [
  "arp", "rarp", "ip", "ip6", "tcp", "udp", "icmp", "icmp6", "igmp", "sctp",
  "host 192.0.2.1", "src host 192.0.2.17", "dst host 192.0.2.1", "ip host 198.51.100.7", "arp host 192.0.2.1",
  "rarp host 0.0.0.0", "src or dst host 10.1.2.3", "src and dst net 192.0.2.0/24", "ip src 192.0.2.17", "arp dst 198.51.100.7",
  "net 192.0.2.0/24", "src net 10", "dst net 198.51.100.0 mask 255.255.255.0", "net 224.0.0.0/4", "dst net 192.0.2",
  "host 2001:db8::1", "ip6 host 2001:db8::2", "src host 2001:db8::1", "dst net 2001:db8:1::/48", "net ff02::/16",
  "ip6 net fe80::/10", "host ::ffff:192.0.2.17", "ip6 src fe80::1", "dst host ff02::1:ff00:2",
  "port 53", "port 80", "src port 40000", "dst port 22", "tcp port 80", "udp port 53", "tcp dst port 443", "udp src port 68",
  "sctp port 5060", "port domain", "port http", "port ntp", "port ssh", "port https", "udp port bootps", "tcp port https",
  "port 69", "tcp src or dst port 22", "port tftp",
  "portrange 1-1023", "tcp portrange 20-90", "udp dst portrange 500-600", "src portrange 40000-40010", "portrange 8000-8100",
  "ether host 00:00:5e:00:53:01", "ether src 00:00:5e:00:53:02", "ether dst ff:ff:ff:ff:ff:ff", "ether broadcast",
  "ether multicast", "broadcast", "multicast", "ether src host 00:00:5e:00:53:01",
  "ether proto 0x42", "ether proto 6", "ether proto 100", "ether proto 0x88b5", "ether proto \\ip6", "ether proto \\arp", "ether proto 0x8035", "ip proto 17", "ip proto \\tcp",
  "ip6 proto 58", "ip6 proto 17", "proto 6", "ip6 proto 0", "proto \\udp",
  "ip proto \\gre", "ip6 proto \\ipv6-icmp", "proto \\ipv6-frag", "portrange ftp-ssh", "portrange domain-http", "udp portrange bootps-tftp", "portrange ssh-domain",
  "ip broadcast", "ip multicast", "ip6 multicast",
  "vlan", "vlan 10", "vlan 20", "vlan 100",
  "less 60", "greater 100", "len > 100", "len <= 64", "len = 74", "len >= 1000",
  "tcp[13] & 2 != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn", "tcp[tcpflags] & tcp-rst != 0", "tcp[13] = 0x12",
  "tcp[tcpflags] & (tcp-ece|tcp-cwr) != 0", "tcp[tcpflags] & tcp-fin != 0",
  "ip[6:2] & 0x1fff = 0", "ip[6:2] & 0x1fff != 0", "ip[0] & 0xf > 5", "icmp[icmptype] == icmp-echo",
  "icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply", "icmp[0] = 3 and icmp[1] = 3",
  "icmp[icmptype] = icmp-timxceed", "icmp6[icmp6type] = icmp6-echo", "icmp6[0] = 135", "icmp6[icmp6type] > 128",
  "ip6[6] = 17", "ip6[6] == 44 and ip6[40] == 6", "udp[0:2] = 53", "udp[2:2] >= 1024", "tcp[0:2] + tcp[2:2] > 40000",
  "ether[0] & 1 = 1", "ether[12:2] = 0x86dd", "ether[12:2] = 0x8100", "arp[7] = 2", "ip[9] = 1", "ip[2:2] - 20 > 50",
  "ip[16:4] = 0xffffffff", "ip[12:4] & 0xffffff00 = 0xc0000200", "tcp[12] >> 4 > 4", "ip[0] & 0xf << 2 = 20",
  "len - 14 * 2 > 100", "len / 2 % 7 = 3", "tcp[(tcp[12] >> 4) * 4] = 0x47", "len - 1 ^ 3 = 71", "len & 6 ^ 3 = 0",
  "-len < 0x80000000", "ip[ip[0] & 0xf] = 0", "udp[8:4] = 0x01020304", "len % 0x10 = 0", "ip[1] | 1 = 1",
  "udp[4:2] * 2 > 100", "link[6:4] = 0x00005e00", "ip[22:2] = 80", "ip[0] = 0105", "ip6[0] >> 4 = 6",
];

/** Primitives combined more often in random expressions. */
const PIECES = [
  "arp", "ip", "ip6", "tcp", "udp", "icmp", "icmp6", "host 192.0.2.1", "host 2001:db8::1", "port 53", "port 80",
  "net 198.51.100.0/24", "vlan", "vlan 10", "broadcast", "multicast", "greater 100", "tcp[13] & 2 != 0",
  "ip6 multicast", "src port 40000", "ether src 00:00:5e:00:53:02", "ip[6:2] & 0x1fff = 0", "udp port domain",
];

function combinations(): string[] {
  const out: string[] = [];
  const few = ["arp", "tcp", "udp", "ip6", "icmp", "host 192.0.2.1", "port 80", "vlan", "broadcast", "tcp[13] & 2 != 0"];
  for (let i = 0; i < few.length; i++) {
    for (let j = i + 1; j < few.length; j++) {
      out.push(`${few[i]} and ${few[j]}`, `${few[i]} or not ${few[j]}`);
    }
  }
  out.push(
    "not arp", "! ip6", "not (tcp or udp)", "(tcp or udp) and not ip6", "tcp or udp and host 192.0.2.1",
    "arp or (icmp and ! host 198.51.100.7)", "icmp || udp && host 192.0.2.1", "host 192.0.2.1 or 198.51.100.7",
    "host 2001:db8::1 or 2001:db8::2", "port 53 or 80", "tcp port 80 or 443", "not host 192.0.2.1 or 192.0.2.17",
    "src host 192.0.2.17 and not dst port 80", "(port 22 or port 80) and tcp[tcpflags] & tcp-syn != 0",
    "vlan and arp", "vlan 10 and (icmp or arp)", "not vlan and arp", "vlan and ip6", "vlan 10 and ip6 and udp port 53",
    "vlan 100 and vlan 10 and tcp port 80", "vlan and vlan and tcp", "vlan or arp", "arp or vlan", "vlan and icmp[0] = 8",
    "vlan and host 198.51.100.7", "vlan and ether[12:2] = 0x8100", "vlan 10 and ip[9] = 1", "not vlan 10",
    "ip6 and tcp", "ip6 and (tcp or udp) and port 80", "ip6 and not icmp6", "icmp6 and ip6 multicast",
    "(ip or ip6) and udp", "greater 100 and tcp", "less 64 and (arp or icmp)", "len > 60 and len < 100",
    "ip and ip[6:2] & 0x1fff != 0 or icmp", "not tcp[13] & 2 != 0", "not port 80", "not (port 80 or port 53)",
    "src portrange 40000-40003 and dst port 80", "ether broadcast and not arp", "multicast and not ip6",
    "arp or tcp[13] = 0", "not (tcp[tcpflags] & tcp-syn != 0 or arp)", "len % 7 + 1 = 3", "len * 3 % 7 = 3", "len ^ 3 + 1 = 0",
    "host 10.1.2.3 or fe80::1", "host fe80::1 or 10.1.2.3", "(len > 100)", "(tcp[13]) & 2 != 0", "5 < len", "((arp))", "(ip6 or arp) and not (vlan)", "ip6 src fe80::1 or fe80::2",
    "tcp and (tcp[13] & 2 != 0)", "less 100 and vlan", "vlan and less 70", "host 192.0.2.1 and (port 53 or 80)",
    "ether src host 00:00:5e:00:53:01 or 00:00:5e:00:53:02", "not ip6 multicast and ip6", "(vlan) and ip6",
  );
  return out;
}

/** The frames tcpdump keeps for `expression`, by index into the capture, or why libpcap refused it. */
function tcpdumpKeeps(file: string, expression: string): number[] | { refused: string } | { rejectsAll: true } {
  let stdout: string;
  try {
    stdout = runTool(TCPDUMP, ["-n", "-tt", "-r", file, "--", expression]).stdout;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // libpcap's optimizer proves some filters (arp and tcp) match nothing, and tcpdump then stops
    if (error.message.includes("expression rejects all packets")) return { rejectsAll: true };
    const refused = /tcpdump: (shift by more than 31 bits|division by zero|modulus by zero)/.exec(error.message);
    if (refused !== null) return { refused: refused[1] };
    throw error;
  }
  return stdout
    .split("\n")
    .filter((line) => /^[0-9]/.test(line))
    .map((line) => Number(line.split(".")[0]) - BASE_SECONDS);
}

function oursKeeps(frames: readonly Frame[], expression: string): number[] {
  const predicate = compileFilter(expression);
  return frames.flatMap((frame, i) => (predicate(frame.data, frame.wireLength ?? frame.data.length) ? [i] : []));
}

describe("packets/filter", function () {
  this.timeout(300_000);
  let directory: string;
  let file: string;
  const frames = mixedFrames();

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-filter-"));
    file = path.join(directory, "mixed.pcap");
    const records: PcapRecordInput[] = frames.map((frame, i) => ({
      seconds: BASE_SECONDS + i,
      nanoseconds: 0,
      data: frame.data,
      originalLength: frame.wireLength ?? frame.data.length,
    }));
    fs.writeFileSync(file, writePcap(records, { snapLength: 65535 }));
  });

  after(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  function agree(expression: string): void {
    const result = tcpdumpKeeps(file, expression);
    if ("refused" in result) {
      assert.throws(() => compileFilter(expression), (e: unknown) => e instanceof FilterError && e.message === result.refused, expression);
      return;
    }
    let theirs: number[];
    if ("rejectsAll" in result) {
      // libpcap's optimizer drops code it proves unreachable (udp[0] ... and arp) before it folds
      // constants, so a divisor or shift it would refuse there goes unnoticed; we refuse it still
      try {
        compileFilter(expression);
      } catch (error) {
        if (error instanceof FilterError && /^(division by zero|modulus by zero|shift by more than 31 bits)$/.test(error.message)) return;
        throw error;
      }
      theirs = [];
    } else theirs = result;
    const ours = oursKeeps(frames, expression);
    assert.deepEqual(
      ours,
      theirs,
      `"${expression}": we keep [${ours.map((i) => frames[i].what).join(", ")}], tcpdump keeps [${theirs.map((i) => frames[i].what).join(", ")}]`,
    );
  }

  it("tcpdump reads every frame of the capture, one line each", () => {
    assert.deepEqual(tcpdumpKeeps(file, ""), frames.map((_, i) => i));
    assert.ok(frames.length >= 40);
  });

  it("keeps the frames tcpdump keeps, for each primitive alone", () => {
    assert.ok(new Set(PRIMITIVES).size === PRIMITIVES.length && PRIMITIVES.length >= 100, `${PRIMITIVES.length} primitives`);
    const kept = new Set<string>();
    for (const expression of PRIMITIVES) {
      agree(expression);
      kept.add(oursKeeps(frames, expression).join(","));
    }
    // the capture tells the primitives apart: most of them keep a set of frames no other keeps
    assert.ok(kept.size >= PRIMITIVES.length * 0.6, `only ${kept.size} different sets of frames for ${PRIMITIVES.length} primitives`);
  });

  it("keeps the frames tcpdump keeps, for combinations with and, or, not, parentheses and vlan", () => {
    const expressions = combinations();
    assert.ok(new Set(expressions).size === expressions.length && expressions.length >= 100, `${expressions.length} combinations`);
    for (const expression of expressions) agree(expression);
  });

  it("keeps the frames tcpdump keeps, for random expressions over the primitives", () => {
    const leaf = fc.oneof(fc.constantFrom(...PIECES), fc.constantFrom(...PRIMITIVES));
    const { expression } = fc.letrec<{ expression: string }>((tie) => ({
      expression: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.tuple(tie("expression"), fc.constantFrom("and", "or", "&&", "||"), tie("expression")).map(([a, op, b]) => `${a} ${op} ${b}`),
        tie("expression").map((e) => `not ${e}`),
        tie("expression").map((e) => `(${e})`),
      ),
    }));
    fc.assert(
      fc.property(expression, (text) => {
        agree(text);
      }),
      { numRuns: 150, seed: 1010 },
    );
  });

  it("keeps the frames tcpdump keeps, for random byte-offset comparisons with arithmetic", () => {
    const load = fc
      .tuple(
        fc.constantFrom("ether", "ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "igmp", "sctp"),
        fc.integer({ min: 0, max: 70 }),
        fc.constantFrom("", ":1", ":2", ":4"),
      )
      .map(([protocol, offset, size]) => `${protocol}[${offset}${size}]`);
    const operand = fc.oneof(load, fc.constant("len"), fc.integer({ min: 0, max: 0xffff }).map(String), fc.constantFrom("0x1fff", "0xff00", "tcp-syn", "icmp-echo"));
    const operation = fc.oneof(
      fc.tuple(fc.constantFrom("&", "|", "+", "-", "*", "^"), operand).map(([op, b]) => ` ${op} ${b}`),
      fc.tuple(fc.constantFrom("/", "%"), fc.integer({ min: 0, max: 300 })).map(([op, b]) => ` ${op} ${b}`),
      fc.tuple(fc.constantFrom("<<", ">>"), fc.integer({ min: 0, max: 40 })).map(([op, b]) => ` ${op} ${b}`),
    );
    const side = fc.tuple(operand, fc.array(operation, { maxLength: 2 })).map(([a, ops]) => a + ops.join(""));
    const relation = fc.tuple(side, fc.constantFrom("=", "==", "!=", "<", "<=", ">", ">="), side).map(([a, op, b]) => `${a} ${op} ${b}`);
    const expression = fc.oneof(
      relation,
      fc.tuple(relation, fc.constantFrom("and", "or"), fc.constantFrom(...PIECES)).map(([a, op, b]) => `${a} ${op} ${b}`),
      relation.map((r) => `not ${r}`),
      relation.map((r) => `vlan and ${r}`),
    );
    fc.assert(
      fc.property(expression, (text) => {
        agree(text);
      }),
      { numRuns: 200, seed: 1011 },
    );
  });

  it("refuses what it does not understand in one line that names the word", () => {
    const refusals: [string, RegExp][] = [
      ["host example.org", /"example\.org" is not an IPv4 address/],
      ["ah", /"ah" is not a filter word .* \(it takes ether ip ip6 .*\)/],
      ["gateway 192.0.2.1", /"gateway" is not supported/],
      ["192.0.2.1", /"192\.0\.2\.1" alone is not a test; write host 192\.0\.2\.1/],
      ["fe80::1", /"fe80::1" alone is not a test/],
      ["2001:db8::1 or arp", /"2001:db8::1" alone is not a test/],
      ["ip6 protochain 6", /"protochain" is not supported/],
      ["udp port http", /port "http" is tcp/],
      ["port nosuchservice", /"nosuchservice" is not a port number or a service name/],
      ["ip6 broadcast", /"ip6 broadcast" is not supported/],
      ["ip6 host 192.0.2.1", /"192\.0\.2\.1" is not an IPv6 address/],
      ["ip host 2001:db8::1", /"2001:db8::1" is an IPv6 address/],
      ["tcp[13] & 2", /comparison/],
      ["tcp[13:3] = 1", /"3" is not a load size/],
      ["len / 0 = 1", /division by zero/],
      ["len / ip[0] = 1", /division by zero/], // libpcap looks at the divisor's first statement only
      ["len % (1 >> 1) = 5", /modulus by zero/],
      ["len << 32 = 0", /shift by more than 31 bits/],
      ["net 192.0.2.1/24", /non-network bits/],
      ["vlan 4096", /"4096" is not a VLAN id/],
      ["host 192.0.2.1 and", /ends too early/],
      ["(arp", /"\)" is missing/],
      ["mpls", /"mpls" is not supported/],
      ["ether proto 0xe0", /IPX/],
      ["udp portrange ftp-ssh", /port in range "ftp-ssh" is tcp/],
      ["portrange ftp-data-ssh", /"ftp-data-ssh" is not a port range/],
      ["ether 00:00:5e:00:53:01", /"ether" needs host/],
      ["arp $", /"\$" is not a filter character/],
    ];
    for (const [expression, message] of refusals) {
      assert.throws(() => compileFilter(expression), (error: unknown) => {
        assert.ok(error instanceof FilterError, `${expression}: ${String(error)}`);
        assert.match(error.message, message, expression);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    }
  });

  it("rejects a frame whose test reads past its captured bytes, even under not, as BPF does", () => {
    const short = frames.findIndex((f) => f.wireLength !== undefined);
    for (const expression of ["tcp[13] & 2 != 0", "not tcp[13] & 2 != 0", "arp or tcp[13] = 0", "not (tcp[tcpflags] & tcp-syn != 0 or arp)"]) {
      assert.ok(!oursKeeps(frames, expression).includes(short), expression);
    }
    assert.ok(oursKeeps(frames, "tcp").includes(short));
  });

  it("reads IPv6 addresses in every text form", () => {
    assert.deepEqual(parseIpv6("::"), [0, 0, 0, 0]);
    assert.deepEqual(parseIpv6("::1"), [0, 0, 0, 1]);
    assert.deepEqual(parseIpv6("2001:db8::"), [0x20010db8, 0, 0, 0]);
    assert.deepEqual(parseIpv6("1:2:3:4:5:6:7:8"), [0x00010002, 0x00030004, 0x00050006, 0x00070008]);
    assert.deepEqual(parseIpv6("::ffff:192.0.2.1"), [0, 0, 0xffff, 0xc0000201]);
    for (const bad of ["1:2:3:4:5:6:7", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::1.2.3", "1:2:3:4:5:6:7::8", "192.0.2.1"]) {
      assert.equal(parseIpv6(bad), undefined, bad);
    }
  });
});

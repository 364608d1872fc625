// pcap-filter(7) expressions compiled to a predicate over a captured Ethernet frame's bytes, with the
// meaning libpcap's compiler gives them (the checks `tcpdump -d EXPR` prints), for frames we read
// ourselves (sniff -r): neither libpcap binding we use can run a compiled filter over such frames.
// It lives with the codecs because it is pure — text in, a function of (bytes, wire length) out, no
// I/O and no name lookups (service names come from a fixed table, see SERVICES) — and it reads the
// same EtherTypes and IP protocol numbers the codecs define.
//
// Understood: ether/ip/ip6/arp/rarp/tcp/udp/sctp/icmp/icmp6/igmp; [proto] [src|dst|src or dst|src and
// dst] host|net|port|portrange VALUE (IPv4 and IPv6 addresses and networks, MACs, port numbers and
// common service names); ether/ip/ip6 proto N; proto N; [ether|ip|ip6] broadcast|multicast; vlan [ID]
// (which moves every later test past the tag, as libpcap's does); less/greater N; comparisons of
// arithmetic over len, numbers, named constants and proto[expr:size] loads; and/or/not, &&/||/!,
// parentheses, and a bare value repeating the last qualifier (`host A or B`). Anything else is a
// FilterError naming the word. As in BPF, a load past the captured bytes rejects the whole frame.
// libpcap 1.10's quirks are kept where tcpdump's verdicts depend on them (see binary() and
// arithmeticUnary()); test/packets/filter.test.ts checks every verdict against tcpdump's.
import { Ipv4, Mac } from "./address";
import { ArpAt, Ipv4At, Ipv6At } from "./wire-literals";
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_RARP,
  ETHERTYPE_VLAN,
  ETHERNET_HEADER_LENGTH,
  VLAN_TAG_LENGTH,
} from "./ethernet";
import {
  IP_PROTOCOL_ICMP,
  IP_PROTOCOL_ICMPV6,
  IP_PROTOCOL_IGMP,
  IP_PROTOCOL_IPV6_FRAGMENT,
  IP_PROTOCOL_SCTP,
  IP_PROTOCOL_TCP,
  IP_PROTOCOL_UDP,
} from "./ipv4";
import { IP_PROTOCOL_AH, IP_PROTOCOL_IPV6, IPV6_DESTINATION_OPTIONS, IPV6_NO_NEXT_HEADER, IPV6_ROUTING } from "./ipv6";
import { VRRP_PROTOCOL } from "./vrrp";

/** True when the frame (its captured bytes, and its length on the wire) passes the filter. */
export type FramePredicate = (bytes: Uint8Array, wireLength: number) => boolean;

/** A filter the compiler does not understand: the message names the word and what is wrong. */
export class FilterError extends Error {
  /** Always "FilterError", so that the class survives minification and serialisation. */
  override readonly name = "FilterError";
}

/** The filter words compileFilter understands, one line each, for help texts. */
export const FILTER_LANGUAGE = `ether ip ip6 arp rarp tcp udp sctp icmp icmp6 igmp  vlan [ID]  less N  greater N
[ether|ip|ip6] broadcast|multicast     ether|ip|ip6 proto N|\\NAME  proto N|\\NAME
[ip|ip6|arp|rarp] [src|dst|src or dst|src and dst] host ADDR|net NET   (IPv4 or IPv6)
ether [src|dst] [host] MAC             net A.B.C.D/LEN | net ADDR mask MASK | net A.B.C | net V6/LEN
[tcp|udp|sctp] [src|dst] port N|NAME   [tcp|udp|sctp] [src|dst] portrange N-M|NAME-NAME
EXPR RELOP EXPR: len, numbers, proto[EXPR] / proto[EXPR:1|2|4] (ether ip ip6 arp rarp tcp udp
  sctp icmp icmp6 igmp), tcpflags tcp-syn... icmptype icmp-echo... icmp6type icmp6-echo...,
  + - * / % & | ^ << >>, and = == != < <= > >=
joined with and/&&, or/||, not/! and parentheses ("host A or B" repeats "host")`;

/** The words a refusal of an unknown word lists. */
const UNDERSTOOD =
  "ether ip ip6 arp rarp tcp udp sctp icmp icmp6 igmp src dst host net port portrange proto vlan broadcast multicast less greater, " +
  "and comparisons of len and proto[offset:size]";
const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;
const VLAN_ETHERTYPES = [ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD];
/** ether proto values up to this are 802.3 lengths, which libpcap reads as LLC SAPs: not handled. */
const ETHERNET_MTU = 1500;

/** Thrown by a load past the captured bytes (or a division by zero): the frame does not match at all. */
const REJECT = new Error("frame rejected");

function u8(b: Uint8Array, at: number): number {
  if (at < 0 || at >= b.length) throw REJECT;
  return b[at];
}

function u16(b: Uint8Array, at: number): number {
  if (at < 0 || at + 2 > b.length) throw REJECT;
  return (b[at] << 8) | b[at + 1];
}

function u32(b: Uint8Array, at: number): number {
  if (at < 0 || at + 4 > b.length) throw REJECT;
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

type Test = (b: Uint8Array, wire: number) => boolean;
/** An arithmetic value: the protocol checks its loads need, and how to compute it once they hold. */
interface Value {
  readonly guards: readonly Test[];
  readonly get: (b: Uint8Array, wire: number) => number;
  readonly constant?: number;
  /**
   * The number the value's first BPF statement loads, when that is a literal: libpcap's parser checks
   * a divisor's or shift's first statement, so `len / ip[0]` and `len / (0 + 5)` are refused too.
   */
  readonly first?: number;
}

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: IP_PROTOCOL_ICMP,
  igmp: IP_PROTOCOL_IGMP,
  tcp: IP_PROTOCOL_TCP,
  udp: IP_PROTOCOL_UDP,
  sctp: IP_PROTOCOL_SCTP,
  icmp6: IP_PROTOCOL_ICMPV6,
};
/** Names `proto \\NAME` takes, as in Debian's /etc/protocols (tcpdump asks getprotobyname). */
const PROTOCOL_NAMES: Readonly<Record<string, number>> = {
  icmp: IP_PROTOCOL_ICMP, igmp: IP_PROTOCOL_IGMP, ipencap: 4, tcp: IP_PROTOCOL_TCP, egp: 8, udp: IP_PROTOCOL_UDP, ipv6: IP_PROTOCOL_IPV6,
  "ipv6-route": IPV6_ROUTING, "ipv6-frag": IP_PROTOCOL_IPV6_FRAGMENT, rsvp: 46, gre: 47, esp: 50, ah: IP_PROTOCOL_AH, "ipv6-icmp": IP_PROTOCOL_ICMPV6,
  "ipv6-nonxt": IPV6_NO_NEXT_HEADER, "ipv6-opts": IPV6_DESTINATION_OPTIONS, ospf: 89, pim: 103, vrrp: VRRP_PROTOCOL, l2tp: 115, sctp: IP_PROTOCOL_SCTP, udplite: 136,
};
/** 802.2 SAPs for which libpcap's `ether proto` compares DSAP and SSAP both (ISO, IP, NetBEUI). */
const LLC_SAPS_BOTH = [0xfe, 0x06, 0xf0];
const LLC_SAP_IPX = 0xe0;
const ETHERTYPE_KEYWORDS: Readonly<Record<string, number>> = { ip: ETHERTYPE_IPV4, ip6: ETHERTYPE_IPV6, arp: ETHERTYPE_ARP, rarp: ETHERTYPE_RARP };
const PORT_PROTOCOLS = [IP_PROTOCOL_SCTP, IP_PROTOCOL_TCP, IP_PROTOCOL_UDP];

/**
 * Service names `port NAME` takes, as in Debian's /etc/services (tcpdump asks getservbyname; we
 * keep a fixed table so compiling stays pure and gives the same answer on every machine). A name
 * with only a tcp (udp) entry limits `port NAME` to tcp (udp), as libpcap does.
 */
const SERVICES: Readonly<Record<string, { readonly port: number; readonly tcp: boolean; readonly udp: boolean }>> = (() => {
  const table: Record<string, { port: number; tcp: boolean; udp: boolean }> = {};
  const add = (names: string, port: number, tcp: boolean, udp: boolean) => {
    for (const name of names.split(" ")) table[name] = { port, tcp, udp };
  };
  add("ftp-data", 20, true, false);
  add("ftp", 21, true, false);
  add("ssh", 22, true, false);
  add("telnet", 23, true, false);
  add("smtp mail", 25, true, false);
  add("domain", 53, true, true);
  add("bootps", 67, false, true);
  add("bootpc", 68, false, true);
  add("tftp", 69, false, true);
  add("http www", 80, true, false);
  add("kerberos", 88, true, true);
  add("pop3", 110, true, false);
  add("sunrpc portmapper", 111, true, true);
  add("ntp", 123, false, true);
  add("netbios-ns", 137, false, true);
  add("imap imap2", 143, true, false);
  add("snmp", 161, true, true);
  add("snmp-trap", 162, true, true);
  add("bgp", 179, true, false);
  add("ldap", 389, true, true);
  add("https", 443, true, true);
  add("microsoft-ds", 445, true, false);
  add("isakmp", 500, false, true);
  add("syslog", 514, true, true); // udp syslog, and tcp "shell" whose alias is syslog
  add("shell", 514, true, false);
  add("submission", 587, true, false);
  add("imaps", 993, true, false);
  add("pop3s", 995, true, false);
  add("openvpn", 1194, true, true);
  add("nfs", 2049, true, true);
  add("mysql", 3306, true, false);
  add("sip", 5060, true, true);
  add("postgresql", 5432, true, false);
  add("http-alt", 8080, true, false);
  return table;
})();

/** libpcap's named constants for byte-offset expressions. */
const NAMED_CONSTANTS: Readonly<Record<string, number>> = {
  tcpflags: 13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08, "tcp-ack": 0x10, "tcp-urg": 0x20,
  "tcp-ece": 0x40, "tcp-cwr": 0x80,
  icmptype: 0, icmpcode: 1, "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5,
  "icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
  "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
  icmp6type: 0, icmp6code: 1, "icmp6-destinationunreach": 1, "icmp6-packettoobig": 2, "icmp6-timeexceeded": 3,
  "icmp6-parameterproblem": 4, "icmp6-echo": 128, "icmp6-echoreply": 129, "icmp6-multicastlistenerquery": 130,
  "icmp6-multicastlistenerreportv1": 131, "icmp6-multicastlistenerdone": 132, "icmp6-routersolicit": 133,
  "icmp6-routeradvert": 134, "icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136, "icmp6-redirect": 137,
};

const LOAD_PROTOCOLS = new Set(["ether", "link", "ip", "ip6", "arp", "rarp", "tcp", "udp", "sctp", "icmp", "icmp6", "igmp"]);
const QUALIFIER_PROTOCOLS = new Set(["ether", "ip", "ip6", "arp", "rarp", "tcp", "udp", "sctp"]);
const RELATIONS = new Set(["=", "==", "!=", "<", "<=", ">", ">="]);
/** Words of pcap-filter(7) this compiler refuses, with why, so the refusal can say so. */
const REFUSED: Readonly<Record<string, string>> = {
  gateway: "it needs host name lookups",
  protochain: "it walks IPv6 extension headers, which this compiler does not",
  mpls: "MPLS labels are not read", pppoed: "PPPoE is not read", pppoes: "PPPoE is not read", geneve: "Geneve is not read",
  inbound: "a capture file has no direction", outbound: "a capture file has no direction",
  ifname: "pflog headers are not read", on: "pflog headers are not read",
};

const KEYWORDS = new Set([
  "and", "or", "not", "&&", "||", "!", "(", ")", "[", "]", ":", "src", "dst", "host", "net", "mask", "port", "portrange",
  "proto", "less", "greater", "len", "vlan", "broadcast", "multicast", "gateway", "icmp", "icmp6", "igmp", "link",
  ...QUALIFIER_PROTOCOLS, ...RELATIONS, "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>",
]);

type Direction = "src" | "dst" | "src or dst" | "src and dst";
type Kind = "host" | "net" | "port" | "portrange";
/** What a bare value after and/or repeats: `host A or B` is `host A or host B`. */
interface Qualifier {
  readonly protocol: string | undefined;
  readonly direction: Direction;
  readonly kind: Kind;
}

/**
 * Compiles a pcap-filter expression (see FILTER_LANGUAGE). `and` and `or` bind alike, left to
 * right, `not` tighter, as in pcap-filter(7); `vlan` moves every test after it past a VLAN tag.
 * @throws FilterError naming the word it does not understand
 */
export function compileFilter(text: string): FramePredicate {
  const test = new FilterParser(text).parse();
  return (bytes, wireLength) => {
    try {
      return test(bytes, wireLength);
    } catch (error) {
      if (error === REJECT) return false;
      throw error;
    }
  };
}

/** Splits a filter into words as libpcap's scanner does: MACs and IPv6 addresses are one word each. */
export function filterTokens(text: string): string[] {
  const tokens: string[] = [];
  const mac = /[0-9A-Fa-f]{1,2}(?:([:.-])[0-9A-Fa-f]{1,2})(?:\1[0-9A-Fa-f]{1,2}){4}(?![-\w:.])/y;
  const v6 = /[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/y;
  const word = /\\?[A-Za-z0-9_](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;
  const operator = /&&|\|\||<<|>>|!=|==|<=|>=|[()[\]!&|<>=+\-*/%^:]/y;
  let at = 0;
  while (at < text.length) {
    if (/\s/.test(text[at])) {
      at++;
      continue;
    }
    let found: string | undefined;
    for (const pattern of [mac, v6, word, operator]) {
      pattern.lastIndex = at;
      const match = pattern.exec(text);
      if (match === null) continue;
      if (pattern === v6 && parseIpv6(match[0]) === undefined) continue;
      found = match[0];
      break;
    }
    if (found === undefined) throw new FilterError(`"${text[at]}" is not a filter character`);
    tokens.push(found);
    at += found.length;
  }
  return tokens;
}

/** An IPv6 address in any RFC 4291 text form (`::`, a trailing dotted quad) as 4 words, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (!text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const words16: number[][] = [];
  const allGroups = halves.map(groups);
  const last = allGroups[allGroups.length - 1];
  for (const [h, list] of allGroups.entries()) {
    const words: number[] = [];
    for (const [i, group] of list.entries()) {
      if (h === allGroups.length - 1 && i === last.length - 1 && group.includes(".")) {
        if (!/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(group)) return undefined;
        const octets = group.split(".").map(Number);
        if (octets.some((o) => o > 255)) return undefined;
        words.push((octets[0] << 8) | octets[1], (octets[2] << 8) | octets[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) words.push(parseInt(group, 16));
      else return undefined;
    }
    words16.push(words);
  }
  let all: number[];
  if (words16.length === 1) {
    if (words16[0].length !== 8) return undefined;
    all = words16[0];
  } else {
    const missing = 8 - words16[0].length - words16[1].length;
    if (missing < 1) return undefined;
    all = [...words16[0], ...new Array<number>(missing).fill(0), ...words16[1]];
  }
  return [0, 1, 2, 3].map((i) => ((all[2 * i] << 16) | all[2 * i + 1]) >>> 0);
}

const constant = (value: number): Value => ({ guards: [], get: () => value, constant: value });

/**
 * `left operator right`, or the error libpcap gives for it: at once for a literal divisor or shift (as
 * libpcap's parser does), `deferred` for one folded from an expression (libpcap's optimizer finds
 * those after the whole filter is read, so an error further on is reported first).
 */
function binary(operator: string, left: Value, right: Value): Value | { readonly now?: string; readonly deferred?: string; readonly value: Value } {
  const ops: Readonly<Record<string, (a: number, b: number) => number>> = {
    "+": (a, b) => (a + b) >>> 0,
    "-": (a, b) => (a - b) >>> 0,
    "*": (a, b) => Math.imul(a, b) >>> 0,
    "/": (a, b) => {
      if (b === 0) throw REJECT;
      return Math.floor(a / b) >>> 0;
    },
    "%": (a, b) => {
      if (b === 0) throw REJECT;
      return a % b >>> 0;
    },
    "&": (a, b) => (a & b) >>> 0,
    "|": (a, b) => (a | b) >>> 0,
    "^": (a, b) => (a ^ b) >>> 0,
    "<<": (a, b) => (b < 32 ? (a << b) >>> 0 : 0),
    ">>": (a, b) => (b < 32 ? a >>> b : 0),
  };
  const op = ops[operator];
  // libpcap's optimizer refuses a divisor folded to zero, and a shift folded to 32 or more of a value it
  // cannot fold (one it can, it folds to 0)
  const problem =
    operator === "/" && right.constant === 0
      ? "division by zero"
      : operator === "%" && right.constant === 0
        ? "modulus by zero"
        : (operator === "<<" || operator === ">>") && right.constant !== undefined && right.constant > 31 && left.constant === undefined
          ? "shift by more than 31 bits"
          : undefined;
  const early =
    operator === "/" && right.first === 0
      ? "division by zero"
      : operator === "%" && right.first === 0
        ? "modulus by zero"
        : (operator === "<<" || operator === ">>") && right.first !== undefined && right.first > 31
          ? "shift by more than 31 bits"
          : undefined;
  if (early !== undefined) return { now: early, value: right };
  if (problem !== undefined) return { deferred: problem, value: { guards: left.guards, get: () => { throw REJECT; }, first: left.first } };
  // libpcap 1.10's gen_arth keeps the checks of the left operand's loads only: those of a load on the
  // right are dropped (`1 & ip6[0] = 0` tests every frame's byte 14), and tcpdump filters so.
  const guards = left.guards;
  if (left.constant !== undefined && right.constant !== undefined) return { ...constant(op(left.constant, right.constant)), first: left.first };
  const [l, r] = [left.get, right.get];
  return { guards, get: (b, w) => op(l(b, w), r(b, w)), first: left.first };
}

class FilterParser {
  private readonly tokens: string[];
  private at = 0;
  /** Where the network layer starts: 14, plus 4 for each `vlan` read so far. */
  private linkOffset = ETHERNET_HEADER_LENGTH;
  private lastQualifier: Qualifier | undefined;
  /** An error libpcap reports only once the whole filter is read (a divisor folded to zero). */
  private deferredError: string | undefined;

  constructor(text: string) {
    this.tokens = filterTokens(text);
  }

  parse(): Test {
    if (this.tokens.length === 0) return () => true;
    const test = this.expression();
    if (this.at < this.tokens.length) this.fail(`"${this.tokens[this.at]}" is not expected here`);
    if (this.deferredError !== undefined) this.fail(this.deferredError);
    return test;
  }

  private fail(detail: string): never {
    throw new FilterError(detail);
  }

  private peek(offset = 0): string | undefined {
    return this.tokens[this.at + offset];
  }

  private take(): string {
    const token = this.tokens[this.at++];
    if (token === undefined) this.fail("it ends too early");
    return token;
  }

  private expect(word: string): void {
    const token = this.peek();
    if (token !== word) this.fail(token === undefined ? `"${word}" is missing at the end` : `"${word}" is expected, not "${token}"`);
    this.at++;
  }

  private expression(): Test {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      if (token === "and" || token === "&&") {
        this.at++;
        const [a, b] = [left, this.unary()];
        left = (bytes, wire) => a(bytes, wire) && b(bytes, wire);
      } else if (token === "or" || token === "||") {
        this.at++;
        const [a, b] = [left, this.unary()];
        left = (bytes, wire) => a(bytes, wire) || b(bytes, wire);
      } else return left;
    }
  }

  private unary(): Test {
    const token = this.peek();
    if (token === "not" || token === "!") {
      this.at++;
      const inner = this.unary();
      return (bytes, wire) => !inner(bytes, wire);
    }
    if (token === "len" || (token !== undefined && LOAD_PROTOCOLS.has(token) && this.peek(1) === "[") || (token !== undefined && token in NAMED_CONSTANTS)) {
      return this.relation();
    }
    if (token === "(" || token === "-" || (token !== undefined && /^[0-9]/.test(token))) {
      // "(" opens a group or an arithmetic expression, a number is a value or a repeated qualifier's value:
      // try a comparison first, as libpcap's grammar does, and read it otherwise if that fails.
      const saved = { at: this.at, linkOffset: this.linkOffset, lastQualifier: this.lastQualifier, deferredError: this.deferredError };
      try {
        return this.relation();
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        const plainNumber = /^(0x[0-9a-f]+|[0-9]+)$/i.test(token);
        if (plainNumber && this.lastQualifier === undefined) throw error; // a number alone is a value, not a test
        Object.assign(this, saved);
      }
    }
    if (token === "(") {
      this.at++;
      const inner = this.expression();
      this.expect(")");
      return inner;
    }
    return this.primitive();
  }

  // --- comparisons ---------------------------------------------------------------------------

  private relation(): Test {
    const left = this.arithmetic();
    const operator = this.peek();
    if (operator === undefined || !RELATIONS.has(operator)) {
      this.fail(operator === undefined ? "a comparison (= != < <= > >=) is missing at the end" : `"${operator}" is not a comparison (= != < <= > >=)`);
    }
    this.at++;
    const right = this.arithmetic();
    const compare: Readonly<Record<string, (a: number, b: number) => boolean>> = {
      "=": (a, b) => a === b,
      "==": (a, b) => a === b,
      "!=": (a, b) => a !== b,
      "<": (a, b) => a < b,
      "<=": (a, b) => a <= b,
      ">": (a, b) => a > b,
      ">=": (a, b) => a >= b,
    };
    const holds = compare[operator];
    const guards = [...left.guards, ...right.guards];
    const [l, r] = [left.get, right.get];
    return (b, w) => {
      for (const guard of guards) if (!guard(b, w)) return false;
      return holds(l(b, w), r(b, w));
    };
  }

  /** Binary operators by binding, loosest first (libpcap's grammar; `^` and `%` are in arithmeticUnary). */
  private static readonly LEVELS: readonly (readonly string[])[] = [["|"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/"]];

  private arithmetic(level = 0): Value {
    const levels = FilterParser.LEVELS;
    if (level === levels.length) return this.arithmeticUnary();
    let left = this.arithmetic(level + 1);
    while (levels[level].includes(this.peek() ?? "")) {
      const operator = this.take();
      left = this.combineValues(operator, left, this.arithmetic(level + 1));
    }
    return left;
  }

  /**
   * A unary minus or an operand. libpcap's grammar gives `^` and `%` no precedence, so yacc shifts them:
   * each takes the operand just before it and all the arithmetic after it (`len - 1 ^ 3` is
   * `len - (1 ^ 3)`, `len / 2 % 7` is `len / (2 % 7)`), as `tcpdump -d` shows.
   */
  private arithmeticUnary(): Value {
    if (this.peek() === "-") {
      this.at++;
      const inner = this.arithmeticUnary();
      if (inner.constant !== undefined) return { ...constant((0 - inner.constant) >>> 0), first: inner.first };
      const get = inner.get;
      return { guards: inner.guards, get: (b, w) => (0 - get(b, w)) >>> 0, first: inner.first };
    }
    const operand = this.operand();
    const next = this.peek();
    if (next === "^" || next === "%") {
      this.at++;
      return this.combineValues(next, operand, this.arithmetic());
    }
    return operand;
  }

  private combineValues(operator: string, left: Value, right: Value): Value {
    const result = binary(operator, left, right);
    if (!("value" in result)) return result;
    if (result.now !== undefined) this.fail(result.now);
    this.deferredError ??= result.deferred;
    return result.value;
  }

  private operand(): Value {
    const token = this.take();
    if (token === "(") {
      const inner = this.arithmetic();
      this.expect(")");
      return inner;
    }
    if (token === "len") return { guards: [], get: (_b, wire) => wire };
    if (token in NAMED_CONSTANTS) return { ...constant(NAMED_CONSTANTS[token]), first: NAMED_CONSTANTS[token] };
    if (/^[0-9]/.test(token)) {
      const value = this.number(token, 0xffff_ffff, "a number");
      return { ...constant(value), first: value };
    }
    if (LOAD_PROTOCOLS.has(token) && this.peek() === "[") {
      this.at++;
      const index = this.arithmetic();
      let size = 1;
      if (this.peek() === ":") {
        this.at++;
        const sizeWord = this.take();
        if (sizeWord !== "1" && sizeWord !== "2" && sizeWord !== "4") this.fail(`"${sizeWord}" is not a load size (1, 2 or 4)`);
        size = Number(sizeWord);
      }
      this.expect("]");
      return this.load(token, index, size);
    }
    return this.fail(`"${token}" is not a value (a number, len, a named constant or proto[offset])`);
  }

  /** `protocol[index:size]`: the protocol's checks, and the bytes at its header's start plus index. */
  private load(protocol: string, index: Value, size: number): Value {
    const L = this.linkOffset;
    const read = size === 1 ? u8 : size === 2 ? u16 : u32;
    const at = index.get;
    let guard: Test | undefined;
    let base: (b: Uint8Array) => number;
    switch (protocol) {
      case "ether":
      case "link":
        base = () => 0;
        break;
      case "ip":
      case "ip6":
      case "arp":
      case "rarp": {
        const type = ETHERTYPE_KEYWORDS[protocol];
        guard = (b) => u16(b, L - 2) === type;
        base = () => L;
        break;
      }
      case "icmp6":
        // libpcap looks at the IPv6 next header only (no fragment header) and the fixed 40-byte header
        guard = (b) => u16(b, L - 2) === ETHERTYPE_IPV6 && u8(b, L + 6) === IP_PROTOCOL_ICMPV6;
        base = () => L + Ipv6At.HeaderLength;
        break;
      default: {
        // tcp udp sctp icmp igmp: IPv4 only, first fragments only, after the IPv4 header (pcap-filter(7))
        const number = PROTOCOL_NUMBERS[protocol];
        guard = (b) => u16(b, L - 2) === ETHERTYPE_IPV4 && u8(b, L + 9) === number && (u16(b, L + 6) & IPV4_FRAGMENT_OFFSET_MASK) === 0;
        base = (b) => L + (u8(b, L) & 0x0f) * 4;
      }
    }
    return {
      guards: guard === undefined ? index.guards : [...index.guards, guard],
      get: (b, w) => read(b, base(b) + at(b, w)),
      first: index.first,
    };
  }

  // --- primitives ----------------------------------------------------------------------------

  private direction(): Direction | undefined {
    const first = this.peek();
    if (first !== "src" && first !== "dst") return undefined;
    this.at++;
    const joiner = this.peek();
    const second = this.peek(1);
    if ((joiner === "or" || joiner === "and") && (second === "src" || second === "dst") && second !== first) {
      this.at += 2;
      return joiner === "or" ? "src or dst" : "src and dst";
    }
    return first;
  }

  private primitive(): Test {
    const token = this.take();
    const L = this.linkOffset;
    if (token in REFUSED) this.fail(`"${token}" is not supported: ${REFUSED[token]}`);
    switch (token) {
      case "vlan": {
        const next = this.peek();
        const id = next !== undefined && /^[0-9]/.test(next) && !RELATIONS.has(this.peek(1) ?? "") ? this.number(this.take(), 4095, "a VLAN id") : undefined;
        this.linkOffset += VLAN_TAG_LENGTH;
        return (b) => VLAN_ETHERTYPES.includes(u16(b, L - 2)) && (id === undefined || (u16(b, L) & 0x0fff) === id);
      }
      case "broadcast":
        return (b) => u32(b, 0) === 0xffff_ffff && u16(b, 4) === 0xffff;
      case "multicast":
        return (b) => (u8(b, 0) & 1) === 1;
      case "less":
      case "greater": {
        const size = this.number(this.take(), 0xffff_ffff, "a length");
        return token === "less" ? (_b, wire) => wire <= size : (_b, wire) => wire >= size;
      }
      case "proto":
        return this.protocolTest(undefined, this.take());
      case "icmp":
      case "igmp":
        return this.ipv4Protocol(PROTOCOL_NUMBERS[token]);
      case "icmp6":
        return this.ipv6Protocol(IP_PROTOCOL_ICMPV6);
    }
    if (QUALIFIER_PROTOCOLS.has(token)) return this.protocolPrimitive(token);
    if (token === "src" || token === "dst" || token === "host" || token === "net" || token === "port" || token === "portrange") {
      this.at--;
      return this.qualifiedPrimitive(undefined);
    }
    if (!KEYWORDS.has(token)) {
      if (this.lastQualifier !== undefined) return this.qualified(this.lastQualifier, token);
      if (/^[0-9]+(\.[0-9]+){3}$/.test(token) || parseIpv6(token) !== undefined) {
        return this.fail(`"${token}" alone is not a test; write host ${token} (tcpdump wants it so too)`);
      }
      if (/^[0-9]/.test(token)) return this.fail(`"${token}" is a number where a test is expected (write host, net, port or a comparison)`);
      return this.fail(`"${token}" is not a filter word this compiler understands (it takes ${UNDERSTOOD}; and it looks up no names)`);
    }
    return this.fail(`"${token}" is not expected here`);
  }

  /** After ether/ip/ip6/arp/rarp/tcp/udp/sctp: a protocol test, or a qualifier for what follows. */
  private protocolPrimitive(protocol: string): Test {
    const next = this.peek();
    const L = this.linkOffset;
    if (next !== undefined && next in REFUSED) this.fail(`"${next}" is not supported: ${REFUSED[next]}`);
    if (next === "proto") {
      this.at++;
      return this.protocolTest(protocol, this.take());
    }
    if (next === "broadcast" || next === "multicast") {
      this.at++;
      if (protocol === "ether") return (this.at--, this.primitive());
      if (protocol === "ip" && next === "broadcast") return (b) => u16(b, L - 2) === ETHERTYPE_IPV4 && (u32(b, L + 16) === 0 || u32(b, L + 16) === 0xffff_ffff);
      if (protocol === "ip") return (b) => u16(b, L - 2) === ETHERTYPE_IPV4 && u8(b, L + 16) >= 224;
      if (protocol === "ip6" && next === "multicast") return (b) => u16(b, L - 2) === ETHERTYPE_IPV6 && u8(b, L + 24) === 0xff;
      return this.fail(`"${protocol} ${next}" is not supported (only ether broadcast/multicast, ip broadcast/multicast and ip6 multicast are)`);
    }
    if (next === "src" || next === "dst" || next === "host" || next === "net" || next === "port" || next === "portrange") {
      return this.qualifiedPrimitive(protocol);
    }
    if (protocol === "ether") return this.fail(`"ether" needs host, src, dst, proto, broadcast or multicast after it`);
    if (protocol === "tcp" || protocol === "udp" || protocol === "sctp") return this.ipv4Or6Protocol(PROTOCOL_NUMBERS[protocol]);
    const type = ETHERTYPE_KEYWORDS[protocol];
    return (b) => u16(b, L - 2) === type;
  }

  /** `[dir] [host|net|port|portrange] VALUE` after an optional protocol qualifier. */
  private qualifiedPrimitive(protocol: string | undefined): Test {
    const direction = this.direction() ?? "src or dst";
    let kind: Kind = "host";
    const next = this.peek();
    if (next === "host" || next === "net" || next === "port" || next === "portrange") {
      this.at++;
      kind = next;
    } else if (next === "gateway") this.fail(`"gateway" is not supported: ${REFUSED.gateway}`);
    return this.qualified({ protocol, direction, kind }, this.take());
  }

  /** The test for `qualifier value`; remembers the qualifier for a bare value after and/or. */
  private qualified(qualifier: Qualifier, value: string): Test {
    if (KEYWORDS.has(value)) this.fail(`"${value}" is not expected here (a value for ${qualifier.kind} is)`);
    this.lastQualifier = qualifier;
    const { protocol, direction, kind } = qualifier;
    if (protocol === "ether") {
      if (kind !== "host") this.fail(`"ether ${kind}" is not supported (ether takes host, src, dst, proto, broadcast, multicast)`);
      return this.etherHost(direction, value);
    }
    if (kind === "port" || kind === "portrange") return this.portTest(protocol, direction, kind, value);
    if (protocol !== undefined && !["ip", "ip6", "arp", "rarp"].includes(protocol)) {
      this.fail(`"${protocol} ${kind}" is not supported (${kind} goes with ip, ip6, arp or rarp)`);
    }
    const v6 = value.includes(":");
    if (v6) {
      if (protocol !== undefined && protocol !== "ip6") this.fail(`"${value}" is an IPv6 address, which "${protocol} ${kind}" does not take`);
      const [network, mask] = kind === "host" ? [this.ipv6(value), [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff]] : this.ipv6Network(value);
      return this.ipv6AddressTest(direction, network, mask);
    }
    if (protocol === "ip6") this.fail(`"${value}" is not an IPv6 address, which "ip6 ${kind}" needs`);
    const [network, mask] = kind === "host" ? [this.address(value), 0xffff_ffff] : this.network(value);
    return this.addressTest(protocol, direction, network, mask);
  }

  private etherHost(direction: Direction, value: string): Test {
    let mac: Mac;
    try {
      mac = Mac.parse(value);
    } catch {
      return this.fail(`"${value}" is not a MAC address`);
    }
    const high = Math.floor(mac.value / 0x1_0000_0000);
    const low = mac.value % 0x1_0000_0000;
    const at = (offset: number) => (b: Uint8Array) => u16(b, offset) === high && u32(b, offset + 2) === low;
    return combine(direction, at(6), at(0));
  }

  /** `[tcp|udp|sctp] [dir] port|portrange V`: IPv4 first fragments and IPv6 (next header only), as libpcap. */
  private portTest(protocol: string | undefined, direction: Direction, kind: "port" | "portrange", value: string): Test {
    if (protocol !== undefined && !(protocol in PROTOCOL_NUMBERS && PORT_PROTOCOLS.includes(PROTOCOL_NUMBERS[protocol]))) {
      this.fail(`"${protocol} ${kind}" is not supported (${kind} goes with tcp, udp or sctp)`);
    }
    let protocols: readonly number[] = protocol === undefined ? PORT_PROTOCOLS : [PROTOCOL_NUMBERS[protocol]];
    let low: number;
    let high: number;
    if (kind === "port") {
      [low, protocols] = this.port(value, protocol, protocols);
      high = low;
    } else {
      [low, high, protocols] = this.portRange(value, protocol, protocols);
    }
    const L = this.linkOffset;
    const inRange = low === high ? (port: number) => port === low : (port: number) => port >= low && port <= high;
    const v4Ends = combine(
      direction,
      (b) => inRange(u16(b, L + (u8(b, L) & 0x0f) * 4)),
      (b) => inRange(u16(b, L + (u8(b, L) & 0x0f) * 4 + 2)),
    );
    const v6Ends = combine(
      direction,
      (b) => inRange(u16(b, L + Ipv6At.HeaderLength)),
      (b) => inRange(u16(b, L + Ipv6At.HeaderLength + 2)),
    );
    return (b, w) => {
      const type = u16(b, L - 2);
      if (type === ETHERTYPE_IPV4) {
        return protocols.includes(u8(b, L + 9)) && (u16(b, L + 6) & IPV4_FRAGMENT_OFFSET_MASK) === 0 && v4Ends(b, w);
      }
      return type === ETHERTYPE_IPV6 && protocols.includes(u8(b, L + 6)) && v6Ends(b, w);
    };
  }

  /** A port number or service name: [port, the protocols it applies to]. */
  private port(value: string, protocol: string | undefined, protocols: readonly number[]): [number, readonly number[]] {
    if (/^[0-9]/.test(value)) return [this.number(value, 0xffff, "a port number"), protocols];
    const service = SERVICES[value.replace(/^\\/, "")];
    if (service === undefined) return this.fail(`"${value}" is not a port number or a service name sniff -r knows (${Object.keys(SERVICES).join(" ")})`);
    if (service.tcp && service.udp) return [service.port, protocols];
    const only = service.tcp ? "tcp" : "udp";
    if (protocol !== undefined && protocol !== only) this.fail(`port "${value}" is ${only}`);
    return [service.port, [PROTOCOL_NUMBERS[only]]];
  }

  /**
   * `N-M`, or `NAME-NAME` split at the first "-" as libpcap does: [low, high, the protocols]. Two
   * names for different protocols give all of them (libpcap's rule).
   */
  private portRange(value: string, protocol: string | undefined, protocols: readonly number[]): [number, number, readonly number[]] {
    const numbers = /^([0-9]+)-([0-9]+)$/.exec(value);
    let low: number;
    let high: number;
    if (numbers !== null) {
      low = this.number(numbers[1], 0xffff, "a port number");
      high = this.number(numbers[2], 0xffff, "a port number");
    } else {
      const dash = value.indexOf("-");
      const [first, second] = dash < 0 ? [undefined, undefined] : [SERVICES[value.slice(0, dash)], SERVICES[value.slice(dash + 1)]];
      if (first === undefined || second === undefined) return this.fail(`"${value}" is not a port range (N-M, or NAME-NAME from the service names)`);
      low = first.port;
      high = second.port;
      const only = (service: typeof first) => (service.tcp && service.udp ? undefined : service.tcp ? "tcp" : "udp");
      const limit = only(first) === only(second) ? only(first) : undefined;
      if (limit !== undefined) {
        if (protocol !== undefined && protocol !== limit) this.fail(`port in range "${value}" is ${limit}`);
        protocols = [PROTOCOL_NUMBERS[limit]];
      }
    }
    return low <= high ? [low, high, protocols] : [high, low, protocols];
  }

  /** `ether|ip|ip6 proto N` and `proto N` (IPv4 or IPv6). */
  private protocolTest(protocol: string | undefined, word: string): Test {
    const name = word.replace(/^\\/, "");
    const L = this.linkOffset;
    if (protocol === "ether") {
      const type = name in ETHERTYPE_KEYWORDS ? ETHERTYPE_KEYWORDS[name] : this.number(name, 0xffff, "an EtherType (or an LLC SAP)");
      if (type > ETHERNET_MTU) return (b) => u16(b, L - 2) === type;
      // an 802.3 frame (a length where the type would be) whose LLC header has this SAP
      if (type === LLC_SAP_IPX) this.fail(`"ether proto ${word}" (IPX) is not supported: IPX has several framings`);
      if (LLC_SAPS_BOTH.includes(type)) return (b) => u16(b, L - 2) <= ETHERNET_MTU && u16(b, L) === ((type << 8) | type);
      return (b) => u16(b, L - 2) <= ETHERNET_MTU && u8(b, L) === type;
    }
    const number = name in PROTOCOL_NAMES ? PROTOCOL_NAMES[name] : this.number(name, 255, "an IP protocol number or name");
    if (protocol === "ip") return this.ipv4Protocol(number);
    if (protocol === "ip6") return this.ipv6Protocol(number);
    if (protocol === undefined) return this.ipv4Or6Protocol(number);
    return this.fail(`"${protocol} proto" is not supported (proto goes with ether, ip or ip6)`);
  }

  private ipv4Protocol(number: number): Test {
    const L = this.linkOffset;
    return (b) => u16(b, L - 2) === ETHERTYPE_IPV4 && u8(b, L + 9) === number;
  }

  /** The IPv6 next header, or the one after a fragment header, as libpcap's `ip6 proto`. */
  private ipv6Protocol(number: number): Test {
    const L = this.linkOffset;
    return (b) => {
      if (u16(b, L - 2) !== ETHERTYPE_IPV6) return false;
      const next = u8(b, L + 6);
      return next === number || (next === IP_PROTOCOL_IPV6_FRAGMENT && u8(b, L + Ipv6At.HeaderLength) === number);
    };
  }

  private ipv4Or6Protocol(number: number): Test {
    const v4 = this.ipv4Protocol(number);
    const v6 = this.ipv6Protocol(number);
    return (b, w) => v4(b, w) || v6(b, w);
  }

  /** IPv4 source/destination, and ARP/RARP sender/target protocol address, as libpcap's host/net. */
  private addressTest(protocol: string | undefined, direction: Direction, network: number, mask: number): Test {
    const L = this.linkOffset;
    const matches = (offset: number) => (b: Uint8Array) => ((u32(b, L + offset) & mask) >>> 0) === network;
    const ip = combine(direction, matches(Ipv4At.Source), matches(Ipv4At.Destination));
    const arp = combine(direction, matches(ArpAt.SenderIp), matches(ArpAt.TargetIp));
    const isIp: Test = (b) => u16(b, L - 2) === ETHERTYPE_IPV4 && ip(b, 0);
    const isArp = (type: number): Test => (b) => u16(b, L - 2) === type && arp(b, 0);
    if (protocol === "ip") return isIp;
    if (protocol === "arp") return isArp(ETHERTYPE_ARP);
    if (protocol === "rarp") return isArp(ETHERTYPE_RARP);
    const arpOnly = isArp(ETHERTYPE_ARP);
    const rarpOnly = isArp(ETHERTYPE_RARP);
    return (b, wire) => isIp(b, wire) || arpOnly(b, wire) || rarpOnly(b, wire);
  }

  private ipv6AddressTest(direction: Direction, network: readonly number[], mask: readonly number[]): Test {
    const L = this.linkOffset;
    const matches = (offset: number) => (b: Uint8Array) => {
      for (let i = 0; i < 4; i++) if (((u32(b, L + offset + 4 * i) & mask[i]) >>> 0) !== network[i]) return false;
      return true;
    };
    const ends = combine(direction, matches(8), matches(24));
    return (b, w) => u16(b, L - 2) === ETHERTYPE_IPV6 && ends(b, w);
  }

  private address(text: string): number {
    try {
      return Ipv4.parse(text).value;
    } catch {
      return this.fail(`"${text}" is not an IPv4 address (sniff -r looks up no host names)`);
    }
  }

  private ipv6(text: string): number[] {
    return parseIpv6(text) ?? this.fail(`"${text}" is not an IPv6 address`);
  }

  /** `V6/LEN` (after the address, "/" and the length are their own words): [network, mask] as 4 words. */
  private ipv6Network(text: string): [readonly number[], readonly number[]] {
    const network = this.ipv6(text);
    let length = 128;
    if (this.peek() === "/") {
      this.at++;
      length = this.number(this.take(), 128, "a prefix length");
    }
    const mask = [0, 1, 2, 3].map((i) => {
      const bits = Math.max(0, Math.min(32, length - 32 * i));
      return bits === 0 ? 0 : (0xffff_ffff << (32 - bits)) >>> 0;
    });
    if (network.some((word, i) => ((word & ~mask[i]) >>> 0) !== 0)) this.fail(`non-network bits set in "${text}/${length}"`);
    return [network, mask];
  }

  /** `A.B.C.D/LEN`, `A.B.C` (a /24, as tcpdump reads it) or `A.B.C.D mask M`: [network, mask]. */
  private network(text: string): [number, number] {
    if (this.peek() === "/") {
      this.at++;
      const length = this.number(this.take(), 32, "a prefix length");
      const mask = length === 0 ? 0 : (0xffff_ffff << (32 - length)) >>> 0;
      const network = this.partialAddress(text);
      if (((network & ~mask) >>> 0) !== 0) this.fail(`non-network bits set in "${text}/${length}"`);
      return [network, mask];
    }
    if (this.peek() === "mask") {
      this.at++;
      const mask = this.address(this.take());
      const network = this.address(text);
      if (((network & ~mask) >>> 0) !== 0) this.fail(`non-network bits set in "${text} mask ${new Ipv4(mask)}"`);
      return [network, mask];
    }
    const network = this.partialAddress(text);
    return [network, (0xffff_ffff << (32 - 8 * text.split(".").length)) >>> 0];
  }

  /** `A`, `A.B`, `A.B.C` or `A.B.C.D`: the octets given, then zeros. */
  private partialAddress(text: string): number {
    const parts = text.split(".");
    if (parts.length > 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) this.fail(`"${text}" is not an IPv4 network`);
    let value = 0;
    for (let i = 0; i < 4; i++) value = value * 256 + (i < parts.length ? Number(parts[i]) : 0);
    return value;
  }

  /** Decimal, 0x hexadecimal or 0-led octal, as libpcap reads numbers. */
  private number(text: string, max: number, what: string): number {
    const value = /^0x[0-9a-f]+$/i.test(text)
      ? parseInt(text, 16)
      : /^0[0-7]+$/.test(text)
        ? parseInt(text, 8)
        : /^[0-9]+$/.test(text)
          ? Number(text)
          : NaN;
    if (!Number.isInteger(value) || value > max) this.fail(`"${text}" is not ${what} (0 to ${max})`);
    return value;
  }
}

function combine(direction: Direction, source: Test, destination: Test): Test {
  switch (direction) {
    case "src":
      return source;
    case "dst":
      return destination;
    case "src or dst":
      return (b, wire) => source(b, wire) || destination(b, wire);
    case "src and dst":
      return (b, wire) => source(b, wire) && destination(b, wire);
  }
}

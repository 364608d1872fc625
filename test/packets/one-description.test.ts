// One description per header (issue 10): each header's buffer-layout description is the only source
// of its offsets; the hot-path literals in src/packets/wire-literals.ts are checked against it when
// the codecs load, and every other module imports them. This test reads the sources and fails when a
// hand-copied offset or a second definition of a shared constant comes back: a copy that is never
// checked is how the codecs, the view and the summaries drifted apart before.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeFrame, encodeFrame, FrameView, arpReply, ethernetHeader, ETHERTYPE_ARP, Ipv4, Mac } from "../../src/packets";

const SRC = join(__dirname, "..", "..", "..", "src");
const PACKETS = join(SRC, "packets");

/** The source without its comments (line and block) and string contents, so that only code is scanned. */
function code(path: string): string {
  return readFileSync(path, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, " "))
    .replace(/`(?:\\.|[^`\\])*`|"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/\/\/[^\n]*/g, "");
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Lines of `text` matching `pattern`, as "file:line: text". */
function hits(file: string, text: string, pattern: RegExp, firstLine = 1): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (pattern.test(line)) found.push(`${file}:${firstLine + i}: ${line.trim()}`);
  });
  return found;
}

/** The text of each top-level function of `source` whose name matches `name`, with its first line number. */
function functions(source: string, name: RegExp): { name: string; line: number; text: string }[] {
  const lines = source.split("\n");
  const out: { name: string; line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(?:export )?function (\w+)\(/.exec(lines[i]);
    if (m === null || !name.test(m[1])) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== "}") end++;
    out.push({ name: m[1], line: i + 1, text: lines.slice(i, end + 1).join("\n") });
  }
  return out;
}

/** A header offset written as a number after a header's base: `at + 14`, `networkOffset + 9`, `bytes[12]`. */
const NUMERIC_OFFSET = /\b(?:at|start|offset|networkOffset|transportOffset)\s*\+\s*(?:[4-9]|\d\d+)\b|\b(?:b|bytes)\[\d+\]/;

/**
 * The same for the summary writers, whose header bases have more names (`ip`, `c.ip`, `cp`, `t`,
 * `quoted`, `match`, `use`, `record`, `option`…) and whose offsets inside a header may follow an index
 * (`at + i + 2`, `cp + group + 4`). Every offset counts, +1 too; the one exception is a word put
 * together from its own bytes (`(b[at] << 8) | b[at + 1]`), which isLineOfOneField lets through.
 */
const SUMMARY_OFFSET =
  /(?<![\w.])(?:c\.)?(?:ip|cp|t|at|quoted|match|use|upper|opt|start|record|option|subject|ipv4Header|address|addresses|group|after)\s*\+\s*(?:\w+\s*\+\s*)?(\d+)\b|\b(?:b|bytes)\[\d+\]/g;

/**
 * The same for the codec modules (ipv6.ts, icmpv6.ts, tcp.ts, udp.ts, vrrp.ts), whose bases are also
 * `offset` and an option's `o`, and whose encoders write a word's bytes one by one.
 */
const CODEC_OFFSET = new RegExp(SUMMARY_OFFSET.source.replace("(?:ip|cp|", "(?:o|offset|ip|cp|"), "g");
/** A line that puts a word together from its bytes, or takes one apart (`>>> 8`, `& 0xff`) to write them. */
const CODEC_WORD_LINE = /<<\s*(?:8|16|24)\b|>>>\s*(?:8|16|24)\b|&\s*0xff\b/;

/** The lines of `text` with a SUMMARY_OFFSET that is not one of the bytes (+1..+3) of a word being assembled. */
function summaryHits(file: string, text: string, firstLine = 1, pattern = SUMMARY_OFFSET, wordLine = /<<\s*(?:8|16|24)\b/): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, i) => {
    const assemblesWord = wordLine.test(line);
    for (const m of line.matchAll(pattern)) {
      const byteOfWord = assemblesWord && m[1] !== undefined && Number(m[1]) <= 3;
      if (!byteOfWord) {
        found.push(`${file}:${firstLine + i}: ${line.trim()}`);
        break;
      }
    }
  });
  return found;
}

/**
 * summary-ipv6.ts, transport-summary.ts and linktype.ts without the functions that read no header:
 * an IPv6 address's text form (its groups, and the IPv4 address an IPv4-mapped one ends with).
 * transport-summary's TCP option printers are scanned: the option bodies are described in tcp.ts.
 */
const SUMMARY_FILES: readonly { file: string; unscanned: RegExp }[] = [
  { file: "summary-ipv6.ts", unscanned: /^(?:writeIpv6Address)$/ },
  { file: "transport-summary.ts", unscanned: /^$/ },
  { file: "linktype.ts", unscanned: /^$/ },
];

/** The codec modules scanned whole: the ones of IPv6, ICMPv6, UDP, TCP and VRRP (codecs v2). */
const CODEC_FILES = ["ipv6.ts", "icmpv6.ts", "tcp.ts", "udp.ts", "vrrp.ts"];

/** `source` with the top-level functions named by `unscanned` blanked out (their lines kept, empty). */
function withoutFunctions(source: string, unscanned: RegExp): string {
  let text = source;
  for (const f of functions(source, unscanned)) text = text.replace(f.text, f.text.replace(/[^\n]/g, ""));
  return text;
}

/**
 * The names under which shared numbers are defined, one family each: a number literal given to two
 * names of one family is the same constant defined twice (UDP_PROTOCOL = 17 beside IP_PROTOCOL_UDP = 17),
 * even where no name is repeated. An alias (`UDP_PROTOCOL = IP_PROTOCOL_UDP`) is one definition.
 */
const FAMILIES: readonly { family: string; names: RegExp }[] = [
  { family: "EtherType", names: /ETHERTYPE/ },
  { family: "IP protocol number", names: /^IP_PROTOCOL_|^[A-Z0-9]+_PROTOCOL$|^IPV6_(?:HOP_BY_HOP|ROUTING|FRAGMENT|DESTINATION_OPTIONS|NO_NEXT_HEADER|ICMPV6)$/ },
  { family: "ICMP type", names: /^ICMP_(?:ECHO|DESTINATION_UNREACHABLE|REDIRECT|TIME_EXCEEDED|PARAMETER_PROBLEM|SOURCE_QUENCH|TIMESTAMP|ROUTER|INFO|ADDRESS_MASK)/ },
  { family: "ICMPv6 type", names: /^ICMPV6_(?!.*(?:LENGTH|LIMIT))/ },
  { family: "NDP option type", names: /^NDP_(?:SOURCE_LINK|TARGET_LINK|PREFIX_INFORMATION|REDIRECTED_HEADER|MTU|RDNSS)/ },
  { family: "ARP operation", names: /^ARP_(?:REQUEST|REPLY)$|^RARP_/ },
  { family: "IPv6 option type", names: /^IPV6_OPTION_/ },
];

/** The names under which a codec's header length would be copied outside src/packets (auth.ts had IPV6_HEADER = 40 and ETHERNET_HEADER = 14). */
const HEADER_LENGTH_NAME = /^(?:ETHERNET|IPV6|ICMPV6|UDP|TCP|VRRP)_HEADER(?:_LENGTH|_BYTES)?$/;

/** The header-length constants given a number outside src/packets, as "NAME = value (file)". */
function copiedHeaderLengths(files: readonly { file: string; source: string }[]): string[] {
  const found: string[] = [];
  for (const { file, source } of files) {
    if (file.startsWith("packets/")) continue;
    for (const { name, value } of numberConstants(source)) if (HEADER_LENGTH_NAME.test(name)) found.push(`${name} = ${value} (${file})`);
  }
  return found;
}

/**
 * The numbers that have names now (ICMPv6 types 138-147 and 155, the distinctive hop-by-hop option
 * types, IP protocols 33, 41, 51, 77) written as a case label or compared with ===/!==.
 */
const NAMED_NUMBER_USE = /(?:\bcase\s+|[!=]==\s*)(?:33|41|51|77|13[89]|14[0-7]|155|0xc2|0xc9)\b/;

/** Every `const NAME = <number>` (decimal, hex, with or without _) in `source`, with its value. */
function numberConstants(source: string): { name: string; value: number }[] {
  return [...source.matchAll(/\bconst\s+([A-Z][A-Z0-9_]*)\s*(?::[^=;]+)?=\s*(0x[0-9a-f_]+|\d[\d_]*)\s*;/gi)].map((m) => ({
    name: m[1],
    value: Number(m[2].replace(/_/g, "")),
  }));
}

/** The value defined under more than one name of a family, as "family value: name (file), name (file)". */
function sameValueTwice(files: readonly { file: string; source: string }[]): string[] {
  const seen = new Map<string, string[]>();
  for (const { file, source } of files) {
    for (const { name, value } of numberConstants(source)) {
      for (const { family, names } of FAMILIES) {
        if (!names.test(name)) continue;
        const key = `${family} ${value}`;
        seen.set(key, [...(seen.get(key) ?? []), `${name} (${file})`]);
      }
    }
  }
  return [...seen].filter(([, where]) => new Set(where.map((w) => w.split(" ")[0])).size > 1).map(([key, where]) => `${key}: ${where.join(", ")}`);
}

describe("packets: one description per header", () => {
  it("each shared constant (EtherTypes, IP protocol numbers, ARP and ICMP numbers) is defined in one place", () => {
    const definitions = new Map<string, string[]>();
    for (const path of tsFiles(SRC)) {
      const file = path.slice(SRC.length + 1);
      for (const m of code(path).matchAll(/\bconst\s+((?:ETHERTYPE|IP_PROTOCOL|ARP|ICMP|ICMPV6|IPV6|NDP|UDP|TCP|VRRP|LINKTYPE)_[A-Z0-9_]+)\s*[:=]/g)) {
        definitions.set(m[1], [...(definitions.get(m[1]) ?? []), file]);
      }
    }
    assert.ok(definitions.has("ETHERTYPE_IPV4") && definitions.has("IP_PROTOCOL_ICMP") && definitions.has("ARP_REQUEST"), "the scan finds the definitions");
    const twice = [...definitions].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(", ")}`);
    assert.deepEqual(twice, [], "defined more than once; import the one in ethernet.ts, ipv4.ts, arp.ts, icmp.ts, ipv6.ts, icmpv6.ts, udp.ts, tcp.ts, vrrp.ts or linktype.ts");
  });

  it("no shared number (EtherType, IP protocol, ICMP/ICMPv6 type, NDP option, ARP operation) is defined under two names", () => {
    const files = tsFiles(SRC).map((path) => ({ file: path.slice(SRC.length + 1), source: code(path) }));
    const found = numberConstants(files.map((f) => f.source).join("\n"));
    assert.ok(
      found.some((c) => c.name === "IP_PROTOCOL_UDP") && found.some((c) => c.name === "ETHERTYPE_IPV6") && found.some((c) => c.name === "ICMPV6_ECHO_REQUEST"),
      "the scan finds the definitions",
    );
    assert.deepEqual(sameValueTwice(files), [], "one number, two names: make the second an alias of the first (export const UDP_PROTOCOL = IP_PROTOCOL_UDP)");
  });

  it("the same-value check catches a copy under another name, and lets an alias through", () => {
    const canonical = { file: "packets/ipv4.ts", source: "export const IP_PROTOCOL_UDP = 17;\nexport const IP_PROTOCOL_TCP = 6;" };
    assert.deepEqual(sameValueTwice([canonical, { file: "packets/udp.ts", source: "export const UDP_PROTOCOL = IP_PROTOCOL_UDP;" }]), []);
    assert.deepEqual(sameValueTwice([canonical, { file: "packets/udp.ts", source: "export const UDP_PROTOCOL = 17;" }]), [
      "IP protocol number 17: IP_PROTOCOL_UDP (packets/ipv4.ts), UDP_PROTOCOL (packets/udp.ts)",
    ]);
    assert.deepEqual(sameValueTwice([{ file: "packets/x.ts", source: "const WAKE_ETHERTYPE = 0x0800;\nconst ETHERTYPE_IPV4: number = 0x08_00;" }]).length, 1);
    assert.deepEqual(sameValueTwice([{ file: "packets/ipv6.ts", source: "export const IPV6_OPTION_JUMBO_PAYLOAD = 0xc2;" }, { file: "packets/summary-ipv6.ts", source: "const IPV6_OPTION_JUMBO = 194;" }]), [
      "IPv6 option type 194: IPV6_OPTION_JUMBO_PAYLOAD (packets/ipv6.ts), IPV6_OPTION_JUMBO (packets/summary-ipv6.ts)",
    ]);
    // the same number in two families is no copy: ARP_REQUEST and ICMP_ECHO_... are other things than protocol 1
    assert.deepEqual(sameValueTwice([{ file: "packets/x.ts", source: "const ARP_REQUEST = 1;\nconst IP_PROTOCOL_ICMP = 1;" }]), []);
  });

  it("the EtherTypes the codecs switch on are written as numbers only in ethernet.ts and wire-literals.ts", () => {
    const allowed = new Set(["ethernet.ts", "wire-literals.ts"]);
    const found: string[] = [];
    for (const path of [...tsFiles(PACKETS), join(SRC, "cli", "sniff.ts")]) {
      const file = path.slice(SRC.length + 1);
      if (allowed.has(file.replace(/^packets\//, ""))) continue;
      found.push(...hits(file, code(path), /\b0x(?:0?800|0?806|8100|86dd|88a8|9100)\b|\b(?:2048|2054|33024|34525)\b/i));
    }
    assert.deepEqual(found, [], "use ETHERTYPE_* (ethernet.ts), or EtherType (wire-literals.ts) on a hot path");
  });

  it("frame.ts, filter.ts and summary.ts's ARP and Ethernet code read no header field at a numeric offset", () => {
    const found: string[] = [];
    for (const file of ["frame.ts", "arp.ts", "ethernet.ts", "ipv4.ts", "icmp.ts", "link-summary.ts"]) {
      // frame.ts's u32 and mac48 read the bytes of one field (+1..+3): those are not offsets
      found.push(...hits(file, code(join(PACKETS, file)), NUMERIC_OFFSET));
    }
    // filter.ts compiles loads at offsets the user writes; its own header offsets are in addressTest
    const filter = code(join(PACKETS, "filter.ts"));
    const addressTest = filter.indexOf("private addressTest(");
    assert.ok(addressTest > 0, "filter.ts has addressTest");
    const firstLine = filter.slice(0, addressTest).split("\n").length;
    found.push(...hits("filter.ts", filter.slice(addressTest, filter.indexOf("\n  }\n", addressTest)), NUMERIC_OFFSET, firstLine));
    const summary = code(join(PACKETS, "summary.ts"));
    const scanned = functions(summary, /Arp|StackedTags|EthernetHeader/);
    assert.ok(scanned.some((f) => f.name === "writeArpRequestOrReply") && scanned.some((f) => f.name === "writeArpStyled"), scanned.map((f) => f.name).join(", "));
    for (const f of scanned) found.push(...hits("summary.ts", f.text, NUMERIC_OFFSET, f.line));
    assert.deepEqual(found, [], "take the offset from wire-literals.ts (ArpAt, EthAt, Ipv4At, IcmpAt), which the codecs check against the layouts");
  });

  it("summary-ipv6.ts, transport-summary.ts and linktype.ts read no header field at a numeric offset", () => {
    const found: string[] = [];
    for (const { file, unscanned } of SUMMARY_FILES) found.push(...summaryHits(file, withoutFunctions(code(join(PACKETS, file)), unscanned)));
    assert.deepEqual(found, [], "take the offset from wire-literals.ts (Ipv6At, Icmpv6At, UdpAt, TcpAt, VrrpAt…) or the codec's view, which the codecs check against the layouts");
  });

  it("the summary pattern finds copied offsets, after an index too, and lets a word's own bytes through", () => {
    const flagged = (line: string): boolean => summaryHits("x.ts", line).length > 0;
    assert.ok(flagged("this.address(quoted + 24);"));
    assert.ok(flagged("const code = this.u8(cp + 1);"));
    assert.ok(flagged("out.decimal(this.u8(at + i + 1));"));
    assert.ok(flagged("this.need(cp + group + 4, 16);"));
    assert.ok(flagged("writeIpv6Address(out, b, c.ip + 8);"));
    assert.ok(flagged("const family = bytes[0] >>> 4;"));
    assert.ok(flagged("const field = (b[at + 6] << 8) | b[at + 7];"));
    assert.ok(!flagged("return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;"));
    assert.ok(!flagged("this.address(quoted + Ipv6At.Destination);"));
    assert.ok(!flagged("if (i + 1 < len) optionLength = 2;"));
    const source = "function writeIpv6Address(out, b, at) {\n  out.ipv4At(b, at + 12);\n}\nfunction other() {\n  x(cp + 8);\n}";
    assert.deepEqual(summaryHits("x.ts", withoutFunctions(source, /^writeIpv6Address$/)), ["x.ts:5: x(cp + 8);"]);
  });

  it("the codec modules (ipv6.ts, icmpv6.ts, tcp.ts, udp.ts, vrrp.ts) read and write no header field at a numeric offset", () => {
    const found: string[] = [];
    for (const file of CODEC_FILES) found.push(...summaryHits(file, code(join(PACKETS, file)), 1, CODEC_OFFSET, CODEC_WORD_LINE));
    assert.deepEqual(found, [], "take the offset from wire-literals.ts (Ipv6At, Ipv6AddressAt, Icmpv6At, NdpOptionAt, UdpAt, TcpAt, TcpOptionAt, VrrpAt), checked against the layouts where the module loads");
  });

  it("the codec pattern finds copied offsets in readers and writers, and lets a word's own bytes through", () => {
    const flagged = (line: string): boolean => summaryHits("x.ts", line, 1, CODEC_OFFSET, CODEC_WORD_LINE).length > 0;
    assert.ok(flagged("into[at + 4] = id >>> 24;"));
    assert.ok(flagged("const next = o + 2 + b[o + 1];"));
    assert.ok(flagged("return new Ipv6Address(bytes.slice(offset, offset + 16));"));
    assert.ok(flagged("options.push({ kind: \"timestamps\", value: u32(b, at + 2), echo: u32(b, at + 6) });"));
    assert.ok(flagged("into[at + 1] = 4;"));
    assert.ok(!flagged("into[at + 1] = value & 0xff;"));
    assert.ok(!flagged("into[at + 2] = (value >>> 8) & 0xff;"));
    assert.ok(!flagged("const word = (b[at + Ipv6At.FragmentWord] << 8) | b[at + Ipv6At.FragmentWord + 1];"));
    assert.ok(!flagged("into.set(option.data, at + TcpOptionAt.Data);"));
  });

  it("no codec's header length is copied outside src/packets", () => {
    const files = tsFiles(SRC).map((path) => ({ file: path.slice(SRC.length + 1), source: code(path) }));
    assert.deepEqual(copiedHeaderLengths(files), [], "import the codec's constant (ETHERNET_HEADER_LENGTH from packets/ethernet.ts, IPV6_HEADER_LENGTH from packets/ipv6.ts, UDP_HEADER_LENGTH…)");
    assert.deepEqual(copiedHeaderLengths([{ file: "failover/auth.ts", source: "const ETHERNET_HEADER = 14;\nconst IPV6_HEADER = 40;" }]), ["ETHERNET_HEADER = 14 (failover/auth.ts)", "IPV6_HEADER = 40 (failover/auth.ts)"]);
    assert.deepEqual(copiedHeaderLengths([{ file: "packets/ipv6.ts", source: "const IPV6_HEADER = 40;" }]), []);
  });

  it("the ICMPv6 types, hop-by-hop option types and IP protocol numbers named in ipv6.ts and icmpv6.ts are used by name", () => {
    const found: string[] = [];
    for (const file of ["summary-ipv6.ts", "transport-summary.ts", "filter.ts", ...CODEC_FILES]) found.push(...hits(file, code(join(PACKETS, file)), NAMED_NUMBER_USE));
    const filter = code(join(PACKETS, "filter.ts"));
    const names = filter.slice(filter.indexOf("const PROTOCOL_NAMES"), filter.indexOf("};", filter.indexOf("const PROTOCOL_NAMES")));
    found.push(...hits("filter.ts PROTOCOL_NAMES", names, /:\s*(?:41|43|51|59|60|112|1|2|6|17|44|58|132)\s*,/));
    assert.deepEqual(found, [], "use PrintedIcmpv6Type, Ipv6OptionType, PrintedIpProtocol or IpProtocol (wire-literals.ts), or the ICMPV6_*, IPV6_*, IP_PROTOCOL_* and VRRP_PROTOCOL constants");
    assert.ok(hits("x.ts", "      case 155:\n if (nh !== 33) x();\n", NAMED_NUMBER_USE).length === 2);
    assert.ok(hits("x.ts", "ah: 51, esp: 50,", /:\s*(?:41|43|51|59|60|112|1|2|6|17|44|58|132)\s*,/).length === 1);
  });

  it("transport-summary.ts's TCP option printer names the option kinds", () => {
    const source = code(join(PACKETS, "transport-summary.ts"));
    const [printer] = functions(source, /^writeTcpOptions$/);
    assert.ok(printer !== undefined && printer.text.includes("TcpOptionType.Mptcp"), "the scan finds writeTcpOptions");
    const numericKind = /\bcase\s+\d+\s*:|\bkind\s*(?:[=!]==|[<>]=?)\s*\d|\bmagic\s*[=!]==\s*0x/;
    const found = hits("transport-summary.ts", printer.text, numericKind, printer.line);
    assert.deepEqual(found, [], "use TcpOptionType (wire-literals.ts), checked against TcpOptionKind in tcp.ts");
    assert.ok(numericKind.test("      case 19:") && numericKind.test("if (kind > 1) {") && numericKind.test("if (magic === 0xf989) {"));
    assert.ok(!numericKind.test("      case TcpOptionType.Md5:"));
  });

  it("summary.ts reads the IPv4 header (based at `ip`) at no numeric offset", () => {
    // `c.ip` in summary.ts is an IPv6 header's start (summary-ipv6.ts's context); the IPv4 one is `ip`
    const found = hits("summary.ts", code(join(PACKETS, "summary.ts")), /(?<![.\w])ip\s*\+\s*\d/);
    assert.deepEqual(found, [], "take the offset from Ipv4At (wire-literals.ts)");
  });

  it("every hot-path literal in wire-literals.ts is checked against its layout or constant when the codecs load", () => {
    const literals = code(join(PACKETS, "wire-literals.ts"));
    const members: string[] = [];
    for (const m of literals.matchAll(/export const enum (\w+) \{([^}]*)\}/g)) {
      for (const member of m[2].matchAll(/(\w+)\s*=/g)) members.push(`${m[1]}.${member[1]}`);
    }
    assert.ok(members.length > 40 && members.includes("ArpAt.TargetIp") && members.includes("EtherType.Ipv4"), members.join(", "));
    let checked = "";
    for (const path of tsFiles(PACKETS)) {
      const source = code(path);
      for (let at = source.indexOf("checkLiterals("); at >= 0; at = source.indexOf("checkLiterals(", at + 1)) {
        checked += source.slice(at, source.indexOf("]);", at));
      }
    }
    const unchecked = members.filter((member) => !new RegExp(`\\b${member.replace(".", "\\.")}\\b`).test(checked));
    assert.deepEqual(unchecked, [], "add each to the checkLiterals list of the module that defines its header");
  });

  it("the pattern it looks for is found where it is: a copied ARP offset is caught", () => {
    assert.ok(NUMERIC_OFFSET.test("return u32(this.bytes, this.networkOffset + 14);"));
    assert.ok(NUMERIC_OFFSET.test("out.ipv4At(b, at + 24);"));
    assert.ok(NUMERIC_OFFSET.test("let type = (bytes[12] << 8) | bytes[13];"));
    assert.ok(!NUMERIC_OFFSET.test("out.ipv4At(b, at + ArpAt.TargetIp);"));
    assert.ok(!NUMERIC_OFFSET.test("return ((b[at] << 8) | b[at + 1]) * 0x1_0000_0000 + u32(b, at + 2);"));
  });

  it("the view, the record path and the line read an ARP reply's fields at the same places", () => {
    // every offset of an Ethernet/IPv4 ARP body distinct, so a field read from a neighbour's place shows
    const mac = new Mac(0x02_00_00_00_00_01);
    const frame = encodeFrame({
      ethernet: ethernetHeader(new Mac(0x02_00_00_00_00_02), mac, ETHERTYPE_ARP),
      arp: arpReply(mac, Ipv4.parse("192.0.2.1"), new Mac(0x02_00_00_00_00_02), Ipv4.parse("192.0.2.2")),
    });
    const view = new FrameView();
    assert.ok(view.reset(frame));
    const record = decodeFrame(frame).arp;
    assert.ok(record !== undefined && record.supported);
    assert.deepEqual(
      [view.arpOperation, view.arpSenderMac, view.arpSenderIp, view.arpTargetMac, view.arpTargetIp],
      [record.operation, record.senderMac.value, record.senderIp.value, record.targetMac.value, record.targetIp.value],
    );
    assert.deepEqual([view.arpSenderIp, view.arpTargetIp], [0xc000_0201, 0xc000_0202]);
  });
});

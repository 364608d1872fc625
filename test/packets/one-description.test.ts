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

describe("packets: one description per header", () => {
  it("each shared constant (EtherTypes, IP protocol numbers, ARP and ICMP numbers) is defined in one place", () => {
    const definitions = new Map<string, string[]>();
    for (const path of tsFiles(SRC)) {
      const file = path.slice(SRC.length + 1);
      for (const m of code(path).matchAll(/\bconst\s+((?:ETHERTYPE|IP_PROTOCOL|ARP|ICMP)_[A-Z0-9_]+)\s*[:=]/g)) {
        definitions.set(m[1], [...(definitions.get(m[1]) ?? []), file]);
      }
    }
    assert.ok(definitions.has("ETHERTYPE_IPV4") && definitions.has("IP_PROTOCOL_ICMP") && definitions.has("ARP_REQUEST"), "the scan finds the definitions");
    const twice = [...definitions].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(", ")}`);
    assert.deepEqual(twice, [], "defined more than once; import the one in ethernet.ts, ipv4.ts, arp.ts or icmp.ts");
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

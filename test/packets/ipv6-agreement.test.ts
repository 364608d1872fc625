// The IPv6 and ICMPv6 codecs against other implementations:
//   - frames scapy 2.5 built (fixtures/ipv6-frames.py: every extension header, every ICMPv6 message
//     and NDP option, fragments, snap-length cuts) are read by our views, and every field is what
//     scapy reads back, every checksum verifies, and every cut frame is a "captured" length error;
//   - random frames we encoded are read by tshark, which finds every field as we do and every
//     ICMPv6 checksum good.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
  decodeEthernet,
  DecodeError,
  ethernetHeaderLength,
  Icmpv6Packet,
  ipv6Text,
  Ipv6Packet,
  parseIcmpv6,
  parseIpv6,
  writePcap,
} from "../../src/packets";
import { pythonWithScapy, runTool, TSHARK } from "../helpers/tools";
import { icmpv6Record, ipv6Frame, ipv6IcmpFrame } from "./ipv6-arbitraries";

const FIXTURES = path.join(__dirname, "..", "..", "..", "test", "packets", "fixtures");
const SEED = 20261204;

interface ScapyFrame {
  name: string;
  hex: string;
  wirelen: number;
  ipv6?: { tc: number; fl: number; plen: number; nh: number; hlim: number; src: string; dst: string };
  extensions?: { kind: number; nh: number; len?: number; options?: number[]; type?: number; segleft?: number; offset?: number; m?: number; id?: number }[];
  icmpv6?: { type: number; code: number; cksum: number; tgt?: string; options: number[] };
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "takeover-ipv6-"));
}

describe("packets/ipv6 and icmpv6 agreement", function () {
  this.timeout(120_000);

  describe("frames scapy built, read by our views", () => {
    let frames: ScapyFrame[];
    before(() => {
      const dir = tempDir();
      try {
        const { stdout } = runTool(pythonWithScapy(), [path.join(FIXTURES, "ipv6-frames.py"), path.join(dir, "scapy.pcap"), String(SEED)], 120_000);
        frames = JSON.parse(stdout) as ScapyFrame[];
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("covers every extension header, message, option and cut", () => {
      assert.ok(frames.length >= 200, `only ${frames.length} frames`);
      const whole = frames.filter((f) => !f.name.startsWith("cut "));
      const kinds = new Set(whole.flatMap((f) => (f.extensions ?? []).map((e) => (e.kind === 43 ? `43/${e.type}` : e.kind === 44 ? `44/${e.offset === 0 ? "first" : "later"}` : String(e.kind)))));
      for (const k of ["0", "60", "43/0", "43/2", "43/4", "44/first", "44/later"]) assert.ok(kinds.has(k), `no extension header ${k}`);
      const types = new Set(whole.map((f) => f.icmpv6?.type));
      for (const t of [1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 143]) assert.ok(types.has(t), `no ICMPv6 type ${t}`);
      const options = new Set(whole.flatMap((f) => f.icmpv6?.options ?? []));
      for (const o of [1, 2, 3, 4, 5, 25]) assert.ok(options.has(o), `no NDP option ${o}`);
      assert.ok(frames.filter((f) => f.name.startsWith("cut ")).length >= 30, "too few cut frames");
    });

    it("reads every field as scapy does and finds every ICMPv6 checksum good; a cut frame is a 'captured' length error", () => {
      const ip = new Ipv6Packet();
      const icmp = new Icmpv6Packet();
      let checked = 0;
      frames.forEach((f, i) => {
        const what = `frame ${i + 1} (${f.name})`;
        const bytes = fromHex(f.hex);
        const link = ethernetHeaderLength(decodeEthernet(bytes));
        const error = ip.reset(bytes, link).check();
        if (f.name.startsWith("cut ")) {
          assert.ok(error instanceof DecodeError && error.truncated && error.lengthSource === "captured", `${what}: ${error}`);
          return;
        }
        assert.equal(error, undefined, what);
        const record = parseIpv6(ip);
        const scapy = f.ipv6!;
        assert.deepEqual(
          [record.trafficClass, record.flowLabel, record.payloadLength, record.nextHeader, record.hopLimit, ipv6Text(bytes, ip.sourceOffset, true), ipv6Text(bytes, ip.destinationOffset, true)],
          [scapy.tc, scapy.fl, scapy.plen, scapy.nh, scapy.hlim, scapy.src, scapy.dst],
          `${what}: fixed header`,
        );
        const ours = record.extensions.map((e) =>
          e.kind === 44
            ? { kind: 44, nh: e.nextHeader, offset: e.fragmentOffset, m: e.moreFragments ? 1 : 0, id: e.identification }
            : e.kind === 43
              ? { kind: 43, nh: e.nextHeader, len: e.lengthUnits, type: e.routingType, segleft: e.segmentsLeft }
              : { kind: e.kind, nh: e.nextHeader, len: e.lengthUnits, options: e.options.map((o) => o.type) },
        );
        assert.deepEqual(ours, f.extensions, `${what}: extension headers`);
        if (f.icmpv6 !== undefined) {
          assert.equal(icmp.reset(bytes, ip.payloadOffset, ip.payloadEnd, "header").check(), undefined, what);
          const message = parseIcmpv6(icmp);
          assert.deepEqual([message.type, message.code, message.checksum], [f.icmpv6.type, f.icmpv6.code, f.icmpv6.cksum], `${what}: ICMPv6 header`);
          // (a fragment's checksum covers the whole message, which no one fragment holds)
          if (!ip.isFragment || (!ip.moreFragments && ip.fragmentOffset === 0)) assert.ok(icmp.checksumValid(ip.sourceOffset, ip.pseudoHeaderDestinationOffset), `${what}: checksum`);
          if (f.icmpv6.tgt !== undefined) assert.equal(ipv6Text(bytes, icmp.targetOffset, true), f.icmpv6.tgt, `${what}: target`);
          const options = "options" in message.body ? message.body.options.map((o) => o.type) : [];
          assert.deepEqual(options, f.icmpv6.options, `${what}: NDP options`);
          checked++;
        }
      });
      assert.ok(checked >= 120, `only ${checked} ICMPv6 messages compared`);
    });
  });

  describe("random frames we encoded, read by tshark", () => {
    // 400 frames with any chain of extension headers, and 300 with none (every message tshark checks whole)
    const SAMPLES = [
      ...fc.sample(ipv6IcmpFrame, { seed: SEED, numRuns: 400 }),
      ...fc.sample(fc.tuple(ipv6IcmpFrame, icmpv6Record), { seed: SEED + 1, numRuns: 300 }).map(([f, icmp]) =>
        ipv6Frame(f.ethernet, { ...f.ip, nextHeader: 58, extensions: [] }, icmp),
      ),
    ];
    const COLUMNS = [
      "ipv6.src", "ipv6.dst", "ipv6.plen", "ipv6.nxt", "ipv6.hlim", "ipv6.tclass", "ipv6.flow",
      "ipv6.hopopts.len", "ipv6.dstopts.len", "ipv6.routing.type", "ipv6.routing.segleft", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.ident",
      "icmpv6.type", "icmpv6.code", "icmpv6.checksum", "icmpv6.checksum.status", "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address", "icmpv6.opt.type",
    ];
    let lines: string[][];

    before(() => {
      const dir = tempDir();
      try {
        const file = path.join(dir, "ours.pcap");
        fs.writeFileSync(file, writePcap(SAMPLES.map((s, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: 0, data: s.bytes }))));
        const { stdout } = runTool(TSHARK, [
          "-r", file, "-n",
          "-o", "ipv6.defragment:FALSE",
          "-T", "fields", "-E", "separator=/t", "-E", "aggregator=|", "-E", "occurrence=a", "-E", "quote=n",
          ...COLUMNS.flatMap((c) => ["-e", c]),
        ]);
        lines = stdout.split("\n").filter((line) => line !== "").map((line) => line.split("\t"));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("reaches every extension header and ICMPv6 message kind", () => {
      const kinds = new Set(SAMPLES.flatMap((s) => s.ip.extensions.map((e) => e.kind)));
      for (const k of [0, 43, 44, 60]) assert.ok(kinds.has(k as never), `no extension header ${k}`);
      const bodies = new Set(SAMPLES.map((s) => s.icmp?.body.kind));
      for (const k of ["echo", "error", "routerSolicitation", "routerAdvertisement", "neighborSolicitation", "neighborAdvertisement", "redirect", "mld", "other"]) assert.ok(bodies.has(k as never), `no ${k}`);
      assert.ok(SAMPLES.some((s) => s.upper !== undefined), "no later fragment");
    });

    it("tshark reads the fields as we wrote them and finds every ICMPv6 checksum good", () => {
      assert.equal(lines.length, SAMPLES.length, "one line per frame");
      const disagreements: string[] = [];
      lines.forEach((fields, i) => {
        const s = SAMPLES[i];
        const theirs = Object.fromEntries(COLUMNS.map((c, k) => [c, (fields[k] ?? "").split("|")]));
        const what = `frame ${i + 1}`;
        const compare = (column: string, ours: string[], prefixOnly = false): void => {
          const got = theirs[column].filter((v) => v !== "");
          const seen = prefixOnly ? got.slice(0, ours.length) : got;
          if (JSON.stringify(seen) !== JSON.stringify(ours)) disagreements.push(`${what} ${column}: tshark ${JSON.stringify(got)}, ours ${JSON.stringify(ours)}`);
        };
        const ip = s.ip;
        compare("ipv6.src", [ipv6Text(ip.source.bytes, 0, true)], true);
        compare("ipv6.dst", [ipv6Text(ip.destination.bytes, 0, true)], true);
        compare("ipv6.plen", [String(ip.payloadLength)], true);
        compare("ipv6.nxt", [String(ip.nextHeader)], true);
        compare("ipv6.hlim", [String(ip.hopLimit)], true);
        compare("ipv6.tclass", [`0x${ip.trafficClass.toString(16).padStart(8, "0")}`], true);
        compare("ipv6.flow", [`0x${ip.flowLabel.toString(16).padStart(6, "0")}`], true);
        // a quoted packet (error, redirected header) may add headers of its own after ours

        // With a fragment header in the chain tshark 4.0 shows the headers around it in ways of its
        // own (none at all, or those in the fragment data too; a first fragment's checksum is bad
        // to it): such frames are compared by their fixed header only; the scapy corpus checks them.
        const fragmented = ip.extensions.some((x) => x.kind === 44);
        if (fragmented) return;
        // tshark may stop after a routing header it finds wanting (an unknown type with segments
        // left, a second one) or go on: headers are compared up to the first routing header
        const routing = ip.extensions.findIndex((x) => x.kind === 43);
        const e = routing === -1 ? ip.extensions : ip.extensions.slice(0, routing + 1);
        // (and a quoted packet — error, redirected header — may add headers of its own after ours)
        const quoting = routing !== -1 || (s.icmp !== undefined && (s.icmp.body.kind === "error" || s.icmp.body.kind === "redirect"));
        compare("ipv6.hopopts.len", e.flatMap((x) => (x.kind === 0 ? [String(x.lengthUnits)] : [])), quoting);
        compare("ipv6.dstopts.len", e.flatMap((x) => (x.kind === 60 ? [String(x.lengthUnits)] : [])), quoting);
        compare("ipv6.routing.type", e.flatMap((x) => (x.kind === 43 ? [String(x.routingType)] : [])), quoting);
        compare("ipv6.routing.segleft", e.flatMap((x) => (x.kind === 43 ? [String(x.segmentsLeft)] : [])), quoting);
        compare("ipv6.fraghdr.offset", e.flatMap((x) => (x.kind === 44 ? [String(x.fragmentOffset / 8)] : [])), quoting);
        compare("ipv6.fraghdr.more", e.flatMap((x) => (x.kind === 44 ? [x.moreFragments ? "1" : "0"] : [])), quoting);
        compare("ipv6.fraghdr.ident", e.flatMap((x) => (x.kind === 44 ? [`0x${x.identification.toString(16).padStart(8, "0")}`] : [])), quoting);
        // tshark 4.0 takes the pseudo-header's final destination from a routing header in ways of its
        // own (RPL's compressed addresses; none when segments left exceeds the addresses), or stops
        // at a routing header it finds malformed: with one, only the IPv6 fields are compared; the
        // scapy corpus checks the final destination of types 0, 2 and 4
        // and tshark stops at an option it knows with a length it finds wrong (home address, jumbo,
        // tunnel limit…): ICMPv6 is compared after padding and router alerts only
        const plainOptions = e.every((x) => !("options" in x) || x.options.every((o) => o.type <= 1 || (o.type === 5 && o.data.length === 2)));
        if (s.icmp === undefined || e.some((x) => x.kind === 43) || !plainOptions) return;
        const m = s.icmp;
        compare("icmpv6.type", [String(m.type)], true);
        compare("icmpv6.code", [String(m.code)], true);
        compare("icmpv6.checksum", [`0x${m.checksum.toString(16).padStart(4, "0")}`], true);
        compare("icmpv6.checksum.status", ["1"], true);
        if (m.body.kind === "neighborSolicitation") compare("icmpv6.nd.ns.target_address", [ipv6Text(m.body.target.bytes, 0, true)]);
        if (m.body.kind === "neighborAdvertisement") compare("icmpv6.nd.na.target_address", [ipv6Text(m.body.target.bytes, 0, true)]);
        if ("options" in m.body) compare("icmpv6.opt.type", m.body.options.map((o) => String(o.type)), true);
      });
      assert.deepEqual(disagreements.slice(0, 30), [], `${disagreements.length} disagreements`);
      const compared = SAMPLES.filter((s) => s.icmp !== undefined && s.ip.extensions.length === 0).length;
      assert.ok(compared >= 300, `only ${compared} ICMPv6 messages compared with tshark`);
    });
  });
});

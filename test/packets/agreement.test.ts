// An independent decoder agrees with ours, both ways:
//   - a few hundred random but valid frames built with our encoder, written with our pcap writer, are
//     read by tshark (Wireshark's dissectors) field by field — with its checksum verdicts, so a
//     checksum our encoder gets wrong shows — and by tcpdump;
//   - frames built by scapy (fixtures/scapy-frames.py) are read by our pcap reader and decoder, and
//     every field is what scapy says it is.
// The frames are drawn from arbitraries written here with fast-check's `sample` and a fixed seed, so a
// run is repeatable and a failure names a frame that stays the same.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
  arpProbe,
  arpReply,
  arpRequest,
  ArpRecord,
  decodeFrame,
  encodeFrame,
  ethernetHeaderLength,
  EthernetRecord,
  Frame,
  FrameFields,
  gratuitousReply,
  gratuitousRequest,
  IcmpFields,
  Ipv4,
  Ipv4Fields,
  ipv4HeaderLength,
  isFragment,
  isGratuitous,
  isProbe,
  Mac,
  VlanTag,
} from "../../src/packets";
import { readPcap, writePcap } from "../../src/packets/pcap";
import { pythonWithScapy, runTool, TCPDUMP, TSHARK } from "../helpers/tools";

const FIXTURES = path.resolve(__dirname, "../../../test/packets/fixtures");
const SEED = 20251126;
const FRAMES = 300;

// ---------------------------------------------------------------------------------------------
// Random valid frames

/** True once in `n` times. */
const oneIn = (n: number): fc.Arbitrary<boolean> => fc.integer({ min: 1, max: n }).map((k) => k === 1);
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const mac = fc.integer({ min: 0, max: 0xffff_ffff_ffff }).map((v) => new Mac(v));
/** An address from the documentation networks 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24. */
const address = fc
  .tuple(fc.constantFrom(0xc000_0200, 0xc633_6400, 0xcb00_7100), u8)
  .map(([network, host]) => new Ipv4(network + host));

const vlanTag: fc.Arbitrary<VlanTag> = fc.record({
  id: fc.integer({ min: 0, max: 4095 }),
  priority: fc.integer({ min: 0, max: 7 }),
  dropEligible: fc.boolean(),
});

/** An Ethernet header, one in three with an 802.1Q tag. */
function ethernet(etherType: number): fc.Arbitrary<EthernetRecord> {
  return fc
    .record({ destination: mac, source: mac, vlan: fc.option(vlanTag, { nil: undefined, freq: 2 }) })
    .map(({ destination, source, vlan }) => (vlan === undefined ? { destination, source, etherType } : { destination, source, vlan, etherType }));
}

/** One IPv4 option as bytes, with its type: NOP, router alert, or record route part filled. */
const option: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant<number[]>([1]),
  fc.constant<number[]>([148, 4, 0, 0]),
  fc
    .integer({ min: 1, max: 4 })
    .chain((slots) => fc.tuple(fc.integer({ min: 0, max: slots }), fc.array(address, { minLength: slots, maxLength: slots })))
    .map(([filled, slots]) => [7, 3 + 4 * slots.length, 4 + 4 * filled, ...slots.flatMap((a) => Array.from(a.toBytes()))]),
);
/** Options as the sender gives them (the encoder pads them to whole words with zeros, i.e. EOL). */
const options = fc.oneof(
  { arbitrary: fc.constant(new Uint8Array(0)), weight: 3 },
  { arbitrary: fc.array(option, { minLength: 1, maxLength: 3 }).map((list) => Uint8Array.from(list.flat())).filter((o) => o.length <= 40), weight: 2 },
);

function ipv4Header(protocol: number, fragment: fc.Arbitrary<{ moreFragments: boolean; fragmentOffset: number }>): fc.Arbitrary<Ipv4Fields> {
  return fc
    .record({
      dscp: fc.integer({ min: 0, max: 63 }),
      ecn: fc.integer({ min: 0, max: 3 }),
      identification: u16,
      reservedFlag: oneIn(10),
      dontFragment: fc.boolean(),
      ttl: fc.integer({ min: 1, max: 255 }),
      source: address,
      destination: address,
      options,
      fragment,
    })
    .map(({ fragment: f, ...fields }) => ({ ...fields, ...f, protocol }));
}

const whole = fc.constant({ moreFragments: false, fragmentOffset: 0 });
const nonFirstFragment = fc.record({ moreFragments: fc.boolean(), fragmentOffset: fc.integer({ min: 1, max: 1000 }).map((units) => units * 8) });

/**
 * Zero bytes after the datagram or ARP body: on three short frames in four, to make the frame 60 bytes
 * long as a NIC pads it; on one longer frame in eight, a few trailing bytes.
 */
function padTo60(record: FrameFields): fc.Arbitrary<FrameFields> {
  const length = encodeFrame(record).length;
  if (length >= 60) {
    return fc.tuple(oneIn(8), fc.integer({ min: 1, max: 8 })).map(([trailer, n]) => (trailer ? { ...record, padding: new Uint8Array(n) } : record));
  }
  return oneIn(4).map((bare) => (bare ? record : { ...record, padding: new Uint8Array(60 - length) }));
}

const arp: fc.Arbitrary<ArpRecord> = fc.oneof(
  fc.tuple(mac, address, address).map(([m, sender, target]) => arpRequest(m, sender, target)),
  fc.tuple(mac, address, mac, address).map(([m, sender, t, target]) => arpReply(m, sender, t, target)),
  fc.tuple(mac, address).map(([m, a]) => gratuitousRequest(m, a)),
  fc.tuple(mac, address).map(([m, a]) => gratuitousReply(m, a)),
  fc.tuple(mac, address).map(([m, a]) => arpProbe(m, a)),
);

const echo: fc.Arbitrary<IcmpFields> = fc.record({ type: fc.constantFrom(0, 8), code: fc.constant(0), identifier: u16, sequence: u16 });

/** UDP header (length right, checksum 0: none) and data. */
const udp = fc
  .tuple(u16, u16, fc.uint8Array({ maxLength: 64 }))
  .map(([from, to, data]) => Uint8Array.from([from >> 8, from & 0xff, to >> 8, to & 0xff, (8 + data.length) >> 8, (8 + data.length) & 0xff, 0, 0, ...data]));

/** The datagram an ICMP error quotes: an echo request or a UDP datagram, cut after 8 bytes of it. */
const quotedDatagram = fc
  .oneof(
    fc.record({ ethernet: ethernet(0x0800), ipv4: ipv4Header(1, whole), icmp: echo, payload: fc.uint8Array({ minLength: 8, maxLength: 56 }) }),
    fc.record({ ethernet: ethernet(0x0800), ipv4: ipv4Header(17, whole), payload: udp }),
  )
  .map((record) => {
    const start = ethernetHeaderLength(record.ethernet);
    return encodeFrame(record).subarray(start, start + ipv4HeaderLength(record.ipv4) + 8);
  });

const icmpError: fc.Arbitrary<IcmpFields> = fc.oneof(
  fc.record({ type: fc.constant(3), code: fc.integer({ min: 0, max: 15 }), restOfHeader: u16 }),
  fc.record({ type: fc.constant(11), code: fc.integer({ min: 0, max: 1 }), restOfHeader: fc.constant(0) }),
  fc.record({ type: fc.constant(12), code: fc.constant(0), restOfHeader: u8.map((pointer) => pointer * 0x100_0000) }),
);

/** What a frame is, to name it in a failure. */
interface Sample {
  readonly kind: string;
  readonly record: FrameFields;
}

const sampleFrame: fc.Arbitrary<Sample> = fc
  .oneof(
    fc.record({ kind: fc.constant("ARP"), record: fc.record({ ethernet: ethernet(0x0806), arp }) }),
    fc.record({
      kind: fc.constant("ICMP echo"),
      record: fc.record({ ethernet: ethernet(0x0800), ipv4: ipv4Header(1, whole), icmp: echo, payload: fc.uint8Array({ maxLength: 64 }) }),
    }),
    fc.record({
      kind: fc.constant("ICMP error quoting a header"),
      record: fc.record({ ethernet: ethernet(0x0800), ipv4: ipv4Header(1, whole), icmp: icmpError, payload: quotedDatagram }),
    }),
    fc.record({ kind: fc.constant("UDP"), record: fc.record({ ethernet: ethernet(0x0800), ipv4: ipv4Header(17, whole), payload: udp }) }),
    fc.record({
      kind: fc.constant("first fragment of an ICMP echo"),
      record: fc.record({
        ethernet: ethernet(0x0800),
        ipv4: ipv4Header(1, fc.constant({ moreFragments: true, fragmentOffset: 0 })),
        icmp: echo,
        payload: fc.integer({ min: 1, max: 8 }).chain((words) => fc.uint8Array({ minLength: words * 8, maxLength: words * 8 })),
      }),
    }),
    fc.record({
      kind: fc.constant("non-first fragment"),
      record: fc.record({
        ethernet: ethernet(0x0800),
        ipv4: fc.constantFrom(1, 17).chain((protocol) => ipv4Header(protocol, nonFirstFragment)),
        payload: fc.uint8Array({ minLength: 1, maxLength: 64 }),
      }),
    }),
  )
  .chain(({ kind, record }) => padTo60(record).map((padded) => ({ kind, record: padded })));

const SAMPLES: readonly Sample[] = fc.sample(sampleFrame, { seed: SEED, numRuns: FRAMES });

// ---------------------------------------------------------------------------------------------
// Comparing

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function hex4(value: number): string {
  return `0x${value.toString(16).padStart(4, "0")}`;
}

const flag = (value: boolean): string => (value ? "1" : "0");

/** Option types in the order they come, as tshark lists them: it stops after an EOL. */
function optionTypes(options: Uint8Array): number[] {
  const types: number[] = [];
  for (let at = 0; at < options.length && types.length < 40; ) {
    const type = options[at];
    types.push(type);
    if (type === 0) break;
    at += type === 1 ? 1 : options[at + 1];
  }
  return types;
}

/**
 * tshark -T fields columns, and for each what our decoded frame says it is: every occurrence (the
 * outer header's, then the quoted one's) joined by "|", as tshark joins them.
 */
const COLUMNS: Record<string, (f: Frame) => string | undefined> = {
  "frame.len": (f) => String(f.length),
  "eth.dst": (f) => f.ethernet.destination.toString(),
  "eth.src": (f) => f.ethernet.source.toString(),
  "eth.type": (f) => hex4(f.ethernet.vlan === undefined ? f.ethernet.etherType : 0x8100),
  "vlan.id": (f) => f.ethernet.vlan?.id.toString(),
  "vlan.priority": (f) => f.ethernet.vlan?.priority.toString(),
  "vlan.dei": (f) => (f.ethernet.vlan === undefined ? undefined : flag(f.ethernet.vlan.dropEligible)),
  "vlan.etype": (f) => (f.ethernet.vlan === undefined ? undefined : hex4(f.ethernet.etherType)),
  "arp.hw.type": (f) => f.arp?.hardwareType.toString(),
  "arp.proto.type": (f) => (f.arp === undefined ? undefined : hex4(f.arp.protocolType)),
  "arp.hw.size": (f) => f.arp?.hardwareLength.toString(),
  "arp.proto.size": (f) => f.arp?.protocolLength.toString(),
  "arp.opcode": (f) => f.arp?.operation.toString(),
  "arp.src.hw_mac": (f) => (f.arp?.supported ? f.arp.senderMac.toString() : undefined),
  "arp.src.proto_ipv4": (f) => (f.arp?.supported ? f.arp.senderIp.toString() : undefined),
  "arp.dst.hw_mac": (f) => (f.arp?.supported ? f.arp.targetMac.toString() : undefined),
  "arp.dst.proto_ipv4": (f) => (f.arp?.supported ? f.arp.targetIp.toString() : undefined),
  "arp.isgratuitous": (f) => (f.arp?.supported && isGratuitous(f.arp) ? "1" : undefined),
  "arp.isprobe": (f) => (f.arp?.supported && isProbe(f.arp) ? "1" : undefined),
  "ip.version": (f) => ipv4s(f, (h) => String(h.version)),
  "ip.hdr_len": (f) => ipv4s(f, (h) => String(h.headerLength)),
  "ip.dsfield.dscp": (f) => ipv4s(f, (h) => String(h.dscp)),
  "ip.dsfield.ecn": (f) => ipv4s(f, (h) => String(h.ecn)),
  "ip.len": (f) => ipv4s(f, (h) => String(h.totalLength)),
  "ip.id": (f) => ipv4s(f, (h) => hex4(h.identification)),
  "ip.flags.rb": (f) => ipv4s(f, (h) => flag(h.reservedFlag)),
  "ip.flags.df": (f) => ipv4s(f, (h) => flag(h.dontFragment)),
  "ip.flags.mf": (f) => ipv4s(f, (h) => flag(h.moreFragments)),
  "ip.frag_offset": (f) => ipv4s(f, (h) => String(h.fragmentOffset / 8)),
  "ip.ttl": (f) => ipv4s(f, (h) => String(h.ttl)),
  "ip.proto": (f) => ipv4s(f, (h) => String(h.protocol)),
  "ip.checksum": (f) => ipv4s(f, (h) => hex4(h.checksum)),
  // tshark's verdict (1 good, 0 bad, with ip.check_checksum on): we computed every one, so all good
  "ip.checksum.status": (f) => ipv4s(f, () => "1"),
  "ip.src": (f) => ipv4s(f, (h) => h.source.toString()),
  "ip.dst": (f) => ipv4s(f, (h) => h.destination.toString()),
  "ip.opt.type": (f) => ipv4s(f, (h) => optionTypes(h.options).join("|")),
  "icmp.type": (f) => icmps(f, (m) => String(m.type)),
  "icmp.code": (f) => icmps(f, (m) => String(m.code)),
  // the quoted message's checksum, and tshark's verdict on it, are not ours to decode (FIRST_ONLY)
  "icmp.checksum": (f) => (f.icmp === undefined ? undefined : hex4(f.icmp.checksum)),
  // good, or 2 (not checked) for a first fragment
  "icmp.checksum.status": (f) => (f.icmp === undefined ? undefined : isFragment(f.ipv4!) ? "2" : "1"),
  "icmp.ident": (f) => icmps(f, (m) => m.identifier?.toString()),
  "icmp.seq": (f) => icmps(f, (m) => m.sequence?.toString()),
  // bytes after the datagram or ARP body, however tshark splits them between Ethernet and VLAN
  "eth.padding": () => undefined,
  "eth.trailer": () => undefined,
  "vlan.trailer": () => undefined,
  "_ws.malformed": () => undefined,
};
const PADDING_COLUMNS = ["eth.padding", "eth.trailer", "vlan.trailer"];
/** Columns where only tshark's first occurrence is compared. */
const FIRST_ONLY = ["icmp.checksum", "icmp.checksum.status"];

type Header = NonNullable<Frame["ipv4"]>;
type Message = { type: number; code: number; identifier?: number; sequence?: number };

/** One value per IPv4 header, the quoted one after the outer one, joined as tshark joins them. */
function ipv4s(f: Frame, value: (h: Header) => string): string | undefined {
  const headers = [f.ipv4, f.icmp?.quoted].filter((h): h is Header => h !== undefined);
  const values = headers.map(value).filter((v) => v !== "");
  return values.length === 0 ? undefined : values.join("|");
}

function icmps(f: Frame, value: (m: Message) => string | undefined): string | undefined {
  const messages = [f.icmp, f.icmp?.quoted?.icmp].filter((m): m is Message => m !== undefined);
  const values = messages.map(value).filter((v): v is string => v !== undefined);
  return values.length === 0 ? undefined : values.join("|");
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "takeover-agreement-"));
}

/** `value` with fast-check's null-prototype records made plain objects, so that deepStrictEqual compares fields only. */
function plain<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && prototype !== Object.prototype) return value; // Mac, Ipv4, Uint8Array

  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) as T;
}

/** The layers' fields as decoded, for the fields the record that was encoded gives. */
function assertDecodesToRecord(frame: Frame, given: FrameFields, what: string): void {
  const record = plain(given);
  const pick = (got: object | undefined, want: object | undefined) =>
    want === undefined ? got : Object.fromEntries(Object.keys(want).map((k) => [k, (got as Record<string, unknown> | undefined)?.[k]]));
  assert.deepStrictEqual(frame.ethernet, record.ethernet, `${what}: ethernet`);
  assert.deepStrictEqual(frame.arp, record.arp, `${what}: arp`);
  const { options, ...ipv4 } = record.ipv4 ?? ({} as Partial<Ipv4Fields>);
  if (record.ipv4 !== undefined) {
    assert.deepStrictEqual(pick(frame.ipv4, ipv4), ipv4, `${what}: ipv4`);
    const padded = new Uint8Array((options!.length + 3) & ~3);
    padded.set(options!);
    assert.equal(hex(frame.ipv4!.options), hex(padded), `${what}: ipv4 options`);
  } else {
    assert.equal(frame.ipv4, undefined, `${what}: ipv4`);
  }
  assert.deepStrictEqual(pick(frame.icmp, record.icmp), record.icmp, `${what}: icmp`);
  if (record.arp === undefined) assert.equal(hex(frame.payload), hex(record.payload ?? new Uint8Array(0)), `${what}: payload`);
  assert.equal(hex(frame.padding), hex(record.padding ?? new Uint8Array(0)), `${what}: padding`);
}

// ---------------------------------------------------------------------------------------------

describe("agreement with independent decoders", function () {
  this.timeout(30_000);

  describe(`${FRAMES} random valid frames we encoded, read by tshark and tcpdump`, () => {
    let dir: string;
    let file: string;
    let frames: Frame[];

    before(() => {
      dir = tempDir();
      file = path.join(dir, "ours.pcap");
      const bytes = SAMPLES.map((s) => encodeFrame(s.record));
      fs.writeFileSync(file, writePcap(bytes.map((data, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: i * 1000, data }))));
      frames = bytes.map((b) => decodeFrame(b));
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("covers every kind of frame, tagged and untagged, padded and not", () => {
      const kinds = new Set(SAMPLES.map((s) => `${s.kind}${s.record.ethernet.vlan === undefined ? "" : ", tagged"}`));
      for (const kind of ["ARP", "ICMP echo", "ICMP error quoting a header", "UDP", "first fragment of an ICMP echo", "non-first fragment"]) {
        assert.ok(kinds.has(kind) && kinds.has(`${kind}, tagged`), `no ${kind} frame, tagged and untagged, among the samples`);
      }
      assert.ok(SAMPLES.some((s) => (s.record.padding?.length ?? 0) > 0), "no padded frame");
      assert.ok(SAMPLES.some((s) => (s.record.ipv4?.options?.length ?? 0) > 0), "no IPv4 options");
      assert.ok(SAMPLES.some((s) => s.record.arp?.supported === true && isGratuitous(s.record.arp)), "no gratuitous ARP");
      assert.ok(SAMPLES.some((s) => s.record.arp?.supported === true && isProbe(s.record.arp)), "no ARP probe");
    });

    it("our decoder reads back the fields each frame was encoded from, and finds every checksum good", () => {
      SAMPLES.forEach((s, i) => {
        const what = `frame ${i + 1} (${s.kind})`;
        const frame = frames[i];
        assertDecodesToRecord(frame, s.record, what);
        if (frame.ipv4 !== undefined) assert.equal(frame.ipv4.checksumValid, true, `${what}: IPv4 checksumValid`);
        if (frame.icmp?.quoted !== undefined) assert.equal(frame.icmp.quoted.checksumValid, true, `${what}: quoted IPv4 checksumValid`);
        if (frame.icmp !== undefined) assert.equal(frame.icmp.checksumValid, isFragment(frame.ipv4!) ? null : true, `${what}: ICMP checksumValid`);
      });
    });

    it("tshark reads every field as our decoder does, and finds every checksum good", () => {
      const columns = Object.keys(COLUMNS);
      const { stdout } = runTool(TSHARK, [
        "-r", file, "-n",
        "-o", "ip.check_checksum:TRUE", // verify IPv4 header checksums (ICMP ones are always verified)
        "-o", "ip.defragment:FALSE", // each fragment as it is
        "-o", "eth.fcs:Never", // a trailer is padding, not an FCS
        "--disable-protocol", "udp", // no guessing what random UDP data might be (a tunnel with IPv4 in it)
        "-T", "fields", "-E", "separator=/t", "-E", "aggregator=|", "-E", "occurrence=a", "-E", "quote=n",
        ...columns.flatMap((c) => ["-e", c]),
      ]);
      const lines = stdout.split("\n").filter((line) => line !== "");
      assert.equal(lines.length, frames.length, "tshark printed one line per frame");
      const disagreements: string[] = [];
      lines.forEach((line, i) => {
        const theirs = Object.fromEntries(line.split("\t").map((value, c) => [columns[c], value]));
        const frame = frames[i];
        const what = `frame ${i + 1} (${SAMPLES[i].kind}${frame.ethernet.vlan === undefined ? "" : ", tagged"})`;
        for (const column of columns) {
          const ours = COLUMNS[column](frame) ?? "";
          const tshark = FIRST_ONLY.includes(column) ? theirs[column].split("|")[0] : theirs[column];
          if (!PADDING_COLUMNS.includes(column) && tshark !== ours) {
            disagreements.push(`${what} ${column}: tshark "${tshark}", ours "${ours}"`);
          }
        }
        const trailer = PADDING_COLUMNS.map((c) => theirs[c].replace(/[:|]/g, "")).join("");
        if (trailer !== hex(frame.padding)) disagreements.push(`${what} padding: tshark "${trailer}", ours "${hex(frame.padding)}"`);
      });
      assert.deepEqual(disagreements.slice(0, 30), [], `${disagreements.length} disagreements`);
      // and every column was there to compare in some frame (a field tshark left empty everywhere checks nothing)
      const empty = columns.filter((c) => !["_ws.malformed", "vlan.trailer"].includes(c) && lines.every((line) => line.split("\t")[columns.indexOf(c)] === ""));
      assert.deepEqual(empty, [], "columns tshark never filled in");
    });

    it("tcpdump reads our file without a complaint, one line per frame", () => {
      const { stdout, stderr } = runTool(TCPDUMP, ["-n", "-r", file]);
      assert.equal(stdout.split("\n").filter((line) => line !== "").length, frames.length);
      assert.equal(stderr.trim(), `reading from file ${file}, link-type EN10MB (Ethernet), snapshot length 262144`);
    });
  });

  describe("frames scapy built, read by our pcap reader and decoder", () => {
    let dir: string;
    let theirs: unknown[];
    let frames: Frame[];

    before(() => {
      dir = tempDir();
      const file = path.join(dir, "scapy.pcap");
      const { stdout } = runTool(pythonWithScapy(), [path.join(FIXTURES, "scapy-frames.py"), file, String(SEED)]);
      theirs = JSON.parse(stdout);
      frames = [...readPcap(new Uint8Array(fs.readFileSync(file)))].map((record) => decodeFrame(record.data));
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("every field is what scapy says", () => {
      assert.equal(frames.length, theirs.length, "frames in scapy's file");
      assert.ok(frames.length >= 60, `only ${frames.length} frames from scapy`);
      const disagreements: string[] = [];
      frames.forEach((frame, i) => {
        const ours = JSON.parse(JSON.stringify(frame));
        delete ours.payloadLength;
        ours.payload = hex(frame.payload);
        ours.padding = hex(frame.padding);
        // scapy built every checksum right; where ours cannot be checked (a first fragment) it is null
        if (ours.ipv4 !== undefined) {
          if (ours.ipv4.checksumValid !== true) disagreements.push(`frame ${i + 1}: IPv4 checksum not valid`);
          delete ours.ipv4.checksumValid;
        }
        if (ours.icmp !== undefined) {
          const want = isFragment(frame.ipv4!) ? null : true;
          if (ours.icmp.checksumValid !== want) disagreements.push(`frame ${i + 1}: ICMP checksumValid ${ours.icmp.checksumValid}, want ${want}`);
          delete ours.icmp.checksumValid;
          if (ours.icmp.quoted !== undefined) {
            if (ours.icmp.quoted.checksumValid !== true) disagreements.push(`frame ${i + 1}: quoted IPv4 checksum not valid`);
            delete ours.icmp.quoted.checksumValid;
          }
        }
        try {
          assert.deepStrictEqual(ours, theirs[i]);
        } catch (error) {
          disagreements.push(`frame ${i + 1}: ${(error as Error).message}`);
        }
      });
      assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements`);
    });
  });
});

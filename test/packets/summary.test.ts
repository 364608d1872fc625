// The one-line summary against the installed tcpdump: frames built with our encoder are written with
// our pcap writer into a temporary file, `tcpdump -n -r` reads it under the same TZ, and its lines
// must equal ours (summaryLine) one for one — for a list of named frame kinds, and as fast-check
// properties over many random ARP and ICMP frames (one tcpdump run per property). The few places
// where we print something else on purpose are checked against what tcpdump prints too.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
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
  DecodeError,
  encodeFrame,
  EthernetRecord,
  FrameFields,
  gratuitousReply,
  gratuitousRequest,
  Ipv4,
  Ipv4Fields,
  ipv4Header,
  Mac,
  VlanTag,
} from "../../src/packets";
import { writePcap } from "../../src/packets/pcap";
import { frameJson, frameSummary, LineWriter, MAX_LINE_LENGTH, summaryLine, TextBuffer } from "../../src/packets/summary";
import { Reach } from "../helpers/property";
import * as arbitrary from "./arbitraries";

const A = Mac.parse("00:00:5e:00:53:01");
const B = Mac.parse("00:00:5e:00:53:02");
const IP_A = Ipv4.parse("192.0.2.17");
const IP_B = Ipv4.parse("192.0.2.1");
const ROUTER = Ipv4.parse("192.0.2.254");
const FAR = Ipv4.parse("198.51.100.2");
const VLAN: VlanTag = { id: 42, priority: 5, dropEligible: false };

/** A frame to print, its capture time, and its length on the wire when a snap length cut it. */
interface Capture {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly timeMicros: number;
  readonly wireLength?: number;
}

let directory = "";
let savedTimeZone: string | undefined;
let files = 0;

function setTimeZone(zone: string | undefined): void {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone; // Node re-reads TZ when it is assigned
}

/** tcpdump's line for each capture (hex-dump lines after a line dropped), read under `zone`. */
function tcpdumpLines(captures: readonly Capture[], zone: string): string[] {
  const file = path.join(directory, `frames-${files++}.pcap`);
  fs.writeFileSync(
    file,
    writePcap(
      captures.map((c) => ({
        seconds: Math.floor(c.timeMicros / 1e6),
        nanoseconds: (c.timeMicros % 1e6) * 1000,
        data: c.bytes,
        originalLength: c.wireLength ?? c.bytes.length,
      })),
    ),
  );
  const result = spawnSync("tcpdump", ["-n", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: zone }, maxBuffer: 256 << 20 });
  if (result.error !== undefined) throw new Error(`tcpdump could not run (apt-get install tcpdump): ${result.error.message}`);
  assert.equal(result.status, 0, `tcpdump failed: ${result.stderr}`);
  const lines = result.stdout.split("\n").filter((line) => line !== "" && !line.startsWith("\t"));
  assert.equal(lines.length, captures.length, "tcpdump printed one line per frame");
  return lines;
}

/** Our lines for the captures, read in order by one LineWriter (its TCP conversations kept, as tcpdump's are). */
function ourLines(captures: readonly Capture[]): string[] {
  const writer = new LineWriter(new TextBuffer(MAX_LINE_LENGTH));
  return captures.map((c) => {
    writer.out.length = 0;
    const seconds = Math.floor(c.timeMicros / 1e6);
    writer.write(c.bytes, seconds, c.timeMicros - seconds * 1e6, c.wireLength ?? c.bytes.length);
    const line = writer.out.toString();
    return line.slice(0, line.length - 1);
  });
}

/** Asserts our line equals tcpdump's for every capture, naming the first that differs. */
function assertSameAsTcpdump(captures: readonly Capture[], zone = "UTC"): void {
  const theirs = tcpdumpLines(captures, zone);
  const ours = ourLines(captures);
  captures.forEach((c, i) => assert.equal(ours[i], theirs[i], `${c.name}: ours vs tcpdump's`));
}

let clock = 1_700_000_000_000_000;
/** Capture times a little over an hour and a bit apart, so every column of the time changes. */
function nextTime(): number {
  clock += 3_723_000_000 + 123_457;
  return clock;
}

function capture(name: string, fields: FrameFields, wireLength?: number): Capture {
  return { name, bytes: encodeFrame(fields), timeMicros: nextTime(), wireLength };
}

const eth = (etherType: number, vlan?: VlanTag, destination = B, source = A): EthernetRecord =>
  vlan === undefined ? { destination, source, etherType } : { destination, source, etherType, vlan };

function arpFrame(name: string, arp: ArpRecord, options: { vlan?: VlanTag; padding?: number; wireLength?: number } = {}): Capture {
  return capture(
    name,
    { ethernet: eth(0x0806, options.vlan, Mac.BROADCAST), arp, padding: new Uint8Array(options.padding ?? 0) },
    options.wireLength,
  );
}

function arpOperation(operation: number): ArpRecord {
  return { ...arpReply(A, IP_A, B, IP_B), operation };
}

/** ARP for a hardware/protocol pair other than Ethernet/IPv4: the header and its address bytes. */
function otherArp(name: string, hardware: number, protocol: number, hardwareLength: number, protocolLength: number, operation: number): Capture {
  const body = new Uint8Array(8 + 2 * hardwareLength + 2 * protocolLength);
  body.set([hardware >> 8, hardware & 0xff, protocol >> 8, protocol & 0xff, hardwareLength, protocolLength, operation >> 8, operation & 0xff]);
  for (let i = 8; i < body.length; i++) body[i] = i * 7;
  return capture(name, { ethernet: eth(0x0806, undefined, Mac.BROADCAST), payload: body });
}

function icmpFrame(
  name: string,
  icmp: { type: number; code: number; identifier?: number; sequence?: number; restOfHeader?: number },
  data: Uint8Array,
  options: { vlan?: VlanTag; ip?: Partial<Ipv4Fields>; source?: Ipv4; destination?: Ipv4; padding?: number } = {},
): Capture {
  return capture(name, {
    ethernet: eth(0x0800, options.vlan),
    ipv4: ipv4Header(options.source ?? IP_A, options.destination ?? IP_B, 1, options.ip),
    icmp,
    payload: data,
    padding: new Uint8Array(options.padding ?? 0),
  });
}

function ipFrame(name: string, protocol: number, payload: Uint8Array, ip: Partial<Ipv4Fields> = {}): Capture {
  return capture(name, { ethernet: eth(0x0800), ipv4: ipv4Header(IP_A, IP_B, protocol, ip), payload });
}

/** The IPv4 header (and 8 bytes after it) an ICMP error quotes. */
function quoted(protocol: number, destinationPort: number, headerWords = 5, keep?: number): Uint8Array {
  const header = new Uint8Array(Math.max(20, headerWords * 4) + 8);
  header[0] = 0x40 | headerWords;
  header[9] = protocol;
  FAR.write(header, 16);
  IP_B.write(header, 12);
  header[headerWords * 4 + 2] = destinationPort >> 8;
  header[headerWords * 4 + 3] = destinationPort & 0xff;
  return keep === undefined ? header : header.subarray(0, keep);
}

function udpDatagram(sourcePort: number, destinationPort: number, dataLength: number, lengthField = 8 + dataLength): Uint8Array {
  const udp = new Uint8Array(8 + dataLength);
  udp.set([sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff, lengthField >> 8, lengthField & 0xff]);
  return udp;
}

function be32(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v));
  return bytes;
}

function namedFrames(): Capture[] {
  const ping = new Uint8Array(56).map((_, i) => i);
  const frames: Capture[] = [
    arpFrame("ARP request", arpRequest(A, IP_A, IP_B)),
    arpFrame("ARP reply", arpReply(B, IP_B, A, IP_A)),
    arpFrame("gratuitous ARP request", gratuitousRequest(A, IP_A)),
    arpFrame("gratuitous ARP request, target MAC ff:…", { ...gratuitousRequest(A, IP_A), targetMac: Mac.BROADCAST }),
    arpFrame("gratuitous ARP reply", gratuitousReply(A, IP_A)),
    arpFrame("RFC 5227 probe (sender 0.0.0.0)", arpProbe(A, IP_B)),
    arpFrame("ARP request padded to 60 bytes", arpRequest(A, IP_A, IP_B), { padding: 18 }),
    arpFrame("ARP reply cut by the snap length", arpReply(B, IP_B, A, IP_A), { wireLength: 60 }),
    arpFrame("802.1Q-tagged ARP request", arpRequest(A, IP_A, IP_B), { vlan: VLAN }),
    arpFrame("802.1Q-tagged, padded ARP reply", arpReply(B, IP_B, A, IP_A), { vlan: { id: 0, priority: 0, dropEligible: true }, padding: 14 }),
    arpFrame("reverse ARP request", arpOperation(3)),
    arpFrame("reverse ARP reply", arpOperation(4)),
    arpFrame("inverse ARP request", arpOperation(8)),
    arpFrame("inverse ARP reply", arpOperation(9)),
    otherArp("ARP for IPv6 over Ethernet", 1, 0x86dd, 6, 16, 1),
    otherArp("ARP with an unknown protocol", 1, 0x4242, 6, 5, 1),
    otherArp("ARP with an unknown hardware type", 99, 0x1234, 3, 5, 1),
    otherArp("ARP with hardware length 0", 1, 0x0800, 0, 4, 1),
    otherArp("token ring ARP reply", 6, 0x0800, 6, 4, 2),
    otherArp("ARP with 8-byte hardware addresses", 32, 0x0800, 8, 4, 2),
    otherArp("trailer-protocol ARP request", 1, 0x1000, 6, 4, 1),
    otherArp("reverse request with 1-byte addresses", 1, 0x0800, 1, 4, 3),
    icmpFrame("ICMP echo request", { type: 8, code: 0, identifier: 1234, sequence: 1 }, ping),
    icmpFrame("ICMP echo reply", { type: 0, code: 0, identifier: 1234, sequence: 1 }, ping, { source: IP_B, destination: IP_A }),
    icmpFrame("ICMP echo request without data", { type: 8, code: 0, identifier: 65535, sequence: 65535 }, new Uint8Array(0)),
    icmpFrame("ICMP echo request, padded frame", { type: 8, code: 0, identifier: 7, sequence: 9 }, new Uint8Array(4), { padding: 14 }),
    icmpFrame("802.1Q-tagged ICMP echo request", { type: 8, code: 0, identifier: 3, sequence: 4 }, ping, { vlan: VLAN }),
    icmpFrame("ICMP echo with IPv4 options (record route)", { type: 8, code: 0, identifier: 5, sequence: 6 }, ping, {
      ip: { options: new Uint8Array([7, 39, 4, ...new Uint8Array(36), 0]) },
    }),
    icmpFrame("ICMP echo, first fragment", { type: 8, code: 0, identifier: 8, sequence: 1 }, new Uint8Array(1472), {
      ip: { moreFragments: true, dontFragment: false, identification: 99 },
    }),
    ipFrame("ICMP, middle fragment", 1, new Uint8Array(1480), { moreFragments: true, fragmentOffset: 1480, dontFragment: false, identification: 99 }),
    ipFrame("ICMP, last fragment", 1, new Uint8Array(48), { fragmentOffset: 2960, dontFragment: false, identification: 99 }),
    ipFrame("UDP", 17, udpDatagram(40000, 33434, 12)),
    ipFrame("UDP, first fragment", 17, udpDatagram(40000, 33434, 100).subarray(0, 64), { moreFragments: true }),
    ipFrame("UDP, later fragment", 17, new Uint8Array(44), { fragmentOffset: 64 }),
    ipFrame("UDP with a length field past the datagram", 17, udpDatagram(1234, 5678, 10, 100)),
    ipFrame("UDP with a length field under 8", 17, udpDatagram(1234, 5678, 10, 4)),
    ipFrame("UDP cut to 7 bytes", 17, new Uint8Array([1, 2, 3, 4, 5, 6, 7])),
    ipFrame("UDP cut to 3 bytes", 17, new Uint8Array([1, 2, 3])),
    ipFrame("an IPv4 protocol tcpdump does not decode", 200, new Uint8Array(8)),
    ipFrame("IPv4 protocol 0", 0, new Uint8Array(0)),
  ];
  // ICMP errors and the other types
  for (let code = 0; code <= 16; code++) {
    frames.push(icmpFrame(`destination unreachable, code ${code}`, { type: 3, code, restOfHeader: code === 4 ? 1400 : 0 }, quoted(17, 33434)));
  }
  frames.push(
    icmpFrame("port unreachable quoting TCP", { type: 3, code: 3 }, quoted(6, 80)),
    icmpFrame("port unreachable quoting SCTP", { type: 3, code: 3 }, quoted(132, 9)),
    icmpFrame("port unreachable quoting a header with options", { type: 3, code: 3 }, quoted(17, 1000, 6)),
    icmpFrame("need to frag without an MTU", { type: 3, code: 4, restOfHeader: 0 }, quoted(17, 53)),
    icmpFrame("unreachable code 200", { type: 3, code: 200 }, quoted(17, 53)),
    icmpFrame("port unreachable quoting too little", { type: 3, code: 3 }, quoted(17, 1000, 5, 23)),
    icmpFrame("host unreachable quoting 19 bytes", { type: 3, code: 1 }, quoted(17, 1000, 5, 19)),
    icmpFrame("host unreachable quoting nothing", { type: 3, code: 1 }, new Uint8Array(0)),
    icmpFrame("time exceeded in transit", { type: 11, code: 0 }, quoted(1, 0), { source: ROUTER }),
    icmpFrame("reassembly time exceeded", { type: 11, code: 1 }, quoted(1, 0)),
    icmpFrame("time exceeded, code 5", { type: 11, code: 5 }, quoted(1, 0)),
    icmpFrame("time exceeded quoting too little", { type: 11, code: 0 }, quoted(1, 0, 5, 19)),
    ...[0, 1, 2, 3, 4].map((code) => icmpFrame(`redirect, code ${code}`, { type: 5, code, restOfHeader: ROUTER.value }, quoted(17, 53))),
    icmpFrame("parameter problem, pointer", { type: 12, code: 0, restOfHeader: 0x1400_0000 }, quoted(17, 53)),
    icmpFrame("parameter problem, code 1", { type: 12, code: 1 }, new Uint8Array(0)),
    icmpFrame("source quench", { type: 4, code: 0 }, quoted(17, 53)),
    icmpFrame("router solicitation", { type: 10, code: 0 }, new Uint8Array(0)),
    icmpFrame("router advertisement", { type: 9, code: 0, restOfHeader: 0x0202_0708 }, be32(0xc000_0201, 10, 0xc000_0202, 20)),
    icmpFrame("router advertisement, lifetime in hours", { type: 9, code: 0, restOfHeader: 0x0102_ffff }, be32(0xc000_0201, 10)),
    icmpFrame("router advertisement, odd entry size", { type: 9, code: 0, restOfHeader: 0x0103_003c }, be32(1, 2)),
    icmpFrame("router advertisement cut at tcpdump's buffer", { type: 9, code: 0, restOfHeader: 0x1402_003c }, new Uint8Array(160).fill(200)),
    icmpFrame("router advertisement missing an entry", { type: 9, code: 0, restOfHeader: 0x0202_003b }, be32(1, 2)),
    icmpFrame("time stamp request", { type: 13, code: 0, identifier: 1, sequence: 2 }, be32(0, 0, 0)),
    icmpFrame("time stamp reply", { type: 14, code: 0, identifier: 1, sequence: 2 }, be32(45_296_789, 86_399_999, 0xffff_ffff)),
    icmpFrame("time stamp reply cut short", { type: 14, code: 0, identifier: 1, sequence: 2 }, be32(1, 2).subarray(0, 7)),
    icmpFrame("information request", { type: 15, code: 0 }, new Uint8Array(0)),
    icmpFrame("information reply", { type: 16, code: 0 }, new Uint8Array(0)),
    icmpFrame("address mask request", { type: 17, code: 0 }, new Uint8Array(4)),
    icmpFrame("address mask reply", { type: 18, code: 0 }, new Uint8Array([255, 255, 255, 0])),
    icmpFrame("address mask reply cut short", { type: 18, code: 0 }, new Uint8Array(3)),
    icmpFrame("ICMP type 42", { type: 42, code: 7 }, new Uint8Array(12)),
  );
  return frames;
}

describe("packets/summary: lines as tcpdump -n prints them", function () {
  this.timeout(120_000);

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-summary-"));
    savedTimeZone = process.env.TZ;
    setTimeZone("UTC");
  });

  after(() => {
    setTimeZone(savedTimeZone);
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("prints every named kind of ARP, ICMP and IPv4 frame exactly as tcpdump does", () => {
    assertSameAsTcpdump(namedFrames());
  });

  it("prints the time of day in local time, as tcpdump does under TZ", () => {
    const frames = namedFrames().slice(0, 8);
    for (const zone of ["Asia/Kolkata", "America/St_Johns", "Europe/Berlin"]) {
      setTimeZone(zone);
      try {
        assertSameAsTcpdump(frames, zone);
      } finally {
        setTimeZone("UTC");
      }
    }
  });

  it("prints tcpdump's first line for ARP operations tcpdump hex-dumps (no length, as tcpdump)", () => {
    const frames = [0, 5, 10, 11, 25, 65535].map((op) => arpFrame(`ARP operation ${op}`, arpOperation(op)));
    assertSameAsTcpdump(frames);
    assert.match(ourLines(frames)[5], / ARP, Unknown \(65535\) $/);
  });

  it("prints other EtherTypes as the first line tcpdump -e gives them, and 802.3 frames by length", () => {
    const frames = [0x88b5, 0x9999, 0x86dd, 0x88cc].map((type) => capture(`EtherType ${type}`, { ethernet: eth(type), payload: new Uint8Array(46) }));
    frames.push(capture("802.1Q-tagged unknown EtherType", { ethernet: eth(0x88b5, VLAN), payload: new Uint8Array(42) }));
    const theirs = spawnSync("tcpdump", ["-n", "-e", "-r", writeFramesFile(frames)], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } })
      .stdout.split("\n")
      .filter((l) => l !== "" && !l.startsWith("\t"));
    const ours = ourLines(frames);
    assert.equal(ours[0], `${theirs[0].replace(/: $/, "")}`);
    assert.equal(ours[1], `${theirs[1].replace(/: $/, "")}`);
    // IPv6 is decoded (summary-ipv6.ts), as tcpdump -n does: 46 zero bytes are a header of version 0
    assertSameAsTcpdump([frames[2]]);
    assert.match(ours[2], /^\S+ IP6 version error: 0 != 6$/);
    assert.match(ours[3], /^\S+ 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype LLDP \(0x88cc\), length 60$/);
    // tcpdump -e shows the tag; without -e (and in our line) the frame inside is what shows
    assert.match(ours[4], /^\S+ 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype Unknown \(0x88b5\), length 60$/);
    const llc = capture("802.3 length field", { ethernet: eth(46), payload: new Uint8Array(46) });
    assert.equal(frameSummary(llc.bytes), "00:00:5e:00:53:01 > 00:00:5e:00:53:02, 802.3, length 60");
  });

  it("says what is wrong with a malformed frame, and where: the DecodeError message", () => {
    const request = encodeFrame({ ethernet: eth(0x0806, undefined, Mac.BROADCAST), arp: arpRequest(A, IP_A, IP_B) });
    const echo = encodeFrame({ ethernet: eth(0x0800), ipv4: ipv4Header(IP_A, IP_B, 1), icmp: { type: 8, code: 0, identifier: 1, sequence: 2 }, payload: new Uint8Array(56) });
    const badVersion = echo.slice();
    badVersion[14] = 0x65;
    const cases: [string, Uint8Array, number][] = [
      ["Ethernet header cut at 10 bytes", request.subarray(0, 10), 10],
      ["IPv4 header cut by the snap length", echo.subarray(0, 30), echo.length],
      ["IPv4 version 6", badVersion, badVersion.length],
    ];
    for (const [name, bytes, wireLength] of cases) {
      let error: unknown;
      try {
        decodeFrame(bytes);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof DecodeError, name);
      const line = frameSummary(bytes, wireLength);
      assert.ok(line.startsWith(`malformed: ${error.message}`), `${name}: ${line}`);
      if (wireLength > bytes.length) assert.ok(line.endsWith(`(captured ${bytes.length} of ${wireLength} bytes)`), line);
    }
    // IPv4 cut inside its payload, or shorter than its header says: tcpdump's line (summary-real-captures.test.ts has more)
    assertSameAsTcpdump([
      { name: "IPv4 datagram cut by the snap length", bytes: echo.subarray(0, 60), timeMicros: nextTime(), wireLength: echo.length },
      { name: "ICMP header cut", bytes: echo.subarray(0, 38), timeMicros: nextTime() },
    ]);
    // ARP whose addresses were not captured: tcpdump's whole line (it checks before it prints "ARP, ")
    assert.equal(frameSummary(request.subarray(0, 30)), " [|arp]");
    assertSameAsTcpdump([capture("ARP cut at 30 bytes", { ethernet: eth(0x0806), payload: request.subarray(14, 30) }, request.length)]);
  });

  it("gives decodeFrame's JSON with the capture time", () => {
    const frame = arpFrame("ARP", arpRequest(A, IP_A, IP_B));
    const json = JSON.parse(frameJson(frame.bytes, frame.timeMicros)) as Record<string, unknown>;
    assert.deepEqual(json, { time: frame.timeMicros, ...(JSON.parse(JSON.stringify(decodeFrame(frame.bytes))) as object) });
    const bad = JSON.parse(frameJson(frame.bytes.subarray(0, 30), 5)) as { time: number; malformed: { message: string; field: string } };
    assert.equal(bad.time, 5);
    assert.equal(bad.malformed.field, "senderIp");
    assert.match(bad.malformed.message, /^arp: truncated at byte 28/);
  });

  // ---- properties: many random frames, one tcpdump run each ----

  const time = fc.record({ seconds: fc.integer({ min: 0, max: 0x7fff_ffff }), micros: fc.integer({ min: 0, max: 999_999 }) });
  const padding = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 46 }), fc.uint8Array({ minLength: 47, maxLength: 300 }));
  const toCaptures = (frames: { fields: FrameFields; seconds: number; micros: number }[]): Capture[] =>
    frames.map((f, i) => ({ name: `frame ${i}: ${JSON.stringify(f.fields)}`, bytes: encodeFrame(f.fields), timeMicros: f.seconds * 1e6 + f.micros }));

  /**
   * 1000 frames in one tcpdump run. `tally` names the cases each frame is (keys of `minimums`); the
   * property fails unless the 1000 frames reach each case at least its minimum number of times.
   */
  function checkProperty<K extends string>(
    name: string,
    frame: fc.Arbitrary<FrameFields>,
    seed: number,
    minimums: Record<K, number>,
    tally: (fields: FrameFields, hit: (key: K, when?: boolean) => void) => void,
  ): void {
    const common = { tagged: 300, untagged: 50, paddingOver46: 100 };
    const reach = new Reach<K | keyof typeof common>(name, { ...common, ...minimums });
    fc.assert(
      fc.property(fc.array(fc.record({ fields: frame, seconds: time.map((t) => t.seconds), micros: time.map((t) => t.micros) }), { minLength: 1000, maxLength: 1000 }), (frames) => {
        for (const { fields } of frames) {
          reach.run();
          reach.hit("tagged", fields.ethernet.vlan !== undefined);
          reach.hit("untagged", fields.ethernet.vlan === undefined);
          reach.hit("paddingOver46", (fields.padding?.length ?? 0) > 46);
          tally(fields, (key, when) => reach.hit(key, when));
        }
        assertSameAsTcpdump(toCaptures(frames));
      }),
      { numRuns: 1, seed, endOnFailure: true },
    );
    reach.check();
  }

  it("property: any ARP frame for Ethernet/IPv4 with operation 1, 2, 3, 4, 8 or 9 prints as tcpdump prints it", () => {
    const operation = fc.constantFrom(1, 2, 3, 4, 8, 9);
    const arp = fc.tuple(arbitrary.arp, operation).map(([record, op]) => ({ ...record, operation: op }));
    checkProperty(
      "ARP for Ethernet/IPv4",
      fc.record({ ethernet: arbitrary.ethernet(fc.constant(0x0806)), arp, padding }, { noNullPrototype: true }),
      5227,
      { op1: 80, op2: 80, op3: 80, op4: 80, op8: 80, op9: 80, padded: 300 },
      (fields, hit) => {
        hit(`op${fields.arp!.operation}` as "op1");
        hit("padded", (fields.padding?.length ?? 0) > 0);
      },
    );
  });

  it("property: ARP for any other hardware or protocol type prints as tcpdump prints it (but frame relay and ATM)", () => {
    const operation = fc.constantFrom(1, 2, 3, 4, 8, 9);
    const other = fc
      .record({ ethernet: arbitrary.ethernet(fc.constant(0x0806)), unsupported: arbitrary.unsupportedArp, operation, padding })
      .filter(({ unsupported }) => unsupported.record.hardwareType !== 15 && unsupported.record.hardwareType !== 19)
      .map(({ ethernet, unsupported, operation: op, padding: p }) => ({ ethernet, arp: { ...unsupported.record, operation: op }, payload: unsupported.addresses, padding: p }));
    checkProperty("ARP for other types", other, 826, { ethernetHardware: 5, zeroLengths: 25, addressesOver100Bytes: 300, op1: 80, op9: 80 }, (fields, hit) => {
      const arp = fields.arp!;
      hit("ethernetHardware", arp.hardwareType === 1);
      hit("zeroLengths", arp.hardwareLength === 0 || arp.protocolLength === 0);
      hit("addressesOver100Bytes", (fields.payload?.length ?? 0) > 100);
      hit("op1", arp.operation === 1);
      hit("op9", arp.operation === 9);
    });
  });

  it("property: any ICMP echo request or reply prints as tcpdump prints it", () => {
    const echo = fc.record(
      {
        ethernet: arbitrary.ethernet(fc.constant(0x0800)),
        ipv4: arbitrary.ipv4Header(fc.constant(1)),
        icmp: arbitrary.echo,
        payload: fc.uint8Array({ maxLength: 200 }),
        padding,
      },
      { noNullPrototype: true },
    );
    checkProperty("ICMP echo", echo, 792, { request: 300, reply: 300, nonZeroCode: 100, payloadOver150: 100, emptyPayload: 1, ipv4Options: 300 }, (fields, hit) => {
      hit("request", fields.icmp!.type === 8);
      hit("reply", fields.icmp!.type === 0);
      hit("nonZeroCode", fields.icmp!.code !== 0);
      hit("payloadOver150", (fields.payload?.length ?? 0) > 150);
      hit("emptyPayload", (fields.payload?.length ?? 0) === 0);
      hit("ipv4Options", (fields.ipv4!.options?.length ?? 0) > 0);
    });
  });

  it("property: any TCP segment prints as tcpdump prints it: flags, seq/ack, window, urgent, options, bad header lengths, cut segments", () => {
    // Ports 40000-44999, where tcpdump decodes no application protocol. Options: mss, wscale, sackOK,
    // SACK blocks (their edges relative to the conversation tcpdump tracks), TS, nop, eol, the older
    // kinds tcpdump still names (echo, cc, md5, scps, uto, tcp-ao, tfo, exp), known kinds with a
    // length other than their own ("[len N]"), kinds tcpdump has no decoder for, and a malformed one
    // (length under 2, or past the header).
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    const u8 = fc.integer({ min: 0, max: 0xff });
    const port = fc.integer({ min: 40000, max: 44999 });
    const unknownKind = fc.oneof(fc.integer({ min: 14, max: 18 }), fc.integer({ min: 21, max: 27 }), fc.integer({ min: 35, max: 253 }));
    const option: fc.Arbitrary<number[]> = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((mss) => [2, 4, mss >> 8, mss & 0xff]),
      fc.integer({ min: 0, max: 255 }).map((shift) => [3, 3, shift]),
      fc.constant<number[]>([4, 2]),
      fc.tuple(u32, u32).map(([val, ecr]) => [8, 10, ...be32(val, ecr)]),
      fc.constant<number[]>([1]),
      fc.constant<number[]>([0]),
      fc.tuple(unknownKind, fc.uint8Array({ maxLength: 6 })).map(([kind, data]) => [kind, 2 + data.length, ...data]),
      fc.tuple(unknownKind, fc.integer({ min: 0, max: 1 })).map(([kind, length]) => [kind, length]),
      fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 4 }).map((blocks) => [5, 2 + 8 * blocks.length, ...be32(...blocks.flat())]),
      fc.tuple(fc.constantFrom(6, 7, 11, 12, 13), u32).map(([kind, value]) => [kind, 6, ...be32(value)]),
      fc.uint8Array({ minLength: 16, maxLength: 16 }).map((digest) => [19, 18, ...digest]),
      fc.tuple(u8, u8).map(([a, b]) => [20, 4, a, b]),
      fc.integer({ min: 0, max: 0xffff }).map((value) => [28, 4, value >> 8, value & 0xff]),
      fc.uint8Array({ maxLength: 8 }).map((data) => [29, 2 + data.length, ...data]),
      fc.uint8Array({ maxLength: 18 }).map((data) => [34, 2 + data.length, ...data]),
      fc.tuple(fc.constantFrom(0xf989, 0x1234), fc.uint8Array({ maxLength: 10 })).map(([magic, data]) => [254, 4 + data.length, magic >> 8, magic & 0xff, ...data]),
      fc.constantFrom<number[]>([2, 3, 1], [2, 6, 1, 2, 3, 4], [3, 4, 1, 2], [4, 4, 0, 0], [8, 12, ...new Array<number>(10).fill(7)], [5, 7, 1, 2, 3, 4, 5], [5, 2]),
    );
    const segment = fc
      .record({
        sourcePort: port,
        destinationPort: port,
        sequence: u32,
        acknowledgment: u32,
        flags: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x00)),
        window: fc.integer({ min: 0, max: 0xffff }),
        urgent: fc.integer({ min: 0, max: 0xffff }),
        options: fc.array(option, { maxLength: 6 }).map((list) => list.flat()),
        offset: fc.oneof({ weight: 8, arbitrary: fc.constant("fit" as const) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
        data: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 1000 })),
        cut: fc.oneof({ weight: 12, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 19 }) }),
      })
      .map((t) => {
        const optionBytes = t.options.slice(0, 40);
        const words = t.offset === "fit" ? 5 + Math.ceil(optionBytes.length / 4) : t.offset;
        // the bytes of header present: as the offset says, or (a drawn offset) 20 and the options
        const headerBytes = t.offset === "fit" ? words * 4 : 20 + Math.ceil(optionBytes.length / 4) * 4;
        const bytes = new Uint8Array(headerBytes + t.data.length);
        const view = new DataView(bytes.buffer);
        view.setUint16(0, t.sourcePort);
        view.setUint16(2, t.destinationPort);
        view.setUint32(4, t.sequence);
        view.setUint32(8, t.acknowledgment);
        bytes[12] = words << 4;
        bytes[13] = t.flags;
        view.setUint16(14, t.window);
        view.setUint16(18, t.urgent);
        bytes.set(optionBytes.slice(0, headerBytes - 20), 20);
        bytes.set(t.data, headerBytes);
        return { bytes: t.cut >= 0 ? bytes.slice(0, t.cut) : bytes, words, options: optionBytes.length, flags: t.flags, data: t.data.length, cut: t.cut >= 0 };
      });
    const tcp = fc
      .record({ ethernet: arbitrary.ethernet(fc.constant(0x0800)), ipv4: arbitrary.ipv4Header(fc.constant(6)), segment }, { noNullPrototype: true })
      .map(({ ethernet, ipv4, segment: sg }) => ({ ethernet, ipv4: { ...ipv4, options: new Uint8Array(0) }, payload: sg.bytes, segment: sg }));
    const cases = { syn: 20, ack: 300, rst: 20, fin: 20, urg: 150, noFlags: 5, withOptions: 300, optionsOver20Bytes: 50, headerUnder20: 15, headerPastSegment: 10, cutUnder20: 30, cutUnder4: 8, dataOver500: 100, noData: 100, paddingOver46: 0 };
    checkProperty("any TCP segment", tcp.map((f) => f as FrameFields), 4711, cases, (fields, hit) => {
      const sg = (fields as unknown as { segment: { words: number; options: number; flags: number; data: number; cut: boolean; bytes: Uint8Array } }).segment;
      hit("syn", (sg.flags & 0x02) !== 0);
      hit("ack", (sg.flags & 0x10) !== 0);
      hit("rst", (sg.flags & 0x04) !== 0);
      hit("fin", (sg.flags & 0x01) !== 0);
      hit("urg", (sg.flags & 0x20) !== 0);
      hit("noFlags", sg.flags === 0);
      hit("withOptions", !sg.cut && sg.words > 5);
      hit("optionsOver20Bytes", !sg.cut && sg.options > 20 && sg.words * 4 - 20 > 20);
      hit("headerUnder20", !sg.cut && sg.words < 5);
      hit("headerPastSegment", !sg.cut && sg.words * 4 > sg.bytes.length);
      hit("cutUnder20", sg.cut);
      hit("cutUnder4", sg.cut && sg.bytes.length < 4);
      hit("dataOver500", !sg.cut && sg.data > 500);
      hit("noData", !sg.cut && sg.data === 0);
    });
  });

  it("property: any ICMP message, whole or a fragment, prints as tcpdump prints it", () => {
    const icmp = fc.record(
      {
        ethernet: arbitrary.ethernet(fc.constant(0x0800)),
        ipv4: arbitrary.ipv4Header(fc.constant(1)),
        icmp: fc.oneof(
          arbitrary.otherIcmp,
          // the types tcpdump reads more of, more often than a uniform draw would give them
          fc.tuple(arbitrary.otherIcmp, fc.constantFrom(3, 5, 9, 11, 12, 13, 14, 18)).map(([message, type]) => ({ ...message, type })),
        ),
        payload: fc.uint8Array({ maxLength: 200 }),
        padding,
      },
      { noNullPrototype: true },
    );
    const fragment = fc.record(
      { ethernet: arbitrary.ethernet(fc.constant(0x0800)), ipv4: arbitrary.ipv4Header(fc.constant(1), "any").filter((h) => h.fragmentOffset !== 0), payload: fc.uint8Array({ maxLength: 100 }) },
      { noNullPrototype: true },
    );
    const types = [3, 5, 9, 11, 12, 13, 14, 18] as const;
    checkProperty(
      "any ICMP message or fragment",
      fc.oneof(icmp, fragment),
      1191,
      { ...Object.fromEntries(types.map((t) => [`type${t}`, 10])), otherType: 100, fragment: 300, payloadOver150: 50, paddingOver46: 40 } as Record<`type${(typeof types)[number]}` | "otherType" | "fragment" | "payloadOver150" | "paddingOver46", number>,
      (fields, hit) => {
        if (fields.icmp === undefined) return hit("fragment");
        const type = fields.icmp.type;
        hit((types as readonly number[]).includes(type) ? (`type${type}` as "type3") : "otherType");
        hit("payloadOver150", (fields.payload?.length ?? 0) > 150);
      },
    );
  });
});

function writeFramesFile(captures: readonly Capture[]): string {
  const file = path.join(directory, `frames-${files++}.pcap`);
  fs.writeFileSync(file, writePcap(captures.map((c) => ({ seconds: Math.floor(c.timeMicros / 1e6), nanoseconds: (c.timeMicros % 1e6) * 1000, data: c.bytes }))));
  return file;
}

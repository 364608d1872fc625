// `takeover sniff`, run as operators run it: the built CLI as a child process. From a capture file
// (-r), its lines must be tcpdump -n's for ARP and ICMP frames, filters must pick what tcpdump picks,
// -w must copy frames and timestamps exactly, -c must stop, --json must parse, a malformed frame must
// say so and not stop the rest, and mistakes must end in one line and exit status 2. Live (-i), in a
// throwaway lab of network namespaces (src/lab/netns.ts), it must show ping's ARP and ICMP as they
// pass, print tcpdump's counts on Ctrl-C, and say what privilege it lacks.
import { strict as assert } from "assert";
import { ChildProcess, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
  arpProbe,
  arpReply,
  arpRequest,
  decodeFrame,
  encodeFrame,
  EthernetRecord,
  FrameFields,
  gratuitousReply,
  gratuitousRequest,
  Ipv4,
  ipv4Header,
  Mac,
} from "../../src/packets";
import { PcapRecordInput, PcapResolution, readPcap, writePcap } from "../../src/packets/pcap";
import { Lab } from "../../src/lab/netns";
import * as arbitrary from "../packets/arbitraries";
import { LOOP, NULL, RAW, SLL, SLL2, wrapFrame } from "../packets/link-frames";

const CLI = path.resolve(__dirname, "../../src/cli/main.js");
const A = Mac.parse("00:00:5e:00:53:01");
const B = Mac.parse("00:00:5e:00:53:02");
const IP_A = Ipv4.parse("192.0.2.17");
const IP_B = Ipv4.parse("192.0.2.1");
const ENV = { ...process.env, TZ: "UTC" };

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function sniff(args: readonly string[], input?: Uint8Array): Run {
  const result = spawnSync(process.execPath, [CLI, "sniff", ...args], { env: ENV, input, encoding: "utf8", maxBuffer: 256 << 20, timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tcpdump(args: readonly string[]): string[] {
  const result = spawnSync("tcpdump", ["-n", ...args], { env: ENV, encoding: "utf8", maxBuffer: 256 << 20 });
  if (result.error !== undefined) throw new Error(`tcpdump could not run (apt-get install tcpdump): ${result.error.message}`);
  assert.equal(result.status, 0, `tcpdump ${args.join(" ")}: ${result.stderr}`);
  return lines(result.stdout).filter((l) => !l.startsWith("\t"));
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

let directory = "";
let files = 0;

function writeCapture(records: readonly PcapRecordInput[], resolution: PcapResolution = "micro"): string {
  const file = path.join(directory, `capture-${files++}.pcap`);
  fs.writeFileSync(file, writePcap(records, { resolution }));
  return file;
}

let clock = 1_700_000_000;
function stamped(frames: readonly Uint8Array[]): PcapRecordInput[] {
  return frames.map((data, i) => ({ seconds: clock++, nanoseconds: ((i * 123_457) % 1_000_000) * 1000, data }));
}

const eth = (etherType: number, destination = B, source = A, vlan?: EthernetRecord["vlan"]): EthernetRecord =>
  vlan === undefined ? { destination, source, etherType } : { destination, source, etherType, vlan };

function echo(type: 0 | 8, identifier: number, sequence: number, source = IP_A, destination = IP_B, vlan?: EthernetRecord["vlan"]): Uint8Array {
  return encodeFrame({
    ethernet: eth(0x0800, B, A, vlan),
    ipv4: ipv4Header(source, destination, 1),
    icmp: { type, code: 0, identifier, sequence },
    payload: new Uint8Array(56),
  });
}

function arp(record: FrameFields["arp"], padding = 0, vlan?: EthernetRecord["vlan"]): Uint8Array {
  return encodeFrame({ ethernet: eth(0x0806, Mac.BROADCAST, A, vlan), arp: record, padding: new Uint8Array(padding) });
}

function udp(sourcePort: number, destinationPort: number, source = IP_A, destination = IP_B): Uint8Array {
  const datagram = new Uint8Array(20);
  datagram.set([sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff, 0, 20]);
  return encodeFrame({ ethernet: eth(0x0800), ipv4: ipv4Header(source, destination, 17), payload: datagram });
}

function tcp(sourcePort: number, destinationPort: number, flags: number): Uint8Array {
  const segment = new Uint8Array(20);
  segment.set([sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0x10, 0]);
  return encodeFrame({ ethernet: eth(0x0800), ipv4: ipv4Header(IP_B, IP_A, 6), payload: segment });
}

/** A few named ARP and ICMP frames, then random ones (drawn with a fixed seed). */
function arpAndIcmpFrames(): Uint8Array[] {
  const named = [
    arp(arpRequest(A, IP_A, IP_B)),
    arp(arpReply(B, IP_B, A, IP_A)),
    arp(gratuitousRequest(A, IP_A)),
    arp(gratuitousReply(A, IP_A)),
    arp(arpProbe(A, IP_A)),
    arp(arpRequest(A, IP_A, IP_B), 18),
    arp(arpRequest(A, IP_A, IP_B), 0, { id: 42, priority: 5, dropEligible: false }),
    echo(8, 1234, 1),
    echo(0, 1234, 1, IP_B, IP_A),
    echo(8, 7, 9, IP_A, IP_B, { id: 7, priority: 0, dropEligible: false }),
  ];
  const random = fc.sample(
    fc.oneof(
      fc.record({ ethernet: arbitrary.ethernet(fc.constant(0x0806)), arp: arbitrary.arp.map((r) => ({ ...r, operation: 1 + (r.operation % 2) })) }, { noNullPrototype: true }),
      fc.record(
        { ethernet: arbitrary.ethernet(fc.constant(0x0800)), ipv4: arbitrary.ipv4Header(fc.constant(1)), icmp: fc.oneof(arbitrary.echo, arbitrary.otherIcmp), payload: fc.uint8Array({ maxLength: 100 }) },
        { noNullPrototype: true },
      ),
    ),
    { numRuns: 300, seed: 1982 },
  ) as FrameFields[];
  return [...named, ...random.map((f) => encodeFrame(f))];
}

/** ARP, ICMP, UDP and TCP frames between a few hosts, some of them 802.1Q-tagged, to filter. */
function mixedFrames(): Uint8Array[] {
  const C = Ipv4.parse("198.51.100.7");
  const tag = { id: 10, priority: 0, dropEligible: false };
  return [
    arp(arpRequest(A, IP_A, IP_B)),
    arp(arpReply(B, IP_B, A, IP_A)),
    arp(arpRequest(B, IP_B, C)),
    arp(arpProbe(A, C), 18),
    arp(arpRequest(A, IP_A, IP_B), 0, tag),
    arp(arpRequest(A, IP_A, C), 0, { id: 20, priority: 0, dropEligible: false }),
    echo(8, 1, 1),
    echo(0, 1, 1, IP_B, IP_A),
    echo(8, 2, 1, IP_A, C),
    echo(8, 3, 1, C, IP_B, tag),
    udp(40000, 53),
    udp(53, 40000, IP_B, IP_A),
    udp(5000, 33434, C, IP_A),
    tcp(80, 40000, 0x12),
    tcp(40000, 22, 0x02),
    encodeFrame({ ethernet: eth(0x88b5), payload: new Uint8Array(46) }),
  ];
}

describe("cli/sniff", function () {
  this.timeout(120_000);

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-sniff-"));
  });

  after(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  describe("-r FILE", () => {
    it("prints the lines tcpdump -n -r prints for ARP and ICMP frames, line for line", () => {
      const file = writeCapture(stamped(arpAndIcmpFrames()));
      const run = sniff(["-r", file]);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(lines(run.stdout), tcpdump(["-r", file]));
    });

    it("prints a capture bigger than its output buffer whole, and stops quietly when the reader goes away", () => {
      const frames = arpAndIcmpFrames();
      const many = Array.from({ length: 40_000 }, (_, i) => frames[i % frames.length]);
      const file = writeCapture(stamped(many));
      const run = sniff(["-r", file]);
      assert.equal(run.status, 0, run.stderr);
      const ours = lines(run.stdout);
      assert.equal(ours.length, many.length);
      assert.deepEqual(ours, tcpdump(["-r", file]));
      const errors = path.join(directory, "head.stderr");
      const piped = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${CLI}" sniff -r "${file}" 2>"${errors}" | head -1`], { env: ENV, encoding: "utf8" });
      const stderr = fs.readFileSync(errors, "utf8");
      assert.equal(piped.status, 0, `sniff | head -1: ${stderr}`);
      assert.equal(lines(piped.stdout).length, 1);
      assert.doesNotMatch(stderr, /EPIPE|Error|takeover:/);
    });

    it("reads a file of nanosecond timestamps, and one that arrives on stdin (-r -)", () => {
      const records = stamped(arpAndIcmpFrames().slice(0, 20)).map((r, i) => ({ ...r, nanoseconds: r.nanoseconds + i }));
      const file = writeCapture(records, "nano");
      const expected = tcpdump(["-r", file]);
      assert.deepEqual(lines(sniff(["-r", file]).stdout), expected);
      assert.deepEqual(lines(sniff(["-r", "-"], fs.readFileSync(file)).stdout), expected);
    });

    it("picks the frames tcpdump's filter picks, for the filter words it understands", () => {
      const file = writeCapture(stamped(mixedFrames()));
      const filters = [
        "arp",
        "icmp",
        "udp",
        "ip",
        "tcp",
        "not arp",
        "host 192.0.2.1",
        "src host 192.0.2.17",
        "dst 192.0.2.1",
        "host 198.51.100.7 or 192.0.2.17",
        "arp host 198.51.100.7",
        "ip src 192.0.2.17 and not arp",
        "arp dst 198.51.100.7",
        "ip host 198.51.100.7",
        "net 198.51.100.0/24",
        "src net 192.0.2",
        "dst net 198.51.100.0 mask 255.255.255.0",
        "port 53",
        "udp dst port 33434",
        "tcp src port 80",
        "src or dst port 22",
        "ether src 00:00:5e:00:53:01",
        "ether dst host ff:ff:ff:ff:ff:ff",
        "ether proto 0x88b5",
        "broadcast",
        "vlan",
        "vlan and arp",
        "vlan 10 and (icmp or arp)",
        "not vlan and arp",
        "arp or (icmp and ! host 198.51.100.7)",
        "icmp || udp && host 192.0.2.1",
        "ip proto 17",
        "greater 61",
        "less 60",
        "port http",
        "not ip6",
        "tcp[13] & 2 != 0",
        "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
        "icmp[icmptype] == icmp-echo",
        "ip[6:2] & 0x1fff = 0 and udp",
        "vlan and icmp[0] = 8",
      ];
      for (const filter of filters) {
        const run = sniff(["-r", file, ...filter.split(" ")]);
        assert.equal(run.status, 0, `${filter}: ${run.stderr}`);
        const ours = lines(run.stdout).map((l) => l.split(" ")[0]);
        const theirs = tcpdump(["-r", file, filter]).map((l) => l.split(" ")[0]);
        assert.deepEqual(ours, theirs, `filter "${filter}": the frames picked (by time)`);
      }
    });

    it("refuses, in one line, a filter outside the subset it understands", () => {
      const file = writeCapture(stamped(mixedFrames()));
      for (const filter of ["gateway 192.0.2.1", "host example.org", "udp port http", "tcp[13] & 2", "host 192.0.2.1 and"]) {
        const run = sniff(["-r", file, filter]);
        assert.equal(run.status, 2, filter);
        assert.equal(lines(run.stderr).length, 1, run.stderr);
        assert.match(run.stderr, /^takeover: filter ".*": .*subset/, filter);
      }
    });

    it("copies frames and their timestamps with -w, exactly, honouring the filter; -r reads the copy back", () => {
      for (const resolution of ["micro", "nano"] as const) {
        const records = stamped(mixedFrames()).map((r, i) => ({
          ...r,
          nanoseconds: resolution === "nano" ? r.nanoseconds + 7 * i : r.nanoseconds,
          originalLength: i % 3 === 0 ? r.data.length + 100 : r.data.length,
        }));
        const input = writeCapture(records, resolution);
        const copy = path.join(directory, `copy-${resolution}.pcap`);
        const run = sniff(["-r", input, "-w", copy]);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "", "with -w nothing is printed");
        const read = [...readPcap(fs.readFileSync(copy))];
        assert.equal(read.length, records.length);
        read.forEach((r, i) => {
          assert.deepEqual(Buffer.from(r.data), Buffer.from(records[i].data), `frame ${i} bytes`);
          assert.equal(r.seconds, records[i].seconds, `frame ${i} seconds`);
          assert.equal(r.nanoseconds, records[i].nanoseconds, `frame ${i} nanoseconds`);
          assert.equal(r.originalLength, records[i].originalLength, `frame ${i} length on the wire`);
        });
        assert.deepEqual(lines(sniff(["-r", copy]).stdout), lines(sniff(["-r", input]).stdout));

        const filtered = path.join(directory, `filtered-${resolution}.pcap`);
        assert.equal(sniff(["-r", input, "-w", filtered, "icmp"]).status, 0);
        assert.deepEqual(lines(sniff(["-r", filtered]).stdout), tcpdump(["-r", input, "icmp"]));
      }
    });

    it("stops after -c COUNT frames", () => {
      const file = writeCapture(stamped(mixedFrames()));
      const all = tcpdump(["-r", file]);
      const run = sniff(["-r", file, "-c", "3"]);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(lines(run.stdout), all.slice(0, 3));
      assert.deepEqual(lines(sniff(["-r", file, "-c", "2", "icmp"]).stdout), tcpdump(["-r", file, "icmp"]).slice(0, 2));
      const copy = path.join(directory, "count.pcap");
      assert.equal(sniff(["-r", file, "-c", "4", "-w", copy]).status, 0);
      assert.equal([...readPcap(fs.readFileSync(copy))].length, 4);
    });

    it("prints one JSON object a line with --json: decodeFrame's fields and the time in µs", () => {
      const records = stamped(mixedFrames());
      const file = writeCapture(records);
      const run = sniff(["-r", file, "--json"]);
      assert.equal(run.status, 0, run.stderr);
      const objects = lines(run.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(objects.length, records.length);
      objects.forEach((object, i) => {
        const expected = JSON.parse(JSON.stringify(decodeFrame(records[i].data))) as object;
        assert.deepEqual(object, { time: records[i].seconds * 1e6 + records[i].nanoseconds / 1000, ...expected });
        assert.ok(Number.isInteger(object.time));
      });
    });

    it("prints a malformed frame as malformed, saying what and where, and goes on", () => {
      const good = mixedFrames();
      const cut = arp(arpRequest(A, IP_A, IP_B)).subarray(0, 30);
      const badVersion = echo(8, 5, 5).slice();
      badVersion[14] = 0x65;
      const frames = [good[0], cut, good[6], badVersion, good[7], good[8]];
      const records = stamped(frames);
      const file = writeCapture(records);
      const run = sniff(["-r", file]);
      assert.equal(run.status, 0, run.stderr);
      const ours = lines(run.stdout);
      const theirs = tcpdump(["-r", file]);
      assert.equal(ours.length, 6);
      assert.equal(ours[0], theirs[0]);
      assert.equal(ours[1], theirs[1]); // ARP whose addresses were cut: tcpdump's " [|arp]"
      assert.match(ours[1], /^\d\d:\d\d:\d\d\.\d{6}  \[\|arp\]$/);
      assert.equal(ours[2], theirs[2]);
      assert.match(ours[3], /^\d\d:\d\d:\d\d\.\d{6} malformed: ipv4: bad version at byte 14: version 6, need 4$/);
      assert.deepEqual(ours.slice(4), theirs.slice(4));

      // a record whose microseconds field is a second or more: that record is malformed, not the file
      const bytes = fs.readFileSync(file);
      const fifth = 24 + records.slice(0, 4).reduce((sum, r) => sum + 16 + r.data.length, 0);
      bytes.writeUInt32LE(1_000_000, fifth + 4);
      const corrupt = path.join(directory, "corrupt-time.pcap");
      fs.writeFileSync(corrupt, bytes);
      const corruptRun = sniff(["-r", corrupt]);
      assert.equal(corruptRun.status, 0, corruptRun.stderr);
      const corruptLines = lines(corruptRun.stdout);
      assert.deepEqual(corruptLines.slice(0, 4), ours.slice(0, 4));
      assert.equal(corruptLines[4], `malformed: pcap: bad subseconds at byte ${fifth + 4}: 1000000 microseconds is not less than one second`);
      assert.equal(corruptLines[5], ours[5]);
    });

    it("prints the frames of a capture cut short, then says where it ends, in one line", () => {
      const bytes = fs.readFileSync(writeCapture(stamped(mixedFrames().slice(0, 3))));
      const cut = path.join(directory, "cut.pcap");
      fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
      const run = sniff(["-r", cut]);
      assert.equal(run.status, 2);
      assert.equal(lines(run.stdout).length, 2);
      assert.equal(lines(run.stderr).filter((l) => l.startsWith("takeover:")).length, 1);
      assert.match(run.stderr, /takeover: .*cut\.pcap: pcap: truncated at byte \d+ \(packetData\)/);
    });

    it("refuses a record with more bytes captured than were on the wire, in one line with status 2", () => {
      const bytes = fs.readFileSync(writeCapture(stamped(mixedFrames().slice(0, 3))));
      // the second record's original length (bytes 12..16 of its header) made one less than its captured length
      const second = 24 + 16 + bytes.readUInt32LE(24 + 8);
      const captured = bytes.readUInt32LE(second + 8);
      bytes.writeUInt32LE(captured - 1, second + 12);
      const bad = path.join(directory, "caplen.pcap");
      fs.writeFileSync(bad, bytes);
      const run = sniff(["-r", bad]);
      assert.equal(run.status, 2);
      assert.equal(lines(run.stdout).length, 1, "the record before it is printed");
      assert.deepEqual(lines(run.stderr).filter((l) => l.startsWith("takeover:")), [
        `takeover: ${bad}: pcap: bad capturedLength at byte ${second + 8}: invalid header: len(${captured - 1}) < caplen(${captured}): more bytes captured than were on the wire; the file is corrupt`,
      ]);
    });

    it("ends with one line and status 2 for a missing file, a file that is not pcap, and bad arguments", () => {
      const notPcap = path.join(directory, "notes.txt");
      fs.writeFileSync(notPcap, "these are not the frames you are looking for\n");
      const cases: [string[], RegExp][] = [
        [["-r", path.join(directory, "missing.pcap")], /^takeover: cannot read .*missing\.pcap: no such file or directory$/],
        [["-r", notPcap], /^takeover: .*notes\.txt: pcap: bad magic at byte 0: the file starts with bytes 74 68 65 73; expected the magic/],
        [["-r", directory], /^takeover: cannot read .*: it is a directory$/],
        [["-r", notPcap, "-c", "0"], /^takeover: -c takes a number of frames \(1 or more\), not "0"; write one like -c 10$/],
        [["-r", notPcap, "-i", "eth0"], /^takeover: sniff takes -i .* or -r .*, not both; give one of them$/],
        [[], /^takeover: sniff needs something to read; give -i IFACE .* or -r FILE/],
        [["-i", "nosuch0"], /^takeover: no interface "nosuch0"; this host has: /],
      ];
      for (const [args, message] of cases) {
        const run = sniff(args);
        assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
        const errorLines = lines(run.stderr);
        assert.equal(errorLines.length, 1, `${args.join(" ")}: ${run.stderr}`);
        assert.match(errorLines[0], message);
        assert.equal(run.stdout, "");
      }
    });
  });

  describe("-r FILE of other link types, and pcapng", () => {
    const FIXTURES = path.resolve(__dirname, "../../../test/packets/fixtures");

    function writeLinked(linkType: number, frames: readonly Uint8Array[]): string {
      const file = path.join(directory, `capture-${files++}-link${linkType}.pcap`);
      fs.writeFileSync(file, writePcap(stamped(frames), { linkType }));
      return file;
    }

    /** arpAndIcmpFrames() as frames of `linkType`, every direction and a known and an unknown interface index (SLL2). */
    function linkedFrames(linkType: number): Uint8Array[] {
      const out: Uint8Array[] = [];
      arpAndIcmpFrames().forEach((frame, i) => {
        const wrapped = wrapFrame(linkType, frame, { packetType: i % 6, interfaceIndex: i % 3 === 0 ? 99_999 : 1, bigEndianNull: i % 2 === 0 });
        if (wrapped !== undefined) out.push(wrapped);
      });
      return out;
    }

    /** Frames of protocols neither we nor tcpdump summarise, as each link type carries them. */
    function unknownProtocolFrames(linkType: number): Uint8Array[] {
      const other = encodeFrame({ ethernet: eth(0x88b5), payload: new Uint8Array(46) });
      const unknown = encodeFrame({ ethernet: eth(0x1234), payload: Uint8Array.of(1, 2, 3, 4) });
      if (linkType === SLL || linkType === SLL2) return [wrapFrame(linkType, other, { packetType: 4 })!, wrapFrame(linkType, unknown, { packetType: 0 })!];
      if (linkType === NULL || linkType === LOOP) return [wrapFrame(linkType, unknown, { family: 99 })!, wrapFrame(linkType, unknown, { family: 1234 })!];
      return [Uint8Array.of(0x50, 1, 2, 3)];
    }

    for (const [name, linkType] of [["LINUX_SLL2", SLL2], ["LINUX_SLL", SLL], ["RAW", RAW], ["NULL", NULL], ["LOOP", LOOP]] as const) {
      it(`prints the lines tcpdump -n -r prints for ${name} frames, line for line`, () => {
        const frames = [...linkedFrames(linkType), ...unknownProtocolFrames(linkType)];
        assert.ok(frames.length > 150, `${frames.length} frames`);
        const file = writeLinked(linkType, frames);
        const run = sniff(["-r", file]);
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(lines(run.stdout), tcpdump(["-r", file]));
      });
    }

    const REAL = ["any-sll2.pcap", "any-sll.pcap", "raw.pcap", "null.pcap", "loop.pcap", "a0-nano.pcapng", "two-interfaces.pcapng", "kernel-frames.pcapng"];
    it("prints real captures line for line as tcpdump does: tcpdump -i any (SLL2, SLL), raw IP, loopback, and pcapng by dumpcap and editcap", () => {
      for (const name of REAL) {
        const file = path.join(FIXTURES, name);
        const run = sniff(["-r", file]);
        assert.equal(run.status, 0, `${name}: ${run.stderr}`);
        const theirs = tcpdump(["-r", file]);
        assert.ok(theirs.length > 15, name);
        assert.deepEqual(lines(run.stdout), theirs, name);
      }
    });

    it("reads a pcapng file on stdin, and one whose interfaces have different link types, which tcpdump refuses", () => {
      const ng = path.join(FIXTURES, "kernel-frames.pcapng");
      assert.deepEqual(lines(sniff(["-r", "-"], fs.readFileSync(ng)).stdout), tcpdump(["-r", ng]));
      const mixed = sniff(["-r", path.join(FIXTURES, "mixed.pcapng")]);
      assert.equal(mixed.status, 0, mixed.stderr);
      const parts = [...tcpdump(["-r", path.join(FIXTURES, "any-sll2.pcap")]), ...tcpdump(["-r", path.join(FIXTURES, "kernel-frames.pcap")])];
      assert.deepEqual([...lines(mixed.stdout)].sort(), parts.sort());
    });

    it("copies an SLL2 capture with -w as a pcap of that link type, which tcpdump reads the same; -w from pcapng writes classic pcap", () => {
      for (const name of ["any-sll2.pcap", "a0-nano.pcapng"]) {
        const copy = path.join(directory, `copy-of-${name}.pcap`);
        const run = sniff(["-r", path.join(FIXTURES, name), "-w", copy]);
        assert.equal(run.status, 0, run.stderr);
        // classic pcap's little-endian magic: microseconds, or nanoseconds for the nanosecond pcapng
        const magic = name.endsWith(".pcapng") ? "4d3cb2a1" : "d4c3b2a1";
        assert.equal(fs.readFileSync(copy).subarray(0, 4).toString("hex"), magic);
        assert.deepEqual(tcpdump(["-r", copy]), tcpdump(["-r", path.join(FIXTURES, name)]));
      }
    });

    it("refuses, in one line with status 2: a file of neither format, a filter on frames other than Ethernet, a link type it does not read, -w of two link types, a broken pcapng", () => {
      const sll2 = path.join(FIXTURES, "any-sll2.pcap");
      const unsupported = path.join(directory, "ppp.pcap");
      fs.writeFileSync(unsupported, writePcap(stamped([Uint8Array.of(0xff, 3, 0, 0x21)]), { linkType: 9 }));
      const broken = path.join(directory, "broken.pcapng");
      const ng = fs.readFileSync(path.join(FIXTURES, "kernel-frames.pcapng"));
      fs.writeFileSync(broken, ng.subarray(0, ng.length - 6));
      const badLength = path.join(directory, "bad-length.pcapng");
      const copy = Buffer.from(ng);
      const shbLength = copy.readUInt32LE(4);
      const idbLength = copy.readUInt32LE(shbLength + 4);
      const firstPacket = shbLength + idbLength;
      copy.writeUInt32LE(7, firstPacket + 4);
      fs.writeFileSync(badLength, copy);
      const text = path.join(directory, "frames.txt");
      fs.writeFileSync(text, "no frames here\n");
      const cases: [string[], RegExp, number][] = [
        [["-r", text], /^takeover: .*frames\.txt: pcap: bad magic at byte 0: the file starts with bytes 6e 6f 20 66; expected the magic .*, in either byte order, or a pcapng file's 0a 0d 0d 0a$/, 0],
        [["-r", sll2, "icmp"], /^takeover: .*any-sll2\.pcap: the -r filter works on Ethernet frames, and this file has frames of link type LINUX_SLL2 \(Linux cooked v2\); leave the filter out/, 0],
        [["-r", unsupported], /^takeover: .*ppp\.pcap: link type 9 is not one sniff reads \(it reads Ethernet \(1\), Linux cooked v1 \(113\) and v2 \(276\), raw IP \(101, 12\), BSD loopback \(0\) and OpenBSD loopback \(108\)\); read this file with tcpdump -r$/, 0],
        [["-r", path.join(FIXTURES, "mixed.pcapng"), "-w", path.join(directory, "mixed-copy.pcap")], /^takeover: -w writes a classic pcap file of one link type, and this capture has frames of link type LINUX_SLL2 \(Linux cooked v2\) and of EN10MB \(Ethernet\); split it by interface first/, 0],
        [["-r", broken], /^takeover: .*broken\.pcapng: pcapng: truncated at byte \d+ \(Enhanced Packet Block\): need \d+ bytes, got \d+$/, 22],
        [["-r", badLength], new RegExp(`^takeover: .*bad-length\\.pcapng: pcapng: bad blockLength at byte ${firstPacket + 4}: the Enhanced Packet Block at byte ${firstPacket}: its length 7 is under the 12 bytes it needs; the file is corrupt$`), 0],
      ];
      for (const [args, message, printed] of cases) {
        const run = sniff(args);
        assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
        const errorLines = lines(run.stderr).filter((l) => l.startsWith("takeover:"));
        assert.equal(errorLines.length, 1, `${args.join(" ")}: ${run.stderr}`);
        assert.match(errorLines[0], message);
        assert.equal(lines(run.stdout).length, printed, args.join(" "));
      }
    });
  });

  describe("-i IFACE (live, in network namespaces)", () => {
    let lab: Lab | undefined;
    const children: ChildProcess[] = [];

    before(async function () {
      this.timeout(60_000);
      lab = await Lab.create({
        hosts: [
          { name: "a", address: "192.0.2.17/24", mac: "00:00:5e:00:53:11" },
          { name: "b", address: "192.0.2.1/24", mac: "00:00:5e:00:53:12" },
        ],
      });
    });

    after(async function () {
      this.timeout(60_000);
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await lab?.destroy();
    });

    /** Starts `takeover sniff ARGS` in host a; resolves once it is listening. */
    async function startSniff(args: readonly string[], wrapper: readonly string[] = []): Promise<SniffProcess> {
      const child = (lab as Lab).spawn("a", [...wrapper, "env", "TZ=UTC", process.execPath, CLI, "sniff", ...args]);
      children.push(child);
      const sniffing = new SniffProcess(child);
      await sniffing.waitFor(() => sniffing.stderr.includes("listening on") || sniffing.exited, 15_000, "sniff to start listening");
      return sniffing;
    }

    function ping(count: number): void {
      (lab as Lab).exec("a", ["ping", "-c", String(count), "-i", "0.2", "-W", "2", "192.0.2.1"], { check: true });
    }

    it("prints ping's ARP and ICMP frames as they pass, as tcpdump does, and -c ends the capture", async () => {
      (lab as Lab).exec("a", ["ip", "neigh", "flush", "all"]);
      const sniffing = await startSniff(["-i", "eth0", "-c", "4", "-n", "arp", "or", "icmp"]);
      ping(1);
      await sniffing.waitFor(() => sniffing.exited, 15_000, "sniff -c 4 to end");
      assert.equal(sniffing.status, 0, sniffing.stderr);
      const printed = lines(sniffing.stdout);
      const time = "\\d\\d:\\d\\d:\\d\\d\\.\\d{6}";
      const expected = [
        new RegExp(`^${time} ARP, Request who-has 192\\.0\\.2\\.1 tell 192\\.0\\.2\\.17, length 28$`),
        new RegExp(`^${time} ARP, Reply 192\\.0\\.2\\.1 is-at 00:00:5e:00:53:12, length 28$`),
        new RegExp(`^${time} IP 192\\.0\\.2\\.17 > 192\\.0\\.2\\.1: ICMP echo request, id \\d+, seq 1, length 64$`),
        new RegExp(`^${time} IP 192\\.0\\.2\\.1 > 192\\.0\\.2\\.17: ICMP echo reply, id \\d+, seq 1, length 64$`),
      ];
      assert.equal(printed.length, 4, sniffing.stdout);
      printed.forEach((line, i) => assert.match(line, expected[i]));
      assert.match(sniffing.stderr, /^4 packets captured$/m);
    });

    it("writes what it captures with -w, readable by tcpdump", async () => {
      const file = path.join(directory, "live.pcap");
      const sniffing = await startSniff(["-i", "eth0", "-c", "2", "-w", file, "icmp"]);
      ping(1);
      await sniffing.waitFor(() => sniffing.exited, 15_000, "sniff -c 2 -w to end");
      assert.equal(sniffing.status, 0, sniffing.stderr);
      const theirs = tcpdump(["-r", file]);
      assert.equal(theirs.length, 2);
      assert.match(theirs[0], /IP 192\.0\.2\.17 > 192\.0\.2\.1: ICMP echo request/);
      assert.deepEqual(lines(sniff(["-r", file]).stdout), theirs);
    });

    it("-i any captures on every interface, printing Linux cooked v1 frames as tcpdump -i any -y LINUX_SLL does; -w keeps the link type", async () => {
      const file = path.join(directory, "any.pcap");
      const writing = await startSniff(["-i", "any", "-c", "2", "-w", file, "icmp"]);
      const sniffing = await startSniff(["-i", "any", "-c", "2", "icmp"]);
      assert.match(sniffing.stderr, /^listening on any, link-type LINUX_SLL \(Linux cooked v1\), snapshot length 262144 bytes$/m);
      ping(1);
      await sniffing.waitFor(() => sniffing.exited, 15_000, "sniff -i any -c 2 to end");
      await writing.waitFor(() => writing.exited, 15_000, "sniff -i any -c 2 -w to end");
      assert.equal(sniffing.status, 0, sniffing.stderr);
      assert.equal(writing.status, 0, writing.stderr);
      const time = "\\d\\d:\\d\\d:\\d\\d\\.\\d{6}";
      const printed = lines(sniffing.stdout);
      assert.equal(printed.length, 2, sniffing.stdout);
      assert.match(printed[0], new RegExp(`^${time} IP 192\\.0\\.2\\.17 > 192\\.0\\.2\\.1: ICMP echo request, id \\d+, seq 1, length 64$`));
      assert.match(printed[1], new RegExp(`^${time} IP 192\\.0\\.2\\.1 > 192\\.0\\.2\\.17: ICMP echo reply, id \\d+, seq 1, length 64$`));
      const result = spawnSync("tcpdump", ["-n", "-r", file], { env: ENV, encoding: "utf8" });
      assert.match(result.stderr, /link-type LINUX_SLL \(Linux cooked v1\)/);
      assert.deepEqual(lines(sniff(["-r", file]).stdout), tcpdump(["-r", file]));
      assert.equal(tcpdump(["-r", file]).length, 2);
    });

    it("on Ctrl-C prints how many frames it captured and how many the kernel dropped", async () => {
      const sniffing = await startSniff(["-i", "eth0", "icmp"]);
      ping(2);
      await sniffing.waitFor(() => lines(sniffing.stdout).length >= 4, 10_000, "four ICMP lines");
      sniffing.child.kill("SIGINT");
      await sniffing.waitFor(() => sniffing.exited, 10_000, "sniff to end on SIGINT");
      assert.equal(sniffing.status, 0, sniffing.stderr);
      assert.equal(lines(sniffing.stdout).length, 4);
      assert.match(sniffing.stderr, /^4 packets captured$/m);
      assert.match(sniffing.stderr, /^\d+ packets? received by filter$/m);
      assert.match(sniffing.stderr, /^0 packets dropped by kernel$/m);
    });

    it("without CAP_NET_RAW says so, and what to do, in one line with status 2", async () => {
      const sniffing = await startSniff(["-i", "eth0"], ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]);
      await sniffing.waitFor(() => sniffing.exited, 15_000, "unprivileged sniff to end");
      assert.equal(sniffing.status, 2);
      const errorLines = lines(sniffing.stderr);
      assert.equal(errorLines.length, 1, sniffing.stderr);
      assert.match(errorLines[0], /^takeover: cannot open eth0 for capture: operation not permitted — needs CAP_NET_RAW/);
    });
  });
});

/** A running sniff: its output so far, and whether (and how) it ended. */
class SniffProcess {
  stdout = "";
  stderr = "";
  status: number | null = null;
  exited = false;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (text: string) => (this.stdout += text));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => (this.stderr += text));
    child.on("close", (status) => {
      this.status = status;
      this.exited = true;
    });
  }

  async waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${this.stdout} stderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

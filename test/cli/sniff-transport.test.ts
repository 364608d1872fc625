// `takeover sniff -r` on a generated capture of UDP, TCP and VRRP against `tcpdump -n -r` (4.99),
// line for line, with and without -S: TCP conversations (handshakes, data both ways, SACK, FIN, RST,
// several at once, one whose two ports are equal), odd and malformed TCP options and header lengths,
// UDP with good, bad and zero checksums, lying or short length fields, IPv4 fragments, VRRPv2 with
// each authentication type and a TTL other than 255, VRRPv3, other VRRP versions and types, cut
// VRRP messages. The same capture is read by tshark, whose fields and checksum verdicts must be the
// ones our views give.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  emitTcp,
  emitUdp,
  emitVrrp,
  pseudoHeaderSumAt,
  TCP_PROTOCOL,
  tcpBufferLength,
  TcpOption,
  TcpPacket,
  TcpRecord,
  UDP_PROTOCOL,
  udpBufferLength,
  UdpPacket,
  VRRP_PROTOCOL,
  vrrpBufferLength,
  VrrpPacket,
  VrrpRecord,
} from "../../src/packets";
import { writePcap } from "../../src/packets/pcap";
import { runTool, TSHARK } from "../helpers/tools";

const CLI = path.resolve(__dirname, "../../src/cli/main.js");
const ENV = { ...process.env, TZ: "UTC" };

interface Built {
  readonly frame: Uint8Array;
  readonly kind: "tcp" | "udp" | "vrrp" | "fragment";
}

/** A small deterministic generator (no Math.random: a failure names a frame that stays the same). */
class Draw {
  constructor(private state: number) {}
  next(): number {
    this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
    return this.state;
  }
  below(n: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }
  u32(): number {
    return ((this.next() & 0xffff) * 0x10000 + (this.next() >>> 16)) >>> 0;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.below(256));
  }
  chance(k: number): boolean {
    return this.below(k) === 0;
  }
}

const HOSTS = [[192, 0, 2, 10], [192, 0, 2, 20], [198, 51, 100, 7], [203, 0, 113, 99]];

function ethernetIpv4(source: number[], destination: number[], protocol: number, payload: Uint8Array, options: { ttl?: number; flags?: number; id?: number; pad?: boolean } = {}): Uint8Array {
  const total = 20 + payload.length;
  const frame = new Uint8Array(Math.max(14 + total, options.pad === false ? 0 : 60));
  frame.set([0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x08, 0x00]);
  const ip = frame.subarray(14);
  ip.set([0x45, 0, total >> 8, total & 0xff, (options.id ?? 7) >> 8, (options.id ?? 7) & 0xff, (options.flags ?? 0) >> 8, (options.flags ?? 0) & 0xff, options.ttl ?? 64, protocol, 0, 0, ...source, ...destination]);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip[10] = (~sum >> 8) & 0xff;
  ip[11] = ~sum & 0xff;
  ip.set(payload, 20);
  return frame;
}

function segment(source: number[], destination: number[], record: Partial<TcpRecord>, badChecksum = false): Uint8Array {
  const full: TcpRecord = {
    sourcePort: 40000, destinationPort: 40001, sequence: 0, acknowledgment: 0, headerLength: 0, flags: 0x10, window: 29200, checksum: 0x1234,
    urgentPointer: 0, options: [], padding: new Uint8Array(0), payload: new Uint8Array(0), ...record,
  };
  const bytes = new Uint8Array(tcpBufferLength(full));
  emitTcp(full, bytes, 0, { pseudoHeader: { source: Uint8Array.from(source), destination: Uint8Array.from(destination) } });
  if (badChecksum) bytes[17] ^= 0x5a;
  return ethernetIpv4(source, destination, TCP_PROTOCOL, bytes);
}

/** The corpus: ≥ 300 frames, in an order where conversations interleave. */
function corpus(seed: number): Built[] {
  const d = new Draw(seed);
  const frames: Built[] = [];
  const tcpOptions = (): TcpOption[] => {
    const all: TcpOption[] = [{ kind: "mss", value: 1460 }, { kind: "sackPermitted" }, { kind: "timestamps", value: d.u32(), echo: 0 }, { kind: "nop" }, { kind: "windowScale", shift: d.below(15) }];
    return all.filter(() => !d.chance(4));
  };
  // conversations: handshake, data both ways, SACK, then FIN or RST
  for (let c = 0; c < 24; c++) {
    const a = HOSTS[d.below(2)];
    const b = HOSTS[2 + d.below(2)];
    const samePorts = c % 8 === 5;
    const aPort = 40000 + d.below(5000);
    const bPort = samePorts ? aPort : 40000 + d.below(5000);
    let aSeq = d.u32();
    let bSeq = d.u32();
    const ab = (flags: number, data = 0, options: TcpOption[] = []): void => {
      frames.push({ frame: segment(a, b, { sourcePort: aPort, destinationPort: bPort, sequence: aSeq, acknowledgment: (flags & 0x10) !== 0 ? bSeq : 0, flags, options, payload: d.bytes(data) }, d.chance(15)), kind: "tcp" });
      aSeq = (aSeq + data + ((flags & 0x03) !== 0 ? 1 : 0)) >>> 0;
    };
    const ba = (flags: number, data = 0, options: TcpOption[] = []): void => {
      frames.push({ frame: segment(b, a, { sourcePort: bPort, destinationPort: aPort, sequence: bSeq, acknowledgment: aSeq, flags, options, payload: d.bytes(data) }, d.chance(15)), kind: "tcp" });
      bSeq = (bSeq + data + ((flags & 0x03) !== 0 ? 1 : 0)) >>> 0;
    };
    ab(0x02, 0, tcpOptions());
    ba(0x12, 0, tcpOptions());
    ab(0x10);
    for (let k = d.below(4); k >= 0; k--) {
      ab(0x18, 1 + d.below(600));
      ba(0x10, 0, d.chance(2) ? [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[(aSeq + 100) >>> 0, (aSeq + 300) >>> 0]] }] : []);
      if (d.chance(2)) ba(0x18, 1 + d.below(300));
    }
    if (d.chance(4)) ab(0x14);
    else {
      ab(0x11);
      ba(0x11);
      ab(0x10);
    }
  }
  // odd segments: urgent data, every flag, odd and malformed options, bad header lengths
  for (let k = 0; k < 40; k++) {
    const raw = new Uint8Array(20 + 40 + d.below(40));
    const view = new DataView(raw.buffer);
    view.setUint16(0, 40000 + d.below(5000));
    view.setUint16(2, 40000 + d.below(5000));
    view.setUint32(4, d.u32());
    view.setUint32(8, d.u32());
    const words = k % 10 === 3 ? d.below(5) : k % 10 === 7 ? 15 : 5 + d.below(11);
    raw[12] = words << 4;
    raw[13] = d.below(256);
    view.setUint16(14, d.below(65536));
    view.setUint16(18, d.below(65536));
    const options = [[2, 3, 5], [3, 4, 1, 2], [8, 12, ...d.bytes(10)], [5, 7, ...d.bytes(5)], [19, 18, ...d.bytes(16)], [28, 4, 0x81, 0x23], [254, 6, 0xf9, 0x89, 1, 2], [34, 2], [99, 2 + 3, 1, 2, 3], [0], [1], [7, 1], [77, 60]];
    let at = 20;
    while (at < 20 + 40) {
      const option = options[d.below(options.length)];
      raw.set(option.slice(0, 60 - at), at);
      at += option.length;
    }
    const payload = raw.subarray(0, k % 10 === 7 ? 40 : raw.length);
    const a = HOSTS[d.below(4)];
    const b = HOSTS[d.below(4)];
    frames.push({ frame: ethernetIpv4(a, b, TCP_PROTOCOL, payload), kind: "tcp" });
  }
  // UDP: good, bad and zero checksums, lying and short length fields, fragments
  for (let k = 0; k < 60; k++) {
    const a = HOSTS[d.below(4)];
    const b = HOSTS[d.below(4)];
    const record = { sourcePort: 40000 + d.below(5000), destinationPort: 40000 + d.below(5000), length: 0, checksum: 0, payload: d.bytes(d.below(200)) };
    const bytes = new Uint8Array(udpBufferLength(record));
    emitUdp(record, bytes, 0, { pseudoHeader: { source: Uint8Array.from(a), destination: Uint8Array.from(b) } });
    const variant = k % 10;
    if (variant === 1) bytes[7] ^= 0x33; // bad checksum
    if (variant === 2) bytes.fill(0, 6, 8); // no checksum
    if (variant === 3) bytes[5] = Math.min(255, bytes[5] + 1 + d.below(50)); // length past the datagram
    if (variant === 4) bytes.set([0, d.below(8)], 4); // length under 8
    if (variant === 5) {
      frames.push({ frame: ethernetIpv4(a, b, UDP_PROTOCOL, bytes.subarray(0, d.below(8))), kind: "udp" }); // shorter than a header
      continue;
    }
    if (variant === 6) {
      frames.push({ frame: ethernetIpv4(a, b, UDP_PROTOCOL, bytes.subarray(0, 8 + (bytes.length - 8 >> 4 << 3)), { flags: 0x2000, id: k }), kind: "fragment" }); // first fragment
      continue;
    }
    if (variant === 7) {
      frames.push({ frame: ethernetIpv4(a, b, UDP_PROTOCOL, d.bytes(8 + d.below(100)), { flags: 1 + d.below(100), id: k }), kind: "fragment" }); // a later fragment
      continue;
    }
    frames.push({ frame: ethernetIpv4(a, b, UDP_PROTOCOL, bytes, { pad: !d.chance(3) }), kind: "udp" });
  }
  // VRRP: v2 with each auth type, v3, TTLs, other versions and types, cut messages
  for (let k = 0; k < 50; k++) {
    const source = HOSTS[d.below(4)];
    const group = [224, 0, 0, 18];
    const version = k % 3 === 0 ? 3 : 2;
    const record: VrrpRecord = {
      version, type: k % 11 === 4 ? 2 + d.below(14) : 1, virtualRouterId: 1 + d.below(255), priority: d.chance(5) ? 255 : d.below(256),
      addressCount: 0, authType: version === 2 ? (k % 7 < 4 ? k % 7 : d.below(256)) : 0, interval: version === 2 ? 1 + d.below(255) : d.below(4096),
      checksum: 0, addresses: Array.from({ length: 1 + d.below(4) }, () => Uint8Array.from([203, 0, 113, d.below(256)])),
      authData: version === 2 ? Uint8Array.from(k % 7 === 1 ? [...Buffer.from("secret"), 0, 0] : d.bytes(8)) : new Uint8Array(0),
    };
    const bytes = new Uint8Array(vrrpBufferLength(record));
    emitVrrp(record, bytes, 0, { pseudoHeader: { source: Uint8Array.from(source), destination: Uint8Array.from(group) } });
    if (k % 13 === 6) bytes[0] = (d.chance(2) ? 1 : 4 + d.below(12)) << 4 | 1; // another version
    if (k % 17 === 8) bytes[7] ^= 1; // bad checksum
    const cut = k % 9 === 2 ? bytes.subarray(0, d.below(8)) : bytes;
    frames.push({ frame: ethernetIpv4(source, group, VRRP_PROTOCOL, cut, { ttl: k % 5 === 1 ? 1 + d.below(254) : 255 }), kind: "vrrp" });
  }
  // interleave: a stable shuffle keeps each conversation's order but mixes conversations and the rest
  const keyed = frames.map((f, i) => ({ f, key: d.below(1000) * 1000 + i }));
  const conversationsFirst = keyed.filter((x) => x.f.kind === "tcp").map((x) => x.f);
  const rest = keyed.filter((x) => x.f.kind !== "tcp").sort((x, y) => x.key - y.key).map((x) => x.f);
  const mixed: Built[] = [];
  for (let i = 0, j = 0; i < conversationsFirst.length || j < rest.length; ) {
    if (j >= rest.length || (i < conversationsFirst.length && d.below(3) !== 0)) mixed.push(conversationsFirst[i++]);
    else mixed.push(rest[j++]);
  }
  return mixed;
}

function linesOf(text: string): string[] {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("\t") && !line.startsWith(" "));
}

describe("sniff -r agrees with tcpdump -n -r on UDP, TCP and VRRP", function () {
  this.timeout(120_000);
  let directory = "";
  let file = "";
  let frames: Built[] = [];

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-transport-"));
    file = path.join(directory, "transport.pcap");
    frames = corpus(20261204);
    fs.writeFileSync(file, writePcap(frames.map((f, i) => ({ seconds: 1_764_806_400 + i * 7, nanoseconds: (i * 7919 % 1000) * 1_000_000 + i * 1000, data: f.frame }))));
  });
  after(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("the corpus holds at least 300 frames of every kind it is for", () => {
    const count = (kind: Built["kind"]): number => frames.filter((f) => f.kind === kind).length;
    assert.ok(frames.length >= 300, `${frames.length} frames`);
    assert.ok(count("tcp") >= 150 && count("udp") >= 40 && count("vrrp") >= 40 && count("fragment") >= 10, JSON.stringify({ tcp: count("tcp"), udp: count("udp"), vrrp: count("vrrp"), fragment: count("fragment") }));
  });

  for (const absolute of [false, true]) {
    it(`every line is tcpdump's${absolute ? " with -S (absolute sequence numbers)" : " (relative sequence numbers per conversation)"}`, () => {
      const flags = absolute ? ["-S"] : [];
      const theirs = spawnSync("tcpdump", ["-n", ...flags, "-r", file], { env: ENV, encoding: "utf8", maxBuffer: 256 << 20 });
      assert.equal(theirs.status, 0, `tcpdump: ${theirs.stderr}`);
      const ours = spawnSync(process.execPath, [CLI, "sniff", ...flags, "-r", file], { env: ENV, encoding: "utf8", maxBuffer: 256 << 20 });
      assert.equal(ours.status, 0, `sniff: ${ours.stderr}`);
      const expected = linesOf(theirs.stdout);
      const actual = linesOf(ours.stdout);
      assert.equal(expected.length, frames.length);
      assert.equal(actual.length, frames.length);
      const differing = actual.map((line, i) => [line, expected[i], i] as const).filter(([a, b]) => a !== b);
      assert.deepEqual(differing.slice(0, 5), [], `${differing.length} of ${frames.length} lines differ`);
      // the corpus reaches what it is for: each of these shows in tcpdump's lines
      const marks = ["VRRPv2, Advertisement", "VRRPv3, Advertisement", "authtype none", "authtype simple", "authtype ah", "authtype #", "intvl", "cs, length", ", (ttl ",
        "unknown type", "[|vrrp]", "VRRPv1", "[bad opt]", "[len ", "bad hdr length", "sack 1 {", "TS val", "wscale", "ip-proto-17", "UDP, bad length",
        "truncated-udplength", "truncated-udp ", "Flags [S]", "Flags [S.]", "Flags [F.]", "Flags [R.]", "urg "];
      assert.deepEqual(marks.filter((mark) => !expected.some((line) => line.includes(mark))), [], "marks missing from tcpdump's lines");
      // relative numbers show (tcpdump's "seq 1:..." after a handshake) unless -S
      assert.equal(actual.some((line) => / seq 1:\d+, ack 1,/.test(line)), !absolute);
    });
  }

  it("tshark reads the same ports, numbers, lengths and checksum verdicts from every UDP, TCP and VRRP frame as our views", () => {
    const { stdout } = runTool(TSHARK, [
      "-r", file, "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.relative_sequence_numbers:FALSE",
      "-T", "fields", "-E", "separator=|", "-e", "frame.number",
      "-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.length", "-e", "udp.checksum.status",
      "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "tcp.hdr_len", "-e", "tcp.window_size_value", "-e", "tcp.checksum.status",
      "-e", "vrrp.version", "-e", "vrrp.type", "-e", "vrrp.virt_rtr_id", "-e", "vrrp.prio", "-e", "vrrp.addr_count", "-e", "vrrp.checksum.status",
    ], 120_000);
    const rows = stdout.trim().split("\n").map((line) => line.split("|"));
    assert.equal(rows.length, frames.length);
    let compared = 0;
    const reached = { tcp: 0, tcpBad: 0, udp: 0, udpBad: 0, vrrp: 0, vrrpBad: 0 };
    frames.forEach(({ frame, kind }, i) => {
      const row = rows[i];
      const ipEnd = 14 + ((frame[16] << 8) | frame[17]);
      const pseudo = (protocol: number): number => pseudoHeaderSumAt(frame, 26, 30, 4, protocol, ipEnd - 34);
      if (kind === "udp" && row[1] !== "") {
        const view = new UdpPacket(frame, 34, ipEnd);
        if (view.check() !== undefined) return;
        const verdict = view.checksum === 0 ? "3" : view.checksumVerifies(pseudo(UDP_PROTOCOL)) ? "1" : "0";
        assert.deepEqual(row.slice(1, 5), [view.sourcePort, view.destinationPort, view.length, verdict].map(String), `frame ${i + 1}`);
        reached.udp++;
        if (verdict === "0") reached.udpBad++;
        compared++;
      }
      if (kind === "tcp" && row[5] !== "") {
        const view = new TcpPacket(frame, 34, ipEnd);
        if (view.check() !== undefined) return;
        const verdict = view.checksumVerifies(pseudo(TCP_PROTOCOL)) ? "1" : "0";
        assert.deepEqual(row.slice(5, 12), [view.sourcePort, view.destinationPort, view.sequence, view.acknowledgment, view.headerLength, view.window, verdict].map(String), `frame ${i + 1}`);
        reached.tcp++;
        if (verdict === "0") reached.tcpBad++;
        compared++;
      }
      if (kind === "vrrp" && row[12] !== "") {
        const view = new VrrpPacket(frame, 34, ipEnd, 4);
        if (view.check() !== undefined) return;
        const verdict = view.checksumVerifies(pseudo(VRRP_PROTOCOL)) ? "1" : "0";
        assert.deepEqual(row.slice(12, 18), [view.version, view.type, view.virtualRouterId, view.priority, view.addressCount, verdict].map(String), `frame ${i + 1}`);
        reached.vrrp++;
        if (verdict === "0") reached.vrrpBad++;
        compared++;
      }
    });
    assert.ok(compared >= 250 && reached.tcpBad >= 5 && reached.udpBad >= 3 && reached.vrrpBad >= 1 && reached.vrrp >= 25, JSON.stringify({ compared, ...reached }));
  });
});

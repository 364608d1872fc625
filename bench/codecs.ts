// bench:codecs — our ARP and ICMP echo decoders (record path and view path) and encoder, against a
// hand-written DataView reader/writer of the same fields (the floor) and node_pcap's decoder, on the
// same bytes in one process and one run. Prints ns/op (min, median, max over interleaved rounds) and
// the ratios the codec issue targets, then some informative ratios.
//
// Fairness: every decode case walks a ring of RING distinct frames of its kind (different addresses,
// identifiers, sequence numbers, TTLs), stored back to back in one ArrayBuffer like a capture buffer,
// so no case can have its loads hoisted out of the loop as they could with one frame decoded over and
// over. Our codecs get a Uint8Array view per frame and node_pcap a Buffer per frame (both made before
// timing); the floor gets one DataView over the whole capture and each frame's offset and length.
// Every reader reads the same fields and makes the checks any reader needs before trusting them:
//   ARP:  frame length, EtherType, and that the body is Ethernet/IPv4 ARP (htype, ptype, hlen, plen);
//   ICMP: frame length, EtherType, IPv4 version and IHL (header inside the frame), totalLength inside
//         the frame and covering the 8-byte ICMP header, protocol ICMP, first fragment.
// Before timing, the readers are checked to agree on every frame (and the writers to write the
// captured bytes). The record cases keep each Frame (see `kept`). Each case has its own loop function.
// The encode cases encode a ring of RING distinct plain records (as a sender builds them) into one
// reused buffer sized to the frame; the encode floor writes the same fields of the same records with
// a DataView and computes the same two checksums.
//
// Rows marked (info) have no target; they show where the costs are: the floor read byte by byte from
// each frame's Uint8Array (what any Uint8Array reader pays) and from one Uint8Array of the whole
// capture with the DataView floor's offsets (the same byte loads without a per-frame array: the
// per-frame array is not the gap, the byte loads are), the records decodeFrame builds built by a
// hand-written DataView decoder (what building them costs at best), encodeFrame into a larger buffer
// (it then returns a subarray) and encodeFrame of a decoded Frame.
//
// Environment: BENCH_ITERATIONS (ops per sample, default 200000), BENCH_ROUNDS (interleaved rounds,
// default 15), BENCH_REPEAT (whole measurements in this process, default 1; each is printed, then
// the median of their medians), BENCH_ONLY (a regular expression: time only the cases it matches).
import { isDeepStrictEqual } from "node:util";
import { formatTable, measure, median, Result } from "./harness";
// Imported from the modules, not from the package index: TypeScript compiles the index's
// re-exports to getters on an exports object V8 keeps in dictionary mode, so every use of a name
// from it in a loop (a function, a constant, an enum) would be a getter call that no case should pay.
import { Ipv4, Mac } from "../src/packets/address";
import { ArpRecord, arpReply, arpRequest, gratuitousRequest } from "../src/packets/arp";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../src/packets/ethernet";
import { decodeFrame, encodeFrame, ethernetHeader, Frame, FrameFields, FrameKind, FrameView, ipv4Header } from "../src/packets/frame";
import { IcmpFields } from "../src/packets/icmp";
import { Ipv4Fields, IP_PROTOCOL_ICMP } from "../src/packets/ipv4";
import { checkBenchArgs } from "./args";
import { TcpPacket, TcpRecord, emitTcp, tcpBufferLength, TCP_PROTOCOL } from "../src/packets/tcp";
import { UdpPacket, emitUdp, udpBufferLength, UDP_PROTOCOL } from "../src/packets/udp";
import { emitIcmpv6, Icmpv6Packet, Icmpv6Record } from "../src/packets/icmpv6";
import { emitIpv6, Ipv6Address, Ipv6Packet, Ipv6Record, ipv6BufferLength } from "../src/packets/ipv6";

// node_pcap's pure-JS decoder; loading "pcap/decode" does not load the native binding.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const nodePcapDecode: (packet: { buf: Buffer; header: Buffer; link_type: string }) => { payload: unknown } = require("pcap/decode").decode.packet;

const RING = 256;
const MASK = RING - 1;
const TWO_32 = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------------
// The frames: RING distinct ARP frames (60 bytes each, padded as captured from a NIC) and RING
// distinct ICMP echo frames (98 bytes: ping's 56 data bytes), back to back in one capture buffer.

function arpFrameRecord(k: number): FrameFields {
  const mac = new Mac(0x02005e000000 + k * 0x10001);
  const ip = new Ipv4((0xc0000200 + (k << 8) + ((k * 37) & 0xff)) >>> 0);
  const other = new Ipv4((0xc0000200 + (k << 8) + ((k * 11 + 1) & 0xff)) >>> 0);
  const arp =
    k % 3 === 0
      ? arpRequest(mac, ip, other)
      : k % 3 === 1
        ? arpReply(mac, ip, new Mac(0x02005e100000 + k * 0x1003), other)
        : gratuitousRequest(mac, ip);
  const destination = arp.operation === 1 ? Mac.BROADCAST : arp.targetMac;
  return { ethernet: ethernetHeader(destination, mac, ETHERTYPE_ARP), arp, padding: new Uint8Array(18) };
}

function icmpFrameRecord(k: number): FrameFields {
  const payload = new Uint8Array(56);
  for (let i = 0; i < 56; i++) payload[i] = i < 8 ? (k * 131 + i * 29) & 0xff : i;
  const request = k % 2 === 0;
  const near = new Ipv4(0xc0000211 + (k & 0x3f));
  const far = new Ipv4((0xc6336400 + k * 0x10003) >>> 0);
  const ipv4: Ipv4Fields = ipv4Header(request ? near : far, request ? far : near, IP_PROTOCOL_ICMP, {
    identification: (k * 0x2c1b) & 0xffff,
    ttl: request ? 64 : 50 + (k % 13),
  });
  const icmp: IcmpFields = { type: request ? 8 : 0, code: 0, identifier: 0x4d2 + (k >>> 4), sequence: k * 3 };
  const nearMac = new Mac(0x02005e000011);
  const routerMac = new Mac(0x02005e000001 + (k & 3));
  return {
    ethernet: ethernetHeader(request ? routerMac : nearMac, request ? nearMac : routerMac, ETHERTYPE_IPV4),
    ipv4,
    icmp,
    payload,
  };
}

interface Ring {
  /** one view per frame, for our codecs */
  readonly frames: Uint8Array[];
  /** one Buffer per frame and its pcap record header, for node_pcap */
  readonly buffers: Buffer[];
  readonly headers: Buffer[];
  /** where each frame starts in the capture, and its length, for the floor */
  readonly offsets: number[];
  readonly lengths: number[];
}

function pcapHeaderFor(length: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(length, 8);
  header.writeUInt32LE(length, 12);
  return header;
}

function buildCapture(kinds: readonly (readonly Uint8Array[])[]): { capture: ArrayBuffer; rings: Ring[] } {
  let total = 0;
  for (const frames of kinds) for (const f of frames) total += f.length;
  const capture = new ArrayBuffer(total);
  const bytes = new Uint8Array(capture);
  let at = 0;
  const rings = kinds.map((frames) => {
    const ring: Ring = { frames: [], buffers: [], headers: [], offsets: [], lengths: [] };
    for (const f of frames) {
      bytes.set(f, at);
      ring.frames.push(new Uint8Array(capture, at, f.length));
      ring.buffers.push(Buffer.from(capture, at, f.length));
      ring.headers.push(pcapHeaderFor(f.length));
      ring.offsets.push(at);
      ring.lengths.push(f.length);
      at += f.length;
    }
    return ring;
  });
  return { capture, rings };
}

const arpFrameRecords = Array.from({ length: RING }, (_, k) => arpFrameRecord(k));
const icmpFrameRecords = Array.from({ length: RING }, (_, k) => icmpFrameRecord(k));
const { capture, rings } = buildCapture([arpFrameRecords.map((r) => encodeFrame(r)), icmpFrameRecords.map((r) => encodeFrame(r))]);
const [arpRing, icmpRing] = rings;
const captureView = new DataView(capture);

/** What a sender builds: the ARP body without padding (the NIC pads), and the echo frames as above. */
const arpEncodeRecords: FrameFields[] = arpFrameRecords.map((r) => ({ ethernet: r.ethernet, arp: r.arp }));
const icmpEncodeRecords: FrameFields[] = icmpFrameRecords;
/** The same frames as decoded Frames, for the informative "encode a decoded Frame" case. */
const arpDecoded: Frame[] = arpRing.frames.map((f) => decodeFrame(f.slice(0, 42)));
const icmpDecoded: Frame[] = icmpRing.frames.map((f) => decodeFrame(f.slice()));

// ---------------------------------------------------------------------------------------------
// Decode cases. Each returns a sum of the fields it read (and -1 per frame it rejected), so the
// readers can be checked to agree before they are timed.

function floorArp(n: number): number {
  const dv = captureView;
  const offsets = arpRing.offsets;
  const lengths = arpRing.lengths;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK];
    if (lengths[i & MASK] < 42 || dv.getUint16(at + 12) !== ETHERTYPE_ARP || dv.getUint32(at + 14) !== 0x00010800 || dv.getUint16(at + 18) !== 0x0604) {
      s -= 1;
      continue;
    }
    const operation = dv.getUint16(at + 20);
    const senderMac = dv.getUint16(at + 22) * TWO_32 + dv.getUint32(at + 24);
    const senderIp = dv.getUint32(at + 28);
    const targetMac = dv.getUint16(at + 32) * TWO_32 + dv.getUint32(at + 34);
    const targetIp = dv.getUint32(at + 38);
    s += operation + senderMac + senderIp + targetMac + targetIp;
  }
  return s;
}

function floorIcmp(n: number): number {
  const dv = captureView;
  const offsets = icmpRing.offsets;
  const lengths = icmpRing.lengths;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK];
    const length = lengths[i & MASK];
    if (length < 34 || dv.getUint16(at + 12) !== ETHERTYPE_IPV4) {
      s -= 1;
      continue;
    }
    const first = dv.getUint8(at + 14);
    const headerLength = (first & 0xf) * 4;
    const totalLength = dv.getUint16(at + 16);
    if (
      first >>> 4 !== 4 ||
      headerLength < 20 ||
      totalLength < headerLength + 8 ||
      14 + totalLength > length ||
      dv.getUint8(at + 23) !== IP_PROTOCOL_ICMP ||
      (dv.getUint16(at + 20) & 0x1fff) !== 0
    ) {
      s -= 1;
      continue;
    }
    const source = dv.getUint32(at + 26);
    const destination = dv.getUint32(at + 30);
    const ttl = dv.getUint8(at + 22);
    const t = at + 14 + headerLength;
    const type = dv.getUint8(t);
    const identifier = dv.getUint16(t + 4);
    const sequence = dv.getUint16(t + 6);
    s += source + destination + ttl + IP_PROTOCOL_ICMP + type + identifier + sequence;
  }
  return s;
}

/**
 * The floors again, hand-written over each frame's own Uint8Array with byte loads (informative):
 * what any reader of a Uint8Array pays in Node 20, where a DataView needs the array's `.buffer` and
 * `.byteOffset`, which V8 11 does not inline (~25 ns a frame to get them, more than the whole read).
 */
function bytesFloorArp(n: number): number {
  const frames = arpRing.frames;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const b = frames[i & MASK];
    if (b.length < 42 || ((b[12] << 8) | b[13]) !== ETHERTYPE_ARP || u32(b, 14) !== 0x00010800 || ((b[18] << 8) | b[19]) !== 0x0604) {
      s -= 1;
      continue;
    }
    const operation = (b[20] << 8) | b[21];
    const senderMac = ((b[22] << 8) | b[23]) * TWO_32 + u32(b, 24);
    const targetMac = ((b[32] << 8) | b[33]) * TWO_32 + u32(b, 34);
    s += operation + senderMac + u32(b, 28) + targetMac + u32(b, 38);
  }
  return s;
}

function bytesFloorIcmp(n: number): number {
  const frames = icmpRing.frames;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const b = frames[i & MASK];
    const length = b.length;
    if (length < 34 || ((b[12] << 8) | b[13]) !== ETHERTYPE_IPV4) {
      s -= 1;
      continue;
    }
    const first = b[14];
    const headerLength = (first & 0xf) * 4;
    const totalLength = (b[16] << 8) | b[17];
    if (
      first >>> 4 !== 4 ||
      headerLength < 20 ||
      totalLength < headerLength + 8 ||
      14 + totalLength > length ||
      b[23] !== IP_PROTOCOL_ICMP ||
      (((b[20] << 8) | b[21]) & 0x1fff) !== 0
    ) {
      s -= 1;
      continue;
    }
    const t = 14 + headerLength;
    s += u32(b, 26) + u32(b, 30) + b[22] + IP_PROTOCOL_ICMP + b[t] + ((b[t + 4] << 8) | b[t + 5]) + ((b[t + 6] << 8) | b[t + 7]);
  }
  return s;
}

/**
 * The Uint8Array floors once more, over one Uint8Array of the whole capture with each frame's offset
 * and length, the DataView floor's input (informative): no per-frame array to load, only byte loads
 * where the DataView floor makes 16- and 32-bit ones. What is left of the gap between the two floors
 * is those loads.
 */
const captureBytes = new Uint8Array(capture);

function oneArrayFloorArp(n: number): number {
  const b = captureBytes;
  const { offsets, lengths } = arpRing;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK];
    if (lengths[i & MASK] < 42 || ((b[at + 12] << 8) | b[at + 13]) !== ETHERTYPE_ARP || u32(b, at + 14) !== 0x00010800 || ((b[at + 18] << 8) | b[at + 19]) !== 0x0604) {
      s -= 1;
      continue;
    }
    const operation = (b[at + 20] << 8) | b[at + 21];
    const senderMac = ((b[at + 22] << 8) | b[at + 23]) * TWO_32 + u32(b, at + 24);
    const targetMac = ((b[at + 32] << 8) | b[at + 33]) * TWO_32 + u32(b, at + 34);
    s += operation + senderMac + u32(b, at + 28) + targetMac + u32(b, at + 38);
  }
  return s;
}

function oneArrayFloorIcmp(n: number): number {
  const b = captureBytes;
  const { offsets, lengths } = icmpRing;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK];
    const length = lengths[i & MASK];
    if (length < 34 || ((b[at + 12] << 8) | b[at + 13]) !== ETHERTYPE_IPV4) {
      s -= 1;
      continue;
    }
    const first = b[at + 14];
    const headerLength = (first & 0xf) * 4;
    const totalLength = (b[at + 16] << 8) | b[at + 17];
    if (
      first >>> 4 !== 4 ||
      headerLength < 20 ||
      totalLength < headerLength + 8 ||
      14 + totalLength > length ||
      b[at + 23] !== IP_PROTOCOL_ICMP ||
      (((b[at + 20] << 8) | b[at + 21]) & 0x1fff) !== 0
    ) {
      s -= 1;
      continue;
    }
    const t = at + 14 + headerLength;
    s += u32(b, at + 26) + u32(b, at + 30) + b[at + 22] + IP_PROTOCOL_ICMP + b[t] + ((b[t + 4] << 8) | b[t + 5]) + ((b[t + 6] << 8) | b[t + 7]);
  }
  return s;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

const view = new FrameView();

function viewArp(n: number): number {
  const frames = arpRing.frames;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (!view.reset(frames[i & MASK]) || view.kind !== FrameKind.Arp) {
      s -= 1;
      continue;
    }
    s += view.arpOperation + view.arpSenderMac + view.arpSenderIp + view.arpTargetMac + view.arpTargetIp;
  }
  return s;
}

function viewIcmp(n: number): number {
  const frames = icmpRing.frames;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (!view.reset(frames[i & MASK]) || view.kind !== FrameKind.Icmp) {
      s -= 1;
      continue;
    }
    s += view.ipv4Source + view.ipv4Destination + view.ipv4Ttl + view.ipv4Protocol + view.icmpType + view.icmpIdentifier + view.icmpSequence;
  }
  return s;
}

// The record cases keep each decoded Frame (in a ring of RING slots, as a consumer that queues or
// logs frames does): a record that is only read and then dropped could have its allocations removed
// by V8's escape analysis once decodeFrame is inlined into the loop, and the case would then time
// reading bytes, not building records.
const kept: (Frame | undefined)[] = new Array<Frame | undefined>(RING).fill(undefined);

const NO_BYTES = new Uint8Array(0);

function macAt(dv: DataView, at: number): Mac {
  return new Mac(dv.getUint16(at) * TWO_32 + dv.getUint32(at + 2));
}

/** A ones'-complement sum, folded and complemented, over dv[start, end) (end - start even). */
function checksumAt(dv: DataView, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) sum += dv.getUint32(i);
  if (i < end) sum += dv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * Informative: a hand-written DataView decoder (the floor's checks and reads) that builds the same
 * records decodeFrame builds (the same Frame, Mac and Ipv4 classes, record objects with the same
 * keys) and verifies the checksums with 32-bit loads, kept like decodeFrame's. What the record path
 * costs at best in V8, whoever writes it; only Ethernet II without a tag, and no IP options.
 */
const keptByHand: (Frame | undefined)[] = new Array<Frame | undefined>(RING).fill(undefined);

function recordFloorArp(n: number): number {
  const dv = captureView;
  const { frames, offsets, lengths } = arpRing;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK];
    if (lengths[i & MASK] < 42 || dv.getUint16(at + 12) !== ETHERTYPE_ARP || dv.getUint32(at + 14) !== 0x00010800 || dv.getUint16(at + 18) !== 0x0604) {
      s -= 1;
      continue;
    }
    const ethernet = { destination: macAt(dv, at), source: macAt(dv, at + 6), etherType: ETHERTYPE_ARP };
    const arp: ArpRecord = {
      supported: true,
      hardwareType: 1,
      protocolType: 0x0800,
      hardwareLength: 6,
      protocolLength: 4,
      operation: dv.getUint16(at + 20),
      senderMac: macAt(dv, at + 22),
      senderIp: new Ipv4(dv.getUint32(at + 28)),
      targetMac: macAt(dv, at + 32),
      targetIp: new Ipv4(dv.getUint32(at + 38)),
    };
    const frame = new Frame(frames[i & MASK], 42, 42, ethernet, arp, undefined, undefined);
    keptByHand[i & MASK] = frame;
    s += arp.operation + arp.senderMac.value + arp.senderIp.value + arp.targetMac.value + arp.targetIp.value;
  }
  return s;
}

function recordFloorIcmp(n: number): number {
  const dv = captureView;
  const { frames, offsets, lengths } = icmpRing;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK];
    const length = lengths[i & MASK];
    if (length < 42 || dv.getUint16(at + 12) !== ETHERTYPE_IPV4 || dv.getUint8(at + 14) !== 0x45) {
      s -= 1;
      continue;
    }
    const totalLength = dv.getUint16(at + 16);
    const flags = dv.getUint16(at + 20);
    if (totalLength < 28 || 14 + totalLength > length || dv.getUint8(at + 23) !== IP_PROTOCOL_ICMP || (flags & 0x1fff) !== 0) {
      s -= 1;
      continue;
    }
    const ethernet = { destination: macAt(dv, at), source: macAt(dv, at + 6), etherType: ETHERTYPE_IPV4 };
    const tos = dv.getUint8(at + 15);
    const ipv4 = {
      version: 4,
      headerLength: 20,
      dscp: tos >>> 2,
      ecn: tos & 3,
      totalLength,
      identification: dv.getUint16(at + 18),
      reservedFlag: (flags & 0x8000) !== 0,
      dontFragment: (flags & 0x4000) !== 0,
      moreFragments: (flags & 0x2000) !== 0,
      fragmentOffset: 0,
      ttl: dv.getUint8(at + 22),
      protocol: IP_PROTOCOL_ICMP,
      checksum: dv.getUint16(at + 24),
      checksumValid: checksumAt(dv, at + 14, at + 34) === 0,
      source: new Ipv4(dv.getUint32(at + 26)),
      destination: new Ipv4(dv.getUint32(at + 30)),
      options: NO_BYTES,
    };
    const end = 14 + totalLength;
    const icmp = {
      type: dv.getUint8(at + 34),
      code: dv.getUint8(at + 35),
      checksum: dv.getUint16(at + 36),
      checksumValid: checksumAt(dv, at + 34, at + end) === 0,
      identifier: dv.getUint16(at + 38),
      sequence: dv.getUint16(at + 40),
    };
    keptByHand[i & MASK] = new Frame(frames[i & MASK], 42, end, ethernet, undefined, ipv4, icmp);
    if (!ipv4.checksumValid || !icmp.checksumValid) {
      s -= 1;
      continue;
    }
    s += ipv4.source.value + ipv4.destination.value + ipv4.ttl + ipv4.protocol + icmp.type + icmp.identifier + icmp.sequence;
  }
  return s;
}

function recordArp(n: number): number {
  const frames = arpRing.frames;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const frame = decodeFrame(frames[i & MASK]);
    kept[i & MASK] = frame;
    const arp = frame.arp;
    if (arp === undefined || !arp.supported) {
      s -= 1;
      continue;
    }
    s += arp.operation + arp.senderMac.value + arp.senderIp.value + arp.targetMac.value + arp.targetIp.value;
  }
  return s;
}

function recordIcmp(n: number): number {
  const frames = icmpRing.frames;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const frame = decodeFrame(frames[i & MASK]);
    kept[i & MASK] = frame;
    const ipv4 = frame.ipv4;
    const icmp = frame.icmp;
    if (ipv4 === undefined || icmp === undefined || !ipv4.checksumValid || icmp.checksumValid !== true) {
      s -= 1;
      continue;
    }
    s += ipv4.source.value + ipv4.destination.value + ipv4.ttl + ipv4.protocol + icmp.type + (icmp.identifier ?? 0) + (icmp.sequence ?? 0);
  }
  return s;
}

function nodePcapArp(n: number): number {
  const { buffers, headers } = arpRing;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += nodePcapDecode({ buf: buffers[i & MASK], header: headers[i & MASK], link_type: "LINKTYPE_ETHERNET" }).payload === undefined ? 0 : 1;
  }
  return s;
}

function nodePcapIcmp(n: number): number {
  const { buffers, headers } = icmpRing;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += nodePcapDecode({ buf: buffers[i & MASK], header: headers[i & MASK], link_type: "LINKTYPE_ETHERNET" }).payload === undefined ? 0 : 1;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Encode cases. The reused buffer is sized to the frame, as a sender of fixed-size frames (prober,
// announcer) sizes it once: encodeFrame then returns that buffer itself. Into a larger buffer it
// returns a view of the bytes written, and making that view (subarray) costs about as much as the
// whole ARP encode; the "larger buffer" rows show that case.

const arpOut = new Uint8Array(42);
const icmpOut = new Uint8Array(98);
const bigOut = new Uint8Array(128);
const arpOutView = new DataView(arpOut.buffer);
const icmpOutView = new DataView(icmpOut.buffer);

function setMac(dv: DataView, at: number, value: number): void {
  dv.setUint16(at, (value / TWO_32) >>> 0);
  dv.setUint32(at + 2, value >>> 0);
}

/** The internet checksum of dv[start, end) as the floor computes it: 16-bit words, folded. */
function floorChecksum(dv: DataView, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += dv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The encode floor for ARP: the fields of an Ethernet/IPv4 ARP record, written with a DataView. */
function floorEncodeArp(record: FrameFields): number {
  const dv = arpOutView;
  const e = record.ethernet;
  const a = record.arp as ArpRecord;
  setMac(dv, 0, e.destination.value);
  setMac(dv, 6, e.source.value);
  dv.setUint16(12, e.etherType);
  dv.setUint16(14, a.hardwareType);
  dv.setUint16(16, a.protocolType);
  dv.setUint8(18, a.hardwareLength);
  dv.setUint8(19, a.protocolLength);
  dv.setUint16(20, a.operation);
  setMac(dv, 22, a.senderMac.value);
  dv.setUint32(28, a.senderIp.value);
  setMac(dv, 32, a.targetMac.value);
  dv.setUint32(38, a.targetIp.value);
  return 42;
}

/** The encode floor for an ICMP echo frame without VLAN tag or IP options; both checksums computed. */
function floorEncodeIcmp(record: FrameFields): number {
  const dv = icmpOutView;
  const e = record.ethernet;
  const ip = record.ipv4!;
  const icmp = record.icmp!;
  const data = record.payload!;
  setMac(dv, 0, e.destination.value);
  setMac(dv, 6, e.source.value);
  dv.setUint16(12, e.etherType);
  dv.setUint8(14, 0x45);
  dv.setUint8(15, (ip.dscp << 2) | ip.ecn);
  dv.setUint16(16, 28 + data.length);
  dv.setUint16(18, ip.identification);
  dv.setUint16(
    20,
    (ip.reservedFlag ? 0x8000 : 0) | (ip.dontFragment ? 0x4000 : 0) | (ip.moreFragments ? 0x2000 : 0) | (ip.fragmentOffset >>> 3),
  );
  dv.setUint8(22, ip.ttl);
  dv.setUint8(23, ip.protocol);
  dv.setUint16(24, 0);
  dv.setUint32(26, ip.source.value);
  dv.setUint32(30, ip.destination.value);
  dv.setUint16(24, floorChecksum(dv, 14, 34));
  dv.setUint8(34, icmp.type);
  dv.setUint8(35, icmp.code);
  dv.setUint16(36, 0);
  dv.setUint16(38, icmp.identifier!);
  dv.setUint16(40, icmp.sequence!);
  icmpOut.set(data, 42);
  const end = 42 + data.length;
  dv.setUint16(36, floorChecksum(dv, 34, end));
  return end;
}

function floorEncodeArpRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += floorEncodeArp(arpEncodeRecords[i & MASK]);
  return s;
}

function floorEncodeIcmpRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += floorEncodeIcmp(icmpEncodeRecords[i & MASK]);
  return s;
}

// One loop function per case (not one shared loop): V8 keeps type feedback per function, and a loop
// shared by all encode cases would see every record shape and buffer at its one call site, which
// no sender's loop does. The floors get the same treatment.
function encodeArpRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += encodeFrame(arpEncodeRecords[i & MASK], arpOut).length;
  return s;
}

function encodeArpBigRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += encodeFrame(arpEncodeRecords[i & MASK], bigOut).length;
  return s;
}

function encodeArpDecodedRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += encodeFrame(arpDecoded[i & MASK], arpOut).length;
  return s;
}

function encodeIcmpRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += encodeFrame(icmpEncodeRecords[i & MASK], icmpOut).length;
  return s;
}

function encodeIcmpBigRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += encodeFrame(icmpEncodeRecords[i & MASK], bigOut).length;
  return s;
}

function encodeIcmpDecodedRun(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += encodeFrame(icmpDecoded[i & MASK], icmpOut).length;
  return s;
}

// ---------------------------------------------------------------------------------------------
// IPv6 + ICMPv6 echo (issue 10's IPv6 view target): RING distinct frames (Ethernet, IPv6, one in four
// with an 8-byte destination-options header, ICMPv6 echo with 56 data bytes) in a capture buffer of
// their own, read by the views (Ipv6Packet walking the extension chain, then Icmpv6Packet) and by a
// DataView floor over the same capture that makes the same checks: frame length, EtherType, version,
// payloadLength inside the frame, the extension chain walked inside payloadLength, ICMPv6 next
// header and 8 bytes of it. Both sum the same fields: hop limit, flow label, payloadLength, the
// addresses' offsets (addresses come out of a view as offsets), ICMPv6 type, identifier, sequence.

function ipv6EchoFrame(k: number): Uint8Array {
  const address = (last: number): Ipv6Address => {
    const b = new Uint8Array(16);
    b.set([0x20, 0x01, 0x0d, 0xb8], 0);
    b[14] = last >>> 8;
    b[15] = last & 0xff;
    return new Ipv6Address(b);
  };
  const request = k % 2 === 0;
  const near = address(0x11 + (k & 0x3f));
  const far = address(0x1000 + k * 3);
  const withOptions = k % 4 === 3;
  const ip: Ipv6Record = {
    version: 6, trafficClass: 0, flowLabel: (k * 0x1357) & 0xfffff, payloadLength: 0, nextHeader: withOptions ? 60 : 58, hopLimit: request ? 64 : 50 + (k % 13),
    source: request ? near : far, destination: request ? far : near,
    extensions: withOptions ? [{ kind: 60, nextHeader: 58, lengthUnits: 0, options: [{ type: 1, data: new Uint8Array(4) }] }] : [],
  };
  const data = new Uint8Array(56);
  for (let i = 0; i < 56; i++) data[i] = i < 8 ? (k * 131 + i * 29) & 0xff : i;
  const icmp: Icmpv6Record = { type: request ? 128 : 129, code: 0, checksum: 0, body: { kind: "echo", identifier: 0x4d2 + (k >>> 4), sequence: k * 3, data } };
  const ipLength = ipv6BufferLength(ip);
  const frame = new Uint8Array(14 + ipLength + 64);
  frame.set([0x02, 0, 0x5e, 0, 0, 1, 0x02, 0, 0x5e, 0, 0, 0x11, 0x86, 0xdd]);
  emitIpv6(ip, frame, 14, {}, 64);
  emitIcmpv6(icmp, frame, 14 + ipLength, {}, { source: ip.source, destination: ip.destination });
  return frame;
}

const ipv6Capture = buildCapture([Array.from({ length: RING }, (_, k) => ipv6EchoFrame(k))]);
const ipv6Ring = ipv6Capture.rings[0];
const ipv6CaptureView = new DataView(ipv6Capture.capture);

function floorIpv6(n: number): number {
  const dv = ipv6CaptureView;
  const offsets = ipv6Ring.offsets;
  const lengths = ipv6Ring.lengths;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK];
    const length = lengths[i & MASK];
    if (length < 54 || dv.getUint16(at + 12) !== 0x86dd || dv.getUint8(at + 14) >>> 4 !== 6) {
      s -= 1;
      continue;
    }
    const payloadLength = dv.getUint16(at + 18);
    const end = at + 54 + payloadLength;
    if (end > at + length) {
      s -= 1;
      continue;
    }
    let next = dv.getUint8(at + 20);
    let t = at + 54;
    let bad = false;
    while (next === 0 || next === 43 || next === 60 || next === 44) {
      if (t + 8 > end) {
        bad = true;
        break;
      }
      const size = next === 44 ? 8 : (dv.getUint8(t + 1) + 1) * 8;
      if (t + size > end) {
        bad = true;
        break;
      }
      next = dv.getUint8(t);
      t += size;
    }
    if (bad || next !== 58 || t + 8 > end) {
      s -= 1;
      continue;
    }
    const flowLabel = dv.getUint32(at + 14) & 0xfffff;
    const hopLimit = dv.getUint8(at + 21);
    s += hopLimit + flowLabel + payloadLength + (at + 22) + (at + 38) + dv.getUint8(t) + dv.getUint16(t + 4) + dv.getUint16(t + 6);
  }
  return s;
}

const ipv6View = new Ipv6Packet();
const icmpv6View = new Icmpv6Packet();
const ipv6Frames = ipv6Ring.frames;
const ipv6Offsets = ipv6Ring.offsets;

function viewIpv6(n: number): number {
  const ip = ipv6View;
  const icmp = icmpv6View;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const frame = ipv6Frames[i & MASK];
    // the frame's offset in the capture, so that the address offsets summed are the floor's
    const base = ipv6Offsets[i & MASK];
    if (frame.length < 14 || ((frame[12] << 8) | frame[13]) !== 0x86dd || ip.reset(frame, 14).check() !== undefined || ip.upperProtocol !== 58) {
      s -= 1;
      continue;
    }
    if (icmp.reset(frame, ip.payloadOffset, ip.payloadEnd, "header").check() !== undefined) {
      s -= 1;
      continue;
    }
    s += ip.hopLimit + ip.flowLabel + ip.payloadLength + (base + ip.sourceOffset) + (base + ip.destinationOffset) + icmp.type + icmp.identifier + icmp.sequence;
  }
  return s;
}

const IPV6_TARGETS = [{ ratio: "IPv6+ICMPv6 views / floor", num: "ipv6: Ipv6Packet + Icmpv6Packet", den: "ipv6: DataView floor", target: 1.5 }] as const;

function ipv6RatioRows(ns: (name: string) => number): string[][] {
  return IPV6_TARGETS.map((t) => {
    const value = ns(t.num) / ns(t.den);
    return [t.ratio, `${value.toFixed(2)}x`, `<= ${t.target}x`, value <= t.target ? "met" : "MISSED"];
  });
}

interface KindCases {
  readonly label: string;
  readonly floor: (n: number) => number;
  readonly bytesFloor: (n: number) => number;
  readonly oneArrayFloor: (n: number) => number;
  readonly view: (n: number) => number;
  readonly record: (n: number) => number;
  readonly recordFloor: (n: number) => number;
  readonly nodePcap: (n: number) => number;
  readonly floorEncode: (n: number) => number;
  readonly encode: (n: number) => number;
  readonly encodeBig: (n: number) => number;
  readonly encodeDecoded: (n: number) => number;
  readonly out: Uint8Array;
  /** the frames each encode case must write, in ring order */
  readonly expected: readonly Uint8Array[];
  readonly encodeRecords: readonly FrameFields[];
  readonly floorEncodeOne: (record: FrameFields) => number;
}

const kinds: KindCases[] = [
  {
    label: "arp",
    floor: floorArp,
    bytesFloor: bytesFloorArp,
    oneArrayFloor: oneArrayFloorArp,
    view: viewArp,
    record: recordArp,
    recordFloor: recordFloorArp,
    nodePcap: nodePcapArp,
    floorEncode: floorEncodeArpRun,
    encode: encodeArpRun,
    encodeBig: encodeArpBigRun,
    encodeDecoded: encodeArpDecodedRun,
    out: arpOut,
    expected: arpRing.frames.map((f) => f.subarray(0, 42)),
    encodeRecords: arpEncodeRecords,
    floorEncodeOne: floorEncodeArp,
  },
  {
    label: "icmp",
    floor: floorIcmp,
    bytesFloor: bytesFloorIcmp,
    oneArrayFloor: oneArrayFloorIcmp,
    view: viewIcmp,
    record: recordIcmp,
    recordFloor: recordFloorIcmp,
    nodePcap: nodePcapIcmp,
    floorEncode: floorEncodeIcmpRun,
    encode: encodeIcmpRun,
    encodeBig: encodeIcmpBigRun,
    encodeDecoded: encodeIcmpDecodedRun,
    out: icmpOut,
    expected: icmpRing.frames,
    encodeRecords: icmpEncodeRecords,
    floorEncodeOne: floorEncodeIcmp,
  },
];

/** Before timing anything: the readers agree on every frame, and both writers write the captured bytes. */
function checkAgreement(): void {
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  for (const k of kinds) {
    const sums = [k.floor(RING), k.bytesFloor(RING), k.oneArrayFloor(RING), k.view(RING), k.record(RING), k.recordFloor(RING)];
    if (sums.some((s) => s !== sums[0]) || sums[0] <= 0) throw new Error(`${k.label}: readers disagree: ${sums.join(", ")}`);
    for (let i = 0; i < RING; i++) {
      if (!isDeepStrictEqual(keptByHand[i], kept[i]) || JSON.stringify(keptByHand[i]) !== JSON.stringify(kept[i])) {
        throw new Error(`${k.label}: the records built by hand differ from decodeFrame's for frame ${i}`);
      }
    }
    for (let i = 0; i < RING; i++) {
      const length = k.floorEncodeOne(k.encodeRecords[i]);
      if (!same(k.out.subarray(0, length), k.expected[i])) throw new Error(`${k.label}: the encode floor wrote frame ${i} wrong`);
      if (!same(encodeFrame(k.encodeRecords[i], k.out), k.expected[i])) throw new Error(`${k.label}: encodeFrame wrote frame ${i} wrong`);
      if (!same(encodeFrame(k.encodeRecords[i], bigOut), k.expected[i])) throw new Error(`${k.label}: encodeFrame wrote frame ${i} wrong`);
    }
  }
  const ipv6Sums = [floorIpv6(RING), viewIpv6(RING)];
  if (ipv6Sums[0] !== ipv6Sums[1] || ipv6Sums[0] <= 0) throw new Error(`ipv6: readers disagree: ${ipv6Sums.join(", ")}`);
}

// ---------------------------------------------------------------------------------------------
// Transport views (UDP, TCP): each against its own DataView floor on the same (bytes, offset) input,
// the transport header at byte 34 of an Ethernet/IPv4 frame. Both make the checks a reader needs
// before trusting the fields (UDP: the header there, its length field 8..the bytes left; TCP: the
// fixed header there, a data offset of 5 or more whose header is there) and read the same fields.

function udpFrame(k: number): Uint8Array {
  const record = { sourcePort: 40000 + k, destinationPort: 53000 + ((k * 7) & 0xff), length: 0, checksum: 0, payload: new Uint8Array(24 + (k & 15)).fill(k) };
  const udp = new Uint8Array(udpBufferLength(record));
  const source = new Uint8Array([192, 0, 2, k]);
  const destination = new Uint8Array([198, 51, 100, (k * 3) & 0xff]);
  emitUdp(record, udp, 0, { pseudoHeader: { source, destination } });
  return encodeFrame({ ethernet: { destination: new Mac(0x02005e000001), source: new Mac(0x02005e000002 + k), etherType: ETHERTYPE_IPV4 }, ipv4: ipv4Header(new Ipv4(0xc0000200 + k), new Ipv4(0xc6336400 + ((k * 3) & 0xff)), UDP_PROTOCOL), payload: udp });
}

function tcpFrame(k: number): Uint8Array {
  const record: TcpRecord = {
    sourcePort: 40000 + k, destinationPort: 443, sequence: (k * 2654435761) >>> 0, acknowledgment: (k * 40503) >>> 0, headerLength: 0, flags: 0x18,
    window: 500 + k, checksum: 0, urgentPointer: 0, options: [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", value: k * 1000, echo: k * 999 }],
    padding: new Uint8Array(0), payload: new Uint8Array(64 + (k & 31)).fill(k),
  };
  const tcp = new Uint8Array(tcpBufferLength(record));
  emitTcp(record, tcp, 0, { pseudoHeader: { source: new Uint8Array([192, 0, 2, k]), destination: new Uint8Array([198, 51, 100, 9]) } });
  return encodeFrame({ ethernet: { destination: new Mac(0x02005e000001), source: new Mac(0x02005e000002 + k), etherType: ETHERTYPE_IPV4 }, ipv4: ipv4Header(new Ipv4(0xc0000200 + k), new Ipv4(0xc6336409), TCP_PROTOCOL), payload: tcp });
}

const transportCapture = buildCapture([Array.from({ length: RING }, (_, k) => udpFrame(k)), Array.from({ length: RING }, (_, k) => tcpFrame(k))]);
const [udpRing, tcpRing] = transportCapture.rings;
const transportView = new DataView(transportCapture.capture);
/** where the transport header starts in each frame */
const TRANSPORT_AT = 34;

function floorUdp(n: number): number {
  const dv = transportView;
  const offsets = udpRing.offsets;
  const lengths = udpRing.lengths;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK] + TRANSPORT_AT;
    const left = lengths[i & MASK] - TRANSPORT_AT;
    const length = left < 8 ? 0 : dv.getUint16(at + 4);
    if (length < 8 || length > left) {
      s -= 1;
      continue;
    }
    s += dv.getUint16(at) + dv.getUint16(at + 2) + length + dv.getUint16(at + 6);
  }
  return s;
}

const udpPacket = new UdpPacket();

function viewUdp(n: number): number {
  const frames = udpRing.frames;
  const view = udpPacket;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const frame = frames[i & MASK];
    if (view.reset(frame, TRANSPORT_AT, frame.length).check() !== undefined) {
      s -= 1;
      continue;
    }
    s += view.sourcePort + view.destinationPort + view.length + view.checksum;
  }
  return s;
}

function floorTcp(n: number): number {
  const dv = transportView;
  const offsets = tcpRing.offsets;
  const lengths = tcpRing.lengths;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const at = offsets[i & MASK] + TRANSPORT_AT;
    const left = lengths[i & MASK] - TRANSPORT_AT;
    const headerLength = left < 20 ? 0 : (dv.getUint8(at + 12) >>> 4) * 4;
    if (headerLength < 20 || headerLength > left) {
      s -= 1;
      continue;
    }
    const flags = dv.getUint16(at + 12) & 0xfff;
    s += dv.getUint16(at) + dv.getUint16(at + 2) + dv.getUint32(at + 4) + dv.getUint32(at + 8) + headerLength + flags + dv.getUint16(at + 14);
  }
  return s;
}

const tcpPacket = new TcpPacket();

function viewTcp(n: number): number {
  const frames = tcpRing.frames;
  const view = tcpPacket;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const frame = frames[i & MASK];
    if (view.reset(frame, TRANSPORT_AT, frame.length).checkHeader() !== undefined) {
      s -= 1;
      continue;
    }
    s += view.sourcePort + view.destinationPort + view.sequence + view.acknowledgment + view.headerLength + view.flags + view.window;
  }
  return s;
}

const transportKinds = [
  { label: "udp", floor: floorUdp, view: viewUdp, viewName: "UdpPacket view" },
  { label: "tcp", floor: floorTcp, view: viewTcp, viewName: "TcpPacket view (checkHeader)" },
];

/** Before timing: the transport floor and view read the same sums from every frame. */
function checkTransportAgreement(): void {
  for (const k of transportKinds) {
    const sums = [k.floor(RING), k.view(RING)];
    if (sums[0] !== sums[1] || sums[0] <= 0) throw new Error(`${k.label}: readers disagree: ${sums.join(", ")}`);
  }
}

function transportRatioRows(ns: (name: string) => number): string[][] {
  return transportKinds.map(({ label, viewName }) => {
    const value = ns(`${label}: ${viewName}`) / ns(`${label}: DataView floor`);
    return [`${label}: view / floor`, `${value.toFixed(2)}x`, "<= 1.5x", value <= 1.5 ? "met" : "MISSED"];
  });
}

const TARGETS = [
  { ratio: "FrameView / floor", num: "FrameView", den: "DataView floor", target: 1.5, better: "below" },
  { ratio: "node_pcap / FrameView", num: "node_pcap decode.packet", den: "FrameView", target: 5, better: "above" },
  { ratio: "decodeFrame / floor", num: "decodeFrame", den: "DataView floor", target: 5, better: "below" },
  { ratio: "encodeFrame / encode floor", num: "encodeFrame (reused buffer)", den: "DataView encode floor", target: 2, better: "below" },
] as const;

function ratioRows(ns: (name: string) => number): string[][] {
  const rows: string[][] = [];
  for (const { label } of kinds) {
    for (const t of TARGETS) {
      const value = ns(`${label}: ${t.num}`) / ns(`${label}: ${t.den}`);
      const ok = t.better === "below" ? value <= t.target : value >= t.target;
      rows.push([`${label}: ${t.ratio}`, `${value.toFixed(2)}x`, `${t.better === "below" ? "<=" : ">="} ${t.target}x`, ok ? "met" : "MISSED"]);
    }
  }
  return rows;
}

const INFO_RATIOS = [
  { ratio: "Uint8Array floor / DataView floor", num: "Uint8Array floor (info)", den: "DataView floor" },
  { ratio: "one-array Uint8Array floor / DataView floor", num: "Uint8Array floor, one array (info)", den: "DataView floor" },
  { ratio: "FrameView / Uint8Array floor", num: "FrameView", den: "Uint8Array floor (info)" },
  { ratio: "records by hand / DataView floor", num: "records by hand, DataView (info)", den: "DataView floor" },
  { ratio: "decodeFrame / records by hand", num: "decodeFrame", den: "records by hand, DataView (info)" },
] as const;

function infoRows(ns: (name: string) => number): string[][] {
  return kinds.flatMap(({ label }) => INFO_RATIOS.map((t) => [`${label}: ${t.ratio}`, `${(ns(`${label}: ${t.num}`) / ns(`${label}: ${t.den}`)).toFixed(2)}x`]));
}

function main(): void {
  checkBenchArgs(
    "bench:codecs",
    `usage: [BENCH_ITERATIONS=N] [BENCH_ROUNDS=R] [BENCH_REPEAT=K] [BENCH_ONLY=REGEX] node dist/bench/codecs.js
  Our ARP and ICMP decoders (records and views) and encoder against a hand-written DataView floor and node_pcap's
  decoder, same bytes, one process: ns/op per case and the ratios of the codec issue. BENCH_ITERATIONS ops per
  sample (default 200000), BENCH_ROUNDS interleaved rounds (15), BENCH_REPEAT whole measurements (1), BENCH_ONLY
  only the cases it matches.`,
    {},
  );
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 200_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  const repeat = Number(process.env.BENCH_REPEAT ?? 1);
  checkAgreement();
  checkTransportAgreement();
  const only = process.env.BENCH_ONLY === undefined ? undefined : new RegExp(process.env.BENCH_ONLY);
  const allCases = kinds.flatMap((k) => [
    { name: `${k.label}: DataView floor`, run: k.floor },
    { name: `${k.label}: Uint8Array floor (info)`, run: k.bytesFloor },
    { name: `${k.label}: Uint8Array floor, one array (info)`, run: k.oneArrayFloor },
    { name: `${k.label}: FrameView`, run: k.view },
    { name: `${k.label}: records by hand, DataView (info)`, run: k.recordFloor },
    { name: `${k.label}: decodeFrame`, run: k.record },
    { name: `${k.label}: node_pcap decode.packet`, run: k.nodePcap },
    { name: `${k.label}: DataView encode floor`, run: k.floorEncode },
    { name: `${k.label}: encodeFrame (reused buffer)`, run: k.encode },
    { name: `${k.label}: encodeFrame, larger buffer (info)`, run: k.encodeBig },
    { name: `${k.label}: encodeFrame of a decoded Frame (info)`, run: k.encodeDecoded },
  ]).concat(transportKinds.flatMap((k) => [
    { name: `${k.label}: DataView floor`, run: k.floor },
    { name: `${k.label}: ${k.viewName}`, run: k.view },
  ])).concat([
    { name: "ipv6: DataView floor", run: floorIpv6 },
    { name: "ipv6: Ipv6Packet + Icmpv6Packet", run: viewIpv6 },
  ]);
  // BENCH_ONLY=regex times only the matching cases (for profiling; the ratio table then needs them all)
  const cases = only === undefined ? allCases : allCases.filter((c) => only.test(c.name));
  console.log(
    `node ${process.version}, ${RING} distinct frames per kind in one capture buffer, ` +
      `${iterations} ops x ${rounds} interleaved rounds${repeat > 1 ? ` x ${repeat} runs` : ""}, ns/op\n`,
  );
  const runs: Result[][] = [];
  for (let run = 1; run <= repeat; run++) {
    const results = measure(cases, iterations, rounds);
    runs.push(results);
    const byName = new Map(results.map((r) => [r.name, r]));
    if (repeat > 1) console.log(`run ${run} of ${repeat}:`);
    console.log(formatTable(["case", "median", "min", "max"], results.map((r) => [r.name, r.medianNs.toFixed(1), r.minNs.toFixed(1), r.maxNs.toFixed(1)])));
    console.log("");
    if (only !== undefined) continue;
    console.log(formatTable(["ratio of medians", "measured", "target", ""], [...ratioRows((name) => byName.get(name)!.medianNs), ...transportRatioRows((name) => byName.get(name)!.medianNs), ...ipv6RatioRows((name) => byName.get(name)!.medianNs)]));
    console.log("");
    console.log(formatTable(["informative ratio of medians", "measured"], infoRows((name) => byName.get(name)!.medianNs)));
    console.log("");
  }
  if (repeat > 1 && only === undefined) {
    const medianOf = (name: string) => median(runs.map((results) => results.find((r) => r.name === name)!.medianNs));
    console.log(`median over the ${repeat} runs of each run's median:`);
    console.log(formatTable(["case", "median", "runs"], cases.map((c) => [c.name, medianOf(c.name).toFixed(1),
      runs.map((results) => results.find((r) => r.name === c.name)!.medianNs.toFixed(1)).join(" / ")])));
    console.log("");
    console.log(formatTable(["ratio", "measured", "target", ""], [...ratioRows(medianOf), ...transportRatioRows(medianOf), ...ipv6RatioRows(medianOf)]));
    console.log("");
    console.log(formatTable(["informative ratio", "measured"], infoRows(medianOf)));
  }
}

main();

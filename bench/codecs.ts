// bench:codecs — our ARP and ICMP echo decoders (record path and view path) and encoder, against a
// hand-written DataView reader/writer of the same fields (the floor) and node_pcap's decoder, on the
// same bytes in one process and one run. Prints ns/op medians and the ratios the codec issue targets.
import { formatTable, measure, Result } from "./harness";
import {
  decodeFrame,
  encodeFrame,
  ethernetHeader,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  FrameFields,
  FrameKind,
  FrameView,
  gratuitousReply,
  ipv4Header,
  Ipv4,
  IP_PROTOCOL_ICMP,
  Mac,
} from "../src/packets";

// node_pcap's pure-JS decoder; loading "pcap/decode" does not load the native binding.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const nodePcapDecode: (packet: { buf: Buffer; header: Buffer; link_type: string }) => unknown = require("pcap/decode").decode.packet;

const brainMac = Mac.parse("02:00:5e:00:00:11");
const routerMac = Mac.parse("02:00:5e:00:00:01");
const arpRecord: FrameFields = {
  ethernet: ethernetHeader(Mac.BROADCAST, brainMac, ETHERTYPE_ARP),
  arp: gratuitousReply(brainMac, Ipv4.parse("192.0.2.37")),
  padding: new Uint8Array(18), // a 60-byte frame, as captured from a real NIC
};
const echoData = Uint8Array.from({ length: 56 }, (_, i) => i); // ping's default 56 bytes
const icmpRecord: FrameFields = {
  ethernet: ethernetHeader(routerMac, brainMac, ETHERTYPE_IPV4),
  ipv4: ipv4Header(Ipv4.parse("192.0.2.17"), Ipv4.parse("192.0.2.1"), IP_PROTOCOL_ICMP, { identification: 0x1c46 }),
  icmp: { type: 8, code: 0, identifier: 0x4d2, sequence: 7 },
  payload: echoData,
};
const arpFrame = Buffer.from(encodeFrame(arpRecord));
const icmpFrame = Buffer.from(encodeFrame(icmpRecord));

function pcapHeaderFor(frame: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(frame.length, 8);
  header.writeUInt32LE(frame.length, 12);
  return header;
}

/** The floor: a hand-written DataView reader of the ARP fields we read, with the checks any reader needs. */
function floorArp(dv: DataView, length: number): number {
  if (length < 42 || dv.getUint16(12) !== ETHERTYPE_ARP) return -1;
  const operation = dv.getUint16(20);
  const senderMac = dv.getUint16(22) * 0x1_0000_0000 + dv.getUint32(24);
  const senderIp = dv.getUint32(28);
  const targetMac = dv.getUint16(32) * 0x1_0000_0000 + dv.getUint32(34);
  const targetIp = dv.getUint32(38);
  return operation + senderMac + senderIp + targetMac + targetIp;
}

function floorIcmp(dv: DataView, length: number): number {
  if (length < 42 || dv.getUint16(12) !== ETHERTYPE_IPV4) return -1;
  const headerLength = (dv.getUint8(14) & 0xf) * 4;
  const source = dv.getUint32(26);
  const destination = dv.getUint32(30);
  const ttl = dv.getUint8(22);
  const protocol = dv.getUint8(23);
  const at = 14 + headerLength;
  const type = dv.getUint8(at);
  const identifier = dv.getUint16(at + 4);
  const sequence = dv.getUint16(at + 6);
  return source + destination + ttl + protocol + type + identifier + sequence;
}

function floorEncodeArp(dv: DataView): number {
  dv.setUint32(0, 0xffffffff);
  dv.setUint16(4, 0xffff);
  dv.setUint16(6, 0x0200);
  dv.setUint32(8, 0x5e000011);
  dv.setUint16(12, ETHERTYPE_ARP);
  dv.setUint32(14, 0x00010800);
  dv.setUint32(18, 0x06040002);
  dv.setUint16(22, 0x0200);
  dv.setUint32(24, 0x5e000011);
  dv.setUint32(28, 0xc0000225);
  dv.setUint16(32, 0x0200);
  dv.setUint32(34, 0x5e000011);
  dv.setUint32(38, 0xc0000225);
  return dv.getUint8(41);
}

function floorEncodeIcmp(dv: DataView, data: Uint8Array, bytes: Uint8Array): number {
  dv.setUint16(0, 0x0200);
  dv.setUint32(2, 0x5e000001);
  dv.setUint16(6, 0x0200);
  dv.setUint32(8, 0x5e000011);
  dv.setUint16(12, ETHERTYPE_IPV4);
  dv.setUint32(14, 0x45000054);
  dv.setUint32(18, 0x1c464000);
  dv.setUint32(22, 0x40010000);
  dv.setUint32(26, 0xc0000211);
  dv.setUint32(30, 0xc0000201);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += dv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(24, ~sum & 0xffff);
  dv.setUint32(34, 0x08000000);
  dv.setUint32(38, 0x04d20007);
  bytes.set(data, 42);
  sum = 0;
  for (let i = 34; i < 98; i += 2) sum += dv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(36, ~sum & 0xffff);
  return dv.getUint8(97);
}

const view = new FrameView();
const out = new Uint8Array(128);
const outView = new DataView(out.buffer);

function cases(label: string, frame: Buffer, record: FrameFields) {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const isArp = label === "arp";
  const header = pcapHeaderFor(frame);
  return {
    floor: {
      name: `${label}: DataView floor`,
      run: (n: number) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += isArp ? floorArp(dv, frame.length) : floorIcmp(dv, frame.length);
        return s;
      },
    },
    view: {
      name: `${label}: FrameView`,
      run: (n: number) => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          if (!view.reset(frame)) continue;
          if (view.kind === FrameKind.Arp) {
            s += view.arpOperation + view.arpSenderMac + view.arpSenderIp + view.arpTargetMac + view.arpTargetIp;
          } else if (view.kind === FrameKind.Icmp) {
            s += view.ipv4Source + view.ipv4Destination + view.ipv4Ttl + view.ipv4Protocol + view.icmpType + view.icmpIdentifier + view.icmpSequence;
          }
        }
        return s;
      },
    },
    record: {
      name: `${label}: decodeFrame`,
      run: (n: number) => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const decoded = decodeFrame(frame);
          s += decoded.arp !== undefined ? decoded.arp.operation : (decoded.icmp?.sequence ?? 0);
        }
        return s;
      },
    },
    nodePcap: {
      name: `${label}: node_pcap decode.packet`,
      run: (n: number) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += nodePcapDecode({ buf: frame, header, link_type: "LINKTYPE_ETHERNET" }) === undefined ? 0 : 1;
        return s;
      },
    },
    floorEncode: {
      name: `${label}: DataView encode floor`,
      run: (n: number) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += isArp ? floorEncodeArp(outView) : floorEncodeIcmp(outView, echoData, out);
        return s;
      },
    },
    encode: {
      name: `${label}: encodeFrame (reused buffer)`,
      run: (n: number) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += encodeFrame(record, out).length;
        return s;
      },
    },
  };
}

function main(): void {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 200_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  const arpEncodeRecord: FrameFields = { ethernet: arpRecord.ethernet, arp: arpRecord.arp };
  const all = [cases("arp", arpFrame, arpEncodeRecord), cases("icmp", icmpFrame, icmpRecord)];
  const results: Result[] = measure(all.flatMap((c) => Object.values(c)), iterations, rounds);
  const byName = new Map(results.map((r) => [r.name, r]));
  const ns = (name: string) => byName.get(name)!.medianNs;
  console.log(`node ${process.version}, ${iterations} ops x ${rounds} interleaved rounds, median ns/op\n`);
  console.log(formatTable(["case", "median ns/op", "min", "max"], results.map((r) => [r.name, r.medianNs.toFixed(1), r.minNs.toFixed(1), r.maxNs.toFixed(1)])));
  console.log("\nratios (target in brackets):");
  const rows: string[][] = [];
  for (const label of ["arp", "icmp"]) {
    const floor = ns(`${label}: DataView floor`);
    const ratio = (value: number, target: number, better: "below" | "above") => {
      const ok = better === "below" ? value <= target : value >= target;
      return `${value.toFixed(2)}x [${better === "below" ? "<=" : ">="} ${target}x] ${ok ? "met" : "MISSED"}`;
    };
    rows.push([`${label}: FrameView / floor`, ratio(ns(`${label}: FrameView`) / floor, 1.5, "below")]);
    rows.push([`${label}: node_pcap / FrameView`, ratio(ns(`${label}: node_pcap decode.packet`) / ns(`${label}: FrameView`), 5, "above")]);
    rows.push([`${label}: decodeFrame / floor`, ratio(ns(`${label}: decodeFrame`) / floor, 5, "below")]);
    rows.push([`${label}: encodeFrame / encode floor`, ratio(ns(`${label}: encodeFrame (reused buffer)`) / ns(`${label}: DataView encode floor`), 2, "below")]);
  }
  console.log(formatTable(["ratio", "measured"], rows));
}

main();

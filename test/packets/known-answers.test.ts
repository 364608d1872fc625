// Known answers: frames that the Linux kernel, ping and arping really sent, captured once with tcpdump
// in throwaway network namespaces (fixtures/capture-kernel-frames.sh made fixtures/kernel-frames.pcap;
// fixtures/kernel-frames.txt is `tcpdump -n -e -vv -xx` of it). Each frame is quoted as tcpdump printed
// it, above its bytes, and checked both ways, as smoltcp and gopacket check theirs:
//   - decoded, every field is what tcpdump printed (the record below, and tcpdump's text itself);
//   - encoded from the record, built field by field, into a buffer pre-filled with 0xa5, it is the
//     captured frame byte for byte — so a byte the encoder never writes shows.
//
// Namespaces of the capture (A ── R ── B, R forwarding between 192.0.2.0/24 and 198.51.100.0/24):
//   A  a0  192.0.2.1       00:00:5e:00:53:01 (00:00:5e:00:53:03 after the last MAC change)
//   R  r0  192.0.2.254     00:00:5e:00:53:fe
//   B  b0  198.51.100.2    (behind R)
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  ArpRecord,
  arpProbe,
  decodeFrame,
  encodeFrame,
  encodeIpv4,
  EthernetRecord,
  Frame,
  gratuitousRequest,
  IcmpRecord,
  Ipv4,
  Ipv4Record,
  isGratuitous,
  isProbe,
  Mac,
  QuotedIpv4,
} from "../../src/packets";
import { readPcap } from "../../src/packets/pcap";

const FIXTURES = path.resolve(__dirname, "../../../test/packets/fixtures");

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Bytes from `tcpdump -xx` lines ("0x0010:  0800 0604 ..."); each line's offset is checked. */
function dump(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    const match = /^0x([0-9a-f]{4}):((?:\s+[0-9a-f]{2,4})+)$/.exec(trimmed);
    if (match === null) throw new Error(`not a tcpdump -xx line: "${trimmed}"`);
    if (parseInt(match[1], 16) !== bytes.length) throw new Error(`dump line 0x${match[1]} comes after ${bytes.length} bytes`);
    for (const pair of match[2].replace(/\s+/g, "").match(/../g) ?? []) bytes.push(parseInt(pair, 16));
  }
  return Uint8Array.from(bytes);
}

/** Bytes from hex digits; spaces are ignored. */
function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, "ascii"));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function zeros(length: number): Uint8Array {
  return new Uint8Array(length);
}

const ip = (text: string): Ipv4 => Ipv4.parse(text);
const mac = (text: string): Mac => Mac.parse(text);

/** What iputils ping puts after the ICMP header: its 16-byte struct timeval, then byte i = i mod 256. */
function pingData(timeval: string, length: number): Uint8Array {
  const data = Uint8Array.from({ length }, (_, i) => i & 0xff);
  data.set(hex(timeval));
  return data;
}

/** IPv4 record-route option (RFC 791 §3.1): type 7, length, pointer, then nine address slots. */
function recordRoute(pointer: number, slots: readonly string[]): number[] {
  return [7, 3 + 4 * slots.length, pointer, ...slots.flatMap((slot) => Array.from(ip(slot).toBytes()))];
}

/** The header alone, as the encoder writes it for a datagram of `payloadLength` more bytes. */
function ipv4Header(record: Ipv4Record, payloadLength: number): Uint8Array {
  const out = new Uint8Array(record.headerLength).fill(0xa5);
  encodeIpv4(record, payloadLength, out);
  return out;
}

const A = mac("00:00:5e:00:53:01");
const A_AFTER_CHANGE = mac("00:00:5e:00:53:03");
const R = mac("00:00:5e:00:53:fe");
const NO_OPTIONS = new Uint8Array(0);
const NOTHING = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// The frames

/** A frame's fields as tcpdump printed them (and, where it prints none, as its hex dump shows). */
interface Expected {
  readonly ethernet: EthernetRecord;
  readonly arp?: ArpRecord;
  readonly ipv4?: Ipv4Record;
  readonly icmp?: IcmpRecord;
  readonly payload: Uint8Array;
  readonly padding: Uint8Array;
}

interface KnownAnswer {
  readonly name: string;
  /** its number in fixtures/kernel-frames.pcap, from 1, as tcpdump and tshark count */
  readonly frame: number;
  /** `tcpdump -n -e -vv` */
  readonly tcpdump: string;
  /** `tcpdump -xx` */
  readonly bytes: Uint8Array;
  readonly fields: Expected;
}

// Records two frames share.
const echoData = pingData("d7c6076b00000000 dcd8030000000000", 56);
const udpToClosedPort: Ipv4Record = {
  version: 4, headerLength: 20, dscp: 0, ecn: 0, totalLength: 36, identification: 28555,
  reservedFlag: false, dontFragment: true, moreFragments: false, fragmentOffset: 0,
  ttl: 64, protocol: 17, checksum: 0xdf06, checksumValid: true,
  source: ip("192.0.2.1"), destination: ip("198.51.100.2"), options: NO_OPTIONS,
};
// source port 33908, destination port 33434, length 16, checksum 0xec58 (left to the NIC: the veth
// never filled it in, hence tcpdump's "bad udp cksum"), then the 8 bytes bash sent.
const udpDatagram = concat(hex("8474 829a 0010 ec58"), ascii("takeover"));
// R forwarded it: TTL one less, header checksum updated.
const udpAsQuoted: QuotedIpv4 = { ...udpToClosedPort, ttl: 63, checksum: 0xe006 };
const ttlOneRequest: Ipv4Record = {
  version: 4, headerLength: 20, dscp: 0, ecn: 0, totalLength: 84, identification: 10846,
  reservedFlag: false, dontFragment: true, moreFragments: false, fragmentOffset: 0,
  ttl: 1, protocol: 1, checksum: 0x6314, checksumValid: true,
  source: ip("192.0.2.1"), destination: ip("198.51.100.2"), options: NO_OPTIONS,
};
const recordRouteData = pingData("dac6076b00000000 1fa9020000000000", 56);
/** The 3000 data bytes of `ping -s 3000`; its 3008-byte ICMP message went out in three fragments. */
const bigData = pingData("dac6076b00000000 29620a0000000000", 3000);
const fragment: Omit<Ipv4Record, "totalLength" | "moreFragments" | "fragmentOffset" | "checksum"> = {
  version: 4, headerLength: 20, dscp: 0, ecn: 0, identification: 10928,
  reservedFlag: false, dontFragment: false, ttl: 64, protocol: 1, checksumValid: true,
  source: ip("192.0.2.1"), destination: ip("198.51.100.2"), options: NO_OPTIONS,
};

const KNOWN_ANSWERS: readonly KnownAnswer[] = [
  {
    name: "the kernel's ARP request (who-has the router)",
    frame: 1,
    tcpdump: `05:42:47.252253 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.254 tell 192.0.2.1, length 28`,
    bytes: dump(`
      0x0000:  ffff ffff ffff 0000 5e00 5301 0806 0001
      0x0010:  0800 0604 0001 0000 5e00 5301 c000 0201
      0x0020:  0000 0000 0000 c000 02fe
    `),
    fields: {
      ethernet: { destination: Mac.BROADCAST, source: A, etherType: 0x0806 },
      arp: {
        supported: true, hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 1,
        senderMac: A, senderIp: ip("192.0.2.1"), targetMac: Mac.ZERO, targetIp: ip("192.0.2.254"),
      },
      payload: NOTHING,
      padding: NOTHING,
    },
  },
  {
    name: "the kernel's ARP reply (the router is-at)",
    frame: 2,
    tcpdump: `05:42:47.252275 00:00:5e:00:53:fe > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Reply 192.0.2.254 is-at 00:00:5e:00:53:fe, length 28`,
    bytes: dump(`
      0x0000:  0000 5e00 5301 0000 5e00 53fe 0806 0001
      0x0010:  0800 0604 0002 0000 5e00 53fe c000 02fe
      0x0020:  0000 5e00 5301 c000 0201
    `),
    fields: {
      ethernet: { destination: A, source: R, etherType: 0x0806 },
      arp: {
        supported: true, hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 2,
        senderMac: R, senderIp: ip("192.0.2.254"), targetMac: A, targetIp: ip("192.0.2.1"),
      },
      payload: NOTHING,
      padding: NOTHING,
    },
  },
  {
    name: "ping's ICMP echo request",
    frame: 3,
    tcpdump: `05:42:47.252277 00:00:5e:00:53:01 > 00:00:5e:00:53:fe, ethertype IPv4 (0x0800), length 98: (tos 0x0, ttl 64, id 10832, offset 0, flags [DF], proto ICMP (1), length 84)
    192.0.2.1 > 198.51.100.2: ICMP echo request, id 8616, seq 1, length 64`,
    bytes: dump(`
      0x0000:  0000 5e00 53fe 0000 5e00 5301 0800 4500
      0x0010:  0054 2a50 4000 4001 2422 c000 0201 c633
      0x0020:  6402 0800 5879 21a8 0001 d7c6 076b 0000
      0x0030:  0000 dcd8 0300 0000 0000 1011 1213 1415
      0x0040:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0050:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0060:  3637
    `),
    fields: {
      ethernet: { destination: R, source: A, etherType: 0x0800 },
      ipv4: {
        version: 4, headerLength: 20, dscp: 0, ecn: 0, totalLength: 84, identification: 10832,
        reservedFlag: false, dontFragment: true, moreFragments: false, fragmentOffset: 0,
        ttl: 64, protocol: 1, checksum: 0x2422, checksumValid: true,
        source: ip("192.0.2.1"), destination: ip("198.51.100.2"), options: NO_OPTIONS,
      },
      icmp: { type: 8, code: 0, checksum: 0x5879, checksumValid: true, identifier: 8616, sequence: 1 },
      payload: echoData,
      padding: NOTHING,
    },
  },
  {
    name: "the kernel's ICMP echo reply, forwarded by the router",
    frame: 4,
    tcpdump: `05:42:47.252420 00:00:5e:00:53:fe > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 98: (tos 0x0, ttl 63, id 63808, offset 0, flags [none], proto ICMP (1), length 84)
    198.51.100.2 > 192.0.2.1: ICMP echo reply, id 8616, seq 1, length 64`,
    bytes: dump(`
      0x0000:  0000 5e00 5301 0000 5e00 53fe 0800 4500
      0x0010:  0054 f940 0000 3f01 9631 c633 6402 c000
      0x0020:  0201 0000 6079 21a8 0001 d7c6 076b 0000
      0x0030:  0000 dcd8 0300 0000 0000 1011 1213 1415
      0x0040:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0050:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0060:  3637
    `),
    fields: {
      ethernet: { destination: A, source: R, etherType: 0x0800 },
      ipv4: {
        version: 4, headerLength: 20, dscp: 0, ecn: 0, totalLength: 84, identification: 63808,
        reservedFlag: false, dontFragment: false, moreFragments: false, fragmentOffset: 0,
        ttl: 63, protocol: 1, checksum: 0x9631, checksumValid: true,
        source: ip("198.51.100.2"), destination: ip("192.0.2.1"), options: NO_OPTIONS,
      },
      icmp: { type: 0, code: 0, checksum: 0x6079, checksumValid: true, identifier: 8616, sequence: 1 },
      payload: echoData,
      padding: NOTHING,
    },
  },
  {
    name: "a UDP datagram to a closed port (IPv4 of another protocol)",
    frame: 5,
    tcpdump: `05:42:47.757787 00:00:5e:00:53:01 > 00:00:5e:00:53:fe, ethertype IPv4 (0x0800), length 50: (tos 0x0, ttl 64, id 28555, offset 0, flags [DF], proto UDP (17), length 36)
    192.0.2.1.33908 > 198.51.100.2.33434: [bad udp cksum 0xec58 -> 0x57d8!] UDP, length 8`,
    bytes: dump(`
      0x0000:  0000 5e00 53fe 0000 5e00 5301 0800 4500
      0x0010:  0024 6f8b 4000 4011 df06 c000 0201 c633
      0x0020:  6402 8474 829a 0010 ec58 7461 6b65 6f76
      0x0030:  6572
    `),
    fields: {
      ethernet: { destination: R, source: A, etherType: 0x0800 },
      ipv4: udpToClosedPort,
      payload: udpDatagram,
      padding: NOTHING,
    },
  },
  {
    name: "the kernel's ICMP port unreachable, quoting the UDP datagram's header",
    frame: 6,
    tcpdump: `05:42:47.757825 00:00:5e:00:53:fe > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 78: (tos 0xc0, ttl 63, id 63830, offset 0, flags [none], proto ICMP (1), length 64)
    198.51.100.2 > 192.0.2.1: ICMP 198.51.100.2 udp port 33434 unreachable, length 44
    (tos 0x0, ttl 63, id 28555, offset 0, flags [DF], proto UDP (17), length 36)
    192.0.2.1.33908 > 198.51.100.2.33434: [bad udp cksum 0xec58 -> 0x57d8!] UDP, length 8`,
    bytes: dump(`
      0x0000:  0000 5e00 5301 0000 5e00 53fe 0800 45c0
      0x0010:  0040 f956 0000 3f01 956f c633 6402 c000
      0x0020:  0201 0303 54d5 0000 0000 4500 0024 6f8b
      0x0030:  4000 3f11 e006 c000 0201 c633 6402 8474
      0x0040:  829a 0010 ec58 7461 6b65 6f76 6572
    `),
    fields: {
      ethernet: { destination: A, source: R, etherType: 0x0800 },
      ipv4: {
        version: 4, headerLength: 20, dscp: 48, ecn: 0, totalLength: 64, identification: 63830,
        reservedFlag: false, dontFragment: false, moreFragments: false, fragmentOffset: 0,
        ttl: 63, protocol: 1, checksum: 0x956f, checksumValid: true,
        source: ip("198.51.100.2"), destination: ip("192.0.2.1"), options: NO_OPTIONS,
      },
      icmp: { type: 3, code: 3, checksum: 0x54d5, checksumValid: true, restOfHeader: 0, quoted: udpAsQuoted },
      payload: concat(ipv4Header(udpAsQuoted, udpDatagram.length), udpDatagram),
      padding: NOTHING,
    },
  },
  {
    name: "ping -t 1's echo request",
    frame: 7,
    tcpdump: `05:42:48.963819 00:00:5e:00:53:01 > 00:00:5e:00:53:fe, ethertype IPv4 (0x0800), length 98: (tos 0x0, ttl 1, id 10846, offset 0, flags [DF], proto ICMP (1), length 84)
    192.0.2.1 > 198.51.100.2: ICMP echo request, id 8660, seq 1, length 64`,
    bytes: dump(`
      0x0000:  0000 5e00 53fe 0000 5e00 5301 0800 4500
      0x0010:  0054 2a5e 4000 0101 6314 c000 0201 c633
      0x0020:  6402 0800 4f71 21d4 0001 d8c6 076b 0000
      0x0030:  0000 d9b4 0e00 0000 0000 1011 1213 1415
      0x0040:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0050:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0060:  3637
    `),
    fields: {
      ethernet: { destination: R, source: A, etherType: 0x0800 },
      ipv4: ttlOneRequest,
      icmp: { type: 8, code: 0, checksum: 0x4f71, checksumValid: true, identifier: 8660, sequence: 1 },
      payload: pingData("d8c6076b00000000 d9b40e0000000000", 56),
      padding: NOTHING,
    },
  },
  {
    name: "the router's ICMP time exceeded, quoting the whole echo request",
    frame: 8,
    tcpdump: `05:42:48.963896 00:00:5e:00:53:fe > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 126: (tos 0xc0, ttl 64, id 38409, offset 0, flags [none], proto ICMP (1), length 112)
    192.0.2.254 > 192.0.2.1: ICMP time exceeded in-transit, length 92
    (tos 0x0, ttl 1, id 10846, offset 0, flags [DF], proto ICMP (1), length 84)
    192.0.2.1 > 198.51.100.2: ICMP echo request, id 8660, seq 1, length 64`,
    bytes: dump(`
      0x0000:  0000 5e00 5301 0000 5e00 53fe 0800 45c0
      0x0010:  0070 9609 0000 4001 5ec4 c000 02fe c000
      0x0020:  0201 0b00 f4ff 0000 0000 4500 0054 2a5e
      0x0030:  4000 0101 6314 c000 0201 c633 6402 0800
      0x0040:  4f71 21d4 0001 d8c6 076b 0000 0000 d9b4
      0x0050:  0e00 0000 0000 1011 1213 1415 1617 1819
      0x0060:  1a1b 1c1d 1e1f 2021 2223 2425 2627 2829
      0x0070:  2a2b 2c2d 2e2f 3031 3233 3435 3637
    `),
    fields: {
      ethernet: { destination: A, source: R, etherType: 0x0800 },
      ipv4: {
        version: 4, headerLength: 20, dscp: 48, ecn: 0, totalLength: 112, identification: 38409,
        reservedFlag: false, dontFragment: false, moreFragments: false, fragmentOffset: 0,
        ttl: 64, protocol: 1, checksum: 0x5ec4, checksumValid: true,
        source: ip("192.0.2.254"), destination: ip("192.0.2.1"), options: NO_OPTIONS,
      },
      icmp: {
        type: 11, code: 0, checksum: 0xf4ff, checksumValid: true, restOfHeader: 0,
        quoted: { ...ttlOneRequest, icmp: { type: 8, code: 0, identifier: 8660, sequence: 1 } },
      },
      // the quoted datagram is frame 7's, byte for byte: its IPv4 header, ICMP header and data
      get payload() {
        return knownAnswer(7).bytes.subarray(14);
      },
      padding: NOTHING,
    },
  },
  {
    name: "ping -R's echo request, with a record-route option",
    frame: 9,
    tcpdump: `05:42:50.174391 00:00:5e:00:53:01 > 00:00:5e:00:53:fe, ethertype IPv4 (0x0800), length 138: (tos 0x0, ttl 64, id 10849, offset 0, flags [DF], proto ICMP (1), length 124, options (NOP,RR 192.0.2.1, 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0))
    192.0.2.1 > 198.51.100.2: ICMP echo request, id 8667, seq 1, length 64`,
    bytes: dump(`
      0x0000:  0000 5e00 53fe 0000 5e00 5301 0800 4f00
      0x0010:  007c 2a61 4000 4001 2fd8 c000 0201 c633
      0x0020:  6402 0107 2708 c000 0201 0000 0000 0000
      0x0030:  0000 0000 0000 0000 0000 0000 0000 0000
      0x0040:  0000 0000 0000 0000 0000 0800 1376 21db
      0x0050:  0001 dac6 076b 0000 0000 1fa9 0200 0000
      0x0060:  0000 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0070:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0080:  2e2f 3031 3233 3435 3637
    `),
    fields: {
      ethernet: { destination: R, source: A, etherType: 0x0800 },
      ipv4: {
        version: 4, headerLength: 60, dscp: 0, ecn: 0, totalLength: 124, identification: 10849,
        reservedFlag: false, dontFragment: true, moreFragments: false, fragmentOffset: 0,
        ttl: 64, protocol: 1, checksum: 0x2fd8, checksumValid: true,
        source: ip("192.0.2.1"), destination: ip("198.51.100.2"),
        // NOP, then RR with its first slot filled by the sender
        options: Uint8Array.from([1, ...recordRoute(8, ["192.0.2.1", ...Array<string>(8).fill("0.0.0.0")])]),
      },
      icmp: { type: 8, code: 0, checksum: 0x1376, checksumValid: true, identifier: 8667, sequence: 1 },
      payload: recordRouteData,
      padding: NOTHING,
    },
  },
  {
    name: "the echo reply to ping -R, its route recorded there and back",
    frame: 10,
    tcpdump: `05:42:50.174427 00:00:5e:00:53:fe > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 138: (tos 0x0, ttl 63, id 64191, offset 0, flags [none], proto ICMP (1), length 124, options (RR 192.0.2.1, 198.51.100.254, 198.51.100.2, 198.51.100.2, 192.0.2.254, 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0,EOL))
    198.51.100.2 > 192.0.2.1: ICMP echo reply, id 8667, seq 1, length 64`,
    bytes: dump(`
      0x0000:  0000 5e00 5301 0000 5e00 53fe 0800 4f00
      0x0010:  007c fabf 0000 3f01 cc5e c633 6402 c000
      0x0020:  0201 0727 18c0 0002 01c6 3364 fec6 3364
      0x0030:  02c6 3364 02c0 0002 fe00 0000 0000 0000
      0x0040:  0000 0000 0000 0000 0000 0000 1b76 21db
      0x0050:  0001 dac6 076b 0000 0000 1fa9 0200 0000
      0x0060:  0000 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0070:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0080:  2e2f 3031 3233 3435 3637
    `),
    fields: {
      ethernet: { destination: A, source: R, etherType: 0x0800 },
      ipv4: {
        version: 4, headerLength: 60, dscp: 0, ecn: 0, totalLength: 124, identification: 64191,
        reservedFlag: false, dontFragment: false, moreFragments: false, fragmentOffset: 0,
        ttl: 63, protocol: 1, checksum: 0xcc5e, checksumValid: true,
        source: ip("198.51.100.2"), destination: ip("192.0.2.1"),
        // RR with five slots filled, then EOL
        options: Uint8Array.from([
          ...recordRoute(24, ["192.0.2.1", "198.51.100.254", "198.51.100.2", "198.51.100.2", "192.0.2.254", ...Array<string>(4).fill("0.0.0.0")]),
          0,
        ]),
      },
      icmp: { type: 0, code: 0, checksum: 0x1b76, checksumValid: true, identifier: 8667, sequence: 1 },
      payload: recordRouteData,
      padding: NOTHING,
    },
  },
  {
    name: "ping -s 3000's first fragment (the ICMP header, its checksum not checkable)",
    frame: 11,
    tcpdump: `05:42:50.680514 00:00:5e:00:53:01 > 00:00:5e:00:53:fe, ethertype IPv4 (0x0800), length 1514: (tos 0x0, ttl 64, id 10928, offset 0, flags [+], proto ICMP (1), length 1500)
    192.0.2.1 > 198.51.100.2: ICMP echo request, id 8717, seq 1, length 1480`,
    bytes: dump(`
      0x0000:  0000 5e00 53fe 0000 5e00 5301 0800 4500
      0x0010:  05dc 2ab0 2000 4001 3e3a c000 0201 c633
      0x0020:  6402 0800 e0af 220d 0001 dac6 076b 0000
      0x0030:  0000 2962 0a00 0000 0000 1011 1213 1415
      0x0040:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0050:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0060:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445
      0x0070:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455
      0x0080:  5657 5859 5a5b 5c5d 5e5f 6061 6263 6465
      0x0090:  6667 6869 6a6b 6c6d 6e6f 7071 7273 7475
      0x00a0:  7677 7879 7a7b 7c7d 7e7f 8081 8283 8485
      0x00b0:  8687 8889 8a8b 8c8d 8e8f 9091 9293 9495
      0x00c0:  9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5
      0x00d0:  a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5
      0x00e0:  b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5
      0x00f0:  c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5
      0x0100:  d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5
      0x0110:  e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5
      0x0120:  f6f7 f8f9 fafb fcfd feff 0001 0203 0405
      0x0130:  0607 0809 0a0b 0c0d 0e0f 1011 1213 1415
      0x0140:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0150:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0160:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445
      0x0170:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455
      0x0180:  5657 5859 5a5b 5c5d 5e5f 6061 6263 6465
      0x0190:  6667 6869 6a6b 6c6d 6e6f 7071 7273 7475
      0x01a0:  7677 7879 7a7b 7c7d 7e7f 8081 8283 8485
      0x01b0:  8687 8889 8a8b 8c8d 8e8f 9091 9293 9495
      0x01c0:  9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5
      0x01d0:  a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5
      0x01e0:  b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5
      0x01f0:  c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5
      0x0200:  d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5
      0x0210:  e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5
      0x0220:  f6f7 f8f9 fafb fcfd feff 0001 0203 0405
      0x0230:  0607 0809 0a0b 0c0d 0e0f 1011 1213 1415
      0x0240:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0250:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0260:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445
      0x0270:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455
      0x0280:  5657 5859 5a5b 5c5d 5e5f 6061 6263 6465
      0x0290:  6667 6869 6a6b 6c6d 6e6f 7071 7273 7475
      0x02a0:  7677 7879 7a7b 7c7d 7e7f 8081 8283 8485
      0x02b0:  8687 8889 8a8b 8c8d 8e8f 9091 9293 9495
      0x02c0:  9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5
      0x02d0:  a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5
      0x02e0:  b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5
      0x02f0:  c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5
      0x0300:  d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5
      0x0310:  e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5
      0x0320:  f6f7 f8f9 fafb fcfd feff 0001 0203 0405
      0x0330:  0607 0809 0a0b 0c0d 0e0f 1011 1213 1415
      0x0340:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0350:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0360:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445
      0x0370:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455
      0x0380:  5657 5859 5a5b 5c5d 5e5f 6061 6263 6465
      0x0390:  6667 6869 6a6b 6c6d 6e6f 7071 7273 7475
      0x03a0:  7677 7879 7a7b 7c7d 7e7f 8081 8283 8485
      0x03b0:  8687 8889 8a8b 8c8d 8e8f 9091 9293 9495
      0x03c0:  9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5
      0x03d0:  a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5
      0x03e0:  b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5
      0x03f0:  c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5
      0x0400:  d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5
      0x0410:  e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5
      0x0420:  f6f7 f8f9 fafb fcfd feff 0001 0203 0405
      0x0430:  0607 0809 0a0b 0c0d 0e0f 1011 1213 1415
      0x0440:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0450:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0460:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445
      0x0470:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455
      0x0480:  5657 5859 5a5b 5c5d 5e5f 6061 6263 6465
      0x0490:  6667 6869 6a6b 6c6d 6e6f 7071 7273 7475
      0x04a0:  7677 7879 7a7b 7c7d 7e7f 8081 8283 8485
      0x04b0:  8687 8889 8a8b 8c8d 8e8f 9091 9293 9495
      0x04c0:  9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5
      0x04d0:  a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5
      0x04e0:  b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5
      0x04f0:  c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5
      0x0500:  d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5
      0x0510:  e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5
      0x0520:  f6f7 f8f9 fafb fcfd feff 0001 0203 0405
      0x0530:  0607 0809 0a0b 0c0d 0e0f 1011 1213 1415
      0x0540:  1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
      0x0550:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
      0x0560:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445
      0x0570:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455
      0x0580:  5657 5859 5a5b 5c5d 5e5f 6061 6263 6465
      0x0590:  6667 6869 6a6b 6c6d 6e6f 7071 7273 7475
      0x05a0:  7677 7879 7a7b 7c7d 7e7f 8081 8283 8485
      0x05b0:  8687 8889 8a8b 8c8d 8e8f 9091 9293 9495
      0x05c0:  9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5
      0x05d0:  a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5
      0x05e0:  b6b7 b8b9 babb bcbd bebf
    `),
    fields: {
      ethernet: { destination: R, source: A, etherType: 0x0800 },
      ipv4: { ...fragment, totalLength: 1500, moreFragments: true, fragmentOffset: 0, checksum: 0x3e3a },
      icmp: { type: 8, code: 0, checksum: 0xe0af, checksumValid: null, identifier: 8717, sequence: 1 },
      payload: bigData.subarray(0, 1472),
      padding: NOTHING,
    },
  },
  {
    name: "ping -s 3000's middle fragment (no ICMP layer)",
    frame: 12,
    tcpdump: `05:42:50.680539 00:00:5e:00:53:01 > 00:00:5e:00:53:fe, ethertype IPv4 (0x0800), length 1514: (tos 0x0, ttl 64, id 10928, offset 1480, flags [+], proto ICMP (1), length 1500)
    192.0.2.1 > 198.51.100.2: ip-proto-1`,
    bytes: dump(`
      0x0000:  0000 5e00 53fe 0000 5e00 5301 0800 4500
      0x0010:  05dc 2ab0 20b9 4001 3d81 c000 0201 c633
      0x0020:  6402 c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd
      0x0030:  cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd
      0x0040:  dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced
      0x0050:  eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd
      0x0060:  feff 0001 0203 0405 0607 0809 0a0b 0c0d
      0x0070:  0e0f 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0080:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0090:  2e2f 3031 3233 3435 3637 3839 3a3b 3c3d
      0x00a0:  3e3f 4041 4243 4445 4647 4849 4a4b 4c4d
      0x00b0:  4e4f 5051 5253 5455 5657 5859 5a5b 5c5d
      0x00c0:  5e5f 6061 6263 6465 6667 6869 6a6b 6c6d
      0x00d0:  6e6f 7071 7273 7475 7677 7879 7a7b 7c7d
      0x00e0:  7e7f 8081 8283 8485 8687 8889 8a8b 8c8d
      0x00f0:  8e8f 9091 9293 9495 9697 9899 9a9b 9c9d
      0x0100:  9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad
      0x0110:  aeaf b0b1 b2b3 b4b5 b6b7 b8b9 babb bcbd
      0x0120:  bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd
      0x0130:  cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd
      0x0140:  dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced
      0x0150:  eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd
      0x0160:  feff 0001 0203 0405 0607 0809 0a0b 0c0d
      0x0170:  0e0f 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0180:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0190:  2e2f 3031 3233 3435 3637 3839 3a3b 3c3d
      0x01a0:  3e3f 4041 4243 4445 4647 4849 4a4b 4c4d
      0x01b0:  4e4f 5051 5253 5455 5657 5859 5a5b 5c5d
      0x01c0:  5e5f 6061 6263 6465 6667 6869 6a6b 6c6d
      0x01d0:  6e6f 7071 7273 7475 7677 7879 7a7b 7c7d
      0x01e0:  7e7f 8081 8283 8485 8687 8889 8a8b 8c8d
      0x01f0:  8e8f 9091 9293 9495 9697 9899 9a9b 9c9d
      0x0200:  9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad
      0x0210:  aeaf b0b1 b2b3 b4b5 b6b7 b8b9 babb bcbd
      0x0220:  bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd
      0x0230:  cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd
      0x0240:  dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced
      0x0250:  eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd
      0x0260:  feff 0001 0203 0405 0607 0809 0a0b 0c0d
      0x0270:  0e0f 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0280:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0290:  2e2f 3031 3233 3435 3637 3839 3a3b 3c3d
      0x02a0:  3e3f 4041 4243 4445 4647 4849 4a4b 4c4d
      0x02b0:  4e4f 5051 5253 5455 5657 5859 5a5b 5c5d
      0x02c0:  5e5f 6061 6263 6465 6667 6869 6a6b 6c6d
      0x02d0:  6e6f 7071 7273 7475 7677 7879 7a7b 7c7d
      0x02e0:  7e7f 8081 8283 8485 8687 8889 8a8b 8c8d
      0x02f0:  8e8f 9091 9293 9495 9697 9899 9a9b 9c9d
      0x0300:  9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad
      0x0310:  aeaf b0b1 b2b3 b4b5 b6b7 b8b9 babb bcbd
      0x0320:  bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd
      0x0330:  cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd
      0x0340:  dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced
      0x0350:  eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd
      0x0360:  feff 0001 0203 0405 0607 0809 0a0b 0c0d
      0x0370:  0e0f 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0380:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0390:  2e2f 3031 3233 3435 3637 3839 3a3b 3c3d
      0x03a0:  3e3f 4041 4243 4445 4647 4849 4a4b 4c4d
      0x03b0:  4e4f 5051 5253 5455 5657 5859 5a5b 5c5d
      0x03c0:  5e5f 6061 6263 6465 6667 6869 6a6b 6c6d
      0x03d0:  6e6f 7071 7273 7475 7677 7879 7a7b 7c7d
      0x03e0:  7e7f 8081 8283 8485 8687 8889 8a8b 8c8d
      0x03f0:  8e8f 9091 9293 9495 9697 9899 9a9b 9c9d
      0x0400:  9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad
      0x0410:  aeaf b0b1 b2b3 b4b5 b6b7 b8b9 babb bcbd
      0x0420:  bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd
      0x0430:  cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd
      0x0440:  dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced
      0x0450:  eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd
      0x0460:  feff 0001 0203 0405 0607 0809 0a0b 0c0d
      0x0470:  0e0f 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0480:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0490:  2e2f 3031 3233 3435 3637 3839 3a3b 3c3d
      0x04a0:  3e3f 4041 4243 4445 4647 4849 4a4b 4c4d
      0x04b0:  4e4f 5051 5253 5455 5657 5859 5a5b 5c5d
      0x04c0:  5e5f 6061 6263 6465 6667 6869 6a6b 6c6d
      0x04d0:  6e6f 7071 7273 7475 7677 7879 7a7b 7c7d
      0x04e0:  7e7f 8081 8283 8485 8687 8889 8a8b 8c8d
      0x04f0:  8e8f 9091 9293 9495 9697 9899 9a9b 9c9d
      0x0500:  9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad
      0x0510:  aeaf b0b1 b2b3 b4b5 b6b7 b8b9 babb bcbd
      0x0520:  bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd
      0x0530:  cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd
      0x0540:  dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced
      0x0550:  eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd
      0x0560:  feff 0001 0203 0405 0607 0809 0a0b 0c0d
      0x0570:  0e0f 1011 1213 1415 1617 1819 1a1b 1c1d
      0x0580:  1e1f 2021 2223 2425 2627 2829 2a2b 2c2d
      0x0590:  2e2f 3031 3233 3435 3637 3839 3a3b 3c3d
      0x05a0:  3e3f 4041 4243 4445 4647 4849 4a4b 4c4d
      0x05b0:  4e4f 5051 5253 5455 5657 5859 5a5b 5c5d
      0x05c0:  5e5f 6061 6263 6465 6667 6869 6a6b 6c6d
      0x05d0:  6e6f 7071 7273 7475 7677 7879 7a7b 7c7d
      0x05e0:  7e7f 8081 8283 8485 8687
    `),
    fields: {
      ethernet: { destination: R, source: A, etherType: 0x0800 },
      ipv4: { ...fragment, totalLength: 1500, moreFragments: true, fragmentOffset: 1480, checksum: 0x3d81 },
      payload: bigData.subarray(1472, 2952),
      padding: NOTHING,
    },
  },
  {
    name: "ping -s 3000's last fragment (no ICMP layer)",
    frame: 13,
    tcpdump: `05:42:50.680543 00:00:5e:00:53:01 > 00:00:5e:00:53:fe, ethertype IPv4 (0x0800), length 82: (tos 0x0, ttl 64, id 10928, offset 2960, flags [none], proto ICMP (1), length 68)
    192.0.2.1 > 198.51.100.2: ip-proto-1`,
    bytes: dump(`
      0x0000:  0000 5e00 53fe 0000 5e00 5301 0800 4500
      0x0010:  0044 2ab0 0172 4001 6260 c000 0201 c633
      0x0020:  6402 8889 8a8b 8c8d 8e8f 9091 9293 9495
      0x0030:  9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5
      0x0040:  a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5
      0x0050:  b6b7
    `),
    fields: {
      ethernet: { destination: R, source: A, etherType: 0x0800 },
      ipv4: { ...fragment, totalLength: 68, moreFragments: false, fragmentOffset: 2960, checksum: 0x6260 },
      payload: bigData.subarray(2952, 3000),
      padding: NOTHING,
    },
  },
  {
    name: "arping -V 42 -Q 5's 802.1Q-tagged ARP request, padded",
    frame: 17,
    tcpdump: `05:42:51.233309 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 62: vlan 42, p 5, ethertype ARP (0x0806), Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.254 tell 192.0.2.1, length 44`,
    bytes: dump(`
      0x0000:  ffff ffff ffff 0000 5e00 5301 8100 a02a
      0x0010:  0806 0001 0800 0604 0001 0000 5e00 5301
      0x0020:  c000 0201 0000 0000 0000 c000 02fe 0000
      0x0030:  0000 0000 0000 0000 0000 0000 0000
    `),
    fields: {
      ethernet: { destination: Mac.BROADCAST, source: A, vlan: { id: 42, priority: 5, dropEligible: false }, etherType: 0x0806 },
      arp: {
        supported: true, hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 1,
        senderMac: A, senderIp: ip("192.0.2.1"), targetMac: Mac.ZERO, targetIp: ip("192.0.2.254"),
      },
      payload: NOTHING,
      padding: zeros(16),
    },
  },
  {
    name: "arping -U's gratuitous ARP request, padded",
    frame: 20,
    tcpdump: `05:42:52.812978 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 58: Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.1 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 44`,
    bytes: dump(`
      0x0000:  ffff ffff ffff 0000 5e00 5301 0806 0001
      0x0010:  0800 0604 0001 0000 5e00 5301 c000 0201
      0x0020:  ffff ffff ffff c000 0201 0000 0000 0000
      0x0030:  0000 0000 0000 0000 0000
    `),
    fields: {
      ethernet: { destination: Mac.BROADCAST, source: A, etherType: 0x0806 },
      arp: {
        supported: true, hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 1,
        senderMac: A, senderIp: ip("192.0.2.1"), targetMac: Mac.BROADCAST, targetIp: ip("192.0.2.1"),
      },
      payload: NOTHING,
      padding: zeros(16),
    },
  },
  {
    name: "arping -U -P's gratuitous ARP reply, padded",
    frame: 21,
    tcpdump: `05:42:54.393223 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 58: Ethernet (len 6), IPv4 (len 4), Reply 192.0.2.1 is-at 00:00:5e:00:53:01, length 44`,
    bytes: dump(`
      0x0000:  ffff ffff ffff 0000 5e00 5301 0806 0001
      0x0010:  0800 0604 0002 0000 5e00 5301 c000 0201
      0x0020:  ffff ffff ffff c000 0201 0000 0000 0000
      0x0030:  0000 0000 0000 0000 0000
    `),
    fields: {
      ethernet: { destination: Mac.BROADCAST, source: A, etherType: 0x0806 },
      arp: {
        supported: true, hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 2,
        senderMac: A, senderIp: ip("192.0.2.1"), targetMac: Mac.BROADCAST, targetIp: ip("192.0.2.1"),
      },
      payload: NOTHING,
      padding: zeros(16),
    },
  },
  {
    name: "arping -0's ARP probe (sender 0.0.0.0), padded",
    frame: 22,
    tcpdump: `05:42:55.981129 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 58: Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.77 tell 0.0.0.0, length 44`,
    bytes: dump(`
      0x0000:  ffff ffff ffff 0000 5e00 5301 0806 0001
      0x0010:  0800 0604 0001 0000 5e00 5301 0000 0000
      0x0020:  0000 0000 0000 c000 024d 0000 0000 0000
      0x0030:  0000 0000 0000 0000 0000
    `),
    fields: {
      ethernet: { destination: Mac.BROADCAST, source: A, etherType: 0x0806 },
      arp: {
        supported: true, hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 1,
        senderMac: A, senderIp: ip("0.0.0.0"), targetMac: Mac.ZERO, targetIp: ip("192.0.2.77"),
      },
      payload: NOTHING,
      padding: zeros(16),
    },
  },
  {
    name: "the kernel's gratuitous ARP after a MAC change (arp_notify)",
    frame: 23,
    tcpdump: `05:42:57.537648 00:00:5e:00:53:03 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.1 tell 192.0.2.1, length 28`,
    bytes: dump(`
      0x0000:  ffff ffff ffff 0000 5e00 5303 0806 0001
      0x0010:  0800 0604 0001 0000 5e00 5303 c000 0201
      0x0020:  0000 0000 0000 c000 0201
    `),
    fields: {
      ethernet: { destination: Mac.BROADCAST, source: A_AFTER_CHANGE, etherType: 0x0806 },
      arp: {
        supported: true, hardwareType: 1, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 1,
        senderMac: A_AFTER_CHANGE, senderIp: ip("192.0.2.1"), targetMac: Mac.ZERO, targetIp: ip("192.0.2.1"),
      },
      payload: NOTHING,
      padding: NOTHING,
    },
  },
];

function knownAnswer(frame: number): KnownAnswer {
  const found = KNOWN_ANSWERS.find((k) => k.frame === frame);
  if (found === undefined) throw new Error(`no known answer for frame ${frame}`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Checks

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Equal bytes; a failure names the first byte that differs. */
function assertSameBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  const length = Math.min(got.length, want.length);
  let at = 0;
  while (at < length && got[at] === want[at]) at++;
  if (at === length && got.length === want.length) return;
  const detail =
    at < length
      ? `byte ${at} (0x${at.toString(16)}) is 0x${got[at].toString(16).padStart(2, "0")}, want 0x${want[at].toString(16).padStart(2, "0")}`
      : `${got.length} bytes, want ${want.length}`;
  assert.equal(toHex(got), toHex(want), `${what}: ${detail}`);
}

const IPV4_LINE = new RegExp(
  String.raw`\(tos 0x([0-9a-f]+), ttl (\d+), id (\d+), offset (\d+), flags \[([^\]]+)\], proto \S+ \((\d+)\), length (\d+)(, options \([^)]*\))?\)` +
    String.raw`\s+(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))? > (\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?: `,
  "g",
);
const ICMP_TEXT = /ICMP (?:echo (request|reply), id (\d+), seq (\d+)|(time exceeded in-transit)|\S+ udp port \d+ (unreachable)), length (\d+)/g;

/**
 * Reads tcpdump's text the way a person would, and checks that every value it printed is what our
 * decoder says, with addresses as JSON.stringify(frame) writes them.
 */
function assertTcpdumpAgrees(frame: Frame, text: string): void {
  const json = JSON.parse(JSON.stringify(frame));
  const head = /^\S+ (\S+) > (\S+), ethertype .*? \(0x([0-9a-f]{4})\), length (\d+): (.*)/s.exec(text);
  assert.ok(head !== null, `not a tcpdump -e line: ${text}`);
  const [, source, destination, etherType, length, rest] = head;
  assert.equal(json.ethernet.source, source, "ethernet source");
  assert.equal(json.ethernet.destination, destination, "ethernet destination");
  assert.equal(frame.length, Number(length), "frame length");
  const vlan = frame.ethernet.vlan;
  if (vlan === undefined) {
    assert.equal(frame.ethernet.etherType, parseInt(etherType, 16), "EtherType");
  } else {
    assert.equal(etherType, "8100", "outer EtherType");
    const tag = /^vlan (\d+), p (\d+)(, DEI)?, ethertype .*? \(0x([0-9a-f]{4})\)/.exec(rest);
    assert.ok(tag !== null, `no VLAN tag in: ${rest}`);
    assert.deepEqual([vlan.id, vlan.priority, vlan.dropEligible, frame.ethernet.etherType], [Number(tag[1]), Number(tag[2]), tag[3] !== undefined, parseInt(tag[4], 16)]);
  }

  if (frame.arp !== undefined) {
    assert.ok(frame.arp.supported);
    const request = /Request who-has (\S+)(?: \((\S+)\))? tell (\S+), length (\d+)/.exec(rest);
    const reply = /Reply (\S+) is-at (\S+), length (\d+)/.exec(rest);
    if (request !== null) {
      assert.equal(frame.arp.operation, 1, "ARP operation");
      assert.equal(json.arp.targetIp, request[1], "ARP target IP");
      // tcpdump shows the target MAC only when it is not zero
      assert.equal(json.arp.targetMac, request[2] ?? "00:00:00:00:00:00", "ARP target MAC");
      assert.equal(json.arp.senderIp, request[3], "ARP sender IP");
    } else {
      assert.ok(reply !== null, `neither an ARP request nor a reply: ${rest}`);
      assert.equal(frame.arp.operation, 2, "ARP operation");
      assert.equal(json.arp.senderIp, reply[1], "ARP sender IP");
      assert.equal(json.arp.senderMac, reply[2], "ARP sender MAC");
    }
    // tcpdump's ARP length runs to the end of the frame: the 28-byte body and the padding
    assert.equal(28 + frame.padding.length, Number((request ?? reply)![request !== null ? 4 : 3]), "ARP length with padding");
    return;
  }

  const datagrams = [...text.matchAll(IPV4_LINE)];
  const headers: Ipv4Record[] = frame.ipv4 === undefined ? [] : [frame.ipv4];
  const headersJson = [json.ipv4];
  if (frame.icmp?.quoted !== undefined) {
    headers.push(frame.icmp.quoted);
    headersJson.push(json.icmp.quoted);
  }
  assert.equal(headers.length, datagrams.length, "IPv4 headers (the outer one and any quoted)");
  datagrams.forEach((m, i) => {
    const h = headers[i];
    const what = i === 0 ? "IPv4" : "quoted IPv4";
    const [, tos, ttl, id, offset, flags, protocol, totalLength, options, src, srcPort, dst, dstPort] = m;
    assert.equal((h.dscp << 2) | h.ecn, parseInt(tos, 16), `${what} tos`);
    assert.equal(h.ttl, Number(ttl), `${what} ttl`);
    assert.equal(h.identification, Number(id), `${what} id`);
    assert.equal(h.fragmentOffset, Number(offset), `${what} offset`);
    assert.equal(h.dontFragment, flags.includes("DF"), `${what} DF`);
    assert.equal(h.moreFragments, flags.includes("+"), `${what} MF`);
    assert.equal(h.protocol, Number(protocol), `${what} protocol`);
    assert.equal(h.totalLength, Number(totalLength), `${what} length`);
    assert.equal(h.headerLength > 20, options !== undefined, `${what} options`);
    assert.equal(headersJson[i].source, src, `${what} source`);
    assert.equal(headersJson[i].destination, dst, `${what} destination`);
    if (srcPort !== undefined) {
      // UDP: the ports are the first four bytes after the header
      const udp = i === 0 ? frame.payload : frame.payload.subarray(h.headerLength);
      assert.deepEqual([(udp[0] << 8) | udp[1], (udp[2] << 8) | udp[3]], [Number(srcPort), Number(dstPort)], `${what} UDP ports`);
    }
  });

  const messages = [...text.matchAll(ICMP_TEXT)];
  const icmps: { type: number; code: number; identifier?: number; sequence?: number }[] = [];
  if (frame.icmp !== undefined) icmps.push(frame.icmp);
  if (frame.icmp?.quoted?.icmp !== undefined) icmps.push(frame.icmp.quoted.icmp);
  assert.equal(icmps.length, messages.length, "ICMP headers (the message and any quoted)");
  messages.forEach((m, i) => {
    const what = i === 0 ? "ICMP" : "quoted ICMP";
    const [, echo, id, seq, timeExceeded, unreachable, length] = m;
    const [type, code] = echo === "request" ? [8, 0] : echo === "reply" ? [0, 0] : timeExceeded !== undefined ? [11, 0] : unreachable !== undefined ? [3, 3] : [-1, -1];
    assert.deepEqual([icmps[i].type, icmps[i].code], [type, code], `${what} type and code`);
    if (echo !== undefined) {
      assert.deepEqual([icmps[i].identifier, icmps[i].sequence], [Number(id), Number(seq)], `${what} id and seq`);
    }
    if (i === 0) assert.equal(headers[0].totalLength - headers[0].headerLength, Number(length), "ICMP length");
  });
}

/** Layers a frame has, by its own keys: a layer that is absent has no key at all. */
function layers(frame: Frame): string[] {
  return Object.keys(frame).filter((k) => ["ethernet", "arp", "ipv4", "icmp"].includes(k));
}

describe("known answers: frames the Linux kernel, ping and arping sent", () => {
  for (const known of KNOWN_ANSWERS) {
    describe(`${known.name} (frame ${known.frame})`, () => {
      it("decodes to every field tcpdump printed", () => {
        const frame = decodeFrame(known.bytes);
        const want = known.fields;
        assert.deepStrictEqual(frame.ethernet, want.ethernet);
        assert.deepStrictEqual(frame.arp, want.arp);
        assert.deepStrictEqual(frame.ipv4, want.ipv4);
        assert.deepStrictEqual(frame.icmp, want.icmp);
        assertSameBytes(frame.payload, want.payload, "payload");
        assertSameBytes(frame.padding, want.padding, "padding");
        assertTcpdumpAgrees(frame, known.tcpdump);
      });

      it("encodes from its fields to the captured bytes, every byte written", () => {
        const into = new Uint8Array(known.bytes.length).fill(0xa5);
        const bytes = encodeFrame(known.fields, into);
        assertSameBytes(bytes, known.bytes, "encoded frame");
      });
    });
  }

  it("a decoded frame has a key for each layer it has and none for the others (a non-first fragment: no icmp)", () => {
    const wrong = KNOWN_ANSWERS.flatMap((known) => {
      const want = ["ethernet", "arp", "ipv4", "icmp"].filter((k) => k in known.fields);
      const got = layers(decodeFrame(known.bytes));
      return got.join() === want.join() ? [] : [`frame ${known.frame}: keys ${got.join(", ")}; want ${want.join(", ")}`];
    });
    assert.deepEqual(wrong, []);
  });

  it("the ARP helpers build and recognise what the kernel and arping sent", () => {
    const kernel = decodeFrame(knownAnswer(23).bytes).arp;
    assert.deepStrictEqual(kernel, gratuitousRequest(A_AFTER_CHANGE, ip("192.0.2.1")));
    const probe = decodeFrame(knownAnswer(22).bytes).arp;
    assert.deepStrictEqual(probe, arpProbe(A, ip("192.0.2.77")));
    const arps = KNOWN_ANSWERS.flatMap((k) => (k.fields.arp === undefined ? [] : [{ frame: k.frame, arp: decodeFrame(k.bytes).arp as ArpRecord }]));
    const gratuitous = arps.filter((a) => isGratuitous(a.arp)).map((a) => a.frame);
    const probes = arps.filter((a) => isProbe(a.arp)).map((a) => a.frame);
    assert.deepEqual(gratuitous, [20, 21, 23]);
    assert.deepEqual(probes, [22]);
  });

  it("the tcpdump file they came from reads as the same frames, with tcpdump's timestamps", () => {
    const records = [...readPcap(new Uint8Array(fs.readFileSync(path.join(FIXTURES, "kernel-frames.pcap"))))];
    assert.equal(records.length, 23);
    for (const known of KNOWN_ANSWERS) {
      const record = records[known.frame - 1];
      assertSameBytes(record.data, known.bytes, `frame ${known.frame}`);
      assert.equal(record.originalLength, known.bytes.length);
      // the capture ran in UTC; tcpdump printed the time of day to the microsecond
      const [, hh, mm, ss, micros] = /^(\d\d):(\d\d):(\d\d)\.(\d{6}) /.exec(known.tcpdump)!;
      assert.equal(record.seconds % 86400, Number(hh) * 3600 + Number(mm) * 60 + Number(ss), `frame ${known.frame} seconds`);
      assert.equal(record.nanoseconds, Number(micros) * 1000, `frame ${known.frame} nanoseconds`);
    }
    // and every frame of the capture decodes, the ones not quoted above included
    for (const record of records) decodeFrame(record.data);
  });
});

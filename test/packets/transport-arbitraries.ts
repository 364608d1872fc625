// fast-check arbitraries for the transport codecs' tests (UDP, TCP, VRRP) and the IPv4/IPv6 packets
// around them: not a test file.
import { spawnSync } from "child_process";
import * as path from "path";
import fc from "fast-check";
import { pythonWithScapy } from "../helpers/tools";
import { PseudoHeader, TcpOption, tcpOptionLength, TcpRecord, UdpRecord, VrrpRecord } from "../../src/packets";

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

/** IPv4 (4-byte) or IPv6 (16-byte) pseudo-header addresses. */
export const pseudoHeader = (family: 4 | 16 | "any" = "any"): fc.Arbitrary<PseudoHeader> =>
  (family === "any" ? fc.constantFrom(4, 16) : fc.constant(family)).chain((n) =>
    fc.record({ source: fc.uint8Array({ minLength: n, maxLength: n }), destination: fc.uint8Array({ minLength: n, maxLength: n }) }),
  );

export const udpRecord: fc.Arbitrary<UdpRecord> = fc.record({
  sourcePort: u16,
  destinationPort: u16,
  length: fc.constant(0),
  checksum: fc.constant(0),
  payload: fc.uint8Array({ maxLength: 300 }),
});

/** Every option kind the codec decodes, and raw ones (other kinds, known kinds of another length). */
export const tcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant<TcpOption>({ kind: "nop" }),
  u16.map((value): TcpOption => ({ kind: "mss", value })),
  fc.integer({ min: 0, max: 14 }).map((shift): TcpOption => ({ kind: "windowScale", shift })),
  fc.constant<TcpOption>({ kind: "sackPermitted" }),
  fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 4 }).map((blocks): TcpOption => ({ kind: "sack", blocks })),
  fc.tuple(u32, u32).map(([value, echo]): TcpOption => ({ kind: "timestamps", value, echo })),
  fc
    .tuple(fc.oneof(fc.integer({ min: 6, max: 7 }), fc.integer({ min: 9, max: 255 })), fc.uint8Array({ maxLength: 10 }))
    .map(([type, data]): TcpOption => ({ kind: "other", type, data })),
  fc.constantFrom<TcpOption>(
    { kind: "other", type: 2, data: new Uint8Array([1]) },
    { kind: "other", type: 3, data: new Uint8Array([1, 2]) },
    { kind: "other", type: 4, data: new Uint8Array([9]) },
    { kind: "other", type: 8, data: new Uint8Array(4) },
    { kind: "other", type: 5, data: new Uint8Array(0) },
  ),
);

/** The options' bytes, at most 40; an EOL only last, when drawn. */
export const tcpOptions: fc.Arbitrary<TcpOption[]> = fc
  .tuple(fc.array(tcpOption, { maxLength: 8 }), fc.boolean())
  .map(([options, eol]) => {
    const kept: TcpOption[] = [];
    let length = 0;
    for (const option of options) {
      const n = tcpOptionLength(option);
      if (length + n > (eol ? 39 : 40)) break;
      kept.push(option);
      length += n;
    }
    if (eol) kept.push({ kind: "eol" });
    return kept;
  });

export const tcpRecord: fc.Arbitrary<TcpRecord> = fc.record({
  sourcePort: u16,
  destinationPort: u16,
  sequence: u32,
  acknowledgment: u32,
  headerLength: fc.constant(0),
  flags: fc.integer({ min: 0, max: 0xfff }),
  window: u16,
  checksum: fc.constant(0),
  urgentPointer: u16,
  options: tcpOptions,
  padding: fc.constant(new Uint8Array(0)),
  payload: fc.uint8Array({ maxLength: 300 }),
});

/** A VRRP advertisement: v2 (IPv4 addresses, an auth type and data) or v3 with `addressLength`-byte addresses. */
export const vrrpRecord = (addressLength: 4 | 16 = 4, versions: readonly number[] = addressLength === 4 ? [2, 3] : [3]): fc.Arbitrary<VrrpRecord> =>
  fc.constantFrom(...versions).chain((version) =>
    fc.record({
      version: fc.constant(version),
      type: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
      virtualRouterId: fc.integer({ min: 1, max: 255 }),
      priority: u8,
      addressCount: fc.constant(0),
      authType: version === 2 ? fc.oneof(fc.constantFrom(0, 1, 2), u8) : fc.constant(0),
      interval: version === 2 ? u8 : fc.integer({ min: 0, max: 4095 }),
      checksum: fc.constant(0),
      addresses: fc.array(fc.uint8Array({ minLength: addressLength, maxLength: addressLength }), { minLength: 1, maxLength: 6 }),
      authData: version === 2 ? fc.uint8Array({ minLength: 8, maxLength: 8 }) : fc.constant(new Uint8Array(0)),
    }),
  );

/** An IPv4 header (20 bytes, no options) around `payload` for `protocol`; the header checksum computed. */
export function ipv4Packet(pseudo: PseudoHeader, protocol: number, payload: Uint8Array, ttl = 64, identification = 1): Uint8Array {
  const packet = new Uint8Array(20 + payload.length);
  packet[0] = 0x45;
  packet[2] = packet.length >> 8;
  packet[3] = packet.length & 0xff;
  packet[4] = identification >> 8;
  packet[5] = identification & 0xff;
  packet[8] = ttl;
  packet[9] = protocol;
  packet.set(pseudo.source, 12);
  packet.set(pseudo.destination, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (packet[i] << 8) | packet[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const checksum = ~sum & 0xffff;
  packet[10] = checksum >> 8;
  packet[11] = checksum & 0xff;
  packet.set(payload, 20);
  return packet;
}

/** An IPv6 header (40 bytes, no extension headers) around `payload` for next header `protocol`. */
export function ipv6Packet(pseudo: PseudoHeader, protocol: number, payload: Uint8Array, hopLimit = 64): Uint8Array {
  const packet = new Uint8Array(40 + payload.length);
  packet[0] = 0x60;
  packet[4] = payload.length >> 8;
  packet[5] = payload.length & 0xff;
  packet[6] = protocol;
  packet[7] = hopLimit;
  packet.set(pseudo.source, 8);
  packet.set(pseudo.destination, 24);
  packet.set(payload, 40);
  return packet;
}

/** The IP packet for the pseudo-header's family. */
export function ipPacket(pseudo: PseudoHeader, protocol: number, payload: Uint8Array, ttl = 64): Uint8Array {
  return pseudo.source.length === 4 ? ipv4Packet(pseudo, protocol, payload, ttl) : ipv6Packet(pseudo, protocol, payload, ttl);
}

/**
 * What scapy decodes from each IP packet (fixtures/scapy-transport.py): its fields and the checksum
 * it computes for the layer. Fails naming python3-scapy when no python3 has scapy.
 */
export function scapyDecode(packets: readonly Uint8Array[]): Record<string, unknown>[] {
  const python = pythonWithScapy();
  const input = packets.map((p) => `${p[0] >> 4 === 4 ? 4 : 6} ${Buffer.from(p).toString("hex")}`).join("\n") + "\n";
  const script = path.resolve(__dirname, "../../../test/packets/fixtures/scapy-transport.py");
  const result = spawnSync(python.command, [script], { input, encoding: "utf8", timeout: 120_000, maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`scapy-transport.py failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Text of an IPv4 or IPv6 address as scapy prints it. */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // Python's ipaddress/inet_ntop compression: the longest run of two or more zero words, the first on a tie
  let best = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > bestLength && j - i >= 2) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(":");
  return `${words.slice(0, best).join(":")}::${words.slice(best + bestLength).join(":")}`;
}

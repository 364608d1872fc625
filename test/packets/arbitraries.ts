// fast-check arbitraries for valid records of each layer and for whole valid frames, shared by the
// codec property tests, and the fuzzer's buffers: full-length frames with real EtherTypes.
import fc from "fast-check";
import "../helpers/property";
import {
  ArpRecord,
  EthernetRecord,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  FrameFields,
  IcmpFields,
  Ipv4,
  Ipv4Fields,
  IP_PROTOCOL_ICMP,
  Mac,
  UnsupportedArpRecord,
  VlanTag,
} from "../../src/packets";

/** fc.record with ordinary prototypes, so records compare equal to what the decoder builds. */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

export const mac = fc.integer({ min: 0, max: 0xffff_ffff_ffff }).map((v) => new Mac(v));
export const ipv4 = fc.integer({ min: 0, max: 0xffff_ffff }).map((v) => new Ipv4(v));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 0xff });

export const vlanTag: fc.Arbitrary<VlanTag> = record({
  id: fc.integer({ min: 0, max: 4095 }),
  priority: fc.integer({ min: 0, max: 7 }),
  dropEligible: fc.boolean(),
});

export function ethernet(etherType: fc.Arbitrary<number>): fc.Arbitrary<EthernetRecord> {
  return fc
    .tuple(mac, mac, fc.option(vlanTag, { nil: undefined }), etherType)
    .map(([destination, source, vlan, type]) => (vlan === undefined ? { destination, source, etherType: type } : { destination, source, vlan, etherType: type }));
}

/** Any EtherType our decoder passes through untouched (not ARP, IPv4 or a VLAN tag). */
export const otherEtherType = u16.filter((t) => t !== ETHERTYPE_ARP && t !== ETHERTYPE_IPV4 && t !== 0x8100);

export const arp: fc.Arbitrary<ArpRecord> = record({
  supported: fc.constant(true as const),
  hardwareType: fc.constant(1 as const),
  protocolType: fc.constant(0x0800 as const),
  hardwareLength: fc.constant(6 as const),
  protocolLength: fc.constant(4 as const),
  operation: fc.oneof(fc.constantFrom(1, 2), u16),
  senderMac: mac,
  senderIp: ipv4,
  targetMac: mac,
  targetIp: ipv4,
});

/** ARP for some other hardware/protocol pair, with its address bytes. */
export const unsupportedArp: fc.Arbitrary<{ record: UnsupportedArpRecord; addresses: Uint8Array }> = fc
  .record({
    supported: fc.constant(false as const),
    hardwareType: u16,
    protocolType: u16,
    hardwareLength: u8,
    protocolLength: u8,
    operation: u16,
  })
  .filter((r) => !(r.hardwareType === 1 && r.protocolType === 0x0800 && r.hardwareLength === 6 && r.protocolLength === 4))
  .chain((record) =>
    fc
      .uint8Array({ minLength: 2 * (record.hardwareLength + record.protocolLength), maxLength: 2 * (record.hardwareLength + record.protocolLength) })
      .map((addresses) => ({ record, addresses })),
  );

/** IPv4 options: whole 4-byte words, as a decoder hands them back. */
const options = fc.integer({ min: 0, max: 10 }).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }));

export function ipv4Header(protocol: fc.Arbitrary<number>, fragments: "whole" | "any" = "whole"): fc.Arbitrary<Ipv4Fields> {
  const fragmentFields =
    fragments === "whole"
      ? fc.constant({ moreFragments: false, fragmentOffset: 0 })
      : record({ moreFragments: fc.boolean(), fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((u) => u * 8) });
  return fc
    .tuple(
      record({
        dscp: fc.integer({ min: 0, max: 63 }),
        ecn: fc.integer({ min: 0, max: 3 }),
        identification: u16,
        reservedFlag: fc.boolean(),
        dontFragment: fc.boolean(),
        ttl: u8,
        protocol,
        source: ipv4,
        destination: ipv4,
        options,
      }),
      fragmentFields,
    )
    .map(([fields, fragment]) => ({ ...fields, ...fragment }));
}

export const echo: fc.Arbitrary<IcmpFields> = record({
  type: fc.constantFrom(0, 8),
  code: fc.oneof(fc.constant(0), u8),
  identifier: u16,
  sequence: u16,
});

export const otherIcmp: fc.Arbitrary<IcmpFields> = record({
  type: u8.filter((t) => t !== 0 && t !== 8),
  code: u8,
  restOfHeader: fc.integer({ min: 0, max: 0xffff_ffff }),
});

/** The largest Ethernet frame without its FCS: 1500 bytes of payload, 14 of header. */
export const FULL_FRAME = 1514;
/** Up to what fits a full-length frame after a tagged Ethernet, a 60-byte IPv4 and an ICMP header. */
export const MAX_PAYLOAD = FULL_FRAME - 18 - 60 - 8;
const payload = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 65, maxLength: MAX_PAYLOAD }));
/** Ethernet padding (to 60 bytes) or a trailer: none, a few bytes, or hundreds. */
export const MAX_PADDING = 300;
const padding = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 46 }), fc.uint8Array({ minLength: 47, maxLength: MAX_PADDING }));

/** Any valid frame our codec understands, as the record encodeFrame takes. */
export const frame: fc.Arbitrary<FrameFields> = fc.oneof(
  record({ ethernet: ethernet(fc.constant(ETHERTYPE_ARP)), arp, padding }),
  fc
    .record({ ethernet: ethernet(fc.constant(ETHERTYPE_ARP)), unsupported: unsupportedArp, padding })
    .map(({ ethernet: e, unsupported, padding: p }) => ({ ethernet: e, arp: unsupported.record, payload: unsupported.addresses, padding: p })),
  record({ ethernet: ethernet(fc.constant(ETHERTYPE_IPV4)), ipv4: ipv4Header(fc.constant(IP_PROTOCOL_ICMP)), icmp: fc.oneof(echo, otherIcmp), payload, padding }),
  record({
    ethernet: ethernet(fc.constant(ETHERTYPE_IPV4)),
    ipv4: ipv4Header(u8.filter((p) => p !== IP_PROTOCOL_ICMP), "any"),
    payload,
    padding,
  }),
  // a non-first fragment of an ICMP message: carried as raw payload, no icmp layer
  record({
    ethernet: ethernet(fc.constant(ETHERTYPE_IPV4)),
    ipv4: ipv4Header(fc.constant(IP_PROTOCOL_ICMP), "any").filter((h) => h.fragmentOffset !== 0),
    payload,
    padding,
  }),
  record({ ethernet: ethernet(otherEtherType), payload }),
);

/** A 32-bit xorshift: the fuzzer's bytes past the headers, from a seed fast-check draws (and shrinks). */
function fill(bytes: Uint8Array, from: number, seed: number): void {
  let x = seed | 1;
  for (let i = from; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
}

const realEtherType = fc.constantFrom(ETHERTYPE_ARP, ETHERTYPE_IPV4, 0x8100);
const u16Bytes = (bytes: Uint8Array, at: number, value: number): void => {
  if (at + 2 <= bytes.length) {
    bytes[at] = value >>> 8;
    bytes[at + 1] = value & 0xff;
  }
};

/**
 * Buffers for the fuzzer: random bytes, but of every length up to a full 1514-byte frame, mostly
 * carrying a real EtherType (ARP, IPv4, a VLAN tag and ARP or IPv4 inside it) and, where they carry
 * IPv4 or ARP, header fields that reach past the first length check: a version-4 byte with any IHL,
 * a totalLength that fits the buffer, runs past it or falls under the header, ARP with the usual
 * address lengths. Uniformly random bytes would hit a given EtherType once in 65,536 buffers.
 */
export const fuzzBuffer: fc.Arbitrary<Uint8Array> = fc
  .record({
    length: fc.oneof(
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 13 }) },
      { weight: 1, arbitrary: fc.integer({ min: 14, max: 18 }) },
      { weight: 6, arbitrary: fc.integer({ min: 19, max: 128 }) },
      { weight: 4, arbitrary: fc.integer({ min: 129, max: FULL_FRAME }) },
    ),
    head: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    seed: fc.integer(),
    etherType: fc.oneof({ weight: 4, arbitrary: realEtherType }, { weight: 1, arbitrary: u16 }),
    inner: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(ETHERTYPE_ARP, ETHERTYPE_IPV4) }, { weight: 1, arbitrary: u16 }),
    versionAndIhl: fc.oneof(
      { weight: 2, arbitrary: fc.constant(0x45) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 15 }).map((ihl) => 0x40 | ihl) },
      { weight: 1, arbitrary: u8 },
    ),
    totalLength: fc.oneof(
      { weight: 3, arbitrary: fc.constant("fits" as const) },
      { weight: 1, arbitrary: fc.constant("whole" as const) },
      { weight: 1, arbitrary: fc.constant("past" as const) },
      { weight: 1, arbitrary: fc.constant("under" as const) },
      { weight: 1, arbitrary: u16 },
    ),
    fitsBy: fc.nat(),
    arpLengths: fc.oneof({ weight: 3, arbitrary: fc.constant([6, 4] as const) }, { weight: 1, arbitrary: fc.tuple(u8, u8) }),
    firstFragment: fc.boolean(),
  })
  .map(({ length, head, seed, etherType, inner, versionAndIhl, totalLength, fitsBy, arpLengths, firstFragment }) => {
    const bytes = new Uint8Array(length);
    bytes.set(head.subarray(0, Math.min(length, head.length)));
    fill(bytes, head.length, seed);
    u16Bytes(bytes, 12, etherType);
    let at = 14;
    let type = etherType;
    if (etherType === 0x8100) {
      u16Bytes(bytes, 16, inner);
      at = 18;
      type = inner;
    }
    if (type === ETHERTYPE_IPV4 && at < length) {
      bytes[at] = versionAndIhl;
      const room = length - at;
      const headerBytes = (versionAndIhl & 0xf) * 4;
      const value =
        totalLength === "fits" ? (headerBytes <= room ? headerBytes + (fitsBy % (room - headerBytes + 1)) : fitsBy % (room + 1))
        : totalLength === "whole" ? room
        : totalLength === "past" ? room + 1 + (fitsBy % 64)
        : totalLength === "under" ? fitsBy % Math.max(headerBytes, 1)
        : totalLength;
      u16Bytes(bytes, at + 2, Math.min(value, 0xffff));
      if (firstFragment && at + 8 <= length) bytes[at + 6] &= 0xe0;
      if (firstFragment && at + 8 <= length) bytes[at + 7] = 0;
      if (at + 10 <= length && fitsBy % 2 === 0) bytes[at + 9] = IP_PROTOCOL_ICMP;
    }
    if (type === ETHERTYPE_ARP && at + 6 <= length) {
      if (arpLengths[0] === 6 && arpLengths[1] === 4 && fitsBy % 4 !== 0) {
        u16Bytes(bytes, at, 1);
        u16Bytes(bytes, at + 2, ETHERTYPE_IPV4);
      }
      bytes[at + 4] = arpLengths[0];
      bytes[at + 5] = arpLengths[1];
    }
    return bytes;
  });

// fast-check arbitraries for valid records of each layer and for whole valid frames, shared by the
// codec property tests.
import fc from "fast-check";
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

const payload = fc.uint8Array({ maxLength: 200 });
const padding = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 30 }));

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
  record({ ethernet: ethernet(otherEtherType), payload: fc.uint8Array({ maxLength: 100 }) }),
);

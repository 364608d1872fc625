// fast-check arbitraries for IPv6 records (with extension-header chains) and ICMPv6 records (every
// message kind, every NDP option), shaped as parseIpv6/parseIcmpv6 give them back, so that
// parse(emit(record)) can be compared with the record itself. Shared by the codec, agreement and
// summary tests.
import fc from "fast-check";
import "../helpers/property";
import {
  emitIcmpv6,
  emitIpv6,
  encodeEthernet,
  EthernetRecord,
  ethernetHeaderLength,
  Icmpv6Body,
  Icmpv6Packet,
  icmpv6BufferLength,
  Icmpv6Record,
  Ipv6Packet,
  ipv6BufferLength,
  Mac,
  parseIcmpv6,
  parseIpv6,
  Ipv6Address,
  Ipv6ExtensionRecord,
  Ipv6OptionRecord,
  Ipv6Record,
  NdpOption,
} from "../../src/packets";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });

/** Addresses with long zero runs, mapped and compatible forms, and random ones. */
export const ipv6Address: fc.Arbitrary<Ipv6Address> = fc
  .oneof(
    fc.array(fc.oneof(fc.constant(0), fc.constant(0), u16), { minLength: 8, maxLength: 8 }),
    fc.tuple(fc.constantFrom(0, 0xffff), u16, u16).map(([w5, a, b]) => [0, 0, 0, 0, 0, w5, a, b]),
    fc.array(u16, { minLength: 8, maxLength: 8 }),
  )
  .map((words) => {
    const b = new Uint8Array(16);
    words.forEach((w, i) => {
      b[2 * i] = w >>> 8;
      b[2 * i + 1] = w & 0xff;
    });
    return new Ipv6Address(b);
  });

/** Options that fill an options header exactly (the padding is part of the record). */
const optionsFillingUnits: fc.Arbitrary<Ipv6OptionRecord[]> = fc
  .array(
    fc.oneof(
      fc.constant<Ipv6OptionRecord>({ type: 0, data: new Uint8Array(0) }),
      fc.record({ type: fc.constant(1), data: fc.integer({ min: 0, max: 12 }).map((n) => new Uint8Array(n)) }, { noNullPrototype: true }),
      fc.record({ type: fc.constant(5), data: bytes(2, 2) }, { noNullPrototype: true }),
      fc.record({ type: fc.integer({ min: 2, max: 255 }), data: bytes(0, 20) }, { noNullPrototype: true }),
    ),
    { maxLength: 5 },
  )
  .map((options) => {
    let used = 2;
    for (const o of options) used += o.type === 0 ? 1 : 2 + o.data.length;
    const pad = (8 - (used % 8)) % 8;
    const padded = [...options];
    if (pad === 1) padded.push({ type: 0, data: new Uint8Array(0) });
    else if (pad > 1) padded.push({ type: 1, data: new Uint8Array(pad - 2) });
    return padded;
  });

function optionsHeader(kind: 0 | 60): fc.Arbitrary<Ipv6ExtensionRecord> {
  return fc.tuple(optionsFillingUnits, u8).map(([options, nextHeader]) => {
    let n = 2;
    for (const o of options) n += o.type === 0 ? 1 : 2 + o.data.length;
    return { kind, nextHeader, lengthUnits: n / 8 - 1, options };
  });
}

const routingHeader: fc.Arbitrary<Ipv6ExtensionRecord> = fc
  .tuple(fc.constantFrom(0, 2, 3, 4, 253), u8, fc.integer({ min: 0, max: 4 }), u8)
  .chain(([routingType, segmentsLeft, units, nextHeader]) =>
    bytes(4 + units * 8, 4 + units * 8).map((data) => ({ kind: 43 as const, nextHeader, lengthUnits: units, routingType, segmentsLeft, data })),
  );

const fragmentHeader = (first: boolean): fc.Arbitrary<Ipv6ExtensionRecord> =>
  fc.record(
    {
      kind: fc.constant(44 as const),
      nextHeader: u8,
      reserved: u8,
      fragmentOffset: first ? fc.constant(0) : fc.integer({ min: 1, max: 0x1fff }).map((u) => u * 8),
      reservedBits: fc.integer({ min: 0, max: 3 }),
      moreFragments: fc.boolean(),
      identification: u32,
    },
    { noNullPrototype: true },
  );

/**
 * An IPv6 record whose next-header fields chain its extension headers correctly: hop-by-hop only
 * first, a later (non-first) fragment only last, and `upper` (a protocol that is no extension
 * header) after the last one.
 */
export function ipv6Record(upper: fc.Arbitrary<number> = fc.constantFrom(58, 17, 6, 59, 253)): fc.Arbitrary<Ipv6Record> {
  const middle = fc.array(fc.oneof(optionsHeader(60), routingHeader, fragmentHeader(true)), { maxLength: 3 });
  return fc
    .record(
      {
        trafficClass: u8,
        flowLabel: fc.integer({ min: 0, max: 0xfffff }),
        hopLimit: u8,
        source: ipv6Address,
        destination: ipv6Address,
        hopByHop: fc.oneof(fc.constant(undefined), optionsHeader(0)),
        middle,
        laterFragment: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fragmentHeader(false), weight: 1 }),
        upper,
      },
      { noNullPrototype: true },
    )
    .map((r) => {
      const chain = [...(r.hopByHop === undefined ? [] : [r.hopByHop]), ...r.middle, ...(r.laterFragment === undefined ? [] : [r.laterFragment])];
      const extensions = chain.map((e, i) => ({ ...e, nextHeader: i + 1 < chain.length ? chain[i + 1].kind : r.upper }));
      let length = 0;
      for (const e of extensions) length += e.kind === 44 ? 8 : (e.lengthUnits + 1) * 8;
      return {
        version: 6,
        trafficClass: r.trafficClass,
        flowLabel: r.flowLabel,
        payloadLength: length,
        nextHeader: extensions.length > 0 ? extensions[0].kind : r.upper,
        hopLimit: r.hopLimit,
        source: r.source,
        destination: r.destination,
        extensions,
      } as Ipv6Record;
    });
}

/** Every NDP option form, with lengths that fill whole 8-byte units. */
export const ndpOption: fc.Arbitrary<NdpOption> = fc.oneof(
  fc.record({ type: fc.constantFrom(1 as const, 2 as const), address: fc.integer({ min: 0, max: 2 }).chain((u) => bytes(6 + 8 * u, 6 + 8 * u)) }, { noNullPrototype: true }),
  fc.record(
    {
      type: fc.constant(3 as const),
      prefixLength: u8,
      onLink: fc.boolean(),
      autonomous: fc.boolean(),
      reservedFlags: fc.integer({ min: 0, max: 0x3f }),
      validLifetime: u32,
      preferredLifetime: u32,
      reserved2: u32,
      prefix: ipv6Address,
    },
    { noNullPrototype: true },
  ),
  fc.record({ type: fc.constant(4 as const), reserved: bytes(6, 6), packet: fc.integer({ min: 0, max: 6 }).chain((u) => bytes(8 * u, 8 * u)) }, { noNullPrototype: true }),
  fc.record({ type: fc.constant(5 as const), reserved: u16, mtu: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant(25 as const), reserved: u16, lifetime: u32, servers: fc.array(ipv6Address, { minLength: 1, maxLength: 3 }) }, { noNullPrototype: true }),
  fc.record(
    { type: fc.integer({ min: 6, max: 255 }).filter((t) => t !== 25), kind: fc.constant("other" as const), data: fc.integer({ min: 0, max: 3 }).chain((u) => bytes(6 + 8 * u, 6 + 8 * u)) },
    { noNullPrototype: true },
  ),
);

const options = fc.array(ndpOption, { maxLength: 4 });

/** An ICMPv6 message of every kind the codec knows, and some it does not. */
export const icmpv6Record: fc.Arbitrary<Icmpv6Record> = fc
  .oneof(
    fc.tuple(fc.constantFrom(128, 129), fc.record({ kind: fc.constant("echo" as const), identifier: u16, sequence: u16, data: bytes(0, 64) }, { noNullPrototype: true })),
    fc.tuple(fc.constantFrom(1, 2, 3, 4), fc.record({ kind: fc.constant("error" as const), parameter: u32, invoking: bytes(0, 96) }, { noNullPrototype: true })),
    fc.tuple(fc.constant(133), fc.record({ kind: fc.constant("routerSolicitation" as const), reserved: u32, options }, { noNullPrototype: true })),
    fc.tuple(
      fc.constant(134),
      fc.record(
        {
          kind: fc.constant("routerAdvertisement" as const),
          curHopLimit: u8,
          managed: fc.boolean(),
          other: fc.boolean(),
          reservedFlags: fc.integer({ min: 0, max: 0x3f }),
          routerLifetime: u16,
          reachableTime: u32,
          retransTimer: u32,
          options,
        },
        { noNullPrototype: true },
      ),
    ),
    fc.tuple(fc.constant(135), fc.record({ kind: fc.constant("neighborSolicitation" as const), reserved: u32, target: ipv6Address, options }, { noNullPrototype: true })),
    fc.tuple(
      fc.constant(136),
      fc.record(
        {
          kind: fc.constant("neighborAdvertisement" as const),
          router: fc.boolean(),
          solicited: fc.boolean(),
          override: fc.boolean(),
          reserved: fc.integer({ min: 0, max: 0x1fff_ffff }),
          target: ipv6Address,
          options,
        },
        { noNullPrototype: true },
      ),
    ),
    fc.tuple(fc.constant(137), fc.record({ kind: fc.constant("redirect" as const), reserved: u32, target: ipv6Address, destination: ipv6Address, options }, { noNullPrototype: true })),
    fc.tuple(
      fc.constantFrom(130, 131, 132),
      fc.record({ kind: fc.constant("mld" as const), maxResponseDelay: u16, reserved: u16, multicastAddress: ipv6Address, data: fc.constant(new Uint8Array(0)) }, { noNullPrototype: true }),
    ),
    fc.tuple(fc.constantFrom(0, 100, 127, 141, 142, 143, 144, 145, 146, 147, 150, 200, 201, 255), fc.record({ kind: fc.constant("other" as const), restOfHeader: u32, data: bytes(0, 32) }, { noNullPrototype: true })),
  )
  .chain(([type, body]) => u8.map((code) => ({ type, code, checksum: 0, body: body as Icmpv6Body })));

/** An Ethernet frame carrying an IPv6 packet (with its extension headers) and an ICMPv6 message or other upper-layer bytes. */
export interface Ipv6Frame {
  readonly bytes: Uint8Array;
  readonly ethernet: EthernetRecord;
  readonly ip: Ipv6Record;
  /** the message, when the upper layer is ICMPv6 at the start of the datagram */
  readonly icmp?: Icmpv6Record;
  /** the upper-layer bytes otherwise */
  readonly upper?: Uint8Array;
}

/** Builds the frame: Ethernet (EtherType IPv6), IPv6 with lengths fixed, then the message (checksummed) or the bytes. */
export function ipv6Frame(ethernet: EthernetRecord, ip: Ipv6Record, upper: Icmpv6Record | Uint8Array): Ipv6Frame {
  const link = ethernetHeaderLength(ethernet);
  const upperLength = upper instanceof Uint8Array ? upper.length : icmpv6BufferLength(upper);
  const ipLength = ipv6BufferLength(ip);
  const bytes = new Uint8Array(link + ipLength + upperLength);
  encodeEthernet({ ...ethernet, etherType: 0x86dd }, bytes, 0);
  emitIpv6(ip, bytes, link, {}, upperLength);
  const view = new Ipv6Packet().reset(bytes, link);
  view.check();
  if (upper instanceof Uint8Array) bytes.set(upper, link + ipLength);
  else emitIcmpv6(upper, bytes, link + ipLength, {}, { source: ip.source, destination: Ipv6Address.read(bytes, view.pseudoHeaderDestinationOffset) });
  const parsedIp = parseIpv6(view);
  if (upper instanceof Uint8Array) return { bytes, ethernet, ip: parsedIp, upper };
  const message = new Icmpv6Packet().reset(bytes, link + ipLength, bytes.length, "header");
  message.check();
  return { bytes, ethernet, ip: parsedIp, icmp: parseIcmpv6(message) };
}

const mac = fc.integer({ min: 0, max: 0xffff_ffff_ffff }).map((v) => new Mac(v));
const vlan = fc.option(fc.record({ id: fc.integer({ min: 0, max: 4095 }), priority: fc.integer({ min: 0, max: 7 }), dropEligible: fc.boolean() }, { noNullPrototype: true }), { freq: 4, nil: undefined });

/** Frames carrying ICMPv6 (any message, any chain of extension headers; a later fragment carries bytes). */
export const ipv6IcmpFrame: fc.Arbitrary<Ipv6Frame> = fc
  .tuple(mac, mac, vlan, ipv6Record(fc.constant(58)), icmpv6Record, bytes(0, 48))
  .map(([destination, source, tag, ip, icmp, data]) => {
    const ethernet: EthernetRecord = tag === undefined ? { destination, source, etherType: 0x86dd } : { destination, source, vlan: tag, etherType: 0x86dd };
    const last = ip.extensions[ip.extensions.length - 1];
    const later = last !== undefined && last.kind === 44 && last.fragmentOffset !== 0;
    return ipv6Frame(ethernet, ip, later ? data : icmp);
  });

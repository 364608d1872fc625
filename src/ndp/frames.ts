// Neighbor Discovery frames (RFC 4861, RFC 4862), built and read without I/O: the Neighbor
// Solicitation of a who-has (from our address, with our Source Link-Layer Address option) and of
// Duplicate Address Detection (from ::, no option), the unsolicited Neighbor Advertisement of an
// announcement (to all-nodes, Override set, our Target Link-Layer Address option), the multicast
// addresses they go to, and `readNeighborMessage`, which accepts an NS or NA only as RFC 4861 §7.1.1
// and §7.1.2 let a host accept it (hop limit 255, code 0, a good checksum, a unicast target, no
// link-layer option from ::, a solicited NA never to a multicast group).
import { Mac } from "../packets/address";
import { encodeEthernet, ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV6 } from "../packets/ethernet";
import {
  emitIcmpv6,
  Icmpv6Packet,
  icmpv6BufferLength,
  Icmpv6Record,
  ICMPV6_NEIGHBOR_ADVERTISEMENT,
  ICMPV6_NEIGHBOR_SOLICITATION,
  NdpOption,
  NDP_SOURCE_LINK_LAYER_ADDRESS,
  NDP_TARGET_LINK_LAYER_ADDRESS,
} from "../packets/icmpv6";
import { emitIpv6, Ipv6Address, Ipv6Packet, IPV6_HEADER_LENGTH, IPV6_ICMPV6 } from "../packets/ipv6";

/** Every NDP message is sent with hop limit 255, and one received with another is discarded (RFC 4861 §7.1). */
export const NDP_HOP_LIMIT = 255;

/** ff02::1, the link-local all-nodes group. */
export const ALL_NODES = Ipv6Address.parse("ff02::1");
/** 33:33:00:00:00:01, the Ethernet group of ff02::1. */
export const ALL_NODES_MAC = Mac.parse("33:33:00:00:00:01");

/** ff02::1:ffXX:XXXX, the solicited-node group of `address` (RFC 4291 §2.7.1): its low 24 bits after ff02::1:ff00:0/104. */
export function solicitedNodeGroup(address: Ipv6Address): Ipv6Address {
  const bytes = Ipv6Address.parse("ff02::1:ff00:0").bytes.slice();
  bytes.set(address.bytes.subarray(13, 16), 13);
  return new Ipv6Address(bytes);
}

/** In ff02::1:ff00:0/104, some address's solicited-node group. */
export function isSolicitedNodeGroup(address: Ipv6Address): boolean {
  const b = address.bytes;
  return b[0] === 0xff && b[1] === 0x02 && b.subarray(2, 11).every((x) => x === 0) && b[11] === 1 && b[12] === 0xff;
}

/** 33:33:XX:XX:XX:XX, the Ethernet group an IPv6 multicast `group` is sent to (RFC 2464 §7): 33:33 and its low 32 bits. */
export function multicastMac(group: Ipv6Address): Mac {
  const mac = new Uint8Array([0x33, 0x33, ...group.bytes.subarray(12, 16)]);
  return Mac.read(mac, 0);
}

/** ff00::/8. */
export function isMulticast(address: Ipv6Address): boolean {
  return address.bytes[0] === 0xff;
}

/** fe80::/10. */
export function isLinkLocal(address: Ipv6Address): boolean {
  return address.bytes[0] === 0xfe && (address.bytes[1] & 0xc0) === 0x80;
}

/** ::. */
export function isUnspecified(address: Ipv6Address): boolean {
  return address.bytes.every((b) => b === 0);
}

/** A link-layer address option's 6 bytes. */
export function linkLayerOption(type: typeof NDP_SOURCE_LINK_LAYER_ADDRESS | typeof NDP_TARGET_LINK_LAYER_ADDRESS, mac: Mac): NdpOption {
  const address = new Uint8Array(6);
  mac.write(address, 0);
  return { type, address };
}

/**
 * Ethernet + IPv6 (no extension headers) + the ICMPv6 message, checksum computed. Hop limit 255 as
 * RFC 4861 asks; another only for tests of what a receiver does with a wrong one (src/sim/frames6.ts).
 */
export function ndpFrame(sourceMac: Mac, destinationMac: Mac, source: Ipv6Address, destination: Ipv6Address, message: Icmpv6Record, hopLimit = NDP_HOP_LIMIT): Uint8Array {
  const upperLength = icmpv6BufferLength(message);
  const frame = new Uint8Array(ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + upperLength);
  let at = encodeEthernet({ destination: destinationMac, source: sourceMac, etherType: ETHERTYPE_IPV6 }, frame, 0);
  at += emitIpv6({ version: 6, trafficClass: 0, flowLabel: 0, payloadLength: upperLength, nextHeader: IPV6_ICMPV6, hopLimit, source, destination, extensions: [] }, frame, at, {}, upperLength);
  emitIcmpv6(message, frame, at, {}, { source, destination });
  return frame;
}

export interface SolicitationFields {
  /** the Ethernet source, and the Source Link-Layer Address option's */
  readonly sourceMac: Mac;
  /** the IPv6 source: our address, or :: for Duplicate Address Detection (then no option is sent, RFC 4861 §4.3) */
  readonly source: Ipv6Address;
  /** the address asked about */
  readonly target: Ipv6Address;
  /** default the target's solicited-node group; a unicast address re-checks a neighbour we know (then give destinationMac) */
  readonly destination?: Ipv6Address;
  /** default the destination group's 33:33 MAC */
  readonly destinationMac?: Mac;
}

/** A Neighbor Solicitation frame: who has `target`? From :: it is a DAD probe. */
export function neighborSolicitationFrame(fields: SolicitationFields): Uint8Array {
  const destination = fields.destination ?? solicitedNodeGroup(fields.target);
  const destinationMac = fields.destinationMac ?? multicastMac(destination);
  const options = isUnspecified(fields.source) ? [] : [linkLayerOption(NDP_SOURCE_LINK_LAYER_ADDRESS, fields.sourceMac)];
  return ndpFrame(fields.sourceMac, destinationMac, fields.source, destination, {
    type: ICMPV6_NEIGHBOR_SOLICITATION,
    code: 0,
    checksum: 0,
    body: { kind: "neighborSolicitation", reserved: 0, target: fields.target, options },
  });
}

export interface AdvertisementFields {
  /** the Ethernet source */
  readonly sourceMac: Mac;
  /** the IPv6 source: an address of ours; default the target (what Linux sends an unsolicited NA from) */
  readonly source?: Ipv6Address;
  /** the address advertised */
  readonly target: Ipv6Address;
  /** the Target Link-Layer Address option: where `target` is; default sourceMac (another box's MAC hands the address back to it) */
  readonly linkLayerAddress?: Mac;
  /** default false: we are not a router */
  readonly router?: boolean;
  /** default false: unsolicited */
  readonly solicited?: boolean;
  /** default true: replace the cached link-layer address */
  readonly override?: boolean;
  /** default ff02::1, all-nodes */
  readonly destination?: Ipv6Address;
  /** default the destination group's 33:33 MAC */
  readonly destinationMac?: Mac;
}

/** A Neighbor Advertisement frame: `target` is at `linkLayerAddress`. By default unsolicited, to all-nodes, Override set. */
export function neighborAdvertisementFrame(fields: AdvertisementFields): Uint8Array {
  const destination = fields.destination ?? ALL_NODES;
  const destinationMac = fields.destinationMac ?? multicastMac(destination);
  return ndpFrame(fields.sourceMac, destinationMac, fields.source ?? fields.target, destination, {
    type: ICMPV6_NEIGHBOR_ADVERTISEMENT,
    code: 0,
    checksum: 0,
    body: {
      kind: "neighborAdvertisement",
      router: fields.router ?? false,
      solicited: fields.solicited ?? false,
      override: fields.override ?? true,
      reserved: 0,
      target: fields.target,
      options: [linkLayerOption(NDP_TARGET_LINK_LAYER_ADDRESS, fields.linkLayerAddress ?? fields.sourceMac)],
    },
  });
}

/** A Neighbor Solicitation or Advertisement as heard, valid per RFC 4861 §7.1. */
export interface NeighborMessage {
  readonly kind: "solicitation" | "advertisement";
  /** the Ethernet source */
  readonly sourceMac: Mac;
  readonly source: Ipv6Address;
  readonly destination: Ipv6Address;
  readonly target: Ipv6Address;
  /** NA only (false for an NS) */
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  /** the Source (NS) or Target (NA) Link-Layer Address option's MAC, when the message has one of 6 bytes */
  readonly linkLayerAddress?: Mac;
}

const ip = new Ipv6Packet();
const icmp = new Icmpv6Packet();

/**
 * The NS or NA in an Ethernet frame (untagged), or undefined for any other frame and for an NS or
 * NA that a host must discard (RFC 4861 §7.1.1, §7.1.2): hop limit not 255, code not 0, a bad
 * checksum, a multicast target, an option of length 0 (the codec's check), an NS from :: that is
 * not to a solicited-node group or carries a Source Link-Layer Address option, a solicited NA to a
 * multicast address. Extension headers are walked; the message must follow them.
 */
export function readNeighborMessage(bytes: Uint8Array): NeighborMessage | undefined {
  if (bytes.length < ETHERNET_HEADER_LENGTH || ((bytes[12] << 8) | bytes[13]) !== ETHERTYPE_IPV6) return undefined;
  if (ip.reset(bytes, ETHERNET_HEADER_LENGTH).check() !== undefined) return undefined;
  if (ip.upperProtocol !== IPV6_ICMPV6 || ip.hopLimit !== NDP_HOP_LIMIT) return undefined;
  const type = bytes[ip.payloadOffset];
  if (type !== ICMPV6_NEIGHBOR_SOLICITATION && type !== ICMPV6_NEIGHBOR_ADVERTISEMENT) return undefined;
  if (icmp.reset(bytes, ip.payloadOffset, ip.payloadEnd, "header").check() !== undefined) return undefined;
  if (icmp.code !== 0 || !icmp.checksumValid(ip.sourceOffset, ip.pseudoHeaderDestinationOffset)) return undefined;
  const source = Ipv6Address.read(bytes, ip.sourceOffset);
  const destination = Ipv6Address.read(bytes, ip.destinationOffset);
  const target = Ipv6Address.read(bytes, icmp.targetOffset);
  if (isMulticast(target)) return undefined;
  const wanted = type === ICMPV6_NEIGHBOR_SOLICITATION ? NDP_SOURCE_LINK_LAYER_ADDRESS : NDP_TARGET_LINK_LAYER_ADDRESS;
  let linkLayerAddress: Mac | undefined;
  let hasSourceOption = false;
  for (let o = icmp.payloadOffset; o + 2 <= ip.payloadEnd; o += bytes[o + 1] * 8) {
    if (bytes[o] === NDP_SOURCE_LINK_LAYER_ADDRESS) hasSourceOption = true;
    // the first option of the kind with room for an Ethernet address (8 bytes: type, length, 6)
    if (bytes[o] === wanted && linkLayerAddress === undefined && bytes[o + 1] === 1) linkLayerAddress = Mac.read(bytes, o + 2);
  }
  const flags = bytes[icmp.offset + 4];
  const sourceMac = Mac.read(bytes, 6);
  if (type === ICMPV6_NEIGHBOR_SOLICITATION) {
    if (isUnspecified(source) && (hasSourceOption || !isSolicitedNodeGroup(destination))) return undefined;
    return { kind: "solicitation", sourceMac, source, destination, target, router: false, solicited: false, override: false, ...(linkLayerAddress === undefined ? {} : { linkLayerAddress }) };
  }
  const solicited = (flags & 0x40) !== 0;
  if (solicited && isMulticast(destination)) return undefined;
  return { kind: "advertisement", sourceMac, source, destination, target, router: (flags & 0x80) !== 0, solicited, override: (flags & 0x20) !== 0, ...(linkLayerAddress === undefined ? {} : { linkLayerAddress }) };
}

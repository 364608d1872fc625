// The Neighbor Discovery frames of the simulated IPv6 router (src/sim/router6.ts) and of the tests
// that talk to it, made and read with the project's IPv6 and ICMPv6 codecs: Neighbor Solicitations
// and Advertisements on untagged Ethernet, with their link-layer address options. The frames are
// built by src/ndp/frames.ts's ndpFrame, but any form may be made (no TLLA, Override clear, another
// hop limit) and readNdp reads what a host would discard: the router model decides what counts.
import { ALL_NODES, isMulticast, linkLayerOption, multicastMac, ndpFrame, solicitedNodeGroup } from "../ndp/frames";
import { Mac } from "../packets/address";
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV6 } from "../packets/ethernet";
import { decodeIcmpv6, ICMPV6_NEIGHBOR_ADVERTISEMENT, ICMPV6_NEIGHBOR_SOLICITATION, NDP_SOURCE_LINK_LAYER_ADDRESS, NDP_TARGET_LINK_LAYER_ADDRESS } from "../packets/icmpv6";
import { decodeIpv6, Ipv6Address, IPV6_HEADER_LENGTH, IPV6_ICMPV6 } from "../packets/ipv6";
import { EthAt } from "../packets/wire-literals";

export { ALL_NODES, isMulticast, multicastMac };


/** The solicited-node multicast group of `address` (ff02::1:ffXX:XXXX, RFC 4291). */
export const solicitedNode = solicitedNodeGroup;

/** The EUI-64 link-local address of `mac` (fe80::, the MAC with the universal/local bit flipped, ff:fe in the middle). */
export function linkLocalOf(mac: Mac): Ipv6Address {
  const m = mac.toBytes();
  const bytes = new Uint8Array(16);
  bytes.set([0xfe, 0x80]);
  bytes.set([m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]], 8);
  return new Ipv6Address(bytes);
}

export interface SolicitationFields {
  readonly sourceMac: Mac;
  readonly source: Ipv6Address;
  readonly target: Ipv6Address;
  /** a unicast probe to this MAC and address; absent: to the target's solicited-node group */
  readonly unicastTo?: Mac;
}

/** A Neighbor Solicitation with the sender's Source Link-Layer Address option. */
export function neighborSolicitation(fields: SolicitationFields): Uint8Array {
  const group = solicitedNode(fields.target);
  const destination = fields.unicastTo === undefined ? group : fields.target;
  const destinationMac = fields.unicastTo ?? multicastMac(group);
  return ndpFrame(fields.sourceMac, destinationMac, fields.source, destination, {
    type: ICMPV6_NEIGHBOR_SOLICITATION,
    code: 0,
    checksum: 0,
    body: { kind: "neighborSolicitation", reserved: 0, target: fields.target, options: [linkLayerOption(NDP_SOURCE_LINK_LAYER_ADDRESS, fields.sourceMac)] },
  });
}

export interface AdvertisementFields {
  readonly sourceMac: Mac;
  readonly source: Ipv6Address;
  /** default all-nodes */
  readonly destination?: Ipv6Address;
  /** default the destination's multicast MAC; give it for a unicast destination */
  readonly destinationMac?: Mac;
  readonly target: Ipv6Address;
  readonly router?: boolean;
  readonly solicited?: boolean;
  readonly override?: boolean;
  /** the Target Link-Layer Address option; absent: none */
  readonly tlla?: Mac;
  /** default 255 */
  readonly hopLimit?: number;
}

/** A Neighbor Advertisement. */
export function neighborAdvertisement(fields: AdvertisementFields): Uint8Array {
  const destination = fields.destination ?? ALL_NODES;
  const destinationMac = fields.destinationMac ?? multicastMac(destination);
  return ndpFrame(fields.sourceMac, destinationMac, fields.source, destination, {
    type: ICMPV6_NEIGHBOR_ADVERTISEMENT,
    code: 0,
    checksum: 0,
    body: {
      kind: "neighborAdvertisement",
      router: fields.router ?? false,
      solicited: fields.solicited ?? false,
      override: fields.override ?? false,
      reserved: 0,
      target: fields.target,
      options: fields.tlla === undefined ? [] : [linkLayerOption(NDP_TARGET_LINK_LAYER_ADDRESS, fields.tlla)],
    },
  }, fields.hopLimit);
}

/** An NDP message as the router reads it. */
export interface NdpMessage {
  readonly destinationMac: Mac;
  readonly sourceMac: Mac;
  readonly source: Ipv6Address;
  readonly destination: Ipv6Address;
  readonly hopLimit: number;
  readonly kind: "solicitation" | "advertisement";
  readonly target: Ipv6Address;
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  /** the Source (solicitation) or Target (advertisement) Link-Layer Address option, if any */
  readonly linkLayer: Mac | undefined;
}

/**
 * Reads an untagged Ethernet frame carrying IPv6 with no extension headers and an NS or NA.
 * Returns undefined for anything else, and for a frame the codecs refuse.
 */
export function readNdp(bytes: Uint8Array): NdpMessage | undefined {
  if (bytes.length < ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH || ((bytes[EthAt.Type] << 8) | bytes[EthAt.Type + 1]) !== ETHERTYPE_IPV6) return undefined;
  try {
    const ipv6 = decodeIpv6(bytes, ETHERNET_HEADER_LENGTH);
    if (ipv6.nextHeader !== IPV6_ICMPV6 || ipv6.extensions.length > 0) return undefined;
    const start = ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH;
    const icmpv6 = decodeIcmpv6(bytes, start, Math.min(bytes.length, start + ipv6.payloadLength));
    const body = icmpv6.body;
    if (body.kind !== "neighborSolicitation" && body.kind !== "neighborAdvertisement") return undefined;
    const wanted = body.kind === "neighborSolicitation" ? NDP_SOURCE_LINK_LAYER_ADDRESS : NDP_TARGET_LINK_LAYER_ADDRESS;
    const option = body.options.find((o) => o.type === wanted) as { address: Uint8Array } | undefined;
    const advertisement = body.kind === "neighborAdvertisement" ? body : undefined;
    return {
      destinationMac: Mac.read(bytes, 0),
      sourceMac: Mac.read(bytes, 6),
      source: ipv6.source,
      destination: ipv6.destination,
      hopLimit: ipv6.hopLimit,
      kind: advertisement === undefined ? "solicitation" : "advertisement",
      target: body.target,
      router: advertisement?.router ?? false,
      solicited: advertisement?.solicited ?? false,
      override: advertisement?.override ?? false,
      linkLayer: option !== undefined && option.address.length === 6 ? Mac.read(option.address, 0) : undefined,
    };
  } catch {
    return undefined;
  }
}

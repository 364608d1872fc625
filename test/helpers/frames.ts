// Frame helpers shared by tests: not a test file.
import { Mac } from "../../src/packets/address";
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV6, encodeEthernet } from "../../src/packets/ethernet";
import { emitIcmpv6, icmpv6BufferLength, Icmpv6Record } from "../../src/packets/icmpv6";
import { emitIpv6, IPV6_HEADER_LENGTH, IPV6_ICMPV6, Ipv6Address } from "../../src/packets/ipv6";

/** `frame` with an 802.1Q tag for `vlan` inserted after the MAC addresses. */
export function vlanTagged(frame: Uint8Array, vlan: number): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, 12));
  out.set([0x81, 0x00, vlan >> 8, vlan & 0xff], 12);
  out.set(frame.subarray(12), 16);
  return out;
}

/** An Ethernet frame holding an IPv6 packet from `source` to `destination` carrying `icmp` (checksum computed). */
export function icmpv6Frame(from: Mac, to: Mac, source: Ipv6Address, destination: Ipv6Address, icmp: Icmpv6Record, hopLimit = 61): Uint8Array {
  const upper = icmpv6BufferLength(icmp);
  const frame = new Uint8Array(ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + upper);
  const ip = encodeEthernet({ destination: to, source: from, etherType: ETHERTYPE_IPV6 }, frame, 0);
  const at = ip + emitIpv6({ version: 6, trafficClass: 0, flowLabel: 0, payloadLength: upper, nextHeader: IPV6_ICMPV6, hopLimit, source, destination, extensions: [] }, frame, ip, {}, upper);
  emitIcmpv6(icmp, frame, at, {}, { source, destination });
  return frame;
}

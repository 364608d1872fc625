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

/**
 * The echo reply a host at `from` gives to the captured IPv4 echo request `request` (to `to`, its
 * sender): MACs and IPv4 addresses swapped, type 0, the ICMP checksum adjusted (the IPv4 one holds
 * after a swap). A copy; `request` is not changed.
 */
export function echoReplyTo(request: Uint8Array, from: Mac, to: Mac): Uint8Array {
  const reply = request.slice();
  reply.set(to.toBytes(), 0);
  reply.set(from.toBytes(), 6);
  const ip = ETHERNET_HEADER_LENGTH;
  const source = reply.slice(ip + 12, ip + 16);
  reply.set(reply.slice(ip + 16, ip + 20), ip + 12);
  reply.set(source, ip + 16);
  const icmp = ip + (reply[ip] & 0x0f) * 4;
  reply[icmp] = 0;
  const sum = ((reply[icmp + 2] << 8) | reply[icmp + 3]) + 0x0800;
  const folded = (sum & 0xffff) + (sum >>> 16);
  reply[icmp + 2] = folded >>> 8;
  reply[icmp + 3] = folded & 0xff;
  return reply;
}

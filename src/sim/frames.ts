// The frames the simulated kernels and router build, made with the project's codecs (encodeFrame and
// the ARP record builders), and a one-line description of an ARP frame for traces.
import { Ipv4, Mac } from "../packets/address";
import { arpReply, arpRequest, ARP_REPLY, ARP_REQUEST } from "../packets/arp";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../packets/ethernet";
import { decodeFrame, encodeFrame, FrameView, ipv4Header } from "../packets/frame";
import { ICMP_ECHO_REPLY } from "../packets/icmp";
import { IP_PROTOCOL_ICMP } from "../packets/ipv4";

/** "Who has `target`?" from `mac`/`ip`, broadcast. */
export function whoHas(mac: Mac, ip: Ipv4, target: Ipv4): Uint8Array {
  return encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: mac, etherType: ETHERTYPE_ARP }, arp: arpRequest(mac, ip, target) });
}

/**
 * A kernel's answer to an ARP request in `view` for `ip`, which it has: unicast to the asker, as Linux
 * sends it (to a probe, whose sender IP is 0.0.0.0, too: target IP 0.0.0.0).
 */
export function arpAnswer(view: FrameView, mac: Mac, ip: Ipv4): Uint8Array {
  const asker = new Mac(view.arpSenderMac);
  return encodeFrame({
    ethernet: { destination: asker, source: mac, etherType: ETHERTYPE_ARP },
    arp: arpReply(mac, ip, asker, new Ipv4(view.arpSenderIp)),
  });
}

/** The echo reply to the echo request `bytes`, from `mac`, back to the request's source MAC. */
export function echoReply(bytes: Uint8Array, mac: Mac, identification: number): Uint8Array | undefined {
  const request = decodeFrame(bytes);
  if (request.ipv4 === undefined || request.icmp === undefined) return undefined;
  return encodeFrame({
    ethernet: { destination: request.ethernet.source, source: mac, etherType: ETHERTYPE_IPV4 },
    ipv4: ipv4Header(request.ipv4.destination, request.ipv4.source, IP_PROTOCOL_ICMP, { identification: identification & 0xffff, ttl: 64 }),
    icmp: { type: ICMP_ECHO_REPLY, code: 0, identifier: request.icmp.identifier ?? 0, sequence: request.icmp.sequence ?? 0 },
    payload: request.payload.slice(),
  });
}

/** "who-has 192.0.2.36 tell 192.0.2.1", "192.0.2.36 is-at 02:…", "probe 192.0.2.36", "garp 192.0.2.36 is-at 02:…". */
export function describeArp(view: FrameView): string {
  const sender = new Ipv4(view.arpSenderIp);
  const target = new Ipv4(view.arpTargetIp);
  const mac = new Mac(view.arpSenderMac);
  const op = view.arpOperation;
  if (view.arpSenderIp === view.arpTargetIp) return `garp ${op === ARP_REPLY ? "reply" : "request"} ${sender} is-at ${mac}`;
  if (op === ARP_REQUEST) return view.arpSenderIp === 0 ? `probe ${target} from ${mac}` : `who-has ${target} tell ${sender} (${mac})`;
  if (op === ARP_REPLY) return `${sender} is-at ${mac}`;
  return `arp op ${op} ${sender} ${mac}`;
}

// How the line writers print the frame at hand: tcpdump's -e, -q and -v. One shared, mutable object
// rather than a parameter threaded through every writer (summary.ts, summary-ipv6.ts,
// transport-summary.ts, link-summary.ts): LineWriter.write sets it from its own options before each
// frame, so two writers with different options can take turns, and nothing is allocated per frame.
import type { TcpConversations } from "./transport-summary";

export interface PrintStyle {
  /** none of the below: tcpdump's default line, through the writers' fast paths */
  plain: boolean;
  /** -e: the link-level header first; the network layer then drops its "IP "/"IP6 "/"ARP, " prefix */
  linkHeader: boolean;
  /** -q: tcpdump's quick lines (TCP as "tcp N", the -e header without the EtherType's number) */
  quick: boolean;
  /** -v count: 0 default, 1 the IP header's fields, checksum verdicts, NDP options */
  verbose: number;
  /** the TCP conversations of the capture being printed (relative sequence numbers); undefined: absolute */
  conversations: TcpConversations | undefined;
  /**
   * Set by a printer that ran out of captured bytes where tcpdump's printer longjmps out: tcpdump
   * then never learns the link header's length, and -x/-X dump the frame from its first byte.
   */
  ranOut: boolean;
  /** the writer whose options these are (LineWriter.applyStyle sets them only when another's were in force) */
  owner: unknown;
}

/** The style of the frame being written; default verbosity unless a LineWriter says otherwise. */
export const printStyle: PrintStyle = { plain: true, linkHeader: false, quick: false, verbose: 0, conversations: undefined, ranOut: false, owner: undefined };

/** The names tcpdump -v gives IP protocol numbers (IPv4's "proto NAME (N)", IPv6's "next-header"); "unknown" for the rest. */
export const IP_PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "Options"], [1, "ICMP"], [2, "IGMP"], [4, "IPIP"], [6, "TCP"], [8, "EGP"], [9, "IGRP"], [17, "UDP"], [33, "DCCP"],
  [41, "IPv6"], [43, "Routing"], [44, "Fragment"], [46, "RSVP"], [47, "GRE"], [50, "ESP"], [51, "AH"], [55, "Mobile IP"],
  [58, "ICMPv6"], [62, "Mobile IP (old)"], [88, "EIGRP"], [89, "OSPF"], [103, "PIM"], [108, "Compressed IP"], [112, "VRRP"],
  [113, "PGM"], [132, "SCTP"], [135, "Mobility"], [143, "Ethernet"],
]);

// How the line writers print the frame at hand: tcpdump's -e, -q and -v. One shared, mutable object
// rather than a parameter threaded through every writer (summary.ts, summary-ipv6.ts,
// transport-summary.ts, link-summary.ts): LineWriter.write sets it from its own options before each
// frame, so two writers with different options can take turns, and nothing is allocated per frame.
import type { TcpConversations } from "./transport-summary";

export interface PrintStyle {
  /** -e: the link-level header first; the network layer then drops its "IP "/"IP6 "/"ARP, " prefix */
  linkHeader: boolean;
  /** -q: tcpdump's quick lines (TCP as "tcp N", the -e header without the EtherType's number) */
  quick: boolean;
  /** -v count: 0 default, 1 the IP header's fields, checksum verdicts, NDP options */
  verbose: number;
  /** the TCP conversations of the capture being printed (relative sequence numbers); undefined: absolute */
  conversations: TcpConversations | undefined;
}

/** The style of the frame being written; default verbosity unless a LineWriter says otherwise. */
export const printStyle: PrintStyle = { linkHeader: false, quick: false, verbose: 0, conversations: undefined };

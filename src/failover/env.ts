// What the daemon needs from the world, passed in: the frame port (with the clock its frames are
// stamped with and its timers run on), the link's state, and the interface's addresses. `prepare()`
// in daemon.ts builds the real one (libpcap, rtnetlink, the system clock); the simulator builds one
// on a simulated segment and clock, and runs the same daemon code against it.
import { Clock } from "../link/clock";
import { FramePort, LinkWatch } from "../link/port";
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import type { PairAuth } from "./pair";

/** The interface's addresses: what the daemon adds, removes and finds there. */
export interface AddressEffects {
  /** IPv4 addresses on the interface now. */
  list(): Promise<readonly { readonly address: Ipv4 }[]>;
  /**
   * Adds `address/prefixLength` labelled `label`; `written` is called once the kernel has the request
   * (it has made the change by then; the answer comes later). @throws Error with a one-line reason
   */
  add(address: Ipv4, prefixLength: number, label: string, written?: () => void): Promise<void>;
  /** Removes `address` if it carries `label`; false when it was not there (or not ours). `written` as for add. */
  remove(address: Ipv4, label: string, written?: () => void): Promise<boolean>;
  /** IPv6 addresses on the interface now; `ours`: added by takeover (its IFA_PROTO). Absent: no IPv6 (the simulator). */
  listIpv6?(): Promise<readonly { readonly address: Ipv6Address; readonly prefixLength: number; readonly ours: boolean; readonly tentative: boolean }[]>;
  /** Adds `address/prefixLength` marked as ours, without the kernel's DAD (we did it); `written` as for add. */
  addIpv6?(address: Ipv6Address, prefixLength: number, written?: () => void): Promise<void>;
  /** Removes `address` if we added it; false when it was not there (or not ours). */
  removeIpv6?(address: Ipv6Address, written?: () => void): Promise<boolean>;
  /** Neighbours whose entries went incomplete (asked again after the link comes back). */
  unresolvedNeighbours(): Promise<Ipv4[]>;
  close(): void;
}

export interface DaemonEnv {
  /** Sends and hears frames; its clock is the daemon's clock. */
  readonly port: FramePort;
  readonly clock: Clock;
  /** Whether the link is down, reopening, or verified (only then do checks and probes count). */
  readonly link: LinkWatch;
  readonly addresses: AddressEffects;
  /** Prefix length the public addresses are added with. */
  readonly prefixLength: number;
  /** The pair's shared key at work (config `auth.keyFile`), if it has one. */
  readonly auth?: PairAuth;
  /** Our IPv6 source for ICMPv6 checks: the box's own address on the segment, else its link-local (IPv6 in use only). */
  readonly ipv6Source?: Ipv6Address;
  /** The interface's link-local address: the source of our Neighbor Solicitations that ask who has an address. */
  readonly linkLocal?: Ipv6Address;
  /** Random numbers in [0, 1) (ICMP identifiers); default Math.random. The simulator seeds it. */
  readonly random?: () => number;
  /** Closes the link (the daemon closes `addresses` itself). */
  close(): void;
}

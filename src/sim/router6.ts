// The router on the segment for IPv6: its neighbour cache, modelled on Linux's (net/ipv6/ndisc.c
// ndisc_recv_na, net/core/neighbour.c __neigh_update, __neigh_event_send, neigh_timer_handler) and
// held to what Linux 6.18 was measured to do with each Neighbor Advertisement form (the table in
// test/helpers/ndisc-outcomes.ts, which drives both this model's tests and the kernel's). Not wired
// into the simulated boxes or the daemon yet: there is no IPv6 daemon.
// - The router's own traffic resolves: no entry or FAILED → INCOMPLETE, multicast solicitations
//   every retransmit time (mcast_solicit, 3), then FAILED; STALE → DELAY, after
//   delay_first_probe_time PROBE: unicast solicitations to the cached MAC (ucast_solicit, 3), then
//   FAILED. A REACHABLE entry goes STALE after the reachable time, traffic or not (DELAY only when
//   it was resolved or re-checked within delay_first_probe_time), and DELAY at its next packet.
// - An NA is dropped when its hop limit is not 255, when it is solicited and sent to a multicast
//   address, and by a FAILED entry. With no entry it makes one (STALE) only with a TLLA, forwarding
//   on, and accept_untracked_na 1 (any source) or 2 (a source on one of the router's prefixes).
// - INCOMPLETE takes the first NA with a TLLA: solicited REACHABLE, else STALE, and the queued
//   packet then makes that DELAY.
// - An entry with a MAC takes another MAC only with Override (REACHABLE when solicited, else
//   STALE); without Override a REACHABLE entry only goes STALE on its old MAC, the others ignore
//   it. Its own MAC (or no TLLA) confirms it when solicited, else changes nothing. No locktime.
// - The Router flag follows the NA's whenever the MAC is taken or is the same.
import type { Mac } from "../packets/address";
import type { Ipv6Address } from "../packets/ipv6";
import { isMulticast, linkLocalOf, neighborSolicitation, NdpMessage, readNdp } from "./frames6";
import type { Event, Scheduler } from "./scheduler";
import type { Segment, Station } from "./segment";

export type NeighbourState6 = "INCOMPLETE" | "REACHABLE" | "STALE" | "DELAY" | "PROBE" | "FAILED";

export interface Router6Options {
  /** net.ipv6.conf.IFACE.accept_untracked_na: 0, 1 or 2 */
  readonly acceptUntrackedNa: 0 | 1 | 2;
  /** net.ipv6.conf.IFACE.forwarding */
  readonly forwarding: boolean;
  /** the reachable time (Linux picks 0.5-1.5 × base_reachable_time_ms at random; here it is fixed) */
  readonly reachableMicros: number;
  readonly delayFirstProbeMicros: number;
  readonly retransMicros: number;
  readonly ucastSolicit: number;
  readonly mcastSolicit: number;
}

/** Linux's defaults, the reachable time at its base (30 s). */
export const ROUTER6_DEFAULTS: Router6Options = {
  acceptUntrackedNa: 0,
  forwarding: true,
  reachableMicros: 30_000_000,
  delayFirstProbeMicros: 5_000_000,
  retransMicros: 1_000_000,
  ucastSolicit: 3,
  mcastSolicit: 3,
};

/** An entry as `ip -6 neigh` shows it. */
export interface Neighbour6 {
  /** undefined while INCOMPLETE or FAILED */
  readonly mac: Mac | undefined;
  readonly state: NeighbourState6;
  /** the IsRouter flag */
  readonly router: boolean;
}

interface Entry {
  mac: Mac | undefined;
  /** NONE: just made (Linux's NUD_NONE), not shown; it becomes INCOMPLETE or, from an NA, STALE at once */
  state: NeighbourState6 | "NONE";
  router: boolean;
  /**
   * when the router last sent traffic on it through the resolving path: a REACHABLE entry's traffic
   * takes the fast path and does not count (as Linux: neigh->used is set by neigh_event_send only)
   */
  usedMicros: number;
  /** when it was last confirmed reachable */
  confirmedMicros: number;
  probes: number;
  /** a packet waits for the resolution */
  queued: boolean;
  timer: Event | undefined;
}

/** A change of an entry, and why ("NA", "solicited NA", "traffic", "timer", "set"). */
export type Router6Listener = (address: Ipv6Address, entry: Neighbour6 | undefined, why: string) => void;

const VALID: ReadonlySet<Entry["state"]> = new Set(["REACHABLE", "STALE", "DELAY", "PROBE"]);

export class Router6 implements Station {
  readonly id = "router6";
  readonly #cache = new Map<string, Entry>();
  readonly linkLocal: Ipv6Address;

  constructor(
    readonly mac: Mac,
    readonly address: Ipv6Address,
    /** the prefix length of `address` on the segment's interface */
    readonly prefixLength: number,
    readonly scheduler: Scheduler,
    readonly segment: Segment,
    readonly listener: Router6Listener = () => {},
    public options: Router6Options = ROUTER6_DEFAULTS,
  ) {
    this.linkLocal = linkLocalOf(mac);
    segment.attach(this);
  }

  /** The entry for `address`, as `ip -6 neigh` shows it. */
  entry(address: Ipv6Address): Neighbour6 | undefined {
    const entry = this.#cache.get(address.toString());
    return entry === undefined || entry.state === "NONE" ? undefined : { mac: entry.mac, state: entry.state, router: entry.router };
  }

  /**
   * Sets an entry as `ip -6 neigh replace ADDRESS lladdr MAC [router] nud STATE` does (for REACHABLE,
   * STALE and PROBE, the states tests put an entry in by hand; PROBE starts probing at once).
   */
  set(address: Ipv6Address, mac: Mac, state: "REACHABLE" | "STALE" | "PROBE", router = false): void {
    const entry = this.#entry(address);
    entry.mac = mac;
    entry.router = router;
    entry.queued = false;
    if (state === "REACHABLE") entry.confirmedMicros = this.scheduler.now;
    this.#enter(address, entry, state, "set");
  }

  /** Forgets the entry (`ip -6 neigh flush`). */
  flush(address: Ipv6Address): void {
    const entry = this.#cache.get(address.toString());
    if (entry?.timer !== undefined) entry.timer.cancelled = true;
    this.#cache.delete(address.toString());
  }

  /** The router sends a packet to `address`: it resolves, or checks a STALE entry (neigh_event_send). */
  send(address: Ipv6Address): void {
    const now = this.scheduler.now;
    const entry = this.#entry(address);
    if (entry.state === "REACHABLE") return;
    entry.usedMicros = now;
    if (entry.state === "NONE" || entry.state === "FAILED") {
      entry.mac = undefined;
      entry.probes = this.options.ucastSolicit; // the multicast ones are counted after the unicast ones
      entry.queued = true;
      this.#enter(address, entry, "INCOMPLETE", "traffic");
    } else if (entry.state === "INCOMPLETE") {
      entry.queued = true;
    } else if (entry.state === "STALE") {
      this.#enter(address, entry, "DELAY", "traffic");
    }
  }

  receive(bytes: Uint8Array): void {
    const message = readNdp(bytes);
    if (message === undefined || message.kind !== "advertisement") return;
    const to = message.destinationMac;
    if (!to.equals(this.mac) && (to.toBytes()[0] & 0x01) === 0) return;
    if (!isMulticast(message.destination) && !message.destination.equals(this.address) && !message.destination.equals(this.linkLocal)) return;
    this.#advertisement(message);
  }

  #entry(address: Ipv6Address): Entry {
    const key = address.toString();
    let entry = this.#cache.get(key);
    if (entry === undefined) {
      entry = { mac: undefined, state: "NONE", router: false, usedMicros: this.scheduler.now, confirmedMicros: -Infinity, probes: 0, queued: false, timer: undefined };
      this.#cache.set(key, entry);
    }
    return entry;
  }

  /** ndisc_recv_na, then __neigh_update with WEAK_OVERRIDE, OVERRIDE_ISROUTER and the NA's Override. */
  #advertisement(na: NdpMessage): void {
    if (na.hopLimit !== 255 || isMulticast(na.target)) return;
    if (na.solicited && isMulticast(na.destination)) return;
    const key = na.target.toString();
    let entry = this.#cache.get(key);
    let wanted: NeighbourState6 = na.solicited ? "REACHABLE" : "STALE";
    if (entry?.state === "NONE") return; // only while send() makes it INCOMPLETE
    if (entry === undefined) {
      if (na.linkLayer === undefined || !this.options.forwarding || !this.#acceptsUntracked(na.source)) return;
      return this.#fill(na.target, this.#entry(na.target), na.linkLayer, "STALE", na.router, "untracked NA");
    }
    if (entry.state === "FAILED") return;
    if (!VALID.has(entry.state)) {
      if (na.linkLayer === undefined) return; // INCOMPLETE: nothing to fill it with
      return this.#fill(na.target, entry, na.linkLayer, wanted, na.router, na.solicited ? "solicited NA" : "NA");
    }
    const mac = na.linkLayer ?? entry.mac;
    const why = na.solicited ? "solicited NA" : "NA";
    if (mac !== undefined && entry.mac !== undefined && !mac.equals(entry.mac) && !na.override) {
      // another MAC without Override: a REACHABLE entry is only suspected, the others ignore it
      if (entry.state === "REACHABLE") this.#enter(na.target, entry, "STALE", why);
      return;
    }
    if (wanted === "REACHABLE") entry.confirmedMicros = this.scheduler.now;
    const changedMac = mac !== undefined && entry.mac !== undefined && !mac.equals(entry.mac);
    if (!changedMac && wanted === "STALE") wanted = entry.state; // the same MAC, unsolicited: nothing new
    const routerChanged = entry.router !== na.router;
    entry.router = na.router;
    if (changedMac) {
      entry.mac = mac;
      if (wanted !== "REACHABLE") entry.confirmedMicros = -Infinity;
    }
    if (wanted !== entry.state) this.#enter(na.target, entry, wanted, why);
    else if (changedMac || routerChanged) this.listener(na.target, this.entry(na.target), why);
  }

  /** An entry without a MAC (INCOMPLETE, or new) takes one; the packet waiting for it goes out. */
  #fill(address: Ipv6Address, entry: Entry, mac: Mac, state: NeighbourState6, router: boolean, why: string): void {
    entry.mac = mac;
    entry.router = router;
    if (state === "REACHABLE") entry.confirmedMicros = this.scheduler.now;
    this.#enter(address, entry, state, why);
    if (entry.queued) {
      entry.queued = false;
      this.send(address);
    }
  }

  #acceptsUntracked(source: Ipv6Address): boolean {
    if (this.options.acceptUntrackedNa === 1) return true;
    if (this.options.acceptUntrackedNa !== 2) return false;
    return samePrefix(source, this.address, this.prefixLength) || samePrefix(source, this.linkLocal, 64);
  }

  #enter(address: Ipv6Address, entry: Entry, state: NeighbourState6, why: string): void {
    if (entry.timer !== undefined) entry.timer.cancelled = true;
    entry.timer = undefined;
    entry.state = state;
    const o = this.options;
    if (state === "REACHABLE") entry.timer = this.scheduler.after(o.reachableMicros, () => this.#expire(address, entry));
    else if (state === "DELAY") entry.timer = this.scheduler.after(o.delayFirstProbeMicros, () => this.#expire(address, entry));
    else if (state === "PROBE" || state === "INCOMPLETE") {
      if (state === "PROBE") entry.probes = 0;
      this.#probe(address, entry);
    } else if (state === "FAILED") {
      entry.mac = undefined;
      entry.queued = false;
    }
    this.listener(address, this.entry(address), why);
  }

  /** neigh_timer_handler for REACHABLE and DELAY. */
  #expire(address: Ipv6Address, entry: Entry): void {
    entry.timer = undefined;
    const now = this.scheduler.now;
    const o = this.options;
    if (entry.state === "REACHABLE") {
      if (now < entry.confirmedMicros + o.reachableMicros) {
        entry.timer = this.scheduler.at(entry.confirmedMicros + o.reachableMicros, () => this.#expire(address, entry));
      } else this.#enter(address, entry, now <= entry.usedMicros + o.delayFirstProbeMicros ? "DELAY" : "STALE", "timer");
    } else if (entry.state === "DELAY") {
      this.#enter(address, entry, now <= entry.confirmedMicros + o.delayFirstProbeMicros ? "REACHABLE" : "PROBE", "timer");
    }
  }

  /** A solicitation (unicast while PROBE, multicast while INCOMPLETE), or FAILED when they are spent. */
  #probe(address: Ipv6Address, entry: Entry): void {
    const o = this.options;
    const limit = entry.state === "PROBE" ? o.ucastSolicit : o.ucastSolicit + o.mcastSolicit;
    if (entry.probes >= limit) {
      this.#enter(address, entry, "FAILED", "timer");
      return;
    }
    const unicast = entry.state === "PROBE" && entry.mac !== undefined;
    entry.probes++;
    this.segment.transmit(
      this.id,
      neighborSolicitation({
        sourceMac: this.mac,
        // as Linux: a unicast probe from the link-local, a multicast one from the address on the prefix
        source: unicast ? this.linkLocal : this.address,
        target: address,
        unicastTo: unicast ? entry.mac : undefined,
      }),
    );
    entry.timer = this.scheduler.after(o.retransMicros, () => {
      entry.timer = undefined;
      this.#probe(address, entry);
    });
  }
}

function samePrefix(a: Ipv6Address, b: Ipv6Address, length: number): boolean {
  for (let bit = 0; bit < length; bit += 8) {
    const mask = length - bit >= 8 ? 0xff : (0xff << (8 - (length - bit))) & 0xff;
    if ((a.bytes[bit / 8] & mask) !== (b.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

// The router on the segment, reduced to what decides where the public addresses' traffic goes: its
// neighbour cache, modelled on Linux's (net/ipv4/arp.c arp_process, net/core/neighbour.c):
// - an entry is created only by the router's own resolution: it asks "who has X?" (broadcast) for each
//   public address while it has no entry, or when its entry was last confirmed more than a reachable
//   time ago, again every retry interval until answered; unsolicited frames create nothing;
// - an ARP (request or reply) whose sender IP has an entry that is still being resolved fills it in:
//   the first answer wins;
// - on a valid entry, a gratuitous ARP (sender IP = target IP, request or reply form) replaces the MAC
//   at once; any other ARP carrying a different MAC for that sender replaces it only if the entry was
//   last changed more than locktime (1 s) ago, otherwise it is ignored;
// - the same MAC again only confirms the entry.
import { Ipv4, Mac } from "../packets/address";
import { ARP_REPLY, ARP_REQUEST } from "../packets/arp";
import { FrameKind, FrameView } from "../packets/frame";
import { whoHas } from "./frames";
import type { Scheduler } from "./scheduler";
import type { Segment, Station } from "./segment";

export interface RouterOptions {
  readonly locktimeMicros: number;
  readonly reachableMicros: number;
  /** between two unanswered requests for one address */
  readonly retryMicros: number;
  /** how often the router looks at its entries */
  readonly pollMicros: number;
}

export const ROUTER_DEFAULTS: RouterOptions = {
  locktimeMicros: 1_000_000,
  reachableMicros: 5_000_000,
  retryMicros: 1_000_000,
  pollMicros: 100_000,
};

export interface NeighbourEntry {
  /** undefined while resolving */
  mac: Mac | undefined;
  /** when the MAC last changed */
  updatedMicros: number;
  /** when the MAC was last confirmed by an ARP from it */
  confirmedMicros: number;
  lastAskedMicros: number;
}

/** A change of the cache: `how` is why (first answer, gratuitous ARP, after locktime). */
export type RouterListener = (address: Ipv4, mac: Mac | undefined, how: string) => void;

const BROADCAST = 0xffff_ffff_ffff;

export class Router implements Station {
  readonly id = "router";
  readonly #cache = new Map<number, NeighbourEntry>();
  readonly #view = new FrameView();
  #running = false;

  constructor(
    readonly mac: Mac,
    readonly address: Ipv4,
    /** the addresses it sends traffic to: the public ones */
    readonly watched: readonly Ipv4[],
    readonly scheduler: Scheduler,
    readonly segment: Segment,
    readonly listener: RouterListener,
    readonly options: RouterOptions = ROUTER_DEFAULTS,
  ) {
    segment.attach(this);
  }

  /** The MAC the router sends `address`'s traffic to, if it has one. */
  entry(address: Ipv4): Mac | undefined {
    return this.#cache.get(address.value)?.mac;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const poll = () => {
      this.#poll();
      this.scheduler.after(this.options.pollMicros, poll);
    };
    poll();
  }

  #poll(): void {
    const now = this.scheduler.now;
    for (const address of this.watched) {
      let entry = this.#cache.get(address.value);
      if (entry === undefined) {
        entry = { mac: undefined, updatedMicros: now, confirmedMicros: -Infinity, lastAskedMicros: -Infinity };
        this.#cache.set(address.value, entry);
      }
      const stale = entry.mac === undefined || now - entry.confirmedMicros >= this.options.reachableMicros;
      if (stale && now - entry.lastAskedMicros >= this.options.retryMicros) {
        entry.lastAskedMicros = now;
        this.segment.transmit(this.id, whoHas(this.mac, this.address, address));
      }
    }
  }

  receive(bytes: Uint8Array): void {
    const view = this.#view;
    if (!view.reset(bytes) || view.kind !== FrameKind.Arp) return;
    const destination = view.destinationMac;
    if (destination !== this.mac.value && destination !== BROADCAST) return;
    const op = view.arpOperation;
    if (op !== ARP_REQUEST && op !== ARP_REPLY) return;
    const sender = view.arpSenderIp;
    if (sender === 0) return;
    const entry = this.#cache.get(sender);
    if (entry === undefined) return; // unsolicited: no entry is made
    const now = this.scheduler.now;
    const mac = view.arpSenderMac;
    if (entry.mac === undefined) {
      entry.mac = new Mac(mac);
      entry.updatedMicros = now;
      entry.confirmedMicros = now;
      this.listener(new Ipv4(sender), entry.mac, "resolved");
      return;
    }
    if (entry.mac.value === mac) {
      entry.confirmedMicros = now;
      return;
    }
    const gratuitous = sender === view.arpTargetIp;
    const unlocked = now - entry.updatedMicros > this.options.locktimeMicros;
    if (!gratuitous && !unlocked) return;
    entry.mac = new Mac(mac);
    entry.updatedMicros = now;
    entry.confirmedMicros = now;
    this.listener(new Ipv4(sender), entry.mac, gratuitous ? `gratuitous ${op === ARP_REPLY ? "reply" : "request"}` : `${op === ARP_REPLY ? "reply" : "request"} after locktime`);
  }
}

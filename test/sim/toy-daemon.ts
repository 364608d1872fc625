// A small stand-in for the daemon, written against DaemonEnv only, to exercise the simulator end to end
// and to prove it can fail: with `bugs` switched on it makes the mistakes the invariants exist to catch.
// It watches the peer by ARP (who-has the peer's real address; a check is unknown unless the link was
// verified throughout), claims the peer's address after `fall` failures and an RFC 5227 probe nobody
// answered, re-verifies a held foreign address every 250 ms from its real address and yields when the
// home node answers or announces, and claims its own address whenever its link becomes verified.
import { EventEmitter } from "node:events";
import type { TakeoverConfig } from "../../src/failover/config";
import type { DaemonEnv } from "../../src/failover/env";
import type { Timer } from "../../src/link/clock";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpProbe, arpRequest, ARP_REPLY, ARP_REQUEST, gratuitousReply, gratuitousRequest } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { encodeFrame, FrameKind, FrameView } from "../../src/packets/frame";
import type { NodeFactory, NodeProgram, SimDaemonEvent } from "../../src/sim/node";

export interface ToyBugs {
  /** never give the peer's address back */
  readonly neverYield?: boolean;
  /** count a check whose link was not verified as a failure */
  readonly unknownIsFailure?: boolean;
  /** claim the peer's address after one failure */
  readonly fallOne?: boolean;
}

const VERIFY_MS = 250;

export class ToyDaemon implements NodeProgram {
  readonly events = new EventEmitter<{ event: [SimDaemonEvent] }>();
  readonly #view = new FrameView();
  readonly #own: Ipv4;
  readonly #theirs: Ipv4;
  readonly #real: Ipv4;
  readonly #peerReal: Ipv4;
  #fails = 0;
  #passes = 0;
  #peerUp = true;
  #holding = new Set<number>();
  #probing = new Set<number>();
  #verifiedSince: number | undefined;
  #lastDefence = -Infinity;
  #timers: Timer[] = [];

  constructor(
    readonly config: TakeoverConfig,
    readonly env: DaemonEnv,
    readonly bugs: ToyBugs = {},
  ) {
    this.#own = config.node.publicAddress;
    this.#theirs = config.peer.publicAddress;
    this.#real = config.node.address;
    this.#peerReal = config.peer.address;
  }

  #now(): number {
    return this.env.clock.nowMicros();
  }

  #log(event: string, address: Ipv4 | undefined, detail: string): void {
    this.events.emit("event", { kind: "log", timeMicros: this.#now(), event, ...(address === undefined ? {} : { address: address.toString() }), detail });
  }

  #send(frame: Uint8Array): boolean {
    try {
      this.env.port.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  #arp(record: Parameters<typeof encodeFrame>[0]["arp"]): Uint8Array {
    return encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: this.env.port.mac, etherType: ETHERTYPE_ARP }, arp: record });
  }

  async start(): Promise<void> {
    const link = this.env.link;
    if (link.state === "verified") this.#verifiedSince = this.#now();
    link.onState((state) => {
      if (state === "verified") {
        this.#verifiedSince = this.#now();
        this.#log("link-up", undefined, "link verified");
        void this.#claim(this.#own);
        // the peer's address may be gone with the interface, or taken meanwhile: drop it, claim it afresh
        if (this.#holding.delete(this.#theirs.value)) void this.env.addresses.remove(this.#theirs, this.config.aliasLabel).catch(() => false);
      } else {
        this.#verifiedSince = undefined;
        this.#log("link-down", undefined, `link ${state}`);
      }
    });
    this.env.port.listen((frame) => this.#hear(frame.bytes));
    const present = await this.env.addresses.list();
    for (const a of present) if (a.address.equals(this.#own) || a.address.equals(this.#theirs)) this.#holding.add(a.address.value);
    this.#log("start", undefined, `holding ${[...this.#holding].map((v) => new Ipv4(v)).join(", ") || "nothing"}`);
    if (link.state === "verified") void this.#claim(this.#own);
    this.#checkLoop();
    this.#verifyLoop();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) t.cancel();
  }

  #every(ms: number, run: () => void): void {
    const loop = () => {
      run();
      this.#timers.push(this.env.clock.after(ms, loop));
    };
    this.#timers.push(this.env.clock.after(ms, loop));
  }

  #checkLoop(): void {
    const check = this.config.checks[0];
    const fall = this.bugs.fallOne === true ? 1 : check.fall;
    this.#every(check.intervalMicros / 1000, () => {
      const started = this.#now();
      const verifiedAtStart = this.#verifiedSince !== undefined;
      let answered = false;
      const stop = this.env.port.listen((frame) => {
        const view = this.#view;
        if (view.reset(frame.bytes) && view.kind === FrameKind.Arp && view.arpOperation === ARP_REPLY && view.arpSenderIp === this.#peerReal.value) answered = true;
      });
      const sent = this.#send(this.#arp(arpRequest(this.env.port.mac, this.#real, this.#peerReal)));
      this.env.clock.after(check.timeoutMicros / 1000, () => {
        stop();
        const verified = sent && verifiedAtStart && this.#verifiedSince !== undefined && this.#verifiedSince <= started;
        const verdict = answered ? "pass" : verified || this.bugs.unknownIsFailure === true ? "fail" : "unknown";
        this.events.emit("event", { kind: "check", timeMicros: this.#now(), startedMicros: started, name: check.name, type: "icmp", ok: answered, verdict, rttMicros: 0, detail: verdict });
        if (verdict === "pass") {
          this.#fails = 0;
          if (++this.#passes >= check.rise && !this.#peerUp) {
            this.#peerUp = true;
            this.#log("peer-up", this.#theirs, "peer answers");
          }
        } else if (verdict === "fail") {
          this.#passes = 0;
          if (++this.#fails >= fall && this.#peerUp) {
            this.#peerUp = false;
            this.#log("peer-down", this.#theirs, `${fall} failures`);
          }
          if (!this.#peerUp) void this.#claim(this.#theirs);
        }
      });
    });
  }

  #verifyLoop(): void {
    this.#every(VERIFY_MS, () => {
      if (this.#holding.has(this.#theirs.value)) this.#send(this.#arp(arpRequest(this.env.port.mac, this.#real, this.#theirs)));
    });
  }

  #hear(bytes: Uint8Array): void {
    const view = this.#view;
    if (!view.reset(bytes) || view.kind !== FrameKind.Arp || view.arpSenderMac === this.env.port.mac.value) return;
    const sender = view.arpSenderIp;
    if (sender === this.#own.value && this.#holding.has(sender) && this.#now() - this.#lastDefence > 100_000) {
      // someone else says our address is theirs: say it is ours
      this.#lastDefence = this.#now();
      this.#send(this.#arp(gratuitousRequest(this.env.port.mac, this.#own)));
      this.#send(this.#arp(gratuitousReply(this.env.port.mac, this.#own)));
    }
    if (sender === this.#theirs.value && this.#holding.has(sender) && (view.arpOperation === ARP_REPLY || view.arpOperation === ARP_REQUEST)) {
      if (this.bugs.neverYield !== true) void this.#release(this.#theirs, new Mac(view.arpSenderMac), "the home node answers for it");
    }
  }

  async #release(address: Ipv4, home: Mac, why: string): Promise<void> {
    if (!this.#holding.delete(address.value)) return;
    this.#log("yield", address, why);
    await this.env.addresses.remove(address, this.config.aliasLabel).catch(() => false);
    // point the router home: gratuitous ARP at the home node's MAC
    this.#send(this.#arp(gratuitousRequest(home, address)));
    this.#send(this.#arp(gratuitousReply(home, address)));
  }

  async #claim(address: Ipv4): Promise<void> {
    if (this.#holding.has(address.value) && !address.equals(this.#own)) return;
    if (this.#probing.has(address.value)) return;
    this.#probing.add(address.value);
    try {
      const home = address.equals(this.#own);
      if (!home) {
        const started = this.#now();
        let answered = false;
        const stop = this.env.port.listen((frame) => {
          const view = this.#view;
          if (view.reset(frame.bytes) && view.kind === FrameKind.Arp && view.arpSenderIp === address.value && view.arpSenderMac !== this.env.port.mac.value) answered = true;
        });
        const sent = this.#send(this.#arp(arpProbe(this.env.port.mac, address)));
        await new Promise<void>((resolve) => this.env.clock.after(this.config.claim.probeWaitMicros / 1000, resolve));
        stop();
        const verified = this.#verifiedSince !== undefined && this.#verifiedSince <= started;
        if (!sent || !verified || answered || this.#peerUp) {
          this.#log("not-claiming", address, answered ? "answered" : "unknown");
          return;
        }
      }
      if (!this.#holding.has(address.value)) this.#log("claim", address, home ? "our own" : "nobody answered the probe");
      this.#holding.add(address.value);
      await this.env.addresses.add(address, this.env.prefixLength, this.config.aliasLabel).catch((e: unknown) => this.#log("error", address, String(e)));
    } finally {
      this.#probing.delete(address.value);
    }
    await this.#announce(address);
  }

  async #announce(address: Ipv4): Promise<void> {
    {
      for (let i = 0; i < this.config.announce.count; i++) {
        if (i > 0) await new Promise<void>((resolve) => this.env.clock.after(this.config.announce.intervalMicros / 1000, resolve));
        if (!this.#holding.has(address.value)) break;
        this.#send(this.#arp(gratuitousRequest(this.env.port.mac, address)));
        this.#send(this.#arp(gratuitousReply(this.env.port.mac, address)));
      }
    }
  }
}

/** Factories by name, for pool workers (see src/sim/pool.ts). */
export const toyFactory: NodeFactory = (config, env) => new ToyDaemon(config, env);
export const neverYieldFactory: NodeFactory = (config, env) => new ToyDaemon(config, env, { neverYield: true });
export const unknownIsFailureFactory: NodeFactory = (config, env) => new ToyDaemon(config, env, { unknownIsFailure: true });
export const fallOneFactory: NodeFactory = (config, env) => new ToyDaemon(config, env, { fallOne: true });

// The daemon behind `takeover run`: wires the failover machine to the world. Checks run on their own
// intervals and feed results in; RFC 5227 probes, the conflict watcher and the link's state feed in
// what the wire says; the machine's actions become address changes, gratuitous ARP and log lines.
// SIGTERM/SIGINT give back what is not ours, announce the hand-back, and exit 0.
//
// Everything it touches comes in a DaemonEnv (frames, clock and timers, link state, addresses):
// `prepare()` builds the real one, the simulator (src/sim) a simulated one, and this same code runs
// on both. What it concludes is only what the link proves: a check result or a probe verdict counts
// only if the link stayed verified from before it started until it ended; anything else is unknown.
import { EventEmitter } from "node:events";
import { announce, ArpResolver, ConflictWatcher, probeAddresses, ProbeResult } from "../arp";
import { ExecCheck, HealthCheck, HttpCheck, IcmpCheck, InterfaceCheck, TcpCheck } from "../health";
import { Prober } from "../icmp/prober";
import { Prober6 } from "../icmp/prober6";
import { announceNeighbors, detectDuplicates, DadResult, isLinkLocal, NeighborConflictWatcher, NeighborResolver, neighborSolicitationFrame } from "../ndp";
import { Ipv6Address } from "../packets/ipv6";
import { Clock, sleep, systemClock, Timer } from "../link/clock";
import { Link } from "../link/link";
import { FramePort, LinkState } from "../link/port";
import { Ipv4, Mac } from "../packets/address";
import { arpRequest, ARP_REPLY } from "../packets/arp";
import { ETHERTYPE_ARP } from "../packets/ethernet";
import { encodeFrame, FrameKind, FrameView } from "../packets/frame";
import { AddressManager } from "./addresses";
import type { CheckConfig, IpAddress, TakeoverConfig } from "./config";
import { machineConfigOf } from "./config-values";
import { DaemonEnv } from "./env";
import { Logger } from "./log";
import { Action, FailoverMachine, MachineEvent, Verdict } from "./machine";
import { PeerIdentity } from "./peer-identity";
import { execCheckEnvironment, execCheckProblems, findOwnAddress, ipv6Problem, OwnAddress, PreflightError } from "./preflight";
import { PairKeys } from "./auth";
import { PairAuth, pairPort, PairResponder } from "./pair";

/** Bad set-up found before anything was changed: printed as one line, exit status 2. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;
/** At start, how long to wait for the link to be verified before acting on what is on the interface. */
const START_VERIFY_WAIT_MS = 2000;
/** An identity round: this many ARP requests for the peer's real address, this far apart, then a wait. */
const IDENTITY_REQUESTS = 3;
const IDENTITY_GAP_MS = 20;
const IDENTITY_WAIT_MS = 100;
/** How long the probers keep a request's record after it is sent (late replies are told apart until then). */
const PROBE_RECORDS_MS = 10_000;
/** Rounds prompted by what the wire says (a stranger's claim, the peer back) start at most this often. */
const IDENTITY_PROMPT_MS = 1000;
/** While the peer's MAC is unknown, or a new one is being confirmed, a round this often. */
const IDENTITY_RETRY_MS = 4000;


/**
 * What the daemon's capture takes: only frames it acts on, so that nothing else wakes it. From us:
 * our echo requests (the prober's send stamps). From others: ARP (resolver, conflicts, probes, the
 * peer's identity) and ICMP but echo requests (the probers' replies, unreachables, time exceeded);
 * with a key, echo requests too (the pair responder answers the peer's sealed pings). Left out: our
 * kernel's echo replies and our own ARP, which every listener ignores, and without a key the
 * peer's pings — half the frames of two daemons watching each other.
 */
export function daemonCaptureFilter(withKey: boolean, ipv6 = false): { in: string; out: string } {
  const v4 = { out: "icmp and icmp[icmptype] == icmp-echo", in: withKey ? "arp or icmp" : "arp or (icmp and icmp[icmptype] != icmp-echo)" };
  if (!ipv6) return v4;
  // IPv6 (public addresses or checks): from us our ICMPv6 echo requests; from others NDP (DAD,
  // claims, the peer's answers) and every ICMPv6 message but echo requests (replies, errors)
  return { out: `(${v4.out}) or (icmp6 and ip6[40] == 128)`, in: `${v4.in} or (icmp6 and ip6[40] != 128)` };
}

/** An address from its text (the machine's key for it): IPv6 if it has a colon. */
export function addressOf(text: string): IpAddress {
  return text.includes(":") ? Ipv6Address.parse(text) : Ipv4.parse(text);
}

/** Whether the config has IPv6 public addresses or checks of IPv6 targets. */
export function usesIpv6(config: TakeoverConfig): boolean {
  return [...config.node.publicAddresses, ...config.peer.publicAddresses].some((p) => p.address instanceof Ipv6Address) || config.checks.some((c) => "address" in c && c.address instanceof Ipv6Address);
}

/** Whether this process holds capability `bit` (CAP_NET_RAW…) in its effective set. */
export function hasCapability(bit: number): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const status = (require("node:fs") as typeof import("node:fs")).readFileSync("/proc/self/status", "utf8");
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
    return match !== null && (BigInt(`0x${match[1]}`) & (1n << BigInt(bit))) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Bytes kept of each captured frame. Every frame the daemon acts on is small: ARP (60 bytes with its
 * padding and our auth trailer), ICMP echo requests and replies (98 bytes, 116 with a trailer), ICMP
 * errors quoting one of ours (70). A longer frame is cut short and then ignored like any frame that
 * is not ours (the codecs refuse a datagram longer than what was captured).
 */
export const DAEMON_SNAP_LENGTH = 256;
/**
 * The capture ring (one per capture handle, and the link keeps a spare handle open). In immediate mode
 * libpcap's ring has one slot per frame sized by the snap length: 1 MiB of ~350-byte slots holds
 * ~2900 frames, more than the link's default (4 MiB of ~1600-byte slots, ~2600), for a quarter of the
 * memory: the mapped ring counts in the daemon's RSS (5.1 MB per handle before, ~1.3 MB now).
 */
export const DAEMON_RING_BYTES = 1024 * 1024;

/** Checks everything that can be checked before touching the box, and opens the real environment. @throws StartupError */
export async function prepare(config: TakeoverConfig): Promise<DaemonEnv> {
  const where = `${config.source}`;
  let own: OwnAddress;
  try {
    own = findOwnAddress(config);
  } catch (error) {
    if (error instanceof PreflightError) throw new StartupError(`${where}: ${error.message}`);
    throw error;
  }
  const execProblems = execCheckProblems(config);
  if (execProblems.length > 0) throw new StartupError(`${where}: ${execProblems.join(`; ${where}: `)}`);
  if (!hasCapability(CAP_NET_RAW) || !hasCapability(CAP_NET_ADMIN)) {
    const missing = [!hasCapability(CAP_NET_RAW) ? "CAP_NET_RAW" : "", !hasCapability(CAP_NET_ADMIN) ? "CAP_NET_ADMIN" : ""].filter(Boolean).join(" and ");
    throw new StartupError(`takeover run needs ${missing} (to send ARP and to add addresses): run it as root, or with those capabilities (see the systemd unit)`);
  }
  let auth: PairAuth | undefined;
  if (config.auth !== undefined) {
    try {
      auth = new PairAuth(PairKeys.fromFile(config.auth.keyFile));
    } catch (error) {
      throw new StartupError(`${where}: auth.keyFile: ${(error as Error).message}`);
    }
  }
  let link: Link;
  try {
    link = Link.open(config.interface, { filter: daemonCaptureFilter(auth !== undefined, usesIpv6(config)), snapLength: DAEMON_SNAP_LENGTH, bufferBytes: DAEMON_RING_BYTES });
  } catch (error) {
    throw new StartupError((error as Error).message);
  }
  let addresses: AddressManager;
  try {
    addresses = await AddressManager.open(config.interface);
  } catch (error) {
    link.close();
    throw new StartupError((error as Error).message);
  }
  let ipv6Source: Ipv6Address | undefined;
  let linkLocal: Ipv6Address | undefined;
  if (usesIpv6(config)) {
    try {
      const present = await addresses.listIpv6();
      const problem = ipv6Problem(config, present);
      if (problem !== undefined) throw new StartupError(`${where}: ${problem}`);
      linkLocal = present.find((a) => isLinkLocal(a.address))?.address;
      // the checks' source if the link-local goes: the box's own global address on the segment (not one takeover moves)
      ipv6Source = present.find((a) => !a.ours && !isLinkLocal(a.address) && !a.tentative)?.address ?? linkLocal;
    } catch (error) {
      addresses.close();
      link.close();
      throw error instanceof StartupError ? error : new StartupError((error as Error).message);
    }
  }
  const port: FramePort = {
    name: config.interface,
    // the MAC as the link has it now: an interface made again may come back with another
    get mac() {
      return link.mac;
    },
    send: (f) => link.send(f),
    listen: (l) => link.onFrame(l),
    clock: systemClock,
  };
  return {
    port,
    clock: systemClock,
    link,
    addresses,
    prefixLength: config.node.publicPrefixLength ?? own.prefixLength,
    ...(auth === undefined ? {} : { auth }),
    ...(ipv6Source === undefined ? {} : { ipv6Source }),
    ...(linkLocal === undefined ? {} : { linkLocal }),
    close: () => link.close(),
  };
}

/** A side's public addresses as text, to tell a changed list in a reload. */
function publicText(addresses: readonly { address: IpAddress; prefixLength?: number }[]): string {
  return addresses.map((p) => `${p.address}${p.prefixLength === undefined ? "" : `/${p.prefixLength}`}`).join(", ");
}

/** What the daemon reports to observers (metrics, status, hooks): one per log line, check result, announcement. */
export type DaemonEvent =
  | { readonly kind: "log"; readonly timeMicros: number; readonly event: string; readonly address?: string; readonly detail: string }
  /** `verdict` is what the machine was told: unknown when the link was not verified throughout [startedMicros, timeMicros] */
  | { readonly kind: "check"; readonly timeMicros: number; readonly startedMicros: number; readonly name: string; readonly type: string; readonly ok: boolean; readonly verdict: Verdict; readonly rttMicros: number; readonly detail: string }
  | { readonly kind: "announce"; readonly timeMicros: number; readonly address: string; readonly frames: number; readonly reason: string };

export interface CheckStatus {
  readonly name: string;
  readonly type: string;
  readonly ok: boolean;
  readonly verdict: Verdict;
  readonly rttMicros: number;
  readonly detail: string;
  readonly timeMicros: number;
}

export interface DaemonStatus {
  /** publicAddress: the first of publicAddresses */
  readonly node: { readonly name: string; readonly address: string; readonly publicAddress: string; readonly publicAddresses: readonly string[] };
  readonly peer: { readonly name: string; readonly address: string; readonly publicAddress: string; readonly publicAddresses: readonly string[]; readonly mac?: string };
  /** failback mode: immediate, delay or manual */
  readonly failback: string;
  readonly interface: string;
  /** the link is verified (see LinkState) */
  readonly linkUp: boolean;
  readonly linkState: LinkState;
  readonly peerUp: boolean;
  readonly selfUp: boolean;
  readonly addresses: readonly { readonly address: string; readonly home: boolean; readonly state: string }[];
  readonly checks: readonly CheckStatus[];
  /** the last transitions (claim, yield, release, hand-back, conflict…), oldest first */
  readonly transitions: readonly { readonly timeMicros: number; readonly event: string; readonly address?: string; readonly detail: string }[];
}

const TRANSITIONS = new Set(["claim", "yield", "release", "hand-back", "conflict", "not-claiming", "peer-down", "peer-up", "self-down", "self-up", "link-down", "link-up", "reconcile"]);
const TRANSITIONS_KEPT = 20;

export class Daemon {
  /** every log line, check result and announcement, for metrics, `takeover status` and hooks */
  readonly events = new EventEmitter<{ event: [DaemonEvent] }>();
  readonly #lastChecks = new Map<string, CheckStatus>();
  readonly #transitions: { timeMicros: number; event: string; address?: string; detail: string }[] = [];
  readonly #machine: FailoverMachine;
  readonly #clock: Clock;
  readonly #resolver: ArpResolver;
  readonly #prober: Prober;
  /** the prober of the peer's ICMP checks: sealed when the pair has a key, else the same as #prober */
  readonly #peerProber: Prober;
  readonly #auth: PairAuth | undefined;
  readonly #responder: PairResponder | undefined;
  /** refused tagged frames, by reason, since the last log line about them */
  readonly #refused = new Map<string, number>();
  #lastRefusedLog = -Infinity;
  readonly #watcher: ConflictWatcher;
  /** claims on our IPv6 public addresses (NAs, NSs, DAD probes); absent without IPv6 public addresses */
  readonly #watcher6: NeighborConflictWatcher | undefined;
  /** ICMPv6 echo for checks of IPv6 targets, and its resolver; absent without such checks */
  #prober6: Prober6 | undefined;
  #resolver6: NeighborResolver | undefined;
  /** our link-local address (read again when the link comes back: an interface made again has a new one) */
  #linkLocal: Ipv6Address | undefined;
  /**
   * Our link-local is usable: not in the kernel's DAD, which it goes through again for about a second
   * after every link-up. Until then the peer's replies to it cannot reach us (our kernel does not
   * answer for a tentative address), so checks of IPv6 targets count as unknown, not as failures.
   */
  #ipv6Ready = true;
  /** counts the times #ipv6Ready went false: an IPv6 result spanning one is unknown */
  #ipv6Epoch = 0;
  /** aborted at stop: ends the periodic loops */
  readonly #running = new AbortController();
  readonly #stopWatchingLink: () => void;
  /** the port with frames of other VLANs left out: everything the daemon hears and sends goes through it */
  readonly #port: FramePort;
  readonly #identity: PeerIdentity;
  /** the identity round in flight, if any */
  #identityRound: Promise<void> | undefined;
  #lastIdentityPrompt = -Infinity;
  /**
   * Per address: its address changes and announcements, in order. Addresses do not wait for each
   * other: with several public addresses, the fourth is added as soon as the first.
   */
  readonly #queues = new Map<string, Promise<void>>();
  #wakeup: Timer | undefined;
  /** when #wakeup fires (the machine's nextWakeup it was set for) */
  #wakeupAt = NaN;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  readonly #pending = new Set<Promise<unknown>>();
  /** per address: aborts the announcement rounds still to come when the address changes hands */
  readonly #announcing = new Map<string, AbortController>();
  /** the link is verified now */
  #linkVerified: boolean;
  /** counts the link's departures from "verified": a result spanning a change is unknown */
  #linkEpoch = 0;
  /** the machine has been told what is on the interface (start has got past waiting for the link) */
  #reconciled = false;

  #config: TakeoverConfig;
  /** aborted to end the current set of check loops: at stop, and when a reload replaces them */
  #checkRound = new AbortController();

  get config(): TakeoverConfig {
    return this.#config;
  }

  constructor(
    config: TakeoverConfig,
    readonly env: DaemonEnv,
    readonly log: Logger,
  ) {
    this.#config = config;
    this.#clock = env.clock;
    const auth = (this.#auth = env.auth);
    const port = (this.#port = pairPort(env.port, auth, (from, verdict) => this.#onRefused(from, verdict.why)));
    this.#machine = new FailoverMachine(machineConfigOf(config));
    // with a key, an authenticated answer is the peer's word: no confirmation over time is needed
    this.#identity = new PeerIdentity(config.peer.mac, auth === undefined ? {} : { confirmRounds: 1, confirmMicros: 0 });
    this.#resolver = new ArpResolver(port, config.node.address, 30_000);
    this.#prober = new Prober(port, {
      sourceIp: config.node.address,
      nextHop: async (target) => (await this.#resolver.resolve(target, { attempts: 1, timeoutMs: 200 })).mac,
      knownNextHop: (target) => this.#resolver.cached(target),
      random: env.random,
    });
    this.#peerProber =
      auth === undefined
        ? this.#prober
        : new Prober(port, {
            sourceIp: config.node.address,
            nextHop: async (target) => (await this.#resolver.resolve(target, { attempts: 1, timeoutMs: 200 })).mac,
            knownNextHop: (target) => this.#resolver.cached(target),
            random: env.random,
            seal: auth.echoSeal(),
          });
    this.#responder =
      auth === undefined
        ? undefined
        : new PairResponder(port, auth, {
            ours: config.node.address,
            peer: config.peer.address,
            holds: (address) => this.#machine.stateOf(new Ipv4(address).toString()) === "holding",
            holds6: (address) => this.#machine.stateOf(address) === "holding",
          });
    this.#watcher = new ConflictWatcher(port, (event) => this.#claimHeard(event.address.toString(), event.mac, event.authentic, event.how));
    const publics = [...config.node.publicAddresses, ...config.peer.publicAddresses].map((p) => p.address);
    for (const address of publics) if (address instanceof Ipv4) this.#watcher.watch(address);
    this.#linkLocal = env.linkLocal;
    if (publics.some((a) => a instanceof Ipv6Address)) {
      // the same rules as for ARP claims: an NA answers (reply), an NS from the address asks (request), DAD probes
      const hows = { advertisement: "reply", solicitation: "request", probe: "probe" } as const;
      const watcher6 = (this.#watcher6 = new NeighborConflictWatcher(port, (event) => this.#claimHeard(event.address.toString(), event.mac, event.authentic, hows[event.how])));
      for (const address of publics) if (address instanceof Ipv6Address) watcher6.watch(address);
    }
    this.#linkVerified = env.link.state === "verified";
    this.#stopWatchingLink = env.link.onState((state, why) => this.#onLinkState(state, why));
  }

  /** Another box claims `address` (ARP or NDP, heard by a conflict watcher): fed to the machine, with who it is. */
  #claimHeard(address: string, mac: Mac, authentic: boolean | undefined, how: "request" | "reply" | "probe"): void {
    const isPeer = this.#peerSaid(mac, authentic);
    // a claim from a MAC we do not know as the peer's may be the peer at a new MAC: ask it (our own
    // requests are the only evidence that counts; the claim itself is not)
    if (!isPeer) this.#promptIdentity();
    // the peer heard at its learned MAC (claiming its addresses back): it is alive there, so what
    // our rounds saw while it was away does not carry over (PeerIdentity.peerUp); a frame may keep
    // the learned MAC, never change it
    else this.#peerAlive();
    this.#feed({ kind: "claim-heard", address, mac: mac.toString(), isPeer, how });
  }

  #log(event: string, address: string | undefined, detail: string): void {
    this.log.line(event, address, detail);
    const timeMicros = this.#clock.nowMicros();
    if (TRANSITIONS.has(event)) {
      this.#transitions.push({ timeMicros, event, address, detail });
      if (this.#transitions.length > TRANSITIONS_KEPT) this.#transitions.shift();
    }
    this.events.emit("event", { kind: "log", timeMicros, event, address, detail });
  }

  /** What the daemon holds and sees now. */
  status(): DaemonStatus {
    const snapshot = this.#machine.snapshot();
    const { node, peer } = this.config;
    return {
      node: { name: node.name, address: node.address.toString(), publicAddress: node.publicAddress.toString(), publicAddresses: node.publicAddresses.map((p) => p.address.toString()) },
      peer: { name: peer.name, address: peer.address.toString(), publicAddress: peer.publicAddress.toString(), publicAddresses: peer.publicAddresses.map((p) => p.address.toString()), mac: this.#identity.mac?.toString() },
      failback: this.config.failback.mode === "delay" ? `delay ${this.config.failback.delayMicros / 1e6}s` : this.config.failback.mode,
      interface: this.config.interface,
      linkUp: snapshot.linkUp,
      linkState: this.env.link.state,
      peerUp: snapshot.peerUp,
      selfUp: snapshot.selfUp,
      addresses: snapshot.addresses,
      checks: this.config.checks.map((c) => this.#lastChecks.get(c.name) ?? { name: c.name, type: c.type, ok: false, verdict: "unknown", rttMicros: 0, detail: "not run yet", timeMicros: 0 }),
      transitions: [...this.#transitions],
    };
  }

  /**
   * Whether a frame from `mac` is the peer's word. Without a key: `mac` is the peer's MAC as far as
   * we know it. With a key: the frame is authentic (and from the configured peer.mac, if pinned);
   * an authentic frame at a MAC we did not know as the peer's teaches it.
   */
  #peerSaid(mac: Mac, authentic: boolean | undefined): boolean {
    if (this.#auth === undefined) return this.#identity.is(mac);
    if (authentic !== true) return false;
    if (this.#identity.pinned) return this.#identity.is(mac);
    if (!this.#identity.is(mac)) {
      const verdict = this.#identity.round({ requests: 1, answers: new Map([[mac.toString(), 1]]), atMicros: this.#clock.nowMicros() });
      if (verdict.detail !== undefined) this.#log("peer-mac", undefined, `${this.config.peer.name} (${this.config.peer.address}): ${verdict.detail} (an authenticated frame)`);
    }
    return this.#identity.is(mac);
  }

  /** A tagged frame refused (bad tag, replayed, clock skew): counted, and told at most every 10 s. */
  #onRefused(from: string, why: string): void {
    const key = `${why} from ${from}`;
    this.#refused.set(key, (this.#refused.get(key) ?? 0) + 1);
    const now = this.#clock.nowMicros();
    if (now - this.#lastRefusedLog < 10_000_000 || this.#stopping) return;
    this.#lastRefusedLog = now;
    const told = [...this.#refused].map(([k, n]) => `${n} ${k}`).join(", ");
    this.#refused.clear();
    this.#log("auth", undefined, `refused tagged frames: ${told} (the same key on both boxes? clocks within 30 s?)`);
  }

  /**
   * Waits (bounded) for the link to be verified, reconciles with what is on the interface, then
   * starts the checks.
   */
  async start(): Promise<void> {
    const { addresses } = this.env;
    const { node, peer } = this.config;
    const managed = [...node.publicAddresses, ...peer.publicAddresses].map((p) => p.address);
    const list = (addresses: readonly { address: IpAddress }[]) => addresses.map((p) => p.address).join(", ");
    this.#log(
      "start",
      undefined,
      `watching ${peer.name} (${peer.address}) on ${this.config.interface} (${this.env.port.mac}); our address${node.publicAddresses.length > 1 ? "es" : ""} ${list(node.publicAddresses)}, theirs ${list(peer.publicAddresses)}`,
    );
    // An alias of ours left from a crash is kept or removed by the rules, which need to know whether
    // the link works: a link still opening is given a moment before it counts as down. What is on
    // the interface is read after that wait (an interface made again meanwhile has lost its aliases).
    if (!this.#linkVerified) await this.#untilVerified(START_VERIFY_WAIT_MS);
    if (this.#stopping) return;
    const present = (await addresses.list()).filter((a) => managed.some((m) => m instanceof Ipv4 && m.equals(a.address))).map((a) => a.address.toString());
    if (this.#watcher6 !== undefined && addresses.listIpv6 !== undefined) {
      for (const a of await addresses.listIpv6()) if (a.ours && managed.some((m) => m instanceof Ipv6Address && m.equals(a.address))) present.push(a.address.toString());
    }
    if (this.#stopping) return;
    this.#reconciled = true;
    if (this.#watcher6 !== undefined || usesIpv6(this.config)) this.#track(this.#readLinkLocal());
    if (this.#identity.mac === undefined) this.#track(this.#askIdentity());
    this.#every(IDENTITY_RETRY_MS, () => {
      if (this.#identity.mac === undefined || this.#identity.confirming) this.#track(this.#askIdentity());
    });
    if (!this.#linkVerified) this.#feed({ kind: "link", up: false, why: `the link is ${this.env.link.state}` });
    this.#feed({ kind: "present", addresses: present });
    for (const check of this.config.checks) this.#startCheck(check);
    // the probers keep each request until its timeout, then its record for late replies (logged as
    // such, never a verdict) until it is 10–20 s old: a bounded window (~2,000 records per prober at
    // 100 checks/s), not the 60–70 s it was, whose filling was most of the 60 s soak's heap growth
    this.#every(10_000, () => {
      this.#prober.forgetOlderThan(PROBE_RECORDS_MS);
      this.#peerProber.forgetOlderThan(PROBE_RECORDS_MS);
      // the ICMPv6 prober too (made on first use by a check of an IPv6 target)
      this.#prober6?.forgetOlderThan(PROBE_RECORDS_MS);
    });
  }

  #untilVerified(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        stop();
        timer.cancel();
        resolve();
      };
      const stop = this.env.link.onState((state) => {
        if (state === "verified") done();
      });
      const timer = this.#clock.after(ms, done);
    });
  }

  /**
   * The peer is up again (its checks) or heard claiming at its learned MAC: a replacement MAC being
   * confirmed is dropped, with a log line (PeerIdentity.peerUp).
   */
  #peerAlive(): void {
    const dropped = this.#identity.peerUp();
    if (dropped !== undefined) this.#log("peer-mac", undefined, `${this.config.peer.name} (${this.config.peer.address}): ${dropped}`);
  }

  /** A round prompted by the wire (a stranger's claim, the peer back up), at most one per IDENTITY_PROMPT_MS. */
  #promptIdentity(): void {
    if (this.#identity.pinned || this.#stopping || !this.#reconciled) return;
    const now = this.#clock.nowMicros();
    if (now - this.#lastIdentityPrompt < IDENTITY_PROMPT_MS * 1000) return;
    this.#lastIdentityPrompt = now;
    this.#track(this.#askIdentity());
  }

  /**
   * One identity round (one at a time): ARP requests from our real address for the peer's, and the
   * replies addressed to us counted per MAC; PeerIdentity decides what they show.
   */
  #askIdentity(): Promise<void> {
    if (this.#identityRound !== undefined) return this.#identityRound;
    if (this.#identity.pinned || this.#stopping || !this.#linkVerified) return Promise.resolve();
    const round = this.#runIdentityRound().finally(() => (this.#identityRound = undefined));
    this.#identityRound = round;
    return round;
  }

  async #runIdentityRound(): Promise<void> {
    const port = this.#port;
    const { node, peer } = this.config;
    const view = new FrameView();
    const answers = new Map<string, number>();
    const epoch = this.#linkEpoch;
    const stop = port.listen((frame) => {
      if (!view.reset(frame.bytes) || view.kind !== FrameKind.Arp || view.arpOperation !== ARP_REPLY) return;
      if (this.#auth !== undefined && frame.authentic !== true) return;
      if (view.arpSenderIp !== peer.address.value || view.arpTargetIp !== node.address.value) return;
      const ours = port.mac.value;
      if (view.arpTargetMac !== ours || view.destinationMac !== ours || view.sourceMac !== view.arpSenderMac || view.arpSenderMac === ours) return;
      const mac = new Mac(view.arpSenderMac).toString();
      answers.set(mac, (answers.get(mac) ?? 0) + 1);
    });
    let sent = 0;
    try {
      const request = encodeFrame({
        ethernet: { destination: Mac.BROADCAST, source: port.mac, etherType: ETHERTYPE_ARP },
        arp: arpRequest(port.mac, node.address, peer.address),
      });
      for (let i = 0; i < IDENTITY_REQUESTS && !this.#stopping; i++) {
        if (i > 0) await sleep(IDENTITY_GAP_MS, this.#running.signal, this.#clock);
        port.send(request);
        sent++;
      }
      await sleep(IDENTITY_WAIT_MS, this.#running.signal, this.#clock);
    } catch {
      // the link went down mid-round: the round proves nothing
      return;
    } finally {
      stop();
    }
    if (this.#stopping || epoch !== this.#linkEpoch || !this.#linkVerified) return;
    for (const [mac, n] of answers) answers.set(mac, Math.min(n, sent));
    const verdict = this.#identity.round({ requests: sent, answers, atMicros: this.#clock.nowMicros() });
    if (verdict.detail !== undefined) this.#log("peer-mac", undefined, `${peer.name} (${peer.address}): ${verdict.detail}`);
  }

  #onLinkState(state: LinkState, why: string): void {
    const verified = state === "verified";
    if (verified === this.#linkVerified) return;
    if (!verified) this.#linkEpoch++;
    this.#linkVerified = verified;
    if (this.#stopping || !this.#reconciled) return;
    if (verified) {
      this.#track(this.#refreshNeighbours());
      if (usesIpv6(this.config)) this.#track(this.#readLinkLocal());
      if (this.#identity.mac === undefined) this.#track(this.#askIdentity());
    }
    this.#feed({ kind: "link", up: verified, why });
  }

  /**
   * Reads our link-local address again (the interface may have been made again, with another MAC),
   * and while the kernel still has it tentative, again every 50 ms (at most 5 s): #ipv6Ready.
   */
  async #readLinkLocal(): Promise<void> {
    const epoch = this.#linkEpoch;
    for (let i = 0; i < 100 && !this.#stopping && epoch === this.#linkEpoch; i++) {
      const list = await this.env.addresses.listIpv6?.().catch(() => undefined);
      const linkLocal = list?.find((a) => isLinkLocal(a.address));
      if (linkLocal === undefined) return;
      if (!linkLocal.address.equals(this.#linkLocal ?? Ipv6Address.ANY)) {
        this.#linkLocal = linkLocal.address;
        this.#resolver6 = undefined;
      }
      if (!linkLocal.tentative) {
        this.#ipv6Ready = true;
        return;
      }
      if (this.#ipv6Ready) this.#ipv6Epoch++;
      this.#ipv6Ready = false;
      if (!(await sleep(50, this.#running.signal, this.#clock))) return;
    }
  }

  /**
   * Applies a new config (SIGHUP) without dropping an address that stays configured: checks,
   * timings, announcing, claiming and conflict settings (and a configured peer MAC) change in place.
   * A change of interface, addresses or label needs a restart: it is refused, and the old config kept.
   * @returns the keys that needed a restart (empty: applied)
   */
  reload(next: TakeoverConfig): string[] {
    const old = this.#config;
    const fixed: [string, unknown, unknown][] = [
      ["interface", old.interface, next.interface],
      ["node.address", old.node.address.value, next.node.address.value],
      ["node.publicAddress", publicText(old.node.publicAddresses), publicText(next.node.publicAddresses)],
      ["peer.address", old.peer.address.value, next.peer.address.value],
      ["peer.publicAddress", publicText(old.peer.publicAddresses), publicText(next.peer.publicAddresses)],
      ["label", old.aliasLabel, next.aliasLabel],
      ["auth (on or off)", old.auth === undefined, next.auth === undefined],
    ];
    const needRestart = fixed.filter(([, a, b]) => a !== b).map(([key]) => key);
    if (needRestart.length > 0) {
      this.#log("reload", undefined, `not applied: ${needRestart.join(", ")} changed, which needs a restart; the old config stays`);
      return needRestart;
    }
    const execProblems = execCheckProblems(next);
    if (execProblems.length > 0) {
      this.#log("reload", undefined, `not applied: ${execProblems.join("; ")}; the old config stays`);
      return execProblems.map((p) => p.slice(0, p.indexOf(":")));
    }
    let rotated = "";
    if (next.auth !== undefined && this.#auth !== undefined) {
      let keys: PairKeys;
      try {
        keys = PairKeys.fromFile(next.auth.keyFile);
      } catch (error) {
        this.#log("reload", undefined, `not applied: ${(error as Error).message}; the old config stays`);
        return ["auth.keyFile"];
      }
      const before = this.#auth.verifier.keys;
      this.#auth.rotate(keys, next.auth.rotationGraceMicros / 1000);
      if (this.#auth.verifier.keys !== before) rotated = `; a new key: both accepted for ${(2 * next.auth.rotationGraceMicros) / 1e6} s, the old one signs for ${next.auth.rotationGraceMicros / 1e6} s`;
    }
    this.#machine.reconfigure(machineConfigOf(next));
    this.#config = next;
    this.#identity.repin(next.peer.mac);
    this.#checkRound.abort();
    this.#checkRound = new AbortController();
    for (const check of next.checks) this.#startCheck(check);
    this.#log("reload", undefined, `applied ${next.source}: ${next.checks.length} check(s); addresses kept as they are${rotated}`);
    this.#scheduleWakeup();
    return [];
  }

  /**
   * `takeover claim` (SIGUSR2 to `run`): take our own addresses back from the peer now, whatever
   * `failback` says; refused (logged) while our self checks fail or our link is down.
   */
  claim(): void {
    if (!this.#reconciled) {
      this.#log("claim-request", undefined, "claim requested before start-up finished: ask again in a moment");
      return;
    }
    this.#feed({ kind: "claim-request" });
  }

  /** Gives back what is not ours, announces the hand-back, closes everything. */
  stop(): Promise<void> {
    if (this.#stopped === undefined) this.#stopped = this.#stopNow();
    return this.#stopped;
  }

  async #stopNow(): Promise<void> {
    this.#stopping = true;
    this.#running.abort();
    this.#checkRound.abort();
    this.#wakeup?.cancel();
    this.#execute(this.#machine.handle({ kind: "stop" }, this.#clock.nowMicros()));
    await Promise.all([...this.#queues.values()]);
    await Promise.allSettled([...this.#pending]);
    this.#watcher.close();
    this.#watcher6?.close();
    this.#prober6?.close();
    this.#stopWatchingLink();
    this.#prober.close();
    if (this.#peerProber !== this.#prober) this.#peerProber.close();
    this.#responder?.close();
    this.env.addresses.close();
    this.env.close();
    this.#log("stopped", undefined, "released what was not ours; our own address stays");
  }

  #every(ms: number, run: () => void): void {
    const loop = async () => {
      do run();
      while (await sleep(ms, this.#running.signal, this.#clock));
    };
    this.#track(loop());
  }

  #track<T>(promise: Promise<T>): void {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise));
  }

  /** What makes the check to run each time; `round` ends its use (an interface check stops watching then). */
  #checkFor(config: CheckConfig, round: AbortSignal): () => HealthCheck {
    const timeoutMs = Math.max(1, Math.round(config.timeoutMicros / 1000));
    switch (config.type) {
      case "exec": {
        // one for the round: it never runs twice at once
        const check = new ExecCheck(config.name, { command: config.command, timeoutMs, keepCapabilities: config.keepCapabilities, environment: execCheckEnvironment(this.config, config) });
        return () => check;
      }
      case "interface": {
        const check = new InterfaceCheck(config.name, config.interface);
        round.addEventListener("abort", () => check.close(), { once: true });
        return () => check;
      }
    }
    const selfPublic = config.target === "self-public";
    // A check of our own public address reaches whoever holds it: while we do not, ask our service on
    // our real address (IPv4: an IPv6 public address has no real counterpart configured, so our own
    // IPv6 source, the box's address on the segment, stands in for it).
    const target = config.address;
    const ownReal = (): IpAddress => (target instanceof Ipv4 ? this.config.node.address : (this.env.ipv6Source ?? target));
    const address = (): IpAddress => (selfPublic && this.#machine.stateOf(target.toString()) !== "holding" ? ownReal() : target);
    // TCP and HTTP go from our real address; IPv6 from whatever source the kernel picks by route
    const localAddress = target instanceof Ipv4 ? this.config.node.address : undefined;
    switch (config.type) {
      case "icmp": {
        if (target instanceof Ipv6Address) {
          const prober = this.#ipv6Prober();
          const checks = new Map<string, HealthCheck>();
          return () => {
            const to = address() as Ipv6Address;
            let check = checks.get(to.toString());
            if (check === undefined) checks.set(to.toString(), (check = new IcmpCheck(config.name, prober, to, timeoutMs)));
            return check;
          };
        }
        const checks = new Map<number, HealthCheck>();
        return () => {
          const to = address() as Ipv4;
          let check = checks.get(to.value);
          if (check === undefined) checks.set(to.value, (check = new IcmpCheck(config.name, config.role === "peer" ? this.#peerProber : this.#prober, to, timeoutMs)));
          return check;
        };
      }
      case "tcp":
        return () => new TcpCheck(config.name, { address: address(), port: config.port, timeoutMs, localAddress });
      case "http":
        return () =>
          new HttpCheck(config.name, {
            address: address(),
            port: config.port,
            path: config.path,
            host: config.host,
            expectStatus: config.expectStatus,
            bodyContains: config.bodyContains,
            maxBytes: config.maxBytes,
            timeoutMs,
            localAddress,
          });
    }
  }

  /**
   * The ICMPv6 prober of checks of IPv6 targets, made on first use. Its source is our link-local: the
   * kernel takes an interface's other IPv6 addresses away when it goes down (keep_addr_on_down is 0
   * by default) and gives back only the link-local when it comes up, so a global source could be gone
   * after an outage; the link-local is made again, and read again then (#readLinkLocal).
   */
  #ipv6Prober(): Prober6 {
    if (this.#prober6 !== undefined) return this.#prober6;
    if (this.#linkLocal === undefined && this.env.ipv6Source === undefined) throw new Error(`${this.config.interface} has no IPv6 address for ICMPv6 checks`);
    const daemon = this;
    const source = () => daemon.#linkLocal ?? daemon.env.ipv6Source!;
    const resolver = () => (daemon.#resolver6 ??= new NeighborResolver(daemon.#port, source(), 30_000));
    this.#prober6 = new Prober6(this.#port, {
      get sourceIp() {
        return source();
      },
      nextHop: async (to) => (await resolver().resolve(to, { attempts: 1, timeoutMs: 200 })).mac,
      random: this.env.random,
    });
    return this.#prober6;
  }

  #startCheck(config: CheckConfig): void {
    const round = this.#checkRound.signal;
    const checkNow = this.#checkFor(config, round);
    const intervalMs = Math.max(1, config.intervalMicros / 1000);
    const clock = this.#clock;
    const ipv6Target = "address" in config && config.address instanceof Ipv6Address;
    // the wait between runs, ended early by the round's end: one abort listener for the loop, not
    // one added and removed every interval
    let endWait: (() => void) | undefined;
    round.addEventListener("abort", () => endWait?.(), { once: true });
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = clock.after(ms, () => {
          endWait = undefined;
          resolve();
        });
        endWait = () => {
          timer.cancel();
          endWait = undefined;
          resolve();
        };
      });
    const loop = async () => {
      while (!this.#stopping && !round.aborted) {
        const startedMicros = clock.nowMicros();
        // The next run is due `intervalMs` after this one started (or when it ends, if later). Its
        // timer starts now, alongside the run, rather than when the result is in: timers fire on
        // whole milliseconds, and a second timer started after the first one's result (a 1 ms
        // timeout, say) cost up to a millisecond more per cycle: at 2 ms, one cycle in three.
        const due = wait(intervalMs);
        if (this.#machine.checkRunnable(config.name)) {
          const epoch = this.#linkEpoch;
          const verifiedAtStart = this.#linkVerified;
          const epoch6 = this.#ipv6Epoch;
          const ready6AtStart = this.#ipv6Ready;
          const result = await checkNow().run(round);
          if (this.#stopping || round.aborted) return;
          // a result counts only if the link was verified from before the request until now (and,
          // for an IPv6 target, our link-local out of the kernel's DAD throughout)
          const throughout = verifiedAtStart && this.#linkVerified && epoch === this.#linkEpoch;
          const ready6 = !ipv6Target || (ready6AtStart && this.#ipv6Ready && epoch6 === this.#ipv6Epoch);
          const verdict: Verdict = result.unknown === true || !throughout || !ready6 ? "unknown" : result.ok ? "pass" : "fail";
          const detail = (throughout && ready6) || result.ok ? result.detail : `${result.detail}; ${throughout ? "our IPv6 link-local was still in the kernel's duplicate address detection" : "our link was not verified throughout"}`;
          const check = { name: config.name, type: config.type, ok: result.ok, verdict, rttMicros: result.rttMicros, detail, timeMicros: clock.nowMicros() };
          this.#lastChecks.set(config.name, check);
          this.events.emit("event", { kind: "check", startedMicros, ...check });
          this.#feed({ kind: "check", name: config.name, verdict, detail });
        }
        if (round.aborted) return;
        await due;
      }
    };
    this.#track(loop());
  }

  #feed(event: MachineEvent): void {
    if (this.#stopping) return;
    this.#execute(this.#machine.handle(event, this.#clock.nowMicros()));
    this.#scheduleWakeup();
  }

  #scheduleWakeup(): void {
    const next = this.#machine.nextWakeup();
    // fed every check result: a timer already set for that moment stays (no timer made per check)
    if (this.#wakeup !== undefined && next === this.#wakeupAt && !this.#stopping) return;
    this.#wakeup?.cancel();
    this.#wakeup = undefined;
    if (!Number.isFinite(next) || this.#stopping) return;
    this.#wakeupAt = next;
    const timer = this.#clock.after(Math.max(0, (next - this.#clock.nowMicros()) / 1000) + 1, () => {
      if (this.#wakeup === timer) this.#wakeup = undefined;
      this.#feed({ kind: "tick" });
    });
    this.#wakeup = timer;
  }

  /** Carries out actions in order; address changes and announcements are serialized per address. */
  #execute(actions: readonly Action[]): void {
    const probes: { address: string; id: number }[] = [];
    const asks: { address: string; id: number }[] = [];
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i];
      switch (action.kind) {
        case "log":
          this.#log(action.event, action.address, action.detail);
          // the peer back: is it where we think it is (its NIC changed meanwhile)?
          if (action.event === "peer-up") {
            this.#peerAlive();
            this.#promptIdentity();
          }
          break;
        case "probe":
          // gathered: the probes of one batch go out in one window (see #probe)
          (action.ask === true ? asks : probes).push(action);
          break;
        case "verify":
          this.#verify(action.address);
          break;
        case "add":
        case "remove": {
          // rounds of an earlier announcement must not go on saying the address is ours (or theirs)
          this.#cancelAnnouncements(action.address);
          // A claim (add, then announce it at our MAC) or a yield or hand-back (remove, then announce
          // it at the peer's): the change and its announcement go out together (see #change)
          const next = actions[i + 1];
          if (next?.kind === "announce" && next.address === action.address && next.at === (action.kind === "add" ? "ours" : "peer")) {
            i++;
            const controller = new AbortController();
            this.#announcing.set(action.address, controller);
            this.#enqueue(action.address, () => this.#change(action.kind, action.address, () => this.#track(this.#announce(next.address, next.at, next.reason, controller.signal))));
          } else this.#enqueue(action.address, () => this.#change(action.kind, action.address));
          break;
        }
        case "announce": {
          // a new announcement replaces the rounds of the previous one; registered now, not when
          // the queue reaches it, so a remove queued after it still cancels it
          if (action.reason !== "refresh" && action.reason !== "defend") this.#cancelAnnouncements(action.address);
          const controller = this.#announcing.get(action.address) ?? new AbortController();
          this.#announcing.set(action.address, controller);
          this.#enqueue(action.address, async () => this.#track(this.#announce(action.address, action.at, action.reason, controller.signal)));
          break;
        }
        case "stopped":
          break;
      }
    }
    if (probes.length > 0) this.#track(this.#probe(probes, false));
    if (asks.length > 0) this.#track(this.#probe(asks, true));
  }

  #enqueue(address: string, task: () => Promise<void>): void {
    const queue = (this.#queues.get(address) ?? Promise.resolve()).then(task).catch((error: unknown) => this.#log("error", undefined, (error as Error).message));
    this.#queues.set(address, queue);
  }

  /**
   * Adds or removes `address`, with its announcement (a claim's at our MAC, or a yield's or
   * hand-back's at the peer's).
   *
   * A claim announces first, then adds. Until the add is made, a packet for the address is lost
   * wherever the router sends it: at the old owner, which is down (failover) or has already let the
   * address go on hearing our probe (failback), or here, where it is not ours yet (a host that does
   * not forward drops it silently, no ICMP); so announcing first loses nothing, and the router's
   * entry need not wait for the kernel's rtnetlink lock. That wait is the add's sendmsg(): the kernel
   * carries out the request inside it, taking its global rtnetlink lock per message, and right after
   * a link comes back (when the kernel's own link work holds that lock) four adds took 4.2 ms in one
   * sendmsg() where one took ~2.5 ms (bench:failover --timeline, carrier failback), and the last
   * address's announcement waited for all four.
   *
   * A yield or hand-back removes first and announces as soon as the remove is written (not when its
   * answer comes, a turn or more later): until then the address is still here, and answered here.
   *
   * The changes asked for in one turn (the other addresses' queues) are written together at its end,
   * in one sendmsg() (see AddressManager.add). A change that fails is logged; its announcement was
   * sent (or, if the request was never written, is sent when it fails).
   */
  async #change(kind: "add" | "remove", address: string, announce?: () => void): Promise<void> {
    const ip = addressOf(address);
    let announced = announce === undefined;
    const announceOnce = () => {
      if (announced) return;
      announced = true;
      announce!();
    };
    // a claim's announcement now; a yield's or hand-back's once its remove is written
    if (kind === "add") announceOnce();
    try {
      const { addresses } = this.env;
      if (ip instanceof Ipv6Address) {
        if (addresses.addIpv6 === undefined || addresses.removeIpv6 === undefined) throw new Error(`cannot change ${address}: this environment has no IPv6`);
        if (kind === "add") {
          // always written with its prefix length (the config requires it for IPv6)
          const prefixLength = [...this.config.node.publicAddresses, ...this.config.peer.publicAddresses].find((p) => p.address instanceof Ipv6Address && p.address.equals(ip))?.prefixLength ?? 128;
          await addresses.addIpv6(ip, prefixLength);
          this.#log("added", address, `${address}/${prefixLength} on ${this.config.interface} (nodad; ours by IFA_PROTO)`);
        } else if (await addresses.removeIpv6(ip, announceOnce)) this.#log("removed", address, `${address} from ${this.config.interface}`);
      } else if (kind === "add") {
        const { node, peer } = this.config;
        // written with the address, else the node's first address's (env.prefixLength), else the interface's
        const prefixLength = [...node.publicAddresses, ...peer.publicAddresses].find((p) => p.address instanceof Ipv4 && p.address.equals(ip))?.prefixLength ?? this.env.prefixLength;
        await addresses.add(ip, prefixLength, this.config.aliasLabel);
        this.#log("added", address, `${address}/${prefixLength} on ${this.config.aliasLabel}`);
      } else if (await addresses.remove(ip, this.config.aliasLabel, announceOnce)) this.#log("removed", address, `${address} from ${this.config.aliasLabel}`);
    } finally {
      announceOnce();
    }
  }

  /**
   * Probes `probes` (one batch of the machine's actions) in one window: each round sends the probe
   * of every address back to back and one wait follows, so several addresses take as long as one.
   * Each address is still decided alone: an answer feeds its result as soon as it is heard, the
   * silent ones are fed together at the end. `ask`: ARP requests from our real address instead of
   * RFC 5227 probes (see the machine's failback).
   */
  async #probe(probes: readonly { address: string; id: number }[], ask: boolean): Promise<void> {
    const claim = this.config.claim;
    const epoch = this.#linkEpoch;
    const verifiedAtStart = this.#linkVerified;
    const fed = new Set<string>();
    const feed = (address: string, id: number, answeredBy: { mac: string; isPeer: boolean } | undefined, notSent?: string) => {
      if (fed.has(address)) return;
      fed.add(address);
      let inconclusive = notSent;
      // silence proves nothing unless the capture listened from before the first probe to the end
      if (inconclusive === undefined && !(verifiedAtStart && this.#linkVerified && epoch === this.#linkEpoch)) inconclusive = "the link was not verified through the whole window";
      this.#feed(inconclusive === undefined ? { kind: "probe-result", address, id, answeredBy } : { kind: "probe-result", address, id, answeredBy, inconclusive });
    };
    const idOf = new Map(probes.map((p) => [p.address, p.id]));
    const onResult = (result: ProbeResult | DadResult) => {
      const address = result.address.toString();
      let answeredBy: { mac: string; isPeer: boolean } | undefined;
      if (result.conflict !== undefined) answeredBy = { mac: result.conflict.mac.toString(), isPeer: this.#peerSaid(result.conflict.mac, result.conflict.authentic) };
      const strangers = [...new Set((result.ignored ?? []).map((c) => c.mac.toString()))];
      if (answeredBy === undefined && strangers.length > 0) this.#log("conflict", address, `unauthenticated answer(s) from ${strangers.join(", ")} to our probe for ${address}: not the peer's word, claiming it anyway`);
      feed(address, idOf.get(address)!, answeredBy);
    };
    const v4 = probes.filter((p) => !p.address.includes(":"));
    const v6 = probes.filter((p) => p.address.includes(":"));
    const probing: Promise<unknown>[] = [];
    if (v6.length > 0) {
      // Duplicate Address Detection (RFC 4862 §5.4): a Neighbor Solicitation from :: for each
      // address, or for an ask a plain one from our link-local (see the ARP counterpart below);
      // an NA for it, or another host's DAD probe for it, is an answer
      probing.push(
        detectDuplicates(
          this.#port,
          v6.map((p) => Ipv6Address.parse(p.address)),
          {
            count: claim.probes,
            intervalMs: claim.probeIntervalMicros / 1000,
            waitMs: claim.probeWaitMicros / 1000,
            ...(ask && this.#linkLocal !== undefined ? { source: this.#linkLocal } : {}),
            ...(this.#auth === undefined ? {} : { decisive: (c: { authentic?: boolean }) => c.authentic === true }),
            onResult: (result) => queueMicrotask(() => onResult(result)),
          },
        ).catch(async (error: unknown) => {
          await Promise.resolve();
          for (const p of v6) feed(p.address, p.id, undefined, `not sent: ${(error as Error).message}`);
        }),
      );
    }
    if (v4.length > 0) probing.push(this.#probe4(v4, ask, onResult, feed));
    await Promise.all(probing);
  }

  async #probe4(
    probes: readonly { address: string; id: number }[],
    ask: boolean,
    onResult: (result: ProbeResult) => void,
    feed: (address: string, id: number, answeredBy: undefined, notSent: string) => void,
  ): Promise<void> {
    const claim = this.config.claim;
    try {
      await probeAddresses(
        this.#port,
        probes.map((p) => Ipv4.parse(p.address)),
        {
          count: claim.probes,
          intervalMs: claim.probeIntervalMicros / 1000,
          waitMs: claim.probeWaitMicros / 1000,
          ...(ask ? { senderIp: this.config.node.address } : {}),
          // with a key only the peer's authenticated word keeps us off an address: anyone else
          // answering is a stranger to defend against once we hold it (the peer's kernel, which
          // answers unsigned, is heard next to its daemon's signed defence)
          ...(this.#auth === undefined ? {} : { decisive: (c: { authentic?: boolean }) => c.authentic === true }),
          // an answer is fed once the frame's listeners are done with it, as if the probe had returned
          onResult: (result) => queueMicrotask(() => onResult(result)),
        },
      );
      // the results handed to onResult wait in microtasks queued before this point: they go first
    } catch (error) {
      await Promise.resolve();
      for (const p of probes) feed(p.address, p.id, undefined, `not sent: ${(error as Error).message}`);
    }
  }

  /**
   * Asks, from our real address, who has `address` (the peer's, which we hold): the home node's
   * answer reaches the conflict watcher and the machine hands the address back.
   */
  #verify(address: string): void {
    if (this.#identity.mac === undefined) this.#track(this.#askIdentity());
    const port = this.#port;
    const ip = addressOf(address);
    // IPv6: a Neighbor Solicitation from our link-local (the home node's kernel answers it with a
    // solicited NA, which the conflict watcher hears); without one, a DAD-form one from ::
    const request =
      ip instanceof Ipv6Address
        ? neighborSolicitationFrame({ sourceMac: port.mac, source: this.#linkLocal ?? Ipv6Address.ANY, target: ip })
        : encodeFrame({
            ethernet: { destination: Mac.BROADCAST, source: port.mac, etherType: ETHERTYPE_ARP },
            arp: arpRequest(port.mac, this.config.node.address, ip),
          });
    try {
      port.send(request);
    } catch (error) {
      this.#log("error", address, `cannot ask who has ${address}: ${(error as Error).message}`);
    }
  }

  /**
   * After the link comes back, the kernel's neighbour entries that went incomplete while it was
   * gone are retried only on its 1 s timer, and replies to those hosts (the router) wait until then.
   * Asking for them ourselves gets the answers to the kernel at once.
   */
  async #refreshNeighbours(): Promise<void> {
    const stale = await this.env.addresses.unresolvedNeighbours().catch(() => [] as Ipv4[]);
    for (const address of stale) {
      if (this.#stopping) return;
      this.#resolver.forget(address);
      void this.#resolver.resolve(address, { attempts: 2, timeoutMs: 50, fresh: true }).catch(() => undefined);
    }
    if (stale.length > 0) this.#log("neighbours", undefined, `link up: asked again for ${stale.join(", ")}`);
  }

  #cancelAnnouncements(address: string): void {
    this.#announcing.get(address)?.abort();
    this.#announcing.delete(address);
  }

  async #announce(address: string, at: "ours" | "peer", reason: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const settings = this.config.announce;
    let mac: Mac | undefined;
    if (at === "peer") {
      // not learned yet (just started): ask the peer's real address first
      if (this.#identity.mac === undefined) await this.#askIdentity();
      if (signal.aborted) return;
      mac = this.#identity.mac;
      if (mac === undefined) {
        this.#log("announce", address, `cannot announce the hand-back: ${this.config.peer.name}'s MAC is unknown`);
        return;
      }
    }
    // when stopping, the rounds go quickly: the process is about to exit
    const intervalMs = this.#stopping ? Math.min(settings.intervalMicros / 1000, 20) : settings.intervalMicros / 1000;
    // a defence is one round at once: it answers a claim or a probe, it does not re-announce
    const count = reason === "defend" ? 1 : settings.count;
    // the first round goes out within this call, before the line is written: the router need not wait for the log
    const ip = addressOf(address);
    const sending =
      ip instanceof Ipv6Address
        ? announceNeighbors(this.#port, [ip], { count, intervalMs, router: settings.router, ...(mac === undefined ? {} : { mac }), signal })
        : announce(this.#port, [ip], { count, intervalMs, form: settings.form, mac, signal });
    if (reason !== "refresh") {
      const what = ip instanceof Ipv6Address ? `unsolicited NA ${address} is-at ${mac ?? this.env.port.mac}, override${settings.router ? ", router" : ""}` : `gratuitous ARP ${address} is-at ${mac ?? this.env.port.mac}, ${settings.form === "both" ? "request and reply" : settings.form} form`;
      // written once this turn's other announcements (a claim of several addresses) are sent too: after
      // the turn, by the clock (a simulated clock has no turns to wait out, and writes it at once)
      const line = () => this.#log("announce", address, `${what}, ${count} round(s) ${intervalMs} ms apart (${reason})`);
      const settled = this.#clock.settle?.();
      if (settled === undefined) line();
      else void settled.then(line);
    }
    const frames = await sending.catch((error: unknown) => {
      this.#log("error", address, `announce failed: ${(error as Error).message}`);
      return 0;
    });
    this.events.emit("event", { kind: "announce", timeMicros: this.#clock.nowMicros(), address, frames, reason });
  }
}

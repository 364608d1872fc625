// The failover state machine: pure, no I/O, the clock passed in. It is fed events (check results,
// probe results, ARP claims heard, link changes, ticks, stop) and answers with actions (probe, add or
// remove an address, announce, log). Both boxes run the same machine with mirrored configs.
//
// Each managed address is either ours ("home": our own public IP) or the peer's ("foreign"). Per
// address: idle → probing (RFC 5227 probe in flight) → holding → idle.
// - A home address is wanted while our link is up and our self checks (if any) are healthy; with the
//   link down, nothing is held (it is claimed again, and so announced, when the link comes back).
// - A foreign address is wanted once the peer is down (some check failed `fall` times in a row) and
//   our link is up; it is given back when the home node claims it (a peer running takeover), or, for
//   a plain peer, once every peer check that can run while we hold its address (not those of the
//   address itself) has passed `rise` times in a row since the claim, announcing it at the peer's MAC.
// - No split brain: a foreign address is claimed only if nobody answered the probe. A home address
//   answered for by the configured peer is claimed anyway (the peer yields at once on hearing the
//   home node); answered for by anyone else, it is not claimed, and the conflict is logged.
// - While holding: the home node's claim on a foreign address → yield at once; anyone else's claim
//   → reported and defended (announce again), not yielded to unless configured. Every claim is
//   answered, rate-limited per claiming MAC by a token bucket (`defendBurst` at once, then one per
//   `defendMicros`) and by a bucket for all claimers together (so a storm of spoofed MACs cannot make
//   us flood); a claim the buckets hold back is answered as soon as they allow, the longest held
//   back first (a claimer's storm on several addresses must not spend every token on the one it
//   names first, leaving the others at its MAC for as long as the storm lasts).
//
// Ownership rules (the README states them):
// - Only what the link proves counts. `link up` means the link is verified (its capture has seen our
//   own frame since it came back); a check result is pass, fail or unknown, and unknown (not sent,
//   capture not live, our link down) counts toward neither `fall` nor `rise`; a probe's "nobody
//   answered" counts only if the capture listened through the whole window, else the probe is
//   inconclusive and is sent again as soon as the link is verified.
// - Convergence: while we hold the peer's address we ask for it from our real address every
//   `verifyMicros` (an ARP request); an answer or an announcement from the home node (the peer)
//   makes us yield at once. So a dual ownership ends within one verify interval plus a round trip
//   once the two boxes hear each other, the home node winning. A stranger's answer is a conflict,
//   never a reason to hand the address over.
// - Failback (`failback` in the config): when our own addresses are taken back from the peer holding
//   them. `immediate`: as soon as we may hold them (self checks up, link verified). `delay`: only once
//   we could have held them continuously for `delayMicros` (a box that has just booted waits).
//   `manual`: only after a `claim-request` event (`takeover claim`). Until then, whether the peer
//   holds them is asked with an ARP request from our real address (`probe` with `ask`), which the
//   peer does not take for our claim; an answer from the peer leaves them with it (asked again every
//   `retryMicros`), and no answer (nobody holds them) claims them as `immediate` would. Taking them
//   back is then a normal claim: probe, the peer's answer does not stop us, the peer yields on hearing
//   our announcement. A claim request is dropped once all our addresses are held, or when our self
//   checks fail or our link goes down before that.

export type Micros = number;

export interface AddressSpec {
  /** dotted quad, for actions and logs */
  readonly address: string;
  readonly home: boolean;
}

export interface CheckSpec {
  readonly name: string;
  /** "peer": tells whether the peer is up; "self": whether we may hold our own address */
  readonly role: "peer" | "self";
  readonly fall: number;
  readonly rise: number;
  /** a check of the peer's public address cannot run while we hold that address */
  readonly targetsPeerPublic?: boolean;
}

/** When our own addresses are taken back from the peer holding them (see the header). */
export type Failback = { readonly mode: "immediate" } | { readonly mode: "delay"; readonly delayMicros: Micros } | { readonly mode: "manual" };

export interface MachineConfig {
  readonly addresses: readonly AddressSpec[];
  readonly checks: readonly CheckSpec[];
  /** true: give foreign addresses back when the home node claims them; false: when peer checks rise */
  readonly peerRunsTakeover: boolean;
  /** wait before probing again after a probe was answered */
  readonly retryMicros: Micros;
  /** re-announce held addresses this often; 0 = never */
  readonly refreshMicros: Micros;
  /** per claiming MAC, after its burst: one defence per this interval */
  readonly defendMicros: Micros;
  /** per claiming MAC: defences answered at once before `defendMicros` applies; default 10 */
  readonly defendBurst?: number;
  /** while holding the peer's address, ask who else has it this often; 0 = never */
  readonly verifyMicros: Micros;
  /** yield a held address to a stranger's claim (not the peer's) */
  readonly yieldToStrangers: boolean;
  /** default immediate */
  readonly failback?: Failback;
}

export type Action =
  /**
   * `id` comes back in the probe-result, so a result of an earlier, abandoned probe is told apart.
   * `ask`: not an RFC 5227 probe but ARP requests from our real address, which the peer answers
   * without taking them for our claim (whether it holds one of our addresses, while failback waits).
   */
  | { kind: "probe"; address: string; id: number; ask?: boolean }
  /** ask from our real address who has `address` (a foreign address we hold): the home node answers */
  | { kind: "verify"; address: string }
  | { kind: "add"; address: string }
  | { kind: "remove"; address: string }
  /** `at: "peer"` announces the address at the peer's MAC (hand-back to a silent home node) */
  | { kind: "announce"; address: string; at: "ours" | "peer"; reason: "claim" | "refresh" | "defend" | "link-up" | "peer-up" | "hand-back" }
  | { kind: "log"; event: LogEvent; address?: string; detail: string }
  | { kind: "stopped" };

export type LogEvent =
  | "check-failed"
  | "check-recovered"
  | "peer-down"
  | "peer-up"
  | "self-down"
  | "self-up"
  | "claim"
  | "not-claiming"
  | "conflict"
  | "yield"
  | "release"
  | "hand-back"
  | "link-down"
  | "link-up"
  | "reconcile"
  | "claim-request";

/** A check's result: unknown when it says nothing about the target (not sent, our link not verified throughout). */
export type Verdict = "pass" | "fail" | "unknown";

export type MachineEvent =
  | { kind: "check"; name: string; verdict: Verdict; detail?: string }
  /**
   * `inconclusive`: the probe proves nothing (not all of it was sent, or the capture was not live
   * through the whole window), with the reason; otherwise no `answeredBy` means nobody answered.
   */
  | { kind: "probe-result"; address: string; id: number; answeredBy?: { mac: string; isPeer: boolean }; inconclusive?: string }
  /** someone else's ARP claim on an address we hold or probe */
  | { kind: "claim-heard"; address: string; mac: string; isPeer: boolean; how?: "request" | "reply" | "probe" }
  /** `up`: the link is verified (usable); `why`: a few words for the log line */
  | { kind: "link"; up: boolean; why?: string }
  /** at start: which managed addresses are already on our interface (left from a crash, or static) */
  | { kind: "present"; addresses: readonly string[] }
  /** take our own addresses back now, whatever `failback` says (`takeover claim`) */
  | { kind: "claim-request" }
  | { kind: "tick" }
  | { kind: "stop" };

export type AddressState = "idle" | "probing" | "holding";

/** At most one answer per address to probes for it in this time: enough for any prober's window. */
const PROBE_ANSWER_MICROS = 10_000;
/**
 * While the peer is down, every address we hold is announced again this often: a peer we cannot
 * hear (a partition, a dying link) may be telling the router it holds them, and an announcement of
 * ours the router missed (a lost frame) is made good.
 */
const PEER_DOWN_REFRESH_MICROS = 1_000_000;
/** After an inconclusive probe on a link that stayed verified (a send failed), probe again after this. */
const INCONCLUSIVE_RETRY_MICROS = 20_000;
/** The claimers whose defence buckets are remembered; the least recently heard are forgotten first. */
const DEFENCE_BUCKETS_KEPT = 256;
/** The bucket for all claimers together: this many times one claimer's burst and rate. */
const DEFENCE_ALL_FACTOR = 4;
/** Conflict lines per address at most this often; the claims in between are counted in the next. */
const CONFLICT_LOG_MICROS = 1_000_000;

/** A token bucket: `tokens` as of `at`. */
interface Bucket {
  tokens: number;
  at: Micros;
}

interface AddressStatus {
  readonly spec: AddressSpec;
  state: AddressState;
  /** no new probe before this time (after a conflict) */
  retryAt: Micros;
  lastAnnounce: Micros;
  lastProbeAnswer: Micros;
  lastConflictLog: Micros;
  /** last ask for a foreign address we hold (see verifyMicros) */
  lastVerify: Micros;
  /** the id of the probe in flight (state "probing") */
  probeId: number;
  /** the probe in flight is an ask (see Action "probe") */
  probeAsk: boolean;
  /** a home address the peer answered for while failback waits; told once, until it changes */
  heldByPeer: boolean;
  /**
   * A foreign address given up while our link was down: the router may still point it at us, and
   * the hand-back could not be announced then. Announced at the peer's MAC once the link is back.
   */
  handBackOwed: boolean;
  /** claims heard while the defence was rate-limited: told in the next conflict line */
  conflictsNotLogged: number;
  /**
   * A claim (not a probe) the buckets held back: the claimer's MAC. A defence is owed as soon as its
   * bucket allows, so the last word the router hears is ours, not the claimer's.
   */
  defenceOwed: string | undefined;
  /** since when `defenceOwed` has been owed: the longest owed is answered first */
  defenceOwedSince: Micros;
}

interface CheckStatus {
  readonly spec: CheckSpec;
  /** up until proven down: a fresh start does not take over before any check has failed `fall` times */
  up: boolean;
  /** consecutive results against the current verdict */
  streak: number;
  /** results seen; self checks must pass `rise` times before a first claim */
  seen: number;
  /** passes in a row since the last fail, or since we last claimed a peer's address */
  passesInARow: number;
}

export interface MachineSnapshot {
  readonly addresses: readonly { address: string; home: boolean; state: AddressState }[];
  readonly peerUp: boolean;
  readonly selfUp: boolean;
  readonly linkUp: boolean;
  readonly stopped: boolean;
}

export class FailoverMachine {
  readonly #addresses: AddressStatus[];
  readonly #checks = new Map<string, CheckStatus>();
  #linkUp = true;
  #stopped = false;
  #started = false;
  #probes = 0;
  /** since when our own addresses could have been held without a break (self up, link up); undefined: not now */
  #reclaimableSince: Micros | undefined;
  /** `takeover claim`: take our addresses back now (see the header) */
  #claimRequested = false;
  readonly #defenceBuckets = new Map<string, Bucket>();
  #defenceAll: Bucket = { tokens: Infinity, at: 0 };

  #config: MachineConfig;

  get config(): MachineConfig {
    return this.#config;
  }

  /**
   * Takes a new config (a reload) without losing what is held: the managed addresses must be the
   * same; checks keep their verdict by name (new ones start as a fresh start would).
   * @throws Error when the addresses differ: that needs a restart
   */
  reconfigure(config: MachineConfig): void {
    const same = config.addresses.length === this.#addresses.length && config.addresses.every((a, i) => a.address === this.#addresses[i].spec.address && a.home === this.#addresses[i].spec.home);
    if (!same) throw new Error("the managed addresses changed: that needs a restart");
    const old = new Map(this.#checks);
    this.#checks.clear();
    for (const spec of config.checks) {
      const previous = old.get(spec.name);
      // a new check is presumed healthy while we hold our own address: a self check added by a reload
      // must fail `fall` times before we give the address up, not pass `rise` times to keep it
      const presumedUp = spec.role === "peer" || this.#addresses.some((a) => a.spec.home && a.state === "holding");
      this.#checks.set(spec.name, { spec, up: previous?.up ?? presumedUp, streak: 0, seen: previous?.seen ?? 0, passesInARow: previous?.passesInARow ?? 0 });
    }
    this.#config = config;
  }

  constructor(config: MachineConfig) {
    this.#config = config;
    this.#addresses = config.addresses.map((spec) => ({ spec, state: "idle", retryAt: 0, lastAnnounce: 0, lastProbeAnswer: -Infinity, lastConflictLog: -Infinity, lastVerify: 0, probeId: 0, probeAsk: false, heldByPeer: false, handBackOwed: false, conflictsNotLogged: 0, defenceOwed: undefined, defenceOwedSince: 0 }));
    for (const spec of config.checks) this.#checks.set(spec.name, { spec, up: spec.role === "peer", streak: 0, seen: 0, passesInARow: 0 });
  }

  get peerUp(): boolean {
    for (const c of this.#checks.values()) if (c.spec.role === "peer" && !c.up) return false;
    return true;
  }

  /** Whether the daemon should run check `name` now: not a check of the peer's public address while we hold or probe it. */
  checkRunnable(name: string): boolean {
    const check = this.#checks.get(name);
    if (check === undefined) return false;
    // with our own link down a failed check says nothing about the peer
    if (!this.#linkUp) return false;
    return !(check.spec.targetsPeerPublic && this.#holdingForeign());
  }

  #holdingForeign(): boolean {
    return this.#addresses.some((a) => !a.spec.home && a.state !== "idle");
  }

  /**
   * A plain peer may have its address back: every peer check that can run while we hold that address
   * (not one of the peer's public address) is up and has passed `rise` times in a row since we claimed.
   * Up alone is not enough: when only a check of the public address failed (the peer alive, its
   * address gone), the others never went down, and the address would go back the moment it was taken,
   * to be probed and claimed again at once, round after round.
   */
  #plainPeerRecovered(): boolean {
    for (const c of this.#checks.values()) {
      if (c.spec.role !== "peer" || c.spec.targetsPeerPublic) continue;
      if (!c.up || c.passesInARow < c.spec.rise) return false;
    }
    return true;
  }

  /** Self checks healthy: each has passed `rise` times since start and is not down. */
  get selfUp(): boolean {
    for (const c of this.#checks.values()) if (c.spec.role === "self" && !c.up) return false;
    return true;
  }

  snapshot(): MachineSnapshot {
    return {
      addresses: this.#addresses.map((a) => ({ address: a.spec.address, home: a.spec.home, state: a.state })),
      peerUp: this.peerUp,
      selfUp: this.selfUp,
      linkUp: this.#linkUp,
      stopped: this.#stopped,
    };
  }

  /** The id of the probe in flight for `address`, if it is being probed. */
  probeInFlight(address: string): number | undefined {
    const a = this.#find(address);
    return a?.state === "probing" ? a.probeId : undefined;
  }

  stateOf(address: string): AddressState | undefined {
    return this.#addresses.find((a) => a.spec.address === address)?.state;
  }

  /** Feeds one event at time `now`; returns the actions to carry out, in order. */
  handle(event: MachineEvent, now: Micros): Action[] {
    const actions: Action[] = [];
    if (this.#stopped) return actions;
    switch (event.kind) {
      case "check":
        this.#onCheck(event.name, event.verdict, event.detail, now, actions);
        break;
      case "probe-result":
        this.#onProbeResult(event, now, actions);
        break;
      case "claim-heard":
        this.#onClaimHeard(event.address, event.mac, event.isPeer, event.how ?? "request", now, actions);
        break;
      case "link":
        this.#onLink(event.up, event.why, now, actions);
        break;
      case "present":
        this.#onPresent(event.addresses, now, actions);
        break;
      case "claim-request":
        this.#onClaimRequest(actions);
        break;
      case "stop":
        this.#onStop(actions);
        return actions;
      case "tick":
        break;
    }
    this.#started = true;
    this.#advance(now, actions);
    return actions;
  }

  /** The next time a tick would do something (a retry or a refresh), or Infinity. */
  nextWakeup(): Micros {
    let next = Infinity;
    for (const a of this.#addresses) {
      if (a.state === "idle" && a.retryAt > 0) next = Math.min(next, a.retryAt);
      if (a.state === "holding" && this.config.refreshMicros > 0) next = Math.min(next, a.lastAnnounce + this.config.refreshMicros);
      if (a.state === "holding" && !a.spec.home && this.config.verifyMicros > 0) next = Math.min(next, a.lastVerify + this.config.verifyMicros);
      if (a.state === "holding" && !this.peerUp) next = Math.min(next, a.lastAnnounce + PEER_DOWN_REFRESH_MICROS);
      if (a.state === "holding" && a.defenceOwed !== undefined) next = Math.min(next, this.#defenceReadyAt(a.defenceOwed));
    }
    const failback = this.#failback;
    if (failback.mode === "delay" && this.#reclaimableSince !== undefined && this.#addresses.some((a) => a.spec.home && a.heldByPeer && a.state === "idle")) {
      next = Math.min(next, this.#reclaimableSince + failback.delayMicros);
    }
    return next;
  }

  get #failback(): Failback {
    return this.config.failback ?? { mode: "immediate" };
  }

  /** Whether our own addresses may be taken from the peer holding them now (see the header). */
  #mayTakeBack(now: Micros): boolean {
    const failback = this.#failback;
    if (failback.mode === "immediate" || this.#claimRequested) return true;
    if (failback.mode === "manual" || this.#reclaimableSince === undefined) return false;
    return now - this.#reclaimableSince >= failback.delayMicros;
  }

  #onClaimRequest(actions: Action[]): void {
    const home = this.#addresses.filter((a) => a.spec.home);
    if (home.every((a) => a.state === "holding")) {
      actions.push({ kind: "log", event: "claim-request", detail: "claim requested: we hold all our addresses already" });
      return;
    }
    if (!this.#linkUp || !this.selfUp) {
      actions.push({ kind: "log", event: "claim-request", detail: `claim requested, not taken: ${!this.#linkUp ? "our link is down" : "our self checks fail"}; ask again once ${!this.#linkUp ? "it is back" : "they pass"}` });
      return;
    }
    this.#claimRequested = true;
    for (const a of home) if (a.state === "idle") a.retryAt = 0;
    actions.push({ kind: "log", event: "claim-request", detail: "claim requested: taking our addresses back now" });
  }

  #wants(a: AddressStatus, now: Micros): boolean {
    if (!this.#linkUp || !this.#started) return false;
    if (a.spec.home) return this.selfUp;
    if (a.state === "holding") {
      // a peer running takeover gets its address back by claiming it; a plain peer once its checks pass
      return this.config.peerRunsTakeover || !this.#plainPeerRecovered();
    }
    // the probe before a claim is what keeps us off an address the home node still holds
    return !this.peerUp;
  }

  /** Releases foreign addresses no longer needed, starts probes for wanted ones, refreshes. */
  #advance(now: Micros, actions: Action[]): void {
    if (this.#linkUp && this.#started && this.selfUp) this.#reclaimableSince ??= now;
    else {
      this.#reclaimableSince = undefined;
      this.#claimRequested = false;
    }
    const mayTakeBack = this.#mayTakeBack(now);
    for (const a of this.#addresses) {
      const wanted = this.#wants(a, now);
      if (a.state === "holding" && !wanted) {
        if (a.spec.home) {
          actions.push({ kind: "remove", address: a.spec.address }, { kind: "log", event: "release", address: a.spec.address, detail: this.#linkUp ? "self checks failing: giving our address up so the peer can serve it" : "link down" });
          a.state = "idle";
        } else if (!this.#linkUp) {
          actions.push({ kind: "remove", address: a.spec.address }, { kind: "log", event: "release", address: a.spec.address, detail: "our link is down: the hand-back is announced when it is back" });
          a.state = "idle";
          a.handBackOwed = true;
        } else if (!this.config.peerRunsTakeover && this.#plainPeerRecovered()) {
          actions.push(
            { kind: "remove", address: a.spec.address },
            { kind: "announce", address: a.spec.address, at: "peer", reason: "hand-back" },
            { kind: "log", event: "hand-back", address: a.spec.address, detail: "peer healthy again: address released and announced at the peer's MAC" },
          );
          a.state = "idle";
        }
        // a peer running takeover gets its address back by claiming it (see #onClaimHeard)
      } else if (a.state === "idle" && wanted && (now >= a.retryAt || (a.heldByPeer && mayTakeBack))) {
        a.state = "probing";
        a.retryAt = 0;
        a.probeId = ++this.#probes;
        // while failback waits, our own address is asked for, not probed: the peer yields to a probe
        a.probeAsk = a.spec.home && !mayTakeBack;
        actions.push(a.probeAsk ? { kind: "probe", address: a.spec.address, id: a.probeId, ask: true } : { kind: "probe", address: a.spec.address, id: a.probeId });
      } else if (a.state === "holding") {
        const refreshMicros = !this.peerUp ? Math.min(PEER_DOWN_REFRESH_MICROS, this.config.refreshMicros || Infinity) : this.config.refreshMicros;
        if (refreshMicros > 0 && now - a.lastAnnounce >= refreshMicros) {
          a.lastAnnounce = now;
          actions.push({ kind: "announce", address: a.spec.address, at: "ours", reason: "refresh" });
        }
        if (!a.spec.home && this.config.verifyMicros > 0 && now - a.lastVerify >= this.config.verifyMicros) {
          a.lastVerify = now;
          actions.push({ kind: "verify", address: a.spec.address });
        }
      }
    }
    // the defences the buckets held back, the longest owed first, as far as the buckets allow
    const owed = this.#addresses.filter((a) => a.state === "holding" && a.defenceOwed !== undefined).sort((x, y) => x.defenceOwedSince - y.defenceOwedSince);
    for (const a of owed) {
      if (now < this.#defenceReadyAt(a.defenceOwed!) || !this.#takeDefence(a.defenceOwed!, now)) continue;
      a.defenceOwed = undefined;
      a.lastAnnounce = now;
      if (now - a.lastConflictLog >= CONFLICT_LOG_MICROS) {
        a.lastConflictLog = now;
        const more = a.conflictsNotLogged;
        a.conflictsNotLogged = 0;
        actions.push({ kind: "log", event: "conflict", address: a.spec.address, detail: `${more} claim(s) on ${a.spec.address} since the last conflict line: defending it again` });
      }
      actions.push({ kind: "announce", address: a.spec.address, at: "ours", reason: "defend" });
    }
    if (this.#claimRequested && this.#addresses.every((a) => !a.spec.home || a.state === "holding")) this.#claimRequested = false;
  }

  #onCheck(name: string, verdict: Verdict, detail: string | undefined, now: Micros, actions: Action[]): void {
    const check = this.#checks.get(name);
    // unknown says nothing about the target: it neither breaks nor extends a streak
    if (check === undefined || verdict === "unknown" || !this.checkRunnable(name)) return;
    const ok = verdict === "pass";
    const wasPeerUp = this.peerUp;
    const wasSelfUp = this.selfUp;
    check.seen++;
    check.passesInARow = ok ? check.passesInARow + 1 : 0;
    if (ok === check.up) check.streak = 0;
    else {
      check.streak++;
      const needed = check.up ? check.spec.fall : check.spec.rise;
      if (check.streak >= needed) {
        check.up = ok;
        check.streak = 0;
        actions.push({ kind: "log", event: ok ? "check-recovered" : "check-failed", detail: `${name}: ${ok ? `passed ${check.spec.rise} times in a row` : `failed ${check.spec.fall} times in a row`}${detail ? ` (${detail})` : ""}` });
      }
    }
    if (wasPeerUp !== this.peerUp) {
      actions.push({ kind: "log", event: this.peerUp ? "peer-up" : "peer-down", detail: `peer is ${this.peerUp ? "up" : "down"}` });
      // The peer is back. Whether it holds its address again is worth asking at once; and our own
      // address is announced again: while it was away (or crashed) it may have claimed ours and
      // pointed the router at itself, in frames we never heard.
      if (this.peerUp) {
        for (const a of this.#addresses) {
          if (!a.spec.home) a.lastVerify = -Infinity;
          else if (a.state === "holding") {
            a.lastAnnounce = now;
            actions.push({ kind: "announce", address: a.spec.address, at: "ours", reason: "peer-up" });
          }
        }
      }
    }
    if (wasSelfUp !== this.selfUp) actions.push({ kind: "log", event: this.selfUp ? "self-up" : "self-down", detail: `self checks ${this.selfUp ? "pass" : "fail"}` });
  }

  #onProbeResult(event: Extract<MachineEvent, { kind: "probe-result" }>, now: Micros, actions: Action[]): void {
    const { address, answeredBy } = event;
    const a = this.#find(address);
    if (a === undefined || a.state !== "probing" || a.probeId !== event.id) return;
    if (!this.#wants(a, now)) {
      a.state = "idle";
      return;
    }
    if (event.inconclusive !== undefined && answeredBy === undefined) {
      // proves nothing either way: probe again soon (after a link outage, at once on link-up)
      a.state = "idle";
      a.retryAt = now + INCONCLUSIVE_RETRY_MICROS;
      actions.push({ kind: "log", event: "not-claiming", address, detail: `probe inconclusive (${event.inconclusive}): probing again` });
      return;
    }
    const mayTakeBack = this.#mayTakeBack(now);
    if (a.spec.home && answeredBy?.isPeer === true && !mayTakeBack) {
      // failback waits: the peer keeps serving it
      a.state = "idle";
      a.retryAt = now + this.config.retryMicros;
      if (!a.heldByPeer) {
        a.heldByPeer = true;
        const failback = this.#failback;
        const until = failback.mode === "delay" ? `failback delay: taking it back once we could have held it for ${failback.delayMicros / 1e6} s` : "failback manual: takeover claim takes it back";
        actions.push({ kind: "log", event: "not-claiming", address, detail: `the peer (${answeredBy.mac}) holds our address ${address}; ${until}` });
      }
      return;
    }
    const claimable = answeredBy === undefined || (a.spec.home && answeredBy.isPeer);
    if (!claimable) {
      a.state = "idle";
      a.retryAt = now + this.config.retryMicros;
      actions.push({ kind: "log", event: "not-claiming", address, detail: `${answeredBy!.mac}${answeredBy!.isPeer ? " (the peer)" : ""} answers for ${address}: not claiming it` });
      return;
    }
    a.state = "holding";
    a.lastAnnounce = now;
    a.lastVerify = now;
    a.handBackOwed = false;
    // a plain peer gets this back only after its checks pass `rise` times from now on
    if (!a.spec.home) for (const c of this.#checks.values()) c.passesInARow = 0;
    a.heldByPeer = false;
    actions.push(
      { kind: "add", address },
      { kind: "announce", address, at: "ours", reason: "claim" },
      { kind: "log", event: "claim", address, detail: answeredBy === undefined ? "nobody answered the probe" : `taking our address back from the peer (${answeredBy.mac})` },
    );
  }

  #onClaimHeard(address: string, mac: string, isPeer: boolean, how: "request" | "reply" | "probe", now: Micros, actions: Action[]): void {
    const a = this.#find(address);
    if (a === undefined) return;
    if (a.state !== "holding") return;
    if (!a.spec.home && isPeer) {
      a.state = "idle";
      a.retryAt = now + this.config.retryMicros;
      // Announcing the address at the home node's MAC as well costs nothing when the home node
      // announces itself, and is what moves the router when the home node is a plain host.
      actions.push(
        { kind: "remove", address },
        { kind: "announce", address, at: "peer", reason: "hand-back" },
        { kind: "log", event: "yield", address, detail: `the home node (${mac}) ${how === "probe" ? "probes for" : "claims"} ${address}: handing it back` },
      );
      return;
    }
    if (!isPeer && this.config.yieldToStrangers) {
      a.state = "idle";
      a.retryAt = now + this.config.retryMicros;
      actions.push({ kind: "remove", address }, { kind: "log", event: "yield", address, detail: `${mac} claims ${address}; configured to yield to strangers` });
      return;
    }
    // A probe must be answered every time (up to one answer per PROBE_ANSWER_MICROS): the prober
    // claims the address if it hears nothing, and our kernel may not be able to answer (an ARP
    // filter, a full queue). Every other claim is answered as the claimer's bucket allows: at once,
    // or (held back) as soon as it has a token again.
    const probe = how === "probe";
    // a claim on another address, held back earlier, goes first: this one waits its turn (#advance)
    const othersOwed = !probe && this.#addresses.some((o) => o !== a && o.state === "holding" && o.defenceOwed !== undefined);
    if (probe ? now - a.lastProbeAnswer < PROBE_ANSWER_MICROS : othersOwed || !this.#takeDefence(mac, now)) {
      a.conflictsNotLogged++;
      if (!probe) {
        if (a.defenceOwed === undefined) a.defenceOwedSince = now;
        a.defenceOwed = mac;
      }
      return;
    }
    if (probe) a.lastProbeAnswer = now;
    else a.defenceOwed = undefined;
    a.lastAnnounce = now;
    if (now - a.lastConflictLog >= CONFLICT_LOG_MICROS) {
      a.lastConflictLog = now;
      const more = a.conflictsNotLogged > 0 ? ` (and ${a.conflictsNotLogged} more claim(s) since the last conflict line)` : "";
      a.conflictsNotLogged = 0;
      actions.push({ kind: "log", event: "conflict", address, detail: `${mac}${isPeer ? " (the peer)" : " (not the peer)"} ${probe ? "probes for" : "claims"} ${address}, which we hold: defending it${more}` });
    } else a.conflictsNotLogged++;
    actions.push({ kind: "announce", address, at: "ours", reason: "defend" });
  }

  #defenceBurst(): number {
    return Math.max(1, this.config.defendBurst ?? 10);
  }

  /** `bucket` refilled to `now`: one token per `interval`, at most `capacity`. */
  #refill(bucket: Bucket, capacity: number, interval: Micros, now: Micros): void {
    if (bucket.tokens === Infinity) bucket.tokens = capacity;
    if (now > bucket.at) {
      bucket.tokens = interval <= 0 ? capacity : Math.min(capacity, bucket.tokens + (now - bucket.at) / interval);
      bucket.at = now;
    }
  }

  #claimerBucket(mac: string, now: Micros): Bucket {
    let bucket = this.#defenceBuckets.get(mac);
    if (bucket === undefined) {
      bucket = { tokens: this.#defenceBurst(), at: now };
      if (this.#defenceBuckets.size >= DEFENCE_BUCKETS_KEPT) this.#defenceBuckets.delete(this.#defenceBuckets.keys().next().value!);
    } else this.#defenceBuckets.delete(mac);
    // kept in the order claimers were last heard
    this.#defenceBuckets.set(mac, bucket);
    return bucket;
  }

  /** Takes a defence token for a claim by `mac`, if its bucket and the bucket of all claimers have one. */
  #takeDefence(mac: string, now: Micros): boolean {
    const burst = this.#defenceBurst();
    const interval = this.config.defendMicros;
    const own = this.#claimerBucket(mac, now);
    this.#refill(own, burst, interval, now);
    this.#refill(this.#defenceAll, burst * DEFENCE_ALL_FACTOR, interval / DEFENCE_ALL_FACTOR, now);
    if (own.tokens < 1 || this.#defenceAll.tokens < 1) return false;
    own.tokens--;
    this.#defenceAll.tokens--;
    return true;
  }

  /** When a claim by `mac` could be answered: both buckets with a token. */
  #defenceReadyAt(mac: string): Micros {
    const own = this.#defenceBuckets.get(mac);
    const interval = this.config.defendMicros;
    const ownAt = own === undefined || own.tokens >= 1 ? 0 : own.at + (1 - own.tokens) * interval;
    const all = this.#defenceAll;
    const allAt = all.tokens >= 1 ? 0 : all.at + ((1 - all.tokens) * interval) / DEFENCE_ALL_FACTOR;
    // rounded up: a tick at exactly that time finds the token there despite floating point
    return Math.ceil(Math.max(ownAt, allAt));
  }

  #onLink(up: boolean, why: string | undefined, now: Micros, actions: Action[]): void {
    if (up === this.#linkUp) return;
    this.#linkUp = up;
    actions.push({ kind: "log", event: up ? "link-up" : "link-down", detail: `link ${up ? "up (verified)" : "down"}${why === undefined ? "" : `: ${why}`}` });
    if (up) {
      // whatever the peer checks concluded while our link was down was about our link, not the peer
      for (const c of this.#checks.values()) {
        if (c.spec.role !== "peer") continue;
        c.up = true;
        c.streak = 0;
      }
    }
    for (const a of this.#addresses) {
      if (!up && a.state === "probing") a.state = "idle";
      if (up && a.state === "holding") {
        a.lastAnnounce = now;
        actions.push({ kind: "announce", address: a.spec.address, at: "ours", reason: "link-up" });
      }
      if (up && a.handBackOwed && a.state === "idle") {
        a.handBackOwed = false;
        actions.push(
          { kind: "announce", address: a.spec.address, at: "peer", reason: "hand-back" },
          { kind: "log", event: "hand-back", address: a.spec.address, detail: "link back: the address given up while it was down is announced at the peer's MAC" },
        );
      }
    }
  }

  #onPresent(present: readonly string[], now: Micros, actions: Action[]): void {
    for (const a of this.#addresses) {
      if (!present.includes(a.spec.address) || a.state !== "idle") continue;
      // Left over from a crash, or configured statically. Hold it under the same rules as a claim:
      // a home address is kept if we may hold it; anything else goes, and is claimed again only
      // after probing if still wanted.
      if (a.spec.home && this.#linkUp && this.selfUp) {
        a.state = "holding";
        a.lastAnnounce = now;
        actions.push({ kind: "log", event: "reconcile", address: a.spec.address, detail: "our address is already on the interface: keeping it" }, { kind: "announce", address: a.spec.address, at: "ours", reason: "claim" });
      } else if (a.spec.home) {
        actions.push({ kind: "remove", address: a.spec.address }, { kind: "log", event: "reconcile", address: a.spec.address, detail: "left from an earlier run: removed until the rules say to claim it" });
      } else {
        // the router may still point the peer's address at us: point it home
        actions.push(
          { kind: "remove", address: a.spec.address },
          { kind: "log", event: "reconcile", address: a.spec.address, detail: "left from an earlier run: removed until the rules say to claim it, and announced at the peer's MAC" },
        );
        if (this.#linkUp) actions.push({ kind: "announce", address: a.spec.address, at: "peer", reason: "hand-back" });
        else a.handBackOwed = true;
      }
    }
  }

  #onStop(actions: Action[]): void {
    for (const a of this.#addresses) {
      if (a.state !== "holding") continue;
      if (a.spec.home) continue; // our own address stays with us
      actions.push(
        { kind: "remove", address: a.spec.address },
        { kind: "announce", address: a.spec.address, at: "peer", reason: "hand-back" },
        { kind: "log", event: "hand-back", address: a.spec.address, detail: "stopping: address released and announced at the peer's MAC" },
      );
      a.state = "idle";
    }
    this.#stopped = true;
    actions.push({ kind: "stopped" });
  }

  #find(address: string): AddressStatus | undefined {
    return this.#addresses.find((a) => a.spec.address === address);
  }
}

// The invariants a simulated run is judged by, checked at every step against ground truth: the
// simulated kernels' addresses (a box holds an address when its interface has it and is up), the
// router's neighbour cache, and the true state of each daemon's link. The world feeds observations in
// time order and calls advance(t) before every event; a hand-made history can be fed the same way.
//
// Fault-free time: an instant is fault-free when both daemons are running (started, not crashed, not
// paused), both daemons' links are truly verified (not down, not reopening), both boxes have their real
// address, and no loss or partition is in force on either direction between the two boxes. Delay,
// jitter, reordering and duplication between the boxes, and any fault on the paths to and from the
// router, leave time fault-free.
//
// 1. "settled": from D = S + Q on, where S is the first instant after the last fault has ended at which
//    every box not down for good is healthy (daemon running, link verified) and Q is the quiet period
//    (the longest peer check's fall × interval + the claim's probe time + 1 s), until the end of the run:
//    every public address is held by exactly one box, its home box if that box is healthy and else the
//    other, and the router's entry for it is that box's MAC. IPv6 public addresses are judged the
//    same way, their router entry being the IPv6 router's neighbour entry (its MAC, whatever its
//    state), from their own router time (see settleFrom).
// 2. "convergence": no address is held by both boxes throughout a fault-free stretch longer than the
//    bound (1 s): at no time t are both holding it with every instant of (t − 1 s, t] both dual and
//    fault-free.
// 3. "claim": every claim (log event "claim") of the peer's public address is backed by some peer
//    check c of the claiming daemon (this incarnation): among c's counted results (verdict pass or fail;
//    unknown is skipped) completed by the claim, there is a run of `fall` consecutive failures, each of
//    whose windows [startedMicros, timeMicros] lies within one period in which the claiming box's link
//    was truly verified, and no run of `rise` consecutive passes after it.
// 4. "crash": no daemon dies of an exception thrown out of its own code (uncaught, as Node calls it:
//    the process exits; systemd starts it again after RestartSec=1s, which the world models).
//    The world reports these, and "settled" for a run that never settles.

export type InvariantName = "settled" | "convergence" | "claim" | "crash";

export interface Violation {
  readonly invariant: InvariantName;
  /** µs from the start, when it was broken */
  readonly time: number;
  readonly message: string;
}

export interface CheckFacts {
  readonly name: string;
  readonly fall: number;
  readonly rise: number;
}

export interface BoxFacts {
  readonly name: string;
  /** as Mac.toString() */
  readonly mac: string;
  readonly publicAddress: string;
  /** all its public addresses, when it has several (default [publicAddress]) */
  readonly publicAddresses?: readonly string[];
  /** the checks with role "peer" */
  readonly peerChecks: readonly CheckFacts[];
}

export type CheckVerdict = "pass" | "fail" | "unknown";

export interface CheckRecord {
  readonly name: string;
  /** µs from the start */
  readonly started: number;
  readonly time: number;
  readonly verdict: CheckVerdict;
}

export const CONVERGENCE_BOUND_MICROS = 1_000_000;

interface LinkHistory {
  since: number | undefined;
  readonly periods: [number, number][];
}

interface PendingClaim {
  readonly time: number;
  readonly box: string;
  readonly incarnation: number;
  readonly address: string;
}

function s(micros: number): string {
  return `${(micros / 1_000_000).toFixed(6)} s`;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  readonly #boxes: readonly BoxFacts[];
  readonly #holders = new Map<string, readonly string[]>();
  readonly #dualSince = new Map<string, number>();
  readonly #flagged = new Set<string>();
  readonly #router = new Map<string, string | undefined>();
  readonly #healthy = new Map<string, boolean>();
  readonly #links = new Map<string, LinkHistory>();
  readonly #checks = new Map<string, Map<string, CheckRecord[]>>();
  readonly #incarnation = new Map<string, number>();
  readonly #claims: PendingClaim[] = [];
  #faultFreeSince: number | undefined;
  #settleAt: number | undefined;
  #routerSettleAt: number | undefined;
  #router6SettleAt: number | undefined;
  /** holders, router or health changed since the settled state was last judged */
  #changed = true;
  #now = 0;

  /** violations of the invariants told to be ignored: kept apart, and they do not stop a run */
  readonly ignored: Violation[] = [];
  /** the longest stretch seen so far of an address held by both boxes with no fault in force, µs */
  longestDualMicros = 0;

  constructor(
    boxes: readonly BoxFacts[],
    readonly boundMicros = CONVERGENCE_BOUND_MICROS,
    readonly ignore: ReadonlySet<InvariantName> = new Set(),
  ) {
    this.#boxes = boxes;
    for (const box of boxes) {
      this.#links.set(box.name, { since: undefined, periods: [] });
      this.#checks.set(box.name, new Map());
      this.#healthy.set(box.name, false);
    }
  }

  get settleAt(): number | undefined {
    return this.#settleAt;
  }

  // --- observations ------------------------------------------------------------------------------

  /** The boxes holding `address` from `time` on. */
  holders(time: number, address: string, boxes: readonly string[]): void {
    this.#holders.set(address, [...boxes].sort());
    this.#changed = true;
    if (boxes.length >= 2) {
      if (!this.#dualSince.has(address)) this.#dualSince.set(address, time);
    } else {
      this.#dualSince.delete(address);
      this.#flagged.delete(`convergence ${address}`);
    }
  }

  /** Whether some fault keeps the two boxes from hearing each other, from `time` on. */
  disrupted(time: number, active: boolean): void {
    if (active) this.#faultFreeSince = undefined;
    else if (this.#faultFreeSince === undefined) this.#faultFreeSince = time;
  }

  router(_time: number, address: string, mac: string | undefined): void {
    this.#router.set(address, mac);
    this.#changed = true;
  }

  /** Daemon running and link verified. */
  healthy(_time: number, box: string, healthy: boolean): void {
    this.#healthy.set(box, healthy);
    this.#changed = true;
  }

  /** The box's daemon's link is truly verified (or not) from `time` on. */
  link(time: number, box: string, verified: boolean): void {
    const history = this.#links.get(box);
    if (history === undefined) return;
    if (verified && history.since === undefined) history.since = time;
    else if (!verified && history.since !== undefined) {
      history.periods.push([history.since, time]);
      history.since = undefined;
    }
  }

  /** A new daemon process on `box`: its checks start afresh. */
  incarnation(box: string, incarnation: number): void {
    this.#incarnation.set(box, incarnation);
    this.#checks.set(box, new Map());
  }

  check(box: string, incarnation: number, record: CheckRecord): void {
    if (this.#incarnation.get(box) !== incarnation) return;
    const byName = this.#checks.get(box);
    if (byName === undefined) return;
    const list = byName.get(record.name) ?? [];
    list.push(record);
    byName.set(record.name, list);
  }

  claim(time: number, box: string, incarnation: number, address: string): void {
    this.#claims.push({ time, box, incarnation, address });
  }

  /** Invariant 1 holds from `time` on. */
  /**
   * Judges the settled state from `time` on; the router's entries from `routerTime` on (later when
   * the router's own path had faults: announcements it missed are made good only by its own
   * re-resolution once its entry is older than the reachable time); IPv6 addresses' router entries
   * (an address with a ":") from `router6Time` on (the IPv6 router's entry may stay REACHABLE at an
   * old MAC for its reachable time, then DELAY, PROBE and FAILED before it asks again).
   */
  settleFrom(time: number, routerTime = time, router6Time = routerTime): void {
    this.#settleAt = time;
    this.#routerSettleAt = routerTime;
    this.#router6SettleAt = router6Time;
  }

  // --- judging -----------------------------------------------------------------------------------

  /** Time moves on to `time`: everything observed so far has held until then. */
  advance(time: number): void {
    this.#judgeClaims();
    this.#judgeConvergence(time);
    const crossed = [this.#routerSettleAt ?? Infinity, this.#router6SettleAt ?? Infinity].filter((at) => this.#now <= at && time > at);
    if (this.#settleAt !== undefined && time > this.#settleAt && (this.#changed || this.#now <= this.#settleAt || crossed.length > 0)) {
      this.#changed = false;
      this.#judgeSettled(Math.max(this.#settleAt, this.#now, ...crossed));
    }
    this.#now = Math.max(this.#now, time);
  }

  finish(time: number): void {
    this.advance(time);
  }

  /** Records a violation found here or by the world. */
  violate(invariant: InvariantName, time: number, message: string): void {
    (this.ignore.has(invariant) ? this.ignored : this.violations).push({ invariant, time, message });
  }

  #judgeConvergence(time: number): void {
    const free = this.#faultFreeSince;
    if (free === undefined) return;
    for (const [address, since] of this.#dualSince) {
      const key = `convergence ${address}`;
      const start = Math.max(since, free);
      this.longestDualMicros = Math.max(this.longestDualMicros, Math.min(time - start, this.boundMicros + 1));
      if (this.#flagged.has(key)) continue;
      if (time - start > this.boundMicros) {
        this.#flagged.add(key);
        const holders = (this.#holders.get(address) ?? []).join(" and ");
        this.violate(
          "convergence",
          start + this.boundMicros,
          `${address} held by ${holders} since ${s(since)}, fault-free since ${s(free)}, still both at ${s(start + this.boundMicros)}: dual ownership outlasted the ${this.boundMicros / 1000} ms bound`,
        );
      }
    }
  }

  #judgeSettled(time: number): void {
    for (const home of this.#boxes) for (const address of home.publicAddresses ?? [home.publicAddress]) {
      const other = this.#boxes.find((b) => b !== home);
      const expected = this.#healthy.get(home.name) === true || other === undefined ? home : other;
      const holders = this.#holders.get(address) ?? [];
      const key = `settled ${address}`;
      if (this.#flagged.has(key)) continue;
      const router = this.#router.get(address);
      const problems: string[] = [];
      if (holders.length !== 1 || holders[0] !== expected.name) problems.push(`held by ${holders.length === 0 ? "nobody" : holders.join(" and ")}, should be ${expected.name} alone`);
      const routerAt = address.includes(":") ? this.#router6SettleAt : this.#routerSettleAt;
      if (time >= (routerAt ?? 0) && router !== expected.mac) problems.push(`the router's entry is ${router ?? "missing"}, should be ${expected.name}'s ${expected.mac}`);
      if (problems.length > 0) {
        this.#flagged.add(key);
        this.violate("settled", time, `${address} at ${s(time)} (settled from ${s(this.#settleAt ?? 0)}): ${problems.join("; ")}`);
      }
    }
  }

  #judgeClaims(): void {
    while (this.#claims.length > 0) {
      const claim = this.#claims.shift() as PendingClaim;
      const box = this.#boxes.find((b) => b.name === claim.box);
      const peer = this.#boxes.find((b) => b.name !== claim.box);
      if (box === undefined || peer === undefined || !(peer.publicAddresses ?? [peer.publicAddress]).includes(claim.address)) continue;
      if (this.#incarnation.get(claim.box) !== claim.incarnation) continue;
      const reasons: string[] = [];
      let backed = false;
      for (const check of box.peerChecks) {
        const results = (this.#checks.get(claim.box)?.get(check.name) ?? []).filter((r) => r.verdict !== "unknown" && r.time <= claim.time);
        const why = this.#backs(claim.box, check, results);
        if (why === undefined) {
          backed = true;
          break;
        }
        reasons.push(`${check.name}: ${why}`);
      }
      if (!backed) {
        this.violate(
          "claim",
          claim.time,
          `${claim.box} claimed ${claim.address} at ${s(claim.time)} without ${box.peerChecks.map((c) => c.fall).join("/")} consecutive real failures of a peer check: ${reasons.join("; ")}`,
        );
      }
    }
  }

  /** undefined when `results` (counted, in order) back a claim; else why not. */
  #backs(box: string, check: CheckFacts, results: readonly CheckRecord[]): string | undefined {
    let passes = 0;
    let i = results.length - 1;
    while (i >= 0) {
      if (results[i].verdict === "pass") {
        passes++;
        if (passes >= check.rise) return `no ${check.fall} real failures in a row since it last passed ${check.rise} times in a row (last results: ${this.#describe(results.slice(-6))})`;
        i--;
        continue;
      }
      passes = 0;
      // a run of failures ending at i
      let j = i;
      while (j >= 0 && results[j].verdict === "fail") j--;
      const run = results.slice(j + 1, i + 1);
      let real = 0;
      for (const r of run) {
        real = this.#verifiedThroughout(box, r.started, r.time) ? real + 1 : 0;
        if (real >= check.fall) return undefined;
      }
      i = j;
    }
    return `no ${check.fall} real failures in a row (last results: ${this.#describe(results.slice(-6)) || "none"})`;
  }

  #describe(results: readonly CheckRecord[]): string {
    return results.map((r) => `${r.verdict} [${s(r.started)}–${s(r.time)}]`).join(", ");
  }

  /** The box's link was truly verified for all of [from, to]. */
  #verifiedThroughout(box: string, from: number, to: number): boolean {
    const history = this.#links.get(box);
    if (history === undefined) return false;
    if (history.since !== undefined && history.since <= from) return true;
    return history.periods.some(([a, b]) => a <= from && to <= b);
  }
}

// The failover machine, model-based: fast-check drives it with random sequences of check results,
// probe answers, claims heard, link changes, ticks and a stop, and after every step checks the
// invariants that keep two boxes from fighting over an address.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Action, FailoverMachine, MachineConfig, MachineEvent, Verdict } from "../../src/failover/machine";
import { config, FALL, OWN, PEERS, RISE, VERIFY } from "./machine-fixture";

/** A peer check as the test understands it, independently of the machine: up/down with fall/rise hysteresis. */
interface ModelCheck {
  down: boolean;
  /** consecutive results against the current verdict */
  streak: number;
}

/** What the test knows independently of the machine. */
interface Model {
  now: number;
  checks: Map<string, ModelCheck>;
  /** the probe in flight per address (from the machine's probe actions) */
  probeIds: Map<string, number>;
  /** the last conclusive probe answer per address: who, if anyone */
  lastProbeAnswer: Map<string, { isPeer: boolean } | undefined>;
  /** addresses on the interface, per the add/remove actions */
  present: Set<string>;
  stopped: boolean;
  linkUp: boolean;
  /** the peer's address was given up while our link was down: its hand-back is due at link-up */
  handBackOwed: boolean;
  /** what the run reached, so the test can show it reaches what it is named for */
  reached: Reached;
  /** failback: manual (no self checks in that run) */
  manual: boolean;
  /** a claim request taken (link up, our address not held) and not yet used up or dropped */
  claimRequested: boolean;
}

interface Reached {
  peerClaims: number;
  yieldsToHome: number;
  verifies: number;
  inconclusive: number;
  unknownIgnored: number;
  releasedOnLinkDown: number;
  /** manual: our address left with the peer that answered for it */
  deferred: number;
  /** manual: our address taken back from the peer after a claim request */
  takenBackOnRequest: number;
}

interface Real {
  machine: FailoverMachine;
}

const PEER_CHECKS = ["icmp", "http-public"];

function peerDownInModel(model: Model): boolean {
  return PEER_CHECKS.some((name) => model.checks.get(name)?.down === true);
}

function apply(model: Model, real: Real, event: MachineEvent): Action[] {
  model.now += 1000;
  const actions = real.machine.handle(event, model.now);
  for (const [i, action] of actions.entries()) {
    if (action.kind === "probe") {
      model.probeIds.set(action.address, action.id);
      // while failback waits, our own address is only asked for: a probe would make the peer yield
      if (model.manual && action.address === OWN) assert.equal(action.ask === true, !model.claimRequested, `probe of our address with ask ${action.ask} and claimRequested ${model.claimRequested}`);
      if (action.address === PEERS) assert.equal(action.ask, undefined, "asked for the peer's address instead of probing it");
    }
    if (action.kind === "verify") {
      assert.equal(action.address, PEERS, "asked who has an address that is not the peer's");
      assert.ok(model.present.has(PEERS), "verified the peer's address while not holding it");
      model.reached.verifies++;
    }
    if (action.kind === "add") {
      // every claim is followed by an announcement
      assert.deepEqual(actions[i + 1], { kind: "announce", address: action.address, at: "ours", reason: "claim" }, "add without announce");
      assert.ok(!model.present.has(action.address), `added ${action.address} twice`);
      assert.ok(model.linkUp, "claimed an address while our link is not verified");
      model.present.add(action.address);
      if (action.address === PEERS) {
        model.handBackOwed = false;
        model.reached.peerClaims++;
        // never claims a foreign address unless some peer check is down: fall consecutive failures,
        // unknown results not counted, and not brought back up by rise passes since
        assert.ok(peerDownInModel(model), "claimed the peer's address while no peer check is down");
        // never claims an address someone answered for in the last probe, nor on an inconclusive one
        assert.equal(model.lastProbeAnswer.get(action.address), undefined, "claimed a foreign address someone answered for");
      } else {
        const answer = model.lastProbeAnswer.get(action.address);
        assert.ok(answer === undefined || answer.isPeer, "claimed our address while a stranger answers for it");
        if (model.manual && answer?.isPeer === true) {
          assert.ok(model.claimRequested, "failback manual: took our address from the peer without a claim request");
          model.reached.takenBackOnRequest++;
        }
        model.claimRequested = false;
      }
    }
    if (action.kind === "remove") {
      model.present.delete(action.address);
    }
  }
  if (model.stopped) assert.deepEqual(actions, [], "acted after stop");
  return actions;
}

class CheckCommand implements fc.Command<Model, Real> {
  constructor(readonly name: string, readonly verdict: Verdict) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const runnable = real.machine.checkRunnable(this.name);
    const check = model.checks.get(this.name);
    if (runnable && model.linkUp && check !== undefined && this.verdict !== "unknown") {
      const ok = this.verdict === "pass";
      if (ok !== check.down) check.streak = 0;
      else if (++check.streak >= (check.down ? RISE : FALL)) {
        check.down = !check.down;
        check.streak = 0;
      }
    }
    const actions = apply(model, real, { kind: "check", name: this.name, verdict: this.verdict });
    if (this.verdict === "unknown") {
      model.reached.unknownIgnored++;
      const verdicts = new Set(["check-failed", "check-recovered", "peer-down", "peer-up", "self-down", "self-up"]);
      assert.ok(!actions.some((a) => a.kind === "log" && verdicts.has(a.event)), "an unknown check result moved a verdict");
    }
  }
  toString = () => `check(${this.name}, ${this.verdict})`;
}

class ProbeAnswerCommand implements fc.Command<Model, Real> {
  constructor(
    readonly address: string,
    readonly answeredBy: "nobody" | "peer" | "stranger" | "inconclusive",
    /** answer with the id of an earlier probe (a stale result) */
    readonly stale: boolean,
  ) {}
  check = (_: Readonly<Model>) => true;
  run(model: Model, real: Real): void {
    if (real.machine.stateOf(this.address) !== "probing") return;
    const id = (model.probeIds.get(this.address) ?? 0) - (this.stale ? 1 : 0);
    const answer = this.answeredBy === "nobody" || this.answeredBy === "inconclusive" ? undefined : { isPeer: this.answeredBy === "peer" };
    const event: MachineEvent = {
      kind: "probe-result",
      address: this.address,
      id,
      answeredBy: answer === undefined ? undefined : { mac: answer.isPeer ? "02:00:00:00:00:18" : "02:00:00:00:00:99", isPeer: answer.isPeer },
      ...(this.answeredBy === "inconclusive" ? { inconclusive: "the link was not verified through the whole window" } : {}),
    };
    if (!this.stale) {
      if (this.answeredBy === "inconclusive") model.reached.inconclusive++;
      else model.lastProbeAnswer.set(this.address, answer);
    }
    const actions = apply(model, real, event);
    if (model.manual && !this.stale && this.address === OWN && this.answeredBy === "peer" && !actions.some((a) => a.kind === "add")) model.reached.deferred++;
    if (this.stale || this.answeredBy === "inconclusive") {
      assert.ok(!actions.some((a) => a.kind === "add"), `claimed on ${this.stale ? "a stale" : "an inconclusive"} probe result`);
    }
    if (this.answeredBy === "inconclusive" && !this.stale) {
      // probed again soon, not after the retry interval
      apply(model, real, { kind: "tick" });
      model.now += 20_000;
      const again = apply(model, real, { kind: "tick" });
      if (model.linkUp && !model.stopped && real.machine.stateOf(this.address) !== "holding") {
        assert.ok(real.machine.stateOf(this.address) === "probing" || !again.some((a) => a.kind === "add"), "an inconclusive probe was not sent again");
      }
    }
  }
  toString = () => `probe(${this.address}) answered by ${this.answeredBy}${this.stale ? " (stale id)" : ""}`;
}

class ClaimHeardCommand implements fc.Command<Model, Real> {
  constructor(readonly address: string, readonly isPeer: boolean, readonly how: "request" | "reply" | "probe") {}
  check = () => true;
  run(model: Model, real: Real): void {
    const before = real.machine.stateOf(this.address);
    const actions = apply(model, real, { kind: "claim-heard", address: this.address, mac: this.isPeer ? "02:00:00:00:00:18" : "02:00:00:00:00:99", isPeer: this.isPeer, how: this.how });
    if (before === "holding" && this.address === PEERS && this.isPeer) {
      // the home node claims, answers for or probes for its address: yield at once
      assert.ok(actions.some((a) => a.kind === "remove" && a.address === PEERS), "did not yield to the home node");
      assert.ok(actions.some((a) => a.kind === "announce" && a.address === PEERS && a.at === "peer"), "yielded without pointing the router home");
      model.reached.yieldsToHome++;
    }
    if (before === "holding" && !this.isPeer) {
      assert.ok(!actions.some((a) => a.kind === "remove"), "yielded to a stranger");
    }
  }
  toString = () => `claim-heard(${this.address}, ${this.isPeer ? "peer" : "stranger"}, ${this.how})`;
}

class LinkCommand implements fc.Command<Model, Real> {
  constructor(readonly up: boolean) {}
  check = () => true;
  run(model: Model, real: Real): void {
    // a peer check's verdict while our link was down is not the peer's: it starts over, up
    if (this.up && !model.linkUp) for (const c of model.checks.values()) Object.assign(c, { down: false, streak: 0 });
    const held = model.present.has(PEERS);
    const wasUp = model.linkUp;
    model.linkUp = this.up;
    if (!this.up) model.claimRequested = false;
    const actions = apply(model, real, { kind: "link", up: this.up });
    if (!this.up && !model.stopped) {
      assert.ok(!model.present.has(PEERS), "kept the peer's address with our link down");
      if (held && wasUp) {
        model.reached.releasedOnLinkDown++;
        model.handBackOwed = true;
      }
    }
    if (this.up && !wasUp && !model.stopped && model.handBackOwed) {
      // given up while we could not say so: the router is pointed home once we can
      assert.ok(actions.some((a) => a.kind === "announce" && a.address === PEERS && a.at === "peer"), "the peer's address, given up while our link was down, was not announced at the peer's MAC on link-up");
      model.handBackOwed = false;
    }
  }
  toString = () => `link(${this.up ? "up" : "down"})`;
}

class TickCommand implements fc.Command<Model, Real> {
  constructor(readonly advanceMicros: number) {}
  check = () => true;
  run(model: Model, real: Real): void {
    model.now += this.advanceMicros;
    const heldBefore = model.present.has(PEERS);
    const actions = apply(model, real, { kind: "tick" });
    // while holding the peer's address, it is asked for at least every verify interval
    if (heldBefore && model.present.has(PEERS) && this.advanceMicros >= VERIFY && !model.stopped) {
      assert.ok(actions.some((a) => a.kind === "verify"), "held the peer's address a verify interval without asking who else has it");
    }
  }
  toString = () => `tick(+${this.advanceMicros}µs)`;
}

class ClaimRequestCommand implements fc.Command<Model, Real> {
  check = () => true;
  run(model: Model, real: Real): void {
    if (model.linkUp && !model.present.has(OWN) && !model.stopped) model.claimRequested = true;
    apply(model, real, { kind: "claim-request" });
  }
  toString = () => "claim-request";
}

class StopCommand implements fc.Command<Model, Real> {
  check = (model: Readonly<Model>) => !model.stopped;
  run(model: Model, real: Real): void {
    const actions = apply(model, real, { kind: "stop" });
    model.stopped = true;
    assert.ok(!model.present.has(PEERS), "kept the peer's address after stop");
    assert.deepEqual(actions.at(-1), { kind: "stopped" });
    for (const a of actions) if (a.kind === "remove" && a.address === PEERS) assert.ok(actions.some((b) => b.kind === "announce" && b.at === "peer"), "released without announcing the hand-back");
  }
  toString = () => "stop";
}

// Weighted so that runs reach the interesting states: peer checks fail often enough to reach fall,
// probes come back, and the run is long enough to claim, hold, verify and yield.
const commands = (manual: boolean) => [
  fc.oneof(
    ...(manual ? [{ arbitrary: fc.constant(new ClaimRequestCommand()), weight: 2 }] : []),
    { arbitrary: fc.tuple(fc.constantFrom(...PEER_CHECKS, "icmp", "self-http"), fc.constantFrom<Verdict>("fail", "fail", "pass", "unknown")).map(([n, v]) => new CheckCommand(n, v)), weight: 30 },
    { arbitrary: fc.tuple(fc.constantFrom(OWN, PEERS, PEERS, ...(manual ? [OWN] : [])), fc.constantFrom("nobody" as const, "nobody" as const, "peer" as const, "stranger" as const, "inconclusive" as const), fc.boolean()).map(([a, by, stale]) => new ProbeAnswerCommand(a, by, stale)), weight: 18 },
    { arbitrary: fc.tuple(fc.constantFrom(OWN, PEERS), fc.boolean(), fc.constantFrom("request" as const, "reply" as const, "probe" as const)).map(([a, p, how]) => new ClaimHeardCommand(a, p, how)), weight: 6 },
    { arbitrary: fc.boolean().map((up) => new LinkCommand(up)), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 2 * VERIFY }).map((t) => new TickCommand(t)), weight: 9 },
    { arbitrary: fc.constant(new StopCommand()), weight: 1 },
  ),
];

function runModel(peerRunsTakeover: boolean, withSelfCheck: boolean, manual = false): Reached {
  const total: Reached = { peerClaims: 0, yieldsToHome: 0, verifies: 0, inconclusive: 0, unknownIgnored: 0, releasedOnLinkDown: 0, deferred: 0, takenBackOnRequest: 0 };
  const lengths: number[] = [];
  fc.assert(
    fc.property(fc.commands(commands(manual), { maxCommands: 300, size: "max" }), (cmds) => {
      const machine = new FailoverMachine(config(peerRunsTakeover, withSelfCheck, manual ? { mode: "manual" } : undefined));
      const checks = new Map(PEER_CHECKS.map((name) => [name, { down: false, streak: 0 }]));
      const reached: Reached = { peerClaims: 0, yieldsToHome: 0, verifies: 0, inconclusive: 0, unknownIgnored: 0, releasedOnLinkDown: 0, deferred: 0, takenBackOnRequest: 0 };
      const model: Model = { now: 0, checks, probeIds: new Map(), lastProbeAnswer: new Map(), present: new Set(), stopped: false, linkUp: true, handBackOwed: false, reached, manual, claimRequested: false };
      apply(model, { machine }, { kind: "present", addresses: [] });
      lengths.push([...cmds].length);
      fc.modelRun(() => ({ model, real: { machine } }), cmds);
      for (const key of Object.keys(total) as (keyof Reached)[]) total[key] += reached[key];
    }),
    { numRuns: 1500 },
  );
  lengths.sort((a, b) => a - b);
  // the runs are long, not fast-check's small default (about 10 commands)
  assert.ok(lengths[Math.floor(lengths.length / 2)] >= 50, `median run length ${lengths[Math.floor(lengths.length / 2)]} commands`);
  return total;
}

/** The runs reach what the invariants are about: each case at least this often over the runs. */
function assertReached(reached: Reached, plainPeer: boolean, manual = false): void {
  const wanted: (keyof Reached)[] = ["peerClaims", "verifies", "inconclusive", "unknownIgnored", "releasedOnLinkDown", ...(plainPeer ? [] : (["yieldsToHome"] as const)), ...(manual ? (["deferred", "takenBackOnRequest"] as const) : [])];
  for (const key of wanted) assert.ok(reached[key] >= 20, `the runs reached ${key} only ${reached[key]} times: ${JSON.stringify(reached)}`);
}

describe("failover machine (model-based)", () => {
  it("keeps its invariants with a peer running takeover", () => assertReached(runModel(true, false), false));
  it("keeps its invariants with a plain peer", () => assertReached(runModel(false, false), true));
  it("keeps its invariants with self checks", () => assertReached(runModel(true, true), false));
  it("keeps its invariants with failback: manual (our address taken from the peer only on a claim request)", () => assertReached(runModel(true, false, true), false, true));
});

describe("failover machine (scenarios)", () => {
  const at = (n: number) => n * 1000;

  it("takes the peer's address after fall failures, probes first, announces on claim", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    assert.equal(m.stateOf(OWN), "probing");
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(1));
    assert.equal(m.stateOf(OWN), "holding");
    for (let i = 0; i < FALL - 1; i++) assert.ok(!m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(2 + i)).some((a) => a.kind === "probe"));
    const actions = m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(10));
    assert.ok(actions.some((a) => a.kind === "probe" && a.address === PEERS));
    const claim = m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(11));
    assert.deepEqual(claim.filter((a) => a.kind !== "log").map((a) => a.kind), ["add", "announce"]);
  });

  it("does not claim when the probe is answered (split brain), and says who answered", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(1 + i));
    const actions = m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS, answeredBy: { mac: "02:00:00:00:00:18", isPeer: true } }, at(10));
    assert.ok(!actions.some((a) => a.kind === "add"));
    const log = actions.find((a) => a.kind === "log" && a.event === "not-claiming");
    assert.ok(log?.kind === "log" && log.detail.includes("02:00:00:00:00:18"));
    // and probes again only after the retry interval
    assert.ok(!m.handle({ kind: "tick" }, at(20)).some((a) => a.kind === "probe"));
    assert.ok(m.handle({ kind: "tick" }, at(10) + 50_000).some((a) => a.kind === "probe"));
  });

  it("hands a plain peer its address back once its checks pass, announcing at the peer's MAC", () => {
    const m = new FailoverMachine(config(false, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(1 + i));
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(10));
    assert.equal(m.stateOf(PEERS), "holding");
    assert.equal(m.checkRunnable("http-public"), false, "the peer's public address is ours now: checking it would check ourselves");
    m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(11));
    const actions = m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(12));
    assert.deepEqual(actions.filter((a) => a.kind !== "log"), [{ kind: "remove", address: PEERS }, { kind: "announce", address: PEERS, at: "peer", reason: "hand-back" }]);
  });

  it("releases our own address while self checks fail, and takes it back when they pass", () => {
    const m = new FailoverMachine(config(true, true));
    m.handle({ kind: "present", addresses: [OWN] }, 0);
    assert.equal(m.stateOf(OWN), "idle", "self checks have not passed yet: the leftover address is removed");
    for (let i = 0; i < RISE; i++) m.handle({ kind: "check", name: "self-http", verdict: "pass" }, at(1 + i));
    assert.equal(m.stateOf(OWN), "probing");
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN, answeredBy: { mac: "02:00:00:00:00:18", isPeer: true } }, at(5));
    assert.equal(m.stateOf(OWN), "holding", "the peer answering for our address is not a reason to wait: it yields on our claim");
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "self-http", verdict: "fail" }, at(10 + i));
    assert.equal(m.stateOf(OWN), "idle");
  });

  it("answers a claimer's burst at once, then a claim its bucket holds back as soon as it allows, so the last word is ours", () => {
    const m = new FailoverMachine({ ...config(true, false), defendBurst: 3, defendMicros: 100_000 });
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(1));
    const claim = (mac: string) => ({ kind: "claim-heard", address: OWN, mac, isPeer: false, how: "request" }) as const;
    const defends = (actions: Action[]) => actions.filter((a) => a.kind === "announce" && a.address === OWN && a.reason === "defend").length;
    const start = at(10);
    for (let i = 0; i < 3; i++) assert.equal(defends(m.handle(claim("02:00:00:00:00:99"), start + i * 1000)), 1, `claim ${i + 1} of the burst is answered at once`);
    assert.equal(defends(m.handle(claim("02:00:00:00:00:99"), start + 3000)), 0, "the fourth, past the burst, is held back");
    assert.equal(defends(m.handle(claim("02:00:00:00:00:98"), start + 4000)), 1, "another claimer has a bucket of its own (and its defence, later, answers the held-back claim too)");
    assert.equal(m.nextWakeup(), Infinity, "nothing is owed then");
    assert.equal(defends(m.handle(claim("02:00:00:00:00:99"), start + 5000)), 0, "the first claimer's bucket is still empty");
    // 3 tokens taken by +2 ms, 5 ms of refill = 0.05 token: the next is due about 95 ms later
    assert.ok(m.nextWakeup() <= start + 2000 + 100_000, `the held-back claim is owed by its bucket's next token (wakeup ${m.nextWakeup() - start})`);
    assert.equal(defends(m.handle({ kind: "tick" }, start + 50_000)), 0);
    assert.equal(defends(m.handle({ kind: "tick" }, m.nextWakeup())), 1, "answered as soon as the bucket allows");
    assert.equal(defends(m.handle({ kind: "tick" }, start + 3_000_000)), 0, "and only once");
  });

  it("answers every claim of a claimer at 100 claims a second with the default bucket, at most 20 ms late", () => {
    const m = new FailoverMachine({ ...config(true, false), defendBurst: 10, defendMicros: 20_000 });
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(1));
    const start = at(10);
    const defended = (actions: Action[]) => actions.some((a) => a.kind === "announce" && a.address === OWN && a.reason === "defend");
    let oldestUnanswered: number | undefined;
    let worst = 0;
    let heldBack = 0;
    for (let t = start; t < start + 5_000_000; t += 1000) {
      if ((t - start) % 10_000 === 0) {
        if (defended(m.handle({ kind: "claim-heard", address: OWN, mac: "02:00:00:00:00:99", isPeer: false, how: "request" }, t))) oldestUnanswered = undefined;
        else {
          heldBack++;
          oldestUnanswered ??= t;
        }
      } else if (m.nextWakeup() <= t && defended(m.handle({ kind: "tick" }, t)) && oldestUnanswered !== undefined) {
        worst = Math.max(worst, t - oldestUnanswered);
        oldestUnanswered = undefined;
      }
    }
    assert.ok(heldBack > 100, `past the burst, claims are held back (${heldBack} of 500)`);
    assert.ok(worst <= 20_000, `a claim waited ${worst} µs for its defence`);
  });

  it("shares a claimer's bucket fairly among several addresses: a storm on four at 100 rounds a second leaves none of them undefended for longer than four tokens' time", () => {
    // the storm names .37 first in every round: without the longest-owed-first rule every token went
    // to .37, and .38–.40 stayed at the claimer's MAC (as the router sees it) for the whole storm
    const ours = ["192.0.2.37", "192.0.2.38", "192.0.2.39", "192.0.2.40"];
    const m = new FailoverMachine({ ...config(true, false), addresses: [...ours.map((address) => ({ address, home: true })), { address: PEERS, home: false }], defendBurst: 10, defendMicros: 20_000 });
    m.handle({ kind: "present", addresses: [] }, 0);
    for (const address of ours) m.handle({ kind: "probe-result", id: m.probeInFlight(address) ?? 0, address }, at(1));
    assert.deepEqual(ours.map((a) => m.stateOf(a)), ["holding", "holding", "holding", "holding"]);
    const start = at(10);
    const oldestUnanswered = new Map<string, number>();
    const worst = new Map(ours.map((a) => [a, 0]));
    const defences = new Map(ours.map((a) => [a, 0]));
    const answered = (actions: Action[], t: number) => {
      for (const a of actions) {
        if (a.kind !== "announce" || a.reason !== "defend") continue;
        defences.set(a.address, defences.get(a.address)! + 1);
        const since = oldestUnanswered.get(a.address);
        if (since !== undefined) worst.set(a.address, Math.max(worst.get(a.address)!, t - since));
        oldestUnanswered.delete(a.address);
      }
    };
    // every 10 ms a round: each address claimed in both forms, 10 µs apart, .37 first (as a sender's frames arrive)
    for (let t = start; t < start + 5_000_000; t += 100) {
      if ((t - start) % 10_000 === 0) {
        let at = t;
        for (const address of ours) {
          if (!oldestUnanswered.has(address)) oldestUnanswered.set(address, at);
          for (const how of ["request", "reply"] as const) {
            answered(m.handle({ kind: "claim-heard", address, mac: "02:00:00:00:00:99", isPeer: false, how }, at), at);
            at += 10;
          }
        }
      } else if (m.nextWakeup() <= t) answered(m.handle({ kind: "tick" }, t), t);
    }
    // a claim still unanswered at the end has waited until then
    for (const [address, since] of oldestUnanswered) worst.set(address, Math.max(worst.get(address)!, start + 5_000_000 - since));
    for (const address of ours) {
      assert.ok(worst.get(address)! <= 4 * 20_000 + 10_000, `${address}: a claim waited ${worst.get(address)} µs for its defence (defences: ${[...defences].map(([a, n]) => `${a} ${n}`).join(", ")})`);
    }
    const total = [...defences.values()].reduce((x, y) => x + y, 0);
    assert.ok(total <= 10 + 5_000_000 / 20_000 + 1, `the bucket still bounds the defences: ${total} in 5 s`);
  });

  it("announces its own address every second while the peer is down", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(1));
    assert.ok(!m.handle({ kind: "tick" }, at(1) + 1_500_000).some((a) => a.kind === "announce"), "the peer up: no refresh (announce.refresh 0)");
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(2000 + i));
    const t = at(2000 + FALL);
    assert.ok(m.handle({ kind: "tick" }, t + 1_000_000).some((a) => a.kind === "announce" && a.address === OWN && a.reason === "refresh"), "refreshed a second later");
  });

  it("announces the peer's address it holds every second too while the peer is down (an announcement the router missed is made good)", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(1));
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(2 + i));
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(10));
    assert.equal(m.stateOf(PEERS), "holding");
    assert.ok(!m.handle({ kind: "tick" }, at(10) + 900_000).some((a) => a.kind === "announce" && a.address === PEERS));
    assert.ok(m.handle({ kind: "tick" }, at(10) + 1_000_000).some((a) => a.kind === "announce" && a.address === PEERS && a.at === "ours" && a.reason === "refresh"), "refreshed a second after the claim");
  });

  it("on SIGTERM gives back the peer's address and keeps its own", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(1));
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(2 + i));
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(10));
    const actions = m.handle({ kind: "stop" }, at(11));
    assert.deepEqual(actions.filter((a) => a.kind !== "log"), [{ kind: "remove", address: PEERS }, { kind: "announce", address: PEERS, at: "peer", reason: "hand-back" }, { kind: "stopped" }]);
  });
});

describe("failover machine (reconfigure, reconcile, link, strangers, wake-ups)", () => {
  const at = (n: number) => n * 1000;
  /** A machine holding its own address and the peer's (the peer down after FALL failures). */
  function holdingBoth(c: MachineConfig = config(true, false)): FailoverMachine {
    const m = new FailoverMachine(c);
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(1));
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(2 + i));
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(10));
    assert.equal(m.stateOf(OWN), "holding");
    assert.equal(m.stateOf(PEERS), "holding");
    return m;
  }
  const kinds = (actions: Action[]) => actions.filter((a) => a.kind !== "log").map((a) => `${a.kind}${"address" in a ? ` ${a.address}` : ""}${a.kind === "announce" ? ` at ${a.at} (${a.reason})` : ""}`);
  const logs = (actions: Action[]) => actions.flatMap((a) => (a.kind === "log" ? [`${a.event}${a.address ? ` ${a.address}` : ""}: ${a.detail}`] : []));

  it("reconfigure keeps what is held and each check's verdict by name; a new fall takes effect", () => {
    const m = holdingBoth();
    m.reconfigure({ ...config(true, false), checks: [{ name: "icmp", role: "peer", fall: 5, rise: 4 }] });
    assert.equal(m.stateOf(PEERS), "holding");
    assert.equal(m.peerUp, false, "the icmp check keeps its verdict (down)");
    for (let i = 0; i < 3; i++) m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(20 + i));
    assert.equal(m.peerUp, false, "rise 4 now: three passes are not enough");
    m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(24));
    assert.equal(m.peerUp, true);
    assert.equal(m.config.checks[0].fall, 5);
  });

  it("reconfigure refuses other addresses: that needs a restart", () => {
    const m = holdingBoth();
    assert.throws(() => m.reconfigure({ ...config(true, false), addresses: [{ address: OWN, home: true }, { address: "192.0.2.99", home: false }] }), /the managed addresses changed: that needs a restart/);
    assert.throws(() => m.reconfigure({ ...config(true, false), addresses: [{ address: OWN, home: false }, { address: PEERS, home: true }] }), /needs a restart/);
    assert.equal(m.stateOf(PEERS), "holding");
  });

  it("a new check starts up while we hold our address (it must fail fall times to count), a self check included", () => {
    const m = holdingBoth(config(true, false));
    m.reconfigure({ ...config(true, false), checks: [...config(true, false).checks, { name: "tcp", role: "peer", fall: 2, rise: 1 }, { name: "self-http", role: "self", fall: 1, rise: 1 }] });
    assert.equal(m.selfUp, true, "a reload does not take our address away before the new self check has failed");
    assert.equal(m.peerUp, false, "the peer's verdict is kept by name");
    m.handle({ kind: "check", name: "self-http", verdict: "fail" }, at(30));
    assert.equal(m.selfUp, false);
  });

  it("yields to a stranger's claim only when configured to", () => {
    const kept = holdingBoth();
    const claim = { kind: "claim-heard", address: PEERS, mac: "02:00:00:00:00:99", isPeer: false, how: "request" } as const;
    assert.deepEqual(kinds(kept.handle(claim, at(20))), [`announce ${PEERS} at ours (defend)`]);
    assert.equal(kept.stateOf(PEERS), "holding");
    const yielding = holdingBoth({ ...config(true, false), yieldToStrangers: true });
    const actions = yielding.handle(claim, at(20));
    assert.deepEqual(kinds(actions).slice(0, 1), [`remove ${PEERS}`]);
    assert.match(logs(actions)[0], /^yield 192\.0\.2\.36: 02:00:00:00:00:99 claims 192\.0\.2\.36; configured to yield to strangers$/);
    assert.equal(yielding.stateOf(PEERS), "idle");
    assert.equal(yielding.stateOf(OWN), "holding", "only the claimed address goes");
  });

  it("at start keeps our own address found on the interface, removes the peer's and announces it home", () => {
    const m = new FailoverMachine(config(true, false));
    const actions = m.handle({ kind: "present", addresses: [OWN, PEERS] }, 0);
    assert.equal(m.stateOf(OWN), "holding");
    assert.deepEqual(kinds(actions), [`announce ${OWN} at ours (claim)`, `remove ${PEERS}`, `announce ${PEERS} at peer (hand-back)`]);
    assert.ok(logs(actions).some((l) => /^reconcile 192\.0\.2\.37: our address is already on the interface: keeping it$/.test(l)));
  });

  it("at start with the link down removes both, and owes the peer's hand-back until the link is back", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "link", up: false }, 0);
    const actions = m.handle({ kind: "present", addresses: [OWN, PEERS] }, 0);
    assert.deepEqual(kinds(actions), [`remove ${OWN}`, `remove ${PEERS}`]);
    const up = m.handle({ kind: "link", up: true }, at(5));
    assert.ok(kinds(up).includes(`announce ${PEERS} at peer (hand-back)`), kinds(up).join(", "));
    assert.ok(!kinds(m.handle({ kind: "link", up: false }, at(6))).includes(`announce ${PEERS} at peer (hand-back)`));
    assert.ok(!kinds(m.handle({ kind: "link", up: true }, at(7))).includes(`announce ${PEERS} at peer (hand-back)`), "owed once, paid once");
  });

  it("with self checks failing at start, our own address found on the interface is removed", () => {
    const m = new FailoverMachine(config(true, true));
    const actions = m.handle({ kind: "present", addresses: [OWN] }, 0);
    assert.deepEqual(kinds(actions), [`remove ${OWN}`]);
    assert.equal(m.stateOf(OWN), "idle");
  });

  it("link down releases both and owes the hand-back; link up announces what is held and pays it", () => {
    const m = holdingBoth();
    const down = m.handle({ kind: "link", up: false, why: "eth0 has no carrier" }, at(20));
    assert.deepEqual(kinds(down), [`remove ${OWN}`, `remove ${PEERS}`]);
    assert.ok(logs(down).some((l) => l === "link-down: link down: eth0 has no carrier"));
    const up = m.handle({ kind: "link", up: true }, at(30));
    assert.ok(kinds(up).includes(`announce ${PEERS} at peer (hand-back)`));
    assert.equal(m.peerUp, true, "what the peer checks said while our link was down is forgotten");
    assert.equal(m.stateOf(OWN), "probing", "our own address is claimed again");
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(31));
    const again = m.handle({ kind: "link", up: false }, at(32));
    assert.deepEqual(kinds(again), [`remove ${OWN}`]);
    const up2 = m.handle({ kind: "link", up: true }, at(40));
    assert.ok(!kinds(up2).some((k) => k.includes("hand-back")), "nothing owed the second time");
  });

  it("nextWakeup: a retry, the verify while holding the peer's address, the refresh while the peer is down", () => {
    const m = new FailoverMachine(config(true, false));
    assert.equal(m.nextWakeup(), Infinity, "nothing to do before start");
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN, answeredBy: { mac: "02:00:00:00:00:99", isPeer: false } }, at(1));
    assert.equal(m.stateOf(OWN), "idle");
    assert.equal(m.nextWakeup(), at(1) + 50_000, "the retry after an answered probe");
    m.handle({ kind: "tick" }, at(1) + 50_000);
    assert.equal(m.stateOf(OWN), "probing");
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(60));
    assert.equal(m.nextWakeup(), Infinity, "holding our own address with the peer up and no refresh: nothing");
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(61 + i));
    // the peer down: our own address refreshed a second after its last announcement
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(100));
    assert.equal(m.nextWakeup(), at(100) + VERIFY, "the verify of the peer's address comes first");
    const verify = m.handle({ kind: "tick" }, at(100) + VERIFY);
    assert.deepEqual(kinds(verify), [`verify ${PEERS}`]);
    const refresh = m.handle({ kind: "tick" }, at(60) + 1_000_000);
    assert.ok(kinds(refresh).includes(`announce ${OWN} at ours (refresh)`), kinds(refresh).join(", "));
  });

  it("a probe result for an older probe id is ignored", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    const first = m.probeInFlight(OWN)!;
    m.handle({ kind: "probe-result", id: first, address: OWN, inconclusive: "not sent" }, at(1));
    m.handle({ kind: "tick" }, at(1) + 20_000);
    const second = m.probeInFlight(OWN)!;
    assert.ok(second > first, "each probe has a new id");
    assert.deepEqual(m.handle({ kind: "probe-result", id: first, address: OWN }, at(30)), []);
    assert.equal(m.stateOf(OWN), "probing");
    m.handle({ kind: "probe-result", id: second, address: OWN }, at(31));
    assert.equal(m.stateOf(OWN), "holding");
  });
});

describe("failover machine (failback: immediate, delay, manual)", () => {
  const PEER_MAC = "02:00:00:00:00:18";
  const withFailback = (failback: MachineConfig["failback"], selfCheck = false): MachineConfig => ({ ...config(true, selfCheck), ...(failback === undefined ? {} : { failback }) });
  const peerAnswers = (m: FailoverMachine, now: number, address = OWN) => m.handle({ kind: "probe-result", address, id: m.probeInFlight(address) ?? 0, answeredBy: { mac: PEER_MAC, isPeer: true } }, now);
  const nobodyAnswers = (m: FailoverMachine, now: number, address = OWN) => m.handle({ kind: "probe-result", address, id: m.probeInFlight(address) ?? 0 }, now);
  const probeOf = (actions: Action[], address = OWN) => actions.find((a): a is Extract<Action, { kind: "probe" }> => a.kind === "probe" && a.address === address);

  it("immediate (the default): our address held by the peer is probed for and taken back at once", () => {
    const m = new FailoverMachine(withFailback(undefined));
    const start = m.handle({ kind: "present", addresses: [] }, 0);
    assert.equal(probeOf(start)?.ask, undefined, "a plain RFC 5227 probe");
    const actions = peerAnswers(m, 1000);
    assert.ok(actions.some((a) => a.kind === "add" && a.address === OWN));
  });

  it("manual: a fresh start whose address the peer holds only asks, does not claim, and asks again every retry", () => {
    const m = new FailoverMachine(withFailback({ mode: "manual" }));
    const start = m.handle({ kind: "present", addresses: [] }, 0);
    assert.equal(probeOf(start)?.ask, true, "asked from our real address, which the peer does not take for a claim");
    const first = peerAnswers(m, 1000);
    assert.ok(!first.some((a) => a.kind === "add"));
    assert.ok(first.some((a) => a.kind === "log" && a.event === "not-claiming" && a.detail.includes("takeover claim")));
    assert.equal(m.stateOf(OWN), "idle");
    assert.ok(!m.handle({ kind: "tick" }, 20_000).some((a) => a.kind === "probe"), "asked again before the retry interval");
    const again = m.handle({ kind: "tick" }, 51_000);
    assert.equal(probeOf(again)?.ask, true);
    const second = peerAnswers(m, 52_000);
    assert.ok(!second.some((a) => a.kind === "log"), "the not-claiming line is told once, not on every ask");
    // an hour later, still the peer's
    for (let t = 100_000; t < 3_600_000_000; t += 60_000_000) {
      m.handle({ kind: "tick" }, t);
      if (m.stateOf(OWN) === "probing") assert.ok(!peerAnswers(m, t + 1000).some((a) => a.kind === "add"));
    }
    assert.notEqual(m.stateOf(OWN), "holding");
  });

  it("manual: nobody holding our address (the ask unanswered) claims it as today", () => {
    const m = new FailoverMachine(withFailback({ mode: "manual" }));
    m.handle({ kind: "present", addresses: [] }, 0);
    const actions = nobodyAnswers(m, 1000);
    assert.deepEqual(actions.filter((a) => a.kind !== "log"), [{ kind: "add", address: OWN }, { kind: "announce", address: OWN, at: "ours", reason: "claim" }]);
  });

  it("manual: a claim request takes it back at once with a real probe, and the next failback waits again", () => {
    const m = new FailoverMachine(withFailback({ mode: "manual" }));
    m.handle({ kind: "present", addresses: [] }, 0);
    peerAnswers(m, 1000);
    const request = m.handle({ kind: "claim-request" }, 5000);
    assert.ok(request.some((a) => a.kind === "log" && a.event === "claim-request" && /taking our addresses back/.test(a.detail)));
    const probe = probeOf(request);
    assert.ok(probe !== undefined && probe.ask === undefined, "probed at once, not after the retry interval");
    const claim = peerAnswers(m, 6000);
    assert.ok(claim.some((a) => a.kind === "add" && a.address === OWN), "the peer's answer does not stop the home node");
    assert.equal(m.stateOf(OWN), "holding");
    // released (self down is modelled by the link going down here), then back: it waits again
    m.handle({ kind: "link", up: false }, 10_000);
    assert.equal(m.stateOf(OWN), "idle");
    const back = m.handle({ kind: "link", up: true }, 20_000);
    assert.equal(probeOf(back)?.ask, true, "the request was used up by the claim");
    assert.ok(!peerAnswers(m, 21_000).some((a) => a.kind === "add"));
  });

  it("manual: a claim request with the link down or self checks failing is refused in one line and forgotten", () => {
    const m = new FailoverMachine(withFailback({ mode: "manual" }, true));
    m.handle({ kind: "present", addresses: [] }, 0);
    const refused = m.handle({ kind: "claim-request" }, 1000);
    assert.ok(refused.some((a) => a.kind === "log" && a.event === "claim-request" && /self checks fail/.test(a.detail)));
    for (let i = 0; i < RISE; i++) m.handle({ kind: "check", name: "self-http", verdict: "pass" }, 2000 + i * 1000);
    assert.equal(m.stateOf(OWN), "probing");
    assert.ok(!peerAnswers(m, 10_000).some((a) => a.kind === "add"), "a refused request does not count later");
  });

  it("a claim request while holding everything says so and changes nothing", () => {
    const m = new FailoverMachine(withFailback({ mode: "manual" }));
    m.handle({ kind: "present", addresses: [] }, 0);
    nobodyAnswers(m, 1000);
    const actions = m.handle({ kind: "claim-request" }, 2000);
    assert.deepEqual(actions.filter((a) => a.kind !== "log"), []);
    assert.ok(actions.some((a) => a.kind === "log" && /already/.test(a.detail)));
  });

  it("delay: the peer keeps our address until we could have held it for the delay, then we take it back", () => {
    const DELAY = 30_000_000;
    const m = new FailoverMachine(withFailback({ mode: "delay", delayMicros: DELAY }));
    m.handle({ kind: "present", addresses: [] }, 0);
    const first = peerAnswers(m, 1000);
    assert.ok(first.some((a) => a.kind === "log" && a.event === "not-claiming" && /30 s/.test(a.detail)));
    for (let t = 60_000; t < DELAY; t += 60_000) {
      const tick = m.handle({ kind: "tick" }, t);
      const probe = probeOf(tick);
      if (probe !== undefined) {
        assert.equal(probe.ask, true, `probed before the delay (at ${t} µs)`);
        assert.ok(!peerAnswers(m, t + 1000).some((a) => a.kind === "add"), `claimed before the delay (at ${t} µs)`);
      }
    }
    assert.ok(m.nextWakeup() <= DELAY, "wakes up when the delay ends");
    const due = m.handle({ kind: "tick" }, DELAY);
    const probe = probeOf(due);
    if (probe === undefined) assert.equal(m.stateOf(OWN), "probing");
    else assert.equal(probe.ask, undefined);
    const claim = peerAnswers(m, DELAY + 1000);
    assert.ok(claim.some((a) => a.kind === "add" && a.address === OWN));
  });

  it("delay: the clock starts over when self checks fail before it ends", () => {
    const DELAY = 10_000_000;
    const m = new FailoverMachine(withFailback({ mode: "delay", delayMicros: DELAY }, true));
    m.handle({ kind: "present", addresses: [] }, 0);
    for (let i = 0; i < RISE; i++) m.handle({ kind: "check", name: "self-http", verdict: "pass" }, 1000 + i * 1000);
    peerAnswers(m, 3000);
    // self down at 5 s, up again at 6 s: the delay counts from 6 s
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "self-http", verdict: "fail" }, 5_000_000 + i * 1000);
    assert.equal(m.selfUp, false);
    for (let i = 0; i < RISE; i++) m.handle({ kind: "check", name: "self-http", verdict: "pass" }, 6_000_000 + i * 1000);
    assert.equal(m.selfUp, true);
    for (let t = 6_100_000; t < 6_000_000 + DELAY; t += 500_000) {
      m.handle({ kind: "tick" }, t);
      if (m.stateOf(OWN) === "probing") assert.ok(!peerAnswers(m, t + 1000).some((a) => a.kind === "add"), `claimed at ${t} µs, before the delay counted from self up`);
    }
    m.handle({ kind: "tick" }, 6_001_000 + DELAY);
    if (m.stateOf(OWN) !== "probing") m.handle({ kind: "tick" }, 6_100_000 + DELAY);
    assert.ok(peerAnswers(m, 6_200_000 + DELAY).some((a) => a.kind === "add"));
  });

  it("delay: a claim request does not wait for the delay", () => {
    const m = new FailoverMachine(withFailback({ mode: "delay", delayMicros: 60_000_000 }));
    m.handle({ kind: "present", addresses: [] }, 0);
    peerAnswers(m, 1000);
    const request = m.handle({ kind: "claim-request" }, 2000);
    assert.equal(probeOf(request)?.ask, undefined);
    assert.ok(peerAnswers(m, 3000).some((a) => a.kind === "add"));
  });

  it("the peer's side is unchanged: holding the home node's address, it yields when the home node claims", () => {
    const m = new FailoverMachine(withFailback({ mode: "manual" }));
    m.handle({ kind: "present", addresses: [] }, 0);
    nobodyAnswers(m, 1000);
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, 2000 + i * 1000);
    nobodyAnswers(m, 10_000, PEERS);
    assert.equal(m.stateOf(PEERS), "holding");
    for (let i = 0; i < RISE; i++) m.handle({ kind: "check", name: "icmp", verdict: "pass" }, 20_000 + i * 1000);
    assert.equal(m.stateOf(PEERS), "holding", "still ours while the home node waits");
    const yielded = m.handle({ kind: "claim-heard", address: PEERS, mac: PEER_MAC, isPeer: true, how: "request" }, 30_000);
    assert.ok(yielded.some((a) => a.kind === "remove" && a.address === PEERS));
  });

  it("several addresses per side move together: each probed, claimed, yielded", () => {
    const OWN2 = "192.0.2.38";
    const PEERS2 = "192.0.2.39";
    const m = new FailoverMachine({ ...config(true, false), addresses: [{ address: OWN, home: true }, { address: OWN2, home: true }, { address: PEERS, home: false }, { address: PEERS2, home: false }] });
    const start = m.handle({ kind: "present", addresses: [] }, 0);
    assert.deepEqual(start.filter((a) => a.kind === "probe").map((a) => (a as { address: string }).address), [OWN, OWN2]);
    nobodyAnswers(m, 1000, OWN);
    nobodyAnswers(m, 1000, OWN2);
    let probes: Action[] = [];
    for (let i = 0; i < FALL; i++) probes = m.handle({ kind: "check", name: "icmp", verdict: "fail" }, 2000 + i * 1000);
    assert.deepEqual(probes.filter((a) => a.kind === "probe").map((a) => (a as { address: string }).address), [PEERS, PEERS2]);
    nobodyAnswers(m, 10_000, PEERS);
    nobodyAnswers(m, 10_000, PEERS2);
    assert.deepEqual(m.snapshot().addresses.map((a) => a.state), ["holding", "holding", "holding", "holding"]);
    m.handle({ kind: "claim-heard", address: PEERS2, mac: PEER_MAC, isPeer: true, how: "reply" }, 20_000);
    assert.equal(m.stateOf(PEERS2), "idle");
    assert.equal(m.stateOf(PEERS), "holding", "each address is handed back on its own claim");
  });
});

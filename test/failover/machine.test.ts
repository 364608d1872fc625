// The failover machine, model-based: fast-check drives it with random sequences of check results,
// probe answers, claims heard, link changes, ticks and a stop, and after every step checks the
// invariants that keep two boxes from fighting over an address.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Action, FailoverMachine, MachineConfig, MachineEvent, Verdict } from "../../src/failover/machine";

const OWN = "192.0.2.37";
const PEERS = "192.0.2.36";
const FALL = 3;
const RISE = 2;
const VERIFY = 250_000;

function config(peerRunsTakeover: boolean, withSelfCheck: boolean): MachineConfig {
  return {
    addresses: [
      { address: OWN, home: true },
      { address: PEERS, home: false },
    ],
    checks: [
      { name: "icmp", role: "peer", fall: FALL, rise: RISE },
      { name: "http-public", role: "peer", fall: FALL, rise: RISE, targetsPeerPublic: true },
      ...(withSelfCheck ? [{ name: "self-http", role: "self" as const, fall: FALL, rise: RISE }] : []),
    ],
    peerRunsTakeover,
    retryMicros: 50_000,
    refreshMicros: 0,
    defendMicros: 1_000_000,
    verifyMicros: VERIFY,
    yieldToStrangers: false,
  };
}

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
}

interface Reached {
  peerClaims: number;
  yieldsToHome: number;
  verifies: number;
  inconclusive: number;
  unknownIgnored: number;
  releasedOnLinkDown: number;
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
    if (action.kind === "probe") model.probeIds.set(action.address, action.id);
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
const commands = [
  fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...PEER_CHECKS, "icmp", "self-http"), fc.constantFrom<Verdict>("fail", "fail", "pass", "unknown")).map(([n, v]) => new CheckCommand(n, v)), weight: 30 },
    { arbitrary: fc.tuple(fc.constantFrom(OWN, PEERS, PEERS), fc.constantFrom("nobody" as const, "nobody" as const, "peer" as const, "stranger" as const, "inconclusive" as const), fc.boolean()).map(([a, by, stale]) => new ProbeAnswerCommand(a, by, stale)), weight: 18 },
    { arbitrary: fc.tuple(fc.constantFrom(OWN, PEERS), fc.boolean(), fc.constantFrom("request" as const, "reply" as const, "probe" as const)).map(([a, p, how]) => new ClaimHeardCommand(a, p, how)), weight: 6 },
    { arbitrary: fc.boolean().map((up) => new LinkCommand(up)), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 2 * VERIFY }).map((t) => new TickCommand(t)), weight: 9 },
    { arbitrary: fc.constant(new StopCommand()), weight: 1 },
  ),
];

function runModel(peerRunsTakeover: boolean, withSelfCheck: boolean): Reached {
  const total: Reached = { peerClaims: 0, yieldsToHome: 0, verifies: 0, inconclusive: 0, unknownIgnored: 0, releasedOnLinkDown: 0 };
  const lengths: number[] = [];
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 300, size: "max" }), (cmds) => {
      const machine = new FailoverMachine(config(peerRunsTakeover, withSelfCheck));
      const checks = new Map(PEER_CHECKS.map((name) => [name, { down: false, streak: 0 }]));
      const reached: Reached = { peerClaims: 0, yieldsToHome: 0, verifies: 0, inconclusive: 0, unknownIgnored: 0, releasedOnLinkDown: 0 };
      const model: Model = { now: 0, checks, probeIds: new Map(), lastProbeAnswer: new Map(), present: new Set(), stopped: false, linkUp: true, handBackOwed: false, reached };
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
function assertReached(reached: Reached, plainPeer: boolean): void {
  const wanted: (keyof Reached)[] = ["peerClaims", "verifies", "inconclusive", "unknownIgnored", "releasedOnLinkDown", ...(plainPeer ? [] : (["yieldsToHome"] as const))];
  for (const key of wanted) assert.ok(reached[key] >= 20, `the runs reached ${key} only ${reached[key]} times: ${JSON.stringify(reached)}`);
}

describe("failover machine (model-based)", () => {
  it("keeps its invariants with a peer running takeover", () => assertReached(runModel(true, false), false));
  it("keeps its invariants with a plain peer", () => assertReached(runModel(false, false), true));
  it("keeps its invariants with self checks", () => assertReached(runModel(true, true), false));
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

  it("a new check starts as a fresh start would: a peer check up, a self check not yet", () => {
    const m = holdingBoth(config(true, false));
    m.reconfigure({ ...config(true, false), checks: [...config(true, false).checks, { name: "tcp", role: "peer", fall: 2, rise: 1 }, { name: "self-http", role: "self", fall: 1, rise: 1 }] });
    assert.equal(m.selfUp, false, "the new self check has not passed yet");
    m.handle({ kind: "check", name: "self-http", verdict: "pass" }, at(30));
    assert.equal(m.selfUp, true);
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

// Fixed cases for what the mutation run (docs/mutation-survivors.md) found no test reaching: the
// exact boundaries of every interval, the log lines the daemon and the hooks report, the buckets
// that rate-limit defences, and the transitions the model never drives (a duplicate probe result, a
// claim on an address we do not hold, a check of the peer's public address alone).
describe("failover machine (boundaries, logs, rate limits)", () => {
  const at = (n: number) => n * 1000;
  const STRANGER = "02:00:00:00:00:99";
  const PEER_MAC = "02:00:00:00:00:18";
  const kinds = (actions: Action[]) => actions.filter((a) => a.kind !== "log").map((a) => `${a.kind}${"address" in a ? ` ${a.address}` : ""}${a.kind === "announce" ? ` at ${a.at} (${a.reason})` : ""}`);
  const logs = (actions: Action[]) => actions.flatMap((a) => (a.kind === "log" ? [`${a.event}${a.address ? ` ${a.address}` : ""}: ${a.detail}`] : []));
  const defends = (actions: Action[]) => actions.filter((a) => a.kind === "announce" && a.reason === "defend").length;
  const claimBy = (mac: string, address = OWN, how: "request" | "reply" | "probe" = "request") => ({ kind: "claim-heard", address, mac, isPeer: mac === PEER_MAC, how }) as const;
  /** A machine holding its own address (claimed at `claimAt`), the peer up. */
  function holdingOwn(c: MachineConfig = config(true, false), claimAt = at(1)): FailoverMachine {
    const m = new FailoverMachine(c);
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, claimAt);
    assert.equal(m.stateOf(OWN), "holding");
    return m;
  }
  function failPeer(m: FailoverMachine, from: number, name = "icmp"): Action[] {
    const all: Action[] = [];
    for (let i = 0; i < FALL; i++) all.push(...m.handle({ kind: "check", name, verdict: "fail" }, from + i));
    return all;
  }
  /** Holding both addresses, the peer down; the peer's claimed at `claimAt`. */
  function holdingBoth(c: MachineConfig = config(true, false), claimAt = at(10)): FailoverMachine {
    const m = holdingOwn(c);
    failPeer(m, at(2));
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, claimAt);
    assert.equal(m.stateOf(PEERS), "holding");
    return m;
  }

  it("a success between failures starts the fall count over: only fall failures in a row take the peer down", () => {
    const m = holdingOwn();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < FALL - 1; i++) m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(10 + round * 10 + i));
      m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(10 + round * 10 + 5));
    }
    assert.equal(m.peerUp, true, "fall - 1 failures, a pass, and again: never fall in a row");
    assert.equal(m.stateOf(PEERS), "idle");
    // and unknown results neither break nor extend a streak
    m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(100));
    m.handle({ kind: "check", name: "icmp", verdict: "unknown" }, at(101));
    m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(102));
    assert.equal(m.peerUp, true);
    const down = m.handle({ kind: "check", name: "icmp", verdict: "fail", detail: "no reply in 500 ms" }, at(103));
    assert.equal(m.peerUp, false);
    assert.deepEqual(logs(down), ["check-failed: icmp: failed 3 times in a row (no reply in 500 ms)", "peer-down: peer is down"]);
    assert.deepEqual(kinds(down), [`probe ${PEERS}`]);
  });

  it("logs the check that recovered and the peer coming back, announces our own address and asks for the peer's at once", () => {
    const m = holdingBoth();
    m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(20));
    const up = m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(21));
    assert.deepEqual(logs(up), ["check-recovered: icmp: passed 2 times in a row", "peer-up: peer is up"]);
    assert.deepEqual(kinds(up), [`announce ${OWN} at ours (peer-up)`, `verify ${PEERS}`]);
    assert.equal(m.stateOf(PEERS), "holding", "a peer running takeover gets its address back by claiming it");
  });

  it("the peer's public address checked alone: its failures take the peer down; a plain peer's hand-back waits for the other checks", () => {
    const m = holdingOwn();
    const down = failPeer(m, at(2), "http-public");
    assert.equal(m.peerUp, false, "a check of the peer's public address counts toward the peer's verdict");
    assert.ok(kinds(down).includes(`probe ${PEERS}`));

    const plain = holdingOwn(config(false, false));
    failPeer(plain, at(2), "http-public");
    assert.equal(plain.stateOf(PEERS), "probing");
    failPeer(plain, at(5), "icmp");
    plain.handle({ kind: "probe-result", id: plain.probeInFlight(PEERS) ?? 0, address: PEERS }, at(10));
    assert.equal(plain.stateOf(PEERS), "holding");
    plain.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(11));
    const back = plain.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(12));
    assert.deepEqual(kinds(back), [`remove ${PEERS}`, `announce ${PEERS} at peer (hand-back)`], "the public check cannot run while we hold the address: it does not hold the hand-back up");
    assert.ok(logs(back).includes(`hand-back ${PEERS}: peer healthy again: address released and announced at the peer's MAC`), logs(back).join("\n"));
  });

  it("runs a check only when it can say something: known names, our link up, the peer's public address not held or probed by us", () => {
    const m = holdingOwn();
    assert.equal(m.checkRunnable("no-such-check"), false);
    assert.equal(m.checkRunnable("icmp"), true);
    assert.equal(m.checkRunnable("http-public"), true, "holding only our own address: the peer's public address is the peer's");
    failPeer(m, at(2));
    assert.equal(m.stateOf(PEERS), "probing");
    assert.equal(m.checkRunnable("http-public"), false, "probing the peer's address");
    assert.equal(m.checkRunnable("icmp"), true);
    m.handle({ kind: "link", up: false }, at(5));
    assert.equal(m.checkRunnable("icmp"), false, "our link down: a failure would be about our link");
  });

  it("a peer check added by a reload starts up; a reload with fewer addresses is refused", () => {
    const m = holdingOwn();
    m.reconfigure({ ...config(true, false), checks: [...config(true, false).checks, { name: "tcp", role: "peer", fall: 2, rise: 1 }] });
    assert.equal(m.peerUp, true);
    assert.deepEqual(m.handle({ kind: "tick" }, at(5)), [], "nothing probed: the new check has not failed");
    assert.throws(() => m.reconfigure({ ...config(true, false), addresses: [{ address: OWN, home: true }] }), /the managed addresses changed: that needs a restart/);
  });

  it("logs the self checks going down and up, and only when they change", () => {
    const m = new FailoverMachine(config(true, true));
    m.handle({ kind: "present", addresses: [] }, 0);
    const first = m.handle({ kind: "check", name: "self-http", verdict: "pass" }, at(1));
    assert.deepEqual(logs(first), []);
    const up = m.handle({ kind: "check", name: "self-http", verdict: "pass" }, at(2));
    assert.deepEqual(logs(up), ["check-recovered: self-http: passed 2 times in a row", "self-up: self checks pass"]);
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(3));
    const peerDown = failPeer(m, at(4));
    assert.ok(!logs(peerDown).some((l) => l.startsWith("self-")), logs(peerDown).join("\n"));
    for (let i = 0; i < FALL - 1; i++) m.handle({ kind: "check", name: "self-http", verdict: "fail" }, at(10 + i));
    const down = m.handle({ kind: "check", name: "self-http", verdict: "fail" }, at(20));
    assert.deepEqual(logs(down), ["check-failed: self-http: failed 3 times in a row", "self-down: self checks fail", `release ${OWN}: self checks failing: giving our address up so the peer can serve it`]);
  });

  it("ignores a second result of a probe already answered, and claims heard on an address it does not hold", () => {
    const m = holdingOwn();
    const id = 1;
    assert.deepEqual(m.handle({ kind: "probe-result", id, address: OWN }, at(2)), [], "a duplicate of the probe result that made us claim");
    assert.deepEqual(m.handle(claimBy(STRANGER, PEERS), at(3)), [], "a stranger claiming the peer's address, which we do not hold");
    assert.deepEqual(m.handle(claimBy(PEER_MAC, PEERS), at(4)), []);
    failPeer(m, at(5));
    assert.equal(m.stateOf(PEERS), "probing");
    assert.deepEqual(m.handle(claimBy(STRANGER, PEERS, "probe"), at(9)), [], "probing it ourselves: another probe is the probe result's business");
  });

  it("an inconclusive probe is sent again 20 ms later; an answer with it still counts", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    const actions = m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN, inconclusive: "capture not live" }, at(100));
    assert.deepEqual(logs(actions), [`not-claiming ${OWN}: probe inconclusive (capture not live): probing again`]);
    assert.equal(m.nextWakeup(), at(100) + 20_000);
    assert.deepEqual(kinds(m.handle({ kind: "tick" }, at(100) + 19_999)), []);
    assert.deepEqual(kinds(m.handle({ kind: "tick" }, at(100) + 20_000)), [`probe ${OWN}`]);
    // the peer answered for our address, though the capture was not live throughout: we claim it
    const claim = m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN, answeredBy: { mac: PEER_MAC, isPeer: true }, inconclusive: "capture not live" }, at(200));
    assert.deepEqual(kinds(claim), [`add ${OWN}`, `announce ${OWN} at ours (claim)`]);
    assert.deepEqual(logs(claim), [`claim ${OWN}: taking our address back from the peer (${PEER_MAC})`]);
  });

  it("says who answered a probe, the peer or a stranger, and why it claims", () => {
    const m = holdingOwn();
    failPeer(m, at(2));
    const byPeer = m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS, answeredBy: { mac: PEER_MAC, isPeer: true } }, at(10));
    assert.deepEqual(logs(byPeer), [`not-claiming ${PEERS}: ${PEER_MAC} (the peer) answers for ${PEERS}: not claiming it`]);
    m.handle({ kind: "tick" }, at(10) + 50_000);
    const byStranger = m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS, answeredBy: { mac: STRANGER, isPeer: false } }, at(100));
    assert.deepEqual(logs(byStranger), [`not-claiming ${PEERS}: ${STRANGER} answers for ${PEERS}: not claiming it`]);
    m.handle({ kind: "tick" }, at(100) + 50_000);
    const claim = m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(200));
    assert.deepEqual(logs(claim), [`claim ${PEERS}: nobody answered the probe`]);
  });

  it("yields the peer's address to the home node's claim or probe, saying which, and probes again only after the retry interval", () => {
    for (const how of ["probe", "reply"] as const) {
      const m = holdingBoth();
      const actions = m.handle(claimBy(PEER_MAC, PEERS, how), at(20));
      assert.deepEqual(logs(actions), [`yield ${PEERS}: the home node (${PEER_MAC}) ${how === "probe" ? "probes for" : "claims"} ${PEERS}: handing it back`]);
      assert.equal(m.nextWakeup(), Math.min(at(20) + 50_000, at(1) + 1_000_000));
      assert.ok(!kinds(m.handle({ kind: "tick" }, at(20) + 49_999)).includes(`probe ${PEERS}`), "the peer still looks down to our checks, but it just claimed the address");
      assert.ok(kinds(m.handle({ kind: "tick" }, at(20) + 50_000)).includes(`probe ${PEERS}`));
    }
  });

  it("answers each probe for an address it holds, at most one answer per 10 ms, outside the claimers' buckets", () => {
    const m = holdingOwn({ ...config(true, false), defendBurst: 1 }, at(1));
    const t = at(1000);
    const first = m.handle(claimBy(STRANGER, OWN, "probe"), t);
    assert.equal(defends(first), 1, "the first probe is answered");
    assert.deepEqual(logs(first), [`conflict ${OWN}: ${STRANGER} (not the peer) probes for ${OWN}, which we hold: defending it`]);
    assert.equal(defends(m.handle(claimBy(STRANGER, OWN, "probe"), t + 9_999)), 0, "a second within 10 ms is not");
    assert.equal(m.nextWakeup(), Infinity, "and a probe held back owes no defence: the next probe is answered");
    assert.equal(defends(m.handle({ kind: "tick" }, t + 9_999 + 500_000)), 0);
    for (let i = 1; i <= 12; i++) assert.equal(defends(m.handle(claimBy(STRANGER, OWN, "probe"), t + i * 1_000_000)), 1, `probe ${i} a second apart: answered, though the burst is 1`);
  });

  it("counts the claims between conflict lines, one line a second at most, the next exactly a second later", () => {
    const m = holdingOwn({ ...config(true, false), defendBurst: 10, defendMicros: 1000 });
    const t = at(1000);
    assert.deepEqual(logs(m.handle(claimBy(STRANGER), t)), [`conflict ${OWN}: ${STRANGER} (not the peer) claims ${OWN}, which we hold: defending it`]);
    const second = m.handle(claimBy(STRANGER), t + 100_000);
    assert.equal(defends(second), 1);
    assert.deepEqual(logs(second), [], "answered, but not logged: within a second of the last line");
    m.handle(claimBy(STRANGER, OWN, "probe"), t + 200_000);
    assert.equal(defends(m.handle(claimBy(STRANGER, OWN, "probe"), t + 200_001)), 0, "a probe held back is counted too");
    assert.deepEqual(logs(m.handle(claimBy(STRANGER), t + 999_999)), []);
    const next = m.handle(claimBy(PEER_MAC, OWN, "reply"), t + 1_000_000);
    assert.deepEqual(logs(next), [`conflict ${OWN}: ${PEER_MAC} (the peer) claims ${OWN}, which we hold: defending it (and 4 more claim(s) since the last conflict line)`]);
    assert.deepEqual(logs(m.handle(claimBy(STRANGER), t + 2_000_000)), [`conflict ${OWN}: ${STRANGER} (not the peer) claims ${OWN}, which we hold: defending it`], "nothing in between: no count");
  });

  it("pays a held-back defence when the claimer's bucket allows, with a conflict line if the last was a second ago or more", () => {
    // burst 1, one token a second: the second claim at the same instant is held back a whole second
    const m = holdingOwn({ ...config(true, false), defendBurst: 1, defendMicros: 1_000_000 });
    const t = at(5000);
    assert.equal(defends(m.handle(claimBy(STRANGER), t)), 1);
    assert.equal(defends(m.handle(claimBy(STRANGER), t)), 0, "held back");
    assert.equal(m.nextWakeup(), t + 1_000_000);
    assert.equal(defends(m.handle({ kind: "tick" }, t + 999_999)), 0);
    const paid = m.handle({ kind: "tick" }, t + 1_000_000);
    assert.equal(defends(paid), 1);
    assert.deepEqual(logs(paid), [`conflict ${OWN}: 1 claim(s) on ${OWN} since the last conflict line: defending it again`]);
    assert.equal(m.nextWakeup(), Infinity);
    // held back again, and paid within the second: no line
    const n = holdingOwn({ ...config(true, false), defendBurst: 1, defendMicros: 100_000 });
    n.handle(claimBy(STRANGER), t);
    n.handle(claimBy(STRANGER), t);
    const early = n.handle({ kind: "tick" }, t + 100_000);
    assert.equal(defends(early), 1);
    assert.deepEqual(logs(early), []);
  });

  it("answers at most four claimers' bursts at once (the bucket of all claimers), then as that bucket refills", () => {
    // burst 1, a token a second per claimer; all claimers together: 4 at once, then one per 250 ms
    const c = { ...config(true, false), addresses: [{ address: OWN, home: true }], defendBurst: 1, defendMicros: 1_000_000 };
    const m = new FailoverMachine(c);
    m.handle({ kind: "present", addresses: [OWN] }, 0);
    const macs = ["02:00:00:00:01:01", "02:00:00:00:01:02", "02:00:00:00:01:03", "02:00:00:00:01:04", "02:00:00:00:01:05", "02:00:00:00:01:06"];
    const answered = macs.map((mac) => defends(m.handle(claimBy(mac), 0)));
    assert.deepEqual(answered, [1, 1, 1, 1, 0, 0], "four claimers answered at once, at the very start too");
    assert.equal(m.nextWakeup(), 250_000, "the held-back claim is owed when the bucket of all claimers has a token");
    assert.equal(defends(m.handle({ kind: "tick" }, 249_999)), 0);
    assert.equal(defends(m.handle({ kind: "tick" }, 250_000)), 1);
  });

  it("forgets the least recently heard of 256 claimers: a claimer forgotten starts with a full burst", () => {
    const c = { ...config(true, false), addresses: [{ address: OWN, home: true }], defendBurst: 1, defendMicros: 1_000_000 };
    const run = (others: number): number => {
      const m = new FailoverMachine(c);
      m.handle({ kind: "present", addresses: [OWN] }, 0);
      const t = at(10_000);
      m.handle(claimBy(STRANGER), t);
      for (let i = 0; i < others; i++) m.handle(claimBy(`02:00:00:01:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`), t + 1 + i);
      // 300 ms later the bucket of all claimers has a token again; the claimer's own has 0.3 unless forgotten
      return defends(m.handle(claimBy(STRANGER), t + 300_000));
    };
    assert.equal(run(255), 0, "256 claimers remembered: its bucket is still empty");
    assert.equal(run(256), 1, "the 257th pushed it out");
  });

  it("link events: a repeat changes nothing, a probe in flight is dropped at link-down, nothing held is announced at link-up", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    assert.equal(m.stateOf(OWN), "probing");
    assert.deepEqual(m.handle({ kind: "link", up: true }, at(1)), [], "already up");
    const down = m.handle({ kind: "link", up: false }, at(2));
    assert.deepEqual(logs(down), ["link-down: link down"]);
    assert.equal(m.stateOf(OWN), "idle", "the probe in flight is dropped");
    assert.equal(m.probeInFlight(OWN), undefined);
    const up = m.handle({ kind: "link", up: true }, at(3));
    assert.deepEqual(logs(up), ["link-up: link up (verified)"]);
    assert.deepEqual(kinds(up), [`probe ${OWN}`], "nothing was given up, so no hand-back; nothing held, so nothing announced");
  });

  it("link down keeps the peer checks' and the self checks' verdicts until the link is back; then only the peer checks start over", () => {
    const m = new FailoverMachine(config(true, true));
    m.handle({ kind: "present", addresses: [] }, 0);
    for (let i = 0; i < RISE; i++) m.handle({ kind: "check", name: "self-http", verdict: "pass" }, at(1 + i));
    m.handle({ kind: "probe-result", id: m.probeInFlight(OWN) ?? 0, address: OWN }, at(5));
    failPeer(m, at(6));
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "self-http", verdict: "fail" }, at(10 + i));
    assert.equal(m.selfUp, false);
    const down = m.handle({ kind: "link", up: false, why: "no carrier" }, at(20));
    assert.deepEqual(logs(down), ["link-down: link down: no carrier"], "our own address was released when the self checks failed");
    assert.equal(m.peerUp, false, "link down: the peer's verdict is kept (it is not known to be up)");
    m.handle({ kind: "link", up: true }, at(30));
    assert.equal(m.peerUp, true, "link up: the peer checks start over, up");
    assert.equal(m.selfUp, false, "the self checks keep their verdict: they are about us");
  });

  it("releases both addresses with the link down, saying why, and pays the hand-back at link-up with a log line", () => {
    const m = holdingBoth();
    const down = m.handle({ kind: "link", up: false }, at(20));
    assert.deepEqual(logs(down), ["link-down: link down", `release ${OWN}: link down`, `release ${PEERS}: our link is down: the hand-back is announced when it is back`]);
    const up = m.handle({ kind: "link", up: true, why: "own frame seen" }, at(30));
    assert.deepEqual(kinds(up), [`announce ${PEERS} at peer (hand-back)`, `probe ${OWN}`]);
    assert.deepEqual(logs(up), ["link-up: link up (verified): own frame seen", `hand-back ${PEERS}: link back: the address given up while it was down is announced at the peer's MAC`]);
  });

  it("at start, with nothing held, link down and up owes no hand-back", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "link", up: false }, at(1));
    assert.ok(!kinds(m.handle({ kind: "link", up: true }, at(2))).some((k) => k.includes("hand-back")));
  });

  it("reconciles addresses found at start once, saying what it did; a later report of them changes nothing", () => {
    const m = new FailoverMachine(config(true, true));
    const start = m.handle({ kind: "present", addresses: [OWN, PEERS] }, 0);
    assert.deepEqual(logs(start), [
      `reconcile ${OWN}: left from an earlier run: removed until the rules say to claim it`,
      `reconcile ${PEERS}: left from an earlier run: removed until the rules say to claim it, and announced at the peer's MAC`,
    ]);
    const n = holdingBoth();
    assert.deepEqual(n.handle({ kind: "present", addresses: [OWN, PEERS] }, at(20)), [], "both held already");
  });

  it("stops: releases only the peer's address it holds, saying so", () => {
    const idle = holdingOwn();
    assert.deepEqual(kinds(idle.handle({ kind: "stop" }, at(5))), ["stopped"], "the peer's address not held: nothing to give back");
    const m = holdingBoth();
    const stop = m.handle({ kind: "stop" }, at(20));
    assert.deepEqual(logs(stop), [`hand-back ${PEERS}: stopping: address released and announced at the peer's MAC`]);
    assert.deepEqual(m.handle({ kind: "tick" }, at(30)), [], "nothing after stop");
  });

  it("nextWakeup: the refresh interval while holding, none with refresh and verify off, the peer-down refresh only for what is held", () => {
    const refresh = holdingOwn({ ...config(true, false), refreshMicros: 300_000 }, at(1));
    assert.equal(refresh.nextWakeup(), at(1) + 300_000);
    assert.deepEqual(kinds(refresh.handle({ kind: "tick" }, at(1) + 299_999)), []);
    assert.deepEqual(kinds(refresh.handle({ kind: "tick" }, at(1) + 300_000)), [`announce ${OWN} at ours (refresh)`]);
    // not holding: no refresh owed
    const notYet = new FailoverMachine({ ...config(true, false), refreshMicros: 300_000 });
    notYet.handle({ kind: "present", addresses: [] }, 0);
    assert.equal(notYet.nextWakeup(), Infinity, "probing: the probe result is what comes next");

    // verify off; the peer down; its address answered for (idle, retry far away): only our own address's refresh
    const c = { ...config(true, false), verifyMicros: 0, retryMicros: 5_000_000 };
    const m = holdingOwn(c, at(1));
    failPeer(m, at(2));
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS, answeredBy: { mac: STRANGER, isPeer: false } }, at(10));
    assert.equal(m.nextWakeup(), at(1) + 1_000_000);
    // holding the peer's address with verify off: refreshed every second, never asked for
    assert.deepEqual(kinds(m.handle({ kind: "tick" }, at(10) + 5_000_000)), [`announce ${OWN} at ours (refresh)`, `probe ${PEERS}`]);
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(6000));
    assert.equal(m.stateOf(PEERS), "holding");
    assert.equal(m.nextWakeup(), at(10) + 5_000_000 + 1_000_000, "our own address's refresh; no verify, though the peer's address was claimed just now");
    assert.deepEqual(kinds(m.handle({ kind: "tick" }, at(6000) + 1)), [], "verify 0: never asked for");
  });

  it("the peer-down refresh waits a whole second after the last announcement", () => {
    const m = holdingOwn(config(true, false), 600_000);
    failPeer(m, 601_000);
    assert.deepEqual(kinds(m.handle({ kind: "tick" }, 700_000)), [], "100 ms after the claim");
    assert.deepEqual(kinds(m.handle({ kind: "tick" }, 1_599_999)), []);
    assert.deepEqual(kinds(m.handle({ kind: "tick" }, 1_600_000)), [`announce ${OWN} at ours (refresh)`]);
  });

  it("nextWakeup: a defence held back and then made moot by a yield is not waited for", () => {
    const c = { ...config(true, false), addresses: [{ address: PEERS, home: false }], verifyMicros: 0, retryMicros: 5_000_000, defendBurst: 1, defendMicros: 1_000_000 };
    const m = new FailoverMachine(c);
    m.handle({ kind: "present", addresses: [] }, 0);
    failPeer(m, at(1));
    m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(10));
    m.handle(claimBy(STRANGER, PEERS), at(20));
    m.handle(claimBy(STRANGER, PEERS), at(20));
    m.handle(claimBy(PEER_MAC, PEERS), at(30));
    assert.equal(m.stateOf(PEERS), "idle");
    assert.equal(m.nextWakeup(), at(30) + 5_000_000, "the retry, not the defence owed before the yield");
  });
});

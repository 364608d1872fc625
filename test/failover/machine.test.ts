// The failover machine, model-based: fast-check drives it with random sequences of check results,
// probe answers, claims heard, link changes, ticks and a stop, and after every step checks the
// invariants that keep two boxes from fighting over an address.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Action, FailoverMachine, MachineConfig, MachineEvent } from "../../src/failover/machine";

const OWN = "192.0.2.37";
const PEERS = "192.0.2.36";
const FALL = 3;
const RISE = 2;

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
    yieldToStrangers: false,
  };
}

/** What the test knows independently of the machine. */
interface Model {
  now: number;
  /** consecutive failures of each peer check, counted only while the check could run */
  failures: Map<string, number>;
  /** the last probe answer per address: who, if anyone */
  lastProbeAnswer: Map<string, { isPeer: boolean } | undefined>;
  /** addresses on the interface, per the add/remove actions */
  present: Set<string>;
  stopped: boolean;
  linkUp: boolean;
}

interface Real {
  machine: FailoverMachine;
}

function apply(model: Model, real: Real, event: MachineEvent): Action[] {
  model.now += 1000;
  const actions = real.machine.handle(event, model.now);
  for (const [i, action] of actions.entries()) {
    if (action.kind === "add") {
      // every claim is followed by an announcement
      assert.deepEqual(actions[i + 1], { kind: "announce", address: action.address, at: "ours", reason: "claim" }, "add without announce");
      assert.ok(!model.present.has(action.address), `added ${action.address} twice`);
      model.present.add(action.address);
      if (action.address === PEERS) {
        // never claims a foreign address without fall consecutive failures of some peer check
        assert.ok([...model.failures.values()].some((n) => n >= FALL), "claimed the peer's address while no peer check had failed fall times in a row");
        // never claims an address someone answered for in the last probe
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
  constructor(readonly name: string, readonly ok: boolean) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const runnable = real.machine.checkRunnable(this.name);
    if (runnable && model.linkUp && this.name !== "self-http") model.failures.set(this.name, this.ok ? 0 : (model.failures.get(this.name) ?? 0) + 1);
    apply(model, real, { kind: "check", name: this.name, ok: this.ok });
  }
  toString = () => `check(${this.name}, ${this.ok})`;
}

class ProbeAnswerCommand implements fc.Command<Model, Real> {
  constructor(readonly address: string, readonly answeredBy: "nobody" | "peer" | "stranger") {}
  check = (_: Readonly<Model>) => true;
  run(model: Model, real: Real): void {
    if (real.machine.stateOf(this.address) !== "probing") return;
    const answer = this.answeredBy === "nobody" ? undefined : { isPeer: this.answeredBy === "peer" };
    model.lastProbeAnswer.set(this.address, answer);
    apply(model, real, {
      kind: "probe-result",
      address: this.address,
      answeredBy: answer === undefined ? undefined : { mac: answer.isPeer ? "02:00:00:00:00:18" : "02:00:00:00:00:99", isPeer: answer.isPeer },
    });
  }
  toString = () => `probe(${this.address}) answered by ${this.answeredBy}`;
}

class ClaimHeardCommand implements fc.Command<Model, Real> {
  constructor(readonly address: string, readonly isPeer: boolean) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const before = real.machine.stateOf(this.address);
    const actions = apply(model, real, { kind: "claim-heard", address: this.address, mac: this.isPeer ? "02:00:00:00:00:18" : "02:00:00:00:00:99", isPeer: this.isPeer });
    if (before === "holding" && this.address === PEERS && this.isPeer) {
      // the home node claims its address: yield at once
      assert.ok(actions.some((a) => a.kind === "remove" && a.address === PEERS), "did not yield to the home node");
    }
    if (before === "holding" && !this.isPeer) {
      assert.ok(!actions.some((a) => a.kind === "remove"), "yielded to a stranger");
    }
  }
  toString = () => `claim-heard(${this.address}, ${this.isPeer ? "peer" : "stranger"})`;
}

class LinkCommand implements fc.Command<Model, Real> {
  constructor(readonly up: boolean) {}
  check = () => true;
  run(model: Model, real: Real): void {
    // a peer check's failures while our link is down, and before it, are not the peer's: start over
    if (this.up && !model.linkUp) model.failures.clear();
    model.linkUp = this.up;
    apply(model, real, { kind: "link", up: this.up });
    if (!this.up && !model.stopped) assert.ok(!model.present.has(PEERS), "kept the peer's address with our link down");
  }
  toString = () => `link(${this.up ? "up" : "down"})`;
}

class TickCommand implements fc.Command<Model, Real> {
  constructor(readonly advanceMicros: number) {}
  check = () => true;
  run(model: Model, real: Real): void {
    model.now += this.advanceMicros;
    apply(model, real, { kind: "tick" });
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

const commands = [
  fc.tuple(fc.constantFrom("icmp", "http-public", "self-http"), fc.boolean()).map(([n, ok]) => new CheckCommand(n, ok)),
  fc.tuple(fc.constantFrom(OWN, PEERS), fc.constantFrom("nobody" as const, "peer" as const, "stranger" as const)).map(([a, by]) => new ProbeAnswerCommand(a, by)),
  fc.tuple(fc.constantFrom(OWN, PEERS), fc.boolean()).map(([a, p]) => new ClaimHeardCommand(a, p)),
  fc.boolean().map((up) => new LinkCommand(up)),
  fc.integer({ min: 1, max: 200_000 }).map((t) => new TickCommand(t)),
  fc.constant(new StopCommand()),
];

function runModel(peerRunsTakeover: boolean, withSelfCheck: boolean): void {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 200 }), (cmds) => {
      const machine = new FailoverMachine(config(peerRunsTakeover, withSelfCheck));
      const model: Model = { now: 0, failures: new Map(), lastProbeAnswer: new Map(), present: new Set(), stopped: false, linkUp: true };
      apply(model, { machine }, { kind: "present", addresses: [] });
      fc.modelRun(() => ({ model, real: { machine } }), cmds);
    }),
    { numRuns: 1000 },
  );
}

describe("failover machine (model-based)", () => {
  it("keeps its invariants with a peer running takeover", () => runModel(true, false));
  it("keeps its invariants with a plain peer", () => runModel(false, false));
  it("keeps its invariants with self checks", () => runModel(true, true));
});

describe("failover machine (scenarios)", () => {
  const at = (n: number) => n * 1000;

  it("takes the peer's address after fall failures, probes first, announces on claim", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    assert.equal(m.stateOf(OWN), "probing");
    m.handle({ kind: "probe-result", address: OWN }, at(1));
    assert.equal(m.stateOf(OWN), "holding");
    for (let i = 0; i < FALL - 1; i++) assert.ok(!m.handle({ kind: "check", name: "icmp", ok: false }, at(2 + i)).some((a) => a.kind === "probe"));
    const actions = m.handle({ kind: "check", name: "icmp", ok: false }, at(10));
    assert.ok(actions.some((a) => a.kind === "probe" && a.address === PEERS));
    const claim = m.handle({ kind: "probe-result", address: PEERS }, at(11));
    assert.deepEqual(claim.filter((a) => a.kind !== "log").map((a) => a.kind), ["add", "announce"]);
  });

  it("does not claim when the probe is answered (split brain), and says who answered", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", ok: false }, at(1 + i));
    const actions = m.handle({ kind: "probe-result", address: PEERS, answeredBy: { mac: "02:00:00:00:00:18", isPeer: true } }, at(10));
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
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", ok: false }, at(1 + i));
    m.handle({ kind: "probe-result", address: PEERS }, at(10));
    assert.equal(m.stateOf(PEERS), "holding");
    assert.equal(m.checkRunnable("http-public"), false, "the peer's public address is ours now: checking it would check ourselves");
    m.handle({ kind: "check", name: "icmp", ok: true }, at(11));
    const actions = m.handle({ kind: "check", name: "icmp", ok: true }, at(12));
    assert.deepEqual(actions.filter((a) => a.kind !== "log"), [{ kind: "remove", address: PEERS }, { kind: "announce", address: PEERS, at: "peer", reason: "hand-back" }]);
  });

  it("releases our own address while self checks fail, and takes it back when they pass", () => {
    const m = new FailoverMachine(config(true, true));
    m.handle({ kind: "present", addresses: [OWN] }, 0);
    assert.equal(m.stateOf(OWN), "idle", "self checks have not passed yet: the leftover address is removed");
    for (let i = 0; i < RISE; i++) m.handle({ kind: "check", name: "self-http", ok: true }, at(1 + i));
    assert.equal(m.stateOf(OWN), "probing");
    m.handle({ kind: "probe-result", address: OWN, answeredBy: { mac: "02:00:00:00:00:18", isPeer: true } }, at(5));
    assert.equal(m.stateOf(OWN), "holding", "the peer answering for our address is not a reason to wait: it yields on our claim");
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "self-http", ok: false }, at(10 + i));
    assert.equal(m.stateOf(OWN), "idle");
  });

  it("on SIGTERM gives back the peer's address and keeps its own", () => {
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    m.handle({ kind: "probe-result", address: OWN }, at(1));
    for (let i = 0; i < FALL; i++) m.handle({ kind: "check", name: "icmp", ok: false }, at(2 + i));
    m.handle({ kind: "probe-result", address: PEERS }, at(10));
    const actions = m.handle({ kind: "stop" }, at(11));
    assert.deepEqual(actions.filter((a) => a.kind !== "log"), [{ kind: "remove", address: PEERS }, { kind: "announce", address: PEERS, at: "peer", reason: "hand-back" }, { kind: "stopped" }]);
  });
});

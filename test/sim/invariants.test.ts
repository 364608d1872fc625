// The invariant checker on hand-made histories: each invariant is flagged when broken, at the right
// time, and left alone by a history that keeps it, so a clean simulation run means something.
import assert from "node:assert/strict";
import { BoxFacts, InvariantChecker } from "../../src/sim/invariants";

const BRAIN: BoxFacts = { name: "brain", mac: "02:00:5e:00:00:17", publicAddress: "192.0.2.37", peerChecks: [{ name: "peer-ping", fall: 3, rise: 2 }] };
const PINKY: BoxFacts = { name: "pinky", mac: "02:00:5e:00:00:18", publicAddress: "192.0.2.36", peerChecks: [{ name: "peer-ping", fall: 3, rise: 2 }] };
const MS = 1000;

/** A checker where both boxes are healthy, hold their own address, and the router agrees, from 0. */
function healthy(): InvariantChecker {
  const c = new InvariantChecker([BRAIN, PINKY]);
  c.incarnation("brain", 1);
  c.incarnation("pinky", 1);
  for (const box of ["brain", "pinky"]) {
    c.healthy(0, box, true);
    c.link(0, box, true);
  }
  c.holders(0, "192.0.2.37", ["brain"]);
  c.holders(0, "192.0.2.36", ["pinky"]);
  c.router(0, "192.0.2.37", BRAIN.mac);
  c.router(0, "192.0.2.36", PINKY.mac);
  c.disrupted(0, false);
  c.advance(1);
  return c;
}

describe("sim: invariant 1, settled", () => {
  it("holds when each address is with its home box and the router agrees", () => {
    const c = healthy();
    c.settleFrom(1_000 * MS);
    c.advance(3_000 * MS);
    c.finish(4_000 * MS);
    assert.deepEqual(c.violations, []);
  });

  it("flags an address held by both boxes after the deadline", () => {
    const c = healthy();
    c.settleFrom(1_000 * MS);
    c.advance(1_500 * MS);
    c.holders(1_500 * MS, "192.0.2.36", ["brain", "pinky"]);
    c.disrupted(1_500 * MS, true); // (so the convergence bound stays out of it)
    c.advance(1_600 * MS);
    assert.equal(c.violations.length, 1);
    assert.equal(c.violations[0].invariant, "settled");
    assert.equal(c.violations[0].time, 1_500 * MS);
    assert.match(c.violations[0].message, /held by brain and pinky, should be pinky alone/);
  });

  it("flags a router entry at the wrong MAC", () => {
    const c = healthy();
    c.router(500 * MS, "192.0.2.37", PINKY.mac);
    c.settleFrom(1_000 * MS);
    c.advance(1_001 * MS);
    assert.equal(c.violations.length, 1);
    assert.match(c.violations[0].message, /192\.0\.2\.37 .*the router's entry is 02:00:5e:00:00:18, should be brain's 02:00:5e:00:00:17/);
  });

  it("expects the other box to hold the address of a box that is not healthy", () => {
    const c = healthy();
    c.healthy(100 * MS, "pinky", false);
    c.holders(100 * MS, "192.0.2.36", []);
    c.settleFrom(1_000 * MS);
    c.advance(1_001 * MS);
    assert.match(c.violations[0].message, /held by nobody, should be brain alone/);
    const d = healthy();
    d.healthy(100 * MS, "pinky", false);
    d.holders(100 * MS, "192.0.2.36", ["brain"]);
    d.router(100 * MS, "192.0.2.36", BRAIN.mac);
    d.settleFrom(1_000 * MS);
    d.finish(2_000 * MS);
    assert.deepEqual(d.violations, []);
  });
});

describe("sim: invariant 1 for IPv6 public addresses", () => {
  const BRAIN6: BoxFacts = { ...BRAIN, publicAddresses: ["192.0.2.37", "2001:db8:1::37"] };
  const PINKY6: BoxFacts = { ...PINKY, publicAddresses: ["192.0.2.36", "2001:db8:1::36"] };

  function dualStack(): InvariantChecker {
    const c = new InvariantChecker([BRAIN6, PINKY6]);
    for (const box of ["brain", "pinky"]) {
      c.healthy(0, box, true);
      c.link(0, box, true);
    }
    for (const [address, box, mac] of [["192.0.2.37", "brain", BRAIN.mac], ["2001:db8:1::37", "brain", BRAIN.mac], ["192.0.2.36", "pinky", PINKY.mac], ["2001:db8:1::36", "pinky", PINKY.mac]]) {
      c.holders(0, address, [box]);
      c.router(0, address, mac);
    }
    c.disrupted(0, false);
    c.advance(1);
    return c;
  }

  it("flags an IPv6 address held by the wrong box, and dual ownership of it past the bound", () => {
    const c = dualStack();
    c.holders(100 * MS, "2001:db8:1::36", ["brain", "pinky"]);
    c.advance(1_200 * MS);
    assert.deepEqual(c.violations.map((v) => v.invariant), ["convergence"]);
    assert.match(c.violations[0].message, /2001:db8:1::36 held by brain and pinky/);
    c.settleFrom(1_500 * MS);
    c.advance(1_600 * MS);
    assert.deepEqual(c.violations.map((v) => v.invariant), ["convergence", "settled"]);
    assert.match(c.violations[1].message, /^2001:db8:1::36 .*held by brain and pinky, should be pinky alone/);
  });

  it("judges IPv6 router entries from their own time: a wrong one is flagged then, not before", () => {
    const c = dualStack();
    c.router(500 * MS, "2001:db8:1::37", PINKY.mac);
    c.settleFrom(1_000 * MS, 1_000 * MS, 40_000 * MS);
    c.advance(39_000 * MS);
    assert.equal(c.violations.length, 0, "the IPv4 entries are right; the IPv6 one is not judged yet");
    c.advance(40_001 * MS);
    assert.equal(c.violations.length, 1);
    assert.equal(c.violations[0].time, 40_000 * MS);
    assert.match(c.violations[0].message, /^2001:db8:1::37 .*the router's entry is 02:00:5e:00:00:18, should be brain's/);
    const d = dualStack();
    d.router(500 * MS, "2001:db8:1::37", PINKY.mac);
    d.settleFrom(1_000 * MS, 1_000 * MS, 40_000 * MS);
    d.router(30_000 * MS, "2001:db8:1::37", BRAIN.mac);
    d.finish(41_000 * MS);
    assert.deepEqual(d.violations, [], "made good before its time");
  });
});

describe("sim: invariant 2, convergence bound", () => {
  it("flags dual ownership that outlasts 1 s of fault-free time, at the moment it does", () => {
    const c = healthy();
    c.holders(100 * MS, "192.0.2.36", ["brain", "pinky"]);
    c.advance(1_000 * MS);
    assert.equal(c.violations.length, 0);
    c.advance(1_200 * MS);
    assert.equal(c.violations.length, 1);
    assert.equal(c.violations[0].invariant, "convergence");
    assert.equal(c.violations[0].time, 1_100 * MS);
  });

  it("leaves alone dual ownership that ends within the bound", () => {
    const c = healthy();
    c.holders(100 * MS, "192.0.2.36", ["brain", "pinky"]);
    c.advance(1_100 * MS);
    c.holders(1_100 * MS, "192.0.2.36", ["pinky"]);
    c.finish(5_000 * MS);
    assert.deepEqual(c.violations, []);
  });

  it("counts only fault-free time: the bound starts again when a fault ends", () => {
    const c = healthy();
    c.disrupted(50 * MS, true);
    c.holders(100 * MS, "192.0.2.36", ["brain", "pinky"]);
    c.advance(2_000 * MS);
    c.disrupted(2_000 * MS, false);
    c.advance(2_900 * MS);
    c.disrupted(2_900 * MS, true);
    c.advance(3_000 * MS);
    c.disrupted(3_000 * MS, false);
    c.advance(3_900 * MS);
    assert.equal(c.violations.length, 0, "no fault-free stretch of the dual ownership reached 1 s");
    c.advance(4_100 * MS);
    assert.equal(c.violations[0]?.time, 4_000 * MS);
  });
});

describe("sim: invariant 3, claims backed by real failures", () => {
  const fail = (c: InvariantChecker, box: string, start: number, end = start + 3 * MS) =>
    c.check(box, 1, { name: "peer-ping", started: start, time: end, verdict: "fail" });
  const pass = (c: InvariantChecker, box: string, start: number) => c.check(box, 1, { name: "peer-ping", started: start, time: start + 1 * MS, verdict: "pass" });

  it("accepts a claim after three failures on a verified link", () => {
    const c = healthy();
    for (const t of [100, 110, 120]) fail(c, "brain", t * MS);
    c.claim(130 * MS, "brain", 1, "192.0.2.36");
    c.advance(131 * MS);
    assert.deepEqual(c.violations, []);
  });

  it("flags a claim where one of the failures overlapped a time the link was not verified", () => {
    const c = healthy();
    c.link(111 * MS, "brain", false);
    c.link(112 * MS, "brain", true);
    for (const t of [100, 110, 120]) fail(c, "brain", t * MS);
    c.claim(130 * MS, "brain", 1, "192.0.2.36");
    c.advance(131 * MS);
    assert.equal(c.violations.length, 1);
    assert.equal(c.violations[0].invariant, "claim");
    assert.equal(c.violations[0].time, 130 * MS);
    assert.match(c.violations[0].message, /brain claimed 192\.0\.2\.36/);
  });

  it("flags a claim after too few failures, and one after the peer passed `rise` times since", () => {
    const c = healthy();
    for (const t of [100, 110]) fail(c, "brain", t * MS);
    c.claim(130 * MS, "brain", 1, "192.0.2.36");
    c.advance(131 * MS);
    assert.equal(c.violations.length, 1);
    const d = healthy();
    for (const t of [100, 110, 120]) fail(d, "brain", t * MS);
    pass(d, "brain", 130 * MS);
    pass(d, "brain", 140 * MS);
    d.claim(150 * MS, "brain", 1, "192.0.2.36");
    d.advance(151 * MS);
    assert.equal(d.violations.length, 1);
    assert.match(d.violations[0].message, /since it last passed 2 times in a row/);
  });

  it("skips unknown results, ignores claims of the own address, and counts only this incarnation's checks", () => {
    const c = healthy();
    fail(c, "brain", 100 * MS);
    c.check("brain", 1, { name: "peer-ping", started: 105 * MS, time: 108 * MS, verdict: "unknown" });
    fail(c, "brain", 110 * MS);
    pass(c, "brain", 115 * MS);
    fail(c, "brain", 120 * MS);
    fail(c, "brain", 125 * MS);
    fail(c, "brain", 127 * MS);
    c.claim(130 * MS, "brain", 1, "192.0.2.36");
    c.claim(130 * MS, "brain", 1, "192.0.2.37");
    c.advance(131 * MS);
    assert.deepEqual(c.violations, [], "three real failures after one pass, and an own-address claim");
    c.incarnation("brain", 2);
    c.claim(140 * MS, "brain", 2, "192.0.2.36");
    c.advance(141 * MS);
    assert.equal(c.violations.length, 1, "a restarted daemon has no failures yet");
  });
});

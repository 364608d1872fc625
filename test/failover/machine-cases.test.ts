// The failover machine, case by case: fixed scenarios for what the mutation run
// (docs/mutation-survivors.md) found neither the model-based runs nor the scenarios of
// machine.test.ts pinning — the exact boundaries of every interval, the log lines the daemon and the
// hooks report, the buckets that rate-limit defences, and the transitions the model never drives (a
// duplicate probe result, a claim on an address we do not hold, a check of the peer's public address
// alone). Pure and fast: listed before machine.test.ts in stryker.config.json, so a mutant these
// kill costs milliseconds, not the model runs.
import assert from "node:assert/strict";
import { Action, FailoverMachine, MachineConfig } from "../../src/failover/machine";
import { config, FALL, OWN, PEERS, RISE } from "./machine-fixture";

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

  it("a plain peer whose public-address check alone failed is not handed its address the moment it is claimed, but after its other checks pass rise times", () => {
    const m = new FailoverMachine(config(false, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    // the peer answers pings (icmp passes) but its public address is gone: http-public fails
    m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(1));
    m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(2));
    failPeer(m, at(3), "http-public");
    assert.equal(m.peerUp, false);
    const claimed = m.handle({ kind: "probe-result", id: m.probeInFlight(PEERS) ?? 0, address: PEERS }, at(10));
    assert.ok(kinds(claimed).includes(`add ${PEERS}`), kinds(claimed).join(", "));
    // icmp passed rise times before the claim, but that proves nothing about the peer since
    const next = m.handle({ kind: "tick" }, at(11));
    assert.ok(!kinds(next).includes(`remove ${PEERS}`), `given back at once: ${kinds(next).join(", ")}`);
    assert.equal(m.stateOf(PEERS), "holding");
    for (let i = 0; i < RISE - 1; i++) assert.ok(!kinds(m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(12 + i))).includes(`remove ${PEERS}`), `given back after ${i + 1} pass(es)`);
    // a failure in between starts the count over
    m.handle({ kind: "check", name: "icmp", verdict: "fail" }, at(20));
    for (let i = 0; i < RISE - 1; i++) assert.ok(!kinds(m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(21 + i))).includes(`remove ${PEERS}`));
    const back = m.handle({ kind: "check", name: "icmp", verdict: "pass" }, at(30));
    assert.deepEqual(kinds(back), [`remove ${PEERS}`, `announce ${PEERS} at peer (hand-back)`]);
  });

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

  it("a self check added by a reload while we hold our address keeps it until it fails fall times; added while we hold nothing, it must rise first", () => {
    const withSelf = config(true, true);
    const m = holdingOwn();
    m.reconfigure(withSelf);
    assert.equal(m.selfUp, true);
    assert.ok(!kinds(m.handle({ kind: "tick" }, at(5))).includes(`remove ${OWN}`), "released on reload");
    for (let i = 0; i < FALL - 1; i++) assert.ok(!kinds(m.handle({ kind: "check", name: "self-http", verdict: "fail" }, at(6 + i))).includes(`remove ${OWN}`));
    assert.ok(kinds(m.handle({ kind: "check", name: "self-http", verdict: "fail" }, at(10))).includes(`remove ${OWN}`), "fall failures release it");
    // a box holding nothing (its self checks failing) must see a new self check pass first
    const idle = new FailoverMachine(config(true, false));
    idle.handle({ kind: "present", addresses: [] }, 0);
    idle.handle({ kind: "link", up: false }, at(1));
    idle.reconfigure(withSelf);
    assert.equal(idle.selfUp, false);
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
    const m = new FailoverMachine(config(true, false));
    m.handle({ kind: "present", addresses: [] }, 0);
    const id = m.probeInFlight(OWN)!;
    m.handle({ kind: "probe-result", id, address: OWN }, at(1));
    assert.equal(m.stateOf(OWN), "holding");
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
    assert.equal(defends(m.handle({ kind: "tick" }, t + 9_999 + 500)), 0);
    assert.equal(defends(m.handle(claimBy(STRANGER, OWN, "probe"), t + 10_000)), 1, "one exactly 10 ms after the last answer is");
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
    // half a token later, another claimer: still owed at the same time (half a token to go, 125 ms)
    assert.equal(defends(m.handle(claimBy("02:00:00:00:01:07"), 125_000)), 0);
    assert.equal(m.nextWakeup(), 250_000);
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

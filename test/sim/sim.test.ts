// Deterministic simulation of the real daemon (src/sim): a bounded number of seeds, each a generated
// fault schedule over two boxes and a router, must break no invariant; a failure prints the seed and the
// shrunk trace (replay it with `npm run sim -- --seed N`). Before that, proof that the simulator can
// fail: the same seed gives the same trace byte for byte, and toy daemons with planted bugs break the
// invariant each bug is about, on schedules where the toy without the bug breaks none.
//
// Dual-stack runs (an IPv6 public address per box, the IPv6 router) are judged the same way, and
// daemons whose IPv6 removes or NAs are lost break the invariants about IPv6 addresses.
//
// SIM_SEEDS (default 3000) sets how many seeds; SIM_FIRST_SEED (default 1) where they start.
import assert from "node:assert/strict";
import { join } from "node:path";
import { daemonFactory } from "../../src/sim/daemon-node";
import { generate, Schedule } from "../../src/sim/faults";
import type { NodeFactory } from "../../src/sim/node";
import { runSeeds } from "../../src/sim/pool";
import { runGiven } from "../../src/sim/run";
import { runSchedule } from "../../src/sim/world";
import { readNdp } from "../../src/sim/frames6";
import { fallOneFactory, neverYieldFactory, toyFactory, unknownIsFailureFactory } from "./toy-daemon";

const SEEDS = Number(process.env.SIM_SEEDS ?? 3000);
const FIRST = Number(process.env.SIM_FIRST_SEED ?? 1);

const BASE = { seed: 1, profile: "fast", starts: { brain: 0, pinky: 0 }, leftovers: [] } as const;
/** Both directions between the boxes cut for 600 ms: each takes the other's address. */
const SPLIT: Schedule = {
  ...BASE,
  faults: [
    { kind: "partition", from: "brain", to: "pinky", at: 500_000, duration: 600_000 },
    { kind: "partition", from: "pinky", to: "brain", at: 500_000, duration: 600_000 },
  ],
};
/** Brain's interface down for 30 ms, and Pinky unheard by Brain 15 ms longer. */
const DOWN_THEN_DEAF: Schedule = {
  ...BASE,
  faults: [
    { kind: "admin-down", box: "brain", at: 500_000, duration: 30_000, reopen: 0 },
    { kind: "partition", from: "pinky", to: "brain", at: 500_000, duration: 45_000 },
  ],
};
/** 25 ms of Pinky's frames lost on the way to Brain: one or two checks fail. */
const BLIP: Schedule = {
  ...BASE,
  faults: [{ kind: "net", from: "pinky", to: "brain", at: 500_000, duration: 25_000, loss: 1, delay: 0, jitter: 0, reorder: 0, reorderWindow: 0, duplicate: 0 }],
};

async function violations(schedule: Schedule, factory: NodeFactory, ignore: ("convergence" | "settled")[] = []): Promise<string[]> {
  const result = await runSchedule(schedule, { factory, ignore });
  return result.violations.map((v) => v.invariant);
}

describe("sim: the simulator can fail", () => {
  it("a toy daemon without bugs breaks nothing on the three schedules below", async () => {
    for (const schedule of [SPLIT, DOWN_THEN_DEAF, BLIP]) assert.deepEqual(await violations(schedule, toyFactory), []);
  });

  it("a daemon that never yields breaks the convergence bound, and then the settled state", async () => {
    assert.deepEqual(await violations(SPLIT, neverYieldFactory), ["convergence", "convergence"]);
    assert.deepEqual(await violations(SPLIT, neverYieldFactory, ["convergence"]), ["settled", "settled"]);
  });

  it("a daemon that counts checks made on a dead link as failures claims without real failures", async () => {
    assert.deepEqual(await violations(DOWN_THEN_DEAF, unknownIsFailureFactory), ["claim"]);
  });

  it("a daemon that claims after one failure claims without fall failures", async () => {
    assert.ok((await violations(BLIP, fallOneFactory)).includes("claim"));
  });

  it("shrinks a failing schedule to the faults that matter", async function () {
    this.timeout(60_000);
    const noisy: Schedule = {
      ...SPLIT,
      starts: { brain: 0, pinky: 300_000 },
      faults: [
        { kind: "net", from: "router", to: "brain", at: 200_000, duration: 100_000, loss: 0.2, delay: 1_000, jitter: 0, reorder: 0, reorderWindow: 0, duplicate: 0.1 },
        ...SPLIT.faults,
        { kind: "pause", box: "pinky", at: 1_300_000, duration: 50_000 },
      ],
    };
    const outcome = await runGiven(noisy, { factory: neverYieldFactory });
    assert.equal(outcome.result.violations[0]?.invariant, "convergence");
    const shrunk = outcome.shrunk;
    assert.ok(shrunk !== undefined);
    assert.equal(shrunk.violation.invariant, "convergence");
    assert.ok(shrunk.schedule.faults.length <= 2, `shrunk to ${shrunk.schedule.faults.length} faults`);
    assert.ok(shrunk.schedule.faults.every((f) => f.kind === "partition"), "only the partitions are left");
    assert.ok(shrunk.result.trace.format().includes("VIOLATION"));
  });
});

describe("sim: dual-stack runs judge the IPv6 addresses", () => {
  /** The real daemon, but its IPv6 removes are answered "removed" and leave the address on the kernel. */
  const removesLost: NodeFactory = (config, env, log) =>
    daemonFactory(config, { ...env, addresses: { ...env.addresses, removeIpv6: async (_address, written) => (written?.(), true) } }, log);
  /** The real daemon, but its Neighbor Advertisements never leave the box. */
  const nasLost: NodeFactory = (config, env, log) =>
    daemonFactory(config, { ...env, port: { ...env.port, send: (frame) => (readNdp(frame)?.kind === "advertisement" ? undefined : env.port.send(frame)) } }, log);
  /**
   * Pinky's interface goes down for good once the IPv6 router has resolved 2001:db8:1::36 to it (its
   * second NS, at 1 s): Brain takes 192.0.2.36 and 2001:db8:1::36.
   */
  const PINKY_GONE: Schedule = { ...BASE, dualStack: true, faults: [{ kind: "admin-down", box: "pinky", at: 1_500_000, duration: 0, reopen: 0, permanent: true }] };

  it("the real daemon breaks nothing on the split and on Pinky gone, and the IPv6 addresses move in the trace", async () => {
    const split = await runSchedule({ ...SPLIT, dualStack: true }, { factory: daemonFactory });
    assert.deepEqual(split.violations, []);
    const trace = split.trace.format();
    assert.match(trace, /owners +2001:db8:1::36 held by brain and pinky/);
    assert.match(trace, /router6 +2001:db8:1::37 → 02:00:5e:00:00:17 \(brain\)/);
    const gone = await runSchedule(PINKY_GONE, { factory: daemonFactory });
    assert.deepEqual(gone.violations, []);
    assert.match(gone.trace.format(), /owners +2001:db8:1::36 held by brain/);
  });

  it("a daemon whose IPv6 removes are lost keeps the peer's IPv6 address past the convergence bound", async () => {
    const result = await runSchedule({ ...SPLIT, dualStack: true }, { factory: removesLost });
    assert.deepEqual(result.violations.map((v) => v.invariant), ["convergence", "convergence"]);
    for (const v of result.violations) assert.match(v.message, /^2001:db8:1::3[67] held by brain and pinky/);
    assert.deepEqual((await runSchedule(SPLIT, { factory: removesLost })).violations, [], "the same schedule without IPv6 breaks nothing");
  });

  it("a daemon whose NAs are lost leaves the IPv6 router's entry at the dead box's MAC at the settled time", async () => {
    const result = await runSchedule(PINKY_GONE, { factory: nasLost });
    assert.deepEqual(result.violations.map((v) => v.invariant), ["settled"]);
    assert.match(result.violations[0].message, /^2001:db8:1::36 .*the router's entry is 02:00:5e:00:00:18, should be brain's/);
  });
});

describe("sim: determinism", () => {
  it("the same seed gives the same trace, byte for byte, alone or run alongside another", async () => {
    const schedule = generate(34);
    const options = { factory: daemonFactory, details: true, stopAtFirst: false };
    const once = (await runSchedule(schedule, options)).trace.format(true);
    const [twice] = await Promise.all([runSchedule(schedule, options).then((r) => r.trace.format(true)), runSchedule(generate(35), options)]);
    assert.ok(once.split("\n").length > 100);
    assert.equal(twice, once);
  });

  it("a dual-stack run too", async () => {
    const schedule: Schedule = { ...generate(1), dualStack: true };
    const options = { factory: daemonFactory, details: true, stopAtFirst: false };
    const once = (await runSchedule(schedule, options)).trace.format(true);
    const [twice] = await Promise.all([runSchedule(schedule, options).then((r) => r.trace.format(true)), runSchedule({ ...generate(35), dualStack: true }, options)]);
    assert.match(once, /router6 +2001:db8:1::3[67]/);
    assert.equal(twice, once);
  });
});

describe("sim: the daemon under simulated faults", () => {
  it(`breaks no invariant over ${Math.max(1, Math.round(SEEDS / 10))} seeds with four public addresses per box`, async function () {
    this.timeout(10 * 60_000);
    const seeds = Math.max(1, Math.round(SEEDS / 10));
    const results = await runSeeds(
      Array.from({ length: seeds }, (_, i) => FIRST + i),
      { factory: { module: join(__dirname, "../../src/sim/daemon-node.js"), export: "daemonFactory" }, shrinkLimit: 3, addressesPerBox: 4 },
    );
    const failed = results.filter((r) => r.violation !== undefined);
    const reports = failed.filter((r) => r.report !== undefined && /shrunk/.test(r.report)).map((r) => r.report);
    assert.equal(failed.length, 0, `${failed.length} of ${results.length} seeds broke an invariant with four addresses per box: ${failed.map((r) => `${r.seed} (${r.violation?.invariant})`).join(", ")}\n\n${reports.join("\n\n")}`);
  });

  it(`breaks no invariant over ${Math.max(1, Math.round(SEEDS / 10))} dual-stack seeds (an IPv6 public address per box)`, async function () {
    this.timeout(10 * 60_000);
    const seeds = Math.max(1, Math.round(SEEDS / 10));
    const results = await runSeeds(
      Array.from({ length: seeds }, (_, i) => FIRST + i),
      { factory: { module: join(__dirname, "../../src/sim/daemon-node.js"), export: "daemonFactory" }, shrinkLimit: 3, dualStack: true },
    );
    const failed = results.filter((r) => r.violation !== undefined);
    const reports = failed.filter((r) => r.report !== undefined && /shrunk/.test(r.report)).map((r) => r.report);
    assert.equal(failed.length, 0, `${failed.length} of ${results.length} dual-stack seeds broke an invariant: ${failed.map((r) => `${r.seed} (${r.violation?.invariant})`).join(", ")}\n\n${reports.join("\n\n")}`);
  });

  it(`breaks no invariant over ${SEEDS} seeds (from ${FIRST})`, async function () {
    this.timeout(10 * 60_000);
    const started = performance.now();
    const results = await runSeeds(
      Array.from({ length: SEEDS }, (_, i) => FIRST + i),
      { factory: { module: join(__dirname, "../../src/sim/daemon-node.js"), export: "daemonFactory" }, shrinkLimit: 3 },
    );
    const wall = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.violation !== undefined);
    const simulated = results.reduce((sum, r) => sum + r.simulatedMicros, 0) / 1e6;
    const longest = Math.max(...results.map((r) => r.longestDualMicros)) / 1000;
    console.log(`      ${results.length} seeds in ${wall.toFixed(1)} s (${(results.length / wall).toFixed(0)}/s, ${(simulated / wall).toFixed(0)} simulated s per s), longest dual ownership in fault-free time ${longest.toFixed(1)} ms, ${failed.length} broke an invariant`);
    const reports = failed.filter((r) => r.report !== undefined && /shrunk/.test(r.report)).map((r) => r.report);
    assert.equal(
      failed.length,
      0,
      `${failed.length} of ${results.length} seeds broke an invariant: ${failed.map((r) => `${r.seed} (${r.violation?.invariant})`).join(", ")}\n\n${reports.join("\n\n")}`,
    );
  });
});

// The simulator's clockwork: the scheduler runs events in (time, sequence) order and drains promise
// continuations between them; a daemon process's clock pauses (timers due meanwhile fire at resume,
// before I/O queued meanwhile) and dies (nothing of it runs again); seeded random streams repeat.
import assert from "node:assert/strict";
import { SimProcess } from "../../src/sim/process";
import { Random } from "../../src/sim/random";
import { Scheduler } from "../../src/sim/scheduler";

describe("sim: scheduler", () => {
  it("runs events by time, and events at one instant in the order they were scheduled", async () => {
    const s = new Scheduler(1_000);
    const seen: string[] = [];
    s.at(3_000, () => seen.push("c"));
    s.at(2_000, () => seen.push("a"));
    s.at(2_000, () => seen.push("b"));
    const cancelled = s.at(2_500, () => seen.push("x"));
    cancelled.cancelled = true;
    await s.run(() => 10_000);
    assert.deepEqual(seen, ["a", "b", "c"]);
    assert.equal(s.now, 10_000);
  });

  for (const drain of ["tick", "immediate"] as const) {
    it(`drains promise chains before the next event (${drain}), the first event too`, async () => {
      const s = new Scheduler(0, drain);
      let depth = 0;
      let seenAtNext = -1;
      s.at(10, () => {
        void (async () => {
          for (let i = 0; i < 100; i++) await Promise.resolve();
          await new Promise<void>((resolve) => queueMicrotask(resolve));
          for (let i = 0; i < 99; i++) await new Promise((resolve) => resolve(i));
          depth = 200;
        })();
      });
      s.at(10, () => (seenAtNext = depth));
      await s.run(() => 100);
      assert.equal(seenAtNext, 200);
    });
  }

  it("stops when told to, and moves `until` as it runs", async () => {
    const s = new Scheduler(0);
    let count = 0;
    const again = () => {
      count++;
      s.after(10, again);
    };
    s.at(0, again);
    await s.run(() => 1_000, () => count === 5);
    assert.equal(count, 5);
    let until = 100;
    await s.run(() => until, () => {
      until = 200;
      return false;
    });
    assert.equal(s.now, 200);
  });
});

describe("sim: process clock", () => {
  it("rounds timers below 1 ms up to 1 ms, as setTimeout does", async () => {
    const s = new Scheduler(0);
    const p = new SimProcess(s, "box", 1);
    const at: number[] = [];
    p.clock.after(0, () => at.push(s.now));
    p.clock.after(0.4, () => at.push(s.now));
    p.clock.after(2.5, () => at.push(s.now));
    await s.run(() => 10_000);
    assert.deepEqual(at, [1_000, 1_000, 2_500]);
  });

  it("while paused, holds timers and I/O; at resume runs the due timers first, then the I/O, in order", async () => {
    const s = new Scheduler(0);
    const p = new SimProcess(s, "box", 1);
    const seen: string[] = [];
    p.clock.after(20, () => seen.push("timer 20"));
    p.clock.after(10, () => seen.push("timer 10"));
    const late = p.clock.after(100, () => seen.push("timer 100"));
    s.at(5_000, () => p.pause());
    s.at(15_000, () => p.io(() => seen.push("frame 15")));
    s.at(50_000, () => p.resume());
    s.at(60_000, () => late.cancel());
    await s.run(() => 200_000);
    assert.deepEqual(seen, ["timer 10", "timer 20", "frame 15"]);
  });

  it("keeps I/O in order across a resume: I/O arriving while held I/O is delivered waits its turn", async () => {
    const s = new Scheduler(0);
    const p = new SimProcess(s, "box", 1);
    const seen: string[] = [];
    p.clock.after(20, () => p.io(() => seen.push("from a timer at resume")));
    s.at(5_000, () => p.pause());
    s.at(10_000, () => p.io(() => seen.push("held 1")));
    s.at(11_000, () => p.io(() => seen.push("held 2")));
    s.at(50_000, () => p.resume());
    await s.run(() => 100_000);
    assert.deepEqual(seen, ["held 1", "held 2", "from a timer at resume"]);
  });

  it("dies of an exception thrown out of a callback, and says so", async () => {
    const s = new Scheduler(0);
    const p = new SimProcess(s, "box", 1);
    const errors: string[] = [];
    p.onUncaught = (error) => errors.push((error as Error).message);
    const seen: string[] = [];
    p.clock.after(1, () => {
      throw new Error("boom");
    });
    p.clock.after(2, () => seen.push("later"));
    await s.run(() => 10_000);
    assert.deepEqual(errors, ["boom"]);
    assert.deepEqual(seen, []);
    assert.equal(p.alive, false);
  });

  it("once killed, runs nothing: timers and I/O are dropped", async () => {
    const s = new Scheduler(0);
    const p = new SimProcess(s, "box", 1);
    const seen: string[] = [];
    p.clock.after(10, () => seen.push("timer"));
    s.at(5_000, () => p.kill());
    s.at(6_000, () => {
      p.io(() => seen.push("io"));
      p.clock.after(1, () => seen.push("new timer"));
    });
    await s.run(() => 100_000);
    assert.deepEqual(seen, []);
    assert.equal(p.alive, false);
  });
});

describe("sim: random", () => {
  it("repeats for a seed, differs between seeds, and forks independent named streams", () => {
    const a = new Random(42);
    const b = new Random(42);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b.uint32()));
    assert.notDeepEqual(xs, Array.from({ length: 5 }, () => new Random(43).uint32()));
    const f1 = new Random(42).fork("net#1").next();
    const parent = new Random(42);
    parent.next();
    assert.equal(parent.fork("net#1").next(), f1, "a fork does not depend on what the parent drew");
    for (let i = 0; i < 1000; i++) {
      const v = a.next();
      assert.ok(v >= 0 && v < 1);
      const n = a.int(3, 7);
      assert.ok(n >= 3 && n <= 7 && Number.isInteger(n));
    }
  });
});

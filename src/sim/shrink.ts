// Shrinking a failing schedule to a short one that fails the same way (the same invariant): delta
// debugging over its faults (drop halves, quarters… down to single faults), then dropping leftover
// aliases and the start stagger, then making each fault simpler (half as long, no reopen delay, one
// network impairment at a time), then moving everything earlier. Each try is a whole run; runs are
// deterministic, so a try that still fails always will. A budget bounds the runs.
import type { Fault, NetFault, Schedule } from "./faults";
import type { InvariantName, Violation } from "./invariants";

export type Judge = (schedule: Schedule) => Promise<Violation | undefined>;

export interface Shrunk {
  readonly schedule: Schedule;
  readonly violation: Violation;
  /** runs tried */
  readonly runs: number;
}

const MIN_DURATION = 1_000;

export async function shrink(schedule: Schedule, violation: Violation, judge: Judge, budget = 400): Promise<Shrunk> {
  const invariant: InvariantName = violation.invariant;
  let best = schedule;
  let bestViolation = violation;
  let runs = 0;
  const tryIt = async (candidate: Schedule): Promise<boolean> => {
    if (runs >= budget) return false;
    runs++;
    const found = await judge(candidate);
    if (found === undefined || found.invariant !== invariant) return false;
    best = candidate;
    bestViolation = found;
    return true;
  };

  // 1. fewer faults (ddmin)
  let chunks = 2;
  while (best.faults.length > 0 && runs < budget) {
    const faults = best.faults;
    const size = Math.ceil(faults.length / chunks);
    let removed = false;
    for (let start = 0; start < faults.length; start += size) {
      const rest = [...faults.slice(0, start), ...faults.slice(start + size)];
      if (await tryIt({ ...best, faults: rest })) {
        removed = true;
        chunks = Math.max(2, chunks - 1);
        break;
      }
    }
    if (!removed) {
      if (chunks >= faults.length) break;
      chunks = Math.min(faults.length, chunks * 2);
    }
  }

  // 2. no leftovers, no stagger
  if (best.leftovers.length > 0) await tryIt({ ...best, leftovers: [] });
  if (best.starts.brain !== best.starts.pinky) {
    const at = Math.min(best.starts.brain, best.starts.pinky);
    await tryIt({ ...best, starts: { brain: at, pinky: at } });
  }

  // 3. simpler faults, one at a time, to a fixed point
  let progress = true;
  while (progress && runs < budget) {
    progress = false;
    for (let i = 0; i < best.faults.length; i++) {
      for (const simpler of simplifications(best.faults[i])) {
        const faults = best.faults.map((f, j) => (j === i ? simpler : f));
        if (await tryIt({ ...best, faults })) progress = true;
      }
    }
  }

  // 4. everything earlier
  let shift = earliest(best);
  while (shift >= MIN_DURATION && runs < budget) {
    const by = shift;
    if (!(await tryIt({ ...best, faults: best.faults.map((f) => ({ ...f, at: f.at - by })) }))) shift = Math.floor(shift / 2);
    else shift = earliest(best);
  }
  return { schedule: best, violation: bestViolation, runs };
}

/** How much earlier every fault could start: not before the later daemon start. */
function earliest(schedule: Schedule): number {
  if (schedule.faults.length === 0) return 0;
  const first = Math.min(...schedule.faults.map((f) => f.at));
  return Math.max(0, first - Math.max(schedule.starts.brain, schedule.starts.pinky));
}

/** Simpler versions of a fault, most drastic first. */
function simplifications(fault: Fault): Fault[] {
  const out: Fault[] = [];
  const permanent = "permanent" in fault && fault.permanent === true;
  if (!permanent && fault.duration > MIN_DURATION) out.push({ ...fault, duration: Math.max(MIN_DURATION, Math.floor(fault.duration / 2)) });
  if (fault.kind === "admin-down" || fault.kind === "carrier-loss" || fault.kind === "recreate") {
    if (fault.reopen > 0) out.push({ ...fault, reopen: 0 }, { ...fault, reopen: Math.floor(fault.reopen / 2) });
    if ((fault.realAfter ?? 0) > 0) out.push({ ...fault, realAfter: 0 });
  }
  if (fault.kind === "net") {
    const keys: (keyof NetFault)[] = ["duplicate", "reorder", "jitter", "delay", "loss"];
    for (const key of keys) if ((fault[key] as number) > 0) out.push({ ...fault, [key]: 0 });
    if (fault.loss > 0 && fault.loss < 1) out.push({ ...fault, loss: 1 });
  }
  return out;
}

// Running seeds: one seed's schedule through a world, and on a violation the report a person reads —
// the seed, the invariant broken, and the shrunk schedule's trace.
import { describeFault, generate, Schedule } from "./faults";
import type { Violation } from "./invariants";
import type { NodeFactory } from "./node";
import { shrink, Shrunk } from "./shrink";
import { RunResult, runSchedule, WorldOptions } from "./world";

export interface SeedOptions {
  readonly factory: NodeFactory;
  /** shrink a failing schedule (default true) */
  readonly shrink?: boolean;
  /** runs the shrinker may make */
  readonly shrinkBudget?: number;
  /** keep the detail lines in the trace of the run (not of the shrunk one) */
  readonly details?: boolean;
  readonly world?: Omit<WorldOptions, "factory" | "details">;
  /** run seeds dual-stack (Schedule.dualStack) */
  readonly dualStack?: boolean;
}

export interface SeedOutcome {
  readonly seed: number;
  readonly result: RunResult;
  readonly shrunk?: Shrunk & { readonly result: RunResult };
}

export async function runScheduleWith(schedule: Schedule, options: SeedOptions, details = false): Promise<RunResult> {
  return runSchedule(schedule, { ...options.world, factory: options.factory, details });
}

/** Runs the schedule of `seed`; on a violation, shrinks it (unless told not to). */
export async function runSeed(seed: number, options: SeedOptions): Promise<SeedOutcome> {
  const schedule = generate(seed);
  return runGiven(options.dualStack === true ? { ...schedule, dualStack: true } : schedule, options);
}

/** Runs a given schedule (a replayed shrunk one, say); on a violation, shrinks it. */
export async function runGiven(schedule: Schedule, options: SeedOptions): Promise<SeedOutcome> {
  const result = await runScheduleWith(schedule, options, options.details === true);
  const first = result.violations[0];
  if (first === undefined || options.shrink === false) return { seed: schedule.seed, result };
  const judge = async (candidate: Schedule): Promise<Violation | undefined> => (await runScheduleWith(candidate, options)).violations[0];
  const shrunk = await shrink(schedule, first, judge, options.shrinkBudget);
  const again = await runScheduleWith(shrunk.schedule, options, true);
  return { seed: schedule.seed, result, shrunk: { ...shrunk, result: again } };
}

/** What to print for a failing seed: seed, invariant, the shrunk schedule and its trace. */
export function report(outcome: SeedOutcome): string {
  const first = outcome.result.violations[0];
  if (first === undefined) return `seed ${outcome.seed}: no violation`;
  const lines = [`seed ${outcome.seed}: VIOLATION of "${first.invariant}" at ${(first.time / 1e6).toFixed(6)} s: ${first.message}`];
  const shrunk = outcome.shrunk;
  if (shrunk === undefined) {
    lines.push("", "trace:", outcome.result.trace.format());
    return lines.join("\n");
  }
  const s = shrunk.schedule;
  lines.push(
    "",
    `shrunk in ${shrunk.runs} runs to ${s.faults.length} fault(s) (from ${outcome.result.schedule.faults.length}); it fails with: ${shrunk.violation.message}`,
    `  ${s.profile} settings${s.dualStack === true ? ", dual-stack" : ""}; brain starts at ${(s.starts.brain / 1e6).toFixed(6)} s, pinky at ${(s.starts.pinky / 1e6).toFixed(6)} s${s.leftovers.length > 0 ? `; leftover alias of the peer's address on ${s.leftovers.join(", ")}` : ""}`,
    ...s.faults.map((f) => `  at ${(f.at / 1e6).toFixed(6)} s: ${describeFault(f)}`),
    `  replay: npm run sim -- --schedule '${JSON.stringify(s)}'`,
    "",
    "shrunk trace:",
    shrunk.result.trace.format(),
  );
  return lines.join("\n");
}

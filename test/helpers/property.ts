// The set-up every property test shares: fast-check's size, and a tally of the cases a run reached.
//
// fast-check 4 sizes arrays by `baseSize`, "small" by default: an array arbitrary then stays at or
// under about 10 items whatever its maxLength says, so a "random buffer of up to 120 bytes" was never
// longer than 10 and never reached an Ethernet header's EtherType. "large" (up to 1000 items, and up to
// maxLength where that is less) lets every bounded arbitrary of ours reach its stated bound. Importing
// this module sets it; .mocharc.json loads it for the whole suite too, so the setting does not depend
// on which test file runs first. An arbitrary that needs more states its own `size`.
import assert from "node:assert/strict";
import fc from "fast-check";


/**
 * PROPERTY_SCALE (a number, 1 when unset) shrinks the long property runs: `npm run mutate` sets 0.1 so
 * that each of thousands of mutants costs seconds, not a minute. `scaled(n)` is n times the scale but
 * never under `floor` (1000 unless given) nor over n: runs of 1000 or fewer are never shrunk unless a
 * property asks. A property scaled so states its minimums as shares of its runs.
 */
const SCALE = Number(process.env.PROPERTY_SCALE ?? "1");

// Under PROPERTY_SCALE < 1 (mutation testing) a failing property stops at its first counterexample:
// a mutant is killed by the failure, and shrinking it would cost more than the whole run.
fc.configureGlobal({ baseSize: "large", ...(SCALE < 1 ? { endOnFailure: true } : {}) });
export function scaled(runs: number, floor = 1000): number {
  if (!(SCALE > 0 && SCALE <= 1)) throw new Error(`PROPERTY_SCALE must be in (0, 1], not ${process.env.PROPERTY_SCALE}`);
  return Math.max(Math.min(runs, floor), Math.round(runs * SCALE));
}

/**
 * What a property run reached: a count per named case, tallied while the run goes, and minimums the
 * run must meet. A property that passes without reaching the cases it exists for proves nothing, so
 * `check` fails the test when a case was reached fewer times than its minimum. `REACH=1` in the
 * environment prints the counts (the README's reach table is made from them).
 */
export class Reach<K extends string> {
  readonly counts: Record<K, number>;
  private runs = 0;

  constructor(readonly property: string, readonly minimums: Readonly<Record<K, number>>) {
    this.counts = Object.fromEntries(Object.keys(minimums).map((key) => [key, 0])) as Record<K, number>;
  }

  /** Counts one generated case (call once per predicate call). */
  run(): void {
    this.runs++;
  }

  /** Counts `key` once when `when` holds. */
  hit(key: K, when = true): void {
    if (when) this.counts[key]++;
  }

  /** Fails unless every case was reached at least its minimum number of times. */
  check(): void {
    if (process.env.REACH === "1") process.stdout.write(`REACH ${this.property} (${this.runs} cases): ${JSON.stringify(this.counts)}\n`);
    const short = (Object.keys(this.minimums) as K[]).filter((key) => this.counts[key] < this.minimums[key]);
    assert.deepEqual(
      short.map((key) => `${key}: ${this.counts[key]} < ${this.minimums[key]}`),
      [],
      `"${this.property}" did not reach what it is for, in ${this.runs} cases: ${JSON.stringify(this.counts)}`,
    );
  }
}

// bench:sim — the deterministic simulator (src/sim) run against the real daemon for a while: seeds from
// --from (default 1) upwards, over one worker process per CPU, for --minutes M (default 2, at most 120).
// Reports schedules per second, simulated seconds per wall-clock second, events per second, and every
// seed that broke an invariant (replay one with `npm run sim -- --seed N`). Failing seeds are not
// shrunk here unless --shrink is given (the first 10 then are).
//
// Run: `npm run bench:sim -- --minutes 2 [--from N] [--workers W] [--shrink]`
import { join } from "node:path";
import { runSeeds, SeedSummary } from "../src/sim/pool";
import { checkBenchArgs } from "./args";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

function number(name: string, fallback: number, max = Infinity): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0) || value > max) {
    process.stderr.write(`${name}: "${text}" is not a number in (0, ${max}]\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  checkBenchArgs(
    "bench:sim",
    `usage: node dist/bench/sim.js [--minutes M] [--from N] [--workers W] [--shrink]
  The deterministic simulator against the real daemon: seeds from --from (default 1) upwards, one worker per CPU
  (--workers), for --minutes (default 2, at most 120). Prints schedules/s and every seed that broke an invariant
  (replay: npm run sim -- --seed N); --shrink shrinks the first 10 failing seeds.`,
    { "--minutes": true, "--from": true, "--workers": true, "--shrink": false },
  );
  const minutes = number("--minutes", 2, 120);
  const from = Math.floor(number("--from", 1));
  const workers = option("--workers") === undefined ? undefined : Math.floor(number("--workers", 1, 64));
  const shrink = process.argv.includes("--shrink");
  const deadline = performance.now() + minutes * 60_000;
  const started = performance.now();
  let count = 0;
  const failed: SeedSummary[] = [];
  const progress = setInterval(() => {
    const wall = (performance.now() - started) / 1000;
    process.stderr.write(`  ${wall.toFixed(0)} s: ${count} schedules, ${failed.length} failing\n`);
  }, 30_000);
  const results = await runSeeds(
    (function* () {
      for (let seed = from; ; seed++) yield seed;
    })(),
    {
      factory: { module: join(__dirname, "../src/sim/daemon-node.js"), export: "daemonFactory" },
      shrinkLimit: shrink ? 10 : 0,
      ...(workers === undefined ? {} : { workers }),
      more: () => performance.now() < deadline,
      onResult: (r) => {
        count++;
        if (r.violation !== undefined) failed.push(r);
      },
    },
  );
  clearInterval(progress);
  const wall = (performance.now() - started) / 1000;
  const simulated = results.reduce((sum, r) => sum + r.simulatedMicros, 0) / 1e6;
  const events = results.reduce((sum, r) => sum + r.events, 0);
  const last = results.length === 0 ? from : results[results.length - 1].seed;
  console.log(`bench:sim: ${results.length} schedules (seeds ${from}..${last}) in ${wall.toFixed(1)} s on ${workers ?? "all"} worker(s)`);
  console.log(`  ${(results.length / wall).toFixed(1)} schedules/s, ${(simulated / wall).toFixed(0)} simulated s per wall s, ${(events / wall / 1000).toFixed(0)}k events/s, ${(simulated / results.length).toFixed(2)} simulated s per schedule`);
  const byInvariant = new Map<string, number[]>();
  for (const r of failed) {
    const name = r.violation?.invariant ?? "?";
    byInvariant.set(name, [...(byInvariant.get(name) ?? []), r.seed]);
  }
  const longest = results.reduce((best, r) => (r.longestDualMicros > best.longestDualMicros ? r : best), { seed: 0, longestDualMicros: 0 });
  console.log(`  longest dual ownership in fault-free time: ${(longest.longestDualMicros / 1000).toFixed(1)} ms (seed ${longest.seed}); bound 1000 ms`);
  console.log(`  violations: ${failed.length}${failed.length === 0 ? "" : ` (${((failed.length / results.length) * 100).toFixed(2)} % of schedules)`}`);
  for (const [name, seeds] of byInvariant) console.log(`    ${name}: ${seeds.length} — seeds ${seeds.sort((a, b) => a - b).join(", ")}`);
  for (const r of failed) console.log(`  seed ${r.seed}: ${r.violation?.invariant}: ${r.violation?.message}`);
  if (shrink) for (const r of failed.filter((f) => f.report !== undefined && f.report.includes("shrunk in"))) console.log(`\n${r.report}`);
}

void main();

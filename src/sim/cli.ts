// `npm run sim`: replays seeds of the simulator against the real daemon.
//   npm run sim -- --seed N [--trace] [--no-shrink]   one seed; --trace prints its full trace
//   npm run sim -- --seeds A..B [--workers W]          a range, over worker threads; reports failures
//   npm run sim -- --schedule '<json>' [--trace]       a schedule as printed by a report (shrunk ones)
//   --addresses N (with any of them): N public addresses per box (default 1)
//   --ipv6 (with any of them): dual-stack, each box an IPv6 public address too, the IPv6 router on
//     the segment (a schedule printed by a dual-stack report carries "dualStack": true itself)
// Exit status: 0 when no invariant was broken, 1 when one was, 2 for a usage error.
import { join } from "node:path";
import { daemonFactory } from "./daemon-node";
import { describeFault, generate, Schedule } from "./faults";
import { runSeeds } from "./pool";
import { report, runGiven } from "./run";
import { catchUnhandledRejections } from "./world";

const USAGE = "usage: npm run sim -- --seed N [--trace] [--no-shrink] | --seeds A..B [--workers W] | --schedule '<json>' [--trace]; and --addresses N, --ipv6";

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function value(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const v = args[at + 1];
  if (v === undefined || v.startsWith("--")) fail(`${name} needs a value`);
  return v;
}

function integer(text: string, what: string): number {
  if (!/^\d+$/.test(text)) fail(`${what}: "${text}" is not a whole number`);
  return Number(text);
}

async function one(schedule: Schedule, trace: boolean, shrink: boolean, addressesPerBox: number): Promise<number> {
  const outcome = await runGiven(schedule, { factory: daemonFactory, shrink, details: trace, world: { addressesPerBox } });
  const r = outcome.result;
  process.stdout.write(`seed ${schedule.seed}: ${schedule.profile} settings${schedule.dualStack === true ? ", dual-stack" : ""}, ${schedule.faults.length} fault(s), ${(r.simulatedMicros / 1e6).toFixed(3)} s simulated, ${r.events} events\n`);
  for (const f of schedule.faults) process.stdout.write(`  at ${(f.at / 1e6).toFixed(6)} s: ${describeFault(f)}\n`);
  if (trace) process.stdout.write(`\ntrace:\n${r.trace.format(true)}\n\n`);
  if (r.violations.length === 0) {
    process.stdout.write("no invariant broken\n");
    return 0;
  }
  process.stdout.write(`${report(outcome)}\n`);
  return 1;
}

async function main(): Promise<number> {
  catchUnhandledRejections();
  const args = process.argv.slice(2);
  const trace = args.includes("--trace");
  const shrink = !args.includes("--no-shrink");
  const dualStack = args.includes("--ipv6");
  const stacked = (s: Schedule): Schedule => (dualStack ? { ...s, dualStack: true } : s);
  const seed = value(args, "--seed");
  const seeds = value(args, "--seeds");
  const schedule = value(args, "--schedule");
  const addressesText = value(args, "--addresses");
  const addressesPerBox = addressesText === undefined ? 1 : integer(addressesText, "--addresses");
  if (addressesPerBox < 1 || addressesPerBox > 8) fail(`--addresses: ${addressesPerBox} is not from 1 to 8`);
  if ([seed, seeds, schedule].filter((v) => v !== undefined).length !== 1) fail("give one of --seed, --seeds, --schedule");
  if (seed !== undefined) return one(stacked(generate(integer(seed, "--seed"))), trace, shrink, addressesPerBox);
  if (schedule !== undefined) {
    let parsed: Schedule;
    try {
      parsed = JSON.parse(schedule) as Schedule;
    } catch (error) {
      fail(`--schedule: not JSON: ${(error as Error).message}`);
    }
    return one(stacked(parsed), trace, shrink, addressesPerBox);
  }
  const range = /^(\d+)\.\.(\d+)$/.exec(seeds ?? "");
  if (range === null) fail(`--seeds: "${seeds}" is not a range like 1..1000`);
  const from = Number(range[1]);
  const to = Number(range[2]);
  const workersText = value(args, "--workers");
  const started = performance.now();
  const results = await runSeeds(
    (function* () {
      for (let s = from; s <= to; s++) yield s;
    })(),
    {
      factory: { module: join(__dirname, "daemon-node.js"), export: "daemonFactory" },
      shrinkLimit: shrink ? Infinity : 0,
      addressesPerBox,
      dualStack,
      ...(workersText === undefined ? {} : { workers: integer(workersText, "--workers") }),
      onResult: (r) => {
        if (r.report !== undefined) process.stdout.write(`${r.report}\n\n`);
      },
    },
  );
  const failed = results.filter((r) => r.violation !== undefined);
  const wall = (performance.now() - started) / 1000;
  process.stdout.write(`${results.length} seeds in ${wall.toFixed(1)} s: ${failed.length} broke an invariant${failed.length > 0 ? ` (seeds ${failed.map((r) => r.seed).join(", ")})` : ""}\n`);
  return failed.length > 0 ? 1 : 0;
}

void main().then((code) => process.exit(code));

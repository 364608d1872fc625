// Many seeds at once: a pool of worker processes, each running one seed at a time (the simulator is
// single-threaded and CPU-bound, so one worker per core), fed seeds on demand until the seeds run out
// or `more()` says stop. What runs on the boxes is named by module path and export (a NodeFactory),
// since a function cannot be sent to a worker. Failing seeds are shrunk in their worker, the first
// `shrinkLimit` of them (shrinking costs a few hundred runs); the others are reported by seed.
// Processes, not worker threads: the daemon's modules load libpcap's native binding, which is not
// context-aware and so loads once per process ("Module did not self-register" in a second thread).
import { fork } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import type { InvariantName } from "./invariants";

export interface FactoryRef {
  /** absolute path of the compiled module */
  readonly module: string;
  readonly export: string;
}

/** What a worker needs to run seeds: plain data. */
export interface WorkerSetup {
  readonly factory: FactoryRef;
  readonly bindAddressesToIndex?: boolean;
  /** public addresses per box (default 1) */
  readonly addressesPerBox?: number;
  /** each box has an IPv6 public address too (Schedule.dualStack) */
  readonly dualStack?: boolean;
}

/** One seed to run, as sent to a worker. */
export interface SeedRequest {
  readonly seed: number;
  readonly shrink: boolean;
}

export interface SeedSummary {
  readonly seed: number;
  readonly events: number;
  readonly simulatedMicros: number;
  readonly wallMillis: number;
  /** see RunResult.longestDualMicros */
  readonly longestDualMicros: number;
  readonly violation?: { readonly invariant: InvariantName; readonly time: number; readonly message: string };
  /** the report with the shrunk trace, for a failing seed */
  readonly report?: string;
}

export interface PoolOptions extends WorkerSetup {
  /** how many failing seeds to shrink (default: all) */
  readonly shrinkLimit?: number;
  /** default: the number of CPUs */
  readonly workers?: number;
  /** asked before each seed is handed out; false stops the run (seeds running finish) */
  readonly more?: () => boolean;
  readonly onResult?: (summary: SeedSummary) => void;
}

/** Runs `seeds` over a pool of workers; resolves with every summary, in seed order. */
export async function runSeeds(seeds: Iterable<number>, options: PoolOptions): Promise<SeedSummary[]> {
  const iterator = seeds[Symbol.iterator]();
  const results: SeedSummary[] = [];
  const count = Math.max(1, options.workers ?? cpus().length);
  const setup: WorkerSetup = {
    factory: options.factory,
    ...(options.bindAddressesToIndex === undefined ? {} : { bindAddressesToIndex: options.bindAddressesToIndex }),
    ...(options.addressesPerBox === undefined ? {} : { addressesPerBox: options.addressesPerBox }),
    ...(options.dualStack === true ? { dualStack: true } : {}),
  };
  const shrinkLimit = options.shrinkLimit ?? Infinity;
  let failures = 0;
  const next = (): number | undefined => {
    if (options.more !== undefined && !options.more()) return undefined;
    const step = iterator.next();
    return step.done === true ? undefined : step.value;
  };
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = fork(join(__dirname, "worker.js"), [JSON.stringify(setup)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      let done = false;
      const feed = () => {
        const seed = next();
        if (seed === undefined) {
          done = true;
          worker.disconnect();
        } else worker.send({ seed, shrink: failures < shrinkLimit } satisfies SeedRequest);
      };
      worker.on("message", (message: SeedSummary | "ready") => {
        if (message === "ready") return feed();
        if (message.violation !== undefined) failures++;
        results.push(message);
        options.onResult?.(message);
        feed();
      });
      worker.on("error", reject);
      worker.on("exit", (code, signal) => (done ? resolve() : reject(new Error(`a simulator worker exited (${signal ?? `status ${code}`}) before its seeds were done`))));
    });
  await Promise.all(Array.from({ length: count }, one));
  return results.sort((a, b) => a.seed - b.seed);
}

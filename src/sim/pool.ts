// Many seeds at once: a pool of worker threads, each running one seed at a time (the simulator is
// single-threaded and CPU-bound, so one worker per core), fed seeds on demand until the seeds run out
// or `more()` says stop. What runs on the boxes is named by module path and export (a NodeFactory),
// since a function cannot be sent to a worker. A failing seed is shrunk in its worker.
import { cpus } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { InvariantName } from "./invariants";

export interface FactoryRef {
  /** absolute path of the compiled module */
  readonly module: string;
  readonly export: string;
}

/** What a worker needs to run seeds: plain data. */
export interface WorkerSetup {
  readonly factory: FactoryRef;
  readonly shrink: boolean;
  readonly bindAddressesToIndex?: boolean;
}

export interface SeedSummary {
  readonly seed: number;
  readonly events: number;
  readonly simulatedMicros: number;
  readonly wallMillis: number;
  readonly violation?: { readonly invariant: InvariantName; readonly time: number; readonly message: string };
  /** the report with the shrunk trace, for a failing seed */
  readonly report?: string;
}

export interface PoolOptions extends WorkerSetup {
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
  const setup: WorkerSetup = { factory: options.factory, shrink: options.shrink, ...(options.bindAddressesToIndex === undefined ? {} : { bindAddressesToIndex: options.bindAddressesToIndex }) };
  const next = (): number | undefined => {
    if (options.more !== undefined && !options.more()) return undefined;
    const step = iterator.next();
    return step.done === true ? undefined : step.value;
  };
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(join(__dirname, "worker.js"), { workerData: setup });
      const feed = () => {
        const seed = next();
        if (seed === undefined) void worker.terminate().then(() => resolve());
        else worker.postMessage(seed);
      };
      worker.on("message", (summary: SeedSummary) => {
        results.push(summary);
        options.onResult?.(summary);
        feed();
      });
      worker.on("error", reject);
      worker.on("online", feed);
    });
  await Promise.all(Array.from({ length: count }, one));
  return results.sort((a, b) => a.seed - b.seed);
}

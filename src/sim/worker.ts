// A pool worker (see pool.ts): loads the named NodeFactory, then runs each seed it is sent and answers
// with its summary (and, for a failing seed, the shrunk report).
import { parentPort, workerData } from "node:worker_threads";
import type { NodeFactory } from "./node";
import type { SeedSummary, WorkerSetup } from "./pool";
import { report, runSeed } from "./run";

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("sim/worker.js runs only as a worker thread (see pool.ts)");
  const setup = workerData as WorkerSetup;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = (require(setup.factory.module) as Record<string, NodeFactory>)[setup.factory.export];
  if (typeof factory !== "function") throw new Error(`${setup.factory.module} has no export ${setup.factory.export}`);
  const world = setup.bindAddressesToIndex === undefined ? {} : { bindAddressesToIndex: setup.bindAddressesToIndex };
  port.on("message", (seed: number) => {
    const started = performance.now();
    void runSeed(seed, { factory, shrink: setup.shrink, world }).then((outcome) => {
      const first = outcome.result.violations[0];
      const summary: SeedSummary = {
        seed,
        events: outcome.result.events,
        simulatedMicros: outcome.result.simulatedMicros,
        wallMillis: performance.now() - started,
        ...(first === undefined ? {} : { violation: { invariant: first.invariant, time: first.time, message: first.message }, report: report(outcome) }),
      };
      port.postMessage(summary);
    });
  });
}

void main();

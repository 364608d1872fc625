// A pool worker process (see pool.ts): loads the named NodeFactory, then runs each seed it is sent and
// answers with its summary (and, for a failing seed, the report).
import type { NodeFactory } from "./node";
import type { SeedRequest, SeedSummary, WorkerSetup } from "./pool";
import { report, runSeed } from "./run";
import { catchUnhandledRejections } from "./world";

function main(): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error("sim/worker.js runs only as a pool worker (see pool.ts)");
  const setup = JSON.parse(process.argv[2] ?? "{}") as WorkerSetup;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = (require(setup.factory.module) as Record<string, NodeFactory>)[setup.factory.export];
  if (typeof factory !== "function") throw new Error(`${setup.factory.module} has no export ${setup.factory.export}`);
  catchUnhandledRejections();
  const world = {
    ...(setup.bindAddressesToIndex === undefined ? {} : { bindAddressesToIndex: setup.bindAddressesToIndex }),
    ...(setup.addressesPerBox === undefined ? {} : { addressesPerBox: setup.addressesPerBox }),
  };
  process.on("message", ({ seed, shrink }: SeedRequest) => {
    const started = performance.now();
    void runSeed(seed, { factory, shrink, world, dualStack: setup.dualStack === true }).then((outcome) => {
      const first = outcome.result.violations[0];
      const summary: SeedSummary = {
        seed,
        events: outcome.result.events,
        simulatedMicros: outcome.result.simulatedMicros,
        longestDualMicros: outcome.result.longestDualMicros,
        wallMillis: performance.now() - started,
        ...(first === undefined ? {} : { violation: { invariant: first.invariant, time: first.time, message: first.message }, report: report(outcome) }),
      };
      send(summary);
    });
  });
  process.on("disconnect", () => process.exit(0));
  send("ready");
}

main();

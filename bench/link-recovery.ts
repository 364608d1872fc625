// How long the link takes to be verified again after each kind of outage ends: carrier back at the
// switch port, `ip link set dev eth0 up` on the box, and the interface made again (veth pair deleted
// and re-created with the same name, MAC and address). A box and a router on one bridge in lab
// namespaces; the link runs in a worker inside the box. Prints, per kind, medians from the start of
// the `ip` command that ends the outage (for re-creation, the last one: link up) to: the command's
// exit, the first rtnetlink notification of the interface up being read, the one that says up and
// running being read (the link may still be busy with the first), and the link's "verified".
// Figures only; nothing passes or fails.
// Run: `npx tsc -p . && node dist/bench/link-recovery.js [cycles]` (default 15 per kind).

import { join } from "node:path";
import { runSync } from "../src/lab/command";
import { Lab } from "../src/lab/netns";
import { NodeWorker, WorkerMessage } from "../src/lab/worker";
import { hrtimeMicros } from "../src/link/port";
import { median } from "./harness";
import { checkBenchArgs } from "./args";

const WORKER = join(__dirname, "link-recovery-worker.js");
const CYCLES = Number(process.argv[2] ?? 15);
const OUTAGE_MS = 300;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(worker: NodeWorker, from: number, accepts: (m: WorkerMessage) => boolean, timeoutMs = 5000): Promise<WorkerMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (let i = from; i < worker.messages.length; i++) if (accepts(worker.messages[i])) return worker.messages[i];
    if (Date.now() > deadline) throw new Error(`timed out; the worker said ${JSON.stringify(worker.messages.slice(from))}`);
    await sleep(2);
  }
}

async function main(): Promise<void> {
  checkBenchArgs(
    "bench:link-recovery",
    `usage: node dist/bench/link-recovery.js [CYCLES]
  How long the link takes to be verified again after each kind of outage (carrier at the switch port, admin
  down on the box, interface re-made), CYCLES per kind (default 15), in lab namespaces (root).`,
    {},
    1,
  );
  const lab = await Lab.create({ hosts: [{ name: "router", address: "192.0.2.1/24" }, { name: "box", address: "192.0.2.17/24" }] });
  try {
    const mac = lab.macOf("box").toString();
    const sw = lab.switchNamespace;
    const port = lab.portOf("box");
    const box = lab.ns("box");
    const ip = (...args: string[]) => runSync(["ip", ...args], { check: true });
    const kinds: Array<{ name: string; begin: () => void; end: () => void }> = [
      { name: "carrier back (switch port up)", begin: () => ip("-n", sw, "link", "set", port, "down"), end: () => ip("-n", sw, "link", "set", port, "up") },
      { name: "ip link set dev eth0 up", begin: () => ip("-n", box, "link", "set", "dev", "eth0", "down"), end: () => ip("-n", box, "link", "set", "dev", "eth0", "up") },
      {
        name: "re-created (last command: link up)",
        begin: () => ip("-n", box, "link", "del", "dev", "eth0"),
        end: () => {
          ip("-n", box, "link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", port, "netns", sw);
          ip("-n", sw, "link", "set", port, "master", "br-lan", "up");
          ip("-n", box, "addr", "add", "192.0.2.17/24", "dev", "eth0");
          ip("-n", box, "link", "set", "dev", "eth0", "up");
        },
      },
    ];
    const worker = lab.runNode("box", WORKER, {}, { label: "link-recovery-worker in box" });
    await worker.expect("ready");
    await waitFor(worker, 0, (m) => m.kind === "state" && m.state === "verified");
    console.log(`link recovery, ${CYCLES} cycles per kind, outages of ${OUTAGE_MS} ms (node ${process.version})`);
    for (const kind of kinds) {
      const rows: { command: number; toEvent: number; toRunning: number; toVerified: number }[] = [];
      for (let i = 0; i < CYCLES; i++) {
        const mark = worker.messages.length;
        kind.begin();
        await waitFor(worker, mark, (m) => m.kind === "state" && m.state === "down");
        await sleep(OUTAGE_MS);
        const from = worker.messages.length;
        const start = hrtimeMicros();
        // For re-creation, time from the last command (the one that brings it up).
        let lastStart = start;
        const realEnd = kind.end;
        if (kind.name.startsWith("re-created")) {
          // Run all but the last command, then time the last one alone.
          ip("-n", box, "link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", port, "netns", sw);
          ip("-n", sw, "link", "set", port, "master", "br-lan", "up");
          ip("-n", box, "addr", "add", "192.0.2.17/24", "dev", "eth0");
          lastStart = hrtimeMicros();
          ip("-n", box, "link", "set", "dev", "eth0", "up");
        } else {
          realEnd();
        }
        const commandDone = hrtimeMicros();
        const verified = await waitFor(worker, from, (m) => m.kind === "state" && m.state === "verified");
        // The first notification of the interface up (for an admin up it says "no carrier yet", and
        // the link opens its handles on it), then the one that says up and running.
        const up = await waitFor(worker, from, (m) => m.kind === "event" && m.up === true);
        const running = await waitFor(worker, from, (m) => m.kind === "event" && m.up === true && m.running === true);
        rows.push({
          command: (commandDone - lastStart) / 1000,
          toEvent: (Number(up.atMicros) - lastStart) / 1000,
          toRunning: (Number(running.atMicros) - lastStart) / 1000,
          toVerified: (Number(verified.atMicros) - lastStart) / 1000,
        });
        await sleep(50);
      }
      const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f)).toFixed(2).padStart(7);
      console.log(
        `${kind.name.padEnd(36)} ip command ${m((r) => r.command)} | → "up" read ${m((r) => r.toEvent)} | → "running" read ${m((r) => r.toRunning)} | → verified ${m((r) => r.toVerified)} (max ${Math.max(...rows.map((r) => r.toVerified)).toFixed(1)}) ms`,
      );
    }
    await worker.stop(5000);
  } finally {
    await lab.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

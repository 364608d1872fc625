// Mallory, the hostile third box of the end-to-end tests (faults-more.test.ts, adversary.test.ts): a
// lab of its own with one host, whose switch port (veth end) is moved into a scenario's switch
// namespace and plugged into its bridge. Only namespaces made by Lab are touched; deleting the
// scenario's switch namespace deletes the veth pair, Mallory's lab deletes the rest. A plain module,
// not a test file. Also the router's neighbour monitor the hostile-segment tests judge stretches by.
import { strict as assert } from "node:assert";
import { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { runSync } from "../../src/lab/command";
import { LabScenario, ROUTER } from "../../src/lab/failover-demo";
import { Lab } from "../../src/lab/netns";
import { NodeWorker } from "../../src/lab/worker";
import { eventually } from "./e2e-helpers";

export const MALLORY = { name: "mallory", address: "192.0.2.66", mac: "02:00:5e:00:00:66" } as const;

/** Plugs Mallory into the scenario's segment and waits until she pings the router. */
export async function addMallory(scenario: LabScenario): Promise<Lab> {
  const m = await Lab.create({ hosts: [{ name: MALLORY.name, address: `${MALLORY.address}/24`, mac: MALLORY.mac }] });
  try {
    const port = m.portOf(MALLORY.name);
    runSync(["ip", "-n", m.switchNamespace, "link", "set", port, "netns", scenario.lab.switchNamespace], { check: true });
    runSync(["ip", "-n", scenario.lab.switchNamespace, "link", "set", port, "master", "br-lan", "up"], { check: true });
    const reach = await eventually(() => m.exec(MALLORY.name, ["ping", "-c1", "-W1", ROUTER.address]).status === 0, 5000);
    assert.ok(reach, "Mallory is on the segment (pings the router)");
  } catch (error) {
    await m.destroy();
    throw error;
  }
  return m;
}

/**
 * Sends `frames` (built by the test with our encoder, as hex) from Mallory's eth0 through our libpcap
 * link: `rounds` rounds, `intervalMs` apart, each round every frame in order. Bounded by `timeoutMs`.
 */
export async function sendFrom(mallory: Lab, frames: readonly Uint8Array[], rounds: number, intervalMs: number, timeoutMs = 60_000): Promise<{ sent: number; errors: number }> {
  const input = { frames: frames.map((f) => Buffer.from(f).toString("hex")), rounds, intervalMs };
  const result = await mallory.execAsync(MALLORY.name, [process.execPath, join(__dirname, "mallory-sender.js"), JSON.stringify(input)], { timeoutMs });
  assert.equal(result.status, 0, `Mallory's sender ran: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as { sent: number; errors: number };
}

/**
 * Starts recording, in Mallory's namespace, the ARP frames `mac` sends (with `what` "ndp": its NSs
 * and NAs), for `ms`; resolves with them (as captured, padding and all) when the time is up.
 */
export async function recordFrom(mallory: Lab, mac: string, ms: number, what: "arp" | "ndp" = "arp"): Promise<Uint8Array[]> {
  const input = { frames: [], rounds: 0, intervalMs: 0, recordFrom: mac, recordMs: ms, recordWhat: what };
  const result = await mallory.execAsync(MALLORY.name, [process.execPath, join(__dirname, "mallory-sender.js"), JSON.stringify(input)], { timeoutMs: ms + 10_000 });
  assert.equal(result.status, 0, `Mallory's recorder ran: ${result.stderr}`);
  const { frames } = JSON.parse(result.stdout.trim().split("\n").pop()!) as { frames: string[] };
  return frames.map((hex) => Uint8Array.from(Buffer.from(hex, "hex")));
}

/** Answers, from Mallory's namespace, every echo request to `address` for `ms` (see mallory-sender). */
export async function mirrorPings(mallory: Lab, address: string, ms: number): Promise<number> {
  const input = { frames: [], rounds: 0, intervalMs: 0, mirrorFor: address, mirrorMs: ms };
  const result = await mallory.execAsync(MALLORY.name, [process.execPath, join(__dirname, "mallory-sender.js"), JSON.stringify(input)], { timeoutMs: ms + 10_000 });
  assert.equal(result.status, 0, `Mallory's mirror ran: ${result.stderr}`);
  return (JSON.parse(result.stdout.trim().split("\n").pop()!) as { answered: number }).answered;
}

/**
 * Mallory's sender kept running (mallory-sender's `serve` mode), for a test that sends many bursts:
 * `send` is `sendFrom` without a process start. Ended with `stop`, or by destroying Mallory's lab.
 */
export class MallorySender {
  readonly #worker: NodeWorker;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(worker: NodeWorker) {
    this.#worker = worker;
  }

  static async start(mallory: Lab): Promise<MallorySender> {
    const worker = mallory.runNode(MALLORY.name, join(__dirname, "mallory-sender.js"), { frames: [], rounds: 0, intervalMs: 0, serve: true }, { label: "Mallory's sender" });
    try {
      await worker.expect("ready", 10_000);
    } catch (error) {
      worker.kill("SIGKILL");
      throw error;
    }
    return new MallorySender(worker);
  }

  /** Like `sendFrom`: `rounds` rounds of `frames`, `intervalMs` apart; resolves when sent (bounded by `timeoutMs`). */
  send(frames: readonly Uint8Array[], rounds: number, intervalMs: number, timeoutMs = 30_000): Promise<{ sent: number; errors: number }> {
    const request = { kind: "send", frames: frames.map((f) => Buffer.from(f).toString("hex")), rounds, intervalMs };
    // one burst at a time, so each reply is the answer to its own request
    const result = this.#queue.then(async () => {
      const reply = await this.#worker.ask(request, "sent", timeoutMs);
      return { sent: Number(reply.sent), errors: Number(reply.errors) };
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async stop(): Promise<void> {
    await this.#worker.stop(5000).catch(() => this.#worker.kill("SIGKILL"));
  }
}

/** The router's neighbour changes (`ip -ts monitor neigh`), for the stretches on a MAC. */
export class NeighbourMonitor {
  readonly changes: { t: number; address: string; mac: string }[] = [];
  readonly #child: ChildProcess;
  constructor(lab: Lab) {
    this.#child = lab.spawn(ROUTER.name, ["ip", "-ts", "monitor", "neigh"]);
    createInterface({ input: this.#child.stdout! }).on("line", (line) => {
      const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\] (?:Deleted )?(\S+) dev \S+ lladdr (\S+)/.exec(line);
      if (m !== null) this.changes.push({ t: Date.parse(`${m[1]}Z`) * 1000 + Number(m[2]), address: m[3], mac: m[4] });
    });
  }
  /** The stretches `address` spent at `mac` from `since` (µs since the epoch), the last one ended at `until` if still on it. */
  stretchesOn(address: string, mac: string, since: number, until: number): number[] {
    const stretches: number[] = [];
    let startedAt: number | undefined;
    for (const c of this.changes.filter((c) => c.address === address && c.t >= since)) {
      if (c.mac === mac) startedAt ??= c.t;
      else if (startedAt !== undefined) {
        stretches.push(c.t - startedAt);
        startedAt = undefined;
      }
    }
    if (startedAt !== undefined) stretches.push(until - startedAt);
    return stretches;
  }
  stop(): void {
    this.#child.kill();
  }
}

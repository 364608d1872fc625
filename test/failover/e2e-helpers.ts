// Helpers shared by the end-to-end failover tests (e2e.test.ts, e2e-faults.test.ts, e2e-ipv6.test.ts):
// config files in temp dirs, a daemon's output lines with bounded waits, polling, and what the lab's
// router sees (its neighbour entry, who answers its GET, its timeline of events), for IPv4 and IPv6
// addresses alike. A plain module, not a test
// file: importing a *.test.ts from another would make mocha register its tests twice.
import { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parse, stringify } from "yaml";
import { strict as assert } from "node:assert";
import { BRAIN, dualStackConfig, EXAMPLES, LabEvent, LabScenario, PINKY, ROUTER, startScenario, urlHost } from "../../src/lab/failover-demo";
import { Lab, listNamespaces } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { arpAnswerProblems, awaitOwnership, Box, Holder, lookFromOutside, publicAddressesOf, summary } from "./outside-view";

/** A config file written from examples/<base>.yaml with `edit` applied, in a fresh temp dir. */
export function writeConfig(dirs: string[], base: "brain" | "pinky", edit: (config: Record<string, any>) => void): string {
  const config = parse(readFileSync(join(EXAMPLES, `${base}.yaml`), "utf8")) as Record<string, any>;
  edit(config);
  return writeText(dirs, `${base}.yaml`, stringify(config));
}

/** `text` in `name` in a fresh temp dir that any user may read (the no-privilege test runs as nobody). */
function writeText(dirs: string[], name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "takeover-e2e-"));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

/**
 * The lines a process prints on stdout and stderr, stamped when read, and a bounded wait for one.
 * `since` (µs, as hrtimeMicros) leaves out the lines read before it.
 */
export class Lines {
  readonly lines: { t: number; text: string }[] = [];
  private readonly wakers = new Set<() => void>();

  constructor(child: ChildProcess) {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on("line", (text) => {
        this.lines.push({ t: hrtimeMicros(), text });
        for (const wake of this.wakers) wake();
      });
    }
  }

  matching(pattern: RegExp, since = 0): { t: number; text: string }[] {
    return this.lines.filter((l) => l.t >= since && pattern.test(l.text));
  }

  async wait(pattern: RegExp, timeoutMs: number, what: string, since = 0): Promise<{ t: number; text: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => l.t >= since && pattern.test(l.text));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: no line matching ${pattern} within ${timeoutMs} ms; the lines were:\n${this.lines.map((l) => l.text).join("\n")}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.wakers.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.wakers.add(wake);
      });
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms for at most `timeoutMs`; returns whether it came true. */
export async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(10);
  }
  return condition();
}

/** The MAC the router's neighbour table (ARP or NDP) holds for `address`, or undefined. */
export function routerMacFor(lab: Lab, address: string): string | undefined {
  return lab.neighbours(ROUTER.name).find((n) => n.address === address)?.mac?.toString();
}

/**
 * The GET that `httpGet` runs inside a namespace, with this Node (no curl or other tool to be
 * missing): one JSON line, {status, servedBy, body} for an answer or {error} for none in 2 s.
 */
const GET_SCRIPT = `
const http = require("node:http");
const done = (result) => { process.stdout.write(JSON.stringify(result) + "\\n"); process.exit(0); };
const request = http.get(process.argv[1], { agent: false, timeout: 2000 }, (response) => {
  const chunks = [];
  response.on("data", (chunk) => chunks.push(chunk));
  response.on("end", () => done({ status: response.statusCode, servedBy: response.headers["x-served-by"], body: Buffer.concat(chunks).toString() }));
});
request.on("timeout", () => request.destroy(new Error("no answer within 2 s")));
request.on("error", (error) => done({ error: error.message }));
`;

export type HttpGetResult = { status: number; servedBy?: string; body: string } | { error: string };

/**
 * One GET of `url` from inside `host`'s namespace. Throws when the GET itself could not be run (the
 * helper exited non-zero or printed no result line), so that a broken helper fails the test instead
 * of reading as "no answer".
 */
export function httpGet(lab: Lab, host: string, url: string): HttpGetResult {
  const result = lab.exec(host, [process.execPath, "-e", GET_SCRIPT, url], { timeoutMs: 5000 });
  const line = result.stdout.trim().split("\n").pop() ?? "";
  if (result.status !== 0 || !line.startsWith("{")) {
    throw new Error(`GET ${url} in ${host} did not run (exit ${result.status}, signal ${result.signal}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return JSON.parse(line) as HttpGetResult;
}

/** One GET from the router to `address`: who served it (the X-Served-By header), or "none". */
export function routerGet(lab: Lab, address: string): string {
  const result = httpGet(lab, ROUTER.name, `http://${urlHost(address)}/`);
  return "error" in result || result.servedBy === undefined ? "none" : result.servedBy;
}

/**
 * The GETs that `routerGets` runs inside the router's namespace, all at once in one Node process:
 * one JSON line, {address: who served it, or "none"}.
 */
const GET_ALL_SCRIPT = `
const http = require("node:http");
const get = (address) => new Promise((resolve) => {
  const host = address.includes(":") ? "[" + address + "]" : address;
  const request = http.get("http://" + host + "/", { agent: false, timeout: 2000 }, (response) => {
    response.resume();
    response.on("end", () => resolve(response.headers["x-served-by"] ?? "none"));
    response.on("error", () => resolve("none"));
  });
  request.on("timeout", () => request.destroy(new Error("no answer within 2 s")));
  request.on("error", () => resolve("none"));
});
const addresses = process.argv.slice(1);
Promise.all(addresses.map(get)).then((servers) => {
  process.stdout.write(JSON.stringify(Object.fromEntries(addresses.map((a, i) => [a, servers[i]]))) + "\\n");
  process.exit(0);
});
`;

/** One GET from the router to each of `addresses`, all at once: who served each (X-Served-By), or "none". */
export async function routerGets(lab: Lab, addresses: readonly string[]): Promise<Record<string, string>> {
  const result = await lab.execAsync(ROUTER.name, [process.execPath, "-e", GET_ALL_SCRIPT, ...addresses], { timeoutMs: 10_000 });
  const line = result.stdout.trim().split("\n").pop() ?? "";
  if (result.status !== 0 || !line.startsWith("{")) {
    throw new Error(`the router's GETs to ${addresses.join(", ")} did not run (exit ${result.status}, signal ${result.signal}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return JSON.parse(line) as Record<string, string>;
}

/**
 * Four public addresses per box (issue 12): Brain's .37–.40 and Pinky's .36 and .33–.35, the first
 * of each the lab's one address. Tests that judge every address of a box with several use these.
 */
export const FOUR_ADDRESSES = {
  brain: ["192.0.2.37", "192.0.2.38", "192.0.2.39", "192.0.2.40"],
  pinky: ["192.0.2.36", "192.0.2.33", "192.0.2.34", "192.0.2.35"],
} as const;

/** Brain and Pinky with their four public addresses each, as the ownership judge (outside-view.ts) takes them. */
export const BRAIN_FOUR: Box = { ...BRAIN, publicAddresses: FOUR_ADDRESSES.brain };
export const PINKY_FOUR: Box = { ...PINKY, publicAddresses: FOUR_ADDRESSES.pinky };

/**
 * Config files for Brain and Pinky from the shipped examples with four public addresses each (the
 * node's and the peer's lists), then `edit` (the same for both, or one per box) applied.
 */
export function fourAddressConfigs(
  dirs: string[],
  edit: ((config: Record<string, any>, box: "brain" | "pinky") => void) | undefined = undefined,
): { brainConfig: string; pinkyConfig: string } {
  const write = (box: "brain" | "pinky") =>
    writeConfig(dirs, box, (config) => {
      const peer = box === "brain" ? "pinky" : "brain";
      config.node.publicAddress = FOUR_ADDRESSES[box].map((a) => `${a}/24`);
      config.peer.publicAddress = FOUR_ADDRESSES[peer].map((a) => `${a}/24`);
      edit?.(config, box);
    });
  return { brainConfig: write("brain"), pinkyConfig: write("pinky") };
}

/**
 * Who the router's HTTP watcher last found serving `address` (its last change, src/lab/router-watch):
 * a box's name, "none", or undefined before its first GET was answered.
 */
export function lastServer(scenario: LabScenario, address: string): string | undefined {
  for (let i = scenario.events.length - 1; i >= 0; i--) {
    const e = scenario.events[i];
    if (e.source === "router" && e.kind === "http" && e.address === address) return e.value;
  }
  return undefined;
}

/** The timeline of a phase, for assertion messages. */
export function timeline(events: readonly LabEvent[], since: number): string {
  return events.map((e) => `${((e.t - since) / 1000).toFixed(1).padStart(8)} ms  ${e.text}`).join("\n");
}

/** Router-side events about `address` after `since` (µs). */
export function routerEvents(scenario: LabScenario, address: string, since: number): LabEvent[] {
  return scenario.events.filter((e) => e.source === "router" && e.address === address && e.t >= since);
}

/**
 * What the router saw of `address` since `since` that says someone other than `owner` has it: its
 * neighbour entry changing to another MAC (or none), or another box answering HTTP. An HTTP "no
 * answer" alone is left out: the watcher gives each GET 50 ms, which a loaded machine can miss;
 * the tests look at the daemons' release lines and a final GET for outages.
 */
export function otherOwners(scenario: LabScenario, address: string, since: number, owner: string): LabEvent[] {
  return routerEvents(scenario, address, since).filter((e) => e.value !== owner && (e.kind === "neighbour" || e.value !== "none"));
}

/** The IPv4 addresses on a box's eth0, as `ip addr` shows them; with `family` 6, its global IPv6 ones. */
export function addressesOn(lab: Lab, host: string, family: 4 | 6 = 4): string[] {
  const shown = JSON.parse(lab.exec(host, ["ip", "-j", `-${family}`, "addr", "show", "dev", "eth0", ...(family === 6 ? ["scope", "global"] : [])], { check: true }).stdout) as Array<{ addr_info: Array<{ local: string }> }>;
  return shown.flatMap((i) => i.addr_info.map((a) => a.local)).filter((a) => a !== undefined).sort();
}

/** Brain and Pinky of the dual-stack lab (ScenarioOptions.ipv6), with both public addresses each, as the ownership judge takes them. */
export const BRAIN_DUAL: Box = { ...BRAIN, publicAddresses: [BRAIN.publicAddress, BRAIN.publicAddress6] };
export const PINKY_DUAL: Box = { ...PINKY, publicAddresses: [PINKY.publicAddress, PINKY.publicAddress6] };

/** Config files for the dual-stack lab (src/lab/failover-demo.ts dualStackConfig), `edit` applied to each. */
export function dualStackConfigs(
  dirs: string[],
  edit: ((config: Record<string, any>, box: "brain" | "pinky") => void) | undefined = undefined,
): { brainConfig: string; pinkyConfig: string } {
  const write = (box: "brain" | "pinky") => writeText(dirs, `${box}.yaml`, dualStackConfig(box, (config) => edit?.(config, box)));
  return { brainConfig: write("brain"), pinkyConfig: write("pinky") };
}

/**
 * `expectOwnership` for the dual-stack lab: `brains` should hold both of Brain's public addresses
 * (.37 and 2001:db8:1::37), `pinkys` both of Pinky's, on the boxes and in the router's ARP and NDP
 * tables. With `solicitations`, once that is so, the router's ARP request and Neighbor Solicitation
 * for each address are also answered by the right box's MAC alone (that many each).
 */
export async function expectDualStackOwnership(lab: Lab, when: string, brains: Holder, pinkys: Holder, timeoutMs = 5000, solicitations = 0): Promise<void> {
  const boxes = [BRAIN_DUAL, PINKY_DUAL];
  const holders: Record<string, Holder> = {};
  for (const a of publicAddressesOf(BRAIN_DUAL)) holders[a] = brains;
  for (const a of publicAddressesOf(PINKY_DUAL)) holders[a] = pinkys;
  const { problems, view } = await awaitOwnership(lab, { name: ROUTER.name, iface: "eth0" }, boxes, holders, timeoutMs);
  assert.deepEqual(problems, [], `${when}: the public addresses are not where they should be within ${timeoutMs} ms; last seen: ${summary(view, boxes)}`);
  if (solicitations > 0) {
    const asked = await lookFromOutside(lab, { name: ROUTER.name, iface: "eth0" }, boxes, solicitations);
    assert.deepEqual(arpAnswerProblems(asked, boxes, holders), [], `${when}: ${summary(asked, boxes)}`);
  }
}

const BOXES: readonly Box[] = [BRAIN, PINKY];

/**
 * After a transition: both public addresses, on both boxes and from the router. `brains` and
 * `pinkys` say who should have Brain's .37 and Pinky's .36 (a box's name, or
 * { carriedBy, routerAt } when that is not one box: "nobody" carries .37 while Brain is cut off and
 * Pinky has handed it back, but the router is on Brain's MAC; a plain Brain keeps .37 configured
 * while Pinky serves it). Waits up to `timeoutMs` for the
 * transition to settle, then fails with every difference and what the last look saw.
 */
export async function expectOwnership(lab: Lab, when: string, brains: Holder, pinkys: Holder, timeoutMs = 5000): Promise<void> {
  const holders = { [BRAIN.publicAddress]: brains, [PINKY.publicAddress]: pinkys };
  const { problems, view } = await awaitOwnership(lab, { name: ROUTER.name, iface: "eth0" }, BOXES, holders, timeoutMs);
  assert.deepEqual(problems, [], `${when}: the public addresses are not where they should be within ${timeoutMs} ms; last seen: ${summary(view, BOXES)}`);
}

/**
 * For a describe block whose tests each run a lab scenario: `start` boots one and asserts the steady
 * state; after each test `hooks.beforeTeardown` runs (captures, extra processes), the scenario is
 * destroyed (its timeline printed when the test failed), the directories pushed onto `tempDirs` are
 * removed, and the lab's namespaces are checked gone.
 */
export function scenarioPerTest(hooks: { beforeTeardown?: () => Promise<void> | void } = {}): {
  start(options?: Parameters<typeof startScenario>[0]): Promise<LabScenario>;
  tempDirs: string[];
} {
  let scenario: LabScenario | undefined;
  let prefix: string | undefined;
  const tempDirs: string[] = [];

  async function start(options: Parameters<typeof startScenario>[0] = {}): Promise<LabScenario> {
    scenario = await startScenario(options);
    prefix = scenario.lab.prefix;
    const settled = await scenario.settled(15_000);
    assert.deepEqual(settled.missing, [], `steady state not reached:\n${timeline(scenario.events, settled.startedAt)}`);
    return scenario;
  }

  afterEach(async function () {
    await hooks.beforeTeardown?.();
    if (this.currentTest?.state === "failed" && scenario !== undefined) {
      process.stderr.write(`\n--- timeline of the failed test\n${timeline(scenario.events, scenario.events[0]?.t ?? 0)}\n`);
    }
    await scenario?.destroy();
    scenario = undefined;
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (prefix !== undefined) assert.deepEqual(listNamespaces().filter((n) => n.startsWith(prefix!)), [], "the lab's namespaces are gone");
    prefix = undefined;
  });

  return { start, tempDirs };
}

// The failover scenario on one box: a router, Brain and Pinky in network namespaces on one bridge,
// a web page on each box, two real `takeover run` daemons with the shipped example configs. Cuts
// Brain's link, restores it, and tells the timeline as the router sees it: its neighbour entry for
// Brain's public address and who answers HTTP there, next to the daemons' own log lines.
// Used by `takeover lab`, the end-to-end tests and bench:failover.
import { ChildProcess, spawn as spawnDetached } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { hrtimeMicros } from "../link/port";
import { Mac } from "../packets/address";
import { KeptLab, Lab } from "./netns";
import { NodeWorker } from "./worker";

const DIST = join(__dirname, "..");
const CLI = join(DIST, "cli", "main.js");
export const EXAMPLES = join(__dirname, "..", "..", "..", "examples");

export const BRAIN = { name: "brain", address: "192.0.2.17", publicAddress: "192.0.2.37", mac: "02:00:5e:00:00:17" } as const;
export const PINKY = { name: "pinky", address: "192.0.2.18", publicAddress: "192.0.2.36", mac: "02:00:5e:00:00:18" } as const;
export const ROUTER = { name: "router", address: "192.0.2.1", mac: "02:00:5e:00:00:01" } as const;

/** One thing that happened, as some process saw it, with a wall-clock µs stamp. */
export interface LabEvent {
  readonly t: number;
  readonly source: "lab" | "router" | "brain" | "pinky";
  /** for daemon lines: the event word (claim, yield…); for the router: "neighbour" or "http" */
  readonly kind: string;
  readonly address?: string;
  /** neighbour: the MAC; http: who answered ("brain", "pinky", "none"…) */
  readonly value?: string;
  readonly text: string;
}

export interface PhaseResult {
  readonly name: string;
  /** when the link change was made: stamped as the command that makes it returns (the timings' zero) */
  readonly startedAt: number;
  /**
   * just before that command began: the boxes may act on the change before it returns (a box whose
   * link comes back announces its address at once), so what happened before this moment belongs to
   * the phase before
   */
  readonly actionStartedAt: number;
  readonly events: readonly LabEvent[];
  /** steps that did not happen in time */
  readonly missing: readonly string[];
  /** µs from the link change to the router's first HTTP 200 from the new owner; undefined if never */
  readonly httpMicros?: number;
  /** µs from the link change to the router's neighbour entry pointing at the new owner */
  readonly neighbourMicros?: number;
}

interface Step {
  readonly label: string;
  readonly matches: (e: LabEvent) => boolean;
}

export interface LabScenario {
  readonly lab: Lab;
  readonly events: LabEvent[];
  /** Cuts Brain's link and waits for the failover steps. */
  failover(timeoutMs?: number): Promise<PhaseResult>;
  /** Restores Brain's link and waits for the hand-back steps. */
  failback(timeoutMs?: number): Promise<PhaseResult>;
  /** Waits for the steady state: Brain serves .37, Pinky .36 (every address of each), as the router sees it. */
  settled(timeoutMs?: number): Promise<PhaseResult>;
  daemon(name: "brain" | "pinky"): ChildProcess;
  /** Stops the daemons (SIGTERM), the web servers and the watcher, and deletes the namespaces. */
  destroy(): Promise<void>;
  /**
   * Leaves the lab up after this process: daemons and web servers are restarted detached, logging
   * to files in `logDir`; `takeover lab down` (Lab.removeKept) removes it all.
   */
  keep(logDir: string): Promise<KeptLab>;
}

export interface ScenarioOptions {
  /** config files for Brain and Pinky; default the shipped examples */
  readonly brainConfig?: string;
  readonly pinkyConfig?: string;
  /** extra arguments for `takeover run` … */
  readonly onEvent?: (e: LabEvent) => void;
  /** router's HTTP poll interval, ms; default 10 */
  readonly httpIntervalMs?: number;
  /** do not start a daemon on Brain: a plain host that only gets its link back */
  readonly brainRunsTakeover?: boolean;
  /** called once the namespaces are built, before anything runs in them (extra interfaces, say) */
  readonly beforeDaemons?: (lab: Lab) => void;
  /**
   * Every public address of each box, when the configs give several (issue 12; the configs must
   * list the same): the router watches them all, the steady state is each served by its own box,
   * and a failover or failback waits for every one of Brain's. Default: Brain's .37, Pinky's .36.
   */
  readonly publicAddresses?: { readonly brain: readonly string[]; readonly pinky: readonly string[] };
}

const DAEMON_EVENTS = new Set(["claim", "yield", "release", "hand-back", "peer-down", "peer-up", "link-down", "link-up", "conflict", "not-claiming", "added", "removed", "error", "stopped"]);
/** `2026-11-26T06:09:38.857036Z notice pinky claim 192.0.2.37: detail` (src/failover/log.ts; the level word is optional) */
const LOG_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z (?:(?:error|warning|notice|info|debug) )?(\S+) (\S+)(?: (\d+\.\d+\.\d+\.\d+))?: (.*)$/;

function parseLogLine(source: "brain" | "pinky", line: string): LabEvent | undefined {
  const m = LOG_LINE.exec(line);
  if (m === null) return undefined;
  const t = Date.parse(`${m[1]}Z`) * 1000 + Number(m[2]);
  return { t, source, kind: m[4], address: m[5], text: `${source}: ${m[4]}${m[5] ? ` ${m[5]}` : ""} — ${m[6]}` };
}

export async function startScenario(options: ScenarioOptions = {}): Promise<LabScenario> {
  const lab = await Lab.create({
    hosts: [
      { name: ROUTER.name, address: `${ROUTER.address}/24`, mac: ROUTER.mac },
      { name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac },
      { name: PINKY.name, address: `${PINKY.address}/24`, mac: PINKY.mac },
    ],
  });
  const events: LabEvent[] = [];
  const waiters = new Set<() => void>();
  const push = (e: LabEvent) => {
    events.push(e);
    options.onEvent?.(e);
    for (const wake of waiters) wake();
  };
  const brainPublic = options.publicAddresses?.brain ?? [BRAIN.publicAddress];
  const pinkyPublic = options.publicAddresses?.pinky ?? [PINKY.publicAddress];
  const configs = [
    [BRAIN, options.brainConfig ?? join(EXAMPLES, "brain.yaml")],
    [PINKY, options.pinkyConfig ?? join(EXAMPLES, "pinky.yaml")],
  ] as const;
  const children: ChildProcess[] = [];
  const daemons = new Map<string, ChildProcess>();
  let watcher: NodeWorker | undefined;
  try {
    options.beforeDaemons?.(lab);
    for (const box of [BRAIN, PINKY]) {
      const web = lab.spawn(box.name, [process.execPath, join(DIST, "lab", "web-server.js"), box.name]);
      children.push(web);
    }
    const brainRuns = options.brainRunsTakeover ?? true;
    for (const [box, config] of configs) {
      if (box === BRAIN && !brainRuns) {
        // a plain host: its public addresses are simply configured
        for (const address of brainPublic) lab.exec(BRAIN.name, ["ip", "addr", "add", `${address}/24`, "dev", "eth0"], { check: true });
        continue;
      }
      const child = lab.spawn(box.name, [process.execPath, CLI, "run", config]);
      daemons.set(box.name, child);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const e = parseLogLine(box.name, line);
        if (e !== undefined && DAEMON_EVENTS.has(e.kind)) push(e);
      });
      // the daemon logs warnings and errors on stderr: those are events like the rest; anything else
      // there (a stack trace) is reported as it is
      createInterface({ input: child.stderr! }).on("line", (line) => {
        const e = parseLogLine(box.name, line);
        if (e === undefined) push({ t: hrtimeMicros(), source: box.name, kind: "stderr", text: `${box.name} (stderr): ${line}` });
        else if (DAEMON_EVENTS.has(e.kind)) push(e);
      });
    }
    watcher = lab.runNode(ROUTER.name, join(DIST, "lab", "router-watch.js"), { addresses: [...brainPublic, ...pinkyPublic], intervalMs: options.httpIntervalMs ?? 10 });
    const names = new Map([[Mac.parse(BRAIN.mac).toString(), "brain"], [Mac.parse(PINKY.mac).toString(), "pinky"]]);
    const w = watcher;
    let read = 0;
    const pump = () => {
      for (; read < w.messages.length; read++) {
        const m = w.messages[read] as { kind: string; t: number; address: string; mac?: string; server?: string };
        if (m.kind === "neighbour") {
          const who = names.get(m.mac ?? "") ?? m.mac;
          push({ t: m.t, source: "router", kind: "neighbour", address: m.address, value: who, text: `router's neighbour entry for ${m.address} → ${m.mac === "none" ? "none" : `${who === m.mac ? "" : `${who}'s MAC `}${m.mac}`}` });
        } else if (m.kind === "http") {
          push({ t: m.t, source: "router", kind: "http", address: m.address, value: m.server, text: m.server === "none" || m.server === "error" ? `HTTP from the router to ${m.address}: no answer` : `HTTP from the router to ${m.address} answered by ${m.server}` });
        }
      }
    };
    w.child.stdout!.on("data", () => setImmediate(pump));
  } catch (error) {
    await lab.destroy();
    throw error;
  }

  async function phase(name: string, action: (() => void) | undefined, steps: readonly Step[], httpOwner: string, neighbourOwner: string, timeoutMs: number): Promise<PhaseResult> {
    const from = events.length;
    let startedAt = hrtimeMicros();
    const actionStartedAt = startedAt;
    if (action !== undefined) {
      action();
      startedAt = events[events.length - 1]?.t ?? startedAt; // the moment the link change was made
    }
    const deadline = Date.now() + timeoutMs;
    const seen = () => events.slice(from);
    const pending = () => steps.filter((s) => !seen().some(s.matches));
    while (pending().length > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        waiters.add(wake);
      });
    }
    await new Promise((r) => setTimeout(r, 30)); // late lines of the same moment
    const phaseEvents = seen().filter((e) => e.t >= startedAt - 1000 || e.source !== "router").sort((a, b) => a.t - b.t);
    const http = phaseEvents.find((e) => e.kind === "http" && e.address === BRAIN.publicAddress && e.value === httpOwner);
    const neighbour = phaseEvents.find((e) => e.kind === "neighbour" && e.address === BRAIN.publicAddress && e.value === neighbourOwner);
    return {
      name,
      startedAt,
      actionStartedAt,
      events: phaseEvents,
      missing: pending().map((s) => s.label),
      httpMicros: http === undefined ? undefined : http.t - startedAt,
      neighbourMicros: neighbour === undefined ? undefined : neighbour.t - startedAt,
    };
  }

  const routerSees = (kind: "http" | "neighbour", address: string, who: string): Step => ({
    label: kind === "http" ? `HTTP from the router to ${address} answered by ${who}` : `router's neighbour entry for ${address} → ${who}'s MAC`,
    matches: (e) => e.source === "router" && e.kind === kind && e.address === address && e.value === who,
  });
  const daemonSays = (source: "brain" | "pinky", kind: string | readonly string[], address: string, label: string): Step => ({
    label,
    matches: (e) => e.source === source && (typeof kind === "string" ? e.kind === kind : kind.includes(e.kind)) && e.address === address,
  });
  const brainRuns = options.brainRunsTakeover ?? true;

  return {
    lab,
    events,
    daemon: (name) => {
      const d = daemons.get(name);
      if (d === undefined) throw new Error(`no daemon runs on ${name}`);
      return d;
    },
    settled: (timeoutMs = 15_000) =>
      phase("start", undefined, [
        ...brainPublic.map((a) => routerSees("http", a, "brain")),
        ...pinkyPublic.map((a) => routerSees("http", a, "pinky")),
      ], "brain", "brain", timeoutMs),
    failover: (timeoutMs = 15_000) =>
      phase("failover", () => {
        lab.cut(BRAIN.name);
        push({ t: hrtimeMicros(), source: "lab", kind: "cut", text: "brain's link cut" });
      }, brainPublic.flatMap((a) => [
        daemonSays("pinky", "claim", a, `pinky claims ${a}`),
        routerSees("neighbour", a, "pinky"),
        routerSees("http", a, "pinky"),
      ]), "pinky", "pinky", timeoutMs),
    failback: (timeoutMs = 15_000) =>
      phase("failback", () => {
        lab.restore(BRAIN.name);
        push({ t: hrtimeMicros(), source: "lab", kind: "restore", text: "brain's link back" });
      }, brainPublic.flatMap((a) => [
        brainRuns
          ? daemonSays("pinky", "yield", a, `hand-back to brain complete (pinky yields ${a})`)
          : // a plain home node: its checks rising, or its kernel answering Pinky's verify request, whichever first
            daemonSays("pinky", ["hand-back", "yield"], a, `hand-back to brain complete (pinky releases ${a})`),
        routerSees("neighbour", a, "brain"),
        routerSees("http", a, "brain"),
      ]), "brain", "brain", timeoutMs),
    async keep(logDir: string) {
      await stopProcesses();
      mkdirSync(logDir, { recursive: true });
      const pids: number[] = [];
      const detached = (host: string, name: string, argv: readonly string[]) => {
        const log = openSync(join(logDir, `${name}.log`), "a");
        const child = spawnDetached("ip", ["netns", "exec", lab.ns(host), ...argv], { detached: true, stdio: ["ignore", log, log] });
        closeSync(log);
        child.unref();
        if (child.pid !== undefined) pids.push(child.pid);
      };
      for (const box of [BRAIN, PINKY]) detached(box.name, `${box.name}-web`, [process.execPath, join(DIST, "lab", "web-server.js"), box.name]);
      for (const [box, config] of configs) {
        if (daemons.has(box.name)) detached(box.name, `${box.name}-takeover`, [process.execPath, CLI, "run", config]);
      }
      return lab.keep(pids, logDir);
    },
    async destroy() {
      await stopProcesses();
      await lab.destroy();
    },
  };

  /** Ends the daemons (SIGTERM, so they hand back what they hold), the watcher and the web servers. */
  async function stopProcesses(): Promise<void> {
    for (const d of daemons.values()) if (d.exitCode === null) d.kill("SIGTERM");
    await Promise.all([...daemons.values()].map((d) => (d.exitCode !== null ? Promise.resolve() : new Promise((r) => {
      const timer = setTimeout(r, 5000);
      d.once("exit", () => {
        clearTimeout(timer);
        r(undefined);
      });
    }))));
    if (watcher !== undefined) await watcher.stop(2000).catch(() => undefined);
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  }
}

/** `06:09:38.709291 (+  148.31 ms)  pinky: claim 192.0.2.37 — nobody answered the probe` */
export function formatEvent(e: LabEvent, since: number): string {
  const d = new Date(Math.floor(e.t / 1000));
  const clock = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}.${String(Math.floor(e.t % 1_000_000)).padStart(6, "0")}`;
  const delta = (e.t - since) / 1000;
  return `${clock} (${delta >= 0 ? "+" : "-"}${Math.abs(delta).toFixed(3).padStart(9)} ms)  ${e.text}`;
}

// The failover scenario on one box: a router, Brain and Pinky in network namespaces on one bridge,
// a web page on each box, two real `takeover run` daemons with the shipped example configs. Cuts
// Brain's link, restores it, and tells the timeline as the router sees it: its neighbour entry for
// Brain's public address and who answers HTTP there, next to the daemons' own log lines. With
// `ipv6` the lab is dual-stack: the segment also carries 2001:db8:1::/64 (the router ::1), each box
// gets an IPv6 public address next to its IPv4 one (Brain ::37, Pinky ::36), and the router watches
// both families (`ip -6 neigh`, HTTP over IPv6).
// Used by `takeover lab`, the end-to-end tests and bench:failover.
import { ChildProcess, spawn as spawnDetached } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { hrtimeMicros } from "../link/port";
import { parse, stringify } from "yaml";
import { Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { KeptLab, Lab, OutageKind } from "./netns";
import { NodeWorker } from "./worker";

const DIST = join(__dirname, "..");
const CLI = join(DIST, "cli", "main.js");
export const EXAMPLES = join(__dirname, "..", "..", "..", "examples");

export const BRAIN = { name: "brain", address: "192.0.2.17", publicAddress: "192.0.2.37", publicAddress6: "2001:db8:1::37", mac: "02:00:5e:00:00:17" } as const;
export const PINKY = { name: "pinky", address: "192.0.2.18", publicAddress: "192.0.2.36", publicAddress6: "2001:db8:1::36", mac: "02:00:5e:00:00:18" } as const;
export const ROUTER = { name: "router", address: "192.0.2.1", address6: "2001:db8:1::1", mac: "02:00:5e:00:00:01" } as const;
/** The lab segment's IPv6 prefix length (2001:db8:1::/64); its IPv4 one is 24. */
export const IPV6_PREFIX_LENGTH = 64;

/** An address as a URL's host has it: an IPv6 literal in brackets ("[2001:db8:1::37]"). */
export function urlHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

/** `address/prefix-length` as the lab's segment has it: /24 for IPv4, /64 for IPv6. */
export function onSegment(address: string): string {
  return `${address}/${address.includes(":") ? IPV6_PREFIX_LENGTH : 24}`;
}

/**
 * A box's config for the dual-stack lab: examples/<box>.yaml with both public address lists made
 * [IPv4/24, IPv6/64] (the syntax of the IPv6 daemon: one list, mixed families), then `edit`. YAML
 * text; the example's comments are not kept.
 */
export function dualStackConfig(box: "brain" | "pinky", edit?: (config: Record<string, any>) => void): string {
  const config = parse(readFileSync(join(EXAMPLES, `${box}.yaml`), "utf8")) as Record<string, any>;
  const [self, peer] = box === "brain" ? [BRAIN, PINKY] : [PINKY, BRAIN];
  config.node.publicAddress = [onSegment(self.publicAddress), onSegment(self.publicAddress6)];
  config.peer.publicAddress = [onSegment(peer.publicAddress), onSegment(peer.publicAddress6)];
  edit?.(config);
  return stringify(config);
}

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
  /** httpMicros and neighbourMicros for each of Brain's public addresses (both families in a dual-stack lab) */
  readonly byAddress: ReadonlyMap<string, { readonly httpMicros?: number; readonly neighbourMicros?: number }>;
}

interface Step {
  readonly label: string;
  readonly matches: (e: LabEvent) => boolean;
}

export interface LabScenario {
  readonly lab: Lab;
  readonly events: LabEvent[];
  /** Brain's public addresses the router watches (both families in a dual-stack lab), .37 first. */
  readonly brainAddresses: readonly string[];
  /** Pinky's, .36 first. */
  readonly pinkyAddresses: readonly string[];
  /** Cuts Brain's link (or, with `kind`, begins another outage of it) and waits for the failover steps. */
  failover(timeoutMs?: number, kind?: OutageKind): Promise<PhaseResult>;
  /** Restores Brain's link (ends the outage of `kind`) and waits for the hand-back steps. */
  failback(timeoutMs?: number, kind?: OutageKind): Promise<PhaseResult>;
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
  /**
   * Dual-stack: the segment carries 2001:db8:1::/64 too, the router has 2001:db8:1::1, each box's
   * config (by default; given configs must do the same) gains its IPv6 public address
   * (dualStackConfig), and the router watches both families. Default false.
   */
  readonly ipv6?: boolean;
}

const DAEMON_EVENTS = new Set(["claim", "yield", "release", "hand-back", "peer-down", "peer-up", "link-down", "link-up", "conflict", "not-claiming", "added", "removed", "error", "stopped"]);
/**
 * `2026-11-26T06:09:38.857036Z notice pinky claim 192.0.2.37: detail` (src/failover/log.ts; the level
 * word is optional); the address may be IPv6, `claim 2001:db8:1::37: detail` (an address never holds
 * ": ", so the first one after it ends it), in brackets or not.
 */
const LOG_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z (?:(?:error|warning|notice|info|debug) )?(\S+) (\S+)(?: \[?(\d+\.\d+\.\d+\.\d+|[0-9a-fA-F]*:[0-9a-fA-F:.]*[0-9a-fA-F:])\]?)?: (.*)$/;

/** An IPv6 address as the kernel prints it (and as the lab's constants are written); the text itself if it is none. */
function canonicalIpv6(text: string): string {
  try {
    return Ipv6Address.parse(text).toString();
  } catch {
    return text;
  }
}

function parseLogLine(source: "brain" | "pinky", line: string): LabEvent | undefined {
  const m = LOG_LINE.exec(line);
  if (m === null) return undefined;
  const t = Date.parse(`${m[1]}Z`) * 1000 + Number(m[2]);
  const address = m[5] !== undefined && m[5].includes(":") ? canonicalIpv6(m[5]) : m[5];
  return { t, source, kind: m[4], address, text: `${source}: ${m[4]}${address ? ` ${address}` : ""} — ${m[6]}` };
}

export async function startScenario(options: ScenarioOptions = {}): Promise<LabScenario> {
  const ipv6 = options.ipv6 === true;
  const lab = await Lab.create({
    ipv6,
    hosts: [
      { name: ROUTER.name, address: ipv6 ? [`${ROUTER.address}/24`, onSegment(ROUTER.address6)] : `${ROUTER.address}/24`, mac: ROUTER.mac },
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
  const brainPublic = options.publicAddresses?.brain ?? (ipv6 ? [BRAIN.publicAddress, BRAIN.publicAddress6] : [BRAIN.publicAddress]);
  const pinkyPublic = options.publicAddresses?.pinky ?? (ipv6 ? [PINKY.publicAddress, PINKY.publicAddress6] : [PINKY.publicAddress]);
  // the dual-stack configs are written for this run, and removed with the lab (kept with a kept lab)
  let configDir: string | undefined;
  const defaultConfig = (box: "brain" | "pinky"): string => {
    if (!ipv6) return join(EXAMPLES, `${box}.yaml`);
    configDir ??= mkdtempSync(join(tmpdir(), "takeover-lab-"));
    const file = join(configDir, `${box}.yaml`);
    writeFileSync(file, dualStackConfig(box), { mode: 0o644 });
    return file;
  };
  const configs = [
    [BRAIN, options.brainConfig ?? defaultConfig("brain")],
    [PINKY, options.pinkyConfig ?? defaultConfig("pinky")],
  ] as const;
  const removeConfigDir = () => {
    if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true });
  };
  const children: ChildProcess[] = [];
  const daemons = new Map<string, ChildProcess>();
  let watcher: NodeWorker | undefined;
  try {
    // the link-local addresses' duplicate address detection: until it ends, NDP with them fails
    await lab.awaitIpv6Ready(5000);
    options.beforeDaemons?.(lab);
    for (const box of [BRAIN, PINKY]) {
      const web = lab.spawn(box.name, [process.execPath, join(DIST, "lab", "web-server.js"), box.name]);
      children.push(web);
    }
    const brainRuns = options.brainRunsTakeover ?? true;
    for (const [box, config] of configs) {
      if (box === BRAIN && !brainRuns) {
        // a plain host: its public addresses are simply configured
        for (const address of brainPublic) lab.exec(BRAIN.name, ["ip", "addr", "add", onSegment(address), "dev", "eth0", ...(address.includes(":") ? ["nodad"] : [])], { check: true });
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
          const at = urlHost(m.address);
          push({ t: m.t, source: "router", kind: "http", address: m.address, value: m.server, text: m.server === "none" || m.server === "error" ? `HTTP from the router to ${at}: no answer` : `HTTP from the router to ${at} answered by ${m.server}` });
        }
      }
    };
    w.child.stdout!.on("data", () => setImmediate(pump));
  } catch (error) {
    for (const d of daemons.values()) d.kill("SIGKILL");
    await lab.destroy();
    removeConfigDir();
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
    // the router's lines from the moment the action began (the boxes may act on the change before the
    // command making it returns); earlier ones that arrived late belong to the phase before
    const phaseEvents = seen().filter((e) => e.t >= actionStartedAt - 1000 || e.source !== "router").sort((a, b) => a.t - b.t);
    const micros = (address: string) => {
      const http = phaseEvents.find((e) => e.kind === "http" && e.address === address && e.value === httpOwner);
      const neighbour = phaseEvents.find((e) => e.kind === "neighbour" && e.address === address && e.value === neighbourOwner);
      return { httpMicros: http === undefined ? undefined : http.t - startedAt, neighbourMicros: neighbour === undefined ? undefined : neighbour.t - startedAt };
    };
    const byAddress = new Map(brainPublic.map((a) => [a, micros(a)] as const));
    const first = micros(BRAIN.publicAddress);
    return {
      name,
      startedAt,
      actionStartedAt,
      events: phaseEvents,
      missing: pending().map((s) => s.label),
      httpMicros: first.httpMicros,
      neighbourMicros: first.neighbourMicros,
      byAddress,
    };
  }

  const routerSees = (kind: "http" | "neighbour", address: string, who: string): Step => ({
    label: kind === "http" ? `HTTP from the router to ${urlHost(address)} answered by ${who}` : `router's neighbour entry for ${address} → ${who}'s MAC`,
    matches: (e) => e.source === "router" && e.kind === kind && e.address === address && e.value === who,
  });
  const daemonSays = (source: "brain" | "pinky", kind: string | readonly string[], address: string, label: string): Step => ({
    label,
    matches: (e) => e.source === source && (typeof kind === "string" ? e.kind === kind : kind.includes(e.kind)) && e.address === address,
  });
  const brainRuns = options.brainRunsTakeover ?? true;

  const outageText: Record<OutageKind, [string, string]> = {
    carrier: ["brain's link cut", "brain's link back"],
    admin: ["brain's eth0 set down (ip link set dev eth0 down)", "brain's eth0 set up again"],
    recreate: ["brain's eth0 deleted", "brain's eth0 made again"],
  };

  return {
    lab,
    events,
    brainAddresses: brainPublic,
    pinkyAddresses: pinkyPublic,
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
    failover: (timeoutMs = 15_000, kind: OutageKind = "carrier") =>
      phase("failover", () => {
        lab.beginOutage(BRAIN.name, kind);
        push({ t: hrtimeMicros(), source: "lab", kind: "cut", text: outageText[kind][0] });
      }, brainPublic.flatMap((a) => [
        daemonSays("pinky", "claim", a, `pinky claims ${a}`),
        routerSees("neighbour", a, "pinky"),
        routerSees("http", a, "pinky"),
      ]), "pinky", "pinky", timeoutMs),
    failback: (timeoutMs = 15_000, kind: OutageKind = "carrier") =>
      phase("failback", () => {
        lab.endOutage(BRAIN.name, kind);
        push({ t: hrtimeMicros(), source: "lab", kind: "restore", text: outageText[kind][1] });
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
        if (!daemons.has(box.name)) continue;
        // a config written for this run goes where the kept lab's logs are, as it outlives the run
        let kept = config;
        if (configDir !== undefined && config.startsWith(configDir)) {
          kept = join(logDir, `${box.name}.yaml`);
          copyFileSync(config, kept);
        }
        detached(box.name, `${box.name}-takeover`, [process.execPath, CLI, "run", kept]);
      }
      removeConfigDir();
      return lab.keep(pids, logDir);
    },
    async destroy() {
      await stopProcesses();
      await lab.destroy();
      removeConfigDir();
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

/**
 * Whether this build's daemon takes the dual-stack configs: `takeover run --check` of Brain's
 * (dualStackConfig) in a namespace where eth0 has Brain's real address, the lab built and removed
 * for it (about a second). Undefined when it takes them, or refuses for some other reason than its
 * IPv6 entries (that is left to the run to show); else the lines in which it refuses them.
 */
export async function dualStackRefusal(): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "takeover-lab-"));
  const lab = await Lab.create({ ipv6: true, hosts: [{ name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac }] });
  try {
    const file = join(dir, "brain.yaml");
    writeFileSync(file, dualStackConfig("brain"), { mode: 0o644 });
    const result = await lab.execAsync(BRAIN.name, [process.execPath, CLI, "run", "--check", file], { timeoutMs: 20_000 });
    if (result.status === 0) return undefined;
    const refusals = result.stderr.split("\n").filter((line) => line.includes(BRAIN.publicAddress6) || line.includes(PINKY.publicAddress6));
    return refusals.length === 0 ? undefined : refusals.join("\n");
  } finally {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `06:09:38.709291 (+  148.31 ms)  pinky: claim 192.0.2.37 — nobody answered the probe` */
export function formatEvent(e: LabEvent, since: number): string {
  const d = new Date(Math.floor(e.t / 1000));
  const clock = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}.${String(Math.floor(e.t % 1_000_000)).padStart(6, "0")}`;
  const delta = (e.t - since) / 1000;
  return `${clock} (${delta >= 0 ? "+" : "-"}${Math.abs(delta).toFixed(3).padStart(9)} ms)  ${e.text}`;
}

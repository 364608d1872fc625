// Soak: the lab of `takeover lab` (router .1, Brain .17 holding .37, Pinky .18 holding .36; network
// namespaces) with both daemons checking each other by ICMP, left alone for a while. Nothing that
// should move an address is injected: every transition during the soak (peer-down, claim,
// not-claiming, conflict…) is a false one.
//
// Two profiles:
//   - default (issue 5): ICMP every 10 ms, timeout 10 ms, fall/rise and claim as shipped, no load;
//   - fast (issue 13, `--profile fast`): ICMP every 2 ms, timeout 1 ms, fall 3, a claim of one probe
//     and 1 ms of listening (the values of examples/fast.yaml), and in phases: quiet for the first
//     third, a competing busy loop keeping one core busy for the second third ("contention"), then
//     an ARP storm from the router (10 000 broadcast requests/s for 60 s, bench/arp-storm-worker.ts)
//     in the middle of the last third, quiet around it. A row per sample (a minute in long runs) and
//     per phase: each daemon's CPU, RSS and event-loop lateness, the host's load, the transitions.
//   Each part can be set on its own (--interval, --timeout, --fall, --contention, --storm…), and the
//   daemons can be run at another priority (--nice, --chrt) to measure what the unit's Nice= or
//   CPUSchedulingPolicy= would give.
//
// What is measured, all from outside the daemons (they expose no event-loop figures):
//   - RSS (VmRSS of /proc/PID/status) and CPU time (utime+stime of /proc/PID/stat) of each daemon;
//   - echo requests and replies on the wire: nft counters (counting only, no verdict) on each box's
//     input hook: requests from the peer arriving, replies from the peer arriving;
//   - the spacing of one daemon's echo requests as the other box receives them (tcpdump -tt, a few
//     hundred requests at the start and at the end): gaps well above the interval are the daemon's
//     event loop (or the scheduler) running late;
//   - through the inspector (SIGUSR1, see INSPECT_SCRIPT): heap after a full GC at the start and the
//     end, and event-loop delay: perf_hooks' monitorEventLoopDelay (default profile), or in the fast
//     profile a timer at the check interval recording how late it fires, per row, per phase and
//     over the soak;
//   - the daemons' transitions (log lines) and the router's view of .37/.36.
//
// Run (root): `npm run bench:soak` (default, 1800 s or TAKEOVER_SOAK_SECONDS), or
// `npm run bench:soak:fast` (= node dist/bench/soak.js --profile fast; --seconds N, --help).
// test/failover/soak.test.ts runs both briefly and asserts.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BRAIN, LabEvent, LabScenario, PINKY, ROUTER, startScenario } from "../src/lab/failover-demo";
import { NodeWorker } from "../src/lab/worker";
import { hrtimeMicros } from "../src/link/port";
import { parseDuration } from "../src/failover/duration";
import { otherOwners, sleep, timeline, writeConfig } from "../test/failover/e2e-helpers";
import { inspectorScript } from "./inspector-script";
import { scratchDir } from "./scratch";

/**
 * Looks inside a daemon through the inspector (opened by SIGUSR1, on 127.0.0.1:9229 of the daemon's
 * own namespace). Modes:
 *   - "install": starts a perf_hooks event-loop delay histogram in the daemon (resolution 10 ms);
 *   - "install-late RES": instead, a timer every RES ms that records how late it fires (µs past RES)
 *     in three histograms: per row, per phase, whole soak;
 *   - "read-late BOUNDARY": the per-row figures (then reset), and with BOUNDARY=1 the per-phase ones
 *     (then reset); no GC;
 *   - "measure": runs a full GC (HeapProfiler.collectGarbage) and returns the heap after it, RSS, the
 *     delay histogram's figures since the last measure (then resets it), and the whole-soak lateness.
 * Run with node --experimental-websocket (Node 20).
 */
const INSPECT_SCRIPT = inspectorScript(`
  const evaluate = async (expression) => { const r = await call("Runtime.evaluate", { expression, returnByValue: true }); if (r.result.exceptionDetails) throw new Error(JSON.stringify(r.result.exceptionDetails)); return r.result.result.value; };
  if (mode === "install") {
    await evaluate("(() => { const h = process.mainModule.require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable(); globalThis.__soakDelay = h; return true; })()");
    process.stdout.write(JSON.stringify({ installed: true }) + "\\n");
  } else if (mode === "install-late") {
    const res = Number(arg);
    await evaluate("(() => { const { createHistogram } = process.mainModule.require('node:perf_hooks'); const hs = { row: createHistogram(), phase: createHistogram(), soak: createHistogram() }; let prev = process.hrtime.bigint(); const res = " + res + "; const t = setInterval(() => { const now = process.hrtime.bigint(); const late = Math.max(1, Math.round(Number(now - prev) - res * 1e6)); prev = now; hs.row.record(late); hs.phase.record(late); hs.soak.record(late); }, res); globalThis.__soakLate = { hs, t }; return true; })()");
    process.stdout.write(JSON.stringify({ installed: true }) + "\\n");
  } else if (mode === "read-late") {
    const v = await evaluate("(() => { const f = (h) => h.count === 0 ? undefined : { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, p999Ms: h.percentile(99.9) / 1e6, maxMs: h.max / 1e6, count: h.count }; const s = globalThis.__soakLate; if (s === undefined) return {}; const r = { row: f(s.hs.row), phase: " + (arg === "1" ? "f(s.hs.phase)" : "undefined") + " }; s.hs.row.reset(); if (" + (arg === "1") + ") s.hs.phase.reset(); return r; })()");
    process.stdout.write(JSON.stringify(v) + "\\n");
  } else {
    // the delay figures first: the forced GC below pauses the loop, and must not count
    const delay = await evaluate("(() => { const h = globalThis.__soakDelay; if (h === undefined) return undefined; const d = { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, meanMs: h.mean / 1e6 }; h.disable(); h.reset(); return d; })()");
    const late = await evaluate("(() => { const s = globalThis.__soakLate; if (s === undefined) return undefined; const h = s.hs.soak; const d = h.count === 0 ? undefined : { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, p999Ms: h.percentile(99.9) / 1e6, maxMs: h.max / 1e6, count: h.count }; clearInterval(s.t); for (const x of Object.values(s.hs)) x.reset(); return d; })()");
    await call("HeapProfiler.enable");
    await call("HeapProfiler.collectGarbage");
    const v = await evaluate("(() => { const m = process.memoryUsage(); const h = globalThis.__soakDelay; if (h !== undefined) h.enable(); return { heapUsedKb: Math.round(m.heapUsed / 1024), rssKb: Math.round(m.rss / 1024), externalKb: Math.round(m.external / 1024) }; })()");
    await call("HeapProfiler.disable");
    process.stdout.write(JSON.stringify({ ...v, delay, late }) + "\\n");
  }
`);

/** How late a timer fired past its period: figures in ms. */
export interface Lateness {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** timer firings recorded */
  readonly count: number;
}

export interface InsideFigures {
  /** after a full GC */
  readonly heapUsedKb: number;
  readonly rssKb: number;
  readonly externalKb: number;
  /** event-loop delay since the previous measure (perf_hooks, 10 ms resolution; default profile) */
  readonly delay?: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly meanMs: number };
  /** lateness of the check-interval timer over the whole soak (fast profile) */
  readonly late?: Lateness;
}

type InspectMode = "install" | "install-late" | "read-late" | "measure";

async function inspectRaw(s: LabScenario, host: string, mode: InspectMode, arg: string, dir: string): Promise<unknown> {
  const file = join(dir, "inspect.js");
  writeFileSync(file, INSPECT_SCRIPT);
  const r = await s.lab.execAsync(host, [process.execPath, "--experimental-websocket", "--no-warnings", file, mode, arg], { timeoutMs: 15_000 });
  if (r.status !== 0) throw new Error(`inspecting ${host}'s daemon (${mode}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

async function inspect(s: LabScenario, host: string, pid: number, mode: "install" | "measure", dir: string): Promise<InsideFigures | undefined> {
  if (mode === "install") process.kill(pid, "SIGUSR1");
  const v = await inspectRaw(s, host, mode, "", dir);
  return mode === "measure" ? (v as InsideFigures) : undefined;
}

export interface ProcSample {
  readonly rssKb: number;
  /** utime + stime, ms */
  readonly cpuMs: number;
}

export interface SoakSample {
  /** seconds since the soak started */
  readonly at: number;
  readonly brain: ProcSample;
  readonly pinky: ProcSample;
}

export interface GapStats {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** gaps over `limitMs` (fall × interval): that many missed checks in a row would be a false peer-down */
  readonly overLimit: number;
  readonly limitMs: number;
}

export type PhaseName = "quiet" | "contention" | "storm";

/** One stretch of the soak with the same load. */
export interface PhasePlan {
  readonly name: PhaseName;
  /** seconds since the soak started */
  readonly fromS: number;
  readonly toS: number;
}

/** Figures over one stretch of time: a row (between two samples) or a whole phase. */
export interface Stretch {
  readonly phase: PhaseName;
  readonly fromS: number;
  readonly toS: number;
  /** CPU of each daemon over the stretch, % of one core */
  readonly cpuPercent: Record<"brain" | "pinky", number>;
  /** RSS at the end of the stretch, and (phases) the largest sampled during it */
  readonly rssKb: Record<"brain" | "pinky", number>;
  readonly maxRssKb: Record<"brain" | "pinky", number>;
  /** lateness of the check-interval timer inside each daemon (fast profile) */
  readonly late: Record<"brain" | "pinky", Lateness | undefined>;
  /** the whole host's CPU busy over the stretch, % of all its cores; 1-minute load average at its end */
  readonly hostBusyPercent: number;
  readonly load1: number;
  /** echo requests from the peer arriving at each box (nft), over the stretch */
  readonly requestsAt: Record<"brain" | "pinky", number>;
  /** the ICMP check's runs and failures (single misses) in each daemon over the stretch, from its /metrics */
  readonly checks: Record<"brain" | "pinky", { runs: number; failures: number }>;
  /** daemon transitions (peer-down, claim…) during the stretch */
  readonly transitions: number;
}

export interface SoakResult {
  readonly seconds: number;
  /** the checks as configured in both daemons */
  readonly check: { readonly intervalMs: number; readonly timeoutMs: number; readonly fall: number };
  /** the claim as configured (probes, probe wait ms) when set by the soak; undefined: as shipped */
  readonly claim?: ClaimSettings;
  readonly samples: readonly SoakSample[];
  /**
   * growthKb: last sample − first; medianGrowthKb: the median of the last three samples − the median
   * of the first three (RSS swings by several MB with each major GC; one sample can catch either side)
   */
  readonly rss: Record<"brain" | "pinky", { startKb: number; endKb: number; maxKb: number; growthKb: number; medianGrowthKb: number }>;
  /** CPU used during the soak, ms, and as a share of one core */
  readonly cpu: Record<"brain" | "pinky", { ms: number; percent: number }>;
  /** counted on the wire (nft counters on each box's input), over the whole soak */
  readonly wire: {
    readonly pinkyRequestsAtBrain: number;
    readonly brainRepliesAtPinky: number;
    readonly brainRequestsAtPinky: number;
    readonly pinkyRepliesAtBrain: number;
    /** what a check every interval would send in the soak's time, per side */
    readonly expectedPerSide: number;
  };
  /** spacing of Pinky's echo requests arriving at Brain, and Brain's at Pinky, at the start and the end */
  readonly gaps: { readonly start: Record<"brain" | "pinky", GapStats>; readonly end: Record<"brain" | "pinky", GapStats> };
  /** daemon events during the soak (after settling, before the final forced GC) that are transitions */
  readonly transitions: readonly LabEvent[];
  /** false peer-downs and false claims among them */
  readonly falsePeerDowns: number;
  readonly falseClaims: number;
  /** transitions after the soak, while the final measure forced a full GC in each daemon */
  readonly transitionsDuringFinalGc: readonly LabEvent[];
  /** router events that show an owner other than the home box for .37 or .36 */
  readonly routerOthers: readonly LabEvent[];
  readonly alive: Record<"brain" | "pinky", boolean>;
  /** through the inspector: heap after a full GC at the start and the end, event-loop delay over the soak */
  readonly inside: Record<"brain" | "pinky", { readonly start?: InsideFigures; readonly end?: InsideFigures }>;
  /** a row per sample, and one per phase (figures over the phase) */
  readonly rows: readonly Stretch[];
  readonly phases: readonly Stretch[];
  readonly plan: readonly PhasePlan[];
  /** what the busy loops did: how many, for how long, and their CPU (ms, from /proc) */
  readonly contention?: { readonly loops: number; readonly seconds: number; readonly cpuMs: number };
  /** what the ARP storm worker did */
  readonly storm?: { readonly framesPerSecond: number; readonly sent: number; readonly errors: number; readonly seconds: number };
  /** the daemons' scheduling, as applied (e.g. "nice -10", "SCHED_FIFO 10"), or "default" */
  readonly priority: string;
  readonly timeline: string;
}

export interface ClaimSettings {
  readonly probes: number;
  readonly probeWaitMs: number;
  readonly probeIntervalMs: number;
}

export interface SoakOptions {
  readonly seconds: number;
  /** default 5000 */
  readonly sampleEveryMs?: number;
  /** the ICMP check's interval, ms; default 10 */
  readonly checkIntervalMs?: number;
  /** the ICMP check's timeout, ms; default the interval */
  readonly checkTimeoutMs?: number;
  /** the ICMP check's fall; default as shipped (3) */
  readonly fall?: number;
  /** the claim; default as shipped */
  readonly claim?: ClaimSettings;
  /** busy loops (one core each) during the middle third of the soak; default none */
  readonly contention?: { readonly loops: number };
  /** an ARP storm from the router, in the middle of the last third; default none */
  readonly storm?: { readonly framesPerSecond: number; readonly seconds: number };
  /** measure event-loop lateness with a timer at the check interval (rows, phases); default false */
  readonly lateness?: boolean;
  /** run the daemons at this nice value (every thread), e.g. -10 */
  readonly nice?: number;
  /** run the daemons under a real-time policy (every thread) */
  readonly realtime?: { readonly policy: "fifo" | "rr"; readonly priority: number };
  /** look inside the daemons through the inspector (SIGUSR1); default true */
  readonly inspect?: boolean;
  /** progress lines */
  readonly progress?: (line: string) => void;
}

/** The fast profile of issue 13: the settings of examples/fast.yaml, one busy core, a 10k/s ARP storm. */
export function fastProfile(seconds: number): SoakOptions {
  return {
    seconds,
    sampleEveryMs: seconds > 600 ? 60_000 : seconds > 120 ? 30_000 : 5000,
    checkIntervalMs: 2,
    checkTimeoutMs: 1,
    fall: 3,
    claim: { probes: 1, probeIntervalMs: 1, probeWaitMs: 1 },
    contention: { loops: 1 },
    storm: { framesPerSecond: 10_000, seconds: Math.min(60, Math.max(1, Math.round(seconds / 6))) },
    lateness: true,
  };
}

const TRANSITION_KINDS = new Set(["claim", "yield", "release", "hand-back", "peer-down", "peer-up", "link-down", "link-up", "conflict", "not-claiming", "added", "removed", "error", "stderr", "stopped"]);

export function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // fields after the command name (which may hold spaces) start at field 3 (state)
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(rest[11]) + Number(rest[12]); // utime (14), stime (15)
  return { rssKb, cpuMs: ticks * 10 }; // CLK_TCK 100
}

/** The host's CPU time, busy and total, in ticks (/proc/stat "cpu" line). */
function hostTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

function median3(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * The soak's phases: contention (if any) for the middle third, the storm (if any) in the middle of
 * the last third, quiet elsewhere. Pure; the stretches cover [0, seconds] without gaps.
 */
export function planPhases(seconds: number, contention: boolean, stormSeconds: number | undefined): PhasePlan[] {
  const marks: { name: PhaseName; fromS: number; toS: number }[] = [];
  if (contention) marks.push({ name: "contention", fromS: seconds / 3, toS: (2 * seconds) / 3 });
  if (stormSeconds !== undefined && stormSeconds > 0) {
    const length = Math.min(stormSeconds, seconds / 3);
    const from = (2 * seconds) / 3 + (seconds / 3 - length) / 2;
    marks.push({ name: "storm", fromS: from, toS: from + length });
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const plan: PhasePlan[] = [];
  let at = 0;
  for (const m of marks) {
    if (m.fromS > at) plan.push({ name: "quiet", fromS: round(at), toS: round(m.fromS) });
    plan.push({ name: m.name, fromS: round(m.fromS), toS: round(m.toS) });
    at = m.toS;
  }
  if (at < seconds) plan.push({ name: "quiet", fromS: round(at), toS: round(seconds) });
  return plan;
}

/** Captures `count` echo requests from `from` arriving at `host` (tcpdump -tt) and returns their spacing. */
async function requestGaps(s: LabScenario, host: string, from: string, count: number, limitMs: number): Promise<GapStats> {
  const result = await s.lab.execAsync(host, ["timeout", "10", "tcpdump", "-i", "eth0", "-nn", "-tt", "-l", "-q", "-c", String(count), `icmp[icmptype] == icmp-echo and src host ${from}`], { timeoutMs: 15_000 });
  const stamps = result.stdout.split("\n").map((l) => Number(l.split(" ")[0])).filter((t) => Number.isFinite(t) && t > 0);
  const gaps = stamps.slice(1).map((t, i) => (t - stamps[i]) * 1000).sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { requests: stamps.length, p50Ms: round(quantile(gaps, 0.5)), p99Ms: round(quantile(gaps, 0.99)), maxMs: round(gaps[gaps.length - 1] ?? NaN), overLimit: gaps.filter((g) => g > limitMs).length, limitMs };
}

function counters(s: LabScenario, host: string): { requests: number; replies: number } {
  const text = s.lab.exec(host, ["nft", "list", "table", "inet", "soak"], { check: true }).stdout;
  const count = (label: string) => Number(new RegExp(`counter packets (\\d+) bytes \\d+ comment "${label}"`).exec(text)?.[1] ?? NaN);
  return { requests: count("requests"), replies: count("replies") };
}

/** The ICMP check's counters from the daemon's /metrics (status listener, 127.0.0.1:9337 in its namespace). */
async function checkCounters(s: LabScenario, host: string): Promise<{ runs: number; failures: number }> {
  const r = await s.lab.execAsync(host, ["curl", "-s", "--max-time", "5", "http://127.0.0.1:9337/metrics"], { timeoutMs: 10_000 });
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*check="peer-ping"[^}]*\\} (\\d+)`, "m").exec(r.stdout)?.[1] ?? NaN);
  return { runs: value("takeover_checks_total"), failures: value("takeover_check_failures_total") };
}

/** Sets the scheduling of every thread of `pid`; throws with the tool's message if it fails. */
function applyPriority(pid: number, options: SoakOptions): void {
  if (options.realtime !== undefined) {
    const r = spawnSync("chrt", ["-a", options.realtime.policy === "fifo" ? "-f" : "-r", "-p", String(options.realtime.priority), String(pid)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`chrt on the daemon ${pid}: ${(r.stderr || r.error?.message || "").trim()}`);
  }
  if (options.nice !== undefined) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const r = spawnSync("renice", ["-n", String(options.nice), "-p", tid], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`renice on the daemon's thread ${tid}: ${(r.stderr || r.error?.message || "").trim()}`);
    }
  }
}

function priorityText(options: SoakOptions): string {
  const parts: string[] = [];
  if (options.nice !== undefined) parts.push(`nice ${options.nice}`);
  if (options.realtime !== undefined) parts.push(`SCHED_${options.realtime.policy.toUpperCase()} ${options.realtime.priority}`);
  return parts.length === 0 ? "default (SCHED_OTHER, nice 0)" : parts.join(", ");
}

/** A competing process: one core busy until `seconds` have passed (bounded), at nice 0. */
function busyLoop(seconds: number): ChildProcess {
  const script = `const end = Date.now() + ${Math.round(seconds * 1000)}; let x = 0; while (Date.now() < end) { x++; } process.stdout.write(String(x));`;
  return spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
}

interface Point {
  readonly atS: number;
  /** hrtimeMicros when taken */
  readonly t: number;
  readonly proc: Record<"brain" | "pinky", ProcSample>;
  readonly host: { busy: number; total: number };
  readonly load1: number;
  readonly requestsAt: Record<"brain" | "pinky", number>;
  readonly checks: Record<"brain" | "pinky", { runs: number; failures: number }>;
  /** lateness since the previous point (row) and, at a phase's end, over the phase */
  readonly late: Record<"brain" | "pinky", { row?: Lateness; phase?: Lateness }>;
}

/** Runs the soak; always destroys the lab. Throws only if the lab could not be set up. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const intervalMs = options.checkIntervalMs ?? 10;
  const timeoutMs = options.checkTimeoutMs ?? intervalMs;
  const ms = (x: number) => `${Math.round(x * 1000)}us`;
  const dirs: string[] = [];
  const progress = options.progress ?? (() => undefined);
  let fall = 3;
  const edit = (c: Record<string, any>) => {
    c.checks[0].interval = ms(intervalMs);
    c.checks[0].timeout = ms(timeoutMs);
    if (options.fall !== undefined) c.checks[0].fall = options.fall;
    fall = c.checks[0].fall ?? 3;
    if (options.claim !== undefined) c.claim = { ...c.claim, probes: options.claim.probes, probeInterval: ms(options.claim.probeIntervalMs), probeWait: ms(options.claim.probeWaitMs) };
  };
  const brainConfig = writeConfig(dirs, "brain", edit);
  const pinkyConfig = writeConfig(dirs, "pinky", edit);
  const plan = planPhases(options.seconds, options.contention !== undefined, options.storm?.seconds);
  const lateness = options.lateness === true && options.inspect !== false;
  let s: LabScenario | undefined;
  const loops: ChildProcess[] = [];
  let storm: NodeWorker | undefined;
  try {
    s = await startScenario({ brainConfig, pinkyConfig, httpIntervalMs: 50 });
    const settled = await s.settled(15_000);
    if (settled.missing.length > 0) throw new Error(`steady state not reached: ${settled.missing.join("; ")}\n${timeline(s.events, settled.startedAt)}`);
    await sleep(1000); // start-up lines (peer-mac…) out of the way
    for (const [host, peer] of [[BRAIN.name, PINKY.address], [PINKY.name, BRAIN.address]] as const) {
      s.lab.nft(host, `table inet soak {
        chain input {
          type filter hook input priority -10; policy accept;
          ip saddr ${peer} icmp type echo-request counter comment "requests"
          ip saddr ${peer} icmp type echo-reply counter comment "replies"
        }
      }`);
    }
    const pids = { brain: s.daemon("brain").pid!, pinky: s.daemon("pinky").pid! };
    if (options.nice !== undefined || options.realtime !== undefined) for (const who of ["brain", "pinky"] as const) applyPriority(pids[who], options);
    const inspectDir = scratchDir("takeover-soak-");
    dirs.push(inspectDir);
    const inside: Record<"brain" | "pinky", { start?: InsideFigures; end?: InsideFigures }> = { brain: {}, pinky: {} };
    if (options.inspect !== false) {
      for (const who of ["brain", "pinky"] as const) {
        if (lateness) process.kill(pids[who], "SIGUSR1"); // the lateness timer is installed after the first measure
        else await inspect(s, who, pids[who], "install", inspectDir);
      }
      for (const who of ["brain", "pinky"] as const) inside[who].start = await inspect(s, who, pids[who], "measure", inspectDir);
      if (lateness) for (const who of ["brain", "pinky"] as const) await inspectRaw(s, who, "install-late", String(intervalMs), inspectDir);
    }
    const t0 = hrtimeMicros();
    const started = Date.now();
    const samples: SoakSample[] = [];
    const points: Point[] = [];
    const take = async (atS: number, phaseEnd: boolean) => {
      const late: Point["late"] = { brain: {}, pinky: {} };
      if (lateness) {
        for (const who of ["brain", "pinky"] as const) late[who] = (await inspectRaw(s!, who, "read-late", phaseEnd ? "1" : "0", inspectDir)) as { row?: Lateness; phase?: Lateness };
      }
      const proc = { brain: procSample(pids.brain), pinky: procSample(pids.pinky) };
      const at = Math.round((Date.now() - started) / 100) / 10;
      samples.push({ at, ...proc });
      const point: Point = { atS, t: hrtimeMicros(), proc, host: hostTicks(), load1: loadavg()[0], requestsAt: { brain: counters(s!, BRAIN.name).requests, pinky: counters(s!, PINKY.name).requests }, checks: { brain: await checkCounters(s!, BRAIN.name), pinky: await checkCounters(s!, PINKY.name) }, late };
      points.push(point);
      const l = (who: "brain" | "pinky") => (late[who].row === undefined ? "" : ` late p99 ${late[who].row!.p99Ms.toFixed(2)} max ${late[who].row!.maxMs.toFixed(1)} ms`);
      progress(`  t=${at.toFixed(1).padStart(7)} s  brain RSS ${(proc.brain.rssKb / 1024).toFixed(1)} MB cpu ${(proc.brain.cpuMs / 1000).toFixed(1)} s${l("brain")}   pinky RSS ${(proc.pinky.rssKb / 1024).toFixed(1)} MB cpu ${(proc.pinky.cpuMs / 1000).toFixed(1)} s${l("pinky")}   load ${point.load1.toFixed(2)}`);
    };
    await take(0, false);
    const gapCount = 300;
    const limitMs = fall * intervalMs;
    const [startBrain, startPinky] = await Promise.all([requestGaps(s, BRAIN.name, PINKY.address, gapCount, limitMs), requestGaps(s, PINKY.name, BRAIN.address, gapCount, limitMs)]);
    const every = options.sampleEveryMs ?? 5000;
    // the moments to sample: every `every`, and each phase's start and end (bounded: seconds*1000/every + 2 × phases)
    const boundaries = new Set(plan.map((p) => p.toS));
    const starts = new Map(plan.map((p) => [p.fromS, p]));
    const moments = [...new Set([...Array.from({ length: Math.floor((options.seconds * 1000) / every) }, (_, i) => ((i + 1) * every) / 1000), ...plan.map((p) => p.fromS), ...plan.map((p) => p.toS)])]
      .filter((x) => x > 0 && x <= options.seconds)
      .sort((a, b) => a - b);
    let contention: SoakResult["contention"];
    let stormResult: SoakResult["storm"];
    const startPhase = (p: PhasePlan | undefined) => {
      if (p?.name === "contention" && options.contention !== undefined) {
        for (let i = 0; i < Math.min(options.contention.loops, 8); i++) loops.push(busyLoop(p.toS - p.fromS));
        progress(`  contention: ${loops.length} busy loop(s) for ${(p.toS - p.fromS).toFixed(0)} s`);
      } else if (p?.name === "storm" && options.storm !== undefined) {
        storm = s!.lab.runNode(ROUTER.name, join(__dirname, "arp-storm-worker.js"), { framesPerSecond: options.storm.framesPerSecond, seconds: p.toS - p.fromS, mac: ROUTER.mac, address: ROUTER.address });
        progress(`  storm: ARP requests from the router at ${options.storm.framesPerSecond}/s for ${(p.toS - p.fromS).toFixed(1)} s`);
      }
    };
    const endPhase = async (p: PhasePlan) => {
      if (p.name === "contention" && loops.length > 0) {
        let cpuMs = 0;
        for (const loop of loops) {
          try {
            cpuMs += procSample(loop.pid!).cpuMs;
          } catch {
            // already gone
          }
          if (loop.exitCode === null) loop.kill("SIGTERM");
        }
        contention = { loops: loops.length, seconds: p.toS - p.fromS, cpuMs };
        loops.length = 0;
      } else if (p.name === "storm" && storm !== undefined) {
        const w = storm;
        storm = undefined;
        const done = (await w.next((m) => m.kind === "done", 10_000).catch(() => undefined)) as { sent: number; errors: number; seconds: number } | undefined;
        await w.stop(2000).catch(() => undefined);
        stormResult = { framesPerSecond: options.storm!.framesPerSecond, sent: done?.sent ?? 0, errors: done?.errors ?? 0, seconds: done?.seconds ?? 0 };
        progress(`  storm done: ${stormResult.sent} frames sent (${stormResult.errors} errors) in ${stormResult.seconds} s`);
      }
    };
    startPhase(starts.get(0));
    for (const at of moments) {
      await sleep(Math.max(0, started + at * 1000 - Date.now()));
      const ending = plan.find((p) => p.toS === at);
      if (ending !== undefined && ending.name === "contention") await endPhase(ending); // the loop's CPU before it exits on its own
      await take(at, boundaries.has(at));
      if (ending !== undefined && ending.name !== "contention") await endPhase(ending);
      startPhase(at < options.seconds ? starts.get(at) : undefined);
    }
    const tEnd = hrtimeMicros();
    const elapsed = (Date.now() - started) / 1000;
    const [endBrain, endPinky] = await Promise.all([requestGaps(s, BRAIN.name, PINKY.address, gapCount, limitMs), requestGaps(s, PINKY.name, BRAIN.address, gapCount, limitMs)]);
    const tGc = hrtimeMicros();
    if (options.inspect !== false) {
      for (const who of ["brain", "pinky"] as const) inside[who].end = await inspect(s, who, pids[who], "measure", inspectDir);
    }
    await sleep(Math.max(200, 100 * intervalMs * fall)); // a peer-down the GC caused would be logged by now
    const atBrain = counters(s, BRAIN.name);
    const atPinky = counters(s, PINKY.name);
    const first = samples[0];
    const last = samples[samples.length - 1];
    const rssOf = (who: "brain" | "pinky") => ({
      startKb: first[who].rssKb,
      endKb: last[who].rssKb,
      maxKb: Math.max(...samples.map((x) => x[who].rssKb)),
      growthKb: last[who].rssKb - first[who].rssKb,
      medianGrowthKb: median3(samples.slice(-3).map((x) => x[who].rssKb)) - median3(samples.slice(0, 3).map((x) => x[who].rssKb)),
    });
    const cpuOf = (who: "brain" | "pinky") => ({ ms: last[who].cpuMs - first[who].cpuMs, percent: Math.round(((last[who].cpuMs - first[who].cpuMs) / 10 / ((points[points.length - 1].t - points[0].t) / 1e6)) * 10) / 10 });
    const events = s.events;
    const alive = (who: "brain" | "pinky") => {
      const d = s!.daemon(who);
      return d.exitCode === null && d.signalCode === null;
    };
    const isTransition = (e: LabEvent) => (e.source === "brain" || e.source === "pinky") && TRANSITION_KINDS.has(e.kind) && !(e.kind === "stderr" && /Debugger (listening|attached|ending)|docs\/inspector/.test(e.text));
    const transitions = events.filter((e) => e.t >= t0 && e.t < tEnd && isTransition(e));
    const stretch = (a: Point, b: Point, phase: PhaseName, lateOf: (p: Point, who: "brain" | "pinky") => Lateness | undefined, within: readonly Point[]): Stretch => {
      const seconds = (b.t - a.t) / 1e6;
      const pct = (who: "brain" | "pinky") => Math.round(((b.proc[who].cpuMs - a.proc[who].cpuMs) / 10 / seconds) * 10) / 10;
      return {
        phase,
        fromS: a.atS,
        toS: b.atS,
        cpuPercent: { brain: pct("brain"), pinky: pct("pinky") },
        rssKb: { brain: b.proc.brain.rssKb, pinky: b.proc.pinky.rssKb },
        maxRssKb: { brain: Math.max(...within.map((p) => p.proc.brain.rssKb)), pinky: Math.max(...within.map((p) => p.proc.pinky.rssKb)) },
        late: { brain: lateOf(b, "brain"), pinky: lateOf(b, "pinky") },
        hostBusyPercent: Math.round(((b.host.busy - a.host.busy) / Math.max(1, b.host.total - a.host.total)) * 1000) / 10,
        load1: Math.round(b.load1 * 100) / 100,
        requestsAt: { brain: b.requestsAt.brain - a.requestsAt.brain, pinky: b.requestsAt.pinky - a.requestsAt.pinky },
        checks: {
          brain: { runs: b.checks.brain.runs - a.checks.brain.runs, failures: b.checks.brain.failures - a.checks.brain.failures },
          pinky: { runs: b.checks.pinky.runs - a.checks.pinky.runs, failures: b.checks.pinky.failures - a.checks.pinky.failures },
        },
        transitions: transitions.filter((e) => e.t >= a.t && e.t < b.t).length,
      };
    };
    const phaseAt = (atS: number) => plan.find((p) => atS > p.fromS && atS <= p.toS)?.name ?? "quiet";
    const rows = points.slice(1).map((b, i) => stretch(points[i], b, phaseAt(b.atS), (p, who) => p.late[who].row, [points[i], b]));
    const phases = plan.flatMap((p) => {
      const a = points.find((x) => x.atS === p.fromS);
      const b = points.find((x) => x.atS === p.toS);
      if (a === undefined || b === undefined) return [];
      return [stretch(a, b, p.name, (x, who) => x.late[who].phase, points.filter((x) => x.atS >= p.fromS && x.atS <= p.toS))];
    });
    return {
      seconds: Math.round(elapsed * 10) / 10,
      check: { intervalMs, timeoutMs, fall },
      claim: options.claim,
      samples,
      rss: { brain: rssOf("brain"), pinky: rssOf("pinky") },
      cpu: { brain: cpuOf("brain"), pinky: cpuOf("pinky") },
      wire: {
        pinkyRequestsAtBrain: atBrain.requests,
        pinkyRepliesAtBrain: atBrain.replies,
        brainRequestsAtPinky: atPinky.requests,
        brainRepliesAtPinky: atPinky.replies,
        expectedPerSide: Math.round((elapsed * 1000) / intervalMs),
      },
      gaps: { start: { brain: startPinky, pinky: startBrain }, end: { brain: endPinky, pinky: endBrain } },
      transitions,
      falsePeerDowns: transitions.filter((e) => e.kind === "peer-down").length,
      falseClaims: transitions.filter((e) => e.kind === "claim").length,
      transitionsDuringFinalGc: events.filter((e) => e.t >= tGc && isTransition(e)),
      routerOthers: [...otherOwners(s, BRAIN.publicAddress, t0, "brain"), ...otherOwners(s, PINKY.publicAddress, t0, "pinky")],
      alive: { brain: alive("brain"), pinky: alive("pinky") },
      inside,
      rows,
      phases,
      plan,
      contention,
      storm: stormResult,
      priority: priorityText(options),
      timeline: timeline(events.filter((e) => e.t >= t0 && e.source !== "router"), t0),
    };
  } finally {
    for (const loop of loops) if (loop.exitCode === null) loop.kill("SIGTERM");
    await storm?.stop(2000).catch(() => undefined);
    await s?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

function lateText(l: Lateness | undefined): string {
  return l === undefined ? "—" : `p99 ${l.p99Ms.toFixed(2)} / p99.9 ${l.p999Ms.toFixed(2)} / max ${l.maxMs.toFixed(1)} ms`;
}

/** The figures as lines of text. `gaps.*.brain` is the spacing of Brain's requests (seen at Pinky). */
export function formatSoak(r: SoakResult): string {
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  const c = r.check;
  const lines = [`soak: ${r.seconds} s, ICMP check every ${c.intervalMs} ms both ways, timeout ${c.timeoutMs} ms, fall ${c.fall}${r.claim === undefined ? "" : `; claim ${r.claim.probes} probe(s), ${r.claim.probeWaitMs} ms of listening`}; daemons' scheduling: ${r.priority}`];
  if (r.plan.length > 1) lines.push(`  phases: ${r.plan.map((p) => `${p.name} ${p.fromS.toFixed(0)}–${p.toS.toFixed(0)} s`).join(", ")}`);
  if (r.contention !== undefined) lines.push(`  contention: ${r.contention.loops} busy loop(s), ${r.contention.seconds.toFixed(0)} s, ${(r.contention.cpuMs / 1000).toFixed(1)} s of CPU (${Math.round(r.contention.cpuMs / 10 / r.contention.seconds)} % of a core)`);
  if (r.storm !== undefined) lines.push(`  storm: ${r.storm.sent} ARP requests sent from the router in ${r.storm.seconds} s (${Math.round(r.storm.sent / Math.max(0.001, r.storm.seconds))}/s, asked ${r.storm.framesPerSecond}/s), ${r.storm.errors} send errors`);
  for (const who of ["brain", "pinky"] as const) {
    const x = r.rss[who];
    lines.push(`  ${who}: RSS start ${mb(x.startKb)}, end ${mb(x.endKb)}, max ${mb(x.maxKb)}, growth ${(x.growthKb / 1024).toFixed(2)} MB (median of the last 3 samples − median of the first 3: ${(x.medianGrowthKb / 1024).toFixed(2)} MB); CPU ${(r.cpu[who].ms / 1000).toFixed(1)} s (${r.cpu[who].percent} % of a core); alive ${r.alive[who]}`);
    const { start, end } = r.inside[who];
    if (start !== undefined && end !== undefined) {
      lines.push(`    ${who} inside (inspector, after a full GC): heap used ${mb(start.heapUsedKb)} → ${mb(end.heapUsedKb)} (growth ${((end.heapUsedKb - start.heapUsedKb) / 1024).toFixed(2)} MB), external ${mb(start.externalKb)} → ${mb(end.externalKb)}, RSS after GC ${mb(start.rssKb)} → ${mb(end.rssKb)}`);
      if (end.delay !== undefined) lines.push(`    ${who} event-loop delay over the soak (perf_hooks monitorEventLoopDelay, 10 ms resolution: figures include the 10 ms): p50 ${end.delay.p50Ms.toFixed(2)} ms, p99 ${end.delay.p99Ms.toFixed(2)} ms, max ${end.delay.maxMs.toFixed(2)} ms, mean ${end.delay.meanMs.toFixed(2)} ms`);
      if (end.late !== undefined) lines.push(`    ${who} event-loop lateness over the soak (a ${c.intervalMs} ms timer inside the daemon, how late it fired; ${end.late.count} firings): p50 ${end.late.p50Ms.toFixed(2)} ms, ${lateText(end.late)}`);
    }
    for (const when of ["start", "end"] as const) {
      const g = r.gaps[when][who];
      lines.push(`    ${who}'s echo requests, spacing at the ${when} (${g.requests} captured): p50 ${g.p50Ms} ms, p99 ${g.p99Ms} ms, max ${g.maxMs} ms, gaps > ${g.limitMs} ms (fall × interval): ${g.overLimit}`);
    }
  }
  const w = r.wire;
  lines.push(`  wire (nft counters on each box's input): Pinky's requests at Brain ${w.pinkyRequestsAtBrain}, Brain's replies at Pinky ${w.brainRepliesAtPinky}`);
  lines.push(`        Brain's requests at Pinky ${w.brainRequestsAtPinky}, Pinky's replies at Brain ${w.pinkyRepliesAtBrain}; expected ≈ ${w.expectedPerSide} per side at one per ${c.intervalMs} ms`);
  const table = (title: string, stretches: readonly Stretch[]) => {
    if (stretches.length === 0) return;
    lines.push(`  ${title}`);
    lines.push(`    ${"from–to s".padEnd(13)} ${"phase".padEnd(10)} ${"CPU % brain/pinky".padEnd(18)} ${"RSS MB brain/pinky".padEnd(19)} ${"lateness brain (p99/p99.9/max ms)".padEnd(34)} ${"lateness pinky".padEnd(20)} ${"echo req/s at brain/pinky".padEnd(26)} ${"checks failed/run brain, pinky".padEnd(32)} host busy %  load1  transitions`);
    for (const x of stretches) {
      const l = (v: Lateness | undefined) => (v === undefined ? "—" : `${v.p99Ms.toFixed(2)}/${v.p999Ms.toFixed(2)}/${v.maxMs.toFixed(1)}`);
      lines.push(`    ${`${x.fromS.toFixed(0)}–${x.toS.toFixed(0)}`.padEnd(13)} ${x.phase.padEnd(10)} ${`${x.cpuPercent.brain}/${x.cpuPercent.pinky}`.padEnd(18)} ${`${(x.rssKb.brain / 1024).toFixed(1)}/${(x.rssKb.pinky / 1024).toFixed(1)}`.padEnd(19)} ${l(x.late.brain).padEnd(34)} ${l(x.late.pinky).padEnd(20)} ${`${Math.round(x.requestsAt.brain / Math.max(0.001, x.toS - x.fromS))}/${Math.round(x.requestsAt.pinky / Math.max(0.001, x.toS - x.fromS))}`.padEnd(26)} ${`${x.checks.brain.failures}/${x.checks.brain.runs}, ${x.checks.pinky.failures}/${x.checks.pinky.runs}`.padEnd(32)} ${String(x.hostBusyPercent).padEnd(12)} ${x.load1.toFixed(2).padEnd(6)} ${x.transitions}`);
    }
  };
  if (r.plan.length > 1 || r.rows.some((x) => x.late.brain !== undefined)) {
    table("per phase (RSS at the phase's end; lateness: a timer inside the daemon at the check interval):", r.phases);
    table("per row:", r.rows);
  }
  lines.push(`  transitions during the soak: ${r.transitions.length} (false peer-downs ${r.falsePeerDowns}, false claims ${r.falseClaims}); router saw another owner: ${r.routerOthers.length}`);
  if (r.transitionsDuringFinalGc.length > 0) lines.push(`  transitions after the soak, during the final forced GC (not counted): ${r.transitionsDuringFinalGc.map((e) => e.text).join("; ")}`);
  if (r.transitions.length > 0) lines.push(r.timeline);
  return lines.join("\n");
}

const USAGE = `usage: node dist/bench/soak.js [--profile default|fast] [--seconds N] [--sample DURATION]
       [--interval DURATION] [--timeout DURATION] [--fall N] [--contention [--contention-loops N]]
       [--storm [--storm-rate N] [--storm-seconds N]] [--nice=N] [--chrt fifo:PRIO|rr:PRIO] [--no-inspect]
  default profile: ICMP every 10 ms, no load, ${"TAKEOVER_SOAK_SECONDS"} or 1800 s;
  fast: every 2 ms, timeout 1 ms, fall 3, claim 1 probe + 1 ms, a busy core for the middle third,
        an ARP storm of 10 000/s for 60 s (at most a sixth of the soak) in the last third.`;

/** Reads the command line into options; throws a one-line error naming the bad option. */
export function soakOptionsFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      profile: { type: "string" },
      seconds: { type: "string" },
      sample: { type: "string" },
      interval: { type: "string" },
      timeout: { type: "string" },
      fall: { type: "string" },
      contention: { type: "boolean" },
      "contention-loops": { type: "string" },
      storm: { type: "boolean" },
      "storm-rate": { type: "string" },
      "storm-seconds": { type: "string" },
      nice: { type: "string" },
      chrt: { type: "string" },
      "no-inspect": { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const number = (name: string, text: string | undefined, min: number, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`soak: --${name} ${text}: not a number from ${min} to ${max}`);
    return n;
  };
  const durationMs = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseDuration(text) / 1000;
    } catch (error) {
      throw new Error(`soak: --${name} ${text}: ${(error as Error).message}; write it with a unit, like 2ms`);
    }
  };
  const seconds = number("seconds", values.seconds ?? env.TAKEOVER_SOAK_SECONDS, 1, 24 * 3600) ?? 1800;
  const profile = values.profile ?? "default";
  if (profile !== "default" && profile !== "fast") throw new Error(`soak: --profile ${profile}: unknown; use default or fast`);
  const base: SoakOptions = profile === "fast" ? fastProfile(seconds) : { seconds, sampleEveryMs: seconds > 600 ? 30_000 : 5000 };
  const loops = number("contention-loops", values["contention-loops"], 1, 8);
  const rate = number("storm-rate", values["storm-rate"], 1, 20_000);
  const stormSeconds = number("storm-seconds", values["storm-seconds"], 0.1, 300);
  let realtime: SoakOptions["realtime"];
  if (values.chrt !== undefined) {
    const m = /^(fifo|rr):(\d+)$/.exec(values.chrt);
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 99) throw new Error(`soak: --chrt ${values.chrt}: write fifo:PRIO or rr:PRIO, PRIO from 1 to 99`);
    realtime = { policy: m[1] as "fifo" | "rr", priority: Number(m[2]) };
  }
  const contention = values.contention || loops !== undefined ? { loops: loops ?? 1 } : base.contention;
  const storm = values.storm || rate !== undefined || stormSeconds !== undefined ? { framesPerSecond: rate ?? base.storm?.framesPerSecond ?? 10_000, seconds: stormSeconds ?? base.storm?.seconds ?? Math.min(60, Math.max(1, Math.round(seconds / 6))) } : base.storm;
  return {
    ...base,
    sampleEveryMs: durationMs("sample", values.sample) ?? (env.TAKEOVER_SOAK_SAMPLE_MS !== undefined ? number("sample", env.TAKEOVER_SOAK_SAMPLE_MS, 100, 3_600_000) : base.sampleEveryMs),
    checkIntervalMs: durationMs("interval", values.interval) ?? base.checkIntervalMs,
    checkTimeoutMs: durationMs("timeout", values.timeout) ?? (values.interval !== undefined ? undefined : base.checkTimeoutMs),
    fall: number("fall", values.fall, 1, 1000) ?? base.fall,
    contention,
    storm,
    lateness: base.lateness === true || contention !== undefined || storm !== undefined || (durationMs("interval", values.interval) ?? 10) < 10,
    nice: number("nice", values.nice, -20, 19),
    realtime,
    inspect: values["no-inspect"] ? false : undefined,
  };
}

async function main(): Promise<void> {
  let options: SoakOptions;
  try {
    options = soakOptionsFromArgs(process.argv.slice(2));
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith("usage:")) {
      // asked for (--help): the usage is the answer, on stdout
      process.stdout.write(`${message}\n`);
      return;
    }
    process.stderr.write(message.startsWith("soak:") ? `${message}\n` : `soak: ${message}; see --help\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`soak for ${options.seconds} s, sampling every ${(options.sampleEveryMs ?? 5000) / 1000} s, load average at the start ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
  const result = await runSoak({ ...options, progress: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${formatSoak(result)}\n`);
  process.stdout.write(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`soak: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  });
}

// Soak: the lab of `takeover lab` (router .1, Brain .17 holding .37, Pinky .18 holding .36; network
// namespaces) with both daemons checking each other by ICMP every 10 ms (timeout 10 ms, fall/rise as
// shipped, the HTTP check as shipped), left alone for a while. Nothing is injected: every transition
// during the soak (peer-down, claim, not-claiming, conflict…) is a false one.
//
// What is measured, all from outside the daemons (they expose no event-loop figures):
//   - RSS (VmRSS of /proc/PID/status) and CPU time (utime+stime of /proc/PID/stat) of each daemon,
//     sampled every 5 s;
//   - echo requests and replies on the wire: nft counters (counting only, no verdict) on each box's
//     input hook: requests from the peer arriving, replies from the peer arriving;
//   - the spacing of one daemon's echo requests as the other box receives them (tcpdump -tt, a few
//     hundred requests at the start and at the end): with a 10 ms check interval, gaps well above
//     10 ms are the daemon's event loop (or the scheduler) running late — a proxy for event-loop delay;
//   - the daemons' transitions (log lines) and the router's view of .37/.36.
//
// Run: `npx tsc -p . && TAKEOVER_SOAK_SECONDS=1800 node dist/bench/soak.js` (root; default 1800 s).
// test/failover/soak.test.ts runs the same for TAKEOVER_SOAK_SECONDS (default 60) and asserts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BRAIN, LabEvent, LabScenario, PINKY, startScenario } from "../src/lab/failover-demo";
import { hrtimeMicros } from "../src/link/port";
import { otherOwners, sleep, timeline, writeConfig } from "../test/failover/e2e-helpers";

/**
 * Looks inside a daemon through the inspector (opened by SIGUSR1, on 127.0.0.1:9229 of the daemon's
 * own namespace): "install" starts a perf_hooks event-loop delay histogram in the daemon; "measure"
 * runs a full GC (HeapProfiler.collectGarbage) and returns the heap after it, RSS and the histogram's
 * figures since the last measure (then resets it). Run with node --experimental-websocket (Node 20).
 */
const INSPECT_SCRIPT = `
const mode = process.argv[2];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  let list;
  for (let i = 0; i < 50 && list === undefined; i++) {
    try { list = await (await fetch("http://127.0.0.1:9229/json/list")).json(); } catch { await sleep(100); }
  }
  if (list === undefined) throw new Error("no inspector on 127.0.0.1:9229");
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("inspector websocket failed")); });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (m) => { const x = JSON.parse(m.data); if (x.id !== undefined && pending.has(x.id)) { pending.get(x.id)(x); pending.delete(x.id); } };
  const call = (method, params = {}) => new Promise((resolve) => { const n = ++id; pending.set(n, resolve); ws.send(JSON.stringify({ id: n, method, params })); });
  const evaluate = async (expression) => { const r = await call("Runtime.evaluate", { expression, returnByValue: true }); if (r.result.exceptionDetails) throw new Error(JSON.stringify(r.result.exceptionDetails)); return r.result.result.value; };
  if (mode === "install") {
    await evaluate("(() => { const h = process.mainModule.require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable(); globalThis.__soakDelay = h; return true; })()");
    process.stdout.write(JSON.stringify({ installed: true }) + "\\n");
  } else {
    // the delay figures first: the forced GC below pauses the loop, and must not count
    const delay = await evaluate("(() => { const h = globalThis.__soakDelay; if (h === undefined) return undefined; const d = { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, meanMs: h.mean / 1e6 }; h.disable(); h.reset(); return d; })()");
    await call("HeapProfiler.enable");
    await call("HeapProfiler.collectGarbage");
    const v = await evaluate("(() => { const m = process.memoryUsage(); const h = globalThis.__soakDelay; if (h !== undefined) h.enable(); return { heapUsedKb: Math.round(m.heapUsed / 1024), rssKb: Math.round(m.rss / 1024), externalKb: Math.round(m.external / 1024) }; })()");
    await call("HeapProfiler.disable");
    process.stdout.write(JSON.stringify({ ...v, delay }) + "\\n");
  }
  ws.close();
  process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + "\\n"); process.exit(1); });
`;

export interface InsideFigures {
  /** after a full GC */
  readonly heapUsedKb: number;
  readonly rssKb: number;
  readonly externalKb: number;
  /** event-loop delay since the previous measure (perf_hooks, 10 ms resolution) */
  readonly delay?: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly meanMs: number };
}

async function inspect(s: LabScenario, host: string, pid: number, mode: "install" | "measure", dir: string): Promise<InsideFigures | undefined> {
  const file = join(dir, "inspect.js");
  writeFileSync(file, INSPECT_SCRIPT);
  if (mode === "install") process.kill(pid, "SIGUSR1");
  const r = await s.lab.execAsync(host, [process.execPath, "--experimental-websocket", "--no-warnings", file, mode], { timeoutMs: 15_000 });
  if (r.status !== 0) throw new Error(`inspecting ${host}'s daemon (${mode}): ${r.stderr.trim()}`);
  return mode === "measure" ? (JSON.parse(r.stdout.trim().split("\n").pop()!) as InsideFigures) : undefined;
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
  /** gaps over 3 intervals (30 ms): that many missed checks in a row would be a false peer-down */
  readonly over30Ms: number;
}

export interface SoakResult {
  readonly seconds: number;
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
    /** what a check every 10 ms would send in the soak's time, per side */
    readonly expectedPerSide: number;
  };
  /** spacing of Pinky's echo requests arriving at Brain, and Brain's at Pinky, at the start and the end */
  readonly gaps: { readonly start: Record<"brain" | "pinky", GapStats>; readonly end: Record<"brain" | "pinky", GapStats> };
  /** daemon events during the soak (after settling) that are transitions */
  readonly transitions: readonly LabEvent[];
  /** router events that show an owner other than the home box for .37 or .36 */
  readonly routerOthers: readonly LabEvent[];
  readonly alive: Record<"brain" | "pinky", boolean>;
  /** through the inspector: heap after a full GC at the start and the end, event-loop delay over the soak */
  readonly inside: Record<"brain" | "pinky", { readonly start?: InsideFigures; readonly end?: InsideFigures }>;
  readonly timeline: string;
}

export interface SoakOptions {
  readonly seconds: number;
  /** default 5000 */
  readonly sampleEveryMs?: number;
  /** the ICMP check's interval and timeout, ms; default 10 */
  readonly checkIntervalMs?: number;
  /** look inside the daemons through the inspector (SIGUSR1); default true */
  readonly inspect?: boolean;
  /** progress lines */
  readonly progress?: (line: string) => void;
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

function median3(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Captures `count` echo requests from `from` arriving at `host` (tcpdump -tt) and returns their spacing. */
async function requestGaps(s: LabScenario, host: string, from: string, count: number): Promise<GapStats> {
  const result = await s.lab.execAsync(host, ["timeout", "10", "tcpdump", "-i", "eth0", "-nn", "-tt", "-l", "-q", "-c", String(count), `icmp[icmptype] == icmp-echo and src host ${from}`], { timeoutMs: 15_000 });
  const stamps = result.stdout.split("\n").map((l) => Number(l.split(" ")[0])).filter((t) => Number.isFinite(t) && t > 0);
  const gaps = stamps.slice(1).map((t, i) => (t - stamps[i]) * 1000).sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { requests: stamps.length, p50Ms: round(quantile(gaps, 0.5)), p99Ms: round(quantile(gaps, 0.99)), maxMs: round(gaps[gaps.length - 1] ?? NaN), over30Ms: gaps.filter((g) => g > 30).length };
}

function counters(s: LabScenario, host: string): { requests: number; replies: number } {
  const text = s.lab.exec(host, ["nft", "list", "table", "inet", "soak"], { check: true }).stdout;
  const count = (label: string) => Number(new RegExp(`counter packets (\\d+) bytes \\d+ comment "${label}"`).exec(text)?.[1] ?? NaN);
  return { requests: count("requests"), replies: count("replies") };
}

/** Runs the soak; always destroys the lab. Throws only if the lab could not be set up. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const interval = `${options.checkIntervalMs ?? 10}ms`;
  const dirs: string[] = [];
  const progress = options.progress ?? (() => undefined);
  const edit = (c: Record<string, any>) => {
    c.checks[0].interval = interval;
    c.checks[0].timeout = interval;
  };
  const brainConfig = writeConfig(dirs, "brain", edit);
  const pinkyConfig = writeConfig(dirs, "pinky", edit);
  let s: LabScenario | undefined;
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
    const t0 = hrtimeMicros();
    const started = Date.now();
    const samples: SoakSample[] = [];
    const sample = () => {
      const at = Math.round((Date.now() - started) / 100) / 10;
      const x = { at, brain: procSample(pids.brain), pinky: procSample(pids.pinky) };
      samples.push(x);
      progress(`  t=${at.toFixed(1).padStart(7)} s  brain RSS ${(x.brain.rssKb / 1024).toFixed(1)} MB cpu ${(x.brain.cpuMs / 1000).toFixed(1)} s   pinky RSS ${(x.pinky.rssKb / 1024).toFixed(1)} MB cpu ${(x.pinky.cpuMs / 1000).toFixed(1)} s`);
    };
    const inspectDir = mkdtempSync(join(tmpdir(), "takeover-soak-"));
    dirs.push(inspectDir);
    const inside: Record<"brain" | "pinky", { start?: InsideFigures; end?: InsideFigures }> = { brain: {}, pinky: {} };
    if (options.inspect !== false) {
      for (const who of ["brain", "pinky"] as const) await inspect(s, who, pids[who], "install", inspectDir);
      for (const who of ["brain", "pinky"] as const) inside[who].start = await inspect(s, who, pids[who], "measure", inspectDir);
    }
    sample();
    const gapCount = 300;
    const [startBrain, startPinky] = await Promise.all([requestGaps(s, BRAIN.name, PINKY.address, gapCount), requestGaps(s, PINKY.name, BRAIN.address, gapCount)]);
    const every = options.sampleEveryMs ?? 5000;
    const endAt = started + options.seconds * 1000;
    // bounded: at most seconds*1000/every + 1 rounds
    for (let next = started + every; next <= endAt; next += every) {
      await sleep(Math.max(0, next - Date.now()));
      sample();
    }
    const [endBrain, endPinky] = await Promise.all([requestGaps(s, BRAIN.name, PINKY.address, gapCount), requestGaps(s, PINKY.name, BRAIN.address, gapCount)]);
    if (options.inspect !== false) {
      for (const who of ["brain", "pinky"] as const) inside[who].end = await inspect(s, who, pids[who], "measure", inspectDir);
    }
    const elapsed = (Date.now() - started) / 1000;
    sample();
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
    const cpuOf = (who: "brain" | "pinky") => ({ ms: last[who].cpuMs - first[who].cpuMs, percent: Math.round(((last[who].cpuMs - first[who].cpuMs) / 10 / elapsed) * 10) / 10 });
    const events = s.events;
    const alive = (who: "brain" | "pinky") => {
      const d = s!.daemon(who);
      return d.exitCode === null && d.signalCode === null;
    };
    return {
      seconds: Math.round(elapsed * 10) / 10,
      samples,
      rss: { brain: rssOf("brain"), pinky: rssOf("pinky") },
      cpu: { brain: cpuOf("brain"), pinky: cpuOf("pinky") },
      wire: {
        pinkyRequestsAtBrain: atBrain.requests,
        pinkyRepliesAtBrain: atBrain.replies,
        brainRequestsAtPinky: atPinky.requests,
        brainRepliesAtPinky: atPinky.replies,
        expectedPerSide: Math.round(elapsed * 1000 / (options.checkIntervalMs ?? 10)),
      },
      gaps: { start: { brain: startPinky, pinky: startBrain }, end: { brain: endPinky, pinky: endBrain } },
      transitions: events.filter((e) => e.t >= t0 && (e.source === "brain" || e.source === "pinky") && TRANSITION_KINDS.has(e.kind) && !(e.kind === "stderr" && /Debugger (listening|attached|ending)|docs\/inspector/.test(e.text))),
      routerOthers: [...otherOwners(s, BRAIN.publicAddress, t0, "brain"), ...otherOwners(s, PINKY.publicAddress, t0, "pinky")],
      alive: { brain: alive("brain"), pinky: alive("pinky") },
      inside,
      timeline: timeline(events.filter((e) => e.t >= t0 && e.source !== "router"), t0),
    };
  } finally {
    await s?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as lines of text. `gaps.*.brain` is the spacing of Brain's requests (seen at Pinky). */
export function formatSoak(r: SoakResult): string {
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  const lines = [`soak: ${r.seconds} s, ICMP check every 10 ms both ways`];
  for (const who of ["brain", "pinky"] as const) {
    const x = r.rss[who];
    lines.push(`  ${who}: RSS start ${mb(x.startKb)}, end ${mb(x.endKb)}, max ${mb(x.maxKb)}, growth ${(x.growthKb / 1024).toFixed(2)} MB (median of the last 3 samples − median of the first 3: ${(x.medianGrowthKb / 1024).toFixed(2)} MB); CPU ${(r.cpu[who].ms / 1000).toFixed(1)} s (${r.cpu[who].percent} % of a core); alive ${r.alive[who]}`);
    const { start, end } = r.inside[who];
    if (start !== undefined && end !== undefined) {
      lines.push(`    ${who} inside (inspector, after a full GC): heap used ${mb(start.heapUsedKb)} → ${mb(end.heapUsedKb)} (growth ${((end.heapUsedKb - start.heapUsedKb) / 1024).toFixed(2)} MB), external ${mb(start.externalKb)} → ${mb(end.externalKb)}, RSS after GC ${mb(start.rssKb)} → ${mb(end.rssKb)}`);
      if (end.delay !== undefined) lines.push(`    ${who} event-loop delay over the soak (perf_hooks monitorEventLoopDelay, 10 ms resolution: figures include the 10 ms): p50 ${end.delay.p50Ms.toFixed(2)} ms, p99 ${end.delay.p99Ms.toFixed(2)} ms, max ${end.delay.maxMs.toFixed(2)} ms, mean ${end.delay.meanMs.toFixed(2)} ms`);
    }
    for (const when of ["start", "end"] as const) {
      const g = r.gaps[when][who];
      lines.push(`    ${who}'s echo requests, spacing at the ${when} (${g.requests} captured): p50 ${g.p50Ms} ms, p99 ${g.p99Ms} ms, max ${g.maxMs} ms, gaps > 30 ms: ${g.over30Ms}`);
    }
  }
  const w = r.wire;
  lines.push(`  wire (nft counters on each box's input): Pinky's requests at Brain ${w.pinkyRequestsAtBrain}, Brain's replies at Pinky ${w.brainRepliesAtPinky}`);
  lines.push(`        Brain's requests at Pinky ${w.brainRequestsAtPinky}, Pinky's replies at Brain ${w.pinkyRepliesAtBrain}; expected ≈ ${w.expectedPerSide} per side at one per 10 ms`);
  lines.push(`  transitions during the soak: ${r.transitions.length}; router saw another owner: ${r.routerOthers.length}`);
  if (r.transitions.length > 0) lines.push(r.timeline);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const seconds = Number(process.env.TAKEOVER_SOAK_SECONDS ?? 1800);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`TAKEOVER_SOAK_SECONDS="${process.env.TAKEOVER_SOAK_SECONDS}" is not a number of seconds > 0`);
  const every = Number(process.env.TAKEOVER_SOAK_SAMPLE_MS ?? (seconds > 600 ? 30_000 : 5000));
  process.stdout.write(`soak for ${seconds} s, sampling every ${every / 1000} s\n`);
  const result = await runSoak({ seconds, sampleEveryMs: every, progress: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${formatSoak(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`soak: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  });
}

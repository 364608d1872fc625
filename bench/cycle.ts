// The per-probe-cycle budget of `takeover run`: what one cycle of the ICMP check (send one echo,
// capture our own request, capture the reply, decide) costs the daemon in syscalls, wake-ups,
// bytes allocated and CPU time. The lab of `takeover lab` (router, Brain, Pinky in network
// namespaces), both daemons with one check only: ICMP of the peer every 10 ms, timeout 3 ms, fall 3
// (TAKEOVER_CYCLE_INTERVAL_MS / _TIMEOUT_MS change them). Nothing fails: both boxes stay healthy.
//
// Each daemon is measured from outside, in windows of TAKEOVER_CYCLE_SECONDS (default 20), one after
// the other so that no tool disturbs another's figures:
//   1. counting: CPU (utime+stime of /proc/PID/stat), context switches of every thread and of the
//      main thread alone (/proc/PID/task/*/status), and `perf stat` counts (task-clock, syscalls in
//      all, epoll_wait returns — the event loop's wake-ups —, and the syscalls the cycle uses), all
//      kernel-side counters that do not slow the daemon;
//   2. `strace -c -f`: the syscalls by kind (strace slows every syscall: its counts, not its times);
//   3. allocations: through the inspector (SIGUSR1, as bench/soak.ts), --trace-gc-nvp is turned on
//      and a full GC made; at the end of the window another; the `allocated=` figures of every GC
//      between the two are the bytes allocated on the JS heap in the window.
// A cycle is one echo request of this daemon: counted on the wire, by an nft counter on the peer's
// input hook, in each window. Per-cycle figures are the window's counts divided by its cycles.
//
// Run (root): `npm run bench:cycle`; TAKEOVER_CYCLE_RUNS=3 repeats the windows and prints medians;
// the first window starts TAKEOVER_CYCLE_WARMUP_SECONDS (default 10) after both daemons are settled.
// TAKEOVER_CYCLE_JSON=file writes the figures as JSON too.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BRAIN, LabScenario, PINKY, ROUTER, startScenario } from "../src/lab/failover-demo";
import { hrtimeMicros } from "../src/link/port";
import { sleep, timeline, writeConfig } from "../test/failover/e2e-helpers";
import { checkBenchArgs } from "./args";
import { inspectorScript } from "./inspector-script";
import { scratchDir } from "./scratch";

type Who = "brain" | "pinky";
const WHO: readonly Who[] = ["brain", "pinky"];

/** The syscalls counted one by one in the counting window (perf tracepoints syscalls:sys_enter_*). */
const COUNTED_SYSCALLS = ["epoll_wait", "epoll_pwait", "poll", "ppoll", "sendto", "recvfrom", "recvmsg", "read", "write", "openat", "close", "ioctl", "getsockopt", "futex", "mprotect", "madvise", "munmap", "mmap"];

export interface CountingWindow {
  readonly seconds: number;
  readonly cycles: number;
  readonly cpuMicros: number;
  /** voluntary + involuntary, all threads / the main thread */
  readonly contextSwitches: number;
  readonly mainContextSwitches: number;
  /** perf stat counts over the window (all threads): task-clock in µs, then events by name */
  readonly perf: Record<string, number>;
}

export interface CycleFigures {
  readonly who: Who;
  readonly counting: CountingWindow;
  /** strace -c -f: calls by syscall, and the cycles in its window */
  readonly strace: { readonly cycles: number; readonly calls: Record<string, number> };
  /** bytes allocated on the JS heap in the window (sum of allocated= of its GCs), and GCs by kind */
  readonly alloc: { readonly cycles: number; readonly bytes: number; readonly scavenges: number; readonly markSweeps: number };
}

/** Talks to a daemon's inspector on 127.0.0.1:9229 of its namespace: "start" or "end" of an allocation window. */
const INSPECT_SCRIPT = inspectorScript(`
  if (mode === "start") {
    await call("Runtime.evaluate", { expression: "process.mainModule.require('node:v8').setFlagsFromString('--trace-gc-nvp'), 1" });
  }
  await call("HeapProfiler.enable");
  await call("HeapProfiler.collectGarbage");
  await call("HeapProfiler.disable");
  process.stdout.write("done\\n");
`);

/**
 * The floor under any Node daemon built this way, measured in the same lab: "timer", an empty
 * setTimeout loop at the cadence (Node's own cost per wake-up); "probe", the least a probe cycle can
 * be with node_pcap (a timer, one echo request injected from a prepared frame, its capture and the
 * reply's through a filter that takes only those two, no decision); "raw", the same cycle on the
 * kernel's ICMP socket (raw-socket; no capture). Run in the router's namespace,
 * pinging Brain's kernel. Prints µs of CPU per cycle over the cycles after the first 100.
 */
const FLOOR_SCRIPT = `
const [mode, binding, intervalMs, cycles] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
let seq = 0, base = 0, frames = 0;
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const done = () => { process.stdout.write(JSON.stringify({ mode, cpuMicros: (cpu() - base) / cycles, frames: frames / cycles }) + "\\n"); process.exit(0); };
let step = () => {};
if (mode === "probe") {
  const { PcapSession } = require(binding);
  const mac = "02:00:5e:00:00:01";
  const filter = "(ether src " + mac + " and icmp[icmptype] == 8 and icmp[4:2] = 0x7462) or (not ether src " + mac + " and icmp[icmptype] == 0 and icmp[4:2] = 0x7462)";
  const cap = new PcapSession(), snd = new PcapSession();
  const data = Buffer.alloc(1518), hdr = Buffer.alloc(16);
  cap.open_live("eth0", filter, 4 << 20, 1518, "", () => frames++, false, 0, () => {}, false);
  snd.open_live("eth0", "less 1", 256 << 10, 128, "", () => {}, false, 0, () => {}, false);
  cap.read_callback = () => cap.dispatch(data, hdr);
  cap.start_polling();
  const f = Buffer.from("02005e00001702005e0000010800450000540000400040010000c0000201c000021108000000746200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "hex");
  const sum = (s, e) => { let x = 0; for (let i = s; i < e; i += 2) x += (f[i] << 8) | f[i + 1]; while (x > 0xffff) x = (x & 0xffff) + (x >>> 16); return ~x & 0xffff; };
  f.writeUInt16BE(sum(14, 34), 24);
  step = () => { f.writeUInt16BE(seq & 0xffff, 40); f.writeUInt16BE(0, 36); f.writeUInt16BE(sum(34, 98), 36); snd.inject(f); };
}
if (mode === "raw") {
  // the kernel's ICMP socket (raw-socket, as takeover ping uses for local targets): send an echo,
  // receive only echo replies (ICMP_FILTER blocks every other type), no capture at all
  const raw = require(binding);
  const socket = raw.createSocket({ protocol: raw.Protocol.ICMP });
  const mask = Buffer.alloc(4);
  mask.writeUInt32LE(0xfffffffe);
  socket.setOption(255, 1, mask, 4);
  socket.on("message", (b) => { if (b[20] === 0 && b.readUInt16BE(24) === 0x7462) frames++; });
  const m = Buffer.alloc(64);
  m[0] = 8;
  m.writeUInt16BE(0x7462, 4);
  const sum = (s, e) => { let x = 0; for (let i = s; i < e; i += 2) x += (m[i] << 8) | m[i + 1]; while (x > 0xffff) x = (x & 0xffff) + (x >>> 16); return ~x & 0xffff; };
  step = () => { m.writeUInt16BE(seq & 0xffff, 6); m.writeUInt16BE(0, 2); m.writeUInt16BE(sum(0, 64), 2); socket.send(m, 0, 64, "192.0.2.17", null, () => {}); };
}
const tick = () => {
  seq++;
  step();
  if (seq === 100) { base = cpu(); frames = 0; }
  if (seq === cycles + 100) return done();
  setTimeout(tick, intervalMs);
};
tick();
`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) * 10_000; // CLK_TCK 100
}

function switchesOf(pid: number): { all: number; main: number } {
  let all = 0;
  let main = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
    } catch {
      continue; // the thread ended
    }
    const n = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0) + Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    all += n;
    if (Number(tid) === pid) main = n;
  }
  return { all, main };
}

/** Echo requests from `from` counted at `host`'s input so far. */
function requestsAt(s: LabScenario, host: string, from: string): number {
  const text = s.lab.exec(host, ["nft", "list", "table", "inet", "cycle"], { check: true }).stdout;
  const m = new RegExp(`ip saddr ${from.replace(/\./g, "\\.")} icmp type echo-request counter packets (\\d+)`).exec(text);
  if (m === null) throw new Error(`no nft counter for echo requests from ${from} at ${host}:\n${text}`);
  return Number(m[1]);
}

/** Runs `argv` (a tool in the host namespace: perf, strace) to its end; its stdout and stderr. */
function runTool(argv: readonly string[], limitMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]}: ${e.message}`));
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The perf events available here, of those wanted: tracepoints missing on this kernel are left out. */
function perfEvents(): string[] {
  const events = ["task-clock", "context-switches", "raw_syscalls:sys_enter"];
  for (const name of COUNTED_SYSCALLS) {
    try {
      readFileSync(`/sys/kernel/tracing/events/syscalls/sys_enter_${name}/id`);
      events.push(`syscalls:sys_enter_${name}`);
    } catch {
      /* not on this kernel (or tracefs not mounted): not counted */
    }
  }
  return events;
}

async function countingWindows(s: LabScenario, pids: Record<Who, number>, peerOf: Record<Who, { host: string; from: string }>, seconds: number): Promise<Record<Who, CountingWindow>> {
  const events = perfEvents();
  const before = Object.fromEntries(WHO.map((w) => [w, { cpu: cpuMicrosOf(pids[w]), sw: switchesOf(pids[w]), req: requestsAt(s, peerOf[w].host, peerOf[w].from) }])) as Record<Who, { cpu: number; sw: { all: number; main: number }; req: number }>;
  const started = process.hrtime.bigint();
  const perf = await Promise.all(WHO.map((w) => runTool(["perf", "stat", "-x", ",", "-e", events.join(","), "-p", String(pids[w]), "--", "sleep", String(seconds)], seconds * 1000 + 15_000)));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const out = {} as Record<Who, CountingWindow>;
  WHO.forEach((w, i) => {
    const counts: Record<string, number> = {};
    for (const line of perf[i].stderr.split("\n")) {
      const f = line.split(",");
      if (f.length < 3 || f[0].startsWith("<")) continue;
      const value = Number(f[0]);
      if (!Number.isFinite(value)) continue;
      const name = f[2].replace(/^syscalls:sys_enter_/, "").replace(/^raw_syscalls:sys_enter$/, "syscalls");
      counts[name] = name === "task-clock" ? value * 1000 : value; // task-clock: msec → µs
    }
    if (counts["task-clock"] === undefined) throw new Error(`perf stat gave no figures for ${w} (exit ${perf[i].status}): ${perf[i].stderr.trim()}`);
    const sw = switchesOf(pids[w]);
    out[w] = {
      seconds: elapsed,
      cycles: requestsAt(s, peerOf[w].host, peerOf[w].from) - before[w].req,
      cpuMicros: cpuMicrosOf(pids[w]) - before[w].cpu,
      contextSwitches: sw.all - before[w].sw.all,
      mainContextSwitches: sw.main - before[w].sw.main,
      perf: counts,
    };
  });
  return out;
}

/** strace -c -f of one daemon for `seconds`: calls by syscall. */
async function straceWindow(s: LabScenario, pid: number, peer: { host: string; from: string }, seconds: number): Promise<{ cycles: number; calls: Record<string, number> }> {
  const before = requestsAt(s, peer.host, peer.from);
  const r = await runTool(["timeout", "-s", "INT", String(seconds), "strace", "-c", "-f", "-p", String(pid)], seconds * 1000 + 15_000);
  const cycles = requestsAt(s, peer.host, peer.from) - before;
  const calls: Record<string, number> = {};
  // % time, seconds, usecs/call, calls, [errors,] syscall
  for (const line of r.stderr.split("\n")) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?([a-z_0-9]+)\s*$/.exec(line);
    if (m !== null && m[3] !== "total") calls[m[3]] = Number(m[1]);
  }
  if (Object.keys(calls).length === 0) throw new Error(`strace -c gave no table (exit ${r.status}): ${r.stderr.trim()}`);
  return { cycles, calls };
}

async function allocationWindow(s: LabScenario, who: Who, pid: number, peer: { host: string; from: string }, seconds: number, dir: string): Promise<{ cycles: number; bytes: number; scavenges: number; markSweeps: number }> {
  const file = join(dir, "inspect.js");
  writeFileSync(file, INSPECT_SCRIPT);
  const gcLines: string[] = [];
  const daemon = s.daemon(who);
  let partial = "";
  const onData = (d: Buffer) => {
    const text = partial + d.toString();
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) if (/ gc=\S+ /.test(l)) gcLines.push(l);
  };
  daemon.stdout!.on("data", onData);
  try {
    process.kill(pid, "SIGUSR1");
    const inspect = async (mode: "start" | "end") => {
      const r = await s.lab.execAsync(who, [process.execPath, "--experimental-websocket", "--no-warnings", file, mode], { timeoutMs: 15_000 });
      if (r.status !== 0) throw new Error(`inspecting ${who}'s daemon (${mode}): ${r.stderr.trim()}`);
    };
    await inspect("start");
    await sleep(200); // the GC line of the forced GC reaches us
    const from = gcLines.length;
    const before = requestsAt(s, peer.host, peer.from);
    await sleep(seconds * 1000);
    const cycles = requestsAt(s, peer.host, peer.from) - before;
    await inspect("end");
    await sleep(200);
    let bytes = 0;
    let scavenges = 0;
    let markSweeps = 0;
    for (const line of gcLines.slice(from)) {
      // size_t: the second of two GCs back to back may say "allocated" −24, printed as 2^64 − 24
      const allocated = BigInt(/ allocated=(\d+)/.exec(line)?.[1] ?? "0");
      bytes += Number(allocated >= 1n << 63n ? allocated - (1n << 64n) : allocated);
      const kind = / gc=(\S+)/.exec(line)?.[1];
      if (kind === "s") scavenges++;
      else markSweeps++;
    }
    if (gcLines.length === from) throw new Error(`no GC line from ${who}'s daemon after the window (--trace-gc-nvp not on?)`);
    return { cycles, bytes, scavenges, markSweeps };
  } finally {
    daemon.stdout!.off("data", onData);
  }
}

export interface FloorFigures {
  /** µs of CPU per cycle: an empty timer loop, and the least probe cycle (see FLOOR_SCRIPT) */
  readonly timerMicros: number;
  readonly probeMicros: number;
  /** frames the least probe captured per cycle (2: its request and the reply) */
  readonly probeFrames: number;
  /** µs of CPU per cycle of the least probe on the kernel's ICMP socket (raw-socket), and its replies per cycle (1) */
  readonly rawMicros: number;
  readonly rawReplies: number;
}

async function floorWindow(s: LabScenario, intervalMs: number, seconds: number, dir: string): Promise<FloorFigures> {
  const file = join(dir, "floor.js");
  writeFileSync(file, FLOOR_SCRIPT);
  const cycles = Math.max(100, Math.round((seconds * 1000) / intervalMs));
  const binding = require.resolve("pcap/build/Release/pcap_binding");
  const rawSocket = require.resolve("raw-socket");
  const run = async (mode: "timer" | "probe" | "raw") => {
    const r = await s.lab.execAsync(ROUTER.name, [process.execPath, file, mode, mode === "raw" ? rawSocket : binding, String(intervalMs), String(cycles)], { timeoutMs: (cycles + 100) * intervalMs * 3 + 15_000 });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.status !== 0 || !line.startsWith("{")) throw new Error(`floor (${mode}): exit ${r.status}: ${r.stderr.trim()}`);
    return JSON.parse(line) as { cpuMicros: number; frames: number };
  };
  const timer = await run("timer");
  const probe = await run("probe");
  const raw = await run("raw");
  return { timerMicros: timer.cpuMicros, probeMicros: probe.cpuMicros, probeFrames: probe.frames, rawMicros: raw.cpuMicros, rawReplies: raw.frames };
}

export interface CycleOptions {
  readonly seconds: number;
  readonly runs: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** how long both daemons run before the first window */
  readonly warmupSeconds: number;
  readonly progress?: (line: string) => void;
}

/** Starts the lab, measures `runs` rounds of the three windows for each daemon; always destroys the lab. */
export async function runCycle(options: CycleOptions): Promise<{ rounds: CycleFigures[][]; floors: FloorFigures[] }> {
  const dirs: string[] = [];
  const progress = options.progress ?? (() => undefined);
  const edit = (c: Record<string, any>) => {
    c.checks = [{ name: "peer-ping", type: "icmp", target: "peer", interval: `${options.intervalMs}ms`, timeout: `${options.timeoutMs}ms`, fall: 3, rise: 2 }];
  };
  const brainConfig = writeConfig(dirs, "brain", edit);
  const pinkyConfig = writeConfig(dirs, "pinky", edit);
  let s: LabScenario | undefined;
  try {
    s = await startScenario({ brainConfig, pinkyConfig, httpIntervalMs: 1000 });
    const settled = await s.settled(15_000);
    if (settled.missing.length > 0) throw new Error(`steady state not reached: ${settled.missing.join("; ")}\n${timeline(s.events, settled.startedAt)}`);
    for (const [host, peer] of [[BRAIN.name, PINKY.address], [PINKY.name, BRAIN.address]] as const) {
      s.lab.nft(host, `table inet cycle {
        chain input {
          type filter hook input priority -10; policy accept;
          ip saddr ${peer} icmp type echo-request counter
        }
      }`);
    }
    // start-up work (identity rounds, announcements) and the JIT's first compilations out of the way
    await sleep(options.warmupSeconds * 1000);
    const measuredFrom = hrtimeMicros();
    const pids: Record<Who, number> = { brain: s.daemon("brain").pid!, pinky: s.daemon("pinky").pid! };
    const peerOf: Record<Who, { host: string; from: string }> = { brain: { host: PINKY.name, from: BRAIN.address }, pinky: { host: BRAIN.name, from: PINKY.address } };
    const inspectDir = scratchDir("takeover-cycle-");
    dirs.push(inspectDir);
    const rounds: CycleFigures[][] = [];
    const stracing: Record<Who, { cycles: number; calls: Record<string, number> }[]> = { brain: [], pinky: [] };
    const counting: Record<Who, CountingWindow>[] = [];
    for (let run = 0; run < options.runs; run++) {
      progress(`run ${run + 1}/${options.runs}: counting (${options.seconds} s)`);
      counting.push(await countingWindows(s, pids, peerOf, options.seconds));
      for (const w of WHO) {
        progress(`run ${run + 1}/${options.runs}: strace -c of ${w} (${options.seconds} s)`);
        stracing[w].push(await straceWindow(s, pids[w], peerOf[w], options.seconds));
      }
    }
    // The inspector, once open, stays open: the allocation windows come after every other.
    const alloc: Record<Who, { cycles: number; bytes: number; scavenges: number; markSweeps: number }[]> = { brain: [], pinky: [] };
    for (let run = 0; run < options.runs; run++) {
      for (const w of WHO) {
        progress(`run ${run + 1}/${options.runs}: allocations of ${w} (${options.seconds} s)`);
        alloc[w].push(await allocationWindow(s, w, pids[w], peerOf[w], options.seconds, inspectDir));
      }
    }
    const events = s.events.filter((e) => (e.source === "brain" || e.source === "pinky") && !/Debugger|inspector/.test(e.text) && e.t > measuredFrom);
    const transitions = events.filter((e) => ["peer-down", "claim", "link-down", "conflict", "error"].includes(e.kind));
    if (transitions.length > 0) progress(`warning: transitions during the bench (the figures include their work):\n${transitions.map((e) => e.text).join("\n")}`);
    const floors: FloorFigures[] = [];
    for (let run = 0; run < options.runs; run++) {
      progress(`run ${run + 1}/${options.runs}: the floor (an empty timer loop, the least probe cycle; ${options.seconds} s each)`);
      floors.push(await floorWindow(s, options.intervalMs, options.seconds, inspectDir));
    }
    for (let run = 0; run < options.runs; run++) {
      rounds.push(WHO.map((w) => ({ who: w, counting: counting[run][w], strace: stracing[w][run], alloc: alloc[w][run] })));
    }
    return { rounds, floors };
  } finally {
    await s?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Per-cycle figures of one round for one daemon. */
export interface PerCycle {
  readonly cpuMicros: number;
  readonly taskClockMicros: number;
  readonly syscalls: number;
  readonly epollWaits: number;
  readonly contextSwitches: number;
  readonly mainContextSwitches: number;
  readonly allocatedBytes: number;
  readonly cpuPercent: number;
  readonly cyclesPerSecond: number;
  /** perf counts of the syscalls counted one by one, per cycle */
  readonly bySyscall: Record<string, number>;
  /** strace -c calls per cycle, by syscall */
  readonly strace: Record<string, number>;
}

export function perCycle(f: CycleFigures): PerCycle {
  const c = f.counting;
  const n = Math.max(1, c.cycles);
  const bySyscall: Record<string, number> = {};
  for (const name of COUNTED_SYSCALLS) if (c.perf[name] !== undefined && c.perf[name] > 0) bySyscall[name] = c.perf[name] / n;
  const strace: Record<string, number> = {};
  for (const [name, calls] of Object.entries(f.strace.calls)) strace[name] = calls / Math.max(1, f.strace.cycles);
  return {
    cpuMicros: c.cpuMicros / n,
    taskClockMicros: c.perf["task-clock"] / n,
    syscalls: (c.perf.syscalls ?? NaN) / n,
    epollWaits: ((c.perf.epoll_wait ?? 0) + (c.perf.epoll_pwait ?? 0)) / n,
    contextSwitches: c.contextSwitches / n,
    mainContextSwitches: c.mainContextSwitches / n,
    allocatedBytes: f.alloc.bytes / Math.max(1, f.alloc.cycles),
    cpuPercent: (c.perf["task-clock"] / 1e6 / c.seconds) * 100,
    cyclesPerSecond: c.cycles / c.seconds,
    bySyscall,
    strace,
  };
}

export function formatCycle(rounds: readonly CycleFigures[][], floors: readonly FloorFigures[], options: CycleOptions): string {
  const lines = [`per-probe-cycle budget: ICMP every ${options.intervalMs} ms (timeout ${options.timeoutMs} ms) both ways, ${options.runs} run(s) of ${options.seconds} s windows; medians over runs`];
  const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
  for (const w of WHO) {
    const per = rounds.map((r) => perCycle(r.find((f) => f.who === w)!));
    const m = (pick: (p: PerCycle) => number) => median(per.map(pick));
    lines.push(`  ${w}: ${fmt(m((p) => p.cyclesPerSecond), 1)} cycles/s`);
    lines.push(`    CPU per cycle: ${fmt(m((p) => p.taskClockMicros), 1)} µs (perf task-clock; /proc utime+stime ${fmt(m((p) => p.cpuMicros), 1)} µs) = ${fmt(m((p) => p.cpuPercent), 2)} % of a core`);
    lines.push(`    syscalls per cycle: ${fmt(m((p) => p.syscalls))}; wake-ups (epoll_wait returns) ${fmt(m((p) => p.epollWaits))}; context switches ${fmt(m((p) => p.contextSwitches))} (main thread ${fmt(m((p) => p.mainContextSwitches))})`);
    lines.push(`    JS heap bytes allocated per cycle: ${fmt(m((p) => p.allocatedBytes), 0)}`);
    const names = [...new Set(per.flatMap((p) => Object.keys(p.bySyscall)))];
    lines.push(`    by syscall (perf, per cycle): ${names.map((n) => `${n} ${fmt(m((p) => p.bySyscall[n] ?? 0))}`).join(", ")}`);
    const straceNames = [...new Set(per.flatMap((p) => Object.keys(p.strace)))].sort((a, b) => m((p) => p.strace[b] ?? 0) - m((p) => p.strace[a] ?? 0));
    lines.push(`    by syscall (strace -c -f, per cycle): ${straceNames.filter((n) => m((p) => p.strace[n] ?? 0) >= 0.005).map((n) => `${n} ${fmt(m((p) => p.strace[n] ?? 0))}`).join(", ")}`);
  }
  if (floors.length > 0) {
    lines.push(`  floor, same lab (router's namespace): an empty ${options.intervalMs} ms timer loop ${fmt(median(floors.map((f) => f.timerMicros)), 1)} µs of CPU per cycle; the least probe cycle with node_pcap (inject a prepared echo, capture it and the reply, ${fmt(median(floors.map((f) => f.probeFrames)))} frames) ${fmt(median(floors.map((f) => f.probeMicros)), 1)} µs; on the kernel's ICMP socket instead (raw-socket: send, receive the reply, ${fmt(median(floors.map((f) => f.rawReplies)))} per cycle) ${fmt(median(floors.map((f) => f.rawMicros)), 1)} µs`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  checkBenchArgs(
    "bench:cycle",
    `usage: [TAKEOVER_CYCLE_RUNS=N] [TAKEOVER_CYCLE_SECONDS=S] [TAKEOVER_CYCLE_WARMUP_SECONDS=S] [TAKEOVER_CYCLE_INTERVAL_MS=MS]
       [TAKEOVER_CYCLE_TIMEOUT_MS=MS] [TAKEOVER_CYCLE_JSON=FILE] node dist/bench/cycle.js
  The per-probe-cycle budget of takeover run (syscalls, wake-ups, context switches, JS bytes allocated, CPU per
  cycle), both daemons checking each other every 10 ms in the lab, with the floors of an empty timer loop and of
  the least node_pcap probe in the same run (root; perf, strace and nft). Windows of 20 s after 10 s of warm-up.`,
    {},
  );
  const number = (name: string, fallback: number) => {
    const v = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}="${process.env[name]}" is not a number > 0`);
    return v;
  };
  const options: CycleOptions = {
    seconds: number("TAKEOVER_CYCLE_SECONDS", 20),
    runs: Math.round(number("TAKEOVER_CYCLE_RUNS", 1)),
    intervalMs: number("TAKEOVER_CYCLE_INTERVAL_MS", 10),
    timeoutMs: number("TAKEOVER_CYCLE_TIMEOUT_MS", 3),
    warmupSeconds: number("TAKEOVER_CYCLE_WARMUP_SECONDS", 10),
    progress: (l) => process.stderr.write(`${l}\n`),
  };
  const { rounds, floors } = await runCycle(options);
  process.stdout.write(`${formatCycle(rounds, floors, options)}\n`);
  const json = process.env.TAKEOVER_CYCLE_JSON;
  if (json !== undefined && json !== "") writeFileSync(json, JSON.stringify({ options: { ...options, progress: undefined }, rounds, floors, perCycle: rounds.map((r) => r.map((f) => ({ who: f.who, ...perCycle(f) }))) }, null, 2));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench:cycle: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  });
}

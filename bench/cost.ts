// Cost benchmark: what watching the peer costs, in CPU and memory, with keepalived and with takeover,
// in the lab of `takeover lab` (router .1, Brain .17 holding .37, Pinky .18 holding .36; network
// namespaces), both boxes healthy and nothing failing. One setup at a time, each in a lab of its own,
// so they do not disturb each other; each is measured over the same window (`--seconds`, default 30)
// once it has settled. For every process measured:
//   CPU %   utime+stime (/proc/PID/stat) over the window, as a share of one core (all its threads);
//   RSS     VmRSS (/proc/PID/status) sampled every 500 ms: the median and the max; "anon" is RssAnon,
//           the part that is the process's own (the rest is file-backed: mostly the node or keepalived
//           binary's pages, shared with every other process running it, but counted in each RSS).
//
// Setups
//   keepalived           bench/keepalived/brain.conf with one instance only (brain_37): Brain MASTER
//                        (150) for .37, Pinky BACKUP (100), VRRPv3, advert_int 0.01 (an advertisement
//                        every 10 ms, the least keepalived 2.2 accepts). Measured: the VRRP process
//                        (keepalived --vrrp forks it; its pid file says which) on Brain, the master,
//                        and on Pinky, the backup. The master's VRRP process is what the ratios are
//                        taken against.
//   keepalived mirrored  bench/keepalived/{brain,pinky}.conf as bench:failover runs them: two instances,
//                        each box MASTER for its own address and BACKUP for the peer's (the job
//                        takeover does).
//   takeover 10ms        examples/{brain,pinky}.yaml with one check, ICMP to the peer every 10 ms,
//                        timeout 3 ms, fall 3, rise 2 (issue 13's measurement); the rest as shipped,
//                        the status listener (metrics) included. Measured: each `takeover run`.
//   takeover 2ms         the same every 2 ms, timeout 1 ms.
//   takeover 1ms         the same every 1 ms, timeout 500 µs.
//   node empty           `node -e 'setInterval(()=>{},1000)'`: the RSS of Node doing nothing, the floor
//                        under any Node program. takeover's rows show their RSS above it.
//
// Experiments: TAKEOVER_COST_NODE_FLAGS="--flag …" goes to node before takeover's CLI (V8 options
// compared in the same lab), TAKEOVER_COST_ENV="VAR=value …" into the daemons' environment.
// Run: `npm run bench:cost` [-- --seconds N] [--only SETUP]… (root; about 6 × (N + 10) s). Prints one
// table, and the issue-13 targets as met/MISSED (reported, not asserted: benchmarks print figures).
// Every lab is deleted, also when a setup fails or on SIGINT/SIGTERM.
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parse, stringify } from "yaml";
import { BRAIN, EXAMPLES, PINKY, ROUTER } from "../src/lab/failover-demo";
import { Lab } from "../src/lab/netns";
import { formatTable, median } from "./harness";

const DIST = join(__dirname, "..");
const CLI = join(DIST, "src", "cli", "main.js");
const KEEPALIVED_DIR = join(__dirname, "..", "..", "bench", "keepalived");

/** RSS is sampled this often during the window. */
const SAMPLE_EVERY_MS = 500;
/** A setup whose addresses are not where they belong after this long is reported as failed. */
const SETTLE_LIMIT_MS = 20_000;
/** After the addresses are in place: announcements (takeover: 5 rounds over 800 ms) and start-up are over. */
const SETTLE_MS = 2_000;
/** clock ticks per second (getconf CLK_TCK), for /proc/PID/stat */
const CLK_TCK = 100;

interface Measured {
  /** e.g. "brain VRRP (master)" */
  readonly label: string;
  readonly cpuPercent: number;
  readonly rssMedianKb: number;
  readonly rssMaxKb: number;
  readonly anonMedianKb: number;
  /** transitions (log lines) seen during the window: any is a false one */
  readonly transitions: number;
  readonly alive: boolean;
}

interface SetupResult {
  readonly name: string;
  readonly rows: readonly Measured[];
  readonly error?: string;
}

interface Setup {
  readonly name: string;
  readonly run: (seconds: number, scratch: string) => Promise<Measured[]>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

interface ProcFigures {
  readonly rssKb: number;
  readonly anonKb: number;
  /** utime + stime, in clock ticks */
  readonly ticks: number;
}

/** VmRSS, RssAnon and utime+stime of `pid`; undefined once it is gone. */
function procFigures(pid: number): ProcFigures | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the fields after the command name (which may hold spaces and parentheses) start at field 3
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { rssKb: kb("VmRSS"), anonKb: kb("RssAnon"), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}

interface Watched {
  readonly label: string;
  readonly pid: number;
  /** transition lines seen so far */
  readonly transitions: () => number;
}

/** Measures `watched` over `seconds`: CPU between the first and the last reading, RSS every SAMPLE_EVERY_MS. */
async function measureWindow(watched: readonly Watched[], seconds: number): Promise<Measured[]> {
  const first = watched.map((w) => procFigures(w.pid));
  const transitionsBefore = watched.map((w) => w.transitions());
  const started = process.hrtime.bigint();
  const samples = watched.map(() => [] as ProcFigures[]);
  const rounds = Math.max(1, Math.round((seconds * 1000) / SAMPLE_EVERY_MS));
  const t0 = Date.now();
  // bounded: `rounds` samples, each at its own time from t0
  for (let i = 1; i <= rounds; i++) {
    await sleep(Math.max(0, t0 + i * SAMPLE_EVERY_MS - Date.now()));
    watched.forEach((w, j) => {
      const f = procFigures(w.pid);
      if (f !== undefined) samples[j].push(f);
    });
  }
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return watched.map((w, j) => {
    const last = samples[j][samples[j].length - 1];
    const start = first[j];
    const alive = procFigures(w.pid) !== undefined;
    const ticks = start === undefined || last === undefined ? NaN : last.ticks - start.ticks;
    return {
      label: w.label,
      cpuPercent: (ticks / CLK_TCK / elapsedSeconds) * 100,
      rssMedianKb: samples[j].length === 0 ? NaN : median(samples[j].map((s) => s.rssKb)),
      rssMaxKb: samples[j].length === 0 ? NaN : Math.max(...samples[j].map((s) => s.rssKb)),
      anonMedianKb: samples[j].length === 0 ? NaN : median(samples[j].map((s) => s.anonKb)),
      transitions: w.transitions() - transitionsBefore[j],
      alive,
    };
  });
}

/** The three hosts of `takeover lab`, without the web servers and the router's watcher (nothing else runs). */
function createLab(): Promise<Lab> {
  return Lab.create({
    hosts: [
      { name: ROUTER.name, address: `${ROUTER.address}/24`, mac: ROUTER.mac },
      { name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac },
      { name: PINKY.name, address: `${PINKY.address}/24`, mac: PINKY.mac },
    ],
  });
}

/** Counts the lines of `child` (stdout and stderr) matching `pattern`, and keeps the last few for errors. */
function lineCounter(child: ChildProcess, pattern: RegExp): { count: () => number; last: string[] } {
  let count = 0;
  const last: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (pattern.test(line)) count++;
      last.push(line);
      if (last.length > 20) last.shift();
    });
  }
  return { count: () => count, last };
}

/** The addresses on eth0 of `host` (without prefix length). */
function addressesOf(lab: Lab, host: string): string[] {
  const out = lab.exec(host, ["ip", "-j", "-4", "addr", "show", "dev", "eth0"]).stdout;
  try {
    return (JSON.parse(out) as { addr_info: { local: string }[] }[]).flatMap((i) => i.addr_info.map((a) => a.local));
  } catch {
    return [];
  }
}

/** Waits until every host holds its addresses, then SETTLE_MS more; throws after SETTLE_LIMIT_MS with what is missing. */
async function settle(lab: Lab, want: Record<string, readonly string[]>, what: () => string): Promise<void> {
  const end = Date.now() + SETTLE_LIMIT_MS;
  for (;;) {
    const missing = Object.entries(want).flatMap(([host, addresses]) => addresses.filter((a) => !addressesOf(lab, host).includes(a)).map((a) => `${host} lacks ${a}`));
    if (missing.length === 0) break;
    if (Date.now() > end) throw new Error(`no steady state in ${SETTLE_LIMIT_MS / 1000} s: ${missing.join(", ")}\n${what()}`);
    await sleep(200);
  }
  await sleep(SETTLE_MS);
}

/** keepalived's lines that are a state change */
const KEEPALIVED_TRANSITION = /Entering (MASTER|BACKUP|FAULT) STATE/;

function keepalivedSetup(name: string, configs: () => { brain: string; pinky: string }, roles: { brain: string; pinky: string }, want: Record<string, readonly string[]>): Setup {
  return {
    name,
    async run(seconds, scratch) {
      const files = configs();
      const lab = await createLab();
      const vrrpPids: number[] = [];
      try {
        const watched: Watched[] = [];
        const logs: string[][] = [];
        const counters = new Map<string, () => number>();
        for (const [box, config] of [[BRAIN, files.brain], [PINKY, files.pinky]] as const) {
          const vrrpPidFile = join(scratch, `${box.name}-vrrp.pid`);
          rmSync(vrrpPidFile, { force: true });
          const child = lab.spawn(box.name, ["keepalived", "--vrrp", "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--use-file", config,
            "--pid", join(scratch, `${box.name}.pid`), "--vrrp_pid", vrrpPidFile, "--checkers_pid", join(scratch, `${box.name}-checkers.pid`)]);
          const lines = lineCounter(child, KEEPALIVED_TRANSITION);
          logs.push(lines.last);
          counters.set(box.name, lines.count);
          // keepalived --vrrp forks the VRRP process and writes its pid: that is the one measured
          const by = Date.now() + 10_000;
          while (!existsSync(vrrpPidFile) || readFileSync(vrrpPidFile, "utf8").trim() === "") {
            if (Date.now() > by || child.exitCode !== null) throw new Error(`keepalived on ${box.name} wrote no VRRP pid file in 10 s: ${lines.last.join(" | ")}`);
            await sleep(50);
          }
          const pid = Number(readFileSync(vrrpPidFile, "utf8").trim());
          vrrpPids.push(pid);
          watched.push({ label: `${box.name} VRRP (${roles[box.name]})`, pid, transitions: () => counters.get(box.name)!() });
        }
        await settle(lab, want, () => logs.flat().slice(-10).join("\n"));
        return await measureWindow(watched, seconds);
      } finally {
        await lab.destroy();
        // keepalived stops its VRRP child on SIGTERM; make sure of it
        for (const pid of vrrpPids) if (procFigures(pid) !== undefined) process.kill(pid, "SIGKILL");
      }
    },
  };
}

/** takeover's lines that are a transition (src/failover/log.ts: `<time> [level] <node> <event> …`) */
const TAKEOVER_TRANSITION = /^\S+ (?:(?:error|warning|notice|info|debug) )?\S+ (claim|yield|release|hand-back|peer-down|peer-up|link-down|link-up|conflict|not-claiming|error)\b/;

/** examples/<base>.yaml with one ICMP check of the peer every `interval`, `timeout`, fall 3, rise 2. */
function takeoverConfig(dir: string, base: "brain" | "pinky", interval: string, timeout: string): string {
  const config = parse(readFileSync(join(EXAMPLES, `${base}.yaml`), "utf8")) as Record<string, any>;
  config.checks = [{ name: "peer-ping", type: "icmp", target: "peer", interval, timeout, fall: 3, rise: 2 }];
  const file = join(dir, `${base}-${interval}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

function takeoverSetup(name: string, interval: string, timeout: string): Setup {
  return {
    name,
    async run(seconds, scratch) {
      const lab = await createLab();
      try {
        const watched: Watched[] = [];
        const logs: string[][] = [];
        for (const box of [BRAIN, PINKY]) {
          const config = takeoverConfig(scratch, box.name, interval, timeout);
          const child = lab.spawn(box.name, [...(process.env.TAKEOVER_COST_ENV === undefined ? [] : ["env", ...process.env.TAKEOVER_COST_ENV.split(" ")]), process.execPath, ...(process.env.TAKEOVER_COST_NODE_FLAGS ?? "").split(" ").filter((f) => f !== ""), CLI, "run", config, "--pid-file", "off"]);
          const lines = lineCounter(child, TAKEOVER_TRANSITION);
          logs.push(lines.last);
          if (child.pid === undefined) throw new Error(`takeover run on ${box.name} did not start`);
          // ip netns exec execs the program: the child's pid is node's
          watched.push({ label: `${box.name} takeover run`, pid: child.pid, transitions: lines.count });
        }
        await settle(lab, { [BRAIN.name]: [BRAIN.publicAddress], [PINKY.name]: [PINKY.publicAddress] }, () => logs.flat().slice(-10).join("\n"));
        return await measureWindow(watched, seconds);
      } finally {
        await lab.destroy();
      }
    },
  };
}

/** Children this process started outside a lab (the empty Node), ended on SIGINT/SIGTERM too. */
const loose = new Set<ChildProcess>();

const nodeFloor: Setup = {
  name: "node empty",
  async run(seconds) {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    loose.add(child);
    try {
      if (child.pid === undefined) throw new Error("node -e did not start");
      await sleep(1000); // past start-up
      return await measureWindow([{ label: "node -e 'setInterval(()=>{},1000)'", pid: child.pid, transitions: () => 0 }], seconds);
    } finally {
      child.kill("SIGKILL");
      loose.delete(child);
    }
  },
};

/** bench/keepalived/brain.conf (or pinky.conf) without the instance `drop`. */
function oneInstance(dir: string, base: "brain" | "pinky", drop: string): string {
  const text = readFileSync(join(KEEPALIVED_DIR, `${base}.conf`), "utf8");
  const without = text.replace(new RegExp(`\\nvrrp_instance ${drop} \\{[\\s\\S]*?\\n\\}\\n?`), "\n");
  if (without === text) throw new Error(`bench/keepalived/${base}.conf has no vrrp_instance ${drop}`);
  const file = join(dir, `${base}-one-instance.conf`);
  writeFileSync(file, without);
  return file;
}

function mb(kb: number | undefined): string {
  return kb === undefined || !Number.isFinite(kb) ? "—" : (kb / 1024).toFixed(1);
}

function times(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(x < 10 ? 2 : 1)}×`;
}

function parseArgs(argv: readonly string[], names: readonly string[]): { seconds: number; only: string[]; help?: true } {
  let seconds = 30;
  const only: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      return { seconds, only, help: true };
    } else if (arg === "--seconds") {
      seconds = Number(argv[++i]);
      if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) throw new Error(`--seconds: "${argv[i]}" is not a number of seconds from 1 to 3600`);
    } else if (arg === "--only") {
      const name = argv[++i];
      if (name === undefined || !names.includes(name)) throw new Error(`--only: no setup "${name ?? ""}"; there are: ${names.join(", ")}`);
      only.push(name);
    } else {
      throw new Error(`unknown argument "${arg}"; use --seconds N and --only SETUP (${names.join(", ")})`);
    }
  }
  return { seconds, only };
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "takeover-bench-cost-"));
  const setups: Setup[] = [
    keepalivedSetup(
      "keepalived",
      () => ({ brain: oneInstance(scratch, "brain", "pinky_36"), pinky: oneInstance(scratch, "pinky", "pinky_36") }),
      { brain: "master", pinky: "backup" },
      { [BRAIN.name]: [BRAIN.publicAddress] },
    ),
    keepalivedSetup(
      "keepalived mirrored",
      () => ({ brain: join(KEEPALIVED_DIR, "brain.conf"), pinky: join(KEEPALIVED_DIR, "pinky.conf") }),
      { brain: "master .37, backup .36", pinky: "master .36, backup .37" },
      { [BRAIN.name]: [BRAIN.publicAddress], [PINKY.name]: [PINKY.publicAddress] },
    ),
    takeoverSetup("takeover 10ms", "10ms", "3ms"),
    takeoverSetup("takeover 2ms", "2ms", "1ms"),
    takeoverSetup("takeover 1ms", "1ms", "500us"),
    nodeFloor,
  ];
  const names = setups.map((s) => s.name);
  let args: { seconds: number; only: string[]; help?: true };
  try {
    args = parseArgs(process.argv, names);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  if (args.help === true) {
    rmSync(scratch, { recursive: true, force: true });
    process.stdout.write(
      `usage: node dist/bench/cost.js [--seconds N] [--only SETUP]...\n` +
        `  CPU % and RSS of keepalived (advert_int 0.01) and takeover run at 10, 2 and 1 ms, both boxes healthy,\n` +
        `  one setup at a time in a lab of network namespaces (root). --seconds: the window per setup (default 30,\n` +
        `  1-3600). --only: run only these setups (given once or more): ${names.join(", ")}.\n`,
    );
    return;
  }
  if (process.getuid?.() !== 0) throw new Error("bench:cost needs root: it creates network namespaces");
  const out = spawn("keepalived", ["--version"], { stdio: ["ignore", "pipe", "pipe"] });
  let version = "";
  for (const stream of [out.stdout, out.stderr]) stream.on("data", (d: Buffer) => (version += d.toString()));
  const started = await new Promise<boolean>((resolve) => {
    out.on("error", () => resolve(false));
    out.on("close", () => resolve(true));
  });
  version = version.split("\n")[0].trim();
  const chosen = args.only.length > 0 ? args.only.map((n) => setups.find((s) => s.name === n)!) : setups;
  if (chosen.some((s) => s.name.startsWith("keepalived")) && (!started || version === "")) {
    throw new Error("keepalived is not installed: apt-get install keepalived (scripts/setup.sh does), or leave its setups out with --only");
  }

  // SIGINT/SIGTERM: end what runs, delete the labs (the 'exit' hook of src/lab/netns.ts does), exit 130
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      for (const child of loose) child.kill("SIGKILL");
      rmSync(scratch, { recursive: true, force: true });
      say(`bench:cost: ${signal}: stopped; the labs are deleted`);
      process.exit(130);
    });
  }

  say(`bench:cost: ${chosen.length} setup(s), ${args.seconds} s each, one at a time; ${version}; node ${process.version}; load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  const results: SetupResult[] = [];
  try {
    for (const setup of chosen) {
      say(`${setup.name}: …`);
      try {
        const rows = await setup.run(args.seconds, scratch);
        results.push({ name: setup.name, rows });
        for (const r of rows) say(`  ${r.label}: CPU ${r.cpuPercent.toFixed(2)} %, RSS ${mb(r.rssMedianKb)} MB (max ${mb(r.rssMaxKb)})`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        say(`  failed: ${message}`);
        results.push({ name: setup.name, rows: [], error: message.split("\n")[0] });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const reference = results.find((r) => r.name === "keepalived")?.rows[0];
  const floor = results.find((r) => r.name === "node empty")?.rows[0];
  const rows: string[][] = [];
  for (const r of results) {
    if (r.error !== undefined) rows.push([r.name, `failed: ${r.error}`, "", "", "", "", "", "", "", ""]);
    for (const m of r.rows) {
      const isTakeover = r.name.startsWith("takeover");
      const notes = [m.transitions > 0 ? `${m.transitions} transition(s)!` : "", m.alive ? "" : "ended!"].filter((n) => n !== "").join(" ");
      rows.push([
        r.name,
        m.label,
        m.cpuPercent.toFixed(2),
        reference === undefined || m === reference ? "" : times(m.cpuPercent / reference.cpuPercent),
        mb(m.rssMedianKb),
        mb(m.rssMaxKb),
        mb(m.anonMedianKb),
        reference === undefined || m === reference ? "" : times(m.rssMedianKb / reference.rssMedianKb),
        isTakeover && floor !== undefined ? mb(m.rssMedianKb - floor.rssMedianKb) : "",
        notes,
      ]);
    }
  }
  console.log(`\n${args.seconds} s per setup, both boxes healthy. CPU: utime+stime over the window, % of one core. RSS: VmRSS, median of samples every ${SAMPLE_EVERY_MS} ms,`);
  console.log("and the max; anon: RssAnon (the rest is file-backed, mostly the binary's pages). × keepalived: against the keepalived master's VRRP process");
  console.log("(setup \"keepalived\") in this run. above floor: RSS median − the empty Node process's (setup \"node empty\").\n");
  console.log(formatTable(["setup", "process", "CPU %", "CPU ×", "RSS MB", "max", "anon", "RSS ×", "above floor", ""], rows));

  const takeoverRows = (name: string) => results.find((r) => r.name === name)?.rows ?? [];
  const check = (what: string, ok: boolean | undefined) => console.log(`  ${ok === undefined ? "?" : ok ? "met" : "MISSED"}  ${what}`);
  console.log("\ntargets (issue 13; reported, not asserted)");
  for (const m of takeoverRows("takeover 10ms")) {
    const x = reference === undefined ? undefined : m.cpuPercent / reference.cpuPercent;
    check(`takeover 10ms, ${m.label}: CPU ${m.cpuPercent.toFixed(2)} % ≤ 2× keepalived master's ${reference?.cpuPercent.toFixed(2) ?? "—"} % (${times(x)})`, x === undefined ? undefined : x <= 2);
    const above = floor === undefined ? undefined : m.rssMedianKb - floor.rssMedianKb;
    check(`takeover 10ms, ${m.label}: RSS above Node's floor ${mb(above)} MB ≤ 15 MB`, above === undefined ? undefined : above <= 15 * 1024);
  }
  for (const m of takeoverRows("takeover 2ms")) check(`takeover 2ms, ${m.label}: CPU ${m.cpuPercent.toFixed(2)} % ≤ 5 % of a core`, m.cpuPercent <= 5);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:cost: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

// Hooks: the operator's executables run on transitions (config `hooks:`), to page someone, move a
// service, write to syslog. Each run is `PATH EVENT ADDRESS INTERFACE`, without a shell, with
// TAKEOVER_EVENT, TAKEOVER_ADDRESS, TAKEOVER_INTERFACE, TAKEOVER_DETAIL, TAKEOVER_NODE and
// TAKEOVER_PEER in its environment. Its stdout and stderr are logged line by line; a run past the
// timeout is killed (its whole process group). A hook that fails, hangs or is missing is logged and
// never stops the daemon. Runs of one event's hook are queued, one at a time, at most QUEUE_LIMIT
// waiting; more are dropped and logged.
//
// Daemon log events map to hook events: claim → claimed; yield, release, hand-back → released;
// conflict → conflict; peer-down, peer-up as they are. For peer-down/peer-up the address is the
// peer's (first) public address, the one at stake. With several public addresses per box, claimed and
// released run once per address (each moves on its own claim); every run also gets the whole lists
// in TAKEOVER_NODE_ADDRESSES and TAKEOVER_PEER_ADDRESSES (space-separated).
//
// Who may change a hook is checked the way sshd's StrictModes checks authorized_keys, at start (and by
// `run --check`) and again before every run: it must be a regular file (not a FIFO, directory or
// device), executable, owned by root or by the daemon's own user, and not writable by group or others;
// so must every directory above it up to /, except that a root-owned sticky directory like /tmp may be
// writable by others if it is not the hook's own directory (only its owners can rename or remove what
// is in it). A symlinked hook is checked along its real path and along the path given.
//
// Capabilities: a hook runs through `setpriv --inh-caps=-all --ambient-caps=-all` (util-linux), so it
// holds none of the daemon's capabilities, and with `--bounding-set=-all` too when the daemon may
// change its bounding set (CAP_SETPCAP: as root). Under deploy/takeover.service the daemon lacks
// CAP_SETPCAP, so a hook's bounding set stays CAP_NET_RAW+CAP_NET_ADMIN, but it holds neither
// (non-root, no ambient or inheritable capabilities) and NoNewPrivileges= keeps it from gaining them.
// `hooks.keepCapabilities: true` runs hooks directly, inheriting what the daemon has.
import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync, realpathSync, statSync, Stats } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import type { HooksConfig } from "./config";
import { HOOK_EVENTS, HookEvent } from "./config-values";
import type { Logger } from "./log";

/** Runs of one hook that may wait while one is going; more are dropped (at least: see HookContext.queueLimit). */
export const QUEUE_LIMIT = 16;

const EVENT_OF: Readonly<Record<string, HookEvent>> = {
  claim: "claimed",
  yield: "released",
  release: "released",
  "hand-back": "released",
  conflict: "conflict",
  "peer-down": "peer-down",
  "peer-up": "peer-up",
};

/** The hook event a daemon log event fires, if any. */
export function hookEventOf(logEvent: string): HookEvent | undefined {
  return EVENT_OF[logEvent];
}

/** What is wrong with a hook file and how to fix it; `${path} ${why}: ${fix}`. */
export interface HookProblem {
  readonly why: string;
  readonly fix: string;
}

/** Bits of st_mode */
const GROUP_OR_WORLD_WRITABLE = 0o022;
const STICKY = 0o1000;

/** Why the hook at `path` may not be run (StrictModes, above), or undefined when it may. */
export function hookProblem(path: string): HookProblem | undefined {
  let real: string;
  let stats: Stats;
  try {
    real = realpathSync(path);
    stats = statSync(real);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { why: "does not exist", fix: "install it, or fix the path" };
    if (code === "ENOTDIR") return { why: "does not exist (a part of the path is not a directory)", fix: "fix the path" };
    return { why: `cannot be checked (${(error as Error).message})`, fix: "fix the path or its permissions" };
  }
  if (!stats.isFile()) {
    const what = stats.isDirectory() ? "a directory" : stats.isFIFO() ? "a FIFO" : stats.isCharacterDevice() || stats.isBlockDevice() ? "a device" : stats.isSocket() ? "a socket" : "not a regular file";
    return { why: `is ${what}, not a regular file`, fix: "give the path of an executable file" };
  }
  const own = ownerProblem(stats, real);
  if (own !== undefined) return own;
  if ((stats.mode & GROUP_OR_WORLD_WRITABLE) !== 0) return { why: "is writable by group or others (anyone of them could run anything as the daemon)", fix: `chmod go-w ${real}` };
  // the directories above it: those of the real path, and those of the path given (a symlink there can be swapped)
  const directories = new Set([...ancestors(real), ...ancestors(path)]);
  const home = new Set([dirname(real), dirname(path)]);
  for (const directory of directories) {
    let d: Stats;
    try {
      d = statSync(directory);
    } catch (error) {
      return { why: `lies in ${directory}, which cannot be checked (${(error as Error).message})`, fix: `fix the permissions of ${directory}` };
    }
    const owner = ownerProblem(d, directory);
    if (owner !== undefined) return { why: `lies in ${directory}, which ${owner.why}`, fix: owner.fix };
    if ((d.mode & GROUP_OR_WORLD_WRITABLE) === 0) continue;
    // like /tmp: root-owned and sticky, so others may add files but not replace ours; never the hook's own directory
    if (d.uid === 0 && (d.mode & STICKY) !== 0 && !home.has(directory)) continue;
    return { why: `lies in ${directory}, which is writable by group or others (anyone of them could replace the hook)`, fix: `chmod go-w ${directory}` };
  }
  try {
    accessSync(real, constants.X_OK);
  } catch {
    return { why: "is not executable", fix: `chmod +x ${real}` };
  }
  return undefined;
}

function ownerProblem(stats: Stats, path: string): HookProblem | undefined {
  const me = process.getuid?.() ?? 0;
  if (stats.uid === 0 || stats.uid === me) return undefined;
  return { why: `is owned by uid ${stats.uid}, not by root${me === 0 ? "" : ` or the daemon's uid ${me}`}`, fix: `chown root ${path}` };
}

/** `/a/b/c` → `/a/b`, `/a`, `/` */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); ; d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) return out;
  }
}

/** Why each configured hook cannot be run (StrictModes, above; setpriv missing), one line each; empty when all can. */
export function hookProblems(hooks: HooksConfig): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const event of HOOK_EVENTS) {
    const path = hooks.paths[event];
    if (path === undefined || seen.has(path)) continue;
    seen.add(path);
    const problem = hookProblem(path);
    if (problem !== undefined) problems.push(`hooks.${event}: ${path} ${problem.why}: ${problem.fix}`);
  }
  if (seen.size > 0 && !hooks.keepCapabilities && findSetpriv() === undefined) {
    problems.push("hooks: setpriv is not installed (hooks run through it to drop every capability): apt-get install util-linux, or set hooks.keepCapabilities: true");
  }
  return problems;
}

/** The absolute path of setpriv: the system's (/usr/bin, /bin) first, then on PATH; undefined when there is none. */
export function findSetpriv(): string | undefined {
  const dirs = ["/usr/bin", "/bin", ...(process.env.PATH ?? "").split(delimiter).filter((d) => d.startsWith("/"))];
  for (const d of dirs) {
    const candidate = join(d, "setpriv");
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** CAP_SETPCAP (8) in our effective set: we may drop capabilities from the bounding set. */
function maySetBoundingSet(): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m !== null && (BigInt(`0x${m[1]}`) & (1n << 8n)) !== 0n;
  } catch {
    return false;
  }
}

/** The command that runs `path` with `args`: through setpriv, dropping capabilities, unless they are kept. */
export function hookCommand(path: string, args: readonly string[], keepCapabilities: boolean): { file: string; args: string[] } {
  if (keepCapabilities) return { file: path, args: [...args] };
  const setpriv = findSetpriv();
  if (setpriv === undefined) throw new Error("setpriv is not installed: apt-get install util-linux, or set hooks.keepCapabilities: true");
  const drop = ["--inh-caps=-all", "--ambient-caps=-all", ...(maySetBoundingSet() ? ["--bounding-set=-all"] : [])];
  return { file: setpriv, args: [...drop, "--", path, ...args] };
}

export interface HookContext {
  readonly interface: string;
  readonly node: string;
  readonly peer: string;
  /** each box's public addresses, space-separated */
  readonly nodeAddresses?: string;
  readonly peerAddresses?: string;
  /** runs of one hook that may wait, if more than QUEUE_LIMIT: room for a run per public address of both boxes */
  readonly queueLimit?: number;
}

interface Run {
  readonly event: HookEvent;
  readonly address: string;
  readonly detail: string;
}

export class HookRunner {
  readonly #queues = new Map<HookEvent, Run[]>();
  readonly #running = new Set<HookEvent>();
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(
    private readonly hooks: HooksConfig,
    private readonly context: HookContext,
    private readonly log: Logger,
  ) {}

  /** Runs `event`'s hook, now or after the runs of it before; nothing if it has none. */
  fire(event: HookEvent, address: string, detail: string): void {
    const path = this.hooks.paths[event];
    if (path === undefined || this.#closed) return;
    const queue = this.#queues.get(event) ?? [];
    this.#queues.set(event, queue);
    const limit = Math.max(QUEUE_LIMIT, this.context.queueLimit ?? 0);
    if (queue.length >= limit) {
      this.log.line("hook", address || undefined, `${event} ${path}: ${limit} runs already waiting; this one is dropped`);
      return;
    }
    queue.push({ event, address, detail });
    this.#next(event);
  }

  /** Resolves once no hook runs or waits (each run ends by its timeout at the latest). */
  idle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Takes no more runs; resolves when those started or queued have ended. */
  close(): Promise<void> {
    this.#closed = true;
    return this.idle();
  }

  #next(event: HookEvent): void {
    if (this.#running.has(event)) return;
    const run = this.#queues.get(event)?.shift();
    if (run === undefined) {
      if (this.#running.size === 0) {
        const waiting = this.#idle;
        this.#idle = [];
        for (const resolve of waiting) resolve();
      }
      return;
    }
    this.#running.add(event);
    void this.#run(run).finally(() => {
      this.#running.delete(event);
      this.#next(event);
    });
  }

  #run(run: Run): Promise<void> {
    const path = this.hooks.paths[run.event];
    if (path === undefined) return Promise.resolve();
    const timeoutMs = this.hooks.timeoutMicros / 1000;
    const address = run.address || undefined;
    const say = (text: string) => this.log.line("hook", address, `${run.event} ${path}: ${text}`);
    // checked again before every run: the file or a directory above it may have changed since start
    const problem = hookProblem(path);
    if (problem !== undefined) {
      say(`cannot run: ${problem.why}: ${problem.fix}`);
      return Promise.resolve();
    }
    let command: { file: string; args: string[] };
    try {
      command = hookCommand(path, [run.event, run.address, this.context.interface], this.hooks.keepCapabilities);
    } catch (error) {
      say(`cannot run: ${(error as Error).message}`);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const child = spawn(command.file, command.args, {
        shell: false,
        // its own process group, so a timeout kills what it started too
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          TAKEOVER_EVENT: run.event,
          TAKEOVER_ADDRESS: run.address,
          TAKEOVER_INTERFACE: this.context.interface,
          TAKEOVER_DETAIL: run.detail,
          TAKEOVER_NODE: this.context.node,
          TAKEOVER_PEER: this.context.peer,
          TAKEOVER_NODE_ADDRESSES: this.context.nodeAddresses ?? "",
          TAKEOVER_PEER_ADDRESSES: this.context.peerAddresses ?? "",
        },
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }, timeoutMs);
      const lines = (stream: NodeJS.ReadableStream | null, name: string) => {
        let rest = "";
        stream?.setEncoding("utf8");
        stream?.on("data", (chunk: string) => {
          const parts = (rest + chunk).split("\n");
          rest = parts.pop() ?? "";
          for (const line of parts) say(`${name}: ${line}`);
        });
        return () => {
          if (rest !== "") say(`${name}: ${rest}`);
          rest = "";
        };
      };
      const flushOut = lines(child.stdout, "stdout");
      const flushErr = lines(child.stderr, "stderr");
      let ended = false;
      child.once("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (ended) return;
        ended = true;
        const why = error.code === "ENOENT" ? "does not exist" : error.code === "EACCES" ? "is not executable" : error.message;
        say(`cannot run: ${why}`);
        resolve();
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        if (ended) return;
        ended = true;
        flushOut();
        flushErr();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (timedOut) say(`killed after the ${timeoutMs} ms timeout`);
        else if (code === 0) say(`done in ${ms.toFixed(1)} ms`);
        else say(`failed: ${code === null ? `killed by ${signal}` : `exit status ${code}`} after ${ms.toFixed(1)} ms`);
        resolve();
      });
    });
  }
}

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
// peer's public address (the one at stake).
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { HOOK_EVENTS, HookEvent, HooksConfig } from "./config";
import type { Logger } from "./log";

/** Runs of one hook that may wait while one is going; more are dropped. */
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

/** Why each configured hook cannot be run (missing, not a file, not executable), one line each; empty when all can. */
export function hookProblems(hooks: HooksConfig): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const event of HOOK_EVENTS) {
    const path = hooks.paths[event];
    if (path === undefined || seen.has(path)) continue;
    seen.add(path);
    try {
      if (!statSync(path).isFile()) {
        problems.push(`hooks.${event}: ${path} is not a file: give the path of an executable`);
        continue;
      }
      accessSync(path, constants.X_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(
        code === "ENOENT"
          ? `hooks.${event}: ${path} does not exist: install it, or fix the path`
          : code === "EACCES"
            ? `hooks.${event}: ${path} is not executable: chmod +x ${path}`
            : `hooks.${event}: ${path}: ${(error as Error).message}`,
      );
    }
  }
  return problems;
}

export interface HookContext {
  readonly interface: string;
  readonly node: string;
  readonly peer: string;
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
    if (queue.length >= QUEUE_LIMIT) {
      this.log.line("hook", address || undefined, `${event} ${path}: ${QUEUE_LIMIT} runs already waiting; this one is dropped`);
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
    return new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const child = spawn(path, [run.event, run.address, this.context.interface], {
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

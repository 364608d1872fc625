// Exec check (keepalived's track_script): runs a program and passes when it exits with status 0.
// The command is an argv list run without a shell, from /, with a clean environment (PATH, LANG=C and
// the TAKEOVER_* variables the daemon gives), stdin from /dev/null, in its own process group, and
// through setpriv with every capability dropped unless `keepCapabilities` (the same wrapper and the
// same StrictModes rules as hooks: src/failover/hooks.ts; the file is checked again before each run).
//
// Bounded in time and memory: at the timeout, and when the program itself exits, its whole process
// group is killed (a grandchild left behind does not outlive the run, nor hold the pipes open); of
// stdout and stderr together the first `maxOutputBytes` are kept, the rest read and dropped so the
// program never blocks on a full pipe. A failure's detail is one line: the reason (exit status,
// signal, timeout, cannot run), then the start of the output, cut. One run at a time per check: a
// run() while one is going joins it.
import { spawn } from "node:child_process";
import { hookCommand, hookProblem } from "../failover/hooks";
import { ABORTED_DETAIL, CheckResult, formatMillis, HealthCheck, MAX_TIMEOUT_MS, requireWholeNumber, Stopwatch } from "./check";

/** PATH of the check's environment. */
export const CHECK_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
/** Output bytes (stdout and stderr together) kept by default. */
export const DEFAULT_OUTPUT_BYTES = 4096;
/** After the timeout's kill, how long a run waits for the program's end before it gives up on it. */
const STRAGGLER_GRACE_MS = 1000;
/** Most characters of output a detail shows. */
export const SHOWN_OUTPUT_CHARACTERS = 200;

export interface ExecCheckOptions {
  /** argv: an absolute path, then the arguments */
  readonly command: readonly string[];
  readonly timeoutMs: number;
  /** variables added to the clean environment (PATH and LANG), like TAKEOVER_CHECK */
  readonly environment?: Readonly<Record<string, string>>;
  /** true: run the program directly, inheriting the daemon's capabilities; false: through setpriv, with none */
  readonly keepCapabilities: boolean;
  /** output bytes kept; default DEFAULT_OUTPUT_BYTES */
  readonly maxOutputBytes?: number;
}

/** What the last run printed: its first bytes, and how many there were in all. */
export interface ExecOutput {
  readonly kept: Buffer;
  readonly totalBytes: number;
}

/** The environment a check runs with: PATH, LANG=C and `extra`, nothing of the daemon's own. */
export function checkEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { PATH: CHECK_PATH, LANG: "C", ...extra };
}

/** Output as one line for a detail: whitespace runs as one space, controls escaped, cut. */
export function outputLine(output: ExecOutput, maxCharacters = SHOWN_OUTPUT_CHARACTERS): string {
  const text = output.kept
    .toString("utf8")
    .replace(/[\p{C}\uFFFD]/gu, (c) => (/\s/.test(c) ? " " : `\\x${(c.codePointAt(0) ?? 0).toString(16).padStart(2, "0")}`))
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...text];
  const cut = chars.length > maxCharacters || output.totalBytes > output.kept.length;
  return chars.length > maxCharacters ? `${chars.slice(0, maxCharacters).join("")}…` : cut ? `${text}…` : text;
}

export class ExecCheck implements HealthCheck {
  #running: Promise<CheckResult> | undefined;
  #lastOutput: ExecOutput = { kept: Buffer.alloc(0), totalBytes: 0 };

  /** @throws RangeError for an empty command, a relative program path, or a timeout out of range */
  constructor(
    readonly name: string,
    readonly options: ExecCheckOptions,
  ) {
    requireWholeNumber(name, "timeoutMs", options.timeoutMs, 1, MAX_TIMEOUT_MS);
    requireWholeNumber(name, "maxOutputBytes", options.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES, 0, 64 * 1024 * 1024);
    if (options.command.length === 0 || !options.command[0].startsWith("/")) throw new RangeError(`check "${name}": command must start with an absolute path, got ${JSON.stringify(options.command)}`);
  }

  /** What the last finished run printed (its first maxOutputBytes). */
  get lastOutput(): ExecOutput {
    return this.#lastOutput;
  }

  run(signal?: AbortSignal): Promise<CheckResult> {
    if (signal?.aborted) return Promise.resolve({ ok: false, rttMicros: 0, detail: ABORTED_DETAIL });
    // never two runs of one check at once: a caller while one is going gets its result
    if (this.#running !== undefined) return this.#running;
    const running = this.#runOnce(signal).finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  #runOnce(signal: AbortSignal | undefined): Promise<CheckResult> {
    const { command, timeoutMs, keepCapabilities, environment } = this.options;
    const maxOutputBytes = this.options.maxOutputBytes ?? DEFAULT_OUTPUT_BYTES;
    const [program, ...args] = command;
    // checked before every run, as hooks are: the file or a directory above it may have changed
    const problem = hookProblem(program);
    if (problem !== undefined) return Promise.resolve({ ok: false, rttMicros: 0, detail: `cannot run ${program}: it ${problem.why}: ${problem.fix}` });
    let file: string;
    let argv: string[];
    try {
      ({ file, args: argv } = hookCommand(program, args, keepCapabilities));
    } catch (error) {
      return Promise.resolve({ ok: false, rttMicros: 0, detail: `cannot run ${program}: ${(error as Error).message}` });
    }
    return new Promise((resolve) => {
      const clock = new Stopwatch();
      const chunks: Buffer[] = [];
      let kept = 0;
      let total = 0;
      let timedOut = false;
      let aborted = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let finished = false;

      const child = spawn(file, argv, {
        shell: false,
        cwd: "/",
        // its own process group (a new session), so the whole group can be killed
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: checkEnvironment(environment),
      });
      const killGroup = (): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // the group is empty already (ESRCH)
        }
      };
      const collect = (chunk: Buffer): void => {
        total += chunk.length;
        if (kept >= maxOutputBytes) return;
        const part = chunk.subarray(0, maxOutputBytes - kept);
        chunks.push(Buffer.from(part));
        kept += part.length;
      };
      child.stdout?.on("data", collect);
      child.stderr?.on("data", collect);

      const finish = (ok: boolean, reason: string): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearTimeout(straggler);
        signal?.removeEventListener("abort", onAbort);
        const rttMicros = clock.elapsedMicros();
        this.#lastOutput = { kept: Buffer.concat(chunks, kept), totalBytes: total };
        const shown = ok ? "" : outputLine(this.#lastOutput);
        resolve({ ok, rttMicros, detail: shown === "" ? reason : `${reason}: ${shown}` });
      };
      const onAbort = (): void => {
        aborted = true;
        killGroup();
        finish(false, ABORTED_DETAIL);
      };
      let straggler: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
        // bounded even if the pipes stay open (a process that left the group holds them) or the kill does not take
        straggler = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(false, `timeout after ${timeoutMs}ms: killed its process group, but ${exit === undefined ? "it has not exited" : "a process outside the group holds its output open"}`);
        }, STRAGGLER_GRACE_MS);
        straggler.unref();
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });

      child.once("error", (error: NodeJS.ErrnoException) => {
        // spawn failed (ENOENT, EACCES…): no process, no "exit"; "close" may follow
        const why = error.code === "ENOENT" ? "it does not exist" : error.code === "EACCES" ? "permission denied" : error.message;
        finish(false, `cannot run ${program}: ${why}`);
      });
      child.once("exit", (code, exitSignal) => {
        exit = { code, signal: exitSignal };
        // what it left running in its group would hold the pipes open (and outlive the run): ended
        killGroup();
      });
      child.once("close", () => {
        if (aborted || exit === undefined) return;
        const ms = formatMillis(clock.elapsedMicros());
        if (timedOut) finish(false, `timeout after ${timeoutMs}ms: killed with its process group`);
        else if (exit.code === 0) finish(true, `exit status 0 in ${ms}`);
        else if (exit.code !== null) finish(false, `exit status ${exit.code} after ${ms}`);
        else finish(false, `killed by ${exit.signal ?? "a signal"} after ${ms}`);
      });
    });
  }
}

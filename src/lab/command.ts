// Runs a program (ip, nft, ping, node …) to completion, synchronously or not, and turns a failure
// into one line that names the command, how it ended and what it printed on stderr. Every run has a
// time limit, so a hung tool cannot hang a test.

import { execFile, spawnSync } from "node:child_process";

/** How a finished command ended and what it printed. */
export interface CommandResult {
  /** Exit status, or null when it was ended by a signal (see `signal`). */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** Throw a CommandError unless the command exits with status 0. Default false. */
  readonly check?: boolean;
  /** Text written to the command's stdin. */
  readonly input?: string;
  /** The command is killed (SIGKILL) after this long. Default 30 000 ms. */
  readonly timeoutMs?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** A command that failed, exited non-zero, or ran out of time. The message is one line. */
export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult | undefined,
    reason: string,
  ) {
    super(`${quoteArgv(argv)}: ${reason}`);
  }
}

/** Shell-like text for a command line, for messages only. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

function oneLine(text: string, limit = 300): string {
  const flat = text.trim().replace(/\s*\n\s*/g, " | ");
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

function failureReason(result: CommandResult, timedOut: boolean, timeoutMs: number): string | undefined {
  const said = oneLine(result.stderr) || oneLine(result.stdout);
  const tail = said === "" ? "" : `: ${said}`;
  if (timedOut) return `did not finish within ${timeoutMs} ms${tail}`;
  if (result.signal !== null) return `killed by ${result.signal}${tail}`;
  if (result.status !== 0) return `exit status ${result.status}${tail}`;
  return undefined;
}

/** Runs `argv` to completion, blocking the event loop. */
export function runSync(argv: readonly string[], options: CommandOptions = {}): CommandResult {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const out = spawnSync(argv[0], argv.slice(1), {
    input: options.input,
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: MAX_OUTPUT_BYTES,
  });
  if (out.error !== undefined && (out.error as NodeJS.ErrnoException).code !== "ETIMEDOUT") {
    throw new CommandError(argv, undefined, `cannot run: ${out.error.message}`);
  }
  const result: CommandResult = {
    status: out.status,
    signal: out.signal,
    stdout: out.stdout ?? "",
    stderr: out.stderr ?? "",
  };
  const timedOut = (out.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  const reason = failureReason(result, timedOut, timeoutMs);
  if (reason !== undefined && (options.check === true || timedOut)) throw new CommandError(argv, result, reason);
  return result;
}

/** Runs `argv` to completion without blocking the event loop. */
export function run(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const child = execFile(
      argv[0],
      argv.slice(1),
      { encoding: "utf8", maxBuffer: MAX_OUTPUT_BYTES },
      (error, stdout, stderr) => {
        clearTimeout(timer);
        const spawnFailed = error !== null && typeof (error as NodeJS.ErrnoException).code === "string";
        if (spawnFailed && child.pid === undefined) {
          reject(new CommandError(argv, undefined, `cannot run: ${error.message}`));
          return;
        }
        const result: CommandResult = {
          status: child.exitCode,
          signal: child.signalCode,
          stdout,
          stderr,
        };
        const reason = failureReason(result, timedOut, timeoutMs);
        if (reason !== undefined && (options.check === true || timedOut)) {
          reject(new CommandError(argv, result, reason));
        } else {
          resolve(result);
        }
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

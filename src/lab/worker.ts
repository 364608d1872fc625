// Talks to a Node script that runs in another process, typically inside a network namespace
// (`ip netns exec NS node script.js '{json}'`): Node cannot enter a namespace itself, so code that must
// see a namespace's interfaces (capture, inject) runs as such a worker. The parent passes one JSON
// value as the first argument, may send JSON lines on stdin, and reads JSON lines from stdout. This
// file has both halves: `NodeWorker` for the parent, `workerInput`/`report`/`onParentMessage` for
// the script.

import { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A JSON value printed by a worker on one line of its stdout. */
export type WorkerMessage = Record<string, unknown>;

/** How a worker ended, with everything it printed. */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly messages: readonly WorkerMessage[];
  readonly stderr: string;
}

/** Thrown when a worker does not say what was awaited in time, or exits first. One line. */
export class WorkerError extends Error {
  override readonly name = "WorkerError";
}

const STDERR_KEEP_CHARS = 16 * 1024;

interface Waiter {
  readonly accepts: (m: WorkerMessage) => boolean;
  readonly resolve: (m: WorkerMessage) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The parent's side of a worker: collects the JSON lines it prints, lets a test wait for a message
 * that matches, send it messages, and wait for it to end. Lines that are not JSON objects are kept
 * in `otherLines` (a stray console.log must not break a test, but it is visible).
 */
export class NodeWorker<M extends WorkerMessage = WorkerMessage> {
  /** Every JSON message printed so far, in order. */
  readonly messages: M[] = [];
  readonly otherLines: string[] = [];
  private stderrText = "";
  private readIndex = 0;
  private readonly waiters: Waiter[] = [];
  private exit: WorkerExit | undefined;
  private readonly exitWaiters: Array<(e: WorkerExit) => void> = [];

  constructor(
    /** Names the worker in error messages, e.g. "capture in tk-123-ab12-router". */
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    if (child.stdout === null || child.stderr === null) {
      throw new Error(`worker ${label}: spawn it with stdio "pipe" so its output can be read`);
    }
    createInterface({ input: child.stdout }).on("line", (line) => this.onLine(line));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-STDERR_KEEP_CHARS);
    });
    child.stdin?.on("error", () => {
      /* the worker exited while we were writing to it; its exit is reported instead */
    });
    child.on("error", (error) => this.onExit(null, null, error.message));
    // 'close' comes after stdout has been read to the end, so no message is lost.
    child.on("close", (code: number | null, signal: NodeJS.Signals | null) => this.onExit(code, signal));
  }

  /** What the worker printed on stderr so far (the last 16 KiB). */
  get stderr(): string {
    return this.stderrText;
  }

  get exited(): boolean {
    return this.exit !== undefined;
  }

  /**
   * Resolves with the next message (after the last one this returned) for which `accepts` is true.
   * Rejects if the worker exits first or nothing matches within `timeoutMs`.
   */
  next(accepts: (m: M) => boolean = () => true, timeoutMs = 5000): Promise<M> {
    const test = accepts as (m: WorkerMessage) => boolean;
    for (let i = this.readIndex; i < this.messages.length; i++) {
      if (test(this.messages[i])) {
        this.readIndex = i + 1;
        return Promise.resolve(this.messages[i]);
      }
    }
    if (this.exit !== undefined) return Promise.reject(this.endedError("before sending the awaited message"));
    return new Promise<M>((resolve, reject) => {
      const waiter: Waiter = {
        accepts: test,
        resolve: resolve as (m: WorkerMessage) => void,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new WorkerError(`worker ${this.label}: no awaited message within ${timeoutMs} ms${this.stderrTail()}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits for a message `{kind}` (and more fields if given) and returns it. */
  expect(kind: string, timeoutMs = 5000): Promise<M> {
    return this.next((m) => m.kind === kind, timeoutMs);
  }

  /** Writes one JSON line to the worker's stdin (see `onParentMessage`). */
  tell(message: WorkerMessage): void {
    if (this.exit !== undefined) throw this.endedError(`before it could be told ${JSON.stringify(message)}`);
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends a message and waits for the worker's next message of `replyKind`. */
  async ask(message: WorkerMessage, replyKind: string, timeoutMs = 5000): Promise<M> {
    this.tell(message);
    return this.expect(replyKind, timeoutMs);
  }

  /**
   * Resolves when the worker has ended and its output is read. Past `timeoutMs` the worker is
   * killed (SIGKILL) and the promise rejects.
   */
  finished(timeoutMs = 10_000): Promise<WorkerExit> {
    if (this.exit !== undefined) return Promise.resolve(this.exit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill("SIGKILL");
        reject(new WorkerError(`worker ${this.label}: still running after ${timeoutMs} ms, killed${this.stderrTail()}`));
      }, timeoutMs);
      this.exitWaiters.push((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }

  /** Closes the worker's stdin (a polite "stop") and waits for it to end. */
  async stop(timeoutMs = 10_000): Promise<WorkerExit> {
    this.child.stdin?.end();
    return this.finished(timeoutMs);
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }
  }

  private onLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      this.otherLines.push(line);
      return;
    }
    const message = parsed as M;
    this.messages.push(message);
    const index = this.messages.length - 1;
    if (index < this.readIndex) return;
    const waiterIndex = this.waiters.findIndex((w) => w.accepts(message));
    if (waiterIndex < 0) return;
    const [waiter] = this.waiters.splice(waiterIndex, 1);
    clearTimeout(waiter.timer);
    this.readIndex = index + 1;
    waiter.resolve(message);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (this.exit !== undefined) return;
    if (spawnError !== undefined) this.stderrText += `\n${spawnError}`;
    this.exit = { code, signal, messages: this.messages, stderr: this.stderrText };
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.endedError("before sending the awaited message"));
    }
    for (const resolve of this.exitWaiters.splice(0)) resolve(this.exit);
  }

  private endedError(when: string): WorkerError {
    const how = this.exit?.signal != null ? `was killed by ${this.exit.signal}` : `exited with status ${this.exit?.code}`;
    return new WorkerError(`worker ${this.label} ${how} ${when}${this.stderrTail()}`);
  }

  private stderrTail(): string {
    const text = this.stderrText.trim();
    if (text === "") return "";
    const lines = text.split("\n").slice(-6).join(" | ");
    return `; its stderr ends: ${lines.length > 600 ? `…${lines.slice(-600)}` : lines}`;
  }
}

// ---- the worker script's side ----

/** The JSON value the parent passed as the first argument (`{}` when there is none). */
export function workerInput<T>(): T {
  const text = process.argv[2];
  if (text === undefined) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`worker input is not JSON (${(error as Error).message}): ${text.slice(0, 200)}`);
  }
}

/** Prints one message for the parent: one JSON line on stdout. */
export function report(message: WorkerMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * Calls `handle` for each JSON line the parent writes to stdin, in order (an async handler finishes
 * before the next line is handled), and `onEnd` when the parent closes stdin.
 */
export function onParentMessage(handle: (m: WorkerMessage) => void | Promise<void>, onEnd: () => void = () => {}): void {
  let chain: Promise<void> = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    chain = chain.then(async () => {
      let message: WorkerMessage;
      try {
        message = JSON.parse(line) as WorkerMessage;
      } catch {
        report({ kind: "error", message: `not a JSON line: ${line.slice(0, 200)}` });
        return;
      }
      try {
        await handle(message);
      } catch (error) {
        report({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  lines.on("close", () => {
    chain = chain.then(onEnd);
  });
}

// One run of a daemon on a simulated box, as the operating system sees it: its timers and the I/O
// delivered to it (captured frames, link notifications, netlink answers). It can be paused (SIGSTOP:
// nothing of it runs; its timers due meanwhile fire at resume, before the I/O that queued up, as
// libuv runs the timers phase before polling) and killed (a crash: its timers and its queued I/O are
// dropped, and nothing is delivered to it again). A restarted daemon is a new SimProcess. An exception
// thrown out of one of its callbacks is what Node calls uncaught: the process dies of it, and
// `onUncaught` is told.
import type { Clock, Timer } from "../link/clock";
import type { Scheduler } from "./scheduler";

export type ProcessState = "running" | "paused" | "dead";

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

export class SimProcess {
  #state: ProcessState = "running";
  #pausedTimers: PendingTimer[] = [];
  #pausedIo: (() => void)[] = [];
  #timerSeq = 0;
  readonly clock: Clock;
  /** called when a callback of this process throws; the process is dead by then */
  onUncaught: ((error: unknown) => void) | undefined;

  constructor(
    readonly scheduler: Scheduler,
    /** box name and incarnation, for messages */
    readonly label: string,
    readonly incarnation: number,
  ) {
    this.clock = {
      nowMicros: () => scheduler.now,
      after: (ms, run) => this.#after(ms, run),
    };
  }

  get state(): ProcessState {
    return this.#state;
  }

  get alive(): boolean {
    return this.#state !== "dead";
  }

  /**
   * Delivers I/O: now while running, at resume while paused, never once dead; always in the order it
   * came (while I/O held over a pause is still being delivered, new I/O waits behind it).
   */
  io(run: () => void): void {
    if (this.#state === "dead") return;
    if (this.#state === "running" && this.#pausedIo.length === 0) this.#call(run);
    else this.#pausedIo.push(run);
  }

  #call(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.kill();
      this.onUncaught?.(error);
    }
  }

  pause(): void {
    if (this.#state === "running") this.#state = "paused";
  }

  resume(): void {
    if (this.#state !== "paused") return;
    this.#state = "running";
    const timers = this.#pausedTimers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    this.#pausedTimers = [];
    // each as its own event at this instant, so microtasks drain between them as they would; then
    // the I/O, one item per event
    for (const timer of timers) this.scheduler.at(this.scheduler.now, () => this.#fire(timer));
    this.scheduler.at(this.scheduler.now, () => this.#deliverHeld());
  }

  #deliverHeld(): void {
    if (this.#state !== "running") return;
    const run = this.#pausedIo.shift();
    if (run === undefined) return;
    this.#call(run);
    if (this.#pausedIo.length > 0) this.scheduler.at(this.scheduler.now, () => this.#deliverHeld());
  }

  kill(): void {
    this.#state = "dead";
    this.#pausedTimers = [];
    this.#pausedIo = [];
  }

  #after(ms: number, run: () => void): Timer {
    // Node's setTimeout: below 1 ms (and NaN) means 1 ms
    const delayMicros = ms >= 1 ? Math.round(ms * 1000) : 1000;
    const timer: PendingTimer = { due: this.scheduler.now + delayMicros, seq: this.#timerSeq++, run, cancelled: false };
    if (this.#state === "dead") return { cancel: () => undefined };
    const event = this.scheduler.at(timer.due, () => this.#fire(timer));
    return {
      cancel: () => {
        timer.cancelled = true;
        event.cancelled = true;
      },
    };
  }

  #fire(timer: PendingTimer): void {
    if (timer.cancelled || this.#state === "dead") return;
    if (this.#state === "paused") {
      this.#pausedTimers.push(timer);
      return;
    }
    timer.cancelled = true;
    this.#call(timer.run);
  }
}

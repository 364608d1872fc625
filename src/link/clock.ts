// Time as the engines see it: "now" in microseconds and one-shot timers. The system clock is the
// process's (performance.timeOrigin + performance.now(), setTimeout); the simulator passes a clock of
// its own, so the daemon, the ARP engine and the prober run unchanged on simulated time. A FramePort
// may carry the clock its frames are stamped with; code that has a port takes its clock from there.

export interface Timer {
  /** Stops the timer; nothing happens if it has fired already. */
  cancel(): void;
}

export interface Clock {
  /** Microseconds since the Unix epoch. */
  nowMicros(): number;
  /**
   * Calls `run` once after `ms` milliseconds. `unref`: the timer alone does not keep a real
   * process alive (ignored by simulated clocks).
   */
  after(ms: number, run: () => void, options?: { readonly unref?: boolean }): Timer;
  /**
   * Resolves once what has already arrived (frames waiting in a capture) has been handed to its
   * listeners. A real event loop runs expired timers before it reads ready sockets, so a listening
   * window whose timer fires late (the loop was busy) would end before an answer that came in time
   * is read. A simulated clock delivers in order and need not have it.
   */
  settle?(): Promise<void>;
}

/**
 * Wall-clock time in µs from the monotonic clock. performance.timeOrigin is taken with µs precision
 * at start, so stamps of different processes on one box line up (Date.now() would be off by up to a
 * millisecond).
 */
export function hrtimeMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** The process's own clock and timers. */
export const systemClock: Clock = {
  nowMicros: hrtimeMicros,
  after(ms, run, options) {
    const timer = setTimeout(run, Math.max(0, ms));
    if (options?.unref === true) timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
  // setImmediate runs after this turn's poll phase, which reads the sockets that are ready
  settle: () => new Promise((resolve) => setImmediate(resolve)),
};

/** Resolves true after `ms` on `clock`, or false at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer = clock.after(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

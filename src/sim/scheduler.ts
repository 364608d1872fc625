// The discrete-event scheduler at the heart of the simulator: simulated time in µs, and a priority
// queue of events ordered by (time, sequence number), so two events at one instant run in the order
// they were scheduled. After each event the promise continuations it started are drained before the
// next event runs, as Node drains microtasks between two timer callbacks; nothing else runs, so the
// same events in the same order give the same run, byte for byte.
//
// Draining: a process.nextTick queued inside a microtask runs only after V8's microtask queue is empty
// (Node runs the tick queue, then all microtasks, and again while ticks remain), so awaiting one is a
// full drain as long as the code under test does not use process.nextTick itself (the daemon does
// not); the loop makes sure it always runs inside a microtask (see run()). It costs
// ~0.35 µs against ~2.2 µs for setImmediate (measured on this box, Node 20); `drain: "immediate"`
// selects the slower, stricter macrotask drain. Every YIELD_EVERY events the loop yields to the event
// loop once, so mocha's timeouts and IPC are still served and Node gets to report unhandled promise
// rejections (it looks only when its tick queue runs dry); that changes nothing simulated.

export interface Event {
  readonly time: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

export type DrainMode = "tick" | "immediate";

const YIELD_EVERY = 256;

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));
const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler {
  #now: number;
  #seq = 0;
  readonly #heap: Event[] = [];
  /** events run so far */
  events = 0;
  /** called before each event with its time (the invariant checker looks at every step) */
  beforeEvent: ((time: number) => void) | undefined;

  /** @param startMicros simulated time at start, µs since the Unix epoch */
  constructor(
    readonly startMicros: number,
    readonly drain: DrainMode = "tick",
  ) {
    this.#now = startMicros;
  }

  /** Simulated now, µs since the epoch. */
  get now(): number {
    return this.#now;
  }

  /** Simulated µs since the start. */
  get elapsed(): number {
    return this.#now - this.startMicros;
  }

  get pending(): number {
    return this.#heap.length;
  }

  /** Runs `run` at simulated `time` (not before now). */
  at(time: number, run: () => void): Event {
    const event: Event = { time: Math.max(this.#now, Math.round(time)), seq: this.#seq++, run, cancelled: false };
    this.#push(event);
    return event;
  }

  /** Runs `run` after `micros` of simulated time. */
  after(micros: number, run: () => void): Event {
    return this.at(this.#now + micros, run);
  }

  /**
   * Runs events in order until none is due by `until()` (read again after every event, so it may
   * move) or `stop()` says so. Simulated time ends at the last event run.
   */
  async run(until: () => number, stop: () => boolean = () => false): Promise<void> {
    const drain = this.drain === "tick" ? tick : immediate;
    // From here on every event runs inside a microtask checkpoint, which is what makes a nextTick a
    // full drain: ticks queued there run only once V8's microtask queue is empty. (Called from a
    // macrotask, the first event would otherwise run outside one, and its tick before its promises.)
    await immediate();
    let sinceYield = 0;
    for (;;) {
      const next = this.#heap[0];
      if (next === undefined || next.time > until()) break;
      this.#pop();
      if (next.cancelled) continue;
      this.beforeEvent?.(next.time);
      this.#now = next.time;
      this.events++;
      next.run();
      await drain();
      if (stop()) return;
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await immediate();
      }
    }
    const end = until();
    if (Number.isFinite(end) && end > this.#now) {
      this.beforeEvent?.(end);
      this.#now = end;
    }
  }

  #push(event: Event): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = event;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Event, b: Event): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

// A ping run over one or more targets: `count` rounds `intervalMs` apart, each request timing out
// after `timeoutMs`, with per-target statistics in ping's terms (sent, received, loss, min/avg/max/mdev).
import { Ipv4 } from "../packets/address";
import { ProbeEvent } from "./prober";

/** What runPing needs of a prober (Prober for IPv4, Prober6 for IPv6): its events, and send. */
export interface EchoProber<A> {
  on(event: "event", listener: (event: ProbeEvent<A>) => void): unknown;
  off(event: "event", listener: (event: ProbeEvent<A>) => void): unknown;
  send(target: A, timeoutMs: number): Promise<number>;
}

export interface PingOptions {
  /** rounds; Infinity runs until the signal aborts */
  readonly count: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface TargetSummary<A = Ipv4> {
  readonly target: A;
  readonly sent: number;
  readonly received: number;
  readonly duplicates: number;
  readonly errors: number;
  readonly lossPercent: number;
  readonly minMicros: number;
  readonly avgMicros: number;
  readonly maxMicros: number;
  /** mean deviation as ping computes it: sqrt(mean(rtt²) − mean(rtt)²) */
  readonly mdevMicros: number;
}

class Statistics {
  sent = 0;
  received = 0;
  duplicates = 0;
  errors = 0;
  sum = 0;
  sumOfSquares = 0;
  min = Infinity;
  max = 0;

  add(rtt: number): void {
    this.received++;
    this.sum += rtt;
    this.sumOfSquares += rtt * rtt;
    if (rtt < this.min) this.min = rtt;
    if (rtt > this.max) this.max = rtt;
  }

  summary<A>(target: A): TargetSummary<A> {
    const avg = this.received > 0 ? this.sum / this.received : 0;
    const variance = this.received > 0 ? this.sumOfSquares / this.received - avg * avg : 0;
    return {
      target,
      sent: this.sent,
      received: this.received,
      duplicates: this.duplicates,
      errors: this.errors,
      lossPercent: this.sent > 0 ? Math.round(((this.sent - this.received) / this.sent) * 100000) / 1000 : 0,
      minMicros: this.received > 0 ? this.min : 0,
      avgMicros: avg,
      maxMicros: this.max,
      mdevMicros: Math.sqrt(Math.max(0, variance)),
    };
  }
}

/**
 * Runs the rounds, calling `onEvent` for every reply, timeout, error and duplicate, and resolves with
 * a summary per target once the last request has been answered or timed out.
 * @param prober the prober for every target, or the prober for each one (targets reached by other
 *   interfaces or from other source addresses have their own)
 */
export async function runPing<A extends { toString(): string } = Ipv4>(
  prober: EchoProber<A> | ((target: A) => EchoProber<A>),
  targets: readonly A[],
  options: PingOptions,
  onEvent: (e: ProbeEvent<A>) => void,
): Promise<Array<TargetSummary<A>>> {
  const proberFor = typeof prober === "function" ? prober : () => prober;
  const probers = [...new Set(targets.map(proberFor))];
  // by the address's text: one key for Ipv4 and Ipv6Address alike (a ping run is not a hot path)
  const stats = new Map(targets.map((t) => [t.toString(), new Statistics()]));
  let pending = 0;
  let settle: (() => void) | undefined;
  const listener = (event: ProbeEvent<A>) => {
    const s = stats.get(event.target.toString());
    if (s === undefined) return;
    switch (event.type) {
      case "sent":
        return;
      case "reply":
        if (!event.late) s.add(event.rttMicros);
        if (event.late) break; // counted as lost already; reported, not settled twice
        pending--;
        break;
      case "duplicate":
        s.duplicates++;
        break;
      case "timeout":
        pending--;
        break;
      case "unreachable":
      case "time-exceeded":
        s.errors++;
        pending--;
        break;
    }
    onEvent(event);
    if (pending === 0) settle?.();
  };
  for (const p of probers) p.on("event", listener);
  try {
    for (let round = 0; round < options.count && !options.signal?.aborted; round++) {
      if (round > 0 && !(await pause(options.intervalMs, options.signal))) break;
      for (const target of targets) {
        stats.get(target.toString())!.sent++;
        pending++;
        void proberFor(target).send(target, options.timeoutMs);
      }
    }
    if (pending > 0 && !options.signal?.aborted) {
      await new Promise<void>((resolve) => {
        settle = resolve;
        options.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  } finally {
    for (const p of probers) p.off("event", listener);
  }
  return targets.map((t) => stats.get(t.toString())!.summary(t));
}

/** Waits `ms`; false when the signal aborts first. Its abort listener goes with it, so rounds do not pile them up. */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

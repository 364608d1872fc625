// The one shape every health check has: `run()` resolves to {ok, rttMicros, detail} and never
// rejects. A failure is a result with a short reason an operator can act on ("connection refused",
// "status 503, expected 200", "no echo reply within 100ms"), not an exception, so the daemon can feed
// every outcome to the failover machine the same way.

export interface CheckResult {
  readonly ok: boolean;
  /**
   * When ok: the round trip in µs (ICMP: the prober's figure from capture stamps; HTTP and TCP:
   * process.hrtime from the start of the attempt to its end). When not ok: the µs spent until the
   * failure was known, 0 when it failed before anything was sent.
   */
  readonly rttMicros: number;
  /** what happened, in a few words: "status 200, 1234 bytes", "timeout after 100ms" */
  readonly detail: string;
  /**
   * True when the attempt says nothing about the target (`ok` is then false): the request could
   * not be sent (our own link down, no route). The daemon counts such a result neither way.
   */
  readonly unknown?: boolean;
}

export interface HealthCheck {
  /** the name the configuration gives the check, for logs and the failover machine */
  readonly name: string;
  /**
   * Runs the check once. Resolves, never rejects; an aborted `signal` ends the attempt at once with
   * `{ok: false, detail: "aborted"}`.
   */
  run(signal?: AbortSignal): Promise<CheckResult>;
}

/** The detail of a check ended by its AbortSignal. */
export const ABORTED_DETAIL = "aborted";

/** A monotonic stopwatch in µs, from process.hrtime. */
export class Stopwatch {
  readonly #start = process.hrtime.bigint();

  elapsedMicros(): number {
    return Number(process.hrtime.bigint() - this.#start) / 1000;
  }
}

/** Milliseconds with at most three decimals, for details: 0.042ms, 12.5ms. */
export function formatMillis(micros: number): string {
  return `${Math.round(micros) / 1000}ms`;
}

/** The text of anything thrown, for a detail. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks the numbers a check is built with, so a bad configuration fails when the check is made
 * rather than as a puzzling result later.
 * @throws RangeError naming the check and the field
 */
export function requireWholeNumber(checkName: string, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`check "${checkName}": ${field} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

/** The largest timeout setTimeout honours (about 24.8 days). */
export const MAX_TIMEOUT_MS = 0x7fff_ffff;

// ICMP echo check: one echo request through a Prober, passing on the matching echo reply. The RTT is
// the prober's (kernel capture stamps where the link gives them). Several checks may share one
// prober, also for the same target: each run waits for the verdict on its own sequence number, and
// one listener per prober routes the verdicts, however many checks are running.
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { ProbeEvent } from "../icmp/prober";
import { EchoProber } from "../icmp/session";
import { clockOf, FramePort } from "../link/port";
import { ABORTED_DETAIL, CheckResult, formatMillis, HealthCheck, MAX_TIMEOUT_MS, messageOf, requireWholeNumber } from "./check";

/** What the check sends echo requests through: Prober (IPv4) or Prober6 (IPv6). */
export interface IcmpProber<A extends Ipv4 | Ipv6Address> extends EchoProber<A> {
  readonly port: FramePort;
}

/** The events that end a request's story. */
type Verdict = Extract<ProbeEvent<Ipv4 | Ipv6Address>, { type: "reply" | "timeout" | "unreachable" | "time-exceeded" }>;

/** A target's key in the router's table: the number of an IPv4 address (the hot path), the text of an IPv6 one. */
function keyOf(target: Ipv4 | Ipv6Address): number | string {
  return target instanceof Ipv4 ? target.value : target.toString();
}

function isVerdict(event: ProbeEvent<Ipv4 | Ipv6Address>): event is Verdict {
  // a late reply follows a timeout, which already decided
  return (event.type === "reply" && !event.late) || event.type === "timeout" || event.type === "unreachable" || event.type === "time-exceeded";
}

/**
 * How long past `timeoutMs` a run waits for the prober's own "timeout" before giving up by itself:
 * the prober's timer starts once the next hop is resolved, so normally it fires first; this bounds a
 * run whose next hop takes long to resolve, or whose prober was closed.
 */
const GUARD_GRACE_MS = 25;

/** Verdicts kept for a run between prober.send() being called and it telling the sequence number. */
const EARLY_VERDICT_LIMIT = 64;

/** One run's wait for the verdict on its echo request. */
interface PendingEcho {
  /** the request's sequence number, once prober.send() has resolved */
  seq: number | undefined;
  /** verdicts for the target heard while the sequence number was not yet known */
  readonly early: Verdict[];
  conclude(verdict: Verdict): void;
}

/** The single "event" listener on a prober, handing verdicts to the runs waiting on that target. */
class VerdictRouter {
  static readonly #routers = new WeakMap<object, VerdictRouter>();

  static of(prober: IcmpProber<Ipv4 | Ipv6Address>): VerdictRouter {
    let router = VerdictRouter.#routers.get(prober);
    if (router === undefined) {
      router = new VerdictRouter(prober);
      VerdictRouter.#routers.set(prober, router);
    }
    return router;
  }

  readonly #waiting = new Map<number | string, Set<PendingEcho>>();
  #count = 0;

  private constructor(readonly prober: IcmpProber<Ipv4 | Ipv6Address>) {}

  add(target: Ipv4 | Ipv6Address, pending: PendingEcho): void {
    const key = keyOf(target);
    let set = this.#waiting.get(key);
    if (set === undefined) this.#waiting.set(key, (set = new Set()));
    set.add(pending);
    if (this.#count++ === 0) this.prober.on("event", this.#hear);
  }

  remove(target: Ipv4 | Ipv6Address, pending: PendingEcho): void {
    const key = keyOf(target);
    const set = this.#waiting.get(key);
    if (set === undefined || !set.delete(pending)) return;
    if (set.size === 0) this.#waiting.delete(key);
    if (--this.#count === 0) this.prober.off("event", this.#hear);
  }

  readonly #hear = (event: ProbeEvent<Ipv4 | Ipv6Address>): void => {
    if (!isVerdict(event)) return;
    const set = this.#waiting.get(keyOf(event.target));
    if (set === undefined) return;
    for (const pending of [...set]) {
      if (pending.seq === undefined) {
        pending.early.push(event);
        if (pending.early.length > EARLY_VERDICT_LIMIT) pending.early.shift();
      } else if (pending.seq === event.seq) {
        pending.conclude(event);
      }
    }
  };
}

/**
 * The runs waiting on each abort signal, behind one "abort" listener per signal: a check loop passes
 * the same signal to every run, and adding and removing an EventTarget listener each run (every few
 * milliseconds) costs more than the rest of the run. The listener goes with the signal's abort.
 */
const abortWaiters = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` if `signal` aborts; returns a function that stops that. */
function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  let waiting = abortWaiters.get(signal);
  if (waiting === undefined) {
    const runs = (waiting = new Set());
    abortWaiters.set(signal, runs);
    signal.addEventListener(
      "abort",
      () => {
        abortWaiters.delete(signal);
        for (const run of [...runs]) run();
      },
      { once: true },
    );
  }
  const runs = waiting;
  runs.add(onAbort);
  return () => runs.delete(onAbort);
}

const UNREACHABLE_REASONS: Readonly<Record<number, string>> = {
  0: "network unreachable",
  1: "host unreachable",
  2: "protocol unreachable",
  3: "port unreachable",
  4: "fragmentation needed",
  5: "source route failed",
  6: "destination network unknown",
  7: "destination host unknown",
  9: "network administratively prohibited",
  10: "host administratively prohibited",
  11: "network unreachable for TOS",
  12: "host unreachable for TOS",
  13: "communication administratively prohibited",
};

/** ICMPv6 destination unreachable codes (RFC 4443 §3.1). */
const UNREACHABLE_REASONS6: Readonly<Record<number, string>> = {
  0: "no route to destination",
  1: "communication administratively prohibited",
  2: "beyond scope of source address",
  3: "address unreachable",
  4: "port unreachable",
  5: "source address failed ingress/egress policy",
  6: "reject route to destination",
};

const TIME_EXCEEDED_REASONS: Readonly<Record<number, string>> = {
  0: "TTL exceeded in transit",
  1: "fragment reassembly time exceeded",
};

/** ICMP echo to an IPv4 target through a Prober, or ICMPv6 echo to an IPv6 one through a Prober6. */
export class IcmpCheck<A extends Ipv4 | Ipv6Address = Ipv4> implements HealthCheck {
  /** @throws RangeError for a timeout that is not a positive whole number */
  constructor(
    readonly name: string,
    readonly prober: IcmpProber<A>,
    readonly target: A,
    readonly timeoutMs: number,
  ) {
    requireWholeNumber(name, "timeoutMs", timeoutMs, 1, MAX_TIMEOUT_MS - GUARD_GRACE_MS);
  }

  run(signal?: AbortSignal): Promise<CheckResult> {
    const { prober, target, timeoutMs } = this;
    return new Promise((resolve) => {
      if (signal?.aborted) {
        resolve({ ok: false, rttMicros: 0, detail: ABORTED_DETAIL });
        return;
      }
      const clock = clockOf(prober.port);
      const started = clock.nowMicros();
      const router = VerdictRouter.of(prober as unknown as IcmpProber<Ipv4 | Ipv6Address>);
      let finished = false;
      const finish = (result: CheckResult): void => {
        if (finished) return;
        finished = true;
        guard.cancel();
        stopWaitingForAbort?.();
        router.remove(target, pending);
        resolve(result);
      };
      const fail = (detail: string, unknown = false): void =>
        finish(unknown ? { ok: false, unknown, rttMicros: clock.nowMicros() - started, detail } : { ok: false, rttMicros: clock.nowMicros() - started, detail });
      const pending: PendingEcho = {
        seq: undefined,
        early: [],
        conclude: (verdict) => (verdict.type === "reply" ? finish(replyResult(verdict)) : fail(this.#failureDetail(verdict))),
      };
      const onAbort = (): void => fail(ABORTED_DETAIL);
      const guard = clock.after(timeoutMs + GUARD_GRACE_MS, () => fail(`no echo reply within ${timeoutMs}ms${pending.seq === undefined ? " (next hop not resolved)" : ""}`));
      const stopWaitingForAbort = signal === undefined ? undefined : whenAborted(signal, onAbort);
      router.add(target, pending);
      prober.send(target, timeoutMs).then(
        (seq) => {
          if (finished) return;
          pending.seq = seq;
          const heard = pending.early.find((verdict) => verdict.seq === seq);
          pending.early.length = 0;
          if (heard !== undefined) pending.conclude(heard);
        },
        // not sent: the check says nothing about the target
        (error: unknown) => fail(`echo request not sent: ${messageOf(error)}`, true),
      );
    });
  }

  #failureDetail(verdict: Exclude<Verdict, { type: "reply" }>): string {
    switch (verdict.type) {
      case "timeout":
        return `no echo reply within ${this.timeoutMs}ms`;
      case "unreachable":
        return `${(this.target instanceof Ipv4 ? UNREACHABLE_REASONS : UNREACHABLE_REASONS6)[verdict.code] ?? `destination unreachable (code ${verdict.code})`} (from ${verdict.from})`;
      case "time-exceeded":
        return `${TIME_EXCEEDED_REASONS[verdict.code] ?? `time exceeded (code ${verdict.code})`} (from ${verdict.from})`;
    }
  }
}

function replyResult(reply: Extract<Verdict, { type: "reply" }>): CheckResult {
  return { ok: true, rttMicros: reply.rttMicros, detail: `echo reply in ${formatMillis(reply.rttMicros)}, ${reply.target instanceof Ipv4 ? "ttl" : "hop limit"} ${reply.ttl}` };
}

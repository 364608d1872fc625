// Fault schedules: what one simulated run does to the two boxes and the wire, generated from a seed.
// A schedule is the settings profile, when each daemon starts, aliases left on the kernels from before,
// and a list of faults, each an interval [at, at + duration) over a fault window of a few seconds
// (a permanent link outage has no end); after the last fault comes the quiet period. Times are µs
// from the start of the run. Schedules are plain JSON, so a shrunk one can be printed and replayed.
import { Random } from "./random";

export type BoxName = "brain" | "pinky";
export type StationName = BoxName | "router";
export const BOXES: readonly BoxName[] = ["brain", "pinky"];

/** Check and claim settings, mirrored on both boxes (see configs.ts). */
export type Profile = "shipped" | "fast";

interface Timed {
  /** µs from the start of the run */
  readonly at: number;
  /** µs; ignored when permanent */
  readonly duration: number;
}

/** The box's own interface goes: admin down (ifdown), carrier lost at the switch, or removed and made again. */
export interface LinkFault extends Timed {
  readonly kind: "admin-down" | "carrier-loss" | "recreate";
  readonly box: BoxName;
  /** after the interface is back, µs until the daemon's capture is verified (0–2 s) */
  readonly reopen: number;
  /** recreate: µs until the network manager re-adds the real address */
  readonly realAfter?: number;
  /** lasts to the end of the run */
  readonly permanent?: boolean;
}

/** The daemon process is stopped (SIGSTOP) and continued, or killed and started again (its aliases stay). */
export interface ProcessFault extends Timed {
  readonly kind: "pause" | "crash";
  readonly box: BoxName;
}

/** A condition on one direction of the wire. */
export interface NetFault extends Timed {
  readonly kind: "net";
  readonly from: StationName;
  readonly to: StationName;
  readonly loss: number;
  readonly delay: number;
  readonly jitter: number;
  readonly reorder: number;
  readonly reorderWindow: number;
  readonly duplicate: number;
}

/** Nothing gets through from → to. */
export interface PartitionFault extends Timed {
  readonly kind: "partition";
  readonly from: StationName;
  readonly to: StationName;
}

export type Fault = LinkFault | ProcessFault | NetFault | PartitionFault;

export interface Schedule {
  /** seeds the run's own random streams (frame loss draws, the daemons' random numbers) */
  readonly seed: number;
  readonly profile: Profile;
  /** µs from the start when each daemon starts */
  readonly starts: Readonly<Record<BoxName, number>>;
  /** aliases on a kernel before its daemon first starts: the peer's public address, left by a crash */
  readonly leftovers: readonly BoxName[];
  readonly faults: readonly Fault[];
  /**
   * each box has an IPv6 public address too, and the router an IPv6 neighbour cache (configs.ts,
   * world.ts); set by `--ipv6`, not drawn from the seed, so a seed's draws are the same either way
   */
  readonly dualStack?: boolean;
}

const MS = 1000;
const S = 1_000_000;

/** Log-uniform in [min, max]: short and long durations alike. */
function logUniform(random: Random, min: number, max: number): number {
  return Math.round(Math.exp(random.range(Math.log(min), Math.log(max))));
}

function reopenDelay(random: Random): number {
  return random.chance(0.3) ? 0 : logUniform(random, 1 * MS, 2 * S);
}

function direction(random: Random): { from: StationName; to: StationName } {
  if (random.chance(0.6)) return random.chance(0.5) ? { from: "brain", to: "pinky" } : { from: "pinky", to: "brain" };
  const box = random.pick(BOXES);
  return random.chance(0.5) ? { from: box, to: "router" } : { from: "router", to: box };
}

/** One fault starting somewhere in [from, to). */
function fault(random: Random, from: number, to: number): Fault {
  const at = Math.round(random.range(from, to));
  const duration = logUniform(random, 10 * MS, 2.5 * S);
  const box = random.pick(BOXES);
  const roll = random.next();
  if (roll < 0.18) return { kind: "admin-down", box, at, duration, reopen: reopenDelay(random) };
  if (roll < 0.32) return { kind: "carrier-loss", box, at, duration, reopen: reopenDelay(random) };
  if (roll < 0.42) return { kind: "recreate", box, at, duration, reopen: reopenDelay(random), realAfter: random.chance(0.5) ? 0 : logUniform(random, 1 * MS, 500 * MS) };
  if (roll < 0.52) return { kind: "pause", box, at, duration };
  if (roll < 0.6) return { kind: "crash", box, at, duration };
  if (roll < 0.85) {
    return {
      kind: "net",
      ...direction(random),
      at,
      duration,
      loss: random.pick([0, 0, 0.05, 0.2, 0.5, 0.9, 1]),
      delay: random.chance(0.5) ? 0 : logUniform(random, 100, 30 * MS),
      jitter: random.chance(0.5) ? 0 : logUniform(random, 100, 10 * MS),
      reorder: random.pick([0, 0, 0.1, 0.3]),
      reorderWindow: logUniform(random, 100, 5 * MS),
      duplicate: random.pick([0, 0, 0.1, 0.5]),
    };
  }
  return { kind: "partition", ...direction(random), at, duration };
}

/** The schedule of `seed`. */
export function generate(seed: number): Schedule {
  const random = new Random(seed).fork("schedule");
  const profile: Profile = random.chance(0.5) ? "fast" : "shipped";
  // both at once (at 0 or a little later), or one after the other
  const first = random.chance(0.5) ? 0 : Math.round(random.range(0, 0.3 * S));
  const second = random.chance(0.4) ? first : first + logUniform(random, 1 * MS, 1.5 * S);
  const starts = random.chance(0.5) ? { brain: first, pinky: second } : { brain: second, pinky: first };
  const leftovers: BoxName[] = random.chance(0.1) ? [random.pick(BOXES)] : [];
  const windowStart = Math.max(starts.brain, starts.pinky) + Math.round(random.range(0.1 * S, 1.5 * S));
  const windowEnd = windowStart + Math.round(random.range(0.5 * S, 4 * S));
  const count = random.pick([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8]);
  const faults: Fault[] = [];
  for (let i = 0; i < count; i++) faults.push(fault(random, windowStart, windowEnd));
  if (random.chance(0.1)) {
    const kind = random.pick(["admin-down", "carrier-loss", "recreate"] as const);
    faults.push({ kind, box: random.pick(BOXES), at: Math.round(random.range(windowStart, windowEnd)), duration: 0, reopen: 0, permanent: true });
  }
  faults.sort((a, b) => a.at - b.at);
  return { seed, profile, starts, leftovers, faults };
}

/** When the last fault ends (a permanent one: when it begins), or the later daemon starts, µs from the start. */
export function lastFaultEnd(schedule: Schedule): number {
  let end = Math.max(schedule.starts.brain, schedule.starts.pinky);
  for (const f of schedule.faults) end = Math.max(end, isPermanent(f) ? f.at : f.at + f.duration);
  return end;
}

export function isPermanent(f: Fault): boolean {
  return (f.kind === "admin-down" || f.kind === "carrier-loss" || f.kind === "recreate") && f.permanent === true;
}

/** The box that is down for good, if any. */
export function permanentlyDown(schedule: Schedule): BoxName | undefined {
  for (const f of schedule.faults) if (isPermanent(f) && f.kind !== "net" && f.kind !== "partition") return f.box;
  return undefined;
}

function ms(micros: number): string {
  return micros >= S ? `${(micros / S).toFixed(3)} s` : `${(micros / MS).toFixed(micros < 10 * MS ? 2 : 1)} ms`;
}

/** One line for a fault: "admin-down brain for 1.234 s, reopen 12.0 ms". */
export function describeFault(f: Fault): string {
  const span = isPermanent(f) ? "for good" : `for ${ms(f.duration)}`;
  switch (f.kind) {
    case "admin-down":
    case "carrier-loss":
      return `${f.kind} ${f.box} ${span}, reopen ${ms(f.reopen)}`;
    case "recreate":
      return `recreate ${f.box}: removed ${span}, reopen ${ms(f.reopen)}, real address back after ${ms(f.realAfter ?? 0)}`;
    case "pause":
    case "crash":
      return `${f.kind} ${f.box} ${span}${f.kind === "crash" ? " (then restarted)" : ""}`;
    case "partition":
      return `partition ${f.from}→${f.to} ${span}`;
    case "net": {
      const parts: string[] = [];
      if (f.loss > 0) parts.push(`loss ${Math.round(f.loss * 100)}%`);
      if (f.delay > 0) parts.push(`delay ${ms(f.delay)}`);
      if (f.jitter > 0) parts.push(`jitter ${ms(f.jitter)}`);
      if (f.reorder > 0) parts.push(`reorder ${Math.round(f.reorder * 100)}% within ${ms(f.reorderWindow)}`);
      if (f.duplicate > 0) parts.push(`duplicate ${Math.round(f.duplicate * 100)}%`);
      return `net ${f.from}→${f.to} ${parts.length === 0 ? "clean" : parts.join(", ")} ${span}`;
    }
  }
}

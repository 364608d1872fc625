// One simulated run: the segment, the router, Brain and Pinky (kernels and daemons), the schedule's
// faults applied at their times, and the invariant checker fed the ground truth before every event.
// Overlapping faults of one kind on one box nest (the interface comes back when the last one ends,
// with that fault's reopen delay). A crashed daemon is started again, as a new process, when its
// crash ends; a daemon whose start() rejects is taken as crashed for good.
// A dual-stack schedule (schedule.dualStack) adds each box's IPv6 public address to the configs, IPv6
// to the boxes' kernels, and the IPv6 router (router6.ts, Linux's defaults) on the segment next to
// the IPv4 one, with the same MAC, sending traffic to each IPv6 public address every poll (100 ms);
// a fault on a path to or from the router holds for both. Its neighbour entries are judged as the
// IPv4 router's ARP entries are.
import type { TakeoverConfig } from "../failover/config";
import { Ipv4, Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { Box } from "./box";
import { configFor, quietPeriodMicros } from "./configs";
import { BoxName, BOXES, describeFault, Fault, isPermanent, lastFaultEnd, permanentlyDown, Schedule } from "./faults";
import { InvariantChecker, InvariantName, Violation } from "./invariants";
import { NodeFactory, quietLogger, SimDaemonEvent } from "./node";
import { Random } from "./random";
import { Router, RouterOptions, ROUTER_DEFAULTS } from "./router";
import { Router6, ROUTER6_DEFAULTS } from "./router6";
import { DrainMode, Scheduler } from "./scheduler";
import { Segment } from "./segment";
import { Trace } from "./trace";

/** Simulated time at the start of a run: 2026-01-01T00:00:00Z, in µs. */
export const EPOCH_MICROS = 1_767_225_600_000_000;
/** How long the settled state must last after the quiet period. */
export const TAIL_MICROS = 1_000_000;
/** A run that has not settled this long after its last fault ends is a violation. */
const NEVER_SETTLED_MICROS = 20_000_000;
/** systemd's RestartSec in deploy/takeover.service: a daemon that died is started again after this. */
export const RESTART_MICROS = 1_000_000;

export const MACS: Readonly<Record<BoxName | "router", Mac>> = {
  brain: Mac.parse("02:00:5e:00:00:17"),
  pinky: Mac.parse("02:00:5e:00:00:18"),
  router: Mac.parse("02:00:5e:00:00:01"),
};
export const ROUTER_ADDRESS = Ipv4.parse("192.0.2.1");
/** The IPv6 router's address on the segment's prefix 2001:db8:1::/64 (/work/v6-config.md's lab segment). */
export const ROUTER6_ADDRESS = Ipv6Address.parse("2001:db8:1::1");

/**
 * From the settled instant, how long the IPv6 router may take to make good NAs it missed: an entry
 * confirmed REACHABLE at the old holder's MAC just before stays so for the reachable time, then
 * DELAY, three unanswered unicast probes, FAILED, and the next packet's multicast NS is answered.
 */
export const ROUTER6_CATCH_UP_MICROS = ROUTER6_DEFAULTS.reachableMicros + ROUTER6_DEFAULTS.delayFirstProbeMicros + (ROUTER6_DEFAULTS.ucastSolicit + 1) * ROUTER6_DEFAULTS.retransMicros;

export interface WorldOptions {
  /** what runs on each box */
  readonly factory: NodeFactory;
  /** keep detail lines (checks, announcements, fault-free changes) in the trace */
  readonly details?: boolean;
  /** stop at the first violation (default true) */
  readonly stopAtFirst?: boolean;
  readonly drain?: DrainMode;
  readonly router?: RouterOptions;
  /**
   * address effects stay with the ifindex the daemon started with (default false: they follow the
   * interface by name, as AddressManager does since "addresses: follow the interface's index by name")
   */
  readonly bindAddressesToIndex?: boolean;
  /** invariants whose violations are traced but neither counted nor stop the run */
  readonly ignore?: readonly InvariantName[];
  /** public addresses per box (default 1; see configs.ts) */
  readonly addressesPerBox?: number;
}

export interface RunResult {
  readonly schedule: Schedule;
  readonly violations: readonly Violation[];
  readonly trace: Trace;
  /** events the scheduler ran */
  readonly events: number;
  /** µs simulated */
  readonly simulatedMicros: number;
  /** when invariant 1 started to apply, µs from the start */
  readonly settleAt?: number;
  /** the longest an address was held by both boxes while no fault was in force (capped just past the bound) */
  readonly longestDualMicros: number;
}

interface Counts {
  admin: number;
  carrier: number;
  removed: number;
  crashed: number;
}

/** Worlds running now, for unhandled rejections (see catchUnhandledRejections). */
const running = new Set<World>();

/**
 * Node exits on a promise rejection nobody handles. In a process that runs one world at a time (the
 * CLI, a pool worker), this charges such a rejection to the running world as a violation ("crash");
 * which box's daemon left it is not known.
 */
export function catchUnhandledRejections(): void {
  process.on("unhandledRejection", (reason) => {
    if (running.size !== 1) throw reason;
    for (const world of running) world.unhandledRejection(reason);
  });
}

export class World {
  readonly scheduler: Scheduler;
  readonly segment: Segment;
  readonly router: Router;
  /** the IPv6 router, in a dual-stack run */
  readonly router6: Router6 | undefined;
  readonly boxes: Readonly<Record<BoxName, Box>>;
  readonly configs: Readonly<Record<BoxName, TakeoverConfig>>;
  readonly trace: Trace;
  readonly checker: InvariantChecker;
  readonly #random: Random;
  readonly #publics: readonly Ipv4[];
  readonly #publics6: readonly Ipv6Address[];
  readonly #counts: Record<BoxName, Counts> = { brain: { admin: 0, carrier: 0, removed: 0, crashed: 0 }, pinky: { admin: 0, carrier: 0, removed: 0, crashed: 0 } };
  readonly #incarnation: Record<BoxName, number> = { brain: 0, pinky: 0 };
  readonly #startReached: Record<BoxName, boolean> = { brain: false, pinky: false };
  readonly #lastFaultEnd: number;
  readonly #permanent: BoxName | undefined;
  readonly #quiet: number;
  // what was last told to the checker
  readonly #holders = new Map<number, string>();
  readonly #holders6 = new Map<string, string>();
  readonly #verified = new Map<string, boolean>();
  readonly #healthy = new Map<string, boolean>();
  #disruption: string | undefined = "not started";
  #settleStart: number | undefined;
  #end: number | undefined;
  /** something the checker is told about may have changed since the last #observe */
  #dirty = true;

  constructor(
    readonly schedule: Schedule,
    readonly options: WorldOptions,
  ) {
    this.scheduler = new Scheduler(EPOCH_MICROS, options.drain);
    this.segment = new Segment(this.scheduler);
    this.trace = new Trace(options.details === true);
    this.#random = new Random(schedule.seed).fork("world");
    const perBox = options.addressesPerBox ?? 1;
    const dualStack = schedule.dualStack === true;
    this.configs = { brain: configFor("brain", schedule.profile, perBox, dualStack), pinky: configFor("pinky", schedule.profile, perBox, dualStack) };
    const boxes = {} as Record<BoxName, Box>;
    for (const name of BOXES) {
      const config = this.configs[name];
      const box = new Box(
        { name, mac: MACS[name], realAddress: config.node.address, prefixLength: config.node.publicPrefixLength ?? 24, interfaceName: config.interface, ipv6: dualStack },
        this.scheduler,
        this.segment,
        (b, part, what) => {
          this.#dirty = true;
          this.trace.add(this.#t(), `${b.name} ${part}`, what);
        },
        name === "brain" ? 2 : 3,
      );
      box.bindAddressesToIndex = options.bindAddressesToIndex ?? false;
      boxes[name] = box;
    }
    this.boxes = boxes;
    const publics = [...this.configs.brain.node.publicAddresses, ...this.configs.pinky.node.publicAddresses].map((p) => p.address);
    this.#publics = publics.filter((a): a is Ipv4 => a instanceof Ipv4);
    this.#publics6 = publics.filter((a): a is Ipv6Address => a instanceof Ipv6Address);
    this.router = new Router(MACS.router, ROUTER_ADDRESS, this.#publics, this.scheduler, this.segment, (address, mac, how) => {
      const owner = BOXES.find((b) => mac !== undefined && MACS[b].equals(mac));
      this.trace.add(this.#t(), "router", `${address} → ${mac?.toString() ?? "none"}${owner === undefined ? "" : ` (${owner})`}, ${how}`);
      this.checker.router(this.#t(), address.toString(), mac?.toString());
    }, options.router ?? ROUTER_DEFAULTS);
    this.router6 = !dualStack
      ? undefined
      : new Router6(MACS.router, ROUTER6_ADDRESS, 64, this.scheduler, this.segment, (address, entry, why) => {
          const mac = entry?.mac;
          const owner = BOXES.find((b) => mac !== undefined && MACS[b].equals(mac));
          this.trace.add(this.#t(), "router6", `${address} → ${entry === undefined ? "none" : `${mac?.toString() ?? "no MAC"}${owner === undefined ? "" : ` (${owner})`} ${entry.state}`}, ${why}`);
          this.checker.router(this.#t(), address.toString(), mac?.toString());
        });
    this.checker = new InvariantChecker(
      BOXES.map((name) => ({
        name,
        mac: MACS[name].toString(),
        publicAddress: this.configs[name].node.publicAddress.toString(),
        publicAddresses: this.configs[name].node.publicAddresses.map((p) => p.address.toString()),
        peerChecks: this.configs[name].checks.filter((c) => c.role === "peer").map((c) => ({ name: c.name, fall: c.fall, rise: c.rise })),
      })),
      undefined,
      new Set(options.ignore ?? []),
    );
    this.#lastFaultEnd = lastFaultEnd(schedule);
    this.#permanent = permanentlyDown(schedule);
    this.#quiet = quietPeriodMicros(this.configs.brain);
  }

  /** µs since the start. */
  #t(): number {
    return this.scheduler.now - EPOCH_MICROS;
  }

  async run(): Promise<RunResult> {
    const { schedule } = this;
    this.trace.add(0, "sim", `seed ${schedule.seed}, ${schedule.profile} settings${schedule.dualStack === true ? ", dual-stack" : ""}, brain starts at ${(schedule.starts.brain / 1e6).toFixed(3)} s, pinky at ${(schedule.starts.pinky / 1e6).toFixed(3)} s`);
    for (const name of schedule.leftovers) {
      const config = this.configs[name];
      for (const p of config.peer.publicAddresses) {
        if (p.address instanceof Ipv4) this.boxes[name].addLeftover(p.address, config.aliasLabel);
        else this.boxes[name].addLeftover6(p.address, p.prefixLength ?? 64);
      }
    }
    this.router.start();
    const router6 = this.router6;
    if (router6 !== undefined) {
      const traffic = () => {
        for (const address of this.#publics6) router6.send(address);
        this.scheduler.after((this.options.router ?? ROUTER_DEFAULTS).pollMicros, traffic);
      };
      traffic();
    }
    for (const name of BOXES) {
      this.scheduler.at(EPOCH_MICROS + schedule.starts[name], () => {
        this.#startReached[name] = true;
        if (this.#counts[name].crashed === 0) this.#startDaemon(name);
      });
    }
    schedule.faults.forEach((fault, index) => this.#schedule(fault, index));
    this.scheduler.beforeEvent = (time) => {
      this.#observe();
      this.checker.advance(time - EPOCH_MICROS);
    };
    const stopAtFirst = this.options.stopAtFirst ?? true;
    running.add(this);
    try {
      await this.scheduler.run(
        () => EPOCH_MICROS + (this.#end ?? this.#lastFaultEnd + NEVER_SETTLED_MICROS),
        () => stopAtFirst && this.checker.violations.length > 0,
      );
      // Node looks for unhandled rejections only when its tick queue runs dry: here, and at the
      // scheduler's periodic yields
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      running.delete(this);
    }
    this.#observe();
    this.checker.finish(this.#t());
    if (this.#settleStart === undefined && this.checker.violations.length === 0) {
      const unhealthy = BOXES.filter((b) => b !== this.#permanent && !this.#isHealthy(b)).map((b) => `${b} (${this.#why(b)})`);
      this.checker.violate("settled", this.#t(), `never settled: ${(NEVER_SETTLED_MICROS / 1e6).toFixed(0)} s after the last fault, ${unhealthy.join(" and ") || "nobody"} still not healthy`);
    }
    for (const v of this.checker.violations) this.trace.add(v.time, "VIOLATION", `${v.invariant}: ${v.message}`);
    for (const v of this.checker.ignored) this.trace.add(v.time, "ignored", `${v.invariant}: ${v.message}`);
    return {
      schedule,
      violations: this.checker.violations,
      trace: this.trace,
      events: this.scheduler.events,
      simulatedMicros: this.#t(),
      longestDualMicros: this.checker.longestDualMicros,
      ...(this.checker.settleAt === undefined ? {} : { settleAt: this.checker.settleAt }),
    };
  }

  // --- daemons -----------------------------------------------------------------------------------

  #startDaemon(name: BoxName): void {
    this.#dirty = true;
    const box = this.boxes[name];
    const incarnation = ++this.#incarnation[name];
    const { process, env } = box.startProcess(incarnation, this.#random.fork(`${name}#${incarnation}`));
    process.onUncaught = (error) => this.#died(name, error);
    this.checker.incarnation(name, incarnation);
    this.trace.add(this.#t(), name, `daemon started${incarnation > 1 ? ` again (run ${incarnation})` : ""}`);
    const dead = (what: string, error: unknown) => {
      if (box.process !== process) return;
      this.#dirty = true;
      this.trace.add(this.#t(), name, `daemon ${what}: ${error instanceof Error ? error.message : String(error)}; it exits`);
      box.crash();
    };
    try {
      const program = this.options.factory(this.configs[name], env, quietLogger);
      program.events.on("event", (event) => {
        if (box.process === process) this.#daemonEvent(name, incarnation, event);
      });
      program.start().catch((error: unknown) => dead("start failed", error));
    } catch (error) {
      dead("could not be made", error);
    }
  }

  /** A daemon left a rejected promise unhandled (which one is not known). */
  unhandledRejection(reason: unknown): void {
    const what = `unhandled promise rejection: ${describeError(reason)}`;
    this.trace.add(this.#t(), "sim", `a daemon left an ${what}; Node would exit`);
    this.checker.violate("crash", this.#t(), `a daemon left an ${what}`);
  }

  /** The daemon threw out of a callback: Node would exit; systemd starts it again after RestartSec. */
  #died(name: BoxName, error: unknown): void {
    this.#dirty = true;
    const what = `uncaught exception: ${describeError(error)}`;
    this.trace.add(this.#t(), name, `daemon died: ${what}`);
    this.checker.violate("crash", this.#t(), `${name}'s daemon died of an ${what}`);
    this.boxes[name].crash();
    this.scheduler.after(RESTART_MICROS, () => {
      if (this.#counts[name].crashed === 0 && this.boxes[name].process === undefined) this.#startDaemon(name);
    });
  }

  #daemonEvent(name: BoxName, incarnation: number, event: SimDaemonEvent): void {
    const time = event.timeMicros - EPOCH_MICROS;
    switch (event.kind) {
      case "log":
        this.trace.add(time, name, `${event.event}${event.address === undefined ? "" : ` ${event.address}`}: ${event.detail}`);
        if (event.event === "claim" && event.address !== undefined) this.checker.claim(time, name, incarnation, event.address);
        break;
      case "check":
        this.trace.add(time, name, `check ${event.name} ${event.verdict} [${((event.startedMicros - EPOCH_MICROS) / 1e6).toFixed(6)}]: ${event.detail}`, true);
        this.checker.check(name, incarnation, { name: event.name, started: event.startedMicros - EPOCH_MICROS, time, verdict: event.verdict });
        break;
      case "announce":
        this.trace.add(time, name, `announced ${event.address}: ${event.frames} frames (${event.reason})`, true);
        break;
    }
  }

  // --- faults ------------------------------------------------------------------------------------

  #schedule(fault: Fault, index: number): void {
    const begin = EPOCH_MICROS + fault.at;
    let lift: (() => void) | undefined;
    this.scheduler.at(begin, () => {
      this.#dirty = true;
      this.trace.add(this.#t(), "fault", describeFault(fault));
      lift = this.#begin(fault, index);
    });
    if (isPermanent(fault)) return;
    this.scheduler.at(begin + fault.duration, () => {
      this.#dirty = true;
      this.trace.add(this.#t(), "fault", `end of ${fault.kind}${"box" in fault ? ` ${fault.box}` : ` ${fault.from}→${fault.to}`}`);
      lift?.();
    });
  }

  /** Starts a fault; returns what ends it. */
  #begin(fault: Fault, index: number): () => void {
    if (fault.kind === "net" || fault.kind === "partition") {
      const condition =
        fault.kind === "partition"
          ? { loss: 0, delayMicros: 0, jitterMicros: 0, reorder: 0, reorderMicros: 0, duplicate: 0, partitioned: true }
          : { loss: fault.loss, delayMicros: fault.delay, jitterMicros: fault.jitter, reorder: fault.reorder, reorderMicros: fault.reorderWindow, duplicate: fault.duplicate, partitioned: false };
      const lift = this.segment.impose(fault.from, fault.to, condition, this.#random.fork(`net#${index}`));
      if (this.router6 === undefined || (fault.from !== "router" && fault.to !== "router")) return lift;
      // the IPv6 router is the same box: the fault holds for its frames too (on a stream of its own)
      const from = fault.from === "router" ? this.router6.id : fault.from;
      const to = fault.to === "router" ? this.router6.id : fault.to;
      const lift6 = this.segment.impose(from, to, condition, this.#random.fork(`net#${index}/6`));
      return () => {
        lift();
        lift6();
      };
    }
    const box = this.boxes[fault.box];
    const counts = this.#counts[fault.box];
    switch (fault.kind) {
      case "admin-down":
        if (counts.admin++ === 0) box.setAdmin(false, 0);
        return () => {
          if (--counts.admin === 0) box.setAdmin(true, fault.reopen);
        };
      case "carrier-loss":
        if (counts.carrier++ === 0) box.setCarrier(false, 0);
        return () => {
          if (--counts.carrier === 0) box.setCarrier(true, fault.reopen);
        };
      case "recreate":
        if (counts.removed++ === 0) box.remove();
        return () => {
          if (--counts.removed === 0) box.create(fault.reopen, fault.realAfter ?? 0);
        };
      case "pause": {
        const process = box.process;
        process?.pause();
        return () => process?.resume();
      }
      case "crash":
        if (counts.crashed++ === 0 && box.process !== undefined) box.crash();
        return () => {
          if (--counts.crashed === 0 && this.#startReached[fault.box]) this.#startDaemon(fault.box);
        };
    }
  }

  // --- ground truth for the checker --------------------------------------------------------------

  #isHealthy(name: BoxName): boolean {
    const box = this.boxes[name];
    return box.daemonRunning && box.linkState === "verified" && box.has(this.configs[name].node.address);
  }

  #why(name: BoxName): string {
    const box = this.boxes[name];
    if (!box.daemonRunning) return box.process?.state === "paused" ? "daemon paused" : "no daemon running";
    if (box.linkState !== "verified") return `link ${box.linkState}`;
    if (!box.has(this.configs[name].node.address)) return "real address missing";
    return "healthy";
  }

  #currentDisruption(): string | undefined {
    for (const name of BOXES) if (!this.#isHealthy(name)) return `${name}: ${this.#why(name)}`;
    if (this.segment.impaired("brain", "pinky")) return "loss or partition brain→pinky";
    if (this.segment.impaired("pinky", "brain")) return "loss or partition pinky→brain";
    return undefined;
  }

  /** Tells the checker what changed in the last event. */
  #observe(): void {
    const t = this.#t();
    if (!this.#dirty && (this.#settleStart !== undefined || t < this.#lastFaultEnd)) return;
    this.#dirty = false;
    for (const address of this.#publics) {
      const holders = BOXES.filter((b) => this.boxes[b].holds(address));
      const key = holders.join("+");
      if (this.#holders.get(address.value) !== key) {
        this.#holders.set(address.value, key);
        this.checker.holders(t, address.toString(), holders);
        this.trace.add(t, "owners", `${address} held by ${holders.length === 0 ? "nobody" : holders.join(" and ")}`);
      }
    }
    for (const address of this.#publics6) {
      const holders = BOXES.filter((b) => this.boxes[b].holds6(address));
      const key = holders.join("+");
      const text = address.toString();
      if (this.#holders6.get(text) !== key) {
        this.#holders6.set(text, key);
        this.checker.holders(t, text, holders);
        this.trace.add(t, "owners", `${text} held by ${holders.length === 0 ? "nobody" : holders.join(" and ")}`);
      }
    }
    for (const name of BOXES) {
      const verified = this.boxes[name].linkState === "verified";
      if (this.#verified.get(name) !== verified) {
        this.#verified.set(name, verified);
        this.checker.link(t, name, verified);
      }
      const healthy = this.#isHealthy(name);
      if (this.#healthy.get(name) !== healthy) {
        this.#healthy.set(name, healthy);
        this.checker.healthy(t, name, healthy);
      }
    }
    const disruption = this.#currentDisruption();
    if (disruption !== this.#disruption) {
      if ((disruption === undefined) !== (this.#disruption === undefined)) {
        this.checker.disrupted(t, disruption !== undefined);
        this.trace.add(t, "sim", disruption === undefined ? "fault-free" : `not fault-free: ${disruption}`, true);
      }
      this.#disruption = disruption;
    }
    if (this.#settleStart === undefined && t >= this.#lastFaultEnd && BOXES.every((b) => b === this.#permanent || this.#isHealthy(b))) {
      this.#settleStart = t;
      const deadline = t + this.#quiet;
      // Announcements the router missed (loss or a partition on its own path) are made good only by
      // its own re-resolution, once its entry is older than the reachable time: the router's view is
      // judged from then on. (announce.refresh would shorten this; its default is 0, never.)
      const routerPathFaults = this.schedule.faults.some((f) => (f.kind === "partition" || (f.kind === "net" && f.loss > 0)) && (f.from === "router" || f.to === "router"));
      const routerDeadline = routerPathFaults ? deadline + ROUTER_DEFAULTS.reachableMicros + ROUTER_DEFAULTS.retryMicros : deadline;
      const router6Deadline = routerPathFaults && this.router6 !== undefined ? deadline + ROUTER6_CATCH_UP_MICROS : routerDeadline;
      this.#end = Math.max(routerDeadline, router6Deadline) + TAIL_MICROS;
      this.checker.settleFrom(deadline, routerDeadline, router6Deadline);
      this.trace.add(t, "sim", `faults over and both boxes healthy${this.#permanent === undefined ? "" : ` (${this.#permanent} down for good)`}: addresses must be settled from ${(deadline / 1e6).toFixed(6)} s`);
    }
  }
}

/** The message and where it was thrown: the first frames of the stack, paths from the repository. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((l) => l.trim().startsWith("at "))
    .slice(0, 4)
    .map((l) => l.trim().replace(/\(?\/.*?\/dist\//, "(").replace(/^at /, ""));
  return `${error.message}${frames.length > 0 ? ` [${frames.join(" < ")}]` : ""}`;
}

/** Runs one schedule. */
export function runSchedule(schedule: Schedule, options: WorldOptions): Promise<RunResult> {
  return new World(schedule, options).run();
}

// Prometheus metrics of a running daemon, in the text exposition format (prom-client), built only
// from what the daemon tells observers: its `events` stream (log lines, check results,
// announcements) and `status()`, read at scrape time for what is a state rather than a count.
//
//   takeover_address_state{address,state}            1 for the state each public address is in, else 0
//   takeover_address_home{address}                   1 for this box's own public address(es), 0 for the peer's
//   takeover_up{what}                                1 while the peer / our self checks / our link are up
//   takeover_transitions_total{event}                claim, yield, release, hand-back, conflict, peer-down…
//   takeover_conflicts_seen_total{address,outcome}   another host said it has an address: defended,
//                                                    yielded or not-claimed
//   takeover_checks_total{check,type}                checks run
//   takeover_check_failures_total{check,type}        checks failed
//   takeover_check_rtt_seconds{check,type}           RTT of the checks that passed (histogram, 100 µs to 5 s)
//   takeover_announcement_frames_total{reason}       gratuitous ARP frames sent, by reason (claim, refresh…)
//   takeover_last_transition_timestamp_seconds       when the last transition happened (Unix time)
//   takeover_build_info{version,node}                1: the package version and this box's name
//   process_*, nodejs_*                              prom-client's default metrics (CPU, memory, file
//                                                    descriptors, event loop lag, GC, heap), unprefixed
//                                                    as every Node exporter has them
// Base units throughout (seconds, bytes), as Prometheus names want them. README's "Metrics" table is
// checked against this registry by test/failover/metrics.test.ts.
import type { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as PromClient from "prom-client";
import type { DaemonEvent, DaemonStatus } from "./daemon";

// prom-client's parts, each from its own file rather than from its index (prom-client is pinned at
// 15.1.3, whose index also loads the summary with tdigest and bintrees, the push gateway with https
// and zlib, the cluster aggregator, and whose process_cpu metrics load @opentelemetry/api, 51 modules,
// for exemplars we do not use): ~1 MB less in the daemon. The metrics are the same, which
// test/failover/metrics.test.ts checks against prom-client's own collectDefaultMetrics.
const Registry = require("prom-client/lib/registry") as typeof PromClient.Registry;
const Counter = require("prom-client/lib/counter") as typeof PromClient.Counter;
const Gauge = require("prom-client/lib/gauge") as typeof PromClient.Gauge;
const Histogram = require("prom-client/lib/histogram") as typeof PromClient.Histogram;
type Registry = PromClient.Registry;

/** prom-client's default metrics but process_cpu_*, in its order (prom-client/lib/defaultMetrics.js). */
const DEFAULT_METRIC_MODULES = [
  "processStartTime",
  "osMemoryHeap",
  "processOpenFileDescriptors",
  "processMaxFileDescriptors",
  "eventLoopLag",
  ...(typeof (process as { getActiveResourcesInfo?: unknown }).getActiveResourcesInfo === "function" ? ["processResources"] : []),
  "processHandles",
  "processRequests",
  "heapSizeAndUsed",
  "heapSpacesSizeAndUsed",
  "version",
  "gc",
];

/**
 * prom-client's collectDefaultMetrics({ register }): process_cpu_user_seconds_total,
 * process_cpu_system_seconds_total and process_cpu_seconds_total as prom-client's processCpuTotal
 * makes them (without exemplars, so without OpenTelemetry), then its other default metrics.
 */
export function collectDefaultMetrics(registry: Registry): void {
  let last = process.cpuUsage();
  const registers = [registry];
  new Counter({
    name: "process_cpu_user_seconds_total",
    help: "Total user CPU time spent in seconds.",
    registers,
    // this one's collect sets all three
    collect() {
      const now = process.cpuUsage();
      const user = now.user - last.user;
      const system = now.system - last.system;
      last = now;
      this.inc(user / 1e6);
      system_.inc(system / 1e6);
      total.inc((user + system) / 1e6);
    },
  });
  const system_ = new Counter({ name: "process_cpu_system_seconds_total", help: "Total system CPU time spent in seconds.", registers });
  const total = new Counter({ name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", registers });
  const config = { eventLoopMonitoringPrecision: 10 };
  for (const name of DEFAULT_METRIC_MODULES) (require(`prom-client/lib/metrics/${name}`) as (r: Registry, c: object) => void)(registry, config);
}

/** What metrics, the status listener and hooks need of a daemon; a fake in tests. */
export interface ObservedDaemon {
  readonly events: EventEmitter<{ event: [DaemonEvent] }>;
  status(): DaemonStatus;
}

/** The log events counted as transitions (the daemon keeps the same ones in status().transitions). */
export const TRANSITION_EVENTS: ReadonlySet<string> = new Set([
  "claim",
  "yield",
  "release",
  "hand-back",
  "conflict",
  "not-claiming",
  "peer-down",
  "peer-up",
  "self-down",
  "self-up",
  "link-down",
  "link-up",
  "reconcile",
]);

/** The states an address can be in (machine.ts AddressState); each gets a series, 0 or 1. */
const ADDRESS_STATES = ["idle", "probing", "holding"] as const;

/** Another host claimed (or answered for) an address: what we did about it. */
const CONFLICT_OUTCOMES: Readonly<Record<string, string>> = { conflict: "defended", yield: "yielded", "not-claiming": "not-claimed" };

/** From 100 µs (a check on the LAN) to 5 s (an HTTP check timing out), in seconds. */
export const RTT_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** This package's version, from its package.json (dist/src/failover → the package root). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export interface DaemonMetrics {
  readonly registry: Registry;
  /** the text of `GET /metrics` */
  text(): Promise<string>;
  /** its Content-Type */
  readonly contentType: string;
  /** stops listening to the daemon */
  close(): void;
}

/** Registers the metrics of `daemon` in a registry of their own and keeps them up to date. */
export function daemonMetrics(daemon: ObservedDaemon): DaemonMetrics {
  const registry = new Registry();
  collectDefaultMetrics(registry);
  new Gauge({
    name: "takeover_build_info",
    help: "1, labelled with the takeover version and this box's name",
    labelNames: ["version", "node"] as const,
    registers: [registry],
  }).set({ version: packageVersion(), node: daemon.status().node.name }, 1);
  new Gauge({
    name: "takeover_address_state",
    help: "1 for the state each public address is in (idle, probing, holding), else 0",
    labelNames: ["address", "state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of daemon.status().addresses) {
        for (const state of new Set<string>([...ADDRESS_STATES, a.state])) this.set({ address: a.address, state }, state === a.state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "takeover_address_home",
    help: "1 for this box's own public address, 0 for the peer's (which this box serves only while the peer cannot)",
    labelNames: ["address"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of daemon.status().addresses) this.set({ address: a.address }, a.home ? 1 : 0);
    },
  });
  new Gauge({
    name: "takeover_up",
    help: "1 while the peer (its checks), this box (its self checks) or our link is up, else 0",
    labelNames: ["what"] as const,
    registers: [registry],
    collect() {
      const s = daemon.status();
      this.set({ what: "peer" }, s.peerUp ? 1 : 0);
      this.set({ what: "self" }, s.selfUp ? 1 : 0);
      this.set({ what: "link" }, s.linkUp ? 1 : 0);
    },
  });
  const transitions = new Counter({ name: "takeover_transitions_total", help: "transitions by event: claim, yield, release, hand-back, conflict, peer-down…", labelNames: ["event"] as const, registers: [registry] });
  const conflicts = new Counter({
    name: "takeover_conflicts_seen_total",
    help: "another host claimed or answered for a public address, by what was done: defended, yielded, not-claimed",
    labelNames: ["address", "outcome"] as const,
    registers: [registry],
  });
  const checks = new Counter({ name: "takeover_checks_total", help: "checks run", labelNames: ["check", "type"] as const, registers: [registry] });
  const failures = new Counter({ name: "takeover_check_failures_total", help: "checks failed", labelNames: ["check", "type"] as const, registers: [registry] });
  const rtt = new Histogram({
    name: "takeover_check_rtt_seconds",
    help: "round-trip time of the checks that passed, in seconds",
    labelNames: ["check", "type"] as const,
    buckets: RTT_BUCKETS_SECONDS,
    registers: [registry],
  });
  const frames = new Counter({ name: "takeover_announcement_frames_total", help: "gratuitous ARP frames sent, by reason", labelNames: ["reason"] as const, registers: [registry] });
  const lastTransition = new Gauge({ name: "takeover_last_transition_timestamp_seconds", help: "when the last transition happened, seconds since the Unix epoch", registers: [registry] });

  // every check shows up (at 0) before it has run, so rate() sees its first failure
  for (const c of daemon.status().checks) {
    checks.inc({ check: c.name, type: c.type }, 0);
    failures.inc({ check: c.name, type: c.type }, 0);
  }

  const onEvent = (event: DaemonEvent): void => {
    switch (event.kind) {
      case "log":
        if (TRANSITION_EVENTS.has(event.event)) {
          transitions.inc({ event: event.event });
          lastTransition.set(event.timeMicros / 1e6);
        }
        if (event.event in CONFLICT_OUTCOMES && (event.event !== "yield" || !/handing it back/.test(event.detail))) {
          // a yield to the home node taking its address back is the normal hand-back, not a conflict
          conflicts.inc({ address: event.address ?? "", outcome: CONFLICT_OUTCOMES[event.event] });
        }
        break;
      case "check":
        checks.inc({ check: event.name, type: event.type });
        if (event.ok) rtt.observe({ check: event.name, type: event.type }, event.rttMicros / 1e6);
        else failures.inc({ check: event.name, type: event.type });
        break;
      case "announce":
        frames.inc({ reason: event.reason }, event.frames);
        break;
    }
  };
  daemon.events.on("event", onEvent);
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    close: () => void daemon.events.off("event", onEvent),
  };
}

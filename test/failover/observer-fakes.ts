// A fake daemon for the observer tests (metrics, status listener, hooks): an EventEmitter of
// DaemonEvents and a status() whose answer the test sets, with the helpers that emit the events the
// real daemon would.
import { EventEmitter } from "node:events";
import type { DaemonEvent, DaemonStatus } from "../../src/failover/daemon";
import type { ObservedDaemon } from "../../src/failover/metrics";

/** 2026-11-26T07:00:00Z in µs */
export const T0 = Date.UTC(2026, 10, 26, 7, 0, 0) * 1000;

export function baseStatus(): DaemonStatus {
  return {
    node: { name: "brain", address: "192.0.2.17", publicAddress: "192.0.2.37", publicAddresses: ["192.0.2.37"] },
    peer: { name: "pinky", address: "192.0.2.18", publicAddress: "192.0.2.36", publicAddresses: ["192.0.2.36"], mac: "02:00:00:00:00:18" },
    failback: "immediate",
    interface: "eth0",
    linkUp: true,
    linkState: "verified",
    peerUp: true,
    selfUp: true,
    addresses: [
      { address: "192.0.2.37", home: true, state: "holding" },
      { address: "192.0.2.36", home: false, state: "idle" },
    ],
    checks: [
      { name: "peer-ping", type: "icmp", ok: true, verdict: "pass", rttMicros: 412, detail: "reply from 192.0.2.18", timeMicros: T0 + 1_000_000 },
      { name: "peer-web", type: "http", ok: false, verdict: "unknown", rttMicros: 0, detail: "not run yet", timeMicros: 0 },
    ],
    transitions: [],
  };
}

export class FakeDaemon implements ObservedDaemon {
  readonly events = new EventEmitter<{ event: [DaemonEvent] }>();
  current: DaemonStatus = baseStatus();

  status(): DaemonStatus {
    return this.current;
  }

  log(event: string, address: string | undefined, detail: string, timeMicros = T0): void {
    this.events.emit("event", { kind: "log", timeMicros, event, address, detail });
  }

  check(name: string, type: string, ok: boolean, rttMicros: number, timeMicros = T0): void {
    this.events.emit("event", { kind: "check", timeMicros, startedMicros: timeMicros - rttMicros, name, type, ok, verdict: ok ? "pass" : "fail", rttMicros, detail: ok ? "ok" : "timed out" });
  }

  announce(address: string, frames: number, reason: string, timeMicros = T0): void {
    this.events.emit("event", { kind: "announce", timeMicros, address, frames, reason });
  }
}

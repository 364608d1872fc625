// What the simulator runs on each box: a program made from a config and a DaemonEnv (the real Daemon,
// or a stand-in in tests), and the events it reports. The event shapes are the daemon's DaemonEvent,
// restated here as the simulator reads them.
import type { TakeoverConfig } from "../failover/config";
import type { DaemonEnv } from "../failover/env";
import type { Logger } from "../failover/log";

export type SimDaemonEvent =
  | { readonly kind: "log"; readonly timeMicros: number; readonly event: string; readonly address?: string; readonly detail: string }
  | {
      readonly kind: "check";
      readonly timeMicros: number;
      readonly startedMicros: number;
      readonly name: string;
      readonly type: string;
      readonly ok: boolean;
      readonly verdict: "pass" | "fail" | "unknown";
      readonly rttMicros: number;
      readonly detail: string;
    }
  | { readonly kind: "announce"; readonly timeMicros: number; readonly address: string; readonly frames: number; readonly reason: string };

export interface NodeProgram {
  readonly events: { on(event: "event", listener: (e: SimDaemonEvent) => void): unknown };
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type NodeFactory = (config: TakeoverConfig, env: DaemonEnv, log: Logger) => NodeProgram;

/** A logger that drops lines: the simulator reads the daemon's events instead. */
export const quietLogger: Logger = { line: () => undefined };

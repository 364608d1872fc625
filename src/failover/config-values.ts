// The few values of the config module that the running daemon needs besides the parsed config itself:
// the hook events and the machine's view of a config. Kept apart from config.ts, which holds the
// parser (yaml, zod), so that the daemon can let the parser go once the config is read (src/cli/run.ts).
import type { TakeoverConfig } from "./config";
import type { MachineConfig } from "./machine";

/** The transitions a hook can run on. */
export const HOOK_EVENTS = ["claimed", "released", "conflict", "peer-down", "peer-up"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** The failover machine's view of a config. */
export function machineConfigOf(config: TakeoverConfig): MachineConfig {
  return {
    addresses: [
      ...config.node.publicAddresses.map((p) => ({ address: p.address.toString(), home: true })),
      ...config.peer.publicAddresses.map((p) => ({ address: p.address.toString(), home: false })),
    ],
    failback: config.failback,
    checks: config.checks.map((c) => ({ name: c.name, role: c.role, fall: c.fall, rise: c.rise, targetsPeerPublic: c.targetsPeerPublic })),
    peerRunsTakeover: config.peer.runsTakeover,
    retryMicros: config.claim.retryMicros,
    refreshMicros: config.announce.refreshMicros,
    defendMicros: config.conflicts.defendIntervalMicros,
    defendBurst: config.conflicts.defendBurst,
    verifyMicros: config.claim.verifyIntervalMicros,
    yieldToStrangers: config.conflicts.yieldToStrangers,
  };
}

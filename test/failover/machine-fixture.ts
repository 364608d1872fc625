// The machine tests' shared setting: Brain's view of the pair (its own .37, the peer's .36), two peer
// checks (one of them of the peer's public address), optionally a self check, and short intervals.
import { MachineConfig } from "../../src/failover/machine";

export const OWN = "192.0.2.37";
export const PEERS = "192.0.2.36";
export const FALL = 3;
export const RISE = 2;
export const VERIFY = 250_000;

export function config(peerRunsTakeover: boolean, withSelfCheck: boolean, failback?: MachineConfig["failback"]): MachineConfig {
  return {
    ...(failback === undefined ? {} : { failback }),
    addresses: [
      { address: OWN, home: true },
      { address: PEERS, home: false },
    ],
    checks: [
      { name: "icmp", role: "peer", fall: FALL, rise: RISE },
      { name: "http-public", role: "peer", fall: FALL, rise: RISE, targetsPeerPublic: true },
      ...(withSelfCheck ? [{ name: "self-http", role: "self" as const, fall: FALL, rise: RISE }] : []),
    ],
    peerRunsTakeover,
    retryMicros: 50_000,
    refreshMicros: 0,
    defendMicros: 1_000_000,
    verifyMicros: VERIFY,
    yieldToStrangers: false,
  };
}

// The real daemon as the simulator runs it: src/failover/daemon.ts's Daemon, made from a config and a
// simulated DaemonEnv.
import type { NodeFactory } from "./node";

export const daemonFactory: NodeFactory = () => {
  throw new Error("the Daemon does not take a DaemonEnv yet (waiting for \"daemon: effects passed in\")");
};

// The real daemon as the simulator runs it: src/failover/daemon.ts's Daemon, made from a config and a
// simulated DaemonEnv, unchanged.
import { Daemon } from "../failover/daemon";
import type { NodeFactory } from "./node";

export const daemonFactory: NodeFactory = (config, env, log) => new Daemon(config, env, log);

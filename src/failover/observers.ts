// Everything that watches a running daemon from outside the failover logic, attached in one call:
// the Prometheus metrics, the status listener (`GET /metrics`, `GET /status`, what `takeover status`
// asks) and the hooks. All of it is fed by `daemon.events` and `daemon.status()` only. A status
// listener that cannot bind is logged, not fatal: failover matters more than its dashboard. A hook
// that cannot be run is a start-up error (one line); once running, a failing hook is only logged.
import type { TakeoverConfig } from "./config";
import { DaemonEvent, StartupError } from "./daemon";
import { HookRunner, hookEventOf, hookProblems } from "./hooks";
import type { Logger } from "./log";
import { daemonMetrics, ObservedDaemon } from "./metrics";
import { StatusServer } from "./status-server";

export interface Observers {
  /** the URL the status listener answers at once it is bound; undefined when it is off or could not bind */
  readonly listening: Promise<string | undefined>;
  /** Stops the listener, and waits for hooks still running (each ends by its timeout). */
  close(): Promise<void>;
}

/**
 * Attaches metrics, the status listener and hooks to `daemon`. Call it before `daemon.start()` so the
 * first transitions are seen. @throws StartupError when a configured hook does not exist or is not executable
 */
export function attachObservers(daemon: ObservedDaemon, config: TakeoverConfig, log: Logger): Observers {
  const problems = hookProblems(config.hooks);
  if (problems.length > 0) throw new StartupError(`${config.source}: ${problems.join(`; ${config.source}: `)}`);

  const metrics = daemonMetrics(daemon);
  const list = (addresses: readonly { address: { toString(): string } }[]) => addresses.map((p) => p.address.toString()).join(" ");
  const hooks = new HookRunner(
    config.hooks,
    { interface: config.interface, node: config.node.name, peer: config.peer.name, nodeAddresses: list(config.node.publicAddresses),
      peerAddresses: list(config.peer.publicAddresses),
      queueLimit: config.node.publicAddresses.length + config.peer.publicAddresses.length,
    },
    log,
  );
  const peerPublic = config.peer.publicAddress.toString();
  const onEvent = (event: DaemonEvent): void => {
    if (event.kind !== "log") return;
    const hook = hookEventOf(event.event);
    if (hook === undefined) return;
    hooks.fire(hook, event.address ?? (hook === "peer-down" || hook === "peer-up" ? peerPublic : ""), event.detail);
  };
  daemon.events.on("event", onEvent);

  const listen = config.status.listen;
  const server: Promise<StatusServer | undefined> =
    listen === undefined
      ? Promise.resolve(undefined)
      : StatusServer.listen(listen, daemon, metrics).then(
          (s) => {
            log.line("status", undefined, `listening on ${s.url} (GET /status, GET /metrics; at most ${s.maxConnections} connections)`);
            return s;
          },
          (error: unknown) => {
            log.line("error", undefined, `${error instanceof Error ? error.message : String(error)}; running without it`);
            return undefined;
          },
        );
  return {
    listening: server.then((s) => s?.url),
    async close() {
      daemon.events.off("event", onEvent);
      metrics.close();
      await Promise.all([server.then((s) => s?.close()), hooks.close()]);
    },
  };
}

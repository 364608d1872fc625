// `takeover run CONFIG`: the failover daemon. `--check` runs every check `run` makes before it starts
// that needs no network traffic and no privilege (the config, the interface and our addresses on its
// subnet, the hooks and exec check programs, the key file, the interface checks' interfaces), says
// which ones it could not run, and exits: 0 when nothing is wrong, 2 (one line per problem) when
// something is. Logs one line per event on stdout; exits 0 after SIGTERM/SIGINT once it has given
// back what is not ours.
import { Command } from "commander";
import type { TakeoverConfig } from "../failover/config";
import { UsageError } from "./errors";

/** `run --check`: what `run` would refuse, without touching the network. @throws UsageError listing every problem */
async function checkOnly(config: TakeoverConfig, file: string): Promise<void> {
  const { hookProblems } = await import("../failover/hooks");
  const { execCheckProblems, findOwnAddress, interfaceCheckWarnings, PreflightError } = await import("../failover/preflight");
  const { CAP_NET_ADMIN, CAP_NET_RAW, hasCapability } = await import("../failover/daemon");
  const problems: string[] = [];
  try {
    findOwnAddress(config);
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    problems.push(error.message);
  }
  problems.push(...hookProblems(config.hooks), ...execCheckProblems(config));
  if (config.auth !== undefined) {
    try {
      (await import("../failover/auth")).PairKeys.fromFile(config.auth.keyFile);
    } catch (error) {
      problems.push(`auth.keyFile: ${(error as Error).message}`);
    }
  }
  // what only `run` itself can find out
  const missing = [CAP_NET_RAW, CAP_NET_ADMIN].filter((bit) => !hasCapability(bit)).map((bit) => (bit === CAP_NET_RAW ? "CAP_NET_RAW" : "CAP_NET_ADMIN"));
  const notChecked = [
    missing.length > 0
      ? `not checked: opening the capture on ${config.interface} and changing its addresses: this process lacks ${missing.join(" and ")}, which run needs (run it as root, or with those capabilities: see the systemd unit)`
      : `not checked: opening the capture on ${config.interface} (it sends frames to prove the capture works; run does it at start)`,
    ...(config.status.listen === undefined ? [] : [`not checked: whether ${config.status.listen.host}:${config.status.listen.port} is free for the status listener (a running daemon holds it)`]),
    `not checked: the checks themselves (they send traffic, or run programs); only whether they can be run`,
  ];
  for (const warning of interfaceCheckWarnings(config)) process.stderr.write(`takeover: warning: ${config.source}: ${warning}\n`);
  if (problems.length > 0) throw new UsageError(problems.map((p) => `${config.source}: ${p}`).join("\ntakeover: "));
  process.stdout.write(`${file}: ok — ${config.node.name} (${config.node.address}) holds ${config.node.publicAddress}, watches ${config.peer.name} (${config.peer.address}) for ${config.peer.publicAddress} on ${config.interface} with ${config.checks.length} check(s)\n`);
  process.stdout.write(notChecked.map((line) => `${file}: ${line}\n`).join(""));
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the failover daemon with CONFIG (see examples/brain.yaml)")
    .argument("<config>", "YAML config file")
    .option("--check", "check what run checks before it starts (config, interface and subnet, hooks, exec check programs, key file) without touching the network, say what it could not check, and exit")
    .action(async (file: string, options: { check?: boolean }) => {
      // loaded here, not at start-up: zod, yaml and netlink cost every other verb ~0.1 s otherwise
      const { ConfigError, loadConfig } = await import("../failover/config");
      const { Daemon, prepare, StartupError } = await import("../failover/daemon");
      const { streamLogger } = await import("../failover/log");
      const { hrtimeMicros } = await import("../link/port");
      let config;
      try {
        config = await loadConfig(file);
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message.split("\n").join("\ntakeover: "));
        throw error;
      }
      if (options.check) {
        await checkOnly(config, file);
        return;
      }
      let prepared;
      try {
        prepared = await prepare(config);
      } catch (error) {
        if (error instanceof StartupError) throw new UsageError(error.message);
        throw error;
      }
      const log = streamLogger(config.node.name, process.stdout, hrtimeMicros);
      const daemon = new Daemon(config, prepared, log);
      // metrics, the status listener and hooks; a missing or non-executable hook is a start-up error
      let observers: { close(): Promise<void> };
      try {
        observers = (await import("../failover/observers")).attachObservers(daemon, config, log);
      } catch (error) {
        await daemon.stop();
        throw error instanceof StartupError ? new UsageError(error.message) : error;
      }
      await new Promise<void>((resolve, reject) => {
        const onSignal = (signal: NodeJS.Signals) => {
          log.line("signal", undefined, `${signal}: stopping`);
          process.off("SIGTERM", onSignal);
          process.off("SIGINT", onSignal);
          process.off("SIGHUP", onReload);
          daemon.stop().then(() => observers.close()).then(resolve, reject);
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
        // SIGHUP: read the config again; a bad one is reported and the running one kept
        const onReload = () => {
          loadConfig(file).then(
            (next) => daemon.reload(next),
            (error: unknown) => log.line("reload", undefined, `not applied: ${(error as Error).message.split("\n").join("; ")}; the old config stays`),
          );
        };
        process.on("SIGHUP", onReload);
        daemon.start().catch((error: unknown) => {
          log.line("error", undefined, (error as Error).message);
          daemon.stop().then(() => observers.close()).then(() => reject(error), reject);
        });
      });
    });
}

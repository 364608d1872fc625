// `takeover run CONFIG`: the failover daemon. `--check` validates the config and the hooks (all that
// `run` checks without the network) and exits. Logs one line per event on stdout; exits 0 after
// SIGTERM/SIGINT once it has given back what is not ours. SIGHUP reloads the config; SIGUSR2 (what
// `takeover claim` sends, finding us by the pid file written at start) takes our addresses back now.
import { Command } from "commander";
import { UsageError } from "./errors";
import { CLAIM_SIGNAL, DEFAULT_PID_FILE, removePidFile, writePidFile } from "./pid-file";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the failover daemon with CONFIG (see examples/brain.yaml)")
    .argument("<config>", "YAML config file")
    .option("--check", "validate the config file and its hooks, and exit (the interface and addresses are checked when the daemon starts)")
    .option("--pid-file <path>", "where to write our pid, for takeover claim; off: none", DEFAULT_PID_FILE)
    .action(async (file: string, options: { check?: boolean; pidFile: string }) => {
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
        // what `run` refuses before touching the network: the hooks (StrictModes, setpriv), the key file
        const { hookProblems } = await import("../failover/hooks");
        const problems = hookProblems(config.hooks);
        if (config.auth !== undefined) {
          try {
            (await import("../failover/auth")).PairKeys.fromFile(config.auth.keyFile);
          } catch (error) {
            problems.push(`auth.keyFile: ${(error as Error).message}`);
          }
        }
        if (problems.length > 0) throw new UsageError(problems.map((p) => `${config.source}: ${p}`).join("\ntakeover: "));
        const list = (addresses: readonly { address: { toString(): string } }[]) => addresses.map((p) => p.address.toString()).join(", ");
        process.stdout.write(`${file}: ok — ${config.node.name} (${config.node.address}) holds ${list(config.node.publicAddresses)}, watches ${config.peer.name} (${config.peer.address}) for ${list(config.peer.publicAddresses)} on ${config.interface} with ${config.checks.length} check(s)\n`);
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
      const pidFile = options.pidFile === "off" ? undefined : options.pidFile;
      if (pidFile !== undefined) {
        const problem = writePidFile(pidFile);
        if (problem !== undefined) log.line("pid-file", undefined, `${problem}; takeover claim needs --pid (or systemctl kill --kill-who=main -s USR2)`);
      }
      await new Promise<void>((resolve, reject) => {
        const onSignal = (signal: NodeJS.Signals) => {
          log.line("signal", undefined, `${signal}: stopping`);
          process.off("SIGTERM", onSignal);
          process.off("SIGINT", onSignal);
          process.off("SIGHUP", onReload);
          process.off(CLAIM_SIGNAL, onClaim);
          daemon.stop().then(() => observers.close()).then(resolve, reject);
        };
        // takeover claim: our addresses back now, whatever failback says
        const onClaim = () => {
          log.line("signal", undefined, `${CLAIM_SIGNAL}: claim requested (takeover claim)`);
          daemon.claim();
        };
        process.on(CLAIM_SIGNAL, onClaim);
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
      }).finally(() => {
        if (pidFile !== undefined) removePidFile(pidFile);
      });
    });
}

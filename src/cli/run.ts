// `takeover run CONFIG`: the failover daemon. `--check` runs every check `run` makes before it starts
// that needs no network traffic and no privilege (the config, the interface and our addresses on its
// subnet, the hooks and exec check programs, the key file, the interface checks' interfaces), says
// which ones it could not run, and exits: 0 when nothing is wrong, 2 (one line per problem) when
// something is. Logs one line per event (src/failover/log.ts: levels, `--log-level`, `--log-format`,
// journald's `<N>` prefixes; warnings and errors on stderr, the rest on stdout); exits 0 after
// SIGTERM/SIGINT once it has given back what is not ours. SIGHUP reloads the config; SIGUSR2 (what
// `takeover claim` sends, finding us by the pid file written at start) takes our addresses back now.
import { Command, Option } from "commander";
import type { TakeoverConfig } from "../failover/config";
import { LEVELS, LOG_FORMATS, Level, LogFormat } from "../failover/log";
import { UsageError } from "./errors";
import { CLAIM_SIGNAL, defaultPidFile, removePidFile, writePidFile } from "./pid-file";

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
  // IPv6 public addresses against the interface's IPv6 prefixes (an rtnetlink dump needs no privilege)
  const { usesIpv6 } = await import("../failover/daemon");
  if (usesIpv6(config) && problems.every((p) => !p.startsWith("interface:"))) {
    const { AddressManager } = await import("../failover/addresses");
    const { ipv6Problem } = await import("../failover/preflight");
    try {
      const manager = await AddressManager.open(config.interface);
      try {
        const problem = ipv6Problem(config, await manager.listIpv6());
        if (problem !== undefined) problems.push(problem);
      } finally {
        manager.close();
      }
    } catch (error) {
      problems.push(`interface: ${(error as Error).message}`);
    }
  }
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
  const list = (addresses: readonly { address: { toString(): string } }[]) => addresses.map((p) => p.address.toString()).join(", ");
  process.stdout.write(`${file}: ok — ${config.node.name} (${config.node.address}) holds ${list(config.node.publicAddresses)}, watches ${config.peer.name} (${config.peer.address}) for ${list(config.peer.publicAddresses)} on ${config.interface} with ${config.checks.length} check(s)\n`);
  process.stdout.write(notChecked.map((line) => `${file}: ${line}\n`).join(""));
}

/**
 * Reads and checks the config file (config.ts, with yaml and zod), then unloads that parser: the
 * modules it brought in are taken out of require.cache and their parents' children, and zod's two
 * globals are deleted, so the garbage collector can free them (~4 MB of heap a daemon would otherwise
 * carry for the config it read at start). Only what this call loaded is unloaded (a process that had
 * zod or yaml already keeps them). A reload (SIGHUP) calls it again.
 * @throws ConfigError (config.ts; known by its name, the class being unloaded) for a bad config
 */
export async function loadConfigAndUnloadParser(file: string): Promise<TakeoverConfig> {
  const before = new Set(Object.keys(require.cache));
  const hadZod = "__zod_globalRegistry" in globalThis;
  try {
    const { loadConfig } = require("../failover/config") as typeof import("../failover/config");
    return await loadConfig(file);
  } finally {
    unloadParser(before, hadZod);
  }
}

/** The modules of the config parser: config.ts itself, yaml and zod. */
const PARSER_MODULE = /[\\/](?:failover[\\/]config\.js|node_modules[\\/](?:yaml|zod)[\\/].*)$/;

function unloadParser(before: ReadonlySet<string>, hadZod: boolean): void {
  const loaded = Object.keys(require.cache).filter((path) => !before.has(path) && PARSER_MODULE.test(path));
  if (loaded.length === 0) return;
  const gone = new Set(loaded);
  for (const path of loaded) delete require.cache[path];
  for (const m of Object.values(require.cache)) {
    if (m === undefined) continue;
    if (m.children.some((c) => gone.has(c.filename))) m.children = m.children.filter((c) => !gone.has(c.filename));
    // a module the parser loaded first and that stays (duration.ts, say) names it as its parent: that
    // link alone would keep the parser and everything it loaded alive
    if (m.parent != null && gone.has(m.parent.filename)) m.parent = null;
  }
  if (!hadZod) {
    // zod 4 keeps its config and schema registry on globalThis (zod/v4/core: core.cjs, registries.cjs)
    const g = globalThis as Record<string, unknown>;
    delete g.__zod_globalConfig;
    delete g.__zod_globalRegistry;
  }
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the failover daemon with CONFIG (see examples/brain.yaml)")
    .argument("<config>", "YAML config file")
    .option("--check", "check what run checks before it starts (config, interface and subnet, hooks, exec check programs, key file) without touching the network, say what it could not check, and exit")
    .addOption(new Option("--log-level <level>", "log events at this level and above (default: the config's log.level, else info)").choices(LEVELS))
    .addOption(new Option("--log-format <format>", "one line of text, or one JSON object, per event (default: the config's log.format, else text)").choices(LOG_FORMATS))
    .option("--pid-file <path>", "where to write our pid, for takeover claim; off: none (default: /run/takeover/<node.name>.pid)")
    .action(async (file: string, options: { check?: boolean; logLevel?: Level; logFormat?: LogFormat; pidFile?: string }) => {
      // loaded here, not at start-up: zod, yaml and netlink cost every other verb ~0.1 s otherwise; the
      // config first, so that its parser is gone before the daemon starts
      let config: TakeoverConfig;
      try {
        config = await loadConfigAndUnloadParser(file);
      } catch (error) {
        if (error instanceof Error && error.name === "ConfigError") throw new UsageError(error.message.split("\n").join("\ntakeover: "));
        throw error;
      }
      const { Daemon, prepare, StartupError } = await import("../failover/daemon");
      const { journalStream, streamLogger } = await import("../failover/log");
      const { hrtimeMicros } = await import("../link/port");
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
      // the flags win over the config's log: section, also after a reload
      const logSettings = (c: typeof config) => ({ level: options.logLevel ?? c.log.level, format: options.logFormat ?? c.log.format });
      const log = streamLogger(config.node.name, hrtimeMicros, { ...logSettings(config), journal: journalStream() });
      const daemon = new Daemon(config, prepared, log);
      // at debug, every check's result too (the daemon tells observers; its own log has only changes)
      daemon.events.on("event", (event) => {
        if (event.kind !== "check" || !log.enabled("debug")) return;
        const rtt = event.ok ? ` in ${(event.rttMicros / 1000).toFixed(3)} ms` : "";
        const fields = { check: event.name, type: event.type, verdict: event.verdict, ...(event.ok ? { rttSeconds: event.rttMicros / 1e6 } : {}) };
        log.line("check", undefined, `${event.name} (${event.type}): ${event.verdict}${rtt}${event.detail === "" ? "" : ` (${event.detail})`}`, fields);
      });
      // metrics, the status listener and hooks; a missing or non-executable hook is a start-up error
      let observers: { close(): Promise<void> };
      try {
        observers = (await import("../failover/observers")).attachObservers(daemon, config, log);
      } catch (error) {
        await daemon.stop();
        throw error instanceof StartupError ? new UsageError(error.message) : error;
      }
      const pidFile = options.pidFile === "off" ? undefined : (options.pidFile ?? defaultPidFile(config.node.name));
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
          loadConfigAndUnloadParser(file).then(
            (next) => {
              // the new log settings first, so the reload's own line is written by them; back to the
              // old ones if the daemon refuses the config (its refusal is an error: written at any level)
              log.configure(logSettings(next));
              if (daemon.reload(next).length > 0) log.configure(logSettings(daemon.config));
            },
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

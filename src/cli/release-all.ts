// `takeover release-all IFACE [--label LABEL]` (or `--config FILE`, which names both): removes from
// IFACE every IPv4 address carrying takeover's alias label (IFACE:LABEL, default IFACE:vip — what
// `run` adds with) and every IPv6 address carrying its IFA_PROTO mark (116), prints one line per address removed, and exits 0, also when there was none. For
// after a crash: deploy/takeover.service runs it as ExecStopPost=, so a box whose daemon died stops
// answering for addresses nobody manages (its own public address goes too; `run` claims it again at
// start). Addresses without our label (the box's real address, an operator's) are never touched. An
// unknown interface, a bad label or a missing CAP_NET_ADMIN is one line and exit status 2.
import { Command } from "commander";
import { UsageError } from "./errors";

/** Linux IFNAMSIZ - 1: the longest address label. */
const MAX_LABEL = 15;

export function registerReleaseAll(program: Command): void {
  program
    .command("release-all")
    .description("after a crash: remove the addresses takeover added (IPv4 labelled IFACE:LABEL, IPv6 marked IFA_PROTO 116) from IFACE")
    .argument("[iface]", "the interface, like eth0 (or give --config)")
    .option("--label <label>", "the label suffix the daemon used (config key label; default: the config's default, vip)")
    .option("--config <file>", "take the interface and label from the daemon's config file (only those two keys are read)")
    .addHelpText(
      "after",
      "\nPrints one line per address removed; exits 0 when done, also when there was none. Addresses without the label\n" +
        "(the box's own, an operator's) are left alone. deploy/takeover.service runs it as ExecStopPost=.",
    )
    .action(async (iface: string | undefined, options: { label?: string; config?: string }) => {
      // loaded here, not at start-up (see run.ts)
      const { DEFAULTS } = await import("../failover/config");
      let label = options.label;
      if (options.config !== undefined) {
        if (iface !== undefined) throw new UsageError(`IFACE and --config both given; give one of them, like takeover release-all --config ${options.config}`);
        const named = await namesFromConfig(options.config);
        iface = named.iface;
        label ??= named.label;
      }
      label ??= DEFAULTS.label;
      if (iface === undefined) throw new UsageError("release-all needs the interface; give it, like takeover release-all eth0 (or --config /etc/takeover/takeover.yaml)");
      if (!/^[A-Za-z0-9._-]+$/.test(label)) throw new UsageError(`--label ${JSON.stringify(label)} is not a usable label; use letters, digits, ".", "_" and "-", like --label vip`);
      const alias = `${iface}:${label}`;
      if (alias.length > MAX_LABEL) throw new UsageError(`"${alias}" is ${alias.length} characters, over the ${MAX_LABEL} Linux allows for an address label, so no address can carry it; check IFACE and --label`);

      const { AddressManager } = await import("../failover/addresses");
      let manager;
      try {
        manager = await AddressManager.open(iface);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      try {
        const ours = (await manager.list()).filter((a) => a.label === alias);
        for (const a of ours) {
          let removed: boolean;
          try {
            removed = await manager.remove(a.address, alias);
          } catch (error) {
            throw new UsageError((error as Error).message);
          }
          // not there any more: the kernel took it away with a primary address removed before it
          if (removed) process.stdout.write(`removed ${a.address}/${a.prefixLength} from ${iface} (label ${alias})\n`);
        }
        // IPv6 addresses carry no label: ours are those with takeover's IFA_PROTO mark (README, IPv6)
        for (const a of (await manager.listIpv6()).filter((x) => x.ours)) {
          let removed: boolean;
          try {
            removed = await manager.removeIpv6(a.address);
          } catch (error) {
            throw new UsageError((error as Error).message);
          }
          if (removed) process.stdout.write(`removed ${a.address}/${a.prefixLength} from ${iface} (takeover's IFA_PROTO)\n`);
        }
      } finally {
        manager.close();
      }
    });
}

/** `interface:` and `label:` of a config file, read leniently: the rest of it may be broken (the daemon may have crashed over it). */
async function namesFromConfig(file: string): Promise<{ iface: string; label?: string }> {
  const { ConfigError, readConfigText } = await import("../failover/config");
  const { parse } = await import("yaml");
  let raw: unknown;
  try {
    raw = parse(await readConfigText(file));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw new UsageError(`${file}: not valid YAML: ${(error as Error).message.split("\n")[0]}; give IFACE instead: takeover release-all eth0`);
  }
  const map = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const iface = map.interface;
  if (typeof iface !== "string" || iface === "") throw new UsageError(`${file}: interface: missing or not a name; give IFACE instead: takeover release-all eth0`);
  const label = map.label;
  return { iface, ...(typeof label === "string" ? { label } : {}) };
}

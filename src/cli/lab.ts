// `takeover lab`: the main job on one box. Builds router, Brain and Pinky in network namespaces,
// starts two real daemons with the shipped example configs, cuts Brain's link, restores it, and
// narrates what the router sees; then tears everything down. Exit 0 only if every step happened.
// Dual-stack by default: each box has an IPv6 public address too, and the narration shows both
// families' failover and failback side by side; `--no-ipv6` for IPv4 alone. Where the daemon cannot
// take IPv6 public addresses here (IPv6 disabled on this host), the default falls back to IPv4 with
// a line saying why, and `--ipv6` refuses in one line.
import { Command } from "commander";
import { BRAIN, dualStackRefusal, formatEvent, PhaseResult, PINKY, ROUTER, startScenario } from "../lab/failover-demo";
import { KEPT_LAB_FILE, Lab, readKeptLab } from "../lab/netns";
import { UsageError } from "./errors";

function printPhase(title: string, result: PhaseResult, write: (s: string) => void): void {
  write(`\n== ${title}\n`);
  for (const e of result.events) write(`${formatEvent(e, result.startedAt)}\n`);
  for (const missing of result.missing) write(`MISSING: ${missing} (did not happen in time)\n`);
}

const KEPT_LOG_DIR = "/run/takeover/lab-logs";

export function registerLab(program: Command): void {
  const lab = program
    .command("lab")
    .description("run a real failover in network namespaces on this box and narrate it (needs root)")
    .option("--timeout <seconds>", "how long each step may take", "15")
    .option("--keep", `leave the lab up afterwards, daemons running (logs in ${KEPT_LOG_DIR}); remove it with: takeover lab down`)
    .option("--ipv6", `dual-stack (the default where IPv6 works): the segment carries ${ROUTER.address6}/64 too and each box has an IPv6 public address (brain ${BRAIN.publicAddress6}, pinky ${PINKY.publicAddress6})`)
    .option("--no-ipv6", "IPv4 only")
    .action(async (options: { timeout: string; keep?: boolean; ipv6?: boolean }) => {
      const timeoutMs = Number(options.timeout) * 1000;
      if (!(timeoutMs > 0)) throw new UsageError(`--timeout: "${options.timeout}" is not a number of seconds; write one like --timeout 30`);
      if (process.getuid?.() !== 0) throw new UsageError("takeover lab needs root, as it creates network namespaces; run it as root (sudo takeover lab)");
      const already = readKeptLab();
      if (already !== undefined) throw new UsageError(`a lab kept earlier is still up (${already.prefix}*); remove it first with takeover lab down`);
      const write = (s: string) => process.stdout.write(s);
      let ipv6 = options.ipv6 !== false;
      if (ipv6) {
        const refusal = await dualStackRefusal();
        if (refusal !== undefined) {
          const first = refusal.split("\n")[0].replace(/^takeover: /, "");
          if (options.ipv6 === true) throw new UsageError(`--ipv6: this takeover's daemon refuses IPv6 public addresses here (${first}); run takeover lab --no-ipv6`);
          write(`IPv6 left out: the daemon refuses IPv6 public addresses here (${first})\n`);
          ipv6 = false;
        }
      }
      if (ipv6) {
        write(`building the dual-stack lab: router 192.0.2.1 and ${ROUTER.address6}, brain 192.0.2.17 (public .37 and ${BRAIN.publicAddress6}), pinky 192.0.2.18 (public .36 and ${PINKY.publicAddress6}) on one bridge\n`);
      } else write("building the lab: router 192.0.2.1, brain 192.0.2.17 (public .37), pinky 192.0.2.18 (public .36) on one bridge\n");
      const scenario = await startScenario({ ipv6 });
      let ok = false;
      const onSignal = () => {
        write("\ninterrupted: tearing the lab down\n");
        void scenario.destroy().then(() => process.exit(130));
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        const start = await scenario.settled(timeoutMs);
        printPhase("start: both daemons claim their own public address", start, write);
        if (start.missing.length > 0) {
          write("lab: the daemons did not reach the steady state (see MISSING above)\n");
          process.exitCode = 1;
          return;
        }
        const failover = await scenario.failover(timeoutMs);
        printPhase("failover: brain's link is cut", failover, write);
        const failback = await scenario.failback(timeoutMs);
        printPhase("failback: brain's link comes back", failback, write);
        const ms = (us?: number) => (us === undefined ? "never" : `${(us / 1000).toFixed(1)} ms`);
        write("\n");
        for (const address of scenario.brainAddresses) {
          // "who answers 192.0.2.37", "who answers [2001:db8:1::37]": one line per family when dual-stack
          const at = address.includes(":") ? `[${address}]` : address;
          const over = failover.byAddress.get(address) ?? {};
          const back = failback.byAddress.get(address) ?? {};
          const entry = address.includes(":") ? "ip -6 neigh entry" : "neighbour entry";
          write(`failover: router's HTTP to ${at} answered by pinky ${ms(over.httpMicros)} after the cut (${entry} moved after ${ms(over.neighbourMicros)})\n`);
          write(`failback: router's HTTP to ${at} answered by brain ${ms(back.httpMicros)} after the link came back (${entry} moved after ${ms(back.neighbourMicros)})\n`);
        }
        ok = failover.missing.length === 0 && failback.missing.length === 0;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        if (options.keep) {
          const kept = await scenario.keep(KEPT_LOG_DIR);
          write(`\nthe lab stays up: namespaces ${kept.namespaces.join(", ")}\n`);
          write(`  explore: ip netns exec ${scenario.lab.ns("router")} curl http://192.0.2.37/   (or ping, ip neigh, takeover sniff -i eth0)\n`);
          if (ipv6) write(`           ip netns exec ${scenario.lab.ns("router")} curl 'http://[${BRAIN.publicAddress6}]/'   (or ping -6, ip -6 neigh)\n`);
          write(`  cut brain's link: ip -n ${scenario.lab.switchNamespace} link set ${scenario.lab.portOf("brain")} down\n`);
          write(`  daemon logs: ${KEPT_LOG_DIR}/brain-takeover.log, pinky-takeover.log; state: ${KEPT_LAB_FILE}\n`);
          write("  remove it: takeover lab down\n");
        } else {
          write("\ntearing the lab down\n");
          await scenario.destroy();
        }
      }
      if (!ok) {
        write("lab: some steps did not happen (see MISSING above)\n");
        process.exitCode = 1;
      } else write("lab: every step happened\n");
    });

  lab
    .command("down")
    .description("remove the lab that `takeover lab --keep` left up")
    .action(() => {
      const kept = Lab.removeKept();
      process.stdout.write(kept === undefined ? "no kept lab is up\n" : `removed ${kept.namespaces.join(", ")} and ${kept.pids.length} process(es)\n`);
    });
}

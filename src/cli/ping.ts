// `takeover ping`: userspace ICMP echo to one or more targets, fping-style, printed the way ping
// prints it, with RTTs from the kernel's capture stamps of our request leaving and the reply arriving.
// Each target is routed as the kernel routes it (`ip route get`: policy rules, every table, the
// kernel's source address); targets reached through different interfaces or from different sources
// get a prober each. A local destination (127.0.0.0/8, the box's own addresses) goes out on lo,
// where there is nothing to resolve, and the kernel answers it — if its sysctls let a request put on
// lo from userspace through (see src/link/route.ts); if not, ping says so instead of sending.
import { Command, Option } from "commander";
import { ArpResolver } from "../arp/resolver";
import { Prober, ProbeEvent } from "../icmp/prober";
import { runPing, TargetSummary } from "../icmp/session";
import { findInterface, InterfaceError } from "../link/interfaces";
import { injectionOnLoBlockedBy, lookupRoutes, RouteError, RouteLookup } from "../link/route";
import { Ipv4, Mac } from "../packets/address";
import { UsageError } from "./errors";
import { OpenedPort, openPort, parseAddressArgument, sourceFor } from "./port";

interface PingFlags {
  count?: string;
  interval: string;
  timeout?: string;
  interface?: string;
  json?: boolean;
  size: string;
}

function seconds(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new UsageError(`${flag}: "${text}" is not a number of seconds ≥ ${min}`);
  return value;
}

const ms = (micros: number) => (micros / 1000).toFixed(3);

function describe(event: ProbeEvent, payloadBytes: number): string | undefined {
  switch (event.type) {
    case "reply":
      return `${event.bytes} bytes from ${event.target}: icmp_seq=${event.seq} ttl=${event.ttl} time=${ms(event.rttMicros)} ms${event.stamp === "kernel" ? "" : " (hrtime)"}${event.late ? " (late)" : ""}`;
    case "duplicate":
      return `${payloadBytes + 8} bytes from ${event.target}: icmp_seq=${event.seq} ttl=${event.ttl} time=${ms(event.rttMicros)} ms (DUP!)`;
    case "timeout":
      return `no answer yet for icmp_seq=${event.seq} from ${event.target}`;
    case "unreachable":
      return `From ${event.from} icmp_seq=${event.seq} Destination ${event.code === 1 ? "Host" : event.code === 0 ? "Net" : event.code === 3 ? "Port" : `(code ${event.code})`} Unreachable`;
    case "time-exceeded":
      return `From ${event.from} icmp_seq=${event.seq} Time to live exceeded`;
    case "sent":
      return undefined;
  }
}

function json(event: ProbeEvent): string | undefined {
  const target = event.target.toString();
  switch (event.type) {
    case "reply":
      return JSON.stringify({ type: "reply", target, seq: event.seq, rttMicros: round1(event.rttMicros), ttl: event.ttl, stamp: event.stamp, ...(event.late ? { late: true } : {}) });
    case "duplicate":
      return JSON.stringify({ type: "duplicate", target, seq: event.seq, rttMicros: round1(event.rttMicros), ttl: event.ttl, stamp: event.stamp });
    case "timeout":
      return JSON.stringify({ type: "timeout", target, seq: event.seq });
    case "unreachable":
    case "time-exceeded":
      return JSON.stringify({ type: event.type, target, seq: event.seq, from: event.from.toString(), code: event.code });
    case "sent":
      return undefined;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** libpcap frames lo as Ethernet with all-zero MACs. */
const LOOPBACK_MAC = Mac.ZERO;

/** Targets sent out of one interface from one source address, by one prober. */
interface TargetGroup {
  readonly opened: OpenedPort;
  readonly source: Ipv4;
  readonly targets: Ipv4[];
  /** target → the address whose MAC to resolve (its gateway, or itself) */
  readonly nextHops: Map<number, Ipv4>;
  prober?: Prober;
}

/** Where the targets go: groups to ping, and the targets that cannot be pinged, each with why. */
interface RoutedTargets {
  readonly groups: TargetGroup[];
  readonly unroutable: ReadonlyArray<{ readonly target: Ipv4; readonly why: string }>;
}

/**
 * Routes every target as the kernel would (with `-I`, only out of that interface, like ping -I) and
 * opens one port per interface the routes leave by. A target without a usable route (none; an
 * unreachable, prohibit or blackhole one; broadcast; a local one the kernel would drop; no source
 * address) is left out, with the one-line reason.
 * @throws UsageError for an unknown interface, or when no rtnetlink socket or capture can be opened
 */
async function routeTargets(targets: readonly Ipv4[], given: string | undefined): Promise<RoutedTargets> {
  let outputInterfaceIndex: number | undefined;
  if (given !== undefined) {
    try {
      outputInterfaceIndex = findInterface(given).index;
    } catch (error) {
      if (error instanceof InterfaceError) throw new UsageError(error.message);
      throw error;
    }
  }
  let routes: Array<RouteLookup<Ipv4> | RouteError>;
  try {
    routes = await lookupRoutes(targets, { outputInterfaceIndex });
  } catch (error) {
    if (error instanceof RouteError) throw new UsageError(error.message);
    throw error;
  }
  const ports = new Map<string, OpenedPort>();
  const groups = new Map<string, TargetGroup>();
  const unroutable: Array<{ target: Ipv4; why: string }> = [];
  try {
    for (const [i, route] of routes.entries()) {
      if (route instanceof RouteError) {
        unroutable.push({ target: targets[i], why: route.message });
        continue;
      }
      if (route.type === "local") {
        const missing = injectionOnLoBlockedBy(route.destination, route.source ?? route.destination);
        if (missing.length > 0) {
          unroutable.push({
            target: route.destination,
            why: `${route.destination} is an address of this host (local route, dev ${route.interface}): the kernel drops echo requests put on lo from userspace unless ${missing.join(" and ")}; ping it with iputils ping, or set ${missing.length > 1 ? "those" : "that"} with sysctl -w`,
          });
          continue;
        }
      }
      let opened = ports.get(route.interface);
      if (opened === undefined) {
        opened = openPort(route.interface, "icmp or arp");
        ports.set(route.interface, opened);
      }
      const source = route.source ?? sourceFor(opened, route.destination);
      if (source.value === 0) {
        unroutable.push({ target: route.destination, why: `${route.interface} has no IPv4 address to send from to ${route.destination}; add one, or give another interface with -I IFACE` });
        continue;
      }
      const key = `${route.interface}/${source}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { opened, source, targets: [], nextHops: new Map() };
        groups.set(key, group);
      }
      if (!group.nextHops.has(route.destination.value)) group.targets.push(route.destination);
      group.nextHops.set(route.destination.value, route.nextHop);
    }
  } catch (error) {
    for (const opened of ports.values()) opened.link.close();
    throw error;
  }
  // a port opened for targets that were all left out is not needed
  const used = new Set([...groups.values()].map((g) => g.opened));
  for (const opened of ports.values()) if (!used.has(opened)) opened.link.close();
  return { groups: [...groups.values()], unroutable };
}

/**
 * The exit status of a run. One target, ping's rule: 0 when it answered at all, else 1. Several
 * targets, fping's rule: 0 when every target answered at least once, 1 when some did not (a target
 * that could not be routed did not). A lone target without a route is a UsageError (2) instead, as
 * iputils ping exits 2; that is thrown before this is asked.
 */
export function pingExitCode(summaries: readonly TargetSummary[], unroutable = 0): 0 | 1 {
  return unroutable === 0 && summaries.length > 0 && summaries.every((s) => s.received > 0) ? 0 : 1;
}

function summaryText(s: TargetSummary, elapsedMs: number): string {
  const lines = [
    `--- ${s.target} ping statistics ---`,
    `${s.sent} packets transmitted, ${s.received} received,${s.duplicates ? ` +${s.duplicates} duplicates,` : ""}${s.errors ? ` +${s.errors} errors,` : ""} ${s.lossPercent}% packet loss, time ${Math.round(elapsedMs)}ms`,
  ];
  if (s.received > 0) lines.push(`rtt min/avg/max/mdev = ${ms(s.minMicros)}/${ms(s.avgMicros)}/${ms(s.maxMicros)}/${ms(s.mdevMicros)} ms`);
  return lines.join("\n");
}

function summaryJson(s: TargetSummary): string {
  return JSON.stringify({
    type: "summary",
    target: s.target.toString(),
    sent: s.sent,
    received: s.received,
    duplicates: s.duplicates,
    errors: s.errors,
    lossPercent: s.lossPercent,
    minMicros: round1(s.minMicros),
    avgMicros: round1(s.avgMicros),
    maxMicros: round1(s.maxMicros),
    mdevMicros: round1(s.mdevMicros),
  });
}

export function registerPing(program: Command): void {
  program
    .command("ping")
    .description("send ICMP echo requests from userspace and time the replies with kernel capture stamps (needs CAP_NET_RAW)")
    .argument("<target...>", "IPv4 addresses (several are pinged in parallel, like fping)")
    .option("-c, --count <n>", "stop after n requests per target (default: until Ctrl-C)")
    .option("-i, --interval <seconds>", "between rounds", "1")
    .option("-W, --timeout <seconds>", "wait this long for each reply (default: the interval, at least 1)")
    .option("-I, --interface <iface>", "only routes out of this interface, like ping -I (default: each target routed as ip route get routes it)")
    .addOption(new Option("-s, --size <bytes>", "ICMP data bytes per request (16 to 1472)").default("56"))
    .option("--json", "one JSON object per line")
    .addHelpText(
      "after",
      [
        "",
        "Each target is routed as `ip route get TARGET` routes it: policy rules, every table, the",
        "kernel's source address. 127.0.0.0/8 and this host's own addresses go out on lo, where the",
        "kernel takes requests from userspace only with net.ipv4.conf.lo.accept_local=1 (and",
        "route_localnet=1 for 127.0.0.0/8); without, they are refused with exit 2.",
        "",
        "Exit status (fping's rule):",
        "  0  every target answered at least once",
        "  1  some target did not answer (or the run was interrupted before it did); with",
        "     several targets, also one without a usable route (reported on stderr, the rest pinged)",
        "  2  bad arguments, an unknown interface, or a lone target without a usable route (no",
        "     route; an unreachable, prohibit or blackhole route; a local target the kernel would",
        "     drop), as iputils ping exits; nothing is sent",
      ].join("\n"),
    )
    .action(async (targetTexts: string[], flags: PingFlags) => {
      const targets = targetTexts.map((t) => parseAddressArgument("target", t));
      const count = flags.count === undefined ? Infinity : Number(flags.count);
      if (!(count >= 1 && (Number.isInteger(count) || count === Infinity))) throw new UsageError(`-c: "${flags.count}" is not a whole number ≥ 1`);
      const intervalMs = seconds("-i", flags.interval, 0.001) * 1000;
      const timeoutMs = flags.timeout === undefined ? Math.max(intervalMs, 1000) : seconds("-W", flags.timeout, 0.001) * 1000;
      const size = Number(flags.size);
      if (!Number.isInteger(size) || size < 16 || size > 1472) throw new UsageError(`-s: "${flags.size}" is not a data size from 16 to 1472 bytes`);
      const { groups, unroutable } = await routeTargets(targets, flags.interface);
      const out = (line: string) => process.stdout.write(`${line}\n`);
      // one target: ping's "connect: Network is unreachable", exit 2; several: fping's, that target is unreachable
      if (targets.length === 1 && unroutable.length === 1) throw new UsageError(unroutable[0].why);
      for (const { target, why } of unroutable) {
        process.stderr.write(`takeover: ${why}\n`);
        if (flags.json) out(JSON.stringify({ type: "unroutable", target: target.toString(), message: why }));
      }
      const pinged = targets.filter((t) => groups.some((g) => g.nextHops.has(t.value)));
      if (pinged.length === 0) {
        process.exitCode = 1;
        return;
      }
      const proberOf = new Map<number, Prober>();
      for (const group of groups) {
        const resolver = group.opened.iface.loopback ? undefined : new ArpResolver(group.opened.port, group.source);
        const prober = new Prober(group.opened.port, {
          sourceIp: group.source,
          payloadSize: size,
          // lo has no link layer to resolve: libpcap frames it as Ethernet with all-zero MACs
          nextHop: async (target) =>
            resolver === undefined ? LOOPBACK_MAC : (await resolver.resolve(group.nextHops.get(target.value)!, { attempts: 3, timeoutMs: Math.min(timeoutMs, 1000) / 3 })).mac,
        });
        group.prober = prober;
        for (const t of group.targets) proberOf.set(t.value, prober);
      }
      const closeAll = () => {
        for (const group of groups) group.prober?.close();
        for (const opened of new Set(groups.map((g) => g.opened))) opened.link.close();
      };
      if (!flags.json) out(`PING ${groups.map((g) => `${g.targets.join(", ")} from ${g.source} ${g.opened.port.name}`).join("; ")}: ${size} data bytes (RTT from kernel capture stamps)`);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const started = Date.now();
      let summaries: TargetSummary[];
      try {
        summaries = await runPing((target) => proberOf.get(target.value)!, pinged, { count, intervalMs, timeoutMs, signal: stop.signal }, (event) => {
          const line = flags.json ? json(event) : describe(event, size);
          if (line !== undefined) out(line);
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        closeAll();
      }
      const elapsed = Date.now() - started;
      for (const s of summaries) out(flags.json ? summaryJson(s) : `\n${summaryText(s, elapsed)}`);
      process.exitCode = pingExitCode(summaries, unroutable.length);
    });
}

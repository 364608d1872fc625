// `takeover ping`: userspace ICMP and ICMPv6 echo to one or more targets, fping-style, printed the
// way ping prints it, with RTTs from the kernel's capture stamps of our request leaving and the reply
// arriving. Each target is routed as the kernel routes it (`ip route get`, `ip -6 route get`: policy
// rules, every table, the kernel's source address; a link-local IPv6 target out of its %IFACE);
// targets reached through different interfaces, families or sources get a prober each. Next hops
// are resolved by ARP (IPv4) or Neighbor Solicitation (IPv6). A local destination (127.0.0.0/8, ::1,
// the box's own addresses) is captured on lo, where there is nothing to resolve, and the kernel
// answers it. IPv6 requests are put on lo as any others; IPv4 ones are handed to the kernel's ICMP
// socket (src/link/kernel-icmp.ts), because its martian checks drop them on lo from userspace unless
// two sysctls are on (src/link/route.ts). Without that socket, ping puts them on lo if the sysctls
// let them through, and otherwise says why instead of sending.
import { Command, Option } from "commander";
import { ArpResolver } from "../arp/resolver";
import { Prober, ProbeEvent } from "../icmp/prober";
import { MAX_PAYLOAD6, Prober6 } from "../icmp/prober6";
import { EchoProber, runPing, TargetSummary } from "../icmp/session";
import { findInterface, InterfaceError } from "../link/interfaces";
import { KernelIcmpError, KernelIcmpSender, openKernelIcmpSender } from "../link/kernel-icmp";
import { injectionOnLoBlockedBy, IpAddress, lookupRoute, lookupRoutes, RouteError, RouteLookup } from "../link/route";
import { isLinkLocal } from "../ndp/frames";
import { NeighborResolver } from "../ndp/resolver";
import { AddressError, Ipv4, Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { UsageError } from "./errors";
import { chooseSource, interfaceIpv6Addresses, parseIpv6Argument } from "./ndp";
import { OpenedPort, openPort, sourceFor } from "./port";

interface PingFlags {
  /** -4: IPv4 targets only */
  "4"?: boolean;
  /** -6: IPv6 targets only */
  "6"?: boolean;
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

/** iputils ping's words for an ICMPv6 destination-unreachable code (RFC 4443 §3.1). */
const UNREACHABLE6: Record<number, string> = {
  0: "No route",
  1: "Administratively prohibited",
  2: "Beyond scope of source address",
  3: "Address unreachable",
  4: "Port unreachable",
};

function describe(event: ProbeEvent<IpAddress>, payloadBytes: number): string | undefined {
  if (event.target instanceof Ipv6Address) {
    if (event.type === "unreachable") return `From ${event.from} icmp_seq=${event.seq} Destination unreachable: ${UNREACHABLE6[event.code] ?? `Unknown code ${event.code}`}`;
    if (event.type === "time-exceeded") return `From ${event.from} icmp_seq=${event.seq} Time exceeded: ${event.code === 0 ? "Hop limit" : event.code === 1 ? "Defragmentation failure" : `code ${event.code}`}`;
  }
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

function json(event: ProbeEvent<IpAddress>): string | undefined {
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

/** A target as given: its address and, for IPv6, the %IFACE after it. */
interface PingTarget {
  readonly address: IpAddress;
  readonly zone?: string;
}

/** Targets of one family sent out of one interface from one source address, by one prober. */
interface TargetGroup {
  readonly opened: OpenedPort;
  readonly source: IpAddress;
  readonly targets: IpAddress[];
  /** target (its text) → the address whose MAC to resolve (its gateway, or itself) */
  readonly nextHops: Map<string, IpAddress>;
  /** IPv4 local targets: the kernel's ICMP socket sends the requests (the port captures them) */
  readonly kernel?: KernelIcmpSender;
  prober?: EchoProber<IpAddress>;
  close?: () => void;
}

/** Where the targets go: groups to ping, and the targets that cannot be pinged, each with why. */
interface RoutedTargets {
  readonly groups: TargetGroup[];
  readonly unroutable: ReadonlyArray<{ readonly target: IpAddress; readonly why: string }>;
}

/**
 * Parses the targets: IPv4, or IPv6 with an optional %IFACE, as -4 or -6 allows. A link-local IPv6
 * target needs its interface (%IFACE or -I), as ping -6 asks.
 * @throws UsageError naming the target and the fix
 */
export function parseTargets(texts: readonly string[], flags: Pick<PingFlags, "4" | "6" | "interface">): PingTarget[] {
  if (flags["4"] && flags["6"]) throw new UsageError("-4 and -6 exclude each other; give one, or neither to ping both families");
  return texts.map((text) => {
    if (!text.includes(":")) {
      if (flags["6"]) throw new UsageError(`target: ${text} is not an IPv6 address, and -6 pings IPv6 only`);
      try {
        return { address: Ipv4.parse(text) };
      } catch (error) {
        if (error instanceof AddressError) throw new UsageError(`target: ${error.message}`);
        throw error;
      }
    }
    if (flags["4"]) throw new UsageError(`target: ${text} is an IPv6 address, and -4 pings IPv4 only`);
    const scoped = parseIpv6Argument("target", text);
    if (scoped.zone !== undefined && flags.interface !== undefined && scoped.zone !== flags.interface) {
      throw new UsageError(`target: ${text} names interface ${scoped.zone}, and -I names ${flags.interface}; give one`);
    }
    if (isLinkLocal(scoped.address) && scoped.zone === undefined && flags.interface === undefined) {
      throw new UsageError(`target: ${scoped.address} is link-local: say which link, as ${scoped.address}%IFACE or with -I IFACE`);
    }
    return scoped;
  });
}

function interfaceIndex(name: string): number {
  try {
    return findInterface(name).index;
  } catch (error) {
    if (error instanceof InterfaceError) throw new UsageError(error.message);
    throw error;
  }
}

/** The kernel's route to each target, or why there is none. */
async function routesOf(targets: readonly PingTarget[], given: string | undefined): Promise<Array<RouteLookup<IpAddress> | RouteError>> {
  const outputInterfaceIndex = given === undefined ? undefined : interfaceIndex(given);
  try {
    // one socket for the targets without a zone; a zoned one is looked up out of its interface
    const plain = targets.filter((t) => t.zone === undefined).map((t) => t.address);
    const found = await lookupRoutes<IpAddress>(plain, { outputInterfaceIndex });
    const routes: Array<RouteLookup<IpAddress> | RouteError> = [];
    for (const target of targets) {
      if (target.zone === undefined) routes.push(found.shift()!);
      else routes.push(await lookupRoute<IpAddress>(target.address, { outputInterfaceIndex: interfaceIndex(target.zone) }).catch((error: unknown) => {
        if (error instanceof RouteError) return error;
        throw error;
      }));
    }
    return routes;
  } catch (error) {
    if (error instanceof RouteError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The one-line reason a local IPv4 target cannot be pinged without the kernel's ICMP socket (which
 * could not be opened: `why`), or undefined when a request put on lo from userspace gets through.
 * IPv6 takes such a request as it is (ip6_input drops loopback addresses only on other interfaces);
 * IPv4's martian checks need two sysctls.
 */
function localRefusal(route: RouteLookup<IpAddress>, why: string): string | undefined {
  const missing = injectionOnLoBlockedBy(route.destination as Ipv4, (route.source as Ipv4 | undefined) ?? (route.destination as Ipv4));
  if (missing.length === 0) return undefined;
  return `${route.destination} is an address of this host (local route, dev ${route.interface}): ${why}, and the kernel drops echo requests put on lo from userspace unless ${missing.join(" and ")}; fix the first, or set ${missing.length > 1 ? "those" : "that"} with sysctl -w`;
}

/** Reports a request the kernel's ICMP socket could not send; it then times out. */
function kernelSendFailed(error: Error, destination: Ipv4 | undefined): void {
  process.stderr.write(`takeover: the kernel's ICMP socket${destination === undefined ? "" : ` could not send to ${destination}`}: ${error.message}\n`);
}

/** Our source towards an IPv6 target when the kernel's route names none: as who-has would choose it. */
function ipv6SourceFor(iface: string, target: Ipv6Address): Ipv6Address | undefined {
  return chooseSource(interfaceIpv6Addresses(iface), target);
}

/**
 * Routes every target as the kernel would (with `-I`, only out of that interface, like ping -I; an
 * IPv6 target with %IFACE out of that one) and opens one port per interface and family the routes
 * leave by. A target without a usable route (none; an unreachable, prohibit or blackhole one;
 * broadcast or multicast; a local IPv4 one the kernel would drop; no source address) is left out,
 * with the one-line reason.
 * @throws UsageError for an unknown interface, or when no rtnetlink socket or capture can be opened
 */
async function routeTargets(targets: readonly PingTarget[], given: string | undefined): Promise<RoutedTargets> {
  const routes = await routesOf(targets, given);
  const ports = new Map<string, OpenedPort>();
  const groups = new Map<string, TargetGroup>();
  const unroutable: Array<{ target: IpAddress; why: string }> = [];
  // the kernel's ICMP socket, opened at the first local IPv4 target (or why it could not be)
  let kernel: KernelIcmpSender | KernelIcmpError | undefined;
  try {
    for (const [i, route] of routes.entries()) {
      if (route instanceof RouteError) {
        unroutable.push({ target: targets[i].address, why: route.message });
        continue;
      }
      const v4 = route.destination instanceof Ipv4;
      const viaKernel = v4 && route.type === "local";
      if (viaKernel) {
        if (kernel === undefined) {
          try {
            kernel = openKernelIcmpSender(kernelSendFailed);
          } catch (error) {
            if (!(error instanceof KernelIcmpError)) throw error;
            kernel = error;
          }
        }
        const refusal = kernel instanceof KernelIcmpError ? localRefusal(route, kernel.message) : undefined;
        if (refusal !== undefined) {
          unroutable.push({ target: route.destination, why: refusal });
          continue;
        }
      }
      const portKey = `${v4 ? 4 : 6}/${route.interface}`;
      let opened = ports.get(portKey);
      if (opened === undefined) {
        opened = openPort(route.interface, v4 ? "icmp or arp" : "icmp6");
        ports.set(portKey, opened);
      }
      let source: IpAddress | undefined = route.source;
      if (source === undefined) source = v4 ? sourceFor(opened, route.destination as Ipv4) : ipv6SourceFor(route.interface, route.destination as Ipv6Address);
      if (source === undefined || (source instanceof Ipv4 && source.value === 0)) {
        unroutable.push({ target: route.destination, why: `${route.interface} has no ${v4 ? "IPv4" : "usable IPv6"} address to send from to ${route.destination}; add one, or give another interface with -I IFACE` });
        continue;
      }
      const key = `${portKey}/${source}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { opened, source, targets: [], nextHops: new Map(), kernel: viaKernel && !(kernel instanceof KernelIcmpError) ? kernel : undefined };
        groups.set(key, group);
      }
      const text = route.destination.toString();
      if (!group.nextHops.has(text)) group.targets.push(route.destination);
      group.nextHops.set(text, route.nextHop);
    }
  } catch (error) {
    for (const opened of ports.values()) opened.link.close();
    if (kernel !== undefined && !(kernel instanceof KernelIcmpError)) kernel.close();
    throw error;
  }
  // a port opened for targets that were all left out is not needed
  const used = new Set([...groups.values()].map((g) => g.opened));
  for (const opened of ports.values()) if (!used.has(opened)) opened.link.close();
  return { groups: [...groups.values()], unroutable };
}

/** The prober for a group: ARP and ICMP for IPv4, NDP and ICMPv6 for IPv6; lo resolves nothing. */
function proberFor(group: TargetGroup, size: number, timeoutMs: number): EchoProber<IpAddress> {
  const port = group.opened.port;
  const loopback = group.opened.iface.loopback;
  const resolveOptions = { attempts: 3, timeoutMs: Math.min(timeoutMs, 1000) / 3 };
  if (group.source instanceof Ipv4) {
    const resolver = loopback ? undefined : new ArpResolver(port, group.source);
    const kernel = group.kernel;
    const prober = new Prober(port, {
      sourceIp: group.source,
      payloadSize: size,
      nextHop: async (target) => (resolver === undefined ? LOOPBACK_MAC : (await resolver.resolve(group.nextHops.get(target.toString()) as Ipv4, resolveOptions)).mac),
      sendIcmp: kernel === undefined ? undefined : (message, target) => kernel.send(message, target),
    });
    group.close = () => {
      prober.close();
      kernel?.close();
    };
    // sound: runPing sends this prober only the targets of its group, all IPv4
    return prober as unknown as EchoProber<IpAddress>;
  }
  const resolver = loopback ? undefined : new NeighborResolver(port, group.source);
  const prober = new Prober6(port, {
    sourceIp: group.source,
    payloadSize: size,
    nextHop: async (target) => (resolver === undefined ? LOOPBACK_MAC : (await resolver.resolve(group.nextHops.get(target.toString()) as Ipv6Address, resolveOptions)).mac),
  });
  group.close = () => prober.close();
  return prober as unknown as EchoProber<IpAddress>;
}

/**
 * The exit status of a run. One target, ping's rule: 0 when it answered at all, else 1. Several
 * targets, fping's rule: 0 when every target answered at least once, 1 when some did not (a target
 * that could not be routed did not). A lone target without a route is a UsageError (2) instead, as
 * iputils ping exits 2; that is thrown before this is asked.
 */
export function pingExitCode(summaries: ReadonlyArray<TargetSummary<IpAddress>>, unroutable = 0): 0 | 1 {
  return unroutable === 0 && summaries.length > 0 && summaries.every((s) => s.received > 0) ? 0 : 1;
}

function summaryText(s: TargetSummary<IpAddress>, elapsedMs: number): string {
  const lines = [
    `--- ${s.target} ping statistics ---`,
    `${s.sent} packets transmitted, ${s.received} received,${s.duplicates ? ` +${s.duplicates} duplicates,` : ""}${s.errors ? ` +${s.errors} errors,` : ""} ${s.lossPercent}% packet loss, time ${Math.round(elapsedMs)}ms`,
  ];
  if (s.received > 0) lines.push(`rtt min/avg/max/mdev = ${ms(s.minMicros)}/${ms(s.avgMicros)}/${ms(s.maxMicros)}/${ms(s.mdevMicros)} ms`);
  return lines.join("\n");
}

function summaryJson(s: TargetSummary<IpAddress>): string {
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
    .description("send ICMP or ICMPv6 echo requests from userspace and time the replies with kernel capture stamps (needs CAP_NET_RAW)")
    .argument("<target...>", "IPv4 or IPv6 addresses (a link-local one as ADDRESS%IFACE); several are pinged in parallel, like fping")
    .option("-4", "IPv4 targets only (an IPv6 one is an error)")
    .option("-6", "IPv6 targets only (an IPv4 one is an error)")
    .option("-c, --count <n>", "stop after n requests per target (default: until Ctrl-C)")
    .option("-i, --interval <seconds>", "between rounds", "1")
    .option("-W, --timeout <seconds>", "wait this long for each reply (default: the interval, at least 1)")
    .option("-I, --interface <iface>", "only routes out of this interface, like ping -I (default: each target routed as ip route get routes it)")
    .addOption(new Option("-s, --size <bytes>", `ICMP data bytes per request (16 to 1472; IPv6 16 to ${MAX_PAYLOAD6})`).default("56"))
    .option("--json", "one JSON object per line")
    .addHelpText(
      "after",
      [
        "",
        "Each target is routed as `ip route get TARGET` (`ip -6 route get`) routes it: policy rules,",
        "every table, the kernel's source address; an IPv6 link-local target out of its %IFACE (or",
        "-I). Next hops are found by ARP (IPv4) or Neighbor Solicitation (IPv6). 127.0.0.0/8, ::1 and",
        "this host's own addresses are captured on lo; IPv4 requests to them are sent through the",
        "kernel's ICMP socket (the raw-socket addon), as iputils ping sends them, because the kernel",
        "drops them on lo from userspace unless net.ipv4.conf.lo.accept_local=1 (and route_localnet=1",
        "for 127.0.0.0/8). Without that addon, they go on lo if those are set, else exit 2.",
        "",
        "Exit status (fping's rule):",
        "  0  every target answered at least once",
        "  1  some target did not answer (or the run was interrupted before it did); with",
        "     several targets, also one without a usable route (reported on stderr, the rest pinged)",
        "  2  bad arguments, an unknown interface, or a lone target without a usable route (no",
        "     route; an unreachable, prohibit or blackhole route; a local IPv4 target the kernel",
        "     would drop), as iputils ping exits; nothing is sent",
      ].join("\n"),
    )
    .action(async (targetTexts: string[], flags: PingFlags) => {
      const parsed = parseTargets(targetTexts, flags);
      const count = flags.count === undefined ? Infinity : Number(flags.count);
      if (!(count >= 1 && (Number.isInteger(count) || count === Infinity))) throw new UsageError(`-c: "${flags.count}" is not a whole number ≥ 1`);
      const intervalMs = seconds("-i", flags.interval, 0.001) * 1000;
      const timeoutMs = flags.timeout === undefined ? Math.max(intervalMs, 1000) : seconds("-W", flags.timeout, 0.001) * 1000;
      const size = Number(flags.size);
      const anyIpv6 = parsed.some((t) => t.address instanceof Ipv6Address);
      const largest = anyIpv6 ? MAX_PAYLOAD6 : 1472;
      if (!Number.isInteger(size) || size < 16 || size > largest) throw new UsageError(`-s: "${flags.size}" is not a data size from 16 to ${largest} bytes${anyIpv6 ? " (an IPv6 target)" : ""}`);
      const { groups, unroutable } = await routeTargets(parsed, flags.interface);
      const out = (line: string) => process.stdout.write(`${line}\n`);
      // one target: ping's "connect: Network is unreachable", exit 2; several: fping's, that target is unreachable
      if (parsed.length === 1 && unroutable.length === 1) throw new UsageError(unroutable[0].why);
      for (const { target, why } of unroutable) {
        process.stderr.write(`takeover: ${why}\n`);
        if (flags.json) out(JSON.stringify({ type: "unroutable", target: target.toString(), message: why }));
      }
      const pinged = parsed.map((t) => t.address).filter((t) => groups.some((g) => g.nextHops.has(t.toString())));
      if (pinged.length === 0) {
        process.exitCode = 1;
        return;
      }
      const proberOf = new Map<string, EchoProber<IpAddress>>();
      for (const group of groups) {
        group.prober = proberFor(group, size, timeoutMs);
        for (const t of group.targets) proberOf.set(t.toString(), group.prober);
      }
      const closeAll = () => {
        for (const group of groups) group.close?.();
        for (const opened of new Set(groups.map((g) => g.opened))) opened.link.close();
      };
      if (!flags.json) out(`PING ${groups.map((g) => `${g.targets.join(", ")} from ${g.source} ${g.opened.port.name}`).join("; ")}: ${size} data bytes (RTT from kernel capture stamps)`);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const started = Date.now();
      let summaries: Array<TargetSummary<IpAddress>>;
      try {
        summaries = await runPing<IpAddress>((target) => proberOf.get(target.toString())!, pinged, { count, intervalMs, timeoutMs, signal: stop.signal }, (event) => {
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

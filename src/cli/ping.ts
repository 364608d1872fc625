// `takeover ping`: userspace ICMP echo to one or more targets, fping-style, printed the way ping
// prints it, with RTTs from the kernel's capture stamps of our request leaving and the reply arriving.
import { Command, Option } from "commander";
import { ArpResolver } from "../arp/resolver";
import { Prober, ProbeEvent } from "../icmp/prober";
import { runPing, TargetSummary } from "../icmp/session";
import { nextHopFor } from "../link/routes";
import { Ipv4 } from "../packets/address";
import { UsageError } from "./errors";
import { interfaceFor, openPort, parseAddressArgument, sourceFor } from "./port";

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
    .option("-I, --interface <iface>", "interface to send on (default: the route to the first target)")
    .addOption(new Option("-s, --size <bytes>", "ICMP data bytes per request (16 to 1472)").default("56"))
    .option("--json", "one JSON object per line")
    .action(async (targetTexts: string[], flags: PingFlags) => {
      const targets = targetTexts.map((t) => parseAddressArgument("target", t));
      const count = flags.count === undefined ? Infinity : Number(flags.count);
      if (!(count >= 1 && (Number.isInteger(count) || count === Infinity))) throw new UsageError(`-c: "${flags.count}" is not a whole number ≥ 1`);
      const intervalMs = seconds("-i", flags.interval, 0.001) * 1000;
      const timeoutMs = flags.timeout === undefined ? Math.max(intervalMs, 1000) : seconds("-W", flags.timeout, 0.001) * 1000;
      const size = Number(flags.size);
      if (!Number.isInteger(size) || size < 16 || size > 1472) throw new UsageError(`-s: "${flags.size}" is not a data size from 16 to 1472 bytes`);
      const ifaceName = interfaceFor(flags.interface, targets[0]);
      const opened = openPort(ifaceName, "icmp or arp");
      const sourceIp = sourceFor(opened, targets[0]);
      if (sourceIp.value === 0) {
        opened.link.close();
        throw new UsageError(`${ifaceName} has no IPv4 address to send from`);
      }
      const resolver = new ArpResolver(opened.port, sourceIp);
      const nextHop = (target: Ipv4): Ipv4 => {
        const on = opened.iface.ipv4.find((a) => a.address.sameSubnet(target, a.prefixLength));
        if (on !== undefined) return target;
        try {
          return nextHopFor(target).nextHop;
        } catch {
          return target;
        }
      };
      const prober = new Prober(opened.port, {
        sourceIp,
        payloadSize: size,
        nextHop: async (target) => (await resolver.resolve(nextHop(target), { attempts: 3, timeoutMs: Math.min(timeoutMs, 1000) / 3 })).mac,
      });
      const out = (line: string) => process.stdout.write(`${line}\n`);
      if (!flags.json) out(`PING ${targets.join(", ")} from ${sourceIp} ${ifaceName}: ${size} data bytes (RTT from kernel capture stamps)`);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const started = Date.now();
      let summaries: TargetSummary[];
      try {
        summaries = await runPing(prober, targets, { count, intervalMs, timeoutMs, signal: stop.signal }, (event) => {
          const line = flags.json ? json(event) : describe(event, size);
          if (line !== undefined) out(line);
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        prober.close();
        opened.link.close();
      }
      const elapsed = Date.now() - started;
      for (const s of summaries) out(flags.json ? summaryJson(s) : `\n${summaryText(s, elapsed)}`);
      process.exitCode = summaries.some((s) => s.received > 0) ? 0 : 1;
    });
}

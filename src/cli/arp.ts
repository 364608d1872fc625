// `takeover arp …`: gratuitous announcements, RFC 5227 probes, who-has, and the classic send_arp
// argument order from old failover recipes.
import { Command, Option } from "commander";
import { announce, AnnounceForm } from "../arp/announcer";
import { probeAddress } from "../arp/conflict";
import { ArpResolver, ResolveError } from "../arp/resolver";
import { AddressError, Mac } from "../packets/address";
import { arpReply } from "../packets/arp";
import { ETHERTYPE_ARP } from "../packets/ethernet";
import { encodeFrame } from "../packets/frame";
import { UsageError } from "./errors";
import { interfaceFor, OpenedPort, openPort, parseAddressArgument, sourceFor } from "./port";

function positive(flag: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (integer && (!Number.isInteger(value) || value < 1))) {
    throw new UsageError(`${flag}: "${text}" is not ${integer ? "a whole number ≥ 1" : "a number of seconds ≥ 0"}; write one like ${flag} ${integer ? "3" : "0.5"}`);
  }
  return value;
}

function parseMacArgument(what: string, text: string): Mac {
  try {
    return Mac.parse(text);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`${what}: ${error.message}`);
    throw error;
  }
}

async function withPort<T>(iface: string, run: (opened: OpenedPort) => Promise<T>): Promise<T> {
  const opened = openPort(iface, "arp");
  try {
    return await run(opened);
  } finally {
    opened.link.close();
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export function registerArp(program: Command): void {
  const arp = program.command("arp").description("send and ask ARP: announce, probe, who-has, send (needs CAP_NET_RAW)");

  arp
    .command("announce")
    .description("gratuitous ARP: tell the segment that ADDRESS… is at this interface's MAC")
    .argument("<address...>", "IPv4 addresses to announce")
    .requiredOption("-I, --interface <iface>", "interface to announce on")
    .option("-c, --count <n>", "rounds to send", "3")
    .option("-i, --interval <seconds>", "between rounds", "1")
    .addOption(new Option("--form <form>", "gratuitous request, reply, or both (some equipment honours only one)").choices(["request", "reply", "both"]).default("both"))
    .option("--mac <mac>", "announce at this MAC instead of the interface's (hand an address back to another box)")
    .action(async (addressTexts: string[], flags: { interface: string; count: string; interval: string; form: AnnounceForm; mac?: string }) => {
      const addresses = addressTexts.map((a) => parseAddressArgument("address", a));
      const count = positive("-c", flags.count, true);
      const intervalMs = positive("-i", flags.interval, false) * 1000;
      const mac = flags.mac === undefined ? undefined : parseMacArgument("--mac", flags.mac);
      await withPort(flags.interface, async ({ port }) => {
        const sent = await announce(port, addresses, {
          count,
          intervalMs,
          form: flags.form,
          mac,
          onSent: (address, form) => out(`${flags.interface}: gratuitous ARP ${form} ${address} is-at ${mac ?? port.mac}`),
        });
        out(`${sent} frame(s) sent`);
      });
    });

  arp
    .command("probe")
    .description("RFC 5227 probe: is ADDRESS in use on the segment? exit 0 free, 1 in use")
    .argument("<address>", "IPv4 address to probe for")
    .requiredOption("-I, --interface <iface>", "interface to probe on")
    .option("-c, --count <n>", "probes to send (RFC 5227 PROBE_NUM)", "3")
    .option("-i, --interval <seconds>", "between probes", "1")
    .option("-w, --wait <seconds>", "listen this long after the last probe", "1")
    .action(async (addressText: string, flags: { interface: string; count: string; interval: string; wait: string }) => {
      const address = parseAddressArgument("address", addressText);
      const count = positive("-c", flags.count, true);
      const intervalMs = positive("-i", flags.interval, false) * 1000;
      const waitMs = positive("-w", flags.wait, false) * 1000;
      await withPort(flags.interface, async ({ port }) => {
        const result = await probeAddress(port, address, { count, intervalMs, waitMs });
        if (result.conflict === undefined) {
          out(`${address} is free: nobody answered ${result.probesSent} probe(s) on ${flags.interface}`);
          process.exitCode = 0;
        } else {
          const how = result.conflict.how === "probe" ? "is probing for it too" : `answered (ARP ${result.conflict.how})`;
          out(`${address} is in use: ${result.conflict.mac} ${how}`);
          process.exitCode = 1;
        }
      });
    });

  arp
    .command("who-has")
    .description("ask who has ADDRESS and print its MAC; exit 1 when nobody answers")
    .argument("<address>", "IPv4 address to resolve")
    .option("-I, --interface <iface>", "interface to ask on (default: the route to ADDRESS)")
    .option("-c, --count <n>", "requests before giving up", "3")
    .option("-W, --timeout <seconds>", "wait for each reply", "1")
    .action(async (addressText: string, flags: { interface?: string; count: string; timeout: string }) => {
      const address = parseAddressArgument("address", addressText);
      const attempts = positive("-c", flags.count, true);
      const timeoutMs = positive("-W", flags.timeout, false) * 1000;
      const iface = await interfaceFor(flags.interface, address);
      await withPort(iface, async (opened) => {
        const resolver = new ArpResolver(opened.port, sourceFor(opened, address));
        try {
          const answer = await resolver.resolve(address, { attempts, timeoutMs, fresh: true });
          out(`${address} is-at ${answer.mac} (${iface}, ${(answer.rttMicros / 1000).toFixed(3)} ms, request ${answer.attempts})`);
        } catch (error) {
          if (!(error instanceof ResolveError)) throw error;
          out(error.message);
          process.exitCode = 1;
        }
      });
    });

  arp
    .command("send")
    .description("send one ARP reply in the send_arp argument order: SRC_IP is-at SRC_MAC, to TARGET_IP at TARGET_MAC")
    .argument("<src_ip>")
    .argument("<src_mac>")
    .argument("<target_ip>")
    .argument("<target_mac>", "ff:ff:ff:ff:ff:ff to broadcast")
    .option("-I, --interface <iface>", "interface to send on (default: the route to TARGET_IP)")
    .option("-c, --count <n>", "frames to send", "1")
    .action(async (srcIpText: string, srcMacText: string, targetIpText: string, targetMacText: string, flags: { interface?: string; count: string }) => {
      const srcIp = parseAddressArgument("SRC_IP", srcIpText);
      const srcMac = parseMacArgument("SRC_MAC", srcMacText);
      const targetIp = parseAddressArgument("TARGET_IP", targetIpText);
      const targetMac = parseMacArgument("TARGET_MAC", targetMacText);
      const count = positive("-c", flags.count, true);
      const iface = await interfaceFor(flags.interface, targetIp);
      await withPort(iface, async ({ port }) => {
        const frame = encodeFrame({ ethernet: { destination: targetMac, source: port.mac, etherType: ETHERTYPE_ARP }, arp: arpReply(srcMac, srcIp, targetMac, targetIp) });
        for (let i = 0; i < count; i++) port.send(frame);
        out(`${iface}: ARP reply ${srcIp} is-at ${srcMac} → ${targetIp} (${targetMac}), ${count} frame(s)`);
      });
    });
}

// `takeover ndp …`: unsolicited Neighbor Advertisements, Duplicate Address Detection probes and
// who-has for IPv6, the counterparts of `takeover arp …` (and of ndsend and ndisc6: an address may
// carry its link as ADDRESS%IFACE, and the interface may follow the address as ndisc6's does).
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { announceNeighbors } from "../ndp/announcer";
import { detectDuplicate } from "../ndp/dad";
import { isLinkLocal, isMulticast, isUnspecified } from "../ndp/frames";
import { NeighborResolveError, NeighborResolver } from "../ndp/resolver";
import { lookupRoute, RouteError, RouteLookup } from "../link/route";
import { AddressError, Ipv4, Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { UsageError } from "./errors";
import { OpenedPort, openPort } from "./port";

/** What the link captures: NDP messages only (ICMPv6 types 135 and 136, no extension headers). */
const NDP_FILTER = "icmp6 and (ip6[40] == 135 or ip6[40] == 136)";

function positive(flag: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (integer && (!Number.isInteger(value) || value < 1))) {
    throw new UsageError(`${flag}: "${text}" is not ${integer ? "a whole number ≥ 1" : "a number of seconds ≥ 0"}; write one like ${flag} ${integer ? "3" : "0.5"}`);
  }
  return value;
}

interface ScopedAddress {
  readonly address: Ipv6Address;
  /** the %IFACE after it, if any */
  readonly zone?: string;
}

/** Parses an operator-given IPv6 address, with an optional %IFACE, naming the argument in the error. */
export function parseIpv6Argument(what: string, text: string): ScopedAddress {
  const percent = text.indexOf("%");
  const bare = percent === -1 ? text : text.slice(0, percent);
  const zone = percent === -1 ? undefined : text.slice(percent + 1);
  if (zone === "") throw new UsageError(`${what}: "${text}" has an empty zone after %; write ADDRESS%IFACE, like fe80::1%eth0`);
  let address: Ipv6Address;
  try {
    address = Ipv6Address.parse(bare);
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    let ipv4 = false;
    try {
      Ipv4.parse(bare);
      ipv4 = true;
    } catch {
      // not IPv4 either
    }
    if (ipv4) throw new UsageError(`${what}: ${bare} is an IPv4 address; takeover ndp is for IPv6, use takeover arp for IPv4`);
    throw new UsageError(`${what}: ${error.message}`);
  }
  return zone === undefined ? { address } : { address, zone };
}

/** A neighbour address: unicast, not :: (what NS and NA may carry as their target). */
function unicastArgument(what: string, text: string): ScopedAddress {
  const scoped = parseIpv6Argument(what, text);
  if (isMulticast(scoped.address)) throw new UsageError(`${what}: ${scoped.address} is a multicast address; NDP is about unicast addresses`);
  if (isUnspecified(scoped.address)) throw new UsageError(`${what}: :: is the unspecified address; give the address to ask about`);
  return scoped;
}

function parseMacArgument(what: string, text: string): Mac {
  try {
    return Mac.parse(text);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`${what}: ${error.message}`);
    throw error;
  }
}

/**
 * Splits the positional words into addresses and, as ndisc6 and ndsend take it, a trailing
 * interface (a word without ':' cannot be an IPv6 address).
 */
function splitInterface(words: readonly string[]): { addresses: string[]; iface?: string } {
  const last = words[words.length - 1];
  if (words.length >= 2 && last !== undefined && !last.includes(":")) return { addresses: words.slice(0, -1), iface: last };
  return { addresses: [...words] };
}

/** The one interface named by -I, a trailing word, and the addresses' zones; they must agree. */
function chooseInterface(flag: string | undefined, trailing: string | undefined, scoped: readonly ScopedAddress[]): string | undefined {
  const named = [
    ...(flag === undefined ? [] : [[flag, `-I ${flag}`]]),
    ...(trailing === undefined ? [] : [[trailing, `the interface argument ${trailing}`]]),
    ...scoped.flatMap((s) => (s.zone === undefined ? [] : [[s.zone, `${s.address}%${s.zone}`]])),
  ];
  const first = named[0];
  if (first === undefined) return undefined;
  const other = named.find(([name]) => name !== first[0]);
  if (other !== undefined) throw new UsageError(`${first[1]} and ${other[1]} name different interfaces; give one`);
  return first[0];
}

/** A link-local address means nothing without its link. */
function requireLinkFor(scoped: readonly ScopedAddress[], iface: string | undefined): void {
  const local = scoped.find((s) => isLinkLocal(s.address));
  if (local !== undefined && iface === undefined) throw new UsageError(`${local.address} is link-local: say which link, as ${local.address}%IFACE or with -I IFACE`);
}

/** The interface the kernel's route to `target` leaves by, as `ip -6 route get` gives it (rtnetlink). */
async function routedInterface(target: Ipv6Address): Promise<string> {
  let route: RouteLookup<Ipv6Address>;
  try {
    route = await lookupRoute(target);
  } catch (error) {
    if (error instanceof RouteError) throw new UsageError(`${error.message}; or give the interface with -I IFACE`);
    throw error;
  }
  // a solicitation on lo asks no one
  if (route.type === "local") throw new UsageError(`${target} is an address of this host (local route, dev ${route.interface}); give the interface to use with -I IFACE`);
  return route.interface;
}

/** One IPv6 address of an interface, from /proc/net/if_inet6. */
export interface InterfaceIpv6Address {
  readonly address: Ipv6Address;
  readonly prefixLength: number;
  /** IFA_F_TENTATIVE or IFA_F_DADFAILED: not usable as a source */
  readonly unusable: boolean;
}

/** The IPv6 addresses of `iface` in this network namespace (none when IPv6 is off on it). */
export function interfaceIpv6Addresses(iface: string, table?: string): InterfaceIpv6Address[] {
  let text = table;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/net/if_inet6", "utf8");
    } catch {
      return [];
    }
  }
  const out: InterfaceIpv6Address[] = [];
  for (const line of text.split("\n")) {
    const [hex, , prefix, , flags, name] = line.trim().split(/\s+/);
    if (name !== iface || hex === undefined || hex.length !== 32) continue;
    const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
    // IFA_F_TENTATIVE 0x40, IFA_F_DADFAILED 0x08 (linux/if_addr.h)
    out.push({ address: new Ipv6Address(bytes), prefixLength: parseInt(prefix, 16), unusable: (parseInt(flags, 16) & 0x48) !== 0 });
  }
  return out;
}

function samePrefix(a: Ipv6Address, b: Ipv6Address, length: number): boolean {
  for (let bit = 0; bit < length; bit++) {
    const mask = 0x80 >> bit % 8;
    if ((a.bytes[bit >> 3] & mask) !== (b.bytes[bit >> 3] & mask)) return false;
  }
  return true;
}

/**
 * The source a who-has asks from: for a link-local target our link-local; else our address in the
 * target's prefix, else our link-local; else any usable address of ours (RFC 4861 §7.2.2 lets a
 * solicitation come from any address of the interface). Tentative addresses are never used.
 */
export function chooseSource(addresses: readonly InterfaceIpv6Address[], target: Ipv6Address): Ipv6Address | undefined {
  const usable = addresses.filter((a) => !a.unusable);
  const linkLocal = usable.find((a) => isLinkLocal(a.address))?.address;
  if (isLinkLocal(target)) return linkLocal ?? usable[0]?.address;
  return usable.find((a) => !isLinkLocal(a.address) && samePrefix(a.address, target, a.prefixLength))?.address ?? linkLocal ?? usable[0]?.address;
}

async function withPort<T>(iface: string, promiscuous: boolean, run: (opened: OpenedPort) => Promise<T>): Promise<T> {
  const opened = openPort(iface, NDP_FILTER, { promiscuous });
  try {
    return await run(opened);
  } finally {
    opened.link.close();
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const NO_INTERFACE = "no interface: give one with -I IFACE (or ADDRESS%IFACE, or the interface after the address as ndsend takes it)";

export function registerNdp(program: Command): void {
  const ndp = program.command("ndp").description("send and ask IPv6 Neighbor Discovery: announce, probe, who-has (needs CAP_NET_RAW)");

  ndp
    .command("announce")
    .description("unsolicited Neighbor Advertisements (as ndsend): tell the segment that ADDRESS… is at this interface's MAC")
    .argument("<address...>", "IPv6 addresses to announce (ADDRESS%IFACE, or the interface last, as ndsend takes it)")
    .option("-I, --interface <iface>", "interface to announce on")
    .option("-c, --count <n>", "rounds to send", "3")
    .option("-i, --interval <seconds>", "between rounds", "1")
    .option("--router", "set the Router flag (default: clear, we are a host)")
    .option("--mac <mac>", "announce at this MAC instead of the interface's (hand an address back to another box)")
    .option("-s, --source <address>", "IPv6 source of the advertisements (default: each advertised address itself)")
    .action(async (words: string[], flags: { interface?: string; count: string; interval: string; router?: boolean; mac?: string; source?: string }) => {
      const split = splitInterface(words);
      const scoped = split.addresses.map((a) => unicastArgument("address", a));
      const count = positive("-c", flags.count, true);
      const intervalMs = positive("-i", flags.interval, false) * 1000;
      const mac = flags.mac === undefined ? undefined : parseMacArgument("--mac", flags.mac);
      const source = flags.source === undefined ? undefined : parseIpv6Argument("-s", flags.source).address;
      const iface = chooseInterface(flags.interface, split.iface, scoped);
      if (iface === undefined) throw new UsageError(NO_INTERFACE);
      const router = flags.router === true;
      await withPort(iface, false, async ({ port }) => {
        const sent = await announceNeighbors(
          port,
          scoped.map((s) => s.address),
          {
            count,
            intervalMs,
            router,
            ...(mac === undefined ? {} : { mac }),
            ...(source === undefined ? {} : { source }),
            onSent: (address) => out(`${iface}: unsolicited NA ${address} is-at ${mac ?? port.mac}, flags [${router ? "router, " : ""}override]`),
          },
        );
        out(`${sent} frame(s) sent`);
      });
    });

  ndp
    .command("probe")
    .description("Duplicate Address Detection (RFC 4862): is ADDRESS in use on the segment? exit 0 free, 1 in use")
    .argument("<address>", "IPv6 address to probe for (ADDRESS%IFACE, or the interface after it)")
    .argument("[iface]", "interface, as ndisc6 takes it (or -I)")
    .option("-I, --interface <iface>", "interface to probe on")
    .option("-c, --count <n>", "solicitations to send (RFC 4862 DupAddrDetectTransmits)", "1")
    .option("-i, --interval <seconds>", "between solicitations (RFC 4861 RetransTimer)", "1")
    .option("-w, --wait <seconds>", "listen this long after the last solicitation", "1")
    .action(async (addressText: string, ifaceWord: string | undefined, flags: { interface?: string; count: string; interval: string; wait: string }) => {
      const scoped = unicastArgument("address", addressText);
      const count = positive("-c", flags.count, true);
      const intervalMs = positive("-i", flags.interval, false) * 1000;
      const waitMs = positive("-w", flags.wait, false) * 1000;
      const iface = chooseInterface(flags.interface, ifaceWord, [scoped]);
      if (iface === undefined) throw new UsageError(NO_INTERFACE);
      const { address } = scoped;
      // promiscuous: another prober's solicitation goes to the address's solicited-node group, which
      // our interface has not joined (README, "takeover ndp")
      await withPort(iface, true, async ({ port }) => {
        const result = await detectDuplicate(port, address, { count, intervalMs, waitMs });
        if (result.conflict === undefined) {
          out(`${address} is free: nobody answered ${result.probesSent} DAD solicitation(s) on ${iface}`);
          process.exitCode = 0;
        } else {
          const how = { advertisement: "answered (Neighbor Advertisement)", solicitation: "uses it (Neighbor Solicitation from it)", probe: "is probing for it too (DAD)" }[result.conflict.how];
          out(`${address} is in use: ${result.conflict.mac} ${how}`);
          process.exitCode = 1;
        }
      });
    });

  ndp
    .command("who-has")
    .description("ask who has ADDRESS (as ndisc6) and print its MAC; exit 1 when nobody answers")
    .argument("<address>", "IPv6 address to resolve (a link-local one as ADDRESS%IFACE, or with -I)")
    .argument("[iface]", "interface, as ndisc6 takes it (or -I)")
    .option("-I, --interface <iface>", "interface to ask on (default: the route to ADDRESS)")
    .option("-c, --count <n>", "solicitations before giving up (ndisc6 -r)", "3")
    .option("-W, --timeout <seconds>", "wait for each advertisement", "1")
    .option("-s, --source <address>", "ask from this address of ours (default: ours in ADDRESS's prefix, else our link-local)")
    .action(async (addressText: string, ifaceWord: string | undefined, flags: { interface?: string; count: string; timeout: string; source?: string }) => {
      const scoped = unicastArgument("address", addressText);
      const attempts = positive("-c", flags.count, true);
      const timeoutMs = positive("-W", flags.timeout, false) * 1000;
      let iface = chooseInterface(flags.interface, ifaceWord, [scoped]);
      requireLinkFor([scoped], iface);
      const { address } = scoped;
      iface ??= await routedInterface(address);
      let source: Ipv6Address | undefined;
      if (flags.source !== undefined) {
        source = parseIpv6Argument("-s", flags.source).address;
        if (isUnspecified(source)) throw new UsageError("-s: a solicitation from :: is Duplicate Address Detection; use takeover ndp probe");
        if (isMulticast(source)) throw new UsageError(`-s: ${source} is a multicast address; give one of this host's addresses`);
      } else {
        source = chooseSource(interfaceIpv6Addresses(iface), address);
        if (source === undefined) throw new UsageError(`${iface} has no usable IPv6 address to ask from (IPv6 off, or addresses still tentative); give one with -s ADDRESS`);
      }
      const asking = source;
      await withPort(iface, false, async (opened) => {
        const resolver = new NeighborResolver(opened.port, asking);
        try {
          const answer = await resolver.resolve(address, { attempts, timeoutMs, fresh: true });
          out(`${address} is-at ${answer.mac}${answer.router ? " (router)" : ""} (${iface}, ${(answer.rttMicros / 1000).toFixed(3)} ms, solicitation ${answer.attempts})`);
        } catch (error) {
          if (!(error instanceof NeighborResolveError)) throw error;
          out(error.message);
          process.exitCode = 1;
        }
      });
    });
}

// What `takeover run` checks before it touches the box, as plain functions that need no privilege and
// send nothing, so `run` (prepare() in daemon.ts, and a reload) and `run --check` (src/cli/run.ts)
// apply the same rules with the same words: the interface and our addresses on its subnet, the exec
// checks' programs (StrictModes, as for hooks), and the interface checks' interfaces. Also the
// environment an exec check runs with.
import { findInterface, NetworkInterface } from "../link/interfaces";
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { isLinkLocal } from "../ndp/frames";
import type { ExecCheckConfig, TakeoverConfig } from "./config";
import { findSetpriv, hookProblem } from "./hooks";

/** A rule `run` would refuse to start on; the message is one line, `<key>: <problem>; <fix>`, without the file. */
export class PreflightError extends Error {
  override readonly name = "PreflightError";
}

/** Our real address as it is on the interface. */
export interface OwnAddress {
  readonly interface: NetworkInterface;
  readonly address: Ipv4;
  readonly prefixLength: number;
}

/**
 * The interface exists, carries node.address, and the other addresses are on its subnet.
 * @throws PreflightError naming the key
 */
export function findOwnAddress(config: TakeoverConfig): OwnAddress {
  let iface: NetworkInterface;
  try {
    iface = findInterface(config.interface);
  } catch (error) {
    throw new PreflightError(`interface: ${(error as Error).message}`);
  }
  const own = iface.ipv4.find((a) => a.address.equals(config.node.address));
  if (own === undefined) {
    const has = iface.ipv4.map((a) => `${a.address}/${a.prefixLength}`).join(", ") || "no IPv4 address";
    throw new PreflightError(`node.address: ${config.node.address} is not on ${config.interface} (it has ${has}); put this box's real address there, or fix the config`);
  }
  // the IPv4 ones (IPv6 public addresses are checked against the interface's IPv6 prefixes by prepare())
  const keyed = (side: "node" | "peer") =>
    config[side].publicAddresses.flatMap((p, i): [string, Ipv4][] => (p.address instanceof Ipv4 ? [[config[side].publicAddresses.length > 1 ? `${side}.publicAddress[${i}]` : `${side}.publicAddress`, p.address]] : []));
  const checked: [string, Ipv4][] = [...keyed("node"), ...keyed("peer"), ["peer.address", config.peer.address]];
  for (const [key, address] of checked) {
    if (!own.address.sameSubnet(address, own.prefixLength)) {
      throw new PreflightError(`${key}: ${address} is not on ${config.interface}'s subnet ${own.address}/${own.prefixLength}; the router could not reach it there`);
    }
  }
  return { interface: iface, address: own.address, prefixLength: own.prefixLength };
}

/**
 * An IPv6 public address outside every prefix the interface is on (its global and unique-local
 * addresses that takeover did not add), if the interface has any: the router would not send it
 * there. With only a link-local, there is nothing to compare with.
 */
/**
 * What keeps IPv6 public addresses or checks from working on the interface, given its IPv6 addresses:
 * no link-local (IPv6 off there), or an address outside its prefixes (ipv6PrefixProblem).
 */
export function ipv6Problem(config: TakeoverConfig, present: readonly { address: Ipv6Address; prefixLength: number; ours: boolean }[]): string | undefined {
  if (!present.some((a) => isLinkLocal(a.address))) {
    return `interface: ${config.interface} has no IPv6 link-local address (IPv6 is off there?), and the IPv6 public addresses and checks need one: enable IPv6 on it (sysctl net.ipv6.conf.${config.interface}.disable_ipv6=0)`;
  }
  return ipv6PrefixProblem(config, present);
}

export function ipv6PrefixProblem(config: TakeoverConfig, present: readonly { address: Ipv6Address; prefixLength: number; ours: boolean }[]): string | undefined {
  const onLink = present.filter((a) => !a.ours && !isLinkLocal(a.address));
  if (onLink.length === 0) return undefined;
  for (const side of ["node", "peer"] as const) {
    const list = config[side].publicAddresses;
    for (const [i, p] of list.entries()) {
      if (!(p.address instanceof Ipv6Address)) continue;
      const address = p.address;
      if (onLink.some((a) => samePrefix(a.address, address, a.prefixLength) && a.prefixLength === p.prefixLength)) continue;
      const key = `${side}.publicAddress${list.length > 1 ? `[${i}]` : ""}`;
      return `${key}: ${address}/${p.prefixLength} is not in a prefix of ${config.interface} (it has ${onLink.map((a) => `${a.address}/${a.prefixLength}`).join(", ")}); use an address and prefix length of the segment, or the router will not send it here`;
    }
  }
  return undefined;
}

function samePrefix(a: Ipv6Address, b: Ipv6Address, prefixLength: number): boolean {
  for (let bit = 0; bit < prefixLength; bit += 8) {
    const mask = prefixLength - bit >= 8 ? 0xff : (0xff << (8 - (prefixLength - bit))) & 0xff;
    if ((a.bytes[bit >> 3] & mask) !== (b.bytes[bit >> 3] & mask)) return false;
  }
  return true;
}

/** Why each exec check's program may not be run (StrictModes, setpriv missing), one line each: `checks[2].command: …`. */
export function execCheckProblems(config: TakeoverConfig): string[] {
  const problems: string[] = [];
  let needSetpriv: number | undefined;
  for (const [i, check] of config.checks.entries()) {
    if (check.type !== "exec") continue;
    const program = check.command[0];
    const problem = hookProblem(program);
    if (problem !== undefined) problems.push(`checks[${i}].command: ${program} ${problem.why}: ${problem.fix}`);
    if (!check.keepCapabilities) needSetpriv ??= i;
  }
  if (needSetpriv !== undefined && findSetpriv() === undefined) {
    problems.push(`checks[${needSetpriv}]: setpriv is not installed (exec checks run through it to drop every capability): apt-get install util-linux, or set keepCapabilities: true on the check`);
  }
  return problems;
}

/** The interface checks whose interface is absent now (they fail until it exists), one line each. */
export function interfaceCheckWarnings(config: TakeoverConfig): string[] {
  const warnings: string[] = [];
  for (const [i, check] of config.checks.entries()) {
    if (check.type !== "interface") continue;
    try {
      findInterface(check.interface);
    } catch (error) {
      warnings.push(`checks[${i}].interface: ${(error as Error).message}; the check "${check.name}" fails until it exists`);
    }
  }
  return warnings;
}

/** The TAKEOVER_* variables an exec check runs with (next to PATH and LANG=C: src/health/exec.ts). */
export function execCheckEnvironment(config: TakeoverConfig, check: ExecCheckConfig): Record<string, string> {
  return {
    TAKEOVER_CHECK: check.name,
    TAKEOVER_ROLE: check.role,
    TAKEOVER_NODE: config.node.name,
    TAKEOVER_PEER: config.peer.name,
    TAKEOVER_INTERFACE: config.interface,
    TAKEOVER_NODE_ADDRESS: config.node.address.toString(),
    TAKEOVER_NODE_PUBLIC_ADDRESS: config.node.publicAddress.toString(),
    TAKEOVER_PEER_ADDRESS: config.peer.address.toString(),
    TAKEOVER_PEER_PUBLIC_ADDRESS: config.peer.publicAddress.toString(),
    // with several public addresses: all of them, space-separated (the two above are the first)
    TAKEOVER_NODE_PUBLIC_ADDRESSES: config.node.publicAddresses.map((p) => p.address.toString()).join(" "),
    TAKEOVER_PEER_PUBLIC_ADDRESSES: config.peer.publicAddresses.map((p) => p.address.toString()).join(" "),
  };
}

// Network interface discovery for this host (its current network namespace): name, index, MAC,
// MTU, up/running, and IPv4 addresses with prefix length. It reads /sys/class/net and
// os.networkInterfaces(), so while interfaces are running no subprocess is started. libuv leaves out
// the addresses of interfaces that are down or without carrier, so for those (only) it asks
// `ip -j -4 addr`. Addresses given a label (`ip addr add … label eth0:vip`) are listed under their
// device, eth0. A read of /sys that fails for another reason than the file not being there (too many
// open files, say) is a SysReadError, never taken for an interface that is gone or down.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { Ipv4, Mac } from "../packets/address";

/** An IPv4 address on an interface. */
export interface InterfaceAddress {
  readonly address: Ipv4;
  readonly prefixLength: number;
  /** The address label: the device name, or an alias like "eth0:vip". */
  readonly label: string;
}

export interface NetworkInterface {
  readonly name: string;
  /** The kernel's interface index (ifindex). */
  readonly index: number;
  /** Hardware address; 00:00:00:00:00:00 for lo and for interfaces without one (tun). */
  readonly mac: Mac;
  readonly mtu: number;
  /** Administratively up (IFF_UP: `ip link set … up`). */
  readonly up: boolean;
  /** Up and with carrier: frames can flow. (/sys flags lack IFF_RUNNING; this reads `carrier`.) */
  readonly running: boolean;
  /** RFC 2863 state from the kernel: "up", "down", "lowerlayerdown", "unknown" (lo), … */
  readonly operState: string;
  readonly loopback: boolean;
  /** ARPHRD_* link type: 1 Ethernet, 772 loopback, 65534 none (tun). */
  readonly linkType: number;
  readonly ipv4: readonly InterfaceAddress[];
}

/** The few fields the link re-reads often to notice an interface going down, away or replaced. */
export interface InterfaceState {
  readonly index: number;
  readonly up: boolean;
  readonly running: boolean;
  readonly mac: Mac;
}

/** Thrown for an interface that does not exist or cannot be read. The message is one line. */
export class InterfaceError extends Error {
  override readonly name = "InterfaceError";
}

const SYS_NET = "/sys/class/net";
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const ARPHRD_ETHER = 1;

/**
 * A read of /sys failed for a reason that says nothing about the interface: too many open files
 * (EMFILE, ENFILE), no memory, … The link keeps its state and reads again; it never takes this for
 * "down" or "gone" (only the kernel says those: a file that is not there, a flag that is clear).
 */
export class SysReadError extends Error {
  override readonly name = "SysReadError";
}

/** What a failed read of /sys/class/net/NAME/FIELD means: the file (so the interface) is not there, or the field has no value now. */
const ABSENT = new Set(["ENOENT", "ENODEV", "ENXIO", "ENOTDIR", "EINVAL"]);

/** A field of /sys/class/net/NAME; undefined when absent (ABSENT). @throws SysReadError for any other failure */
function readSys(name: string, field: string): string | undefined {
  try {
    return readFileSync(`${SYS_NET}/${name}/${field}`, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && ABSENT.has(code)) return undefined;
    throw new SysReadError(`cannot read ${SYS_NET}/${name}/${field}: ${(error as Error).message}`);
  }
}

/** `carrier` reads "1" or "0", and fails (EINVAL) while the interface is down. */
function hasCarrier(name: string): boolean {
  return readSys(name, "carrier") === "1";
}

function parseMac(text: string | undefined): Mac {
  if (text === undefined || text === "") return Mac.ZERO;
  try {
    return Mac.parse(text);
  } catch {
    return Mac.ZERO; // not a 6-byte hardware address (e.g. ip6tnl, infiniband)
  }
}

/** Names of the interfaces in /sys/class/net, in no particular order. */
function interfaceNames(): string[] {
  try {
    return readdirSync(SYS_NET).filter((n) => !n.startsWith("."));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw new SysReadError(`cannot list interfaces: ${(error as Error).message}`);
    throw new InterfaceError(`cannot list interfaces: ${(error as Error).message} — is /sys mounted?`);
  }
}

/**
 * Index, up/running and MAC of `name`, or undefined when there is no such interface. Cheap: three small reads.
 * @throws SysReadError when /sys could not be read (see SysReadError): nothing is known then
 */
export function readInterfaceState(name: string): InterfaceState | undefined {
  const index = readSys(name, "ifindex");
  const flags = readSys(name, "flags");
  if (index === undefined || flags === undefined) return undefined;
  const bits = parseInt(flags, 16);
  const up = (bits & IFF_UP) !== 0;
  return { index: Number(index), up, running: up && hasCarrier(name), mac: parseMac(readSys(name, "address")) };
}

/** Netmask text (255.255.255.0) to prefix length (24); undefined for a non-contiguous mask. */
function prefixLengthOf(netmask: string): number | undefined {
  const value = Ipv4.parse(netmask).value;
  const inverted = ~value >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return 32 - Math.log2(inverted + 1);
}

function ipv4ByDevice(deviceNames: ReadonlySet<string>): Map<string, InterfaceAddress[]> {
  const byDevice = new Map<string, InterfaceAddress[]>();
  for (const [label, entries] of Object.entries(networkInterfaces())) {
    // libuv names addresses by label; a label is its device's name, or that name, ':' and more.
    const device = deviceNames.has(label) ? label : label.split(":")[0];
    if (!deviceNames.has(device) || entries === undefined) continue;
    for (const entry of entries) {
      if (entry.family !== "IPv4") continue;
      const prefixLength = entry.cidr === null ? prefixLengthOf(entry.netmask) : Number(entry.cidr.split("/")[1]);
      if (prefixLength === undefined) continue;
      const list = byDevice.get(device) ?? [];
      list.push({ address: Ipv4.parse(entry.address), prefixLength, label });
      byDevice.set(device, list);
    }
  }
  return byDevice;
}

/** IPv4 addresses of one interface from `ip -j -4 addr show dev NAME` (netlink knows them all). */
function ipv4FromIp(name: string): InterfaceAddress[] {
  const out = spawnSync("ip", ["-j", "-4", "addr", "show", "dev", name], { encoding: "utf8", timeout: 5000 });
  if (out.status !== 0) {
    if (readSys(name, "ifindex") === undefined) return []; // it went away meanwhile
    const why = out.error?.message ?? out.stderr.trim();
    throw new InterfaceError(`cannot read the addresses of ${name} (down or without carrier): ip -j addr failed: ${why} — is iproute2 installed?`);
  }
  const text = out.stdout.trim();
  if (text === "") return [];
  const parsed = JSON.parse(text) as Array<{ addr_info?: Array<{ family: string; local: string; prefixlen: number; label?: string }> }>;
  return (parsed[0]?.addr_info ?? [])
    .filter((a) => a.family === "inet")
    .map((a) => ({ address: Ipv4.parse(a.local), prefixLength: a.prefixlen, label: a.label ?? name }));
}

function readOne(name: string, addresses: Map<string, InterfaceAddress[]>): NetworkInterface | undefined {
  const index = readSys(name, "ifindex");
  const flags = readSys(name, "flags");
  if (index === undefined || flags === undefined) return undefined; // vanished while we looked
  const bits = parseInt(flags, 16);
  const linkType = Number(readSys(name, "type") ?? ARPHRD_ETHER);
  const up = (bits & IFF_UP) !== 0;
  const running = up && hasCarrier(name);
  return {
    name,
    index: Number(index),
    mac: parseMac(readSys(name, "address")),
    mtu: Number(readSys(name, "mtu") ?? 0),
    up,
    running,
    operState: readSys(name, "operstate") ?? "unknown",
    loopback: (bits & IFF_LOOPBACK) !== 0,
    linkType,
    ipv4: running ? (addresses.get(name) ?? []) : ipv4FromIp(name),
  };
}

/** Every interface of this host (network namespace), ordered by index. */
export function listInterfaces(): NetworkInterface[] {
  const names = interfaceNames();
  const addresses = ipv4ByDevice(new Set(names));
  const found: NetworkInterface[] = [];
  for (const name of names) {
    const one = readOne(name, addresses);
    if (one !== undefined) found.push(one);
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * The interface called `name`.
 * @throws InterfaceError `no interface "eht0"; this host has: lo, eth0` when there is none
 */
export function findInterface(name: string): NetworkInterface {
  const names = interfaceNames();
  if (names.includes(name)) {
    const one = readOne(name, ipv4ByDevice(new Set(names)));
    if (one !== undefined) return one;
  }
  const have = listInterfaces().map((i) => i.name);
  throw new InterfaceError(`no interface "${name}"; this host has: ${have.length === 0 ? "(none)" : have.join(", ")}`);
}

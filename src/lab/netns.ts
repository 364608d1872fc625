// A network laboratory made of Linux network namespaces: one namespace per host, and one "switch"
// namespace holding a bridge per segment, each host's veth plugged into its segment's bridge. The
// host's root namespace is never touched. Every namespace name starts with a per-run prefix
// (`tk-<pid>-<random>-`), so labs of concurrent runs do not meet, and whatever a crashed run left
// behind can be recognised (its pid is dead) and removed. Tests, benchmarks and `takeover lab`
// build their topologies with it.

import { ChildProcess, spawn as spawnChild } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname } from "node:path";
import { Ipv4, Mac } from "../packets/address";
import { CommandOptions, CommandResult, run, runSync } from "./command";
import { NodeWorker } from "./worker";

/** One network interface of a host, plugged into a segment (a bridge in the switch namespace). */
export interface LinkSpec {
  /** The segment (bridge) the interface is plugged into. Default "lan". */
  readonly segment?: string;
  /**
   * Addresses with prefix length, e.g. "192.0.2.17/24", or "2001:db8:1::1/64" in a lab with `ipv6`
   * (added with nodad: usable at once, no duplicate address detection to wait for).
   */
  readonly address?: string | readonly string[];
  /** MAC address for the interface; the kernel picks a random one when absent. */
  readonly mac?: string;
  /** MTU of the interface (and of its switch port). Default 1500. */
  readonly mtu?: number;
}

/** A host: a namespace with lo and one interface (`eth0`), or several (`links` → eth0, eth1, …). */
export interface HostSpec extends LinkSpec {
  /** Short name: lower-case letters, digits and '-', at most 12 characters, not "switch". */
  readonly name: string;
  /** Interfaces in order (eth0, eth1, …); when given, the host's own segment/address/mac/mtu are not used. */
  readonly links?: readonly LinkSpec[];
  /** Default route via this address (IPv4). */
  readonly gateway?: string;
  /** Forward IPv4 between interfaces (a router). Default false. */
  readonly forwarding?: boolean;
}

export interface LabSpec {
  readonly hosts: readonly HostSpec[];
  /** Leave IPv6 on (router solicitations, MLD and DAD then appear in captures). Default false. */
  readonly ipv6?: boolean;
  /**
   * Allow addresses outside the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24.
   * Default false: a lab should not look like any real network.
   */
  readonly anyAddress?: boolean;
}

/**
 * Three ways a box loses its link: `carrier`, its switch port goes down (the cable pulled, the
 * switch rebooting); `admin`, the box sets its own interface down (`ip link set dev eth0 down`:
 * ifdown, a driver reset, a network manager restart); `recreate`, the interface is deleted and
 * made again (a driver reload, a veth re-created): same name and MAC, a new ifindex, only the
 * real addresses put back.
 */
export type OutageKind = "carrier" | "admin" | "recreate";
export const OUTAGE_KINDS: readonly OutageKind[] = ["carrier", "admin", "recreate"];

/** One entry of `ip -j neigh`. */
export interface Neighbour {
  readonly address: string;
  readonly interface: string;
  /** Absent while the entry is INCOMPLETE or FAILED. */
  readonly mac: Mac | undefined;
  /** NUD states, e.g. ["REACHABLE"], ["STALE"], ["PERMANENT"]. */
  readonly states: readonly string[];
}

/** Thrown for a lab spec that cannot be built, or a host or interface the lab does not have. */
export class LabError extends Error {
  override readonly name = "LabError";
}

interface LinkState {
  readonly interface: string;
  readonly port: string;
  readonly segment: string;
  readonly bridge: string;
  readonly addresses: readonly string[];
  readonly mtu: number | undefined;
  readonly requestedMac: string | undefined;
  mac: Mac;
}

interface HostState {
  readonly spec: HostSpec;
  readonly namespace: string;
  readonly links: LinkState[];
}

/** Namespaces of a run look like `tk-<pid>-<hex>-<name>`. */
const NAMESPACE_PATTERN = /^tk-(\d+)-([0-9a-f]+)-(.+)$/;
const HOST_NAME_PATTERN = /^[a-z][a-z0-9-]{0,11}$/;
const SEGMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,11}$/;
const SWITCH = "switch";
const DOCUMENTATION_NETWORKS = ["192.0.2.0", "198.51.100.0", "203.0.113.0"].map((n) => Ipv4.parse(n));

const liveLabs = new Set<Lab>();

/** Where a lab left up on purpose (`takeover lab --keep`) is recorded, so that it outlives its process. */
export const KEPT_LAB_FILE = "/run/takeover/lab.json";

/** What `takeover lab --keep` leaves behind, and `takeover lab down` removes. */
export interface KeptLab {
  readonly prefix: string;
  readonly namespaces: readonly string[];
  /** processes started in the lab (daemons, web servers) */
  readonly pids: readonly number[];
  readonly logDir?: string;
}

export function readKeptLab(): KeptLab | undefined {
  try {
    return JSON.parse(readFileSync(KEPT_LAB_FILE, "utf8")) as KeptLab;
  } catch {
    return undefined;
  }
}
let exitHookInstalled = false;

function destroyAllSync(): void {
  for (const lab of [...liveLabs]) {
    try {
      lab.destroySync();
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", destroyAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // Only when nobody else handles the signal: then Node would die without an 'exit' event.
    if (process.listenerCount(signal) > 0) continue;
    const onSignal = (): void => {
      destroyAllSync();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** An IPv6 address with prefix length, written as `ip` takes it ("2001:db8:1::1/64"). */
const IPV6_CIDR = /^([0-9a-fA-F:]*:[0-9a-fA-F:.]*)\/(\d{1,3})$/;

/** Whether `text` is an IPv6 address/prefix-length rather than an IPv4 one. */
export function isIpv6Cidr(text: string): boolean {
  return IPV6_CIDR.test(text);
}

/**
 * Checks an IPv6 address/prefix-length for a lab: well formed, and in the documentation prefix
 * 2001:db8::/32 unless `anyAddress`.
 */
function checkIpv6Cidr(text: string, anyAddress: boolean, ipv6: boolean): void {
  const match = IPV6_CIDR.exec(text);
  if (match === null || Number(match[2]) > 128 || isIP(match[1]) !== 6) {
    throw new LabError(`lab address "${text}" is not IPv6-address/prefix-length, like 2001:db8:1::1/64`);
  }
  if (!ipv6) throw new LabError(`lab address "${text}" is IPv6, but the lab has IPv6 off; set ipv6: true in the lab spec`);
  const first = match[1].toLowerCase().split(":");
  if (!anyAddress && !(first[0] === "2001" && /^0*db8$/.test(first[1] ?? ""))) {
    throw new LabError(`lab address "${text}" is outside 2001:db8::/32; use that, or set anyAddress`);
  }
}

function parseCidr(text: string, anyAddress: boolean): { address: Ipv4; prefixLength: number } {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (match === null || Number(match[2]) > 32) {
    throw new LabError(`lab address "${text}" is not address/prefix-length, like 192.0.2.17/24`);
  }
  const address = Ipv4.parse(match[1]);
  const prefixLength = Number(match[2]);
  if (!anyAddress && !DOCUMENTATION_NETWORKS.some((n) => n.sameSubnet(address, 24))) {
    throw new LabError(
      `lab address "${text}" is outside 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24; use those, or set anyAddress`,
    );
  }
  return { address, prefixLength };
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Names of all network namespaces (`ip netns list`). */
export function listNamespaces(): string[] {
  const out = runSync(["ip", "netns", "list"], { check: true });
  return out.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((name) => name !== undefined && name !== "");
}

/**
 * A built lab. Hosts are named by their spec name; `ns(name)` is the namespace to use with other
 * tools. Methods that run something do it inside the host's namespace.
 */
export class Lab {
  private readonly hostsByName = new Map<string, HostState>();
  private readonly children = new Set<ChildProcess>();
  private readonly createdNamespaces: string[] = [];
  private destroying: Promise<void> | undefined;
  private destroyed = false;

  private constructor(
    /** Every namespace of this lab starts with it, e.g. "tk-4242-9f3a-". */
    readonly prefix: string,
    readonly spec: LabSpec,
  ) {}

  /** Builds the lab. On any failure, what was already made is removed before the error is thrown. */
  static async create(spec: LabSpec): Promise<Lab> {
    Lab.cleanupStale();
    const prefix = `tk-${process.pid}-${randomBytes(3).toString("hex")}-`;
    const lab = new Lab(prefix, spec);
    lab.plan();
    liveLabs.add(lab);
    installExitHook();
    try {
      await lab.build();
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /**
   * Deletes namespaces left by runs whose process is gone (`tk-<dead pid>-…`). Returns their names.
   * Namespaces of live processes, this one included, are left alone.
   */
  static cleanupStale(): string[] {
    const removed: string[] = [];
    const kept = readKeptLab();
    for (const name of listNamespaces()) {
      const match = NAMESPACE_PATTERN.exec(name);
      if (match === null) continue;
      const pid = Number(match[1]);
      if (pid === process.pid || isPidAlive(pid)) continue;
      if (kept !== undefined && name.startsWith(kept.prefix)) continue; // left up on purpose
      const result = runSync(["ip", "netns", "delete", name]);
      if (result.status === 0) removed.push(name);
    }
    return removed;
  }

  /** Names of the hosts, in spec order. */
  get hostNames(): string[] {
    return [...this.hostsByName.keys()];
  }

  /** The namespace holding the bridges. */
  get switchNamespace(): string {
    return this.prefix + SWITCH;
  }

  /** Every namespace this lab made (hosts and switch). */
  get namespaces(): string[] {
    return [...this.createdNamespaces];
  }

  /** The full namespace name of a host. */
  ns(host: string): string {
    return this.host(host).namespace;
  }

  /** The interface name inside the host, e.g. "eth0" for `index` 0. */
  interfaceOf(host: string, index = 0): string {
    return this.link(host, index).interface;
  }

  macOf(host: string, index = 0): Mac {
    return this.link(host, index).mac;
  }

  /** The interface's addresses as given in the spec ("192.0.2.17/24"). */
  addressesOf(host: string, index = 0): readonly string[] {
    return this.link(host, index).addresses;
  }

  /** The interface's first IPv4 address without prefix length. */
  ipOf(host: string, index = 0): Ipv4 {
    const first = this.link(host, index).addresses.find((a) => !isIpv6Cidr(a));
    if (first === undefined) throw new LabError(`lab host "${host}" has no address on ${this.interfaceOf(host, index)}`);
    return Ipv4.parse(first.split("/")[0]);
  }

  /** The name of the host's port on the bridge, in the switch namespace. */
  portOf(host: string, index = 0): string {
    return this.link(host, index).port;
  }

  /** Runs `argv` in the host's namespace and waits for it (blocking). */
  exec(host: string, argv: readonly string[], options?: CommandOptions): CommandResult {
    return runSync(["ip", "netns", "exec", this.ns(host), ...argv], options);
  }

  /** Runs `argv` in the host's namespace without blocking. */
  execAsync(host: string, argv: readonly string[], options?: CommandOptions): Promise<CommandResult> {
    return run(["ip", "netns", "exec", this.ns(host), ...argv], options);
  }

  /**
   * Starts `argv` in the host's namespace with piped stdio. The lab kills it on destroy if it is
   * still running; `ip netns exec` execs the program, so the child's pid is the program's.
   */
  spawn(host: string, argv: readonly string[]): ChildProcess {
    const child = spawnChild("ip", ["netns", "exec", this.ns(host), ...argv], { stdio: ["pipe", "pipe", "pipe"] });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    child.on("error", () => this.children.delete(child));
    return child;
  }

  /**
   * Runs a compiled Node script in the host's namespace as a worker (see worker.ts): `input` is
   * passed as JSON in argv[2], JSON lines it prints are collected. `wrapper` goes before node, e.g.
   * `["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]` to run it unprivileged;
   * `nodeOptions` go to node itself, e.g. `["--expose-gc"]`.
   */
  runNode<M extends Record<string, unknown> = Record<string, unknown>>(
    host: string,
    script: string,
    input: unknown = {},
    options: { readonly wrapper?: readonly string[]; readonly nodeOptions?: readonly string[]; readonly label?: string } = {},
  ): NodeWorker<M> {
    const node = [process.execPath, ...(options.nodeOptions ?? [])];
    const child = this.spawn(host, [...(options.wrapper ?? []), ...node, script, JSON.stringify(input)]);
    return new NodeWorker<M>(options.label ?? `${script.split("/").pop()} in ${this.ns(host)}`, child);
  }

  /** Unplugs the host's interface: its switch port goes down, so the host sees no carrier. */
  cut(host: string, index = 0): void {
    runSync(["ip", "-n", this.switchNamespace, "link", "set", this.link(host, index).port, "down"], { check: true });
  }

  /** Plugs the interface back in (undoes `cut`). */
  restore(host: string, index = 0): void {
    runSync(["ip", "-n", this.switchNamespace, "link", "set", this.link(host, index).port, "up"], { check: true });
  }

  /**
   * Sets the host's interface administratively down inside the host (`ip link set dev eth0 down`,
   * as `ifdown`, a driver reset or a network manager restart does). Its IPv4 addresses stay, its
   * routes go; the switch port loses its carrier.
   */
  adminDown(host: string, index = 0): void {
    runSync(["ip", "-n", this.ns(host), "link", "set", "dev", this.link(host, index).interface, "down"], { check: true });
  }

  /** Sets the host's interface up again inside the host (undoes `adminDown`). */
  adminUp(host: string, index = 0): void {
    runSync(["ip", "-n", this.ns(host), "link", "set", "dev", this.link(host, index).interface, "up"], { check: true });
  }

  /**
   * Deletes the host's interface, as a driver unload or a veth torn down does: the pair goes, with
   * every address on the interface (the host's real address and any other, e.g. a failover alias).
   */
  removeInterface(host: string, index = 0): void {
    runSync(["ip", "-n", this.ns(host), "link", "delete", "dev", this.link(host, index).interface], { check: true });
  }

  /**
   * Makes the interface `removeInterface` deleted again, as a driver reload and a network manager
   * would: the veth pair with the same names and the same MAC (a new ifindex), the switch end put
   * back on its bridge and up, the host end up, then the spec's addresses added (only those: the
   * real addresses, not whatever else the interface carried) and the default route if the host has
   * one.
   */
  recreateInterface(host: string, index = 0): void {
    const ns = this.ns(host);
    const link = this.link(host, index);
    const mtu = link.mtu === undefined ? [] : ["mtu", String(link.mtu)];
    const ip = (...args: string[]) => runSync(["ip", ...args], { check: true });
    ip("-n", ns, "link", "add", link.interface, "address", link.mac.toString(), ...mtu, "type", "veth", "peer", "name", link.port, "netns", this.switchNamespace, ...mtu);
    ip("-n", this.switchNamespace, "link", "set", link.port, "master", link.bridge, "up");
    ip("-n", ns, "link", "set", link.interface, "up");
    for (const address of link.addresses) ip("-n", ns, "addr", "add", address, "dev", link.interface, ...(isIpv6Cidr(address) ? ["nodad"] : []));
    const gateway = this.host(host).spec.gateway;
    const onLink = (cidr: string) => {
      if (isIpv6Cidr(cidr)) return false;
      const { address, prefixLength } = parseCidr(cidr, true);
      return gateway !== undefined && address.sameSubnet(Ipv4.parse(gateway), prefixLength);
    };
    if (gateway !== undefined && link.addresses.some(onLink)) ip("-n", ns, "route", "replace", "default", "via", gateway);
  }

  /**
   * Starts an outage of the host's interface: `carrier` unplugs it at the switch (`cut`), `admin`
   * sets it down inside the host (`adminDown`), `recreate` deletes it (`removeInterface`).
   */
  beginOutage(host: string, kind: OutageKind, index = 0): void {
    if (kind === "carrier") this.cut(host, index);
    else if (kind === "admin") this.adminDown(host, index);
    else this.removeInterface(host, index);
  }

  /** Ends the outage `beginOutage` started: `restore`, `adminUp` or `recreateInterface`. */
  endOutage(host: string, kind: OutageKind, index = 0): void {
    if (kind === "carrier") this.restore(host, index);
    else if (kind === "admin") this.adminUp(host, index);
    else this.recreateInterface(host, index);
  }

  /** The host's neighbour table: ARP entries, and with `ipv6` NDP ones (`ip -6 neigh`) too. */
  neighbours(host: string): Neighbour[] {
    const out = runSync(["ip", "-n", this.ns(host), "-j", "neigh", "show"], { check: true });
    const text = out.stdout.trim();
    if (text === "") return [];
    const entries = JSON.parse(text) as Array<{ dst: string; dev: string; lladdr?: string; state?: string[] }>;
    return entries.map((e) => ({
      address: e.dst,
      interface: e.dev,
      mac: e.lladdr === undefined ? undefined : Mac.parse(e.lladdr),
      states: e.state ?? [],
    }));
  }

  /**
   * In a lab with `ipv6`: waits until no address of any host is tentative any more (the kernel's
   * duplicate address detection of the link-local addresses, about a second after link-up; until
   * it ends, a host does not answer Neighbor Solicitations from its link-local). Polls every 100 ms.
   * @throws LabError naming the hosts still tentative after `timeoutMs`
   */
  async awaitIpv6Ready(timeoutMs = 5000): Promise<void> {
    if (this.spec.ipv6 !== true) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tentative: string[] = [];
      for (const host of this.hostNames) {
        const shown = await run(["ip", "-n", this.ns(host), "-6", "addr", "show", "tentative"], { check: true });
        if (shown.stdout.trim() !== "") tentative.push(host);
      }
      if (tentative.length === 0) return;
      if (Date.now() >= deadline) throw new LabError(`lab hosts ${tentative.join(", ")} still have tentative IPv6 addresses after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Loads an nft ruleset (text for `nft -f -`) into the host's namespace. */
  nft(host: string, ruleset: string): void {
    this.exec(host, ["nft", "-f", "-"], { check: true, input: ruleset });
  }

  /** Removes every nft rule in the host's namespace. */
  nftFlush(host: string): void {
    this.exec(host, ["nft", "flush", "ruleset"], { check: true });
  }

  /** Sets a sysctl in the host's namespace, e.g. `sysctl("router", "net.ipv4.ip_forward", "1")`. */
  sysctl(host: string, key: string, value: string): void {
    this.exec(host, ["sysctl", "-qw", `${key}=${value}`], { check: true });
  }

  /**
   * Kills what the lab spawned and deletes its namespaces (their interfaces, bridges and addresses go
   * with them). Safe to call more than once and concurrently.
   */
  destroy(): Promise<void> {
    if (this.destroying === undefined) this.destroying = this.destroyNow();
    return this.destroying;
  }

  /**
   * Leaves the lab up after this process ends: records it in KEPT_LAB_FILE (with `pids`, processes
   * started in it that should go with it) and stops tracking it, so neither the exit hook nor a
   * later run's stale cleanup deletes it. `Lab.removeKept()` takes it down.
   */
  keep(pids: readonly number[], logDir?: string): KeptLab {
    const state: KeptLab = { prefix: this.prefix, namespaces: [...this.createdNamespaces], pids: [...pids], logDir };
    mkdirSync(dirname(KEPT_LAB_FILE), { recursive: true });
    writeFileSync(KEPT_LAB_FILE, `${JSON.stringify(state, null, 2)}\n`);
    this.children.clear();
    liveLabs.delete(this);
    this.destroyed = true;
    return state;
  }

  /** Takes down the lab recorded by `keep`: ends its processes, deletes its namespaces. */
  static removeKept(): KeptLab | undefined {
    let kept = readKeptLab();
    if (kept === undefined) return undefined;
    const signal = (pid: number, sig: NodeJS.Signals | 0): boolean => {
      try {
        process.kill(pid, sig);
        return true;
      } catch {
        return false; // already gone
      }
    };
    // a pid recorded long ago may belong to someone else by now: only signal our own programs
    const ours = (pid: number): boolean => {
      try {
        return /web-server\.js|cli\/main\.js/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
      } catch {
        return false;
      }
    };
    kept = { ...kept, pids: kept.pids.filter(ours) };
    for (const pid of kept.pids) signal(pid, "SIGTERM");
    // daemons hand back what they hold on SIGTERM: give them up to 3 s, then kill what is left
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; waited < 3000 && kept.pids.some((pid) => signal(pid, 0)); waited += 50) Atomics.wait(pause, 0, 0, 50);
    for (const pid of kept.pids) signal(pid, "SIGKILL");
    const existing = new Set(listNamespaces());
    for (const name of [...kept.namespaces].reverse()) {
      if (existing.has(name)) runSync(["ip", "netns", "delete", name]);
    }
    rmSync(KEPT_LAB_FILE, { force: true });
    return kept;
  }

  /** `destroy` without waiting politely: for the process 'exit' hook, where nothing async runs. */
  destroySync(): void {
    if (this.destroyed) return;
    for (const child of this.children) child.kill("SIGKILL");
    this.deleteNamespaces();
  }

  private async destroyNow(): Promise<void> {
    const running = [...this.children].filter((c) => c.exitCode === null && c.signalCode === null);
    const ended = running.map((c) => new Promise<void>((resolve) => c.once("exit", () => resolve())));
    for (const child of running) child.kill("SIGTERM");
    const allEnded = Promise.all(ended);
    const timeout = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 2000).unref());
    if ((await Promise.race([allEnded, timeout])) === "late") {
      for (const child of running) child.kill("SIGKILL");
      await Promise.race([allEnded, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    }
    this.deleteNamespaces();
  }

  private deleteNamespaces(): void {
    const existing = new Set(listNamespaces());
    const failures: string[] = [];
    // Hosts first, then the switch: by then every veth is gone with its namespace.
    for (const name of [...this.createdNamespaces].reverse()) {
      if (!existing.has(name)) continue;
      const result = runSync(["ip", "netns", "delete", name]);
      if (result.status !== 0) failures.push(`${name}: ${result.stderr.trim()}`);
    }
    this.createdNamespaces.length = 0;
    this.destroyed = true;
    liveLabs.delete(this);
    if (failures.length > 0) throw new LabError(`could not delete lab namespaces: ${failures.join("; ")}`);
  }

  private host(name: string): HostState {
    const host = this.hostsByName.get(name);
    if (host === undefined) {
      throw new LabError(`lab has no host "${name}"; it has: ${this.hostNames.join(", ")}`);
    }
    return host;
  }

  private link(hostName: string, index: number): LinkState {
    const host = this.host(hostName);
    const link = host.links[index];
    if (link === undefined) {
      throw new LabError(`lab host "${hostName}" has no interface number ${index}; it has ${host.links.length}`);
    }
    return link;
  }

  /** Checks the spec and works out names; creates nothing. */
  private plan(): void {
    const anyAddress = this.spec.anyAddress === true;
    if (this.spec.hosts.length === 0) throw new LabError("lab spec has no hosts");
    for (const spec of this.spec.hosts) {
      if (!HOST_NAME_PATTERN.test(spec.name) || spec.name === SWITCH) {
        throw new LabError(
          `lab host name "${spec.name}" must be 1-12 lower-case letters, digits or '-', start with a letter, and not be "switch"`,
        );
      }
      if (this.hostsByName.has(spec.name)) throw new LabError(`lab host name "${spec.name}" is used twice`);
      const linkSpecs: readonly LinkSpec[] = spec.links ?? [spec];
      const links = linkSpecs.map((l, i): LinkState => {
        const segment = l.segment ?? "lan";
        if (!SEGMENT_NAME_PATTERN.test(segment)) {
          throw new LabError(`lab segment name "${segment}" must be 1-12 lower-case letters, digits or '-'`);
        }
        const addresses = l.address === undefined ? [] : typeof l.address === "string" ? [l.address] : [...l.address];
        for (const a of addresses) {
          if (isIpv6Cidr(a)) checkIpv6Cidr(a, anyAddress, this.spec.ipv6 === true);
          else parseCidr(a, anyAddress);
        }
        if (l.mac !== undefined) Mac.parse(l.mac);
        return {
          interface: `eth${i}`,
          port: `${spec.name}-${i}`,
          segment,
          bridge: `br-${segment}`,
          addresses,
          mtu: l.mtu,
          requestedMac: l.mac,
          mac: Mac.ZERO,
        };
      });
      if (spec.gateway !== undefined) parseCidr(`${spec.gateway}/32`, anyAddress);
      this.hostsByName.set(spec.name, { spec, namespace: this.prefix + spec.name, links });
    }
  }

  private async ip(...args: string[]): Promise<void> {
    await run(["ip", ...args], { check: true });
  }

  private async addNamespace(name: string): Promise<void> {
    await this.ip("netns", "add", name);
    this.createdNamespaces.push(name);
    await this.ip("-n", name, "link", "set", "lo", "up");
    if (this.spec.ipv6 !== true) {
      await run(
        ["ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"],
        { check: true },
      );
    }
  }

  private async build(): Promise<void> {
    const sw = this.switchNamespace;
    await this.addNamespace(sw);
    const bridges = new Set<string>();
    for (const host of this.hostsByName.values()) {
      for (const link of host.links) {
        if (bridges.has(link.bridge)) continue;
        bridges.add(link.bridge);
        await this.ip("-n", sw, "link", "add", link.bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        await this.ip("-n", sw, "link", "set", link.bridge, "up");
      }
    }
    for (const host of this.hostsByName.values()) {
      const ns = host.namespace;
      await this.addNamespace(ns);
      if (host.spec.forwarding === true) {
        await run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"], { check: true });
      }
      for (const link of host.links) {
        const mtu = link.mtu === undefined ? [] : ["mtu", String(link.mtu)];
        const mac = link.requestedMac === undefined ? [] : ["address", link.requestedMac];
        await this.ip("-n", ns, "link", "add", link.interface, ...mac, ...mtu, "type", "veth", "peer", "name", link.port, "netns", sw, ...mtu);
        await this.ip("-n", sw, "link", "set", link.port, "master", link.bridge, "up");
        for (const address of link.addresses) await this.ip("-n", ns, "addr", "add", address, "dev", link.interface, ...(isIpv6Cidr(address) ? ["nodad"] : []));
        await this.ip("-n", ns, "link", "set", link.interface, "up");
        const shown = await run(["ip", "-n", ns, "-j", "link", "show", "dev", link.interface], { check: true });
        const [info] = JSON.parse(shown.stdout) as Array<{ address: string }>;
        link.mac = Mac.parse(info.address);
      }
      if (host.spec.gateway !== undefined) await this.ip("-n", ns, "route", "add", "default", "via", host.spec.gateway);
    }
  }
}

/** Builds a lab, runs `use` with it, and destroys the lab whatever `use` does. */
export async function withLab<T>(spec: LabSpec, use: (lab: Lab) => Promise<T> | T): Promise<T> {
  const lab = await Lab.create(spec);
  try {
    return await use(lab);
  } finally {
    await lab.destroy();
  }
}

// The config file of `takeover run`: YAML, read keeping node positions so every complaint carries its
// line; each section checked with zod (unknown keys, types, ranges), then the rules that span keys
// (distinct addresses, timeout within interval, unique names, label length) and the defaults, giving a
// fully resolved TakeoverConfig: Ipv4 and Mac objects, durations in microseconds. Everything wrong is
// reported at once, one line per problem: `brain.yaml:7: peer.publicAddress: <value> <what> <fix>`.
import { constants } from "node:fs";
import { FileHandle, open } from "node:fs/promises";
import { isIPv6 } from "node:net";
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node as YamlNode, parseDocument } from "yaml";
import { z } from "zod";
import type { AnnounceForm } from "../arp/announcer";
import { AddressError, Ipv4, Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { DurationError, formatDuration, parseDuration } from "./duration";
import { Level, LEVELS, LOG_FORMATS, LogFormat } from "./log";
import { HOOK_EVENTS, HookEvent } from "./config-values";
import { Failback } from "./machine";

export type Micros = number;

/** A public address or a check's target: IPv4, or IPv6 (public IPv6 addresses move by NDP, src/ndp). */
export type IpAddress = Ipv4 | Ipv6Address;

/** The same address (either family). */
export function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a instanceof Ipv4 ? b instanceof Ipv4 && a.equals(b) : b instanceof Ipv6Address && a.equals(b);
}

export type CheckType = "icmp" | "http" | "tcp" | "exec" | "interface";

/**
 * What a check looks at: the peer's real address, the peer's or our public address, or any other
 * address (`"address"`). A literal equal to one of the named addresses is resolved to that name.
 */
export type CheckTarget = "peer" | "peer-public" | "self-public" | "address";

interface CheckCommon {
  /** unique; default `<type>-<target>`, e.g. `icmp-peer`, `tcp-192.0.2.1`; `exec-<program>`, `interface-<name>` */
  readonly name: string;
  /** "self": gates holding our own public address (target self-public, or said so); else "peer" */
  readonly role: "peer" | "self";
  /** target is the peer's public address: not run while we hold it */
  readonly targetsPeerPublic: boolean;
  readonly intervalMicros: Micros;
  /** at most intervalMicros */
  readonly timeoutMicros: Micros;
  /** failures in a row that mark the target down */
  readonly fall: number;
  /** passes in a row that mark it up again */
  readonly rise: number;
}

/** A check that contacts an address over the network. */
interface NetworkCheckCommon extends CheckCommon {
  readonly target: CheckTarget;
  /** the address the check contacts (IPv6: ICMPv6 echo through our own prober, HTTP and TCP to [v6]:port) */
  readonly address: IpAddress;
}

export interface IcmpCheckConfig extends NetworkCheckCommon {
  readonly type: "icmp";
}

export interface TcpCheckConfig extends NetworkCheckCommon {
  readonly type: "tcp";
  readonly port: number;
}

export interface HttpCheckConfig extends NetworkCheckCommon {
  readonly type: "http";
  readonly port: number;
  /** starts with "/" */
  readonly path: string;
  /** Host header; default the target address */
  readonly host?: string;
  readonly expectStatus: number;
  /** the body (its first maxBytes) must contain this */
  readonly bodyContains?: string;
  /** read at most this much of the body */
  readonly maxBytes: number;
}

/** A program run without a shell (src/health/exec.ts): exit status 0 passes (keepalived's track_script). */
export interface ExecCheckConfig extends CheckCommon {
  readonly type: "exec";
  /** argv: an absolute path, then the arguments */
  readonly command: readonly string[];
  /** false (the default): run through setpriv with every capability dropped, as hooks are */
  readonly keepCapabilities: boolean;
}

/** Another interface up with carrier (src/health/interface.ts; keepalived's track_interface). Always a self check. */
export interface InterfaceCheckConfig extends CheckCommon {
  readonly type: "interface";
  readonly interface: string;
}

export type NetworkCheckConfig = IcmpCheckConfig | TcpCheckConfig | HttpCheckConfig;
export type CheckConfig = NetworkCheckConfig | ExecCheckConfig | InterfaceCheckConfig;

/** One public address, with the prefix length written after it, if any. */
export interface PublicAddress {
  /** IPv4 (moved by ARP) or IPv6 (moved by NDP) */
  readonly address: IpAddress;
  /** from `a.b.c.d/nn`; absent: the node's first public address's, else the interface's. Always given for IPv6. */
  readonly prefixLength?: number;
}

/** The most public addresses one box may have: each is probed, announced and verified on its own. */
export const MAX_PUBLIC_ADDRESSES = 64;

export interface NodeConfig {
  readonly name: string;
  /** the box's real address, already on the interface */
  readonly address: Ipv4;
  /** the first IPv4 one of publicAddresses (a box has at least one) */
  readonly publicAddress: Ipv4;
  /** that address's prefix length, if written; absent: the daemon uses the interface's */
  readonly publicPrefixLength?: number;
  /** the addresses takeover moves between the boxes (one or a list): this box's while it is healthy; they move together */
  readonly publicAddresses: readonly PublicAddress[];
}

export interface PeerConfig extends NodeConfig {
  /** absent: learned by ARP */
  readonly mac?: Mac;
  /** true: it claims its address back itself; false: a plain host, handed back when its checks pass */
  readonly runsTakeover: boolean;
}

/** Gratuitous ARP after a claim (keepalived's garp_master_repeat, garp_master_delay, garp_master_refresh). */
export interface AnnounceConfig {
  readonly count: number;
  readonly intervalMicros: Micros;
  readonly form: AnnounceForm;
  /** announce held addresses again this often; 0 = never */
  readonly refreshMicros: Micros;
  /** IPv6: the Router flag of our Neighbor Advertisements (set only if this box routes for the segment) */
  readonly router: boolean;
}

/** RFC 5227 probing before an address is claimed. */
export interface ClaimConfig {
  readonly probes: number;
  readonly probeIntervalMicros: Micros;
  /** keep listening this long after the last probe */
  readonly probeWaitMicros: Micros;
  /** wait this long before probing again after a probe was answered */
  readonly retryMicros: Micros;
  /** while holding the peer's address, ask who else has it this often (the home node's answer ends it) */
  readonly verifyIntervalMicros: Micros;
}

export interface ConflictsConfig {
  /** give a held address up when a host other than the peer claims it */
  readonly yieldToStrangers: boolean;
  /** per claiming host, after its burst: one defending announcement per this interval */
  readonly defendIntervalMicros: Micros;
  /** per claiming host: claims answered at once before the interval applies */
  readonly defendBurst: number;
}

/** Where the status listener (`GET /metrics`, `GET /status`) binds. */
export interface ListenAddress {
  /** an IPv4 or IPv6 literal */
  readonly host: string;
  /** 0: any free port (tests) */
  readonly port: number;
}

export interface StatusConfig {
  /** absent: `listen: off`, no listener */
  readonly listen?: ListenAddress;
}

// HOOK_EVENTS and machineConfigOf live in config-values.ts, which the running daemon imports instead
// of this module (so that the parser, zod and yaml can be unloaded once the config is read: run.ts)
export { HOOK_EVENTS, machineConfigOf } from "./config-values";
export type { HookEvent } from "./config-values";

/** Executables run on transitions (src/failover/hooks.ts). */
export interface HooksConfig {
  /** absolute paths; an event without one runs nothing */
  readonly paths: Readonly<Partial<Record<HookEvent, string>>>;
  /** a run still going after this is killed */
  readonly timeoutMicros: Micros;
  /** false (the default): hooks run with every capability dropped (inheritable, ambient, bounding set) */
  readonly keepCapabilities: boolean;
}

export interface TakeoverConfig {
  /** the file it was read from */
  readonly source: string;
  readonly interface: string;
  /** the label suffix, e.g. "vip" */
  readonly label: string;
  /** the full label of the aliases we add: interface + ":" + label, at most 15 characters */
  readonly aliasLabel: string;
  readonly node: NodeConfig;
  readonly peer: PeerConfig;
  readonly checks: readonly CheckConfig[];
  readonly announce: AnnounceConfig;
  readonly claim: ClaimConfig;
  readonly conflicts: ConflictsConfig;
  readonly status: StatusConfig;
  readonly hooks: HooksConfig;
  /** the daemon's log (src/failover/log.ts); `run --log-level`/`--log-format` override it */
  readonly log: LogConfig;
  /** the pair's shared key (src/failover/auth.ts); absent: frames are not authenticated */
  readonly auth?: AuthConfig;
  /** when our own addresses are taken back from the peer holding them (`failback:`) */
  readonly failback: Failback;
}

/** The daemon's log: the least severe level written, and text or JSON lines. */
export interface LogConfig {
  readonly level: Level;
  readonly format: LogFormat;
}

/** Pair authentication: the frames the two daemons rely on carry a tag made with a shared key. */
export interface AuthConfig {
  /** absolute path of the key file (mode 0600, at least 16 bytes); read again on every reload */
  readonly keyFile: string;
  /** after a reload with a new key: both keys are accepted, and the old one signs, for this long */
  readonly rotationGraceMicros: Micros;
}

/** The values used for keys left out. See examples/brain.yaml for why each is what it is. */
export const DEFAULTS = {
  label: "vip",
  check: {
    type: "icmp",
    target: "peer",
    fall: 3,
    rise: 2,
    intervalMicros: { icmp: 100_000, tcp: 1_000_000, http: 1_000_000, exec: 2_000_000, interface: 100_000 },
    timeoutMicros: { icmp: 100_000, tcp: 500_000, http: 500_000, exec: 1_000_000, interface: 100_000 },
  },
  http: { port: 80, path: "/", expectStatus: 200, maxBytes: 65_536 },
  peer: { runsTakeover: true },
  announce: { count: 5, intervalMicros: 200_000, form: "both", refreshMicros: 0, router: false },
  claim: { probes: 2, probeIntervalMicros: 20_000, probeWaitMicros: 50_000, retryMicros: 500_000, verifyIntervalMicros: 250_000 },
  conflicts: { yieldToStrangers: false, defendIntervalMicros: 20_000, defendBurst: 10 },
  status: { listen: { host: "127.0.0.1", port: 9337 } },
  hooks: { timeoutMicros: 5_000_000, keepCapabilities: false },
  auth: { rotationGraceMicros: 60_000_000 },
  log: { level: "info", format: "text" },
} as const;

/** Linux IFNAMSIZ - 1: the longest interface name, and the longest address label. */
const MAX_LABEL = 15;

export interface ConfigProblem {
  /** 1-based; absent when the problem is the file as a whole */
  readonly line?: number;
  /** `checks[0].interval`; empty when the problem is not a key's */
  readonly path: string;
  readonly message: string;
}

/** Everything wrong with a config file; the message has one line per problem. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join("\n"));
  }
}

/** `file:line: path: message`, leaving out what is absent. */
export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}`;
  return problem.path === "" ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

/** The largest config file read: a real one is a few KiB; anything near this is the wrong file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Reads and checks the config file at `path`. It must be a regular file (a FIFO or a device like
 * /dev/urandom is refused, without reading or blocking) of at most MAX_CONFIG_BYTES. @throws ConfigError
 */
export async function loadConfig(path: string): Promise<TakeoverConfig> {
  return parseConfig(await readConfigText(path), path);
}

/** The text of the config file at `path`, refused in one line unless it is a regular file of at most MAX_CONFIG_BYTES. @throws ConfigError */
export async function readConfigText(path: string): Promise<string> {
  const refuse = (message: string) => new ConfigError(path, [{ path: "", message }]);
  let file: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; fstat below then refuses it
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw refuse(readFailure(error));
  }
  try {
    const stats = await file.stat();
    if (stats.isDirectory()) throw refuse("is a directory: give the path of the YAML file itself");
    if (!stats.isFile()) {
      const what = stats.isFIFO() ? "a FIFO" : stats.isCharacterDevice() || stats.isBlockDevice() ? "a device" : stats.isSocket() ? "a socket" : "not a regular file";
      throw refuse(`is ${what}, not a regular file: give the path of the YAML file itself`);
    }
    if (stats.size > MAX_CONFIG_BYTES) throw refuse(`is ${stats.size} bytes, over the ${MAX_CONFIG_BYTES} (1 MiB) a config may have: give the path of the YAML file itself`);
    // bounded even if it grows meanwhile; in chunks under glibc's mmap threshold (128 KiB): freeing a
    // bigger block raises that threshold for good, and the daemon's RSS then grows by fragmentation
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(READ_CHUNK_BYTES);
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > MAX_CONFIG_BYTES) throw refuse(`is over the ${MAX_CONFIG_BYTES} bytes (1 MiB) a config may have: give the path of the YAML file itself`);
    }
    return Buffer.concat(chunks, length).toString("utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw refuse(readFailure(error));
  } finally {
    await file.close();
  }
}

function readFailure(error: unknown): string {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  return code === "ENOENT"
    ? "no such file: give the path of the config file (examples/brain.yaml shows one)"
    : code === "EACCES" || code === "EPERM"
      ? "permission denied: make the file readable by the user running takeover"
      : code === "EISDIR"
        ? "is a directory: give the path of the YAML file itself"
        : `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}

/** Parses and checks config text; `fileName` is used in messages and kept as `source`. @throws ConfigError */
export function parseConfig(text: string, fileName: string): TakeoverConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // every key given twice, but of the other syntax errors only the first: the rest tend to follow from it
    const firstOther = doc.errors.find((e) => e.code !== "DUPLICATE_KEY");
    const shown = doc.errors.filter((e) => e.code === "DUPLICATE_KEY" || e === firstOther);
    throw new ConfigError(
      fileName,
      shown.map((e) => ({ line: lines.linePos(e.pos[0]).line, path: "", message: yamlMessage(e.code, e.message, text, e.pos[0]) })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // an alias bomb, say
    throw new ConfigError(fileName, [{ path: "", message: `not valid YAML: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const problems = new Problems(doc, lines);
  const config = resolve(raw, fileName, problems);
  if (config === undefined && problems.list.length === 0) problems.add([], "could not be resolved, though no key is wrong: a bug in takeover, please report it");
  if (config === undefined || problems.list.length > 0) throw new ConfigError(fileName, problems.sorted());
  return config;
}


// ---------------------------------------------------------------------------------------------------
// Problems and where they are

type Path = readonly (string | number)[];

/** `checks[0].interval` */
function pathText(path: Path): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? clip(part) : `.${clip(part)}`;
  return out;
}

/** Collects problems, each placed at the line of the key (or list item) it is about. */
class Problems {
  readonly list: { offset?: number; path: string; message: string; order: number }[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  add(path: Path, message: string): void {
    this.list.push({ offset: this.offsetOf(path), path: pathText(path), message, order: this.list.length });
  }

  /** Reports an unknown key, suggesting the known one it may be a typo of; returns that. */
  unknownKey(path: Path, known: readonly string[]): string | undefined {
    const key = String(path[path.length - 1]);
    const meant = suggest(key, known);
    this.add(path, meant === undefined ? `unknown key; the keys here are ${known.join(", ")}` : `unknown key; did you mean "${meant}"?`);
    return meant;
  }

  /** In the order of the file. */
  sorted(): ConfigProblem[] {
    return [...this.list]
      .sort((a, b) => (a.offset ?? -1) - (b.offset ?? -1) || a.order - b.order)
      .map(({ offset, path, message }) => (offset === undefined ? { path, message } : { line: this.lines.linePos(offset).line, path, message }));
  }

  /**
   * Where the deepest part of `path` present in the file starts: a mapping key (so the line of
   * `checks:` for the list as a whole), or a list item.
   */
  offsetOf(path: Path): number | undefined {
    let node: unknown = this.doc.contents;
    let offset: number | undefined = isNode(node) ? node.range?.[0] : undefined;
    for (const part of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(part));
        if (pair === undefined) break;
        if (isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number") {
        const item = node.items[part];
        if (!isNode(item) || !item.range) break;
        offset = item.range[0];
        node = item;
      } else break;
    }
    return offset;
  }
}

function isNode(value: unknown): value is YamlNode {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

/** One line for a YAML syntax error; a duplicate key gets its name and the fix. */
function yamlMessage(code: string, message: string, text: string, offset: number): string {
  if (code === "DUPLICATE_KEY") {
    const key = /^\s*(?:-\s+)?["']?([^"':]+)/.exec(text.slice(offset).split("\n")[0])?.[1]?.trim();
    return `${key === undefined ? "a key" : show(key)} is given twice in the same mapping: keep one`;
  }
  if (code === "TAB_AS_INDENT") return "a tab indents this line: YAML needs spaces";
  const first = message.split("\n")[0].replace(/[\p{C}\uFFFD]/gu, "?");
  // the parser's own words, with at most a short quote of the file in them
  return `not valid YAML: ${first.length > 200 ? `${first.slice(0, 200)}…` : first}`;
}

/** The known key closest to `key`: same letters ignoring case, "-" and "_", or a typo away. */
function suggest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");
  const wanted = norm(key);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(wanted, norm(candidate));
    if (distance < bestDistance && distance <= Math.max(1, Math.floor(candidate.length / 3))) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

// ---------------------------------------------------------------------------------------------------
// Values: each leaf turns what YAML gave into a typed value or a one-line complaint

/** A leaf's complaint: the message that follows `path: `. */
class Bad extends Error {}

type Scalar = string | number | boolean;

/** How a value looks in a message: strings quoted, as the operator would search for them, and cut (see cut). */
function show(value: Scalar): string {
  if (typeof value !== "string") return String(value);
  const { text, length } = cut(value);
  return length === undefined ? `"${text}"` : `"${text}…" (${length} characters)`;
}

/** Text from the file shown unquoted (a key, a part of a value), cut like show's. */
function clip(value: string): string {
  const { text, length } = cut(value);
  return length === undefined ? text : `${text}… (${length} characters)`;
}

/** The most characters of a value a message shows. */
export const SHOWN_CHARACTERS = 60;

/**
 * The first SHOWN_CHARACTERS characters of `value` with the non-printable ones (controls, format
 * characters, invalid UTF-8's U+FFFD) escaped as \xNN or \u{NNNN}, and `"` and `\` escaped; `length`
 * is the full length when that cut something off. Reads no more of the value than it shows (and
 * counts), so a huge one costs little.
 */
function cut(value: string): { text: string; length?: number } {
  let text = "";
  let shown = 0;
  for (const char of value) {
    if (shown === SHOWN_CHARACTERS) {
      let length = 0;
      for (const _ of value) length++;
      return { text, length };
    }
    text += printable(char);
    shown++;
  }
  return { text };
}

function printable(char: string): string {
  if (char === '"' || char === "\\") return `\\${char}`;
  if (!/[\p{C}\uFFFD]/u.test(char)) return char;
  const code = char.codePointAt(0) ?? 0;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/**
 * A zod schema for one value. `fix` says what to write ("write a duration, like 100ms"); missing,
 * empty, list and mapping values are refused with it, and anything else goes to `parse`.
 */
function leaf<T>(fix: string, parse: (value: Scalar) => T) {
  return z.unknown().transform((value, ctx): T => {
    try {
      if (value === undefined) throw new Bad(`missing; ${fix}`);
      if (value === null) throw new Bad(`empty; ${fix}`);
      if (Array.isArray(value)) throw new Bad(`a list is not allowed here; ${fix}`);
      if (typeof value === "object") throw new Bad(`a mapping is not allowed here; ${fix}`);
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new Bad(fix);
      return parse(value);
    } catch (error) {
      if (!(error instanceof Bad)) throw error;
      ctx.issues.push({ code: "custom", message: error.message, input: value });
      return z.NEVER;
    }
  });
}

/** Text from a string or number (YAML reads `name: 1` as a number); booleans are refused. */
function textOf(value: Scalar, fix: string): string {
  if (typeof value === "boolean") throw new Bad(`${value} is not text; ${fix}`);
  return String(value);
}

/** An address a box can own: not 0/8, loopback, multicast or reserved. */
function hostAddress(text: string, fix: string): Ipv4 {
  let address: Ipv4;
  if (text.includes(":")) throw new Bad(`${show(text)} is IPv6, and this key takes an IPv4 address (the boxes watch each other over IPv4; IPv6 public addresses go in publicAddress); ${fix}`);
  try {
    address = Ipv4.parse(text.trim());
  } catch (error) {
    if (error instanceof AddressError) throw new Bad(error.message);
    throw error;
  }
  const first = address.value >>> 24;
  const what = first === 0 ? "in 0.0.0.0/8, which no host may use" : first === 127 ? "a loopback address" : first >= 240 ? "reserved (240.0.0.0/4 and broadcast)" : first >= 224 ? "a multicast address" : undefined;
  if (what !== undefined) throw new Bad(`${show(text)} is ${what}; ${fix}`);
  return address;
}

function ipv4(fix: string) {
  return leaf(fix, (value) => hostAddress(textOf(value, fix), fix));
}

/** One public address, or a list of them (in the file's order). `list`: it was written as a list. */
interface PublicAddresses {
  readonly list: boolean;
  readonly items: readonly { address: IpAddress; prefixLength: number | undefined }[];
}

/** `a.b.c.d`, `a.b.c.d/nn`, or a list of them: each item checked as one, complaints placed at the item. */
function publicAddresses(fix: string) {
  const one = publicAddress(fix);
  return z.unknown().transform((value, ctx): PublicAddresses => {
    if (!Array.isArray(value)) {
      const result = one.safeParse(value);
      if (result.success) return { list: false, items: [result.data] };
      for (const issue of result.error.issues) ctx.issues.push({ code: "custom", message: issue.message, input: value });
      return z.NEVER;
    }
    if (value.length === 0) {
      ctx.issues.push({ code: "custom", message: `an empty list; ${fix}, or a list like [192.0.2.37/24, 192.0.2.38/24]`, input: value });
      return z.NEVER;
    }
    if (value.length > MAX_PUBLIC_ADDRESSES) {
      ctx.issues.push({ code: "custom", message: `a list of ${value.length} addresses, over the ${MAX_PUBLIC_ADDRESSES} one box may have (each is probed, announced and verified on its own): list at most ${MAX_PUBLIC_ADDRESSES}`, input: value });
      return z.NEVER;
    }
    const items: { address: IpAddress; prefixLength: number | undefined }[] = [];
    for (const [i, item] of (value as unknown[]).entries()) {
      const result = one.safeParse(item);
      if (result.success) items.push(result.data);
      else for (const issue of result.error.issues) ctx.issues.push({ code: "custom", message: issue.message.replace(/^a list is not allowed here/, "a list inside the list"), input: item, path: [i] });
    }
    return items.length === value.length ? { list: true, items } : z.NEVER;
  });
}

/** `a.b.c.d`, `a.b.c.d/nn`, or an IPv6 address with its prefix length, `2001:db8:1::37/64`. */
function publicAddress(fix: string) {
  return leaf(fix, (value): { address: IpAddress; prefixLength: number | undefined } => {
    const text = textOf(value, fix);
    if (text.includes(":")) return publicIpv6(text);
    const slash = text.indexOf("/");
    if (slash < 0) return { address: hostAddress(text, fix), prefixLength: undefined };
    const prefix = text.slice(slash + 1).trim();
    const prefixLength = Number(prefix);
    if (!/^[0-9]{1,2}$/.test(prefix) || prefixLength < 1 || prefixLength > 32) {
      throw new Bad(`${show(text)} has prefix length ${show(prefix)}: write a whole number from 1 to 32 after the "/", or leave "/${clip(prefix)}" out to use the interface's`);
    }
    const address = hostAddress(text.slice(0, slash), fix);
    const hostBits = prefixLength >= 31 ? 0 : address.value % 2 ** (32 - prefixLength);
    if (prefixLength < 31 && (hostBits === 0 || hostBits === 2 ** (32 - prefixLength) - 1)) {
      throw new Bad(`${show(text)} is the ${hostBits === 0 ? "network" : "broadcast"} address of its subnet; give a host address, like ${new Ipv4(address.value - hostBits + 1)}/${prefixLength}`);
    }
    return { address, prefixLength };
  });
}

/** Why an IPv6 address cannot be a box's public address, if it cannot. */
function unownableIpv6(address: Ipv6Address): string | undefined {
  const b = address.bytes;
  const fix = "give a global or unique-local address a box can own, like 2001:db8:1::37/64";
  if (b.every((x) => x === 0)) return `the unspecified address (::); ${fix}`;
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return `the loopback address (::1); ${fix}`;
  if (b[0] === 0xff) return `a multicast address (ff00::/8); ${fix}`;
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return `a link-local address (fe80::/10), which every box has its own of and none can hand over; ${fix}`;
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `an IPv4-mapped address (::ffff:0:0/96): write the IPv4 address itself, ${b.slice(12).join(".")}`;
  return undefined;
}

/** `2001:db8:1::37/64`: an IPv6 public address, with the prefix length (the interface's on-link prefix). */
function publicIpv6(text: string): { address: Ipv6Address; prefixLength: number } {
  const slash = text.indexOf("/");
  const addressText = (slash < 0 ? text : text.slice(0, slash)).trim();
  let address: Ipv6Address;
  try {
    address = Ipv6Address.parse(addressText);
  } catch (error) {
    if (error instanceof AddressError) throw new Bad(`${error.message}; write an IPv6 address with its prefix length, like 2001:db8:1::37/64`);
    throw error;
  }
  const unownable = unownableIpv6(address);
  if (unownable !== undefined) throw new Bad(`${show(text)} is ${unownable}`);
  if (slash < 0) throw new Bad(`${show(text)} has no prefix length: write the segment's, like ${addressText}/64 (an IPv6 address is added with the prefix it is on-link in)`);
  const prefix = text.slice(slash + 1).trim();
  const prefixLength = Number(prefix);
  if (!/^[0-9]{1,3}$/.test(prefix) || prefixLength < 1 || prefixLength > 128) {
    throw new Bad(`${show(text)} has prefix length ${show(prefix)}: an IPv6 prefix length is a whole number from 1 to 128, like ${addressText}/64`);
  }
  return { address, prefixLength };
}

function mac(fix: string) {
  return leaf(fix, (value) => {
    const text = textOf(value, fix);
    let address: Mac;
    try {
      address = Mac.parse(text);
    } catch (error) {
      if (error instanceof AddressError) throw new Bad(error.message);
      throw error;
    }
    if (address.isGroup) throw new Bad(`${show(text)} is a ${address.isBroadcast ? "broadcast" : "multicast"} MAC address; ${fix}`);
    if (address.value === 0) throw new Bad(`${show(text)} is the all-zero MAC address; ${fix}`);
    return address;
  });
}

/** A duration in µs; `positive`: 0 is refused. */
function duration(fix: string, positive: boolean, maxMicros = Infinity) {
  return leaf(fix, (value) => {
    const text = textOf(value, fix);
    let micros: number;
    try {
      micros = parseDuration(text);
    } catch (error) {
      if (error instanceof DurationError) throw new Bad(error.message);
      throw error;
    }
    if (positive && micros === 0) throw new Bad(`${show(text)} is zero; ${fix}`);
    if (micros > maxMicros) throw new Bad(`${show(text)} is too long; ${fix}`);
    return { micros, text };
  });
}

/** A whole number from `min` to `max`. */
function whole(min: number, max: number, fix: string) {
  return leaf(fix, (value) => {
    if (typeof value === "string" && /^\s*[0-9]+\s*$/.test(value)) throw new Bad(`${show(value)} is quoted text; write it without quotes: ${value.trim()}`);
    if (typeof value !== "number") throw new Bad(`${show(value)} is not a number; ${fix}`);
    if (!Number.isInteger(value)) throw new Bad(`${value} is not a whole number; ${fix}`);
    if (value < min) throw new Bad(`${value} is too small; ${fix}`);
    if (value > max) throw new Bad(`${value} is too large; ${fix}`);
    return value;
  });
}

function bool(fix: string) {
  return leaf(fix, (value) => {
    if (typeof value !== "boolean") throw new Bad(`${show(value)} is not true or false; ${fix}`);
    return value;
  });
}

/** One of `options`; `what` names the kind, as in `"ping" is not a check type`. */
function oneOf<const T extends string>(options: readonly T[], what: string) {
  const fix = `write ${listOr(options)}`;
  return leaf(fix, (value) => {
    const found = options.find((o) => o === value);
    if (found === undefined) throw new Bad(`${show(value)} is not ${what}; ${fix}`);
    return found;
  });
}

function listOr(options: readonly string[]): string {
  return options.length === 1 ? options[0] : `${options.slice(0, -1).join(", ")} or ${options[options.length - 1]}`;
}

/** Names of boxes and checks: they go into log lines and metric labels. */
function name(fix: string) {
  return leaf(fix, (value) => {
    const text = textOf(value, fix);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(text)) throw new Bad(`${show(value)} is not a usable name; ${fix}`);
    return text;
  });
}

const NAME_FIX = 'use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63';

const interfaceName = leaf("write the interface the public addresses go on, like interface: eth0", (value) => {
  const text = textOf(value, "write the interface name, like eth0");
  const colon = text.indexOf(":");
  if (colon >= 0) {
    throw new Bad(`${show(text)} is not an interface name: ":" starts an alias label; write interface: ${clip(text.slice(0, colon))} and label: ${clip(text.slice(colon + 1))}`);
  }
  if (text.length > MAX_LABEL || text === "." || text === ".." || /[\s/]/.test(text)) {
    throw new Bad(`${show(text)} is not an interface name: Linux allows 1 to ${MAX_LABEL} characters, without spaces or "/" (ip link lists them)`);
  }
  return text;
});

const labelName = leaf('write a short suffix, like label: vip (the aliases show up as "eth0:vip")', (value) => {
  const text = textOf(value, "write a short suffix, like vip");
  if (!/^[A-Za-z0-9._-]+$/.test(text)) throw new Bad(`${show(value)} is not a usable label: use letters, digits, ".", "_" and "-"`);
  return text;
});

const TARGET_NAMES = ["peer", "peer-public", "self-public"] as const;
const TARGET_FIX = `write ${TARGET_NAMES.join(", ")}, an IPv4 or an IPv6 address`;

/** A target name, or any IPv4 or IPv6 address (loopback included: a local service can be a self check). */
const target = leaf(TARGET_FIX, (value): { kind: CheckTarget; address?: IpAddress } => {
  const text = textOf(value, TARGET_FIX);
  const named = TARGET_NAMES.find((t) => t === text);
  if (named !== undefined) return { kind: named };
  const v6 = /^[0-9a-fA-F:.\s]+$/.test(text) && text.includes(":");
  if (!v6 && !/^[0-9./\s]+$/.test(text)) throw new Bad(`${show(value)} is not a target; ${TARGET_FIX}`);
  try {
    if (v6) {
      const address = Ipv6Address.parse(text.trim());
      if (address.bytes[0] === 0xfe && (address.bytes[1] & 0xc0) === 0x80) throw new Bad(`${show(text)} is link-local: a check needs an address routed without a zone; give the peer's global or unique-local address`);
      if (address.bytes[0] === 0xff || address.bytes.every((b) => b === 0)) throw new Bad(`${show(text)} is ${address.bytes[0] === 0xff ? "multicast" : "the unspecified address"}; ${TARGET_FIX}`);
      return { kind: "address", address };
    }
    return { kind: "address", address: Ipv4.parse(text.trim()) };
  } catch (error) {
    if (error instanceof AddressError) throw new Bad(error.message);
    throw error;
  }
});

// ---------------------------------------------------------------------------------------------------
// Sections

const TOP = z.strictObject({
  interface: z.unknown().optional(),
  label: z.unknown().optional(),
  node: z.unknown().optional(),
  peer: z.unknown().optional(),
  checks: z.unknown().optional(),
  announce: z.unknown().optional(),
  claim: z.unknown().optional(),
  conflicts: z.unknown().optional(),
  status: z.unknown().optional(),
  hooks: z.unknown().optional(),
  auth: z.unknown().optional(),
  log: z.unknown().optional(),
  failback: z.unknown().optional(),
});

const NODE = z.strictObject({
  name: name(NAME_FIX).optional(),
  address: ipv4("write this box's real IPv4 address on the interface, like address: 192.0.2.17"),
  publicAddress: publicAddresses("write this box's own public IPv4 address, like publicAddress: 192.0.2.37"),
});

const PEER = z.strictObject({
  name: name(NAME_FIX).optional(),
  address: ipv4("write the other box's real IPv4 address, like address: 192.0.2.18"),
  publicAddress: publicAddresses("write the other box's public IPv4 address, like publicAddress: 192.0.2.36"),
  mac: mac("write the peer's MAC address, like mac: 02:00:00:00:00:18, or leave mac out to learn it by ARP").optional(),
  runsTakeover: bool("write true if the peer runs takeover too, false for a plain host").optional(),
});

const CHECK_TYPES = ["icmp", "http", "tcp", "exec", "interface"] as const;

/** Most words in an exec check's command, and most characters in one. */
const MAX_COMMAND_WORDS = 64;
const MAX_COMMAND_WORD = 4096;

/** The list form of a command written as one string, for the fix: `[/usr/local/bin/check-db, --quick]`. */
function listForm(text: string): string {
  const words = text.trim().split(/\s+/).filter((w) => w !== "");
  return `[${(words.length > 0 ? words : ["/usr/local/bin/check-db", "--quick"]).map((w) => clip(w)).join(", ")}]`;
}

/** An exec check's argv: a YAML list of words, the first an absolute path; run without a shell. */
const commandList = z.unknown().transform((value, ctx): string[] => {
  const fix = "write the program and its arguments as a list, like command: [/usr/local/bin/check-db, --quick]";
  const refuse = (message: string) => {
    ctx.issues.push({ code: "custom", message, input: value });
    return z.NEVER;
  };
  if (value === undefined) return refuse(`missing; ${fix}`);
  if (value === null) return refuse(`empty; ${fix}`);
  if (typeof value === "string") return refuse(`${show(value)} is one string: a command is run without a shell, so write it as a list, like command: ${listForm(value)}`);
  if (!Array.isArray(value)) return refuse(`${typeof value === "object" ? "a mapping" : show(value as Scalar)} is not a list; ${fix}`);
  if (value.length === 0) return refuse(`an empty list runs nothing; ${fix}`);
  if (value.length > MAX_COMMAND_WORDS) return refuse(`${value.length} words, over the ${MAX_COMMAND_WORDS} a command may have; put the rest in a script`);
  const words: string[] = [];
  for (const [i, word] of (value as unknown[]).entries()) {
    if (typeof word === "number") words.push(String(word));
    else if (typeof word === "boolean") return refuse(`word ${i + 1} is ${word}, not text; quote it, like "${word}"`);
    else if (typeof word !== "string") return refuse(`word ${i + 1} is ${word === null ? "empty" : Array.isArray(word) ? "a list" : "a mapping"}, not text; write each word as text, quoted if it holds "{", "[", ":" or "#"`);
    else if (word.includes("\0")) return refuse(`word ${i + 1} has a NUL byte; ${fix}`);
    else if (word.length > MAX_COMMAND_WORD) return refuse(`word ${i + 1} is ${word.length} characters, over the ${MAX_COMMAND_WORD} allowed; put it in a script`);
    else words.push(word);
  }
  if (!words[0].startsWith("/")) return refuse(`${show(words[0])} is not an absolute path (checks run with PATH=/usr/sbin:/usr/bin:/sbin:/bin from /); write the program's full path, like command: [/usr/bin/${clip(words[0].split("/").pop() ?? "check")}${words.length > 1 ? ", …" : ""}]`);
  return words;
});

const CHECK = z.strictObject({
  name: name(NAME_FIX).optional(),
  type: oneOf(CHECK_TYPES, "a check type").optional(),
  target: target.optional(),
  role: oneOf(["peer", "self"], "a role").optional(),
  interval: duration("write how often to check, like interval: 100ms or 1s", true).optional(),
  timeout: duration("write how long to wait for an answer, like timeout: 100ms", true).optional(),
  fall: whole(1, 1000, "write how many failures in a row mark the target down: a whole number from 1, like fall: 3").optional(),
  rise: whole(1, 1000, "write how many passes in a row mark the target up: a whole number from 1, like rise: 2").optional(),
  port: whole(1, 65535, "write a port number from 1 to 65535, like port: 80").optional(),
  path: leaf('write the path to request, starting with "/", like path: /health', (value) => {
    const text = textOf(value, 'write a path starting with "/"');
    if (/\s/.test(text)) throw new Bad(`${show(value)} has a space: write it as %20`);
    if (!text.startsWith("/")) throw new Bad(`${show(value)} does not start with "/": write "/${text}"`);
    return text;
  }).optional(),
  host: leaf("write the Host header to send, like host: www.example.org", (value) => {
    const text = textOf(value, "write a host name");
    if (text === "" || /[\s/]/.test(text)) throw new Bad(`${show(value)} is not a host name; write one like www.example.org, or leave host out`);
    return text;
  }).optional(),
  expectStatus: whole(100, 599, "write the HTTP status a healthy server answers with, from 100 to 599, like expectStatus: 200").optional(),
  bodyContains: leaf('write the text a healthy page contains, like bodyContains: "</html>"', (value) => {
    const text = textOf(value, "write some text");
    if (text === "") throw new Bad('"" matches every body; write some text the page contains, or leave bodyContains out');
    return text;
  }).optional(),
  maxBytes: whole(1, 64 * 1024 * 1024, "write how many bytes of the body to read at most, from 1 to 67108864, like maxBytes: 65536").optional(),
  command: commandList.optional(),
  keepCapabilities: bool("write true to let the command inherit the daemon's capabilities, else false (the default: it runs with none)").optional(),
  interface: leaf("write the interface whose carrier to watch, like interface: eth1", (value) => {
    const text = textOf(value, "write the interface name, like eth1");
    if (text.length > MAX_LABEL || text === "." || text === ".." || /[\s/:]/.test(text)) {
      throw new Bad(`${show(text)} is not an interface name: Linux allows 1 to ${MAX_LABEL} characters, without spaces, ":" or "/" (ip link lists them)`);
    }
    return text;
  }).optional(),
});

const ANNOUNCE = z.strictObject({
  count: whole(1, 1000, "write how many rounds of gratuitous ARP to send, from 1, like count: 5").optional(),
  interval: duration("write the time between rounds, like interval: 200ms", true).optional(),
  form: oneOf(["request", "reply", "both"], "an announcement form").optional(),
  refresh: duration("write how often to announce held addresses again, like refresh: 10s, or 0s for never", false).optional(),
  router: bool("write true only if this box routes for the segment (the Router flag of its IPv6 Neighbor Advertisements), else leave it out").optional(),
});

const CLAIM = z.strictObject({
  probes: whole(1, 100, "write how many ARP probes to send before claiming, from 1, like probes: 2").optional(),
  probeInterval: duration("write the time between probes, like probeInterval: 20ms", true).optional(),
  probeWait: duration("write how long to listen after the last probe, like probeWait: 50ms", true).optional(),
  retry: duration("write how long to wait before probing again after an answer, like retry: 500ms", true).optional(),
  verifyInterval: duration("write how often to ask whether the peer has its address back while holding it, like verifyInterval: 250ms, at most 750ms (the convergence bound is 1 s)", true, 750_000).optional(),
});

const CONFLICTS = z.strictObject({
  yieldToStrangers: bool("write true to give an address up when a host other than the peer claims it, else false").optional(),
  defendInterval: duration("write the least time between defences against one claiming host once its burst is used, like defendInterval: 20ms", true).optional(),
  defendBurst: whole(1, 1000, "write how many claims of one host are answered at once before defendInterval applies, from 1, like defendBurst: 10").optional(),
});

const LISTEN_FIX = 'write host:port, like listen: 127.0.0.1:9337 (loopback: only this box can ask), or listen: off';

/** `host:port`, `[v6]:port`, `localhost:port`, or off (also false). */
const listen = leaf(LISTEN_FIX, (value): ListenAddress | undefined => {
  if (value === false || value === "off") return undefined;
  if (typeof value !== "string") throw new Bad(`${show(value)} is not host:port; ${LISTEN_FIX}`);
  const text = value.trim();
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):([0-9]+)$/.exec(text);
  if (match === null) throw new Bad(`${show(value)} is not host:port; ${LISTEN_FIX}`);
  const [, v6, v4, portText] = match;
  const port = Number(portText);
  if (port > 65535) throw new Bad(`${show(value)} has port ${portText}, over 65535; ${LISTEN_FIX}`);
  if (v6 !== undefined) {
    if (!isIPv6(v6)) throw new Bad(`${show(v6)} is not an IPv6 address; ${LISTEN_FIX}`);
    return { host: v6, port };
  }
  if (v4 === "localhost") return { host: "127.0.0.1", port };
  try {
    return { host: Ipv4.parse(v4).toString(), port };
  } catch (error) {
    if (error instanceof AddressError) throw new Bad(`${error.message}; ${LISTEN_FIX}`);
    throw error;
  }
});

const STATUS = z.strictObject({
  listen: listen.optional(),
});

const LOG = z.strictObject({
  level: oneOf(LEVELS, "a log level").optional(),
  format: oneOf(LOG_FORMATS, "a log format").optional(),
});

/** An absolute path to an executable; whether it exists and may be run is checked at start. */
function hookPath(event: string) {
  const fix = `write the absolute path of the program to run, like ${event}: /etc/takeover/hooks/${event === "all" ? "notify" : event}.sh`;
  return leaf(fix, (value) => {
    const text = textOf(value, fix);
    if (!text.startsWith("/")) throw new Bad(`${show(value)} is not an absolute path (hooks run from any directory); ${fix}`);
    if (text.includes("\0")) throw new Bad(`${show(value)} has a NUL byte; ${fix}`);
    return text;
  });
}

const HOOKS = z.strictObject({
  all: hookPath("all").optional(),
  claimed: hookPath("claimed").optional(),
  released: hookPath("released").optional(),
  conflict: hookPath("conflict").optional(),
  "peer-down": hookPath("peer-down").optional(),
  "peer-up": hookPath("peer-up").optional(),
  timeout: duration("write how long a hook may run before it is killed, like timeout: 5s", true).optional(),
  keepCapabilities: bool("write true to let hooks inherit the daemon's capabilities (CAP_NET_RAW, CAP_NET_ADMIN), else false (the default: they run with none)").optional(),
});

const AUTH = z.strictObject({
  keyFile: leaf("write the absolute path of the shared key file, like keyFile: /etc/takeover/pair.key (make it with: head -c 32 /dev/urandom | base64 > /etc/takeover/pair.key; chmod 600 it; copy it to the peer)", (value) => {
    const fix = "write the absolute path of the shared key file, like keyFile: /etc/takeover/pair.key";
    const text = textOf(value, fix);
    if (!text.startsWith("/")) throw new Bad(`${show(value)} is not an absolute path; ${fix}`);
    if (text.includes("\0")) throw new Bad(`${show(value)} has a NUL byte; ${fix}`);
    return text;
  }),
  rotationGrace: duration("write how long both the old and the new key are accepted after a reload, like rotationGrace: 60s", true).optional(),
});

type Shape = z.ZodObject<z.ZodRawShape>;

/** A section as far as it parsed. */
interface Parsed<T> {
  /** the whole section, when none of it has a problem */
  readonly full: T | undefined;
  /** the keys that parsed, for the rules across keys */
  readonly good: Partial<T>;
  /** keys with a problem: rules that read them are skipped, so one mistake is reported once */
  readonly broken: ReadonlySet<string>;
}

/**
 * Parses one mapping with its schema, sending complaints to `problems`. `fix` says what belongs
 * there, for when it is missing or not a mapping (then the result is undefined).
 */
function section<S extends Shape>(schema: S, value: unknown, at: Path, problems: Problems, fix: string): Parsed<z.output<S>> | undefined {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) {
    const what = value === undefined ? "missing" : value === null ? "empty" : Array.isArray(value) ? "a list is not allowed here" : `${show(value as Scalar)} is not a mapping of keys`;
    problems.add(at, `${what}; ${fix}`);
    return undefined;
  }
  const result = schema.safeParse(value);
  if (result.success) return { full: result.data, good: result.data, broken: new Set() };
  const known = Object.keys(schema.shape);
  const broken = new Set<string>();
  // a required key that is missing because it is misspelt is one mistake: report the spelling
  const misspelt = new Set<string>();
  for (const issue of result.error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const key of issue.keys) {
      const meant = problems.unknownKey([...at, key], known);
      if (meant !== undefined) misspelt.add(meant);
    }
  }
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") continue;
    const key = String(issue.path[0]);
    broken.add(key);
    if (misspelt.has(key) && !(key in value)) continue;
    problems.add([...at, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))], issue.message);
  }
  // every key left has parsed once already, so this parse succeeds
  const usable = Object.fromEntries(Object.entries(value).filter(([key]) => known.includes(key) && !broken.has(key)));
  const again = schema.partial().safeParse(usable);
  return { full: undefined, good: again.success ? (again.data as Partial<z.output<S>>) : {}, broken };
}

/** Optional sections may be left out, or left empty with every key commented out. */
function optionalSection<S extends Shape>(schema: S, value: unknown, at: Path, problems: Problems, fix: string): Parsed<z.output<S>> | undefined {
  return section(schema, value ?? {}, at, problems, fix);
}

// ---------------------------------------------------------------------------------------------------
// Resolving: defaults, and the rules across keys

/** The addresses a check target may name, where they parsed. */
interface Known {
  readonly nodePublic?: readonly IpAddress[];
  readonly peerAddress?: Ipv4;
  readonly peerPublic?: readonly IpAddress[];
}

const FAILBACK_FIX = "write immediate, delay and a duration (like failback: delay 30s), or manual";

/** `immediate`, `delay <duration>` or `manual`. */
const failbackSetting = leaf(FAILBACK_FIX, (value): Failback => {
  const text = textOf(value, FAILBACK_FIX).trim();
  if (text === "immediate" || text === "manual") return { mode: text };
  const match = /^delay(?:\s+(.*))?$/.exec(text);
  if (match === null) throw new Bad(`${show(text)} is not a failback mode; ${FAILBACK_FIX}`);
  if (match[1] === undefined) throw new Bad(`"delay" needs a duration: write it like failback: delay 30s`);
  let micros: number;
  try {
    micros = parseDuration(match[1]);
  } catch (error) {
    if (error instanceof DurationError) throw new Bad(`${error.message}; write it like failback: delay 30s`);
    throw error;
  }
  if (micros === 0) throw new Bad(`${show(text)} waits no time: write failback: immediate, or a delay like 30s`);
  if (micros > 86_400_000_000) throw new Bad(`${show(text)} is over a day: write a shorter delay, or failback: manual`);
  return { mode: "delay", delayMicros: micros };
});

function resolve(raw: unknown, source: string, problems: Problems): TakeoverConfig | undefined {
  if (raw === null || raw === undefined) {
    problems.add([], "the file is empty; see examples/brain.yaml for a complete config");
    return undefined;
  }
  const top = section(TOP, raw, [], problems, "write the keys of a config, like interface: eth0 (see examples/brain.yaml)");
  if (top === undefined) return undefined;
  const t = top.good;

  const iface = interfaceName.safeParse(t.interface);
  if (!iface.success) problems.add(["interface"], iface.error.issues[0].message);
  const labelResult = t.label === undefined ? { success: true as const, data: DEFAULTS.label } : labelName.safeParse(t.label);
  if (!labelResult.success) problems.add(["label"], labelResult.error.issues[0].message);
  const node = section(NODE, t.node, ["node"], problems, "write this box's address and publicAddress under node: (see examples/brain.yaml)");
  const peer = section(PEER, t.peer, ["peer"], problems, "write the other box's address and publicAddress under peer: (see examples/brain.yaml)");
  const announce = optionalSection(ANNOUNCE, t.announce, ["announce"], problems, "write keys like count: 5 under announce:, or leave it out");
  const claim = optionalSection(CLAIM, t.claim, ["claim"], problems, "write keys like probes: 2 under claim:, or leave it out");
  const conflicts = optionalSection(CONFLICTS, t.conflicts, ["conflicts"], problems, "write keys like defendInterval: 1s under conflicts:, or leave it out");
  const status = optionalSection(STATUS, t.status, ["status"], problems, "write keys like listen: 127.0.0.1:9337 under status:, or leave it out");
  const hooks = optionalSection(HOOKS, t.hooks, ["hooks"], problems, "write keys like claimed: /etc/takeover/hooks/claimed.sh under hooks:, or leave it out");
  const failback = t.failback === undefined ? { success: true as const, data: { mode: "immediate" } as Failback } : failbackSetting.safeParse(t.failback);
  if (!failback.success) problems.add(["failback"], failback.error.issues[0].message);
  const log = optionalSection(LOG, t.log, ["log"], problems, "write keys like level: info or format: json under log:, or leave it out");
  const auth = t.auth === undefined ? undefined : section(AUTH, t.auth, ["auth"], problems, "write keyFile: /etc/takeover/pair.key under auth:, or leave auth out");
  if (auth?.good.keyFile !== undefined && peer?.good.runsTakeover === false) problems.add(["auth", "keyFile"], "a plain peer (runsTakeover: false) cannot sign its frames: leave auth out, or run takeover on the peer too");

  let label: string | undefined;
  if (iface.success && labelResult.success) {
    const full = `${iface.data}:${labelResult.data}`;
    const room = MAX_LABEL - iface.data.length - 1;
    if (full.length <= MAX_LABEL) label = labelResult.data;
    else if (room < 1) problems.add(["interface"], `${show(iface.data)} leaves no room for an alias label: interface, ":" and label must fit in ${MAX_LABEL} characters`);
    else {
      problems.add(
        t.label === undefined ? ["interface"] : ["label"],
        `${show(full)} is ${full.length} characters, over the ${MAX_LABEL} Linux allows for an address label: ${t.label === undefined ? "add a label of" : "shorten label to"} at most ${room} characters, like label: ${"vip".slice(0, room)}`,
      );
    }
  }

  const n = node?.good ?? {};
  const p = peer?.good ?? {};
  distinctAddresses(n, p, problems);
  for (const [side, list] of [["node", n.publicAddress], ["peer", p.publicAddress]] as const) {
    if (list !== undefined && !list.items.some((i) => i.address instanceof Ipv4)) {
      problems.add([side, "publicAddress"], `has no IPv4 address: list at least one IPv4 public address next to the IPv6 ones, like [192.0.2.37/24, ${list.items[0].address}/${list.items[0].prefixLength}] (IPv6-only public addresses are not supported yet)`);
    }
  }
  const nodeName = n.name ?? (node?.broken.has("name") ? undefined : n.address?.toString());
  const peerName = p.name ?? (peer?.broken.has("name") ? undefined : p.address?.toString());
  if ((n.name !== undefined || p.name !== undefined) && nodeName !== undefined && nodeName === peerName) problems.add(["peer", "name"], `${show(peerName)} is node.name too: give each box its own name`);
  const checks = resolveChecks(t.checks, { nodePublic: n.publicAddress?.items.map((i) => i.address), peerAddress: p.address, peerPublic: p.publicAddress?.items.map((i) => i.address) }, problems);

  if (problems.list.length > 0) return undefined;
  if (!iface.success || label === undefined || !failback.success || !node?.full || !peer?.full || !checks || !announce?.full || !claim?.full || !conflicts?.full || !status?.full || !hooks?.full || !log?.full) return undefined;
  const a = announce.full;
  const c = claim.full;
  const f = conflicts.full;
  const h = hooks.full;
  const paths: Partial<Record<HookEvent, string>> = {};
  for (const event of HOOK_EVENTS) {
    const path = h[event] ?? h.all;
    if (path !== undefined) paths[event] = path;
  }
  return {
    source,
    interface: iface.data,
    label,
    aliasLabel: `${iface.data}:${label}`,
    node: resolveNode(node.full),
    peer: {
      ...resolveNode(peer.full),
      ...(peer.full.mac === undefined ? {} : { mac: peer.full.mac }),
      runsTakeover: peer.full.runsTakeover ?? DEFAULTS.peer.runsTakeover,
    },
    checks,
    announce: {
      count: a.count ?? DEFAULTS.announce.count,
      intervalMicros: a.interval?.micros ?? DEFAULTS.announce.intervalMicros,
      form: a.form ?? DEFAULTS.announce.form,
      refreshMicros: a.refresh?.micros ?? DEFAULTS.announce.refreshMicros,
      router: a.router ?? DEFAULTS.announce.router,
    },
    claim: {
      probes: c.probes ?? DEFAULTS.claim.probes,
      probeIntervalMicros: c.probeInterval?.micros ?? DEFAULTS.claim.probeIntervalMicros,
      probeWaitMicros: c.probeWait?.micros ?? DEFAULTS.claim.probeWaitMicros,
      retryMicros: c.retry?.micros ?? DEFAULTS.claim.retryMicros,
      verifyIntervalMicros: c.verifyInterval?.micros ?? DEFAULTS.claim.verifyIntervalMicros,
    },
    conflicts: {
      yieldToStrangers: f.yieldToStrangers ?? DEFAULTS.conflicts.yieldToStrangers,
      defendIntervalMicros: f.defendInterval?.micros ?? DEFAULTS.conflicts.defendIntervalMicros,
      defendBurst: f.defendBurst ?? DEFAULTS.conflicts.defendBurst,
    },
    // `listen` left out: the default; written as off: no listener
    status: "listen" in status.full ? (status.full.listen === undefined ? {} : { listen: status.full.listen }) : { listen: { ...DEFAULTS.status.listen } },
    hooks: { paths, timeoutMicros: h.timeout?.micros ?? DEFAULTS.hooks.timeoutMicros, keepCapabilities: h.keepCapabilities ?? DEFAULTS.hooks.keepCapabilities },
    log: { level: log.full.level ?? DEFAULTS.log.level, format: log.full.format ?? DEFAULTS.log.format },
    ...(auth?.full === undefined ? {} : { auth: { keyFile: auth.full.keyFile, rotationGraceMicros: auth.full.rotationGrace?.micros ?? DEFAULTS.auth.rotationGraceMicros } }),
    failback: failback.data,
  };
}

function resolveNode(raw: z.output<typeof NODE>): NodeConfig {
  // the rules made sure there is one
  const first = raw.publicAddress.items.find((i) => i.address instanceof Ipv4)! as { address: Ipv4; prefixLength: number | undefined };
  return {
    name: raw.name ?? raw.address.toString(),
    address: raw.address,
    publicAddress: first.address,
    ...(first.prefixLength === undefined ? {} : { publicPrefixLength: first.prefixLength }),
    publicAddresses: raw.publicAddress.items.map((i) => (i.prefixLength === undefined ? { address: i.address } : { address: i.address, prefixLength: i.prefixLength })),
  };
}

/** The real addresses and every public address (those that parsed) are all different ones. */
function distinctAddresses(node: Partial<z.output<typeof NODE>>, peer: Partial<z.output<typeof PEER>>, problems: Problems): void {
  const publics = (side: "node" | "peer", list: PublicAddresses | undefined) =>
    (list?.items ?? []).map((item, i) => ({ path: list!.list ? [side, "publicAddress", i] : [side, "publicAddress"], side, address: item.address as IpAddress | undefined, real: false }));
  const entries: { path: Path; side: "node" | "peer"; address: IpAddress | undefined; real: boolean }[] = [
    { path: ["node", "address"], side: "node", address: node.address, real: true },
    { path: ["peer", "address"], side: "peer", address: peer.address, real: true },
    ...publics("node", node.publicAddress),
    ...publics("peer", peer.publicAddress),
  ];
  const seen: typeof entries = [];
  for (const entry of entries) {
    const address = entry.address;
    if (address === undefined) continue;
    const earlier = seen.find((s) => s.address !== undefined && sameAddress(s.address, address));
    if (earlier !== undefined) {
      const fix = entry.real
        ? "node and peer are two boxes, each with its own address"
        : earlier.real
          ? "a public address must be separate from both boxes' real addresses"
          : earlier.side === entry.side
            ? "list each address once"
            : "each box needs its own public address";
      problems.add(entry.path, `${show(String(address))} is ${pathText(earlier.path)} too: ${fix}`);
    }
    seen.push(entry);
  }
}

/** Keys that only some check types have, with those types; the fix names them. */
const KEYS_OF: Readonly<Record<string, readonly CheckType[]>> = {
  target: ["icmp", "tcp", "http"],
  port: ["tcp", "http"],
  path: ["http"],
  host: ["http"],
  expectStatus: ["http"],
  bodyContains: ["http"],
  maxBytes: ["http"],
  command: ["exec"],
  keepCapabilities: ["exec"],
  interface: ["interface"],
  timeout: ["icmp", "tcp", "http", "exec"],
};

/** The check types that look at something local, not at an address. */
const LOCAL_TYPES: readonly CheckType[] = ["exec", "interface"];

function resolveChecks(raw: unknown, known: Known, problems: Problems): CheckConfig[] | undefined {
  if (raw === undefined || raw === null) {
    if (known.peerAddress === undefined) return undefined;
    const type = DEFAULTS.check.type;
    return [
      {
        type,
        name: `${type}-peer`,
        role: "peer",
        target: "peer",
        address: known.peerAddress,
        targetsPeerPublic: false,
        intervalMicros: DEFAULTS.check.intervalMicros[type],
        timeoutMicros: DEFAULTS.check.timeoutMicros[type],
        fall: DEFAULTS.check.fall,
        rise: DEFAULTS.check.rise,
      },
    ];
  }
  if (!Array.isArray(raw)) {
    problems.add(["checks"], `${typeof raw === "object" ? "a mapping" : show(raw as Scalar)} is not a list; write each check as keys after "- ", like "- type: icmp"`);
    return undefined;
  }
  if (raw.length === 0) {
    problems.add(["checks"], "an empty list would never see the peer fail; list at least one check, or leave checks out to ping the peer");
    return undefined;
  }
  const checks: CheckConfig[] = [];
  const names = new Map<string, number>();
  let complete = true;
  let watchesPeer = false;
  for (const [i, item] of (raw as unknown[]).entries()) {
    const parsed = section(CHECK, item, ["checks", i], problems, 'write a check as keys after "- ", like "- type: icmp"');
    const check = parsed && resolveCheck(parsed, i, known, problems);
    if (check?.role === "peer") watchesPeer = true;
    if (check?.name !== undefined) {
      const earlier = names.get(check.name);
      if (earlier !== undefined) {
        problems.add(
          ["checks", i, "name"],
          parsed?.good.name === undefined ? `the default name ${show(check.name)} is taken by checks[${earlier}]: give this check a name` : `${show(check.name)} is the name of checks[${earlier}] too: give each check its own name`,
        );
      } else names.set(check.name, i);
    }
    if (check?.config === undefined) complete = false;
    else checks.push(check.config);
  }
  if (complete && !watchesPeer) problems.add(["checks"], "no check watches the peer, so its address would never be taken over; add one, like - target: peer");
  return complete ? checks : undefined;
}

/** One check: the rules across its keys, then (if all is well) its resolved config. */
function resolveCheck(parsed: Parsed<z.output<typeof CHECK>>, i: number, known: Known, problems: Problems): { name?: string; role?: "peer" | "self"; config?: CheckConfig } {
  const g = parsed.good;
  const bad = (key: keyof typeof g) => parsed.broken.has(key);
  const at = (key: string): Path => ["checks", i, key];
  const before = problems.list.length;
  const type = g.type ?? (bad("type") ? undefined : DEFAULTS.check.type);

  if (type !== undefined) {
    // keys that belong to another type of check
    for (const [key, types] of Object.entries(KEYS_OF)) {
      if (types.includes(type) || g[key as keyof typeof g] === undefined) continue;
      const fix = key === "timeout" ? "they read the kernel's state at once, so remove it" : `remove it, or use type: ${listOr(types)}`;
      problems.add(at(key), `${type} checks have no ${key}; ${fix}`);
    }
    if (type === "tcp" && g.port === undefined && !bad("port")) problems.add(at("port"), "missing; a tcp check needs the port to connect to, like port: 22");
    if (type === "exec" && g.command === undefined && !bad("command")) problems.add(at("command"), "missing; an exec check needs the program to run, like command: [/usr/local/bin/check-db, --quick]");
    if (type === "interface" && g.interface === undefined && !bad("interface")) problems.add(at("interface"), "missing; an interface check needs the interface whose carrier to watch, like interface: eth1");
    if (type === "interface" && g.role === "peer") {
      problems.add(at("role"), '"peer" does not fit an interface check: our own interface\'s carrier says nothing sure about the peer, and a pulled cable would take its address; remove role (interface checks are self checks)');
    }
  }
  const local = type !== undefined && LOCAL_TYPES.includes(type);

  // the target; a literal that is one of the named addresses counts as that name
  let kind: CheckTarget | undefined = local ? undefined : (g.target?.kind ?? (bad("target") ? undefined : DEFAULTS.check.target));
  let address = g.target?.address;
  // with several public addresses, the name means the first; a literal may name any of them
  if (kind === "address" && address !== undefined) {
    const literal = address;
    if (known.peerAddress !== undefined && sameAddress(known.peerAddress, literal)) kind = "peer";
    else if (known.peerPublic?.some((a) => sameAddress(a, literal))) kind = "peer-public";
    else if (known.nodePublic?.some((a) => sameAddress(a, literal))) kind = "self-public";
  }
  if (kind === "peer") address = known.peerAddress;
  else if (kind === "peer-public") address = g.target?.kind === "address" ? address : known.peerPublic?.[0];
  else if (kind === "self-public") address = g.target?.kind === "address" ? address : known.nodePublic?.[0];

  const implied = kind === "self-public" ? "self" : kind === "address" || kind === undefined ? undefined : "peer";
  if (g.role !== undefined && implied !== undefined && g.role !== implied) {
    problems.add(at("role"), `${show(g.role)} does not fit target ${kind}, which makes it a ${implied} check; remove role, or change target`);
  }
  // exec checks are self checks unless said otherwise (keepalived's track_script weighs on the box itself)
  const role = g.role ?? (bad("role") ? undefined : (implied ?? (local ? "self" : "peer")));

  // a timeout left out is the type's default, shortened to the interval if that is shorter
  const interval = g.interval?.micros ?? (bad("interval") || type === undefined ? undefined : DEFAULTS.check.intervalMicros[type]);
  if (g.timeout !== undefined && interval !== undefined && g.timeout.micros > interval) {
    const intervalText = g.interval === undefined ? `${formatDuration(interval)}, the default for ${type} checks` : g.interval.text;
    problems.add(at("timeout"), `${show(g.timeout.text)} is longer than the interval (${intervalText}): make it at most ${formatDuration(interval)}, or raise interval`);
  }
  const maxBytes = g.maxBytes ?? DEFAULTS.http.maxBytes;
  if (g.bodyContains !== undefined && !bad("maxBytes") && Buffer.byteLength(g.bodyContains) > maxBytes) {
    problems.add(at("bodyContains"), `${show(g.bodyContains)} is longer than maxBytes (${maxBytes}), so it can never be found; raise maxBytes or shorten it`);
  }

  // exec: the program's file name (exec-check-db); interface: the interface (interface-eth1)
  const localName = type === "exec" ? (g.command === undefined ? undefined : `exec-${(g.command[0].split("/").pop() ?? "").replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 58) || "command"}`) : type === "interface" ? (g.interface === undefined ? undefined : `interface-${g.interface.replace(/[^A-Za-z0-9._-]/g, "_")}`) : undefined;
  const defaultName = type === undefined ? undefined : local ? localName : kind === undefined ? undefined : `${type}-${kind === "address" ? String(address) : kind}`;
  const name = g.name ?? (bad("name") ? undefined : defaultName);
  const r = parsed.full;
  if (problems.list.length > before || r === undefined || name === undefined || role === undefined || interval === undefined) return { name, role };
  const common = {
    name,
    role,
    targetsPeerPublic: kind === "peer-public",
    intervalMicros: interval,
    timeoutMicros: r.timeout?.micros ?? Math.min(DEFAULTS.check.timeoutMicros[r.type ?? DEFAULTS.check.type], interval),
    fall: r.fall ?? DEFAULTS.check.fall,
    rise: r.rise ?? DEFAULTS.check.rise,
  };
  const t = r.type ?? DEFAULTS.check.type;
  if (t === "exec") return { name, role, config: r.command === undefined ? undefined : { ...common, type: "exec", command: r.command, keepCapabilities: r.keepCapabilities ?? false } };
  if (t === "interface") return { name, role, config: r.interface === undefined ? undefined : { ...common, type: "interface", interface: r.interface } };
  if (kind === undefined || address === undefined) return { name, role };
  const network = { ...common, target: kind, address };
  switch (t) {
    case "icmp":
      return { name, role, config: { ...network, type: "icmp" } };
    case "tcp":
      return { name, role, config: r.port === undefined ? undefined : { ...network, type: "tcp", port: r.port } };
    case "http":
      return {
        name,
        role,
        config: {
          ...network,
          type: "http",
          port: r.port ?? DEFAULTS.http.port,
          path: r.path ?? DEFAULTS.http.path,
          ...(r.host === undefined ? {} : { host: r.host }),
          expectStatus: r.expectStatus ?? DEFAULTS.http.expectStatus,
          ...(r.bodyContains === undefined ? {} : { bodyContains: r.bodyContains }),
          maxBytes,
        },
      };
  }
}

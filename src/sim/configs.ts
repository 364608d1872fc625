// The two daemons' configs in a simulated run: examples/brain.yaml and examples/pinky.yaml, read by the
// project's own loader (parseConfig), with what the simulator cannot or need not run taken out (the
// HTTP check: it uses real sockets; the status listener) and the check settings of the profile:
// "shipped" keeps the files' 100 ms checks; "fast" is the issue's 10 ms setting (ICMP every 10 ms,
// timeout 3 ms, a claim of one probe and 5 ms of listening, the rest as shipped). With more than one
// address per box, each box's publicAddress becomes a list: its own first, then extra ones
// (Brain 192.0.2.41…, Pinky 192.0.2.51…), the peer's list mirrored. Dual-stack: each box's list
// ends with an IPv6 address on the segment's prefix 2001:db8:1::/64 (Brain 2001:db8:1::37, Pinky
// 2001:db8:1::36), the peer's mirrored; checks stay IPv4.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { parseConfig, TakeoverConfig } from "../failover/config";
import type { BoxName, Profile } from "./faults";

/** The repository root: the nearest directory above this file with examples/brain.yaml. */
function repositoryRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    try {
      readFileSync(join(dir, "examples", "brain.yaml"));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error(`examples/brain.yaml not found above ${__dirname}`);
}

type Yaml = Record<string, unknown>;

/** The extra public addresses of `box` when it has `perBox` in all. */
function extraAddresses(box: BoxName, perBox: number): string[] {
  return Array.from({ length: perBox - 1 }, (_, i) => `192.0.2.${(box === "brain" ? 41 : 51) + i}`);
}

/** The IPv6 public address of `box` in a dual-stack run, with its prefix length. */
export function ipv6PublicAddress(box: BoxName): string {
  return box === "brain" ? "2001:db8:1::37/64" : "2001:db8:1::36/64";
}

function adjust(raw: Yaml, profile: Profile, box: BoxName, perBox: number, dualStack: boolean): Yaml {
  const checks = (Array.isArray(raw.checks) ? (raw.checks as Yaml[]) : []).filter((c) => (c.type ?? "icmp") === "icmp");
  const out: Yaml = { ...raw, checks, status: { listen: "off" } };
  delete out.hooks;
  if (perBox > 1 || dualStack) {
    const peer: BoxName = box === "brain" ? "pinky" : "brain";
    const node = raw.node as Yaml;
    const other = raw.peer as Yaml;
    const v6 = (b: BoxName) => (dualStack ? [ipv6PublicAddress(b)] : []);
    out.node = { ...node, publicAddress: [String(node.publicAddress), ...extraAddresses(box, perBox), ...v6(box)] };
    out.peer = { ...other, publicAddress: [String(other.publicAddress), ...extraAddresses(peer, perBox), ...v6(peer)] };
  }
  if (profile === "fast") {
    out.checks = checks.map((c) => ({ ...c, interval: "10ms", timeout: "3ms" }));
    out.claim = { ...(raw.claim as Yaml | undefined), probes: 1, probeWait: "5ms" };
  }
  return out;
}

const cache = new Map<string, TakeoverConfig>();

/**
 * The config of `box` under `profile`, with `perBox` IPv4 public addresses per box and, `dualStack`,
 * an IPv6 one (cached: configs are immutable).
 */
export function configFor(box: BoxName, profile: Profile, perBox = 1, dualStack = false): TakeoverConfig {
  const key = `${box}/${profile}/${perBox}/${dualStack}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const file = join(repositoryRoot(), "examples", `${box}.yaml`);
  const raw = parse(readFileSync(file, "utf8")) as Yaml;
  const config = parseConfig(stringify(adjust(raw, profile, box, perBox, dualStack)), `${box}.yaml (${profile}${perBox > 1 ? `, ${perBox} addresses` : ""}${dualStack ? ", dual-stack" : ""})`);
  cache.set(key, config);
  return config;
}

/**
 * The quiet period after the last fault: the longest check's fall × interval, plus the claim's time
 * (probes after the first, and the wait after the last), plus 1 s.
 */
export function quietPeriodMicros(config: TakeoverConfig): number {
  const detect = Math.max(...config.checks.filter((c) => c.role === "peer").map((c) => c.fall * c.intervalMicros));
  const claim = (config.claim.probes - 1) * config.claim.probeIntervalMicros + config.claim.probeWaitMicros;
  return detect + claim + 1_000_000;
}

// `takeover status [--json] [--url URL] [CONFIG]`: asks the running daemon (GET /status on its status
// listener) and prints what it holds, what it sees of the peer, each check's last result and RTT,
// and the last transitions; `--json` prints the daemon's JSON as is. The listener is found from
// --url, else from CONFIG's status.listen, else at the default http://127.0.0.1:9337. No daemon
// answering is one line on stderr and exit status 1; a bad flag or config is exit status 2.
import { Command } from "commander";
import { UsageError } from "./errors";

const DEFAULT_URL = "http://127.0.0.1:9337";
const TIMEOUT_MS = 3000;

/** The shape of GET /status (src/failover/daemon.ts DaemonStatus), as far as this prints it. */
interface StatusJson {
  node: { name: string; address: string; publicAddress: string };
  peer: { name: string; address: string; publicAddress: string; mac?: string };
  interface: string;
  /** absent from daemons before failback existed */
  failback?: string;
  linkUp: boolean;
  peerUp: boolean;
  selfUp: boolean;
  addresses: { address: string; home: boolean; state: string }[];
  checks: { name: string; type: string; ok: boolean; rttMicros: number; detail: string; timeMicros: number }[];
  transitions: { timeMicros: number; event: string; address?: string; detail: string }[];
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("ask the running daemon what it holds, how its checks are doing and what changed last")
    .argument("[config]", "the daemon's config file: its status.listen says where to ask")
    .option("--json", "print the daemon's JSON as is")
    .option("--url <url>", `where the daemon's status listener is (default ${DEFAULT_URL}, or CONFIG's status.listen)`)
    .action(async (file: string | undefined, options: { json?: boolean; url?: string }) => {
      const base = await baseUrl(file, options.url);
      const url = `${base}/status`;
      let body: string;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        body = await response.text();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        const why = error instanceof Error && error.message.startsWith("HTTP ") ? ` (it answered ${error.message})` : "";
        const fix = why === "" ? "is it running (systemctl status takeover), with status.listen set?" : "is that takeover? give --url of its status listener";
        process.stderr.write(`takeover: no takeover daemon answers at ${url}${why}; ${fix}\n`);
        process.exitCode = 1;
        return;
      }
      let status: StatusJson;
      try {
        status = JSON.parse(body) as StatusJson;
        if (typeof status.node?.name !== "string" || !Array.isArray(status.addresses) || !Array.isArray(status.checks) || !Array.isArray(status.transitions)) throw new Error("not a status");
      } catch {
        process.stderr.write(`takeover: ${url} answered, but not with takeover's status JSON; is that takeover? give --url of its status listener\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : await describe(status));
    });
}

/** The status listener's base URL, from --url, CONFIG or the default. */
async function baseUrl(file: string | undefined, url: string | undefined): Promise<string> {
  if (url !== undefined) {
    if (file !== undefined) throw new UsageError("--url and CONFIG both given; give one of them");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url: "${url}" is not a URL; write one like ${DEFAULT_URL}`);
    }
    if (parsed.protocol !== "http:") throw new UsageError(`--url: "${url}" is not http://; write one like ${DEFAULT_URL}`);
    return `${parsed.protocol}//${parsed.host}`;
  }
  if (file === undefined) return DEFAULT_URL;
  const { ConfigError, loadConfig } = await import("../failover/config");
  let listen;
  try {
    listen = (await loadConfig(file)).status.listen;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message.split("\n").join("\ntakeover: "));
    throw error;
  }
  if (listen === undefined) throw new UsageError(`${file}: status.listen is off, so the daemon has no status listener to ask; set status.listen (like 127.0.0.1:9337) and restart it`);
  if (listen.port === 0) throw new UsageError(`${file}: status.listen has port 0 (any free port); give --url with the port the daemon logged`);
  // a listener on every address is reached on loopback
  const host = listen.host === "0.0.0.0" ? "127.0.0.1" : listen.host === "::" ? "::1" : listen.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${listen.port}`;
}

async function describe(s: StatusJson): Promise<string> {
  const { isoMicros } = await import("../failover/log");
  const out: string[] = [];
  const updown = (up: boolean) => (up ? "up" : "down");
  out.push(`${s.node.name} (${s.node.address}) on ${s.interface}: link ${updown(s.linkUp)}, self ${updown(s.selfUp)}; peer ${s.peer.name} (${s.peer.address}${s.peer.mac === undefined ? "" : ` at ${s.peer.mac}`}) ${updown(s.peerUp)}`);
  const held = s.addresses.filter((a) => a.state === "holding").map((a) => a.address);
  out.push(`holds: ${held.length === 0 ? "nothing" : held.join(", ")}`);
  out.push("addresses:");
  for (const a of s.addresses) out.push(`  ${a.address.padEnd(15)}  ${(a.home ? "ours" : `${s.peer.name}'s`).padEnd(12)}  ${a.state}`);
  if (s.failback !== undefined) out.push(`failback: ${s.failback}`);
  out.push("checks:");
  const width = Math.max(5, ...s.checks.map((c) => c.name.length));
  for (const c of s.checks) {
    const result = c.timeMicros === 0 ? "never run" : `${c.ok ? "ok  " : "FAIL"}  ${rtt(c.rttMicros).padStart(9)}  at ${isoMicros(c.timeMicros)}`;
    out.push(`  ${c.name.padEnd(width)}  ${c.type.padEnd(4)}  ${result}${c.detail === "" || c.timeMicros === 0 ? "" : `  ${c.detail}`}`);
  }
  out.push(s.transitions.length === 0 ? "transitions: none yet" : `last transitions (${s.transitions.length}, oldest first):`);
  for (const t of s.transitions) out.push(`  ${isoMicros(t.timeMicros)} ${t.event}${t.address === undefined ? "" : ` ${t.address}`}: ${t.detail}`);
  return `${out.join("\n")}\n`;
}

/** `412µs`, `12.3ms`, `1.20s` */
function rtt(micros: number): string {
  if (micros < 1000) return `${Math.round(micros)}µs`;
  if (micros < 1_000_000) return `${(micros / 1000).toFixed(1)}ms`;
  return `${(micros / 1e6).toFixed(2)}s`;
}

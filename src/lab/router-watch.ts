// Runs in the lab's router namespace and reports, as JSON lines with µs timestamps, what the router
// sees for each watched address, IPv4 or IPv6: its neighbour entry's MAC (ARP or NDP, read over
// rtnetlink every few ms) and who answers HTTP on it (a GET every `intervalMs`). Only changes are
// reported.
import { request } from "node:http";
import { createRtNetlink } from "netlink";
import { hrtimeMicros } from "../link/port";
import { Ipv4, Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { onParentMessage, report, workerInput } from "./worker";

interface Input {
  readonly addresses: readonly string[];
  readonly intervalMs?: number;
  readonly neighbourPollMs?: number;
}

const input = workerInput<Input>();
const intervalMs = input.intervalMs ?? 10;
const neighbourPollMs = input.neighbourPollMs ?? 2;
const socket = createRtNetlink();
let running = true;

const lastMac = new Map<string, string>();
const lastServer = new Map<string, string>();

/** The watched addresses by their canonical text (an IPv6 address as the kernel's would print). */
const canonical = new Map(input.addresses.map((a) => [a.includes(":") ? Ipv6Address.parse(a).toString() : a, a]));
const families = [2, ...(input.addresses.some((a) => a.includes(":")) ? [10] : [])];

function dstText(dst: Buffer): string | undefined {
  if (dst.length === 4) return Ipv4.read(dst, 0).toString();
  if (dst.length === 16) return Ipv6Address.read(dst, 0).toString();
  return undefined;
}

async function pollNeighbours(): Promise<void> {
  while (running) {
    const entries = [];
    for (const family of families) entries.push(...(await socket.getNeighbors({ family }).catch(() => [])));
    const t = hrtimeMicros();
    for (const [text, address] of canonical) {
      const entry = entries.find((e) => e.attrs.dst !== undefined && dstText(e.attrs.dst) === text);
      const lladdr = entry?.attrs.lladdr;
      const mac = lladdr !== undefined && lladdr.length === 6 ? Mac.read(lladdr, 0).toString() : "none";
      if (lastMac.get(address) !== mac) {
        lastMac.set(address, mac);
        report({ kind: "neighbour", t, address, mac });
      }
    }
    await new Promise((r) => setTimeout(r, neighbourPollMs));
  }
}

function get(address: string): Promise<string> {
  return new Promise((resolve) => {
    // an IPv6 literal as the host option, without brackets
    const req = request({ host: address, family: address.includes(":") ? 6 : 4, port: 80, path: "/", agent: false, timeout: Math.max(intervalMs * 5, 50) }, (res) => {
      const server = String(res.headers["x-served-by"] ?? `status ${res.statusCode}`);
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200 ? server : `status ${res.statusCode}`));
      res.on("error", () => resolve("error"));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve("none"));
    req.end();
  });
}

async function pollHttp(address: string): Promise<void> {
  while (running) {
    const started = Date.now();
    const server = await get(address);
    if (lastServer.get(address) !== server) {
      lastServer.set(address, server);
      report({ kind: "http", t: hrtimeMicros(), address, server });
    }
    await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
  }
}

void pollNeighbours();
for (const address of input.addresses) void pollHttp(address);
report({ kind: "ready", t: hrtimeMicros() });
onParentMessage(() => {}, () => {
  running = false;
  socket.socket.close();
  setTimeout(() => process.exit(0), 50).unref();
});
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));

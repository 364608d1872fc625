// Runs in the lab's router namespace and reports, as JSON lines with µs timestamps, what the router
// sees for each watched address: its neighbour entry's MAC (read over rtnetlink every few ms) and
// who answers HTTP on it (a GET every `intervalMs`). Only changes are reported.
import { request } from "node:http";
import { createRtNetlink } from "netlink";
import { hrtimeMicros } from "../link/port";
import { Ipv4, Mac } from "../packets/address";
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

async function pollNeighbours(): Promise<void> {
  while (running) {
    const entries = await socket.getNeighbors({ family: 2 }).catch(() => []);
    const t = hrtimeMicros();
    for (const address of input.addresses) {
      const entry = entries.find((e) => e.attrs.dst !== undefined && e.attrs.dst.length === 4 && Ipv4.read(e.attrs.dst, 0).toString() === address);
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
    const req = request({ host: address, port: 80, path: "/", agent: false, timeout: Math.max(intervalMs * 5, 50) }, (res) => {
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

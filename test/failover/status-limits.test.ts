// The status listener under hostile clients (src/failover/status-server.ts), all on 127.0.0.1: 200
// idle connections leave at most 64 open and /status still answers at once (a new connection takes
// the place of the one idle longest), but when all have a request under way a new one is closed at once; idle connections, and one stalled inside its request headers,
// are closed after the idle timeout; 10,000 connection attempts in bursts leave this process's file
// descriptors where they were; and a listener in a process whose hard open-file limit is 256 keeps
// its connections under that limit with room to spare while 1,100 clients connect, and still answers.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { connect, Socket } from "node:net";
import { join } from "node:path";
import { daemonMetrics } from "../../src/failover/metrics";
import { connectionCap, DESCRIPTOR_RESERVE, STATUS_LIMITS, StatusLimits, StatusServer } from "../../src/failover/status-server";
import { FakeDaemon } from "./observer-fakes";

const CHILD = join(__dirname, "fixtures", "status-child.js");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connected client socket that remembers whether it was closed. */
interface Client {
  readonly socket: Socket;
  closed: boolean;
}

function open(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const client: Client = { socket, closed: false };
    socket.on("close", () => (client.closed = true));
    socket.on("error", () => {}); // a reset by the server is what some tests expect
    socket.resume(); // read what the server sends (a 408 on a timeout), so its close is seen
    socket.once("connect", () => resolve(client));
    socket.once("error", reject);
  });
}

/** GET path on a connection of its own; the status line, or the error. */
function get(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", (error) => resolve(`error: ${error.message}`));
    socket.on("close", () => resolve(text.split("\r\n")[0]));
    socket.once("connect", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
  });
}

function descriptors(pid: number | "self" = "self"): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

async function until(what: string, ok: () => boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > withinMs) assert.fail(`${what}: not within ${withinMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe("status listener: limits", function () {
  this.timeout(60_000);
  let server: StatusServer | undefined;
  let closeMetrics: (() => void) | undefined;
  const clients: Client[] = [];

  async function listen(limits: StatusLimits = STATUS_LIMITS): Promise<StatusServer> {
    const daemon = new FakeDaemon();
    const metrics = daemonMetrics(daemon);
    closeMetrics = metrics.close;
    server = await StatusServer.listen({ host: "127.0.0.1", port: 0 }, daemon, metrics, limits);
    return server;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await server?.close();
    closeMetrics?.();
    server = undefined;
  });

  it("keeps the cap under the open-file limit, with DESCRIPTOR_RESERVE left to the daemon", () => {
    assert.equal(connectionCap(64, { limit: 1024, open: 30 }), 64);
    assert.equal(connectionCap(64, { limit: 256, open: 100 }), 256 - 100 - DESCRIPTOR_RESERVE);
    assert.equal(connectionCap(64, { limit: 1024, open: 1000 }), 1);
    assert.equal(connectionCap(64, undefined), 64);
  });

  it("keeps at most 64 of 200 idle connections, and /status answers at once", async () => {
    const s = await listen();
    assert.equal(s.maxConnections, 64);
    for (let i = 0; i < 200; i++) clients.push(await open(s.address.port));
    await until("the server to settle at 64", () => clients.filter((c) => !c.closed).length <= 64 && s.connectionCount <= 64, 5000);
    assert.equal(s.connectionCount, 64);
    // the newest are the ones kept
    assert.ok(clients.slice(-64).every((c) => !c.closed));
    const started = Date.now();
    assert.equal(await get(s.address.port, "/status"), "HTTP/1.1 200 OK");
    const ms = Date.now() - started;
    assert.ok(ms < 1000, `/status took ${ms} ms`);
    assert.ok(s.connectionCount <= 64);
  });

  it("closes a new connection at once when every connection has a request under way", async () => {
    const daemon = new FakeDaemon();
    const real = daemonMetrics(daemon);
    closeMetrics = real.close;
    // a /metrics that takes 1.5 s keeps its connection busy
    const slow = { ...real, text: () => sleep(1500).then(() => real.text()) };
    server = await StatusServer.listen({ host: "127.0.0.1", port: 0 }, daemon, slow, { maxConnections: 2, idleTimeoutMs: 5000 });
    const port = server.address.port;
    const busy = [get(port, "/metrics"), get(port, "/metrics")];
    await until("both requests to be under way", () => server?.connectionCount === 2, 1000);
    await sleep(100);
    const third = await open(port);
    clients.push(third);
    const took = await until("the third connection to be closed", () => third.closed, 1000);
    assert.ok(took < 500, `closed after ${took} ms`);
    assert.deepEqual(await Promise.all(busy), ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]);
  });

  it("closes idle connections, and one stalled in its request headers, after the idle timeout", async () => {
    const s = await listen({ maxConnections: 64, idleTimeoutMs: 1000 });
    for (let i = 0; i < 10; i++) clients.push(await open(s.address.port));
    const slow = await open(s.address.port);
    clients.push(slow);
    slow.socket.write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // and never the end of the headers
    await sleep(700);
    assert.ok(clients.every((c) => !c.closed), "not before the timeout");
    const took = await until("every idle connection to be closed", () => clients.every((c) => c.closed), 4000);
    assert.equal(s.connectionCount, 0);
    assert.ok(took + 700 >= 900, `closed after ${took + 700} ms`);
    assert.equal(await get(s.address.port, "/status"), "HTTP/1.1 200 OK");
  });

  it("after 10,000 connection attempts in bursts, the process's descriptors are back where they were", async () => {
    const s = await listen();
    const before = descriptors();
    const started = Date.now();
    let refused = 0;
    for (let burst = 0; burst < 50; burst++) {
      const burstClients = await Promise.all(
        Array.from({ length: 200 }, () =>
          open(s.address.port).catch(() => {
            refused++;
            return undefined;
          }),
        ),
      );
      for (const c of burstClients) c?.socket.destroy();
    }
    const ms = Date.now() - started;
    await until("the server to drop what the clients closed", () => s.connectionCount === 0, 5000);
    await sleep(200);
    const after = descriptors();
    console.log(`      10,000 connection attempts in ${ms} ms (${refused} refused); descriptors ${before} before, ${after} after`);
    assert.ok(ms < 45_000, `${ms} ms`);
    assert.ok(after <= before + 5, `${before} descriptors before, ${after} after`);
    assert.equal(await get(s.address.port, "/status"), "HTTP/1.1 200 OK");
  });

  it("in a process limited to 256 open files, 1,100 clients leave it descriptors to spare, and /status answers", async () => {
    const child = spawn("prlimit", ["--nofile=256:256", process.execPath, CHILD], { stdio: ["pipe", "pipe", "inherit"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
          out += chunk;
          if (out.includes("\n")) resolve(out.trim());
        });
        child.once("exit", (code) => reject(new Error(`the child exited with ${code}`)));
      });
      const [port, cap] = line.split(" ").map(Number);
      assert.ok(cap >= 1 && cap <= 64, `cap ${cap}`);
      // prlimit execs node: the child's pid is node's
      const pid = child.pid as number;
      let most = 0;
      for (let i = 0; i < 1100; i++) {
        clients.push(await open(port));
        if (i % 100 === 99) most = Math.max(most, descriptors(pid));
      }
      await sleep(200);
      most = Math.max(most, descriptors(pid));
      console.log(`      cap ${cap}; the child's descriptors peaked at ${most} of 256 while 1,100 clients connected`);
      assert.ok(most <= 256 - DESCRIPTOR_RESERVE + 10, `the child had ${most} descriptors open`);
      assert.equal(await get(port, "/status"), "HTTP/1.1 200 OK");
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});

// Local servers for the HTTP and TCP check tests, all on 127.0.0.1 with a port the kernel picks:
// an HTTP server with a few behaviours, a listener that accepts and never answers, a port nobody
// listens on, and a listener whose accept queue is full, so a connect to it hangs in SYN-SENT.
import http from "node:http";
import net from "node:net";
import { Worker } from "node:worker_threads";

export const LOOPBACK = "127.0.0.1";

/** Listens on 127.0.0.1 on a port of the kernel's choice and returns the port. */
export function listenOnLoopback(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: LOOPBACK, port: 0 }, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** A server that keeps track of its connections, so a test's after() can close it with all of them. */
export class TrackedServer {
  readonly #sockets = new Set<net.Socket>();
  port = 0;

  constructor(readonly server: net.Server) {
    server.on("connection", (socket: net.Socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP server that accepts connections and then says nothing, ever. */
export function silentServer(): Promise<TrackedServer> {
  return new TrackedServer(net.createServer(() => {})).start();
}

/** A TCP server that answers every connection with `bytes` (and then waits). */
export function rawReplyServer(bytes: string): Promise<TrackedServer> {
  return new TrackedServer(net.createServer((socket) => socket.write(bytes))).start();
}

/** An HTTP server running `handler`. */
export function httpServer(handler: http.RequestListener): Promise<TrackedServer> {
  return new TrackedServer(http.createServer(handler)).start();
}

/** A port on 127.0.0.1 that nobody listens on (it was just free), so connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The listener lives in a worker that blocks its own event loop right after listen(), so nothing
// accepts; once the kernel's accept queue is full, further SYNs are dropped and connects hang.
const UNACCEPTING_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const net = require("node:net");
const server = net.createServer();
server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData.release), 0, 0, workerData.maxBlockMs);
  server.close();
  parentPort.close();
});
`;

/** Most connections opened to fill the accept queue (backlog 1 holds two). */
const MAX_FILLERS = 8;
const FILLER_CONNECT_MS = 200;

export interface UnacceptingListener {
  readonly port: number;
  /** wakes the worker, closes the filler connections and ends the worker */
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 with a full accept queue: connecting to it times out. */
export async function unacceptingListener(maxBlockMs = 30_000): Promise<UnacceptingListener> {
  const release = new SharedArrayBuffer(4);
  const worker = new Worker(UNACCEPTING_WORKER, { eval: true, workerData: { release, maxBlockMs } });
  const fillers: net.Socket[] = [];
  const close = async (): Promise<void> => {
    for (const socket of fillers) socket.destroy();
    const flag = new Int32Array(release);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await worker.terminate();
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    for (let i = 0; i < MAX_FILLERS; i++) {
      const socket = net.connect({ host: LOOPBACK, port });
      fillers.push(socket);
      socket.on("error", () => {});
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), FILLER_CONNECT_MS);
        socket.once("connect", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!connected) return { port, close };
    }
    throw new Error(`the accept queue of 127.0.0.1:${port} still took connections after ${MAX_FILLERS}`);
  } catch (error) {
    await close();
    throw error;
  }
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function millisSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

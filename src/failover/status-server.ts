// The status listener of `takeover run`: plain HTTP on 127.0.0.1:9337 unless the config says
// otherwise (`status: { listen: … }`). `GET /metrics` is the Prometheus text (metrics.ts),
// `GET /status` the JSON of daemon.status(), which `takeover status` prints. Read-only: nothing
// here changes the daemon. Anything else is 404 (an unknown path) or 405 (a method other than GET/HEAD).
//
// Clients cannot use up the daemon's resources: at most STATUS_LIMITS.maxConnections connections are
// kept (64, and fewer when the open-file limit leaves less than DESCRIPTOR_RESERVE descriptors to the
// daemon beyond them). A connection over the cap takes the place of the one idle longest (no request
// under way), so /status answers at once however many idle clients there are; when every connection
// has a request under way the new one is closed at once. A connection idle, or sending its request's
// headers or body, longer than idleTimeoutMs (5 s) is closed; keep-alive lasts 1 s. (Node itself raises
// the soft RLIMIT_NOFILE to the hard limit at start; the cap is what holds under a low hard limit.)
import { readdirSync, readFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { ListenAddress } from "./config";
import type { DaemonMetrics, ObservedDaemon } from "./metrics";

export interface StatusLimits {
  /** connections kept at once (the cap); lowered to fit under the open-file limit */
  readonly maxConnections: number;
  /** a connection idle, or slow to send its request, this long is closed */
  readonly idleTimeoutMs: number;
}

export const STATUS_LIMITS: StatusLimits = { maxConnections: 64, idleTimeoutMs: 5000 };

/** File descriptors left to the rest of the daemon (links, netlink, checks' sockets, hooks' pipes) beyond the status clients. */
export const DESCRIPTOR_RESERVE = 128;

/** The soft limit on open files (/proc/self/limits), and how many are open now; undefined when unknown. */
export function descriptorRoom(): { limit: number; open: number } | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    if (m === null || m[1] === "unlimited") return undefined;
    return { limit: Number(m[1]), open: readdirSync("/proc/self/fd").length };
  } catch {
    return undefined;
  }
}

/** The cap: `wanted`, unless fewer descriptors than that are left beyond DESCRIPTOR_RESERVE (at least 1). */
export function connectionCap(wanted: number, room = descriptorRoom()): number {
  if (room === undefined) return wanted;
  return Math.max(1, Math.min(wanted, room.limit - room.open - DESCRIPTOR_RESERVE));
}

export class StatusServer {
  private constructor(
    private readonly server: Server,
    /** where it listens, with the port the kernel chose for port 0 */
    readonly address: ListenAddress,
    /** the connections it keeps at once */
    readonly maxConnections: number,
    private readonly connections: Map<Socket, { busy: boolean }>,
  ) {}

  /** Connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** `http://127.0.0.1:9337`, `http://[::1]:9337` */
  get url(): string {
    return `http://${this.address.host.includes(":") ? `[${this.address.host}]` : this.address.host}:${this.address.port}`;
  }

  /** Listens on `at`; rejects with a one-line message (address in use, say) if it cannot. */
  static listen(at: ListenAddress, daemon: ObservedDaemon, metrics: DaemonMetrics, limits: StatusLimits = STATUS_LIMITS): Promise<StatusServer> {
    const cap = connectionCap(limits.maxConnections);
    // oldest first: each connection is moved to the end when a request of its ends
    const connections = new Map<Socket, { busy: boolean }>();
    const server = createServer(
      {
        headersTimeout: limits.idleTimeoutMs,
        requestTimeout: limits.idleTimeoutMs,
        // how often Node looks for requests past those two (default 30 s)
        connectionsCheckingInterval: Math.min(1000, limits.idleTimeoutMs),
      },
      (request, response) => {
        const socket = request.socket;
        const entry = connections.get(socket);
        if (entry !== undefined) entry.busy = true;
        response.once("close", () => {
          const now = connections.get(socket);
          if (now === undefined) return;
          now.busy = false;
          connections.delete(socket);
          connections.set(socket, now);
        });
        handle(request, response, daemon, metrics).catch((error: unknown) => {
          if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", `${error instanceof Error ? error.message : String(error)}\n`);
          else response.destroy();
        });
      },
    );
    server.on("connection", (socket: Socket) => {
      if (connections.size >= cap) {
        let idlest: Socket | undefined;
        for (const [s, { busy }] of connections) {
          if (!busy) {
            idlest = s;
            break;
          }
        }
        if (idlest === undefined) {
          socket.destroy(); // every one has a request under way: no room
          return;
        }
        connections.delete(idlest);
        idlest.destroy();
      }
      connections.set(socket, { busy: false });
      socket.once("close", () => connections.delete(socket));
    });
    // a connection that sends nothing for this long (no request, or stalled in one) is closed
    server.setTimeout(limits.idleTimeoutMs, (socket: Socket) => socket.destroy());
    // a scraper that keeps its connection open must not hold up close()
    server.keepAliveTimeout = Math.min(1000, limits.idleTimeoutMs);
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const why = error.code === "EADDRINUSE" ? "the address is in use (another takeover running?)" : error.code === "EADDRNOTAVAIL" ? "no interface has that address" : error.message;
        reject(new Error(`status listener: cannot listen on ${at.host}:${at.port}: ${why}`));
      };
      server.once("error", onError);
      server.listen(at.port, at.host, () => {
        server.off("error", onError);
        const bound = server.address() as AddressInfo;
        resolve(new StatusServer(server, { host: bound.address, port: bound.port }, cap, connections));
      });
    });
  }

  /** Stops listening and ends open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function handle(request: IncomingMessage, response: ServerResponse, daemon: ObservedDaemon, metrics: DaemonMetrics): Promise<void> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("Allow", "GET, HEAD");
    send(response, 405, "text/plain; charset=utf-8", "only GET\n");
    return;
  }
  switch (path) {
    case "/metrics":
      send(response, 200, metrics.contentType, await metrics.text());
      return;
    case "/status":
      send(response, 200, "application/json; charset=utf-8", `${JSON.stringify(daemon.status(), null, 2)}\n`);
      return;
    default:
      send(response, 404, "text/plain; charset=utf-8", "not found: try /status or /metrics\n");
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

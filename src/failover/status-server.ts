// The status listener of `takeover run`: plain HTTP on 127.0.0.1:9337 unless the config says
// otherwise (`status: { listen: … }`). `GET /metrics` is the Prometheus text (metrics.ts),
// `GET /status` the JSON of daemon.status(), which `takeover status` prints. Read-only: nothing
// here changes the daemon. Anything else is 404 (an unknown path) or 405 (a method other than GET/HEAD).
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ListenAddress } from "./config";
import type { DaemonMetrics, ObservedDaemon } from "./metrics";

export class StatusServer {
  private constructor(
    private readonly server: Server,
    /** where it listens, with the port the kernel chose for port 0 */
    readonly address: ListenAddress,
  ) {}

  /** `http://127.0.0.1:9337`, `http://[::1]:9337` */
  get url(): string {
    return `http://${this.address.host.includes(":") ? `[${this.address.host}]` : this.address.host}:${this.address.port}`;
  }

  /** Listens on `at`; rejects with a one-line message (address in use, say) if it cannot. */
  static listen(at: ListenAddress, daemon: ObservedDaemon, metrics: DaemonMetrics): Promise<StatusServer> {
    const server = createServer((request, response) => {
      handle(request, response, daemon, metrics).catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", `${error instanceof Error ? error.message : String(error)}\n`);
        else response.destroy();
      });
    });
    // a scraper that keeps its connection open must not hold up close()
    server.keepAliveTimeout = 1000;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const why = error.code === "EADDRINUSE" ? "the address is in use (another takeover running?)" : error.code === "EADDRNOTAVAIL" ? "no interface has that address" : error.message;
        reject(new Error(`status listener: cannot listen on ${at.host}:${at.port}: ${why}`));
      };
      server.once("error", onError);
      server.listen(at.port, at.host, () => {
        server.off("error", onError);
        const bound = server.address() as AddressInfo;
        resolve(new StatusServer(server, { host: bound.address, port: bound.port }));
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

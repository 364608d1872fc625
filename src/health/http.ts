// HTTP check: a GET on a fresh connection (no agent, `Connection: close`), passing when the status is
// the expected one and the body holds an expected substring. The body is capped: once more than
// `maxBytes` have come the request is torn down and the check fails, so a runaway endpoint cannot
// eat the daemon's memory. One timer covers the whole exchange (connect, response head, body); the
// timeout detail says which phase it was in. Redirects are not followed: a 301 is a wrong status.
import http from "node:http";
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { ABORTED_DETAIL, CheckResult, formatMillis, HealthCheck, MAX_TIMEOUT_MS, messageOf, requireWholeNumber, Stopwatch } from "./check";
import { describeNetworkError } from "./network-errors";

export interface HttpCheckOptions {
  /** IPv4, or IPv6 (connects to [address]:port) */
  readonly address: Ipv4 | Ipv6Address;
  readonly port: number;
  /** request target, starting with "/": "/healthz", "/status?full=1" */
  readonly path: string;
  /** Host header; default "address:port" */
  readonly host?: string;
  readonly expectStatus: number;
  /** a substring the body must contain (matched on the raw bytes, the text encoded as UTF-8) */
  readonly bodyContains?: string;
  /** most body bytes accepted; more fails the check ("response over N bytes") */
  readonly maxBytes: number;
  /** the whole exchange: connect, response head and body */
  readonly timeoutMs: number;
  /** the source address to bind; default: the kernel picks one by route */
  readonly localAddress?: Ipv4 | Ipv6Address;
}

/** Where a request stands, for the timeout detail. */
type Phase = "connecting" | "awaiting response" | "reading body";

const USER_AGENT = "takeover-health-check";

export class HttpCheck implements HealthCheck {
  readonly #needle: Buffer | undefined;

  /**
   * @throws RangeError for a port, status, size or timeout out of range, or a path that does not
   *   start with "/"
   */
  constructor(
    readonly name: string,
    readonly options: HttpCheckOptions,
  ) {
    requireWholeNumber(name, "port", options.port, 1, 65535);
    requireWholeNumber(name, "expectStatus", options.expectStatus, 100, 999);
    requireWholeNumber(name, "maxBytes", options.maxBytes, 0, Number.MAX_SAFE_INTEGER);
    requireWholeNumber(name, "timeoutMs", options.timeoutMs, 1, MAX_TIMEOUT_MS);
    if (!options.path.startsWith("/")) throw new RangeError(`check "${name}": path must start with "/", got ${JSON.stringify(options.path)}`);
    this.#needle = options.bodyContains === undefined ? undefined : Buffer.from(options.bodyContains, "utf8");
  }

  run(signal?: AbortSignal): Promise<CheckResult> {
    const { address, port, path, host, expectStatus, bodyContains, maxBytes, timeoutMs, localAddress } = this.options;
    const needle = this.#needle;
    return new Promise((resolve) => {
      if (signal?.aborted) {
        resolve({ ok: false, rttMicros: 0, detail: ABORTED_DETAIL });
        return;
      }
      const clock = new Stopwatch();
      let phase: Phase = "connecting";
      let request: http.ClientRequest | undefined;
      let finished = false;
      const finish = (ok: boolean, detail: string, rttMicros = clock.elapsedMicros()): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        request?.destroy();
        resolve({ ok, rttMicros, detail });
      };
      const onAbort = (): void => finish(false, ABORTED_DETAIL);
      const timer = setTimeout(() => finish(false, `timeout after ${timeoutMs}ms (${phase})`), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });

      const headers: http.OutgoingHttpHeaders = { Connection: "close", "User-Agent": USER_AGENT, Accept: "*/*" };
      if (host !== undefined) headers.Host = host;
      try {
        request = http.request({
          host: address.toString(),
          port,
          path,
          method: "GET",
          family: address instanceof Ipv4 ? 4 : 6,
          localAddress: localAddress?.toString(),
          agent: false,
          headers,
        });
      } catch (error) {
        // node refuses some paths and header values before sending anything
        finish(false, `request not sent: ${messageOf(error)}`, 0);
        return;
      }
      // `on`, not `once`: an error after the verdict (the teardown) must not go unhandled
      request.on("error", (error) => finish(false, describeNetworkError(error, localAddress)));
      request.on("socket", (socket) => {
        socket.once("connect", () => {
          if (phase === "connecting") phase = "awaiting response";
        });
      });
      request.on("response", (response) => {
        phase = "reading body";
        const status = response.statusCode ?? 0;
        if (status !== expectStatus) {
          finish(false, `status ${status}, expected ${expectStatus}`);
          return;
        }
        const declaredLength = Number(response.headers["content-length"]);
        if (declaredLength > maxBytes) {
          finish(false, `response over ${maxBytes} bytes`);
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          if (finished) return;
          received += chunk.length;
          if (received > maxBytes) finish(false, `response over ${maxBytes} bytes`);
          else chunks.push(chunk);
        });
        response.on("end", () => {
          if (finished) return;
          const rttMicros = clock.elapsedMicros();
          if (needle !== undefined && !Buffer.concat(chunks, received).includes(needle)) {
            finish(false, `body lacks ${JSON.stringify(bodyContains)}`, rttMicros);
          } else {
            finish(true, `status ${status}, ${received} bytes in ${formatMillis(rttMicros)}`, rttMicros);
          }
        });
        response.on("error", () => finish(false, "connection closed before the response ended"));
        response.on("close", () => {
          if (!response.complete) finish(false, "connection closed before the response ended");
        });
      });
      request.end();
    });
  }
}

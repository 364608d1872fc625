// TCP connect check: the service accepts connections. Connects (from `localAddress` when given), and
// closes the connection as soon as it is up; the RTT is the time the handshake took, by hrtime.
import net from "node:net";
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { ABORTED_DETAIL, CheckResult, formatMillis, HealthCheck, MAX_TIMEOUT_MS, messageOf, requireWholeNumber, Stopwatch } from "./check";
import { describeNetworkError } from "./network-errors";

export interface TcpCheckOptions {
  /** IPv4, or IPv6 (connects to [address]:port) */
  readonly address: Ipv4 | Ipv6Address;
  readonly port: number;
  /** the whole attempt, from connect() to the connection being up */
  readonly timeoutMs: number;
  /** the source address to bind; default: the kernel picks one by route */
  readonly localAddress?: Ipv4 | Ipv6Address;
}

export class TcpCheck implements HealthCheck {
  /** @throws RangeError for a port outside 1..65535 or a timeout that is not a positive whole number */
  constructor(
    readonly name: string,
    readonly options: TcpCheckOptions,
  ) {
    requireWholeNumber(name, "port", options.port, 1, 65535);
    requireWholeNumber(name, "timeoutMs", options.timeoutMs, 1, MAX_TIMEOUT_MS);
  }

  run(signal?: AbortSignal): Promise<CheckResult> {
    const { address, port, timeoutMs, localAddress } = this.options;
    return new Promise((resolve) => {
      if (signal?.aborted) {
        resolve({ ok: false, rttMicros: 0, detail: ABORTED_DETAIL });
        return;
      }
      const clock = new Stopwatch();
      let socket: net.Socket | undefined;
      let finished = false;
      const finish = (ok: boolean, detail: string, rttMicros = clock.elapsedMicros()): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        socket?.destroy();
        resolve({ ok, rttMicros, detail });
      };
      const onAbort = (): void => finish(false, ABORTED_DETAIL);
      const timer = setTimeout(() => finish(false, `timeout after ${timeoutMs}ms`), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        socket = net.connect({ host: address.toString(), port, family: address instanceof Ipv4 ? 4 : 6, localAddress: localAddress?.toString() });
      } catch (error) {
        finish(false, `connect failed: ${messageOf(error)}`, 0);
        return;
      }
      socket.once("connect", () => {
        const rttMicros = clock.elapsedMicros();
        finish(true, `connected in ${formatMillis(rttMicros)}`, rttMicros);
      });
      // `on`, not `once`: an error after the verdict must not go unhandled
      socket.on("error", (error) => finish(false, describeNetworkError(error, localAddress)));
    });
  }
}

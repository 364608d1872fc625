// Turns the errors node:net and node:http raise into the few words a check's detail carries:
// "connection refused" rather than "connect ECONNREFUSED 127.0.0.1:8080" (the check's name and
// configuration already say where it went).
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";

const SHORT_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed by the peer",
  EHOSTUNREACH: "host unreachable",
  EHOSTDOWN: "host down",
  ENETUNREACH: "network unreachable",
  ENETDOWN: "network down",
  ETIMEDOUT: "connection timed out (kernel)",
  EPERM: "not permitted (firewall?)",
  EACCES: "not permitted",
};

/** The error's errno-style code, when it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * A short reason for a failed connection or exchange.
 * @param localAddress the source address the socket was asked to bind, to name it when it is not ours
 */
export function describeNetworkError(error: unknown, localAddress?: Ipv4 | Ipv6Address): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === undefined) return message;
  const reason = SHORT_REASONS[code];
  if (reason !== undefined) return reason;
  if (code === "EADDRNOTAVAIL") {
    return localAddress !== undefined ? `source address ${localAddress} not available` : "address not available";
  }
  if (code.startsWith("HPE_")) return `invalid HTTP response (${code})`;
  return `${code}: ${message}`;
}

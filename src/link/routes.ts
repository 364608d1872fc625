// The IPv4 routing table of the main table, read from /proc/net/route (no subprocess), and the two
// questions the daemon asks of it: which is the default route (gateway), and through which interface
// and next hop an address is reached — the target itself when it is on-link, else its gateway.

import { readFileSync } from "node:fs";
import { endianness } from "node:os";
import { Ipv4 } from "../packets/address";

export interface Route {
  readonly interface: string;
  readonly destination: Ipv4;
  readonly prefixLength: number;
  /** The next-hop router; undefined for an on-link (connected) route. */
  readonly gateway: Ipv4 | undefined;
  readonly metric: number;
}

/** Where to send a frame for an address: out of `interface`, to the MAC of `nextHop`. */
export interface NextHop {
  readonly interface: string;
  /** The address to resolve with ARP: the target itself when on-link, else the route's gateway. */
  readonly nextHop: Ipv4;
  readonly route: Route;
}

/** Thrown when the routing table cannot be read or has no route for an address. One line. */
export class RouteError extends Error {
  override readonly name = "RouteError";
}

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;

/** /proc/net/route prints each address as the hex of its 32 bits in host byte order. */
function hexToIpv4(hex: string, littleEndian: boolean): Ipv4 {
  const raw = parseInt(hex, 16) >>> 0;
  if (!littleEndian) return new Ipv4(raw);
  const swapped = ((raw & 0xff) << 24) | ((raw & 0xff00) << 8) | ((raw >>> 8) & 0xff00) | (raw >>> 24);
  return new Ipv4(swapped >>> 0);
}

function maskToPrefixLength(mask: Ipv4): number {
  let bits = 0;
  for (let v = mask.value; v & 0x8000_0000; v = (v << 1) >>> 0) bits++;
  return bits;
}

/**
 * Parses the text of /proc/net/route. Routes that are not up, and reject (unreachable) routes,
 * are left out.
 * @param littleEndian the byte order of the host that wrote the text (default: this host's)
 */
export function parseRouteTable(text: string, littleEndian = endianness() === "LE"): Route[] {
  const routes: Route[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const flags = parseInt(f[3], 16);
    if ((flags & RTF_UP) === 0 || (flags & RTF_REJECT) !== 0) continue;
    routes.push({
      interface: f[0],
      destination: hexToIpv4(f[1], littleEndian),
      prefixLength: maskToPrefixLength(hexToIpv4(f[7], littleEndian)),
      gateway: (flags & RTF_GATEWAY) !== 0 ? hexToIpv4(f[2], littleEndian) : undefined,
      metric: Number(f[6]),
    });
  }
  return routes;
}

/** The main routing table of this host (network namespace). */
export function readRoutes(path = "/proc/net/route"): Route[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new RouteError(`cannot read the routing table ${path}: ${(error as Error).message} — is /proc mounted?`);
  }
  return parseRouteTable(text);
}

/** The best route for `address`: longest prefix, then lowest metric. */
export function routeTo(address: Ipv4, routes: readonly Route[] = readRoutes()): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if (!r.destination.sameSubnet(address, r.prefixLength)) continue;
    if (best === undefined || r.prefixLength > best.prefixLength || (r.prefixLength === best.prefixLength && r.metric < best.metric)) {
      best = r;
    }
  }
  return best;
}

/** The default route with the lowest metric, if there is one. */
export function defaultRoute(routes: readonly Route[] = readRoutes()): Route | undefined {
  return routes
    .filter((r) => r.prefixLength === 0)
    .reduce<Route | undefined>((best, r) => (best === undefined || r.metric < best.metric ? r : best), undefined);
}

/**
 * The interface and next hop for `address`.
 * @throws RouteError `no route to 203.0.113.9 (…)` when the table has none
 */
export function nextHopFor(address: Ipv4, routes: readonly Route[] = readRoutes()): NextHop {
  const route = routeTo(address, routes);
  if (route === undefined) {
    throw new RouteError(
      `no route to ${address} in the main routing table (${routes.length} routes) — add one, e.g. ip route add default via <gateway>`,
    );
  }
  return { interface: route.interface, nextHop: route.gateway ?? address, route };
}

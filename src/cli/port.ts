// Opening a libpcap link for the ping, arp and ndp verbs: picks the interface (given, or the one the
// kernel's route to a target leaves by, as `ip route get` says), finds our address on it, and wraps
// the link as a FramePort.
import { findInterface, NetworkInterface } from "../link/interfaces";
import type { Link } from "../link/link";
import { FramePort } from "../link/port";
import { lookupRoute, RouteError, RouteLookup } from "../link/route";
import { AddressError, Ipv4 } from "../packets/address";
import { UsageError } from "./errors";

export interface OpenedPort {
  readonly port: FramePort;
  readonly link: Link;
  readonly iface: NetworkInterface;
  /** our first IPv4 address on the interface, or 0.0.0.0 when it has none */
  readonly sourceIp: Ipv4;
}

/** Parses an operator-given IPv4 address, naming the argument in the error. */
export function parseAddressArgument(what: string, text: string): Ipv4 {
  try {
    return Ipv4.parse(text);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`${what}: ${error.message}`);
    throw error;
  }
}

/** For the arp verbs, the interface to use: `-I` when given, else the one the kernel's route to `target` leaves by. */
export async function interfaceFor(given: string | undefined, target: Ipv4 | undefined): Promise<string> {
  if (given !== undefined) return given;
  if (target === undefined) throw new UsageError("no interface: give one with -I IFACE");
  let route: RouteLookup<Ipv4>;
  try {
    route = await lookupRoute(target);
  } catch (error) {
    if (error instanceof RouteError) throw new UsageError(`${error.message}; or give the interface with -I IFACE`);
    throw error;
  }
  // ARP on lo asks no one
  if (route.type === "local") throw new UsageError(`${target} is an address of this host (local route, dev ${route.interface}); give the interface to use with -I IFACE`);
  return route.interface;
}

export function openPort(name: string, filter: string, options: { readonly promiscuous?: boolean } = {}): OpenedPort {
  let iface: NetworkInterface;
  let link: Link;
  try {
    iface = findInterface(name);
    // the libpcap binding is loaded by the verbs that capture, not at start-up
    const { Link: LinkClass } = require("../link/link") as typeof import("../link/link");
    link = LinkClass.open(name, { filter, ...(options.promiscuous === true ? { promiscuous: true } : {}) });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port: FramePort = {
    name,
    // as the link has it now: an interface made again may come back with another MAC
    get mac() {
      return link.mac;
    },
    send: (f) => link.send(f),
    listen: (l) => link.onFrame(l),
  };
  return { port, link, iface, sourceIp: iface.ipv4[0]?.address ?? Ipv4.ANY };
}

/** Our address on `iface` in the same subnet as `target`, else the first one. */
export function sourceFor(opened: OpenedPort, target: Ipv4): Ipv4 {
  const same = opened.iface.ipv4.find((a) => a.address.sameSubnet(target, a.prefixLength));
  return same?.address ?? opened.sourceIp;
}

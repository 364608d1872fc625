// The route to an IPv4 or IPv6 address, asked of the kernel as `ip route get ADDRESS` (`ip -6 route
// get`) asks it: one RTM_GETROUTE request over rtnetlink, so the answer follows the policy rules (`ip
// rule`, `ip -6 rule`), looks in every table (local, main, and any other), and carries the kernel's
// own choice of output interface (RTA_OIF), gateway (RTA_GATEWAY) and source address (RTA_PREFSRC).
// A destination the kernel delivers to itself (127.0.0.0/8, ::1, the box's own addresses) comes back
// as type "local" on lo. A link-local IPv6 destination needs its interface (`fe80::1%eth0`): it is
// given as RTA_OIF, as `ip -6 route get fe80::1 oif eth0` gives it.
//
// A frame put on lo from userspace (libpcap) reaches the local stack without the route the kernel
// attaches to its own loopback packets, so it is routed as input, and the kernel's martian checks
// drop it: a local source address unless accept_local is on, a 127.0.0.0/8 destination unless
// route_localnet is on (net.ipv4.conf.{all,lo}.*; both off by default). `injectionOnLoBlockedBy`
// says which of them stops a local destination, so ping can say so instead of losing every request.
//
// The request is built and the answer parsed here as bytes (pure functions, tested on captured
// messages); the netlink npm package only carries them. Failures are one line, named as `ip route
// get` names them: "no route to X" (ENETUNREACH), "X is unreachable (unreachable route)"
// (EHOSTUNREACH), "X is unreachable (prohibit)" (EACCES), "X is unreachable (blackhole)" (EINVAL).

import { readdirSync, readFileSync } from "node:fs";
import { endianness } from "node:os";
import { createRtNetlink } from "netlink";
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";

/** An address of either family, as routes are looked up for both. */
export type IpAddress = Ipv4 | Ipv6Address;

/** Thrown when the kernel has no usable route for an address, or cannot be asked. One line. */
export class RouteError extends Error {
  override readonly name = "RouteError";
}

/** rtm_type, as `ip route` prints it. */
export type RouteType =
  | "unspec"
  | "unicast"
  | "local"
  | "broadcast"
  | "anycast"
  | "multicast"
  | "blackhole"
  | "unreachable"
  | "prohibit"
  | "throw"
  | "nat"
  | "xresolve";

const ROUTE_TYPES: readonly RouteType[] = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"];

/** The kernel's answer to RTM_GETROUTE for one destination, as it came. */
export interface RouteAnswer<A extends IpAddress = Ipv4> {
  readonly type: RouteType;
  readonly destination: A;
  /** The table the route was found in (RTA_TABLE, else rtm_table): 255 local, 254 main, … */
  readonly table: number;
  /** RTA_OIF: the interface the packet leaves by. */
  readonly interfaceIndex: number | undefined;
  /** RTA_GATEWAY: the next-hop router; undefined when the destination is on-link or local. */
  readonly gateway: A | undefined;
  /** RTA_PREFSRC: the source address the kernel would use. */
  readonly preferredSource: A | undefined;
}

/** Where to send a frame for an address: out of `interface`, to the MAC of `nextHop`. */
export interface RouteLookup<A extends IpAddress = Ipv4> extends RouteAnswer<A> {
  /** The name of the output interface. */
  readonly interface: string;
  /** The address whose MAC to resolve: the gateway, else the destination itself. */
  readonly nextHop: A;
  /** The source to send from: RTA_PREFSRC, else (local routes) the destination itself. */
  readonly source: A | undefined;
}

export const RTM_NEWROUTE = 24;
export const RTM_GETROUTE = 26;
export const NLMSG_ERROR = 2;
const AF_INET = 2;
const AF_INET6 = 10;
const RTM_F_LOOKUP_TABLE = 0x1000;
const RTMSG_LENGTH = 12;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
/** nla_type's top two bits are flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER). */
const NLA_TYPE_MASK = 0x3fff;

const hostIsLittleEndian = endianness() === "LE";

/**
 * The payload of an RTM_GETROUTE request for `destination` (what follows the netlink header): an
 * rtmsg of the destination's family asking for the table the route was found in, RTA_DST, and
 * RTA_OIF when an interface is given (as `ip route get ADDRESS oif IFACE`, or `ping -I IFACE`; a
 * link-local IPv6 destination's zone).
 */
export function encodeRouteRequest(destination: IpAddress, outputInterfaceIndex?: number, littleEndian = hostIsLittleEndian): Uint8Array {
  const addressLength = destination instanceof Ipv4 ? 4 : 16;
  const oifAt = RTMSG_LENGTH + 4 + addressLength;
  const bytes = new Uint8Array(oifAt + (outputInterfaceIndex === undefined ? 0 : 8));
  const view = new DataView(bytes.buffer);
  bytes[0] = destination instanceof Ipv4 ? AF_INET : AF_INET6;
  bytes[1] = addressLength * 8; // rtm_dst_len: one address
  view.setUint32(8, RTM_F_LOOKUP_TABLE, littleEndian);
  view.setUint16(12, 4 + addressLength, littleEndian);
  view.setUint16(14, RTA_DST, littleEndian);
  // addresses are in network order
  if (destination instanceof Ipv4) view.setUint32(16, destination.value, false);
  else bytes.set(destination.bytes, 16);
  if (outputInterfaceIndex !== undefined) {
    view.setUint16(oifAt, 8, littleEndian);
    view.setUint16(oifAt + 2, RTA_OIF, littleEndian);
    view.setUint32(oifAt + 4, outputInterfaceIndex, littleEndian);
  }
  return bytes;
}

/**
 * The kernel's answer to RTM_GETROUTE for `destination`: an RTM_NEWROUTE message, or an NLMSG_ERROR
 * carrying the errno that `ip route get` prints ("RTNETLINK answers: …").
 * @param type the netlink message type
 * @param data the message payload (after the 16-byte netlink header)
 * @throws RouteError for an error answer, or a message too short or of another type
 */
export function parseRouteAnswer<A extends IpAddress>(type: number, data: Uint8Array, destination: A, littleEndian = hostIsLittleEndian): RouteAnswer<A> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (type === NLMSG_ERROR) {
    if (data.length < 4) throw new RouteError(`route lookup for ${destination}: a truncated netlink error message (${data.length} bytes)`);
    const errno = -view.getInt32(0, littleEndian);
    throw routeErrorFor(destination, errno);
  }
  if (type !== RTM_NEWROUTE) throw new RouteError(`route lookup for ${destination}: the kernel answered with netlink message type ${type}, not RTM_NEWROUTE`);
  if (data.length < RTMSG_LENGTH) throw new RouteError(`route lookup for ${destination}: a truncated route message (${data.length} bytes)`);
  const v4 = destination instanceof Ipv4;
  if (data[0] !== (v4 ? AF_INET : AF_INET6)) throw new RouteError(`route lookup for ${destination}: the answer is of address family ${data[0]}, not ${v4 ? "IPv4" : "IPv6"}`);
  const addressLength = v4 ? 4 : 16;
  const readAddress = (at: number): A => (v4 ? new Ipv4(view.getUint32(at, false)) : new Ipv6Address(data.slice(at, at + 16))) as A;
  let table = data[4];
  const routeType = ROUTE_TYPES[data[7]] ?? "unspec";
  let interfaceIndex: number | undefined;
  let gateway: A | undefined;
  let preferredSource: A | undefined;
  let answered = destination;
  for (let at = RTMSG_LENGTH; at + 4 <= data.length; ) {
    const length = view.getUint16(at, littleEndian);
    if (length < 4 || at + length > data.length) break; // a malformed attribute ends the list
    const attribute = view.getUint16(at + 2, littleEndian) & NLA_TYPE_MASK;
    const payload = at + 4;
    const size = length - 4;
    if (size === addressLength) {
      switch (attribute) {
        case RTA_DST:
          answered = readAddress(payload);
          break;
        case RTA_GATEWAY:
          gateway = readAddress(payload);
          break;
        case RTA_PREFSRC:
          preferredSource = readAddress(payload);
          break;
      }
    }
    if (size === 4) {
      switch (attribute) {
        case RTA_OIF:
          interfaceIndex = view.getUint32(payload, littleEndian);
          break;
        case RTA_TABLE:
          table = view.getUint32(payload, littleEndian);
          break;
      }
    }
    at += (length + 3) & ~3;
  }
  return { type: routeType, destination: answered, table, interfaceIndex, gateway, preferredSource };
}

const ERRNO_ENETUNREACH = 101;
const ERRNO_EHOSTUNREACH = 113;
const ERRNO_EACCES = 13;
const ERRNO_EINVAL = 22;

/** The one-line error for an errno of RTM_GETROUTE (fib_props: unreachable, prohibit, blackhole). */
/** `ip route` or `ip -6 route`, as the destination's family asks. */
const ipRoute = (destination: IpAddress) => (destination instanceof Ipv4 ? "ip route" : "ip -6 route");

export function routeErrorFor(destination: IpAddress, errno: number): RouteError {
  switch (errno) {
    case ERRNO_ENETUNREACH:
      return new RouteError(`no route to ${destination} (${ipRoute(destination)} get ${destination}: Network is unreachable); add one, e.g. ${ipRoute(destination)} add default via <gateway>`);
    case ERRNO_EHOSTUNREACH:
      return unreachable(destination, "unreachable");
    case ERRNO_EACCES:
      return unreachable(destination, "prohibit");
    case ERRNO_EINVAL:
      return unreachable(destination, "blackhole");
    default:
      return new RouteError(`route lookup for ${destination} failed: errno ${errno}; try ${ipRoute(destination)} get ${destination}`);
  }
}

function unreachable(destination: IpAddress, type: "unreachable" | "prohibit" | "blackhole"): RouteError {
  const ip = ipRoute(destination);
  return new RouteError(`${destination} is unreachable (${type} route; see ${ip} get ${destination} and ${ip.replace(/route$/, "rule")})`);
}

/**
 * What to send to for an answer: the interface by name, the next hop and the source.
 * @throws RouteError for reject routes, and for broadcast and multicast destinations
 */
export function nextHopOf<A extends IpAddress>(answer: RouteAnswer<A>, interfaceName: (index: number) => string | undefined): RouteLookup<A> {
  const d = answer.destination;
  switch (answer.type) {
    case "unicast":
    case "local":
      break;
    case "unreachable":
    case "prohibit":
    case "blackhole":
      throw unreachable(d, answer.type);
    default:
      throw new RouteError(`${d} is routed as ${answer.type} (${ipRoute(d)} get ${d}); only unicast and local destinations can be pinged — for ${answer.type}, iputils ping${answer.type === "broadcast" ? " -b" : ""}`);
  }
  if (answer.interfaceIndex === undefined) throw new RouteError(`the route to ${d} names no output interface (${ipRoute(d)} get ${d})`);
  const name = interfaceName(answer.interfaceIndex);
  if (name === undefined) throw new RouteError(`the route to ${d} leaves by interface index ${answer.interfaceIndex}, which has gone away; try again`);
  return {
    ...answer,
    interface: name,
    nextHop: answer.gateway ?? d,
    source: answer.preferredSource ?? (answer.type === "local" ? d : undefined),
  };
}

/** The name of the interface with index `index` in this network namespace, from /sys/class/net. */
export function interfaceNameOf(index: number, sysNet = "/sys/class/net"): string | undefined {
  let names: string[];
  try {
    names = readdirSync(sysNet);
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      if (Number(readFileSync(`${sysNet}/${name}/ifindex`, "utf8").trim()) === index) return name;
    } catch {
      // gone meanwhile, or not an interface
    }
  }
  return undefined;
}

export interface LookupOptions {
  /** Only routes out of this interface index (RTA_OIF), as `ip route get … oif IFACE`. */
  readonly outputInterfaceIndex?: number;
  /** Give up on the kernel's answer after this long; default 2000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Asks the kernel for the route to each destination, as `ip route get` does, over one rtnetlink
 * socket. Each entry is the route, or the RouteError saying why there is none.
 * @throws RouteError when no rtnetlink socket can be opened
 */
export async function lookupRoutes<A extends IpAddress>(destinations: readonly A[], options: LookupOptions = {}): Promise<Array<RouteLookup<A> | RouteError>> {
  let created: ReturnType<typeof createRtNetlink>;
  try {
    created = createRtNetlink();
  } catch (error) {
    throw new RouteError(`cannot open an rtnetlink socket to look up routes: ${(error as Error).message}`);
  }
  const socket = created.socket;
  socket.on("error", () => {}); // a failed request rejects; the event alone must not crash us
  try {
    const results: Array<RouteLookup<A> | RouteError> = [];
    for (const destination of destinations) {
      try {
        const [messages] = await socket.request(RTM_GETROUTE, [encodeRouteRequest(destination, options.outputInterfaceIndex)], {
          checkError: false,
          timeout: options.timeoutMs ?? 2000,
        });
        const first = messages[0];
        if (first === undefined) throw new RouteError(`route lookup for ${destination}: the kernel sent no answer`);
        results.push(nextHopOf(parseRouteAnswer(first.type, first.data, destination), (i) => interfaceNameOf(i)));
      } catch (error) {
        results.push(error instanceof RouteError ? error : new RouteError(`route lookup for ${destination} failed: ${(error as Error).message}`));
      }
    }
    return results;
  } finally {
    socket.close();
  }
}

/**
 * The route to one destination, as `ip route get DESTINATION` gives it.
 * @throws RouteError `no route to 203.0.113.9 …`, `203.0.113.9 is unreachable (prohibit route; …)`
 */
export async function lookupRoute<A extends IpAddress>(destination: A, options: LookupOptions = {}): Promise<RouteLookup<A>> {
  const [result] = await lookupRoutes([destination], options);
  if (result instanceof RouteError) throw result;
  return result;
}

/** Reads /proc/sys/net/ipv4/conf/<device>/<key> as a number; undefined when it cannot be read. */
export function readIpv4Conf(device: string, key: string): number | undefined {
  try {
    return Number(readFileSync(`/proc/sys/net/ipv4/conf/${device}/${key}`, "utf8").trim());
  } catch {
    return undefined;
  }
}

/**
 * For a local destination and the source we would send from: the sysctls that must be on for an
 * echo request put on lo from userspace to reach the kernel (none: an empty list). Each is on when
 * it is on for `all` or for `lo`, as the kernel reads it (IN_DEV_ORCONF).
 */
export function injectionOnLoBlockedBy(destination: Ipv4, source: Ipv4, conf: (device: string, key: string) => number | undefined = readIpv4Conf): string[] {
  const on = (key: string) => (conf("all", key) ?? 0) > 0 || (conf("lo", key) ?? 0) > 0;
  const loopbackNet = (a: Ipv4) => a.value >>> 24 === 127;
  const missing: string[] = [];
  if ((loopbackNet(destination) || loopbackNet(source)) && !on("route_localnet")) missing.push("net.ipv4.conf.lo.route_localnet=1");
  if (!on("accept_local")) missing.push("net.ipv4.conf.lo.accept_local=1");
  return missing;
}

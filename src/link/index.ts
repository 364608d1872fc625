// The link layer's public face: interface discovery, the kernel's route lookup, and the libpcap link.
export { findInterface, listInterfaces, readInterfaceState, InterfaceError, SysReadError } from "./interfaces";
export type { InterfaceAddress, InterfaceState, NetworkInterface } from "./interfaces";
export { encodeRouteRequest, injectionOnLoBlockedBy, interfaceNameOf, lookupRoute, lookupRoutes, nextHopOf, parseRouteAnswer, RouteError } from "./route";
export type { IpAddress, LookupOptions, RouteAnswer, RouteLookup, RouteType } from "./route";
export { Link, LinkError } from "./link";
export type { CapturedFrame, DirectedFilter, Direction, LinkOptions, LinkState, LinkStats, LinkStatus, LinkWatch } from "./link";

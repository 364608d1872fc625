// The link layer's public face: interface discovery, the routing table, and the libpcap link.
export { findInterface, listInterfaces, readInterfaceState, InterfaceError, SysReadError } from "./interfaces";
export type { InterfaceAddress, InterfaceState, NetworkInterface } from "./interfaces";
export { defaultRoute, nextHopFor, parseRouteTable, readRoutes, routeTo, RouteError } from "./routes";
export type { NextHop, Route } from "./routes";
export { Link, LinkError } from "./link";
export type { CapturedFrame, Direction, LinkOptions, LinkState, LinkStats, LinkStatus, LinkWatch } from "./link";

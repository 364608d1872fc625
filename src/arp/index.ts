// ARP engine: resolver, gratuitous announcer, RFC 5227 conflict detection.
export * from "./announcer";
export * from "./conflict";
export * from "./resolver";

// NDP engine (RFC 4861, RFC 4862): frames, resolver, unsolicited advertisements, Duplicate Address Detection.
export * from "./announcer";
export * from "./dad";
export * from "./frames";
export * from "./resolver";

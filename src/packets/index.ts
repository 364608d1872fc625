// takeover/packets: pure codecs for Ethernet (802.1Q), ARP, IPv4, ICMP, the link headers of Linux cooked
// captures, raw IP and loopback, classic pcap and pcapng files, and a pcap-filter(7) compiler.
// No I/O and no Node-only imports, so other tools (and a browser-side viewer) can use them.
export { AddressError, Ipv4, Mac } from "./address";
export { DecodeError, Layer } from "./errors";
export { foldChecksum, internetChecksum, checksumVerifies, onesComplementSum, updateChecksum, updateChecksum32 } from "./checksum";
export * from "./ethernet";
export * from "./arp";
export * from "./ipv4";
export * from "./icmp";
export * from "./frame";
export * from "./pcap";
export * from "./summary";
export * from "./pcapng";
export * from "./linktype";
export * from "./link-summary";
export * from "./capture";
export { compileFilter, FilterError, FILTER_LANGUAGE, FramePredicate } from "./filter";
export * from "./pseudo-header";
export * from "./udp";
export * from "./tcp";
export * from "./vrrp";
export * from "./transport-summary";
export * from "./ipv6";
export * from "./icmpv6";
export * from "./summary-ipv6";

// takeover/packets: pure codecs for Ethernet (802.1Q), ARP, IPv4, ICMP and classic pcap files.
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

// The hot-path numbers of the first codecs' headers (Ethernet/802.1Q, ARP, IPv4, ICMP) as const enums,
// which tsc writes into the code that uses them as literals and V8 compiles to immediates (a value read
// from a table or another module is a load and a check each time). This is a compiled form of the
// buffer-layout descriptions, not a second source: every member is checked against its header's
// layout, or its exported constant, when the module owning that header loads (ethernet.ts, arp.ts,
// ipv4.ts, icmp.ts), so a layout edited without these fails at startup, not on the wire.
// frame.ts, summary.ts and filter.ts import these instead of writing numbers of their own.
// Internal: not exported from index.ts, and nothing of it exists at run time.

/** EtherTypes and ARP type numbers; checked in ethernet.ts and arp.ts against ETHERTYPE_* and ARP_*. */
export const enum EtherType {
  Ipv4 = 0x0800,
  Arp = 0x0806,
  Vlan = 0x8100,
  Ipv6 = 0x86dd,
  Qinq = 0x88a8,
  QinqOld = 0x9100,
}

/** Ethernet header and 802.1Q tag; checked in ethernet.ts. Offsets from the frame's start. */
export const enum EthAt {
  Destination = 0,
  Source = 6,
  Type = 12,
  HeaderLength = 14,
  /** the 802.1Q tag's TCI, when the outer type is 0x8100 */
  Tci = 14,
  /** the inner EtherType after an 802.1Q tag */
  InnerType = 16,
  TagLength = 4,
  TaggedHeaderLength = 18,
  PriorityShift = 13,
  PriorityMask = 7,
  DropEligibleShift = 12,
  IdMask = 0xfff,
  MacLength = 6,
}

/** ARP for Ethernet/IPv4; checked in arp.ts. Offsets from the ARP header's start. */
export const enum ArpAt {
  HardwareType = 0,
  ProtocolType = 2,
  HardwareLength = 4,
  ProtocolLength = 5,
  Operation = 6,
  /** the fixed part ends here; so does the operation's low byte plus one */
  SenderMac = 8,
  SenderIp = 14,
  TargetMac = 18,
  TargetIp = 24,
  Length = 28,
  /** hardware and protocol address lengths of Ethernet/IPv4 ARP (hlen, plen) */
  MacLength = 6,
  Ipv4Length = 4,
  /** not an offset: ARP_HARDWARE_ETHERNET */
  HardwareEthernet = 1,
  /** not an offset: hardware type 1 and protocol type 0x0800 read as one 32-bit word */
  EthernetIpv4Types = 0x0001_0800,
  /** not an offset: ARP_REQUEST and ARP_REPLY */
  Request = 1,
  Reply = 2,
}

/** IPv4 header; checked in ipv4.ts. Offsets from the header's start. */
export const enum Ipv4At {
  VersionAndLength = 0,
  TrafficClass = 1,
  TotalLength = 2,
  Identification = 4,
  Flags = 6,
  Ttl = 8,
  Protocol = 9,
  Checksum = 10,
  Source = 12,
  Destination = 16,
  MinHeaderLength = 20,
  MaxHeaderLength = 60,
  VersionShift = 4,
  HeaderWordsMask = 0xf,
  DscpShift = 2,
  EcnMask = 3,
  ReservedFlag = 0x8000,
  DontFragment = 0x4000,
  MoreFragments = 0x2000,
  FragmentUnits = 0x1fff,
  /** not an offset: IP_PROTOCOL_ICMP */
  ProtocolIcmp = 1,
}

/** ICMP header; checked in icmp.ts. Offsets from the ICMP header's start. */
export const enum IcmpAt {
  Type = 0,
  Code = 1,
  Checksum = 2,
  Identifier = 4,
  Sequence = 6,
  RestOfHeader = 4,
  HeaderLength = 8,
  /** not an offset: ICMP_ECHO_REPLY and ICMP_ECHO_REQUEST */
  EchoReply = 0,
  EchoRequest = 8,
}

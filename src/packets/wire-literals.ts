// The hot-path numbers of the codecs' headers (Ethernet/802.1Q, ARP, IPv4, ICMP, IPv6 and its
// extension headers, ICMPv6/NDP/MLD, UDP, TCP, VRRP) and of the IP protocol numbers, as const enums,
// which tsc writes into the code that uses them as literals and V8 compiles to immediates (a value read
// from a table or another module is a load and a check each time). This is a compiled form of the
// buffer-layout descriptions, not a second source: every member is checked against its header's
// layout, or its exported constant, when the module owning that header loads (ethernet.ts, arp.ts,
// ipv4.ts, icmp.ts, ipv6.ts, icmpv6.ts, udp.ts, tcp.ts, vrrp.ts), so a layout edited without these
// fails at startup, not on the wire. The codecs, the views and the summary writers (frame.ts,
// summary.ts, summary-ipv6.ts, transport-summary.ts, filter.ts) import these instead of writing
// numbers of their own.
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

/**
 * IP protocol (IPv6 next-header) numbers; checked in ipv4.ts against IP_PROTOCOL_*, in ipv6.ts against
 * IPV6_* and in vrrp.ts against VRRP_PROTOCOL.
 */
export const enum IpProtocol {
  HopByHop = 0,
  Icmp = 1,
  Igmp = 2,
  Tcp = 6,
  Udp = 17,
  Routing = 43,
  Fragment = 44,
  Icmpv6 = 58,
  NoNextHeader = 59,
  DestinationOptions = 60,
  Vrrp = 112,
  Sctp = 132,
}

/** IPv6 header, its extension headers and their options; checked in ipv6.ts. Offsets from each header's start. */
export const enum Ipv6At {
  /** the 32-bit version, traffic class and flow label word */
  VersionClassFlow = 0,
  PayloadLength = 4,
  NextHeader = 6,
  HopLimit = 7,
  Source = 8,
  Destination = 24,
  HeaderLength = 40,
  AddressLength = 16,
  /** shifts and masks within the first 32-bit word */
  VersionShift = 28,
  ClassShift = 20,
  ClassMask = 0xff,
  FlowMask = 0xfffff,
  /** the version's shift within the first byte */
  VersionByteShift = 4,
  /** every extension header starts with the next header, then (but the fragment header's) its length in 8-byte units less one */
  ExtNextHeader = 0,
  ExtLength = 1,
  /** hop-by-hop and destination options start after those two bytes */
  ExtOptions = 2,
  RoutingType = 2,
  SegmentsLeft = 3,
  /** routing types 0 and 2: a reserved word, then the addresses */
  RoutingReserved = 4,
  RoutingAddresses = 8,
  /** routing type 4 (segment routing, RFC 8754) */
  SrhLastEntry = 4,
  SrhFlags = 5,
  SrhTag = 6,
  SrhSegments = 8,
  FragmentWord = 2,
  FragmentIdentification = 4,
  FragmentLength = 8,
  FragmentUnitsShift = 3,
  FragmentReservedShift = 1,
  /** the fragment offset's bits in the fragment word, in place */
  FragmentOffsetMask = 0xfff8,
  MoreFragments = 1,
  /** an option of a hop-by-hop or destination options header: type, data length, data */
  OptionType = 0,
  OptionLength = 1,
  OptionData = 2,
  /** not offsets: the extension headers' next-header numbers */
  HopByHop = 0,
  Routing = 43,
  Fragment = 44,
  DestinationOptions = 60,
}

/** ICMPv6 messages, NDP and MLD, and NDP options; checked in icmpv6.ts. Offsets from the message's (or option's) start. */
export const enum Icmpv6At {
  Type = 0,
  Code = 1,
  Checksum = 2,
  Rest = 4,
  Identifier = 4,
  Sequence = 6,
  /** also where an error's quoted packet, and a router solicitation's options, start */
  HeaderLength = 8,
  /** packet too big's MTU and parameter problem's pointer */
  TooBigMtu = 4,
  Pointer = 4,
  CurHopLimit = 4,
  RaFlags = 5,
  RouterLifetime = 6,
  ReachableTime = 8,
  RetransTimer = 12,
  RaLength = 16,
  /** neighbor advertisement's flags (R, S, O), the first byte of its flags-and-reserved word */
  NaFlags = 4,
  Target = 8,
  NeighborLength = 24,
  Destination = 24,
  RedirectLength = 40,
  MaxResponseDelay = 4,
  MulticastAddress = 8,
  MldLength = 24,
  /** MLDv2 query (RFC 9777): S flag and QRV, QQIC, number of sources, then the sources */
  Mld2QueryFlags = 24,
  Mld2Qqic = 25,
  Mld2SourceCount = 26,
  Mld2QueryLength = 28,
  Mld2SuppressMask = 0x08,
  Mld2RobustnessMask = 0x07,
  /** MLDv2 report: number of group records, then the records */
  Mld2RecordCount = 6,
  Mld2ReportLength = 8,
  /** an MLDv2 group record: type, aux data length, number of sources, multicast address, then the sources */
  RecordType = 0,
  RecordSourceCount = 2,
  RecordAddress = 4,
  RecordLength = 20,
  /** router renumbering (RFC 2894): sequence number; the match-prefix part after the header, then use-prefix parts */
  RrSequence = 4,
  RrLength = 16,
  MatchOpCode = 0,
  MatchOpLength = 1,
  MatchLength = 3,
  MatchPrefix = 8,
  MatchPartLength = 24,
  UseLength = 0,
  UseKeepLength = 1,
  UseFlags = 12,
  UsePrefix = 16,
  UsePartLength = 32,
  /** node information query (RFC 4620): query type, flags, nonce, then the subject */
  NiQueryType = 4,
  NiFlags = 6,
  NiLength = 16,
  /** an NDP option: type, length in 8-byte units, then its data */
  OptionType = 0,
  OptionUnits = 1,
  OptionData = 2,
  PrefixLength = 2,
  PrefixFlags = 3,
  ValidLifetime = 4,
  PreferredLifetime = 8,
  Reserved2 = 12,
  Prefix = 16,
  PrefixOptionLength = 32,
  Mtu = 4,
  MtuOptionLength = 8,
  /** advertisement interval (RFC 6275) and RDNSS (RFC 8106) options */
  AdvertisementInterval = 4,
  RdnssLifetime = 4,
  RdnssAddresses = 8,
}

/** ICMPv6 message types; checked in icmpv6.ts against ICMPV6_*. */
export const enum Icmpv6Type {
  DestinationUnreachable = 1,
  PacketTooBig = 2,
  TimeExceeded = 3,
  ParameterProblem = 4,
  EchoRequest = 128,
  EchoReply = 129,
  MldQuery = 130,
  MldReport = 131,
  MldDone = 132,
  RouterSolicitation = 133,
  RouterAdvertisement = 134,
  NeighborSolicitation = 135,
  NeighborAdvertisement = 136,
  Redirect = 137,
}

/** NDP option types; checked in icmpv6.ts against NDP_*. */
export const enum NdpOptionType {
  SourceLinkLayerAddress = 1,
  TargetLinkLayerAddress = 2,
  PrefixInformation = 3,
  RedirectedHeader = 4,
  Mtu = 5,
  Rdnss = 25,
}

/** UDP header; checked in udp.ts. */
export const enum UdpAt {
  SourcePort = 0,
  DestinationPort = 2,
  Length = 4,
  Checksum = 6,
  Header = 8,
}

/** TCP header; checked in tcp.ts. */
export const enum TcpAt {
  SourcePort = 0,
  DestinationPort = 2,
  Sequence = 4,
  Acknowledgment = 8,
  OffsetAndFlags = 12,
  Flags = 13,
  Window = 14,
  Checksum = 16,
  UrgentPointer = 18,
  MinHeader = 20,
  MaxHeader = 60,
}

/** VRRP (v2 and v3) header; checked in vrrp.ts. */
export const enum VrrpAt {
  VersionAndType = 0,
  VirtualRouterId = 1,
  Priority = 2,
  AddressCount = 3,
  Interval = 4,
  Checksum = 6,
  Header = 8,
  AuthData = 8,
}

/**
 * TCP option bodies: offsets from the option's kind byte, and whole lengths; checked in tcp.ts against
 * the option layouts (MSS, window scale, SACK, timestamps, the 32-bit echo/CC options, MD5, SCPS, user
 * timeout, TCP-AO, experimental/TFO, MPTCP).
 */
export const enum TcpOptionAt {
  Kind = 0,
  Length = 1,
  /** EOL and NOP: the kind byte alone */
  KindOnlyLength = 1,
  /** where every option's data starts, after kind and length; also the length of one without data (SACK-permitted) */
  Data = 2,
  MssLength = 4,
  WindowScaleLength = 3,
  /** a SACK block: left edge, right edge */
  SackRight = 4,
  SackBlockLength = 8,
  TimestampsEcho = 6,
  TimestampsLength = 10,
  /** echo, echo reply, CC, CC.NEW, CC.ECHO (RFC 1072/1644): one 32-bit value */
  Value32Length = 6,
  /** TCP MD5 signature (RFC 2385) */
  Md5DigestLength = 16,
  Md5Length = 18,
  /** SCPS capabilities: capability bits, then the connection id */
  ScpsConnectionId = 3,
  ScpsLength = 4,
  /** user timeout (RFC 5482): granularity bit and timeout in one 16-bit word */
  UtoLength = 4,
  /** TCP-AO (RFC 5925): key id, receive-next key id, then the MAC */
  AoRnextKeyId = 3,
  AoMac = 4,
  /** an experimental option (RFC 6994): its 16-bit ExID, then its data (TFO's cookie under ExID 0xf989) */
  ExperimentData = 4,
  /** MPTCP (RFC 8684): subtype (high nibble) and version or flags (low nibble), a flags or id byte, then the subtype's data */
  MptcpSubtype = 2,
  MptcpSubtypeShift = 4,
  MptcpLowMask = 0x0f,
  /** MP_CAPABLE's and DSS's flags, MP_JOIN's, ADD_ADDR's and MP_PRIO's address id, REMOVE_ADDR's first id */
  MptcpFlagsOrId = 3,
  MptcpData = 4,
  /** MP_CAPABLE's receiver key, MP_JOIN's nonce on a SYN and on a SYN-ACK, MP_JOIN's HMAC on the third ACK */
  MptcpReceiverKey = 12,
  MptcpJoinSynNonce = 8,
  MptcpJoinSynAckNonce = 12,
  MptcpJoinAckHmacLength = 20,
}

/** NDP's redirected header option (RFC 4861 §4.6.3): six reserved bytes, then the quoted packet; checked in icmpv6.ts. */
export const enum NdpOptionAt {
  RedirectedReservedLength = 6,
  RedirectedPacket = 8,
}

/**
 * IPv6 address text (RFC 4291 §2.5.5, RFC 5952) and the fragment header's reserved byte; checked in
 * ipv6.ts. Offsets from the address's (or the fragment header's) start.
 */
export const enum Ipv6AddressAt {
  /** a group: 16 bits of the address, written as one hex number */
  GroupLength = 2,
  /** the 0xffff group of an IPv4-mapped address (::ffff:a.b.c.d), then the IPv4 address of a mapped or compatible one */
  MappedMarker = 10,
  EmbeddedIpv4 = 12,
  FragmentReserved = 1,
}

/** IPv6 hop-by-hop and destination option types; checked in ipv6.ts against IPV6_OPTION_*. */
export const enum Ipv6OptionType {
  Pad1 = 0,
  PadN = 1,
  RouterAlert = 5,
  JumboPayload = 0xc2,
  HomeAddress = 0xc9,
}

/** IP protocol numbers the summary lines treat apart, beyond IpProtocol's; checked in ipv6.ts against IP_PROTOCOL_*. */
export const enum PrintedIpProtocol {
  Dccp = 33,
  Ipv6 = 41,
  Ah = 51,
  Nd = 77,
}

/** ICMPv6 types the summary line decodes, beyond Icmpv6Type's; checked in icmpv6.ts against ICMPV6_*. */
export const enum PrintedIcmpv6Type {
  RouterRenumbering = 138,
  NodeInformationQuery = 139,
  NodeInformationReply = 140,
  InverseNeighborSolicitation = 141,
  InverseNeighborAdvertisement = 142,
  Mld2Report = 143,
  HomeAgentDiscoveryRequest = 144,
  HomeAgentDiscoveryReply = 145,
  MobilePrefixSolicitation = 146,
  MobilePrefixAdvertisement = 147,
  RplControl = 155,
}

/** TCP option kinds, the decoded ones and those the summary line prints; checked in tcp.ts against TcpOptionKind. */
export const enum TcpOptionType {
  Eol = 0,
  Nop = 1,
  Mss = 2,
  WindowScale = 3,
  SackPermitted = 4,
  Sack = 5,
  Echo = 6,
  EchoReply = 7,
  Timestamps = 8,
  Cc = 11,
  CcNew = 12,
  CcEcho = 13,
  Md5 = 19,
  Scps = 20,
  UserTimeout = 28,
  Authentication = 29,
  Mptcp = 30,
  FastOpen = 34,
  Experiment = 254,
  /** not a kind: the ExID (RFC 6994) under which TFO's cookie rides in an experimental option */
  FastOpenExperimentId = 0xf989,
}

// The Ethernet, ARP, IPv4 and ICMP records, each built in one place, from bytes whose layer has been
// checked: by its view (EthernetPacket, ArpPacket, Ipv4Packet, IcmpPacket; parseEthernet and the
// others call these) or by decodeFrame's walk (walkFrame), which calls them straight at the offsets
// it found, as the record path's speed needs. They do no checks, so the package index does not
// export this module: users get records from checked views or from the decoders.
//
// (ipv4.ts and icmp.ts import this module and it imports them back, for the quoted header's check
// and a few names; nothing of theirs is used while the modules load, only when a record is built.)
import { Ipv4, Mac } from "./address";
import type { AnyArpRecord, UnsupportedArpRecord } from "./arp";
import { foldChecksum, onesComplementSum } from "./checksum";
import type { EthernetRecord } from "./ethernet";
import { ICMP_DESTINATION_UNREACHABLE, ICMP_PARAMETER_PROBLEM, ICMP_TIME_EXCEEDED, isEcho } from "./icmp";
import type { IcmpRecord, QuotedIcmp, QuotedIpv4 } from "./icmp";
import { decodeIpv4Header } from "./ipv4";
import type { Ipv4Record } from "./ipv4";
import { ArpAt, EthAt, EtherType, IcmpAt, IpProtocol, Ipv4At } from "./wire-literals";

const NO_OPTIONS = new Uint8Array(0);

/** The Ethernet record at bytes[start] (its header, and its tag when the type is 0x8100, checked). */
export function ethernetRecordAt(bytes: Uint8Array, start: number): EthernetRecord {
  const destination = Mac.read(bytes, start);
  const source = Mac.read(bytes, start + EthAt.Source);
  const outerType = (bytes[start + EthAt.Type] << 8) | bytes[start + EthAt.Type + 1];
  if (outerType !== EtherType.Vlan) return { destination, source, etherType: outerType };
  return readTagged(bytes, start, destination, source);
}

/** ethernetRecordAt's tagged path, apart so that the untagged one stays small enough for V8 to inline. */
function readTagged(bytes: Uint8Array, start: number, destination: Mac, source: Mac): EthernetRecord {
  const tagStart = start + EthAt.HeaderLength;
  const word = (bytes[tagStart] << 8) | bytes[tagStart + 1];
  return {
    destination,
    source,
    vlan: {
      id: word & EthAt.IdMask,
      priority: word >>> EthAt.PriorityShift,
      dropEligible: ((word >>> EthAt.DropEligibleShift) & 1) === 1,
    },
    etherType: (bytes[tagStart + 2] << 8) | bytes[tagStart + 3],
  };
}

/**
 * The ARP record at bytes[start] (its 8 + 2·hlen + 2·plen bytes checked): `supported` is Ethernet/IPv4
 * ARP (hardware type 1, protocol type 0x0800, lengths 6 and 4), as ArpPacket.supported says.
 */
export function arpRecordAt(bytes: Uint8Array, start: number, supported: boolean): AnyArpRecord {
  if (!supported) return readUnsupportedArp(bytes, start);
  const operation = (bytes[start + ArpAt.Operation] << 8) | bytes[start + ArpAt.Operation + 1];
  return {
    supported: true,
    hardwareType: ArpAt.HardwareEthernet,
    protocolType: EtherType.Ipv4,
    hardwareLength: 6,
    protocolLength: 4,
    operation,
    senderMac: Mac.read(bytes, start + ArpAt.SenderMac),
    senderIp: Ipv4.read(bytes, start + ArpAt.SenderIp),
    targetMac: Mac.read(bytes, start + ArpAt.TargetMac),
    targetIp: Ipv4.read(bytes, start + ArpAt.TargetIp),
  };
}

/** arpRecordAt's rare path, apart so that the common one stays small enough for V8 to inline. */
function readUnsupportedArp(bytes: Uint8Array, start: number): UnsupportedArpRecord {
  const hardwareType = (bytes[start + ArpAt.HardwareType] << 8) | bytes[start + ArpAt.HardwareType + 1];
  const protocolType = (bytes[start + ArpAt.ProtocolType] << 8) | bytes[start + ArpAt.ProtocolType + 1];
  const hardwareLength = bytes[start + ArpAt.HardwareLength];
  const protocolLength = bytes[start + ArpAt.ProtocolLength];
  const operation = (bytes[start + ArpAt.Operation] << 8) | bytes[start + ArpAt.Operation + 1];
  return { supported: false, hardwareType, protocolType, hardwareLength, protocolLength, operation };
}

/** The IPv4 record at bytes[start] (version 4 and the `headerLength` bytes of its header checked). */
export function ipv4RecordAt(bytes: Uint8Array, start: number, headerLength: number): Ipv4Record {
  const tos = bytes[start + Ipv4At.TrafficClass];
  const flags = (bytes[start + Ipv4At.Flags] << 8) | bytes[start + Ipv4At.Flags + 1];
  return {
    version: 4,
    headerLength,
    dscp: tos >>> Ipv4At.DscpShift,
    ecn: tos & Ipv4At.EcnMask,
    totalLength: (bytes[start + Ipv4At.TotalLength] << 8) | bytes[start + Ipv4At.TotalLength + 1],
    identification: (bytes[start + Ipv4At.Identification] << 8) | bytes[start + Ipv4At.Identification + 1],
    reservedFlag: (flags & Ipv4At.ReservedFlag) !== 0,
    dontFragment: (flags & Ipv4At.DontFragment) !== 0,
    moreFragments: (flags & Ipv4At.MoreFragments) !== 0,
    fragmentOffset: (flags & Ipv4At.FragmentUnits) * 8,
    ttl: bytes[start + Ipv4At.Ttl],
    protocol: bytes[start + Ipv4At.Protocol],
    checksum: (bytes[start + Ipv4At.Checksum] << 8) | bytes[start + Ipv4At.Checksum + 1],
    checksumValid: foldChecksum(onesComplementSum(bytes, start, start + headerLength)) === 0,
    source: Ipv4.read(bytes, start + Ipv4At.Source),
    destination: Ipv4.read(bytes, start + Ipv4At.Destination),
    options: headerLength === Ipv4At.MinHeaderLength ? NO_OPTIONS : bytes.subarray(start + Ipv4At.MinHeaderLength, start + headerLength),
  };
}

/**
 * The ICMP record of the message at bytes[start, end) (its 8-byte header checked, `end` inside the
 * bytes); `whole` false for a first fragment, whose checksum cannot be verified.
 */
export function icmpRecordAt(bytes: Uint8Array, start: number, end: number, whole: boolean): IcmpRecord {
  const type = bytes[start];
  const code = bytes[start + IcmpAt.Code];
  const checksum = (bytes[start + IcmpAt.Checksum] << 8) | bytes[start + IcmpAt.Checksum + 1];
  const checksumValid = whole ? foldChecksum(onesComplementSum(bytes, start, end)) === 0 : null;
  if (isEcho(type)) {
    return {
      type,
      code,
      checksum,
      checksumValid,
      identifier: (bytes[start + IcmpAt.Identifier] << 8) | bytes[start + IcmpAt.Identifier + 1],
      sequence: (bytes[start + IcmpAt.Sequence] << 8) | bytes[start + IcmpAt.Sequence + 1],
    };
  }
  const restOfHeader = ((bytes[start + IcmpAt.RestOfHeader] << 24) | (bytes[start + IcmpAt.RestOfHeader + 1] << 16) | (bytes[start + IcmpAt.RestOfHeader + 2] << 8) | bytes[start + IcmpAt.RestOfHeader + 3]) >>> 0;
  if (quotesDatagram(type)) {
    const quoted = decodeQuoted(bytes, start + IcmpAt.HeaderLength, end);
    if (quoted !== undefined) return { type, code, checksum, checksumValid, restOfHeader, quoted };
  }
  return { type, code, checksum, checksumValid, restOfHeader };
}

function quotesDatagram(type: number): boolean {
  return type === ICMP_DESTINATION_UNREACHABLE || type === ICMP_TIME_EXCEEDED || type === ICMP_PARAMETER_PROBLEM;
}

function decodeQuoted(bytes: Uint8Array, start: number, end: number): QuotedIpv4 | undefined {
  const header = decodeIpv4Header(bytes, start, end, true);
  if (header === undefined) return undefined;
  const after = start + header.headerLength;
  if (header.protocol !== IpProtocol.Icmp || header.fragmentOffset !== 0 || end - after < IcmpAt.HeaderLength) return header;
  const type = bytes[after];
  const code = bytes[after + IcmpAt.Code];
  const icmp: QuotedIcmp = isEcho(type)
    ? { type, code, identifier: (bytes[after + IcmpAt.Identifier] << 8) | bytes[after + IcmpAt.Identifier + 1], sequence: (bytes[after + IcmpAt.Sequence] << 8) | bytes[after + IcmpAt.Sequence + 1] }
    : { type, code };
  return { ...header, icmp };
}

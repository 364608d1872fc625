// The Ethernet, ARP, IPv4 and ICMP decoders as they were before the views (EthernetPacket, ArpPacket,
// Ipv4Packet, IcmpPacket) took them over, copied from src/packets at d03ef0d with only their imports
// changed: the oracle views.test.ts holds the views' check() and parse functions to, so that "the
// same errors and records as before" is tested against the code that was, not against itself.
import { Ipv4, Mac } from "../../src/packets/address";
import type { AnyArpRecord, UnsupportedArpRecord } from "../../src/packets/arp";
import { ARP } from "../../src/packets/arp";
import { foldChecksum, onesComplementSum } from "../../src/packets/checksum";
import { contentError, DecodeError, lengthError } from "../../src/packets/errors";
import { ETHERNET, EthernetRecord, VLAN_TAG } from "../../src/packets/ethernet";
import { ICMP_DESTINATION_UNREACHABLE, ICMP_ECHO, ICMP_HEADER_LENGTH, ICMP_PARAMETER_PROBLEM, ICMP_TIME_EXCEEDED, IcmpRecord, isEcho, QuotedIcmp, QuotedIpv4 } from "../../src/packets/icmp";
import { IPV4, Ipv4Record, IP_PROTOCOL_ICMP } from "../../src/packets/ipv4";
import { firstFieldPast } from "../../src/packets/layout";
import { ArpAt, EthAt, EtherType, IcmpAt, Ipv4At } from "../../src/packets/wire-literals";

const ARP_FIXED_LENGTH = ARP.senderMac.offset;
const NO_OPTIONS = new Uint8Array(0);

function truncated(table: typeof ETHERNET | typeof VLAN_TAG, base: number, end: number): DecodeError {
  const field = firstFieldPast(table, base, end);
  // firstFieldPast always finds one here: callers only come when the header does not fit.
  const name = field === undefined ? "header" : field.name === "tci" ? "vlan" : field.name;
  const offset = field === undefined ? base : base + field.offset;
  const needed = field === undefined ? end + 1 : offset + field.span;
  return new DecodeError("ethernet", name, offset, needed, end);
}

/**
 * Decodes the Ethernet header at bytes[start..end). Returns the record; the payload starts at
 * `start + ethernetHeaderLength(record)`.
 * @throws DecodeError if the header or its VLAN tag is cut short
 */
function decodeEthernet(bytes: Uint8Array, start = 0, end = bytes.length): EthernetRecord {
  if (end - start < EthAt.HeaderLength) throw truncated(ETHERNET, start, end);
  const outerType = (bytes[start + EthAt.Type] << 8) | bytes[start + EthAt.Type + 1];
  if (outerType === EtherType.Vlan && end - start - EthAt.HeaderLength < EthAt.TagLength) throw truncated(VLAN_TAG, start + EthAt.HeaderLength, end);
  return readEthernet(bytes, start);
}

/**
 * The Ethernet record at bytes[start], with no length check: for a walker that has checked the
 * header (and its tag, when the type is 0x8100) lies inside the bytes (FrameView.reset does).
 */
function readEthernet(bytes: Uint8Array, start: number): EthernetRecord {
  const destination = Mac.read(bytes, start);
  const source = Mac.read(bytes, start + EthAt.Source);
  const outerType = (bytes[start + EthAt.Type] << 8) | bytes[start + EthAt.Type + 1];
  if (outerType !== EtherType.Vlan) return { destination, source, etherType: outerType };
  return readTagged(bytes, start, destination, source);
}

/** readEthernet's tagged path, apart so that the untagged one stays small enough for V8 to inline. */
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


function addressFieldsFor(hardwareLength: number, protocolLength: number, supported: boolean) {
  const names = supported
    ? ["senderMac", "senderIp", "targetMac", "targetIp"]
    : ["senderHardwareAddress", "senderProtocolAddress", "targetHardwareAddress", "targetProtocolAddress"];
  const spans = [hardwareLength, protocolLength, hardwareLength, protocolLength];
  let offset = ARP_FIXED_LENGTH;
  return names.map((name, i) => {
    const field = { name, offset, span: spans[i] };
    offset += spans[i];
    return field;
  });
}

function truncatedArp(bytes: Uint8Array, start: number, end: number, hardwareLength: number, protocolLength: number, supported: boolean) {
  const fixed = Object.fromEntries(
    [ARP.hardwareType, ARP.protocolType, ARP.hardwareLength, ARP.protocolLength, ARP.operation].map((f) => [f.name, f]),
  );
  const field =
    firstFieldPast(fixed, start, end) ??
    addressFieldsFor(hardwareLength, protocolLength, supported).find((f) => start + f.offset + f.span > end);
  if (field === undefined) throw new Error("arp: truncated() called on a complete header");
  return lengthError("arp", field.name, start + field.offset, start + field.offset + field.span, end, end < bytes.length ? "header" : "captured");
}

/**
 * Decodes the ARP body at bytes[start..end). Bytes after the body (Ethernet padding) are ignored.
 * @throws DecodeError if the body is shorter than its declared lengths
 */
function decodeArp(bytes: Uint8Array, start = 0, end = bytes.length): AnyArpRecord {
  if (end - start < ArpAt.SenderMac) throw truncatedArp(bytes, start, end, ArpAt.MacLength, ArpAt.Ipv4Length, true);
  const hardwareType = (bytes[start] << 8) | bytes[start + 1];
  const protocolType = (bytes[start + ArpAt.ProtocolType] << 8) | bytes[start + ArpAt.ProtocolType + 1];
  const hardwareLength = bytes[start + ArpAt.HardwareLength];
  const protocolLength = bytes[start + ArpAt.ProtocolLength];
  const supported =
    hardwareType === ArpAt.HardwareEthernet && protocolType === EtherType.Ipv4 && hardwareLength === ArpAt.MacLength && protocolLength === ArpAt.Ipv4Length;
  if (end - start < ArpAt.SenderMac + 2 * hardwareLength + 2 * protocolLength) {
    throw truncatedArp(bytes, start, end, hardwareLength, protocolLength, supported);
  }
  return readArp(bytes, start, supported);
}

/**
 * The ARP record at bytes[start], with no length check: for a walker that has checked the body
 * (8 + 2·hlen + 2·plen bytes) lies inside the bytes and found whether it is Ethernet/IPv4 ARP
 * (`supported`: hardware type 1, protocol type 0x0800, lengths 6 and 4), as FrameView.reset does.
 */
function readArp(bytes: Uint8Array, start: number, supported: boolean): AnyArpRecord {
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

/** readArp's rare path, apart so that the common one stays small enough for V8 to inline. */
function readUnsupportedArp(bytes: Uint8Array, start: number): UnsupportedArpRecord {
  const hardwareType = (bytes[start + ArpAt.HardwareType] << 8) | bytes[start + ArpAt.HardwareType + 1];
  const protocolType = (bytes[start + ArpAt.ProtocolType] << 8) | bytes[start + ArpAt.ProtocolType + 1];
  const hardwareLength = bytes[start + ArpAt.HardwareLength];
  const protocolLength = bytes[start + ArpAt.ProtocolLength];
  const operation = (bytes[start + ArpAt.Operation] << 8) | bytes[start + ArpAt.Operation + 1];
  return { supported: false, hardwareType, protocolType, hardwareLength, protocolLength, operation };
}


/** A content error: `field` at `offset` holds `value`, wrong for `reason`. */
function bad(field: string, offset: number, value: number, reason: string): DecodeError {
  return contentError("ipv4", field, offset, value, reason);
}

/**
 * Reads the fixed header fields; checks lengths only as far as the header goes. Shared by the frame
 * decoder and the ICMP decoder (for the header an ICMP error quotes). Returns undefined when
 * `lenient` and the header is unusable; otherwise throws DecodeError.
 */
function decodeIpv4Header(bytes: Uint8Array, start: number, end: number, lenient: boolean): Ipv4Record | undefined {
  if (end - start < Ipv4At.MinHeaderLength) {
    if (lenient) return undefined;
    const field = firstFieldPast(IPV4, start, end)!;
    const name = field.name === "versionAndHeaderLength" ? "version" : field.name;
    throw lengthError("ipv4", name, start + field.offset, start + field.offset + field.span, end, end < bytes.length ? "header" : "captured");
  }
  const first = bytes[start];
  const version = first >>> Ipv4At.VersionShift;
  const headerLength = (first & Ipv4At.HeaderWordsMask) * 4;
  if (version !== 4) {
    if (lenient) return undefined;
    throw bad("version", start, version, `version ${version}, need 4`);
  }
  if (headerLength < Ipv4At.MinHeaderLength) {
    if (lenient) return undefined;
    throw bad("headerLength", start, headerLength / 4, `IHL ${headerLength / 4} (${headerLength} bytes), need at least 5 (20 bytes)`);
  }
  if (end - start < headerLength) {
    if (lenient) return undefined;
    throw lengthError("ipv4", "options", start + Ipv4At.MinHeaderLength, start + headerLength, end, end < bytes.length ? "header" : "captured");
  }
  return readIpv4Header(bytes, start, headerLength);
}

/**
 * The IPv4 record at bytes[start], with no check: for a walker that has checked the version, that
 * the header (`headerLength` bytes, from the IHL) lies inside the bytes (FrameView.reset does, and
 * decodeIpv4Header).
 */
function readIpv4Header(bytes: Uint8Array, start: number, headerLength: number): Ipv4Record {
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
 * Decodes the IPv4 header at bytes[start..end) and checks totalLength against the bytes at hand.
 * The payload is bytes[start + headerLength, start + totalLength).
 * @throws DecodeError: a length error (`truncated`, with its lengthSource) for a header cut short or a
 *   totalLength past `end`; a content error (the field and its value) for version ≠ 4, IHL < 5, or a
 *   totalLength under the header length
 */
function decodeIpv4(bytes: Uint8Array, start = 0, end = bytes.length): Ipv4Record {
  const record = decodeIpv4Header(bytes, start, end, false)!;
  const totalAt = start + Ipv4At.TotalLength;
  if (record.totalLength < record.headerLength) {
    throw bad("totalLength", totalAt, record.totalLength, `totalLength ${record.totalLength} is under the header length ${record.headerLength}`);
  }
  if (start + record.totalLength > end) {
    // a length error, not a malformed header: most often a capture cut by its snap length
    throw lengthError("ipv4", "totalLength", totalAt, start + record.totalLength, end, end < bytes.length ? "header" : "captured");
  }
  return record;
}


function quotesDatagram(type: number): boolean {
  return type === ICMP_DESTINATION_UNREACHABLE || type === ICMP_TIME_EXCEEDED || type === ICMP_PARAMETER_PROBLEM;
}

function decodeQuoted(bytes: Uint8Array, start: number, end: number): QuotedIpv4 | undefined {
  const header = decodeIpv4Header(bytes, start, end, true);
  if (header === undefined) return undefined;
  const after = start + header.headerLength;
  if (header.protocol !== IP_PROTOCOL_ICMP || header.fragmentOffset !== 0 || end - after < ICMP_HEADER_LENGTH) return header;
  const type = bytes[after];
  const code = bytes[after + IcmpAt.Code];
  const icmp: QuotedIcmp = isEcho(type)
    ? { type, code, identifier: (bytes[after + IcmpAt.Identifier] << 8) | bytes[after + IcmpAt.Identifier + 1], sequence: (bytes[after + IcmpAt.Sequence] << 8) | bytes[after + IcmpAt.Sequence + 1] }
    : { type, code };
  return { ...header, icmp };
}

/**
 * Decodes the ICMP message at bytes[start..end) (end = the end of the IPv4 payload). The message's
 * data are bytes[start + 8, end). Pass `whole = false` for the first fragment of a fragmented
 * datagram: the checksum then cannot be verified and checksumValid is null.
 * @throws DecodeError when fewer than 8 bytes are at hand
 */
function decodeIcmp(bytes: Uint8Array, start = 0, end = bytes.length, whole = true): IcmpRecord {
  if (end - start < IcmpAt.HeaderLength) {
    const field = firstFieldPast(ICMP_ECHO, start, end)!;
    const type = end > start ? bytes[start] : -1;
    const name = isEcho(type) || field.offset < 4 ? field.name : "restOfHeader";
    const span = name === "restOfHeader" ? 4 : field.span;
    const offset = name === "restOfHeader" ? start + IcmpAt.RestOfHeader : start + field.offset;
    // the limit is the IPv4 totalLength when it ends before the captured bytes do
    throw lengthError("icmp", name, offset, offset + span, end, end < bytes.length ? "header" : "captured");
  }
  return readIcmp(bytes, start, end, whole);
}

/**
 * The ICMP record of the message at bytes[start..end), with no length check: for a walker that has
 * checked the 8-byte header lies inside the datagram (FrameView.reset does). `whole` as for decodeIcmp.
 */
function readIcmp(bytes: Uint8Array, start: number, end: number, whole: boolean): IcmpRecord {
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


export const legacy = { decodeEthernet, decodeArp, decodeIpv4Header, decodeIpv4, decodeIcmp };

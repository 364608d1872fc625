// ICMPv6 (RFC 4443) with Neighbor Discovery (RFC 4861) and MLD (RFC 2710, MLDv2 kept as bytes), in
// the codecs-v2 shape of view.ts: Icmpv6Packet (a view with check() and getters that cannot fail),
// parseIcmpv6/emitIcmpv6/icmpv6BufferLength for records, and the checksum over the IPv6
// pseudo-header. Messages:
//   echo request/reply (128/129): | type | code | checksum | identifier | sequence | data |
//   errors (1 unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem):
//                                 | type | code | checksum | parameter (unused, MTU, pointer) | invoking packet |
//   router solicitation (133):    | … | reserved(4) | options |
//   router advertisement (134):   | … | curHopLimit | M O flags | routerLifetime | reachableTime | retransTimer | options |
//   neighbor solicitation (135):  | … | reserved(4) | target(16) | options |
//   neighbor advertisement (136): | … | R S O flags + reserved(4) | target(16) | options |
//   redirect (137):               | … | reserved(4) | target(16) | destination(16) | options |
//   MLD query/report/done (130/131/132, 24 bytes): | … | maxResponseDelay | reserved | multicastAddress |
// NDP options (| type | length/8 | …|): source/target link-layer address (1/2), prefix information
// (3), redirected header (4), MTU (5), recursive DNS servers (25); others are kept as bytes.
import type { HeaderLayout } from "./positions";
import { bits, blob, struct, u16be, u32be, u8 } from "buffer-layout";
import { foldChecksum, onesComplementSum } from "./checksum";
import { contentError, DecodeError, lengthError, LengthSource } from "./errors";
import { Ipv6Address, ipv6PseudoHeaderSum, IPV6_ICMPV6 } from "./ipv6";
import { bitTable, checkLiterals, fieldTable, firstFieldPast } from "./layout";
import type { EmitOptions, PacketView } from "./view";
import { Icmpv6At, Icmpv6Type, Ipv6At, NdpOptionAt, NdpOptionType, PrintedIcmpv6Type } from "./wire-literals";

/** ICMPv6 message types. */
export const ICMPV6_DESTINATION_UNREACHABLE = 1;
/** ICMPv6 packet too big. */
export const ICMPV6_PACKET_TOO_BIG = 2;
/** ICMPv6 time exceeded. */
export const ICMPV6_TIME_EXCEEDED = 3;
/** ICMPv6 parameter problem. */
export const ICMPV6_PARAMETER_PROBLEM = 4;
/** ICMPv6 echo request. */
export const ICMPV6_ECHO_REQUEST = 128;
/** ICMPv6 echo reply. */
export const ICMPV6_ECHO_REPLY = 129;
/** MLD multicast listener query. */
export const ICMPV6_MLD_QUERY = 130;
/** MLD multicast listener report. */
export const ICMPV6_MLD_REPORT = 131;
/** MLD multicast listener done. */
export const ICMPV6_MLD_DONE = 132;
/** NDP router solicitation. */
export const ICMPV6_ROUTER_SOLICITATION = 133;
/** NDP router advertisement. */
export const ICMPV6_ROUTER_ADVERTISEMENT = 134;
/** NDP neighbor solicitation. */
export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
/** NDP neighbor advertisement. */
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
/** NDP redirect. */
export const ICMPV6_REDIRECT = 137;
/** ICMPv6 router renumbering (RFC 2894). */
export const ICMPV6_ROUTER_RENUMBERING = 138;
/** ICMPv6 node information query (RFC 4620; tcpdump's "who-are-you request"). */
export const ICMPV6_NODE_INFORMATION_QUERY = 139;
/** ICMPv6 node information reply (RFC 4620). */
export const ICMPV6_NODE_INFORMATION_REPLY = 140;
/** ICMPv6 inverse neighbor discovery solicitation (RFC 3122). */
export const ICMPV6_INVERSE_NEIGHBOR_SOLICITATION = 141;
/** ICMPv6 inverse neighbor discovery advertisement (RFC 3122). */
export const ICMPV6_INVERSE_NEIGHBOR_ADVERTISEMENT = 142;
/** ICMPv6 MLDv2 report (RFC 9777). */
export const ICMPV6_MLD2_REPORT = 143;
/** ICMPv6 home agent address discovery request (RFC 6275). */
export const ICMPV6_HOME_AGENT_DISCOVERY_REQUEST = 144;
/** ICMPv6 home agent address discovery reply (RFC 6275). */
export const ICMPV6_HOME_AGENT_DISCOVERY_REPLY = 145;
/** ICMPv6 mobile prefix solicitation (RFC 6275). */
export const ICMPV6_MOBILE_PREFIX_SOLICITATION = 146;
/** ICMPv6 mobile prefix advertisement (RFC 6275). */
export const ICMPV6_MOBILE_PREFIX_ADVERTISEMENT = 147;
/** ICMPv6 RPL control message (RFC 6550). */
export const ICMPV6_RPL_CONTROL = 155;

/** NDP option types. */
export const NDP_SOURCE_LINK_LAYER_ADDRESS = 1;
/** NDP target link-layer address option. */
export const NDP_TARGET_LINK_LAYER_ADDRESS = 2;
/** NDP prefix information option. */
export const NDP_PREFIX_INFORMATION = 3;
/** NDP redirected header option. */
export const NDP_REDIRECTED_HEADER = 4;
/** NDP MTU option. */
export const NDP_MTU = 5;
/** NDP recursive DNS server option (RFC 8106). */
export const NDP_RDNSS = 25;

const commonStructure = struct([u8("type"), u8("code"), u16be("checksum"), u32be("restOfHeader")]);
/** The 8 bytes every ICMPv6 message starts with. */
export const icmpv6Layout: HeaderLayout = commonStructure;
const COMMON = fieldTable(commonStructure);
const echoStructure = struct([u8("type"), u8("code"), u16be("checksum"), u16be("identifier"), u16be("sequence")]);
const ECHO = fieldTable(echoStructure);
const raFlags = bits(u8("flags"), true, "flags");
raFlags.addBoolean("managed");
raFlags.addBoolean("other");
raFlags.addField(6, "reserved");
const raStructure = struct([u8("type"), u8("code"), u16be("checksum"), u8("curHopLimit"), raFlags, u16be("routerLifetime"), u32be("reachableTime"), u32be("retransTimer")]);
const RA = fieldTable(raStructure);
const neighborStructure = struct([u8("type"), u8("code"), u16be("checksum"), u32be("flagsAndReserved"), blob(16, "target")]);
const NEIGHBOR = fieldTable(neighborStructure);
const redirectStructure = struct([u8("type"), u8("code"), u16be("checksum"), u32be("reserved"), blob(16, "target"), blob(16, "destination")]);
const REDIRECT = fieldTable(redirectStructure);
const mldStructure = struct([u8("type"), u8("code"), u16be("checksum"), u16be("maxResponseDelay"), u16be("reserved"), blob(16, "multicastAddress")]);
const MLD = fieldTable(mldStructure);
const prefixStructure = struct([u8("type"), u8("length"), u8("prefixLength"), u8("flags"), u32be("validLifetime"), u32be("preferredLifetime"), u32be("reserved2"), blob(16, "prefix")]);
const PREFIX = fieldTable(prefixStructure);
const mtuStructure = struct([u8("type"), u8("length"), u16be("reserved"), u32be("mtu")]);
const MTU = fieldTable(mtuStructure);

/** The messages and options only the summary line reads (summary-ipv6.ts), for the literals below. */
const tooBigStructure = struct([u8("type"), u8("code"), u16be("checksum"), u32be("mtu")]);
const parameterProblemStructure = struct([u8("type"), u8("code"), u16be("checksum"), u32be("pointer")]);
const naFlags = bits(u8("flags"), true, "flags");
naFlags.addBoolean("router");
naFlags.addBoolean("solicited");
naFlags.addBoolean("override");
naFlags.addField(5, "reserved");
const naStructure = struct([u8("type"), u8("code"), u16be("checksum"), naFlags, blob(3, "reserved"), blob(16, "target")]);
const mld2Flags = bits(u8("flags"), true, "flags");
const mld2FlagFields = [mld2Flags.addField(4, "reserved"), mld2Flags.addBoolean("suppress"), mld2Flags.addField(3, "robustness")];
const mld2QueryStructure = struct([
  u8("type"), u8("code"), u16be("checksum"), u16be("maxResponseCode"), u16be("reserved"), blob(16, "multicastAddress"),
  mld2Flags, u8("qqic"), u16be("sourceCount"),
]);
const MLD2_QUERY = fieldTable(mld2QueryStructure);
const MLD2_FLAGS = bitTable(mld2QueryStructure, mld2Flags, mld2FlagFields);
const mld2ReportStructure = struct([u8("type"), u8("code"), u16be("checksum"), u16be("reserved"), u16be("recordCount")]);
const groupRecordStructure = struct([u8("recordType"), u8("auxDataLength"), u16be("sourceCount"), blob(16, "multicastAddress")]);
const GROUP_RECORD = fieldTable(groupRecordStructure);
const renumberingStructure = struct([u8("type"), u8("code"), u16be("checksum"), u32be("sequence"), u8("segment"), u8("flags"), u16be("maxDelay"), u32be("reserved")]);
const matchPrefixStructure = struct([
  u8("opCode"), u8("opLength"), u8("ordinal"), u8("matchLength"), u8("minLength"), u8("maxLength"), u16be("reserved"), blob(16, "matchPrefix"),
]);
const MATCH_PREFIX = fieldTable(matchPrefixStructure);
const usePrefixStructure = struct([
  u8("useLength"), u8("keepLength"), u8("flagMask"), u8("raFlags"), u32be("validLifetime"), u32be("preferredLifetime"), u32be("flags"), blob(16, "usePrefix"),
]);
const USE_PREFIX = fieldTable(usePrefixStructure);
const nodeInformationStructure = struct([u8("type"), u8("code"), u16be("checksum"), u16be("queryType"), u16be("flags"), blob(8, "nonce")]);
const NODE_INFORMATION = fieldTable(nodeInformationStructure);
const optionStructure = struct([u8("type"), u8("units")]);
const OPTION = fieldTable(optionStructure);
const intervalOptionStructure = struct([u8("type"), u8("length"), u16be("reserved"), u32be("interval")]);
const rdnssStructure = struct([u8("type"), u8("length"), u16be("reserved"), u32be("lifetime")]);
const redirectedHeaderStructure = struct([u8("type"), u8("length"), blob(6, "reserved")]);
checkLiterals("icmpv6", [
  ["type", Icmpv6At.Type, COMMON.type.offset],
  ["code", Icmpv6At.Code, COMMON.code.offset],
  ["checksum", Icmpv6At.Checksum, COMMON.checksum.offset],
  ["rest of header", Icmpv6At.Rest, COMMON.restOfHeader.offset],
  ["header length", Icmpv6At.HeaderLength, commonStructure.span],
  ["identifier", Icmpv6At.Identifier, ECHO.identifier.offset],
  ["sequence", Icmpv6At.Sequence, ECHO.sequence.offset],
  ["curHopLimit", Icmpv6At.CurHopLimit, RA.curHopLimit.offset],
  ["RA flags", Icmpv6At.RaFlags, RA.flags.offset],
  ["routerLifetime", Icmpv6At.RouterLifetime, RA.routerLifetime.offset],
  ["reachableTime", Icmpv6At.ReachableTime, RA.reachableTime.offset],
  ["retransTimer", Icmpv6At.RetransTimer, RA.retransTimer.offset],
  ["RA length", Icmpv6At.RaLength, raStructure.span],
  ["target", Icmpv6At.Target, NEIGHBOR.target.offset],
  ["neighbor length", Icmpv6At.NeighborLength, neighborStructure.span],
  ["redirect target", Icmpv6At.Target, REDIRECT.target.offset],
  ["redirect destination", Icmpv6At.Destination, REDIRECT.destination.offset],
  ["redirect length", Icmpv6At.RedirectLength, redirectStructure.span],
  ["maxResponseDelay", Icmpv6At.MaxResponseDelay, MLD.maxResponseDelay.offset],
  ["multicastAddress", Icmpv6At.MulticastAddress, MLD.multicastAddress.offset],
  ["MLD length", Icmpv6At.MldLength, mldStructure.span],
  ["prefixLength", Icmpv6At.PrefixLength, PREFIX.prefixLength.offset],
  ["prefix flags", Icmpv6At.PrefixFlags, PREFIX.flags.offset],
  ["validLifetime", Icmpv6At.ValidLifetime, PREFIX.validLifetime.offset],
  ["preferredLifetime", Icmpv6At.PreferredLifetime, PREFIX.preferredLifetime.offset],
  ["reserved2", Icmpv6At.Reserved2, PREFIX.reserved2.offset],
  ["prefix", Icmpv6At.Prefix, PREFIX.prefix.offset],
  ["prefix option length", Icmpv6At.PrefixOptionLength, prefixStructure.span],
  ["mtu", Icmpv6At.Mtu, MTU.mtu.offset],
  ["MTU option length", Icmpv6At.MtuOptionLength, mtuStructure.span],
  ["too big mtu", Icmpv6At.TooBigMtu, tooBigStructure.offsetOf("mtu") ?? -1],
  ["parameter problem pointer", Icmpv6At.Pointer, parameterProblemStructure.offsetOf("pointer") ?? -1],
  ["NA flags", Icmpv6At.NaFlags, naStructure.offsetOf("flags") ?? -1],
  ["NA target", Icmpv6At.Target, naStructure.offsetOf("target") ?? -1],
  ["MLDv2 query flags", Icmpv6At.Mld2QueryFlags, MLD2_QUERY.flags.offset],
  ["MLDv2 QQIC", Icmpv6At.Mld2Qqic, MLD2_QUERY.qqic.offset],
  ["MLDv2 source count", Icmpv6At.Mld2SourceCount, MLD2_QUERY.sourceCount.offset],
  ["MLDv2 query length", Icmpv6At.Mld2QueryLength, mld2QueryStructure.span],
  ["MLDv2 S flag", Icmpv6At.Mld2SuppressMask, MLD2_FLAGS.suppress.mask << MLD2_FLAGS.suppress.shift],
  ["MLDv2 QRV mask", Icmpv6At.Mld2RobustnessMask, MLD2_FLAGS.robustness.mask << MLD2_FLAGS.robustness.shift],
  ["MLDv2 record count", Icmpv6At.Mld2RecordCount, mld2ReportStructure.offsetOf("recordCount") ?? -1],
  ["MLDv2 report length", Icmpv6At.Mld2ReportLength, mld2ReportStructure.span],
  ["group record type", Icmpv6At.RecordType, GROUP_RECORD.recordType.offset],
  ["group record source count", Icmpv6At.RecordSourceCount, GROUP_RECORD.sourceCount.offset],
  ["group record address", Icmpv6At.RecordAddress, GROUP_RECORD.multicastAddress.offset],
  ["group record length", Icmpv6At.RecordLength, groupRecordStructure.span],
  ["renumbering sequence", Icmpv6At.RrSequence, renumberingStructure.offsetOf("sequence") ?? -1],
  ["renumbering length", Icmpv6At.RrLength, renumberingStructure.span],
  ["match opCode", Icmpv6At.MatchOpCode, MATCH_PREFIX.opCode.offset],
  ["match opLength", Icmpv6At.MatchOpLength, MATCH_PREFIX.opLength.offset],
  ["matchLength", Icmpv6At.MatchLength, MATCH_PREFIX.matchLength.offset],
  ["matchPrefix", Icmpv6At.MatchPrefix, MATCH_PREFIX.matchPrefix.offset],
  ["match-prefix part length", Icmpv6At.MatchPartLength, matchPrefixStructure.span],
  ["useLength", Icmpv6At.UseLength, USE_PREFIX.useLength.offset],
  ["keepLength", Icmpv6At.UseKeepLength, USE_PREFIX.keepLength.offset],
  ["use flags", Icmpv6At.UseFlags, USE_PREFIX.flags.offset],
  ["usePrefix", Icmpv6At.UsePrefix, USE_PREFIX.usePrefix.offset],
  ["use-prefix part length", Icmpv6At.UsePartLength, usePrefixStructure.span],
  ["node information queryType", Icmpv6At.NiQueryType, NODE_INFORMATION.queryType.offset],
  ["node information flags", Icmpv6At.NiFlags, NODE_INFORMATION.flags.offset],
  ["node information length", Icmpv6At.NiLength, nodeInformationStructure.span],
  ["option type", Icmpv6At.OptionType, OPTION.type.offset],
  ["option units", Icmpv6At.OptionUnits, OPTION.units.offset],
  ["option data", Icmpv6At.OptionData, optionStructure.span],
  ["advertisement interval", Icmpv6At.AdvertisementInterval, intervalOptionStructure.offsetOf("interval") ?? -1],
  ["RDNSS lifetime", Icmpv6At.RdnssLifetime, rdnssStructure.offsetOf("lifetime") ?? -1],
  ["RDNSS addresses", Icmpv6At.RdnssAddresses, rdnssStructure.span],
  ["redirected header reserved length", NdpOptionAt.RedirectedReservedLength, redirectedHeaderStructure.span - Icmpv6At.OptionData],
  ["redirected header packet", NdpOptionAt.RedirectedPacket, redirectedHeaderStructure.span],
  ["MTU option reserved", Icmpv6At.OptionData, mtuStructure.offsetOf("reserved") ?? -1],
  ["RDNSS reserved", Icmpv6At.OptionData, rdnssStructure.offsetOf("reserved") ?? -1],
  ["destination unreachable", Icmpv6Type.DestinationUnreachable, ICMPV6_DESTINATION_UNREACHABLE],
  ["router renumbering", PrintedIcmpv6Type.RouterRenumbering, ICMPV6_ROUTER_RENUMBERING],
  ["node information query", PrintedIcmpv6Type.NodeInformationQuery, ICMPV6_NODE_INFORMATION_QUERY],
  ["node information reply", PrintedIcmpv6Type.NodeInformationReply, ICMPV6_NODE_INFORMATION_REPLY],
  ["inverse neighbor solicitation", PrintedIcmpv6Type.InverseNeighborSolicitation, ICMPV6_INVERSE_NEIGHBOR_SOLICITATION],
  ["inverse neighbor advertisement", PrintedIcmpv6Type.InverseNeighborAdvertisement, ICMPV6_INVERSE_NEIGHBOR_ADVERTISEMENT],
  ["MLDv2 report", PrintedIcmpv6Type.Mld2Report, ICMPV6_MLD2_REPORT],
  ["home agent discovery request", PrintedIcmpv6Type.HomeAgentDiscoveryRequest, ICMPV6_HOME_AGENT_DISCOVERY_REQUEST],
  ["home agent discovery reply", PrintedIcmpv6Type.HomeAgentDiscoveryReply, ICMPV6_HOME_AGENT_DISCOVERY_REPLY],
  ["mobile prefix solicitation", PrintedIcmpv6Type.MobilePrefixSolicitation, ICMPV6_MOBILE_PREFIX_SOLICITATION],
  ["mobile prefix advertisement", PrintedIcmpv6Type.MobilePrefixAdvertisement, ICMPV6_MOBILE_PREFIX_ADVERTISEMENT],
  ["RPL control", PrintedIcmpv6Type.RplControl, ICMPV6_RPL_CONTROL],
  ["packet too big", Icmpv6Type.PacketTooBig, ICMPV6_PACKET_TOO_BIG],
  ["time exceeded", Icmpv6Type.TimeExceeded, ICMPV6_TIME_EXCEEDED],
  ["parameter problem", Icmpv6Type.ParameterProblem, ICMPV6_PARAMETER_PROBLEM],
  ["echo request", Icmpv6Type.EchoRequest, ICMPV6_ECHO_REQUEST],
  ["echo reply", Icmpv6Type.EchoReply, ICMPV6_ECHO_REPLY],
  ["MLD query", Icmpv6Type.MldQuery, ICMPV6_MLD_QUERY],
  ["MLD report", Icmpv6Type.MldReport, ICMPV6_MLD_REPORT],
  ["MLD done", Icmpv6Type.MldDone, ICMPV6_MLD_DONE],
  ["router solicitation", Icmpv6Type.RouterSolicitation, ICMPV6_ROUTER_SOLICITATION],
  ["router advertisement", Icmpv6Type.RouterAdvertisement, ICMPV6_ROUTER_ADVERTISEMENT],
  ["neighbor solicitation", Icmpv6Type.NeighborSolicitation, ICMPV6_NEIGHBOR_SOLICITATION],
  ["neighbor advertisement", Icmpv6Type.NeighborAdvertisement, ICMPV6_NEIGHBOR_ADVERTISEMENT],
  ["redirect", Icmpv6Type.Redirect, ICMPV6_REDIRECT],
  ["source link-layer address option", NdpOptionType.SourceLinkLayerAddress, NDP_SOURCE_LINK_LAYER_ADDRESS],
  ["target link-layer address option", NdpOptionType.TargetLinkLayerAddress, NDP_TARGET_LINK_LAYER_ADDRESS],
  ["prefix information option", NdpOptionType.PrefixInformation, NDP_PREFIX_INFORMATION],
  ["redirected header option", NdpOptionType.RedirectedHeader, NDP_REDIRECTED_HEADER],
  ["MTU option", NdpOptionType.Mtu, NDP_MTU],
  ["RDNSS option", NdpOptionType.Rdnss, NDP_RDNSS],
]);

/** The fixed length of a message of `type` (before options or data); 8 for types not listed. */
export function icmpv6FixedLength(type: number): number {
  switch (type) {
    case ICMPV6_ROUTER_ADVERTISEMENT:
      return Icmpv6At.RaLength;
    case ICMPV6_NEIGHBOR_SOLICITATION:
    case ICMPV6_NEIGHBOR_ADVERTISEMENT:
      return Icmpv6At.NeighborLength;
    case ICMPV6_REDIRECT:
      return Icmpv6At.RedirectLength;
    case ICMPV6_MLD_REPORT:
    case ICMPV6_MLD_DONE:
    case ICMPV6_MLD_QUERY:
      return Icmpv6At.MldLength;
    default:
      return Icmpv6At.HeaderLength;
  }
}

/** icmpv6FixedLength of every type, as a table for check()'s fast path. */
const FIXED_LENGTHS = Uint8Array.from({ length: 256 }, (_, type) => icmpv6FixedLength(type));

/** True for the NDP messages, which end in options. */
export function icmpv6HasOptions(type: number): boolean {
  return type >= ICMPV6_ROUTER_SOLICITATION && type <= ICMPV6_REDIRECT;
}

/** The layout of a message's fixed part, for naming the field a short message cuts. */
function fixedTable(type: number): Readonly<Record<string, { name: string; offset: number; span: number }>> {
  switch (type) {
    case ICMPV6_ECHO_REQUEST:
    case ICMPV6_ECHO_REPLY:
      return ECHO;
    case ICMPV6_ROUTER_ADVERTISEMENT:
      return RA;
    case ICMPV6_NEIGHBOR_SOLICITATION:
    case ICMPV6_NEIGHBOR_ADVERTISEMENT:
      return NEIGHBOR;
    case ICMPV6_REDIRECT:
      return REDIRECT;
    case ICMPV6_MLD_REPORT:
    case ICMPV6_MLD_DONE:
    case ICMPV6_MLD_QUERY:
      return MLD;
    default:
      return COMMON;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * A view of an ICMPv6 message at bytes[offset, end). `end` is where the message ends: the IPv6
 * payload's end inside a checked Ipv6Packet (then pass `endSource` "header": payloadLength set it),
 * or the end of the captured bytes for a message on its own ("captured", the default).
 * MLD queries longer than 24 bytes (MLDv2) are checked as 24 bytes and their rest kept as data.
 */
export class Icmpv6Packet implements PacketView {
  bytes: Uint8Array = EMPTY;
  offset = 0;
  end = 0;
  /** where `end` came from; length errors at the end of the message carry it */
  endSource: LengthSource = "captured";

  /** @see PacketView.reset; `endSource` says where `end` came from. */
  reset(bytes: Uint8Array, offset = 0, end = bytes.length, endSource: LengthSource = "captured"): this {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
    this.endSource = endSource;
    return this;
  }

  /**
   * Checks that the fixed part of the message's type fits, and for NDP messages that every option
   * has a non-zero length and ends inside the message.
   * @returns undefined, a length error (with `endSource`; an option whose length field runs past
   *   the end is "header" when the end is), or a content error (an option of length 0)
   */
  check(): DecodeError | undefined {
    // the common case (a message without options, whole) here, small enough for V8 to inline
    const type = this.bytes[this.offset];
    if (this.end - this.offset >= FIXED_LENGTHS[type] && (type < ICMPV6_ROUTER_SOLICITATION || type > ICMPV6_REDIRECT)) return undefined;
    return this.checkFully();
  }

  /** check() for the rest: errors, and the NDP options. */
  private checkFully(): DecodeError | undefined {
    const b = this.bytes;
    const start = this.offset;
    const end = this.end;
    if (end - start < 4) {
      const field = firstFieldPast(COMMON, start, end)!;
      return lengthError("icmpv6", field.name, start + field.offset, start + field.offset + field.span, end, this.endSource);
    }
    const type = b[start];
    const fixed = icmpv6FixedLength(type);
    if (end - start < fixed) {
      const field = firstFieldPast(fixedTable(type), start, end)!;
      return lengthError("icmpv6", field.name, start + field.offset, start + field.offset + field.span, end, this.endSource);
    }
    if (!icmpv6HasOptions(type)) return undefined;
    for (let o = start + fixed; o < end; ) {
      if (o + Icmpv6At.OptionData > end) return lengthError("icmpv6", "option.length", o, o + Icmpv6At.OptionData, end, this.endSource);
      const units = b[o + Icmpv6At.OptionUnits];
      if (units === 0) return contentError("icmpv6", "option.length", o + Icmpv6At.OptionUnits, 0, `option type ${b[o]} has length 0, need at least 1 (8 bytes)`);
      const next = o + units * 8;
      if (next > end) return lengthError("icmpv6", "option.length", o + Icmpv6At.OptionUnits, next, end, this.endSource);
      o = next;
    }
    return undefined;
  }

  /** Where the data or options after the fixed part start. */
  get payloadOffset(): number {
    return this.offset + icmpv6FixedLength(this.bytes[this.offset]);
  }
  /** The message type. */
  get type(): number {
    return this.bytes[this.offset];
  }
  /** The code. */
  get code(): number {
    return this.bytes[this.offset + Icmpv6At.Code];
  }
  /** The checksum as written. */
  get checksum(): number {
    const b = this.bytes;
    return (b[this.offset + Icmpv6At.Checksum] << 8) | b[this.offset + Icmpv6At.Checksum + 1];
  }
  /** The four bytes after the checksum as one number (an error's MTU or pointer, an echo's id and sequence). */
  get restOfHeader(): number {
    const b = this.bytes;
    const at = this.offset + Icmpv6At.Rest;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  /** An echo's identifier. */
  get identifier(): number {
    const b = this.bytes;
    return (b[this.offset + Icmpv6At.Identifier] << 8) | b[this.offset + Icmpv6At.Identifier + 1];
  }
  /** An echo's sequence number. */
  get sequence(): number {
    const b = this.bytes;
    return (b[this.offset + Icmpv6At.Sequence] << 8) | b[this.offset + Icmpv6At.Sequence + 1];
  }
  /** Absolute offset of the 16-byte target of NS, NA or redirect. */
  get targetOffset(): number {
    return this.offset + Icmpv6At.Target;
  }
  /** Absolute offset of a redirect's 16-byte destination. */
  get redirectDestinationOffset(): number {
    return this.offset + Icmpv6At.Destination;
  }
  /** Absolute offset of an MLD message's multicast address. */
  get multicastAddressOffset(): number {
    return this.offset + Icmpv6At.MulticastAddress;
  }
  /**
   * The checksum over the message and the IPv6 pseudo-header verifies (addresses at those offsets of
   * `bytes`; pass Ipv6Packet's sourceOffset and pseudoHeaderDestinationOffset, the final destination).
   */
  checksumValid(sourceOffset: number, destinationOffset: number): boolean {
    const sum = ipv6PseudoHeaderSum(this.bytes, sourceOffset, destinationOffset, this.end - this.offset, IPV6_ICMPV6);
    return foldChecksum(onesComplementSum(this.bytes, this.offset, this.end, sum)) === 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Records

/** A source (1) or target (2) link-layer address option; `address` is all its bytes after type and length. */
export interface NdpLinkLayerAddressOption {
  readonly type: typeof NDP_SOURCE_LINK_LAYER_ADDRESS | typeof NDP_TARGET_LINK_LAYER_ADDRESS;
  readonly address: Uint8Array;
}
/** A prefix information option (3). */
export interface NdpPrefixInformationOption {
  readonly type: typeof NDP_PREFIX_INFORMATION;
  readonly prefixLength: number;
  readonly onLink: boolean;
  readonly autonomous: boolean;
  /** the six other flag bits */
  readonly reservedFlags: number;
  readonly validLifetime: number;
  readonly preferredLifetime: number;
  readonly reserved2: number;
  readonly prefix: Ipv6Address;
}
/** A redirected header option (4): the six reserved bytes, then as much of the redirected packet as fits. */
export interface NdpRedirectedHeaderOption {
  readonly type: typeof NDP_REDIRECTED_HEADER;
  readonly reserved: Uint8Array;
  readonly packet: Uint8Array;
}
/** An MTU option (5). */
export interface NdpMtuOption {
  readonly type: typeof NDP_MTU;
  readonly reserved: number;
  readonly mtu: number;
}
/** A recursive DNS server option (25, RFC 8106). */
export interface NdpRdnssOption {
  readonly type: typeof NDP_RDNSS;
  readonly reserved: number;
  readonly lifetime: number;
  readonly servers: readonly Ipv6Address[];
}
/** Any other option, or a known one whose length does not fit its form: its bytes after type and length. */
export interface NdpOtherOption {
  readonly type: number;
  readonly kind: "other";
  readonly data: Uint8Array;
}
/** Any NDP option. */
export type NdpOption = NdpLinkLayerAddressOption | NdpPrefixInformationOption | NdpRedirectedHeaderOption | NdpMtuOption | NdpRdnssOption | NdpOtherOption;

/** Echo request (128) or reply (129). */
export interface Icmpv6EchoBody {
  readonly kind: "echo";
  readonly identifier: number;
  readonly sequence: number;
  readonly data: Uint8Array;
}
/** An error (1–4): `parameter` is unused (1, 3), the MTU (2) or the pointer (4). */
export interface Icmpv6ErrorBody {
  readonly kind: "error";
  readonly parameter: number;
  /** as much of the invoking packet as the message holds */
  readonly invoking: Uint8Array;
}
/** Router solicitation (133). */
export interface RouterSolicitationBody {
  readonly kind: "routerSolicitation";
  readonly reserved: number;
  readonly options: readonly NdpOption[];
}
/** Router advertisement (134). */
export interface RouterAdvertisementBody {
  readonly kind: "routerAdvertisement";
  readonly curHopLimit: number;
  readonly managed: boolean;
  readonly other: boolean;
  /** the six other flag bits (home agent, preference, proxy…) */
  readonly reservedFlags: number;
  readonly routerLifetime: number;
  readonly reachableTime: number;
  readonly retransTimer: number;
  readonly options: readonly NdpOption[];
}
/** Neighbor solicitation (135). */
export interface NeighborSolicitationBody {
  readonly kind: "neighborSolicitation";
  readonly reserved: number;
  readonly target: Ipv6Address;
  readonly options: readonly NdpOption[];
}
/** Neighbor advertisement (136). */
export interface NeighborAdvertisementBody {
  readonly kind: "neighborAdvertisement";
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  /** the 29 reserved bits */
  readonly reserved: number;
  readonly target: Ipv6Address;
  readonly options: readonly NdpOption[];
}
/** Redirect (137). */
export interface RedirectBody {
  readonly kind: "redirect";
  readonly reserved: number;
  readonly target: Ipv6Address;
  readonly destination: Ipv6Address;
  readonly options: readonly NdpOption[];
}
/** MLD query (130), report (131) or done (132); a longer query's (MLDv2) rest is `data`. */
export interface MldBody {
  readonly kind: "mld";
  readonly maxResponseDelay: number;
  readonly reserved: number;
  readonly multicastAddress: Ipv6Address;
  readonly data: Uint8Array;
}
/** Any other type: the four bytes after the checksum, then the rest. */
export interface Icmpv6OtherBody {
  readonly kind: "other";
  readonly restOfHeader: number;
  readonly data: Uint8Array;
}
/** The type-specific part of an ICMPv6 message. */
export type Icmpv6Body =
  | Icmpv6EchoBody
  | Icmpv6ErrorBody
  | RouterSolicitationBody
  | RouterAdvertisementBody
  | NeighborSolicitationBody
  | NeighborAdvertisementBody
  | RedirectBody
  | MldBody
  | Icmpv6OtherBody;

/** An ICMPv6 message. */
export interface Icmpv6Record {
  readonly type: number;
  readonly code: number;
  /** as written; emitIcmpv6 with computeChecksums writes the right one */
  readonly checksum: number;
  readonly body: Icmpv6Body;
}

/** The body kind a message type decodes to. */
export function icmpv6BodyKind(type: number): Icmpv6Body["kind"] {
  switch (type) {
    case ICMPV6_ECHO_REQUEST:
    case ICMPV6_ECHO_REPLY:
      return "echo";
    case ICMPV6_DESTINATION_UNREACHABLE:
    case ICMPV6_PACKET_TOO_BIG:
    case ICMPV6_TIME_EXCEEDED:
    case ICMPV6_PARAMETER_PROBLEM:
      return "error";
    case ICMPV6_ROUTER_SOLICITATION:
      return "routerSolicitation";
    case ICMPV6_ROUTER_ADVERTISEMENT:
      return "routerAdvertisement";
    case ICMPV6_NEIGHBOR_SOLICITATION:
      return "neighborSolicitation";
    case ICMPV6_NEIGHBOR_ADVERTISEMENT:
      return "neighborAdvertisement";
    case ICMPV6_REDIRECT:
      return "redirect";
    case ICMPV6_MLD_QUERY:
    case ICMPV6_MLD_REPORT:
    case ICMPV6_MLD_DONE:
      return "mld";
    default:
      return "other";
  }
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}
function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function parseOptions(b: Uint8Array, start: number, end: number): NdpOption[] {
  const options: NdpOption[] = [];
  for (let o = start; o < end; ) {
    const type = b[o];
    const length = b[o + Icmpv6At.OptionUnits] * 8;
    const next = o + length;
    if ((type === NDP_SOURCE_LINK_LAYER_ADDRESS || type === NDP_TARGET_LINK_LAYER_ADDRESS)) {
      options.push({ type, address: b.subarray(o + Icmpv6At.OptionData, next) });
    } else if (type === NDP_PREFIX_INFORMATION && length === Icmpv6At.PrefixOptionLength) {
      const flags = b[o + Icmpv6At.PrefixFlags];
      options.push({
        type,
        prefixLength: b[o + Icmpv6At.PrefixLength],
        onLink: (flags & 0x80) !== 0,
        autonomous: (flags & 0x40) !== 0,
        reservedFlags: flags & 0x3f,
        validLifetime: u32(b, o + Icmpv6At.ValidLifetime),
        preferredLifetime: u32(b, o + Icmpv6At.PreferredLifetime),
        reserved2: u32(b, o + Icmpv6At.Reserved2),
        prefix: Ipv6Address.read(b, o + Icmpv6At.Prefix),
      });
    } else if (type === NDP_REDIRECTED_HEADER) {
      options.push({ type, reserved: b.subarray(o + Icmpv6At.OptionData, o + NdpOptionAt.RedirectedPacket), packet: b.subarray(o + NdpOptionAt.RedirectedPacket, next) });
    } else if (type === NDP_MTU && length === Icmpv6At.MtuOptionLength) {
      options.push({ type, reserved: u16(b, o + Icmpv6At.OptionData), mtu: u32(b, o + Icmpv6At.Mtu) });
    } else if (type === NDP_RDNSS && length >= Icmpv6At.RdnssAddresses + Ipv6At.AddressLength && (length - Icmpv6At.RdnssAddresses) % Ipv6At.AddressLength === 0) {
      const servers: Ipv6Address[] = [];
      for (let s = o + Icmpv6At.RdnssAddresses; s < next; s += Ipv6At.AddressLength) servers.push(Ipv6Address.read(b, s));
      options.push({ type, reserved: u16(b, o + Icmpv6At.OptionData), lifetime: u32(b, o + Icmpv6At.RdnssLifetime), servers });
    } else {
      options.push({ type, kind: "other", data: b.subarray(o + Icmpv6At.OptionData, next) });
    }
    o = next;
  }
  return options;
}

/**
 * The record of a checked view (check() returned undefined). Data, invoking packet, addresses in
 * link-layer options and unknown option bytes are views into the viewed bytes; IPv6 addresses are copies.
 */
export function parseIcmpv6(view: Icmpv6Packet): Icmpv6Record {
  const b = view.bytes;
  const at = view.offset;
  const end = view.end;
  const type = view.type;
  const fixedEnd = at + icmpv6FixedLength(type);
  let body: Icmpv6Body;
  switch (icmpv6BodyKind(type)) {
    case "echo":
      body = { kind: "echo", identifier: view.identifier, sequence: view.sequence, data: b.subarray(fixedEnd, end) };
      break;
    case "error":
      body = { kind: "error", parameter: view.restOfHeader, invoking: b.subarray(fixedEnd, end) };
      break;
    case "routerSolicitation":
      body = { kind: "routerSolicitation", reserved: view.restOfHeader, options: parseOptions(b, fixedEnd, end) };
      break;
    case "routerAdvertisement": {
      const flags = b[at + Icmpv6At.RaFlags];
      body = {
        kind: "routerAdvertisement",
        curHopLimit: b[at + Icmpv6At.CurHopLimit],
        managed: (flags & 0x80) !== 0,
        other: (flags & 0x40) !== 0,
        reservedFlags: flags & 0x3f,
        routerLifetime: u16(b, at + Icmpv6At.RouterLifetime),
        reachableTime: u32(b, at + Icmpv6At.ReachableTime),
        retransTimer: u32(b, at + Icmpv6At.RetransTimer),
        options: parseOptions(b, fixedEnd, end),
      };
      break;
    }
    case "neighborSolicitation":
      body = { kind: "neighborSolicitation", reserved: view.restOfHeader, target: Ipv6Address.read(b, at + Icmpv6At.Target), options: parseOptions(b, fixedEnd, end) };
      break;
    case "neighborAdvertisement": {
      const word = view.restOfHeader;
      body = {
        kind: "neighborAdvertisement",
        router: (word & 0x8000_0000) !== 0,
        solicited: (word & 0x4000_0000) !== 0,
        override: (word & 0x2000_0000) !== 0,
        reserved: word & 0x1fff_ffff,
        target: Ipv6Address.read(b, at + Icmpv6At.Target),
        options: parseOptions(b, fixedEnd, end),
      };
      break;
    }
    case "redirect":
      body = {
        kind: "redirect",
        reserved: view.restOfHeader,
        target: Ipv6Address.read(b, at + Icmpv6At.Target),
        destination: Ipv6Address.read(b, at + Icmpv6At.Destination),
        options: parseOptions(b, fixedEnd, end),
      };
      break;
    case "mld":
      body = {
        kind: "mld",
        maxResponseDelay: u16(b, at + Icmpv6At.MaxResponseDelay),
        reserved: u16(b, at + Icmpv6At.MaxResponseDelay + 2),
        multicastAddress: Ipv6Address.read(b, at + Icmpv6At.MulticastAddress),
        data: b.subarray(fixedEnd, end),
      };
      break;
    default:
      body = { kind: "other", restOfHeader: view.restOfHeader, data: b.subarray(fixedEnd, end) };
  }
  return { type, code: view.code, checksum: view.checksum, body };
}

/** Bytes one option takes: its form's length, rounded up to 8. */
export function ndpOptionLength(option: NdpOption): number {
  let raw: number;
  if ("kind" in option) raw = Icmpv6At.OptionData + option.data.length;
  else {
    switch (option.type) {
      case NDP_SOURCE_LINK_LAYER_ADDRESS:
      case NDP_TARGET_LINK_LAYER_ADDRESS:
        raw = Icmpv6At.OptionData + (option as NdpLinkLayerAddressOption).address.length;
        break;
      case NDP_PREFIX_INFORMATION:
        raw = Icmpv6At.PrefixOptionLength;
        break;
      case NDP_REDIRECTED_HEADER:
        raw = NdpOptionAt.RedirectedPacket + (option as NdpRedirectedHeaderOption).packet.length;
        break;
      case NDP_MTU:
        raw = Icmpv6At.MtuOptionLength;
        break;
      default:
        raw = Icmpv6At.RdnssAddresses + Ipv6At.AddressLength * (option as NdpRdnssOption).servers.length;
    }
  }
  return Math.max(8, (raw + 7) & ~7);
}

function bodyLength(body: Icmpv6Body, type: number): number {
  let n = icmpv6FixedLength(type);
  if ("options" in body) for (const option of body.options) n += ndpOptionLength(option);
  else if (body.kind === "echo" || body.kind === "mld" || body.kind === "other") n += body.data.length;
  else if (body.kind === "error") n += body.invoking.length;
  return n;
}

/** Bytes emitIcmpv6 writes for `record`. */
export function icmpv6BufferLength(record: Icmpv6Record): number {
  return bodyLength(record.body, record.type);
}

function writeU32(into: Uint8Array, at: number, value: number): void {
  const v = value >>> 0;
  into[at] = v >>> 24;
  into[at + 1] = (v >>> 16) & 0xff;
  into[at + 2] = (v >>> 8) & 0xff;
  into[at + 3] = v & 0xff;
}
function writeU16(into: Uint8Array, at: number, value: number): void {
  into[at] = (value >>> 8) & 0xff;
  into[at + 1] = value & 0xff;
}

function emitOptions(options: readonly NdpOption[], into: Uint8Array, at: number): number {
  for (const option of options) {
    const length = ndpOptionLength(option);
    into.fill(0, at, at + length);
    into[at] = option.type;
    into[at + Icmpv6At.OptionUnits] = length / 8;
    if ("kind" in option) into.set(option.data, at + Icmpv6At.OptionData);
    else {
      switch (option.type) {
        case NDP_SOURCE_LINK_LAYER_ADDRESS:
        case NDP_TARGET_LINK_LAYER_ADDRESS:
          into.set((option as NdpLinkLayerAddressOption).address, at + Icmpv6At.OptionData);
          break;
        case NDP_PREFIX_INFORMATION: {
          const p = option as NdpPrefixInformationOption;
          into[at + Icmpv6At.PrefixLength] = p.prefixLength;
          into[at + Icmpv6At.PrefixFlags] = (p.onLink ? 0x80 : 0) | (p.autonomous ? 0x40 : 0) | (p.reservedFlags & 0x3f);
          writeU32(into, at + Icmpv6At.ValidLifetime, p.validLifetime);
          writeU32(into, at + Icmpv6At.PreferredLifetime, p.preferredLifetime);
          writeU32(into, at + Icmpv6At.Reserved2, p.reserved2);
          p.prefix.write(into, at + Icmpv6At.Prefix);
          break;
        }
        case NDP_REDIRECTED_HEADER: {
          const r = option as NdpRedirectedHeaderOption;
          into.set(r.reserved.subarray(0, NdpOptionAt.RedirectedReservedLength), at + Icmpv6At.OptionData);
          into.set(r.packet, at + NdpOptionAt.RedirectedPacket);
          break;
        }
        case NDP_MTU: {
          const m = option as NdpMtuOption;
          writeU16(into, at + Icmpv6At.OptionData, m.reserved);
          writeU32(into, at + Icmpv6At.Mtu, m.mtu);
          break;
        }
        default: {
          const r = option as NdpRdnssOption;
          writeU16(into, at + Icmpv6At.OptionData, r.reserved);
          writeU32(into, at + Icmpv6At.RdnssLifetime, r.lifetime);
          r.servers.forEach((server, i) => server.write(into, at + Icmpv6At.RdnssAddresses + Ipv6At.AddressLength * i));
        }
      }
    }
    at += length;
  }
  return at;
}

/** The addresses of the pseudo-header: the IPv6 source and the final destination (see Ipv6Packet.pseudoHeaderDestinationOffset). */
export interface Icmpv6PseudoHeader {
  readonly source: Ipv6Address;
  readonly destination: Ipv6Address;
}

/**
 * Writes the message at into[offset] and returns its length. With computeChecksums (the default)
 * the checksum is computed over the message and the pseudo-header of `addresses` (required then);
 * without it the record's checksum is written. (ICMPv6 has no length field: fixLengths has nothing
 * to fix; option lengths always fit their contents, padded to 8 bytes.)
 * @throws RangeError when computeChecksums is on and `addresses` is missing
 */
export function emitIcmpv6(record: Icmpv6Record, into: Uint8Array, offset = 0, options: EmitOptions = {}, addresses?: Icmpv6PseudoHeader): number {
  const body = record.body;
  const type = record.type;
  const fixed = icmpv6FixedLength(type);
  into.fill(0, offset, offset + fixed);
  into[offset] = type;
  into[offset + Icmpv6At.Code] = record.code;
  let end: number;
  switch (body.kind) {
    case "echo":
      writeU16(into, offset + Icmpv6At.Identifier, body.identifier);
      writeU16(into, offset + Icmpv6At.Sequence, body.sequence);
      into.set(body.data, offset + fixed);
      end = offset + fixed + body.data.length;
      break;
    case "error":
      writeU32(into, offset + Icmpv6At.Rest, body.parameter);
      into.set(body.invoking, offset + fixed);
      end = offset + fixed + body.invoking.length;
      break;
    case "mld":
      writeU16(into, offset + Icmpv6At.MaxResponseDelay, body.maxResponseDelay);
      writeU16(into, offset + Icmpv6At.MaxResponseDelay + 2, body.reserved);
      body.multicastAddress.write(into, offset + Icmpv6At.MulticastAddress);
      into.set(body.data, offset + fixed);
      end = offset + fixed + body.data.length;
      break;
    case "other":
      writeU32(into, offset + Icmpv6At.Rest, body.restOfHeader);
      into.set(body.data, offset + fixed);
      end = offset + fixed + body.data.length;
      break;
    case "routerSolicitation":
      writeU32(into, offset + Icmpv6At.Rest, body.reserved);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "routerAdvertisement":
      into[offset + Icmpv6At.CurHopLimit] = body.curHopLimit;
      into[offset + Icmpv6At.RaFlags] = (body.managed ? 0x80 : 0) | (body.other ? 0x40 : 0) | (body.reservedFlags & 0x3f);
      writeU16(into, offset + Icmpv6At.RouterLifetime, body.routerLifetime);
      writeU32(into, offset + Icmpv6At.ReachableTime, body.reachableTime);
      writeU32(into, offset + Icmpv6At.RetransTimer, body.retransTimer);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "neighborSolicitation":
      writeU32(into, offset + Icmpv6At.Rest, body.reserved);
      body.target.write(into, offset + Icmpv6At.Target);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "neighborAdvertisement":
      writeU32(into, offset + Icmpv6At.Rest, (body.router ? 0x8000_0000 : 0) + (body.solicited ? 0x4000_0000 : 0) + (body.override ? 0x2000_0000 : 0) + (body.reserved & 0x1fff_ffff));
      body.target.write(into, offset + Icmpv6At.Target);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "redirect":
      writeU32(into, offset + Icmpv6At.Rest, body.reserved);
      body.target.write(into, offset + Icmpv6At.Target);
      body.destination.write(into, offset + Icmpv6At.Destination);
      end = emitOptions(body.options, into, offset + fixed);
      break;
  }
  let checksum = record.checksum;
  if (options.computeChecksums !== false) {
    if (addresses === undefined) throw new RangeError("icmpv6: computing the checksum needs the IPv6 source and destination; pass them, or computeChecksums: false");
    const length = end - offset;
    let sum = onesComplementSum(addresses.source.bytes, 0, 16);
    sum = onesComplementSum(addresses.destination.bytes, 0, 16, sum);
    sum += Math.floor(length / 0x10000) + (length & 0xffff) + IPV6_ICMPV6;
    checksum = foldChecksum(onesComplementSum(into, offset, end, sum));
  }
  writeU16(into, offset + Icmpv6At.Checksum, checksum);
  return end - offset;
}

/**
 * Decodes an ICMPv6 message from bytes[offset, end).
 * @throws DecodeError as Icmpv6Packet.check() reports it
 */
export function decodeIcmpv6(bytes: Uint8Array, offset = 0, end = bytes.length, endSource: LengthSource = "captured"): Icmpv6Record {
  const view = new Icmpv6Packet().reset(bytes, offset, end, endSource);
  const error = view.check();
  if (error !== undefined) throw error;
  return parseIcmpv6(view);
}

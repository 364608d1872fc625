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
import { checkLiterals, fieldTable, firstFieldPast } from "./layout";
import type { EmitOptions, PacketView } from "./view";

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

/** The layouts' numbers as literals; checked against the layouts below. */
const enum M {
  Code = 1,
  Checksum = 2,
  Rest = 4,
  Identifier = 4,
  Sequence = 6,
  HeaderLength = 8,
  CurHopLimit = 4,
  RaFlags = 5,
  RouterLifetime = 6,
  ReachableTime = 8,
  RetransTimer = 12,
  RaLength = 16,
  Target = 8,
  NeighborLength = 24,
  Destination = 24,
  RedirectLength = 40,
  MaxResponseDelay = 4,
  MulticastAddress = 8,
  MldLength = 24,
  PrefixLength = 2,
  PrefixFlags = 3,
  ValidLifetime = 4,
  PreferredLifetime = 8,
  Reserved2 = 12,
  Prefix = 16,
  PrefixOptionLength = 32,
  Mtu = 4,
  MtuOptionLength = 8,
}
checkLiterals("icmpv6", [
  ["code", M.Code, COMMON.code.offset],
  ["checksum", M.Checksum, COMMON.checksum.offset],
  ["rest of header", M.Rest, COMMON.restOfHeader.offset],
  ["header length", M.HeaderLength, commonStructure.span],
  ["identifier", M.Identifier, ECHO.identifier.offset],
  ["sequence", M.Sequence, ECHO.sequence.offset],
  ["curHopLimit", M.CurHopLimit, RA.curHopLimit.offset],
  ["RA flags", M.RaFlags, RA.flags.offset],
  ["routerLifetime", M.RouterLifetime, RA.routerLifetime.offset],
  ["reachableTime", M.ReachableTime, RA.reachableTime.offset],
  ["retransTimer", M.RetransTimer, RA.retransTimer.offset],
  ["RA length", M.RaLength, raStructure.span],
  ["target", M.Target, NEIGHBOR.target.offset],
  ["neighbor length", M.NeighborLength, neighborStructure.span],
  ["redirect target", M.Target, REDIRECT.target.offset],
  ["redirect destination", M.Destination, REDIRECT.destination.offset],
  ["redirect length", M.RedirectLength, redirectStructure.span],
  ["maxResponseDelay", M.MaxResponseDelay, MLD.maxResponseDelay.offset],
  ["multicastAddress", M.MulticastAddress, MLD.multicastAddress.offset],
  ["MLD length", M.MldLength, mldStructure.span],
  ["prefixLength", M.PrefixLength, PREFIX.prefixLength.offset],
  ["prefix flags", M.PrefixFlags, PREFIX.flags.offset],
  ["validLifetime", M.ValidLifetime, PREFIX.validLifetime.offset],
  ["preferredLifetime", M.PreferredLifetime, PREFIX.preferredLifetime.offset],
  ["reserved2", M.Reserved2, PREFIX.reserved2.offset],
  ["prefix", M.Prefix, PREFIX.prefix.offset],
  ["prefix option length", M.PrefixOptionLength, prefixStructure.span],
  ["mtu", M.Mtu, MTU.mtu.offset],
  ["MTU option length", M.MtuOptionLength, mtuStructure.span],
]);

/** The fixed length of a message of `type` (before options or data); 8 for types not listed. */
export function icmpv6FixedLength(type: number): number {
  switch (type) {
    case ICMPV6_ROUTER_ADVERTISEMENT:
      return M.RaLength;
    case ICMPV6_NEIGHBOR_SOLICITATION:
    case ICMPV6_NEIGHBOR_ADVERTISEMENT:
      return M.NeighborLength;
    case ICMPV6_REDIRECT:
      return M.RedirectLength;
    case ICMPV6_MLD_REPORT:
    case ICMPV6_MLD_DONE:
    case ICMPV6_MLD_QUERY:
      return M.MldLength;
    default:
      return M.HeaderLength;
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
      if (o + 2 > end) return lengthError("icmpv6", "option.length", o, o + 2, end, this.endSource);
      const units = b[o + 1];
      if (units === 0) return contentError("icmpv6", "option.length", o + 1, 0, `option type ${b[o]} has length 0, need at least 1 (8 bytes)`);
      const next = o + units * 8;
      if (next > end) return lengthError("icmpv6", "option.length", o + 1, next, end, this.endSource);
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
    return this.bytes[this.offset + M.Code];
  }
  /** The checksum as written. */
  get checksum(): number {
    const b = this.bytes;
    return (b[this.offset + M.Checksum] << 8) | b[this.offset + M.Checksum + 1];
  }
  /** The four bytes after the checksum as one number (an error's MTU or pointer, an echo's id and sequence). */
  get restOfHeader(): number {
    const b = this.bytes;
    const at = this.offset + M.Rest;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  /** An echo's identifier. */
  get identifier(): number {
    const b = this.bytes;
    return (b[this.offset + M.Identifier] << 8) | b[this.offset + M.Identifier + 1];
  }
  /** An echo's sequence number. */
  get sequence(): number {
    const b = this.bytes;
    return (b[this.offset + M.Sequence] << 8) | b[this.offset + M.Sequence + 1];
  }
  /** Absolute offset of the 16-byte target of NS, NA or redirect. */
  get targetOffset(): number {
    return this.offset + M.Target;
  }
  /** Absolute offset of a redirect's 16-byte destination. */
  get redirectDestinationOffset(): number {
    return this.offset + M.Destination;
  }
  /** Absolute offset of an MLD message's multicast address. */
  get multicastAddressOffset(): number {
    return this.offset + M.MulticastAddress;
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
    const length = b[o + 1] * 8;
    const next = o + length;
    if ((type === NDP_SOURCE_LINK_LAYER_ADDRESS || type === NDP_TARGET_LINK_LAYER_ADDRESS)) {
      options.push({ type, address: b.subarray(o + 2, next) });
    } else if (type === NDP_PREFIX_INFORMATION && length === M.PrefixOptionLength) {
      const flags = b[o + M.PrefixFlags];
      options.push({
        type,
        prefixLength: b[o + M.PrefixLength],
        onLink: (flags & 0x80) !== 0,
        autonomous: (flags & 0x40) !== 0,
        reservedFlags: flags & 0x3f,
        validLifetime: u32(b, o + M.ValidLifetime),
        preferredLifetime: u32(b, o + M.PreferredLifetime),
        reserved2: u32(b, o + M.Reserved2),
        prefix: Ipv6Address.read(b, o + M.Prefix),
      });
    } else if (type === NDP_REDIRECTED_HEADER) {
      options.push({ type, reserved: b.subarray(o + 2, o + 8), packet: b.subarray(o + 8, next) });
    } else if (type === NDP_MTU && length === M.MtuOptionLength) {
      options.push({ type, reserved: u16(b, o + 2), mtu: u32(b, o + M.Mtu) });
    } else if (type === NDP_RDNSS && length >= 24 && (length - 8) % 16 === 0) {
      const servers: Ipv6Address[] = [];
      for (let s = o + 8; s < next; s += 16) servers.push(Ipv6Address.read(b, s));
      options.push({ type, reserved: u16(b, o + 2), lifetime: u32(b, o + 4), servers });
    } else {
      options.push({ type, kind: "other", data: b.subarray(o + 2, next) });
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
      const flags = b[at + M.RaFlags];
      body = {
        kind: "routerAdvertisement",
        curHopLimit: b[at + M.CurHopLimit],
        managed: (flags & 0x80) !== 0,
        other: (flags & 0x40) !== 0,
        reservedFlags: flags & 0x3f,
        routerLifetime: u16(b, at + M.RouterLifetime),
        reachableTime: u32(b, at + M.ReachableTime),
        retransTimer: u32(b, at + M.RetransTimer),
        options: parseOptions(b, fixedEnd, end),
      };
      break;
    }
    case "neighborSolicitation":
      body = { kind: "neighborSolicitation", reserved: view.restOfHeader, target: Ipv6Address.read(b, at + M.Target), options: parseOptions(b, fixedEnd, end) };
      break;
    case "neighborAdvertisement": {
      const word = view.restOfHeader;
      body = {
        kind: "neighborAdvertisement",
        router: (word & 0x8000_0000) !== 0,
        solicited: (word & 0x4000_0000) !== 0,
        override: (word & 0x2000_0000) !== 0,
        reserved: word & 0x1fff_ffff,
        target: Ipv6Address.read(b, at + M.Target),
        options: parseOptions(b, fixedEnd, end),
      };
      break;
    }
    case "redirect":
      body = {
        kind: "redirect",
        reserved: view.restOfHeader,
        target: Ipv6Address.read(b, at + M.Target),
        destination: Ipv6Address.read(b, at + M.Destination),
        options: parseOptions(b, fixedEnd, end),
      };
      break;
    case "mld":
      body = {
        kind: "mld",
        maxResponseDelay: u16(b, at + M.MaxResponseDelay),
        reserved: u16(b, at + M.MaxResponseDelay + 2),
        multicastAddress: Ipv6Address.read(b, at + M.MulticastAddress),
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
  if ("kind" in option) raw = 2 + option.data.length;
  else {
    switch (option.type) {
      case NDP_SOURCE_LINK_LAYER_ADDRESS:
      case NDP_TARGET_LINK_LAYER_ADDRESS:
        raw = 2 + (option as NdpLinkLayerAddressOption).address.length;
        break;
      case NDP_PREFIX_INFORMATION:
        raw = M.PrefixOptionLength;
        break;
      case NDP_REDIRECTED_HEADER:
        raw = 8 + (option as NdpRedirectedHeaderOption).packet.length;
        break;
      case NDP_MTU:
        raw = M.MtuOptionLength;
        break;
      default:
        raw = 8 + 16 * (option as NdpRdnssOption).servers.length;
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
    into[at + 1] = length / 8;
    if ("kind" in option) into.set(option.data, at + 2);
    else {
      switch (option.type) {
        case NDP_SOURCE_LINK_LAYER_ADDRESS:
        case NDP_TARGET_LINK_LAYER_ADDRESS:
          into.set((option as NdpLinkLayerAddressOption).address, at + 2);
          break;
        case NDP_PREFIX_INFORMATION: {
          const p = option as NdpPrefixInformationOption;
          into[at + M.PrefixLength] = p.prefixLength;
          into[at + M.PrefixFlags] = (p.onLink ? 0x80 : 0) | (p.autonomous ? 0x40 : 0) | (p.reservedFlags & 0x3f);
          writeU32(into, at + M.ValidLifetime, p.validLifetime);
          writeU32(into, at + M.PreferredLifetime, p.preferredLifetime);
          writeU32(into, at + M.Reserved2, p.reserved2);
          p.prefix.write(into, at + M.Prefix);
          break;
        }
        case NDP_REDIRECTED_HEADER: {
          const r = option as NdpRedirectedHeaderOption;
          into.set(r.reserved.subarray(0, 6), at + 2);
          into.set(r.packet, at + 8);
          break;
        }
        case NDP_MTU: {
          const m = option as NdpMtuOption;
          writeU16(into, at + 2, m.reserved);
          writeU32(into, at + M.Mtu, m.mtu);
          break;
        }
        default: {
          const r = option as NdpRdnssOption;
          writeU16(into, at + 2, r.reserved);
          writeU32(into, at + 4, r.lifetime);
          r.servers.forEach((server, i) => server.write(into, at + 8 + 16 * i));
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
  into[offset + M.Code] = record.code;
  let end: number;
  switch (body.kind) {
    case "echo":
      writeU16(into, offset + M.Identifier, body.identifier);
      writeU16(into, offset + M.Sequence, body.sequence);
      into.set(body.data, offset + fixed);
      end = offset + fixed + body.data.length;
      break;
    case "error":
      writeU32(into, offset + M.Rest, body.parameter);
      into.set(body.invoking, offset + fixed);
      end = offset + fixed + body.invoking.length;
      break;
    case "mld":
      writeU16(into, offset + M.MaxResponseDelay, body.maxResponseDelay);
      writeU16(into, offset + M.MaxResponseDelay + 2, body.reserved);
      body.multicastAddress.write(into, offset + M.MulticastAddress);
      into.set(body.data, offset + fixed);
      end = offset + fixed + body.data.length;
      break;
    case "other":
      writeU32(into, offset + M.Rest, body.restOfHeader);
      into.set(body.data, offset + fixed);
      end = offset + fixed + body.data.length;
      break;
    case "routerSolicitation":
      writeU32(into, offset + M.Rest, body.reserved);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "routerAdvertisement":
      into[offset + M.CurHopLimit] = body.curHopLimit;
      into[offset + M.RaFlags] = (body.managed ? 0x80 : 0) | (body.other ? 0x40 : 0) | (body.reservedFlags & 0x3f);
      writeU16(into, offset + M.RouterLifetime, body.routerLifetime);
      writeU32(into, offset + M.ReachableTime, body.reachableTime);
      writeU32(into, offset + M.RetransTimer, body.retransTimer);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "neighborSolicitation":
      writeU32(into, offset + M.Rest, body.reserved);
      body.target.write(into, offset + M.Target);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "neighborAdvertisement":
      writeU32(into, offset + M.Rest, (body.router ? 0x8000_0000 : 0) + (body.solicited ? 0x4000_0000 : 0) + (body.override ? 0x2000_0000 : 0) + (body.reserved & 0x1fff_ffff));
      body.target.write(into, offset + M.Target);
      end = emitOptions(body.options, into, offset + fixed);
      break;
    case "redirect":
      writeU32(into, offset + M.Rest, body.reserved);
      body.target.write(into, offset + M.Target);
      body.destination.write(into, offset + M.Destination);
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
  writeU16(into, offset + M.Checksum, checksum);
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

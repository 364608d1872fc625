// Summary lines (and JSON) for frames of any link type sniff reads, as `tcpdump -n -r` prints them:
// Ethernet frames go to summary.ts's LineWriter as before; for Linux cooked (SLL, SLL2), raw IP and
// loopback frames the network layer is put behind a stand-in Ethernet header in a scratch buffer and
// summarised by the same code, so ARP, IPv4 and ICMP lines are the same as from Ethernet.
//
// What tcpdump 4.99 prints around them, and so do we:
//   SLL2: "IFNAME DIR " before every line: the interface name (`%-5s`, "?" when this host has no
//         interface of that index — tcpdump looks the index up on the host that reads the file) and
//         the direction (`%-3s`: In, Out, B, M, P, ?).
//   SLL:  nothing before ARP/IPv4 lines.
//   An 802.1Q-tagged ARP/IPv4 packet in a cooked frame: "ethertype ARP, " (the type inside the tag)
//   before its line.
//   IPv6: summary-ipv6.ts's line, straight from the captured bytes (no stand-in header).
//   A protocol we do not summarise (802.2, …): tcpdump's link-header line, "Out 00:00:5e:00:53:01
//   ethertype IPX (0x8137), length 84: " (SLL; SLL2 adds "ifindex N "), "AF Unknown (99), length 84: "
//   (NULL, LOOP), "unknown ip 5" (RAW) — tcpdump prints the same for protocols it does not know, and
//   decodes those it knows (IPX, LLC…), where our line differs.
//   A frame cut short inside a header: "malformed: <what, where>", offsets counted in the frame as
//   captured (link header included).
import { DecodeError, lengthError } from "./errors";
import { FrameKind, tryDecodeFrame } from "./frame";
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP, LINKTYPE_NULL, LinkView, decodeLinkHeader, packetTypeName } from "./linktype";
import { LINKTYPE_ETHERNET, MAX_CAPTURED_LENGTH } from "./pcap";
import { writeIpv6Summary } from "./summary-ipv6";
import { printStyle } from "./print-style";
import { EthAt, EtherType } from "./wire-literals";
import { ETHERTYPE_NAMES, LineOptions, LineWriter, MAX_LINE_LENGTH, TextBuffer, VERBOSE_BYTES_PER_BYTE, frameJson, useDefaultStyle, writeSummary, writeUnacceptedIpv4 } from "./summary";

const STAND_IN_HEADER: number = EthAt.HeaderLength;
const MAX_802_3_LENGTH = 1500;
const BSD_AF_NAMES: ReadonlyMap<number, string> = new Map([
  [2, "IPv4"], [6, "NS"], [7, "ISO"], [16, "Appletalk"], [23, "IPX"], [24, "IPv6"], [28, "IPv6"], [30, "IPv6"],
]);

/** Looks an interface index up on this host (SLL2 lines name the interface); undefined when there is none. */
export type InterfaceNamer = (index: number) => string | undefined;

const NO_INTERFACES: InterfaceNamer = () => undefined;

/** `error` with its offsets moved from the stand-in frame to the captured one. */
function shifted(error: DecodeError, delta: number): DecodeError {
  if (!error.truncated) return new DecodeError(error.layer, error.field, error.offset + delta, error.needed, error.available, error.reason);
  return lengthError(error.layer, error.field, error.offset + delta, error.needed + delta, error.available + delta, error.lengthSource);
}

/**
 * Writes "HH:MM:SS.uuuuuu <summary>\n" lines for frames of any supported link type into a
 * TextBuffer. Allocates nothing per frame on the ARP/IPv4/ICMP path (one copy into its scratch
 * buffer for non-Ethernet frames).
 */
export class LinkLineWriter {
  /** The Ethernet line writer it hands each frame (or its Ethernet stand-in) to. */
  readonly lines: LineWriter;
  /** The link-header view of the last frame written. */
  readonly link = new LinkView();
  private readonly scratch = new Uint8Array(STAND_IN_HEADER + MAX_CAPTURED_LENGTH);

  constructor(out: TextBuffer = new TextBuffer(), private readonly interfaceName: InterfaceNamer = NO_INTERFACES, options: LineOptions = {}) {
    this.lines = new LineWriter(out, options);
  }

  /** The buffer the lines are written into. */
  get out(): TextBuffer {
    return this.lines.out;
  }

  /** Appends one line; see LineWriter.write. `linkType` is the record's (linkTypeSupported's). */
  write(linkType: number, bytes: Uint8Array, seconds: number, microseconds: number, wireLength: number): void {
    const lines = this.lines;
    if (linkType === LINKTYPE_ETHERNET) return lines.write(bytes, seconds, microseconds, wireLength);
    const out = lines.out;
    out.reserve(lines.verbose === 0 ? MAX_LINE_LENGTH : MAX_LINE_LENGTH + bytes.length * VERBOSE_BYTES_PER_BYTE);
    lines.writeTime(seconds, microseconds);
    lines.applyStyle();
    this.writeLinkSummary(linkType, bytes, wireLength, out);
    if (lines.dump !== 0) lines.writeDump(bytes, lines.dumpLinkHeader || printStyle.ranOut ? 0 : Math.min(this.link.headerLength, bytes.length));
    out.bytes[out.length++] = 10;
  }

  /** The summary of a non-Ethernet frame, without time column or newline. */
  writeLinkSummary(linkType: number, bytes: Uint8Array, wireLength: number, out: TextBuffer): void {
    const link = this.link;
    if (!link.reset(linkType, bytes)) {
      link.headerLength = 0;
      return malformed(errorOf(() => decodeLinkHeader(linkType, bytes)), bytes.length, wireLength, out);
    }
    if (linkType === LINKTYPE_LINUX_SLL2) {
      const name = this.interfaceName(link.interfaceIndex) ?? "?";
      out.ascii(name.length > 64 ? name.slice(0, 64) : name);
      for (let i = name.length; i < 5; i++) out.byte(32);
      out.byte(32);
      const direction = packetTypeName(link.packetType);
      out.ascii(direction);
      for (let i = direction.length; i < 3; i++) out.byte(32);
      out.byte(32);
    }
    // -e: the link header before whatever follows (tcpdump prints it alone for a protocol it does not know)
    const linkHeader = printStyle.linkHeader;
    if (linkHeader) this.writeLinkHeader(linkType, wireLength, out);
    const type = link.etherType;
    // IPv6: summary-ipv6.ts, straight from the captured bytes
    if (type === EtherType.Ipv6) return writeIpv6Summary(bytes, link.headerLength, bytes.length, wireLength - link.headerLength, out, this.lines.conversations);
    if (type === EtherType.Ipv4 || type === EtherType.Arp || type === EtherType.Vlan) {
      const headerLength = link.headerLength;
      const payload = bytes.length - headerLength;
      const scratch = this.scratch;
      scratch[EthAt.Type] = type >>> 8;
      scratch[EthAt.Type + 1] = type & 0xff;
      scratch.set(bytes.subarray(headerLength), STAND_IN_HEADER);
      const frame = scratch.subarray(0, STAND_IN_HEADER + payload);
      const view = this.lines.view;
      const accepted = view.reset(frame);
      if (!accepted) {
        if (printStyle.plain && writeUnacceptedIpv4(frame, wireLength - headerLength + STAND_IN_HEADER, out, this.lines.conversations)) return;
        const result = tryDecodeFrame(frame);
        const error = result instanceof DecodeError ? shifted(result, headerLength - STAND_IN_HEADER) : undefined;
        return malformed(error, bytes.length, wireLength, out);
      }
      if (view.kind !== FrameKind.Other) {
        if (type === EtherType.Vlan) {
          // tcpdump names the EtherType inside a cooked frame's 802.1Q tag before the packet
          out.ascii("ethertype ");
          out.ascii(ETHERTYPE_NAMES.get(view.etherType) ?? "Unknown");
          out.ascii(", ");
        }
        return writeSummary(view, true, wireLength - headerLength + STAND_IN_HEADER, out, this.lines.conversations);
      }
    }
    if (linkType !== LINKTYPE_NULL && linkType !== LINKTYPE_LOOP && linkType !== LINKTYPE_LINUX_SLL && linkType !== LINKTYPE_LINUX_SLL2) {
      out.ascii("unknown ip ");
      out.decimal(link.protocol);
      return;
    }
    if (!linkHeader) this.writeLinkHeader(linkType, wireLength, out);
  }

  /**
   * tcpdump's link header: what -e prints before every packet, and what tcpdump prints alone for a
   * protocol it (or we) does not decode. -q shortens it.
   */
  private writeLinkHeader(linkType: number, wireLength: number, out: TextBuffer): void {
    const link = this.link;
    const bytes = link.bytes;
    const quick = printStyle.quick;
    if (linkType === LINKTYPE_NULL || linkType === LINKTYPE_LOOP) {
      const name = BSD_AF_NAMES.get(link.protocol);
      if (quick) {
        if (name !== undefined) out.ascii(name);
        else {
          out.ascii("Unknown AF ");
          out.decimal(link.protocol);
        }
      } else {
        out.ascii("AF ");
        out.ascii(name ?? "Unknown");
        out.ascii(" (");
        out.decimal(link.protocol);
        out.byte(0x29);
      }
      out.ascii(", length ");
      out.decimal(wireLength);
      out.ascii(": ");
      return;
    }
    if (linkType !== LINKTYPE_LINUX_SLL && linkType !== LINKTYPE_LINUX_SLL2) {
      out.ascii("ip: "); // raw IP
      return;
    }
    if (linkType === LINKTYPE_LINUX_SLL) {
      const direction = packetTypeName(link.packetType);
      for (let i = direction.length; i < 3; i++) out.byte(32);
      out.ascii(direction);
      out.byte(32);
    } else {
      out.ascii("ifindex ");
      out.decimal(link.interfaceIndex);
      out.byte(32);
    }
    if (link.addressLength === 6) {
      out.linkAddress(bytes, link.addressOffset, 6);
      out.byte(32);
    }
    if (quick) return;
    const protocol = link.protocol;
    if (protocol <= MAX_802_3_LENGTH) {
      out.ascii(protocol === 1 ? "802.3" : protocol === 4 ? "802.2" : "ethertype Unknown (0x");
      if (protocol !== 1 && protocol !== 4) {
        out.hex(protocol, 4);
        out.byte(0x29);
      }
    } else {
      out.ascii("ethertype ");
      out.ascii(ETHERTYPE_NAMES.get(protocol) ?? "Unknown");
      out.ascii(" (0x");
      out.hex(protocol, 4);
      out.byte(0x29);
    }
    out.ascii(", length ");
    out.decimal(wireLength);
    out.ascii(": ");
  }
}

function errorOf(decode: () => unknown): DecodeError | undefined {
  try {
    decode();
    return undefined;
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

function malformed(error: DecodeError | undefined, captured: number, wireLength: number, out: TextBuffer): void {
  const message = error?.message ?? "the frame reader rejected it, the decoder did not";
  out.reserve(message.length + 64);
  out.ascii("malformed: ");
  out.ascii(message);
  if (wireLength > captured) {
    out.ascii(" (captured ");
    out.decimal(captured);
    out.ascii(" of ");
    out.decimal(wireLength);
    out.ascii(" bytes)");
  }
}

/** The summary of a frame of `linkType`, without time column (what `tcpdump -n` prints after the time). */
export function linkFrameSummary(linkType: number, bytes: Uint8Array, wireLength = bytes.length, interfaceName: InterfaceNamer = NO_INTERFACES): string {
  const writer = new LinkLineWriter(new TextBuffer(MAX_LINE_LENGTH), interfaceName);
  useDefaultStyle();
  if (linkType === LINKTYPE_ETHERNET) {
    const view = writer.lines.view;
    writeSummary(view, view.reset(bytes), wireLength, writer.out);
  } else writer.writeLinkSummary(linkType, bytes, wireLength, writer.out);
  return writer.out.toString();
}

/**
 * One JSON object for a frame of `linkType`: frameJson's for Ethernet; for the others `time`, `link`
 * (decodeLinkHeader's fields) and the layers above it as decodeFrame gives them (no `ethernet`), or
 * `malformed` for a frame that does not decode.
 */
export function linkFrameJson(linkType: number, bytes: Uint8Array, timeMicros: number): string {
  if (linkType === LINKTYPE_ETHERNET) return frameJson(bytes, timeMicros);
  let link;
  try {
    link = decodeLinkHeader(linkType, bytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return JSON.stringify({ time: timeMicros, malformed: malformedFields(error) });
  }
  const out: Record<string, unknown> = { time: timeMicros, link };
  if (link.etherType === EtherType.Ipv4 || link.etherType === EtherType.Arp || link.etherType === EtherType.Vlan) {
    const frame = new Uint8Array(STAND_IN_HEADER + bytes.length - link.headerLength);
    frame[EthAt.Type] = link.etherType >>> 8;
    frame[EthAt.Type + 1] = link.etherType & 0xff;
    frame.set(bytes.subarray(link.headerLength), STAND_IN_HEADER);
    const result = tryDecodeFrame(frame);
    if (result instanceof DecodeError) {
      out.malformed = malformedFields(shifted(result, link.headerLength - STAND_IN_HEADER));
    } else {
      const { ethernet, ...layers } = result.toJSON() as Record<string, unknown> & { ethernet: { vlan?: unknown } };
      if (ethernet.vlan !== undefined) out.vlan = ethernet.vlan;
      Object.assign(out, layers);
    }
  } else out.payloadLength = bytes.length - link.headerLength;
  return JSON.stringify(out);
}

function malformedFields(error: DecodeError): object {
  const { layer, field, offset, needed, available, reason, message } = error;
  return { message, layer, field, offset, needed, available, reason };
}

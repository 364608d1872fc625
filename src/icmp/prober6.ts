// ICMPv6 echo prober in userspace, the IPv6 counterpart of prober.ts (`takeover ping -6`): many
// targets at once, one identifier per prober, a sequence per target, and the same payload (magic,
// nonce, send stamp) so stray replies are ignored. RTT = capture stamp of the reply − capture stamp
// of our own request as it left, both from the kernel; where the outgoing stamp is missing, hrtime's
// send time is used and the event says so. Frames are built from records (emitIpv6, emitIcmpv6) and
// read through the views (Ipv6Packet, Icmpv6Packet): no offsets of our own. Replies are matched on
// identifier, nonce, source and sequence; a destination-unreachable or time-exceeded message counts
// when the request it quotes is ours.
import { EventEmitter } from "node:events";
import { Mac } from "../packets/address";
import { ETHERNET, ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV6, encodeEthernet } from "../packets/ethernet";
import {
  emitIcmpv6,
  Icmpv6Packet,
  ICMPV6_DESTINATION_UNREACHABLE,
  ICMPV6_ECHO_REPLY,
  ICMPV6_ECHO_REQUEST,
  ICMPV6_TIME_EXCEEDED,
} from "../packets/icmpv6";
import { emitIpv6, IPV6, IPV6_HEADER_LENGTH, IPV6_ICMPV6, Ipv6Address, Ipv6Packet } from "../packets/ipv6";
import { Clock, Timer } from "../link/clock";
import { clockOf, FramePort } from "../link/port";
import { MAGIC, PAYLOAD_HEADER, ProbeEvent, readU32, StampSource, writeU32 } from "./prober";

/** The echo header (type, code, checksum, identifier, sequence) before the data. */
const ECHO_HEADER_LENGTH = 8;
/** The most data per request that fits a 1500-byte MTU: 1500 − 40 − 8. */
export const MAX_PAYLOAD6 = 1452;

export type ProbeEvent6 = ProbeEvent<Ipv6Address>;

export interface Prober6Options {
  /** our address on the port's segment: the echo requests' source */
  readonly sourceIp: Ipv6Address;
  /** MAC of the next hop towards `target` (the target itself on-link, else the router) */
  readonly nextHop: (target: Ipv6Address) => Promise<Mac>;
  /** ICMPv6 identifier; default a random one */
  readonly identifier?: number;
  /** random numbers in [0, 1) for the identifier and nonce; default Math.random */
  readonly random?: () => number;
  /** data bytes per request, 16 to 1452; default 56 (ping's) */
  readonly payloadSize?: number;
  /** default 64 */
  readonly hopLimit?: number;
}

interface Outstanding6 {
  readonly target: Ipv6Address;
  readonly seq: number;
  sentMicros: number;
  stamp: StampSource;
  timer?: Timer;
  answered: boolean;
  timedOut: boolean;
}

/** 16 bytes as a map key (hex); made per request and per matching reply only. */
function keyOf(bytes: Uint8Array, offset: number, seq: number): string {
  let key = "";
  for (let i = offset; i < offset + 16; i++) key += (bytes[i] + 0x100).toString(16).slice(1);
  return `${key}/${seq}`;
}

/**
 * Sends ICMPv6 echo requests on a port and matches the replies. Emits ProbeEvent6s as "event";
 * `send()` sends one request. Several probers may share a port: each has its own identifier and nonce.
 */
export class Prober6 extends EventEmitter<{ event: [ProbeEvent6] }> {
  readonly identifier: number;
  readonly #nonce: number;
  readonly #clock: Clock;
  readonly #outstanding = new Map<string, Outstanding6>();
  readonly #sequence = new Map<string, number>();
  readonly #ip = new Ipv6Packet();
  readonly #icmp = new Icmpv6Packet();
  readonly #quotedIp = new Ipv6Packet();
  readonly #data: Uint8Array;
  readonly #stop: () => void;

  constructor(
    readonly port: FramePort,
    readonly options: Prober6Options,
  ) {
    super();
    const random = options.random ?? Math.random;
    this.#clock = clockOf(port);
    this.#nonce = (random() * 0x1_0000_0000) >>> 0;
    this.identifier = options.identifier ?? ((random() * 0x10000) & 0xffff);
    const size = options.payloadSize ?? 56;
    if (!Number.isInteger(size) || size < PAYLOAD_HEADER || size > MAX_PAYLOAD6) throw new RangeError(`probe payload must be ${PAYLOAD_HEADER}..${MAX_PAYLOAD6} bytes, got ${size}`);
    this.#data = new Uint8Array(size);
    for (let i = PAYLOAD_HEADER; i < size; i++) this.#data[i] = i & 0xff;
    this.#stop = port.listen((frame) => this.#hear(frame.bytes, frame.timeMicros, frame.stamp));
  }

  /** The next sequence number `send(target)` will use. */
  nextSequence(target: Ipv6Address): number {
    return this.#sequence.get(target.toString()) ?? 1;
  }

  /** Sends one echo request to `target`; a "timeout" follows after `timeoutMs` without a reply. */
  async send(target: Ipv6Address, timeoutMs: number): Promise<number> {
    const seq = this.nextSequence(target);
    this.#sequence.set(target.toString(), (seq + 1) & 0xffff || 1);
    let mac: Mac;
    try {
      mac = await this.options.nextHop(target);
    } catch {
      // as ping -6's "Destination unreachable: Address unreachable" from our own address: no NA came
      this.emit("event", { type: "sent", target, seq, timeMicros: this.#clock.nowMicros() });
      this.emit("event", { type: "unreachable", target, seq, from: this.options.sourceIp, code: 3 });
      return seq;
    }
    const data = this.#data;
    const sentMicros = this.#clock.nowMicros();
    writeU32(data, 0, MAGIC);
    writeU32(data, 4, this.#nonce);
    writeU32(data, 8, Math.floor(sentMicros / 0x1_0000_0000));
    writeU32(data, 12, sentMicros % 0x1_0000_0000);
    const frame = this.#request(target, mac, seq);
    const key = keyOf(target.bytes, 0, seq);
    this.#outstanding.get(key)?.timer?.cancel();
    const entry: Outstanding6 = { target, seq, sentMicros, stamp: "hrtime", answered: false, timedOut: false };
    this.#outstanding.set(key, entry);
    this.port.send(frame);
    this.emit("event", { type: "sent", target, seq, timeMicros: sentMicros });
    entry.timer = this.#clock.after(
      timeoutMs,
      () => {
        entry.timer = undefined;
        if (entry.answered) return;
        entry.timedOut = true;
        this.emit("event", { type: "timeout", target, seq });
      },
      { unref: true },
    );
    return seq;
  }

  /** The echo request `seq` to `target` via `mac`, with the data in #data, checksum computed. */
  #request(target: Ipv6Address, mac: Mac, seq: number): Buffer {
    const upperLength = ECHO_HEADER_LENGTH + this.#data.length;
    const frame = Buffer.alloc(ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + upperLength);
    const ip = encodeEthernet({ destination: mac, source: this.port.mac, etherType: ETHERTYPE_IPV6 }, frame, 0);
    const icmp =
      ip +
      emitIpv6(
      {
        version: 6,
        trafficClass: 0,
        flowLabel: 0,
        payloadLength: upperLength,
        nextHeader: IPV6_ICMPV6,
        hopLimit: this.options.hopLimit ?? 64,
        source: this.options.sourceIp,
        destination: target,
        extensions: [],
      },
      frame,
      ip,
      {},
      upperLength,
    );
    emitIcmpv6(
      { type: ICMPV6_ECHO_REQUEST, code: 0, checksum: 0, body: { kind: "echo", identifier: this.identifier, sequence: seq, data: this.#data } },
      frame,
      icmp,
      {},
      { source: this.options.sourceIp, destination: target },
    );
    return frame;
  }

  /** Forgets requests older than `ms` (late replies to them are then ignored). */
  forgetOlderThan(ms: number): void {
    const limit = this.#clock.nowMicros() - ms * 1000;
    for (const [key, entry] of this.#outstanding) {
      if (entry.sentMicros < limit && entry.timer === undefined) this.#outstanding.delete(key);
    }
  }

  close(): void {
    this.#stop();
    for (const entry of this.#outstanding.values()) entry.timer?.cancel();
    this.#outstanding.clear();
  }

  #hear(bytes: Uint8Array, timeMicros: number, stamp: StampSource): void {
    const typeAt = ETHERNET.etherType.offset;
    if (bytes.length < ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH || ((bytes[typeAt] << 8) | bytes[typeAt + 1]) !== ETHERTYPE_IPV6) return;
    const ip = this.#ip.reset(bytes, ETHERNET_HEADER_LENGTH);
    if (ip.check() !== undefined || ip.upperProtocol !== IPV6_ICMPV6 || ip.isFragment) return;
    const icmp = this.#icmp.reset(bytes, ip.payloadOffset, ip.payloadEnd);
    if (icmp.check() !== undefined || !icmp.checksumValid(ip.sourceOffset, ip.destinationOffset)) return;
    const type = icmp.type;
    if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
      if (icmp.identifier !== this.identifier || !this.#ours(bytes, icmp.payloadOffset, icmp.end)) return;
      if (type === ICMPV6_ECHO_REQUEST) {
        // our own request, seen leaving: its capture stamp is the send time
        if (!sameBytes(bytes, ip.sourceOffset, this.options.sourceIp.bytes)) return;
        const entry = this.#outstanding.get(keyOf(bytes, ip.destinationOffset, icmp.sequence));
        if (entry !== undefined && !entry.answered && stamp === "kernel") {
          entry.sentMicros = timeMicros;
          entry.stamp = "kernel";
        }
        return;
      }
      if (!sameBytes(bytes, ip.destinationOffset, this.options.sourceIp.bytes)) return;
      const entry = this.#outstanding.get(keyOf(bytes, ip.sourceOffset, icmp.sequence));
      if (entry === undefined) return;
      const used: StampSource = entry.stamp === "kernel" && stamp === "kernel" ? "kernel" : "hrtime";
      const rttMicros = Math.max(0, timeMicros - entry.sentMicros);
      if (entry.answered) {
        this.emit("event", { type: "duplicate", target: entry.target, seq: entry.seq, rttMicros, ttl: ip.hopLimit, stamp: used });
        return;
      }
      entry.answered = true;
      entry.timer?.cancel();
      entry.timer = undefined;
      this.emit("event", { type: "reply", target: entry.target, seq: entry.seq, rttMicros, ttl: ip.hopLimit, bytes: icmp.end - icmp.offset, stamp: used, late: entry.timedOut });
      return;
    }
    if (type !== ICMPV6_DESTINATION_UNREACHABLE && type !== ICMPV6_TIME_EXCEEDED) return;
    const code = icmp.code;
    // the invoking packet: as much of our request as fitted; its IPv6 header and echo header must be there
    const quotedAt = icmp.payloadOffset;
    const quoted = this.#quotedIp.reset(bytes, quotedAt, icmp.end);
    if (icmp.end - quotedAt < IPV6_HEADER_LENGTH + ECHO_HEADER_LENGTH || bytes[quotedAt] >>> 4 !== 6) return;
    if (bytes[quotedAt + IPV6.nextHeader.offset] !== IPV6_ICMPV6 || !sameBytes(bytes, quoted.sourceOffset, this.options.sourceIp.bytes)) return;
    const echo = icmp.reset(bytes, quotedAt + IPV6_HEADER_LENGTH, icmp.end); // the error is read: the view now reads the quoted echo
    if (echo.type !== ICMPV6_ECHO_REQUEST || echo.identifier !== this.identifier) return;
    const entry = this.#outstanding.get(keyOf(bytes, quoted.destinationOffset, echo.sequence));
    if (entry === undefined || entry.answered) return;
    entry.answered = true;
    entry.timer?.cancel();
    entry.timer = undefined;
    this.emit("event", {
      type: type === ICMPV6_TIME_EXCEEDED ? "time-exceeded" : "unreachable",
      target: entry.target,
      seq: entry.seq,
      from: Ipv6Address.read(bytes, ip.sourceOffset),
      code,
    });
  }

  #ours(bytes: Uint8Array, at: number, end: number): boolean {
    return end - at >= PAYLOAD_HEADER && readU32(bytes, at) === MAGIC && readU32(bytes, at + 4) === this.#nonce;
  }
}

function sameBytes(bytes: Uint8Array, offset: number, other: Uint8Array): boolean {
  for (let i = 0; i < other.length; i++) if (bytes[offset + i] !== other[i]) return false;
  return true;
}

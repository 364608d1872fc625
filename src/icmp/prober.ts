// ICMP echo prober in userspace, fping-style: many targets at once, one identifier per prober, a
// sequence per target, and a payload with a magic and a send stamp so stray replies are ignored.
// RTT = capture stamp of the reply − capture stamp of our own request as it left (the capture handle
// sees outgoing frames), both from the kernel, so event-loop delay is not in the figure. Where the
// outgoing stamp is missing, the send time from hrtime is used and the result says so.
import { EventEmitter } from "node:events";
import { Ipv4, Mac } from "../packets/address";
import { ETHERTYPE_IPV4 } from "../packets/ethernet";
import { encodeFrame, FrameKind, FrameView, ipv4Header } from "../packets/frame";
import { ICMP_DESTINATION_UNREACHABLE, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_TIME_EXCEEDED, decodeIcmp } from "../packets/icmp";
import { IP_PROTOCOL_ICMP } from "../packets/ipv4";
import { Clock, Timer } from "../link/clock";
import { clockOf, FramePort } from "../link/port";

/** "TKOV": marks our echo payloads. */
export const MAGIC = 0x544b4f56;
/** magic (4), prober nonce (4), send stamp µs (8) */
export const PAYLOAD_HEADER = 16;

export type StampSource = "kernel" | "hrtime";

/** What a prober reports; `A` is the address family's type (Ipv4 here, Ipv6Address for Prober6). */
export type ProbeEvent<A = Ipv4> =
  | { type: "sent"; target: A; seq: number; timeMicros: number }
  | { type: "reply"; target: A; seq: number; rttMicros: number; ttl: number; bytes: number; stamp: StampSource; late: boolean }
  | { type: "duplicate"; target: A; seq: number; rttMicros: number; ttl: number; stamp: StampSource }
  | { type: "timeout"; target: A; seq: number }
  | { type: "unreachable"; target: A; seq: number; from: A; code: number }
  | { type: "time-exceeded"; target: A; seq: number; from: A; code: number };

export interface ProberOptions {
  /** our address on the port's segment: the echo requests' source */
  readonly sourceIp: Ipv4;
  /** MAC of the next hop towards `target` (the target itself on-link, else the gateway) */
  readonly nextHop: (target: Ipv4) => Promise<Mac>;
  /**
   * The next hop's MAC when it is known now (a fresh ARP cache entry), else undefined: then the
   * request goes out without waiting a turn for `nextHop`'s promise. Default: always ask `nextHop`.
   */
  readonly knownNextHop?: (target: Ipv4) => Mac | undefined;
  /** ICMP identifier; default a random one */
  readonly identifier?: number;
  /** random numbers in [0, 1) for the identifier and nonce; default Math.random */
  readonly random?: () => number;
  /** ICMP data bytes per request, ≥ 16; default 56 (ping's) */
  readonly payloadSize?: number;
  readonly ttl?: number;
  /** Pair authentication of the echo exchange (the daemon's, with a shared key): see EchoSeal. */
  readonly seal?: EchoSeal;
  /**
   * Sends each request's ICMP message (header and data) some other way than the port, which the
   * kernel wraps in its own IPv4 header: its ICMP socket, for this host's own addresses, which it
   * drops when put on lo from userspace (see src/link/kernel-icmp.ts). The port still captures the
   * request leaving and the reply, so the stamps are the kernel's as ever. Default: the port sends.
   */
  readonly sendIcmp?: (message: Uint8Array, target: Ipv4) => void;
}

/**
 * Authenticates echoes: the last `trailerBytes` of each request's data are `request(covered)`, and a
 * reply counts only if `reply(covered, trailer, from)` accepts it. `covered` is the source and
 * destination IPv4 address, identifier and sequence (12 bytes), then the data before the trailer.
 * The kernel's own reply echoes the request's trailer, which is not a reply's: it is ignored.
 */
export interface EchoSeal {
  readonly trailerBytes: number;
  request(covered: readonly Uint8Array[]): Uint8Array;
  reply(covered: readonly Uint8Array[], trailer: Uint8Array, from: string): boolean;
}

/** The 12 bytes an EchoSeal covers before the data: source, destination, identifier, sequence. */
export function echoSealHeader(source: number, destination: number, identifier: number, sequence: number): Uint8Array {
  const h = new Uint8Array(12);
  writeU32(h, 0, source);
  writeU32(h, 4, destination);
  h[8] = identifier >>> 8;
  h[9] = identifier & 0xff;
  h[10] = sequence >>> 8;
  h[11] = sequence & 0xff;
  return h;
}

/** Where the ICMP message starts in our requests: after Ethernet (14) and an IPv4 header without options (20). */
const ICMP_IN_FRAME = 14 + 20;

interface Outstanding {
  readonly target: Ipv4;
  readonly seq: number;
  /** hrtime send stamp, replaced by the kernel's stamp of the outgoing frame when it is captured */
  sentMicros: number;
  stamp: StampSource;
  timer?: Timer;
  answered: boolean;
  timedOut: boolean;
}

/**
 * Sends echo requests on a port and matches the replies. Emits ProbeEvents as "event"; `send()` sends
 * one request. Several probers may share a port: each has its own identifier and nonce.
 */
export class Prober extends EventEmitter<{ event: [ProbeEvent] }> {
  readonly identifier: number;
  readonly #nonce: number;
  readonly #clock: Clock;
  /** by target.value × 65536 + sequence (a number: no string made per request or reply) */
  readonly #outstanding = new Map<number, Outstanding>();
  /** per target: the request as encodeFrame makes it, each send copies it and writes what changes */
  readonly #templates = new Map<number, Uint8Array>();
  readonly #sequence = new Map<number, number>();
  readonly #view = new FrameView();
  readonly #data: Uint8Array;
  readonly #stop: () => void;

  constructor(
    readonly port: FramePort,
    readonly options: ProberOptions,
  ) {
    super();
    const random = options.random ?? Math.random;
    this.#clock = clockOf(port);
    this.#nonce = (random() * 0x1_0000_0000) >>> 0;
    this.identifier = options.identifier ?? ((random() * 0x10000) & 0xffff);
    const size = options.payloadSize ?? 56;
    const least = PAYLOAD_HEADER + (options.seal?.trailerBytes ?? 0);
    if (size < least || size > 1472) throw new RangeError(`probe payload must be ${least}..1472 bytes, got ${size}`);
    this.#data = new Uint8Array(size);
    for (let i = PAYLOAD_HEADER; i < size; i++) this.#data[i] = i & 0xff;
    this.#stop = port.listen((frame) => this.#hear(frame.bytes, frame.timeMicros, frame.stamp));
  }

  /** The next sequence number `send(target)` will use. */
  nextSequence(target: Ipv4): number {
    return this.#sequence.get(target.value) ?? 1;
  }

  /** Sends one echo request to `target`; a "timeout" follows after `timeoutMs` without a reply. */
  async send(target: Ipv4, timeoutMs: number): Promise<number> {
    const seq = this.nextSequence(target);
    this.#sequence.set(target.value, (seq + 1) & 0xffff || 1);
    let mac = this.options.knownNextHop?.(target);
    if (mac === undefined) {
      try {
        mac = await this.options.nextHop(target);
      } catch {
        // like ping's "Destination Host Unreachable" from our own address: nobody answered ARP
        this.emit("event", { type: "sent", target, seq, timeMicros: this.#clock.nowMicros() });
        this.emit("event", { type: "unreachable", target, seq, from: this.options.sourceIp, code: 1 });
        return seq;
      }
    }
    const data = this.#data;
    const sentMicros = this.#clock.nowMicros();
    writeU32(data, 0, MAGIC);
    writeU32(data, 4, this.#nonce);
    writeU32(data, 8, Math.floor(sentMicros / 0x1_0000_0000));
    writeU32(data, 12, sentMicros % 0x1_0000_0000);
    const seal = this.options.seal;
    if (seal !== undefined) {
      const end = data.length - seal.trailerBytes;
      data.set(seal.request([echoSealHeader(this.options.sourceIp.value, target.value, this.identifier, seq), data.subarray(0, end)]), end);
    }
    const frame = this.#request(target, mac, seq);
    const key = target.value * 0x10000 + seq;
    const previous = this.#outstanding.get(key);
    previous?.timer?.cancel();
    const entry: Outstanding = { target, seq, sentMicros, stamp: "hrtime", answered: false, timedOut: false };
    this.#outstanding.set(key, entry);
    if (this.options.sendIcmp === undefined) this.port.send(frame);
    else this.options.sendIcmp(frame.subarray(ICMP_IN_FRAME), target);
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

  /**
   * The echo request `seq` to `target` via `mac`, with the data in #data: a copy of the target's
   * template (what encodeFrame makes, so the same bytes) with the MACs, the IPv4 identification, the
   * ICMP sequence, the data and both checksums written in. A fresh array each time: a port may keep it.
   */
  #request(target: Ipv4, mac: Mac, seq: number): Buffer {
    let template = this.#templates.get(target.value);
    if (template === undefined) {
      template = encodeFrame({
        ethernet: { destination: mac, source: this.port.mac, etherType: ETHERTYPE_IPV4 },
        ipv4: ipv4Header(this.options.sourceIp, target, IP_PROTOCOL_ICMP, { ttl: this.options.ttl ?? 64, identification: 0 }),
        icmp: { type: ICMP_ECHO_REQUEST, code: 0, identifier: this.identifier, sequence: 0 },
        payload: this.#data,
      });
      this.#templates.set(target.value, template);
    }
    const frame = Buffer.alloc(template.length); // its own memory (allocUnsafe would share a pool slab)
    frame.set(template);
    mac.write(frame, 0);
    this.port.mac.write(frame, 6);
    const ip = 14;
    const icmp = ICMP_IN_FRAME;
    const data = this.#data;
    frame[ip + 4] = seq >>> 8;
    frame[ip + 5] = seq & 0xff;
    frame[ip + 10] = 0;
    frame[ip + 11] = 0;
    const ipSum = internetChecksum(frame, ip, icmp);
    frame[ip + 10] = ipSum >>> 8;
    frame[ip + 11] = ipSum & 0xff;
    frame.set(data, icmp + 8);
    frame[icmp + 2] = 0;
    frame[icmp + 3] = 0;
    frame[icmp + 6] = seq >>> 8;
    frame[icmp + 7] = seq & 0xff;
    const icmpSum = internetChecksum(frame, icmp, icmp + 8 + data.length);
    frame[icmp + 2] = icmpSum >>> 8;
    frame[icmp + 3] = icmpSum & 0xff;
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
    const view = this.#view;
    if (!view.reset(bytes) || view.kind !== FrameKind.Icmp) return;
    const type = view.icmpType;
    if (type === ICMP_ECHO_REQUEST) {
      // our own request, seen leaving: its capture stamp is the send time
      if (view.sourceMac !== this.port.mac.value || !this.#ours(bytes, view) || view.icmpIdentifier !== this.identifier) return;
      const entry = this.#outstanding.get(view.ipv4Destination * 0x10000 + view.icmpSequence);
      if (entry !== undefined && !entry.answered && stamp === "kernel") {
        entry.sentMicros = timeMicros;
        entry.stamp = "kernel";
      }
      return;
    }
    if (type === ICMP_ECHO_REPLY) {
      if (view.icmpIdentifier !== this.identifier || !this.#ours(bytes, view)) return;
      const entry = this.#outstanding.get(view.ipv4Source * 0x10000 + view.icmpSequence);
      if (entry === undefined) return;
      const seal = this.options.seal;
      if (seal !== undefined) {
        const at = view.icmpDataOffset;
        if (view.datagramEnd - at !== this.#data.length) return;
        const end = view.datagramEnd - seal.trailerBytes;
        const header = echoSealHeader(view.ipv4Source, view.ipv4Destination, view.icmpIdentifier, view.icmpSequence);
        if (!seal.reply([header, bytes.subarray(at, end)], bytes.subarray(end, view.datagramEnd), new Ipv4(view.ipv4Source).toString())) return;
      }
      const used: StampSource = entry.stamp === "kernel" && stamp === "kernel" ? "kernel" : "hrtime";
      const rttMicros = Math.max(0, timeMicros - entry.sentMicros);
      if (entry.answered) {
        this.emit("event", { type: "duplicate", target: entry.target, seq: entry.seq, rttMicros, ttl: view.ipv4Ttl, stamp: used });
        return;
      }
      entry.answered = true;
      entry.timer?.cancel();
      entry.timer = undefined;
      const icmpBytes = view.datagramEnd - view.transportOffset;
      this.emit("event", { type: "reply", target: entry.target, seq: entry.seq, rttMicros, ttl: view.ipv4Ttl, bytes: icmpBytes, stamp: used, late: entry.timedOut });
      return;
    }
    if (type === ICMP_DESTINATION_UNREACHABLE || type === ICMP_TIME_EXCEEDED) {
      const icmp = decodeIcmp(bytes, view.transportOffset, view.datagramEnd);
      const quoted = icmp.quoted;
      if (quoted?.icmp?.identifier !== this.identifier || quoted.icmp.type !== ICMP_ECHO_REQUEST || quoted.source.value !== this.options.sourceIp.value) return;
      const quotedSequence = quoted.icmp.sequence;
      if (quotedSequence === undefined) return;
      const entry = this.#outstanding.get(quoted.destination.value * 0x10000 + quotedSequence);
      if (entry === undefined || entry.answered) return;
      entry.answered = true;
      entry.timer?.cancel();
      entry.timer = undefined;
      const from = new Ipv4(view.ipv4Source);
      this.emit("event", { type: type === ICMP_TIME_EXCEEDED ? "time-exceeded" : "unreachable", target: entry.target, seq: entry.seq, from, code: view.icmpCode });
    }
  }

  #ours(bytes: Uint8Array, view: FrameView): boolean {
    const at = view.icmpDataOffset;
    return view.datagramEnd - at >= PAYLOAD_HEADER && readU32(bytes, at) === MAGIC && readU32(bytes, at + 4) === this.#nonce;
  }
}

/** The Internet checksum (RFC 1071) of b[start, end), the checksum field zeroed by the caller. */
function internetChecksum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

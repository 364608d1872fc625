// The daemon's view of the wire, and the pair's authenticated channel (issue 9).
//
// `pairPort` wraps the link's port for everything the daemon hears and sends:
// - a frame with an 802.1Q or 802.1ad tag belongs to another VLAN (on a VLAN interface the kernel
//   hands libpcap the frames of its own VLAN untagged): it is not heard at all;
// - with a shared key (`auth.keyFile`), every ARP frame sent carries a tag in its Ethernet padding,
//   and every NDP frame (NS, NA) one after its IPv6 packet (src/failover/auth.ts); every ARP and NDP
//   frame heard is checked once and marked `authentic`.
// With a key, `PairResponder` answers the peer's authenticated ARP requests (for our real address,
// and for addresses we hold) and echo requests itself, signed: the kernel answers too, unsigned, and
// an unsigned answer proves nothing. The peer's ICMP checks use `PairAuth.echoSeal()`, so a dead
// peer cannot be hidden by somebody answering its pings.
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../packets/ethernet";
import { Ipv4, Mac } from "../packets/address";
import { arpReply, ARP_REQUEST } from "../packets/arp";
import { encodeFrame, FrameKind, FrameView, ipv4Header } from "../packets/frame";
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from "../packets/icmp";
import { IP_PROTOCOL_ICMP } from "../packets/ipv4";
import { CapturedFrame, FramePort } from "../link/port";
import { EchoSeal, echoSealHeader } from "../icmp/prober";
import { frameSource, isNdpFrame, ndpFrameHasTrailer, PairKeys, Purpose, Signer, signArpFrame, signNdpFrame, TRAILER_BYTES, Verdict, Verifier, verifyArpFrame, verifyNdpFrame } from "./auth";
import { neighborAdvertisementFrame, readNeighborMessage } from "../ndp/frames";
import { Ipv6Address } from "../packets/ipv6";

/** The shared key at work: one signer and one verifier per daemon, and key rotation on reload. */
export class PairAuth {
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly #nowMs: () => number;
  /** after a rotation: the new keys the signer takes up at `at` (ms) */
  #switch: { keys: PairKeys; at: number } | undefined;

  constructor(keys: PairKeys, nowMs: () => number = Date.now) {
    this.#nowMs = nowMs;
    this.signer = new Signer(keys, nowMs);
    this.verifier = new Verifier(keys, nowMs);
  }

  /**
   * A reload with `next`: both keys are accepted at once and for 2 × `graceMs`; the old key signs
   * for `graceMs` more, then the new one. So the two boxes may be reloaded up to `graceMs` apart
   * without either refusing the other's frames.
   */
  rotate(next: PairKeys): void;
  rotate(next: PairKeys, graceMs: number): void;
  rotate(next: PairKeys, graceMs = 60_000): void {
    const now = this.#nowMs();
    const accepting = this.verifier.keys.rotate(next, now, 2 * graceMs);
    if (accepting === this.verifier.keys) return; // the same key
    this.verifier.keys = accepting;
    this.#switch = { keys: this.signer.keys.rotate(next, now, 2 * graceMs), at: now + graceMs };
  }

  /** Signs an untagged ARP frame (after taking up a rotated key when its time has come). */
  signArp(frame: Uint8Array): Uint8Array {
    this.#takeUpRotation();
    return signArpFrame(this.signer, frame);
  }

  /** Signs an untagged NDP frame (NS or NA): the trailer after its IPv6 packet. */
  signNdp(frame: Uint8Array): Uint8Array {
    this.#takeUpRotation();
    return signNdpFrame(this.signer, frame);
  }

  trailer(purpose: Purpose, covered: readonly Uint8Array[]): Uint8Array {
    this.#takeUpRotation();
    return this.signer.trailer(purpose, covered);
  }

  #takeUpRotation(): void {
    if (this.#switch !== undefined && this.#nowMs() >= this.#switch.at) {
      this.signer.keys = this.#switch.keys;
      this.#switch = undefined;
    }
  }

  /** For the prober of the peer's checks: requests sealed, only sealed replies count. */
  echoSeal(): EchoSeal {
    return {
      trailerBytes: TRAILER_BYTES,
      request: (covered) => this.trailer(Purpose.EchoRequest, covered),
      reply: (covered, trailer, from) => this.verifier.verify(Purpose.EchoReply, covered, trailer, from).ok,
    };
  }
}

const TAG_0 = 0x54;
const TAG_1 = 0x4b;

/** A frame tagged 802.1Q or 802.1ad: another VLAN's. */
function vlanTagged(b: Uint8Array): boolean {
  return b.length >= 14 && ((b[12] === 0x81 && b[13] === 0x00) || (b[12] === 0x88 && b[13] === 0xa8));
}

/** The Ethernet source MAC as a 48-bit number (Mac.value), without making a string per frame. */
function sourceMac(b: Uint8Array): number {
  return (b[6] * 0x100 + b[7]) * 0x1_0000_0000 + (((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) >>> 0);
}

function isArp(b: Uint8Array): boolean {
  return b.length >= 42 && b[12] === 0x08 && b[13] === 0x06;
}

/**
 * The port as the daemon sees it: other VLANs' frames left out; with `auth`, ARP frames signed on
 * the way out and checked on the way in (`onRefused` hears why a tagged frame was refused).
 */
export function pairPort(port: FramePort, auth: PairAuth | undefined, onRefused?: (from: string, verdict: Exclude<Verdict, { ok: true }>) => void): FramePort {
  const listeners = new Set<(frame: CapturedFrame) => void>();
  let stop: (() => void) | undefined;
  const hear = (frame: CapturedFrame) => {
    const b = frame.bytes;
    if (vlanTagged(b)) return;
    let heard = frame;
    if (auth !== undefined) {
      let authentic = false;
      // our own frames (the capture sees what we send) are not the peer's, whatever they carry
      if (isArp(b) && b.length >= 60 && b[42] === TAG_0 && b[43] === TAG_1 && sourceMac(b) !== port.mac.value) {
        const verdict = verifyArpFrame(auth.verifier, b);
        authentic = verdict.ok;
        if (!verdict.ok) onRefused?.(frameSource(b), verdict);
      } else if (isNdpFrame(b) && ndpFrameHasTrailer(b) && sourceMac(b) !== port.mac.value) {
        const verdict = verifyNdpFrame(auth.verifier, b);
        authentic = verdict.ok;
        if (!verdict.ok) onRefused?.(frameSource(b), verdict);
      }
      heard = { bytes: b, timeMicros: frame.timeMicros, stamp: frame.stamp, authentic };
    }
    for (const listener of listeners) listener(heard);
  };
  return {
    get name() {
      return port.name;
    },
    get mac() {
      return port.mac;
    },
    send: (frame) => port.send(auth === undefined ? frame : isArp(frame) ? auth.signArp(frame) : isNdpFrame(frame) ? auth.signNdp(frame) : frame),
    listen: (listener) => {
      listeners.add(listener);
      stop ??= port.listen(hear);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          stop?.();
          stop = undefined;
        }
      };
    },
    clock: port.clock,
  };
}

export interface ResponderSubject {
  /** our real address */
  readonly ours: Ipv4;
  /** the peer's real address: only its requests are answered */
  readonly peer: Ipv4;
  /** whether we hold `address` (a uint32) now */
  holds(address: number): boolean;
  /** whether we hold the IPv6 `address` (its RFC 5952 text) now */
  holds6?(address: string): boolean;
}

/**
 * Answers the peer's authenticated requests, signed: ARP requests for our real address or an
 * address we hold (the peer's identity rounds and its "who has our address" verify), Neighbor
 * Solicitations for an IPv6 address we hold (its verify for IPv6), and echo requests sealed by the
 * peer's prober. Requests from anyone else, or not authentic, get nothing
 * from us (the kernel answers them as always).
 */
export class PairResponder {
  readonly #view = new FrameView();
  readonly #stop: () => void;
  /** answers sent, for tests and logs */
  arpAnswers = 0;
  ndpAnswers = 0;
  echoAnswers = 0;

  constructor(
    readonly port: FramePort,
    readonly auth: PairAuth,
    readonly subject: ResponderSubject,
  ) {
    this.#stop = port.listen((frame) => this.#hear(frame));
  }

  close(): void {
    this.#stop();
  }

  /**
   * An authenticated NS (the key vouches for its sender: only the peer has it) from a unicast source
   * for an IPv6 address we hold: a solicited NA back to it, Override set, our MAC, signed by the port.
   * A DAD probe (source ::) gets nothing: the peer's probe is heard by the conflict watcher instead.
   */
  #answerSolicitation(b: Uint8Array): void {
    const message = readNeighborMessage(b);
    if (message === undefined || message.kind !== "solicitation" || message.sourceMac.value === this.port.mac.value) return;
    if (message.source.equals(Ipv6Address.ANY) || this.subject.holds6?.(message.target.toString()) !== true) return;
    try {
      this.port.send(
        neighborAdvertisementFrame({
          sourceMac: this.port.mac,
          source: message.target,
          target: message.target,
          linkLayerAddress: this.port.mac,
          solicited: true,
          override: true,
          destination: message.source,
          destinationMac: message.linkLayerAddress ?? message.sourceMac,
        }),
      );
      this.ndpAnswers++;
    } catch {
      // the link went down: the peer asks again
    }
  }

  #answers(address: number): boolean {
    return address === this.subject.ours.value || this.subject.holds(address);
  }

  #hear(frame: CapturedFrame): void {
    const view = this.#view;
    const b = frame.bytes;
    if (frame.authentic === true && isNdpFrame(b)) {
      this.#answerSolicitation(b);
      return;
    }
    if (!view.reset(b) || view.networkOffset !== 14) return;
    if (view.kind === FrameKind.Arp) {
      if (frame.authentic !== true || view.arpOperation !== ARP_REQUEST || view.arpSenderIp !== this.subject.peer.value) return;
      if (view.sourceMac !== view.arpSenderMac || !this.#answers(view.arpTargetIp)) return;
      const requester = new Mac(view.arpSenderMac);
      const reply = encodeFrame({
        ethernet: { destination: requester, source: this.port.mac, etherType: ETHERTYPE_ARP },
        arp: arpReply(this.port.mac, new Ipv4(view.arpTargetIp), requester, this.subject.peer),
      });
      try {
        this.port.send(reply);
        this.arpAnswers++;
      } catch {
        // the link went down: the peer asks again
      }
      return;
    }
    if (view.kind !== FrameKind.Icmp || view.icmpType !== ICMP_ECHO_REQUEST || view.icmpCode !== 0) return;
    if (view.ipv4Source !== this.subject.peer.value || !this.#answers(view.ipv4Destination) || view.sourceMac === this.port.mac.value) return;
    const at = view.icmpDataOffset;
    const end = view.datagramEnd - TRAILER_BYTES;
    if (end < at) return;
    const header = echoSealHeader(view.ipv4Source, view.ipv4Destination, view.icmpIdentifier, view.icmpSequence);
    const data = b.subarray(at, end);
    if (!this.auth.verifier.verify(Purpose.EchoRequest, [header, data], b.subarray(end, view.datagramEnd), new Ipv4(view.ipv4Source).toString()).ok) return;
    const answerHeader = echoSealHeader(view.ipv4Destination, view.ipv4Source, view.icmpIdentifier, view.icmpSequence);
    const payload = new Uint8Array(data.length + TRAILER_BYTES);
    payload.set(data);
    payload.set(this.auth.trailer(Purpose.EchoReply, [answerHeader, data]), data.length);
    const reply = encodeFrame({
      ethernet: { destination: new Mac(view.sourceMac), source: this.port.mac, etherType: ETHERTYPE_IPV4 },
      ipv4: ipv4Header(new Ipv4(view.ipv4Destination), new Ipv4(view.ipv4Source), IP_PROTOCOL_ICMP, { ttl: 64 }),
      icmp: { type: ICMP_ECHO_REPLY, code: 0, identifier: view.icmpIdentifier, sequence: view.icmpSequence },
      payload,
    });
    try {
      this.port.send(reply);
      this.echoAnswers++;
    } catch {
      // the link went down: the peer's check says unknown or fails, as it should
    }
  }
}

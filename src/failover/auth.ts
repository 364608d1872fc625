// Pair authentication: the two takeover daemons sign the frames they send each other with a shared
// secret, so that a stranger on the segment — who sees every frame and may send it again — can
// neither forge one nor have an old one believed.
//
// Each signed frame carries an 18-byte trailer (for ARP, in the Ethernet padding, bytes [42, 60); for
// NDP, in an NDP option of its own, the last of the message: see NDP_AUTH_OPTION):
//   "TK" (0x54 0x4b) | key id (1 byte) | counter (5 bytes, big-endian) | tag (10 bytes)
// - key id: the first byte of SHA-256 of the key, so a receiver knows which of its keys to try;
// - counter: the signer's clock in milliseconds since COUNTER_EPOCH_MS (2024-01-01T00:00:00Z; 40 bits
//   last until 2058), made strictly increasing per signer (next = max(now, last + 1));
// - tag: HMAC-SHA256(key, covered bytes ‖ purpose byte ‖ the trailer's first 8 bytes), first 10 bytes.
// The purpose byte keeps a tag for one use from being accepted as another (an ARP frame, an ICMP
// echo request's payload, an echo reply's). A receiver accepts a trailer when its tag is right, its
// counter is within `windowMs` of the receiver's clock (so the two boxes' clocks must agree to
// within that), and its counter is above the last one accepted from the same sender for the same
// purpose. The sender must be named by something inside the covered bytes (the ARP frame's source
// MAC; an ICMP packet's source IPv4): the tag then vouches for it, and a replay cannot come under a
// fresh name. What replay protection cannot do: a frame that was never delivered, or one sent
// within `windowMs` before the receiver (re)started, is accepted once.
//
// Keys: the current key signs; after a rotation the previous one is still accepted for a grace
// period. Pure code: node:crypto, and node:fs only to read a key file.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { foldChecksum, onesComplementSum } from "../packets/checksum";
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV6 } from "../packets/ethernet";
import { ICMPV6_NEIGHBOR_ADVERTISEMENT, ICMPV6_NEIGHBOR_SOLICITATION } from "../packets/icmpv6";
import { IPV6_HEADER_LENGTH, IPV6_ICMPV6, ipv6PseudoHeaderSum } from "../packets/ipv6";
import { EthAt, Icmpv6At, Ipv6At } from "../packets/wire-literals";

export const TRAILER_BYTES = 18;
/** the counter's zero: 2024-01-01T00:00:00Z (a 40-bit count of ms since the Unix epoch ran out in 2004) */
export const COUNTER_EPOCH_MS = Date.UTC(2024, 0, 1);
const COUNTER_LIMIT = 2 ** 40;
const MAGIC_0 = 0x54;
const MAGIC_1 = 0x4b;
const TAG_BYTES = 10;
const SIGNED_TRAILER_BYTES = TRAILER_BYTES - TAG_BYTES;
const MIN_KEY_BYTES = 16;
const MAX_KEY_FILE_BYTES = 4096;
/** untagged Ethernet header (14) + Ethernet/IPv4 ARP body (28) */
export const ARP_COVERED_BYTES = 42;
export const SIGNED_ARP_FRAME_BYTES = ARP_COVERED_BYTES + TRAILER_BYTES;
/** replay state is kept for this many senders, the least recently heard forgotten first */
const MAX_SENDERS = 64;

/** what a trailer is for: the byte that separates uses of the key */
export const Purpose = {
  /** an ARP frame: covered = Ethernet header + ARP body, bytes [0, 42) of an untagged frame */
  Arp: 1,
  /** an ICMP echo request: covered = source and destination IPv4, identifier, sequence, payload before the trailer */
  EchoRequest: 2,
  /** an ICMP echo reply: covered as for a request */
  EchoReply: 3,
  /** an NDP frame (Neighbor Solicitation or Advertisement): covered = the frame as it was before the auth option, its checksum as zero */
  Ndp: 4,
} as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

export type Verdict =
  | { ok: true; counter: number }
  /** `counter` (ms since the Unix epoch, by the sender's clock) is given when the tag was right */
  | { ok: false; why: "no trailer" | "unknown key" | "bad tag" | "replayed" | "too old" | "too new"; counter?: number };

interface Key {
  readonly secret: Buffer;
  readonly id: number;
}

function makeKey(secret: Uint8Array): Key {
  const copy = Buffer.from(secret);
  return { secret: copy, id: createHash("sha256").update(copy).digest()[0] };
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

interface KeyState {
  readonly current: Key;
  readonly previous?: Key;
  readonly previousUntilMs: number;
}

/** the keys behind each PairKeys, out of reach of anything outside this module */
const keyStates = new WeakMap<PairKeys, KeyState>();

function stateOf(keys: PairKeys): KeyState {
  return keyStates.get(keys)!;
}

/** the keys with this id that a trailer may be checked against at `nowMs` */
function accepting(keys: PairKeys, id: number, nowMs: number): Key[] {
  const { current, previous, previousUntilMs } = stateOf(keys);
  const found: Key[] = [];
  if (current.id === id) found.push(current);
  if (previous !== undefined && previous.id === id && nowMs < previousUntilMs) found.push(previous);
  return found;
}

/** The current key and, for a grace period after a rotation, the previous one. Immutable. */
export class PairKeys {
  private constructor(state: KeyState) {
    keyStates.set(this, state);
  }

  /** Reads a key file: the key is its bytes trimmed of surrounding whitespace (`head -c 32 /dev/urandom | base64 > key` makes one). */
  static fromFile(path: string): PairKeys {
    const make = `head -c 32 /dev/urandom | base64 > ${path}; chmod 600 ${path}`;
    let fd: number;
    try {
      // non-blocking, so that a FIFO in its place is refused rather than waited on
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new Error(`auth key file ${path}: missing — make one: ${make} (the same file on both boxes)`);
      if (code === "EACCES") throw new Error(`auth key file ${path}: not readable by this user; run takeover as the file's owner (root), or under the systemd unit pass it with LoadCredential= (deploy/README-systemd.md)`);
      throw new Error(`auth key file ${path}: cannot open (${code ?? (error as Error).message}) — check the path`);
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new Error(`auth key file ${path}: not a regular file — point auth.keyFile at a file, e.g. made with: ${make}`);
      if ((stat.mode & 0o077) !== 0) throw new Error(`auth key file ${path}: readable or writable by group or others (mode ${(stat.mode & 0o777).toString(8)}) — chmod 600 ${path}`);
      if (stat.size > MAX_KEY_FILE_BYTES) throw new Error(`auth key file ${path}: ${stat.size} bytes, more than ${MAX_KEY_FILE_BYTES} — a key needs 16 to 4096 bytes: ${make}`);
      const bytes = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
      let length = 0;
      for (let n; length < bytes.length && (n = readSync(fd, bytes, length, bytes.length - length, null)) > 0; ) length += n;
      if (length > MAX_KEY_FILE_BYTES) throw new Error(`auth key file ${path}: more than ${MAX_KEY_FILE_BYTES} bytes — a key needs 16 to 4096 bytes: ${make}`);
      let start = 0;
      let end = length;
      while (start < end && isSpace(bytes[start])) start++;
      while (end > start && isSpace(bytes[end - 1])) end--;
      if (end - start < MIN_KEY_BYTES) throw new Error(`auth key file ${path}: ${end - start} bytes of key, fewer than ${MIN_KEY_BYTES} — make a longer one: ${make}`);
      return new PairKeys({ current: makeKey(bytes.subarray(start, end)), previousUntilMs: -Infinity });
    } finally {
      closeSync(fd);
    }
  }

  static fromSecret(secret: Uint8Array): PairKeys {
    if (secret.length < MIN_KEY_BYTES) throw new Error(`auth secret: ${secret.length} bytes, fewer than ${MIN_KEY_BYTES} — use a longer secret`);
    return new PairKeys({ current: makeKey(secret), previousUntilMs: -Infinity });
  }

  /**
   * New keys that sign with `next`'s key and still accept this one's current key until
   * `nowMs + graceMs`. Rotating to the key already in use changes nothing (a reload of the same file).
   */
  rotate(next: PairKeys, nowMs: number, graceMs: number): PairKeys {
    const current = stateOf(this).current;
    const nextKey = stateOf(next).current;
    if (nextKey.secret.equals(current.secret)) return this;
    return new PairKeys({ current: nextKey, previous: current, previousUntilMs: nowMs + graceMs });
  }
}

function tagOf(key: Key, purpose: Purpose, covered: Uint8Array | readonly Uint8Array[], signedTrailer: Uint8Array): Buffer {
  const hmac = createHmac("sha256", key.secret);
  if (covered instanceof Uint8Array) hmac.update(covered);
  else for (const part of covered) hmac.update(part);
  hmac.update(Uint8Array.of(purpose));
  hmac.update(signedTrailer);
  return hmac.digest().subarray(0, TAG_BYTES);
}

/** Makes trailers. One per box, for every purpose: its counter increases across all of them. */
export class Signer {
  /** replace after a rotation: `signer.keys = signer.keys.rotate(next, now, grace)` */
  keys: PairKeys;
  readonly #nowMs: () => number;
  #last = -Infinity;

  constructor(keys: PairKeys, nowMs: () => number) {
    this.keys = keys;
    this.#nowMs = nowMs;
  }

  /** The 18-byte trailer for `covered` (one array, or parts taken in order). */
  trailer(purpose: Purpose, covered: Uint8Array | readonly Uint8Array[]): Uint8Array {
    // a clock before the epoch (no RTC, no NTP yet) signs at the epoch: the peer refuses it as too old
    const counterMs = Math.max(Math.floor(this.#nowMs()), this.#last + 1, COUNTER_EPOCH_MS);
    const wire = counterMs - COUNTER_EPOCH_MS;
    if (wire >= COUNTER_LIMIT) throw new Error(`auth signer: the clock (${new Date(counterMs).toISOString()}) is past the counter's end in 2058 — set the system clock`);
    this.#last = counterMs;
    const key = stateOf(this.keys).current;
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer[0] = MAGIC_0;
    trailer[1] = MAGIC_1;
    trailer[2] = key.id;
    trailer.writeUIntBE(wire, 3, 5);
    tagOf(key, purpose, covered, trailer.subarray(0, SIGNED_TRAILER_BYTES)).copy(trailer, SIGNED_TRAILER_BYTES);
    return new Uint8Array(trailer.buffer, trailer.byteOffset, TRAILER_BYTES);
  }
}

export interface VerifierOptions {
  /** counters further than this from our clock are refused ("too old", "too new"); default 30 000 */
  readonly windowMs?: number;
}

/** Checks trailers, and remembers per sender and purpose the last counter it accepted. */
export class Verifier {
  /** replace after a rotation: `verifier.keys = verifier.keys.rotate(next, now, grace)` */
  keys: PairKeys;
  readonly windowMs: number;
  readonly #nowMs: () => number;
  /** sender → last accepted counter per purpose; Map order is least recently accepted first */
  readonly #last = new Map<string, number[]>();

  constructor(keys: PairKeys, nowMs: () => number, options: VerifierOptions = {}) {
    this.keys = keys;
    this.#nowMs = nowMs;
    this.windowMs = options.windowMs ?? 30_000;
  }

  /**
   * Checks `trailer` against `covered`. `sender` names who sent it and must come from the covered
   * bytes (e.g. the source MAC of a signed ARP frame, the source IPv4 of a signed echo): a valid
   * trailer's counter must be above the last one accepted from `sender` for `purpose`.
   */
  verify(purpose: Purpose, covered: Uint8Array | readonly Uint8Array[], trailer: Uint8Array, sender: string): Verdict {
    if (trailer.length !== TRAILER_BYTES || trailer[0] !== MAGIC_0 || trailer[1] !== MAGIC_1) return { ok: false, why: "no trailer" };
    const nowMs = this.#nowMs();
    const keys = accepting(this.keys, trailer[2], nowMs);
    if (keys.length === 0) return { ok: false, why: "unknown key" };
    const signed = trailer.subarray(0, SIGNED_TRAILER_BYTES);
    const tag = trailer.subarray(SIGNED_TRAILER_BYTES);
    let good = false;
    for (const key of keys) if (timingSafeEqual(tagOf(key, purpose, covered, signed), tag)) good = true;
    if (!good) return { ok: false, why: "bad tag" };
    const counter = COUNTER_EPOCH_MS + Buffer.from(trailer.buffer, trailer.byteOffset + 3, 5).readUIntBE(0, 5);
    if (counter < nowMs - this.windowMs) return { ok: false, why: "too old", counter };
    if (counter > nowMs + this.windowMs) return { ok: false, why: "too new", counter };
    const last = this.#last.get(sender);
    if (last !== undefined && counter <= (last[purpose] ?? -Infinity)) return { ok: false, why: "replayed", counter };
    const entry = last ?? [];
    entry[purpose] = counter;
    this.#last.delete(sender);
    this.#last.set(sender, entry);
    if (this.#last.size > MAX_SENDERS) this.#last.delete(this.#last.keys().next().value!);
    return { ok: true, counter };
  }
}

/** Signs an untagged Ethernet + ARP frame (≥ 42 bytes): a 60-byte frame, bytes [0, 42) as given, the trailer at [42, 60). */
export function signArpFrame(signer: Signer, frame: Uint8Array): Uint8Array {
  if (frame.length < ARP_COVERED_BYTES) throw new Error(`signArpFrame: a ${frame.length}-byte frame, fewer than the ${ARP_COVERED_BYTES} of an untagged Ethernet + ARP frame — pass the whole frame`);
  const signed = new Uint8Array(SIGNED_ARP_FRAME_BYTES);
  const covered = frame.subarray(0, ARP_COVERED_BYTES);
  signed.set(covered);
  signed.set(signer.trailer(Purpose.Arp, covered), ARP_COVERED_BYTES);
  return signed;
}

/** The Ethernet source MAC of a frame, as the sender name verifyArpFrame uses ("02:00:5e:00:00:18"). */
export function frameSource(frame: Uint8Array): string {
  let text = "";
  for (let i = 6; i < 12; i++) text += (i > 6 ? ":" : "") + frame[i].toString(16).padStart(2, "0");
  return text;
}

/**
 * Verifies an untagged Ethernet + ARP frame as captured (≥ 60 bytes; bytes after 60 are ignored).
 * The sender is the frame's Ethernet source MAC, which the tag covers.
 */
export function verifyArpFrame(verifier: Verifier, frame: Uint8Array): Verdict {
  if (frame.length < SIGNED_ARP_FRAME_BYTES) return { ok: false, why: "no trailer" };
  return verifier.verify(Purpose.Arp, frame.subarray(0, ARP_COVERED_BYTES), frame.subarray(ARP_COVERED_BYTES, SIGNED_ARP_FRAME_BYTES), frameSource(frame));
}

/** Where an untagged frame's IPv6 header and its ICMPv6 message start. */
const IPV6_AT = ETHERNET_HEADER_LENGTH;
const ICMPV6_AT = IPV6_AT + IPV6_HEADER_LENGTH;
/**
 * The NDP option our trailer rides in: type 253, one of the two RFC 4727 sets aside for experiments,
 * length 3 (24 bytes: type, length, the 18-byte trailer, 4 bytes of zero padding). RFC 4861 §4.6 has
 * receivers ignore options they do not know, so every host and router still takes the NS or NA. A
 * trailer after the IPv6 packet would not do: a Linux bridge with br_netfilter
 * (bridge-nf-call-ip6tables=1, which Docker and Kubernetes hosts load) trims every IPv6 frame it
 * forwards to its payload length, and did so in our lab.
 */
export const NDP_AUTH_OPTION = 253;
export const NDP_AUTH_OPTION_BYTES = 24;

/** An untagged Ethernet frame holding an IPv6 packet whose next header is ICMPv6 with an NS (135) or NA (136). */
export function isNdpFrame(frame: Uint8Array): boolean {
  if (frame.length < ICMPV6_AT + Icmpv6At.Rest || ((frame[EthAt.Type] << 8) | frame[EthAt.Type + 1]) !== ETHERTYPE_IPV6 || frame[IPV6_AT + Ipv6At.NextHeader] !== IPV6_ICMPV6) return false;
  const type = frame[ICMPV6_AT + Icmpv6At.Type];
  return type === ICMPV6_NEIGHBOR_SOLICITATION || type === ICMPV6_NEIGHBOR_ADVERTISEMENT;
}

/** The IPv6 payload length of an NDP frame. */
function payloadLength(frame: Uint8Array): number {
  return (frame[IPV6_AT + Ipv6At.PayloadLength] << 8) | frame[IPV6_AT + Ipv6At.PayloadLength + 1];
}

/**
 * The bytes an NDP frame's tag covers, as parts: the frame as it was before the option was added
 * (`messageEnd`: where its ICMPv6 message ended), with that IPv6 payload length and the ICMPv6
 * checksum as zero (the checksum covers the option, so it cannot be covered itself).
 */
function ndpCovered(frame: Uint8Array, messageEnd: number): Uint8Array[] {
  const length = messageEnd - ICMPV6_AT;
  return [
    frame.subarray(0, IPV6_AT + Ipv6At.PayloadLength),
    Uint8Array.of(length >>> 8, length & 0xff),
    frame.subarray(IPV6_AT + Ipv6At.NextHeader, ICMPV6_AT + Icmpv6At.Checksum),
    Uint8Array.of(0, 0),
    frame.subarray(ICMPV6_AT + Icmpv6At.Rest, messageEnd),
  ];
}

/** The ICMPv6 checksum of the message at ICMPV6_AT in `frame` (its checksum field taken as zero). */
function icmpv6Checksum(frame: Uint8Array, length: number): number {
  let sum = ipv6PseudoHeaderSum(frame, IPV6_AT + Ipv6At.Source, IPV6_AT + Ipv6At.Destination, length, IPV6_ICMPV6);
  sum = onesComplementSum(frame, ICMPV6_AT, ICMPV6_AT + Icmpv6At.Checksum, sum);
  sum = onesComplementSum(frame, ICMPV6_AT + Icmpv6At.Rest, ICMPV6_AT + length, sum);
  return foldChecksum(sum);
}

/**
 * Signs an untagged Ethernet + IPv6 NS or NA: our option (NDP_AUTH_OPTION) holding the trailer is
 * added after its others, the IPv6 payload length grows by 24 and the ICMPv6 checksum is made again.
 */
export function signNdpFrame(signer: Signer, frame: Uint8Array): Uint8Array {
  const end = ICMPV6_AT + payloadLength(frame);
  if (!isNdpFrame(frame) || frame.length < end) throw new Error(`signNdpFrame: not a whole untagged Ethernet + IPv6 NS or NA frame (${frame.length} bytes)`);
  const trailer = signer.trailer(Purpose.Ndp, ndpCovered(frame, end));
  const signed = new Uint8Array(end + NDP_AUTH_OPTION_BYTES);
  signed.set(frame.subarray(0, end));
  signed[end] = NDP_AUTH_OPTION;
  signed[end + 1] = NDP_AUTH_OPTION_BYTES / 8;
  signed.set(trailer, end + 2);
  const length = end + NDP_AUTH_OPTION_BYTES - ICMPV6_AT;
  signed[IPV6_AT + Ipv6At.PayloadLength] = length >>> 8;
  signed[IPV6_AT + Ipv6At.PayloadLength + 1] = length & 0xff;
  const checksum = icmpv6Checksum(signed, length);
  signed[ICMPV6_AT + Icmpv6At.Checksum] = checksum >>> 8;
  signed[ICMPV6_AT + Icmpv6At.Checksum + 1] = checksum & 0xff;
  return signed;
}

/** Where the auth option of an NDP frame starts, if its ICMPv6 message ends with one. */
function authOptionAt(frame: Uint8Array): number | undefined {
  const end = ICMPV6_AT + payloadLength(frame);
  const at = end - NDP_AUTH_OPTION_BYTES;
  if (frame.length < end || at < ICMPV6_AT + 24) return undefined;
  return frame[at] === NDP_AUTH_OPTION && frame[at + 1] === NDP_AUTH_OPTION_BYTES / 8 ? at : undefined;
}

/** Verifies an NDP frame as captured: the trailer in the auth option that ends its message. The sender is its Ethernet source MAC. */
export function verifyNdpFrame(verifier: Verifier, frame: Uint8Array): Verdict {
  const at = authOptionAt(frame);
  if (at === undefined) return { ok: false, why: "no trailer" };
  return verifier.verify(Purpose.Ndp, ndpCovered(frame, at), frame.subarray(at + 2, at + 2 + TRAILER_BYTES), frameSource(frame));
}

/** Whether an NDP frame ends with our auth option (it claims to be signed). */
export function ndpFrameHasTrailer(frame: Uint8Array): boolean {
  return authOptionAt(frame) !== undefined;
}

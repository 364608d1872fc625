// The shape every protocol codec of takeover/packets follows (codecs v2). Written down once so that
// Ethernet, ARP, IPv4, ICMP and the newer IPv6, ICMPv6/NDP, UDP, TCP and VRRP codecs look alike:
//
// - A header is described once, with buffer-layout, and every offset the code uses comes from that
//   description (or from literals checked against it when the module loads).
// - `XxxPacket` is a view over (bytes, offset, end): no copy, reusable with `reset()`. `check()`
//   returns undefined when every getter is safe, or the exact DecodeError (lengthError with its
//   LengthSource, or contentError with the field and its value). After a clean check() the getters
//   cannot fail and allocate nothing; addresses come out as numbers or byte offsets, text only when
//   asked.
// - A record is a plain object built from a checked view (`parseXxx(view)`), written back with
//   `emitXxx(record, into, offset, options)`, whose size is `xxxBufferLength(record)`. Records are
//   never built by a second walk of the bytes.
// - Encoding options say what they do: fix the length fields, compute the checksums. Both default on;
//   turning them off writes the record's own values, to craft malformed packets for tests.
import type { DecodeError } from "./errors";

const EMPTY = new Uint8Array(0);

/**
 * What every view holds and how it is aimed, written once: the bytes, where its header starts and
 * where it may end. A protocol's view extends it with its check() and getters (and says in check()
 * what an `end` past bytes.length means for it).
 */
export abstract class ByteRange {
  /** the bytes viewed (not copied) */
  bytes: Uint8Array;
  /** absolute offset of this header in `bytes` */
  offset: number;
  /** absolute offset one past the last byte this header and its payload may use */
  end: number;

  /** A view of bytes[offset, end); call check() before the getters. */
  constructor(bytes: Uint8Array = EMPTY, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
  }

  /** Aims the view at bytes[offset, end); allocates nothing. */
  reset(bytes: Uint8Array, offset = 0, end = bytes.length): this {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
    return this;
  }
}

/** What every protocol view offers. */
export interface PacketView {
  /** the bytes viewed (not copied) */
  readonly bytes: Uint8Array;
  /** absolute offset of this header in `bytes` */
  readonly offset: number;
  /** absolute offset one past the last byte this header and its payload may use */
  readonly end: number;
  /** aims the view at other bytes; allocates nothing */
  reset(bytes: Uint8Array, offset?: number, end?: number): this;
  /** undefined when the getters are safe to call, else the first problem found, exactly */
  check(): DecodeError | undefined;
  /** absolute offset where this header's payload starts (valid after a clean check) */
  readonly payloadOffset: number;
}

/** What encoders take. */
export interface EmitOptions {
  /** write the length fields from what is actually emitted (default true); false writes the record's */
  readonly fixLengths?: boolean;
  /** compute the checksums (default true); false writes the record's checksum fields as they are */
  readonly computeChecksums?: boolean;
}

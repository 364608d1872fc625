// The one error type every decoder throws on bad input. It says which layer and field, where in the
// frame (absolute byte offset), how many bytes were needed and how many there were, so a sniffer can
// print what was wrong with a malformed frame and the capture can go on.

export type Layer =
  | "ethernet"
  | "arp"
  | "ipv4"
  | "ipv6"
  | "icmp"
  | "icmpv6"
  | "udp"
  | "tcp"
  | "vrrp"
  | "pcap"
  | "pcapng"
  | "link";

/**
 * Where the limit a length error ran into came from: "captured", the bytes the input holds (a short
 * buffer, a frame cut by the snap length); "header", a length field of this or an enclosing header
 * (IPv4 totalLength or IHL, IPv6 payloadLength, UDP length, TCP data offset) that says less than the
 * field needs.
 */
export type LengthSource = "captured" | "header";

export class DecodeError extends Error {
  override readonly name = "DecodeError";
  /**
   * @param layer     the protocol layer being decoded
   * @param field     the field that did not fit or did not make sense
   * @param offset    absolute byte offset of that field in the input
   * @param needed    for a length error, the absolute offset the input must reach for the field; for a
   *                  content error (one with a reason), the field's value, as contentError() writes it
   * @param available for a length error, the absolute offset where the input (or the header limiting
   *                  it, see lengthSource) ends; for a content error, the field's value again
   * @param reason    for a malformed (not truncated) field, what is wrong with it
   */
  constructor(
    readonly layer: Layer,
    readonly field: string,
    readonly offset: number,
    readonly needed: number,
    readonly available: number,
    readonly reason?: string,
  ) {
    super(
      reason === undefined
        ? `${layer}: truncated at byte ${offset} (${field}): need ${needed} bytes, got ${available}`
        : `${layer}: bad ${field} at byte ${offset}: ${reason}`,
    );
  }

  /** For a length error, where the limit came from; "captured" unless a codec said otherwise. */
  readonly lengthSource: LengthSource = "captured";

  /** True when the input simply ended too early (as opposed to holding a malformed field). */
  get truncated(): boolean {
    return this.reason === undefined;
  }
}

/**
 * A length error: `field` of `layer`, at absolute byte `offset`, needs the input to reach byte
 * `needed` but the limit is byte `available`, and that limit came from `source`.
 * New codecs throw or return this; its signature is the contract between them.
 */
export function lengthError(layer: Layer, field: string, offset: number, needed: number, available: number, source: LengthSource): DecodeError {
  const error = new DecodeError(layer, field, offset, needed, available);
  (error as { lengthSource: LengthSource }).lengthSource = source;
  return error;
}

/**
 * A content error: `field` of `layer`, at absolute byte `offset`, holds `value`, which is wrong for
 * `reason` (e.g. "version 6 in an IPv4 header", "hop limit option past the header").
 */
export function contentError(layer: Layer, field: string, offset: number, value: number, reason: string): DecodeError {
  return new DecodeError(layer, field, offset, value, value, reason);
}

// The one error type every decoder throws on bad input. It says which layer and field, where in the
// frame (absolute byte offset), how many bytes were needed and how many there were, so a sniffer can
// print what was wrong with a malformed frame and the capture can go on.

export type Layer = "ethernet" | "arp" | "ipv4" | "icmp" | "pcap" | "pcapng" | "link";

export class DecodeError extends Error {
  override readonly name = "DecodeError";
  /**
   * @param layer     the protocol layer being decoded
   * @param field     the field that did not fit or did not make sense
   * @param offset    absolute byte offset of that field in the input
   * @param needed    bytes the input must have for the field (or the value the field must reach)
   * @param available bytes the input has (or the value found)
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

  /** True when the input simply ended too early (as opposed to holding a malformed field). */
  get truncated(): boolean {
    return this.reason === undefined;
  }
}

// Ethernet frames re-wrapped in the other link headers sniff reads, for tests that compare the
// lines of both: Linux cooked v1 (SLL) and v2 (SLL2) keep the EtherType (an 802.1Q tag stays in the
// payload, as the kernel's cooked capture gives it); raw IP and BSD/OpenBSD loopback carry IPv4 only
// (a tagged frame's inner packet).

export const SLL = 113;
export const SLL2 = 276;
export const RAW = 101;
export const NULL = 0;
export const LOOP = 108;

export interface WrapOptions {
  /** 0 In, 1 B, 2 M, 3 P, 4 Out (SLL, SLL2) */
  readonly packetType?: number;
  /** SLL2's interface index */
  readonly interfaceIndex?: number;
  /** NULL/LOOP family; NULL is written little-endian unless `bigEndianNull` */
  readonly family?: number;
  readonly bigEndianNull?: boolean;
}

/** The frame's bytes after its 14-byte Ethernet header, and its EtherType. */
function network(frame: Uint8Array): { type: number; payload: Uint8Array } {
  return { type: (frame[12] << 8) | frame[13], payload: frame.subarray(14) };
}

/**
 * `frame` (Ethernet) as a frame of `linkType`; undefined when that link type cannot carry it (ARP
 * or a tagged frame over raw IP or loopback).
 */
export function wrapFrame(linkType: number, frame: Uint8Array, options: WrapOptions = {}): Uint8Array | undefined {
  const { type, payload } = network(frame);
  const source = frame.subarray(6, 12);
  const packetType = options.packetType ?? 0;
  switch (linkType) {
    case SLL: {
      const out = new Uint8Array(16 + payload.length);
      out.set([packetType >> 8, packetType & 0xff, 0, 1, 0, 6]);
      out.set(source, 6);
      out.set([type >> 8, type & 0xff], 14);
      out.set(payload, 16);
      return out;
    }
    case SLL2: {
      const index = options.interfaceIndex ?? 1;
      const out = new Uint8Array(20 + payload.length);
      out.set([type >> 8, type & 0xff, 0, 0, index >>> 24, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff, 0, 1, packetType, 6]);
      out.set(source, 12);
      out.set(payload, 20);
      return out;
    }
    case RAW:
    case NULL:
    case LOOP: {
      // these carry no tag: a tagged frame's inner packet goes
      const inner = type === 0x8100 ? { type: (frame[16] << 8) | frame[17], payload: frame.subarray(18) } : { type, payload };
      if (inner.type !== 0x0800 && options.family === undefined) return undefined;
      if (linkType === RAW) return Uint8Array.from(inner.payload);
      const family = options.family ?? 2;
      const out = new Uint8Array(4 + inner.payload.length);
      const view = new DataView(out.buffer);
      view.setUint32(0, family, linkType === NULL && options.bigEndianNull !== true);
      out.set(inner.payload, 4);
      return out;
    }
    default:
      throw new Error(`wrapFrame: link type ${linkType}`);
  }
}

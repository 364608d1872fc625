// A pcapng writer for the tests of the reader: sections in either byte order, interfaces with
// if_tsresol/if_tsoffset, the three packet blocks, and blocks the reader must step over. Written from
// the pcapng specification (draft-ietf-opsawg-pcapng), apart from the reader, so that it can check it.
// Also the records a reader must give for such a file, worked out from what was written.

export interface NgInterface {
  readonly linkType: number;
  readonly snapLength: number;
  /** the if_tsresol byte; no option when undefined (microseconds) */
  readonly tsresol?: number;
  /** if_tsoffset in seconds; no option when undefined */
  readonly tsoffset?: number;
  /** an if_name option before the others, for the reader to skip */
  readonly name?: string;
}

export type NgBlock =
  | { readonly kind: "interface"; readonly iface: NgInterface }
  | { readonly kind: "enhanced" | "packet"; readonly interfaceId: number; readonly seconds: number; readonly fraction: bigint; readonly data: Uint8Array; readonly originalLength: number; readonly flagsOption?: boolean }
  | { readonly kind: "simple"; readonly data: Uint8Array; readonly originalLength: number }
  | { readonly kind: "other"; readonly type: number; readonly body: Uint8Array };

export interface NgSection {
  readonly littleEndian: boolean;
  readonly blocks: readonly NgBlock[];
}

export interface ExpectedRecord {
  readonly seconds: number;
  readonly nanoseconds: number;
  readonly originalLength: number;
  readonly data: string;
  readonly linkType: number;
  readonly interfaceId: number;
  readonly section: number;
}

/** Units a second has for an if_tsresol byte. */
export function unitsPerSecond(tsresol: number | undefined): bigint {
  if (tsresol === undefined) return 1_000_000n;
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

class Out {
  private parts: number[] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): void {
    this.parts.push(v & 0xff);
  }
  u16(v: number): void {
    if (this.le) this.parts.push(v & 0xff, (v >>> 8) & 0xff);
    else this.parts.push((v >>> 8) & 0xff, v & 0xff);
  }
  u32(v: number): void {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.parts.push(...(this.le ? b.reverse() : b));
  }
  u64(v: bigint): void {
    const value = BigInt.asUintN(64, v);
    const high = Number(value >> 32n);
    const low = Number(value & 0xffffffffn);
    if (this.le) {
      this.u32(low);
      this.u32(high);
    } else {
      this.u32(high);
      this.u32(low);
    }
  }
  /** A packet timestamp: the high 32 bits first, each half in the section's byte order. */
  stamp(v: bigint): void {
    this.u32(Number(v >> 32n));
    this.u32(Number(v & 0xffffffffn));
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
    while (this.parts.length % 4 !== 0) this.parts.push(0);
  }
  option(code: number, value: Uint8Array): void {
    this.u16(code);
    this.u16(value.length);
    this.bytes(value);
  }
  get length(): number {
    return this.parts.length;
  }
  take(): number[] {
    return this.parts;
  }
}

function block(le: boolean, type: number, body: (out: Out) => void): number[] {
  const inner = new Out(le);
  body(inner);
  const length = 12 + inner.length;
  const out = new Out(le);
  out.u32(type);
  out.u32(length);
  const parts = out.take();
  parts.push(...inner.take());
  const trailer = new Out(le);
  trailer.u32(length);
  parts.push(...trailer.take());
  return parts;
}

function int64Bytes(le: boolean, value: number): Uint8Array {
  const out = new Out(le);
  out.u64(BigInt(value));
  return Uint8Array.from(out.take());
}

/** The bytes of a file of these sections. */
export function writePcapng(sections: readonly NgSection[]): Uint8Array {
  const all: number[] = [];
  for (const section of sections) {
    const le = section.littleEndian;
    all.push(
      ...block(le, 0x0a0d0d0a, (out) => {
        out.u32(0x1a2b3c4d);
        out.u16(1);
        out.u16(0);
        out.u64(-1n);
      }),
    );
    const resolutions: (number | undefined)[] = [];
    for (const b of section.blocks) {
      switch (b.kind) {
        case "interface":
          resolutions.push(b.iface.tsresol);
          all.push(
            ...block(le, 1, (out) => {
              out.u16(b.iface.linkType);
              out.u16(0);
              out.u32(b.iface.snapLength);
              const hasOptions = b.iface.name !== undefined || b.iface.tsresol !== undefined || b.iface.tsoffset !== undefined;
              if (b.iface.name !== undefined) out.option(2, Uint8Array.from(Buffer.from(b.iface.name)));
              if (b.iface.tsresol !== undefined) out.option(9, Uint8Array.of(b.iface.tsresol));
              if (b.iface.tsoffset !== undefined) out.option(14, int64Bytes(le, b.iface.tsoffset));
              if (hasOptions) out.option(0, new Uint8Array(0));
            }),
          );
          break;
        case "enhanced":
        case "packet": {
          const units = unitsPerSecond(resolutions[b.interfaceId]);
          const stamp = BigInt(b.seconds) * units + b.fraction;
          all.push(
            ...block(le, b.kind === "enhanced" ? 6 : 2, (out) => {
              if (b.kind === "enhanced") out.u32(b.interfaceId);
              else {
                out.u16(b.interfaceId);
                out.u16(0); // drops count
              }
              out.stamp(stamp);
              out.u32(b.data.length);
              out.u32(b.originalLength);
              out.bytes(b.data);
              if (b.flagsOption === true) {
                out.option(2, Uint8Array.of(1, 0, 0, 0));
                out.option(0, new Uint8Array(0));
              }
            }),
          );
          break;
        }
        case "simple":
          all.push(
            ...block(le, 3, (out) => {
              out.u32(b.originalLength);
              out.bytes(b.data);
            }),
          );
          break;
        case "other":
          all.push(...block(le, b.type, (out) => out.bytes(b.body)));
          break;
      }
    }
  }
  return Uint8Array.from(all);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The records a reader must give for `sections`, in order. */
export function expectedRecords(sections: readonly NgSection[]): ExpectedRecord[] {
  const records: ExpectedRecord[] = [];
  sections.forEach((section, index) => {
    const interfaces: NgInterface[] = [];
    for (const b of section.blocks) {
      if (b.kind === "interface") interfaces.push(b.iface);
      else if (b.kind === "enhanced" || b.kind === "packet") {
        const iface = interfaces[b.interfaceId];
        const units = unitsPerSecond(iface.tsresol);
        records.push({
          seconds: b.seconds + (iface.tsoffset ?? 0),
          nanoseconds: Number((b.fraction * 1_000_000_000n) / units),
          originalLength: b.originalLength,
          data: hex(b.data),
          linkType: iface.linkType,
          interfaceId: b.interfaceId,
          section: index,
        });
      } else if (b.kind === "simple") {
        const iface = interfaces[0];
        // the block holds the data padded to 4 bytes, and nothing tells the padding from the data
        const stored = new Uint8Array((b.data.length + 3) & ~3);
        stored.set(b.data);
        let captured = Math.min(b.originalLength, stored.length);
        if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
        records.push({ seconds: 0, nanoseconds: 0, originalLength: b.originalLength, data: hex(stored.subarray(0, captured)), linkType: iface.linkType, interfaceId: 0, section: index });
      }
    }
  });
  return records;
}

/** Where each block of the file starts and ends, and its type, in file order. */
export function blockSpans(file: Uint8Array, sections: readonly NgSection[]): { start: number; end: number; type: number }[] {
  const spans: { start: number; end: number; type: number }[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = 0;
  let s = -1;
  let left = 0;
  while (at < file.length) {
    if (left === 0) {
      s++;
      left = sections[s].blocks.length + 1;
    }
    const le = sections[s].littleEndian;
    const type = view.getUint32(at, le);
    const length = view.getUint32(at + 4, le);
    spans.push({ start: at, end: at + length, type });
    at += length;
    left--;
  }
  return spans;
}

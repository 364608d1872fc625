// pcapng capture files (what Wireshark, tshark and dumpcap write): reading a file that arrives in
// chunks of any size as timestamped records, each with its interface's link type. Pure: bytes in,
// records out; opening files is the caller's job. Reads Section Header blocks (either byte order,
// several sections a file), Interface Description blocks (link type, snap length, if_tsresol,
// if_tsoffset), Enhanced Packet, Simple Packet and the obsolete Packet blocks; every other block
// (Name Resolution, Interface Statistics, Decryption Secrets, custom, unknown) is stepped over by
// its length.
//
//   every block:  | type u32 | total length u32 | body ... (padded to 4) | total length u32 |
//   EPB body:     | interface id | timestamp high | timestamp low | captured len | original len | data | options
import { blob, struct, u16be, u32be } from "buffer-layout";
import { DecodeError } from "./errors";
import { fieldTable, spanOf } from "./layout";
import type { PcapRecord } from "./pcap";

/** Block type of a Section Header Block; the same bytes in either byte order. */
export const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
/** Block type of an Interface Description Block (link type, snap length, timestamp options). */
export const PCAPNG_INTERFACE_DESCRIPTION = 0x00000001;
/** Block type of the obsolete Packet Block, which older writers still emit. */
export const PCAPNG_PACKET = 0x00000002;
/** Block type of a Simple Packet Block (no timestamp, interface 0). */
export const PCAPNG_SIMPLE_PACKET = 0x00000003;
/** Block type of a Name Resolution Block. */
export const PCAPNG_NAME_RESOLUTION = 0x00000004;
/** Block type of an Interface Statistics Block. */
export const PCAPNG_INTERFACE_STATISTICS = 0x00000005;
/** Block type of an Enhanced Packet Block, what tcpdump, tshark and dumpcap write per packet. */
export const PCAPNG_ENHANCED_PACKET = 0x00000006;
/** Block type of a Decryption Secrets Block. */
export const PCAPNG_DECRYPTION_SECRETS = 0x0000000a;
/** The byte-order magic of a Section Header Block, as it reads in the section's own byte order. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Option code that ends a block's option list (opt_endofopt). */
export const PCAPNG_OPTION_END = 0;
/** Interface Description Block option: the timestamp unit of the interface's packets (if_tsresol). */
export const PCAPNG_IF_TSRESOL = 9;
/** Interface Description Block option: seconds added to the interface's timestamps (if_tsoffset). */
export const PCAPNG_IF_TSOFFSET = 14;
/**
 * The longest block the reader believes (libpcap's first limit, 16 MiB). A longer one means a corrupt
 * file: believing it would make a streaming reader wait for (and buffer) gigabytes.
 */
export const PCAPNG_MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

const BLOCK_NAMES: ReadonlyMap<number, string> = new Map([
  [PCAPNG_SECTION_HEADER, "Section Header Block"],
  [PCAPNG_INTERFACE_DESCRIPTION, "Interface Description Block"],
  [PCAPNG_PACKET, "Packet Block"],
  [PCAPNG_SIMPLE_PACKET, "Simple Packet Block"],
  [PCAPNG_NAME_RESOLUTION, "Name Resolution Block"],
  [PCAPNG_INTERFACE_STATISTICS, "Interface Statistics Block"],
  [PCAPNG_ENHANCED_PACKET, "Enhanced Packet Block"],
  [PCAPNG_DECRYPTION_SECRETS, "Decryption Secrets Block"],
  [0x00000bad, "Custom Block"],
  [0x40000bad, "Custom Block"],
]);

/** "Enhanced Packet Block", or "block of type 0x…" for a type without a name. */
export function pcapngBlockName(type: number): string {
  return BLOCK_NAMES.get(type) ?? `block of type 0x${type.toString(16).padStart(8, "0")}`;
}

// Field layouts (byte order is the section's own: the "be" means nothing, values are read with DataView).
const blockHeaderLayout = struct([u32be("blockType"), u32be("blockLength")]);
const sectionHeaderLayout = struct([
  u32be("blockType"),
  u32be("blockLength"),
  u32be("byteOrderMagic"),
  u16be("versionMajor"),
  u16be("versionMinor"),
  blob(8, "sectionLength"),
]);
const interfaceDescriptionLayout = struct([u32be("blockType"), u32be("blockLength"), u16be("linkType"), u16be("reserved"), u32be("snapLength")]);
const enhancedPacketLayout = struct([
  u32be("blockType"),
  u32be("blockLength"),
  u32be("interfaceId"),
  u32be("timestampHigh"),
  u32be("timestampLow"),
  u32be("capturedLength"),
  u32be("originalLength"),
]);
const packetLayout = struct([
  u32be("blockType"),
  u32be("blockLength"),
  u16be("interfaceId"),
  u16be("dropsCount"),
  u32be("timestampHigh"),
  u32be("timestampLow"),
  u32be("capturedLength"),
  u32be("originalLength"),
]);
const simplePacketLayout = struct([u32be("blockType"), u32be("blockLength"), u32be("originalLength")]);
const optionLayout = struct([u16be("code"), u16be("length")]);

const BLOCK = fieldTable(blockHeaderLayout);
const SHB = fieldTable(sectionHeaderLayout);
const IDB = fieldTable(interfaceDescriptionLayout);
const EPB = fieldTable(enhancedPacketLayout);
const PB = fieldTable(packetLayout);
const SPB = fieldTable(simplePacketLayout);
const OPTION = fieldTable(optionLayout);

/** Bytes of a block's header (type and length) and of its trailing length. */
const BLOCK_HEADER_LENGTH = spanOf(blockHeaderLayout);
const BLOCK_TRAILER_LENGTH = 4;
const MIN_BLOCK_LENGTH = BLOCK_HEADER_LENGTH + BLOCK_TRAILER_LENGTH;

/** Timestamp unit of an interface: 10^-exponent or 2^-exponent seconds (if_tsresol). */
export interface PcapngTimestampUnit {
  /** 10 (decimal unit) or 2 (binary unit): if_tsresol's high bit. */
  readonly base: 10 | 2;
  /** The unit is base^-exponent seconds: if_tsresol's low seven bits. */
  readonly exponent: number;
}

/** One Interface Description Block. */
export interface PcapngInterface {
  /** LINKTYPE_* of its packets. */
  readonly linkType: number;
  /** Longest packet it kept (0: no limit). */
  readonly snapLength: number;
  /** Unit of its packets' timestamps: microseconds (10^-6) unless if_tsresol says otherwise. */
  readonly timestampUnit: PcapngTimestampUnit;
  /** Seconds added to each of its packets' timestamps (if_tsoffset), 0 when absent. */
  readonly timestampOffset: number;
}

/** One captured packet of a pcapng file. */
export interface PcapngRecord extends PcapRecord {
  /** The link type of the interface it was captured on. */
  readonly linkType: number;
  /** Index of that interface in its section. */
  readonly interfaceId: number;
  /** Index of its section in the file, from 0. */
  readonly section: number;
}

/** Limits a pcapng reader applies to what it reads. */
export interface PcapngReadOptions {
  /** Blocks longer than this are rejected as corrupt; PCAPNG_MAX_BLOCK_LENGTH when left out. */
  readonly maxBlockLength?: number;
}

const MICROSECONDS: PcapngTimestampUnit = { base: 10, exponent: 6 };
const NO_BYTES = new Uint8Array(0);
/** Size of the reader's storage blocks; a block is bigger when one chunk or one pcapng block needs it. */
const STORAGE_SIZE = 1 << 20;
const FIRST_STORAGE_SIZE = 1 << 16;

function hexBytes(bytes: Uint8Array, start: number, end: number): string {
  return Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function pad4(length: number): number {
  return (length + 3) & ~3;
}

/**
 * Seconds and nanoseconds of a 64-bit timestamp counted in `unit`s, plus `offset` seconds. Plain
 * numbers for microsecond stamps of today's dates (exact below 2^53), BigInt otherwise.
 */
function splitTimestamp(high: number, low: number, unit: PcapngTimestampUnit, offset: number): [number, number] {
  if (unit.base === 10 && unit.exponent <= 6 && high < 0x200000) {
    const perSecond = 10 ** unit.exponent;
    const value = high * 0x1_0000_0000 + low;
    let seconds = Math.floor(value / perSecond);
    let rest = value - seconds * perSecond;
    if (rest < 0) {
      seconds--;
      rest += perSecond;
    } else if (rest >= perSecond) {
      seconds++;
      rest -= perSecond;
    }
    return [seconds + offset, rest * 10 ** (9 - unit.exponent)];
  }
  const value = (BigInt(high) << 32n) | BigInt(low);
  const perSecond = unit.base === 10 ? 10n ** BigInt(unit.exponent) : 1n << BigInt(unit.exponent);
  const seconds = value / perSecond;
  const nanoseconds = ((value % perSecond) * 1_000_000_000n) / perSecond;
  return [Number(seconds) + offset, Number(nanoseconds)];
}

interface Section {
  readonly littleEndian: boolean;
  readonly index: number;
  readonly interfaces: PcapngInterface[];
}

/**
 * Reads a pcapng file that arrives in chunks of any size: `push` each chunk as it comes, call `next`
 * until it returns undefined, and call `end` once the input is over.
 *
 * Storage is PcapReader's: `push` copies each chunk once into blocks the reader owns; records' data
 * are views into them that stay valid for as long as they are kept.
 *
 * Errors end the reading — `next` and `end` throw the same DecodeError from then on. Each names the
 * block (its type's name) and its byte offset in the file: a file that does not start with a Section
 * Header Block, a byte-order magic or version the reader does not know, a block length that is not a
 * multiple of 4, under 12, over the maximum or unlike its trailing copy, a packet of an interface the
 * section has not described, a packet longer than its block, an option that runs past its block, a
 * timestamp resolution beyond 10^-19 or 2^-63 s; and, at `end`, a file that stops inside a block.
 */
export class PcapngReader {
  private readonly maxBlockLength: number;
  private storage: Uint8Array = NO_BYTES;
  private view: DataView = new DataView(NO_BYTES.buffer);
  private readAt = 0;
  private writeAt = 0;
  private storageFileOffset = 0;
  private section: Section | undefined;
  private sections = 0;
  private failure: DecodeError | undefined;
  private ended = false;

  constructor(options: PcapngReadOptions = {}) {
    this.maxBlockLength = options.maxBlockLength ?? PCAPNG_MAX_BLOCK_LENGTH;
  }

  /** The interfaces of the current section, in the order described so far. */
  get interfaces(): readonly PcapngInterface[] {
    return this.section?.interfaces ?? [];
  }

  /** Byte order of the current section; undefined before the first Section Header Block. */
  get littleEndian(): boolean | undefined {
    return this.section?.littleEndian;
  }

  /** Adds the next bytes of the file. Copies them: `chunk` may be reused as soon as this returns. */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error("PcapngReader: push() after end()");
    if (chunk.length === 0 || this.failure !== undefined) return;
    if (chunk.length > this.storage.length - this.writeAt) this.newStorage(chunk.length);
    this.storage.set(chunk, this.writeAt);
    this.writeAt += chunk.length;
  }

  /**
   * The next packet, or undefined when more bytes are needed. Section Header, Interface Description
   * and other blocks before it are read on the way. Its data is a view into the reader's storage.
   * @throws DecodeError for a broken file (see the class comment)
   */
  next(): PcapngRecord | undefined {
    if (this.failure !== undefined) throw this.failure;
    try {
      for (;;) {
        const start = this.readAt;
        const end = this.blockEnd(start);
        if (end < 0) return undefined;
        this.readAt = end;
        const record = this.readBlock(start, end);
        if (record !== undefined) return record;
      }
    } catch (error) {
      if (error instanceof DecodeError) this.failure = error;
      throw error;
    }
  }

  /**
   * Says the input is over. Packets already pushed can still be read with `next`.
   * @throws DecodeError for an empty file, one that ends inside a block (naming it), or an earlier error
   */
  end(): void {
    if (this.failure !== undefined) throw this.failure;
    this.ended = true;
    const fileLength = this.storageFileOffset + this.writeAt;
    if (fileLength === 0) {
      throw new DecodeError("pcapng", "Section Header Block", 0, SHB.byteOrderMagic.offset + 4, 0);
    }
    let start = this.readAt;
    try {
      for (let end = this.blockEnd(start); end >= 0; end = this.blockEnd(start)) {
        this.readBlock(start, end); // packets left unread are dropped: end() is called after next() ran dry
        this.readAt = start = end;
      }
    } catch (error) {
      if (error instanceof DecodeError) this.failure = error;
      throw error;
    }
    if (start < this.writeAt) {
      const fileStart = this.storageFileOffset + start;
      const pending = this.writeAt - start;
      let name = "block header";
      let needed = fileStart + BLOCK_HEADER_LENGTH;
      if (pending >= 4) {
        const type = this.view.getUint32(start, this.section?.littleEndian ?? true);
        name = pcapngBlockName(type);
        if (pending >= BLOCK_HEADER_LENGTH && (type !== PCAPNG_SECTION_HEADER || pending >= SHB.byteOrderMagic.offset + 4)) {
          const le = type === PCAPNG_SECTION_HEADER ? this.sectionOrder(start) : this.section!.littleEndian;
          needed = fileStart + this.view.getUint32(start + BLOCK.blockLength.offset, le);
        } else if (type === PCAPNG_SECTION_HEADER) {
          needed = fileStart + SHB.byteOrderMagic.offset + 4;
        }
      }
      const error = new DecodeError("pcapng", name, fileStart, needed, fileLength);
      this.failure = error;
      throw error;
    }
  }

  private fail(type: number, start: number, field: string, fieldOffset: number, needed: number, found: number, reason: string): DecodeError {
    const at = this.storageFileOffset + start;
    return new DecodeError("pcapng", field, this.storageFileOffset + fieldOffset, needed, found, `the ${pcapngBlockName(type)} at byte ${at}: ${reason}`);
  }

  /** Byte order told by the Section Header Block at `start` (its first 12 bytes are there). */
  private sectionOrder(start: number): boolean {
    const magic = this.view.getUint32(start + SHB.byteOrderMagic.offset, true);
    if (magic === PCAPNG_BYTE_ORDER_MAGIC) return true;
    if (magic === 0x4d3c2b1a) return false;
    throw this.fail(
      PCAPNG_SECTION_HEADER,
      start,
      "byteOrderMagic",
      start + SHB.byteOrderMagic.offset,
      PCAPNG_BYTE_ORDER_MAGIC,
      this.view.getUint32(start + SHB.byteOrderMagic.offset, false),
      `byte-order magic ${hexBytes(this.storage, start + 8, start + 12)} is neither 1a 2b 3c 4d nor 4d 3c 2b 1a; the file is corrupt`,
    );
  }

  /** Where the block at `start` ends, or -1 when it is not all there yet. Checks its length. */
  private blockEnd(start: number): number {
    const pending = this.writeAt - start;
    if (pending < 4) return -1;
    const view = this.view;
    let le: boolean;
    const type = view.getUint32(start, this.section?.littleEndian ?? true);
    if (this.section === undefined || type === PCAPNG_SECTION_HEADER) {
      if (type !== PCAPNG_SECTION_HEADER) {
        throw new DecodeError(
          "pcapng",
          "blockType",
          this.storageFileOffset + start,
          PCAPNG_SECTION_HEADER,
          view.getUint32(start, false),
          `the file starts with bytes ${hexBytes(this.storage, start, start + 4)}; a pcapng file starts with a Section Header Block (0a 0d 0d 0a)`,
        );
      }
      if (pending < SHB.byteOrderMagic.offset + 4) return -1;
      le = this.sectionOrder(start);
    } else le = this.section.littleEndian;
    if (pending < BLOCK_HEADER_LENGTH) return -1;
    const length = view.getUint32(start + BLOCK.blockLength.offset, le);
    const lengthAt = start + BLOCK.blockLength.offset;
    const minimum = type === PCAPNG_SECTION_HEADER ? spanOf(sectionHeaderLayout) + BLOCK_TRAILER_LENGTH : MIN_BLOCK_LENGTH;
    if (length < minimum || length % 4 !== 0) {
      throw this.fail(type, start, "blockLength", lengthAt, minimum, length, `its length ${length} is ${length < minimum ? `under the ${minimum} bytes it needs` : "not a multiple of 4"}; the file is corrupt`);
    }
    if (length > this.maxBlockLength) {
      throw this.fail(type, start, "blockLength", lengthAt, this.maxBlockLength, length, `its length ${length} is more than the ${this.maxBlockLength}-byte maximum; the file is corrupt`);
    }
    if (pending < length) return -1;
    const trailer = view.getUint32(start + length - BLOCK_TRAILER_LENGTH, le);
    if (trailer !== length) {
      throw this.fail(type, start, "trailingBlockLength", start + length - BLOCK_TRAILER_LENGTH, length, trailer, `its trailing length ${trailer} is not its length ${length}; the file is corrupt`);
    }
    return start + length;
  }

  /** Reads the whole block in storage[start, end); returns the packet it holds, if any. */
  private readBlock(start: number, end: number): PcapngRecord | undefined {
    const view = this.view;
    if (this.section === undefined || view.getUint32(start, true) === PCAPNG_SECTION_HEADER) {
      const le = this.sectionOrder(start);
      const major = view.getUint16(start + SHB.versionMajor.offset, le);
      if (major !== 1) {
        throw this.fail(PCAPNG_SECTION_HEADER, start, "versionMajor", start + SHB.versionMajor.offset, 1, major, `version ${major}.${view.getUint16(start + SHB.versionMinor.offset, le)} is not 1.x, the only pcapng version there is`);
      }
      this.section = { littleEndian: le, index: this.sections++, interfaces: [] };
      return undefined;
    }
    const section = this.section;
    const le = section.littleEndian;
    const type = view.getUint32(start, le);
    const bodyEnd = end - BLOCK_TRAILER_LENGTH;
    switch (type) {
      case PCAPNG_INTERFACE_DESCRIPTION:
        section.interfaces.push(this.readInterface(start, bodyEnd, le));
        return undefined;
      case PCAPNG_ENHANCED_PACKET:
        return this.readPacket(type, start, bodyEnd, view.getUint32(start + EPB.interfaceId.offset, le), start + EPB.interfaceId.offset, EPB.timestampHigh.offset, spanOf(enhancedPacketLayout));
      case PCAPNG_PACKET:
        return this.readPacket(type, start, bodyEnd, view.getUint16(start + PB.interfaceId.offset, le), start + PB.interfaceId.offset, PB.timestampHigh.offset, spanOf(packetLayout));
      case PCAPNG_SIMPLE_PACKET:
        return this.readSimplePacket(start, bodyEnd, le);
      default:
        return undefined; // Name Resolution, Interface Statistics, Decryption Secrets, custom, unknown
    }
  }

  private checkFixedPart(type: number, start: number, bodyEnd: number, fixed: number): void {
    if (bodyEnd - start < fixed) {
      throw this.fail(type, start, "blockLength", start + BLOCK.blockLength.offset, fixed + BLOCK_TRAILER_LENGTH, bodyEnd + BLOCK_TRAILER_LENGTH - start, `its length ${bodyEnd + BLOCK_TRAILER_LENGTH - start} is under the ${fixed + BLOCK_TRAILER_LENGTH} bytes its fields need; the file is corrupt`);
    }
  }

  private readInterface(start: number, bodyEnd: number, le: boolean): PcapngInterface {
    const type = PCAPNG_INTERFACE_DESCRIPTION;
    const fixed = spanOf(interfaceDescriptionLayout);
    this.checkFixedPart(type, start, bodyEnd, fixed);
    const view = this.view;
    let timestampUnit = MICROSECONDS;
    let timestampOffset = 0;
    let at = start + fixed;
    while (bodyEnd - at >= OPTION.length.offset + 2) {
      const code = view.getUint16(at + OPTION.code.offset, le);
      const length = view.getUint16(at + OPTION.length.offset, le);
      if (code === PCAPNG_OPTION_END) break;
      const valueAt = at + spanOf(optionLayout);
      if (valueAt + length > bodyEnd) {
        throw this.fail(type, start, "option", at, valueAt + length - start, bodyEnd - start, `option ${code} (${length} bytes at byte ${this.storageFileOffset + valueAt}) runs past the end of the block; the file is corrupt`);
      }
      if (code === PCAPNG_IF_TSRESOL && length >= 1) {
        const value = this.storage[valueAt];
        const unit: PcapngTimestampUnit = value & 0x80 ? { base: 2, exponent: value & 0x7f } : { base: 10, exponent: value };
        if ((unit.base === 10 && unit.exponent > 19) || unit.exponent > 63) {
          throw this.fail(type, start, "if_tsresol", valueAt, 19, value, `if_tsresol 0x${value.toString(16)} (${unit.base}^-${unit.exponent} s) is finer than the 64-bit timestamps can count a second in; the file is corrupt`);
        }
        timestampUnit = unit;
      } else if (code === PCAPNG_IF_TSOFFSET && length >= 8) {
        timestampOffset = Number(view.getBigInt64(valueAt, le));
      }
      at = valueAt + pad4(length);
    }
    return {
      linkType: view.getUint16(start + IDB.linkType.offset, le),
      snapLength: view.getUint32(start + IDB.snapLength.offset, le),
      timestampUnit,
      timestampOffset,
    };
  }

  private interfaceOf(type: number, start: number, id: number, idAt: number): PcapngInterface {
    const interfaces = this.section!.interfaces;
    if (id >= interfaces.length) {
      throw this.fail(type, start, "interfaceId", idAt, interfaces.length, id, `interface ${id} is not among the ${interfaces.length} this section describes before it; the file is corrupt`);
    }
    return interfaces[id];
  }

  private readPacket(type: number, start: number, bodyEnd: number, id: number, idAt: number, timeAt: number, fixed: number): PcapngRecord {
    this.checkFixedPart(type, start, bodyEnd, fixed);
    const le = this.section!.littleEndian;
    const view = this.view;
    const iface = this.interfaceOf(type, start, id, idAt);
    const captured = view.getUint32(start + fixed - 8, le);
    const dataStart = start + fixed;
    if (captured > bodyEnd - dataStart) {
      throw this.fail(type, start, "capturedLength", start + fixed - 8, bodyEnd - dataStart, captured, `its captured length ${captured} is more than the ${bodyEnd - dataStart} bytes the block holds; the file is corrupt`);
    }
    const [seconds, nanoseconds] = splitTimestamp(view.getUint32(start + timeAt, le), view.getUint32(start + timeAt + 4, le), iface.timestampUnit, iface.timestampOffset);
    return {
      seconds,
      nanoseconds,
      capturedLength: captured,
      originalLength: view.getUint32(start + fixed - 4, le),
      data: this.storage.subarray(dataStart, dataStart + captured),
      linkType: iface.linkType,
      interfaceId: id,
      section: this.section!.index,
    };
  }

  private readSimplePacket(start: number, bodyEnd: number, le: boolean): PcapngRecord {
    const type = PCAPNG_SIMPLE_PACKET;
    const fixed = spanOf(simplePacketLayout);
    this.checkFixedPart(type, start, bodyEnd, fixed);
    const iface = this.interfaceOf(type, start, 0, start);
    const original = this.view.getUint32(start + SPB.originalLength.offset, le);
    const dataStart = start + fixed;
    let captured = Math.min(original, bodyEnd - dataStart);
    if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
    return {
      seconds: 0,
      nanoseconds: 0,
      capturedLength: captured,
      originalLength: original,
      data: this.storage.subarray(dataStart, dataStart + captured),
      linkType: iface.linkType,
      interfaceId: 0,
      section: this.section!.index,
    };
  }

  /** As PcapReader's: moves the bytes not yet read to fresh storage; the old one is never written again. */
  private newStorage(incoming: number): void {
    const pending = this.writeAt - this.readAt;
    // the first storage is small (a small file needs no more), later ones STORAGE_SIZE
    const size = this.storage.length === 0 ? FIRST_STORAGE_SIZE : STORAGE_SIZE;
    const storage = new Uint8Array(Math.max(size, pending + incoming + pending));
    storage.set(this.storage.subarray(this.readAt, this.writeAt));
    this.storageFileOffset += this.readAt;
    this.storage = storage;
    this.view = new DataView(storage.buffer);
    this.readAt = 0;
    this.writeAt = pending;
  }
}

/**
 * Every packet of a whole pcapng file, in order.
 * @throws DecodeError as PcapngReader does, after the packets before the fault
 */
export function* readPcapng(bytes: Uint8Array, options: PcapngReadOptions = {}): Generator<PcapngRecord, void, undefined> {
  const reader = new PcapngReader(options);
  reader.push(bytes);
  for (let record = reader.next(); record !== undefined; record = reader.next()) yield record;
  reader.end();
}

/** True when `bytes` (at least 4 of them) start as a pcapng file does. */
export function looksLikePcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
}

// Classic pcap capture files (the libpcap/tcpdump format, not pcapng): reading a file that arrives in
// chunks of any size as timestamped records, and writing records as a file. Pure: bytes in, bytes
// out; opening files, pipes or sockets is the caller's job.
import { struct, u16be, u32be } from "buffer-layout";
import { DecodeError } from "./errors";
import { fieldTable, firstFieldPast, spanOf } from "./layout";

/** Link type of Ethernet frames (LINKTYPE_ETHERNET / DLT_EN10MB), the one we write by default. */
export const LINKTYPE_ETHERNET = 1;
/** Magic number of a file with microsecond timestamps, as it reads in the file's own byte order. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
/** Magic number of a file with nanosecond timestamps, as it reads in the file's own byte order. */
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
/**
 * The largest captured length a record may have (libpcap's MAXIMUM_SNAPLEN, 256 KiB). A bigger one
 * means a corrupt file: believing it would make a streaming reader wait for (and buffer) gigabytes.
 */
export const MAX_CAPTURED_LENGTH = 262144;

/** Unit of a pcap file's sub-second timestamps: microseconds (magic a1b2c3d4) or nanoseconds (a1b23c4d). */
export type PcapResolution = "micro" | "nano";

/** The global header at the start of a file. */
export interface PcapHeader {
  /** Byte order of every number in the file (header and record headers), told by the magic. */
  readonly littleEndian: boolean;
  /** Unit of the records' sub-second timestamp field, told by the magic. */
  readonly resolution: PcapResolution;
  /** Format version, major part (2 in every file libpcap writes). */
  readonly versionMajor: number;
  /** Format version, minor part (4 in every file libpcap writes). */
  readonly versionMinor: number;
  /** Longest frame the capture kept; longer frames were cut to this many bytes. */
  readonly snapLength: number;
  /** LINKTYPE_* of every record's data. Reported as found: whether to accept it is the caller's call. */
  readonly linkType: number;
}

/** One captured frame. */
export interface PcapRecord {
  /** Seconds since the Unix epoch (0 .. 2^32-1). */
  readonly seconds: number;
  /** Sub-second part in nanoseconds, 0 .. 999999999 (for microsecond files: microseconds × 1000). */
  readonly nanoseconds: number;
  /** Bytes kept in the file: `data.length`. */
  readonly capturedLength: number;
  /** Length of the frame on the wire; more than `capturedLength` when the snap length cut it. */
  readonly originalLength: number;
  /** The captured bytes of the frame, from its link-layer header on. */
  readonly data: Uint8Array;
}

/** What the writer needs to know about a record. */
export interface PcapRecordInput {
  /** Seconds since the Unix epoch (0 .. 2^32-1). */
  readonly seconds: number;
  /** Sub-second part in nanoseconds; a microsecond file keeps floor(nanoseconds / 1000). */
  readonly nanoseconds: number;
  /** The frame's captured bytes, written as they are (no longer than the file's snap length). */
  readonly data: Uint8Array;
  /** Length on the wire; `data.length` when left out. */
  readonly originalLength?: number;
}

/** How a pcap file is written: its timestamp unit, snap length and link type. */
export interface PcapWriteOptions {
  /** Timestamp unit of the file; "micro" (what tcpdump writes by default) when left out. */
  readonly resolution?: PcapResolution;
  /** MAX_CAPTURED_LENGTH when left out. */
  readonly snapLength?: number;
  /** LINKTYPE_ETHERNET when left out. */
  readonly linkType?: number;
}

/** Limits a pcap reader applies to what it reads. */
export interface PcapReadOptions {
  /** Records with a longer captured length are rejected as corrupt; MAX_CAPTURED_LENGTH when left out. */
  readonly maxCapturedLength?: number;
}

// The layouts say where each field sits and how wide it is. Byte order is the file's own (the
// magic tells it), so the "be" in u32be/u16be means nothing here: values are read with DataView.
// thiszone is a signed 32-bit number in the format; it is always written 0 and never read.
const fileHeaderLayout = struct([
  u32be("magic"),
  u16be("versionMajor"),
  u16be("versionMinor"),
  u32be("timeZoneOffset"), // "thiszone"
  u32be("timestampAccuracy"), // "sigfigs"
  u32be("snapLength"),
  u32be("linkType"),
]);
const recordHeaderLayout = struct([
  u32be("seconds"),
  u32be("subseconds"), // microseconds or nanoseconds, as the magic says
  u32be("capturedLength"),
  u32be("originalLength"),
]);

const FILE_HEADER = fieldTable(fileHeaderLayout);
const RECORD_HEADER = fieldTable(recordHeaderLayout);

/** Bytes in the global header at the start of a file (24). */
export const PCAP_HEADER_LENGTH = spanOf(fileHeaderLayout);
/** Bytes in the header before each record's data (16). */
export const PCAP_RECORD_HEADER_LENGTH = spanOf(recordHeaderLayout);

// Hot-path copies of the record header offsets.
const SECONDS_AT = RECORD_HEADER.seconds.offset;
const SUBSECONDS_AT = RECORD_HEADER.subseconds.offset;
const CAPTURED_LENGTH_AT = RECORD_HEADER.capturedLength.offset;
const ORIGINAL_LENGTH_AT = RECORD_HEADER.originalLength.offset;

const VERSION_MAJOR = 2;
const VERSION_MINOR = 4;
const SUBSECONDS_PER_SECOND: Readonly<Record<PcapResolution, number>> = { micro: 1_000_000, nano: 1_000_000_000 };
const MAX_UINT32 = 0xffff_ffff;

/** A record's timestamp as whole microseconds since the epoch: seconds·10⁶ + floor(ns / 1000). */
export function timeMicros(record: { readonly seconds: number; readonly nanoseconds: number }): number {
  return record.seconds * 1_000_000 + Math.floor(record.nanoseconds / 1000);
}

// ---------------------------------------------------------------------------------------------
// Reading

function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hexBytes(bytes: Uint8Array, start: number, end: number): string {
  return Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Byte order and resolution told by a magic, or undefined when it is no classic pcap magic. */
function readMagic(view: DataView): Pick<PcapHeader, "littleEndian" | "resolution"> | undefined {
  const offset = FILE_HEADER.magic.offset;
  const little = view.getUint32(offset, true);
  if (little === PCAP_MAGIC_MICROSECONDS) return { littleEndian: true, resolution: "micro" };
  if (little === PCAP_MAGIC_NANOSECONDS) return { littleEndian: true, resolution: "nano" };
  const big = view.getUint32(offset, false);
  if (big === PCAP_MAGIC_MICROSECONDS) return { littleEndian: false, resolution: "micro" };
  if (big === PCAP_MAGIC_NANOSECONDS) return { littleEndian: false, resolution: "nano" };
  return undefined;
}

function badMagic(bytes: Uint8Array, view: DataView): DecodeError {
  const field = FILE_HEADER.magic;
  const found = view.getUint32(field.offset, false);
  const pcapng = found === 0x0a0d0d0a ? " (a pcapng file, which this reader does not read)" : "";
  return new DecodeError(
    "pcap",
    field.name,
    field.offset,
    PCAP_MAGIC_MICROSECONDS,
    found,
    `the file starts with bytes ${hexBytes(bytes, field.offset, field.offset + field.span)}${pcapng}; ` +
      `expected the magic 0x${PCAP_MAGIC_MICROSECONDS.toString(16)} (microsecond timestamps) or ` +
      `0x${PCAP_MAGIC_NANOSECONDS.toString(16)} (nanosecond timestamps), in either byte order`,
  );
}

function headerTruncated(length: number): DecodeError {
  const field = firstFieldPast(FILE_HEADER, 0, length) ?? FILE_HEADER.magic;
  return new DecodeError("pcap", field.name, field.offset, PCAP_HEADER_LENGTH, length);
}

/**
 * Reads the global header at the start of `bytes` (which may hold more of the file after it).
 * @throws DecodeError with field "magic" when the file starts with no pcap magic (checked as soon as
 *   4 bytes are there), or truncated at the first header field that `bytes` does not hold.
 */
export function decodePcapHeader(bytes: Uint8Array): PcapHeader {
  const magic = FILE_HEADER.magic;
  if (bytes.length < magic.offset + magic.span) throw headerTruncated(bytes.length);
  const view = dataViewOf(bytes);
  const order = readMagic(view);
  if (order === undefined) throw badMagic(bytes, view);
  if (bytes.length < PCAP_HEADER_LENGTH) throw headerTruncated(bytes.length);
  const le = order.littleEndian;
  return {
    littleEndian: le,
    resolution: order.resolution,
    versionMajor: view.getUint16(FILE_HEADER.versionMajor.offset, le),
    versionMinor: view.getUint16(FILE_HEADER.versionMinor.offset, le),
    snapLength: view.getUint32(FILE_HEADER.snapLength.offset, le),
    linkType: view.getUint32(FILE_HEADER.linkType.offset, le),
  };
}

/**
 * Where the record starting at `start` ends, or -1 when bytes[start, limit) does not hold all of it
 * yet. `fileBase` is the file offset of index 0 of `view`, for the error.
 * @throws DecodeError when the record's captured length is beyond `maxCapturedLength` or its original length
 */
function recordEnd(
  view: DataView,
  start: number,
  limit: number,
  littleEndian: boolean,
  maxCapturedLength: number,
  fileBase: number,
): number {
  if (limit - start < PCAP_RECORD_HEADER_LENGTH) return -1;
  const captured = view.getUint32(start + CAPTURED_LENGTH_AT, littleEndian);
  if (captured > maxCapturedLength) {
    throw new DecodeError(
      "pcap",
      RECORD_HEADER.capturedLength.name,
      fileBase + start + CAPTURED_LENGTH_AT,
      maxCapturedLength,
      captured,
      `captured length ${captured} is more than the ${maxCapturedLength}-byte maximum; the file is corrupt`,
    );
  }
  const original = view.getUint32(start + ORIGINAL_LENGTH_AT, littleEndian);
  if (captured > original) {
    // tcpdump prints "[Invalid header: len(42) < caplen(60)]" for it
    throw new DecodeError(
      "pcap",
      RECORD_HEADER.capturedLength.name,
      fileBase + start + CAPTURED_LENGTH_AT,
      original,
      captured,
      `invalid header: len(${original}) < caplen(${captured}): more bytes captured than were on the wire; the file is corrupt`,
    );
  }
  const end = start + PCAP_RECORD_HEADER_LENGTH + captured;
  return end <= limit ? end : -1;
}

/** The error for a file that ends inside the record starting at `start` (bytes end at `limit`). */
function recordTruncated(
  view: DataView,
  start: number,
  limit: number,
  littleEndian: boolean,
  fileBase: number,
): DecodeError {
  const fileLength = fileBase + limit;
  const headerEnd = start + PCAP_RECORD_HEADER_LENGTH;
  if (limit < headerEnd) {
    return new DecodeError("pcap", "recordHeader", fileBase + start, fileBase + headerEnd, fileLength);
  }
  const captured = view.getUint32(start + CAPTURED_LENGTH_AT, littleEndian);
  return new DecodeError("pcap", "packetData", fileBase + headerEnd, fileBase + headerEnd + captured, fileLength);
}

/**
 * The record in bytes[start, end) (framed by `recordEnd`). Its data is a view into `bytes`.
 * @throws DecodeError when the sub-second field is a second or more
 */
function recordAt(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  header: PcapHeader,
  fileBase: number,
): PcapRecord {
  const le = header.littleEndian;
  const subseconds = view.getUint32(start + SUBSECONDS_AT, le);
  const perSecond = SUBSECONDS_PER_SECOND[header.resolution];
  if (subseconds >= perSecond) {
    throw new DecodeError(
      "pcap",
      RECORD_HEADER.subseconds.name,
      fileBase + start + SUBSECONDS_AT,
      perSecond,
      subseconds,
      `${subseconds} ${header.resolution === "nano" ? "nanoseconds" : "microseconds"} is not less than one second`,
    );
  }
  const dataStart = start + PCAP_RECORD_HEADER_LENGTH;
  return {
    seconds: view.getUint32(start + SECONDS_AT, le),
    nanoseconds: header.resolution === "nano" ? subseconds : subseconds * 1000,
    capturedLength: end - dataStart,
    originalLength: view.getUint32(start + ORIGINAL_LENGTH_AT, le),
    data: bytes.subarray(dataStart, end),
  };
}

/**
 * Every record of a whole file, in order. Records' data are views into `bytes` (no copy): they stay
 * as they are while `bytes` does. Link types other than Ethernet are read all the same.
 * @throws DecodeError for a bad or cut header (before the first record), a record with a corrupt
 *   captured length (over the maximum, or over the original length) or timestamp (reading stops there),
 *   and — after the last whole record — a file
 *   that ends inside a record (field "recordHeader" or "packetData").
 */
export function* readPcap(bytes: Uint8Array, options: PcapReadOptions = {}): Generator<PcapRecord, void, undefined> {
  const maxCapturedLength = options.maxCapturedLength ?? MAX_CAPTURED_LENGTH;
  const header = decodePcapHeader(bytes);
  const view = dataViewOf(bytes);
  const le = header.littleEndian;
  const limit = bytes.length;
  let start = PCAP_HEADER_LENGTH;
  for (;;) {
    const end = recordEnd(view, start, limit, le, maxCapturedLength, 0);
    if (end < 0) break;
    yield recordAt(bytes, view, start, end, header, 0);
    start = end;
  }
  if (start < limit) throw recordTruncated(view, start, limit, le, 0);
}

/** Size of the reader's storage blocks; a block is bigger when one chunk or one record needs it. */
const BLOCK_SIZE = 1 << 20;
const NO_BYTES = new Uint8Array(0);

/**
 * Reads a pcap file that arrives in chunks of any size: `push` each chunk as it comes, call `next`
 * until it returns undefined, and call `end` once the input is over.
 *
 * Storage: `push` copies each chunk once into blocks the reader owns, so the caller may reuse its
 * chunk buffer straight away. Records' data are views into those blocks, and a byte of a block is
 * never written again once it has been pushed, so a record stays valid for as long as it is kept
 * (keeping one keeps its whole block — about 1 MiB — alive; `slice()` records kept for long). When
 * a block is full, only the part of a record not yet read moves to the next block: a record
 * straddling chunks costs no more than its own bytes, and records are never concatenated one by one.
 *
 * Errors: a bad magic, a cut header and a corrupt captured length end the reading — `next` and
 * `end` throw the same DecodeError from then on. A record whose sub-second field is a second or more
 * is consumed before its DecodeError is thrown, so `next` goes on with the record after it.
 */
export class PcapReader {
  private readonly maxCapturedLength: number;
  private block: Uint8Array = NO_BYTES;
  private view: DataView = new DataView(NO_BYTES.buffer);
  /** Index in `block` of the first byte not yet handed out. */
  private readAt = 0;
  /** Index in `block` just past the last byte pushed. */
  private writeAt = 0;
  /** File offset of block[0]: error offsets are offsets in the file. */
  private blockFileOffset = 0;
  private fileHeader: PcapHeader | undefined;
  private failure: DecodeError | undefined;
  private ended = false;

  constructor(options: PcapReadOptions = {}) {
    this.maxCapturedLength = options.maxCapturedLength ?? MAX_CAPTURED_LENGTH;
  }

  /** The file's global header, once its 24 bytes have been pushed (and its magic is good). */
  get header(): PcapHeader | undefined {
    return this.fileHeader;
  }

  /** Adds the next bytes of the file. Copies them: `chunk` may be reused as soon as this returns. */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error("PcapReader: push() after end()");
    if (chunk.length === 0 || this.failure !== undefined) return; // after a fatal error, keep nothing
    if (chunk.length > this.block.length - this.writeAt) this.newBlock(chunk.length);
    this.block.set(chunk, this.writeAt);
    this.writeAt += chunk.length;
    if (this.fileHeader === undefined && this.failure === undefined) this.readHeader();
  }

  /**
   * The next whole record, or undefined when more bytes are needed. Its data is a view into the
   * reader's storage that stays valid (see the class comment).
   * @throws DecodeError for a bad header or a corrupt record (see the class comment)
   */
  next(): PcapRecord | undefined {
    if (this.failure !== undefined) throw this.failure;
    const header = this.fileHeader;
    if (header === undefined) return undefined;
    const start = this.readAt;
    const end = this.frame(start, header);
    if (end < 0) return undefined;
    this.readAt = end;
    return recordAt(this.block, this.view, start, end, header, this.blockFileOffset);
  }

  /**
   * Says the input is over. Records already pushed can still be read with `next`.
   * @throws DecodeError when the bytes pushed end inside the header (field of the header cut short)
   *   or inside a record (field "recordHeader" or "packetData"), or for an earlier error.
   */
  end(): void {
    if (this.failure !== undefined) throw this.failure;
    this.ended = true;
    const header = this.fileHeader;
    // push() reads the header as soon as it is all there, so it is missing only when cut short.
    if (header === undefined) throw headerTruncated(this.blockFileOffset + this.writeAt);
    let start = this.readAt;
    for (let end = this.frame(start, header); end >= 0; end = this.frame(start, header)) start = end;
    if (start < this.writeAt) {
      throw recordTruncated(this.view, start, this.writeAt, header.littleEndian, this.blockFileOffset);
    }
  }

  /** `recordEnd` over the reader's storage; a corrupt length ends the reading. */
  private frame(start: number, header: PcapHeader): number {
    try {
      return recordEnd(this.view, start, this.writeAt, header.littleEndian, this.maxCapturedLength, this.blockFileOffset);
    } catch (error) {
      if (error instanceof DecodeError) this.failure = error;
      throw error;
    }
  }

  /** Checks the magic as soon as it is there, and reads the header once all of it is. */
  private readHeader(): void {
    const pending = this.writeAt - this.readAt;
    if (pending < FILE_HEADER.magic.offset + FILE_HEADER.magic.span) return;
    const bytes = this.block.subarray(this.readAt, this.writeAt);
    try {
      if (pending < PCAP_HEADER_LENGTH) {
        const view = dataViewOf(bytes);
        if (readMagic(view) === undefined) throw badMagic(bytes, view);
        return;
      }
      this.fileHeader = decodePcapHeader(bytes);
      this.readAt += PCAP_HEADER_LENGTH;
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.failure = error;
    }
  }

  /**
   * Moves the bytes not yet handed out to a fresh block with room for `incoming` more. The old block
   * is never written again, so records handed out from it stay as they are. The new block also has
   * room for as much again as is waiting, so a caller who pushes without reading costs amortised
   * linear copying, not quadratic.
   */
  private newBlock(incoming: number): void {
    const pending = this.writeAt - this.readAt;
    const block = new Uint8Array(Math.max(BLOCK_SIZE, pending + incoming + pending));
    block.set(this.block.subarray(this.readAt, this.writeAt));
    this.blockFileOffset += this.readAt;
    this.block = block;
    this.view = new DataView(block.buffer);
    this.readAt = 0;
    this.writeAt = pending;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

function checkUint32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_UINT32) {
    throw new RangeError(`pcap: ${what} must be an integer from 0 to ${MAX_UINT32}, not ${value}`);
  }
}

function checkRoom(target: Uint8Array, offset: number, length: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + length > target.length) {
    throw new RangeError(`pcap: ${what} needs ${length} bytes at offset ${offset}; the target holds ${target.length}`);
  }
}

/**
 * Writes a little-endian global header (as tcpdump does on x86) into target[offset, offset + 24).
 * @returns the offset just past it
 * @throws RangeError for an option out of range or a target too small
 */
export function emitPcapHeader(options: PcapWriteOptions, target: Uint8Array, offset = 0): number {
  const resolution = options.resolution ?? "micro";
  const snapLength = options.snapLength ?? MAX_CAPTURED_LENGTH;
  const linkType = options.linkType ?? LINKTYPE_ETHERNET;
  checkUint32(snapLength, "snap length");
  checkUint32(linkType, "link type");
  checkRoom(target, offset, PCAP_HEADER_LENGTH, "the file header");
  const view = dataViewOf(target);
  const magic = resolution === "nano" ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS;
  view.setUint32(offset + FILE_HEADER.magic.offset, magic, true);
  view.setUint16(offset + FILE_HEADER.versionMajor.offset, VERSION_MAJOR, true);
  view.setUint16(offset + FILE_HEADER.versionMinor.offset, VERSION_MINOR, true);
  view.setUint32(offset + FILE_HEADER.timeZoneOffset.offset, 0, true);
  view.setUint32(offset + FILE_HEADER.timestampAccuracy.offset, 0, true);
  view.setUint32(offset + FILE_HEADER.snapLength.offset, snapLength, true);
  view.setUint32(offset + FILE_HEADER.linkType.offset, linkType, true);
  return offset + PCAP_HEADER_LENGTH;
}

/** A new 24-byte global header; see `emitPcapHeader`. */
export function encodePcapHeader(options: PcapWriteOptions = {}): Uint8Array {
  const bytes = new Uint8Array(PCAP_HEADER_LENGTH);
  emitPcapHeader(options, bytes);
  return bytes;
}

/** Bytes a record takes in a file: its 16-byte header and its data. */
export function pcapRecordLength(record: { readonly data: Uint8Array }): number {
  return PCAP_RECORD_HEADER_LENGTH + record.data.length;
}

function writeRecord(
  view: DataView,
  target: Uint8Array,
  offset: number,
  header: Pick<PcapHeader, "resolution" | "littleEndian">,
  record: PcapRecordInput,
): number {
  const { seconds, nanoseconds, data } = record;
  const originalLength = record.originalLength ?? data.length;
  checkUint32(seconds, "seconds");
  if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds >= 1_000_000_000) {
    throw new RangeError(`pcap: nanoseconds must be an integer from 0 to 999999999, not ${nanoseconds}`);
  }
  if (data.length > MAX_CAPTURED_LENGTH) {
    throw new RangeError(`pcap: a record holds at most ${MAX_CAPTURED_LENGTH} bytes, not ${data.length}`);
  }
  checkUint32(originalLength, "original length");
  if (originalLength < data.length) {
    throw new RangeError(`pcap: original length ${originalLength} is less than the ${data.length} bytes captured`);
  }
  const le = header.littleEndian;
  const subseconds = header.resolution === "nano" ? nanoseconds : Math.floor(nanoseconds / 1000);
  view.setUint32(offset + SECONDS_AT, seconds, le);
  view.setUint32(offset + SUBSECONDS_AT, subseconds, le);
  view.setUint32(offset + CAPTURED_LENGTH_AT, data.length, le);
  view.setUint32(offset + ORIGINAL_LENGTH_AT, originalLength, le);
  target.set(data, offset + PCAP_RECORD_HEADER_LENGTH);
  return offset + PCAP_RECORD_HEADER_LENGTH + data.length;
}

/**
 * Writes one record (header and data) into target[offset, offset + pcapRecordLength(record)), in
 * the byte order and timestamp unit of the file it goes in. A microsecond file keeps
 * floor(nanoseconds / 1000).
 * @returns the offset just past it
 * @throws RangeError for a field out of range, data longer than MAX_CAPTURED_LENGTH, or a target too small
 */
export function emitPcapRecord(
  header: Pick<PcapHeader, "resolution" | "littleEndian">,
  record: PcapRecordInput,
  target: Uint8Array,
  offset = 0,
): number {
  checkRoom(target, offset, pcapRecordLength(record), "the record");
  return writeRecord(dataViewOf(target), target, offset, header, record);
}

/** A new buffer holding one record; see `emitPcapRecord`. */
export function encodePcapRecord(
  header: Pick<PcapHeader, "resolution" | "littleEndian">,
  record: PcapRecordInput,
): Uint8Array {
  const bytes = new Uint8Array(pcapRecordLength(record));
  writeRecord(dataViewOf(bytes), bytes, 0, header, record);
  return bytes;
}

/**
 * A whole little-endian file: the global header, then each record in order, in one buffer sized
 * up front (records are not concatenated one by one).
 * @throws RangeError for an option or record field out of range, or a record longer than the snap length
 */
export function writePcap(records: Iterable<PcapRecordInput>, options: PcapWriteOptions = {}): Uint8Array {
  const list = Array.isArray(records) ? (records as readonly PcapRecordInput[]) : Array.from(records);
  const snapLength = options.snapLength ?? MAX_CAPTURED_LENGTH;
  let length = PCAP_HEADER_LENGTH;
  for (const record of list) {
    if (record.data.length > snapLength) {
      throw new RangeError(`pcap: a ${record.data.length}-byte record is longer than the snap length ${snapLength}`);
    }
    length += pcapRecordLength(record);
  }
  const bytes = new Uint8Array(length);
  const view = dataViewOf(bytes);
  const header = { resolution: options.resolution ?? "micro", littleEndian: true } as const;
  let offset = emitPcapHeader(options, bytes);
  for (const record of list) offset = writeRecord(view, bytes, offset, header, record);
  return bytes;
}

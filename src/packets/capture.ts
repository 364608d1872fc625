// A capture file of either format, classic pcap or pcapng, told apart by its first four bytes and
// read in chunks through PcapReader or PcapngReader: what `sniff -r` reads. Pure, as they are.
import { DecodeError } from "./errors";
import { PcapngReader, looksLikePcapng } from "./pcapng";
import { PcapReader, PcapRecord, PcapResolution } from "./pcap";

/** The two capture file formats CaptureReader reads: classic pcap and pcapng. */
export type CaptureFormat = "pcap" | "pcapng";

/**
 * The link type proper of a classic header's link-type field: libpcap keeps FCS information in the
 * upper 16 bits (LT_FCS_LENGTH and friends) and reads the lower 16 (LT_LINKTYPE); so does this reader.
 */
const LINK_TYPE_MASK = 0xffff;

/** What the first interface of a file says (the classic global header, or pcapng's first Interface Description). */
export interface CaptureHeader {
  /** Which format the file is, told by its first four bytes. */
  readonly format: CaptureFormat;
  /** LINKTYPE_* of the first interface's frames (pcap: the lower 16 bits of the header's field). */
  readonly linkType: number;
  /** Longest frame the first interface kept (pcapng: 0 for no limit). */
  readonly snapLength: number;
  /** "nano" when timestamps are finer than microseconds. */
  readonly resolution: PcapResolution;
}

/**
 * Reads a pcap or pcapng file that arrives in chunks: `push`, `next` until undefined, `end`, as
 * PcapReader (whose storage and error rules hold for both). The link type of the record `next`
 * returned last is `linkType` (pcapng files may change it from one interface to the next).
 */
export class CaptureReader {
  private pcap: PcapReader | undefined;
  private pcapng: PcapngReader | undefined;
  /** Bytes pushed before the format was known (fewer than 4). */
  private early = new Uint8Array(0);
  private firstHeader: CaptureHeader | undefined;
  /** Link type of the record `next` returned last. */
  linkType = -1;

  /** The format, once the first four bytes are in. */
  get format(): CaptureFormat | undefined {
    return this.pcapng !== undefined ? "pcapng" : this.pcap !== undefined ? "pcap" : undefined;
  }

  /** The file's (first interface's) link type, snap length and resolution, once they have been read. */
  get header(): CaptureHeader | undefined {
    if (this.firstHeader !== undefined) return this.firstHeader;
    const pcapHeader = this.pcap?.header;
    if (pcapHeader !== undefined) {
      this.firstHeader = { format: "pcap", linkType: pcapHeader.linkType & LINK_TYPE_MASK, snapLength: pcapHeader.snapLength, resolution: pcapHeader.resolution };
    } else if (this.pcapng !== undefined && this.pcapng.interfaces.length > 0) {
      const first = this.pcapng.interfaces[0];
      const unit = first.timestampUnit;
      const fine = unit.base === 10 ? unit.exponent > 6 : unit.exponent > 19;
      this.firstHeader = { format: "pcapng", linkType: first.linkType, snapLength: first.snapLength, resolution: fine ? "nano" : "micro" };
    }
    return this.firstHeader;
  }

  /** Appends the next chunk of the file; records are then taken with `next`. */
  push(chunk: Uint8Array): void {
    if (this.pcap !== undefined) return this.pcap.push(chunk);
    if (this.pcapng !== undefined) return this.pcapng.push(chunk);
    const bytes = new Uint8Array(this.early.length + chunk.length);
    bytes.set(this.early);
    bytes.set(chunk, this.early.length);
    if (bytes.length < 4) {
      this.early = bytes;
      return;
    }
    this.early = new Uint8Array(0);
    if (looksLikePcapng(bytes)) {
      this.pcapng = new PcapngReader();
      this.pcapng.push(bytes);
    } else {
      this.pcap = new PcapReader();
      this.pcap.push(bytes);
    }
  }

  /**
   * The next record, or undefined when more bytes are needed.
   * @throws DecodeError as PcapReader.next or PcapngReader.next does
   */
  next(): PcapRecord | undefined {
    if (this.pcapng !== undefined) {
      const record = this.pcapng.next();
      if (record !== undefined) this.linkType = record.linkType;
      return record;
    }
    if (this.pcap === undefined) return undefined;
    let record;
    try {
      record = this.pcap.next();
    } catch (error) {
      throw withPcapng(error);
    }
    if (record !== undefined) this.linkType = this.pcap.header!.linkType & LINK_TYPE_MASK;
    return record;
  }

  /**
   * Says the input is over.
   * @throws DecodeError for a file that ends early, as the format's reader does
   */
  end(): void {
    if (this.pcapng !== undefined) return this.pcapng.end();
    if (this.pcap !== undefined) {
      try {
        return this.pcap.end();
      } catch (error) {
        throw withPcapng(error);
      }
    }
    // fewer than 4 bytes: the classic reader says what was cut
    const reader = new PcapReader();
    reader.push(this.early);
    reader.end();
  }
}

/** A classic reader's bad-magic error, saying that a pcapng file would have been read too. */
function withPcapng(error: unknown): unknown {
  if (!(error instanceof DecodeError) || error.layer !== "pcap" || error.field !== "magic" || error.truncated) return error;
  return new DecodeError(error.layer, error.field, error.offset, error.needed, error.available, `${error.reason}, or a pcapng file's 0a 0d 0d 0a`);
}

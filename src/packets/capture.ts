// A capture file of either format, classic pcap or pcapng, told apart by its first four bytes and
// read in chunks through PcapReader or PcapngReader: what `sniff -r` reads. Pure, as they are.
import { PcapngReader, looksLikePcapng } from "./pcapng";
import { PcapReader, PcapRecord, PcapResolution } from "./pcap";

export type CaptureFormat = "pcap" | "pcapng";

/** What the first interface of a file says (the classic global header, or pcapng's first Interface Description). */
export interface CaptureHeader {
  readonly format: CaptureFormat;
  readonly linkType: number;
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
      this.firstHeader = { format: "pcap", linkType: pcapHeader.linkType, snapLength: pcapHeader.snapLength, resolution: pcapHeader.resolution };
    } else if (this.pcapng !== undefined && this.pcapng.interfaces.length > 0) {
      const first = this.pcapng.interfaces[0];
      const unit = first.timestampUnit;
      const fine = unit.base === 10 ? unit.exponent > 6 : unit.exponent > 19;
      this.firstHeader = { format: "pcapng", linkType: first.linkType, snapLength: first.snapLength, resolution: fine ? "nano" : "micro" };
    }
    return this.firstHeader;
  }

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
    const record = this.pcap.next();
    if (record !== undefined) this.linkType = this.pcap.header!.linkType;
    return record;
  }

  /**
   * Says the input is over.
   * @throws DecodeError for a file that ends early, as the format's reader does
   */
  end(): void {
    if (this.pcapng !== undefined) return this.pcapng.end();
    if (this.pcap !== undefined) return this.pcap.end();
    // fewer than 4 bytes: the classic reader says what was cut
    const reader = new PcapReader();
    reader.push(this.early);
    reader.end();
  }
}

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { DecodeError } from "../../src/packets/errors";
import { Reach } from "../helpers/property";
import {
  LINKTYPE_ETHERNET,
  MAX_CAPTURED_LENGTH,
  PcapReader,
  PcapRecord,
  PcapRecordInput,
  PcapResolution,
  decodePcapHeader,
  emitPcapHeader,
  emitPcapRecord,
  encodePcapHeader,
  encodePcapRecord,
  readPcap,
  timeMicros,
  writePcap,
} from "../../src/packets/pcap";

/** Bytes from hex text; whitespace and `#` comments to the end of a line are ignored. */
function hex(text: string): Uint8Array {
  const digits = text.replace(/#.*$/gm, "").replace(/\s+/g, "");
  return Uint8Array.from(Buffer.from(digits, "hex"));
}

/** A record as plain comparable values (data as hex), so that a failing comparison reads well. */
function plain(record: PcapRecord | PcapRecordInput) {
  return {
    seconds: record.seconds,
    nanoseconds: record.nanoseconds,
    originalLength: record.originalLength ?? record.data.length,
    data: Buffer.from(record.data).toString("hex"),
  };
}

function plainRecord(record: PcapRecord) {
  assert.equal(record.capturedLength, record.data.length);
  return plain(record);
}

function expectDecodeError(run: () => unknown, expected: Partial<DecodeError>): DecodeError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof DecodeError, `expected a DecodeError, got ${String(thrown)}`);
  for (const [key, value] of Object.entries(expected)) {
    assert.equal((thrown as unknown as Record<string, unknown>)[key], value, `DecodeError.${key} (${thrown.message})`);
  }
  return thrown;
}

const littleEndian = true;

function recordArbitrary(resolution: PcapResolution): fc.Arbitrary<PcapRecordInput> {
  const nanoseconds =
    resolution === "nano"
      ? fc.integer({ min: 0, max: 999_999_999 })
      : fc.integer({ min: 0, max: 999_999 }).map((micros) => micros * 1000);
  return fc
    .record({
      seconds: fc.integer({ min: 0, max: 0xffff_ffff }),
      nanoseconds,
      // empty one time in eight: a record of no bytes is legal and easy to get wrong
      data: fc.oneof({ weight: 1, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 7, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 80 }) }),
      cutOff: fc.nat(2000),
    })
    .map(({ cutOff, ...record }) => ({ ...record, originalLength: record.data.length + cutOff }));
}

const resolutionArbitrary = fc.constantFrom<PcapResolution>("micro", "nano");

type ListCase = "noRecords" | "overFiveRecords" | "emptyData" | "dataOver64Bytes" | "cutBySnapLength" | "subMicrosecond" | "secondsOver2To31";

/** What a list of records written and read back exists for. */
function listCases(property: string, resolution: PcapResolution): Reach<ListCase> {
  return new Reach<ListCase>(property, {
    // a microsecond file has no sub-microsecond timestamps to reach
    noRecords: 2,
    overFiveRecords: 15,
    emptyData: 30,
    dataOver64Bytes: 50,
    cutBySnapLength: 50,
    subMicrosecond: resolution === "nano" ? 50 : 0,
    secondsOver2To31: 30,
  });
}

function tallyList(reach: Reach<ListCase>, records: readonly PcapRecordInput[]): void {
  reach.run();
  reach.hit("noRecords", records.length === 0);
  reach.hit("overFiveRecords", records.length > 5);
  reach.hit("emptyData", records.some((r) => r.data.length === 0));
  reach.hit("dataOver64Bytes", records.some((r) => r.data.length > 64));
  reach.hit("cutBySnapLength", records.some((r) => (r.originalLength ?? r.data.length) > r.data.length));
  reach.hit("subMicrosecond", records.some((r) => r.nanoseconds % 1000 !== 0));
  reach.hit("secondsOver2To31", records.some((r) => r.seconds >= 2 ** 31));
}
const fileArbitrary = resolutionArbitrary.chain((resolution) =>
  fc.record({ resolution: fc.constant(resolution), records: fc.array(recordArbitrary(resolution), { maxLength: 6 }) }),
);

/** Everything the reader yields for `chunks` pushed in order, reading after every push. */
function readStreaming(chunks: Iterable<Uint8Array>): PcapRecord[] {
  const reader = new PcapReader();
  const records: PcapRecord[] = [];
  const drain = () => {
    for (let r = reader.next(); r !== undefined; r = reader.next()) records.push(r);
  };
  for (const chunk of chunks) {
    reader.push(chunk);
    drain();
  }
  reader.end();
  drain();
  return records;
}

/** `bytes` cut into chunks of the given sizes, used in turn and over again until the end. */
function* chunked(bytes: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

describe("pcap files", () => {
  describe("writing and reading back", () => {
    it("reads back any list of records written with microsecond timestamps, timestamps exact", () => {
      const reach = listCases("reads back microsecond records", "micro");
      fc.assert(
        fc.property(fc.array(recordArbitrary("micro"), { maxLength: 8 }), (records) => {
          tallyList(reach, records);
          const file = writePcap(records, { resolution: "micro" });
          assert.deepEqual([...readPcap(file)].map(plainRecord), records.map(plain));
        }),
        { numRuns: 200 },
      );
      reach.check();
    });

    it("reads back any list of records written with nanosecond timestamps, timestamps exact", () => {
      const reach = listCases("reads back nanosecond records", "nano");
      fc.assert(
        fc.property(fc.array(recordArbitrary("nano"), { maxLength: 8 }), (records) => {
          tallyList(reach, records);
          const file = writePcap(records, { resolution: "nano" });
          assert.equal(decodePcapHeader(file).resolution, "nano");
          assert.deepEqual([...readPcap(file)].map(plainRecord), records.map(plain));
        }),
        { numRuns: 200 },
      );
      reach.check();
    });

    it("reads back records written one at a time in either byte order", () => {
      const reach = new Reach("either byte order", { bigEndianMicro: 15, bigEndianNano: 15, littleEndianMicro: 15, littleEndianNano: 15, overThreeRecords: 40 });
      fc.assert(
        fc.property(fileArbitrary, fc.boolean(), ({ resolution, records }, fileIsLittleEndian) => {
          reach.run();
          reach.hit(`${fileIsLittleEndian ? "little" : "big"}Endian${resolution === "nano" ? "Nano" : "Micro"}`);
          reach.hit("overThreeRecords", records.length > 3);
          const fileHeader = fileIsLittleEndian
            ? encodePcapHeader({ resolution, snapLength: 65535, linkType: 228 })
            : bigEndianHeader(resolution, 65535, 228);
          const recordHeader = { resolution, littleEndian: fileIsLittleEndian };
          const parts = [fileHeader, ...records.map((r) => encodePcapRecord(recordHeader, r))];
          const file = Buffer.concat(parts);
          const decoded = decodePcapHeader(file);
          assert.deepEqual(decoded, {
            littleEndian: fileIsLittleEndian,
            resolution,
            versionMajor: 2,
            versionMinor: 4,
            snapLength: 65535,
            linkType: 228,
          });
          assert.deepEqual([...readPcap(file)].map(plainRecord), records.map(plain));
        }),
        { numRuns: 200 },
      );
      reach.check();
    });

    it("keeps floor(nanoseconds / 1000) in a microsecond file", () => {
      const file = writePcap([{ seconds: 7, nanoseconds: 123_456_789, data: hex("01") }]);
      const [record] = [...readPcap(file)];
      assert.equal(record.nanoseconds, 123_456_000);
    });

    it("gives a timestamp in whole microseconds with timeMicros", () => {
      assert.equal(timeMicros({ seconds: 1_700_000_000, nanoseconds: 123_456_789 }), 1_700_000_000_123_456);
      assert.equal(timeMicros({ seconds: 0xffff_ffff, nanoseconds: 999_999_999 }), 4_294_967_295_999_999);
      assert.equal(timeMicros({ seconds: 0, nanoseconds: 999 }), 0);
    });

    it("refuses to write what it could not read back", () => {
      const nano = { resolution: "nano", littleEndian } as const;
      assert.throws(() => encodePcapRecord(nano, { seconds: 0, nanoseconds: 1e9, data: hex("") }), RangeError);
      assert.throws(() => encodePcapRecord(nano, { seconds: -1, nanoseconds: 0, data: hex("") }), RangeError);
      assert.throws(() => encodePcapRecord(nano, { seconds: 2 ** 32, nanoseconds: 0, data: hex("") }), RangeError);
      assert.throws(
        () => encodePcapRecord(nano, { seconds: 0, nanoseconds: 0, data: hex("0102"), originalLength: 1 }),
        RangeError,
      );
      assert.throws(
        () => encodePcapRecord(nano, { seconds: 0, nanoseconds: 0, data: new Uint8Array(MAX_CAPTURED_LENGTH + 1) }),
        RangeError,
      );
      assert.throws(
        () => writePcap([{ seconds: 0, nanoseconds: 0, data: new Uint8Array(61) }], { snapLength: 60 }),
        /snap length 60/,
      );
    });
  });

  describe("the global header", () => {
    it("is written as tcpdump writes it: little-endian magic, version 2.4, snap length, Ethernet", () => {
      assert.deepEqual(
        encodePcapHeader(),
        hex(`
          d4 c3 b2 a1   # magic, microseconds, little-endian
          02 00 04 00   # version 2.4
          00 00 00 00   # thiszone
          00 00 00 00   # sigfigs
          00 00 04 00   # snap length 262144
          01 00 00 00   # link type 1, Ethernet
        `),
      );
      assert.deepEqual(
        encodePcapHeader({ resolution: "nano", snapLength: 1514, linkType: 113 }),
        hex("4d 3c b2 a1  02 00 04 00  00 00 00 00  00 00 00 00  ea 05 00 00  71 00 00 00"),
      );
      assert.equal(LINKTYPE_ETHERNET, 1);
    });

    it("is emitted into a target buffer without touching the bytes around it", () => {
      const target = new Uint8Array(30).fill(0xa5);
      assert.equal(emitPcapHeader({ resolution: "nano" }, target, 3), 27);
      assert.deepEqual(target.subarray(0, 3), hex("a5 a5 a5"));
      assert.deepEqual(target.subarray(3, 27), encodePcapHeader({ resolution: "nano" }));
      assert.deepEqual(target.subarray(27), hex("a5 a5 a5"));
      assert.throws(() => emitPcapHeader({}, new Uint8Array(23)), RangeError);
    });

    it("decodes a big-endian microsecond file built byte by byte", () => {
      const file = hex(`
        a1 b2 c3 d4   # magic, microseconds, big-endian
        00 02 00 04   # version 2.4
        00 00 00 00   # thiszone
        00 00 00 00   # sigfigs
        00 00 ff ff   # snap length 65535
        00 00 00 01   # Ethernet
        65 53 f1 00   # 1700000000 s
        00 01 e2 40   # 123456 µs
        00 00 00 04   # captured 4
        00 00 00 3c   # original 60
        de ad be ef
        65 53 f1 01   # 1700000001 s
        00 0f 42 3f   # 999999 µs
        00 00 00 01   # captured 1
        00 00 00 01   # original 1
        77
      `);
      assert.deepEqual(decodePcapHeader(file), {
        littleEndian: false,
        resolution: "micro",
        versionMajor: 2,
        versionMinor: 4,
        snapLength: 65535,
        linkType: 1,
      });
      assert.deepEqual([...readPcap(file)], [
        {
          seconds: 1_700_000_000,
          nanoseconds: 123_456_000,
          capturedLength: 4,
          originalLength: 60,
          data: hex("de ad be ef"),
        },
        { seconds: 1_700_000_001, nanoseconds: 999_999_000, capturedLength: 1, originalLength: 1, data: hex("77") },
      ]);
    });

    it("decodes a little-endian nanosecond file built byte by byte", () => {
      const file = hex(`
        4d 3c b2 a1   # magic, nanoseconds, little-endian
        02 00 04 00   # version 2.4
        00 00 00 00   # thiszone
        00 00 00 00   # sigfigs
        00 00 04 00   # snap length 262144
        01 00 00 00   # Ethernet
        00 f1 53 65   # 1700000000 s
        ff c9 9a 3b   # 999999999 ns
        02 00 00 00   # captured 2
        05 00 00 00   # original 5
        01 02
      `);
      const reader = new PcapReader();
      reader.push(file);
      assert.deepEqual(reader.header, {
        littleEndian: true,
        resolution: "nano",
        versionMajor: 2,
        versionMinor: 4,
        snapLength: 262144,
        linkType: 1,
      });
      assert.deepEqual(reader.next(), {
        seconds: 1_700_000_000,
        nanoseconds: 999_999_999,
        capturedLength: 2,
        originalLength: 5,
        data: hex("01 02"),
      });
      assert.equal(reader.next(), undefined);
      reader.end();
    });

    it("decodes a big-endian nanosecond file", () => {
      const file = hex(`
        a1 b2 3c 4d  00 02 00 04  00 00 00 00  00 00 00 00  00 00 05 ea  00 00 00 01
        00 00 00 02  00 00 00 2a  00 00 00 00  00 00 00 00
      `);
      assert.equal(decodePcapHeader(file).resolution, "nano");
      assert.equal(decodePcapHeader(file).littleEndian, false);
      assert.equal(decodePcapHeader(file).snapLength, 1514);
      assert.deepEqual([...readPcap(file)].map(plainRecord), [
        { seconds: 2, nanoseconds: 42, originalLength: 0, data: "" },
      ]);
    });

    it("reports a link type other than Ethernet instead of rejecting the file", () => {
      const file = writePcap([{ seconds: 1, nanoseconds: 0, data: hex("45 00") }], { linkType: 101 }); // LINKTYPE_RAW
      assert.equal(decodePcapHeader(file).linkType, 101);
      assert.equal([...readPcap(file)].length, 1);
    });
  });

  describe("records", () => {
    it("are written as a 16-byte header in the file's byte order, then the data", () => {
      const record = { seconds: 1_700_000_000, nanoseconds: 123_456_789, data: hex("de ad be ef"), originalLength: 60 };
      assert.deepEqual(
        encodePcapRecord({ resolution: "micro", littleEndian }, record),
        hex("00 f1 53 65  40 e2 01 00  04 00 00 00  3c 00 00 00  de ad be ef"),
      );
      assert.deepEqual(
        encodePcapRecord({ resolution: "nano", littleEndian: false }, record),
        hex("65 53 f1 00  07 5b cd 15  00 00 00 04  00 00 00 3c  de ad be ef"),
      );
    });

    it("are emitted into a target buffer without touching the bytes around them", () => {
      const record = { seconds: 1, nanoseconds: 2000, data: hex("0a 0b 0c") };
      const target = new Uint8Array(25).fill(0xa5);
      assert.equal(emitPcapRecord({ resolution: "micro", littleEndian }, record, target, 2), 21);
      assert.deepEqual(
        target,
        hex("a5 a5  01 00 00 00  02 00 00 00  03 00 00 00  03 00 00 00  0a 0b 0c  a5 a5 a5 a5"),
      );
      assert.throws(() => emitPcapRecord({ resolution: "micro", littleEndian }, record, new Uint8Array(18)), RangeError);
    });

    it("keep the original length when the snap length cut the frame", () => {
      const cut = { seconds: 3, nanoseconds: 0, data: new Uint8Array(64), originalLength: 1514 };
      const file = writePcap([cut], { snapLength: 64 });
      const [record] = [...readPcap(file)];
      assert.equal(record.capturedLength, 64);
      assert.equal(record.originalLength, 1514);
    });
  });

  describe("streaming", () => {
    it("yields the same records whatever sizes of chunks the file arrives in", () => {
      const chunkSizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 });
      const reach = new Reach("any chunk sizes", { chunkUnder16Bytes: 80, chunkOver24Bytes: 50, severalSizes: 80, headerSplit: 80, recordHeaderSplit: 40, fileOver200Bytes: 30 });
      fc.assert(
        fc.property(fileArbitrary, chunkSizes, (spec, sizes) => {
          const file = writePcap(spec.records, { resolution: spec.resolution });
          reach.run();
          reach.hit("chunkUnder16Bytes", sizes.some((n) => n < 16));
          reach.hit("chunkOver24Bytes", sizes.some((n) => n > 24));
          reach.hit("severalSizes", new Set(sizes).size > 1);
          // a chunk boundary falls inside the 24-byte file header, or inside a record's 16-byte header
          const boundaries = new Set<number>();
          for (let at = 0, i = 0; at < file.length; i++) boundaries.add((at += sizes[i % sizes.length]));
          reach.hit("headerSplit", [...boundaries].some((b) => b > 0 && b < 24));
          const starts: number[] = [];
          for (let at = 24, r = 0; r < spec.records.length; r++) {
            starts.push(at);
            at += 16 + spec.records[r].data.length;
          }
          reach.hit("recordHeaderSplit", starts.some((start) => [...boundaries].some((b) => b > start && b < start + 16)));
          reach.hit("fileOver200Bytes", file.length > 200);
          const whole = [...readPcap(file)].map(plainRecord);
          assert.deepEqual(readStreaming(chunked(file, sizes)).map(plainRecord), whole);
        }),
        { numRuns: 200 },
      );
      reach.check();
    });

    it("keeps records intact when the caller reuses its chunk buffer", () => {
      const reach = new Reach("reused chunk buffer", { chunkUnder16Bytes: 30, chunkOver40Bytes: 10, recordsAcrossChunks: 50 });
      fc.assert(
        fc.property(fileArbitrary, fc.integer({ min: 1, max: 50 }), (spec, size) => {
          const file = writePcap(spec.records, { resolution: spec.resolution });
          reach.run();
          reach.hit("chunkUnder16Bytes", size < 16);
          reach.hit("chunkOver40Bytes", size > 40);
          reach.hit("recordsAcrossChunks", spec.records.some((r) => r.data.length > size));
          const scratch = new Uint8Array(size);
          const reused = function* () {
            for (const chunk of chunked(file, [size])) {
              scratch.fill(0xa5);
              scratch.set(chunk);
              yield scratch.subarray(0, chunk.length);
            }
            scratch.fill(0xa5);
          };
          assert.deepEqual(readStreaming(reused()).map(plainRecord), spec.records.map(plain));
        }),
        { numRuns: 200 },
      );
      reach.check();
    });

    it("reads records that straddle its storage blocks, largest records included, and earlier ones stay intact", () => {
      let seed = 1;
      const random = () => (seed = (seed * 1_103_515_245 + 12345) % 2 ** 31);
      const records: PcapRecordInput[] = [];
      for (let i = 0; i < 400; i++) {
        const length = i % 50 === 7 ? MAX_CAPTURED_LENGTH : random() % 1600;
        const data = new Uint8Array(length);
        for (let j = 0; j < length; j += 97) data[j] = random() & 0xff;
        records.push({ seconds: i, nanoseconds: i * 1000, data });
      }
      const file = writePcap(records);
      assert.ok(file.length > 2 * (1 << 20), "the file spans several 1 MiB storage blocks");
      const read = readStreaming(chunked(file, [65536, 1, 100_003, 17]));
      assert.deepEqual(read.map(plainRecord), records.map(plain));
    });

    it("names the byte offset in the whole file when a record many blocks in is cut short", () => {
      const records = Array.from({ length: 40 }, (_, i) => ({ seconds: i, nanoseconds: 0, data: new Uint8Array(100_000) }));
      const cutRecord = hex("00 00 00 00  00 00 00 00  e8 03 00 00  e8 03 00 00  01 02 03"); // 1000 bytes promised, 3 there
      const file = Buffer.concat([writePcap(records), cutRecord]);
      const cutAt = file.length - cutRecord.length;
      const reader = new PcapReader();
      let count = 0;
      for (const chunk of chunked(file, [70_001])) {
        reader.push(chunk);
        while (reader.next() !== undefined) count++;
      }
      assert.equal(count, records.length);
      expectDecodeError(() => reader.end(), {
        field: "packetData",
        offset: cutAt + 16,
        needed: cutAt + 16 + 1000,
        available: file.length,
      });
    });

    it("tells the header once all 24 bytes of it are there", () => {
      const file = writePcap([], { resolution: "nano", linkType: 105 });
      const reader = new PcapReader();
      reader.push(file.subarray(0, 23));
      assert.equal(reader.header, undefined);
      assert.equal(reader.next(), undefined);
      reader.push(file.subarray(23));
      assert.deepEqual(reader.header, {
        littleEndian,
        resolution: "nano",
        versionMajor: 2,
        versionMinor: 4,
        snapLength: MAX_CAPTURED_LENGTH,
        linkType: 105,
      });
      assert.equal(reader.next(), undefined);
      reader.end();
    });

    it("takes no more chunks after end()", () => {
      const reader = new PcapReader();
      reader.push(writePcap([]));
      reader.end();
      assert.throws(() => reader.push(hex("00")), /after end/);
    });
  });

  describe("malformed files", () => {
    it("pcap file with a bad magic", () => {
      const file = hex("0a 0b 0c 0d  00 02 00 04  00 00 00 00  00 00 00 00  00 00 04 00  01 00 00 00");
      const error = expectDecodeError(() => decodePcapHeader(file), {
        layer: "pcap",
        field: "magic",
        offset: 0,
        needed: 0xa1b2c3d4,
        available: 0x0a0b0c0d,
        truncated: false,
      });
      assert.match(error.message, /^pcap: bad magic at byte 0: /);
      assert.match(error.message, /0a 0b 0c 0d/, "says what the magic was");
      assert.match(error.message, /0xa1b2c3d4.*0xa1b23c4d/, "says what was expected");
      expectDecodeError(() => [...readPcap(file)], { field: "magic" });
    });

    it("pcap file with a bad magic is rejected by the streaming reader as soon as 4 bytes are in", () => {
      const reader = new PcapReader();
      reader.push(hex("47 45 54 20")); // "GET "
      expectDecodeError(() => reader.next(), { field: "magic", available: 0x47455420 });
      expectDecodeError(() => reader.end(), { field: "magic" });
    });

    it("pcapng file is named as such", () => {
      const file = hex("0a 0d 0d 0a  1c 00 00 00  4d 3c 2b 1a  01 00 00 00  ff ff ff ff  ff ff ff ff");
      const error = expectDecodeError(() => decodePcapHeader(file), { field: "magic" });
      assert.match(error.message, /pcapng/);
    });

    it("empty pcap file", () => {
      const expected = { layer: "pcap", field: "magic", offset: 0, needed: 24, available: 0, truncated: true } as const;
      expectDecodeError(() => decodePcapHeader(new Uint8Array(0)), expected);
      expectDecodeError(() => [...readPcap(new Uint8Array(0))], expected);
      const reader = new PcapReader();
      assert.equal(reader.next(), undefined);
      expectDecodeError(() => reader.end(), expected);
    });

    it("pcap record longer than the file", () => {
      const file = Buffer.concat([
        encodePcapHeader(),
        hex("01 00 00 00  00 00 00 00  64 00 00 00  64 00 00 00"), // captured 100
        new Uint8Array(10),
      ]);
      const expected = { layer: "pcap", field: "packetData", offset: 40, needed: 140, available: 50 } as const;
      const error = expectDecodeError(() => [...readPcap(file)], expected);
      assert.equal(error.message, "pcap: truncated at byte 40 (packetData): need 140 bytes, got 50");
      const reader = new PcapReader();
      reader.push(file);
      assert.equal(reader.next(), undefined, "waits for the rest of the record");
      expectDecodeError(() => reader.end(), expected);
    });

    it("pcap record header cut short", () => {
      const oneRecord = writePcap([{ seconds: 1, nanoseconds: 0, data: hex("aa bb") }]);
      const file = Buffer.concat([oneRecord, hex("01 00 00 00  00 00")]);
      const expected = { field: "recordHeader", offset: 42, needed: 58, available: 48, truncated: true } as const;
      const read: PcapRecord[] = [];
      expectDecodeError(() => {
        for (const r of readPcap(file)) read.push(r);
      }, expected);
      assert.equal(read.length, 1, "the whole record before it is read");
    });

    it("pcap record with an absurd captured length is rejected without waiting for its bytes", () => {
      const header = encodePcapHeader();
      const reader = new PcapReader();
      reader.push(header);
      reader.push(hex("01 00 00 00  00 00 00 00  ff ff ff ff  ff ff ff ff"));
      const error = expectDecodeError(() => reader.next(), {
        field: "capturedLength",
        offset: 32,
        needed: MAX_CAPTURED_LENGTH,
        available: 0xffff_ffff,
        truncated: false,
      });
      assert.match(error.message, /4294967295 is more than the 262144-byte maximum/);
      expectDecodeError(() => reader.next(), { field: "capturedLength" });
      expectDecodeError(() => reader.end(), { field: "capturedLength" });
    });

    it("pcap record with more bytes captured than its original length is rejected, as tcpdump's \"Invalid header\"", () => {
      // captured 60, original 42: libpcap 1.10/tcpdump 4.99 print "[Invalid header: len(42) < caplen(60)]"
      const file = Buffer.concat([
        encodePcapHeader(),
        encodePcapRecord({ resolution: "micro", littleEndian: true }, { seconds: 1, nanoseconds: 0, data: hex("aa") }),
        hex("02 00 00 00  00 00 00 00  3c 00 00 00  2a 00 00 00"),
        new Uint8Array(60),
      ]);
      const read: number[] = [];
      const error = expectDecodeError(
        () => {
          for (const record of readPcap(file)) read.push(record.seconds);
        },
        { field: "capturedLength", offset: 24 + 17 + 8, needed: 42, available: 60, truncated: false },
      );
      assert.equal(error.message, "pcap: bad capturedLength at byte 49: invalid header: len(42) < caplen(60): more bytes captured than were on the wire; the file is corrupt");
      assert.deepEqual(read, [1], "the record before it is read");
      // the streaming reader: at once, without waiting for the data, and from then on
      const reader = new PcapReader();
      reader.push(file.subarray(0, 24 + 17 + 16));
      assert.equal(reader.next()?.seconds, 1);
      expectDecodeError(() => reader.next(), { field: "capturedLength", available: 60 });
      expectDecodeError(() => reader.end(), { field: "capturedLength" });
      // equal lengths are fine
      const equal = Buffer.concat([encodePcapHeader(), hex("02 00 00 00  00 00 00 00  01 00 00 00  01 00 00 00  bb")]);
      assert.equal([...readPcap(equal)][0].originalLength, 1);
    });

    it("pcap record of the largest captured length is read and one byte more is rejected", () => {
      const largest = writePcap([{ seconds: 0, nanoseconds: 0, data: new Uint8Array(MAX_CAPTURED_LENGTH) }]);
      assert.equal([...readPcap(largest)][0].capturedLength, MAX_CAPTURED_LENGTH);
      const tooLong = Buffer.concat([encodePcapHeader(), hex("00 00 00 00  00 00 00 00  01 00 04 00  01 00 04 00")]);
      expectDecodeError(() => [...readPcap(tooLong)], { field: "capturedLength", available: MAX_CAPTURED_LENGTH + 1 });
      expectDecodeError(() => [...readPcap(largest, { maxCapturedLength: 1500 })], {
        field: "capturedLength",
        needed: 1500,
      });
    });

    it("pcap record with a second or more of microseconds is rejected, and streaming goes on after it", () => {
      const file = Buffer.concat([
        encodePcapHeader(),
        hex("01 00 00 00  40 42 0f 00  01 00 00 00  01 00 00 00  aa"), // 1000000 µs
        encodePcapRecord({ resolution: "micro", littleEndian }, { seconds: 2, nanoseconds: 0, data: hex("bb") }),
      ]);
      const expected = {
        field: "subseconds",
        offset: 28,
        needed: 1_000_000,
        available: 1_000_000,
        truncated: false,
      } as const;
      const error = expectDecodeError(() => [...readPcap(file)], expected);
      assert.match(error.message, /1000000 microseconds is not less than one second/);
      const reader = new PcapReader();
      reader.push(file);
      expectDecodeError(() => reader.next(), expected);
      assert.equal(reader.next()?.seconds, 2);
      reader.end();
    });

    it("pcap file cut at any length gives the records before the cut, then an error naming what was cut", () => {
      const headerFields = [
        ["magic", 0, 4],
        ["versionMajor", 4, 6],
        ["versionMinor", 6, 8],
        ["timeZoneOffset", 8, 12],
        ["timestampAccuracy", 12, 16],
        ["snapLength", 16, 20],
        ["linkType", 20, 24],
      ] as const;
      const reach = new Reach("cut at any length", { noRecords: 1, overThreeRecords: 8, cutsInPacketData: 30, emptyRecordData: 8, nano: 10, micro: 10 });
      fc.assert(
        fc.property(fileArbitrary, ({ resolution, records }) => {
          const file = writePcap(records, { resolution });
          reach.run();
          reach.hit("noRecords", records.length === 0);
          reach.hit("overThreeRecords", records.length > 3);
          reach.hit("cutsInPacketData", records.some((r) => r.data.length > 0));
          reach.hit("emptyRecordData", records.some((r) => r.data.length === 0));
          reach.hit(resolution);
          const recordStarts = [24];
          for (const r of records) recordStarts.push(recordStarts[recordStarts.length - 1] + 16 + r.data.length);
          for (let cut = 0; cut <= file.length; cut++) {
            const prefix = file.slice(0, cut);
            let expected: Partial<DecodeError> | undefined;
            let wholeRecords = 0;
            if (cut < 24) {
              const [field, offset] = headerFields.find(([, , end]) => end > cut) ?? headerFields[0];
              expected = { field, offset, needed: 24, available: cut, truncated: true };
            } else {
              while (wholeRecords < records.length && recordStarts[wholeRecords + 1] <= cut) wholeRecords++;
              const start = recordStarts[wholeRecords];
              if (cut === start) expected = undefined;
              else if (cut < start + 16) {
                expected = { field: "recordHeader", offset: start, needed: start + 16, available: cut };
              } else {
                const end = recordStarts[wholeRecords + 1];
                expected = { field: "packetData", offset: start + 16, needed: end, available: cut };
              }
            }
            const wanted = records.slice(0, wholeRecords).map(plain);

            const read: PcapRecord[] = [];
            const readWhole = () => {
              for (const r of readPcap(prefix)) read.push(r);
            };
            if (expected === undefined) readWhole();
            else expectDecodeError(readWhole, { layer: "pcap", ...expected });
            assert.deepEqual(read.map(plainRecord), wanted, `records read from ${cut} bytes`);

            const reader = new PcapReader();
            reader.push(prefix);
            const streamed: PcapRecord[] = [];
            for (let r = reader.next(); r !== undefined; r = reader.next()) streamed.push(r);
            if (expected === undefined) reader.end();
            else expectDecodeError(() => reader.end(), { layer: "pcap", ...expected });
            assert.deepEqual(streamed.map(plainRecord), wanted, `records streamed from ${cut} bytes`);
          }
        }),
        { numRuns: 60 },
      );
      reach.check();
    });

    it("random bytes after a good header give records or a DecodeError, never another exception", () => {
      // Random bytes, but a third of the time the first record header's captured length is made to fit
      // what follows (and its microseconds drawn small), so that records are read and not only refused.
      const reach = new Reach("random bytes after a good header", {
        recordsRead: 300, refusedTruncated: 300, refusedMalformed: 100, over100Bytes: 300, nano: 300, micro: 300,
      });
      fc.assert(
        fc.property(resolutionArbitrary, fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.nat(), (resolution, random, shaped, draw) => {
          const rest = random.slice();
          if (shaped && rest.length >= 16) {
            const view = new DataView(rest.buffer, rest.byteOffset, rest.length);
            view.setUint32(4, draw % (resolution === "nano" ? 1e9 : 1e6), true);
            view.setUint32(8, draw % (rest.length - 15), true);
          }
          reach.run();
          reach.hit(resolution);
          reach.hit("over100Bytes", rest.length > 100);
          const file = Buffer.concat([encodePcapHeader({ resolution }), rest]);
          let read = 0;
          try {
            for (const record of readPcap(file)) {
              assert.ok(record.nanoseconds < 1e9);
              read++;
            }
          } catch (error) {
            assert.ok(error instanceof DecodeError, String(error));
            reach.hit("refusedTruncated", error.truncated);
            reach.hit("refusedMalformed", !error.truncated);
          }
          reach.hit("recordsRead", read > 0);
        }),
        { numRuns: 3000 },
      );
      reach.check();
    });
  });

  describe("agreement with tcpdump", function () {
    this.timeout(60_000);
    let directory = "";
    before(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-pcap-"));
    });
    after(() => {
      fs.rmSync(directory, { recursive: true, force: true });
    });

    /** Ethernet frames to unknown ethertype 0x88b5 (tcpdump prints one line each), varied lengths and times. */
    function sampleRecords(resolution: PcapResolution): PcapRecordInput[] {
      const records: PcapRecordInput[] = [];
      let seed = 7;
      const random = () => (seed = (seed * 1_103_515_245 + 12345) % 2 ** 31);
      // tcpdump 4.99 prints "[Error converting time]" past 2^31-1 seconds, so stay below it.
      const seconds = [0, 1, 1_700_000_000, 2 ** 31 - 100];
      for (let i = 0; i < 40; i++) {
        const length = 14 + (random() % 1500);
        const data = new Uint8Array(length);
        data.set(hex("ff ff ff ff ff ff  02 00 00 00 00 01  88 b5"));
        for (let j = 14; j < length; j++) data[j] = random() & 0xff;
        const nanoseconds = i === 0 ? 0 : i === 1 ? 999_999_999 : random() % 1_000_000_000;
        records.push({
          seconds: seconds[i % seconds.length] + i,
          nanoseconds: resolution === "nano" ? nanoseconds : Math.floor(nanoseconds / 1000) * 1000,
          data,
          originalLength: i % 5 === 0 ? length + 100 : length,
        });
      }
      return records;
    }

    function tcpdump(args: readonly string[]): { stdout: string; stderr: string } {
      const found = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"].find((p) => fs.existsSync(p));
      const program = found ?? "tcpdump";
      const result = spawnSync(program, args, { encoding: "utf8", maxBuffer: 64 << 20 });
      if (result.error !== undefined) {
        throw new Error(
          `tcpdump could not be run (${result.error.message}): these tests check our pcap files against it, ` +
            "so install it (apt-get install tcpdump) rather than skip them",
        );
      }
      assert.equal(result.status, 0, `tcpdump ${args.join(" ")} failed: ${result.stderr}`);
      return { stdout: result.stdout, stderr: result.stderr };
    }

    /** Timestamp text and wire length of each frame tcpdump printed with -n -tt -e. */
    function framesPrinted(stdout: string): { time: string; length: number }[] {
      const frames: { time: string; length: number }[] = [];
      for (const line of stdout.split("\n")) {
        const time = /^(\d+\.\d+) /.exec(line);
        if (time === null) continue; // hex dump and protocol detail lines are indented
        // -e puts the link-level header first: "… > …, ethertype IPv4 (0x0800), length 98: …"
        const length = /, length (\d+): /.exec(line);
        assert.ok(length !== null, `tcpdump printed no frame length in: ${line}`);
        frames.push({ time: time[1], length: Number(length[1]) });
      }
      return frames;
    }

    function timeText(record: PcapRecordInput, resolution: PcapResolution): string {
      const fraction =
        resolution === "nano"
          ? String(record.nanoseconds).padStart(9, "0")
          : String(Math.floor(record.nanoseconds / 1000)).padStart(6, "0");
      return `${record.seconds}.${fraction}`;
    }

    for (const resolution of ["micro", "nano"] as const) {
      it(`tcpdump reads a ${resolution}second file we wrote: same frames, timestamps and lengths`, () => {
        const records = sampleRecords(resolution);
        const file = path.join(directory, `ours-${resolution}.pcap`);
        fs.writeFileSync(file, writePcap(records, { resolution, snapLength: 1600 }));
        const precision = resolution === "nano" ? ["--time-stamp-precision=nano"] : [];
        const { stdout, stderr } = tcpdump([...precision, "-r", file, "-n", "-tt", "-e"]);
        assert.match(stderr, /link-type EN10MB \(Ethernet\), snapshot length 1600/);
        assert.deepEqual(
          framesPrinted(stdout),
          records.map((r) => ({ time: timeText(r, resolution), length: r.originalLength ?? r.data.length })),
        );
      });
    }

    it("tcpdump reads a big-endian file we wrote record by record", () => {
      const records = sampleRecords("micro").slice(0, 10);
      const file = path.join(directory, "ours-big-endian.pcap");
      const header = bigEndianHeader("micro", 65535, LINKTYPE_ETHERNET);
      const bigEndian = { resolution: "micro", littleEndian: false } as const;
      fs.writeFileSync(file, Buffer.concat([header, ...records.map((r) => encodePcapRecord(bigEndian, r))]));
      const { stdout } = tcpdump(["-r", file, "-n", "-tt", "-e"]);
      assert.deepEqual(
        framesPrinted(stdout).map((f) => f.time),
        records.map((r) => timeText(r, "micro")),
      );
    });

    for (const capture of ["samples/two-hosts.pcap", "test/packets/fixtures/kernel-frames.pcap"]) {
      it(`we read the frames tcpdump captured from the kernel in ${capture} as tcpdump reads them`, () => {
        const file = path.resolve(__dirname, "../../..", capture); // from dist/test/packets to the repo
        const bytes = new Uint8Array(fs.readFileSync(file));
        const records = [...readPcap(bytes)];
        assert.ok(records.length > 0);
        assert.equal(decodePcapHeader(bytes).linkType, LINKTYPE_ETHERNET);
        const { stdout } = tcpdump(["-r", file, "-n", "-tt", "-e"]);
        assert.deepEqual(
          records.map((r) => ({ time: timeText(r, "micro"), length: r.originalLength })),
          framesPrinted(stdout),
        );
      });
    }

    it("we read the file tcpdump writes back from ours, and it is byte for byte ours", () => {
      const records = sampleRecords("micro");
      const ours = writePcap(records);
      const input = path.join(directory, "ours-again.pcap");
      const output = path.join(directory, "theirs-micro.pcap");
      fs.writeFileSync(input, ours);
      tcpdump(["-r", input, "-w", output]);
      const theirs = new Uint8Array(fs.readFileSync(output));
      assert.deepEqual([...readPcap(theirs)].map(plainRecord), records.map(plain));
      assert.deepEqual(theirs, ours);
    });

    it("we read a nanosecond file tcpdump wrote", () => {
      const records = sampleRecords("micro");
      const input = path.join(directory, "ours-for-nano.pcap");
      const output = path.join(directory, "theirs-nano.pcap");
      fs.writeFileSync(input, writePcap(records));
      tcpdump(["--time-stamp-precision=nano", "-r", input, "-w", output]);
      const theirs = new Uint8Array(fs.readFileSync(output));
      assert.equal(decodePcapHeader(theirs).resolution, "nano");
      assert.deepEqual(readStreaming(chunked(theirs, [4096])).map(plainRecord), records.map(plain));
    });
  });

  describe("agreement with scapy", function () {
    this.timeout(60_000);
    let directory = "";
    let python = "";
    before(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-pcap-scapy-"));
      // A pyenv or virtualenv python3 first on PATH may lack the distribution's scapy: try the system one first.
      const candidates = ["/usr/bin/python3", "python3"];
      const found = candidates.find((p) => spawnSync(p, ["-c", "import scapy"], { stdio: "ignore" }).status === 0);
      if (found === undefined) {
        throw new Error(
          `no python3 that can import scapy (tried ${candidates.join(", ")}): these tests check our pcap files ` +
            "against scapy's reader and writer, so install it (apt-get install python3-scapy) rather than skip them",
        );
      }
      python = found;
    });
    after(() => {
      fs.rmSync(directory, { recursive: true, force: true });
    });

    /** Runs a python script with scapy and `input` as JSON in sys.argv[1]; returns what it prints to stdout. */
    function runScapy(script: string, input: unknown): string {
      const program = `from scapy.all import *\nimport json, sys\n${script}`;
      const result = spawnSync(python, ["-c", program, JSON.stringify(input)], { encoding: "utf8" });
      assert.equal(result.status, 0, `scapy script failed: ${result.stderr}`);
      return result.stdout;
    }

    // Times as decimal text so that scapy keeps every nanosecond (it would round a float). Away from
    // the end of a second: scapy writes the seconds through a float, which rounds 2^31-1.999999999 up.
    const frames = [
      { time: "1700000000.123456789", data: "ffffffffffff 020000000001 88b5 00112233", originalLength: 60 },
      { time: "1.000000001", data: "020000000002 020000000001 88b5", originalLength: 14 },
      { time: "4000000000.5", data: "020000000001 020000000002 0800 4500001c", originalLength: 1514 },
    ].map((f) => ({ ...f, data: f.data.replace(/ /g, "") }));

    function expectedRecords(resolution: PcapResolution) {
      return frames.map((f) => {
        const [seconds, fraction] = f.time.split(".");
        const nanoseconds = Number(fraction.padEnd(9, "0"));
        return {
          seconds: Number(seconds),
          nanoseconds: resolution === "nano" ? nanoseconds : Math.floor(nanoseconds / 1000) * 1000,
          originalLength: f.originalLength,
          data: f.data,
        };
      });
    }

    const writeWithScapy = `
from decimal import Decimal
spec = json.loads(sys.argv[1])
packets = []
for frame in spec["frames"]:
    packet = Ether(bytes.fromhex(frame["data"]))
    packet.time = Decimal(frame["time"])
    packet.wirelen = frame["originalLength"]
    packets.append(packet)
writer = PcapWriter(spec["file"], nano=spec["nano"], endianness=spec["endianness"], linktype=1)
for packet in packets:
    writer.write(packet)
writer.close()
`;

    for (const [resolution, endianness] of [
      ["nano", "<"],
      ["nano", ">"],
      ["micro", ">"],
    ] as const) {
      const order = endianness === "<" ? "little" : "big";
      it(`we read a ${order}-endian ${resolution}second file scapy wrote`, () => {
        const file = path.join(directory, `scapy-${resolution}-${order}.pcap`);
        // A microsecond file gets whole microseconds (scapy would round the rest; we keep the floor).
        const toMicroseconds = (time: string) => time.replace(/(\.\d{6})\d+$/, "$1");
        const written = resolution === "nano" ? frames : frames.map((f) => ({ ...f, time: toMicroseconds(f.time) }));
        runScapy(writeWithScapy, { file, frames: written, nano: resolution === "nano", endianness });
        const bytes = new Uint8Array(fs.readFileSync(file));
        const header = decodePcapHeader(bytes);
        assert.equal(header.resolution, resolution);
        assert.equal(header.littleEndian, endianness === "<");
        assert.equal(header.linkType, LINKTYPE_ETHERNET);
        assert.deepEqual([...readPcap(bytes)].map(plainRecord), expectedRecords(resolution));
      });
    }

    const readWithScapy = `
reader = RawPcapReader(json.loads(sys.argv[1]))
records = [{"seconds": m.sec, "subseconds": m.usec, "originalLength": m.wirelen, "data": data.hex()} for data, m in reader]
print(json.dumps({"nano": bool(reader.nano), "endian": reader.endian, "linktype": reader.linktype, "records": records}))
`;

    for (const resolution of ["micro", "nano"] as const) {
      it(`scapy reads a ${resolution}second file we wrote`, () => {
        const records = expectedRecords(resolution).map((r) => ({ ...r, data: hex(r.data) }));
        const file = path.join(directory, `ours-${resolution}.pcap`);
        fs.writeFileSync(file, writePcap(records, { resolution }));
        const read = JSON.parse(runScapy(readWithScapy, file)) as unknown;
        assert.deepEqual(read, {
          nano: resolution === "nano",
          endian: "<",
          linktype: LINKTYPE_ETHERNET,
          records: records.map((r) => ({
            seconds: r.seconds,
            subseconds: resolution === "nano" ? r.nanoseconds : r.nanoseconds / 1000,
            originalLength: r.originalLength,
            data: Buffer.from(r.data).toString("hex"),
          })),
        });
      });
    }

    it("scapy reads a big-endian file we wrote record by record", () => {
      const records = expectedRecords("nano").map((r) => ({ ...r, data: hex(r.data) }));
      const file = path.join(directory, "ours-big-endian.pcap");
      const bigEndian = { resolution: "nano", littleEndian: false } as const;
      const encoded = records.map((r) => encodePcapRecord(bigEndian, r));
      fs.writeFileSync(file, Buffer.concat([bigEndianHeader("nano", 65535, 1), ...encoded]));
      type ScapyView = { endian: string; records: { seconds: number; subseconds: number }[] };
      const read = JSON.parse(runScapy(readWithScapy, file)) as ScapyView;
      assert.equal(read.endian, ">");
      assert.deepEqual(
        read.records.map((r) => [r.seconds, r.subseconds]),
        records.map((r) => [r.seconds, r.nanoseconds]),
      );
    });
  });
});

/** A big-endian global header, as a big-endian machine's libpcap writes it. */
function bigEndianHeader(resolution: PcapResolution, snapLength: number, linkType: number): Uint8Array {
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, resolution === "nano" ? 0xa1b23c4d : 0xa1b2c3d4);
  view.setUint16(4, 2);
  view.setUint16(6, 4);
  view.setUint32(16, snapLength);
  view.setUint32(20, linkType);
  return bytes;
}

// Fixed cases for the writer's argument checks, which the mutation run found unpinned: each bad
// argument refused with a RangeError whose message names it, and nothing written.
describe("pcap writer (fixed cases: arguments refused)", () => {
  const refused = (write: () => unknown, message: string) => assert.throws(write, (e: unknown) => e instanceof RangeError && e.message === message);
  const header = { resolution: "micro" as const, littleEndian: true };
  const record = { seconds: 1, nanoseconds: 2000, data: new Uint8Array(4) };

  it("the global header: snap length and link type whole numbers in 0..2^32-1, the target big enough at a whole, non-negative offset", () => {
    refused(() => emitPcapHeader({ snapLength: 1.5 }, new Uint8Array(24)), "pcap: snap length must be an integer from 0 to 4294967295, not 1.5");
    refused(() => emitPcapHeader({ linkType: -1 }, new Uint8Array(24)), "pcap: link type must be an integer from 0 to 4294967295, not -1");
    refused(() => emitPcapHeader({}, new Uint8Array(24), -1), "pcap: the file header needs 24 bytes at offset -1; the target holds 24");
    refused(() => emitPcapHeader({}, new Uint8Array(30), 0.5), "pcap: the file header needs 24 bytes at offset 0.5; the target holds 30");
    refused(() => emitPcapHeader({}, new Uint8Array(30), 7), "pcap: the file header needs 24 bytes at offset 7; the target holds 30");
    const target = new Uint8Array(30).fill(0xee);
    assert.equal(emitPcapHeader({}, target, 6), 30);
    assert.deepEqual([...target.subarray(0, 6)], new Array(6).fill(0xee));
    assert.deepEqual([...target.subarray(6, 10)], [0xd4, 0xc3, 0xb2, 0xa1], "the microsecond magic, little-endian, at the offset");
    const nano = emitPcapHeader({ resolution: "nano" }, new Uint8Array(24));
    assert.equal(nano, 24);
  });

  it("a record: seconds, nanoseconds, captured and original length checked, the target big enough", () => {
    refused(() => emitPcapRecord(header, { ...record, seconds: -1 }, new Uint8Array(20)), "pcap: seconds must be an integer from 0 to 4294967295, not -1");
    refused(() => emitPcapRecord(header, { ...record, nanoseconds: -1 }, new Uint8Array(20)), "pcap: nanoseconds must be an integer from 0 to 999999999, not -1");
    refused(() => emitPcapRecord(header, { ...record, nanoseconds: 0.5 }, new Uint8Array(20)), "pcap: nanoseconds must be an integer from 0 to 999999999, not 0.5");
    refused(() => emitPcapRecord(header, { ...record, data: new Uint8Array(262145) }, new Uint8Array(262161)), "pcap: a record holds at most 262144 bytes, not 262145");
    refused(() => emitPcapRecord(header, { ...record, originalLength: 2 ** 32 }, new Uint8Array(20)), "pcap: original length must be an integer from 0 to 4294967295, not 4294967296");
    refused(() => emitPcapRecord(header, { ...record, originalLength: 3 }, new Uint8Array(20)), "pcap: original length 3 is less than the 4 bytes captured");
    refused(() => emitPcapRecord(header, record, new Uint8Array(19)), "pcap: the record needs 20 bytes at offset 0; the target holds 19");
    refused(() => emitPcapRecord(header, record, new Uint8Array(40), -2), "pcap: the record needs 20 bytes at offset -2; the target holds 40");
    const target = new Uint8Array(25).fill(0xee);
    assert.equal(emitPcapRecord(header, record, target, 5), 25);
    assert.deepEqual([...target.subarray(0, 5)], new Array(5).fill(0xee));
    assert.deepEqual([...target.subarray(5, 13)], [1, 0, 0, 0, 2, 0, 0, 0], "seconds, then microseconds, at the offset");
  });
});

// The pcapng reader: any file our test writer makes (several sections in either byte order, several
// interfaces of any link type, timestamp resolutions and offsets, every packet block, blocks to skip)
// reads back exactly, whole or in chunks of any size; a file cut at any length gives the packets
// before the cut and then one error naming the block and where it starts; broken files are refused
// in one line naming the block and offset; and real files written by dumpcap, editcap and mergecap
// read as tshark reads them (timestamps to the nanosecond, lengths, interfaces).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { DecodeError } from "../../src/packets/errors";
import { readPcap } from "../../src/packets/pcap";
import { PcapngReader, PcapngRecord, pcapngBlockName, readPcapng } from "../../src/packets/pcapng";
import { CaptureReader } from "../../src/packets/capture";
import { Reach, scaled } from "../helpers/property";
import { runTool, TSHARK, Tool } from "../helpers/tools";
import { ExpectedRecord, NgBlock, NgInterface, NgSection, blockSpans, expectedRecords, unitsPerSecond, writePcapng } from "./pcapng-writer";

const FIXTURES = path.resolve(__dirname, "../../../test/packets/fixtures");
const EDITCAP: Tool = { command: "editcap", debianPackage: "wireshark-common" };

function plain(record: PcapngRecord): ExpectedRecord {
  assert.equal(record.capturedLength, record.data.length);
  return {
    seconds: record.seconds,
    nanoseconds: record.nanoseconds,
    originalLength: record.originalLength,
    data: Buffer.from(record.data).toString("hex"),
    linkType: record.linkType,
    interfaceId: record.interfaceId,
    section: record.section,
  };
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
  assert.ok(!thrown.message.includes("\n"), "one line");
  return thrown;
}

// ---------------------------------------------------------------------------------------------
// Generated files

const LINK_TYPES = [1, 113, 276, 101, 0, 108, 147];
/** if_tsresol bytes: absent (µs), µs, ns, ms, s, 2^-20 s, 2^-30 s, 10^-12 s */
const TSRESOLS = [undefined, 6, 9, 3, 0, 0x80 | 20, 0x80 | 30, 12];

const interfaceArbitrary: fc.Arbitrary<NgInterface> = fc
  .record({
    linkType: fc.constantFrom(...LINK_TYPES),
    snapLength: fc.oneof(fc.constant(0), fc.constant(262144), fc.integer({ min: 1, max: 100 })),
    tsresol: fc.constantFrom(...TSRESOLS),
    tsoffset: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: undefined }),
    name: fc.option(fc.constantFrom("eth0", "a-long-interface-name"), { nil: undefined }),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as NgInterface);

const data = fc.oneof({ weight: 1, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 6, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 70 }) });

/** A packet block (or a block to skip) for a section of `interfaces`. */
function blockArbitrary(interfaces: readonly NgInterface[]): fc.Arbitrary<NgBlock> {
  const stamped = (kind: "enhanced" | "packet") =>
    fc.integer({ min: 0, max: interfaces.length - 1 }).chain((interfaceId) =>
      fc.record({
        kind: fc.constant(kind),
        interfaceId: fc.constant(interfaceId),
        // as many seconds as a 64-bit count of the interface's units holds (4.2e9 s at most)
        seconds: fc.integer({ min: 0, max: Math.min(0xffff_ffff, Number(2n ** 64n / unitsPerSecond(interfaces[interfaceId].tsresol)) - 1) }),
        fraction: fc.bigInt({ min: 0n, max: unitsPerSecond(interfaces[interfaceId].tsresol) - 1n }),
        data,
        originalLength: fc.nat(2000),
        flagsOption: fc.boolean(),
      }).map((b) => ({ ...b, originalLength: b.data.length + b.originalLength })),
    );
  return fc.oneof(
    { weight: 6, arbitrary: stamped("enhanced") },
    { weight: 1, arbitrary: stamped("packet") },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("simple" as const), data, originalLength: fc.integer({ min: 0, max: 100 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("other" as const), type: fc.constantFrom(4, 5, 0x0a, 0x0bad, 0x40000bad, 0x12345678), body: fc.uint8Array({ maxLength: 30 }) }) },
  );
}

const sectionArbitrary: fc.Arbitrary<NgSection> = fc
  .record({ littleEndian: fc.boolean(), interfaces: fc.array(interfaceArbitrary, { minLength: 1, maxLength: 3 }) })
  .chain(({ littleEndian, interfaces }) =>
    fc.array(blockArbitrary(interfaces), { maxLength: 5 }).map((blocks) => ({
      littleEndian,
      blocks: [...interfaces.map((iface) => ({ kind: "interface" as const, iface })), ...blocks],
    })),
  );

const fileArbitrary = fc.array(sectionArbitrary, { minLength: 1, maxLength: 3 });

type FileCase =
  | "multiSection"
  | "multiInterface"
  | "littleEndian"
  | "bigEndian"
  | "bothOrders"
  | "nanosecond"
  | "binaryResolution"
  | "picosecond"
  | "tsOffset"
  | "simplePacket"
  | "obsoletePacket"
  | "skippedBlock"
  | "interfaceNotZero"
  | "mixedLinkTypes";

function fileCases(property: string, runs: number): Reach<FileCase> {
  const share = (fraction: number) => Math.floor(runs * fraction);
  return new Reach<FileCase>(property, {
    multiSection: share(0.3),
    multiInterface: share(0.3),
    littleEndian: share(0.3),
    bigEndian: share(0.3),
    bothOrders: share(0.1),
    nanosecond: share(0.1),
    binaryResolution: share(0.1),
    picosecond: share(0.05),
    tsOffset: share(0.2),
    simplePacket: share(0.1),
    obsoletePacket: share(0.1),
    skippedBlock: share(0.2),
    interfaceNotZero: share(0.2),
    mixedLinkTypes: share(0.2),
  });
}

function tally(reach: Reach<FileCase>, sections: readonly NgSection[]): void {
  reach.run();
  const blocks = sections.flatMap((s) => s.blocks);
  const interfaces = blocks.flatMap((b) => (b.kind === "interface" ? [b.iface] : []));
  const stamped = sections.flatMap((s) => {
    const ifs = s.blocks.flatMap((b) => (b.kind === "interface" ? [b.iface] : []));
    return s.blocks.flatMap((b) => (b.kind === "enhanced" || b.kind === "packet" ? [ifs[b.interfaceId]] : []));
  });
  reach.hit("multiSection", sections.length > 1);
  reach.hit("multiInterface", sections.some((s) => s.blocks.filter((b) => b.kind === "interface").length > 1));
  reach.hit("littleEndian", sections.some((s) => s.littleEndian));
  reach.hit("bigEndian", sections.some((s) => !s.littleEndian));
  reach.hit("bothOrders", sections.some((s) => s.littleEndian) && sections.some((s) => !s.littleEndian));
  reach.hit("nanosecond", stamped.some((i) => i.tsresol === 9));
  reach.hit("binaryResolution", stamped.some((i) => i.tsresol !== undefined && (i.tsresol & 0x80) !== 0));
  reach.hit("picosecond", stamped.some((i) => i.tsresol === 12));
  reach.hit("tsOffset", stamped.some((i) => i.tsoffset !== undefined && i.tsoffset !== 0));
  reach.hit("simplePacket", blocks.some((b) => b.kind === "simple"));
  reach.hit("obsoletePacket", blocks.some((b) => b.kind === "packet"));
  reach.hit("skippedBlock", blocks.some((b) => b.kind === "other"));
  reach.hit("interfaceNotZero", blocks.some((b) => (b.kind === "enhanced" || b.kind === "packet") && b.interfaceId > 0));
  reach.hit("mixedLinkTypes", new Set(interfaces.map((i) => i.linkType)).size > 1);
}

/** Everything the reader yields for `chunks` pushed in order, reading after every push. */
function readStreaming(chunks: Iterable<Uint8Array>): PcapngRecord[] {
  const reader = new PcapngReader();
  const records: PcapngRecord[] = [];
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

function* chunked(bytes: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

describe("pcapng files", () => {
  describe("reading", () => {
    it("reads every packet of any file back: sections in either byte order, interfaces, resolutions, offsets, every packet block", () => {
      const runs = scaled(1500);
      const reach = fileCases("pcapng read back", runs);
      fc.assert(
        fc.property(fileArbitrary, (sections) => {
          tally(reach, sections);
          const file = writePcapng(sections);
          assert.deepEqual([...readPcapng(file)].map(plain), expectedRecords(sections));
        }),
        { numRuns: runs },
      );
      reach.check();
    });

    it("yields the same packets whatever sizes of chunks the file arrives in, and keeps them intact when the caller reuses its buffer", () => {
      const runs = scaled(500, 500);
      const reach = new Reach("pcapng chunks", { chunkUnder8Bytes: runs / 4, blockSplit: runs / 2, multiSection: runs / 5 });
      fc.assert(
        fc.property(fileArbitrary, fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }), (sections, sizes) => {
          const file = writePcapng(sections);
          reach.run();
          reach.hit("chunkUnder8Bytes", sizes.some((n) => n < 8));
          reach.hit("blockSplit", sizes.some((n) => n < file.length));
          reach.hit("multiSection", sections.length > 1);
          // one buffer, overwritten for every chunk
          const buffer = new Uint8Array(60);
          const reused = (function* () {
            for (const chunk of chunked(file, sizes)) {
              buffer.set(chunk);
              yield buffer.subarray(0, chunk.length);
              buffer.fill(0xee);
            }
          })();
          assert.deepEqual(readStreaming(reused).map(plain), expectedRecords(sections));
        }),
        { numRuns: runs },
      );
      reach.check();
    });

    it("gives, for a file cut at any length, the packets before the cut and then an error naming the block cut and where it starts", () => {
      const runs = scaled(150, 150);
      const reach = new Reach("pcapng cut anywhere", { cutInPacket: runs / 2, cutInSectionHeader: runs / 2, cutInSecondSection: runs / 5, bigEndian: runs / 4 });
      fc.assert(
        fc.property(fileArbitrary, (sections) => {
          const file = writePcapng(sections);
          const spans = blockSpans(file, sections);
          const all = expectedRecords(sections);
          reach.run();
          reach.hit("cutInPacket", spans.some((s) => s.type === 6));
          reach.hit("cutInSectionHeader");
          reach.hit("cutInSecondSection", sections.length > 1);
          reach.hit("bigEndian", sections.some((s) => !s.littleEndian));
          for (let cut = 0; cut <= file.length; cut++) {
            const whole = spans.filter((s) => s.end <= cut);
            const packets = whole.filter((s) => s.type === 2 || s.type === 3 || s.type === 6).length;
            const got: PcapngRecord[] = [];
            const reader = new PcapngReader();
            reader.push(file.subarray(0, cut));
            for (let r = reader.next(); r !== undefined; r = reader.next()) got.push(r);
            assert.deepEqual(got.map(plain), all.slice(0, packets), `cut at ${cut}`);
            const inside = spans.find((s) => s.start < cut && cut < s.end);
            if (cut === 0) {
              expectDecodeError(() => reader.end(), { field: "Section Header Block", offset: 0, available: 0, truncated: true });
            } else if (inside === undefined) {
              reader.end();
            } else {
              const named = cut - inside.start < 4 ? "block header" : pcapngBlockName(inside.type);
              const headerIn = cut - inside.start >= (inside.type === 0x0a0d0d0a ? 12 : 8);
              expectDecodeError(() => reader.end(), { field: named, offset: inside.start, available: cut, truncated: true, ...(headerIn ? { needed: inside.end } : {}) });
            }
          }
        }),
        { numRuns: runs },
      );
      reach.check();
    });
  });

  describe("broken files", () => {
    const iface: NgSection["blocks"][number] = { kind: "interface", iface: { linkType: 1, snapLength: 0 } };
    const packet = (interfaceId = 0): NgBlock => ({ kind: "enhanced", interfaceId, seconds: 1_700_000_000, fraction: 5n, data: Uint8Array.of(1, 2, 3), originalLength: 3 });
    const good = () => writePcapng([{ littleEndian: true, blocks: [iface, packet()] }]);
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const read = (file: Uint8Array) => () => [...readPcapng(file)];
    const EPB_AT = 28 + 20; // SHB 28 bytes, IDB 20

    it("a file that does not start with a Section Header Block", () => {
      const file = good().subarray(28);
      const error = expectDecodeError(read(file), { field: "blockType", offset: 0 });
      assert.match(error.message, /^pcapng: bad blockType at byte 0: the file starts with bytes 01 00 00 00; a pcapng file starts with a Section Header Block \(0a 0d 0d 0a\)$/);
    });

    it("a byte-order magic that is neither order", () => {
      const file = good();
      file[8] = 0x99;
      const error = expectDecodeError(read(file), { field: "byteOrderMagic", offset: 8 });
      assert.match(error.message, /the Section Header Block at byte 0: byte-order magic 99 3c 2b 1a/);
    });

    it("a major version other than 1", () => {
      const file = good();
      view(file).setUint16(12, 2, true);
      expectDecodeError(read(file), { field: "versionMajor", offset: 12, available: 2 });
    });

    it("a block length under 12, not a multiple of 4, over the maximum, or unlike its trailing copy", () => {
      for (const [length, reason] of [[8, /its length 8 is under the 12 bytes it needs/], [30, /its length 30 is not a multiple of 4/], [0x7ffffffc, /more than the 16777216-byte maximum/]] as const) {
        const file = good();
        view(file).setUint32(EPB_AT + 4, length, true);
        const error = expectDecodeError(read(file), { field: "blockLength", offset: EPB_AT + 4 });
        assert.match(error.message, new RegExp(`^pcapng: bad blockLength at byte ${EPB_AT + 4}: the Enhanced Packet Block at byte ${EPB_AT}: `));
        assert.match(error.message, reason);
      }
      const file = good();
      view(file).setUint32(file.length - 4, 40, true);
      expectDecodeError(read(file), { field: "trailingBlockLength", offset: file.length - 4, needed: file.length - EPB_AT, available: 40 });
    });

    it("a packet of an interface the section has not described, even one described in an earlier section", () => {
      const file = writePcapng([
        { littleEndian: true, blocks: [iface, iface, packet(1)] },
        { littleEndian: false, blocks: [iface, packet(1)] },
      ]);
      const reader = new PcapngReader();
      reader.push(file);
      assert.equal(reader.next()?.interfaceId, 1);
      const error = expectDecodeError(() => reader.next(), { field: "interfaceId", available: 1, needed: 1 });
      assert.match(error.message, /the Enhanced Packet Block at byte \d+: interface 1 is not among the 1 this section describes/);
      expectDecodeError(() => reader.end(), { field: "interfaceId" }); // the same error from then on
    });

    it("a captured length beyond its block, and an option running past its block", () => {
      const file = good();
      view(file).setUint32(EPB_AT + 20, 9, true);
      const error = expectDecodeError(read(file), { field: "capturedLength", offset: EPB_AT + 20, available: 9, needed: 4 });
      assert.match(error.message, /captured length 9 is more than the 4 bytes the block holds/);
      const named = writePcapng([{ littleEndian: true, blocks: [{ kind: "interface", iface: { linkType: 1, snapLength: 0, name: "eth0" } }] }]);
      view(named).setUint16(28 + 16 + 2, 200, true); // if_name's length
      expectDecodeError(read(named), { field: "option", offset: 28 + 16 });
    });

    it("an if_tsresol finer than a 64-bit count can hold", () => {
      const file = writePcapng([{ littleEndian: true, blocks: [{ kind: "interface", iface: { linkType: 1, snapLength: 0, tsresol: 20 } }] }]);
      const error = expectDecodeError(read(file), { field: "if_tsresol", available: 20 });
      assert.match(error.message, /the Interface Description Block at byte 28: if_tsresol 0x14/);
    });

    it("an empty file", () => {
      const reader = new PcapngReader();
      expectDecodeError(() => reader.end(), { field: "Section Header Block", offset: 0, available: 0 });
    });

    it("a block cut short many storage blocks into a big file names its offset in the whole file", () => {
      const big: NgBlock[] = [iface];
      for (let i = 0; i < 3000; i++) big.push({ ...packet(), data: new Uint8Array(1000).fill(i & 0xff), originalLength: 1000 } as NgBlock);
      const file = writePcapng([{ littleEndian: false, blocks: big }]);
      const cut = file.length - 10;
      const reader = new PcapngReader();
      let count = 0;
      for (const chunk of chunked(file.subarray(0, cut), [65536])) {
        reader.push(chunk);
        while (reader.next() !== undefined) count++;
      }
      assert.equal(count, 2999);
      const start = file.length - (28 + 1000 + 4);
      expectDecodeError(() => reader.end(), { field: "Enhanced Packet Block", offset: start, needed: file.length, available: cut });
    });
  });

  describe("either format (CaptureReader)", () => {
    it("tells pcapng from classic pcap by the first four bytes, however few arrive at a time, and reads both alike", () => {
      const ng = new Uint8Array(fs.readFileSync(path.join(FIXTURES, "kernel-frames.pcapng")));
      const classic = new Uint8Array(fs.readFileSync(path.join(FIXTURES, "kernel-frames.pcap")));
      const read = (file: Uint8Array) => {
        const reader = new CaptureReader();
        const out: string[] = [];
        for (const chunk of chunked(file, [1, 2, 1, 7])) {
          reader.push(chunk);
          for (let r = reader.next(); r !== undefined; r = reader.next()) out.push(`${reader.linkType} ${r.seconds}.${r.nanoseconds} ${Buffer.from(r.data).toString("hex")}`);
        }
        reader.end();
        return { out, header: reader.header, format: reader.format };
      };
      const a = read(ng);
      const b = read(classic);
      assert.equal(a.format, "pcapng");
      assert.equal(b.format, "pcap");
      assert.deepEqual(a.out, b.out);
      assert.deepEqual({ ...a.header, format: "pcap" }, b.header);
    });

    it("reads a classic file's link type as libpcap does: the lower 16 bits (the upper ones hold FCS lengths)", () => {
      const file = new Uint8Array(fs.readFileSync(path.join(FIXTURES, "any-sll.pcap")));
      new DataView(file.buffer).setUint32(20, 0x3000_0000 | 113, true);
      const reader = new CaptureReader();
      reader.push(file);
      assert.ok(reader.next() !== undefined);
      assert.equal(reader.linkType, 113);
      assert.equal(reader.header?.linkType, 113);
    });

    it("says, for a file of neither format, that either would do; and for fewer than four bytes, what is missing", () => {
      const reader = new CaptureReader();
      reader.push(Buffer.from("text"));
      const error = expectDecodeError(() => reader.next(), { layer: "pcap", field: "magic" });
      assert.match(error.message, /in either byte order, or a pcapng file's 0a 0d 0d 0a$/);
      const short = new CaptureReader();
      short.push(Uint8Array.of(0x0a, 0x0d));
      expectDecodeError(() => short.end(), { layer: "pcap", field: "magic", available: 2, truncated: true });
    });
  });

  describe("files written by real tools, as tshark reads them", () => {
    let directory = "";
    before(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-pcapng-"));
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    /** tshark's epoch time (9 decimals), frame length, captured length and interface, one line a frame. */
    function tsharkFields(file: string): string[] {
      const { stdout } = runTool(TSHARK, ["-r", file, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.interface_id"]);
      return stdout.split("\n").filter((l) => l !== "");
    }

    function ourFields(file: string): string[] {
      const reader = new CaptureReader();
      reader.push(new Uint8Array(fs.readFileSync(file)));
      const out: string[] = [];
      for (let r = reader.next(); r !== undefined; r = reader.next()) {
        const id = "interfaceId" in r ? (r as PcapngRecord).interfaceId : 0;
        out.push(`${r.seconds}.${String(r.nanoseconds).padStart(9, "0")}\t${r.originalLength}\t${r.capturedLength}\t${id}`);
      }
      reader.end();
      return out;
    }

    const files = ["a0-nano.pcapng", "two-interfaces.pcapng", "mixed.pcapng", "kernel-frames.pcapng"];
    for (const name of files) {
      it(`${name}: every frame's time to the nanosecond, lengths and interface, as tshark gives them`, () => {
        const file = path.join(FIXTURES, name);
        const theirs = tsharkFields(file);
        assert.ok(theirs.length > 20, `${name} has frames`);
        assert.deepEqual(ourFields(file), theirs);
      });
    }

    it("the fixtures reach what they are for: nanoseconds, two interfaces, two link types, both formats of one capture alike", () => {
      const records = (name: string) => [...readPcapng(new Uint8Array(fs.readFileSync(path.join(FIXTURES, name))))];
      assert.ok(records("a0-nano.pcapng").some((r) => r.nanoseconds % 1000 !== 0), "a sub-microsecond timestamp");
      assert.deepEqual(new Set(records("two-interfaces.pcapng").map((r) => r.interfaceId)), new Set([0, 1]));
      assert.deepEqual(new Set(records("mixed.pcapng").map((r) => r.linkType)), new Set([1, 276]));
      const classic = [...readPcap(new Uint8Array(fs.readFileSync(path.join(FIXTURES, "kernel-frames.pcap"))))];
      const converted = records("kernel-frames.pcapng");
      assert.deepEqual(
        converted.map((r) => [r.seconds, r.nanoseconds, r.originalLength, Buffer.from(r.data).toString("hex")]),
        classic.map((r) => [r.seconds, r.nanoseconds, r.originalLength, Buffer.from(r.data).toString("hex")]),
      );
    });

    it("editcap's pcapng of every classic fixture reads as the classic file does, and tshark agrees", () => {
      for (const name of ["any-sll.pcap", "any-sll2.pcap", "raw.pcap", "null.pcap", "loop.pcap"]) {
        const converted = path.join(directory, `${name}ng`);
        runTool(EDITCAP, ["-F", "pcapng", path.join(FIXTURES, name), converted]);
        const classic = [...readPcap(new Uint8Array(fs.readFileSync(path.join(FIXTURES, name))))];
        const ng = [...readPcapng(new Uint8Array(fs.readFileSync(converted)))];
        assert.equal(ng.length, classic.length, name);
        ng.forEach((r, i) => {
          assert.equal(r.seconds, classic[i].seconds);
          assert.equal(r.nanoseconds, classic[i].nanoseconds);
          assert.deepEqual(r.data, classic[i].data);
        });
        assert.deepEqual(ourFields(converted), tsharkFields(converted), name);
      }
    });
  });
});

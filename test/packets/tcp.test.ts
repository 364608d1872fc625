// TCP codec: property round trips that reach every option the codec decodes and raw ones, over
// IPv4 and IPv6 pseudo-headers; every truncation and every lying length (data offset, option
// length); agreement with scapy (fields, options, checksums, bad ones included).
import { strict as assert } from "assert";
import fc from "fast-check";
import {
  DecodeError,
  emitTcp,
  parseTcp,
  PseudoHeader,
  pseudoHeaderSum,
  TCP_PROTOCOL,
  tcpBufferLength,
  TcpOption,
  tcpOptionLength,
  TcpPacket,
  TcpRecord,
} from "../../src/packets";
import { Reach, scaled } from "../helpers/property";
import { ipPacket, pseudoHeader, scapyDecode, tcpRecord, u16 } from "./transport-arbitraries";

function emitted(record: TcpRecord, pseudo: PseudoHeader): Uint8Array {
  const bytes = new Uint8Array(tcpBufferLength(record));
  assert.equal(emitTcp(record, bytes, 0, { pseudoHeader: pseudo }), bytes.length);
  return bytes;
}

const plain = (options: readonly TcpOption[]): unknown[] =>
  options.map((o) => (o.kind === "other" ? { ...o, data: Array.from(o.data) } : o.kind === "sack" ? { ...o, blocks: o.blocks.map((b) => [...b]) } : o));

describe("packets/tcp", () => {
  it("property: emit then view then parse gives the record back: every option kind, raw ones, both pseudo-headers, a checksum that verifies", () => {
    const reach = new Reach("tcp round trip", {
      ipv4: 300, ipv6: 300, eol: 100, nop: 100, mss: 100, windowScale: 100, sackPermitted: 100, sack: 100, timestamps: 100, other: 100,
      knownKindOtherLength: 20, noOptions: 20, fullOptions: 20, payload: 300,
    });
    fc.assert(
      fc.property(tcpRecord, pseudoHeader(), (record, pseudo) => {
        reach.run();
        reach.hit(pseudo.source.length === 4 ? "ipv4" : "ipv6");
        for (const kind of new Set(record.options.map((o) => o.kind))) reach.hit(kind as "eol");
        reach.hit("knownKindOtherLength", record.options.some((o) => o.kind === "other" && [2, 3, 4, 5, 8].includes(o.type)));
        reach.hit("noOptions", record.options.length === 0);
        reach.hit("payload", record.payload.length > 0);
        const bytes = emitted(record, pseudo);
        reach.hit("fullOptions", (bytes[12] >> 4) === 15);
        const view = new TcpPacket().reset(bytes);
        assert.equal(view.check(), undefined);
        const parsed = parseTcp(view);
        assert.equal(parsed.headerLength, (bytes[12] >> 4) * 4);
        // zeros pad the options to a word; read back, the first of them is an EOL
        const optionBytes = record.options.reduce((n, o) => n + tcpOptionLength(o), 0);
        const padded = optionBytes % 4 !== 0 && record.options.at(-1)?.kind !== "eol";
        assert.deepEqual(plain(parsed.options), plain(padded ? [...record.options, { kind: "eol" }] : record.options));
        assert.ok(parsed.padding.every((b) => b === 0) && parsed.padding.length < 4 + (record.options.at(-1)?.kind === "eol" ? 40 : 0));
        const { options: _o, padding: _p, payload: _l, headerLength: _h, checksum: _c, ...fixed } = parsed;
        const { options: _o2, padding: _p2, payload: _l2, headerLength: _h2, checksum: _c2, ...wanted } = record;
        assert.deepEqual(fixed, wanted);
        assert.deepEqual(Array.from(parsed.payload), Array.from(record.payload));
        assert.ok(view.checksumVerifies(pseudoHeaderSum(pseudo, TCP_PROTOCOL, bytes.length)));
        const again = new Uint8Array(bytes.length);
        emitTcp(parsed, again, 0, { fixLengths: false, computeChecksums: false });
        assert.deepEqual(again, bytes);
        bytes[bytes.length - 1] ^= 0x21;
        assert.ok(!view.checksumVerifies(pseudoHeaderSum(pseudo, TCP_PROTOCOL, bytes.length)));
      }),
      { numRuns: scaled(1500) },
    );
    reach.check();
  });

  it("every cut of a segment's header is a length error from the captured bytes; a data offset or an option length past its limit is one from the header", () => {
    const reach = new Reach("tcp truncation", { dataOffsetLies: 100, optionLengthLies: 100 });
    fc.assert(
      fc.property(tcpRecord, pseudoHeader(), fc.nat(), (record, pseudo, pick) => {
        reach.run();
        const bytes = emitted(record, pseudo);
        const headerLength = (bytes[12] >> 4) * 4;
        for (let cut = 0; cut < headerLength; cut++) {
          const error = new TcpPacket().reset(bytes.subarray(0, cut), 0, bytes.length).check();
          assert.ok(error instanceof DecodeError, `cut at ${cut}`);
          assert.equal(error.truncated, true);
          assert.equal(error.lengthSource, "captured", `cut at ${cut}: ${error.message}`);
          assert.equal(error.available, cut);
          if (cut >= 20) assert.equal(error.field, "options");
        }
        // a cut in the payload leaves the header readable; the payload is what is there
        if (bytes.length > headerLength) {
          const view = new TcpPacket().reset(bytes.subarray(0, headerLength), 0, bytes.length);
          assert.equal(view.check(), undefined);
          assert.equal(view.payloadLength, bytes.length - headerLength);
        }
        // the data offset says more than the IP payload holds
        if (headerLength > 20) {
          reach.hit("dataOffsetLies");
          const padded = new Uint8Array(bytes.length + 60);
          padded.set(bytes);
          const end = 20 + (pick % (headerLength - 20));
          const error = new TcpPacket().reset(padded, 0, end).check();
          assert.ok(error instanceof DecodeError);
          assert.equal(error.lengthSource, "header");
          assert.equal(error.field, "options");
          assert.equal(error.needed, headerLength);
        }
        // an option (not EOL/NOP) whose length byte runs past the data offset's end
        const first = record.options.findIndex((o) => o.kind !== "nop" && o.kind !== "eol");
        if (first >= 0) {
          reach.hit("optionLengthLies");
          let at = 20;
          for (let i = 0; i < first; i++) at += 1;
          const lying = bytes.slice();
          lying[at + 1] = headerLength - at + 1 + (pick % 4);
          const error = new TcpPacket().reset(lying).check();
          assert.ok(error instanceof DecodeError);
          assert.equal(error.lengthSource, "header", error.message);
          assert.equal(error.offset, at);
          assert.equal(error.available, headerLength);
          lying[at + 1] = pick % 2;
          const under = new TcpPacket().reset(lying).check();
          assert.ok(under instanceof DecodeError && !under.truncated && under.field === "option length");
        }
      }),
      { numRuns: scaled(400, 400) },
    );
    reach.check();
  });

  it("a data offset under 5 is a content error naming the field and its value", () => {
    for (let words = 0; words < 5; words++) {
      const bytes = new Uint8Array(40);
      bytes[12] = words << 4;
      const error = new TcpPacket(bytes).check();
      assert.ok(error instanceof DecodeError);
      assert.equal(error.truncated, false);
      assert.equal(error.field, "dataOffset");
      assert.equal(error.available, words);
    }
  });

  it("refuses what it cannot emit, with a line that says what to do", () => {
    const record: TcpRecord = {
      sourcePort: 1, destinationPort: 2, sequence: 0, acknowledgment: 0, headerLength: 0, flags: 2, window: 0, checksum: 0, urgentPointer: 0,
      options: [], padding: new Uint8Array(0), payload: new Uint8Array(0),
    };
    assert.throws(() => emitTcp(record, new Uint8Array(20)), /takeover: tcp: computeChecksums needs options.pseudoHeader/);
    assert.throws(() => emitTcp({ ...record, options: [{ kind: "other", type: 99, data: new Uint8Array(40) }] }, new Uint8Array(100), 0, { computeChecksums: false }), /pass the 40 a header holds/);
  });

  it("agrees with scapy on every field, option and checksum of 300 segments over IPv4 and IPv6, a fifth with a wrong checksum", () => {
    const cases = fc.sample(fc.tuple(tcpRecord, pseudoHeader(), fc.integer({ min: 1, max: 5 }), u16), { numRuns: 300, seed: 20261205 });
    const reach = new Reach("tcp vs scapy", { ipv4: 100, ipv6: 100, badChecksum: 40, sack: 30, timestamps: 30, other: 30 });
    const packets: Uint8Array[] = [];
    const ours: { view: TcpPacket; pseudo: PseudoHeader; bad: boolean; bytes: Uint8Array }[] = [];
    for (const [record, pseudo, die, wrong] of cases) {
      const bad = die === 1;
      const bytes = emitted(record, pseudo);
      if (bad) {
        const good = (bytes[16] << 8) | bytes[17];
        const value = wrong === good ? good ^ 0x0101 : wrong;
        bytes[16] = value >> 8;
        bytes[17] = value & 0xff;
      }
      reach.run();
      reach.hit(pseudo.source.length === 4 ? "ipv4" : "ipv6");
      reach.hit("badChecksum", bad);
      for (const kind of new Set(record.options.map((o) => o.kind))) if (kind === "sack" || kind === "timestamps" || kind === "other") reach.hit(kind);
      packets.push(ipPacket(pseudo, TCP_PROTOCOL, bytes));
      ours.push({ view: new TcpPacket(bytes), pseudo, bad, bytes });
    }
    reach.check();
    const theirs = scapyDecode(packets);
    assert.equal(theirs.length, ours.length);
    ours.forEach(({ view, pseudo, bad, bytes }, i) => {
      const t = theirs[i];
      const r = parseTcp(view);
      assert.deepEqual(
        {
          sport: r.sourcePort, dport: r.destinationPort, seq: r.sequence, ack: r.acknowledgment, dataofs: r.headerLength / 4, reserved: r.flags >> 9,
          flags: r.flags & 0x1ff, window: r.window, chksum: r.checksum, urgptr: r.urgentPointer, payload: Buffer.from(r.payload).toString("hex"),
        },
        { sport: t.sport, dport: t.dport, seq: t.seq, ack: t.ack, dataofs: t.dataofs, reserved: t.reserved, flags: t.flags, window: t.window, chksum: t.chksum, urgptr: t.urgptr, payload: t.payload },
        `segment ${i}`,
      );
      // a raw option of a kind scapy names is compared by name: scapy decodes it by that kind's format
      const theirOptions = (t.options as [string, unknown][]).map(([name, value], k): [string, unknown] => (r.options[k]?.kind === "other" && name in SCAPY_KIND_OF ? [name, null] : [name, value]));
      assert.deepEqual(scapyStyle(r.options), theirOptions, `segment ${i}: options`);
      const verifies = view.checksumVerifies(pseudoHeaderSum(pseudo, TCP_PROTOCOL, bytes.length));
      assert.equal(verifies, t.chksum === t.computed, `segment ${i}: our checksum verdict against scapy's`);
      assert.equal(verifies, !bad);
    });
  });
});

/** The option kinds scapy 2.5 names (scapy.layers.inet.TCPOptions). */
const SCAPY_NAMES: Record<number, string> = {
  0: "EOL", 1: "NOP", 2: "MSS", 3: "WScale", 4: "SAckOK", 5: "SAck", 8: "Timestamp", 14: "AltChkSum", 15: "AltChkSumOpt",
  19: "MD5", 25: "Mood", 28: "UTO", 29: "AO", 34: "TFO",
};
const SCAPY_KIND_OF: Record<string, number> = Object.fromEntries(Object.entries(SCAPY_NAMES).map(([kind, name]) => [name, Number(kind)]));

/** Our options as scapy 2.5 lists them (name, value). */
function scapyStyle(options: readonly TcpOption[]): [string | number, unknown][] {
  return options.map((o): [string | number, unknown] => {
    switch (o.kind) {
      case "eol":
        return ["EOL", null];
      case "nop":
        return ["NOP", null];
      case "mss":
        return ["MSS", o.value];
      case "windowScale":
        return ["WScale", o.shift];
      case "sackPermitted":
        return ["SAckOK", ""];
      case "sack":
        return ["SAck", o.blocks.flat()];
      case "timestamps":
        return ["Timestamp", [o.value, o.echo]];
      case "other": {
        const name = SCAPY_NAMES[o.type];
        return name === undefined ? [String(o.type), Buffer.from(o.data).toString("hex")] : [name, null];
      }
    }
  });
}

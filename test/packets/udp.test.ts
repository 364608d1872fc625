// UDP codec: property round trips over IPv4 and IPv6 pseudo-headers, every truncation and every
// lying length field, and agreement with scapy (fields and checksums, bad ones included).
import { strict as assert } from "assert";
import fc from "fast-check";
import {
  DecodeError,
  emitUdp,
  parseUdp,
  PseudoHeader,
  pseudoHeaderSum,
  pseudoHeaderSumAt,
  UDP_PROTOCOL,
  udpBufferLength,
  UdpPacket,
  UdpRecord,
} from "../../src/packets";
import { Reach, scaled } from "../helpers/property";
import { ipPacket, pseudoHeader, scapyDecode, u16, udpRecord } from "./transport-arbitraries";

function emitted(record: UdpRecord, pseudo: PseudoHeader): Uint8Array {
  const bytes = new Uint8Array(udpBufferLength(record));
  assert.equal(emitUdp(record, bytes, 0, { pseudoHeader: pseudo }), bytes.length);
  return bytes;
}

describe("packets/udp", () => {
  it("property: emit then view then parse gives the record back, with the length and a checksum that verifies (IPv4 and IPv6 pseudo-headers)", () => {
    const reach = new Reach("udp round trip", { ipv4: 200, ipv6: 200, emptyPayload: 5 });
    fc.assert(
      fc.property(udpRecord, pseudoHeader(), (record, pseudo) => {
        reach.run();
        reach.hit(pseudo.source.length === 4 ? "ipv4" : "ipv6");
        reach.hit("emptyPayload", record.payload.length === 0);
        const bytes = emitted(record, pseudo);
        const view = new UdpPacket().reset(bytes);
        assert.equal(view.check(), undefined);
        const parsed = parseUdp(view);
        assert.deepEqual({ ...parsed, payload: Array.from(parsed.payload) }, { ...record, length: bytes.length, checksum: parsed.checksum, payload: Array.from(record.payload) });
        assert.notEqual(parsed.checksum, 0, "a computed zero goes out as 0xffff");
        assert.ok(view.checksumVerifies(pseudoHeaderSum(pseudo, UDP_PROTOCOL, bytes.length)));
        // the same sum read from the addresses where an IP header holds them
        const packet = ipPacket(pseudo, UDP_PROTOCOL, bytes);
        const v4 = pseudo.source.length === 4;
        assert.equal(pseudoHeaderSumAt(packet, v4 ? 12 : 8, v4 ? 16 : 24, pseudo.source.length, UDP_PROTOCOL, bytes.length), pseudoHeaderSum(pseudo, UDP_PROTOCOL, bytes.length));
        // emitting the parsed record as it is gives the same bytes
        const again = new Uint8Array(bytes.length);
        emitUdp(parsed, again, 0, { fixLengths: false, computeChecksums: false });
        assert.deepEqual(again, bytes);
        // any one byte changed breaks the checksum
        if (bytes.length > 8) {
          bytes[bytes.length - 1] ^= 0x5a;
          assert.ok(!view.checksumVerifies(pseudoHeaderSum(pseudo, UDP_PROTOCOL, bytes.length)));
        }
      }),
      { numRuns: scaled(1000) },
    );
    reach.check();
  });

  it("every cut of a datagram is a length error from the captured bytes; a length field past the IP payload is one from the header", () => {
    fc.assert(
      fc.property(udpRecord, pseudoHeader(), (record, pseudo) => {
        const bytes = emitted(record, pseudo);
        for (let cut = 0; cut < bytes.length; cut++) {
          // the enclosing header says the datagram is whole; the capture holds `cut` bytes of it
          const error = new UdpPacket().reset(bytes.subarray(0, cut), 0, bytes.length).check();
          assert.ok(error instanceof DecodeError, `cut at ${cut}`);
          assert.equal(error.truncated, true);
          assert.equal(error.lengthSource, "captured", `cut at ${cut}: ${error.message}`);
          assert.equal(error.layer, "udp");
          assert.equal(error.available, cut);
          assert.equal(error.field, cut < 2 ? "sourcePort" : cut < 4 ? "destinationPort" : cut < 6 ? "length" : cut < 8 ? "checksum" : "payload");
        }
        // the IP payload (end) ends before the length field says: the header lies
        for (let end = 8; end < bytes.length; end++) {
          const padded = new Uint8Array(bytes.length + 10);
          padded.set(bytes);
          const error = new UdpPacket().reset(padded, 0, end).check();
          assert.ok(error instanceof DecodeError);
          assert.equal(error.lengthSource, "header");
          assert.equal(error.field, "payload");
          assert.equal(error.needed, bytes.length);
          assert.equal(error.available, end);
        }
      }),
      { numRuns: scaled(200, 200) },
    );
  });

  it("a length field under 8 is a content error naming the field and its value", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), (length) => {
        const bytes = new Uint8Array([0, 1, 0, 2, 0, length, 0, 0, 9, 9]);
        const error = new UdpPacket(bytes, 0).check();
        assert.ok(error instanceof DecodeError);
        assert.equal(error.truncated, false);
        assert.equal(error.field, "length");
        assert.equal(error.available, length);
      }),
    );
  });

  it("refuses to compute a checksum without the pseudo-header, with a line that says what to give", () => {
    const record: UdpRecord = { sourcePort: 1, destinationPort: 2, length: 0, checksum: 0, payload: new Uint8Array(1) };
    assert.throws(() => emitUdp(record, new Uint8Array(9)), /takeover: udp: computeChecksums needs options.pseudoHeader/);
    assert.throws(() => emitUdp(record, new Uint8Array(9), 0, { pseudoHeader: { source: new Uint8Array(4), destination: new Uint8Array(16) } }), /addresses of 4 and 16 bytes/);
    assert.throws(() => emitUdp(record, new Uint8Array(8)), RangeError);
  });

  it("agrees with scapy on every field and checksum of 300 datagrams over IPv4 and IPv6, a fifth with a wrong checksum", () => {
    const cases = fc.sample(fc.tuple(udpRecord, pseudoHeader(), fc.integer({ min: 1, max: 5 }), u16), { numRuns: 300, seed: 20261204 });
    const reach = new Reach("udp vs scapy", { ipv4: 100, ipv6: 100, badChecksum: 40 });
    const packets: Uint8Array[] = [];
    const ours: { view: UdpPacket; pseudo: PseudoHeader; bad: boolean; bytes: Uint8Array }[] = [];
    for (const [record, pseudo, die, wrong] of cases) {
      const bad = die === 1;
      const bytes = emitted(record, pseudo);
      if (bad) {
        const good = (bytes[6] << 8) | bytes[7];
        const value = wrong === good || wrong === 0 ? (good ^ 0x0101) || 1 : wrong;
        bytes[6] = value >> 8;
        bytes[7] = value & 0xff;
      }
      reach.run();
      reach.hit(pseudo.source.length === 4 ? "ipv4" : "ipv6");
      reach.hit("badChecksum", bad);
      packets.push(ipPacket(pseudo, UDP_PROTOCOL, bytes));
      ours.push({ view: new UdpPacket(bytes), pseudo, bad, bytes });
    }
    reach.check();
    const theirs = scapyDecode(packets);
    assert.equal(theirs.length, ours.length);
    ours.forEach(({ view, pseudo, bad, bytes }, i) => {
      const t = theirs[i];
      const r = parseUdp(view);
      assert.deepEqual(
        { sport: r.sourcePort, dport: r.destinationPort, len: r.length, chksum: r.checksum, payload: Buffer.from(r.payload).toString("hex") },
        { sport: t.sport, dport: t.dport, len: t.len, chksum: t.chksum, payload: t.payload },
        `datagram ${i}`,
      );
      const verifies = view.checksumVerifies(pseudoHeaderSum(pseudo, UDP_PROTOCOL, bytes.length));
      assert.equal(verifies, t.chksum === t.computed, `datagram ${i}: our checksum verdict against scapy's`);
      assert.equal(verifies, !bad);
    });
  });
});

// VRRP codec: property round trips for v2 (with its authentication types) and v3 over IPv4 and
// IPv6; every truncation and a lying address count; agreement with scapy (fields and checksums).
import { strict as assert } from "assert";
import fc from "fast-check";
import { DecodeError, emitVrrp, parseVrrp, PseudoHeader, pseudoHeaderSum, VRRP_PROTOCOL, vrrpBufferLength, VrrpPacket, VrrpRecord } from "../../src/packets";
import { Reach, scaled } from "../helpers/property";
import { addressText, ipPacket, pseudoHeader, scapyDecode, u16, vrrpRecord } from "./transport-arbitraries";

/** A record and the pseudo-header it goes out under: v2 and v3 over IPv4, v3 over IPv6. */
const advert = fc.oneof(
  fc.tuple(vrrpRecord(4), pseudoHeader(4)),
  fc.tuple(vrrpRecord(16), pseudoHeader(16)),
);

function emitted(record: VrrpRecord, pseudo: PseudoHeader): Uint8Array {
  const bytes = new Uint8Array(vrrpBufferLength(record));
  assert.equal(emitVrrp(record, bytes, 0, { pseudoHeader: pseudo }), bytes.length);
  return bytes;
}

const plain = (r: VrrpRecord): unknown => ({ ...r, addresses: r.addresses.map((a) => Array.from(a)), authData: Array.from(r.authData) });

function sumFor(view: VrrpPacket, pseudo: PseudoHeader, length: number): number {
  return view.version === 2 ? 0 : pseudoHeaderSum(pseudo, VRRP_PROTOCOL, length);
}

describe("packets/vrrp", () => {
  it("property: emit then view then parse gives the record back: v2 with each auth type, v3 over IPv4 and IPv6, a checksum that verifies", () => {
    const reach = new Reach("vrrp round trip", { v2: 200, v3ipv4: 100, v3ipv6: 200, authNone: 30, authSimple: 30, authAh: 30, authOther: 30, otherType: 30, manyAddresses: 100 });
    fc.assert(
      fc.property(advert, ([record, pseudo]) => {
        reach.run();
        reach.hit("v2", record.version === 2);
        reach.hit("v3ipv4", record.version === 3 && pseudo.source.length === 4);
        reach.hit("v3ipv6", record.version === 3 && pseudo.source.length === 16);
        if (record.version === 2) reach.hit(record.authType === 0 ? "authNone" : record.authType === 1 ? "authSimple" : record.authType === 2 ? "authAh" : "authOther");
        reach.hit("otherType", record.type !== 1);
        reach.hit("manyAddresses", record.addresses.length > 1);
        const bytes = emitted(record, pseudo);
        const view = new VrrpPacket().reset(bytes, 0, bytes.length, pseudo.source.length as 4 | 16);
        assert.equal(view.check(), undefined);
        const parsed = parseVrrp(view);
        assert.deepEqual(plain(parsed), plain({ ...record, addressCount: record.addresses.length, checksum: parsed.checksum }));
        assert.ok(view.checksumVerifies(sumFor(view, pseudo, bytes.length)));
        const again = new Uint8Array(bytes.length);
        emitVrrp(parsed, again, 0, { fixLengths: false, computeChecksums: false });
        assert.deepEqual(again, bytes);
        bytes[1] ^= 0x40;
        assert.ok(!view.checksumVerifies(sumFor(view, pseudo, bytes.length)));
      }),
      { numRuns: scaled(1000) },
    );
    reach.check();
  });

  it("every cut is a length error from the captured bytes; an address count past the IP payload is one from the header", () => {
    fc.assert(
      fc.property(advert, ([record, pseudo]) => {
        const bytes = emitted(record, pseudo);
        const n = pseudo.source.length as 4 | 16;
        for (let cut = 0; cut < bytes.length; cut++) {
          const error = new VrrpPacket().reset(bytes.subarray(0, cut), 0, bytes.length, n).check();
          assert.ok(error instanceof DecodeError, `cut at ${cut}`);
          assert.equal(error.truncated, true);
          assert.equal(error.lengthSource, "captured");
          assert.equal(error.available, cut);
          assert.equal(error.field, cut < 1 ? "version" : cut < 8 ? ["version", "virtualRouterId", "priority", "addressCount", "interval", "interval", "checksum", "checksum"][cut] : cut < 8 + n * record.addresses.length ? "addresses" : "authData");
        }
        const lying = new Uint8Array(bytes.length + 64);
        lying.set(bytes);
        lying[3] = record.addresses.length + 1 + (record.version === 2 ? 2 : 0);
        const error = new VrrpPacket().reset(lying, 0, bytes.length, n).check();
        assert.ok(error instanceof DecodeError);
        assert.equal(error.lengthSource, "header");
        assert.equal(error.field, "addresses");
      }),
      { numRuns: scaled(300, 300) },
    );
  });

  it("a version other than 2 or 3, or v2 over IPv6, is a content error naming the version", () => {
    for (const [version, n] of [[0, 4], [1, 4], [4, 4], [15, 16], [2, 16]] as const) {
      const bytes = new Uint8Array(64);
      bytes[0] = (version << 4) | 1;
      const error = new VrrpPacket().reset(bytes, 0, 64, n).check();
      assert.ok(error instanceof DecodeError && !error.truncated, `version ${version}`);
      assert.equal(error.field, "version");
      assert.equal(error.available, version);
    }
  });

  it("refuses what it cannot emit, with a line that says what to do", () => {
    const v3: VrrpRecord = { version: 3, type: 1, virtualRouterId: 1, priority: 100, addressCount: 0, authType: 0, interval: 100, checksum: 0, addresses: [new Uint8Array(4)], authData: new Uint8Array(0) };
    assert.throws(() => emitVrrp(v3, new Uint8Array(12)), /takeover: vrrp: a version 3 checksum needs options.pseudoHeader/);
    assert.throws(() => emitVrrp({ ...v3, addresses: [new Uint8Array(4), new Uint8Array(16)] }, new Uint8Array(64), 0, { computeChecksums: false }), /all 4-byte/);
    assert.throws(() => emitVrrp({ ...v3, version: 2, addresses: [new Uint8Array(16)], authData: new Uint8Array(8) }, new Uint8Array(64)), /all 4-byte/);
  });

  it("agrees with scapy on every field and checksum of 300 adverts (v2, v3 over IPv4 and IPv6), a fifth with a wrong checksum", () => {
    const cases = fc.sample(fc.tuple(advert, fc.integer({ min: 1, max: 5 }), u16), { numRuns: 300, seed: 20261206 });
    const reach = new Reach("vrrp vs scapy", { v2: 60, v3ipv4: 30, v3ipv6: 60, badChecksum: 40 });
    const packets: Uint8Array[] = [];
    const ours: { view: VrrpPacket; pseudo: PseudoHeader; bad: boolean; bytes: Uint8Array }[] = [];
    for (const [[drawn, pseudo], die, wrong] of cases) {
      // scapy takes a message for v3 only when its first byte is 0x30-0x39 (VRRP.dispatch_hook): types 0-9
      const record = drawn.version === 3 && drawn.type > 9 ? { ...drawn, type: drawn.type - 10 } : drawn;
      const bad = die === 1;
      const bytes = emitted(record, pseudo);
      if (bad) {
        const good = (bytes[6] << 8) | bytes[7];
        const value = wrong === good ? good ^ 0x0101 : wrong;
        bytes[6] = value >> 8;
        bytes[7] = value & 0xff;
      }
      reach.run();
      reach.hit("v2", record.version === 2);
      reach.hit("v3ipv4", record.version === 3 && pseudo.source.length === 4);
      reach.hit("v3ipv6", record.version === 3 && pseudo.source.length === 16);
      reach.hit("badChecksum", bad);
      packets.push(ipPacket(pseudo, VRRP_PROTOCOL, bytes, 255));
      ours.push({ view: new VrrpPacket(bytes, 0, bytes.length, pseudo.source.length as 4 | 16), pseudo, bad, bytes });
    }
    reach.check();
    const theirs = scapyDecode(packets);
    assert.equal(theirs.length, ours.length);
    ours.forEach(({ view, pseudo, bad, bytes }, i) => {
      const t = theirs[i];
      assert.equal(view.check(), undefined);
      const r = parseVrrp(view);
      const common = { version: r.version, type: r.type, vrid: r.virtualRouterId, priority: r.priority, ipcount: r.addressCount, adv: r.interval, chksum: r.checksum, addrlist: r.addresses.map(addressText) };
      const mine = r.version === 2
        ? { ...common, authtype: r.authType, auth1: (r.authData[0] << 24 | r.authData[1] << 16 | r.authData[2] << 8 | r.authData[3]) >>> 0, auth2: (r.authData[4] << 24 | r.authData[5] << 16 | r.authData[6] << 8 | r.authData[7]) >>> 0 }
        : { ...common, res: r.authType };
      const { computed: _c, ...theirFields } = t;
      assert.deepEqual(mine, theirFields, `advert ${i}`);
      const verifies = view.checksumVerifies(sumFor(view, pseudo, bytes.length));
      assert.equal(verifies, t.chksum === t.computed, `advert ${i}: our checksum verdict against scapy's`);
      assert.equal(verifies, !bad);
    });
  });
});

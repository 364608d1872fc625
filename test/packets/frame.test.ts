// Properties of the frame codec: round trips both ways, the exact DecodeError for every truncation,
// random and mutated bytes never throw anything else, the view path agrees with the record path.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  arpLength,
  DecodeError,
  decodeFrame,
  encodedFrameLength,
  encodeFrame,
  FrameFields,
  FrameKind,
  FrameView,
  ipv4HeaderLength,
  tryDecodeFrame,
} from "../../src/packets";
import * as arb from "./arbitraries";

/** The wire fields of a frame in order, as [layer, field, start, end), for predicting truncation errors. */
function wireFields(record: FrameFields): { fields: [string, string, number, number][]; datagramEnd?: number } {
  const fields: [string, string, number, number][] = [
    ["ethernet", "destination", 0, 6],
    ["ethernet", "source", 6, 12],
    ["ethernet", "etherType", 12, 14],
  ];
  let at = 14;
  if (record.ethernet.vlan !== undefined) {
    fields.push(["ethernet", "vlan", 14, 16], ["ethernet", "etherType", 16, 18]);
    at = 18;
  }
  const push = (layer: string, names: [string, number][]) => {
    for (const [name, span] of names) {
      fields.push([layer, name, at, at + span]);
      at += span;
    }
  };
  if (record.arp !== undefined) {
    const h = record.arp.hardwareLength;
    const p = record.arp.protocolLength;
    const addressNames = record.arp.supported
      ? ["senderMac", "senderIp", "targetMac", "targetIp"]
      : ["senderHardwareAddress", "senderProtocolAddress", "targetHardwareAddress", "targetProtocolAddress"];
    push("arp", [["hardwareType", 2], ["protocolType", 2], ["hardwareLength", 1], ["protocolLength", 1], ["operation", 2],
      [addressNames[0], h], [addressNames[1], p], [addressNames[2], h], [addressNames[3], p]]);
    return { fields: fields.filter(([, , s, e]) => e > s) };
  }
  if (record.ipv4 !== undefined) {
    const start = at;
    push("ipv4", [["version", 1], ["trafficClass", 1], ["totalLength", 2], ["identification", 2], ["flagsAndFragmentOffset", 2],
      ["ttl", 1], ["protocol", 1], ["checksum", 2], ["source", 4], ["destination", 4]]);
    const headerLength = ipv4HeaderLength(record.ipv4);
    if (headerLength > 20) push("ipv4", [["options", headerLength - 20]]);
    return { fields, datagramEnd: start + encodedFrameLength({ ...record, padding: undefined }) - start };
  }
  return { fields };
}

function expectedOutcome(record: FrameFields, cut: number): { error?: Partial<DecodeError> } {
  const { fields, datagramEnd } = wireFields(record);
  const first = fields.find(([, , , end]) => end > cut);
  if (first !== undefined) {
    const [layer, field, offset, needed] = first;
    return { error: { layer: layer as DecodeError["layer"], field, offset, needed, available: cut, reason: undefined } };
  }
  if (datagramEnd !== undefined && cut < datagramEnd) {
    const ipStart = record.ethernet.vlan === undefined ? 14 : 18;
    return { error: { layer: "ipv4", field: "totalLength", offset: ipStart + 2, needed: datagramEnd, available: cut } };
  }
  return {};
}

/** Every field given in `expected` is present in `actual` with a deep-equal value. */
function assertFieldsMatch(actual: object | undefined, expected: object, what: string): void {
  assert.ok(actual !== undefined, `${what} is missing`);
  for (const [key, value] of Object.entries(expected)) {
    if (value === undefined) continue;
    assert.deepStrictEqual((actual as Record<string, unknown>)[key], value, `${what}.${key}`);
  }
}

describe("frame codec", () => {
  it("decodes what it encodes: every field of any valid record comes back", () => {
    fc.assert(
      fc.property(arb.frame, (record) => {
        const bytes = encodeFrame(record);
        assert.equal(bytes.length, encodedFrameLength(record));
        const frame = decodeFrame(bytes);
        assertFieldsMatch(frame.ethernet, record.ethernet, "ethernet");
        assert.equal(frame.ethernet.vlan === undefined, record.ethernet.vlan === undefined, "vlan presence");
        if (record.arp !== undefined) assertFieldsMatch(frame.arp, record.arp, "arp");
        else assert.equal(frame.arp, undefined);
        if (record.ipv4 !== undefined) {
          assertFieldsMatch(frame.ipv4, record.ipv4, "ipv4");
          assert.equal(frame.ipv4!.checksumValid, true);
          assert.equal(frame.ipv4!.version, 4);
        } else assert.equal(frame.ipv4, undefined);
        if (record.icmp !== undefined) {
          assertFieldsMatch(frame.icmp, record.icmp, "icmp");
          assert.equal(frame.icmp!.checksumValid, true);
        } else assert.equal(frame.icmp, undefined);
        assert.deepStrictEqual(frame.payload, record.payload ?? new Uint8Array(0));
        assert.deepStrictEqual(frame.padding, record.padding ?? new Uint8Array(0));
      }),
      { numRuns: 2000 },
    );
  });

  it("encodes what it decodes: the bytes of any valid frame come back unchanged", () => {
    fc.assert(
      fc.property(arb.frame, (record) => {
        const bytes = encodeFrame(record);
        const again = encodeFrame(decodeFrame(bytes));
        assert.deepStrictEqual(again, bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("encodes into a caller's buffer, writing every byte of the frame and none after it", () => {
    fc.assert(
      fc.property(arb.frame, (record) => {
        const length = encodedFrameLength(record);
        const into = new Uint8Array(length + 8).fill(0xa5);
        const written = encodeFrame(record, into);
        assert.equal(written.length, length);
        assert.deepStrictEqual(written, encodeFrame(record));
        assert.deepStrictEqual(into.subarray(length), new Uint8Array(8).fill(0xa5));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a buffer too small for the frame", () => {
    fc.assert(
      fc.property(arb.frame, (record) => {
        const length = encodedFrameLength(record);
        assert.throws(() => encodeFrame(record, new Uint8Array(length - 1)), RangeError);
      }),
      { numRuns: 100 },
    );
  });

  it("gives exactly the expected DecodeError for every truncation of a valid frame", () => {
    fc.assert(
      fc.property(arb.frame, (record) => {
        const bytes = encodeFrame(record);
        for (let cut = 0; cut <= bytes.length; cut++) {
          const expected = expectedOutcome(record, cut);
          const outcome = tryDecodeFrame(bytes.subarray(0, cut));
          if (expected.error === undefined) {
            assert.ok(!(outcome instanceof DecodeError), `cut at ${cut} of ${bytes.length}: unexpected ${String(outcome)}`);
          } else {
            assert.ok(outcome instanceof DecodeError, `cut at ${cut} of ${bytes.length}: decoded, expected ${JSON.stringify(expected.error)}`);
            for (const [key, value] of Object.entries(expected.error)) {
              assert.deepStrictEqual((outcome as unknown as Record<string, unknown>)[key], value, `cut at ${cut}: ${key} (${outcome.message})`);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never reads past the end of the view it was given, nor before its start", () => {
    fc.assert(
      fc.property(arb.frame, fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), (record, before, after, cutSeed) => {
        const bytes = encodeFrame(record);
        const cut = cutSeed % (bytes.length + 1);
        const big = new Uint8Array(before.length + bytes.length + after.length);
        big.set(before, 0);
        big.set(bytes, before.length);
        big.set(after, before.length + bytes.length);
        const inside = big.subarray(before.length, before.length + cut);
        const alone = bytes.slice(0, cut);
        const a = tryDecodeFrame(inside);
        const b = tryDecodeFrame(alone);
        assert.equal(JSON.stringify(a instanceof DecodeError ? a.message : a), JSON.stringify(b instanceof DecodeError ? b.message : b));
      }),
      { numRuns: 1000 },
    );
  });

  it("survives 100,000 random buffers: a record or a DecodeError, nothing else", () => {
    const view = new FrameView();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        let outcome;
        try {
          outcome = decodeFrame(bytes);
        } catch (error) {
          assert.ok(error instanceof DecodeError, `threw ${String(error)}`);
          assert.equal(view.reset(bytes), false, "the view accepted what decodeFrame rejected");
          return;
        }
        JSON.stringify(outcome);
        assert.equal(view.reset(bytes), true, "the view rejected what decodeFrame accepted");
      }),
      { numRuns: 100_000 },
    );
  });

  it("survives mutated valid frames: flipped bytes and lengths give a record or a DecodeError", () => {
    const view = new FrameView();
    fc.assert(
      fc.property(arb.frame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (record, edits) => {
        const bytes = encodeFrame(record).slice();
        for (const [position, value] of edits) bytes[position % bytes.length] = value;
        const outcome = tryDecodeFrame(bytes);
        if (!(outcome instanceof DecodeError)) JSON.stringify(outcome);
        assert.equal(view.reset(bytes), !(outcome instanceof DecodeError));
      }),
      { numRuns: 20_000 },
    );
  });

  it("the view reads the same fields as the record path", () => {
    const view = new FrameView();
    fc.assert(
      fc.property(arb.frame, (record) => {
        const bytes = encodeFrame(record);
        const frame = decodeFrame(bytes);
        assert.ok(view.reset(bytes));
        assert.equal(view.destinationMac, frame.ethernet.destination.value);
        assert.equal(view.sourceMac, frame.ethernet.source.value);
        assert.equal(view.etherType, frame.ethernet.etherType);
        assert.equal(view.vlanId, frame.ethernet.vlan?.id ?? -1);
        if (frame.arp !== undefined) {
          assert.equal(view.kind, frame.arp.supported ? FrameKind.Arp : FrameKind.UnsupportedArp);
          assert.equal(view.arpOperation, frame.arp.operation);
          assert.equal(view.datagramEnd, view.networkOffset + arpLength(frame.arp));
          if (frame.arp.supported) {
            assert.equal(view.arpSenderMac, frame.arp.senderMac.value);
            assert.equal(view.arpSenderIp, frame.arp.senderIp.value);
            assert.equal(view.arpTargetMac, frame.arp.targetMac.value);
            assert.equal(view.arpTargetIp, frame.arp.targetIp.value);
          }
        } else if (frame.ipv4 !== undefined) {
          assert.equal(view.kind, frame.icmp !== undefined ? FrameKind.Icmp : FrameKind.Ipv4);
          assert.equal(view.ipv4Source, frame.ipv4.source.value);
          assert.equal(view.ipv4Destination, frame.ipv4.destination.value);
          assert.equal(view.ipv4Ttl, frame.ipv4.ttl);
          assert.equal(view.ipv4Protocol, frame.ipv4.protocol);
          assert.equal(view.ipv4Identification, frame.ipv4.identification);
          assert.equal(view.ipv4TotalLength, frame.ipv4.totalLength);
          if (frame.icmp !== undefined) {
            assert.equal(view.icmpType, frame.icmp.type);
            assert.equal(view.icmpCode, frame.icmp.code);
            assert.deepStrictEqual(bytes.subarray(view.icmpDataOffset, view.datagramEnd), frame.payload);
            if (frame.icmp.identifier !== undefined) {
              assert.ok(view.isEcho);
              assert.equal(view.icmpIdentifier, frame.icmp.identifier);
              assert.equal(view.icmpSequence, frame.icmp.sequence);
            }
          }
        } else assert.equal(view.kind, FrameKind.Other);
      }),
      { numRuns: 2000 },
    );
  });

  it("JSON form uses the documented names: addresses as text, layers as top-level keys", () => {
    fc.assert(
      fc.property(arb.frame, (record) => {
        const json = JSON.parse(JSON.stringify(decodeFrame(encodeFrame(record))));
        assert.match(json.ethernet.destination, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
        assert.deepStrictEqual(Object.keys(json.ethernet), record.ethernet.vlan ? ["destination", "source", "vlan", "etherType"] : ["destination", "source", "etherType"]);
        if (json.ipv4 !== undefined) {
          assert.match(json.ipv4.source, /^(\d{1,3}\.){3}\d{1,3}$/);
          for (const key of ["version", "headerLength", "dscp", "ecn", "totalLength", "identification", "dontFragment", "moreFragments",
            "fragmentOffset", "ttl", "protocol", "checksum", "checksumValid", "source", "destination"]) {
            assert.ok(key in json.ipv4, `ipv4.${key}`);
          }
        }
        if (json.arp?.supported === false) assert.ok(!("senderMac" in json.arp));
      }),
      { numRuns: 300 },
    );
  });
});

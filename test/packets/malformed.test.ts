// Every class of malformed IPv4 header and cut-short VLAN tag as a fixed case, each beside the
// nearest frame that is accepted: the fuzzer reaches these classes by chance, these tests do not
// depend on it. Each case is checked on both entries to the one frame walk, decodeFrame (the
// DecodeError, field by field) and FrameView.reset (false where decodeFrame throws).
import assert from "node:assert/strict";
import { DecodeError, decodeFrame, decodeIpv4, FrameView, internetChecksum } from "../../src/packets";

/** An untagged Ethernet/IPv4 frame: the IPv4 header at byte 14 with IHL `ihl` and the given totalLength, `after` bytes after it. */
function ipv4Frame(ihl: number, totalLength: number, after: number, protocol = 17): Uint8Array {
  const headerBytes = Math.max(ihl, 5) * 4;
  const bytes = new Uint8Array(14 + headerBytes + after);
  bytes.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]);
  bytes[14] = 0x40 | ihl;
  bytes[16] = totalLength >>> 8;
  bytes[17] = totalLength & 0xff;
  bytes[22] = 64;
  bytes[23] = protocol;
  bytes.set([192, 0, 2, 1, 192, 0, 2, 2], 26);
  const checksum = internetChecksum(bytes, 14, 14 + headerBytes);
  bytes[24] = checksum >>> 8;
  bytes[25] = checksum & 0xff;
  return bytes;
}

function refused(bytes: Uint8Array, expected: Partial<DecodeError>): DecodeError {
  let error: unknown;
  try {
    decodeFrame(bytes);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof DecodeError, `decoded, expected ${JSON.stringify(expected)}`);
  for (const [key, value] of Object.entries(expected)) assert.deepStrictEqual((error as unknown as Record<string, unknown>)[key], value, `${key} (${error.message})`);
  assert.equal(new FrameView().reset(bytes), false, "the view accepted what decodeFrame refused");
  return error;
}

function accepted(bytes: Uint8Array): ReturnType<typeof decodeFrame> {
  const frame = decodeFrame(bytes);
  assert.equal(new FrameView().reset(bytes), true, "the view refused what decodeFrame accepted");
  return frame;
}

describe("malformed headers (fixed cases)", () => {
  describe("IPv4 header length (IHL) under 5", () => {
    for (const ihl of [0, 1, 2, 3, 4]) {
      it(`IHL ${ihl} is refused, naming the header length`, () => {
        // a 20-byte header follows, so only the IHL is wrong
        const error = refused(ipv4Frame(ihl, 20, 0), { layer: "ipv4", field: "headerLength", offset: 14, needed: ihl, available: ihl, truncated: false });
        assert.equal(error.message, `ipv4: bad headerLength at byte 14: IHL ${ihl} (${ihl * 4} bytes), need at least 5 (20 bytes)`);
        assert.throws(() => decodeIpv4(ipv4Frame(ihl, 20, 0), 14), { field: "headerLength" });
      });
    }

    it("IHL 4 is refused even with 16 header bytes and a totalLength of 16 that would fit it", () => {
      refused(ipv4Frame(4, 16, 0), { layer: "ipv4", field: "headerLength", available: 4 });
    });

    it("IHL 5 (the boundary) is accepted", () => {
      const frame = accepted(ipv4Frame(5, 20, 0));
      assert.equal(frame.ipv4?.headerLength, 20);
      assert.equal(frame.ipv4?.checksumValid, true);
    });

    it("IHL 15 is accepted with all 60 header bytes and refused with 59", () => {
      assert.equal(accepted(ipv4Frame(15, 60, 0)).ipv4?.options.length, 40);
      refused(ipv4Frame(15, 60, 0).subarray(0, 14 + 59), { layer: "ipv4", field: "options", offset: 34, needed: 74, available: 73 });
    });
  });

  describe("totalLength under the header length", () => {
    it("totalLength 19 with a 20-byte header is refused", () => {
      const error = refused(ipv4Frame(5, 19, 10), { layer: "ipv4", field: "totalLength", offset: 16, needed: 19, available: 19, truncated: false });
      assert.match(error.message, /totalLength 19 is under the header length 20/);
    });

    it("totalLength 0 is refused", () => {
      refused(ipv4Frame(5, 0, 10), { layer: "ipv4", field: "totalLength", needed: 0, available: 0 });
    });

    it("totalLength 23 with a 24-byte header (IHL 6) is refused: the options count", () => {
      refused(ipv4Frame(6, 23, 10), { layer: "ipv4", field: "totalLength", needed: 23, available: 23 });
    });

    it("totalLength equal to the header length (no payload) is accepted", () => {
      const frame = accepted(ipv4Frame(6, 24, 10));
      assert.equal(frame.payload.length, 0);
      assert.equal(frame.padding.length, 10);
    });
  });

  describe("totalLength past the capture", () => {
    it("a length error says where its limit came from: an ICMP header cut by the IPv4 totalLength is the header's, one cut by the capture the capture's", () => {
      // totalLength 24 leaves 4 bytes of ICMP though 8 more were captured
      // (type 0, an echo reply: the identifier is the field cut)
      refused(ipv4Frame(5, 24, 8, 1), { layer: "icmp", field: "identifier", offset: 38, needed: 40, available: 38, truncated: true, lengthSource: "header" });
      // an Ethernet/IPv4 ARP body cut by the end of the capture
      const arp = new Uint8Array(14 + 28);
      arp.set([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1], 12);
      refused(arp.subarray(0, 14 + 8 + 3), { layer: "arp", field: "senderMac", offset: 22, needed: 28, available: 25, truncated: true, lengthSource: "captured" });
    });

    it("one byte past the end is refused, naming the bytes needed and had, as a capture cut short (not a malformed header)", () => {
      const error = refused(ipv4Frame(5, 41, 20), { layer: "ipv4", field: "totalLength", offset: 16, needed: 14 + 41, available: 14 + 40, truncated: true, lengthSource: "captured" });
      assert.equal(error.message, "ipv4: truncated at byte 16 (totalLength): need 55 bytes, got 54");
      // the same datagram given a limit short of the bytes (an enclosing header's): the limit is the header's
      assert.throws(() => decodeIpv4(ipv4Frame(5, 41, 21), 14, 14 + 40), { field: "totalLength", truncated: true, lengthSource: "header" });
    });

    it("exactly to the end is accepted, and short of it leaves the rest as padding", () => {
      assert.equal(accepted(ipv4Frame(5, 40, 20)).payload.length, 20);
      const frame = accepted(ipv4Frame(5, 30, 20));
      assert.equal(frame.payload.length, 10);
      assert.equal(frame.padding.length, 10);
    });

    it("65535 in a short frame is refused", () => {
      refused(ipv4Frame(5, 0xffff, 20), { layer: "ipv4", field: "totalLength", needed: 14 + 0xffff, available: 54 });
    });
  });

  describe("ICMP shorter than its header", () => {
    it("7 bytes of ICMP are refused, 8 are accepted", () => {
      refused(ipv4Frame(5, 27, 7, 1), { layer: "icmp" });
      assert.equal(accepted(ipv4Frame(5, 28, 8, 1)).icmp?.checksumValid, false);
    });
  });

  describe("IPv4 version other than 4", () => {
    it("version 6 in an IPv4 EtherType is refused", () => {
      const bytes = ipv4Frame(5, 20, 0);
      bytes[14] = 0x65;
      refused(bytes, { layer: "ipv4", field: "version", available: 6 });
    });
  });

  describe("a VLAN tag with nothing after it", () => {
    const tagged = (length: number, inner: number): Uint8Array => {
      const bytes = new Uint8Array(length);
      bytes.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 2, 0x81, 0x00, 0x20, 0x05, inner >>> 8, inner & 0xff].slice(0, length));
      return bytes;
    };

    it("the 0x8100 EtherType and no tag (14 bytes) is refused at the tag", () => {
      refused(tagged(14, 0x0800), { layer: "ethernet", field: "vlan", offset: 14, needed: 16, available: 14 });
    });

    it("the tag's TCI and no inner EtherType (16 bytes) is refused at the inner EtherType", () => {
      refused(tagged(16, 0x0800), { layer: "ethernet", field: "etherType", offset: 16, needed: 18, available: 16 });
    });

    it("one byte of the inner EtherType (17 bytes) is refused at the inner EtherType", () => {
      refused(tagged(17, 0x0800), { layer: "ethernet", field: "etherType", offset: 16, needed: 18, available: 17 });
    });

    it("a whole tag saying IPv4 or ARP, and no bytes after it, is refused at the next layer", () => {
      refused(tagged(18, 0x0800), { layer: "ipv4", field: "version", offset: 18, needed: 19, available: 18 });
      refused(tagged(18, 0x0806), { layer: "arp", field: "hardwareType", offset: 18, needed: 20, available: 18 });
    });

    it("a whole tag with another EtherType and nothing after it is a frame with an empty payload", () => {
      const frame = accepted(tagged(18, 0x88cc));
      assert.deepEqual(frame.ethernet.vlan, { id: 5, priority: 1, dropEligible: false });
      assert.equal(frame.ethernet.etherType, 0x88cc);
      assert.equal(frame.payload.length, 0);
    });
  });
});

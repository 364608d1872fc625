// The ARP codec, fixed cases: which headers count as Ethernet/IPv4 ARP, the body written at an
// offset, the address bytes of an unsupported record (zero-filled when short, never past the body
// when long), and what a probe is. The frame properties write supported ARP through the frame
// encoder's own fast path and always at offset 14, so these are reached only here.
import assert from "node:assert/strict";
import { arpProbe, arpReply, arpRequest, decodeArp, encodeArp, Ipv4, isProbe, Mac, UnsupportedArpRecord } from "../../src/packets";

describe("ARP codec (fixed cases)", () => {
  const mac = Mac.parse("02:00:5e:00:00:17");
  const ip = Ipv4.parse("192.0.2.17");
  const router = Ipv4.parse("192.0.2.1");

  it("is Ethernet/IPv4 ARP only with hardware type 1, protocol 0x0800 and lengths 6 and 4", () => {
    const body = new Uint8Array(64);
    encodeArp(arpRequest(mac, ip, router), body, 0);
    assert.equal(decodeArp(body, 0, 28).supported, true);
    const ieee802 = Uint8Array.from(body);
    ieee802[1] = 6; // hardware type 6, lengths still 6 and 4
    assert.deepEqual(decodeArp(ieee802, 0, 28), { supported: false, hardwareType: 6, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4, operation: 1 });
    const longMac = Uint8Array.from(body);
    longMac[4] = 8; // hardware type 1, a hardware address of 8 bytes
    assert.equal(decodeArp(longMac, 0, 32).supported, false);
  });

  it("writes the body at an offset, the same bytes as at 0", () => {
    const record = arpReply(mac, ip, Mac.parse("02:00:5e:00:00:01"), router);
    const at0 = new Uint8Array(28);
    assert.equal(encodeArp(record, at0, 0), 28);
    const at10 = new Uint8Array(40).fill(0xee);
    assert.equal(encodeArp(record, at10, 10), 28);
    assert.deepEqual([...at10.subarray(10, 38)], [...at0]);
    assert.deepEqual([...at10.subarray(0, 10), ...at10.subarray(38)], new Array(12).fill(0xee), "nothing written outside the body");
  });

  it("an unsupported record's addresses: as given, zero-filled when too few, cut at the body when too many", () => {
    const record: UnsupportedArpRecord = { supported: false, hardwareType: 6, protocolType: 0x0800, hardwareLength: 8, protocolLength: 4, operation: 1 };
    const body = 8 + 2 * 8 + 2 * 4; // 32
    const write = (addresses: Uint8Array | undefined) => {
      const into = new Uint8Array(4 + body + 8).fill(0xee);
      assert.equal(encodeArp(record, into, 4, addresses), body);
      return into;
    };
    const none = write(undefined);
    assert.deepEqual([...none.subarray(12, 4 + body)], new Array(24).fill(0), "no addresses: zeros");
    const few = write(Uint8Array.of(1, 2, 3));
    assert.deepEqual([...few.subarray(12, 4 + body)], [1, 2, 3, ...new Array(21).fill(0)]);
    const exact = write(new Uint8Array(24).fill(7));
    assert.deepEqual([...exact.subarray(12, 4 + body)], new Array(24).fill(7));
    const many = write(new Uint8Array(30).fill(9));
    assert.deepEqual([...many.subarray(12, 4 + body)], new Array(24).fill(9));
    for (const into of [none, few, exact, many]) assert.deepEqual([...into.subarray(4 + body)], new Array(8).fill(0xee), "nothing past the body");
  });

  it("a probe is a request from 0.0.0.0; a reply from 0.0.0.0 is not", () => {
    assert.equal(isProbe(arpProbe(mac, router)), true);
    assert.equal(isProbe(arpReply(mac, Ipv4.ANY, Mac.ZERO, router)), false);
    assert.equal(isProbe(arpRequest(mac, ip, router)), false);
  });
});

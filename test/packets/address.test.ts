// MAC and IPv4 address parsing and formatting: what operators type is accepted, what is ambiguous or
// wrong is refused with a message naming the text and the problem.
import assert from "node:assert/strict";
import fc from "fast-check";
import { AddressError, Ipv4, Mac } from "../../src/packets";
import { ipv4, mac } from "./arbitraries";

describe("MAC addresses", () => {
  it("parse in colon, dash, dotted and bare forms, any case, and print in lower-case colon form", () => {
    for (const text of ["AA:bb:0C:dd:ee:0f", "aa-bb-0c-dd-ee-0f", "aabb.0cdd.ee0f", "AABB0CDDEE0F", "aa:bb:c:dd:ee:f"]) {
      assert.equal(Mac.parse(text).toString(), "aa:bb:0c:dd:ee:0f", text);
    }
  });

  it("round-trip through text and bytes for any address", () => {
    fc.assert(
      fc.property(mac, (m) => {
        assert.equal(Mac.parse(m.toString()).value, m.value);
        assert.equal(Mac.read(m.toBytes(), 0).value, m.value);
        assert.equal(JSON.stringify(m), `"${m.toString()}"`);
      }),
    );
  });

  it("refuse eleven hex digits, saying how many there are and how many are needed", () => {
    assert.throws(() => Mac.parse("fffffffffff"), { name: "AddressError", message: 'MAC address "fffffffffff" has 11 hex digits, need 12' });
    assert.throws(() => Mac.parse("aa:bb:cc:dd:ee"), /has 10 hex digits, need 12/);
    assert.throws(() => Mac.parse("aa:bb:cc:dd:ee:ff:00"), /has 14 hex digits, need 12/);
  });

  it("refuse characters that are not hex digits and mixed separators", () => {
    assert.throws(() => Mac.parse("aa:bb:cc:dd:ee:gg"), /not a hex digit: "g"/);
    assert.throws(() => Mac.parse("aa:bb-cc:dd:ee:ff"), AddressError);
    assert.throws(() => Mac.parse(""), /has 0 hex digits/);
  });

  it("know broadcast and group addresses", () => {
    assert.ok(Mac.BROADCAST.isBroadcast && Mac.BROADCAST.isGroup);
    assert.ok(Mac.parse("01:00:5e:00:00:01").isGroup);
    assert.ok(!Mac.parse("02:00:5e:00:00:01").isGroup);
  });
});

describe("IPv4 addresses", () => {
  it("parse dotted quads and print them back", () => {
    assert.equal(Ipv4.parse("192.0.2.1").value, 0xc0000201);
    assert.equal(Ipv4.parse("255.255.255.255").toString(), "255.255.255.255");
    assert.equal(Ipv4.parse("0.0.0.0").value, 0);
  });

  it("round-trip through text and bytes for any address", () => {
    fc.assert(
      fc.property(ipv4, (a) => {
        assert.equal(Ipv4.parse(a.toString()).value, a.value);
        assert.equal(Ipv4.read(a.toBytes(), 0).value, a.value);
      }),
    );
  });

  it("refuse an octet over 255, naming the address and the octet", () => {
    assert.throws(() => Ipv4.parse("192.0.2.377"), { message: '"192.0.2.377" is not an IPv4 address: 377 is over 255' });
  });

  it("refuse shorthand, octal-looking, hex and signed forms", () => {
    for (const text of ["127.1", "192.0.2", "010.0.0.1", "0x7f.0.0.1", "1.2.3.-4", "1.2.3.4.5", " 1.2.3.4", "1..2.3", ""]) {
      assert.throws(() => Ipv4.parse(text), AddressError, text);
    }
  });

  it("tell whether two addresses share a subnet", () => {
    const a = Ipv4.parse("192.0.2.17");
    assert.ok(a.sameSubnet(Ipv4.parse("192.0.2.200"), 24));
    assert.ok(!a.sameSubnet(Ipv4.parse("192.0.3.1"), 24));
    assert.ok(a.sameSubnet(Ipv4.parse("192.0.2.17"), 32));
    assert.ok(!a.sameSubnet(Ipv4.parse("192.0.2.16"), 32));
  });
});

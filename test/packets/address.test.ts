// MAC and IPv4 address parsing and formatting: what operators type is accepted, what is ambiguous or
// wrong is refused with a message naming the text and the problem.
import assert from "node:assert/strict";
import fc from "fast-check";
import { AddressError, Ipv4, Mac } from "../../src/packets";
import { Reach } from "../helpers/property";
import { ipv4, mac } from "./arbitraries";

describe("MAC addresses", () => {
  it("parse in colon, dash, dotted and bare forms, any case, and print in lower-case colon form", () => {
    for (const text of ["AA:bb:0C:dd:ee:0f", "aa-bb-0c-dd-ee-0f", "aabb.0cdd.ee0f", "AABB0CDDEE0F", "aa:bb:c:dd:ee:f"]) {
      assert.equal(Mac.parse(text).toString(), "aa:bb:0c:dd:ee:0f", text);
    }
  });

  it("round-trip through text and bytes for any address", () => {
    const reach = new Reach("MAC round trip", { group: 200, unicast: 200, octetUnder16: 100, octetOver159: 500, topBitsZero: 40 });
    fc.assert(
      fc.property(mac, (m) => {
        const octets = [...m.toBytes()];
        reach.run();
        reach.hit("group", (octets[0] & 1) === 1);
        reach.hit("unicast", (octets[0] & 1) === 0);
        reach.hit("octetUnder16", octets.some((o) => o < 16));
        reach.hit("octetOver159", octets.some((o) => o > 159));
        reach.hit("topBitsZero", m.value < 2 ** 32);
        assert.equal(Mac.parse(m.toString()).value, m.value);
        assert.equal(Mac.parse(m.toString().toUpperCase()).value, m.value);
        assert.equal(Mac.read(m.toBytes(), 0).value, m.value);
        assert.equal(JSON.stringify(m), `"${m.toString()}"`);
      }),
      { numRuns: 1000 },
    );
    reach.check();
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

  it("compare by value", () => {
    assert.ok(Mac.parse("02:00:00:00:00:01").equals(new Mac(0x0200_0000_0001)));
    assert.ok(!Mac.parse("02:00:00:00:00:01").equals(Mac.parse("02:00:00:00:00:02")));
    assert.ok(Ipv4.parse("192.0.2.1").equals(new Ipv4(0xc000_0201)));
    assert.ok(!Ipv4.parse("192.0.2.1").equals(Ipv4.parse("192.0.2.2")));
  });

  it("write a value outside 0..2^48 the way the general arithmetic does (the encoder's fallback)", () => {
    // what Math.floor(v / 2^32) and v % 2^32 give, byte by byte, for a negative value and NaN
    const write = (value: number) => {
      const bytes = new Uint8Array(8).fill(0xa5);
      new Mac(value).write(bytes, 1);
      return [...bytes];
    };
    assert.deepEqual(write(-1), [0xa5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xa5]);
    assert.deepEqual(write(-0x1_0000_0001), [0xa5, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xa5]);
    assert.deepEqual(write(NaN), [0xa5, 0, 0, 0, 0, 0, 0, 0xa5]);
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
    const reach = new Reach("IPv4 round trip", { octetZero: 50, octetOneDigit: 100, octetThreeDigits: 500, over2To31: 300 });
    fc.assert(
      fc.property(ipv4, (a) => {
        const octets = [...a.toBytes()];
        reach.run();
        reach.hit("octetZero", octets.includes(0));
        reach.hit("octetOneDigit", octets.some((o) => o < 10));
        reach.hit("octetThreeDigits", octets.some((o) => o >= 100));
        reach.hit("over2To31", a.value >= 2 ** 31);
        assert.equal(Ipv4.parse(a.toString()).value, a.value);
        assert.equal(Ipv4.read(a.toBytes(), 0).value, a.value);
      }),
      { numRuns: 1000 },
    );
    reach.check();
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

// Fixed cases for the survivors of the mutation run (docs/mutation-survivors.md): the anchors of the
// accepted forms, the exact messages, surrounding blanks, broadcast, and a prefix of 0.
describe("addresses (fixed cases)", () => {
  const refused = (parse: () => unknown, message: string) => assert.throws(parse, (e: unknown) => e instanceof AddressError && e.message === message);

  it("a MAC: blanks around it are dropped; the dotted and bare forms must be the whole text", () => {
    assert.equal(Mac.parse(" 02:00:5e:00:00:17\n").toString(), "02:00:5e:00:00:17");
    assert.equal(Mac.parse("\t02005e000017 ").toString(), "02:00:5e:00:00:17");
    refused(() => Mac.parse("g02005e000017"), 'MAC address "g02005e000017" has a character that is not a hex digit: "g"');
    refused(() => Mac.parse("02005e0000171"), 'MAC address "02005e0000171" has 13 hex digits, need 12');
    refused(() => Mac.parse("x0200.5e00.0017"), 'MAC address "x0200.5e00.0017" has a character that is not a hex digit: "x"');
    refused(() => Mac.parse("0200.5e00.00171"), 'MAC address "0200.5e00.00171" has 13 hex digits, need 12');
  });

  it("a MAC of 12 digits grouped oddly is refused with the forms to write", () => {
    refused(() => Mac.parse("0200:5e00:0017"), 'MAC address "0200:5e00:0017" is grouped oddly; write aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff');
  });

  it("only ff:ff:ff:ff:ff:ff is broadcast", () => {
    assert.equal(Mac.BROADCAST.isBroadcast, true);
    assert.equal(Mac.ZERO.isBroadcast, false);
    assert.equal(Mac.parse("ff:ff:ff:ff:ff:fe").isBroadcast, false);
  });

  it("an IPv4 address: the messages name the text and the part", () => {
    refused(() => Ipv4.parse("192.0.2"), '"192.0.2" is not an IPv4 address: need four numbers separated by dots, like 192.0.2.1');
    refused(() => Ipv4.parse("192.0.2.1x"), '"192.0.2.1x" is not an IPv4 address: "1x" is not a number from 0 to 255');
    refused(() => Ipv4.parse("192.0.2.01"), '"192.0.2.01" is not an IPv4 address: "01" has a leading zero (octal or decimal?)');
  });

  it("any two addresses share the subnet of prefix 0; a /32 is one address", () => {
    const a = Ipv4.parse("192.0.2.1");
    assert.equal(a.sameSubnet(Ipv4.parse("203.0.113.9"), 0), true);
    assert.equal(a.sameSubnet(Ipv4.parse("192.0.2.2"), 32), false);
    assert.equal(a.sameSubnet(Ipv4.parse("192.0.2.1"), 32), true);
  });
});

// The pure parts of `takeover ndp` (src/cli/ndp.ts): operator addresses with their zones and the
// one-line errors for the wrong kind, our IPv6 addresses read from /proc/net/if_inet6, and the
// source a who-has asks from. The verbs themselves meet the kernel in test/ndp/ndp-e2e.test.ts.
import assert from "node:assert/strict";
import { chooseSource, interfaceIpv6Addresses, parseIpv6Argument } from "../../src/cli/ndp";
import { UsageError } from "../../src/cli/errors";
import { Ipv6Address } from "../../src/packets";

// /proc/net/if_inet6 as a namespace with IPv6 on showed it: address, ifindex, prefix length, scope,
// flags (0x80 permanent, 0x40 tentative, 0x08 DAD failed), name
const TABLE = [
  "00000000000000000000000000000001 01 80 10 80       lo",
  "fe80000000000000c0a8fffffe000011 02 40 20 80     eth0",
  "20010db8000000000000000000000011 02 40 00 80     eth0",
  "20010db8000100000000000000000011 02 40 00 c0     eth0",
  "20010db8000200000000000000000011 02 40 00 88     eth0",
  "fe80000000000000c0a8fffffe000022 03 40 20 c0     eth1",
  "20010db8000300000000000000000022 03 40 00 80     eth1",
].join("\n");

describe("takeover ndp: arguments and sources", () => {
  it("parses an address with or without its zone; refuses IPv4, an empty zone and bad text in one line naming the argument", () => {
    assert.deepEqual(parseIpv6Argument("address", "2001:db8::1"), { address: Ipv6Address.parse("2001:db8::1") });
    assert.deepEqual(parseIpv6Argument("address", "fe80::1%eth0"), { address: Ipv6Address.parse("fe80::1"), zone: "eth0" });
    const refused = (text: string) => {
      try {
        parseIpv6Argument("address", text);
      } catch (error) {
        assert.ok(error instanceof UsageError);
        return error.message;
      }
      assert.fail(`${text} was accepted`);
    };
    assert.equal(refused("192.0.2.1"), "address: 192.0.2.1 is an IPv4 address; takeover ndp is for IPv6, use takeover arp for IPv4");
    assert.equal(refused("fe80::1%"), 'address: "fe80::1%" has an empty zone after %; write ADDRESS%IFACE, like fe80::1%eth0');
    assert.equal(refused("2001:db8::/64"), 'address: "2001:db8::/64" is not an IPv6 address: a prefix length (/…) is not part of an address; leave it out');
    assert.equal(refused("eth0"), 'address: "eth0" is not an IPv6 address: "eth0" is not a group of one to four hex digits');
  });

  it("reads an interface's addresses from /proc/net/if_inet6, tentative and DAD-failed ones marked unusable", () => {
    const eth0 = interfaceIpv6Addresses("eth0", TABLE);
    assert.deepEqual(
      eth0.map((a) => [a.address.toString(), a.prefixLength, a.unusable]),
      [
        ["fe80::c0a8:ffff:fe00:11", 64, false],
        ["2001:db8::11", 64, false],
        ["2001:db8:1::11", 64, true],
        ["2001:db8:2::11", 64, true],
      ],
    );
    assert.deepEqual(interfaceIpv6Addresses("eth9", TABLE), []);
  });

  it("asks from our address in the target's prefix, else our link-local; never a tentative one", () => {
    const eth0 = interfaceIpv6Addresses("eth0", TABLE);
    const from = (target: string, addresses = eth0) => chooseSource(addresses, Ipv6Address.parse(target))?.toString();
    assert.equal(from("2001:db8::12"), "2001:db8::11");
    assert.equal(from("fe80::1"), "fe80::c0a8:ffff:fe00:11");
    assert.equal(from("2001:db8:1::12"), "fe80::c0a8:ffff:fe00:11", "ours in that prefix is tentative: the link-local instead");
    assert.equal(from("2001:db8:9::12"), "fe80::c0a8:ffff:fe00:11");
    const eth1 = interfaceIpv6Addresses("eth1", TABLE);
    assert.equal(from("fe80::1", eth1), "2001:db8:3::22", "a link-local target while our link-local is tentative: any usable address");
    assert.equal(from("2001:db8::12", []), undefined);
  });
});

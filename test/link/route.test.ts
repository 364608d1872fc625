// Tests of the kernel route lookup (src/link/route.ts). The parser is checked on RTM_GETROUTE answers
// captured from a Linux 6.x kernel in a namespace (byte for byte, host order little-endian), IPv4
// and IPv6, and the request encoder against the parser. Then, in lab namespaces, the lookup is
// compared with what `ip -j route get` (`ip -j -6 route get`) says there, with a policy rule sending
// one prefix to another table through a second interface, reject routes of each kind, local
// addresses and, for IPv6, link-local destinations with and without an interface.

import { strict as assert } from "node:assert";
import { join } from "node:path";
import fc from "fast-check";
import { Lab } from "../../src/lab/netns";
import { Ipv4 } from "../../src/packets/address";
import { Ipv6Address } from "../../src/packets/ipv6";
import {
  encodeRouteRequest,
  injectionOnLoBlockedBy,
  nextHopOf,
  NLMSG_ERROR,
  parseRouteAnswer,
  RouteError,
  routeErrorFor,
  RTM_NEWROUTE,
} from "../../src/link/route";
import { scaled } from "../helpers/property";

const LOOKUP = join(__dirname, "fixtures", "route-lookup.js");

const hex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"));
const ip = (text: string) => Ipv4.parse(text);

// Captured in a namespace with lo (1), eth1 (2) 203.0.113.1/24, eth0 (3) 192.0.2.17/24, default via
// 192.0.2.1, `ip rule add to 198.51.100.0/24 table 100`, 198.51.100.0/24 via 203.0.113.2 dev eth1
// table 100, prohibit 203.0.113.128/25, unreachable 192.0.2.128/25.
const TAIL = "080019000000000024000c00020000000000000000000000000000000000000000000000000000000000000000";
const captured = {
  onLink: hex(`02200000fe0000010002000008000f00fe00000008000100c0000232080004000300000008000700c0000211${TAIL}`), // 192.0.2.50
  viaDefault: hex(`02200000fe0000010002000008000f00fe0000000800010008080808080004000300000008000700c000021108000500c0000201${TAIL}`), // 8.8.8.8
  policy: hex(`02200000640000010002000008000f006400000008000100c6336407080004000200000008000700cb00710108000500cb007102${TAIL}`), // 198.51.100.7
  loopback: hex(`02200000ff0000020002008008000f00ff000000080001007f0000010800040001000000080007007f000001${TAIL}`), // 127.0.0.1
  ownAddress: hex(`02200000ff0000020002008008000f00ff00000008000100c0000211080004000100000008000700c0000211${TAIL}`), // 192.0.2.17
  prohibit: hex("f3ffffff240000001a000500060000001651000802200000000000000010000008000100cb0071c8"), // 203.0.113.200: -EACCES
  unreachable: hex("8fffffff240000001a000500070000001651000802200000000000000010000008000100c00002c8"), // 192.0.2.200: -EHOSTUNREACH
  noRoute: hex("9bffffff240000001a00050001000000295100080220000000000000001000000800010008080808"), // no default: -ENETUNREACH
};
const names = (index: number) => ["", "lo", "eth1", "eth0"][index];

// IPv6, captured the same way: lo (1), eth0 (3) 2001:db8:1::17/64, eth1 (5) 2001:db8:2::1/64 (2 and
// 4 are their veth peers), default via 2001:db8:1::1, prohibit 2001:db8:50::/64. The answers carry
// RTA_SRC (::, the "from ::" of ip -6 route get) and RTA_PRIORITY, which the parser passes over.
const captured6 = {
  onLink: hex(
    "0a808000fe0200010000000008000f00fe0000001400010020010db800010000000000000000005014000200000000000000000000000000000000001400070020010db80001000000000000000000170800060000010000080004000300000024000c0002000000000000000000000000000000000000000000000000000000000000000500140000000000",
  ), // 2001:db8:1::50
  viaDefault: hex(
    "0a808000fe0300010000000008000f00fe0000001400010020010db800770000000000000000000114000200000000000000000000000000000000001400070020010db800010000000000000000001708000600000400001400050020010db8000100000000000000000001080004000300000024000c0002000000000000000000000000000000000000000000000000000000000000000500140000000000",
  ), // 2001:db8:77::1
  loopback: hex(
    "0a808000ff0200020000000008000f00ff0000001400010000000000000000000000000000000001140002000000000000000000000000000000000014000700000000000000000000000000000000010800060000000000080004000100000024000c0002000000000000000000000000000000000000000000000000000000000000000500140000000000",
  ), // ::1
  prohibit: hex("f3ffffff300000001a00050004000000205200080a80000000000000001000001400010020010db8005000000000000000000001"), // 2001:db8:50::1: -EACCES
  noRoute: hex("9bffffff300000001a00050001000000285200080a80000000000000001000001400010020010db8007700000000000000000001"), // no default: -ENETUNREACH
};
const names6 = (index: number) => ["", "lo", "p0", "eth0", "p1", "eth1"][index];
const ip6 = (text: string) => Ipv6Address.parse(text);

describe("link: route answers from the kernel, parsed", () => {
  it("reads an on-link route: the destination is its own next hop, the kernel's source", () => {
    const answer = parseRouteAnswer(RTM_NEWROUTE, captured.onLink, ip("192.0.2.50"), true);
    assert.deepEqual(answer, { type: "unicast", destination: ip("192.0.2.50"), table: 254, interfaceIndex: 3, gateway: undefined, preferredSource: ip("192.0.2.17") });
    const hop = nextHopOf(answer, names);
    assert.deepEqual([hop.interface, hop.nextHop.toString(), hop.source?.toString()], ["eth0", "192.0.2.50", "192.0.2.17"]);
  });

  it("reads a gateway route: the gateway is the next hop", () => {
    const hop = nextHopOf(parseRouteAnswer(RTM_NEWROUTE, captured.viaDefault, ip("8.8.8.8"), true), names);
    assert.deepEqual([hop.type, hop.interface, hop.gateway?.toString(), hop.nextHop.toString(), hop.table], ["unicast", "eth0", "192.0.2.1", "192.0.2.1", 254]);
  });

  it("reads a route found through a policy rule in table 100, out of the second interface", () => {
    const hop = nextHopOf(parseRouteAnswer(RTM_NEWROUTE, captured.policy, ip("198.51.100.7"), true), names);
    assert.deepEqual(
      [hop.table, hop.interface, hop.nextHop.toString(), hop.source?.toString()],
      [100, "eth1", "203.0.113.2", "203.0.113.1"],
    );
  });

  it("takes the table from RTA_TABLE, which holds ids over 255 (rtm_table then says 252, compat)", () => {
    const bytes = Uint8Array.from(captured.policy);
    bytes[4] = 252;
    // RTA_TABLE is the first attribute, at 12 (after the rtmsg): its u32 at 16
    new DataView(bytes.buffer).setUint32(16, 1000, true);
    assert.equal(parseRouteAnswer(RTM_NEWROUTE, bytes, ip("198.51.100.7"), true).table, 1000);
  });

  it("masks attribute flags off the type, skips attributes of another size, and stops at a malformed length", () => {
    const bytes = Uint8Array.from(captured.viaDefault);
    const view = new DataView(bytes.buffer);
    // the attributes in order: TABLE @12, DST @20, OIF @28, PREFSRC @36, GATEWAY @44
    view.setUint16(46, 5 | 0x4000, true); // RTA_GATEWAY with NLA_F_NET_BYTEORDER set
    assert.equal(parseRouteAnswer(RTM_NEWROUTE, bytes, ip("8.8.8.8"), true).gateway?.toString(), "192.0.2.1");
    view.setUint16(36, 6, true); // PREFSRC claims 2 bytes of payload: not an address, so not read
    const odd = parseRouteAnswer(RTM_NEWROUTE, bytes, ip("8.8.8.8"), true);
    assert.equal(odd.preferredSource, undefined);
    view.setUint16(36, 8, true);
    view.setUint16(28, 2000, true); // OIF runs past the end: it and all after are dropped
    const cut = parseRouteAnswer(RTM_NEWROUTE, bytes, ip("8.8.8.8"), true);
    assert.deepEqual([cut.destination.toString(), cut.interfaceIndex, cut.gateway], ["8.8.8.8", undefined, undefined]);
  });

  it("reads local routes: 127.0.0.1 and our own address are delivered on lo, from themselves", () => {
    for (const [bytes, address] of [[captured.loopback, "127.0.0.1"], [captured.ownAddress, "192.0.2.17"]] as const) {
      const hop = nextHopOf(parseRouteAnswer(RTM_NEWROUTE, bytes, ip(address), true), names);
      assert.deepEqual([hop.type, hop.table, hop.interface, hop.nextHop.toString(), hop.source?.toString()], ["local", 255, "lo", address, address]);
    }
  });

  it("turns the kernel's errors into the one-line errors ip route get's answers stand for", () => {
    const cases = [
      [captured.prohibit, "203.0.113.200", /^203\.0\.113\.200 is unreachable \(prohibit route; see ip route get 203\.0\.113\.200 and ip rule\)$/],
      [captured.unreachable, "192.0.2.200", /^192\.0\.2\.200 is unreachable \(unreachable route; /],
      [captured.noRoute, "8.8.8.8", /^no route to 8\.8\.8\.8 \(ip route get 8\.8\.8\.8: Network is unreachable\); add one, e\.g\. ip route add default via <gateway>$/],
    ] as const;
    for (const [bytes, address, message] of cases) {
      assert.throws(() => parseRouteAnswer(NLMSG_ERROR, bytes, ip(address), true), (e: unknown) => e instanceof RouteError && message.test(e.message) && !e.message.includes("\n"));
    }
    assert.match(routeErrorFor(ip("192.0.2.9"), 22).message, /^192\.0\.2\.9 is unreachable \(blackhole route; /);
    assert.match(routeErrorFor(ip("192.0.2.9"), 99).message, /^route lookup for 192\.0\.2\.9 failed: errno 99; try ip route get 192\.0\.2\.9$/);
  });

  it("refuses reject, broadcast and multicast answers, and an interface index that has gone", () => {
    const base = { destination: ip("192.0.2.9"), table: 254, interfaceIndex: 3, gateway: undefined, preferredSource: ip("192.0.2.17") };
    assert.throws(() => nextHopOf({ ...base, type: "blackhole" }, names), /^RouteError: 192\.0\.2\.9 is unreachable \(blackhole route;/);
    assert.throws(() => nextHopOf({ ...base, type: "broadcast" }, names), /is routed as broadcast .*only unicast and local destinations can be pinged — for broadcast, iputils ping -b$/);
    assert.throws(() => nextHopOf({ ...base, type: "unicast", interfaceIndex: 9 }, names), /leaves by interface index 9, which has gone away; try again$/);
    assert.throws(() => nextHopOf({ ...base, type: "unicast", interfaceIndex: undefined }, names), /names no output interface/);
  });

  it("refuses truncated messages, other message types and other families with a RouteError", () => {
    assert.throws(() => parseRouteAnswer(RTM_NEWROUTE, captured.onLink.subarray(0, 11), ip("192.0.2.50"), true), /a truncated route message \(11 bytes\)/);
    assert.throws(() => parseRouteAnswer(NLMSG_ERROR, hex("9bff"), ip("192.0.2.50"), true), /a truncated netlink error message/);
    assert.throws(() => parseRouteAnswer(3, captured.onLink, ip("192.0.2.50"), true), /message type 3, not RTM_NEWROUTE/);
    const inet6 = Uint8Array.from(captured.onLink);
    inet6[0] = 10;
    assert.throws(() => parseRouteAnswer(RTM_NEWROUTE, inet6, ip("192.0.2.50"), true), /address family 10, not IPv4/);
  });

  it("reads what the request encoder writes (RTA_DST, RTA_OIF), in either byte order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.option(fc.integer({ min: 1, max: 0x7fff_ffff }), { nil: undefined }), fc.boolean(), (value, oif, le) => {
        const destination = new Ipv4(value);
        const request = encodeRouteRequest(destination, oif, le);
        assert.equal(request.length, oif === undefined ? 20 : 28);
        assert.deepEqual([request[0], request[1]], [2, 32]); // AF_INET, a /32
        const read = parseRouteAnswer(RTM_NEWROUTE, request, ip("0.0.0.0"), le);
        assert.equal(read.destination.value, value);
        assert.equal(read.interfaceIndex, oif);
      }),
      { numRuns: scaled(500) },
    );
    // RTM_F_LOOKUP_TABLE, so the answer names the table the route was found in
    assert.equal(Buffer.from(encodeRouteRequest(ip("192.0.2.1"), undefined, true)).toString("hex"), "022000000000000000100000080001" + "00c0000201");
  });

  it("never throws anything but a RouteError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.constantFrom(RTM_NEWROUTE, NLMSG_ERROR, 3), fc.uint8Array({ maxLength: 200 }), (type, bytes) => {
        try {
          parseRouteAnswer(type, bytes, ip("192.0.2.1"), true);
        } catch (error) {
          assert.ok(error instanceof RouteError, String(error));
        }
      }),
      { numRuns: scaled(2000) },
    );
  });

  it("reads IPv6 answers: on-link, through the default gateway, ::1 on lo; 16-byte addresses only", () => {
    const onLink = nextHopOf(parseRouteAnswer(RTM_NEWROUTE, captured6.onLink, ip6("2001:db8:1::50"), true), names6);
    assert.deepEqual(
      [onLink.type, onLink.table, onLink.interface, onLink.gateway, onLink.nextHop.toString(), onLink.source?.toString()],
      ["unicast", 254, "eth0", undefined, "2001:db8:1::50", "2001:db8:1::17"],
    );
    const routed = nextHopOf(parseRouteAnswer(RTM_NEWROUTE, captured6.viaDefault, ip6("2001:db8:77::1"), true), names6);
    assert.deepEqual([routed.interface, routed.gateway?.toString(), routed.nextHop.toString(), routed.source?.toString()], ["eth0", "2001:db8:1::1", "2001:db8:1::1", "2001:db8:1::17"]);
    const local = nextHopOf(parseRouteAnswer(RTM_NEWROUTE, captured6.loopback, ip6("::1"), true), names6);
    assert.deepEqual([local.type, local.table, local.interface, local.nextHop.toString(), local.source?.toString()], ["local", 255, "lo", "::1", "::1"]);
    // an IPv4 answer for an IPv6 question, and the other way round, is refused
    assert.throws(() => parseRouteAnswer(RTM_NEWROUTE, captured.onLink, ip6("2001:db8:1::50"), true), /address family 2, not IPv6/);
    assert.throws(() => parseRouteAnswer(RTM_NEWROUTE, captured6.onLink, ip("192.0.2.50"), true), /address family 10, not IPv4/);
  });

  it("turns the kernel's IPv6 errors into one-line errors naming ip -6 route", () => {
    assert.throws(
      () => parseRouteAnswer(NLMSG_ERROR, captured6.prohibit, ip6("2001:db8:50::1"), true),
      (e: unknown) => e instanceof RouteError && e.message === "2001:db8:50::1 is unreachable (prohibit route; see ip -6 route get 2001:db8:50::1 and ip -6 rule)",
    );
    assert.throws(
      () => parseRouteAnswer(NLMSG_ERROR, captured6.noRoute, ip6("2001:db8:77::1"), true),
      (e: unknown) => e instanceof RouteError && e.message === "no route to 2001:db8:77::1 (ip -6 route get 2001:db8:77::1: Network is unreachable); add one, e.g. ip -6 route add default via <gateway>",
    );
  });

  it("reads what the IPv6 request encoder writes (a /128 RTA_DST, RTA_OIF), in either byte order", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.option(fc.integer({ min: 1, max: 0x7fff_ffff }), { nil: undefined }), fc.boolean(), (bytes, oif, le) => {
        const request = encodeRouteRequest(new Ipv6Address(bytes), oif, le);
        assert.equal(request.length, oif === undefined ? 32 : 40);
        assert.deepEqual([request[0], request[1]], [10, 128]); // AF_INET6, a /128
        const read = parseRouteAnswer(RTM_NEWROUTE, request, ip6("::"), le);
        assert.deepEqual(read.destination.bytes, bytes);
        assert.equal(read.interfaceIndex, oif);
      }),
      { numRuns: scaled(500) },
    );
  });

  it("says which sysctls stop an echo request put on lo from reaching the kernel", () => {
    const conf = (settings: Record<string, number>) => (device: string, key: string) => settings[`${device}.${key}`];
    assert.deepEqual(injectionOnLoBlockedBy(ip("127.0.0.1"), ip("127.0.0.1"), conf({})), ["net.ipv4.conf.lo.route_localnet=1", "net.ipv4.conf.lo.accept_local=1"]);
    assert.deepEqual(injectionOnLoBlockedBy(ip("192.0.2.17"), ip("192.0.2.17"), conf({})), ["net.ipv4.conf.lo.accept_local=1"]);
    assert.deepEqual(injectionOnLoBlockedBy(ip("192.0.2.17"), ip("192.0.2.17"), conf({ "all.accept_local": 1 })), []);
    assert.deepEqual(injectionOnLoBlockedBy(ip("127.0.0.9"), ip("127.0.0.1"), conf({ "lo.accept_local": 1, "lo.route_localnet": 1 })), []);
    assert.deepEqual(injectionOnLoBlockedBy(ip("127.0.0.9"), ip("127.0.0.1"), conf({ "lo.accept_local": 1, "all.route_localnet": 1 })), []);
    assert.deepEqual(injectionOnLoBlockedBy(ip("127.0.0.9"), ip("127.0.0.1"), conf({ "lo.accept_local": 1 })), ["net.ipv4.conf.lo.route_localnet=1"]);
  });
});

describe("link: route lookup in a namespace, against ip route get", function () {
  this.timeout(60_000);
  let lab: Lab;

  before(async () => {
    lab = await Lab.create({
      hosts: [
        { name: "a", links: [{ segment: "lan", address: "192.0.2.17/24" }, { segment: "side", address: "203.0.113.1/24" }], gateway: "192.0.2.1" },
        { name: "r", segment: "side", address: "203.0.113.2/24" },
      ],
    });
    const ipIn = (...argv: string[]) => lab.exec("a", ["ip", ...argv], { check: true });
    ipIn("route", "add", "198.51.100.0/24", "via", "203.0.113.2", "dev", "eth1", "table", "100");
    ipIn("rule", "add", "to", "198.51.100.0/24", "table", "100");
    ipIn("route", "add", "prohibit", "203.0.113.128/25");
    ipIn("route", "add", "unreachable", "192.0.2.128/25");
    ipIn("route", "add", "blackhole", "198.51.100.128/25", "table", "100");
  });
  after(async () => {
    await lab?.destroy();
  });

  const lookup = (...targets: string[]) => {
    const result = lab.exec("a", [process.execPath, LOOKUP, ...targets], { timeoutMs: 20_000 });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Array<{ type?: string; interface?: string; nextHop?: string; gateway?: string | null; source?: string | null; table?: number; error?: string }>;
  };

  it("finds what ip route get finds: main table, policy rule to table 100, local table", () => {
    const targets = ["192.0.2.50", "203.0.113.77", "8.8.8.8", "198.51.100.7", "127.0.0.1", "192.0.2.17", "203.0.113.1"];
    const found = lookup(...targets);
    for (const [i, target] of targets.entries()) {
      const [shown] = JSON.parse(lab.exec("a", ["ip", "-j", "route", "get", target], { check: true }).stdout) as Array<{ dev: string; gateway?: string; prefsrc: string; type?: string; table?: string }>;
      assert.deepEqual(
        [found[i].type, found[i].interface, found[i].gateway ?? undefined, found[i].source],
        [shown.type ?? "unicast", shown.dev, shown.gateway, shown.prefsrc],
        target,
      );
    }
    assert.deepEqual([found[3].table, found[3].interface, found[3].nextHop], [100, "eth1", "203.0.113.2"]);
    assert.deepEqual([found[4].table, found[5].table], [255, 255]);
  });

  it("fails as ip route get fails: prohibit, unreachable, blackhole (found through the rule), and no route", () => {
    lab.exec("a", ["ip", "route", "del", "default"], { check: true });
    try {
      const found = lookup("203.0.113.200", "192.0.2.200", "198.51.100.200", "8.8.8.8");
      assert.deepEqual(
        found.map((f) => f.error?.replace(/ \(.*$/, "")),
        ["203.0.113.200 is unreachable", "192.0.2.200 is unreachable", "198.51.100.200 is unreachable", "no route to 8.8.8.8"],
      );
      assert.deepEqual(found.map((f) => /\((prohibit|unreachable|blackhole) route/.exec(f.error ?? "")?.[1]), ["prohibit", "unreachable", "blackhole", undefined]);
      for (const [target, says] of [["203.0.113.200", "Permission denied"], ["192.0.2.200", "No route to host"], ["198.51.100.200", "Invalid argument"], ["8.8.8.8", "Network is unreachable"]]) {
        assert.match(lab.exec("a", ["ip", "route", "get", target]).stderr, new RegExp(says), target);
      }
    } finally {
      lab.exec("a", ["ip", "route", "replace", "default", "via", "192.0.2.1"], { check: true });
    }
  });
});

describe("link: IPv6 route lookup in a namespace, against ip -6 route get", function () {
  this.timeout(60_000);
  let lab: Lab;

  before(async () => {
    lab = await Lab.create({
      ipv6: true,
      hosts: [
        { name: "a", links: [{ segment: "lan" }, { segment: "side" }] },
        { name: "r", segment: "side" },
      ],
    });
    const ipIn = (...argv: string[]) => lab.exec("a", ["ip", ...argv], { check: true });
    ipIn("-6", "addr", "add", "2001:db8:1::17/64", "dev", "eth0", "nodad");
    ipIn("-6", "addr", "add", "2001:db8:2::1/64", "dev", "eth1", "nodad");
    ipIn("-6", "route", "add", "default", "via", "2001:db8:1::1");
    ipIn("-6", "route", "add", "2001:db8:99::/64", "via", "2001:db8:2::2", "dev", "eth1", "table", "100");
    ipIn("-6", "rule", "add", "to", "2001:db8:99::/64", "table", "100");
    ipIn("-6", "route", "add", "prohibit", "2001:db8:50::/64");
    ipIn("-6", "route", "add", "unreachable", "2001:db8:51::/64");
    ipIn("-6", "route", "add", "blackhole", "2001:db8:99:0:8000::/65", "table", "100");
  });
  after(async () => {
    await lab?.destroy();
  });

  const lookup = (...targets: string[]) => {
    const result = lab.exec("a", [process.execPath, LOOKUP, ...targets], { timeoutMs: 20_000 });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Array<{ type?: string; interface?: string; nextHop?: string; gateway?: string | null; source?: string | null; table?: number; error?: string }>;
  };

  it("finds what ip -6 route get finds: on-link, default gateway, policy rule to table 100, ::1 and our own address, link-local with its interface", () => {
    const targets = ["2001:db8:1::50", "2001:db8:77::1", "2001:db8:99::7", "::1", "2001:db8:1::17", "fe80::5%eth1", "fe80::5%eth0"];
    const found = lookup(...targets);
    for (const [i, target] of targets.entries()) {
      const [address, zone] = target.split("%");
      const [shown] = JSON.parse(lab.exec("a", ["ip", "-j", "-6", "route", "get", address, ...(zone === undefined ? [] : ["oif", zone])], { check: true }).stdout) as Array<{ dev: string; gateway?: string; prefsrc: string; type?: string }>;
      assert.deepEqual([found[i].type, found[i].interface, found[i].gateway ?? undefined, found[i].source], [shown.type ?? "unicast", shown.dev, shown.gateway, shown.prefsrc], target);
    }
    assert.deepEqual([found[1].nextHop, found[2].table, found[2].interface, found[2].nextHop], ["2001:db8:1::1", 100, "eth1", "2001:db8:2::2"]);
    assert.deepEqual([found[3].table, found[4].table, found[4].interface], [255, 255, "lo"]);
    assert.deepEqual([found[5].interface, found[6].interface, found[5].nextHop], ["eth1", "eth0", "fe80::5"]);
  });

  it("fails as ip -6 route get fails: prohibit, unreachable, blackhole (found through the rule), multicast, and no route", () => {
    const refused = lookup("2001:db8:50::1", "2001:db8:51::1", "2001:db8:99:0:8000::1", "ff02::1");
    assert.deepEqual(
      refused.map((f) => f.error),
      [
        "2001:db8:50::1 is unreachable (prohibit route; see ip -6 route get 2001:db8:50::1 and ip -6 rule)",
        "2001:db8:51::1 is unreachable (unreachable route; see ip -6 route get 2001:db8:51::1 and ip -6 rule)",
        "2001:db8:99:0:8000::1 is unreachable (blackhole route; see ip -6 route get 2001:db8:99:0:8000::1 and ip -6 rule)",
        "ff02::1 is routed as multicast (ip -6 route get ff02::1); only unicast and local destinations can be pinged — for multicast, iputils ping",
      ],
    );
    for (const [target, says] of [["2001:db8:50::1", "Permission denied"], ["2001:db8:51::1", "No route to host"], ["2001:db8:99:0:8000::1", "Invalid argument"]]) {
      assert.match(lab.exec("a", ["ip", "-6", "route", "get", target]).stderr, new RegExp(says), target);
    }
    lab.exec("a", ["ip", "-6", "route", "del", "default"], { check: true });
    try {
      assert.equal(lookup("2001:db8:77::1")[0].error, "no route to 2001:db8:77::1 (ip -6 route get 2001:db8:77::1: Network is unreachable); add one, e.g. ip -6 route add default via <gateway>");
      assert.match(lab.exec("a", ["ip", "-6", "route", "get", "2001:db8:77::1"]).stderr, /Network is unreachable/);
    } finally {
      lab.exec("a", ["ip", "-6", "route", "replace", "default", "via", "2001:db8:1::1"], { check: true });
    }
  });
});

// Tests of interface discovery and the routing table. Discovery runs in a worker inside a lab host,
// whose interface is built with a chosen MAC, MTU, addresses and an alias, and is compared with what
// `ip -j` says there. The /proc/net/route parser is checked on text in both byte orders.

import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";
import { NodeWorker } from "../../src/lab/worker";
import { Ipv4 } from "../../src/packets/address";
import { defaultRoute, nextHopFor, parseRouteTable, routeTo } from "../../src/link/routes";

const LINK_WORKER = join(__dirname, "fixtures", "link-worker.js");

interface ListedInterface {
  name: string;
  index: number;
  mac: string;
  mtu: number;
  up: boolean;
  running: boolean;
  operState: string;
  loopback: boolean;
  linkType: number;
  ipv4: Array<{ address: string; prefixLength: number; label: string }>;
}

describe("link: interface discovery in a namespace", function () {
  this.timeout(30_000);
  let lab: Lab;
  let worker: NodeWorker;

  before(async () => {
    lab = await Lab.create({
      hosts: [
        { name: "router", address: "192.0.2.1/24" },
        { name: "brain", address: "192.0.2.17/24", mac: "02:00:00:00:00:17", mtu: 1400, gateway: "192.0.2.1" },
      ],
    });
    lab.exec("brain", ["ip", "addr", "add", "192.0.2.99/32", "dev", "eth0", "label", "eth0:vip"], { check: true });
    lab.exec("brain", ["ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.1", "metric", "5"], { check: true });
    worker = lab.runNode("brain", LINK_WORKER);
    await worker.expect("ready");
  });

  after(async () => {
    await worker?.stop().catch(() => worker.kill("SIGKILL"));
    await lab?.destroy();
  });

  async function list(): Promise<ListedInterface[]> {
    return (await worker.ask({ op: "interfaces" }, "interfaces")).list as ListedInterface[];
  }

  it("lists lo and eth0 with index, MAC, MTU, state and IPv4 addresses (aliases under their device)", async () => {
    const listed = await list();
    const shown = JSON.parse(lab.exec("brain", ["ip", "-j", "link"], { check: true }).stdout) as Array<{ ifname: string; ifindex: number }>;
    assert.deepEqual(
      listed.map((i) => [i.name, i.index]),
      shown.map((i) => [i.ifname, i.ifindex]),
    );
    const eth0 = listed.find((i) => i.name === "eth0");
    assert.ok(eth0 !== undefined);
    assert.equal(eth0.mac, "02:00:00:00:00:17");
    assert.equal(eth0.mtu, 1400);
    assert.equal(eth0.up, true);
    assert.equal(eth0.running, true);
    assert.equal(eth0.operState, "up");
    assert.equal(eth0.loopback, false);
    assert.equal(eth0.linkType, 1);
    assert.deepEqual(eth0.ipv4, [
      { address: "192.0.2.17", prefixLength: 24, label: "eth0" },
      { address: "192.0.2.99", prefixLength: 32, label: "eth0:vip" },
    ]);
    const lo = listed.find((i) => i.name === "lo");
    assert.ok(lo !== undefined);
    assert.deepEqual([lo.index, lo.loopback, lo.mac, lo.ipv4], [1, true, "00:00:00:00:00:00", [{ address: "127.0.0.1", prefixLength: 8, label: "lo" }]]);
  });

  it("finds one interface by name, and says which there are when the name is wrong", async () => {
    const found = (await worker.ask({ op: "find", name: "eth0" }, "found")).interface as ListedInterface;
    assert.equal(found.mac, lab.macOf("brain").toString());
    const wrong = await worker.ask({ op: "find", name: "eht0" }, "error");
    assert.equal(wrong.message, 'no interface "eht0"; this host has: lo, eth0');
  });

  it("sees an interface that is down, and one without carrier", async () => {
    lab.cut("brain");
    try {
      const cut = (await list()).find((i) => i.name === "eth0");
      assert.deepEqual([cut?.up, cut?.running, cut?.operState], [true, false, "down"]);
      assert.deepEqual(cut?.ipv4.map((a) => `${a.address}/${a.prefixLength} ${a.label}`), ["192.0.2.17/24 eth0", "192.0.2.99/32 eth0:vip"]);
    } finally {
      lab.restore("brain");
    }
    lab.exec("brain", ["ip", "link", "set", "eth0", "down"], { check: true });
    try {
      const down = (await list()).find((i) => i.name === "eth0");
      assert.deepEqual([down?.up, down?.running, down?.operState], [false, false, "down"]);
      assert.deepEqual(down?.ipv4.map((a) => a.address), ["192.0.2.17", "192.0.2.99"], "addresses stay while down");
    } finally {
      lab.exec("brain", ["ip", "link", "set", "eth0", "up"], { check: true });
      // Routes through an interface go with it when it goes down; put them back.
      lab.exec("brain", ["ip", "route", "replace", "default", "via", "192.0.2.1"], { check: true });
      lab.exec("brain", ["ip", "route", "replace", "198.51.100.0/24", "via", "192.0.2.1", "metric", "5"], { check: true });
    }
  });

  it("reads the routing table: default gateway, on-link and off-link next hops", async () => {
    const answer = await worker.ask({ op: "routes", targets: ["192.0.2.1", "192.0.2.200", "198.51.100.7", "203.0.113.9"] }, "routes");
    assert.deepEqual(answer.default, { interface: "eth0", destination: "0.0.0.0", prefixLength: 0, gateway: "192.0.2.1", metric: 0 });
    const hops = (answer.nextHops as Array<{ interface: string; nextHop: string; route: { prefixLength: number } }>).map((h) => [
      h.interface,
      h.nextHop,
      h.route.prefixLength,
    ]);
    assert.deepEqual(hops, [
      ["eth0", "192.0.2.1", 24], // on-link: the target itself
      ["eth0", "192.0.2.200", 24],
      ["eth0", "192.0.2.1", 24], // the /24 via the router, not the default
      ["eth0", "192.0.2.1", 0], // off-link: the gateway
    ]);
  });
});

describe("link: /proc/net/route parsing", () => {
  // Printed by a little-endian host for: default via 192.0.2.1 dev eth0 metric 100;
  // 192.0.2.0/24 dev eth0; 198.51.100.0/24 via 192.0.2.254 dev eth0; a down route; an unreachable route.
  const littleEndian = [
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "eth0\t006433C6\tFE0200C0\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "eth1\t007100CB\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "*\t0A7100CB\t00000000\t0201\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
    "",
  ].join("\n");
  const bigEndian = littleEndian
    .replace("010200C0", "C0000201")
    .replace("000200C0", "C0000200")
    .replace("006433C6", "C6336400")
    .replace("FE0200C0", "C00002FE")
    .replace(/00FFFFFF/g, "FFFFFF00");

  for (const [order, text, le] of [["little", littleEndian, true], ["big", bigEndian, false]] as const) {
    it(`reads routes written by a ${order}-endian host, leaving out down and reject routes`, () => {
      const routes = parseRouteTable(text, le);
      assert.deepEqual(
        routes.map((r) => [r.interface, `${r.destination}/${r.prefixLength}`, r.gateway?.toString(), r.metric]),
        [
          ["eth0", "0.0.0.0/0", "192.0.2.1", 100],
          ["eth0", "192.0.2.0/24", undefined, 0],
          ["eth0", "198.51.100.0/24", "192.0.2.254", 0],
        ],
      );
    });
  }

  it("picks the longest prefix, then the lowest metric, and the lowest-metric default", () => {
    const routes = [
      ...parseRouteTable(littleEndian, true),
      { interface: "eth1", destination: Ipv4.parse("0.0.0.0"), prefixLength: 0, gateway: Ipv4.parse("203.0.113.1"), metric: 50 },
    ];
    assert.equal(defaultRoute(routes)?.gateway?.toString(), "203.0.113.1");
    assert.equal(routeTo(Ipv4.parse("198.51.100.9"), routes)?.gateway?.toString(), "192.0.2.254");
    assert.equal(nextHopFor(Ipv4.parse("192.0.2.50"), routes).nextHop.toString(), "192.0.2.50");
    assert.equal(nextHopFor(Ipv4.parse("8.8.8.8"), routes).interface, "eth1");
    assert.throws(
      () => nextHopFor(Ipv4.parse("203.0.113.9"), routes.slice(1, 2)),
      /^RouteError: no route to 203\.0\.113\.9 in the main routing table \(1 routes\) — add one, e\.g\. ip route add default via <gateway>$/,
    );
    assert.equal(defaultRoute([]), undefined);
  });
});

// Tests of interface discovery and the kernel's route lookup. Both run in a worker inside a lab host,
// whose interface is built with a chosen MAC, MTU, addresses and an alias, and are compared with
// what `ip -j` says there. (The route module's byte parsing and policy routing: route.test.ts.)

import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";
import { NodeWorker } from "../../src/lab/worker";

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

  it("routes as ip route get does: on-link, via a gateway, the more specific route, local addresses on lo", async () => {
    const targets = ["192.0.2.1", "192.0.2.200", "198.51.100.7", "203.0.113.9", "127.0.0.1", "192.0.2.99"];
    const answer = await worker.ask({ op: "routes", targets }, "routes");
    const routes = answer.routes as Array<{ type: string; interface: string; nextHop: string; gateway: string | null; source: string | null }>;
    assert.deepEqual(
      routes.map((r) => [r.type, r.interface, r.nextHop, r.source]),
      [
        ["unicast", "eth0", "192.0.2.1", "192.0.2.17"], // on-link: the target itself
        ["unicast", "eth0", "192.0.2.200", "192.0.2.17"],
        ["unicast", "eth0", "192.0.2.1", "192.0.2.17"], // the /24 via the router
        ["unicast", "eth0", "192.0.2.1", "192.0.2.17"], // the default route's gateway
        ["local", "lo", "127.0.0.1", "127.0.0.1"],
        ["local", "lo", "192.0.2.99", "192.0.2.99"], // our own alias: delivered to ourselves
      ],
    );
    // the same answers as ip route get, field by field
    for (const [i, target] of targets.entries()) {
      const [shown] = JSON.parse(lab.exec("brain", ["ip", "-j", "route", "get", target], { check: true }).stdout) as Array<{ dev: string; gateway?: string; prefsrc: string; type?: string }>;
      assert.deepEqual([routes[i].interface, routes[i].gateway, routes[i].source], [shown.dev, shown.gateway ?? null, shown.prefsrc], target);
    }
  });
});

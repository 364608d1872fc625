// The router's neighbour cache, modelled on Linux: only its own resolution makes an entry, the first
// answer wins, a gratuitous ARP (request or reply form) overrides at once, any other ARP with another
// MAC overrides only after locktime, and an entry older than the reachable time is asked for again.
import assert from "node:assert/strict";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpReply, arpRequest, ArpRecord, gratuitousReply, gratuitousRequest } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { decodeFrame, encodeFrame } from "../../src/packets/frame";
import { Router } from "../../src/sim/router";
import { Scheduler } from "../../src/sim/scheduler";
import { Segment, Station } from "../../src/sim/segment";

const ROUTER_MAC = Mac.parse("02:00:5e:00:00:01");
const ROUTER_IP = Ipv4.parse("192.0.2.1");
const PUBLIC = Ipv4.parse("192.0.2.36");
const A = Mac.parse("02:00:5e:00:00:17");
const B = Mac.parse("02:00:5e:00:00:18");

function setUp() {
  const scheduler = new Scheduler(0);
  const segment = new Segment(scheduler, 40);
  const asked: number[] = [];
  const tap: Station = {
    id: "tap",
    mac: A,
    receive: (bytes) => {
      const f = decodeFrame(bytes);
      if (f.arp?.supported === true && f.arp.targetIp.equals(PUBLIC) && f.arp.senderIp.equals(ROUTER_IP)) asked.push(scheduler.now);
    },
  };
  segment.attach(tap);
  const changes: string[] = [];
  const router = new Router(ROUTER_MAC, ROUTER_IP, [PUBLIC], scheduler, segment, (address, mac, how) => changes.push(`${scheduler.now} ${address} ${mac} ${how}`));
  const from = (mac: Mac, arp: ArpRecord, destination = Mac.BROADCAST) => segment.transmit("tap", encodeFrame({ ethernet: { destination, source: mac, etherType: ETHERTYPE_ARP }, arp }));
  return { scheduler, router, changes, asked, from };
}

describe("sim: router neighbour cache", () => {
  it("makes no entry from unsolicited frames, even gratuitous ones", async () => {
    const { scheduler, router, from } = setUp();
    scheduler.at(0, () => from(A, gratuitousRequest(A, PUBLIC)));
    scheduler.at(10, () => from(A, arpReply(A, PUBLIC, ROUTER_MAC, ROUTER_IP), ROUTER_MAC));
    await scheduler.run(() => 50_000);
    assert.equal(router.entry(PUBLIC), undefined);
  });

  it("resolves by asking; the first answer wins, a second within locktime is ignored", async () => {
    const { scheduler, router, changes, asked, from } = setUp();
    router.start();
    scheduler.at(10_000, () => from(A, arpReply(A, PUBLIC, ROUTER_MAC, ROUTER_IP), ROUTER_MAC));
    scheduler.at(10_010, () => from(B, arpReply(B, PUBLIC, ROUTER_MAC, ROUTER_IP), ROUTER_MAC));
    await scheduler.run(() => 500_000);
    assert.deepEqual(asked, [40], "asked at once");
    assert.equal(router.entry(PUBLIC)?.toString(), A.toString());
    assert.deepEqual(changes, ["10040 192.0.2.36 02:00:5e:00:00:17 resolved"]);
  });

  it("asks again every retry interval while nobody answers", async () => {
    const { scheduler, router, asked } = setUp();
    router.start();
    await scheduler.run(() => 2_500_000);
    assert.deepEqual(asked, [40, 1_000_040, 2_000_040]);
  });

  it("takes a gratuitous ARP at once, request or reply form; other ARP only after locktime", async () => {
    const { scheduler, router, changes, from } = setUp();
    router.start();
    scheduler.at(10_000, () => from(A, arpReply(A, PUBLIC, ROUTER_MAC, ROUTER_IP), ROUTER_MAC));
    scheduler.at(100_000, () => from(B, gratuitousRequest(B, PUBLIC)));
    scheduler.at(200_000, () => from(A, gratuitousReply(A, PUBLIC)));
    // a request from B with PUBLIC as sender, not gratuitous: within locktime of the last change
    scheduler.at(300_000, () => from(B, arpRequest(B, PUBLIC, ROUTER_IP)));
    scheduler.at(1_250_000, () => from(B, arpRequest(B, PUBLIC, ROUTER_IP)));
    await scheduler.run(() => 2_000_000);
    assert.deepEqual(changes, [
      "10040 192.0.2.36 02:00:5e:00:00:17 resolved",
      "100040 192.0.2.36 02:00:5e:00:00:18 gratuitous request",
      "200040 192.0.2.36 02:00:5e:00:00:17 gratuitous reply",
      "1250040 192.0.2.36 02:00:5e:00:00:18 request after locktime",
    ]);
    assert.equal(router.entry(PUBLIC)?.toString(), B.toString());
  });

  it("asks again once its entry is older than the reachable time, and takes a new MAC then", async () => {
    const { scheduler, router, changes, asked, from } = setUp();
    router.start();
    scheduler.at(10_000, () => from(A, arpReply(A, PUBLIC, ROUTER_MAC, ROUTER_IP), ROUTER_MAC));
    scheduler.at(5_150_000, () => from(B, arpReply(B, PUBLIC, ROUTER_MAC, ROUTER_IP), ROUTER_MAC));
    await scheduler.run(() => 6_000_000);
    assert.ok(asked.length === 2 && asked[1] >= 5_010_000 && asked[1] <= 5_150_000, `asked again after 5 s: ${asked.join(", ")}`);
    assert.equal(changes[1], "5150040 192.0.2.36 02:00:5e:00:00:18 reply after locktime");
  });
});

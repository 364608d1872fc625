// The simulated box: its kernel answers ARP (RFC 5227 probes too) and echo for every address it has,
// whether its daemon runs, is paused or is dead; its daemon's link goes down at once, reopens for the
// reopen delay (send throws, nothing heard) and is then verified; a re-created interface has a new
// index, loses its aliases, gets its real address back, and address effects bound to the old index
// no longer reach it. The segment's faults drop, delay and duplicate frames per direction. A
// dual-stack box has a link-local, answers Neighbor Solicitations as Linux does (the NA's form
// follows the NS's), loses its IPv6 addresses at admin down, and gives its daemon IPv6 effects.
import assert from "node:assert/strict";
import type { CapturedFrame } from "../../src/link/port";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpProbe, arpRequest, ARP_REPLY } from "../../src/packets/arp";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../src/packets/ethernet";
import { decodeFrame, encodeFrame, ipv4Header } from "../../src/packets/frame";
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from "../../src/packets/icmp";
import { IP_PROTOCOL_ICMP } from "../../src/packets/ipv4";
import { Ipv6Address } from "../../src/packets/ipv6";
import { neighborSolicitationFrame } from "../../src/ndp/frames";
import { Box } from "../../src/sim/box";
import { linkLocalOf, readNdp } from "../../src/sim/frames6";
import { Random } from "../../src/sim/random";
import { Scheduler } from "../../src/sim/scheduler";
import { Segment, Station } from "../../src/sim/segment";

const BOX_MAC = Mac.parse("02:00:5e:00:00:17");
const TAP_MAC = Mac.parse("02:00:5e:00:00:99");
const REAL = Ipv4.parse("192.0.2.17");
const ALIAS = Ipv4.parse("192.0.2.36");
const TAP_IP = Ipv4.parse("192.0.2.99");

class Tap implements Station {
  readonly heard: { time: number; bytes: Uint8Array }[] = [];
  constructor(
    readonly scheduler: Scheduler,
    readonly id = "tap",
    readonly mac = TAP_MAC,
  ) {}
  receive(bytes: Uint8Array): void {
    this.heard.push({ time: this.scheduler.now, bytes });
  }
}

function setUp() {
  const scheduler = new Scheduler(0);
  const segment = new Segment(scheduler);
  const lines: string[] = [];
  const box = new Box({ name: "brain", mac: BOX_MAC, realAddress: REAL, prefixLength: 24, interfaceName: "eth0" }, scheduler, segment, (_b, part, what) => lines.push(`${part}: ${what}`));
  const tap = new Tap(scheduler);
  segment.attach(tap);
  const send = (bytes: Uint8Array) => segment.transmit("tap", bytes);
  const arpFrame = (arp: Parameters<typeof encodeFrame>[0]["arp"]) => encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: TAP_MAC, etherType: ETHERTYPE_ARP }, arp });
  const replies = () => tap.heard.map((h) => decodeFrame(h.bytes)).filter((f) => f.arp !== undefined && f.arp.supported && f.arp.operation === ARP_REPLY);
  return { scheduler, segment, box, tap, send, arpFrame, replies, lines };
}

describe("sim: kernel", () => {
  it("answers ARP requests for its real address and its aliases, and RFC 5227 probes too, unicast", async () => {
    const { scheduler, box, send, arpFrame, replies } = setUp();
    box.addLeftover(ALIAS, "eth0:vip");
    scheduler.at(1_000, () => send(arpFrame(arpRequest(TAP_MAC, TAP_IP, REAL))));
    scheduler.at(2_000, () => send(arpFrame(arpProbe(TAP_MAC, ALIAS))));
    scheduler.at(3_000, () => send(arpFrame(arpRequest(TAP_MAC, TAP_IP, Ipv4.parse("192.0.2.200")))));
    await scheduler.run(() => 10_000);
    const got = replies();
    assert.equal(got.length, 2);
    const [toRequest, toProbe] = got.map((f) => f.arp as Extract<typeof f.arp, { supported: true }>);
    assert.equal(toRequest.senderIp.toString(), "192.0.2.17");
    assert.ok(toRequest.senderMac.equals(BOX_MAC));
    assert.equal(toProbe.senderIp.toString(), "192.0.2.36");
    assert.equal(toProbe.targetIp.toString(), "0.0.0.0", "a probe's answer goes to 0.0.0.0, as Linux sends it");
    assert.ok(got.every((f) => f.ethernet.destination.equals(TAP_MAC)), "unicast to the asker");
  });

  it("does not answer a request whose sender address is its own (a martian to Linux)", async () => {
    const { scheduler, box, send, arpFrame, replies } = setUp();
    box.addLeftover(ALIAS, "eth0:vip");
    scheduler.at(1_000, () => send(arpFrame(arpRequest(TAP_MAC, ALIAS, ALIAS))));
    await scheduler.run(() => 10_000);
    assert.equal(replies().length, 0);
  });

  it("answers ICMP echo for its addresses", async () => {
    const { scheduler, send, tap } = setUp();
    const payload = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const request = encodeFrame({
      ethernet: { destination: BOX_MAC, source: TAP_MAC, etherType: ETHERTYPE_IPV4 },
      ipv4: ipv4Header(TAP_IP, REAL, IP_PROTOCOL_ICMP),
      icmp: { type: ICMP_ECHO_REQUEST, code: 0, identifier: 77, sequence: 5 },
      payload,
    });
    scheduler.at(1_000, () => send(request));
    await scheduler.run(() => 10_000);
    const reply = tap.heard.map((h) => decodeFrame(h.bytes)).find((f) => f.icmp?.type === ICMP_ECHO_REPLY);
    assert.ok(reply !== undefined);
    assert.equal(reply.icmp?.identifier, 77);
    assert.equal(reply.icmp?.sequence, 5);
    assert.equal(reply.ipv4?.source.toString(), "192.0.2.17");
    assert.equal(reply.icmp?.checksumValid, true);
    assert.deepEqual([...reply.payload], [...payload]);
  });

  it("keeps answering for an alias while its daemon is paused and after it is killed", async () => {
    const { scheduler, box, send, arpFrame, replies } = setUp();
    const { env } = box.startProcess(1, new Random(1));
    scheduler.at(5_000, () => void env.addresses.add(ALIAS, 24, "eth0:vip"));
    scheduler.at(10_000, () => box.pause());
    scheduler.at(11_000, () => send(arpFrame(arpProbe(TAP_MAC, ALIAS))));
    scheduler.at(20_000, () => box.crash());
    scheduler.at(21_000, () => send(arpFrame(arpProbe(TAP_MAC, ALIAS))));
    await scheduler.run(() => 30_000);
    assert.equal(replies().length, 2);
    assert.ok(box.holds(ALIAS), "the alias stays after the crash");
  });

  it("stops answering while the interface is down", async () => {
    const { scheduler, box, send, arpFrame, replies } = setUp();
    scheduler.at(1_000, () => box.setAdmin(false, 0));
    scheduler.at(2_000, () => send(arpFrame(arpRequest(TAP_MAC, TAP_IP, REAL))));
    scheduler.at(3_000, () => box.setAdmin(true, 0));
    scheduler.at(4_000, () => send(arpFrame(arpRequest(TAP_MAC, TAP_IP, REAL))));
    await scheduler.run(() => 10_000);
    assert.equal(replies().length, 1);
  });
});

describe("sim: the daemon's link", () => {
  it("is down at once, reopening for the reopen delay (send throws, nothing heard), then verified", async () => {
    const { scheduler, box, send, arpFrame } = setUp();
    const { env } = box.startProcess(1, new Random(1));
    const states: string[] = [];
    const heard: CapturedFrame[] = [];
    env.link.onState((state) => states.push(`${scheduler.now} ${state}`));
    env.port.listen((f) => heard.push(f));
    const probe = encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: BOX_MAC, etherType: ETHERTYPE_ARP }, arp: arpProbe(BOX_MAC, ALIAS) });
    const sends: string[] = [];
    const trySend = () => {
      try {
        env.port.send(probe);
        sends.push(`${scheduler.now} sent`);
      } catch (error) {
        sends.push(`${scheduler.now} ${(error as Error).message}`);
      }
    };
    scheduler.at(10_000, () => box.setCarrier(false, 0));
    scheduler.at(11_000, trySend);
    scheduler.at(20_000, () => box.setCarrier(true, 50_000));
    scheduler.at(30_000, trySend);
    scheduler.at(31_000, () => send(arpFrame(arpRequest(TAP_MAC, TAP_IP, REAL))));
    scheduler.at(80_000, trySend);
    scheduler.at(81_000, () => send(arpFrame(arpRequest(TAP_MAC, TAP_IP, REAL))));
    await scheduler.run(() => 100_000);
    assert.deepEqual(states, ["2000 verified", "10000 down", "20000 reopening", "70000 verified"]);
    assert.deepEqual(sends, [
      "11000 cannot send a 42-byte frame on eth0: the link is down",
      "30000 cannot send a 42-byte frame on eth0: the link is reopening",
      "80000 sent",
    ]);
    const times = heard.map((f) => f.timeMicros);
    assert.ok(!times.some((t) => t >= 20_000 && t < 70_000), "nothing is heard while reopening");
    assert.ok(times.includes(80_000), "the capture hears a copy of what the daemon sent");
    assert.ok(times.includes(81_040), "and what arrives");
    assert.ok(heard.every((f) => f.stamp === "kernel"));
  });

  it("tells a paused daemon about link changes when it resumes; the handle itself fails at once", async () => {
    const { scheduler, box } = setUp();
    const { env } = box.startProcess(1, new Random(1));
    const told: string[] = [];
    env.link.onState((state) => told.push(`${scheduler.now} ${state}`));
    scheduler.at(10_000, () => box.pause());
    scheduler.at(11_000, () => box.setAdmin(false, 0));
    scheduler.at(20_000, () => box.resume());
    await scheduler.run(() => 30_000);
    assert.equal(box.linkState, "down");
    assert.deepEqual(told, ["2000 verified", "20000 down"]);
  });

  it("re-creation: a new index, aliases gone, the real address back; effects bound to the old index fail", async () => {
    const { scheduler, box } = setUp();
    const { env } = box.startProcess(1, new Random(1));
    scheduler.at(5_000, () => void env.addresses.add(ALIAS, 24, "eth0:vip"));
    await scheduler.run(() => 6_000);
    assert.ok(box.has(ALIAS));
    const before = box.ifindex;
    scheduler.at(10_000, () => box.remove());
    scheduler.at(20_000, () => box.create(1_000, 5_000));
    await scheduler.run(() => 22_000);
    assert.notEqual(box.ifindex, before);
    assert.deepEqual(box.addresses().map((a) => a.address.toString()), [], "the real address is not back yet");
    await scheduler.run(() => 30_000);
    assert.deepEqual(box.addresses().map((a) => a.address.toString()), ["192.0.2.17"]);
    // netlink answers come through the scheduler: run it while they are pending
    const settle = async <T>(promise: Promise<T>): Promise<T> => {
      await scheduler.run(() => scheduler.now + 1_000);
      return promise;
    };
    assert.deepEqual(await settle(env.addresses.list()), []);
    await assert.rejects(settle(env.addresses.add(ALIAS, 24, "eth0:vip")), /No such device/);
    box.bindAddressesToIndex = false;
    await settle(env.addresses.add(ALIAS, 24, "eth0:vip"));
    assert.ok(box.has(ALIAS));
  });
});

describe("sim: segment", () => {
  it("drops, delays and duplicates per direction, only in that direction", async () => {
    const scheduler = new Scheduler(0);
    const segment = new Segment(scheduler, 40);
    const a = new Tap(scheduler);
    const b = new Tap(scheduler, "b", Mac.parse("02:00:00:00:00:0b"));
    segment.attach(a);
    segment.attach(b);
    const frame = encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: TAP_MAC, etherType: ETHERTYPE_ARP }, arp: arpProbe(TAP_MAC, ALIAS) });
    const lift = segment.impose("tap", "b", { loss: 0, delayMicros: 5_000, jitterMicros: 0, reorder: 0, reorderMicros: 0, duplicate: 1, partitioned: false }, new Random(1));
    scheduler.at(0, () => segment.transmit("tap", frame));
    scheduler.at(0, () => segment.transmit("b", frame));
    await scheduler.run(() => 100_000);
    assert.deepEqual(b.heard.map((h) => h.time), [5_040, 5_340], "delayed and duplicated");
    assert.deepEqual(a.heard.map((h) => h.time), [40], "the other direction is clean");
    lift();
    const cut = segment.impose("tap", "b", { loss: 0, delayMicros: 0, jitterMicros: 0, reorder: 0, reorderMicros: 0, duplicate: 0, partitioned: true }, new Random(1));
    assert.ok(segment.impaired("tap", "b") && !segment.impaired("b", "tap"));
    scheduler.at(200_000, () => segment.transmit("tap", frame));
    await scheduler.run(() => 300_000);
    assert.equal(b.heard.length, 2, "partitioned");
    cut();
    const lossy = segment.impose("tap", "b", { loss: 0.5, delayMicros: 0, jitterMicros: 0, reorder: 0, reorderMicros: 0, duplicate: 0, partitioned: false }, new Random(7));
    for (let i = 0; i < 1000; i++) scheduler.at(400_000 + i, () => segment.transmit("tap", frame));
    await scheduler.run(() => 500_000);
    lossy();
    assert.ok(b.heard.length - 2 > 400 && b.heard.length - 2 < 600, `about half of 1000 got through: ${b.heard.length - 2}`);
  });
});

describe("sim: kernel, IPv6 (a dual-stack box)", () => {
  const PUBLIC6 = Ipv6Address.parse("2001:db8:1::36");
  const TAP_LL = Ipv6Address.parse("fe80::99");

  function setUp6() {
    const scheduler = new Scheduler(0);
    const segment = new Segment(scheduler);
    const lines: string[] = [];
    const box = new Box({ name: "brain", mac: BOX_MAC, realAddress: REAL, prefixLength: 24, interfaceName: "eth0", ipv6: true }, scheduler, segment, (_b, part, what) => lines.push(`${part}: ${what}`));
    const tap = new Tap(scheduler);
    segment.attach(tap);
    const send = (bytes: Uint8Array) => segment.transmit("tap", bytes);
    const heard = () => tap.heard.map((h) => readNdp(h.bytes)).filter((m) => m !== undefined);
    const settle = async <T>(promise: Promise<T>): Promise<T> => {
      await scheduler.run(() => scheduler.now + 1_000);
      return promise;
    };
    return { scheduler, box, send, heard, settle, lines };
  }

  it("has its EUI-64 link-local, not tentative; its daemon gets it as linkLocal, and adds and removes addresses marked ours", async () => {
    const { box, settle } = setUp6();
    const { env } = box.startProcess(1, new Random(1));
    assert.equal(env.linkLocal?.toString(), "fe80::5eff:fe00:17");
    const effects = env.addresses;
    assert.ok(effects.listIpv6 !== undefined && effects.addIpv6 !== undefined && effects.removeIpv6 !== undefined);
    assert.deepEqual((await settle(effects.listIpv6())).map((a) => `${a.address}/${a.prefixLength} ours ${a.ours} tentative ${a.tentative}`), ["fe80::5eff:fe00:17/64 ours false tentative false"]);
    await settle(effects.addIpv6(PUBLIC6, 64));
    assert.ok(box.holds6(PUBLIC6));
    await settle(effects.addIpv6(PUBLIC6, 64)); // ours already: not an error
    assert.equal(await settle(effects.removeIpv6(box.linkLocal as Ipv6Address)), false, "not ours: left alone");
    assert.equal(await settle(effects.removeIpv6(PUBLIC6)), true);
    assert.equal(await settle(effects.removeIpv6(PUBLIC6)), false);
    assert.ok(!box.has6(PUBLIC6));
  });

  it("answers an NS to the solicited-node group with a solicited NA (Override, TLLA), a unicast NS without them, a DAD NS with an NA to all-nodes", async () => {
    const { scheduler, box, send, heard } = setUp6();
    box.addLeftover6(PUBLIC6, 64);
    scheduler.at(1_000, () => send(neighborSolicitationFrame({ sourceMac: TAP_MAC, source: TAP_LL, target: PUBLIC6 })));
    scheduler.at(2_000, () => send(neighborSolicitationFrame({ sourceMac: TAP_MAC, source: TAP_LL, target: PUBLIC6, destination: PUBLIC6, destinationMac: BOX_MAC })));
    scheduler.at(3_000, () => send(neighborSolicitationFrame({ sourceMac: TAP_MAC, source: Ipv6Address.ANY, target: PUBLIC6 })));
    scheduler.at(4_000, () => send(neighborSolicitationFrame({ sourceMac: TAP_MAC, source: TAP_LL, target: Ipv6Address.parse("2001:db8:1::99") })));
    // to the wrong group: the NIC does not take it
    scheduler.at(5_000, () => send(neighborSolicitationFrame({ sourceMac: TAP_MAC, source: TAP_LL, target: PUBLIC6, destination: Ipv6Address.parse("ff02::1:ff00:99") })));
    await scheduler.run(() => 10_000);
    const got = heard().map((m) => `${m.kind} ${m.target} ${m.source}→${m.destination} (${m.destinationMac}) S${+m.solicited} O${+m.override} R${+m.router} tlla ${m.linkLayer?.toString() ?? "none"}`);
    assert.deepEqual(got, [
      "advertisement 2001:db8:1::36 2001:db8:1::36→fe80::99 (02:00:5e:00:00:99) S1 O1 R0 tlla 02:00:5e:00:00:17",
      "advertisement 2001:db8:1::36 2001:db8:1::36→fe80::99 (02:00:5e:00:00:99) S1 O0 R0 tlla none",
      "advertisement 2001:db8:1::36 2001:db8:1::36→ff02::1 (33:33:00:00:00:01) S0 O1 R0 tlla 02:00:5e:00:00:17",
    ]);
  });

  it("admin down removes every IPv6 address, admin up makes the link-local again; a carrier loss removes nothing; holds6 follows", async () => {
    const { scheduler, box, send, heard } = setUp6();
    box.addLeftover6(PUBLIC6, 64);
    box.setCarrier(false, 0);
    assert.ok(box.has6(PUBLIC6) && !box.holds6(PUBLIC6), "kept, but not held without carrier");
    box.setCarrier(true, 0);
    assert.ok(box.holds6(PUBLIC6));
    box.setAdmin(false, 0);
    assert.deepEqual(box.addresses6(), []);
    box.setAdmin(true, 0);
    assert.deepEqual(box.addresses6().map((a) => a.address.toString()), ["fe80::5eff:fe00:17"]);
    scheduler.at(1_000, () => send(neighborSolicitationFrame({ sourceMac: TAP_MAC, source: TAP_LL, target: PUBLIC6 })));
    await scheduler.run(() => 10_000);
    assert.equal(heard().length, 0, "no answer for the address it lost");
    box.remove();
    assert.deepEqual(box.addresses6(), []);
    box.create(0, 0);
    assert.deepEqual(box.addresses6().map((a) => a.address.toString()), ["fe80::5eff:fe00:17"]);
  });

  it("a box without IPv6 gives its daemon no IPv6 effects and answers no NS", async () => {
    const { scheduler, box, send, tap } = setUp();
    const { env } = box.startProcess(1, new Random(1));
    assert.equal(env.addresses.listIpv6, undefined);
    assert.equal(env.linkLocal, undefined);
    scheduler.at(1_000, () => send(neighborSolicitationFrame({ sourceMac: TAP_MAC, source: TAP_LL, target: linkLocalOf(BOX_MAC) })));
    await scheduler.run(() => 10_000);
    assert.equal(tap.heard.length, 0, "no NA from a box without IPv6");
  });
});

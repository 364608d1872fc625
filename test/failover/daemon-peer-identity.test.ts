// The daemon's idea of who the peer is, on an in-memory segment (issue 9): learned only from answers
// to its own ARP requests for the peer's real address, never from a lone frame somebody sent; a
// configured `peer.mac` is pinned; frames tagged for another VLAN are not heard at all.
import assert from "node:assert/strict";
import { Daemon } from "../../src/failover/daemon";
import { configFor } from "../../src/sim/configs";
import { CapturedFrame, FramePort, memoryPortPair } from "../../src/link/port";
import { systemClock } from "../../src/link/clock";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpReply, arpRequest, gratuitousRequest } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { encodeFrame, FrameKind, FrameView } from "../../src/packets/frame";
import { TakeoverConfig } from "../../src/failover/config";
import { vlanTagged } from "../helpers/frames";

const OUR_MAC = Mac.parse("02:00:5e:00:00:17");
const PEER_MAC = Mac.parse("02:00:5e:00:00:18");
const EVIL_MAC = Mac.parse("02:00:5e:00:00:66");

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Segment {
  daemon: Daemon;
  lines: string[];
  /** what the far side sends, as if from the segment */
  wire: FramePort;
  /** the MACs that answer our ARP requests for the peer's real address (the far side's "hosts") */
  answering: Set<string>;
  /** tag the answers with this VLAN id (undefined: untagged) */
  answerVlan?: number;
}

function segmentFor(config: TakeoverConfig): Segment {
  const [ours, wire] = memoryPortPair(OUR_MAC, EVIL_MAC);
  const lines: string[] = [];
  const daemon = new Daemon(
    config,
    {
      port: ours,
      clock: systemClock,
      link: { state: "verified", onState: () => () => undefined },
      addresses: { list: async () => [], add: async () => undefined, remove: async () => false, unresolvedNeighbours: async () => [], close: () => undefined },
      prefixLength: 24,
      close: () => undefined,
    },
    { line: (event, address, detail) => lines.push(`${event} ${address ?? ""} ${detail}`) },
  );
  const segment: Segment = { daemon, lines, wire, answering: new Set() };
  const view = new FrameView();
  wire.listen((frame: CapturedFrame) => {
    if (!view.reset(frame.bytes) || view.kind !== FrameKind.Arp || view.arpTargetIp !== config.peer.address.value || view.arpSenderIp !== config.node.address.value) return;
    for (const mac of segment.answering) {
      const from = Mac.parse(mac);
      const reply = encodeFrame({ ethernet: { destination: OUR_MAC, source: from, etherType: ETHERTYPE_ARP }, arp: arpReply(from, config.peer.address, OUR_MAC, config.node.address) });
      wire.send(segment.answerVlan === undefined ? reply : vlanTagged(reply, segment.answerVlan));
    }
  });
  return segment;
}

function forgeries(config: TakeoverConfig): Uint8Array[] {
  const peer = config.peer.address;
  return [
    // a broadcast request "from" the peer's real address
    encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: arpRequest(EVIL_MAC, peer, Ipv4.parse("192.0.2.1")) }),
    // an unsolicited reply to us alone
    encodeFrame({ ethernet: { destination: OUR_MAC, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: arpReply(EVIL_MAC, peer, OUR_MAC, config.node.address) }),
    // a gratuitous announcement of the peer's real address
    encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(EVIL_MAC, peer) }),
  ];
}

describe("daemon: who the peer is", function () {
  this.timeout(10_000);
  const running: Daemon[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  });
  async function started(config: TakeoverConfig, answering: Mac[] = [], vlan?: number): Promise<Segment> {
    const segment = segmentFor(config);
    for (const mac of answering) segment.answering.add(mac.toString());
    segment.answerVlan = vlan;
    running.push(segment.daemon);
    await segment.daemon.start();
    await settle(300);
    return segment;
  }

  it("learns the peer's MAC from the answers to its own requests for the peer's real address", async () => {
    const { daemon, lines } = await started(configFor("brain", "shipped"), [PEER_MAC]);
    assert.equal(daemon.status().peer.mac, PEER_MAC.toString());
    assert.ok(lines.some((l) => l.startsWith("peer-mac") && l.includes("learned") && l.includes(PEER_MAC.toString())), lines.join("\n"));
  });

  it("learns nothing from forged frames: a request from the peer's address, an unsolicited reply, a gratuitous ARP", async () => {
    const config = configFor("brain", "shipped");
    const { daemon, wire } = await started(config);
    for (const frame of forgeries(config)) wire.send(frame);
    await settle(300);
    assert.equal(daemon.status().peer.mac, undefined);
  });

  it("keeps the learned MAC whatever forged frames say afterwards", async () => {
    const config = configFor("brain", "shipped");
    const { daemon, wire } = await started(config, [PEER_MAC]);
    for (let i = 0; i < 5; i++) for (const frame of forgeries(config)) wire.send(frame);
    await settle(300);
    assert.equal(daemon.status().peer.mac, PEER_MAC.toString());
  });

  it("learns nothing while two MACs answer for the peer's address", async () => {
    const { daemon, lines } = await started(configFor("brain", "shipped"), [PEER_MAC, EVIL_MAC]);
    assert.equal(daemon.status().peer.mac, undefined);
    assert.ok(lines.some((l) => l.includes("more than one MAC answers")), lines.join("\n"));
  });

  it("keeps the learned MAC when a stranger answers alongside the peer after a stranger's claim", async () => {
    const config = configFor("brain", "shipped");
    const segment = await started(config, [PEER_MAC]);
    segment.answering.add(EVIL_MAC.toString());
    // a stranger's claim on our public address prompts a round
    segment.wire.send(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(EVIL_MAC, config.node.publicAddress) }));
    await settle(400);
    assert.equal(segment.daemon.status().peer.mac, PEER_MAC.toString());
    assert.ok(segment.lines.some((l) => l.includes("and so does a stranger")), segment.lines.join("\n"));
  });

  it("does not move to a stranger who answers alone for less than the confirmation time", async () => {
    const config = configFor("brain", "shipped");
    const segment = await started(config, [PEER_MAC]);
    segment.answering.clear();
    segment.answering.add(EVIL_MAC.toString());
    for (let i = 0; i < 3; i++) {
      segment.wire.send(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(EVIL_MAC, config.node.publicAddress) }));
      await settle(1100);
    }
    assert.equal(segment.daemon.status().peer.mac, PEER_MAC.toString());
    assert.ok(segment.lines.some((l) => l.includes("kept") && l.includes("for now")), segment.lines.join("\n"));
  });

  it("drops a replacement being confirmed when the peer is heard claiming its address at its learned MAC", async () => {
    const config = configFor("brain", "shipped");
    const segment = await started(config, [PEER_MAC]);
    segment.answering.clear();
    segment.answering.add(EVIL_MAC.toString());
    // a stranger's claim on our public address prompts a round, answered by the stranger alone
    segment.wire.send(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(EVIL_MAC, config.node.publicAddress) }));
    await settle(400);
    assert.ok(segment.lines.some((l) => l.includes("kept") && l.includes("for now")), segment.lines.join("\n"));
    assert.ok(!segment.lines.some((l) => l.includes("the peer is up again")), segment.lines.join("\n"));
    // the peer, back, announces its own public address from the MAC we learned
    segment.wire.send(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: PEER_MAC, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(PEER_MAC, config.peer.publicAddress) }));
    await settle(200);
    const dropped = segment.lines.filter((l) => l.startsWith("peer-mac") && l.includes("the peer is up again"));
    assert.equal(dropped.length, 1, segment.lines.join("\n"));
    assert.ok(dropped[0].includes(EVIL_MAC.toString()) && dropped[0].includes("not taken for it"), dropped[0]);
    assert.equal(segment.daemon.status().peer.mac, PEER_MAC.toString());
  });

  it("lets no frame change the learned MAC: a stranger claiming the peer's address ends no confirmation", async () => {
    const config = configFor("brain", "shipped");
    const segment = await started(config, [PEER_MAC]);
    segment.answering.clear();
    segment.answering.add(EVIL_MAC.toString());
    segment.wire.send(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(EVIL_MAC, config.node.publicAddress) }));
    await settle(400);
    segment.wire.send(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(EVIL_MAC, config.peer.publicAddress) }));
    await settle(200);
    assert.ok(!segment.lines.some((l) => l.includes("the peer is up again")), segment.lines.join("\n"));
    assert.equal(segment.daemon.status().peer.mac, PEER_MAC.toString());
  });

  it("keeps a configured peer.mac whatever the segment says", async () => {
    const base = configFor("brain", "shipped");
    const config = { ...base, peer: { ...base.peer, mac: PEER_MAC } };
    const { daemon, wire } = await started(config, [EVIL_MAC]);
    for (const frame of forgeries(config)) wire.send(frame);
    await settle(300);
    assert.equal(daemon.status().peer.mac, PEER_MAC.toString());
  });

  it("does not hear answers tagged for another VLAN", async () => {
    const { daemon } = await started(configFor("brain", "shipped"), [PEER_MAC], 99);
    assert.equal(daemon.status().peer.mac, undefined);
  });
});

// The daemon with IPv6 public addresses, on an in-memory segment (issue 11): what it sends and changes,
// in order, read from the wire with the NDP codec. Before a claim, DAD (an NS from :: for the address);
// the address added only if nothing answered, then unsolicited NAs with Override and our MAC; an NA
// from a stranger for a held address is answered by one NA of ours and nothing is given up; the
// peer's address is taken when the peer stops answering and handed back (removed, then NAs at the
// peer's MAC) when the peer claims it; while holding it, the daemon asks by NS from its link-local.
// The end-to-end counterparts, judged from a real router, are in e2e-ipv6.test.ts.
import assert from "node:assert/strict";
import { Daemon } from "../../src/failover/daemon";
import { parseConfig, TakeoverConfig } from "../../src/failover/config";
import { AddressEffects } from "../../src/failover/env";
import { CapturedFrame, FramePort, memoryPortPair } from "../../src/link/port";
import { systemClock } from "../../src/link/clock";
import { echoReplyTo } from "../helpers/frames";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpReply, ARP_REQUEST } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { encodeFrame, FrameKind, FrameView } from "../../src/packets/frame";
import { Ipv6Address } from "../../src/packets/ipv6";
import { neighborAdvertisementFrame, neighborSolicitationFrame, NeighborMessage, readNeighborMessage, solicitedNodeGroup } from "../../src/ndp";

const OUR_MAC = Mac.parse("02:00:5e:00:00:17");
const PEER_MAC = Mac.parse("02:00:5e:00:00:18");
const EVIL_MAC = Mac.parse("02:00:5e:00:00:66");
const OURS = Ipv6Address.parse("2001:db8:1::37");
const THEIRS = Ipv6Address.parse("2001:db8:1::36");
const LINK_LOCAL = Ipv6Address.parse("fe80::5eff:fe00:17");

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CONFIG = [
  "interface: eth0",
  "node: { name: brain, address: 192.0.2.17, publicAddress: [192.0.2.37/24, 2001:db8:1::37/64] }",
  "peer: { name: pinky, address: 192.0.2.18, publicAddress: [192.0.2.36/24, 2001:db8:1::36/64] }",
  "checks:",
  "  - { target: peer, interval: 10ms, timeout: 10ms, fall: 2, rise: 2 }",
  "claim: { probes: 2, probeInterval: 10ms, probeWait: 30ms, retry: 100ms, verifyInterval: 100ms }",
  "announce: { count: 2, interval: 20ms }",
  "status: { listen: off }",
].join("\n");

/** One thing the daemon did, in order: a frame it sent (NDP only) or an IPv6 address change. */
type Step = { kind: "ndp"; message: NeighborMessage } | { kind: "add" | "remove"; address: string };

interface Segment {
  daemon: Daemon;
  lines: string[];
  steps: Step[];
  /** the far side: sends as the segment would */
  wire: FramePort;
  /** IPv6 addresses on our interface (ours) */
  held: Set<string>;
  /** the peer answers ICMP echo to its real address, and ARP for it */
  peerAlive: boolean;
}

function segmentFor(config: TakeoverConfig): Segment {
  const [ours, wire] = memoryPortPair(OUR_MAC, EVIL_MAC);
  const lines: string[] = [];
  const steps: Step[] = [];
  const held = new Set<string>();
  const addresses: AddressEffects = {
    list: async () => [],
    add: async (_a, _p, _l, written) => written?.(),
    remove: async (_a, _l, written) => (written?.(), false),
    listIpv6: async () => [{ address: LINK_LOCAL, prefixLength: 64, ours: false, tentative: false }, ...[...held].map((a) => ({ address: Ipv6Address.parse(a), prefixLength: 64, ours: true, tentative: false }))],
    addIpv6: async (address, _prefixLength, written) => {
      steps.push({ kind: "add", address: address.toString() });
      held.add(address.toString());
      written?.();
    },
    removeIpv6: async (address, written) => {
      steps.push({ kind: "remove", address: address.toString() });
      written?.();
      return held.delete(address.toString());
    },
    unresolvedNeighbours: async () => [],
    close: () => undefined,
  };
  const daemon = new Daemon(
    config,
    { port: ours, clock: systemClock, link: { state: "verified", onState: () => () => undefined }, addresses, prefixLength: 24, linkLocal: LINK_LOCAL, close: () => undefined },
    { line: (event, address, detail) => lines.push(`${event} ${address ?? ""} ${detail}`) },
  );
  const segment: Segment = { daemon, lines, steps, wire, held, peerAlive: true };
  const view = new FrameView();
  wire.listen((frame: CapturedFrame) => {
    const message = readNeighborMessage(frame.bytes);
    if (message !== undefined) {
      steps.push({ kind: "ndp", message });
      return;
    }
    if (!segment.peerAlive || !view.reset(frame.bytes)) return;
    // the peer's kernel: answers ARP for its real address, and echo requests to it
    if (view.kind === FrameKind.Arp && view.arpOperation === ARP_REQUEST && view.arpTargetIp === config.peer.address.value) {
      wire.send(encodeFrame({ ethernet: { destination: OUR_MAC, source: PEER_MAC, etherType: ETHERTYPE_ARP }, arp: arpReply(PEER_MAC, config.peer.address, OUR_MAC, new Ipv4(view.arpSenderIp)) }));
    } else if (view.kind === FrameKind.Icmp && view.ipv4Destination === config.peer.address.value && view.icmpType === 8) {
      wire.send(echoReplyTo(frame.bytes, PEER_MAC, OUR_MAC));
    }
  });
  return segment;
}

const ndp = (steps: Step[]) => steps.flatMap((s) => (s.kind === "ndp" ? [s.message] : []));
const indexOf = (steps: Step[], test: (s: Step) => boolean) => steps.findIndex(test);
const isDadFor = (address: Ipv6Address) => (s: Step) => s.kind === "ndp" && s.message.kind === "solicitation" && s.message.source.equals(Ipv6Address.ANY) && s.message.target.equals(address);
const isNaFor = (address: Ipv6Address, mac: Mac) => (s: Step) => s.kind === "ndp" && s.message.kind === "advertisement" && s.message.target.equals(address) && s.message.linkLayerAddress?.equals(mac) === true;

describe("daemon: IPv6 public addresses (in memory)", function () {
  this.timeout(15_000);
  const running: Daemon[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  });

  async function started(peerAlive = true): Promise<Segment> {
    const segment = segmentFor(parseConfig(CONFIG, "brain.yaml"));
    segment.peerAlive = peerAlive;
    running.push(segment.daemon);
    await segment.daemon.start();
    return segment;
  }

  it("claims its own IPv6 address with DAD first, then adds it, then unsolicited NAs (Override, our MAC, to all-nodes)", async () => {
    const { steps, held, lines } = await started();
    await settle(400);
    assert.ok(held.has(OURS.toString()), lines.join("\n"));
    const dad = indexOf(steps, isDadFor(OURS));
    const add = indexOf(steps, (s) => s.kind === "add" && s.address === OURS.toString());
    const na = indexOf(steps, isNaFor(OURS, OUR_MAC));
    assert.ok(dad >= 0 && add > dad && na > dad, `DAD ${dad}, add ${add}, NA ${na}`);
    const probes = ndp(steps).filter((m) => m.kind === "solicitation" && m.target.equals(OURS) && m.source.equals(Ipv6Address.ANY));
    assert.equal(probes.length, 2, "claim.probes DAD solicitations");
    for (const probe of probes) {
      assert.ok(probe.destination.equals(solicitedNodeGroup(OURS)), `to ${probe.destination}`);
      assert.equal(probe.linkLayerAddress, undefined, "a DAD NS has no link-layer option (RFC 4861 §4.3)");
    }
    const nas = ndp(steps).filter((m) => m.kind === "advertisement" && m.target.equals(OURS));
    assert.equal(nas.length, 2, "announce.count rounds");
    for (const na of nas) assert.deepEqual([na.override, na.solicited, na.router, na.destination.toString()], [true, false, false, "ff02::1"]);
    // and the peer's address is left alone while the peer answers
    assert.ok(!held.has(THEIRS.toString()));
    assert.equal(indexOf(steps, isDadFor(THEIRS)), -1);
  });

  it("does not add an address whose DAD is answered (an NA from another MAC)", async () => {
    const segment = segmentFor(parseConfig(CONFIG, "brain.yaml"));
    running.push(segment.daemon);
    // a stranger answers every DAD probe for our address, as a box holding it would
    segment.wire.listen((frame) => {
      const m = readNeighborMessage(frame.bytes);
      if (m?.kind === "solicitation" && m.source.equals(Ipv6Address.ANY) && m.target.equals(OURS)) {
        segment.wire.send(neighborAdvertisementFrame({ sourceMac: EVIL_MAC, target: OURS, linkLayerAddress: EVIL_MAC, override: true, solicited: false }));
      }
    });
    await segment.daemon.start();
    await settle(400);
    assert.ok(!segment.held.has(OURS.toString()), segment.lines.join("\n"));
    assert.ok(segment.lines.some((l) => l.startsWith("not-claiming 2001:db8:1::37") && l.includes(EVIL_MAC.toString())), segment.lines.join("\n"));
  });

  it("answers a stranger's NA for a held address with one of its own and keeps the address", async () => {
    const { steps, held, wire, lines } = await started();
    await settle(300);
    assert.ok(held.has(OURS.toString()));
    const before = steps.length;
    wire.send(neighborAdvertisementFrame({ sourceMac: EVIL_MAC, target: OURS, linkLayerAddress: EVIL_MAC, override: true, solicited: false }));
    await settle(100);
    const after = steps.slice(before);
    assert.ok(after.some(isNaFor(OURS, OUR_MAC)), `no defending NA: ${lines.join("\n")}`);
    assert.ok(!after.some((s) => s.kind === "remove"));
    assert.ok(held.has(OURS.toString()));
    assert.ok(lines.some((l) => l.startsWith("conflict 2001:db8:1::37") || l.includes("defend")), lines.join("\n"));
  });

  it("takes the peer's IPv6 address when the peer stops answering, asks by NS from its link-local while holding it, and hands it back (removed, NAs at the peer's MAC) when the peer claims it", async () => {
    const segment = await started();
    const { steps, held, wire, lines } = segment;
    await settle(300);
    segment.peerAlive = false;
    await settle(600);
    assert.ok(held.has(THEIRS.toString()), `not taken: ${lines.join("\n")}`);
    const dad = indexOf(steps, isDadFor(THEIRS));
    const add = indexOf(steps, (s) => s.kind === "add" && s.address === THEIRS.toString());
    assert.ok(dad >= 0 && add > dad, `DAD ${dad}, add ${add}`);
    // verify: who has the peer's address? from our link-local, with our link-layer address
    const asks = ndp(steps).filter((m) => m.kind === "solicitation" && m.target.equals(THEIRS) && m.source.equals(LINK_LOCAL));
    assert.ok(asks.length >= 1, "no NS from our link-local while holding the peer's address");
    assert.ok(asks[0].linkLayerAddress?.equals(OUR_MAC));
    // the peer is back and claims its address (its daemon's NA)
    segment.peerAlive = true;
    const before = steps.length;
    wire.send(neighborAdvertisementFrame({ sourceMac: PEER_MAC, target: THEIRS, linkLayerAddress: PEER_MAC, override: true, solicited: false }));
    await settle(300);
    assert.ok(!held.has(THEIRS.toString()), `not handed back: ${lines.join("\n")}`);
    const after = steps.slice(before);
    const removed = indexOf(after, (s) => s.kind === "remove" && s.address === THEIRS.toString());
    const handBack = indexOf(after, isNaFor(THEIRS, PEER_MAC));
    assert.ok(removed >= 0 && handBack >= 0, `remove ${removed}, hand-back NA ${handBack}`);
    assert.ok(lines.some((l) => l.startsWith("yield 2001:db8:1::36")), lines.join("\n"));
    // our own address never moved
    assert.ok(held.has(OURS.toString()));
  });

  it("does not give the peer's address to a stranger's NA while holding it", async () => {
    const segment = await started();
    await settle(300);
    segment.peerAlive = false;
    await settle(600);
    assert.ok(segment.held.has(THEIRS.toString()));
    for (let i = 0; i < 3; i++) {
      segment.wire.send(neighborAdvertisementFrame({ sourceMac: EVIL_MAC, target: THEIRS, linkLayerAddress: EVIL_MAC, override: true, solicited: false }));
      segment.wire.send(neighborSolicitationFrame({ sourceMac: EVIL_MAC, source: Ipv6Address.ANY, target: THEIRS }));
      await settle(30);
    }
    await settle(100);
    assert.ok(segment.held.has(THEIRS.toString()), segment.lines.join("\n"));
    assert.ok(!segment.lines.some((l) => l.startsWith("yield")), segment.lines.join("\n"));
  });
});

// The order of a claim's steps, on an in-memory segment: the router's entry must not wait for the
// kernel. A claim announces each address before its add is made (the add's sendmsg() waits for the
// kernel's rtnetlink lock, milliseconds right after a link comes back), and the first announcements of
// several addresses claimed together go out back to back, before any of their log lines. A yield or
// hand-back is the other way round: removed first (the address is answered here until then), its
// announcement at the peer's MAC once the remove is written. The end-to-end figures are bench:failover's.
import assert from "node:assert/strict";
import { Daemon } from "../../src/failover/daemon";
import { parseConfig } from "../../src/failover/config";
import { AddressEffects } from "../../src/failover/env";
import { memoryPortPair } from "../../src/link/port";
import { systemClock } from "../../src/link/clock";
import { echoReplyTo } from "../helpers/frames";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpReply, ARP_REQUEST } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { encodeFrame, FrameKind, FrameView } from "../../src/packets/frame";

const OUR_MAC = Mac.parse("02:00:5e:00:00:17");
const PEER_MAC = Mac.parse("02:00:5e:00:00:18");
const OURS = ["192.0.2.37", "192.0.2.38", "192.0.2.39", "192.0.2.40"];
const THEIRS = ["192.0.2.36", "192.0.2.33"];

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CONFIG = [
  "interface: eth0",
  `node: { name: brain, address: 192.0.2.17, publicAddress: [${OURS.join(", ")}] }`,
  `peer: { name: pinky, address: 192.0.2.18, publicAddress: [${THEIRS.join(", ")}] }`,
  "checks:",
  "  - { target: peer, interval: 10ms, timeout: 10ms, fall: 2, rise: 2 }",
  "claim: { probes: 1, probeInterval: 10ms, probeWait: 20ms, retry: 100ms, verifyInterval: 50ms }",
  "announce: { count: 2, interval: 20ms }",
  "status: { listen: off }",
].join("\n");

/** What happened, in order: a gratuitous ARP on the wire (request form) for an address at a MAC, a change begun or done, a log line. */
type Step = { kind: "garp"; address: string; mac: string } | { kind: "add" | "added" | "remove" | "remove-written"; address: string } | { kind: "log"; event: string; address: string };

interface Segment {
  daemon: Daemon;
  steps: Step[];
  lines: string[];
  /** the peer answers ICMP echo and ARP for its real address */
  peerAlive: boolean;
  /** what the peer's kernel holds (answers ARP for) */
  peerHolds: Set<string>;
}

/** `addDelayMs`: how long an add keeps the daemon waiting for the kernel (written and answered then), as the rtnetlink lock can. */
function segment(addDelayMs: number): Segment {
  const config = parseConfig(CONFIG, "brain.yaml");
  const [ours, wire] = memoryPortPair(OUR_MAC, PEER_MAC);
  const steps: Step[] = [];
  const lines: string[] = [];
  const held = new Set<string>();
  const addresses: AddressEffects = {
    list: async () => [...held].map((a) => ({ address: Ipv4.parse(a) })),
    add: async (address, _prefix, _label, written) => {
      steps.push({ kind: "add", address: address.toString() });
      await settle(addDelayMs);
      held.add(address.toString());
      written?.();
      steps.push({ kind: "added", address: address.toString() });
    },
    remove: async (address, _label, written) => {
      steps.push({ kind: "remove", address: address.toString() });
      const was = held.delete(address.toString());
      steps.push({ kind: "remove-written", address: address.toString() });
      written?.();
      return was;
    },
    unresolvedNeighbours: async () => [],
    close: () => undefined,
  };
  const daemon = new Daemon(
    config,
    { port: ours, clock: systemClock, link: { state: "verified", onState: () => () => undefined }, addresses, prefixLength: 24, close: () => undefined },
    {
      line: (event, address, detail) => {
        lines.push(`${event} ${address ?? ""} ${detail}`);
        if (address !== undefined) steps.push({ kind: "log", event, address });
      },
    },
  );
  const s: Segment = { daemon, steps, lines, peerAlive: true, peerHolds: new Set(THEIRS) };
  const view = new FrameView();
  wire.listen((frame) => {
    if (!view.reset(frame.bytes)) return;
    if (view.kind === FrameKind.Arp) {
      const target = new Ipv4(view.arpTargetIp).toString();
      // a gratuitous ARP: sender and target address the same, request form (the reply form follows it)
      if (view.arpOperation === ARP_REQUEST && view.arpSenderIp === view.arpTargetIp) steps.push({ kind: "garp", address: target, mac: new Mac(view.arpSenderMac).toString() });
      if (!s.peerAlive || view.arpOperation !== ARP_REQUEST || view.arpSenderIp === view.arpTargetIp) return;
      // the peer's kernel answers for its real address and what it holds (a probe of ours included)
      if (target === config.peer.address.toString() || s.peerHolds.has(target)) {
        wire.send(encodeFrame({ ethernet: { destination: OUR_MAC, source: PEER_MAC, etherType: ETHERTYPE_ARP }, arp: arpReply(PEER_MAC, Ipv4.parse(target), OUR_MAC, new Ipv4(view.arpSenderIp)) }));
      }
    } else if (s.peerAlive && view.kind === FrameKind.Icmp && view.ipv4Destination === config.peer.address.value && view.icmpType === 8) {
      wire.send(echoReplyTo(frame.bytes, PEER_MAC, OUR_MAC));
    }
  });
  return s;
}

const at = (steps: readonly Step[], test: (s: Step) => boolean) => steps.findIndex(test);

describe("daemon: the order of a claim's and a hand-back's steps (in memory)", function () {
  this.timeout(15_000);
  const running: Daemon[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  });

  it("announces each of its four addresses before the add is made, all four back to back before any announce line", async () => {
    const s = segment(100);
    running.push(s.daemon);
    await s.daemon.start();
    await settle(400);
    const { steps, lines } = s;
    for (const address of OURS) {
      const garp = at(steps, (x) => x.kind === "garp" && x.address === address && x.mac === OUR_MAC.toString());
      const added = at(steps, (x) => x.kind === "added" && x.address === address);
      assert.ok(garp >= 0 && added >= 0, `${address}: announced at ${garp}, added at ${added}\n${lines.join("\n")}`);
      assert.ok(garp < added, `${address}: the announcement (step ${garp}) waited for the add (step ${added})`);
    }
    // the four first announcements, then the lines: no log line of the claim between two of them
    const firsts = OURS.map((a) => at(steps, (x) => x.kind === "garp" && x.address === a));
    const firstLine = at(steps, (x) => x.kind === "log" && x.event === "announce");
    assert.ok(firstLine > Math.max(...firsts), `first announce line at step ${firstLine}, announcements at ${firsts.join(", ")}`);
  });

  it("hands the peer's address back only once it is removed: the remove is written before the announcement at the peer's MAC", async () => {
    const s = segment(0);
    running.push(s.daemon);
    await s.daemon.start();
    await settle(200);
    // the peer goes silent and lets go of its addresses: we take them
    s.peerAlive = false;
    s.peerHolds.clear();
    await settle(400);
    for (const address of THEIRS) assert.ok(at(s.steps, (x) => x.kind === "added" && x.address === address) >= 0, `${address} not taken:\n${s.lines.join("\n")}`);
    // the peer is back, and announces its addresses: we yield, remove, and announce at its MAC
    s.peerAlive = true;
    s.peerHolds = new Set(THEIRS);
    await settle(300);
    for (const address of THEIRS) {
      const written = at(s.steps, (x) => x.kind === "remove-written" && x.address === address);
      const handBack = at(s.steps, (x) => x.kind === "garp" && x.address === address && x.mac === PEER_MAC.toString());
      assert.ok(written >= 0 && handBack >= 0, `${address}: removed at ${written}, handed back at ${handBack}\n${s.lines.join("\n")}`);
      assert.ok(written < handBack, `${address}: the hand-back (step ${handBack}) went out before the remove was written (step ${written})`);
    }
  });
});

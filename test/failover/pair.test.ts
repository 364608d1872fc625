// The pair's authenticated channel on an in-memory segment (src/failover/pair.ts): what pairPort
// signs, checks and leaves out, what PairResponder answers, the sealed echo exchange, and key
// rotation on reload.
import assert from "node:assert/strict";
import { PairKeys } from "../../src/failover/auth";
import { PairAuth, pairPort, PairResponder } from "../../src/failover/pair";
import { Prober, ProbeEvent } from "../../src/icmp/prober";
import { CapturedFrame, FramePort, memoryPortPair } from "../../src/link/port";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpRequest, gratuitousRequest } from "../../src/packets/arp";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../src/packets/ethernet";
import { encodeFrame, FrameKind, FrameView, ipv4Header } from "../../src/packets/frame";
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from "../../src/packets/icmp";
import { IP_PROTOCOL_ICMP } from "../../src/packets/ipv4";
import { vlanTagged } from "../helpers/frames";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePcap } from "../../src/packets/pcap";
import { runTool, TSHARK } from "../helpers/tools";
import { Ipv6Address } from "../../src/packets/ipv6";
import { neighborAdvertisementFrame, neighborSolicitationFrame, readNeighborMessage } from "../../src/ndp/frames";

const A_MAC = Mac.parse("02:00:5e:00:00:17");
const B_MAC = Mac.parse("02:00:5e:00:00:18");
const A_IP = Ipv4.parse("192.0.2.17");
const B_IP = Ipv4.parse("192.0.2.18");
const VIP = Ipv4.parse("192.0.2.37");
const VIP6 = Ipv6Address.parse("2001:db8:1::37");
const KEY = PairKeys.fromSecret(Buffer.from("a shared key of the pair, 32 by."));
const OTHER_KEY = PairKeys.fromSecret(Buffer.from("somebody else's key, 32 bytes.."));

/** tshark's fields for one frame: the ICMPv6 checksum status (1: good) and the NDP option types. */
function decodeWithTshark(frame: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), "takeover-pair-"));
  try {
    const file = join(dir, "frame.pcap");
    writeFileSync(file, writePcap([{ seconds: 1_700_000_000, nanoseconds: 0, data: frame }]));
    const { stdout } = runTool(TSHARK, ["-r", file, "-n", "-T", "fields", "-E", "separator=,", "-E", "occurrence=a", "-E", "aggregator=;", "-e", "icmpv6.checksum.status", "-e", "icmpv6.opt.type"]);
    const [status, types] = stdout.trim().split(",");
    return `icmpv6.checksum.status:${status} ${types.split(/[,;]/).map((t) => `icmpv6.opt.type:${t}`).join(" ")}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** What one side hears, kept (frames are copied). */
function hearing(port: FramePort): CapturedFrame[] {
  const heard: CapturedFrame[] = [];
  port.listen((f) => heard.push({ ...f, bytes: f.bytes.slice() }));
  return heard;
}

const claim = (mac: Mac, ip: Ipv4) => encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: mac, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(mac, ip) });

describe("pairPort and PairResponder", () => {
  it("without a key: leaves out frames tagged for a VLAN (802.1Q and 802.1ad), passes the rest untouched", async () => {
    const [a, b] = memoryPortPair(A_MAC, B_MAC);
    const heard = hearing(pairPort(b, undefined));
    const frame = claim(A_MAC, VIP);
    a.send(frame);
    a.send(vlanTagged(frame, 99));
    const qinq = vlanTagged(frame, 5);
    qinq[12] = 0x88;
    qinq[13] = 0xa8;
    a.send(qinq);
    await settle();
    assert.equal(heard.length, 1);
    assert.deepEqual(heard[0].bytes, frame);
    assert.equal(heard[0].authentic, undefined);
  });

  it("with a key: signs the ARP frames it sends (60 bytes, the tag in the padding), not others", async () => {
    const [a, b] = memoryPortPair(A_MAC, B_MAC);
    const heard = hearing(b);
    const port = pairPort(a, new PairAuth(KEY));
    port.send(claim(A_MAC, VIP));
    const ip = encodeFrame({ ethernet: { destination: B_MAC, source: A_MAC, etherType: ETHERTYPE_IPV4 }, ipv4: ipv4Header(A_IP, B_IP, 17), payload: new Uint8Array(8) });
    port.send(ip);
    await settle();
    assert.equal(heard[0].bytes.length, 60);
    assert.deepEqual([heard[0].bytes[42], heard[0].bytes[43]], [0x54, 0x4b]);
    assert.deepEqual(heard[1].bytes, ip);
  });

  it("with a key: marks a signed frame from the peer authentic once, and refuses the same frame replayed, another key's, an unsigned one, and its own", async () => {
    const [a, b] = memoryPortPair(A_MAC, B_MAC);
    const refused: string[] = [];
    const receiver = pairPort(b, new PairAuth(KEY), (from, verdict) => refused.push(`${verdict.why} ${from}`));
    const first = hearing(receiver);
    const second = hearing(receiver); // a second listener sees the same verdict: the frame is checked once
    const sender = new PairAuth(KEY);
    const signed = sender.signArp(claim(A_MAC, VIP));
    a.send(signed);
    a.send(signed);
    a.send(new PairAuth(OTHER_KEY).signArp(claim(A_MAC, VIP)));
    a.send(claim(A_MAC, VIP));
    // a frame "from" b's own MAC, however well signed, is its own and proves nothing
    a.send(new PairAuth(KEY).signArp(claim(B_MAC, VIP)));
    await settle();
    assert.deepEqual(first.map((f) => f.authentic), [true, false, false, false, false]);
    assert.deepEqual(second.map((f) => f.authentic), [true, false, false, false, false]);
    assert.equal(refused.length, 2);
    assert.match(refused[0], /^replayed 02:00:5e:00:00:17$/);
    assert.match(refused[1], /^(unknown key|bad tag) 02:00:5e:00:00:17$/);
  });

  it("PairResponder answers the peer's signed ARP request for our address or one we hold, signed; not an unsigned one, not a stranger's, not other addresses", async () => {
    const [a, b] = memoryPortPair(A_MAC, B_MAC);
    const held = new Set([VIP.value]);
    const responderPort = pairPort(b, new PairAuth(KEY));
    const responder = new PairResponder(responderPort, new PairAuth(KEY), { ours: B_IP, peer: A_IP, holds: (x) => held.has(x) });
    const asker = pairPort(a, new PairAuth(KEY));
    const answers = hearing(asker);
    const ask = (target: Ipv4, from = A_IP) => encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: A_MAC, etherType: ETHERTYPE_ARP }, arp: arpRequest(A_MAC, from, target) });
    asker.send(ask(B_IP));
    asker.send(ask(VIP));
    asker.send(ask(Ipv4.parse("192.0.2.99")));
    asker.send(ask(B_IP, Ipv4.parse("192.0.2.66")));
    a.send(ask(B_IP)); // unsigned
    await settle();
    const view = new FrameView();
    const replies = answers.filter((f) => view.reset(f.bytes) && view.kind === FrameKind.Arp && view.arpOperation === 2);
    assert.equal(responder.arpAnswers, 2);
    assert.deepEqual(
      replies.map((f) => (view.reset(f.bytes), [new Ipv4(view.arpSenderIp).toString(), new Mac(view.arpSenderMac).toString(), f.authentic])),
      [
        [B_IP.toString(), B_MAC.toString(), true],
        [VIP.toString(), B_MAC.toString(), true],
      ],
    );
    responder.close();
  });

  it("with a key: signs NDP frames (NS, NA) with the trailer in a last NDP option (type 253, 24 bytes); the peer marks them authentic once, refuses a replay, another key's and a bit flipped; the codec and tshark still read the signed frame, checksum right", async () => {
    const [a, b] = memoryPortPair(A_MAC, B_MAC);
    const refused: string[] = [];
    const receiver = pairPort(b, new PairAuth(KEY), (from, verdict) => refused.push(`${verdict.why} ${from}`));
    const heard = hearing(receiver);
    const raw = hearing(b);
    const sender = pairPort(a, new PairAuth(KEY));
    const na = neighborAdvertisementFrame({ sourceMac: A_MAC, target: VIP6, linkLayerAddress: A_MAC, override: true, solicited: false });
    sender.send(na);
    sender.send(neighborSolicitationFrame({ sourceMac: A_MAC, source: Ipv6Address.ANY, target: VIP6 }));
    await settle();
    // the NA is 86 bytes (IPv6 payload 32): signed, 86 + 24, the IPv6 payload length 56, the option
    // after the target link-layer address one, the trailer inside it; the rest unchanged but the checksum
    const out = raw[0].bytes;
    assert.equal(out.length, na.length + 24);
    assert.equal((out[18] << 8) | out[19], 32 + 24);
    assert.deepEqual([out[na.length], out[na.length + 1], out[na.length + 2], out[na.length + 3]], [253, 3, 0x54, 0x4b]);
    assert.deepEqual(out.subarray(0, 18), na.subarray(0, 18));
    assert.deepEqual(out.subarray(20, 56), na.subarray(20, 56));
    assert.deepEqual(out.subarray(58, na.length), na.subarray(58));
    const read = readNeighborMessage(out);
    assert.equal(read?.target.toString(), VIP6.toString(), "the NDP reader takes the signed NA (checksum, options)");
    assert.equal(read?.linkLayerAddress?.toString(), A_MAC.toString());
    const tshark = decodeWithTshark(out);
    assert.match(tshark, /icmpv6\.checksum\.status:1/, tshark);
    assert.match(tshark, /icmpv6\.opt\.type:253/, tshark);
    const signed = raw[0].bytes;
    a.send(signed); // replayed
    a.send(new PairAuth(OTHER_KEY).signNdp(na));
    const flipped = new PairAuth(KEY).signNdp(na);
    flipped[60] ^= 1; // in the covered IPv6 packet
    a.send(flipped);
    a.send(na); // unsigned
    await settle();
    assert.deepEqual(heard.map((f) => f.authentic), [true, true, false, false, false, false]);
    assert.equal(refused.length, 3);
    assert.equal(refused[0], "replayed 02:00:5e:00:00:17");
    assert.match(refused[1], /^(unknown key|bad tag) 02:00:5e:00:00:17$/);
    assert.equal(refused[2], "bad tag 02:00:5e:00:00:17");
  });

  it("PairResponder answers the peer's signed NS for an IPv6 address we hold with a signed, solicited NA to the asker; not an unsigned NS, not DAD, not an address we do not hold", async () => {
    const [a, b] = memoryPortPair(A_MAC, B_MAC);
    const held = new Set([VIP6.toString()]);
    const responder = new PairResponder(pairPort(b, new PairAuth(KEY)), new PairAuth(KEY), { ours: B_IP, peer: A_IP, holds: () => false, holds6: (x) => held.has(x) });
    const asker = pairPort(a, new PairAuth(KEY));
    const answers = hearing(asker);
    const linkLocal = Ipv6Address.parse("fe80::5eff:fe00:17");
    const ns = (target: Ipv6Address, source = linkLocal) => neighborSolicitationFrame({ sourceMac: A_MAC, source, target });
    asker.send(ns(VIP6));
    asker.send(ns(Ipv6Address.parse("2001:db8:1::99")));
    asker.send(ns(VIP6, Ipv6Address.ANY));
    a.send(ns(VIP6)); // unsigned
    await settle();
    assert.equal(responder.ndpAnswers, 1);
    const replies = answers.map((f) => [readNeighborMessage(f.bytes), f.authentic] as const).filter(([m]) => m?.kind === "advertisement");
    assert.equal(replies.length, 1);
    const [reply, authentic] = replies[0];
    assert.equal(authentic, true);
    assert.deepEqual([reply!.target.toString(), reply!.destination.toString(), reply!.solicited, reply!.override, reply!.linkLayerAddress?.toString()], [VIP6.toString(), linkLocal.toString(), true, true, B_MAC.toString()]);
    responder.close();
  });

  it("the sealed echo: a prober's ping is answered by the peer's responder, and only that reply counts (the kernel's echo of the request does not)", async () => {
    const [a, b] = memoryPortPair(A_MAC, B_MAC);
    const proberPort = pairPort(a, new PairAuth(KEY));
    const prober = new Prober(proberPort, { sourceIp: A_IP, nextHop: async () => B_MAC, seal: new PairAuth(KEY).echoSeal() });
    const events: ProbeEvent[] = [];
    prober.on("event", (e) => events.push(e));
    // b's "kernel": echoes every request back unchanged, as Linux does
    const view = new FrameView();
    b.listen((f) => {
      if (!view.reset(f.bytes) || view.kind !== FrameKind.Icmp || view.icmpType !== ICMP_ECHO_REQUEST) return;
      b.send(
        encodeFrame({
          ethernet: { destination: A_MAC, source: B_MAC, etherType: ETHERTYPE_IPV4 },
          ipv4: ipv4Header(B_IP, A_IP, IP_PROTOCOL_ICMP),
          icmp: { type: ICMP_ECHO_REPLY, code: 0, identifier: view.icmpIdentifier, sequence: view.icmpSequence },
          payload: f.bytes.slice(view.icmpDataOffset, view.datagramEnd),
        }),
      );
    });
    await prober.send(B_IP, 200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.deepEqual(events.map((e) => e.type), ["sent", "timeout"], "the kernel's echo alone does not count");
    const responder = new PairResponder(pairPort(b, new PairAuth(KEY)), new PairAuth(KEY), { ours: B_IP, peer: A_IP, holds: () => false });
    events.length = 0;
    await prober.send(B_IP, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(events.map((e) => e.type), ["sent", "reply"], "the responder's sealed reply counts");
    assert.equal(responder.echoAnswers, 1);
    // a prober with another key gets no answer from the responder
    const stranger = new Prober(pairPort(a, new PairAuth(OTHER_KEY)), { sourceIp: A_IP, nextHop: async () => B_MAC, seal: new PairAuth(OTHER_KEY).echoSeal() });
    await stranger.send(B_IP, 50);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(responder.echoAnswers, 1);
    prober.close();
    stranger.close();
    responder.close();
  });

  it("rotation: the new key is accepted at once and the old one for twice the grace; the old one signs for the grace, then the new one", () => {
    let now = 1_800_000_000_000;
    const clock = () => now;
    const NEXT = PairKeys.fromSecret(Buffer.from("the next key of the pair, 32 by."));
    const box = new PairAuth(KEY, clock);
    const oldPeer = new PairAuth(KEY, clock);
    const newPeer = new PairAuth(NEXT, clock);
    const verifyWith = (peer: PairAuth, frame: Uint8Array) => peer.verifier.verify(1, frame.subarray(0, 42), frame.subarray(42, 60), `s${now}`).ok;
    box.rotate(NEXT, 60_000);
    now += 1;
    const early = box.signArp(claim(A_MAC, VIP));
    assert.ok(verifyWith(oldPeer, early), "within the grace the old key signs: a peer not reloaded yet accepts it");
    assert.ok(verifyWith(box, newPeer.signArp(claim(B_MAC, VIP))), "the new key is accepted at once");
    now += 60_000;
    const late = box.signArp(claim(A_MAC, VIP));
    assert.ok(verifyWith(newPeer, late) && !verifyWith(oldPeer, late), "after the grace the new key signs");
    assert.ok(verifyWith(box, oldPeer.signArp(claim(B_MAC, VIP))), "the old key is still accepted until twice the grace");
    now += 60_001;
    assert.ok(!verifyWith(box, oldPeer.signArp(claim(B_MAC, VIP))), "and not after");
    const unchanged = box.verifier.keys;
    box.rotate(NEXT, 60_000);
    assert.equal(box.verifier.keys, unchanged, "a reload with the same key changes nothing");
  });
});


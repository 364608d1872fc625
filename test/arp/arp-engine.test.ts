// The ARP engine against an in-memory peer: what the announcer, resolver, prober and conflict watcher
// send and how they read answers. The same engine meets the real kernel in test/arp/arp-e2e.test.ts.
import assert from "node:assert/strict";
import { announce, ArpResolver, ConflictWatcher, probeAddress, probeAddresses, ProbeResult, ResolveError } from "../../src/arp";
import { Clock, systemClock } from "../../src/link/clock";
import { CapturedFrame, memoryPortPair, FramePort } from "../../src/link/port";
import { arpReply, ARP_REPLY, ARP_REQUEST, decodeFrame, encodeFrame, ETHERTYPE_ARP, gratuitousRequest, Ipv4, Mac } from "../../src/packets";

const ours = Mac.parse("02:00:00:00:00:01");
const theirs = Mac.parse("02:00:00:00:00:02");
const here = Ipv4.parse("192.0.2.17");
const there = Ipv4.parse("192.0.2.18");

/** A peer that answers ARP requests for `owns` like a kernel would. Returns what it heard. */
function kernelLikePeer(port: FramePort, owns: Ipv4[]): { heard: ReturnType<typeof decodeFrame>[] } {
  const heard: ReturnType<typeof decodeFrame>[] = [];
  port.listen((frame) => {
    const decoded = decodeFrame(frame.bytes.slice());
    heard.push(decoded);
    const arp = decoded.arp;
    if (arp === undefined || !arp.supported || arp.operation !== ARP_REQUEST) return;
    if (!owns.some((a) => a.equals(arp.targetIp)) || arp.senderIp.equals(arp.targetIp)) return;
    port.send(encodeFrame({ ethernet: { destination: arp.senderMac, source: port.mac, etherType: ETHERTYPE_ARP }, arp: arpReply(port.mac, arp.targetIp, arp.senderMac, arp.senderIp) }));
  });
  return { heard };
}

describe("ARP engine (in memory)", () => {
  it("announces each address in both gratuitous forms by default, count rounds", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = kernelLikePeer(b, []);
    const sent = await announce(a, [here, Ipv4.parse("192.0.2.37")], { count: 2, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(sent, 8);
    assert.equal(heard.length, 8);
    for (const frame of heard) {
      assert.ok(frame.ethernet.destination.isBroadcast);
      const arp = frame.arp!;
      assert.ok(arp.supported);
      assert.ok(arp.senderIp.equals(arp.targetIp), "gratuitous: sender IP = target IP");
      if (arp.operation === ARP_REQUEST) assert.ok(arp.targetMac.equals(Mac.ZERO));
      else assert.ok(arp.targetMac.equals(ours));
    }
    assert.equal(heard.filter((f) => f.arp!.operation === ARP_REPLY).length, 4);
  });

  it("announces only the chosen form, at another box's MAC when asked", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = kernelLikePeer(b, []);
    await announce(a, [here], { count: 1, form: "reply", mac: theirs });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(heard.length, 1);
    const arp = heard[0].arp!;
    assert.ok(arp.supported && arp.operation === ARP_REPLY && arp.senderMac.equals(theirs));
    assert.ok(heard[0].ethernet.source.equals(ours), "the Ethernet source stays ours, so switches learn nothing wrong");
  });

  it("resolves a MAC, caches it, and gives up with a clear error when nobody answers", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = kernelLikePeer(b, [there]);
    const resolver = new ArpResolver(a, here);
    const first = await resolver.resolve(there, { timeoutMs: 50 });
    assert.ok(first.mac.equals(theirs));
    assert.equal(first.cached, false);
    const again = await resolver.resolve(there);
    assert.equal(again.cached, true);
    assert.equal(heard.length, 1, "the cached answer sends nothing");
    await assert.rejects(resolver.resolve(Ipv4.parse("192.0.2.99"), { attempts: 2, timeoutMs: 20 }), (e: Error) => {
      assert.ok(e instanceof ResolveError);
      assert.match(e.message, /no ARP reply from 192\.0\.2\.99 on mem0 after 2 request/);
      return true;
    });
    assert.equal(heard.length, 3);
  });

  it("counts an answer that came within the window but is read only after its timer (Clock.settle)", async () => {
    // A loaded event loop runs the window's expired timer before it reads the capture: the port's
    // clock hands the waiting answer over when the prober settles, as the real event loop's poll does.
    const answer = encodeFrame({ ethernet: { destination: ours, source: theirs, etherType: ETHERTYPE_ARP }, arp: arpReply(theirs, there, ours, Ipv4.parse("0.0.0.0")) });
    const portWith = (settles: boolean): FramePort => {
      const listeners = new Set<(f: CapturedFrame) => void>();
      const deliver = () => {
        for (const l of [...listeners]) l({ bytes: answer, timeMicros: systemClock.nowMicros(), stamp: "kernel" });
      };
      const clock: Clock = settles ? { ...systemClock, settle: async () => deliver() } : { nowMicros: systemClock.nowMicros, after: systemClock.after };
      return { name: "late0", mac: ours, send: () => {}, listen: (l) => (listeners.add(l), () => listeners.delete(l)), clock };
    };
    const read = await probeAddress(portWith(true), there, { count: 1, waitMs: 5 });
    assert.ok(read.conflict?.mac.equals(theirs), "the answer waiting when the window's timer fired decides the probe");
    const unread = await probeAddress(portWith(false), there, { count: 1, waitMs: 5 });
    assert.equal(unread.conflict, undefined, "a clock without settle: only what was heard before the timer counts");
  });

  it("probes with sender IP 0.0.0.0 and reports who answers", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = kernelLikePeer(b, [there]);
    const taken = await probeAddress(a, there, { count: 3, intervalMs: 10, waitMs: 30 });
    assert.ok(taken.conflict !== undefined);
    assert.ok(taken.conflict.mac.equals(theirs));
    assert.equal(taken.probesSent, 1, "stops probing once someone answers");
    const probe = heard[0].arp!;
    assert.ok(probe.supported && probe.senderIp.value === 0 && probe.targetIp.equals(there));
    const free = await probeAddress(a, Ipv4.parse("192.0.2.99"), { count: 3, intervalMs: 5, waitMs: 20 });
    assert.equal(free.conflict, undefined);
    assert.equal(free.probesSent, 3);
  });

  it("probes several addresses in one window: each round's probes back to back, an answered address decided at once, the silent ones together at the end", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = kernelLikePeer(b, [there]);
    const free = [Ipv4.parse("192.0.2.98"), Ipv4.parse("192.0.2.99")];
    const told: string[] = [];
    const results = await probeAddresses(a, [free[0], there, free[1]], { count: 2, intervalMs: 5, waitMs: 20, onResult: (r: ProbeResult) => told.push(`${r.address} ${r.conflict === undefined ? "free" : "taken"}`) });
    assert.deepEqual(
      results.map((r) => [r.address.toString(), r.probesSent, r.conflict?.mac.toString()]),
      [
        ["192.0.2.98", 2, undefined],
        [there.toString(), 1, theirs.toString()],
        ["192.0.2.99", 2, undefined],
      ],
    );
    assert.deepEqual(told, [`${there} taken`, "192.0.2.98 free", "192.0.2.99 free"], "the answered address is told first, the silent ones once the window ends");
    const probes = heard.filter((f) => f.arp?.supported === true && f.arp.operation === ARP_REQUEST && f.arp.senderIp.value === 0).map((f) => (f.arp as { targetIp: Ipv4 }).targetIp.toString());
    assert.deepEqual(probes.slice(0, 3), ["192.0.2.98", there.toString(), "192.0.2.99"], "the first round probes every address before any wait");
    assert.deepEqual(probes.slice(3), ["192.0.2.98", "192.0.2.99"], "an answered address gets no more probes");
  });

  it("asks instead of probing when given a sender IP: a request from our address, answered like a probe, and not a probe to a watcher", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = kernelLikePeer(b, [there]);
    const claims: string[] = [];
    const watcher = new ConflictWatcher(b, (e) => claims.push(`${e.address} ${e.how}`));
    watcher.watch(there);
    const taken = await probeAddress(a, there, { count: 2, intervalMs: 5, waitMs: 20, senderIp: here });
    assert.ok(taken.conflict !== undefined && taken.conflict.mac.equals(theirs) && taken.conflict.how === "reply");
    const ask = heard[0].arp!;
    assert.ok(ask.supported && ask.operation === ARP_REQUEST && ask.senderIp.equals(here) && ask.targetIp.equals(there));
    assert.deepEqual(claims, [], "the holder's watcher does not take the ask for a claim or a probe");
    const free = await probeAddress(a, Ipv4.parse("192.0.2.99"), { count: 2, intervalMs: 5, waitMs: 20, senderIp: here });
    assert.equal(free.conflict, undefined);
    watcher.close();
  });

  it("watches held addresses: another MAC claiming one is reported, our own frames are not", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const events: string[] = [];
    const watcher = new ConflictWatcher(a, (e) => events.push(`${e.address} ${e.mac} ${e.how}`));
    watcher.watch(here);
    const claim = (mac: Mac, ip: Ipv4) => encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: mac, etherType: ETHERTYPE_ARP }, arp: gratuitousRequest(mac, ip) });
    b.send(claim(theirs, here));
    b.send(claim(theirs, there)); // not watched
    b.send(claim(ours, here)); // our own MAC: not a conflict
    await new Promise((r) => setTimeout(r, 5));
    watcher.unwatch(here);
    b.send(claim(theirs, here));
    await new Promise((r) => setTimeout(r, 5));
    watcher.close();
    assert.deepEqual(events, [`192.0.2.17 02:00:00:00:00:02 request`]);
  });
});

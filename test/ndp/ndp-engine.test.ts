// The NDP engine against an in-memory peer that answers as RFC 4861/4862 have a host answer (a
// solicited NA to the asker's address for an NS, an NA to all-nodes for a DAD NS): what the
// announcer, resolver, DAD prober and conflict watcher send and how they read answers. The same
// engine meets the Linux kernel in test/ndp/ndp-e2e.test.ts.
import assert from "node:assert/strict";
import { announceNeighbors, detectDuplicate, detectDuplicates, DadResult, isUnspecified, NeighborConflictWatcher, neighborAdvertisementFrame, NeighborMessage, NeighborResolveError, NeighborResolver, neighborSolicitationFrame, readNeighborMessage } from "../../src/ndp";
import { FramePort, memoryPortPair } from "../../src/link/port";
import { Ipv6Address, Mac } from "../../src/packets";

const ours = Mac.parse("02:00:00:00:00:01");
const theirs = Mac.parse("02:00:00:00:00:02");
const here = Ipv6Address.parse("2001:db8::11");
const there = Ipv6Address.parse("2001:db8::12");
const free = Ipv6Address.parse("2001:db8::99");
const tick = () => new Promise((r) => setTimeout(r, 5));

/** A peer that answers NS for `owns` as a host does. Returns what it heard (NS and NA only). */
function hostLikePeer(port: FramePort, owns: Ipv6Address[]): { heard: NeighborMessage[]; frames: Uint8Array[] } {
  const heard: NeighborMessage[] = [];
  const frames: Uint8Array[] = [];
  port.listen((frame) => {
    const message = readNeighborMessage(frame.bytes);
    if (message === undefined) return;
    heard.push(message);
    frames.push(frame.bytes.slice());
    if (message.kind !== "solicitation" || !owns.some((a) => a.equals(message.target))) return;
    if (isUnspecified(message.source)) {
      // defending against a DAD probe: to all-nodes, not solicited (RFC 4861 §7.2.4)
      port.send(neighborAdvertisementFrame({ sourceMac: port.mac, target: message.target }));
    } else {
      port.send(neighborAdvertisementFrame({ sourceMac: port.mac, target: message.target, solicited: true, destination: message.source, destinationMac: message.linkLayerAddress ?? message.sourceMac }));
    }
  });
  return { heard, frames };
}

describe("NDP engine (in memory)", () => {
  it("announces each address as an unsolicited NA to all-nodes, Override set, our link-layer address, count rounds", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard, frames } = hostLikePeer(b, []);
    const sent = await announceNeighbors(a, [here, Ipv6Address.parse("2001:db8::37")], { count: 2, intervalMs: 5 });
    await tick();
    assert.equal(sent, 4);
    assert.equal(heard.length, 4);
    for (const [i, m] of heard.entries()) {
      assert.equal(m.kind, "advertisement");
      assert.deepEqual([m.router, m.solicited, m.override], [false, false, true]);
      assert.equal(m.destination.toString(), "ff02::1");
      assert.equal(Mac.read(frames[i], 0).toString(), "33:33:00:00:00:01");
      assert.ok(m.source.equals(m.target), "sent from the advertised address, as Linux sends them");
      assert.ok(m.linkLayerAddress?.equals(ours));
    }
    assert.deepEqual(heard.map((m) => m.target.toString()), [here, "2001:db8::37", here, "2001:db8::37"].map(String));
  });

  it("announces with the Router flag when asked, from the source asked for, and at another box's MAC (hand-back) with our Ethernet source", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = hostLikePeer(b, []);
    await announceNeighbors(a, [here], { count: 1, router: true, mac: theirs, source: Ipv6Address.parse("fe80::1") });
    await tick();
    assert.equal(heard.length, 1);
    assert.equal(heard[0].source.toString(), "fe80::1", "from the source asked for");
    assert.ok(heard[0].router && heard[0].override && !heard[0].solicited);
    assert.ok(heard[0].linkLayerAddress?.equals(theirs));
    assert.ok(heard[0].sourceMac.equals(ours), "the Ethernet source stays ours, so switches learn nothing wrong");
  });

  it("resolves a MAC from the solicited NA, caches it, and gives up with a clear error when nobody answers", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = hostLikePeer(b, [there]);
    const resolver = new NeighborResolver(a, here);
    const first = await resolver.resolve(there, { timeoutMs: 50 });
    assert.ok(first.mac.equals(theirs));
    assert.deepEqual([first.cached, first.attempts, first.router], [false, 1, false]);
    const ask = heard[0];
    assert.ok(ask.kind === "solicitation" && ask.source.equals(here) && ask.target.equals(there) && ask.linkLayerAddress?.equals(ours));
    assert.equal(ask.destination.toString(), "ff02::1:ff00:12", "to the target's solicited-node group");
    const again = await resolver.resolve(there);
    assert.equal(again.cached, true);
    assert.equal(heard.length, 1, "the cached answer sends nothing");
    await assert.rejects(resolver.resolve(free, { attempts: 2, timeoutMs: 20 }), (e: Error) => {
      assert.ok(e instanceof NeighborResolveError);
      assert.equal(e.message, "no Neighbor Advertisement from 2001:db8::99 on mem0 after 2 solicitation(s), 20 ms apart");
      return true;
    });
    assert.equal(heard.length, 3);
  });

  it("a who-has takes only a solicited answer: an unsolicited NA for the target (an announcement) is not the answer", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    b.listen((frame) => {
      const m = readNeighborMessage(frame.bytes);
      if (m?.kind !== "solicitation") return;
      b.send(neighborAdvertisementFrame({ sourceMac: b.mac, target: m.target, linkLayerAddress: Mac.parse("02:00:00:00:00:66") }));
    });
    const resolver = new NeighborResolver(a, here);
    await assert.rejects(resolver.resolve(there, { attempts: 1, timeoutMs: 30 }), NeighborResolveError);
  });

  it("DAD: solicitations from :: without a link-layer option; the holder's NA is a conflict and ends the probe", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = hostLikePeer(b, [there]);
    const taken = await detectDuplicate(a, there, { count: 3, intervalMs: 10, waitMs: 30 });
    assert.ok(taken.conflict !== undefined);
    assert.ok(taken.conflict.mac.equals(theirs));
    assert.equal(taken.conflict.how, "advertisement");
    assert.equal(taken.probesSent, 1, "stops probing once someone answers");
    const probe = heard[0];
    assert.ok(probe.kind === "solicitation" && isUnspecified(probe.source) && probe.linkLayerAddress === undefined && probe.destination.toString() === "ff02::1:ff00:12");
    const silent = await detectDuplicate(a, free, { count: 3, intervalMs: 5, waitMs: 20 });
    assert.equal(silent.conflict, undefined);
    assert.equal(silent.probesSent, 3);
  });

  it("DAD: another host's DAD probe for the address is a conflict ('probe'), and so is a solicitation sent from it ('solicitation')", async () => {
    for (const [source, how] of [[Ipv6Address.ANY, "probe"], [there, "solicitation"]] as const) {
      const [a, b] = memoryPortPair(ours, theirs);
      // the other host probes for (or asks from) the address we are probing for, once it hears our probe
      b.listen((frame) => {
        const m = readNeighborMessage(frame.bytes);
        if (m?.kind !== "solicitation" || !m.target.equals(there)) return;
        const target = how === "probe" ? there : Ipv6Address.parse("2001:db8::1");
        b.send(neighborSolicitationFrame({ sourceMac: b.mac, source, target }));
      });
      const result = await detectDuplicate(a, there, { count: 2, intervalMs: 10, waitMs: 30 });
      assert.equal(result.conflict?.how, how);
      assert.ok(result.conflict?.mac.equals(theirs));
    }
  });

  it("DAD: our own frames heard back (our probe, a hand-back NA at another MAC) are no conflict", async () => {
    const listeners = new Set<(f: { bytes: Uint8Array; timeMicros: number; stamp: "hrtime" }) => void>();
    // a port that hears what it sends, as a libpcap capture does
    const looped: FramePort = {
      name: "loop0",
      mac: ours,
      send(frame) {
        const copy = frame.slice();
        queueMicrotask(() => listeners.forEach((l) => l({ bytes: copy, timeMicros: 0, stamp: "hrtime" })));
        // and a hand-back we sent: Ethernet source ours, target link-layer address the other box's
        const handBack = neighborAdvertisementFrame({ sourceMac: ours, target: there, linkLayerAddress: theirs });
        queueMicrotask(() => listeners.forEach((l) => l({ bytes: handBack, timeMicros: 0, stamp: "hrtime" })));
      },
      listen(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const result = await detectDuplicate(looped, there, { count: 2, intervalMs: 5, waitMs: 10 });
    assert.equal(result.conflict, undefined);
  });

  it("DAD for several addresses in one window: each round back to back, an answered address decided at once, the silent ones together", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = hostLikePeer(b, [there]);
    const others = [Ipv6Address.parse("2001:db8::98"), free];
    const told: string[] = [];
    const results = await detectDuplicates(a, [others[0], there, others[1]], { count: 2, intervalMs: 5, waitMs: 20, onResult: (r: DadResult) => told.push(`${r.address} ${r.conflict === undefined ? "free" : "taken"}`) });
    assert.deepEqual(
      results.map((r) => [r.address.toString(), r.probesSent, r.conflict?.mac.toString()]),
      [
        ["2001:db8::98", 2, undefined],
        [there.toString(), 1, theirs.toString()],
        ["2001:db8::99", 2, undefined],
      ],
    );
    assert.deepEqual(told, [`${there} taken`, "2001:db8::98 free", "2001:db8::99 free"]);
    const probes = heard.filter((m) => m.kind === "solicitation").map((m) => m.target.toString());
    assert.deepEqual(probes, ["2001:db8::98", there.toString(), "2001:db8::99", "2001:db8::98", "2001:db8::99"]);
  });

  it("asks instead of probing when given a source: solicitations from our address, answered by a solicited NA", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const { heard } = hostLikePeer(b, [there]);
    const taken = await detectDuplicate(a, there, { count: 2, intervalMs: 5, waitMs: 20, source: here });
    assert.equal(taken.conflict?.how, "advertisement");
    assert.ok(heard[0].source.equals(here) && heard[0].linkLayerAddress?.equals(ours));
  });

  it("watches held addresses: another MAC's NA, NS from it or DAD probe for it is reported; ours and ignored MACs are not", async () => {
    const [a, b] = memoryPortPair(ours, theirs);
    const events: string[] = [];
    const peer = Mac.parse("02:00:00:00:00:03");
    const watcher = new NeighborConflictWatcher(a, (e) => events.push(`${e.address} ${e.mac} ${e.how}`), [peer]);
    watcher.watch(here);
    b.send(neighborAdvertisementFrame({ sourceMac: theirs, target: here }));
    b.send(neighborAdvertisementFrame({ sourceMac: theirs, target: there })); // not watched
    b.send(neighborAdvertisementFrame({ sourceMac: ours, target: here })); // our own MAC
    b.send(neighborAdvertisementFrame({ sourceMac: peer, target: here })); // an ignored MAC
    b.send(neighborSolicitationFrame({ sourceMac: theirs, source: Ipv6Address.ANY, target: here }));
    b.send(neighborSolicitationFrame({ sourceMac: theirs, source: here, target: there }));
    await tick();
    watcher.unwatch(here);
    b.send(neighborAdvertisementFrame({ sourceMac: theirs, target: here }));
    await tick();
    watcher.close();
    assert.deepEqual(events, [`${here} ${theirs} advertisement`, `${here} ${theirs} probe`, `${here} ${theirs} solicitation`]);
  });
});

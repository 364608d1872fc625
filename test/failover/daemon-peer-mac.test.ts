// The daemon's idea of who the peer is, on an in-memory segment: learned from ARP sent from the
// peer's real address, unless the config pins `peer.mac` — then a frame on the segment cannot
// change it (one forged ARP made a stranger the peer, issue 9).
import assert from "node:assert/strict";
import { Daemon } from "../../src/failover/daemon";
import { configFor } from "../../src/sim/configs";
import { memoryPortPair } from "../../src/link/port";
import { systemClock } from "../../src/link/clock";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpRequest } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { encodeFrame } from "../../src/packets/frame";
import { TakeoverConfig } from "../../src/failover/config";

const BRAIN_MAC = Mac.parse("02:00:5e:00:00:17");
const EVIL_MAC = Mac.parse("02:00:5e:00:00:66");

function daemonOn(config: TakeoverConfig) {
  const [ours, theirs] = memoryPortPair(BRAIN_MAC, EVIL_MAC);
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
    { line: () => undefined },
  );
  // a stranger's ARP request "from" the peer's real address
  const forge = () =>
    theirs.send(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: EVIL_MAC, etherType: ETHERTYPE_ARP }, arp: arpRequest(EVIL_MAC, config.peer.address, Ipv4.parse("192.0.2.1")) }));
  return { daemon, forge };
}

describe("daemon: who the peer is", () => {
  it("learns the peer's MAC from ARP sent from the peer's real address when the config gives none", async () => {
    const { daemon, forge } = daemonOn(configFor("brain", "shipped"));
    forge();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(daemon.status().peer.mac, EVIL_MAC.toString());
  });

  it("keeps a configured peer.mac whatever ARP the segment carries", async () => {
    const base = configFor("brain", "shipped");
    const pinned = Mac.parse("02:00:5e:00:00:18");
    const { daemon, forge } = daemonOn({ ...base, peer: { ...base.peer, mac: pinned } });
    forge();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(daemon.status().peer.mac, pinned.toString());
  });
});

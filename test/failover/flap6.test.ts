// Flaps, end to end, dual-stack (issue 11: "Zero dual ownerships in the v6 flap tests"): the IPv4
// flap suite's machinery (flap-harness.ts) in the dual-stack lab (src/lab/failover-demo.ts `ipv6`:
// router 192.0.2.1 and 2001:db8:1::1, Brain .17 home of .37 and 2001:db8:1::37, Pinky .18 home of
// .36 and 2001:db8:1::36), two real `takeover run` daemons with one ICMP check every 10 ms (timeout
// 3 ms, fall 3, rise 2) and a claim of one probe and 5 ms of listening, and Mallory (.66, mallory.ts)
// on the same bridge. A box's link is taken away for a random 0.2–3 s, then given back, 8 times
// (FLAP_CYCLES), Brain and Pinky by turns, for each kind of outage (src/lab/netns.ts OutageKind):
//   carrier   the box's switch port goes down: its IPv6 addresses stay;
//   admin     `ip link set dev eth0 down` inside the box, then up: the kernel removes every IPv6
//             address of the interface (README "IPv6"), so the box comes back with none of its IPv6
//             public addresses and a tentative link-local (~1.5 s); its daemon must add them again;
//   recreate  the box's interface deleted, then made again with the same name and MAC, the real
//             IPv4 address put back as a network manager would: a new interface, a new link-local.
//
// At the start of every outage Mallory forges, in 3 rounds 150 ms apart: for the IPv4 address of
// each box, the gratuitous claims at her MAC, and ARP "from" the cut-off box's real address (as
// flap.test.ts); for the IPv6 address of each box, every NDP claim at her MAC that a router or a
// box takes in: a DAD probe for it (from ::), an unsolicited Override NA to all-nodes, and an NS
// from the address (to the router's solicited-node group, her MAC in its source link-layer option).
//
// Judged from outside for all four public addresses (outside-view.ts), as flap.test.ts judges:
// during an outage of 1 s or more, the survivor has its real address and all four public ones, the
// cut-off box none of them, the router's ARP and NDP entries for each hold the survivor's MAC, the
// router's HTTP watcher (over IPv6 for the IPv6 ones) last found the survivor serving each, and only
// the survivor's MAC answers the router's ARP requests and Neighbor Solicitations (ndisc6 -m, every
// answer counted); after each outage every address is on its home box alone, answered by its home
// box's MAC alone, the router's entry (if usable) on it, its GET served by it, held for 300 ms. A
// failure names the cycle, the outage, the seed, the states seen and both daemons' logs.
//
// Environment: FLAP_SEED, FLAP_CYCLES (default 8 here), FLAP_KEEP_GOING, as in flap.test.ts.
import { BRAIN, onSegment, PINKY, ROUTER } from "../../src/lab/failover-demo";
import { neighborAdvertisementFrame, neighborSolicitationFrame } from "../../src/ndp/frames";
import { Ipv6Address } from "../../src/packets/ipv6";
import { dualStackConfigs } from "./e2e-helpers";
import { arpClaims, arpPosingAs, describeFlaps, EVIL, FlapSettings } from "./flap-harness";
import { Box, publicAddressesOf } from "./outside-view";

/**
 * Mallory's NDP claims of the IPv6 `address` at her MAC: a DAD probe for it, an Override NA, an NS
 * from it. The DAD probe first: the holder's kernel answers it by itself with an NA to all-nodes
 * (RFC 4862 §5.4.3), which would put the router back on the holder's MAC after her NA and NS; sent
 * first, only the holder's daemon (its defence) undoes what her NA and NS did to the router.
 */
function ndpClaims(address: string): Uint8Array[] {
  const target = Ipv6Address.parse(address);
  return [
    neighborSolicitationFrame({ sourceMac: EVIL, source: Ipv6Address.ANY, target }),
    neighborAdvertisementFrame({ sourceMac: EVIL, target, linkLayerAddress: EVIL, override: true, solicited: false }),
    neighborSolicitationFrame({ sourceMac: EVIL, source: target, target: Ipv6Address.parse(ROUTER.address6) }),
  ];
}

/**
 * Two public addresses of each family per box, the lab's own first (.37 and ::37 Brain's, .36 and
 * ::36 Pinky's): an administrative down takes every IPv6 address of a box, and each must come back.
 */
const ADDRESSES = {
  brain: [BRAIN.publicAddress, "192.0.2.38", BRAIN.publicAddress6, "2001:db8:1::38"],
  pinky: [PINKY.publicAddress, "192.0.2.33", PINKY.publicAddress6, "2001:db8:1::33"],
} as const;
const BRAIN_TWO_EACH: Box = { ...BRAIN, publicAddresses: ADDRESSES.brain };
const PINKY_TWO_EACH: Box = { ...PINKY, publicAddresses: ADDRESSES.pinky };

/** `box`'s public addresses of one family. */
const ofFamily = (box: Box, v6: boolean): readonly string[] => publicAddressesOf(box).filter((a) => a.includes(":") === v6);

const SETTINGS: readonly FlapSettings[] = [
  {
    name: "10 ms settings",
    holdMs: 300, // 3 × 10 ms + 5 ms = 35 ms; the floor
    configs: (tempDirs) =>
      dualStackConfigs(tempDirs, (c, box) => {
        c.node.publicAddress = ADDRESSES[box].map(onSegment);
        c.peer.publicAddress = ADDRESSES[box === "brain" ? "pinky" : "brain"].map(onSegment);
        c.checks = [{ name: "peer-ping", type: "icmp", target: "peer", interval: "10ms", timeout: "3ms", fall: 3, rise: 2 }];
        c.claim = { ...c.claim, probes: 1, probeWait: "5ms" };
      }),
  },
];

describeFlaps({
  title: (cycles) => `flaps end to end, dual-stack: three kinds of outage, ${cycles} cycles each, two IPv4 and two IPv6 addresses per box, Mallory forging ARP and NDP claims, judged from outside (issue 11)`,
  judged: "in each outage and after it each of the eight public addresses (four IPv6) has one holder, the right one, as the router sees it (ARP and NDP)",
  defaultCycles: 8,
  brain: BRAIN_TWO_EACH,
  pinky: PINKY_TWO_EACH,
  scenario: { ipv6: true, publicAddresses: ADDRESSES },
  settings: SETTINGS,
  /**
   * Of each family, one of `out`'s addresses and one of `survivor`'s, the first or the second by
   * turns (never the same index for both): the IPv4 ones claimed by ARP, the IPv6 ones by NDP; and
   * ARP "from" `out`'s real address.
   */
  forgedFrames: (out, survivor, turn) => {
    const pick = (box: Box, v6: boolean, index: number) => ofFamily(box, v6)[index % 2];
    const claimed = [pick(out, false, turn), pick(survivor, false, turn + 1), pick(out, true, turn + 1), pick(survivor, true, turn)];
    const frames = [...claimed.slice(0, 2).flatMap(arpClaims), ...arpPosingAs(out, survivor), ...claimed.slice(2).flatMap(ndpClaims)];
    return { frames, claimed };
  },
});

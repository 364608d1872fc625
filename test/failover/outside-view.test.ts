// The ownership judge of the end-to-end tests (outside-view.ts), on views made up here: it must
// name every way the boxes and the router can disagree with who should hold each public address,
// or an end-to-end test using it could pass with the addresses in the wrong place.
import assert from "node:assert/strict";
import { Box, ownershipProblems, OutsideView } from "./outside-view";

const BRAIN: Box = { name: "brain", address: "192.0.2.17", publicAddress: "192.0.2.37", mac: "02:00:5e:00:00:17" };
const PINKY: Box = { name: "pinky", address: "192.0.2.18", publicAddress: "192.0.2.36", mac: "02:00:5e:00:00:18" };
const BOXES = [BRAIN, PINKY];

function view(brain: string[], pinky: string[], router: Record<string, { mac?: string; states: string[] } | undefined>): OutsideView {
  const publics = [BRAIN.publicAddress, PINKY.publicAddress];
  return {
    t: 0,
    carriers: new Map(publics.map((a) => [a, [...(brain.includes(a) ? ["brain"] : []), ...(pinky.includes(a) ? ["pinky"] : [])]])),
    held: new Map([["brain", [...brain].sort()], ["pinky", [...pinky].sort()]]),
    neighbour: new Map(publics.map((a) => [a, router[a]])),
  };
}

describe("end-to-end ownership judge", () => {
  const reachable = (mac: string) => ({ mac, states: ["REACHABLE"] });

  it("finds nothing wrong when each box has exactly what it should and the router agrees", () => {
    const home = view(["192.0.2.17", "192.0.2.37"], ["192.0.2.18", "192.0.2.36"], { "192.0.2.37": reachable(BRAIN.mac), "192.0.2.36": { mac: PINKY.mac, states: ["STALE"] } });
    assert.deepEqual(ownershipProblems(home, BOXES, { "192.0.2.37": "brain", "192.0.2.36": "pinky" }), []);
    const failedOver = view(["192.0.2.17"], ["192.0.2.18", "192.0.2.36", "192.0.2.37"], { "192.0.2.37": reachable(PINKY.mac), "192.0.2.36": reachable(PINKY.mac) });
    assert.deepEqual(ownershipProblems(failedOver, BOXES, { "192.0.2.37": "pinky", "192.0.2.36": "pinky" }), []);
    const handedBack = view(["192.0.2.17"], ["192.0.2.18", "192.0.2.36"], { "192.0.2.37": reachable(BRAIN.mac), "192.0.2.36": reachable(PINKY.mac) });
    assert.deepEqual(ownershipProblems(handedBack, BOXES, { "192.0.2.37": { carriedBy: "nobody", routerAt: "brain" }, "192.0.2.36": "pinky" }), []);
    const plainBrain = view(["192.0.2.17", "192.0.2.37"], ["192.0.2.18", "192.0.2.36", "192.0.2.37"], { "192.0.2.37": reachable(PINKY.mac), "192.0.2.36": reachable(PINKY.mac) });
    assert.deepEqual(ownershipProblems(plainBrain, BOXES, { "192.0.2.37": { carriedBy: ["brain", "pinky"], routerAt: "pinky" }, "192.0.2.36": "pinky" }), []);
  });

  it("names a box with an address too many, one missing, its real address gone, and the router on the wrong MAC or none", () => {
    const holders = { "192.0.2.37": "pinky", "192.0.2.36": "pinky" };
    const both = view(["192.0.2.17", "192.0.2.37"], ["192.0.2.18", "192.0.2.36", "192.0.2.37"], { "192.0.2.37": reachable(PINKY.mac), "192.0.2.36": reachable(PINKY.mac) });
    assert.deepEqual(ownershipProblems(both, BOXES, holders), ["brain has 192.0.2.17, 192.0.2.37; it should have 192.0.2.17"]);
    const missing = view(["192.0.2.17"], ["192.0.2.18", "192.0.2.37"], { "192.0.2.37": reachable(PINKY.mac), "192.0.2.36": reachable(PINKY.mac) });
    assert.deepEqual(ownershipProblems(missing, BOXES, holders), ["pinky has 192.0.2.18, 192.0.2.37; it should have 192.0.2.18, 192.0.2.36, 192.0.2.37"]);
    const noReal = view([], ["192.0.2.18", "192.0.2.36", "192.0.2.37"], { "192.0.2.37": reachable(PINKY.mac), "192.0.2.36": reachable(PINKY.mac) });
    assert.deepEqual(ownershipProblems(noReal, BOXES, holders), ["brain has no address; it should have 192.0.2.17"]);
    const router = view(["192.0.2.17"], ["192.0.2.18", "192.0.2.36", "192.0.2.37"], { "192.0.2.37": reachable(BRAIN.mac), "192.0.2.36": { states: ["INCOMPLETE"] } });
    assert.deepEqual(ownershipProblems(router, BOXES, holders), [
      "the router's neighbour entry for 192.0.2.37 holds 02:00:5e:00:00:17 (brain) REACHABLE; it should hold pinky's 02:00:5e:00:00:18",
      "the router has no usable neighbour entry for 192.0.2.36 (INCOMPLETE); it should hold pinky's 02:00:5e:00:00:18",
    ]);
    const none = view(["192.0.2.17"], ["192.0.2.18", "192.0.2.36", "192.0.2.37"], { "192.0.2.37": reachable(PINKY.mac), "192.0.2.36": undefined });
    assert.deepEqual(ownershipProblems(none, BOXES, holders), ["the router has no usable neighbour entry for 192.0.2.36 (none); it should hold pinky's 02:00:5e:00:00:18"]);
  });
});

// PeerIdentity's rules (issue 9): what a round of answers to our own requests may change.
import assert from "node:assert/strict";
import { PeerIdentity } from "../../src/failover/peer-identity";
import { Mac } from "../../src/packets/address";

const M = "02:00:5e:00:00:18";
const N = "02:00:5e:00:00:19";
const X = "02:00:5e:00:00:66";
const round = (atSeconds: number, answers: Record<string, number>) => ({ requests: 3, answers: new Map(Object.entries(answers)), atMicros: atSeconds * 1e6 });

describe("PeerIdentity", () => {
  it("learns the one MAC that answers", () => {
    const id = new PeerIdentity(undefined);
    assert.equal(id.round(round(0, {})).changed, false);
    const verdict = id.round(round(1, { [M]: 2 }));
    assert.ok(verdict.changed);
    assert.equal(id.mac?.toString(), M);
  });

  it("learns nothing while two MACs answer", () => {
    const id = new PeerIdentity(undefined);
    assert.equal(id.round(round(0, { [M]: 3, [X]: 1 })).changed, false);
    assert.equal(id.mac, undefined);
  });

  it("the peer back up between the rounds of a replacement starts the count over: a stranger answering only while the peer is away never wins", () => {
    const id = new PeerIdentity(undefined, { confirmRounds: 3, confirmMicros: 10e6 });
    id.round(round(0, { [M]: 3 }));
    // outage after outage, X alone answers; between them the peer is back (its checks pass) though
    // none of our rounds ran then
    for (let outage = 0; outage < 10; outage++) {
      const t = 5 + outage * 7;
      assert.equal(id.round(round(t, { [X]: 3 })).changed, false);
      assert.equal(id.round(round(t + 0.3, { [X]: 3 })).changed, false);
      assert.match(id.peerUp() ?? "", new RegExp(`the peer is up again: ${X}, which answered instead of ${M} in 2 round\\(s\\)`));
    }
    assert.equal(id.mac?.toString(), M);
    assert.equal(id.peerUp(), undefined, "nothing to drop: nothing said");
    // without the peer back in between, the same rounds move it (the README's threat model)
    for (const t of [100, 105, 111]) id.round(round(t, { [X]: 3 }));
    assert.equal(id.mac?.toString(), X);
  });

  it("never moves a pinned MAC", () => {
    const id = new PeerIdentity(Mac.parse(M));
    for (let t = 0; t < 100; t += 5) id.round(round(t, { [X]: 3 }));
    assert.equal(id.mac?.toString(), M);
    assert.match(id.round(round(200, { [X]: 3 })).detail ?? "", /not the configured peer\.mac/);
  });

  it("moves only after confirmRounds rounds over confirmMicros in which the old MAC is silent and one new MAC answers", () => {
    const id = new PeerIdentity(undefined, { confirmRounds: 3, confirmMicros: 10e6 });
    id.round(round(0, { [M]: 3 }));
    assert.equal(id.round(round(1, { [N]: 3 })).changed, false);
    assert.equal(id.round(round(5, { [N]: 3 })).changed, false);
    // three rounds, but only 9 s apart
    assert.equal(id.round(round(10, { [N]: 3 })).changed, false);
    assert.equal(id.mac?.toString(), M);
    const verdict = id.round(round(11, { [N]: 1 }));
    assert.ok(verdict.changed);
    assert.equal(id.mac?.toString(), N);
    assert.match(verdict.detail ?? "", /moved from .* alone answered our requests in 4 rounds/);
  });

  it("starts the confirmation over when the old MAC answers again, or two MACs answer, or another MAC takes over", () => {
    const interruptions: Record<string, number>[] = [{ [M]: 1 }, { [N]: 3, [X]: 3 }, { [X]: 3 }];
    for (const interruption of interruptions) {
      const id = new PeerIdentity(Mac.parse(M), { confirmRounds: 2, confirmMicros: 5e6 });
      id.repin(undefined); // learned, not pinned
      id.round(round(0, { [N]: 3 }));
      id.round(round(3, interruption));
      assert.equal(id.round(round(6, { [N]: 3 })).changed, false, JSON.stringify(interruption));
      assert.equal(id.mac?.toString(), M);
    }
  });

  it("keeps a silent MAC when nobody answers", () => {
    const id = new PeerIdentity(undefined, { confirmRounds: 1, confirmMicros: 0 });
    id.round(round(0, { [M]: 3 }));
    for (let t = 1; t < 50; t++) assert.equal(id.round(round(t, {})).changed, false);
    assert.equal(id.mac?.toString(), M);
  });
});

// End to end, dual-stack (issue 11, "Lab and tests"): the lab of e2e.test.ts with IPv6 on the segment
// (2001:db8:1::/64, the router ::1), Brain the home of 192.0.2.37 and 2001:db8:1::37, Pinky of
// 192.0.2.36 and 2001:db8:1::36 (src/lab/failover-demo.ts, `ipv6`). Judged from the router, both
// families, every public address of both boxes (outside-view.ts): which box carries each address
// (`ip addr`), the router's neighbour entry for it (`ip neigh`, ARP and NDP), who answers the router's
// ARP request or Neighbor Solicitation for it (arping; ndisc6 -m, every answer counted: two MACs
// answering is a dual ownership), and who answers its HTTP GET (over IPv6 for the IPv6 addresses).
//   - the judge itself, in the dual-stack lab with no daemon: it agrees with a correct placement and
//     names a dual IPv6 ownership (this part runs with any daemon);
//   - the IPv4 failover with the shipped IPv4 configs in the dual-stack lab: IPv6 on the segment
//     changes nothing (this part too);
//   - failover and failback, for a carrier and an administrative outage of Brain's link;
//   - one administrative flap of Brain's link (0.3 s), judged during and after;
//   - split brain: Pinky's pings and HTTP to Brain dropped while Brain serves → Pinky claims neither
//     of Brain's addresses;
//   - hand-back to a plain host (no takeover on Brain).
// The daemon tests need a daemon that takes IPv6 public addresses (the config syntax of
// /work/v6-config.md: one list, mixed families). When `takeover run --check` refuses the dual-stack
// config for its IPv6 entries, they are skipped, and the refusal is printed; any other failure fails.
// Every lab has unique `tk-<pid>-<hex>-` namespaces and is destroyed in afterEach, also on failure;
// every wait is bounded.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { BRAIN, dualStackRefusal, EXAMPLES, LabScenario, PhaseResult, PINKY, ROUTER } from "../../src/lab/failover-demo";
import { listNamespaces, OutageKind, withLab } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { addressesOn, BRAIN_DUAL, dualStackConfigs, eventually, expectDualStackOwnership, expectOwnership, Lines, otherOwners, PINKY_DUAL, routerGet, routerGets, routerMacFor, scenarioPerTest, sleep, timeline } from "./e2e-helpers";
import { arpAnswerProblems, Box, lookFromOutside, ownershipProblems, publicAddressesOf, summary } from "./outside-view";

const BOXES: readonly Box[] = [BRAIN_DUAL, PINKY_DUAL];
const ROUTER_PORT = { name: ROUTER.name, iface: "eth0" };
const BRAIN_ADDRESSES = publicAddressesOf(BRAIN_DUAL);
const PINKY_ADDRESSES = publicAddressesOf(PINKY_DUAL);
const WEB_SERVER = join(__dirname, "..", "..", "src", "lab", "web-server.js");
const ROUTER_WATCH = join(__dirname, "..", "..", "src", "lab", "router-watch.js");

function assertPhase(result: PhaseResult, scenario: LabScenario): void {
  assert.deepEqual(result.missing, [], `${result.name}: steps missing:\n${timeline(scenario.events, result.startedAt)}`);
}

/** Once a phase has settled (every address of Brain's at its new owner's MAC and page), when. */
function settledAt(phase: PhaseResult): number {
  const times = [...phase.byAddress.values()].flatMap((m) => [m.httpMicros, m.neighbourMicros]);
  const story = () => `${JSON.stringify([...phase.byAddress])}\n${timeline(phase.events, phase.startedAt)}`;
  assert.ok(times.every((t) => t !== undefined), `${phase.name}: not every address of Brain's settled: ${story()}`);
  return phase.startedAt + Math.max(...(times as number[]));
}

/** What the router's watcher saw of any of Brain's addresses at a MAC or page other than `owner`'s, from `since` to `until`. */
function strayOwners(s: LabScenario, owner: string, since: number, until = Infinity): string[] {
  return BRAIN_ADDRESSES.flatMap((a) => otherOwners(s, a, since, owner).filter((e) => e.t < until).map((e) => e.text));
}

// ---------------------------------------------------------------------------------------------

describe("the IPv6 ownership judge, in the dual-stack lab with no daemon", function () {
  this.timeout(60_000);

  it("agrees with each box holding its own two addresses; names a second box answering for 2001:db8:1::37", async () => {
    await withLab(
      {
        ipv6: true,
        hosts: [
          { name: ROUTER.name, address: [`${ROUTER.address}/24`, `${ROUTER.address6}/64`], mac: ROUTER.mac },
          { name: BRAIN.name, address: [`${BRAIN.address}/24`, `${BRAIN.publicAddress}/24`, `${BRAIN.publicAddress6}/64`], mac: BRAIN.mac },
          { name: PINKY.name, address: [`${PINKY.address}/24`, `${PINKY.publicAddress}/24`, `${PINKY.publicAddress6}/64`], mac: PINKY.mac },
        ],
      },
      async (lab) => {
        await lab.awaitIpv6Ready(5000);
        for (const box of [BRAIN, PINKY]) lab.spawn(box.name, [process.execPath, WEB_SERVER, box.name]);
        const watch = lab.runNode<{ kind: string; address?: string; mac?: string; server?: string }>(ROUTER.name, ROUTER_WATCH, { addresses: [...BRAIN_ADDRESSES, ...PINKY_ADDRESSES], intervalMs: 20 });
        try {
          // the router's watcher: NDP entry and HTTP over IPv6 (the web servers answer on both families)
          for (const [box, address] of [[BRAIN, BRAIN.publicAddress6], [PINKY, PINKY.publicAddress6], [BRAIN, BRAIN.publicAddress]] as const) {
            const reported = (kind: string, value: string) => watch.messages.some((m) => m.kind === kind && m.address === address && (m.server ?? m.mac) === value);
            assert.ok(await eventually(() => reported("http", box.name), 10_000), `the watcher reports ${box.name} answering HTTP at ${address}: ${JSON.stringify(watch.messages)}`);
            assert.ok(await eventually(() => reported("neighbour", box.mac), 10_000), `the watcher reports the router's entry for ${address} at ${box.name}'s MAC: ${JSON.stringify(watch.messages)}`);
          }
          const holders = { [BRAIN.publicAddress]: "brain", [BRAIN.publicAddress6]: "brain", [PINKY.publicAddress]: "pinky", [PINKY.publicAddress6]: "pinky" };
          const right = await lookFromOutside(lab, ROUTER_PORT, BOXES, 2);
          assert.deepEqual([...ownershipProblems(right, BOXES, holders), ...arpAnswerProblems(right, BOXES, holders)], [], summary(right, BOXES));
          assert.deepEqual(await routerGets(lab, [...BRAIN_ADDRESSES, ...PINKY_ADDRESSES]), Object.fromEntries(Object.entries(holders)), "the router's GETs, both families");

          // Pinky takes Brain's IPv6 address too (no DAD): two boxes answer for it
          lab.exec(PINKY.name, ["ip", "addr", "add", `${BRAIN.publicAddress6}/64`, "dev", "eth0", "nodad"], { check: true });
          const dual = await lookFromOutside(lab, ROUTER_PORT, BOXES, 2);
          const problems = [...ownershipProblems(dual, BOXES, holders), ...arpAnswerProblems(dual, BOXES, holders)];
          assert.ok(problems.includes("pinky has 192.0.2.18, 192.0.2.36, 2001:db8:1::36, 2001:db8:1::37; it should have 192.0.2.18, 192.0.2.36, 2001:db8:1::36"), problems.join("\n"));
          assert.ok(
            problems.includes("the router's Neighbor Solicitation for 2001:db8:1::37 is answered by 02:00:5e:00:00:17 (brain) and 02:00:5e:00:00:18 (pinky); it should be by brain's 02:00:5e:00:00:17 alone"),
            `ndisc6 -m saw both answers: ${problems.join("\n")}`,
          );
          assert.match(summary(dual, BOXES), /::37 on brain\+pinky/);
        } finally {
          await watch.stop(2000).catch(() => undefined);
        }
      },
    );
  });
});

describe("the IPv4 failover with IPv6 on the segment (the shipped IPv4 configs, any daemon)", function () {
  this.timeout(90_000);
  const { start } = scenarioPerTest();

  for (const kind of ["carrier", "admin"] as const) {
    it(`${kind} outage: .37 moves to Pinky and back as in the IPv4 lab; the router's IPv6 neighbours (RS, MLD, DAD on the segment) change nothing`, async () => {
      const s = await start({ ipv6: true, brainConfig: join(EXAMPLES, "brain.yaml"), pinkyConfig: join(EXAMPLES, "pinky.yaml"), publicAddresses: { brain: [BRAIN.publicAddress], pinky: [PINKY.publicAddress] } });
      const lab = s.lab;
      assert.equal(lab.exec(ROUTER.name, ["ping", "-6", "-c1", "-W1", `${ROUTER.address6}`]).status, 0, "the router has its IPv6 address");
      await expectOwnership(lab, "at start", "brain", "pinky");
      assertPhase(await s.failover(15_000, kind), s);
      await expectOwnership(lab, "after the failover", "pinky", "pinky");
      const failback = await s.failback(15_000, kind);
      assertPhase(failback, s);
      await sleep(1500);
      assert.deepEqual(otherOwners(s, BRAIN.publicAddress, settledAt(failback), "brain").map((e) => e.text), [], `after the failback the router saw only Brain:\n${timeline(s.events, failback.startedAt)}`);
      await expectOwnership(lab, "after the failback", "brain", "pinky");
      assert.deepEqual(addressesOn(lab, BRAIN.name, 6), [], "no IPv6 address on Brain but its link-local: the IPv4 configs add none");
    });
  }
});

describe("failover end to end, dual-stack: both families judged from the router", function () {
  this.timeout(90_000);
  const { start, tempDirs } = scenarioPerTest();

  before(async function () {
    this.timeout(30_000);
    const refusal = await dualStackRefusal();
    if (refusal !== undefined) {
      process.stdout.write(`    skipped: this build's daemon refuses IPv6 public addresses (takeover run --check of the dual-stack config):\n${refusal.replace(/^/gm, "      ")}\n`);
      this.skip();
    }
  });

  const kinds: readonly OutageKind[] = ["carrier", "admin"];
  for (const kind of kinds) {
    it(`${kind} outage of Brain's link: failover moves .37 and 2001:db8:1::37 to Pinky, failback brings both back; one owner each, every step`, async () => {
      const s = await start({ ipv6: true });
      const lab = s.lab;
      assert.deepEqual(s.brainAddresses, BRAIN_ADDRESSES);
      await expectDualStackOwnership(lab, "at start", "brain", "pinky", 5000, 2);

      const failover = await s.failover(15_000, kind);
      assertPhase(failover, s);
      for (const address of BRAIN_ADDRESSES) {
        assert.equal(routerMacFor(lab, address), PINKY.mac, `the router's neighbour entry for ${address} holds Pinky's MAC`);
        assert.equal(routerGet(lab, address), "pinky", `a fresh GET from the router to ${address} gets Pinky's page`);
      }
      await expectDualStackOwnership(lab, "after the failover", "pinky", "pinky", 5000, 2);
      const overAt = settledAt(failover);

      const failback = await s.failback(15_000, kind);
      assertPhase(failback, s);
      // from the failover's settling to the link's return: only Pinky at Brain's addresses
      assert.deepEqual(strayOwners(s, "pinky", overAt, failback.actionStartedAt), [], `during the outage the router saw only Pinky:\n${timeline(s.events, failover.startedAt)}`);
      const backAt = settledAt(failback);
      await sleep(1500); // past Pinky's announcement rounds
      assert.deepEqual(strayOwners(s, "brain", backAt), [], `after the failback the router saw only Brain:\n${timeline(s.events, failback.startedAt)}`);
      for (const address of BRAIN_ADDRESSES) {
        assert.equal(routerMacFor(lab, address), BRAIN.mac, `1.5 s later the router's neighbour entry for ${address} holds Brain's MAC`);
        assert.equal(routerGet(lab, address), "brain", `1.5 s later a fresh GET from the router to ${address} gets Brain's page`);
      }
      await expectDualStackOwnership(lab, "after the failback", "brain", "pinky", 5000, 3);
      for (const [phase, micros] of [["failover", failover], ["failback", failback]] as const) {
        const text = [...micros.byAddress].map(([a, m]) => `${a} HTTP ${((m.httpMicros ?? NaN) / 1000).toFixed(1)} ms, neighbour ${((m.neighbourMicros ?? NaN) / 1000).toFixed(1)} ms`).join("; ");
        process.stdout.write(`      ${kind} ${phase}: ${text}\n`);
      }
    });
  }

  it("one administrative flap of Brain's link (0.3 s): every public address ends at its home, answered by one MAC, and stays", async () => {
    const s = await start({ ipv6: true });
    const lab = s.lab;
    const t0 = hrtimeMicros();
    lab.adminDown(BRAIN.name);
    await sleep(300);
    lab.adminUp(BRAIN.name);
    await expectDualStackOwnership(lab, "after the flap", "brain", "pinky", 5000);
    const settled = hrtimeMicros();
    // hold: for 2 s, looked at every 0.5 s, each address answered by its home box's MAC alone
    const holders = Object.fromEntries([...BRAIN_ADDRESSES.map((a) => [a, "brain"]), ...PINKY_ADDRESSES.map((a) => [a, "pinky"])]);
    for (let look = 0; look < 4; look++) {
      const view = await lookFromOutside(lab, ROUTER_PORT, BOXES, 1);
      assert.deepEqual([...ownershipProblems(view, BOXES, holders), ...arpAnswerProblems(view, BOXES, holders)], [], `look ${look + 1} after the flap: ${summary(view, BOXES)}\n${timeline(s.events, t0)}`);
      await sleep(300);
    }
    assert.deepEqual(strayOwners(s, "brain", settled), [], `once Brain was back the router saw only Brain:\n${timeline(s.events, t0)}`);
    assert.deepEqual(await routerGets(lab, [...BRAIN_ADDRESSES, ...PINKY_ADDRESSES]), holders, "the router's GETs, both families");
  });

  it("split brain: Pinky's pings and HTTP to Brain dropped while Brain serves → Pinky claims neither .37 nor 2001:db8:1::37", async () => {
    const s = await start({ ipv6: true });
    const lab = s.lab;
    const pinky = new Lines(s.daemon("pinky"));
    const t0 = hrtimeMicros();
    // on Brain's side, by Pinky's MAC (whatever source address Pinky's checks use, in either family);
    // ARP and NDP still pass, so Brain still answers Pinky's probes for its addresses
    lab.nft(BRAIN.name, `table inet e2e {
      chain input {
        type filter hook input priority 0; policy accept;
        ether saddr ${PINKY.mac} icmp type echo-request counter drop
        ether saddr ${PINKY.mac} icmpv6 type echo-request counter drop
        ether saddr ${PINKY.mac} tcp dport 80 counter drop
      }
    }`);
    await pinky.wait(/ peer-down: /, 5000, "Pinky's log", t0);
    await sleep(2500); // Pinky keeps checking and probing (retry 500 ms): it must keep off both addresses all along

    assert.deepEqual(pinky.matching(/ (claim|added) (192\.0\.2\.37|\[?2001:db8:1::37\]?)\b/).map((l) => l.text), [], "Pinky claims neither of Brain's addresses");
    assert.deepEqual(strayOwners(s, "brain", t0), [], `the router saw only Brain at its addresses:\n${timeline(s.events, t0)}`);
    await expectDualStackOwnership(lab, "split brain, 2.5 s on", "brain", "pinky", 5000, 2);
    assert.deepEqual(await routerGets(lab, [...BRAIN_ADDRESSES, ...PINKY_ADDRESSES]), Object.fromEntries([...BRAIN_ADDRESSES.map((a) => [a, "brain"]), ...PINKY_ADDRESSES.map((a) => [a, "pinky"])]));
    const dropped = lab.exec(BRAIN.name, ["nft", "list", "table", "inet", "e2e"], { check: true }).stdout;
    assert.match(dropped, /icmp type echo-request counter packets [1-9]/, "the fault was real: echo requests from Pinky were dropped");
  });

  it("hand-back to a plain host: Brain runs no takeover; Pinky serves both its addresses while it is cut off, then hands both back", async () => {
    const { brainConfig, pinkyConfig } = dualStackConfigs(tempDirs, (c, box) => {
      if (box === "pinky") c.peer.runsTakeover = false;
    });
    const s = await start({ ipv6: true, brainRunsTakeover: false, brainConfig, pinkyConfig });
    const lab = s.lab;
    const failover = await s.failover(15_000);
    assertPhase(failover, s);
    // Brain, a plain host, keeps its addresses configured while it is cut off
    await expectDualStackOwnership(lab, "after the failover", { carriedBy: ["brain", "pinky"], routerAt: "pinky" }, "pinky", 5000);
    const overAt = settledAt(failover);

    const failback = await s.failback(15_000);
    assertPhase(failback, s);
    assert.deepEqual(strayOwners(s, "pinky", overAt, failback.actionStartedAt), [], `during the outage the router saw only Pinky:\n${timeline(s.events, failover.startedAt)}`);
    const backAt = settledAt(failback);
    await sleep(1500);
    assert.deepEqual(strayOwners(s, "brain", backAt), [], `after the hand-back the router saw only Brain:\n${timeline(s.events, failback.startedAt)}`);
    assert.ok(!s.events.some((e) => e.source === "pinky" && e.kind === "claim" && BRAIN_ADDRESSES.includes(e.address ?? "") && e.t > failback.startedAt), "Pinky does not claim Brain's addresses again");
    await expectDualStackOwnership(lab, "after the hand-back", "brain", "pinky", 5000, 3);
  });

  after(() => {
    assert.deepEqual(listNamespaces().filter((n) => n.startsWith(`tk-${process.pid}-`)), [], "no namespace of this run is left");
  });
});

// A hostile segment for IPv6 (issue 11: "hostile NAs from a third box, the same threat model as ARP,
// auth included"), end to end: the dual-stack lab (router 192.0.2.1 and 2001:db8:1::1; Brain home
// of .37 and 2001:db8:1::37, Pinky of .36 and 2001:db8:1::36; src/lab/failover-demo.ts `ipv6`), two
// real daemons with one ICMP check every 10 ms, and Mallory (mallory.ts) on the same bridge sending
// NDP frames built with our own encoder. Judged from the router (its ARP and NDP entries, who answers
// its ARP requests and Neighbor Solicitations, who serves its GETs: outside-view.ts) and the boxes:
//   1. Brain's link cut, Pinky holds Brain's two addresses; Mallory claims 2001:db8:1::37 at her MAC
//      every way NDP has (an unsolicited NA with Override, an NS from it, a DAD probe for it, a
//      solicited NA to Pinky) → Pinky does not take her for Brain, does not yield, defends; the
//      router ends on Pinky's MAC for both of Brain's addresses; Brain back → all four home.
//   2. both boxes healthy; Mallory sends an Override NA for each box's IPv6 address every 100 ms for
//      3 s → nobody yields; every stretch of the router's entry on Mallory's MAC ends (the owner
//      defends), and how long they last is printed.
// With a shared key on both boxes (auth.keyFile: NDP frames carry the tag in an option of their own):
//   3. failover and failback of both families as without one, no frame refused;
//   4. Brain's signed NAs for 2001:db8:1::37, recorded by Mallory while Brain holds it, replayed
//      while Pinky holds it → Pinky does not yield (replayed), the router ends on Pinky.
// Each test builds its own lab and Mallory and deletes them in afterEach, also when it fails.
import { strict as assert } from "node:assert";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BRAIN, LabScenario, PINKY, ROUTER, startScenario } from "../../src/lab/failover-demo";
import { Lab, listNamespaces } from "../../src/lab/netns";
import { Mac } from "../../src/packets/address";
import { Ipv6Address } from "../../src/packets/ipv6";
import { neighborAdvertisementFrame, neighborSolicitationFrame } from "../../src/ndp/frames";
import { dualStackConfigs, eventually, expectDualStackOwnership, Lines, routerMacFor, sleep, timeline } from "./e2e-helpers";
import { addMallory, MALLORY, NeighbourMonitor, recordFrom, sendFrom } from "./mallory";

const EVIL = Mac.parse(MALLORY.mac);
const V6_37 = Ipv6Address.parse(BRAIN.publicAddress6);
const V6_36 = Ipv6Address.parse(PINKY.publicAddress6);
/** Mallory's link-local, as she would have it */
const EVIL_LINK_LOCAL = Ipv6Address.parse("fe80::5eff:fe00:66");

/** Every way NDP lets Mallory say `address` is at her MAC. */
function claimsOf(address: Ipv6Address): Uint8Array[] {
  return [
    // an unsolicited NA to all-nodes, Override set: what a new owner sends
    neighborAdvertisementFrame({ sourceMac: EVIL, target: address, linkLayerAddress: EVIL, override: true, solicited: false }),
    // an NS from the address itself (as if she used it), her MAC in its source link-layer option
    neighborSolicitationFrame({ sourceMac: EVIL, source: address, target: Ipv6Address.parse(ROUTER.address6) }),
    // a DAD probe for it (from ::)
    neighborSolicitationFrame({ sourceMac: EVIL, source: Ipv6Address.ANY, target: address }),
    // a solicited NA straight to Pinky, as if answering its question
    neighborAdvertisementFrame({ sourceMac: EVIL, source: address, target: address, linkLayerAddress: EVIL, override: true, solicited: true, destination: EVIL_LINK_LOCAL, destinationMac: Mac.parse(PINKY.mac) }),
  ];
}


const wallMicros = () => Date.now() * 1000;
/** 10 ms checks, one probe and 5 ms of listening: the lab settles fast, and a yield would show at once */
const fast = (config: Record<string, any>) => {
  config.checks = [{ name: "peer-ping", type: "icmp", target: "peer", interval: "10ms", timeout: "3ms", fall: 3, rise: 2 }];
  config.claim = { ...config.claim, probes: 1, probeWait: "5ms", retry: "100ms" };
  config.status = { listen: "off" };
};

describe("failover end to end, a hostile segment, IPv6 (issue 11)", function () {
  this.timeout(120_000);
  let scenario: LabScenario | undefined;
  let mallory: Lab | undefined;
  let monitor: NeighbourMonitor | undefined;
  const prefixes: string[] = [];
  const dirs: string[] = [];

  async function start(keyFile?: string): Promise<{ s: LabScenario; m: Lab; brain: Lines; pinky: Lines }> {
    const configs = dualStackConfigs(dirs, (config) => {
      fast(config);
      if (keyFile !== undefined) config.auth = { keyFile };
    });
    scenario = await startScenario({ ...configs, ipv6: true, httpIntervalMs: 50 });
    prefixes.push(scenario.lab.prefix);
    const brain = new Lines(scenario.daemon("brain"));
    const pinky = new Lines(scenario.daemon("pinky"));
    const settled = await scenario.settled(15_000);
    assert.deepEqual(settled.missing, [], `steady state not reached:\n${timeline(scenario.events, settled.startedAt)}`);
    mallory = await addMallory(scenario);
    prefixes.push(mallory.prefix);
    monitor = new NeighbourMonitor(scenario.lab);
    return { s: scenario, m: mallory, brain, pinky };
  }

  function keyFile(): string {
    const dir = mkdtempSync(join(tmpdir(), "takeover-adv6-"));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    const file = join(dir, "pair.key");
    writeFileSync(file, `${Buffer.from("the pair's IPv6 test key, 32 by.").toString("base64")}\n`, { mode: 0o600 });
    return file;
  }

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && scenario !== undefined) {
      process.stderr.write(`\n--- timeline of the failed test\n${timeline(scenario.events, scenario.events[0]?.t ?? 0)}\n`);
    }
    monitor?.stop();
    monitor = undefined;
    await scenario?.destroy();
    scenario = undefined;
    await mallory?.destroy();
    mallory = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    const left = listNamespaces().filter((n) => prefixes.some((p) => n.startsWith(p)));
    prefixes.length = 0;
    assert.deepEqual(left, [], "the lab's namespaces are gone");
  });

  it("1. while Pinky holds Brain's addresses, Mallory's NDP claims of 2001:db8:1::37 (NA, NS, DAD, solicited NA) get no yield, Pinky defends, the router ends on Pinky; Brain back → all home", async () => {
    const { s, m, pinky } = await start();
    s.lab.beginOutage(BRAIN.name, "carrier");
    await expectDualStackOwnership(s.lab, "Brain cut off", "pinky", "pinky", 5000);
    const since = pinky.lines.length;
    const sent = await sendFrom(m, claimsOf(V6_37), 3, 150);
    assert.equal(sent.errors, 0);
    await sleep(300);
    const after = pinky.lines.slice(since).map((l) => l.text);
    assert.ok(!after.some((l) => / yield /.test(l)), `Pinky yielded to Mallory:\n${after.join("\n")}`);
    assert.ok(after.some((l) => l.includes("conflict 2001:db8:1::37") && l.includes(MALLORY.mac) && l.includes("not the peer")), `Pinky names Mallory as a stranger:\n${after.join("\n")}`);
    assert.ok(after.some((l) => /announce 2001:db8:1::37: unsolicited NA .* \(defend\)/.test(l)), `Pinky defends with an NA:\n${after.join("\n")}`);
    assert.ok(await eventually(() => routerMacFor(s.lab, BRAIN.publicAddress6) === PINKY.mac, 3000), `the router ends on Pinky's MAC for ${BRAIN.publicAddress6}: ${routerMacFor(s.lab, BRAIN.publicAddress6)}`);
    await expectDualStackOwnership(s.lab, "after Mallory's claims, Brain still cut off", "pinky", "pinky", 5000, 2);
    s.lab.endOutage(BRAIN.name, "carrier");
    await expectDualStackOwnership(s.lab, "Brain back", "brain", "pinky", 5000, 2);
  });

  it("2. both healthy: Mallory's Override NAs for both boxes' IPv6 addresses, 10 a second for 3 s → nobody yields, every stretch on her MAC ends", async () => {
    const { s, m, brain, pinky } = await start();
    const since = wallMicros();
    const lines = { brain: brain.lines.length, pinky: pinky.lines.length };
    const sent = await sendFrom(m, [claimsOf(V6_37)[0], claimsOf(V6_36)[0]], 30, 100);
    assert.equal(sent.errors, 0);
    await sleep(500);
    const until = wallMicros();
    for (const [box, from] of [[brain, lines.brain], [pinky, lines.pinky]] as const) {
      const after = box.lines.slice(from).map((l) => l.text);
      assert.ok(!after.some((l) => / (yield|release|removed) /.test(l)), `a box gave an address up:\n${after.join("\n")}`);
    }
    for (const [address, home] of [[BRAIN.publicAddress6, BRAIN], [PINKY.publicAddress6, PINKY]] as const) {
      const stretches = monitor!.stretchesOn(Ipv6Address.parse(address).toString(), MALLORY.mac, since, until);
      assert.equal(routerMacFor(s.lab, address), home.mac, `the router's entry for ${address} is back on ${home.name}`);
      const longest = Math.max(0, ...stretches);
      process.stdout.write(`      ${address}: ${stretches.length} stretch(es) on Mallory's MAC, longest ${(longest / 1000).toFixed(1)} ms\n`);
      // each of her NAs moves the entry until the owner's defence (rate-limited per claimer) comes; none may stick
      assert.ok(longest < 1_000_000, `a stretch on Mallory's MAC lasted ${longest / 1000} ms`);
    }
    await expectDualStackOwnership(s.lab, "after Mallory's NAs", "brain", "pinky", 5000, 2);
  });

  it("3. with a key: failover and failback of both families as without one, no frame refused", async () => {
    const { s, brain, pinky } = await start(keyFile());
    s.lab.beginOutage(BRAIN.name, "admin");
    await expectDualStackOwnership(s.lab, "Brain cut off", "pinky", "pinky", 5000, 1);
    s.lab.endOutage(BRAIN.name, "admin");
    await expectDualStackOwnership(s.lab, "Brain back", "brain", "pinky", 5000, 2);
    for (const box of [brain, pinky]) {
      const refused = box.lines.filter((l) => l.text.includes("refused tagged frames"));
      assert.deepEqual(refused, [], "no frame refused");
    }
  });

  it("4. with a key: Brain's signed NAs, recorded and replayed by Mallory while Pinky holds 2001:db8:1::37, get no yield", async () => {
    const { s, m, pinky } = await start(keyFile());
    // Brain's signed NAs: its refresh is off, so make it announce: a claim by Mallory draws its defence
    const recording = recordFrom(m, BRAIN.mac, 1500, "ndp");
    await sleep(300);
    await sendFrom(m, [claimsOf(V6_37)[0]], 3, 200);
    const recorded = (await recording).filter((f) => f.length > 86);
    assert.ok(recorded.length >= 1, `Mallory recorded Brain's signed NAs (${recorded.length})`);
    s.lab.beginOutage(BRAIN.name, "carrier");
    await expectDualStackOwnership(s.lab, "Brain cut off", "pinky", "pinky", 5000);
    const since = pinky.lines.length;
    const sent = await sendFrom(m, recorded, 2, 100);
    assert.equal(sent.errors, 0);
    await sleep(500);
    const after = pinky.lines.slice(since).map((l) => l.text);
    assert.ok(!after.some((l) => / yield /.test(l)), `Pinky yielded to a replay:\n${after.join("\n")}`);
    assert.ok(after.some((l) => l.includes("refused tagged frames") && l.includes("replayed")), `Pinky says it refused replays:\n${after.join("\n")}`);
    await expectDualStackOwnership(s.lab, "after the replay, Brain still cut off", "pinky", "pinky", 5000, 1);
    s.lab.endOutage(BRAIN.name, "carrier");
    await expectDualStackOwnership(s.lab, "Brain back", "brain", "pinky", 5000, 2);
  });
});

// A hostile segment, end to end (issue 9): Brain (.17, home of .37–.40) and Pinky (.18, home of .36
// and .33–.35) run `takeover run` with four public addresses each (issue 12); Mallory (.66), a third
// box on the same bridge, sends forged frames built with our own encoder. Every case is judged from
// the router (its neighbour entries for all eight addresses, watched over rtnetlink with `ip monitor
// neigh`, and who answers its GET at each) and from both boxes' addresses and logs:
//   1. Brain's link cut, Pinky holds Brain's four; Mallory sends ARP "from" Brain's real address (a
//      broadcast request and a unicast reply to Pinky), then claims .37 and .39 (the first address
//      and another) → Pinky does not take Mallory for Brain, does not yield, defends both; the router
//      stays on Pinky for all four; Brain back → all four home, all eight addresses right.
//   2. the same against a configured peer.mac, before and after a SIGHUP reload.
//   3. claims on all eight public addresses every 300 ms, at 10/s and at 100/s → nobody yields,
//      every stretch of the router on Mallory's MAC ends, and how long they last is printed.
//   4. claims and "peer" ARP tagged for VLAN 99 (the boxes' interfaces are untagged) → no conflict,
//      no peer-MAC change: frames of another VLAN play no part.
//   8. Brain's open-file limit lowered to 1,024 and 1,100 idle connections held open to its status
//      port, then 10,000 connections one after another → no transition on either box.
// With a shared key (auth.keyFile) on both boxes:
//   5. failover and failback as without one; no frame refused.
//   6. Brain cut while Mallory answers every ping to Brain's real address (promiscuous: the switch
//      floods frames for the dead box's MAC): Pinky still takes over (only sealed echo replies
//      count); 6b shows that without a key the same hides the dead Brain, as the README says.
//   7. Brain's signed claims of its four addresses, recorded by Mallory, replayed while Pinky holds
//      them → no yield.
// Each test builds its own lab and deletes it (and Mallory's) in afterEach, also when it fails.
import { strict as assert } from "node:assert";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BRAIN, LabScenario, PINKY, ROUTER, startScenario } from "../../src/lab/failover-demo";
import { Lab, listNamespaces } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpReply, arpRequest, gratuitousReply, gratuitousRequest } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { encodeFrame } from "../../src/packets/frame";
import { addressesOn, eventually, FOUR_ADDRESSES, fourAddressConfigs, Lines, routerGets, routerMacFor, sleep, timeline } from "./e2e-helpers";
import { addMallory, MALLORY, mirrorPings, NeighbourMonitor, recordFrom, sendFrom } from "./mallory";
import { vlanTagged } from "../helpers/frames";

const EVIL = Mac.parse(MALLORY.mac);
const ip = (s: string) => Ipv4.parse(s);
const arp = (destination: Mac, record: ReturnType<typeof arpRequest>) => encodeFrame({ ethernet: { destination, source: EVIL, etherType: ETHERTYPE_ARP }, arp: record });
/** A gratuitous claim of `address` at Mallory's MAC, both forms. */
const claimFrames = (address: string) => [arp(Mac.BROADCAST, gratuitousRequest(EVIL, ip(address))), arp(Mac.BROADCAST, gratuitousReply(EVIL, ip(address)))];
/** ARP "from" Brain's real address at Mallory's MAC: a broadcast request, and a reply to Pinky alone. */
const fromBrainFrames = () => [
  arp(Mac.BROADCAST, arpRequest(EVIL, ip(BRAIN.address), ip(ROUTER.address))),
  arp(Mac.parse(PINKY.mac), arpReply(EVIL, ip(BRAIN.address), Mac.parse(PINKY.mac), ip(PINKY.address))),
];
const BRAINS = FOUR_ADDRESSES.brain;
const PINKYS = FOUR_ADDRESSES.pinky;
/** Brain's first public address and another, the ones Mallory claims while Pinky holds them. */
const CLAIMED = [BRAINS[0], BRAINS[2]];
const escaped = (address: string) => address.replace(/\./g, "\\.");
const sorted = (list: readonly string[]) => [...list].sort();
/** All eight public addresses home, from every side: both boxes' eth0, the router's entries, its GETs. */
async function assertHome(lab: Lab, what: string): Promise<void> {
  assert.deepEqual(addressesOn(lab, BRAIN.name), sorted([BRAIN.address, ...BRAINS]), `${what}: Brain's eth0 holds .17 and .37–.40`);
  assert.deepEqual(addressesOn(lab, PINKY.name), sorted([PINKY.address, ...PINKYS]), `${what}: Pinky's eth0 holds .18, .36 and .33–.35`);
  for (const [addresses, box] of [[BRAINS, BRAIN], [PINKYS, PINKY]] as const) {
    for (const address of addresses) assert.equal(routerMacFor(lab, address), box.mac, `${what}: the router has ${address} at ${box.name}'s MAC`);
  }
  const served = await routerGets(lab, [...BRAINS, ...PINKYS]);
  assert.deepEqual(served, Object.fromEntries([...BRAINS.map((a) => [a, "brain"]), ...PINKYS.map((a) => [a, "pinky"])]), `${what}: who serves each address`);
}


const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const wallMicros = () => Date.now() * 1000;
const median = (xs: number[]) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

describe("failover end to end, a hostile segment (issue 9)", function () {
  this.timeout(120_000);
  let scenario: LabScenario | undefined;
  let mallory: Lab | undefined;
  let monitor: NeighbourMonitor | undefined;
  const prefixes: string[] = [];
  const dirs: string[] = [];

  /** A lab with four addresses per box (configs from `fourAddressConfigs`, unless given) and Mallory on its segment. */
  async function start(options: Parameters<typeof startScenario>[0] = {}): Promise<{ s: LabScenario; m: Lab; brain: Lines; pinky: Lines }> {
    // the router's GETs every 50 ms at each of the eight addresses (not every 10 ms: 800 a second)
    scenario = await startScenario({ ...(options.brainConfig === undefined ? fourAddressConfigs(dirs) : {}), httpIntervalMs: 50, publicAddresses: FOUR_ADDRESSES, ...options });
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

  /** Case 1 and 2: Brain cut, Pinky holds Brain's four, Mallory poses as Brain and claims .37 and .39. */
  async function posingAsBrain(s: LabScenario, m: Lab, pinky: Lines, what: string): Promise<void> {
    const t0 = hrtimeMicros();
    const sent = await sendFrom(m, fromBrainFrames(), 3, 100);
    assert.equal(sent.errors, 0);
    await sleep(300);
    const claim = await sendFrom(m, CLAIMED.flatMap(claimFrames), 2, 300);
    assert.equal(claim.errors, 0);
    for (const address of CLAIMED) {
      await pinky.wait(new RegExp(` conflict ${escaped(address)}: .*${MALLORY.mac}.*not the peer`), 3000, `${what}: Pinky's conflict line for ${address}`, t0);
    }
    await sleep(500);
    assert.deepEqual(pinky.matching(new RegExp(`peer-mac: .*(learned|moved).*${MALLORY.mac}`), t0).map((l) => l.text), [], `${what}: Pinky does not take Mallory for Brain`);
    assert.deepEqual(pinky.matching(/ (yield|release|removed)[: ]/, t0).map((l) => l.text), [], `${what}: Pinky yields nothing to Mallory`);
    for (const address of BRAINS) {
      assert.ok(await eventually(() => routerMacFor(s.lab, address) === PINKY.mac, 2000), `${what}: the router has ${address} at Pinky's MAC (has ${routerMacFor(s.lab, address)})`);
    }
    assert.deepEqual(sorted(addressesOn(s.lab, PINKY.name)), sorted([PINKY.address, ...PINKYS, ...BRAINS]), `${what}: Pinky holds all eight`);
  }

  it("1. Brain cut; Mallory sends ARP from Brain's real address, then claims .37 and .39 → Pinky keeps Brain as the peer and all four, the router stays on Pinky; Brain back takes all four home", async () => {
    const { s, m, pinky } = await start();
    const failover = await s.failover(10_000);
    assert.deepEqual(failover.missing, [], `failover:\n${timeline(s.events, failover.startedAt)}`);
    await posingAsBrain(s, m, pinky, "learned peer MAC");
    const failback = await s.failback(10_000);
    assert.deepEqual(failback.missing, [], `failback despite Mallory:\n${timeline(s.events, failback.startedAt)}`);
    for (const address of BRAINS) assert.ok(await eventually(() => routerMacFor(s.lab, address) === BRAIN.mac, 3000), `the router has ${address} at Brain's MAC (has ${routerMacFor(s.lab, address)})`);
    await sleep(500);
    await assertHome(s.lab, "after Mallory and the failback");
  });

  it("2. the same against a configured peer.mac, before and after a SIGHUP reload", async () => {
    const configs = fourAddressConfigs(dirs, (c, box) => {
      if (box === "pinky") c.peer.mac = BRAIN.mac;
    });
    const { s, m, pinky } = await start(configs);
    const failover = await s.failover(10_000);
    assert.deepEqual(failover.missing, [], `failover:\n${timeline(s.events, failover.startedAt)}`);
    await posingAsBrain(s, m, pinky, "pinned, before the reload");
    const t = hrtimeMicros();
    s.daemon("pinky").kill("SIGHUP");
    await pinky.wait(/ reload: applied/, 5000, "Pinky's reload", t);
    await posingAsBrain(s, m, pinky, "pinned, after the reload");
    const failback = await s.failback(10_000);
    assert.deepEqual(failback.missing, [], `failback:\n${timeline(s.events, failback.startedAt)}`);
    await sleep(500);
    await assertHome(s.lab, "after the failback");
  });

  it("3. claims on all eight public addresses every 300 ms, at 10/s and at 100/s → nobody yields, the router always comes back home", async () => {
    const { s, m, brain, pinky } = await start();
    const t0 = hrtimeMicros();
    const figures: string[] = [];
    for (const [label, intervalMs, rounds] of [["every 300 ms", 300, 10], ["10/s", 100, 30], ["100/s", 10, 300]] as const) {
      const since = wallMicros();
      const before = hrtimeMicros();
      const sent = await sendFrom(m, [...BRAINS, ...PINKYS].flatMap(claimFrames), rounds, intervalMs);
      await sleep(300);
      const until = wallMicros();
      assert.equal(sent.errors, 0);
      for (const [address, home] of [...BRAINS.map((a) => [a, BRAIN.mac] as const), ...PINKYS.map((a) => [a, PINKY.mac] as const)]) {
        assert.ok(await eventually(() => routerMacFor(s.lab, address) === home, 2000), `${label}: the router ends with ${address} at home (has ${routerMacFor(s.lab, address)})`);
        const stretches = monitor!.stretchesOn(address, MALLORY.mac, since, until);
        if (intervalMs >= 100) {
          // every claim answered (not one per second): each round is a claim the router hears
          const defends = (home === BRAIN.mac ? brain : pinky).matching(new RegExp(` announce ${escaped(address)}: .*\\(defend\\)`), before).length;
          assert.ok(defends >= rounds, `${label}: ${address} defended ${defends} times for ${rounds} claims`);
        }
        figures.push(`${label} ${address}: ${stretches.length} stretch(es) on Mallory, median ${(median(stretches) / 1000).toFixed(1)} ms, longest ${(Math.max(0, ...stretches) / 1000).toFixed(1)} ms, ${sent.sent / 16} claims`);
      }
    }
    assert.deepEqual([...brain.matching(/ (yield|release|removed)[: ]/, t0), ...pinky.matching(/ (yield|release|removed|claim)[: ]/, t0)].map((l) => l.text), [], "nobody yields, nobody claims the other's address");
    for (const [addresses, lines, name] of [[BRAINS, brain, "Brain"], [PINKYS, pinky, "Pinky"]] as const) {
      for (const address of addresses) assert.ok(lines.matching(new RegExp(` announce ${escaped(address)}: .*\\(defend\\)`), t0).length > 0, `${name} defends ${address}`);
    }
    await sleep(500);
    await assertHome(s.lab, "after the claims");
    process.stdout.write(`      (the router's entries on Mallory's MAC, from ip monitor neigh: ${figures.join("; ")})\n`);
  });

  it("4. claims and 'peer' ARP tagged for VLAN 99 (the boxes' interfaces are untagged) → no conflict, no peer-MAC change", async () => {
    const { s, m, brain, pinky } = await start();
    const t0 = hrtimeMicros();
    const frames = [...[...BRAINS, ...PINKYS].flatMap(claimFrames), ...fromBrainFrames()].map((f) => vlanTagged(f, 99));
    const sent = await sendFrom(m, frames, 5, 100);
    assert.equal(sent.errors, 0);
    await sleep(1000);
    assert.deepEqual([...brain.matching(/ (conflict|yield|release|peer-mac)[: ]/, t0), ...pinky.matching(/ (conflict|yield|release|peer-mac)[: ]/, t0)].map((l) => l.text), [], "tagged frames play no part");
    // the same frames untagged are heard (the test would pass for a box that hears nothing)
    const t1 = hrtimeMicros();
    await sendFrom(m, claimFrames(BRAINS[3]), 1, 0);
    await brain.wait(new RegExp(` conflict ${escaped(BRAINS[3])}: `), 3000, "Brain's conflict line for the untagged claim", t1);
    await sleep(500);
    await assertHome(s.lab, "after the tagged frames");
  });

  it("8. 1,100 idle status connections under a 1,024 open-file limit, then 10,000 more → no transition on either box, /status still answers", async () => {
    const { s, brain, pinky } = await start();
    const pid = s.daemon("brain").pid!;
    s.lab.exec(BRAIN.name, ["prlimit", "--pid", String(pid), "--nofile=1024:1024"], { check: true });
    const t0 = hrtimeMicros();
    const script = `
      const net = require("node:net");
      const open = [];
      let refused = 0;
      const connect = () => new Promise((resolve) => {
        const socket = net.connect(9337, "127.0.0.1");
        socket.on("connect", () => resolve(socket));
        socket.on("error", () => { refused++; resolve(undefined); });
        socket.setTimeout(3000, () => { socket.destroy(); resolve(undefined); });
      });
      (async () => {
        for (let i = 0; i < 1100; i++) { const s = await connect(); if (s) { open.push(s); s.on("error", () => {}); } }
        await new Promise((r) => setTimeout(r, 3000));
        const closedByServer = open.filter((s) => s.destroyed || s.readableEnded).length;
        for (const s of open) s.destroy();
        let churned = 0;
        for (let i = 0; i < 10000; i++) { const s = await connect(); if (s) { churned++; s.destroy(); } }
        process.stdout.write(JSON.stringify({ held: open.length, closedByServer, refused, churned }) + "\\n");
        process.exit(0);
      })();`;
    const result = await s.lab.execAsync(BRAIN.name, [process.execPath, "-e", script], { timeoutMs: 90_000 });
    assert.equal(result.status, 0, result.stderr);
    const figures = JSON.parse(result.stdout.trim().split("\n").pop()!) as Record<string, number>;
    await sleep(500);
    assert.deepEqual([...brain.matching(/ (link-down|release|removed|yield|claim|peer-down|error)[: ]/, t0), ...pinky.matching(/ (link-down|release|yield|claim|peer-down|error)[: ]/, t0)].map((l) => l.text), [], "no transition on either box");
    assert.equal(s.daemon("brain").exitCode, null, "Brain's daemon is alive");
    const status = s.lab.exec(BRAIN.name, [process.execPath, CLI, "status", "--json"], { timeoutMs: 10_000 });
    assert.equal(status.status, 0, `takeover status answers: ${status.stderr}`);
    await assertHome(s.lab, "after the status clients");
    process.stdout.write(`      (status clients: ${JSON.stringify(figures)})\n`);
  });

  /** Configs for both boxes with the same fresh key file (mode 0600). */
  function keyedConfigs(): { brainConfig: string; pinkyConfig: string } {
    const dir = mkdtempSync(join(tmpdir(), "takeover-key-"));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    const keyFile = join(dir, "pair.key");
    writeFileSync(keyFile, `${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + Date.now()) & 0xff)).toString("base64")}\n`, { mode: 0o600 });
    return fourAddressConfigs(dirs, (c) => (c.auth = { keyFile }));
  }

  it("5. with a key: failover and failback as without one, all eight addresses home, no frame refused", async () => {
    const { s, brain, pinky } = await start(keyedConfigs());
    const t0 = hrtimeMicros();
    const failover = await s.failover(10_000);
    assert.deepEqual(failover.missing, [], `failover:\n${timeline(s.events, failover.startedAt)}`);
    const failback = await s.failback(10_000);
    assert.deepEqual(failback.missing, [], `failback:\n${timeline(s.events, failback.startedAt)}`);
    await sleep(500);
    await assertHome(s.lab, "with a key");
    assert.deepEqual([...brain.matching(/ auth: /), ...pinky.matching(/ auth: /)].map((l) => l.text), [], "no tagged frame refused");
    assert.ok(pinky.matching(new RegExp(`peer-mac: .*${BRAIN.mac}`)).length > 0, "Pinky learned Brain's MAC from its signed answers");
    void t0;
  });

  /** Brain cut while Mallory answers every ping to Brain's real address: does Pinky take over? */
  async function hiddenDeadPeer(s: LabScenario, m: Lab, pinky: Lines): Promise<{ claimed: boolean; answered: number; t0: number }> {
    const t0 = hrtimeMicros();
    // Mallory answers for longer than Pinky waits for its claim: what Pinky logs meanwhile is all
    // with her answering
    const mirroring = mirrorPings(m, BRAIN.address, 12_000);
    await sleep(500);
    s.lab.cut(BRAIN.name);
    const claimed = await pinky.wait(/ claim 192\.0\.2\.37: /, 10_000, "Pinky's claim", t0).then(
      () => true,
      () => false,
    );
    const answered = await mirroring;
    return { claimed, answered, t0 };
  }

  it("6. with a key: Brain cut while Mallory answers every ping to Brain's real address → Pinky still takes over (only sealed replies count); Brain back takes its four home", async () => {
    const { s, m, pinky } = await start(keyedConfigs());
    const { claimed, answered, t0 } = await hiddenDeadPeer(s, m, pinky);
    assert.ok(answered > 10, `Mallory answered Pinky's pings (${answered})`);
    assert.ok(claimed, `Pinky took .37 over although Mallory answered ${answered} pings:\n${timeline(s.events, s.events[0].t)}`);
    assert.ok(pinky.matching(/ check-failed: peer-ping/, t0).length > 0, "the ICMP check itself finds Brain dead: Mallory's unsealed replies do not count");
    await posingAsBrain(s, m, pinky, "with a key");
    const failback = await s.failback(10_000);
    assert.deepEqual(failback.missing, [], `failback:\n${timeline(s.events, failback.startedAt)}`);
    await sleep(500);
    await assertHome(s.lab, "after Mallory posed as Brain");
  });

  it("6b. without a key, the same keeps Pinky's ICMP check passing: only the HTTP check of .37 finds Brain dead, later (the README's threat model says so)", async () => {
    const { s, m, pinky } = await start();
    const { claimed, answered, t0 } = await hiddenDeadPeer(s, m, pinky);
    assert.ok(answered > 10, `Mallory answered Pinky's pings (${answered})`);
    assert.deepEqual(pinky.matching(/ check-failed: peer-ping/, t0).map((l) => l.text), [], "without a key, Mallory's replies pass for Brain's");
    assert.ok(claimed && pinky.matching(/ check-failed: peer-web/, t0).length > 0, `the HTTP check of .37 (which Mallory cannot answer) finds Brain dead:\n${timeline(s.events, t0)}`);
  });

  it("7. with a key: Brain's signed claims of its four addresses, recorded and replayed by Mallory while Pinky holds them → Pinky does not yield", async () => {
    const { s, m, pinky } = await start(keyedConfigs());
    let failover = await s.failover(10_000);
    assert.deepEqual(failover.missing, [], `failover:\n${timeline(s.events, failover.startedAt)}`);
    // Brain comes back and claims .37: Mallory records what Brain sends meanwhile
    const recording = recordFrom(m, BRAIN.mac, 3000);
    await sleep(300);
    const failback = await s.failback(10_000);
    assert.deepEqual(failback.missing, [], `failback:\n${timeline(s.events, failback.startedAt)}`);
    const recorded = await recording;
    const claimOf = (f: Uint8Array, address: string) => f.length >= 60 && f[42] === 0x54 && f[43] === 0x4b && Buffer.from(f.subarray(28, 32)).equals(Buffer.from(Ipv4.parse(address).toBytes()));
    const claims = recorded.filter((f) => BRAINS.some((a) => claimOf(f, a)));
    for (const address of BRAINS) assert.ok(recorded.some((f) => claimOf(f, address)), `Mallory recorded Brain's signed claims of ${address} (${recorded.length} frames in all)`);
    failover = await s.failover(10_000);
    assert.deepEqual(failover.missing, [], `failover again:\n${timeline(s.events, failover.startedAt)}`);
    const t0 = hrtimeMicros();
    const sent = await sendFrom(m, claims, 3, 200);
    assert.equal(sent.errors, 0);
    await sleep(1000);
    assert.deepEqual(pinky.matching(/ (yield|release|removed)[: ]/, t0).map((l) => l.text), [], "Pinky yields nothing to the replayed claims");
    assert.ok(pinky.matching(/ auth: refused tagged frames: .*(replayed|too old)/, t0).length > 0 || (await pinky.wait(/ auth: refused tagged frames: .*(replayed|too old)/, 11_000, "Pinky's log of the refused replays", t0)) !== undefined);
    for (const address of BRAINS) assert.equal(routerMacFor(s.lab, address), PINKY.mac, `the router keeps ${address} at Pinky's MAC`);
    process.stdout.write(`      (Mallory replayed ${claims.length} signed frames of Brain's, ${sent.sent} sends)\n`);
  });
});

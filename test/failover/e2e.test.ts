// End to end: two real `takeover run` daemons in network namespaces (router .1, Brain .17 holding
// .37, Pinky .18 holding .36, one bridge; src/lab/failover-demo.ts builds it), judged from the
// router's side wherever possible: which MAC its neighbour entry holds for 192.0.2.37, who answers
// its HTTP GET there, and which ARP it hears (tcpdump in the router's namespace).
//   - failover: Brain's link is cut → Pinky's page and MAC at .37;
//   - failback: Brain's link back → Brain's page and MAC within 2 s, and they stay (no stale window);
//   - after each transition settles, every ARP frame claiming .37 carries one MAC;
//   - a peer that runs no takeover gets its address handed back once its checks pass;
//   - SIGTERM while holding hands the address back (router on the home MAC, no alias left), with
//     the home node down and up;
//   - kill -9 and restart: the leftover alias is reconciled by the rules (`reconcile` lines).
// Fault injection (split brain, service down, lossy path, bad start-up) is in e2e-faults.test.ts.
//
// Every test builds its own lab (unique `tk-<pid>-<hex>-` namespaces) and destroys it in afterEach,
// also when it fails; every wait has a bound.
import { strict as assert } from "node:assert";
import { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { BRAIN, EXAMPLES, LabScenario, PhaseResult, PINKY, ROUTER } from "../../src/lab/failover-demo";
import { Lab } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { eventually, expectOwnership, scenarioPerTest, Lines, otherOwners, routerGet, routerMacFor, sleep, timeline, writeConfig } from "./e2e-helpers";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const VIP = BRAIN.publicAddress; // 192.0.2.37, the address that moves in these tests

// ---------------------------------------------------------------------------------------------
// helpers of this file only (the shared ones are in e2e-helpers.ts)

/** Waits for a child to exit, at most `timeoutMs`; its exit code, or the signal that ended it. */
function exited(child: ChildProcess, timeoutMs: number): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode!);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal!);
    });
  });
}

/** `ip -j addr` of a host: the IPv4 addresses with their labels. */
function addressesOf(lab: Lab, host: string): { address: string; label: string }[] {
  const out = lab.exec(host, ["ip", "-j", "-4", "addr", "show", "dev", "eth0"], { check: true }).stdout;
  const [link] = JSON.parse(out) as Array<{ addr_info: Array<{ local: string; label?: string }> }>;
  return link.addr_info.map((a) => ({ address: a.local, label: a.label ?? "eth0" }));
}

function assertPhase(result: PhaseResult, scenario: LabScenario): void {
  assert.deepEqual(result.missing, [], `${result.name}: steps missing:\n${timeline(scenario.events, result.startedAt)}`);
}

/** One ARP frame the router heard. */
interface ArpFrame {
  /** capture time, µs since the epoch */
  readonly t: number;
  readonly ethSource: string;
  /** 1 request, 2 reply */
  readonly op: number;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetIp: string;
}

const macText = (b: Buffer, at: number) => [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, "0")).join(":");
const ipText = (b: Buffer, at: number) => [...b.subarray(at, at + 4)].join(".");

/**
 * tcpdump in a host's namespace, capturing ARP (`-tt -xx`: kernel time stamps and the frame bytes,
 * decoded here, so the sender MAC is the one inside the ARP payload, the one a neighbour table learns).
 */
class ArpCapture {
  readonly frames: ArpFrame[] = [];
  private hex = "";
  private stamp = 0;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (line) => this.onLine(line));
  }

  static async start(lab: Lab, host: string): Promise<ArpCapture> {
    const child = lab.spawn(host, ["tcpdump", "-n", "-l", "-tt", "-xx", "-i", "eth0", "arp"]);
    const capture = new ArpCapture(child);
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump in ${host} did not start within 5 s: ${stderr}`)), 5000);
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/listening on/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`tcpdump in ${host} exited with ${code}: ${stderr}`));
      });
    });
    return capture;
  }

  private onLine(line: string): void {
    const header = /^(\d+)\.(\d{6}) /.exec(line);
    if (header !== null) {
      this.flush();
      this.stamp = Number(header[1]) * 1_000_000 + Number(header[2]);
      return;
    }
    const data = /^\s+0x[0-9a-f]+:\s+(.*)$/.exec(line);
    if (data !== null) this.hex += data[1].replace(/\s+/g, "");
  }

  private flush(): void {
    const bytes = Buffer.from(this.hex, "hex");
    this.hex = "";
    if (bytes.length < 42 || bytes.readUInt16BE(12) !== 0x0806) return;
    this.frames.push({
      t: this.stamp,
      ethSource: macText(bytes, 6),
      op: bytes.readUInt16BE(20),
      senderMac: macText(bytes, 22),
      senderIp: ipText(bytes, 28),
      targetIp: ipText(bytes, 38),
    });
  }

  /** Frames that say "`address` is at <sender MAC>": ARP with that sender IP (not the router's own). */
  claimsFor(address: string, since = 0): ArpFrame[] {
    return this.frames.filter((f) => f.senderIp === address && f.t >= since);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGINT");
      await exited(this.child, 3000).catch(() => this.child.kill("SIGKILL"));
    }
    this.flush();
  }
}

function describeFrames(frames: readonly ArpFrame[], since: number): string {
  return frames.map((f) => `${((f.t - since) / 1000).toFixed(1).padStart(8)} ms  ${f.op === 1 ? "request" : f.op === 2 ? "reply" : `op ${f.op}`} ${f.senderIp} is-at ${f.senderMac} (frame from ${f.ethSource}) → ${f.targetIp}`).join("\n");
}

// ---------------------------------------------------------------------------------------------

describe("failover end to end (router, brain and pinky in namespaces)", function () {
  this.timeout(60_000);
  let capture: ArpCapture | undefined;
  const extraChildren: ChildProcess[] = [];
  const { start, tempDirs } = scenarioPerTest({
    beforeTeardown: async () => {
      await capture?.stop().catch(() => undefined);
      capture = undefined;
      for (const child of extraChildren.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  });

  it("failover: Brain's link is cut → the router reaches .37 at Pinky's MAC and gets Pinky's page", async () => {
    const s = await start();
    const lab = s.lab;
    await expectOwnership(lab, "at start", "brain", "pinky");
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac, "before: the router has Brain's MAC for .37");
    assert.equal(routerGet(lab, VIP), "brain", "before: Brain serves .37");

    const failover = await s.failover(15_000);
    assertPhase(failover, s);
    // the shipped defaults: 3 pings 100 ms apart missed, 2 probes 20 ms apart and 50 ms listening ≈ 0.5 s
    assert.ok(failover.httpMicros! < 3_000_000, `Pinky's page at .37 ${failover.httpMicros! / 1000} ms after the cut (at most 3 s)`);
    assert.equal(routerMacFor(lab, VIP), PINKY.mac, "the router's neighbour entry for .37 holds Pinky's MAC");
    assert.equal(routerGet(lab, VIP), "pinky", "a fresh GET from the router to .37 gets Pinky's page");
    assert.equal(routerGet(lab, PINKY.publicAddress), "pinky", "Pinky still serves its own .36");
    assert.ok(addressesOf(lab, PINKY.name).some((a) => a.address === VIP && a.label === "eth0:vip"), "Pinky holds .37 as eth0:vip");
    // both addresses, both boxes: Brain, cut off, has given its own up; Pinky has both
    await expectOwnership(lab, "after the failover", "pinky", "pinky");
  });

  it("failback: Brain's link back → the router is on Brain's MAC and page within 2 s and stays there (no stale window)", async () => {
    const s = await start();
    const lab = s.lab;
    const arp = await ArpCapture.start(lab, ROUTER.name);
    capture = arp;
    assertPhase(await s.failover(15_000), s);
    // at once, as after a short outage: Pinky's announcement rounds for .37 (5, 200 ms apart) are
    // still going on when Brain comes back
    const failback = await s.failback(15_000);
    assertPhase(failback, s);
    assert.ok(failback.httpMicros! <= 2_000_000, `Brain's page at .37 ${failback.httpMicros! / 1000} ms after the link came back (at most 2 s)`);
    assert.ok(failback.neighbourMicros! <= 2_000_000, `the router's neighbour entry moved to Brain ${failback.neighbourMicros! / 1000} ms after the link came back`);
    const settledAt = failback.startedAt + failback.httpMicros!;

    // stays: for longer than Pinky's announcement rounds last, the router never goes back to Pinky
    await sleep(1500);
    await arp.stop();
    const story = `timeline:\n${timeline(s.events, failback.startedAt)}\nARP for .37 the router heard:\n${describeFrames(arp.claimsFor(VIP, failback.startedAt), failback.startedAt)}`;
    assert.deepEqual(otherOwners(s, VIP, settledAt, "brain").map((e) => e.text), [], `after the hand-back the router saw only Brain at .37; ${story}`);
    const stale = arp.claimsFor(VIP, settledAt).filter((f) => f.senderMac !== BRAIN.mac);
    assert.deepEqual(stale.map((f) => `${f.op === 1 ? "request" : "reply"} ${f.senderIp} is-at ${f.senderMac}`), [], `after the hand-back only Brain announces .37; ${story}`);
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac, "1.5 s later the router's neighbour entry for .37 still holds Brain's MAC");
    assert.equal(routerGet(lab, VIP), "brain", "1.5 s later a fresh GET from the router to .37 gets Brain's page");
    assert.ok(!addressesOf(lab, PINKY.name).some((a) => a.address === VIP), "Pinky no longer holds .37");
    await expectOwnership(lab, "after the failback", "brain", "pinky");
  });

  it("after each transition settles, every ARP frame the router hears for .37 carries one MAC (the new owner's)", async () => {
    const s = await start();
    const lab = s.lab;
    const arp = await ArpCapture.start(lab, ROUTER.name);
    capture = arp;

    const failover = await s.failover(15_000);
    assertPhase(failover, s);
    await sleep(1500);
    await expectOwnership(lab, "after the failover", "pinky", "pinky");
    const failback = await s.failback(15_000);
    assertPhase(failback, s);
    await sleep(1500);
    await expectOwnership(lab, "after the failback", "brain", "pinky");
    await arp.stop();
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac, "the router ends on Brain's MAC for .37");

    const transitions: [PhaseResult, string, number][] = [
      // the failover's window ends as the link's return begins: Brain announces .37 the moment its
      // link is up, which can be before the command that brings it up has returned
      [failover, PINKY.mac, failback.actionStartedAt],
      [failback, BRAIN.mac, Infinity],
    ];
    for (const [phase, owner, until] of transitions) {
      const settledAt = phase.startedAt + Math.max(phase.httpMicros!, phase.neighbourMicros!);
      const claims = arp.claimsFor(VIP, settledAt).filter((f) => f.t < until);
      const macs = [...new Set(claims.map((f) => f.senderMac))];
      assert.ok(claims.length > 0 || phase === failover, `${phase.name}: the router heard the new owner's announcements`);
      assert.deepEqual(
        macs.filter((m) => m !== owner),
        [],
        `${phase.name}: after settling, ARP for .37 came from ${macs.join(" and ")}; only ${owner} should answer:\n${describeFrames(claims, phase.startedAt)}`,
      );
    }
  });

  it("hand-back to a peer that runs no takeover: Pinky announces .37 at Brain's MAC once Brain's checks pass", async () => {
    const pinkyConfig = writeConfig(tempDirs, "pinky", (c) => {
      c.peer.runsTakeover = false;
    });
    const s = await start({ brainRunsTakeover: false, pinkyConfig });
    const lab = s.lab;
    const failover = await s.failover(15_000);
    assertPhase(failover, s);
    assert.equal(routerMacFor(lab, VIP), PINKY.mac);
    assert.equal(routerGet(lab, VIP), "pinky");
    // Brain, a plain host, keeps .37 configured while it is cut off
    await expectOwnership(lab, "after the failover", { carriedBy: ["brain", "pinky"], routerAt: "pinky" }, "pinky");

    const failback = await s.failback(15_000);
    assertPhase(failback, s);
    // rise 2 of the 100 ms ping, then the hand-back announcement at Brain's MAC
    assert.ok(failback.httpMicros! <= 2_000_000, `Brain's page at .37 ${failback.httpMicros! / 1000} ms after the link came back (at most 2 s)`);
    // Pinky gives .37 back on whichever comes first: Brain's checks passing `rise` times (hand-back),
    // or Brain's kernel answering Pinky's verify request for .37 (yield); both announce at Brain's MAC
    assert.ok(s.events.some((e) => e.source === "pinky" && (e.kind === "hand-back" || e.kind === "yield") && e.address === VIP), "Pinky logs the hand-back of .37");
    await sleep(1000);
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac, "the router's neighbour entry for .37 holds Brain's MAC");
    assert.equal(routerGet(lab, VIP), "brain", "a fresh GET from the router to .37 gets Brain's page");
    assert.ok(!addressesOf(lab, PINKY.name).some((a) => a.address === VIP), "Pinky no longer holds .37");
    assert.ok(!s.events.some((e) => e.source === "pinky" && e.kind === "claim" && e.address === VIP && e.t > failback.startedAt), "Pinky does not claim .37 again");
    await expectOwnership(lab, "after the hand-back", "brain", "pinky");
  });

  it("SIGTERM while holding, the home node down: Pinky releases .37, announces it at Brain's MAC, leaves no alias, keeps .36", async () => {
    const s = await start();
    const lab = s.lab;
    const pinky = new Lines(s.daemon("pinky"));
    assertPhase(await s.failover(15_000), s);
    await sleep(1200); // past Pinky's claim announcements (5 rounds 200 ms apart)
    assert.equal(routerMacFor(lab, VIP), PINKY.mac);

    const t0 = hrtimeMicros();
    s.daemon("pinky").kill("SIGTERM");
    assert.equal(await exited(s.daemon("pinky"), 5000), 0, "the daemon exits 0 after SIGTERM");
    await pinky.wait(/ hand-back 192\.0\.2\.37: /, 1000, "Pinky's log");
    await pinky.wait(/ stopped: /, 1000, "Pinky's log");
    assert.ok(await eventually(() => routerMacFor(lab, VIP) === BRAIN.mac, 2000), `the router's neighbour entry for .37 is Brain's MAC again (it holds ${routerMacFor(lab, VIP)})\n${timeline(s.events, t0)}`);
    const left = addressesOf(lab, PINKY.name);
    assert.ok(!left.some((a) => a.address === VIP), `no alias for .37 left on Pinky: ${JSON.stringify(left)}`);
    assert.ok(left.some((a) => a.address === PINKY.publicAddress && a.label === "eth0:vip"), "Pinky's own .36 stays with it");
    assert.equal(routerGet(lab, PINKY.publicAddress), "pinky", "and Pinky's web server still answers on .36");
    // nobody carries .37 (Brain is cut off), but the router is pointed at Brain; Pinky keeps .36
    await expectOwnership(lab, "after Pinky's SIGTERM", { carriedBy: "nobody", routerAt: "brain" }, "pinky");

    // Brain comes back and takes .37 as usual (nobody else holds it)
    const t1 = hrtimeMicros();
    lab.restore(BRAIN.name);
    assert.ok(await eventually(() => routerGet(lab, VIP) === "brain", 2000), `the router gets Brain's page at .37 within 2 s of Brain's link coming back\n${timeline(s.events, t1)}`);
    await expectOwnership(lab, "after Brain is back", "brain", "pinky");
  });

  it("SIGTERM while holding, the home node up: the router is back on Brain's MAC and page, no alias left on Pinky", async () => {
    // Brain a plain host, and Pinky slow to see it back (rise 1000), so Pinky still holds .37 when
    // Brain is up again: only the SIGTERM hands it back. arp_announce=2 on Brain: its ARP requests
    // come from its real address, so the retransmissions of its TCP answers from .37 after the link
    // comes back do not tell Pinky that Brain uses .37 (Pinky would yield on hearing that). And Brain
    // ignores ARP from Pinky, so Pinky's verify requests for .37 go unanswered: else the ownership
    // rule would hand .37 back within a verify interval, before any SIGTERM.
    const pinkyConfig = writeConfig(tempDirs, "pinky", (c) => {
      c.peer.runsTakeover = false;
      c.checks[0].rise = 1000;
    });
    const s = await start({ brainRunsTakeover: false, pinkyConfig });
    const lab = s.lab;
    lab.sysctl(BRAIN.name, "net.ipv4.conf.all.arp_announce", "2");
    lab.sysctl(BRAIN.name, "net.ipv4.conf.eth0.arp_announce", "2");
    lab.nft(BRAIN.name, `table arp e2e {
      chain in { type filter hook input priority 0; ether saddr ${PINKY.mac} drop; }
    }`);
    const pinky = new Lines(s.daemon("pinky"));
    assertPhase(await s.failover(15_000), s);
    lab.restore(BRAIN.name);
    await sleep(1200); // past Pinky's claim announcements (5 rounds 200 ms apart)
    assert.equal(routerMacFor(lab, VIP), PINKY.mac, "Brain is back, Pinky still holds .37 and the router still uses Pinky's MAC");
    assert.equal(pinky.matching(/ (yield|hand-back) 192\.0\.2\.37/).length, 0, "Pinky has not given .37 back before the SIGTERM");
    await expectOwnership(lab, "Brain back, before the SIGTERM", { carriedBy: ["brain", "pinky"], routerAt: "pinky" }, "pinky");

    const t0 = hrtimeMicros();
    s.daemon("pinky").kill("SIGTERM");
    assert.equal(await exited(s.daemon("pinky"), 5000), 0, "the daemon exits 0 after SIGTERM");
    await pinky.wait(/ hand-back 192\.0\.2\.37: /, 1000, "Pinky's log");
    await pinky.wait(/ stopped: /, 1000, "Pinky's log");
    const moved = await eventually(() => routerMacFor(lab, VIP) === BRAIN.mac, 2000);
    assert.ok(moved, `the router's neighbour entry for .37 is back on Brain's MAC (it holds ${routerMacFor(lab, VIP)})\n${timeline(s.events, t0)}`);
    assert.equal(routerGet(lab, VIP), "brain", "a fresh GET from the router to .37 gets Brain's page");
    const left = addressesOf(lab, PINKY.name);
    assert.ok(!left.some((a) => a.address === VIP), `no alias for .37 left on Pinky: ${JSON.stringify(left)}`);
    assert.ok(left.some((a) => a.address === PINKY.publicAddress), "Pinky's own .36 stays with it");
    assert.equal(routerGet(lab, PINKY.publicAddress), "pinky", "and still serves .36");
    await expectOwnership(lab, "after Pinky's SIGTERM", "brain", "pinky");
  });

  it("kill -9 and restart: the leftover alias is reconciled by the rules (foreign .37 removed, own .36 kept), then the daemon works on", async () => {
    const s = await start();
    const lab = s.lab;
    assertPhase(await s.failover(15_000), s);

    // Pinky dies holding .37 and its own .36: both aliases stay behind
    const old = s.daemon("pinky");
    const killedAt = hrtimeMicros();
    old.kill("SIGKILL");
    await exited(old, 5000);
    const leftover = addressesOf(lab, PINKY.name);
    assert.ok(leftover.some((a) => a.address === VIP && a.label === "eth0:vip"), `kill -9 leaves .37 behind: ${JSON.stringify(leftover)}`);

    const restarted = lab.spawn(PINKY.name, [process.execPath, CLI, "run", join(EXAMPLES, "pinky.yaml")]);
    extraChildren.push(restarted);
    const pinky = new Lines(restarted);
    await pinky.wait(/ reconcile 192\.0\.2\.37: /, 5000, "restarted Pinky");
    await pinky.wait(/ reconcile 192\.0\.2\.36: /, 5000, "restarted Pinky");
    assert.match(pinky.matching(/ reconcile 192\.0\.2\.37: /)[0].text, /removed/, "the peer's address left from the crash is removed until the rules say to claim it");
    assert.match(pinky.matching(/ reconcile 192\.0\.2\.36: /)[0].text, /keeping/, "our own address left from the crash is kept");
    // Brain is still cut off: the restarted Pinky sees it down and claims .37 again
    await pinky.wait(/ claim 192\.0\.2\.37: /, 5000, "restarted Pinky");
    assert.ok(await eventually(() => routerGet(lab, VIP) === "pinky", 3000), "the router gets Pinky's page at .37 again");
    await expectOwnership(lab, "after the restarted Pinky claims .37 again", "pinky", "pinky");
    assert.equal(routerGet(lab, PINKY.publicAddress), "pinky", "and .36 was served throughout by Pinky");
    assert.deepEqual(otherOwners(s, PINKY.publicAddress, killedAt, "pinky").map((e) => e.text), [], "the router saw only Pinky at .36 while Pinky died and restarted");

    // Brain comes back: the restarted Pinky yields as usual
    lab.restore(BRAIN.name);
    await pinky.wait(/ yield 192\.0\.2\.37: /, 3000, "restarted Pinky");
    assert.ok(await eventually(() => routerMacFor(lab, VIP) === BRAIN.mac && routerGet(lab, VIP) === "brain", 3000), "the router is back on Brain at .37");
    await expectOwnership(lab, "after Brain is back", "brain", "pinky");

    // and Brain, killed holding its own address, keeps it on restart
    const brainOld = s.daemon("brain");
    brainOld.kill("SIGKILL");
    await exited(brainOld, 5000);
    const brainRestarted = lab.spawn(BRAIN.name, [process.execPath, CLI, "run", join(EXAMPLES, "brain.yaml")]);
    extraChildren.push(brainRestarted);
    const brain = new Lines(brainRestarted);
    const line = await brain.wait(/ reconcile 192\.0\.2\.37: /, 5000, "restarted Brain");
    assert.match(line.text, /keeping/);
    await sleep(500);
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac);
    assert.equal(routerGet(lab, VIP), "brain");
    assert.equal(brain.matching(/ (removed|release) 192\.0\.2\.37/).length, 0, "Brain never dropped .37");
    await expectOwnership(lab, "after Brain's restart", "brain", "pinky");
    for (const child of [restarted, brainRestarted]) {
      child.kill("SIGTERM");
      assert.equal(await exited(child, 5000), 0);
    }
  });
});

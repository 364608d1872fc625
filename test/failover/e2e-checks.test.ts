// End to end, the local check types: two real `takeover run` daemons in network namespaces (router
// .1, Brain .17 holding .37, Pinky .18 holding .36; src/lab/failover-demo.ts). Brain has an exec self
// check (`/usr/bin/test -e <flag file>`, run without a shell, capabilities dropped): when the flag
// file goes, the check fails, Brain releases .37 and Pinky claims and serves it; when the file is
// back, Brain takes .37 back and Pinky yields. Then the same with an interface self check on a second
// interface of Brain's (a veth pair in its namespace) whose carrier goes (the far end set down) and comes back. Judged from the router's side where possible.
// Every test builds its own lab and destroys it in afterEach, also when it fails; every wait has a bound.
import { strict as assert } from "node:assert";
import { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BRAIN, PINKY } from "../../src/lab/failover-demo";
import { Lab } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { eventually, scenarioPerTest, Lines, routerGet, routerMacFor, sleep, timeline, writeConfig } from "./e2e-helpers";

const VIP = BRAIN.publicAddress;

/** Sends SIGTERM to a daemon and waits (at most 5 s) for it to exit; its exit code, or the signal that ended it. */
function terminate(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode!);
    const timer = setTimeout(() => reject(new Error(`daemon ${child.pid} did not exit within 5 s of SIGTERM`)), 5000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal!);
    });
    child.kill("SIGTERM");
  });
}

describe("failover end to end with exec and interface self checks", function () {
  this.timeout(90_000);
  const { start, tempDirs } = scenarioPerTest();

  /** Pinky's config with a slower web check, as the other fault tests use. */
  const pinkyConfig = () =>
    writeConfig(tempDirs, "pinky", (c) => {
      c.checks[1].interval = "250ms";
      c.checks[1].timeout = "250ms";
    });

  it("exec self check fails (its flag file removed): Brain releases .37, Pinky serves it; the file back: Brain takes it back", async () => {
    const flagDir = mkdtempSync(join(tmpdir(), "takeover-flag-"));
    chmodSync(flagDir, 0o755);
    tempDirs.push(flagDir);
    const flag = join(flagDir, "healthy");
    writeFileSync(flag, "");
    const brainConfig = writeConfig(tempDirs, "brain", (c) => {
      c.checks[1].interval = "250ms";
      c.checks[1].timeout = "250ms";
      // a timeout with room: `test` through setpriv takes a few ms, but on a loaded machine (a full run
      // beside other labs) one run took over 200 ms and the failure said "timeout", not the exit status
      c.checks.push({ name: "self-db", type: "exec", command: ["/usr/bin/test", "-e", flag], interval: "500ms", timeout: "500ms", fall: 2, rise: 2 });
    });
    const s = await start({ brainConfig, pinkyConfig: pinkyConfig() });
    const lab = s.lab;
    const brain = new Lines(s.daemon("brain"));
    const pinky = new Lines(s.daemon("pinky"));

    const t0 = hrtimeMicros();
    unlinkSync(flag);
    const failed = await brain.wait(/ check-failed: self-db: /, 5000, "Brain's log", t0);
    assert.match(failed.text, /self-db: failed 2 times in a row \(exit status 1 after [0-9.]+ms\)/, "the failure says why");
    await brain.wait(/ release 192\.0\.2\.37: .*self check/, 5000, "Brain's log", t0);
    await pinky.wait(/ claim 192\.0\.2\.37: /, 5000, "Pinky's log", t0);
    assert.ok(await eventually(() => routerGet(lab, VIP) === "pinky", 3000), `the router gets Pinky's page at .37:\n${timeline(s.events, t0)}`);
    assert.equal(routerMacFor(lab, VIP), PINKY.mac, "the router's neighbour entry for .37 holds Pinky's MAC");
    await sleep(1000);
    assert.deepEqual(brain.matching(/ claim 192\.0\.2\.37: /, t0).map((l) => l.text), [], "Brain does not take .37 back while its check fails");

    const t1 = hrtimeMicros();
    writeFileSync(flag, "");
    await brain.wait(/ check-recovered: self-db: /, 5000, "Brain's log", t1);
    await brain.wait(/ claim 192\.0\.2\.37: /, 5000, "Brain's log", t1);
    await pinky.wait(/ yield 192\.0\.2\.37: /, 5000, "Pinky's log", t1);
    assert.ok(await eventually(() => routerMacFor(lab, VIP) === BRAIN.mac && routerGet(lab, VIP) === "brain", 3000), `the router is back on Brain at .37:\n${timeline(s.events, t1)}`);
    // a run going at SIGTERM is killed with the rest: the daemon still exits at once, with 0
    assert.equal(await terminate(s.daemon("brain")), 0);
  });

  it("interface self check: Brain's second interface loses its carrier → Brain releases .37, Pinky serves it; carrier back → Brain takes it back", async () => {
    const brainConfig = writeConfig(tempDirs, "brain", (c) => {
      c.checks[1].interval = "250ms";
      c.checks[1].timeout = "250ms";
      c.checks.push({ name: "uplink", type: "interface", interface: "eth1", fall: 1, rise: 1 });
    });
    // eth1: one end of a veth pair inside Brain's namespace; setting the other end down takes its carrier
    const beforeDaemons = (lab: Lab) => {
      lab.exec(BRAIN.name, ["ip", "link", "add", "eth1", "type", "veth", "peer", "name", "eth1-far"], { check: true });
      lab.exec(BRAIN.name, ["ip", "link", "set", "eth1-far", "up"], { check: true });
      lab.exec(BRAIN.name, ["ip", "link", "set", "eth1", "up"], { check: true });
    };
    const s = await start({ brainConfig, pinkyConfig: pinkyConfig(), beforeDaemons });
    const lab = s.lab;
    const brain = new Lines(s.daemon("brain"));
    const pinky = new Lines(s.daemon("pinky"));

    const t0 = hrtimeMicros();
    lab.exec(BRAIN.name, ["ip", "link", "set", "eth1-far", "down"], { check: true });
    const failed = await brain.wait(/ check-failed: uplink: /, 5000, "Brain's log", t0);
    assert.match(failed.text, /\(eth1 has no carrier\)/);
    await brain.wait(/ release 192\.0\.2\.37: .*self check/, 5000, "Brain's log", t0);
    await pinky.wait(/ claim 192\.0\.2\.37: /, 5000, "Pinky's log", t0);
    assert.ok(await eventually(() => routerGet(lab, VIP) === "pinky", 3000), `the router gets Pinky's page at .37:\n${timeline(s.events, t0)}`);

    const t1 = hrtimeMicros();
    lab.exec(BRAIN.name, ["ip", "link", "set", "eth1-far", "up"], { check: true });
    await brain.wait(/ claim 192\.0\.2\.37: /, 5000, "Brain's log", t1);
    await pinky.wait(/ yield 192\.0\.2\.37: /, 5000, "Pinky's log", t1);
    assert.ok(await eventually(() => routerMacFor(lab, VIP) === BRAIN.mac && routerGet(lab, VIP) === "brain", 3000), `the router is back on Brain at .37:\n${timeline(s.events, t1)}`);
    // the check's rtnetlink subscription does not keep the daemon alive after SIGTERM
    assert.equal(await terminate(s.daemon("brain")), 0);
  });
});

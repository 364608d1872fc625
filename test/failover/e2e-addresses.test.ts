// End to end with several public addresses per box and failback control: two real `takeover run`
// daemons in network namespaces (router .1, Brain .17, Pinky .18, one bridge, a web page on each
// box), Brain serving 192.0.2.37–.40 and Pinky 192.0.2.33–.36. Judged from the router's side (its
// neighbour table, as `ip neigh` shows it, and who answers its HTTP GET at each address) and from
// both boxes' address lists after every transition.
//   - four addresses: Brain's link cut → all four at Pinky (Pinky's MAC and page at each), Brain
//     holding none; link back → all four at Brain again, Pinky holding only its own four;
//   - failback: delay 20s: Brain's link back → Pinky keeps Brain's addresses (Brain logs that it
//     waits) until Brain could have held them for 20 s, then Brain takes them back;
//   - failback: manual: Brain restarted (a reboot) while Pinky holds its addresses does not claim
//     them, not in 3 s; `takeover claim` takes them back.
// Every test builds its own lab (unique `tk-<pid>-<hex>-` namespaces) and destroys it in afterEach,
// also when it fails; every wait has a bound. No assertion is on a wall-clock figure except the
// lower bound of the delay, which load can only lengthen.
import { strict as assert } from "node:assert";
import { ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BRAIN, PINKY, ROUTER } from "../../src/lab/failover-demo";
import { Lab, listNamespaces } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { addressesOn, eventually, Lines, routerGet, routerMacFor, sleep, writeConfig } from "./e2e-helpers";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const WEB_SERVER = join(__dirname, "..", "..", "src", "lab", "web-server.js");
const BRAIN_PUBLIC = ["192.0.2.37", "192.0.2.38", "192.0.2.39", "192.0.2.40"];
const PINKY_PUBLIC = ["192.0.2.36", "192.0.2.33", "192.0.2.34", "192.0.2.35"];

/** The boxes' configs: four addresses each, ICMP to the peer every 20 ms (fall 3), a quick claim. */
function configs(dirs: string[], brainFailback?: string): { brain: string; pinky: string } {
  const edit = (own: string[], theirs: string[], failback?: string) => (config: Record<string, any>) => {
    config.node.publicAddress = own.map((a) => `${a}/24`);
    config.peer.publicAddress = theirs.map((a) => `${a}/24`);
    config.checks = [{ name: "peer-ping", type: "icmp", target: "peer", interval: "20ms", timeout: "20ms", fall: 3, rise: 2 }];
    config.claim = { probes: 1, probeInterval: "5ms", probeWait: "20ms", retry: "200ms" };
    config.status = { listen: "off" };
    if (failback !== undefined) config.failback = failback;
  };
  return { brain: writeConfig(dirs, "brain", edit(BRAIN_PUBLIC, PINKY_PUBLIC, brainFailback)), pinky: writeConfig(dirs, "pinky", edit(PINKY_PUBLIC, BRAIN_PUBLIC)) };
}

const sorted = (list: readonly string[]) => [...list].sort();
const publicOn = (lab: Lab, host: string) => addressesOn(lab, host).filter((a) => a !== BRAIN.address && a !== PINKY.address);

describe("end to end: four public addresses per box, failback control", function () {
  this.timeout(90_000);
  let lab: Lab | undefined;
  const tempDirs: string[] = [];
  const daemons = new Map<string, { child: ChildProcess; lines: Lines }>();

  async function build(): Promise<Lab> {
    lab = await Lab.create({
      hosts: [
        { name: ROUTER.name, address: `${ROUTER.address}/24`, mac: ROUTER.mac },
        { name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac },
        { name: PINKY.name, address: `${PINKY.address}/24`, mac: PINKY.mac },
      ],
    });
    for (const box of [BRAIN, PINKY]) lab.spawn(box.name, [process.execPath, WEB_SERVER, box.name]);
    return lab;
  }

  /** Starts `box`'s daemon; its pid file in the test's directory, or with `defaultPidFile` (the node's name) where run puts it unasked: /run/takeover/<node>.pid. */
  function startDaemon(lab: Lab, box: "brain" | "pinky", config: string, defaultPidFile: string | false = false): { child: ChildProcess; lines: Lines; pidFile: string } {
    const pidFile = defaultPidFile !== false ? `/run/takeover/${defaultPidFile}.pid` : join(tempDirs[0], `${box}.pid`);
    const child = lab.spawn(box, [process.execPath, CLI, "run", config, ...(defaultPidFile ? [] : ["--pid-file", pidFile])]);
    const entry = { child, lines: new Lines(child) };
    daemons.set(box, entry);
    return { ...entry, pidFile };
  }

  /** Waits until each box holds exactly `brain` and `pinky` (besides its real address). */
  async function holding(lab: Lab, brain: readonly string[], pinky: readonly string[], timeoutMs: number, what: string): Promise<void> {
    const ok = await eventually(() => sorted(publicOn(lab, BRAIN.name)).join() === sorted(brain).join() && sorted(publicOn(lab, PINKY.name)).join() === sorted(pinky).join(), timeoutMs);
    assert.ok(ok, `${what}: Brain holds ${publicOn(lab, BRAIN.name).join(", ") || "nothing"} (want ${brain.join(", ") || "nothing"}); Pinky holds ${publicOn(lab, PINKY.name).join(", ") || "nothing"} (want ${pinky.join(", ") || "nothing"})\n${logs()}`);
  }

  /** The router reaches each of `addresses` at `owner`: a GET answered by its page, then its MAC in `ip neigh`. */
  async function routerSees(lab: Lab, addresses: readonly string[], owner: typeof BRAIN | typeof PINKY, what: string): Promise<void> {
    for (const address of addresses) {
      // the first GET after a move may still go to the old MAC (its entry is refreshed by the announcements)
      const served = await eventually(() => routerGet(lab, address) === owner.name, 5000);
      assert.ok(served, `${what}: the router's GET to ${address} is not answered by ${owner.name} (${routerGet(lab, address)})\n${logs()}`);
      assert.equal(routerMacFor(lab, address), owner.mac, `${what}: the router's neighbour entry for ${address}`);
    }
    // the same, as the operator would look: ip neigh in the router's namespace
    const neigh = lab.exec(ROUTER.name, ["ip", "-4", "neigh", "show", "dev", "eth0"], { check: true }).stdout;
    for (const address of addresses) assert.match(neigh, new RegExp(`^${address.replace(/\./g, "\\.")} lladdr ${owner.mac} `, "m"), `${what}: ip neigh in the router:\n${neigh}`);
  }

  function logs(): string {
    return [...daemons].map(([box, d]) => d.lines.lines.slice(-40).map((l) => `${box}: ${l.text}`).join("\n")).join("\n");
  }

  beforeEach(() => {
    tempDirs.push(mkdtempSync(join(tmpdir(), "takeover-e2e-addresses-")));
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") process.stderr.write(`\n--- the daemons' last lines\n${logs()}\n`);
    const prefix = lab?.prefix;
    await lab?.destroy();
    lab = undefined;
    daemons.clear();
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (prefix !== undefined) assert.deepEqual(listNamespaces().filter((n) => n.startsWith(prefix)), [], "the lab's namespaces are gone");
  });

  it("four addresses: Brain's link cut → all four at Pinky; back → all four at Brain; the address lists after each", async () => {
    const l = await build();
    const { brain, pinky } = configs(tempDirs);
    startDaemon(l, "brain", brain);
    startDaemon(l, "pinky", pinky);
    await holding(l, BRAIN_PUBLIC, PINKY_PUBLIC, 15_000, "start");
    await routerSees(l, BRAIN_PUBLIC, BRAIN, "start");
    await routerSees(l, PINKY_PUBLIC, PINKY, "start");

    l.beginOutage(BRAIN.name, "carrier");
    // Brain, with no link, holds nothing; Pinky all eight
    await holding(l, [], [...PINKY_PUBLIC, ...BRAIN_PUBLIC], 15_000, "failover");
    await routerSees(l, BRAIN_PUBLIC, PINKY, "failover");
    await routerSees(l, PINKY_PUBLIC, PINKY, "failover");
    for (const address of BRAIN_PUBLIC) await daemons.get("pinky")!.lines.wait(new RegExp(`claim ${address.replace(/\./g, "\\.")}: `), 1000, `Pinky's claim line for ${address}`);

    l.endOutage(BRAIN.name, "carrier");
    await holding(l, BRAIN_PUBLIC, PINKY_PUBLIC, 15_000, "failback");
    await routerSees(l, BRAIN_PUBLIC, BRAIN, "failback");
    await routerSees(l, PINKY_PUBLIC, PINKY, "failback");
    for (const address of BRAIN_PUBLIC) await daemons.get("pinky")!.lines.wait(new RegExp(`yield ${address.replace(/\./g, "\\.")}: `), 1000, `Pinky's yield line for ${address}`);
    // and it stays that way
    await sleep(1000);
    await holding(l, BRAIN_PUBLIC, PINKY_PUBLIC, 1, "1 s after the failback");
  });

  it("failback: delay 20s: Brain back → Pinky keeps Brain's addresses until Brain could have held them for 20 s", async () => {
    const l = await build();
    const { brain, pinky } = configs(tempDirs, "delay 20s");
    const b = startDaemon(l, "brain", brain);
    startDaemon(l, "pinky", pinky);
    await holding(l, BRAIN_PUBLIC, PINKY_PUBLIC, 15_000, "start (nobody held Brain's addresses: claimed at once, no delay)");

    l.beginOutage(BRAIN.name, "carrier");
    await holding(l, [], [...PINKY_PUBLIC, ...BRAIN_PUBLIC], 15_000, "failover");
    const back = hrtimeMicros();
    l.endOutage(BRAIN.name, "carrier");
    await b.lines.wait(/not-claiming 192\.0\.2\.37: the peer \(\S+\) holds our address 192\.0\.2\.37; failback delay/, 5000, "Brain says it waits", back);
    await sleep(500);
    await holding(l, [], [...PINKY_PUBLIC, ...BRAIN_PUBLIC], 1, "Brain back, within the delay");
    await routerSees(l, BRAIN_PUBLIC, PINKY, "within the delay");

    await holding(l, BRAIN_PUBLIC, PINKY_PUBLIC, 35_000, "after the delay");
    for (const [i, address] of BRAIN_PUBLIC.entries()) {
      // waited for, not looked up: the addresses can be on the interface before the test has read the line
      const claim = await b.lines.wait(new RegExp(`claim ${address.replace(/\./g, "\\.")}: taking our address back from the peer`), 5000, `Brain's claim line for ${address}`, back);
      assert.ok(claim.t - back >= 20_000_000, `Brain took ${BRAIN_PUBLIC[i]} back ${(claim.t - back) / 1000} ms after its link came back, before the 20 s delay`);
    }
    await routerSees(l, BRAIN_PUBLIC, BRAIN, "after the delay");
  });

  it("failback: manual: Brain restarted while Pinky holds its addresses does not claim them; takeover claim does", async () => {
    const l = await build();
    const { brain, pinky } = configs(tempDirs, "manual");
    // a node name of this run's own: run's default pid file is /run/takeover/<node>.pid, shared by
    // every daemon on the host with that name (another lab's "brain" in a run beside this one)
    const node = `brain-${process.pid}`;
    writeFileSync(brain, readFileSync(brain, "utf8").replace(/^ {2}name: brain$/m, `  name: ${node}`));
    assert.match(readFileSync(brain, "utf8"), new RegExp(`^node:\n  name: ${node}$`, "m"), "Brain's config names the node for this run");
    let b = startDaemon(l, "brain", brain);
    startDaemon(l, "pinky", pinky);
    await holding(l, BRAIN_PUBLIC, PINKY_PUBLIC, 15_000, "start (nobody held Brain's addresses: claimed as today)");

    // a reboot: Brain goes away, Pinky takes over, Brain's daemon starts afresh with its link back
    l.beginOutage(BRAIN.name, "carrier");
    await holding(l, [], [...PINKY_PUBLIC, ...BRAIN_PUBLIC], 15_000, "failover");
    b.child.kill("SIGTERM");
    await eventually(() => b.child.exitCode !== null || b.child.signalCode !== null, 5000);
    l.endOutage(BRAIN.name, "carrier");
    const restarted = hrtimeMicros();
    b = startDaemon(l, "brain", brain, node);
    for (const address of BRAIN_PUBLIC) {
      await b.lines.wait(new RegExp(`not-claiming ${address.replace(/\./g, "\\.")}: the peer \\(\\S+\\) holds our address ${address.replace(/\./g, "\\.")}; failback manual`), 10_000, `Brain says Pinky holds ${address}`, restarted);
    }
    await sleep(3000);
    await holding(l, [], [...PINKY_PUBLIC, ...BRAIN_PUBLIC], 1, "3 s after Brain's restart, no claim");
    await routerSees(l, BRAIN_PUBLIC, PINKY, "before takeover claim");

    // the pid file run writes unasked is named after the node, and `claim NODE` finds it
    assert.equal(readFileSync(b.pidFile, "utf8").trim(), String(b.child.pid), `${b.pidFile} names Brain's daemon`);
    const claim = spawnSync(process.execPath, [CLI, "claim", node], { encoding: "utf8", timeout: 10_000 });
    assert.equal(claim.status, 0, claim.stderr);
    assert.match(claim.stdout, /^asked takeover \(pid \d+\) to take its addresses back/);
    await holding(l, BRAIN_PUBLIC, PINKY_PUBLIC, 15_000, "after takeover claim");
    await routerSees(l, BRAIN_PUBLIC, BRAIN, "after takeover claim");
    await b.lines.wait(/claim-request: claim requested: taking our addresses back now/, 1000, "Brain logs the request");
  });

  it("takeover claim with no daemon says so in one line, exit 1", () => {
    const missing = join(tempDirs[0], "none.pid");
    const run = spawnSync(process.execPath, [CLI, "claim", "--pid-file", missing], { encoding: "utf8", timeout: 10_000 });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `takeover: no takeover daemon found: ${missing} does not exist; is takeover run going? (under systemd: systemctl kill --kill-who=main -s USR2 takeover)\n`);
    // a pid that is not a takeover daemon (this test's own, a mocha process) is not signalled
    const self = spawnSync(process.execPath, [CLI, "claim", "--pid", String(process.pid)], { encoding: "utf8", timeout: 10_000 });
    assert.equal(self.status, 1);
    assert.equal(self.stderr, `takeover: no takeover daemon runs as pid ${process.pid}; is takeover run going?\n`);
    // by node name: /run/takeover/NODE.pid
    const node = `tk-${process.pid}-nobody`;
    const named = spawnSync(process.execPath, [CLI, "claim", node], { encoding: "utf8", timeout: 10_000 });
    assert.equal(named.status, 1);
    assert.equal(named.stderr, `takeover: no takeover daemon found: /run/takeover/${node}.pid does not exist; is takeover run going? (under systemd: systemctl kill --kill-who=main -s USR2 takeover)\n`);
  });
});

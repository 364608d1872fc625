// End to end, with faults injected: two real `takeover run` daemons in network namespaces (router
// .1, Brain .17 holding .37, Pinky .18 holding .36; src/lab/failover-demo.ts), judged from the
// router's side where possible.
//   - split brain: Brain still holds and serves .37 but Pinky's pings and HTTP to it are dropped
//     (ARP still passes) → Pinky sees the peer down, yet does not claim, and says why;
//   - service down, box up: Brain's web server stops → with a self check Brain gives .37 up and
//     Pinky serves it (and Brain takes it back when its service returns); without one, Pinky
//     reports the conflict and does not fight;
//   - lossy path: 10 % of the echo requests to Brain dropped → no takeover with the default fall/rise;
//   - bad start-up (bad config, unknown interface, address off the subnet, no privilege): one
//     clear line, exit status 2, the namespace's addresses untouched.
// Every test builds its own lab and destroys it in afterEach, also when it fails; every wait has a bound.
import { strict as assert } from "node:assert";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BRAIN, PINKY, ROUTER } from "../../src/lab/failover-demo";
import { Lab, listNamespaces } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { eventually, scenarioPerTest, expectOwnership, Lines, otherOwners, routerEvents, routerGet, routerMacFor, sleep, timeline, writeConfig } from "./e2e-helpers";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const WEB_SERVER = join(__dirname, "..", "..", "src", "lab", "web-server.js");
const VIP = BRAIN.publicAddress;

// ---------------------------------------------------------------------------------------------
// helpers of this file only (the shared ones are in e2e-helpers.ts)

/** Ends the web server of one box: the process in that box's namespace running web-server.js. */
function stopWebServer(lab: Lab, host: string): number {
  const pids = lab.exec(host, ["ip", "netns", "pids", lab.ns(host)], { check: true }).stdout.split(/\s+/).filter(Boolean).map(Number);
  const web = pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").some((arg) => arg.endsWith("web-server.js"));
    } catch {
      return false;
    }
  });
  assert.equal(web.length, 1, `one web server runs in ${host}'s namespace (found pids ${web.join(", ")})`);
  process.kill(web[0], "SIGKILL");
  return web[0];
}

// ---------------------------------------------------------------------------------------------

describe("failover end to end, with faults injected", function () {
  this.timeout(60_000);
  const { start, tempDirs } = scenarioPerTest();

  it("split brain: Pinky's pings and HTTP to Brain are dropped while Brain serves .37 → Pinky does not claim it, and logs why", async () => {
    const s = await start();
    const lab = s.lab;
    const brain = new Lines(s.daemon("brain"));
    const pinky = new Lines(s.daemon("pinky"));
    const t0 = hrtimeMicros();
    // on Brain's side: takeover injects its echo requests through libpcap, past Pinky's own output hooks
    lab.nft(BRAIN.name, `table inet e2e {
      chain input {
        type filter hook input priority 0; policy accept;
        ip saddr ${PINKY.address} icmp type echo-request counter drop
        ip saddr ${PINKY.address} tcp dport 80 counter drop
      }
    }`);
    await pinky.wait(/ peer-down: /, 5000, "Pinky's log", t0);
    const why = await pinky.wait(/ not-claiming 192\.0\.2\.37: /, 5000, "Pinky's log", t0);
    assert.match(why.text, new RegExp(`${BRAIN.mac}.* answers for 192\\.0\\.2\\.37`), "the not-claiming line names Brain's MAC");
    await sleep(2000); // Pinky keeps checking and probing (retry 500 ms): it must keep off .37 all along

    assert.deepEqual(pinky.matching(/ (claim|added) 192\.0\.2\.37/).map((l) => l.text), [], "Pinky never claims .37");
    assert.ok(pinky.matching(/ not-claiming 192\.0\.2\.37: /).length >= 2, "Pinky tried again (and again did not claim)");
    assert.deepEqual(otherOwners(s, VIP, t0, "brain").map((e) => e.text), [], `the router saw only Brain at .37:\n${timeline(s.events, t0)}`);
    assert.deepEqual(brain.matching(/ (release|removed|yield) 192\.0\.2\.37/).map((l) => l.text), [], "Brain keeps .37");
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac, "the router's neighbour entry for .37 holds Brain's MAC");
    assert.equal(routerGet(lab, VIP), "brain", "and Brain serves .37");
    assert.equal(routerGet(lab, PINKY.publicAddress), "pinky", "and Pinky .36");
    await expectOwnership(lab, "split brain, 2 s on", "brain", "pinky");
    const dropped = lab.exec(BRAIN.name, ["nft", "list", "table", "inet", "e2e"], { check: true }).stdout;
    assert.match(dropped, /icmp type echo-request counter packets [1-9]/, "the fault was real: echo requests from Pinky were dropped");
  });

  it("service down, box up, with a self check: Brain gives .37 up, Pinky serves it, and Brain takes it back when its service returns", async () => {
    const brainConfig = writeConfig(tempDirs, "brain", (c) => {
      c.checks[1].interval = "250ms";
      c.checks[1].timeout = "250ms";
      c.checks.push({ name: "self-web", type: "http", target: "self-public", interval: "250ms", timeout: "250ms", bodyContains: "</html>" });
    });
    const pinkyConfig = writeConfig(tempDirs, "pinky", (c) => {
      c.checks[1].interval = "250ms";
      c.checks[1].timeout = "250ms";
    });
    const s = await start({ brainConfig, pinkyConfig });
    const lab = s.lab;
    const brain = new Lines(s.daemon("brain"));
    const pinky = new Lines(s.daemon("pinky"));
    const t0 = hrtimeMicros();
    stopWebServer(lab, BRAIN.name);
    assert.equal(lab.exec(ROUTER.name, ["ping", "-c1", "-W1", BRAIN.address]).status, 0, "Brain's box still answers ping");

    await brain.wait(/ release 192\.0\.2\.37: .*self check/, 5000, "Brain's log", t0);
    await pinky.wait(/ claim 192\.0\.2\.37: /, 5000, "Pinky's log", t0);
    assert.ok(await eventually(() => routerGet(lab, VIP) === "pinky", 3000), `the router gets Pinky's page at .37:\n${timeline(s.events, t0)}`);
    assert.equal(routerMacFor(lab, VIP), PINKY.mac, "the router's neighbour entry for .37 holds Pinky's MAC");
    await sleep(1000);
    assert.deepEqual(brain.matching(/ claim 192\.0\.2\.37: /, t0).map((l) => l.text), [], "Brain does not take .37 back while its service is down");
    await expectOwnership(lab, "Brain's service down", "pinky", "pinky");

    // the service comes back: Brain's self check rises, it claims .37, Pinky yields
    const t1 = hrtimeMicros();
    lab.spawn(BRAIN.name, [process.execPath, WEB_SERVER, BRAIN.name]); // the lab ends it on destroy
    await brain.wait(/ claim 192\.0\.2\.37: /, 5000, "Brain's log", t1);
    await pinky.wait(/ yield 192\.0\.2\.37: /, 5000, "Pinky's log", t1);
    assert.ok(await eventually(() => routerMacFor(lab, VIP) === BRAIN.mac && routerGet(lab, VIP) === "brain", 3000), `the router is back on Brain at .37:\n${timeline(s.events, t1)}`);
    await expectOwnership(lab, "Brain's service back", "brain", "pinky");
  });

  it("service down, box up, without a self check: Pinky reports the conflict (not-claiming, Brain's MAC) and does not fight", async () => {
    const pinkyConfig = writeConfig(tempDirs, "pinky", (c) => {
      c.checks[1].interval = "250ms";
      c.checks[1].timeout = "250ms";
    });
    const s = await start({ pinkyConfig });
    const lab = s.lab;
    const brain = new Lines(s.daemon("brain"));
    const pinky = new Lines(s.daemon("pinky"));
    const t0 = hrtimeMicros();
    stopWebServer(lab, BRAIN.name);

    await pinky.wait(/ peer-down: /, 5000, "Pinky's log", t0);
    const why = await pinky.wait(/ not-claiming 192\.0\.2\.37: /, 5000, "Pinky's log", t0);
    assert.match(why.text, new RegExp(`${BRAIN.mac}.* answers for 192\\.0\\.2\\.37`), "the not-claiming line names Brain's MAC");
    await sleep(2000);
    assert.deepEqual(pinky.matching(/ (claim|added) 192\.0\.2\.37/).map((l) => l.text), [], "Pinky never claims .37");
    assert.deepEqual(brain.matching(/ (release|removed|yield) 192\.0\.2\.37/).map((l) => l.text), [], "Brain keeps .37");
    assert.deepEqual(
      routerEvents(s, VIP, t0).filter((e) => e.kind === "neighbour").map((e) => e.text),
      [],
      `the router's neighbour entry for .37 never moved:\n${timeline(s.events, t0)}`,
    );
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac);
    assert.equal(routerGet(lab, VIP), "none", "nobody serves .37: the fault is Brain's service, and it is visible");
    await expectOwnership(lab, "Brain's service down, no self check", "brain", "pinky");
  });

  it("lossy path: 10 % of the echo requests to Brain dropped for 10 s → no takeover with the default fall/rise", async function () {
    const s = await start();
    const lab = s.lab;
    const brain = new Lines(s.daemon("brain"));
    const pinky = new Lines(s.daemon("pinky"));
    const t0 = hrtimeMicros();
    lab.nft(BRAIN.name, `table inet e2e {
      chain input {
        type filter hook input priority 0; policy accept;
        icmp type echo-request numgen random mod 10 == 0 counter drop
      }
    }`);
    await sleep(10_000);
    const rules = lab.exec(BRAIN.name, ["nft", "list", "table", "inet", "e2e"], { check: true }).stdout;
    const dropped = Number(/counter packets (\d+)/.exec(rules)?.[1] ?? 0);
    assert.ok(dropped > 0, `the fault was real: echo requests were dropped (${dropped})`);

    // 3 misses in a row at 10 % loss: about one chance in 1000 per ping, so at most one peer-down
    // in 100 pings; and even then Brain answers the probe for .37, so nothing moves
    const downs = pinky.matching(/ peer-down: /, t0);
    assert.ok(downs.length <= 1, `Pinky saw Brain down ${downs.length} times in 10 s with ${dropped} of ~100 pings lost`);
    assert.deepEqual(pinky.matching(/ (claim|added) 192\.0\.2\.37/).map((l) => l.text), [], "Pinky never claims .37");
    assert.deepEqual(otherOwners(s, VIP, t0, "brain").map((e) => e.text), [], `the router saw only Brain at .37:\n${timeline(s.events, t0)}`);
    assert.deepEqual(brain.matching(/ (release|removed|yield) 192\.0\.2\.37/).map((l) => l.text), [], "Brain keeps .37");
    assert.equal(routerMacFor(lab, VIP), BRAIN.mac);
    assert.equal(routerGet(lab, VIP), "brain");
    await expectOwnership(lab, "after 10 s of a lossy path", "brain", "pinky");
    process.stdout.write(`      (${dropped} echo requests dropped, Pinky saw Brain down ${downs.length} time(s))\n`);
  });
});

describe("takeover run: bad start-up in a lab namespace → one line, exit 2, nothing changed", function () {
  this.timeout(30_000);
  let lab: Lab | undefined;
  const tempDirs: string[] = [];

  before(async () => {
    lab = await Lab.create({ hosts: [{ name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac }, { name: PINKY.name, address: `${PINKY.address}/24`, mac: PINKY.mac }] });
  });

  after(async () => {
    const labPrefix = lab?.prefix;
    await lab?.destroy();
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (labPrefix !== undefined) assert.deepEqual(listNamespaces().filter((n) => n.startsWith(labPrefix)), []);
  });

  /** Runs `takeover run FILE` in Brain's namespace; checks the outcome and that the box is untouched. */
  function runFails(file: string, wrapper: readonly string[] = []): string {
    const before = lab!.exec(BRAIN.name, ["ip", "-j", "addr"], { check: true }).stdout;
    const result = lab!.exec(BRAIN.name, [...wrapper, process.execPath, CLI, "run", file], { timeoutMs: 15_000 });
    const after = lab!.exec(BRAIN.name, ["ip", "-j", "addr"], { check: true }).stdout;
    assert.equal(result.status, 2, `exit status 2 (got ${result.status ?? result.signal}); stderr: ${result.stderr}`);
    assert.equal(result.stdout, "", "nothing on stdout");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
    assert.match(lines[0], /^takeover: /);
    assert.deepEqual(JSON.parse(after), JSON.parse(before), "the namespace's addresses are unchanged");
    return lines[0];
  }

  it("a bad config (a duration without a unit): the file, line and key, and the fix", () => {
    const file = writeConfig(tempDirs, "brain", (c) => {
      c.checks[0].interval = 100;
    });
    const line = runFails(file);
    assert.match(line, /brain\.yaml:\d+: checks\[0\]\.interval: /);
    assert.match(line, /unit|ms/);
  });

  it("an interface the box does not have: named, with the ones it has", () => {
    const file = writeConfig(tempDirs, "brain", (c) => {
      c.interface = "eth7";
    });
    const line = runFails(file);
    assert.match(line, /eth7/);
    assert.match(line, /eth0/, "names the interfaces there are");
  });

  it("an address that is not on the interface's subnet: the key and the subnet", () => {
    const file = writeConfig(tempDirs, "brain", (c) => {
      c.peer.publicAddress = "198.51.100.36";
    });
    const line = runFails(file);
    assert.match(line, /peer\.publicAddress: 198\.51\.100\.36 is not on eth0's subnet 192\.0\.2\.17\/24/);
  });

  it("no privilege (uid 65534, no capabilities): says which capabilities it needs", () => {
    const file = writeConfig(tempDirs, "brain", () => {});
    const line = runFails(file, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]);
    assert.match(line, /CAP_NET_RAW/);
    assert.match(line, /CAP_NET_ADMIN/);
  });
});

// SIGHUP re-reads the config: a valid one is applied without dropping an address that stays
// configured, an invalid one is reported and the old one kept, a change that needs a restart is refused.
import assert from "node:assert/strict";
import { rmSync, writeFileSync, readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { LabScenario, PINKY, startScenario } from "../../src/lab/failover-demo";
import { httpGet, Lines, sleep, writeConfig } from "./e2e-helpers";

describe("takeover run: SIGHUP reload", function () {
  this.timeout(90_000);
  const dirs: string[] = [];
  let scenario: LabScenario | undefined;
  let pinkyConfig = "";

  before(async () => {
    pinkyConfig = writeConfig(dirs, "pinky", () => undefined);
    scenario = await startScenario({ pinkyConfig });
    const start = await scenario.settled();
    assert.deepEqual(start.missing, []);
  });
  after(async () => {
    await scenario?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const edit = (change: (config: Record<string, any>) => void) => {
    const config = parse(readFileSync(pinkyConfig, "utf8")) as Record<string, any>;
    change(config);
    writeFileSync(pinkyConfig, stringify(config));
  };
  const pinkyHolds = (address: string) => scenario!.lab.exec("pinky", ["ip", "-4", "addr", "show", "dev", "eth0"]).stdout.includes(`${address}/`);

  /** peer-ping checks Pinky has run, from its /metrics (its status listener, 127.0.0.1:9337 in its namespace). */
  const pingChecks = (): number => {
    const result = httpGet(scenario!.lab, "pinky", "http://127.0.0.1:9337/metrics");
    assert.ok(!("error" in result) && result.status === 200, `GET /metrics on Pinky: ${JSON.stringify(result)}`);
    const count = /^takeover_checks_total\{check="peer-ping",type="icmp"\} (\d+)$/m.exec(result.body);
    assert.ok(count !== null, `no peer-ping counter in Pinky's /metrics:\n${result.body}`);
    return Number(count[1]);
  };
  /** peer-ping checks a second, over 2 s. */
  const pingRate = async (): Promise<number> => {
    const first = pingChecks();
    const t0 = Date.now();
    await sleep(2000);
    return ((pingChecks() - first) * 1000) / (Date.now() - t0);
  };

  it("applies a valid config in place: the new interval and fall are in effect, the address it holds stays", async () => {
    const lines = new Lines(scenario!.daemon("pinky"));
    // examples/pinky.yaml: peer-ping every 100 ms, fall 3. At most 10 checks a second, however loaded.
    const before = await pingRate();
    assert.ok(before > 4 && before <= 10.5, `before the reload Pinky ran ${before.toFixed(1)} peer-ping checks a second; its config says every 100 ms`);
    edit((c) => {
      c.checks[0].fall = 12;
      c.checks[0].interval = "50ms";
      c.checks[0].timeout = "50ms";
    });
    scenario!.daemon("pinky").kill("SIGHUP");
    const applied = await lines.wait(/ reload: applied /, 5000, "reload applied");
    assert.match(applied.text, /: 2 check\(s\); addresses kept as they are$/);
    // the new interval: more checks a second than a 100 ms interval can give (about 20 at 50 ms)
    const after = await pingRate();
    assert.ok(after > 12, `after the reload Pinky ran ${after.toFixed(1)} peer-ping checks a second; the new config says every 50 ms (before: ${before.toFixed(1)})`);
    assert.ok(pinkyHolds(PINKY.publicAddress), "Pinky dropped its own address on reload");
    assert.equal(lines.matching(/ removed /).length, 0);
    // the new fall: Brain's cut is taken over, and Pinky calls the peer down only after 12 failed
    // pings 50 ms apart (at least 11 intervals, 550 ms); the old fall of 3 would take 200 to 300 ms
    const failover = await scenario!.failover();
    assert.deepEqual(failover.missing, []);
    const cut = failover.events.find((e) => e.kind === "cut");
    assert.ok(cut !== undefined, "the failover phase has no cut event");
    const down = lines.matching(/ peer-down: /, cut.t)[0];
    assert.ok(down !== undefined, `Pinky logged no peer-down after the cut:\n${lines.lines.map((l) => l.text).join("\n")}`);
    const afterCut = (down.t - cut.t) / 1000;
    assert.ok(afterCut >= 500, `Pinky called the peer down ${afterCut.toFixed(0)} ms after the cut: fall 12 at 50 ms needs at least 550`);
    const failback = await scenario!.failback();
    assert.deepEqual(failback.missing, []);
  });

  it("reports an invalid config on one line and keeps running with the old one", async () => {
    const lines = new Lines(scenario!.daemon("pinky"));
    const good = readFileSync(pinkyConfig, "utf8");
    writeFileSync(pinkyConfig, good.replace(/fall: \d+/, "fall: -1"));
    scenario!.daemon("pinky").kill("SIGHUP");
    await lines.wait(/ reload: not applied: .*checks\[0\]\.fall.*the old config stays$/, 5000, "reload refused");
    writeFileSync(pinkyConfig, good);
    // the old config stays: still a ping every 50 ms (the first test's reload), not none
    const rate = await pingRate();
    assert.ok(rate > 12, `after the refused reload Pinky ran ${rate.toFixed(1)} peer-ping checks a second; the config it kept says every 50 ms`);
    assert.equal(scenario!.daemon("pinky").exitCode, null, "the daemon exited");
    assert.ok(pinkyHolds(PINKY.publicAddress));
  });

  it("refuses a change of address (needs a restart) and says which key", async () => {
    const lines = new Lines(scenario!.daemon("pinky"));
    const good = readFileSync(pinkyConfig, "utf8");
    edit((c) => {
      c.node.publicAddress = "192.0.2.46";
    });
    scenario!.daemon("pinky").kill("SIGHUP");
    await lines.wait(/ reload: not applied: node\.publicAddress changed, which needs a restart/, 5000, "reload refused");
    writeFileSync(pinkyConfig, good);
    assert.ok(pinkyHolds(PINKY.publicAddress));
    assert.ok(!pinkyHolds("192.0.2.46"));
  });

  it("refuses a config whose exec check program cannot be run, and says which check and why", async () => {
    const lines = new Lines(scenario!.daemon("pinky"));
    const good = readFileSync(pinkyConfig, "utf8");
    edit((c) => {
      c.checks.push({ name: "db", type: "exec", command: ["/nonexistent/check-db", "--quick"] });
    });
    scenario!.daemon("pinky").kill("SIGHUP");
    await lines.wait(/ reload: not applied: checks\[2\]\.command: \/nonexistent\/check-db does not exist: install it, or fix the path; the old config stays$/, 5000, "reload refused");
    writeFileSync(pinkyConfig, good);
    assert.equal(scenario!.daemon("pinky").exitCode, null, "the daemon runs on");
    assert.ok(pinkyHolds(PINKY.publicAddress));
  });
});

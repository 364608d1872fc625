// SIGHUP re-reads the config: a valid one is applied without dropping an address that stays
// configured, an invalid one is reported and the old one kept, a change that needs a restart is refused.
import assert from "node:assert/strict";
import { rmSync, writeFileSync, readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { LabScenario, PINKY, startScenario } from "../../src/lab/failover-demo";
import { Lines, writeConfig } from "./e2e-helpers";

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

  it("applies a valid config in place: checks change, the address it holds stays", async () => {
    const lines = new Lines(scenario!.daemon("pinky"));
    edit((c) => {
      c.checks[0].fall = 5;
      c.checks[0].interval = "50ms";
      c.checks[0].timeout = "50ms";
    });
    scenario!.daemon("pinky").kill("SIGHUP");
    const applied = await lines.wait(/ reload: applied /, 5000, "reload applied");
    assert.ok(applied);
    assert.ok(pinkyHolds(PINKY.publicAddress), "Pinky dropped its own address on reload");
    assert.equal(lines.matching(/ removed /).length, 0);
    // and the daemon still works with the new checks: Brain's cut is still taken over
    const failover = await scenario!.failover();
    assert.deepEqual(failover.missing, []);
    const failback = await scenario!.failback();
    assert.deepEqual(failback.missing, []);
  });

  it("reports an invalid config on one line and keeps running with the old one", async () => {
    const lines = new Lines(scenario!.daemon("pinky"));
    const good = readFileSync(pinkyConfig, "utf8");
    writeFileSync(pinkyConfig, good.replace(/fall: \d+/, "fall: -1"));
    scenario!.daemon("pinky").kill("SIGHUP");
    const refused = await lines.wait(/ reload: not applied: .*checks\[0\]\.fall.*the old config stays$/, 5000, "reload refused");
    assert.ok(refused);
    writeFileSync(pinkyConfig, good);
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
});

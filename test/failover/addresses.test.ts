// AddressManager against a real kernel, in a lab namespace: a remove takes only an address carrying
// our label (one netlink request, no dump), and says whether there was one.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";

const WORKER = join(__dirname, "fixtures", "address-worker.js");

describe("AddressManager (rtnetlink, in a namespace)", function () {
  this.timeout(60_000);
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  it("removes an address only with our label, and tells whether it was there", async () => {
    lab = await Lab.create({ hosts: [{ name: "brain", address: "192.0.2.17/24" }] });
    lab.exec("brain", ["ip", "addr", "add", "192.0.2.40/24", "dev", "eth0", "label", "eth0:other"], { check: true });
    const worker = lab.runNode("brain", WORKER, {});
    const done = await worker.next((m) => m.kind === "done" || m.kind === "failed", 30_000);
    assert.equal(done.kind, "done", String(done.message));
    const steps = done.steps as Record<string, unknown>;
    assert.equal(steps.removeOtherLabel, false, "an address with another label is not ours to remove");
    assert.ok((steps.afterAdd as string[]).includes("192.0.2.41/24 eth0:vip"));
    assert.equal(steps.removeOurs, true);
    assert.equal(steps.removeAgain, false, "gone already");
    assert.equal(steps.removeAbsent, false);
    const after = steps.afterRemove as string[];
    assert.ok(after.includes("192.0.2.40/24 eth0:other"), `the other label's address stays: ${after.join(", ")}`);
    assert.ok(!after.some((a) => a.startsWith("192.0.2.41/")), `ours is gone: ${after.join(", ")}`);
    await worker.finished(5000);
  });
});

// AddressManager against a real kernel, in a lab namespace: a remove takes only an address carrying
// our label (one netlink request, no dump), and says whether there was one; the changes asked for in
// one turn are made together (all of them on the interface when the first is told written), each
// answered on its own.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";

const WORKER = join(__dirname, "fixtures", "address-worker.js");
const WORKER6 = join(__dirname, "fixtures", "address6-worker.js");

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

  it("makes the changes of one turn together, and answers each on its own: one refused leaves the others, nothing left behind", async () => {
    lab = await Lab.create({ hosts: [{ name: "brain", address: "192.0.2.17/24" }] });
    lab.exec("brain", ["ip", "addr", "add", "192.0.2.52/24", "dev", "eth0", "label", "eth0:other"], { check: true });
    const worker = lab.runNode("brain", WORKER, { batch: true });
    const done = await worker.next((m) => m.kind === "done" || m.kind === "failed", 30_000);
    assert.equal(done.kind, "done", String(done.message));
    const steps = done.steps as Record<string, any>;
    const ours = ["192.0.2.50/24 eth0:vip", "192.0.2.51/24 eth0:vip", "192.0.2.53/24 eth0:vip"];

    // the adds: three made, the operator's address refused by name, the bad prefix refused by the kernel
    assert.deepEqual(steps.adds["192.0.2.50"], { ok: true, value: null });
    assert.deepEqual(steps.adds["192.0.2.51"], { ok: true, value: null });
    assert.deepEqual(steps.adds["192.0.2.53"], { ok: true, value: null });
    assert.deepEqual(steps.adds["192.0.2.52"], { ok: false, error: "192.0.2.52 is already on eth0 (label eth0:other), not added by takeover: leaving it alone" });
    assert.equal(steps.adds["192.0.2.55"].ok, false);
    assert.match(steps.adds["192.0.2.55"].error, /^adding 192\.0\.2\.55\/33 to eth0: .*EINVAL/);
    // each told written once the kernel had made every change of the turn (one write, not one per address)
    for (const a of ["192.0.2.50", "192.0.2.51", "192.0.2.52", "192.0.2.53", "192.0.2.55"]) {
      const seen = steps.seenAtWritten[a] as string[] | undefined;
      assert.ok(seen !== undefined, `${a}: written was called`);
      for (const o of ours) assert.ok(seen.includes(o), `${a}: when written, ${o} was on eth0 already: ${seen.join(", ")}`);
    }
    const afterAdds = steps.afterAdds as string[];
    for (const o of ours) assert.ok(afterAdds.includes(o), `${o} after the adds: ${afterAdds.join(", ")}`);
    assert.ok(afterAdds.includes("192.0.2.52/24 eth0:other"), "the operator's address is as it was");
    assert.ok(!afterAdds.some((a) => a.startsWith("192.0.2.55/")), "the refused add left nothing");

    // the removes: ours taken away, the operator's kept (not ours), the absent one said absent
    assert.deepEqual(steps.removes, {
      "192.0.2.50": { ok: true, value: true },
      "192.0.2.51": { ok: true, value: true },
      "192.0.2.52": { ok: true, value: false },
      "192.0.2.53": { ok: true, value: true },
      "192.0.2.54": { ok: true, value: false },
    });
    for (const a of Object.keys(steps.removes)) {
      const seen = steps.removedAtWritten[a] as string[];
      assert.ok(!seen.some((x) => x.endsWith(" eth0:vip")), `${a}: when written, none of ours was left: ${seen.join(", ")}`);
    }
    assert.deepEqual((steps.afterRemoves as string[]).sort(), ["192.0.2.17/24 eth0", "192.0.2.52/24 eth0:other"]);

    // closed: refused with a line naming the address, nothing written, nothing added
    assert.deepEqual(steps.afterClose, { ok: false, error: "adding 192.0.2.56/24 to eth0: the rtnetlink socket is closed (the daemon is stopping)" });
    assert.equal(steps.writtenAfterClose, false);
    assert.deepEqual((steps.afterAll as string[]).sort(), ["192.0.2.17/24 eth0", "192.0.2.52/24 eth0:other"]);
    await worker.finished(5000);
  });
});

// IPv6: no labels, so ours are marked by IFA_PROTO (TAKEOVER_ADDRESS_PROTOCOL); the operator's
// 2001:db8::9 (added by hand, as iproute2 adds it: no protocol) is never ours.
describe("AddressManager, IPv6 (rtnetlink, in a namespace)", function () {
  this.timeout(60_000);
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  async function run(phase: string, options: { readonly wrapper?: readonly string[] } = {}): Promise<Record<string, any>> {
    const worker = lab!.runNode("brain", WORKER6, { phase }, options);
    const done = await worker.next((m) => m.kind === "done" || m.kind === "failed", 30_000);
    assert.equal(done.kind, "done", String(done.message));
    await worker.finished(5000);
    return done.steps as Record<string, any>;
  }

  it("adds with nodad and marks ours, removes only ours, and a fresh manager (a restart) knows what the first one left", async () => {
    lab = await Lab.create({ ipv6: true, hosts: [{ name: "brain", address: "192.0.2.17/24" }] });
    lab.exec("brain", ["ip", "-6", "addr", "add", "2001:db8::9/64", "dev", "eth0", "nodad"], { check: true });
    const steps = await run("first");

    // added: iproute2 shows it nodad, never tentative (the kernel does no DAD on it)
    assert.deepEqual(steps.add, { ok: true, value: null });
    assert.ok(steps.afterAdd.includes("2001:db8::5/64 scope global nodad"), `ip -6 addr: ${steps.afterAdd.join(", ")}`);
    assert.ok(!steps.afterAdd.some((x: string) => /tentative|dadfailed/.test(x)), `nothing tentative: ${steps.afterAdd.join(", ")}`);
    assert.deepEqual(steps.addAgain, { ok: true, value: null }, "there already and ours: fine");
    assert.deepEqual(steps.list, [
      { address: "2001:db8::5", prefixLength: 64, protocol: 116, ours: true, nodad: true, tentative: false, dadFailed: false },
      { address: "2001:db8::9", prefixLength: 64, protocol: 0, ours: false, nodad: true, tentative: false, dadFailed: false },
    ]);

    // the operator's address: neither taken over by an add nor removed
    assert.deepEqual(steps.addOperators, { ok: false, error: "2001:db8::9 is already on eth0 (protocol 0), not added by takeover: leaving it alone" });
    assert.equal(steps.removeOperators, false);
    assert.equal(steps.removeOurs, true);
    assert.equal(steps.removeAgain, false, "gone already");
    assert.equal(steps.removeAbsent, false);
    assert.deepEqual(steps.afterRemoves, ["2001:db8::9/64 scope global nodad"]);

    // several in one turn: the deletes go out together (none of ours left when the first is told written)
    assert.deepEqual(steps.batchAdds, [{ ok: true, value: null }, { ok: true, value: null }, { ok: true, value: null }]);
    for (const x of ["2001:db8::20/64", "2001:db8::21/64", "2001:db8::22/64"]) assert.ok(steps.afterBatchAdds.some((y: string) => y.startsWith(`${x} `)), `${x} added`);
    assert.deepEqual(steps.batchRemoves, [{ ok: true, value: true }, { ok: true, value: true }, { ok: true, value: true }, { ok: true, value: false }]);
    for (const x of ["2001:db8::20", "2001:db8::21", "2001:db8::22"]) {
      assert.deepEqual(steps.seenAtWritten[x], ["2001:db8::9/64 scope global nodad"], `${x}: when written, only the operator's address was left`);
    }
    assert.ok(steps.seenAtWritten["2001:db8::9"] !== undefined, "nothing to delete: told written all the same");

    // ours removed and re-added by hand under the same text: the operator's now, kept
    assert.equal(steps.removeReplaced, false);
    assert.deepEqual([...steps.afterAll].sort(), ["2001:db8::30/64 scope global nodad", "2001:db8::40/64 scope global nodad", "2001:db8::9/64 scope global nodad"]);

    // a fresh manager, in a new process: ::30 is ours, ::9 and ::40 are not
    const restart = await run("restart");
    assert.deepEqual(restart.list.map((x: { address: string; ours: boolean }) => `${x.address} ${x.ours}`).sort(), ["2001:db8::30 true", "2001:db8::40 false", "2001:db8::9 false"]);
    assert.deepEqual(restart.addLeft, { ok: true, value: null }, "what the first one left is ours: adding it again is fine");
    assert.equal(restart.removeLeft, true);
    assert.equal(restart.removeOperators, false);
    assert.equal(restart.removeReplaced, false);
    assert.deepEqual([...restart.after].sort(), ["2001:db8::40/64 scope global nodad", "2001:db8::9/64 scope global nodad"]);
  });

  it("without CAP_NET_ADMIN: one line saying so, nothing added", async () => {
    lab = await Lab.create({ ipv6: true, hosts: [{ name: "brain", address: "192.0.2.17/24" }] });
    const steps = await run("unprivileged", { wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"] });
    assert.deepEqual(steps.add, {
      ok: false,
      error: "adding 2001:db8::50/64 to eth0: operation not permitted — needs CAP_NET_ADMIN (run as root, or give the binary cap_net_admin)",
    });
    assert.deepEqual(steps.after, []);
  });
});

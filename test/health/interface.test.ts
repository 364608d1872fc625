// The interface check in a lab namespace: a box with eth0 and eth1 (veths plugged into bridges). The
// check on eth1 passes while eth1 is up with carrier, and fails, with the reason, while its switch
// port is down (no carrier), while eth1 is set down, and while it does not exist (removed, or never
// there); it passes again when each is undone. Once with rtnetlink notifications, once reading /sys.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";
import { NodeWorker, WorkerMessage } from "../../src/lab/worker";

const WORKER = join(__dirname, "fixtures", "interface-worker.js");

interface Result extends WorkerMessage {
  kind: "result";
  ok: boolean;
  detail: string;
  unknown: boolean;
}

describe("interface check (a veth in a namespace)", function () {
  this.timeout(60_000);
  let lab: Lab;
  const workers: NodeWorker[] = [];

  before(async () => {
    lab = await Lab.create({
      hosts: [
        { name: "router", address: "192.0.2.1/24" },
        { name: "box", links: [{ segment: "lan", address: "192.0.2.17/24" }, { segment: "back", address: "198.51.100.17/24" }] },
      ],
    });
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop(5000).catch(() => worker.kill("SIGKILL"));
  });

  after(async () => {
    await lab?.destroy();
  });

  async function start(iface: string, rtnetlink: boolean): Promise<NodeWorker> {
    const worker = lab.runNode("box", WORKER, { interface: iface, rtnetlink }, { label: `interface-worker (${iface}, rtnetlink ${rtnetlink})` });
    workers.push(worker);
    await worker.expect("ready");
    return worker;
  }

  async function run(worker: NodeWorker): Promise<Result> {
    return (await worker.ask({ op: "run" }, "result")) as Result;
  }

  /** Runs the check every 20 ms until it says `detail` (at most 5 s); the last result. */
  async function until(worker: NodeWorker, detail: string): Promise<Result> {
    const deadline = Date.now() + 5000;
    let last = await run(worker);
    while (last.detail !== detail && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      last = await run(worker);
    }
    return last;
  }

  for (const rtnetlink of [true, false]) {
    it(`passes with carrier, fails without, down or gone, and passes again (${rtnetlink ? "rtnetlink notifications" : "/sys only"})`, async () => {
      const worker = await start("eth1", rtnetlink);
      assert.deepEqual(await run(worker), { kind: "result", ok: true, detail: "eth1 is up with carrier", unknown: false });

      lab.cut("box", 1);
      assert.deepEqual(await until(worker, "eth1 has no carrier"), { kind: "result", ok: false, detail: "eth1 has no carrier", unknown: false });
      lab.restore("box", 1);
      assert.deepEqual(await until(worker, "eth1 is up with carrier"), { kind: "result", ok: true, detail: "eth1 is up with carrier", unknown: false });

      lab.adminDown("box", 1);
      assert.deepEqual(await until(worker, "eth1 is down (administratively)"), { kind: "result", ok: false, detail: "eth1 is down (administratively)", unknown: false });
      lab.adminUp("box", 1);
      assert.equal((await until(worker, "eth1 is up with carrier")).ok, true);

      lab.removeInterface("box", 1);
      assert.deepEqual(await until(worker, "eth1 does not exist"), { kind: "result", ok: false, detail: "eth1 does not exist", unknown: false });
      lab.recreateInterface("box", 1);
      assert.equal((await until(worker, "eth1 is up with carrier")).ok, true, "the interface made again is watched too");

      // eth0 was never touched: the check looks at eth1 only
      const other = await start("eth0", rtnetlink);
      assert.equal((await run(other)).ok, true);
    });
  }

  it("fails for an interface that does not exist, and passes once it is made (a veth pair: carrier once both ends are up)", async () => {
    const worker = await start("vx7", true);
    assert.deepEqual(await run(worker), { kind: "result", ok: false, detail: "vx7 does not exist", unknown: false });
    lab.exec("box", ["ip", "link", "add", "vx7", "type", "veth", "peer", "name", "vy7"], { check: true });
    assert.equal((await until(worker, "vx7 is down (administratively)")).ok, false);
    lab.exec("box", ["ip", "link", "set", "vx7", "up"], { check: true });
    assert.equal((await until(worker, "vx7 has no carrier")).ok, false, "its peer end is still down");
    lab.exec("box", ["ip", "link", "set", "vy7", "up"], { check: true });
    assert.equal((await until(worker, "vx7 is up with carrier")).ok, true);
    lab.exec("box", ["ip", "link", "set", "vy7", "down"], { check: true });
    assert.equal((await until(worker, "vx7 has no carrier")).ok, false, "the peer end set down takes the carrier");
    lab.exec("box", ["ip", "link", "del", "vx7"], { check: true });
    assert.equal((await until(worker, "vx7 does not exist")).ok, false);
  });
});

// End-to-end tests of the libpcap link, in a lab: router and brain on one bridge, each link opened
// by a worker inside its namespace. Frames go from one namespace to the other through the filter;
// the kernel's timestamps are checked against the wall clock and against each other; this host's
// own frames (ours and the kernel's ping) are seen marked "out"; errors read as one line with the
// fix; closing lets the process end; a link survives its interface going down and up.

import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";
import { NodeWorker, WorkerMessage } from "../../src/lab/worker";

const LINK_WORKER = join(__dirname, "fixtures", "link-worker.js");
const EXPERIMENTAL_1 = "88b5";
const EXPERIMENTAL_2 = "88b6";

interface FrameMessage extends WorkerMessage {
  kind: "frame";
  hex: string;
  wireLength: number;
  timeMicros: number;
  direction: "in" | "out";
  stamp: string;
}

function macHex(lab: Lab, host: string): string {
  return lab.macOf(host).toString().replace(/:/g, "");
}

/** A 60-byte broadcast frame of `etherType` from `host`, with `marker` as its first payload byte. */
function frameFrom(lab: Lab, host: string, etherType: string, marker: number, length = 60): string {
  const payload = Buffer.alloc(length - 14, 0x5a);
  payload[0] = marker;
  return `ffffffffffff${macHex(lab, host)}${etherType}${payload.toString("hex")}`;
}

function frames(worker: NodeWorker): FrameMessage[] {
  return worker.messages.filter((m): m is FrameMessage => m.kind === "frame");
}

async function waitForFrames(worker: NodeWorker, count: number, timeoutMs = 3000): Promise<FrameMessage[]> {
  const deadline = Date.now() + timeoutMs;
  while (frames(worker).length < count && Date.now() < deadline) await sleep(20);
  return frames(worker);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The ICMP fields of an Ethernet/IPv4/ICMP frame in hex: type, identifier, sequence. */
function icmpOf(hex: string): { type: number; id: number; seq: number } | undefined {
  const b = Buffer.from(hex, "hex");
  if (b.length < 34 || b.readUInt16BE(12) !== 0x0800 || b[23] !== 1) return undefined;
  const at = 14 + (b[14] & 0x0f) * 4;
  return { type: b[at], id: b.readUInt16BE(at + 4), seq: b.readUInt16BE(at + 6) };
}

describe("link: libpcap send and capture, end to end in namespaces", function () {
  this.timeout(30_000);
  let lab: Lab;
  let workers: NodeWorker[] = [];

  before(async () => {
    lab = await Lab.create({ hosts: [{ name: "router", address: "192.0.2.1/24" }, { name: "brain", address: "192.0.2.17/24" }] });
  });

  after(async () => {
    await lab?.destroy();
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop(5000).catch(() => w.kill("SIGKILL"))));
    workers = [];
  });

  async function openLink(host: string, options: Record<string, unknown> = {}): Promise<NodeWorker> {
    const worker = lab.runNode(host, LINK_WORKER, {}, { label: `link-worker in ${host}` });
    workers.push(worker);
    await worker.expect("ready");
    const opened = await worker.ask({ op: "open", interface: "eth0", options }, "opened");
    assert.equal(opened.mac, lab.macOf(host).toString());
    return worker;
  }

  it("delivers the frames that pass the BPF filter, each with its own kernel timestamp", async () => {
    const router = await openLink("router", { filter: `ether proto 0x${EXPERIMENTAL_1}` });
    const brain = await openLink("brain");
    const wanted = [0, 1, 2, 3, 4].map((i) => frameFrom(lab, "brain", EXPERIMENTAL_1, i));
    const sends: WorkerMessage[] = [];
    for (const [i, hex] of wanted.entries()) {
      sends.push(await brain.ask({ op: "send", hex }, "sent"));
      await brain.ask({ op: "send", hex: frameFrom(lab, "brain", EXPERIMENTAL_2, i) }, "sent");
      await sleep(3);
    }
    await waitForFrames(router, 5);
    await sleep(200); // anything the filter wrongly let through would be here by now
    const got = frames(router);
    assert.deepEqual(got.map((f) => f.hex), wanted, "exactly the 0x88b5 frames, in order, byte for byte");
    for (const [i, f] of got.entries()) {
      assert.equal(f.direction, "in");
      assert.equal(f.stamp, "kernel");
      assert.equal(f.wireLength, 60);
      const before = Number(sends[i].beforeMicros);
      const after = Number(sends[i].afterMicros) + 1000; // Date.now() has millisecond steps
      assert.ok(f.timeMicros >= before && f.timeMicros <= after, `frame ${i} stamped ${f.timeMicros}, sent in [${before}, ${after}]`);
      if (i > 0) {
        // Sent at least 3 ms apart: stamps taken when each frame arrived, not when it was read.
        assert.ok(f.timeMicros - got[i - 1].timeMicros > 2000, `stamps ${got[i - 1].timeMicros} then ${f.timeMicros}`);
      }
    }
    const stats = await router.ask({ op: "stats" }, "stats");
    assert.equal(stats.delivered, 5);
    assert.equal(stats.dropped, 0);
    assert.ok(Number(stats.received) >= 5);
  });

  it("sees the frames this host sends, marked out, stamped before the peer received them", async () => {
    const brain = await openLink("brain", { filter: `ether proto 0x${EXPERIMENTAL_1}` });
    const router = await openLink("router", { filter: `ether proto 0x${EXPERIMENTAL_1}` });
    const wanted = [7, 8, 9].map((i) => frameFrom(lab, "brain", EXPERIMENTAL_1, i));
    const sent = await brain.ask({ op: "send", hex: wanted[0] }, "sent");
    await brain.ask({ op: "send", hex: wanted[1] }, "sent");
    await brain.ask({ op: "send", hex: wanted[2] }, "sent");
    const own = await waitForFrames(brain, 3);
    const seen = await waitForFrames(router, 3);
    assert.deepEqual(own.map((f) => [f.hex, f.direction]), wanted.map((h) => [h, "out"]));
    assert.ok(own[0].timeMicros >= Number(sent.beforeMicros) && own[0].timeMicros <= Number(sent.afterMicros) + 1000);
    for (let i = 0; i < 3; i++) {
      const wire = seen[i].timeMicros - own[i].timeMicros;
      assert.ok(wire >= 0 && wire < 50_000, `out at ${own[i].timeMicros}, in at ${seen[i].timeMicros}`);
    }
  });

  it("gives ICMP round trips from the kernel stamps of the kernel's own echo request and its reply", async () => {
    const brain = await openLink("brain", { filter: "icmp" });
    const ping = await lab.execAsync("brain", ["ping", "-c3", "-i0.2", "192.0.2.1"], { check: true });
    const pingRtts = [...ping.stdout.matchAll(/icmp_seq=(\d+) .*time=([\d.]+) ms/g)].map((m) => Number(m[2]) * 1000);
    assert.equal(pingRtts.length, 3);
    const got = await waitForFrames(brain, 6);
    const requests = got.filter((f) => icmpOf(f.hex)?.type === 8);
    const replies = got.filter((f) => icmpOf(f.hex)?.type === 0);
    assert.deepEqual(requests.map((f) => f.direction), ["out", "out", "out"]);
    assert.deepEqual(replies.map((f) => f.direction), ["in", "in", "in"]);
    for (let i = 0; i < 3; i++) {
      assert.equal(icmpOf(replies[i].hex)?.seq, icmpOf(requests[i].hex)?.seq);
      const rtt = replies[i].timeMicros - requests[i].timeMicros;
      // The kernel stamps lie inside ping's own (user-space) measurement.
      assert.ok(rtt > 0 && rtt <= pingRtts[i] + 200, `kernel rtt ${rtt} µs, ping says ${pingRtts[i]} µs`);
    }
  });

  it("captures only received or only sent frames when asked", async () => {
    const incoming = await openLink("brain", { filter: "icmp", direction: "in" });
    const outgoing = await openLink("brain", { filter: "icmp", direction: "out" });
    await lab.execAsync("brain", ["ping", "-c2", "-i0.2", "192.0.2.1"], { check: true });
    const ins = await waitForFrames(incoming, 2);
    const outs = await waitForFrames(outgoing, 2);
    await sleep(100);
    assert.deepEqual(frames(incoming).map((f) => [f.direction, icmpOf(f.hex)?.type]), [["in", 0], ["in", 0]]);
    assert.deepEqual(frames(outgoing).map((f) => [f.direction, icmpOf(f.hex)?.type]), [["out", 8], ["out", 8]]);
    assert.equal(ins.length + outs.length, 4);
  });

  it("filters the frames it sends and those it receives each by their own expression", async () => {
    // brain's pings out and their replies in; not the router's pings in, nor brain's kernel's replies out
    const brain = await openLink("brain", { filter: { out: "icmp and icmp[icmptype] == icmp-echo", in: "icmp and icmp[icmptype] != icmp-echo" } });
    await Promise.all([
      lab.execAsync("brain", ["ping", "-c2", "-i0.2", "192.0.2.1"], { check: true }),
      lab.execAsync("router", ["ping", "-c2", "-i0.2", "192.0.2.17"], { check: true }),
    ]);
    await waitForFrames(brain, 4);
    await sleep(100); // anything the filter wrongly let through would be here by now
    const got = frames(brain).map((f) => [f.direction, icmpOf(f.hex)?.type]);
    assert.deepEqual(got.filter(([d]) => d === "out"), [["out", 8], ["out", 8]]);
    assert.deepEqual(got.filter(([d]) => d === "in"), [["in", 0], ["in", 0]]);
  });

  it("cuts frames to the snap length and reports their length on the wire", async () => {
    const router = await openLink("router", { filter: `ether proto 0x${EXPERIMENTAL_1}`, snapLength: 64 });
    const brain = await openLink("brain");
    const long = frameFrom(lab, "brain", EXPERIMENTAL_1, 1, 300);
    await brain.ask({ op: "send", hex: long }, "sent");
    const [f] = await waitForFrames(router, 1);
    assert.equal(f.wireLength, 300);
    assert.equal(f.hex, long.slice(0, 128));
  });

  it("never delivers its wake frames, and closing lets the process end by itself", async () => {
    const observer = await openLink("brain"); // no filter: sees everything brain sends
    const closer = await openLink("brain");
    const closed = await closer.ask({ op: "close" }, "closed");
    assert.equal(closed.released, true, "both libpcap handles closed at once");
    const exit = await closer.stop(3000); // rejects (and kills it) if a handle still holds the process
    assert.equal(exit.code, 0);
    await sleep(200);
    const stats = await observer.ask({ op: "stats" }, "stats");
    // The closing link's wake frames went out of brain's eth0, and the observer's kernel filter
    // took them (received), but the observer did not pass them on (delivered).
    assert.ok(Number(stats.received) - Number(stats.delivered) >= 2, `received ${stats.received}, delivered ${stats.delivered}`);
    const wakes = frames(observer).filter((f) => f.hex.slice(24, 36) === "88b5746b776b");
    assert.deepEqual(wakes, []);
    const observerExit = await observer.stop(3000);
    assert.equal(observerExit.code, 0);
  });

  it("survives many openings and closings with garbage collection in between", async () => {
    const brain = lab.runNode("brain", LINK_WORKER, {}, { nodeOptions: ["--expose-gc"] });
    workers.push(brain);
    await brain.expect("ready");
    const churned = await brain.ask({ op: "churn", interface: "eth0", rounds: 150 }, "churned", 30_000);
    assert.equal(churned.rounds, 150);
    assert.equal((await brain.stop(5000)).code, 0);
  });

  it("keeps a whole Ethernet frame by default, and refuses a snap length it cannot use", async () => {
    const brain = lab.runNode("brain", LINK_WORKER);
    workers.push(brain);
    await brain.expect("ready");
    const opened = await brain.ask({ op: "open", interface: "eth0" }, "opened");
    assert.equal(opened.snapLength, 1500 + 18);
    const refused = await brain.ask({ op: "open", interface: "eth0", options: { snapLength: 10 } }, "error");
    assert.equal(refused.message, "snap length 10 for eth0 is out of range: use 64 to 262144");
  });

  it("keeps capturing after its interface goes down and up, and says why sending fails meanwhile", async () => {
    const brain = await openLink("brain", { filter: "icmp" });
    lab.exec("brain", ["ip", "link", "set", "eth0", "down"], { check: true });
    try {
      const down = await brain.expect("status", 3000);
      assert.equal(down.state, "down");
      // Told by rtnetlink, or (rarely first) by the capture's socket error.
      assert.match(String(down.reason), /^eth0 is down( \(seen by the capture\))?$/);
      const refused = await brain.ask({ op: "try-send", hex: frameFrom(lab, "brain", EXPERIMENTAL_1, 1) }, "send-error");
      assert.equal(refused.name, "LinkError");
      assert.equal(refused.message, "cannot send a 60-byte frame on eth0: the interface is down — bring it up: ip link set eth0 up");
    } finally {
      lab.exec("brain", ["ip", "link", "set", "eth0", "up"], { check: true });
    }
    const up = await brain.expect("status", 3000);
    assert.deepEqual([up.state, up.reopened], ["up", true]);
    await lab.execAsync("router", ["ping", "-c2", "-i0.2", "192.0.2.17"], { check: true });
    const got = await waitForFrames(brain, 4);
    assert.deepEqual(got.map((f) => [f.direction, icmpOf(f.hex)?.type]), [["in", 8], ["out", 0], ["in", 8], ["out", 0]]);
    const stats = await brain.ask({ op: "stats" }, "stats");
    assert.equal(stats.reopened, 1);
    assert.equal(stats.alive, true);
  });

  it("notices a quick down-and-up it did not see happen, from the notifications queued meanwhile", async () => {
    const brain = await openLink("brain", { filter: "icmp" });
    // The worker is busy while its interface goes down and up: when it looks, all is up again, but
    // rtnetlink has queued the down.
    brain.tell({ op: "busy", ms: 400 });
    await sleep(100);
    lab.exec("brain", ["sh", "-c", "ip link set eth0 down && ip link set eth0 up"], { check: true });
    await brain.expect("idle", 3000);
    const statuses = [await brain.expect("status", 3000), await brain.expect("status", 3000)];
    assert.deepEqual(statuses.map((s) => s.state), ["down", "up"]);
    assert.match(String(statuses[0].reason), /^eth0 is down( \(seen by the capture\))?$/);
    assert.equal(statuses[1].reopened, true);
    await lab.execAsync("router", ["ping", "-c1", "192.0.2.17"], { check: true });
    const got = await waitForFrames(brain, 2);
    assert.deepEqual(got.map((f) => f.direction), ["in", "out"]);
  });

  it("explains a missing interface, a bad filter and a missing privilege in one line", async () => {
    const unknown = lab.runNode("brain", LINK_WORKER, { open: { interface: "eht0" } });
    const badFilter = lab.runNode("brain", LINK_WORKER, { open: { interface: "eth0", options: { filter: "tcp port" } } });
    const unprivileged = lab.runNode("brain", LINK_WORKER, { open: { interface: "eth0" } }, {
      wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"],
    });
    workers.push(unknown, badFilter, unprivileged);
    assert.deepEqual(await unknown.expect("error"), {
      kind: "error",
      name: "InterfaceError",
      message: 'no interface "eht0"; this host has: lo, eth0',
    });
    assert.deepEqual(await badFilter.expect("error"), {
      kind: "error",
      name: "LinkError",
      message: 'bad capture filter "tcp port" for eth0: syntax error — see man pcap-filter',
    });
    assert.deepEqual(await unprivileged.expect("error"), {
      kind: "error",
      name: "LinkError",
      message:
        "cannot open eth0 for capture: operation not permitted — needs CAP_NET_RAW " +
        "(run with sudo, or: setcap cap_net_raw,cap_net_admin+ep $(readlink -f $(which node)))",
    });
    assert.match(lab.exec("brain", ["setpriv", "--reuid=65534", "id", "-u"]).stdout, /^65534/, "the worker really ran as nobody");
  });
});

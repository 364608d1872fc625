// Tests of the namespace lab: it builds the topology it is asked for (addresses, MACs, MTU, segments,
// routing), its tools act inside the right namespace (exec, spawn, cut/restore, neigh, nft), workers
// talk JSON lines, and nothing is ever left behind: not after destroy, not after a process exits or
// is killed without destroying, and leftovers of dead runs are cleaned.

import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { CommandError, runSync } from "../../src/lab/command";
import { Lab, LabError, listNamespaces, withLab } from "../../src/lab/netns";
import { NodeWorker } from "../../src/lab/worker";
import { Mac } from "../../src/packets/address";

const ECHO_WORKER = join(__dirname, "fixtures", "echo-worker.js");
const ABANDON_LAB = join(__dirname, "fixtures", "abandon-lab.js");

function ping(lab: Lab, from: string, to: string): boolean {
  return lab.exec(from, ["ping", "-c1", "-W1", to]).status === 0;
}

function namespacesStartingWith(prefix: string): string[] {
  return listNamespaces().filter((n) => n.startsWith(prefix));
}

describe("lab: network namespaces", function () {
  this.timeout(30_000);
  let lab: Lab | undefined;

  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  after(() => {
    assert.deepEqual(namespacesStartingWith(`tk-${process.pid}-`), [], "every namespace of this run is deleted");
  });

  it("builds hosts on a bridge in their own namespaces, with the addresses, MACs and MTU asked for", async () => {
    lab = await Lab.create({
      hosts: [
        { name: "router", address: "192.0.2.1/24" },
        { name: "brain", address: ["192.0.2.17/24", "192.0.2.18/24"], mac: "02:00:00:00:00:17", mtu: 1400 },
      ],
    });
    assert.match(lab.prefix, new RegExp(`^tk-${process.pid}-[0-9a-f]{6}-$`));
    assert.deepEqual(lab.namespaces.sort(), [`${lab.prefix}brain`, `${lab.prefix}router`, `${lab.prefix}switch`]);
    assert.deepEqual(namespacesStartingWith(lab.prefix).sort(), lab.namespaces.sort());
    assert.equal(lab.ns("brain"), `${lab.prefix}brain`);
    assert.equal(lab.interfaceOf("brain"), "eth0");
    assert.equal(lab.macOf("brain").toString(), "02:00:00:00:00:17");
    assert.equal(lab.ipOf("brain").toString(), "192.0.2.17");

    const [link] = JSON.parse(lab.exec("brain", ["ip", "-j", "addr", "show", "dev", "eth0"], { check: true }).stdout) as Array<{
      address: string;
      mtu: number;
      operstate: string;
      addr_info: Array<{ family: string; local: string; prefixlen: number }>;
    }>;
    assert.equal(link.address, "02:00:00:00:00:17");
    assert.equal(link.mtu, 1400);
    assert.equal(link.operstate, "UP");
    assert.deepEqual(
      link.addr_info.filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`),
      ["192.0.2.17/24", "192.0.2.18/24"],
    );
    const routerMac = JSON.parse(lab.exec("router", ["ip", "-j", "link", "show", "dev", "eth0"]).stdout)[0].address as string;
    assert.ok(lab.macOf("router").equals(Mac.parse(routerMac)));
    // IPv6 is off by default, so captures in the lab are quiet.
    assert.equal(lab.exec("brain", ["sysctl", "-n", "net.ipv6.conf.eth0.disable_ipv6"]).stdout.trim(), "1");
    // The root namespace is untouched: no bridge or veth of ours there.
    assert.doesNotMatch(runSync(["ip", "-o", "link"]).stdout, new RegExp(lab.prefix));
    assert.ok(ping(lab, "brain", "192.0.2.1"));
    assert.ok(ping(lab, "router", "192.0.2.18"));
  });

  it("routes between segments through a forwarding host", async () => {
    lab = await Lab.create({
      hosts: [
        {
          name: "router",
          forwarding: true,
          links: [
            { segment: "lan", address: "192.0.2.1/24" },
            { segment: "wan", address: "198.51.100.1/24" },
          ],
        },
        { name: "brain", address: "192.0.2.17/24", gateway: "192.0.2.1" },
        { name: "client", segment: "wan", address: "198.51.100.7/24", gateway: "198.51.100.1" },
      ],
    });
    assert.equal(lab.interfaceOf("router", 1), "eth1");
    assert.equal(lab.portOf("router", 1), "router-1");
    const bridges = runSync(["ip", "-n", lab.switchNamespace, "-o", "link", "show", "type", "bridge"]).stdout;
    assert.match(bridges, /br-lan/);
    assert.match(bridges, /br-wan/);
    assert.ok(ping(lab, "brain", "198.51.100.7"), "brain reaches the client through the router");
    // Segments are separate: with forwarding off, the client cannot reach brain.
    lab.sysctl("router", "net.ipv4.ip_forward", "0");
    assert.equal(ping(lab, "client", "192.0.2.17"), false);
  });

  it("cuts and restores a host's link at the switch, leaving the host's interface up", async () => {
    lab = await Lab.create({ hosts: [{ name: "router", address: "192.0.2.1/24" }, { name: "brain", address: "192.0.2.17/24" }] });
    assert.ok(ping(lab, "brain", "192.0.2.1"));
    lab.cut("brain");
    assert.equal(ping(lab, "brain", "192.0.2.1"), false);
    const state = JSON.parse(lab.exec("brain", ["ip", "-j", "link", "show", "dev", "eth0"]).stdout)[0] as { flags: string[]; operstate: string };
    assert.ok(state.flags.includes("UP"), "administratively still up");
    assert.ok(state.flags.includes("NO-CARRIER"), "but without carrier");
    lab.restore("brain");
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) ok = ping(lab, "brain", "192.0.2.1");
    assert.ok(ok, "ping works again after restore");
  });

  it("gives hosts IPv6 addresses at once (no DAD), waits out the link-local DAD, and reads NDP entries too", async () => {
    lab = await Lab.create({ ipv6: true, hosts: [{ name: "router", address: ["192.0.2.1/24", "2001:db8:1::1/64"] }, { name: "brain", address: ["192.0.2.17/24", "2001:db8:1::17/64"] }] });
    const global = JSON.parse(lab.exec("brain", ["ip", "-j", "-6", "addr", "show", "dev", "eth0", "scope", "global"], { check: true }).stdout) as Array<{ addr_info: Array<{ local: string; tentative?: boolean }> }>;
    assert.deepEqual(global[0].addr_info.filter((a) => a.local !== undefined).map((a) => [a.local, a.tentative === true]), [["2001:db8:1::17", false]], "added with nodad: not tentative");
    assert.equal(lab.ipOf("brain").toString(), "192.0.2.17", "ipOf is the IPv4 address");
    await lab.awaitIpv6Ready(5000);
    assert.equal(lab.exec("router", ["ip", "-6", "addr", "show", "tentative"]).stdout.trim(), "", "no tentative address left");
    assert.equal(lab.exec("router", ["ping", "-6", "-c1", "-W1", "2001:db8:1::17"]).status, 0, "ping -6 across the segment");
    const entry = lab.neighbours("router").find((n) => n.address === "2001:db8:1::17");
    assert.ok(entry?.mac !== undefined && entry.mac.equals(lab.macOf("brain")), "the router's NDP entry holds brain's MAC");
  });

  it("reads a host's neighbour table", async () => {
    lab = await Lab.create({ hosts: [{ name: "router", address: "192.0.2.1/24" }, { name: "brain", address: "192.0.2.17/24" }] });
    assert.deepEqual(lab.neighbours("router"), []);
    assert.ok(ping(lab, "router", "192.0.2.17"));
    const entry = lab.neighbours("router").find((n) => n.address === "192.0.2.17");
    assert.ok(entry !== undefined, "router has learnt brain");
    assert.equal(entry.interface, "eth0");
    assert.ok(entry.mac !== undefined && entry.mac.equals(lab.macOf("brain")));
    assert.ok(entry.states.length > 0);
  });

  it("loads an nft ruleset into one host only", async () => {
    lab = await Lab.create({ hosts: [{ name: "router", address: "192.0.2.1/24" }, { name: "brain", address: "192.0.2.17/24" }] });
    lab.nft(
      "router",
      `table inet lab {
        chain input {
          type filter hook input priority 0;
          icmp type echo-request drop
        }
      }`,
    );
    assert.equal(ping(lab, "brain", "192.0.2.1"), false, "router drops pings");
    assert.ok(ping(lab, "router", "192.0.2.17"), "brain does not");
    assert.match(lab.exec("router", ["nft", "list", "ruleset"]).stdout, /echo-request drop/);
    assert.equal(runSync(["nft", "list", "tables"]).stdout.includes("inet lab"), false, "the root namespace has no such table");
    lab.nftFlush("router");
    assert.ok(ping(lab, "brain", "192.0.2.1"));
    assert.throws(() => lab?.nft("router", "this is not nft"), (e: Error) => e instanceof CommandError && /nft -f -: exit status 1: .*syntax error/i.test(e.message));
  });

  it("runs commands with a one-line error when asked to check, and a time limit", async () => {
    lab = await Lab.create({ hosts: [{ name: "brain", address: "192.0.2.17/24" }] });
    const result = lab.exec("brain", ["sh", "-c", "echo out; echo err >&2; exit 4"]);
    assert.deepEqual([result.status, result.stdout, result.stderr], [4, "out\n", "err\n"]);
    assert.throws(
      () => lab?.exec("brain", ["sh", "-c", "echo broken >&2; exit 4"], { check: true }),
      (e: Error) => e instanceof CommandError && e.message === `ip netns exec ${lab?.ns("brain")} sh -c 'echo broken >&2; exit 4': exit status 4: broken`,
    );
    assert.throws(() => lab?.exec("brain", ["sleep", "5"], { timeoutMs: 200 }), /did not finish within 200 ms/);
    const later = await lab.execAsync("brain", ["cat", "/sys/class/net/eth0/address"], { check: true });
    assert.equal(later.stdout.trim(), lab.macOf("brain").toString());
    await assert.rejects(lab.execAsync("brain", ["false"], { check: true }), /exit status 1/);
    await assert.rejects(lab.execAsync("brain", ["sleep", "5"], { timeoutMs: 200 }), /did not finish within 200 ms/);
  });

  it("rejects specs it cannot build, naming the problem, and leaves nothing behind", async () => {
    const before = namespacesStartingWith(`tk-${process.pid}-`);
    await assert.rejects(Lab.create({ hosts: [{ name: "Brain" }] }), (e: Error) => e instanceof LabError && /"Brain" must be/.test(e.message));
    await assert.rejects(Lab.create({ hosts: [{ name: "switch" }] }), /not be "switch"/);
    await assert.rejects(Lab.create({ hosts: [{ name: "a" }, { name: "a" }] }), /used twice/);
    await assert.rejects(Lab.create({ hosts: [{ name: "a", address: "10.0.0.1/24" }] }), /outside 192\.0\.2\.0\/24/);
    await assert.rejects(Lab.create({ hosts: [{ name: "a", address: "192.0.2.1" }] }), /not address\/prefix-length/);
    await assert.rejects(Lab.create({ ipv6: true, hosts: [{ name: "a", address: "2001:db9::1/64" }] }), /"2001:db9::1\/64" is outside 2001:db8::\/32/);
    await assert.rejects(Lab.create({ ipv6: true, hosts: [{ name: "a", address: "2001:db8::1/129" }] }), /not IPv6-address\/prefix-length/);
    await assert.rejects(Lab.create({ hosts: [{ name: "a", address: "2001:db8::1/64" }] }), /the lab has IPv6 off; set ipv6: true/);
    // Fails half-way (the kernel refuses the MTU): what was made is removed.
    await assert.rejects(Lab.create({ hosts: [{ name: "a", address: "192.0.2.1/24", mtu: 10 }] }), CommandError);
    assert.deepEqual(namespacesStartingWith(`tk-${process.pid}-`), before);
    const built = await Lab.create({ hosts: [{ name: "a", address: "192.0.2.1/24" }] });
    assert.throws(() => built.ns("b"), /lab has no host "b"; it has: a/);
    assert.throws(() => built.interfaceOf("a", 1), /no interface number 1; it has 1/);
    await built.destroy();
  });

  it("kills what it spawned and deletes everything on destroy, once", async () => {
    lab = await Lab.create({ hosts: [{ name: "brain", address: "192.0.2.17/24" }] });
    const sleeper = lab.spawn("brain", ["sleep", "30"]);
    const ended = new Promise<NodeJS.Signals | null>((resolve) => sleeper.on("exit", (_code, signal) => resolve(signal)));
    const names = lab.namespaces;
    await Promise.all([lab.destroy(), lab.destroy()]);
    await lab.destroy();
    assert.equal(await ended, "SIGTERM");
    for (const name of names) assert.ok(!listNamespaces().includes(name), `${name} is gone`);
    assert.deepEqual(lab.namespaces, []);
  });

  it("withLab destroys the lab also when the function throws", async () => {
    let prefix = "";
    await assert.rejects(
      withLab({ hosts: [{ name: "brain", address: "192.0.2.17/24" }] }, (l) => {
        prefix = l.prefix;
        assert.equal(namespacesStartingWith(prefix).length, 2);
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.deepEqual(namespacesStartingWith(prefix), []);
    assert.equal(await withLab({ hosts: [{ name: "brain" }] }, (l) => l.interfaceOf("brain")), "eth0");
  });

  it("deletes its namespaces when the process exits or is killed without destroying", async () => {
    for (const how of ["exit", "wait"]) {
      const child = spawn(process.execPath, [ABANDON_LAB, how], { stdio: ["pipe", "pipe", "pipe"] });
      const worker = new NodeWorker(`abandon-lab ${how}`, child);
      const built = await worker.expect("built", 15_000);
      const prefix = String(built.prefix);
      assert.equal(namespacesStartingWith(prefix).length, 2, "the lab was built");
      if (how === "wait") child.kill("SIGTERM");
      else child.stdin?.end(); // "exit" mode exits once its stdin closes
      const exit = await worker.finished(15_000);
      if (how === "exit") assert.equal(exit.code, 3);
      else assert.equal(exit.signal, "SIGTERM");
      assert.deepEqual(namespacesStartingWith(prefix), [], `nothing left after ${how}`);
    }
  });

  it("cleans up leftovers of dead runs and leaves live ones alone", () => {
    const gone = spawnSync("true");
    const deadPid = gone.pid as number;
    const stale = `tk-${deadPid}-0badc0-brain`;
    const mine = `tk-${process.pid}-0badc0-keep`;
    const notOurs = `tkx-${deadPid}-0badc0-other`;
    for (const name of [stale, mine, notOurs]) runSync(["ip", "netns", "add", name], { check: true });
    try {
      const removed = Lab.cleanupStale();
      assert.ok(removed.includes(stale));
      const left = listNamespaces();
      assert.ok(!left.includes(stale));
      assert.ok(left.includes(mine));
      assert.ok(left.includes(notOurs));
    } finally {
      for (const name of [stale, mine, notOurs]) runSync(["ip", "netns", "delete", name]);
    }
  });

  it("runs a Node worker inside a namespace and talks JSON lines with it", async () => {
    lab = await Lab.create({ hosts: [{ name: "brain", address: "192.0.2.17/24" }] });
    const worker = lab.runNode("brain", ECHO_WORKER, { greeting: "hi" });
    const hello = await worker.expect("hello");
    assert.equal(hello.greeting, "hi");
    assert.deepEqual(hello.interfaces, ["eth0", "lo"], "it sees the namespace's interfaces");
    assert.deepEqual(worker.otherLines, ["a line that is not JSON"]);
    assert.deepEqual((await worker.ask({ n: 1 }, "echo")).got, { n: 1 });
    worker.tell({ n: 2 });
    worker.tell({ n: 3 });
    assert.deepEqual((await worker.next((m) => (m.got as { n: number }).n === 3)).got, { n: 3 });
    await assert.rejects(worker.expect("never", 100), /no awaited message within 100 ms/);
    const exit = await worker.stop();
    assert.equal(exit.code, 0);
    assert.equal(exit.messages.at(-1)?.kind, "bye");

    const failing = lab.runNode("brain", ECHO_WORKER, { failAtOnce: true });
    await assert.rejects(failing.expect("hello"), /exited with status 7 before sending the awaited message; its stderr ends: failing at once as asked/);

    const stubborn = lab.runNode("brain", ECHO_WORKER);
    await stubborn.expect("hello");
    await assert.rejects(stubborn.finished(200), /still running after 200 ms, killed/);
  });
});

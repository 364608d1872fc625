// `takeover ndp` against the real Linux kernel in network namespaces (IPv6 on, 2001:db8::/64 added
// with nodad so the kernel's own DAD does not hold the addresses tentative): who-has gets the
// kernel's solicited NA, probe (DAD) sees the kernel defend an address it holds, announce moves
// another host's neighbour entry (`ip -6 neigh`) to our MAC; and what Linux does with an unsolicited
// NA for an address it has no entry for (accept_untracked_na).
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");

describe("takeover ndp (kernel as the peer)", function () {
  this.timeout(60_000);
  let lab: Lab;

  before(async () => {
    lab = await Lab.create({ ipv6: true, hosts: [{ name: "a" }, { name: "b" }, { name: "c" }] });
    for (const [host, address] of [["a", "2001:db8::11/64"], ["b", "2001:db8::12/64"], ["c", "2001:db8::13/64"]]) {
      lab.exec(host, ["ip", "-6", "addr", "add", address, "dev", "eth0", "nodad"], { check: true });
    }
  });
  after(async () => {
    await lab?.destroy();
  });

  const ndp = (...args: string[]) => lab.exec("a", [process.execPath, CLI, "ndp", ...args], { timeoutMs: 30_000 });
  const entryOf = (host: string, address: string) => lab.neighbours(host).find((n) => n.address === address);
  /** b's link-local address on eth0, once its DAD is over (bounded: 5 s) */
  const linkLocalOf = (host: string): string => {
    for (let i = 0; i < 50; i++) {
      const shown = lab.exec(host, ["ip", "-6", "-j", "addr", "show", "dev", "eth0", "scope", "link"], { check: true });
      const [info] = JSON.parse(shown.stdout) as Array<{ addr_info: Array<{ local: string; tentative?: boolean }> }>;
      // (ip -j prints an empty object for each address the filter leaves out)
      const address = info?.addr_info.find((a) => a.local !== undefined && a.tentative !== true);
      if (address !== undefined) return address.local;
      lab.exec(host, ["sleep", "0.1"]);
    }
    throw new Error(`${host} has no usable link-local address after 5 s`);
  };

  it("who-has returns the kernel's MAC from its solicited NA (global and link-local), and exit 1 when nobody answers", () => {
    const found = ndp("who-has", "2001:db8::12", "-I", "eth0");
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stdout, new RegExp(`^2001:db8::12 is-at ${lab.macOf("b").toString()} \\(eth0, [0-9.]+ ms, solicitation 1\\)`));
    // routed: the interface from ip -6 route get, as ndisc6 users leave it out
    const routed = ndp("who-has", "2001:db8::13");
    assert.equal(routed.status, 0, routed.stderr);
    assert.match(routed.stdout, new RegExp(`^2001:db8::13 is-at ${lab.macOf("c").toString()} `));
    const local = linkLocalOf("b");
    linkLocalOf("a"); // ours out of DAD too, so that the question comes from it
    const scoped = ndp("who-has", `${local}%eth0`);
    assert.equal(scoped.status, 0, scoped.stderr);
    assert.match(scoped.stdout, new RegExp(`^${local} is-at ${lab.macOf("b").toString()} `));
    const none = ndp("who-has", "-c", "1", "-W", "0.2", "2001:db8::99", "eth0");
    assert.equal(none.status, 1);
    assert.equal(none.stdout.trim(), "no Neighbor Advertisement from 2001:db8::99 on eth0 after 1 solicitation(s), 200 ms apart");
  });

  it("probe reports the MAC of the host that holds the address (exit 1), a link-local one too, and a free address (exit 0)", () => {
    const taken = ndp("probe", "-I", "eth0", "-w", "0.3", "2001:db8::12");
    assert.equal(taken.status, 1, taken.stderr);
    assert.equal(taken.stdout.trim(), `2001:db8::12 is in use: ${lab.macOf("b").toString()} answered (Neighbor Advertisement)`);
    const local = linkLocalOf("c");
    const takenLocal = ndp("probe", "-w", "0.3", `${local}%eth0`);
    assert.equal(takenLocal.status, 1, takenLocal.stderr);
    assert.match(takenLocal.stdout, new RegExp(`is in use: ${lab.macOf("c").toString()}`));
    const free = ndp("probe", "-I", "eth0", "-c", "2", "-i", "0.05", "-w", "0.3", "2001:db8::99");
    assert.equal(free.status, 0, free.stderr);
    assert.equal(free.stdout.trim(), "2001:db8::99 is free: nobody answered 2 DAD solicitation(s) on eth0");
  });

  it("probe hears another host's DAD for the same address (the kernel's own, on ip addr add) and reports it as probing (exit 1)", async () => {
    // c adds the address only once its tcpdump has seen a's one DAD solicitation go by (else c's
    // kernel, tentative, would take ours for a duplicate and stay silent); c's kernel then sends its
    // own DAD solicitation within about 1 s (README: what the kernel sends when an address is added),
    // inside a's 2.5 s window
    const watch = lab.spawn("c", ["timeout", "15", "tcpdump", "-i", "eth0", "-n", "-c", "1", `icmp6 and ether src ${lab.macOf("a").toString()} and ip6[40] == 135`]);
    const exited = new Promise<number | null>((resolve) => watch.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      let text = "";
      const timer = setTimeout(() => reject(new Error(`tcpdump in c did not start listening within 10 s: ${text}`)), 10_000);
      watch.stderr!.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes("listening on")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const probing = lab.execAsync("a", [process.execPath, CLI, "ndp", "probe", "-I", "eth0", "-w", "2.5", "2001:db8::40"], { timeoutMs: 30_000 });
    assert.equal(await exited, 0, "c's tcpdump saw a's solicitation");
    // the probe listens in promiscuous mode (README: why), and only while it runs
    const promiscuity = () => (JSON.parse(lab.exec("a", ["ip", "-d", "-j", "link", "show", "dev", "eth0"], { check: true }).stdout) as Array<{ promiscuity: number }>)[0].promiscuity;
    // (2: the link's capture and send handles both ask for it)
    assert.ok(promiscuity() >= 1, "a's eth0 is promiscuous while the probe listens");
    lab.exec("c", ["ip", "-6", "addr", "add", "2001:db8::40/64", "dev", "eth0"], { check: true });
    try {
      const result = await probing;
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stdout.trim(), `2001:db8::40 is in use: ${lab.macOf("c").toString()} is probing for it too (DAD)`);
      assert.equal(promiscuity(), 0, "and no longer once it is done");
    } finally {
      lab.exec("c", ["ip", "-6", "addr", "del", "2001:db8::40/64", "dev", "eth0"]);
    }
  });

  it("announce moves another host's existing neighbour entry to our MAC (Override set, unsolicited), with the Router flag when asked", () => {
    // b learns 2001:db8::37 at c's MAC first, then c lets it go and a announces it
    lab.exec("c", ["ip", "-6", "addr", "add", "2001:db8::37/64", "dev", "eth0", "nodad"], { check: true });
    lab.exec("b", ["ping", "-6", "-c", "1", "-W", "1", "2001:db8::37"], { check: true });
    assert.equal(entryOf("b", "2001:db8::37")?.mac?.toString(), lab.macOf("c").toString());
    lab.exec("c", ["ip", "-6", "addr", "del", "2001:db8::37/64", "dev", "eth0"], { check: true });
    const result = ndp("announce", "-I", "eth0", "-c", "1", "2001:db8::37");
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `eth0: unsolicited NA 2001:db8::37 is-at ${lab.macOf("a").toString()}, flags [override]\n1 frame(s) sent\n`);
    const entry = entryOf("b", "2001:db8::37");
    assert.equal(entry?.mac?.toString(), lab.macOf("a").toString());
    assert.deepEqual(entry?.states, ["STALE"], "an unsolicited NA that changes the address leaves the entry STALE (RFC 4861 §7.2.5)");
    // the Router flag as asked: the kernel marks the entry a router, and unmarks it on an NA without
    const shown = () => lab.exec("b", ["ip", "-6", "neigh", "show", "2001:db8::37"], { check: true }).stdout.trim();
    assert.doesNotMatch(shown(), / router\b/);
    assert.equal(ndp("announce", "-I", "eth0", "-c", "1", "--router", "2001:db8::37").status, 0);
    assert.match(shown(), new RegExp(`lladdr ${lab.macOf("a").toString()} router `));
    assert.equal(ndp("announce", "-I", "eth0", "-c", "1", "2001:db8::37").status, 0);
    assert.doesNotMatch(shown(), / router\b/);
    lab.exec("b", ["ip", "-6", "neigh", "flush", "dev", "eth0"]);
  });

  it("an unsolicited NA for an address the kernel has no entry for makes an entry only on a router (forwarding 1) with accept_untracked_na 1", () => {
    // Linux (ndisc_recv_na, RFC 9131): a new STALE entry only when the interface forwards and
    // accepts untracked NAs; otherwise an entry must exist for the NA to move it
    const seen: string[] = [];
    try {
      for (const [forwarding, accept] of [["0", "0"], ["0", "1"], ["1", "0"], ["1", "1"]]) {
        lab.exec("b", ["ip", "-6", "neigh", "flush", "dev", "eth0"]);
        lab.sysctl("b", "net.ipv6.conf.eth0.forwarding", forwarding);
        lab.sysctl("b", "net.ipv6.conf.eth0.accept_untracked_na", accept);
        const result = ndp("announce", "2001:db8::38", "eth0", "-c", "1");
        assert.equal(result.status, 0, result.stderr);
        const entry = entryOf("b", "2001:db8::38");
        seen.push(`forwarding ${forwarding} accept_untracked_na ${accept}: ${entry === undefined ? "no entry" : `${entry.mac === undefined ? "no MAC" : entry.mac.equals(lab.macOf("a")) ? "our MAC" : entry.mac} ${entry.states.join(",")}`}`);
      }
    } finally {
      lab.sysctl("b", "net.ipv6.conf.eth0.forwarding", "0");
      lab.sysctl("b", "net.ipv6.conf.eth0.accept_untracked_na", "0");
      lab.exec("b", ["ip", "-6", "neigh", "flush", "dev", "eth0"]);
    }
    assert.deepEqual(seen, [
      "forwarding 0 accept_untracked_na 0: no entry",
      "forwarding 0 accept_untracked_na 1: no entry",
      "forwarding 1 accept_untracked_na 0: no entry",
      "forwarding 1 accept_untracked_na 1: our MAC STALE",
    ]);
  });

  it("refuses with one line and exit 2: an IPv4 address, a link-local without its link, an unknown interface, no privilege", () => {
    const cases: Array<[string[], string | RegExp]> = [
      [["who-has", "192.0.2.18"], "takeover: address: 192.0.2.18 is an IPv4 address; takeover ndp is for IPv6, use takeover arp for IPv4"],
      [["who-has", "fe80::1"], "takeover: fe80::1 is link-local: say which link, as fe80::1%IFACE or with -I IFACE"],
      [["probe", "2001:db8::5"], "takeover: no interface: give one with -I IFACE (or ADDRESS%IFACE, or the interface after the address as ndsend takes it)"],
      [["probe", "-I", "nosuch0", "2001:db8::5"], /^takeover: no interface "nosuch0"; this host has: .*eth0/],
      [["announce", "-I", "eth0", "-c", "0", "2001:db8::5"], 'takeover: -c: "0" is not a whole number ≥ 1; write one like -c 3'],
      [["who-has", "2001:db8::11"], "takeover: 2001:db8::11 is an address of this host (local route, dev lo); give the interface to use with -I IFACE"],
      [["who-has", "2001:db8:ffff::1"], /^takeover: no route to 2001:db8:ffff::1 .*; or give the interface with -I IFACE$/],
      [["who-has", "2001:db8::12", "-s", "::", "-I", "eth0"], "takeover: -s: a solicitation from :: is Duplicate Address Detection; use takeover ndp probe"],
    ];
    for (const [args, expected] of cases) {
      const result = ndp(...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stdout}`);
      if (typeof expected === "string") assert.equal(result.stderr.trim(), expected);
      else assert.match(result.stderr.trim(), expected);
      assert.equal(result.stderr.trim().split("\n").length, 1);
    }
    const unprivileged = lab.exec("a", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", process.execPath, CLI, "ndp", "probe", "-I", "eth0", "2001:db8::5"], { timeoutMs: 30_000 });
    assert.equal(unprivileged.status, 2, unprivileged.stdout);
    assert.match(unprivileged.stderr.trim(), /^takeover: cannot open eth0 for capture: operation not permitted — needs CAP_NET_RAW/);
    assert.equal(unprivileged.stderr.trim().split("\n").length, 1);
  });

  it("--help answers for each verb, exit 0", () => {
    for (const verb of ["announce", "probe", "who-has"]) {
      const result = ndp(verb, "--help");
      assert.equal(result.status, 0);
      assert.match(result.stdout, new RegExp(`^Usage: takeover ndp ${verb} \\[options\\]`));
      assert.match(result.stdout, /-I, --interface <iface>/);
    }
  });
});

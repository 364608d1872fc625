// `takeover arp` against the real Linux kernel in network namespaces: announcements move another
// host's neighbour entry (each form), probes see who holds an address, who-has finds the kernel's MAC.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");

describe("takeover arp (kernel as the peer)", function () {
  this.timeout(60_000);
  let lab: Lab;

  before(async () => {
    lab = await Lab.create({ hosts: [{ name: "a", address: "192.0.2.17/24" }, { name: "b", address: "192.0.2.18/24" }, { name: "c", address: "192.0.2.19/24" }] });
  });
  after(async () => {
    await lab?.destroy();
  });

  const arp = (...args: string[]) => lab.exec("a", [process.execPath, CLI, "arp", ...args], { timeoutMs: 30_000 });
  const entryOf = (host: string, address: string) => lab.neighbours(host).find((n) => n.address === address);

  for (const form of ["request", "reply", "both"] as const) {
    it(`announce (${form} form) moves another host's existing neighbour entry to our MAC`, () => {
      // b learns 192.0.2.37 at c's MAC first, then a announces it
      lab.exec("c", ["ip", "addr", "add", "192.0.2.37/24", "dev", "eth0"], { check: true });
      lab.exec("b", ["ping", "-c", "1", "-W", "1", "192.0.2.37"], { check: true });
      assert.equal(entryOf("b", "192.0.2.37")?.mac?.toString(), lab.macOf("c").toString());
      lab.exec("c", ["ip", "addr", "del", "192.0.2.37/24", "dev", "eth0"], { check: true });
      const result = arp("announce", "-I", "eth0", "-c", "1", "--form", form, "192.0.2.37");
      assert.equal(result.status, 0, result.stderr);
      assert.equal(entryOf("b", "192.0.2.37")?.mac?.toString(), lab.macOf("a").toString());
      lab.exec("b", ["ip", "neigh", "flush", "all"]);
    });
  }

  it("probe reports the MAC of the host that holds the address (exit 1), and a free address (exit 0)", () => {
    const taken = arp("probe", "-I", "eth0", "-c", "2", "-i", "0.05", "-w", "0.2", "192.0.2.18");
    assert.equal(taken.status, 1, taken.stderr);
    assert.match(taken.stdout, new RegExp(`192\\.0\\.2\\.18 is in use: ${lab.macOf("b").toString()}`));
    const free = arp("probe", "-I", "eth0", "-c", "2", "-i", "0.05", "-w", "0.2", "192.0.2.99");
    assert.equal(free.status, 0, free.stderr);
    assert.match(free.stdout, /192\.0\.2\.99 is free/);
  });

  it("who-has returns the kernel's MAC, and exit 1 when nobody answers", () => {
    const found = arp("who-has", "192.0.2.19");
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stdout, new RegExp(`^192\\.0\\.2\\.19 is-at ${lab.macOf("c").toString()} `));
    const none = arp("who-has", "-c", "1", "-W", "0.2", "192.0.2.99");
    assert.equal(none.status, 1);
  });

  it("who-has routes as ip route get: our own address (dev lo) and an unrouted one are refused in one line", () => {
    const own = arp("who-has", "192.0.2.17");
    assert.deepEqual([own.status, own.stderr.trim()], [2, "takeover: 192.0.2.17 is an address of this host (local route, dev lo); give the interface to use with -I IFACE"]);
    const unrouted = arp("who-has", "203.0.113.5");
    assert.equal(unrouted.status, 2);
    assert.match(unrouted.stderr.trim(), /^takeover: no route to 203\.0\.113\.5 \(ip route get 203\.0\.113\.5: Network is unreachable\); add one, e\.g\. ip route add default via <gateway>; or give the interface with -I IFACE$/);
  });

  it("send (send_arp order) refuses a malformed MAC with one line naming the argument", () => {
    const result = arp("send", "192.0.2.17", "fffffffffff", "192.0.2.18", "ff:ff:ff:ff:ff:ff");
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim(), 'takeover: SRC_MAC: MAC address "fffffffffff" has 11 hex digits, need 12');
  });
});

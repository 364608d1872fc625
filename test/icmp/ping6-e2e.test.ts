// `takeover ping` for IPv6 targets against the real Linux kernel in network namespaces, each case
// next to iputils `ping -6` on the same host: a neighbour found by Neighbor Solicitation, a link-local
// target with its %IFACE, a host behind a router (hop limit 63), ::1 and the host's own address on lo,
// an address nobody answers NS for, a router's "no route", IPv4 and IPv6 targets in one run, and the
// argument errors of -4/-6 and link-local targets.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";
import { routedIpv6Lab } from "../helpers/ipv6-lab";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");

describe("takeover ping -6 (kernel as the peer, iputils ping -6 beside it)", function () {
  this.timeout(120_000);
  let lab: Lab;

  before(async () => {
    lab = await routedIpv6Lab(true);
  });
  after(async () => {
    await lab?.destroy();
  });

  const ping = (...args: string[]) => lab.exec("a", [process.execPath, CLI, "ping", ...args], { timeoutMs: 30_000 });
  const jsonLines = (text: string) => text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  /** iputils ping -6: received count, exit status, and its lines that report an error from somebody. */
  const iputils = (target: string, ...flags: string[]) => {
    const result = lab.exec("a", ["ping", "-6", "-c", "2", "-i", "0.2", "-W", "1", ...flags, target], { timeoutMs: 30_000 });
    const received = /(\d+) received/.exec(result.stdout)?.[1];
    return { received: received === undefined ? undefined : Number(received), status: result.status, errors: result.stdout.split("\n").filter((l) => l.startsWith("From ")) };
  };
  const linkLocalOf = (host: string) => {
    const shown = lab.exec(host, ["ip", "-o", "-6", "addr", "show", "dev", "eth0", "scope", "link"], { check: true }).stdout;
    const address = /inet6 (fe80::[0-9a-f:]+)\//.exec(shown)?.[1];
    assert.ok(address !== undefined, `no link-local address on ${host}'s eth0: ${shown}`);
    return address;
  };

  it("finds a neighbour by Neighbor Solicitation and times its replies by kernel stamps", () => {
    const result = ping("-6", "-c", "3", "-i", "0.05", "--json", "2001:db8:1::18");
    assert.equal(result.status, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    const replies = lines.filter((l) => l.type === "reply");
    assert.deepEqual(replies.map((r) => [r.seq, r.stamp, r.ttl]), [[1, "kernel", 64], [2, "kernel", 64], [3, "kernel", 64]]);
    assert.deepEqual(lines.filter((l) => l.type === "summary").map((s) => [s.target, s.sent, s.received]), [["2001:db8:1::18", 3, 3]]);
    // the kernel on b learned our MAC from our solicitation's option, as from iputils' kernel
    const shown = ping("-c", "1", "2001:db8:1::18");
    assert.match(shown.stdout, /^PING 2001:db8:1::18 from 2001:db8:1::17 eth0: 56 data bytes/);
    assert.match(shown.stdout, /\n64 bytes from 2001:db8:1::18: icmp_seq=1 ttl=64 time=[\d.]+ ms\n/);
    assert.deepEqual(iputils("2001:db8:1::18"), { received: 2, status: 0, errors: [] });
  });

  it("pings a link-local address out of its %IFACE (or -I), and refuses one without its link", () => {
    const target = linkLocalOf("b");
    for (const args of [[`${target}%eth0`], ["-I", "eth0", target]]) {
      const result = ping("-c", "2", "-i", "0.05", "--json", ...args);
      assert.equal(result.status, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.deepEqual(jsonLines(result.stdout).filter((l) => l.type === "summary").map((s) => s.received), [2]);
    }
    assert.deepEqual(iputils(`${target}%eth0`).received, 2);
    const bare = ping("-c", "1", target);
    assert.equal(bare.status, 2);
    assert.equal(bare.stderr.trim(), `takeover: target: ${target} is link-local: say which link, as ${target}%IFACE or with -I IFACE`);
  });

  it("reaches a host behind the router (hop limit 63), as iputils ping -6 does", () => {
    const result = ping("-c", "2", "-i", "0.05", "--json", "2001:db8:2::2");
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout).filter((l) => l.type === "reply").map((r) => r.ttl), [63, 63]);
    assert.deepEqual(iputils("2001:db8:2::2"), { received: 2, status: 0, errors: [] });
  });

  it("pings ::1 and its own address on lo with no sysctl set, as iputils ping -6 does", () => {
    for (const target of ["::1", "2001:db8:1::17"]) {
      const result = ping("-c", "2", "-i", "0.05", "--json", target);
      assert.equal(result.status, 0, `${target}: ${result.stderr}`);
      const lines = jsonLines(result.stdout);
      assert.deepEqual(lines.filter((l) => l.type === "reply").map((r) => [r.seq, r.stamp]), [[1, "kernel"], [2, "kernel"]], target);
      assert.deepEqual(iputils(target), { received: 2, status: 0, errors: [] }, target);
    }
    assert.match(ping("-c", "1", "::1").stdout, /^PING ::1 from ::1 lo: /);
  });

  it("says an address nobody answers NS for is unreachable from our own address, exit 1, in iputils' words", () => {
    const result = ping("-c", "1", "-W", "0.6", "2001:db8:1::99");
    assert.equal(result.status, 1);
    const ours = result.stdout.split("\n").filter((l) => l.startsWith("From "));
    assert.deepEqual(ours, ["From 2001:db8:1::17 icmp_seq=1 Destination unreachable: Address unreachable"]);
    // the kernel gives up on the neighbour after its three solicitations (3 s): iputils must wait that long
    const theirs = iputils("2001:db8:1::99", "-c", "1", "-W", "5");
    assert.deepEqual([theirs.status, theirs.errors], [1, ours]);
  });

  it("reports the router's destination unreachable (no route) in iputils' words", () => {
    const result = ping("-c", "1", "-W", "1", "2001:db8:50::9");
    assert.equal(result.status, 1);
    const ours = result.stdout.split("\n").filter((l) => l.startsWith("From "));
    assert.deepEqual(ours, ["From 2001:db8:1::1 icmp_seq=1 Destination unreachable: No route"]);
    assert.deepEqual(iputils("2001:db8:50::9", "-c", "1").errors, ours);
  });

  it("pings IPv4 and IPv6 targets in one run, each by its family; -4 and -6 keep to one", () => {
    const result = ping("-c", "2", "-i", "0.05", "--json", "192.0.2.18", "2001:db8:1::18");
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout).filter((l) => l.type === "summary").map((s) => [s.target, s.received]), [["192.0.2.18", 2], ["2001:db8:1::18", 2]]);
    const shown = ping("-c", "1", "192.0.2.18", "2001:db8:1::18");
    assert.match(shown.stdout, /^PING 192\.0\.2\.18 from 192\.0\.2\.17 eth0; 2001:db8:1::18 from 2001:db8:1::17 eth0: /);
    for (const [args, message] of [
      [["-6", "192.0.2.18"], "takeover: target: 192.0.2.18 is not an IPv6 address, and -6 pings IPv6 only"],
      [["-4", "2001:db8:1::18"], "takeover: target: 2001:db8:1::18 is an IPv6 address, and -4 pings IPv4 only"],
      [["-4", "-6", "192.0.2.18"], "takeover: -4 and -6 exclude each other; give one, or neither to ping both families"],
      [["-s", "1460", "2001:db8:1::18"], 'takeover: -s: "1460" is not a data size from 16 to 1452 bytes (an IPv6 target)'],
      [["2001:db8::1::2"], 'takeover: target: "2001:db8::1::2" is not an IPv6 address: "::" may appear only once'],
    ] as const) {
      const refused = ping("-c", "1", ...args);
      assert.deepEqual([refused.status, refused.stdout, refused.stderr.trim()], [2, "", message], args.join(" "));
    }
  });
});

// The IPv6 lab the ICMPv6 prober and `takeover ping -6` tests share: a (2001:db8:1::17) and b
// (2001:db8:1::18) on "lan", router r (2001:db8:1::1 on lan, 2001:db8:2::1 on "side", forwarding,
// no ICMPv6 rate limit, an unreachable route to 2001:db8:50::/64) and c (2001:db8:2::2) behind it.
// Every address is added with nodad; the lab is returned once no address is tentative any more.
import assert from "node:assert/strict";
import { HostSpec, Lab } from "../../src/lab/netns";

/** Builds the lab; `ipv4` gives a and b an IPv4 address too (a: 192.0.2.17, b: 192.0.2.18). */
export async function routedIpv6Lab(ipv4 = false): Promise<Lab> {
  const hosts: HostSpec[] = [
    { name: "a", segment: "lan", ...(ipv4 ? { address: "192.0.2.17/24" } : {}) },
    { name: "b", segment: "lan", ...(ipv4 ? { address: "192.0.2.18/24" } : {}) },
    { name: "r", links: [{ segment: "lan" }, { segment: "side" }] },
    { name: "c", segment: "side" },
  ];
  const lab = await Lab.create({ ipv6: true, hosts });
  try {
    const sh = (host: string, ...argv: string[]) => lab.exec(host, argv, { check: true });
    sh("a", "ip", "-6", "addr", "add", "2001:db8:1::17/64", "dev", "eth0", "nodad");
    sh("a", "ip", "-6", "route", "add", "default", "via", "2001:db8:1::1");
    sh("b", "ip", "-6", "addr", "add", "2001:db8:1::18/64", "dev", "eth0", "nodad");
    sh("r", "ip", "-6", "addr", "add", "2001:db8:1::1/64", "dev", "eth0", "nodad");
    sh("r", "ip", "-6", "addr", "add", "2001:db8:2::1/64", "dev", "eth1", "nodad");
    sh("r", "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", "net.ipv6.icmp.ratelimit=0");
    sh("r", "ip", "-6", "route", "add", "unreachable", "2001:db8:50::/64");
    sh("c", "ip", "-6", "addr", "add", "2001:db8:2::2/64", "dev", "eth0", "nodad");
    sh("c", "ip", "-6", "route", "add", "default", "via", "2001:db8:2::1");
    // the link-local addresses are tentative for their DAD (about a second); until they are not, a
    // router's NS for a host behind it goes unanswered and the first echoes through it are lost
    for (let tries = 0; ; tries++) {
      const tentative = ["a", "b", "r", "c"].filter((host) => sh(host, "ip", "-6", "addr", "show", "tentative").stdout.trim() !== "");
      if (tentative.length === 0) break;
      assert.ok(tries < 50, `addresses still tentative after 5 s on ${tentative.join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return lab;
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}

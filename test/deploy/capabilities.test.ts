// deploy/takeover.service runs the daemon as an unprivileged user holding only CAP_NET_RAW and
// CAP_NET_ADMIN (ambient). This test shows that set is enough: in a lab (router, Brain, Pinky in
// network namespaces, a web page on each box), Brain's daemon runs as root as usual and Pinky's runs
// the way the unit starts it — uid 65534 with exactly net_raw+net_admin in every capability set,
// bounding set included. Pinky still claims Brain's .37 when Brain's link is cut (the router's
// neighbour entry moves to Pinky's MAC and Pinky serves .37), and hands it back when Brain returns.
// (The negative case — no capabilities: one line naming them, exit 2 — is in e2e-faults.test.ts.)
import { strict as assert } from "node:assert";
import { ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BRAIN, EXAMPLES, PINKY, ROUTER } from "../../src/lab/failover-demo";
import { Lab, listNamespaces } from "../../src/lab/netns";
import { Mac } from "../../src/packets/address";
import { eventually, Lines, routerGet, routerMacFor } from "../failover/e2e-helpers";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const WEB_SERVER = join(__dirname, "..", "..", "src", "lab", "web-server.js");
const VIP = BRAIN.publicAddress;
/** What the systemd unit grants: ambient (so effective) CAP_NET_RAW + CAP_NET_ADMIN, nothing else. */
const UNPRIVILEGED = [
  "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
  "--inh-caps=-all,+net_raw,+net_admin", "--ambient-caps=-all,+net_raw,+net_admin", "--bounding-set=-all,+net_raw,+net_admin",
];
/** CAP_NET_ADMIN (12) | CAP_NET_RAW (13) */
const NET_RAW_AND_ADMIN = (1n << 12n) | (1n << 13n);

function statusOf(pid: number): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m !== null) fields[m[1]] = m[2];
  }
  return fields;
}

describe("deploy: the systemd unit's capability set is enough", function () {
  this.timeout(60_000);
  let lab: Lab | undefined;
  let dir: string | undefined;
  const daemons: ChildProcess[] = [];

  afterEach(async function () {
    for (const d of daemons) if (d.exitCode === null && d.signalCode === null) d.kill("SIGTERM");
    await Promise.all(daemons.splice(0).map((d) => (d.exitCode !== null || d.signalCode !== null ? undefined : new Promise((r) => {
      const timer = setTimeout(r, 5000);
      d.once("exit", () => {
        clearTimeout(timer);
        r(undefined);
      });
    }))));
    const prefix = lab?.prefix;
    await lab?.destroy();
    lab = undefined;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    if (prefix !== undefined) assert.deepEqual(listNamespaces().filter((n) => n.startsWith(prefix)), [], "the lab's namespaces are gone");
  });

  it("Pinky as uid 65534 with only CAP_NET_RAW + CAP_NET_ADMIN claims Brain's .37 on a cut, and hands it back", async () => {
    lab = await Lab.create({
      hosts: [
        { name: ROUTER.name, address: `${ROUTER.address}/24`, mac: ROUTER.mac },
        { name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac },
        { name: PINKY.name, address: `${PINKY.address}/24`, mac: PINKY.mac },
      ],
    });
    // the unprivileged daemon must be able to read its config: a 0755 dir, a 0644 file
    dir = mkdtempSync(join(tmpdir(), "takeover-deploy-"));
    chmodSync(dir, 0o755);
    const pinkyConfig = join(dir, "pinky.yaml");
    copyFileSync(join(EXAMPLES, "pinky.yaml"), pinkyConfig);
    chmodSync(pinkyConfig, 0o644);

    for (const box of [BRAIN, PINKY]) lab.spawn(box.name, [process.execPath, WEB_SERVER, box.name]);
    const brainDaemon = lab.spawn(BRAIN.name, [process.execPath, CLI, "run", join(EXAMPLES, "brain.yaml")]);
    const pinkyDaemon = lab.spawn(PINKY.name, [...UNPRIVILEGED, process.execPath, CLI, "run", pinkyConfig]);
    daemons.push(brainDaemon, pinkyDaemon);
    const brain = new Lines(brainDaemon);
    const pinky = new Lines(pinkyDaemon);
    const l = lab;
    const outputs = () => `\n--- brain:\n${brain.lines.map((x) => x.text).join("\n")}\n--- pinky:\n${pinky.lines.map((x) => x.text).join("\n")}`;

    // steady state: each box serves its own public address, as the router sees it
    assert.ok(await eventually(() => routerGet(l, BRAIN.publicAddress) === "brain" && routerGet(l, PINKY.publicAddress) === "pinky", 15_000),
      `steady state not reached${outputs()}`);
    assert.equal(pinkyDaemon.exitCode, null, `Pinky's daemon runs${outputs()}`);

    // the daemon process itself (ip netns exec and setpriv exec it, so the pid is node's)
    const status = statusOf(pinkyDaemon.pid!);
    assert.match(readFileSync(`/proc/${pinkyDaemon.pid}/cmdline`, "utf8"), /cli\/main\.js\0run\0/, "the pid is the daemon's");
    assert.deepEqual(status.Uid.split(/\s+/), ["65534", "65534", "65534", "65534"], "real, effective, saved, fs uid");
    assert.deepEqual(status.Gid.split(/\s+/), ["65534", "65534", "65534", "65534"]);
    assert.equal(status.Groups ?? "", "", "no supplementary groups");
    for (const set of ["CapEff", "CapPrm", "CapBnd", "CapAmb"]) {
      assert.equal(BigInt(`0x${status[set]}`), NET_RAW_AND_ADMIN, `${set} is exactly net_raw+net_admin (0x3000), is 0x${status[set]}`);
    }

    // failover: Brain's link cut → unprivileged Pinky probes, adds .37 (netlink) and announces it (libpcap)
    lab.cut(BRAIN.name);
    await pinky.wait(new RegExp(`claim ${VIP.replace(/\./g, "\\.")}`), 10_000, "Pinky claims .37");
    const pinkyMac = Mac.parse(PINKY.mac).toString();
    assert.ok(await eventually(() => routerMacFor(l, VIP) === pinkyMac, 5000), `router's neighbour entry for .37 → Pinky's MAC (is ${routerMacFor(l, VIP)})${outputs()}`);
    assert.match(lab.exec(PINKY.name, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"], { check: true }).stdout, new RegExp(`inet ${VIP.replace(/\./g, "\\.")}/`), ".37 is on Pinky's eth0");
    assert.ok(await eventually(() => routerGet(l, VIP) === "pinky", 5000), `Pinky serves .37${outputs()}`);
    assert.equal(pinky.matching(/CAP_NET|not permitted|EPERM/i).length, 0, `no permission errors${outputs()}`);

    // hand-back: Brain's link back → Brain claims .37 again, Pinky yields and removes it
    lab.restore(BRAIN.name);
    await pinky.wait(new RegExp(`yield ${VIP.replace(/\./g, "\\.")}`), 10_000, "Pinky yields .37");
    const brainMac = Mac.parse(BRAIN.mac).toString();
    assert.ok(await eventually(() => routerMacFor(l, VIP) === brainMac, 5000), `router's neighbour entry for .37 → Brain's MAC (is ${routerMacFor(l, VIP)})${outputs()}`);
    assert.ok(await eventually(() => !lab!.exec(PINKY.name, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"], { check: true }).stdout.includes(`inet ${VIP}/`), 5000),
      `.37 is gone from Pinky's eth0${outputs()}`);
    assert.ok(await eventually(() => routerGet(l, VIP) === "brain", 5000), `Brain serves .37 again${outputs()}`);

    // SIGTERM: the unprivileged daemon stops cleanly (status 0), removing nothing that is not its own
    pinkyDaemon.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => {
      if (pinkyDaemon.exitCode !== null) resolve(pinkyDaemon.exitCode);
      const timer = setTimeout(() => resolve(null), 5000);
      pinkyDaemon.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, `Pinky's daemon exits 0 on SIGTERM${outputs()}`);
    assert.equal(pinky.matching(/CAP_NET|not permitted|EPERM/i).length, 0, `no permission errors${outputs()}`);
  });
});

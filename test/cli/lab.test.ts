// `takeover lab`, the README's main job, end to end: every step happens and nothing is left behind;
// dual-stack by default, `--no-ipv6` IPv4 alone;
// `--keep` leaves the lab up with working daemons until `takeover lab down`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { KEPT_LAB_FILE, listNamespaces, readKeptLab } from "../../src/lab/netns";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const takeover = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 90_000 });

describe("takeover lab", function () {
  this.timeout(120_000);

  after(() => {
    if (existsSync(KEPT_LAB_FILE)) takeover("lab", "down");
  });

  it("runs the failover and the hand-back, both families by default, narrates them, exits 0 and leaves no namespace", () => {
    const before = new Set(listNamespaces());
    const result = takeover("lab");
    assert.equal(result.status, 0, result.stdout + result.stderr);
    for (const step of ["brain's link cut", "pinky: claim 192.0.2.37", "router's neighbour entry for 192.0.2.37 → pinky's MAC", "HTTP from the router to 192.0.2.37 answered by pinky",
      "brain's link back", "router's neighbour entry for 192.0.2.37 → brain's MAC", "HTTP from the router to 192.0.2.37 answered by brain", "lab: every step happened",
      "building the dual-stack lab", "router's neighbour entry for 2001:db8:1::37 → pinky's MAC", "HTTP from the router to [2001:db8:1::37] answered by pinky",
      "router's neighbour entry for 2001:db8:1::37 → brain's MAC", "HTTP from the router to [2001:db8:1::37] answered by brain",
      "failover: router's HTTP to [2001:db8:1::37] answered by pinky", "failback: router's HTTP to [2001:db8:1::37] answered by brain"]) {
      assert.ok(result.stdout.includes(step), `missing "${step}"`);
    }
    assert.match(result.stdout, /^\d\d:\d\d:\d\d\.\d{6} \(\+ +\d+\.\d{3} ms\) {2}brain's link cut$/m, "lines carry µs timestamps");
    // the lab's own (tk-PID-…): another run on the machine may have namespaces of its own up meanwhile
    const leftover = listNamespaces().filter((n) => !before.has(n) && n.startsWith(`tk-${result.pid}-`));
    assert.deepEqual(leftover, []);
  });

  it("--no-ipv6: IPv4 alone, narrated as before, nothing left", () => {
    const before = new Set(listNamespaces());
    const result = takeover("lab", "--no-ipv6");
    const leftover = listNamespaces().filter((n) => !before.has(n) && n.startsWith(`tk-${result.pid}-`));
    assert.deepEqual(leftover, []);
    assert.equal(existsSync(KEPT_LAB_FILE), false);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.ok(result.stdout.startsWith("building the lab: router 192.0.2.1, brain 192.0.2.17 (public .37)"), result.stdout);
    for (const step of ["router's neighbour entry for 192.0.2.37 → pinky's MAC", "HTTP from the router to 192.0.2.37 answered by brain", "lab: every step happened"]) {
      assert.ok(result.stdout.includes(step), `missing "${step}"`);
    }
    assert.ok(!result.stdout.includes("2001:db8"), "no IPv6 address in an IPv4 lab's narration");
  });

  it("--keep leaves the lab up with both daemons serving; lab down removes every namespace and process", () => {
    const kept = takeover("lab", "--keep");
    assert.equal(kept.status, 0, kept.stdout + kept.stderr);
    const state = readKeptLab();
    assert.ok(state !== undefined, "no kept-lab state file");
    assert.ok(state.namespaces.every((n) => listNamespaces().includes(n)));
    // the kept daemons hold their addresses: the router gets Brain's page at .37
    let page = "";
    for (let i = 0; i < 50 && !page.includes("<h1>brain</h1>"); i++) {
      page = spawnSync("ip", ["netns", "exec", `${state.prefix}router`, process.execPath, "-e",
        "require('http').get('http://192.0.2.37/',r=>{let b='';r.on('data',d=>b+=d);r.on('end',()=>process.stdout.write(b))}).on('error',()=>{})"], { encoding: "utf8", timeout: 5000 }).stdout;
      if (!page.includes("<h1>brain</h1>")) spawnSync("sleep", ["0.1"]);
    }
    assert.ok(page.includes("<h1>brain</h1>"), "the kept lab does not serve Brain's page");
    const again = takeover("lab");
    assert.equal(again.status, 2);
    assert.match(again.stderr, /a lab kept earlier is still up .* takeover lab down/);
    const down = takeover("lab", "down");
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(state.namespaces.filter((n) => listNamespaces().includes(n)), []);
    for (const pid of state.pids) assert.throws(() => process.kill(pid, 0), "a kept process is still running");
    assert.equal(existsSync(KEPT_LAB_FILE), false);
  });
});

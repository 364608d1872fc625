// `takeover run --check`, run as operators run it (the built CLI as a child process): it must refuse
// everything `run` refuses before touching the network — a missing or unsafe hook (StrictModes), a
// missing exec check program, an address off the interface's subnet, a config that is not a regular
// file (a FIFO must not hang it), too big, or binary — in one line per problem, exit status 2, and
// quickly; and say what it could not check (exit status 0 when nothing else is wrong). The checks that
// read the interface run in a lab namespace whose eth0 holds 192.0.2.17/24.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lab } from "../../src/lab/netns";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const CONFIG = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\nstatus: {listen: off}\n";

/** Runs the CLI; `maxRssKb` is the child's peak resident memory (a preload writes it at exit). */
function takeover(...args: string[]): ReturnType<typeof takeoverIn> {
  return takeoverIn([], ...args);
}

/** Runs the CLI behind `wrapper` (like ip netns exec NS). */
function takeoverIn(wrapper: readonly string[], ...args: string[]): { status: number | null; stdout: string; stderr: string; ms: number; maxRssKb: number } {
  const dir = mkdtempSync(join(tmpdir(), "takeover-rss-"));
  try {
    const preload = join(dir, "rss.js");
    const rss = join(dir, "rss");
    writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(rss)}, String(process.resourceUsage().maxRSS)));\n`);
    const started = Date.now();
    chmodSync(dir, 0o755);
    // the preload may run as another user (setpriv in the wrapper)
    writeFileSync(rss, "0");
    chmodSync(rss, 0o666);
    const r = spawnSync(wrapper[0] ?? process.execPath, [...wrapper.slice(1), ...(wrapper.length > 0 ? [process.execPath] : []), "--require", preload, CLI, ...args], { encoding: "utf8", timeout: 20_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started, maxRssKb: Number(readFileSync(rss, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("takeover run --check", function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "takeover-check-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a FIFO and /dev/urandom in one line without hanging (the refusal itself takes under 1 s: config.test.ts)", () => {
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    for (const [file, what] of [[fifo, "a FIFO"], ["/dev/urandom", "a device"]]) {
      const r = takeover("run", "--check", file);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `takeover: ${file}: is ${what}, not a regular file: give the path of the YAML file itself\n`);
      // the whole CLI, Node's start-up included, on a loaded machine
      assert.ok(r.ms < 1000 * 3, `${r.ms} ms`);
    }
  });

  it("refuses a 50 MB scalar fast, in one line, within 100 MB of memory", () => {
    const file = join(dir, "huge.yaml");
    writeFileSync(file, `interface: ${"a".repeat(50 * 1024 * 1024)}\n`);
    const r = takeover("run", "--check", file);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `takeover: ${file}: is 52428812 bytes, over the 1048576 (1 MiB) a config may have: give the path of the YAML file itself\n`);
    assert.ok(r.maxRssKb <= 100 * 1024, `${r.maxRssKb} KB`);
  });

  it("cuts a 1 MiB scalar to 60 characters in its one line, within 100 MB of memory", () => {
    const file = join(dir, "long.yaml");
    const head = "interface: ";
    writeFileSync(file, `${head}${"a".repeat(1024 * 1024 - head.length - 1)}\n`);
    const r = takeover("run", "--check", file);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.startsWith(`takeover: ${file}:1: interface: "${"a".repeat(60)}…" (1048564 characters) is not an interface name`), r.stderr.slice(0, 300));
    assert.ok(r.stderr.length < 1000);
    assert.ok(r.maxRssKb <= 100 * 1024, `${r.maxRssKb} KB`);
  });
});

describe("takeover run --check in a namespace (eth0 192.0.2.17/24)", function () {
  this.timeout(60_000);
  let lab: Lab;
  let dir: string;
  const inBox = (...args: string[]) => takeoverIn(["ip", "netns", "exec", lab.ns("box")], ...args);
  const nobody = (...args: string[]) => takeoverIn(["ip", "netns", "exec", lab.ns("box"), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"], ...args);

  before(async () => {
    lab = await Lab.create({ hosts: [{ name: "box", address: "192.0.2.17/24" }] });
  });
  after(async () => {
    await lab?.destroy();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "takeover-check-"));
    chmodSync(dir, 0o755);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function config(text: string): string {
    const file = join(dir, "brain.yaml");
    writeFileSync(file, text, { mode: 0o644 });
    return file;
  }

  it("says ok for a good config with a safe hook and an exec check, then what it could not check; exit 0", () => {
    const hook = join(dir, "claimed.sh");
    writeFileSync(hook, "#!/bin/sh\n", { mode: 0o755 });
    const file = config(`${CONFIG}hooks: {claimed: ${hook}}\nchecks:\n  - target: peer\n  - {type: exec, command: [/bin/true]}\n`);
    const r = inBox("run", "--check", file);
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    assert.equal(
      r.stdout,
      `${file}: ok — brain (192.0.2.17) holds 192.0.2.37, watches pinky (192.0.2.18) for 192.0.2.36 on eth0 with 2 check(s)\n` +
        `${file}: not checked: opening the capture on eth0 (it sends frames to prove the capture works; run does it at start)\n` +
        `${file}: not checked: the checks themselves (they send traffic, or run programs); only whether they can be run\n`,
    );
  });

  it("says ok for the shipped examples/fast.yaml (every 2 ms), exit 0", () => {
    const file = join(__dirname, "..", "..", "..", "examples", "fast.yaml");
    // its status listener is 127.0.0.1:9337, like brain.yaml's: --check does not bind it
    const r = inBox("run", "--check", file);
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    assert.ok(r.stdout.startsWith(`${file}: ok — brain (192.0.2.17) holds 192.0.2.37, watches pinky (192.0.2.18) for 192.0.2.36 on eth0 with 1 check(s)\n`), r.stdout);
  });

  it("refuses a missing hook and a group-writable one, one line each, exit 2", () => {
    const lax = join(dir, "lax.sh");
    writeFileSync(lax, "#!/bin/sh\n");
    chmodSync(lax, 0o775);
    const file = config(`${CONFIG}hooks: {claimed: ${join(dir, "nope.sh")}, released: ${lax}}\n`);
    const r = inBox("run", "--check", file);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `takeover: ${file}: hooks.claimed: ${join(dir, "nope.sh")} does not exist: install it, or fix the path\n` +
        `takeover: ${file}: hooks.released: ${lax} is writable by group or others (anyone of them could run anything as the daemon): chmod go-w ${lax}\n`,
    );
  });

  it("refuses an exec check whose program is missing, exit 2", () => {
    const missing = join(dir, "check-db");
    const file = config(`${CONFIG}checks:\n  - target: peer\n  - {type: exec, command: [${missing}, --quick]}\n`);
    const r = inBox("run", "--check", file);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `takeover: ${file}: checks[1].command: ${missing} does not exist: install it, or fix the path\n`);
  });

  it("refuses an address outside the interface's subnet, exit 2", () => {
    const file = config(CONFIG.replace("publicAddress: 192.0.2.36", "publicAddress: 198.51.100.36"));
    const r = inBox("run", "--check", file);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `takeover: ${file}: peer.publicAddress: 198.51.100.36 is not on eth0's subnet 192.0.2.17/24; the router could not reach it there\n`);
  });

  it("refuses IPv6 public addresses on an interface with IPv6 off, or outside its IPv6 prefixes, and says ok inside, exit 2 / 0", () => {
    const v6 = (peer: string) => config(CONFIG.replace("publicAddress: 192.0.2.37", "publicAddress: [192.0.2.37, 2001:db8:2::37/64]").replace("publicAddress: 192.0.2.36", `publicAddress: [192.0.2.36, ${peer}]`));
    // the lab's hosts have IPv6 off
    const off = v6("2001:db8:2::36/64");
    const o = inBox("run", "--check", off);
    assert.equal(o.status, 2);
    assert.equal(o.stderr, `takeover: ${off}: interface: eth0 has no IPv6 link-local address (IPv6 is off there?), and the IPv6 public addresses and checks need one: enable IPv6 on it (sysctl net.ipv6.conf.eth0.disable_ipv6=0)\n`);
    const sysctl = (value: number) => execFileSync("ip", ["netns", "exec", lab.ns("box"), "sysctl", "-qw", `net.ipv6.conf.eth0.disable_ipv6=${value}`]);
    sysctl(0);
    try {
      execFileSync("ip", ["-n", lab.ns("box"), "addr", "add", "2001:db8:2::17/64", "dev", "eth0", "nodad"]);
      const outside = v6("2001:db8:1::36/64");
      const r = inBox("run", "--check", outside);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `takeover: ${outside}: peer.publicAddress[1]: 2001:db8:1::36/64 is not in a prefix of eth0 (it has 2001:db8:2::17/64); use an address and prefix length of the segment, or the router will not send it here\n`);
      const inside = v6("2001:db8:2::36/64");
      const ok = inBox("run", "--check", inside);
      assert.equal(ok.stderr, "");
      assert.equal(ok.status, 0);
      assert.ok(ok.stdout.startsWith(`${inside}: ok — brain (192.0.2.17) holds 192.0.2.37, 2001:db8:2::37, watches pinky (192.0.2.18) for 192.0.2.36, 2001:db8:2::36 on eth0`), ok.stdout);
    } finally {
      sysctl(1);
    }
  });

  it("refuses a node address the interface does not have, and an interface the box does not have", () => {
    const off = config(CONFIG.replace("address: 192.0.2.17", "address: 192.0.2.19"));
    const r = inBox("run", "--check", off);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `takeover: ${off}: node.address: 192.0.2.19 is not on eth0 (it has 192.0.2.17/24); put this box's real address there, or fix the config\n`);
    const missing = config(CONFIG.replace("interface: eth0", "interface: eth7"));
    const m = inBox("run", "--check", missing);
    assert.equal(m.status, 2);
    assert.equal(m.stderr, `takeover: ${missing}: interface: no interface "eth7"; this host has: lo, eth0\n`);
  });

  it("warns of an interface check's interface absent now, and still says ok; exit 0", () => {
    const file = config(`${CONFIG}checks:\n  - target: peer\n  - {type: interface, interface: eth1}\n`);
    const r = inBox("run", "--check", file);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, `takeover: warning: ${file}: checks[1].interface: no interface "eth1"; this host has: lo, eth0; the check "interface-eth1" fails until it exists\n`);
    assert.match(r.stdout, /: ok — brain/);
  });

  it("without privilege: checks what it can, and says the capture and addresses were not checked", () => {
    const file = config(`${CONFIG}checks:\n  - target: peer\n  - {type: exec, command: [/bin/true]}\n`);
    const r = nobody("run", "--check", file);
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    assert.equal(
      r.stdout.split("\n")[1],
      `${file}: not checked: opening the capture on eth0 and changing its addresses: this process lacks CAP_NET_RAW and CAP_NET_ADMIN, which run needs (run it as root, or with those capabilities: see the systemd unit)`,
    );
    const bad = config(CONFIG.replace("publicAddress: 192.0.2.36", "publicAddress: 198.51.100.36"));
    assert.equal(nobody("run", "--check", bad).status, 2, "and the subnet is checked without privilege too");
  });
});

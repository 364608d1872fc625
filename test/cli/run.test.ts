// `takeover run --check`, run as operators run it (the built CLI as a child process): it must refuse
// everything `run` refuses before touching the network — a missing or unsafe hook (StrictModes), a
// config that is not a regular file (a FIFO must not hang it), too big, or binary — in one line per
// problem, exit status 2, and quickly.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const CONFIG = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\nstatus: {listen: off}\n";

/** Runs the CLI; `maxRssKb` is the child's peak resident memory (a preload writes it at exit). */
function takeover(...args: string[]): { status: number | null; stdout: string; stderr: string; ms: number; maxRssKb: number } {
  const dir = mkdtempSync(join(tmpdir(), "takeover-rss-"));
  try {
    const preload = join(dir, "rss.js");
    const rss = join(dir, "rss");
    writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(rss)}, String(process.resourceUsage().maxRSS)));\n`);
    const started = Date.now();
    const r = spawnSync(process.execPath, ["--require", preload, CLI, ...args], { encoding: "utf8", timeout: 20_000 });
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

  it("says ok for a good config with a safe hook", () => {
    const hook = join(dir, "claimed.sh");
    writeFileSync(hook, "#!/bin/sh\n", { mode: 0o755 });
    const file = join(dir, "brain.yaml");
    writeFileSync(file, `${CONFIG}hooks: {claimed: ${hook}}\n`);
    const r = takeover("run", "--check", file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /: ok — brain/);
  });

  it("refuses a missing hook and a group-writable one, one line each, exit 2", () => {
    const lax = join(dir, "lax.sh");
    writeFileSync(lax, "#!/bin/sh\n");
    chmodSync(lax, 0o775);
    const file = join(dir, "brain.yaml");
    writeFileSync(file, `${CONFIG}hooks: {claimed: ${join(dir, "nope.sh")}, released: ${lax}}\n`);
    const r = takeover("run", "--check", file);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `takeover: ${file}: hooks.claimed: ${join(dir, "nope.sh")} does not exist: install it, or fix the path\n` +
        `takeover: ${file}: hooks.released: ${lax} is writable by group or others (anyone of them could run anything as the daemon): chmod go-w ${lax}\n`,
    );
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

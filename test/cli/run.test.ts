// `takeover run --check`, run as operators run it (the built CLI as a child process): it must refuse
// everything `run` refuses before touching the network — a missing or unsafe hook (StrictModes), a
// config that is not a regular file (a FIFO must not hang it), too big, or binary — in one line per
// problem, exit status 2, and quickly.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const CONFIG = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\nstatus: {listen: off}\n";

function takeover(...args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
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
});

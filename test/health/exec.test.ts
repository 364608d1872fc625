// The exec check, with real programs: exit status 0 passes and anything else fails with the reason;
// a timeout kills the whole process group (a grandchild too); output is bounded (a 10 MB writer keeps
// 4 KiB and does not block); the environment is clean; the argv reaches the program without a shell;
// capabilities are dropped unless kept; a missing program fails with the fix; one run at a time.
import { strict as assert } from "node:assert";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkEnvironment, DEFAULT_OUTPUT_BYTES, ExecCheck, ExecCheckOptions, outputLine } from "../../src/health/exec";

/** A shell script at `dir/name`, mode 0755. */
function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return path;
}

function check(command: string[], options: Partial<ExecCheckOptions> = {}): ExecCheck {
  return new ExecCheck("test", { command, timeoutMs: 5000, keepCapabilities: false, ...options });
}

/** Whether `pid` is gone (or a zombie waiting for its reaper). */
function dead(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? true;
  } catch {
    return true;
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

describe("exec check", function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "takeover-exec-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("passes on exit status 0", async () => {
    const result = await check(["/bin/true"]).run();
    assert.equal(result.ok, true, result.detail);
    assert.match(result.detail, /^exit status 0 in [0-9.]+ms$/);
  });

  it("fails on another exit status, with the status and the start of the output in one line", async () => {
    const prog = script(dir, "fail.sh", 'echo "database not ready"\necho "second line" >&2\nexit 3');
    const result = await check([prog]).run();
    assert.equal(result.ok, false);
    assert.match(result.detail, /^exit status 3 after [0-9.]+ms: database not ready second line$/);
  });

  it("fails when killed by a signal", async () => {
    const prog = script(dir, "segv.sh", "kill -SEGV $$");
    const result = await check([prog]).run();
    assert.equal(result.ok, false);
    assert.match(result.detail, /^killed by SIGSEGV after /);
  });

  it("kills the whole process group at the timeout, a grandchild included, and says so", async () => {
    const pids = join(dir, "pids");
    const prog = script(dir, "hang.sh", `sleep 60 &\necho $! > ${pids}\necho $$ >> ${pids}\nsleep 60`);
    const started = Date.now();
    const result = await check([prog], { timeoutMs: 300 }).run();
    const took = Date.now() - started;
    assert.equal(result.ok, false);
    assert.equal(result.detail, "timeout after 300ms: killed with its process group");
    assert.ok(took < 10_000, `${took} ms`);
    const [grandchild, child] = readFileSync(pids, "utf8").trim().split("\n").map(Number);
    assert.ok(await until(() => dead(grandchild) && dead(child), 5000), `pids ${grandchild} and ${child} are gone`);
  });

  it("kills what the program left running in its group when it exits", async () => {
    const pids = join(dir, "pids");
    const prog = script(dir, "leave.sh", `sleep 60 > /dev/null 2>&1 &\necho $! > ${pids}\nexit 0`);
    const result = await check([prog]).run();
    assert.equal(result.ok, true, result.detail);
    const grandchild = Number(readFileSync(pids, "utf8").trim());
    assert.ok(await until(() => dead(grandchild), 5000), `pid ${grandchild} is gone`);
  });

  it("keeps the first 4 KiB of 10 MB of output, reads the rest without blocking, and shows one cut line", async () => {
    const prog = script(dir, "loud.sh", "head -c 10000000 /dev/zero | tr '\\000' a\nexit 1");
    const c = check([prog]);
    const result = await c.run();
    assert.equal(result.ok, false);
    assert.equal(c.lastOutput.kept.length, DEFAULT_OUTPUT_BYTES);
    assert.equal(c.lastOutput.totalBytes, 10_000_000);
    assert.match(result.detail, /^exit status 1 after [0-9.]+ms: a{200}…$/);
  });

  it("runs with a clean environment: PATH, LANG=C and the variables it is given, nothing of the daemon's", async () => {
    process.env.TAKEOVER_TEST_SECRET = "leaked";
    try {
      const c = check(["/usr/bin/env"], { environment: { TAKEOVER_CHECK: "db", TAKEOVER_NODE: "brain" } });
      const result = await c.run();
      assert.equal(result.ok, true, result.detail);
      const lines = c.lastOutput.kept.toString().trim().split("\n").sort();
      assert.deepEqual(lines, ["LANG=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TAKEOVER_CHECK=db", "TAKEOVER_NODE=brain"]);
      assert.deepEqual(checkEnvironment(), { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C" });
    } finally {
      delete process.env.TAKEOVER_TEST_SECRET;
    }
  });

  it("passes each word to the program as it is: no shell expands $(…), globs or ;", async () => {
    const marker = join(dir, "marker");
    const c = check(["/usr/bin/printf", "%s|", `$(touch ${marker})`, "*", "; touch x", "$HOME"]);
    const result = await c.run();
    assert.equal(result.ok, true, result.detail);
    assert.equal(c.lastOutput.kept.toString(), `$(touch ${marker})|*|; touch x|$HOME|`);
    assert.equal(existsSync(marker), false, "nothing ran the $(…)");
  });

  it("drops every capability (effective, inheritable, ambient, bounding) unless told to keep them", async () => {
    const caps = async (keepCapabilities: boolean) => {
      const c = check(["/bin/grep", "^Cap", "/proc/self/status"], { keepCapabilities });
      const result = await c.run();
      assert.equal(result.ok, true, result.detail);
      return Object.fromEntries(c.lastOutput.kept.toString().trim().split("\n").map((l) => l.split(/:\s+/) as [string, string]));
    };
    const dropped = await caps(false);
    assert.equal(BigInt(`0x${dropped.CapEff}`), 0n, `CapEff ${dropped.CapEff}`);
    assert.equal(BigInt(`0x${dropped.CapInh}`), 0n);
    assert.equal(BigInt(`0x${dropped.CapAmb}`), 0n);
    if (process.getuid?.() === 0) {
      assert.equal(BigInt(`0x${dropped.CapBnd}`), 0n, "as root the bounding set is emptied too");
      const kept = await caps(true);
      assert.notEqual(BigInt(`0x${kept.CapEff}`), 0n, "keepCapabilities: the daemon's (root's) capabilities are inherited");
    }
  });

  it("fails with the reason and the fix when the program is missing, not executable, or group-writable", async () => {
    const missing = join(dir, "nope");
    for (const keepCapabilities of [false, true]) {
      const result = await check([missing, "--quick"], { keepCapabilities }).run();
      assert.deepEqual(result, { ok: false, rttMicros: 0, detail: `cannot run ${missing}: it does not exist: install it, or fix the path` });
    }
    const plain = join(dir, "plain");
    writeFileSync(plain, "#!/bin/sh\n", { mode: 0o644 });
    assert.equal((await check([plain]).run()).detail, `cannot run ${plain}: it is not executable: chmod +x ${plain}`);
    const lax = join(dir, "lax");
    writeFileSync(lax, "#!/bin/sh\n");
    chmodSync(lax, 0o775);
    assert.match((await check([lax]).run()).detail, new RegExp(`^cannot run ${lax}: it is writable by group or others .*: chmod go-w ${lax}$`));
  });

  it("runs one at a time: a run() while one is going gets that run's result", async () => {
    const count = join(dir, "count");
    const prog = script(dir, "slow.sh", `echo run >> ${count}\nsleep 0.2`);
    const c = check([prog]);
    const [a, b] = await Promise.all([c.run(), c.run()]);
    assert.deepEqual(a, b);
    assert.equal(readFileSync(count, "utf8"), "run\n", "the program ran once");
    await c.run();
    assert.equal(readFileSync(count, "utf8"), "run\nrun\n", "and again once that run was over");
  });

  it("ends at once when aborted, killing the program", async () => {
    const pids = join(dir, "pids");
    const prog = script(dir, "hang.sh", `echo $$ > ${pids}\nsleep 60`);
    const controller = new AbortController();
    const running = check([prog], { timeoutMs: 30_000 }).run(controller.signal);
    assert.ok(await until(() => existsSync(pids) && readFileSync(pids, "utf8").trim() !== "", 5000));
    controller.abort();
    assert.equal((await running).detail, "aborted");
    assert.ok(await until(() => dead(Number(readFileSync(pids, "utf8").trim())), 5000));
  });

  it("shows output as one printable line, cut", () => {
    assert.equal(outputLine({ kept: Buffer.from("a\n\tb\x01c\r\n"), totalBytes: 8 }), "a b\\x01c");
    assert.equal(outputLine({ kept: Buffer.from("abc"), totalBytes: 10 }), "abc…");
    assert.equal(outputLine({ kept: Buffer.from("x".repeat(300)), totalBytes: 300 }), `${"x".repeat(200)}…`);
  });
});

// Hooks (src/failover/hooks.ts, wired by src/failover/observers.ts), with temp shell scripts that write
// what they were given to a file: the arguments and TAKEOVER_* environment must be exact; output is
// logged line by line; a failing, hanging (killed at the timeout, with what it started) or missing
// hook is logged and the runner goes on; runs of one event never overlap and the queue is bounded;
// hooks that cannot be run are refused at start in one line; daemon log events fire the right hooks.
// StrictModes: a hook others could change (its mode, its owner, a directory above it) or that is not a
// regular file is refused, at start and before a run; hooks run with no capabilities unless kept.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookEvent, HooksConfig, parseConfig } from "../../src/failover/config";
import { StartupError } from "../../src/failover/daemon";
import { HookRunner, hookEventOf, hookProblem, hookProblems, QUEUE_LIMIT } from "../../src/failover/hooks";
import { Logger } from "../../src/failover/log";
import { attachObservers } from "../../src/failover/observers";
import { FakeDaemon } from "./observer-fakes";

const HOOK_CAPS_CHILD = join(__dirname, "fixtures", "hook-caps-child.js");
const CONTEXT = { interface: "eth0", node: "brain", peer: "pinky" };
const CONFIG = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\nstatus: {listen: off}\n";

/** A logger that keeps `event address: detail` lines. */
function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, line: (event, address, detail) => lines.push(`${event} ${address ?? "-"}: ${detail}`) };
}

function hooks(paths: Partial<Record<HookEvent, string>>, timeoutMicros = 5_000_000, keepCapabilities = false): HooksConfig {
  return { paths, timeoutMicros, keepCapabilities };
}

describe("hooks", () => {
  let dir: string;
  let out: string;

  /** An executable shell script in the temp dir. */
  async function script(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "takeover-hooks-"));
    out = join(dir, "out.txt");
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("maps daemon log events to hook events", () => {
    assert.deepEqual(
      ["claim", "yield", "release", "hand-back", "conflict", "peer-down", "peer-up", "not-claiming", "added", "start"].map(hookEventOf),
      ["claimed", "released", "released", "released", "conflict", "peer-down", "peer-up", undefined, undefined, undefined],
    );
  });

  it("runs the hook with EVENT ADDRESS INTERFACE and the TAKEOVER_* environment, logging its output", async () => {
    const path = await script(
      "record.sh",
      `printf 'args=%s|%s|%s|%s\\n' "$#" "$1" "$2" "$3" >> ${out}
printf 'env=%s|%s|%s|%s|%s|%s\\n' "$TAKEOVER_EVENT" "$TAKEOVER_ADDRESS" "$TAKEOVER_INTERFACE" "$TAKEOVER_DETAIL" "$TAKEOVER_NODE" "$TAKEOVER_PEER" >> ${out}
echo "hello from the hook"
printf 'two\\nlines' >&2`,
    );
    const log = memoryLog();
    const runner = new HookRunner(hooks({ claimed: path }), CONTEXT, log);
    runner.fire("claimed", "192.0.2.36", "nobody answered the probe; $(touch /tmp/x) 'quoted'");
    runner.fire("released", "192.0.2.36", "no hook for this one");
    await runner.idle();
    assert.equal(await readFile(out, "utf8"), "args=3|claimed|192.0.2.36|eth0\nenv=claimed|192.0.2.36|eth0|nobody answered the probe; $(touch /tmp/x) 'quoted'|brain|pinky\n");
    assert.deepEqual(log.lines.slice(0, 3).sort(), [
      `hook 192.0.2.36: claimed ${path}: stderr: lines`,
      `hook 192.0.2.36: claimed ${path}: stderr: two`,
      `hook 192.0.2.36: claimed ${path}: stdout: hello from the hook`,
    ]);
    assert.match(log.lines[3], new RegExp(`^hook 192\\.0\\.2\\.36: claimed ${path}: done in [0-9.]+ ms$`));
    assert.equal(log.lines.length, 4);
  });

  it("logs a failing hook and goes on", async () => {
    const failing = await script("fail.sh", "echo 'no mail server' >&2\nexit 3");
    const good = await script("good.sh", `echo "$1" >> ${out}`);
    const log = memoryLog();
    const runner = new HookRunner(hooks({ conflict: failing, "peer-down": good }), CONTEXT, log);
    runner.fire("conflict", "192.0.2.37", "x");
    runner.fire("peer-down", "192.0.2.36", "peer is down");
    await runner.idle();
    assert.ok(log.lines.includes(`hook 192.0.2.37: conflict ${failing}: stderr: no mail server`), log.lines.join("\n"));
    assert.ok(log.lines.some((l) => new RegExp(`^hook 192\\.0\\.2\\.37: conflict ${failing}: failed: exit status 3 after [0-9.]+ ms$`).test(l)), log.lines.join("\n"));
    assert.equal(await readFile(out, "utf8"), "peer-down\n");
  });

  it("kills a hook that runs past the timeout, with what it started, and logs it", async () => {
    const hanging = await script("hang.sh", `echo started >> ${out}\nsleep 30\necho finished >> ${out}`);
    const log = memoryLog();
    const runner = new HookRunner(hooks({ released: hanging }, 300_000), CONTEXT, log);
    const started = Date.now();
    runner.fire("released", "192.0.2.36", "hand-back");
    await runner.idle();
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
    assert.deepEqual(log.lines, [`hook 192.0.2.36: released ${hanging}: killed after the 300 ms timeout`]);
    assert.equal(await readFile(out, "utf8"), "started\n");
  });

  it("logs a hook that does not exist or is not executable, and goes on", async () => {
    const missing = join(dir, "missing.sh");
    const plain = join(dir, "plain.sh");
    await writeFile(plain, "#!/bin/sh\nexit 0\n");
    await chmod(plain, 0o644);
    const log = memoryLog();
    const runner = new HookRunner(hooks({ claimed: missing, released: plain }), CONTEXT, log);
    runner.fire("claimed", "192.0.2.36", "x");
    runner.fire("released", "192.0.2.36", "x");
    await runner.idle();
    assert.deepEqual(log.lines.sort(), [
      `hook 192.0.2.36: claimed ${missing}: cannot run: does not exist: install it, or fix the path`,
      `hook 192.0.2.36: released ${plain}: cannot run: is not executable: chmod +x ${plain}`,
    ]);
  });

  it("runs one event's hook one at a time, in order, and drops runs past the queue's bound", async () => {
    const slow = await script("slow.sh", `echo "start $TAKEOVER_DETAIL" >> ${out}\nsleep 0.05\necho "end $TAKEOVER_DETAIL" >> ${out}`);
    const log = memoryLog();
    const runner = new HookRunner(hooks({ "peer-up": slow }), CONTEXT, log);
    for (let i = 0; i < QUEUE_LIMIT + 3; i++) runner.fire("peer-up", "192.0.2.36", String(i));
    await runner.close();
    // the first starts at once, QUEUE_LIMIT wait behind it, the last 2 are dropped
    const ran = QUEUE_LIMIT + 1;
    const expected = Array.from({ length: ran }, (_, i) => [`start ${i}`, `end ${i}`]).flat();
    assert.deepEqual((await readFile(out, "utf8")).trim().split("\n"), expected);
    assert.equal(log.lines.filter((l) => l.endsWith(`${QUEUE_LIMIT} runs already waiting; this one is dropped`)).length, 2);
    // closed: no more runs
    runner.fire("peer-up", "192.0.2.36", "after");
    await runner.idle();
    assert.ok(!(await readFile(out, "utf8")).includes("after"));
  });

  it("says in one line which hooks cannot be run, and attachObservers refuses to start with them", async () => {
    const good = await script("good.sh", "exit 0");
    const plain = join(dir, "plain.sh");
    await writeFile(plain, "#!/bin/sh\n");
    await chmod(plain, 0o644);
    const sub = join(dir, "sub");
    await mkdir(sub);
    assert.deepEqual(hookProblems(hooks({ claimed: good, released: good })), []);
    assert.deepEqual(hookProblems(hooks({ claimed: join(dir, "nope.sh"), released: plain, conflict: sub })), [
      `hooks.claimed: ${join(dir, "nope.sh")} does not exist: install it, or fix the path`,
      `hooks.released: ${plain} is not executable: chmod +x ${plain}`,
      `hooks.conflict: ${sub} is a directory, not a regular file: give the path of an executable file`,
    ]);
    const config = parseConfig(`${CONFIG}hooks: {claimed: ${join(dir, "nope.sh")}}\n`, "brain.yaml");
    assert.throws(
      () => attachObservers(new FakeDaemon(), config, memoryLog()),
      (error: Error) => error instanceof StartupError && error.message === `brain.yaml: hooks.claimed: ${join(dir, "nope.sh")} does not exist: install it, or fix the path`,
    );
  });

  it("fires from the daemon's log events through attachObservers, and close waits for runs", async () => {
    const record = await script("record.sh", `echo "$1 $2 $3 $TAKEOVER_DETAIL" >> ${out}`);
    const daemon = new FakeDaemon();
    const log = memoryLog();
    const observers = attachObservers(daemon, parseConfig(`${CONFIG}hooks: {all: ${record}}\n`, "brain.yaml"), log);
    daemon.log("peer-down", undefined, "peer is down");
    daemon.log("claim", "192.0.2.36", "nobody answered the probe");
    daemon.log("added", "192.0.2.36", "not a hook event");
    daemon.log("hand-back", "192.0.2.36", "peer healthy again");
    daemon.log("conflict", "192.0.2.37", "defending it");
    daemon.log("peer-up", undefined, "peer is up");
    await observers.close();
    assert.deepEqual((await readFile(out, "utf8")).trim().split("\n").sort(), [
      "claimed 192.0.2.36 eth0 nobody answered the probe",
      "conflict 192.0.2.37 eth0 defending it",
      "peer-down 192.0.2.36 eth0 peer is down",
      "peer-up 192.0.2.36 eth0 peer is up",
      "released 192.0.2.36 eth0 peer healthy again",
    ]);
    assert.equal(daemon.events.listenerCount("event"), 0);
  });
  describe("StrictModes: who could change the hook", () => {
    it("accepts a root-owned 0755 hook in a 0700 directory under the sticky, root-owned /tmp", async () => {
      const path = await script("ok.sh", "exit 0");
      assert.equal(hookProblem(path), undefined);
    });

    it("refuses a group- or world-writable hook, naming the chmod", async () => {
      const path = await script("lax.sh", "exit 0");
      await chmod(path, 0o775);
      assert.deepEqual(hookProblem(path), { why: "is writable by group or others (anyone of them could run anything as the daemon)", fix: `chmod go-w ${path}` });
      await chmod(path, 0o757);
      assert.equal(hookProblem(path)?.fix, `chmod go-w ${path}`);
    });

    it("refuses a hook in a directory others may write to, even a sticky one, and one above it that is not root's sticky kind", async () => {
      const sub = join(dir, "hooks");
      await mkdir(sub);
      const path = join(sub, "h.sh");
      await writeFile(path, "#!/bin/sh\n");
      await chmod(path, 0o755);
      await chmod(sub, 0o777);
      assert.deepEqual(hookProblem(path), { why: `lies in ${sub}, which is writable by group or others (anyone of them could replace the hook)`, fix: `chmod go-w ${sub}` });
      // sticky and root-owned, but the hook's own directory: still refused
      await chmod(sub, 0o1777);
      assert.equal(hookProblem(path)?.fix, `chmod go-w ${sub}`);
      // an ancestor writable by others, not sticky
      await chmod(sub, 0o755);
      await chmod(dir, 0o770);
      assert.deepEqual(hookProblem(path), { why: `lies in ${dir}, which is writable by group or others (anyone of them could replace the hook)`, fix: `chmod go-w ${dir}` });
      // root-owned and sticky above the hook's own directory (as /tmp is): accepted
      await chmod(dir, 0o1777);
      assert.equal(hookProblem(path), undefined);
      await chmod(dir, 0o700);
    });

    it("refuses a hook or a directory above it owned by another user, naming the chown", async () => {
      const path = await script("theirs.sh", "exit 0");
      await chown(path, 65534, 65534);
      assert.deepEqual(hookProblem(path), { why: "is owned by uid 65534, not by root", fix: `chown root ${path}` });
      await chown(path, 0, 0);
      const sub = join(dir, "theirs");
      await mkdir(sub, { mode: 0o755 });
      await chown(sub, 65534, 65534);
      const inside = join(sub, "h.sh");
      await writeFile(inside, "#!/bin/sh\n", { mode: 0o755 });
      assert.deepEqual(hookProblem(inside), { why: `lies in ${sub}, which is owned by uid 65534, not by root`, fix: `chown root ${sub}` });
    });

    it("checks a symlinked hook along the link's directories too", async () => {
      const target = await script("real.sh", "exit 0");
      const open = join(dir, "open");
      await mkdir(open);
      await chmod(open, 0o777);
      const link = join(open, "link.sh");
      await symlink(target, link);
      assert.equal(hookProblem(link)?.fix, `chmod go-w ${open}`);
      await chmod(open, 0o755);
      assert.equal(hookProblem(link), undefined);
    });

    it("refuses what is not a regular file: a FIFO, a directory, /dev/null", async () => {
      const fifo = join(dir, "fifo");
      execFileSync("mkfifo", [fifo]);
      await chmod(fifo, 0o755);
      assert.deepEqual(hookProblem(fifo), { why: "is a FIFO, not a regular file", fix: "give the path of an executable file" });
      assert.equal(hookProblem(dir)?.why, "is a directory, not a regular file");
      assert.equal(hookProblem("/dev/null")?.why, "is a device, not a regular file");
      assert.deepEqual(hookProblems(hooks({ claimed: "/dev/null" })), ["hooks.claimed: /dev/null is a device, not a regular file: give the path of an executable file"]);
    });

    it("checks again before each run: a hook made writable after start is not run", async () => {
      const path = await script("later.sh", `echo ran >> ${out}`);
      assert.deepEqual(hookProblems(hooks({ claimed: path })), []);
      await chmod(path, 0o777);
      const log = memoryLog();
      const runner = new HookRunner(hooks({ claimed: path }), CONTEXT, log);
      runner.fire("claimed", "192.0.2.36", "x");
      await runner.idle();
      assert.deepEqual(log.lines, [`hook 192.0.2.36: claimed ${path}: cannot run: is writable by group or others (anyone of them could run anything as the daemon): chmod go-w ${path}`]);
      await assert.rejects(readFile(out, "utf8"), { code: "ENOENT" });
    });
  });

  describe("capabilities", () => {
    /** The Cap* lines of the hook's /proc/self/status, as numbers. */
    async function capsOfHook(keepCapabilities: boolean): Promise<Record<string, bigint>> {
      const path = await script("caps.sh", `grep Cap /proc/self/status > ${out}`);
      const runner = new HookRunner(hooks({ claimed: path }, 5_000_000, keepCapabilities), CONTEXT, memoryLog());
      runner.fire("claimed", "192.0.2.36", "x");
      await runner.idle();
      const caps: Record<string, bigint> = {};
      for (const line of (await readFile(out, "utf8")).trim().split("\n")) {
        const [name, value] = line.split(/:\s*/);
        caps[name] = BigInt(`0x${value}`);
      }
      return caps;
    }

    it("runs hooks with every capability dropped: effective, permitted, inheritable, ambient and bounding set are empty", async () => {
      const caps = await capsOfHook(false);
      assert.deepEqual(caps, { CapInh: 0n, CapPrm: 0n, CapEff: 0n, CapBnd: 0n, CapAmb: 0n });
    });

    it("under the systemd unit's credentials (uid 65534, ambient net_raw+net_admin, no CAP_SETPCAP) a hook holds none", async () => {
      // readable by uid 65534, writable by root only (StrictModes); the hook writes to a directory of its own
      await chmod(dir, 0o755);
      const outDir = join(dir, "out");
      await mkdir(outDir);
      await chmod(outDir, 0o777);
      const caps = join(outDir, "caps.txt");
      const path = await script("caps.sh", `grep Cap /proc/self/status > ${caps}`);
      const run = spawnSync(
        "setpriv",
        [
          "--reuid=65534", "--regid=65534", "--clear-groups",
          "--inh-caps=-all,+net_raw,+net_admin", "--ambient-caps=-all,+net_raw,+net_admin", "--bounding-set=-all,+net_raw,+net_admin",
          process.execPath, HOOK_CAPS_CHILD, path,
        ],
        { encoding: "utf8", timeout: 20_000 },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /claimed .*: done in/);
      const fields = Object.fromEntries((await readFile(caps, "utf8")).trim().split("\n").map((l) => l.split(/:\s*/)));
      // nothing held; the bounding set cannot be emptied without CAP_SETPCAP, and NoNewPrivileges keeps it unreachable
      assert.deepEqual(fields, { CapInh: "0000000000000000", CapPrm: "0000000000000000", CapEff: "0000000000000000", CapBnd: "0000000000003000", CapAmb: "0000000000000000" });
    });

    it("with hooks.keepCapabilities: true, a hook run by root keeps them", async () => {
      const caps = await capsOfHook(true);
      assert.notEqual(caps.CapEff, 0n);
      assert.notEqual(caps.CapBnd, 0n);
    });
  });
});

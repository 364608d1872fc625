// Hooks (src/failover/hooks.ts, wired by src/failover/observers.ts), with temp shell scripts that write
// what they were given to a file: the arguments and TAKEOVER_* environment must be exact; output is
// logged line by line; a failing, hanging (killed at the timeout, with what it started) or missing
// hook is logged and the runner goes on; runs of one event never overlap and the queue is bounded;
// hooks that cannot be run are refused at start in one line; daemon log events fire the right hooks.
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookEvent, HooksConfig, parseConfig } from "../../src/failover/config";
import { StartupError } from "../../src/failover/daemon";
import { HookRunner, hookEventOf, hookProblems, QUEUE_LIMIT } from "../../src/failover/hooks";
import { Logger } from "../../src/failover/log";
import { attachObservers } from "../../src/failover/observers";
import { FakeDaemon } from "./observer-fakes";

const CONTEXT = { interface: "eth0", node: "brain", peer: "pinky" };
const CONFIG = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\nstatus: {listen: off}\n";

/** A logger that keeps `event address: detail` lines. */
function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, line: (event, address, detail) => lines.push(`${event} ${address ?? "-"}: ${detail}`) };
}

function hooks(paths: Partial<Record<HookEvent, string>>, timeoutMicros = 5_000_000): HooksConfig {
  return { paths, timeoutMicros };
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
    assert.deepEqual(log.lines.sort(), [`hook 192.0.2.36: claimed ${missing}: cannot run: does not exist`, `hook 192.0.2.36: released ${plain}: cannot run: is not executable`]);
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
      `hooks.conflict: ${sub} is not a file: give the path of an executable`,
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
});

// `takeover run`'s log as an operator (or systemd) sees it: the built CLI as a child process in a
// network namespace of the test's own (veth eth0 with the box's real address; the peer never
// answers, so the daemon logs start, peer-down and a claim of the peer's address, then SIGTERM's
// hand-back). Checked: warnings on stderr and the rest on stdout, each line with its level; under
// journald (JOURNAL_STREAM naming our stdout, as systemd sets it) every line on stdout with its
// `<N>` priority and no timestamp; `--log-format json --log-level debug` one JSON object per line,
// check results included; `--log-level warning` drops the rest; the config's `log:` section does the
// same, and the flags win over it; SIGHUP applies a changed one.
import { strict as assert } from "node:assert";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const CONFIG = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\nstatus: {listen: off}\n";

interface Run {
  status: number | null;
  stdout: string[];
  stderr: string[];
}

describe("takeover run: log levels, streams, journald and JSON", function () {
  this.timeout(60_000);
  const ns = `tk-${process.pid}-${randomBytes(3).toString("hex")}-log`;
  let dir = "";
  let config = "";

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "takeover-logs-"));
    config = join(dir, "brain.yaml");
    writeFileSync(config, CONFIG);
    execFileSync("ip", ["netns", "add", ns]);
    const ip = (...args: string[]) => execFileSync("ip", ["-n", ns, ...args]);
    ip("link", "set", "lo", "up");
    ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
    ip("link", "set", "eth0", "up");
    ip("link", "set", "eth1", "up");
    ip("addr", "add", "192.0.2.17/24", "dev", "eth0");
  });

  after(() => {
    spawnSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
    assert.ok(!execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).includes(ns), "the namespace is gone");
  });

  /**
   * Runs the daemon until a line matches `until` (at most 15 s), then SIGTERM (SIGKILL 10 s later).
   * `journald`: started as systemd would, with JOURNAL_STREAM set to its stdout's device:inode.
   */
  function daemon(args: string[], until: RegExp, journald = false): Promise<Run> {
    const argv = ["ip", "netns", "exec", ns, process.execPath, CLI, "run", config, ...args];
    const env = { ...process.env };
    delete env.JOURNAL_STREAM;
    const child = journald
      ? spawn("sh", ["-c", 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1) exec "$@"', "sh", ...argv], { env })
      : spawn(argv[0], argv.slice(1), { env });
    const out = { stdout: "", stderr: "" };
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    };
    const giveUp = setTimeout(stop, 15_000);
    for (const name of ["stdout", "stderr"] as const) {
      child[name].on("data", (chunk: Buffer) => {
        out[name] += chunk.toString();
        if (until.test(out.stdout + out.stderr)) stop();
      });
    }
    return new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(giveUp);
        const lines = (text: string) => text.split("\n").filter((l) => l !== "");
        resolve({ status, stdout: lines(out.stdout), stderr: lines(out.stderr) });
      });
    });
  }

  it("text: warnings and errors on stderr, the rest on stdout, every line with its level", async () => {
    const r = await daemon([], /claim 192\.0\.2\.36: /);
    const all = [...r.stdout, ...r.stderr].join("\n");
    assert.equal(r.status, 0, all);
    const stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";
    for (const line of r.stdout) assert.match(line, new RegExp(`^${stamp} (notice|info) brain `), "stdout: notice and info");
    for (const line of r.stderr) assert.match(line, new RegExp(`^${stamp} (warning|error) brain `), "stderr: warning and error");
    assert.ok(r.stderr.some((l) => / warning brain peer-down: /.test(l)), `peer-down is a warning on stderr:\n${all}`);
    assert.ok(r.stdout.some((l) => / info brain start: /.test(l)), `start is info on stdout:\n${all}`);
    assert.ok(r.stdout.some((l) => / notice brain claim 192\.0\.2\.36: /.test(l)), `the claim is a notice on stdout:\n${all}`);
    assert.ok(r.stdout.some((l) => / notice brain hand-back 192\.0\.2\.36: /.test(l)), `SIGTERM's hand-back is a notice:\n${all}`);
  });

  it("under journald: every line on its stream with its <N> priority, no timestamp", async () => {
    const r = await daemon([], /claim 192\.0\.2\.36: /, true);
    const all = [...r.stdout, ...r.stderr].join("\n");
    assert.equal(r.status, 0, all);
    assert.deepEqual(r.stderr, [], "nothing on stderr: journald reads stdout");
    for (const line of r.stdout) assert.match(line, /^<[3-7]>brain [a-z-]+[ :]/, "prefixed, no timestamp");
    assert.ok(r.stdout.includes("<4>brain peer-down: peer is down"), all);
    assert.ok(r.stdout.some((l) => l.startsWith("<5>brain claim 192.0.2.36: ")), all);
    assert.ok(r.stdout.some((l) => l.startsWith("<6>brain start: ")), all);
  });

  it("--log-format json --log-level debug: one object per line, check results with their fields", async () => {
    const r = await daemon(["--log-format", "json", "--log-level", "debug"], /"event":"claim"/);
    const all = [...r.stdout, ...r.stderr].join("\n");
    assert.equal(r.status, 0, all);
    const parse = (line: string) => JSON.parse(line) as { time: string; level: string; priority: number; node: string; event: string; address?: string; detail: string; check?: string; verdict?: string };
    const records = [...r.stdout.map(parse), ...r.stderr.map(parse)];
    for (const o of r.stderr.map(parse)) assert.ok(o.level === "warning" || o.level === "error", `${o.event} on stderr is ${o.level}`);
    for (const o of records) {
      assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.equal(o.node, "brain");
      assert.equal(typeof o.detail, "string");
    }
    const check = records.find((o) => o.event === "check");
    assert.ok(check !== undefined, `a debug line per check:\n${all}`);
    assert.equal(check.level, "debug");
    assert.equal(check.priority, 7);
    assert.equal(check.check, "icmp-peer");
    assert.ok(check.verdict === "fail" || check.verdict === "unknown", `the absent peer's check does not pass (${check.verdict})`);
    const claim = records.find((o) => o.event === "claim");
    assert.deepEqual([claim?.level, claim?.priority, claim?.address], ["notice", 5, "192.0.2.36"]);
  });

  it("the config's log: section sets level and format; the flags override it", async () => {
    writeFileSync(config, `${CONFIG}log: {level: warning, format: json}\n`);
    try {
      const fromConfig = await daemon([], /"event":"peer-down"/);
      assert.equal(fromConfig.status, 0, fromConfig.stderr.join("\n"));
      assert.deepEqual(fromConfig.stdout, [], "nothing below warning");
      assert.ok(fromConfig.stderr.length >= 1 && fromConfig.stderr.every((l) => ["warning", "error"].includes((JSON.parse(l) as { level: string }).level)), fromConfig.stderr.join("\n"));
      const overridden = await daemon(["--log-level", "info", "--log-format", "text"], /claim 192\.0\.2\.36: /);
      assert.equal(overridden.status, 0, overridden.stderr.join("\n"));
      assert.ok(overridden.stdout.some((l) => / info brain start: /.test(l)), overridden.stdout.join("\n"));
    } finally {
      writeFileSync(config, CONFIG);
    }
  });

  it("a reload (SIGHUP) applies a changed log: section, its own line included", async () => {
    writeFileSync(config, `${CONFIG}log: {level: warning}\n`);
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, CLI, "run", config], { env: { ...process.env, JOURNAL_STREAM: "" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const until = async (what: string, test: () => boolean) => {
      for (let i = 0; i < 150 && !test(); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(test(), `${what} within 15 s; stdout:\n${out}\nstderr:\n${err}`);
    };
    try {
      await until("peer-down at warning", () => / warning brain peer-down: /.test(err));
      assert.equal(out, "", "nothing below warning before the reload");
      writeFileSync(config, `${CONFIG}log: {level: debug}\n`);
      child.kill("SIGHUP");
      await until("the reload's line at info", () => / info brain reload: applied /.test(out));
      await until("a check's line at debug", () => / debug brain check: icmp-peer \(icmp\): /.test(out));
    } finally {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      assert.equal(await exited, 0, err);
      clearTimeout(timer);
      writeFileSync(config, CONFIG);
    }
  });

  it("--log-level warning: only warnings and errors", async () => {
    const r = await daemon(["--log-level", "warning"], /peer-down: /);
    assert.equal(r.status, 0, r.stderr.join("\n"));
    assert.deepEqual(r.stdout, []);
    assert.ok(r.stderr.length >= 1 && r.stderr.every((l) => / (warning|error) brain /.test(l)), r.stderr.join("\n"));
  });
});

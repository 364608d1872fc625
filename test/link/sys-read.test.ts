// A read of /sys that fails for want of file descriptors (EMFILE) says nothing about the interface:
// readInterfaceState throws SysReadError instead of answering "no such interface", and an open Link
// stays verified while the process is out of descriptors (before: its fallback poll took the failed
// read for "lo is gone", went down, and the daemon logged link-down and released its address). In a
// network namespace of the test's own, under `prlimit --nofile`, with a worker that uses up every
// descriptor for a few polls (fixtures/emfile-worker.ts).
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { readInterfaceState } from "../../src/link/interfaces";

const WORKER = join(__dirname, "fixtures", "emfile-worker.js");

describe("link: a failed read of /sys is not a down link", function () {
  this.timeout(30_000);
  const ns = `tk-sys-${process.pid}`;

  before(() => {
    execFileSync("ip", ["netns", "add", ns]);
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
  });

  after(() => {
    spawnSync("ip", ["netns", "del", ns]);
    assert.ok(!execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).includes(ns), "the namespace is gone");
  });

  it("tells an interface that is not there (undefined) from one it cannot read (SysReadError)", () => {
    assert.equal(readInterfaceState("tk-nonexistent0"), undefined);
    assert.equal(readInterfaceState("lo")?.index, 1);
  });

  it("stays verified while the process has no file descriptor left, and readInterfaceState says SysReadError", () => {
    const run = spawnSync("ip", ["netns", "exec", ns, "prlimit", "--nofile=256:256", process.execPath, WORKER], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout) as { before: string; whileOut: string; after: string; held: number; readWhileOut: string; changes: string[] };
    assert.ok(seen.held > 100, `held ${seen.held} descriptors`);
    assert.match(seen.readWhileOut, /^SysReadError: cannot read \/sys\/class\/net\/lo\/ifindex: EMFILE/);
    assert.deepEqual([seen.before, seen.whileOut, seen.after], ["verified", "verified", "verified"], seen.changes.join("\n"));
    assert.deepEqual(seen.changes, ["verified: a frame sent on lo was captured"]);
  });
});

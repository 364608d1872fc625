// The benchmarks' argument check (bench/args.ts): help, unknown arguments, values, positionals; and
// every bench answering --help and refusing a typo before it starts anything.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchArgsProblem } from "../../bench/args";

const argv = (...args: string[]) => ["node", "bench.js", ...args];
const OPTIONS = { "--trials": true, "--verbose": false };

describe("bench: command-line arguments", () => {
  it("accepts known options, a value after its option or after =, and nothing at all", () => {
    assert.equal(benchArgsProblem(OPTIONS, argv()), undefined);
    assert.equal(benchArgsProblem(OPTIONS, argv("--trials", "3", "--verbose")), undefined);
    assert.equal(benchArgsProblem(OPTIONS, argv("--trials=3")), undefined);
  });

  it("answers help wherever --help or -h is", () => {
    assert.equal(benchArgsProblem(OPTIONS, argv("--help")), "help");
    assert.equal(benchArgsProblem(OPTIONS, argv("--verbose", "-h")), "help");
  });

  it("names an unknown argument, a missing value, a value given to a flag, and a positional too many", () => {
    assert.equal(benchArgsProblem(OPTIONS, argv("--trails", "3")), 'unknown argument "--trails"');
    assert.equal(benchArgsProblem(OPTIONS, argv("--trials")), "--trials needs a value");
    assert.equal(benchArgsProblem(OPTIONS, argv("--verbose=yes")), "--verbose takes no value");
    assert.equal(benchArgsProblem(OPTIONS, argv("15")), 'unknown argument "15"');
    assert.equal(benchArgsProblem(OPTIONS, argv("15"), 1), undefined);
    assert.equal(benchArgsProblem(OPTIONS, argv("15", "16"), 1), 'unknown argument "16"');
  });

  const BENCHES = ["cost", "cycle", "failover", "ping", "codecs", "sniff", "link-rates", "link-recovery", "sim", "soak"];
  for (const bench of BENCHES) {
    it(`${bench}: --help prints a usage and exits 0; a typo exits 2 in one line, before anything starts`, () => {
      const file = join(__dirname, "..", "..", "bench", `${bench}.js`);
      const help = spawnSync(process.execPath, [file, "--help"], { encoding: "utf8", timeout: 20_000 });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^usage: /m);
      const typo = spawnSync(process.execPath, [file, "--bogus"], { encoding: "utf8", timeout: 20_000 });
      assert.notEqual(typo.status, 0);
      assert.equal(typo.stdout, "");
      assert.equal(typo.stderr.trim().split("\n").length, 1, typo.stderr);
      assert.match(typo.stderr, /--bogus/);
    });
  }
});

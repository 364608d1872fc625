// What `takeover run` keeps loaded (src/cli/main.ts, src/cli/run.ts): a command line naming a verb
// loads that verb's module alone, and the config parser (config.ts, yaml, zod) is unloaded once the
// config is read, also after a config it refuses; the config read is the same. Each case runs in a
// fresh node process, since this one has yaml loaded by other tests.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DIST = join(__dirname, "..", "..");
const CLI = join(DIST, "src", "cli", "main.js");
const RUN = join(DIST, "src", "cli", "run.js");
const EXAMPLE = join(DIST, "..", "examples", "brain.yaml");

/** Runs `script` in a fresh node (with --expose-gc) and returns the JSON it prints last. */
function inFreshNode(script: string): Record<string, any> {
  const r = spawnSync(process.execPath, ["--expose-gc", "-e", script], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const PARSER = String.raw`/(failover\/config\.js|node_modules\/(yaml|zod)\/)/`;

describe("cli: what run keeps loaded", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "takeover-memory-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the config, then unloads config.ts, yaml and zod so that their heap is freed", () => {
    const out = inFreshNode(`
      const v8 = require("v8");
      const run = require(${JSON.stringify(RUN)});
      const used = () => { gc(); return v8.getHeapStatistics().used_heap_size; };
      const before = used();
      run.loadConfigAndUnloadParser(${JSON.stringify(EXAMPLE)}).then(async (config) => {
        await new Promise((r) => setTimeout(r, 200));
        const left = Object.keys(require.cache).filter((p) => ${PARSER}.test(p));
        console.log(JSON.stringify({ node: config.node.name, peer: config.peer.address.toString(), checks: config.checks.map((c) => c.name), left, grownKb: Math.round((used() - before) / 1024), zod: "__zod_globalRegistry" in globalThis }));
      });
    `);
    assert.deepEqual([out.node, out.peer, out.checks], ["brain", "192.0.2.18", ["peer-ping", "peer-web"]]);
    assert.deepEqual(out.left, []);
    assert.equal(out.zod, false);
    // zod and yaml alone hold ~4 MB of heap while loaded; what stays is the config and a few small modules
    assert.ok(out.grownKb < 1500, `the heap grew by ${out.grownKb} kB`);
  });

  it("unloads the parser after a config it refuses too, and the error is still a ConfigError naming the problem", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "bogus: 1\n");
    const out = inFreshNode(`
      const run = require(${JSON.stringify(RUN)});
      run.loadConfigAndUnloadParser(${JSON.stringify(bad)}).then(
        () => console.log(JSON.stringify({ loaded: true })),
        (error) => console.log(JSON.stringify({ name: error.name, message: error.message, left: Object.keys(require.cache).filter((p) => ${PARSER}.test(p)) })),
      );
    `);
    assert.equal(out.name, "ConfigError");
    assert.match(out.message, /bad\.yaml:1: bogus: unknown key/);
    assert.deepEqual(out.left, []);
  });

  it("leaves a parser it did not load alone", () => {
    const out = inFreshNode(`
      require("yaml");
      const run = require(${JSON.stringify(RUN)});
      run.loadConfigAndUnloadParser(${JSON.stringify(EXAMPLE)}).then(() => {
        const left = Object.keys(require.cache).filter((p) => /node_modules\\/yaml\\//.test(p));
        console.log(JSON.stringify({ yaml: left.length > 0 }));
      });
    `);
    assert.equal(out.yaml, true);
  });

  it("loads only the verb given: run --help does not load the other verbs' modules", () => {
    const preload = join(dir, "modules.js");
    const list = join(dir, "modules.json");
    writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const r = spawnSync(process.execPath, ["--require", preload, CLI, "run", "--help"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: takeover run \[options\] <config>/);
    const loaded = (JSON.parse(require("node:fs").readFileSync(list, "utf8")) as string[]).map((p) => p.replace(/\\/g, "/"));
    for (const verb of ["sniff", "lab", "ping", "arp", "ndp", "status", "claim", "release-all"]) {
      assert.ok(!loaded.some((p) => p.endsWith(`/cli/${verb}.js`)), `${verb}.js is loaded`);
    }
    assert.ok(loaded.some((p) => p.endsWith("/cli/run.js")));
    // without a verb, every verb is there
    const all = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(all.status, 0, all.stderr);
    for (const verb of ["run", "claim", "release-all", "lab", "ping", "arp", "ndp", "sniff", "status"]) assert.match(all.stdout, new RegExp(`^  ${verb} `, "m"));
  });
});

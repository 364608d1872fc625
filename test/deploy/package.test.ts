// The packages as users get them: `npm pack` of this checkout (after the build) and of the codec
// package (packages/packets, takeover-packets), installed into fresh projects under os.tmpdir() the
// way a user would, from the tarballs and npm's cache only (`npm install --offline`: no network; run
// `npm ci` in the repository first, which fills the cache).
//
// The daemon (`npm install ./takeover-X.tgz`, alone, as deploy/README-systemd.md installs it, with
// --ignore-scripts: the native libpcap/netlink bindings are not built, which the pure codecs must
// not need):
//   - the tarball holds the compiled code, the example configs and hooks, the systemd unit, the
//     Prometheus and Grafana examples and the LICENSE, and no tests, sources or source maps (the
//     maps would point at src/ files the tarball does not carry; `npm pack --dry-run`, no network);
//   - `takeover/packets` loads no native module (nothing but its own files and buffer-layout);
//   - a strict TypeScript program importing from "takeover/packets" compiles (moduleResolution
//     node16, and the older "node" that ignores the exports map) and runs;
//   - the `takeover` bin answers --version (package.json's) and --help (the verbs);
//   - its manifest depends on takeover-packets at the codec package's version and bundles it (the
//     codec package is not on the registry yet, and a tarball install must not need it there), with
//     the same files as the codec tarball; it does not depend on cap.
// The codec package, alone in its consumer (no --ignore-scripts: it must have none to run):
//   - its manifest has no dependency of any kind and no scripts; the tarball holds the CommonJS and
//     ES-module builds with their .d.ts, the vendored buffer-layout and both licences, nothing else;
//   - the install adds exactly one package; its time is printed (the target is < 2 s; not asserted);
//   - require() loads only dist/cjs, import only dist/esm; TypeScript programs compile and run under
//     moduleResolution node16 (a CommonJS .ts and an ES .mts) and bundler;
//   - the ES build also runs in a vm context holding only ECMAScript's globals (no require, Buffer,
//     process, URL or TextEncoder): what a browser or Deno offers it, and less.
// Every subprocess has a time limit, so a slow registry fails the test with a message, not a hang.
import { strict as assert } from "node:assert";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const MANIFEST = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string; devDependencies: Record<string, string> };
const CODECS = join(ROOT, "packages", "packets");
const CODECS_MANIFEST = JSON.parse(readFileSync(join(CODECS, "package.json"), "utf8")) as { name: string; version: string };
const OFFLINE_HINT = "installs from the tarballs and npm's cache only (--offline); run `npm run setup` (scripts/warm-npm-cache.mjs) in the repository first to fill the cache";

/** Runs argv in cwd with a time limit; throws with its output when it fails or times out. */
function sh(argv: readonly string[], cwd: string, timeoutMs: number, what: string): SpawnSyncReturns<string> {
  const result = spawnSync(argv[0], argv.slice(1), { cwd, encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error !== undefined ? ((result.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `timed out after ${timeoutMs} ms` : result.error.message) : `exit status ${result.status}`;
    throw new Error(`${what} (\`${argv.join(" ")}\` in ${cwd}): ${why}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}

/** A consumer program: builds a gratuitous ARP, encodes it, decodes it, prints what it read. */
const PROGRAM = `import { decodeFrame, encodeFrame, gratuitousRequest, Mac, Ipv4, ETHERTYPE_ARP } from "takeover/packets";

const mac: Mac = Mac.parse("02:00:5e:00:00:17");
const ip: Ipv4 = Ipv4.parse("192.0.2.37");
const bytes: Uint8Array = encodeFrame({
  ethernet: { destination: Mac.parse("ff:ff:ff:ff:ff:ff"), source: mac, etherType: ETHERTYPE_ARP },
  arp: gratuitousRequest(mac, ip),
});
const frame = decodeFrame(bytes);
const arp = frame.arp;
if (arp === undefined || !arp.supported) throw new Error("no ARP in the decoded frame");
console.log(JSON.stringify({
  length: bytes.length,
  etherType: frame.ethernet.etherType,
  destination: frame.ethernet.destination.toString(),
  source: frame.ethernet.source.toString(),
  operation: arp.operation,
  senderMac: arp.senderMac.toString(),
  senderIp: arp.senderIp.toString(),
  targetMac: arp.targetMac.toString(),
  targetIp: arp.targetIp.toString(),
}));
`;

const EXPECTED = {
  length: 42,
  etherType: 0x0806,
  destination: "ff:ff:ff:ff:ff:ff",
  source: "02:00:5e:00:00:17",
  operation: 1,
  senderMac: "02:00:5e:00:00:17",
  senderIp: "192.0.2.37",
  targetMac: "00:00:00:00:00:00",
  targetIp: "192.0.2.37",
};

interface Packed {
  filename: string;
  files: Array<{ path: string; mode: number }>;
}

/** `npm pack` of the package in `dir` into `destination`: its file name and contents. */
function pack(dir: string, destination: string): Packed {
  const packed = sh(["npm", "pack", "--json", "--pack-destination", destination], dir, 60_000, `npm pack in ${dir}`);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as Packed[];
  return info;
}

/** The package.json inside a packed tarball, as npm would install it. */
function packedManifest(tarball: string): Record<string, unknown> {
  return JSON.parse(sh(["tar", "-xOzf", tarball, "package/package.json"], dirname(tarball), 20_000, `tar of ${tarball}`).stdout) as Record<string, unknown>;
}

/** `npm pack --dry-run --json` of this checkout: what the tarball would hold, path → mode. */
function packedFiles(): Map<string, number> {
  const packed = sh(["npm", "pack", "--dry-run", "--json"], ROOT, 60_000, "npm pack --dry-run");
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as Array<{ files: Array<{ path: string; mode: number }> }>;
  return new Map(info.files.map((f) => [f.path, f.mode]));
}

describe("deploy: what the npm tarball holds", function () {
  this.timeout(90_000);
  let files: Map<string, number>;
  before(() => {
    files = packedFiles();
  });

  it("the example hooks brain.yaml points at ship, executable", () => {
    const brain = readFileSync(join(ROOT, "examples", "brain.yaml"), "utf8");
    const named = [...new Set([...brain.matchAll(/hooks\/([\w.-]+\.sh)/g)].map((m) => m[1]))];
    assert.ok(named.length >= 2, `brain.yaml names its example hooks (${named.join(", ")})`);
    for (const hook of [...named, "provider-api.sh"]) {
      const mode = files.get(`examples/hooks/${hook}`);
      assert.ok(mode !== undefined, `examples/hooks/${hook} is in the tarball`);
      assert.equal(mode & 0o111, 0o111, `examples/hooks/${hook} is executable in the tarball (mode ${mode.toString(8)})`);
    }
  });

  it("no source maps (their sources are not shipped), and the LICENSE package.json's \"MIT\" refers to", () => {
    assert.deepEqual([...files.keys()].filter((f) => f.endsWith(".map")), []);
    assert.ok(files.has("LICENSE"), "LICENSE is in the tarball");
    const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
    assert.match(license, /^MIT License/);
    assert.match(license, /Copyright \(c\) 2026 the takeover authors/);
    assert.equal((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { license: string }).license, "MIT");
  });

  it("the Prometheus alert rules and the Grafana dashboard ship beside the systemd unit", () => {
    for (const f of ["deploy/takeover.service", "deploy/prometheus-alerts.yml", "deploy/grafana-dashboard.json"]) assert.ok(files.has(f), `${f} is in the tarball`);
  });
});

describe("deploy: the npm package, installed and used", function () {
  this.timeout(180_000);
  let scratch: string;
  let project: string;
  let files: string[] = [];
  let codecFiles: string[] = [];

  before(function () {
    this.timeout(180_000);
    scratch = mkdtempSync(join(tmpdir(), "takeover-pack-"));
    const info = pack(ROOT, scratch);
    codecFiles = pack(CODECS, scratch).files.map((f) => f.path);
    files = info.files.map((f) => f.path);
    project = join(scratch, "consumer");
    mkdirSync(project);
    sh(["npm", "init", "-y"], project, 30_000, "npm init");
    // the daemon's tarball alone (it bundles the codec package); typescript and @types/node at the
    // versions this repo builds with
    sh(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--offline",
      join(scratch, info.filename), `typescript@${MANIFEST.devDependencies.typescript}`, `@types/node@${MANIFEST.devDependencies["@types/node"]}`],
    project, 150_000, `npm install of the packed tarballs (${OFFLINE_HINT})`);
    writeFileSync(join(project, "main.ts"), PROGRAM);
  });

  after(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it("the tarball holds the build, the example configs and the systemd unit, and no tests or sources", () => {
    for (const needed of ["package.json", "README.md", "dist/src/cli/main.js", "dist/src/index.js", "dist/src/index.d.ts",
      "dist/src/packets/index.js", "dist/src/packets/index.d.ts", "dist/src/lab/web-server.js", "dist/src/lab/router-watch.js",
      "examples/brain.yaml", "examples/pinky.yaml", "examples/fast.yaml", "deploy/takeover.service"]) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    assert.deepEqual(files.filter((f) => /^(test|bench|src)\/|^dist\/(test|bench)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts"))), [], "no tests, benchmarks or TypeScript sources");
    assert.deepEqual(files.filter((f) => f.endsWith(".map")), [], "no source maps");
  });

  it("takeover/packets loads no native module: only its own files and buffer-layout", () => {
    const script = `require("takeover/packets"); console.log(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse(sh([process.execPath, "-e", script], project, 20_000, "require takeover/packets").stdout) as string[];
    const packets = join(project, "node_modules", "takeover", "dist", "src", "packets") + "/";
    const others = loaded.filter((f) => !f.startsWith(packets) && !f.startsWith(join(project, "node_modules", "buffer-layout") + "/"));
    assert.deepEqual(others, [], "nothing else is loaded");
    assert.ok(loaded.some((f) => f.startsWith(packets)), "the codecs themselves are loaded");
    assert.deepEqual(loaded.filter((f) => f.endsWith(".node")), []);
  });

  it("the main entry (codecs and the pure failover machine) loads no native module either", () => {
    const script = `require("takeover"); console.log(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse(sh([process.execPath, "-e", script], project, 20_000, "require takeover").stdout) as string[];
    const native = loaded.filter((f) => f.endsWith(".node") || /node_modules\/(pcap|cap|netlink)\//.test(f));
    assert.deepEqual(native, []);
  });

  /** Known causes of a failed compile, and their fix, for the assertion message. */
  const HINTS: readonly [RegExp, string][] = [
    [/TS7016: Could not find a declaration file for module 'buffer-layout'/, "the packed .d.ts files of takeover/packets import types from 'buffer-layout', which ships none; " +
      "this repo's own declarations (types/buffer-layout) are not in the package. Fix: keep buffer-layout types out of the public .d.ts, " +
      "or ship the declarations in the package and reference them from the .d.ts that need them"],
    [/TS2307: Cannot find module 'takeover\/packets'/, "moduleResolution \"node\" ignores the exports map, and the package has no takeover/packets path of its own. " +
      "Fix: in package.json, \"typesVersions\": { \"*\": { \"packets\": [\"dist/src/packets/index.d.ts\"] } } (checked by hand: tsc then compiles, node runs it)"],
  ];

  const cases = [
    { resolution: "node16", module: "node16", skipLibCheck: true, what: "exports map, its types condition" },
    { resolution: "node16", module: "node16", skipLibCheck: false, what: "and the .d.ts files type-check" },
    { resolution: "node", module: "commonjs", skipLibCheck: true, what: "the older resolution that ignores exports" },
  ] as const;
  for (const c of cases) {
    it(`a strict TypeScript program imports "takeover/packets" (moduleResolution ${c.resolution}, skipLibCheck ${c.skipLibCheck}: ${c.what}), compiles and runs`, () => {
      const name = `${c.resolution}-${c.skipLibCheck ? "skip" : "check"}`;
      const out = `out-${name}`;
      const config = {
        compilerOptions: { strict: true, skipLibCheck: c.skipLibCheck, target: "ES2022", module: c.module, moduleResolution: c.resolution, types: ["node"], outDir: out },
        files: ["main.ts"],
      };
      writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
      try {
        sh([join(project, "node_modules", ".bin", "tsc"), "-p", `tsconfig.${name}.json`], project, 60_000, `tsc with moduleResolution ${c.resolution}`);
      } catch (error) {
        const text = (error as Error).message;
        const hints = HINTS.filter(([pattern]) => pattern.test(text)).map(([, hint]) => hint);
        throw new Error(hints.length > 0 ? `${hints.join("\n")}\n\n${text.split("\n").slice(0, 6).join("\n")}` : text);
      }
      const ran = sh([process.execPath, join(out, "main.js")], project, 20_000, "the compiled program");
      assert.deepEqual(JSON.parse(ran.stdout), EXPECTED);
    });
  }

  it("the daemon depends on takeover-packets at the codec package's version and bundles it, the same files as the codec tarball; not on cap", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules", "takeover", "package.json"), "utf8")) as { dependencies: Record<string, string>; bundleDependencies?: string[] };
    assert.equal(manifest.dependencies[CODECS_MANIFEST.name], CODECS_MANIFEST.version);
    assert.deepEqual(manifest.bundleDependencies, [CODECS_MANIFEST.name]);
    assert.equal(manifest.dependencies.cap, undefined, "cap is used only by a benchmark: not a runtime dependency");
    assert.ok(!existsSync(join(project, "node_modules", "cap")), "cap is not installed with the daemon");
    const bundled = files.filter((f) => f.startsWith(`node_modules/${CODECS_MANIFEST.name}/`)).map((f) => f.slice(`node_modules/${CODECS_MANIFEST.name}/`.length)).sort();
    assert.deepEqual(bundled, [...codecFiles].sort(), "the daemon's tarball carries the codec package as `npm pack` in packages/packets packs it");
    const installed = JSON.parse(readFileSync(join(project, "node_modules", "takeover", "node_modules", CODECS_MANIFEST.name, "package.json"), "utf8")) as { version: string };
    assert.equal(installed.version, CODECS_MANIFEST.version);
    const loaded = sh([process.execPath, "-e", `console.log(require.resolve("${CODECS_MANIFEST.name}", { paths: [require.resolve("takeover")] }))`], project, 20_000, "resolve takeover-packets from the daemon");
    assert.equal(loaded.stdout.trim(), join(project, "node_modules", "takeover", "node_modules", CODECS_MANIFEST.name, "dist", "cjs", "index.js"));
  });

  it("the bin: `takeover --version` prints package.json's version, `--help` lists the verbs", () => {
    const bin = join(project, "node_modules", ".bin", "takeover");
    assert.equal(sh([bin, "--version"], project, 20_000, "takeover --version").stdout.trim(), MANIFEST.version);
    const help = sh([bin, "--help"], project, 20_000, "takeover --help").stdout;
    for (const verb of ["run", "lab", "ping", "arp", "sniff"]) assert.match(help, new RegExp(`^\\s+${verb}\\b`, "m"), `--help lists ${verb}`);
  });
});

/** PROGRAM for the codec package: the same consumer, importing from "takeover-packets". */
const CODECS_TS = PROGRAM.replace(`from "takeover/packets"`, `from "takeover-packets"`);
/** The same program in plain JavaScript (the annotations removed), as an ES module. */
const CODECS_MJS = CODECS_TS.replace(/: (Mac|Ipv4|Uint8Array) =/g, " =");
/** And as CommonJS. */
const CODECS_CJS = CODECS_MJS.replace(/^import \{([^}]+)\} from "takeover-packets";/m, `const {$1} = require("takeover-packets");`);

/**
 * Loads the ES build's module graph from its files into a vm context that has only ECMAScript's own
 * globals (no require, Buffer, process, URL or TextEncoder; V8 adds console), runs the consumer program's
 * encode/decode there and prints what it read: what a browser or Deno offers the package, and less.
 * Runs in a child `node --experimental-vm-modules`. argv: [esm directory].
 */
const HOST_FREE = `
const vm = require("node:vm");
const { readFileSync } = require("node:fs");
const { join, dirname, normalize } = require("node:path");
const root = process.argv[2];
const context = vm.createContext({});
const hostGlobals = vm.runInContext("['require','module','Buffer','process','URL','TextEncoder','setTimeout'].filter((n) => typeof globalThis[n] !== 'undefined')", context);
if (hostGlobals.length > 0) throw new Error("the bare context has host globals: " + hostGlobals.join(", "));
const modules = new Map();
function load(path) {
  let m = modules.get(path);
  if (m === undefined) {
    m = new vm.SourceTextModule(readFileSync(path, "utf8"), { identifier: path, context });
    modules.set(path, m);
  }
  return m;
}
function link(specifier, referrer) {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) throw new Error(referrer.identifier + " imports " + specifier + ": only relative specifiers resolve without a host");
  return load(normalize(join(dirname(referrer.identifier), specifier)));
}
(async () => {
  const entry = load(join(root, "index.js"));
  await entry.link(link);
  await entry.evaluate();
  const test = new vm.SourceTextModule(${JSON.stringify(CODECS_MJS.replace("takeover-packets", "./index.js").replace("console.log(", "globalThis.result = ("))}, { identifier: join(root, "consumer.js"), context });
  await test.link(link);
  await test.evaluate();
  process.stdout.write(context.result);
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

describe("deploy: the takeover-packets tarball, alone in a fresh consumer", function () {
  this.timeout(180_000);
  let scratch: string;
  let project: string;
  let tarball: string;
  let packed: Packed;
  let installMs = 0;
  let installOutput = "";

  before(function () {
    this.timeout(120_000);
    if (!existsSync(join(CODECS, "dist", "cjs", "index.js"))) throw new Error(`${CODECS}/dist is missing: run \`npm run build\` (it builds the codec package too)`);
    scratch = mkdtempSync(join(tmpdir(), "takeover-packets-pack-"));
    packed = pack(CODECS, scratch);
    tarball = join(scratch, packed.filename);
    project = join(scratch, "consumer");
    mkdirSync(project);
    sh(["npm", "init", "-y"], project, 30_000, "npm init");
    const started = process.hrtime.bigint();
    const installed = sh(["npm", "install", "--offline", "--no-audit", "--no-fund", tarball], project, 60_000, `npm install of ${packed.filename} (${OFFLINE_HINT})`);
    installMs = Number(process.hrtime.bigint() - started) / 1e6;
    installOutput = installed.stdout + installed.stderr;
    console.log(`      npm install --offline of ${packed.filename}: ${installMs.toFixed(0)} ms (target < 2000 ms; not asserted)`);
  });

  after(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it("its manifest has no dependencies of any kind and no scripts at all (nothing runs at install)", () => {
    const manifest = packedManifest(tarball);
    assert.equal(manifest.name, CODECS_MANIFEST.name);
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies", "bundledDependencies", "scripts", "gypfile", "binary"]) {
      assert.equal(manifest[field], undefined, `no "${field}" in the packed package.json`);
    }
    assert.equal(manifest.license, "MIT");
  });

  it("the tarball holds both builds with their .d.ts, the vendored buffer-layout and the licences, and nothing else", () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const needed of ["package.json", "README.md", "LICENSE", "THIRD-PARTY-LICENSES.md", "dist/cjs/index.js", "dist/cjs/index.d.ts", "dist/cjs/package.json",
      "dist/esm/index.js", "dist/esm/index.d.ts", "dist/esm/package.json", "dist/cjs/vendor/buffer-layout.js", "dist/esm/vendor/buffer-layout.js", "dist/esm/vendor/buffer-layout.d.ts"]) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const stray = files.filter((f) => !/^(package\.json|README\.md|LICENSE|THIRD-PARTY-LICENSES\.md)$/.test(f) && !/^dist\/(cjs|esm)\/(vendor\/)?[\w.-]+\.(js|d\.ts)$/.test(f) && !/^dist\/(cjs|esm)\/package\.json$/.test(f));
    assert.deepEqual(stray, [], "no sources, maps, native files or tests");
    // one .js per module of src/packets in each build (plus the vendored file)
    const modules = readdirSync(join(ROOT, "src", "packets")).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, ".js")).sort();
    for (const build of ["cjs", "esm"]) {
      const js = files.filter((f) => f.startsWith(`dist/${build}/`) && !f.includes("/vendor/") && f.endsWith(".js")).map((f) => f.slice(`dist/${build}/`.length)).sort();
      assert.deepEqual(js, modules, `dist/${build} has every module of src/packets`);
    }
    const licences = readFileSync(join(CODECS, "THIRD-PARTY-LICENSES.md"), "utf8");
    assert.ok(licences.includes(readFileSync(join(ROOT, "node_modules", "buffer-layout", "LICENSE"), "utf8").trim()), "buffer-layout's licence, verbatim");
    assert.match(readFileSync(join(CODECS, "dist", "esm", "vendor", "buffer-layout.js"), "utf8"), /Copyright \(c\) 2015-2018 Peter A\. Bigot/, "the vendored file carries its licence");
  });

  it("installs as exactly one package, with no install-script warning", () => {
    const installed = readdirSync(join(project, "node_modules")).filter((f) => !f.startsWith("."));
    assert.deepEqual(installed, [CODECS_MANIFEST.name]);
    assert.doesNotMatch(installOutput, /script|gyp|allowScripts/i);
    assert.match(installOutput, /added 1 package/);
    assert.ok(installMs > 0);
  });

  it("require() loads its CommonJS build and nothing else, and the program runs", () => {
    writeFileSync(join(project, "main.cjs"), CODECS_CJS + `\nif (process.argv[2] === "cache") console.error(JSON.stringify(Object.keys(require.cache)));\n`);
    const ran = sh([process.execPath, "main.cjs", "cache"], project, 20_000, "node main.cjs");
    assert.deepEqual(JSON.parse(ran.stdout), EXPECTED);
    const cjs = join(project, "node_modules", CODECS_MANIFEST.name, "dist", "cjs") + "/";
    const loaded = (JSON.parse(ran.stderr) as string[]).filter((f) => !f.endsWith("main.cjs"));
    assert.deepEqual(loaded.filter((f) => !f.startsWith(cjs)), []);
    assert.ok(loaded.includes(join(cjs, "vendor", "buffer-layout.js")), "the vendored buffer-layout is what loads");
  });

  it("import loads its ES-module build, and the program runs", () => {
    writeFileSync(join(project, "main.mjs"), CODECS_MJS + `\nconsole.error(import.meta.resolve("takeover-packets"));\n`);
    const ran = sh([process.execPath, "main.mjs"], project, 20_000, "node main.mjs");
    assert.deepEqual(JSON.parse(ran.stdout), EXPECTED);
    assert.match(ran.stderr.trim(), /\/node_modules\/takeover-packets\/dist\/esm\/index\.js$/);
  });

  const tsCases = [
    { name: "node16-cjs", file: "main.ts", out: "main.js", options: { module: "node16", moduleResolution: "node16" }, esmOut: false },
    { name: "node16-esm", file: "main.mts", out: "main.mjs", options: { module: "node16", moduleResolution: "node16" }, esmOut: false },
    { name: "bundler", file: "main.ts", out: "main.js", options: { module: "es2022", moduleResolution: "bundler" }, esmOut: true },
  ] as const;
  for (const c of tsCases) {
    it(`a strict TypeScript program (${c.file}, moduleResolution ${c.options.moduleResolution}, the .d.ts type-checked) compiles against the package and runs`, function () {
      this.timeout(90_000);
      const dir = join(project, `ts-${c.name}`);
      mkdirSync(dir);
      writeFileSync(join(dir, c.file), CODECS_TS);
      // no @types/node: the declarations must need nothing of Node's (console comes from lib DOM)
      const config = { compilerOptions: { strict: true, skipLibCheck: false, target: "ES2022", lib: ["ES2022", "DOM"], types: [], outDir: "out", ...c.options }, files: [c.file] };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config, null, 2));
      sh([process.execPath, require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], dir, 60_000, `tsc (moduleResolution ${c.options.moduleResolution})`);
      // a bundler would take the output from here; Node runs it as the ES module it is
      if (c.esmOut) writeFileSync(join(dir, "out", "package.json"), JSON.stringify({ type: "module" }));
      const ran = sh([process.execPath, join("out", c.out)], dir, 20_000, "the compiled program");
      assert.deepEqual(JSON.parse(ran.stdout), EXPECTED);
    });
  }

  it("the ES build runs in a context with only ECMAScript's globals (no require, Buffer, process, URL or TextEncoder)", () => {
    writeFileSync(join(scratch, "host-free.cjs"), HOST_FREE);
    const esm = join(project, "node_modules", CODECS_MANIFEST.name, "dist", "esm");
    const ran = sh([process.execPath, "--experimental-vm-modules", "--no-warnings", join(scratch, "host-free.cjs"), esm], scratch, 30_000, "the ES build in a bare vm context");
    assert.deepEqual(JSON.parse(ran.stdout), EXPECTED);
  });
});

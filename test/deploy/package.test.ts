// The package as users get it: `npm pack` of this checkout (after the build), installed into a fresh
// project under os.tmpdir() the way a user would (`npm install ./takeover-X.Y.Z.tgz`, with
// --ignore-scripts: the native libpcap/netlink bindings are not built, which the pure codecs must not
// need). Then:
//   - the tarball holds the compiled code, the example configs and hooks, the systemd unit, the
//     Prometheus and Grafana examples and the LICENSE, and no tests, sources or source maps (the
//     maps would point at src/ files the tarball does not carry; `npm pack --dry-run`, no network);
//   - `takeover/packets` loads no native module (nothing but its own files and buffer-layout);
//   - a strict TypeScript program importing from "takeover/packets" compiles (moduleResolution
//     node16, and the older "node" that ignores the exports map) and runs;
//   - the `takeover` bin answers --version (package.json's) and --help (the verbs).
// Every subprocess has a time limit, so a slow registry fails the test with a message, not a hang.
import { strict as assert } from "node:assert";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const MANIFEST = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string; devDependencies: Record<string, string> };

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

  before(function () {
    this.timeout(180_000);
    scratch = mkdtempSync(join(tmpdir(), "takeover-pack-"));
    const packed = sh(["npm", "pack", "--json", "--pack-destination", scratch], ROOT, 60_000, "npm pack");
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = info.files.map((f) => f.path);
    project = join(scratch, "consumer");
    mkdirSync(project);
    sh(["npm", "init", "-y"], project, 30_000, "npm init");
    // typescript and @types/node at the versions this repo builds with
    sh(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline",
      join(scratch, info.filename), `typescript@${MANIFEST.devDependencies.typescript}`, `@types/node@${MANIFEST.devDependencies["@types/node"]}`],
    project, 150_000, "npm install of the packed tarball (needs the npm registry, or its cache)");
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

  it("the bin: `takeover --version` prints package.json's version, `--help` lists the verbs", () => {
    const bin = join(project, "node_modules", ".bin", "takeover");
    assert.equal(sh([bin, "--version"], project, 20_000, "takeover --version").stdout.trim(), MANIFEST.version);
    const help = sh([bin, "--help"], project, 20_000, "takeover --help").stdout;
    for (const verb of ["run", "lab", "ping", "arp", "sniff"]) assert.match(help, new RegExp(`^\\s+${verb}\\b`, "m"), `--help lists ${verb}`);
  });
});

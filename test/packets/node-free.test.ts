// src/packets is what the takeover-packets package is built from, and that package promises Node,
// Deno and browsers: no Node built-in, no native module, no other package but buffer-layout (which
// the build vendors). This test reads every module under src/packets the way the compiler does
// (imports, exports, require() and import(), comments ignored) and fails on any other specifier, and
// on a relative one that leaves src/packets (it would pull in daemon code). The package's own compile
// (packages/packets/tsconfig.json: lib ES2022, no @types) catches Node globals such as Buffer or
// process; it runs here too.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

const ROOT = join(__dirname, "..", "..", "..");
const PACKETS = join(ROOT, "src", "packets");
/** The one package src/packets may import; scripts/build-packets-package.mjs vendors it. */
const ALLOWED_PACKAGES = new Set(["buffer-layout"]);

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** What is wrong with each module specifier in `text` (a file at `path` under src/packets); empty when all is well. */
function forbiddenImports(path: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const problems: string[] = [];
  for (const { fileName: specifier } of importedFiles) {
    if (specifier.startsWith("./") || specifier.startsWith("../")) {
      const target = resolve(dirname(path), specifier);
      if (relative(PACKETS, target).startsWith("..")) problems.push(`"${specifier}" leaves src/packets`);
    } else if (specifier.startsWith("node:") || builtinModules.includes(specifier) || builtinModules.includes(specifier.split("/")[0])) {
      problems.push(`"${specifier}" is a Node built-in`);
    } else if (!ALLOWED_PACKAGES.has(specifier)) {
      problems.push(`"${specifier}" is a package other than ${[...ALLOWED_PACKAGES].join(", ")}`);
    }
  }
  return problems;
}

describe("packets: nothing Node-only under src/packets (the takeover-packets package is built from it)", () => {
  it("the scanner catches a Node built-in, a native package and an escape from src/packets, in every import form", () => {
    const at = join(PACKETS, "example.ts");
    assert.deepEqual(forbiddenImports(at, `import { readFileSync } from "node:fs";`), [`"node:fs" is a Node built-in`]);
    assert.deepEqual(forbiddenImports(at, `import * as os from "os";`), [`"os" is a Node built-in`]);
    assert.deepEqual(forbiddenImports(at, `export { x } from "fs/promises";`), [`"fs/promises" is a Node built-in`]);
    assert.deepEqual(forbiddenImports(at, `const cap = require("cap");`), [`"cap" is a package other than buffer-layout`]);
    assert.deepEqual(forbiddenImports(at, `const p = await import("pcap/build/Release/pcap_binding");`), [`"pcap/build/Release/pcap_binding" is a package other than buffer-layout`]);
    assert.deepEqual(forbiddenImports(at, `import { Link } from "../link/link";`), [`"../link/link" leaves src/packets`]);
    assert.deepEqual(forbiddenImports(at, `import { struct } from "buffer-layout";\nimport { Mac } from "./address";\n// import "node:fs" in a comment is not an import`), []);
  });

  it("every module under src/packets imports only its siblings and buffer-layout", () => {
    const files = sourcesUnder(PACKETS);
    assert.ok(files.length >= 10, `found the codec modules (${files.length})`);
    const problems = files.flatMap((file) => forbiddenImports(file, readFileSync(file, "utf8")).map((p) => `src/packets/${relative(PACKETS, file)}: ${p}`));
    assert.deepEqual(problems, []);
  });

  it("src/packets compiles with lib ES2022 and no @types/node (no Buffer, process or other Node global)", function () {
    this.timeout(60_000);
    const tsc = require.resolve("typescript/bin/tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "packages", "packets", "tsconfig.json"), "--noEmit"], { cwd: ROOT, encoding: "utf8", timeout: 50_000 });
    assert.equal(result.status, 0, `tsc -p packages/packets --noEmit:\n${result.stdout}${result.stderr}`);
  });
});

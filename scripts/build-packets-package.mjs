#!/usr/bin/env node
// Builds the codec package (packages/packets, published as takeover-packets) from src/packets: a
// CommonJS build (dist/cjs) and an ES-module build (dist/esm), each with its .d.ts files, and the
// MIT-licensed buffer-layout 1.2.2 (the header descriptions src/packets derives its offsets from)
// vendored into each build as dist/*/vendor/buffer-layout.js, so the package has no dependencies.
//
// src/packets imports "buffer-layout" and its own modules without file extensions. This script
// rewrites those specifiers in the emitted files: "buffer-layout" becomes the vendored file, and in
// the ES-module build every relative specifier gets its ".js" (Node's ESM loader, Deno and browsers
// resolve no extensionless paths). Any other bare specifier in the output is an error: the codecs
// must import nothing but themselves and buffer-layout.
//
// The compile uses lib ES2022 and no @types (packages/packets/tsconfig.json): a Node global or
// built-in used under src/packets fails this build.
//
// Usage: node scripts/build-packets-package.mjs   (run by `npm run build`)
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGE = join(ROOT, "packages", "packets");
const DIST = join(PACKAGE, "dist");
const require = createRequire(join(ROOT, "package.json"));
const TSC = require.resolve("typescript/bin/tsc");
const LAYOUT_JS = require.resolve("buffer-layout/lib/Layout.js");
const LAYOUT_LICENSE = join(dirname(LAYOUT_JS), "..", "LICENSE");
const LAYOUT_VERSION = JSON.parse(readFileSync(join(dirname(LAYOUT_JS), "..", "package.json"), "utf8")).version;
const LAYOUT_TYPES = join(ROOT, "types", "buffer-layout", "index.d.ts");

function fail(message) {
  process.stderr.write(`takeover: build-packets-package: ${message}\n`);
  process.exit(1);
}

function tsc(args) {
  const result = spawnSync(process.execPath, [TSC, ...args], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) fail(`tsc ${args.join(" ")} failed (exit ${result.status}); src/packets must compile with lib ES2022 and no Node types`);
}

/** Rewrites every module specifier in a .js or .d.ts file: buffer-layout to the vendored copy, and (ESM) relative ones to ".js". */
function rewrite(file, buildRoot, esm) {
  const text = readFileSync(file, "utf8");
  // relative to the file, so that a module in a subdirectory of src/packets finds it too
  const up = relative(dirname(file), buildRoot).split(sep).filter(Boolean).join("/");
  const vendored = `${up === "" ? "." : up}/vendor/buffer-layout.js`;
  const out = text.replace(/(\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^import\s*)(["'])([^"']+)\2/gm, (whole, lead, quote, specifier) => {
    let target;
    if (specifier === "buffer-layout") target = vendored;
    else if (specifier.startsWith("./") || specifier.startsWith("../")) target = esm && !specifier.endsWith(".js") ? `${specifier}.js` : specifier;
    else fail(`${relative(ROOT, file)} imports "${specifier}": the codec package may import only its own files and buffer-layout`);
    return `${lead}${quote}${target}${quote}`;
  });
  writeFileSync(file, out);
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** buffer-layout's CommonJS source as-is, or wrapped as an ES module exporting the same names. */
function vendorLayout(into, esm) {
  mkdirSync(join(into, "vendor"), { recursive: true });
  const source = readFileSync(LAYOUT_JS, "utf8");
  const license = readFileSync(LAYOUT_LICENSE, "utf8").trim().split("\n").map((l) => ` * ${l}`.trimEnd()).join("\n");
  const banner = `/*\n * buffer-layout ${LAYOUT_VERSION} (lib/Layout.js), vendored unchanged by takeover-packets.\n *\n${license}\n */\n`;
  if (!esm) {
    writeFileSync(join(into, "vendor", "buffer-layout.js"), banner + source);
  } else {
    // Layout.js assigns `exports.name = ...` only and requires nothing; run it against a local exports
    // object and re-export every name it sets (under
    // local aliases: one of them is `const`).
    const names = Object.keys(require(LAYOUT_JS)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
    const body = `${banner}const exports = {};\nconst module = { exports };\n(function () {\n${source}\n})();\n` +
      names.map((n) => `const vendored_${n} = exports.${n};\n`).join("") +
      `export { ${names.map((n) => `vendored_${n} as ${n}`).join(", ")} };\nexport default exports;\n`;
    writeFileSync(join(into, "vendor", "buffer-layout.js"), body);
  }
  // The types: this repo's declarations of the part of buffer-layout the codecs use, as a module file.
  const declarations = readFileSync(LAYOUT_TYPES, "utf8");
  const inner = declarations.match(/declare module "buffer-layout" \{\n([\s\S]*)\n\}\s*$/);
  if (inner === null) fail(`${relative(ROOT, LAYOUT_TYPES)} is not one \`declare module "buffer-layout" { ... }\` block`);
  writeFileSync(join(into, "vendor", "buffer-layout.d.ts"), `// buffer-layout ${LAYOUT_VERSION}: the declarations takeover uses (the package ships none).\n${inner[1].replace(/^ {2}/gm, "")}\n`);
}

rmSync(DIST, { recursive: true, force: true });
const config = join(PACKAGE, "tsconfig.json");
tsc(["-p", config, "--outDir", join(DIST, "cjs"), "--module", "commonjs"]);
tsc(["-p", config, "--outDir", join(DIST, "esm"), "--module", "es2022"]);
for (const [sub, esm] of [["cjs", false], ["esm", true]]) {
  const dir = join(DIST, sub);
  for (const file of filesUnder(dir)) if (file.endsWith(".js") || file.endsWith(".d.ts")) rewrite(file, dir, esm);
  vendorLayout(dir, esm);
}
writeFileSync(join(DIST, "esm", "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);
writeFileSync(join(DIST, "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);

#!/usr/bin/env node
// Puts into npm's cache, from the registry, everything test/deploy/package.test.ts installs with
// `npm install --offline`: the daemon tarball's runtime dependencies (every non-dev package of
// package-lock.json) and the TypeScript and @types/node (with undici-types) a consumer compiles with,
// at the lockfile's versions. `npm ci` alone does not do it: this npm writes lockfiles without
// download addresses, and the offline install needs each package's registry document, which only a
// registry lookup caches. Run by scripts/setup.sh; safe to run again.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const wanted = new Set();
const CONSUMER_TOOLS = new Set(["typescript", "@types/node", "undici-types"]);
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.startsWith("node_modules/") || entry.link) continue;
  const name = path.replace(/^.*node_modules\//, "");
  const topLevel = path === `node_modules/${name}`;
  if (!entry.dev || (topLevel && CONSUMER_TOOLS.has(name))) wanted.add(`${name}@${entry.version}`);
}
const specs = [...wanted].sort();
execFileSync("npm", ["cache", "add", ...specs], { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
console.log(`setup: npm's cache holds the ${specs.length} packages the offline package test installs`);

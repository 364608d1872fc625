#!/usr/bin/env node
// Lists the exports of src/packets that carry no TSDoc comment: every name a module under src/packets
// exports from its own declarations (re-exports are counted where they are declared), with file and
// line. For a class, interface or enum, its public members are listed too. What counts as documented:
// a /** ... */ comment with text on the declaration (or, for an overload set, on one of them).
//
// Usage: node scripts/undocumented-exports.mjs [--json] [--fail] [--dir DIR] [FILE.ts ...]
//   FILE.ts ...  only these files (names under src/packets, e.g. pcap.ts); default: all of them
//   --json       print { total, byFile: { file: [{ name, line }] } } instead of lines
//   --fail       exit 1 when anything is undocumented
//   --dir DIR    look in DIR instead of src/packets (the script's own test uses a fixture)
// (`npm run docs:check`; the codec-package test runs it on the files it holds to zero.)
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ts = createRequire(join(ROOT, "package.json"))("typescript");

const args = process.argv.slice(2);
const json = args.includes("--json");
const failOnAny = args.includes("--fail");
const dirAt = args.indexOf("--dir");
const PACKETS = dirAt >= 0 ? resolve(args[dirAt + 1]) : join(ROOT, "src", "packets");
const named = args.filter((a, i) => !a.startsWith("--") && !(dirAt >= 0 && i === dirAt + 1));
const all = readdirSync(PACKETS).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
for (const name of named) {
  if (!all.includes(name)) {
    process.stderr.write(`takeover: undocumented-exports: ${name}: no such file in ${PACKETS}; name one of ${all.join(", ")}\n`);
    process.exit(2);
  }
}
const files = (named.length > 0 ? named : all).map((f) => join(PACKETS, f));

const program = ts.createProgram(files, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, types: [], typeRoots: [join(ROOT, "types")], noEmit: true });
const checker = program.getTypeChecker();

/** True when one of the symbol's declarations in `source` has a TSDoc comment with text. */
function documented(symbol, source) {
  const declarations = (symbol.declarations ?? []).filter((d) => d.getSourceFile() === source);
  return declarations.some((d) => {
    // a variable's comment sits on its statement: `/** ... */ export const X = ...`
    const holder = ts.isVariableDeclaration(d) ? d.parent.parent : d;
    return ts.getJSDocCommentsAndTags(holder).some((doc) => ts.isJSDoc(doc) && ((doc.comment !== undefined && ts.getTextOfJSDocComment(doc.comment)?.trim()) || (doc.tags?.length ?? 0) > 0));
  });
}

function isPublicMember(declaration) {
  const flags = ts.getCombinedModifierFlags(declaration);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  if (declaration.name !== undefined && ts.isPrivateIdentifier(declaration.name)) return false;
  return true;
}

const byFile = {};
let total = 0;
for (const path of files) {
  const source = program.getSourceFile(path);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const missing = [];
  const add = (name, node) => missing.push({ name, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  for (const exported of moduleSymbol === undefined ? [] : checker.getExportsOfModule(moduleSymbol)) {
    const own = (exported.declarations ?? []).filter((d) => d.getSourceFile() === source && !ts.isExportSpecifier(d) && !ts.isExportDeclaration(d));
    if (own.length === 0) continue; // a re-export: counted in the file that declares it
    if (!documented(exported, source)) add(exported.name, own[0]);
    const first = own[0];
    if (ts.isClassDeclaration(first) || ts.isInterfaceDeclaration(first) || ts.isEnumDeclaration(first)) {
      for (const member of first.members) {
        if (ts.isConstructorDeclaration(member) || member.name === undefined || !isPublicMember(member)) continue;
        if (ts.isClassStaticBlockDeclaration?.(member)) continue;
        const symbol = member.symbol ?? checker.getSymbolAtLocation(member.name);
        if (symbol !== undefined && !documented(symbol, source)) add(`${exported.name}.${member.name.getText(source)}`, member);
      }
    }
  }
  const file = relative(PACKETS, path);
  byFile[file] = missing.sort((a, b) => a.line - b.line);
  total += missing.length;
}

if (json) {
  process.stdout.write(`${JSON.stringify({ total, byFile }, null, 2)}\n`);
} else {
  for (const [file, missing] of Object.entries(byFile)) {
    for (const m of missing) process.stdout.write(`${relative(ROOT, join(PACKETS, file))}:${m.line}: ${m.name}\n`);
  }
  const counts = Object.entries(byFile).filter(([, m]) => m.length > 0).map(([f, m]) => `${f} ${m.length}`);
  process.stdout.write(`${total} undocumented export${total === 1 ? "" : "s"} in ${files.length} file${files.length === 1 ? "" : "s"} under src/packets${counts.length > 0 ? ` (${counts.join(", ")})` : ""}\n`);
}
if (failOnAny && total > 0) process.exit(1);

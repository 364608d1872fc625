// TSDoc on the exports of src/packets, which are the API of the takeover-packets package (and of its
// typedoc reference, `npm run docs`). scripts/undocumented-exports.mjs lists what has none; this test
// holds the files listed in DOCUMENTED to zero, and prints the count for the whole directory (the
// codec modules being rewritten for issue 10 are not held to it yet: add them to DOCUMENTED once done).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const SCRIPT = join(ROOT, "scripts", "undocumented-exports.mjs");
const DOCUMENTED = ["address.ts", "checksum.ts", "pcap.ts", "pcapng.ts", "linktype.ts", "link-summary.ts", "capture.ts", "filter.ts"];

interface Report {
  total: number;
  byFile: Record<string, Array<{ name: string; line: number }>>;
}

function undocumented(files: readonly string[]): Report {
  const result = spawnSync(process.execPath, [SCRIPT, "--json", ...files], { cwd: ROOT, encoding: "utf8", timeout: 50_000 });
  assert.equal(result.status, 0, `${SCRIPT}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Report;
}

describe("packets: TSDoc on the exports of src/packets", function () {
  this.timeout(60_000);

  it("the check lists an undocumented export and public member, and nothing documented, private or re-exported", () => {
    const dir = mkdtempSync(join(tmpdir(), "takeover-tsdoc-"));
    try {
      writeFileSync(join(dir, "sample.ts"), [
        "/** Documented. */",
        "export const A = 1;",
        "export const B = 2;",
        "/** Documented class. */",
        "export class C {",
        "  /** documented member */",
        "  x = 1;",
        "  y = 2;",
        "  private z = 3;",
        "}",
        "export interface D {",
        "  /** documented */",
        "  readonly a: number;",
        "}",
        "export { B as E } from \"./sample\";",
        "",
      ].join("\n"));
      const report = undocumented(["--dir", dir, "sample.ts"]);
      assert.deepEqual(report.byFile["sample.ts"], [{ name: "B", line: 3 }, { name: "C.y", line: 8 }, { name: "D", line: 11 }]);
      assert.equal(report.total, 3);
      const failing = spawnSync(process.execPath, [SCRIPT, "--fail", "--dir", dir, "sample.ts"], { encoding: "utf8", timeout: 50_000 });
      assert.equal(failing.status, 1, "--fail exits 1 when something is undocumented");
      assert.match(failing.stdout, /sample\.ts:3: B$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`every export and public member of ${DOCUMENTED.join(", ")} has a TSDoc comment`, () => {
    const report = undocumented(DOCUMENTED);
    const missing = Object.entries(report.byFile).flatMap(([file, entries]) => entries.map((e) => `src/packets/${file}:${e.line}: ${e.name}`));
    assert.deepEqual(missing, []);
  });

  it("reports the count for all of src/packets (informative)", () => {
    const report = undocumented([]);
    const counts = Object.entries(report.byFile).filter(([, e]) => e.length > 0).map(([f, e]) => `${f} ${e.length}`);
    console.log(`      undocumented exports in src/packets: ${report.total}${counts.length > 0 ? ` (${counts.join(", ")})` : ""}`);
    assert.ok(Object.keys(report.byFile).length >= DOCUMENTED.length);
  });
});

// Scratch directories for the benches that are deleted however the bench ends: normally, on an
// exception, or on SIGINT/SIGTERM/SIGHUP (without a handler Node dies on those without running its
// 'exit' hooks, so a killed bench used to leave its directory in /tmp). A signal turns into
// process.exit(128 + signal number), which also runs src/lab/netns.ts's hook that deletes the labs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const live = new Set<string>();
let installed = false;
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", removeAll);
  for (const [signal, number] of Object.entries(SIGNAL_NUMBERS)) {
    process.on(signal as NodeJS.Signals, () => process.exit(128 + number));
  }
}

/** A new directory under the system's temporary directory, named `prefix` + random letters. */
export function scratchDir(prefix: string): string {
  install();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  live.add(dir);
  return dir;
}

/** Deletes a directory made by scratchDir now (the exit hook would otherwise). */
export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

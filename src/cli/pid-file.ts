// The pid file `takeover run` writes so `takeover claim` can find the daemon to signal (SIGUSR2):
// /run/takeover/<node.name>.pid by default (one per daemon, so the two daemons of a lab on one host,
// or two pairs on one box, do not overwrite each other's), root's directory, mode 0644. Written atomically at start,
// removed at exit if it still names us. Signalling needs the daemon's user (or CAP_KILL): the
// kernel's check is the access control, and the pid is checked to be a `takeover run` first, so a
// stale file naming a recycled pid signals nothing.
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const PID_DIRECTORY = "/run/takeover";

/** Where `takeover run` writes its pid unless told otherwise: named after the config's node. */
export function defaultPidFile(nodeName: string): string {
  return `${PID_DIRECTORY}/${nodeName}.pid`;
}

/** The signal `takeover claim` sends (SIGUSR1 would start Node's inspector). */
export const CLAIM_SIGNAL = "SIGUSR2";

/** Writes our pid to `path`; @returns a one-line reason when it cannot (the daemon runs on without it). */
export function writePidFile(path: string): string | undefined {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${process.pid}\n`, { mode: 0o644 });
    renameSync(temporary, path);
    return undefined;
  } catch (error) {
    return `cannot write the pid file ${path}: ${(error as Error).message}`;
  }
}

/** Removes `path` if it still holds our pid. */
export function removePidFile(path: string): void {
  try {
    if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
  } catch {
    // gone already, or never written
  }
}

/** Whether process `pid` is a `takeover run` (its command line has "takeover" and the verb "run"). */
export function isTakeoverRun(pid: number): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return false;
  }
  return argv.some((a) => a.includes("takeover") || /(^|\/)dist\/src\/cli\/main\.js$/.test(a)) && argv.includes("run");
}

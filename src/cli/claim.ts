// `takeover claim [NODE] [--pid N | --pid-file PATH]`: tells the running daemon to take its own public
// addresses back from the peer now, whatever `failback` says (the manual failback, or a delay cut
// short). It sends SIGUSR2 to the daemon found by its pid file (see pid-file.ts: NODE's, or the only
// one in /run/takeover when NODE is not given) or --pid; under
// systemd `systemctl kill --kill-who=main -s USR2 takeover` does the same (only the main process: a hook running then must not get it). The daemon logs what it does
// (claim-request, then the claims); `takeover status` shows the result. No daemon: exit status 1.
import { Command } from "commander";
import { readdirSync, readFileSync } from "node:fs";
import { UsageError } from "./errors";
import { CLAIM_SIGNAL, defaultPidFile, isTakeoverRun, PID_DIRECTORY } from "./pid-file";

export function registerClaim(program: Command): void {
  program
    .command("claim")
    .description("tell the running daemon to take its own addresses back from the peer now (failback: manual or delay)")
    .argument("[node]", "the daemon's node.name, when several run here (its pid file is /run/takeover/NODE.pid)")
    .option("--pid <pid>", "the daemon's process id (default: read from its pid file)")
    .option("--pid-file <path>", "where `takeover run` wrote its pid (default: /run/takeover/NODE.pid, or the only pid file there)")
    .action((node: string | undefined, options: { pid?: string; pidFile?: string }) => {
      let pid: number;
      let readFrom: string | undefined;
      if (options.pid !== undefined) {
        if (!/^[0-9]+$/.test(options.pid) || Number(options.pid) < 2) throw new UsageError(`--pid: "${options.pid}" is not a process id; write a number, like --pid 1234`);
        pid = Number(options.pid);
      } else {
        const pidFile = options.pidFile ?? (node !== undefined ? defaultPidFile(node) : onlyPidFile());
        if (pidFile === undefined) return;
        let text: string;
        try {
          text = readFileSync(pidFile, "utf8");
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read (${(error as Error).message})`;
          return fail(`no takeover daemon found: ${pidFile} ${why}; is takeover run going? (under systemd: systemctl kill --kill-who=main -s USR2 takeover)`);
        }
        if (!/^\s*[0-9]+\s*$/.test(text)) return fail(`${pidFile} does not hold a process id: remove it, and restart takeover run`);
        pid = Number(text.trim());
        readFrom = pidFile;
      }
      if (!isTakeoverRun(pid)) return fail(`no takeover daemon runs as pid ${pid}${readFrom !== undefined ? ` (a stale ${readFrom}?)` : ""}; is takeover run going?`);
      try {
        process.kill(pid, CLAIM_SIGNAL);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EPERM") throw new UsageError(`not allowed to signal the daemon (pid ${pid}): run takeover claim as root, or as the daemon's user`);
        if (code === "ESRCH") return fail(`no takeover daemon runs as pid ${pid}: it has just exited`);
        throw error;
      }
      process.stdout.write(`asked takeover (pid ${pid}) to take its addresses back; it logs what it does, and takeover status shows what it holds\n`);
    });
}

/** The one pid file in /run/takeover; when there is none or several, says so (exit 1) and @returns undefined. */
function onlyPidFile(): string | undefined {
  let names: string[];
  try {
    names = readdirSync(PID_DIRECTORY).filter((name) => name.endsWith(".pid")).sort();
  } catch {
    names = [];
  }
  if (names.length === 1) return `${PID_DIRECTORY}/${names[0]}`;
  if (names.length === 0) {
    fail(`no takeover daemon found: no pid file in ${PID_DIRECTORY}; is takeover run going? (under systemd: systemctl kill --kill-who=main -s USR2 takeover)`);
  } else {
    const nodes = names.map((name) => name.slice(0, -".pid".length));
    fail(`several takeover daemons run here (${nodes.join(", ")}); name one, like takeover claim ${nodes[0]}`);
  }
  return undefined;
}

function fail(message: string): void {
  process.stderr.write(`takeover: ${message}\n`);
  process.exitCode = 1;
}

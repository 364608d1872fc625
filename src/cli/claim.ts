// `takeover claim [--pid N | --pid-file PATH]`: tells the running daemon to take its own public
// addresses back from the peer now, whatever `failback` says (the manual failback, or a delay cut
// short). It sends SIGUSR2 to the daemon found by its pid file (see pid-file.ts) or --pid; under
// systemd `systemctl kill --kill-who=main -s USR2 takeover` does the same (only the main process: a hook running then must not get it). The daemon logs what it does
// (claim-request, then the claims); `takeover status` shows the result. No daemon: exit status 1.
import { Command } from "commander";
import { readFileSync } from "node:fs";
import { UsageError } from "./errors";
import { CLAIM_SIGNAL, DEFAULT_PID_FILE, isTakeoverRun } from "./pid-file";

export function registerClaim(program: Command): void {
  program
    .command("claim")
    .description("tell the running daemon to take its own addresses back from the peer now (failback: manual or delay)")
    .option("--pid <pid>", "the daemon's process id (default: read from --pid-file)")
    .option("--pid-file <path>", "where `takeover run` wrote its pid", DEFAULT_PID_FILE)
    .action((options: { pid?: string; pidFile: string }) => {
      let pid: number;
      if (options.pid !== undefined) {
        if (!/^[0-9]+$/.test(options.pid) || Number(options.pid) < 2) throw new UsageError(`--pid: "${options.pid}" is not a process id; write a number, like --pid 1234`);
        pid = Number(options.pid);
      } else {
        let text: string;
        try {
          text = readFileSync(options.pidFile, "utf8");
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read (${(error as Error).message})`;
          return fail(`no takeover daemon found: ${options.pidFile} ${why}; is takeover run going? (under systemd: systemctl kill --kill-who=main -s USR2 takeover)`);
        }
        if (!/^\s*[0-9]+\s*$/.test(text)) return fail(`${options.pidFile} does not hold a process id: remove it, and restart takeover run`);
        pid = Number(text.trim());
      }
      if (!isTakeoverRun(pid)) return fail(`no takeover daemon runs as pid ${pid}${options.pid === undefined ? ` (a stale ${options.pidFile}?)` : ""}; is takeover run going?`);
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

function fail(message: string): void {
  process.stderr.write(`takeover: ${message}\n`);
  process.exitCode = 1;
}

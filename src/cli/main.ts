#!/usr/bin/env node
// The `takeover` command: one subcommand per verb, each in its own module under src/cli/. This file
// only wires them up, prints errors as one line, and sets the exit status.
//
// Every error, ours and the argument parser's, is one line on stderr: `takeover: <problem>; <fix>`
// (commander's `error: …` messages and their extra lines are rewritten by parserErrorLine). Exit
// status, the same for every verb (README, "Exit codes"):
//   0    done: what was asked happened (and --help, --version)
//   1    done, and the answer is no: `arp probe` found the address in use, `arp who-has` got no
//        answer, `status` found no daemon, a `lab` step did not happen; `ping`: one target as
//        iputils ping (1: no answer), several as fping (1: one or more did not answer)
//   2    not done: a usage error (no verb, an unknown verb or option, a bad argument), a config that
//        does not load, a missing interface or privilege, or a failure while running
//   130  `lab` interrupted by SIGINT or SIGTERM (the lab is torn down first)
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./errors";
import { registerArp } from "./arp";
import { registerClaim } from "./claim";
import { registerLab } from "./lab";
import { registerPing } from "./ping";
import { registerReleaseAll } from "./release-all";
import { registerRun } from "./run";
import { registerSniff } from "./sniff";
import { registerStatus } from "./status";

function version(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

export function buildProgram(): Command {
  const program = new Command("takeover")
    .description("IP failover for two Linux boxes over ARP, and the packet tools it is built on")
    .version(version(), "-V, --version")
    .exitOverride();
  for (const register of verbs) register(program);
  oneLineErrors(program, []);
  return program;
}

/** Has `command` and every subcommand under it print the parser's errors as our one line. */
function oneLineErrors(command: Command, path: readonly string[]): void {
  command.configureOutput({ outputError: (message, write) => write(`${parserErrorLine(message, path)}\n`) });
  for (const sub of command.commands) oneLineErrors(sub, [...path, sub.name()]);
}

/**
 * commander's error message (`error: unknown option '--x'`, with a `(Did you mean …?)` line, or
 * `… Allowed choices are a, b.`) as one line `takeover: <problem>; <fix>`; `path` is the verb's.
 */
export function parserErrorLine(message: string, path: readonly string[]): string {
  const help = `takeover${path.map((p) => ` ${p}`).join("")} --help`;
  let text = message.trim().replace(/^error: /, "");
  let fix = `see ${help}`;
  const suggestion = /\s*\(Did you mean (.+)\?\)\s*$/.exec(text);
  if (suggestion !== null) {
    text = text.slice(0, suggestion.index);
    fix = `did you mean ${suggestion[1]}? (${help} lists them)`;
  }
  const choices = /^(.*) is invalid\. Allowed choices are (.*?)\.?$/s.exec(text);
  if (choices !== null) {
    text = `${choices[1]} is invalid`;
    fix = `use one of ${choices[2]}`;
  }
  // one line; commander's sentences become clauses
  text = text.split(/\s*\n\s*/).join(" ").replace(/\.$/, "").replace(/\. (\S)/g, (_, c: string) => `: ${c.toLowerCase()}`);
  return `takeover: ${text}; ${fix}`;
}

/** Each verb module exports a function that adds its subcommand. */
type RegisterVerb = (program: Command) => void;
const verbs: RegisterVerb[] = [registerRun, registerClaim, registerReleaseAll, registerLab, registerPing, registerArp, registerSniff, registerStatus];

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    // no verb: the usage, on stderr as for any usage error
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed the message (oneLineErrors), or the usage of a verb given no subverb
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      // a UsageError may hold several problems, one `takeover: ` line each (a config's)
      process.stderr.write(`takeover: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`${errorLine(error)}\n`);
    return 2;
  }
}

/** Any other error as one line. */
function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `takeover: ${message.split(/\s*\n\s*/).filter((l) => l !== "").join("; ")}`;
}

if (require.main === module) {
  main(process.argv).then(
    (status) => process.exit(status),
    (error: unknown) => {
      process.stderr.write(`${errorLine(error)}\n`);
      process.exit(2);
    },
  );
}

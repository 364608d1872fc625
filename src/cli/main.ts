#!/usr/bin/env node
// The `takeover` command: one subcommand per verb, each in its own module under src/cli/. This file
// only wires them up, prints errors as one line, and sets the exit status.
//
// Every error, ours and the argument parser's, is one line on stderr: `takeover: <problem>; <fix>`
// (commander's `error: …` messages and their extra lines are rewritten by parserErrorLine). Exit
// status, the same for every verb (README, "Exit codes"):
//   0    done: what was asked happened (and --help, --version)
//   1    done, and the answer is no: `arp probe` / `ndp probe` found the address in use,
//        `arp who-has` / `ndp who-has` got no answer, `status` found no daemon, a `lab` step did not happen; `ping`: one target as
//        iputils ping (1: no answer), several as fping (1: one or more did not answer)
//   2    not done: a usage error (no verb, an unknown verb or option, a bad argument), a config that
//        does not load, a missing interface or privilege, or a failure while running
//   130  `lab` interrupted by SIGINT or SIGTERM (the lab is torn down first)
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { UsageError } from "./errors";

function version(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/**
 * The program with every verb, or only `only` (the verb given: `run` loads no other verb's modules,
 * see VERBS).
 */
export function buildProgram(only?: string): Command {
  const program = new Command("takeover")
    .description("IP failover for two Linux boxes over ARP, and the packet tools it is built on")
    .version(version(), "-V, --version")
    .exitOverride();
  const verb = only === undefined ? undefined : VERBS.find((v) => v.name === only);
  for (const v of verb === undefined ? VERBS : [verb]) v.load()(program);
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
/**
 * The verbs, in the order `takeover --help` lists them. Each module is loaded only when its verb is
 * registered: a command line naming a verb registers that verb alone (its --help, options and errors
 * are all its own), so the daemon (`run`) does not carry the lab, sniff, ping and arp modules and
 * what they load (~2 MB of RSS); any other command line (no verb, an unknown one, `--help`) loads all.
 */
const VERBS: readonly { readonly name: string; readonly load: () => RegisterVerb }[] = [
  { name: "run", load: () => (require("./run") as typeof import("./run")).registerRun },
  { name: "claim", load: () => (require("./claim") as typeof import("./claim")).registerClaim },
  { name: "release-all", load: () => (require("./release-all") as typeof import("./release-all")).registerReleaseAll },
  { name: "lab", load: () => (require("./lab") as typeof import("./lab")).registerLab },
  { name: "ping", load: () => (require("./ping") as typeof import("./ping")).registerPing },
  { name: "arp", load: () => (require("./arp") as typeof import("./arp")).registerArp },
  { name: "ndp", load: () => (require("./ndp") as typeof import("./ndp")).registerNdp },
  { name: "sniff", load: () => (require("./sniff") as typeof import("./sniff")).registerSniff },
  { name: "status", load: () => (require("./status") as typeof import("./status")).registerStatus },
];

async function main(argv: string[]): Promise<number> {
  const program = buildProgram(argv[2]);
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

/**
 * V8 options for the long-running daemon (`run`): --optimize-for-size keeps V8's young generation
 * small and shrinks the heap more eagerly (without it the scavenger's semispaces grow to 16 MB
 * each under the daemon's steady allocation): 14 MB less RSS for `takeover run` at a 10 ms cadence
 * (README, "Performance"). It is read by V8 as it runs, so setting it here, after start-up, works;
 * options fixed when the heap is set up (--max-semi-space-size) would have to be given to node itself
 * (NODE_OPTIONS).
 */
export const DAEMON_V8_FLAGS = ["--optimize-for-size"] as const;

if (require.main === module) {
  if (process.argv[2] === "run") for (const flag of DAEMON_V8_FLAGS) setFlagsFromString(flag);
  main(process.argv).then(
    (status) => process.exit(status),
    (error: unknown) => {
      process.stderr.write(`${errorLine(error)}\n`);
      process.exit(2);
    },
  );
}

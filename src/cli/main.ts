#!/usr/bin/env node
// The `takeover` command: one subcommand per verb, each in its own module under src/cli/. This file
// only wires them up, prints errors as one line, and sets the exit status.
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
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of verbs) register(program);
  return program;
}

/** Each verb module exports a function that adds its subcommand. */
type RegisterVerb = (program: Command) => void;
const verbs: RegisterVerb[] = [registerRun, registerClaim, registerReleaseAll, registerLab, registerPing, registerArp, registerSniff, registerStatus];

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed the message (or the help) already
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`takeover: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`takeover: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (status) => process.exit(status),
    (error: unknown) => {
      process.stderr.write(`takeover: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}

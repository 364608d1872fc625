// The benchmarks' command lines, checked before anything starts: `--help` (or `-h`) prints a bench's
// usage and exits 0, and an argument the bench does not know is refused in one line with exit 2, so
// that a typo never starts namespaces, daemons or a long measurement with the defaults.

/** The options a bench takes: true when the option takes a value (`--trials 5`), false for a flag. */
export type BenchOptions = Readonly<Record<string, boolean>>;

/**
 * Checks `argv` (process.argv) against `options`. Returns normally when every argument is known;
 * prints `usage` and exits 0 on --help; exits 2 with one line naming the argument otherwise.
 */
export function checkBenchArgs(name: string, usage: string, options: BenchOptions, positional = 0, argv: readonly string[] = process.argv): void {
  const problem = benchArgsProblem(options, argv, positional);
  if (problem === "help") {
    process.stdout.write(usage.endsWith("\n") ? usage : `${usage}\n`);
    process.exit(0);
  }
  if (problem !== undefined) {
    process.stderr.write(`${name}: ${problem}; see --help\n`);
    process.exit(2);
  }
}

/**
 * What is wrong with `argv` for these options and at most `positional` plain arguments: "help" when
 * help was asked for, undefined when nothing.
 */
export function benchArgsProblem(options: BenchOptions, argv: readonly string[], positional = 0): string | undefined {
  let plain = 0;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return "help";
    if (!arg.startsWith("-") && plain < positional) {
      plain++;
      continue;
    }
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (!Object.prototype.hasOwnProperty.call(options, flag)) return `unknown argument "${arg}"`;
    if (options[flag] && inline === undefined) {
      if (i + 1 >= argv.length) return `${flag} needs a value`;
      i++;
    } else if (!options[flag] && inline !== undefined) {
      return `${flag} takes no value`;
    }
  }
  return undefined;
}

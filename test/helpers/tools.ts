// Runs the external programs that tests compare our codecs with (tshark, tcpdump, python3 with scapy).
// A program that is missing fails the test with the Debian package that provides it: these tests
// guard the codecs, and skipping them quietly would let a broken codec through.
import { spawnSync } from "child_process";

export interface Tool {
  /** the command, looked up in PATH unless it holds a slash */
  readonly command: string;
  /** the Debian package that installs it */
  readonly debianPackage: string;
}

export const TSHARK: Tool = { command: "tshark", debianPackage: "tshark" };
export const TCPDUMP: Tool = { command: "tcpdump", debianPackage: "tcpdump" };

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

function missing(tool: Tool, why: string): Error {
  return new Error(
    `${tool.command} is needed to check our codecs against it, and ${why}: ` +
      `install the Debian package ${tool.debianPackage} (apt-get install ${tool.debianPackage})`,
  );
}

/**
 * Runs `tool args` to completion (at most `timeoutMs`) and returns its output.
 * @throws an Error naming the Debian package to install when the program is not there, and one
 *   with its stderr when it exits with a status other than 0
 */
export function runTool(tool: Tool, args: readonly string[], timeoutMs = 20_000): ToolOutput {
  const result = spawnSync(tool.command, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 256 << 20 });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw missing(tool, "it is not installed");
    throw new Error(`${tool.command} ${args.join(" ")} could not run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`${tool.command} ${args.join(" ")} exited with ${result.status ?? result.signal}: ${result.stderr.trim()}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** The first line a tool prints about its version, e.g. "TShark (Wireshark) 4.0.17". */
export function toolVersion(tool: Tool, args: readonly string[] = ["--version"]): string {
  const { stdout, stderr } = runTool(tool, args);
  return (stdout.trim() || stderr.trim()).split("\n")[0];
}

let scapyPython: Tool | undefined;

/**
 * A python3 that can import scapy: the first of `python3` in PATH and /usr/bin/python3 (Debian's
 * python3-scapy installs for the latter; a pyenv or virtualenv python3 first in PATH may lack it).
 * @throws an Error naming python3-scapy when neither can import it
 */
export function pythonWithScapy(): Tool {
  if (scapyPython !== undefined) return scapyPython;
  const tried: string[] = [];
  for (const command of ["python3", "/usr/bin/python3"]) {
    const result = spawnSync(command, ["-c", "import scapy"], { encoding: "utf8", timeout: 20_000 });
    if (result.error === undefined && result.status === 0) {
      scapyPython = { command, debianPackage: "python3-scapy" };
      return scapyPython;
    }
    tried.push(result.error !== undefined ? `${command}: ${result.error.message}` : `${command}: ${result.stderr.trim().split("\n").pop()}`);
  }
  throw new Error(
    `python3 with scapy is needed to check our codecs against it, and no python3 can import scapy (${tried.join("; ")}): ` +
      "install the Debian package python3-scapy (apt-get install python3-scapy)",
  );
}

// The CLI's errors and exit status, the same for every verb (src/cli/main.ts, README "Exit codes"):
// run as operators run it (the built CLI as a child process), each of the parser's errors — unknown
// verb or option, a missing or extra argument, a bad choice, a missing option value — is one line
// `takeover: <problem>; <fix>` on stderr with nothing on stdout and exit status 2, for the top level,
// a verb and a subverb; no arguments, and `arp` without its subverb, print the usage on stderr and
// exit 2; --help and --version print on stdout and exit 0. parserErrorLine is unit-tested on
// commander's message shapes.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parserErrorLine } from "../../src/cli/main";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");

function takeover(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line, `takeover: <problem>; <fix>`, and nothing else. */
const ONE_LINE = /^takeover: [^\n]+; [^\n]+\n$/;

describe("takeover: errors and exit status", function () {
  this.timeout(60_000);

  const parserErrors: [string[], RegExp][] = [
    [["frobnicate"], /^takeover: unknown command 'frobnicate'; see takeover --help\n$/],
    [["rn", "x.yaml"], /^takeover: unknown command 'rn'; did you mean run\? \(takeover --help lists them\)\n$/],
    [["--bogus"], /^takeover: unknown option '--bogus'; see takeover --help\n$/],
    [["run"], /^takeover: missing required argument 'config'; see takeover run --help\n$/],
    [["run", "a.yaml", "b.yaml"], /^takeover: too many arguments for 'run': expected 1 argument but got 2; see takeover run --help\n$/],
    [["run", "a.yaml", "--log-level", "loud"], /^takeover: option '--log-level <level>' argument 'loud' is invalid; use one of error, warning, notice, info, debug\n$/],
    [["run", "a.yaml", "--log-format", "xml"], /^takeover: option '--log-format <format>' argument 'xml' is invalid; use one of text, json\n$/],
    [["arp", "announce", "192.0.2.1"], /^takeover: required option '-I, --interface <iface>' not specified; see takeover arp announce --help\n$/],
    [["arp", "announce", "-I"], /^takeover: option '-I, --interface <iface>' argument missing; see takeover arp announce --help\n$/],
    [["arp", "annonce"], /^takeover: unknown command 'annonce'; did you mean announce\? \(takeover arp --help lists them\)\n$/],
    [["arp", "probe", "192.0.2.1", "-I", "eth0", "--form", "both"], /^takeover: unknown option '--form'; see takeover arp probe --help\n$/],
    [["ndp", "probe"], /^takeover: missing required argument 'address'; see takeover ndp probe --help\n$/],
    [["ndp", "anounce"], /^takeover: unknown command 'anounce'; did you mean announce\? \(takeover ndp --help lists them\)\n$/],
    [["ping"], /^takeover: missing required argument 'target'; see takeover ping --help\n$/],
    [["sniff", "-c"], /^takeover: option '-c, --count <n>' argument missing; see takeover sniff --help\n$/],
    [["lab", "down", "extra"], /^takeover: too many arguments for 'down': expected 0 arguments but got 1; see takeover lab down --help\n$/],
  ];
  for (const [args, expected] of parserErrors) {
    it(`takeover ${args.join(" ")}: one line on stderr, exit 2`, () => {
      const r = takeover(...args);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, ONE_LINE);
      assert.match(r.stderr, expected);
    });
  }

  it("our own errors are the same one line, exit 2 (a config that does not exist, a bad count)", () => {
    for (const args of [["run", "/nonexistent/brain.yaml"], ["ping", "-c", "zero", "192.0.2.1"], ["sniff", "-i", "eth0", "-r", "x.pcap"]]) {
      const r = takeover(...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^takeover: [^\n]+\n$/, args.join(" "));
    }
  });

  it("no arguments: the usage on stderr, exit 2", () => {
    const r = takeover();
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^Usage: takeover \[options\] \[command\]/);
    for (const verb of ["run", "arp", "ndp", "ping", "sniff", "status"]) assert.match(r.stderr, new RegExp(`^\\s+${verb}\\b`, "m"));
  });

  it("arp without a subverb: its usage on stderr, exit 2, as with no arguments", () => {
    const r = takeover("arp");
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^Usage: takeover arp \[options\] \[command\]/);
    for (const verb of ["announce", "probe", "who-has", "send"]) assert.match(r.stderr, new RegExp(`^\\s+${verb}\\b`, "m"));
  });

  it("--help and --version: on stdout, exit 0, for the top level and a verb", () => {
    for (const args of [["--help"], ["run", "--help"], ["arp", "--help"], ["arp", "probe", "--help"]]) {
      const r = takeover(...args);
      assert.equal(r.status, 0, args.join(" "));
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^Usage: takeover/);
    }
    const v = takeover("--version");
    assert.deepEqual([v.status, v.stderr], [0, ""]);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it("run --help documents --log-level and --log-format", () => {
    const help = takeover("run", "--help").stdout;
    assert.match(help, /--log-level <level>/);
    assert.match(help, /--log-format <format>/);
  });

  describe("parserErrorLine", () => {
    it("turns commander's message shapes into one line with a fix", () => {
      assert.equal(parserErrorLine("error: unknown option '--x'\n", ["run"]), "takeover: unknown option '--x'; see takeover run --help");
      assert.equal(parserErrorLine("error: unknown command 'rn'\n(Did you mean run?)\n", []), "takeover: unknown command 'rn'; did you mean run? (takeover --help lists them)");
      assert.equal(
        parserErrorLine("error: option '--form <form>' argument 'x' is invalid. Allowed choices are request, reply, both.\n", ["arp", "announce"]),
        "takeover: option '--form <form>' argument 'x' is invalid; use one of request, reply, both",
      );
      assert.equal(parserErrorLine("error: too many arguments. Expected 0 arguments but got 1.\n", ["lab", "down"]), "takeover: too many arguments: expected 0 arguments but got 1; see takeover lab down --help");
      assert.equal(parserErrorLine("error: something\nspread over\nlines\n", []), "takeover: something spread over lines; see takeover --help");
    });
  });
});

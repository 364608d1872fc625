// `takeover sniff -r` with tcpdump's output flags (-t…-ttttt, -e, -q, -x/-xx/-X/-XX, -v) and their
// combinations against `TZ=UTC tcpdump -n <flags> -r`, line for line, continuation lines and hex
// dumps included, on captures scapy builds (fixtures/sniff-flags-frames.py): every protocol sniff
// prints (ARP, IPv4, ICMP, IPv6, ICMPv6/NDP, UDP, TCP, VRRP, 802.1Q), as Ethernet, Linux cooked
// v1 and v2, raw IP and BSD loopback frames, stamped at irregular steps that cross midnight, go
// back in time and skip more than a day (for -ttt and -ttttt).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pythonWithScapy, runTool } from "../helpers/tools";

const CLI = path.resolve(__dirname, "../../src/cli/main.js");
const GENERATOR = path.resolve(__dirname, "../../../test/cli/fixtures/sniff-flags-frames.py");
const PACKET_FIXTURES = path.resolve(__dirname, "../../../test/packets/fixtures");
const ENV = { ...process.env, TZ: "UTC" };
const CAPTURES = ["ether", "sll", "sll2", "raw", "null"] as const;

/** Every flag and the combinations that interact; the Ethernet capture is read with each. */
const ETHERNET_FLAGS: readonly (readonly string[])[] = [
  [], ["-t"], ["-tt"], ["-ttt"], ["-tttt"], ["-ttttt"], ["-e"], ["-q"], ["-e", "-q"], ["-x"], ["-xx"], ["-X"], ["-XX"],
  ["-x", "-e"], ["-XX", "-e"], ["-X", "-q"], ["-tttt", "-q"], ["-ttt", "-e", "-x"], ["-S", "-q"], ["-S", "-e"],
  ["-v"], ["-e", "-v"], ["-v", "-q"], ["-v", "-S"], ["-v", "-X"], ["-tt", "-v", "-e", "-XX"],
];
/** The other link types: their headers under -e, -q and the dumps, and -v over them. */
const OTHER_FLAGS: readonly (readonly string[])[] = [[], ["-e"], ["-q"], ["-e", "-q"], ["-x"], ["-XX"], ["-v"], ["-e", "-v"], ["-ttt", "-X", "-e"]];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function sniff(args: readonly string[]): Run {
  const result = spawnSync(process.execPath, [CLI, "sniff", ...args], { env: ENV, encoding: "utf8", maxBuffer: 64 << 20, timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tcpdump(args: readonly string[]): string {
  const result = spawnSync("tcpdump", ["-n", ...args], { env: ENV, encoding: "utf8", maxBuffer: 64 << 20, timeout: 60_000 });
  if (result.error !== undefined) throw new Error(`tcpdump could not run (apt-get install tcpdump): ${result.error.message}`);
  assert.equal(result.status, 0, `tcpdump ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

describe("cli/sniff output flags, against tcpdump", function () {
  this.timeout(120_000);
  let directory = "";

  before(function () {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-sniff-flags-"));
    runTool(pythonWithScapy(), [GENERATOR, directory], 120_000);
  });

  after(function () {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("reads captures that hold every protocol sniff prints (so the comparisons below reach them)", () => {
    const ether = tcpdump(["-r", path.join(directory, "ether.pcap")]);
    for (const needle of ["ARP, Request", "ARP, Reply", "ICMP echo request", "unreachable", "time exceeded", "redirect", "ip-proto-17",
      "Flags [S]", "Flags [P.]", "Flags [R]", "UDP, length", "VRRPv2", "VRRPv3", "IP6 ", "ICMP6, echo request", "router advertisement",
      "neighbor solicitation", "neighbor advertisement", "packet too big"]) {
      assert.ok(ether.includes(needle), `the Ethernet capture has no line with "${needle}"`);
    }
    assert.ok(tcpdump(["-e", "-r", path.join(directory, "ether.pcap")]).includes("vlan 100, p 5"), "no 802.1Q tag");
    const verbose = tcpdump(["-v", "-r", path.join(directory, "ether.pcap")]);
    for (const needle of ["bad cksum", "wrong icmp cksum", "cksum 0xbeef (incorrect", "[bad icmp6 cksum", "[bad udp cksum", "source link-address option",
      "prefix info option", "\n\tIP (tos", "flowlabel", "class 0xb8", "auth \"password\""]) {
      assert.ok(verbose.includes(needle), `tcpdump -v prints no "${needle}" for the Ethernet capture`);
    }
    const deltas = tcpdump(["-ttt", "-r", path.join(directory, "ether.pcap")]);
    assert.ok(/^-00:00:02\.250000 /m.test(deltas) && /^ 01:01:01\.500000 /m.test(deltas), "no step back in time, or none over a day");
  });

  for (const capture of CAPTURES) {
    for (const flags of capture === "ether" ? ETHERNET_FLAGS : OTHER_FLAGS) {
      it(`prints ${capture}.pcap as tcpdump -n ${flags.join(" ")} -r does, line for line`, () => {
        const file = path.join(directory, `${capture}.pcap`);
        const run = sniff([...flags, "-r", file]);
        assert.equal(run.status, 0, run.stderr);
        const ours = run.stdout.split("\n");
        const theirs = tcpdump([...flags, "-r", file]).split("\n");
        assert.ok(theirs.length > 40, `tcpdump printed ${theirs.length} lines`);
        for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
          assert.equal(ours[i], theirs[i], `line ${i + 1} of sniff ${flags.join(" ")} -r ${capture}.pcap`);
        }
      });
    }
  }

  // The corpora of the codec tests: IPv6 with every extension header, ICMPv6 message, NDP option, MLD
  // and cut (ipv6-frames.py), and IPv4 with options, fragments, ICMP errors and ARP (scapy-frames.py),
  // under the flags whose lines change most with the packet: -v, and the dumps (which, after a cut,
  // start where tcpdump's printer stopped knowing the link header).
  for (const [generator, seed] of [["ipv6-frames.py", 1], ["ipv6-frames.py", 4], ["scapy-frames.py", 2]] as const) {
    for (const flags of [["-v"], ["-e", "-v", "-X"], ["-x"], ["-q", "-XX"]]) {
      it(`prints ${generator}'s corpus (seed ${seed}) as tcpdump -n ${flags.join(" ")} -r does, line for line`, () => {
        const file = path.join(directory, `${generator}-${seed}.pcap`);
        if (!fs.existsSync(file)) runTool(pythonWithScapy(), [path.join(PACKET_FIXTURES, generator), file, String(seed)], 120_000);
        const run = sniff([...flags, "-r", file]);
        assert.equal(run.status, 0, run.stderr);
        const ours = run.stdout.split("\n");
        const theirs = tcpdump([...flags, "-r", file]).split("\n");
        assert.ok(theirs.length > 100, `tcpdump printed ${theirs.length} lines`);
        for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
          assert.equal(ours[i], theirs[i], `line ${i + 1} of sniff ${flags.join(" ")} -r ${generator} (seed ${seed})`);
        }
      });
    }
  }

  it("prints -v lines of 11 KB, past its 1 MiB output chunk, as tcpdump does", () => {
    const file = path.join(directory, "long-lines.pcap");
    const run = sniff(["-v", "-r", file]);
    assert.equal(run.status, 0, run.stderr);
    const theirs = tcpdump(["-v", "-r", file]);
    assert.ok(theirs.length > 1_200_000, `tcpdump printed ${theirs.length} bytes`);
    assert.ok(run.stdout === theirs, "sniff -v and tcpdump -v differ on long-lines.pcap");
  });

  it("refuses -vv and six -t in one line each, naming what it takes, with exit status 2", () => {
    const file = path.join(directory, "ether.pcap");
    for (const [flags, pattern] of [
      [["-vv"], /^takeover: -vv: sniff prints tcpdump's -v lines, not its -vv or -vvv ones; give -v once \(or read the file with tcpdump\)$/],
      [["-v", "-v", "-v"], /^takeover: -vvv: /],
      [["-tttttt"], /^takeover: -t is given 6 times; tcpdump's forms are -t, -tt, -ttt, -tttt and -ttttt$/],
    ] as const) {
      const run = sniff([...flags, "-r", file]);
      assert.equal(run.status, 2, `${flags.join(" ")}: ${run.stderr}`);
      assert.equal(run.stdout, "");
      const errorLines = run.stderr.trim().split("\n");
      assert.equal(errorLines.length, 1, run.stderr);
      assert.match(errorLines[0], pattern);
    }
  });
});

// sniff's IPv6 lines against the installed tcpdump (4.99): every line identical to `TZ=UTC tcpdump -n
// -r` (its hex-dump continuation lines left out) for
//   - the scapy corpus (fixtures/ipv6-frames.py, three seeds: extension headers, fragments, ICMPv6
//     echo, errors, NDP with and without options, MLD, UDP, snap-length cuts, 802.1Q);
//   - random frames our encoder built (any extension-header chain, any ICMPv6 message and code);
//   - the same IPv6 packets in raw-IP, Linux cooked (SLL) and BSD loopback captures.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
  decodeEthernet,
  ethernetHeaderLength,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  linkFrameSummary,
  readPcap,
  writePcap,
} from "../../src/packets";
import { LINKTYPE_ETHERNET } from "../../src/packets/pcap";
import { pythonWithScapy, runTool } from "../helpers/tools";
import { ipv6IcmpFrame } from "./ipv6-arbitraries";

const FIXTURES = path.join(__dirname, "..", "..", "..", "test", "packets", "fixtures");

interface Packet {
  readonly data: Uint8Array;
  readonly wireLength: number;
}

let directory = "";
let files = 0;

/** tcpdump's lines (time column and hex-dump lines left out) for a capture of `linkType`. */
function tcpdumpLines(packets: readonly Packet[], linkType: number): string[] {
  const file = path.join(directory, `frames-${files++}.pcap`);
  fs.writeFileSync(file, writePcap(packets.map((p, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: 0, data: p.data, originalLength: p.wireLength })), { linkType }));
  const result = spawnSync("tcpdump", ["-n", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" }, maxBuffer: 256 << 20 });
  if (result.error !== undefined) throw new Error(`tcpdump could not run (apt-get install tcpdump): ${result.error.message}`);
  assert.equal(result.status, 0, `tcpdump failed: ${result.stderr}`);
  const lines = result.stdout.split("\n").filter((line) => line !== "" && !line.startsWith("\t") && !line.startsWith(" "));
  assert.equal(lines.length, packets.length, "tcpdump printed one line per frame");
  return lines.map((line) => line.slice(16));
}

/** Asserts every line is tcpdump's; returns how many were compared. */
function assertSameAsTcpdump(packets: readonly Packet[], linkType: number, what: string): number {
  const theirs = tcpdumpLines(packets, linkType);
  const differing: string[] = [];
  packets.forEach((p, i) => {
    const ours = linkFrameSummary(linkType, p.data, p.wireLength);
    if (ours !== theirs[i]) differing.push(`${what} ${i + 1}:\n  tcpdump: ${theirs[i]}\n  ours:    ${ours}`);
  });
  assert.deepEqual(differing.slice(0, 10), [], `${differing.length} of ${packets.length} lines differ`);
  return packets.length;
}

/** The IPv6 packet of an Ethernet frame, behind another link header. */
function relinked(frame: Packet, linkType: number): Packet {
  const link = ethernetHeaderLength(decodeEthernet(frame.data));
  const ip = frame.data.subarray(link);
  const header =
    linkType === LINKTYPE_RAW
      ? new Uint8Array(0)
      : linkType === LINKTYPE_NULL
        ? Uint8Array.of(30, 0, 0, 0) // AF_INET6 as FreeBSD/macOS write it, host byte order (little-endian)
        : Uint8Array.of(0, 4, 0, 1, 0, 6, 2, 0, 0x5e, 0, 0x53, 1, 0, 0, 0x86, 0xdd); // SLL: outgoing, Ethernet, 6-byte address
  const data = new Uint8Array(header.length + ip.length);
  data.set(header);
  data.set(ip, header.length);
  return { data, wireLength: frame.wireLength - link + header.length };
}

describe("packets/summary-ipv6: IPv6 lines as tcpdump -n prints them", function () {
  this.timeout(180_000);
  let scapyFrames: Packet[] = [];

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-summary-ipv6-"));
    for (const seed of [1, 2, 3]) {
      const file = path.join(directory, `scapy-${seed}.pcap`);
      runTool(pythonWithScapy(), [path.join(FIXTURES, "ipv6-frames.py"), file, String(seed)], 120_000);
      for (const r of readPcap(fs.readFileSync(file))) scapyFrames.push({ data: r.data.slice(), wireLength: r.originalLength });
    }
  });

  after(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("prints every frame of scapy's corpus (≥ 600: extension headers, fragments, ICMPv6, NDP, MLD, UDP, cuts, VLANs) as tcpdump does", () => {
    assert.ok(scapyFrames.length >= 600, `only ${scapyFrames.length} frames`);
    assert.ok(scapyFrames.filter((f) => f.wireLength > f.data.length).length >= 100, "too few frames cut by a snap length");
    assertSameAsTcpdump(scapyFrames, LINKTYPE_ETHERNET, "scapy frame");
  });

  it("prints random frames our encoder built (any extension-header chain, any ICMPv6 message and code) as tcpdump does", () => {
    const frames = fc.sample(ipv6IcmpFrame, { numRuns: 1500 }).map((f) => ({ data: f.bytes, wireLength: f.bytes.length }));
    // and each cut by a snap length somewhere
    const cuts = frames.slice(0, 500).map((f, i) => ({ data: f.data.subarray(0, 18 + ((i * 7919) % (f.data.length - 18))), wireLength: f.wireLength }));
    assertSameAsTcpdump([...frames, ...cuts], LINKTYPE_ETHERNET, "our frame");
  });

  it("prints the same packets in raw-IP, Linux cooked and BSD loopback captures as tcpdump does", () => {
    const whole = scapyFrames.filter((f) => f.wireLength === f.data.length);
    for (const linkType of [LINKTYPE_RAW, LINKTYPE_LINUX_SLL, LINKTYPE_NULL]) {
      assertSameAsTcpdump(whole.map((f) => relinked(f, linkType)), linkType, `link type ${linkType}`);
    }
  });
});

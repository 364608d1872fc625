// The NDP frame builders (src/ndp/frames.ts), judged three ways: our own IPv6/ICMPv6 codecs and
// readNeighborMessage read back every field that was asked for; tshark and scapy, reading the same
// frames from a pcap, find the same fields and a good ICMPv6 checksum; and the reader drops what
// RFC 4861 §7.1 has a host drop (a hop limit other than 255, a code other than 0, a bad checksum, a
// multicast target, a DAD solicitation with a link-layer option, a solicited NA to a group).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { Ipv6Address, Ipv6Packet, Icmpv6Packet, Mac, parseIcmpv6, writePcap } from "../../src/packets";
import {
  ALL_NODES,
  isMulticast,
  isSolicitedNodeGroup,
  isUnspecified,
  multicastMac,
  neighborAdvertisementFrame,
  neighborSolicitationFrame,
  readNeighborMessage,
  solicitedNodeGroup,
  unsolicitedAdvertisement,
} from "../../src/ndp";
import { Reach, scaled } from "../helpers/property";
import { pythonWithScapy, runTool, TSHARK } from "../helpers/tools";
import { ipv6Address } from "../packets/ipv6-arbitraries";
import { mac } from "../packets/arbitraries";

const FIXTURES = path.join(__dirname, "..", "..", "..", "test", "ndp", "fixtures");
const SEED = 20261204;

const linkLocal = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }).map((words) => Ipv6Address.parse(`fe80::${words.map((w) => w.toString(16)).join(":")}`));
const documentation = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }).map((words) => Ipv6Address.parse(`2001:db8::${words.map((w) => w.toString(16)).join(":")}`));
/** A unicast address (not ::, not ff00::/8): documentation, link-local, or any. */
const unicast = fc.oneof(documentation, linkLocal, ipv6Address).filter((a) => !isMulticast(a) && !isUnspecified(a));

const solicitation = fc.record({
  sourceMac: mac,
  source: fc.oneof(fc.constant(Ipv6Address.ANY), unicast),
  target: unicast,
});
const advertisement = fc.record({
  sourceMac: mac,
  target: unicast,
  linkLayerAddress: fc.option(mac, { nil: undefined }),
  router: fc.boolean(),
  solicited: fc.boolean(),
  override: fc.boolean(),
  source: fc.option(unicast, { nil: undefined }),
  /** unicast: a solicited answer to someone's address at their MAC */
  to: fc.option(fc.tuple(unicast, mac), { nil: undefined }),
});
type SolicitationCase = typeof solicitation extends fc.Arbitrary<infer T> ? T : never;
type AdvertisementCase = typeof advertisement extends fc.Arbitrary<infer T> ? T : never;

const buildNs = (c: SolicitationCase) => neighborSolicitationFrame(c);
const buildNa = (c: AdvertisementCase) =>
  neighborAdvertisementFrame({
    sourceMac: c.sourceMac,
    target: c.target,
    router: c.router,
    solicited: c.solicited,
    override: c.override,
    ...(c.linkLayerAddress === undefined ? {} : { linkLayerAddress: c.linkLayerAddress }),
    ...(c.source === undefined ? {} : { source: c.source }),
    ...(c.to === undefined ? {} : { destination: c.to[0], destinationMac: c.to[1] }),
  });

/** The ICMPv6 message of a frame we built, by our codecs: header checked, checksum verified. */
function ourRead(frame: Uint8Array) {
  const ip = new Ipv6Packet().reset(frame, 14);
  assert.equal(ip.check(), undefined);
  const icmp = new Icmpv6Packet().reset(frame, ip.payloadOffset, ip.payloadEnd, "header");
  assert.equal(icmp.check(), undefined);
  assert.ok(icmp.checksumValid(ip.sourceOffset, ip.pseudoHeaderDestinationOffset), "our codec finds the checksum good");
  return { ip, message: parseIcmpv6(icmp), etherType: (frame[12] << 8) | frame[13], ethernetDestination: Mac.read(frame, 0), ethernetSource: Mac.read(frame, 6) };
}

describe("ndp frames", function () {
  this.timeout(120_000);

  it("solicited-node groups and their MACs: RFC 4291's example and the documentation prefix", () => {
    assert.equal(solicitedNodeGroup(Ipv6Address.parse("fe80::2aa:ff:fe28:9c5a")).toString(), "ff02::1:ff28:9c5a");
    assert.equal(solicitedNodeGroup(Ipv6Address.parse("2001:db8::5")).toString(), "ff02::1:ff00:5");
    assert.equal(multicastMac(Ipv6Address.parse("ff02::1:ff28:9c5a")).toString(), "33:33:ff:28:9c:5a");
    assert.equal(multicastMac(ALL_NODES).toString(), "33:33:00:00:00:01");
    assert.ok(isSolicitedNodeGroup(Ipv6Address.parse("ff02::1:ff00:5")));
    assert.ok(!isSolicitedNodeGroup(Ipv6Address.parse("ff02::1")));
    assert.ok(!isSolicitedNodeGroup(Ipv6Address.parse("ff02::2:ff00:5")));
  });

  it("a Neighbor Solicitation reads back as built: to the target's solicited-node group, hop limit 255, our link-layer address unless from ::", () => {
    const reach = new Reach("NS read back", { dad: 170, withOption: 160, linkLocalTarget: 110 });
    fc.assert(
      fc.property(solicitation, (c) => {
        reach.run();
        const frame = buildNs(c);
        const { ip, message, etherType, ethernetDestination, ethernetSource } = ourRead(frame);
        const group = solicitedNodeGroup(c.target);
        assert.equal(etherType, 0x86dd);
        assert.ok(ethernetDestination.equals(multicastMac(group)));
        assert.ok(ethernetSource.equals(c.sourceMac));
        assert.equal(ip.hopLimit, 255);
        assert.equal(message.type, 135);
        assert.equal(message.code, 0);
        assert.ok(message.body.kind === "neighborSolicitation" && message.body.target.equals(c.target));
        const dad = isUnspecified(c.source);
        reach.hit("dad", dad);
        reach.hit("withOption", !dad);
        reach.hit("linkLocalTarget", c.target.bytes[0] === 0xfe);
        assert.deepEqual(message.body.options.map((o) => o.type), dad ? [] : [1]);
        const read = readNeighborMessage(frame);
        assert.ok(read !== undefined, "the reader accepts what we build");
        assert.equal(read.kind, "solicitation");
        assert.ok(read.source.equals(c.source) && read.destination.equals(group) && read.target.equals(c.target));
        assert.equal(read.linkLayerAddress?.toString(), dad ? undefined : c.sourceMac.toString());
      }),
      { numRuns: scaled(1000), seed: SEED },
    );
    reach.check();
  });

  it("a Neighbor Advertisement reads back as built: flags, target, Target Link-Layer Address option; unsolicited to all-nodes by default", () => {
    const reach = new Reach("NA read back", { router: 160, solicitedUnicast: 130, overrideClear: 170, handBack: 280, solicitedToGroupDropped: 30, unsolicitedDefault: 28 });
    fc.assert(
      fc.property(advertisement, (c) => {
        reach.run();
        const frame = buildNa(c);
        const { ip, message, ethernetDestination, ethernetSource } = ourRead(frame);
        const destination = c.to?.[0] ?? ALL_NODES;
        assert.ok(ethernetDestination.equals(c.to?.[1] ?? multicastMac(ALL_NODES)));
        assert.ok(ethernetSource.equals(c.sourceMac));
        assert.equal(ip.hopLimit, 255);
        assert.equal(message.type, 136);
        const body = message.body;
        assert.ok(body.kind === "neighborAdvertisement");
        assert.deepEqual([body.router, body.solicited, body.override, body.reserved], [c.router, c.solicited, c.override, 0]);
        assert.ok(body.target.equals(c.target));
        const lla = c.linkLayerAddress ?? c.sourceMac;
        assert.deepEqual(body.options.map((o) => [o.type, "address" in o ? Mac.read(o.address, 0).toString() : ""]), [[2, lla.toString()]]);
        reach.hit("router", c.router);
        reach.hit("overrideClear", !c.override);
        reach.hit("handBack", !lla.equals(c.sourceMac));
        reach.hit("unsolicitedDefault", c.to === undefined && !c.solicited);
        const read = readNeighborMessage(frame);
        if (c.solicited && isMulticast(destination)) {
          reach.hit("solicitedToGroupDropped");
          assert.equal(read, undefined, "a solicited NA to a group is dropped (RFC 4861 §7.1.2)");
          return;
        }
        reach.hit("solicitedUnicast", c.solicited);
        assert.ok(read !== undefined && read.kind === "advertisement");
        assert.ok(read.source.equals(c.source ?? c.target) && read.destination.equals(destination) && read.target.equals(c.target));
        assert.deepEqual([read.router, read.solicited, read.override, read.linkLayerAddress?.toString()], [c.router, c.solicited, c.override, lla.toString()]);
      }),
      { numRuns: scaled(1000), seed: SEED + 1 },
    );
    reach.check();
  });

  it("the reader drops what a host must drop: hop limit ≠ 255, code ≠ 0, a bad checksum, a multicast target, a DAD NS with a link-layer option", () => {
    const reach = new Reach("reader drops", { hopLimit: 60, code: 60, checksum: 60, multicastTarget: 60, dadWithOption: 60 });
    const mutation = fc.constantFrom("hopLimit", "code", "checksum", "multicastTarget", "dadWithOption");
    fc.assert(
      fc.property(fc.oneof(solicitation.map((c) => ({ ns: c })), advertisement.map((c) => ({ na: { ...c, solicited: false } }))), mutation, fc.integer({ min: 1, max: 0xffff }), (c, what, noise) => {
        reach.run();
        if (what === "dadWithOption") {
          // a solicitation from :: that carries a Source Link-Layer Address option
          const withOption = neighborSolicitationFrame({ sourceMac: new Mac(1), source: Ipv6Address.parse("2001:db8::1"), target: "ns" in c ? c.ns.target : c.na.target });
          withOption.fill(0, 14 + 8, 14 + 24); // IPv6 source → ::
          fixChecksum(withOption);
          reach.hit("dadWithOption");
          assert.equal(readNeighborMessage(withOption), undefined);
          return;
        }
        const frame = "ns" in c ? buildNs(c.ns) : buildNa(c.na);
        assert.ok(readNeighborMessage(frame) !== undefined);
        const icmp = 14 + 40;
        if (what === "hopLimit") frame[14 + 7] = (255 + noise) % 256 === 255 ? 254 : (255 + noise) % 256;
        else if (what === "code") frame[icmp + 1] = 1 + (noise % 255);
        else if (what === "checksum") frame[icmp + 2] ^= noise >>> 8 || 1;
        else if (what === "multicastTarget") frame[icmp + 8] = 0xff;
        if (what === "code" || what === "multicastTarget") fixChecksum(frame);
        reach.hit(what);
        assert.equal(readNeighborMessage(frame), undefined, what);
      }),
      { numRuns: scaled(1000), seed: SEED + 2 },
    );
    reach.check();
  });

  describe("tshark and scapy read our frames as we built them", () => {
    const nsSamples = fc.sample(solicitation, { seed: SEED + 3, numRuns: 150 });
    const naSamples = fc.sample(advertisement, { seed: SEED + 4, numRuns: 150 });
    const frames = [...nsSamples.map(buildNs), ...naSamples.map(buildNa), unsolicitedAdvertisement({ mac: new Mac(0x02_00_00_00_00_01) }, Ipv6Address.parse("2001:db8::37"))];
    interface Expected {
      kind: "ns" | "na";
      src: string;
      dst: string;
      edst: string;
      esrc: string;
      tgt: string;
      flags?: [boolean, boolean, boolean];
      slla: string[];
      tlla: string[];
    }
    const expected: Expected[] = frames.map((frame) => {
      const read = ourRead(frame);
      const body = read.message.body as unknown as { target: Ipv6Address; options: { type: number; address?: Uint8Array }[]; router?: boolean; solicited?: boolean; override?: boolean };
      const llas = (type: number) => body.options.filter((o) => o.type === type).map((o) => Mac.read(o.address!, 0).toString());
      return {
        kind: read.message.type === 135 ? "ns" : "na",
        src: Ipv6Address.read(frame, read.ip.sourceOffset).toString(),
        dst: Ipv6Address.read(frame, read.ip.destinationOffset).toString(),
        edst: read.ethernetDestination.toString(),
        esrc: read.ethernetSource.toString(),
        tgt: body.target.toString(),
        ...(read.message.type === 136 ? { flags: [body.router!, body.solicited!, body.override!] as [boolean, boolean, boolean] } : {}),
        slla: llas(1),
        tlla: llas(2),
      };
    });
    let dir: string;
    let file: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-ndp-"));
      file = path.join(dir, "ndp.pcap");
      fs.writeFileSync(file, writePcap(frames.map((data, i) => ({ seconds: 1_700_000_000 + i, nanoseconds: 0, data }))));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reaches DAD and asking solicitations, and every NA flag both ways", () => {
      assert.ok(expected.some((e) => e.kind === "ns" && e.src === "::") && expected.some((e) => e.kind === "ns" && e.src !== "::"));
      for (let i = 0; i < 3; i++) for (const v of [true, false]) assert.ok(expected.some((e) => e.flags?.[i] === v), `NA flag ${i} ${v}`);
    });

    it("tshark: same addresses, flags and link-layer options, every ICMPv6 checksum good", () => {
      const columns = ["eth.dst", "eth.src", "ipv6.src", "ipv6.dst", "ipv6.hlim", "icmpv6.type", "icmpv6.code", "icmpv6.checksum.status", "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address", "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.opt.src_linkaddr", "icmpv6.opt.target_linkaddr"];
      const { stdout } = runTool(TSHARK, ["-r", file, "-n", "-T", "fields", "-E", "separator=/t", "-E", "aggregator=|", "-E", "occurrence=a", ...columns.flatMap((c) => ["-e", c])]);
      const lines = stdout.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, frames.length);
      const disagreements: string[] = [];
      lines.forEach((line, i) => {
        const f = Object.fromEntries(line.split("\t").map((v, k) => [columns[k], v]));
        const e = expected[i];
        const bool = (v: string) => v === "1" || v === "True";
        const list = (v: string | undefined) => (v === undefined || v === "" ? [] : v.split("|"));
        const theirs = {
          kind: f["icmpv6.type"] === "135" ? "ns" : f["icmpv6.type"] === "136" ? "na" : f["icmpv6.type"],
          src: norm(f["ipv6.src"]),
          dst: norm(f["ipv6.dst"]),
          edst: f["eth.dst"],
          esrc: f["eth.src"],
          tgt: norm(e.kind === "ns" ? f["icmpv6.nd.ns.target_address"] : f["icmpv6.nd.na.target_address"]),
          ...(e.kind === "na" ? { flags: [bool(f["icmpv6.nd.na.flag.r"]), bool(f["icmpv6.nd.na.flag.s"]), bool(f["icmpv6.nd.na.flag.o"])] } : {}),
          slla: list(f["icmpv6.opt.src_linkaddr"]),
          tlla: list(f["icmpv6.opt.target_linkaddr"]),
        };
        if (JSON.stringify(theirs) !== JSON.stringify(e)) disagreements.push(`frame ${i + 1}: tshark ${JSON.stringify(theirs)}, ours ${JSON.stringify(e)}`);
        if ([f["ipv6.hlim"], f["icmpv6.code"], f["icmpv6.checksum.status"]].join() !== "255,0,1") disagreements.push(`frame ${i + 1}: hop limit ${f["ipv6.hlim"]}, code ${f["icmpv6.code"]}, checksum status ${f["icmpv6.checksum.status"]}`);
      });
      assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements`);
    });

    it("scapy: same addresses, flags and link-layer options, and the checksum scapy computes is the one we wrote", () => {
      const { stdout } = runTool(pythonWithScapy(), [path.join(FIXTURES, "read-ndp.py"), file], 120_000);
      const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
      assert.equal(rows.length, frames.length);
      const disagreements: string[] = [];
      rows.forEach((r, i) => {
        const e = expected[i];
        const theirs = {
          kind: r.kind,
          src: norm(r.src),
          dst: norm(r.dst),
          edst: r.edst,
          esrc: r.esrc,
          tgt: norm(r.tgt),
          ...(r.kind === "na" ? { flags: [r.R === 1, r.S === 1, r.O === 1] } : {}),
          slla: r.slla,
          tlla: r.tlla,
        };
        if (JSON.stringify(theirs) !== JSON.stringify(e)) disagreements.push(`frame ${i + 1}: scapy ${JSON.stringify(theirs)}, ours ${JSON.stringify(e)}`);
        if (r.hlim !== 255 || r.code !== 0 || r.cksum !== r.cksum_scapy) disagreements.push(`frame ${i + 1}: hop limit ${r.hlim}, code ${r.code}, checksum ${r.cksum} (scapy computes ${r.cksum_scapy})`);
      });
      assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements`);
    });
  });
});

/** An address as another tool wrote it (inet_ntop writes ::a.b.c.d forms), in our RFC 5952 text. */
function norm(text: unknown): unknown {
  return typeof text === "string" && text.includes(":") ? Ipv6Address.parse(text).toString() : text;
}

/** Rewrites the ICMPv6 checksum of an NDP frame we built (no extension headers) after a change. */
function fixChecksum(frame: Uint8Array): void {
  const at = 14 + 40;
  frame[at + 2] = 0;
  frame[at + 3] = 0;
  let sum = 0;
  const add = (from: number, to: number) => {
    for (let i = from; i < to; i += 2) sum += (frame[i] << 8) | (i + 1 < to ? frame[i + 1] : 0);
  };
  add(14 + 8, 14 + 40);
  const length = frame.length - at;
  sum += length + 58;
  add(at, frame.length);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const checksum = ~sum & 0xffff;
  frame[at + 2] = checksum >>> 8;
  frame[at + 3] = checksum & 0xff;
}

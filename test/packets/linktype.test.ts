// Link headers other than Ethernet: any ARP or ICMP frame carried in Linux cooked v1/v2, raw IP or
// BSD/OpenBSD loopback summarises as the same frame over Ethernet does (SLL2 with tcpdump's interface
// and direction in front, a tagged cooked frame with the EtherType inside the tag); the headers decode field by field; a frame cut inside its link header or
// its network layer says what and where, counted in the frame as captured. (Agreement with tcpdump
// itself, line for line, is in test/cli/sniff.test.ts.)
import { strict as assert } from "assert";
import fc from "fast-check";
import { DecodeError } from "../../src/packets/errors";
import { encodeFrame, FrameFields } from "../../src/packets/frame";
import { Ipv4, Mac } from "../../src/packets/address";
import { frameJson, frameSummary, TextBuffer } from "../../src/packets/summary";
import { decodeLinkHeader, LinkView, linkTypeName, linkTypeSupported } from "../../src/packets/linktype";
import { LinkLineWriter, linkFrameJson, linkFrameSummary } from "../../src/packets/link-summary";
import { Reach, scaled } from "../helpers/property";
import * as arbitrary from "./arbitraries";
import { LOOP, NULL, RAW, SLL, SLL2, wrapFrame } from "./link-frames";

const arpOrIcmp: fc.Arbitrary<FrameFields> = fc.oneof(
  fc.record({ ethernet: arbitrary.ethernet(fc.constant(0x0806)), arp: arbitrary.arp }, { noNullPrototype: true }),
  fc.record(
    { ethernet: arbitrary.ethernet(fc.constant(0x0800)), ipv4: arbitrary.ipv4Header(fc.constant(1)), icmp: fc.oneof(arbitrary.echo, arbitrary.otherIcmp), payload: fc.uint8Array({ maxLength: 100 }) },
    { noNullPrototype: true },
  ),
  fc.record({ ethernet: arbitrary.ethernet(fc.constant(0x0800)), ipv4: arbitrary.ipv4Header(fc.constantFrom(6, 17, 47)), payload: fc.uint8Array({ maxLength: 60 }) }, { noNullPrototype: true }),
) as fc.Arbitrary<FrameFields>;

const DIRECTIONS = ["In ", "B  ", "M  ", "P  ", "Out", "?  "];

describe("link types", () => {
  it("print any ARP, ICMP or IPv4 frame as it prints over Ethernet, SLL2 with the interface and direction first", () => {
    const runs = scaled(1000);
    const reach = new Reach("link types summarise as Ethernet", { sll: runs / 10, sll2: runs / 10, raw: runs / 10, nullLittle: runs / 20, nullBig: runs / 20, loop: runs / 10, vlan: runs / 20, arp: runs / 10, named: runs / 20 });
    fc.assert(
      fc.property(arpOrIcmp, fc.constantFrom(SLL, SLL2, RAW, NULL, LOOP), fc.integer({ min: 0, max: 5 }), fc.boolean(), fc.nat(40), (fields, linkType, packetType, bigEndianNull, snapCut) => {
        const frame = encodeFrame(fields);
        const wrapped = wrapFrame(linkType, frame, { packetType, interfaceIndex: packetType === 5 ? 7 : 3, bigEndianNull });
        if (wrapped === undefined) return; // ARP or a tag over raw IP / loopback
        reach.run();
        reach.hit(linkType === SLL ? "sll" : linkType === SLL2 ? "sll2" : linkType === RAW ? "raw" : linkType === LOOP ? "loop" : bigEndianNull ? "nullBig" : "nullLittle");
        reach.hit("vlan", fields.ethernet.vlan !== undefined);
        reach.hit("arp", fields.arp !== undefined);
        reach.hit("named", linkType === SLL2 && packetType !== 5);
        const extra = wrapped.length - frame.length; // negative for raw IP and loopback
        // a snap length that leaves the network layer whole keeps the line; the wire length grows with the header
        const wire = frame.length + snapCut;
        const theirs = frameSummary(frame, wire);
        const names = (index: number) => (index === 3 ? "veth-a0" : undefined);
        const ours = linkFrameSummary(linkType, wrapped, wire + extra, names);
        const cooked = linkType === SLL || linkType === SLL2;
        const tagged = cooked && fields.ethernet.vlan !== undefined ? `ethertype ${fields.arp !== undefined ? "ARP" : "IPv4"}, ` : "";
        const prefix = (linkType === SLL2 ? `${packetType === 5 ? "?    " : "veth-a0"} ${DIRECTIONS[packetType]} ` : "") + tagged;
        assert.equal(ours, prefix + theirs);
      }),
      { numRuns: runs },
    );
    reach.check();
  });

  it("say where a frame cut inside its network layer is cut, counting the link header", () => {
    const frame = encodeFrame({ ethernet: { destination: mac(1), source: mac(2), etherType: 0x0800 }, ipv4: { ...ipv4(), protocol: 1 }, icmp: { type: 8, code: 0, identifier: 1, sequence: 1 }, payload: new Uint8Array(8) });
    const cut = frame.subarray(0, 14 + 10); // IPv4 header cut after 10 bytes
    const ethernetLine = frameSummary(cut);
    assert.match(ethernetLine, /^malformed: ipv4: truncated at byte (\d+)/);
    const ethernetOffset = Number(/byte (\d+)/.exec(ethernetLine)![1]);
    for (const [linkType, header] of [[SLL, 16], [SLL2, 20], [RAW, 0], [NULL, 4], [LOOP, 4]] as const) {
      const wrapped = wrapFrame(linkType, cut)!;
      const line = linkFrameSummary(linkType, wrapped);
      const offset = Number(/byte (\d+)/.exec(line)![1]);
      assert.equal(offset, ethernetOffset - 14 + header, `${linkTypeName(linkType)}: ${line}`);
      assert.match(line, linkType === SLL2 ? /^\?     In  malformed: ipv4: truncated at byte/ : /^malformed: ipv4: truncated at byte/);
    }
  });

  it("say which field of a cut link header is missing", () => {
    const cases: [number, number, string][] = [
      [SLL, 15, "protocol"],
      [SLL, 3, "addressType"],
      [SLL2, 19, "address"],
      [SLL2, 5, "interfaceIndex"],
      [NULL, 3, "family"],
      [LOOP, 0, "family"],
    ];
    for (const [linkType, length, field] of cases) {
      const line = linkFrameSummary(linkType, new Uint8Array(length));
      assert.match(line, new RegExp(`^malformed: link: truncated at byte \\d+ \\(${linkTypeName(linkType).split(" ")[0]} ${field}\\): need \\d+ bytes, got ${length}$`));
    }
    assert.equal(linkFrameSummary(RAW, new Uint8Array(0)), "malformed: link: truncated at byte 0 (RAW version): need 1 bytes, got 0");
  });

  it("decode every field of a cooked header, and a loopback family in either byte order", () => {
    const sll2 = Uint8Array.from([0x86, 0xdd, 0, 0, 0, 0, 1, 2, 0, 1, 4, 6, 0, 0, 0x5e, 0, 0x53, 1, 0, 0]);
    assert.deepEqual(decodeLinkHeader(SLL2, sll2), { linkType: SLL2, headerLength: 20, etherType: 0x86dd, direction: "Out", interfaceIndex: 258, address: "00:00:5e:00:53:01" });
    const sll = Uint8Array.from([0, 3, 0, 1, 0, 2, 0xaa, 0xbb, 0, 0, 0, 0, 0, 0, 0, 4]);
    assert.deepEqual(decodeLinkHeader(SLL, sll), { linkType: SLL, headerLength: 16, etherType: -1, direction: "P", address: "aa:bb" });
    for (const [linkType, bytes, family, etherType] of [
      [NULL, [2, 0, 0, 0], 2, 0x0800],
      [NULL, [0, 0, 0, 2], 2, 0x0800],
      [NULL, [30, 0, 0, 0], 30, 0x86dd],
      [LOOP, [0, 0, 0, 24], 24, 0x86dd],
      [LOOP, [2, 0, 0, 0], 2, 0x0800],
      [LOOP, [0, 0, 0, 99], 99, -1],
    ] as const) {
      assert.deepEqual(decodeLinkHeader(linkType, Uint8Array.from(bytes)), { linkType, headerLength: 4, etherType, family });
    }
    assert.deepEqual(decodeLinkHeader(RAW, Uint8Array.of(0x60)), { linkType: RAW, headerLength: 0, etherType: 0x86dd, ipVersion: 6 });
    assert.throws(() => decodeLinkHeader(147, new Uint8Array(10)), (e: unknown) => e instanceof DecodeError && /link type 147 is not one this reader decodes/.test(e.message));
    const view = new LinkView();
    assert.equal(view.reset(147, new Uint8Array(10)), false);
    assert.deepEqual([0, 1, 12, 101, 108, 113, 276, 2, 147].map(linkTypeSupported), [true, true, true, true, true, true, true, false, false]);
  });

  it("print tcpdump's link-header line for a protocol they carry that is not summarised", () => {
    const payload = Uint8Array.from([0x61, 0x62, 0x63, 0x64]);
    const sll = Uint8Array.from([0, 4, 0, 1, 0, 6, 0, 0, 0x5e, 0, 0x53, 1, 0, 0, 0x12, 0x34, ...payload]);
    assert.equal(linkFrameSummary(SLL, sll), "Out 00:00:5e:00:53:01 ethertype Unknown (0x1234), length 20: ");
    const sll2 = Uint8Array.from([0x12, 0x34, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 0, 0, 0x5e, 0, 0x53, 1, 0, 0, ...payload]);
    assert.equal(linkFrameSummary(SLL2, sll2, sll2.length, () => "lo"), "lo    Out ifindex 1 00:00:5e:00:53:01 ethertype Unknown (0x1234), length 24: ");
    assert.equal(linkFrameSummary(NULL, Uint8Array.from([99, 0, 0, 0, ...payload])), "AF Unknown (99), length 8: ");
    assert.equal(linkFrameSummary(RAW, Uint8Array.from([0x50, 0])), "unknown ip 5");
  });

  it("print cooked frames of 802.3, 802.2 and other non-EtherType protocols with tcpdump's link-header line (tcpdump itself decodes IPX and LLC further), without an address that is not 6 bytes", () => {
    const sll = (protocol: number, addressLength = 6) =>
      Uint8Array.from([0, 0, 0, 1, 0, addressLength, 0, 0, 0x5e, 0, 0x53, 1, 0, 0, protocol >> 8, protocol & 0xff, 0xaa, 0xbb]);
    assert.equal(linkFrameSummary(SLL, sll(1)), " In 00:00:5e:00:53:01 802.3, length 18: ");
    assert.equal(linkFrameSummary(SLL, sll(4)), " In 00:00:5e:00:53:01 802.2, length 18: ");
    assert.equal(linkFrameSummary(SLL, sll(5, 8)), " In ethertype Unknown (0x0005), length 18: ");
    // IPv6 is decoded (summary-ipv6.ts): a cut header is what tcpdump -n prints for it, " [|ip6]"
    assert.equal(linkFrameSummary(SLL, sll(0x86dd), 1000), " [|ip6]");
    assert.equal(linkFrameSummary(NULL, Uint8Array.from([24, 0, 0, 0, 0x60])), " [|ip6]");
  });

  it("write Ethernet frames as the Ethernet summary does, and lines with the time column for every link type", () => {
    const frame = encodeFrame({ ethernet: { destination: mac(1), source: mac(2), etherType: 0x0800 }, ipv4: { ...ipv4(), protocol: 1 }, icmp: { type: 8, code: 0, identifier: 7, sequence: 9 }, payload: new Uint8Array(4) });
    assert.equal(linkFrameSummary(1, frame), frameSummary(frame));
    assert.equal(linkFrameJson(1, frame, 5), frameJson(frame, 5));
    const writer = new LinkLineWriter(new TextBuffer(), () => "eth0");
    writer.write(1, frame, 0, 1, frame.length);
    writer.write(SLL2, wrapFrame(SLL2, frame, { packetType: 4 })!, 3661, 999_999, frame.length + 6);
    writer.write(RAW, wrapFrame(RAW, frame)!.subarray(0, 5), 0, 0, frame.length - 14);
    const text = writer.out.toString().split("\n");
    const icmp = "IP 192\\.0\\.2\\.1 > 192\\.0\\.2\\.2: ICMP echo request, id 7, seq 9, length 12";
    const hms = "\\d\\d:\\d\\d:\\d\\d"; // local time, as tcpdump prints it
    assert.equal(text.length, 4);
    assert.match(text[0], new RegExp(`^${hms}\\.000001 ${icmp}$`));
    assert.match(text[1], new RegExp(`^${hms}\\.999999 eth0  Out ${icmp}$`));
    // the IPv4 header cut after 5 bytes: byte 4 is its identification field (raw IP has no link header)
    assert.match(text[2], new RegExp(`^${hms}\\.000000 malformed: ipv4: truncated at byte 4 \\(identification\\): need 6 bytes, got 5 \\(captured 5 of 32 bytes\\)$`));
    assert.equal(text[3], "");
  });

  it("give JSON with the link header and the layers above it", () => {
    const frame = encodeFrame({ ethernet: { destination: mac(1), source: mac(2), etherType: 0x0800 }, ipv4: { ...ipv4(), protocol: 1 }, icmp: { type: 8, code: 0, identifier: 7, sequence: 9 }, payload: new Uint8Array(4) });
    const json = JSON.parse(linkFrameJson(SLL2, wrapFrame(SLL2, frame, { packetType: 4, interfaceIndex: 2 })!, 1234));
    assert.equal(json.time, 1234);
    assert.deepEqual(json.link, { linkType: SLL2, headerLength: 20, etherType: 0x0800, direction: "Out", interfaceIndex: 2, address: "00:00:00:00:00:02" });
    assert.equal(json.icmp.identifier, 7);
    assert.equal(json.ethernet, undefined);
    const cut = JSON.parse(linkFrameJson(RAW, wrapFrame(RAW, frame)!.subarray(0, 10), 1));
    assert.equal(cut.malformed.layer, "ipv4");
    assert.equal(cut.malformed.offset, 0 + (JSON.parse(frameJsonOf(frame.subarray(0, 24))).malformed.offset - 14));
    assert.deepEqual(JSON.parse(linkFrameJson(SLL, new Uint8Array(3), 2)).malformed.field, "LINUX_SLL addressType");
    const ipv6 = JSON.parse(linkFrameJson(NULL, Uint8Array.from([24, 0, 0, 0, 0x60, 0, 0]), 3));
    assert.deepEqual(ipv6, { time: 3, link: { linkType: NULL, headerLength: 4, etherType: 0x86dd, family: 24 }, payloadLength: 3 });
    const tagged = encodeFrame({ ethernet: { destination: mac(1), source: mac(2), etherType: 0x0800, vlan: { id: 42, priority: 5, dropEligible: false } }, ipv4: { ...ipv4(), protocol: 1 }, icmp: { type: 8, code: 0, identifier: 7, sequence: 9 }, payload: new Uint8Array(4) });
    assert.deepEqual(JSON.parse(linkFrameJson(SLL, wrapFrame(SLL, tagged)!, 4)).vlan, { id: 42, priority: 5, dropEligible: false });
  });
});

function mac(n: number): Mac {
  return new Mac(n);
}
function ipv4() {
  return { dscp: 0, ecn: 0, identification: 1, reservedFlag: false, dontFragment: true, moreFragments: false, fragmentOffset: 0, ttl: 64, source: Ipv4.parse("192.0.2.1"), destination: Ipv4.parse("192.0.2.2") };
}
function frameJsonOf(bytes: Uint8Array): string {
  return frameJson(bytes, 0);
}

// The transport line writers' own cases: the TCP conversation table (tcpdump's relative numbers, and
// what happens when the table is full), and IPv6 addresses as tcpdump prints them (for the IPv6 line
// writer that calls these printers).
import { strict as assert } from "assert";
import fc from "fast-check";
import { emitTcp, MutableAddressPlace, TcpConversations, tcpBufferLength, TcpRecord, TextBuffer, writeIpv6Address, writeTcpSummary } from "../../src/packets";
import { addressText } from "./transport-arbitraries";

function segment(sourcePort: number, destinationPort: number, sequence: number, acknowledgment: number, flags: number, data = 0): Uint8Array {
  const record: TcpRecord = {
    sourcePort, destinationPort, sequence, acknowledgment, headerLength: 0, flags, window: 100, checksum: 0, urgentPointer: 0,
    options: [], padding: new Uint8Array(0), payload: new Uint8Array(data),
  };
  const bytes = new Uint8Array(8 + tcpBufferLength(record));
  bytes.set([192, 0, 2, 1, 192, 0, 2, 2]);
  emitTcp(record, bytes, 8, { computeChecksums: false });
  return bytes;
}

function line(conversations: TcpConversations | undefined, bytes: Uint8Array): string {
  const out = new TextBuffer(4096);
  writeTcpSummary(out, new MutableAddressPlace().set(bytes, 0, 4, 4), 8, bytes.length, conversations);
  return out.toString();
}

describe("packets/transport-summary", () => {
  it("prints a conversation's numbers relative to its first, both ways, as tcpdump does; absolute without a table (-S)", () => {
    const table = new TcpConversations();
    assert.equal(line(table, segment(40000, 80, 1000, 0, 0x02)), "192.0.2.1.40000 > 192.0.2.2.80: Flags [S], seq 1000, win 100, length 0");
    const synAck = segment(80, 40000, 5000, 1001, 0x12);
    synAck.set([192, 0, 2, 2, 192, 0, 2, 1]);
    assert.equal(line(table, synAck), "192.0.2.2.80 > 192.0.2.1.40000: Flags [S.], seq 5000, ack 1001, win 100, length 0");
    assert.equal(line(table, segment(40000, 80, 1001, 5001, 0x18, 78)), "192.0.2.1.40000 > 192.0.2.2.80: Flags [P.], seq 1:79, ack 1, win 100, length 78");
    assert.equal(line(undefined, segment(40000, 80, 1001, 5001, 0x18, 78)), "192.0.2.1.40000 > 192.0.2.2.80: Flags [P.], seq 1001:1079, ack 5001, win 100, length 78");
    assert.equal(table.size, 1);
  });

  it("holds at most `capacity` conversations, dropping the one used longest ago; a dropped one starts over", () => {
    const table = new TcpConversations(2);
    const ack = (port: number, sequence: number): string => line(table, segment(port, 80, sequence, 7, 0x10, 10));
    ack(40001, 100);
    ack(40002, 200);
    assert.equal(ack(40001, 110), "192.0.2.1.40001 > 192.0.2.2.80: Flags [.], seq 10:20, ack 1, win 100, length 10");
    ack(40003, 300); // the table is full: 40002, used longest ago, goes
    assert.equal(table.size, 2);
    assert.equal(ack(40002, 210), "192.0.2.1.40002 > 192.0.2.2.80: Flags [.], seq 210:220, ack 7, win 100, length 10", "starts over, absolute once");
    assert.equal(ack(40002, 220), "192.0.2.1.40002 > 192.0.2.2.80: Flags [.], seq 10:20, ack 1, win 100, length 10");
    assert.throws(() => new TcpConversations(0), /capacity 0; give 1 or more/);
  });

  it("property: writes any IPv6 address as inet_ntop does (the longest zero run compressed, dotted IPv4 tails for ::a.b.c.d and ::ffff:a.b.c.d)", () => {
    const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
        const bytes = new Uint8Array(16);
        words.forEach((w, i) => bytes.set([w >> 8, w & 0xff], 2 * i));
        const out = new TextBuffer(64);
        writeIpv6Address(out, bytes, 0);
        // tcpdump's addrtostr6: a dotted tail after 0:0:0:0:0:ffff or 0:0:0:0:0:0 followed by a non-zero word
        const mapped = words.slice(0, 5).every((w) => w === 0) && (words[5] === 0xffff || (words[5] === 0 && words[6] !== 0));
        if (!mapped) assert.equal(out.toString(), addressText(bytes));
        else assert.match(out.toString(), /^::(ffff:)?\d+\.\d+\.\d+\.\d+$/);
      }),
    );
    const out = new TextBuffer(64);
    writeIpv6Address(out, Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xd6, 0xca, 0x6d, 0xff, 0xfe, 0x66, 0xcf, 0x60]), 0);
    assert.equal(out.toString(), "fe80::d6ca:6dff:fe66:cf60");
  });
});

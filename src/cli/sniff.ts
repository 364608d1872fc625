// `takeover sniff`: one line per frame, as `tcpdump -n` prints it, from a live interface (-i, through
// the libpcap link) or a pcap or pcapng file of Ethernet, Linux cooked v1/v2, raw IP or loopback
// frames (-r, read in chunks through our CaptureReader), or the frames copied into a classic pcap
// file (-w). Lines are built as bytes into a big buffer and written in large
// chunks; the -r path allocates nothing per frame beyond what the pcap reader hands out.
//
// Filters: with -i, the filter words go to libpcap, so any tcpdump filter works. Neither libpcap
// binding we have (pcap, cap) can run a compiled filter over frames we read ourselves — node_pcap only
// filters files it opens and reads itself — so -r understands most of the filter language,
// compiled by src/packets/filter.ts to a predicate over the frame bytes with libpcap's meaning (see
// filterHelp); a word outside it is an error that says so.
import { Command } from "commander";
import { closeSync, openSync, readdirSync, readFileSync, realpathSync, writeSync } from "node:fs";
import { FileHandle, open } from "node:fs/promises";
import type { Link } from "../link/link";
import { DecodeError } from "../packets/errors";
// filter.ts (the -r filter compiler, its tables and FILTER_LANGUAGE) is loaded when a filter or the
// help is asked for: a plain sniff -r does without it (about 8 ms of a 1M-frame run's start-up)
import type { FramePredicate } from "../packets/filter";
import { CaptureHeader, CaptureReader } from "../packets/capture";
import { linkFrameJson, LinkLineWriter } from "../packets/link-summary";
import { linkTypeName, linkTypeSupported, SUPPORTED_LINK_TYPES } from "../packets/linktype";
import {
  emitPcapHeader,
  emitPcapRecord,
  LINKTYPE_ETHERNET,
  MAX_CAPTURED_LENGTH,
  PCAP_HEADER_LENGTH,
  PcapHeader,
  PcapResolution,
  pcapRecordLength,
} from "../packets/pcap";
import { LineOptions, MAX_LINE_LENGTH, TextBuffer } from "../packets/summary";
import { UsageError } from "./errors";

/** Bytes of output gathered before they are written out. */
const OUTPUT_CHUNK = 1 << 20;
/** Bytes read from a capture file at a time. */
const READ_CHUNK = 256 * 1024;
/** Snap length of a live capture, as tcpdump's default. */
const LIVE_SNAP_LENGTH = MAX_CAPTURED_LENGTH;

/** The help's text after the options (loads filter.ts for FILTER_LANGUAGE). */
const filterHelp = (): string => `
Filter (the words after the options):
  with -i  any tcpdump/pcap-filter(7) expression; libpcap compiles it.
  with -r  most of it, compiled by sniff itself (neither libpcap binding, pcap or cap, can
           filter frames that sniff reads), with libpcap's meaning, over Ethernet frames;
           a word outside this list is an error that names it:
${(require("../packets/filter") as typeof import("../packets/filter")).FILTER_LANGUAGE.replace(/^/gm, "             ")}
           No name lookups: addresses are numbers; port and protocol names come from fixed tables.
           Not understood: gateway, protochain, mpls, pppoe, geneve, ip6 broadcast, ether proto
           0xe0 (IPX), names of protocols beyond ether/ip/ip6/arp/rarp/tcp/udp/... above.

-r reads classic pcap and pcapng, of Ethernet, Linux cooked v1/v2 (tcpdump -i any), raw IP and
BSD/OpenBSD loopback frames.
Output: tcpdump -n's line (4.99) for ARP, IPv4, ICMP, IPv6, ICMPv6/NDP, UDP, TCP and VRRP
(VLAN-tagged frames print as the frame inside, as tcpdump does without -e; cooked v2 frames with
tcpdump's interface and direction first); the nearest clear line for others. The output flags
-t/-tt/-ttt/-tttt/-ttttt, -e, -q, -x/-xx, -X/-XX and -v print what tcpdump's do, alone or
together (-vv is refused); "malformed: <what, where>" for a frame that does not decode (the
capture goes on). --json prints decodeFrame's JSON with "time"
(µs since the epoch). Times are local (TZ is honoured), as tcpdump prints them.
With -w, frames go to the file and nothing is printed. Ctrl-C ends a live capture and prints
how many frames were captured and how many the kernel dropped.`;

interface SniffFlags {
  readonly interface?: string;
  readonly read?: string;
  readonly write?: string;
  readonly count?: string;
  readonly n?: boolean;
  readonly json?: boolean;
  /** -S: absolute TCP sequence numbers */
  readonly S?: boolean;
  /** tcpdump's output flags, each counted (-tt is 2) */
  readonly t?: number;
  readonly e?: boolean;
  readonly q?: boolean;
  readonly v?: number;
  readonly x?: number;
  readonly X?: number;
}

/** commander's parser for a flag that counts how often it is given (-v -v, -vv). */
const counted = (_value: string | undefined, previous: number): number => previous + 1;

/** The LineWriter options of the output flags, or a UsageError for a count tcpdump (or sniff) does not take. */
function lineOptions(flags: SniffFlags): LineOptions {
  const timeFormat = flags.t ?? 0;
  if (timeFormat > 5) throw new UsageError(`-t is given ${timeFormat} times; tcpdump's forms are -t, -tt, -ttt, -tttt and -ttttt`);
  const verbose = flags.v ?? 0;
  if (verbose > 1) {
    throw new UsageError(`-${"v".repeat(verbose)}: sniff prints tcpdump's -v lines, not its -vv or -vvv ones; give -v once (or read the file with tcpdump)`);
  }
  return { absoluteSequence: flags.S === true, timeFormat, linkHeader: flags.e === true, quick: flags.q === true, verbose, hex: flags.x ?? 0, hexAscii: flags.X ?? 0 };
}

export function registerSniff(program: Command): void {
  program
    .command("sniff")
    .description("print frames one line each, as tcpdump -n does (or --json), live or from a pcap/pcapng file; or copy them to a pcap file")
    .option("-i, --interface <name>", "capture live on this interface, or on every one with any (needs CAP_NET_RAW)")
    .option("-r, --read <file>", "read frames from a pcap or pcapng file (- for stdin)")
    .option("-w, --write <file>", "write the frames to a classic pcap file (- for stdout) instead of printing them")
    .option("-c, --count <n>", "stop after N frames (after the filter)")
    .option("-n", "print addresses as numbers (always so: sniff never resolves names)")
    .option("--json", "one JSON object per frame instead of a line of text")
    .option("-S", "print TCP sequence and ack numbers absolute (default: relative to each connection's first, as tcpdump)")
    .option("-t", "-t: no time column; -tt: seconds since the epoch; -ttt: time since the previous frame; -tttt: date and time; -ttttt: time since the first frame", counted, 0)
    .option("-e", "print the link-level header (MAC addresses, EtherType, length; VLAN tags; cooked/loopback headers) first")
    .option("-q", "quick output: shorter lines (TCP as \"tcp N\"; -e without EtherType numbers)")
    .option("-v", "verbose: the IPv4/IPv6 header's fields, checksum verdicts, NDP options, as tcpdump -v (-vv is refused)", counted, 0)
    .option("-x", "hex dump of each frame after the link header (-xx: the whole frame)", counted, 0)
    .option("-X", "hex and ASCII dump of each frame after the link header (-XX: the whole frame)", counted, 0)
    .argument("[filter...]", "a filter expression, as tcpdump takes it")
    .addHelpText("after", filterHelp)
    .action(async (filterWords: string[], flags: SniffFlags) => {
      await sniff(filterWords, flags);
    });
}

async function sniff(filterWords: readonly string[], flags: SniffFlags): Promise<void> {
  const count = parseCount(flags.count);
  lineOptions(flags); // a count it refuses is an error before anything is opened
  const filterText = filterWords.join(" ").trim();
  if (flags.interface !== undefined && flags.read !== undefined) {
    throw new UsageError("sniff takes -i (capture live) or -r (read a file), not both; give one of them");
  }
  if (flags.interface === undefined && flags.read === undefined) {
    throw new UsageError("sniff needs something to read; give -i IFACE to capture live or -r FILE to read a capture file");
  }
  if (flags.interface !== undefined) {
    await captureLive(flags.interface, filterText, count, flags);
  } else if (flags.read !== undefined) {
    const filter = filterText === "" ? undefined : compileFileFilter(filterText);
    await readCapture(flags.read, filter, count, flags);
  }
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return Infinity;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`-c takes a number of frames (1 or more), not "${text}"; write one like -c 10`);
  }
  return Number(text);
}

// ---------------------------------------------------------------------------------------------
// Where frames go: printed lines, JSON lines, or a pcap file.

/** Bytes out to stdout or a file, in big chunks. */
interface ByteOutput {
  /** Set when the reader went away (EPIPE): stop producing. */
  readonly closed: boolean;
  /** Writes `bytes`; resolves once they are written (or handed to the kernel), so the buffer may be reused. */
  write(bytes: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

class StdoutOutput implements ByteOutput {
  closed = false;

  constructor() {
    process.stdout.on("error", () => {
      this.closed = true; // EPIPE: `sniff … | head`
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed || bytes.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      process.stdout.write(bytes, (error) => {
        if (error) this.closed = true;
        resolve();
      });
    });
  }

  end(): Promise<void> {
    return Promise.resolve();
  }
}

class FileOutput implements ByteOutput {
  readonly closed = false;
  private readonly fd: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "w");
    } catch (error) {
      throw new UsageError(`cannot write ${path}: ${describeFileError(error)}`);
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += writeSync(this.fd, bytes, at, bytes.length - at);
    return Promise.resolve();
  }

  end(): Promise<void> {
    closeSync(this.fd);
    return Promise.resolve();
  }
}

/** What happens to each frame that passes the filter. */
interface FrameSink {
  readonly closed: boolean;
  /** One frame of `linkType` (one linkTypeSupported accepts). */
  frame(bytes: Uint8Array, seconds: number, nanoseconds: number, wireLength: number, linkType: number): void;
  /** A pcap record that could not be read (its timestamp is corrupt); the file goes on. */
  badRecord(error: DecodeError): void;
  /** Writes out what has gathered, if it is a chunk's worth (or anything, with `force`). */
  flush(force: boolean): Promise<void>;
  end(): Promise<void>;
}

/** tcpdump-style lines (or JSON lines) gathered in a TextBuffer. */
class TextSink implements FrameSink {
  private readonly writer: LinkLineWriter;

  constructor(
    private readonly output: ByteOutput,
    private readonly json: boolean,
    options: LineOptions = {},
  ) {
    this.writer = new LinkLineWriter(new TextBuffer(OUTPUT_CHUNK + MAX_LINE_LENGTH), interfaceName, options);
  }

  get closed(): boolean {
    return this.output.closed;
  }

  frame(bytes: Uint8Array, seconds: number, nanoseconds: number, wireLength: number, linkType: number): void {
    if (!this.json) {
      this.writer.write(linkType, bytes, seconds, Math.floor(nanoseconds / 1000), wireLength);
      return;
    }
    this.line(linkFrameJson(linkType, bytes, seconds * 1_000_000 + Math.floor(nanoseconds / 1000)));
  }

  badRecord(error: DecodeError): void {
    if (this.json) {
      const { layer, field, offset, needed, available, reason, message } = error;
      this.line(JSON.stringify({ malformed: { message, layer, field, offset, needed, available, reason } }));
    } else this.line(`malformed: ${error.message}`);
  }

  private line(text: string): void {
    const out = this.writer.out;
    out.reserve(text.length + 1);
    out.ascii(text);
    out.byte(10);
  }

  async flush(force: boolean): Promise<void> {
    const out = this.writer.out;
    if (out.length === 0 || (!force && out.length < OUTPUT_CHUNK)) return;
    const filled = out.length;
    out.length = 0;
    // The write is complete when it resolves, so the same buffer serves again: no allocation.
    await this.output.write(out.bytes.subarray(0, filled));
  }

  async end(): Promise<void> {
    await this.flush(true);
    await this.output.end();
  }
}

/** Frames into a classic pcap file, of one link type. */
class PcapSink implements FrameSink {
  private buffer = new Uint8Array(OUTPUT_CHUNK + PCAP_HEADER_LENGTH);
  private length: number;
  private readonly header: Pick<PcapHeader, "resolution" | "littleEndian">;

  constructor(
    private readonly output: ByteOutput,
    resolution: PcapResolution,
    snapLength: number,
    private readonly linkType: number,
  ) {
    this.header = { resolution, littleEndian: true };
    this.length = emitPcapHeader({ resolution, snapLength, linkType }, this.buffer, 0);
  }

  get closed(): boolean {
    return this.output.closed;
  }

  frame(bytes: Uint8Array, seconds: number, nanoseconds: number, wireLength: number, linkType: number): void {
    if (linkType !== this.linkType) {
      throw new UsageError(
        `-w writes a classic pcap file of one link type, and this capture has frames of link type ${linkTypeName(this.linkType)} ` +
          `and of ${linkTypeName(linkType)}; split it by interface first (tshark -r FILE -w OUT -Y frame.interface_id==N)`,
      );
    }
    const record = { seconds, nanoseconds, data: bytes, originalLength: Math.max(wireLength, bytes.length) };
    const needed = pcapRecordLength(record);
    if (this.length + needed > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + needed));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.length = emitPcapRecord(this.header, record, this.buffer, this.length);
  }

  badRecord(): void {
    // A record whose timestamp is corrupt is left out of the copy.
  }

  async flush(force: boolean): Promise<void> {
    if (this.length === 0 || (!force && this.length < OUTPUT_CHUNK)) return;
    const filled = this.length;
    this.length = 0;
    await this.output.write(this.buffer.subarray(0, filled)); // complete when it resolves: the buffer serves again
  }

  async end(): Promise<void> {
    await this.flush(true);
    await this.output.end();
  }
}

function openSink(flags: SniffFlags, resolution: PcapResolution, snapLength: number, linkType: number): FrameSink {
  if (flags.write === undefined) return new TextSink(new StdoutOutput(), flags.json === true, lineOptions(flags));
  const output = flags.write === "-" ? new StdoutOutput() : new FileOutput(flags.write);
  return new PcapSink(output, resolution, snapLength, linkType);
}

let interfaceNames: Map<number, string> | undefined;

/**
 * The name of this host's interface of index `index` (what tcpdump prints for an SLL2 frame: it too
 * looks the index up on the host that reads the file), from /sys/class/net; undefined when none has it.
 */
function interfaceName(index: number): string | undefined {
  if (interfaceNames === undefined) {
    interfaceNames = new Map();
    try {
      for (const name of readdirSync("/sys/class/net")) {
        try {
          interfaceNames.set(Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim()), name);
        } catch {
          // an interface that went away while we looked
        }
      }
    } catch {
      // no sysfs: every index prints as "?"
    }
  }
  return interfaceNames.get(index);
}

function describeFileError(error: unknown): string {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

// ---------------------------------------------------------------------------------------------
// -r: a pcap file, streamed.

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  if (path === "-") {
    for await (const chunk of process.stdin) yield chunk as Buffer;
    return;
  }
  let file: FileHandle;
  try {
    file = await open(path, "r");
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${describeFileError(error)}`);
  }
  // Two buffers: the next read is in flight while the caller works through the chunk before it.
  const buffers = [new Uint8Array(READ_CHUNK), new Uint8Array(READ_CHUNK)];
  const readInto = (buffer: Uint8Array): Promise<number> =>
    file.read(buffer, 0, buffer.length, null).then(
      ({ bytesRead }) => bytesRead,
      (error: unknown) => {
        throw new UsageError(`cannot read ${path}: ${describeFileError(error)}`);
      },
    );
  let next = 0;
  let reading = readInto(buffers[next]);
  try {
    for (;;) {
      const bytesRead = await reading;
      if (bytesRead === 0) return;
      const chunk = buffers[next];
      next ^= 1;
      reading = readInto(buffers[next]);
      yield chunk.subarray(0, bytesRead); // PcapReader.push copies it before the buffer is read into again
    }
  } finally {
    await reading.catch(() => 0);
    await file.close();
  }
}

async function readCapture(path: string, filter: FramePredicate | undefined, count: number, flags: SniffFlags): Promise<void> {
  const name = path === "-" ? "standard input" : path;
  if (flags.write !== undefined && flags.write !== "-" && path !== "-" && sameFile(path, flags.write)) {
    throw new UsageError(`-w ${flags.write} would overwrite the file -r reads; write to another file`);
  }
  const reader = new CaptureReader();
  let sink: FrameSink | undefined;
  let seen = 0;
  /** The link type checked last: a pcapng file may change it from one interface to the next. */
  let checkedLinkType = LINKTYPE_ETHERNET;
  const fail = (error: unknown): never => {
    if (error instanceof DecodeError) throw new UsageError(`${name}: ${error.message}`);
    throw error;
  };
  const checkLinkType = (linkType: number): void => {
    if (!linkTypeSupported(linkType)) {
      throw new UsageError(`${name}: link type ${linkType} is not one sniff reads (it reads ${SUPPORTED_LINK_TYPES}); read this file with tcpdump -r`);
    }
    if (filter !== undefined && linkType !== LINKTYPE_ETHERNET) {
      throw new UsageError(
        `${name}: the -r filter works on Ethernet frames, and this file has frames of link type ${linkTypeName(linkType)}; ` +
          `leave the filter out, or filter with tcpdump -r FILE -w - FILTER | takeover sniff -r -`,
      );
    }
    checkedLinkType = linkType;
  };
  const openSinkFor = (header: CaptureHeader): FrameSink => {
    checkLinkType(header.linkType);
    process.stderr.write(`reading from file ${name}, link-type ${linkTypeName(header.linkType)}, snapshot length ${header.snapLength}\n`);
    return openSink(flags, header.resolution, header.snapLength, header.linkType);
  };
  try {
    chunks: for await (const chunk of fileChunks(path)) {
      try {
        reader.push(chunk);
      } catch (error) {
        fail(error);
      }
      for (;;) {
        if (sink === undefined && reader.header !== undefined) sink = openSinkFor(reader.header);
        let record;
        try {
          record = reader.next(); // throws for a bad magic as soon as it is in
        } catch (error) {
          if (sink !== undefined && error instanceof DecodeError && error.field === "subseconds") {
            sink.badRecord(error); // the reader has stepped over it
            continue;
          }
          fail(error);
        }
        const header = reader.header;
        if (sink === undefined && header !== undefined) sink = openSinkFor(header);
        if (record === undefined || sink === undefined) break;
        const linkType = reader.linkType;
        if (linkType !== checkedLinkType) checkLinkType(linkType);
        const data = record.data;
        if (filter !== undefined && !filter(data, record.originalLength)) continue;
        sink.frame(data, record.seconds, record.nanoseconds, record.originalLength, linkType);
        if (++seen >= count) break chunks;
      }
      if (sink === undefined) continue;
      await sink.flush(false);
      if (sink.closed) break;
    }
    if (seen < count && sink?.closed !== true) {
      try {
        reader.end();
      } catch (error) {
        await sink?.end();
        sink = undefined;
        fail(error);
      }
      if (sink === undefined) {
        // a pcapng file with no interface at all: nothing to read, as tcpdump says for an empty capture
        process.stderr.write(`reading from file ${name}, link-type ${linkTypeName(LINKTYPE_ETHERNET)}, snapshot length 0\n`);
      }
    }
  } finally {
    await sink?.end();
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// -i: a live capture through the libpcap link.

async function captureLive(iface: string, filter: string, count: number, flags: SniffFlags): Promise<void> {
  if (iface === "any") return captureAny(filter, count, flags);
  // Loaded here, so that -r works where the native binding is not built.
  const { Link: LiveLink, LinkError } = await import("../link/link");
  const { InterfaceError } = await import("../link/interfaces");
  let openLink: Link;
  try {
    openLink = LiveLink.open(iface, { filter: filter === "" ? undefined : filter, snapLength: LIVE_SNAP_LENGTH, direction: "both" });
  } catch (error) {
    if (error instanceof LinkError || error instanceof InterfaceError) throw new UsageError(error.message);
    throw error;
  }
  const sink = openSink(flags, "micro", LIVE_SNAP_LENGTH, LINKTYPE_ETHERNET);
  process.stderr.write(`listening on ${iface}, link-type ${linkTypeName(LINKTYPE_ETHERNET)}, snapshot length ${LIVE_SNAP_LENGTH} bytes\n`);
  openLink.onStatus((status) => {
    process.stderr.write(
      status.state === "down" ? `takeover: ${status.reason}; capturing again when ${iface} is back\n` : `takeover: ${iface} is back; capturing again\n`,
    );
  });
  let captured = 0;
  let flushing: Promise<void> = Promise.resolve();
  let flushScheduled = false;
  await new Promise<void>((resolve) => {
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      const stats = openLink.stats();
      openLink.close();
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void flushing.then(() => sink.end()).then(() => {
        process.stderr.write(
          `${captured} packet${captured === 1 ? "" : "s"} captured\n` +
            `${stats.received} packet${stats.received === 1 ? "" : "s"} received by filter\n` +
            `${stats.dropped} packet${stats.dropped === 1 ? "" : "s"} dropped by kernel\n`,
        );
        resolve();
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    let enough = false;
    openLink.onFrame((frame) => {
      if (stopped || enough) return;
      const seconds = Math.floor(frame.timeMicros / 1_000_000);
      const micros = frame.timeMicros - seconds * 1_000_000;
      sink.frame(frame.bytes, seconds, micros * 1000, frame.wireLength, LINKTYPE_ETHERNET);
      captured++;
      if (captured >= count) {
        enough = true;
        setImmediate(stop); // not from inside the link's own dispatch
        return;
      }
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          flushing = flushing.then(() => sink.flush(true)).then(() => {
            if (sink.closed) stop();
          });
        });
      }
    });
  });
}

/** Sessions that were polled: node_pcap's native poll handle must never meet a collected session. */
const anySessions: unknown[] = [];

/**
 * -i any: every interface at once, through libpcap's "any" device straight from the pcap binding
 * (the Link opens one Ethernet interface and sends on it; "any" gives Linux cooked frames and cannot
 * send). libpcap gives cooked v1 frames here (tcpdump asks for v2), so lines carry no interface name.
 */
async function captureAny(filter: string, count: number, flags: SniffFlags): Promise<void> {
  const { PcapSession } = await import("pcap/build/Release/pcap_binding");
  const session = new PcapSession();
  anySessions.push(session);
  const data = Buffer.alloc(LIVE_SNAP_LENGTH);
  const header = Buffer.alloc(16);
  let linkType = -1;
  let captured = 0;
  let enough = false;
  let sink: FrameSink | undefined;
  let stop: () => void = () => {};
  const onPacket = (): void => {
    if (enough || sink === undefined) return;
    const capturedLength = header.readUInt32LE(8);
    sink.frame(data.subarray(0, capturedLength), header.readUInt32LE(0), header.readUInt32LE(4) * 1000, header.readUInt32LE(12), linkType);
    if (++captured >= count) {
      enough = true;
      setImmediate(() => stop());
    }
  };
  let name: string;
  try {
    name = session.open_live("any", filter, 4 << 20, LIVE_SNAP_LENGTH, "", onPacket, false, 0, () => {}, false);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const privilege = /permission|not permitted/i.test(message) ? "; capturing needs CAP_NET_RAW: run as root or give node the capability" : "";
    throw new UsageError(`cannot open any for capture: ${message}${privilege}`);
  }
  const number = /^Unknown linktype (\d+)$/.exec(name);
  linkType = name === "LINKTYPE_LINUX_SLL" ? 113 : number !== null ? Number(number[1]) : name === "LINKTYPE_ETHERNET" ? LINKTYPE_ETHERNET : -1;
  if (!linkTypeSupported(linkType)) {
    session.close();
    throw new UsageError(`cannot capture on any: libpcap gives link type ${name}, which sniff does not read; use tcpdump -i any`);
  }
  sink = openSink(flags, "micro", LIVE_SNAP_LENGTH, linkType);
  process.stderr.write(`listening on any, link-type ${linkTypeName(linkType)}, snapshot length ${LIVE_SNAP_LENGTH} bytes\n`);
  const out = sink;
  await new Promise<void>((resolve) => {
    let stopped = false;
    let flushing: Promise<void> = Promise.resolve();
    stop = (): void => {
      if (stopped) return;
      stopped = true;
      enough = true;
      let stats = { ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 };
      try {
        stats = session.stats();
      } catch {
        // closed already: no counts
      }
      session.close();
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void flushing.then(() => out.end()).then(() => {
        process.stderr.write(
          `${captured} packet${captured === 1 ? "" : "s"} captured\n` +
            `${stats.ps_recv} packet${stats.ps_recv === 1 ? "" : "s"} received by filter\n` +
            `${stats.ps_drop} packet${stats.ps_drop === 1 ? "" : "s"} dropped by kernel\n`,
        );
        resolve();
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    session.read_callback = () => {
      if (stopped) return;
      // bounded: a busy capture yields to the event loop (and its flushes) every 10,000 frames
      for (let i = 0; i < 10_000 && !stopped && session.dispatch(data, header) > 0; i++);
      flushing = flushing.then(() => out.flush(true)).then(() => {
        if (out.closed) stop();
      });
    };
    session.start_polling();
  });
}

/** The -r filter compiled, or a UsageError naming the word it does not understand. */
function compileFileFilter(text: string): FramePredicate {
  const { compileFilter, FilterError } = require("../packets/filter") as typeof import("../packets/filter");
  try {
    return compileFilter(text);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new UsageError(
      `filter "${text}": ${error.message} (sniff -r takes a subset of tcpdump filters, see takeover sniff --help; -i, or tcpdump -r, takes any)`,
    );
  }
}

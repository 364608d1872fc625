// The in-namespace half of the link benchmark (bench/link-rates.ts runs it with `ip netns exec`).
// On request it blasts frames through one binding as fast as it can or at a set rate, or captures
// with one binding and counts what it gets. Every loop is bounded in frames and in time.

import type { Cap } from "cap";
import * as pcap from "pcap";
import { PcapSession } from "pcap/build/Release/pcap_binding";
import { onParentMessage, report, WorkerMessage } from "../src/lab/worker";
import { Link } from "../src/link/link";
import { readInterfaceState } from "../src/link/interfaces";

const IFACE = "eth0";
const FILTER = "ether proto 0x88b5";
const BUFFER_BYTES = 4 * 1024 * 1024;
const MAX_FRAMES = 200_000;
const MAX_MS = 10_000;

/**
 * cap, like node_pcap, only stops (never uv_close()s) its poll handle on close, and its C++ object
 * is deleted when the JS object is collected: a freed uv_poll_t left in libuv's handle queue
 * corrupts the heap. So every Cap ever opened is kept until the process ends.
 */
const everOpened: Cap[] = [];

/**
 * cap is a devDependency used only by this benchmark (`npm ci --omit=dev` leaves it out): loaded on
 * first use, so the other bindings run without it. link-rates.ts checks for it before asking.
 */
function newCap(): Cap {
  const { Cap: CapClass } = require("cap") as typeof import("cap");
  return new CapClass();
}

type Binding = "link" | "pcap-binding" | "pcap-binding-1518" | "pcap-js" | "cap";

function frame(length: number): Buffer {
  const mac = readInterfaceState(IFACE)?.mac;
  if (mac === undefined) throw new Error(`no ${IFACE}`);
  const f = Buffer.alloc(length, 0x5a);
  f.fill(0xff, 0, 6);
  mac.write(f, 6);
  f.writeUInt16BE(0x88b5, 12);
  return f;
}

/** A function that sends one frame through `binding`, and one that releases it. */
function sender(binding: Binding): { send: (f: Buffer) => void; close: () => void } {
  switch (binding) {
    case "link": {
      const link = Link.open(IFACE, { filter: "less 1", bufferBytes: 256 * 1024 });
      return { send: (f) => link.send(f), close: () => link.close() };
    }
    case "pcap-binding":
    case "pcap-binding-1518":
    case "pcap-js": {
      const session = new PcapSession();
      session.open_live(IFACE, "less 1", 256 * 1024, 128, "", () => {}, false, 0, () => {}, false);
      // Never polled, so it does not hold the process, and may be garbage-collected (its pcap_t leaks).
      return { send: (f) => session.inject(f), close: () => session.close() };
    }
    case "cap": {
      const cap = newCap();
      const buffer = Buffer.alloc(128); // cap holds only a pointer: keep it until closed
      cap.open(IFACE, "less 1", 256 * 1024, buffer);
      everOpened.push(cap);
      return {
        send: (f) => cap.send(f, f.length),
        close: () => {
          cap.close();
          buffer.fill(0);
        },
      };
    }
  }
}

/** Sends `count` frames at `rate` per second (0: as fast as possible), busy-waiting between bursts. */
function blast(binding: Binding, count: number, rate: number, length: number): WorkerMessage {
  const out = sender(binding);
  const f = frame(length);
  const frames = Math.min(count, MAX_FRAMES);
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(MAX_MS) * 1_000_000n;
  let sent = 0;
  let failed = 0;
  while (sent + failed < frames) {
    const now = process.hrtime.bigint();
    if (now > deadline) break;
    const due = rate > 0 ? Math.min(frames, Math.floor((Number(now - start) / 1e9) * rate) + 1) : frames;
    while (sent + failed < due) {
      try {
        out.send(f);
        sent++;
      } catch {
        failed++;
      }
      if (rate === 0 && (sent & 0x3ff) === 0 && process.hrtime.bigint() > deadline) break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  out.close();
  return { kind: "blasted", binding, sent, failed, seconds, framesPerSecond: Math.round(sent / seconds) };
}

/** A running capture; it ends with the process (node_pcap cannot release a polled handle by itself). */
interface Capture {
  counts(): { captured: number; dropped: number | null; extra?: WorkerMessage };
}

function capture(binding: Binding): Capture {
  switch (binding) {
    case "link": {
      const link = Link.open(IFACE, { filter: FILTER, bufferBytes: BUFFER_BYTES });
      let captured = 0;
      let lastStamp = 0;
      let backwards = 0;
      link.onFrame((f) => {
        captured++;
        if (f.timeMicros < lastStamp) backwards++;
        lastStamp = f.timeMicros;
      });
      return {
        counts: () => {
          const s = link.stats();
          return { captured, dropped: s.dropped, extra: { received: s.received, probes: s.probes, backwards } };
        },
      };
    }
    case "pcap-binding":
    case "pcap-binding-1518": {
      const snapLength = binding === "pcap-binding" ? 65535 : 1518;
      const session = new PcapSession();
      const data = Buffer.alloc(snapLength);
      const header = Buffer.alloc(16);
      let captured = 0;
      session.open_live(IFACE, FILTER, BUFFER_BYTES, snapLength, "", () => captured++, false, 0, () => {}, false);
      session.read_callback = () => session.dispatch(data, header);
      session.start_polling();
      return {
        counts: () => ({ captured, dropped: session.stats().ps_drop }),
      };
    }
    case "pcap-js": {
      const session = pcap.createSession(IFACE, { filter: FILTER, buffer_size: BUFFER_BYTES, buffer_timeout: 0, promiscuous: false });
      let captured = 0;
      session.on("packet", () => captured++);
      return {
        counts: () => ({ captured, dropped: session.stats().ps_drop }),
      };
    }
    case "cap": {
      const cap = newCap();
      let captured = 0;
      keepAlive = Buffer.alloc(65535); // cap holds only a pointer to it
      cap.open(IFACE, FILTER, BUFFER_BYTES, keepAlive);
      cap.on("packet", () => captured++);
      return { counts: () => ({ captured, dropped: null }) };
    }
  }
}

let current: Capture | undefined;
let keepAlive: Buffer | undefined;

async function handle(m: WorkerMessage): Promise<void> {
  switch (m.op) {
    case "blast":
      report(blast(m.binding as Binding, Number(m.count), Number(m.rate ?? 0), Number(m.length ?? 60)));
      return;
    case "capture":
      current = capture(m.binding as Binding);
      report({ kind: "capturing" });
      return;
    case "counts":
      if (current === undefined) throw new Error("counts before capture");
      report({ kind: "counts", ...current.counts() });
      return;
    default:
      throw new Error(`unknown op ${String(m.op)}`);
  }
}

report({ kind: "ready" });
onParentMessage(handle, () => process.exit(0));

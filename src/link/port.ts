// The one thing the ARP and ICMP engines need from a link: send a frame, hear frames (with capture
// timestamps), know our MAC. The libpcap link implements it on a real interface; tests use an
// in-memory pair, the simulator a segment of its own.
import { Mac } from "../packets/address";
import { Clock, hrtimeMicros, systemClock } from "./clock";

export { hrtimeMicros } from "./clock";

export interface CapturedFrame {
  /** the frame; valid only during the listener call (capture buffers are reused): copy what you keep */
  readonly bytes: Uint8Array;
  /** capture time in µs since the epoch */
  readonly timeMicros: number;
  /** where the time came from: the kernel's capture stamp, or process.hrtime when none was given */
  readonly stamp: "kernel" | "hrtime";
  /**
   * Set by the daemon's pair port (src/failover/pair.ts) when the pair has a shared key: the frame
   * carries a valid tag from the peer. Undefined where nothing authenticates frames.
   */
  readonly authentic?: boolean;
}

export interface FramePort {
  /** interface name, for messages */
  readonly name: string;
  readonly mac: Mac;
  send(frame: Uint8Array): void;
  /** Calls `listener` for every frame received; returns a function that stops listening. */
  listen(listener: (frame: CapturedFrame) => void): () => void;
  /** The clock frames are stamped with and timers run on; default the system clock. */
  readonly clock?: Clock;
}

/** The clock of `port`: its own if it has one (a simulated segment), else the system clock. */
export function clockOf(port: Pick<FramePort, "clock">): Clock {
  return port.clock ?? systemClock;
}

/**
 * What the daemon may conclude from its link, as the link knows it:
 * - "down": the interface is down, has no carrier, or is gone; nothing can be sent or heard;
 * - "reopening": the interface is up, but the capture is not yet proven live (handles being opened,
 *   or opened and waiting to see a frame of our own);
 * - "verified": the capture has seen a frame we sent since it was opened: what we send goes out,
 *   and what comes in is heard.
 * Only a verified link yields check results and probe verdicts.
 */
export type LinkState = "down" | "reopening" | "verified";

export interface LinkWatch {
  readonly state: LinkState;
  /** Calls `listener` on every change of state, with a few words on why; returns a function that stops it. */
  onState(listener: (state: LinkState, why: string) => void): () => void;
}


/** Two FramePorts wired back to back in memory, for tests: what one sends, the other hears. */
export function memoryPortPair(macA: Mac, macB: Mac): [FramePort, FramePort] {
  const listeners: [Set<(f: CapturedFrame) => void>, Set<(f: CapturedFrame) => void>] = [new Set(), new Set()];
  const make = (name: string, mac: Mac, self: 0 | 1): FramePort => ({
    name,
    mac,
    send(frame) {
      const copy = frame.slice();
      const timeMicros = hrtimeMicros();
      queueMicrotask(() => {
        for (const listener of listeners[1 - self]) listener({ bytes: copy, timeMicros, stamp: "hrtime" });
      });
    },
    listen(listener) {
      listeners[self].add(listener);
      return () => listeners[self].delete(listener);
    },
  });
  return [make("mem0", macA, 0), make("mem1", macB, 1)];
}

// The one thing the ARP and ICMP engines need from a link: send a frame, hear frames (with capture
// timestamps), know our MAC. The libpcap link implements it on a real interface; tests use an
// in-memory pair.
import { Mac } from "../packets/address";

export interface CapturedFrame {
  /** the frame; valid only during the listener call (capture buffers are reused): copy what you keep */
  readonly bytes: Uint8Array;
  /** capture time in µs since the epoch */
  readonly timeMicros: number;
  /** where the time came from: the kernel's capture stamp, or process.hrtime when none was given */
  readonly stamp: "kernel" | "hrtime";
}

export interface FramePort {
  /** interface name, for messages */
  readonly name: string;
  readonly mac: Mac;
  send(frame: Uint8Array): void;
  /** Calls `listener` for every frame received; returns a function that stops listening. */
  listen(listener: (frame: CapturedFrame) => void): () => void;
}

/**
 * Wall-clock time in µs from the monotonic clock, for frames without a kernel stamp and for log
 * lines. performance.timeOrigin is taken with µs precision at start, so stamps of different
 * processes on one box line up (Date.now() would be off by up to a millisecond).
 */
export function hrtimeMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
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

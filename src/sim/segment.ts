// The simulated Ethernet segment: a bridge without learning, so every frame is flooded to every other
// station; each station's NIC takes what is addressed to it (its MAC, broadcast, multicast), as a
// non-promiscuous interface does, so frames nobody would take are not scheduled at all. A frame from
// one station reaches another after a fixed per-direction delay, which keeps frames in order; faults
// are conditions on one direction (from → to): loss, added delay and jitter, reordering (an extra
// delay for some frames), duplication, and a one-way partition. Each condition draws from its own
// random stream, so removing one while shrinking leaves the others' draws as they were.
import type { Mac } from "../packets/address";
import type { Random } from "./random";
import type { Scheduler } from "./scheduler";

export interface Station {
  readonly id: string;
  readonly mac: Mac;
  /** A frame reached the station's port (it decides whether its interface can take it). */
  receive(bytes: Uint8Array): void;
}

/** A fault on one direction of the segment. Conditions on one direction add up. */
export interface PathCondition {
  /** probability a frame is lost */
  readonly loss: number;
  readonly delayMicros: number;
  /** up to this much more, uniformly: frames may overtake each other */
  readonly jitterMicros: number;
  /** probability a frame is held back by up to reorderMicros (and so overtaken) */
  readonly reorder: number;
  readonly reorderMicros: number;
  /** probability a frame arrives twice */
  readonly duplicate: number;
  /** nothing gets through in this direction */
  readonly partitioned: boolean;
}

interface ActiveCondition {
  readonly condition: PathCondition;
  readonly random: Random;
}

const DUPLICATE_GAP_MICROS = 300;
const BROADCAST = 0xffff_ffff_ffff;

export class Segment {
  readonly #stations: Station[] = [];
  readonly #conditions = new Map<string, ActiveCondition[]>();
  /** frames put on the wire, and copies delivered */
  sent = 0;
  delivered = 0;

  constructor(
    readonly scheduler: Scheduler,
    /** one-way latency of the bridge, µs */
    readonly baseDelayMicros = 40,
  ) {}

  attach(station: Station): void {
    this.#stations.push(station);
  }

  /** Adds a condition on the direction from → to; returns the function that lifts it. */
  impose(from: string, to: string, condition: PathCondition, random: Random): () => void {
    const key = `${from}>${to}`;
    const list = this.#conditions.get(key) ?? [];
    const active = { condition, random };
    list.push(active);
    this.#conditions.set(key, list);
    return () => {
      const now = this.#conditions.get(key) ?? [];
      const at = now.indexOf(active);
      if (at >= 0) now.splice(at, 1);
      if (now.length === 0) this.#conditions.delete(key);
    };
  }

  /** Whether a one-way partition or loss is in force on from → to. */
  impaired(from: string, to: string): boolean {
    return (this.#conditions.get(`${from}>${to}`) ?? []).some((c) => c.condition.partitioned || c.condition.loss > 0);
  }

  /** Puts a frame on the wire from station `from`; the bytes are copied. */
  transmit(from: string, bytes: Uint8Array): void {
    this.sent++;
    const frame = bytes.slice();
    if (frame.length < 6) return;
    const destination = ((frame[0] << 8) | frame[1]) * 0x1_0000_0000 + (((frame[2] << 24) | (frame[3] << 16) | (frame[4] << 8) | frame[5]) >>> 0);
    const group = (frame[0] & 1) === 1 || destination === BROADCAST;
    for (const station of this.#stations) {
      if (station.id === from) continue;
      if (!group && station.mac.value !== destination) continue;
      this.#send(from, station, frame);
    }
  }

  #send(from: string, to: Station, frame: Uint8Array): void {
    const conditions = this.#conditions.get(`${from}>${to.id}`);
    let delay = this.baseDelayMicros;
    let copies = 1;
    if (conditions !== undefined) {
      for (const { condition: c, random } of conditions) {
        if (c.partitioned) return;
        if (c.loss > 0 && random.chance(c.loss)) return;
        delay += c.delayMicros;
        if (c.jitterMicros > 0) delay += random.next() * c.jitterMicros;
        if (c.reorder > 0 && random.chance(c.reorder)) delay += random.next() * c.reorderMicros;
        if (c.duplicate > 0 && random.chance(c.duplicate)) copies = 2;
      }
    }
    for (let i = 0; i < copies; i++) {
      this.scheduler.after(delay + i * DUPLICATE_GAP_MICROS, () => {
        this.delivered++;
        to.receive(frame);
      });
    }
  }
}

// Gratuitous ARP: tells every host on the segment (and the router above all) which MAC an address is
// at now. Sends the request form (sender IP = target IP, target MAC zero) and/or the reply form
// (target = sender), repeated, and optionally refreshed while an address is held. Linux takes both
// forms at once; other equipment honours one form and not the other, so the default sends both.
import { Ipv4, Mac } from "../packets/address";
import { gratuitousReply, gratuitousRequest } from "../packets/arp";
import { ETHERTYPE_ARP } from "../packets/ethernet";
import { encodeFrame } from "../packets/frame";
import { sleep } from "../link/clock";
import { clockOf, FramePort } from "../link/port";

export { sleep } from "../link/clock";

export type AnnounceForm = "request" | "reply" | "both";

export interface AnnounceOptions {
  /** rounds to send (each round sends the chosen forms for every address); default 3 */
  readonly count?: number;
  /** between rounds, ms; default 1000 */
  readonly intervalMs?: number;
  /** default "both" */
  readonly form?: AnnounceForm;
  /**
   * The MAC to announce the addresses at; default the port's own. Announcing at another box's MAC
   * is how a releasing node points the router back home when the home box stays silent.
   */
  readonly mac?: Mac;
  /** called after each frame is sent */
  readonly onSent?: (address: Ipv4, form: "request" | "reply") => void;
  readonly signal?: AbortSignal;
}

/** The gratuitous ARP frames for one address: broadcast, Ethernet source = the port's MAC. */
export function gratuitousFrames(port: Pick<FramePort, "mac">, address: Ipv4, form: AnnounceForm, mac: Mac = port.mac): Map<"request" | "reply", Uint8Array> {
  const frames = new Map<"request" | "reply", Uint8Array>();
  const ethernet = { destination: Mac.BROADCAST, source: port.mac, etherType: ETHERTYPE_ARP };
  if (form !== "reply") frames.set("request", encodeFrame({ ethernet, arp: gratuitousRequest(mac, address) }));
  if (form !== "request") frames.set("reply", encodeFrame({ ethernet, arp: gratuitousReply(mac, address) }));
  return frames;
}

/**
 * Announces `addresses` on `port`: `count` rounds, `intervalMs` apart, the first at once. Resolves
 * with the number of frames sent (fewer if aborted).
 */
export async function announce(port: FramePort, addresses: readonly Ipv4[], options: AnnounceOptions = {}): Promise<number> {
  const count = options.count ?? 3;
  const intervalMs = options.intervalMs ?? 1000;
  const form = options.form ?? "both";
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`announce: count must be a whole number ≥ 1, got ${count}`);
  if (!(intervalMs >= 0)) throw new RangeError(`announce: interval must be ≥ 0 ms, got ${intervalMs}`);
  const frames = addresses.map((address) => [address, gratuitousFrames(port, address, form, options.mac)] as const);
  let sent = 0;
  for (let round = 0; round < count; round++) {
    if (round > 0 && !(await sleep(intervalMs, options.signal, clockOf(port)))) break;
    if (options.signal?.aborted) break;
    for (const [address, byForm] of frames) {
      for (const [kind, frame] of byForm) {
        port.send(frame);
        sent++;
        options.onSent?.(address, kind);
      }
    }
  }
  return sent;
}


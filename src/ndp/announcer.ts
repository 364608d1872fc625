// Unsolicited Neighbor Advertisements (RFC 4861 §7.2.6): tell every host on the segment (the router
// above all) which MAC an IPv6 address is at now. To all-nodes (ff02::1), Override set, Solicited
// clear, our Target Link-Layer Address option, in rounds like the ARP announcer's. Linux updates an
// entry it has from such an NA; whether it makes a new entry from one depends on accept_untracked_na
// (README, "takeover ndp").
import { Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { sleep } from "../link/clock";
import { clockOf, FramePort } from "../link/port";
import { neighborAdvertisementFrame } from "./frames";

export interface NdpAnnounceOptions {
  /** rounds to send (each round advertises every address once); default 3 */
  readonly count?: number;
  /** between rounds, ms; default 1000 */
  readonly intervalMs?: number;
  /** set the Router flag; default false */
  readonly router?: boolean;
  /** the MAC to announce the addresses at; default the port's own (another box's hands them back to it) */
  readonly mac?: Mac;
  /** the IPv6 source of each NA; default the advertised address itself, as Linux sends them */
  readonly source?: Ipv6Address;
  /** called after each frame is sent */
  readonly onSent?: (address: Ipv6Address) => void;
  readonly signal?: AbortSignal;
}

/** The unsolicited NA for `address`: to all-nodes, Ethernet source the port's MAC. */
export function unsolicitedAdvertisement(port: Pick<FramePort, "mac">, address: Ipv6Address, options: Pick<NdpAnnounceOptions, "router" | "mac" | "source"> = {}): Uint8Array {
  return neighborAdvertisementFrame({
    sourceMac: port.mac,
    target: address,
    linkLayerAddress: options.mac ?? port.mac,
    router: options.router ?? false,
    solicited: false,
    override: true,
    ...(options.source === undefined ? {} : { source: options.source }),
  });
}

/**
 * Announces `addresses` on `port`: `count` rounds, `intervalMs` apart, the first at once. Resolves
 * with the number of frames sent (fewer if aborted).
 */
export async function announceNeighbors(port: FramePort, addresses: readonly Ipv6Address[], options: NdpAnnounceOptions = {}): Promise<number> {
  const count = options.count ?? 3;
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`announce: count must be a whole number ≥ 1, got ${count}`);
  if (!(intervalMs >= 0)) throw new RangeError(`announce: interval must be ≥ 0 ms, got ${intervalMs}`);
  const frames = addresses.map((address) => [address, unsolicitedAdvertisement(port, address, options)] as const);
  let sent = 0;
  for (let round = 0; round < count; round++) {
    if (round > 0 && !(await sleep(intervalMs, options.signal, clockOf(port)))) break;
    if (options.signal?.aborted) break;
    for (const [address, frame] of frames) {
      port.send(frame);
      sent++;
      options.onSent?.(address);
    }
  }
  return sent;
}

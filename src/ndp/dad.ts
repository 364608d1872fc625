// Duplicate Address Detection (RFC 4862 §5.4), the IPv6 counterpart of the RFC 5227 ARP probe:
// Neighbor Solicitations from :: (so no neighbour cache learns from them) to the address's
// solicited-node group; then a Neighbor Advertisement for the address, another host's DAD
// solicitation for it, or a solicitation sent from it means someone holds it or is taking it.
// `NeighborConflictWatcher` keeps listening while we hold addresses and reports anyone else claiming
// one of them.
//
// The holder's answer to a DAD probe goes to all-nodes (ff02::1), and another prober's solicitation
// to the address's solicited-node group: a capture hears both only if the interface takes those
// groups. The link is opened in promiscuous mode for it (see the `ndp probe` verb).
import { Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { sleep } from "../link/clock";
import { clockOf, FramePort } from "../link/port";
import { isUnspecified, NeighborMessage, neighborSolicitationFrame, readNeighborMessage } from "./frames";

/** RFC 4862 / RFC 4861 defaults (ms here): DupAddrDetectTransmits 1, RetransTimer 1 s. */
export const RFC4862 = { DUP_ADDR_DETECT_TRANSMITS: 1, RETRANS_TIMER_MS: 1000 } as const;

export interface DadOptions {
  /** solicitations to send; default DupAddrDetectTransmits = 1 */
  readonly count?: number;
  /** between solicitations, ms; default RetransTimer = 1000 */
  readonly intervalMs?: number;
  /** how long to keep listening after the last solicitation, ms; default RetransTimer = 1000 */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
  /** Which claims end the probe and are its answer; default all. The others go to `DadResult.ignored`. */
  readonly decisive?: (claim: NeighborClaim) => boolean;
  /**
   * Ask instead of probing: solicitations from this address of ours, with our link-layer address,
   * not from ::, so a holder that yields to DAD probes answers without yielding.
   */
  readonly source?: Ipv6Address;
}

export interface NeighborClaim {
  /** the MAC that answered for, solicited from or probed for the address */
  readonly mac: Mac;
  /**
   * "advertisement": a Neighbor Advertisement for it (the holder answering, or announcing);
   * "solicitation": a Neighbor Solicitation sent from it (the holder asking about someone);
   * "probe": another host's DAD solicitation for it (it is about to take it too)
   */
  readonly how: "advertisement" | "solicitation" | "probe";
  readonly timeMicros: number;
  /** the frame carried a valid pair tag (see CapturedFrame.authentic) */
  readonly authentic?: boolean;
}

export interface DadResult {
  readonly address: Ipv6Address;
  readonly probesSent: number;
  /** the first decisive claim heard, if any: the address is in use */
  readonly conflict?: NeighborClaim;
  /** claims heard that were not decisive (see DadOptions.decisive), at most 16 */
  readonly ignored?: readonly NeighborClaim[];
}

/**
 * The claims `message` makes, by another MAC than `ourMac`, as [address, how, mac] (an NS from an
 * address claims its source; any NS or NA claims or probes its target).
 */
export function claimsOf(message: NeighborMessage, ourMac: Mac): Array<[Ipv6Address, NeighborClaim["how"], Mac]> {
  // our own frames (a hand-back announced at another box's MAC too) are not claims
  if (message.sourceMac.value === ourMac.value) return [];
  const mac = message.linkLayerAddress ?? message.sourceMac;
  if (mac.value === ourMac.value) return [];
  if (message.kind === "advertisement") return [[message.target, "advertisement", mac]];
  if (isUnspecified(message.source)) return [[message.target, "probe", mac]];
  return [[message.source, "solicitation", mac]];
}

/** Runs Duplicate Address Detection for `address`: is anyone using it? */
export async function detectDuplicate(port: FramePort, address: Ipv6Address, options: DadOptions = {}): Promise<DadResult> {
  const [result] = await detectDuplicates(port, [address], options);
  return result;
}

/**
 * DAD for several addresses in one window, as probeAddresses does for ARP: each round sends the
 * solicitation of every address still open back to back, a decisive claim ends that address's probe
 * at once (`onResult` then), the silent ones end together after the wait. One result per address,
 * in the order given.
 */
export async function detectDuplicates(port: FramePort, addresses: readonly Ipv6Address[], options: DadOptions & { readonly onResult?: (result: DadResult) => void } = {}): Promise<DadResult[]> {
  const count = options.count ?? RFC4862.DUP_ADDR_DETECT_TRANSMITS;
  const intervalMs = options.intervalMs ?? RFC4862.RETRANS_TIMER_MS;
  const waitMs = options.waitMs ?? RFC4862.RETRANS_TIMER_MS;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`probe: count must be a whole number ≥ 1, got ${count}`);
  const clock = clockOf(port);
  const done = new AbortController();
  const onOuterAbort = () => done.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  interface Open {
    readonly address: Ipv6Address;
    readonly probe: Uint8Array;
    probesSent: number;
    conflict?: NeighborClaim;
    readonly ignored: NeighborClaim[];
    result?: DadResult;
  }
  const byText = new Map<string, Open>();
  const all: Open[] = addresses.map((address) => {
    const open: Open = { address, probe: neighborSolicitationFrame({ sourceMac: port.mac, source: options.source ?? Ipv6Address.ANY, target: address }), probesSent: 0, ignored: [] };
    byText.set(address.toString(), open);
    return open;
  });
  let openCount = all.length;
  const finish = (open: Open) => {
    if (open.result !== undefined) return;
    open.result = { address: open.address, probesSent: open.probesSent, ...(open.conflict === undefined ? {} : { conflict: open.conflict }), ...(open.ignored.length === 0 ? {} : { ignored: open.ignored }) };
    openCount--;
    options.onResult?.(open.result);
  };
  const stop = port.listen((frame) => {
    if (openCount === 0) return;
    const message = readNeighborMessage(frame.bytes);
    if (message === undefined) return;
    for (const [address, how, mac] of claimsOf(message, port.mac)) {
      const open = byText.get(address.toString());
      if (open === undefined || open.result !== undefined) continue;
      const claim: NeighborClaim = { mac, how, timeMicros: frame.timeMicros, ...(frame.authentic === undefined ? {} : { authentic: frame.authentic }) };
      if (options.decisive !== undefined && !options.decisive(claim)) {
        if (open.ignored.length < 16) open.ignored.push(claim);
        continue;
      }
      open.conflict = claim;
      finish(open);
    }
    if (openCount === 0) done.abort();
  });
  try {
    for (let i = 0; i < count && !done.signal.aborted; i++) {
      if (i > 0 && !(await sleep(intervalMs, done.signal, clock))) break;
      for (const open of all) {
        if (open.result !== undefined || done.signal.aborted) continue;
        port.send(open.probe);
        open.probesSent++;
      }
    }
    if (!done.signal.aborted && (await sleep(waitMs, done.signal, clock))) {
      // silence counts only once what arrived within the window has been read (see Clock.settle)
      await clock.settle?.();
    }
  } finally {
    stop();
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
  for (const open of all) finish(open);
  return all.map((open) => open.result!);
}

export interface NeighborConflictEvent extends NeighborClaim {
  readonly address: Ipv6Address;
}

/**
 * Listens on `port` for other hosts claiming any of the watched addresses: an NA for one, an NS
 * from one, or a DAD probe for one, from another MAC (`onConflict` for each).
 */
export class NeighborConflictWatcher {
  readonly #watched = new Map<string, Ipv6Address>();
  readonly #stop: () => void;

  constructor(
    readonly port: FramePort,
    onConflict: (event: NeighborConflictEvent) => void,
    /** MACs that are not conflicts (our own on other interfaces, or a configured peer) */
    readonly ignoreMacs: readonly Mac[] = [],
  ) {
    const ignored = new Set(ignoreMacs.map((m) => m.value));
    this.#stop = port.listen((frame) => {
      if (this.#watched.size === 0) return;
      const message = readNeighborMessage(frame.bytes);
      if (message === undefined) return;
      for (const [claimed, how, mac] of claimsOf(message, port.mac)) {
        const address = this.#watched.get(claimed.toString());
        if (address === undefined || ignored.has(mac.value) || ignored.has(message.sourceMac.value)) continue;
        onConflict({ address, mac, how, timeMicros: frame.timeMicros, ...(frame.authentic === undefined ? {} : { authentic: frame.authentic }) });
      }
    });
  }

  watch(address: Ipv6Address): void {
    this.#watched.set(address.toString(), address);
  }

  unwatch(address: Ipv6Address): void {
    this.#watched.delete(address.toString());
  }

  close(): void {
    this.#stop();
    this.#watched.clear();
  }
}

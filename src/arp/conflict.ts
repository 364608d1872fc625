// Address conflict detection (RFC 5227). `probeAddress` asks whether anyone holds an address before
// we take it: ARP probes (sender IP 0.0.0.0, so no cache learns from them), then any ARP whose sender
// IP is that address, or another host's probe for it, is a conflict. `ConflictWatcher` keeps
// listening while we hold addresses and reports anyone else claiming one of them.
import { Ipv4, Mac } from "../packets/address";
import { arpProbe, arpRequest, ARP_REPLY, ARP_REQUEST } from "../packets/arp";
import { ETHERTYPE_ARP } from "../packets/ethernet";
import { encodeFrame, FrameKind, FrameView } from "../packets/frame";
import { sleep } from "../link/clock";
import { clockOf, FramePort } from "../link/port";

/** RFC 5227 section 1.1 constants (seconds there; ms here). */
export const RFC5227 = { PROBE_NUM: 3, PROBE_MIN_MS: 1000, PROBE_MAX_MS: 2000, ANNOUNCE_WAIT_MS: 2000 } as const;

export interface ProbeOptions {
  /** probes to send; default PROBE_NUM = 3 */
  readonly count?: number;
  /** between probes, ms; default 1000 (PROBE_MIN) */
  readonly intervalMs?: number;
  /** how long to keep listening after the last probe, ms; default 1000 */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Which claims end the probe and are its answer; default all. The others are collected in
   * `ProbeResult.ignored` (with a pair key, the daemon counts only authenticated answers).
   */
  readonly decisive?: (claim: Claim) => boolean;
  /**
   * Ask instead of probing: ARP requests from this address (ours), not RFC 5227 probes, so a holder
   * that yields to probes (the takeover peer holding our address) answers without yielding.
   */
  readonly senderIp?: Ipv4;
}

export interface Claim {
  /** the MAC that answered for, announced or probed for the address */
  readonly mac: Mac;
  /** "reply" / "request": it uses the address; "probe": it is about to take it too */
  readonly how: "reply" | "request" | "probe";
  readonly timeMicros: number;
  /** the frame carried a valid pair tag (see CapturedFrame.authentic) */
  readonly authentic?: boolean;
}

export interface ProbeResult {
  readonly address: Ipv4;
  readonly probesSent: number;
  /** the first decisive claim heard, if any: the address is in use */
  readonly conflict?: Claim;
  /** claims heard that were not decisive (see ProbeOptions.decisive), at most 16 */
  readonly ignored?: readonly Claim[];
}

/** Classifies an ARP frame in `view` as a claim on `address` by someone other than `ourMac`. */
function claimOn(view: FrameView, address: number, ourMac: number): Claim["how"] | undefined {
  if (view.kind !== FrameKind.Arp) return undefined;
  // our own frames, including a hand-back announced at another box's MAC, are not claims
  if (view.arpSenderMac === ourMac || view.sourceMac === ourMac) return undefined;
  if (view.arpSenderIp === address) {
    // only requests and replies claim an address; an unknown operation claims nothing
    if (view.arpOperation === ARP_REQUEST) return "request";
    if (view.arpOperation === ARP_REPLY) return "reply";
    return undefined;
  }
  if (view.arpSenderIp === 0 && view.arpTargetIp === address && view.arpOperation === ARP_REQUEST) return "probe";
  return undefined;
}

/** Sends RFC 5227 probes for `address` and reports whether anyone claims it. */
export async function probeAddress(port: FramePort, address: Ipv4, options: ProbeOptions = {}): Promise<ProbeResult> {
  const [result] = await probeAddresses(port, [address], options);
  return result;
}

/**
 * Probes several addresses in one window: each round sends the probe of every address still open
 * back to back, and one wait follows the last round, so four addresses take as long as one. Each
 * address is decided on its own, as `probeAddress` would decide it: a decisive claim ends its probe
 * at once (`onResult` is called then, and it gets no more probes); the silent ones end together
 * after the wait. Resolves with one result per address, in the order given.
 */
export async function probeAddresses(port: FramePort, addresses: readonly Ipv4[], options: ProbeOptions & { readonly onResult?: (result: ProbeResult) => void } = {}): Promise<ProbeResult[]> {
  const count = options.count ?? RFC5227.PROBE_NUM;
  const intervalMs = options.intervalMs ?? RFC5227.PROBE_MIN_MS;
  const waitMs = options.waitMs ?? 1000;
  const clock = clockOf(port);
  const view = new FrameView();
  const done = new AbortController();
  const onOuterAbort = () => done.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  interface Open {
    readonly address: Ipv4;
    readonly probe: Uint8Array;
    probesSent: number;
    conflict?: Claim;
    readonly ignored: Claim[];
    result?: ProbeResult;
  }
  const byValue = new Map<number, Open>();
  const all: Open[] = addresses.map((address) => {
    const open: Open = {
      address,
      probe: encodeFrame({
        ethernet: { destination: Mac.BROADCAST, source: port.mac, etherType: ETHERTYPE_ARP },
        arp: options.senderIp === undefined ? arpProbe(port.mac, address) : arpRequest(port.mac, options.senderIp, address),
      }),
      probesSent: 0,
      ignored: [],
    };
    byValue.set(address.value, open);
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
    if (openCount === 0 || !view.reset(frame.bytes) || view.kind !== FrameKind.Arp) return;
    const open = byValue.get(view.arpSenderIp !== 0 ? view.arpSenderIp : view.arpTargetIp);
    if (open === undefined || open.result !== undefined) return;
    const how = claimOn(view, open.address.value, port.mac.value);
    if (how === undefined) return;
    const claim: Claim = { mac: new Mac(view.arpSenderMac), how, timeMicros: frame.timeMicros, ...(frame.authentic === undefined ? {} : { authentic: frame.authentic }) };
    if (options.decisive !== undefined && !options.decisive(claim)) {
      if (open.ignored.length < 16) open.ignored.push(claim);
      return;
    }
    open.conflict = claim;
    finish(open);
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
      // silence counts only once what arrived within the window has been read (see Clock.settle):
      // a start-up or a loaded box could otherwise claim an address whose holder answered in time
      await clock.settle?.();
    }
  } finally {
    stop();
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
  for (const open of all) finish(open);
  return all.map((open) => open.result!);
}

export interface ConflictEvent extends Claim {
  readonly address: Ipv4;
}

/**
 * Listens on `port` for other hosts claiming any of the watched addresses. `onConflict` is called
 * for each claim heard (ARP from another MAC with the address as sender, or a probe for it).
 */
export class ConflictWatcher {
  readonly #watched = new Map<number, Ipv4>();
  readonly #view = new FrameView();
  readonly #stop: () => void;

  constructor(
    readonly port: FramePort,
    onConflict: (event: ConflictEvent) => void,
    /** MACs that are not conflicts (our own on other interfaces, or a configured peer) */
    readonly ignoreMacs: readonly Mac[] = [],
  ) {
    const ignored = new Set(ignoreMacs.map((m) => m.value));
    this.#stop = port.listen((frame) => {
      if (this.#watched.size === 0 || !this.#view.reset(frame.bytes) || this.#view.kind !== FrameKind.Arp) return;
      const view = this.#view;
      const candidate = view.arpSenderIp !== 0 ? view.arpSenderIp : view.arpTargetIp;
      const address = this.#watched.get(candidate);
      if (address === undefined) return;
      const how = claimOn(view, address.value, port.mac.value);
      if (how === undefined || ignored.has(view.arpSenderMac)) return;
      onConflict({ address, mac: new Mac(view.arpSenderMac), how, timeMicros: frame.timeMicros, ...(frame.authentic === undefined ? {} : { authentic: frame.authentic }) });
    });
  }

  watch(address: Ipv4): void {
    this.#watched.set(address.value, address);
  }

  unwatch(address: Ipv4): void {
    this.#watched.delete(address.value);
  }

  close(): void {
    this.#stop();
    this.#watched.clear();
  }
}

// A libpcap link on one Ethernet interface: send frames, and receive frames with the kernel's capture
// timestamp (microseconds) through a BPF filter — frames sent by this host as well as frames it
// receives, each marked "in" or "out". Built on node_pcap's native binding.
//
// Two libpcap handles per link: a capture handle (immediate mode, the filter) and a send handle (a
// filter that takes nothing). A packet socket never sees the frames it sends itself, so sending on
// the second handle is what lets the capture handle stamp our own outgoing frames — the ICMP prober's
// RTT is reply stamp − request stamp, both taken by the kernel.
//
// The link knows whether it can send and hear (LinkWatch): "down" (the interface is down, without
// carrier, or gone), "reopening" (up with carrier, but the capture not yet proven live) or
// "verified" (the capture handle has seen a frame we sent on the send handle since the handles were
// opened or the link came back). The proof is a "wake" frame (EtherType 0x88b5, IEEE local
// experimental; source = destination = our MAC, so a learning bridge drops it at the first hop;
// "tkwk" after the Ethernet header, then a sequence number and this link's nonce), sent every few ms
// until the capture sees it; if it is not seen in 500 ms (then longer) the handles are reopened.
// Wake frames are never passed to onFrame.
//
// Link changes come from rtnetlink notifications (link-events.ts): down, no carrier, gone or
// replaced is "down" at once; up with carrier again reopens the handles at once (or, after a mere
// carrier loss, keeps them) and verifies. A capture that wakes with nothing to read (libuv stopped
// watching it: POLLERR) is the second signal; a 1 s poll of /sys is the safety net. Only the kernel
// says "down": a read of /sys that fails (too many open files, say) tells nothing and changes nothing
// (the poll reads again a second later), and handles that cannot be opened are retried, "reopening".
//
// Opening a libpcap handle waits an RCU grace period in the kernel (~10 ms, PACKET_RX_RING), so
// an administrative down and up opens none on the way back: the send handle is kept (a packet
// socket bound to an ifindex survives NETDEV_DOWN/UP), and a spare capture handle, opened a moment
// after the link is verified and never polled, takes the place of the capture that libuv stopped
// watching (see Link.standby). A new interface (re-created, or another MAC) gets new handles.
//
// node_pcap's close() only sets pcap_breakloop; the handle is released by the next dispatch that
// reads a frame, and until then its poll watcher keeps the process alive. So close() sends a wake
// frame that both handles' filters accept, and dispatches it. Handles whose interface went down are
// released the same way once fresh handles are open on the interface again.

import { randomBytes } from "node:crypto";
import { PcapSession } from "pcap/build/Release/pcap_binding";
import { Mac } from "../packets/address";
import { findInterface, InterfaceError, InterfaceState, readInterfaceState, SysReadError } from "./interfaces";
import { LinkEvent, subscribeLinkEvents } from "./link-events";
import { LinkState, LinkWatch } from "./port";

export type { LinkState, LinkWatch } from "./port";

export type Direction = "in" | "out";

/** A frame as captured. Reused between calls: valid only during the onFrame callback; copy to keep. */
export interface CapturedFrame {
  /** The captured bytes (at most the snap length), from the Ethernet destination address on. */
  bytes: Uint8Array;
  /** Length of the frame on the wire; more than bytes.length when the snap length cut it. */
  wireLength: number;
  /** When the kernel saw the frame: microseconds since the Unix epoch (CLOCK_REALTIME). */
  timeMicros: number;
  /** "out" for frames this host sent (source MAC is the interface's), "in" for the others. */
  direction: Direction;
  readonly stamp: "kernel";
}

/**
 * A capture filter by direction: `out` for the frames this host sends (source MAC the interface's),
 * `in` for the others; pcap-filter(7) expressions, "" for every frame of that direction.
 */
export interface DirectedFilter {
  readonly in: string;
  readonly out: string;
}

export interface LinkOptions {
  /**
   * A pcap-filter(7) expression, e.g. "arp or icmp", or one per direction (DirectedFilter). Default:
   * every frame. What the filter leaves out never wakes the process: keep it to what is acted on.
   */
  readonly filter?: string | DirectedFilter;
  /** Which frames to capture: received ("in"), sent by this host ("out"), or both. Default "both". */
  readonly direction?: "in" | "out" | "both";
  /**
   * Bytes kept of each frame. Default: the interface's MTU + 18 (a whole Ethernet frame with a VLAN
   * tag). At least 64. Keep it small: in immediate mode libpcap uses TPACKET_V2, whose ring has one
   * fixed slot per frame sized by this, so 65535 would leave a 4 MiB ring only ~64 slots.
   */
  readonly snapLength?: number;
  /** Size of the kernel capture ring in bytes. Default 4 MiB. */
  readonly bufferBytes?: number;
  /** Put the interface in promiscuous mode while open. Default false. */
  readonly promiscuous?: boolean;
}

/** Counters of the capture handle since the link was opened (summed over reopenings). */
export interface LinkStats {
  /** Frames that passed the filter, as counted by the kernel (pcap_stats ps_recv). */
  readonly received: number;
  /** Frames the kernel dropped because the capture ring was full (ps_drop). */
  readonly dropped: number;
  /** Frames the interface dropped, when the driver says (ps_ifdrop); often 0 even when unknown. */
  readonly ifDropped: number;
  /** Frames passed to onFrame listeners. */
  readonly delivered: number;
  /** Times the link reopened its handles after the interface went down or was replaced. */
  readonly reopened: number;
  /** Liveness probes sent (after the capture woke up with nothing to read); at most one a second. */
  readonly probes: number;
  /** Wake frames sent to verify the capture (after opening, and each time the link came back). */
  readonly verifyFrames: number;
  /**
   * libpcap handles opened (capture, send, and spare capture handles): each opening waits an RCU
   * grace period in the kernel (~10 ms). An administrative down and up opens none on the way back.
   */
  readonly handlesOpened: number;
}

/**
 * What happened to the interface under an open link (the older, two-valued view of `onState`):
 * "down" when the link stops being verified, "up" when it is verified again; `reopened` says whether
 * the handles were opened anew meanwhile (after a mere carrier loss they are kept).
 */
export type LinkStatus =
  | { readonly state: "down"; readonly reason: string }
  | { readonly state: "up"; readonly reopened: boolean };

/** Thrown when a link cannot be opened or a frame cannot be sent. The message is one line with the fix. */
export class LinkError extends Error {
  override readonly name = "LinkError";
}

const MIN_SNAP_LENGTH = 64;
const MAX_SNAP_LENGTH = 262144;
/** Ethernet header (14) and a VLAN tag (4) on top of the MTU. */
const ETHERNET_OVERHEAD = 18;
const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
const SEND_HANDLE_BUFFER_BYTES = 256 * 1024;
const SEND_HANDLE_SNAP_LENGTH = 128;
/** The safety net under rtnetlink: how often /sys is read to catch a change no notification told. */
const FALLBACK_POLL_MS = 1000;
/** How long after "verified" the blocking work (opening the spare capture, closing dead handles) waits. */
const AFTER_VERIFIED_DELAY_MS = 300;
/** Verification: first resend of the wake frame after this, doubling up to VERIFY_MAX_RESEND_MS. */
const VERIFY_FIRST_RESEND_MS = 2;
const VERIFY_MAX_RESEND_MS = 50;
/** A wake frame not seen within this reopens the handles; each further failure doubles it, up to the max. */
const VERIFY_ROUND_MS = 500;
const VERIFY_ROUND_MAX_MS = 8000;
/** Handles that cannot be opened while the interface looks usable: retried after this, doubling to the max. */
const REOPEN_RETRY_MS = 20;
const REOPEN_RETRY_MAX_MS = 1000;
/** How long a liveness probe may take to come back before the capture is taken for dead. */
const PROBE_TIMEOUT_MS = 250;
/** At most one liveness probe per this many ms. */
const PROBE_MIN_INTERVAL_MS = 1000;

const WAKE_ETHERTYPE = 0x88b5;
/** "tkwk": marks takeover's wake frames after the Ethernet header. */
const WAKE_MAGIC = 0x746b776b;
const WAKE_FRAME_LENGTH = 60;
/** Byte offsets in a wake frame: sequence number (0 in the frames that release handles), link nonce. */
const WAKE_SEQUENCE_AT = 18;
const WAKE_NONCE_AT = 22;

/**
 * Every capture session that was ever polled, kept for the life of the process. node_pcap never
 * uv_close()s its poll handle (closing only stops it), and its C++ session is deleted when the JS
 * object is garbage-collected: the freed uv_poll_t would stay linked in libuv's handle queue and
 * corrupt the heap at the next handle libuv adds. A few hundred bytes per opening are the price.
 */
const everPolled: PcapSession[] = [];

/** The user's filter as one expression ("" for every frame), the directions spelt out by our MAC. */
function userFilterText(filter: string | DirectedFilter | undefined, mac: Mac): string {
  if (filter === undefined) return "";
  if (typeof filter === "string") return filter.trim();
  const side = (match: string, expression: string) => (expression.trim() === "" ? match : `(${match} and (${expression.trim()}))`);
  return `${side(`ether src ${mac}`, filter.out)} or ${side(`not ether src ${mac}`, filter.in)}`;
}

function wakeFilter(mac: Mac): string {
  return `(ether src ${mac} and ether dst ${mac} and ether proto 0x88b5 and ether[14:4] = 0x746b776b)`;
}

function isWakeFrame(b: Uint8Array, length: number): boolean {
  return (
    length >= 18 &&
    b[12] === 0x88 && b[13] === 0xb5 &&
    b[14] === 0x74 && b[15] === 0x6b && b[16] === 0x77 && b[17] === 0x6b
  );
}

function privilegeHelp(iface: string): string {
  return (
    `cannot open ${iface} for capture: operation not permitted — needs CAP_NET_RAW ` +
    "(run with sudo, or: setcap cap_net_raw,cap_net_admin+ep $(readlink -f $(which node)))"
  );
}

/** Turns node_pcap/libpcap error text from opening a handle into one line that says what to do. */
function openError(iface: string, filter: string, message: string): LinkError {
  if (/operation not permitted|permission|EPERM|EACCES/i.test(message)) return new LinkError(privilegeHelp(iface));
  if (/not up/i.test(message)) return new LinkError(`cannot open ${iface}: the interface is down — bring it up: ip link set ${iface} up`);
  if (/no such device/i.test(message)) return new LinkError(`cannot open ${iface}: no such device (it disappeared?)`);
  const parse = /^can't parse filter expression: (.*)$/.exec(message);
  if (parse !== null) return new LinkError(`bad capture filter "${filter}" for ${iface}: ${parse[1]} — see man pcap-filter`);
  return new LinkError(`cannot open ${iface} for capture: ${message}`);
}

/** What the link knows of its interface, from a notification, /sys, or the capture. */
interface Observed {
  readonly index: number;
  readonly up: boolean;
  readonly running: boolean;
  readonly mac: Mac | undefined;
}

/** What a failed read of /sys gives instead of the interface's state: nothing is known (see SysReadError). */
const UNREADABLE = "unreadable";

/** How a change was noticed; said in the reason only when it was not by notification. */
type Source = "rtnetlink" | "poll" | "capture" | "send" | "retry";

function noticed(source: Source): string {
  switch (source) {
    case "poll":
      return " (seen by the fallback poll of /sys, not by rtnetlink)";
    case "capture":
      return " (seen by the capture)";
    case "send":
      return " (seen when a send failed)";
    default:
      return "";
  }
}

/** One opening of the two libpcap handles; replaced as a whole when the interface comes back. */
class Handles {
  readonly capture = new PcapSession();
  /**
   * The send handle: opened with this generation, or kept from the one before it across an
   * administrative down and up (same ifindex and MAC), which a bound packet socket survives.
   */
  sender = new PcapSession();
  /** The send handle came from the generation before (adoptSender). */
  senderKept = false;
  /** The capture handle's frame buffer: frames are copied here one at a time. */
  readonly data: Buffer;
  readonly header: Buffer;
  /** tv_sec, tv_usec, caplen, len of the frame in `data`, native byte order (memcpy of pcap_pkthdr). */
  readonly header32: Uint32Array;
  readonly senderData = Buffer.alloc(SEND_HANDLE_SNAP_LENGTH);
  readonly senderHeader = Buffer.alloc(16);
  readonly macBytes: Uint8Array;
  /** This generation's wake frame (our MAC as it was when opened). */
  readonly wake = Buffer.alloc(WAKE_FRAME_LENGTH);
  captureOpen = false;
  senderOpen = false;
  captureReleased = false;
  senderReleased = false;
  /** False once the capture is known dead (interface down or gone, or a probe was not seen). */
  alive = true;
  framesThisDispatch = 0;
  /** data.subarray(0, bytesLength): the view onFrame listeners get, made again only when the length changes */
  bytes: Uint8Array = new Uint8Array(0);
  bytesLength = -1;
  /** Sequence number of the last wake frame of ours the capture saw in this dispatch (0: none). */
  ownWakeSeen = 0;
  /** The capture's kernel counts when it became the link's (a standby counts before that). */
  private countsBase = { received: 0, dropped: 0, ifDropped: 0 };

  constructor(
    readonly index: number,
    readonly mac: Mac,
    snapLength: number,
    nonce: number,
  ) {
    this.data = Buffer.alloc(snapLength);
    const headerMemory = new ArrayBuffer(16);
    this.header = Buffer.from(headerMemory);
    this.header32 = new Uint32Array(headerMemory);
    this.macBytes = mac.toBytes();
    mac.write(this.wake, 0);
    mac.write(this.wake, 6);
    this.wake.writeUInt16BE(WAKE_ETHERTYPE, 12);
    this.wake.writeUInt32BE(WAKE_MAGIC, 14);
    this.wake.writeUInt32BE(nonce, WAKE_NONCE_AT);
  }

  /** The capture's kernel counts since it became the link's. @throws when the handle has failed */
  counts(): { received: number; dropped: number; ifDropped: number } {
    const s = this.capture.stats();
    const base = this.countsBase;
    return {
      received: ((s.ps_recv >>> 0) - base.received) >>> 0,
      dropped: ((s.ps_drop >>> 0) - base.dropped) >>> 0,
      ifDropped: ((s.ps_ifdrop >>> 0) - base.ifDropped) >>> 0,
    };
  }

  /** From now on, counts() counts from here (a standby becoming the link's capture). */
  resetCounts(): void {
    this.countsBase = { received: 0, dropped: 0, ifDropped: 0 };
    this.countsBase = this.counts();
  }

  /** Takes over the send handle of `from` (a generation that died with an administrative down). */
  adoptSender(from: Handles): void {
    this.sender = from.sender;
    this.senderOpen = true;
    this.senderKept = true;
    from.senderOpen = false; // no longer from's to release
  }

  /** Starts releasing both handles: breakloop now, pcap_close at the next frame each one reads. */
  beginRelease(): void {
    if (this.captureOpen) this.capture.close();
    if (this.senderOpen) this.sender.close();
  }

  /** Dispatches pending frames on handles that are being released; true once both are closed. */
  finishRelease(): boolean {
    if (this.senderOpen && !this.senderReleased) {
      if (this.sender.dispatch(this.senderData, this.senderHeader) === -2) this.senderReleased = true;
    }
    if (this.captureOpen && !this.captureReleased) {
      if (this.capture.dispatch(this.data, this.header) === -2) this.captureClosed();
    }
    return this.released;
  }

  /** libpcap has closed the capture handle and node_pcap stopped polling it. */
  captureClosed(): void {
    this.captureReleased = true;
    // The session object is kept for ever (see everPolled); let go of the link behind it.
    this.capture.read_callback = undefined;
  }

  get released(): boolean {
    return (!this.senderOpen || this.senderReleased) && (!this.captureOpen || this.captureReleased);
  }
}

/**
 * An open link on one interface. Open with `Link.open`; close with `close()` (an open link keeps
 * the process alive, like a server socket).
 *
 * `send` by state: "verified" sends; "reopening" sends on the handles being verified when they are
 * open (the frame may be lost: nothing is proven yet), else throws; "down" always throws LinkError.
 */
export class Link implements LinkWatch {
  /** The handles in use; undefined while none are open (the interface is down, gone, or not yet reopened). */
  private handles: Handles | undefined;
  /**
   * Handles that died with their interface (or failed verification), released once the link is
   * verified again (their sockets hear again by then), or at close.
   */
  private dead: Handles[] = [];
  /**
   * Of the dead, the generation that died with an administrative down: its send handle is taken
   * over by the next opening if the interface comes back with the same index and MAC (a packet
   * socket bound to an ifindex survives NETDEV_DOWN/UP; opening one costs an RCU grace period).
   */
  private keptSender: Handles | undefined;
  /**
   * A spare capture handle on the interface (a generation with no send handle), opened a moment
   * after the link is verified and never polled until it is needed. An administrative down stops
   * libuv watching the capture for good (POLLERR; node_pcap cannot start it again), and opening a
   * new one waits an RCU grace period in the kernel (~10 ms, PACKET_RX_RING). The spare's socket
   * survives the down like any bound packet socket, and libuv has never watched it: when the
   * interface is up again it takes the capture's place at once. Until then its frames are read
   * and dropped (each second, and when it takes over), never delivered.
   */
  private standby: Handles | undefined;
  private readonly listeners: Array<(frame: CapturedFrame) => void> = [];
  private readonly statusListeners: Array<(status: LinkStatus) => void> = [];
  private readonly stateListeners: Array<(state: LinkState, why: string) => void> = [];
  private readonly frame: CapturedFrame = { bytes: new Uint8Array(0), wireLength: 0, timeMicros: 0, direction: "in", stamp: "kernel" };
  /** Marks this link's wake frames, so that another link on the interface never verifies this one. */
  private readonly nonce = randomBytes(4).readUInt32BE(0);
  private currentState: LinkState = "reopening";
  /** Why /sys could not be read, the last time it could not. */
  private unreadableWhy = "";
  private currentWhy = "opening";
  private closed = false;
  private delivered = 0;
  private reopened = 0;
  private handlesOpened = 0;
  private statsBefore = { received: 0, dropped: 0, ifDropped: 0 };
  /** The interface as last known: index, MAC, snap length (kept while no handles are open). */
  private ifindex: number;
  private lastMac: Mac;
  private lastSnapLength: number;
  private sequence = 0;
  // verification
  private verifySequence = 0;
  private verifyTimer: NodeJS.Timeout | undefined;
  private verifyFrames = 0;
  private failedRounds = 0;
  // liveness probes (while verified)
  private probeTimer: NodeJS.Timeout | undefined;
  private probeSequence = 0;
  private probes = 0;
  private lastProbeAt = 0;
  // reopening
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopenRetryMs = REOPEN_RETRY_MS;
  private readonly fallbackTimer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  // onStatus
  private statusDown = false;
  private reopenedSinceDown = false;
  private readonly releasing = new Set<Handles>();

  private constructor(
    readonly name: string,
    private readonly options: LinkOptions,
  ) {
    let unsubscribe: (() => void) | undefined;
    try {
      unsubscribe = subscribeLinkEvents((event) => {
        if (event.kind === "resync") this.observe(this.look(), "poll");
        else this.onLinkEvent(event);
      });
    } catch {
      unsubscribe = undefined; // no rtnetlink: the fallback poll alone follows the interface
    }
    let handles: Handles;
    try {
      handles = this.openHandles();
    } catch (error) {
      unsubscribe?.();
      throw error;
    }
    this.unsubscribe = unsubscribe ?? (() => {});
    this.handles = handles;
    this.ifindex = handles.index;
    this.lastMac = handles.mac;
    this.lastSnapLength = handles.data.length;
    this.fallbackTimer = setInterval(() => {
      this.observe(this.look(), "poll");
      this.drainStandby();
    }, FALLBACK_POLL_MS);
    // Without rtnetlink the poll is what keeps an open link (and so the process) alive while down.
    if (unsubscribe !== undefined) this.fallbackTimer.unref();
    this.observe(this.look(), "rtnetlink");
  }

  /**
   * Opens a link on `iface`. It starts "reopening" and is "verified" a moment later (or "down" when
   * the interface has no carrier).
   * @throws InterfaceError when there is no such interface (the message lists those there are)
   * @throws LinkError without CAP_NET_RAW, when the interface is down, or for a bad filter
   */
  static open(iface: string, options: LinkOptions = {}): Link {
    const snapLength = options.snapLength;
    if (snapLength !== undefined && (!Number.isInteger(snapLength) || snapLength < MIN_SNAP_LENGTH || snapLength > MAX_SNAP_LENGTH)) {
      throw new LinkError(`snap length ${snapLength} for ${iface} is out of range: use ${MIN_SNAP_LENGTH} to ${MAX_SNAP_LENGTH}`);
    }
    return new Link(iface, options);
  }

  /** Bytes kept of each frame (see LinkOptions.snapLength). */
  get snapLength(): number {
    return this.handles?.data.length ?? this.lastSnapLength;
  }

  /** The interface's MAC address: of the open handles, or as last announced while none are open. */
  get mac(): Mac {
    return this.handles?.mac ?? this.lastMac;
  }

  /** The interface's index (of the open handles, or as last announced). */
  get index(): number {
    return this.ifindex;
  }

  /** "down", "reopening" or "verified": see LinkWatch. */
  get state(): LinkState {
    return this.currentState;
  }

  /** A few words on why the link is in its state, e.g. "eth0 has no carrier". */
  get stateReason(): string {
    return this.currentWhy;
  }

  /**
   * Sends one frame as it is (destination MAC first; no padding or FCS added). Throws while "down";
   * while "reopening" the frame goes out on the fresh handles if they are open, unproven.
   * @throws LinkError naming the interface and why (down, no carrier, gone, reopening, too long)
   */
  send(frame: Uint8Array): void {
    if (this.closed) throw new LinkError(`cannot send on ${this.name}: the link is closed`);
    const handles = this.handles;
    if (this.currentState === "down" || handles === undefined || !handles.alive) {
      throw new LinkError(`cannot send a ${frame.byteLength}-byte frame on ${this.name}: ${this.whyNotSending(frame.byteLength)}`);
    }
    const buffer = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    try {
      handles.sender.inject(buffer);
    } catch {
      // Not from inside the caller's send: state listeners may send themselves.
      queueMicrotask(() => {
        this.observe(this.look(), "send");
        this.keptSenderFailed(handles);
      });
      throw new LinkError(`cannot send a ${frame.byteLength}-byte frame on ${this.name}: ${this.whyNotSending(frame.byteLength)}`);
    }
  }

  /** Calls `listener` for every captured frame. Returns a function that stops it. */
  onFrame(listener: (frame: CapturedFrame) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** Calls `listener` on every change of state, with a few words on why. Returns a function that stops it. */
  onState(listener: (state: LinkState, why: string) => void): () => void {
    this.stateListeners.push(listener);
    return () => {
      const at = this.stateListeners.indexOf(listener);
      if (at >= 0) this.stateListeners.splice(at, 1);
    };
  }

  /**
   * Calls `listener` when the link stops being verified ("down", with the reason) and when it is
   * verified again ("up"). The two-valued form of onState, kept for its users.
   */
  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.statusListeners.push(listener);
    return () => {
      const at = this.statusListeners.indexOf(listener);
      if (at >= 0) this.statusListeners.splice(at, 1);
    };
  }

  /**
   * True once the link is closed and libpcap has closed both handles. close() usually gets there at
   * once; without carrier it cannot (see close). Handles that died with their interface (down, or
   * removed) before close may stay open until the process ends; they do not keep it alive.
   */
  get released(): boolean {
    return this.closed && (this.handles?.released ?? true);
  }

  /** True while the link is verified (kept for older callers: use `state`). */
  get alive(): boolean {
    return this.currentState === "verified" && !this.closed;
  }

  stats(): LinkStats {
    let now = { received: 0, dropped: 0, ifDropped: 0 };
    const handles = this.handles;
    if (handles !== undefined && handles.alive && !this.closed) {
      try {
        now = handles.counts();
      } catch {
        /* the handle has just failed; its counts are lost */
      }
    }
    return {
      received: this.statsBefore.received + now.received,
      dropped: this.statsBefore.dropped + now.dropped,
      ifDropped: this.statsBefore.ifDropped + now.ifDropped,
      delivered: this.delivered,
      reopened: this.reopened,
      probes: this.probes,
      verifyFrames: this.verifyFrames,
      handlesOpened: this.handlesOpened,
    };
  }

  /**
   * Stops capturing and releases both handles. No frame is delivered after this returns, and no
   * timer or notification of the link's is left. If the interface has no carrier, the capture
   * handle is released only when it next reads a frame, and keeps the process alive until then
   * (node_pcap limitation; process.exit() ends it).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopVerify();
    this.stopProbe();
    clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    clearInterval(this.fallbackTimer);
    this.unsubscribe();
    this.listeners.length = 0;
    this.statusListeners.length = 0;
    this.stateListeners.length = 0;
    this.keptSender = undefined;
    // The spare and the dead first: they hear the current send handle (the dead's, taken over).
    this.dropStandby();
    this.retireDead();
    if (this.handles !== undefined) this.retire(this.handles);
  }

  // ---- what the interface does ----

  /** A notification from rtnetlink: keeps those about our interface (by name, or by our index). */
  private onLinkEvent(event: LinkEvent): void {
    if (this.closed) return;
    if (event.name !== this.name) {
      // Our interface renamed (it can only be while down), or deleted under its new name.
      if (event.index === this.ifindex) this.observe(undefined, "rtnetlink", `${this.name} is gone (now ${event.name})`);
      return;
    }
    if (event.kind === "del") {
      if (event.index === this.ifindex) this.observe(undefined, "rtnetlink");
      return;
    }
    this.observe(event, "rtnetlink");
  }

  /**
   * Brings the link in line with what the interface is now (`undefined`: there is none). Idempotent:
   * notifications, the fallback poll, the capture and failed sends all come through here. Handles
   * are open whenever the interface is up (so that, on a NIC whose carrier follows an admin up by
   * seconds of negotiation, they are ready when it comes), and verified whenever it is running.
   */
  private observe(seen: Observed | undefined | typeof UNREADABLE, source: Source, whyGone?: string): void {
    if (this.closed) return;
    // A read that failed says nothing: the state stays as the kernel last told it, and the fallback
    // poll reads again within a second (an open that failed has its own retry timer).
    if (seen === UNREADABLE) return;
    const how = noticed(source);
    if (seen === undefined) {
      this.keptSender = undefined;
      this.dropStandby();
      this.killHandles();
      this.toDown(whyGone ?? `${this.name} is gone`, how);
      return;
    }
    if (seen.index !== this.ifindex) {
      const before = this.ifindex;
      this.keptSender = undefined;
      this.dropStandby();
      this.killHandles();
      this.ifindex = seen.index;
      if (seen.mac !== undefined) this.lastMac = seen.mac;
      this.toDown(`${this.name} was replaced (index ${before} → ${seen.index})`, how);
    } else if (seen.mac !== undefined && !seen.mac.equals(this.mac)) {
      // A new MAC on the same interface: filters and wake frames name the old one.
      this.keptSender = undefined;
      this.dropStandby();
      this.killHandles();
      this.lastMac = seen.mac;
    }
    if (!seen.up) {
      // The capture socket has failed (ENETDOWN); the handles are released when it is up again, but
      // for the send handle, which the next opening takes over if the interface is the same.
      const handles = this.handles;
      this.killHandles();
      if (handles !== undefined && handles.senderOpen) this.keptSender = handles;
      this.toDown(`${this.name} is down`, how);
      return;
    }
    const handles = this.ensureHandles(source);
    if (this.closed) return;
    if (!seen.running) {
      // A mere carrier loss leaves the handles working; they are verified again when it returns.
      this.toDown(`${this.name} has no carrier`, how);
      return;
    }
    if (this.currentState === "verified" && handles === "alive") return;
    if (this.currentState === "down") this.setState("reopening", `${this.name} is up and running`, how);
    else if (this.currentState === "verified") this.setState("reopening", `${this.name}: capture reopened`, how);
    if (this.closed) return; // a state listener closed the link
    if (handles !== "none" && this.verifySequence === 0) {
      this.stopProbe();
      this.startRound();
    }
  }

  private toDown(why: string, how = ""): void {
    this.stopVerify();
    this.stopProbe();
    this.failedRounds = 0;
    this.setState("down", why, how);
  }

  /** The current handles have stopped working: keep them to release later, take their counts. */
  private killHandles(): void {
    const handles = this.handles;
    if (handles === undefined) return;
    this.handles = undefined;
    this.stopVerify();
    this.stopProbe();
    if (handles.alive) {
      handles.alive = false;
      try {
        const s = handles.counts();
        this.statsBefore = {
          received: this.statsBefore.received + s.received,
          dropped: this.statsBefore.dropped + s.dropped,
          ifDropped: this.statsBefore.ifDropped + s.ifDropped,
        };
      } catch {
        /* counts of a failed handle are lost */
      }
    }
    this.dead.push(handles);
  }

  /**
   * Live handles on the interface, opened now if there are none: "alive" (kept), "opened" (fresh),
   * or "none" (they cannot be opened yet: retried, backing off, until a notification or the retry
   * itself succeeds).
   */
  private ensureHandles(source: Source): "alive" | "opened" | "none" {
    if (this.handles !== undefined && this.handles.alive) return "alive";
    if (this.reopenTimer !== undefined && source !== "retry" && source !== "rtnetlink") return "none";
    clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    this.killHandles();
    let fresh: Handles;
    try {
      fresh = this.openHandles();
    } catch {
      // Down or gone again already, or not ready yet.
      const delay = this.reopenRetryMs;
      this.reopenRetryMs = Math.min(REOPEN_RETRY_MAX_MS, delay * 2);
      this.reopenTimer = setTimeout(() => {
        this.reopenTimer = undefined;
        this.observe(this.look(), "retry");
      }, delay);
      this.reopenTimer.unref();
      return "none";
    }
    this.reopenRetryMs = REOPEN_RETRY_MS;
    this.handles = fresh;
    this.ifindex = fresh.index;
    this.lastMac = fresh.mac;
    this.lastSnapLength = fresh.data.length;
    this.reopened++;
    this.reopenedSinceDown = true;
    return "opened";
  }

  /**
   * Releases the handles that died with their interface. Their sockets hear again once it is up, so
   * a wake frame gets them closed — which costs the kernel an RCU grace period per socket (tens of
   * ms, blocking): done after the link is verified, not on the way there.
   */
  private retireDead(): void {
    const dead = this.dead;
    this.dead = [];
    for (const handles of dead) this.retire(handles);
  }

  /** The capture does not hear though the interface looks usable: open it anew and verify again. */
  private restartCapture(why: string): void {
    if (this.closed) return;
    this.keptSender = undefined;
    this.dropStandby(); // what does not hear is not known: all anew
    this.killHandles();
    this.retireDead();
    if (this.currentState !== "down") this.setState("reopening", why);
    this.observe(this.look(), "retry");
  }

  /**
   * Changes the state, telling the listeners. `how` (how it was noticed, when not by notification)
   * goes with the reason; a repeat of the state changes only a reason that says something new (so
   * the fallback poll does not reword what rtnetlink told).
   */
  private setState(state: LinkState, why: string, how = ""): void {
    if (state === this.currentState) {
      if (!this.currentWhy.startsWith(why)) this.currentWhy = why + how;
      return;
    }
    why += how;
    this.currentWhy = why;
    const from = this.currentState;
    this.currentState = state;
    for (const listener of [...this.stateListeners]) listener(state, why);
    if (state === "verified") {
      if (this.statusDown) {
        this.statusDown = false;
        this.emitStatus({ state: "up", reopened: this.reopenedSinceDown });
      }
    } else if (!this.statusDown && (state === "down" || from === "verified")) {
      this.statusDown = true;
      this.reopenedSinceDown = false;
      this.emitStatus({ state: "down", reason: why });
    }
  }

  private emitStatus(status: LinkStatus): void {
    for (const listener of [...this.statusListeners]) listener(status);
  }

  // ---- verification: the capture must see a frame we send ----

  private startRound(): void {
    this.stopVerify();
    const handles = this.handles;
    if (handles === undefined || this.closed) return;
    const sequence = this.nextSequence();
    this.verifySequence = sequence;
    const started = performance.now();
    const roundMs = Math.min(VERIFY_ROUND_MAX_MS, VERIFY_ROUND_MS * 2 ** this.failedRounds);
    let resendMs = VERIFY_FIRST_RESEND_MS;
    const tick = (): void => {
      this.verifyTimer = undefined;
      if (this.closed || this.verifySequence !== sequence || this.handles !== handles) return;
      const elapsed = performance.now() - started;
      if (elapsed >= roundMs) {
        // Timers run before the poll phase: if the event loop was stalled, the frame may be waiting
        // to be read. setImmediate runs after this iteration's poll phase has read what is ready.
        setImmediate(() => {
          if (this.closed || this.verifySequence !== sequence || this.handles !== handles) return;
          this.failedRounds++;
          this.restartCapture(`no frame of ours seen on ${this.name} within ${roundMs} ms: reopening the capture`);
        });
        return;
      }
      this.sendWake(handles, sequence);
      this.verifyTimer = setTimeout(tick, Math.min(resendMs, roundMs - elapsed));
      this.verifyTimer.unref();
      resendMs = Math.min(VERIFY_MAX_RESEND_MS, resendMs * 2);
    };
    this.sendWake(handles, sequence);
    this.verifyTimer = setTimeout(tick, resendMs);
    this.verifyTimer.unref();
    resendMs *= 2;
  }

  private stopVerify(): void {
    clearTimeout(this.verifyTimer);
    this.verifyTimer = undefined;
    this.verifySequence = 0;
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0xffff_ffff ? 1 : this.sequence + 1;
    return this.sequence;
  }

  private sendWake(handles: Handles, sequence: number): boolean {
    handles.wake.writeUInt32BE(sequence, WAKE_SEQUENCE_AT);
    this.verifyFrames++;
    try {
      handles.sender.inject(handles.wake);
      return true;
    } catch {
      // Not seen, then: the round's end decides; but a kept send handle is checked at once.
      if (handles.senderKept) setImmediate(() => this.keptSenderFailed(handles));
      return false;
    }
  }

  /**
   * A send failed on a send handle kept across an administrative down. If the interface is up and
   * running (same index), the handle is what fails: open both anew (a fresh send handle is never
   * kept, so this happens at most once per outage).
   */
  private keptSenderFailed(handles: Handles): void {
    if (handles !== this.handles || !handles.senderKept || this.closed) return;
    const now = this.look();
    if (now === UNREADABLE || now === undefined || now.index !== handles.index || !now.up || !now.running) return; // the interface says why
    this.restartCapture(`a frame could not be sent on ${this.name} with the send handle kept over the outage: reopening`);
  }

  /** The capture saw wake frame `sequence` of ours (called after the dispatch, not inside it). */
  private ownWakeSeen(handles: Handles, sequence: number): void {
    if (handles !== this.handles || this.closed) return;
    if (sequence === this.probeSequence) this.stopProbe();
    if (sequence !== this.verifySequence || this.currentState !== "reopening") return;
    // A frame we sent before an outage could be read after it began: ask the kernel once more.
    const now = this.look();
    if (now === UNREADABLE) return; // not verified on a frame that may be stale: the next wake frame asks again
    if (now === undefined || now.index !== handles.index || !now.running) {
      this.observe(now, "capture");
      return;
    }
    this.stopVerify();
    this.failedRounds = 0;
    this.setState("verified", `a frame sent on ${this.name} was captured`);
    // Not at once: what a listener starts on "verified" (the daemon's probe and claim, frames heard
    // within milliseconds) must not wait behind tens of ms of blocking socket work.
    setTimeout(() => this.afterVerified(), AFTER_VERIFIED_DELAY_MS).unref();
  }

  /**
   * What blocks for an RCU grace period or more is done once the link is verified, not on the way
   * there: a spare capture opened (~10 ms) if there is none, and the dead handles released (each
   * socket closed costs tens of ms: their sockets hear again by then, so a wake frame gets them
   * closed). Put off to the next verification if the link is no longer verified.
   */
  private afterVerified(): void {
    if (this.closed || this.currentState !== "verified") return;
    this.openStandby();
    if (this.dead.length > 0) this.retireDead();
  }

  // ---- liveness probes, when the capture wakes with nothing to read ----

  private checkAlive(handles: Handles): void {
    const now = this.look();
    // unreadable: the probe below finds out whether the capture hears, without /sys
    if (now !== UNREADABLE && (now === undefined || now.index !== handles.index || !now.running)) {
      this.observe(now, "capture");
      return;
    }
    if (this.currentState !== "verified") return; // a verification is under way, or it is down
    const at = Date.now();
    if (this.probeTimer !== undefined || at - this.lastProbeAt < PROBE_MIN_INTERVAL_MS) return;
    this.lastProbeAt = at;
    const sequence = this.nextSequence();
    this.probeSequence = sequence;
    this.probes++;
    if (!this.sendProbe(handles, sequence)) {
      this.captureDead(handles, `a probe frame could not be sent on ${this.name}`);
      return;
    }
    this.probeTimer = setTimeout(() => {
      setImmediate(() => {
        if (this.probeSequence !== sequence || this.closed) return; // it came back (or the link closed)
        this.probeTimer = undefined;
        this.probeSequence = 0;
        this.captureDead(handles, `the capture on ${this.name} stopped (a probe of ours was not seen)`);
      });
    }, PROBE_TIMEOUT_MS);
    this.probeTimer.unref();
  }

  private sendProbe(handles: Handles, sequence: number): boolean {
    handles.wake.writeUInt32BE(sequence, WAKE_SEQUENCE_AT);
    try {
      handles.sender.inject(handles.wake);
      return true;
    } catch {
      return false;
    }
  }

  private stopProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.probeSequence = 0;
  }

  /** The interface looks fine but the capture does not hear: reopen it (or follow the interface). */
  private captureDead(handles: Handles, why: string): void {
    if (handles !== this.handles || this.closed) return;
    const now = this.look();
    // unreadable: the capture is what is known dead, so reopen it ("reopening", never "down")
    if (now !== UNREADABLE && (now === undefined || now.index !== handles.index || !now.running)) {
      this.observe(now, "capture");
      return;
    }
    this.restartCapture(`${why}: reopening`);
  }

  // ---- opening and releasing handles ----

  private openHandles(): Handles {
    const iface = findInterface(this.name);
    if (iface.linkType !== 1 && !iface.loopback) {
      throw new LinkError(`cannot open ${this.name}: it is not an Ethernet interface (link type ${iface.linkType})`);
    }
    const snapLength = this.options.snapLength ?? Math.min(MAX_SNAP_LENGTH, Math.max(MIN_SNAP_LENGTH, iface.mtu + ETHERNET_OVERHEAD));
    const handles = this.takeStandby(iface.index, iface.mac, snapLength) ?? this.openCapture(iface.index, iface.mac, snapLength);
    try {
      const kept = this.keptSender;
      this.keptSender = undefined;
      if (kept !== undefined && kept.senderOpen && !kept.senderReleased && kept.index === handles.index && kept.mac.equals(handles.mac)) {
        handles.adoptSender(kept);
        // The down left ENETDOWN pending on the socket (sk_err), which fails the next send and is
        // cleared by it: spend it on a frame that matters to no one (a wake frame of sequence 0).
        try {
          handles.sender.inject(handles.wake);
        } catch {
          /* that was it */
        }
      } else {
        const filter = `less 1 or ${wakeFilter(handles.mac)}`;
        handles.sender.open_live(this.name, filter, SEND_HANDLE_BUFFER_BYTES, SEND_HANDLE_SNAP_LENGTH, "", () => {}, false, 0, () => {}, false);
        handles.senderOpen = true;
        this.handlesOpened++;
      }
    } catch (error) {
      // The capture is not polled yet: it holds an fd but not the process. Released with the dead.
      handles.alive = false;
      this.dead.push(handles);
      throw openError(this.name, userFilterText(this.options.filter, handles.mac), (error as Error).message);
    }
    handles.capture.read_callback = () => this.onReadable(handles);
    everPolled.push(handles.capture);
    handles.capture.start_polling();
    return handles;
  }

  /** Opens a capture handle on the interface (a generation without its send handle yet), not polled. */
  private openCapture(index: number, mac: Mac, snapLength: number): Handles {
    const handles = new Handles(index, mac, snapLength, this.nonce);
    const wake = wakeFilter(handles.mac);
    const userFilter = userFilterText(this.options.filter, handles.mac);
    const direction = this.options.direction ?? "both";
    const directionFilter = direction === "in" ? `not ether src ${handles.mac}` : direction === "out" ? `ether src ${handles.mac}` : "";
    const parts = [directionFilter, userFilter].filter((p) => p !== "").map((p) => `(${p})`);
    const captureFilter = parts.length === 0 ? "" : `(${parts.join(" and ")}) or ${wake}`;
    try {
      const linkType = handles.capture.open_live(
        this.name,
        captureFilter,
        this.options.bufferBytes ?? DEFAULT_BUFFER_BYTES,
        snapLength,
        "",
        () => this.onPacket(handles),
        false,
        0, // immediate mode: every frame is delivered as it arrives
        () => {}, // warnings
        this.options.promiscuous === true,
      );
      handles.captureOpen = true;
      this.handlesOpened++;
      if (linkType !== "LINKTYPE_ETHERNET") throw new Error(`link type ${linkType} is not Ethernet`);
    } catch (error) {
      // Not polled, so a handle left open here holds an fd but not the process.
      handles.alive = false;
      handles.beginRelease();
      throw openError(this.name, userFilter, (error as Error).message);
    }
    return handles;
  }

  // ---- the spare capture handle (see `standby`) ----

  /** Opens a spare capture on the interface of the verified handles, if the link has none. */
  private openStandby(): void {
    const handles = this.handles;
    if (this.closed || this.standby !== undefined || this.currentState !== "verified" || handles === undefined || !handles.alive) return;
    try {
      this.standby = this.openCapture(handles.index, handles.mac, handles.data.length);
    } catch {
      // None, then: the next outage opens a capture anew. Tried again when next verified.
    }
  }

  /** Reads and drops what the spare holds, so that there is little to drop when it takes over. */
  private drainStandby(): void {
    const standby = this.standby;
    if (standby === undefined || this.currentState !== "verified") return;
    // Not the link's handles: onPacket drops every frame.
    if (standby.capture.dispatch(standby.data, standby.header) < 0) this.dropStandby();
  }

  /** Lets the spare go (the interface is gone or changed, or the link closes). */
  private dropStandby(): void {
    const standby = this.standby;
    if (standby === undefined) return;
    this.standby = undefined;
    this.retire(standby);
  }

  /** The spare, to be the capture of a new generation, when it was opened on this same interface. */
  private takeStandby(index: number, mac: Mac, snapLength: number): Handles | undefined {
    const standby = this.standby;
    if (standby === undefined) return undefined;
    this.standby = undefined;
    let usable = standby.index === index && standby.mac.equals(mac) && standby.data.length === snapLength;
    // This dispatch drops what it holds from before (it is not the link's handles yet), and clears
    // the ENETDOWN pending on its socket since the down: else libuv would see POLLERR at once and
    // stop watching it, as it did the capture it replaces.
    if (usable && standby.capture.dispatch(standby.data, standby.header) < 0) usable = false;
    if (usable) {
      try {
        standby.resetCounts();
      } catch {
        usable = false;
      }
    }
    if (!usable) {
      // Released with the dead once the link is verified again (by a frame of the new send handle).
      standby.alive = false;
      this.dead.push(standby);
      return undefined;
    }
    return standby;
  }

  /** Releases a generation of handles, now if a wake frame gets through, else when a frame arrives. */
  private retire(handles: Handles): void {
    if (handles === this.keptSender) this.keptSender = undefined;
    handles.alive = false;
    handles.beginRelease();
    handles.wake.writeUInt32BE(0, WAKE_SEQUENCE_AT);
    // Each handle sees the other's frames, not its own. (A spare has no send handle; a dead
    // generation's may have been taken over: the current one sends for them, below.)
    const own = [handles.senderOpen ? handles.sender : undefined, handles.captureOpen ? handles.capture : undefined];
    for (const via of own) {
      try {
        via?.inject(handles.wake);
      } catch {
        /* down or gone: the release waits for a frame, or process exit */
      }
    }
    const current = this.handles;
    if (current !== undefined && current !== handles && current.alive) {
      try {
        current.sender.inject(handles.wake);
      } catch {
        /* as above */
      }
    }
    if (handles.finishRelease()) return;
    // On interfaces with a queueing discipline the wake frame is seen a moment later.
    this.releasing.add(handles);
    let tries = 0;
    const retry = (): void => {
      if (handles.finishRelease() || ++tries >= 20) {
        this.releasing.delete(handles);
        return;
      }
      setTimeout(retry, 10).unref();
    };
    setTimeout(retry, 1).unref();
  }

  // ---- the capture path ----

  private onReadable(handles: Handles): void {
    handles.framesThisDispatch = 0;
    handles.ownWakeSeen = 0;
    const result = handles.capture.dispatch(handles.data, handles.header);
    if (result === -2) {
      handles.captureClosed();
      return;
    }
    if (handles !== this.handles || this.closed) return;
    if (handles.ownWakeSeen !== 0) this.ownWakeSeen(handles, handles.ownWakeSeen);
    if (handles !== this.handles || this.closed) return;
    if (result === -1) {
      this.captureDead(handles, `the capture on ${this.name} failed`);
    } else if (handles.framesThisDispatch === 0) {
      // Woken with nothing to read: either harmless, or the socket reported an error (interface
      // down) and libuv has stopped watching it. Find out which.
      this.checkAlive(handles);
    }
  }

  private onPacket(handles: Handles): void {
    handles.framesThisDispatch++;
    if (handles !== this.handles || this.closed) return;
    const h = handles.header32;
    const captured = h[2];
    const data = handles.data;
    if (isWakeFrame(data, captured)) {
      if (captured >= WAKE_NONCE_AT + 4 && data.readUInt32BE(WAKE_NONCE_AT) === this.nonce) {
        const sequence = data.readUInt32BE(WAKE_SEQUENCE_AT);
        if (sequence !== 0) handles.ownWakeSeen = sequence;
      }
      return;
    }
    const frame = this.frame;
    if (handles.bytesLength !== captured) {
      handles.bytes = data.subarray(0, captured);
      handles.bytesLength = captured;
    }
    frame.bytes = handles.bytes;
    frame.wireLength = h[3];
    frame.timeMicros = h[0] * 1_000_000 + h[1];
    const mac = handles.macBytes;
    frame.direction =
      captured >= 12 && data[6] === mac[0] && data[7] === mac[1] && data[8] === mac[2] &&
      data[9] === mac[3] && data[10] === mac[4] && data[11] === mac[5]
        ? "out"
        : "in";
    this.delivered++;
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i](frame);
  }

  /** The interface's state from /sys, or UNREADABLE when the read failed for another reason than the interface (see SysReadError). */
  private look(): InterfaceState | undefined | typeof UNREADABLE {
    try {
      return readInterfaceState(this.name);
    } catch (error) {
      if (!(error instanceof SysReadError)) throw error;
      this.unreadableWhy = error.message;
      return UNREADABLE;
    }
  }

  private whyNotSending(length: number): string {
    const state = this.look();
    if (state === UNREADABLE) return `the interface cannot be read now (${this.unreadableWhy})`;
    if (state === undefined) return "the interface is gone";
    if (!state.up) return `the interface is down — bring it up: ip link set ${this.name} up`;
    if (!state.running) return "the interface has no carrier (cable unplugged or peer down)";
    try {
      const mtu = findInterface(this.name).mtu;
      if (length > mtu + 18) return `the frame is longer than the MTU (${mtu}) allows`;
    } catch (error) {
      if (error instanceof SysReadError) return `the interface cannot be read now (${error.message})`;
      if (error instanceof InterfaceError) return "the interface is gone";
    }
    if (this.currentState === "down") return `the link is down: ${this.currentWhy}`;
    if (this.handles === undefined || !this.handles.alive) return "the link is reopening its capture";
    return "pcap_inject failed";
  }
}

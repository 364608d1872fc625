// A libpcap link on one Ethernet interface: send frames, and receive frames with the kernel's capture
// timestamp (microseconds) through a BPF filter — frames sent by this host as well as frames it
// receives, each marked "in" or "out". Built on node_pcap's native binding.
//
// Two libpcap handles per link: a capture handle (immediate mode, the filter) and a send handle (a
// filter that takes nothing). A packet socket never sees the frames it sends itself, so sending on
// the second handle is what lets the capture handle stamp our own outgoing frames — the ICMP prober's
// RTT is reply stamp − request stamp, both taken by the kernel.
//
// node_pcap's close() only sets pcap_breakloop; the handle is released by the next dispatch that
// reads a frame, and until then its poll watcher keeps the process alive. So close() sends a "wake"
// frame (EtherType 0x88b5, IEEE local experimental, source = destination = our MAC, so a learning
// bridge drops it at the first hop) that both handles' filters accept, and dispatches it. The same
// frame serves as a liveness probe: when the interface is set down, libuv stops watching the capture
// socket for good (POLLERR), so the link notices, waits for the interface to be up again and reopens
// both handles. Wake frames are never passed to onFrame.

import { PcapSession } from "pcap/build/Release/pcap_binding";
import { Mac } from "../packets/address";
import { findInterface, InterfaceError, readInterfaceState } from "./interfaces";

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

export interface LinkOptions {
  /** A pcap-filter(7) expression, e.g. "arp or icmp". Default: every frame. */
  readonly filter?: string;
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
}

/** What happened to the interface under an open link. */
export type LinkStatus =
  | { readonly state: "down"; readonly reason: string }
  | { readonly state: "up"; readonly reopened: true };

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
/** How often a link whose interface is down or gone checks whether it is back. */
const WATCH_INTERVAL_MS = 500;
/** How long a liveness probe may take to come back before the capture is taken for dead. */
const PROBE_TIMEOUT_MS = 250;
/** At most one liveness probe per this many ms. */
const PROBE_MIN_INTERVAL_MS = 1000;

const WAKE_ETHERTYPE = 0x88b5;
/** "tkwk": marks takeover's wake frames after the Ethernet header. */
const WAKE_MAGIC = 0x746b776b;
const WAKE_FRAME_LENGTH = 60;

/**
 * Every capture session that was ever polled, kept for the life of the process. node_pcap never
 * uv_close()s its poll handle (closing only stops it), and its C++ session is deleted when the JS
 * object is garbage-collected: the freed uv_poll_t would stay linked in libuv's handle queue and
 * corrupt the heap at the next handle libuv adds. A few hundred bytes per opening are the price.
 */
const everPolled: PcapSession[] = [];

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

/** One opening of the two libpcap handles; replaced as a whole when the interface comes back. */
class Handles {
  readonly capture = new PcapSession();
  readonly sender = new PcapSession();
  /** The capture handle's frame buffer: frames are copied here one at a time. */
  readonly data: Buffer;
  readonly header: Buffer;
  /** tv_sec, tv_usec, caplen, len of the frame in `data`, native byte order (memcpy of pcap_pkthdr). */
  readonly header32: Uint32Array;
  readonly senderData = Buffer.alloc(SEND_HANDLE_SNAP_LENGTH);
  readonly senderHeader = Buffer.alloc(16);
  readonly macBytes: Uint8Array;
  captureOpen = false;
  senderOpen = false;
  captureReleased = false;
  senderReleased = false;
  alive = true;
  framesThisDispatch = 0;

  constructor(
    readonly index: number,
    readonly mac: Mac,
    snapLength: number,
  ) {
    this.data = Buffer.alloc(snapLength);
    const headerMemory = new ArrayBuffer(16);
    this.header = Buffer.from(headerMemory);
    this.header32 = new Uint32Array(headerMemory);
    this.macBytes = mac.toBytes();
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
 */
export class Link {
  private handles: Handles;
  private readonly listeners: Array<(frame: CapturedFrame) => void> = [];
  private readonly statusListeners: Array<(status: LinkStatus) => void> = [];
  private readonly frame: CapturedFrame = { bytes: new Uint8Array(0), wireLength: 0, timeMicros: 0, direction: "in", stamp: "kernel" };
  private readonly wake = Buffer.alloc(WAKE_FRAME_LENGTH);
  private closed = false;
  private delivered = 0;
  private reopened = 0;
  private statsBefore = { received: 0, dropped: 0, ifDropped: 0 };
  private watchTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeSequence = 0;
  private lastProbeAt = 0;
  private readonly releasing = new Set<Handles>();

  private constructor(
    readonly name: string,
    private readonly options: LinkOptions,
  ) {
    this.handles = this.openHandles();
  }

  /**
   * Opens a link on `iface`.
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
    return this.handles.data.length;
  }

  /** The interface's MAC address (as read when the handles were last opened). */
  get mac(): Mac {
    return this.handles.mac;
  }

  /** The interface's index (as read when the handles were last opened). */
  get index(): number {
    return this.handles.index;
  }

  /**
   * Sends one frame as it is (destination MAC first; no padding or FCS added).
   * @throws LinkError naming the interface and why (down, no carrier, gone, too long)
   */
  send(frame: Uint8Array): void {
    if (this.closed) throw new LinkError(`cannot send on ${this.name}: the link is closed`);
    const buffer = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    try {
      this.handles.sender.inject(buffer);
    } catch {
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

  /** Calls `listener` when the interface goes down or away, and when the link has reopened. */
  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.statusListeners.push(listener);
    return () => {
      const at = this.statusListeners.indexOf(listener);
      if (at >= 0) this.statusListeners.splice(at, 1);
    };
  }

  /**
   * True once the link is closed and libpcap has closed both handles. close() usually gets there at
   * once; without carrier it cannot (see close).
   */
  get released(): boolean {
    return this.closed && this.handles.released;
  }

  /** True while the capture is working; false between a "down" and an "up" status. */
  get alive(): boolean {
    return this.handles.alive && !this.closed;
  }

  stats(): LinkStats {
    let now = { received: 0, dropped: 0, ifDropped: 0 };
    if (this.handles.alive && !this.closed) {
      try {
        const s = this.handles.capture.stats();
        now = { received: s.ps_recv >>> 0, dropped: s.ps_drop >>> 0, ifDropped: s.ps_ifdrop >>> 0 };
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
      probes: this.probeSequence,
    };
  }

  /**
   * Stops capturing and releases both handles. No frame is delivered after this returns. If the
   * interface has no carrier or is gone, the capture handle is released only when it next reads a
   * frame, and keeps the process alive until then (node_pcap limitation; process.exit() ends it).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchTimer);
    clearTimeout(this.probeTimer);
    this.listeners.length = 0;
    this.statusListeners.length = 0;
    this.retire(this.handles);
  }

  // ---- opening and reopening ----

  private openHandles(): Handles {
    const iface = findInterface(this.name);
    if (iface.linkType !== 1 && !iface.loopback) {
      throw new LinkError(`cannot open ${this.name}: it is not an Ethernet interface (link type ${iface.linkType})`);
    }
    const snapLength = this.options.snapLength ?? Math.min(MAX_SNAP_LENGTH, Math.max(MIN_SNAP_LENGTH, iface.mtu + ETHERNET_OVERHEAD));
    const handles = new Handles(iface.index, iface.mac, snapLength);
    this.writeWakeFrame(handles.mac);
    const wake = wakeFilter(handles.mac);
    const userFilter = this.options.filter?.trim() ?? "";
    const direction = this.options.direction ?? "both";
    const directionFilter = direction === "in" ? `not ether src ${handles.mac}` : direction === "out" ? `ether src ${handles.mac}` : "";
    const parts = [directionFilter, userFilter].filter((p) => p !== "").map((p) => `(${p})`);
    const captureFilter = parts.length === 0 ? "" : `(${parts.join(" and ")}) or ${wake}`;
    const ignoreWarning = (): void => {};
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
        ignoreWarning,
        this.options.promiscuous === true,
      );
      handles.captureOpen = true;
      if (linkType !== "LINKTYPE_ETHERNET") throw new Error(`link type ${linkType} is not Ethernet`);
      handles.sender.open_live(this.name, `less 1 or ${wake}`, SEND_HANDLE_BUFFER_BYTES, SEND_HANDLE_SNAP_LENGTH, "", () => {}, false, 0, ignoreWarning, false);
      handles.senderOpen = true;
    } catch (error) {
      // Neither handle is polled yet, so a handle left open here holds an fd but not the process.
      handles.alive = false;
      handles.beginRelease();
      throw openError(this.name, userFilter, (error as Error).message);
    }
    handles.capture.read_callback = () => this.onReadable(handles);
    everPolled.push(handles.capture);
    handles.capture.start_polling();
    return handles;
  }

  private writeWakeFrame(mac: Mac): void {
    this.wake.fill(0);
    mac.write(this.wake, 0);
    mac.write(this.wake, 6);
    this.wake.writeUInt16BE(WAKE_ETHERTYPE, 12);
    this.wake.writeUInt32BE(WAKE_MAGIC, 14);
  }

  /** Releases a generation of handles, now if a wake frame gets through, else when a frame arrives. */
  private retire(handles: Handles): void {
    handles.alive = false;
    handles.beginRelease();
    // Each handle sees the other's frames, not its own.
    for (const via of [handles.sender, handles.capture]) {
      try {
        via.inject(this.wake);
      } catch {
        /* down or gone: the release waits for a frame, or process exit */
      }
    }
    if (this.handles !== handles && this.handles.alive) {
      try {
        this.handles.sender.inject(this.wake);
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

  private markDown(handles: Handles, reason: string): void {
    if (!handles.alive || this.closed || handles !== this.handles) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    try {
      const s = handles.capture.stats();
      this.statsBefore = {
        received: this.statsBefore.received + (s.ps_recv >>> 0),
        dropped: this.statsBefore.dropped + (s.ps_drop >>> 0),
        ifDropped: this.statsBefore.ifDropped + (s.ps_ifdrop >>> 0),
      };
    } catch {
      /* counts of a failed handle are lost */
    }
    handles.alive = false;
    this.emitStatus({ state: "down", reason });
    this.watchTimer = setInterval(() => this.tryReopen(), WATCH_INTERVAL_MS);
  }

  private tryReopen(): void {
    if (this.closed) return;
    const state = readInterfaceState(this.name);
    if (state === undefined || !state.up) return;
    let fresh: Handles;
    try {
      fresh = this.openHandles();
    } catch {
      return; // e.g. down again already: try at the next tick
    }
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    const old = this.handles;
    this.handles = fresh;
    this.reopened++;
    this.retire(old);
    this.emitStatus({ state: "up", reopened: true });
  }

  private emitStatus(status: LinkStatus): void {
    for (const listener of [...this.statusListeners]) listener(status);
  }

  // ---- the capture path ----

  private onReadable(handles: Handles): void {
    handles.framesThisDispatch = 0;
    const result = handles.capture.dispatch(handles.data, handles.header);
    if (result === -2) {
      handles.captureClosed();
      return;
    }
    if (handles !== this.handles || this.closed) return;
    if (result === -1) {
      this.markDown(handles, this.describeDown("the capture failed"));
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
      if (this.probeTimer !== undefined && data.readUInt32BE(18) === this.probeSequence) {
        clearTimeout(this.probeTimer);
        this.probeTimer = undefined;
      }
      return;
    }
    const frame = this.frame;
    frame.bytes = data.subarray(0, captured);
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

  private checkAlive(handles: Handles): void {
    const state = readInterfaceState(this.name);
    if (state === undefined || state.index !== handles.index || !state.up) {
      this.markDown(handles, this.describeDown("the capture stopped"));
      return;
    }
    const now = Date.now();
    if (this.probeTimer !== undefined || now - this.lastProbeAt < PROBE_MIN_INTERVAL_MS) return;
    this.lastProbeAt = now;
    this.probeSequence = (this.probeSequence + 1) >>> 0;
    this.wake.writeUInt32BE(this.probeSequence, 18);
    try {
      handles.sender.inject(this.wake);
    } catch {
      this.markDown(handles, this.describeDown("a probe frame could not be sent"));
      return;
    }
    this.probeTimer = setTimeout(() => {
      // Timers run before the poll phase: if the event loop was stalled, the probe may be waiting
      // to be read. setImmediate runs after this iteration's poll phase has read what is ready.
      setImmediate(() => {
        if (this.probeTimer === undefined) return; // the probe came back (or the link closed)
        this.probeTimer = undefined;
        this.markDown(handles, `${this.name} went down and up again: the capture stopped`);
      });
    }, PROBE_TIMEOUT_MS);
  }

  private describeDown(what: string): string {
    const state = readInterfaceState(this.name);
    if (state === undefined) return `${what}: ${this.name} is gone`;
    if (state.index !== this.handles.index) return `${what}: ${this.name} was replaced (index ${this.handles.index} → ${state.index})`;
    if (!state.up) return `${what}: ${this.name} is down`;
    return `${what} on ${this.name}`;
  }

  private whyNotSending(length: number): string {
    const state = readInterfaceState(this.name);
    if (state === undefined) return "the interface is gone";
    if (!state.up) return `the interface is down — bring it up: ip link set ${this.name} up`;
    if (!state.running) return "the interface has no carrier (cable unplugged or peer down)";
    try {
      const mtu = findInterface(this.name).mtu;
      if (length > mtu + 18) return `the frame is longer than the MTU (${mtu}) allows`;
    } catch (error) {
      if (error instanceof InterfaceError) return "the interface is gone";
    }
    if (!this.handles.alive) return "the link is reopening after the interface went down";
    return "pcap_inject failed";
  }
}

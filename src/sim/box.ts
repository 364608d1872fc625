// A simulated box: its kernel, independent of the daemon running on it, and what the daemon is given
// of it (a DaemonEnv). The kernel has one interface (admin up/down, carrier, present or removed, an
// ifindex that changes when it is made again) with its addresses, answers ARP requests (RFC 5227
// probes too) and ICMP echo for any address it has, and goes on answering while its daemon is paused
// or dead: an alias left by a crash stays and keeps answering.
//
// The daemon's link (its capture and send handle) follows the interface as the real one does: down at
// once when the interface goes admin down, loses carrier or is removed; when it is back, "reopening"
// for a reopen delay (a fault parameter; the wait runs on the daemon's clock, so a paused daemon does
// not reopen), during which send throws and nothing is heard; then "verified". That state is the
// ground truth the invariants judge by. The daemon's LinkWatch reports it when the notification
// reaches the daemon (so a paused daemon learns it at resume); send and capture follow the truth.
// The capture hears frames to this box and broadcast, and a copy of every frame the box sends (the
// daemon's and the kernel's), stamped "kernel".
//
// Address effects are bound to the ifindex the interface had when the daemon started, as
// AddressManager is (`bindAddressesToIndex`): after a re-creation they see nothing and cannot add.
//
// A dual-stack box (spec.ipv6) also has IPv6 addresses: its link-local (EUI-64 of its MAC, never
// tentative here) and the ones its daemon adds (marked ours, as IFA_PROTO marks them). As Linux
// 6.18 was seen to (README, IPv6): admin down removes every IPv6 address, admin up makes the
// link-local again, a carrier loss removes nothing, a removed interface loses them all. Its kernel
// answers Neighbor Solicitations for an address it has as Linux's ndisc_recv_ns does: a DAD NS
// (from ::) with an NA to all-nodes (Override, TLLA, Solicited clear); an NS to the address's
// solicited-node group with a solicited NA to the asker (Override, TLLA); a unicast NS with a
// solicited NA without Override and without TLLA (ndisc_send_na's inc_opt and override follow
// whether the NS was multicast). It answers no ICMPv6 echo (the simulated checks are IPv4).
import type { Clock } from "../link/clock";
import type { CapturedFrame, FramePort, LinkState, LinkWatch } from "../link/port";
import type { AddressEffects, DaemonEnv } from "../failover/env";
import { Ipv4, Mac } from "../packets/address";
import { ARP_REQUEST } from "../packets/arp";
import { ETHERTYPE_IPV6 } from "../packets/ethernet";
import { FrameKind, FrameView } from "../packets/frame";
import { ICMP_ECHO_REQUEST } from "../packets/icmp";
import { Ipv6Address } from "../packets/ipv6";
import { ALL_NODES, isMulticast, isUnspecified, multicastMac, readNeighborMessage, solicitedNodeGroup } from "../ndp/frames";
import { arpAnswer, echoReply } from "./frames";
import { linkLocalOf, neighborAdvertisement } from "./frames6";
import { SimProcess } from "./process";
import type { Random } from "./random";
import type { Scheduler } from "./scheduler";
import type { Segment, Station } from "./segment";

/** The kernel's time to answer an ARP request or an echo request. */
const KERNEL_MICROS = 15;
/** From a frame leaving (or arriving) to its copy reaching the capture. */
const CAPTURE_MICROS = 3;
/** A netlink request's round trip. */
const NETLINK_MICROS = 120;
/** Opening the capture when a daemon starts, before it is verified. */
export const OPEN_MICROS = 2_000;
const BROADCAST = 0xffff_ffff_ffff;

export interface KernelAddress {
  readonly address: Ipv4;
  readonly prefixLength: number;
  /** "eth0" for the real address, the daemon's alias label for the ones it adds */
  readonly label: string;
}

export interface KernelAddress6 {
  readonly address: Ipv6Address;
  readonly prefixLength: number;
  /** added by takeover (its IFA_PROTO) */
  readonly ours: boolean;
}

export interface BoxSpec {
  readonly name: string;
  readonly mac: Mac;
  readonly realAddress: Ipv4;
  readonly prefixLength: number;
  readonly interfaceName: string;
  /** IPv6 on the interface: a link-local, NDP answers, and IPv6 address effects for the daemon */
  readonly ipv6?: boolean;
}

/** What the world hears from a box: something changed in its kernel or its daemon's link, in a few words. */
export type BoxListener = (box: Box, part: "kernel" | "link", what: string) => void;

export class Box implements Station {
  readonly id: string;
  readonly mac: Mac;
  #adminUp = true;
  #carrier = true;
  #present = true;
  #ifindex: number;
  #nextIndex: number;
  readonly #addresses = new Map<number, KernelAddress>();
  /** IPv6 addresses by their text */
  readonly #addresses6 = new Map<string, KernelAddress6>();
  /** the EUI-64 link-local, when the box has IPv6 */
  readonly linkLocal: Ipv6Address | undefined;
  readonly #view = new FrameView();
  #ipId = 1;
  #link: SimLink | undefined;
  #process: SimProcess | undefined;
  /** the network manager's pending re-add of the real address */
  #realReAdd: { cancelled: boolean } | undefined;
  bindAddressesToIndex = true;

  constructor(
    readonly spec: BoxSpec,
    readonly scheduler: Scheduler,
    readonly segment: Segment,
    readonly listener: BoxListener,
    ifindex = 2,
  ) {
    this.id = spec.name;
    this.mac = spec.mac;
    this.#ifindex = ifindex;
    this.#nextIndex = ifindex + 10;
    this.#addresses.set(spec.realAddress.value, { address: spec.realAddress, prefixLength: spec.prefixLength, label: spec.interfaceName });
    this.linkLocal = spec.ipv6 === true ? linkLocalOf(spec.mac) : undefined;
    this.#makeLinkLocal();
    segment.attach(this);
  }

  /** The kernel makes the link-local (at start, admin up, re-creation): never tentative here. */
  #makeLinkLocal(): void {
    if (this.linkLocal === undefined || this.#addresses6.has(this.linkLocal.toString())) return;
    this.#addresses6.set(this.linkLocal.toString(), { address: this.linkLocal, prefixLength: 64, ours: false });
  }

  /** IPv6 addresses on the interface (none while it is removed or admin down). */
  addresses6(): KernelAddress6[] {
    return [...this.#addresses6.values()];
  }

  has6(address: Ipv6Address): boolean {
    return this.#addresses6.has(address.toString());
  }

  /** As holds(), for an IPv6 address. */
  holds6(address: Ipv6Address): boolean {
    return this.usable && this.#addresses6.has(address.toString());
  }

  /** An IPv6 address of takeover's present from before the run (left by an earlier crash). */
  addLeftover6(address: Ipv6Address, prefixLength: number): void {
    this.#addresses6.set(address.toString(), { address, prefixLength, ours: true });
    this.listener(this, "kernel", `${address}/${prefixLength} (ours) left from before`);
  }

  get name(): string {
    return this.spec.name;
  }
  get adminUp(): boolean {
    return this.#adminUp;
  }
  get carrier(): boolean {
    return this.#carrier;
  }
  get present(): boolean {
    return this.#present;
  }
  get ifindex(): number {
    return this.#ifindex;
  }
  /** Admin up, with carrier, and there. */
  get usable(): boolean {
    return this.#present && this.#adminUp && this.#carrier;
  }
  /** The daemon's link as it truly is ("down" with no daemon running). */
  get linkState(): LinkState {
    return this.#link?.truth ?? "down";
  }
  get process(): SimProcess | undefined {
    return this.#process;
  }
  /** A daemon is running (started, not crashed; paused counts as not running). */
  get daemonRunning(): boolean {
    return this.#process?.state === "running";
  }

  /** Addresses on the interface (none while it is removed). */
  addresses(): KernelAddress[] {
    return [...this.#addresses.values()];
  }

  has(address: Ipv4): boolean {
    return this.#addresses.has(address.value);
  }

  /** The box answers for `address` on the segment: the interface has it and can be reached. */
  holds(address: Ipv4): boolean {
    return this.usable && this.#addresses.has(address.value);
  }

  /** An alias present from before the run (left by an earlier crash). */
  addLeftover(address: Ipv4, label: string): void {
    this.#addresses.set(address.value, { address, prefixLength: this.spec.prefixLength, label });
    this.listener(this, "kernel", `${address} left on ${label} from before`);
  }

  // --- the interface -----------------------------------------------------------------------------

  setAdmin(up: boolean, reopenMicros: number): void {
    if (this.#adminUp === up) return;
    const was = this.usable;
    this.#adminUp = up;
    this.listener(this, "kernel", `${this.spec.interfaceName} admin ${up ? "up" : "down"}`);
    if (!up && this.#addresses6.size > 0) {
      // keep_addr_on_down 0: every IPv6 address goes, ours too
      this.listener(this, "kernel", `admin down removed ${[...this.#addresses6.keys()].join(", ")}`);
      this.#addresses6.clear();
    }
    if (up && this.#present) this.#makeLinkLocal();
    this.#usableChanged(was, up ? "admin up" : "admin down", reopenMicros);
  }

  setCarrier(up: boolean, reopenMicros: number): void {
    if (this.#carrier === up) return;
    const was = this.usable;
    this.#carrier = up;
    this.listener(this, "kernel", `${this.spec.interfaceName} carrier ${up ? "on" : "lost"}`);
    this.#usableChanged(was, up ? "carrier on" : "carrier lost", reopenMicros);
  }

  /** The interface is removed (driver unloaded, veth deleted): it goes, and its addresses with it. */
  remove(): void {
    if (!this.#present) return;
    const was = this.usable;
    this.#present = false;
    this.#addresses.clear();
    this.#addresses6.clear();
    if (this.#realReAdd !== undefined) this.#realReAdd.cancelled = true;
    this.listener(this, "kernel", `${this.spec.interfaceName} (index ${this.#ifindex}) removed with its addresses`);
    this.#usableChanged(was, "interface removed", 0);
  }

  /** The interface is made again, with a new index; the network manager re-adds the real address after `realAfterMicros`. */
  create(reopenMicros: number, realAfterMicros: number): void {
    if (this.#present) return;
    const was = this.usable;
    this.#present = true;
    this.#ifindex = this.#nextIndex++;
    this.listener(this, "kernel", `${this.spec.interfaceName} made again, index ${this.#ifindex}`);
    if (this.#adminUp) this.#makeLinkLocal();
    const readd = { cancelled: false };
    this.#realReAdd = readd;
    const addReal = () => {
      if (readd.cancelled || !this.#present) return;
      this.#addresses.set(this.spec.realAddress.value, { address: this.spec.realAddress, prefixLength: this.spec.prefixLength, label: this.spec.interfaceName });
      this.listener(this, "kernel", `network manager re-added ${this.spec.realAddress}`);
    };
    if (realAfterMicros <= 0) addReal();
    else this.scheduler.after(realAfterMicros, addReal);
    this.#usableChanged(was, "interface made again", reopenMicros);
  }

  #usableChanged(was: boolean, why: string, reopenMicros: number): void {
    const now = this.usable;
    if (was === now) return;
    this.#link?.interfaceChanged(now, why, reopenMicros);
  }

  // --- the daemon's process ----------------------------------------------------------------------

  /** Starts a daemon process (incarnation `n`) and gives it its environment. */
  startProcess(incarnation: number, random: Random): { process: SimProcess; env: DaemonEnv } {
    this.#process?.kill();
    const process = new SimProcess(this.scheduler, `${this.name}#${incarnation}`, incarnation);
    this.#process = process;
    const link = new SimLink(this, process, (state, why) => this.listener(this, "link", `${state}: ${why}`));
    this.#link = link;
    link.open(this.usable);
    const env: DaemonEnv = {
      port: link.port,
      clock: process.clock,
      link: link.watch,
      addresses: this.#addressEffects(process),
      prefixLength: this.spec.prefixLength,
      ...(this.linkLocal === undefined ? {} : { linkLocal: this.linkLocal, ipv6Source: this.linkLocal }),
      random: () => random.next(),
      close: () => link.close(),
    };
    return { process, env };
  }

  /** The daemon dies: its timers, listeners and queued I/O go; the kernel keeps what it has. */
  crash(): void {
    this.#process?.kill();
    this.#link?.close();
    this.#link = undefined;
    this.#process = undefined;
  }

  pause(): void {
    this.#process?.pause();
  }

  resume(): void {
    this.#process?.resume();
  }

  #addressEffects(process: SimProcess): AddressEffects {
    const boundIndex = this.#ifindex;
    const reply = <T>(value: () => T, written?: () => void): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        // the kernel acts at once (the request written: `written`); the answer reaches the daemon a little later
        let outcome: { ok: true; value: T } | { ok: false; error: unknown };
        try {
          outcome = { ok: true, value: value() };
        } catch (error) {
          outcome = { ok: false, error };
        }
        written?.();
        this.scheduler.after(NETLINK_MICROS, () =>
          process.io(() => (outcome.ok ? resolve(outcome.value) : reject(outcome.error))),
        );
      });
    const reachable = (): boolean => this.#present && (!this.bindAddressesToIndex || this.#ifindex === boundIndex);
    const name = this.spec.interfaceName;
    let closed = false;
    return {
      list: () => reply(() => (reachable() ? this.addresses().map((a) => ({ address: a.address })) : [])),
      add: (address, prefixLength, label, written) =>
        reply(() => {
          if (closed) throw new Error(`adding ${address}/${prefixLength} to ${name}: the netlink socket is closed`);
          if (!reachable()) throw new Error(`adding ${address}/${prefixLength} to ${name}: No such device`);
          const present = this.#addresses.get(address.value);
          if (present !== undefined) {
            if (present.label === label) return;
            throw new Error(`${address} is already on ${name} (label ${present.label}), not added by takeover: leaving it alone`);
          }
          this.#addresses.set(address.value, { address, prefixLength, label });
          this.listener(this, "kernel", `+${address} (${label})`);
        }, written),
      remove: (address, label, written) =>
        reply(() => {
          if (closed) throw new Error(`removing ${address} from ${name}: the netlink socket is closed`);
          if (!reachable()) return false;
          const present = this.#addresses.get(address.value);
          if (present === undefined || present.label !== label) return false;
          this.#addresses.delete(address.value);
          this.listener(this, "kernel", `-${address} (${label})`);
          return true;
        }, written),
      ...(this.spec.ipv6 !== true
        ? {}
        : {
            listIpv6: () => reply(() => (reachable() ? this.addresses6().map((a) => ({ address: a.address, prefixLength: a.prefixLength, ours: a.ours, tentative: false })) : [])),
            addIpv6: (address: Ipv6Address, prefixLength: number, written?: () => void) =>
              reply(() => {
                if (closed) throw new Error(`adding ${address}/${prefixLength} to ${name}: the netlink socket is closed`);
                if (!reachable()) throw new Error(`adding ${address}/${prefixLength} to ${name}: No such device`);
                const present = this.#addresses6.get(address.toString());
                if (present !== undefined) {
                  if (present.ours) return;
                  throw new Error(`${address} is already on ${name}, not added by takeover: leaving it alone`);
                }
                this.#addresses6.set(address.toString(), { address, prefixLength, ours: true });
                this.listener(this, "kernel", `+${address}/${prefixLength} (ours)`);
              }, written),
            removeIpv6: (address: Ipv6Address, written?: () => void) =>
              reply(() => {
                if (closed) throw new Error(`removing ${address} from ${name}: the netlink socket is closed`);
                if (!reachable()) return false;
                const present = this.#addresses6.get(address.toString());
                if (present === undefined || !present.ours) return false;
                this.#addresses6.delete(address.toString());
                this.listener(this, "kernel", `-${address} (ours)`);
                return true;
              }, written),
          }),
      unresolvedNeighbours: () => reply(() => []),
      close: () => {
        closed = true;
      },
    };
  }

  // --- the wire ----------------------------------------------------------------------------------

  /** A frame reached this box's port. */
  receive(bytes: Uint8Array): void {
    if (!this.usable) return;
    this.#link?.captured(bytes);
    const view = this.#view;
    if (!view.reset(bytes)) return;
    const destination = view.destinationMac;
    if (this.#addresses6.size > 0 && bytes.length >= 14 && ((bytes[12] << 8) | bytes[13]) === ETHERTYPE_IPV6) {
      this.#neighbourSolicitation(bytes);
      return;
    }
    if (destination !== this.mac.value && destination !== BROADCAST) return;
    if (view.kind === FrameKind.Arp) {
      if (view.arpOperation !== ARP_REQUEST) return;
      const target = this.#addresses.get(view.arpTargetIp);
      if (target === undefined) return;
      // a request whose sender is one of our own addresses is a martian to Linux: no answer
      if (view.arpSenderIp !== 0 && this.#addresses.has(view.arpSenderIp)) return;
      this.#kernelSend(arpAnswer(view, this.mac, target.address));
      return;
    }
    if (view.kind === FrameKind.Icmp && view.icmpType === ICMP_ECHO_REQUEST && this.#addresses.has(view.ipv4Destination)) {
      const answer = echoReply(bytes, this.mac, this.#ipId++);
      if (answer !== undefined) this.#kernelSend(answer);
    }
  }

  /** ndisc_recv_ns for an address the interface has (none is tentative here). */
  #neighbourSolicitation(bytes: Uint8Array): void {
    const ns = readNeighborMessage(bytes);
    if (ns === undefined || ns.kind !== "solicitation") return;
    const target = this.#addresses6.get(ns.target.toString());
    if (target === undefined) return;
    const toMac = Mac.read(bytes, 0);
    const multicast = isMulticast(ns.destination);
    // the NIC takes the target's solicited-node group (joined for each address) or our own MAC
    if (multicast ? !ns.destination.equals(solicitedNodeGroup(ns.target)) || !toMac.equals(multicastMac(ns.destination)) : !toMac.equals(this.mac) || !this.#addresses6.has(ns.destination.toString())) return;
    if (isUnspecified(ns.source)) {
      this.#kernelSend(neighborAdvertisement({ sourceMac: this.mac, source: target.address, destination: ALL_NODES, target: target.address, solicited: false, override: true, tlla: this.mac }));
      return;
    }
    const replyMac = ns.linkLayerAddress ?? ns.sourceMac;
    this.#kernelSend(
      neighborAdvertisement({
        sourceMac: this.mac,
        source: target.address,
        destination: ns.source,
        destinationMac: replyMac,
        target: target.address,
        solicited: true,
        override: multicast,
        ...(multicast ? { tlla: this.mac } : {}),
      }),
    );
  }

  #kernelSend(frame: Uint8Array): void {
    this.scheduler.after(KERNEL_MICROS, () => {
      if (!this.usable) return;
      this.segment.transmit(this.id, frame);
      this.#link?.sentCopy(frame);
    });
  }

  /** The daemon's port sends a frame: it leaves at once, its copy reaches the capture a moment later. */
  transmitFromDaemon(frame: Uint8Array): void {
    this.segment.transmit(this.id, frame);
  }
}

/** One daemon process's link: its capture and send handle, and the LinkWatch it is given. */
class SimLink {
  /** the handle's real state */
  truth: LinkState = "down";
  /** what the daemon has been told */
  #told: LinkState = "down";
  #reopen: { cancel(): void } | undefined;
  #closed = false;
  readonly #frameListeners: ((frame: CapturedFrame) => void)[] = [];
  readonly #stateListeners: ((state: LinkState, why: string) => void)[] = [];
  readonly port: FramePort;
  readonly watch: LinkWatch;

  constructor(
    readonly box: Box,
    readonly process: SimProcess,
    readonly onTruth: (state: LinkState, why: string) => void,
  ) {
    const link = this;
    const clock: Clock = process.clock;
    this.port = {
      name: box.spec.interfaceName,
      mac: box.mac,
      clock,
      send: (frame) => link.send(frame),
      listen: (listener) => {
        link.#frameListeners.push(listener);
        return () => {
          const at = link.#frameListeners.indexOf(listener);
          if (at >= 0) link.#frameListeners.splice(at, 1);
        };
      },
    };
    this.watch = {
      get state() {
        return link.#told;
      },
      onState(listener) {
        link.#stateListeners.push(listener);
        return () => {
          const at = link.#stateListeners.indexOf(listener);
          if (at >= 0) link.#stateListeners.splice(at, 1);
        };
      },
    };
  }

  /** The daemon opens its link at start. */
  open(usable: boolean): void {
    this.#told = usable ? "reopening" : "down";
    if (usable) this.#set("reopening", "capture opened");
    else this.#set("down", "interface is down");
    if (usable) this.#startReopen(OPEN_MICROS);
  }

  close(): void {
    this.#closed = true;
    this.#reopen?.cancel();
    this.#frameListeners.length = 0;
    this.#stateListeners.length = 0;
  }

  interfaceChanged(usable: boolean, why: string, reopenMicros: number): void {
    if (this.#closed) return;
    this.#reopen?.cancel();
    this.#reopen = undefined;
    if (!usable) {
      this.#set("down", why);
      return;
    }
    this.#set("reopening", why);
    this.#startReopen(reopenMicros);
  }

  #startReopen(micros: number): void {
    this.#reopen = this.process.clock.after(Math.max(0, micros) / 1000, () => {
      this.#reopen = undefined;
      if (this.box.usable && !this.#closed) this.#set("verified", "capture saw its own frame");
    });
  }

  #set(state: LinkState, why: string): void {
    if (this.truth === state) return;
    this.truth = state;
    this.onTruth(state, why);
    this.process.io(() => {
      if (this.#closed || this.#told === state) return;
      this.#told = state;
      for (const listener of [...this.#stateListeners]) listener(state, why);
    });
  }

  send(frame: Uint8Array): void {
    if (this.#closed) throw new Error(`cannot send a ${frame.length}-byte frame on ${this.box.spec.interfaceName}: the link is closed`);
    if (this.truth !== "verified") throw new Error(`cannot send a ${frame.length}-byte frame on ${this.box.spec.interfaceName}: the link is ${this.truth}`);
    this.box.transmitFromDaemon(frame);
    this.sentCopy(frame);
  }

  /** A frame arrived: the capture hears it if it is live. */
  captured(bytes: Uint8Array): void {
    if (this.truth !== "verified" || this.#closed) return;
    this.#deliver(bytes, this.box.scheduler.now);
  }

  /** A frame this box sent: its copy reaches the capture. */
  sentCopy(frame: Uint8Array): void {
    if (this.truth !== "verified" || this.#closed) return;
    const copy = frame.slice();
    const time = this.box.scheduler.now;
    this.box.scheduler.after(CAPTURE_MICROS, () => {
      if (this.truth === "verified") this.#deliver(copy, time);
    });
  }

  #deliver(bytes: Uint8Array, timeMicros: number): void {
    this.process.io(() => {
      if (this.#closed) return;
      const frame: CapturedFrame = { bytes, timeMicros, stamp: "kernel" };
      for (const listener of [...this.#frameListeners]) listener(frame);
    });
  }
}

// Adds and removes the public addresses takeover manages, over rtnetlink (no `ip` subprocess), and
// reads the interface's link state. IPv4 addresses are added with a label (`eth0:peer`); only
// addresses carrying our label are ever removed, so a static address an operator configured is never
// touched. IPv6 addresses have no labels (the kernel keeps none: `ip -6 addr add … label eth0:peer`
// succeeds and drops it), so an IPv6 address of ours carries IFA_PROTO = TAKEOVER_ADDRESS_PROTOCOL
// (Linux >= 5.18), the address's "who configured me" byte, which lives on the address in the
// kernel: a restarted daemon recognises what a crashed one left, and an address an operator adds by
// hand (iproute2 sets no protocol: 0) is never ours, even with the same text. A record kept under
// /run would survive a restart too, but would take an address the operator removed and added again
// by hand for ours. The kernel's delete does not match on IFA_PROTO, so an IPv6 remove reads the
// list first and deletes only an address carrying ours. IPv6 addresses are added with IFA_F_NODAD:
// takeover does DAD itself.
// The adds and removes asked for in one turn of the event loop go to the kernel in one sendmsg().
import { readFileSync } from "node:fs";
import { AttrStream, checkError, createRtNetlink, Flags, FlagsGet, formatMessage, NetlinkMessage, NetlinkSocket, Protocol, RawNetlinkSocket, rt, RtNetlinkSocket } from "netlink";
import { Ipv4 } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";

const AF_INET = 2;
const AF_INET6 = 10;
const RT_SCOPE_UNIVERSE = 0;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_GETADDR = 22;
/** ifaddrmsg attributes read from an IPv6 dump (linux/if_addr.h) */
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_FLAGS = 8;
const IFA_PROTO = 11;
/** ifa_flags bits (linux/if_addr.h) */
const IFA_F_NODAD = 0x02;
const IFA_F_DADFAILED = 0x08;
const IFA_F_TENTATIVE = 0x40;

/**
 * The IFA_PROTO value marking an IPv6 address as takeover's (116, ASCII `t`). The kernel uses 1-3
 * for the addresses it makes itself (loopback, router advertisement, link-local) and leaves 0 on an
 * address added without one (iproute2 6.1 can neither set nor show it).
 */
export const TAKEOVER_ADDRESS_PROTOCOL = 116;

/** One address request of a batch: its rtnetlink message, and what to tell when it is written and answered. */
interface AddressRequest {
  readonly type: typeof RTM_NEWADDR | typeof RTM_DELADDR;
  readonly data: rt.AddressMessage["data"];
  readonly attrs: rt.AddressAttrs;
  /**
   * attributes netlink 0.3.0 has no name for (IFA_PROTO), written after `attrs` as they are (its
   * `__unparsed` is refused on formatting: "Unknown key")
   */
  readonly rawAttrs?: readonly (readonly [type: number, value: Buffer])[];
  /** the request has been handed to the kernel (see AddressManager.add) */
  readonly written?: () => void;
  /** the kernel's answer: undefined for an acknowledgement, else the error (`Request rejected: EEXIST`…) */
  readonly answered: (error: Error | undefined) => void;
}

/**
 * A netlink socket that writes several requests in one sendmsg(): the kernel carries out each
 * message of the datagram in turn, inside that call, and acknowledges each on its own (an error in
 * one does not stop the others). Each request has its own sequence number, matched to its answer by
 * the socket's usual bookkeeping (`makeRef`, protected in netlink 0.3.0).
 */
class BatchingNetlinkSocket extends NetlinkSocket {
  /** Writes `requests` in one datagram; returns once it is written (or queued behind the socket's earlier writes). */
  sendAll(requests: readonly AddressRequest[]): void {
    const parts: Uint8Array[] = [];
    const waiting: number[] = [];
    // a write that failed: the requests not answered yet fail with it
    const fail = (error: Error) => {
      for (const seq of waiting.splice(0)) {
        const answered = this.#answers.get(seq);
        if (answered === undefined) continue;
        this.#answers.delete(seq);
        this.dropRef(seq);
        answered(error);
      }
    };
    try {
      const port = this.socket.address().port;
      for (const request of requests) {
        const body = new AttrStream();
        rt.formatAddressMessage({ kind: "address", data: request.data, attrs: request.attrs }, body);
        for (const [type, value] of request.rawAttrs ?? []) body.push(type, value);
        const seq = this.generateSeq();
        const message = formatMessage({ type: request.type, flags: Flags.REQUEST | Flags.ACK, seq, port, data: body.bufs });
        // each message starts on a 4-byte boundary (NLMSG_ALIGN): the kernel steps over the padding
        const length = message.reduce((n, b) => n + b.length, 0);
        parts.push(...message);
        if (length % 4 !== 0) parts.push(Buffer.alloc(4 - (length % 4)));
        this.makeRef(seq, (error, messages) => {
          const answered = this.#answers.get(seq);
          this.#answers.delete(seq);
          this.dropRef(seq);
          answered?.(error ?? rejection(messages));
        });
        this.#answers.set(seq, request.answered);
        waiting.push(seq);
      }
      this.socket.send(parts, {}, (error) => {
        if (error !== undefined && error !== null) fail(error);
      });
    } catch (error) {
      // not written (the socket closed, a message that cannot be formatted): every request fails
      const reason = error instanceof Error ? error : new Error(String(error));
      const registered = new Set(waiting.map((seq) => this.#answers.get(seq)));
      fail(reason);
      for (const request of requests) if (!registered.has(request.answered)) request.answered(reason);
      return;
    }
    for (const request of requests) request.written?.();
  }

  readonly #answers = new Map<number, (error: Error | undefined) => void>();
}

/** The error an answer carries (`Request rejected: EEXIST`), or undefined for an acknowledgement. */
function rejection(messages: readonly NetlinkMessage[] | undefined): Error | undefined {
  const first = messages?.[0];
  if (first === undefined) return new Error("no answer from the kernel");
  try {
    checkError(first);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export interface InterfaceAddress {
  readonly address: Ipv4;
  readonly prefixLength: number;
  /** the address label (`eth0`, `eth0:peer`…) */
  readonly label: string;
}

export interface InterfaceAddress6 {
  readonly address: Ipv6Address;
  readonly prefixLength: number;
  /** IFA_PROTO: who configured the address (0 when nobody said) */
  readonly protocol: number;
  /** carries our IFA_PROTO (TAKEOVER_ADDRESS_PROTOCOL): added by takeover, now or before a restart */
  readonly ours: boolean;
  /** added without duplicate address detection (IFA_F_NODAD) */
  readonly nodad: boolean;
  /** still in the kernel's DAD, not usable yet (IFA_F_TENTATIVE) */
  readonly tentative: boolean;
  /** the kernel's DAD found another holder (IFA_F_DADFAILED) */
  readonly dadFailed: boolean;
}

/**
 * The IPv6 address of one RTM_NEWADDR message of a dump on `index`, read from its bytes: netlink
 * 0.3.0's parser drops the attributes it does not know (IFA_PROTO among them).
 */
function parseAddress6(data: Buffer, index: number): InterfaceAddress6 | undefined {
  // struct ifaddrmsg: family u8, prefixlen u8, flags u8, scope u8, index u32; then the attributes
  if (data.length < 8 || data[0] !== AF_INET6 || data.readUInt32LE(4) !== index) return undefined;
  let local: Buffer | undefined;
  let address: Buffer | undefined;
  let flags = data[2];
  let protocol = 0;
  for (let at = 8; at + 4 <= data.length; ) {
    const length = data.readUInt16LE(at);
    const type = data.readUInt16LE(at + 2) & 0x3fff; // without NLA_F_NESTED and NLA_F_NET_BYTEORDER
    if (length < 4 || at + length > data.length) break;
    const value = data.subarray(at + 4, at + length);
    if (type === IFA_LOCAL && value.length === 16) local = value;
    else if (type === IFA_ADDRESS && value.length === 16) address = value;
    else if (type === IFA_FLAGS && value.length === 4) flags = value.readUInt32LE(0);
    else if (type === IFA_PROTO && value.length === 1) protocol = value[0];
    at += (length + 3) & ~3;
  }
  const bytes = local ?? address;
  if (bytes === undefined) return undefined;
  return {
    address: Ipv6Address.read(bytes, 0),
    prefixLength: data[1],
    protocol,
    ours: protocol === TAKEOVER_ADDRESS_PROTOCOL,
    nodad: (flags & IFA_F_NODAD) !== 0,
    tentative: (flags & IFA_F_TENTATIVE) !== 0,
    dadFailed: (flags & IFA_F_DADFAILED) !== 0,
  };
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: string } | undefined)?.code === code || new RegExp(code).test(error instanceof Error ? error.message : String(error));
}

/** Turns a netlink error into one line naming the operation and the fix. */
function explain(operation: string, error: unknown): Error {
  const code = (error as { code?: string; errno?: number } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "EPERM" || /EPERM|not permitted/i.test(message)) {
    return new Error(`${operation}: operation not permitted — needs CAP_NET_ADMIN (run as root, or give the binary cap_net_admin)`);
  }
  return new Error(`${operation}: ${message}`);
}

function prefixBroadcast(address: Ipv4, prefixLength: number): Ipv4 {
  if (prefixLength >= 31) return address;
  const host = prefixLength === 0 ? 0xffff_ffff : (1 << (32 - prefixLength)) - 1;
  return new Ipv4((address.value | host) >>> 0);
}

/**
 * Two rtnetlink sockets: dumps (the address and neighbour lists) go one at a time on `socket` (a
 * second dump on a socket is refused with EBUSY, and an answer arriving inside a dump's parts breaks
 * it), and the single requests (add, delete, one link) on `requests`, where they may overlap. The
 * adds and removes asked for in one turn of the event loop (a claim or a yield of several addresses)
 * are written together, in one sendmsg() at the end of that turn, and answered each on its own.
 */
export class AddressManager {
  #dumping: Promise<unknown> = Promise.resolve();
  /** the adds and removes of this turn, written when it ends */
  #batch: AddressRequest[] | undefined;

  private constructor(
    readonly interfaceName: string,
    private readonly openedIndex: number,
    private readonly socket: RtNetlinkSocket,
    private readonly requests: RtNetlinkSocket,
    private readonly batching: BatchingNetlinkSocket,
  ) {}

  /** Queues `request` for this turn's batch. */
  #submit(request: AddressRequest): void {
    if (this.#closed) {
      request.answered(new Error("the rtnetlink socket is closed (the daemon is stopping)"));
      return;
    }
    if (this.#batch === undefined) {
      this.#batch = [];
      // after every promise callback of this turn: the changes the other addresses' queues ask for
      // in the same turn go in the same datagram
      process.nextTick(() => {
        const batch = this.#batch ?? [];
        this.#batch = undefined;
        this.batching.sendAll(batch);
      });
    }
    this.#batch.push(request);
  }

  /** `request` (without its callbacks) submitted: resolves on the acknowledgement, rejects with the kernel's error. */
  #change(type: AddressRequest["type"], data: AddressRequest["data"], attrs: AddressRequest["attrs"], written: (() => void) | undefined, rawAttrs?: AddressRequest["rawAttrs"]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#submit({ type, data, attrs, rawAttrs, written, answered: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  }

  /** Runs `dump` after the dumps before it. */
  #dump<T>(dump: () => Promise<T>): Promise<T> {
    const result = this.#dumping.then(dump);
    this.#dumping = result.catch(() => undefined);
    return result;
  }

  /**
   * The interface's index now: an interface removed and made again under the same name (a driver
   * reload, a veth re-created) has a new one, and the addresses go there.
   */
  get interfaceIndex(): number {
    // the one file it needs: readInterfaceState reads four (and the carrier file is slow), which a
    // claim waited for before its request went out
    try {
      const index = Number(readFileSync(`/sys/class/net/${this.interfaceName}/ifindex`, "utf8"));
      return Number.isInteger(index) && index > 0 ? index : this.openedIndex;
    } catch {
      return this.openedIndex; // gone, or /sys could not be read (too many open files): the last index known
    }
  }

  /** @throws Error naming the interface (with the ones there are) when it does not exist */
  static async open(interfaceName: string): Promise<AddressManager> {
    const socket = createRtNetlink();
    try {
      const links = await socket.getLinks();
      const link = links.find((l) => l.attrs.ifname === interfaceName);
      if (link === undefined || link.data.index === undefined) {
        const names = links.map((l) => l.attrs.ifname).filter((n): n is string => typeof n === "string");
        throw new Error(`no interface "${interfaceName}"; this host has: ${names.join(", ")}`);
      }
      const batching = new BatchingNetlinkSocket(new RawNetlinkSocket(Protocol.ROUTE));
      return new AddressManager(interfaceName, link.data.index, socket, new RtNetlinkSocket(batching), batching);
    } catch (error) {
      socket.socket.close();
      throw error;
    }
  }

  /** IPv4 addresses on the interface. */
  async list(): Promise<InterfaceAddress[]> {
    const messages = await this.#dump(() => this.socket.getAddresses({ family: AF_INET })).catch((e: unknown) => {
      throw explain(`listing addresses of ${this.interfaceName}`, e);
    });
    const out: InterfaceAddress[] = [];
    for (const m of messages) {
      if (m.data.index !== this.interfaceIndex || m.data.family !== AF_INET) continue;
      const local = m.attrs.local ?? m.attrs.address;
      if (local === undefined || local.length !== 4) continue;
      out.push({ address: Ipv4.read(local, 0), prefixLength: m.data.prefixlen ?? 32, label: m.attrs.label ?? this.interfaceName });
    }
    return out;
  }

  /**
   * Adds `address/prefixLength` labelled `label`; already present with that label is not an error.
   * One request, no dump of the interface's addresses first (the kernel refuses an address that is
   * there with EEXIST, and only then is the list read): a claim of several addresses is not a dump
   * per address. The request is written at the end of this turn of the event loop, with the other
   * adds and removes asked for in it; `written` is called right after that sendmsg(). The kernel
   * carries out an rtnetlink request inside the sendmsg() that writes it, so the address is there
   * by then (should the socket still be writing an earlier request, the write waits for it and
   * `written` comes a turn early); the answer reaches us a turn of the event loop or more later.
   * Each request of a batch is answered on its own: one refused does not undo the others.
   */
  async add(address: Ipv4, prefixLength: number, label: string, written?: () => void): Promise<void> {
    const bytes = Buffer.from(address.toBytes());
    const exists = await this.#change(
      RTM_NEWADDR,
      { family: AF_INET, prefixlen: prefixLength, scope: RT_SCOPE_UNIVERSE, index: this.interfaceIndex },
      { local: bytes, address: bytes, broadcast: Buffer.from(prefixBroadcast(address, prefixLength).toBytes()), label },
      written,
    ).then(
      () => false,
      (e: unknown) => {
        if ((e as { code?: string } | undefined)?.code === "EEXIST" || /EEXIST/.test(e instanceof Error ? e.message : String(e))) return true;
        throw explain(`adding ${address}/${prefixLength} to ${this.interfaceName}`, e);
      },
    );
    if (!exists) return;
    const present = (await this.list()).find((a) => a.address.equals(address));
    if (present === undefined) throw new Error(`adding ${address}/${prefixLength} to ${this.interfaceName}: the kernel says it exists, but it is not on ${this.interfaceName}`);
    if (present.label === label) return;
    throw new Error(`${address} is already on ${this.interfaceName} (label ${present.label}), not added by takeover: leaving it alone`);
  }

  /**
   * Removes `address` if it is on the interface with our `label`; returns whether it was. One
   * request, no dump first: the kernel deletes only an address whose local address and label both
   * match (IFA_LOCAL and IFA_LABEL, no IFA_ADDRESS, so any prefix length), and answers EADDRNOTAVAIL
   * when there is none; a yield of several addresses is not a dump per address. Written with this
   * turn's other changes, `written` called then, as for `add`.
   */
  async remove(address: Ipv4, label: string, written?: () => void): Promise<boolean> {
    const bytes = Buffer.from(address.toBytes());
    return this.#change(RTM_DELADDR, { family: AF_INET, prefixlen: 0, index: this.interfaceIndex }, { local: bytes, label }, written).then(
      () => true,
      (e: unknown) => {
        if ((e as { code?: string } | undefined)?.code === "EADDRNOTAVAIL" || /EADDRNOTAVAIL/.test(e instanceof Error ? e.message : String(e))) return false;
        throw explain(`removing ${address} from ${this.interfaceName}`, e);
      },
    );
  }

  /** IPv6 addresses on the interface (link-local ones too), each with whether it is ours. */
  async listIpv6(): Promise<InterfaceAddress6[]> {
    return this.#listIpv6(`listing IPv6 addresses of ${this.interfaceName}`);
  }

  /** The IPv6 dump, its error named `operation`. */
  #listIpv6(operation: string): Promise<InterfaceAddress6[]> {
    return this.#dumpIpv6().catch((e: unknown) => {
      throw explain(operation, e);
    });
  }

  /** The interface's IPv6 addresses, read from a dump; the socket's error as it is. */
  async #dumpIpv6(): Promise<InterfaceAddress6[]> {
    const request = Buffer.alloc(8); // struct ifaddrmsg, family AF_INET6
    request[0] = AF_INET6;
    const [messages] = await this.#dump(() => this.socket.socket.request(RTM_GETADDR, request, { flags: FlagsGet.DUMP }));
    const index = this.interfaceIndex;
    const out: InterfaceAddress6[] = [];
    for (const m of messages) {
      const address = m.type === RTM_NEWADDR ? parseAddress6(m.data, index) : undefined;
      if (address !== undefined) out.push(address);
    }
    return out;
  }

  /**
   * The IPv6 list for the removes asked for in this turn of the event loop: one dump for all of
   * them, so that their deletes go out together (in one sendmsg(), as IPv4 removes do).
   */
  #listIpv6ThisTurn(operation: string): Promise<InterfaceAddress6[]> {
    if (this.#ipv6ListOfTurn === undefined) {
      const listing = this.#dumpIpv6();
      this.#ipv6ListOfTurn = listing;
      process.nextTick(() => {
        if (this.#ipv6ListOfTurn === listing) this.#ipv6ListOfTurn = undefined;
      });
    }
    return this.#ipv6ListOfTurn.catch((e: unknown) => {
      throw explain(operation, e);
    });
  }

  #ipv6ListOfTurn: Promise<InterfaceAddress6[]> | undefined;
  /** the kernel has kept our IFA_PROTO on an address we added (it is 5.18 or later) */
  #protocolKept = false;

  /**
   * Adds the IPv6 `address/prefixLength` with IFA_F_NODAD (no DAD by the kernel: takeover does its
   * own), scope universe, marked ours by IFA_PROTO; already present and ours is not an error. As
   * `add`: one request written with this turn's other changes, `written` called after that
   * sendmsg(), an address there already (EEXIST) looked up in the list. The first address added is
   * also looked up once: a kernel older than 5.18 adds it without IFA_PROTO (it ignores attributes
   * it does not know), and then it is taken away again and the add fails, since takeover could not
   * tell it from an operator's later.
   */
  async addIpv6(address: Ipv6Address, prefixLength: number, written?: () => void): Promise<void> {
    const operation = `adding ${address}/${prefixLength} to ${this.interfaceName}`;
    const exists = await this.#change(
      RTM_NEWADDR,
      { family: AF_INET6, prefixlen: prefixLength, scope: RT_SCOPE_UNIVERSE, index: this.interfaceIndex },
      { local: Buffer.from(address.bytes), flags: { nodad: true } },
      written,
      [[IFA_PROTO, Buffer.from([TAKEOVER_ADDRESS_PROTOCOL])]],
    ).then(
      () => false,
      (e: unknown) => {
        if (isCode(e, "EEXIST")) return true;
        throw explain(operation, e);
      },
    );
    if (!exists && this.#protocolKept) return;
    const present = (await this.#listIpv6(operation)).find((a) => a.address.equals(address));
    if (!exists) {
      if (present === undefined) return; // removed again meanwhile: nothing to check it on
      if (present.ours) {
        this.#protocolKept = true;
        return;
      }
      await this.#change(RTM_DELADDR, { family: AF_INET6, prefixlen: present.prefixLength, index: this.interfaceIndex }, { local: Buffer.from(address.bytes) }, undefined).catch(() => undefined);
      throw new Error(`${operation}: the kernel did not keep IFA_PROTO, which marks takeover's IPv6 addresses (needs Linux 5.18 or later); the address was taken away again`);
    }
    if (present === undefined) throw new Error(`${operation}: the kernel says it exists, but it is not on ${this.interfaceName}`);
    if (present.ours) return;
    throw new Error(`${address} is already on ${this.interfaceName} (protocol ${present.protocol}), not added by takeover: leaving it alone`);
  }

  /**
   * Removes the IPv6 `address` if it is on the interface and ours (IFA_PROTO); returns whether it
   * was. The kernel's delete matches the address and prefix length, not IFA_PROTO, so the list is
   * read first (one dump for the removes asked for in one turn) and the delete goes out, with this
   * turn's other changes, only for an address of ours. An operator who removes our address and adds
   * the same one by hand in the moment between the dump and the delete would lose theirs; nothing
   * else can. `written` is called after the delete's sendmsg(), or at once when there is nothing to
   * delete.
   */
  async removeIpv6(address: Ipv6Address, written?: () => void): Promise<boolean> {
    const operation = `removing ${address} from ${this.interfaceName}`;
    const present = (await this.#listIpv6ThisTurn(operation)).find((a) => a.address.equals(address));
    if (present === undefined || !present.ours) {
      written?.();
      return false;
    }
    return this.#change(RTM_DELADDR, { family: AF_INET6, prefixlen: present.prefixLength, index: this.interfaceIndex }, { local: Buffer.from(address.bytes) }, written).then(
      () => true,
      (e: unknown) => {
        if (isCode(e, "EADDRNOTAVAIL")) return false;
        throw explain(operation, e);
      },
    );
  }

  /**
   * IPv4 neighbours on the interface whose entry is not usable now (incomplete, failed, stale,
   * probing): after a link flap the kernel retries these only on its 1 s timer.
   */
  async unresolvedNeighbours(): Promise<Ipv4[]> {
    const entries = await this.#dump(() => this.socket.getNeighbors({ family: AF_INET })).catch(() => []);
    const out: Ipv4[] = [];
    for (const e of entries) {
      const state = e.data.state;
      if (e.data.ifindex !== this.interfaceIndex || state === undefined) continue;
      if (!(state.incomplete || state.failed || state.stale || state.probe || state.delay)) continue;
      const dst = e.attrs.dst;
      if (dst !== undefined && dst.length === 4) out.push(Ipv4.read(dst, 0));
    }
    return out;
  }

  /** Administratively up and with carrier (IFF_UP and IFF_LOWER_UP). */
  async linkUp(): Promise<boolean> {
    const [link] = await this.requests.getLink({ index: this.interfaceIndex });
    const flags = link?.data.flags;
    return flags !== undefined && flags.up === true && flags.lowerUp === true;
  }

  /** Closes both sockets (again: nothing); a change asked for after this fails. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.socket.close();
    this.requests.socket.close();
  }

  #closed = false;
}

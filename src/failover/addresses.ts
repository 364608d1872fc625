// Adds and removes the public addresses takeover manages, over rtnetlink (no `ip` subprocess), and
// reads the interface's link state. Addresses are added with a label (`eth0:peer`); only addresses
// carrying our label are ever removed, so a static address an operator configured is never touched.
import { readFileSync } from "node:fs";
import { createRtNetlink, RtNetlinkSocket } from "netlink";
import { Ipv4 } from "../packets/address";

const AF_INET = 2;
const RT_SCOPE_UNIVERSE = 0;

export interface InterfaceAddress {
  readonly address: Ipv4;
  readonly prefixLength: number;
  /** the address label (`eth0`, `eth0:peer`…) */
  readonly label: string;
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
 * it), and the single requests (add, delete, one link) on `requests`, where they may overlap: a
 * claim of several addresses sends all its adds at once.
 */
export class AddressManager {
  #dumping: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly interfaceName: string,
    private readonly openedIndex: number,
    private readonly socket: RtNetlinkSocket,
    private readonly requests: RtNetlinkSocket,
  ) {}

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
      return new AddressManager(interfaceName, link.data.index, socket, createRtNetlink());
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
   * per address.
   */
  async add(address: Ipv4, prefixLength: number, label: string): Promise<void> {
    const bytes = Buffer.from(address.toBytes());
    const exists = await this.requests
      .newAddress(
        { family: AF_INET, prefixlen: prefixLength, scope: RT_SCOPE_UNIVERSE, index: this.interfaceIndex },
        { local: bytes, address: bytes, broadcast: Buffer.from(prefixBroadcast(address, prefixLength).toBytes()), label },
      )
      .then(
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
   * when there is none; a yield of several addresses is not a dump per address.
   */
  async remove(address: Ipv4, label: string): Promise<boolean> {
    const bytes = Buffer.from(address.toBytes());
    return this.requests.delAddress({ family: AF_INET, prefixlen: 0, index: this.interfaceIndex }, { local: bytes, label }).then(
      () => true,
      (e: unknown) => {
        if ((e as { code?: string } | undefined)?.code === "EADDRNOTAVAIL" || /EADDRNOTAVAIL/.test(e instanceof Error ? e.message : String(e))) return false;
        throw explain(`removing ${address} from ${this.interfaceName}`, e);
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

  close(): void {
    this.socket.socket.close();
    this.requests.socket.close();
  }
}

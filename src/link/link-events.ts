// Link changes as the kernel announces them: one rtnetlink socket per process, joined to the LINK
// multicast group, shared by every open Link. Each RTM_NEWLINK / RTM_DELLINK is turned into a small
// record (name, index, up, running, MAC) and handed to every subscriber, which keeps the ones for
// its interface. The socket is opened with the first subscriber and closed with the last, and it
// keeps the process alive only while someone subscribes (an open Link does, like a server socket).
//
// When notifications may have been lost (the socket's receive buffer overflowed: ENOBUFS) or the
// socket failed, subscribers get a "resync" event and re-read the interface from /sys.

import { createRtNetlink, rt, RtNetlinkSocket } from "netlink";
import { Mac } from "../packets/address";

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
/** rtnetlink multicast group of link changes (RTNLGRP_LINK). */
const RTNLGRP_LINK = 1;

/** One announced change of an interface. */
export interface LinkEvent {
  readonly kind: "new" | "del";
  /** The interface's name (IFLA_IFNAME). */
  readonly name: string;
  readonly index: number;
  /** IFF_UP: administratively up. */
  readonly up: boolean;
  /** IFF_RUNNING: up with carrier, RFC 2863 operationally up. */
  readonly running: boolean;
  /** IFF_LOWER_UP: the driver has carrier. */
  readonly lowerUp: boolean;
  /** IFLA_ADDRESS when it is a 6-byte hardware address. */
  readonly mac: Mac | undefined;
}

export type LinkEventListener = (event: LinkEvent | { readonly kind: "resync"; readonly why: string }) => void;

let socket: RtNetlinkSocket | undefined;
const listeners = new Set<LinkEventListener>();
let enabled = true;
let lastReopenAt = 0;

/**
 * Turns the notifications off (for links opened after this) or back on. Off, a Link follows its
 * interface by its capture and a 1 s poll of /sys alone: for tests of that path, and for systems
 * where rtnetlink cannot be used.
 */
export function useRtnetlink(on: boolean): void {
  enabled = on;
}

function emit(event: Parameters<LinkEventListener>[0]): void {
  for (const listener of [...listeners]) listener(event);
}

/** An RTM_NEWLINK/RTM_DELLINK payload as a LinkEvent; undefined when it names no interface. */
export function parseLinkEvent(type: number, data: Buffer): LinkEvent | undefined {
  if (type !== RTM_NEWLINK && type !== RTM_DELLINK) return undefined;
  const message = rt.parseLinkMessage(data);
  const name = message.attrs.ifname;
  const index = message.data.index;
  if (name === undefined || index === undefined) return undefined;
  const flags = message.data.flags ?? {};
  const address = message.attrs.address;
  return {
    kind: type === RTM_DELLINK ? "del" : "new",
    name,
    index,
    up: flags.up === true,
    running: flags.running === true,
    lowerUp: flags.lowerUp === true,
    mac: address !== undefined && address.length === 6 ? Mac.read(address, 0) : undefined,
  };
}

function openSocket(): RtNetlinkSocket {
  const created = createRtNetlink();
  // The raw messages carry the type (NEWLINK or DELLINK), which the parsed ones leave out.
  created.socket.on("message", (messages) => {
    for (const m of messages) {
      let event: LinkEvent | undefined;
      try {
        event = parseLinkEvent(m.type, m.data);
      } catch {
        continue; // a message this parser cannot read says nothing we could act on
      }
      if (event !== undefined) emit(event);
    }
  });
  created.socket.on("error", (error) => {
    emit({ kind: "resync", why: `rtnetlink: ${error.message}` });
  });
  created.socket.on("close", () => {
    if (socket !== created) return; // closed by unsubscribe
    // Closed under us: open another, at most once a second (else, or if that fails, the links'
    // /sys poll is what is left until the next subscriber opens one).
    socket = undefined;
    const now = Date.now();
    if (listeners.size > 0 && now - lastReopenAt >= 1000) {
      lastReopenAt = now;
      try {
        socket = openSocket();
      } catch {
        socket = undefined;
      }
    }
    emit({ kind: "resync", why: "the rtnetlink socket closed" });
  });
  created.addMembership(RTNLGRP_LINK);
  created.socket.ref(true);
  return created;
}

/**
 * Calls `listener` with every link change in this network namespace (and with "resync" when some may
 * have been missed). Returns a function that stops it. Throws when no rtnetlink socket can be made,
 * or when turned off (useRtnetlink).
 */
export function subscribeLinkEvents(listener: LinkEventListener): () => void {
  if (!enabled) throw new Error("rtnetlink notifications are turned off");
  if (socket === undefined) socket = openSocket();
  listeners.add(listener);
  return () => {
    if (!listeners.delete(listener) || listeners.size > 0) return;
    const closing = socket;
    socket = undefined;
    closing?.socket.close();
  };
}

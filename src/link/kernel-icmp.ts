// The kernel's own IPv4 ICMP socket, used only to send: `takeover ping` hands it the echo requests
// for this host's own addresses (127.0.0.0/8, the addresses of its interfaces). Put on lo from
// userspace through libpcap, those requests are dropped by the kernel's martian checks unless two
// sysctls are on (see route.ts); sent from a socket of the kernel's, they go the way iputils ping's
// go. Node has no ICMP socket, so this is a raw socket (SOCK_RAW, IPPROTO_ICMP: it needs CAP_NET_RAW,
// as the capture does) through the raw-socket addon, loaded only when needed. The socket receives
// nothing (ICMP_FILTER blocks every type): the request and the reply are captured on lo, with the
// kernel's stamps, as every other probe's are.
import type { Socket } from "raw-socket";
import { Ipv4 } from "../packets/address";

/** setsockopt level and option for the IPv4 raw ICMP socket's type filter (linux/icmp.h). */
const SOL_RAW = 255;
const ICMP_FILTER = 1;

/** The kernel ICMP socket could not be had: the message names why and the fix, in one line. */
export class KernelIcmpError extends Error {
  override readonly name = "KernelIcmpError";
}

export interface KernelIcmpSender {
  /** Queues one ICMP message (header and data, its checksum written) for `destination`; the kernel adds the IPv4 header. */
  send(message: Uint8Array, destination: Ipv4): void;
  close(): void;
}

/**
 * Opens the send-only ICMP socket. `onError` hears a send the kernel refused (with its destination)
 * or the socket failing (without), for the caller to report; such a request times out.
 * @throws KernelIcmpError when the addon did not build or load, or the socket is not permitted
 */
export function openKernelIcmpSender(onError: (error: Error, destination: Ipv4 | undefined) => void): KernelIcmpSender {
  let raw: typeof import("raw-socket");
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    raw = require("raw-socket") as typeof import("raw-socket");
  } catch (error) {
    throw new KernelIcmpError(`the raw-socket addon did not load (${firstLine(error)}); reinstall takeover with build tools present (npm ci builds it with node-gyp)`);
  }
  let socket: Socket;
  try {
    socket = raw.createSocket({ protocol: raw.Protocol.ICMP });
  } catch (error) {
    const why = firstLine(error);
    const fix = /not permitted|EPERM|EACCES/i.test(why) ? "; run as root or with CAP_NET_RAW" : "";
    throw new KernelIcmpError(`cannot open an ICMP socket (${why})${fix}`);
  }
  const blockEveryType = Buffer.alloc(4);
  blockEveryType.writeUInt32LE(0xffffffff);
  socket.setOption(SOL_RAW, ICMP_FILTER, blockEveryType, 4);
  socket.on("error", (error: Error) => onError(error, undefined));
  let closed = false;
  return {
    send(message, destination) {
      if (closed) return;
      const copy = Buffer.from(message); // raw-socket sends later, from its queue
      socket.send(copy, 0, copy.length, destination.toString(), null, (error) => {
        if (error !== null) onError(error, destination);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

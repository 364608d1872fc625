// Minimal type declarations for raw-socket 1.8 (npm "raw-socket"; the package ships none): what
// takeover's kernel ICMP sender uses. Read from its index.js and src/raw.cc.
declare module "raw-socket" {
  import { EventEmitter } from "node:events";
  export const AddressFamily: { readonly IPv4: number; readonly IPv6: number };
  export const Protocol: { readonly ICMP: number; readonly ICMPv6: number };
  export class Socket extends EventEmitter {
    /** Queues `buffer[offset, offset+length)` for `address`; `after` gets the error or the bytes sent. */
    send(
      buffer: Buffer,
      offset: number,
      length: number,
      address: string,
      before: (() => void) | null,
      after: (error: Error | null, bytes: number) => void,
    ): this;
    setOption(level: number, option: number, value: Buffer | number, length?: number): void;
    pauseRecv(): this;
    close(): this;
  }
  /** @throws Error ("Operation not permitted") without CAP_NET_RAW */
  export function createSocket(options: { protocol: number; addressFamily?: number; bufferSize?: number }): Socket;
}

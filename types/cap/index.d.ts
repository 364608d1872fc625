// Minimal type declarations for cap 0.2 (npm "cap"): what takeover's link benchmark uses. Read from
// src/binding.cc. cap always opens promiscuous with snap length 65535 and immediate mode, and gives
// no capture timestamps.
declare module "cap" {
  import { EventEmitter } from "node:events";
  export class Cap extends EventEmitter {
    constructor();
    /**
     * Opens `device` (pcap_create … activate, setnonblock, filter) and starts delivering packets:
     * each is copied into `buffer` and announced with the 'packet' event (bytes, truncated).
     * Returns the link type ("ETHERNET", …). cap keeps only a raw pointer to `buffer`: the caller
     * must keep a reference to it for as long as the handle is open, or the heap gets corrupted.
     */
    open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
    /** pcap_sendpacket of the first `length` bytes (all when absent). Throws pcap_geterr text. */
    send(frame: Buffer, length?: number): void;
    /** Stops the poll watcher and pcap_close()s at once. Returns false when not open. */
    close(): boolean;
    on(event: "packet", listener: (bytes: number, truncated: boolean) => void): this;
    static findDevice(ip?: string): string | undefined;
    static deviceList(): Array<{ name: string; description?: string; addresses: Array<{ addr: string }> }>;
  }
  export const decoders: unknown;
}

// Minimal type declarations for node_pcap 3.1 (npm "pcap"): only its native binding, which takeover's
// link uses directly (pcap.js adds an EventEmitter, an object per packet and console warnings). Read
// from pcap_session.cc. The package's own pcap.d.ts describes pcap.js, which takeover does not use.
declare module "pcap/build/Release/pcap_binding" {
  /** One libpcap handle. Methods throw Error with libpcap's text (pcap_geterr or errbuf). */
  export class PcapSession {
    constructor();
    /**
     * pcap_create + set_snaplen/promisc/buffer_size/timeout/immediate_mode + activate + setnonblock,
     * then compiles and sets `filter` (when not empty). `packetReady` is called from inside
     * `dispatch` once per packet, after the packet and its header are copied into the buffers given
     * to `dispatch`. `bufferTimeoutMs` <= 0 selects immediate mode. `warn` receives
     * pcap_lookupnet's complaint (e.g. an interface without IPv4 address). Returns the link type
     * ("LINKTYPE_ETHERNET", …).
     */
    open_live(
      device: string,
      filter: string,
      bufferSize: number,
      snapLength: number,
      dumpFile: string,
      packetReady: () => void,
      monitor: boolean,
      bufferTimeoutMs: number,
      warn: (text: string) => void,
      promiscuous: boolean,
    ): string;
    open_offline(
      path: string,
      filter: string,
      bufferSize: number,
      snapLength: number,
      dumpFile: string,
      packetReady: () => void,
      monitor: boolean,
      bufferTimeoutMs: number,
      warn: (text: string) => void,
      promiscuous: boolean,
    ): string;
    /**
     * pcap_dispatch(1) until it returns <= 0. Each packet's bytes go to `buffer` (cut to its length)
     * and its header to `header`: tv_sec u32le @0, tv_usec u32le @4, caplen u32le @8, len u32le @12.
     * Returns the last pcap_dispatch result: 0 nothing more, -1 error, -2 pcap_breakloop was called
     * (the handle is then closed: pcap_close, poll stopped).
     */
    dispatch(buffer: Buffer, header: Buffer): number;
    /** Watches the handle's fd with libuv and calls `read_callback` when it is readable. */
    start_polling(): void;
    read_callback: (() => void) | undefined;
    /** pcap_breakloop only: the handle is released by the next `dispatch` that sees a packet. */
    close(): void;
    /** pcap_stats. Throws "Error in pcap_stats" or "Error: pcap session already closed". */
    stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
    /** pcap_inject of the whole buffer. Throws "Pcap inject failed." (no errno) on failure. */
    inject(frame: Buffer): void;
  }
  export function findalldevs(): Array<{ name: string; flags?: string; addresses?: Array<{ addr: string }> }>;
  export function default_device(): string;
  export function lib_version(): string;
}

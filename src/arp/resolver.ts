// ARP resolver: asks "who has IP?" on a port with retries and keeps the answers in a small cache with
// expiry, so the prober finds next-hop MACs without the kernel's neighbour table.
import { Ipv4, Mac } from "../packets/address";
import { arpRequest, ARP_REPLY } from "../packets/arp";
import { ETHERTYPE_ARP } from "../packets/ethernet";
import { encodeFrame, FrameKind, FrameView } from "../packets/frame";
import { Timer } from "../link/clock";
import { clockOf, FramePort } from "../link/port";

export interface ResolveOptions {
  /** requests to send before giving up; default 3 */
  readonly attempts?: number;
  /** how long to wait for a reply to each request, ms; default 1000 */
  readonly timeoutMs?: number;
  /** bypass the cache */
  readonly fresh?: boolean;
}

export interface Resolution {
  readonly mac: Mac;
  /** µs between the request that was answered and its reply (capture stamps) */
  readonly rttMicros: number;
  readonly attempts: number;
  readonly cached: boolean;
}

export class ResolveError extends Error {
  override readonly name = "ResolveError";
}

export class ArpResolver {
  readonly #cache = new Map<number, { mac: Mac; expiresAt: number }>();

  /**
   * @param port        where to ask
   * @param senderIp    our address on that segment (0.0.0.0 works too: a probe-style request)
   * @param cacheTtlMs  how long an answer is trusted; default 60 s
   */
  constructor(
    readonly port: FramePort,
    readonly senderIp: Ipv4,
    readonly cacheTtlMs = 60_000,
  ) {}

  /** The cached MAC for `ip`, if still fresh. */
  cached(ip: Ipv4): Mac | undefined {
    const entry = this.#cache.get(ip.value);
    if (entry === undefined) return undefined;
    if (entry.expiresAt < clockOf(this.port).nowMicros() / 1000) {
      this.#cache.delete(ip.value);
      return undefined;
    }
    return entry.mac;
  }

  forget(ip: Ipv4): void {
    this.#cache.delete(ip.value);
  }

  /** Finds the MAC of `ip`. @throws ResolveError when nobody answers */
  async resolve(ip: Ipv4, options: ResolveOptions = {}): Promise<Resolution> {
    if (!options.fresh) {
      const mac = this.cached(ip);
      if (mac !== undefined) return { mac, rttMicros: 0, attempts: 0, cached: true };
    }
    const attempts = options.attempts ?? 3;
    const timeoutMs = options.timeoutMs ?? 1000;
    const request = encodeFrame({
      ethernet: { destination: Mac.BROADCAST, source: this.port.mac, etherType: ETHERTYPE_ARP },
      arp: arpRequest(this.port.mac, this.senderIp, ip),
    });
    const view = new FrameView();
    return new Promise<Resolution>((resolve, reject) => {
      let attempt = 0;
      let sentAt = 0;
      let timer: Timer | undefined;
      const clock = clockOf(this.port);
      const stop = this.port.listen((frame) => {
        if (!view.reset(frame.bytes) || view.kind !== FrameKind.Arp) return;
        if (view.arpOperation !== ARP_REPLY || view.arpSenderIp !== ip.value) return;
        const mac = new Mac(view.arpSenderMac);
        finish();
        this.#cache.set(ip.value, { mac, expiresAt: clock.nowMicros() / 1000 + this.cacheTtlMs });
        resolve({ mac, rttMicros: Math.max(0, frame.timeMicros - sentAt), attempts: attempt, cached: false });
      });
      const finish = () => {
        stop();
        timer?.cancel();
      };
      const ask = () => {
        if (attempt >= attempts) {
          finish();
          reject(new ResolveError(`no ARP reply from ${ip} on ${this.port.name} after ${attempts} request(s), ${timeoutMs} ms apart`));
          return;
        }
        attempt++;
        sentAt = clock.nowMicros();
        try {
          this.port.send(request);
        } catch (error) {
          // our link is down (or gone): nobody can answer
          finish();
          reject(new ResolveError(`cannot ask for ${ip} on ${this.port.name}: ${(error as Error).message}`));
          return;
        }
        timer = clock.after(timeoutMs, ask);
      };
      ask();
    });
  }
}

// NDP resolver (RFC 4861 §7.2): asks "who has ADDRESS?" with a Neighbor Solicitation from our address
// to the address's solicited-node group, carrying our Source Link-Layer Address option, and takes
// the solicited Neighbor Advertisement's Target Link-Layer Address option as the answer; retries
// and a small cache with expiry, as the ARP resolver does for IPv4.
import { Mac } from "../packets/address";
import { Ipv6Address } from "../packets/ipv6";
import { Timer } from "../link/clock";
import { clockOf, FramePort } from "../link/port";
import { neighborSolicitationFrame, readNeighborMessage } from "./frames";

export interface NeighborResolveOptions {
  /** solicitations to send before giving up; default 3 (RFC 4861 MAX_MULTICAST_SOLICIT) */
  readonly attempts?: number;
  /** how long to wait for an advertisement after each solicitation, ms; default 1000 (RetransTimer) */
  readonly timeoutMs?: number;
  /** bypass the cache */
  readonly fresh?: boolean;
}

export interface NeighborResolution {
  readonly mac: Mac;
  /** the answer's Router flag */
  readonly router: boolean;
  /** µs between the solicitation that was answered and the advertisement (capture stamps) */
  readonly rttMicros: number;
  readonly attempts: number;
  readonly cached: boolean;
}

export class NeighborResolveError extends Error {
  override readonly name = "NeighborResolveError";
}

export class NeighborResolver {
  readonly #cache = new Map<string, { mac: Mac; router: boolean; expiresAt: number }>();

  /**
   * @param port        where to ask
   * @param source      our address on that segment (a global one in the target's prefix, or our
   *                    link-local): the advertisement comes back to it, at our MAC
   * @param cacheTtlMs  how long an answer is trusted; default 30 s (RFC 4861 REACHABLE_TIME)
   */
  constructor(
    readonly port: FramePort,
    readonly source: Ipv6Address,
    readonly cacheTtlMs = 30_000,
  ) {}

  /** The cached MAC for `address`, if still fresh. */
  cached(address: Ipv6Address): Mac | undefined {
    return this.#fresh(address)?.mac;
  }

  #fresh(address: Ipv6Address): { mac: Mac; router: boolean } | undefined {
    const entry = this.#cache.get(address.toString());
    if (entry === undefined) return undefined;
    if (entry.expiresAt < clockOf(this.port).nowMicros() / 1000) {
      this.#cache.delete(address.toString());
      return undefined;
    }
    return entry;
  }

  forget(address: Ipv6Address): void {
    this.#cache.delete(address.toString());
  }

  /**
   * Finds the MAC of `target`: the first valid advertisement for it, solicited, with a Target
   * Link-Layer Address option, from another MAC than ours.
   * @throws NeighborResolveError when nobody answers
   */
  async resolve(target: Ipv6Address, options: NeighborResolveOptions = {}): Promise<NeighborResolution> {
    if (!options.fresh) {
      const entry = this.#fresh(target);
      if (entry !== undefined) return { mac: entry.mac, router: entry.router, rttMicros: 0, attempts: 0, cached: true };
    }
    const attempts = options.attempts ?? 3;
    const timeoutMs = options.timeoutMs ?? 1000;
    if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`resolve: attempts must be a whole number ≥ 1, got ${attempts}`);
    if (!(timeoutMs >= 0)) throw new RangeError(`resolve: timeout must be ≥ 0 ms, got ${timeoutMs}`);
    const solicitation = neighborSolicitationFrame({ sourceMac: this.port.mac, source: this.source, target });
    const clock = clockOf(this.port);
    return new Promise<NeighborResolution>((resolve, reject) => {
      let attempt = 0;
      let sentAt = 0;
      let timer: Timer | undefined;
      const stop = this.port.listen((frame) => {
        const message = readNeighborMessage(frame.bytes);
        if (message === undefined || message.kind !== "advertisement" || !message.solicited || !message.target.equals(target)) return;
        if (message.linkLayerAddress === undefined || message.sourceMac.value === this.port.mac.value) return;
        const { linkLayerAddress: mac, router } = message;
        finish();
        this.#cache.set(target.toString(), { mac, router, expiresAt: clock.nowMicros() / 1000 + this.cacheTtlMs });
        resolve({ mac, router, rttMicros: Math.max(0, frame.timeMicros - sentAt), attempts: attempt, cached: false });
      });
      const finish = () => {
        stop();
        timer?.cancel();
      };
      const ask = () => {
        if (attempt >= attempts) {
          finish();
          reject(new NeighborResolveError(`no Neighbor Advertisement from ${target} on ${this.port.name} after ${attempts} solicitation(s), ${timeoutMs} ms apart`));
          return;
        }
        attempt++;
        sentAt = clock.nowMicros();
        try {
          this.port.send(solicitation);
        } catch (error) {
          // our link is down (or gone): nobody can answer
          finish();
          reject(new NeighborResolveError(`cannot ask for ${target} on ${this.port.name}: ${(error as Error).message}`));
          return;
        }
        timer = clock.after(timeoutMs, ask);
      };
      ask();
    });
  }
}

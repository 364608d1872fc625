// Who the peer is on the wire: its MAC. Pinned by the config (`peer.mac`), or learned, and then
// changed only on evidence from the peer itself — never on a lone frame somebody sent us.
//
// Evidence is a round of our own ARP requests for the peer's real address: the answers that count
// are replies addressed to us (our MAC, our real address). A round's outcome is the set of MACs
// that answered, with how many requests each answered. The rules:
// - pinned: nothing on the wire changes it;
// - nothing learned yet: one MAC, and only one, answered → that is the peer;
// - learned M: M answering keeps M (anyone else answering too is a stranger, reported);
//   M silent and one other MAC N alone answering, in `confirmRounds` rounds spread over at least
//   `confirmMicros`, with M silent in all of them and the peer not back in between (our checks of
//   it passing again, or its claims heard from M: `peerUp`) → the peer is now at N (its NIC was changed, or its interface
//   made again). Anything else keeps M. The peer back up ends a confirmation because rounds are
//   mostly prompted by a stranger's claims, at moments the stranger picks: one who answers for the
//   peer only while it is away (outage after outage) would otherwise collect its rounds across
//   them, M never asked while it was back.
// A stranger who answers our requests while the peer is alive is seen next to it and never wins; one
// who impersonates a dead peer for `confirmMicros` can (the README's threat model; `peer.mac` or
// `auth.keyFile` close it).
import { Mac } from "../packets/address";

type Micros = number;

export interface IdentityRound {
  /** requests sent in the round */
  readonly requests: number;
  /** per MAC that answered (as its string), how many of the requests it answered */
  readonly answers: ReadonlyMap<string, number>;
  readonly atMicros: Micros;
}

export interface IdentityVerdict {
  /** the MAC the peer is at after the round (undefined: still unknown) */
  readonly mac?: Mac;
  /** the MAC changed (or was learned) in this round */
  readonly changed: boolean;
  /** a line for the log: what the round showed and what it did; undefined when nothing is worth saying */
  readonly detail?: string;
}

export interface PeerIdentityOptions {
  /** rounds in which a new MAC must answer alone before it replaces the learned one; default 3 */
  readonly confirmRounds?: number;
  /** the least time from the first to the last of those rounds; default 10 s */
  readonly confirmMicros?: Micros;
}

export class PeerIdentity {
  #mac: Mac | undefined;
  #pinned: boolean;
  #candidate: { mac: string; rounds: number; since: Micros } | undefined;
  readonly confirmRounds: number;
  readonly confirmMicros: Micros;

  constructor(pinned: Mac | undefined, options: PeerIdentityOptions = {}) {
    this.#mac = pinned;
    this.#pinned = pinned !== undefined;
    this.confirmRounds = options.confirmRounds ?? 3;
    this.confirmMicros = options.confirmMicros ?? 10_000_000;
  }

  get mac(): Mac | undefined {
    return this.#mac;
  }

  get pinned(): boolean {
    return this.#pinned;
  }

  /** A replacement is being confirmed: more rounds are wanted. */
  get confirming(): boolean {
    return this.#candidate !== undefined;
  }

  /** Whether `mac` is the peer's, as far as we know it. */
  is(mac: Mac): boolean {
    return this.#mac !== undefined && this.#mac.equals(mac);
  }

  /** A reload: a MAC in the config pins it; none given keeps what was learned (and learns on). */
  repin(mac: Mac | undefined): void {
    if (mac !== undefined) {
      this.#mac = mac;
      this.#candidate = undefined;
    }
    this.#pinned = mac !== undefined;
  }

  /**
   * The peer is back (its checks pass, or it is heard claiming at M): a replacement being confirmed
   * is dropped, and the detail for the log says so; undefined when there was none.
   */
  peerUp(): string | undefined {
    const candidate = this.#candidate;
    if (candidate === undefined || this.#pinned) return undefined;
    this.#candidate = undefined;
    return `the peer is up again: ${candidate.mac}, which answered instead of ${this.#mac} in ${candidate.rounds} round(s) while it was away, is not taken for it`;
  }

  /** Takes one round's answers and says what it shows. */
  round(round: IdentityRound): IdentityVerdict {
    const answered = [...round.answers.entries()].filter(([, n]) => n > 0);
    const tally = answered.map(([mac, n]) => `${mac} (${n} of ${round.requests})`).join(", ");
    if (this.#pinned) {
      const others = answered.filter(([mac]) => mac !== this.#mac!.toString());
      return { mac: this.#mac, changed: false, detail: others.length > 0 ? `not the configured peer.mac ${this.#mac}, answering for the peer's address: ${tally}` : undefined };
    }
    if (this.#mac === undefined) {
      if (answered.length === 1) {
        this.#mac = Mac.parse(answered[0][0]);
        return { mac: this.#mac, changed: true, detail: `learned: ${tally} answered our requests` };
      }
      return { mac: undefined, changed: false, detail: answered.length > 1 ? `not learned: more than one MAC answers our requests: ${tally}` : undefined };
    }
    const current = this.#mac.toString();
    if (round.answers.get(current) ?? 0) {
      this.#candidate = undefined;
      const others = answered.filter(([mac]) => mac !== current);
      return { mac: this.#mac, changed: false, detail: others.length > 0 ? `kept ${current}: it answers, and so does a stranger: ${tally}` : undefined };
    }
    if (answered.length !== 1) {
      // silence proves nothing; two strangers prove nothing either
      if (answered.length > 1) this.#candidate = undefined;
      return { mac: this.#mac, changed: false, detail: answered.length > 1 ? `kept ${current}: it is silent and several MACs answer: ${tally}` : undefined };
    }
    const [mac] = answered[0];
    if (this.#candidate?.mac !== mac) this.#candidate = { mac, rounds: 0, since: round.atMicros };
    const candidate = this.#candidate;
    candidate.rounds++;
    const spanMicros = round.atMicros - candidate.since;
    if (candidate.rounds >= this.confirmRounds && spanMicros >= this.confirmMicros) {
      this.#mac = Mac.parse(mac);
      this.#candidate = undefined;
      return { mac: this.#mac, changed: true, detail: `moved from ${current} to ${mac}: ${mac} alone answered our requests in ${candidate.rounds} rounds over ${(spanMicros / 1e6).toFixed(1)} s, ${current} in none` };
    }
    return { mac: this.#mac, changed: false, detail: `kept ${current} for now: it is silent and ${mac} answers instead (round ${candidate.rounds} of ${this.confirmRounds}, ${(spanMicros / 1e6).toFixed(1)} of ${(this.confirmMicros / 1e6).toFixed(0)} s)` };
  }
}

// Interface check (keepalived's track_interface): passes while another interface of this box is up
// with carrier (IFF_UP and IFF_RUNNING), fails while it is down, without carrier, or absent. It reads
// /sys once when it starts watching, then follows the kernel's rtnetlink link notifications
// (src/link/link-events.ts), so a run costs nothing and sends nothing; when notifications may have
// been lost ("resync") or cannot be had at all, it reads /sys again (on every run, in the latter
// case). A /sys read that fails says nothing: the run is unknown, counted neither way.
import { readInterfaceState } from "../link/interfaces";
import { LinkEventListener, subscribeLinkEvents } from "../link/link-events";
import { ABORTED_DETAIL, CheckResult, HealthCheck, messageOf } from "./check";

/** What is known of the interface. */
interface Seen {
  readonly present: boolean;
  readonly index?: number;
  readonly up: boolean;
  readonly running: boolean;
}

export class InterfaceCheck implements HealthCheck {
  /** undefined: read /sys at the next run */
  #seen: Seen | undefined;
  #unsubscribe: (() => void) | undefined;
  /** notifications could not be had: /sys is read on every run */
  #polling = false;
  #closed = false;

  constructor(
    readonly name: string,
    readonly interfaceName: string,
  ) {}

  run(signal?: AbortSignal): Promise<CheckResult> {
    if (signal?.aborted) return Promise.resolve({ ok: false, rttMicros: 0, detail: ABORTED_DETAIL });
    if (!this.#closed && this.#unsubscribe === undefined && !this.#polling) this.#watch();
    if (this.#seen === undefined || this.#polling || this.#closed) {
      try {
        this.#seen = this.#read();
      } catch (error) {
        return Promise.resolve({ ok: false, unknown: true, rttMicros: 0, detail: `cannot read the state of ${this.interfaceName}: ${messageOf(error)}` });
      }
    }
    return Promise.resolve(this.#result(this.#seen));
  }

  /** Stops following notifications. Runs after this read /sys. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #watch(): void {
    try {
      // subscribed before /sys is read, so no change falls between the two
      this.#unsubscribe = subscribeLinkEvents(this.#hear);
    } catch {
      this.#polling = true;
    }
    this.#seen = undefined;
  }

  readonly #hear: LinkEventListener = (event) => {
    if (event.kind === "resync") {
      this.#seen = undefined;
      return;
    }
    if (event.name === this.interfaceName) {
      this.#seen = event.kind === "del" ? { present: false, up: false, running: false } : { present: true, index: event.index, up: event.up, running: event.running };
    } else if (this.#seen?.present === true && event.index === this.#seen.index) {
      // renamed away (or its index now names another interface): ours is gone
      this.#seen = { present: false, up: false, running: false };
    }
  };

  /** @throws SysReadError when /sys could not be read */
  #read(): Seen {
    const state = readInterfaceState(this.interfaceName);
    return state === undefined ? { present: false, up: false, running: false } : { present: true, index: state.index, up: state.up, running: state.running };
  }

  #result(seen: Seen): CheckResult {
    const name = this.interfaceName;
    if (!seen.present) return { ok: false, rttMicros: 0, detail: `${name} does not exist` };
    if (!seen.up) return { ok: false, rttMicros: 0, detail: `${name} is down (administratively)` };
    if (!seen.running) return { ok: false, rttMicros: 0, detail: `${name} has no carrier` };
    return { ok: true, rttMicros: 0, detail: `${name} is up with carrier` };
  }
}

// The story of one simulated run, in simulated time: faults, the kernels' address and interface
// changes, the daemons' links, the daemons' log lines, the router's cache changes, and (in the full
// trace only) every check result and announcement. Lines are kept in the order they happened, times
// as seconds from the start with µs, so two runs of one seed print the same bytes.

export interface TraceLine {
  /** µs from the start of the run */
  readonly time: number;
  /** "fault", "router", "check", a box name… */
  readonly source: string;
  readonly text: string;
  /** only in the full trace */
  readonly detail: boolean;
}

export class Trace {
  readonly lines: TraceLine[] = [];

  /** @param details keep detail lines too (checks, announcements) */
  constructor(readonly details = false) {}

  add(time: number, source: string, text: string, detail = false): void {
    if (detail && !this.details) return;
    this.lines.push({ time, source, text, detail });
  }

  format(full = false): string {
    const width = Math.max(6, ...this.lines.map((l) => l.source.length));
    return this.lines
      .filter((l) => full || !l.detail)
      .map((l) => `${seconds(l.time).padStart(11)}  ${l.source.padEnd(width)}  ${l.text}`)
      .join("\n");
  }
}

/** µs as "1.234567". */
export function seconds(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(Math.round(micros));
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, "0")}`;
}

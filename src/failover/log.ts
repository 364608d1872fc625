// Event log lines: one line per event, `2026-11-26T05:51:05.123456Z brain claim 192.0.2.36: detail`,
// UTC with microseconds, plain text (journald and grep read it as is). Colour only on a TTY.

export interface Logger {
  line(event: string, address: string | undefined, detail: string): void;
}

/** ISO-8601 UTC with microseconds from a µs timestamp. */
export function isoMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const iso = new Date(millis).toISOString(); // 2026-11-26T05:51:05.123Z
  const sub = String(Math.floor(micros % 1_000_000)).padStart(6, "0");
  return `${iso.slice(0, 19)}.${sub}Z`;
}

const COLOURS: Record<string, string> = { claim: "32", "hand-back": "36", yield: "36", release: "33", conflict: "31", "not-claiming": "31", "peer-down": "33", "link-down": "31" };

export function streamLogger(name: string, stream: NodeJS.WritableStream & { isTTY?: boolean }, now: () => number): Logger {
  const colour = stream.isTTY === true && process.env.NO_COLOR === undefined;
  return {
    line(event, address, detail) {
      const code = colour ? COLOURS[event] : undefined;
      const label = code === undefined ? event : `\u001b[${code}m${event}\u001b[0m`;
      stream.write(`${isoMicros(now())} ${name} ${label}${address === undefined ? "" : ` ${address}`}: ${detail}\n`);
    },
  };
}

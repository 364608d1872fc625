// The daemon's log: one line per event, each event at a syslog level (EVENT_LEVELS, the one table of
// them), filtered by `--log-level`, as text or JSON (`--log-format json`), written where the
// operator's tools expect it:
//
//   text  2026-11-26T05:51:05.123456Z brain notice claim 192.0.2.36: nobody answered the probe
//   json  {"time":"2026-11-26T05:51:05.123456Z","level":"notice","priority":5,"node":"brain",
//          "event":"claim","address":"192.0.2.36","detail":"nobody answered the probe"}
//
// Under journald (JOURNAL_STREAM names the device:inode of our stdout or stderr, systemd.exec(5)),
// every line goes to that stream prefixed `<N>`, N the syslog priority (sd-daemon(3)), so journald
// stores it at that priority; text lines then carry neither a timestamp nor the level word, which
// the journal records itself. Otherwise warnings and errors go to stderr and the rest to stdout.
// Times are UTC with microseconds. Colour only on a TTY, and never with NO_COLOR.
import { fstatSync } from "node:fs";

export interface Logger {
  /** `fields`: the event's own data beyond address and detail, shown in JSON lines */
  line(event: string, address: string | undefined, detail: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Syslog levels, most severe first, with their priority numbers (RFC 5424, sd-daemon(3)). */
export const LEVELS = ["error", "warning", "notice", "info", "debug"] as const;
export type Level = (typeof LEVELS)[number];
export const PRIORITY: Readonly<Record<Level, number>> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };

export type LogFormat = "text" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

/** An event's level, and for some events another level when the detail matches. */
export interface EventLevel {
  readonly level: Level;
  /** the first that matches the detail wins */
  readonly when?: readonly (readonly [RegExp, Level])[];
  /** what the event means, for the README's table */
  readonly what: string;
}

/**
 * Every event the daemon logs, and its level. Failures of our own are errors; the peer going down,
 * conflicts and dual ownership, refused frames are warnings; ownership changes are notices; routine
 * events are info; chatter is debug. An event not listed here is logged at info.
 */
export const EVENT_LEVELS: Readonly<Record<string, EventLevel>> = {
  // failures of our own
  error: { level: "error", what: "something failed: an address change, a probe, an announcement, the status listener" },
  // the peer, conflicts, dual ownership, refused frames
  "peer-down": { level: "warning", what: "the peer's checks failed fall times: it is down" },
  "self-down": { level: "warning", what: "our self checks fail: this box gives its addresses up" },
  "link-down": { level: "warning", what: "our interface lost its carrier or stopped passing frames" },
  "check-failed": { level: "warning", what: "a check failed fall times in a row" },
  conflict: { level: "warning", what: "another host (or the peer) claims an address we hold: dual ownership, we defend it" },
  "not-claiming": {
    level: "warning",
    when: [[/; failback (?:delay|manual)/, "notice"]],
    what: "someone answers for an address we would claim (or the probe proved nothing): not claiming it; the peer holding our address while failback waits is a notice",
  },
  "pid-file": { level: "warning", what: "the pid file for takeover claim could not be written: takeover claim needs --pid" },
  auth: { level: "warning", what: "tagged frames refused (bad key, stale time, replay), counted since the last such line" },
  "peer-mac": {
    level: "warning",
    when: [[/^(?:[^:]* \([^)]*\): )?learned:/, "info"]],
    what: "the peer's MAC: learned (info), or a stranger answers for the peer, or it moved (warning)",
  },
  // ownership changes
  claim: { level: "notice", what: "this box took an address (its own, or the peer's)" },
  yield: { level: "notice", what: "this box let an address go to its home node, or to a stranger if so configured" },
  release: { level: "notice", what: "this box gave an address up (self checks failing, link down)" },
  "hand-back": { level: "notice", what: "this box gave the peer's address back and announced it at the peer's MAC" },
  reconcile: { level: "notice", what: "an address found on the interface at start: kept or removed by the rules" },
  "claim-request": { level: "notice", what: "takeover claim (SIGUSR2): our addresses taken back now, or why not" },
  // routine
  start: { level: "info", what: "the daemon started: what it watches" },
  stopped: { level: "info", what: "the daemon stopped, having released what was not ours" },
  signal: { level: "info", what: "SIGTERM or SIGINT received: stopping; SIGUSR2: takeover claim" },
  reload: {
    level: "info",
    when: [[/^not applied/, "error"]],
    what: "SIGHUP: the config was read again and applied (info), or refused and the old one kept (error)",
  },
  "peer-up": { level: "info", what: "the peer's checks pass again" },
  "self-up": { level: "info", what: "our self checks pass again" },
  "link-up": { level: "info", what: "our interface is back and verified" },
  "check-recovered": { level: "info", what: "a check passed rise times in a row" },
  added: { level: "info", what: "an address was added to the interface" },
  removed: { level: "info", what: "an address was removed from the interface" },
  announce: {
    level: "info",
    when: [
      [/^cannot/, "warning"],
      [/\(refresh\)$/, "debug"],
    ],
    what: "gratuitous ARP sent (refreshes at debug), or not sent for want of the peer's MAC (warning)",
  },
  status: { level: "info", what: "the status and metrics listener is up" },
  hook: {
    level: "info",
    when: [[/^[\w-]+ [^:]*: (cannot run|failed:|killed after|\d+ runs already waiting)/, "error"]],
    what: "a hook ran, and each line it printed; one that could not run, failed, timed out or was dropped is an error",
  },
  // chatter
  neighbours: { level: "debug", what: "link back: the neighbours' MACs asked again" },
  check: { level: "debug", what: "one check's result, with its round-trip time" },
};

/** The level `event` with `detail` is logged at. */
export function levelOf(event: string, detail: string): Level {
  const entry = EVENT_LEVELS[event];
  if (entry === undefined) return "info";
  for (const [pattern, level] of entry.when ?? []) if (pattern.test(detail)) return level;
  return entry.level;
}

/** The level named `text`, or undefined. Accepts the syslog spellings warn and err too. */
export function parseLevel(text: string): Level | undefined {
  const t = text.toLowerCase();
  if (t === "warn") return "warning";
  if (t === "err") return "error";
  return (LEVELS as readonly string[]).includes(t) ? (t as Level) : undefined;
}

/** ISO-8601 UTC with microseconds from a µs timestamp. */
export function isoMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const iso = new Date(millis).toISOString(); // 2026-11-26T05:51:05.123Z
  const sub = String(Math.floor(micros % 1_000_000)).padStart(6, "0");
  return `${iso.slice(0, 19)}.${sub}Z`;
}

export interface LineFormat {
  /** the node's name, on every line */
  readonly name: string;
  readonly format: LogFormat;
  /** under journald: `<N>` prefix, no timestamp or level word in text */
  readonly journal: boolean;
  readonly colour: boolean;
}

const COLOURS: Record<string, string> = { claim: "32", "hand-back": "36", yield: "36", release: "33", conflict: "31", "not-claiming": "31", "peer-down": "33", "link-down": "31" };

/** One log line, without its newline. */
export function formatLine(f: LineFormat, timeMicros: number, level: Level, event: string, address: string | undefined, detail: string, fields?: Readonly<Record<string, unknown>>): string {
  const prefix = f.journal ? `<${PRIORITY[level]}>` : "";
  if (f.format === "json") {
    const record: Record<string, unknown> = { time: isoMicros(timeMicros), level, priority: PRIORITY[level], node: f.name, event };
    if (address !== undefined) record.address = address;
    record.detail = detail;
    for (const [key, value] of Object.entries(fields ?? {})) if (!(key in record)) record[key] = value;
    return prefix + JSON.stringify(record);
  }
  const code = f.colour ? COLOURS[event] : undefined;
  const label = code === undefined ? event : `\u001b[${code}m${event}\u001b[0m`;
  // one event, one line: a detail with line breaks (a hook's error text) is joined with "; "
  const text = `${f.name} ${label}${address === undefined ? "" : ` ${address}`}: ${detail.split(/\r?\n/).join("; ")}`;
  return f.journal ? `${prefix}${text}` : `${isoMicros(timeMicros)} ${level} ${text}`;
}

/**
 * Which of our standard streams journald reads, from JOURNAL_STREAM (`device:inode`, systemd.exec(5)):
 * the one whose fstat matches, stdout first; undefined when neither does (or it is not set), so a
 * JOURNAL_STREAM inherited by a program started from a service's shell does not count.
 */
export function journalStream(env: NodeJS.ProcessEnv = process.env, stat: (fd: number) => { dev: number; ino: number } = fstatSync): "stdout" | "stderr" | undefined {
  const value = env.JOURNAL_STREAM;
  if (value === undefined) return undefined;
  const m = /^(\d+):(\d+)$/.exec(value.trim());
  if (m === null) return undefined;
  for (const [fd, name] of [[1, "stdout"], [2, "stderr"]] as const) {
    try {
      const s = stat(fd);
      if (String(s.dev) === m[1] && String(s.ino) === m[2]) return name;
    } catch {
      // a closed descriptor is not the journal
    }
  }
  return undefined;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

export interface StreamLoggerOptions {
  /** lines less severe than this are dropped. Default: info */
  readonly level?: Level;
  readonly format?: LogFormat;
  readonly stdout?: Stream;
  readonly stderr?: Stream;
  /** where journald reads, if it does (journalStream()); everything then goes there, prefixed */
  readonly journal?: "stdout" | "stderr";
}

export interface StreamLogger extends Logger {
  /** a new threshold or format from here on (a reloaded config) */
  configure(changes: { readonly level?: Level; readonly format?: LogFormat }): void;
  /** whether lines at `level` are written (to skip building ones that would be dropped) */
  enabled(level: Level): boolean;
}

/** The daemon's logger: `now` gives µs since the epoch. */
export function streamLogger(name: string, now: () => number, options: StreamLoggerOptions = {}): StreamLogger {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let threshold = PRIORITY[options.level ?? "info"];
  let format = options.format ?? "text";
  const journal = options.journal;
  return {
    enabled: (level) => PRIORITY[level] <= threshold,
    configure(changes) {
      if (changes.level !== undefined) threshold = PRIORITY[changes.level];
      if (changes.format !== undefined) format = changes.format;
    },
    line(event, address, detail, fields) {
      const level = levelOf(event, detail);
      if (PRIORITY[level] > threshold) return;
      const stream = journal !== undefined ? (journal === "stdout" ? stdout : stderr) : PRIORITY[level] <= PRIORITY.warning ? stderr : stdout;
      const colour = journal === undefined && format === "text" && stream.isTTY === true && process.env.NO_COLOR === undefined;
      stream.write(`${formatLine({ name, format, journal: journal !== undefined, colour }, now(), level, event, address, detail, fields)}\n`);
    },
  };
}

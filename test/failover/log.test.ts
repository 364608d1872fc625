// The daemon's log lines (src/failover/log.ts): every event the daemon's sources can log has a level
// in the one table; each level lands on the right stream (warnings and errors on stderr) and is
// filtered by the threshold; under journald every line goes to journald's stream with its `<N>`
// priority and no timestamp; JOURNAL_STREAM counts only when it names our stdout or stderr; JSON lines
// parse back to the event with its fields; README's levels table is the table.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { EVENT_LEVELS, formatLine, isoMicros, journalStream, Level, LEVELS, levelOf, parseLevel, PRIORITY, streamLogger } from "../../src/failover/log";

const ROOT = join(__dirname, "..", "..", "..");
const T = Date.UTC(2026, 10, 26, 5, 51, 5) * 1000 + 123_456;

/** A stream that keeps what is written to it. */
function sink(isTTY = false): Writable & { text: string; isTTY: boolean } {
  const s = new Writable({
    write(chunk: Buffer, _encoding, done) {
      s.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string; isTTY: boolean };
  s.text = "";
  s.isTTY = isTTY;
  return s;
}

/** An event (with a detail) logged at each level. */
const AT_LEVEL: Record<Level, [string, string]> = {
  error: ["error", "cannot add 192.0.2.36: Operation not permitted"],
  warning: ["peer-down", "peer is down"],
  notice: ["claim", "nobody answered the probe"],
  info: ["start", "watching pinky"],
  debug: ["neighbours", "link up: asked again for 192.0.2.18"],
};

/** The event names logged in src/ (the daemon, machine, hooks, observers, the run verb). */
function loggedEvents(): Map<string, string> {
  const found = new Map<string, string>();
  const files = [...readdirSync(join(ROOT, "src", "failover")).map((f) => join("src", "failover", f)), join("src", "cli", "run.ts")].filter((f) => f.endsWith(".ts"));
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), "utf8");
    for (const m of text.matchAll(/(?:#log\(|log\.line\(|kind: "log", event: )"([a-z-]+)"/g)) found.set(m[1], file);
    // the machine's conditional events: `event: up ? "link-up" : "link-down"`, `ok ? "check-recovered" : …`
    for (const m of text.matchAll(/kind: "log", event: [^,]*\? "([a-z-]+)" : "([a-z-]+)"/g)) {
      found.set(m[1], file);
      found.set(m[2], file);
    }
  }
  // the machine's LogEvent union
  const machine = readFileSync(join(ROOT, "src", "failover", "machine.ts"), "utf8");
  const union = /export type LogEvent =([^;]*);/.exec(machine);
  assert.ok(union !== null, "machine.ts has its LogEvent union");
  for (const m of union[1].matchAll(/"([a-z-]+)"/g)) found.set(m[1], "src/failover/machine.ts LogEvent");
  return found;
}

describe("log lines", () => {
  it("every event logged anywhere in the daemon has a level in the table", () => {
    const events = loggedEvents();
    assert.ok(events.size >= 25, `found the events (${[...events.keys()].join(", ")})`);
    const missing = [...events].filter(([event]) => EVENT_LEVELS[event] === undefined).map(([event, file]) => `${event} (${file})`);
    assert.deepEqual(missing, [], "add these to EVENT_LEVELS in src/failover/log.ts, and to README's Logs table");
  });

  it("the agreed levels: failures error, peer-down/conflicts/refused frames warning, ownership notice", () => {
    const expected: Record<string, Level> = {
      error: "error",
      "peer-down": "warning",
      conflict: "warning",
      auth: "warning",
      "not-claiming": "warning",
      claim: "notice",
      yield: "notice",
      "hand-back": "notice",
      release: "notice",
      start: "info",
      "peer-up": "info",
      neighbours: "debug",
      check: "debug",
    };
    for (const [event, level] of Object.entries(expected)) assert.equal(levelOf(event, "anything"), level, event);
    assert.equal(levelOf("some-new-event", "x"), "info", "an event not in the table is info");
  });

  it("details refine a few events: a refused reload is an error, a refresh announcement debug, a failed hook an error", () => {
    assert.equal(levelOf("reload", "applied /etc/takeover/brain.yaml: 2 check(s); addresses kept as they are"), "info");
    assert.equal(levelOf("reload", "not applied: interface changed, which needs a restart; the old config stays"), "error");
    assert.equal(levelOf("announce", "gratuitous ARP 192.0.2.37 is-at 02:00:00:00:00:17, both form, 5 round(s) 200 ms apart (claim)"), "info");
    assert.equal(levelOf("announce", "gratuitous ARP 192.0.2.37 is-at 02:00:00:00:00:17, both form, 1 round(s) 200 ms apart (refresh)"), "debug");
    assert.equal(levelOf("announce", "cannot announce the hand-back: pinky's MAC is unknown"), "warning");
    assert.equal(levelOf("hook", "claimed /etc/takeover/hooks/a.sh: done in 3.1 ms"), "info");
    assert.equal(levelOf("hook", "claimed /etc/takeover/hooks/a.sh: stdout: failed: to be honest"), "info", "a line the hook printed is not the hook failing");
    for (const failed of ["failed: exit status 1 after 3.0 ms", "killed after the 5000 ms timeout", "cannot run: not executable: chmod +x", "16 runs already waiting; this one is dropped"]) {
      assert.equal(levelOf("hook", `claimed /etc/takeover/hooks/a.sh: ${failed}`), "error", failed);
    }
    assert.equal(levelOf("peer-mac", "learned: 02:00:00:00:00:18 (3) answered our requests"), "info");
    // as the daemon writes it: the peer's name and address first
    assert.equal(levelOf("peer-mac", "pinky (192.0.2.18): learned: 02:00:00:00:00:18 (3) answered our requests"), "info");
    assert.equal(levelOf("peer-mac", "pinky (192.0.2.18): moved from 02:00:00:00:00:18 to 02:00:00:00:00:99: 02:00:00:00:00:99 alone answered our requests in 3 rounds over 10.0 s, 02:00:00:00:00:18 in none"), "warning");
    assert.equal(levelOf("peer-mac", "not the configured peer.mac 02:00:00:00:00:18, answering for the peer's address: 02:00:00:00:00:99 (2)"), "warning");
  });

  it("parses the level names (and warn, err)", () => {
    for (const level of LEVELS) assert.equal(parseLevel(level), level);
    assert.equal(parseLevel("WARN"), "warning");
    assert.equal(parseLevel("err"), "error");
    assert.equal(parseLevel("verbose"), undefined);
    assert.deepEqual(LEVELS.map((l) => PRIORITY[l]), [3, 4, 5, 6, 7]);
  });

  it("text: time, level, node, event, address, detail; warnings and errors on stderr, the rest on stdout", () => {
    for (const level of LEVELS) {
      const out = sink();
      const err = sink();
      const log = streamLogger("brain", () => T, { level: "debug", stdout: out, stderr: err });
      const [event, detail] = AT_LEVEL[level];
      log.line(event, "192.0.2.36", detail);
      const line = `2026-11-26T05:51:05.123456Z ${level} brain ${event} 192.0.2.36: ${detail}\n`;
      const toStderr = level === "error" || level === "warning";
      assert.equal(err.text, toStderr ? line : "", `${level} on stderr?`);
      assert.equal(out.text, toStderr ? "" : line, `${level} on stdout?`);
    }
  });

  it("the threshold drops what is less severe, for every threshold and level", () => {
    for (const threshold of LEVELS) {
      const out = sink();
      const err = sink();
      const log = streamLogger("brain", () => T, { level: threshold, stdout: out, stderr: err });
      for (const level of LEVELS) log.line(AT_LEVEL[level][0], undefined, AT_LEVEL[level][1]);
      const shown = (out.text + err.text).split("\n").filter((l) => l !== "").map((l) => l.split(" ")[1]).sort();
      const expected = LEVELS.filter((l) => PRIORITY[l] <= PRIORITY[threshold]).sort();
      assert.deepEqual(shown, expected, `--log-level ${threshold}`);
    }
    const out = sink();
    streamLogger("brain", () => T, { stdout: out, stderr: out }).line("neighbours", undefined, "x");
    assert.equal(out.text, "", "info is the default threshold: debug is dropped");
  });

  it("journald: every line on its stream, prefixed <N>, with no timestamp or level word", () => {
    for (const journal of ["stdout", "stderr"] as const) {
      const out = sink();
      const err = sink();
      const log = streamLogger("brain", () => T, { level: "debug", stdout: out, stderr: err, journal });
      for (const level of LEVELS) log.line(AT_LEVEL[level][0], level === "notice" ? "192.0.2.36" : undefined, AT_LEVEL[level][1]);
      const expected = LEVELS.map((level) => `<${PRIORITY[level]}>brain ${AT_LEVEL[level][0]}${level === "notice" ? " 192.0.2.36" : ""}: ${AT_LEVEL[level][1]}\n`).join("");
      assert.equal((journal === "stdout" ? out : err).text, expected);
      assert.equal((journal === "stdout" ? err : out).text, "");
    }
  });

  it("JOURNAL_STREAM counts only when it is our stdout's or stderr's device:inode", () => {
    const stat = (fd: number) => (fd === 1 ? { dev: 21, ino: 3001 } : { dev: 21, ino: 3002 });
    assert.equal(journalStream({}, stat), undefined);
    assert.equal(journalStream({ JOURNAL_STREAM: "21:3001" }, stat), "stdout");
    assert.equal(journalStream({ JOURNAL_STREAM: "21:3002" }, stat), "stderr");
    assert.equal(journalStream({ JOURNAL_STREAM: "21:9999" }, stat), undefined, "inherited by something whose streams go elsewhere");
    assert.equal(journalStream({ JOURNAL_STREAM: "garbage" }, stat), undefined);
    assert.equal(journalStream({ JOURNAL_STREAM: "21:3001" }, () => { throw new Error("EBADF"); }), undefined);
  });

  it("JSON: one object per line that parses back to the event, for every event in the table, also under journald", () => {
    for (const journal of [undefined, "stdout"] as const) {
      const out = sink();
      const log = streamLogger("brain", () => T, { level: "debug", format: "json", stdout: out, stderr: out, journal });
      const events = Object.keys(EVENT_LEVELS);
      for (const event of events) log.line(event, "192.0.2.36", `detail of ${event}\nsecond line`, { check: "ping-pinky", rttSeconds: 0.000412, event: "not this" });
      const lines = out.text.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, events.length);
      lines.forEach((line, i) => {
        const level = levelOf(events[i], `detail of ${events[i]}\nsecond line`);
        const json = journal === undefined ? line : line.replace(/^<(\d)>/, (_, n: string) => (assert.equal(Number(n), PRIORITY[level]), ""));
        assert.deepEqual(JSON.parse(json), {
          time: "2026-11-26T05:51:05.123456Z",
          level,
          priority: PRIORITY[level],
          node: "brain",
          event: events[i],
          address: "192.0.2.36",
          detail: `detail of ${events[i]}\nsecond line`,
          check: "ping-pinky",
          rttSeconds: 0.000412,
        });
      });
    }
    const out = sink();
    streamLogger("brain", () => T, { format: "json", stdout: out, stderr: out }).line("start", undefined, "watching");
    assert.equal("address" in JSON.parse(out.text), false, "no address key when the event has none");
  });

  it("text joins a multi-line detail into one line; colour only on a TTY and not in JSON or journald", () => {
    const f = { name: "brain", format: "text", journal: false, colour: false } as const;
    assert.equal(formatLine(f, T, "error", "reload", undefined, "not applied: a\nb"), "2026-11-26T05:51:05.123456Z error brain reload: not applied: a; b");
    const tty = sink(true);
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      streamLogger("brain", () => T, { stdout: tty, stderr: tty }).line("claim", "192.0.2.36", "x");
      assert.match(tty.text, /\u001b\[32mclaim\u001b\[0m/);
      const journal = sink(true);
      streamLogger("brain", () => T, { stdout: journal, stderr: journal, journal: "stdout" }).line("claim", "192.0.2.36", "x");
      assert.equal(journal.text, "<5>brain claim 192.0.2.36: x\n");
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
  });

  it("isoMicros keeps the microseconds", () => {
    assert.equal(isoMicros(T), "2026-11-26T05:51:05.123456Z");
    assert.equal(isoMicros(T - 123_456 + 7), "2026-11-26T05:51:05.000007Z");
  });

  it("README's Logs table lists every event at its level", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = /\n## Logs\n([\s\S]*?)\n## /.exec(readme);
    assert.ok(section !== null, "README has a ## Logs section");
    const header = section[1].indexOf("| event | level |");
    assert.ok(header >= 0, "the Logs section has an event | level table");
    const rows = new Map<string, string>();
    for (const m of section[1].slice(header).matchAll(/^\| `([a-z-]+)` \| ([^|]+) \|/gm)) rows.set(m[1], m[2].trim());
    for (const [event, entry] of Object.entries(EVENT_LEVELS)) {
      const cell = rows.get(event);
      assert.ok(cell !== undefined, `README's Logs table has a row for ${event}`);
      assert.ok(cell.startsWith(entry.level), `README gives ${event} the level ${entry.level} (it says "${cell}")`);
    }
    assert.deepEqual([...rows.keys()].filter((e) => EVENT_LEVELS[e] === undefined), [], "README lists no event the table lacks");
  });
});

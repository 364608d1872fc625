// The systemd proof: deploy/takeover.service started, reloaded and stopped by a real systemd, driving a
// failover and a hand-back, with its journal read back. `npm run test:systemd` (not part of `npm test`:
// it takes a minute or more and builds a Debian root with debootstrap the first time). Needs root.
//
// The lab (src/lab/netns.ts): a router, Brain and Pinky on one bridge, a web page on each box (the
// router's GET says who serves an address). Pinky runs `takeover run` directly, as in the other
// end-to-end tests. Brain is a systemd (systemd-container.ts) booted as PID 1 of its own PID, mount
// and cgroup namespaces inside Brain's network namespace, on a Debian bookworm root with the packed
// package installed in /usr/local and the unit in /etc/systemd/system, exactly as README-systemd.md
// installs it. Through `nsenter` into that systemd:
//   1. it boots ("running");
//   2. `systemctl start takeover`: the daemon runs sandboxed as the unit says (dynamic user, only
//      CAP_NET_RAW+CAP_NET_ADMIN, no new privileges, seccomp) and holds Brain's .37; the pair's key
//      (auth.keyFile, root's 0600 file) reaches it through a LoadCredential= drop-in, as
//      README-systemd.md says, and Pinky's authenticated frames verify;
//   3. `systemctl reload takeover`: SIGHUP, "reload: applied" in the journal;
//   4. Pinky's link cut: Brain claims Pinky's .36 (the router's GET of .36 answered by Brain);
//      Pinky's link back: Brain hands .36 back;
//   5. `systemctl stop takeover`: the daemon stops, ExecStopPost's `release-all` removes .37, and
//      Pinky takes .37 over;
//   6. `journalctl -u takeover -o json`: the lines carry journald priorities: a claim at notice (5),
//      the peer going down at warning (4), routine lines at info (6). This step needs the daemon's
//      `<N>` line prefixes under journald (the logging work of issue 12); without them every line is
//      at 6 and this step fails, saying so.
// Each step waits a bounded time; the whole run is under `timeout` in the npm script. Whatever
// happens, the after hook (and exit/signal hooks) kill systemd, delete the namespaces and cgroups and
// remove the run's directory. The summary at the end says what each step saw.
import { strict as assert } from "node:assert";
import { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BRAIN, EXAMPLES, PINKY, ROUTER } from "../../src/lab/failover-demo";
import { Lab, listNamespaces } from "../../src/lab/netns";
import { runSync } from "../../src/lab/command";
import { Mac } from "../../src/packets/address";
import { eventually, Lines, routerGet, routerMacFor } from "../failover/e2e-helpers";
import { ensureRoot, PROOF_CACHE, REPO, SystemdContainer } from "./systemd-container";

const CLI = join(REPO, "dist", "src", "cli", "main.js");
const WEB_SERVER = join(REPO, "dist", "src", "lab", "web-server.js");
const UNIT = join(REPO, "deploy", "takeover.service");
const CONFIG = "/etc/takeover/takeover.yaml";
/** The shipped example hook, run for every event: logger(1) to /dev/log, so it needs AF_UNIX and the unit's /dev. */
const HOOK = "/etc/takeover/hooks/log-to-syslog.sh";
/**
 * The pair's shared key, root's and 0600 as README-systemd.md says, which the unit's dynamic user
 * cannot read: the drop-in hands it over with LoadCredential=, and the config names systemd's copy.
 */
const KEY_FILE = "/etc/takeover/pair.key";
const KEY_DROP_IN = "/etc/systemd/system/takeover.service.d/credentials.conf";
const KEY_CREDENTIAL = "/run/credentials/takeover.service/pair.key";
const PAIR_KEY = `${randomBytes(32).toString("base64")}\n`;
/** Where this run's `npm pack` tarball goes; removed in the after hook, or at exit (a signal). */
const PACK_DIR = join(PROOF_CACHE, `pack-${process.pid}`);
process.on("exit", () => rmSync(PACK_DIR, { recursive: true, force: true }));
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The shipped example config as it is: a ping of the peer's real address and a GET of the peer's
 * public address (the lab's web pages answer it). The GET is what makes Pinky take .37 over when
 * Brain's daemon is stopped: Brain's real address still answers pings then.
 */
function configFor(base: "brain" | "pinky", keyFile: string, hook?: string): string {
  const text = `${readFileSync(join(EXAMPLES, `${base}.yaml`), "utf8")}\nauth:\n  keyFile: ${keyFile}\n`;
  return hook === undefined ? text : `${text}\nhooks:\n  all: ${hook}\n`;
}

interface JournalEntry {
  readonly MESSAGE: string;
  readonly PRIORITY: string;
  readonly SYSLOG_IDENTIFIER?: string;
  /** stdout: the daemon's own lines; syslog: a hook's logger(1) lines through /dev/log */
  readonly _TRANSPORT?: string;
  readonly _PID?: string;
}

describe("systemd proof: deploy/takeover.service under a real systemd", function () {
  this.timeout(120_000);
  const summary: { step: string; ok: boolean; note: string }[] = [];
  let lab: Lab | undefined;
  let container: SystemdContainer | undefined;
  let pinky: ChildProcess | undefined;
  let pinkyLines: Lines | undefined;
  let broken: string | undefined;
  const figures: Record<string, string> = {};

  /** Runs a step; a failed step makes the later ones fail at once (they depend on it) unless `independent`. */
  function step(name: string, body: () => Promise<string | void> | string | void, independent = false): void {
    it(name, async function () {
      if (broken !== undefined && !independent) {
        summary.push({ step: name, ok: false, note: `not run: "${broken}" failed` });
        assert.fail(`not run: the step "${broken}" failed`);
      }
      try {
        const note = (await body()) ?? "";
        summary.push({ step: name, ok: true, note });
      } catch (error) {
        if (!independent) broken = name;
        summary.push({ step: name, ok: false, note: (error as Error).message.split("\n")[0] });
        throw error;
      }
    });
  }

  const sh = (argv: readonly string[], timeoutMs = 30_000) => {
    const out = container!.exec(argv, { timeoutMs });
    if (out.status !== 0) throw new Error(`${argv.join(" ")} (inside): exit ${out.status ?? out.signal}: ${out.stderr.trim() || out.stdout.trim()}`);
    return out.stdout;
  };
  /** The unit's journal (`-u takeover`); `tag` instead reads every line logged with that syslog identifier. */
  const journal = (tag?: string): JournalEntry[] =>
    sh(["journalctl", ...(tag === undefined ? ["-u", "takeover"] : ["-t", tag]), "-o", "json", "--no-pager", "--output-fields=MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,_PID,_TRANSPORT"])
      .split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as JournalEntry)
      .map((e) => ({ ...e, MESSAGE: Array.isArray(e.MESSAGE) ? Buffer.from(e.MESSAGE as unknown as number[]).toString() : e.MESSAGE }));
  const journalText = (): string => journal().map((e) => `<${e.PRIORITY}> ${e.MESSAGE}`).join("\n");
  async function journalLine(pattern: RegExp, timeoutMs: number, what: string, after = 0): Promise<JournalEntry> {
    let found: JournalEntry | undefined;
    const ok = await eventually(() => (found = journal().slice(after).find((e) => pattern.test(e.MESSAGE))) !== undefined, timeoutMs);
    if (!ok || found === undefined) throw new Error(`${what}: no journal line matching ${pattern} within ${timeoutMs} ms; the unit's journal:\n${journalText()}`);
    return found;
  }
  const addressesOf = (host: string): string => lab!.exec(host, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"], { check: true }).stdout;
  const pinkyText = (): string => `\n--- Pinky's daemon:\n${pinkyLines?.lines.map((l) => l.text).join("\n") ?? ""}`;

  before(async function () {
    this.timeout(25 * 60_000);
    if (process.getuid?.() !== 0) throw new Error("takeover: systemd proof: needs root (network namespaces, mounts, a systemd as PID 1); run it as root");
    const root = ensureRoot();
    figures["root build"] = root.buildSeconds === 0 ? "cached" : `${root.buildSeconds.toFixed(0)} s`;

    lab = await Lab.create({
      hosts: [
        { name: ROUTER.name, address: `${ROUTER.address}/24`, mac: ROUTER.mac },
        { name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac },
        { name: PINKY.name, address: `${PINKY.address}/24`, mac: PINKY.mac },
      ],
    });
    for (const box of [BRAIN, PINKY]) lab.spawn(box.name, [process.execPath, WEB_SERVER, box.name]);

    const started = Date.now();
    container = SystemdContainer.prepare({
      base: root.root,
      netns: lab.ns(BRAIN.name),
      prefix: lab.prefix,
      files: {
        [CONFIG]: { text: configFor("brain", KEY_CREDENTIAL, HOOK), mode: 0o644 },
        [KEY_FILE]: { text: PAIR_KEY, mode: 0o600 },
        [KEY_DROP_IN]: { text: `[Service]\nLoadCredential=pair.key:${KEY_FILE}\n`, mode: 0o644 },
        [HOOK]: { text: readFileSync(join(EXAMPLES, "hooks", "log-to-syslog.sh"), "utf8"), mode: 0o755 },
      },
      copies: { "etc/systemd/system/takeover.service": UNIT },
      packageTarball: packTarball(),
    });
    figures["package install"] = `${((Date.now() - started) / 1000).toFixed(0)} s`;
  });

  after(async function () {
    this.timeout(60_000);
    if (pinky !== undefined && pinky.exitCode === null && pinky.signalCode === null) pinky.kill("SIGTERM");
    const problems = container?.destroySync() ?? [];
    rmSync(PACK_DIR, { recursive: true, force: true });
    const prefix = lab?.prefix;
    await lab?.destroy();
    if (prefix !== undefined) {
      const left = listNamespaces().filter((n) => n.startsWith(prefix));
      if (left.length > 0) problems.push(`namespaces left: ${left.join(", ")}`);
    }
    const width = Math.max(...summary.map((s) => s.step.length));
    console.log("\n  systemd proof summary");
    for (const s of summary) console.log(`    ${s.ok ? "PASS" : "FAIL"}  ${s.step.padEnd(width)}  ${s.note}`);
    for (const [k, v] of Object.entries(figures)) console.log(`    ${k}: ${v}`);
    console.log(`  ${summary.length > 0 && summary.every((s) => s.ok) ? "PASS" : "FAIL"}: ${summary.filter((s) => s.ok).length} of ${summary.length} steps passed`);
    if (problems.length > 0) throw new Error(`cleanup: ${problems.join("; ")}`);
  });

  step("systemd boots as PID 1 of its own namespaces (systemctl is-system-running)", async () => {
    const started = Date.now();
    const state = await container!.boot(90_000);
    figures["boot"] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (state !== "running") {
      const failed = container!.exec(["systemctl", "--failed", "--no-legend", "--plain"]).stdout.trim();
      throw new Error(`is-system-running says "${state}"; failed units: ${failed || "none"}\n${container!.bootOutput}`);
    }
    return `is-system-running: ${state}`;
  });

  step("systemctl start takeover: sandboxed as the unit says, Brain holds .37", async () => {
    // Pinky: a plain daemon in its namespace, as in the other end-to-end tests
    const pinkyConfig = join(container!.run, "pinky.yaml");
    const pinkyKey = join(container!.run, "pair.key");
    writeFileSync(pinkyKey, PAIR_KEY, { mode: 0o600 });
    writeFileSync(pinkyConfig, configFor("pinky", pinkyKey), { mode: 0o644 });
    pinky = lab!.spawn(PINKY.name, [process.execPath, CLI, "run", pinkyConfig]);
    pinkyLines = new Lines(pinky);

    sh(["systemctl", "daemon-reload"]);
    sh(["systemctl", "start", "takeover"], 60_000);
    const l = lab!;
    const steady = await eventually(() => routerGet(l, BRAIN.publicAddress) === "brain" && routerGet(l, PINKY.publicAddress) === "pinky", 20_000);
    assert.ok(steady, `steady state not reached: the router's GET of .37 → ${routerGet(l, BRAIN.publicAddress)}, of .36 → ${routerGet(l, PINKY.publicAddress)}\n${sh(["systemctl", "status", "takeover", "--no-pager", "-l"]).trim()}${pinkyText()}`);
    assert.equal(routerMacFor(l, BRAIN.publicAddress), Mac.parse(BRAIN.mac).toString(), "the router's neighbour entry for .37 is Brain's MAC");
    assert.match(addressesOf(BRAIN.name), new RegExp(`inet ${escape(BRAIN.publicAddress)}/24 .*eth0:vip`), ".37 is on Brain's eth0, labelled");

    // the daemon as systemd started it (its pid inside the container)
    const mainPid = sh(["systemctl", "show", "takeover", "-p", "MainPID", "--value"]).trim();
    const status = Object.fromEntries(sh(["cat", `/proc/${mainPid}/status`]).split("\n").map((line) => line.split(/:\s*/, 2) as [string, string]));
    assert.notEqual(status.Uid.split(/\s+/)[0], "0", "not root: DynamicUser=");
    assert.equal(BigInt(`0x${status.CapEff}`), (1n << 12n) | (1n << 13n), `CapEff is exactly CAP_NET_ADMIN|CAP_NET_RAW, is 0x${status.CapEff}`);
    assert.equal(BigInt(`0x${status.CapBnd}`), (1n << 12n) | (1n << 13n), `CapBnd is exactly CAP_NET_ADMIN|CAP_NET_RAW, is 0x${status.CapBnd}`);
    assert.equal(status.NoNewPrivs, "1", "NoNewPrivileges=");
    assert.equal(status.Seccomp, "2", "SystemCallFilter= (seccomp filter mode)");
    const user = sh(["systemctl", "show", "takeover", "-p", "User", "--value"]).trim();
    // the pair key reached the dynamic user through LoadCredential=: Pinky's tagged frames verify
    await journalLine(/authenticated frame/, 10_000, "Brain accepts Pinky's authenticated frames (auth.keyFile from LoadCredential=)");
    // its status listener answers on Brain's loopback
    const metrics = lab!.exec(BRAIN.name, [process.execPath, "-e", "fetch('http://127.0.0.1:9337/metrics').then(r=>r.text()).then(t=>console.log(t),e=>{console.error(e.message);process.exit(1)})"], { timeoutMs: 10_000 });
    assert.equal(metrics.status, 0, `GET 127.0.0.1:9337/metrics in Brain's namespace: ${metrics.stderr}`);
    assert.match(metrics.stdout, /^takeover_/m, "the status listener serves takeover_* metrics");
    return `MainPID ${mainPid} user ${user} uid ${status.Uid.split(/\s+/)[0]}, CapEff 0x${status.CapEff.replace(/^0+/, "")}, NoNewPrivs 1, Seccomp 2; pair key via LoadCredential; router: .37 → brain`;
  });

  step("systemctl reload takeover: SIGHUP, the config applied again", async () => {
    const before = journal().length;
    sh(["systemctl", "reload", "takeover"]);
    const line = await journalLine(/ reload: applied /, 10_000, "reload", before);
    assert.equal(sh(["systemctl", "is-active", "takeover"]).trim(), "active");
    return line.MESSAGE;
  });

  step("Pinky cut: Brain claims .36; Pinky back: Brain hands .36 back", async () => {
    const before = journal().length;
    const l = lab!;
    const brainMac = Mac.parse(BRAIN.mac).toString();
    const pinkyMac = Mac.parse(PINKY.mac).toString();
    lab!.cut(PINKY.name);
    await journalLine(/ peer-down[: ]/, 10_000, "Brain sees Pinky down", before);
    const claim = await journalLine(new RegExp(`claim ${escape(PINKY.publicAddress)}`), 10_000, "Brain claims .36", before);
    assert.ok(await eventually(() => routerMacFor(l, PINKY.publicAddress) === brainMac && routerGet(l, PINKY.publicAddress) === "brain", 10_000),
      `the router should send .36 to Brain: neighbour ${routerMacFor(l, PINKY.publicAddress)}, GET → ${routerGet(l, PINKY.publicAddress)}`);
    const cutDone = journal().length;
    lab!.restore(PINKY.name);
    const back = await journalLine(new RegExp(`(yield|hand-back|release) ${escape(PINKY.publicAddress)}`), 15_000, "Brain hands .36 back", cutDone);
    assert.ok(await eventually(() => routerMacFor(l, PINKY.publicAddress) === pinkyMac && routerGet(l, PINKY.publicAddress) === "pinky", 10_000),
      `the router should send .36 to Pinky again: neighbour ${routerMacFor(l, PINKY.publicAddress)}, GET → ${routerGet(l, PINKY.publicAddress)}${pinkyText()}`);
    assert.ok(await eventually(() => !addressesOf(BRAIN.name).includes(`inet ${PINKY.publicAddress}/`), 5000), ".36 is gone from Brain's eth0");
    return `${claim.MESSAGE.replace(/^\S+ /, "")} … ${back.MESSAGE.replace(/^\S+ /, "")}`;
  });

  step("the example hook ran sandboxed: its logger(1) lines reached the journal at warning and notice", () => {
    // logger(1) exits before journald reads its message, so the line may not be tied to the unit: read by its tag
    const hookLines = journal("takeover").filter((e) => e._TRANSPORT === "syslog");
    const text = hookLines.map((e) => `<${e.PRIORITY}> ${e.MESSAGE}`).join("\n");
    const peerDown = hookLines.find((e) => /: peer-down /.test(e.MESSAGE));
    const claimed = hookLines.find((e) => new RegExp(`: claimed ${escape(PINKY.publicAddress)} `).test(e.MESSAGE));
    assert.ok(peerDown !== undefined && claimed !== undefined, `the hook's peer-down and claimed lines are in the journal (journalctl -t takeover); its lines:\n${text}\nthe whole journal:\n${sh(["journalctl", "--no-pager", "-n", "200"])}`);
    assert.equal(peerDown.PRIORITY, "4", "log-to-syslog.sh logs peer-down at daemon.warning");
    assert.equal(claimed.PRIORITY, "5", "log-to-syslog.sh logs claimed at daemon.notice");
    return `${hookLines.length} hook lines, e.g. <${claimed.PRIORITY}> ${claimed.MESSAGE}`;
  }, true);

  step("systemctl stop takeover: .37 released (ExecStopPost release-all), Pinky takes .37 over", async () => {
    const before = journal().length;
    const pinkySince = pinkyLines!.lines.length;
    sh(["systemctl", "stop", "takeover"], 30_000);
    const state = container!.exec(["systemctl", "is-active", "takeover"]).stdout.trim();
    assert.equal(state, "inactive", `after stop the unit is inactive, not "${state}"`);
    const result = sh(["systemctl", "show", "takeover", "-p", "Result", "--value"]).trim();
    assert.equal(result, "success", "the daemon exited cleanly on SIGTERM");
    const released = await journalLine(new RegExp(`removed ${escape(BRAIN.publicAddress)}/24 from eth0`), 5000, "ExecStopPost release-all removes .37", before);
    assert.ok(!addressesOf(BRAIN.name).includes(`inet ${BRAIN.publicAddress}/`), ".37 is gone from Brain's eth0");
    const l = lab!;
    await pinkyLines!.wait(new RegExp(`claim ${escape(BRAIN.publicAddress)}`), 20_000, "Pinky claims .37", pinkyLines!.lines[pinkySince]?.t ?? 0);
    assert.ok(await eventually(() => routerGet(l, BRAIN.publicAddress) === "pinky", 10_000), `the router's GET of .37 should be answered by Pinky${pinkyText()}`);
    return released.MESSAGE;
  });

  step("journalctl -u takeover -o json: claim at notice (5), peer-down at warning (4), routine at info (6)", () => {
    const entries = journal().filter((e) => e._TRANSPORT === "stdout"); // the daemon's lines, not the hook's
    const excerpt = entries.map((e) => `PRIORITY=${e.PRIORITY} ${e.MESSAGE}`);
    figures["journal excerpt"] = `\n      ${excerpt.slice(0, 40).join("\n      ")}`;
    const priorityOf = (pattern: RegExp): string | undefined => entries.find((e) => pattern.test(e.MESSAGE))?.PRIORITY;
    const seen = { claim: priorityOf(new RegExp(` claim ${escape(PINKY.publicAddress)}`)), "peer-down": priorityOf(/ peer-down[: ]/), "reload applied": priorityOf(/ reload: applied /) };
    const wrong = Object.entries({ claim: "5", "peer-down": "4", "reload applied": "6" }).filter(([k, want]) => seen[k as keyof typeof seen] !== want);
    assert.deepEqual(wrong.map(([k, want]) => `${k}: PRIORITY ${seen[k as keyof typeof seen] ?? "(no line)"}, want ${want}`), [],
      `journald priorities (these come from the daemon's "<N>" prefixes under JOURNAL_STREAM; without them every line is 6):\n${excerpt.join("\n")}`);
    return `claim 5, peer-down 4, reload 6 (${entries.length} lines)`;
  }, true);
});

/** `npm pack` of this checkout (built by the npm script) into PACK_DIR; returns the tarball's path. */
function packTarball(): string {
  mkdirSync(PACK_DIR, { recursive: true });
  const out = runSync(["npm", "pack", REPO, "--silent", "--pack-destination", PACK_DIR], { timeoutMs: 120_000 });
  if (out.status !== 0) throw new Error(`npm pack failed: ${out.stderr}`);
  return join(PACK_DIR, out.stdout.trim().split("\n").pop() ?? "");
}

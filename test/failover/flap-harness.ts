// The machinery of the flap suites (flap.test.ts, IPv4 with four public addresses per box;
// flap6.test.ts, dual-stack): one lab, one pair of daemons and one Mallory per (outage kind,
// settings), a box's link taken away for a random 0.2–3 s and given back, Brain and Pinky by turns,
// Mallory forging claims at each outage's start, judged from outside (outside-view.ts) during an
// outage of 1 s or more (the survivor holds every public address, the router's entries and its ARP
// requests or Neighbor Solicitations answered by the survivor's MAC alone, its GETs served by the
// survivor) and after each (every address home, one answerer), and a failure naming the cycle, the
// outage, the seed, the states seen and both daemons' logs. What differs between the suites (the
// boxes and their addresses, the lab, the settings, Mallory's frames, how many cycles by default) is
// a FlapSuite; the test files say what they judge. A plain module, not a test file.
//
// Environment: FLAP_SEED=N replays the outages of a run (box, length, order; the seed is printed),
// FLAP_CYCLES=N runs N cycles per combination instead of the suite's default, FLAP_KEEP_GOING=1
// does not stop at the first failing cycle but reports every one at the end (diagnosis only: a
// state left wrong by one cycle is reported again by the next).
import { strict as assert } from "node:assert";
import { randomInt } from "node:crypto";
import { rmSync } from "node:fs";
import { run } from "../../src/lab/command";
import { LabScenario, ROUTER, ScenarioOptions, startScenario } from "../../src/lab/failover-demo";
import { Lab, listNamespaces, OutageKind } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";
import { Ipv4, Mac } from "../../src/packets/address";
import { arpReply, arpRequest, gratuitousReply, gratuitousRequest } from "../../src/packets/arp";
import { ETHERTYPE_ARP } from "../../src/packets/ethernet";
import { encodeFrame } from "../../src/packets/frame";
import { lastServer, Lines, sleep, timeline } from "./e2e-helpers";
import { addMallory, MALLORY, MallorySender } from "./mallory";
import { addressesIn, addressProblems, arpAnswerProblems, Box, Holder, JudgeError, lookFromOutside, OutsideView, problemsOf, publicAddressesOf, routerEntryProblems, summary } from "./outside-view";
import { Random } from "../../src/sim/random";

const SEED = process.env.FLAP_SEED === undefined ? randomInt(1, 2 ** 31) : Number(process.env.FLAP_SEED);
const KEEP_GOING = process.env.FLAP_KEEP_GOING === "1";
/** The cycles per combination: FLAP_CYCLES, or the suite's default. */
function cyclesOf(defaultCycles: number): number {
  const cycles = process.env.FLAP_CYCLES === undefined ? defaultCycles : Number(process.env.FLAP_CYCLES);
  for (const [name, value] of [["FLAP_CYCLES", cycles], ["FLAP_SEED", SEED]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: "${process.env[name]}" is not a whole number ≥ 1`);
  }
  return cycles;
}
const OUTAGE_MIN_MS = 200;
const OUTAGE_MAX_MS = 3000;
/** How often the state is looked at while waiting for it to settle. */
const POLL_MS = 50;
/** The longest wait, from the link's return, for the home state. */
const SETTLE_LIMIT_MS = 5000;
/** Daemon log lines given in a failure message, per daemon. */
const LOG_TAIL = KEEP_GOING ? 30 : 80;

/** The longest wait, from the outage's start and Mallory's frames, for the failover state. */
const FAILOVER_LIMIT_MS = 10_000;
/** Outages at least this long are judged while they last (the failover); shorter ones only after. */
const FAILOVER_JUDGED_FROM_MS = 1000;
/** Mallory's forged frames at each outage's start: rounds, this far apart. */
const MALLORY_ROUNDS = 3;
const MALLORY_INTERVAL_MS = 150;
/** How often the failover state is looked at while it is held (the home state's hold: every POLL_MS). */
const FAILOVER_POLL_MS = 200;

const ROUTER_SIDE = { name: ROUTER.name, iface: "eth0" };

/** Each box's own public addresses only: the home state. */
const atHome = (homes: readonly Box[]): Record<string, Holder> => Object.fromEntries(homes.flatMap((h) => publicAddressesOf(h).map((a) => [a, h.name] as const)));
/** Every public address of both boxes on `survivor`: the failover state. */
const allOn = (homes: readonly Box[], survivor: Box): Record<string, Holder> => Object.fromEntries(homes.flatMap(publicAddressesOf).map((a) => [a, survivor.name] as const));

/**
 * Who the router's HTTP watcher last found serving each address, against `holders`. `strict`: it
 * must be the holder (to reach a state); else only another box serving counts (while holding it: a
 * GET with no answer in time says nothing on a loaded machine).
 */
function httpProblems(s: LabScenario, homes: readonly Box[], holders: Readonly<Record<string, Holder>>, strict: boolean): string[] {
  const problems: string[] = [];
  for (const [address, holder] of Object.entries(holders)) {
    const should = typeof holder === "string" ? holder : holder.routerAt;
    const served = lastServer(s, address);
    const wrong = strict ? served !== should : served !== undefined && served !== should && homes.some((h) => h.name === served);
    if (wrong) problems.push(`the router's GET to ${address} was last answered by ${served ?? "nobody yet"}; it should be by ${should}`);
  }
  return problems;
}

/**
 * What is wrong in `view` against the home state: the router's entries and ARP (NDP) answers
 * (problemsOf), each box with exactly its real address and its own public addresses, no other
 * (addressProblems), and who serves the router's GETs (httpProblems).
 */
function wrongAtHome(s: LabScenario, homes: readonly Box[], view: OutsideView, strict: boolean): string[] {
  const home = atHome(homes);
  return [...problemsOf(view, homes), ...addressProblems(view, homes, home), ...httpProblems(s, homes, home, strict)];
}

/**
 * What is wrong in `view` while `out` is cut off: the survivor with exactly its real address and
 * every public one, `out` with none of them (its real address may be gone with its interface), the
 * router's entry for each usable and at the survivor's MAC, the survivor's MAC alone answering the
 * router's ARP requests and Neighbor Solicitations (when asked), and the survivor serving the
 * router's GETs.
 */
function wrongFailedOver(s: LabScenario, homes: readonly Box[], view: OutsideView, out: Box, survivor: Box, strict: boolean): string[] {
  const holders = allOn(homes, survivor);
  const left = (view.held.get(out.name) ?? []).filter((a) => a in holders);
  return [
    ...addressProblems(view, [survivor], holders),
    ...(left.length > 0 ? [`${out.name}, cut off, still has ${left.join(", ")}`] : []),
    ...routerEntryProblems(view, homes, holders),
    ...arpAnswerProblems(view, homes, holders),
    ...httpProblems(s, homes, holders, strict),
  ];
}

/** Mallory's MAC: the one her forged frames claim addresses at. */
export const EVIL = Mac.parse(MALLORY.mac);
const arpFrame = (destination: Mac, record: ReturnType<typeof arpRequest>) => encodeFrame({ ethernet: { destination, source: EVIL, etherType: ETHERTYPE_ARP }, arp: record });

/** Mallory's gratuitous claims of the IPv4 `address` at her MAC: both forms, a request and a reply. */
export function arpClaims(address: string): Uint8Array[] {
  return [arpFrame(Mac.BROADCAST, gratuitousRequest(EVIL, Ipv4.parse(address))), arpFrame(Mac.BROADCAST, gratuitousReply(EVIL, Ipv4.parse(address)))];
}

/** Mallory posing as `out` (its real address at her MAC): a broadcast ARP request "from" it, and an ARP reply "from" it to the survivor. */
export function arpPosingAs(out: Box, survivor: Box): Uint8Array[] {
  return [
    arpFrame(Mac.BROADCAST, arpRequest(EVIL, Ipv4.parse(out.address), Ipv4.parse(ROUTER.address))),
    arpFrame(Mac.parse(survivor.mac), arpReply(EVIL, Ipv4.parse(out.address), Mac.parse(survivor.mac), Ipv4.parse(survivor.address))),
  ];
}

export interface FlapSettings {
  readonly name: string;
  /**
   * How long the home state must last once reached. A wrong claim that a link's return sets off
   * comes at the latest after `fall` failed checks and a claim: fall × interval + probes ×
   * probeInterval + probeWait, with a margin; never less than 300 ms.
   */
  readonly holdMs: number;
  /** config files for startScenario, with the suite's public addresses */
  configs(tempDirs: string[]): { brainConfig: string; pinkyConfig: string };
}

export const FLAP_KINDS: readonly { kind: OutageKind; text: string }[] = [
  { kind: "carrier", text: "carrier loss at the switch port" },
  { kind: "admin", text: "administrative down on the box" },
  { kind: "recreate", text: "interface removed and made again" },
];

/** What one flap suite is: its boxes, lab, settings and Mallory's frames. */
export interface FlapSuite {
  /** the describe block's title, given the cycles per combination */
  title(cycles: number): string;
  /** what each test judges, after "<kind>, <settings>: " */
  judged: string;
  /** cycles per combination without FLAP_CYCLES */
  defaultCycles: number;
  /** Brain and Pinky with every public address each is the home of */
  brain: Box;
  pinky: Box;
  /** the lab: the same addresses as `brain` and `pinky` (publicAddresses), IPv6 or not */
  scenario: Pick<ScenarioOptions, "publicAddresses" | "ipv6">;
  settings: readonly FlapSettings[];
  /**
   * Mallory's frames for the `turn`th outage of `out` (the same turn for both boxes' outages of a
   * round), and the addresses she claims in them (for the failure message).
   */
  forgedFrames(out: Box, survivor: Box, turn: number): { frames: Uint8Array[]; claimed: string[] };
}

/** The interface as `ip -j link` shows it inside the box, or undefined when it does not exist. */
async function linkOf(lab: Lab, host: string): Promise<{ ifindex: number; flags: string[]; address: string } | undefined> {
  const out = await run(["ip", "-n", lab.ns(host), "-j", "link", "show", "dev", lab.interfaceOf(host)], { timeoutMs: 10_000 });
  if (out.status !== 0) {
    if (/does not exist/i.test(out.stderr)) return undefined;
    throw new JudgeError(`ip link in ${host}'s namespace: exit ${out.status}: ${out.stderr.trim()}`);
  }
  const [info] = JSON.parse(out.stdout) as Array<{ ifindex: number; flags: string[]; address: string }>;
  return info;
}

/** What `kind` must look like from inside the box while the outage lasts; undefined when it does. */
async function outageVisible(lab: Lab, host: string, kind: OutageKind): Promise<string | undefined> {
  const link = await linkOf(lab, host);
  if (kind === "recreate") return link === undefined ? undefined : `${host}'s eth0 still exists (flags ${link.flags.join(",")})`;
  if (link === undefined) return `${host}'s eth0 is gone`;
  if (kind === "admin") return link.flags.includes("UP") ? `${host}'s eth0 is still UP (flags ${link.flags.join(",")})` : undefined;
  return link.flags.includes("LOWER_UP") ? `${host}'s eth0 still has carrier (flags ${link.flags.join(",")})` : undefined;
}

/** Registers the suite's describe block: one test per (settings, outage kind). */
export function describeFlaps(suite: FlapSuite): void {
  const CYCLES = cyclesOf(suite.defaultCycles);
  const HOMES: readonly Box[] = [suite.brain, suite.pinky];
  const SETTINGS = suite.settings;
  const KINDS = FLAP_KINDS;
  const wrongHome = (s: LabScenario, view: OutsideView, strict: boolean) => wrongAtHome(s, HOMES, view, strict);

  describe(suite.title(CYCLES), function () {
    // each cycle at most 3 s (or until the failover state, at most 10 s) + 5 s + hold; a healthy combination of 20 takes about a minute
    this.timeout(Math.max(60_000, CYCLES * 10_000 + 30_000));
    let scenario: LabScenario | undefined;
    let mallory: Lab | undefined;
    let sender: MallorySender | undefined;
    const prefixes: string[] = [];
    const tempDirs: string[] = [];

    before(() => {
      process.stdout.write(`      (flap seed ${SEED}; FLAP_SEED=${SEED} replays these outages)\n`);
    });

    afterEach(async function () {
      await sender?.stop();
      sender = undefined;
      await scenario?.destroy();
      scenario = undefined;
      await mallory?.destroy();
      mallory = undefined;
      for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      const left = listNamespaces().filter((n) => prefixes.some((p) => n.startsWith(p)));
      prefixes.length = 0;
      assert.deepEqual(left, [], "the lab's namespaces are gone");
    });

    SETTINGS.forEach((settings, si) => {
      KINDS.forEach(({ kind, text }, ki) => {
        it(`${text}, ${settings.name}: ${suite.judged}`, async () => {
          const seed = (SEED + 7919 * (si * KINDS.length + ki)) % 2 ** 31;
          await flaps(kind, text, settings, seed);
        });
      });
    });

    async function flaps(kind: OutageKind, kindText: string, settings: FlapSettings, seed: number): Promise<void> {
      const generator = new Random(seed);
      const random = (): number => generator.next();
      scenario = await startScenario({ ...settings.configs(tempDirs), httpIntervalMs: 100, ...suite.scenario });
      const s = scenario;
      const lab = s.lab;
      prefixes.push(lab.prefix);
      const logs = { brain: new Lines(s.daemon("brain")), pinky: new Lines(s.daemon("pinky")) };
      const started = await s.settled(15_000);
      assert.deepEqual(started.missing, [], `steady state not reached:\n${timeline(s.events, started.startedAt)}`);
      mallory = await addMallory(s);
      prefixes.push(mallory.prefix);
      sender = await MallorySender.start(mallory);
      const forger = sender;

      const arpRequests = Math.max(2, Math.ceil(settings.holdMs / 100));
      const failures: string[] = [];
      const settleTimes: number[] = [];
      const failoverTimes: number[] = [];
      const outages = { brain: 0, pinky: 0 };
      let cycleStart = hrtimeMicros();
      let lastFailed = false;

      /**
       * A failure message: where, what, the states seen, the router's timeline and both daemons' logs;
       * times relative to `zero` (µs), the link's return or the outage's start.
       */
      const report = (cycle: number, what: string, history: readonly string[], zero: number, from = "the link came back"): string => {
        const since = cycleStart - 1_000_000;
        const tail = (lines: Lines) => {
          const recent = lines.lines.filter((l) => l.t >= since);
          const shown = recent.length > 0 ? recent : lines.lines;
          return shown.slice(-LOG_TAIL).map((l) => `    ${l.text}`).join("\n");
        };
        const router = s.events.filter((e) => e.source === "router" && e.t >= since);
        return [
          `${kindText}, ${settings.name}, seed ${seed} (FLAP_SEED=${SEED}), cycle ${cycle} of ${CYCLES}: ${what}`,
          history.length > 0 ? `  states seen (ms after ${from}):\n${history.map((h) => `    ${h}`).join("\n")}` : "",
          router.length > 0 ? `  the router's neighbour entries and GETs changing (ms after ${from}):\n${timeline(router, zero)}` : "",
          ...(["brain", "pinky"] as const).map((name) => {
            // who each daemon takes for its peer, since the start: a wrong peer MAC outlives the cycle that taught it
            const identity = logs[name].matching(/ peer-mac: /).map((l) => `    ${l.text}`);
            return identity.length > 0 ? `  ${name}'s peer-mac lines since the start:\n${identity.slice(-20).join("\n")}` : "";
          }),
          `  brain's log:\n${tail(logs.brain)}`,
          `  pinky's log:\n${tail(logs.pinky)}`,
        ].filter((x) => x !== "").join("\n");
      };
      const fail = (cycle: number, what: string, history: readonly string[], zero = hrtimeMicros(), from?: string): void => {
        const message = report(cycle, what, history, zero, from);
        if (!KEEP_GOING) assert.fail(message);
        failures.push(message);
        process.stdout.write(`      cycle ${cycle}: FAILED: ${what.split("\n")[0]}\n`);
      };
      const daemonsGone = (): string | undefined => {
        for (const name of ["brain", "pinky"] as const) {
          const d = s.daemon(name);
          if (d.exitCode !== null || d.signalCode !== null) return `${name}'s daemon ended (${d.exitCode ?? d.signalCode})`;
        }
        return undefined;
      };

      /**
       * Waits for the state `wrong` finds nothing in (strict), then holds it for `holdMs()` ms
       * (computed when reached; with `holdArpRequests(holdMs)` ARP requests of the router's spread over
       * it, when > 0) while `wrong` (not strict) still finds nothing; a hold that breaks is waited for
       * again. Returns what was still wrong when `limitMs` ran out (nothing: reached and held), and
       * the time from `since` (µs) to the state.
       */
      const reach = async (
        wrong: (view: OutsideView, strict: boolean) => string[],
        since: number,
        history: string[],
        limitMs: number,
        holdMs: () => number,
        holdArpRequests: (holdMs: number) => number,
        holdPollMs = POLL_MS,
      ): Promise<{ problems?: string[]; afterMs: number }> => {
        let last = "";
        const note = (view: OutsideView) => {
          const line = summary(view, HOMES);
          if (line !== last) history.push(`${`+${((view.t - since) / 1000).toFixed(0)}`.padStart(6)}  ${line}`);
          last = line;
        };
        const judge = (view: OutsideView, strict: boolean) => [daemonsGone(), ...wrong(view, strict)].filter((x): x is string => x !== undefined);
        const deadline = Date.now() + limitMs;
        let problems: string[] = [];
        for (;;) {
          const view = await lookFromOutside(lab, ROUTER_SIDE, HOMES);
          note(view);
          problems = judge(view, true);
          if (problems.length === 0) {
            // the hold: ARP requests from the router spread over it, the boxes and the router's entries every POLL_MS
            const reachedAt = view.t;
            const hold = holdMs();
            const requests = holdArpRequests(hold);
            const answers = requests > 0 ? lookFromOutside(lab, ROUTER_SIDE, HOMES, requests) : undefined;
            const holdEnd = Date.now() + hold;
            while (problems.length === 0 && Date.now() < holdEnd) {
              await sleep(Math.min(holdPollMs, Math.max(0, holdEnd - Date.now())));
              const v = await lookFromOutside(lab, ROUTER_SIDE, HOMES);
              note(v);
              problems = judge(v, false);
            }
            if (answers !== undefined) {
              const asked = await answers;
              note(asked);
              if (problems.length === 0) problems = judge(asked, false);
            }
            if (problems.length === 0) {
              const final = await lookFromOutside(lab, ROUTER_SIDE, HOMES);
              note(final);
              problems = judge(final, false);
            }
            if (problems.length === 0) return { afterMs: (reachedAt - since) / 1000 };
            // lost during the hold: waited for again, within the same limit
          }
          if (Date.now() >= deadline) {
            // the last look, with the router's ARP requests too: who answers for what
            const asked = await lookFromOutside(lab, ROUTER_SIDE, HOMES, Math.max(2, holdArpRequests(settings.holdMs)));
            note(asked);
            const wrongLast = judge(asked, true);
            return { problems: wrongLast.length > 0 ? wrongLast : problems, afterMs: (hrtimeMicros() - since) / 1000 };
          }
          await sleep(POLL_MS);
        }
      };

      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const [box, survivor] = cycle % 2 === 1 ? [suite.brain, suite.pinky] : [suite.pinky, suite.brain];
        const outageMs = Math.round(OUTAGE_MIN_MS + random() * (OUTAGE_MAX_MS - OUTAGE_MIN_MS));
        const judged = outageMs >= FAILOVER_JUDGED_FROM_MS;
        const forged = suite.forgedFrames(box, survivor, Math.floor((cycle - 1) / 2));
        cycleStart = hrtimeMicros();

        // what the last cycle left must still be the home state (after a failed one, FLAP_KEEP_GOING, it is known not to be)
        const before = await lookFromOutside(lab, ROUTER_SIDE, HOMES);
        const wrongBefore = [daemonsGone(), ...wrongHome(s, before, true)].filter((x): x is string => x !== undefined);
        if (wrongBefore.length > 0 && !lastFailed) {
          fail(cycle, `before the outage, although the last cycle had settled: ${wrongBefore.join("; ")}`, [summary(before, HOMES)]);
        }
        lastFailed = false;

        const linkBefore = await linkOf(lab, box.name);
        const t0 = Date.now();
        const down = new Date(t0);
        const downAt = hrtimeMicros();
        lab.beginOutage(box.name, kind);
        const forging = forger.send(forged.frames, MALLORY_ROUNDS, MALLORY_INTERVAL_MS);
        const visible = await outageVisible(lab, box.name, kind);
        if (visible !== undefined) throw new Error(`the outage (${kind}) did not happen: ${visible}`);
        const what = `${box.name} cut off (${kind}) for ${outageMs} ms from ${down.toISOString()}, Mallory claiming ${forged.claimed.join(" and ")} and posing as ${box.name}`;
        if (judged) {
          // the failover, once Mallory has sent everything: held until the outage ends
          const sent = await forging;
          assert.equal(sent.errors, 0, "Mallory's frames were sent");
          const history: string[] = [];
          const failover = await reach(
            (view, strict) => wrongFailedOver(s, HOMES, view, box, survivor, strict),
            downAt,
            history,
            FAILOVER_LIMIT_MS,
            () => Math.max(0, t0 + outageMs - Date.now()),
            (hold) => (hold >= 700 ? 2 : 0),
            FAILOVER_POLL_MS,
          );
          if (failover.problems !== undefined) {
            lastFailed = true;
            fail(cycle, `${what}: the failover state was not reached and held (at most ${FAILOVER_LIMIT_MS} ms after Mallory's frames, until the outage's end): ${failover.problems.join("; ")}`, history, downAt, "the outage began");
          } else {
            failoverTimes.push(failover.afterMs);
          }
        }
        await sleep(Math.max(0, outageMs - (Date.now() - t0)));
        lab.endOutage(box.name, kind);
        const back = hrtimeMicros();
        const up = new Date();
        outages[box.name as "brain" | "pinky"]++;

        // the link is really back: up, with carrier, the same MAC, its real address; a new interface for recreate
        let linkAfter = await linkOf(lab, box.name);
        for (let i = 0; i < 20 && !(linkAfter?.flags.includes("LOWER_UP") ?? false); i++) {
          await sleep(50);
          linkAfter = await linkOf(lab, box.name);
        }
        assert.ok(linkAfter !== undefined && linkAfter.flags.includes("UP") && linkAfter.flags.includes("LOWER_UP"), `${box.name}'s eth0 is back up with carrier after the outage (${JSON.stringify(linkAfter)})`);
        assert.equal(linkAfter.address, box.mac, `${box.name}'s eth0 has its MAC`);
        if (kind === "recreate") assert.notEqual(linkAfter.ifindex, linkBefore?.ifindex, `${box.name}'s eth0 is a new interface`);
        assert.ok((await addressesIn(lab, box.name)).includes(box.address), `${box.name}'s eth0 has its real address ${box.address}`);
        // a short outage: Mallory's frames go on into the link's return; the home state is judged once they are sent
        if (!judged) assert.equal((await forging).errors, 0, "Mallory's frames were sent");

        const history: string[] = [];
        const settled = await reach((view, strict) => wrongHome(s, view, strict), back, history, SETTLE_LIMIT_MS, () => settings.holdMs, () => arpRequests);
        if (settled.problems !== undefined) {
          lastFailed = true;
          fail(cycle, `${what} (back at ${up.toISOString()}); ${SETTLE_LIMIT_MS} ms after it came back and Mallory's frames were sent, still: ${settled.problems.join("; ")}`, history, back);
        } else {
          settleTimes.push(settled.afterMs);
        }
      }

      // and it lasts: one more look, with ARP, after a second of quiet
      await sleep(1000);
      const last = await lookFromOutside(lab, ROUTER_SIDE, HOMES, arpRequests);
      const wrongAtEnd = [daemonsGone(), ...wrongHome(s, last, true)].filter((x): x is string => x !== undefined);
      if (wrongAtEnd.length > 0 && !lastFailed) fail(CYCLES, `a second after the last cycle had settled: ${wrongAtEnd.join("; ")}`, [summary(last, HOMES)]);

      const quantiles = (times: number[]) => {
        const sorted = [...times].sort((a, b) => a - b);
        const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
        return `median ${at(0.5).toFixed(0)} ms, max ${at(1).toFixed(0)} ms`;
      };
      process.stdout.write(
        `      (seed ${seed}: ${CYCLES} cycles, outages on brain ${outages.brain}, pinky ${outages.pinky}; ${failoverTimes.length} failovers judged, state reached after ${quantiles(failoverTimes)} from the outage's start; home state reached after ${quantiles(settleTimes)} from the link's return${failures.length > 0 ? `; ${failures.length} failure(s)` : ""})\n`,
      );
      if (failures.length > 0) assert.fail(`${failures.length} failure(s):\n\n${failures.join("\n\n")}`);
    }
  });
}

// Failover benchmark: the lab of `takeover lab` (router .1, Brain .17 holding .37, Pinky .18 holding
// .36, one bridge, a web page on each box; network namespaces), run the same way with takeover and
// with keepalived (VRRPv3). For each setup, each trial takes Brain's link away (failover) and, once
// things have settled, gives it back (failback), once for each kind of outage:
//   carrier  Brain's switch port goes down and up again (Brain sees its carrier go: a pulled cable);
//   admin    `ip link set dev eth0 down`, then up, inside Brain (ifdown, a driver reset, a network
//            manager restart);
// and measures from the link change until the router gets HTTP 200 at 192.0.2.37 from the new owner
// (Pinky, then Brain again). The kinds alternate within each trial, in one lab per setup. Prints one
// table: min/median/max per setup, outage and phase, and the ratio of medians takeover/keepalived for
// the same outage and phase; then a second table from the link change until the router's neighbour
// entry for .37 holds the new owner's MAC (the figure the 2 ms setup is judged by: HTTP adds the
// watcher's own GET cadence and load). Benchmarks print figures; they do not pass or fail.
//
// Run: `npm run bench:failover` [-- --trials N] [--only SETUP]… [--outage carrier|admin] [--verbose] [--timeline] [--evidence DIR]
// (root; default 7 trials per setup and outage, ≈ 5 min in all; --verbose prints the daemons' log
// lines of each trial, timed from the link change; --timeline: see timelineOf, the daemons log at
// debug in JSON and tcpdump stamps ARP and ICMP on the bridge, and each takeover trial's steps are
// printed, with the median per step at the end)
//
// Setups
//   keepalived         bench/keepalived/{brain,pinky}.conf: two VRRPv3 instances mirrored like our two
//                      addresses, Brain MASTER 150 for .37, Pinky BACKUP 100 (and the mirror for .36),
//                      preemption on, advert_int 0.01 (10 ms, the least keepalived 2.2 accepts).
//   takeover 10ms      examples/*.yaml with one check, ICMP to the peer every 10 ms (timeout 10 ms,
//                      fall 2, rise 2: two misses in a row, so one lost echo does not even start a
//                      claim), and a claim of one ARP probe and 5 ms of listening (an answer on one LAN
//                      segment takes well under a millisecond; here about 0.1 ms); retry 100 ms;
//                      announcements as shipped. The setup the targets below are about.
//   takeover 10ms fall 3  the same with fall 3 and a 3 ms timeout: three missed echoes, the loss
//                      tolerance of VRRP's three missed advertisements; the settings of issue 8's report,
//                      at which its failover target (≤ 0.8× keepalived) is stated.
//   takeover 10ms fall 1  the same with fall 1: one missed echo starts the claim and the ARP probe
//                      alone decides (a live peer answers it, and nothing is taken). Faster by one
//                      interval, at the price of a probe, and a not-claiming line, per lost echo.
//   takeover defaults  examples/brain.yaml and examples/pinky.yaml as shipped (ICMP every 100 ms, fall
//                      3, plus the HTTP check; 2 probes 20 ms apart and 50 ms of listening).
//   takeover 10ms ×4   "takeover 10ms" with four public addresses per box (Brain .37–.40, Pinky .36 and
//                      .33–.35): a phase ends when the router gets HTTP 200 from the new owner at all
//                      four of Brain's addresses (the slowest of the four), each watched like .37 (a GET
//                      every 2 ms). Its watcher runs four times the GETs of a one-address setup's,
//                      which on two cores slows the daemons it times; so the ratio of medians ×4 / ×1
//                      (issue 12's target: at most 1.2) is taken against the next setup.
//   takeover 10ms ×1 at ×4's load  "takeover 10ms" with the ×4 watcher's load: three more GET
//                      streams every 2 ms at Brain's real address and every 50 ms at Pinky's, untimed.
//                      (Against "takeover 10ms" the ratio is printed too, marked informative.)
//   keepalived v6      bench/keepalived/{brain6,pinky6}.conf: the keepalived setup plus an IPv6 instance per
//                      address (Brain MASTER for 2001:db8:1::37/64, Pinky for 2001:db8:1::36/64), in the
//                      same lab with IPv6 on and the router at 2001:db8:1::1/64; timed at 2001:db8:1::37
//                      (HTTP over IPv6 from the router, and its IPv6 neighbour entry). Issue 11's baseline.
//   takeover 10ms v6   "takeover 10ms" with each box's IPv6 public address in its list (the syntax of issue
//                      11: publicAddress [192.0.2.37/24, 2001:db8:1::37/64]), in that lab, timed at
//                      2001:db8:1::37. Every takeover setup's configs go through `takeover run --check`
//                      in the boxes' namespaces first: a daemon that refuses them (one without IPv6
//                      public addresses refuses these) makes the setup be skipped, said in one line
//                      after the tables (or as the one error line when nothing else ran), before its
//                      daemons start.
//   takeover 10ms fall 3 v6  "takeover 10ms fall 3" (timeout 3 ms, three missed echoes: VRRP's loss tolerance)
//                      with the IPv6 addresses: the setup issue 11's failover target (≤ 0.8× keepalived v6) is
//                      stated at.
//   takeover 2ms       examples/fast.yaml for Brain and the same mirrored for Pinky: ICMP every 2 ms,
//                      timeout 1 ms, fall 3, one ARP probe and 1 ms of listening, 3 announcements 20 ms
//                      apart (issue 13's target: failover and failback ≤ 10 ms median by the router's
//                      neighbour entry, both outages).
//
// The router's view: a watcher in the router's namespace (this file, run as a lab worker) starts a
// new GET to .37 every 2 ms, each on its own connection with a 300 ms limit, so one request stuck on
// the old owner's MAC does not hide the new owner's first answer (src/lab/router-watch.ts keeps one
// request in flight, whose 50 ms timeout after a cut would swamp a 40 ms failover). The router's
// neighbour entries are told by its kernel: a second worker in the router's namespace, joined to
// RTNLGRP_NEIGH and doing nothing else, stamps each RTM_NEWNEIGH as it reads it (tens of µs after the
// change; until issue 13 the HTTP watcher read the table every 2 ms, up to 2 ms late and later under
// its own load). Times are wall-clock µs in all processes (same host clock). The link change is made
// by an `ip -batch -` kept running in the namespace where it happens (the switch's for carrier,
// Brain's for admin), and stamped as the kernel makes it: a worker in that namespace, joined to
// RTNLGRP_LINK, stamps the interface's RTM_NEWLINK (the stamp of the line written to ip, if none
// comes within 2 s, with a note). Until issue 13 the stamp was taken just before the line was
// written, which put it 0.5–15 ms (median about 1.5) before the change on the loaded machine, as long
// as ip took to wake up; a 2 ms profile cannot carry that. Until December 2026 the change was made by a new `ip link set` and stamped
// when it had returned, 5–30 ms later under load, this process blocked meanwhile: that shortened
// every figure, and as the watcher reports only changes of who answers, a new owner answering before
// the stamp was not seen at all (the step waited 10 s and was counted as failed: 3 of 72
// four-address failbacks and 1 of 72 one-address ones in the README's rounds).
//
// `--evidence DIR`: tcpdump captures ARP on the bridge for the whole run; for a failed step, DIR gets
// that pcap and a state.txt (the watcher's messages and the daemons' lines from 3 s before, both
// boxes' `ip addr`, the neighbour tables, and what curl from the router gets now).
//
// A failback now and then takes 0.3–1 s with either daemon while the router's neighbour entry moved
// in a few ms: Brain's kernel flushed its neighbour table when the carrier went, answers to the
// router that were in flight then left an INCOMPLETE entry for 192.0.2.1, and its next ARP try comes
// only with the 1 s retransmit timer (net.ipv4.neigh.eth0.retrans_time_ms); the router's SYNs reach
// Brain at once, its SYN-ACKs wait. That is the router's real experience, so it stays in the figures
// (the max column, and the median when it hits several trials).
import { ChildProcess, spawn as spawnChild, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createRtNetlink, rt } from "netlink";
import { parse, stringify } from "yaml";
import { BRAIN, EXAMPLES, PINKY, ROUTER } from "../src/lab/failover-demo";
import { Lab, OutageKind } from "../src/lab/netns";
import { NodeWorker, onParentMessage, report, workerInput } from "../src/lab/worker";
import { hrtimeMicros } from "../src/link/port";
import { Ipv4, Mac } from "../src/packets/address";
import { ipv6Text } from "../src/packets/ipv6";
import { formatTable, median as medianOf } from "./harness";
import { checkBenchArgs } from "./args";
import { scratchDir } from "./scratch";

const DIST = join(__dirname, "..");
const CLI = join(DIST, "src", "cli", "main.js");
const WEB_SERVER = join(DIST, "src", "lab", "web-server.js");
const KEEPALIVED_DIR = join(__dirname, "..", "..", "bench", "keepalived");

/** Time given to each transition before the next one: takeover announces 5 rounds over 800 ms. */
const SETTLE_MS = 1500;
/** The stamping watchers' scheduling priority (see where they start). */
const WATCHER_PRIORITY = ["nice", "-n", "-15"] as const;
/** A trial step that has not happened after this long is counted as failed. */
const STEP_LIMIT_MS = 10_000;
/** The whole run stops starting new trials after this long. */
const RUN_LIMIT_MS = 12 * 60_000;
/** The outages measured, in the order they are tried within a trial. */
const OUTAGES: readonly OutageKind[] = ["carrier", "admin"];

// ---------------------------------------------------------------------------------------------
// the router-side watcher (this same file, run in the router's namespace as a lab worker)

interface WatchInput {
  readonly watch: true;
  readonly targets: readonly { readonly address: string; readonly everyMs: number }[];
  readonly getTimeoutMs: number;
}

/**
 * The router's neighbour entries for `neighbours` (IPv4 and IPv6 addresses, IPv6 in RFC 5952 text),
 * told by the kernel as they change (its own process); or, with `links`, those interfaces going up
 * and down where the link change is made.
 */
interface NeighbourInput {
  readonly neighbours: readonly string[];
  readonly links?: readonly string[];
}

/** rtnetlink multicast group of neighbour changes (RTNLGRP_NEIGH), and the message types. */
const RTNLGRP_NEIGH = 3;
const RTNLGRP_LINK = 1;
const RTM_NEWLINK = 16;
const RTM_NEWNEIGH = 28;
const RTM_DELNEIGH = 29;
/** Address families of neighbour entries. */
const AF_INET = 2;
const AF_INET6 = 10;

/** The text of an IPv4 (4 bytes) or IPv6 (16 bytes) address, undefined for any other length. */
function addressText(bytes: Buffer | undefined): string | undefined {
  if (bytes?.length === 4) return Ipv4.read(bytes, 0).toString();
  if (bytes?.length === 16) return ipv6Text(bytes, 0);
  return undefined;
}

function runWatcher(input: WatchInput): void {
  let running = true;
  const lastServer = new Map<string, string>();

  const get = (address: string) => {
    const req = request({ host: address, port: 80, path: "/", agent: false, timeout: input.getTimeoutMs }, (res) => {
      const t = hrtimeMicros();
      const server = res.statusCode === 200 ? String(res.headers["x-served-by"] ?? "?") : `status ${res.statusCode}`;
      res.resume();
      done(address, server, t);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => done(address, "none", hrtimeMicros()));
    req.end();
  };
  // changes of who answers, in the order answers arrive
  const done = (address: string, server: string, t: number) => {
    if (lastServer.get(address) === server) return;
    lastServer.set(address, server);
    report({ kind: "http", t, address, server });
  };
  const timers = input.targets.map((target) => setInterval(() => running && get(target.address), target.everyMs));
  report({ kind: "ready", t: hrtimeMicros() });
  const stop = () => {
    running = false;
    for (const timer of timers) clearInterval(timer);
    setTimeout(() => process.exit(0), 50).unref();
  };
  onParentMessage(() => {}, stop);
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));
}

/**
 * The neighbour watcher: joined to the router's RTNLGRP_NEIGH, it stamps each RTM_NEWNEIGH/DELNEIGH
 * for the watched addresses as it reads it. It does nothing else (no GETs, no timers), so its event
 * loop is idle and the stamp trails the kernel's change by the wake-up of one process (tens of µs),
 * where a poll every 2 ms trailed it by up to 2 ms plus the HTTP watcher's own load.
 */
function runNeighbourWatcher(input: NeighbourInput): void {
  const socket = createRtNetlink();
  const watched = new Set(input.neighbours);
  const lastMac = new Map<string, string>();
  const tell = (t: number, dst: Buffer | undefined, lladdr: Buffer | undefined, gone: boolean) => {
    const address = addressText(dst);
    if (address === undefined || !watched.has(address)) return;
    const mac = !gone && lladdr !== undefined && lladdr.length === 6 ? Mac.read(lladdr, 0).toString() : "none";
    if (lastMac.get(address) === mac) return;
    lastMac.set(address, mac);
    report({ kind: "neighbour", t, address, mac });
  };
  const links = new Set(input.links ?? []);
  const linkUp = new Map<string, boolean>();
  socket.socket.on("message", (messages) => {
    const t = hrtimeMicros();
    for (const m of messages) {
      if (m.type === RTM_NEWLINK && links.size > 0) {
        try {
          const l = rt.parseLinkMessage(m.data);
          const name = l.attrs.ifname;
          // up: administratively up and with carrier
          const up = l.data.flags?.up === true && l.data.flags?.lowerUp === true;
          if (name !== undefined && links.has(name) && linkUp.get(name) !== up) {
            linkUp.set(name, up);
            report({ kind: "link", t, name, up });
          }
        } catch {
          // not one we can read
        }
        continue;
      }
      if (m.type !== RTM_NEWNEIGH && m.type !== RTM_DELNEIGH) continue;
      try {
        const n = rt.parseNeighborMessage(m.data);
        if (n.data.family === AF_INET || n.data.family === AF_INET6) tell(t, n.attrs.dst, n.attrs.lladdr, m.type === RTM_DELNEIGH);
      } catch {
        // a message this parser cannot read is not one of ours
      }
    }
  });
  socket.addMembership(RTNLGRP_NEIGH);
  if (links.size > 0) socket.addMembership(RTNLGRP_LINK);
  // what the table holds now (a notification may have come first: it wins, being newer)
  const families = [AF_INET, ...(input.neighbours.some((a) => a.includes(":")) ? [AF_INET6] : [])];
  void Promise.all(families.map((family) => socket.getNeighbors({ family }))).then((tables) => {
    const t = hrtimeMicros();
    for (const e of tables.flat()) {
      const address = addressText(e.attrs.dst);
      if (address !== undefined && !lastMac.has(address)) tell(t, e.attrs.dst, e.attrs.lladdr, false);
    }
    report({ kind: "ready", t: hrtimeMicros() });
  });
  onParentMessage(() => {}, () => {
    socket.socket.close();
    setTimeout(() => process.exit(0), 50).unref();
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// the bench

type WatchMessage = { kind: "ready" | "http" | "neighbour" | "link"; t: number; address?: string; server?: string; mac?: string; name?: string; up?: boolean };

interface Setup {
  readonly name: string;
  readonly kind: "takeover" | "keepalived";
  /** config files for Brain and Pinky */
  readonly brain: string;
  readonly pinky: string;
  /** each box's public addresses watched from the router, when not the one of BRAIN and PINKY */
  readonly addresses?: { readonly brain: readonly string[]; readonly pinky: readonly string[] };
  /** IPv6 on in the lab: the router gets ROUTER6 on the segment, the web servers listen on "::" */
  readonly ipv6?: boolean;
  /**
   * GET streams the router's watcher runs besides the watched addresses' (Brain's every 2 ms, Pinky's
   * every 50 ms), untimed: another setup's watcher load, so that two setups compare under the same
   * load (the watcher's GETs, the web servers' answers, on two cores)
   */
  readonly ballast?: { readonly brain: readonly string[]; readonly pinky: readonly string[] };
}

/** The router's IPv6 address on the segment, and the boxes' IPv6 public addresses (issue 11's lab). */
const ROUTER6 = "2001:db8:1::1/64";
const V6 = { brain: ["2001:db8:1::37"], pinky: ["2001:db8:1::36"] } as const;

/** A setup whose daemon refuses its config (`takeover run --check` in the box's namespace): skipped. */
class SetupRefused extends Error {}

interface Trial {
  /** µs from the link change to the router's first HTTP 200 from the new owner */
  readonly httpMicros: number | undefined;
  /** µs from the link change to the router's neighbour entry holding the new owner's MAC */
  readonly neighbourMicros: number | undefined;
}

type Phase = "failover" | "failback";

interface SetupResult {
  readonly setup: Setup;
  /** --timeline: per outage and phase, each trial's steps */
  readonly timelines: Record<OutageKind, Record<Phase, [string, number | undefined][][]>>;
  readonly trials: Record<OutageKind, Record<Phase, Trial[]>>;
  readonly note?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Keeps the last lines a process printed (stamped when read), for when something goes wrong. */
function tail(child: ChildProcess, keep = 200): { t: number; text: string }[] {
  const lines: { t: number; text: string }[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on("line", (text) => {
      lines.push({ t: hrtimeMicros(), text });
      if (lines.length > keep) lines.shift();
    });
  }
  return lines;
}

/** `--only NAME`: run that setup alone; `--verbose`: print the daemons' lines of each trial. */
const VERBOSE = process.argv.includes("--verbose");
/** `--evidence DIR`: capture ARP on the bridge for the whole run; for a failed step, keep the pcap and the boxes' state there. */
const EVIDENCE = ((at) => (at > 0 ? process.argv[at + 1] : undefined))(process.argv.indexOf("--evidence"));
/**
 * `--timeline`: the takeover daemons log at debug in JSON (their own µs stamps), tcpdump stamps ARP and
 * ICMP on the bridge, and each trial's steps are printed (ms from the link change), with the median
 * per step at the end: where the time between the link change and the router's neighbour entry goes.
 */
const TIMELINE = process.argv.includes("--timeline");

/** A frame seen on the bridge: tcpdump's stamp (µs, CLOCK_REALTIME), its Ethernet source and its summary. */
interface WireFrame {
  readonly t: number;
  readonly source: string;
  readonly text: string;
}

/** A daemon's JSON log line, at its own stamp. */
interface DaemonLine {
  readonly t: number;
  readonly event: string;
  readonly address?: string;
  readonly verdict?: string;
}

function parseDaemonLine(text: string): DaemonLine | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const r = JSON.parse(text) as { time: string; event: string; address?: string; verdict?: string };
    const t = Date.parse(`${r.time.slice(0, 19)}Z`) * 1000 + Number(r.time.slice(20, 26));
    return { t, event: r.event, address: r.address, verdict: r.verdict };
  } catch {
    return undefined;
  }
}

/**
 * The steps of one phase, µs from the link change (undefined: not seen). Failover: Pinky's last
 * passing check before the change, its first echo after the change, the check failing `fall` times,
 * its ARP probe on the wire, the claim decided (the listen over), the address added, the first
 * gratuitous ARP on the wire, the router's neighbour entry and its first HTTP 200. Failback: Brain's
 * link verified, its probe on the wire, Pinky yielding and its hand-back on the wire, Brain's claim,
 * address and announcement, the router's entry and HTTP 200. With several addresses (`addresses`,
 * Brain's), a step per address is the time of the last of them (a phase ends when the last one has
 * moved), and where they differ, the first of them as well (`first …`).
 */
function timelineOf(phase: Phase, t0: number, end: number, daemons: ReadonlyMap<string, readonly { t: number; text: string }[]>, wire: readonly WireFrame[], neighbourAt: number | undefined, httpAt: number | undefined, addresses: readonly string[]): [string, number | undefined][] {
  const lines = (who: string) => (daemons.get(who) ?? []).map((l) => parseDaemonLine(l.text)).filter((l): l is DaemonLine => l !== undefined);
  const since = (list: readonly DaemonLine[], match: (l: DaemonLine) => boolean) => list.find((l) => l.t >= t0 - 1000 && l.t <= end && match(l))?.t;
  const onWire = (source: string, pattern: RegExp) => wire.find((f) => f.t >= t0 - 1000 && f.t <= end && f.source === source && pattern.test(f.text))?.t;
  const escaped = (address: string) => address.replace(/\./g, "\\.");
  const rel = (t: number | undefined) => (t === undefined ? undefined : t - t0);
  // a step for every address: seen for all of them, the last; else not seen
  const last = (each: (address: string) => number | undefined) => {
    const times = addresses.map(each);
    return times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined;
  };
  const first = (each: (address: string) => number | undefined) => {
    const times = addresses.map(each).filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  };
  const several = addresses.length > 1;
  /** `[label, last]`, preceded by `[first label, first]` with several addresses */
  const step = (label: string, each: (address: string) => number | undefined): [string, number | undefined][] =>
    several ? [[`first ${label}`, rel(first(each))], [`last ${label}`, rel(last(each))]] : [[label, rel(last(each))]];
  const pinky = lines(PINKY.name);
  const brain = lines(BRAIN.name);
  // broadcast: Pinky's kernel answers Brain's probe too (is-at Pinky's MAC, to Brain), which is not one
  const garpFrom = (mac: string) => (address: string) => onWire(mac, new RegExp(`> ff:ff:ff:ff:ff:ff, .*(who-has ${escaped(address)} tell ${escaped(address)}|Reply ${escaped(address)} is-at)`));
  const probeFrom = (mac: string) => (address: string) => onWire(mac, new RegExp(`who-has ${escaped(address)} tell 0\\.0\\.0\\.0`));
  const logged = (list: readonly DaemonLine[], event: string) => (address: string) => since(list, (l) => l.event === event && l.address === address);
  const ends: [string, number | undefined][] = [
    ["router neighbour", rel(neighbourAt)],
    ["router HTTP 200", rel(httpAt)],
  ];
  if (phase === "failover") {
    const failed = since(pinky, (l) => l.event === "check-failed");
    const lastPass = [...pinky].reverse().find((l) => l.event === "check" && l.verdict === "pass" && l.t <= (failed ?? end))?.t;
    return [
      ["last reply", rel(lastPass)],
      ["1st lost echo on wire", rel(onWire(PINKY.mac, new RegExp(`${escaped(PINKY.address)} > ${escaped(BRAIN.address)}: ICMP echo request`)))],
      ["check-failed (fall)", rel(failed)],
      ...step("probe on wire", probeFrom(PINKY.mac)),
      ...step("claim decided", logged(pinky, "claim")),
      ...step("address added", logged(pinky, "added")),
      ...step("GARP on wire", garpFrom(PINKY.mac)),
      ...ends,
    ];
  }
  return [
    ["link verified", rel(since(brain, (l) => l.event === "link-up"))],
    ...step("probe on wire", probeFrom(BRAIN.mac)),
    ...step("peer yields", logged(pinky, "yield")),
    ...step("peer removed", logged(pinky, "removed")),
    ...step("hand-back on wire", garpFrom(PINKY.mac)), // at Brain's MAC
    ...step("claim decided", logged(brain, "claim")),
    ...step("address added", logged(brain, "added")),
    ...step("GARP on wire", garpFrom(BRAIN.mac)),
    ...ends,
  ];
}

/** Starts the lab for one setup and runs the trials; always tears it down. */
async function runSetup(setup: Setup, outages: readonly OutageKind[], trials: number, deadline: number): Promise<SetupResult> {
  const lab = await Lab.create({
    ipv6: setup.ipv6 === true,
    hosts: [
      { name: ROUTER.name, address: `${ROUTER.address}/24`, mac: ROUTER.mac },
      { name: BRAIN.name, address: `${BRAIN.address}/24`, mac: BRAIN.mac },
      { name: PINKY.name, address: `${PINKY.address}/24`, mac: PINKY.mac },
    ],
  });
  const state = scratchDir("takeover-bench-");
  const logs = new Map<string, { t: number; text: string }[]>();
  let watcher: NodeWorker<WatchMessage> | undefined;
  let neighbourWatcher: NodeWorker<WatchMessage> | undefined;
  const daemons: ChildProcess[] = [];
  const empty = (): Record<Phase, Trial[]> => ({ failover: [], failback: [] });
  const noSteps = (): Record<Phase, [string, number | undefined][][]> => ({ failover: [], failback: [] });
  const result: SetupResult = { setup, trials: { carrier: empty(), admin: empty(), recreate: empty() }, timelines: { carrier: noSteps(), admin: noSteps(), recreate: noSteps() } };
  const wire: WireFrame[] = [];
  let wireDump: ChildProcess | undefined;
  let sniffer: ChildProcess | undefined;
  const linkChangers = new Map<OutageKind, ChildProcess>();
  /** Per outage: a watcher of the interface it changes, in the namespace where it is changed. */
  const linkWatchers = new Map<OutageKind, { worker: NodeWorker<WatchMessage>; name: string }>();
  /**
   * The µs stamp of the kernel's change of Brain's link made at or after `written` (the interface
   * reported `up`), as told over rtnetlink where it is made; `written` if none is told within 2 s.
   */
  const linkChangedAt = async (outage: OutageKind, up: boolean, written: number): Promise<number> => {
    const watch = linkWatchers.get(outage);
    if (watch === undefined) return written;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      const m = watch.worker.messages.find((x) => x.kind === "link" && x.t >= written && x.name === watch.name && x.up === up);
      if (m !== undefined) return m.t;
      await sleep(1);
    }
    linkStampsMissed++;
    return written;
  };
  let linkStampsMissed = 0;
  /** Makes Brain's link change and returns the µs stamp taken just before. */
  const changeLink = (outage: OutageKind, up: boolean): number => {
    const batch = linkChangers.get(outage);
    if (batch?.stdin == null) throw new Error(`no ip -batch for the ${outage} outage`);
    const line = outage === "carrier" ? `link set ${lab.portOf(BRAIN.name)} ${up ? "up" : "down"}\n` : `link set dev ${lab.interfaceOf(BRAIN.name)} ${up ? "up" : "down"}\n`;
    const t = hrtimeMicros();
    batch.stdin.write(line);
    return t;
  };
  const pcap = join(state, "arp.pcap");
  try {
    if (setup.ipv6 === true) lab.exec(ROUTER.name, ["ip", "-6", "addr", "add", ROUTER6, "dev", lab.interfaceOf(ROUTER.name), "nodad"], { check: true });
    // a config the daemon refuses ends the setup here, in one line, before anything is started
    if (setup.kind === "takeover") {
      for (const [box, config] of [[BRAIN, setup.brain], [PINKY, setup.pinky]] as const) {
        const checked = lab.exec(box.name, [process.execPath, CLI, "run", "--check", config]);
        if (checked.status !== 0) {
          const said = `${checked.stderr}${checked.stdout}`.trim().split("\n")[0].replace(/^takeover: (\S+: )?/, "");
          throw new SetupRefused(`${setup.name}: the daemon refuses ${box.name}'s config: ${said}`);
        }
      }
    }
    if (EVIDENCE !== undefined) {
      sniffer = spawnChild("ip", ["netns", "exec", lab.switchNamespace, "tcpdump", "-i", "br-lan", "-U", "-n", "-w", pcap, "arp"], { stdio: "ignore" });
      await sleep(500);
    }
    // The link changes are made by an `ip -batch -` kept running in each namespace (the switch's for
    // carrier, Brain's for admin): a line written to it is carried out at once, with no process to start
    // and without blocking this process, so the stamp taken just before writing it is the link change
    // (see the header).
    const ipErrors: string[] = [];
    for (const [outage, ns] of [["carrier", lab.switchNamespace], ["admin", lab.ns(BRAIN.name)]] as const) {
      const batch = spawnChild("ip", ["-n", ns, "-force", "-batch", "-"], { stdio: ["pipe", "ignore", "pipe"] });
      createInterface({ input: batch.stderr! }).on("line", (line) => ipErrors.push(`${outage}: ${line}`));
      batch.stdin!.on("error", (error) => ipErrors.push(`${outage}: ${error.message}`));
      linkChangers.set(outage, batch);
    }
    if (TIMELINE) {
      wireDump = spawnChild("ip", ["netns", "exec", lab.switchNamespace, "tcpdump", "-i", "br-lan", "-l", "-n", "-e", "-tt", "--time-stamp-precision=micro", "arp or icmp"], { stdio: ["ignore", "pipe", "ignore"] });
      createInterface({ input: wireDump.stdout! }).on("line", (line) => {
        const m = /^(\d+)\.(\d{6}) ([0-9a-f:]{17}) > /.exec(line);
        if (m === null) return;
        wire.push({ t: Number(m[1]) * 1_000_000 + Number(m[2]), source: m[3], text: line });
        if (wire.length > 50_000) wire.splice(0, 10_000);
      });
      await sleep(500);
    }
    for (const box of [BRAIN, PINKY]) {
      const web = lab.spawn(box.name, [process.execPath, WEB_SERVER, box.name, "80", setup.ipv6 === true ? "::" : "0.0.0.0"]);
      logs.set(`${box.name} web`, tail(web));
    }
    for (const [box, config] of [[BRAIN, setup.brain], [PINKY, setup.pinky]] as const) {
      const argv =
        setup.kind === "takeover"
          ? [process.execPath, CLI, "run", config, ...(TIMELINE ? ["--log-level", "debug", "--log-format", "json"] : [])]
          : ["keepalived", "--vrrp", "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--use-file", config,
             "--pid", join(state, `${box.name}.pid`), "--vrrp_pid", join(state, `${box.name}-vrrp.pid`), "--checkers_pid", join(state, `${box.name}-checkers.pid`)];
      const daemon = lab.spawn(box.name, argv);
      daemons.push(daemon);
      logs.set(box.name, tail(daemon, TIMELINE ? 20_000 : 200));
    }
    const brainPublic = setup.addresses?.brain ?? [BRAIN.publicAddress];
    const pinkyPublic = setup.addresses?.pinky ?? [PINKY.publicAddress];
    const input: WatchInput = {
      watch: true,
      targets: [...brainPublic, ...(setup.ballast?.brain ?? [])].map((address) => ({ address, everyMs: 2 })).concat([...pinkyPublic, ...(setup.ballast?.pinky ?? [])].map((address) => ({ address, everyMs: 50 }))),
      getTimeoutMs: 300,
    };
    watcher = lab.runNode<WatchMessage>(ROUTER.name, __filename, input, { label: "router watcher" });
    // the link changes as the kernel makes them: the switch port (carrier) in the switch's namespace,
    // Brain's eth0 (admin) in Brain's
    for (const [outage, ns, name] of [["carrier", lab.switchNamespace, lab.portOf(BRAIN.name)], ["admin", lab.ns(BRAIN.name), lab.interfaceOf(BRAIN.name)]] as const) {
      const child = spawnChild("ip", ["netns", "exec", ns, ...WATCHER_PRIORITY, process.execPath, __filename, JSON.stringify({ neighbours: [], links: [name] } satisfies NeighbourInput)], { stdio: ["pipe", "pipe", "pipe"] });
      linkWatchers.set(outage, { worker: new NodeWorker<WatchMessage>(`link watcher in ${ns}`, child), name });
    }
    // The stamping watchers run at nice -15: they sleep but for the odd notification, and a woken
    // niced process on the loaded machine read it milliseconds late (a failover "over" before the
    // link change, an entry moving after the HTTP answer that needed it).
    neighbourWatcher = lab.runNode<WatchMessage>(ROUTER.name, __filename, { neighbours: [...brainPublic, ...pinkyPublic] } satisfies NeighbourInput, { label: "router neighbour watcher", wrapper: WATCHER_PRIORITY });
    // the watchers load slowly on a loaded machine
    await watcher.expect("ready", 20_000);
    await neighbourWatcher.expect("ready", 20_000);
    for (const { worker } of linkWatchers.values()) await worker.expect("ready", 20_000);
    const w = watcher;
    const nw = neighbourWatcher;

    /**
     * µs stamp by which a message at or after `since` matching has come for every one of Brain's
     * addresses (the latest of their first ones), or undefined after `limitMs`.
     */
    const first = async (since: number, kind: "http" | "neighbour", value: string, limitMs: number): Promise<number | undefined> => {
      const end = Date.now() + limitMs;
      while (Date.now() < end) {
        const hits = brainPublic.map((address) => (kind === "http" ? w : nw).messages.find((m) => m.t >= since && m.kind === kind && m.address === address && (kind === "http" ? m.server === value : m.mac === value)));
        if (hits.every((h) => h !== undefined)) return Math.max(...hits.map((h) => h!.t));
        if (w.exited) throw new Error(`the router watcher ended: ${w.stderr}`);
        if (nw.exited) throw new Error(`the router's neighbour watcher ended: ${nw.stderr}`);
        await sleep(2);
      }
      return undefined;
    };
    const answeredBy = (address: string) => [...w.messages].reverse().find((m) => m.kind === "http" && m.address === address)?.server;

    // steady state: Brain serves .37 (and its other addresses), Pinky .36 (and its others)
    const steadyBy = Date.now() + 20_000;
    while (!(brainPublic.every((a) => answeredBy(a) === BRAIN.name) && pinkyPublic.every((a) => answeredBy(a) === PINKY.name))) {
      if (Date.now() > steadyBy) {
        // what each box's daemon and web server said last, to see why
        const last = [...logs].flatMap(([who, lines]) => lines.slice(-6).map((l) => `\n  ${who}: ${l.text}`)).join("");
        throw new Error(`${setup.name}: no steady state in 20 s (router: ${[...brainPublic, ...pinkyPublic].map((a) => `${a} → ${answeredBy(a)}`).join(", ")}); the last lines:${last}`);
      }
      await sleep(20);
    }
    await sleep(SETTLE_MS);

    for (let trial = 0; trial < trials; trial++) {
      if (Date.now() > deadline) {
        return { ...result, note: `stopped after ${trial} trial(s): the run's time limit` };
      }
      for (const outage of outages) for (const phase of ["failover", "failback"] as const) {
        const owner = phase === "failover" ? PINKY : BRAIN;
        if (VERBOSE && phase === "failback") say(`      Brain's neighbours before the link comes back: ${lab.exec(BRAIN.name, ["ip", "neigh", "show", "dev", "eth0"]).stdout.trim().replace(/\n/g, "; ") || "none"}`);
        const written = changeLink(outage, phase === "failback");
        const t0 = await linkChangedAt(outage, phase === "failback", written);
        if (VERBOSE) say(`      the kernel made the change ${((t0 - written) / 1000).toFixed(2)} ms after the line was written to ip`);
        const http = await first(t0, "http", owner.name, STEP_LIMIT_MS);
        const neighbour = await first(t0, "neighbour", owner.mac, 100);
        result.trials[outage][phase].push({ httpMicros: http === undefined ? undefined : http - t0, neighbourMicros: neighbour === undefined ? undefined : neighbour - t0 });
        if (TIMELINE && setup.kind === "takeover") {
          // tcpdump's lines come a moment after the frames
          await sleep(100);
          const steps = timelineOf(phase, t0, (neighbour ?? http ?? t0 + 1_000_000) + 20_000, logs, wire, neighbour, http, brainPublic);
          result.timelines[outage][phase].push(steps);
          say(`      ${steps.map(([label, us]) => `${label} ${us === undefined ? "—" : (us / 1000).toFixed(2)}`).join(" · ")}`);
        }
        if (http === undefined) {
          say(`  ${setup.name} trial ${trial + 1}: ${outage} ${phase}: no HTTP 200 from ${owner.name} within ${STEP_LIMIT_MS / 1000} s; the last lines:`);
          for (const a of brainPublic) {
            const last = [...w.messages].reverse().find((m) => m.kind === "http" && m.address === a && m.t < t0);
            say(`    router: ${a}: last change before t0: ${last === undefined ? "none" : `${last.server} at ${((last.t - t0) / 1000).toFixed(1)} ms`}`);
          }
          for (const [who, lines] of logs) for (const line of lines.slice(-8)) say(`    ${who}: ${line.text}`);
          if (EVIDENCE !== undefined) {
            const dir = join(EVIDENCE, `${setup.name.replace(/[^a-z0-9]+/gi, "_")}-${trial + 1}-${outage}-${Date.now()}`);
            mkdirSync(dir, { recursive: true });
            const out: string[] = [`t0 ${t0} (µs; the link change written to ip -batch)${ipErrors.length > 0 ? `; ip said: ${ipErrors.join("; ")}` : ""}`, "", "router watcher, every message for Brain's addresses from t0 − 3 s (ms from t0):"];
            for (const m of [...w.messages, ...nw.messages].sort((a, b) => a.t - b.t)) if (m.t >= t0 - 3_000_000 && m.address !== undefined && brainPublic.includes(m.address)) out.push(`${((m.t - t0) / 1000).toFixed(1).padStart(9)} ms ${m.kind} ${m.address} ${m.server ?? m.mac}`);
            out.push("", "daemons and web servers, from t0 − 3 s:");
            for (const [who, lines] of logs) for (const l of lines) if (l.t >= t0 - 3_000_000) out.push(`${((l.t - t0) / 1000).toFixed(1).padStart(9)} ms ${who}: ${l.text}`);
            for (const [host, argv] of [[BRAIN.name, ["ip", "addr"]], [PINKY.name, ["ip", "addr"]], [ROUTER.name, ["ip", "neigh"]], [BRAIN.name, ["ip", "neigh"]], [PINKY.name, ["ip", "neigh"]]] as const) {
              out.push("", `${host}: ${argv.join(" ")}`, lab.exec(host, [...argv]).stdout.trim());
            }
            for (const a of brainPublic) {
              const r = lab.exec(ROUTER.name, ["curl", "-s", "-m", "1", "-D", "-", "-o", "/dev/null", `http://${a}/`]);
              out.push("", `router: curl ${a} now: ${r.stdout.trim().replace(/\r?\n/g, " | ")} (exit ${r.status})`);
            }
            writeFileSync(join(dir, "state.txt"), `${out.join("\n")}\n`);
            await sleep(300);
            copyFileSync(pcap, join(dir, "arp.pcap"));
            say(`    evidence: ${dir}`);
          }
        } else {
          say(`  ${setup.name} trial ${trial + 1}: ${outage} ${phase} ${((http - t0) / 1000).toFixed(1)} ms (neighbour ${neighbour === undefined ? "—" : ((neighbour - t0) / 1000).toFixed(1)} ms)`);
        }
        if (VERBOSE) {
          const seen = [...[...w.messages, ...nw.messages].filter((m) => m.t >= t0 - 50_000 && m.address !== undefined && brainPublic.includes(m.address)).map((m) => ({ t: m.t, text: `router ${m.kind} ${m.server ?? m.mac}` }))];
          for (const [who, lines] of logs) for (const l of lines) if (l.t >= t0 - 50_000 && l.t <= (http ?? t0) + 50_000) seen.push({ t: l.t, text: `${who}: ${l.text}` });
          // with --timeline, the ARP and ICMP the bridge carried too
          for (const f of wire) if (f.t >= t0 - 5_000 && f.t <= (http ?? t0) + 5_000) seen.push({ t: f.t, text: `wire: ${f.text}` });
          for (const e of seen.sort((a, b) => a.t - b.t)) say(`      ${((e.t - t0) / 1000).toFixed(1).padStart(8)} ms  ${e.text}`);
        }
        await sleep(SETTLE_MS);
      }
    }
    return linkStampsMissed === 0 ? result : { ...result, note: `${linkStampsMissed} link change(s) not told by the kernel within 2 s: timed from writing them to ip` };
  } finally {
    sniffer?.kill("SIGTERM");
    wireDump?.kill("SIGTERM");
    for (const batch of linkChangers.values()) batch.stdin?.end();
    if (watcher !== undefined) await watcher.stop(2000).catch(() => undefined);
    if (neighbourWatcher !== undefined) await neighbourWatcher.stop(2000).catch(() => undefined);
    for (const { worker } of linkWatchers.values()) await worker.stop(2000).catch(() => undefined);
    await lab.destroy();
    rmSync(state, { recursive: true, force: true });
  }
}

function ms(micros: number | undefined): string {
  return micros === undefined ? "—" : (micros / 1000).toFixed(1);
}

function stats(trials: readonly Trial[], key: "httpMicros" | "neighbourMicros"): { min?: number; median?: number; max?: number; failed: number } {
  const values = trials.map((t) => t[key]).filter((v): v is number => v !== undefined);
  if (values.length === 0) return { failed: trials.length };
  return { min: Math.min(...values), median: medianOf(values), max: Math.max(...values), failed: trials.length - values.length };
}

/**
 * "takeover 10ms ×4"'s watcher load for a one-address setup: three more GET streams at each box's real
 * address (its web server answers there as at the public ones), as ×4 has at .38–.40 and .33–.35.
 */
const FOUR_BALLAST = { brain: [BRAIN.address, BRAIN.address, BRAIN.address], pinky: [PINKY.address, PINKY.address, PINKY.address] } as const;

/** Four public addresses per box, for "takeover 10ms ×4". */
const FOUR = { brain: [BRAIN.publicAddress, "192.0.2.38", "192.0.2.39", "192.0.2.40"], pinky: [PINKY.publicAddress, "192.0.2.33", "192.0.2.34", "192.0.2.35"] } as const;

/** examples/<base>.yaml with one ICMP check every 10 ms (`timeout`, `fall`, rise 2) and a 5 ms claim; `addresses`: each box's list. */
function fastConfig(dir: string, base: "brain" | "pinky", fall: number, timeout = "10ms", addresses?: typeof FOUR): string {
  const config = parse(readFileSync(join(EXAMPLES, `${base}.yaml`), "utf8")) as Record<string, any>;
  config.checks = [{ name: "peer-ping", type: "icmp", target: "peer", interval: "10ms", timeout, fall, rise: 2 }];
  config.claim = { probes: 1, probeInterval: "5ms", probeWait: "5ms", retry: "100ms" };
  if (addresses !== undefined) {
    config.node.publicAddress = [...addresses[base]];
    config.peer.publicAddress = [...addresses[base === "brain" ? "pinky" : "brain"]];
  }
  const file = join(dir, `${base}-10ms-fall${fall}-timeout${timeout}${addresses === undefined ? "" : "-x4"}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

/** examples/<base>.yaml as fastConfig's (fall 2 unless given) with each box's IPv6 public address added to its list (issue 11's syntax). */
function fastConfigV6(dir: string, base: "brain" | "pinky", fall = 2, timeout = "10ms"): string {
  const config = parse(readFileSync(fastConfig(dir, base, fall, timeout), "utf8")) as Record<string, any>;
  const own = base === "brain" ? BRAIN : PINKY;
  const other = base === "brain" ? PINKY : BRAIN;
  const mine = base === "brain" ? V6.brain : V6.pinky;
  const theirs = base === "brain" ? V6.pinky : V6.brain;
  config.node.publicAddress = [`${own.publicAddress}/24`, ...mine.map((a) => `${a}/64`)];
  config.peer.publicAddress = [`${other.publicAddress}/24`, ...theirs.map((a) => `${a}/64`)];
  const file = join(dir, `${base}-10ms-fall${fall}-timeout${timeout}-v6.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

/** `file` (Brain's config) mirrored for Pinky: node and peer swapped, as examples/pinky.yaml mirrors brain.yaml. */
function mirrored(dir: string, file: string): string {
  const config = parse(readFileSync(file, "utf8")) as Record<string, any>;
  const { node, peer } = config;
  config.node = { name: peer.name, address: peer.address, publicAddress: peer.publicAddress };
  config.peer = { ...peer, name: node.name, address: node.address, publicAddress: node.publicAddress };
  const out = join(dir, `pinky-${file.split("/").pop()}`);
  writeFileSync(out, stringify(config));
  return out;
}

async function main(): Promise<void> {
  checkBenchArgs(
    "bench:failover",
    `usage: node dist/bench/failover.js [--trials N] [--only SETUP]... [--outage carrier|admin] [--verbose] [--timeline] [--evidence DIR]
  Failover and failback times of takeover and keepalived (VRRPv3, advert_int 0.01) in the lab of takeover lab,
  timed from the link change to the router's HTTP 200 and neighbour entry (root; default 7 trials, about 5 min).
  --trials N        trials per setup and outage (default 7)
  --only SETUP      only this setup, given once or more: keepalived, "takeover 10ms", "takeover 10ms ×4", "takeover 10ms ×1 at ×4's load",
                    "takeover 10ms fall 3", "takeover 10ms fall 1", "takeover defaults", "takeover 2ms",
                    "keepalived v6", "takeover 10ms v6", "takeover 10ms fall 3 v6" (IPv6 public addresses, timed at 2001:db8:1::37)
  --outage KIND     carrier (the switch port) or admin (ip link set dev eth0 down on the box); default both
  --verbose         the daemons' log lines of each trial, timed from the link change
  --timeline        each takeover trial's steps (daemon debug log, ARP and ICMP on the bridge), medians per step
  --evidence DIR    for a failed step: a capture, ip addr of both boxes, the router's neighbours, curl, in DIR`,
    { "--trials": true, "--only": true, "--outage": true, "--verbose": false, "--timeline": false, "--evidence": true },
  );
  if (process.getuid?.() !== 0) throw new Error("bench:failover needs root: it creates network namespaces");
  const at = process.argv.indexOf("--trials");
  const trials = at > 0 ? Number(process.argv[at + 1]) : 7;
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`--trials: "${process.argv[at + 1]}" is not a whole number ≥ 1`);
  const outageAt = process.argv.indexOf("--outage");
  const outages = outageAt > 0 ? OUTAGES.filter((o) => o === process.argv[outageAt + 1]) : OUTAGES;
  if (outages.length === 0) throw new Error(`--outage: no outage "${process.argv[outageAt + 1]}"; there are: ${OUTAGES.join(", ")}`);
  const out = spawnSync("keepalived", ["--version"], { encoding: "utf8" });
  const version = out.error !== undefined ? "" : (out.stdout + out.stderr).split("\n")[0].trim();
  if (version === "") throw new Error("keepalived is not installed: apt-get install keepalived (scripts/setup.sh does)");

  const dir = scratchDir("takeover-bench-config-");
  const allSetups: Setup[] = [
    { name: "keepalived", kind: "keepalived", brain: join(KEEPALIVED_DIR, "brain.conf"), pinky: join(KEEPALIVED_DIR, "pinky.conf") },
    { name: "takeover 10ms", kind: "takeover", brain: fastConfig(dir, "brain", 2), pinky: fastConfig(dir, "pinky", 2) },
    { name: "takeover 10ms ×4", kind: "takeover", brain: fastConfig(dir, "brain", 2, "10ms", FOUR), pinky: fastConfig(dir, "pinky", 2, "10ms", FOUR), addresses: FOUR },
    { name: "takeover 10ms ×1 at ×4's load", kind: "takeover", brain: fastConfig(dir, "brain", 2), pinky: fastConfig(dir, "pinky", 2), ballast: FOUR_BALLAST },
    { name: "takeover 10ms fall 3", kind: "takeover", brain: fastConfig(dir, "brain", 3, "3ms"), pinky: fastConfig(dir, "pinky", 3, "3ms") },
    { name: "takeover 10ms fall 1", kind: "takeover", brain: fastConfig(dir, "brain", 1), pinky: fastConfig(dir, "pinky", 1) },
    { name: "takeover defaults", kind: "takeover", brain: join(EXAMPLES, "brain.yaml"), pinky: join(EXAMPLES, "pinky.yaml") },
    { name: "takeover 2ms", kind: "takeover", brain: join(EXAMPLES, "fast.yaml"), pinky: mirrored(dir, join(EXAMPLES, "fast.yaml")) },
    { name: "keepalived v6", kind: "keepalived", brain: join(KEEPALIVED_DIR, "brain6.conf"), pinky: join(KEEPALIVED_DIR, "pinky6.conf"), addresses: V6, ipv6: true },
    { name: "takeover 10ms v6", kind: "takeover", brain: fastConfigV6(dir, "brain"), pinky: fastConfigV6(dir, "pinky"), addresses: V6, ipv6: true },
    { name: "takeover 10ms fall 3 v6", kind: "takeover", brain: fastConfigV6(dir, "brain", 3, "3ms"), pinky: fastConfigV6(dir, "pinky", 3, "3ms"), addresses: V6, ipv6: true },
  ];
  // --only NAME, given once or more: those setups alone, in the order given
  const only = process.argv.flatMap((a, i) => (a === "--only" && i + 1 < process.argv.length ? [process.argv[i + 1]] : []));
  const unknown = only.filter((name) => !allSetups.some((x) => x.name === name));
  if (unknown.length > 0) throw new Error(`--only: no setup "${unknown[0]}"; there are: ${allSetups.map((x) => x.name).join(", ")}`);
  const setups = only.length > 0 ? only.map((name) => allSetups.find((x) => x.name === name)!) : allSetups;
  const deadline = Date.now() + RUN_LIMIT_MS;
  say(`bench:failover: ${trials} trial(s) per setup and outage (${outages.join(", ")}); ${version}; node ${process.version}`);
  const results: SetupResult[] = [];
  const refused: string[] = [];
  try {
    for (const setup of setups) {
      say(`${setup.name}:`);
      try {
        results.push(await runSetup(setup, outages, trials, deadline));
      } catch (error) {
        if (!(error instanceof SetupRefused)) throw error;
        // said once, after the tables (or as the one line of the error when nothing was measured)
        refused.push(error.message);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // nothing measured: the one line of why (a refused config) and exit 1
  if (results.length === 0) throw new Error(refused.join("; "));
  /** the keepalived setup of the same family as `r` (the v6 rows are compared with keepalived v6) */
  const keepalivedFor = (r: SetupResult) => results.find((k) => k.setup.kind === "keepalived" && (k.setup.ipv6 === true) === (r.setup.ipv6 === true));
  const median = (r: SetupResult | undefined, outage: OutageKind, phase: Phase) => (r === undefined ? undefined : stats(r.trials[outage][phase], "httpMicros").median);
  const ratio = (ours: number | undefined, theirs: number | undefined) => (ours === undefined || theirs === undefined ? undefined : ours / theirs);
  const rows: string[][] = [];
  for (const outage of outages) {
    for (const phase of ["failover", "failback"] as const) {
      for (const r of results) {
        const trialsOf = r.trials[outage][phase];
        const h = stats(trialsOf, "httpMicros");
        const n = stats(trialsOf, "neighbourMicros");
        const x = r.setup.kind === "keepalived" ? undefined : ratio(h.median, median(keepalivedFor(r), outage, phase));
        rows.push([outage, phase, r.setup.name, String(trialsOf.length), ms(h.min), ms(h.median), ms(h.max), ms(n.median), x === undefined ? (r.setup.kind === "keepalived" ? "" : "—") : x.toFixed(2), h.failed > 0 ? `${h.failed} failed` : ""]);
      }
    }
  }
  console.log("\nfrom the link change to the router's first HTTP 200 at 192.0.2.37 (×4: at each of .37–.40; v6: at 2001:db8:1::37) from the new owner (ms); outage carrier:");
  console.log("Brain's switch port down/up; admin: `ip link set dev eth0 down/up` inside Brain. × keepalived: the ratio of");
  console.log("medians, takeover / keepalived, same outage and phase (below 1: takeover is faster)\n");
  console.log(formatTable(["outage", "phase", "setup", "trials", "min", "median", "max", "neighbour median", "× keepalived", ""], rows));

  console.log("\nthe router's neighbour entry for 192.0.2.37 (×4: the last of .37–.40; v6: its IPv6 entry for 2001:db8:1::37) holding the new owner's MAC, from the link change (ms;");
  console.log("stamped as the router's kernel tells it over rtnetlink)\n");
  const neighbourRows: string[][] = [];
  for (const outage of outages) for (const phase of ["failover", "failback"] as const) for (const r of results) {
    const n = stats(r.trials[outage][phase], "neighbourMicros");
    neighbourRows.push([outage, phase, r.setup.name, String(r.trials[outage][phase].length), ms(n.min), ms(n.median), ms(n.max), n.failed > 0 ? `${n.failed} not seen` : ""]);
  }
  console.log(formatTable(["outage", "phase", "setup", "trials", "min", "median", "max", ""], neighbourRows));
  if (TIMELINE) {
    console.log("\n--timeline: median µs from the link change to each step (and from the step before), per setup, outage and phase");
    for (const r of results) for (const outage of outages) for (const phase of ["failover", "failback"] as const) {
      const runs = r.timelines[outage][phase];
      if (runs.length === 0) continue;
      console.log(`\n${r.setup.name}, ${outage} ${phase} (${runs.length} trials)`);
      const rows: string[][] = [];
      let previous: number | undefined;
      for (let i = 0; i < runs[0].length; i++) {
        const values = runs.map((steps) => steps[i][1]).filter((v): v is number => v !== undefined);
        const gaps = i === 0 ? [] : runs.map((steps) => (steps[i][1] !== undefined && steps[i - 1][1] !== undefined ? steps[i][1]! - steps[i - 1][1]! : undefined)).filter((v): v is number => v !== undefined);
        const m = values.length === 0 ? undefined : medianOf(values);
        rows.push([runs[0][i][0], m === undefined ? "—" : String(Math.round(m)), gaps.length === 0 ? "" : String(Math.round(medianOf(gaps))), `${values.length}/${runs.length}`]);
        previous = m;
      }
      void previous;
      console.log(formatTable(["step", "median µs", "step median µs", "seen"], rows));
    }
  }

  const med = (name: string, outage: OutageKind, phase: Phase) => median(results.find((r) => r.setup.name === name), outage, phase);
  const check = (what: string, ok: boolean | undefined) => console.log(`  ${ok === undefined ? "?" : ok ? "met" : "MISSED"}  ${what}`);
  console.log("\ntargets (reported, not asserted)");
  for (const outage of outages) {
    const kf = med("keepalived", outage, "failover");
    const kb = med("keepalived", outage, "failback");
    for (const name of ["takeover 10ms", "takeover 10ms fall 1"]) {
      for (const phase of ["failover", "failback"] as const) {
        const m = med(name, outage, phase);
        const k = phase === "failover" ? kf : kb;
        check(`${outage}: ${name}: median ${phase} ${ms(m)} ms ≤ 40 ms and below keepalived's ${ms(k)} ms`, m === undefined || k === undefined ? undefined : m <= 40_000 && m < k);
      }
    }
    // issue 8: failback ≤ 0.5× keepalived's median; failover ≤ 0.8× at the same loss tolerance (fall 3)
    for (const name of ["takeover 10ms", "takeover 10ms fall 3", "takeover 10ms fall 1"]) {
      const x = ratio(med(name, outage, "failback"), kb);
      check(`${outage}: ${name}: median failback ${ms(med(name, outage, "failback"))} ms ≤ 0.5× keepalived's ${ms(kb)} ms (${x === undefined ? "—" : `${x.toFixed(2)}×`})`, x === undefined ? undefined : x <= 0.5);
    }
    const xf = ratio(med("takeover 10ms fall 3", outage, "failover"), kf);
    check(`${outage}: takeover 10ms fall 3: median failover ${ms(med("takeover 10ms fall 3", outage, "failover"))} ms ≤ 0.8× keepalived's ${ms(kf)} ms (${xf === undefined ? "—" : `${xf.toFixed(2)}×`})`, xf === undefined ? undefined : xf <= 0.8);
    // issue 12: four addresses per box within 1.2× the one-address time, under the same watcher load
    // (the router's HTTP 200 and its neighbour entry, the last of the four); against "takeover 10ms",
    // whose watcher runs a quarter of the GETs, informative
    const neighbourMedian = (name: string, phase: Phase) => {
      const r = results.find((x) => x.setup.name === name);
      return r === undefined ? undefined : stats(r.trials[outage][phase], "neighbourMicros").median;
    };
    for (const phase of ["failover", "failback"] as const) {
      const four = med("takeover 10ms ×4", outage, phase);
      const one = med("takeover 10ms ×1 at ×4's load", outage, phase);
      const x = ratio(four, one);
      check(`${outage}: takeover 10ms ×4: median ${phase} ${ms(four)} ms ≤ 1.2× one address's at the same load ${ms(one)} ms (${x === undefined ? "—" : `${x.toFixed(2)}×`})`, x === undefined ? undefined : x <= 1.2);
      const fourN = neighbourMedian("takeover 10ms ×4", phase);
      const oneN = neighbourMedian("takeover 10ms ×1 at ×4's load", phase);
      const xn = ratio(fourN, oneN);
      check(`${outage}: takeover 10ms ×4: median ${phase} by the router's neighbour entries ${ms(fourN)} ms ≤ 1.2× one address's at the same load ${ms(oneN)} ms (${xn === undefined ? "—" : `${xn.toFixed(2)}×`})`, xn === undefined ? undefined : xn <= 1.2);
      const lighter = med("takeover 10ms", outage, phase);
      const xl = ratio(four, lighter);
      if (xl !== undefined) console.log(`  (info) ${outage}: takeover 10ms ×4 / takeover 10ms (a quarter of the watcher's GETs), median ${phase}: ${xl.toFixed(2)}×`);
    }
    // issue 13: at 2 ms probes, the router's neighbour entry moved within 10 ms (median), both phases
    for (const phase of ["failover", "failback"] as const) {
      const r = results.find((x) => x.setup.name === "takeover 2ms");
      const m = r === undefined ? undefined : stats(r.trials[outage][phase], "neighbourMicros").median;
      check(`${outage}: takeover 2ms: median ${phase} by the router's neighbour entry ${ms(m)} ms ≤ 10 ms`, m === undefined ? undefined : m <= 10_000);
    }
    // issue 11: IPv6 failover ≤ 0.8× keepalived v6's at the same loss tolerance (this row is fall 2, one
    // missed message fewer than VRRP's three: the ratio is printed for it), failback ≤ 50 ms in every
    // trial (by the router's neighbour entry)
    const v6 = results.find((x) => x.setup.name === "takeover 10ms v6");
    const xv6 = ratio(med("takeover 10ms v6", outage, "failover"), med("keepalived v6", outage, "failover"));
    check(`${outage}: takeover 10ms v6: median failover ${ms(med("takeover 10ms v6", outage, "failover"))} ms (fall 2) ≤ 0.8× keepalived v6's ${ms(med("keepalived v6", outage, "failover"))} ms (${xv6 === undefined ? "—" : `${xv6.toFixed(2)}×`})`, xv6 === undefined ? undefined : xv6 <= 0.8);
    // at VRRP's loss tolerance (three missed messages), where the target is stated
    const xv6f3 = ratio(med("takeover 10ms fall 3 v6", outage, "failover"), med("keepalived v6", outage, "failover"));
    check(`${outage}: takeover 10ms fall 3 v6: median failover ${ms(med("takeover 10ms fall 3 v6", outage, "failover"))} ms ≤ 0.8× keepalived v6's ${ms(med("keepalived v6", outage, "failover"))} ms (${xv6f3 === undefined ? "—" : `${xv6f3.toFixed(2)}×`})`, xv6f3 === undefined ? undefined : xv6f3 <= 0.8);
    const v6back = v6 === undefined ? undefined : stats(v6.trials[outage].failback, "neighbourMicros");
    check(`${outage}: takeover 10ms v6: every failback by the router's IPv6 neighbour entry ≤ 50 ms (max ${ms(v6back?.max)} ms)`, v6back === undefined || v6back.max === undefined ? undefined : v6back.failed === 0 && v6back.max <= 50_000);
    const df = med("takeover defaults", outage, "failover");
    const db = med("takeover defaults", outage, "failback");
    check(`${outage}: takeover defaults: median failover ${ms(df)} ms < 1000 ms`, df === undefined ? undefined : df < 1_000_000);
    check(`${outage}: takeover defaults: median failback ${ms(db)} ms < 500 ms`, db === undefined ? undefined : db < 500_000);
  }
  for (const r of results) if (r.note !== undefined) console.log(`note: ${r.setup.name}: ${r.note}`);
  for (const why of refused) console.log(`skipped: ${why}`);
}

// run as the router's watcher when a lab hands it its JSON input, else as the bench
if (process.argv[2]?.startsWith("{") === true) {
  const input = workerInput<WatchInput | NeighbourInput>();
  if ("neighbours" in input) runNeighbourWatcher(input);
  else runWatcher(input);
}
else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench:failover: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

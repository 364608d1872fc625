// What the outside sees of the public addresses, for the end-to-end tests that judge ownership
// (flap.test.ts, e2e-ipv6.test.ts): which box carries each address (`ip addr` in each box's
// namespace), which MACs answer the router's ARP request for it (arping in the router's namespace,
// every reply counted; for an IPv6 address its Neighbor Solicitation, ndisc6 -m), and the router's
// neighbour entry for it (`ip neigh`, both families). Only iproute2, arping and ndisc6 are used,
// never takeover's own code, and every command runs asynchronously, so the test keeps reading the
// daemons' output. Addresses are written as `ip` prints them (IPv6 compressed, lower case).
// `ownershipProblems` and `expectOwnership` judge any moment, not only the steady state: after every
// transition of an end-to-end test, every public address on both boxes and from the router. A box
// may be the home of several public addresses (`publicAddresses`, issue 12): each is judged alone.
// A plain module, not a test file.
import { run } from "../../src/lab/command";
import { Lab } from "../../src/lab/netns";
import { hrtimeMicros } from "../../src/link/port";

/** A box and the public address it is the home of; with `publicAddresses`, all of them (the first usually `publicAddress`). */
export interface HomeBox {
  readonly name: string;
  readonly mac: string;
  readonly publicAddress: string;
  readonly publicAddresses?: readonly string[];
}

/** Every public address `home` is the home of. */
export function publicAddressesOf(home: HomeBox): readonly string[] {
  return home.publicAddresses ?? [home.publicAddress];
}

export interface NeighbourEntry {
  /** absent while INCOMPLETE or FAILED */
  readonly mac?: string;
  readonly states: readonly string[];
}

/** One look from outside. Maps are keyed by public address. */
export interface OutsideView {
  /** when the look began (µs, hrtimeMicros) */
  readonly t: number;
  /** the boxes whose namespace has the address on some interface, in the order of `homes` */
  readonly carriers: ReadonlyMap<string, readonly string[]>;
  /** every address on each box (by name), IPv4 and global IPv6, loopback and link-local left out, sorted */
  readonly held: ReadonlyMap<string, readonly string[]>;
  /** the router's neighbour entry for the address, undefined when it has none */
  readonly neighbour: ReadonlyMap<string, NeighbourEntry | undefined>;
  /** the distinct MACs that answered the router's ARP requests (Neighbor Solicitations) for the address, when asked */
  readonly arp?: ReadonlyMap<string, readonly string[]>;
}

/** A tool the judge uses did not work: the test's own failure, never the daemons'. */
export class JudgeError extends Error {
  override readonly name = "JudgeError";
}

/**
 * The addresses on any interface of `host`'s namespace: IPv4, and IPv6 but for link-local (fe80::/10,
 * every interface has one) and ::1. An IPv6 address the kernel found duplicate (dadfailed) is left
 * out: it is on the interface, but the box neither answers nor sends for it.
 */
export async function addressesIn(lab: Lab, host: string): Promise<string[]> {
  const out = await run(["ip", "-n", lab.ns(host), "-j", "addr", "show"], { timeoutMs: 10_000 });
  if (out.status !== 0) throw new JudgeError(`ip addr in ${host}'s namespace: exit ${out.status}: ${out.stderr.trim()}`);
  const shown = JSON.parse(out.stdout.trim() || "[]") as Array<{ addr_info?: Array<{ family?: string; local?: string; scope?: string; dadfailed?: boolean }> }>;
  return shown
    .flatMap((i) => i.addr_info ?? [])
    .filter((a) => a.family !== "inet6" || (a.scope === "global" && a.dadfailed !== true))
    .map((a) => a.local ?? "")
    .filter((a) => a !== "");
}

/** The router's neighbour entries for `addresses`. */
export async function neighbourEntries(lab: Lab, router: string, addresses: readonly string[]): Promise<Map<string, NeighbourEntry | undefined>> {
  const out = await run(["ip", "-n", lab.ns(router), "-j", "neigh", "show"], { timeoutMs: 10_000 });
  if (out.status !== 0) throw new JudgeError(`ip neigh in ${router}'s namespace: exit ${out.status}: ${out.stderr.trim()}`);
  const entries = JSON.parse(out.stdout.trim() || "[]") as Array<{ dst: string; lladdr?: string; state?: string[] }>;
  const found = new Map<string, NeighbourEntry | undefined>();
  for (const address of addresses) {
    const e = entries.find((x) => x.dst === address);
    found.set(address, e === undefined ? undefined : { mac: e.lladdr, states: e.state ?? [] });
  }
  return found;
}

/**
 * Every MAC that answers ARP requests for `address` sent from `router`'s `iface`: `requests`
 * requests 100 ms apart (arping, which counts every reply, not only the first), replies about other
 * addresses left out. Takes about requests × 100 ms. @throws JudgeError when arping did not run
 */
export async function arpAnswers(lab: Lab, router: string, iface: string, address: string, requests: number): Promise<string[]> {
  const argv = ["arping", "-c", String(requests), "-W", "0.1", "-w", String(requests * 0.1 + 0.2), "-i", iface, address];
  const out = await lab.execAsync(router, argv, { timeoutMs: 10_000 });
  const sent = /^(\d+) packets transmitted/m.exec(out.stdout);
  if (sent === null || Number(sent[1]) < 1) {
    throw new JudgeError(`arping in ${router}'s namespace did not send its requests (exit ${out.status}): ${`${out.stdout}\n${out.stderr}`.trim().replace(/\n/g, " | ")}`);
  }
  const macs = new Set<string>();
  // 42 bytes from 02:00:5e:00:00:17 (192.0.2.37): index=0 time=10.950 usec
  for (const m of out.stdout.matchAll(/^\d+ bytes from ([0-9a-f:]{17}) \(([0-9.]+)\)/gm)) {
    if (m[2] === address) macs.add(m[1].toLowerCase());
  }
  return [...macs].sort();
}

/**
 * Every MAC that answers Neighbor Solicitations for the IPv6 `address` sent from `router`'s `iface`:
 * `requests` runs of ndisc6 -m (one solicitation each, every answer within 100 ms printed, not only
 * the first), answers for other targets left out. Takes about requests × 100 ms. IPv6's ARP
 * request, for the IPv6 half of `lookFromOutside`.
 * @throws JudgeError when ndisc6 did not run (it is in the Debian package ndisc6)
 */
export async function ndpAnswers(lab: Lab, router: string, iface: string, address: string, requests: number): Promise<string[]> {
  const macs = new Set<string>();
  for (let i = 0; i < requests; i++) {
    const out = await lab.execAsync(router, ["ndisc6", "-m", "-n", "-r", "1", "-w", "100", address, iface], { timeoutMs: 10_000 });
    if (!/^Soliciting /m.test(out.stdout)) {
      throw new JudgeError(`ndisc6 in ${router}'s namespace did not send its solicitation (exit ${out.status}; it is in the Debian package ndisc6): ${`${out.stdout}\n${out.stderr}`.trim().replace(/\n/g, " | ")}`);
    }
    // Target link-layer address: 02:00:5E:00:00:17
    //  from 2001:db8:1::37
    for (const m of out.stdout.matchAll(/^Target link-layer address: ([0-9A-Fa-f:]{17})\s*\n\s*from (\S+)/gm)) macs.add(m[1].toLowerCase());
  }
  return [...macs].sort();
}

/** Who answers the router's ARP request (IPv4) or Neighbor Solicitation (IPv6) for `address`. */
export function linkLayerAnswers(lab: Lab, router: string, iface: string, address: string, requests: number): Promise<string[]> {
  return address.includes(":") ? ndpAnswers(lab, router, iface, address, requests) : arpAnswers(lab, router, iface, address, requests);
}

/** One look: the boxes' addresses and the router's entries; with `arpRequests`, also who answers ARP (NDP for IPv6). */
export async function lookFromOutside(lab: Lab, router: { name: string; iface: string }, homes: readonly HomeBox[], arpRequests = 0): Promise<OutsideView> {
  const t = hrtimeMicros();
  const addresses = homes.flatMap(publicAddressesOf);
  const [held, neighbour, answers] = await Promise.all([
    Promise.all(homes.map((h) => addressesIn(lab, h.name))),
    neighbourEntries(lab, router.name, addresses),
    arpRequests > 0 ? Promise.all(addresses.map((a) => linkLayerAnswers(lab, router.name, router.iface, a, arpRequests))) : undefined,
  ]);
  const carriers = new Map(addresses.map((a) => [a, homes.filter((_, i) => held[i].includes(a)).map((h) => h.name)] as const));
  const arp = answers === undefined ? undefined : new Map(addresses.map((a, i) => [a, answers[i]] as const));
  const boxes = new Map(homes.map((h, i) => [h.name, held[i].filter((a) => !a.startsWith("127.") && a !== "::1").sort()] as const));
  return { t, carriers, held: boxes, neighbour, arp };
}

function macName(homes: readonly HomeBox[], mac: string | undefined): string {
  if (mac === undefined) return "no MAC";
  const box = homes.find((h) => h.mac.toLowerCase() === mac.toLowerCase());
  return box === undefined ? mac : `${mac} (${box.name})`;
}

/**
 * What is wrong in `view`, one line each; empty when every public address is carried by its home
 * box alone, only the home box's MAC answers the router's ARP request for it (when asked), and the
 * router's entry for it, if usable (not INCOMPLETE or FAILED), holds the home box's MAC.
 */
export function problemsOf(view: OutsideView, homes: readonly HomeBox[]): string[] {
  const problems: string[] = [];
  for (const home of homes) for (const address of publicAddressesOf(home)) {
    const carriers = view.carriers.get(address) ?? [];
    if (carriers.length !== 1 || carriers[0] !== home.name) {
      problems.push(`${address} is carried by ${carriers.length === 0 ? "no box" : carriers.join(" and ")} (home: ${home.name})`);
    }
    const answers = view.arp?.get(address);
    if (answers !== undefined && (answers.length !== 1 || answers[0] !== home.mac.toLowerCase())) {
      problems.push(`the router's ${address.includes(":") ? "Neighbor Solicitation" : "ARP request"} for ${address} is answered by ${answers.length === 0 ? "nobody" : answers.map((m) => macName(homes, m)).join(" and ")} (home: ${home.name}, ${home.mac})`);
    }
    const entry = view.neighbour.get(address);
    const usable = entry !== undefined && entry.mac !== undefined && !entry.states.some((s) => s === "FAILED" || s === "INCOMPLETE");
    if (usable && entry.mac!.toLowerCase() !== home.mac.toLowerCase()) {
      problems.push(`the router's neighbour entry for ${address} holds ${macName(homes, entry.mac)} ${entry.states.join(",")} (home: ${home.name}, ${home.mac})`);
    }
  }
  return problems;
}

/**
 * `.37 on brain, .36 on brain+pinky | router's entries: .37 brain REACHABLE, .36 pinky STALE | ARP
 * answered by: …`; addresses with the same text side by side are grouped (`.37 .38 on brain`).
 */
export function summary(view: OutsideView, homes: readonly HomeBox[]): string {
  const short = (a: string) => (a.includes(":") ? `::${a.split(":").pop()}` : `.${a.split(".").pop()}`);
  const name = (mac: string | undefined) => (mac === undefined ? "none" : (homes.find((h) => h.mac.toLowerCase() === mac.toLowerCase())?.name ?? mac));
  const addresses = homes.flatMap(publicAddressesOf);
  const grouped = (text: (a: string) => string) => {
    const groups: { addresses: string[]; text: string }[] = [];
    for (const a of addresses) {
      const last = groups[groups.length - 1];
      const t = text(a);
      if (last !== undefined && last.text === t) last.addresses.push(short(a));
      else groups.push({ addresses: [short(a)], text: t });
    }
    return groups.map((g) => `${g.addresses.join(" ")} ${g.text}`).join(", ");
  };
  const on = grouped((a) => `on ${(view.carriers.get(a) ?? []).join("+") || "nobody"}`);
  const router = grouped((a) => {
    const e = view.neighbour.get(a);
    return e === undefined ? "no entry" : `${name(e.mac)} ${e.states.join(",")}`;
  });
  const arp = view.arp === undefined ? "" : ` | ARP answered by: ${grouped((a) => (view.arp!.get(a) ?? []).map(name).join("+") || "nobody")}`;
  return `${on} | router's entries: ${router}${arp}`;
}

/** A box with its real (never moving) address too: `ownershipProblems` checks every address it has. */
export interface Box extends HomeBox {
  readonly address: string;
}

/**
 * Who should have a public address at some moment: the box that carries it ("nobody", e.g. the home
 * box cut off and the other stopped; or several, e.g. a plain home host that keeps its address
 * configured while cut off and the box that took it over) and the box whose MAC the router's entry
 * should hold (the carrier's by default; the home box's after a hand-back to a box that cannot take
 * it yet).
 */
export type Holder = string | { readonly carriedBy: string | readonly string[]; readonly routerAt: string };

/**
 * What is wrong in `view` against `holders` (public address → Holder), one line each; empty when
 * each box carries exactly its real address and the public addresses it should (no more, no fewer)
 * and the router's neighbour entry for each public address holds the MAC of the box it should. An
 * entry the router has not resolved (none, INCOMPLETE or FAILED) is a problem too: the router's
 * watcher asks for both addresses all the time, so a settled router has one.
 */
export function ownershipProblems(view: OutsideView, boxes: readonly Box[], holders: Readonly<Record<string, Holder>>): string[] {
  return [...addressProblems(view, boxes, holders), ...routerEntryProblems(view, boxes, holders)];
}

/** The boxes' half of `ownershipProblems`: each box has exactly its real address and the public ones it should. */
export function addressProblems(view: OutsideView, boxes: readonly Box[], holders: Readonly<Record<string, Holder>>): string[] {
  const problems: string[] = [];
  const carries = (h: Holder, box: string) => (typeof h === "string" ? h === box : typeof h.carriedBy === "string" ? h.carriedBy === box : h.carriedBy.includes(box));
  for (const box of boxes) {
    const should = [box.address, ...Object.keys(holders).filter((a) => carries(holders[a], box.name))].sort();
    const has = view.held.get(box.name) ?? [];
    if (has.join(",") !== should.join(",")) problems.push(`${box.name} has ${has.join(", ") || "no address"}; it should have ${should.join(", ")}`);
  }
  return problems;
}

/** The router's half of `ownershipProblems`: its neighbour entry for each public address holds the right box's MAC. */
export function routerEntryProblems(view: OutsideView, boxes: readonly Box[], holders: Readonly<Record<string, Holder>>): string[] {
  const problems: string[] = [];
  const byName = (name: string) => boxes.find((b) => b.name === name);
  for (const [address, holder] of Object.entries(holders)) {
    const routerAt = byName(typeof holder === "string" ? holder : holder.routerAt);
    if (routerAt === undefined) throw new JudgeError(`no box named ${typeof holder === "string" ? holder : holder.routerAt} for ${address}`);
    const entry = view.neighbour.get(address);
    const usable = entry !== undefined && entry.mac !== undefined && !entry.states.some((s) => s === "FAILED" || s === "INCOMPLETE");
    if (!usable) problems.push(`the router has no usable neighbour entry for ${address} (${entry === undefined ? "none" : entry.states.join(",")}); it should hold ${routerAt.name}'s ${routerAt.mac}`);
    else if (entry.mac!.toLowerCase() !== routerAt.mac.toLowerCase()) {
      problems.push(`the router's neighbour entry for ${address} holds ${macName(boxes, entry.mac)} ${entry.states.join(",")}; it should hold ${routerAt.name}'s ${routerAt.mac}`);
    }
  }
  return problems;
}

/**
 * When `view` asked (arpRequests > 0): each public address in `holders` answered by the MAC of the
 * box the router should be at, and by no other.
 */
export function arpAnswerProblems(view: OutsideView, boxes: readonly Box[], holders: Readonly<Record<string, Holder>>): string[] {
  if (view.arp === undefined) return [];
  const problems: string[] = [];
  for (const [address, holder] of Object.entries(holders)) {
    const name = typeof holder === "string" ? holder : holder.routerAt;
    const at = boxes.find((b) => b.name === name);
    if (at === undefined) throw new JudgeError(`no box named ${name} for ${address}`);
    const answers = view.arp.get(address) ?? [];
    if (answers.length !== 1 || answers[0] !== at.mac.toLowerCase()) {
      problems.push(`the router's ${address.includes(":") ? "Neighbor Solicitation" : "ARP request"} for ${address} is answered by ${answers.length === 0 ? "nobody" : answers.map((m) => macName(boxes, m)).join(" and ")}; it should be by ${at.name}'s ${at.mac} alone`);
    }
  }
  return problems;
}

/**
 * Looks from outside until the view matches `holders` (every 50 ms, at most `timeoutMs`), and
 * returns what was still wrong at the last look: empty when it matched. The wait is for a
 * transition to settle (an announcement to reach the router, an `ip addr del` to land); a view that
 * never matches is the failure.
 */
export async function awaitOwnership(lab: Lab, router: { name: string; iface: string }, boxes: readonly Box[], holders: Readonly<Record<string, Holder>>, timeoutMs: number): Promise<{ problems: string[]; view: OutsideView }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await lookFromOutside(lab, router, boxes);
    const problems = ownershipProblems(view, boxes, holders);
    if (problems.length === 0 || Date.now() >= deadline) return { problems, view };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

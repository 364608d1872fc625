// What a Linux router's IPv6 neighbour cache does with each form of Neighbor Advertisement, as
// measured on Linux 6.18 (net/ipv6/ndisc.c ndisc_recv_na, net/core/neighbour.c __neigh_update). One
// table drives two tests, so that the kernel and the simulator's model cannot drift apart:
// test/lab/ndisc-router.test.ts sends each form to a real router in network namespaces and reads
// `ip -j -6 neigh`; test/sim/router6.test.ts feeds the same forms to src/sim/router6.ts.
//
// The cast: the router's entry for the target T, when it has a MAC, holds A; the NA carries A
// ("the same MAC"), B ("a different MAC") or no Target Link-Layer Address option at all.

/** The router's entry for T before the NA. `STALE router` is a STALE entry with the IsRouter flag. */
export type Before = "none" | "INCOMPLETE" | "REACHABLE" | "STALE" | "STALE router" | "DELAY" | "PROBE" | "FAILED";
export const BEFORE_STATES: readonly Before[] = ["none", "INCOMPLETE", "REACHABLE", "STALE", "STALE router", "DELAY", "PROBE", "FAILED"];

/** Where the NA comes from: T itself, another address on the router's prefix, an address off it, or a link-local. */
export type NaSource = "target" | "on-link" | "off-link" | "link-local";

/** Where the NA goes: all-nodes (ff02::1) or the router's own address (unicast). */
export type NaDestination = "all-nodes" | "router";

export interface NaForm {
  readonly solicited: boolean;
  readonly override: boolean;
  /** the Router flag */
  readonly router: boolean;
  /** the Target Link-Layer Address option: A, B, or absent */
  readonly tlla: "A" | "B" | undefined;
  readonly source: NaSource;
  /** solicited NAs go to the router, unsolicited ones to all-nodes, unless a case says otherwise */
  readonly destination: NaDestination;
  /** RFC 4861 asks for 255; anything else shows the NA did not come from the link */
  readonly hopLimit: number;
}

/** The router's entry for T after the NA; undefined when it has none. */
export interface EntryAfter {
  /** undefined while INCOMPLETE or FAILED */
  readonly mac: "A" | "B" | undefined;
  readonly state: "INCOMPLETE" | "REACHABLE" | "STALE" | "DELAY" | "PROBE" | "FAILED";
  readonly router: boolean;
}

/** The router's settings (net.ipv6.conf.eth0.*). */
export interface RouterSettings {
  /** 0, 1 or 2 (the kernel refuses other values) */
  readonly acceptUntrackedNa: 0 | 1 | 2;
  readonly forwarding: boolean;
}

export interface NaCase {
  readonly name: string;
  readonly before: Before;
  readonly settings: RouterSettings;
  readonly form: NaForm;
  readonly after: EntryAfter | undefined;
}

/**
 * One row: `flags` is any of "S" (Solicited), "O" (Override), "R" (Router); `tlla` "A", "B" or "-";
 * `after` "-" (no entry) or "MAC STATE [router]" with MAC "A", "B" or "-".
 */
function row(
  before: Before,
  flags: string,
  tlla: "A" | "B" | "-",
  after: string,
  options: { acceptUntrackedNa?: 0 | 1 | 2; forwarding?: boolean; source?: NaSource; destination?: NaDestination; hopLimit?: number } = {},
): NaCase {
  const solicited = flags.includes("S");
  const form: NaForm = {
    solicited,
    override: flags.includes("O"),
    router: flags.includes("R"),
    tlla: tlla === "-" ? undefined : tlla,
    source: options.source ?? "target",
    destination: options.destination ?? (solicited ? "router" : "all-nodes"),
    hopLimit: options.hopLimit ?? 255,
  };
  const settings: RouterSettings = { acceptUntrackedNa: options.acceptUntrackedNa ?? 0, forwarding: options.forwarding ?? true };
  let entry: EntryAfter | undefined;
  if (after !== "-") {
    const [mac, state, router] = after.split(" ");
    entry = { mac: mac === "-" ? undefined : (mac as "A" | "B"), state: state as EntryAfter["state"], router: router === "router" };
  }
  const described = [
    `${before}:`,
    `NA${flags === "" ? "" : ` ${flags.split("").join("")}`}`,
    tlla === "-" ? "no TLLA" : `TLLA ${tlla}`,
    `untracked=${settings.acceptUntrackedNa}`,
    settings.forwarding ? "" : "forwarding=0",
    form.source === "target" ? "" : `from ${form.source}`,
    form.destination === (solicited ? "router" : "all-nodes") ? "" : `to ${form.destination}`,
    form.hopLimit === 255 ? "" : `hop limit ${form.hopLimit}`,
  ];
  return { name: described.filter((part) => part !== "").join(" "), before, settings, form, after: entry };
}

const FLAGS = ["", "O", "S", "SO"] as const;

/** Every NA form (Solicited × Override × TLLA) on every state, with the router's default settings. */
const MATRIX: readonly NaCase[] = [
  // no entry: nothing is made unless accept_untracked_na allows it (then STALE, whatever the flags)
  ...FLAGS.flatMap((f) => [row("none", f, "-", "-"), row("none", f, "B", "-")]),
  ...([1, 2] as const).flatMap((acceptUntrackedNa) =>
    FLAGS.flatMap((f) => [row("none", f, "-", "-", { acceptUntrackedNa }), row("none", f, "B", "B STALE", { acceptUntrackedNa })]),
  ),
  // INCOMPLETE: any NA with a TLLA fills it, Override or not; unsolicited makes it STALE, and the
  // packet queued for the resolution, sent at once, turns that into DELAY
  row("INCOMPLETE", "", "-", "- INCOMPLETE"),
  row("INCOMPLETE", "O", "-", "- INCOMPLETE"),
  row("INCOMPLETE", "S", "-", "- INCOMPLETE"),
  row("INCOMPLETE", "SO", "-", "- INCOMPLETE"),
  row("INCOMPLETE", "", "B", "B DELAY"),
  row("INCOMPLETE", "O", "B", "B DELAY"),
  row("INCOMPLETE", "S", "B", "B REACHABLE"),
  row("INCOMPLETE", "SO", "B", "B REACHABLE"),
  // REACHABLE on A
  row("REACHABLE", "", "-", "A REACHABLE"),
  row("REACHABLE", "O", "-", "A REACHABLE"),
  row("REACHABLE", "S", "-", "A REACHABLE"),
  row("REACHABLE", "SO", "-", "A REACHABLE"),
  row("REACHABLE", "", "A", "A REACHABLE"),
  row("REACHABLE", "O", "A", "A REACHABLE"),
  row("REACHABLE", "S", "A", "A REACHABLE"),
  row("REACHABLE", "SO", "A", "A REACHABLE"),
  row("REACHABLE", "", "B", "A STALE"),
  row("REACHABLE", "O", "B", "B STALE"),
  row("REACHABLE", "S", "B", "A STALE"),
  row("REACHABLE", "SO", "B", "B REACHABLE"),
  // STALE, DELAY and PROBE on A: the same MAC or none confirms only when solicited; another MAC
  // only with Override
  ...(["STALE", "DELAY", "PROBE"] as const).flatMap((state) => [
    row(state, "", "-", `A ${state}`),
    row(state, "O", "-", `A ${state}`),
    row(state, "S", "-", "A REACHABLE"),
    row(state, "SO", "-", "A REACHABLE"),
    row(state, "", "A", `A ${state}`),
    row(state, "O", "A", `A ${state}`),
    row(state, "S", "A", "A REACHABLE"),
    row(state, "SO", "A", "A REACHABLE"),
    row(state, "", "B", `A ${state}`),
    row(state, "O", "B", "B STALE"),
    row(state, "S", "B", `A ${state}`),
    row(state, "SO", "B", "B REACHABLE"),
  ]),
  // FAILED: every NA is ignored; only the router's own next resolution (traffic) revives the entry
  ...FLAGS.flatMap((f) => [row("FAILED", f, "-", "- FAILED"), row("FAILED", f, "B", "- FAILED")]),
];

/** Where the NA comes from and goes, the Router flag, and forwarding off. */
const VARIANTS: readonly NaCase[] = [
  // accept_untracked_na=1 takes any source; 2 only one on a prefix of the interface (link-local is)
  row("none", "O", "B", "B STALE", { acceptUntrackedNa: 1, source: "on-link" }),
  row("none", "O", "B", "B STALE", { acceptUntrackedNa: 1, source: "off-link" }),
  row("none", "O", "B", "B STALE", { acceptUntrackedNa: 1, source: "link-local" }),
  row("none", "O", "B", "B STALE", { acceptUntrackedNa: 1, destination: "router" }),
  row("none", "O", "B", "B STALE", { acceptUntrackedNa: 2, source: "on-link" }),
  row("none", "O", "B", "-", { acceptUntrackedNa: 2, source: "off-link" }),
  row("none", "O", "B", "B STALE", { acceptUntrackedNa: 2, source: "link-local" }),
  // accept_untracked_na changes nothing for an entry that exists, FAILED included
  row("FAILED", "O", "B", "- FAILED", { acceptUntrackedNa: 1 }),
  row("FAILED", "SO", "B", "- FAILED", { acceptUntrackedNa: 2 }),
  row("STALE", "", "B", "A STALE", { acceptUntrackedNa: 1 }),
  row("REACHABLE", "", "B", "A STALE", { acceptUntrackedNa: 1 }),
  row("INCOMPLETE", "", "B", "B DELAY", { acceptUntrackedNa: 2 }),
  // a host (forwarding off) never makes an entry from an NA
  row("none", "O", "B", "-", { acceptUntrackedNa: 1, forwarding: false }),
  row("none", "SO", "B", "-", { acceptUntrackedNa: 1, forwarding: false }),
  // a solicited NA sent to a multicast address is dropped
  row("STALE", "SO", "B", "A STALE", { destination: "all-nodes" }),
  row("INCOMPLETE", "SO", "B", "- INCOMPLETE", { destination: "all-nodes" }),
  // the source address and a unicast destination do not matter to an existing entry
  row("STALE", "O", "B", "B STALE", { destination: "router" }),
  row("STALE", "O", "B", "B STALE", { source: "on-link" }),
  row("STALE", "O", "B", "B STALE", { source: "off-link" }),
  row("STALE", "O", "B", "B STALE", { source: "link-local" }),
  // an NA that was routed (hop limit below 255) is dropped
  row("STALE", "O", "B", "A STALE", { hopLimit: 254 }),
  row("none", "O", "B", "-", { acceptUntrackedNa: 1, hopLimit: 254 }),
  // the Router flag is taken with the MAC: with Override, or when the MAC is the same
  row("STALE", "RO", "B", "B STALE router"),
  row("STALE", "R", "A", "A STALE router"),
  row("STALE", "R", "B", "A STALE"),
  row("STALE router", "O", "A", "A STALE"),
  row("STALE router", "", "A", "A STALE"),
  row("STALE router", "", "B", "A STALE router"),
  row("STALE router", "O", "B", "B STALE"),
];

export const NA_CASES: readonly NaCase[] = [...MATRIX, ...VARIANTS];

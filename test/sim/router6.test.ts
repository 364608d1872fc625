// The simulator's IPv6 router against what Linux 6.18 was measured to do: every row of
// test/helpers/ndisc-outcomes.ts (the table test/lab/ndisc-router.test.ts asserts against the
// kernel) is played on the model the same way, the entry put in the row's state by the same means
// (the router's traffic, or `ip neigh replace`), the row's NA sent on the segment; then the re-probe
// of a STALE entry on a dead MAC with the same shortened knobs, and two Override NAs back to back.
import { strict as assert } from "node:assert";
import { Mac } from "../../src/packets/address";
import { Ipv6Address } from "../../src/packets/ipv6";
import { linkLocalOf, neighborAdvertisement, readNdp } from "../../src/sim/frames6";
import { Neighbour6, Router6, ROUTER6_DEFAULTS, Router6Options } from "../../src/sim/router6";
import { Scheduler } from "../../src/sim/scheduler";
import { Segment, Station } from "../../src/sim/segment";
import { BEFORE_STATES, NA_CASES, NaCase } from "../helpers/ndisc-outcomes";

const MAC = { router: Mac.parse("02:00:5e:00:00:01"), A: Mac.parse("02:00:5e:00:00:17"), B: Mac.parse("02:00:5e:00:00:18"), c: Mac.parse("02:00:5e:00:00:99") };
const ROUTER_IP = Ipv6Address.parse("2001:db8::1");
const TARGET = Ipv6Address.parse("2001:db8::36");
const SOURCES = {
  target: TARGET,
  "on-link": Ipv6Address.parse("2001:db8::99"),
  "off-link": Ipv6Address.parse("2001:db8:1::99"),
  "link-local": linkLocalOf(MAC.c),
};

/** Hears what the router sends; answers a solicitation for `holds` as the holder would (solicited, Override, its MAC). */
class Box implements Station {
  readonly heard: { micros: number; to: string; unicast: boolean; target: string }[] = [];
  holds: Ipv6Address | undefined;
  constructor(
    readonly id: string,
    readonly mac: Mac,
    readonly scheduler: Scheduler,
    readonly segment: Segment,
  ) {
    segment.attach(this);
  }
  receive(bytes: Uint8Array): void {
    const m = readNdp(bytes);
    if (m === undefined || m.kind !== "solicitation") return;
    this.heard.push({ micros: this.scheduler.now, to: m.destinationMac.toString(), unicast: m.destinationMac.equals(this.mac), target: m.target.toString() });
    const forMe = m.destinationMac.equals(this.mac) || (m.destinationMac.toBytes()[0] & 1) === 1;
    if (this.holds === undefined || !forMe || !m.target.equals(this.holds) || m.linkLayer === undefined) return;
    this.segment.transmit(
      this.id,
      neighborAdvertisement({ sourceMac: this.mac, source: this.holds, destination: m.source, destinationMac: m.linkLayer, target: this.holds, solicited: true, override: true, tlla: this.mac }),
    );
  }
}

function setUp(options: Partial<Router6Options> = {}) {
  const scheduler = new Scheduler(0);
  const segment = new Segment(scheduler, 40);
  const router = new Router6(MAC.router, ROUTER_IP, 64, scheduler, segment, undefined, { ...ROUTER6_DEFAULTS, ...options });
  const c = new Box("c", MAC.c, scheduler, segment);
  const run = (micros: number) => scheduler.run(() => scheduler.now + micros);
  return { scheduler, segment, router, c, run };
}

function describe6(seen: Neighbour6 | undefined): string {
  if (seen === undefined) return "-";
  const name = seen.mac === undefined ? "-" : seen.mac.equals(MAC.A) ? "A" : seen.mac.equals(MAC.B) ? "B" : seen.mac.toString();
  return `${name} ${seen.state}${seen.router ? " router" : ""}`;
}

function expected(c: NaCase): string {
  if (c.after === undefined) return "-";
  return `${c.after.mac ?? "-"} ${c.after.state}${c.after.router ? " router" : ""}`;
}

describe("sim: IPv6 router neighbour cache, against the kernel's table", () => {
  it(`does with each NA form, in each state, what the kernel does (${NA_CASES.length} rows)`, async () => {
    const wrong: string[] = [];
    for (const row of NA_CASES) {
      const { router, segment, run } = setUp({ acceptUntrackedNa: row.settings.acceptUntrackedNa, forwarding: row.settings.forwarding });
      switch (row.before) {
        case "none":
          break;
        case "INCOMPLETE":
          router.send(TARGET);
          break;
        case "FAILED": // as the kernel test: solicitations 50 ms apart until it gives up
          router.options = { ...router.options, retransMicros: 50_000 };
          router.send(TARGET);
          await run(200_000);
          router.options = { ...router.options, retransMicros: 1_000_000 };
          break;
        case "DELAY":
          router.set(TARGET, MAC.A, "STALE");
          router.send(TARGET);
          break;
        case "STALE router":
          router.set(TARGET, MAC.A, "STALE", true);
          break;
        default:
          router.set(TARGET, MAC.A, row.before);
      }
      await run(1_000);
      const before = describe6(router.entry(TARGET));
      const wantedBefore = { none: "-", INCOMPLETE: "- INCOMPLETE", FAILED: "- FAILED", "STALE router": "A STALE router" }[row.before as string] ?? `A ${row.before}`;
      assert.equal(before, wantedBefore, `${row.name}: put in its state`);
      const { form } = row;
      segment.transmit(
        "c",
        neighborAdvertisement({
          sourceMac: MAC.c,
          source: SOURCES[form.source],
          destination: form.destination === "router" ? ROUTER_IP : undefined,
          destinationMac: form.destination === "router" ? MAC.router : undefined,
          target: TARGET,
          router: form.router,
          solicited: form.solicited,
          override: form.override,
          tlla: form.tlla === undefined ? undefined : MAC[form.tlla],
          hopLimit: form.hopLimit,
        }),
      );
      await run(50_000);
      const got = describe6(router.entry(TARGET));
      if (got !== expected(row)) wrong.push(`${row.name}: the table says ${expected(row)}, the model made ${got}`);
    }
    assert.deepEqual([...new Set(NA_CASES.map((c) => c.before))].sort(), [...BEFORE_STATES].sort(), "every state is in the table");
    assert.deepEqual(wrong, [], `${wrong.length} of ${NA_CASES.length} rows differ`);
  });

  it("re-probes a STALE entry on a dead MAC only when traffic comes: DELAY, three unicast probes, FAILED, then a multicast solicitation the new holder answers", async () => {
    // the kernel test's shortened knobs, its reachable time at the middle of 0.5-1.5 × 500 ms
    const { router, scheduler, segment, run } = setUp({ reachableMicros: 500_000, delayFirstProbeMicros: 1_000_000, retransMicros: 300_000 });
    const a = new Box("a", MAC.A, scheduler, segment);
    const b = new Box("b", MAC.B, scheduler, segment);
    a.holds = TARGET;
    router.send(TARGET);
    await run(10_000);
    assert.equal(describe6(router.entry(TARGET)), "A REACHABLE");
    await run(2_000_000);
    assert.equal(describe6(router.entry(TARGET)), "A STALE", "REACHABLE for the reachable time, then STALE: unused, it is not checked");
    await run(60_000_000);
    assert.equal(describe6(router.entry(TARGET)), "A STALE", "and stays STALE while nobody sends to it");
    // a dies (it answers nothing; its MAC stays in the cache), b takes the address silently; traffic every 100 ms
    a.holds = undefined;
    b.holds = TARGET;
    const start = scheduler.now;
    const timeline: string[] = [];
    let last = "";
    for (let tick = 0; tick < 50 && last !== "B REACHABLE"; tick++) {
      router.send(TARGET);
      for (let step = 0; step < 10; step++) {
        await run(10_000);
        const now = describe6(router.entry(TARGET));
        if (now !== last) timeline.push(`${Math.round((scheduler.now - start) / 1000)} ${now}`);
        last = now;
      }
    }
    assert.deepEqual(
      timeline.map((t) => t.split(" ").slice(1).join(" ")),
      ["A DELAY", "A PROBE", "- FAILED", "B REACHABLE"],
      timeline.join(", "),
    );
    const at = (state: string) => Number(timeline.find((t) => t.endsWith(state))?.split(" ")[0]);
    assert.ok(at("A PROBE") >= 1_000 && at("A PROBE") <= 1_020, timeline.join(", "));
    assert.ok(at("- FAILED") - at("A PROBE") >= 900, timeline.join(", "));
    // unicast probes reach a's port only, multicast ones both
    const solicitations = [...a.heard.filter((h) => h.unicast), ...b.heard.filter((h) => !h.unicast)]
      .filter((h) => h.micros >= start && h.target === TARGET.toString())
      .sort((x, y) => x.micros - y.micros);
    const kinds = solicitations.map((h) => (h.to === MAC.A.toString() ? "u" : h.to.startsWith("33:33:ff") ? "m" : "?"));
    assert.equal(kinds.join(""), "uuum", "three unicast probes to the dead MAC, then one multicast solicitation");
  });

  it("sends on a REACHABLE entry without checking it: STALE after the reachable time, traffic or not, then DELAY at the next packet", async () => {
    // measured with the default knobs: REACHABLE on a dead MAC, a ping every 200 ms: STALE at 35.1 s
    // (the reachable time), DELAY at the next ping, PROBE 5 s later, FAILED 3 s after that
    const { router, scheduler, segment, run } = setUp({ reachableMicros: 30_000_000 });
    const b = new Box("b", MAC.B, scheduler, segment);
    router.set(TARGET, MAC.A, "REACHABLE");
    b.holds = TARGET;
    const start = scheduler.now;
    const timeline: string[] = [];
    let last = describe6(router.entry(TARGET));
    for (let tick = 0; tick < 250 && last !== "B REACHABLE"; tick++) {
      router.send(TARGET);
      await run(200_000);
      const now = describe6(router.entry(TARGET));
      if (now !== last) timeline.push(`${Math.round((scheduler.now - start) / 1000)} ${now}`);
      last = now;
    }
    // looked at after each 200 ms: STALE at 30,000 ms, DELAY at the packet of 30,200, PROBE 5 s after,
    // FAILED three retransmit times after that, the packet of 38,400 resolves afresh
    assert.deepEqual(timeline, ["30200 A STALE", "30400 A DELAY", "35400 A PROBE", "38400 - FAILED", "38600 B REACHABLE"]);
  });

  it("has no locktime: of two Override NAs back to back, the second wins", async () => {
    const { router, segment, run } = setUp();
    router.set(TARGET, MAC.A, "STALE");
    const na = (tlla: Mac) => neighborAdvertisement({ sourceMac: MAC.c, source: TARGET, target: TARGET, override: true, tlla });
    segment.transmit("c", na(MAC.B));
    segment.transmit("c", na(MAC.c));
    await run(1_000);
    assert.equal(describe6(router.entry(TARGET)), `${MAC.c.toString()} STALE`, "A, then B, then c's MAC");
  });
});

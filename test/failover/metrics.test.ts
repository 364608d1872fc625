// Prometheus metrics of the daemon (src/failover/metrics.ts), fed by a fake daemon: after a series of
// log lines, check results and announcements, the text must hold the exact counts, states, histogram
// buckets and the time of the last transition; every series must be in the text format.
import assert from "node:assert/strict";
import { daemonMetrics } from "../../src/failover/metrics";
import { FakeDaemon, T0 } from "./observer-fakes";

/** `name{a="b",c="d"}` → value, from the text format; HELP/TYPE lines checked to be there. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

describe("metrics", () => {
  it("counts transitions, conflicts, checks, failures and announcement frames from the events", async () => {
    const daemon = new FakeDaemon();
    const metrics = daemonMetrics(daemon);
    daemon.log("start", undefined, "watching pinky");
    daemon.log("peer-down", undefined, "peer is down", T0 + 1_000_000);
    daemon.log("claim", "192.0.2.36", "nobody answered the probe", T0 + 2_000_000);
    daemon.log("added", "192.0.2.36", "192.0.2.36/24 on eth0:vip");
    daemon.log("conflict", "192.0.2.36", "02:00:00:00:00:99 (not the peer) claims 192.0.2.36, which we hold: defending it", T0 + 3_000_000);
    daemon.log("conflict", "192.0.2.36", "again", T0 + 3_500_000);
    daemon.log("yield", "192.0.2.36", "the home node (02:00:00:00:00:18) claims 192.0.2.36: handing it back", T0 + 4_250_000);
    daemon.announce("192.0.2.36", 10, "claim");
    daemon.announce("192.0.2.36", 10, "claim");
    daemon.announce("192.0.2.36", 2, "defend");
    daemon.check("peer-ping", "icmp", true, 300);
    daemon.check("peer-ping", "icmp", true, 700);
    daemon.check("peer-ping", "icmp", false, 100_000);
    daemon.check("peer-web", "http", true, 30_000);
    const s = samples(await metrics.text());

    assert.equal(s.get('takeover_transitions_total{event="peer-down"}'), 1);
    assert.equal(s.get('takeover_transitions_total{event="claim"}'), 1);
    assert.equal(s.get('takeover_transitions_total{event="conflict"}'), 2);
    assert.equal(s.get('takeover_transitions_total{event="yield"}'), 1);
    assert.equal(s.get('takeover_transitions_total{event="start"}'), undefined, "start is not a transition");
    assert.equal(s.get('takeover_transitions_total{event="added"}'), undefined, "added is not a transition");
    // the home node taking its address back is no conflict
    assert.equal(s.get('takeover_conflicts_seen_total{address="192.0.2.36",outcome="defended"}'), 2);
    assert.equal(s.get('takeover_conflicts_seen_total{address="192.0.2.36",outcome="yielded"}'), undefined);
    assert.equal(s.get("takeover_last_transition_timestamp_seconds"), (T0 + 4_250_000) / 1e6);

    assert.equal(s.get('takeover_announcement_frames_total{reason="claim"}'), 20);
    assert.equal(s.get('takeover_announcement_frames_total{reason="defend"}'), 2);

    assert.equal(s.get('takeover_checks_total{check="peer-ping",type="icmp"}'), 3);
    assert.equal(s.get('takeover_check_failures_total{check="peer-ping",type="icmp"}'), 1);
    assert.equal(s.get('takeover_checks_total{check="peer-web",type="http"}'), 1);
    assert.equal(s.get('takeover_check_failures_total{check="peer-web",type="http"}'), 0);
    // RTTs of the checks that passed only, in µs buckets
    assert.equal(s.get('takeover_check_rtt_microseconds_bucket{le="250",check="peer-ping",type="icmp"}'), 0);
    assert.equal(s.get('takeover_check_rtt_microseconds_bucket{le="500",check="peer-ping",type="icmp"}'), 1);
    assert.equal(s.get('takeover_check_rtt_microseconds_bucket{le="1000",check="peer-ping",type="icmp"}'), 2);
    assert.equal(s.get('takeover_check_rtt_microseconds_bucket{le="+Inf",check="peer-ping",type="icmp"}'), 2);
    assert.equal(s.get('takeover_check_rtt_microseconds_sum{check="peer-ping",type="icmp"}'), 1000);
    assert.equal(s.get('takeover_check_rtt_microseconds_count{check="peer-ping",type="icmp"}'), 2);
    assert.equal(s.get('takeover_check_rtt_microseconds_bucket{le="25000",check="peer-web",type="http"}'), 0);
    assert.equal(s.get('takeover_check_rtt_microseconds_bucket{le="50000",check="peer-web",type="http"}'), 1);
    metrics.close();
  });

  it("counts a yield to a stranger and an answered probe as conflicts seen", async () => {
    const daemon = new FakeDaemon();
    const metrics = daemonMetrics(daemon);
    daemon.log("yield", "192.0.2.37", "02:00:00:00:00:99 claims 192.0.2.37; configured to yield to strangers");
    daemon.log("not-claiming", "192.0.2.36", "02:00:00:00:00:18 (the peer) answers for 192.0.2.36: not claiming it");
    const s = samples(await metrics.text());
    assert.equal(s.get('takeover_conflicts_seen_total{address="192.0.2.37",outcome="yielded"}'), 1);
    assert.equal(s.get('takeover_conflicts_seen_total{address="192.0.2.36",outcome="not-claimed"}'), 1);
    metrics.close();
  });

  it("shows each address's state and what is up from status() at scrape time", async () => {
    const daemon = new FakeDaemon();
    const metrics = daemonMetrics(daemon);
    let s = samples(await metrics.text());
    assert.equal(s.get('takeover_address_state{address="192.0.2.37",state="holding"}'), 1);
    assert.equal(s.get('takeover_address_state{address="192.0.2.37",state="idle"}'), 0);
    assert.equal(s.get('takeover_address_state{address="192.0.2.36",state="idle"}'), 1);
    assert.equal(s.get('takeover_address_state{address="192.0.2.36",state="holding"}'), 0);
    assert.equal(s.get('takeover_up{what="peer"}'), 1);
    // checks that have not run yet show up at 0
    assert.equal(s.get('takeover_checks_total{check="peer-web",type="http"}'), 0);

    daemon.current = { ...daemon.current, peerUp: false, addresses: [daemon.current.addresses[0], { address: "192.0.2.36", home: false, state: "probing" }] };
    s = samples(await metrics.text());
    assert.equal(s.get('takeover_address_state{address="192.0.2.36",state="probing"}'), 1);
    assert.equal(s.get('takeover_address_state{address="192.0.2.36",state="idle"}'), 0);
    assert.equal(s.get('takeover_up{what="peer"}'), 0);
    assert.equal(s.get('takeover_up{what="link"}'), 1);
    metrics.close();
  });

  it("writes valid text format: HELP and TYPE for each metric, and stops counting once closed", async () => {
    const daemon = new FakeDaemon();
    const metrics = daemonMetrics(daemon);
    daemon.log("claim", "192.0.2.36", "x");
    const text = await metrics.text();
    for (const [name, type] of [
      ["takeover_address_state", "gauge"],
      ["takeover_transitions_total", "counter"],
      ["takeover_check_rtt_microseconds", "histogram"],
      ["takeover_announcement_frames_total", "counter"],
      ["takeover_last_transition_timestamp_seconds", "gauge"],
    ]) {
      assert.match(text, new RegExp(`^# HELP ${name} .+$`, "m"));
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, "m"));
    }
    for (const line of text.split("\n")) if (line !== "" && !line.startsWith("#")) assert.match(line, /^[a-z_]+(\{[^}]*\})? [-+0-9.eInf]+$/, line);
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
    metrics.close();
    daemon.log("claim", "192.0.2.36", "x");
    assert.equal(samples(await metrics.text()).get('takeover_transitions_total{event="claim"}'), 1);
  });
});

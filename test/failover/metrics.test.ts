// Prometheus metrics of the daemon (src/failover/metrics.ts), fed by a fake daemon: after a series of
// log lines, check results and announcements, the text must hold the exact counts, states, histogram
// buckets and the time of the last transition; every series must be in the text format. Names are in
// base units; build info, process and Node runtime metrics are there; README's Metrics table lists
// exactly the registry's metrics, with their types and labels.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as promClient from "prom-client";
import { collectDefaultMetrics, daemonMetrics, packageVersion } from "../../src/failover/metrics";
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
  it("has prom-client's default metrics, as its collectDefaultMetrics makes them, though loaded part by part", async () => {
    const ours = new promClient.Registry();
    collectDefaultMetrics(ours);
    const theirs = new promClient.Registry();
    promClient.collectDefaultMetrics({ register: theirs });
    const shape = async (r: promClient.Registry) => (await r.getMetricsAsJSON()).map((m) => ({ name: m.name, help: m.help, type: m.type, labels: [...new Set(m.values.flatMap((v) => Object.keys(v.labels)))].sort() }));
    assert.deepEqual(await shape(ours), await shape(theirs));
    // the CPU counters count: some CPU is spent between two scrapes
    const cpu = async () => samples(await ours.metrics()).get("process_cpu_seconds_total")!;
    const first = await cpu();
    const end = Date.now() + 50;
    while (Date.now() < end) Math.sqrt(Math.random()); // bounded: 50 ms of CPU
    assert.ok((await cpu()) > first);
    ours.clear();
    theirs.clear();
  });

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
    // RTTs of the checks that passed only, in seconds
    assert.equal(s.get('takeover_check_rtt_seconds_bucket{le="0.00025",check="peer-ping",type="icmp"}'), 0);
    assert.equal(s.get('takeover_check_rtt_seconds_bucket{le="0.0005",check="peer-ping",type="icmp"}'), 1);
    assert.equal(s.get('takeover_check_rtt_seconds_bucket{le="0.001",check="peer-ping",type="icmp"}'), 2);
    assert.equal(s.get('takeover_check_rtt_seconds_bucket{le="+Inf",check="peer-ping",type="icmp"}'), 2);
    assert.ok(Math.abs(s.get('takeover_check_rtt_seconds_sum{check="peer-ping",type="icmp"}')! - 0.001) < 1e-12);
    assert.equal(s.get('takeover_check_rtt_seconds_count{check="peer-ping",type="icmp"}'), 2);
    assert.equal(s.get('takeover_check_rtt_seconds_bucket{le="0.025",check="peer-web",type="http"}'), 0);
    assert.equal(s.get('takeover_check_rtt_seconds_bucket{le="0.05",check="peer-web",type="http"}'), 1);
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
      ["takeover_check_rtt_seconds", "histogram"],
      ["takeover_build_info", "gauge"],
      ["takeover_address_home", "gauge"],
      ["process_cpu_seconds_total", "counter"],
      ["process_resident_memory_bytes", "gauge"],
      ["nodejs_eventloop_lag_seconds", "gauge"],
      ["nodejs_heap_size_used_bytes", "gauge"],
      ["takeover_announcement_frames_total", "counter"],
      ["takeover_last_transition_timestamp_seconds", "gauge"],
    ]) {
      assert.match(text, new RegExp(`^# HELP ${name} .+$`, "m"));
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, "m"));
    }
    for (const line of text.split("\n")) if (line !== "" && !line.startsWith("#")) assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? ([-+0-9.eE]+|[+-]Inf|NaN)$/i, line); // prom-client writes NaN as "Nan", which Prometheus (Go ParseFloat) reads
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
    metrics.close();
    daemon.log("claim", "192.0.2.36", "x");
    assert.equal(samples(await metrics.text()).get('takeover_transitions_total{event="claim"}'), 1);
  });

  it("takeover_build_info: 1, with package.json's version and this box's name", async () => {
    const daemon = new FakeDaemon();
    const metrics = daemonMetrics(daemon);
    const version = (JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }).version;
    assert.equal(packageVersion(), version);
    assert.equal(samples(await metrics.text()).get(`takeover_build_info{version="${version}",node="brain"}`), 1);
    metrics.close();
  });

  it("takeover_address_home: 1 for our own address, 0 for the peer's", async () => {
    const daemon = new FakeDaemon();
    const metrics = daemonMetrics(daemon);
    const s = samples(await metrics.text());
    assert.equal(s.get('takeover_address_home{address="192.0.2.37"}'), 1);
    assert.equal(s.get('takeover_address_home{address="192.0.2.36"}'), 0);
    metrics.close();
  });

  it("the process and Node runtime metrics, unprefixed, with values", async () => {
    const metrics = daemonMetrics(new FakeDaemon());
    const s = samples(await metrics.text());
    assert.ok(s.get("process_resident_memory_bytes")! > 1_000_000, "RSS in bytes");
    assert.ok(s.get("process_start_time_seconds")! > 1.5e9, "start time in Unix seconds");
    assert.ok(s.get("process_open_fds")! >= 3);
    assert.ok(s.get("nodejs_heap_size_used_bytes")! > 0);
    assert.ok([...s.keys()].some((k) => k.startsWith(`nodejs_version_info{version="${process.version}"`)));
    metrics.close();
  });

  it("every metric name is in base units (seconds, bytes), as Prometheus names want", () => {
    const metrics = daemonMetrics(new FakeDaemon());
    const names = metrics.registry.getMetricsAsArray().map((m) => m.name);
    assert.ok(names.length > 30);
    assert.deepEqual(names.filter((n) => /(micro|milli|nano)seconds|_(ms|us|ns)(_|$)|minutes|hours|(kilo|mega|giga)bytes|_(kb|mb)(_|$)/.test(n)), []);
    metrics.close();
  });

  it("README's Metrics table lists exactly the registry's metrics, with their types and labels", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");
    const section = /\n## Metrics\n([\s\S]*?)\n## /.exec(readme);
    assert.ok(section !== null, "README has a ## Metrics section");
    const documented = new Map<string, string>();
    for (const m of section[1].matchAll(/^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \| (\w+) \| ([^|]*) \|/gm)) {
      const labels = [...m[3].matchAll(/`([a-z_]+)`/g)].map((l) => l[1]).sort().join(",");
      documented.set(m[1], `${m[2]} ${labels}`);
    }
    const metrics = daemonMetrics(new FakeDaemon());
    const registered = new Map<string, string>();
    for (const m of metrics.registry.getMetricsAsArray()) {
      const { type, labelNames } = m as unknown as { type: string; labelNames: string[] };
      registered.set(m.name, `${type} ${[...labelNames].sort().join(",")}`);
    }
    metrics.close();
    const missing = [...registered].filter(([name]) => !documented.has(name)).map(([name, what]) => `| \`${name}\` | ${what}`);
    assert.deepEqual(missing, [], "metrics the README's table lacks");
    assert.deepEqual([...documented.keys()].filter((name) => !registered.has(name)), [], "README documents metrics that do not exist");
    for (const [name, what] of registered) assert.equal(documented.get(name), what, `${name}: README's type and labels`);
  });
});

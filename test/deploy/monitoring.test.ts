// deploy/prometheus-alerts.yml and deploy/grafana-dashboard.json, the monitoring examples that ship
// in the package: the rules file parses as YAML in Prometheus's rule-file shape (groups of rules, each
// alert with an expression, a severity and a summary), has the alerts issue 12 asks for (peer down,
// the peer's address held long, a conflict, dual ownership), and the dashboard is valid JSON with
// panels; every metric either names exists in the daemon's registry (so a rename cannot leave them
// pointing at nothing). Where promtool is installed (Debian: prometheus), `promtool check rules`
// accepts the file and `promtool test rules` runs fixtures/prometheus-alerts.test.yml: the peer-down,
// held-long, conflict and dual-ownership alerts fire when they should and not before. promtool comes
// with Debian's prometheus package, which `npm run setup` installs; without it those two tests fail
// and name the package.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { daemonMetrics } from "../../src/failover/metrics";
import { FakeDaemon } from "../failover/observer-fakes";

const ROOT = join(__dirname, "..", "..", "..");
const DEPLOY = join(ROOT, "deploy");

/** Runs promtool (at most 30 s). @throws naming the Debian package when promtool is not installed */
function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync("promtool", args, { cwd, encoding: "utf8", timeout: 30_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new Error("promtool is needed to check the alert rules, and it is not installed: apt-get install --no-install-recommends prometheus (npm run setup does)");
  }
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Names of the series the daemon exports, histogram series included. */
function exportedSeries(): Set<string> {
  const metrics = daemonMetrics(new FakeDaemon());
  const names = new Set<string>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    names.add(m.name);
    if ((m as unknown as { type: string }).type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m.name + s);
  }
  metrics.close();
  return names;
}

/** The metric names a PromQL expression uses: identifiers of ours (takeover_, process_, nodejs_). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:takeover|process|nodejs)_[a-zA-Z0-9_]+)/g)].map((m) => m[1]);
}

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe("deploy: Prometheus alert rules and Grafana dashboard", () => {
  const series = exportedSeries();

  it("the alert rules: Prometheus's shape, the four alerts asked for, and only metrics that exist", () => {
    const doc = parse(readFileSync(join(DEPLOY, "prometheus-alerts.yml"), "utf8")) as { groups: { name: string; rules: Rule[] }[] };
    assert.ok(Array.isArray(doc.groups) && doc.groups.length > 0, "groups: a list");
    const rules = doc.groups.flatMap((g) => {
      assert.equal(typeof g.name, "string");
      assert.ok(Array.isArray(g.rules) && g.rules.length > 0, `${g.name}: rules`);
      return g.rules;
    });
    const names = new Set<string>();
    for (const r of rules) {
      assert.equal(typeof r.alert, "string", "each rule is an alert");
      assert.ok(!names.has(r.alert!), `${r.alert} once`);
      names.add(r.alert!);
      assert.equal(typeof r.expr, "string", `${r.alert}: expr`);
      assert.ok(r.for === undefined || /^\d+[smhd]$/.test(r.for), `${r.alert}: for is a duration`);
      assert.ok(["critical", "warning", "info"].includes(r.labels?.severity ?? ""), `${r.alert}: a severity`);
      assert.ok((r.annotations?.summary ?? "").length > 0, `${r.alert}: a summary`);
      assert.equal(count(r.expr!, "("), count(r.expr!, ")"), `${r.alert}: balanced parentheses`);
      for (const metric of metricsIn(r.expr!)) assert.ok(series.has(metric), `${r.alert} uses ${metric}, which the daemon does not export`);
    }
    const byMetric = (metric: string) => rules.filter((r) => r.expr!.includes(metric)).map((r) => r.alert);
    assert.ok(rules.some((r) => /takeover_up\{what="peer"\} == 0/.test(r.expr!)), "an alert on the peer being down");
    assert.ok(rules.some((r) => /takeover_address_home == 0/.test(r.expr!) && r.for === "1h"), "an alert on the peer's address held for an hour");
    assert.ok(byMetric("takeover_conflicts_seen_total").length > 0, "an alert on conflicts");
    assert.ok(rules.some((r) => /count by \(address\) \(takeover_address_state\{state="holding"\} == 1\) > 1/.test(r.expr!)), "an alert on dual ownership");
  });

  it("promtool check rules accepts the alert rules", () => {
    const r = promtool(["check", "rules", join(DEPLOY, "prometheus-alerts.yml")], ROOT);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS: \d+ rules found/);
  });

  it("promtool test rules: each alert fires when it should and not before", () => {
    const r = promtool(["test", "rules", "prometheus-alerts.test.yml"], join(ROOT, "test", "deploy", "fixtures"));
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS/);
  });

  it("the dashboard: valid JSON, panels with queries, every metric they name exists", () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, "grafana-dashboard.json"), "utf8")) as {
      title: string;
      panels: { id: number; title: string; type: string; targets: { expr: string }[] }[];
      templating: { list: { query: { query: string } }[] };
    };
    assert.equal(dashboard.title, "takeover");
    assert.ok(dashboard.panels.length >= 8);
    assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, "panel ids are unique");
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, `${panel.title}: a query`);
      for (const t of panel.targets) for (const m of metricsIn(t.expr)) used.add(m);
    }
    for (const v of dashboard.templating.list) for (const m of metricsIn(v.query.query)) used.add(m);
    for (const m of used) assert.ok(series.has(m), `the dashboard uses ${m}, which the daemon does not export`);
    for (const m of ["takeover_address_state", "takeover_up", "takeover_transitions_total", "takeover_conflicts_seen_total", "takeover_check_rtt_seconds_bucket", "process_resident_memory_bytes"]) {
      assert.ok(used.has(m), `a panel shows ${m}`);
    }
  });
});

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

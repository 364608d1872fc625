// bench:ping — our echo RTT against fping and iputils ping on the same namespace veth+bridge path,
// in one run, interleaved over several rounds. Prints the median and spread per tool and the ratio
// ours/fping (the target: our median no higher than fping's). Not a test: it never fails on a figure.
import { join } from "node:path";
import { formatTable, median } from "./harness";
import { Lab } from "../src/lab/netns";
import { checkBenchArgs } from "./args";

const CLI = join(__dirname, "..", "src", "cli", "main.js");
const COUNT = Number(process.env.BENCH_PINGS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  checkBenchArgs(
    "bench:ping",
    `usage: [BENCH_PINGS=N] [BENCH_ROUNDS=R] node dist/bench/ping.js
  Echo RTT of takeover ping against fping and iputils ping on the same veth + bridge between two namespaces
  (root), interleaved: BENCH_PINGS echoes (default 200) x BENCH_ROUNDS rounds (default 5), 10 ms apart.`,
    {},
  );
  const lab = await Lab.create({ hosts: [{ name: "a", address: "192.0.2.17/24" }, { name: "b", address: "192.0.2.18/24" }] });
  const samples: Record<string, number[]> = { takeover: [], fping: [], "iputils ping": [] };
  try {
    lab.exec("a", ["ping", "-c", "1", "192.0.2.18"], { check: true }); // warm the neighbour entry
    for (let round = 0; round < ROUNDS; round++) {
      const ours = lab.exec("a", [process.execPath, CLI, "ping", "-c", String(COUNT), "-i", "0.01", "--json", "192.0.2.18"], { check: true, timeoutMs: 120_000 });
      for (const line of ours.stdout.trim().split("\n")) {
        const m = JSON.parse(line) as { type: string; rttMicros?: number };
        if (m.type === "reply" && m.rttMicros !== undefined) samples.takeover.push(m.rttMicros);
      }
      const fping = lab.exec("a", ["fping", "-C", String(COUNT), "-p", "10", "-q", "192.0.2.18"], { timeoutMs: 120_000 });
      for (const v of fping.stderr.split(":")[1].trim().split(/\s+/)) if (v !== "-") samples.fping.push(Number(v) * 1000);
      const iputils = lab.exec("a", ["ping", "-c", String(COUNT), "-i", "0.01", "192.0.2.18"], { check: true, timeoutMs: 120_000 });
      for (const m of iputils.stdout.matchAll(/time=([\d.]+) ms/g)) samples["iputils ping"].push(Number(m[1]) * 1000);
    }
  } finally {
    await lab.destroy();
  }
  console.log(`${COUNT} echoes x ${ROUNDS} interleaved rounds per tool, 10 ms apart, veth+bridge between two namespaces; RTT in µs\n`);
  const rows = Object.entries(samples).map(([tool, v]) => [tool, String(v.length), median(v).toFixed(1), percentile(v, 5).toFixed(1), percentile(v, 95).toFixed(1), Math.min(...v).toFixed(1), Math.max(...v).toFixed(1)]);
  console.log(formatTable(["tool", "replies", "median", "p5", "p95", "min", "max"], rows));
  const ratio = median(samples.takeover) / median(samples.fping);
  console.log(`\ntakeover median / fping median = ${ratio.toFixed(2)}x [target <= 1.00x] ${ratio <= 1 ? "met" : "MISSED"}`);
  console.log(`takeover median / iputils ping median = ${(median(samples.takeover) / median(samples["iputils ping"])).toFixed(2)}x`);
  console.log("(ours: kernel capture stamps of the request leaving and the reply arriving; fping and ping: user-space send and receive times)");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// bench:ping — our echo RTT against fping and iputils ping on the same namespace veth+bridge path,
// in one run, interleaved over several rounds, over IPv4 and over IPv6 (ping -6, fping -6). Prints
// the median and spread per tool and the ratios ours/fping and ours/ping per family (the targets: our
// median no higher than fping's for IPv4, than ping -6's for IPv6). Not a test: it never fails on a
// figure.
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
  (root), interleaved: BENCH_PINGS echoes (default 200) x BENCH_ROUNDS rounds (default 5), 10 ms apart,
  to an IPv4 and an IPv6 address of the same host.`,
    {},
  );
  const lab = await Lab.create({ ipv6: true, hosts: [{ name: "a", address: "192.0.2.17/24" }, { name: "b", address: "192.0.2.18/24" }] });
  const samples: Record<string, number[]> = { takeover: [], fping: [], "iputils ping": [], "takeover -6": [], "fping -6": [], "iputils ping -6": [] };
  try {
    lab.exec("a", ["ip", "-6", "addr", "add", "2001:db8:1::17/64", "dev", "eth0", "nodad"], { check: true });
    lab.exec("b", ["ip", "-6", "addr", "add", "2001:db8:1::18/64", "dev", "eth0", "nodad"], { check: true });
    lab.exec("a", ["ping", "-c", "1", "192.0.2.18"], { check: true }); // warm the neighbour entries
    lab.exec("a", ["ping", "-6", "-c", "1", "2001:db8:1::18"], { check: true });
    for (let round = 0; round < ROUNDS; round++) {
      for (const [suffix, target, family] of [["", "192.0.2.18", "-4"], [" -6", "2001:db8:1::18", "-6"]] as const) {
        const ours = lab.exec("a", [process.execPath, CLI, "ping", family, "-c", String(COUNT), "-i", "0.01", "--json", target], { check: true, timeoutMs: 120_000 });
        for (const line of ours.stdout.trim().split("\n")) {
          const m = JSON.parse(line) as { type: string; rttMicros?: number };
          if (m.type === "reply" && m.rttMicros !== undefined) samples[`takeover${suffix}`].push(m.rttMicros);
        }
        const fping = lab.exec("a", ["fping", family, "-C", String(COUNT), "-p", "10", "-q", target], { timeoutMs: 120_000 });
        for (const v of fping.stderr.split(" : ")[1].trim().split(/\s+/)) if (v !== "-") samples[`fping${suffix}`].push(Number(v) * 1000);
        const iputils = lab.exec("a", ["ping", family, "-c", String(COUNT), "-i", "0.01", target], { check: true, timeoutMs: 120_000 });
        for (const m of iputils.stdout.matchAll(/time=([\d.]+) ms/g)) samples[`iputils ping${suffix}`].push(Number(m[1]) * 1000);
      }
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
  const ratio6 = median(samples["takeover -6"]) / median(samples["iputils ping -6"]);
  console.log(`takeover -6 median / iputils ping -6 median = ${ratio6.toFixed(2)}x [target <= 1.00x] ${ratio6 <= 1 ? "met" : "MISSED"}`);
  console.log(`takeover -6 median / fping -6 median = ${(median(samples["takeover -6"]) / median(samples["fping -6"])).toFixed(2)}x`);
  console.log("(ours: kernel capture stamps of the request leaving and the reply arriving; fping and ping: user-space send and receive times)");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// Link benchmark: on a veth pair between two lab namespaces, how fast each binding sends (node_pcap
// inject through takeover's Link and bare, cap's send), and up to what rate each way of capturing
// (takeover's Link, node_pcap's binding, pcap.js, cap, and tcpdump as the reference) gets every
// frame. Run: `npx tsc -p . && node dist/bench/link-rates.js [--quick]`. Loads are bounded: at most
// 200 000 frames and 10 s per trial.

import { spawnSync } from "node:child_process";
import { cpus, release } from "node:os";
import { join } from "node:path";
import { Lab } from "../src/lab/netns";
import { NodeWorker } from "../src/lab/worker";
import { checkBenchArgs } from "./args";

const WORKER = join(__dirname, "link-worker.js");
const QUICK = process.argv.includes("--quick");
const SEND_FRAMES = 200_000;
const CAPTURE_RATES = QUICK ? [100_000, 0] : [50_000, 100_000, 150_000, 200_000, 250_000, 0];
const CAPTURE_SECONDS = 1;
/** cap is a devDependency used only here: without it its rows are left out, and the bench says so. */
const HAVE_CAP = capInstalled();

function capInstalled(): boolean {
  try {
    require.resolve("cap");
    return true;
  } catch {
    console.log("takeover: bench:capture: the `cap` package is not installed (a devDependency, used only by this benchmark); " +
      "its rows are left out. To measure it: install libpcap-dev and run `npm install` (not `npm ci --omit=dev`)");
    return false;
  }
}
const FRAME_LENGTH = 60;

interface CaptureRow {
  method: string;
  rate: number;
  sent: number;
  sendRate: number;
  arrived: number;
  captured: number;
  kernelDropped: number | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rxPackets(lab: Lab): number {
  return Number(lab.exec("receiver", ["cat", "/sys/class/net/eth0/statistics/rx_packets"], { check: true }).stdout);
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

async function startWorker(lab: Lab, host: string): Promise<NodeWorker> {
  const worker = lab.runNode(host, WORKER, {}, { label: `bench worker in ${host}` });
  await worker.expect("ready", 10_000);
  return worker;
}

async function blast(sender: NodeWorker, binding: string, count: number, rate: number) {
  return sender.ask({ op: "blast", binding, count, rate, length: FRAME_LENGTH }, "blasted", 30_000);
}

async function sendRates(lab: Lab, sender: NodeWorker): Promise<void> {
  console.log(`\nsend rate: ${SEND_FRAMES} frames of ${FRAME_LENGTH} bytes, unpaced, one JS loop (nothing captures)`);
  console.log(`${pad("binding", 28)} ${pad("frames/s", 10)} ${pad("sent", 8)} ${pad("failed", 7)} ${pad("arrived", 8)}`);
  for (let round = 0; round < 2; round++) {
    for (const [binding, label] of [
      ["pcap-binding", "node_pcap inject (bare)"],
      ["link", "takeover Link.send"],
      ["cap", "cap send"],
    ] as const) {
      if (binding === "cap" && !HAVE_CAP) continue;
      const before = rxPackets(lab);
      const r = await blast(sender, binding, SEND_FRAMES, 0);
      await sleep(200);
      const arrived = rxPackets(lab) - before;
      console.log(`${pad(label, 28)} ${pad(Number(r.framesPerSecond), 10)} ${pad(Number(r.sent), 8)} ${pad(Number(r.failed), 7)} ${pad(arrived, 8)}`);
    }
  }
}

async function captureWith(lab: Lab, sender: NodeWorker, method: string, rate: number): Promise<CaptureRow> {
  const count = rate === 0 ? SEND_FRAMES : Math.min(SEND_FRAMES, rate * CAPTURE_SECONDS);
  let finish: () => Promise<{ captured: number; kernelDropped: number | null }>;
  if (method.startsWith("tcpdump")) {
    const immediate = method === "tcpdump-immed" ? ["--immediate-mode"] : [];
    const tcpdump = lab.spawn("receiver", ["tcpdump", "-i", "eth0", "-n", ...immediate, "-w", "/dev/null", "-B", "4096", "ether proto 0x88b5"]);
    let stderr = "";
    tcpdump.stderr?.setEncoding("utf8");
    tcpdump.stderr?.on("data", (chunk: string) => (stderr += chunk));
    const ended = new Promise<void>((resolve) => tcpdump.on("exit", () => resolve()));
    for (let i = 0; i < 100 && !stderr.includes("listening on"); i++) await sleep(20);
    finish = async () => {
      tcpdump.kill("SIGINT");
      await Promise.race([ended, sleep(5000)]);
      const captured = /(\d+) packets? captured/.exec(stderr);
      const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
      if (captured === null) throw new Error(`tcpdump said: ${stderr.trim()}`);
      return { captured: Number(captured[1]), kernelDropped: dropped === null ? null : Number(dropped[1]) };
    };
  } else {
    const receiver = await startWorker(lab, "receiver");
    await receiver.ask({ op: "capture", binding: method }, "capturing");
    finish = async () => {
      const counts = await receiver.ask({ op: "counts" }, "counts");
      await receiver.stop(5000);
      return { captured: Number(counts.captured), kernelDropped: counts.dropped === null ? null : Number(counts.dropped) };
    };
  }
  const before = rxPackets(lab);
  const sent = await blast(sender, "pcap-binding", count, rate);
  await sleep(1500); // let the capture drain its ring (tcpdump's TPACKET_V3 blocks retire after 1 s)
  const arrived = rxPackets(lab) - before;
  const { captured, kernelDropped } = await finish();
  return { method, rate, sent: Number(sent.sent), sendRate: Number(sent.framesPerSecond), arrived, captured, kernelDropped };
}

async function captureRates(lab: Lab, sender: NodeWorker): Promise<void> {
  console.log(`\ncapture: frames sent from the other namespace at a paced rate for ~${CAPTURE_SECONDS} s (0 = unpaced), filter "ether proto 0x88b5", 4 MiB ring`);
  console.log(
    `${pad("method", 17)} ${pad("target/s", 9)} ${pad("actual/s", 9)} ${pad("arrived", 8)} ${pad("captured", 9)} ${pad("lost", 7)} ${pad("kernel drop", 12)}`,
  );
  const methods = ["link", "pcap-binding-1518", "pcap-binding", "pcap-js", ...(HAVE_CAP ? ["cap"] : []), "tcpdump", "tcpdump-immed"];
  const best = new Map<string, number>();
  for (const method of methods) {
    for (const rate of CAPTURE_RATES) {
      const row = await captureWith(lab, sender, method, rate);
      const lost = row.arrived - row.captured;
      console.log(
        `${pad(method, 17)} ${pad(rate === 0 ? "max" : rate, 9)} ${pad(row.sendRate, 9)} ${pad(row.arrived, 8)} ${pad(row.captured, 9)} ${pad(lost, 7)} ${pad(row.kernelDropped ?? "n/a", 12)}`,
      );
      if (lost === 0 && row.sendRate > (best.get(method) ?? 0)) best.set(method, row.sendRate);
    }
  }
  console.log("\nhighest rate captured without loss (frames/s):");
  for (const method of methods) console.log(`${pad(method, 17)} ${pad(best.get(method) ?? "none", 9)}`);
}

async function main(): Promise<void> {
  checkBenchArgs(
    "bench:capture",
    `usage: node dist/bench/link-rates.js [--quick]
  Send rates of each binding and the capture rate up to which each way of capturing gets every frame, on a
  veth pair between two namespaces (root; at most 200,000 frames and 10 s per trial). --quick: fewer rates.`,
    { "--quick": false },
  );
  const pcapVersion = spawnSync("tcpdump", ["--version"], { encoding: "utf8" }).stdout.split("\n")[1] ?? "";
  console.log(`link benchmark: node ${process.version}, kernel ${release()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ${pcapVersion}`);
  const lab = await Lab.create({ hosts: [{ name: "sender", links: [] }, { name: "receiver", links: [] }] });
  try {
    // A bare veth pair, no bridge: sender eth0 <-> receiver eth0.
    lab.exec("sender", ["ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", lab.ns("receiver")], { check: true });
    lab.exec("sender", ["ip", "link", "set", "eth0", "up"], { check: true });
    lab.exec("receiver", ["ip", "link", "set", "eth0", "up"], { check: true });
    lab.exec("receiver", ["ip", "addr", "add", "192.0.2.2/24", "dev", "eth0"], { check: true });
    const sender = await startWorker(lab, "sender");
    await sendRates(lab, sender);
    await captureRates(lab, sender);
    await sender.stop();
  } finally {
    await lab.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

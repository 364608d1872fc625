// ARP storm for the soak (bench/soak.ts): run in the lab's router namespace, it broadcasts ARP
// requests on eth0 at `framesPerSecond` for `seconds` — who-has 192.0.2.2 … 192.0.2.254 in turn
// (documentation range only; the boxes' real and public addresses among them, so their kernels
// answer some), from the router's own MAC and address, as a router refreshing its neighbours in a
// frenzy would. Built with our own ARP/frame codecs and sent through src/link's Link. Bounded: at
// most framesPerSecond × seconds frames (capped at 20 000/s and 300 s) and seconds + 5 s of wall
// time. Prints one JSON line {kind: "done", sent, errors, seconds}. Not a test file.
import { Link } from "../src/link/link";
import { Ipv4, Mac } from "../src/packets/address";
import { arpRequest } from "../src/packets/arp";
import { ETHERTYPE_ARP } from "../src/packets/ethernet";
import { encodeFrame } from "../src/packets/frame";
import { report, workerInput } from "../src/lab/worker";

interface Input {
  readonly framesPerSecond: number;
  readonly seconds: number;
  /** the router's MAC and address: the requests' sender */
  readonly mac: string;
  readonly address: string;
}

const TICK_MS = 5;

async function main(): Promise<void> {
  const input = workerInput<Input>();
  const rate = Math.min(Math.max(1, input.framesPerSecond), 20_000);
  const seconds = Math.min(Math.max(0.1, input.seconds), 300);
  const total = Math.round(rate * seconds);
  const mac = Mac.parse(input.mac);
  const sender = Ipv4.parse(input.address);
  // one frame per target, made once: 192.0.2.2 … 192.0.2.254
  const frames: Uint8Array[] = [];
  for (let host = 2; host <= 254; host++) {
    frames.push(encodeFrame({ ethernet: { destination: Mac.BROADCAST, source: mac, etherType: ETHERTYPE_ARP }, arp: arpRequest(mac, sender, Ipv4.parse(`192.0.2.${host}`)) }));
  }
  // a filter that takes nothing we would read: this link only sends
  const link = Link.open("eth0", { filter: "ether proto 0x88b6" });
  let sent = 0;
  let errors = 0;
  const started = Date.now();
  const hardEnd = started + (seconds + 5) * 1000;
  report({ kind: "started", rate, seconds, total });
  while (sent + errors < total && Date.now() < hardEnd) {
    // paced: as many as are due by now, at most one tick's worth ahead
    const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * rate) + Math.ceil((rate * TICK_MS) / 1000));
    for (let i = sent + errors; i < due; i++) {
      try {
        link.send(frames[i % frames.length]);
        sent++;
      } catch {
        errors++;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  const elapsed = (Date.now() - started) / 1000;
  link.close();
  report({ kind: "done", sent, errors, seconds: Math.round(elapsed * 1000) / 1000 });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`arp storm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

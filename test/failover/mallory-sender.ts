// Run by mallory.ts inside Mallory's namespace: sends the frames given as hex on eth0, in rounds, and
// prints one JSON line {sent, errors}; or, given `recordFrom`, records for `recordMs` the ARP frames
// (or, with `recordWhat: "ndp"`, the Neighbor Solicitations and Advertisements) that MAC sends and
// prints {frames: [hex…]}; or, given `mirrorFor`, answers for `mirrorMs` every
// ICMP echo request to that IPv4 address it hears (promiscuous: also those sent to another box's
// MAC that the switch floods), echoing it back as the kernel would, and prints {answered}; or, given
// `serve`, stays up and sends on request: each JSON line on stdin {kind: "send", frames, rounds,
// intervalMs} is answered with one line {kind: "sent", sent, errors} (no process start per burst,
// for tests that send many). Not a test file.
import { Link } from "../../src/link/link";
import { Ipv4, Mac } from "../../src/packets/address";
import { ETHERTYPE_IPV4 } from "../../src/packets/ethernet";
import { encodeFrame, FrameKind, FrameView, ipv4Header } from "../../src/packets/frame";
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from "../../src/packets/icmp";
import { IP_PROTOCOL_ICMP } from "../../src/packets/ipv4";
import { onParentMessage, report } from "../../src/lab/worker";

interface Input {
  readonly frames: readonly string[];
  readonly rounds: number;
  readonly intervalMs: number;
  readonly recordFrom?: string;
  readonly recordMs?: number;
  /** what to record from that MAC: "arp" (default) or "ndp" (ICMPv6 NS and NA) */
  readonly recordWhat?: "arp" | "ndp";
  readonly mirrorFor?: string;
  readonly mirrorMs?: number;
  readonly serve?: boolean;
}

/** Sends `hexFrames` on `link`: `rounds` rounds (at most 100,000), `intervalMs` apart, each round every frame in order. */
async function sendRounds(link: Link, hexFrames: readonly string[], rounds: number, intervalMs: number): Promise<{ sent: number; errors: number }> {
  const frames = hexFrames.map((hex) => Uint8Array.from(Buffer.from(hex, "hex")));
  let sent = 0;
  let errors = 0;
  const bounded = Math.min(rounds, 100_000);
  for (let round = 0; round < bounded; round++) {
    if (round > 0 && intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    for (const frame of frames) {
      try {
        link.send(frame);
        sent++;
      } catch {
        errors++;
      }
    }
  }
  return { sent, errors };
}

/** The `serve` mode: sends each burst the parent asks for; ends when the parent closes stdin. */
function serve(): Promise<void> {
  const link = Link.open("eth0", { filter: "arp" });
  report({ kind: "ready" });
  return new Promise((resolve) => {
    onParentMessage(
      async (m) => {
        if (m.kind !== "send") throw new Error(`unknown request ${JSON.stringify(m.kind)}`);
        const { frames, rounds, intervalMs } = m as unknown as { frames: string[]; rounds: number; intervalMs: number };
        report({ kind: "sent", ...(await sendRounds(link, frames, rounds, intervalMs)) });
      },
      () => {
        link.close();
        resolve();
      },
    );
  });
}

async function mirror(address: string, ms: number): Promise<void> {
  const link = Link.open("eth0", { filter: `icmp and dst host ${address}`, promiscuous: true });
  const view = new FrameView();
  const target = Ipv4.parse(address).value;
  let answered = 0;
  const stop = link.onFrame((frame) => {
    if (!view.reset(frame.bytes) || view.kind !== FrameKind.Icmp || view.icmpType !== ICMP_ECHO_REQUEST || view.ipv4Destination !== target) return;
    const reply = encodeFrame({
      ethernet: { destination: new Mac(view.sourceMac), source: link.mac, etherType: ETHERTYPE_IPV4 },
      ipv4: ipv4Header(new Ipv4(target), new Ipv4(view.ipv4Source), IP_PROTOCOL_ICMP, { ttl: 64 }),
      icmp: { type: ICMP_ECHO_REPLY, code: 0, identifier: view.icmpIdentifier, sequence: view.icmpSequence },
      payload: frame.bytes.slice(view.icmpDataOffset, view.datagramEnd),
    });
    try {
      link.send(reply);
      answered++;
    } catch {
      // link gone
    }
  });
  await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 60_000)));
  stop();
  link.close();
  process.stdout.write(`${JSON.stringify({ answered })}\n`);
}

async function record(mac: string, ms: number, what: "arp" | "ndp"): Promise<void> {
  // promiscuous: NAs go to all-nodes, which Mallory's eth0 (IPv6 off) has not joined
  const link = Link.open("eth0", { filter: what === "arp" ? `arp and ether src ${mac}` : `icmp6 and ether src ${mac} and (ip6[40] == 135 or ip6[40] == 136)`, promiscuous: true });
  const frames: string[] = [];
  const stop = link.onFrame((frame) => {
    if (frames.length < 1000) frames.push(Buffer.from(frame.bytes).toString("hex"));
  });
  await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 60_000)));
  stop();
  link.close();
  process.stdout.write(`${JSON.stringify({ frames })}\n`);
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]) as Input;
  if (input.recordFrom !== undefined) return record(input.recordFrom, input.recordMs ?? 1000, input.recordWhat ?? "arp");
  if (input.mirrorFor !== undefined) return mirror(input.mirrorFor, input.mirrorMs ?? 1000);
  if (input.serve === true) return serve();
  const link = Link.open("eth0", { filter: "arp" });
  const { sent, errors } = await sendRounds(link, input.frames, input.rounds, input.intervalMs);
  process.stdout.write(`${JSON.stringify({ sent, errors })}\n`);
  link.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

// Run by mallory.ts inside Mallory's namespace: sends the frames given as hex on eth0, in rounds, and
// prints one JSON line {sent, errors}. Not a test file.
import { Link } from "../../src/link/link";

interface Input {
  readonly frames: readonly string[];
  readonly rounds: number;
  readonly intervalMs: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]) as Input;
  const frames = input.frames.map((hex) => Uint8Array.from(Buffer.from(hex, "hex")));
  const link = Link.open("eth0", { filter: "arp" });
  let sent = 0;
  let errors = 0;
  const rounds = Math.min(input.rounds, 100_000);
  for (let round = 0; round < rounds; round++) {
    if (round > 0 && input.intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, input.intervalMs));
    for (const frame of frames) {
      try {
        link.send(frame);
        sent++;
      } catch {
        errors++;
      }
    }
  }
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

// bench:auth — how many ARP frames a second pair authentication signs and verifies (src/failover/auth.ts),
// and how fast it turns away forged ones (what a flood of frames with a wrong tag costs a receiver).
//
// Signing: signArpFrame over a ring of RING distinct 42-byte ARP frames, one clock reading per frame.
// Verifying: verifyArpFrame of frames signed beforehand, in signing order (each counter above the
// last, so every one is accepted and recorded), from RING distinct sender MACs. Forged: the same
// frames with one tag bit flipped ("bad tag": the HMAC is computed, the replay state not touched).
// Each case runs BENCH_FRAMES frames (default 200000) per run, BENCH_RUNS runs (default 3); prints
// frames/s per run and the median.
import { PairKeys, Signer, signArpFrame, Verifier, verifyArpFrame } from "../src/failover/auth";
import { median } from "./harness";

const RING = 256;
const FRAMES = Number(process.env.BENCH_FRAMES ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const keys = PairKeys.fromSecret(Buffer.from("a bench secret of thirty-two byte"));

function arpFrame(k: number): Uint8Array {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6);
  f.set([0x02, 0x00, 0x5e, k >> 8, k & 0xff, 0x18], 6);
  f.set([0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01], 12);
  f.set(f.subarray(6, 12), 22);
  f.set([192, 0, 2, k & 0xff], 28);
  f.set([192, 0, 2, k & 0xff], 38);
  return f;
}
const ring = Array.from({ length: RING }, (_, k) => arpFrame(k));

function rate(run: () => number): number {
  const start = process.hrtime.bigint();
  const n = run();
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

let sink = 0;
const results: Record<string, number[]> = { sign: [], verify: [], "forged (bad tag)": [] };
for (let r = 0; r < RUNS + 1; r++) {
  const signer = new Signer(keys, Date.now);
  const signed: Uint8Array[] = new Array(FRAMES);
  const sign = rate(() => {
    for (let i = 0; i < FRAMES; i++) signed[i] = signArpFrame(signer, ring[i & (RING - 1)]);
    return FRAMES;
  });
  // counters run ahead of the clock when signing faster than one a millisecond: widen the window
  const verifier = new Verifier(keys, Date.now, { windowMs: 2 ** 40 });
  const verify = rate(() => {
    for (let i = 0; i < FRAMES; i++) sink += verifyArpFrame(verifier, signed[i]).ok ? 1 : 0;
    return FRAMES;
  });
  if (sink !== FRAMES * (r + 1)) throw new Error(`bench:auth: ${FRAMES * (r + 1) - sink} frames did not verify — the bench is wrong`);
  for (const f of signed) f[59] ^= 1;
  const forged = rate(() => {
    let refused = 0;
    for (let i = 0; i < FRAMES; i++) refused += verifyArpFrame(verifier, signed[i]).ok ? 0 : 1;
    if (refused !== FRAMES) throw new Error("bench:auth: a forged frame verified — the bench is wrong");
    return FRAMES;
  });
  if (r === 0) continue; // warm-up
  results.sign.push(sign);
  results.verify.push(verify);
  results["forged (bad tag)"].push(forged);
}
console.log(`bench:auth — ${FRAMES} frames per run, ${RUNS} runs (after one warm-up), node ${process.version}`);
for (const [name, rates] of Object.entries(results)) {
  console.log(`${name.padEnd(18)} median ${Math.round(median(rates)).toLocaleString("en-US").padStart(9)} frames/s   runs: ${rates.map((x) => Math.round(x).toLocaleString("en-US")).join(", ")}`);
}

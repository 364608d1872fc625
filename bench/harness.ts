// A small benchmark harness: runs each case in interleaved rounds (so drift on a noisy machine hits
// every case alike), reports the median ns per operation, and prints ratios against a named baseline.
// Benchmarks print figures; they never pass or fail on them.

export interface Case {
  readonly name: string;
  /** runs the operation `iterations` times and returns a value that depends on every run */
  readonly run: (iterations: number) => number;
}

export interface Result {
  readonly name: string;
  readonly medianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
}

let sink = 0;

/** Median, min and max ns/op of each case over `rounds` interleaved rounds of `iterations` each. */
export function measure(cases: readonly Case[], iterations: number, rounds: number): Result[] {
  for (const c of cases) sink += c.run(Math.max(1000, iterations / 10)); // warm up: let the JIT settle
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    cases.forEach((c, i) => {
      const start = process.hrtime.bigint();
      sink += c.run(iterations);
      samples[i].push(Number(process.hrtime.bigint() - start) / iterations);
    });
  }
  if (sink === 0.5) console.log(""); // keep the sink alive
  return cases.map((c, i) => {
    const sorted = samples[i].sort((a, b) => a - b);
    return { name: c.name, medianNs: sorted[Math.floor(sorted.length / 2)], minNs: sorted[0], maxNs: sorted[sorted.length - 1] };
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * Tiny benchmark harness. Each measurement runs a warm-up, then several timed rounds, and reports
 * the median ops/s, so one GC pause or scheduler hiccup does not decide a ratio. Peers are always
 * measured in the same process run, interleaved round by round, so machine noise hits both.
 */
export interface Subject {
  name: string;
  /** Runs one operation; `i` lets the subject vary keys without allocating. */
  op: (i: number) => unknown;
}

export interface AsyncSubject {
  name: string;
  op: (i: number) => Promise<unknown>;
}

export interface Measurement {
  name: string;
  opsPerSec: number;
}

const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Measures synchronous subjects, interleaving them round by round. */
export function compareSync(subjects: Subject[], opsPerRound = 200_000): Measurement[] {
  const samples = subjects.map(() => [] as number[]);
  for (const s of subjects) for (let i = 0; i < opsPerRound; i++) s.op(i);
  for (let round = 0; round < ROUNDS; round++) {
    subjects.forEach((s, k) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < opsPerRound; i++) s.op(i);
      const ns = Number(process.hrtime.bigint() - start);
      samples[k].push((opsPerRound * 1e9) / ns);
    });
  }
  return subjects.map((s, k) => ({ name: s.name, opsPerSec: median(samples[k]) }));
}

/**
 * Measures async subjects with `concurrency` callers in flight, interleaving them round by round.
 */
export async function compareAsync(
  subjects: AsyncSubject[],
  opsPerRound = 50_000,
  concurrency = 1,
): Promise<Measurement[]> {
  const samples = subjects.map(() => [] as number[]);
  const runOnce = async (s: AsyncSubject): Promise<number> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < opsPerRound) await s.op(next++);
    };
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return (opsPerRound * 1e9) / Number(process.hrtime.bigint() - start);
  };
  for (const s of subjects) await runOnce(s);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < subjects.length; k++) samples[k].push(await runOnce(subjects[k]));
  }
  return subjects.map((s, k) => ({ name: s.name, opsPerSec: median(samples[k]) }));
}

/** Prints a table of ops/s with each row's ratio to the row named `baseline`. */
export function printRatios(title: string, results: Measurement[], baseline: string): void {
  const base = results.find((r) => r.name === baseline);
  console.log(`\n## ${title}\n`);
  console.log(`| subject | ops/s | ratio vs ${baseline} |`);
  console.log(`|---|---:|---:|`);
  for (const r of results) {
    const ratio = base ? (r.opsPerSec / base.opsPerSec).toFixed(3) : "n/a";
    console.log(`| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString("en-US")} | ${ratio}x |`);
  }
}

/** A typical cached tool result: a few fields and a few hundred bytes of text. */
export function sampleValue(i: number): Record<string, unknown> {
  return {
    id: i,
    tool: "read_file",
    path: `/repo/src/module-${i}.ts`,
    summary: "exports two functions and a class; no side effects at import time. ".repeat(4),
    tokens: 812 + i,
    ok: true,
  };
}

/** Zipf-distributed integer keys in [0, n), deterministic for a seed. */
export function zipfKeys(n: number, count: number, skew = 0.99, seed = 42): Uint32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, skew);
  let state = seed >>> 0 || 1;
  const out = new Uint32Array(count);
  for (let j = 0; j < count; j++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const u = ((state >>> 0) / 0x100000000) * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    out[j] = lo;
  }
  return out;
}

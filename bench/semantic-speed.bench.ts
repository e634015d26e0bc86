/**
 * Semantic lookup speed: `getSimilar` (exact-key miss, then similarity search) over 1k, 10k and
 * 100k stored 384-dimension entries, with the flat index and with HNSW, beside usearch's exact
 * (brute-force) search over the same vectors in the same run. Also HNSW recall@1 on
 * near-duplicate queries, against the exact answer.
 *
 * Vectors are random unit vectors (the hardest case for a graph index: no clusters to exploit);
 * each query is a stored vector plus noise (cosine ~0.96). A table embedder returns prepared
 * vectors, so embedding costs nothing and the figures are the cache's own.
 */
import { loadUsearch } from "../src/semantic/index/hnsw.js";
import type { Embedder } from "../src/semantic/embedders/embedder.js";
import { SemanticCache } from "../src/semantic/semantic-cache.js";
import { compareAsync, printRatios, type AsyncSubject } from "./harness.js";

const DIMS = 384;
const QUERIES = 2000;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

class TableEmbedder implements Embedder {
  readonly id = "bench:table";
  readonly dimensions = DIMS;
  readonly vectors = new Map<string, Float32Array>();
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.vectors.get(t)!);
  }
}

/** Median and 95th percentile of per-call latencies, subjects interleaved round by round. */
async function latencies(subjects: AsyncSubject[], perRound: number, rounds = 7) {
  const samples = subjects.map(() => [] as number[]);
  for (const s of subjects) for (let i = 0; i < perRound; i++) await s.op(i); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < subjects.length; k++) {
      for (let i = 0; i < perRound; i++) {
        const start = process.hrtime.bigint();
        await subjects[k].op(r * perRound + i);
        samples[k].push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  }
  return subjects.map((s, k) => {
    const sorted = samples[k].sort((a, b) => a - b);
    return {
      name: s.name,
      p50: sorted[sorted.length >> 1],
      p95: sorted[Math.floor(sorted.length * 0.95)],
    };
  });
}

export default async function (): Promise<void> {
  const loaded = await loadUsearch();
  if (!("module" in loaded)) {
    console.log(
      `\n## Semantic lookup speed\n\nusearch is not installed (${loaded.error.message}); skipped.`,
    );
    return;
  }
  const usearch = (await import("usearch")) as unknown as {
    exactSearch: (
      data: Float32Array,
      q: Float32Array,
      dims: number,
      k: number,
      metric: string,
    ) => { keys: BigUint64Array };
  };
  const recallRows: string[] = [];
  const latencyRows: string[] = [];
  for (const n of [1_000, 10_000, 100_000]) {
    const next = rng(n);
    const embedder = new TableEmbedder();
    const matrix = new Float32Array(n * DIMS);
    for (let i = 0; i < n; i++) {
      const v = matrix.subarray(i * DIMS, (i + 1) * DIMS);
      for (let d = 0; d < DIMS; d++) v[d] = next() - 0.5;
      normalise(v);
      embedder.vectors.set(`s${i}`, v);
    }
    const queries: Float32Array[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const source = embedder.vectors.get(`s${Math.floor(next() * n)}`)!;
      const v = normalise(source.map((x) => x + (next() - 0.5) * 0.05));
      queries.push(v);
      embedder.vectors.set(`q${q}`, v);
    }
    const common = { embedder, similarityThreshold: 0.8, verifier: false as const, maxSize: n };
    const flat = new SemanticCache<number>({ ...common, hnswThreshold: Infinity });
    const hnsw = new SemanticCache<number>({ ...common, hnswThreshold: 1000 });
    const buildStart = performance.now();
    for (const cache of [flat, hnsw]) {
      for (let i = 0; i < n; i += 5000) {
        const batch = Array.from({ length: Math.min(5000, n - i) }, (_, k) => ({
          messages: [{ role: "user", content: `s${i + k}` }],
          response: i + k,
        }));
        await cache.putMany(batch);
      }
    }
    await hnsw.flush(); // the graph is built in the background; measure it complete
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const ask = (cache: SemanticCache<number>) => (i: number) =>
      cache.getSimilar([{ role: "user", content: `q${i % QUERIES}` }]);

    // Recall@1 of HNSW against the exact answer: the flat cache's, itself checked against
    // usearch's brute force on a sample.
    let hnswAgree = 0;
    let flatVsBruteForce = 0;
    const RECALL_QUERIES = 1000;
    for (let q = 0; q < RECALL_QUERIES; q++) {
      const exact = (await flat.getSimilar([{ role: "user", content: `q${q}` }]))?.response;
      if ((await hnsw.getSimilar([{ role: "user", content: `q${q}` }]))?.response === exact)
        hnswAgree++;
      if (
        q < 100 &&
        Number(usearch.exactSearch(matrix, queries[q], DIMS, 1, "ip").keys[0]) === exact
      ) {
        flatVsBruteForce++;
      }
    }
    recallRows.push(
      `| ${n.toLocaleString("en-US")} | ${(hnswAgree / RECALL_QUERIES).toFixed(3)} | ${flatVsBruteForce}/100 | ${buildSeconds.toFixed(1)} |`,
    );

    const subjects: AsyncSubject[] = [
      {
        name: "usearch exactSearch (brute force)",
        op: async (i) => usearch.exactSearch(matrix, queries[i % QUERIES], DIMS, 1, "ip"),
      },
      { name: "SemanticCache flat", op: ask(flat) },
      { name: "SemanticCache HNSW", op: ask(hnsw) },
    ];
    const perRound = n >= 100_000 ? 30 : n >= 10_000 ? 200 : 1000;
    printRatios(
      `Semantic lookup throughput, ${n.toLocaleString("en-US")} entries x ${DIMS} dims`,
      await compareAsync(subjects, perRound),
      "usearch exactSearch (brute force)",
    );
    const lat = await latencies(subjects, perRound);
    const base = lat[0].p50;
    for (const l of lat) {
      latencyRows.push(
        `| ${n.toLocaleString("en-US")} | ${l.name} | ${(l.p50 * 1000).toFixed(1)} | ${(l.p95 * 1000).toFixed(1)} | ${(l.p50 / base).toFixed(2)}x |`,
      );
    }
    await flat.close();
    await hnsw.close();
  }
  console.log(
    `\n## Semantic lookup latency (median per lookup; exact-key miss, then similarity search)\n`,
  );
  console.log("| entries | subject | p50 µs | p95 µs | p50 vs usearch exact |");
  console.log("|---:|---|---:|---:|---:|");
  for (const row of latencyRows) console.log(row);
  console.log(
    `\n## HNSW recall@1 on near-duplicate queries (cosine ~0.96), against exact search\n`,
  );
  console.log(
    "| entries | HNSW recall@1 (1,000 queries) | flat = brute force (sample) | build both caches, s |",
  );
  console.log("|---:|---:|---:|---:|");
  for (const row of recallRows) console.log(row);
}

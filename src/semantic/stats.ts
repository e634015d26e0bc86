/** Counters and distributions for {@link SemanticCache.getStats}. */

/** Width of one similarity histogram bucket. */
export const HISTOGRAM_BUCKET = 0.05;
const BUCKETS = Math.round(1 / HISTOGRAM_BUCKET);
/** Embedding latencies kept for the percentiles: the most recent ones. */
const LATENCY_WINDOW = 1024;

export interface SemanticStats {
  /** Lookups answered by the exact key, before any embedding. */
  exactHits: number;
  /** Lookups answered by a similar entry that passed the verifier. */
  similarHits: number;
  /** Lookups that found nothing servable (includes embedder failures and verifier rejections). */
  misses: number;
  /** (exactHits + similarHits) / lookups; 0 before the first lookup. */
  hitRate: number;
  /** Candidates at or above the threshold that the verifier rejected. */
  rejectedByVerifier: number;
  /** Lookups and puts skipped because the request's temperature exceeded `maxTemperature`. */
  bypassed: number;
  /** Puts refused: `finishReason` "length" (truncated) or an error response. */
  notStored: { truncated: number; errorResponse: number; temperature: number };
  /**
   * Embedder failures (thrown error, timeout, wrong dimensions, NaN or zero vectors). A lookup
   * that hits one misses; a put stores the entry for exact matches only.
   */
  embeddingFailures: number;
  /** Search results whose scope or context did not match the query's. Never served; should stay 0. */
  scopeViolations: number;
  /** Persistence or sharing failures (store or stream down); the cache carries on in memory. */
  storeErrors: number;
  /** Entries dropped to respect `maxSize`. */
  evictions: number;
  /** Entries dropped because their TTL ran out. */
  expirations: number;
  /** Live entries in memory. */
  entries: number;
  /** Entries searchable by similarity (the rest serve exact matches only). */
  indexedEntries: number;
  /** Partitions (tenant, model, namespace, embedder and context) by index kind. */
  partitions: { flat: number; hnsw: number };
  /**
   * Best similarity found by each similarity search, in buckets of 0.05: `histogram[i]` counts
   * searches whose best score was in `[i * 0.05, (i + 1) * 0.05)`; the last bucket includes 1.
   * Negative scores count in the first bucket.
   */
  similarityHistogram: number[];
  /** Embedding call latency over the last 1,024 calls, in milliseconds. */
  embeddingLatency: { count: number; p50Ms: number; p95Ms: number };
  /** Warnings emitted (usearch missing, store unreadable...). */
  warnings: number;
}

type Counter = Exclude<
  keyof SemanticStats,
  | "hitRate"
  | "notStored"
  | "entries"
  | "indexedEntries"
  | "partitions"
  | "similarityHistogram"
  | "embeddingLatency"
>;

export class SemanticStatsRecorder {
  readonly counters: Record<Counter, number> = {
    exactHits: 0,
    similarHits: 0,
    misses: 0,
    rejectedByVerifier: 0,
    bypassed: 0,
    embeddingFailures: 0,
    scopeViolations: 0,
    storeErrors: 0,
    evictions: 0,
    expirations: 0,
    warnings: 0,
  };
  readonly notStored = { truncated: 0, errorResponse: 0, temperature: 0 };
  readonly #histogram = new Array<number>(BUCKETS).fill(0);
  readonly #latencies = new Float64Array(LATENCY_WINDOW);
  #latencyCount = 0;

  count(counter: Counter, by = 1): void {
    this.counters[counter] += by;
  }

  recordSimilarity(best: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(best / HISTOGRAM_BUCKET)));
    this.#histogram[bucket]++;
  }

  recordEmbeddingLatency(ms: number): void {
    this.#latencies[this.#latencyCount++ % LATENCY_WINDOW] = ms;
  }

  snapshot(
    gauges: Pick<SemanticStats, "entries" | "indexedEntries" | "partitions">,
  ): SemanticStats {
    const c = this.counters;
    const lookups = c.exactHits + c.similarHits + c.misses;
    const n = Math.min(this.#latencyCount, LATENCY_WINDOW);
    const sorted = Array.from(this.#latencies.subarray(0, n)).sort((a, b) => a - b);
    const pick = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]);
    return {
      ...c,
      hitRate: lookups === 0 ? 0 : (c.exactHits + c.similarHits) / lookups,
      notStored: { ...this.notStored },
      ...gauges,
      similarityHistogram: [...this.#histogram],
      embeddingLatency: { count: this.#latencyCount, p50Ms: pick(0.5), p95Ms: pick(0.95) },
    };
  }
}

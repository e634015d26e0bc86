/**
 * What the demo counts, and the JSON it reports (`victor-cache demo --json`). Costs and backend
 * latencies are modelled (see backend.ts); cache times are measured.
 */
import type { HotKey } from "../../analytics/hot-keys.js";
import type { Recommendation } from "../../analytics/recommendations.js";
import type { ModelledCall } from "./backend.js";

/** Where one request's answer came from. */
export type Source = "l1" | "l2" | "semanticExact" | "semanticSimilar" | "miss";
export type RequestKind = "llm" | "tool" | "analysis";

export interface KindReport {
  requests: number;
  hits: number;
  backendCalls: number;
  hitRate: number;
  costWithoutCacheUsd: number;
  avoidedCostUsd: number;
}

export interface DemoResult {
  seed: number;
  users: string[];
  sessions: number;
  requests: number;
  /** Wall time of the replay, measured. */
  durationMs: number;
  setup: { l2Path: string; embedder: string; similarityThreshold: number; config: string };
  latency: {
    /** Every request served by the backend: modelled latency, averaged. */
    withoutCacheAvgMs: number;
    /** Measured cache time of every request, plus the modelled latency of the misses. */
    withCacheAvgMs: number;
    reductionPct: number;
    /** Time spent in the cache per request (lookups, stores, dependency bookkeeping), measured. */
    cacheTime: { avgMs: number; p50Ms: number; p95Ms: number; p99Ms: number };
    modelledBackendMs: { min: number; max: number };
  };
  calls: { withoutCache: number; withCache: number; avoided: number };
  cost: {
    withoutCacheUsd: number;
    withCacheUsd: number;
    /** withoutCacheUsd − withCacheUsd. */
    savedUsd: number;
    /** The modelled price of every avoided call, summed one by one; equals savedUsd. */
    avoidedCallsCostUsd: number;
    pricing: { inputPerMillionUsd: number; outputPerMillionUsd: number };
  };
  hits: Record<Source, number>;
  /** Shares of all requests, 0..1; `combined` is every hit. */
  hitRate: {
    combined: number;
    l1: number;
    l2: number;
    semanticExact: number;
    semanticSimilar: number;
  };
  byKind: Record<RequestKind, KindReport>;
  semantic: {
    lookups: number;
    /** Asks worded differently from the question's usual wording. */
    paraphrasedAsks: number;
    /** Of those, the ones answered by a similar (not exact) stored question. */
    paraphraseHits: number;
    /** Similar hits as a share of all hits. */
    similarShareOfHits: number;
    /** Hits whose answer belonged to another question (a wrong semantic match). */
    wrongAnswers: number;
  };
  freshness: {
    edits: { agent: number; user: number; offline: number };
    /** User edits the watcher had not reported within 5 s (then checked explicitly). */
    watcherFallbacks: number;
    /** Answers about files (analyses, read_file, grep) compared with a fresh computation. */
    answersChecked: number;
    /** Of those, answers about a file edited earlier in the run. */
    answersAfterEdits: number;
    /** Answers that differed from the fresh computation. Must be 0. */
    staleAnswers: number;
  };
  warming: { warmedFromL2: number; warmedFromLoader: number; warmedHits: number; runs: number };
  hotKeys: HotKey[];
  recommendations: Recommendation[];
  /** The reads analytics saw in the session the hot keys and recommendations come from. */
  analyticsReads: number;
  dashboardUrl?: string;
}

interface Bucket {
  requests: number;
  hits: number;
  costWithout: number;
  costWith: number;
  avoidedCost: number;
  latencyWithout: number;
  latencyWith: number;
}

const emptyBucket = (): Bucket => ({
  requests: 0,
  hits: 0,
  costWithout: 0,
  costWith: 0,
  avoidedCost: 0,
  latencyWithout: 0,
  latencyWith: 0,
});

/** Accumulates requests as they are replayed. */
export class Tally {
  readonly total = emptyBucket();
  readonly kinds: Record<RequestKind, Bucket> = {
    llm: emptyBucket(),
    tool: emptyBucket(),
    analysis: emptyBucket(),
  };
  readonly sources: Record<Source, number> = {
    l1: 0,
    l2: 0,
    semanticExact: 0,
    semanticSimilar: 0,
    miss: 0,
  };
  readonly cacheTimes: number[] = [];

  record(kind: RequestKind, source: Source, modelled: ModelledCall, cacheMs: number): void {
    this.sources[source]++;
    this.cacheTimes.push(cacheMs);
    const hit = source !== "miss";
    for (const bucket of [this.total, this.kinds[kind]]) {
      bucket.requests++;
      bucket.costWithout += modelled.costUsd;
      bucket.latencyWithout += modelled.latencyMs;
      bucket.latencyWith += cacheMs + (hit ? 0 : modelled.latencyMs);
      if (hit) {
        bucket.hits++;
        bucket.avoidedCost += modelled.costUsd;
      } else bucket.costWith += modelled.costUsd;
    }
  }

  kindReport(kind: RequestKind, backendCalls: number): KindReport {
    const b = this.kinds[kind];
    return {
      requests: b.requests,
      hits: b.hits,
      backendCalls,
      hitRate: b.requests === 0 ? 0 : b.hits / b.requests,
      costWithoutCacheUsd: b.costWithout,
      avoidedCostUsd: b.avoidedCost,
    };
  }
}

/** The value at quantile q (0..1) of unsorted samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

import type { ExpiryFindings } from "./expiry-tracker.js";
import type { HotKey } from "./hot-keys.js";
import type { LatencySummary, RecommendationOptions } from "./types.js";

export type RecommendationKind =
  "l1_size" | "ttl" | "l2_latency" | "hot_keys" | "semantic_threshold";

export interface Recommendation {
  kind: RecommendationKind;
  severity: "info" | "warning";
  /** What to change, in one sentence. */
  message: string;
  /** Why it would help. */
  reason: string;
  /** The measurements behind it. */
  evidence: Record<string, unknown>;
}

/** What the recommendations are computed from (a snapshot, so they are a pure function). */
export interface RecommendationInputs {
  reads: number;
  l1: { maxSize: number; size: number; hitRate: number } | undefined;
  /** Predicted LRU hit ratio at an L1 size, from the miss-ratio curve. */
  mrc:
    | { hitRatio(size: number): number | undefined; samplingRate: number; references: number }
    | undefined;
  expiry: ExpiryFindings[];
  /** Latency of reads answered by L2. */
  l2Latency: LatencySummary | undefined;
  hotKeys: HotKey[];
  hotKeyReads: number;
  semantic:
    | {
        exactHits: number;
        similarHits: number;
        misses: number;
        histogram: readonly number[] | undefined;
        threshold: number;
      }
    | undefined;
}

export const DEFAULT_RECOMMENDATION_OPTIONS: Required<RecommendationOptions> = {
  minRequests: 1000,
  minGainPoints: 5,
  l2LatencyMsAbove: 25,
  hotKeyShareAbove: 0.2,
  ttlRereadShareAbove: 0.25,
  semanticHitRateBelow: 0.3,
};

const pct = (v: number): string => `${Math.round(v * 100)} %`;
const MULTIPLIERS = [1.5, 2, 3, 5, 10];

/** Rounds to two significant digits, so suggested sizes read like a person chose them. */
export function niceSize(n: number): number {
  if (n < 100) return Math.max(1, Math.round(n));
  const magnitude = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / magnitude) * magnitude;
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

export function recommend(
  inputs: RecommendationInputs,
  options: Required<RecommendationOptions>,
): Recommendation[] {
  const out: Recommendation[] = [];
  if (inputs.reads >= options.minRequests) {
    sizeRecommendation(inputs, options, out);
    for (const finding of inputs.expiry) ttlRecommendation(finding, options, out);
    l2Recommendation(inputs, options, out);
  }
  hotKeyRecommendation(inputs, options, out);
  semanticRecommendation(inputs, options, out);
  return out;
}

function sizeRecommendation(
  i: RecommendationInputs,
  o: Required<RecommendationOptions>,
  out: Recommendation[],
): void {
  const { l1, mrc } = i;
  if (!l1 || !mrc) return;
  const atCurrent = mrc.hitRatio(l1.maxSize);
  if (atCurrent === undefined) return;
  const curve = MULTIPLIERS.map((m) => niceSize(l1.maxSize * m)).map((size) => ({
    size,
    hitRate: mrc.hitRatio(size) ?? 0,
  }));
  const best = Math.max(...curve.map((p) => p.hitRate - atCurrent));
  const evidence = {
    currentMaxSize: l1.maxSize,
    observedHitRate: l1.hitRate,
    predictedAtCurrent: atCurrent,
    curve,
    samplingRate: mrc.samplingRate,
    references: mrc.references,
  };
  if (best * 100 >= o.minGainPoints) {
    // The knee: the smallest size that gets most (80 %) of the best gain in reach.
    const pick = curve.find((p) => p.hitRate - atCurrent >= 0.8 * best)!;
    const would = Math.min(1, Math.max(0, l1.hitRate + pick.hitRate - atCurrent));
    out.push({
      kind: "l1_size",
      severity: "info",
      message: `with l1.maxSize ${pick.size} the hit rate would be about ${pct(would)} (now ${pct(l1.hitRate)})`,
      reason: `the miss-ratio curve (SHARDS, ${(mrc.samplingRate * 100).toFixed(1)} % of keys sampled) shows reads whose reuse distance lies between ${l1.maxSize} and ${pick.size} entries: they miss now and would hit with the larger L1`,
      evidence: { ...evidence, suggestedMaxSize: pick.size, predictedAtSuggested: pick.hitRate },
    });
    return;
  }
  const half = niceSize(l1.maxSize / 2);
  const atHalf = mrc.hitRatio(half);
  if (
    half < l1.maxSize &&
    atHalf !== undefined &&
    l1.size >= l1.maxSize &&
    atCurrent - atHalf < 0.01
  ) {
    out.push({
      kind: "l1_size",
      severity: "info",
      message: `l1.maxSize could be ${half} for about the same hit rate (${pct(Math.max(0, l1.hitRate - (atCurrent - atHalf)))}, now ${pct(l1.hitRate)})`,
      reason: `the miss-ratio curve is flat between ${half} and ${l1.maxSize} entries: the extra entries are rarely read again`,
      evidence: { ...evidence, suggestedMaxSize: half, predictedAtSuggested: atHalf },
    });
  }
}

function ttlRecommendation(
  f: ExpiryFindings,
  o: Required<RecommendationOptions>,
  out: Recommendation[],
): void {
  if (f.expired < 20) return;
  const share = f.readAfterExpiry / f.expired;
  if (share < o.ttlRereadShareAbove) return;
  const suggestion = f.medianTtlMs > 0 ? ` to about ${seconds(f.medianTtlMs + f.p75DelayMs)}` : "";
  out.push({
    kind: "ttl",
    severity: "warning",
    message: `raise ${f.tier}.ttl${suggestion}: ${pct(share)} of sampled entries were read again after expiring`,
    reason: `entries expire shortly before they are needed again (a median ${seconds(f.medianDelayMs)} after expiry${f.medianTtlMs > 0 ? `, with a TTL of ${seconds(f.medianTtlMs)}` : ""}), so those reads miss and reload`,
    evidence: { ...f, rereadShare: share },
  });
}

function l2Recommendation(
  i: RecommendationInputs,
  o: Required<RecommendationOptions>,
  out: Recommendation[],
): void {
  const l = i.l2Latency;
  if (!l || l.count < 50 || l.p95Ms <= o.l2LatencyMsAbove) return;
  out.push({
    kind: "l2_latency",
    severity: "warning",
    message: `L2 reads are slow (p95 ${l.p95Ms.toFixed(1)} ms): keep more in L1 or move L2 closer to the process`,
    reason: `every L1 miss waits for L2; its p95 is above ${o.l2LatencyMsAbove} ms`,
    evidence: { ...l, thresholdMs: o.l2LatencyMsAbove },
  });
}

function hotKeyRecommendation(
  i: RecommendationInputs,
  o: Required<RecommendationOptions>,
  out: Recommendation[],
): void {
  if (i.hotKeys.length === 0 || i.hotKeyReads < 100) return;
  const share = i.hotKeys.reduce((sum, h) => sum + h.share, 0);
  if (share < o.hotKeyShareAbove) return;
  out.push({
    kind: "hot_keys",
    severity: "info",
    message: `${i.hotKeys.length} keys take ${pct(share)} of reads: warm them at start-up (CacheWarmer) or pin them in L1`,
    reason: `reads are concentrated: losing one of these keys (eviction, expiry, restart) costs many misses at once`,
    evidence: {
      share,
      reads: i.hotKeyReads,
      keys: i.hotKeys.map((h) => ({ namespace: h.namespace, key: h.key, share: h.share })),
    },
  });
}

function semanticRecommendation(
  i: RecommendationInputs,
  o: Required<RecommendationOptions>,
  out: Recommendation[],
): void {
  const s = i.semantic;
  if (!s || !s.histogram || s.histogram.length === 0) return;
  const lookups = s.exactHits + s.similarHits + s.misses;
  if (lookups < 100 || s.misses === 0) return;
  const hitRate = (s.exactHits + s.similarHits) / lookups;
  if (hitRate >= o.semanticHitRateBelow) return;
  const width = 1 / s.histogram.length;
  // Buckets entirely below the threshold hold searches that missed by that much.
  const top = Math.floor(s.threshold / width + 1e-9) - 1;
  let gained = 0;
  for (let step = 0; step < 3 && top - step >= 0; step++) {
    gained += s.histogram[top - step];
    const candidate = Math.round((top - step) * width * 100) / 100;
    if (gained / s.misses >= 0.1) {
      out.push({
        kind: "semantic_threshold",
        severity: "info",
        message: `semantic hit rate is ${pct(hitRate)}: similarityThreshold ${candidate} instead of ${s.threshold} would have served ${gained} more lookups (${pct(gained / s.misses)} of misses); check precision on labelled pairs first`,
        reason: `many searches found a best match just below the threshold`,
        evidence: {
          hitRate,
          lookups,
          misses: s.misses,
          threshold: s.threshold,
          suggestedThreshold: candidate,
          gained,
          similarityHistogram: [...s.histogram],
        },
      });
      return;
    }
  }
}

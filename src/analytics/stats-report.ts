import { Counter, EVICTION_REASONS, evictionCounter } from "./counters.js";
import type { History, Totals } from "./history.js";
import type { LogLinearHistogram } from "./log-linear-histogram.js";
import type { Alert } from "./monitor.js";
import { niceSize, recommend } from "./recommendations.js";
import type { EventRecorder } from "./recorder.js";
import type {
  AnalyticsSource,
  ComprehensiveStats,
  LatencySummary,
  MissRatioCurveReport,
  NamespaceReport,
  RateReport,
  RecommendationOptions,
  SemanticSource,
  TierReport,
} from "./types.js";

/** Everything a report is built from, gathered by CacheAnalytics. */
export interface StatsContext {
  now: number;
  createdAt: number;
  source: AnalyticsSource;
  semantic: SemanticSource | undefined;
  recorder: EventRecorder;
  history: History;
  /** Every read result merged, µs. */
  allReads: LogLinearHistogram;
  hotKeyCount: number;
  recommendationOptions: Required<RecommendationOptions>;
  /** The semantic cache's similarity threshold. */
  semanticThreshold: number;
  alerts: Alert[];
}

const RATE_WINDOWS_SECONDS = [10, 60, 300];
const CURVE_MULTIPLIERS = [0.25, 0.5, 1, 2, 4, 8];

/** Latency summary in ms of a histogram recorded in µs. */
export function summarize(h: LogLinearHistogram): LatencySummary {
  return {
    count: h.count,
    avgMs: h.mean() / 1000,
    p50Ms: h.quantile(0.5) / 1000,
    p95Ms: h.quantile(0.95) / 1000,
    p99Ms: h.quantile(0.99) / 1000,
  };
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

export function currentTotals({ recorder }: Pick<StatsContext, "recorder">): Totals {
  const c = recorder.counters;
  const l1Hits = c.total(Counter.L1_HIT);
  const l2Hits = c.total(Counter.L2_HIT);
  const reads = recorder.reads;
  return {
    reads,
    hits: l1Hits + l2Hits,
    misses: reads - l1Hits - l2Hits,
    l1Hits,
    l1Misses: c.total(Counter.L1_MISS),
    l2Hits,
    l2Misses: c.total(Counter.L2_MISS),
    sets: c.total(Counter.SET),
    evictions: c.evictions("l1") + c.evictions("l2"),
    errors: recorder.errors.total() + c.total(Counter.LOAD_ERROR),
  };
}

function tierReport(ctx: StatsContext, tier: "l1" | "l2", size: number): TierReport {
  const c = ctx.recorder.counters;
  const hits = c.total(tier === "l1" ? Counter.L1_HIT : Counter.L2_HIT);
  const misses = c.total(tier === "l1" ? Counter.L1_MISS : Counter.L2_MISS);
  const evictionsByReason: Record<string, number> = {};
  for (const reason of EVICTION_REASONS)
    evictionsByReason[reason] = c.total(evictionCounter(tier, reason));
  return {
    hits,
    misses,
    hitRate: ratio(hits, hits + misses),
    size,
    evictions: c.evictions(tier),
    evictionsByReason,
    expirations: c.total(tier === "l1" ? Counter.EXPIRE_L1 : Counter.EXPIRE_L2),
    latency: summarize(ctx.recorder.readLatency[tier === "l1" ? 0 : 1]),
  };
}

function namespaceReports(ctx: StatsContext): Record<string, NamespaceReport> {
  const c = ctx.recorder.counters;
  const v = c.values;
  const out: Record<string, NamespaceReport> = {};
  for (const [name, base] of c.entries()) {
    const hits = v[base + Counter.L1_HIT] + v[base + Counter.L2_HIT];
    const reads = v[base + Counter.L1_HIT] + v[base + Counter.L1_MISS];
    let evictions = 0;
    for (const tier of ["l1", "l2"] as const) {
      for (const reason of EVICTION_REASONS) evictions += v[base + evictionCounter(tier, reason)];
    }
    out[name] = {
      reads,
      hits,
      misses: reads - hits,
      hitRate: ratio(hits, reads),
      sets: v[base + Counter.SET],
      deletes: v[base + Counter.DELETE],
      evictions,
      expirations: v[base + Counter.EXPIRE_L1] + v[base + Counter.EXPIRE_L2],
      promotions: v[base + Counter.PROMOTE],
      demotions: v[base + Counter.DEMOTE],
      staleServed: v[base + Counter.STALE],
      loads: v[base + Counter.LOAD],
      loadErrors: v[base + Counter.LOAD_ERROR],
    };
  }
  return out;
}

function rateReports(ctx: StatsContext, now: Totals): RateReport[] {
  return RATE_WINDOWS_SECONDS.map((window) => {
    const then = ctx.history.atOrBefore(ctx.now - window * 1000);
    const seconds = then ? (ctx.now - then.t) / 1000 : 0;
    const per = (key: keyof Totals): number =>
      then && seconds > 0 ? (now[key] - then.totals[key]) / seconds : 0;
    const reads = then ? now.reads - then.totals.reads : 0;
    return {
      windowSeconds: seconds,
      readsPerSec: per("reads"),
      hitsPerSec: per("hits"),
      missesPerSec: per("misses"),
      setsPerSec: per("sets"),
      evictionsPerSec: per("evictions"),
      errorsPerSec: per("errors"),
      hitRate: then && reads > 0 ? (now.hits - then.totals.hits) / reads : null,
    };
  });
}

function curveReport(
  ctx: StatsContext,
  maxSize: number | undefined,
): MissRatioCurveReport | undefined {
  const mrc = ctx.recorder.mrc;
  if (!mrc) return undefined;
  const sizes = maxSize
    ? CURVE_MULTIPLIERS.map((m) => niceSize(maxSize * m))
    : [100, 1000, 10_000, 100_000];
  return {
    samplingRate: mrc.samplingRate,
    sampledKeys: mrc.sampledKeys,
    references: mrc.referenceCount,
    points: [...new Set(sizes)].map((size) => ({ size, hitRate: mrc.hitRatio(size) ?? 0 })),
  };
}

export function buildStats(ctx: StatsContext): ComprehensiveStats {
  const { recorder, source } = ctx;
  const cache = source.getStats();
  const totals = currentTotals(ctx);
  const c = recorder.counters;
  const l1 = tierReport(ctx, "l1", cache.l1.size);
  const l2 = cache.l2
    ? { ...tierReport(ctx, "l2", cache.l2.size), errors: recorder.errors.total("l2") }
    : undefined;
  const hotKeys = recorder.hotKeys?.top(ctx.hotKeyCount) ?? [];
  const maxSize = source.l1?.options.maxSize;
  const semanticStats = ctx.semantic?.getStats();
  const semanticLookups = semanticStats
    ? semanticStats.exactHits + semanticStats.similarHits + semanticStats.misses
    : 0;
  const mrc = recorder.mrc;
  const recommendations = recommend(
    {
      reads: totals.reads,
      l1: maxSize ? { maxSize, size: cache.l1.size, hitRate: l1.hitRate } : undefined,
      mrc: mrc && {
        hitRatio: (size) => mrc.hitRatio(size),
        samplingRate: mrc.samplingRate,
        references: mrc.referenceCount,
      },
      expiry: recorder.expiry.findings(),
      l2Latency: l2?.latency,
      hotKeys,
      hotKeyReads: recorder.hotKeys?.coveredReads ?? 0,
      semantic: semanticStats && {
        exactHits: semanticStats.exactHits,
        similarHits: semanticStats.similarHits,
        misses: semanticStats.misses,
        histogram: semanticStats.similarityHistogram,
        threshold: ctx.semanticThreshold,
      },
    },
    ctx.recommendationOptions,
  );
  return {
    timestamp: ctx.now,
    uptimeSeconds: (ctx.now - ctx.createdAt) / 1000,
    reads: totals.reads,
    hitRate: ratio(totals.hits, totals.reads),
    missRate: totals.reads > 0 ? 1 - totals.hits / totals.reads : 0,
    evictionRate: ratio(totals.evictions, totals.reads),
    latency: summarize(ctx.allReads),
    loadLatency: summarize(mergedLoads(recorder)),
    perTier: { l1, l2 },
    perNamespace: namespaceReports(ctx),
    totals: {
      sets: totals.sets,
      deletes: c.total(Counter.DELETE),
      evictions: totals.evictions,
      expirations: c.total(Counter.EXPIRE_L1) + c.total(Counter.EXPIRE_L2),
      promotions: c.total(Counter.PROMOTE),
      demotions: c.total(Counter.DEMOTE),
      staleServed: c.total(Counter.STALE),
      loads: c.total(Counter.LOAD),
      loadErrors: c.total(Counter.LOAD_ERROR),
      l2Errors: recorder.errors.total("l2"),
      tagInvalidations: recorder.tagInvalidations,
    },
    errors: [...recorder.errors.entries()],
    rates: rateReports(ctx, totals),
    hotKeys,
    hotKeyWindow: recorder.hotKeys?.window ?? 0,
    missRatioCurve: curveReport(ctx, maxSize),
    semantic: semanticStats && {
      exactHits: semanticStats.exactHits,
      similarHits: semanticStats.similarHits,
      misses: semanticStats.misses,
      hitRate: ratio(semanticStats.exactHits + semanticStats.similarHits, semanticLookups),
    },
    recommendations,
    alerts: ctx.alerts,
    cache,
  };
}

function mergedLoads(recorder: EventRecorder): LogLinearHistogram {
  const all = recorder.loadLatency[0].emptyClone();
  all.add(recorder.loadLatency[0]);
  all.add(recorder.loadLatency[1]);
  return all;
}

/**
 * What CacheAnalytics reads from the caches it observes (kept minimal, so any cache with the
 * same events and stats can be observed), and the shapes it reports.
 */
import type { Registry } from "prom-client";
import type { Clock } from "../core/clock.js";
import type { Duration } from "../core/duration.js";
import type {
  AccessResult,
  CacheEvents,
  MultiLevelCacheStats,
  ReadObserver,
  Tier,
} from "../multilevel/types.js";
import type { HotKey } from "./hot-keys.js";
import type { Alert, MonitoringOptions } from "./monitor.js";
import type { Recommendation } from "./recommendations.js";
import type { Scheduler } from "./scheduler.js";

/** The part of a typed emitter analytics subscribes through. */
export interface AnalyticsEventSource {
  on<E extends keyof CacheEvents>(event: E, listener: (payload: CacheEvents[E]) => void): unknown;
  off<E extends keyof CacheEvents>(event: E, listener: (payload: CacheEvents[E]) => void): void;
}

/** The cache analytics observes: a MultiLevelCache, or anything with the same events and stats. */
export interface AnalyticsSource {
  readonly events: AnalyticsEventSource;
  /**
   * Where present (a MultiLevelCache), reads are recorded through it instead of `access` events:
   * the cheaper path, with no payload per read.
   */
  observeReads?(observer: ReadObserver): () => void;
  getStats(): MultiLevelCacheStats;
  /** The memory tier, for its configured size and byte count. */
  readonly l1?: {
    readonly options: { readonly maxSize: number; readonly maxBytes?: number };
    getStats(): { size: number; bytes: number };
  };
}

/** A SemanticCache, as far as analytics reads it. */
export interface SemanticSource {
  getStats(): {
    exactHits: number;
    similarHits: number;
    misses: number;
    /**
     * Best similarity of each similarity search, in buckets of equal width over [0, 1]:
     * `similarityHistogram[i]` counts searches whose best score fell in bucket `i`.
     */
    similarityHistogram?: readonly number[];
  };
  readonly options?: { readonly similarityThreshold?: number };
}

/** When recommendations speak up. */
export interface RecommendationOptions {
  /** Reads needed before any recommendation is made. @default 1000 */
  minRequests?: number;
  /** Smallest predicted gain, in hit-rate points, worth recommending a larger L1. @default 5 */
  minGainPoints?: number;
  /** L2 p95 read latency (ms) above which L2 is called slow. @default 25 */
  l2LatencyMsAbove?: number;
  /** Share of reads going to the top hot keys (0..1) that counts as concentration. @default 0.2 */
  hotKeyShareAbove?: number;
  /** Share of sampled expired entries read again (0..1) that means the TTL is too short. @default 0.25 */
  ttlRereadShareAbove?: number;
  /** Semantic hit rate (0..1) below which the threshold is looked at. @default 0.3 */
  semanticHitRateBelow?: number;
}

export interface CacheAnalyticsOptions {
  /** The cache to observe. */
  cache: AnalyticsSource;
  /** A SemanticCache, for exact/similar hit counters and the threshold recommendation. */
  semantic?: SemanticSource;
  /**
   * The semantic cache's `similarityThreshold`, which the threshold recommendation starts from
   * (SemanticCache keeps its options private, so pass the value you configured it with).
   * @default `semantic.options.similarityThreshold` when exposed, else 0.85 (SemanticCache's default)
   */
  semanticThreshold?: number;
  /** Follow the most read keys (Space-Saving). @default true */
  trackHotKeys?: boolean;
  /** Reads the hot-key window covers, at most 2^30. @default 1000 */
  hotKeyWindow?: number;
  /** Counters per hot-key window; exact when at least the distinct keys of a window. @default min(hotKeyWindow, 1024) */
  hotKeyCapacity?: number;
  /** Hot keys reported. @default 10 */
  hotKeyCount?: number;
  /** Estimate the L1 miss-ratio curve (SHARDS) for size recommendations. @default true */
  trackMissRatioCurve?: boolean;
  /**
   * Most keys SHARDS follows; the sampling rate drops to stay within it. About 56 bytes each
   * (1.8 MB at the default). More keys, smaller error at small sizes.
   * @default 32768
   */
  mrcSampleKeys?: number;
  /**
   * Highest SHARDS sampling rate, 0..1. A sampled read costs three Fenwick-tree operations, so
   * the cap bounds the average cost when the key space is small enough to be sampled whole. The
   * default keeps about 256 sampled keys within the L1 size: 0.256 for `l1.maxSize` 1000, 1 up to
   * 256 entries, 0.1 when the L1 size is unknown.
   * @default min(1, 256 / l1.maxSize)
   */
  mrcMaxSamplingRate?: number;
  /** Namespaces counted separately; later ones are counted as "other". @default 32 */
  maxNamespaces?: number;
  /** Snapshots kept for the time series (`/api/stats`, dashboard), one per `sampleInterval`. @default 300 */
  historySize?: number;
  /** How often rates and the time series are sampled: seconds or a duration string. @default 1 */
  sampleInterval?: Duration;
  recommendations?: RecommendationOptions;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Timers for sampling and monitoring. @default real timers, unref'd */
  scheduler?: Scheduler;
  /** prom-client registry the metrics are registered in. @default a new Registry */
  registry?: Registry;
}

/** Latency summary in milliseconds. */
export interface LatencySummary {
  count: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface TierReport {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before the first read. */
  hitRate: number;
  size: number;
  evictions: number;
  evictionsByReason: Record<string, number>;
  expirations: number;
  /** Reads answered by this tier. */
  latency: LatencySummary;
}

/** What happened besides reads, counted per namespace and in total. */
export interface OperationCounts {
  sets: number;
  deletes: number;
  evictions: number;
  expirations: number;
  promotions: number;
  demotions: number;
  staleServed: number;
  loads: number;
  loadErrors: number;
}

export interface NamespaceReport extends OperationCounts {
  reads: number;
  hits: number;
  misses: number;
  hitRate: number;
}

/** Events per second over a trailing window. */
export interface RateReport {
  /** Seconds actually covered (less than asked for early on). */
  windowSeconds: number;
  readsPerSec: number;
  hitsPerSec: number;
  missesPerSec: number;
  setsPerSec: number;
  evictionsPerSec: number;
  errorsPerSec: number;
  /** Hit rate within the window; null when nothing was read. */
  hitRate: number | null;
}

export interface MissRatioCurveReport {
  /** Fraction of keys sampled, 0..1. */
  samplingRate: number;
  sampledKeys: number;
  references: number;
  /** Predicted LRU hit rate at L1 sizes around the current one. */
  points: { size: number; hitRate: number }[];
}

export interface SemanticReport {
  exactHits: number;
  similarHits: number;
  misses: number;
  hitRate: number;
}

export interface ComprehensiveStats {
  /** Clock time of the report, epoch ms. */
  timestamp: number;
  uptimeSeconds: number;
  reads: number;
  /** Reads answered by a tier / reads. */
  hitRate: number;
  missRate: number;
  /** Evictions (all tiers) per read. */
  evictionRate: number;
  /** Every read, whatever answered it. */
  latency: LatencySummary;
  /** Loader calls (`getOrSet` misses). */
  loadLatency: LatencySummary;
  perTier: { l1: TierReport; l2: (TierReport & { errors: number }) | undefined };
  perNamespace: Record<string, NamespaceReport>;
  totals: OperationCounts & { l2Errors: number; tagInvalidations: number };
  errors: { tier: Tier; operation: string; count: number }[];
  rates: RateReport[];
  hotKeys: HotKey[];
  /** Reads the hot-key estimates cover. */
  hotKeyWindow: number;
  missRatioCurve: MissRatioCurveReport | undefined;
  semantic: SemanticReport | undefined;
  recommendations: Recommendation[];
  alerts: Alert[];
  /** The cache's own `getStats()`. */
  cache: MultiLevelCacheStats;
}

/** Events CacheAnalytics emits. */
export type AnalyticsEvents = {
  /** A threshold was crossed (and stayed crossed for the hysteresis). */
  alert: Alert;
  /** A firing alert's value came back inside the threshold (by the hysteresis margin). */
  alertCleared: Alert;
};

export type { AccessResult, MonitoringOptions };

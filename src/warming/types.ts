/**
 * The CacheWarmer contract: strategies, options, events and stats. See docs/warming.md.
 */
import type { Clock } from "../core/clock.js";
import type { Duration } from "../core/duration.js";
import type { MultiLevelCache } from "../multilevel/multilevel-cache.js";

/** How a warming run ranks the keys of the access log, as lowercase strings (YAML and code agree). */
export const WarmingStrategy = {
  /** Most often used keys, by decayed frequency. */
  FREQUENCY: "frequency",
  /** Most recently used keys. */
  RECENCY: "recency",
  /** `recencyWeight × recency + (1 − recencyWeight) × frequency`, both normalised to 0..1. */
  HYBRID: "hybrid",
  /** Keys used at the hours of day that the next `timeWindow` covers. */
  TIME_BASED: "time_based",
  /** What one user or context usually needs (`warmFor(user)`). */
  USER_SPECIFIC: "user_specific",
} as const;
export type WarmingStrategyName = (typeof WarmingStrategy)[keyof typeof WarmingStrategy];

/** The seed's warming config: the part of the options a YAML profile sets. */
export interface WarmingConfig {
  /** How candidates are ranked. @default "hybrid" */
  strategy?: WarmingStrategyName;
  /**
   * Most keys one run makes sure are in L1: the top-ranked keys, counting those already there.
   * 0 makes runs do nothing.
   * @default 100
   */
  preloadCount?: number;
  /**
   * Time between background runs: seconds or a duration string ("5m"), each run shifted by up to
   * ±`jitter` of it.
   * @default 300 (five minutes)
   */
  warmInterval?: Duration;
  /**
   * Share of recency in the `hybrid` score, 0..1: 0 ranks by frequency only, 1 by recency only.
   * @default 0.5
   */
  recencyWeight?: number;
}

/**
 * Recomputes a value the warmer wants in L1 that L2 does not hold. `signal` aborts when the load
 * times out or the warmer stops. Resolving `undefined` means "nothing to warm" (skipped).
 */
export type WarmingLoader = (
  key: string,
  namespace: string,
  context: { signal: AbortSignal },
) => unknown;

/** The cache a warmer serves: a MultiLevelCache, or anything with the same members. */
export type WarmableCache = Pick<
  MultiLevelCache,
  "events" | "l1" | "l2" | "options" | "flush" | "set"
>;

/** Options of the access log that feeds every strategy. */
export interface AccessLogOptions {
  /**
   * Most keys the log remembers. When full, a new key replaces the lowest-frequency key of a
   * random sample of 8. Memory is about 0.5 KB per key plus its key and namespace strings
   * (~5 MB at the default).
   * @default 10000
   */
  maxKeys?: number;
  /**
   * Half-life of the decayed frequency, the hour-of-day histogram and per-user counts: an access
   * this long ago counts half as much as one now. Seconds or a duration string.
   * @default "1d"
   */
  halfLife?: Duration;
  /**
   * Most users or contexts remembered per key; a new one replaces the one with the lowest
   * decayed count.
   * @default 8
   */
  maxUsersPerKey?: number;
  /**
   * Time zone of the hour-of-day histogram: `"local"` (the process's zone, daylight saving
   * included) or a fixed offset in minutes east of UTC (`60` for CET, `-300` for EST, `0` for
   * UTC).
   * @default "local"
   */
  timezoneOffset?: "local" | number;
  /**
   * What a `set` counts for, relative to a read (1): a write is weaker evidence that the key will
   * be read soon. 0 ignores writes.
   * @default 0.25
   */
  setWeight?: number;
}

export interface CacheWarmerOptions extends WarmingConfig, AccessLogOptions {
  /** The cache to warm. Its `access` and `set` events feed the access log. */
  cache: WarmableCache;
  /**
   * Recomputes candidates that L2 does not hold. Without one, only L2 entries are promoted.
   * @default none
   */
  loader?: WarmingLoader;
  /** Most loader calls in flight at once. @default 4 */
  loaderConcurrency?: number;
  /**
   * Most loader calls started per second, on average (token bucket); 0 means no limit.
   * @default 20
   */
  loaderRate?: number;
  /** Loader calls that may start at once before `loaderRate` paces them (bucket size). @default 4 */
  loaderBurst?: number;
  /**
   * A loader call taking longer is abandoned (its signal aborts), counted in `loaderTimeouts` and
   * emitted as `error`. Seconds or a duration string. Measured in real time, like the rate limit.
   * @default "10s"
   */
  loaderTimeout?: Duration;
  /**
   * How far ahead `time_based` looks: keys used at the hours of day in `[now, now + timeWindow]`
   * are ranked, each hour weighted by how much of it the window covers. Seconds or a duration
   * string.
   * @default "1h"
   */
  timeWindow?: Duration;
  /** Share of `warmInterval` by which each background run is moved earlier or later, 0..1. @default 0.1 */
  jitter?: number;
  /**
   * Record the cache's `access` and `set` events into the access log. Turn off to feed it only
   * through `recordAccess`.
   * @default true
   */
  recordEvents?: boolean;
  /**
   * The user or context a recorded access belongs to, read at each event. The default reads the
   * scope opened by `warmer.withContext(user, fn)`.
   * @default the current `withContext` scope
   */
  context?: () => string | undefined;
  /**
   * Keep the access log in L2 (namespace `__victor_warming`) so warming works after a restart: it
   * is saved every `persistInterval` while background warming runs and at `stop()`, and loaded
   * before the first run. Without an L2 there is nothing to persist to.
   * @default true
   */
  persist?: boolean;
  /** How often background warming saves the access log: seconds or a duration string. @default "5m" */
  persistInterval?: Duration;
  /**
   * Name of the saved log inside the reserved namespace; give each warmer sharing one L2 (several
   * agents on one Redis) its own name, or they overwrite each other's log.
   * @default "default"
   */
  persistName?: string;
  /** Time source of the access log. @default the cache's clock */
  clock?: Clock;
}

/** Where a warmed entry came from. */
export type WarmSource = "l2" | "loader";

/** What started a run. */
export type RunReason = "manual" | "background" | "user";

/** The outcome of one run. */
export interface WarmRunResult {
  reason: RunReason;
  strategy: WarmingStrategyName;
  /** The user of a `warmFor` run. */
  user: string | undefined;
  fromL2: number;
  fromLoader: number;
  /** Top-ranked candidates that were already in L1. */
  alreadyInL1: number;
  /** Candidates neither L2 nor the loader could provide. */
  skippedNoSource: number;
  /** Candidates turned away by the L1 capacity rule. */
  skippedByCapacity: number;
  /** L1 entries removed to make room for higher-scoring ones. */
  displaced: number;
  loaderErrors: number;
  loaderTimeouts: number;
  durationMs: number;
}

export interface CacheWarmerStats {
  runs: number;
  /** Entries brought into L1 from L2 (promotion, no loader call). */
  warmedFromL2: number;
  /** Entries recomputed by the loader. */
  warmedFromLoader: number;
  /** L1 hits on entries the warmer brought in, while they stay in L1: the payoff. */
  warmedHits: number;
  /** Warmed entries that were read at least once. */
  warmedUsed: number;
  alreadyInL1: number;
  skippedNoSource: number;
  skippedByCapacity: number;
  displaced: number;
  loaderErrors: number;
  loaderTimeouts: number;
  /** L2 reads or access-log saves and loads that failed. */
  storeErrors: number;
  /** Milliseconds spent in runs, in total. */
  timeMs: number;
  /** Keys the access log remembers now, and its bound. */
  trackedKeys: number;
  maxKeys: number;
}

export type CacheWarmerEvents = {
  runStart: { reason: RunReason; strategy: WarmingStrategyName; user: string | undefined };
  runEnd: WarmRunResult;
  /** One entry reached L1. Only built while someone listens. */
  warm: { key: string; namespace: string; source: WarmSource };
  /**
   * A loader call failed or timed out (`key` set), an L2 read failed, the access log could not be
   * saved or loaded, or a background run failed. Never thrown: warming is best effort.
   */
  error: {
    operation: "loader" | "l2-read" | "log-save" | "log-load" | "run";
    key: string | undefined;
    namespace: string | undefined;
    error: unknown;
  };
};

/**
 * The resolved configuration of a whole caching system, in the camelCase of the API: what
 * `loadConfig` returns and `createCacheSystem` builds. Plain data (it serialises to JSON); the
 * parts a YAML file cannot hold (loaders, clocks, a custom embedder) are {@link CacheSystemHooks}.
 */
import type { Registry } from "prom-client";
import type { MonitoringOptions } from "../analytics/monitor.js";
import type { CacheAnalyticsOptions } from "../analytics/types.js";
import type { Clock } from "../core/clock.js";
import type { DashboardOptions } from "../dashboard/server.js";
import type { CacheInvalidatorOptions } from "../invalidation/types.js";
import type { MultiLevelCacheOptions } from "../multilevel/types.js";
import type { Embedder } from "../semantic/embedders/embedder.js";
import type { EmbedderConfig } from "../semantic/embedders/factory.js";
import type { SemanticCacheOptions } from "../semantic/options.js";
import type { HitVerifier } from "../semantic/verifier.js";
import type { CacheWarmerOptions, WarmingLoader } from "../warming/types.js";

export interface WarmingSystemConfig extends Omit<
  CacheWarmerOptions,
  "cache" | "loader" | "clock" | "context"
> {
  /** `start()` runs warming at once and then every `warmInterval`. @default true */
  background: boolean;
}

export interface SemanticSystemConfig extends Omit<
  SemanticCacheOptions,
  "embedder" | "store" | "feed" | "clock" | "verifier"
> {
  /** The embedding provider and its options. @default { provider: "hashing" } */
  embedder: Exclude<EmbedderConfig, { provider: "custom" }>;
  /** Check similar hits before serving them (the default verifier). @default true */
  verifier: boolean;
  /** Keep entries in the cache's L2 so they survive a restart. @default true (when there is an L2) */
  persist: boolean;
}

export interface InvalidationSystemConfig extends Omit<
  CacheInvalidatorOptions,
  "cache" | "semantic" | "bus" | "clock" | "scheduler"
> {
  /** Files and folders watched from `start()` (absolute paths). @default [] */
  watchFiles: string[];
}

export interface AnalyticsSystemConfig extends Omit<
  CacheAnalyticsOptions,
  "cache" | "semantic" | "clock" | "scheduler" | "registry"
> {
  /** Alert checks started by `start()`; undefined = no monitoring. */
  monitoring: MonitoringOptions | undefined;
  /** The dashboard served by `start()`; undefined = none. */
  dashboard: DashboardOptions | undefined;
}

/** A whole system: undefined parts are not built. */
export interface CacheSystemConfig {
  /** The file it was read from, for messages; undefined for defaults or config built in code. */
  source?: string;
  multiLevel: Omit<MultiLevelCacheOptions, "clock" | "distributedLock">;
  warming?: WarmingSystemConfig;
  semantic?: SemanticSystemConfig;
  invalidation?: InvalidationSystemConfig;
  analytics?: AnalyticsSystemConfig;
  /**
   * Close the whole system (flushing write-back, saving the access log and dependency graph) on
   * SIGINT/SIGTERM, then let the signal exit the process unless the application listens to it.
   * @default false
   */
  shutdownOnSignals: boolean;
}

/** What a YAML file cannot say: functions and live objects. */
export interface CacheSystemHooks {
  /** Recomputes values the warmer wants in L1 that L2 lacks. @default none (L2 promotion only) */
  warmingLoader?: WarmingLoader;
  /** Time source of every part. @default systemClock */
  clock?: Clock;
  /** Replaces the configured embedder (a custom one); the caller closes it. */
  embedder?: Embedder;
  /** Replaces the default hit verifier of the semantic cache. */
  verifier?: HitVerifier;
  /** prom-client registry for the analytics metrics. @default a new Registry */
  registry?: Registry;
}

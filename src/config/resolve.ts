/**
 * Maps a validated `cache:` section (snake_case) to a {@link CacheSystemConfig} (camelCase),
 * applying the defaults and the rules that span several keys. Errors name the YAML path.
 */
import { CacheConfigError } from "../core/errors.js";
import type { Duration } from "../core/duration.js";
import type { BusConfig, L2Config, MultiLevelCacheOptions } from "../multilevel/types.js";
import type { GuardedStoreOptions } from "../stores/guarded-store.js";
import { CONFIG_DEFAULTS } from "./defaults.js";
import { resolveEmbedder } from "./resolve-embedder.js";
import { expandHome, lmdbFolderFor } from "./resolve-paths.js";
import type {
  AnalyticsSection,
  CacheSection,
  InvalidationSection,
  SemanticSection,
  WarmingSection,
} from "./schema.js";
import type { MultiLevelSection } from "./schema-multilevel.js";
import type {
  AnalyticsSystemConfig,
  CacheSystemConfig,
  InvalidationSystemConfig,
  SemanticSystemConfig,
  WarmingSystemConfig,
} from "./types.js";

const ML = CONFIG_DEFAULTS.multi_level;

function guardOf(
  guard: NonNullable<MultiLevelSection["l2"]>["guard"],
): GuardedStoreOptions | false | undefined {
  if (guard === undefined || guard === false) return guard;
  const breaker = {
    ...(guard.failure_threshold !== undefined && { failureThreshold: guard.failure_threshold }),
    ...(guard.failure_rate !== undefined && { failureRate: guard.failure_rate }),
    ...(guard.window !== undefined && { window: guard.window }),
    ...(guard.cooldown !== undefined && { cooldown: guard.cooldown }),
  };
  return { ...(guard.timeout !== undefined && { timeout: guard.timeout }), breaker };
}

function resolveL2(
  l2: MultiLevelSection["l2"],
  defaultTtl: Duration | undefined,
): L2Config | undefined {
  if (l2 === null) return undefined;
  const section = l2 ?? { type: "file" as const };
  const ttl = section.ttl ?? defaultTtl ?? ML.l2.ttl;
  const guard = guardOf(section.guard);
  if (section.type === "redis") {
    return {
      type: "redis",
      url: typeof section.url === "string" ? section.url : section.url[0],
      ...(typeof section.url !== "string" && {
        cluster: { rootNodes: section.url.map((url) => ({ url })) },
      }),
      prefix: section.prefix ?? ML.l2.prefix,
      ttl,
      ...(section.command_timeout !== undefined && { commandTimeout: section.command_timeout }),
      ...(section.connect_timeout !== undefined && { connectTimeout: section.connect_timeout }),
      ...(section.max_value_bytes !== undefined && { maxValueBytes: section.max_value_bytes }),
      ...(guard !== undefined && { guard }),
    };
  }
  return {
    type: "file",
    path: lmdbFolderFor(section.persistence_path ?? ML.l2.persistence_path),
    maxSize: section.max_size ?? ML.l2.max_size,
    maxBytes: section.max_bytes ?? ML.l2.max_bytes,
    ttl,
    sweepInterval: section.sweep_interval ?? ML.l2.sweep_interval,
    onIncompatible: section.on_incompatible ?? "error",
    ...(guard !== undefined && { guard }),
  };
}

function resolveBus(bus: MultiLevelSection["bus"]): BusConfig | undefined {
  if (bus === undefined) return undefined;
  return {
    type: "redis",
    url: bus.url,
    ...(bus.channel !== undefined && { channel: bus.channel }),
    ...(bus.heartbeat_interval !== undefined && { heartbeatInterval: bus.heartbeat_interval }),
  };
}

function resolveMultiLevel(
  section: MultiLevelSection,
  defaultTtl: Duration | undefined,
): CacheSystemConfig["multiLevel"] {
  const l1 = section.l1 ?? {};
  const l2 = section.enabled === false ? undefined : resolveL2(section.l2, defaultTtl);
  const writePolicy = section.write_policy ?? ML.write_policy;
  if (writePolicy !== "write_through" && l2 === undefined) {
    throw new CacheConfigError(
      "cache.multi_level.write_policy",
      `${writePolicy} needs an l2; without one (l2: null or enabled: false) the cache writes through`,
    );
  }
  const wb = section.write_back ?? {};
  const options: CacheSystemConfig["multiLevel"] = {
    l1: {
      type: "memory",
      maxSize: l1.max_size ?? ML.l1.max_size,
      maxBytes: l1.max_bytes ?? ML.l1.max_bytes,
      ttl: l1.ttl ?? defaultTtl ?? ML.l1.ttl,
      ...(l1.eviction !== undefined && { evictionPolicy: l1.eviction }),
      sweepInterval: l1.sweep_interval ?? ML.l1.sweep_interval,
      clone: l1.clone ?? ML.l1.clone,
    },
    writePolicy,
    writeBack: {
      interval: wb.interval ?? ML.write_back.interval,
      batchSize: wb.batch_size ?? ML.write_back.batch_size,
      maxQueue: wb.max_queue ?? ML.write_back.max_queue,
      flushOnSignals: wb.flush_on_signals ?? ML.write_back.flush_on_signals,
    },
    grace: section.grace ?? ML.grace,
    failSafe: section.fail_safe ?? ML.fail_safe,
    latencySampleEvery: section.latency_sample_every ?? ML.latency_sample_every,
  };
  if (l2 !== undefined) options.l2 = l2;
  const bus = resolveBus(section.bus);
  if (bus !== undefined) (options as MultiLevelCacheOptions).bus = bus;
  return options;
}

const W = CONFIG_DEFAULTS.warming;

function resolveWarming(section: WarmingSection): WarmingSystemConfig | undefined {
  if (section.enabled === false) return undefined;
  return {
    strategy: section.strategy ?? W.strategy,
    preloadCount: section.preload_count ?? W.preload_count,
    warmInterval: section.warm_interval ?? W.warm_interval,
    recencyWeight: section.recency_weight ?? W.recency_weight,
    background: section.background ?? W.background,
    maxKeys: section.max_keys ?? W.max_keys,
    halfLife: section.half_life ?? W.half_life,
    timeWindow: section.time_window ?? W.time_window,
    jitter: section.jitter ?? W.jitter,
    loaderConcurrency: section.loader_concurrency ?? W.loader_concurrency,
    loaderRate: section.loader_rate ?? W.loader_rate,
    loaderTimeout: section.loader_timeout ?? W.loader_timeout,
    persist: section.persist ?? W.persist,
    persistInterval: section.persist_interval ?? W.persist_interval,
    persistName: section.persist_name ?? W.persist_name,
  };
}

const S = CONFIG_DEFAULTS.semantic;

function resolveSemantic(
  section: SemanticSection,
  defaultTtl: Duration | undefined,
  hasL2: boolean,
): SemanticSystemConfig | undefined {
  if (section.enabled === false) return undefined;
  return {
    similarityThreshold: section.similarity_threshold ?? S.similarity_threshold,
    embedder: resolveEmbedder(section, section.batch_size ?? S.batch_size),
    maxSize: section.max_size ?? S.max_size,
    ttl: section.ttl ?? defaultTtl ?? S.ttl,
    namespace: section.namespace ?? S.namespace,
    maxTemperature: section.max_temperature ?? S.max_temperature,
    candidates: section.candidates ?? S.candidates,
    hnswThreshold: section.hnsw_threshold ?? S.hnsw_threshold,
    verifier: section.verifier ?? S.verifier,
    persist: (section.persist ?? S.persist) && hasL2,
  };
}

const I = CONFIG_DEFAULTS.invalidation;

function resolveInvalidation(
  section: InvalidationSection,
  hasL2: boolean,
): InvalidationSystemConfig | undefined {
  if (section.enabled === false) return undefined;
  const strategy = section.strategy ?? I.strategy;
  const eventDriven = strategy === "event" || strategy === "hybrid";
  const watchFiles = (section.watch_files ?? []).map(expandHome);
  if (watchFiles.length > 0 && !eventDriven) {
    throw new CacheConfigError(
      "cache.invalidation.watch_files",
      `needs strategy "event" or "hybrid"; strategy is "${strategy}"`,
    );
  }
  const enableDependencies = section.enable_dependencies ?? I.enable_dependencies;
  if (watchFiles.length > 0 && !enableDependencies) {
    throw new CacheConfigError("cache.invalidation.watch_files", "needs enable_dependencies: true");
  }
  if (section.persist_dependencies === true && !hasL2) {
    throw new CacheConfigError(
      "cache.invalidation.persist_dependencies",
      "needs an l2 to persist into",
    );
  }
  const ra = section.refresh_ahead;
  if (ra !== undefined && ra !== false && strategy !== "ttl" && strategy !== "hybrid") {
    throw new CacheConfigError(
      "cache.invalidation.refresh_ahead",
      `needs strategy "ttl" or "hybrid"; strategy is "${strategy}"`,
    );
  }
  return {
    strategy,
    enableTagging: section.enable_tagging ?? I.enable_tagging,
    enableDependencies,
    persistDependencies: section.persist_dependencies ?? hasL2,
    debounce: section.debounce ?? I.debounce,
    cascadeConcurrency: section.cascade_concurrency ?? I.cascade_concurrency,
    sweepInterval: section.sweep_interval ?? I.sweep_interval,
    refreshAhead:
      typeof ra === "object"
        ? {
            ...(ra.at !== undefined && { at: ra.at }),
            ...(ra.min_accesses !== undefined && { minAccesses: ra.min_accesses }),
            ...(ra.window !== undefined && { window: ra.window }),
            ...(ra.concurrency !== undefined && { concurrency: ra.concurrency }),
            ...(ra.max_tracked !== undefined && { maxTracked: ra.max_tracked }),
            ...(ra.check_interval !== undefined && { checkInterval: ra.check_interval }),
          }
        : (ra ?? false),
    watchFiles,
  };
}

const A = CONFIG_DEFAULTS.analytics;

function resolveAnalytics(section: AnalyticsSection): AnalyticsSystemConfig | undefined {
  if (section.enabled === false) return undefined;
  const interval = section.monitoring_interval ?? A.monitoring_interval;
  const alerts = section.alerts ?? {};
  const r = section.recommendations ?? {};
  const dashboard = section.dashboard ?? {};
  return {
    trackHotKeys: section.track_hot_keys ?? A.track_hot_keys,
    hotKeyWindow: section.hot_key_window ?? A.hot_key_window,
    hotKeyCount: section.hot_key_count ?? A.hot_key_count,
    trackMissRatioCurve: section.track_miss_ratio_curve ?? A.track_miss_ratio_curve,
    sampleInterval: section.sample_interval ?? A.sample_interval,
    historySize: section.history_size ?? A.history_size,
    recommendations: {
      ...(r.min_requests !== undefined && { minRequests: r.min_requests }),
      ...(r.min_gain_points !== undefined && { minGainPoints: r.min_gain_points }),
      ...(r.l2_latency_ms_above !== undefined && { l2LatencyMsAbove: r.l2_latency_ms_above }),
      ...(r.hot_key_share_above !== undefined && { hotKeyShareAbove: r.hot_key_share_above }),
      ...(r.ttl_reread_share_above !== undefined && {
        ttlRereadShareAbove: r.ttl_reread_share_above,
      }),
      ...(r.semantic_hit_rate_below !== undefined && {
        semanticHitRateBelow: r.semantic_hit_rate_below,
      }),
    },
    monitoring:
      interval > 0
        ? {
            intervalSeconds: interval,
            thresholds: {
              ...(alerts.hit_rate_below !== undefined && { hitRateBelow: alerts.hit_rate_below }),
              ...(alerts.p95_latency_ms_above !== undefined && {
                p95LatencyMsAbove: alerts.p95_latency_ms_above,
              }),
              ...(alerts.error_rate_above !== undefined && {
                errorRateAbove: alerts.error_rate_above,
              }),
              ...(alerts.memory_bytes_above !== undefined && {
                memoryBytesAbove: alerts.memory_bytes_above,
              }),
            },
          }
        : undefined,
    dashboard:
      (dashboard.enabled ?? A.dashboard.enabled)
        ? { port: dashboard.port ?? A.dashboard.port, host: dashboard.host ?? A.dashboard.host }
        : undefined,
  };
}

/** The system a validated `cache:` section describes (undefined: the defaults). */
export function resolveCacheSection(
  section: CacheSection | undefined,
  source?: string,
): CacheSystemConfig {
  const s = section ?? {};
  const defaultTtl = s.invalidation?.default_ttl;
  const multiLevel = resolveMultiLevel(s.multi_level ?? {}, defaultTtl);
  const hasL2 = multiLevel.l2 !== undefined;
  const config: CacheSystemConfig = {
    multiLevel,
    shutdownOnSignals: s.shutdown_on_signals ?? CONFIG_DEFAULTS.shutdown_on_signals,
  };
  if (source !== undefined) config.source = source;
  const warming = resolveWarming(s.warming ?? {});
  const semantic = resolveSemantic(s.semantic ?? {}, defaultTtl, hasL2);
  const invalidation = resolveInvalidation(s.invalidation ?? {}, hasL2);
  const analytics = resolveAnalytics(s.analytics ?? {});
  if (warming) config.warming = warming;
  if (semantic) config.semantic = semantic;
  if (invalidation) config.invalidation = invalidation;
  if (analytics) config.analytics = analytics;
  return config;
}

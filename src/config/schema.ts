/**
 * The zod schema of the YAML `cache:` section (snake_case, as in the seed's profiles.yaml). It
 * checks shapes, types and ranges only; resolve.ts maps the result to the camelCase API and
 * applies the defaults of defaults.ts. The JSON Schema for editors is generated from it.
 */
import { z } from "zod";
import { InvalidationStrategy, type InvalidationStrategyName } from "../invalidation/types.js";
import { WarmingStrategy, type WarmingStrategyName } from "../warming/types.js";
import { CONFIG_DEFAULTS } from "./defaults.js";
import {
  bool,
  duration,
  expected,
  nonNegativeInteger,
  nonNegativeNumber,
  numberIn,
  oneOf,
  positiveInteger,
  section,
  stringMap,
  text,
  textList,
} from "./schema-fields.js";
import { multiLevelSchema } from "./schema-multilevel.js";

const W = CONFIG_DEFAULTS.warming;
const S = CONFIG_DEFAULTS.semantic;
const I = CONFIG_DEFAULTS.invalidation;
const A = CONFIG_DEFAULTS.analytics;

const WARMING_STRATEGIES = Object.values(WarmingStrategy) as [
  WarmingStrategyName,
  ...WarmingStrategyName[],
];
const INVALIDATION_STRATEGIES = Object.values(InvalidationStrategy) as [
  InvalidationStrategyName,
  ...InvalidationStrategyName[],
];

const warming = section(
  {
    enabled: bool({ description: "Build a CacheWarmer.", default: W.enabled }),
    strategy: oneOf(WARMING_STRATEGIES, {
      description: "How keys are ranked.",
      default: W.strategy,
    }),
    preload_count: nonNegativeInteger({
      description: "Most keys one run makes sure are in L1.",
      default: W.preload_count,
    }),
    warm_interval: duration({
      description: "Time between background runs.",
      default: W.warm_interval,
    }),
    recency_weight: numberIn(0, 1, {
      description: "Share of recency in the hybrid score.",
      default: W.recency_weight,
    }),
    background: bool({
      description: "start() runs warming now and every warm_interval.",
      default: W.background,
    }),
    max_keys: positiveInteger({
      description: "Most keys the access log remembers.",
      default: W.max_keys,
    }),
    half_life: duration({
      description: "Half-life of the decayed access frequency.",
      default: W.half_life,
    }),
    time_window: duration({
      description: "How far ahead time_based warming looks.",
      default: W.time_window,
    }),
    jitter: numberIn(0, 0.99, {
      description: "Share of warm_interval by which runs move.",
      default: W.jitter,
    }),
    loader_concurrency: positiveInteger({
      description: "Most loader calls in flight.",
      default: W.loader_concurrency,
    }),
    loader_rate: nonNegativeNumber({
      description: "Most loader calls started per second; 0 = no limit.",
      default: W.loader_rate,
    }),
    loader_timeout: duration({
      description: "A slower loader call is abandoned.",
      default: W.loader_timeout,
    }),
    persist: bool({
      description: "Keep the access log in L2 so warming works after a restart.",
      default: W.persist,
    }),
    persist_interval: duration({
      description: "How often background warming saves the access log.",
      default: W.persist_interval,
    }),
    persist_name: text({
      description: "Name of the saved access log (one per warmer sharing an L2).",
      default: W.persist_name,
    }),
  },
  "Cache warming (CacheWarmer).",
);

const PROVIDERS = ["hashing", "openai", "ollama", "transformers"] as const;

const embedder = section(
  {
    base_url: text({ description: "Server root (openai, ollama)." }),
    path: text({ description: "Request path under base_url (openai).", default: "/v1/embeddings" }),
    api_key: text({
      description: "API key (openai); `${OPENAI_API_KEY}` reads the environment.",
    }),
    api_key_header: oneOf(["authorization", "api-key"], {
      description: "Header that carries the key (openai; api-key for Azure).",
      default: "authorization",
    }),
    query: stringMap({ description: "Query parameters of every request (openai, Azure)." }),
    headers: stringMap({ description: "Extra request headers (openai, ollama)." }),
    dimensions: positiveInteger({ description: "Vector length; needed for unknown models." }),
    send_dimensions: bool({ description: "Send `dimensions` in the request (openai)." }),
    model_path: text({ description: "Local model folder (transformers); `~` expands." }),
    pooling: oneOf(["mean", "cls"], {
      description: "Token pooling (transformers).",
      default: "mean",
    }),
    dtype: oneOf(["fp32", "fp16", "q8", "int8", "uint8", "q4", "bnb4", "q4f16"], {
      description: "ONNX weights variant (transformers).",
      default: "fp32",
    }),
    truncate: bool({ description: "Let Ollama truncate long inputs (ollama).", default: true }),
    keep_alive: text({ description: "How long Ollama keeps the model loaded (ollama)." }),
    timeout: duration({ description: "Time limit of one request attempt.", default: "30s" }),
    max_retries: nonNegativeInteger({
      description: "Retries after a retryable failure.",
      default: 3,
    }),
    max_concurrency: positiveInteger({ description: "Requests in flight at once.", default: 4 }),
    cache_size: nonNegativeInteger({
      description: "Embeddings remembered by text.",
      default: 2000,
    }),
  },
  "Where embeddings come from. The model is semantic.embedding_model.",
  {
    provider: oneOf(PROVIDERS, {
      description:
        "hashing (offline), openai (any OpenAI-compatible server), ollama, transformers.",
    }),
  },
);

const semantic = section(
  {
    enabled: bool({ description: "Build a SemanticCache.", default: S.enabled }),
    similarity_threshold: numberIn(0, 1, {
      description: "Cosine similarity a stored request needs to answer a new one.",
      default: S.similarity_threshold,
    }),
    embedding_model: text({
      description:
        "The embedding model: hashing (offline default), an OpenAI model (text-embedding-*), or a model of embedder.provider.",
      default: S.embedding_model,
    }),
    embedder,
    max_size: positiveInteger({ description: "Entries held in memory.", default: S.max_size }),
    batch_size: positiveInteger({
      description: "Most texts per embedding request.",
      default: S.batch_size,
    }),
    ttl: duration({
      description:
        "Time to live of entries; 0 = never expire. Absent: invalidation.default_ttl, else 0.",
      default: S.ttl,
    }),
    namespace: text({ description: "Namespace of calls that name none.", default: S.namespace }),
    max_temperature: nonNegativeNumber({
      description: "Requests sampled hotter than this bypass the cache.",
      default: S.max_temperature,
    }),
    candidates: positiveInteger({
      description: "Nearest entries examined per lookup.",
      default: S.candidates,
    }),
    hnsw_threshold: positiveInteger({
      description: "Entries in one partition above which it becomes an HNSW graph.",
      default: S.hnsw_threshold,
    }),
    verifier: bool({
      description: "Check similar hits (numbers, negation, entities) before serving them.",
      default: S.verifier,
    }),
    persist: bool({
      description: "Keep entries in the L2 so they survive a restart.",
      default: S.persist,
    }),
  },
  "The semantic cache of LLM responses (SemanticCache).",
);

const refreshAhead = z
  .union(
    [
      z.boolean(),
      section(
        {
          at: numberIn(0.01, 0.99, { description: "Fraction of the TTL.", default: 0.8 }),
          min_accesses: positiveInteger({ description: "Reads to count as hot.", default: 2 }),
          window: duration({ description: "How far back reads count." }),
          concurrency: positiveInteger({ description: "Refreshes at once.", default: 4 }),
          max_tracked: positiveInteger({ description: "Entries tracked.", default: 10_000 }),
          check_interval: duration({
            description: "How often due refreshes are looked for.",
            default: "1s",
          }),
        },
        "Refresh-ahead options.",
      ),
    ],
    expected("true, false or a mapping with at, min_accesses, window, concurrency"),
  )
  .meta({ description: "Reload hot getOrSet entries before they expire.", default: false });

const invalidation = section(
  {
    enabled: bool({ description: "Build a CacheInvalidator.", default: I.enabled }),
    strategy: oneOf(INVALIDATION_STRATEGIES, {
      description: "ttl, event, manual or hybrid (ttl and event).",
      default: I.strategy,
    }),
    default_ttl: duration({
      description: "TTL of l1, l2 and semantic entries when those sections set no ttl.",
    }),
    enable_tagging: bool({ description: "Tags and invalidateTag.", default: I.enable_tagging }),
    enable_dependencies: bool({
      description: "The dependency graph and file watching.",
      default: I.enable_dependencies,
    }),
    persist_dependencies: bool({
      description: "Keep the dependency graph in L2 (default: when there is an L2).",
    }),
    watch_files: textList({
      description:
        "Files and folders watched from start() (strategy event or hybrid); `~` expands.",
    }),
    debounce: duration({
      description: "Quiet time before a changed file is checked.",
      default: I.debounce,
    }),
    cascade_concurrency: positiveInteger({
      description: "Most deletes in flight during one cascade.",
      default: I.cascade_concurrency,
    }),
    sweep_interval: duration({
      description: "How often expired graph entries are collected.",
      default: I.sweep_interval,
    }),
    refresh_ahead: refreshAhead,
  },
  "Invalidation (CacheInvalidator).",
);

const alerts = section(
  {
    hit_rate_below: numberIn(0, 1, { description: "Fire when the hit rate drops below this." }),
    p95_latency_ms_above: nonNegativeNumber({
      description: "Fire when p95 read latency (ms) exceeds this.",
    }),
    error_rate_above: numberIn(0, 1, { description: "Fire when the error rate exceeds this." }),
    memory_bytes_above: nonNegativeNumber({
      description: "Fire when memory (bytes) exceeds this.",
    }),
  },
  "Alert thresholds checked every monitoring_interval.",
);

const recommendations = section(
  {
    min_requests: positiveInteger({
      description: "Reads before any recommendation.",
      default: 1000,
    }),
    min_gain_points: nonNegativeNumber({
      description: "Smallest hit-rate gain worth a larger L1.",
      default: 5,
    }),
    l2_latency_ms_above: nonNegativeNumber({
      description: "L2 p95 (ms) called slow.",
      default: 25,
    }),
    hot_key_share_above: numberIn(0, 1, {
      description: "Hot-key share that counts as concentration.",
      default: 0.2,
    }),
    ttl_reread_share_above: numberIn(0, 1, {
      description: "Re-read share meaning a short TTL.",
      default: 0.25,
    }),
    semantic_hit_rate_below: numberIn(0, 1, {
      description: "Semantic hit rate prompting a threshold look.",
      default: 0.3,
    }),
  },
  "When recommendations speak up.",
);

const dashboard = section(
  {
    enabled: bool({
      description: "start() serves the dashboard and /metrics.",
      default: A.dashboard.enabled,
    }),
    port: z
      .int(expected("a port from 0 to 65535"))
      .min(0, expected("a port from 0 to 65535"))
      .max(65535, expected("a port from 0 to 65535"))
      .meta({ description: "TCP port; 0 picks a free one.", default: A.dashboard.port }),
    host: text({ description: "Interface to listen on.", default: A.dashboard.host }),
  },
  "The live dashboard (/, /api/stats, /metrics).",
);

const analytics = section(
  {
    enabled: bool({ description: "Build a CacheAnalytics.", default: A.enabled }),
    track_hot_keys: bool({ description: "Follow the most read keys.", default: A.track_hot_keys }),
    hot_key_window: positiveInteger({
      description: "Reads the hot-key window covers.",
      default: A.hot_key_window,
    }),
    hot_key_count: positiveInteger({ description: "Hot keys reported.", default: A.hot_key_count }),
    track_miss_ratio_curve: bool({
      description: "Estimate the L1 miss-ratio curve for size recommendations.",
      default: A.track_miss_ratio_curve,
    }),
    monitoring_interval: nonNegativeNumber({
      description: "Seconds between alert checks; 0 = no monitoring.",
      default: A.monitoring_interval,
    }),
    sample_interval: duration({
      description: "How often rates and the time series are sampled.",
      default: A.sample_interval,
    }),
    history_size: positiveInteger({
      description: "Snapshots kept for the time series.",
      default: A.history_size,
    }),
    alerts,
    recommendations,
    dashboard,
  },
  "Metrics, hot keys, recommendations, alerts and the dashboard (CacheAnalytics).",
);

/** The `cache:` section. */
export const cacheSectionSchema = section(
  {
    multi_level: multiLevelSchema,
    warming,
    semantic,
    invalidation,
    analytics,
    shutdown_on_signals: bool({
      description: "Close the whole system (flushing write-back) on SIGINT/SIGTERM.",
      default: CONFIG_DEFAULTS.shutdown_on_signals,
    }),
  },
  "victor-cache: the caching system of an AI agent.",
);

/**
 * A whole profiles.yaml: the `cache:` section is ours; other top-level sections belong to other
 * tools and are left alone.
 */
export const profilesFileSchema = z
  .looseObject({ cache: cacheSectionSchema.nullable().optional() })
  .meta({
    title: "victor-cache configuration (profiles.yaml)",
    description: "The `cache:` section configures victor-cache; other sections are ignored.",
  });

export type CacheSection = z.infer<typeof cacheSectionSchema>;
export type EmbedderSection = z.infer<typeof embedder>;
export type WarmingSection = z.infer<typeof warming>;
export type SemanticSection = z.infer<typeof semantic>;
export type InvalidationSection = z.infer<typeof invalidation>;
export type AnalyticsSection = z.infer<typeof analytics>;

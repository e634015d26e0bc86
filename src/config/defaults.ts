/**
 * The default configuration, in the YAML's snake_case: what a missing key means. It follows the
 * seed's example profile (an L1 of 1000 entries for 5 minutes over a file L2 of 10,000 for an
 * hour, hybrid warming, a semantic cache at 0.85, tagging and dependencies on), with the library's
 * own defaults where the seed names none. The schema shows these values to editors; the mapping
 * (resolve.ts) applies them.
 */
export const CONFIG_DEFAULTS = {
  multi_level: {
    enabled: true,
    l1: {
      type: "memory",
      max_size: 1000,
      max_bytes: 0,
      ttl: 300,
      sweep_interval: 60,
      clone: false,
    },
    l2: {
      type: "file",
      max_size: 10_000,
      max_bytes: 0,
      ttl: 3600,
      persistence_path: "~/.victor/cache_l2.lmdb",
      sweep_interval: 60,
      on_incompatible: "error",
      prefix: "victor:",
    },
    write_policy: "write_through",
    write_back: { interval: "1s", batch_size: 100, max_queue: 10_000, flush_on_signals: false },
    grace: 0,
    fail_safe: true,
    latency_sample_every: 32,
  },
  warming: {
    enabled: true,
    strategy: "hybrid",
    preload_count: 100,
    warm_interval: 300,
    recency_weight: 0.5,
    background: true,
    max_keys: 10_000,
    half_life: "1d",
    time_window: "1h",
    jitter: 0.1,
    loader_concurrency: 4,
    loader_rate: 20,
    loader_timeout: "10s",
    persist: true,
    persist_interval: "5m",
    persist_name: "default",
  },
  semantic: {
    enabled: true,
    similarity_threshold: 0.85,
    embedding_model: "hashing",
    max_size: 1000,
    batch_size: 64,
    ttl: 0,
    namespace: "default",
    max_temperature: 1,
    candidates: 4,
    hnsw_threshold: 10_000,
    verifier: true,
    persist: true,
  },
  invalidation: {
    enabled: true,
    strategy: "hybrid",
    enable_tagging: true,
    enable_dependencies: true,
    debounce: "100ms",
    cascade_concurrency: 32,
    sweep_interval: "30s",
  },
  analytics: {
    enabled: true,
    track_hot_keys: true,
    hot_key_window: 1000,
    hot_key_count: 10,
    track_miss_ratio_curve: true,
    monitoring_interval: 60,
    sample_interval: 1,
    history_size: 300,
    dashboard: { enabled: false, port: 9464, host: "127.0.0.1" },
  },
  shutdown_on_signals: false,
} as const;

/** Where `loadConfig()` looks when given no path. */
export const DEFAULT_CONFIG_PATH = "~/.victor/profiles.yaml";

export { CacheAnalytics } from "./cache-analytics.js";
export type {
  AnalyticsEvents,
  AnalyticsEventSource,
  AnalyticsSource,
  CacheAnalyticsOptions,
  ComprehensiveStats,
  LatencySummary,
  MissRatioCurveReport,
  NamespaceReport,
  OperationCounts,
  RateReport,
  RecommendationOptions,
  SemanticReport,
  SemanticSource,
  TierReport,
} from "./types.js";
export type {
  Alert,
  AlertName,
  AlertThresholds,
  Hysteresis,
  MonitoringOptions,
} from "./monitor.js";
export type { Recommendation, RecommendationKind } from "./recommendations.js";
export type { HotKey } from "./hot-keys.js";
export type { HistorySeries } from "./history.js";
export { timerScheduler, type Scheduler } from "./scheduler.js";
export { ShardsMrc } from "./shards.js";
export { METRIC_LABELS, LATENCY_BUCKETS_SECONDS } from "./prometheus.js";

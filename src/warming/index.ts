export { CacheWarmer } from "./cache-warmer.js";
export { AccessLog, AccessRecord } from "./access-log.js";
export type { AccessLogSnapshot, AccessRow } from "./access-log.js";
export { WARMING_NAMESPACE } from "./access-log-store.js";
export { WarmingStrategy } from "./types.js";
export type {
  WarmingStrategyName,
  WarmingConfig,
  WarmingLoader,
  WarmableCache,
  AccessLogOptions,
  CacheWarmerOptions,
  WarmSource,
  RunReason,
  WarmRunResult,
  CacheWarmerStats,
  CacheWarmerEvents,
} from "./types.js";

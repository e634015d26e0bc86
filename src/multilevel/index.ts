export { MultiLevelCache } from "./multilevel-cache.js";
export type { Loader } from "./load-path.js";
export { L1HitTally, LIST_EVERY_HIT, talliedIn } from "./hit-tally.js";
export { WritePolicy } from "./types.js";
export type {
  WritePolicyName,
  Tier,
  CallOptions,
  SetOptions,
  GetOrSetOptions,
  AccessResult,
  CacheEvents,
  ReadObserver,
  TierStats,
  MultiLevelCacheStats,
  MultiLevelCacheOptions,
  WriteBackOptions,
  DistributedLockOptions,
  BusConfig,
  L2Config,
} from "./types.js";
export { EvictionPolicy, type EvictionPolicyName } from "../eviction/policy.js";

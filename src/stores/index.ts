export {
  MemoryStore,
  type MemoryStoreEvents,
  type MemoryStoreStats,
  type EvictionReason,
  SLOT_TIMES_STRIDE,
  slotCounterIndex,
} from "./memory.js";
export type { MemoryStoreOptions } from "./memory-options.js";
export type { CacheStore, StoreEntry, NamespacedKey } from "./store.js";
export { LmdbStore, type LmdbStoreOptions, type LmdbStoreStats } from "./lmdb.js";
export {
  RedisStore,
  type RedisStoreOptions,
  type RedisStoreStats,
  type RedisStoreEvents,
} from "./redis.js";
export {
  GuardedStore,
  isStoreFailure,
  type GuardedStoreOptions,
  type GuardedStoreEvents,
} from "./guarded-store.js";
export {
  CircuitBreaker,
  CircuitState,
  CacheCircuitOpenError,
  type CircuitBreakerOptions,
  type CircuitBreakerEvents,
} from "./circuit-breaker.js";
export { RedisLock, loadWithLock, type RedisLockOptions, type LockHandle } from "./redis-lock.js";

/**
 * Builds the L2 (and the loader lock) a cache's config names. A config-built L2 is wrapped in a
 * GuardedStore (timeout + circuit breaker) unless `guard: false`; a CacheStore passed in is used
 * as given.
 */
import type { Clock } from "../core/clock.js";
import { optionalMillis } from "../core/duration.js";
import { GuardedStore } from "../stores/guarded-store.js";
import { LmdbStore } from "../stores/lmdb.js";
import { RedisLock } from "../stores/redis-lock.js";
import { RedisStore } from "../stores/redis.js";
import type { CacheStore } from "../stores/store.js";
import type { DistributedLockOptions, L2Config, MultiLevelCacheOptions } from "./types.js";

/**
 * The store an L2 config names. `onError` receives failures of the store's background work
 * (LMDB sweeps), which have no caller to reject.
 */
export function createL2(
  config: L2Config,
  clock: Clock,
  onError: (operation: string, error: unknown) => void,
): CacheStore {
  let store: CacheStore;
  let guard = config.guard;
  if (config.type === "redis") {
    const { type: _type, ttl: _ttl, guard: _guard, ...options } = config;
    store = new RedisStore({ clock, ...options }, "l2");
    guard ??= {};
  } else {
    const { type: _type, ttl: _ttl, guard: _guard, ...options } = config;
    store = new LmdbStore({
      clock,
      onBackgroundError: (error) => onError("background", error),
      ...options,
      configPath: "l2.",
    });
  }
  if (guard === undefined || guard === false) return store;
  return new GuardedStore(store, guard, "l2.guard");
}

/** The inner store of a guarded one, for what only the real store can tell (its stats). */
export function unguarded(store: CacheStore): CacheStore {
  return store instanceof GuardedStore ? store.inner : store;
}

export interface LockSetup {
  lock: RedisLock;
  owned: boolean;
  ttlMs: number;
  waitMs: number;
}

/** The lock for `distributedLock: true`: given, configured, or on the Redis L2's server. */
export function createLock(options: MultiLevelCacheOptions): LockSetup | undefined {
  const option = options.distributedLock;
  if (option instanceof RedisLock)
    return { lock: option, owned: false, ttlMs: 10_000, waitMs: 10_000 };
  let config: DistributedLockOptions | undefined = option;
  if (config === undefined) {
    const l2 = options.l2 as L2Config | undefined;
    if (l2?.type !== "redis") return undefined;
    const { url, cluster, commandTimeout, connectTimeout, clientOptions } = l2;
    config = { url, cluster, commandTimeout, connectTimeout, clientOptions };
  }
  const { ttl, wait, ...lockOptions } = config;
  return {
    lock: new RedisLock(lockOptions, "distributedLock"),
    owned: true,
    ttlMs: Math.max(1, optionalMillis(ttl, "distributedLock.ttl", 10_000)),
    waitMs: optionalMillis(wait, "distributedLock.wait", 10_000),
  };
}

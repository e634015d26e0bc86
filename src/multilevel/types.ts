/**
 * The MultiLevelCache contract: options, per-call options, events and stats. Analytics, warming
 * and invalidation code against these types and the cache's public methods only.
 */
import type { Clock } from "../core/clock.js";
import type { Duration } from "../core/duration.js";
import type { MemoryStoreOptions } from "../stores/memory-options.js";
import type { InvalidationBus } from "../bus/bus.js";
import type { MemoryBusHub } from "../bus/memory.js";
import type { RedisBusOptions } from "../bus/redis.js";
import type { GuardedStoreOptions } from "../stores/guarded-store.js";
import type { LmdbStoreOptions } from "../stores/lmdb.js";
import type { RedisLock, RedisLockOptions } from "../stores/redis-lock.js";
import type { RedisStoreOptions } from "../stores/redis.js";
import type { CacheStore } from "../stores/store.js";
import type { L1HitTally } from "./hit-tally.js";

/** How writes reach the tiers, as lowercase strings so YAML and code agree. */
export const WritePolicy = {
  /** Both tiers, awaited. */
  WRITE_THROUGH: "write_through",
  /** L1 now; L2 in batches by interval and batch size, from a bounded queue. */
  WRITE_BACK: "write_back",
  /** L2 only; L1 is filled on read. */
  WRITE_AROUND: "write_around",
} as const;
export type WritePolicyName = (typeof WritePolicy)[keyof typeof WritePolicy];

/** Which tier answered or was touched. */
export type Tier = "l1" | "l2";

/** Options of one call. */
export interface CallOptions {
  /** The namespace; part of the key everywhere. @default "default" */
  namespace?: string;
}

export interface SetOptions extends CallOptions {
  /**
   * Time to live of this entry in every tier: seconds or a duration string ("90s", "5m").
   * 0 or absent = each tier's default (`l1.ttl`, `l2.ttl`).
   * @default 0
   */
  ttl?: Duration;
  /** Tags for `invalidateTag`, kept by every tier. @default none */
  tags?: readonly string[];
  /**
   * After expiry, keep the value this long and serve it when a `getOrSet` loader fails
   * (stale-if-error): seconds or a duration string. A stale value is never returned by `get`.
   * Overrides the cache's `grace`. @default the cache's `grace`
   */
  grace?: Duration;
}

export interface GetOrSetOptions extends SetOptions {
  /**
   * Run the loader once across processes with a Redis lock (a Redis L2 or the cache's
   * `distributedLock` option). Needs write-through or write-around, so waiters find the value in L2.
   * @default false
   */
  distributedLock?: boolean;
}

/** What a read found. `stale` = a grace value served because the loader failed. */
export type AccessResult = "l1_hit" | "l2_hit" | "miss" | "stale";

/**
 * Sees every `get`/`getOrSet` read as plain arguments: for recorders that run on every read
 * (CacheAnalytics), which the `access` event's payload and listener loop would slow down. Added
 * with `MultiLevelCache.observeReads`. `onRead` must not keep references past the call, and
 * should not throw: a throw is rethrown asynchronously (like a listener's), never to the reader.
 */
export interface ReadObserver {
  /**
   * @param durationUs the read's duration in whole microseconds, timed like `access` (one L1 hit
   *   in `latencySampleEvery`, every read below L1), -1 when not timed. An integer (at most
   *   2^30 - 1) rather than `access`'s milliseconds: V8 passes a small integer as it is, where a
   *   fractional number is boxed in a heap object on every call the compiler does not inline.
   * @param l1Slot the L1 slot that answered an `l1_hit`, -1 for other results (as `access.l1Slot`)
   */
  onRead(
    key: string,
    namespace: string,
    result: AccessResult,
    durationUs: number,
    l1Slot: number,
  ): void;

  /**
   * Optional: offers the observer an {@link L1HitTally} while it is the cache's only read observer
   * (undefined when it stops being one, or stops observing). While it holds one, L1 hits from
   * slots it armed are added to the tally instead of calling {@link onRead}; when offered
   * undefined, it takes what the tally holds and leaves every count at 0.
   */
  tallyHits?(tally: L1HitTally | undefined): void;
}

/**
 * Events of a MultiLevelCache. Payloads of `access` are reused between calls to keep the hot
 * path free of allocation: read them inside the listener, never keep a reference.
 */
export type CacheEvents = {
  /**
   * Every `get`/`getOrSet` lookup. `durationMs` is the read's duration in ms, measured only while
   * someone listens and, for L1 hits, only on about one in `latencySampleEvery` (32): `NaN` on
   * the others (test with `durationMs >= 0`). Reads answered below L1 always carry a duration.
   * `l1Slot` is the L1 slot that answered an `l1_hit` (see `MemoryStore.lookup`), -1 for other
   * results: a listener may key per-key state by it to skip a Map lookup, comparing the key first,
   * since a slot is reused once its entry leaves L1.
   */
  access: {
    key: string;
    namespace: string;
    result: AccessResult;
    durationMs: number;
    l1Slot?: number;
  };
  set: { key: string; namespace: string; tags: readonly string[] | undefined; expiresAt: number };
  delete: { key: string; namespace: string };
  clear: { namespace: string | undefined };
  /** An entry left a tier because of a cap. */
  evict: { key: string; namespace: string; tier: Tier; reason: string };
  expire: { key: string; namespace: string; tier: Tier };
  promote: { key: string; namespace: string };
  demote: { key: string; namespace: string };
  /**
   * A loader ran (`getOrSet` miss, refresh). `loader` and `options` are the call's, so that a
   * subscriber (refresh-ahead in the invalidator) can run the same load again later.
   */
  load: {
    key: string;
    namespace: string;
    durationMs: number;
    error: unknown;
    loader?: () => unknown;
    options?: GetOrSetOptions;
  };
  /** An L2 operation failed; in fail-safe mode the call degraded instead of failing. */
  error: { tier: Tier; operation: string; error: unknown };
  /** Tag invalidation through `invalidateTag`. */
  invalidateTag: { tag: string; removed: number };
  /**
   * A write-back batch reached L2 (`error` undefined) or failed (`error` set; the batch is queued
   * again). `batch` lists the entries written; it is only built while someone listens.
   */
  flush: {
    entries: number;
    durationMs: number;
    error: unknown;
    batch: readonly { key: string; namespace: string }[];
  };
};

export interface TierStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 when nothing was read. */
  hitRate: number;
  /** Entries held; -1 when the tier cannot report it (a Redis or custom L2). */
  size: number;
  /** Entries evicted by the tier's caps; -1 when the tier cannot report it. */
  evictions: number;
}

export interface MultiLevelCacheStats {
  l1: TierStats;
  l2: (TierStats & { errors: number }) | undefined;
  /** Reads answered by either tier / all reads. 0..1 */
  combinedHitRate: number;
  hits: number;
  misses: number;
  promotions: number;
  demotions: number;
  staleServed: number;
  loads: number;
  loadErrors: number;
  writeBackQueueDepth: number;
  /** Write-back or write-through L2 writes that were dropped (queue full, L2 down). */
  droppedWrites: number;
  /** Write-back batches written to L2. */
  flushes: number;
  /** Entries written to L2 by write-back batches. */
  flushedEntries: number;
}

/** Write-back tuning; only read when `writePolicy` is `"write_back"`. */
export interface WriteBackOptions {
  /**
   * How often queued writes are flushed to L2: seconds or a duration string. Bounds the window
   * of writes a crash can lose (see docs/multilevel.md for the measured window).
   * @default "1s"
   */
  interval?: Duration;
  /** Most entries per L2 batch; a queue this long is flushed at once, before the interval. @default 100 */
  batchSize?: number;
  /**
   * Most writes waiting for L2. A `set` that finds the queue full waits for a flush
   * (back-pressure); when that flush fails (L2 down), the oldest queued writes are dropped and
   * counted in `droppedWrites`, so a dead L2 can never grow memory without bound.
   * @default 10000
   */
  maxQueue?: number;
  /**
   * Flush the queue when the process receives SIGINT or SIGTERM, then let the signal take its
   * default course (exit) unless the application listens to it too. Off by default because a
   * library should not change what a signal does unless asked.
   * @default false
   */
  flushOnSignals?: boolean;
}

/** Options of the multilevel cache (see docs/multilevel.md). */
export interface MultiLevelCacheOptions {
  /** The in-memory tier. @default { maxSize: 1000 } */
  l1?: MemoryStoreOptions & { type?: "memory" };
  /**
   * The persistent tier: an LMDB folder, a Redis server, or any CacheStore. Absent = L1 only.
   * A store built from a config object is closed by `close()`; a CacheStore instance passed in
   * belongs to the caller and is left open.
   */
  l2?: L2Config | CacheStore;
  /** @default "write_through" */
  writePolicy?: WritePolicyName;
  /** Write-back batching and queue bound. */
  writeBack?: WriteBackOptions;
  /**
   * Default grace (stale-if-error) of every entry: after its TTL the value is kept this long and
   * served by `getOrSet` when the loader fails. Seconds or a duration string; 0 = no grace.
   * @default 0
   */
  grace?: Duration;
  /**
   * An L2 failure (I/O, timeout, open circuit) never fails a call: it is counted
   * (`l2.errors`), emitted as `error`, and the call degrades to L1 or the loader; a failed L2
   * write is counted in `droppedWrites`. Caller errors (bad key, value that cannot be encoded)
   * are always thrown. With `false`, L2 failures reject the call.
   * @default true
   */
  failSafe?: boolean;
  /**
   * Cross-process invalidation: with several processes sharing an L2, each publishes its changes
   * and drops from L1 what the others changed (and all of L1 after a reconnect). A bus built from
   * a config is closed by `close()`; an InvalidationBus instance passed in is left open.
   * @default none
   */
  bus?: BusConfig | InvalidationBus;
  /**
   * The lock behind `getOrSet(..., { distributedLock: true })`: a RedisLock, or options for one.
   * With a Redis L2 and no option, a lock on the L2's server is used.
   * @default none (a Redis L2's server when l2.type is "redis")
   */
  distributedLock?: DistributedLockOptions | RedisLock;
  /**
   * While anyone listens to `access` or observes reads, time one read in this many, counted in reads (1 = every
   * read): the `access` of an L1 hit in between carries `durationMs: NaN`. Timing a read takes two
   * `performance.now()` calls (about 60 ns each on a VM), which cost about as much as an L1 hit
   * itself. Reads that go below L1 are always timed (from the L1 miss on when not picked, which
   * leaves out the L1 lookup's fraction of a microsecond). A countdown picks the reads, not a
   * random draw.
   * @default 32
   */
  latencySampleEvery?: number;
  /** Clock for every TTL and window. @default systemClock */
  clock?: Clock;
}

/** Options of the cross-process loader lock. */
export interface DistributedLockOptions extends RedisLockOptions {
  /**
   * How long a holder that died blocks the others: seconds or a duration string. The holder
   * renews it every ttl/2 while its loader runs, so a slow loader keeps it.
   * @default "10s"
   */
  ttl?: Duration;
  /**
   * Longest wait for another process's load before loading here as well: seconds or a duration
   * string.
   * @default "10s"
   */
  wait?: Duration;
}

/** The built-in invalidation buses. */
export type BusConfig =
  ({ type: "redis" } & RedisBusOptions) | { type: "memory"; hub?: MemoryBusHub };

/** The built-in L2 kinds. */
export type L2Config =
  | ({
      type: "file" | "lmdb";
      /** Folder of the LMDB environment, created when missing; `~` is expanded. Required. */
      path: string;
      /** Most entries kept; the least recently used are evicted beyond it. @default 0 (no cap) */
      maxSize?: number;
      /** Default TTL of L2 entries: seconds or a duration string. @default 0 (none) */
      ttl?: Duration;
      /**
       * Timeout and circuit breaker around every L2 call, or false for none. Off by default for
       * a local LMDB file, whose calls take microseconds and rarely fail transiently.
       * @default false
       */
      guard?: GuardedStoreOptions | false;
    } & Omit<LmdbStoreOptions, "path" | "maxSize" | "clock" | "configPath">)
  | ({
      type: "redis";
      /** `redis://` or `rediss://` URL (may carry user and password). Required unless `cluster`. */
      url: string;
      /** Prepended to every Redis key. @default "victor:" */
      prefix?: string;
      /** Default TTL of L2 entries: seconds or a duration string. @default 0 (none) */
      ttl?: Duration;
      /**
       * Timeout and circuit breaker around every L2 call, or false for none: a dead Redis then
       * costs each call at most the timeout, and nothing once the circuit opens.
       * @default {} (timeout "500ms", default breaker)
       */
      guard?: GuardedStoreOptions | false;
    } & Omit<RedisStoreOptions, "type" | "url" | "prefix">);

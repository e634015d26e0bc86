/**
 * The eviction interface. Policies never see keys or values: the store gives each live entry a
 * small integer slot and tells the policy what happens to it. That keeps the hot path free of
 * allocation (typed arrays indexed by slot, as lru-cache does) and lets the same policy drive the
 * memory tier, the trace simulator and the CLI's `bench`.
 */

/** Eviction policies, as lowercase strings so YAML and code agree. */
export const EvictionPolicy = {
  LRU: "lru",
  LFU: "lfu",
  FIFO: "fifo",
  TTL: "ttl",
  W_TINYLFU: "w_tinylfu",
  S3FIFO: "s3fifo",
  SIEVE: "sieve",
} as const;
export type EvictionPolicyName = (typeof EvictionPolicy)[keyof typeof EvictionPolicy];

export const EVICTION_POLICY_NAMES: readonly EvictionPolicyName[] = Object.values(EvictionPolicy);

/**
 * A policy over slots `0 .. capacity` (inclusive: the store inserts the new entry first and then
 * asks for a victim, so `capacity + 1` slots can be live for a moment).
 *
 * Contract, checked by the model-based tests:
 * - `insert` is called once per slot between removals; `access`, `update` and `remove` only for
 *   live slots.
 * - `evict()` is only called when `size > 0`; it forgets the slot it returns (the store must not
 *   call `remove` for it). It may return the slot just inserted when the policy declines to admit
 *   it (W-TinyLFU).
 */
export interface EvictionPolicyImpl {
  readonly name: EvictionPolicyName;
  /** Live slots tracked by the policy; always equals the store's entry count. */
  readonly size: number;
  /**
   * True when the policy needs a key hash on `insert` and `miss` (frequency sketches, ghost
   * queues). The store only hashes keys when it is set, so other policies pay nothing for it.
   */
  readonly usesKeyHash: boolean;
  /** A new entry. `hash`: 32-bit key hash (0 when `usesKeyHash` is false). `expiresAt`: epoch ms, 0 = never. */
  insert(slot: number, hash: number, expiresAt: number): void;
  /** A read hit on a live slot. */
  access(slot: number): void;
  /** A live slot's value was replaced; `expiresAt` may have changed. */
  update(slot: number, expiresAt: number): void;
  /** A read miss for a key with this hash; only called when `usesKeyHash`. */
  miss(hash: number): void;
  /** The store dropped the slot itself (delete, expiry, clear of one namespace). */
  remove(slot: number): void;
  /** Chooses a victim, forgets it and returns its slot. */
  evict(): number;
  /** Forgets every slot. */
  clear(): void;
}

/** What every policy factory receives. */
export interface EvictionPolicyOptions {
  /** Entries the cache holds at most (the store's `maxSize`). Slots run from 0 to `capacity`. */
  capacity: number;
}

/**
 * The policy the memory tier uses when none is configured: W-TinyLFU with its ghost-tuned
 * window, the closest to the best policy across `bench/hit-ratio` (see docs/eviction.md for why).
 */
export const DEFAULT_EVICTION_POLICY: EvictionPolicyName = EvictionPolicy.W_TINYLFU;

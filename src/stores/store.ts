/**
 * The contract every tier implements: the memory L1, the LMDB and Redis L2s, and any store a
 * user writes. `victor-cache/testing` exports a conformance suite that checks it.
 *
 * Keys come first and the namespace second, as in the public cache API; the namespace is part of
 * the identity of an entry everywhere (`clear(namespace)` removes exactly that namespace).
 */

/** What a store keeps per key. */
export interface StoreEntry<V = unknown> {
  value: V;
  /** Epoch milliseconds after which the entry is gone; 0 = never expires. */
  expiresAt: number;
  /**
   * Epoch milliseconds after which the value is stale but may still be served if its loader
   * fails (grace, stale-if-error). Stores carry it and never interpret it. Absent = no grace.
   */
  staleAt?: number;
  /** Tags for group invalidation; carried with the entry by every store. */
  tags?: readonly string[];
}

/** A key inside a namespace, as listed by {@link CacheStore.keys}. */
export interface NamespacedKey {
  namespace: string;
  key: string;
}

export interface CacheStore {
  /** Short name for stats, logs and metrics labels: `memory`, `lmdb`, `redis`. */
  readonly name: string;
  /** The live entry, or `undefined` when absent or expired. */
  get(key: string, namespace: string): Promise<StoreEntry | undefined>;
  /**
   * Stores or replaces the entry. Throws a `CacheSerializationError` for values the store cannot
   * encode, leaving whatever was stored under the key untouched.
   */
  set(key: string, namespace: string, entry: StoreEntry): Promise<void>;
  /** Resolves true when a live entry was removed. */
  delete(key: string, namespace: string): Promise<boolean>;
  has(key: string, namespace: string): Promise<boolean>;
  /** Removes every entry of `namespace`, or of every namespace when it is omitted. */
  clear(namespace?: string): Promise<void>;
  /** One result per key, in order. */
  getMany(keys: readonly string[], namespace: string): Promise<(StoreEntry | undefined)[]>;
  setMany(
    entries: readonly (readonly [key: string, entry: StoreEntry])[],
    namespace: string,
  ): Promise<void>;
  /** Removes every live entry carrying `tag`, in every namespace; resolves to the number removed. */
  deleteTag(tag: string): Promise<number>;
  /** Lists live keys, of one namespace or of all. Order is unspecified. */
  keys(namespace?: string): AsyncIterable<NamespacedKey>;
  /** Releases connections and file handles; flushes what the store buffers. Idempotent. */
  close(): Promise<void>;
}

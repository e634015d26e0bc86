import { assertKey } from "../core/keys.js";
import {
  CacheClosedError,
  CacheEntryTooLargeError,
  CacheSerializationError,
} from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { createEvictionPolicy } from "../eviction/factory.js";
import { hashString } from "../eviction/hash.js";
import type { EvictionPolicyImpl } from "../eviction/policy.js";
import { checkMemoryInvariants } from "./memory-invariants.js";
import {
  resolveMemoryOptions,
  type MemoryStoreOptions,
  type ResolvedMemoryOptions,
} from "./memory-options.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "./store.js";

/** Numbers per slot in the store's times: expiry, stale time, a caller's count, one spare. */
export const SLOT_TIMES_STRIDE = 4;

/** Where slot `slot`'s count is in {@link MemoryStore.slotCounters}. */
export function slotCounterIndex(slot: number): number {
  return slot * SLOT_TIMES_STRIDE + 2;
}

/** Why an entry left because of a cap: the entry count (`capacity`) or `maxBytes` (`bytes`). */
export type EvictionReason = "capacity" | "bytes";

export type MemoryStoreEvents = {
  set: NamespacedKey;
  delete: NamespacedKey;
  expire: NamespacedKey;
  evict: NamespacedKey & { reason: EvictionReason; entry: StoreEntry };
  clear: { namespace: string | undefined };
};

export interface MemoryStoreStats {
  size: number;
  bytes: number;
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  evictions: number;
  expirations: number;
}

/**
 * The in-memory tier (L1). Its core is synchronous (`lookup`, `getSync`, `setSync`, ...), so the
 * async layers above pay a single promise; the `CacheStore` methods wrap it.
 *
 * Entries live in parallel arrays indexed by slot, and the eviction policy sees only slots, so a
 * hit allocates nothing. Namespaces are nested maps rather than composed key strings, which keeps
 * a lookup free of string concatenation and makes `clear(namespace)` proportional to that
 * namespace alone.
 */
export class MemoryStore implements CacheStore {
  readonly name = "memory";
  readonly events = new TypedEmitter<MemoryStoreEvents>();
  readonly options: ResolvedMemoryOptions;

  private readonly index = new Map<string, Map<string, number>>();
  /**
   * The namespace of the latest index lookup and its key map (or undefined), so that calls in one
   * namespace cost one Map lookup instead of two. Kept in step wherever `index` changes.
   */
  private lastNamespace: string | undefined;
  private lastSlots: Map<string, number> | undefined;
  private readonly policy: EvictionPolicyImpl;
  private readonly keyOf: (string | undefined)[];
  private readonly namespaceOf: string[];
  private readonly values: unknown[];
  /**
   * Per slot, {@link SLOT_TIMES_STRIDE} numbers: expiry, stale time, and the count of
   * {@link slotCounters}. A hit reads the first two, so a count kept there costs no other cache
   * line.
   */
  private readonly times: Float64Array;
  private readonly sizes: Float64Array | undefined;
  private readonly tagsOf: (readonly string[] | undefined)[];
  private tagIndex: Map<string, Set<number>> | undefined;
  private readonly freeSlots: Int32Array;
  private freeCount: number;
  private count = 0;
  private byteTotal = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private hits = 0;
  private misses = 0;
  private sets = 0;
  private deletes = 0;
  private evictions = 0;
  private expirations = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.options = resolveMemoryOptions(options);
    const { maxSize, maxBytes, evictionPolicy, path } = this.options;
    this.policy = createEvictionPolicy(
      evictionPolicy,
      { capacity: maxSize },
      `${path}evictionPolicy`,
    );
    const slots = maxSize + 1;
    this.keyOf = new Array<string | undefined>(slots).fill(undefined);
    this.namespaceOf = new Array<string>(slots).fill("");
    this.values = new Array<unknown>(slots).fill(undefined);
    this.tagsOf = new Array<readonly string[] | undefined>(slots).fill(undefined);
    this.times = new Float64Array(slots * SLOT_TIMES_STRIDE);
    this.sizes = maxBytes > 0 ? new Float64Array(slots) : undefined;
    this.freeSlots = new Int32Array(slots);
    for (let i = 0; i < slots; i++) this.freeSlots[i] = slots - 1 - i;
    this.freeCount = slots;
  }

  /** Live entries (expired ones not yet swept included). */
  get size(): number {
    return this.count;
  }

  /**
   * One count per slot, at `slotCounterIndex(slot)`, for a caller that counts something per entry
   * by slot (L1 hits, see MultiLevelCache's L1HitTally); the array's other elements are the
   * store's own, never to be written. The counts sit beside each entry's expiry and stale time,
   * which every hit reads, so counting a hit touches no other cache line. When an entry leaves, a
   * count above 0 is negated: the caller still finds what the entry left with, and knows that
   * whatever the slot holds next is another entry. Counts start at 0.
   */
  slotCounters(): Float64Array {
    return this.times;
  }

  /** Bytes accounted against `maxBytes` (0 when no byte cap is set). */
  get bytes(): number {
    return this.byteTotal;
  }

  /**
   * Finds a live entry and records the access: returns its slot, or -1 on a miss. An expired
   * entry is removed here. Read the entry with `valueAt`, `expiresAtOf`, `staleAtOf`, `tagsAt`
   * before the next write, which may reuse the slot.
   */
  lookup(key: string, namespace: string): number {
    const slot = this.slotsOf(namespace)?.get(key);
    if (slot === undefined) {
      this.misses++;
      if (this.policy.usesKeyHash) this.policy.miss(keyHash(key, namespace));
      return -1;
    }
    const expires = this.expiresAtOf(slot);
    if (expires !== 0 && expires <= this.options.clock.now()) {
      this.removeSlot(slot, true);
      this.expirations++;
      if (this.events.hasListeners("expire")) this.events.emit("expire", { key, namespace });
      this.misses++;
      return -1;
    }
    this.hits++;
    this.policy.access(slot);
    return slot;
  }

  /** Like `lookup`, without touching the policy or counters; expired entries count as absent. */
  peek(key: string, namespace: string): number {
    const slot = this.slotsOf(namespace)?.get(key);
    if (slot === undefined) return -1;
    const expires = this.expiresAtOf(slot);
    return expires !== 0 && expires <= this.options.clock.now() ? -1 : slot;
  }

  valueAt(slot: number): unknown {
    const value = this.values[slot];
    return this.options.clone ? structuredClone(value) : value;
  }
  expiresAtOf(slot: number): number {
    return this.times[slot * SLOT_TIMES_STRIDE];
  }
  /** 0 when the entry has no grace period. */
  staleAtOf(slot: number): number {
    return this.times[slot * SLOT_TIMES_STRIDE + 1];
  }
  tagsAt(slot: number): readonly string[] | undefined {
    return this.tagsOf[slot];
  }

  /** The value, or `undefined` on a miss. */
  getSync(key: string, namespace: string): unknown {
    const slot = this.lookup(key, namespace);
    return slot === -1 ? undefined : this.valueAt(slot);
  }

  /**
   * Stores a value. `expiresAt` is epoch milliseconds (0 = never; omitted = the store's `ttl`).
   * Throws before changing anything when the value is `undefined` or larger than `maxBytes`.
   */
  setSync(
    key: string,
    namespace: string,
    value: unknown,
    expiresAt?: number,
    tags?: readonly string[],
    staleAt = 0,
  ): void {
    if (this.closed) throw new CacheClosedError("memory store");
    assertKey(key);
    assertKey(namespace, "namespace");
    if (value === undefined) {
      throw new CacheSerializationError(
        key,
        "undefined cannot be cached: it is what a miss returns",
      );
    }
    const { clone, maxBytes, ttlMs, clock } = this.options;
    const stored = clone ? structuredClone(value) : value;
    const size = this.sizes ? this.measure(stored, key) : 0;
    const expires = expiresAt ?? (ttlMs > 0 ? clock.now() + ttlMs : 0);

    let slots = this.slotsOf(namespace);
    let slot = slots?.get(key);
    if (slot !== undefined) {
      if (this.sizes) {
        this.byteTotal += size - this.sizes[slot];
        this.sizes[slot] = size;
      }
      this.values[slot] = stored;
      this.setTags(slot, tags);
      this.policy.update(slot, expires);
    } else {
      slot = this.freeSlots[--this.freeCount];
      if (!slots) {
        this.index.set(namespace, (slots = new Map()));
        this.lastSlots = slots;
      }
      slots.set(key, slot);
      this.keyOf[slot] = key;
      this.namespaceOf[slot] = namespace;
      this.values[slot] = stored;
      if (this.sizes) {
        this.sizes[slot] = size;
        this.byteTotal += size;
      }
      this.setTags(slot, tags);
      this.count++;
      this.policy.insert(slot, this.policy.usesKeyHash ? keyHash(key, namespace) : 0, expires);
    }
    this.setTimes(slot, expires, staleAt);
    if (expires !== 0 && this.sweepTimer === undefined) this.startSweep();
    this.sets++;
    while (this.count > this.options.maxSize) this.evictOne("capacity");
    while (maxBytes > 0 && this.byteTotal > maxBytes) this.evictOne("bytes");
    if (this.events.hasListeners("set")) this.events.emit("set", { key, namespace });
  }

  deleteSync(key: string, namespace: string): boolean {
    const slot = this.slotsOf(namespace)?.get(key);
    if (slot === undefined) return false;
    const expires = this.expiresAtOf(slot);
    if (expires !== 0 && expires <= this.options.clock.now()) {
      // Gone already, so not "deleted"; freed here, or a later capacity eviction would report it.
      this.removeSlot(slot, true);
      this.expirations++;
      if (this.events.hasListeners("expire")) this.events.emit("expire", { key, namespace });
      return false;
    }
    this.removeSlot(slot, true);
    this.deletes++;
    if (this.events.hasListeners("delete")) this.events.emit("delete", { key, namespace });
    return true;
  }

  clearSync(namespace?: string): void {
    const namespaces =
      namespace === undefined ? [...this.index.values()] : [this.index.get(namespace)];
    for (const slots of namespaces) {
      if (slots) for (const slot of [...slots.values()]) this.removeSlot(slot, true);
    }
    this.events.emit("clear", { namespace });
  }

  /** Removes every live entry carrying `tag`; returns how many. */
  deleteTagSync(tag: string): number {
    const slots = this.tagIndex?.get(tag);
    if (!slots) return 0;
    const now = this.options.clock.now();
    let removed = 0;
    for (const slot of [...slots]) {
      const expires = this.expiresAtOf(slot);
      if (expires === 0 || expires > now) removed++;
      this.removeSlot(slot, true);
    }
    this.deletes += removed;
    return removed;
  }

  /** Frees every expired entry now; the periodic sweep calls this. Returns how many. */
  sweep(): number {
    const now = this.options.clock.now();
    let freed = 0;
    for (let slot = 0; slot < this.keyOf.length; slot++) {
      const key = this.keyOf[slot];
      const expires = this.expiresAtOf(slot);
      if (key === undefined || expires === 0 || expires > now) continue;
      const namespace = this.namespaceOf[slot];
      this.removeSlot(slot, true);
      freed++;
      if (this.events.hasListeners("expire")) this.events.emit("expire", { key, namespace });
    }
    this.expirations += freed;
    return freed;
  }

  getStats(): MemoryStoreStats {
    const { hits, misses, sets, deletes, evictions, expirations } = this;
    return {
      size: this.count,
      bytes: this.byteTotal,
      hits,
      misses,
      sets,
      deletes,
      evictions,
      expirations,
    };
  }

  /**
   * Lists every inconsistency in the store's bookkeeping (empty when sound); see
   * memory-invariants.ts. Read-only and O(maxSize); for tests and debugging.
   */
  validateInvariants(): string[] {
    return checkMemoryInvariants({
      index: this.index,
      policySize: this.policy.size,
      keyOf: this.keyOf,
      namespaceOf: this.namespaceOf,
      sizes: this.sizes,
      tagsOf: this.tagsOf,
      tagIndex: this.tagIndex,
      freeCount: this.freeCount,
      count: this.count,
      byteTotal: this.byteTotal,
      maxSize: this.options.maxSize,
      maxBytes: this.options.maxBytes,
    });
  }

  // CacheStore: the async face of the synchronous core.

  async get(key: string, namespace: string): Promise<StoreEntry | undefined> {
    const slot = this.lookup(key, namespace);
    return slot === -1 ? undefined : this.entryAt(slot);
  }
  async set(key: string, namespace: string, entry: StoreEntry): Promise<void> {
    this.setSync(key, namespace, entry.value, entry.expiresAt, entry.tags, entry.staleAt ?? 0);
  }
  async delete(key: string, namespace: string): Promise<boolean> {
    return this.deleteSync(key, namespace);
  }
  async has(key: string, namespace: string): Promise<boolean> {
    return this.peek(key, namespace) !== -1;
  }
  async clear(namespace?: string): Promise<void> {
    this.clearSync(namespace);
  }
  async getMany(keys: readonly string[], namespace: string): Promise<(StoreEntry | undefined)[]> {
    return keys.map((key) => {
      const slot = this.lookup(key, namespace);
      return slot === -1 ? undefined : this.entryAt(slot);
    });
  }
  async setMany(
    entries: readonly (readonly [string, StoreEntry])[],
    namespace: string,
  ): Promise<void> {
    for (const [key, entry] of entries) await this.set(key, namespace, entry);
  }
  async deleteTag(tag: string): Promise<number> {
    return this.deleteTagSync(tag);
  }
  async *keys(namespace?: string): AsyncIterable<NamespacedKey> {
    const now = this.options.clock.now();
    const namespaces = namespace === undefined ? [...this.index.keys()] : [namespace];
    for (const ns of namespaces) {
      for (const [key, slot] of [...(this.index.get(ns) ?? [])]) {
        const expires = this.expiresAtOf(slot);
        if (expires === 0 || expires > now) yield { namespace: ns, key };
      }
    }
  }
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** The entry at a live slot, as a fresh object. */
  entryAt(slot: number): StoreEntry {
    const entry: StoreEntry = {
      value: this.valueAt(slot),
      expiresAt: this.expiresAtOf(slot),
    };
    if (this.staleAtOf(slot) !== 0) entry.staleAt = this.staleAtOf(slot);
    const tags = this.tagsOf[slot];
    if (tags) entry.tags = tags;
    return entry;
  }

  private measure(value: unknown, key: string): number {
    const { maxBytes, sizeCalculation, path } = this.options;
    const size = sizeCalculation(value, key);
    if (typeof size !== "number" || !Number.isFinite(size) || size <= 0) {
      throw new CacheSerializationError(
        key,
        `${path}sizeCalculation returned ${String(size)}; expected a positive number`,
      );
    }
    if (size > maxBytes) throw new CacheEntryTooLargeError(key, size, maxBytes, `${path}maxBytes`);
    return size;
  }

  private evictOne(reason: EvictionReason): void {
    const slot = this.policy.evict();
    const key = this.keyOf[slot]!;
    const namespace = this.namespaceOf[slot];
    const entry = this.events.hasListeners("evict") ? this.entryAt(slot) : undefined;
    this.removeSlot(slot, false);
    this.evictions++;
    if (entry) this.events.emit("evict", { key, namespace, reason, entry });
  }

  /** Forgets a slot everywhere; `tellPolicy` is false when the policy already chose it. */
  private removeSlot(slot: number, tellPolicy: boolean): void {
    const namespace = this.namespaceOf[slot];
    const slots = this.index.get(namespace)!;
    slots.delete(this.keyOf[slot]!);
    if (slots.size === 0) {
      this.index.delete(namespace);
      this.lastNamespace = undefined;
    }
    if (tellPolicy) this.policy.remove(slot);
    this.setTags(slot, undefined);
    if (this.sizes) {
      this.byteTotal -= this.sizes[slot];
      this.sizes[slot] = 0;
    }
    this.keyOf[slot] = undefined;
    this.values[slot] = undefined;
    this.setTimes(slot, 0, 0);
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
    const count = this.times[slotCounterIndex(slot)];
    if (count > 0) this.times[slotCounterIndex(slot)] = -count;
  }

  /** Sets a slot's expiry and stale time (epoch ms, 0 = none), keeping its count. */
  private setTimes(slot: number, expiresAt: number, staleAt: number): void {
    this.times[slot * SLOT_TIMES_STRIDE] = expiresAt;
    this.times[slot * SLOT_TIMES_STRIDE + 1] = staleAt;
  }

  private setTags(slot: number, tags: readonly string[] | undefined): void {
    const previous = this.tagsOf[slot];
    if (previous === tags) return;
    if (previous) for (const tag of previous) this.untag(tag, slot);
    this.tagsOf[slot] = tags && tags.length > 0 ? [...tags] : undefined;
    if (!tags) return;
    this.tagIndex ??= new Map();
    for (const tag of tags) {
      let slots = this.tagIndex.get(tag);
      if (!slots) this.tagIndex.set(tag, (slots = new Set()));
      slots.add(slot);
    }
  }

  private untag(tag: string, slot: number): void {
    const slots = this.tagIndex!.get(tag);
    if (!slots) return;
    slots.delete(slot);
    if (slots.size === 0) this.tagIndex!.delete(tag);
  }

  private slotsOf(namespace: string): Map<string, number> | undefined {
    if (namespace !== this.lastNamespace) {
      this.lastSlots = this.index.get(namespace);
      this.lastNamespace = namespace;
    }
    return this.lastSlots;
  }

  private startSweep(): void {
    const interval = this.options.sweepIntervalMs;
    if (interval <= 0 || this.closed) return;
    this.sweepTimer = setInterval(() => this.sweep(), interval);
    this.sweepTimer.unref();
  }
}

function keyHash(key: string, namespace: string): number {
  return (hashString(key) ^ Math.imul(hashString(namespace), 0x9e3779b1)) >>> 0;
}

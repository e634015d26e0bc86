/**
 * The in-memory side of the semantic cache: entries by exact key and by id, one vector index per
 * partition, capacity through an eviction policy, expiry and tags. A partition is one hard scope
 * (tenant, model, namespace, embedder identity) and one conversation context, so a search can
 * only ever see entries it is allowed to return; the cache still re-checks every result.
 */
import { hashString } from "../eviction/hash.js";
import type { EvictionPolicyImpl } from "../eviction/policy.js";
import type { ScopeParts } from "./messages.js";
import type { IndexMatch, VectorIndex } from "./index/vector-index.js";

export interface SemanticEntry {
  readonly id: number;
  /** The exact key (also the store key). */
  readonly key: string;
  readonly scope: ScopeParts;
  readonly contextHash: string;
  readonly lookupText: string;
  readonly response: unknown;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds; 0 = never. */
  readonly expiresAt: number;
  readonly tags: readonly string[] | undefined;
  /** The partition whose index holds the entry's vector; undefined for exact-only entries. */
  readonly partition: string | undefined;
}

export type DropReason = "evict" | "expire" | "delete" | "replace";

/** Partition key: the hard scope, the embedder identity and the context, collision-free. */
export function partitionKey(scope: ScopeParts, embedder: string, contextHash: string): string {
  return JSON.stringify([scope.tenant, scope.model, scope.namespace, embedder, contextHash]);
}

export interface EntryTableOptions {
  readonly maxSize: number;
  readonly policy: EvictionPolicyImpl;
  /** A new, empty index for a partition. */
  readonly createIndex: () => VectorIndex;
  /**
   * Called before `incoming` vectors join `index`: may return a replacement holding the same
   * vectors (flat to HNSW), which takes `index` over; or undefined to keep it.
   */
  readonly promote: (index: VectorIndex, incoming: number) => VectorIndex | undefined;
  /** Told about every entry that leaves, whatever the reason. */
  readonly onDrop: (entry: SemanticEntry, reason: DropReason) => void;
}

export class EntryTable {
  readonly #byKey = new Map<string, SemanticEntry>();
  readonly #byId = new Map<number, SemanticEntry>();
  readonly #slotOf = new Map<number, number>();
  readonly #bySlot: (SemanticEntry | undefined)[] = [];
  readonly #freeSlots: number[] = [];
  readonly #partitions = new Map<string, VectorIndex>();
  readonly #tags = new Map<string, Set<SemanticEntry>>();
  readonly #options: EntryTableOptions;
  #nextId = 1;
  #indexed = 0;

  constructor(options: EntryTableOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#byKey.size;
  }

  get indexedSize(): number {
    return this.#indexed;
  }

  partitionCounts(): { flat: number; hnsw: number } {
    const counts = { flat: 0, hnsw: 0 };
    for (const index of this.#partitions.values()) counts[index.kind]++;
    return counts;
  }

  /** Allocates the id for an entry about to be inserted. */
  nextId(): number {
    return this.#nextId++;
  }

  /** The live entry under `key`; an expired one is dropped on the way. */
  get(key: string, now: number): SemanticEntry | undefined {
    const entry = this.#byKey.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      this.remove(entry, "expire");
      return undefined;
    }
    return entry;
  }

  byId(id: number): SemanticEntry | undefined {
    return this.#byId.get(id);
  }

  /** A hit: tells the eviction policy. */
  touch(entry: SemanticEntry): void {
    const slot = this.#slotOf.get(entry.id);
    if (slot !== undefined) this.#options.policy.access(slot);
  }

  /**
   * Inserts entries (each replacing any entry under its key), evicting while over `maxSize`, then
   * adds the vectors partition by partition in one batch each (one native call for HNSW).
   * Returns, per entry, false when the policy evicted it within the batch or declined it.
   */
  insertMany(
    items: readonly { entry: SemanticEntry; vector: Float32Array | undefined }[],
  ): boolean[] {
    const admitted = items.map(() => true);
    const position = new Map<SemanticEntry, number>();
    const pending = new Map<string, { entries: SemanticEntry[]; vectors: Float32Array[] }>();
    const policy = this.#options.policy;
    items.forEach(({ entry, vector }, i) => {
      position.set(entry, i);
      const previous = this.#byKey.get(entry.key);
      if (previous) this.remove(previous, "replace");
      this.#byKey.set(entry.key, entry);
      this.#byId.set(entry.id, entry);
      for (const tag of entry.tags ?? []) {
        (this.#tags.get(tag) ?? this.#tags.set(tag, new Set()).get(tag)!).add(entry);
      }
      if (entry.partition !== undefined && vector !== undefined) {
        const batch = pending.get(entry.partition) ?? { entries: [], vectors: [] };
        batch.entries.push(entry);
        batch.vectors.push(vector);
        pending.set(entry.partition, batch);
      }
      const slot = this.#freeSlots.pop() ?? this.#bySlot.length;
      this.#bySlot[slot] = entry;
      this.#slotOf.set(entry.id, slot);
      policy.insert(slot, policy.usesKeyHash ? hashString(entry.key) : 0, entry.expiresAt);
      while (policy.size > this.#options.maxSize) {
        const victimSlot = policy.evict();
        const victim = this.#bySlot[victimSlot];
        if (victim === undefined) continue;
        const at = position.get(victim);
        if (at !== undefined) admitted[at] = false;
        this.#release(victim, victimSlot);
        this.#detach(victim, "evict");
      }
    });
    for (const [partition, batch] of pending) {
      const live = batch.entries.flatMap((e, k) => (this.#byId.get(e.id) === e ? [k] : []));
      if (live.length === 0) continue;
      let index = this.#partitions.get(partition) ?? this.#options.createIndex();
      index = this.#options.promote(index, live.length) ?? index;
      index.addMany(
        live.map((k) => batch.entries[k].id),
        live.map((k) => batch.vectors[k]),
      );
      this.#indexed += live.length;
      this.#partitions.set(partition, index);
    }
    return admitted;
  }

  /** Drops `entry` (no-op when it already left). */
  remove(entry: SemanticEntry, reason: DropReason): boolean {
    if (this.#byId.get(entry.id) !== entry) return false;
    const slot = this.#slotOf.get(entry.id);
    if (slot !== undefined) {
      this.#options.policy.remove(slot);
      this.#release(entry, slot);
    }
    this.#detach(entry, reason);
    return true;
  }

  hasPartition(partition: string): boolean {
    return this.#partitions.has(partition);
  }

  /** The `k` nearest vectors in a partition; empty when the partition does not exist. */
  search(partition: string, vector: Float32Array, k: number): IndexMatch[] {
    return this.#partitions.get(partition)?.search(vector, k) ?? [];
  }

  /** Drops every expired entry; returns how many. */
  sweep(now: number): number {
    let dropped = 0;
    for (const entry of [...this.#byKey.values()]) {
      if (entry.expiresAt !== 0 && entry.expiresAt <= now && this.remove(entry, "expire"))
        dropped++;
    }
    return dropped;
  }

  withTag(tag: string): SemanticEntry[] {
    return [...(this.#tags.get(tag) ?? [])];
  }

  /** Entries of one namespace, or all of them. */
  entries(namespace?: string): SemanticEntry[] {
    const all = [...this.#byKey.values()];
    return namespace === undefined ? all : all.filter((e) => e.scope.namespace === namespace);
  }

  #release(entry: SemanticEntry, slot: number): void {
    this.#bySlot[slot] = undefined;
    this.#slotOf.delete(entry.id);
    this.#freeSlots.push(slot);
  }

  #detach(entry: SemanticEntry, reason: DropReason): void {
    this.#byKey.delete(entry.key);
    this.#byId.delete(entry.id);
    for (const tag of entry.tags ?? []) {
      const set = this.#tags.get(tag);
      set?.delete(entry);
      if (set?.size === 0) this.#tags.delete(tag);
    }
    if (entry.partition !== undefined) {
      const index = this.#partitions.get(entry.partition);
      if (index?.remove(entry.id)) {
        this.#indexed--;
        if (index.size === 0) {
          index.dispose();
          this.#partitions.delete(entry.partition);
        }
      }
    }
    this.#options.onDrop(entry, reason);
  }
}

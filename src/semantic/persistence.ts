/**
 * The semantic cache's side of the store and the feed: records written through, the index rebuilt
 * on start, and other processes' changes applied as their events arrive. A store that fails is
 * reported (counted, warned) and the cache carries on in memory; only a value the store cannot
 * encode fails the put, before anything changes.
 */
import { CacheSerializationError, ErrorCode } from "../core/errors.js";
import type { CacheStore, StoreEntry } from "../stores/store.js";
import type { SemanticFeed, SemanticFeedEvent, SemanticFeedMessage } from "./feed.js";
import {
  decodeRecord,
  STORE_NAMESPACE_PREFIX,
  storeNamespace,
  type SemanticRecord,
} from "./records.js";

/** Puts records into memory (in one batch); false for each one not admitted. */
export type InsertRecords = (items: readonly RecordWrite[]) => boolean[];

export interface PersistenceHooks {
  /** A store or feed operation failed; the cache counts and warns. */
  onError(what: string, error: unknown): void;
  /** A delete, clear or tag event from another process. */
  onMessage(message: SemanticFeedMessage): void;
}

export interface RecordWrite {
  key: string;
  record: SemanticRecord;
  expiresAt: number;
  tags: readonly string[] | undefined;
}

const REBUILD_BATCH = 256;

export class SemanticPersistence {
  readonly #store: CacheStore;
  readonly #feed: SemanticFeed | undefined;
  readonly #origin: string;
  readonly #hooks: PersistenceHooks;
  #insert: InsertRecords | undefined;
  /** Events that arrive while the rebuild runs; applied after it, in order. */
  #queue: SemanticFeedMessage[] | undefined = [];
  #skipped = 0;

  constructor(
    store: CacheStore,
    feed: SemanticFeed | undefined,
    origin: string,
    hooks: PersistenceHooks,
  ) {
    this.#store = store;
    this.#feed = feed;
    this.#origin = origin;
    this.#hooks = hooks;
  }

  /** Records that failed validation during the rebuild (corrupt, foreign or tampered). */
  get skipped(): number {
    return this.#skipped;
  }

  /** Subscribes to the feed, then loads every stored record, oldest first. */
  async start(insert: InsertRecords): Promise<void> {
    this.#insert = insert;
    if (this.#feed) {
      await this.#feed
        .subscribe((message) => this.#receive(message))
        .catch((e) => this.#hooks.onError("feed", e));
    }
    try {
      await this.#rebuild(insert);
    } catch (error) {
      this.#hooks.onError("rebuilding from the store", error);
    }
    const queued = this.#queue ?? [];
    this.#queue = undefined;
    for (const message of queued) this.#apply(message);
  }

  async write(items: readonly RecordWrite[]): Promise<void> {
    await Promise.all(
      items.map(async ({ key, record, expiresAt, tags }) => {
        const entry: StoreEntry = { value: record, expiresAt, ...(tags ? { tags } : {}) };
        try {
          await this.#store.set(key, storeNamespace(record.namespace), entry);
        } catch (error) {
          if (
            error instanceof CacheSerializationError ||
            (error as { code?: unknown })?.code === ErrorCode.SERIALIZATION
          ) {
            throw error;
          }
          this.#hooks.onError(`storing ${key}`, error);
        }
      }),
    );
  }

  async delete(key: string, namespace: string, publish = true): Promise<boolean> {
    try {
      const removed = await this.#store.delete(key, storeNamespace(namespace));
      if (publish) await this.publish({ op: "delete", namespace, key });
      return removed;
    } catch (error) {
      this.#hooks.onError(`deleting ${key}`, error);
      return false;
    }
  }

  async clear(namespace: string | undefined): Promise<void> {
    try {
      const namespaces =
        namespace === undefined ? await this.#semanticNamespaces() : [storeNamespace(namespace)];
      for (const ns of namespaces) await this.#store.clear(ns);
      await this.publish({ op: "clear", namespace: namespace ?? null });
    } catch (error) {
      this.#hooks.onError("clearing", error);
    }
  }

  /**
   * Deletes tagged entries key by key rather than with `store.deleteTag`, which would also drop
   * other caches' entries carrying the tag in a shared store.
   */
  async deleteTagged(
    entries: readonly { key: string; namespace: string }[],
    tag: string,
  ): Promise<void> {
    await Promise.all(entries.map(({ key, namespace }) => this.delete(key, namespace, false)));
    await this.publish({ op: "tag", tag });
  }

  async publish(event: SemanticFeedEvent): Promise<void> {
    if (!this.#feed) return;
    try {
      await this.#feed.publish({ ...event, origin: this.#origin });
    } catch (error) {
      this.#hooks.onError("publishing to the feed", error);
    }
  }

  async close(): Promise<void> {
    await this.#feed?.close().catch((e) => this.#hooks.onError("closing the feed", e));
  }

  #receive(message: SemanticFeedMessage): void {
    if (message.origin === this.#origin) return;
    if (this.#queue) this.#queue.push(message);
    else this.#apply(message);
  }

  #apply(message: SemanticFeedMessage): void {
    if (message.op !== "put") return this.#hooks.onMessage(message);
    void this.#load(message.key, message.namespace).catch((e) =>
      this.#hooks.onError(`loading ${message.key}`, e),
    );
  }

  async #load(key: string, namespace: string): Promise<void> {
    const stored = await this.#store.get(key, storeNamespace(namespace));
    if (stored === undefined) return; // deleted or expired since: nothing to share
    const record = decodeRecord(stored.value, key);
    if (record === undefined || record.namespace !== namespace) return void this.#skipped++;
    this.#insert?.([{ key, record, expiresAt: stored.expiresAt, tags: stored.tags }]);
  }

  async #semanticNamespaces(): Promise<string[]> {
    const namespaces = new Set<string>();
    for await (const { namespace } of this.#store.keys()) {
      if (namespace.startsWith(STORE_NAMESPACE_PREFIX)) namespaces.add(namespace);
    }
    return [...namespaces];
  }

  async #rebuild(insert: InsertRecords): Promise<void> {
    const keysByNamespace = new Map<string, string[]>();
    for await (const { namespace, key } of this.#store.keys()) {
      if (!namespace.startsWith(STORE_NAMESPACE_PREFIX)) continue;
      (keysByNamespace.get(namespace) ?? keysByNamespace.set(namespace, []).get(namespace)!).push(
        key,
      );
    }
    const loaded: RecordWrite[] = [];
    for (const [namespace, keys] of keysByNamespace) {
      for (let i = 0; i < keys.length; i += REBUILD_BATCH) {
        const batch = keys.slice(i, i + REBUILD_BATCH);
        const entries = await this.#store.getMany(batch, namespace);
        entries.forEach((entry, j) => {
          if (entry === undefined) return; // expired or deleted while listing
          const record = decodeRecord(entry.value, batch[j]);
          if (record === undefined || storeNamespace(record.namespace) !== namespace)
            return void this.#skipped++;
          loaded.push({ key: batch[j], record, expiresAt: entry.expiresAt, tags: entry.tags });
        });
      }
    }
    // Oldest first, so that when the store holds more than maxSize the newest survive.
    loaded.sort((a, b) => a.record.createdAt - b.record.createdAt);
    insert(loaded);
    if (this.#skipped > 0) {
      this.#hooks.onError(
        "rebuilding from the store",
        new Error(`${this.#skipped} unreadable records skipped`),
      );
    }
  }
}

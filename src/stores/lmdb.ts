/**
 * LmdbStore: the embedded persistent tier (L2, `type: "file"`), one LMDB environment in a
 * folder that processes on one machine can share.
 *
 * Values are encoded by the core codec (msgpack) before LMDB sees them, so damaged bytes surface
 * as a CacheSerializationError naming the key. Every write runs in an abortable LMDB
 * transaction that also keeps the expiry, tag and recency indexes and the counters in step, so
 * two processes never see half an update. Reads take no lock.
 */
import {
  CacheClosedError,
  CacheEntryTooLargeError,
  CacheError,
  CacheStoreError,
} from "../core/errors.js";
import { assertKey, splitKey } from "../core/keys.js";
import { isHashedKey, namespacePrefix, prefixEnd, storeKey } from "./lmdb-keys.js";
import { openTables } from "./lmdb-open.js";
import {
  resolveLmdbOptions,
  type LmdbStoreOptions,
  type ResolvedLmdbOptions,
} from "./lmdb-options.js";
import {
  encodeRecord,
  readFullKey,
  readHeader,
  readTags,
  readValueBytes,
  type RecordHeader,
} from "./lmdb-record.js";
import type { Counters, LmdbTables } from "./lmdb-tables.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "./store.js";

export type { LmdbStoreOptions } from "./lmdb-options.js";

export interface LmdbStoreStats {
  /** Entries in the folder, expired ones included until swept (all processes). */
  size: number;
  /** Bytes of keys plus records in the folder (all processes). */
  bytes: number;
  /** Live entries this process evicted to respect maxSize/maxBytes. */
  evictions: number;
  /** Expired entries this process reclaimed by sweeps and before evicting. */
  expiredReclaimed: number;
  /** Stored records that could not be decoded (each also threw a CacheSerializationError). */
  decodeErrors: number;
}

/** Most distinct reads remembered between recency write-backs; more are not recorded. */
const MAX_PENDING_TOUCHES = 10_000;
const KEYS_BATCH = 512;
const CLEAR_BATCH = 2_000;

export class LmdbStore implements CacheStore {
  readonly name = "lmdb";
  /** The absolute folder of the environment. */
  readonly path: string;
  /** Where an incompatible folder was moved when `onIncompatible: "reset"` applied, else undefined. */
  readonly movedAside: string | undefined;
  private readonly options: ResolvedLmdbOptions;
  private readonly tables: LmdbTables;
  private readonly tracksRecency: boolean;
  private readonly pendingTouches = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stats = { evictions: 0, expiredReclaimed: 0, decodeErrors: 0 };
  private sweeping: Promise<number> | undefined;
  private closing: Promise<void> | undefined;
  private lastCounters: Counters = { count: 0, bytes: 0, stamp: 0 };

  /** Opens (creating if needed) the folder; throws CacheStoreError naming it when that fails. */
  constructor(options: LmdbStoreOptions) {
    this.options = resolveLmdbOptions(options);
    const { dir, codec, onIncompatible, maxSize, maxBytes, sweepIntervalMs, touchIntervalMs } =
      this.options;
    this.path = dir;
    const opened = openTables(dir, codec.name, onIncompatible);
    this.tables = opened.tables;
    this.movedAside = opened.movedAside;
    this.tracksRecency = maxSize > 0 || maxBytes > 0;
    if (sweepIntervalMs > 0) this.every(sweepIntervalMs, () => this.sweep());
    if (this.tracksRecency && touchIntervalMs > 0) {
      this.every(touchIntervalMs, () =>
        this.pendingTouches.size > 0 ? this.write(() => undefined) : undefined,
      );
    }
  }

  /** Counters of the whole folder (all processes) and of this process; safe after close. */
  getStats(): LmdbStoreStats {
    if (!this.closing) this.lastCounters = this.tables.readCounters();
    return { size: this.lastCounters.count, bytes: this.lastCounters.bytes, ...this.stats };
  }

  async get(key: string, namespace: string): Promise<StoreEntry | undefined> {
    return this.read(key, namespace, this.options.clock.now());
  }

  async has(key: string, namespace: string): Promise<boolean> {
    this.checkOpen();
    assertKey(key);
    assertKey(namespace, "namespace");
    const bytes = this.tables.entries.getBinaryFast(storeKey(namespace, key).bytes);
    if (!bytes) return false;
    const { expiresAt } = this.header(bytes, key);
    return expiresAt === 0 || expiresAt > this.options.clock.now();
  }

  async getMany(keys: readonly string[], namespace: string): Promise<(StoreEntry | undefined)[]> {
    const now = this.options.clock.now();
    return keys.map((key) => this.read(key, namespace, now));
  }

  async set(key: string, namespace: string, entry: StoreEntry): Promise<void> {
    const prepared = this.prepare(key, namespace, entry);
    await this.write((c) =>
      this.tables.put(c, prepared.key, prepared.record, entry.expiresAt, entry.tags),
    );
  }

  async setMany(
    entries: readonly (readonly [key: string, entry: StoreEntry])[],
    namespace: string,
  ): Promise<void> {
    // Encode everything first: one bad value rejects the batch before anything is written.
    const prepared = entries.map(([key, entry]) => ({
      ...this.prepare(key, namespace, entry),
      entry,
    }));
    if (prepared.length === 0) return;
    await this.write((c) => {
      for (const p of prepared)
        this.tables.put(c, p.key, p.record, p.entry.expiresAt, p.entry.tags);
    });
  }

  async delete(key: string, namespace: string): Promise<boolean> {
    this.checkOpen();
    assertKey(key);
    assertKey(namespace, "namespace");
    const k = storeKey(namespace, key).bytes;
    const now = this.options.clock.now();
    return this.write((c) => {
      const old = this.tables.remove(c, k);
      if (!old) return false;
      try {
        const { expiresAt } = readHeader(old, key);
        return expiresAt === 0 || expiresAt > now;
      } catch {
        return true; // a damaged record was there and is gone
      }
    });
  }

  async clear(namespace?: string): Promise<void> {
    this.checkOpen();
    if (namespace === undefined) {
      await this.write((c) => this.tables.clearAll(c));
      return;
    }
    assertKey(namespace, "namespace");
    const start = namespacePrefix(namespace);
    const end = prefixEnd(start);
    // Batches keep each transaction (and the single write lock) short for big namespaces.
    for (let from = start, exclusive = false; ; exclusive = true) {
      const last = await this.write((c) => {
        const rows = [...this.tables.entries.getRange(range(from, end, exclusive, CLEAR_BATCH))];
        for (const { key, value } of rows) {
          if (this.namespaceOf(key, value) === namespace) this.tables.remove(c, key);
        }
        return rows.length < CLEAR_BATCH ? undefined : rows[rows.length - 1].key;
      });
      if (last === undefined) return;
      from = last;
    }
  }

  async deleteTag(tag: string): Promise<number> {
    this.checkOpen();
    assertKey(tag, "tag");
    const now = this.options.clock.now();
    return this.write((c) => this.tables.deleteTag(c, tag, now));
  }

  async *keys(namespace?: string): AsyncIterable<NamespacedKey> {
    this.checkOpen();
    if (namespace !== undefined) assertKey(namespace, "namespace");
    const start = namespace === undefined ? undefined : namespacePrefix(namespace);
    const end = start && prefixEnd(start);
    for (let from = start, exclusive = false; ; exclusive = true) {
      // Each batch is read at once, so no read transaction stays open across yields.
      const rows = [...this.tables.entries.getRange(range(from, end, exclusive, KEYS_BATCH))];
      const now = this.options.clock.now();
      for (const { key, value } of rows) {
        const listed = this.listed(key, value, now);
        if (listed && (namespace === undefined || listed.namespace === namespace)) yield listed;
      }
      if (rows.length < KEYS_BATCH) return;
      from = rows[rows.length - 1].key;
    }
  }

  /**
   * Removes every entry whose time has passed, reading only the expiry index and record
   * headers; runs on its own every `sweepInterval`. Resolves to the number removed.
   */
  sweep(): Promise<number> {
    this.checkOpen();
    this.sweeping ??= (async () => {
      let total = 0;
      try {
        for (let more = true; more;) {
          const now = this.options.clock.now();
          const result = await this.write((c) =>
            this.tables.sweepExpired(c, now, this.options.sweepBatch),
          );
          total += result.removed;
          more = result.more;
        }
      } finally {
        this.sweeping = undefined;
      }
      this.stats.expiredReclaimed += total;
      return total;
    })();
    return this.sweeping;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.inflight]);
    try {
      if (this.pendingTouches.size > 0) await this.transact(() => undefined);
    } catch {
      // Recency is a hint; losing the last second of it on close loses no data.
    }
    await this.tables.root.close();
  }

  private read(key: string, namespace: string, now: number): StoreEntry | undefined {
    this.checkOpen();
    assertKey(key);
    assertKey(namespace, "namespace");
    const k = storeKey(namespace, key).bytes;
    // The fast buffer is overwritten by the next read: what outlives this call is copied out.
    const bytes = this.tables.entries.getBinaryFast(k);
    if (!bytes) return undefined;
    const header = this.header(bytes, key);
    if (header.expiresAt !== 0 && header.expiresAt <= now) return undefined;
    let entry: StoreEntry;
    try {
      const valueBytes = Buffer.from(readValueBytes(bytes, header, key));
      const tags = readTags(bytes, header, key);
      entry = { value: this.options.codec.decode(valueBytes, key), expiresAt: header.expiresAt };
      if (tags) entry.tags = tags;
    } catch (error) {
      this.stats.decodeErrors++;
      throw error;
    }
    if (header.staleAt !== undefined) entry.staleAt = header.staleAt;
    if (this.tracksRecency && this.pendingTouches.size < MAX_PENDING_TOUCHES) {
      this.pendingTouches.add(k.toString("latin1"));
    }
    return entry;
  }

  private header(bytes: Buffer, key: string): RecordHeader {
    try {
      return readHeader(bytes, key);
    } catch (error) {
      this.stats.decodeErrors++;
      throw error;
    }
  }

  private prepare(
    key: string,
    namespace: string,
    entry: StoreEntry,
  ): { key: Buffer; record: Buffer } {
    this.checkOpen();
    assertKey(key);
    assertKey(namespace, "namespace");
    if (entry.tags) for (const tag of entry.tags) assertKey(tag, "tag");
    const k = storeKey(namespace, key);
    const record = encodeRecord(entry, this.options.codec.encode(entry.value, key), k.full);
    const { maxBytes, configPath } = this.options;
    const size = k.bytes.length + record.length;
    if (maxBytes > 0 && size > maxBytes)
      throw new CacheEntryTooLargeError(key, size, maxBytes, `${configPath}maxBytes`);
    return { key: k.bytes, record };
  }

  /** The namespace of a stored entry, or undefined when its record cannot tell. */
  private namespaceOf(key: Buffer, record: Buffer): string | undefined {
    return this.listed(key, record, undefined)?.namespace;
  }

  /** The (namespace, key) of a stored entry; undefined when expired at `now` or unreadable. */
  private listed(key: Buffer, record: Buffer, now: number | undefined): NamespacedKey | undefined {
    try {
      const header = readHeader(record, "");
      if (now !== undefined && header.expiresAt !== 0 && header.expiresAt <= now) return undefined;
      const composed = isHashedKey(key) ? readFullKey(record, header) : key;
      return splitKey(composed.toString("utf8"));
    } catch {
      return undefined;
    }
  }

  /** Runs `fn` in a write transaction with the counters, pending touches and eviction. */
  private write<T>(fn: (c: Counters) => T): Promise<T> {
    this.checkOpen();
    const done = this.transact(fn);
    this.inflight.add(done);
    const forget = (): void => void this.inflight.delete(done);
    done.then(forget, forget);
    return done;
  }

  private async transact<T>(fn: (c: Counters) => T): Promise<T> {
    const { maxSize, maxBytes, clock } = this.options;
    const touches = [...this.pendingTouches];
    this.pendingTouches.clear();
    let overflow = { expired: 0, evicted: 0 };
    let result: T;
    try {
      // A child transaction is abortable: if anything throws, none of its writes land.
      result = await this.tables.root.childTransaction(() => {
        const c = this.tables.readCounters();
        for (const k of touches) this.tables.touch(c, Buffer.from(k, "latin1"));
        const value = fn(c);
        overflow = this.tables.evictOverflow(c, maxSize, maxBytes, clock.now());
        this.tables.writeCounters(c);
        return value;
      });
    } catch (error) {
      if (error instanceof CacheError) throw error;
      throw new CacheStoreError(
        `LMDB store at "${this.path}": write failed: ${(error as Error).message}`,
        {
          path: this.path,
          cause: error,
        },
      );
    }
    this.stats.evictions += overflow.evicted;
    this.stats.expiredReclaimed += overflow.expired;
    return result;
  }

  private every(ms: number, task: () => Promise<unknown> | undefined): void {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(task)
        .catch((error: unknown) => {
          if (this.closing) return;
          this.options.onBackgroundError(
            error instanceof CacheStoreError
              ? error
              : new CacheStoreError(`LMDB store at "${this.path}": ${(error as Error).message}`, {
                  path: this.path,
                  cause: error,
                }),
          );
        })
        // A throwing onBackgroundError must not become an unhandled rejection.
        .catch(() => undefined);
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private checkOpen(): void {
    if (this.closing) throw new CacheClosedError(`LMDB store at "${this.path}"`);
  }
}

function range(
  from: Buffer | undefined,
  end: Buffer | undefined,
  exclusiveStart: boolean,
  limit: number,
) {
  return { ...(from && { start: from }), ...(end && { end }), exclusiveStart, limit };
}

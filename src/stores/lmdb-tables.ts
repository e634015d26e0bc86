/**
 * The LMDB databases behind one LmdbStore and the index upkeep done inside write transactions.
 *
 * - `entries`: entry key -> record (see lmdb-record.ts)
 * - `expiry`:  expiresAt ‖ entry key -> mark; ordered by time, so a sweep reads only what expired
 * - `tags`:    hash(tag) ‖ entry key -> mark; one prefix scan per `deleteTag`
 * - `recency`: stamp -> entry key; the oldest stamp is the eviction candidate
 * - `stamps`:  entry key -> its current stamp, to move or drop its recency row
 * - `meta`:    the format header and the counters (entries, bytes, last stamp)
 *
 * Index rows are hints checked against the record before anything is deleted, so a stale row
 * (left by a damaged record) costs a lookup and is dropped, never a wrong deletion.
 */
import type { Database, RootDatabase } from "lmdb";
import { readHeader, readTags } from "./lmdb-record.js";
import { expiryKey, prefixEnd, stampKey, tagKey, tagPrefix } from "./lmdb-keys.js";

export type BinaryDb = Database<Buffer, Buffer>;

export const DB_NAMES = {
  meta: "victor-meta",
  entries: "victor-entries",
  expiry: "victor-expiry",
  tags: "victor-tags",
  recency: "victor-recency",
  stamps: "victor-stamps",
} as const;

const COUNTERS_KEY = Buffer.from("counters");
const MARK = Buffer.from([1]);

/** Totals kept in `meta`, read and written once per write transaction. */
export interface Counters {
  /** Entries stored, expired ones included until swept. */
  count: number;
  /** Bytes of entry keys plus records. */
  bytes: number;
  /** Last recency stamp handed out. */
  stamp: number;
}

export class LmdbTables {
  readonly meta: BinaryDb;
  readonly entries: BinaryDb;
  private readonly expiry: BinaryDb;
  private readonly tags: BinaryDb;
  private readonly recency: BinaryDb;
  private readonly stamps: BinaryDb;

  constructor(readonly root: RootDatabase) {
    const open = (name: string): BinaryDb =>
      root.openDB<Buffer, Buffer>({ name, encoding: "binary", keyEncoding: "binary" });
    this.meta = open(DB_NAMES.meta);
    this.entries = open(DB_NAMES.entries);
    this.expiry = open(DB_NAMES.expiry);
    this.tags = open(DB_NAMES.tags);
    this.recency = open(DB_NAMES.recency);
    this.stamps = open(DB_NAMES.stamps);
  }

  readCounters(): Counters {
    const raw = this.meta.get(COUNTERS_KEY);
    if (!raw || raw.length < 24) return { count: 0, bytes: 0, stamp: 0 };
    return { count: raw.readDoubleLE(0), bytes: raw.readDoubleLE(8), stamp: raw.readDoubleLE(16) };
  }

  // Everything below runs inside a write transaction.

  writeCounters(c: Counters): void {
    const raw = Buffer.allocUnsafe(24);
    raw.writeDoubleLE(Math.max(0, c.count), 0);
    raw.writeDoubleLE(Math.max(0, c.bytes), 8);
    raw.writeDoubleLE(c.stamp, 16);
    this.meta.put(COUNTERS_KEY, raw);
  }

  /** Stores a record and its index rows, replacing whatever the key held. */
  put(
    c: Counters,
    key: Buffer,
    record: Buffer,
    expiresAt: number,
    tags: readonly string[] | undefined,
  ): void {
    this.remove(c, key);
    this.entries.put(key, record);
    if (expiresAt > 0) this.expiry.put(expiryKey(expiresAt, key), MARK);
    if (tags) for (const tag of new Set(tags)) this.tags.put(tagKey(tagPrefix(tag), key), MARK);
    this.restamp(c, key);
    c.count++;
    c.bytes += key.length + record.length;
  }

  /** Removes the entry and its index rows; returns its record, or undefined when absent. */
  remove(c: Counters, key: Buffer): Buffer | undefined {
    const old = this.entries.get(key);
    if (!old) return undefined;
    this.entries.remove(key);
    try {
      const header = readHeader(old, "");
      if (header.expiresAt > 0) this.expiry.remove(expiryKey(header.expiresAt, key));
      const tags = readTags(old, header, "");
      if (tags) for (const tag of tags) this.tags.remove(tagKey(tagPrefix(tag), key));
    } catch {
      // A damaged record: its index rows, if any, are dropped when next met (see the class note).
    }
    const stamp = this.stamps.get(key);
    if (stamp) {
      this.recency.remove(stamp);
      this.stamps.remove(key);
    }
    c.count--;
    c.bytes -= key.length + old.length;
    return old;
  }

  /** Marks an entry as just used; a no-op when it is gone. */
  touch(c: Counters, key: Buffer): void {
    if (this.stamps.get(key)) this.restamp(c, key);
  }

  private restamp(c: Counters, key: Buffer): void {
    const old = this.stamps.get(key);
    if (old) this.recency.remove(old);
    const stamp = stampKey(++c.stamp);
    this.recency.put(stamp, key);
    this.stamps.put(key, stamp);
  }

  /**
   * Removes up to `limit` entries whose expiresAt is at or before `now`, reading only the expiry
   * index and record headers. Returns how many live-by-index rows it handled and removed.
   */
  sweepExpired(c: Counters, now: number, limit: number): { removed: number; more: boolean } {
    const rows = [...this.expiry.getKeys({ limit })];
    let removed = 0;
    let handled = 0;
    for (const row of rows) {
      const expiresAt = row.readDoubleBE(0);
      if (expiresAt > now) return { removed, more: false };
      handled++;
      const key = Buffer.from(row.subarray(8));
      const record = this.entries.get(key);
      let current = false;
      try {
        current = record !== undefined && readHeader(record, "").expiresAt === expiresAt;
      } catch {
        current = true; // a damaged record that is due: reclaim it too
      }
      if (current) {
        this.remove(c, key);
        removed++;
      }
      this.expiry.remove(row);
    }
    return { removed, more: handled === limit };
  }

  /**
   * Brings the store back under its caps: first expired entries, then the least recently
   * stamped. Returns how many expired entries were reclaimed and live ones evicted.
   */
  evictOverflow(
    c: Counters,
    maxSize: number,
    maxBytes: number,
    now: number,
  ): { expired: number; evicted: number } {
    const over = (): boolean =>
      (maxSize > 0 && c.count > maxSize) || (maxBytes > 0 && c.bytes > maxBytes);
    const result = { expired: 0, evicted: 0 };
    for (let more = over(); more && over();) {
      const swept = this.sweepExpired(c, now, 256);
      result.expired += swept.removed;
      more = swept.more;
    }
    while (over()) {
      const rows = [...this.recency.getRange({ limit: 64 })];
      if (rows.length === 0) break;
      for (const { key: stamp, value: key } of rows) {
        if (!over()) break;
        const current = this.stamps.get(key);
        if (current && current.equals(stamp)) {
          this.remove(c, key);
          result.evicted++;
        } else {
          this.recency.remove(stamp);
        }
      }
    }
    return result;
  }

  /** Removes every entry carrying `tag`; counts those that were live at `now`. */
  deleteTag(c: Counters, tag: string, now: number): number {
    const prefix = tagPrefix(tag);
    let live = 0;
    const end = prefixEnd(prefix);
    for (const row of [...this.tags.getKeys(end ? { start: prefix, end } : { start: prefix })]) {
      const key = Buffer.from(row.subarray(prefix.length));
      const record = this.entries.get(key);
      let tagged = false;
      let expiresAt = 0;
      try {
        if (record) {
          const header = readHeader(record, "");
          tagged = readTags(record, header, "")?.includes(tag) ?? false;
          expiresAt = header.expiresAt;
        }
      } catch {
        tagged = false; // a damaged record keeps its place until overwritten or deleted
      }
      if (tagged) {
        this.remove(c, key);
        if (expiresAt === 0 || expiresAt > now) live++;
      }
      this.tags.remove(row);
    }
    return live;
  }

  /** Empties every table but the format header, keeping the stamp counter. */
  clearAll(c: Counters): void {
    for (const db of [this.entries, this.expiry, this.tags, this.recency, this.stamps])
      db.clearSync();
    c.count = 0;
    c.bytes = 0;
  }
}

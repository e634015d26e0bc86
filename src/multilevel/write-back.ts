/**
 * The write-back queue: sets reach L1 at once and L2 later, in batches, by interval or as soon
 * as a batch is full. The queue is also a read tier: until a write lands in L2, reads that miss L1
 * are answered from here, so an entry evicted from L1 before its flush is never lost (it is
 * demoted through its queued write) and never read back older from L2.
 *
 * Writes to one key coalesce (the newest wins, in the key's first position, so a hot key cannot
 * starve). One flush runs at a time. A failed batch is queued again unless newer writes or deletes
 * superseded its entries; writes the store rejects as caller errors (a value mutated into something
 * that cannot be encoded after `set`) are dropped one by one instead of blocking the batch.
 */
import { CacheStoreError } from "../core/errors.js";
import type { CacheStore, StoreEntry } from "../stores/store.js";
import { isCallerError } from "./fail-safe.js";

export interface PendingWrite {
  /** The composed key (`composeKey(namespace, key)`). */
  readonly id: string;
  readonly key: string;
  readonly namespace: string;
  readonly entry: StoreEntry;
}

export interface WriteBackHooks {
  now(): number;
  /** A batch landed (`error` undefined) or failed and was queued again. */
  flushed(batch: readonly PendingWrite[], durationMs: number, error: unknown): void;
  /** A write was given up: queue full while L2 fails, rejected by the store, or unflushed at close. */
  dropped(write: PendingWrite, error: unknown): void;
}

export interface WriteBackSettings {
  intervalMs: number;
  batchSize: number;
  maxQueue: number;
}

export class WriteBackQueue {
  private readonly pending = new Map<string, PendingWrite>();
  private readonly inflight = new Map<string, PendingWrite>();
  private loop: Promise<boolean> | undefined;
  /** The batch being written to L2, if any. */
  private writing: Promise<void> | undefined;
  /**
   * Entries at the front of the queue that explicit flushes still owe to L2. A flush writes what
   * was queued when it was called, never chasing writes that keep arriving (a signal flush must
   * end so the process can exit); new writes go to the back, so the front covers every old one.
   */
  private flushOwed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: CacheStore,
    private readonly settings: WriteBackSettings,
    private readonly hooks: WriteBackHooks,
  ) {
    this.timer = setInterval(() => void this.flush(), settings.intervalMs);
    this.timer.unref();
  }

  /** Writes not yet acknowledged by L2 (queued and being written). */
  get depth(): number {
    return this.pending.size + this.inflight.size;
  }

  /**
   * Queues a write. Returns a promise only when the queue is over `maxQueue`: the caller waits
   * for room (back-pressure); if the flush fails, the oldest writes are dropped instead.
   */
  enqueue(write: PendingWrite): Promise<void> | undefined {
    this.pending.set(write.id, write);
    const size = this.pending.size;
    if (size >= this.settings.batchSize && this.loop === undefined) void this.startLoop();
    return size > this.settings.maxQueue ? this.makeRoom() : undefined;
  }

  /** The newest write of a key not yet in L2, if any (expired ones included; callers check). */
  find(id: string): PendingWrite | undefined {
    return this.pending.get(id) ?? this.inflight.get(id);
  }

  /** Forgets the queued writes of a key; returns the newest, if there was one. */
  remove(id: string): PendingWrite | undefined {
    const write = this.pending.get(id) ?? this.inflight.get(id);
    this.pending.delete(id);
    this.inflight.delete(id);
    return write;
  }

  /** Forgets every queued write matching `predicate`; returns them. */
  removeWhere(predicate: (write: PendingWrite) => boolean): PendingWrite[] {
    const removed: PendingWrite[] = [];
    for (const map of [this.pending, this.inflight]) {
      for (const [id, write] of map) {
        if (!predicate(write)) continue;
        map.delete(id);
        removed.push(write);
      }
    }
    return removed;
  }

  /** Every queued write, newest per key (for `keys()`). */
  *writes(): IterableIterator<PendingWrite> {
    for (const write of this.inflight.values()) if (!this.pending.has(write.id)) yield write;
    yield* this.pending.values();
  }

  /**
   * Resolves once the batch being written (if any) has landed or failed. A removal waits for it
   * before reaching L2: a store's setMany need not be atomic, and a removal interleaved with it
   * could otherwise be overtaken by the rest of the batch.
   */
  async idle(): Promise<void> {
    const writing = this.writing;
    if (writing !== undefined) await writing.catch(() => undefined);
  }

  /** Writes everything queued now; resolves false when a batch failed (it stays queued). */
  flush(): Promise<boolean> {
    this.flushOwed = Math.max(this.flushOwed, this.pending.size);
    return this.startLoop();
  }

  /** Stops the timer, flushes, and drops (counting) whatever could not be written. */
  async close(): Promise<boolean> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const ok = await this.flush();
    if (!ok) for (const write of [...this.pending.values()]) this.drop(write, "unflushed at close");
    return ok;
  }

  private startLoop(): Promise<boolean> {
    return (this.loop ??= this.runLoop());
  }

  private async runLoop(): Promise<boolean> {
    // Yield once so `this.loop` is assigned before the body can finish and clear it.
    await undefined;
    try {
      for (;;) {
        const size = this.pending.size;
        if (size === 0 || (this.flushOwed === 0 && size < this.settings.batchSize)) {
          this.flushOwed = 0;
          return true;
        }
        if (!(await this.writeBatch())) return false;
      }
    } finally {
      this.loop = undefined;
    }
  }

  private async writeBatch(): Promise<boolean> {
    const now = this.hooks.now();
    const batch: PendingWrite[] = [];
    for (const [id, write] of this.pending) {
      this.pending.delete(id);
      this.inflight.set(id, write);
      batch.push(write);
      if (batch.length >= this.settings.batchSize) break;
    }
    this.flushOwed = Math.max(0, this.flushOwed - batch.length);
    if (batch.length === 0) return true;
    const started = performance.now();
    let error: unknown;
    try {
      await (this.writing = this.writeToStore(batch, now));
    } catch (caught) {
      error = caught ?? new CacheStoreError("write-back batch failed");
    } finally {
      this.writing = undefined;
    }
    for (const write of batch) {
      if (this.inflight.get(write.id) !== write) continue;
      this.inflight.delete(write.id);
      if (error !== undefined && !this.pending.has(write.id)) this.pending.set(write.id, write);
    }
    this.hooks.flushed(batch, performance.now() - started, error);
    return error === undefined;
  }

  /**
   * Writes a batch. A write that expired while queued still supersedes what L2 holds from an
   * older flush, so it becomes a delete rather than being skipped.
   */
  private async writeToStore(batch: readonly PendingWrite[], now: number): Promise<void> {
    const byNamespace = new Map<string, [string, StoreEntry][]>();
    const expired: PendingWrite[] = [];
    for (const write of batch) {
      if (!isLive(write.entry, now)) {
        expired.push(write);
        continue;
      }
      let entries = byNamespace.get(write.namespace);
      if (!entries) byNamespace.set(write.namespace, (entries = []));
      entries.push([write.key, write.entry]);
    }
    for (const [namespace, entries] of byNamespace) {
      try {
        await this.store.setMany(entries, namespace);
      } catch (error) {
        if (!isCallerError(error)) throw error;
        await this.writeOneByOne(batch, namespace);
      }
    }
    for (const write of expired) await this.store.delete(write.key, write.namespace);
  }

  private async writeOneByOne(batch: readonly PendingWrite[], namespace: string): Promise<void> {
    for (const write of batch) {
      if (write.namespace !== namespace || !isLive(write.entry, this.hooks.now())) continue;
      try {
        await this.store.set(write.key, namespace, write.entry);
      } catch (error) {
        if (!isCallerError(error)) throw error;
        if (this.inflight.get(write.id) === write) this.inflight.delete(write.id);
        this.hooks.dropped(write, error);
      }
    }
  }

  private async makeRoom(): Promise<void> {
    while (this.pending.size > this.settings.maxQueue) {
      if (await this.startLoop()) continue;
      // L2 is failing: keep the newest maxQueue writes rather than grow without bound.
      for (const write of this.pending.values()) {
        if (this.pending.size <= this.settings.maxQueue) break;
        this.drop(write, "write-back queue full while L2 fails");
      }
      return;
    }
  }

  private drop(write: PendingWrite, reason: string): void {
    this.pending.delete(write.id);
    this.hooks.dropped(
      write,
      new CacheStoreError(
        `${reason}: write of key "${write.key}" (namespace "${write.namespace}") dropped`,
      ),
    );
  }
}

export function isLive(entry: StoreEntry, now: number): boolean {
  return entry.expiresAt === 0 || entry.expiresAt > now;
}

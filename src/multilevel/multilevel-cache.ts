/**
 * MultiLevelCache: an in-memory L1 over an optional persistent or shared L2, with write-through,
 * write-back and write-around, promotion and demotion, one loader per key, grace (stale-if-error)
 * and fail-safe L2 access. See docs/multilevel.md.
 *
 * The L1 hit of `get` is the hot path: one L1 lookup, no allocation beyond the call's promise, one
 * call to the read observer when there is one (analytics, or the `access` event's listeners), and
 * durations measured only then, on one L1 hit in `latencySampleEvery` (the clock costs about as
 * much as the hit).
 */
import { CacheClosedError, CacheConfigError, CacheStoreError } from "../core/errors.js";
import type { TypedEmitter } from "../core/events.js";
import { assertKey, composeKey, DEFAULT_NAMESPACE } from "../core/keys.js";
import { MemoryStore } from "../stores/memory.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "../stores/store.js";
import { BusLink, createBus } from "./bus-link.js";
import { CacheEmitter } from "./cache-emitter.js";
import { tallyHit } from "./hit-tally.js";
import { elapsedUs, notifyRead, ReadObservers } from "./read-observers.js";
import type { CacheContext, LoadOutcome } from "./context.js";
import { FailSafeL2 } from "./fail-safe.js";
import { isStale } from "./freshness.js";
import { createL2, createLock, unguarded, type LockSetup } from "./l2-factory.js";
import { load, type Loader } from "./load-path.js";
import { resolveMultiLevelOptions, type ResolvedMultiLevelOptions } from "./options.js";
import { readBelowL1 } from "./read-path.js";
import { registerSignalFlush } from "./signals.js";
import { SingleFlight } from "./single-flight.js";
import { buildStats, CacheCounters } from "./stats.js";
import {
  WritePolicy,
  type AccessResult,
  type CacheEvents,
  type CallOptions,
  type GetOrSetOptions,
  type MultiLevelCacheOptions,
  type MultiLevelCacheStats,
  type ReadObserver,
  type SetOptions,
} from "./types.js";
import { WriteBackQueue } from "./write-back.js";
import { clearEntries, deleteEntry, invalidateTag, writeEntry } from "./write-path.js";
import { WriteTracker } from "./write-tracker.js";

export class MultiLevelCache {
  /** The in-memory tier. */
  readonly l1: MemoryStore;
  /** The persistent or shared tier, when configured. */
  readonly l2: CacheStore | undefined;
  readonly events: TypedEmitter<CacheEvents>;
  /** Who sees every read: analytics, and {@link emitter} while `access` has listeners. */
  private readonly readObservers = new ReadObservers(() => this.l1.slotCounters());
  /** {@link events}: a read observer of its own while `access` has listeners. */
  private readonly emitter: CacheEmitter = new CacheEmitter(
    (event) => this.listenToL1(event),
    (listening) => {
      if (listening) this.readObservers.add(this.emitter);
      else this.readObservers.remove(this.emitter);
    },
  );
  readonly options: Readonly<ResolvedMultiLevelOptions>;

  private readonly ctx: CacheContext;
  private readonly counters = new CacheCounters();
  private readonly failSafeL2: FailSafeL2 | undefined;
  private readonly queue: WriteBackQueue | undefined;
  private readonly busLink: BusLink | undefined;
  private readonly ownsL2: boolean;
  private readonly ownsBus: boolean;
  private readonly lock: LockSetup | undefined;
  private readonly unregisterSignals: (() => void) | undefined;
  /** Read observers get one L1 hit in `latencySampleEvery` timed: reads until the next. */
  private untilTimed = 1;
  /** Background L2 failures (sweeps), counted like any other L2 error once the tier is up. */
  private onL2Error: (operation: string, error: unknown) => void = () => undefined;
  private closed = false;
  /** False while the bus is disconnected: L1 may hold what another process changed. */
  private l1Trusted = true;
  private closing: Promise<void> | undefined;

  constructor(options?: MultiLevelCacheOptions) {
    this.events = this.emitter;
    const resolved = resolveMultiLevelOptions(options);
    this.options = resolved;
    const { l2 } = resolved;
    this.l2 =
      l2.kind === "store"
        ? l2.store
        : l2.kind === "config"
          ? createL2(l2.config, resolved.clock, (operation, error) =>
              this.onL2Error(operation, error),
            )
          : undefined;
    this.ownsL2 = l2.kind === "config";
    try {
      this.l1 = new MemoryStore(resolved.l1);
    } catch (error) {
      if (this.ownsL2) void this.l2?.close().catch(() => undefined);
      throw error;
    }
    const onError = (operation: string, error: unknown): void => {
      this.events.emit("error", { tier: "l2", operation, error });
    };
    this.onL2Error = (operation, error) => this.failSafeL2?.report(operation, error);
    this.failSafeL2 =
      this.l2 === undefined ? undefined : new FailSafeL2(this.l2, resolved.failSafe, onError);
    if (this.l2 !== undefined && resolved.writePolicy === WritePolicy.WRITE_BACK) {
      this.queue = new WriteBackQueue(this.l2, resolved.writeBack, {
        now: () => resolved.clock.now(),
        flushed: (batch, durationMs, error) => {
          if (error === undefined) {
            this.counters.flushes++;
            this.counters.flushedEntries += batch.length;
          } else {
            this.failSafeL2!.report("write-back flush", error);
          }
          if (this.events.hasListeners("flush")) {
            this.events.emit("flush", { entries: batch.length, durationMs, error, batch });
          }
        },
        dropped: (_write, error) => {
          this.counters.droppedWrites++;
          this.events.emit("error", { tier: "l2", operation: "write-back", error });
        },
      });
    }
    const tracker = new WriteTracker();
    const flights = new SingleFlight<LoadOutcome>();
    const bus = createBus(resolved.bus);
    this.ownsBus = bus !== undefined && !bus.given;
    this.busLink =
      bus === undefined
        ? undefined
        : new BusLink(bus.bus, {
            l1: this.l1,
            tracker,
            flights,
            onError,
            setL1Trusted: (trusted) => {
              this.l1Trusted = trusted;
            },
          });
    this.lock = createLock(options ?? {});
    this.ctx = {
      l1: this.l1,
      l2: this.failSafeL2,
      queue: this.queue,
      tracker,
      flights,
      counters: this.counters,
      events: this.events,
      options: resolved,
      l1TtlMs: this.l1.options.ttlMs,
      lock: this.lock,
      publish: this.busLink?.publish,
    };
    this.wireL1Events();
    if (this.queue !== undefined && resolved.writeBack.flushOnSignals) {
      this.unregisterSignals = registerSignalFlush(() => this.flush());
    }
  }

  /**
   * The value, or `undefined` on a miss. Stale (grace) values are never returned here.
   *
   * The L1 hit returns without an `await` anywhere in this function: an async function that
   * awaits (even on a branch not taken) keeps its locals in a heap context, which costs the hot
   * path about a third of its speed. Misses continue in `getBelowL1`.
   */
  async get<T = unknown>(key: string, options?: CallOptions): Promise<T | undefined> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    const namespace =
      options === undefined ? DEFAULT_NAMESPACE : (options.namespace ?? DEFAULT_NAMESPACE);
    const reader = this.readObservers.current;
    const started = reader !== undefined && --this.untilTimed === 0 ? this.startTiming() : -1;
    // A policy may hash the key on a miss: a non-string must fail as a CacheKeyError first.
    if (typeof key !== "string" || typeof namespace !== "string") {
      assertKey(key);
      assertKey(namespace, "namespace");
    }
    const l1 = this.l1;
    const slot = this.l1Trusted ? l1.lookup(key, namespace) : -1;
    if (slot !== -1) {
      const staleAt = l1.staleAtOf(slot);
      if (staleAt === 0 || staleAt > this.options.clock.now()) {
        this.counters.l1Hits++;
        if (reader !== undefined) this.observeHit(reader, key, namespace, started, slot);
        return l1.valueAt(slot) as T;
      }
    }
    return this.getBelowL1<T>(key, namespace, reader !== undefined, started);
  }

  private getBelowL1<T>(
    key: string,
    namespace: string,
    listening: boolean,
    started: number,
  ): Promise<T | undefined> {
    this.counters.l1Misses++;
    assertKey(key);
    assertKey(namespace, "namespace");
    if (!listening) {
      return readBelowL1(this.ctx, key, namespace).then(this.freshValue) as Promise<T | undefined>;
    }
    // A read below L1 is always timed: next to an L2 read, the clock costs nothing.
    if (started < 0) started = performance.now();
    return readBelowL1(this.ctx, key, namespace).then((entry) => {
      const value = this.freshValue(entry);
      this.readDone(key, namespace, value === undefined ? "miss" : "l2_hit", started);
      return value as T | undefined;
    });
  }

  /** The value of an entry read below L1, or undefined when absent or stale. */
  private readonly freshValue = (entry: StoreEntry | undefined): unknown =>
    entry === undefined || isStale(entry.staleAt, this.options.clock.now())
      ? undefined
      : entry.value;

  /**
   * The cached value, or the loader's, stored with `options` (ttl, tags, grace). Concurrent
   * callers of one key share one loader run; see docs/multilevel.md for the guarantees. Like
   * `get`, the L1 hit never awaits; misses continue in `loadOnMiss`.
   */
  async getOrSet<T>(key: string, loader: Loader<T>, options?: GetOrSetOptions): Promise<T> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    if (typeof loader !== "function") {
      throw new CacheConfigError("getOrSet.loader", "expected a function");
    }
    const namespace =
      options === undefined ? DEFAULT_NAMESPACE : (options.namespace ?? DEFAULT_NAMESPACE);
    const reader = this.readObservers.current;
    const started = reader !== undefined && --this.untilTimed === 0 ? this.startTiming() : -1;
    if (typeof key !== "string" || typeof namespace !== "string") {
      assertKey(key);
      assertKey(namespace, "namespace");
    }
    const l1 = this.l1;
    const slot = this.l1Trusted ? l1.lookup(key, namespace) : -1;
    let stale: StoreEntry | undefined;
    if (slot !== -1) {
      const staleAt = l1.staleAtOf(slot);
      if (staleAt === 0 || staleAt > this.options.clock.now()) {
        this.counters.l1Hits++;
        if (reader !== undefined) this.observeHit(reader, key, namespace, started, slot);
        return l1.valueAt(slot) as T;
      }
      stale = l1.entryAt(slot);
    }
    return this.loadOnMiss(key, namespace, loader, options, stale, reader !== undefined, started);
  }

  private async loadOnMiss<T>(
    key: string,
    namespace: string,
    loader: Loader<T>,
    options: GetOrSetOptions | undefined,
    stale: StoreEntry | undefined,
    listening: boolean,
    started: number,
  ): Promise<T> {
    this.counters.l1Misses++;
    assertKey(key);
    assertKey(namespace, "namespace");
    if (listening && started < 0) started = performance.now();
    const outcome = await load(this.ctx, key, namespace, loader, options, stale);
    if (listening) this.readDone(key, namespace, outcome.result, started);
    return outcome.value as T;
  }

  /**
   * Calls `observer.onRead` on every `get`/`getOrSet` read, with the arguments of an `access`
   * event but no payload object: the cheap way to record every read (CacheAnalytics uses it).
   * Returns a function that stops it.
   */
  observeReads(observer: ReadObserver): () => void {
    if (typeof observer?.onRead !== "function") {
      throw new CacheConfigError("observeReads.observer", "expected an object with onRead()");
    }
    return this.readObservers.add(observer);
  }

  /** Stores a value in the tiers the write policy names. */
  async set(key: string, value: unknown, options?: SetOptions): Promise<void> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    const namespace = options?.namespace ?? DEFAULT_NAMESPACE;
    await writeEntry(this.ctx, key, namespace, value, options);
  }

  /** True when a fresh value is cached (no stats, no promotion). */
  async has(key: string, options?: CallOptions): Promise<boolean> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    const namespace = options?.namespace ?? DEFAULT_NAMESPACE;
    assertKey(key);
    assertKey(namespace, "namespace");
    const now = this.options.clock.now();
    const slot = this.l1Trusted ? this.l1.peek(key, namespace) : -1;
    if (slot !== -1 && !isStale(this.l1.staleAtOf(slot), now)) return true;
    const queued = this.queue?.find(composeKey(namespace, key));
    if (queued !== undefined) return isFresh(queued.entry, now);
    if (this.failSafeL2 === undefined) return false;
    const entry = await this.failSafeL2.get(key, namespace);
    return entry !== undefined && isFresh(entry, this.options.clock.now());
  }

  /** Removes a key from every tier; true when a live entry was removed. */
  async delete(key: string, options?: CallOptions): Promise<boolean> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    return deleteEntry(this.ctx, key, options?.namespace ?? DEFAULT_NAMESPACE);
  }

  /** Removes every entry of `namespace` from every tier, or everything when it is omitted. */
  async clear(namespace?: string): Promise<void> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    await clearEntries(this.ctx, namespace);
  }

  /** Removes every entry carrying `tag`, in every namespace and tier. */
  async invalidateTag(tag: string): Promise<number> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    return invalidateTag(this.ctx, tag);
  }

  /**
   * Lists the keys held in any tier, each once: of one namespace or of all. Includes stale entries
   * kept for grace. Order is unspecified.
   */
  async *keys(namespace?: string): AsyncIterable<NamespacedKey> {
    if (this.closed) throw new CacheClosedError("MultiLevelCache");
    if (namespace !== undefined) assertKey(namespace, "namespace");
    const seen = new Set<string>();
    const now = this.options.clock.now();
    const fresh = (ns: string, key: string): boolean => {
      const id = composeKey(ns, key);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    };
    for await (const { namespace: ns, key } of this.l1.keys(namespace))
      if (fresh(ns, key)) yield { namespace: ns, key };
    if (this.queue !== undefined) {
      // A queued write is newer than L2's copy: an expired one hides the key from L2's listing.
      for (const write of this.queue.writes()) {
        if (namespace !== undefined && write.namespace !== namespace) continue;
        if (fresh(write.namespace, write.key) && isLive(write.entry, now)) {
          yield { namespace: write.namespace, key: write.key };
        }
      }
    }
    if (this.failSafeL2 !== undefined) {
      for await (const { namespace: ns, key } of this.failSafeL2.keys(namespace))
        if (fresh(ns, key)) yield { namespace: ns, key };
    }
  }

  /** Writes every queued write-back entry to L2 now; resolves false when L2 refused a batch. */
  async flush(): Promise<boolean> {
    return this.queue === undefined ? true : this.queue.flush();
  }

  getStats(): MultiLevelCacheStats {
    const l2 =
      this.failSafeL2 === undefined
        ? undefined
        : { store: unguarded(this.failSafeL2.store), errors: this.failSafeL2.errors };
    return buildStats({
      counters: this.counters,
      l1: this.l1,
      l2,
      queueDepth: this.queue?.depth ?? 0,
    });
  }

  /**
   * Flushes write-back, stops listening to the bus, and closes the tiers and bus this cache built
   * (a store or bus passed in stays open). Idempotent. Writes that could not be flushed are
   * counted in `droppedWrites` and reported as `error`; with `failSafe: false` close then rejects.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.unregisterSignals?.();
    const before = this.counters.droppedWrites;
    if (this.queue !== undefined) await this.queue.close();
    this.busLink?.detach();
    if (this.ownsBus) await this.closeQuietly("bus.close", () => this.busLink!.bus.close());
    if (this.lock?.owned)
      await this.closeQuietly("distributedLock.close", () => this.lock!.lock.close());
    if (this.ownsL2 && this.l2 !== undefined)
      await this.closeQuietly("close", () => this.l2!.close());
    await this.l1.close();
    const lost = this.counters.droppedWrites - before;
    if (lost > 0 && !this.options.failSafe) {
      throw new CacheStoreError(`close: ${lost} write-back entries could not be written to L2`);
    }
  }

  private async closeQuietly(operation: string, close: () => Promise<void>): Promise<void> {
    try {
      await close();
    } catch (error) {
      this.events.emit("error", { tier: "l2", operation, error });
    }
  }

  /** Tells the read observers of an L1 hit, or adds it to their tally when they let it be. */
  private observeHit(
    reader: ReadObserver,
    key: string,
    namespace: string,
    started: number,
    slot: number,
  ): void {
    const durationUs = elapsedUs(started);
    const tally = this.readObservers.tally;
    if (tally !== undefined && tallyHit(tally, slot, durationUs)) return;
    notifyRead(reader, key, namespace, "l1_hit", durationUs, slot);
  }

  /** Tells the read observers of a read answered below L1 (those observing now). */
  private readDone(key: string, namespace: string, result: AccessResult, started: number): void {
    const reader = this.readObservers.current;
    if (reader === undefined) return;
    notifyRead(reader, key, namespace, result, elapsedUs(started), -1);
  }

  /** Starts timing this read, and counts down to the next L1 hit to time. */
  private startTiming(): number {
    this.untilTimed = this.options.latencySampleEvery;
    return performance.now();
  }

  /** What L1 must report: evictions under write-back (demotions) or when someone listens. */
  private wireL1Events(): void {
    if (this.queue !== undefined) this.listenToL1("demote");
  }

  private listenedToL1 = { evict: false, expire: false };

  private listenToL1(event: keyof CacheEvents): void {
    if ((event === "evict" || event === "demote") && !this.listenedToL1.evict) {
      this.listenedToL1.evict = true;
      const queue = this.queue;
      this.l1.events.on("evict", ({ key, namespace, reason }) => {
        // Under write-back an evicted entry may not be in L2 yet: its queued write demotes it.
        if (queue?.find(composeKey(namespace, key)) !== undefined) {
          this.counters.demotions++;
          if (this.events.hasListeners("demote")) this.events.emit("demote", { key, namespace });
        }
        if (this.events.hasListeners("evict")) {
          this.events.emit("evict", { key, namespace, tier: "l1", reason });
        }
      });
    }
    if (event === "expire" && !this.listenedToL1.expire) {
      this.listenedToL1.expire = true;
      this.l1.events.on("expire", ({ key, namespace }) => {
        this.events.emit("expire", { key, namespace, tier: "l1" });
      });
    }
  }
}

function isLive(entry: StoreEntry, now: number): boolean {
  return entry.expiresAt === 0 || entry.expiresAt > now;
}

function isFresh(entry: StoreEntry, now: number): boolean {
  return isLive(entry, now) && !isStale(entry.staleAt, now);
}

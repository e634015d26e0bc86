/**
 * Refresh-ahead: an entry written by `getOrSet` is tracked with its loader (from the cache's
 * `load` event); once `at` of its fresh TTL has passed, it is reloaded in the background if it is
 * hot, that is read at least `minAccesses` times within `window`. A cold entry is dropped from
 * tracking and left to expire.
 *
 * The refresh runs the loader itself and stores the result with `cache.set` (same ttl and grace,
 * the entry's current tags). Refreshes of one key never overlap, at most `concurrency` run at once,
 * and a result is dropped when the entry was written, deleted or invalidated while its loader ran,
 * so a refresh can never bring back what was invalidated. The cache's own single-flight covers
 * `getOrSet` callers; a refresh does not join it: it starts while the entry is still fresh, so
 * those callers hit, and only a loader slower than the remaining TTL lets both run.
 */
import type { Clock } from "../core/clock.js";
import { toMillis } from "../core/duration.js";
import { composeKey } from "../core/keys.js";
import type { MultiLevelCache } from "../multilevel/multilevel-cache.js";
import type { CacheEvents, GetOrSetOptions } from "../multilevel/types.js";
import { DeadlineHeap } from "./deadline-heap.js";
import type { ResolvedRefreshAhead } from "./options.js";
import type { CacheInvalidatorStats, InvalidationScheduler } from "./types.js";

interface Candidate {
  id: string;
  key: string;
  namespace: string;
  loader: () => unknown;
  options: GetOrSetOptions | undefined;
  tags: readonly string[] | undefined;
  /** Epoch ms of the next refresh; 0 when none is due (not written yet, or never expires). */
  refreshAt: number;
  /** Epoch ms when the written value stops being fresh. */
  freshUntil: number;
  windowMs: number;
  /** The last `minAccesses` read times, as a ring. */
  reads: Float64Array;
  nextRead: number;
  generation: number;
  version: number;
  running: boolean;
}

export interface RefreshReporter {
  refreshed(key: string, namespace: string, error: unknown): void;
}

export class RefreshAhead {
  private readonly byNamespace = new Map<string, Map<string, Candidate>>();
  /** Every candidate by id, least recently written first. */
  private readonly tracked = new Map<string, Candidate>();
  private readonly due = new DeadlineHeap();
  private readonly queue: Candidate[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly cache: MultiLevelCache,
    private readonly options: ResolvedRefreshAhead,
    private readonly clock: Clock,
    private readonly stats: CacheInvalidatorStats["refresh"],
    private readonly reporter: RefreshReporter,
  ) {}

  start(scheduler: InvalidationScheduler): void {
    const events = this.cache.events;
    this.unsubscribe.push(
      events.on("load", (e) => this.loaded(e)),
      events.on("set", (e) => this.written(e)),
      events.on("access", (e) => this.accessed(e)),
      events.on("delete", ({ key, namespace }) => this.forget(this.find(key, namespace))),
      events.on("clear", ({ namespace }) => {
        for (const c of [...this.tracked.values()])
          if (namespace === undefined || c.namespace === namespace) this.forget(c);
      }),
      events.on("invalidateTag", ({ tag }) => {
        for (const c of [...this.tracked.values()])
          if (c.tags?.includes(tag) === true) this.forget(c);
      }),
      scheduler.every(this.options.checkIntervalMs, () => this.check()),
    );
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Resolves when no refresh is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts the refreshes that are due. */
  check(): void {
    const now = this.clock.now();
    for (let item = this.due.popDue(now); item; item = this.due.popDue(now)) {
      const candidate = this.tracked.get(item.id);
      if (candidate !== undefined && candidate.version === item.version)
        this.reached(candidate, now);
    }
  }

  private find(key: string, namespace: string): Candidate | undefined {
    return this.byNamespace.get(namespace)?.get(key);
  }

  private loaded(e: CacheEvents["load"]): void {
    if (e.error !== undefined || e.loader === undefined) return;
    const previous = this.find(e.key, e.namespace);
    if (previous !== undefined) this.forget(previous);
    const candidate: Candidate = {
      id: composeKey(e.namespace, e.key),
      key: e.key,
      namespace: e.namespace,
      loader: e.loader,
      options: e.options,
      tags: e.options?.tags,
      refreshAt: 0,
      freshUntil: 0,
      windowMs: 0,
      reads: new Float64Array(this.options.minAccesses).fill(-Infinity),
      nextRead: 0,
      generation: 0,
      version: 0,
      running: false,
    };
    let keys = this.byNamespace.get(e.namespace);
    if (keys === undefined) this.byNamespace.set(e.namespace, (keys = new Map()));
    keys.set(e.key, candidate);
    this.tracked.set(candidate.id, candidate);
    this.stats.tracked = this.tracked.size;
    if (this.tracked.size > this.options.maxTracked) {
      this.forget(this.tracked.values().next().value);
    }
  }

  private written(e: CacheEvents["set"]): void {
    const candidate = this.find(e.key, e.namespace);
    if (candidate === undefined) return;
    candidate.generation++;
    candidate.tags = e.tags;
    candidate.version++;
    // Keep the least recently written first, for maxTracked.
    this.tracked.delete(candidate.id);
    this.tracked.set(candidate.id, candidate);
    if (e.expiresAt === 0) {
      candidate.refreshAt = 0;
      return;
    }
    const now = this.clock.now();
    const freshMs = Math.max(0, e.expiresAt - now - this.graceOf(candidate));
    candidate.freshUntil = now + freshMs;
    candidate.refreshAt = now + Math.floor(freshMs * this.options.at);
    candidate.windowMs = this.options.windowMs ?? freshMs;
    this.due.push(candidate.refreshAt, candidate.id, candidate.version);
  }

  private accessed(e: CacheEvents["access"]): void {
    if (e.result !== "l1_hit" && e.result !== "l2_hit") return;
    const candidate = this.find(e.key, e.namespace);
    if (candidate === undefined) return;
    const now = this.clock.now();
    candidate.reads[candidate.nextRead] = now;
    candidate.nextRead = (candidate.nextRead + 1) % candidate.reads.length;
    if (candidate.refreshAt !== 0 && candidate.refreshAt <= now) this.reached(candidate, now);
  }

  private reached(candidate: Candidate, now: number): void {
    if (candidate.running || candidate.refreshAt === 0 || candidate.refreshAt > now) return;
    candidate.refreshAt = 0;
    if (now >= candidate.freshUntil) {
      // Too late: the value went stale unseen; the next getOrSet loads it again.
      this.forget(candidate);
      return;
    }
    // The oldest of the last minAccesses reads is in the slot written next.
    const oldest = candidate.reads[candidate.nextRead];
    if (oldest < now - candidate.windowMs) {
      this.stats.skippedCold++;
      this.forget(candidate);
      return;
    }
    candidate.running = true;
    this.queue.push(candidate);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const candidate = this.queue.shift()!;
      this.running++;
      void this.refresh(candidate).finally(() => {
        candidate.running = false;
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private async refresh(candidate: Candidate): Promise<void> {
    const generation = candidate.generation;
    let value: unknown;
    try {
      value = await candidate.loader();
    } catch (error) {
      this.stats.errors++;
      this.reporter.refreshed(candidate.key, candidate.namespace, error);
      return;
    }
    if (this.tracked.get(candidate.id) !== candidate || candidate.generation !== generation) {
      this.stats.discarded++;
      return;
    }
    if (value === undefined) return;
    const { ttl, grace } = candidate.options ?? {};
    try {
      await this.cache.set(candidate.key, value, {
        namespace: candidate.namespace,
        ttl,
        grace,
        tags: candidate.tags,
      });
    } catch (error) {
      this.stats.errors++;
      this.reporter.refreshed(candidate.key, candidate.namespace, error);
      return;
    }
    this.stats.refreshes++;
    this.reporter.refreshed(candidate.key, candidate.namespace, undefined);
  }

  private graceOf(candidate: Candidate): number {
    const grace = candidate.options?.grace;
    // The cache accepted this grace when it stored the entry, so it parses.
    return grace === undefined ? this.cache.options.graceMs : toMillis(grace, "grace");
  }

  private forget(candidate: Candidate | undefined): void {
    if (candidate === undefined) return;
    this.tracked.delete(candidate.id);
    const keys = this.byNamespace.get(candidate.namespace);
    keys?.delete(candidate.key);
    if (keys?.size === 0) this.byNamespace.delete(candidate.namespace);
    candidate.generation++;
    candidate.version++;
    this.stats.tracked = this.tracked.size;
  }
}

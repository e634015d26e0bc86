/**
 * CacheWarmer: learns from a MultiLevelCache's events which keys are used, how often, when and by
 * whom, and brings the likely-needed ones into L1 before they are asked for: on demand (`warm`,
 * `warmFor(user)`) or in the background. See docs/warming.md.
 *
 * It talks to the cache only through its public members: events in, `l1`/`l2` and `set` out.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { CacheClosedError, CacheConfigError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { assertKey, composeKey, DEFAULT_NAMESPACE } from "../core/keys.js";
import type { CacheEvents } from "../multilevel/types.js";
import { AccessLog } from "./access-log.js";
import { loadAccessLog, saveAccessLog, WARMING_NAMESPACE } from "./access-log-store.js";
import { ChangeGuard } from "./change-guard.js";
import { LoadPool } from "./load-pool.js";
import { resolveWarmerOptions, type ResolvedWarmerOptions } from "./options.js";
import type {
  CacheWarmerEvents,
  CacheWarmerOptions,
  CacheWarmerStats,
  WarmRunResult,
} from "./types.js";
import { WarmingStrategy } from "./types.js";
import { runWarming, type RunContext, type RunRequest } from "./warm-run.js";

type Totals = Omit<CacheWarmerStats, "trackedKeys" | "maxKeys">;

export class CacheWarmer {
  readonly events = new TypedEmitter<CacheWarmerEvents>();
  readonly options: Readonly<ResolvedWarmerOptions>;
  /** What the warmer has learned; read it to inspect, never write it. */
  readonly accessLog: AccessLog;

  private readonly pool: LoadPool;
  private readonly guard = new ChangeGuard();
  private readonly selfWrites = new Map<string, number>();
  private readonly scope = new AsyncLocalStorage<string>();
  private readonly contextOf: () => string | undefined;
  private readonly totals: Totals = {
    runs: 0,
    warmedFromL2: 0,
    warmedFromLoader: 0,
    warmedHits: 0,
    warmedUsed: 0,
    alreadyInL1: 0,
    skippedNoSource: 0,
    skippedByCapacity: 0,
    displaced: 0,
    loaderErrors: 0,
    loaderTimeouts: 0,
    storeErrors: 0,
    timeMs: 0,
  };
  private readonly detach: () => void;
  /** Runs execute one after another along this chain. */
  private chain: Promise<unknown> = Promise.resolve();
  private stopController = new AbortController();
  private background = false;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private loading: Promise<number> | undefined;
  private savedAt = performance.now();
  private closed = false;

  constructor(options: CacheWarmerOptions) {
    this.options = resolveWarmerOptions(options);
    const o = this.options;
    this.accessLog = new AccessLog(o.log, o.clock);
    this.pool = new LoadPool({
      concurrency: o.loaderConcurrency,
      rate: o.loaderRate,
      burst: o.loaderBurst,
      timeoutMs: o.loaderTimeoutMs,
    });
    this.contextOf = o.context ?? (() => this.scope.getStore());
    this.detach = this.listen();
  }

  /**
   * Records one access by hand: for reads that do not go through this cache, or with
   * `recordEvents: false`. Reads through the cache are recorded already; attribute them to a
   * user with `withContext` instead of calling this as well.
   */
  recordAccess(
    key: string,
    namespace: string = DEFAULT_NAMESPACE,
    options: { user?: string; weight?: number } = {},
  ): void {
    assertKey(key);
    assertKey(namespace, "namespace");
    const weight = options.weight ?? 1;
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
      throw new CacheConfigError(
        "recordAccess.weight",
        `expected a non-negative number, got ${weight}`,
      );
    }
    this.accessLog.record(key, namespace, weight, options.user ?? this.contextOf());
  }

  /**
   * Runs `fn` with every cache access inside it (across awaits) attributed to `user`, e.g. around
   * one agent session. The attribution feeds `user_specific` warming and `warmFor(user)`.
   */
  withContext<T>(user: string, fn: () => T): T {
    if (typeof user !== "string")
      throw new CacheConfigError("withContext.user", "expected a string");
    return this.scope.run(user, fn);
  }

  /** One run of the configured strategy now; resolves when its entries are in L1. */
  warm(): Promise<WarmRunResult> {
    const strategy = this.options.strategy;
    const user = strategy === WarmingStrategy.USER_SPECIFIC ? this.contextOf() : undefined;
    return this.enqueue({ reason: "manual", strategy, user });
  }

  /** Warms what `user` (or a context: a project, a tenant) usually needs, e.g. at session start. */
  warmFor(user: string): Promise<WarmRunResult> {
    if (typeof user !== "string") throw new CacheConfigError("warmFor.user", "expected a string");
    return this.enqueue({ reason: "user", strategy: WarmingStrategy.USER_SPECIFIC, user });
  }

  /**
   * Loads the saved access log, then warms now and every `warmInterval` (± `jitter`) until
   * `stop()`. Runs never overlap (a run starts only after the previous one and any `warm()` call
   * finished), and a failing run is counted and emitted, never thrown.
   */
  async startBackgroundWarming(): Promise<void> {
    if (this.closed) throw new CacheClosedError("CacheWarmer");
    if (this.background) return;
    this.background = true;
    await this.loadAccessLog();
    if (this.background && this.timer === undefined && this.tick === undefined) this.schedule(0);
  }

  /**
   * Stops background warming: no run starts after this, the run in flight is awaited (its pending
   * loader calls are abandoned), and the access log is saved to L2.
   */
  async stop(): Promise<void> {
    this.background = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopController.abort();
    await this.tick;
    await this.chain;
    this.stopController = new AbortController();
    if (this.options.persist) await this.saveAccessLog();
  }

  /** `stop()`, then stops listening to the cache. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    this.closed = true;
    this.detach();
  }

  /** Saves the access log to L2 now; false when there is no L2 or the save failed (emitted). */
  async saveAccessLog(): Promise<boolean> {
    const l2 = this.options.cache.l2;
    if (l2 === undefined) return false;
    try {
      const { persistName, clock } = this.options;
      await saveAccessLog(l2, persistName, this.accessLog.snapshot(), clock.now());
      this.savedAt = performance.now();
      return true;
    } catch (error) {
      this.storeError("log-save", error);
      return false;
    }
  }

  /**
   * Merges the access log saved in L2 into this one, once (later calls return the same promise);
   * every run waits for it. Resolves to the number of keys read.
   */
  loadAccessLog(): Promise<number> {
    this.loading ??= this.readSavedLog();
    return this.loading;
  }

  getStats(): CacheWarmerStats {
    return {
      ...this.totals,
      trackedKeys: this.accessLog.size,
      maxKeys: this.options.log.maxKeys,
    };
  }

  private async readSavedLog(): Promise<number> {
    const l2 = this.options.cache.l2;
    if (!this.options.persist || l2 === undefined) return 0;
    try {
      const snapshot = await loadAccessLog(l2, this.options.persistName);
      return snapshot === undefined ? 0 : this.accessLog.merge(snapshot);
    } catch (error) {
      this.storeError("log-load", error);
      return 0;
    }
  }

  private enqueue(request: RunRequest): Promise<WarmRunResult> {
    if (this.closed) return Promise.reject(new CacheClosedError("CacheWarmer"));
    const run = this.chain.then(() => this.execute(request));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async execute(request: RunRequest): Promise<WarmRunResult> {
    await this.loadAccessLog();
    this.events.emit("runStart", { ...request });
    const result = await runWarming(this.runContext(), request);
    const t = this.totals;
    t.runs++;
    t.warmedFromL2 += result.fromL2;
    t.warmedFromLoader += result.fromLoader;
    t.alreadyInL1 += result.alreadyInL1;
    t.skippedNoSource += result.skippedNoSource;
    t.skippedByCapacity += result.skippedByCapacity;
    t.displaced += result.displaced;
    t.loaderErrors += result.loaderErrors;
    t.loaderTimeouts += result.loaderTimeouts;
    t.timeMs += result.durationMs;
    this.events.emit("runEnd", result);
    return result;
  }

  private runContext(): RunContext {
    return {
      options: this.options,
      log: this.accessLog,
      pool: this.pool,
      events: this.events,
      guard: this.guard,
      selfWrites: this.selfWrites,
      stop: this.stopController.signal,
      storeError: (operation, error) => this.storeError(operation, error),
    };
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick = this.backgroundRun().finally(() => (this.tick = undefined));
    }, delayMs);
    this.timer.unref();
  }

  /** Never rejects: the timer that calls it has nobody to report to but the events. */
  private async backgroundRun(): Promise<void> {
    if (!this.background) return;
    const { strategy, persist, persistIntervalMs, warmIntervalMs, jitter } = this.options;
    try {
      await this.enqueue({ reason: "background", strategy, user: undefined });
    } catch (error) {
      this.events.emit("error", { operation: "run", key: undefined, namespace: undefined, error });
    }
    if (persist && performance.now() - this.savedAt >= persistIntervalMs)
      await this.saveAccessLog();
    if (this.background) this.schedule(warmIntervalMs * (1 + jitter * (2 * Math.random() - 1)));
  }

  private storeError(operation: "l2-read" | "log-save" | "log-load", error: unknown): void {
    this.totals.storeErrors++;
    this.events.emit("error", { operation, key: undefined, namespace: undefined, error });
  }

  /** Subscribes to the cache; returns the unsubscribe. */
  private listen(): () => void {
    const { cache, recordEvents, log } = this.options;
    const accessLog = this.accessLog;
    const offs: (() => void)[] = [];
    const on = <E extends keyof CacheEvents>(event: E, fn: (p: CacheEvents[E]) => void): void => {
      offs.push(cache.events.on(event, fn));
    };
    on("access", ({ key, namespace, result }) => {
      if (namespace === WARMING_NAMESPACE) return;
      const rec = recordEvents
        ? accessLog.record(key, namespace, 1, this.contextOf())
        : accessLog.get(key, namespace);
      if (result !== "l1_hit") return;
      if (rec === undefined || !rec.warmed) return;
      this.totals.warmedHits++;
      if (!rec.used) {
        rec.used = true;
        this.totals.warmedUsed++;
      }
    });
    on("set", ({ key, namespace, expiresAt }) => {
      this.guard.key(key, namespace);
      if (this.selfWrites.size > 0) {
        const id = composeKey(namespace, key);
        if (this.selfWrites.has(id)) {
          this.selfWrites.set(id, expiresAt);
          return;
        }
      }
      if (recordEvents && namespace !== WARMING_NAMESPACE) {
        accessLog.record(key, namespace, log.setWeight, this.contextOf());
      }
    });
    const left = ({ key, namespace }: { key: string; namespace: string }): void => {
      const rec = accessLog.get(key, namespace);
      if (rec !== undefined) rec.warmed = false;
    };
    on("delete", (p) => {
      this.guard.key(p.key, p.namespace);
      left(p);
    });
    on("evict", (p) => p.tier === "l1" && left(p));
    on("expire", (p) => p.tier === "l1" && left(p));
    on("clear", ({ namespace }) => {
      this.guard.clear(namespace);
      for (const rec of accessLog.records()) {
        if (namespace === undefined || rec.namespace === namespace) rec.warmed = false;
      }
    });
    on("invalidateTag", ({ tag }) => this.guard.tag(tag));
    return () => offs.forEach((off) => off());
  }
}

import { Registry } from "prom-client";
import { systemClock, type Clock } from "../core/clock.js";
import { toMillis } from "../core/duration.js";
import { CacheConfigError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import {
  startDashboard,
  type DashboardOptions,
  type DashboardServer,
} from "../dashboard/server.js";
import { Counter } from "./counters.js";
import type { HistorySeries } from "./history.js";
import { History } from "./history.js";
import { MAX_HOT_KEY_WINDOW, type HotKey } from "./hot-keys.js";
import type { LogLinearHistogram } from "./log-linear-histogram.js";
import { AlertMonitor, type Alert, type MonitoringOptions, type MonitorSample } from "./monitor.js";
import { registerMetrics, type PrometheusView } from "./prometheus.js";
import { DEFAULT_RECOMMENDATION_OPTIONS, type Recommendation } from "./recommendations.js";
import { EventRecorder, latencyHistogram } from "./recorder.js";
import { timerScheduler, type Scheduler } from "./scheduler.js";
import { buildStats, currentTotals, summarize, type StatsContext } from "./stats-report.js";
import type {
  AnalyticsEvents,
  AnalyticsSource,
  CacheAnalyticsOptions,
  ComprehensiveStats,
  RecommendationOptions,
  SemanticSource,
} from "./types.js";

function positiveInteger(value: number | undefined, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new CacheConfigError(path, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Watches a cache through its events: counters per tier and namespace, latency histograms, hot
 * keys, an online miss-ratio curve, recommendations, Prometheus metrics, threshold alerts and a
 * live dashboard. See docs/analytics.md.
 */
export class CacheAnalytics extends TypedEmitter<AnalyticsEvents> {
  /** The prom-client registry holding the `victor_cache_*` metrics. */
  readonly registry: Registry;
  private readonly source: AnalyticsSource;
  private readonly semantic: SemanticSource | undefined;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly recorder: EventRecorder;
  private readonly history: History;
  private readonly hotKeyCount: number;
  private readonly semanticThreshold: number;
  private readonly recommendationOptions: Required<RecommendationOptions>;
  private readonly ownsRegistry: boolean;
  private readonly metricNames: string[];
  private readonly createdAt: number;
  private readonly hasL2: boolean;
  private readonly stopSampling: () => void;
  /** Scratch histogram: every read result merged. */
  private readonly allReads = latencyHistogram();
  /** Scratch histogram: reads within an interval. */
  private readonly delta = latencyHistogram();
  private readonly sampleBaseline = {
    hist: latencyHistogram(),
    totals: undefined as ReturnType<typeof currentTotals> | undefined,
  };
  private monitor: AlertMonitor | undefined;
  private stopMonitor: (() => void) | undefined;
  private readonly monitorBaseline = {
    hist: latencyHistogram(),
    totals: undefined as ReturnType<typeof currentTotals> | undefined,
  };
  private readonly alertLog: Alert[] = [];
  private readonly servers = new Set<DashboardServer>();
  private closed = false;
  private gaugeMemo: Gauges | undefined;

  constructor(options: CacheAnalyticsOptions) {
    super();
    const p = "analytics";
    const cache = options?.cache;
    if (!cache || typeof cache.getStats !== "function" || typeof cache.events?.on !== "function") {
      throw new CacheConfigError(`${p}.cache`, "expected a cache with `events` and `getStats()`");
    }
    if (options.semantic !== undefined && typeof options.semantic.getStats !== "function") {
      throw new CacheConfigError(`${p}.semantic`, "expected a semantic cache with `getStats()`");
    }
    this.source = cache;
    const threshold =
      options.semanticThreshold ?? options.semantic?.options?.similarityThreshold ?? 0.85;
    if (typeof threshold !== "number" || !(threshold >= 0 && threshold <= 1)) {
      throw new CacheConfigError(
        `${p}.semanticThreshold`,
        `expected a number in [0, 1], got ${String(threshold)}`,
      );
    }
    this.semanticThreshold = threshold;
    this.semantic = options.semantic;
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? timerScheduler;
    const window = positiveInteger(options.hotKeyWindow, `${p}.hotKeyWindow`, 1000);
    if (window > MAX_HOT_KEY_WINDOW) {
      throw new CacheConfigError(
        `${p}.hotKeyWindow`,
        `expected at most ${MAX_HOT_KEY_WINDOW} reads, got ${window}`,
      );
    }
    const capacity = positiveInteger(
      options.hotKeyCapacity,
      `${p}.hotKeyCapacity`,
      Math.min(window, 1024),
    );
    this.hotKeyCount = positiveInteger(options.hotKeyCount, `${p}.hotKeyCount`, 10);
    const mrcKeys = positiveInteger(options.mrcSampleKeys, `${p}.mrcSampleKeys`, 32768);
    const mrcRate = samplingRate(
      options.mrcMaxSamplingRate,
      cache.l1?.options.maxSize,
      `${p}.mrcMaxSamplingRate`,
    );
    const maxNamespaces = positiveInteger(options.maxNamespaces, `${p}.maxNamespaces`, 32);
    this.history = new History(positiveInteger(options.historySize, `${p}.historySize`, 300));
    const sampleMs = toMillis(options.sampleInterval ?? 1, `${p}.sampleInterval`);
    if (sampleMs <= 0)
      throw new CacheConfigError(`${p}.sampleInterval`, "expected a positive duration");
    this.recommendationOptions = {
      ...DEFAULT_RECOMMENDATION_OPTIONS,
      ...definedOnly(options.recommendations ?? {}),
    };
    this.hasL2 = cache.getStats().l2 !== undefined;
    this.recorder = new EventRecorder({
      hasL2: this.hasL2,
      maxNamespaces,
      hotKeys: options.trackHotKeys === false ? undefined : { window, capacity },
      mrc:
        options.trackMissRatioCurve === false
          ? undefined
          : { sampleKeys: mrcKeys, maxSamplingRate: mrcRate },
      clock: this.clock,
    });
    this.ownsRegistry = options.registry === undefined;
    this.registry = options.registry ?? new Registry();
    const before = new Set(this.registry.getMetricsAsArray().map((m) => m.name));
    const ours = (): string[] =>
      this.registry
        .getMetricsAsArray()
        .map((m) => m.name)
        .filter((n) => !before.has(n));
    try {
      this.registerMetrics();
    } catch (error) {
      // A second analytics on one registry (or a clashing name): leave the registry as it was.
      for (const name of ours()) this.registry.removeSingleMetric(name);
      throw new CacheConfigError(
        `${p}.registry`,
        `cannot register the victor_cache_* metrics: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    this.metricNames = ours();
    this.recorder.attach(
      cache.events,
      typeof cache.observeReads === "function" ? (o) => cache.observeReads!(o) : undefined,
    );
    this.createdAt = this.clock.now();
    this.stopSampling = this.scheduler.every(sampleMs, () => skipOnError(() => this.sample()));
  }

  /** Everything analytics knows, in one JSON-friendly object. */
  getComprehensiveStats(): ComprehensiveStats {
    return buildStats(this.context());
  }

  /** The recent samples (hit rates per tier, latency percentiles, sizes), oldest first. */
  getTimeSeries(): HistorySeries {
    return this.history.series();
  }

  /** The most read keys over about the last `hotKeyWindow` reads. */
  getHotKeys(count = this.hotKeyCount): HotKey[] {
    this.recorder.settle();
    return this.recorder.hotKeys?.top(count) ?? [];
  }

  /** Predicted LRU hit rate (0..1) of L1 at `size` entries, from the miss-ratio curve. */
  predictHitRate(size: number): number | undefined {
    this.recorder.settle();
    return this.recorder.mrc?.hitRatio(size);
  }

  getRecommendations(): Recommendation[] {
    return this.getComprehensiveStats().recommendations;
  }

  /**
   * Checks thresholds every `intervalSeconds` and emits `alert` / `alertCleared`. Calling it
   * again replaces the previous monitoring.
   */
  async startMonitoring(options: MonitoringOptions = {}): Promise<void> {
    this.assertOpen();
    const monitor = new AlertMonitor(options);
    this.stopMonitoring();
    this.monitor = monitor;
    this.monitorBaseline.totals = currentTotals(this.context());
    this.mergedReads().copyTo(this.monitorBaseline.hist);
    this.stopMonitor = this.scheduler.every(monitor.intervalMs, () =>
      skipOnError(() => this.checkAlerts()),
    );
  }

  stopMonitoring(): void {
    this.stopMonitor?.();
    this.stopMonitor = undefined;
    this.monitor = undefined;
  }

  /** Alerts firing now. */
  activeAlerts(): Alert[] {
    return this.monitor?.active() ?? [];
  }

  /** The last alerts fired or cleared, oldest first. */
  alertHistory(): Alert[] {
    return [...this.alertLog];
  }

  /** Prometheus text exposition of the `victor_cache_*` metrics (and anything else in the registry). */
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get metricsContentType(): string {
    return this.registry.contentType;
  }

  /** Serves `/` (the live dashboard), `/api/stats` and `/metrics` over HTTP. */
  async serve(options: DashboardOptions = {}): Promise<DashboardServer> {
    this.assertOpen();
    const server = await startDashboard(this, options);
    this.servers.add(server);
    const close = server.close.bind(server);
    server.close = async () => {
      this.servers.delete(server);
      await close();
    };
    return server;
  }

  /** Stops listening, sampling and monitoring, closes dashboards and unregisters the metrics. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.recorder.detach();
    this.stopSampling();
    this.stopMonitoring();
    await Promise.all([...this.servers].map((s) => s.close()));
    if (this.ownsRegistry) this.registry.clear();
    else for (const name of this.metricNames) this.registry.removeSingleMetric(name);
  }

  private registerMetrics(): void {
    registerMetrics(this.registry, {
      counters: this.recorder.counters,
      errors: this.recorder.errors,
      latency: [
        ...this.recorder.readLatency.map((histogram, i) => ({
          operation: "get",
          result: READ_RESULT_LABELS[i],
          histogram,
        })),
        { operation: "load", result: "ok", histogram: this.recorder.loadLatency[0] },
        { operation: "load", result: "error", histogram: this.recorder.loadLatency[1] },
      ],
      hasL2: this.hasL2,
      gauges: () => this.gauges(),
      semantic: () => this.semantic?.getStats(),
      settle: () => this.recorder.settle(),
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new CacheConfigError("analytics", "this CacheAnalytics is closed");
  }

  private context(): StatsContext {
    this.recorder.settle();
    return {
      now: this.clock.now(),
      createdAt: this.createdAt,
      source: this.source,
      semantic: this.semantic,
      recorder: this.recorder,
      history: this.history,
      allReads: this.mergedReads(),
      hotKeyCount: this.hotKeyCount,
      semanticThreshold: this.semanticThreshold,
      recommendationOptions: this.recommendationOptions,
      alerts: this.activeAlerts(),
    };
  }

  private mergedReads(): LogLinearHistogram {
    const all = this.allReads;
    all.reset();
    for (const h of this.recorder.readLatency) all.add(h);
    return all;
  }

  private gauges(): Gauges {
    // One scrape calls every metric's collect() in one synchronous pass: compute once per pass.
    if (this.gaugeMemo === undefined) {
      this.gaugeMemo = this.computeGauges();
      queueMicrotask(() => (this.gaugeMemo = undefined));
    }
    return this.gaugeMemo;
  }

  private computeGauges(): Gauges {
    const stats = this.source.getStats();
    const l1 = this.source.l1;
    this.recorder.settle();
    const reads = this.recorder.reads;
    const c = this.recorder.counters;
    const hits = c.total(Counter.L1_HIT) + c.total(Counter.L2_HIT);
    const hotKeys = this.recorder.hotKeys;
    return {
      hitRatio: {
        l1: rate(c.total(Counter.L1_HIT), c.total(Counter.L1_MISS)),
        l2: this.hasL2 ? rate(c.total(Counter.L2_HIT), c.total(Counter.L2_MISS)) : undefined,
        all: reads === 0 ? 0 : hits / reads,
      },
      entries: { l1: stats.l1.size, l2: stats.l2?.size },
      maxEntries: l1?.options.maxSize,
      memoryBytes: l1 && (l1.options.maxBytes ?? 0) > 0 ? l1.getStats().bytes : undefined,
      hotKeyShare: hotKeys
        ? hotKeys.top(this.hotKeyCount).reduce((s, h) => s + h.share, 0)
        : undefined,
      writeBackQueueDepth: stats.writeBackQueueDepth,
      droppedWrites: stats.droppedWrites,
      tagInvalidations: this.recorder.tagInvalidations,
    };
  }

  /** One time-series sample: interval hit rates and latency, sizes. */
  private sample(): void {
    const ctx = this.context();
    const totals = currentTotals(ctx);
    const prev = this.sampleBaseline.totals ?? totals;
    const delta = this.delta;
    delta.setDifference(ctx.allReads, this.sampleBaseline.hist);
    const last = this.history.latest();
    const seconds = last ? Math.max(1e-3, (ctx.now - last.t) / 1000) : 1;
    const reads = totals.reads - prev.reads;
    const stats = this.source.getStats();
    this.history.push({
      t: ctx.now,
      totals,
      hitRate: reads > 0 ? (totals.hits - prev.hits) / reads : null,
      l1HitRate: nullableRate(totals.l1Hits - prev.l1Hits, totals.l1Misses - prev.l1Misses),
      l2HitRate: nullableRate(totals.l2Hits - prev.l2Hits, totals.l2Misses - prev.l2Misses),
      p50Ms: delta.count > 0 ? delta.quantile(0.5) / 1000 : null,
      p95Ms: delta.count > 0 ? delta.quantile(0.95) / 1000 : null,
      p99Ms: delta.count > 0 ? delta.quantile(0.99) / 1000 : null,
      readsPerSec: reads / seconds,
      l1Size: stats.l1.size,
      l2Size: stats.l2?.size ?? null,
      l1Bytes: this.source.l1?.getStats().bytes ?? 0,
    });
    this.sampleBaseline.totals = totals;
    ctx.allReads.copyTo(this.sampleBaseline.hist);
  }

  private checkAlerts(): void {
    const monitor = this.monitor;
    if (!monitor) return;
    const ctx = this.context();
    const totals = currentTotals(ctx);
    const prev = this.monitorBaseline.totals ?? totals;
    const delta = this.delta;
    delta.setDifference(ctx.allReads, this.monitorBaseline.hist);
    const reads = totals.reads - prev.reads;
    const sample: MonitorSample = { memoryBytes: this.memoryBytes() };
    if (reads >= monitor.minRequests && reads > 0) {
      sample.hitRate = (totals.hits - prev.hits) / reads;
      sample.p95LatencyMs = summarize(delta).p95Ms;
      sample.errorRate = (totals.errors - prev.errors) / reads;
    }
    this.monitorBaseline.totals = totals;
    ctx.allReads.copyTo(this.monitorBaseline.hist);
    const { fired, cleared } = monitor.evaluate(sample, ctx.now);
    for (const alert of [...fired, ...cleared]) {
      this.alertLog.push(alert);
      if (this.alertLog.length > 50) this.alertLog.shift();
    }
    for (const alert of fired) this.emit("alert", alert);
    for (const alert of cleared) this.emit("alertCleared", alert);
  }

  /** L1 bytes when the tier measures them (`maxBytes` set), else the process heap. */
  private memoryBytes(): number {
    const l1 = this.source.l1;
    if (l1 && (l1.options.maxBytes ?? 0) > 0) return l1.getStats().bytes;
    return process.memoryUsage().heapUsed;
  }
}

type Gauges = ReturnType<PrometheusView["gauges"]>;

const READ_RESULT_LABELS = ["l1_hit", "l2_hit", "miss", "stale"] as const;

/**
 * The SHARDS rate cap: unless given, enough that about 256 sampled keys lie within the L1 size,
 * which resolves the curve at and above it; higher rates only add cost (see docs/analytics.md).
 */
function samplingRate(
  value: number | undefined,
  l1MaxSize: number | undefined,
  path: string,
): number {
  if (value === undefined) return Math.min(1, 256 / (l1MaxSize ?? 2560));
  if (typeof value !== "number" || !(value > 0 && value <= 1)) {
    throw new CacheConfigError(path, `expected a rate in (0, 1], got ${String(value)}`);
  }
  return value;
}

/**
 * Runs a timer's work; a cache that cannot report right now (closed, its L2 failing) skips that
 * sample or check instead of throwing from a timer, which would take the process down.
 */
function skipOnError(work: () => void): void {
  try {
    work();
  } catch {
    // The next tick tries again.
  }
}

function rate(hits: number, misses: number): number {
  return hits + misses === 0 ? 0 : hits / (hits + misses);
}

function nullableRate(hits: number, misses: number): number | null {
  return hits + misses === 0 ? null : hits / (hits + misses);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

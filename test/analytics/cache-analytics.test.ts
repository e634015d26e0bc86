import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import type { AnalyticsSource, CacheAnalyticsOptions } from "../../src/analytics/types.js";
import { CacheConfigError, ErrorCode } from "../../src/core/errors.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import { ManualTime } from "../helpers/manual-time.js";
import { StandInCache } from "./stand-in-cache.js";

function make(options: Partial<CacheAnalyticsOptions> = {}, cache = new StandInCache(100)) {
  const time = new ManualTime();
  const analytics = new CacheAnalytics({ cache, clock: time, scheduler: time, ...options });
  return { cache, time, analytics };
}

describe("counters", () => {
  it("counts reads per tier and namespace from access results", async () => {
    const { cache, analytics } = make();
    cache.read("a", "l1_hit", 0.01, "tools");
    cache.read("a", "l1_hit", 0.01, "tools");
    cache.read("b", "l2_hit", 3, "tools");
    cache.read("c", "miss", 5, "llm");
    cache.read("d", "stale", 7, "llm");
    const s = analytics.getComprehensiveStats();
    expect(s.reads).toBe(5);
    expect(s.hitRate).toBeCloseTo(3 / 5, 9);
    expect(s.missRate).toBeCloseTo(2 / 5, 9);
    expect(s.perTier.l1).toMatchObject({ hits: 2, misses: 3 });
    expect(s.perTier.l1.hitRate).toBeCloseTo(2 / 5, 9);
    expect(s.perTier.l2).toMatchObject({ hits: 1, misses: 2, errors: 0 });
    expect(s.perNamespace.tools).toMatchObject({ reads: 3, hits: 3, misses: 0, hitRate: 1 });
    expect(s.perNamespace.llm).toMatchObject({ reads: 2, hits: 0, misses: 2, staleServed: 1 });
    expect(s.totals.staleServed).toBe(1);
    // Latency per tier: the L2 hit alone in its histogram, within one bucket (1/16) of 3 ms.
    expect(s.perTier.l2!.latency.count).toBe(1);
    expect(s.perTier.l2!.latency.p50Ms).toBeGreaterThan(3 * (1 - 1 / 16));
    expect(s.perTier.l2!.latency.p50Ms).toBeLessThan(3 * (1 + 1 / 16));
    expect(s.latency.count).toBe(5);
    expect(s.latency.avgMs).toBeCloseTo((0.01 + 0.01 + 3 + 5 + 7) / 5, 9);
    await analytics.close();
  });

  it("counts every other event: sets, deletes, evictions by reason, expirations, promotions, loads, errors", async () => {
    const { cache, analytics } = make();
    const e = cache.events;
    e.emit("set", { key: "k", namespace: "n", tags: undefined, expiresAt: 0 });
    e.emit("set", { key: "k2", namespace: "n", tags: undefined, expiresAt: 0 });
    e.emit("delete", { key: "k", namespace: "n" });
    e.emit("evict", { key: "k", namespace: "n", tier: "l1", reason: "capacity" });
    e.emit("evict", { key: "k", namespace: "n", tier: "l1", reason: "bytes" });
    e.emit("evict", { key: "k", namespace: "n", tier: "l2", reason: "capacity" });
    e.emit("expire", { key: "k", namespace: "n", tier: "l1" });
    e.emit("expire", { key: "k", namespace: "n", tier: "l2" });
    e.emit("promote", { key: "k", namespace: "n" });
    e.emit("demote", { key: "k", namespace: "n" });
    e.emit("load", { key: "k", namespace: "n", durationMs: 10, error: undefined });
    e.emit("load", { key: "k", namespace: "n", durationMs: 20, error: new Error("x") });
    e.emit("error", { tier: "l2", operation: "set", error: new Error("x") });
    e.emit("invalidateTag", { tag: "t", removed: 2 });
    const s = analytics.getComprehensiveStats();
    expect(s.totals).toEqual({
      sets: 2,
      deletes: 1,
      evictions: 3,
      expirations: 2,
      promotions: 1,
      demotions: 1,
      staleServed: 0,
      loads: 2,
      loadErrors: 1,
      l2Errors: 1,
      tagInvalidations: 1,
    });
    expect(s.perTier.l1.evictionsByReason).toEqual({ capacity: 1, bytes: 1, other: 0 });
    expect(s.perTier.l2!.evictions).toBe(1);
    expect(s.errors).toEqual([{ tier: "l2", operation: "set", count: 1 }]);
    expect(s.loadLatency.count).toBe(2);
    await analytics.close();
  });

  it("caps distinct namespaces, counting the rest as 'other'", async () => {
    const { cache, analytics } = make({ maxNamespaces: 3 });
    for (let i = 0; i < 10; i++) cache.read("k", "l1_hit", 0.01, `tenant-${i}`);
    const namespaces = Object.keys(analytics.getComprehensiveStats().perNamespace);
    expect(namespaces).toEqual(["tenant-0", "tenant-1", "tenant-2", "other"]);
    expect(analytics.getComprehensiveStats().perNamespace.other.reads).toBe(7);
    await analytics.close();
  });

  it("copies what it needs from the reused access payload", async () => {
    const { cache, analytics } = make({ hotKeyWindow: 100 });
    cache.read("first", "l1_hit", 0.01, "a");
    cache.read("second", "miss", 0.01, "b");
    const hot = analytics.getHotKeys();
    expect(hot.map((h) => `${h.namespace}/${h.key}`).sort()).toEqual(["a/first", "b/second"]);
    await analytics.close();
  });
});

describe("sampled latency", () => {
  it("lets a timed read stand for the untimed reads of its result before it", async () => {
    const { cache, analytics } = make();
    // Seven L1 hits the cache did not time (NaN), then one it timed at 2 µs; then an L2 hit.
    for (let i = 0; i < 7; i++) cache.read("a", "l1_hit", Number.NaN);
    cache.read("a", "l1_hit", 0.002);
    cache.read("b", "l2_hit", 3);
    // Two more untimed hits: not in the histogram until the next timed one.
    cache.read("a", "l1_hit", Number.NaN);
    cache.read("a", "l1_hit", Number.NaN);
    let s = analytics.getComprehensiveStats();
    expect(s.reads).toBe(11);
    expect(s.perTier.l1.hits).toBe(10);
    expect(s.perTier.l1.latency.count).toBe(8);
    // Within its 1 µs bucket: [2, 3) µs.
    expect(s.perTier.l1.latency.p50Ms).toBeGreaterThanOrEqual(0.002);
    expect(s.perTier.l1.latency.p50Ms).toBeLessThan(0.003);
    expect(s.perTier.l2!.latency.count).toBe(1);
    // The mix of results is kept: 8 of 9 timed-for reads are fast, so p50 is the L1 hit's.
    expect(s.latency.count).toBe(9);
    expect(s.latency.p50Ms).toBeLessThan(0.003);
    expect(s.latency.p99Ms).toBeGreaterThan(2.5);
    cache.read("a", "l1_hit", 0.004);
    s = analytics.getComprehensiveStats();
    expect(s.perTier.l1.latency.count).toBe(11);
    expect(s.perTier.l1.latency.avgMs).toBeCloseTo((8 * 0.002 + 3 * 0.004) / 11, 9);
    await analytics.close();
  });

  it("counts reads exactly while timing one L1 hit in latencySampleEvery of a real cache", async () => {
    const cache = new MultiLevelCache({
      l1: { maxSize: 100, sweepInterval: 0 },
      latencySampleEvery: 8,
    });
    const time = new ManualTime();
    const analytics = new CacheAnalytics({ cache, clock: time, scheduler: time });
    for (let i = 0; i < 10; i++) await cache.set(`k${i}`, i);
    for (let i = 0; i < 100; i++) await cache.get(`k${i % 10}`);
    await cache.get("absent");
    const s = analytics.getComprehensiveStats();
    expect(s.reads).toBe(101);
    expect(s.perTier.l1.hits).toBe(100);
    // Hits 1, 9, 17, ..., 97 are timed (13 of them). The first hit of each key reaches the
    // recorder alone, and its timed ones (1 and 9) stand for the hits before them; the cache
    // tallies the other 90, handing over the timed ones' durations with them, and those stand
    // for every hit tallied since the last sample (hit 10 included), up to the miss.
    expect(s.perTier.l1.latency.count).toBe(100);
    expect(s.latency.count).toBe(101);
    await analytics.close();
    await cache.close();
  });
});

describe("time series and rates", () => {
  it("samples hit rates per tier, latency and sizes once per interval", async () => {
    const { cache, time, analytics } = make({ historySize: 5 });
    for (let second = 0; second < 8; second++) {
      for (let i = 0; i < 10; i++)
        cache.read(`k${i}`, i < second ? "l1_hit" : "l2_hit", 1 + second);
      cache.l1Size = second * 10;
      time.advance(1000);
    }
    const series = analytics.getTimeSeries();
    expect(series.t).toHaveLength(5);
    expect(series.t[4]! - series.t[0]!).toBe(4000);
    expect(series.l1HitRate).toEqual([0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(series.hitRate).toEqual([1, 1, 1, 1, 1]);
    expect(series.l1Size).toEqual([30, 40, 50, 60, 70]);
    expect(series.readsPerSec).toEqual([10, 10, 10, 10, 10]);
    expect(series.p50Ms[4]).toBeGreaterThan(7.5);
    expect(series.p50Ms[4]).toBeLessThan(8.5);
    time.advance(3000); // quiet seconds: no reads, no hit rate
    expect(analytics.getTimeSeries().hitRate.slice(-3)).toEqual([null, null, null]);
    const rates = analytics.getComprehensiveStats().rates;
    // History holds 5 samples, so every window reaches back to the oldest, 4 s ago (one
    // second of 10 reads, then three quiet ones).
    expect(rates.map((r) => r.windowSeconds)).toEqual([4, 4, 4]);
    expect(rates[0].readsPerSec).toBeCloseTo(10 / 4, 9);
    expect(rates[0].hitRate).toBe(1);
    await analytics.close();
  });
});

describe("options and lifecycle", () => {
  it.each([
    [{ hotKeyWindow: 0 }, "analytics.hotKeyWindow"],
    [{ hotKeyWindow: 1.5 }, "analytics.hotKeyWindow"],
    [{ hotKeyWindow: 2 ** 31 }, "analytics.hotKeyWindow"],
    [{ hotKeyCapacity: -1 }, "analytics.hotKeyCapacity"],
    [{ mrcSampleKeys: 0 }, "analytics.mrcSampleKeys"],
    [{ maxNamespaces: 0 }, "analytics.maxNamespaces"],
    [{ historySize: 0 }, "analytics.historySize"],
    [{ sampleInterval: "soon" }, "analytics.sampleInterval"],
    [{ sampleInterval: 0 }, "analytics.sampleInterval"],
    [{ mrcMaxSamplingRate: 0 }, "analytics.mrcMaxSamplingRate"],
    [{ semanticThreshold: 2 }, "analytics.semanticThreshold"],
    [{ mrcMaxSamplingRate: 1.5 }, "analytics.mrcMaxSamplingRate"],
  ])("rejects %j naming %s", (options, path) => {
    let error: unknown;
    try {
      make(options as Partial<CacheAnalyticsOptions>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as CacheConfigError).code).toBe(ErrorCode.CONFIG);
    expect((error as CacheConfigError).path).toBe(path);
  });

  it("rejects something that is not a cache", () => {
    expect(() => new CacheAnalytics({ cache: {} as AnalyticsSource })).toThrow(CacheConfigError);
    expect(() => new CacheAnalytics(undefined as unknown as CacheAnalyticsOptions)).toThrow(
      /analytics\.cache/,
    );
  });

  it("close() unsubscribes, stops its timers and is idempotent", async () => {
    const { cache, time, analytics } = make();
    expect(cache.events.hasListeners("access")).toBe(true);
    expect(time.pending).toBe(1);
    await analytics.close();
    await analytics.close();
    expect(cache.events.hasListeners("access")).toBe(false);
    expect(cache.events.hasListeners("evict")).toBe(false);
    expect(time.pending).toBe(0);
    cache.read("k", "l1_hit");
    expect(analytics.getComprehensiveStats().reads).toBe(0);
  });

  it("caps the SHARDS rate so that about 256 sampled keys fall within the L1 size", async () => {
    for (const [maxSize, rate] of [
      [100, 1],
      [1000, 0.256],
      [10_000, 0.0256],
    ]) {
      const { cache, analytics } = make({}, new StandInCache(maxSize));
      cache.read("k", "l1_hit");
      expect(analytics.getComprehensiveStats().missRatioCurve!.samplingRate).toBeCloseTo(rate, 6);
      await analytics.close();
    }
    const { analytics } = make({ mrcMaxSamplingRate: 0.5 }, new StandInCache(10_000));
    expect(analytics.getComprehensiveStats().missRatioCurve!.samplingRate).toBeCloseTo(0.5, 6);
    await analytics.close();
  });

  it("skips a sample when the cache cannot report, instead of throwing from a timer", async () => {
    const { cache, time, analytics } = make();
    const healthy = cache.getStats.bind(cache);
    cache.getStats = () => {
      throw new Error("L2 gone");
    };
    expect(() => time.advance(3000)).not.toThrow();
    expect(analytics.getTimeSeries().t).toHaveLength(0);
    cache.getStats = healthy;
    time.advance(1000);
    expect(analytics.getTimeSeries().t).toHaveLength(1);
    await analytics.close();
  });

  it("works without hot keys and without the miss-ratio curve", async () => {
    const { cache, analytics } = make({ trackHotKeys: false, trackMissRatioCurve: false });
    cache.read("k", "l1_hit");
    const s = analytics.getComprehensiveStats();
    expect(s.hotKeys).toEqual([]);
    expect(s.missRatioCurve).toBeUndefined();
    expect(analytics.predictHitRate(10)).toBeUndefined();
    await analytics.close();
  });
});

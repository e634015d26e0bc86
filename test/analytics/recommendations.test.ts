import { LRUCache } from "lru-cache";
import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import type { CacheAnalyticsOptions, SemanticSource } from "../../src/analytics/types.js";
import { simulate } from "../../src/eviction/simulator.js";
import { loadTrace } from "../../src/eviction/trace.js";
import { ManualTime } from "../helpers/manual-time.js";
import { tracePath } from "../helpers/traces.js";
import { zipfKeys } from "../../bench/harness.js";
import { StandInCache } from "./stand-in-cache.js";

function analyticsFor(cache: StandInCache, options: Partial<CacheAnalyticsOptions> = {}) {
  const time = new ManualTime();
  const analytics = new CacheAnalytics({ cache, clock: time, scheduler: time, ...options });
  return { time, analytics };
}

function kinds(analytics: CacheAnalytics): string[] {
  return analytics.getRecommendations().map((r) => r.kind);
}

describe("L1 size from the miss-ratio curve", () => {
  it("suggests a larger L1 with a predicted hit rate that an LRU replay confirms", async () => {
    const trace = await loadTrace(tracePath("arc-OLTP"));
    const cache = new StandInCache(1000);
    const { analytics } = analyticsFor(cache);
    // Results from a real LRU of the configured size, so "now" is what an LRU L1 would observe.
    const lru = new LRUCache<number, true>({ max: 1000 });
    for (const key of trace) {
      const hit = lru.get(key) !== undefined;
      if (!hit) lru.set(key, true);
      cache.read(`page:${key}`, hit ? "l1_hit" : "miss");
    }
    cache.l1Size = 1000;
    const rec = analytics.getRecommendations().find((r) => r.kind === "l1_size")!;
    expect(rec).toBeDefined();
    const match =
      /^with l1\.maxSize (\d+) the hit rate would be about (\d+) % \(now (\d+) %\)$/.exec(
        rec.message,
      );
    expect(match, rec.message).not.toBeNull();
    const [suggested, would, now] = match!.slice(1).map(Number);
    const observed = simulate("lru", trace, 1000).hitRatio;
    expect(now).toBe(Math.round(observed * 100));
    expect(suggested).toBeGreaterThan(1000);
    const actual = simulate("lru", trace, suggested).hitRatio;
    expect(Math.abs(would / 100 - actual)).toBeLessThanOrEqual(0.025);
    expect(Math.abs((rec.evidence.predictedAtSuggested as number) - actual)).toBeLessThanOrEqual(
      0.02,
    );
    expect(rec.reason).toMatch(/miss-ratio curve/);
    await analytics.close();
  });

  it("says when L1 could shrink: a working set far below maxSize", async () => {
    const cache = new StandInCache(1000);
    const { analytics } = analyticsFor(cache);
    for (let i = 0; i < 20_000; i++) cache.read(`k${i % 100}`, i < 100 ? "miss" : "l1_hit");
    cache.l1Size = 1000;
    const rec = analytics.getRecommendations().find((r) => r.kind === "l1_size")!;
    expect(rec.message).toMatch(/^l1\.maxSize could be 500 for about the same hit rate/);
    await analytics.close();
  });

  it("stays quiet before minRequests reads", async () => {
    const cache = new StandInCache(10);
    const { analytics } = analyticsFor(cache);
    for (let i = 0; i < 500; i++) cache.read(`k${i % 40}`, "miss");
    expect(kinds(analytics)).not.toContain("l1_size");
    await analytics.close();
  });
});

describe("TTL too short", () => {
  function cycle(
    cache: StandInCache,
    time: ManualTime,
    keys: number,
    readAfter: boolean,
    resetFirst = false,
  ): void {
    for (let k = 0; k < keys; k++) {
      cache.events.emit("set", {
        key: `doc:${k}`,
        namespace: "docs",
        tags: undefined,
        expiresAt: time.now() + 60_000,
      });
    }
    time.advance(60_000);
    for (let k = 0; k < keys; k++)
      cache.events.emit("expire", { key: `doc:${k}`, namespace: "docs", tier: "l1" });
    time.advance(5_000);
    for (let k = 0; k < keys; k++) {
      if (resetFirst)
        cache.events.emit("set", {
          key: `doc:${k}`,
          namespace: "docs",
          tags: undefined,
          expiresAt: 0,
        });
      if (readAfter) cache.read(`doc:${k}`, "miss", 0.1, "docs");
    }
  }

  it("flags entries read again shortly after expiring, with a TTL suggestion", async () => {
    const cache = new StandInCache(100);
    const { analytics, time } = analyticsFor(cache, { recommendations: { minRequests: 1 } });
    cycle(cache, time, 400, true);
    const rec = analytics.getRecommendations().find((r) => r.kind === "ttl")!;
    expect(rec.message).toMatch(
      /^raise l1\.ttl to about 6[4-6] s: 100 % of sampled entries were read again after expiring$/,
    );
    expect(rec.evidence.expired).toBeGreaterThanOrEqual(20);
    expect(rec.evidence.expired).toBeLessThan(400);
    expect(rec.evidence.medianTtlMs as number).toBeGreaterThan(55_000);
    expect(rec.evidence.medianDelayMs as number).toBeGreaterThan(4_500);
    await analytics.close();
  });

  it("does not flag expiries nobody reads, or keys written again before the read", async () => {
    const cache = new StandInCache(100);
    const { analytics, time } = analyticsFor(cache, { recommendations: { minRequests: 1 } });
    cycle(cache, time, 400, false);
    cycle(cache, time, 400, true, true);
    expect(kinds(analytics)).not.toContain("ttl");
    await analytics.close();
  });
});

describe("L2 latency", () => {
  it.each([
    [40, true],
    [2, false],
  ])("L2 reads at %d ms: recommendation %s", async (ms, expected) => {
    const cache = new StandInCache(100);
    const { analytics } = analyticsFor(cache, { recommendations: { minRequests: 100 } });
    for (let i = 0; i < 200; i++) cache.read(`k${i}`, "l2_hit", ms);
    const rec = analytics.getRecommendations().find((r) => r.kind === "l2_latency");
    expect(rec !== undefined).toBe(expected);
    if (rec) expect(rec.message).toMatch(/^L2 reads are slow \(p95 (39|4\d)\.\d ms\)/);
    await analytics.close();
  });
});

describe("hot-key concentration", () => {
  it("suggests warming or pinning when a few keys take most reads", async () => {
    const cache = new StandInCache(100);
    const { analytics } = analyticsFor(cache, { hotKeyWindow: 1000 });
    for (const k of zipfKeys(1000, 5000, 1.2)) cache.read(`user:${k}`, "l1_hit");
    const rec = analytics.getRecommendations().find((r) => r.kind === "hot_keys")!;
    expect(rec.message).toMatch(
      /^10 keys take \d+ % of reads: warm them at start-up \(CacheWarmer\) or pin them in L1$/,
    );
    const keys = rec.evidence.keys as { key: string }[];
    expect(keys[0].key).toBe("user:0");
    await analytics.close();
  });

  it("stays quiet on uniform reads", async () => {
    const cache = new StandInCache(100);
    const { analytics } = analyticsFor(cache, { hotKeyWindow: 1000 });
    for (let i = 0; i < 5000; i++) cache.read(`user:${(i * 7919) % 1000}`, "l1_hit");
    expect(kinds(analytics)).not.toContain("hot_keys");
    await analytics.close();
  });
});

describe("semantic threshold", () => {
  function semantic(histogram: number[], threshold = 0.85): SemanticSource {
    return {
      getStats: () => ({
        exactHits: 10,
        similarHits: 5,
        misses: 185,
        similarityHistogram: histogram,
      }),
      options: { similarityThreshold: threshold },
    };
  }
  const buckets = (at: number, count: number): number[] =>
    Array.from({ length: 20 }, (_, i) => (i === at ? count : 0));

  it("suggests a lower threshold when many misses had a best match just below it", async () => {
    const cache = new StandInCache(100);
    const { analytics } = analyticsFor(cache, { semantic: semantic(buckets(16, 60)) });
    const rec = analytics.getRecommendations().find((r) => r.kind === "semantic_threshold")!;
    expect(rec.message).toBe(
      "semantic hit rate is 8 %: similarityThreshold 0.8 instead of 0.85 would have served 60 more lookups (32 % of misses); check precision on labelled pairs first",
    );
    expect(analytics.getComprehensiveStats().semantic).toEqual({
      exactHits: 10,
      similarHits: 5,
      misses: 185,
      hitRate: 0.075,
    });
    await analytics.close();
  });

  it("stays quiet when misses were far from any stored prompt", async () => {
    const cache = new StandInCache(100);
    const { analytics } = analyticsFor(cache, { semantic: semantic(buckets(8, 150)) });
    expect(kinds(analytics)).not.toContain("semantic_threshold");
    await analytics.close();
  });
});

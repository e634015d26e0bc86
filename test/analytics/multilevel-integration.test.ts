import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import { ManualTime } from "../helpers/manual-time.js";

const root = mkdtempSync(join(tmpdir(), "victor-analytics-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A real MultiLevelCache over a real LMDB L2, observed by analytics through its events only. */
function setup(name: string) {
  const time = new ManualTime();
  const cache = new MultiLevelCache({
    l1: { maxSize: 20, sweepInterval: 0 },
    l2: { type: "lmdb", path: join(root, name) },
    clock: time,
  });
  const analytics = new CacheAnalytics({ cache, clock: time, scheduler: time, hotKeyWindow: 100 });
  return { time, cache, analytics };
}

describe("CacheAnalytics on a MultiLevelCache with an LMDB L2", () => {
  it("agrees with the cache's own stats on reads, promotions, evictions and loads", async () => {
    const { cache, analytics } = setup("agree");
    for (let i = 0; i < 50; i++) await cache.set(`file:${i}`, { size: i }, { namespace: "tools" });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i += round + 1) await cache.get(`file:${i}`, { namespace: "tools" });
    }
    await cache.get("absent", { namespace: "tools" });
    await cache.getOrSet("summary:1", async () => "text", { namespace: "llm" });
    await cache.getOrSet("summary:1", async () => "text", { namespace: "llm" });
    await cache.delete("file:0", { namespace: "tools" });

    const own = cache.getStats();
    const s = analytics.getComprehensiveStats();
    expect(s.perTier.l1.hits).toBe(own.l1.hits);
    expect(s.perTier.l1.misses).toBe(own.l1.misses);
    expect(s.perTier.l2!.hits).toBe(own.l2!.hits);
    expect(s.perTier.l2!.misses).toBe(own.l2!.misses);
    expect(s.hitRate).toBeCloseTo(own.combinedHitRate, 9);
    expect(s.totals.promotions).toBe(own.promotions);
    expect(s.totals.promotions).toBeGreaterThan(0);
    expect(s.totals.loads).toBe(own.loads);
    expect(s.perTier.l1.evictions).toBe(own.l1.evictions);
    expect(s.perTier.l1.evictionsByReason.capacity).toBeGreaterThan(0);
    expect(s.totals.sets).toBe(51);
    expect(s.totals.deletes).toBe(1);
    expect(s.perNamespace.llm).toMatchObject({ reads: 2, hits: 1, loads: 1 });
    expect(s.perTier.l1.size).toBe(own.l1.size);
    expect(s.perTier.l2!.size).toBe(own.l2!.size);
    expect(s.hotKeys.every((h) => h.namespace === "tools" || h.namespace === "llm")).toBe(true);
    expect(s.missRatioCurve!.references).toBe(s.reads);

    const text = await analytics.metrics();
    expect(text).toContain(`victor_cache_entries{tier="l1"} ${own.l1.size}`);
    expect(text).toContain(`victor_cache_max_entries{tier="l1"} 20`);
    expect(text).toContain(`victor_cache_promotions_total{namespace="tools"} ${own.promotions}`);
    await analytics.close();
    await cache.close();
  });

  it("sees L1 expiries and the reads that follow them, and stale values served on loader failure", async () => {
    const { time, cache, analytics } = setup("expiry");
    for (let i = 0; i < 10; i++) await cache.set(`q:${i}`, i, { namespace: "api", ttl: 30 });
    time.advance(31_000);
    await cache.get("q:1", { namespace: "api" });
    const s = analytics.getComprehensiveStats();
    expect(s.perTier.l1.expirations).toBeGreaterThanOrEqual(1);
    expect(s.perNamespace.api.expirations).toBe(s.perTier.l1.expirations);

    await cache.getOrSet("flaky", async () => "old", { namespace: "api", ttl: 1, grace: 600 });
    time.advance(2000);
    const value = await cache.getOrSet(
      "flaky",
      async () => {
        throw new Error("upstream down");
      },
      { namespace: "api", grace: 600 },
    );
    expect(value).toBe("old");
    const after = analytics.getComprehensiveStats();
    expect(after.totals.staleServed).toBe(cache.getStats().staleServed);
    expect(after.totals.staleServed).toBe(1);
    expect(after.totals.loadErrors).toBe(1);
    expect(after.totals.loads).toBe(2);
    await analytics.close();
    await cache.close();
  });
});

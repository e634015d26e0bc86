/**
 * Warming after a restart, and what analytics sees. Run: npx tsx examples/warming-analytics.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CacheAnalytics, CacheWarmer, MultiLevelCache, WarmingStrategy } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "victor-example-"));
const l2 = { type: "file" as const, path: join(dir, "l2") };

// Day 1: an agent works; the warmer records what it uses and saves that log in L2.
const day1 = new MultiLevelCache({ l2 });
const warmer1 = new CacheWarmer({
  cache: day1,
  strategy: WarmingStrategy.HYBRID,
  preloadCount: 100,
});
for (let i = 0; i < 50; i++) {
  const file = `src/module${i % 5}.ts`;
  await day1.getOrSet(file, async () => ({ file, lines: 100 + i }), { namespace: "analysis" });
}
await warmer1.close();
await day1.close();

// Day 2: a new process warms L1 from L2 before the first request.
const cache = new MultiLevelCache({ l2 });
const warmer = new CacheWarmer({
  cache,
  strategy: WarmingStrategy.HYBRID,
  preloadCount: 100,
  recencyWeight: 0.5,
});
const analytics = new CacheAnalytics({ cache, trackHotKeys: true, hotKeyWindow: 1000 });
const run = await warmer.warm();
console.log(`warmed ${run.fromL2} entries from L2`);
for (let i = 0; i < 20; i++) await cache.get(`src/module${i % 5}.ts`, { namespace: "analysis" });

const stats = analytics.getComprehensiveStats();
console.log(`hit rate ${(stats.hitRate * 100).toFixed(0)} %, L1 hits ${stats.perTier.l1.hits}`);
console.log(
  "hot keys:",
  stats.hotKeys.slice(0, 3).map((h) => h.key),
);
const metrics = await analytics.metrics();
console.log(metrics.split("\n").find((line) => line.startsWith("victor_cache_")));

await analytics.close();
await warmer.close();
await cache.close();
rmSync(dir, { recursive: true, force: true });

import type { MemoryStore } from "../stores/memory.js";
import type { CacheStore } from "../stores/store.js";
import type { MultiLevelCacheStats, TierStats } from "./types.js";

/** Plain counters, bumped on the hot paths; `getStats()` turns them into rates. */
export class CacheCounters {
  l1Hits = 0;
  l1Misses = 0;
  l2Hits = 0;
  l2Misses = 0;
  promotions = 0;
  demotions = 0;
  staleServed = 0;
  loads = 0;
  loadErrors = 0;
  droppedWrites = 0;
  flushes = 0;
  flushedEntries = 0;
}

/** What a store may report about itself beyond CacheStore (LmdbStore and RedisStore do). */
interface SelfReportingStore {
  getStats(): { size?: number; evictions?: number };
}

function hasStats(store: CacheStore): store is CacheStore & SelfReportingStore {
  return typeof (store as Partial<SelfReportingStore>).getStats === "function";
}

function rate(hits: number, misses: number): number {
  const total = hits + misses;
  return total === 0 ? 0 : hits / total;
}

export interface StatsSources {
  counters: CacheCounters;
  l1: MemoryStore;
  l2: { store: CacheStore; errors: number } | undefined;
  queueDepth: number;
}

export function buildStats({
  counters: c,
  l1,
  l2,
  queueDepth,
}: StatsSources): MultiLevelCacheStats {
  const l1Stats = l1.getStats();
  const l1Tier: TierStats = {
    hits: c.l1Hits,
    misses: c.l1Misses,
    hitRate: rate(c.l1Hits, c.l1Misses),
    size: l1Stats.size,
    evictions: l1Stats.evictions,
  };
  let l2Tier: MultiLevelCacheStats["l2"];
  if (l2 !== undefined) {
    // A store that cannot count itself (or fails to) reports -1 rather than a made-up 0.
    let own: { size?: number; evictions?: number } = {};
    try {
      if (hasStats(l2.store)) own = l2.store.getStats();
    } catch {
      own = {};
    }
    l2Tier = {
      hits: c.l2Hits,
      misses: c.l2Misses,
      hitRate: rate(c.l2Hits, c.l2Misses),
      size: own.size ?? -1,
      evictions: own.evictions ?? -1,
      errors: l2.errors,
    };
  }
  const hits = c.l1Hits + c.l2Hits;
  const reads = c.l1Hits + c.l1Misses;
  return {
    l1: l1Tier,
    l2: l2Tier,
    combinedHitRate: reads === 0 ? 0 : hits / reads,
    hits,
    misses: reads - hits,
    promotions: c.promotions,
    demotions: c.demotions,
    staleServed: c.staleServed,
    loads: c.loads,
    loadErrors: c.loadErrors,
    writeBackQueueDepth: queueDepth,
    droppedWrites: c.droppedWrites,
    flushes: c.flushes,
    flushedEntries: c.flushedEntries,
  };
}

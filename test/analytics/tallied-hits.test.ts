import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { L1HitTally, talliedIn } from "../../src/multilevel/hit-tally.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import { ManualTime } from "../helpers/manual-time.js";

/**
 * One cache whose analytics is its only read observer, so the cache tallies its L1 hits, and one
 * whose analytics shares the reads with another observer, so it is called for every read: the
 * same operations must leave the same counts, hot keys and miss-ratio curve in both, and the
 * counts must agree with the cache's own.
 */
function pair(trackHotKeys: boolean, samplingRate: number) {
  const time = new ManualTime();
  const make = (everyRead: boolean) => {
    const cache = new MultiLevelCache({
      l1: { maxSize: 6, sweepInterval: 0, evictionPolicy: "lru" },
      latencySampleEvery: 4,
      clock: time,
    });
    const analytics = new CacheAnalytics({
      cache,
      clock: time,
      scheduler: time,
      trackHotKeys,
      hotKeyWindow: 7,
      hotKeyCapacity: 64,
      mrcMaxSamplingRate: samplingRate,
    });
    // Which L1 hits the cache timed, as it reports them to the second observer.
    const l1Timed: boolean[] = [];
    if (everyRead) {
      cache.observeReads({
        onRead: (_k, _ns, result, durationUs) => {
          if (result === "l1_hit") l1Timed.push(durationUs >= 0);
        },
      });
    }
    return { cache, analytics, l1Timed };
  };
  return { tallied: make(false), called: make(true), time };
}

describe("hits the cache tallies", () => {
  for (const [trackHotKeys, samplingRate, namespaces] of [
    [true, 0.5, ["a", "b"]],
    [true, 1, ["a", "b"]],
    [false, 0.5, ["a", "b"]],
    // One namespace: ending a window adds its hits to one counter, reading no slot's base.
    [true, 0.5, ["a"]],
  ] as const) {
    it(`are recorded as if each read were seen (hot keys ${trackHotKeys ? "on" : "off"}, sampling ${samplingRate}, ${namespaces.length} namespaces)`, async () => {
      const { tallied, called, time } = pair(trackHotKeys, samplingRate);
      let seed = 11;
      const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
      let pending = 0;
      let reads = 0;
      for (let i = 0; i < 4000; i++) {
        const key = `k${next() % 9}`;
        const namespace = namespaces[next() % namespaces.length];
        const roll = next() % 100;
        for (const { cache } of [tallied, called]) {
          if (roll < 3) await cache.delete(key, { namespace });
          else if (roll < 5) await cache.set(key, i, { namespace, ttl: 0.05 });
          else if (roll === 5) await cache.clear(namespace);
          else if ((await cache.get(key, { namespace })) === undefined)
            await cache.set(key, i, { namespace });
        }
        if (roll > 5) reads++;
        if (i % 97 === 0) time.advance(20);
        if (i % 250 === 249) {
          // Hits the cache tallied and the analytics has not taken yet.
          const counts = new L1HitTally(tallied.cache.l1.slotCounters());
          for (let slot = 0; slot < counts.slots; slot++)
            pending += talliedIn(counts.countAt(slot));
          const a = tallied.analytics.getComprehensiveStats();
          const b = called.analytics.getComprehensiveStats();
          expect(b.reads).toBe(reads);
          expect(a.reads).toBe(reads);
          const l1Hits = called.cache.getStats().l1.hits;
          expect(b.perTier.l1.hits).toBe(l1Hits);
          expect(a.perTier.l1.hits).toBe(l1Hits);
          // No L2: a namespace's hits are its L1 hits.
          const perNamespace = Object.values(b.perNamespace).reduce((sum, n) => sum + n.hits, 0);
          expect(perNamespace).toBe(l1Hits);
          expect(a.perNamespace).toEqual(b.perNamespace);
          // Seen one by one, each timed hit stands for the hits since the previous one: the
          // histogram holds every hit up to the last timed one.
          expect(b.perTier.l1.latency.count).toBe(called.l1Timed.lastIndexOf(true) + 1);
          expect(tallied.analytics.getHotKeys(100)).toEqual(called.analytics.getHotKeys(100));
          for (let size = 1; size <= 9; size++) {
            expect(tallied.analytics.predictHitRate(size)).toBe(
              called.analytics.predictHitRate(size),
            );
          }
        }
      }
      // The comparison means something only if the cache did tally.
      expect(pending).toBeGreaterThan(0);
      for (const { cache, analytics } of [tallied, called]) {
        await analytics.close();
        await cache.close();
      }
    });
  }
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { HotKeyTracker } from "../../src/analytics/hot-keys.js";
import { loadTrace } from "../../src/eviction/trace.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import { ManualTime } from "../helpers/manual-time.js";
import { tracePath } from "../helpers/traces.js";
import { StandInCache } from "./stand-in-cache.js";

/** Exact counts of the last `window` entries of `trace` ending before `end`. */
function windowCounts(trace: Uint32Array, end: number, window: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = Math.max(0, end - window); i < end; i++) {
    const key = `item:${trace[i]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * How many reported keys belong to the true top 10. Ties at the 10th place make "the" top 10
 * ambiguous, so a key counts when its true count is at least the 10th largest.
 */
function matches(reported: string[], truth: Map<string, number>): number {
  const tenth = [...truth.values()].sort((a, b) => b - a)[9] ?? 0;
  return reported.filter((k) => (truth.get(k) ?? 0) >= tenth).length;
}

describe("hot keys on a Zipf trace (sieve-zipf_1.0)", () => {
  // 1000 counters count a window of this trace (1,000 distinct keys) exactly; 100 counters make
  // Space-Saving approximate, which is the regime that matters for real key spaces.
  for (const [window, capacity] of [
    [1000, 1000],
    [10_000, 100],
  ]) {
    it(`reports at least 9 of the true top 10 of the last ${window} reads (${capacity} counters)`, async () => {
      const trace = await loadTrace(tracePath("sieve-zipf_1.0"));
      const cache = new StandInCache(100);
      const time = new ManualTime();
      const analytics = new CacheAnalytics({
        cache,
        trackHotKeys: true,
        hotKeyWindow: window,
        hotKeyCapacity: capacity,
        clock: time,
        scheduler: time,
        trackMissRatioCurve: false,
      });
      const checkpoints = new Set<number>();
      // Window boundaries, where the estimate covers exactly the last `window` reads.
      const stride = Math.floor(trace.length / 21 / window) * window;
      for (let k = 1; k <= 20; k++) checkpoints.add(k * stride);
      const scores: number[] = [];
      for (let i = 0; i < trace.length; i++) {
        cache.read(`item:${trace[i]}`, "l1_hit");
        if (checkpoints.has(i + 1)) {
          const top = analytics.getHotKeys(10);
          expect(top).toHaveLength(10);
          expect(top.every((h) => h.namespace === "default")).toBe(true);
          scores.push(
            matches(
              top.map((h) => h.key),
              windowCounts(trace, i + 1, window),
            ),
          );
        }
        if (i + 1 >= 20 * stride) break;
      }
      expect(scores).toHaveLength(20);
      console.log(`window ${window}, ${capacity} counters: matches ${scores.join(" ")}`);
      expect(Math.min(...scores)).toBeGreaterThanOrEqual(9);
      await analytics.close();
    });
  }

  it("reports at least 9 of the true top 10 through a MultiLevelCache, its L1 slots changing hands", async () => {
    const trace = await loadTrace(tracePath("sieve-zipf_1.0"));
    const window = 2000;
    const time = new ManualTime();
    // L1 holds a fifth of the trace's keys: misses go to Space-Saving, hits to the slots, and
    // keys move between them as L1 evicts and re-admits them.
    const cache = new MultiLevelCache({ l1: { maxSize: 200, sweepInterval: 0 } });
    const analytics = new CacheAnalytics({
      cache,
      hotKeyWindow: window,
      hotKeyCapacity: 100,
      clock: time,
      scheduler: time,
    });
    // Reads go through the cache's read observer, not `access` events.
    expect(cache.events.hasListeners("access")).toBe(false);
    const scores: number[] = [];
    let l1Hits = 0;
    for (let i = 0; i < 60 * window; i++) {
      const key = `item:${trace[i]}`;
      const slot = cache.l1.peek(key, "default");
      if ((await cache.get(key)) === undefined) await cache.set(key, i);
      else if (slot !== -1) l1Hits++;
      if ((i + 1) % (3 * window) === 0) {
        const top = analytics.getHotKeys(10).map((h) => h.key);
        scores.push(matches(top, windowCounts(trace, i + 1, window)));
      }
    }
    console.log(`through a MultiLevelCache: matches ${scores.join(" ")}`);
    expect(l1Hits).toBeGreaterThan(20 * window);
    expect(scores).toHaveLength(20);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(9);
    await analytics.close();
    await cache.close();
  });

  it("between window boundaries still ranks the heavy hitters of the recent reads", async () => {
    const trace = await loadTrace(tracePath("sieve-zipf_1.0"));
    const tracker = new HotKeyTracker(5000, 200);
    const scores: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      tracker.record(`item:${trace[i]}`, "default");
      // Half-way through a window: the estimate blends the previous window with the current one.
      if ((i + 1) % 5000 === 2500 && i > 5000) {
        const top = tracker.top(10).map((h) => h.key);
        scores.push(matches(top, windowCounts(trace, i + 1, 5000)));
      }
    }
    console.log(`mid-window matches ${scores.join(" ")}`);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(8);
    expect(scores.reduce((a, b) => a + b, 0) / scores.length).toBeGreaterThanOrEqual(9);
  });
});

/** Counts of one window (never turning over), read back from the tracker. */
function counts(tracker: HotKeyTracker): Map<string, { count: number; error: number }> {
  const out = new Map<string, { count: number; error: number }>();
  tracker.forEach((key, namespace, count, error) =>
    out.set(`${namespace}/${key}`, { count, error }),
  );
  return out;
}

describe("Space-Saving counters", () => {
  it("count exactly while there is a counter per distinct key", () => {
    const t = new HotKeyTracker(1000, 8);
    for (const k of ["a", "b", "a", "c", "a", "b", "d"]) t.record(k, "ns");
    const c = counts(t);
    expect(c.get("ns/a")).toEqual({ count: 3, error: 0 });
    expect(c.get("ns/b")).toEqual({ count: 2, error: 0 });
    expect(c.get("ns/d")).toEqual({ count: 1, error: 0 });
    expect(t.top(1)).toEqual([{ key: "a", namespace: "ns", count: 3, share: 3 / 7 }]);
  });

  it("keep namespaces apart", () => {
    const t = new HotKeyTracker(1000, 4);
    t.record("k", "x");
    t.record("k", "y");
    t.record("k", "y");
    expect(counts(t).get("x/k")!.count).toBe(1);
    expect(counts(t).get("y/k")!.count).toBe(2);
  });

  it("overestimate by at most reads / capacity and never lose a key above that", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 16 }),
        (keys, capacity) => {
          const t = new HotKeyTracker(10_000, capacity);
          const truth = new Map<string, number>();
          for (const k of keys) {
            t.record(String(k), "n");
            truth.set(String(k), (truth.get(String(k)) ?? 0) + 1);
          }
          const bound = keys.length / capacity;
          const held = counts(t);
          expect(held.size).toBeLessThanOrEqual(capacity);
          for (const [id, { count, error }] of held) {
            const actual = truth.get(id.slice(2)) ?? 0;
            expect(count).toBeGreaterThanOrEqual(actual);
            expect(count - error).toBeLessThanOrEqual(actual);
            expect(error).toBeLessThanOrEqual(bound);
          }
          for (const [key, n] of truth) if (n > bound) expect(held.has(`n/${key}`)).toBe(true);
        },
      ),
    );
  });

  it("turns windows over: the previous window fades out as the current one fills", () => {
    const t = new HotKeyTracker(10, 8);
    for (let i = 0; i < 10; i++) t.record("old", "n");
    expect(t.top(1)[0]).toMatchObject({ key: "old", count: 10, share: 1 });
    for (let i = 0; i < 5; i++) t.record("new", "n");
    const [first, second] = t.top(2);
    expect(first).toMatchObject({ key: "new", count: 5 });
    expect(second).toMatchObject({ key: "old", count: 5 });
    for (let i = 0; i < 5; i++) t.record("new", "n");
    expect(t.top(2)).toEqual([{ key: "new", namespace: "n", count: 10, share: 1 }]);
  });
});

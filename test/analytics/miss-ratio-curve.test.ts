import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { hashKey, namespaceSeed } from "../../src/analytics/key-hash.js";
import { ShardsMrc } from "../../src/analytics/shards.js";
import { simulate } from "../../src/eviction/simulator.js";
import { loadTrace } from "../../src/eviction/trace.js";
import { ManualTime } from "../helpers/manual-time.js";
import { tracePath } from "../helpers/traces.js";
import { StandInCache } from "./stand-in-cache.js";

const L1_SIZE = 1000;

/**
 * The MRC is checked against reality: every read of a trace goes through CacheAnalytics as an
 * `access` event, then the predicted hit rate at sizes other than the configured L1 is compared
 * with an actual LRU replay of the same trace at those sizes.
 */
describe("SHARDS miss-ratio curve against LRU replays", () => {
  const cases = [
    // 914k reads over 187k keys: SHARDS samples about 17 % of the keys.
    { trace: "arc-OLTP", sizes: [2000, 5000, 10_000] },
    // 1.2M reads over 258k keys: about 13 % sampled.
    { trace: "scarab-recs", sizes: [2000, 5000, 20_000] },
  ];
  for (const { trace: name, sizes } of cases) {
    it(`predicts ${name} within 2 points at ${sizes.join(", ")} entries`, async () => {
      const trace = await loadTrace(tracePath(name));
      const cache = new StandInCache(L1_SIZE);
      const time = new ManualTime();
      const analytics = new CacheAnalytics({ cache, clock: time, scheduler: time });
      for (let i = 0; i < trace.length; i++) cache.read(`obj-${trace[i]}`, "l1_hit");
      const curve = analytics.getComprehensiveStats().missRatioCurve!;
      expect(curve.references).toBe(trace.length);
      expect(curve.samplingRate).toBeLessThan(0.25);
      expect(curve.sampledKeys).toBeLessThanOrEqual(32_768);
      for (const size of sizes) {
        const actual = simulate("lru", trace, size).hitRatio;
        const predicted = analytics.predictHitRate(size)!;
        console.log(
          `${name} @ ${size}: predicted ${(predicted * 100).toFixed(2)} %, LRU replay ${(actual * 100).toFixed(2)} %`,
        );
        expect(Math.abs(predicted - actual)).toBeLessThanOrEqual(0.02);
      }
      await analytics.close();
    });
  }

  it("is exact when every key is sampled", async () => {
    const trace = (await loadTrace(tracePath("sieve-zipf_1.0"))).subarray(0, 200_000);
    const mrc = new ShardsMrc(2000);
    const seed = namespaceSeed("default");
    for (let i = 0; i < trace.length; i++) mrc.access(hashKey(seed, String(trace[i])), "default");
    expect(mrc.samplingRate).toBe(1);
    for (const size of [10, 100, 500]) {
      expect(mrc.hitRatio(size)).toBeCloseTo(simulate("lru", trace, size).hitRatio, 9);
    }
  });
});

describe("ShardsMrc", () => {
  const seed = namespaceSeed("ns");
  const h = (key: string): number => hashKey(seed, key);

  it("gives reuse distances: a cyclic scan over n keys hits only at size >= n", () => {
    const mrc = new ShardsMrc(100);
    for (let round = 0; round < 10; round++)
      for (let k = 0; k < 50; k++) mrc.access(h(`k${k}`), "ns");
    // 50 cold misses, then every read has distance 49.
    expect(mrc.hitRatio(49)).toBe(0);
    expect(mrc.hitRatio(50)).toBeCloseTo(450 / 500, 9);
  });

  it("counts a read without its namespace only for a key it already follows", () => {
    const keys = [3, 5, 3, 7, 5, 3, 9, 7];
    let reads = 0;
    const withNames = new ShardsMrc(100, 1, () => reads);
    const lazily = new ShardsMrc(100, 1, () => reads);
    for (const h of keys) withNames.sampledAccess(h, "ns");
    for (const h of keys) {
      // A new key is refused (nothing counted) until its namespace is given.
      if (!lazily.sampledAccess(h)) expect(lazily.sampledAccess(h, "ns")).toBe(true);
    }
    reads = keys.length;
    expect(lazily.sampledKeys).toBe(4);
    expect(lazily.hitRatio(4)).toBeCloseTo(4 / 8, 9);
    for (let size = 1; size <= 4; size++) {
      expect(lazily.hitRatio(size)).toBe(withNames.hitRatio(size));
    }
    expect(new ShardsMrc(100).sampledAccess(1)).toBe(false);
  });

  it("treats a write as a move to the top without counting a read", () => {
    const mrc = new ShardsMrc(100);
    mrc.access(h("a"), "ns");
    mrc.access(h("b"), "ns");
    mrc.touch(h("a"), "ns");
    mrc.access(h("a"), "ns");
    expect(mrc.referenceCount).toBe(3);
    expect(mrc.hitRatio(1)).toBeCloseTo(1 / 3, 9);
  });

  it("makes the read after a delete, expiry or clear a cold miss", () => {
    const mrc = new ShardsMrc(100);
    mrc.access(h("a"), "ns");
    mrc.remove(h("a"));
    mrc.access(h("a"), "ns");
    mrc.access(h("b"), "ns");
    mrc.clear("ns");
    mrc.access(h("b"), "ns");
    expect(mrc.hitRatio(1000)).toBe(0);
  });

  it("bounds memory: never follows more than maxSampledKeys keys, lowering the rate instead", () => {
    const mrc = new ShardsMrc(64);
    for (let k = 0; k < 20_000; k++) mrc.access(h(`key-${k}`), "ns");
    expect(mrc.sampledKeys).toBeLessThanOrEqual(64);
    expect(mrc.samplingRate).toBeLessThan(0.01);
    expect(mrc.samplingRate).toBeGreaterThan(0.001);
  });

  it("survives timestamp compaction with distances intact", () => {
    const mrc = new ShardsMrc(8);
    // Far more stamps than the tree holds (4 × 9), so compaction runs many times.
    for (let round = 0; round < 200; round++)
      for (let k = 0; k < 4; k++) mrc.access(h(`k${k}`), "ns");
    expect(mrc.hitRatio(3)).toBe(0);
    expect(mrc.hitRatio(4)).toBeCloseTo(796 / 800, 9);
  });
});

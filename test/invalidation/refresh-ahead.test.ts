/**
 * Refresh-ahead under a hand-moved clock: a hot getOrSet entry read continuously is never a miss
 * across 5 TTL periods, a cold one is not refreshed, and a refresh never brings back an entry
 * invalidated while its loader ran.
 */
import { describe, expect, it } from "vitest";
import { CacheInvalidator, type RefreshAheadOptions } from "../../src/invalidation/index.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { ManualTime } from "../helpers/manual-time.js";

const TTL_MS = 10_000;
const STEP_MS = 100;

function setup(refreshAhead: RefreshAheadOptions | false) {
  const time = new ManualTime();
  const cache = new MultiLevelCache({ l1: { maxSize: 100, sweepInterval: 0 }, clock: time });
  const invalidator = new CacheInvalidator({ cache, clock: time, scheduler: time, refreshAhead });
  return { time, cache, invalidator };
}

/** Reads `hot` every step for `periods` TTLs; resolves to the number of misses seen. */
async function readContinuously(
  time: ManualTime,
  cache: MultiLevelCache,
  invalidator: CacheInvalidator,
  periods: number,
): Promise<number> {
  let misses = 0;
  for (let t = 0; t < periods * TTL_MS; t += STEP_MS) {
    time.advance(STEP_MS);
    await invalidator.idle(); // refreshes started by the periodic check
    if ((await cache.get("hot")) === undefined) misses++;
    await invalidator.idle(); // refreshes started by the read
  }
  return misses;
}

describe("CacheInvalidator refresh-ahead", () => {
  it("a hot key is never a miss across 5 TTL periods; a cold key is not refreshed", async () => {
    const { time, cache, invalidator } = setup({ at: 0.8, minAccesses: 2, checkInterval: "100ms" });
    let hotLoads = 0;
    let coldLoads = 0;
    await cache.getOrSet("hot", () => `hot-${++hotLoads}`, { ttl: TTL_MS / 1000 });
    await cache.getOrSet("cold", () => `cold-${++coldLoads}`, { ttl: TTL_MS / 1000 });
    expect(await readContinuously(time, cache, invalidator, 5)).toBe(0);
    const stats = invalidator.getStats().refresh;
    console.log(`refresh-ahead over 5 TTL periods: ${hotLoads} loads of the hot key, stats`, stats);
    // One refresh per 0.8 TTL: 6 in 50 s, each replacing the value.
    expect(hotLoads).toBeGreaterThanOrEqual(6);
    expect(stats.refreshes).toBe(hotLoads - 1);
    expect(await cache.get("hot")).toBe(`hot-${hotLoads}`);
    expect(coldLoads).toBe(1);
    expect(await cache.get("cold")).toBeUndefined();
    expect(stats.skippedCold).toBe(1);
    expect(stats.errors).toBe(0);
    await invalidator.close();
  });

  it("without refresh-ahead the same reads do miss (the test above can fail)", async () => {
    const { time, cache, invalidator } = setup(false);
    await cache.getOrSet("hot", () => "v", { ttl: TTL_MS / 1000 });
    expect(await readContinuously(time, cache, invalidator, 2)).toBeGreaterThan(0);
  });

  it("a failing refresh is counted and the entry expires as usual", async () => {
    const { time, cache, invalidator } = setup({ checkInterval: "100ms" });
    let calls = 0;
    await cache.getOrSet(
      "hot",
      () => {
        if (++calls > 1) throw new Error("backend down");
        return "first";
      },
      { ttl: TTL_MS / 1000 },
    );
    const errors: unknown[] = [];
    invalidator.events.on("refresh", (e) => errors.push(e.error));
    const misses = await readContinuously(time, cache, invalidator, 1.5);
    expect(misses).toBeGreaterThan(0);
    expect(invalidator.getStats().refresh.errors).toBe(1);
    expect(String(errors[0])).toMatch(/backend down/);
  });

  it("a refresh whose entry was invalidated while its loader ran is dropped", async () => {
    const { time, cache, invalidator } = setup({ checkInterval: "100ms", minAccesses: 1 });
    let release: () => void = () => undefined;
    let loads = 0;
    const loader = async (): Promise<string> => {
      loads++;
      if (loads > 1) await new Promise<void>((r) => (release = r));
      return `v${loads}`;
    };
    await cache.getOrSet("hot", loader, { ttl: TTL_MS / 1000 });
    time.advance(TTL_MS * 0.5);
    expect(await cache.get("hot")).toBe("v1");
    time.advance(TTL_MS * 0.35); // past 0.8 TTL: the check starts the refresh
    expect(loads).toBe(2);
    await invalidator.invalidateKey("hot");
    release();
    await invalidator.idle();
    expect(await cache.get("hot")).toBeUndefined();
    expect(invalidator.getStats().refresh).toMatchObject({ discarded: 1, refreshes: 0 });
  });

  it("refresh-ahead needs a TTL strategy, and its options are checked", () => {
    const cache = new MultiLevelCache();
    expect(() => new CacheInvalidator({ cache, strategy: "event", refreshAhead: {} })).toThrow(
      /refreshAhead: needs strategy "ttl" or "hybrid"/,
    );
    expect(() => new CacheInvalidator({ cache, refreshAhead: { at: 1.5 } })).toThrow(
      /refreshAhead.at/,
    );
    expect(() => new CacheInvalidator({ cache, refreshAhead: { concurrency: 0 } })).toThrow(
      /refreshAhead.concurrency/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { CacheWarmer, WarmingStrategy, type WarmingStrategyName } from "../../src/warming/index.js";
import { DAY, HOUR, l1Keys, names, rig, type Rig } from "./support.js";

async function fillL2(r: Rig, keys: string[], namespace = "default"): Promise<void> {
  for (const key of keys) await r.store.set(key, namespace, { value: `v:${key}`, expiresAt: 0 });
}

/** Empties L1 (a restart without losing the warmer's memory), warms, and lists L1. */
async function warmCold(r: Rig, warmer: CacheWarmer): Promise<string[]> {
  r.cache.l1.clearSync();
  await warmer.warm();
  return l1Keys(r.cache);
}

describe("CacheWarmer strategies on crafted histories", () => {
  /**
   * old-hot: 20 reads at 00:00. both: 10 reads at 00:00 and one at 02:00. fill-*: 2 reads at 00:30.
   * new-cold: one read at 03:00, the latest.
   */
  async function history(strategy: WarmingStrategyName, recencyWeight = 0.5) {
    const r = rig();
    const fills = names("fill-", 10);
    await fillL2(r, ["old-hot", "both", "new-cold", ...fills]);
    const warmer = new CacheWarmer({ cache: r.cache, strategy, recencyWeight, preloadCount: 1 });
    for (let i = 0; i < 20; i++) await r.cache.get("old-hot");
    for (let i = 0; i < 10; i++) await r.cache.get("both");
    r.clock.advance(HOUR / 2);
    for (const key of fills) for (let i = 0; i < 2; i++) await r.cache.get(key);
    r.clock.advance(HOUR + HOUR / 2);
    await r.cache.get("both");
    r.clock.advance(HOUR);
    await r.cache.get("new-cold");
    return { r, warmer };
  }

  it("frequency picks the most used key, recency the latest, hybrid the one that is both", async () => {
    const picked: Record<string, string[]> = {};
    for (const strategy of ["frequency", "recency", "hybrid"] as const) {
      const { r, warmer } = await history(strategy);
      picked[strategy] = await warmCold(r, warmer);
    }
    expect(picked).toEqual({ frequency: ["old-hot"], recency: ["new-cold"], hybrid: ["both"] });
  });

  it("hybrid's recencyWeight moves it between frequency (0) and recency (1)", async () => {
    const a = await history("hybrid", 0);
    expect(await warmCold(a.r, a.warmer)).toEqual(["old-hot"]);
    const b = await history("hybrid", 1);
    expect(await warmCold(b.r, b.warmer)).toEqual(["new-cold"]);
  });

  it("frequency decays with the half-life: 8 reads four half-lives ago count as 0.5", async () => {
    const run = async (halfLife: string) => {
      const r = rig();
      await fillL2(r, ["past", "present"]);
      const warmer = new CacheWarmer({
        cache: r.cache,
        strategy: "frequency",
        preloadCount: 1,
        halfLife,
      });
      for (let i = 0; i < 8; i++) warmer.recordAccess("past");
      r.clock.advance(4 * HOUR);
      for (let i = 0; i < 2; i++) warmer.recordAccess("present");
      const past = warmer.accessLog.get("past", "default")!;
      return { picked: await warmCold(r, warmer), past: warmer.accessLog.decayedCount(past.freq) };
    };
    const hourly = await run("1h");
    expect(hourly.picked).toEqual(["present"]);
    expect(hourly.past).toBeCloseTo(0.5, 9);
    const daily = await run("1d");
    expect(daily.picked).toEqual(["past"]);
    expect(daily.past).toBeCloseTo(8 * Math.pow(2, -4 / 24), 9);
  });

  it("time_based at 8:55 picks the 9 am keys, not the (more frequent) 9 pm ones", async () => {
    const r = rig(100);
    const morning = names("morning-", 5);
    const evening = names("evening-", 5);
    const night = names("night-", 5);
    await fillL2(r, [...morning, ...evening, ...night]);
    const make = (strategy: WarmingStrategyName) =>
      new CacheWarmer({
        cache: r.cache,
        strategy,
        preloadCount: 5,
        timezoneOffset: 0,
        recordEvents: false,
      });
    const timeBased = make(WarmingStrategy.TIME_BASED);
    const frequency = make(WarmingStrategy.FREQUENCY);
    const both = (key: string) => [timeBased, frequency].forEach((w) => w.recordAccess(key));
    // Five days of history: the morning keys at 9:10, the evening keys three times as often at
    // 21:10, and the night keys at 3:00.
    for (let day = 0; day < 5; day++) {
      const start = r.clock.now();
      r.clock.advance(3 * HOUR);
      night.forEach(both);
      r.clock.advance(6 * HOUR + 10 * 60_000);
      morning.forEach(both);
      r.clock.advance(12 * HOUR);
      for (let i = 0; i < 3; i++) evening.forEach(both);
      r.clock.t = start + DAY;
    }
    r.clock.advance(8 * HOUR + 55 * 60_000);
    expect(new Date(r.clock.now()).toISOString()).toBe("2024-01-20T08:55:00.000Z");
    expect(await warmCold(r, timeBased)).toEqual(morning);
    expect(await warmCold(r, frequency)).toEqual(evening);
    // At 20:55 the same history points at the evening keys.
    r.clock.advance(12 * HOUR);
    expect(await warmCold(r, timeBased)).toEqual(evening);
  });

  it("time_based weighs each hour by how much of it the window covers", async () => {
    const r = rig();
    await fillL2(r, ["at-8", "at-9"]);
    const warmer = new CacheWarmer({
      cache: r.cache,
      strategy: "time_based",
      preloadCount: 1,
      timezoneOffset: 0,
      timeWindow: "1h",
    });
    r.clock.advance(8 * HOUR + 10 * 60_000);
    for (let i = 0; i < 4; i++) warmer.recordAccess("at-8");
    r.clock.advance(HOUR);
    for (let i = 0; i < 3; i++) warmer.recordAccess("at-9");
    // Next day at 8:30 the window covers half of hour 8 (4 × 0.5 = 2) and half of hour 9 (1.5).
    r.clock.t = r.clock.now() - HOUR - 10 * 60_000 + DAY + 30 * 60_000;
    expect(await warmCold(r, warmer)).toEqual(["at-8"]);
    // At 8:50, 1/6 of hour 8 (0.67) against 5/6 of hour 9 (2.5).
    r.clock.advance(20 * 60_000);
    expect(await warmCold(r, warmer)).toEqual(["at-9"]);
  });

  it("the hour-of-day histogram follows timezoneOffset", () => {
    const r = rig();
    const cet = new CacheWarmer({ cache: r.cache, timezoneOffset: 60 });
    const utc = new CacheWarmer({ cache: r.cache, timezoneOffset: 0 });
    r.clock.advance(8 * HOUR + 30 * 60_000);
    cet.recordAccess("k");
    utc.recordAccess("k");
    const hourOf = (w: CacheWarmer) =>
      w.accessLog.get("k", "default")!.hours.findIndex((v) => v > 0);
    expect(hourOf(cet)).toBe(9);
    expect(hourOf(utc)).toBe(8);
  });

  it("user_specific: warmFor(user) brings what that user reads, attributed by withContext", async () => {
    const r = rig(100);
    const alice = names("alice-", 4);
    const bob = names("bob-", 4);
    await fillL2(r, [...alice, ...bob, "shared"]);
    const warmer = new CacheWarmer({ cache: r.cache, strategy: "user_specific", preloadCount: 5 });
    await warmer.withContext("alice", async () => {
      for (const key of [...alice, "shared"]) await r.cache.get(key);
    });
    await warmer.withContext("bob", async () => {
      // Bob reads more, so a frequency ranking would pick his keys.
      for (let i = 0; i < 5; i++) for (const key of [...bob, "shared"]) await r.cache.get(key);
    });
    r.cache.l1.clearSync();
    const result = await warmer.warmFor("alice");
    expect(result).toMatchObject({ reason: "user", user: "alice", fromL2: 5 });
    expect(await l1Keys(r.cache)).toEqual([...alice, "shared"]);
    r.cache.l1.clearSync();
    await warmer.warmFor("carol");
    expect(await l1Keys(r.cache)).toEqual([]);
    // warm() under user_specific uses the current context.
    await warmer.withContext("bob", () => warmer.warm());
    expect(await l1Keys(r.cache)).toEqual([...bob, "shared"]);
  });

  it("user_specific takes the user from the context option or recordAccess", async () => {
    const r = rig(100);
    await fillL2(r, ["a", "b", "c"]);
    let current: string | undefined = "tenant-1";
    const warmer = new CacheWarmer({
      cache: r.cache,
      strategy: "user_specific",
      context: () => current,
    });
    await r.cache.get("a");
    current = "tenant-2";
    await r.cache.get("b");
    warmer.recordAccess("c", "default", { user: "tenant-1" });
    r.cache.l1.clearSync();
    await warmer.warmFor("tenant-1");
    expect(await l1Keys(r.cache)).toEqual(["a", "c"]);
  });

  it("the access log stays within maxKeys and keeps its hot keys", () => {
    const r = rig();
    const warmer = new CacheWarmer({ cache: r.cache, maxKeys: 100 });
    for (let i = 0; i < 50; i++) warmer.recordAccess("hot");
    for (let i = 0; i < 5_000; i++) {
      r.clock.advance(1000);
      warmer.recordAccess(`cold-${i}`);
      if (i % 100 === 0) warmer.recordAccess("hot");
    }
    expect(warmer.accessLog.size).toBe(100);
    expect(warmer.getStats()).toMatchObject({ trackedKeys: 100, maxKeys: 100 });
    expect(warmer.accessLog.get("hot", "default")).toBeDefined();
    // Recent keys survive too: the sampled eviction forgets the least used, oldest first.
    expect(warmer.accessLog.get("cold-4999", "default")).toBeDefined();
  });

  it("remembers at most maxUsersPerKey users per key, dropping the least active", () => {
    const r = rig();
    const warmer = new CacheWarmer({ cache: r.cache, maxUsersPerKey: 2 });
    warmer.recordAccess("k", "default", { user: "u1" });
    warmer.recordAccess("k", "default", { user: "u1" });
    warmer.recordAccess("k", "default", { user: "u2" });
    warmer.recordAccess("k", "default", { user: "u3" });
    const rec = warmer.accessLog.get("k", "default")!;
    expect([...rec.users!].sort()).toEqual(["u1", "u3"]);
  });
});

import { describe, expect, it } from "vitest";
import { CacheConfigError } from "../../src/core/errors.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import type { CacheEvents } from "../../src/multilevel/types.js";
import { MemoryStore } from "../../src/stores/memory.js";

type Access = CacheEvents["access"];

/** Copies of every `access` payload (the cache reuses one object). */
function record(cache: MultiLevelCache): Access[] {
  const seen: Access[] = [];
  cache.events.on("access", (e) => seen.push({ ...e }));
  return seen;
}

describe("access events: latency sampling", () => {
  it("times the first read and then one in latencySampleEvery; NaN on the other L1 hits", async () => {
    const cache = new MultiLevelCache({
      l1: { maxSize: 10, sweepInterval: 0 },
      latencySampleEvery: 4,
    });
    await cache.set("a", 1);
    const seen = record(cache);
    for (let i = 0; i < 12; i++) expect(await cache.get("a")).toBe(1);
    expect(seen.map((e) => e.result)).toEqual(new Array(12).fill("l1_hit"));
    const timed = seen.flatMap((e, i) => (e.durationMs >= 0 ? [i] : []));
    expect(timed).toEqual([0, 4, 8]);
    for (const [i, e] of seen.entries()) if (!timed.includes(i)) expect(e.durationMs).toBeNaN();
    await cache.close();
  });

  it("always times reads answered below L1, whatever the count", async () => {
    const l2 = new MemoryStore({ maxSize: 100, sweepInterval: 0 });
    const cache = new MultiLevelCache({
      l1: { maxSize: 10, sweepInterval: 0 },
      l2,
      latencySampleEvery: 1000,
    });
    await l2.set("in-l2", "default", { value: 1, expiresAt: 0 });
    await cache.set("a", 1);
    const seen = record(cache);
    await cache.get("a"); // the first read: timed
    await cache.get("a"); // an L1 hit between samples: not timed
    await cache.get("in-l2");
    await cache.get("absent");
    await cache.getOrSet("loaded", async () => "v");
    expect(seen.map((e) => e.result)).toEqual(["l1_hit", "l1_hit", "l2_hit", "miss", "miss"]);
    expect(seen[1].durationMs).toBeNaN();
    for (const i of [0, 2, 3, 4]) expect(seen[i].durationMs).toBeGreaterThanOrEqual(0);
    await cache.close();
  });

  it("times every read with latencySampleEvery: 1, in get and getOrSet alike", async () => {
    const cache = new MultiLevelCache({
      l1: { maxSize: 10, sweepInterval: 0 },
      latencySampleEvery: 1,
    });
    await cache.set("a", 1);
    const seen = record(cache);
    for (let i = 0; i < 5; i++) {
      await cache.get("a");
      await cache.getOrSet("a", async () => 2);
    }
    expect(seen).toHaveLength(10);
    for (const e of seen) expect(e.durationMs).toBeGreaterThanOrEqual(0);
    await cache.close();
  });

  it("rejects a latencySampleEvery that is not a positive integer, naming the option", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, "16"]) {
      let error: unknown;
      try {
        new MultiLevelCache({ latencySampleEvery: bad as number });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CacheConfigError);
      expect(error).toMatchObject({ path: "latencySampleEvery" });
    }
  });
});

describe("access events: l1Slot", () => {
  it("names the L1 slot that answered an l1_hit, and -1 for every other result", async () => {
    const l2 = new MemoryStore({ maxSize: 100, sweepInterval: 0 });
    const cache = new MultiLevelCache({ l1: { maxSize: 10, sweepInterval: 0 }, l2 });
    for (const key of ["a", "b", "c"]) await cache.set(key, key, { namespace: "ns" });
    await l2.set("only-l2", "default", { value: 1, expiresAt: 0 });
    const seen = record(cache);
    for (const key of ["a", "b", "c", "b"]) await cache.get(key, { namespace: "ns" });
    await cache.getOrSet("c", async () => "loaded", { namespace: "ns" });
    for (const [i, key] of ["a", "b", "c", "b", "c"].entries()) {
      expect(seen[i]).toMatchObject({ key, namespace: "ns", result: "l1_hit" });
      expect(seen[i].l1Slot).toBe(cache.l1.peek(key, "ns"));
    }
    expect(new Set(seen.map((e) => e.l1Slot)).size).toBe(3);
    await cache.get("only-l2");
    await cache.get("absent");
    expect(seen.slice(5).map((e) => [e.result, e.l1Slot])).toEqual([
      ["l2_hit", -1],
      ["miss", -1],
    ]);
    await cache.close();
  });
});

describe("access events: listeners", () => {
  it("reaches every listener added, in order, and none once removed by off() or the returned function", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10, sweepInterval: 0 } });
    await cache.set("a", 1);
    const calls: string[] = [];
    const first = (): void => {
      calls.push("first");
    };
    const removeSecond = cache.events.on("access", () => calls.push("second"));
    cache.events.on("access", first);
    await cache.get("a");
    expect(calls).toEqual(["second", "first"]);
    removeSecond();
    await cache.get("a");
    expect(calls).toEqual(["second", "first", "first"]);
    cache.events.off("access", first);
    expect(cache.events.hasListeners("access")).toBe(false);
    await cache.get("a");
    expect(calls).toHaveLength(3);
    // Removing a listener twice, or one never added, changes nothing.
    cache.events.off("access", first);
    cache.events.on("access", first);
    cache.events.off("access", () => undefined);
    await cache.get("a");
    expect(calls).toHaveLength(4);
    await cache.close();
  });

  it("keeps calling the listeners an emit started with when one removes another", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10, sweepInterval: 0 } });
    await cache.set("a", 1);
    const calls: string[] = [];
    const second = (): void => {
      calls.push("second");
    };
    cache.events.on("access", () => {
      calls.push("first");
      cache.events.off("access", second);
    });
    cache.events.on("access", second);
    await cache.get("a");
    await cache.get("a");
    expect(calls).toEqual(["first", "second", "first"]);
    await cache.close();
  });
});

import { describe, expect, it, vi } from "vitest";
import { CacheConfigError } from "../../src/core/errors.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import type { CacheEvents, ReadObserver } from "../../src/multilevel/types.js";
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

type Read = [key: string, namespace: string, result: string, durationUs: number, l1Slot: number];

/** A read observer that keeps a copy of every call. */
function observer(): ReadObserver & { reads: Read[] } {
  const reads: Read[] = [];
  return {
    reads,
    onRead: (key, namespace, result, durationUs, l1Slot) =>
      void reads.push([key, namespace, result, durationUs, l1Slot]),
  };
}

describe("observeReads", () => {
  it("sees every read with the access event's fields, durations in whole microseconds", async () => {
    const l2 = new MemoryStore({ maxSize: 100, sweepInterval: 0 });
    const cache = new MultiLevelCache({
      l1: { maxSize: 10, sweepInterval: 0 },
      l2,
      latencySampleEvery: 2,
    });
    await cache.set("a", 1, { namespace: "ns" });
    await l2.set("in-l2", "default", { value: 1, expiresAt: 0 });
    const o = observer();
    const events = record(cache);
    cache.observeReads(o);
    await cache.get("a", { namespace: "ns" });
    await cache.get("a", { namespace: "ns" });
    await cache.get("in-l2");
    await cache.getOrSet("loaded", async () => "v");
    expect(o.reads.map(([k, ns, r, , slot]) => [k, ns, r, slot])).toEqual([
      ["a", "ns", "l1_hit", cache.l1.peek("a", "ns")],
      ["a", "ns", "l1_hit", cache.l1.peek("a", "ns")],
      ["in-l2", "default", "l2_hit", -1],
      ["loaded", "default", "miss", -1],
    ]);
    // Timed: the first read, then one in two; reads below L1 always. Untimed: -1.
    expect(o.reads[1][3]).toBe(-1);
    for (const i of [0, 2, 3]) {
      expect(Number.isInteger(o.reads[i][3])).toBe(true);
      expect(o.reads[i][3]).toBeGreaterThanOrEqual(0);
    }
    // `access` listeners, observers too behind the scenes, see the same reads in ms.
    expect(events.map((e) => e.result)).toEqual(o.reads.map((r) => r[2]));
    for (const [i, e] of events.entries()) {
      if (o.reads[i][3] < 0) expect(e.durationMs).toBeNaN();
      else expect(e.durationMs).toBe(o.reads[i][3] / 1000);
    }
    await cache.close();
  });

  it("stops when the returned function is called, once, whatever else is observing", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10, sweepInterval: 0 } });
    await cache.set("a", 1);
    const one = observer();
    const two = observer();
    const stopOne = cache.observeReads(one);
    const stopTwo = cache.observeReads(two);
    await cache.get("a");
    stopOne();
    stopOne(); // a second call must not remove anything else
    await cache.get("a");
    expect(one.reads).toHaveLength(1);
    expect(two.reads).toHaveLength(2);
    stopTwo();
    await cache.get("a");
    expect(two.reads).toHaveLength(2);
    // Added twice, it is called twice and removed one addition at a time.
    const stopA = cache.observeReads(one);
    cache.observeReads(one);
    await cache.get("a");
    stopA();
    await cache.get("a");
    expect(one.reads).toHaveLength(4);
    await cache.close();
  });

  it("isolates a throwing observer: the read succeeds, the others are called, the error resurfaces", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10, sweepInterval: 0 } });
    await cache.set("a", 1);
    const deferred: (() => void)[] = [];
    const spy = vi.spyOn(globalThis, "queueMicrotask").mockImplementation((f) => {
      deferred.push(f);
    });
    try {
      const boom = new Error("observer bug");
      const after = observer();
      cache.observeReads({
        onRead: () => {
          throw boom;
        },
      });
      cache.observeReads(after);
      await expect(cache.get("a")).resolves.toBe(1);
      expect(after.reads).toHaveLength(1);
      // Alone, it is called directly, and still isolated.
      const alone = new MultiLevelCache({ l1: { maxSize: 10, sweepInterval: 0 } });
      await alone.set("a", 2);
      alone.observeReads({
        onRead: () => {
          throw boom;
        },
      });
      await expect(alone.get("a")).resolves.toBe(2);
      await alone.close();
      expect(deferred).toHaveLength(2);
      for (const rethrow of deferred) expect(rethrow).toThrow(boom);
    } finally {
      spy.mockRestore();
    }
    await cache.close();
  });

  it("rejects an observer without onRead with a CacheConfigError naming it", () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10, sweepInterval: 0 } });
    for (const bad of [undefined, null, {}, { onRead: 1 }]) {
      expect(() => cache.observeReads(bad as unknown as ReadObserver)).toThrow(
        expect.objectContaining({ code: "ERR_CACHE_CONFIG", path: "observeReads.observer" }),
      );
    }
  });
});

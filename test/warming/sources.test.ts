import { describe, expect, it } from "vitest";
import { CacheTimeoutError } from "../../src/core/errors.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { CacheWarmer, type CacheWarmerEvents } from "../../src/warming/index.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { l1Keys, names, rig } from "./support.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("CacheWarmer: where warmed values come from", () => {
  it("promotes from L2 without a loader, keeping the entry's remaining TTL, tags and grace", async () => {
    const r = rig();
    const now = r.clock.now();
    await r.store.set("a", "tool", { value: 1, expiresAt: now + 60_000, tags: ["git"] });
    await r.store.set("b", "tool", { value: 2, expiresAt: now + 90_000, staleAt: now + 30_000 });
    const warmer = new CacheWarmer({ cache: r.cache });
    warmer.recordAccess("a", "tool");
    warmer.recordAccess("b", "tool");
    r.clock.advance(10_000);
    expect(await warmer.warm()).toMatchObject({ fromL2: 2, fromLoader: 0 });
    const l1 = r.cache.l1;
    const a = l1.peek("a", "tool");
    expect(l1.expiresAtOf(a)).toBe(now + 60_000);
    expect(l1.tagsAt(a)).toEqual(["git"]);
    expect(l1.staleAtOf(l1.peek("b", "tool"))).toBe(now + 30_000);
    expect(await r.cache.get("a", { namespace: "tool" })).toBe(1);
    expect(r.cache.getStats().l1.hits).toBe(1);
    r.clock.advance(51_000);
    expect(r.cache.l1.peek("a", "tool")).toBe(-1);
  });

  it("caps a promoted entry's lifetime at L1's own TTL", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock, sweepInterval: 0 });
    const cache = new MultiLevelCache({ l1: { ttl: 10, sweepInterval: 0 }, l2: store, clock });
    await store.set("k", "default", { value: 1, expiresAt: 0 });
    const warmer = new CacheWarmer({ cache });
    warmer.recordAccess("k");
    await warmer.warm();
    expect(cache.l1.expiresAtOf(cache.l1.peek("k", "default"))).toBe(clock.now() + 10_000);
  });

  it("skips candidates that no tier or loader can provide, and stale L2 entries", async () => {
    const r = rig();
    const now = r.clock.now();
    await r.store.set("stale", "default", { value: 1, expiresAt: now + 9_000, staleAt: now + 1 });
    const warmer = new CacheWarmer({ cache: r.cache });
    warmer.recordAccess("gone");
    warmer.recordAccess("stale");
    r.clock.advance(1_000);
    expect(await warmer.warm()).toMatchObject({ fromL2: 0, skippedNoSource: 2 });
    expect(await l1Keys(r.cache)).toEqual([]);
  });

  it("recomputes through the loader what L2 lacks, storing it in both tiers", async () => {
    const r = rig();
    const calls: string[] = [];
    const warmer = new CacheWarmer({
      cache: r.cache,
      loader: (key, namespace, { signal }) => {
        expect(signal).toBeInstanceOf(AbortSignal);
        calls.push(`${namespace}/${key}`);
        return key === "none" ? undefined : { computed: key };
      },
    });
    await r.store.set("in-l2", "ns", { value: "from l2", expiresAt: 0 });
    for (const key of ["in-l2", "missing", "none"]) warmer.recordAccess(key, "ns");
    const before = warmer.accessLog.get("missing", "ns")!.freq;
    const result = await warmer.warm();
    expect(result).toMatchObject({ fromL2: 1, fromLoader: 1, skippedNoSource: 1 });
    expect(calls.sort()).toEqual(["ns/missing", "ns/none"]);
    expect(r.cache.l1.getSync("missing", "ns")).toEqual({ computed: "missing" });
    expect((await r.store.get("missing", "ns"))?.value).toEqual({ computed: "missing" });
    // The warmer's own writes are not accesses.
    expect(warmer.accessLog.get("missing", "ns")!.freq).toBe(before);
    expect(warmer.getStats()).toMatchObject({ warmedFromL2: 1, warmedFromLoader: 1, runs: 1 });
  });

  it("puts loaded values into L1 under write-around too", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock, sweepInterval: 0 });
    const cache = new MultiLevelCache({ l2: store, writePolicy: "write_around", clock });
    const warmer = new CacheWarmer({ cache, loader: () => "v" });
    warmer.recordAccess("k");
    expect(await warmer.warm()).toMatchObject({ fromLoader: 1 });
    expect(cache.l1.getSync("k", "default")).toBe("v");
    expect((await store.get("k", "default"))?.value).toBe("v");
  });

  it("flushes write-back first, so it never warms a value older than the queued one", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock, sweepInterval: 0 });
    const cache = new MultiLevelCache({
      l2: store,
      writePolicy: "write_back",
      writeBack: { interval: "1h", batchSize: 100 },
      clock,
    });
    await store.set("k", "default", { value: "old", expiresAt: 0 });
    const warmer = new CacheWarmer({ cache });
    await cache.set("k", "new");
    cache.l1.clearSync();
    await warmer.warm();
    expect(cache.l1.getSync("k", "default")).toBe("new");
    await cache.close();
  });

  it("does not put back a value deleted while the run was loading", async () => {
    const r = rig();
    await r.store.set("doomed", "default", { value: "v", expiresAt: 0 });
    let release: () => void = () => undefined;
    const warmer = new CacheWarmer({
      cache: r.cache,
      loader: () => new Promise((resolve) => (release = () => resolve("slow"))),
    });
    warmer.recordAccess("doomed");
    warmer.recordAccess("slow-key");
    const run = warmer.warm();
    await sleep(10);
    await r.cache.delete("doomed");
    release();
    expect(await run).toMatchObject({ fromL2: 0, fromLoader: 1 });
    expect(r.cache.l1.peek("doomed", "default")).toBe(-1);
  });

  it("bounds loader concurrency", async () => {
    const r = rig(100);
    let active = 0;
    let peak = 0;
    const warmer = new CacheWarmer({
      cache: r.cache,
      loaderConcurrency: 3,
      loaderRate: 0,
      loader: async (key) => {
        peak = Math.max(peak, ++active);
        await sleep(2);
        active--;
        return key;
      },
    });
    for (const key of names("k", 20)) warmer.recordAccess(key);
    expect(await warmer.warm()).toMatchObject({ fromLoader: 20 });
    expect(peak).toBe(3);
  });

  it("paces loader calls with the token bucket: a burst, then one per 1/rate", async () => {
    const r = rig(100);
    const starts: number[] = [];
    const warmer = new CacheWarmer({
      cache: r.cache,
      loaderConcurrency: 10,
      loaderRate: 50,
      loaderBurst: 2,
      loader: (key) => {
        starts.push(performance.now());
        return key;
      },
    });
    for (const key of names("k", 4)) warmer.recordAccess(key);
    const before = performance.now();
    await warmer.warm();
    expect(starts).toHaveLength(4);
    // Two tokens at once; the next two wait for the bucket to refill (20 ms each at 50/s).
    // Lower bounds from before the run only: a slow or busy machine can only make them longer.
    expect(starts[2] - before).toBeGreaterThanOrEqual(19);
    expect(starts[3] - before).toBeGreaterThanOrEqual(39);
  });

  it("abandons a hanging loader at the timeout and counts loader errors, without throwing", async () => {
    const r = rig();
    let hungSignal: AbortSignal | undefined;
    const errors: CacheWarmerEvents["error"][] = [];
    const warmer = new CacheWarmer({
      cache: r.cache,
      loaderTimeout: "30ms",
      loader: (key, _ns, { signal }) => {
        if (key === "hangs") {
          hungSignal = signal;
          return new Promise(() => undefined);
        }
        if (key === "throws") throw new Error("backend down");
        if (key === "rejects") return Promise.reject(new Error("later"));
        return "fine";
      },
    });
    warmer.events.on("error", (e) => errors.push(e));
    for (const key of ["hangs", "throws", "rejects", "ok"]) warmer.recordAccess(key);
    const result = await warmer.warm();
    expect(result).toMatchObject({ fromLoader: 1, loaderErrors: 2, loaderTimeouts: 1 });
    expect(hungSignal?.aborted).toBe(true);
    expect(errors.map((e) => `${e.operation}:${e.key}`).sort()).toEqual([
      "loader:hangs",
      "loader:rejects",
      "loader:throws",
    ]);
    expect(errors.find((e) => e.key === "hangs")?.error).toBeInstanceOf(CacheTimeoutError);
    expect(warmer.getStats()).toMatchObject({ loaderErrors: 2, loaderTimeouts: 1 });
  });

  it("counts L1 hits on warmed entries (the payoff) until they leave L1", async () => {
    const r = rig(3);
    const warmer = new CacheWarmer({ cache: r.cache, recordEvents: false });
    for (const key of ["a", "b", "c"]) {
      await r.store.set(key, "default", { value: key, expiresAt: 0 });
      warmer.recordAccess(key);
    }
    await warmer.warm();
    await r.cache.get("a");
    await r.cache.get("a");
    await r.cache.get("b");
    expect(warmer.getStats()).toMatchObject({ warmedHits: 3, warmedUsed: 2 });
    await r.cache.delete("a");
    await r.cache.set("a", "rewritten");
    await r.cache.get("a");
    expect(warmer.getStats().warmedHits).toBe(3);
    // Set by a caller, "x" is not a warmed entry; its hits do not count.
    await r.cache.set("x", 1);
    await r.cache.get("x");
    expect(warmer.getStats()).toMatchObject({ warmedHits: 3, warmedUsed: 2 });
  });
});

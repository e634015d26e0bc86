import { describe, expect, it } from "vitest";
import { MultiLevelCache, WritePolicy, type WritePolicyName } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { CacheStore, StoreEntry } from "../../src/stores/store.js";
import { ChaosStore } from "../helpers/chaos.js";
import { FakeClock } from "../helpers/fake-clock.js";

const POLICIES: WritePolicyName[] = Object.values(WritePolicy);

function setup(writePolicy: WritePolicyName, l1MaxSize = 100, l2?: CacheStore) {
  const clock = new FakeClock();
  const store = l2 ?? new MemoryStore({ maxSize: 10_000, clock, sweepInterval: 0 });
  const cache = new MultiLevelCache({
    // LRU, so these tests can say which entry an insertion evicts.
    l1: { maxSize: l1MaxSize, sweepInterval: 0, evictionPolicy: "lru" },
    l2: store,
    writePolicy,
    // Flushes only when asked, by batch size or at close, so tests decide when L2 sees writes.
    writeBack: { interval: "1h", batchSize: 1000, maxQueue: 10_000 },
    clock,
  });
  return { cache, store, clock };
}

describe("MultiLevelCache: L1 only", () => {
  it("gets, sets, deletes and clears per namespace; undefined on a miss", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10 } });
    expect(await cache.get("k")).toBeUndefined();
    await cache.set("k", { a: 1 });
    await cache.set("k", "tool value", { namespace: "tool" });
    expect(await cache.get("k")).toEqual({ a: 1 });
    expect(await cache.get("k", { namespace: "tool" })).toBe("tool value");
    await cache.clear("tool");
    expect(await cache.get("k", { namespace: "tool" })).toBeUndefined();
    expect(await cache.get("k")).toEqual({ a: 1 });
    expect(await cache.delete("k")).toBe(true);
    expect(await cache.delete("k")).toBe(false);
    expect(await cache.get("k")).toBeUndefined();
    expect(cache.l2).toBeUndefined();
    expect(cache.getStats().l2).toBeUndefined();
    await cache.close();
  });

  it("keeps references (no clone) and honours per-call TTLs", async () => {
    const clock = new FakeClock();
    const cache = new MultiLevelCache({ l1: { maxSize: 10, ttl: 60 }, clock });
    const value = { n: 1 };
    await cache.set("a", value);
    await cache.set("b", 2, { ttl: "10s" });
    expect(await cache.get("a")).toBe(value);
    clock.advance(11_000);
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toBe(value);
    clock.advance(50_000);
    expect(await cache.get("a")).toBeUndefined();
  });
});

describe.each(POLICIES)("MultiLevelCache %s over a memory L2", (policy) => {
  it("reads L1, then L2, and promotes an L2 hit with its remaining TTL", async () => {
    const { cache, store, clock } = setup(policy);
    const t0 = clock.now();
    await cache.set("k", "v", { ttl: 60, namespace: "ns" });
    await cache.flush();
    cache.l1.deleteSync("k", "ns");
    clock.advance(20_000);
    expect(await cache.get("k", { namespace: "ns" })).toBe("v");
    const slot = cache.l1.peek("k", "ns");
    expect(slot).not.toBe(-1);
    expect(cache.l1.expiresAtOf(slot)).toBe(t0 + 60_000);
    expect((await store.get("k", "ns"))?.expiresAt).toBe(t0 + 60_000);
    const stats = cache.getStats();
    expect(stats.promotions).toBe(1);
    expect(stats.l2?.hits).toBe(1);
    clock.advance(40_001);
    expect(await cache.get("k", { namespace: "ns" })).toBeUndefined();
  });

  it("keeps namespaces apart in every tier, and clear(namespace) removes exactly one", async () => {
    const { cache, store } = setup(policy);
    await cache.set("k", 1, { namespace: "a" });
    await cache.set("k", 2, { namespace: "b" });
    await cache.set("k", 3);
    await cache.clear("a");
    await cache.flush();
    expect(await cache.get("k", { namespace: "a" })).toBeUndefined();
    expect(await cache.get("k", { namespace: "b" })).toBe(2);
    expect(await cache.get("k")).toBe(3);
    expect(await store.get("k", "a")).toBeUndefined();
    expect((await store.get("k", "b"))?.value).toBe(2);
    await cache.clear();
    expect(await cache.get("k", { namespace: "b" })).toBeUndefined();
    expect(await store.get("k", "default")).toBeUndefined();
  });

  it("invalidates a tag in every namespace and tier", async () => {
    const { cache, store } = setup(policy, 2);
    await cache.set("a", 1, { tags: ["git"] });
    await cache.set("b", 2, { tags: ["git", "repo"], namespace: "tool" });
    await cache.set("c", 3, { tags: ["repo"] });
    await cache.set("d", 4);
    expect(await cache.invalidateTag("git")).toBeGreaterThanOrEqual(2);
    await cache.flush();
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.get("b", { namespace: "tool" })).toBeUndefined();
    expect(await cache.get("c")).toBe(3);
    expect(await cache.get("d")).toBe(4);
    expect(await store.get("a", "default")).toBeUndefined();
    expect((await store.get("c", "default"))?.tags).toEqual(["repo"]);
  });

  it("has() and keys() see every tier once, and delete() reaches them all", async () => {
    const { cache, store } = setup(policy, 2);
    for (const k of ["a", "b", "c", "d"]) await cache.set(k, k);
    await cache.set("x", 1, { namespace: "other" });
    expect(await cache.has("a")).toBe(true);
    expect(await cache.has("zz")).toBe(false);
    const keys: string[] = [];
    for await (const { key } of cache.keys("default")) keys.push(key);
    expect(keys.sort()).toEqual(["a", "b", "c", "d"]);
    const all: string[] = [];
    for await (const { namespace, key } of cache.keys()) all.push(`${namespace}/${key}`);
    expect(all.sort()).toEqual(["default/a", "default/b", "default/c", "default/d", "other/x"]);
    expect(await cache.delete("a")).toBe(true);
    await cache.flush();
    expect(await cache.has("a")).toBe(false);
    expect(await store.get("a", "default")).toBeUndefined();
    expect(await cache.get("a")).toBeUndefined();
  });

  it("counts per-tier hits and misses and the combined hit rate", async () => {
    const { cache } = setup(policy, 1);
    await cache.set("a", 1);
    await cache.set("b", 2);
    await cache.get("b"); // L1 hit, except write-around, where L1 is filled on this read
    await cache.get("a"); // L2 hit (evicted from L1, or never there)
    await cache.get("zz"); // miss
    const s = cache.getStats();
    expect(s.l1.hits + s.l1.misses).toBe(3);
    expect(s.l2!.hits + s.l2!.misses).toBe(s.l1.misses);
    expect(s.hits).toBe(2);
    expect(s.misses).toBe(1);
    expect(s.combinedHitRate).toBeCloseTo(2 / 3);
    expect(s.l1.hitRate).toBeCloseTo(s.l1.hits / 3);
  });
});

describe("write policies", () => {
  it("write-through: both tiers hold the entry when set resolves", async () => {
    const { cache, store } = setup(WritePolicy.WRITE_THROUGH);
    await cache.set("k", "v", { tags: ["t"] });
    expect(cache.l1.getSync("k", "default")).toBe("v");
    expect(await store.get("k", "default")).toMatchObject({ value: "v", tags: ["t"] });
  });

  it("write-around: only L2 is written, and L1 is filled by the read", async () => {
    const { cache, store } = setup(WritePolicy.WRITE_AROUND);
    await cache.set("k", "v1");
    await cache.get("k");
    await cache.set("k", "v2");
    expect(cache.l1.peek("k", "default")).toBe(-1);
    expect((await store.get("k", "default"))?.value).toBe("v2");
    expect(await cache.get("k")).toBe("v2");
    expect(cache.l1.peek("k", "default")).not.toBe(-1);
  });

  it("write-back: L1 now, L2 in batches by size, the rest on flush and close", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ maxSize: 1000, clock });
    const cache = new MultiLevelCache({
      l2: store,
      writePolicy: WritePolicy.WRITE_BACK,
      writeBack: { interval: "1h", batchSize: 3 },
      clock,
    });
    const flushed: number[] = [];
    cache.events.on("flush", ({ entries, error }) => {
      if (error === undefined) flushed.push(entries);
    });
    await cache.set("a", 1);
    await cache.set("b", 2);
    expect(store.size).toBe(0);
    expect(cache.getStats().writeBackQueueDepth).toBe(2);
    expect(await cache.get("a")).toBe(1);
    await cache.set("c", 3); // a full batch starts a flush
    await cache.set("d", 4);
    await cache.set("d", 5); // coalesced with the queued write of d
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(flushed).toEqual([3]);
    expect((await store.get("c", "default"))?.value).toBe(3);
    expect(await store.get("d", "default")).toBeUndefined();
    await cache.close();
    expect(flushed).toEqual([3, 1]);
    expect((await store.get("d", "default"))?.value).toBe(5);
    expect(cache.getStats()).toMatchObject({
      flushes: 2,
      flushedEntries: 4,
      writeBackQueueDepth: 0,
    });
  });

  it("write-back: flushes on its interval", async () => {
    const store = new MemoryStore({ maxSize: 100 });
    const cache = new MultiLevelCache({
      l2: store,
      writePolicy: WritePolicy.WRITE_BACK,
      writeBack: { interval: "20ms", batchSize: 100 },
    });
    const landed = new Promise<number>((resolve) =>
      cache.events.on("flush", (e) => resolve(e.entries)),
    );
    await cache.set("a", 1);
    expect(await landed).toBe(1);
    expect((await store.get("a", "default"))?.value).toBe(1);
    await cache.close();
  });

  it("write-back: an entry evicted from L1 before its flush is demoted, not lost", async () => {
    const { cache, store } = setup(WritePolicy.WRITE_BACK, 2);
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, i);
    expect(cache.getStats().demotions).toBe(3);
    expect(cache.l1.peek("k0", "default")).toBe(-1);
    expect(await store.get("k0", "default")).toBeUndefined();
    expect(await cache.get("k0")).toBe(0); // served from the queue, promoted again
    await cache.close();
    for (let i = 0; i < 5; i++) expect((await store.get(`k${i}`, "default"))?.value).toBe(i);
  });

  it("write-back: a full queue makes set wait for a flush (back-pressure)", async () => {
    const chaos = new ChaosStore(new MemoryStore({ maxSize: 1000 }));
    const cache = new MultiLevelCache({
      l2: chaos,
      writePolicy: WritePolicy.WRITE_BACK,
      writeBack: { interval: "1h", batchSize: 2, maxQueue: 4 },
    });
    chaos.hanging = true;
    for (let i = 0; i < 6; i++) await cache.set(`k${i}`, i); // 2 in flight (parked), 4 queued
    let done = false;
    const blocked = cache.set("k6", 6).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    expect(cache.getStats().writeBackQueueDepth).toBe(7);
    chaos.hanging = false;
    chaos.release();
    await blocked;
    await cache.close();
    expect(cache.getStats().droppedWrites).toBe(0);
    for (let i = 0; i <= 6; i++) expect((await chaos.inner.get(`k${i}`, "default"))?.value).toBe(i);
  });

  it("write-back: a full queue while L2 fails drops the oldest writes, counted", async () => {
    const chaos = new ChaosStore(new MemoryStore({ maxSize: 1000 }));
    const cache = new MultiLevelCache({
      l2: chaos,
      writePolicy: WritePolicy.WRITE_BACK,
      writeBack: { interval: "1h", batchSize: 2, maxQueue: 3 },
    });
    const errors: string[] = [];
    cache.events.on("error", (e) => errors.push(e.operation));
    chaos.failureRate = 1;
    for (let i = 0; i < 8; i++) await cache.set(`k${i}`, i);
    const stats = cache.getStats();
    expect(stats.droppedWrites).toBeGreaterThan(0);
    expect(stats.writeBackQueueDepth).toBeLessThanOrEqual(3);
    expect(errors).toContain("write-back");
    expect(await cache.get("k7")).toBe(8 - 1); // the newest write is kept, in L1 and the queue
    chaos.failureRate = 0;
    await cache.close();
    expect((await chaos.inner.get("k7", "default"))?.value).toBe(7);
  });
});

/**
 * An L2 whose operations take effect at once; `holdNext()` makes the next operation's reply wait
 * until released, the way a reply can arrive after later operations have completed.
 */
class LateReplyStore extends MemoryStore {
  private nextGate: Promise<void> | undefined;
  holdNext(): () => void {
    let release = (): void => undefined;
    this.nextGate = new Promise((resolve) => (release = resolve));
    return release;
  }
  private takeGate(): Promise<void> | undefined {
    const gate = this.nextGate;
    this.nextGate = undefined;
    return gate;
  }
  override async get(key: string, namespace: string) {
    const gate = this.takeGate();
    const entry = await super.get(key, namespace);
    await gate;
    return entry;
  }
  override async set(key: string, namespace: string, entry: StoreEntry) {
    const gate = this.takeGate();
    await super.set(key, namespace, entry);
    await gate;
  }
}

describe("coherence under concurrency", () => {
  it("an L2 read whose reply arrives after a delete does not promote the deleted value", async () => {
    const store = new LateReplyStore({ maxSize: 100 });
    const cache = new MultiLevelCache({ l1: { maxSize: 10 }, l2: store });
    await cache.set("k", "old");
    cache.l1.deleteSync("k", "default");
    const release = store.holdNext();
    const read = cache.get("k"); // reads "old" from L2; its reply is held
    await cache.delete("k");
    release();
    expect(await read).toBe("old"); // the read began before the delete
    expect(cache.l1.peek("k", "default")).toBe(-1);
    expect(await cache.get("k")).toBeUndefined();
  });

  it("write-through: a delete that completes before the set's L2 reply leaves L1 empty", async () => {
    const store = new LateReplyStore({ maxSize: 100 });
    const cache = new MultiLevelCache({ l1: { maxSize: 10 }, l2: store });
    const release = store.holdNext();
    const write = cache.set("k", "v"); // L2 has v; the reply is held
    await cache.delete("k"); // L2 and L1 no longer have k
    release();
    await write;
    expect(await store.get("k", "default")).toBeUndefined();
    expect(cache.l1.peek("k", "default")).toBe(-1);
    expect(await cache.get("k")).toBeUndefined();
  });
});

describe("events", () => {
  it("emits access with a reused payload, and set/delete/clear/evict/promote", async () => {
    const { cache } = setup(WritePolicy.WRITE_THROUGH, 1);
    const results: string[] = [];
    const payloads = new Set<object>();
    cache.events.on("access", (e) => {
      results.push(`${e.key}:${e.result}`);
      payloads.add(e);
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    });
    const seen: string[] = [];
    for (const name of ["set", "delete", "clear", "evict", "promote"] as const) {
      cache.events.on(name, () => seen.push(name));
    }
    await cache.set("a", 1);
    await cache.set("b", 2);
    await cache.get("b");
    await cache.get("a");
    await cache.get("zz");
    await cache.delete("a");
    await cache.clear();
    expect(results).toEqual(["b:l1_hit", "a:l2_hit", "zz:miss"]);
    expect(payloads.size).toBe(1);
    expect(seen).toEqual(["set", "evict", "set", "evict", "promote", "delete", "clear"]);
  });

  it("rejects calls after close, and close is idempotent", async () => {
    const { cache } = setup(WritePolicy.WRITE_BACK);
    await cache.set("a", 1);
    await Promise.all([cache.close(), cache.close()]);
    await expect(cache.get("a")).rejects.toMatchObject({ code: "ERR_CACHE_CLOSED" });
    await expect(cache.set("a", 1)).rejects.toMatchObject({ code: "ERR_CACHE_CLOSED" });
  });
});

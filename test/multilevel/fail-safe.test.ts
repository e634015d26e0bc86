import { describe, expect, it } from "vitest";
import { MultiLevelCache, WritePolicy, type WritePolicyName } from "../../src/multilevel/index.js";
import { GuardedStore } from "../../src/stores/guarded-store.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { ChaosStore } from "../helpers/chaos.js";

const POLICIES: WritePolicyName[] = Object.values(WritePolicy);

function chaosCache(writePolicy: WritePolicyName, failSafe?: boolean) {
  const chaos = new ChaosStore(new MemoryStore({ maxSize: 1000 }), 7);
  const cache = new MultiLevelCache({
    l1: { maxSize: 4 },
    l2: chaos,
    writePolicy,
    failSafe,
    writeBack: { interval: "1h" },
  });
  const errors: { operation: string; error: unknown }[] = [];
  cache.events.on("error", (e) => errors.push(e));
  return { cache, chaos, errors };
}

describe.each(POLICIES)("fail-safe under %s", (policy) => {
  it("an L2 that always fails never fails a read: it degrades to L1, then the loader", async () => {
    const { cache, chaos, errors } = chaosCache(policy);
    await cache.set("warm", "in l1");
    await cache.get("warm"); // write-around fills L1 on read
    chaos.failureRate = 1;
    if (policy !== WritePolicy.WRITE_AROUND) expect(await cache.get("warm")).toBe("in l1");
    expect(await cache.get("cold")).toBeUndefined();
    expect(await cache.has("cold")).toBe(false);
    expect(await cache.getOrSet("cold", () => "from loader")).toBe("from loader");
    const stats = cache.getStats();
    expect(stats.l2!.errors).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBe(stats.l2!.errors);
    expect(errors[0]).toMatchObject({ operation: "get" });
    expect(errors[0].error).toBeInstanceOf(Error);
  });

  it("random L2 failures never reject a call", async () => {
    const { cache, chaos } = chaosCache(policy);
    chaos.failureRate = 0.3;
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const key = `k${i % 17}`;
      calls.push(
        cache.set(key, i),
        cache.get(key),
        cache.getOrSet(`g${i % 11}`, () => i),
      );
      if (i % 10 === 0) calls.push(cache.delete(key), cache.invalidateTag("t"));
    }
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === "rejected")).toEqual([]);
    expect(chaos.injected).toBeGreaterThan(0);
    expect(cache.getStats().l2!.errors).toBeGreaterThan(0);
    await cache.close();
  });
});

describe("fail-safe details", () => {
  it("write-through: a failed L2 write keeps the value in L1 and counts a dropped write", async () => {
    const { cache, chaos } = chaosCache(WritePolicy.WRITE_THROUGH);
    chaos.failNext(1);
    await cache.set("k", "v");
    expect(cache.l1.getSync("k", "default")).toBe("v");
    expect(cache.getStats()).toMatchObject({ droppedWrites: 1, l2: { errors: 1 } });
  });

  it("failSafe: false makes L2 failures reject, and a failed write leaves L1 without the value", async () => {
    const { cache, chaos } = chaosCache(WritePolicy.WRITE_THROUGH, false);
    await cache.set("k", "old");
    chaos.failNext(1);
    await expect(cache.set("k", "new")).rejects.toThrow("chaos: injected set failure");
    expect(cache.l1.peek("k", "default")).toBe(-1);
    expect(await cache.get("k")).toBe("old");
    cache.l1.deleteSync("k", "default");
    chaos.failNext(1);
    await expect(cache.get("k")).rejects.toMatchObject({ code: "ERR_CACHE_STORE" });
  });

  it("write-back: a failed flush keeps the batch queued and retries it", async () => {
    const { cache, chaos } = chaosCache(WritePolicy.WRITE_BACK);
    await cache.set("a", 1);
    await cache.set("b", 2);
    chaos.failNext(1);
    expect(await cache.flush()).toBe(false);
    expect(cache.getStats().writeBackQueueDepth).toBe(2);
    expect(await cache.flush()).toBe(true);
    expect((await chaos.inner.get("a", "default"))?.value).toBe(1);
    expect(cache.getStats()).toMatchObject({ writeBackQueueDepth: 0, droppedWrites: 0 });
  });

  it("write-back: writes that cannot be flushed by close are counted as dropped", async () => {
    const { cache, chaos } = chaosCache(WritePolicy.WRITE_BACK);
    await cache.set("a", 1);
    chaos.failureRate = 1;
    await cache.close();
    expect(cache.getStats().droppedWrites).toBe(1);
  });

  it("a hanging L2 behind a GuardedStore costs a read the timeout, then the circuit opens", async () => {
    const chaos = new ChaosStore(new MemoryStore({ maxSize: 100 }));
    const guarded = new GuardedStore(chaos, { timeout: "20ms", breaker: { failureThreshold: 2 } });
    const cache = new MultiLevelCache({ l2: guarded });
    await cache.set("k", "v");
    cache.l1.deleteSync("k", "default");
    chaos.hanging = true;
    const errors: string[] = [];
    cache.events.on("error", (e) => errors.push((e.error as { code?: string }).code ?? "?"));
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.get("k")).toBeUndefined();
    expect(errors).toEqual(["ERR_CACHE_TIMEOUT", "ERR_CACHE_TIMEOUT", "ERR_CACHE_CIRCUIT_OPEN"]);
    chaos.hanging = false;
    chaos.release();
  });
});

import { describe, expect, it } from "vitest";
import { MultiLevelCache, WritePolicy, type WritePolicyName } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FakeClock } from "../helpers/fake-clock.js";

const POLICIES: WritePolicyName[] = Object.values(WritePolicy);

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(writePolicy: WritePolicyName = WritePolicy.WRITE_THROUGH, grace?: number) {
  const clock = new FakeClock();
  const l2 = new MemoryStore({ maxSize: 1000, clock, sweepInterval: 0 });
  const cache = new MultiLevelCache({
    l1: { maxSize: 100, sweepInterval: 0 },
    l2,
    writePolicy,
    grace,
    clock,
  });
  return { cache, l2, clock };
}

describe.each(POLICIES)("getOrSet under %s", (policy) => {
  it("runs the loader once for 10,000 concurrent callers of one key", async () => {
    const { cache } = setup(policy);
    let calls = 0;
    const gate = deferred<string>();
    const callers = Array.from({ length: 10_000 }, () =>
      cache.getOrSet("k", () => {
        calls++;
        return gate.promise;
      }),
    );
    await new Promise((r) => setTimeout(r, 0));
    gate.resolve("value");
    const results = await Promise.all(callers);
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(["value"]));
    expect(await cache.get("k")).toBe("value");
    expect(await cache.getOrSet("k", () => "other")).toBe("value");
    expect(calls).toBe(1);
    expect(cache.getStats().loads).toBe(1);
  });

  it("gives a loader error to every waiter and releases the key", async () => {
    const { cache } = setup(policy);
    let calls = 0;
    const gate = deferred<string>();
    const callers = Array.from({ length: 1000 }, () =>
      cache.getOrSet("k", () => {
        calls++;
        return gate.promise;
      }),
    );
    const boom = new Error("upstream down");
    gate.reject(boom);
    const settled = await Promise.allSettled(callers);
    expect(calls).toBe(1);
    for (const s of settled) expect(s).toEqual({ status: "rejected", reason: boom });
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.getOrSet("k", () => "recovered")).toBe("recovered");
    expect(calls).toBe(1);
    expect(cache.getStats()).toMatchObject({ loads: 2, loadErrors: 1 });
  });

  it("does not resurrect a key deleted while its loader ran", async () => {
    const { cache, l2 } = setup(policy);
    const gate = deferred<string>();
    const loading = cache.getOrSet("k", () => gate.promise);
    await new Promise((r) => setTimeout(r, 0));
    await cache.delete("k");
    gate.resolve("loaded before the delete finished");
    expect(await loading).toBe("loaded before the delete finished");
    await cache.flush();
    expect(await cache.get("k")).toBeUndefined();
    expect(await l2.get("k", "default")).toBeUndefined();
    // A caller after the delete starts a fresh load instead of joining the outdated one.
    expect(await cache.getOrSet("k", () => "fresh")).toBe("fresh");
  });

  it("keeps a value set while its loader ran", async () => {
    const { cache } = setup(policy);
    const gate = deferred<string>();
    const loading = cache.getOrSet("k", () => gate.promise);
    await new Promise((r) => setTimeout(r, 0));
    await cache.set("k", "newer");
    gate.resolve("older");
    await loading;
    expect(await cache.get("k")).toBe("newer");
  });

  it("stores the loaded value with the call's ttl and tags, in its namespace", async () => {
    const { cache, clock } = setup(policy);
    expect(
      await cache.getOrSet("k", async () => 42, { namespace: "tool", ttl: 30, tags: ["git"] }),
    ).toBe(42);
    expect(await cache.get("k", { namespace: "tool" })).toBe(42);
    expect(await cache.get("k")).toBeUndefined();
    await cache.invalidateTag("git");
    expect(await cache.get("k", { namespace: "tool" })).toBeUndefined();
    await cache.getOrSet("k", () => 1, { ttl: 30 });
    clock.advance(31_000);
    expect(await cache.getOrSet("k", () => 2)).toBe(2);
  });
});

describe("getOrSet details", () => {
  it("answers from L2 without running the loader, and promotes", async () => {
    const { cache } = setup();
    await cache.set("k", "in l2");
    cache.l1.deleteSync("k", "default");
    let calls = 0;
    expect(await cache.getOrSet("k", () => (calls++, "loaded"))).toBe("in l2");
    expect(calls).toBe(0);
    expect(cache.l1.getSync("k", "default")).toBe("in l2");
  });

  it("does not cache a loader's undefined", async () => {
    const { cache } = setup();
    let calls = 0;
    expect(await cache.getOrSet("k", () => (calls++, undefined))).toBeUndefined();
    expect(await cache.getOrSet("k", () => (calls++, undefined))).toBeUndefined();
    expect(calls).toBe(2);
  });

  it("rejects a loader value that cannot be encoded, to every waiter, storing nothing", async () => {
    const { cache } = setup();
    const results = await Promise.allSettled([
      cache.getOrSet("k", () => ({ fn: () => 1 })),
      cache.getOrSet("k", () => 1),
    ]);
    for (const r of results)
      expect(r).toMatchObject({ status: "rejected", reason: { code: "ERR_CACHE_SERIALIZATION" } });
    expect(await cache.get("k")).toBeUndefined();
  });

  it("needs a lock for distributedLock", async () => {
    const { cache } = setup();
    await expect(cache.getOrSet("k", () => 1, { distributedLock: true })).rejects.toMatchObject({
      code: "ERR_CACHE_CONFIG",
      path: "distributedLock",
    });
  });
});

describe("grace (stale-if-error)", () => {
  it("serves a stale value when the loader fails within the grace window, never after", async () => {
    const { cache, clock } = setup(WritePolicy.WRITE_THROUGH, 60);
    await cache.set("k", "v1", { ttl: 10 });
    clock.advance(11_000);
    expect(await cache.get("k")).toBeUndefined(); // stale values are not hits
    expect(await cache.has("k")).toBe(false);
    const failing = () => Promise.reject(new Error("upstream down"));
    expect(await cache.getOrSet("k", failing)).toBe("v1");
    expect(cache.getStats().staleServed).toBe(1);
    clock.advance(60_000); // past ttl + grace
    await expect(cache.getOrSet("k", failing)).rejects.toThrow("upstream down");
  });

  it("replaces the stale value when the loader succeeds", async () => {
    const { cache, clock } = setup(WritePolicy.WRITE_THROUGH, 60);
    await cache.set("k", "v1", { ttl: 10 });
    clock.advance(11_000);
    expect(await cache.getOrSet("k", () => "v2", { ttl: 10 })).toBe("v2");
    expect(await cache.get("k")).toBe("v2");
  });

  it("finds the stale value in L2 when L1 no longer has it, and honours a per-call grace", async () => {
    const { cache, clock } = setup(WritePolicy.WRITE_THROUGH);
    await cache.set("k", "v1", { ttl: 10, grace: "1m" });
    cache.l1.deleteSync("k", "default");
    clock.advance(30_000);
    const results: string[] = [];
    cache.events.on("access", (e) => results.push(e.result));
    expect(await cache.getOrSet("k", () => Promise.reject(new Error("down")))).toBe("v1");
    expect(results).toEqual(["stale"]);
  });

  it("without grace, an expired value is gone and the loader error surfaces", async () => {
    const { cache, clock } = setup(WritePolicy.WRITE_THROUGH);
    await cache.set("k", "v1", { ttl: 10 });
    clock.advance(11_000);
    await expect(cache.getOrSet("k", () => Promise.reject(new Error("down")))).rejects.toThrow(
      "down",
    );
  });

  it("does not serve the stale value of a key deleted while the loader ran", async () => {
    const { cache, clock } = setup(WritePolicy.WRITE_THROUGH, 60);
    await cache.set("k", "v1", { ttl: 10 });
    clock.advance(11_000);
    const gate = deferred<string>();
    const loading = cache.getOrSet("k", () => gate.promise);
    await new Promise((r) => setTimeout(r, 0));
    await cache.delete("k");
    gate.reject(new Error("down"));
    await expect(loading).rejects.toThrow("down");
  });
});

/**
 * Cascades are iterative: a chain of 100,000 edges and cycles (small and 100,000 long) are
 * invalidated completely, without a stack overflow, and leave nothing behind in the graph.
 */
import { describe, expect, it } from "vitest";
import { l1Setup } from "./support.js";

const N = 100_000;

describe("CacheInvalidator cascades", () => {
  it("a chain of 100,000 edges: every entry above the changed resource goes", async () => {
    const { cache, invalidator } = l1Setup({}, N + 10);
    await cache.set("e0", 0);
    await invalidator.addDependency("e0", "default", "root-resource");
    for (let i = 1; i <= N; i++) {
      await cache.set(`e${i}`, i);
      await invalidator.addDependency(`e${i}`, "default", { key: `e${i - 1}` });
    }
    await cache.set("bystander", "b");
    expect(invalidator.getStats().graph).toEqual({ nodes: N + 2, edges: N + 1 });
    const started = performance.now();
    expect(await invalidator.invalidateDependents("root-resource")).toBe(N + 1);
    console.log(`cascade over ${N + 1} edges: ${(performance.now() - started).toFixed(0)} ms`);
    expect(await cache.get(`e${N}`)).toBeUndefined();
    expect(await cache.get(`e${N >> 1}`)).toBeUndefined();
    expect(await cache.get("bystander")).toBe("b");
    expect(invalidator.getStats().graph).toEqual({ nodes: 0, edges: 0 });
    expect(invalidator.getStats().cascades.maxSize).toBe(N + 1);
  });

  it("a cycle ends: invalidating any member takes the whole ring once", async () => {
    const { cache, invalidator } = l1Setup();
    for (const k of ["a", "b", "c"]) await cache.set(k, k);
    await invalidator.addDependency("a", "default", { key: "b" });
    await invalidator.addDependency("b", "default", { key: "c" });
    await invalidator.addDependency("c", "default", { key: "a" });
    await invalidator.addDependency("a", "default", { key: "a" }); // and a self-loop
    expect(await invalidator.invalidateKey("b")).toBe(3);
    for (const k of ["a", "b", "c"]) expect(await cache.get(k)).toBeUndefined();
    expect(invalidator.getStats().graph).toEqual({ nodes: 0, edges: 0 });
  });

  it("a cycle of 100,000 entries hanging off a file goes in one cascade", async () => {
    const { cache, invalidator } = l1Setup({}, N + 10);
    for (let i = 0; i < N; i++) await cache.set(`r${i}`, i);
    for (let i = 0; i < N; i++) {
      await invalidator.addDependency(`r${i}`, "default", { key: `r${(i + 1) % N}` });
    }
    await invalidator.addDependency("r0", "default", { file: "/nonexistent/victor/ring.ts" });
    expect(await invalidator.invalidateDependents({ file: "/nonexistent/victor/ring.ts" })).toBe(N);
    expect(await cache.get(`r${N - 1}`)).toBeUndefined();
    expect(invalidator.getStats().graph).toEqual({ nodes: 0, edges: 0 });
  });

  it("a cascade started by a plain cache.delete is iterative too", async () => {
    const { cache, invalidator } = l1Setup({}, N + 10);
    await cache.set("c0", 0);
    for (let i = 1; i <= N; i++) {
      await cache.set(`c${i}`, i);
      await invalidator.addDependency(`c${i}`, "default", { key: `c${i - 1}` });
    }
    await cache.delete("c0");
    await invalidator.idle();
    expect(await cache.get(`c${N}`)).toBeUndefined();
    expect(invalidator.getStats().graph).toEqual({ nodes: 0, edges: 0 });
  });
});

import { describe, expect, it } from "vitest";
import { CacheWarmer } from "../../src/warming/index.js";
import { l1Keys, rig, type Rig } from "./support.js";

/** Puts `key` in L2 only and records `reads` accesses to it. */
async function known(r: Rig, warmer: CacheWarmer, key: string, reads: number): Promise<void> {
  await r.store.set(key, "default", { value: key, expiresAt: 0 });
  for (let i = 0; i < reads; i++) warmer.recordAccess(key);
}

/** Puts `key` in both tiers (an L1 resident) and records `reads` accesses to it. */
async function resident(r: Rig, warmer: CacheWarmer, key: string, reads: number): Promise<void> {
  await known(r, warmer, key, reads);
  r.cache.l1.setSync(key, "default", key, 0);
}

function setup(l1MaxSize: number) {
  const r = rig(l1MaxSize);
  const warmer = new CacheWarmer({
    cache: r.cache,
    strategy: "frequency",
    preloadCount: 10,
    recordEvents: false,
  });
  return { r, warmer };
}

describe("CacheWarmer: the L1 capacity rule", () => {
  it("never displaces residents that score higher than the candidates", async () => {
    const { r, warmer } = setup(3);
    for (const key of ["r1", "r2", "r3"]) await resident(r, warmer, key, 10);
    for (const key of ["c1", "c2", "c3", "c4"]) await known(r, warmer, key, 2);
    const result = await warmer.warm();
    expect(result).toMatchObject({ fromL2: 0, displaced: 0, alreadyInL1: 3 });
    expect(result.skippedByCapacity).toBeGreaterThan(0);
    expect(await l1Keys(r.cache)).toEqual(["r1", "r2", "r3"]);
  });

  it("displaces the lowest-scoring residents for higher candidates and stops at the first that loses", async () => {
    const { r, warmer } = setup(5);
    // A resident the log does not know scores 0 and goes first.
    r.cache.l1.setSync("stranger", "default", "s", 0);
    for (const [key, reads] of [
      ["r1", 1],
      ["r3", 3],
      ["r4", 4],
      ["r5", 5],
    ] as const) {
      await resident(r, warmer, key, reads);
    }
    for (const [key, reads] of [
      ["c7", 7],
      ["c6", 6],
      ["c2", 2],
    ] as const) {
      await known(r, warmer, key, reads);
    }
    const result = await warmer.warm();
    // c7 displaces stranger (0), c6 displaces r1 (1); c2 meets r3 (3) and the run stops there.
    expect(result).toMatchObject({ fromL2: 2, displaced: 2, alreadyInL1: 3 });
    expect(result.skippedByCapacity).toBeGreaterThan(0);
    expect(await l1Keys(r.cache)).toEqual(["c6", "c7", "r3", "r4", "r5"]);
  });

  it("fills free slots first, then displaces only what scores lower", async () => {
    const { r, warmer } = setup(4);
    await resident(r, warmer, "r9", 9);
    await resident(r, warmer, "r1", 1);
    for (const [key, reads] of [
      ["c8", 8],
      ["c5", 5],
      ["c3", 3],
    ] as const) {
      await known(r, warmer, key, reads);
    }
    const result = await warmer.warm();
    // Two free slots take c8 and c5; c3 then displaces r1, which is then no longer "in L1".
    expect(result).toMatchObject({ fromL2: 3, displaced: 1, alreadyInL1: 1 });
    expect(await l1Keys(r.cache)).toEqual(["c3", "c5", "c8", "r9"]);
  });

  it("inserts lowest score first, so under LRU the best candidate is evicted last", async () => {
    const { r, warmer } = setup(3);
    for (const [key, reads] of [
      ["a", 3],
      ["b", 2],
      ["c", 1],
    ] as const) {
      await known(r, warmer, key, reads);
    }
    await warmer.warm();
    expect(await l1Keys(r.cache)).toEqual(["a", "b", "c"]);
    await r.cache.set("x", 1);
    expect(await l1Keys(r.cache)).toEqual(["a", "b", "x"]);
    await r.cache.set("y", 1);
    expect(await l1Keys(r.cache)).toEqual(["a", "x", "y"]);
  });
});

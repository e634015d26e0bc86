/**
 * The persisted graph under a failing L2: a failed load is reported and retried by the next
 * start, a failed edge write is reported and retried by the next flush, and no edge is lost.
 */
import { describe, expect, it } from "vitest";
import { CacheInvalidator, DEPENDENCY_NAMESPACE } from "../../src/invalidation/index.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { CacheStoreError } from "../../src/core/errors.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { StoreEntry } from "../../src/stores/store.js";
import { ChaosStore } from "../helpers/chaos.js";

/** A memory store whose next `failSetMany` batch writes fail. */
class FlakyStore extends MemoryStore {
  failSetMany = 0;
  override async setMany(
    entries: readonly (readonly [key: string, entry: StoreEntry])[],
    namespace: string,
  ): Promise<void> {
    if (this.failSetMany > 0) {
      this.failSetMany--;
      throw new CacheStoreError("flaky: setMany failed");
    }
    return super.setMany(entries, namespace);
  }
}

async function records(store: MemoryStore): Promise<number> {
  let count = 0;
  for await (const _ of store.keys(DEPENDENCY_NAMESPACE)) count++;
  return count;
}

describe("CacheInvalidator with a failing L2", () => {
  it("a failed edge write is reported, retried, and reaches L2", async () => {
    const l2 = new FlakyStore({ maxSize: 1000 });
    const cache = new MultiLevelCache({ l2 });
    const invalidator = new CacheInvalidator({ cache });
    const errors: string[] = [];
    invalidator.events.on("error", (e) => errors.push(e.operation));
    await cache.set("k", 1);
    l2.failSetMany = 1;
    await invalidator.addDependency("k", "default", "res");
    expect(errors).toEqual(["dependencies.persist"]);
    expect(await records(l2)).toBe(0);
    await invalidator.idle(); // the next flush retries
    expect(await records(l2)).toBe(1);
    await invalidator.close();
  });

  it("a failed load is reported and the next start loads the graph", async () => {
    const inner = new MemoryStore({ maxSize: 1000 });
    const first = new MultiLevelCache({ l2: inner });
    const writer = new CacheInvalidator({ cache: first });
    await first.set("k", 1);
    await writer.addDependency("k", "default", "res");
    await writer.close();

    const l2 = new ChaosStore(inner);
    l2.failNext(1); // the load's listing of the graph's records
    const cache = new MultiLevelCache({ l2 });
    const invalidator = new CacheInvalidator({ cache });
    const errors: string[] = [];
    invalidator.events.on("error", (e) => errors.push(e.operation));
    await expect(invalidator.start()).rejects.toThrow(/chaos: injected keys failure/);
    expect(errors).toEqual(["dependencies.load"]);
    await invalidator.start(); // loads again
    expect(await invalidator.dependentsOf("res")).toEqual([{ key: "k", namespace: "default" }]);
    expect(await invalidator.invalidateDependents("res")).toBe(1);
    expect(await cache.get("k")).toBeUndefined();
    await invalidator.close();
  });
});

import { describe, expect, it } from "vitest";
import { createEvictionPolicy } from "../../src/eviction/factory.js";
import { LfuPolicy } from "../../src/eviction/lfu.js";
import type { EvictionPolicyImpl } from "../../src/eviction/policy.js";

/** Evicts until empty and returns the victims in order. */
function drain(policy: EvictionPolicyImpl): number[] {
  const order: number[] = [];
  while (policy.size > 0) order.push(policy.evict());
  return order;
}

describe("fifo", () => {
  it("evicts in insertion order whatever was read or rewritten", () => {
    const fifo = createEvictionPolicy("fifo", { capacity: 4 });
    for (const slot of [3, 0, 2, 1]) fifo.insert(slot, 0, 0);
    fifo.access(3);
    fifo.update(0, 0);
    fifo.remove(2);
    expect(drain(fifo)).toEqual([3, 0, 1]);
  });
});

describe("lfu", () => {
  it("evicts the least used, and the least recently used among equals", () => {
    const lfu = createEvictionPolicy("lfu", { capacity: 4 });
    for (const slot of [0, 1, 2, 3]) lfu.insert(slot, 0, 0);
    lfu.access(2);
    lfu.access(0);
    lfu.update(0, 0);
    // counts: 0 -> 3, 2 -> 2, 1 and 3 -> 1 (1 older than 3)
    expect(drain(lfu)).toEqual([1, 3, 2, 0]);
  });

  /**
   * A key read many times long ago, then never again, while other keys are reused: with aging it
   * must eventually be evicted; without aging it stays for ever. Returns the request index at
   * which the old hot key left, or -1.
   */
  function stepWhenOnceHotKeyLeaves(agingPeriod: number): number {
    const capacity = 8;
    const lfu = new LfuPolicy({ capacity, agingPeriod });
    const hot = 0;
    lfu.insert(hot);
    for (let i = 0; i < 1000; i++) lfu.access(hot);
    // Eight other slots cycle through a cache of eight: each is inserted and read three times.
    const live = new Set<number>([hot]);
    for (let step = 0; step < 20_000; step++) {
      const slot = 1 + (step % capacity);
      if (!live.has(slot)) {
        lfu.insert(slot);
        live.add(slot);
        while (lfu.size > capacity) {
          const victim = lfu.evict();
          if (victim === hot) return step;
          live.delete(victim);
        }
      }
      // A newcomer may be its own victim (LFU's weakness); only live slots can be read.
      if (live.has(slot)) for (let r = 0; r < 3; r++) lfu.access(slot);
    }
    return -1;
  }

  it("lets a once-hot key leave thanks to aging", () => {
    expect(stepWhenOnceHotKeyLeaves(32)).toBeGreaterThanOrEqual(0);
  });

  it("keeps a once-hot key for ever without aging", () => {
    expect(stepWhenOnceHotKeyLeaves(0)).toBe(-1);
  });
});

describe("ttl", () => {
  it("evicts soonest expiry first, equal expiries by oldest write, never-expiring last in LRU order", () => {
    const ttl = createEvictionPolicy("ttl", { capacity: 8 });
    ttl.insert(0, 0, 30_000);
    ttl.insert(1, 0, 10_000);
    ttl.insert(2, 0, 0);
    ttl.insert(3, 0, 10_000);
    ttl.insert(4, 0, 0);
    ttl.insert(5, 0, 0);
    ttl.insert(6, 0, 20_000);
    ttl.access(2); // never-expiring order by last use: 4, 5, 2
    ttl.access(1); // a read does not reorder expiring entries
    ttl.update(6, 10_000); // rewritten: now the newest of the 10 s group
    expect(drain(ttl)).toEqual([1, 3, 6, 0, 4, 5, 2]);
  });

  it("moves an entry between expiring and never-expiring on update", () => {
    const ttl = createEvictionPolicy("ttl", { capacity: 4 });
    ttl.insert(0, 0, 0);
    ttl.insert(1, 0, 5_000);
    ttl.insert(2, 0, 0);
    ttl.update(1, 0); // now the most recently used never-expiring entry
    ttl.update(0, 50_000); // now the only expiring one
    ttl.remove(2);
    expect(drain(ttl)).toEqual([0, 1]);
  });
});

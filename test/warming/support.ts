/** Shared set-up of the warming tests: a MultiLevelCache over a memory L2, restartable. */
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { CacheStore } from "../../src/stores/store.js";
import { FakeClock } from "../helpers/fake-clock.js";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A clock at 00:00 UTC of a Monday (2024-01-15). */
export function midnightClock(): FakeClock {
  return new FakeClock(Date.UTC(2024, 0, 15));
}

export interface Rig {
  clock: FakeClock;
  store: CacheStore;
  cache: MultiLevelCache;
  /** A fresh L1 over the same L2, as after a process restart. */
  restart(l1MaxSize?: number): MultiLevelCache;
}

export function rig(l1MaxSize = 100, clock = midnightClock(), store?: CacheStore): Rig {
  const l2 = store ?? new MemoryStore({ maxSize: 100_000, clock, sweepInterval: 0 });
  const make = (size: number): MultiLevelCache =>
    // LRU, so tests can reason about which entry L1 evicts.
    new MultiLevelCache({
      l1: { maxSize: size, sweepInterval: 0, evictionPolicy: "lru" },
      l2,
      clock,
    });
  const r: Rig = {
    clock,
    store: l2,
    cache: make(l1MaxSize),
    restart(size = l1MaxSize) {
      r.cache = make(size);
      return r.cache;
    },
  };
  return r;
}

/** The keys L1 holds in `namespace`, sorted. */
export async function l1Keys(cache: MultiLevelCache, namespace = "default"): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of cache.l1.keys(namespace)) keys.push(k.key);
  return keys.sort();
}

export function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

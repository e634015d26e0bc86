/**
 * The memory tier (L1) beside lru-cache, mnemonist and a plain Map: get on a hit and set, as
 * ops/s ratios against lru-cache from one run; then each policy's throughput and hit ratio on a
 * Zipf(0.99) workload, against the LRU path in the same run.
 */
import { LRUCache } from "lru-cache";
import { LRUCache as MnemonistLru } from "mnemonist";
import { EVICTION_POLICY_NAMES } from "../src/eviction/policy.js";
import { MemoryStore } from "../src/stores/memory.js";
import { compareSync, printRatios, zipfKeys } from "./harness.js";

const SIZE = 10_000;

export default async function (): Promise<void> {
  const keys = Array.from({ length: SIZE }, (_, i) => `key:${i}`);
  const ns = "default";
  const ours = new MemoryStore({ maxSize: SIZE, sweepInterval: 0 });
  const lru = new LRUCache<string, number>({ max: SIZE });
  const mnemonist = new MnemonistLru<string, number>(SIZE);
  const map = new Map<string, number>();
  for (let i = 0; i < SIZE; i++) {
    ours.setSync(keys[i], ns, i);
    lru.set(keys[i], i);
    mnemonist.set(keys[i], i);
    map.set(keys[i], i);
  }
  const mask = SIZE - 1 > 8191 ? 8191 : SIZE - 1;
  printRatios(
    "Memory tier: get (hit)",
    compareSync([
      { name: "lru-cache", op: (i) => lru.get(keys[i & mask]) },
      { name: "victor-cache MemoryStore", op: (i) => ours.getSync(keys[i & mask], ns) },
      { name: "mnemonist LRUCache", op: (i) => mnemonist.get(keys[i & mask]) },
      { name: "Map", op: (i) => map.get(keys[i & mask]) },
    ]),
    "lru-cache",
  );
  printRatios(
    "Memory tier: set (overwrite)",
    compareSync([
      { name: "lru-cache", op: (i) => lru.set(keys[i & mask], i) },
      { name: "victor-cache MemoryStore", op: (i) => ours.setSync(keys[i & mask], ns, i) },
      { name: "mnemonist LRUCache", op: (i) => mnemonist.set(keys[i & mask], i) },
      { name: "Map", op: (i) => map.set(keys[i & mask], i) },
    ]),
    "lru-cache",
  );

  // Zipf(0.99) over 10x the capacity: a realistic mix of hits, misses, inserts and evictions.
  const universe = SIZE * 10;
  const trace = zipfKeys(universe, 1 << 20);
  const traceKeys = Array.from({ length: universe }, (_, i) => `key:${i}`);
  const traceMask = trace.length - 1;
  const policies = EVICTION_POLICY_NAMES.filter((name) => {
    try {
      new MemoryStore({ evictionPolicy: name });
      return true;
    } catch {
      return false;
    }
  });
  const stores = policies.map(
    (name) => new MemoryStore({ maxSize: SIZE, evictionPolicy: name, sweepInterval: 0 }),
  );
  const getOrSet = (store: MemoryStore, i: number) => {
    const key = traceKeys[trace[i & traceMask]];
    if (store.lookup(key, ns) === -1) store.setSync(key, ns, i);
  };
  const lruCacheZipf = new LRUCache<string, number>({ max: SIZE });
  const results = compareSync(
    [
      ...stores.map((store, k) => ({ name: policies[k], op: (i: number) => getOrSet(store, i) })),
      {
        name: "lru-cache (peer)",
        op: (i: number) => {
          const key = traceKeys[trace[i & traceMask]];
          if (lruCacheZipf.get(key) === undefined) lruCacheZipf.set(key, i);
        },
      },
    ],
    1 << 18,
  );
  printRatios(
    "Memory tier by policy: get, then set on a miss, Zipf(0.99) over 100k keys, 10k entries",
    results,
    "lru",
  );

  console.log(`\n| policy | Zipf(0.99) hit ratio |\n|---|---:|`);
  for (let k = 0; k < policies.length; k++) {
    const s = new MemoryStore({ maxSize: SIZE, evictionPolicy: policies[k], sweepInterval: 0 });
    for (let i = 0; i < trace.length; i++) getOrSet(s, i);
    const { hits, misses } = s.getStats();
    console.log(`| ${policies[k]} | ${((100 * hits) / (hits + misses)).toFixed(2)} % |`);
  }
}

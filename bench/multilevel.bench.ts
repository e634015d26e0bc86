/**
 * MultiLevelCache against its peers, each measured in the same run:
 * - the async `get` on an L1 hit beside lru-cache wrapped in an async function, cache-manager 7,
 *   cacheable 2 and bentocache 1 (all memory-only; targets >= 0.8x, >= 4x cache-manager,
 *   >= 20x bentocache);
 * - the L2-hit path (L1 miss, LMDB hit, promotion into L1) beside a raw lmdb `get` (target >= 0.5x);
 * - `getOrSet` on a hit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BentoCache, bentostore } from "bentocache";
import { memoryDriver } from "bentocache/drivers/memory";
import { createCache } from "cache-manager";
import { Cacheable } from "cacheable";
import { open } from "lmdb";
import { LRUCache } from "lru-cache";
import { MultiLevelCache } from "../src/multilevel/index.js";
import { LmdbStore } from "../src/stores/lmdb.js";
import { compareAsync, printRatios, type Measurement } from "./harness.js";

const SIZE = 10_000;
const MASK = 8191;

function value(i: number): { id: number; tool: string; output: string } {
  return { id: i, tool: "git status", output: `On branch main, file ${i} modified` };
}

/** Our ops/s over each peer's, with the target, as a table. */
function printTargets(results: Measurement[], ours: string, targets: [string, number][]): void {
  const us = results.find((r) => r.name === ours)!;
  console.log(`\n| ${ours} vs | ratio | target | met |`);
  console.log(`|---|---:|---:|:---:|`);
  for (const [peer, target] of targets) {
    const them = results.find((r) => r.name === peer)!;
    const ratio = us.opsPerSec / them.opsPerSec;
    console.log(
      `| ${peer} | ${ratio.toFixed(2)}x | >= ${target}x | ${ratio >= target ? "yes" : "no"} |`,
    );
  }
}

async function l1Hit(keys: string[]): Promise<void> {
  const lru = new LRUCache<string, object>({ max: SIZE });
  // LRU against lru-cache, like for like; the default W-TinyLFU L1 is measured beside it.
  const ours = new MultiLevelCache({
    l1: { maxSize: SIZE, evictionPolicy: "lru", sweepInterval: 0 },
  });
  const oursDefault = new MultiLevelCache({ l1: { maxSize: SIZE, sweepInterval: 0 } });
  const cacheManager = createCache();
  const cacheable = new Cacheable();
  const bento = new BentoCache({
    default: "memory",
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: SIZE })) },
  });
  for (let i = 0; i < SIZE; i++) {
    lru.set(keys[i], value(i));
    await ours.set(keys[i], value(i));
    await oursDefault.set(keys[i], value(i));
    await cacheManager.set(keys[i], value(i));
    await cacheable.set(keys[i], value(i));
    await bento.set({ key: keys[i], value: value(i) });
  }
  const results = await compareAsync(
    [
      { name: "lru-cache (async wrapper)", op: async (i) => lru.get(keys[i & MASK]) },
      { name: "victor-cache MultiLevelCache", op: (i) => ours.get(keys[i & MASK]) },
      {
        name: "victor-cache MultiLevelCache, default W-TinyLFU L1",
        op: (i) => oursDefault.get(keys[i & MASK]),
      },
      { name: "cache-manager 7", op: (i) => cacheManager.get(keys[i & MASK]) },
      { name: "cacheable 2", op: (i) => cacheable.get(keys[i & MASK]) },
      { name: "bentocache 1", op: (i) => bento.get({ key: keys[i & MASK] }) },
    ],
    50_000,
  );
  printRatios(
    "MultiLevelCache: async get on an L1 hit (memory only)",
    results,
    "lru-cache (async wrapper)",
  );
  printTargets(results, "victor-cache MultiLevelCache", [
    ["lru-cache (async wrapper)", 0.8],
    ["cache-manager 7", 4],
    ["bentocache 1", 20],
  ]);

  const getOrSet = await compareAsync(
    [
      {
        name: "lru-cache get-or-compute (async wrapper)",
        op: async (i) => lru.get(keys[i & MASK]) ?? value(i),
      },
      { name: "victor-cache getOrSet", op: (i) => ours.getOrSet(keys[i & MASK], () => value(i)) },
      {
        name: "cache-manager 7 wrap",
        op: (i) => cacheManager.wrap(keys[i & MASK], async () => value(i)),
      },
      {
        name: "bentocache 1 getOrSet",
        op: (i) => bento.getOrSet({ key: keys[i & MASK], factory: () => value(i) }),
      },
    ],
    50_000,
  );
  printRatios(
    "MultiLevelCache: getOrSet on an L1 hit",
    getOrSet,
    "lru-cache get-or-compute (async wrapper)",
  );
  await Promise.all([
    ours.close(),
    oursDefault.close(),
    cacheManager.disconnect(),
    bento.disconnect(),
  ]);
}

async function l2Hit(keys: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "victor-bench-"));
  try {
    const raw = open<object, string>({ path: join(dir, "raw"), encoding: "msgpack" });
    const path = join(dir, "ours");
    // An LRU L1 of 64 entries read in key order: every read misses L1, hits LMDB and is promoted.
    const ours = new MultiLevelCache({
      l1: { maxSize: 64, evictionPolicy: "lru", sweepInterval: 0 },
      l2: { type: "file", path, sweepInterval: 0 },
    });
    for (let i = 0; i < SIZE; i++) {
      await ours.set(keys[i], value(i));
      await raw.put(keys[i], value(i));
    }
    const store = ours.l2 as LmdbStore;
    const n = SIZE;
    const before = ours.getStats();
    const results = await compareAsync(
      [
        { name: "raw lmdb get (async wrapper)", op: async (i) => raw.get(keys[i % n]) },
        {
          name: "victor-cache MultiLevelCache (L1 miss, L2 hit, promote)",
          op: (i) => ours.get(keys[i % n]),
        },
        { name: "victor-cache LmdbStore.get alone", op: (i) => store.get(keys[i % n], "default") },
      ],
      20_000,
    );
    const after = ours.getStats();
    printRatios(
      "MultiLevelCache: L2 hit (L1 miss, LMDB hit, promote)",
      results,
      "raw lmdb get (async wrapper)",
    );
    printTargets(results, "victor-cache MultiLevelCache (L1 miss, L2 hit, promote)", [
      ["raw lmdb get (async wrapper)", 0.5],
    ]);
    const l1Hits = after.l1.hits - before.l1.hits;
    console.log(
      `\n(L1 hits during the L2-hit rounds: ${l1Hits}; promotions: ${after.promotions - before.promotions})`,
    );
    await ours.close();
    await raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function (): Promise<void> {
  const keys = Array.from({ length: SIZE }, (_, i) => `tool:${i}`);
  await l1Hit(keys);
  await l2Hit(keys);
}

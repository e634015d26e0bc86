/**
 * Soak: a Zipf-distributed workload against a MultiLevelCache (L1 with a byte cap over an LMDB L2,
 * or a Redis L2) with a CacheInvalidator (tags and dependencies), for a long time, reporting heap
 * growth and open handles. Not run in CI.
 *
 *   node --expose-gc --import tsx scripts/soak.ts [--minutes 10] [--every 30] [--keys 100000]
 *        [--policy write_through|write_back|write_around] [--redis redis://127.0.0.1:6379]
 *
 * Every `--every` seconds it prints one row: operations, hit rate, heap after a full GC (V8 heap
 * plus array buffers; `--expose-gc` makes it a post-GC figure), RSS and the active handles by type.
 * The summary compares the last row with the first row after warm-up (the first interval).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { zipfKeys } from "../bench/harness.js";
import { CacheInvalidator } from "../src/invalidation/index.js";
import { MultiLevelCache, type WritePolicyName } from "../src/multilevel/index.js";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    every: { type: "string", default: "30" },
    keys: { type: "string", default: "100000" },
    policy: { type: "string", default: "write_through" },
    redis: { type: "string" },
  },
});
const durationMs = Number(args.minutes) * 60_000;
const everyMs = Number(args.every) * 1000;
const keyCount = Number(args.keys);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) console.warn("run with --expose-gc for post-GC heap figures");

const dir = mkdtempSync(join(tmpdir(), "victor-soak-"));
const cache = new MultiLevelCache({
  l1: { maxSize: 20_000, maxBytes: 32 * 1024 * 1024, ttl: "2m" },
  l2:
    args.redis === undefined
      ? { type: "file", path: dir, maxSize: 50_000, ttl: "10m", sweepInterval: "10s" }
      : { type: "redis", url: args.redis, prefix: `victor-soak:${process.pid}:`, ttl: "10m" },
  writePolicy: args.policy as WritePolicyName,
});
const invalidator = new CacheInvalidator({ cache, strategy: "hybrid", persistDependencies: false });

const stream = zipfKeys(keyCount, 1 << 20, 0.99, 7);
let cursor = 0;
let random = 0x2545f491;
const next = (): number => {
  random ^= random << 13;
  random ^= random >>> 17;
  random ^= random << 5;
  return (random >>> 0) / 0x100000000;
};
const valueOf = (id: number): unknown => ({
  id,
  text: "v".repeat(32 + (id % 97) * 16),
  at: Date.now(),
});

function heapNow(): number {
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

interface Row {
  minute: number;
  ops: number;
  hitRate: number;
  heapMiB: number;
  rssMiB: number;
  handles: Record<string, number>;
}

const MiB = 1024 * 1024;
const rows: Row[] = [];
let ops = 0;
const started = Date.now();
console.log(
  `soak: ${args.minutes} min, ${keyCount} Zipf(0.99) keys, ${args.policy}, L2 ${args.redis ?? "LMDB " + dir}\n`,
);
console.log("| minute | ops | ops/s | hit rate | heap after GC (MiB) | RSS (MiB) | handles |");
console.log("|---:|---:|---:|---:|---:|---:|---|");
let lastOps = 0;
let lastAt = started;
const report = () => {
  const stats = cache.getStats();
  const row: Row = {
    minute: (Date.now() - started) / 60_000,
    ops,
    hitRate: stats.combinedHitRate,
    heapMiB: heapNow() / MiB,
    rssMiB: process.memoryUsage().rss / MiB,
    handles: handles(),
  };
  rows.push(row);
  const rate = ((ops - lastOps) / ((Date.now() - lastAt) / 1000)).toFixed(0);
  [lastOps, lastAt] = [ops, Date.now()];
  const handleText = Object.entries(row.handles)
    .map(([type, n]) => `${type} ${n}`)
    .join(", ");
  console.log(
    `| ${row.minute.toFixed(1)} | ${ops} | ${rate} | ${(row.hitRate * 100).toFixed(1)}% | ` +
      `${row.heapMiB.toFixed(1)} | ${row.rssMiB.toFixed(0)} | ${handleText} |`,
  );
};

let nextReport = started + everyMs;
while (Date.now() - started < durationMs) {
  for (let i = 0; i < 200; i++, ops++) {
    const id = stream[cursor++ & (stream.length - 1)];
    const key = `k${id}`;
    const namespace = `ns${id % 4}`;
    const roll = next();
    if (roll < 0.8) {
      await cache.getOrSet(key, () => valueOf(id), {
        namespace,
        ttl: 30 + (id % 300),
        tags: [`t${id % 50}`],
      });
    } else if (roll < 0.9) {
      await cache.set(key, valueOf(id), { namespace, tags: [`t${id % 50}`] });
    } else if (roll < 0.95) {
      await cache.delete(key, { namespace });
    } else if (roll < 0.98) {
      await invalidator.addDependency(key, namespace, { resource: `r${id % 200}` });
    } else if (roll < 0.995) {
      await invalidator.invalidateDependents({ resource: `r${Math.floor(next() * 200)}` });
    } else {
      await invalidator.invalidateTag(`t${Math.floor(next() * 50)}`);
    }
  }
  if (Date.now() >= nextReport) {
    report();
    nextReport += everyMs;
  }
  await new Promise((resolve) => setImmediate(resolve));
}
if (ops !== lastOps) report();
await invalidator.close();
await cache.close();
rmSync(dir, { recursive: true, force: true });

const first = rows[0];
const last = rows[rows.length - 1];
const minutes = last.minute - first.minute;
const handleTotal = (row: Row) => Object.values(row.handles).reduce((a, b) => a + b, 0);
console.log(
  `\nsummary: ${ops} operations in ${last.minute.toFixed(1)} min; heap after GC ` +
    `${first.heapMiB.toFixed(1)} MiB after warm-up -> ${last.heapMiB.toFixed(1)} MiB at the end ` +
    `(${(last.heapMiB - first.heapMiB).toFixed(1)} MiB, ` +
    `${minutes > 0 ? ((last.heapMiB - first.heapMiB) / minutes).toFixed(2) : "0"} MiB/min); ` +
    `active handles ${handleTotal(first)} -> ${handleTotal(last)}; ` +
    `peak RSS ${Math.max(...rows.map((r) => r.rssMiB)).toFixed(0)} MiB`,
);

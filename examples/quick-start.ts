/**
 * A two-tier cache: memory over an LMDB folder. Run: npx tsx examples/quick-start.ts
 * (In your project, import from "victor-cache" instead of "../src/index.js".)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EvictionPolicy, MultiLevelCache, WritePolicy } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "victor-example-"));

const cache = new MultiLevelCache({
  l1: { maxSize: 1000, ttl: 300, evictionPolicy: EvictionPolicy.LRU },
  l2: { type: "file", path: join(dir, "cache_l2"), maxSize: 10_000, ttl: 3600 },
  writePolicy: WritePolicy.WRITE_THROUGH,
});

await cache.set(
  "git_status",
  { branch: "main", clean: true },
  { namespace: "tool", ttl: 60, tags: ["git"] },
);
console.log("get:", await cache.get("git_status", { namespace: "tool" }));

// getOrSet runs the loader once per key, however many callers miss at the same time.
let calls = 0;
const analyse = async () => {
  calls++;
  return { functions: 12, todos: 3 };
};
await Promise.all(
  [1, 2, 3].map(() => cache.getOrSet("src/app.ts", analyse, { namespace: "analysis" })),
);
console.log("loader calls for 3 concurrent misses:", calls);

console.log("invalidated by tag:", await cache.invalidateTag("git"));
console.log("combined hit rate:", cache.getStats().combinedHitRate.toFixed(2));
await cache.close();

// A new process (here: a new cache on the same folder) finds the L2 entries.
const again = new MultiLevelCache({ l2: { type: "file", path: join(dir, "cache_l2") } });
console.log("after restart:", await again.get("src/app.ts", { namespace: "analysis" }));
await again.close();
rmSync(dir, { recursive: true, force: true });

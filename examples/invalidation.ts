/**
 * Tags and file dependencies: an edited file drops every answer derived from it.
 * Run: npx tsx examples/invalidation.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CacheInvalidator, MultiLevelCache } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "victor-example-"));
const file = join(dir, "a.ts");
writeFileSync(file, "export const a = 1;\n");

const cache = new MultiLevelCache({ l2: { type: "file", path: join(dir, "l2") } });
const invalidator = new CacheInvalidator({ cache, enableTagging: true, enableDependencies: true });
await invalidator.start();

await cache.set("git_log", ["abc123 fix"], { namespace: "tool", tags: ["git"] });
console.log("removed by tag:", await invalidator.invalidateTag("git"));

// An analysis derived from a file, and a summary derived from the analysis.
await cache.set(`analysis:${file}`, { exports: 1 }, { namespace: "analysis" });
await invalidator.addDependency(`analysis:${file}`, "analysis", file);
await cache.set("summary", "one export", { namespace: "analysis" });
await invalidator.addDependency("summary", "analysis", {
  key: `analysis:${file}`,
  namespace: "analysis",
});

// The file changes: its dependents go, transitively (a watcher does this with watchFiles()).
writeFileSync(file, "export const a = 2;\nexport const b = 3;\n");
console.log("removed after the edit:", await invalidator.invalidateDependents(file));
console.log("summary now:", await cache.get("summary", { namespace: "analysis" }));

await invalidator.close();
await cache.close();
rmSync(dir, { recursive: true, force: true });

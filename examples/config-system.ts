/**
 * The whole system from YAML, as in ~/.victor/profiles.yaml. Run: npx tsx examples/config-system.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCacheSystem, loadConfig } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "victor-example-"));
const profiles = join(dir, "profiles.yaml");
writeFileSync(
  profiles,
  `
cache:
  multi_level:
    l1: { type: memory, max_size: 1000, ttl: 300, eviction: lru }
    l2:
      type: file
      max_size: 10000
      ttl: 3600
      persistence_path: \${VICTOR_CACHE_DIR:-${dir}}/cache_l2.pkl   # the LMDB folder is cache_l2.lmdb
    write_policy: write_through
  warming: { strategy: hybrid, preload_count: 100, warm_interval: 300, recency_weight: 0.5 }
  semantic: { similarity_threshold: 0.85, max_size: 1000 }
  invalidation: { strategy: hybrid, default_ttl: 3600, enable_tagging: true, enable_dependencies: true }
  analytics: { track_hot_keys: true, hot_key_window: 1000, monitoring_interval: 60 }
`,
);

const config = await loadConfig(profiles); // loadConfig() reads ~/.victor/profiles.yaml
const system = createCacheSystem(config);
await system.start();
await system.cache.set("key", "value", { namespace: "tool", tags: ["demo"] });
console.log("get:", await system.cache.get("key", { namespace: "tool" }));
await system.semantic!.put(
  [{ role: "user", content: "What is LMDB?" }],
  "An embedded key-value store.",
);
console.log(
  "semantic:",
  (await system.semantic!.getSimilar([{ role: "user", content: "What is LMDB?" }]))?.response,
);
console.log("removed by tag:", await system.invalidator!.invalidateTag("demo"));
console.log("reads seen by analytics:", system.analytics!.getComprehensiveStats().reads);
await system.close();

// A typo is caught with its path and a suggestion.
writeFileSync(profiles, "cache:\n  multi_level:\n    l1:\n      max_sise: 100\n");
await loadConfig(profiles).catch((error: Error) => console.log(error.message));
rmSync(dir, { recursive: true, force: true });

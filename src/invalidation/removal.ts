/**
 * Carrying out a cascade: removing the entries the graph reached from the cache, a bounded
 * number at a time, and counting what was really there.
 */
import type { MultiLevelCache } from "../multilevel/multilevel-cache.js";
import { entryOf } from "./targets.js";
import type { CacheInvalidatorStats } from "./types.js";

/** Deletes entry nodes from every tier; resolves to how many live entries were removed. */
export async function deleteEntries(
  cache: MultiLevelCache,
  ids: readonly string[],
  concurrency: number,
): Promise<number> {
  let removed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const { key, namespace } = entryOf(ids[next++]);
      if (await cache.delete(key, { namespace })) removed++;
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(concurrency, ids.length); i++) workers.push(worker());
  await Promise.all(workers);
  return removed;
}

export function emptyStats(): CacheInvalidatorStats {
  return {
    invalidations: {
      key: 0,
      namespace: 0,
      predicate: 0,
      tag: 0,
      dependency: 0,
      file: 0,
      event: 0,
    },
    cascades: { runs: 0, entries: 0, maxSize: 0, lastSize: 0 },
    graph: { nodes: 0, edges: 0 },
    files: { watched: 0, changed: 0, unchanged: 0 },
    refresh: { tracked: 0, refreshes: 0, errors: 0, skippedCold: 0, discarded: 0 },
  };
}

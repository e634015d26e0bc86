/**
 * Rebuilding the dependency graph from L2 after a restart: every persisted edge is read back,
 * every entry node's expiry and tags are read from L2 in batches, and entries that are gone (and
 * that nothing depends on) are collected at once, their records deleted.
 */
import type { MultiLevelCache } from "../multilevel/multilevel-cache.js";
import type { EntryInfo, DependencyGraph } from "./graph.js";
import type { GraphStore } from "./graph-store.js";
import { entryId, entryOf, kindOf } from "./targets.js";

const READ_BATCH = 500;

export async function loadGraph(
  cache: MultiLevelCache,
  graph: DependencyGraph,
  store: GraphStore,
): Promise<void> {
  const records = await store.load();
  const byNamespace = new Map<string, Set<string>>();
  for (const { f, t } of records) {
    for (const id of [f, t]) {
      if (kindOf(id) !== "entry") continue;
      const { key, namespace } = entryOf(id);
      let keys = byNamespace.get(namespace);
      if (keys === undefined) byNamespace.set(namespace, (keys = new Set()));
      keys.add(key);
    }
  }
  const infos = await readInfos(cache, byNamespace);
  for (const { f, t, s } of records) {
    if (kindOf(f) !== "entry") continue;
    graph.restoreEdge(f, infos.get(f), t, kindOf(t) === "entry" ? infos.get(t) : undefined, s);
  }
  graph.collectDead();
}

async function readInfos(
  cache: MultiLevelCache,
  byNamespace: Map<string, Set<string>>,
): Promise<Map<string, EntryInfo>> {
  const infos = new Map<string, EntryInfo>();
  const l2 = cache.l2!;
  const now = cache.options.clock.now();
  for (const [namespace, keySet] of byNamespace) {
    const keys = [...keySet];
    for (let i = 0; i < keys.length; i += READ_BATCH) {
      const chunk = keys.slice(i, i + READ_BATCH);
      const entries = await l2.getMany(chunk, namespace);
      entries.forEach((entry, k) => {
        if (entry === undefined || (entry.expiresAt !== 0 && entry.expiresAt <= now)) return;
        infos.set(entryId(chunk[k], namespace), {
          expiresAt: entry.expiresAt,
          tags: entry.tags,
        });
      });
    }
  }
  return infos;
}

/**
 * CacheInvalidator beside naive peers, measured in the same run, alternating round by round:
 * - `invalidateTag` over 10,000 entries (two-tier cache, LMDB L2) against a linear scan that lists
 *   every key, reads its tags and deletes the matches: with the tag on 1% and on 100% of them;
 * - a cascade over 100,000 edges: the graph walk alone (`DependencyGraph.invalidate`, which also
 *   unlinks what it reaches) against a plain `Map<string, string[]>` of dependents walked
 *   recursively with a visited set and then forgetting what it reached, on a tree (fan-out 10)
 *   and on a chain (where the recursion overflows the stack), and end to end
 *   (`invalidateDependents`, deleting 100,000 cache entries) against the recursive walk plus one
 *   `cache.delete` per entry.
 * Times are medians of the rounds, in ms per operation.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CacheInvalidator } from "../src/invalidation/index.js";
import { DependencyGraph } from "../src/invalidation/graph.js";
import { entryId } from "../src/invalidation/targets.js";
import { MultiLevelCache } from "../src/multilevel/index.js";
import { LmdbStore } from "../src/stores/lmdb.js";
import type { StoreEntry } from "../src/stores/store.js";

const ENTRIES = 10_000;
const EDGES = 100_000;

interface Row {
  case: string;
  ours: number;
  peer: number | string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(fn: () => unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function print(title: string, rows: Row[]): void {
  console.log(`\n## ${title}\n`);
  console.log("| case | invalidator (ms) | naive peer (ms) | speed-up vs peer |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows) {
    const peer = typeof r.peer === "number" ? r.peer.toFixed(2) : r.peer;
    const ratio = typeof r.peer === "number" ? `${(r.peer / r.ours).toFixed(1)}x` : "n/a";
    console.log(`| ${r.case} | ${r.ours.toFixed(2)} | ${peer} | ${ratio} |`);
  }
}

/** The naive peer of tag invalidation: list every key, read its tags, delete the matches. */
async function scanAndDelete(cache: MultiLevelCache, tag: string): Promise<number> {
  const matches: { key: string; namespace: string }[] = [];
  for await (const { key, namespace } of cache.keys()) {
    const entry = await cache.l2!.get(key, namespace);
    if (entry?.tags?.includes(tag) === true) matches.push({ key, namespace });
  }
  for (const { key, namespace } of matches) await cache.delete(key, { namespace });
  return matches.length;
}

async function tagBench(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "victor-bench-inv-"));
  const l2 = new LmdbStore({ path: dir });
  const cache = new MultiLevelCache({ l1: { maxSize: ENTRIES, sweepInterval: 0 }, l2 });
  const invalidator = new CacheInvalidator({ cache, enableDependencies: false });
  const rows: Row[] = [];
  for (const share of [0.01, 1]) {
    const tagged = Math.round(ENTRIES * share);
    // Both tiers filled directly, in one LMDB transaction: a cache.set per entry would commit
    // 10,000 transactions per round, which is set-up, not what is measured.
    const fill = async (): Promise<void> => {
      const entries: [string, StoreEntry][] = [];
      for (let i = 0; i < ENTRIES; i++) {
        const tags = i < tagged ? ["hot", `group-${i % 50}`] : [`group-${i % 50}`];
        const value = { i, output: "x".repeat(64) };
        entries.push([`tool:${i}`, { value, expiresAt: 0, tags }]);
        cache.l1.setSync(`tool:${i}`, "tools", value, 0, tags);
      }
      await l2.setMany(entries, "tools");
    };
    const ours: number[] = [];
    const peer: number[] = [];
    for (let round = 0; round < 5; round++) {
      await fill();
      ours.push(
        await time(async () => assertRemoved(await invalidator.invalidateTag("hot"), tagged)),
      );
      await fill();
      peer.push(await time(async () => assertRemoved(await scanAndDelete(cache, "hot"), tagged)));
    }
    rows.push({
      case: `tag on ${tagged.toLocaleString("en-US")} of 10,000 entries`,
      ours: median(ours),
      peer: median(peer),
    });
  }
  await invalidator.close();
  await cache.close();
  await l2.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

function assertRemoved(removed: number, expected: number): void {
  if (removed !== expected) throw new Error(`removed ${removed}, expected ${expected}`);
}

/** Edges of a tree (fan-out 10) or a chain: [dependent, dependency] over entry ids. */
function shape(kind: "tree" | "chain"): [string, string][] {
  const edges: [string, string][] = [];
  for (let i = 1; i <= EDGES; i++) {
    const parent = kind === "tree" ? Math.floor((i - 1) / 10) : i - 1;
    edges.push([entryId(`n${i}`, "bench"), entryId(`n${parent}`, "bench")]);
  }
  return edges;
}

function buildGraph(edges: [string, string][]): DependencyGraph {
  const graph = new DependencyGraph(undefined);
  const live = { expiresAt: 0, tags: undefined };
  for (const [from, to] of edges) graph.restoreEdge(from, live, to, live, undefined);
  return graph;
}

/** The naive peer: dependents by node, walked recursively. */
function naiveGraph(edges: [string, string][]): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const [from, to] of edges) {
    const list = dependents.get(to);
    if (list === undefined) dependents.set(to, [from]);
    else list.push(from);
  }
  return dependents;
}

function naiveWalk(
  dependents: Map<string, string[]>,
  root: string,
  seen = new Set<string>(),
): Set<string> {
  for (const d of dependents.get(root) ?? []) {
    if (seen.has(d)) continue;
    seen.add(d);
    naiveWalk(dependents, d, seen);
  }
  return seen;
}

/** The peer's whole invalidation: the walk, then forgetting what it reached (as ours does). */
function naiveInvalidate(dependents: Map<string, string[]>, root: string): Set<string> {
  const seen = naiveWalk(dependents, root);
  for (const id of seen) dependents.delete(id);
  dependents.delete(root);
  return seen;
}

function cascadeGraphBench(): Row[] {
  const rows: Row[] = [];
  const root = entryId("n0", "bench");
  for (const kind of ["tree", "chain"] as const) {
    const edges = shape(kind);
    const ours: number[] = [];
    const peer: number[] = [];
    let overflow: string | undefined;
    for (let round = 0; round < 5; round++) {
      const graph = buildGraph(edges);
      const naive = naiveGraph(edges);
      const started = performance.now();
      const reached = graph.invalidateDependentsOf(root).length;
      ours.push(performance.now() - started);
      if (reached !== EDGES) throw new Error(`reached ${reached}`);
      try {
        const t = performance.now();
        const seen = naiveInvalidate(naive, root);
        peer.push(performance.now() - t);
        if (seen.size !== EDGES) throw new Error(`naive reached ${seen.size}`);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        overflow = `stack overflow (${error.message})`;
      }
    }
    rows.push({
      case: `graph walk, ${kind} of 100,000 edges`,
      ours: median(ours),
      peer: overflow ?? median(peer),
    });
  }
  return rows;
}

async function cascadeEndToEnd(): Promise<Row> {
  const edges = shape("tree");
  const ours: number[] = [];
  const peer: number[] = [];
  for (let round = 0; round < 3; round++) {
    const cache = new MultiLevelCache({ l1: { maxSize: EDGES + 10, sweepInterval: 0 } });
    const invalidator = new CacheInvalidator({ cache });
    for (let i = 0; i <= EDGES; i++) await cache.set(`n${i}`, i, { namespace: "bench" });
    await Promise.all(
      edges.map(([from, to]) => {
        const key = from.slice(from.lastIndexOf(":") + 1);
        const parent = to.slice(to.lastIndexOf(":") + 1);
        return invalidator.addDependency(key, "bench", { key: parent, namespace: "bench" });
      }),
    );
    ours.push(
      await time(async () =>
        assertRemoved(
          await invalidator.invalidateDependents({ key: "n0", namespace: "bench" }),
          EDGES,
        ),
      ),
    );
    await invalidator.close();
    for (let i = 0; i <= EDGES; i++) await cache.set(`n${i}`, i, { namespace: "bench" });
    const naive = naiveGraph(edges);
    peer.push(
      await time(async () => {
        let removed = 0;
        for (const id of naiveInvalidate(naive, entryId("n0", "bench"))) {
          if (await cache.delete(id.slice(id.lastIndexOf(":") + 1), { namespace: "bench" }))
            removed++;
        }
        assertRemoved(removed, EDGES);
      }),
    );
    await cache.close();
  }
  return {
    case: "end to end, tree of 100,000 edges (deletes 100,000 entries)",
    ours: median(ours),
    peer: median(peer),
  };
}

export default async function (): Promise<void> {
  print("Invalidation: invalidateTag over 10,000 entries (L1 + LMDB L2)", await tagBench());
  print("Invalidation: cascade over 100,000 edges", [
    ...cascadeGraphBench(),
    await cascadeEndToEnd(),
  ]);
}

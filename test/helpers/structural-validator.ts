/**
 * The structural validator: checks the bookkeeping of every MemoryStore (the L1 of every
 * MultiLevelCache included) and every invalidation DependencyGraph a test used.
 *
 * - MemoryStore: `validateInvariants()` (byte total = sum of entry sizes, policy size = map size,
 *   index, free slots, caps, tag index -> only live entries carrying the tag), plus: no expired
 *   entry is reachable through `keys`, `peek` or `has`.
 * - DependencyGraph: edges are mirrored (out/in), the edge count matches, the tag index names only
 *   live entry nodes carrying the tag (and all of them), the namespace index names exactly the
 *   entry nodes, and every node nothing depends on is a live entry (dead ones are collected).
 *
 * Tracking is a prototype hook installed by the vitest setup file (structural-validator.setup.ts):
 * a store is registered on its first write and a graph on its first edge, so no source file knows
 * about it; the setup file validates everything registered after each test and then forgets it.
 */
import { DependencyGraph } from "../../src/invalidation/graph.js";
import { MemoryStore } from "../../src/stores/memory.js";

/**
 * Weak references: a property test may build thousands of stores in one test, and holding them
 * until the test ends would keep all their memory alive. One that was collected needs no check.
 */
class WeakRegistry<T extends object> {
  private seen = new WeakSet<T>();
  private refs: WeakRef<T>[] = [];
  add(item: T): void {
    if (this.seen.has(item)) return;
    this.seen.add(item);
    this.refs.push(new WeakRef(item));
  }
  /** The items still alive; empties the registry. */
  drain(): T[] {
    const alive = this.refs.map((ref) => ref.deref()).filter((item) => item !== undefined);
    this.seen = new WeakSet();
    this.refs = [];
    return alive;
  }
}

const tracked = {
  stores: new WeakRegistry<MemoryStore>(),
  graphs: new WeakRegistry<DependencyGraph>(),
};
/** Structures validated since the process started, for the optional summary. */
export const validatedTotals = { stores: 0, graphs: 0, runs: 0 };

let installed = false;

/** Hooks MemoryStore and DependencyGraph so that every instance used is registered. Idempotent. */
export function installStructureTracking(): void {
  if (installed) return;
  installed = true;
  const store = MemoryStore.prototype;
  const setSync = store.setSync;
  store.setSync = function (this: MemoryStore, ...args: Parameters<MemoryStore["setSync"]>) {
    tracked.stores.add(this);
    return setSync.apply(this, args);
  };
  const graph = DependencyGraph.prototype;
  const addEdge = graph.addEdge;
  graph.addEdge = function (
    this: DependencyGraph,
    ...args: Parameters<DependencyGraph["addEdge"]>
  ) {
    tracked.graphs.add(this);
    return addEdge.apply(this, args);
  };
  const restoreEdge = graph.restoreEdge;
  graph.restoreEdge = function (
    this: DependencyGraph,
    ...args: Parameters<DependencyGraph["restoreEdge"]>
  ) {
    tracked.graphs.add(this);
    return restoreEdge.apply(this, args);
  };
}

/** Validates every structure registered since the last call, then forgets them. */
export async function validateTrackedStructures(): Promise<string[]> {
  const problems: string[] = [];
  const stores = tracked.stores.drain();
  const graphs = tracked.graphs.drain();
  validatedTotals.runs++;
  for (const [i, store] of stores.entries()) {
    for (const p of await validateMemoryStore(store)) problems.push(`MemoryStore #${i}: ${p}`);
  }
  for (const [i, graph] of graphs.entries()) {
    for (const p of validateDependencyGraph(graph)) problems.push(`DependencyGraph #${i}: ${p}`);
  }
  validatedTotals.stores += stores.length;
  validatedTotals.graphs += graphs.length;
  return problems;
}

/** The store's own invariants, plus: nothing expired is reachable through the public API. */
export async function validateMemoryStore(store: MemoryStore): Promise<string[]> {
  const problems = store.validateInvariants();
  const now = store.options.clock.now();
  let listed = 0;
  for await (const { namespace, key } of store.keys()) {
    listed++;
    const slot = store.peek(key, namespace);
    if (slot === -1) {
      problems.push(`keys() lists ${namespace}/${key}, which peek() cannot find`);
      continue;
    }
    const expiresAt = store.expiresAtOf(slot);
    if (expiresAt !== 0 && expiresAt <= now)
      problems.push(`expired entry ${namespace}/${key} is reachable (expired at ${expiresAt})`);
    if (!(await store.has(key, namespace)))
      problems.push(`keys() lists ${namespace}/${key}, which has() denies`);
  }
  if (listed > store.size) problems.push(`keys() lists ${listed} entries, size is ${store.size}`);
  return problems;
}

/** The graph's private structures, read (never written) for validation. */
interface GraphInternals {
  nodes: Map<
    string,
    {
      out: Map<string, string | undefined> | undefined;
      in: Set<string> | undefined;
      entry: { live: boolean; tags: readonly string[] | undefined; namespace: string } | undefined;
    }
  >;
  tagIndex: Map<string, Set<string>>;
  namespaces: Map<string, Set<string>>;
  edgeCount: number;
}

export function validateDependencyGraph(graph: DependencyGraph): string[] {
  const g = graph as unknown as GraphInternals;
  const problems: string[] = [];
  let edges = 0;
  const byNamespace = new Map<string, Set<string>>();
  for (const [id, node] of g.nodes) {
    if (node.out !== undefined && node.out.size > 0 && node.entry === undefined)
      problems.push(`non-entry node ${id} has outgoing edges`);
    for (const to of node.out?.keys() ?? []) {
      edges++;
      if (g.nodes.get(to)?.in?.has(id) !== true)
        problems.push(`edge ${id} -> ${to} is not mirrored in ${to}'s dependents`);
    }
    for (const from of node.in ?? []) {
      if (g.nodes.get(from)?.out?.has(id) !== true)
        problems.push(`${id} lists dependent ${from}, which has no edge to it`);
    }
    const entry = node.entry;
    if (entry !== undefined) {
      let ids = byNamespace.get(entry.namespace);
      if (ids === undefined) byNamespace.set(entry.namespace, (ids = new Set()));
      ids.add(id);
      if (entry.live) {
        for (const tag of entry.tags ?? [])
          if (g.tagIndex.get(tag)?.has(id) !== true)
            problems.push(`live entry ${id} carries tag "${tag}" but is not in the tag index`);
      }
    }
    if ((node.in === undefined || node.in.size === 0) && entry?.live !== true)
      problems.push(`node ${id} is dead or not an entry, and nothing depends on it: not collected`);
  }
  if (edges !== g.edgeCount) problems.push(`edge count ${g.edgeCount}, but ${edges} edges exist`);
  for (const [tag, ids] of g.tagIndex) {
    for (const id of ids) {
      const entry = g.nodes.get(id)?.entry;
      if (entry === undefined) problems.push(`tag index "${tag}" names ${id}, not an entry node`);
      else if (!entry.live) problems.push(`tag index "${tag}" names dead entry ${id}`);
      else if (entry.tags?.includes(tag) !== true)
        problems.push(`tag index "${tag}" names ${id}, which does not carry the tag`);
    }
  }
  for (const [namespace, ids] of g.namespaces) {
    const actual = byNamespace.get(namespace);
    for (const id of ids)
      if (actual?.has(id) !== true)
        problems.push(`namespace index "${namespace}" names ${id}, not an entry node there`);
  }
  for (const [namespace, ids] of byNamespace) {
    for (const id of ids)
      if (g.namespaces.get(namespace)?.has(id) !== true)
        problems.push(`entry node ${id} is missing from namespace index "${namespace}"`);
  }
  return problems;
}

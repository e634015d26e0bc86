/**
 * The dependency graph in memory: nodes are cache entries, files and resources; an edge A -> X
 * says "entry A was derived from X". It is synchronous and knows nothing of the cache: the
 * invalidator feeds it what happened to entries and carries out what it decides.
 *
 * Lifetime of an entry node:
 * - live while its entry is (set events and reads tell its expiry and tags);
 * - when the entry leaves without being invalidated (TTL, eviction, a delete under the manual
 *   strategy), the node dies. A dead node that something still depends on stays as a ghost, so
 *   that A -> B -> file keeps reaching A after B expired; a dead node nothing depends on is
 *   collected with its outgoing edges, and so on down the chain. Collection happens when the
 *   death is due (`collectExpired` runs before every operation), so the graph an operation sees
 *   does not depend on when a background sweep last ran.
 * - when it is invalidated, everything that depends on it, transitively, is invalidated with it
 *   (`invalidate`): a breadth-first walk over reverse edges with an explicit queue and a visited
 *   set, so depth is unbounded and cycles end.
 *
 * Only live entry nodes are in the tag index, so it never names a dead entry.
 */
import { DeadlineHeap } from "./deadline-heap.js";
import { entryOf, kindOf } from "./targets.js";

/** What is known of a cache entry: its expiry (epoch ms, 0 = never) and tags. */
export interface EntryInfo {
  expiresAt: number;
  tags: readonly string[] | undefined;
}

interface EntryState extends EntryInfo {
  live: boolean;
  version: number;
  namespace: string;
}

interface GraphNode {
  id: string;
  /** The number of the last `invalidate` walk that reached this node. */
  walk: number;
  /** Targets this node depends on, with the stamp recorded for a file. Entry nodes only. */
  out: Map<string, string | undefined> | undefined;
  /** Entry nodes that depend on this one. */
  in: Set<string> | undefined;
  entry: EntryState | undefined;
}

/** Told about every edge change, to keep a persisted copy in step. */
export interface GraphListener {
  edgeAdded(from: string, to: string, stamp: string | undefined): void;
  edgeRemoved(from: string, to: string): void;
}

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly namespaces = new Map<string, Set<string>>();
  private readonly deadlines = new DeadlineHeap();
  private edgeCount = 0;
  /**
   * Versions of entry states, from one counter for the whole graph: a node removed and created
   * again must never match a deadline pushed for its previous life.
   */
  private versions = 0;
  private walks = 0;

  constructor(private readonly listener: GraphListener | undefined) {}

  get nodeCount(): number {
    return this.nodes.size;
  }
  get edges(): number {
    return this.edgeCount;
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** True for an entry node that is known to the graph and dead (a ghost). */
  isGhost(id: string): boolean {
    const entry = this.nodes.get(id)?.entry;
    return entry !== undefined && !entry.live;
  }

  /**
   * Adds (or restamps) the edge `from` -> `to`. `fromInfo`/`toInfo` describe entry nodes the graph
   * does not know yet; `undefined` for an entry that is not cached, which starts dead (for `to`,
   * a ghost kept by this edge). Returns false when the edge existed with the same stamp.
   */
  addEdge(
    from: string,
    fromInfo: EntryInfo | undefined,
    to: string,
    toInfo: EntryInfo | undefined,
    stamp: string | undefined,
  ): boolean {
    const source = this.nodes.get(from) ?? this.createNode(from, fromInfo);
    const target = this.nodes.get(to) ?? this.createNode(to, toInfo);
    source.out ??= new Map();
    const existed = source.out.has(to);
    if (existed && source.out.get(to) === stamp) return false;
    source.out.set(to, stamp);
    (target.in ??= new Set()).add(from);
    if (!existed) this.edgeCount++;
    this.listener?.edgeAdded(from, to, stamp);
    // A dead `from` with nothing depending on it goes again at once: it can never be invalidated.
    if (!existed) this.collect([from]);
    return true;
  }

  /**
   * Puts back an edge read from the persisted copy (not reported to the listener). Call
   * `collectDead` once everything is restored.
   */
  restoreEdge(
    from: string,
    fromInfo: EntryInfo | undefined,
    to: string,
    toInfo: EntryInfo | undefined,
    stamp: string | undefined,
  ): void {
    const source = this.nodes.get(from) ?? this.createNode(from, fromInfo);
    const target = this.nodes.get(to) ?? this.createNode(to, toInfo);
    source.out ??= new Map();
    if (!source.out.has(to)) this.edgeCount++;
    source.out.set(to, stamp);
    (target.in ??= new Set()).add(from);
  }

  /** Collects every dead node that nothing depends on (after `restoreEdge`). */
  collectDead(): void {
    const dead: string[] = [];
    for (const [id, node] of this.nodes) if (node.entry?.live === false) dead.push(id);
    this.collect(dead);
  }

  /** Removes one edge; true when it existed. */
  removeEdge(from: string, to: string): boolean {
    const source = this.nodes.get(from);
    if (source?.out?.has(to) !== true) return false;
    this.dropEdge(from, source, to);
    this.collect([from, to]);
    return true;
  }

  /** The entry of a known node was written: it is live with this expiry and these tags. */
  entryWritten(id: string, info: EntryInfo): void {
    const entry = this.nodes.get(id)?.entry;
    if (entry === undefined) return;
    this.untagEntry(id, entry);
    entry.live = true;
    entry.expiresAt = info.expiresAt;
    entry.tags = info.tags;
    entry.version = ++this.versions;
    this.tagEntry(id, entry);
    if (info.expiresAt !== 0) this.deadlines.push(info.expiresAt, id, entry.version);
  }

  /** The entry left the cache without being invalidated (eviction, TTL, a plain delete). */
  entryGone(id: string): void {
    const entry = this.nodes.get(id)?.entry;
    if (entry === undefined || !entry.live) return;
    this.kill(id, entry);
    this.collect([id]);
  }

  /** Kills every entry node whose expiry is at or before `now`, in expiry order. */
  collectExpired(now: number): void {
    for (let due = this.deadlines.popDue(now); due; due = this.deadlines.popDue(now)) {
      const entry = this.nodes.get(due.id)?.entry;
      if (entry === undefined || !entry.live || entry.version !== due.version) continue;
      this.kill(due.id, entry);
      this.collect([due.id]);
    }
  }

  /**
   * Invalidates `roots` and everything that depends on them, transitively: every reached node
   * leaves the graph. Returns the entry nodes reached (roots included), which the caller removes
   * from the cache.
   */
  invalidate(roots: Iterable<string>): string[] {
    const walk = ++this.walks;
    const queue: string[] = [];
    for (const root of roots) queue.push(root);
    const entries: string[] = [];
    const reached: GraphNode[] = [];
    let absent: Set<string> | undefined;
    // A queue read by index (shift() would make a long walk quadratic); nodes are marked with the
    // walk's number instead of being put in a visited set.
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head];
      const node = this.nodes.get(id);
      if (node === undefined) {
        // A root the graph does not know: still an entry to remove, once.
        if (kindOf(id) === "entry" && !(absent ??= new Set()).has(id)) {
          absent.add(id);
          entries.push(id);
        }
        continue;
      }
      if (node.walk === walk) continue;
      node.walk = walk;
      reached.push(node);
      if (node.entry !== undefined) entries.push(id);
      if (node.in) for (const dependent of node.in) queue.push(dependent);
    }
    const orphans: string[] = [];
    for (const node of reached) {
      if (node.out) {
        for (const to of node.out.keys()) {
          this.edgeCount--;
          this.listener?.edgeRemoved(node.id, to);
          const target = this.nodes.get(to);
          // Every dependent of a reached node is reached too and goes whole; others lose an edge.
          if (target !== undefined && target.walk !== walk) {
            target.in!.delete(node.id);
            orphans.push(to);
          }
        }
        node.out = undefined;
      }
      this.removeNode(node.id, node);
    }
    this.collect(orphans);
    return entries;
  }

  /**
   * Invalidates everything that depends on `id` (live entries and ghosts), transitively, but not
   * `id` itself, which keeps its own dependencies. Returns the entry nodes reached.
   */
  invalidateDependentsOf(id: string): string[] {
    const dependents = this.nodes.get(id)?.in;
    return dependents === undefined ? [] : this.invalidate([...dependents]);
  }

  /** Live entries depending directly on `id`. */
  dependentsOf(id: string): string[] {
    const dependents = this.nodes.get(id)?.in;
    if (dependents === undefined) return [];
    return [...dependents].filter((d) => this.nodes.get(d)?.entry?.live === true);
  }

  /** What `id` depends on directly, with file stamps. */
  dependenciesOf(id: string): [target: string, stamp: string | undefined][] {
    const out = this.nodes.get(id)?.out;
    return out === undefined ? [] : [...out];
  }

  /** Entry nodes (live or ghosts) whose edge to `fileNode` carries a stamp other than `stamp`. */
  staleDependents(fileNode: string, stamp: string): string[] {
    const dependents = this.nodes.get(fileNode)?.in;
    if (dependents === undefined) return [];
    const stale: string[] = [];
    for (const dependent of dependents) {
      if (this.nodes.get(dependent)?.out?.get(fileNode) !== stamp) stale.push(dependent);
    }
    return stale;
  }

  /** Live entry nodes carrying `tag`. */
  taggedWith(tag: string): string[] {
    const ids = this.tagIndex.get(tag);
    return ids === undefined ? [] : [...ids];
  }

  /** Entry nodes (live or ghosts) of one namespace, or of all when it is omitted. */
  entriesIn(namespace: string | undefined): string[] {
    if (namespace !== undefined) return [...(this.namespaces.get(namespace) ?? [])];
    const all: string[] = [];
    for (const ids of this.namespaces.values()) all.push(...ids);
    return all;
  }

  /** File nodes: their absolute paths. */
  files(): string[] {
    const paths: string[] = [];
    for (const id of this.nodes.keys()) if (kindOf(id) === "file") paths.push(id.slice(1));
    return paths;
  }

  /** Every entry node, live or ghost. */
  entryIds(): string[] {
    const ids: string[] = [];
    for (const [id, node] of this.nodes) if (node.entry) ids.push(id);
    return ids;
  }

  private createNode(id: string, info: EntryInfo | undefined): GraphNode {
    const node: GraphNode = { id, walk: 0, out: undefined, in: undefined, entry: undefined };
    if (kindOf(id) === "entry") {
      const { namespace } = entryOf(id);
      node.entry = {
        live: info !== undefined,
        expiresAt: info?.expiresAt ?? 0,
        tags: info?.tags,
        version: ++this.versions,
        namespace,
      };
      let ids = this.namespaces.get(namespace);
      if (ids === undefined) this.namespaces.set(namespace, (ids = new Set()));
      ids.add(id);
      if (info !== undefined) {
        this.tagEntry(id, node.entry);
        if (info.expiresAt !== 0) this.deadlines.push(info.expiresAt, id, node.entry.version);
      }
    }
    this.nodes.set(id, node);
    return node;
  }

  private kill(id: string, entry: EntryState): void {
    this.untagEntry(id, entry);
    entry.live = false;
    entry.version = ++this.versions;
  }

  /** Removes nodes that nothing keeps: dead (or non-entry) and depended on by no one. */
  private collect(start: string[]): void {
    const stack = start;
    while (stack.length > 0) {
      const id = stack.pop()!;
      const node = this.nodes.get(id);
      if (node === undefined || (node.in !== undefined && node.in.size > 0)) continue;
      if (node.entry?.live === true) continue;
      if (node.out) {
        for (const to of [...node.out.keys()]) {
          this.dropEdge(id, node, to);
          stack.push(to);
        }
      }
      this.removeNode(id, node);
    }
  }

  private dropEdge(from: string, source: GraphNode, to: string): void {
    source.out!.delete(to);
    const target = this.nodes.get(to);
    target?.in?.delete(from);
    this.edgeCount--;
    this.listener?.edgeRemoved(from, to);
  }

  private removeNode(id: string, node: GraphNode): void {
    this.nodes.delete(id);
    const entry = node.entry;
    if (entry === undefined) return;
    this.untagEntry(id, entry);
    const ids = this.namespaces.get(entry.namespace);
    ids?.delete(id);
    if (ids?.size === 0) this.namespaces.delete(entry.namespace);
  }

  private tagEntry(id: string, entry: EntryState): void {
    if (!entry.live || entry.tags === undefined) return;
    for (const tag of entry.tags) {
      let ids = this.tagIndex.get(tag);
      if (ids === undefined) this.tagIndex.set(tag, (ids = new Set()));
      ids.add(id);
    }
  }

  private untagEntry(id: string, entry: EntryState): void {
    if (!entry.live || entry.tags === undefined) return;
    for (const tag of entry.tags) {
      const ids = this.tagIndex.get(tag);
      ids?.delete(id);
      if (ids?.size === 0) this.tagIndex.delete(tag);
    }
  }
}

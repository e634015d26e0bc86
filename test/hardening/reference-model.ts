/**
 * The ONE reference model the hardening model check runs MultiLevelCache and CacheInvalidator
 * against: a plain map of entries (value, TTL, grace, tags) and a dependency graph of plain maps,
 * recomputed the simple way (breadth-first walks, a collection fixpoint), independent of the
 * tiers, the write-back queue, the graph's indexes and its deadline heap.
 *
 * Semantics it states (the invalidator under the `hybrid` strategy, see docs/invalidation.md):
 * - an entry is fresh until its TTL, then stale (only a failing loader may serve it) until
 *   TTL + grace, then gone;
 * - an entry node is live while its entry is; a node added for an entry not cached yet is live
 *   with no expiry until the entry is written; a dead node nothing depends on is collected with
 *   its outgoing edges, transitively; non-entry nodes (resources) live while something depends
 *   on them;
 * - removing an entry by delete, clear or tag invalidation invalidates its node: the node and
 *   everything with a path to it leave the graph, and their entries leave the cache;
 * - after a restart, the graph is what the persisted edges and the entries still cached say:
 *   entry nodes are live exactly when their entry is, and nodes without edges are not restored.
 */
import { entryId } from "../../src/invalidation/targets.js";

export interface ModelEntry {
  value: number;
  /** End of the TTL; 0 = never. */
  freshUntil: number;
  /** freshUntil + grace: when the entry is gone; 0 = never. */
  expiresAt: number;
  tags: string[];
}

interface ModelNode {
  /** False for a resource node. */
  entry: boolean;
  live: boolean;
  expiresAt: number;
  tags: string[];
}

export const idOf = (key: string, namespace: string): string => entryId(key, namespace);
export const resourceId = (name: string): string => "r" + name;

export class ReferenceModel {
  readonly entries = new Map<string, ModelEntry>();
  readonly nodes = new Map<string, ModelNode>();
  /** from -> what it depends on. */
  readonly edges = new Map<string, Set<string>>();
  private now = 0;

  constructor(private readonly graceMs: number) {}

  /** Moves the model to `now`: entry nodes whose entry expired die, and are collected. */
  tick(now: number): void {
    this.now = now;
    for (const node of this.nodes.values()) {
      if (node.entry && node.live && node.expiresAt !== 0 && node.expiresAt <= now)
        node.live = false;
    }
    this.collect();
  }

  /** The entry while it exists (fresh or within grace). */
  entry(id: string): ModelEntry | undefined {
    const e = this.entries.get(id);
    return e !== undefined && (e.expiresAt === 0 || e.expiresAt > this.now) ? e : undefined;
  }

  /** What `get` returns. */
  fresh(id: string): number | undefined {
    const e = this.entry(id);
    return e !== undefined && (e.freshUntil === 0 || e.freshUntil > this.now) ? e.value : undefined;
  }

  /** A write reaching the cache (set, a stored load, a tag rewrite): the `set` event. */
  set(id: string, value: number, ttlMs: number, tags: string[]): void {
    const freshUntil = ttlMs > 0 ? this.now + ttlMs : 0;
    const expiresAt = freshUntil === 0 ? 0 : freshUntil + this.graceMs;
    this.write(id, { value, freshUntil, expiresAt, tags });
  }

  private write(id: string, entry: ModelEntry): void {
    this.entries.set(id, entry);
    const node = this.nodes.get(id);
    if (node !== undefined)
      Object.assign(node, { live: true, expiresAt: entry.expiresAt, tags: entry.tags });
  }

  /** `invalidator.tag`: false without a fresh entry; else the tags are merged in place. */
  tag(id: string, tags: string[]): boolean {
    const e = this.entry(id);
    if (e === undefined || this.fresh(id) === undefined) return false;
    const merged = [...new Set([...e.tags, ...tags])];
    if (merged.length !== e.tags.length) this.write(id, { ...e, tags: merged });
    return true;
  }

  /** `cache.delete`: true when a live entry was removed; its node is invalidated. */
  delete(id: string): boolean {
    const removed = this.removeEntry(id);
    if (this.nodes.has(id)) this.removeEntries(this.invalidate([id]));
    return removed;
  }

  clear(namespace: string | undefined): void {
    const inNamespace = (id: string): boolean =>
      namespace === undefined || id.startsWith(idOf("", namespace));
    for (const id of [...this.entries.keys()]) if (inNamespace(id)) this.entries.delete(id);
    const roots = [...this.nodes].filter(([id, n]) => n.entry && inNamespace(id)).map(([id]) => id);
    this.removeEntries(this.invalidate(roots));
  }

  /** `cache.invalidateTag` or `invalidator.invalidateTag`: tagged entries and their dependents. */
  invalidateTag(tag: string): void {
    const roots = [...this.nodes]
      .filter(([, n]) => n.entry && n.live && n.tags.includes(tag))
      .map(([id]) => id);
    for (const [id, e] of [...this.entries]) if (e.tags.includes(tag)) this.entries.delete(id);
    this.removeEntries(this.invalidate(roots));
  }

  /** `invalidator.invalidateKey`: resolves to the live entries removed. */
  invalidateKey(id: string): number {
    return this.removeEntries(this.invalidate([id]));
  }

  /** `invalidator.invalidateDependents`: resolves to the live entries removed. */
  invalidateDependents(target: string): number {
    const roots = [...this.edges].filter(([, to]) => to.has(target)).map(([from]) => from);
    return this.removeEntries(this.invalidate(roots));
  }

  /** `invalidator.addDependency(from, to)`. */
  addEdge(from: string, to: string): void {
    if (!this.nodes.has(from)) {
      const e = this.entry(from);
      // Not cached yet: live with no expiry until written.
      this.nodes.set(from, {
        entry: true,
        live: true,
        expiresAt: e?.expiresAt ?? 0,
        tags: e?.tags ?? [],
      });
    }
    if (!this.nodes.has(to)) {
      const isEntry = to.startsWith("k");
      const e = isEntry ? this.entry(to) : undefined;
      this.nodes.set(to, {
        entry: isEntry,
        live: e !== undefined,
        expiresAt: e?.expiresAt ?? 0,
        tags: e?.tags ?? [],
      });
    }
    let targets = this.edges.get(from);
    if (targets === undefined) this.edges.set(from, (targets = new Set()));
    targets.add(to);
    this.collect();
  }

  /** Live entries depending directly on `target`. */
  dependentsOf(target: string): string[] {
    return [...this.edges]
      .filter(([from, to]) => to.has(target) && this.nodes.get(from)?.live === true)
      .map(([from]) => from)
      .sort();
  }

  /** A restart: the graph is rebuilt from the persisted edges and the entries still cached. */
  reopen(): void {
    const pointed = this.pointedAt();
    for (const [id, node] of [...this.nodes]) {
      if (!this.edges.has(id) && !pointed.has(id)) {
        this.nodes.delete(id);
        continue;
      }
      if (!node.entry) continue;
      const e = this.entry(id);
      Object.assign(node, {
        live: e !== undefined,
        expiresAt: e?.expiresAt ?? 0,
        tags: e?.tags ?? [],
      });
    }
    this.collect();
  }

  graphSize(): { nodes: number; edges: number } {
    let edges = 0;
    for (const targets of this.edges.values()) edges += targets.size;
    return { nodes: this.nodes.size, edges };
  }

  /** Live keys, stale ones within grace included, as `ns/key`. */
  liveKeys(namespace: string | undefined, split: (id: string) => [string, string]): string[] {
    const out: string[] = [];
    for (const id of this.entries.keys()) {
      const [ns, key] = split(id);
      if ((namespace === undefined || ns === namespace) && this.entry(id) !== undefined)
        out.push(`${ns}/${key}`);
    }
    return out.sort();
  }

  private removeEntry(id: string): boolean {
    const live = this.entry(id) !== undefined;
    this.entries.delete(id);
    return live;
  }

  private removeEntries(ids: readonly string[]): number {
    let removed = 0;
    for (const id of ids) if (this.removeEntry(id)) removed++;
    return removed;
  }

  /** Removes `roots` and every node with a path to them; returns the entry ids reached. */
  private invalidate(roots: readonly string[]): string[] {
    const reached = new Set(roots);
    for (let grew = true; grew;) {
      grew = false;
      for (const [from, targets] of this.edges) {
        if (reached.has(from)) continue;
        if ([...targets].some((to) => reached.has(to))) {
          reached.add(from);
          grew = true;
        }
      }
    }
    for (const id of reached) {
      this.nodes.delete(id);
      this.edges.delete(id);
    }
    for (const targets of this.edges.values()) for (const id of reached) targets.delete(id);
    this.collect();
    return [...reached].filter((id) => id.startsWith("k"));
  }

  private pointedAt(): Set<string> {
    const pointed = new Set<string>();
    for (const targets of this.edges.values()) for (const to of targets) pointed.add(to);
    return pointed;
  }

  /** Removes dead or non-entry nodes nothing depends on, with their edges, until none is left. */
  private collect(): void {
    for (;;) {
      const pointed = this.pointedAt();
      const removable = [...this.nodes]
        .filter(([id, node]) => !pointed.has(id) && !(node.entry && node.live))
        .map(([id]) => id);
      if (removable.length === 0) return;
      for (const id of removable) {
        this.nodes.delete(id);
        this.edges.delete(id);
      }
    }
  }
}

/**
 * The reference model of the invalidator for the model-based test: entries with tags and expiry,
 * and a dependency graph kept as plain maps and recomputed the simple way (scans, fixpoints),
 * independent of the implementation's indexes, heap and incremental bookkeeping.
 *
 * Semantics it states (see docs/invalidation.md):
 * - an entry is live while it is stored and its expiry has not passed;
 * - a graph node of an entry is live while its entry is known to be (a node added for an entry
 *   not cached yet is live with no expiry until the entry is written); a dead node is kept while
 *   any node has an edge to it, and goes with its outgoing edges otherwise;
 * - invalidating nodes removes them and every node with a path of edges to them;
 * - only live nodes are found by tag.
 */

export interface ModelEntry {
  value: number;
  tags: string[];
  expiresAt: number;
}

interface ModelNode {
  live: boolean;
  expiresAt: number;
  tags: string[];
}

export class ReferenceModel {
  readonly entries = new Map<string, ModelEntry>();
  readonly nodes = new Map<string, ModelNode>();
  /** from -> targets */
  readonly edges = new Map<string, Set<string>>();
  now = 0;

  isLive(entry: ModelEntry | undefined): entry is ModelEntry {
    return entry !== undefined && (entry.expiresAt === 0 || entry.expiresAt > this.now);
  }

  liveEntry(id: string): ModelEntry | undefined {
    const entry = this.entries.get(id);
    return this.isLive(entry) ? entry : undefined;
  }

  /** Expiries due by `now`, then collection. Runs before every operation. */
  expire(): void {
    for (const node of this.nodes.values()) {
      if (node.live && node.expiresAt !== 0 && node.expiresAt <= this.now) node.live = false;
    }
    for (const [id, entry] of this.entries) if (!this.isLive(entry)) this.entries.delete(id);
    this.collect();
  }

  set(id: string, value: number, tags: string[], expiresAt: number): void {
    this.entries.set(id, { value, tags, expiresAt });
    const node = this.nodes.get(id);
    if (node !== undefined) Object.assign(node, { live: true, expiresAt, tags });
  }

  addEdge(from: string, to: string): void {
    if (!this.nodes.has(from)) {
      const entry = this.liveEntry(from);
      this.nodes.set(from, {
        live: true,
        expiresAt: entry?.expiresAt ?? 0,
        tags: entry?.tags ?? [],
      });
    }
    if (!this.nodes.has(to)) {
      const entry = to.startsWith("k") ? this.liveEntry(to) : undefined;
      this.nodes.set(to, {
        live: entry !== undefined,
        expiresAt: entry?.expiresAt ?? 0,
        tags: entry?.tags ?? [],
      });
    }
    let targets = this.edges.get(from);
    if (targets === undefined) this.edges.set(from, (targets = new Set()));
    targets.add(to);
    this.collect();
  }

  /** Removes `roots` and everything with a path to them; returns the entry ids reached. */
  invalidate(roots: string[]): string[] {
    const reached = new Set<string>(roots);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [from, targets] of this.edges) {
        if (reached.has(from)) continue;
        for (const to of targets) {
          if (reached.has(to)) {
            reached.add(from);
            grew = true;
            break;
          }
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

  /** The entry left without invalidation (a delete under the manual strategy). */
  gone(id: string): void {
    const node = this.nodes.get(id);
    if (node !== undefined) node.live = false;
    this.collect();
  }

  /** Removes dead (or non-entry) nodes nothing points at, until none is left. */
  collect(): void {
    for (;;) {
      const pointed = new Set<string>();
      for (const targets of this.edges.values()) for (const to of targets) pointed.add(to);
      const removable = [...this.nodes.entries()]
        .filter(([id, node]) => !pointed.has(id) && !(id.startsWith("k") && node.live))
        .map(([id]) => id);
      if (removable.length === 0) return;
      for (const id of removable) {
        this.nodes.delete(id);
        this.edges.delete(id);
      }
    }
  }

  /** Live entry nodes with an edge to `id`. */
  dependentsOf(id: string): string[] {
    const found: string[] = [];
    for (const [from, targets] of this.edges) {
      if (targets.has(id) && this.nodes.get(from)?.live === true) found.push(from);
    }
    return found.sort();
  }

  /** Nodes with an edge to `id` (live or not). */
  anyDependentsOf(id: string): string[] {
    return [...this.edges].filter(([, targets]) => targets.has(id)).map(([from]) => from);
  }

  taggedNodes(tag: string): string[] {
    return [...this.nodes]
      .filter(([id, node]) => id.startsWith("k") && node.live && node.tags.includes(tag))
      .map(([id]) => id);
  }

  edgeCount(): number {
    let count = 0;
    for (const targets of this.edges.values()) count += targets.size;
    return count;
  }
}

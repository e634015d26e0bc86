/**
 * The invalidator's working parts behind its public façade: the graph and its persisted copy,
 * the cascades, background work and stats. The cache listeners and file watching drive it too.
 *
 * Every removal first takes the reached entries out of the graph (synchronously) and only then
 * deletes them from the cache, so the delete events those deletes raise find nothing left to
 * cascade, and two cascades never both walk the same part of the graph.
 */
import { TypedEmitter } from "../core/events.js";
import { composeKey } from "../core/keys.js";
import type { MultiLevelCache } from "../multilevel/multilevel-cache.js";
import { addTags, readEntryInfo } from "./entry-access.js";
import { FileStamps } from "./file-stamps.js";
import { DependencyGraph, type EntryInfo } from "./graph.js";
import { loadGraph } from "./graph-load.js";
import { GraphStore } from "./graph-store.js";
import type { ResolvedInvalidatorOptions } from "./options.js";
import { deleteEntries, emptyStats } from "./removal.js";
import { entryOf, kindOf } from "./targets.js";
import type { CacheInvalidatorEvents, InvalidationKind } from "./types.js";

/** An entry the graph meets before it is cached counts as live until its entry tells otherwise. */
const NOT_YET_CACHED: EntryInfo = { expiresAt: 0, tags: undefined };

export class InvalidationEngine {
  readonly events = new TypedEmitter<CacheInvalidatorEvents>();
  readonly stats = emptyStats();
  readonly cache: MultiLevelCache;
  readonly graph: DependencyGraph | undefined;
  readonly graphStore: GraphStore | undefined;
  readonly stamps = new FileStamps();
  private readonly background = new Set<Promise<unknown>>();
  /** Tags and dependencies being added; invalidations wait for them. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Writes and deletes seen per key while a `tag` of it reads the entry. */
  private readonly watchedWrites = new Map<string, { refs: number; writes: number }>();
  private loading: Promise<void> | undefined;
  private loaded = false;

  constructor(readonly options: Readonly<ResolvedInvalidatorOptions>) {
    this.cache = options.cache;
    const onError = (operation: string, error: unknown): void => this.reportError(operation, error);
    if (options.enableDependencies) {
      this.graphStore = options.persistDependencies
        ? new GraphStore(options.cache.l2!, onError)
        : undefined;
      this.graph = new DependencyGraph(this.graphStore);
    }
    if (this.graph !== undefined && this.graphStore !== undefined) {
      this.ready().catch((error: unknown) => onError("dependencies.load", error));
    } else {
      this.loaded = true;
    }
  }

  reportError(operation: string, error: unknown): void {
    this.events.emit("error", { operation, error });
  }

  isLoaded(): boolean {
    return this.loaded;
  }

  /**
   * Resolves once the persisted graph is in memory. Rejects when it could not be read (L2 down);
   * the next call tries again, so a transient failure does not disable the graph for good.
   */
  ready(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    this.loading ??= loadGraph(this.cache, this.graph!, this.graphStore!).then(
      () => {
        this.loaded = true;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  /** Waits for the graph to load and for tags and dependencies being added. */
  async settled(): Promise<void> {
    await this.ready();
    if (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Runs `task` in the background (after loading); a failure becomes an `error` event. */
  runInBackground(operation: string, task: () => Promise<unknown>): void {
    const run = (this.loaded ? task() : this.ready().then(task)).catch((error: unknown) =>
      this.reportError(operation, error),
    );
    this.background.add(run);
    void run.finally(() => this.background.delete(run));
  }

  /** Runs `fn` now when the graph is loaded, else right after loading, in call order. */
  whenLoaded(fn: () => void): void {
    if (this.loaded) fn();
    else this.runInBackground("dependencies", async () => fn());
  }

  trackPending<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = (): void => void this.pending.delete(work);
    void work.then(done, done);
    return work;
  }

  /** Resolves when nothing runs in the background and the graph's writes reached L2. */
  async idle(): Promise<void> {
    do {
      await this.ready().catch(() => undefined);
      await Promise.allSettled([...this.pending, ...this.background]);
      await this.graphStore?.flush();
    } while (this.pending.size > 0 || this.background.size > 0);
  }

  collectExpired(): void {
    this.graph?.collectExpired(this.options.clock.now());
  }

  /** A write or delete of a key reached the cache: `tag` calls in progress re-read it. */
  noteWrite(key: string, namespace: string): void {
    if (this.watchedWrites.size === 0) return;
    const watched = this.watchedWrites.get(composeKey(namespace, key));
    if (watched !== undefined) watched.writes++;
  }

  /** Deletes `reached` entries (but not `roots`, already gone) and counts the cascade. */
  async cascade(
    reached: readonly string[],
    roots: readonly string[],
    kind: InvalidationKind | undefined,
    target: string,
  ): Promise<number> {
    const skip = new Set(roots);
    const victims = skip.size === 0 ? reached : reached.filter((id) => !skip.has(id));
    const removed = await deleteEntries(this.cache, victims, this.options.cascadeConcurrency);
    const cascades = this.stats.cascades;
    if (reached.length > 0) {
      cascades.runs++;
      cascades.entries += removed;
      cascades.lastSize = reached.length;
      cascades.maxSize = Math.max(cascades.maxSize, reached.length);
      if (this.events.hasListeners("cascade"))
        this.events.emit("cascade", { roots: roots.length, size: reached.length, removed });
    }
    if (kind !== undefined) this.count(kind, target, removed);
    return removed;
  }

  count(kind: InvalidationKind, target: string, removed: number): void {
    this.stats.invalidations[kind]++;
    if (this.events.hasListeners("invalidate"))
      this.events.emit("invalidate", { kind, target, removed });
  }

  /** Removes entry nodes `roots` and what depends on them; resolves to the live entries removed. */
  removeWithDependents(
    roots: readonly string[],
    kind: InvalidationKind | undefined,
    target: string,
  ): Promise<number> {
    this.collectExpired();
    const reached = this.graph === undefined ? [...roots] : this.graph.invalidate(roots);
    return this.cascade(reached, [], kind, target);
  }

  /** Removes what depends on node `id`, but not `id` itself. */
  removeDependentsOf(id: string, kind: InvalidationKind | undefined): Promise<number> {
    this.collectExpired();
    const reached = this.graph?.invalidateDependentsOf(id) ?? [];
    return this.cascade(reached, [], kind, id.slice(1));
  }

  async clearNamespace(namespace: string, kind: InvalidationKind | undefined): Promise<void> {
    this.collectExpired();
    const roots = this.graph?.entriesIn(namespace) ?? [];
    const reached = this.graph?.invalidate(roots) ?? [];
    await this.cache.clear(namespace);
    const outside = reached.filter((id) => entryOf(id).namespace !== namespace);
    await this.cascade(outside, [], undefined, namespace);
    if (kind !== undefined) this.count(kind, namespace, 0);
  }

  /** The tag in the cache and the semantic cache, plus the dependents of the tagged entries. */
  async removeTag(tag: string, kind: InvalidationKind | undefined): Promise<number> {
    this.collectExpired();
    const roots = this.graph?.taggedWith(tag) ?? [];
    const reached = this.graph?.invalidate(roots) ?? [];
    const removed = await this.cache.invalidateTag(tag);
    await this.options.semantic?.invalidateTag(tag);
    const cascaded = await this.cascade(reached, roots, undefined, tag);
    if (kind !== undefined) this.count(kind, tag, removed + cascaded);
    return removed + cascaded;
  }

  /** Adds tags to an entry, reading it again when it was written or deleted meanwhile. */
  async rewriteTags(key: string, namespace: string, tags: readonly string[]): Promise<boolean> {
    const id = composeKey(namespace, key);
    const watched = this.watchedWrites.get(id) ?? { refs: 0, writes: 0 };
    watched.refs++;
    this.watchedWrites.set(id, watched);
    try {
      for (;;) {
        const before = watched.writes;
        const unchanged = (): boolean => watched.writes === before;
        const done = await addTags(this.cache, key, namespace, tags, this.options.clock, unchanged);
        if (done !== "retry") return done;
      }
    } finally {
      if (--watched.refs === 0) this.watchedWrites.delete(id);
    }
  }

  /** Adds the edge `from` -> `to`, stamping a file target with its content hash now. */
  async link(from: string, to: string): Promise<void> {
    const graph = this.graph!;
    await this.ready();
    const clock = this.options.clock;
    let fromInfo: EntryInfo | undefined;
    if (!graph.has(from)) {
      const { key, namespace } = entryOf(from);
      fromInfo = (await readEntryInfo(this.cache, key, namespace, clock)) ?? NOT_YET_CACHED;
    }
    let toInfo: EntryInfo | undefined;
    if (kindOf(to) === "entry" && !graph.has(to)) {
      const { key, namespace } = entryOf(to);
      toInfo = await readEntryInfo(this.cache, key, namespace, clock);
    }
    const stamp = kindOf(to) === "file" ? await this.stamps.stamp(to.slice(1)) : undefined;
    this.collectExpired();
    graph.addEdge(from, fromInfo, to, toInfo, stamp);
    await this.graphStore?.flush();
  }
}

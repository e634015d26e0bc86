/**
 * CacheInvalidator: invalidation by key, namespace, predicate and tag; a dependency graph over
 * entries, files and resources that cascades; named events and file watching; refresh-ahead of
 * hot entries. It works through the cache's public methods and events only. See
 * docs/invalidation.md.
 */
import { CacheClosedError, CacheConfigError } from "../core/errors.js";
import type { TypedEmitter } from "../core/events.js";
import { assertKey, composeKey, DEFAULT_NAMESPACE } from "../core/keys.js";
import type { SetOptions } from "../multilevel/types.js";
import { listenToCache } from "./cache-listeners.js";
import { InvalidationEngine } from "./engine.js";
import { EventRules } from "./event-rules.js";
import { FileWatching } from "./file-watching.js";
import type { DependencyGraph } from "./graph.js";
import { resolveInvalidatorOptions, type ResolvedInvalidatorOptions } from "./options.js";
import { RefreshAhead } from "./refresh-ahead.js";
import { describeNode, entryId, entryOf, targetId } from "./targets.js";
import type {
  CacheInvalidatorEvents,
  CacheInvalidatorOptions,
  CacheInvalidatorStats,
  DependencyNode,
  DependencyTarget,
  InvalidationRule,
  NamespacedKey,
} from "./types.js";

export class CacheInvalidator {
  readonly options: Readonly<ResolvedInvalidatorOptions>;
  /** `invalidate`, `cascade`, `fileChange`, `refresh` and `error` (background failures). */
  readonly events: TypedEmitter<CacheInvalidatorEvents>;

  private readonly engine: InvalidationEngine;
  private readonly rules = new EventRules();
  private readonly files: FileWatching | undefined;
  private readonly refresher: RefreshAhead | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(options: CacheInvalidatorOptions) {
    this.options = resolveInvalidatorOptions(options);
    const o = this.options;
    const engine = (this.engine = new InvalidationEngine(o));
    this.events = engine.events;
    if (engine.graph !== undefined) {
      this.files = new FileWatching(engine, engine.stamps, engine.stats.files);
      this.unsubscribe.push(o.scheduler.every(o.sweepIntervalMs, () => engine.collectExpired()));
    }
    this.unsubscribe.push(...listenToCache(engine, o));
    if (o.refreshAhead !== undefined) {
      this.refresher = new RefreshAhead(o.cache, o.refreshAhead, o.clock, engine.stats.refresh, {
        refreshed: (key, namespace, error) =>
          this.events.emit("refresh", { key, namespace, error }),
      });
      this.refresher.start(o.scheduler);
    }
  }

  /**
   * Loads the persisted dependency graph and, under the `event` and `hybrid` strategies,
   * invalidates the entries whose files changed while no process watched them. Idempotent once
   * it succeeded; after a failure (L2 unreachable) the next call tries again.
   */
  start(): Promise<void> {
    this.checkOpen();
    this.starting ??= (async () => {
      await this.engine.ready();
      if (this.options.eventDriven && this.files !== undefined) await this.files.checkAll();
    })().catch((error: unknown) => {
      this.starting = undefined; // a later start() tries again
      throw error;
    });
    return this.starting;
  }

  // ---- manual -------------------------------------------------------------------------------

  /**
   * Removes one entry from every tier, and everything that depends on it, transitively. Resolves
   * to the number of live entries removed.
   */
  async invalidateKey(key: string, namespace = DEFAULT_NAMESPACE): Promise<number> {
    this.checkOpen();
    assertEntryKey(key, namespace);
    await this.engine.settled();
    return this.engine.removeWithDependents(
      [entryId(key, namespace)],
      "key",
      composeKey(namespace, key),
    );
  }

  /** Clears a namespace from every tier, and invalidates what depends on its entries. */
  async invalidateNamespace(namespace: string): Promise<void> {
    this.checkOpen();
    assertNamespace(namespace);
    await this.engine.settled();
    await this.engine.clearNamespace(namespace, "namespace");
  }

  /**
   * Invalidates (with what depends on them) the keys for which `predicate(key, namespace)` is
   * true, of one namespace or of all; resolves to the live entries removed. Keys are listed with
   * `cache.keys()`, so the cost is proportional to the whole cache. Reserved namespaces (starting
   * with "__") are never visited.
   */
  async invalidateWhere(
    predicate: (key: string, namespace: string) => boolean,
    options: { namespace?: string } = {},
  ): Promise<number> {
    this.checkOpen();
    if (typeof predicate !== "function")
      throw new CacheConfigError("invalidateWhere.predicate", "expected a function");
    if (options.namespace !== undefined) assertNamespace(options.namespace);
    await this.engine.settled();
    const matched: string[] = [];
    for await (const { key, namespace } of this.options.cache.keys(options.namespace)) {
      if (!namespace.startsWith("__") && predicate(key, namespace))
        matched.push(entryId(key, namespace));
    }
    return this.engine.removeWithDependents(matched, "predicate", `${matched.length} keys`);
  }

  // ---- tags ---------------------------------------------------------------------------------

  /**
   * Adds tags to an existing entry, keeping its value and the rest of its TTL: tags live with the
   * entry in every tier, so the entry is written again through the cache. Resolves to false when
   * no fresh entry exists.
   */
  tag(key: string, namespace: string, tags: readonly string[]): Promise<boolean> {
    this.checkOpen();
    this.requireTagging("tag");
    assertEntryKey(key, namespace);
    checkTags(tags, "tags");
    return this.engine.trackPending(this.engine.rewriteTags(key, namespace, tags));
  }

  /** `cache.set`, then `addDependency` for each of `dependsOn`. */
  async set(
    key: string,
    value: unknown,
    options: SetOptions & { dependsOn?: readonly DependencyTarget[] } = {},
  ): Promise<void> {
    this.checkOpen();
    const { dependsOn, ...setOptions } = options;
    if (setOptions.tags !== undefined) this.requireTagging("set.tags");
    if (dependsOn !== undefined) {
      this.requireGraph("set.dependsOn");
      if (!Array.isArray(dependsOn))
        throw new CacheConfigError("set.dependsOn", "expected an array of targets");
      dependsOn.forEach((target, i) => targetId(target, `set.dependsOn[${i}]`));
    }
    const namespace = setOptions.namespace ?? DEFAULT_NAMESPACE;
    assertEntryKey(key, namespace);
    await this.options.cache.set(key, value, setOptions);
    for (const target of dependsOn ?? []) await this.addDependency(key, namespace, target);
  }

  /**
   * Removes every entry carrying `tag` from L1, L2 (and so from every process sharing it; their
   * L1s drop their copies through the bus) and the semantic cache, and invalidates what depends on
   * the tagged entries. Resolves to the cache entries removed (tagged ones and dependents).
   */
  async invalidateTag(tag: string): Promise<number> {
    this.checkOpen();
    this.requireTagging("invalidateTag");
    assertKey(tag, "tag");
    await this.engine.settled();
    return this.engine.removeTag(tag, "tag");
  }

  // ---- dependencies -------------------------------------------------------------------------

  /**
   * Records that entry (`key`, `namespace`) was derived from `dependsOn`: another entry, a file
   * (whose content hash is recorded now) or a resource. Resolves once the edge is persisted.
   */
  addDependency(key: string, namespace: string, dependsOn: DependencyTarget): Promise<void> {
    this.checkOpen();
    this.requireGraph("addDependency");
    assertEntryKey(key, namespace);
    const to = targetId(dependsOn, "dependsOn");
    return this.engine.trackPending(this.engine.link(entryId(key, namespace), to));
  }

  /** Forgets one dependency; resolves to false when it was not recorded. */
  async removeDependency(
    key: string,
    namespace: string,
    dependsOn: DependencyTarget,
  ): Promise<boolean> {
    this.checkOpen();
    const graph = this.requireGraph("removeDependency");
    assertEntryKey(key, namespace);
    const to = targetId(dependsOn, "dependsOn");
    await this.engine.settled();
    const removed = graph.removeEdge(entryId(key, namespace), to);
    await this.engine.graphStore?.flush();
    return removed;
  }

  /** Live entries that depend directly on `target`. */
  async dependentsOf(target: DependencyTarget): Promise<NamespacedKey[]> {
    this.checkOpen();
    const graph = this.requireGraph("dependentsOf");
    const id = targetId(target, "target");
    await this.engine.settled();
    this.engine.collectExpired();
    return graph.dependentsOf(id).map(entryOf);
  }

  /** What an entry depends on directly. */
  async dependenciesOf(key: string, namespace = DEFAULT_NAMESPACE): Promise<DependencyNode[]> {
    this.checkOpen();
    const graph = this.requireGraph("dependenciesOf");
    assertEntryKey(key, namespace);
    await this.engine.settled();
    this.engine.collectExpired();
    return graph.dependenciesOf(entryId(key, namespace)).map(([id]) => describeNode(id));
  }

  /**
   * Invalidates every entry that depends on `target`, transitively (through the entries that
   * depend on those), whatever the depth and through cycles. `target` itself is not removed.
   * Resolves to the live entries removed.
   */
  async invalidateDependents(target: DependencyTarget): Promise<number> {
    this.checkOpen();
    this.requireGraph("invalidateDependents");
    const id = targetId(target, "target");
    await this.engine.settled();
    return this.engine.removeDependentsOf(id, "dependency");
  }

  // ---- events -------------------------------------------------------------------------------

  /** Maps a named event to what it invalidates; returns a function that removes the rule. */
  on(event: string, rule: InvalidationRule): () => void {
    this.checkOpen();
    this.requireEvents("on");
    return this.rules.on(event, rule);
  }

  /** Fires `event`: every rule registered for it applies. Resolves to the entries removed. */
  async emit(event: string, payload?: unknown): Promise<number> {
    this.checkOpen();
    this.requireEvents("emit");
    const resolved = await this.rules.resolve(event, payload);
    if (resolved.length === 0) return 0;
    const engine = this.engine;
    await engine.settled();
    let removed = 0;
    for (const rule of resolved) {
      for (const tag of rule.tags) removed += await engine.removeTag(tag, undefined);
      const keys = rule.keys.map(({ key, namespace }) => entryId(key, namespace));
      if (keys.length > 0) removed += await engine.removeWithDependents(keys, undefined, event);
      for (const namespace of rule.namespaces) await engine.clearNamespace(namespace, undefined);
      for (const id of rule.dependents) removed += await engine.removeDependentsOf(id, undefined);
    }
    engine.count("event", event, removed);
    return removed;
  }

  /**
   * Watches files and folders (chokidar): once a path has been quiet for `debounce` (default: the
   * `debounce` option), its content hash is compared with the stamps recorded on its dependencies,
   * and the dependents of a changed file are invalidated. Resolves once watching, after checking
   * the files under `paths` for changes made since their dependencies were recorded.
   */
  async watchFiles(
    paths: string | readonly string[],
    options: { debounce?: number | string } = {},
  ): Promise<void> {
    this.checkOpen();
    this.requireEvents("watchFiles");
    this.requireGraph("watchFiles");
    await this.engine.settled();
    await this.files!.watch(typeof paths === "string" ? [paths] : paths, options.debounce);
  }

  /** Stops watching `paths`, or everything when omitted. */
  async unwatch(paths?: string | readonly string[]): Promise<void> {
    await this.files?.unwatch(typeof paths === "string" ? [paths] : paths);
  }

  /**
   * Compares every file dependency's recorded stamp with the file's content now and invalidates
   * the dependents of changed files. Resolves to the live entries removed.
   */
  async checkFiles(): Promise<number> {
    this.checkOpen();
    this.requireGraph("checkFiles");
    await this.engine.settled();
    return this.files!.checkAll();
  }

  // ---- lifecycle and stats ------------------------------------------------------------------

  /**
   * Resolves once background work has finished: cascades started by cache events, file checks,
   * refreshes and the graph's writes to L2.
   */
  async idle(): Promise<void> {
    do {
      await this.engine.idle();
      await this.files?.idle();
      await this.refresher?.idle();
    } while (this.files?.busy === true);
  }

  getStats(): CacheInvalidatorStats {
    const stats = structuredClone(this.engine.stats);
    const graph = this.engine.graph;
    stats.graph = { nodes: graph?.nodeCount ?? 0, edges: graph?.edges ?? 0 };
    stats.files.watched = this.files?.watchedCount() ?? 0;
    return stats;
  }

  /**
   * Stops watching, listening and refreshing, waits for background work, and writes what the
   * graph still owes L2. The cache stays open (it belongs to the caller). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const off of this.unsubscribe.splice(0)) off();
      this.refresher?.stop();
      await this.files?.close();
      await this.idle();
    })();
    return this.closing;
  }

  private checkOpen(): void {
    if (this.closed) throw new CacheClosedError("CacheInvalidator");
  }

  private requireTagging(operation: string): void {
    if (!this.options.enableTagging)
      throw new CacheConfigError("enableTagging", `${operation} needs tagging, which is disabled`);
  }

  private requireGraph(operation: string): DependencyGraph {
    const graph = this.engine.graph;
    if (graph === undefined) {
      throw new CacheConfigError(
        "enableDependencies",
        `${operation} needs dependencies, which are disabled`,
      );
    }
    return graph;
  }

  private requireEvents(operation: string): void {
    if (!this.options.eventDriven) {
      throw new CacheConfigError(
        "strategy",
        `${operation} needs strategy "event" or "hybrid"; strategy is "${this.options.strategy}"`,
      );
    }
  }
}

function assertNamespace(namespace: string): void {
  assertKey(namespace, "namespace");
  if (namespace.startsWith("__victor")) {
    throw new CacheConfigError("namespace", `"${namespace}" is reserved for the invalidator`);
  }
}

function assertEntryKey(key: string, namespace: string): void {
  assertKey(key);
  assertNamespace(namespace);
}

function checkTags(tags: unknown, path: string): string[] {
  if (!Array.isArray(tags)) throw new CacheConfigError(path, "expected an array of strings");
  tags.forEach((tag, i) => assertKey(tag, `${path}[${i}]`));
  return tags as string[];
}

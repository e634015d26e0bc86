/**
 * The CacheInvalidator contract: strategies, options, dependency targets, event rules, events
 * and stats. See docs/invalidation.md.
 */
import type { InvalidationBus } from "../bus/bus.js";
import type { Clock } from "../core/clock.js";
import type { Duration } from "../core/duration.js";
import type { NamespacedKey } from "../stores/store.js";
import type { MultiLevelCache } from "../multilevel/multilevel-cache.js";

/**
 * What drives invalidation, as lowercase strings so YAML and code agree. Explicit calls
 * (`invalidateKey`, `invalidateTag`, `invalidateDependents`, ...) work under every strategy.
 */
export const InvalidationStrategy = {
  /** Entries leave by their TTL; refresh-ahead (when configured) renews hot ones. No events. */
  TTL: "ttl",
  /** Named events, file changes and cache removals invalidate (and cascade); no refresh-ahead. */
  EVENT: "event",
  /** Only explicit calls invalidate: no events, no file watching, no refresh-ahead. */
  MANUAL: "manual",
  /** `ttl` and `event` together. */
  HYBRID: "hybrid",
} as const;
export type InvalidationStrategyName =
  (typeof InvalidationStrategy)[keyof typeof InvalidationStrategy];

/**
 * What an entry can depend on:
 * - another cache entry: `{ key, namespace }` (namespace defaults to "default");
 * - a file: `{ file: path }`, or a plain string that is an absolute path (`"/repo/a.ts"`); the
 *   path is normalised with `path.resolve`, so a relative `file` is taken from the working
 *   folder;
 * - any other resource: `{ resource: name }`, or a plain string that is not an absolute path
 *   (`"config:flags"`).
 */
export type DependencyTarget =
  string | { key: string; namespace?: string } | { file: string } | { resource: string };

/** A node of the dependency graph, as reported by `dependenciesOf`. */
export type DependencyNode =
  | { kind: "entry"; key: string; namespace: string }
  | { kind: "file"; path: string }
  | { kind: "resource"; name: string };

/** What one named event invalidates. Every field is optional; all that are given apply. */
export interface InvalidationRuleSpec {
  /** Tags to invalidate (cache tiers, the semantic cache and other processes). */
  tags?: readonly string[];
  /** Keys to invalidate: `{ key, namespace }`, or a plain key in the "default" namespace. */
  keys?: readonly (string | NamespacedKeyInput)[];
  /** Namespaces to clear. */
  namespaces?: readonly string[];
  /** Targets whose dependents are invalidated (transitively). */
  dependents?: readonly DependencyTarget[];
}

export interface NamespacedKeyInput {
  key: string;
  /** @default "default" */
  namespace?: string;
}

/**
 * A rule for `on(event, rule)`: a fixed spec, or a function of the payload given to `emit` that
 * returns the spec (or nothing, to invalidate nothing for this payload).
 */
export type InvalidationRule =
  | InvalidationRuleSpec
  | ((
      payload: unknown,
    ) => InvalidationRuleSpec | undefined | Promise<InvalidationRuleSpec | undefined>);

/** What may receive tag invalidations besides the cache, such as a SemanticCache. */
export interface SemanticInvalidationTarget {
  /** Removes every entry carrying `tag`; resolves to how many. */
  invalidateTag(tag: string): Promise<number>;
}

/** Periodic callbacks; injected so tests drive refresh-ahead with a fake clock. */
export interface InvalidationScheduler {
  /** Calls `callback` every `ms` milliseconds until the returned function is called. */
  every(ms: number, callback: () => void): () => void;
}

/** Refresh-ahead: hot `getOrSet` entries are reloaded in the background before they go stale. */
export interface RefreshAheadOptions {
  /**
   * When in an entry's fresh lifetime the refresh starts, as a fraction of its TTL: 0.8 reloads
   * an entry written with a 10 s TTL 8 s after it was written.
   * @default 0.8
   */
  at?: number;
  /**
   * Reads (hits) an entry needs within `window` before its refresh point to count as hot; a colder
   * entry is left to expire.
   * @default 2
   */
  minAccesses?: number;
  /**
   * How far back reads count towards `minAccesses`: seconds or a duration string.
   * @default the entry's TTL
   */
  window?: Duration;
  /** Most loaders running at once for refreshes. @default 4 */
  concurrency?: number;
  /** Most entries tracked for refresh; beyond it the least recently written are forgotten. @default 10000 */
  maxTracked?: number;
  /**
   * How often due refreshes are looked for, besides on every read of a tracked entry: seconds or
   * a duration string.
   * @default "1s"
   */
  checkInterval?: Duration;
}

/** Options of a CacheInvalidator (see docs/invalidation.md). */
export interface CacheInvalidatorOptions {
  /** The cache whose entries are invalidated. */
  cache: MultiLevelCache;
  /** @default "hybrid" */
  strategy?: InvalidationStrategyName;
  /** `tag` and `invalidateTag`; with false they throw a CacheConfigError. @default true */
  enableTagging?: boolean;
  /**
   * The dependency graph (`addDependency`, `invalidateDependents`, `watchFiles`); with false they
   * throw a CacheConfigError and nothing is read from or written to L2.
   * @default true
   */
  enableDependencies?: boolean;
  /** Also receives every tag invalidation (a SemanticCache). @default none */
  semantic?: SemanticInvalidationTarget;
  /**
   * The bus on which other processes' deletes, clears and tag invalidations arrive, so that this
   * process's dependency graph and semantic cache follow them. False for none.
   * @default the cache's bus when it was given as an instance
   */
  bus?: InvalidationBus | false;
  /**
   * Keep the dependency graph in the cache's L2 (namespace `__victor_deps`), one record per
   * edge, so that it survives a restart.
   * @default true when the cache has an L2
   */
  persistDependencies?: boolean;
  /**
   * Quiet time after the last file event of a path before its content is hashed and compared:
   * seconds or a duration string. Editors write a file in several steps; one check follows.
   * @default "100ms"
   */
  debounce?: Duration;
  /** Most cache deletes in flight during one cascade. @default 32 */
  cascadeConcurrency?: number;
  /**
   * How often entries of the graph whose TTL passed are collected when nothing else happens:
   * seconds or a duration string. Every call also collects what is due first.
   * @default "30s"
   */
  sweepInterval?: Duration;
  /** Refresh-ahead for hot `getOrSet` entries (strategy `ttl` or `hybrid`). @default false (off) */
  refreshAhead?: RefreshAheadOptions | boolean;
  /** @default the cache's clock */
  clock?: Clock;
  /** @default real timers, unref'd */
  scheduler?: InvalidationScheduler;
}

/** Kinds of invalidation, as counted in stats. */
export type InvalidationKind =
  "key" | "namespace" | "predicate" | "tag" | "dependency" | "file" | "event";

export interface CacheInvalidatorStats {
  /** Invalidation operations by kind (a file change that invalidated something counts once). */
  invalidations: Record<InvalidationKind, number>;
  cascades: {
    /** Cascades run (each explicit dependency invalidation, file change, or cascading removal). */
    runs: number;
    /** Live entries removed by cascades, beyond the roots. */
    entries: number;
    /** Largest cascade, in graph entries visited. */
    maxSize: number;
    /** The last cascade's size, in graph entries visited. */
    lastSize: number;
  };
  graph: { nodes: number; edges: number };
  files: {
    watched: number;
    /** Debounced file events whose content hash differed from a recorded stamp. */
    changed: number;
    /** Debounced file events whose content was unchanged (a touch): nothing invalidated. */
    unchanged: number;
  };
  refresh: {
    /** Entries tracked for refresh-ahead. */
    tracked: number;
    /** Refreshes that stored a new value. */
    refreshes: number;
    /** Refreshes whose loader threw (the entry then expires as usual). */
    errors: number;
    /** Refresh points reached by an entry too cold to refresh. */
    skippedCold: number;
    /** Refresh results dropped because the entry was changed or removed meanwhile. */
    discarded: number;
  };
}

/** Events of a CacheInvalidator. */
export type CacheInvalidatorEvents = {
  invalidate: { kind: InvalidationKind; target: string; removed: number };
  cascade: { roots: number; size: number; removed: number };
  fileChange: { path: string; changed: boolean; invalidated: number };
  refresh: { key: string; namespace: string; error: unknown };
  /** A background task (cascade, persistence, refresh, file check) failed. */
  error: { operation: string; error: unknown };
};

export type { NamespacedKey };

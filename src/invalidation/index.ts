/** The invalidator's public API. */
export { CacheInvalidator } from "./cache-invalidator.js";
export { InvalidationStrategy } from "./types.js";
export type {
  InvalidationStrategyName,
  CacheInvalidatorOptions,
  CacheInvalidatorStats,
  CacheInvalidatorEvents,
  DependencyTarget,
  DependencyNode,
  InvalidationRule,
  InvalidationRuleSpec,
  InvalidationKind,
  InvalidationScheduler,
  NamespacedKeyInput,
  RefreshAheadOptions,
  SemanticInvalidationTarget,
} from "./types.js";
export { DEPENDENCY_NAMESPACE } from "./graph-store.js";
export { MISSING_STAMP, UNREADABLE_STAMP } from "./file-stamps.js";

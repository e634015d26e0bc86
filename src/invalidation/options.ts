/**
 * Checks CacheInvalidatorOptions once, at construction, and turns durations into milliseconds.
 * Every error is a CacheConfigError naming the option (`refreshAhead.at`).
 */
import type { InvalidationBus } from "../bus/bus.js";
import type { Clock } from "../core/clock.js";
import { toMillis } from "../core/duration.js";
import { CacheConfigError } from "../core/errors.js";
import { MultiLevelCache } from "../multilevel/multilevel-cache.js";
import {
  InvalidationStrategy,
  type CacheInvalidatorOptions,
  type InvalidationScheduler,
  type InvalidationStrategyName,
  type RefreshAheadOptions,
  type SemanticInvalidationTarget,
} from "./types.js";

const STRATEGIES: readonly string[] = Object.values(InvalidationStrategy);

export interface ResolvedRefreshAhead {
  at: number;
  minAccesses: number;
  /** undefined = the entry's fresh TTL */
  windowMs: number | undefined;
  concurrency: number;
  maxTracked: number;
  checkIntervalMs: number;
}

export interface ResolvedInvalidatorOptions {
  cache: MultiLevelCache;
  strategy: InvalidationStrategyName;
  /** Named events, file changes and cache removals invalidate (strategies event, hybrid). */
  eventDriven: boolean;
  enableTagging: boolean;
  enableDependencies: boolean;
  semantic: SemanticInvalidationTarget | undefined;
  bus: InvalidationBus | undefined;
  persistDependencies: boolean;
  debounceMs: number;
  cascadeConcurrency: number;
  sweepIntervalMs: number;
  refreshAhead: ResolvedRefreshAhead | undefined;
  clock: Clock;
  scheduler: InvalidationScheduler;
}

/** Real timers, unref'd so the invalidator never keeps a process alive. */
export const timerScheduler: InvalidationScheduler = {
  every(ms, callback) {
    const handle = setInterval(callback, ms);
    handle.unref();
    return () => clearInterval(handle);
  },
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new CacheConfigError(path, `expected true or false, got ${String(value)}`);
  return value;
}

function positiveInteger(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new CacheConfigError(path, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

/** A duration of at least 1 ms (a zero interval or debounce would spin). */
export function positiveMillis(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  const ms = toMillis(value as number | string, path);
  if (ms < 1) throw new CacheConfigError(path, `must be at least 1 ms, got ${String(value)}`);
  return ms;
}

function resolveRefreshAhead(
  value: unknown,
  strategy: InvalidationStrategyName,
): ResolvedRefreshAhead | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && !isObject(value)) {
    throw new CacheConfigError("refreshAhead", "expected true, false or an options object");
  }
  if (strategy !== "ttl" && strategy !== "hybrid") {
    throw new CacheConfigError(
      "refreshAhead",
      `needs strategy "ttl" or "hybrid"; strategy is "${strategy}"`,
    );
  }
  const o: RefreshAheadOptions = value === true ? {} : value;
  const at = o.at ?? 0.8;
  if (typeof at !== "number" || !(at > 0 && at < 1)) {
    throw new CacheConfigError(
      "refreshAhead.at",
      `expected a fraction of the TTL between 0 and 1 (exclusive), got ${String(at)}`,
    );
  }
  return {
    at,
    minAccesses: positiveInteger(o.minAccesses, 2, "refreshAhead.minAccesses"),
    windowMs:
      o.window === undefined ? undefined : positiveMillis(o.window, 0, "refreshAhead.window"),
    concurrency: positiveInteger(o.concurrency, 4, "refreshAhead.concurrency"),
    maxTracked: positiveInteger(o.maxTracked, 10_000, "refreshAhead.maxTracked"),
    checkIntervalMs: positiveMillis(o.checkInterval, 1000, "refreshAhead.checkInterval"),
  };
}

function resolveBus(value: unknown, cache: MultiLevelCache): InvalidationBus | undefined {
  if (value === false) return undefined;
  if (value === undefined) {
    const bus = cache.options.bus;
    return bus.kind === "given" ? bus.bus : undefined;
  }
  if (!isObject(value) || typeof value.subscribe !== "function") {
    throw new CacheConfigError("bus", "expected an InvalidationBus or false");
  }
  return value as unknown as InvalidationBus;
}

export function resolveInvalidatorOptions(options: unknown): ResolvedInvalidatorOptions {
  if (!isObject(options)) throw new CacheConfigError("options", "expected an options object");
  const o = options as unknown as CacheInvalidatorOptions;
  if (!(o.cache instanceof MultiLevelCache)) {
    throw new CacheConfigError("cache", "expected a MultiLevelCache");
  }
  const strategy = o.strategy ?? InvalidationStrategy.HYBRID;
  if (!STRATEGIES.includes(strategy)) {
    throw new CacheConfigError(
      "strategy",
      `unknown strategy ${JSON.stringify(strategy)}; expected one of ${STRATEGIES.join(", ")}`,
    );
  }
  if (o.semantic !== undefined && typeof o.semantic?.invalidateTag !== "function") {
    throw new CacheConfigError("semantic", "expected an object with invalidateTag(tag)");
  }
  const clock = o.clock ?? o.cache.options.clock;
  if (typeof clock?.now !== "function")
    throw new CacheConfigError("clock", "expected an object with now()");
  const scheduler = o.scheduler ?? timerScheduler;
  if (typeof scheduler?.every !== "function")
    throw new CacheConfigError("scheduler", "expected an object with every(ms, callback)");
  const hasL2 = o.cache.l2 !== undefined;
  const persistDependencies = bool(o.persistDependencies, hasL2, "persistDependencies");
  if (persistDependencies && !hasL2) {
    throw new CacheConfigError("persistDependencies", "needs a cache with an l2 to persist into");
  }
  return {
    cache: o.cache,
    strategy,
    eventDriven: strategy === "event" || strategy === "hybrid",
    enableTagging: bool(o.enableTagging, true, "enableTagging"),
    enableDependencies: bool(o.enableDependencies, true, "enableDependencies"),
    semantic: o.semantic,
    bus: resolveBus(o.bus, o.cache),
    persistDependencies,
    debounceMs: positiveMillis(o.debounce, 100, "debounce"),
    cascadeConcurrency: positiveInteger(o.cascadeConcurrency, 32, "cascadeConcurrency"),
    sweepIntervalMs: positiveMillis(o.sweepInterval, 30_000, "sweepInterval"),
    refreshAhead: resolveRefreshAhead(o.refreshAhead, strategy),
    clock,
    scheduler,
  };
}

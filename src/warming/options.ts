/**
 * Checks CacheWarmerOptions once, at construction, and turns durations into milliseconds. Every
 * error is a CacheConfigError naming the option (`recencyWeight`).
 */
import type { Clock } from "../core/clock.js";
import { toMillis, type Duration } from "../core/duration.js";
import { CacheConfigError } from "../core/errors.js";
import {
  WarmingStrategy,
  type CacheWarmerOptions,
  type WarmableCache,
  type WarmingLoader,
  type WarmingStrategyName,
} from "./types.js";

export const STRATEGY_NAMES: readonly WarmingStrategyName[] = Object.values(WarmingStrategy);

export interface ResolvedAccessLogOptions {
  maxKeys: number;
  halfLifeMs: number;
  maxUsersPerKey: number;
  /** Minutes east of UTC, or "local". */
  timezoneOffset: "local" | number;
  setWeight: number;
}

export interface ResolvedWarmerOptions {
  cache: WarmableCache;
  strategy: WarmingStrategyName;
  preloadCount: number;
  warmIntervalMs: number;
  recencyWeight: number;
  loader: WarmingLoader | undefined;
  loaderConcurrency: number;
  /** Loads per second; 0 = unlimited. */
  loaderRate: number;
  loaderBurst: number;
  loaderTimeoutMs: number;
  timeWindowMs: number;
  jitter: number;
  recordEvents: boolean;
  context: (() => string | undefined) | undefined;
  persist: boolean;
  persistIntervalMs: number;
  persistName: string;
  clock: Clock;
  log: ResolvedAccessLogOptions;
}

function integer(value: unknown, fallback: number, min: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    const what = min === 0 ? "a non-negative integer" : `an integer of at least ${min}`;
    throw new CacheConfigError(path, `expected ${what}, got ${String(value)}`);
  }
  return value;
}

function fraction(value: unknown, fallback: number, path: string, maxExclusive = false): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= 0 &&
    (maxExclusive ? value < 1 : value <= 1);
  if (!ok) {
    const range = maxExclusive ? "0 <= x < 1" : "0 <= x <= 1";
    throw new CacheConfigError(path, `expected a number with ${range}, got ${String(value)}`);
  }
  return value as number;
}

function nonNegative(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new CacheConfigError(path, `expected a non-negative number, got ${String(value)}`);
  }
  return value;
}

function positiveMillis(value: Duration | undefined, fallback: Duration, path: string): number {
  const ms = toMillis(value ?? fallback, path);
  if (ms < 1) throw new CacheConfigError(path, "must be at least 1 ms");
  return ms;
}

function bool(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new CacheConfigError(path, `expected true or false, got ${String(value)}`);
  return value;
}

function optionalFunction<F>(value: unknown, path: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new CacheConfigError(path, "expected a function");
  return value as F;
}

function resolveCache(cache: unknown): WarmableCache {
  const c = cache as Partial<WarmableCache> | undefined;
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.events?.on !== "function" ||
    typeof c.l1?.setSync !== "function" ||
    typeof c.set !== "function"
  ) {
    throw new CacheConfigError("cache", "expected a MultiLevelCache");
  }
  return c as WarmableCache;
}

function resolveTimezone(value: unknown): "local" | number {
  if (value === undefined || value === "local") return "local";
  if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > 14 * 60) {
    throw new CacheConfigError(
      "timezoneOffset",
      `expected "local" or minutes east of UTC between -840 and 840, got ${String(value)}`,
    );
  }
  return value;
}

export function resolveWarmerOptions(options: CacheWarmerOptions): ResolvedWarmerOptions {
  if (typeof options !== "object" || options === null) {
    throw new CacheConfigError("options", "expected an options object");
  }
  const o = options;
  const cache = resolveCache(o.cache);
  const strategy = o.strategy ?? WarmingStrategy.HYBRID;
  if (!STRATEGY_NAMES.includes(strategy)) {
    throw new CacheConfigError(
      "strategy",
      `unknown warming strategy ${JSON.stringify(strategy)}; expected one of ${STRATEGY_NAMES.join(", ")}`,
    );
  }
  const loaderConcurrency = integer(o.loaderConcurrency, 4, 1, "loaderConcurrency");
  if (o.persistName !== undefined && (typeof o.persistName !== "string" || o.persistName === "")) {
    throw new CacheConfigError("persistName", "expected a non-empty string");
  }
  const clock = o.clock ?? cache.options.clock;
  if (typeof clock?.now !== "function")
    throw new CacheConfigError("clock", "expected an object with now()");
  return {
    cache,
    strategy,
    preloadCount: integer(o.preloadCount, 100, 0, "preloadCount"),
    warmIntervalMs: positiveMillis(o.warmInterval, 300, "warmInterval"),
    recencyWeight: fraction(o.recencyWeight, 0.5, "recencyWeight"),
    loader: optionalFunction<WarmingLoader>(o.loader, "loader"),
    loaderConcurrency,
    loaderRate: nonNegative(o.loaderRate, 20, "loaderRate"),
    loaderBurst: integer(o.loaderBurst, 4, 1, "loaderBurst"),
    loaderTimeoutMs: positiveMillis(o.loaderTimeout, "10s", "loaderTimeout"),
    timeWindowMs: positiveMillis(o.timeWindow, "1h", "timeWindow"),
    jitter: fraction(o.jitter, 0.1, "jitter", true),
    recordEvents: bool(o.recordEvents, true, "recordEvents"),
    context: optionalFunction<() => string | undefined>(o.context, "context"),
    persist: bool(o.persist, true, "persist"),
    persistIntervalMs: positiveMillis(o.persistInterval, "5m", "persistInterval"),
    persistName: o.persistName ?? "default",
    clock,
    log: {
      maxKeys: integer(o.maxKeys, 10_000, 1, "maxKeys"),
      halfLifeMs: positiveMillis(o.halfLife, "1d", "halfLife"),
      maxUsersPerKey: integer(o.maxUsersPerKey, 8, 1, "maxUsersPerKey"),
      timezoneOffset: resolveTimezone(o.timezoneOffset),
      setWeight: nonNegative(o.setWeight, 0.25, "setWeight"),
    },
  };
}

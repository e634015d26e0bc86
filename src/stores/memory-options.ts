import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { toMillis, type Duration } from "../core/duration.js";
import { CacheConfigError } from "../core/errors.js";
import {
  DEFAULT_EVICTION_POLICY,
  EVICTION_POLICY_NAMES,
  type EvictionPolicyName,
} from "../eviction/policy.js";
import { estimateSize } from "./size-estimate.js";

/** Options of the in-memory tier (L1). */
export interface MemoryStoreOptions {
  /**
   * Most entries held at once; the policy evicts beyond it. At most {@link MAX_MEMORY_ENTRIES}:
   * the store allocates its per-entry arrays up front.
   * @default 1000
   */
  maxSize?: number;
  /**
   * Most bytes held at once, as measured by `sizeCalculation`; 0 means no byte cap. An entry
   * larger than the cap is rejected with a `CacheEntryTooLargeError`.
   * @default 0
   */
  maxBytes?: number;
  /**
   * Size of one entry in bytes; only called when `maxBytes` is set. Must return a positive
   * finite number.
   * @default a rough estimate of the value's heap size (see `estimateSize`)
   */
  sizeCalculation?: (value: unknown, key: string) => number;
  /**
   * Time to live for entries set without one: seconds, or a duration string ("5m"). 0 means
   * entries never expire unless a set gives a TTL.
   * @default 0
   */
  ttl?: Duration;
  /**
   * Eviction policy when the store is full.
   * @default DEFAULT_EVICTION_POLICY
   */
  evictionPolicy?: EvictionPolicyName;
  /**
   * How often expired entries that nobody reads are freed: seconds or a duration string. 0
   * disables the sweep (entries are then only dropped when read or evicted).
   * @default 60
   */
  sweepInterval?: Duration;
  /**
   * Store and return structured clones instead of references, so callers mutating a value
   * after `set` or `get` cannot change what the cache holds. Costs a clone per call.
   * @default false
   */
  clone?: boolean;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Prefix for option paths in error messages (`l1.` when built by the multilevel cache). @default "" */
  configPath?: string;
}

export interface ResolvedMemoryOptions {
  maxSize: number;
  maxBytes: number;
  sizeCalculation: (value: unknown, key: string) => number;
  ttlMs: number;
  evictionPolicy: EvictionPolicyName;
  sweepIntervalMs: number;
  clone: boolean;
  clock: Clock;
  path: string;
}

/**
 * Largest `maxSize` (2^24, about 16.8 million entries, some 800 MB of per-entry arrays allocated
 * up front): beyond it the arrays fail to allocate, or take the process down.
 */
export const MAX_MEMORY_ENTRIES = 2 ** 24;

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new CacheConfigError(path, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

export function resolveMemoryOptions(options: MemoryStoreOptions = {}): ResolvedMemoryOptions {
  const p = options.configPath ?? "";
  const maxSize = positiveInteger(options.maxSize ?? 1000, `${p}maxSize`);
  if (maxSize > MAX_MEMORY_ENTRIES) {
    throw new CacheConfigError(
      `${p}maxSize`,
      `expected at most ${MAX_MEMORY_ENTRIES} entries (allocated up front), got ${maxSize}`,
    );
  }
  const maxBytes = options.maxBytes ?? 0;
  if (typeof maxBytes !== "number" || !Number.isFinite(maxBytes) || maxBytes < 0) {
    throw new CacheConfigError(
      `${p}maxBytes`,
      `expected a non-negative number of bytes, got ${String(maxBytes)}`,
    );
  }
  const evictionPolicy = options.evictionPolicy ?? DEFAULT_EVICTION_POLICY;
  if (!EVICTION_POLICY_NAMES.includes(evictionPolicy)) {
    throw new CacheConfigError(
      `${p}evictionPolicy`,
      `unknown eviction policy ${JSON.stringify(evictionPolicy)}; expected one of ${EVICTION_POLICY_NAMES.join(", ")}`,
    );
  }
  if (options.sizeCalculation !== undefined && typeof options.sizeCalculation !== "function") {
    throw new CacheConfigError(`${p}sizeCalculation`, "expected a function");
  }
  return {
    maxSize,
    maxBytes,
    sizeCalculation: options.sizeCalculation ?? ((value) => estimateSize(value)),
    ttlMs: toMillis(options.ttl ?? 0, `${p}ttl`),
    evictionPolicy,
    sweepIntervalMs: toMillis(options.sweepInterval ?? 60, `${p}sweepInterval`),
    clone: options.clone ?? false,
    clock: options.clock ?? systemClock,
    path: p,
  };
}

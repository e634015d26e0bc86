import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { createMsgpackCodec, type Codec } from "../core/codec.js";
import { toMillis, type Duration } from "../core/duration.js";
import { CacheConfigError, type CacheStoreError } from "../core/errors.js";
import { resolveStorePath } from "./lmdb-file.js";

/** Options of the embedded persistent tier (L2, `type: "file"`). */
export interface LmdbStoreOptions {
  /**
   * Folder of the LMDB environment (`data.mdb`, `lock.mdb`); created when missing. `~` and
   * `~/...` expand to the home folder. Processes on one machine may share it.
   */
  path: string;
  /**
   * Most entries kept; beyond it the least recently used are evicted (approximately, see
   * docs/stores.md). 0 means no cap.
   * @default 0
   */
  maxSize?: number;
  /**
   * Most bytes of keys plus encoded records kept, in bytes; beyond it the least recently used
   * are evicted. LMDB's page overhead and the index rows come on top. An entry larger than the
   * cap is rejected with a `CacheEntryTooLargeError`. 0 means no cap.
   * @default 0
   */
  maxBytes?: number;
  /**
   * How often expired entries are reclaimed from the expiry index without being read: seconds or
   * a duration string ("30s"). 0 disables the timer (`sweep()` still works, and eviction always
   * reclaims expired entries first).
   * @default 60
   */
  sweepInterval?: Duration;
  /**
   * Most entries one sweep transaction removes; a sweep runs transactions until nothing due is
   * left. Bounds how long one sweep holds LMDB's single write lock.
   * @default 1000
   */
  sweepBatch?: number;
  /**
   * How often reads are written back to the recency index when `maxSize` or `maxBytes` is set:
   * seconds or a duration string. Reads are also written back with the next write. Shorter is
   * closer to exact LRU and costs more write transactions.
   * @default 1
   */
  touchInterval?: Duration;
  /**
   * Encodes values. Its `name` is recorded in the folder, which then refuses other codecs.
   * @default msgpack (`createMsgpackCodec()`)
   */
  codec?: Codec;
  /**
   * What to do with a folder that is corrupt, of another format version or codec, or not a
   * victor-cache store: `"error"` throws a `CacheStoreError` (code `ERR_CACHE_STORE_CORRUPT` or
   * `ERR_CACHE_STORE_VERSION`) naming the path; `"reset"` renames the folder to
   * `<path>.incompatible-<timestamp>` (never deletes it) and starts empty.
   * @default "error"
   */
  onIncompatible?: "error" | "reset";
  /**
   * Receives failures of background work (sweeps, recency write-back), which have no caller to
   * reject.
   * @default emits a process warning
   */
  onBackgroundError?: (error: CacheStoreError) => void;
  /** Time source for expiry. @default systemClock */
  clock?: Clock;
  /** Prefix for option paths in error messages (`l2.` when built by the multilevel cache). @default "" */
  configPath?: string;
}

export interface ResolvedLmdbOptions {
  dir: string;
  maxSize: number;
  maxBytes: number;
  sweepIntervalMs: number;
  sweepBatch: number;
  touchIntervalMs: number;
  codec: Codec;
  onIncompatible: "error" | "reset";
  onBackgroundError: (error: CacheStoreError) => void;
  clock: Clock;
  configPath: string;
}

function count(value: unknown, fallback: number, path: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new CacheConfigError(path, `expected an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function resolveLmdbOptions(options: LmdbStoreOptions): ResolvedLmdbOptions {
  const p = options.configPath ?? "";
  if (typeof options.path !== "string" || options.path.trim() === "") {
    throw new CacheConfigError(
      `${p}path`,
      `expected the folder of the LMDB store, got ${JSON.stringify(options.path)}`,
    );
  }
  if (
    options.onIncompatible !== undefined &&
    options.onIncompatible !== "error" &&
    options.onIncompatible !== "reset"
  ) {
    throw new CacheConfigError(
      `${p}onIncompatible`,
      `expected "error" or "reset", got ${JSON.stringify(options.onIncompatible)}`,
    );
  }
  return {
    dir: resolveStorePath(options.path),
    maxSize: count(options.maxSize, 0, `${p}maxSize`, 0),
    maxBytes: count(options.maxBytes, 0, `${p}maxBytes`, 0),
    sweepIntervalMs:
      options.sweepInterval === undefined
        ? 60_000
        : toMillis(options.sweepInterval, `${p}sweepInterval`),
    sweepBatch: count(options.sweepBatch, 1000, `${p}sweepBatch`, 1),
    touchIntervalMs:
      options.touchInterval === undefined
        ? 1000
        : toMillis(options.touchInterval, `${p}touchInterval`),
    codec: options.codec ?? createMsgpackCodec(),
    onIncompatible: options.onIncompatible ?? "error",
    onBackgroundError:
      options.onBackgroundError ??
      ((error) => process.emitWarning(error.message, { code: error.code })),
    clock: options.clock ?? systemClock,
    configPath: p,
  };
}

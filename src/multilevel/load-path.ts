/**
 * The `getOrSet` miss path: one load per key (single-flight), the tiers below L1 first, then the
 * loader; grace (stale-if-error) when the loader fails.
 *
 * - Every caller that arrives while a load runs waits for it, and a loader error reaches all of
 *   them; the key is released when the load settles, so the next caller retries.
 * - A key written or deleted while its loader ran keeps that newer state: the loaded value is
 *   returned to the waiters but not stored, and a stale value is no longer served for it.
 * - With `distributedLock`, one process at a time loads a key; the others wait for the lock's
 *   release and read what the holder stored in L2 (see RedisLock's `loadWithLock`).
 */
import { CacheConfigError } from "../core/errors.js";
import { composeKey } from "../core/keys.js";
import { loadWithLock } from "../stores/redis-lock.js";
import type { StoreEntry } from "../stores/store.js";
import type { CacheContext, LoadOutcome } from "./context.js";
import { isStale } from "./freshness.js";
import { readBelowL1 } from "./read-path.js";
import type { GetOrSetOptions } from "./types.js";
import { writeEntry } from "./write-path.js";

export type Loader<T> = () => T | Promise<T>;

export function load<T>(
  ctx: CacheContext,
  key: string,
  namespace: string,
  loader: Loader<T>,
  options: GetOrSetOptions | undefined,
  l1Stale: StoreEntry | undefined,
): Promise<LoadOutcome> {
  if (options?.distributedLock === true && ctx.lock === undefined) {
    throw new CacheConfigError(
      "distributedLock",
      "getOrSet with distributedLock needs a Redis l2 or the distributedLock option",
    );
  }
  return ctx.flights.run(key, namespace, () =>
    loadOnce(ctx, key, namespace, loader, options, l1Stale),
  );
}

async function loadOnce<T>(
  ctx: CacheContext,
  key: string,
  namespace: string,
  loader: Loader<T>,
  options: GetOrSetOptions | undefined,
  l1Stale: StoreEntry | undefined,
): Promise<LoadOutcome> {
  const { tracker, counters, options: resolved } = ctx;
  const token = tracker.begin();
  let loaderFailed = false;
  const runLoader = async (): Promise<T> => {
    counters.loads++;
    const started = performance.now();
    let value: T;
    try {
      value = await loader();
    } catch (error) {
      loaderFailed = true;
      counters.loadErrors++;
      emitLoad(ctx, key, namespace, started, error, loader, options);
      throw error;
    }
    emitLoad(ctx, key, namespace, started, undefined, loader, options);
    // A loader may legitimately find nothing; undefined is what a miss returns, so it is not cached.
    if (value !== undefined && !tracker.changedSince(key, namespace, token)) {
      await writeEntry(ctx, key, namespace, value, options, false);
    }
    return value;
  };
  const readFresh = async (): Promise<unknown> => {
    const entry = await readBelowL1(ctx, key, namespace);
    return entry !== undefined && !isStale(entry.staleAt, resolved.clock.now())
      ? entry.value
      : undefined;
  };
  let stale = l1Stale;
  try {
    const below = await readBelowL1(ctx, key, namespace);
    if (below !== undefined && !isStale(below.staleAt, resolved.clock.now())) {
      return { value: below.value, result: "l2_hit" };
    }
    stale = below ?? l1Stale;
    if (options?.distributedLock === true && ctx.lock !== undefined) {
      const { lock, ttlMs, waitMs } = ctx.lock;
      const locked = await loadWithLock<unknown>({
        lock,
        name: composeKey(namespace, key),
        ttlMs,
        waitMs,
        read: readFresh,
        load: runLoader,
      });
      return { value: locked.value, result: locked.loaded ? "miss" : "l2_hit" };
    }
    return { value: await runLoader(), result: "miss" };
  } catch (error) {
    if (
      loaderFailed &&
      stale !== undefined &&
      withinGrace(stale, resolved.clock.now()) &&
      !tracker.changedSince(key, namespace, token)
    ) {
      counters.staleServed++;
      return { value: stale.value, result: "stale" };
    }
    throw error;
  } finally {
    tracker.end();
  }
}

function withinGrace(entry: StoreEntry, now: number): boolean {
  return entry.expiresAt === 0 || entry.expiresAt > now;
}

function emitLoad(
  ctx: CacheContext,
  key: string,
  namespace: string,
  started: number,
  error: unknown,
  loader: Loader<unknown>,
  options: GetOrSetOptions | undefined,
): void {
  if (ctx.events.hasListeners("load")) {
    const durationMs = performance.now() - started;
    ctx.events.emit("load", { key, namespace, durationMs, error, loader, options });
  }
}

/**
 * Writes and removals under each write policy.
 *
 * - write-through: L2 first, then L1, both awaited. L1 is written last so that it can never
 *   hold a value L2 does not: if another write or delete of the key landed while L2 was being
 *   written, L1's copy is dropped instead (the next read fetches the winner from L2).
 * - write-back: L1 and the write-back queue at once; L2 later, in batches.
 * - write-around: L2 only; L1's copy is dropped before and after, and refilled on read.
 *
 * Removals (delete, clear, tag invalidation) reach L1, the queue and L2 at once under every policy:
 * a deferred removal would let a restart or another process read what the caller removed. L1 is
 * cleaned again once L2 is done, because a read in between may have promoted the old L2 value.
 */
import { toMillis } from "../core/duration.js";
import { assertEncodable } from "../core/codec.js";
import {
  CacheConfigError,
  CacheEntryTooLargeError,
  CacheSerializationError,
} from "../core/errors.js";
import { assertKey, composeKey } from "../core/keys.js";
import type { StoreEntry } from "../stores/store.js";
import type { CacheContext } from "./context.js";
import { freshUntil, staleAtFor, withGrace } from "./freshness.js";
import { WritePolicy, type SetOptions } from "./types.js";
import { isLive } from "./write-back.js";

function checkTags(tags: unknown): readonly string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) {
    throw new CacheConfigError("tags", "expected an array of strings");
  }
  return tags.length === 0 ? undefined : tags;
}

/** Validates a value before anything is written, so a bad value never replaces a stored one. */
function checkValue(ctx: CacheContext, key: string, value: unknown): void {
  if (value === undefined) {
    throw new CacheSerializationError(key, "undefined cannot be cached: it is what a miss returns");
  }
  if (ctx.l2 !== undefined) assertEncodable(value, key);
}

/** L1 write that tolerates an entry too large for L1 when L2 keeps it: L1 just drops its copy. */
function setL1(
  ctx: CacheContext,
  key: string,
  namespace: string,
  value: unknown,
  expiresAt: number,
  tags: readonly string[] | undefined,
  staleAt: number,
): void {
  try {
    ctx.l1.setSync(key, namespace, value, expiresAt, tags, staleAt);
  } catch (error) {
    if (!(error instanceof CacheEntryTooLargeError) || ctx.l2 === undefined) throw error;
    ctx.l1.deleteSync(key, namespace);
  }
}

export async function writeEntry(
  ctx: CacheContext,
  key: string,
  namespace: string,
  value: unknown,
  options: SetOptions | undefined,
  /** False for the store of a `getOrSet` load, which must not detach its own single-flight. */
  detachLoad = true,
): Promise<void> {
  assertKey(key);
  assertKey(namespace, "namespace");
  checkValue(ctx, key, value);
  const ttlMs = options?.ttl === undefined ? 0 : toMillis(options.ttl, "ttl");
  const graceMs =
    options?.grace === undefined ? ctx.options.graceMs : toMillis(options.grace, "grace");
  const tags = checkTags(options?.tags);
  const { l1, l2, tracker, counters, options: resolved } = ctx;
  const now = resolved.clock.now();
  const l1Fresh = freshUntil(now, ttlMs, ctx.l1TtlMs);
  const l1Expires = withGrace(l1Fresh, graceMs);
  const l1Stale = staleAtFor(l1Fresh, graceMs);
  if (detachLoad) ctx.flights.forget(key, namespace);

  if (l2 === undefined) {
    l1.setSync(key, namespace, value, l1Expires, tags, l1Stale);
    tracker.record(key, namespace);
    emitSet(ctx, key, namespace, tags, l1Expires);
    return;
  }

  const l2Fresh = freshUntil(now, ttlMs, resolved.l2TtlMs);
  const entry: StoreEntry = { value, expiresAt: withGrace(l2Fresh, graceMs) };
  if (graceMs > 0 && l2Fresh !== 0) entry.staleAt = l2Fresh;
  if (tags !== undefined) entry.tags = tags;

  switch (resolved.writePolicy) {
    case WritePolicy.WRITE_BACK: {
      setL1(ctx, key, namespace, value, l1Expires, tags, l1Stale);
      tracker.record(key, namespace);
      const room = ctx.queue!.enqueue({ id: composeKey(namespace, key), key, namespace, entry });
      if (room !== undefined) await room;
      break;
    }
    case WritePolicy.WRITE_AROUND: {
      l1.deleteSync(key, namespace);
      tracker.record(key, namespace);
      if (!(await l2.set(key, namespace, entry))) counters.droppedWrites++;
      l1.deleteSync(key, namespace);
      tracker.record(key, namespace);
      break;
    }
    default: {
      const token = tracker.begin();
      try {
        let written: boolean;
        try {
          written = await l2.set(key, namespace, entry);
        } catch (error) {
          // Not fail-safe, or the caller's error: L2 may hold either value now, so L1 holds none.
          l1.deleteSync(key, namespace);
          tracker.record(key, namespace);
          throw error;
        }
        if (!written) counters.droppedWrites++;
        if (tracker.changedSince(key, namespace, token)) l1.deleteSync(key, namespace);
        else setL1(ctx, key, namespace, value, l1Expires, tags, l1Stale);
        tracker.record(key, namespace);
      } finally {
        tracker.end();
      }
    }
  }
  emitSet(ctx, key, namespace, tags, entry.expiresAt);
  if (ctx.publish !== undefined) await ctx.publish({ type: "set", namespace, key });
}

function emitSet(
  ctx: CacheContext,
  key: string,
  namespace: string,
  tags: readonly string[] | undefined,
  expiresAt: number,
): void {
  if (ctx.events.hasListeners("set")) ctx.events.emit("set", { key, namespace, tags, expiresAt });
}

export async function deleteEntry(
  ctx: CacheContext,
  key: string,
  namespace: string,
): Promise<boolean> {
  assertKey(key);
  assertKey(namespace, "namespace");
  const { l1, l2, queue, tracker } = ctx;
  let removed = l1.deleteSync(key, namespace);
  tracker.record(key, namespace);
  ctx.flights.forget(key, namespace);
  // A queued write is newer than whatever L2 holds, so it alone says whether the key was live.
  const queued = queue?.remove(composeKey(namespace, key));
  if (queued !== undefined && isLive(queued.entry, ctx.options.clock.now())) removed = true;
  if (l2 !== undefined) {
    if (queue !== undefined) await queue.idle();
    const removedFromL2 = await l2.delete(key, namespace);
    if (queued === undefined && removedFromL2) removed = true;
    l1.deleteSync(key, namespace);
    tracker.record(key, namespace);
  }
  if (ctx.events.hasListeners("delete")) ctx.events.emit("delete", { key, namespace });
  if (ctx.publish !== undefined) await ctx.publish({ type: "delete", namespace, key });
  return removed;
}

export async function clearEntries(
  ctx: CacheContext,
  namespace: string | undefined,
): Promise<void> {
  if (namespace !== undefined) assertKey(namespace, "namespace");
  const { l1, l2, queue, tracker } = ctx;
  l1.clearSync(namespace);
  tracker.recordAll();
  ctx.flights.forgetNamespace(namespace);
  queue?.removeWhere((write) => namespace === undefined || write.namespace === namespace);
  if (l2 !== undefined) {
    if (queue !== undefined) await queue.idle();
    await l2.clear(namespace);
    l1.clearSync(namespace);
    tracker.recordAll();
  }
  ctx.events.emit("clear", { namespace });
  if (ctx.publish !== undefined) {
    await ctx.publish(namespace === undefined ? { type: "clear" } : { type: "clear", namespace });
  }
}

/**
 * Removes every entry carrying `tag` from every tier. Resolves to the number removed from the tier
 * that held most of them (the tiers overlap, so their counts cannot be added).
 */
export async function invalidateTag(ctx: CacheContext, tag: string): Promise<number> {
  assertKey(tag, "tag");
  const { l1, l2, queue, tracker } = ctx;
  let removed = l1.deleteTagSync(tag);
  tracker.recordAll();
  const queued = queue?.removeWhere((write) => write.entry.tags?.includes(tag) === true) ?? [];
  const now = ctx.options.clock.now();
  removed = Math.max(removed, queued.filter((write) => isLive(write.entry, now)).length);
  if (l2 !== undefined) {
    if (queue !== undefined) await queue.idle();
    // L2 may hold an older, untagged version of a key whose newest (queued) write was tagged.
    for (const write of queued) await l2.delete(write.key, write.namespace);
    removed = Math.max(removed, await l2.deleteTag(tag));
    l1.deleteTagSync(tag);
    tracker.recordAll();
  }
  if (ctx.events.hasListeners("invalidateTag")) ctx.events.emit("invalidateTag", { tag, removed });
  if (ctx.publish !== undefined) await ctx.publish({ type: "tag", tag });
  return removed;
}

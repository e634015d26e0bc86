/**
 * Reads below L1: the write-back queue first (writes not yet in L2 are the newest copies), then
 * L2. A fresh hit is promoted into L1 with its remaining TTL, unless a write to the key happened
 * while the L2 read was in flight (the read's value is then returned but not promoted).
 */
import { composeKey } from "../core/keys.js";
import type { StoreEntry } from "../stores/store.js";
import type { CacheContext } from "./context.js";
import { isStale, promotedExpiry } from "./freshness.js";

/**
 * The live entry below L1 (fresh, or stale within its grace), or undefined. Counts an L2 hit for
 * a fresh entry and an L2 miss otherwise. Never throws for an L2 failure in fail-safe mode.
 */
export async function readBelowL1(
  ctx: CacheContext,
  key: string,
  namespace: string,
): Promise<StoreEntry | undefined> {
  const { queue, l2, tracker, counters } = ctx;
  if (queue !== undefined) {
    const write = queue.find(composeKey(namespace, key));
    if (write !== undefined) {
      const now = ctx.options.clock.now();
      const { entry } = write;
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
        counters.l2Misses++;
        return undefined;
      }
      if (isStale(entry.staleAt, now)) {
        counters.l2Misses++;
        return entry;
      }
      counters.l2Hits++;
      promote(ctx, key, namespace, entry, now);
      return entry;
    }
  }
  if (l2 === undefined) return undefined;
  const token = tracker.begin();
  try {
    let entry: StoreEntry | undefined;
    // FailSafeL2.get inlined: one async frame less on the L2-hit path.
    try {
      entry = await l2.store.get(key, namespace);
    } catch (error) {
      l2.fail("get", error);
    }
    if (entry === undefined) {
      counters.l2Misses++;
      return undefined;
    }
    const now = ctx.options.clock.now();
    if (isStale(entry.staleAt, now)) {
      counters.l2Misses++;
      return entry;
    }
    counters.l2Hits++;
    if (!tracker.changedSince(key, namespace, token)) promote(ctx, key, namespace, entry, now);
    return entry;
  } finally {
    tracker.end();
  }
}

function promote(
  ctx: CacheContext,
  key: string,
  namespace: string,
  entry: StoreEntry,
  now: number,
): void {
  const expiresAt = promotedExpiry(entry.expiresAt, now, ctx.l1TtlMs);
  const staleAt =
    entry.staleAt !== undefined && (expiresAt === 0 || entry.staleAt < expiresAt)
      ? entry.staleAt
      : 0;
  try {
    ctx.l1.setSync(key, namespace, entry.value, expiresAt, entry.tags, staleAt);
  } catch {
    // L1 refuses it (larger than l1.maxBytes): it stays an L2-only entry, served from there.
    return;
  }
  ctx.counters.promotions++;
  if (ctx.events.hasListeners("promote")) ctx.events.emit("promote", { key, namespace });
}

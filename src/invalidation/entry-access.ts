/**
 * Reading an entry's lifetime and tags from the cache's tiers, and rewriting an entry with more
 * tags. Tags live with the entries in every tier (each store indexes them in the same write as
 * the entry), so tagging an existing entry means writing it again: through `cache.set`, which
 * keeps the write policy, tells the other processes (so none keeps an untagged copy in its L1) and
 * emits the `set` event the invalidator's own bookkeeping follows.
 */
import type { Clock } from "../core/clock.js";
import type { MultiLevelCache } from "../multilevel/multilevel-cache.js";
import type { StoreEntry } from "../stores/store.js";
import type { EntryInfo } from "./graph.js";

function isLive(entry: StoreEntry, now: number): boolean {
  return entry.expiresAt === 0 || entry.expiresAt > now;
}

/**
 * The entry as the tiers hold it, or undefined when no tier holds it live. L2 speaks for the
 * entry's lifetime when there is one (L1 may cap its copy's TTL); under write-back the queue is
 * flushed first so L2 is current. A failing L2 falls back to L1.
 */
export async function readEntry(
  cache: MultiLevelCache,
  key: string,
  namespace: string,
  clock: Clock,
): Promise<StoreEntry | undefined> {
  if (cache.l2 !== undefined) {
    try {
      if (cache.options.writePolicy === "write_back") await cache.flush();
      const entry = await cache.l2.get(key, namespace);
      if (entry !== undefined && isLive(entry, clock.now())) return entry;
    } catch {
      // Fall through to L1: a broken L2 must not fail a tag or a dependency.
    }
  }
  const slot = cache.l1.peek(key, namespace);
  return slot === -1 ? undefined : cache.l1.entryAt(slot);
}

export async function readEntryInfo(
  cache: MultiLevelCache,
  key: string,
  namespace: string,
  clock: Clock,
): Promise<EntryInfo | undefined> {
  const entry = await readEntry(cache, key, namespace, clock);
  return entry === undefined ? undefined : { expiresAt: entry.expiresAt, tags: entry.tags };
}

/**
 * Writes the entry again with `tags` added, keeping its value, the rest of its TTL and its grace.
 * Resolves to false when no fresh entry exists (a stale grace value is not worth tagging), and to
 * "retry" when `unchanged()` says the entry was written or deleted while it was being read.
 */
export async function addTags(
  cache: MultiLevelCache,
  key: string,
  namespace: string,
  tags: readonly string[],
  clock: Clock,
  unchanged: () => boolean,
): Promise<boolean | "retry"> {
  const entry = await readEntry(cache, key, namespace, clock);
  if (!unchanged()) return "retry";
  if (entry === undefined) return false;
  const now = clock.now();
  const freshUntil = entry.staleAt ?? entry.expiresAt;
  if (freshUntil !== 0 && freshUntil <= now) return false;
  const merged = [...new Set([...(entry.tags ?? []), ...tags])];
  if (merged.length === (entry.tags?.length ?? 0)) return true;
  await cache.set(key, entry.value, {
    namespace,
    tags: merged,
    // expiresAt 0 means the tier default was "never": omitting the ttl gives the same again.
    ttl: freshUntil === 0 ? undefined : `${freshUntil - now}ms`,
    grace: entry.staleAt === undefined ? "0ms" : `${entry.expiresAt - entry.staleAt}ms`,
  });
  return true;
}

/**
 * Grace (stale-if-error) as entry times. An entry with grace has two instants: `staleAt`, when its
 * TTL ends and `get` stops returning it, and `expiresAt` = `staleAt` + grace, when every tier drops
 * it. In between only a failing `getOrSet` loader may serve it. All times are epoch ms, 0 = never.
 */

/** When a copy stops being fresh: the call's TTL, else the tier's default TTL, else never. */
export function freshUntil(now: number, ttlMs: number, tierDefaultMs: number): number {
  if (ttlMs > 0) return now + ttlMs;
  return tierDefaultMs > 0 ? now + tierDefaultMs : 0;
}

/** `expiresAt` of a copy fresh until `fresh` with `graceMs` of grace. */
export function withGrace(fresh: number, graceMs: number): number {
  return fresh === 0 ? 0 : fresh + graceMs;
}

/** `staleAt` of a copy fresh until `fresh`: 0 (no separate stale phase) without grace. */
export function staleAtFor(fresh: number, graceMs: number): number {
  return graceMs > 0 ? fresh : 0;
}

/** True when an entry past its TTL is only kept for grace. */
export function isStale(staleAt: number | undefined, now: number): boolean {
  return staleAt !== undefined && staleAt !== 0 && staleAt <= now;
}

/**
 * `expiresAt` of an L2 entry promoted into L1: its remaining lifetime, but never longer than
 * L1's own default TTL when one is set (L1's TTL bounds how stale L1 can get against a shared L2).
 */
export function promotedExpiry(expiresAt: number, now: number, l1TtlMs: number): number {
  if (l1TtlMs <= 0) return expiresAt;
  const cap = now + l1TtlMs;
  return expiresAt === 0 || expiresAt > cap ? cap : expiresAt;
}

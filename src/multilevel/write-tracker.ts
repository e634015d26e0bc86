import { composeKey } from "../core/keys.js";

/** Beyond this many tracked keys, the tracker invalidates every read in flight instead. */
const MAX_TRACKED = 10_000;

/**
 * Knows which keys were written while reads, loads or L2 writes were in flight, so a slow L2 read
 * never promotes a value older than a concurrent write, and a `getOrSet` loader never resurrects
 * a key deleted (or overwritten) while it ran.
 *
 * An operation calls `begin()` for a token, `changedSince(key, ns, token)` when it is about to
 * write L1, and `end()` when done. Writers call `record`. Keys are only remembered while
 * something is in flight, and the map is emptied whenever nothing is, so memory stays bounded;
 * past {@link MAX_TRACKED} keys it falls back to "everything changed", which is always safe
 * (a skipped promotion is only a later L1 miss).
 */
export class WriteTracker {
  private seq = 0;
  private inFlight = 0;
  private readonly written = new Map<string, number>();
  /** Operations whose token is below this saw a clear, a tag invalidation or an overflow. */
  private everythingSince = 0;

  begin(): number {
    this.inFlight++;
    return this.seq;
  }

  end(): void {
    if (--this.inFlight === 0 && this.written.size > 0) this.written.clear();
  }

  record(key: string, namespace: string): void {
    if (this.inFlight === 0) return;
    this.written.set(composeKey(namespace, key), ++this.seq);
    if (this.written.size > MAX_TRACKED) this.recordAll();
  }

  /** Everything in flight must assume its key changed (clear, tag invalidation, remote clear). */
  recordAll(): void {
    if (this.inFlight === 0) return;
    this.everythingSince = ++this.seq;
    this.written.clear();
  }

  changedSince(key: string, namespace: string, token: number): boolean {
    if (this.everythingSince > token) return true;
    if (this.written.size === 0) return false;
    const seq = this.written.get(composeKey(namespace, key));
    return seq !== undefined && seq > token;
  }
}

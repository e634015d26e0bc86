import { SpaceSaving } from "./space-saving.js";

/** One frequently read key. */
export interface HotKey {
  key: string;
  namespace: string;
  /** Estimated reads within the last `hotKeyWindow` reads. */
  count: number;
  /** `count` / reads in the window, 0..1. */
  share: number;
}

/**
 * The most read keys over (about) the last `window` reads, in bounded memory.
 *
 * Two Space-Saving summaries take turns: `current` fills with reads until it has seen `window`
 * of them, then becomes `previous` and a fresh one starts. A key's count over the last `window`
 * reads is estimated as `current + previous × (window − seen) / window`: the older window is
 * weighted by how much of it still lies inside the sliding window (the approximation sliding
 * window rate limiters use). Right after a rotation that is exactly the last `window` reads.
 * Memory: 2 × `capacity` counters, whatever the number of distinct keys.
 */
export class HotKeyTracker {
  private current: SpaceSaving;
  private previous: SpaceSaving;
  private hasPrevious = false;

  constructor(
    readonly window: number,
    capacity: number,
  ) {
    this.current = new SpaceSaving(capacity);
    this.previous = new SpaceSaving(capacity);
  }

  record(key: string, namespace: string): void {
    this.current.offer(key, namespace);
    if (this.current.total >= this.window) {
      const finished = this.current;
      this.current = this.previous;
      this.current.clear();
      this.previous = finished;
      this.hasPrevious = true;
    }
  }

  /** Reads the estimates cover: `window` once a window has filled, fewer before. */
  get coveredReads(): number {
    return this.hasPrevious ? this.window : this.current.total;
  }

  /** The `k` keys with the highest estimated count, highest first. */
  top(k: number): HotKey[] {
    const reads = this.coveredReads;
    if (reads === 0 || k <= 0) return [];
    const weight = this.hasPrevious ? (this.window - this.current.total) / this.window : 0;
    const estimates = new Map<string, HotKey>();
    const add = (key: string, namespace: string, count: number): void => {
      if (count <= 0) return;
      const id = namespace.length + ":" + namespace + ":" + key;
      const seen = estimates.get(id);
      if (seen) seen.count += count;
      else estimates.set(id, { key, namespace, count, share: 0 });
    };
    this.current.forEach((key, namespace, count) => add(key, namespace, count));
    if (weight > 0)
      this.previous.forEach((key, namespace, count) => add(key, namespace, count * weight));
    const ranked = [...estimates.values()].sort(
      (a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    const top = ranked.slice(0, k);
    for (const h of top) h.share = h.count / reads;
    return top;
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
    this.hasPrevious = false;
  }
}

import { CacheConfigError } from "../core/errors.js";
import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";

/** Options of {@link LfuPolicy}, on top of the capacity every policy gets. */
export interface LfuOptions extends EvictionPolicyOptions {
  /**
   * Touches (inserts, hits and updates) between two agings; each aging halves every frequency,
   * rounding up, so a key that was hot long ago loses its lead and can leave. `0` disables aging
   * (pure LFU: a once-hot key then stays for ever). Must be at least `capacity`, which keeps aging
   * O(1) amortised: one aging walks every live entry once.
   * The default was the best or near-best multiple of capacity on arc-OLTP, cache2k-web07/web12
   * and scarab-recs (see docs/eviction.md); much longer periods let stale hot keys squat.
   * Unit: policy operations.
   * @default 4 * capacity
   */
  agingPeriod?: number;
}

const NONE = -1;

/**
 * Least frequently used with O(1) frequency buckets (Shah, Mitra and Matani, 2010): a list of
 * buckets in ascending frequency, each holding an intrusive list of the slots at that frequency,
 * most recently touched at its head. A hit moves a slot to the next bucket up, creating it when
 * absent; the victim is the tail of the lowest bucket, so ties go to the least recently used.
 *
 * Everything lives in typed arrays sized at construction (`capacity + 1` slots, `capacity + 2`
 * buckets: one more than live slots, because a hit creates the next bucket before its old one
 * empties), so no operation allocates.
 *
 * Aging: every `agingPeriod` touches, all frequencies are halved (rounded up, so they stay >= 1).
 * Buckets 2k-1 and 2k then meet at k; their lists are merged by each slot's last-touch stamp, so
 * the within-bucket LRU order stays exact. One aging costs O(live slots); with a period of at least
 * `capacity` touches that is O(1) amortised, and insert/access/update/remove/evict are O(1).
 */
export class LfuPolicy implements EvictionPolicyImpl {
  readonly name = "lfu" as const;
  readonly usesKeyHash = false;
  size = 0;

  /** Per slot: neighbours inside its bucket, its bucket, and its last-touch stamp. */
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly bucketOf: Int32Array;
  private readonly stamp: Float64Array;

  /** Per bucket: frequency (Float64 because without aging it only grows), slot list, neighbours. */
  private readonly freq: Float64Array;
  private readonly bucketHead: Int32Array;
  private readonly bucketTail: Int32Array;
  private readonly bucketNext: Int32Array;
  private readonly bucketPrev: Int32Array;
  private readonly freeBuckets: Int32Array;
  private freeCount = 0;
  /** Lowest-frequency bucket, or NONE when empty. */
  private lowest = NONE;

  private readonly agingPeriod: number;
  private touches = 0;
  private clock = 0;

  constructor(options: LfuOptions) {
    const { capacity } = options;
    const agingPeriod = options.agingPeriod ?? 4 * capacity;
    if (!Number.isInteger(agingPeriod) || (agingPeriod !== 0 && agingPeriod < capacity)) {
      throw new CacheConfigError(
        "agingPeriod",
        `must be 0 (no aging) or an integer >= capacity (${capacity}), got ${agingPeriod}`,
      );
    }
    this.agingPeriod = agingPeriod;
    const slots = capacity + 1;
    const buckets = capacity + 2;
    this.next = new Int32Array(slots);
    this.prev = new Int32Array(slots);
    this.bucketOf = new Int32Array(slots);
    this.stamp = new Float64Array(slots);
    this.freq = new Float64Array(buckets);
    this.bucketHead = new Int32Array(buckets);
    this.bucketTail = new Int32Array(buckets);
    this.bucketNext = new Int32Array(buckets);
    this.bucketPrev = new Int32Array(buckets);
    this.freeBuckets = new Int32Array(buckets);
    this.clear();
  }

  insert(slot: number): void {
    let bucket = this.lowest;
    if (bucket === NONE || this.freq[bucket] !== 1) bucket = this.newBucket(1, NONE, this.lowest);
    this.pushSlot(bucket, slot);
    this.size++;
    this.touched();
  }

  access(slot: number): void {
    this.promote(slot);
    this.touched();
  }

  /** A rewrite is a use: it counts like a hit. */
  update(slot: number): void {
    this.promote(slot);
    this.touched();
  }

  miss(): void {}

  remove(slot: number): void {
    this.unlinkSlot(slot);
    this.size--;
  }

  evict(): number {
    const slot = this.bucketTail[this.lowest];
    this.unlinkSlot(slot);
    this.size--;
    return slot;
  }

  clear(): void {
    this.bucketOf.fill(NONE);
    for (let b = 0; b < this.freeBuckets.length; b++) this.freeBuckets[b] = b;
    this.freeCount = this.freeBuckets.length;
    this.lowest = NONE;
    this.size = 0;
    this.touches = 0;
  }

  /** Moves a live slot to the bucket one frequency up. */
  private promote(slot: number): void {
    const from = this.bucketOf[slot];
    const wanted = this.freq[from] + 1;
    let to = this.bucketNext[from];
    if (to === NONE || this.freq[to] !== wanted) to = this.newBucket(wanted, from, to);
    this.unlinkSlot(slot);
    this.pushSlot(to, slot);
  }

  private touched(): void {
    if (this.agingPeriod !== 0 && ++this.touches >= this.agingPeriod) {
      this.touches = 0;
      this.age();
    }
  }

  /** Halves every frequency (rounding up) and merges the buckets that meet. */
  private age(): void {
    let kept = NONE;
    let bucket = this.lowest;
    while (bucket !== NONE) {
      const following = this.bucketNext[bucket];
      const halved = Math.ceil(this.freq[bucket] / 2);
      if (kept !== NONE && this.freq[kept] === halved) {
        this.mergeInto(kept, bucket);
        this.dropBucket(bucket);
      } else {
        this.freq[bucket] = halved;
        kept = bucket;
      }
      bucket = following;
    }
  }

  /** Merges `source`'s slots into `target`, keeping most recent first by stamp. */
  private mergeInto(target: number, source: number): void {
    const { next, prev, stamp } = this;
    let a = this.bucketHead[target];
    let b = this.bucketHead[source];
    let head = NONE;
    let tail = NONE;
    while (a !== NONE || b !== NONE) {
      let slot: number;
      if (b === NONE || (a !== NONE && stamp[a] > stamp[b])) {
        slot = a;
        a = next[a];
      } else {
        slot = b;
        b = next[b];
        this.bucketOf[slot] = target;
      }
      prev[slot] = tail;
      next[slot] = NONE;
      if (tail !== NONE) next[tail] = slot;
      else head = slot;
      tail = slot;
    }
    this.bucketHead[target] = head;
    this.bucketTail[target] = tail;
    this.bucketHead[source] = this.bucketTail[source] = NONE;
  }

  private pushSlot(bucket: number, slot: number): void {
    const head = this.bucketHead[bucket];
    this.prev[slot] = NONE;
    this.next[slot] = head;
    if (head !== NONE) this.prev[head] = slot;
    else this.bucketTail[bucket] = slot;
    this.bucketHead[bucket] = slot;
    this.bucketOf[slot] = bucket;
    this.stamp[slot] = ++this.clock;
  }

  /** Takes a slot out of its bucket and frees the bucket when it empties. */
  private unlinkSlot(slot: number): void {
    const bucket = this.bucketOf[slot];
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p !== NONE) this.next[p] = n;
    else this.bucketHead[bucket] = n;
    if (n !== NONE) this.prev[n] = p;
    else this.bucketTail[bucket] = p;
    this.bucketOf[slot] = NONE;
    if (this.bucketHead[bucket] === NONE) this.dropBucket(bucket);
  }

  /** Takes a bucket from the free stack and links it between `before` and `after`. */
  private newBucket(frequency: number, before: number, after: number): number {
    const bucket = this.freeBuckets[--this.freeCount];
    this.freq[bucket] = frequency;
    this.bucketHead[bucket] = this.bucketTail[bucket] = NONE;
    this.bucketPrev[bucket] = before;
    this.bucketNext[bucket] = after;
    if (before !== NONE) this.bucketNext[before] = bucket;
    else this.lowest = bucket;
    if (after !== NONE) this.bucketPrev[after] = bucket;
    return bucket;
  }

  private dropBucket(bucket: number): void {
    const p = this.bucketPrev[bucket];
    const n = this.bucketNext[bucket];
    if (p !== NONE) this.bucketNext[p] = n;
    else this.lowest = n;
    if (n !== NONE) this.bucketPrev[n] = p;
    this.freeBuckets[this.freeCount++] = bucket;
  }
}

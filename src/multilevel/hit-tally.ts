import { SLOT_TIMES_STRIDE, slotCounterIndex } from "../stores/memory.js";

/**
 * Counts at or above this mark a slot whose every hit the observer wants listed, in order, in
 * {@link L1HitTally.ordered} (keys a miss-ratio curve samples, say): the count proper is what
 * lies below it.
 */
export const LIST_EVERY_HIT = 2 ** 30;
const COUNT = LIST_EVERY_HIT - 1;

/**
 * L1 hits a read observer lets its cache count in bulk. Calling the observer on every hit costs
 * more than the hit itself (the call, then per-key state that has usually left the CPU cache);
 * adding one to a dense per-slot counter costs next to nothing. The observer takes the counts
 * when it needs them, and sees one by one only the reads it has not armed a slot for (the first
 * hit of a key, a read below L1).
 */
export class L1HitTally {
  /**
   * Hits the cache may still tally before it calls the observer again (with a hit it would have
   * tallied). Only the observer raises it, so it knows exactly how many hits were tallied since
   * it last did: it sets it to whatever its own clocks (a hot-key window, say) allow.
   */
  untilCall = 0;
  /**
   * Slots whose count went from 1 to 2, in {@link touched}[0, touchedCount): the only ones with
   * hits to take, so the observer never has to visit every slot. The observer empties it (sets
   * this to 0) when it takes the counts and sets them back to 1, and whenever it is called with
   * more than one entry per slot listed: until the next call each slot is listed at most once
   * more, so the list (two entries per slot, and one spare) never fills up.
   */
  touchedCount = 0;
  readonly touched: Int32Array;
  /**
   * Durations of the timed hits tallied, whole µs, in {@link timed}[0, timedCount): a timed read
   * needs no call of its own either. The observer empties it; while it is full, the cache calls.
   */
  timedCount = 0;
  readonly timed = new Int32Array(64);
  /**
   * The slot of each hit on a slot marked {@link LIST_EVERY_HIT}, in read order, in
   * {@link ordered}[0, orderedCount). The observer empties it; while it is full, the cache calls.
   */
  orderedCount = 0;
  readonly ordered = new Int32Array(256);

  /** L1's slots. */
  readonly slots: number;

  /**
   * @param counts from `MemoryStore.slotCounters`: slot s's count is at `slotCounterIndex(s)`
   *   (use {@link countAt} and {@link setCount}), and nothing else in it may be written. 0: the
   *   cache calls the observer for a hit from this slot. n > 0: the observer has seen this slot's
   *   entry, and n - 1 hits on it were tallied since the observer last took them (below
   *   {@link LIST_EVERY_HIT}). n < 0: the entry left L1 with the count -n (L1 negates it when the
   *   slot is freed), so its next hit, of whatever entry comes next, goes to the observer again.
   *   The observer leaves every count at 0 when it stops tallying.
   */
  constructor(readonly counts: Float64Array) {
    this.slots = counts.length / SLOT_TIMES_STRIDE;
    this.touched = new Int32Array(2 * this.slots + 1);
  }

  /** Slot `slot`'s count. */
  countAt(slot: number): number {
    return this.counts[slotCounterIndex(slot)];
  }

  setCount(slot: number, count: number): void {
    this.counts[slotCounterIndex(slot)] = count;
  }
}

/** The hits tallied in a count of {@link L1HitTally.counts} (either sign). */
export function talliedIn(count: number): number {
  return count === 0 ? 0 : (Math.abs(count) & COUNT) - 1;
}

/**
 * Adds an L1 hit from `slot` to `tally` when the observer lets it, with its duration when timed
 * (whole µs, -1 when not); false when the observer must be called instead.
 */
export function tallyHit(tally: L1HitTally, slot: number, durationUs: number): boolean {
  const counts = tally.counts;
  const at = slotCounterIndex(slot);
  const n = counts[at];
  if (n <= 0 || tally.untilCall <= 0) return false;
  const listed = n >= LIST_EVERY_HIT;
  if (listed && tally.orderedCount === tally.ordered.length) return false;
  if (durationUs >= 0) {
    if (tally.timedCount === tally.timed.length) return false;
    tally.timed[tally.timedCount++] = durationUs;
  }
  if (listed) tally.ordered[tally.orderedCount++] = slot;
  // Every hit writes the slot at the end of the list, and only a first hit (count 1) keeps it:
  // a branch there would be mispredicted on about every other hit of a short hot-key window.
  const touched = tally.touchedCount;
  tally.touched[touched] = slot;
  tally.touchedCount = touched + (((n & COUNT) - 2) >>> 31);
  counts[at] = n + 1;
  tally.untilCall--;
  return true;
}

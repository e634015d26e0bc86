import { LIST_EVERY_HIT, talliedIn, type L1HitTally } from "../multilevel/hit-tally.js";
import { Counter } from "./counters.js";
import type { HotKeyTracker } from "./hot-keys.js";
import type { L1Slots } from "./l1-slots.js";
import type { LogLinearHistogram } from "./log-linear-histogram.js";
import type { ShardsMrc } from "./shards.js";

/** Most hits tallied between two folds, so that every count stays an Int32. */
const MAX_TALLIED = 2 ** 29;

/** What the tallied hits are added to: the recorder's. */
export interface TallySink {
  counterValues: Float64Array;
  slots: L1Slots;
  /** L1-hit read latency, µs. */
  l1HitLatency: LogLinearHistogram;
  /** [0]: untimed L1 hits since the last timed one (the recorder's `untimed`). */
  untimed: Float64Array;
  hotKeys: HotKeyTracker | undefined;
  mrc: ShardsMrc | undefined;
}

/**
 * The recorder's side of an {@link L1HitTally}: arming slots, and adding what the cache tallied
 * to the recorder's counters, latency, hot keys and miss-ratio curve.
 *
 * The recorder arms a slot at a hit it recorded itself, once it knows the slot's key; the cache
 * then only counts the slot's hits, until the entry leaves L1. At every call of the recorder
 * {@link catchUp} takes what must be exact then: how many hits (the tally's countdown says it),
 * the timed ones' durations, and the hits on keys SHARDS samples, in order. The split per slot is
 * taken by {@link fold}, when a hot-key window ends (the hits belong to that window) and before
 * anything is read out. A fold visits only the slots the tally lists as hit since the last one,
 * so its cost is that of the hits, never of the size of L1.
 */
export class TalliedHits {
  /** The tally's countdown as last set: the hits tallied since are what it has come down by. */
  private budget = 0;
  private sinceFold = 0;

  constructor(
    readonly tally: L1HitTally,
    private readonly sink: TallySink,
  ) {
    // The hits tallied until a window ends are that window's.
    if (sink.hotKeys !== undefined) sink.hotKeys.beforeTurn = () => this.fold(true);
    this.allow();
  }

  /**
   * Takes the hits tallied since the last call: their number, the durations of the timed ones and
   * the hits on sampled keys, in order. Call first in every call from the cache, and before
   * anything that must come after those reads (a write's event, say).
   */
  catchUp(): void {
    const hits = this.budget - this.tally.untilCall;
    if (hits === 0) return;
    this.budget = this.tally.untilCall;
    this.sinceFold += hits;
    const { tally, sink } = this;
    const timedCount = tally.timedCount;
    if (timedCount === 0) {
      sink.untimed[0] += hits;
    } else {
      // The timed hits share the untimed ones since the last sample, as if each came 1 in n,
      // in whole reads, so that the histograms' counts stay integers.
      const total = sink.untimed[0] + hits;
      const share = Math.floor(total / timedCount);
      const extra = total - share * timedCount;
      for (let i = 0; i < timedCount; i++) {
        sink.l1HitLatency.record(tally.timed[i], i < extra ? share + 1 : share);
      }
      tally.timedCount = 0;
      sink.untimed[0] = 0;
    }
    const mrc = sink.mrc;
    if (mrc !== undefined && tally.orderedCount > 0) {
      const { slots } = sink;
      for (let i = 0; i < tally.orderedCount; i++) {
        const slot = tally.ordered[i];
        const hash = slots.hashes[slot];
        // The namespace only for a key the curve does not follow yet: it costs a cache miss.
        if (hash < mrc.threshold && !mrc.sampledAccess(hash)) {
          mrc.sampledAccess(hash, slots.namespaceAt(slot));
        }
      }
    }
    tally.orderedCount = 0;
    const hotKeys = sink.hotKeys;
    // The cache tallies no more than the window has left: at 0 the next read starts another.
    if (hotKeys !== undefined && (hotKeys.untilTurn -= hits) <= 0) hotKeys.turn();
  }

  /**
   * Lets the cache tally until the hot-key window ends (there the hits must be split): call last
   * in every call from the cache.
   */
  allow(): void {
    const { tally } = this;
    if (this.sinceFold >= MAX_TALLIED / 2 || tally.touchedCount > tally.slots) this.fold();
    const hotKeys = this.sink.hotKeys;
    const room = MAX_TALLIED / 2;
    tally.untilCall = this.budget =
      hotKeys !== undefined ? Math.min(hotKeys.untilTurn, room) : room;
  }

  /** True when the cache tallies hits on `slot`. */
  isArmed(slot: number): boolean {
    return this.tally.countAt(slot) > 0;
  }

  /**
   * The cache may tally `slot`'s hits from now on: the recorder knows its key. Hits tallied on the
   * slot's previous entry (the same key, set again) are taken first. A key SHARDS samples has
   * each hit listed in order too: the curve needs every read, in order with the other reads and
   * writes (every event that reaches it catches up first).
   */
  arm(slot: number): void {
    this.settle(slot);
    const mrc = this.sink.mrc;
    const sampled = mrc !== undefined && this.sink.slots.hashes[slot] < mrc.threshold;
    this.tally.setCount(slot, sampled ? LIST_EVERY_HIT + 1 : 1);
  }

  /** Takes what `slot` holds (its entry may have left L1) and disarms it. */
  settle(slot: number): void {
    const hits = talliedIn(this.tally.countAt(slot));
    if (hits > 0) this.add(slot, hits);
    this.tally.setCount(slot, 0);
  }

  /**
   * Takes the hits of every slot hit since the last fold, into the window that ends when `ending`
   * (see L1Slots.startTurn); a slot whose entry left is disarmed.
   */
  fold(ending = false): void {
    const { tally } = this;
    const { touched, touchedCount } = tally;
    const { slots, counterValues } = this.sink;
    if (ending) {
      slots.countEndingTallies(tally, counterValues, Counter.L1_HIT);
    } else {
      for (let i = 0; i < touchedCount; i++) {
        const n = tally.countAt(touched[i]);
        const hits = talliedIn(n);
        if (hits > 0) this.add(touched[i], hits);
        tally.setCount(touched[i], n < 0 ? 0 : n - hits);
      }
    }
    this.tally.touchedCount = 0;
    this.sinceFold = 0;
  }

  /** Takes every slot's hits and disarms it: the cache stops tallying. */
  stop(): void {
    this.catchUp();
    this.fold();
    for (let slot = 0; slot < this.tally.slots; slot++) this.tally.setCount(slot, 0);
    this.tally.untilCall = this.budget = 0;
    if (this.sink.hotKeys !== undefined) this.sink.hotKeys.beforeTurn = undefined;
  }

  /** `hits` L1 hits of the key the recorder last claimed `slot` for, in the current window. */
  private add(slot: number, hits: number): void {
    const { slots, counterValues } = this.sink;
    counterValues[slots.bases[slot] + Counter.L1_HIT] += hits;
    if (this.sink.hotKeys !== undefined) slots.count(slot, hits);
  }
}

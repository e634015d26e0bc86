import { CountMinSketch, type CountMinSketchOptions } from "./count-min-sketch.js";
import { HillClimber } from "./hill-climber.js";
import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";
import { Region, RegionLists } from "./region-lists.js";
import { GhostWindowTuner, type WindowTuner } from "./window-tuner.js";

const WINDOW = Region.WINDOW;
const PROBATION = Region.PROBATION;
const PROTECTED = Region.PROTECTED;

/**
 * Hits buffered before they are applied. Batching keeps the per-hit work in two tight loops
 * (sketch, then lists) away from the caller's own work; 64 to 256 measured alike, and the
 * buffer is drained before anything else reads or changes the policy, so results are exact.
 */
const READ_BUFFER = 128;
/** Share of the main region kept for entries hit at least twice (segmented LRU, as Caffeine). */
const PROTECTED_SHARE = 0.8;
/**
 * A candidate this frequent is admitted at random (1 in 128) even when it does not beat the
 * victim, so crafted collisions cannot pin a hot victim forever (Caffeine's hash-flooding guard).
 */
const FLOOD_GUARD_FREQUENCY = 6;
/**
 * Shortest sketch sample, in requests. Caffeine's 10 x capacity is too few requests for a tiny
 * cache to rank keys at all (a 10-entry cache would halve every 100 requests); 512 measured best
 * at 10 to 30 entries and changes nothing above 51.
 */
const MIN_SAMPLE = 512;

/** Options of {@link WTinyLfuPolicy}. */
export interface WTinyLfuOptions extends EvictionPolicyOptions {
  /**
   * Share of the capacity the window starts with, 0..1 (at least one entry).
   * @default 0.01 (Caffeine's)
   */
  initialWindow?: number;
  /**
   * How the window is resized as the workload shows itself: `"ghosts"` follows regret on both
   * sides of the admission filter ({@link GhostWindowTuner}); `"hill-climber"` is Caffeine's
   * climber on the sampled hit rate ({@link HillClimber}); `"fixed"` keeps `initialWindow`.
   * The default won on the most cells of `bench/hit-ratio` (see docs/eviction.md). A
   * {@link WindowTuner} instance (built for the same capacity) replaces the built-in ones.
   * @default "ghosts"
   */
  windowTuner?: "ghosts" | "hill-climber" | "fixed" | WindowTuner;
  /**
   * Frequency-sketch tuning (capacity and slots are filled in).
   * @default { sampleSize: max(10 * capacity, 512), doorkeeper: false }
   */
  sketch?: Omit<CountMinSketchOptions, "capacity" | "slots">;
}

/**
 * W-TinyLFU (Einziger, Friedman & Manes, 2017), as Caffeine runs it: new entries enter an LRU
 * window; the window's overflow competes for the segmented-LRU main region and is admitted only
 * when the count-min sketch says it is more frequent than the main region's victim. The window
 * is resized while running, so recency-biased workloads get a large window and frequency-biased
 * ones a small one (see {@link WTinyLfuOptions.windowTuner}).
 *
 * Every structure is a typed array sized for `capacity + 1` slots at construction; no operation
 * allocates. Hits are cheap: `access` only records the slot in a read buffer (as Caffeine does,
 * but lossless), applied in order before any other call; the sketch keeps each slot's counter
 * positions from insert time, so a hit does no hashing, and skips keys whose counters are
 * saturated; the main region's two segments share one list (see {@link RegionLists}), so a
 * promotion that demotes costs one list move.
 */
export class WTinyLfuPolicy implements EvictionPolicyImpl {
  readonly name = "w_tinylfu" as const;
  readonly usesKeyHash = true;
  private readonly capacity: number;
  private readonly initialWindow: number;
  private readonly lists: RegionLists;
  private readonly sketch: CountMinSketch;
  private readonly tuner: WindowTuner | null;
  private windowMax = 1;
  /** The window entry just pushed into probation, which must win admission against a victim. */
  private candidate = -1;
  /** Hash of the latest miss: the insert that follows it is the same request, counted once. */
  private lastMissHash = 0;
  private lastMissPending = false;
  /** The latest miss's sketch position, reused by the insert that follows it. */
  private lastMissBlock = 0;
  private lastMissCounters = 0;
  private random = 0x2545f491;
  /** Buffered hits (slots), oldest first. */
  private readonly pending = new Int32Array(READ_BUFFER);
  private pendingCount = 0;

  constructor(options: WTinyLfuOptions) {
    const capacity = options.capacity;
    const slots = capacity + 1;
    this.capacity = capacity;
    this.initialWindow = options.initialWindow ?? 0.01;
    this.lists = new RegionLists(slots);
    this.sketch = new CountMinSketch({
      sampleSize: Math.max(10 * capacity, MIN_SAMPLE),
      doorkeeper: false,
      ...options.sketch,
      capacity,
      slots,
    });
    const tuner = options.windowTuner ?? "ghosts";
    this.tuner =
      typeof tuner !== "string"
        ? tuner
        : tuner === "ghosts"
          ? new GhostWindowTuner({ capacity })
          : tuner === "hill-climber"
            ? new HillClimber({ capacity })
            : null;
    this.resetRegions();
  }

  get size(): number {
    return this.lists.total;
  }

  /** Entries the window may hold now (moves with the tuner). */
  get windowCapacity(): number {
    if (this.pendingCount !== 0) this.drain();
    return this.windowMax;
  }

  insert(slot: number, hash: number): void {
    if (this.pendingCount !== 0) this.drain();
    const sketch = this.sketch;
    let block: number;
    let counters: number;
    if (this.lastMissPending && hash === this.lastMissHash) {
      this.lastMissPending = false;
      block = this.lastMissBlock;
      counters = this.lastMissCounters;
    } else {
      block = sketch.blockOf(hash);
      counters = sketch.countersOf(hash);
      this.recordMiss(block, counters, hash);
    }
    this.tuner?.inserted();
    this.candidate = -1;
    sketch.assignSlot(slot, hash, block, counters);
    const lists = this.lists;
    lists.add(WINDOW, slot);
    if (lists.windowSize > this.windowMax) {
      const overflow = lists.last(WINDOW);
      lists.moveTo(PROBATION, overflow);
      this.candidate = overflow;
    }
  }

  access(slot: number): void {
    this.pending[this.pendingCount] = slot;
    if (++this.pendingCount === READ_BUFFER) this.drain();
  }

  update(slot: number): void {
    if (this.pendingCount !== 0) this.drain();
    this.touch(slot);
  }

  miss(hash: number): void {
    if (this.pendingCount !== 0) this.drain();
    const block = this.sketch.blockOf(hash);
    const counters = this.sketch.countersOf(hash);
    this.recordMiss(block, counters, hash);
    this.lastMissHash = hash;
    this.lastMissBlock = block;
    this.lastMissCounters = counters;
    this.lastMissPending = true;
  }

  remove(slot: number): void {
    if (this.pendingCount !== 0) this.drain();
    this.lists.remove(slot);
    if (slot === this.candidate) this.candidate = -1;
  }

  evict(): number {
    if (this.pendingCount !== 0) this.drain();
    const lists = this.lists;
    const candidate = this.candidate;
    this.candidate = -1;
    let victim = lists.last(PROBATION);
    if (victim === candidate) victim = lists.last(PROTECTED);
    let evicted: number;
    if (candidate === -1) {
      evicted = victim !== -1 ? victim : lists.last(WINDOW);
    } else if (victim === -1) {
      evicted = candidate;
    } else {
      evicted = this.admit(candidate, victim) ? victim : candidate;
    }
    this.tuner?.dropped(this.sketch.slotHash(evicted), evicted === candidate);
    lists.remove(evicted);
    return evicted;
  }

  clear(): void {
    if (this.pendingCount !== 0) this.drain();
    this.lists.clear();
    this.sketch.clear();
    this.tuner?.reset();
    this.candidate = -1;
    this.lastMissPending = false;
    this.resetRegions();
  }

  /**
   * Applies the buffered hits in order: all their sketch increments, then all their list moves.
   * The two touch disjoint state (nothing in between reads the sketch), so the split changes
   * nothing, and each pass is a small loop that V8 compiles whole.
   */
  private drain(): void {
    const count = this.pendingCount;
    this.pendingCount = 0;
    this.sketch.incrementSlots(this.pending, count);
    const tuner = this.tuner;
    if (tuner === null || tuner.ignoresHits === true) {
      // The candidate is in probation, so a hit on it promotes it (see touch).
      if (this.lists.touchAll(this.pending, count, this.candidate)) this.candidate = -1;
      return;
    }
    // The tuner may resize the window after any hit, and later hits must see the new regions.
    for (let i = 0; i < count; i++) {
      this.touch(this.pending[i]);
      this.resize(tuner.hit());
    }
  }

  private resetRegions(): void {
    this.setWindowMax(Math.max(1, Math.round(this.capacity * this.initialWindow)));
    this.tuner?.start(this.windowMax);
  }

  private recordMiss(block: number, counters: number, hash: number): void {
    this.sketch.incrementAt(block, counters, hash);
    if (this.tuner !== null) this.resize(this.tuner.miss(hash));
  }

  private admit(candidate: number, victim: number): boolean {
    const candidateFrequency = this.sketch.slotFrequency(candidate);
    const victimFrequency = this.sketch.slotFrequency(victim);
    if (candidateFrequency > victimFrequency) return true;
    if (candidateFrequency < FLOOD_GUARD_FREQUENCY) return false;
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return (x & 127) === 0;
  }

  /** A hit's recency update: window and protected move to front, probation is promoted. */
  private touch(slot: number): void {
    if (this.lists.touch(slot) && slot === this.candidate) this.candidate = -1;
  }

  /** Applies a tuner step: moves entries between the window and the main region. */
  private resize(adjustment: number): void {
    if (adjustment > 0) this.growWindow(adjustment);
    else if (adjustment < 0) this.shrinkWindow(-adjustment);
  }

  private growWindow(requested: number): void {
    const quota = Math.min(requested, this.capacity - 1 - this.windowMax);
    if (quota <= 0) return;
    this.setWindowMax(this.windowMax + quota);
    // Main's least recent entries join the window's recent end, as in Caffeine.
    const lists = this.lists;
    for (let moved = 0; moved < quota; moved++) {
      let slot = lists.last(PROBATION);
      if (slot === -1) slot = lists.last(PROTECTED);
      if (slot === -1) break;
      if (slot === this.candidate) this.candidate = -1;
      lists.moveTo(WINDOW, slot);
    }
  }

  private shrinkWindow(requested: number): void {
    const quota = Math.min(requested, this.windowMax - 1);
    if (quota <= 0) return;
    this.setWindowMax(this.windowMax - quota);
    const lists = this.lists;
    while (lists.windowSize > this.windowMax) lists.moveTo(PROBATION, lists.last(WINDOW));
  }

  /** Sets the window's size; main gets the rest, 80 % of it protected. */
  private setWindowMax(windowMax: number): void {
    this.windowMax = windowMax;
    this.lists.protectedMax = Math.floor((this.capacity - windowMax) * PROTECTED_SHARE);
    this.lists.demoteOverflow();
  }
}

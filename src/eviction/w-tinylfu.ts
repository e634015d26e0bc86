import { CountMinSketch, type CountMinSketchOptions } from "./count-min-sketch.js";
import { HillClimber } from "./hill-climber.js";
import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";
import { SlotList } from "./slot-list.js";
import { GhostWindowTuner, type WindowTuner } from "./window-tuner.js";

const NONE = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

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
   * Frequency-sketch tuning (capacity is filled in).
   * @default { sampleSize: max(10 * capacity, 512), doorkeeper: false }
   */
  sketch?: Omit<CountMinSketchOptions, "capacity">;
}

/**
 * W-TinyLFU (Einziger, Friedman & Manes, 2017), as Caffeine runs it: new entries enter an LRU
 * window; the window's overflow competes for the segmented-LRU main region and is admitted only
 * when the count-min sketch says it is more frequent than the main region's victim. The window
 * is resized while running, so recency-biased workloads get a large window and frequency-biased
 * ones a small one (see {@link WTinyLfuOptions.windowTuner}).
 *
 * Every structure is a typed array sized for `capacity + 1` slots at construction; no operation
 * allocates.
 */
export class WTinyLfuPolicy implements EvictionPolicyImpl {
  readonly name = "w_tinylfu" as const;
  readonly usesKeyHash = true;
  private readonly capacity: number;
  private readonly initialWindow: number;
  private readonly window: SlotList;
  private readonly probation: SlotList;
  private readonly protected: SlotList;
  private readonly region: Uint8Array;
  private readonly hashes: Int32Array;
  private readonly sketch: CountMinSketch;
  private readonly tuner: WindowTuner | null;
  private windowMax = 1;
  private protectedMax = 0;
  /** The window entry just pushed into probation, which must win admission against a victim. */
  private candidate = -1;
  /** Hash of the latest miss: the insert that follows it is the same request, counted once. */
  private lastMissHash = 0;
  private lastMissPending = false;
  private random = 0x2545f491;

  constructor(options: WTinyLfuOptions) {
    const capacity = options.capacity;
    const slots = capacity + 1;
    this.capacity = capacity;
    this.initialWindow = options.initialWindow ?? 0.01;
    this.window = new SlotList(slots);
    this.probation = new SlotList(slots);
    this.protected = new SlotList(slots);
    this.region = new Uint8Array(slots);
    this.hashes = new Int32Array(slots);
    this.sketch = new CountMinSketch({
      sampleSize: Math.max(10 * capacity, MIN_SAMPLE),
      doorkeeper: false,
      ...options.sketch,
      capacity,
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
    return this.window.size + this.probation.size + this.protected.size;
  }

  /** Entries the window may hold now (moves with the tuner). */
  get windowCapacity(): number {
    return this.windowMax;
  }

  insert(slot: number, hash: number): void {
    if (this.lastMissPending && hash === this.lastMissHash) {
      this.lastMissPending = false;
    } else {
      this.recordMiss(hash);
    }
    this.tuner?.inserted();
    this.candidate = -1;
    this.hashes[slot] = hash;
    this.region[slot] = WINDOW;
    this.window.pushHead(slot);
    if (this.window.size > this.windowMax) {
      const overflow = this.window.popTail();
      this.region[overflow] = PROBATION;
      this.probation.pushHead(overflow);
      this.candidate = overflow;
    }
  }

  access(slot: number): void {
    this.sketch.increment(this.hashes[slot]);
    this.touch(slot);
    if (this.tuner !== null) this.resize(this.tuner.hit());
  }

  update(slot: number): void {
    this.touch(slot);
  }

  miss(hash: number): void {
    this.recordMiss(hash);
    this.lastMissHash = hash;
    this.lastMissPending = true;
  }

  remove(slot: number): void {
    this.listOf(slot).unlink(slot);
    this.region[slot] = NONE;
    if (slot === this.candidate) this.candidate = -1;
  }

  evict(): number {
    const candidate = this.candidate;
    this.candidate = -1;
    let victim = this.probation.last;
    if (victim === candidate) victim = this.protected.last;
    let evicted: number;
    if (candidate === -1) {
      evicted = victim !== -1 ? victim : this.window.last;
    } else if (victim === -1) {
      evicted = candidate;
    } else {
      evicted = this.admit(candidate, victim) ? victim : candidate;
    }
    this.tuner?.dropped(this.hashes[evicted], evicted === candidate);
    this.listOf(evicted).unlink(evicted);
    this.region[evicted] = NONE;
    return evicted;
  }

  clear(): void {
    this.window.clear();
    this.probation.clear();
    this.protected.clear();
    this.region.fill(NONE);
    this.sketch.clear();
    this.tuner?.reset();
    this.candidate = -1;
    this.lastMissPending = false;
    this.resetRegions();
  }

  private resetRegions(): void {
    this.setWindowMax(Math.max(1, Math.round(this.capacity * this.initialWindow)));
    this.tuner?.start(this.windowMax);
  }

  private recordMiss(hash: number): void {
    this.sketch.increment(hash);
    if (this.tuner !== null) this.resize(this.tuner.miss(hash));
  }

  private admit(candidate: number, victim: number): boolean {
    const candidateFrequency = this.sketch.frequency(this.hashes[candidate]);
    const victimFrequency = this.sketch.frequency(this.hashes[victim]);
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
    switch (this.region[slot]) {
      case WINDOW:
        this.window.moveToHead(slot);
        return;
      case PROTECTED:
        this.protected.moveToHead(slot);
        return;
      default:
        this.probation.unlink(slot);
        this.region[slot] = PROTECTED;
        this.protected.pushHead(slot);
        if (slot === this.candidate) this.candidate = -1;
        this.demoteProtectedOverflow();
    }
  }

  private demoteProtectedOverflow(): void {
    while (this.protected.size > this.protectedMax) {
      const demoted = this.protected.popTail();
      this.region[demoted] = PROBATION;
      this.probation.pushHead(demoted);
    }
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
    for (let moved = 0; moved < quota; moved++) {
      let slot = this.probation.last;
      if (slot === -1) slot = this.protected.last;
      if (slot === -1) break;
      this.listOf(slot).unlink(slot);
      if (slot === this.candidate) this.candidate = -1;
      this.region[slot] = WINDOW;
      this.window.pushHead(slot);
    }
  }

  private shrinkWindow(requested: number): void {
    const quota = Math.min(requested, this.windowMax - 1);
    if (quota <= 0) return;
    this.setWindowMax(this.windowMax - quota);
    while (this.window.size > this.windowMax) {
      const slot = this.window.popTail();
      this.region[slot] = PROBATION;
      this.probation.pushHead(slot);
    }
  }

  /** Sets the window's size; main gets the rest, 80 % of it protected. */
  private setWindowMax(windowMax: number): void {
    this.windowMax = windowMax;
    this.protectedMax = Math.floor((this.capacity - windowMax) * PROTECTED_SHARE);
    this.demoteProtectedOverflow();
  }

  private listOf(slot: number): SlotList {
    const region = this.region[slot];
    return region === WINDOW ? this.window : region === PROBATION ? this.probation : this.protected;
  }
}

import type { WindowTuner } from "./window-tuner.js";

/** Tuning of {@link HillClimber}; the defaults are Caffeine's. */
export interface HillClimberOptions {
  /** Entries in the cache; steps are fractions of it. */
  capacity: number;
  /** Requests per sample (one hit rate measurement, one step). @default 10 * capacity */
  sampleSize?: number;
  /** First step, as a fraction of capacity. @default 0.0625 */
  initialStep?: number;
  /** Each step is this fraction of the previous one while the hit rate changes little. @default 0.98 */
  stepDecay?: number;
  /** A hit rate change of at least this much (0..1) restarts with a full-size step. @default 0.05 */
  restartThreshold?: number;
}

/**
 * Caffeine's hill climber for the W-TinyLFU window: after every sample of requests it compares
 * the hit rate with the previous sample's, keeps walking in the same direction while the hit
 * rate does not fall and turns around when it does. Steps decay geometrically so the window
 * settles, and a large jump in hit rate (a new workload phase) restarts them at full size.
 */
export class HillClimber implements WindowTuner {
  private readonly capacity: number;
  private readonly sampleSize: number;
  private readonly initialStep: number;
  private readonly stepDecay: number;
  private readonly restartThreshold: number;
  private hits = 0;
  private misses = 0;
  private previousHitRate = 0;
  private step: number;
  /** Fractions of an entry not yet applied, so small caches still move. */
  private carry = 0;

  constructor(options: HillClimberOptions) {
    this.capacity = options.capacity;
    this.sampleSize = Math.max(1, options.sampleSize ?? 10 * options.capacity);
    this.initialStep = options.initialStep ?? 0.0625;
    this.stepDecay = options.stepDecay ?? 0.98;
    this.restartThreshold = options.restartThreshold ?? 0.05;
    // Caffeine starts by shrinking the (already small) window, so a frequency-biased workload
    // settles at once and a recency-biased one turns around after one sample.
    this.step = -this.initialStep * this.capacity;
  }

  /** Records a hit; returns the window adjustment in entries (non-zero only at a sample's end). */
  hit(): number {
    this.hits++;
    return this.hits + this.misses >= this.sampleSize ? this.adjust() : 0;
  }

  /** Records a miss; returns the window adjustment in entries, like {@link hit}. */
  miss(_hash?: number): number {
    this.misses++;
    return this.hits + this.misses >= this.sampleSize ? this.adjust() : 0;
  }

  start(): void {}

  inserted(): void {}

  dropped(): void {}

  /** Starts over, as for a fresh cache. */
  reset(): void {
    this.hits = this.misses = 0;
    this.previousHitRate = 0;
    this.carry = 0;
    this.step = -this.initialStep * this.capacity;
  }

  private adjust(): number {
    const hitRate = this.hits / (this.hits + this.misses);
    const change = hitRate - this.previousHitRate;
    const amount = change >= 0 ? this.step : -this.step;
    this.step =
      Math.abs(change) >= this.restartThreshold
        ? this.initialStep * this.capacity * (amount >= 0 ? 1 : -1)
        : this.stepDecay * amount;
    this.previousHitRate = hitRate;
    this.hits = this.misses = 0;
    const total = amount + this.carry;
    const whole = Math.trunc(total);
    this.carry = total - whole;
    return whole;
  }
}

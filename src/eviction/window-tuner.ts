import { GhostQueue } from "./ghost-queue.js";

/**
 * Sizes W-TinyLFU's window. The policy reports what happens and applies the adjustments it gets
 * back (entries to add to the window, negative to give back to the main region).
 */
export interface WindowTuner {
  /** The window's size at start and after a reset, before any adjustment. */
  start(windowSize: number): void;
  /**
   * True when {@link hit} always returns 0 and records nothing, so the policy need not call it
   * (the hit path is the hot one). @default false
   */
  readonly ignoresHits?: boolean;
  /** A read hit. */
  hit(): number;
  /** A miss (or an insert not preceded by one) for the key with this hash. */
  miss(hash: number): number;
  /** A new entry entered the window. */
  inserted(): void;
  /** An entry left the cache: a window candidate that lost admission, or a main-region victim. */
  dropped(hash: number, rejectedCandidate: boolean): void;
  /** Starts over, as for a fresh cache. */
  reset(): void;
}

/** Tuning of {@link GhostWindowTuner}. */
export interface GhostWindowTunerOptions {
  /** Entries in the cache. */
  capacity: number;
  /** Ghosts remembered on each side, as a share of capacity. @default 0.1 */
  ghostShare?: number;
  /** Entries moved per ghost hit, as a share of capacity. @default 0.002 */
  step?: number;
  /**
   * Least step, in entries; fractions accumulate. A whole entry is a tenth of a 10-entry cache,
   * too coarse to settle on, so tiny caches need a few regrets in a row to move one entry.
   * @default 0.25
   */
  minStep?: number;
}

/**
 * Sizes the window the way ARC sizes its recency side: from ghost hits, which measure the
 * marginal value of each region directly instead of comparing hit rates across time as a hill
 * climber does (where a workload drifting between samples reads as a signal).
 *
 * Two ghost queues remember the hashes of keys that just left the cache: candidates the window
 * pushed out and admission rejected, and victims the main region evicted. A request for a
 * rejected candidate means a slightly larger window would have hit, so the window grows by a
 * step; a request for a main victim means a slightly larger main region would have hit, so the
 * window shrinks. The window settles where both kinds of regret are equally frequent.
 *
 * A rejected ghost ages one step per window insertion and one more per rejection, so when the
 * main region turns most candidates away (a frequency-biased workload, where a larger window is
 * least likely to pay) window regret has to come quickly to count. A main ghost ages one step
 * per victim. Both queues hold `ghostShare * capacity` hashes; on the traces in
 * `bench/hit-ratio` a tenth of the capacity measured best (larger ghosts remember regrets that a
 * slightly larger region would not have prevented).
 */
export class GhostWindowTuner implements WindowTuner {
  /** Ghost hits are misses; hits carry no signal here. */
  readonly ignoresHits = true;
  private readonly capacity: number;
  private readonly step: number;
  private readonly rejected: GhostQueue;
  private readonly victims: GhostQueue;
  /** Desired window size; fractional so that steps below one entry accumulate. */
  private target = -1;
  private applied = 0;

  constructor(options: GhostWindowTunerOptions) {
    this.capacity = options.capacity;
    const ghosts = Math.max(1, Math.round(options.capacity * (options.ghostShare ?? 0.1)));
    this.rejected = new GhostQueue(ghosts);
    this.victims = new GhostQueue(ghosts);
    this.step = Math.max(options.minStep ?? 0.25, options.capacity * (options.step ?? 0.002));
  }

  start(windowSize: number): void {
    this.target = this.applied = windowSize;
  }

  hit(): number {
    return 0;
  }

  miss(hash: number): number {
    let target = this.target;
    if (this.rejected.take(hash)) target += this.step;
    else if (this.victims.take(hash)) target -= this.step;
    else return 0;
    this.target = target = Math.max(1, Math.min(this.capacity - 1, target));
    const next = Math.round(target);
    const adjustment = next - this.applied;
    this.applied = next;
    return adjustment;
  }

  inserted(): void {
    this.rejected.tick();
  }

  dropped(hash: number, rejectedCandidate: boolean): void {
    if (rejectedCandidate) this.rejected.add(hash);
    else this.victims.add(hash);
  }

  reset(): void {
    this.rejected.clear();
    this.victims.clear();
  }
}

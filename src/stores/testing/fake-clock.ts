import type { Clock } from "../../core/clock.js";

/**
 * A clock moved by hand, for tests of TTLs, sweeps and windows without sleeping. It starts at a
 * realistic epoch (Nov 2023) so expiry times look like the epoch milliseconds stores persist.
 *
 * ```ts
 * const clock = new FakeClock();
 * const store = new MyStore({ clock });
 * clock.advance(60_000); // one minute later
 * ```
 */
export class FakeClock implements Clock {
  /** The current time in epoch milliseconds; tests may also assign it (forwards only, by contract). */
  t: number;

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0))
      throw new RangeError(`FakeClock.advance expects a non-negative number, got ${ms}`);
    this.t += ms;
  }
}

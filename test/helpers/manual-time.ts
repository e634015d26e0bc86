import type { Scheduler } from "../../src/analytics/scheduler.js";
import type { Clock } from "../../src/core/clock.js";

interface Timer {
  every: number;
  next: number;
  callback: () => void;
}

/**
 * A clock and a scheduler in one, moved by hand: `advance(ms)` moves time forward and runs every
 * periodic callback that falls due on the way, in time order, with `now()` set to its due time.
 */
export class ManualTime implements Clock, Scheduler {
  private readonly timers = new Set<Timer>();

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  every(ms: number, callback: () => void): () => void {
    const timer: Timer = { every: ms, next: this.time + ms, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Timers registered and not cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: Timer | undefined;
      for (const t of this.timers) if (t.next <= end && (!due || t.next < due.next)) due = t;
      if (!due) break;
      this.time = due.next;
      due.next += due.every;
      due.callback();
    }
    this.time = end;
  }
}

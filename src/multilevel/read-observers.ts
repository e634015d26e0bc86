import { L1HitTally } from "./hit-tally.js";
import type { AccessResult, ReadObserver } from "./types.js";

/** Largest duration a read observer is given, in µs (~17.9 minutes): a V8 small integer. */
export const MAX_DURATION_US = 2 ** 30 - 1;

/** Whole microseconds since `started` (a `performance.now()`), or -1 when it is negative. */
export function elapsedUs(started: number): number {
  return started >= 0
    ? Math.min(Math.round((performance.now() - started) * 1000), MAX_DURATION_US)
    : -1;
}

/**
 * A cache's read observers behind the one entry point its read path calls: {@link current} is
 * undefined while nobody observes (the read path then skips timing and notifying), the observer
 * itself while there is one (a direct call, which V8 can inline), or a fan-out over several.
 * {@link tally} is set while the only observer tallies L1 hits (see {@link L1HitTally}).
 */
export class ReadObservers {
  current: ReadObserver | undefined;
  tally: L1HitTally | undefined;
  private list: readonly ReadObserver[] = [];
  private ownTally: L1HitTally | undefined;

  /** @param slotCounters the L1's per-slot counters, asked for when an observer first tallies */
  constructor(private readonly slotCounters: () => Float64Array) {}

  /** Adds `observer` (again, if already added) and returns what removes it. */
  add(observer: ReadObserver): () => void {
    this.update([...this.list, observer]);
    let added = true;
    return () => {
      if (added) this.remove(observer);
      added = false;
    };
  }

  /** Removes one addition of `observer`, if any. */
  remove(observer: ReadObserver): void {
    const index = this.list.indexOf(observer);
    if (index !== -1) this.update(this.list.filter((_, i) => i !== index));
  }

  private update(list: readonly ReadObserver[]): void {
    const tallying = this.tally === undefined ? undefined : this.current;
    const next = list.length === 1 && list[0].tallyHits !== undefined ? list[0] : undefined;
    if (tallying !== undefined && tallying !== next) {
      // Taken back first, so the observer has every hit counted before anyone else sees a read.
      this.tally = undefined;
      tallying.tallyHits?.(undefined);
    }
    // A new array each time, so a fan-out in progress keeps notifying the observers it started with.
    this.list = list;
    this.current = list.length === 0 ? undefined : list.length === 1 ? list[0] : new FanOut(list);
    if (next !== undefined && tallying !== next) {
      // The previous observer left every count at 0 and took what was listed.
      const tally = (this.ownTally ??= new L1HitTally(this.slotCounters()));
      tally.untilCall = tally.touchedCount = tally.timedCount = tally.orderedCount = 0;
      this.tally = tally;
      next.tallyHits!(tally);
    }
  }
}

/** Calls several observers, each isolated from the others' throws. */
class FanOut implements ReadObserver {
  constructor(private readonly list: readonly ReadObserver[]) {}

  onRead(
    key: string,
    namespace: string,
    result: AccessResult,
    durationUs: number,
    l1Slot: number,
  ): void {
    for (let i = 0; i < this.list.length; i++)
      notifyRead(this.list[i], key, namespace, result, durationUs, l1Slot);
  }
}

/** Calls `observer`; a throw is rethrown asynchronously, never to the read that notified. */
export function notifyRead(
  observer: ReadObserver,
  key: string,
  namespace: string,
  result: AccessResult,
  durationUs: number,
  l1Slot: number,
): void {
  try {
    observer.onRead(key, namespace, result, durationUs, l1Slot);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

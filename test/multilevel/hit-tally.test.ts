import { describe, expect, it } from "vitest";
import { L1HitTally, LIST_EVERY_HIT, tallyHit, talliedIn } from "../../src/multilevel/hit-tally.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import type { AccessResult, ReadObserver } from "../../src/multilevel/types.js";
import { MemoryStore, SLOT_TIMES_STRIDE } from "../../src/stores/memory.js";

/** Every slot's count. */
function allCounts(tally: L1HitTally): number[] {
  return Array.from({ length: tally.slots }, (_, slot) => tally.countAt(slot));
}

/** An observer that tallies: arms the slot of every hit it sees, and never takes the counts. */
class TallyingObserver implements ReadObserver {
  tally: L1HitTally | undefined;
  offers: (L1HitTally | undefined)[] = [];
  reads: [string, AccessResult, number][] = [];

  onRead(key: string, _namespace: string, result: AccessResult, durationUs: number, slot: number) {
    this.reads.push([key, result, durationUs]);
    if (this.tally !== undefined && slot >= 0 && this.tally.countAt(slot) <= 0) {
      this.tally.setCount(slot, 1);
    }
    if (this.tally !== undefined) this.tally.untilCall = 1000;
  }

  tallyHits(tally: L1HitTally | undefined): void {
    this.offers.push(tally);
    if (tally === undefined && this.tally !== undefined) {
      for (let slot = 0; slot < this.tally.slots; slot++) this.tally.setCount(slot, 0);
    }
    this.tally = tally;
  }
}

describe("tallyHit", () => {
  it("counts a hit only on an armed slot, within the countdown, listing each slot's first hit once", () => {
    const tally = new L1HitTally(new Float64Array(4 * SLOT_TIMES_STRIDE));
    tally.untilCall = 3;
    expect(tallyHit(tally, 0, -1)).toBe(false); // not armed
    tally.setCount(0, 1);
    tally.setCount(1, -5); // its entry left L1
    expect(tallyHit(tally, 1, -1)).toBe(false);
    expect(tallyHit(tally, 0, -1)).toBe(true);
    expect(tallyHit(tally, 0, -1)).toBe(true);
    expect(tallyHit(tally, 0, -1)).toBe(true);
    expect(tallyHit(tally, 0, -1)).toBe(false); // the countdown ran out
    expect(tally.untilCall).toBe(0);
    expect(talliedIn(tally.countAt(0))).toBe(3);
    expect(Array.from(tally.touched.subarray(0, tally.touchedCount))).toEqual([0]);
    expect(talliedIn(-5)).toBe(4);
    expect(talliedIn(0)).toBe(0);
  });

  it("keeps the durations of timed hits and, in order, the slots marked to list every hit", () => {
    const tally = new L1HitTally(new Float64Array(3 * SLOT_TIMES_STRIDE));
    tally.untilCall = 1_000;
    tally.setCount(0, 1);
    tally.setCount(1, LIST_EVERY_HIT + 1);
    for (const [slot, us] of [
      [1, -1],
      [0, 7],
      [1, 3],
      [0, -1],
      [1, -1],
    ] as const) {
      expect(tallyHit(tally, slot, us)).toBe(true);
    }
    expect(Array.from(tally.timed.subarray(0, tally.timedCount))).toEqual([7, 3]);
    expect(Array.from(tally.ordered.subarray(0, tally.orderedCount))).toEqual([1, 1, 1]);
    expect(talliedIn(tally.countAt(0))).toBe(2);
    expect(talliedIn(tally.countAt(1))).toBe(3);
    expect(Array.from(tally.touched.subarray(0, tally.touchedCount))).toEqual([1, 0]);
  });

  it("leaves a full list to the observer, recording nothing of that hit", () => {
    const tally = new L1HitTally(new Float64Array(2 * SLOT_TIMES_STRIDE));
    tally.untilCall = 10_000;
    tally.setCount(0, LIST_EVERY_HIT + 1);
    tally.setCount(1, 1);
    for (let i = 0; i < tally.ordered.length; i++) expect(tallyHit(tally, 0, -1)).toBe(true);
    const before = [tally.countAt(0), tally.untilCall, tally.timedCount];
    expect(tallyHit(tally, 0, 5)).toBe(false);
    expect([tally.countAt(0), tally.untilCall, tally.timedCount]).toEqual(before);
    for (let i = 0; i < tally.timed.length; i++) expect(tallyHit(tally, 1, i)).toBe(true);
    expect(tallyHit(tally, 1, 99)).toBe(false);
    expect(tally.timedCount).toBe(tally.timed.length);
  });
});

describe("MemoryStore.slotCounters", () => {
  it("negates a slot's count when its entry leaves, however it leaves", () => {
    let now = 0;
    const store = new MemoryStore({
      maxSize: 2,
      evictionPolicy: "lru",
      sweepInterval: 0,
      clock: { now: () => now },
    });
    const counters = store.slotCounters();
    expect(store.slotCounters()).toBe(counters);
    const counts = new L1HitTally(counters);
    const arm = (key: string, n: number): number => {
      const slot = store.lookup(key, "ns");
      counts.setCount(slot, n);
      return slot;
    };
    store.setSync("a", "ns", 1, 0);
    store.setSync("b", "ns", 2, 0);
    const a = arm("a", 4);
    const b = arm("b", 1);
    store.deleteSync("a", "ns");
    expect(counts.countAt(a)).toBe(-4);
    store.setSync("c", "ns", 3, 10);
    const c = arm("c", 2);
    now = 20; // c has expired: the lookup frees it
    expect(store.lookup("c", "ns")).toBe(-1);
    expect(counts.countAt(c)).toBe(-2);
    store.setSync("d", "ns", 4, 0);
    store.setSync("e", "ns", 5, 0); // evicts b, the least recently used
    expect(counts.countAt(b)).toBe(-1);
    const d = arm("d", 3);
    store.clearSync("ns");
    expect(counts.countAt(d)).toBe(-3);
    // A count at 0 (nobody counts that slot) stays 0, and the store's own times are intact.
    expect(allCounts(counts).filter((n) => n > 0)).toEqual([]);
    now = 0;
    store.setSync("f", "ns", 6, 5);
    expect(store.getSync("f", "ns")).toBe(6);
  });
});

describe("MultiLevelCache with a tallying observer", () => {
  it("offers the tally to its only observer, and takes it back before another joins", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10 }, latencySampleEvery: 1_000_000 });
    await cache.set("k", 1);
    const tallying = new TallyingObserver();
    cache.observeReads(tallying);
    expect(tallying.offers).toHaveLength(1);
    const tally = tallying.tally!;
    for (let i = 0; i < 5; i++) expect(await cache.get("k")).toBe(1);
    // The first hit armed the slot; the cache tallied the four after it.
    expect(tallying.reads).toHaveLength(1);
    expect(allCounts(tally).reduce((sum, n) => sum + talliedIn(n), 0)).toBe(4);
    const other: AccessResult[] = [];
    const stop = cache.observeReads({ onRead: (_k, _n, result) => other.push(result) });
    expect(tallying.offers).toEqual([tally, undefined]);
    expect(allCounts(tally).every((n) => n === 0)).toBe(true);
    await cache.get("k");
    await cache.get("k");
    expect(tallying.reads).toHaveLength(3);
    expect(other).toEqual(["l1_hit", "l1_hit"]);
    stop();
    expect(tallying.offers).toEqual([tally, undefined, tally]);
    await cache.close();
  });

  it("calls the observer for timed hits once their list is full, and for every miss", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10 }, latencySampleEvery: 1 });
    await cache.set("k", 1);
    const tallying = new TallyingObserver();
    cache.observeReads(tallying);
    const tally = tallying.tally!;
    const hits = 1 + tally.timed.length + 3;
    for (let i = 0; i < hits; i++) await cache.get("k");
    await cache.get("absent");
    // Every read is timed: the first armed the slot, the list then took 64, the last 3 came.
    expect(tallying.reads.map((r) => r[1])).toEqual([
      "l1_hit",
      "l1_hit",
      "l1_hit",
      "l1_hit",
      "miss",
    ]);
    expect(tallying.reads.every(([, , us]) => us >= 0)).toBe(true);
    expect(tally.timedCount).toBe(tally.timed.length);
    await cache.close();
  });

  it("gives an observer without tallyHits every read", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10 } });
    await cache.set("k", 1);
    const results: AccessResult[] = [];
    cache.observeReads({ onRead: (_k, _n, result) => results.push(result) });
    for (let i = 0; i < 40; i++) await cache.get("k");
    expect(results).toHaveLength(40);
    await cache.close();
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { HotKeyTracker } from "../../src/analytics/hot-keys.js";
import { namespaceSeed, hashKey } from "../../src/analytics/key-hash.js";
import { KeyTable } from "../../src/analytics/key-table.js";
import { L1Slots, MAX_L1_SLOTS } from "../../src/analytics/l1-slots.js";
import { loadTrace } from "../../src/eviction/trace.js";
import { ManualTime } from "../helpers/manual-time.js";
import { tracePath } from "../helpers/traces.js";
import { StandInCache } from "./stand-in-cache.js";

/**
 * Slots as an LRU L1 of `size` entries hands them out: a resident key keeps its slot, a new one
 * takes a free slot or the least recently read key's, so slots change hands all the time.
 */
class SlotModel {
  private readonly slotOf = new Map<string, number>();
  private next = 0;

  constructor(private readonly size: number) {}

  /** The slot of `id` if resident (an L1 hit), else -1 after making it resident. */
  read(id: string): number {
    const slot = this.slotOf.get(id);
    if (slot !== undefined) {
      this.slotOf.delete(id);
      this.slotOf.set(id, slot);
      return slot;
    }
    let free = this.next;
    if (this.slotOf.size < this.size) this.next++;
    else {
      const [oldest, oldSlot] = this.slotOf.entries().next().value!;
      this.slotOf.delete(oldest);
      free = oldSlot;
    }
    this.slotOf.set(id, free);
    return -1;
  }
}

/** Every reported key with its estimate, by `namespace/key`. */
function estimates(t: HotKeyTracker): Map<string, number> {
  return new Map(t.top(Number.MAX_SAFE_INTEGER).map((h) => [`${h.namespace}/${h.key}`, h.count]));
}

describe("L1Slots", () => {
  it("remembers the key of each L1 slot, with its counter base and hash, and notices a new key", () => {
    const slots = new L1Slots();
    expect(slots.size).toBe(0);
    expect(slots.claimed(3)).toBe(false);
    slots.claim(3, "a", "ns", 32, namespaceSeed("ns"));
    expect(slots.size).toBeGreaterThan(3);
    expect(slots.claimed(3)).toBe(true);
    expect(slots.claimed(2)).toBe(false);
    expect(slots.holds(3, "a", "ns")).toBe(true);
    expect(slots.bases[3]).toBe(32);
    expect(slots.hashes[3]).toBe(hashKey(namespaceSeed("ns"), "a"));
    // The same key in another namespace, another key, and the empty key (a valid key) in an
    // unclaimed slot are all "not held".
    expect(slots.holds(3, "a", "other")).toBe(false);
    expect(slots.holds(3, "b", "ns")).toBe(false);
    expect(slots.holds(2, "", "")).toBe(false);
    // A key built afresh (another string object, same characters) is the same key.
    expect(slots.holds(3, ["a"].join(""), "ns")).toBe(true);
    // A slot far beyond the first ones grows the arrays and keeps what was there.
    slots.claim(5000, "c", "ns", 0, namespaceSeed("ns"));
    expect(slots.size).toBeGreaterThan(5000);
    expect(slots.holds(3, "a", "ns")).toBe(true);
    expect(slots.bases[3]).toBe(32);
    expect(slots.size).toBeLessThanOrEqual(MAX_L1_SLOTS);
  });

  it("count hits per slot over tumbling windows, exactly, against a plain model", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-1)), { maxLength: 300 }),
        (steps) => {
          // -1 turns the window; any other value is a hit from that slot.
          const slots = new L1Slots();
          let cur = new Map<number, number>();
          let prev = new Map<number, number>();
          for (const step of steps) {
            if (step === -1) {
              slots.turn();
              prev = cur;
              cur = new Map();
              continue;
            }
            if (!slots.claimed(step)) slots.claim(step, `k${step}`, "ns", 0, 1);
            slots.count(step);
            cur.set(step, (cur.get(step) ?? 0) + 1);
          }
          // A slot may be visited more than once: its visits add up to its counts.
          const seen = new Map<number, [number, number]>();
          slots.forEachCounted((slot, c, p) => {
            const [c0, p0] = seen.get(slot) ?? [0, 0];
            seen.set(slot, [c0 + c, p0 + p]);
          });
          const want = new Map<number, [number, number]>();
          for (const slot of new Set([...cur.keys(), ...prev.keys()]))
            want.set(slot, [cur.get(slot) ?? 0, prev.get(slot) ?? 0]);
          expect(seen).toEqual(want);
          for (const [slot, [c, p]] of want) {
            expect(slots.current(slot)).toBe(c);
            expect(slots.previousCount(slot)).toBe(p);
          }
        },
      ),
    );
  });
});

describe("hot keys counted by L1 slot", () => {
  it("count every read once, through slot reuse, namespaces and window turns", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 24 }), fc.boolean()), {
          minLength: 200,
          maxLength: 600,
        }),
        fc.integer({ min: 3, max: 80 }),
        fc.integer({ min: 1, max: 12 }),
        (reads, window, l1Size) => {
          // 64 counters hold all 50 keys: Space-Saving counts exactly, so both trackers must
          // report exactly the counts of the same reads, however the slot side splits them.
          const plain = new HotKeyTracker(window, 64);
          const slots = new L1Slots();
          const bySlot = new HotKeyTracker(window, 64, new KeyTable(128), slots);
          const l1 = new SlotModel(l1Size);
          for (const [k, other] of reads) {
            const key = `k${k}`;
            const namespace = other ? "b" : "a";
            plain.record(key, namespace);
            const slot = l1.read(`${namespace}/${key}`);
            if (slot === -1) {
              bySlot.record(key, namespace);
              continue;
            }
            if (!slots.holds(slot, key, namespace)) {
              if (slots.claimed(slot))
                bySlot.releaseSlot(slot, slots.keyAt(slot), slots.namespaceAt(slot));
              slots.claim(slot, key, namespace, 0, namespaceSeed(namespace));
            }
            bySlot.recordSlot(slot);
          }
          const want = estimates(plain);
          const got = estimates(bySlot);
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [id, count] of want) expect(got.get(id)).toBeCloseTo(count, 9);
          expect(bySlot.coveredReads).toBe(plain.coveredReads);
        },
      ),
    );
  });

  it("give the same hot keys, curve and counters as reads without slots, on a Zipf trace", async () => {
    const trace = (await loadTrace(tracePath("sieve-zipf_1.0"))).subarray(0, 100_000);
    const time = new ManualTime();
    // 2,000 counters for a 1,000-read window: exact on both paths, so they must agree.
    const make = (cache: StandInCache) =>
      new CacheAnalytics({
        cache,
        clock: time,
        scheduler: time,
        hotKeyWindow: 1000,
        hotKeyCapacity: 2000,
      });
    const withSlots = new StandInCache(300);
    const without = new StandInCache(300);
    const a = make(withSlots);
    const b = make(without);
    const l1 = new SlotModel(300);
    for (let i = 0; i < trace.length; i++) {
      const key = `item:${trace[i]}`;
      const namespace = i % 3 === 0 ? "llm" : "tools";
      const slot = l1.read(`${namespace}/${key}`);
      withSlots.read(key, slot === -1 ? "miss" : "l1_hit", 0.01, namespace, slot);
      without.read(key, slot === -1 ? "miss" : "l1_hit", 0.01, namespace);
    }
    const sa = a.getComprehensiveStats();
    const sb = b.getComprehensiveStats();
    expect(sa.perTier.l1.hits).toBeGreaterThan(trace.length / 2);
    expect(sa.hotKeys).toHaveLength(10);
    expect(sa.hotKeys.map((h) => h.key)).toEqual(sb.hotKeys.map((h) => h.key));
    sa.hotKeys.forEach((h, i) => expect(h.count).toBeCloseTo(sb.hotKeys[i].count, 9));
    expect(sa.perNamespace).toEqual(sb.perNamespace);
    expect(sa.missRatioCurve).toEqual(sb.missRatioCurve);
    for (const size of [100, 300, 1000])
      expect(a.predictHitRate(size)).toBe(b.predictHitRate(size));
    await a.close();
    await b.close();
  });
});

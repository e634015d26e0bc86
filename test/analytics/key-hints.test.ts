import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { HotKeyTracker } from "../../src/analytics/hot-keys.js";
import { KeyRecord, KeyTable } from "../../src/analytics/key-table.js";
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

function counters(t: HotKeyTracker): string[] {
  const out: string[] = [];
  t.forEach((key, namespace, count, error) => out.push(`${namespace}/${key}:${count}:${error}`));
  return out;
}

describe("L1 slot records and counter hints", () => {
  it("change nothing a tracker counts, through slot reuse, namespaces and table resets", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 24 }), fc.boolean()), {
          minLength: 200,
          maxLength: 600,
        }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 3, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(2, 100),
        (reads, capacity, window, l1Size, tableFactor) => {
          // Tables just big enough for the counters reset often; large ones never do.
          const plain = new HotKeyTracker(window, capacity, new KeyTable(tableFactor * capacity));
          const table = new KeyTable(tableFactor * capacity);
          const hinted = new HotKeyTracker(window, capacity, table);
          const l1 = new SlotModel(l1Size);
          for (const [k, other] of reads) {
            const key = `k${k}`;
            const namespace = other ? "b" : "a";
            plain.record(key, namespace);
            const at = table.recordAt(l1.read(`${namespace}/${key}`), namespace, key);
            const r = table.records;
            expect(r[at + KeyRecord.KEY]).toBe(key);
            expect(r[at + KeyRecord.NAMESPACE]).toBe(namespace);
            expect(r[at + KeyRecord.ID]).toBe(table.id(namespace, key));
            const hint = r[at + KeyRecord.HINT] as number;
            r[at + KeyRecord.HINT] = hinted.recordId(
              r[at + KeyRecord.ID] as number,
              key,
              namespace,
              hint,
            );
          }
          expect(counters(hinted)).toEqual(counters(plain));
          expect(hinted.top(5)).toEqual(plain.top(5));
        },
      ),
    );
  });

  it("give the same hot keys, curve and counters as reads without slots, on a Zipf trace", async () => {
    const trace = (await loadTrace(tracePath("sieve-zipf_1.0"))).subarray(0, 100_000);
    const time = new ManualTime();
    const make = (cache: StandInCache) =>
      new CacheAnalytics({
        cache,
        clock: time,
        scheduler: time,
        hotKeyWindow: 1000,
        hotKeyCapacity: 200,
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
    expect(sa.hotKeys).toEqual(sb.hotKeys);
    expect(sa.hotKeys).toHaveLength(10);
    expect(sa.perNamespace).toEqual(sb.perNamespace);
    expect(sa.missRatioCurve).toEqual(sb.missRatioCurve);
    for (const size of [100, 300, 1000])
      expect(a.predictHitRate(size)).toBe(b.predictHitRate(size));
    await a.close();
    await b.close();
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey, namespaceSeed } from "../../src/analytics/key-hash.js";
import { KeyRecord, KeyTable } from "../../src/analytics/key-table.js";

describe("hashKey", () => {
  it("is a 30-bit integer that depends on the namespace and on every character", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat({ max: 200 }), (ns, key, position) => {
        const h = hashKey(namespaceSeed(ns), key);
        expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
        if (key.length > 0) {
          const i = position % key.length;
          const changed =
            key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) ^ 1) + key.slice(i + 1);
          // A one-character change alters the full 32-bit value; the 30-bit truncation keeps that
          // with overwhelming probability, so a collision here would be a real defect.
          expect(hashKey(namespaceSeed(ns), changed)).not.toBe(h);
        }
      }),
    );
    expect(hashKey(namespaceSeed("a:b"), "c")).not.toBe(hashKey(namespaceSeed("a"), "b:c"));
  });

  it("spreads sequential keys evenly over the hash space (what SHARDS sampling relies on)", () => {
    const seed = namespaceSeed("default");
    const buckets = new Array(16).fill(0);
    for (let i = 0; i < 160_000; i++) buckets[hashKey(seed, `user:${i}`) >>> 26]++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});

describe("KeyTable", () => {
  it("gives each key of a namespace one id, with hashKey's hash, before and after a reset", () => {
    const table = new KeyTable(8);
    const resets: number[] = [];
    table.onReset(() => resets.push(1));
    for (let round = 0; round < 3; round++) {
      const ids = new Map<string, number>();
      for (let i = 0; i < 4; i++) {
        for (const ns of ["a", "b"]) {
          const key = `round${round}-k${i}`;
          const id = table.id(ns, key);
          expect(table.hashes[id]).toBe(hashKey(namespaceSeed(ns), key));
          expect(table.id(ns, key)).toBe(id);
          ids.set(`${ns}/${key}`, id);
        }
      }
      // Eight keys in eight ids: all distinct.
      expect(new Set(ids.values()).size).toBe(8);
    }
    // Each round brings eight new keys: the first of rounds 2 and 3 finds the table full.
    expect(resets).toHaveLength(2);
  });

  it("remembers the key of each L1 slot, and notices a slot that changed hands", () => {
    const table = new KeyTable(16);
    const id = (at: number): number => table.records[at + KeyRecord.ID] as number;
    const a = table.recordAt(3, "ns", "a");
    expect(id(a)).toBe(table.id("ns", "a"));
    expect(table.records[a + KeyRecord.HASH]).toBe(hashKey(namespaceSeed("ns"), "a"));
    table.records[a + KeyRecord.HINT] = 7;
    // Same slot, same key: the record and its hint are kept.
    expect(table.recordAt(3, "ns", "a")).toBe(a);
    expect(table.records[a + KeyRecord.HINT]).toBe(7);
    // The slot now holds another key (or the same key of another namespace): a fresh record.
    for (const [ns, key] of [
      ["ns", "b"],
      ["other", "b"],
    ]) {
      const at = table.recordAt(3, ns, key);
      expect(at).toBe(a);
      expect(id(at)).toBe(table.id(ns, key));
      expect(table.records[at + KeyRecord.HINT]).toBe(-1);
    }
    // No slot: the shared record, filled from the table.
    const shared = table.recordAt(-1, "ns", "a");
    expect(id(shared)).toBe(table.id("ns", "a"));
    // A slot far beyond the first ones grows the records.
    expect(id(table.recordAt(5000, "ns", "c"))).toBe(table.id("ns", "c"));
  });

  it("voids every slot's record when it resets", () => {
    const table = new KeyTable(2);
    const at = table.recordAt(0, "ns", "a");
    table.records[at + KeyRecord.HINT] = 1;
    table.id("ns", "b");
    table.id("ns", "c"); // the third id: reset
    expect(table.records[at + KeyRecord.ID]).toBe(-1);
    const again = table.recordAt(0, "ns", "a");
    expect(table.records[again + KeyRecord.ID]).toBe(table.id("ns", "a"));
    expect(table.records[again + KeyRecord.HINT]).toBe(-1);
  });
});

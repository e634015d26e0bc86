import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey, namespaceSeed } from "../../src/analytics/key-hash.js";
import { KeyTable } from "../../src/analytics/key-table.js";

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
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey, namespaceSeed } from "../../src/analytics/key-hash.js";
import { KeyHashMemo } from "../../src/analytics/key-hash-memo.js";

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

describe("KeyHashMemo", () => {
  it("returns the same hash as hashKey, per namespace slot, before and after forgetting", () => {
    const memo = new KeyHashMemo(8);
    const seeds = [namespaceSeed("a"), namespaceSeed("b")];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        for (const slot of [0, 1])
          expect(memo.hash(slot, seeds[slot], `k${i % 12}`)).toBe(
            hashKey(seeds[slot], `k${i % 12}`),
          );
      }
    }
  });
});

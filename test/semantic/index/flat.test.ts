import { describe, expect, it } from "vitest";
import { FlatIndex, SIMD_MIN_ROWS } from "../../../src/semantic/index/flat.js";
import { simdAvailable } from "../../../src/semantic/index/simd-kernel.js";
import { TopK } from "../../../src/semantic/index/vector-index.js";
import { rng } from "../support.js";

function randomUnit(dims: number, next: () => number): Float32Array {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = next() - 0.5;
    norm += v[i] * v[i];
  }
  return v.map((x) => x / Math.sqrt(norm));
}

/** The reference: every stored vector scored in float64, sorted. */
function bruteForce(
  stored: Map<number, Float32Array>,
  q: Float32Array,
  k: number,
): { id: number; score: number }[] {
  const scored = [...stored].map(([id, v]) => ({
    id,
    score: v.reduce((s, x, i) => s + x * q[i], 0),
  }));
  return scored.sort((a, b) => b.score - a.score).slice(0, k);
}

describe("FlatIndex", () => {
  it("the SIMD kernel is available on this runtime (otherwise the JS loop runs everywhere)", () => {
    expect(simdAvailable()).toBe(true);
  });

  // 13 and 384 dimensions: a stride with zero padding, and the benchmark's size.
  for (const dims of [13, 384]) {
    for (const simd of [true, false]) {
      it(`matches brute force through growth, replacement and swap-removal (${dims} dims, simd ${simd})`, () => {
        const next = rng(dims * 7 + (simd ? 1 : 2));
        const index = new FlatIndex(dims, { simd });
        const stored = new Map<number, Float32Array>();
        let id = 0;
        for (let step = 0; step < 1500; step++) {
          const r = next();
          if (r < 0.6 || stored.size < 5) {
            const v = randomUnit(dims, next);
            index.add(++id, v);
            stored.set(id, v);
          } else if (r < 0.7) {
            const target = [...stored.keys()][Math.floor(next() * stored.size)];
            const v = randomUnit(dims, next);
            index.add(target, v); // replace in place
            stored.set(target, v);
          } else if (r < 0.85) {
            const target = [...stored.keys()][Math.floor(next() * stored.size)];
            expect(index.remove(target)).toBe(true);
            expect(index.remove(target)).toBe(false);
            stored.delete(target);
          } else {
            const q = randomUnit(dims, next);
            const got = index.search(q, 3);
            const want = bruteForce(stored, q, 3);
            expect(got.map((m) => m.id)).toEqual(want.map((m) => m.id));
            got.forEach((m, i) => expect(m.score).toBeCloseTo(want[i].score, 5));
          }
          expect(index.size).toBe(stored.size);
        }
        expect(stored.size).toBeGreaterThan(SIMD_MIN_ROWS);
        expect(index.simd).toBe(simd);
        for (const [key, v] of stored) expect(index.vectorOf(key)).toEqual(v);
        expect(new Set(index.ids())).toEqual(new Set(stored.keys()));
      });
    }
  }

  it("finds a stored vector as its own best match with score 1", () => {
    const index = new FlatIndex(8);
    const next = rng(3);
    const vectors = Array.from({ length: 100 }, () => randomUnit(8, next));
    vectors.forEach((v, i) => index.add(i, v));
    for (let i = 0; i < 100; i += 7) {
      const [best] = index.search(vectors[i], 1);
      expect(best.id).toBe(i);
      expect(best.score).toBeCloseTo(1, 5);
    }
  });

  it("returns nothing from an empty index, and at most size matches", () => {
    const index = new FlatIndex(4);
    expect(index.search(new Float32Array([1, 0, 0, 0]), 5)).toEqual([]);
    index.add(1, new Float32Array([1, 0, 0, 0]));
    expect(index.search(new Float32Array([1, 0, 0, 0]), 5)).toHaveLength(1);
  });

  it("refuses vectors of the wrong length", () => {
    const index = new FlatIndex(4);
    expect(() => index.add(1, new Float32Array(3))).toThrow(RangeError);
    expect(() => new FlatIndex(0)).toThrow(RangeError);
  });
});

describe("TopK", () => {
  it("keeps the k best, best first, whatever the arrival order", () => {
    const next = rng(11);
    for (let round = 0; round < 50; round++) {
      const k = 1 + Math.floor(next() * 5);
      const scores = Array.from({ length: 30 }, () => next());
      const top = new TopK(k);
      scores.forEach((s, i) => top.offer(i, s));
      const want = scores
        .map((score, id) => ({ id, score }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k);
      expect(top.matches()).toEqual(want);
    }
  });
});

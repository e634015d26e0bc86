import { describe, expect, it } from "vitest";
import { FlatIndex } from "../../../src/semantic/index/flat.js";
import { HnswIndex, loadUsearch, type UsearchModule } from "../../../src/semantic/index/hnsw.js";
import { rng } from "../support.js";

function randomUnit(dims: number, next: () => number): Float32Array {
  const v = Float32Array.from({ length: dims }, () => next() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** `v` moved a little: a near-duplicate query. */
function nearby(v: Float32Array, next: () => number, noise = 0.05): Float32Array {
  const w = v.map((x) => x + (next() - 0.5) * noise);
  const norm = Math.hypot(...w);
  return w.map((x) => x / norm);
}

async function usearch(): Promise<UsearchModule> {
  const loaded = await loadUsearch();
  if (!("module" in loaded))
    throw new Error(`usearch is a dev dependency here and must load: ${loaded.error.message}`);
  return loaded.module;
}

describe("loadUsearch", () => {
  it("reports the error instead of throwing when the package is missing", async () => {
    const missing = await loadUsearch(() =>
      Promise.reject(new Error("Cannot find package 'usearch'")),
    );
    expect("error" in missing && missing.error.message).toMatch(/Cannot find package/);
    const wrong = await loadUsearch(async () => ({ something: 1 }));
    expect("error" in wrong).toBe(true);
  });
});

describe("HnswIndex", () => {
  it("agrees with the flat index on near-duplicate queries (recall@1 >= 0.99)", async () => {
    const dims = 32;
    const next = rng(5);
    const hnsw = new HnswIndex(await usearch(), dims);
    const flat = new FlatIndex(dims);
    const vectors = Array.from({ length: 3000 }, () => randomUnit(dims, next));
    hnsw.addMany(
      vectors.map((_, i) => i),
      vectors,
    );
    vectors.forEach((v, i) => flat.add(i, v));
    let agree = 0;
    const queries = 500;
    for (let q = 0; q < queries; q++) {
      const query = nearby(vectors[Math.floor(next() * vectors.length)], next);
      const [h] = hnsw.search(query, 1);
      const [f] = flat.search(query, 1);
      if (h.id === f.id) {
        agree++;
        expect(h.score).toBeCloseTo(f.score, 4);
      }
    }
    expect(agree / queries).toBeGreaterThanOrEqual(0.99);
  });

  it("builds, in one batch, a graph where every vector is found for itself", async () => {
    // usearch's multi-threaded batch insert left 1-3 of 474 such vectors unreachable, so the
    // index inserts on one thread: none may be missing.
    const dims = 16;
    const module = await usearch();
    for (const seed of [1, 2, 3, 4]) {
      const next = rng(seed);
      const hnsw = new HnswIndex(module, dims);
      const vectors = Array.from({ length: 474 }, () => randomUnit(dims, next));
      hnsw.addMany(
        vectors.map((_, i) => i),
        vectors,
      );
      const lost = vectors.flatMap((v, i) => (hnsw.search(v, 1)[0]?.id === i ? [] : [i]));
      expect(lost, `seed ${seed}`).toEqual([]);
    }
  });

  it("forgets removed ids, re-adds them, and stays correct through compaction", async () => {
    const dims = 16;
    const next = rng(9);
    const hnsw = new HnswIndex(await usearch(), dims);
    const live = new Map<number, Float32Array>();
    for (let i = 0; i < 3000; i++) {
      const v = randomUnit(dims, next);
      hnsw.add(i, v);
      live.set(i, v);
    }
    // Remove most of them: enough tombstones to trigger a rebuild.
    for (let i = 0; i < 2600; i++) {
      expect(hnsw.remove(i)).toBe(true);
      live.delete(i);
    }
    expect(hnsw.remove(0)).toBe(false);
    expect(hnsw.size).toBe(400);
    for (const [id, v] of live) {
      const [best] = hnsw.search(v, 1);
      expect(best.id).toBe(id);
    }
    for (let i = 0; i < 2600; i += 100) expect(hnsw.has(i)).toBe(false);
    // Replacing a vector under a live id moves it.
    const moved = randomUnit(dims, next);
    hnsw.add(2999, moved);
    expect(hnsw.search(moved, 1)[0]).toMatchObject({ id: 2999 });
    expect(hnsw.vectorOf(2999)).toEqual(moved);
    expect(hnsw.size).toBe(400);
  });

  it("returns at most size matches and nothing when empty", async () => {
    const hnsw = new HnswIndex(await usearch(), 4);
    expect(hnsw.search(new Float32Array([1, 0, 0, 0]), 3)).toEqual([]);
    hnsw.add(7, new Float32Array([1, 0, 0, 0]));
    const found = hnsw.search(new Float32Array([1, 0, 0, 0]), 3);
    expect(found).toHaveLength(1);
    expect(found[0].id).toBe(7);
    expect(found[0].score).toBeCloseTo(1, 5);
    expect(() => hnsw.add(8, new Float32Array(3))).toThrow(RangeError);
  });
});

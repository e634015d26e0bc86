/**
 * An embedder that looks texts up in a table of prepared vectors: lets index tests choose the
 * geometry exactly (random stored vectors, near-duplicate queries) while going through the cache.
 */
import type { Embedder } from "../../src/semantic/embedders/embedder.js";
import { rng } from "./support.js";

export class TableEmbedder implements Embedder {
  readonly id = "test:table";
  readonly vectors = new Map<string, Float32Array>();
  constructor(readonly dimensions: number) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => {
      const v = this.vectors.get(t);
      if (!v) throw new Error(`no vector for ${t}`);
      return v;
    });
  }
}

export function randomUnit(dims: number, next: () => number): Float32Array {
  const v = Float32Array.from({ length: dims }, () => next() - 0.5);
  let norm = 0;
  for (const x of v) norm += x * x;
  return v.map((x) => x / Math.sqrt(norm));
}

export function nearby(v: Float32Array, next: () => number, noise: number): Float32Array {
  const w = v.map((x) => x + (next() - 0.5) * noise);
  let norm = 0;
  for (const x of w) norm += x * x;
  return w.map((x) => x / Math.sqrt(norm));
}

/** `count` stored texts `s<i>` and near-duplicate queries `q<i>` of them. */
export function tableOf(dims: number, count: number, noise: number, seed = 1): TableEmbedder {
  const next = rng(seed);
  const table = new TableEmbedder(dims);
  for (let i = 0; i < count; i++) {
    const v = randomUnit(dims, next);
    table.vectors.set(`s${i}`, v);
    table.vectors.set(`q${i}`, nearby(v, next, noise));
  }
  return table;
}

/**
 * Test doubles for the semantic cache: a small deterministic embedder that counts its calls, an
 * embedder that misbehaves on demand, and a settable clock.
 */
import type { Embedder } from "../../src/semantic/embedders/embedder.js";
import type { ChatMessage } from "../../src/semantic/messages.js";

/** FNV-1a, enough to spread words over dimensions. */
function hash(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Bag of lowercase words, each word hashed to one signed dimension, normalised. Paraphrases that
 * share most words score high; unrelated texts score near 0. Counts calls and texts.
 */
export class WordEmbedder implements Embedder {
  readonly id: string;
  calls = 0;
  texts = 0;
  constructor(
    readonly dimensions = 64,
    name = "words",
  ) {
    this.id = `test:${name}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts += texts.length;
    return texts.map((t) => this.vector(t));
  }

  vector(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      const h = hash(word, 7);
      v[h % this.dimensions] += h & 0x80000000 ? -1 : 1;
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    return v.map((x) => x / norm);
  }
}

export type Fault = "none" | "throw" | "wrong-dims" | "nan" | "zero" | "wrong-count" | "infinite";

/** Wraps an embedder and breaks it in the way `fault` says. */
export class FaultyEmbedder implements Embedder {
  fault: Fault = "none";
  constructor(readonly inner: WordEmbedder) {}
  get id(): string {
    return this.inner.id;
  }
  get dimensions(): number {
    return this.inner.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const good = await this.inner.embed(texts);
    switch (this.fault) {
      case "none":
        return good;
      case "throw":
        throw new Error("connect ECONNREFUSED 127.0.0.1:11434");
      case "wrong-dims":
        return good.map((v) => v.subarray(0, v.length - 1));
      case "nan":
        return good.map((v) => v.map((x, i) => (i === 0 ? NaN : x)));
      case "infinite":
        return good.map((v) => v.map((x, i) => (i === 0 ? Infinity : x)));
      case "zero":
        return good.map((v) => new Float32Array(v.length));
      case "wrong-count":
        return good.slice(1);
    }
  }
}

/** Always returns the same vector: every stored request looks identical to every lookup. */
export class ConstantEmbedder implements Embedder {
  readonly id = "test:constant";
  constructor(readonly dimensions = 16) {}
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map(() => {
      const v = new Float32Array(this.dimensions);
      v[0] = 1;
      return v;
    });
  }
}

export class ManualClock {
  constructor(public t = 1_700_000_000_000) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export const user = (content: string): ChatMessage[] => [{ role: "user", content }];

/** A deterministic PRNG (xorshift32) for property-style tests. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

import { CacheConfigError } from "../../core/errors.js";
import { composeKey } from "../../core/keys.js";

/**
 * Embeddings by (embedder id, text), least recently used out first. One instance may be shared
 * by several embedders: the id in the key keeps their vectors apart.
 */
export class EmbeddingCache {
  readonly maxEntries: number;
  readonly #entries = new Map<string, Float32Array>();
  #hits = 0;
  #misses = 0;

  /** @param maxEntries Most vectors kept (each costs `dimensions × 4` bytes plus its text). */
  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new CacheConfigError(
        "semantic.embedder.cacheSize",
        `must be a positive integer, got ${maxEntries}`,
      );
    }
    this.maxEntries = maxEntries;
  }

  get(embedderId: string, text: string): Float32Array | undefined {
    const key = keyOf(embedderId, text);
    const vector = this.#entries.get(key);
    if (vector === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    // Re-insert so Map order stays least-recent first.
    this.#entries.delete(key);
    this.#entries.set(key, vector);
    return vector;
  }

  set(embedderId: string, text: string, vector: Float32Array): void {
    const key = keyOf(embedderId, text);
    this.#entries.delete(key);
    this.#entries.set(key, vector);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  stats(): { hits: number; misses: number; size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }

  clear(): void {
    this.#entries.clear();
  }
}

// composeKey length-prefixes the id, so no (id, text) pair can collide with another.
const keyOf = composeKey;

/**
 * What the semantic cache needs from a nearest-neighbour index. Vectors are L2-normalised, so the
 * inner product is the cosine similarity. Ids are the cache's entry ids (non-negative safe
 * integers); one index holds one partition (one hard scope and context), so an index never needs
 * to filter.
 */
export interface IndexMatch {
  readonly id: number;
  /** Cosine similarity, -1..1. */
  readonly score: number;
}

export interface VectorIndex {
  readonly kind: "flat" | "hnsw";
  readonly dimensions: number;
  /** Live vectors. */
  readonly size: number;
  /** Adds a vector under `id`, replacing any vector already there. */
  add(id: number, vector: Float32Array): void;
  /** {@link add} for many at once (HNSW builds them in one native call). */
  addMany(ids: readonly number[], vectors: readonly Float32Array[]): void;
  /** Resolves true when `id` was present. */
  remove(id: number): boolean;
  has(id: number): boolean;
  /** Up to `k` best matches, best first. Exact for the flat index, approximate for HNSW. */
  search(query: Float32Array, k: number): IndexMatch[];
  /** A copy of the vector stored under `id`. */
  vectorOf(id: number): Float32Array | undefined;
  ids(): IterableIterator<number>;
  /** Releases native or WebAssembly memory. The index is unusable afterwards. */
  dispose(): void;
}

/**
 * Keeps the `k` best of a stream of scores in `ids`/`scores` (sorted, best first). Insertion
 * into a short sorted array: `k` is a handful of candidates, so this beats a heap.
 */
export class TopK {
  readonly ids: number[] = [];
  readonly scores: number[] = [];
  constructor(readonly k: number) {}

  /** The score a newcomer must beat to enter. */
  get floor(): number {
    return this.scores.length < this.k ? -Infinity : this.scores[this.scores.length - 1];
  }

  offer(id: number, score: number): void {
    if (score <= this.floor) return;
    let i = this.scores.length < this.k ? this.scores.length : this.k - 1;
    while (i > 0 && this.scores[i - 1] < score) {
      this.scores[i] = this.scores[i - 1];
      this.ids[i] = this.ids[i - 1];
      i--;
    }
    this.scores[i] = score;
    this.ids[i] = id;
  }

  matches(): IndexMatch[] {
    return this.ids.map((id, i) => ({ id, score: this.scores[i] }));
  }
}

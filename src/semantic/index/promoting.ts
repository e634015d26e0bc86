import type { FlatIndex } from "./flat.js";
import type { HnswIndex } from "./hnsw.js";
import type { IndexMatch, VectorIndex } from "./vector-index.js";

/**
 * Vectors moved into the graph per event-loop turn: about 70 ms of one core at 384 dimensions
 * (0.5 ms a vector, single-threaded; see HnswIndex.addMany).
 */
export const BUILD_CHUNK = 128;

/**
 * A partition on its way from flat to HNSW. Building a graph of 10,000 vectors takes seconds; done
 * in one call it would stall every request of the process. So the graph is built a chunk per
 * event-loop turn while the flat index keeps answering exactly, and adds and removals go to both
 * (or are queued for the builder). When the builder has caught up, searches switch to the graph
 * and the flat index is released.
 */
export class PromotingIndex implements VectorIndex {
  readonly dimensions: number;
  #flat: FlatIndex | undefined;
  readonly #hnsw: HnswIndex;
  /** Ids still to move into the graph (their vectors are read from the flat index then). */
  #queue: number[];
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #disposed = false;
  readonly #done: Promise<void>;
  #resolve!: () => void;

  constructor(flat: FlatIndex, hnsw: HnswIndex) {
    this.dimensions = flat.dimensions;
    this.#flat = flat;
    this.#hnsw = hnsw;
    this.#queue = [...flat.ids()];
    this.#done = new Promise((resolve) => (this.#resolve = resolve));
    this.#schedule();
  }

  /** "flat" while building (searches are exact), "hnsw" once the graph serves. */
  get kind(): "flat" | "hnsw" {
    return this.#flat ? "flat" : "hnsw";
  }

  get size(): number {
    return this.#flat ? this.#flat.size : this.#hnsw.size;
  }

  /** Resolves when the graph serves (or the index was disposed). */
  whenBuilt(): Promise<void> {
    return this.#done;
  }

  add(id: number, vector: Float32Array): void {
    if (!this.#flat) return this.#hnsw.add(id, vector);
    this.#flat.add(id, vector);
    if (this.#hnsw.has(id)) this.#hnsw.add(id, vector);
    else this.#queue.push(id);
  }

  addMany(ids: readonly number[], vectors: readonly Float32Array[]): void {
    if (!this.#flat) return this.#hnsw.addMany(ids, vectors);
    ids.forEach((id, i) => this.add(id, vectors[i]));
  }

  remove(id: number): boolean {
    if (!this.#flat) return this.#hnsw.remove(id);
    this.#hnsw.remove(id);
    return this.#flat.remove(id); // a queued id that left is skipped by the builder
  }

  has(id: number): boolean {
    return this.#flat ? this.#flat.has(id) : this.#hnsw.has(id);
  }

  search(query: Float32Array, k: number): IndexMatch[] {
    return this.#flat ? this.#flat.search(query, k) : this.#hnsw.search(query, k);
  }

  vectorOf(id: number): Float32Array | undefined {
    return this.#flat ? this.#flat.vectorOf(id) : this.#hnsw.vectorOf(id);
  }

  ids(): IterableIterator<number> {
    return this.#flat ? this.#flat.ids() : this.#hnsw.ids();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#flat?.dispose();
    this.#flat = undefined;
    this.#hnsw.dispose();
    this.#resolve();
  }

  #schedule(): void {
    this.#scheduled = setImmediate(() => this.#step());
  }

  #step(): void {
    this.#scheduled = undefined;
    const flat = this.#flat;
    if (this.#disposed || !flat) return;
    const chunk = this.#queue
      .splice(0, BUILD_CHUNK)
      .filter((id) => flat.has(id) && !this.#hnsw.has(id));
    if (chunk.length > 0) {
      this.#hnsw.addMany(
        chunk,
        chunk.map((id) => flat.vectorOf(id)!),
      );
    }
    if (this.#queue.length > 0) return this.#schedule();
    flat.dispose();
    this.#flat = undefined;
    this.#resolve();
  }
}

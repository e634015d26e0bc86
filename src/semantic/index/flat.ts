import {
  SIMD_LANES,
  createMemory,
  instantiateScores,
  simdAvailable,
  type ScoreFunction,
  type WasmMemory,
} from "./simd-kernel.js";
import { TopK, type IndexMatch, type VectorIndex } from "./vector-index.js";

/**
 * Below this many rows a partition keeps its vectors in an ordinary Float32Array and scores them
 * in JavaScript: a WebAssembly memory costs at least 64 KiB, and most partitions (one per
 * tenant, model, namespace and conversation context) hold a few entries.
 */
export const SIMD_MIN_ROWS = 32;

const PAGE_BYTES = 65_536;
const INITIAL_ROWS = 4;

/**
 * Exact search over a contiguous matrix of normalised vectors: one dot product per row, top-k by
 * insertion. Rows are padded to a multiple of 8 floats with zeros (the SIMD step), so padding
 * never changes a score. Capacity doubles when full; removal moves the last row into the hole,
 * so the matrix stays dense and a scan never meets a gap.
 *
 * Past {@link SIMD_MIN_ROWS} rows the matrix moves into WebAssembly memory laid out as
 * `[query][rows ... capacity][scores ... capacity]`; growing the memory extends the rows in place
 * and only the scratch score area moves.
 */
export class FlatIndex implements VectorIndex {
  readonly kind = "flat";
  readonly dimensions: number;
  readonly #stride: number;
  #count = 0;
  #capacity = 0;
  #ids: number[] = [];
  readonly #rowOf = new Map<number, number>();
  /** The rows: a plain array, or a view into `#memory` once SIMD is on. */
  #rows = new Float32Array(0);
  #scores = new Float32Array(0);
  #memory: WasmMemory | undefined;
  #simd: ScoreFunction | undefined;
  readonly #useSimd: boolean;

  /** `simd: false` forces the JavaScript loop (tests compare both). */
  constructor(dimensions: number, options: { simd?: boolean } = {}) {
    if (!Number.isInteger(dimensions) || dimensions < 1) {
      throw new RangeError(`FlatIndex: dimensions must be a positive integer, got ${dimensions}`);
    }
    this.dimensions = dimensions;
    this.#stride = Math.ceil(dimensions / SIMD_LANES) * SIMD_LANES;
    this.#useSimd = (options.simd ?? true) && simdAvailable();
  }

  get size(): number {
    return this.#count;
  }

  /** True once the rows live in WebAssembly memory and are scored with SIMD. */
  get simd(): boolean {
    return this.#simd !== undefined;
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new RangeError(
        `FlatIndex: expected ${this.dimensions} dimensions, got ${vector.length}`,
      );
    }
    let row = this.#rowOf.get(id);
    if (row === undefined) {
      if (this.#count === this.#capacity) this.#grow();
      row = this.#count++;
      this.#ids[row] = id;
      this.#rowOf.set(id, row);
    }
    this.#rows.set(vector, row * this.#stride);
  }

  addMany(ids: readonly number[], vectors: readonly Float32Array[]): void {
    ids.forEach((id, i) => this.add(id, vectors[i]));
  }

  remove(id: number): boolean {
    const row = this.#rowOf.get(id);
    if (row === undefined) return false;
    this.#rowOf.delete(id);
    const last = --this.#count;
    if (row !== last) {
      const s = this.#stride;
      this.#rows.copyWithin(row * s, last * s, last * s + s);
      const moved = this.#ids[last];
      this.#ids[row] = moved;
      this.#rowOf.set(moved, row);
    }
    this.#ids.length = this.#count;
    return true;
  }

  has(id: number): boolean {
    return this.#rowOf.has(id);
  }

  search(query: Float32Array, k: number): IndexMatch[] {
    const n = this.#count;
    if (n === 0 || k < 1) return [];
    const scores = this.#scoreAll(query);
    const top = new TopK(Math.min(k, n));
    for (let r = 0; r < n; r++) if (scores[r] > top.floor) top.offer(this.#ids[r], scores[r]);
    return top.matches();
  }

  vectorOf(id: number): Float32Array | undefined {
    const row = this.#rowOf.get(id);
    if (row === undefined) return undefined;
    const start = row * this.#stride;
    return this.#rows.slice(start, start + this.dimensions);
  }

  ids(): IterableIterator<number> {
    return this.#ids.slice(0, this.#count).values();
  }

  dispose(): void {
    this.#rows = new Float32Array(0);
    this.#scores = new Float32Array(0);
    this.#memory = undefined;
    this.#simd = undefined;
    this.#ids = [];
    this.#rowOf.clear();
    this.#count = this.#capacity = 0;
  }

  #scoreAll(query: Float32Array): Float32Array {
    const n = this.#count;
    const s = this.#stride;
    if (this.#simd) {
      // The query sits in the first stride of memory; its padding stays zero.
      const view = new Float32Array(this.#memory!.buffer, 0, this.dimensions);
      view.set(query);
      this.#simd(0, s * 4, n, s * 4, this.#scores.byteOffset);
      return this.#scores;
    }
    const rows = this.#rows;
    const d = this.dimensions;
    const scores = this.#scores;
    for (let r = 0; r < n; r++) {
      const o = r * s;
      let sum = 0;
      for (let i = 0; i < d; i++) sum += query[i] * rows[o + i];
      scores[r] = sum;
    }
    return scores;
  }

  #grow(): void {
    const capacity = Math.max(INITIAL_ROWS, this.#capacity * 2);
    const used = this.#count * this.#stride;
    if (this.#useSimd && capacity > SIMD_MIN_ROWS) {
      this.#growSimd(capacity, used);
    } else {
      const rows = new Float32Array(capacity * this.#stride);
      rows.set(this.#rows.subarray(0, used));
      this.#rows = rows;
      this.#scores = new Float32Array(capacity);
    }
    this.#capacity = capacity;
  }

  #growSimd(capacity: number, used: number): void {
    const s = this.#stride;
    const bytes = (s + capacity * s + capacity) * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    if (this.#memory === undefined) {
      const memory = createMemory(pages);
      const old = this.#rows.subarray(0, used);
      new Float32Array(memory.buffer, s * 4, used).set(old);
      this.#memory = memory;
      this.#simd = instantiateScores(memory) ?? undefined;
    } else {
      const have = this.#memory.buffer.byteLength / PAGE_BYTES;
      if (pages > have) this.#memory.grow(pages - have);
    }
    // Growing detaches the old buffer: take fresh views.
    const buffer = this.#memory.buffer;
    this.#rows = new Float32Array(buffer, s * 4, capacity * s);
    this.#scores = new Float32Array(buffer, (s + capacity * s) * 4, capacity);
    // The new rows overlap the old score scratch area; padding must read as zeros.
    this.#rows.fill(0, used);
  }
}

import { TopK, type IndexMatch, type VectorIndex } from "./vector-index.js";

/**
 * The HNSW index, through usearch 2.25 (an optional dependency, loaded on first need). usearch
 * cannot hand vectors back, so the index keeps a copy of each one: that is what lets it compact
 * away tombstones and what the cache persists.
 */

/** The part of usearch's API used here (declared locally: the package may be absent). */
interface UsearchMatches {
  keys: BigUint64Array;
  distances: Float32Array;
}
interface UsearchIndex {
  add(keys: bigint | BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vector: Float32Array, k: number, threads: number): UsearchMatches;
  remove(keys: bigint): number | number[];
  size(): number;
}
export interface UsearchModule {
  Index: new (config: {
    dimensions: number;
    metric: string;
    quantization: string;
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
    multi: boolean;
  }) => UsearchIndex;
}

/** Graph parameters (see BENCHMARKS.md for the recall they reach). */
export interface HnswOptions {
  /**
   * Links per node (usearch `connectivity`, HNSW's M). More links: better recall, more memory.
   * @default 16
   */
  connectivity?: number;
  /**
   * Candidate list size while inserting (`expansion_add`, efConstruction).
   * @default 128
   */
  expansionAdd?: number;
  /**
   * Candidate list size while searching (`expansion_search`, ef). Raise it for recall, lower it
   * for speed. 256 keeps recall@1 >= 0.99 at 100,000 random 384-dimension vectors, the hardest
   * case for a graph; real embeddings, which cluster, usually do with 64-128.
   * @default 256
   */
  expansionSearch?: number;
  /**
   * How usearch stores the vectors it navigates by. Scores are always recomputed exactly from
   * the float32 copy this index keeps, so quantisation affects which candidates are found, never
   * the similarity reported. `f16` halves usearch's memory and speeds up its distance math.
   * @default "f16"
   */
  quantization?: "f32" | "f16" | "i8";
}

/** Candidates fetched from the graph and re-scored exactly, at least. */
const RERANK_MIN = 8;

const USEARCH = "usearch";

/**
 * Imports usearch, resolving `undefined` when it is not installed or its native build does not
 * load. The specifier is a variable so that TypeScript and bundlers leave the optional package
 * alone.
 */
export async function loadUsearch(
  importer: () => Promise<unknown> = () => import(USEARCH),
): Promise<{ module: UsearchModule } | { error: Error }> {
  try {
    const loaded = (await importer()) as Partial<UsearchModule> & {
      default?: Partial<UsearchModule>;
    };
    const Index = loaded.Index ?? loaded.default?.Index;
    if (typeof Index !== "function") return { error: new Error("usearch has no Index export") };
    return { module: { Index } };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Tombstones tolerated before a rebuild, at least; beyond it, once they outnumber live nodes. */
const MIN_TOMBSTONES_BEFORE_COMPACT = 1024;

export class HnswIndex implements VectorIndex {
  readonly kind = "hnsw";
  readonly dimensions: number;
  readonly #usearch: UsearchModule;
  readonly #options: Required<HnswOptions>;
  readonly #vectors = new Map<number, Float32Array>();
  #index: UsearchIndex;
  #tombstones = 0;

  constructor(usearch: UsearchModule, dimensions: number, options: HnswOptions = {}) {
    this.#usearch = usearch;
    this.dimensions = dimensions;
    this.#options = {
      connectivity: options.connectivity ?? 16,
      expansionAdd: options.expansionAdd ?? 128,
      expansionSearch: options.expansionSearch ?? 256,
      quantization: options.quantization ?? "f16",
    };
    this.#index = this.#create();
  }

  get size(): number {
    return this.#vectors.size;
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new RangeError(
        `HnswIndex: expected ${this.dimensions} dimensions, got ${vector.length}`,
      );
    }
    if (this.#vectors.has(id)) this.remove(id);
    const copy = Float32Array.from(vector);
    this.#index.add(BigInt(id), copy, 1);
    this.#vectors.set(id, copy);
  }

  /** Adds many vectors in one native call: used to build the graph at once. */
  addMany(ids: readonly number[], vectors: readonly Float32Array[]): void {
    const fresh: number[] = [];
    const rows: Float32Array[] = [];
    ids.forEach((id, i) => {
      if (this.#vectors.has(id)) this.add(id, vectors[i]);
      else {
        fresh.push(id);
        rows.push(vectors[i]);
      }
    });
    if (fresh.length === 0) return;
    const matrix = new Float32Array(fresh.length * this.dimensions);
    rows.forEach((v, i) => {
      if (v.length !== this.dimensions) {
        throw new RangeError(`HnswIndex: expected ${this.dimensions} dimensions, got ${v.length}`);
      }
      matrix.set(v, i * this.dimensions);
    });
    // One thread: usearch's multi-threaded batch add leaves some nodes unreachable (measured with
    // 16-dim unit vectors: 40 of 48,000 not among the top 8 for themselves with every core, 0
    // with one; 1-3 of 474 in a small graph), and an unreachable entry is a lost cache hit.
    this.#index.add(
      BigUint64Array.from(fresh, (id) => BigInt(id)),
      matrix,
      1,
    );
    fresh.forEach((id, i) =>
      this.#vectors.set(id, matrix.subarray(i * this.dimensions, (i + 1) * this.dimensions)),
    );
  }

  remove(id: number): boolean {
    if (!this.#vectors.delete(id)) return false;
    this.#index.remove(BigInt(id));
    this.#tombstones++;
    if (this.#tombstones > Math.max(MIN_TOMBSTONES_BEFORE_COMPACT, this.#vectors.size))
      this.#compact();
    return true;
  }

  has(id: number): boolean {
    return this.#vectors.has(id);
  }

  search(query: Float32Array, k: number): IndexMatch[] {
    const n = this.#vectors.size;
    if (n === 0 || k < 1) return [];
    const found = this.#index.search(query, Math.min(Math.max(k, RERANK_MIN), n), 1);
    const top = new TopK(Math.min(k, n));
    for (let i = 0; i < found.keys.length; i++) {
      const id = Number(found.keys[i]);
      const v = this.#vectors.get(id);
      if (v === undefined) continue;
      let score = 0;
      for (let d = 0; d < v.length; d++) score += query[d] * v[d];
      top.offer(id, score);
    }
    return top.matches();
  }

  vectorOf(id: number): Float32Array | undefined {
    const v = this.#vectors.get(id);
    return v === undefined ? undefined : Float32Array.from(v);
  }

  ids(): IterableIterator<number> {
    return this.#vectors.keys();
  }

  dispose(): void {
    this.#vectors.clear();
    this.#index = this.#create();
  }

  /** Removed nodes stay in usearch's graph as tombstones; rebuild once they dominate. */
  #compact(): void {
    const ids = [...this.#vectors.keys()];
    const vectors = ids.map((id) => this.#vectors.get(id)!);
    this.#vectors.clear();
    this.#index = this.#create();
    this.#tombstones = 0;
    this.addMany(ids, vectors);
  }

  #create(): UsearchIndex {
    return new this.#usearch.Index({
      dimensions: this.dimensions,
      metric: "ip",
      quantization: this.#options.quantization,
      connectivity: this.#options.connectivity,
      expansion_add: this.#options.expansionAdd,
      expansion_search: this.#options.expansionSearch,
      multi: false,
    });
  }
}

import { ErrorCode } from "../core/errors.js";
import type { Embedder } from "./embedders/embedder.js";
import type { SemanticStatsRecorder } from "./stats.js";

/**
 * Everything the cache receives from an embedder passes here. A provider that throws, times
 * out, answers with the wrong count or length, or with NaN, infinite or zero vectors, produces
 * `undefined` for the affected texts (counted in `embeddingFailures`), never a vector that could
 * land a wrong hit. Vectors that are not unit length are normalised: a custom embedder may forget.
 */
export class EmbeddingGate {
  readonly #embedder: Embedder;
  readonly #stats: SemanticStatsRecorder;
  readonly #warn: (code: string, message: string) => void;

  constructor(
    embedder: Embedder,
    stats: SemanticStatsRecorder,
    warn: (code: string, message: string) => void,
  ) {
    this.#embedder = embedder;
    this.#stats = stats;
    this.#warn = warn;
  }

  async embed(texts: readonly string[]): Promise<(Float32Array | undefined)[]> {
    if (texts.length === 0) return [];
    const started = performance.now();
    let vectors: unknown;
    try {
      vectors = await this.#embedder.embed(texts);
    } catch (error) {
      this.#stats.count("embeddingFailures", texts.length);
      this.#warn(
        ErrorCode.EMBEDDING,
        `embedder ${this.#embedder.id} failed: ${(error as Error)?.message ?? error}`,
      );
      return texts.map(() => undefined);
    } finally {
      this.#stats.recordEmbeddingLatency(performance.now() - started);
    }
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      this.#stats.count("embeddingFailures", texts.length);
      this.#warn(
        ErrorCode.EMBEDDING,
        `embedder ${this.#embedder.id} returned ${Array.isArray(vectors) ? vectors.length : typeof vectors} ` +
          `vectors for ${texts.length} texts`,
      );
      return texts.map(() => undefined);
    }
    return vectors.map((v: unknown) => {
      const checked = this.check(v);
      if (checked === undefined) {
        this.#stats.count("embeddingFailures");
        this.#warn(
          ErrorCode.EMBEDDING,
          `embedder ${this.#embedder.id} returned an invalid vector (${describe(v)})`,
        );
      }
      return checked;
    });
  }

  /** A unit-length copy of `v`, or undefined when it is not a usable vector of the right length. */
  check(v: unknown): Float32Array | undefined {
    if (!(v instanceof Float32Array) || v.length !== this.#embedder.dimensions) return undefined;
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
    if (!Number.isFinite(norm) || norm === 0) return undefined;
    norm = Math.sqrt(norm);
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
    return out;
  }
}

function describe(v: unknown): string {
  if (v instanceof Float32Array) return `${v.length} components`;
  return v === null ? "null" : typeof v;
}

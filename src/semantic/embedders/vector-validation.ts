import { CacheEmbeddingError } from "./errors.js";

/**
 * Checks a provider's answer for one batch and returns unit-length Float32Array copies. A bad
 * vector (wrong count or length, a non-number, NaN, Infinity, all zeros) throws: a cache that
 * indexed it would return wrong hits or none, silently.
 */
export function validateBatch(
  provider: string,
  dimensions: number,
  expectedCount: number,
  vectors: unknown,
): Float32Array[] {
  if (!Array.isArray(vectors)) {
    throw new CacheEmbeddingError(
      provider,
      `expected an array of vectors, got ${describe(vectors)}`,
    );
  }
  if (vectors.length !== expectedCount) {
    throw new CacheEmbeddingError(
      provider,
      `returned ${vectors.length} vectors for ${expectedCount} texts`,
    );
  }
  return vectors.map((vector: unknown, i) =>
    normaliseVector(provider, dimensions, vector, i, expectedCount),
  );
}

function normaliseVector(
  provider: string,
  dimensions: number,
  vector: unknown,
  index: number,
  count: number,
): Float32Array {
  const where = `vector ${index} of ${count}`;
  if (!isNumberArray(vector))
    throw new CacheEmbeddingError(provider, `${where} is ${describe(vector)}`);
  if (vector.length !== dimensions) {
    throw new CacheEmbeddingError(
      provider,
      `${where} has ${vector.length} dimensions, expected ${dimensions}`,
    );
  }
  let sumSquares = 0;
  for (let d = 0; d < dimensions; d++) {
    const x = vector[d];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new CacheEmbeddingError(provider, `${where} holds ${String(x)} at dimension ${d}`);
    }
    sumSquares += x * x;
  }
  if (sumSquares === 0 || !Number.isFinite(sumSquares)) {
    throw new CacheEmbeddingError(
      provider,
      `${where} has no direction (norm ${Math.sqrt(sumSquares)})`,
    );
  }
  const scale = 1 / Math.sqrt(sumSquares);
  const unit = new Float32Array(dimensions);
  for (let d = 0; d < dimensions; d++) unit[d] = vector[d] * scale;
  return unit;
}

function isNumberArray(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || value instanceof Float32Array || value instanceof Float64Array;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
}

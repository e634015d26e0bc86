/**
 * The persisted form of a semantic entry. It carries everything needed to rebuild the index
 * without calling the embedder again (the vector, with the embedder identity that made it), and
 * enough to recompute the exact key, so a record whose key does not match is refused.
 */
import { exactKey, type ScopeParts } from "./messages.js";

/** Store namespaces used by the semantic cache: `__semantic:<namespace>`. */
export const STORE_NAMESPACE_PREFIX = "__semantic:";

export function storeNamespace(namespace: string): string {
  return STORE_NAMESPACE_PREFIX + namespace;
}

export interface SemanticRecord extends ScopeParts {
  readonly v: 1;
  readonly contextHash: string;
  readonly text: string;
  readonly response: unknown;
  /** Embedder id and dimensions that made `vector`; null for an exact-only entry. */
  readonly embedder: string | null;
  readonly dimensions: number;
  readonly vector: Float32Array | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

const isString = (v: unknown): v is string => typeof v === "string";

/**
 * Validates a stored value. Returns `undefined` for anything that is not a well-formed record
 * whose fields reproduce `key`: such a record is skipped (and counted), never served.
 */
export function decodeRecord(value: unknown, key: string): SemanticRecord | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const r = value as Record<string, unknown>;
  if (r.v !== 1 || !isString(r.tenant) || !isString(r.model) || !isString(r.namespace))
    return undefined;
  if (!isString(r.contextHash) || !isString(r.text) || !("response" in r)) return undefined;
  if (
    exactKey(
      { tenant: r.tenant, model: r.model, namespace: r.namespace },
      r.contextHash,
      r.text,
    ) !== key
  ) {
    return undefined;
  }
  const dimensions = typeof r.dimensions === "number" ? r.dimensions : 0;
  const vector = isString(r.embedder) ? decodeVector(r.vector, dimensions) : null;
  return {
    v: 1,
    tenant: r.tenant,
    model: r.model,
    namespace: r.namespace,
    contextHash: r.contextHash,
    text: r.text,
    response: r.response,
    embedder: vector ? (r.embedder as string) : null,
    dimensions: vector ? dimensions : 0,
    vector,
    createdAt: typeof r.createdAt === "number" ? r.createdAt : 0,
  };
}

/**
 * msgpack returns a Float32Array; a JSON codec an array of numbers; some codecs raw bytes.
 * Anything else, or a vector with a non-finite component, makes the entry exact-only.
 */
function decodeVector(value: unknown, dimensions: number): Float32Array | null {
  let vector: Float32Array | null = null;
  if (value instanceof Float32Array) vector = value;
  else if (Array.isArray(value) && value.every((x) => typeof x === "number"))
    vector = Float32Array.from(value);
  else if (ArrayBuffer.isView(value) && value.byteLength === dimensions * 4) {
    vector = new Float32Array(
      value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength),
    );
  }
  if (vector === null || vector.length !== dimensions || dimensions === 0) return null;
  for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i])) return null;
  return vector;
}

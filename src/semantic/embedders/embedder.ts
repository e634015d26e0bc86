/**
 * An embedding provider. Implementations return one L2-normalised Float32Array per input text,
 * in order. `id` and `dimensions` are the embedder's identity: the semantic cache never compares
 * vectors made by different identities.
 */
export interface Embedder {
  /** Stable identity, `provider:model` (for example `hashing:v1`, `openai:text-embedding-3-small`). */
  readonly id: string;
  /** Vector length every call returns. */
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Releases sockets, workers or models. Optional. */
  close?(): Promise<void>;
}

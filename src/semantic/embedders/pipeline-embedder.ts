import type { Embedder } from "./embedder.js";
import type { EmbeddingPipeline, EmbeddingPipelineStats } from "./embedding-pipeline.js";

/**
 * An embedder whose work is done by an {@link EmbeddingPipeline} (the HTTP providers, local
 * models, custom functions): `embed`, `stats` and `close` hand off to it. A subclass builds its
 * pipeline in its constructor, after `super()` (so the request function may use `this`), and
 * passes it to {@link usePipeline}.
 */
export abstract class PipelineEmbedder implements Embedder {
  abstract readonly id: string;
  abstract readonly dimensions: number;
  #pipeline: EmbeddingPipeline | undefined;

  /** Sets the pipeline every call hands off to; returns it. */
  protected usePipeline(pipeline: EmbeddingPipeline): EmbeddingPipeline {
    this.#pipeline = pipeline;
    return pipeline;
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return this.#pipeline!.embed(texts);
  }

  stats(): EmbeddingPipelineStats {
    return this.#pipeline!.stats();
  }

  close(): Promise<void> {
    return this.#pipeline!.close();
  }
}

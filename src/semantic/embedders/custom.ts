import { CacheConfigError } from "../../core/errors.js";
import {
  EmbeddingPipeline,
  type EmbedBatch,
  type EmbeddingPipelineOptions,
} from "./embedding-pipeline.js";
import { PipelineEmbedder } from "./pipeline-embedder.js";

export interface CustomEmbedderOptions extends EmbeddingPipelineOptions {
  /**
   * Names the model behind the function; the id becomes `custom:<name>`. Change it whenever the
   * function starts producing different vectors, or old entries will be compared with new ones.
   */
  name: string;
  /** Vector length the function returns. */
  dimensions: number;
  /**
   * Returns one vector per text, in order. Vectors need not be normalised; they are validated
   * and normalised. Throw a `CacheEmbeddingError` with `retryable: true` to get retries.
   */
  embed: EmbedBatch;
  /** Called once by `close()`. */
  close?: () => Promise<void>;
}

/** A user's own embedding function, with the same batching, cache and validation as the rest. */
export class CustomEmbedder extends PipelineEmbedder {
  readonly id: string;
  readonly dimensions: number;

  constructor(options: CustomEmbedderOptions, configPath = "semantic.embedder") {
    super();
    if (typeof options.name !== "string" || options.name.trim() === "") {
      throw new CacheConfigError(`${configPath}.name`, "must name the model behind the function");
    }
    if (typeof options.embed !== "function") {
      throw new CacheConfigError(
        `${configPath}.embed`,
        "must be a function (texts, { signal }) => vectors",
      );
    }
    this.id = `custom:${options.name}`;
    const pipeline = this.usePipeline(
      new EmbeddingPipeline(
        { id: this.id, dimensions: options.dimensions, onClose: options.close },
        options.embed,
        options,
        configPath,
      ),
    );
    this.dimensions = pipeline.dimensions;
  }
}

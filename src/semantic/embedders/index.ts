export type { Embedder } from "./embedder.js";
export { CacheEmbeddingError, type EmbeddingErrorDetails } from "./errors.js";
export { EmbeddingCache } from "./embedding-cache.js";
export {
  EmbeddingPipeline,
  type EmbedBatch,
  type EmbeddingPipelineOptions,
  type EmbeddingPipelineStats,
  type EmbeddingRequestContext,
} from "./embedding-pipeline.js";
export { PipelineEmbedder } from "./pipeline-embedder.js";
export {
  HashingEmbedder,
  HASHING_V1,
  type HashingEmbedderOptions,
  type HashingRecipe,
} from "./hashing.js";
export { OpenAIEmbedder, type OpenAIEmbedderOptions } from "./openai.js";
export { OllamaEmbedder, type OllamaEmbedderOptions } from "./ollama.js";
export {
  TransformersEmbedder,
  type TransformersEmbedderOptions,
  type TransformersModule,
} from "./transformers.js";
export { CustomEmbedder, type CustomEmbedderOptions } from "./custom.js";
export { createEmbedder, EmbeddingProvider, type EmbedderConfig } from "./factory.js";

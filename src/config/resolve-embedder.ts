/**
 * `cache.semantic.embedding_model` and `cache.semantic.embedder` → the EmbedderConfig of
 * `createEmbedder`. The seed names only a model (`text-embedding-ada-002`), so the provider is
 * inferred from the model when `embedder.provider` is absent: `hashing` is the offline default and
 * `text-embedding-*` is OpenAI's; anything else needs a provider.
 */
import { toMillis } from "../core/duration.js";
import { CacheConfigError } from "../core/errors.js";
import type { EmbeddingPipelineOptions } from "../semantic/embedders/embedding-pipeline.js";
import { expandHome } from "./resolve-paths.js";
import type { EmbedderSection, SemanticSection } from "./schema.js";
import type { SemanticSystemConfig } from "./types.js";

type Provider = EmbedderSection["provider"];
const NETWORK: readonly Provider[] = ["openai", "ollama", "transformers"];

/** Which providers each `embedder` key applies to; others reject it. */
const APPLIES: Record<Exclude<keyof EmbedderSection, "provider">, readonly Provider[]> = {
  base_url: ["openai", "ollama"],
  path: ["openai"],
  api_key: ["openai"],
  api_key_header: ["openai"],
  query: ["openai"],
  headers: ["openai", "ollama"],
  dimensions: ["hashing", "openai", "ollama", "transformers"],
  send_dimensions: ["openai"],
  model_path: ["transformers"],
  pooling: ["transformers"],
  dtype: ["transformers"],
  truncate: ["ollama"],
  keep_alive: ["ollama"],
  timeout: NETWORK,
  max_retries: NETWORK,
  max_concurrency: NETWORK,
  cache_size: NETWORK,
};

const PATH = "cache.semantic";

function inferProvider(model: string | undefined): Provider {
  if (model === undefined || model === "hashing" || model.startsWith("hashing:")) return "hashing";
  if (model.startsWith("text-embedding-")) return "openai";
  throw new CacheConfigError(
    `${PATH}.embedding_model`,
    `cannot tell which provider serves ${JSON.stringify(model)}; set ${PATH}.embedder.provider (openai, ollama or transformers)`,
  );
}

function pipeline(e: Partial<EmbedderSection>, batchSize: number): EmbeddingPipelineOptions {
  return {
    maxBatchSize: batchSize,
    ...(e.timeout !== undefined && { timeoutMs: toMillis(e.timeout, `${PATH}.embedder.timeout`) }),
    ...(e.max_retries !== undefined && { maxRetries: e.max_retries }),
    ...(e.max_concurrency !== undefined && { maxConcurrency: e.max_concurrency }),
    ...(e.cache_size !== undefined && { cacheSize: e.cache_size }),
  };
}

export function resolveEmbedder(
  section: SemanticSection,
  batchSize: number,
): SemanticSystemConfig["embedder"] {
  const e: Partial<EmbedderSection> = section.embedder ?? {};
  const model = section.embedding_model;
  const provider = e.provider ?? inferProvider(model);
  for (const key of Object.keys(e) as (keyof EmbedderSection)[]) {
    if (key === "provider") continue;
    if (!APPLIES[key].includes(provider)) {
      throw new CacheConfigError(
        `${PATH}.embedder.${key}`,
        `does not apply to provider ${provider} (only to ${APPLIES[key].join(", ")})`,
      );
    }
  }
  const dimensions = e.dimensions !== undefined ? { dimensions: e.dimensions } : {};
  switch (provider) {
    case "hashing":
      if (model !== undefined && model !== "hashing" && !model.startsWith("hashing:")) {
        throw new CacheConfigError(
          `${PATH}.embedding_model`,
          `provider hashing has no models; remove embedding_model or set it to "hashing", got ${JSON.stringify(model)}`,
        );
      }
      return { provider, ...dimensions };
    case "openai":
    case "ollama": {
      if (model === undefined || model === "hashing") {
        throw new CacheConfigError(
          `${PATH}.embedding_model`,
          `provider ${provider} needs the model name`,
        );
      }
      const common = {
        model,
        ...dimensions,
        ...(e.base_url !== undefined && { baseUrl: e.base_url }),
        ...(e.headers !== undefined && { headers: { ...e.headers } }),
        ...pipeline(e, batchSize),
      };
      if (provider === "ollama") {
        return {
          provider,
          ...common,
          ...(e.truncate !== undefined && { truncate: e.truncate }),
          ...(e.keep_alive !== undefined && { keepAlive: e.keep_alive }),
        };
      }
      return {
        provider,
        ...common,
        ...(e.path !== undefined && { path: e.path }),
        ...(e.api_key !== undefined && { apiKey: e.api_key }),
        ...(e.api_key_header !== undefined && { apiKeyHeader: e.api_key_header }),
        ...(e.query !== undefined && { query: { ...e.query } }),
        ...(e.send_dimensions !== undefined && { sendDimensions: e.send_dimensions }),
      };
    }
    case "transformers":
      if (e.model_path === undefined) {
        throw new CacheConfigError(
          `${PATH}.embedder.model_path`,
          "provider transformers needs the local model folder",
        );
      }
      return {
        provider,
        modelPath: expandHome(e.model_path),
        ...dimensions,
        ...(e.pooling !== undefined && { pooling: e.pooling }),
        ...(e.dtype !== undefined && { dtype: e.dtype }),
        ...pipeline(e, batchSize),
      };
  }
}

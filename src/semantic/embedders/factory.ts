import { CacheConfigError } from "../../core/errors.js";
import { CustomEmbedder, type CustomEmbedderOptions } from "./custom.js";
import type { Embedder } from "./embedder.js";
import { HashingEmbedder, type HashingEmbedderOptions } from "./hashing.js";
import { OllamaEmbedder, type OllamaEmbedderOptions } from "./ollama.js";
import { OpenAIEmbedder, type OpenAIEmbedderOptions } from "./openai.js";
import { TransformersEmbedder, type TransformersEmbedderOptions } from "./transformers.js";

/** Embedding providers by config name. */
export const EmbeddingProvider = {
  HASHING: "hashing",
  OPENAI: "openai",
  OLLAMA: "ollama",
  TRANSFORMERS: "transformers",
  CUSTOM: "custom",
} as const;
export type EmbeddingProvider = (typeof EmbeddingProvider)[keyof typeof EmbeddingProvider];

/** The `semantic.embedder` config: a provider name plus that provider's options. */
export type EmbedderConfig =
  | ({ provider: "hashing" } & HashingEmbedderOptions)
  | ({ provider: "openai" } & OpenAIEmbedderOptions)
  | ({ provider: "ollama" } & OllamaEmbedderOptions)
  | ({ provider: "transformers" } & TransformersEmbedderOptions)
  | ({ provider: "custom" } & CustomEmbedderOptions);

const PROVIDERS: readonly string[] = Object.values(EmbeddingProvider);

/**
 * Builds an embedder from config. No config (or `{ provider: "hashing" }`) gives the offline
 * hashing embedder. Bad config throws a CacheConfigError naming the path, e.g.
 * `semantic.embedder.baseUrl`.
 */
export function createEmbedder(
  config?: EmbedderConfig,
  configPath = "semantic.embedder",
): Embedder {
  if (config === undefined) return new HashingEmbedder();
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new CacheConfigError(configPath, "must be an object with a `provider`");
  }
  const { provider } = config as { provider?: unknown };
  if (typeof provider !== "string" || !PROVIDERS.includes(provider)) {
    throw new CacheConfigError(
      `${configPath}.provider`,
      `must be one of ${PROVIDERS.join(", ")}, got ${JSON.stringify(provider)}`,
    );
  }
  for (const key of ["apiKey", "model", "baseUrl", "modelPath", "name"] as const) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== "string") {
      throw new CacheConfigError(`${configPath}.${key}`, `must be a string, got ${typeof value}`);
    }
  }
  const dimensions = (config as { dimensions?: unknown }).dimensions;
  if (
    dimensions !== undefined &&
    (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1)
  ) {
    throw new CacheConfigError(
      `${configPath}.dimensions`,
      `must be a positive integer, got ${String(dimensions)}`,
    );
  }
  switch (config.provider) {
    case "hashing":
      return new HashingEmbedder(config, configPath);
    case "openai":
      return new OpenAIEmbedder(config, configPath);
    case "ollama":
      return new OllamaEmbedder(config, configPath);
    case "transformers":
      return new TransformersEmbedder(config, configPath);
    case "custom":
      return new CustomEmbedder(config, configPath);
  }
}

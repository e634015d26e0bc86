import { describe, expect, it } from "vitest";
import { CacheConfigError } from "../../../src/core/errors.js";
import { CustomEmbedder } from "../../../src/semantic/embedders/custom.js";
import { createEmbedder, type EmbedderConfig } from "../../../src/semantic/embedders/factory.js";
import { HashingEmbedder } from "../../../src/semantic/embedders/hashing.js";
import { OllamaEmbedder } from "../../../src/semantic/embedders/ollama.js";
import { OpenAIEmbedder } from "../../../src/semantic/embedders/openai.js";
import { TransformersEmbedder } from "../../../src/semantic/embedders/transformers.js";

function configError(config: unknown, configPath?: string): CacheConfigError {
  try {
    createEmbedder(config as EmbedderConfig, configPath);
  } catch (error) {
    expect(error).toBeInstanceOf(CacheConfigError);
    return error as CacheConfigError;
  }
  throw new Error(`expected ${JSON.stringify(config)} to be rejected`);
}

describe("createEmbedder", () => {
  it("defaults to the hashing embedder", () => {
    const embedder = createEmbedder();
    expect(embedder).toBeInstanceOf(HashingEmbedder);
    expect(embedder.id).toBe("hashing:v1:384");
    expect(createEmbedder({ provider: "hashing", dimensions: 512 }).id).toBe("hashing:v1:512");
  });

  it("builds each provider", () => {
    expect(createEmbedder({ provider: "openai", model: "text-embedding-3-small" })).toBeInstanceOf(
      OpenAIEmbedder,
    );
    expect(createEmbedder({ provider: "ollama", model: "nomic-embed-text" })).toBeInstanceOf(
      OllamaEmbedder,
    );
    expect(
      createEmbedder({ provider: "transformers", modelPath: "/models/x", dimensions: 8 }),
    ).toBeInstanceOf(TransformersEmbedder);
    const custom = createEmbedder({
      provider: "custom",
      name: "f",
      dimensions: 2,
      embed: async (t) => t.map(() => [1, 0]),
    });
    expect(custom).toBeInstanceOf(CustomEmbedder);
  });

  it.each([
    [null, "semantic.embedder"],
    [{ provider: "bert" }, "semantic.embedder.provider"],
    [{}, "semantic.embedder.provider"],
    [
      { provider: "openai", model: "m", dimensions: 8, baseUrl: "not a url" },
      "semantic.embedder.baseUrl",
    ],
    [
      { provider: "openai", model: "m", dimensions: 8, baseUrl: "ftp://host" },
      "semantic.embedder.baseUrl",
    ],
    [
      { provider: "openai", model: "m", dimensions: 8, baseUrl: "http://h?key=1" },
      "semantic.embedder.baseUrl",
    ],
    [{ provider: "openai", model: "m", dimensions: 8, baseUrl: 42 }, "semantic.embedder.baseUrl"],
    [{ provider: "openai", model: "my-model" }, "semantic.embedder.dimensions"],
    [{ provider: "openai", model: "" }, "semantic.embedder.model"],
    [{ provider: "openai", model: "m", dimensions: 0 }, "semantic.embedder.dimensions"],
    [{ provider: "openai", model: "m", dimensions: 1.5 }, "semantic.embedder.dimensions"],
    [{ provider: "openai", model: "m", dimensions: 8, apiKey: 1 }, "semantic.embedder.apiKey"],
    [
      { provider: "openai", model: "m", dimensions: 8, maxBatchSize: 0 },
      "semantic.embedder.maxBatchSize",
    ],
    [
      { provider: "openai", model: "m", dimensions: 8, maxConcurrency: -1 },
      "semantic.embedder.maxConcurrency",
    ],
    [
      { provider: "openai", model: "m", dimensions: 8, timeoutMs: 0 },
      "semantic.embedder.timeoutMs",
    ],
    [
      { provider: "openai", model: "m", dimensions: 8, maxRetries: 1.5 },
      "semantic.embedder.maxRetries",
    ],
    [{ provider: "ollama", model: "unknown-model" }, "semantic.embedder.dimensions"],
    [
      { provider: "ollama", model: "m", dimensions: 8, baseUrl: "localhost:11434" },
      "semantic.embedder.baseUrl",
    ],
    [{ provider: "hashing", dimensions: 8 }, "semantic.embedder.dimensions"],
    [{ provider: "transformers" }, "semantic.embedder.modelPath"],
    [{ provider: "transformers", modelPath: "/no/such/model" }, "semantic.embedder.dimensions"],
    [{ provider: "custom", name: "f", dimensions: 2 }, "semantic.embedder.embed"],
    [{ provider: "custom", dimensions: 2, embed: async () => [] }, "semantic.embedder.name"],
  ])("rejects %j at %s", (config, path) => {
    const error = configError(config);
    expect(error.path).toBe(path);
    expect(error.code).toBe("ERR_CACHE_CONFIG");
    expect(error.message.startsWith(path + ":")).toBe(true);
  });

  it("names paths under a caller's prefix", () => {
    expect(
      configError(
        { provider: "openai", model: "m", dimensions: 8, baseUrl: "x" },
        "profiles.dev.embedder",
      ).path,
    ).toBe("profiles.dev.embedder.baseUrl");
  });
});

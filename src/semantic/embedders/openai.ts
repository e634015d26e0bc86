import { CacheConfigError } from "../../core/errors.js";
import { EmbeddingPipeline, type EmbeddingPipelineOptions } from "./embedding-pipeline.js";
import { PipelineEmbedder } from "./pipeline-embedder.js";
import { CacheEmbeddingError } from "./errors.js";
import { postJson } from "./http-transport.js";
import { joinUrl, requireHttpUrl } from "./url.js";

/** Native vector lengths of OpenAI's embedding models, used when `dimensions` is not given. */
const KNOWN_DIMENSIONS: Readonly<Record<string, number>> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

export interface OpenAIEmbedderOptions extends EmbeddingPipelineOptions {
  /** Model name sent as `model`. */
  model: string;
  /**
   * Server root; `path` is appended. OpenAI, vLLM (`http://host:8000`), LM Studio
   * (`http://localhost:1234`), Ollama's compatible API (`http://localhost:11434`), or an Azure
   * deployment (`https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT` with
   * `path: "/embeddings"`, `apiKeyHeader: "api-key"`, `query: { "api-version": "..." }`).
   * @default "https://api.openai.com"
   */
  baseUrl?: string;
  /** Request path under `baseUrl`. @default "/v1/embeddings" */
  path?: string;
  /** Sent as `Authorization: Bearer <apiKey>` (or in `apiKeyHeader`). Optional for local servers. */
  apiKey?: string;
  /** Header that carries the key: `authorization` (Bearer) or `api-key` (Azure). @default "authorization" */
  apiKeyHeader?: "authorization" | "api-key";
  /** Query parameters added to every request, e.g. `{ "api-version": "2024-02-01" }` for Azure. */
  query?: Record<string, string>;
  /** Extra request headers (organisation, project, gateway tokens). */
  headers?: Record<string, string>;
  /**
   * Vector length. Required for models not in the built-in table (vLLM, LM Studio, ...).
   * @default the model's native length for text-embedding-3-small/-large and ada-002
   */
  dimensions?: number;
  /**
   * Send `dimensions` in the request so the server shortens vectors (only OpenAI's
   * text-embedding-3 models and matryoshka models support it; others reject the field).
   * @default true for text-embedding-3 models when `dimensions` is given, else false
   */
  sendDimensions?: boolean;
}

/**
 * Any OpenAI-compatible `POST /v1/embeddings`: `{ model, input: string[] }` answered by
 * `{ data: [{ index, embedding }] }`. Wrapped in an {@link EmbeddingPipeline}, so batching,
 * retries, timeouts, the embedding cache and vector validation apply.
 */
export class OpenAIEmbedder extends PipelineEmbedder {
  readonly id: string;
  readonly dimensions: number;

  constructor(options: OpenAIEmbedderOptions, configPath = "semantic.embedder") {
    super();
    const model = options.model;
    if (typeof model !== "string" || model.trim() === "") {
      throw new CacheConfigError(`${configPath}.model`, "must name the embedding model");
    }
    const dimensions = options.dimensions ?? KNOWN_DIMENSIONS[model];
    if (dimensions === undefined) {
      throw new CacheConfigError(
        `${configPath}.dimensions`,
        `is required for model "${model}" (its length is not known)`,
      );
    }
    const baseUrl = requireHttpUrl(
      options.baseUrl ?? "https://api.openai.com",
      `${configPath}.baseUrl`,
    );
    const url = joinUrl(baseUrl, options.path ?? "/v1/embeddings", options.query);
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey !== undefined && options.apiKey !== "") {
      if ((options.apiKeyHeader ?? "authorization") === "api-key")
        headers["api-key"] = options.apiKey;
      else headers.authorization = `Bearer ${options.apiKey}`;
    }
    const sendDimensions =
      options.sendDimensions ??
      (options.dimensions !== undefined && model.startsWith("text-embedding-3"));

    this.id = `openai:${model}`;
    this.dimensions = dimensions;
    const id = this.id;
    this.usePipeline(
      new EmbeddingPipeline(
        { id, dimensions },
        async (texts, { signal }) => {
          const body: Record<string, unknown> = { model, input: texts };
          if (sendDimensions) body.dimensions = dimensions;
          return parseOpenAIResponse(
            id,
            await postJson(id, url, body, { headers, signal }),
            texts.length,
          );
        },
        options,
        configPath,
      ),
    );
  }
}

/** `data` sorted by `index`; base64 embeddings (little-endian float32) are decoded too. */
export function parseOpenAIResponse(
  provider: string,
  json: unknown,
  count: number,
): ArrayLike<number>[] {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new CacheEmbeddingError(provider, "answer has no `data` array");
  const vectors = new Array<unknown>(count);
  const seen = new Array<boolean>(count).fill(false);
  data.forEach((item: { index?: unknown; embedding?: unknown } | null, position) => {
    const index = item?.index ?? position;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new CacheEmbeddingError(
        provider,
        `data[${position}].index ${String(index)} is outside 0..${count - 1}`,
      );
    }
    if (seen[index])
      throw new CacheEmbeddingError(provider, `index ${index} appears twice in data`);
    seen[index] = true;
    const embedding = item?.embedding;
    vectors[index] = typeof embedding === "string" ? decodeBase64Floats(embedding) : embedding;
  });
  if (data.length !== count) {
    throw new CacheEmbeddingError(
      provider,
      `answer has ${data.length} embeddings for ${count} texts`,
    );
  }
  // Element types are checked by validateBatch, which every pipeline runs next.
  return vectors as ArrayLike<number>[];
}

function decodeBase64Floats(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const floats = new Float32Array(Math.floor(bytes.length / 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < floats.length; i++) floats[i] = view.getFloat32(i * 4, true);
  return floats;
}

import { CacheConfigError } from "../../core/errors.js";
import { EmbeddingPipeline, type EmbeddingPipelineOptions } from "./embedding-pipeline.js";
import { PipelineEmbedder } from "./pipeline-embedder.js";
import { CacheEmbeddingError } from "./errors.js";
import { postJson } from "./http-transport.js";
import { joinUrl, requireHttpUrl } from "./url.js";

/** Vector lengths of common Ollama embedding models (tags such as `:latest` are ignored). */
const KNOWN_DIMENSIONS: Readonly<Record<string, number>> = {
  "nomic-embed-text": 768,
  "mxbai-embed-large": 1024,
  "all-minilm": 384,
  "snowflake-arctic-embed": 1024,
  "bge-m3": 1024,
};

export interface OllamaEmbedderOptions extends EmbeddingPipelineOptions {
  /** Model name, e.g. `nomic-embed-text`. */
  model: string;
  /** Ollama server root. @default "http://127.0.0.1:11434" */
  baseUrl?: string;
  /**
   * Vector length. Required for models not in the built-in table.
   * @default known for nomic-embed-text, mxbai-embed-large, all-minilm, snowflake-arctic-embed, bge-m3
   */
  dimensions?: number;
  /** Let Ollama truncate inputs longer than the model's context instead of failing. @default true */
  truncate?: boolean;
  /** How long Ollama keeps the model loaded after a request, e.g. "5m". @default Ollama's own */
  keepAlive?: string;
  /** Extra request headers (a reverse proxy's token). */
  headers?: Record<string, string>;
}

/** Ollama's native `POST /api/embed`: `{ model, input }` answered by `{ embeddings }`. */
export class OllamaEmbedder extends PipelineEmbedder {
  readonly id: string;
  readonly dimensions: number;

  constructor(options: OllamaEmbedderOptions, configPath = "semantic.embedder") {
    super();
    const model = options.model;
    if (typeof model !== "string" || model.trim() === "") {
      throw new CacheConfigError(`${configPath}.model`, "must name the embedding model");
    }
    const dimensions = options.dimensions ?? KNOWN_DIMENSIONS[model.replace(/:latest$/, "")];
    if (dimensions === undefined) {
      throw new CacheConfigError(
        `${configPath}.dimensions`,
        `is required for model "${model}" (its length is not known)`,
      );
    }
    const url = joinUrl(
      requireHttpUrl(options.baseUrl ?? "http://127.0.0.1:11434", `${configPath}.baseUrl`),
      "/api/embed",
    );
    const headers = { ...options.headers };
    this.id = `ollama:${model}`;
    this.dimensions = dimensions;
    const id = this.id;
    this.usePipeline(
      new EmbeddingPipeline(
        { id, dimensions },
        async (texts, { signal }) => {
          const body: Record<string, unknown> = {
            model,
            input: texts,
            truncate: options.truncate ?? true,
          };
          if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
          const json = await postJson(id, url, body, { headers, signal });
          const embeddings = (json as { embeddings?: unknown } | null)?.embeddings;
          if (!Array.isArray(embeddings))
            throw new CacheEmbeddingError(id, "answer has no `embeddings` array");
          return embeddings as ArrayLike<number>[];
        },
        options,
        configPath,
      ),
    );
  }
}

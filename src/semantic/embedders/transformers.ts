import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { CacheConfigError } from "../../core/errors.js";
import { EmbeddingPipeline, type EmbeddingPipelineOptions } from "./embedding-pipeline.js";
import { PipelineEmbedder } from "./pipeline-embedder.js";
import { CacheEmbeddingError } from "./errors.js";

/** The slice of `@huggingface/transformers` this provider uses. */
export interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  pipeline(
    task: "feature-extraction",
    model: string,
    options: { dtype?: string; local_files_only?: boolean },
  ): Promise<FeatureExtractor>;
}

interface FeatureExtractor {
  (
    texts: string[],
    options: { pooling: "mean" | "cls"; normalize: boolean },
  ): Promise<{
    dims: number[];
    data: ArrayLike<number>;
  }>;
  dispose?(): Promise<void>;
}

export interface TransformersEmbedderOptions extends EmbeddingPipelineOptions {
  /**
   * Local model folder in the Hugging Face layout: `config.json`, `tokenizer.json`,
   * `tokenizer_config.json` and `onnx/model.onnx` (or `onnx/model_<dtype>.onnx`). Nothing is
   * downloaded: remote models are switched off.
   */
  modelPath: string;
  /** Vector length. @default `hidden_size` from the folder's config.json */
  dimensions?: number;
  /** Token pooling: mean over the attention mask (sentence-transformers style) or the CLS token. @default "mean" */
  pooling?: "mean" | "cls";
  /** ONNX weights variant: "fp32" loads onnx/model.onnx, "q8" onnx/model_quantized.onnx, ... @default "fp32" */
  dtype?: "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4" | "bnb4" | "q4f16";
  /** Loads the library; replace to use a bundled or differently located copy. @default import("@huggingface/transformers") */
  loadModule?: () => Promise<TransformersModule>;
}

const PACKAGE = "@huggingface/transformers";

/**
 * Local embeddings through `@huggingface/transformers` (an optional dependency, imported on
 * first use) and ONNX Runtime. One request at a time and no retries by default: the work is
 * CPU-bound and local failures do not heal by themselves.
 */
export class TransformersEmbedder extends PipelineEmbedder {
  readonly id: string;
  readonly dimensions: number;
  #extractor: Promise<FeatureExtractor> | undefined;

  constructor(options: TransformersEmbedderOptions, configPath = "semantic.embedder") {
    super();
    if (typeof options.modelPath !== "string" || options.modelPath.trim() === "") {
      throw new CacheConfigError(`${configPath}.modelPath`, "must name a local model folder");
    }
    const modelPath = resolve(options.modelPath);
    const dimensions = options.dimensions ?? hiddenSize(modelPath, `${configPath}.dimensions`);
    const pooling = options.pooling ?? "mean";
    this.id = `transformers:${basename(modelPath)}`;
    this.dimensions = dimensions;
    const load = (): Promise<FeatureExtractor> => {
      this.#extractor ??= loadExtractor(this.id, modelPath, options).catch((error: unknown) => {
        this.#extractor = undefined; // let a later call try again (e.g. after an install)
        throw error;
      });
      return this.#extractor;
    };
    this.usePipeline(
      new EmbeddingPipeline(
        {
          id: this.id,
          dimensions,
          onClose: async () => (await this.#extractor?.catch(() => undefined))?.dispose?.(),
        },
        async (texts) => {
          const extractor = await load();
          const output = await extractor(texts, { pooling, normalize: true });
          const width = output.dims[output.dims.length - 1];
          return texts.map(
            (_, i) =>
              Array.prototype.slice.call(output.data, i * width, (i + 1) * width) as number[],
          );
        },
        { maxConcurrency: 1, maxRetries: 0, maxBatchSize: 32, ...options },
        configPath,
      ),
    );
  }
}

// The library's `env` is process-global: loads run one at a time so each sees its own paths.
let loadQueue: Promise<unknown> = Promise.resolve();

function loadExtractor(
  id: string,
  modelPath: string,
  options: TransformersEmbedderOptions,
): Promise<FeatureExtractor> {
  const load = loadQueue.then(() => loadExtractorNow(id, modelPath, options));
  loadQueue = load.catch(() => undefined);
  return load;
}

async function loadExtractorNow(
  id: string,
  modelPath: string,
  options: TransformersEmbedderOptions,
): Promise<FeatureExtractor> {
  let module: TransformersModule;
  try {
    module = await (options.loadModule ?? importTransformers)();
  } catch (error) {
    const missing = (error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND";
    throw new CacheEmbeddingError(
      id,
      missing
        ? `${PACKAGE} is not installed; it is an optional dependency: \`npm install ${PACKAGE}\``
        : `${PACKAGE} failed to load: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  module.env.allowRemoteModels = false;
  module.env.allowLocalModels = true;
  module.env.localModelPath = dirname(modelPath) + "/";
  try {
    return await module.pipeline("feature-extraction", basename(modelPath), {
      dtype: options.dtype ?? "fp32",
      local_files_only: true,
    });
  } catch (error) {
    throw new CacheEmbeddingError(
      id,
      `could not load the model from ${modelPath}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

async function importTransformers(): Promise<TransformersModule> {
  // A variable specifier keeps TypeScript and bundlers from requiring the optional package.
  const specifier: string = PACKAGE;
  return (await import(specifier)) as TransformersModule;
}

function hiddenSize(modelPath: string, path: string): number {
  let config: { hidden_size?: unknown; dim?: unknown; d_model?: unknown };
  try {
    config = JSON.parse(readFileSync(resolve(modelPath, "config.json"), "utf8")) as typeof config;
  } catch (error) {
    throw new CacheConfigError(path, `is required: ${modelPath}/config.json could not be read`, {
      cause: error,
    });
  }
  const size = config.hidden_size ?? config.dim ?? config.d_model;
  if (typeof size !== "number")
    throw new CacheConfigError(path, `is required: config.json has no hidden_size`);
  return size;
}

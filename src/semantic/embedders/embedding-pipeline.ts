import { CacheClosedError, CacheConfigError, CacheTimeoutError } from "../../core/errors.js";
import type { Embedder } from "./embedder.js";
import { EmbeddingCache } from "./embedding-cache.js";
import { CacheEmbeddingError } from "./errors.js";
import { validateBatch } from "./vector-validation.js";

/** What a provider's single request receives. */
export interface EmbeddingRequestContext {
  /** Aborted on timeout or `close()`; pass it to `fetch` or your own client. */
  signal: AbortSignal;
}

/** One provider request: vectors for `texts`, in order. */
export type EmbedBatch = (
  texts: string[],
  context: EmbeddingRequestContext,
) => Promise<ArrayLike<number>[]>;

/** Batching, concurrency, timeout, retry and embedding-cache settings shared by every provider. */
export interface EmbeddingPipelineOptions {
  /** Most texts in one provider request. Larger inputs are split. @default 64 */
  maxBatchSize?: number;
  /** Most provider requests in flight at once, across all concurrent `embed` calls. @default 4 */
  maxConcurrency?: number;
  /** Time limit for one request attempt, in milliseconds. @default 30000 */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure (429, 5xx, network error, timeout). @default 3 */
  maxRetries?: number;
  /** First retry delay in milliseconds; doubles per attempt, with jitter. @default 250 */
  retryBaseDelayMs?: number;
  /**
   * Longest wait before a retry, in milliseconds. A `Retry-After` longer than this fails the
   * call at once: a cache lookup should fall back to a miss rather than stall.
   * @default 10000
   */
  retryMaxDelayMs?: number;
  /** Embeddings remembered by text (0 turns the cache off). Ignored when `cache` is given. @default 2000 */
  cacheSize?: number;
  /** A cache shared with other embedders (keys include the embedder id). */
  cache?: EmbeddingCache;
  /** Waits before a retry; injectable so tests can observe backoff without sleeping. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface EmbeddingPipelineStats {
  /** Provider requests sent, retries included. */
  requests: number;
  retries: number;
  /** Calls that failed after their last attempt. */
  failures: number;
  /** Texts answered from the embedding cache or from an identical request in flight. */
  cacheHits: number;
  /** Texts sent to the provider. */
  textsEmbedded: number;
}

/**
 * Wraps one provider's request function with everything a production embedder needs: dedup and
 * an LRU embedding cache, batching, bounded concurrency, per-attempt timeouts, retries with
 * exponential backoff honouring `Retry-After`, and validation plus normalisation of every vector.
 */
export class EmbeddingPipeline implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly #embedBatch: EmbedBatch;
  readonly #maxBatchSize: number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #cache: EmbeddingCache | undefined;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #limit: ConcurrencyLimit;
  readonly #inflight = new Map<string, Promise<Float32Array>>();
  readonly #closing = new AbortController();
  readonly #onClose: (() => Promise<void>) | undefined;
  readonly #stats: EmbeddingPipelineStats = {
    requests: 0,
    retries: 0,
    failures: 0,
    cacheHits: 0,
    textsEmbedded: 0,
  };

  constructor(
    identity: { id: string; dimensions: number; onClose?: () => Promise<void> },
    embedBatch: EmbedBatch,
    options: EmbeddingPipelineOptions = {},
    configPath = "semantic.embedder",
  ) {
    this.id = identity.id;
    this.dimensions = positiveInteger(identity.dimensions, `${configPath}.dimensions`);
    this.#onClose = identity.onClose;
    this.#embedBatch = embedBatch;
    this.#maxBatchSize = positiveInteger(options.maxBatchSize ?? 64, `${configPath}.maxBatchSize`);
    this.#limit = new ConcurrencyLimit(
      positiveInteger(options.maxConcurrency ?? 4, `${configPath}.maxConcurrency`),
    );
    this.#timeoutMs = positiveInteger(options.timeoutMs ?? 30_000, `${configPath}.timeoutMs`);
    this.#maxRetries = nonNegativeInteger(options.maxRetries ?? 3, `${configPath}.maxRetries`);
    this.#retryBaseDelayMs = nonNegativeInteger(
      options.retryBaseDelayMs ?? 250,
      `${configPath}.retryBaseDelayMs`,
    );
    this.#retryMaxDelayMs = nonNegativeInteger(
      options.retryMaxDelayMs ?? 10_000,
      `${configPath}.retryMaxDelayMs`,
    );
    const cacheSize = nonNegativeInteger(options.cacheSize ?? 2000, `${configPath}.cacheSize`);
    this.#cache = options.cache ?? (cacheSize > 0 ? new EmbeddingCache(cacheSize) : undefined);
    this.#sleep = options.sleep ?? abortableSleep;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.#closing.signal.aborted) throw new CacheClosedError(`embedder ${this.id}`);
    if (!Array.isArray(texts))
      throw new CacheEmbeddingError(this.id, "embed() expects an array of strings");
    const pending: Promise<Float32Array>[] = [];
    const todo: string[] = [];
    const started = new Map<string, Deferred>();
    for (let i = 0; i < texts.length; i++) {
      const text: unknown = texts[i];
      if (typeof text !== "string") {
        throw new CacheEmbeddingError(
          this.id,
          `texts[${i}] is ${text === null ? "null" : typeof text}, not a string`,
        );
      }
      pending.push(this.#lookup(text, todo, started));
    }
    for (let start = 0; start < todo.length; start += this.#maxBatchSize) {
      const batch = todo.slice(start, start + this.#maxBatchSize);
      void this.#limit
        .run(() => this.#requestWithRetries(batch))
        .then(
          (vectors) => batch.forEach((text, k) => this.#settle(text, started, vectors[k])),
          (error: unknown) =>
            batch.forEach((text) => this.#settle(text, started, undefined, error)),
        );
    }
    const vectors = await Promise.all(pending);
    // Copies: callers may write into their vectors; the cached originals must stay intact.
    return vectors.map((v) => v.slice());
  }

  stats(): EmbeddingPipelineStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort(new CacheClosedError(`embedder ${this.id}`));
    await this.#onClose?.();
  }

  #lookup(text: string, todo: string[], started: Map<string, Deferred>): Promise<Float32Array> {
    const cached = this.#cache?.get(this.id, text);
    if (cached !== undefined) {
      this.#stats.cacheHits++;
      return Promise.resolve(cached);
    }
    const inflight = this.#inflight.get(text);
    if (inflight !== undefined) {
      this.#stats.cacheHits++;
      return inflight;
    }
    const deferred = new Deferred();
    started.set(text, deferred);
    this.#inflight.set(text, deferred.promise);
    todo.push(text);
    return deferred.promise;
  }

  #settle(
    text: string,
    started: Map<string, Deferred>,
    vector?: Float32Array,
    error?: unknown,
  ): void {
    this.#inflight.delete(text);
    const deferred = started.get(text);
    if (vector !== undefined) {
      this.#cache?.set(this.id, text, vector);
      deferred?.resolve(vector);
    } else deferred?.reject(error);
  }

  async #requestWithRetries(batch: string[]): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.#stats.requests++;
        const raw = await this.#attempt(batch);
        const vectors = validateBatch(this.id, this.dimensions, batch.length, raw);
        this.#stats.textsEmbedded += batch.length;
        return vectors;
      } catch (caught) {
        const error = this.#classify(caught);
        const delay = this.#retryDelay(attempt, error);
        if (delay === undefined) {
          this.#stats.failures++;
          throw attempt === 0 || !(error instanceof CacheEmbeddingError)
            ? error
            : gaveUp(error, attempt + 1);
        }
        this.#stats.retries++;
        await this.#sleep(delay, this.#closing.signal);
        if (this.#closing.signal.aborted) throw this.#closing.signal.reason;
      }
    }
  }

  /** One request, bounded by the timeout even if the provider ignores its abort signal. */
  async #attempt(batch: string[]): Promise<ArrayLike<number>[]> {
    const controller = new AbortController();
    const abort = (reason: unknown): void => controller.abort(reason);
    const onClose = (): void => abort(this.#closing.signal.reason);
    if (this.#closing.signal.aborted) throw this.#closing.signal.reason;
    this.#closing.signal.addEventListener("abort", onClose, { once: true });
    const timer = setTimeout(
      () => abort(new CacheTimeoutError(`${this.id} embedding request`, this.#timeoutMs)),
      this.#timeoutMs,
    );
    try {
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
          once: true,
        });
      });
      return await Promise.race([this.#embedBatch(batch, { signal: controller.signal }), aborted]);
    } finally {
      clearTimeout(timer);
      this.#closing.signal.removeEventListener("abort", onClose);
    }
  }

  #classify(caught: unknown): unknown {
    if (caught instanceof CacheEmbeddingError || caught instanceof CacheClosedError) return caught;
    if (caught instanceof CacheTimeoutError) {
      return new CacheEmbeddingError(this.id, caught.message, { cause: caught, retryable: true });
    }
    const message = caught instanceof Error ? caught.message : String(caught);
    return new CacheEmbeddingError(this.id, `provider failed: ${message}`, { cause: caught });
  }

  /** Milliseconds to wait before the next attempt, or undefined to give up. */
  #retryDelay(attempt: number, error: unknown): number | undefined {
    if (!(error instanceof CacheEmbeddingError) || !error.retryable) return undefined;
    if (attempt >= this.#maxRetries || this.#closing.signal.aborted) return undefined;
    if (error.retryAfterMs !== undefined && error.retryAfterMs > this.#retryMaxDelayMs)
      return undefined;
    const exponential = Math.min(this.#retryMaxDelayMs, this.#retryBaseDelayMs * 2 ** attempt);
    // "Equal jitter": half fixed, half random, so synchronized clients spread out.
    const jittered = exponential / 2 + Math.random() * (exponential / 2);
    return Math.min(this.#retryMaxDelayMs, Math.max(jittered, error.retryAfterMs ?? 0));
  }
}

function gaveUp(error: CacheEmbeddingError, attempts: number): CacheEmbeddingError {
  const message = error.message.slice(error.provider.length + 2);
  return new CacheEmbeddingError(
    error.provider,
    `${message} (gave up after ${attempts} attempts)`,
    {
      cause: error,
      status: error.status,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
    },
  );
}

class Deferred {
  resolve!: (value: Float32Array) => void;
  reject!: (reason: unknown) => void;
  readonly promise = new Promise<Float32Array>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

/** A counting semaphore: at most `max` tasks run at once, the rest wait in arrival order. */
class ConcurrencyLimit {
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so a newcomer arriving in
    // between cannot take it too.
    if (this.#active >= this.max) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function positiveInteger(value: number, path: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new CacheConfigError(path, `must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInteger(value: number, path: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new CacheConfigError(path, `must be a non-negative integer, got ${value}`);
  }
  return value;
}

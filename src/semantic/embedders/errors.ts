import { CacheError, ErrorCode } from "../../core/errors.js";

export interface EmbeddingErrorDetails {
  cause?: unknown;
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** Whether trying again may succeed (rate limit, server error, network, timeout). */
  retryable?: boolean;
  /** The provider's own wait hint (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
}

/**
 * An embedding provider failed or answered something unusable (wrong dimension, NaN, missing
 * vectors). Code `ERR_CACHE_EMBEDDING`; the message starts with the embedder's id.
 */
export class CacheEmbeddingError extends CacheError {
  /** The embedder's id, e.g. `openai:text-embedding-3-small`. */
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(provider: string, message: string, details: EmbeddingErrorDetails = {}) {
    super(ErrorCode.EMBEDDING, `${provider}: ${message}`, { cause: details.cause });
    this.provider = provider;
    this.status = details.status;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}

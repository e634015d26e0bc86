/**
 * Every error victor-cache throws is a {@link CacheError} with a stable `code`, so callers can
 * branch on `err.code` without parsing messages. Messages name the offending key or config path.
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export const ErrorCode = {
  CONFIG: "ERR_CACHE_CONFIG",
  SERIALIZATION: "ERR_CACHE_SERIALIZATION",
  KEY: "ERR_CACHE_KEY",
  ENTRY_TOO_LARGE: "ERR_CACHE_ENTRY_TOO_LARGE",
  STORE: "ERR_CACHE_STORE",
  STORE_CORRUPT: "ERR_CACHE_STORE_CORRUPT",
  STORE_VERSION: "ERR_CACHE_STORE_VERSION",
  CLOSED: "ERR_CACHE_CLOSED",
  TIMEOUT: "ERR_CACHE_TIMEOUT",
  CIRCUIT_OPEN: "ERR_CACHE_CIRCUIT_OPEN",
  LOADER: "ERR_CACHE_LOADER",
  EMBEDDING: "ERR_CACHE_EMBEDDING",
  REQUEST: "ERR_CACHE_REQUEST",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface CacheErrorOptions {
  cause?: unknown;
  /** The config path (`l1.maxSize`) or cache key the error is about. */
  path?: string;
}

export class CacheError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;

  constructor(code: ErrorCode, message: string, options: CacheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = options.path;
  }
}

/** An option or config value is invalid; `path` names it (`l1.maxSize`). */
export class CacheConfigError extends CacheError {
  constructor(path: string, message: string, options: Omit<CacheErrorOptions, "path"> = {}) {
    super(ErrorCode.CONFIG, `${path}: ${message}`, { ...options, path });
  }
}

/** A value cannot be encoded (function, symbol, cycle) or stored bytes cannot be decoded. */
export class CacheSerializationError extends CacheError {
  constructor(key: string, message: string, options: Omit<CacheErrorOptions, "path"> = {}) {
    super(ErrorCode.SERIALIZATION, `key "${key}": ${message}`, { ...options, path: key });
  }
}

/** A key or namespace is not acceptable (not a string, too long). */
export class CacheKeyError extends CacheError {
  constructor(key: unknown, message: string) {
    super(ErrorCode.KEY, `key ${describe(key)}: ${message}`, { path: String(key) });
  }
}

/**
 * A semantic-cache request cannot be canonicalised (no messages, no user message, unknown role,
 * non-text content); `path` names the offending part (`messages[2].role`).
 */
export class CacheRequestError extends CacheError {
  constructor(path: string, message: string) {
    super(ErrorCode.REQUEST, `${path}: ${message}`, { path });
  }
}

/** One entry is larger than the tier's `maxBytes` (or the store's value-size limit). */
export class CacheEntryTooLargeError extends CacheError {
  constructor(key: string, size: number, limit: number, limitPath: string) {
    super(
      ErrorCode.ENTRY_TOO_LARGE,
      `key "${key}": entry of ${size} bytes exceeds ${limitPath} (${limit} bytes)`,
      { path: key },
    );
  }
}

/** A storage tier failed (I/O, connection, unwritable path). */
export class CacheStoreError extends CacheError {
  constructor(message: string, options: CacheErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ErrorCode.STORE, message, options);
  }
}

/** The cache or store was used after `close()`. */
export class CacheClosedError extends CacheError {
  constructor(what: string) {
    super(ErrorCode.CLOSED, `${what} is closed`);
  }
}

/** An operation did not finish within its configured timeout. */
export class CacheTimeoutError extends CacheError {
  constructor(operation: string, timeoutMs: number) {
    super(ErrorCode.TIMEOUT, `${operation} timed out after ${timeoutMs} ms`);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value);
  return `of type ${value === null ? "null" : typeof value}`;
}

import { CacheEmbeddingError } from "./errors.js";

/** Longest provider error text quoted in an error message, in characters. */
const MAX_QUOTED_ERROR = 300;

export interface PostJsonOptions {
  headers: Record<string, string>;
  /** Aborts the request (timeout or close); the abort reason is rethrown unchanged. */
  signal: AbortSignal;
}

/**
 * POSTs a JSON body and returns the parsed JSON answer. Failures become
 * {@link CacheEmbeddingError}s that say whether a retry may help: network errors, 429 and 5xx
 * are retryable (with the server's `Retry-After` hint), every other status is not.
 */
export async function postJson(
  provider: string,
  url: string,
  body: unknown,
  options: PostJsonOptions,
): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...options.headers,
      },
      body: JSON.stringify(body),
      signal: options.signal,
    });
    text = await response.text();
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    throw new CacheEmbeddingError(
      provider,
      `request to ${redact(url)} failed: ${describeNetworkError(error)}`,
      {
        cause: error,
        retryable: true,
      },
    );
  }

  if (!response.ok) {
    const retryable = response.status === 429 || response.status >= 500;
    throw new CacheEmbeddingError(
      provider,
      `${redact(url)} answered HTTP ${response.status}${quoteError(text)}`,
      { status: response.status, retryable, retryAfterMs: retryAfterMs(response.headers) },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CacheEmbeddingError(
      provider,
      `${redact(url)} answered a body that is not JSON${quoteError(text)}`,
      {
        cause: error,
        status: response.status,
      },
    );
  }
}

/**
 * The server's wait hint: `retry-after-ms` (OpenAI, Azure) or `Retry-After` as seconds or an
 * HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms") ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `: <message>` from an OpenAI/Ollama-style error body, or the raw text, shortened. */
function quoteError(text: string): string {
  if (text.trim() === "") return "";
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = parsed.error as { message?: unknown } | string | undefined;
    const candidate =
      typeof error === "string"
        ? error
        : (error?.message ?? parsed.message ?? parsed.detail ?? undefined);
    if (typeof candidate === "string") message = candidate;
  } catch {
    // Not JSON: quote the text itself.
  }
  message = message.replace(/\s+/g, " ").trim();
  return (
    ": " + (message.length > MAX_QUOTED_ERROR ? message.slice(0, MAX_QUOTED_ERROR) + "…" : message)
  );
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Drops query strings (Azure keys sometimes travel there) from URLs quoted in messages. */
function redact(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

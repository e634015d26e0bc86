/**
 * One lookup or put, resolved: its hard scope, canonical text, context, exact key and partition,
 * and whether its response may be stored.
 */
import { CacheRequestError } from "../core/errors.js";
import { assertKey } from "../core/keys.js";
import { partitionKey } from "./entries.js";
import { canonicaliseRequest, exactKey, type ChatMessage, type ScopeParts } from "./messages.js";
import type { SemanticRequestOptions } from "./options.js";

export interface PreparedRequest {
  readonly scope: ScopeParts;
  readonly contextHash: string;
  readonly lookupText: string;
  readonly key: string;
  readonly partition: string;
  /** Temperature above `maxTemperature`: the cache is bypassed. */
  readonly bypass: boolean;
}

export function prepareRequest(
  messages: readonly ChatMessage[],
  options: SemanticRequestOptions,
  defaults: { namespace: string; maxTemperature: number; embedder: string },
): PreparedRequest {
  const scope: ScopeParts = {
    tenant: options.tenant ?? "",
    model: options.model ?? "",
    namespace: options.namespace ?? defaults.namespace,
  };
  assertKey(scope.tenant, "tenant");
  assertKey(scope.model, "model");
  assertKey(scope.namespace, "namespace");
  const { temperature } = options;
  if (temperature !== undefined && (typeof temperature !== "number" || !(temperature >= 0))) {
    throw new CacheRequestError(
      "temperature",
      `expected a non-negative number, got ${String(temperature)}`,
    );
  }
  const { lookupText, contextHash } = canonicaliseRequest(messages, options.params);
  return {
    scope,
    contextHash,
    lookupText,
    key: exactKey(scope, contextHash, lookupText),
    partition: partitionKey(scope, defaults.embedder, contextHash),
    bypass: temperature !== undefined && temperature > defaults.maxTemperature,
  };
}

/** The embedder identity that enters partition keys and persisted records. */
export function embedderIdentity(id: string, dimensions: number): string {
  return `${id}#${dimensions}`;
}

export function sameScope(a: ScopeParts, b: ScopeParts): boolean {
  return a.tenant === b.tenant && a.model === b.model && a.namespace === b.namespace;
}

/** `finish_reason` values meaning the answer was cut off: OpenAI, Anthropic, Gemini. */
const TRUNCATED = new Set(["length", "max_tokens", "MAX_TOKENS"]);

export type Unstorable = "truncated" | "error_response";

/**
 * Why a response must not be cached, or undefined when it may be. The finish reason comes from
 * the caller, or else from the response's own shape (OpenAI `choices[].finish_reason`,
 * Anthropic `stop_reason`, the AI SDK's `finishReason`).
 */
export function unstorableReason(
  response: unknown,
  finishReason: string | undefined,
): Unstorable | undefined {
  if (response instanceof Error) return "error_response";
  const reasons: unknown[] = [finishReason];
  if (response !== null && typeof response === "object") {
    const r = response as Record<string, unknown>;
    if (r.error !== undefined && r.error !== null && r.error !== false) return "error_response";
    if (finishReason === undefined) {
      reasons.push(r.finishReason, r.finish_reason, r.stop_reason);
      if (Array.isArray(r.choices)) {
        for (const choice of r.choices)
          reasons.push((choice as { finish_reason?: unknown } | null)?.finish_reason);
      }
    }
  }
  if (reasons.includes("error")) return "error_response";
  return reasons.some((x) => typeof x === "string" && TRUNCATED.has(x)) ? "truncated" : undefined;
}

/** Copies `tags` after checking each is a non-empty string. */
export function validateTags(tags: readonly string[] | undefined): readonly string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags)) throw new CacheRequestError("tags", "expected an array of strings");
  tags.forEach((tag, i) => {
    if (typeof tag !== "string" || tag === "")
      throw new CacheRequestError(`tags[${i}]`, "expected a non-empty string");
  });
  return [...tags];
}

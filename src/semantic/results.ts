/** What the semantic cache's methods take and give back. */
import type { DropReason } from "./entries.js";
import type { ChatMessage } from "./messages.js";
import type { SemanticPutOptions, SemanticRequestOptions } from "./options.js";

/** A served answer. `similarity` is 1 for an exact hit. */
export interface SemanticHit<R = unknown> {
  readonly response: R;
  readonly similarity: number;
  readonly exact: boolean;
}

/**
 * What a put did. `indexed: false` means the embedder failed: the entry serves exact matches
 * only. Refusals say why: `temperature` (above `maxTemperature`), `truncated` (finish reason
 * `length`), `error_response`, or `not_admitted` (the eviction policy declined it).
 */
export type PutResult =
  | { readonly stored: true; readonly key: string; readonly indexed: boolean }
  | {
      readonly stored: false;
      readonly reason: "temperature" | "truncated" | "error_response" | "not_admitted";
    };

export type SemanticCacheEvents = {
  hit: { namespace: string; exact: boolean; similarity: number };
  miss: { namespace: string };
  bypass: { namespace: string };
  set: { namespace: string; key: string; indexed: boolean };
  delete: { namespace: string; key: string; reason: DropReason };
  warning: { code: string; message: string };
};

export interface SemanticPutItem<R> {
  messages: readonly ChatMessage[];
  response: R;
  options?: SemanticPutOptions;
}

export interface SemanticLookup {
  messages: readonly ChatMessage[];
  options?: SemanticRequestOptions;
}

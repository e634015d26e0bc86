/** The semantic cache's public API. */
export { SemanticCache } from "./semantic-cache.js";
export type {
  SemanticHit,
  PutResult,
  SemanticCacheEvents,
  SemanticPutItem,
  SemanticLookup,
} from "./results.js";
export type {
  SemanticCacheOptions,
  SemanticRequestOptions,
  SemanticPutOptions,
} from "./options.js";
export type { SemanticStats } from "./stats.js";
export {
  canonicaliseRequest,
  canonicaliseText,
  MESSAGE_ROLES,
  type ChatMessage,
  type MessageRole,
  type TextPart,
  type RequestParams,
  type CanonicalRequest,
} from "./messages.js";
export {
  defaultVerifier,
  explainMismatch,
  type HitVerifier,
  type Mismatch,
  type MismatchReason,
} from "./verifier.js";
export {
  MemoryFeedHub,
  type SemanticFeed,
  type SemanticFeedEvent,
  type SemanticFeedMessage,
} from "./feed.js";
export { STORE_NAMESPACE_PREFIX } from "./records.js";
export { FlatIndex } from "./index/flat.js";
export { HnswIndex, loadUsearch, type HnswOptions } from "./index/hnsw.js";
export type { VectorIndex, IndexMatch } from "./index/vector-index.js";
export * from "./embedders/index.js";
export { RedisStreamFeed, type RedisStreamFeedOptions } from "./redis-feed.js";

import { systemClock, type Clock } from "../core/clock.js";
import { toMillis, type Duration } from "../core/duration.js";
import { CacheConfigError } from "../core/errors.js";
import { assertKey, DEFAULT_NAMESPACE } from "../core/keys.js";
import { EvictionPolicy, type EvictionPolicyName } from "../eviction/policy.js";
import type { CacheStore } from "../stores/store.js";
import type { Embedder } from "./embedders/embedder.js";
import type { SemanticFeed } from "./feed.js";
import type { HnswOptions } from "./index/hnsw.js";
import type { RequestParams } from "./messages.js";
import { defaultVerifier, type HitVerifier } from "./verifier.js";

export interface SemanticCacheOptions {
  /**
   * Cosine similarity from 0 to 1 that a stored request must reach to answer a new one: a hit
   * needs `similarity >= similarityThreshold`. `1` means exact matches only (the embedder is then
   * never called). See docs/semantic.md for a worked example.
   * @default 0.85
   */
  similarityThreshold?: number;
  /**
   * Turns lookup texts into normalised vectors. Its `id` and `dimensions` are a hard scope:
   * vectors from another embedder are never compared.
   * @default new HashingEmbedder() (offline, deterministic)
   */
  embedder?: Embedder;
  /**
   * Entries held in memory, across every tenant, model and namespace. Beyond it the eviction
   * policy picks a victim, which is also deleted from the store.
   * @default 1000
   */
  maxSize?: number;
  /**
   * Default time to live of an entry: seconds, or a duration string (`"1h"`). `0` = never
   * expires. A put's own `ttl` overrides it.
   * @default 0
   */
  ttl?: Duration;
  /**
   * Namespace of calls that name none. Part of the hard scope.
   * @default "default"
   */
  namespace?: string;
  /**
   * Persists entries (LMDB or Redis L2) under store namespaces `__semantic:<namespace>`; the
   * index is rebuilt from it on `start()` (or the first call). Without it the cache lives in
   * memory only.
   */
  store?: CacheStore;
  /**
   * Shares new entries, deletions and clears between processes that use the same store (a Redis
   * stream, see {@link SemanticFeed}). Requires `store`.
   */
  feed?: SemanticFeed;
  /**
   * Requests whose `temperature` is above this bypass the cache in both directions: sampling
   * that random is asked for fresh answers. Requests without a temperature are cacheable.
   * @default 1
   */
  maxTemperature?: number;
  /**
   * Checks a similar (non-exact) hit before it is served; `false` serves every hit at or above
   * the threshold. Plug in a cross-encoder or an LLM judge here.
   * @default defaultVerifier (numbers, negation, antonyms, entities, question words)
   */
  verifier?: HitVerifier | false;
  /**
   * Entries in one partition (tenant, model, namespace, embedder, context) from which its flat
   * index is rebuilt as an HNSW graph (usearch, optional dependency), in the background while the
   * flat index keeps answering (`flush()` waits for it). `Infinity` keeps every partition flat.
   * Without usearch installed the cache stays flat and emits one warning.
   * @default 10000
   */
  hnswThreshold?: number;
  /** HNSW graph parameters. */
  hnsw?: HnswOptions;
  /**
   * Nearest entries examined per lookup. More candidates let a lookup get past an expired or
   * verifier-rejected neighbour to the next one, at a little cost per lookup.
   * @default 4
   */
  candidates?: number;
  /**
   * Which entry `maxSize` evicts: `lru` evicts the entry least recently hit (or stored). LRU
   * rather than the memory tier's default, because semantic entries are few, large and valuable
   * in proportion to how recently they answered; any policy of the eviction module works.
   * @default "lru"
   */
  evictionPolicy?: EvictionPolicyName;
  /**
   * How often expired entries are swept out of memory (seconds or a duration string). Expired
   * entries are never served in between: lookups check expiry too.
   * @default 60
   */
  sweepInterval?: Duration;
  /** Time source (tests inject a fake one). @default the system clock */
  clock?: Clock;
}

/** Scope and request options shared by lookups and puts. */
export interface SemanticRequestOptions {
  /** The model that answered. Hard scope. @default "" (no model) */
  model?: string;
  /** The user or tenant. Hard scope: one tenant never sees another's entries. @default "" (shared) */
  tenant?: string;
  /** Hard scope. @default the cache's `namespace` */
  namespace?: string;
  /** Sampling temperature; above `maxTemperature` the request bypasses the cache. */
  temperature?: number;
  /** Parameters that change the answer; they join the context, which must match exactly. */
  params?: RequestParams;
}

export interface SemanticPutOptions extends SemanticRequestOptions {
  /**
   * Why the model stopped (`stop`, `length`, `tool_calls`...). `length` (truncated) and `error`
   * are never stored. When omitted it is read from an OpenAI (`choices[0].finish_reason`) or
   * Anthropic (`stop_reason`) shaped response.
   */
  finishReason?: string;
  /** Time to live of this entry (seconds or a duration string); overrides the cache's `ttl`. */
  ttl?: Duration;
  /** Tags for group invalidation (`invalidateTag`). */
  tags?: readonly string[];
}

export interface ResolvedSemanticOptions {
  readonly similarityThreshold: number;
  readonly maxSize: number;
  readonly ttlMs: number;
  readonly namespace: string;
  readonly maxTemperature: number;
  readonly verifier: HitVerifier | undefined;
  readonly hnswThreshold: number;
  readonly hnsw: HnswOptions;
  readonly candidates: number;
  readonly evictionPolicy: EvictionPolicyName;
  readonly sweepIntervalMs: number;
  readonly clock: Clock;
}

function number(
  value: unknown,
  path: string,
  check: (n: number) => boolean,
  expected: string,
): number {
  if (typeof value !== "number" || Number.isNaN(value) || !check(value)) {
    throw new CacheConfigError(
      path,
      `expected ${expected}, got ${typeof value === "number" ? value : typeof value}`,
    );
  }
  return value;
}

/** Validates every option; throws a {@link CacheConfigError} naming the first bad one. */
export function resolveSemanticOptions(options: SemanticCacheOptions): ResolvedSemanticOptions {
  const similarityThreshold = number(
    options.similarityThreshold ?? 0.85,
    "similarityThreshold",
    (n) => n >= 0 && n <= 1,
    "a cosine similarity from 0 to 1",
  );
  const maxSize = number(
    options.maxSize ?? 1000,
    "maxSize",
    (n) => Number.isInteger(n) && n >= 1,
    "a positive integer",
  );
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  assertKey(namespace, "namespace");
  if (
    options.verifier !== undefined &&
    options.verifier !== false &&
    typeof options.verifier !== "function"
  ) {
    throw new CacheConfigError(
      "verifier",
      `expected a function or false, got ${typeof options.verifier}`,
    );
  }
  if (options.feed !== undefined && options.store === undefined) {
    throw new CacheConfigError(
      "feed",
      "sharing entries needs a store: the feed only carries their keys",
    );
  }
  return {
    similarityThreshold,
    maxSize,
    ttlMs: toMillis(options.ttl ?? 0, "ttl"),
    namespace,
    maxTemperature: number(
      options.maxTemperature ?? 1,
      "maxTemperature",
      (n) => n >= 0,
      "a non-negative number",
    ),
    verifier: options.verifier === false ? undefined : (options.verifier ?? defaultVerifier),
    hnswThreshold: number(
      options.hnswThreshold ?? 10_000,
      "hnswThreshold",
      (n) => n >= 1,
      "a number of entries >= 1",
    ),
    hnsw: options.hnsw ?? {},
    candidates: number(
      options.candidates ?? 4,
      "candidates",
      (n) => Number.isInteger(n) && n >= 1,
      "a positive integer",
    ),
    evictionPolicy: options.evictionPolicy ?? EvictionPolicy.LRU,
    sweepIntervalMs: toMillis(options.sweepInterval ?? 60, "sweepInterval"),
    clock: options.clock ?? systemClock,
  };
}

import { randomUUID } from "node:crypto";
import { toMillis } from "../core/duration.js";
import { CacheClosedError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { createEvictionPolicy } from "../eviction/factory.js";
import type { Embedder } from "./embedders/embedder.js";
import { HashingEmbedder } from "./embedders/hashing.js";
import { chooseSimilar, type CandidateContext } from "./candidates.js";
import { EmbeddingGate } from "./embedding-gate.js";
import { EntryTable, partitionKey, type DropReason, type SemanticEntry } from "./entries.js";
import type { SemanticFeedMessage } from "./feed.js";
import { FlatIndex } from "./index/flat.js";
import { HnswIndex, loadUsearch, type UsearchModule } from "./index/hnsw.js";
import { PromotingIndex } from "./index/promoting.js";
import type { VectorIndex } from "./index/vector-index.js";
import type { ChatMessage } from "./messages.js";
import {
  resolveSemanticOptions,
  type ResolvedSemanticOptions,
  type SemanticCacheOptions,
  type SemanticPutOptions,
  type SemanticRequestOptions,
} from "./options.js";
import { SemanticPersistence, type RecordWrite } from "./persistence.js";
import type { SemanticRecord } from "./records.js";
import {
  embedderIdentity,
  prepareRequest,
  sameScope,
  unstorableReason,
  validateTags,
  type PreparedRequest,
} from "./request.js";
import type {
  PutResult,
  SemanticCacheEvents,
  SemanticHit,
  SemanticLookup,
  SemanticPutItem,
} from "./results.js";
import { SemanticStatsRecorder, type SemanticStats } from "./stats.js";

/**
 * LLM responses found by meaning. An exact hash of the canonical request answers first, before
 * any embedding; otherwise the last user message is embedded and searched among entries of the
 * same tenant, model, namespace, embedder and conversation context, and the best candidate at or
 * above `similarityThreshold` that passes the verifier is served. See docs/semantic.md.
 */
export class SemanticCache<R = unknown> extends TypedEmitter<SemanticCacheEvents> {
  readonly #options: ResolvedSemanticOptions;
  readonly #embedder: Embedder;
  readonly #ownsEmbedder: boolean;
  readonly #embedderId: string;
  readonly #gate: EmbeddingGate;
  readonly #stats = new SemanticStatsRecorder();
  readonly #table: EntryTable;
  readonly #persistence: SemanticPersistence | undefined;
  readonly #origin = randomUUID();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #printedWarnings = new Set<string>();
  readonly #candidateContext: CandidateContext;
  /** Partitions whose HNSW graph is being built in the background. */
  readonly #builds = new Set<PromotingIndex>();
  #usearch: UsearchModule | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;
  #nextSweepAt = 0;

  constructor(options: SemanticCacheOptions = {}) {
    super();
    this.#options = resolveSemanticOptions(options);
    this.#ownsEmbedder = options.embedder === undefined;
    this.#embedder = options.embedder ?? new HashingEmbedder();
    this.#embedderId = embedderIdentity(this.#embedder.id, this.#embedder.dimensions);
    this.#gate = new EmbeddingGate(this.#embedder, this.#stats, (code, message) =>
      this.#warn(code, message),
    );
    const { maxSize, evictionPolicy } = this.#options;
    this.#table = new EntryTable({
      maxSize,
      policy: createEvictionPolicy(evictionPolicy, { capacity: maxSize }, "evictionPolicy"),
      createIndex: () => new FlatIndex(this.#embedder.dimensions),
      promote: (index, incoming) => this.#promote(index, incoming),
      onDrop: (entry, reason) => this.#onDrop(entry, reason),
    });
    this.#candidateContext = {
      table: this.#table,
      stats: this.#stats,
      threshold: this.#options.similarityThreshold,
      candidates: this.#options.candidates,
      verifier: this.#options.verifier,
      now: () => this.#options.clock.now(),
      warn: (code, message) => this.#warn(code, message),
    };
    if (options.store) {
      this.#persistence = new SemanticPersistence(options.store, options.feed, this.#origin, {
        onError: (what, error) => {
          this.#stats.count("storeErrors");
          this.#warn("STORE", `${what}: ${(error as Error).message ?? String(error)}`);
        },
        onMessage: (message) => this.#onFeed(message),
      });
    }
  }

  /** Entries in memory. */
  get size(): number {
    return this.#table.size;
  }

  /**
   * Rebuilds the index from the store and joins the feed. Called by the first operation when not
   * called explicitly; calling it early moves that cost out of the first request.
   */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new CacheClosedError("SemanticCache"));
    this.#ready ??= this.#start();
    return this.#ready;
  }

  async put(
    messages: readonly ChatMessage[],
    response: R,
    options: SemanticPutOptions = {},
  ): Promise<PutResult> {
    return (await this.putMany([{ messages, response, options }]))[0];
  }

  /** Stores several answers, embedding them in one call. Throws on the first invalid request. */
  async putMany(items: readonly SemanticPutItem<R>[]): Promise<PutResult[]> {
    await this.start();
    const now = this.#options.clock.now();
    this.#maybeSweep(now);
    const results: PutResult[] = new Array(items.length);
    const accepted: {
      i: number;
      p: PreparedRequest;
      ttlMs: number;
      tags: readonly string[] | undefined;
    }[] = [];
    items.forEach(({ messages, response, options = {} }, i) => {
      const p = this.#prepare(messages, options);
      const ttlMs = options.ttl === undefined ? this.#options.ttlMs : toMillis(options.ttl, "ttl");
      const tags = validateTags(options.tags);
      const refusal = p.bypass ? "temperature" : unstorableReason(response, options.finishReason);
      if (refusal === undefined) return accepted.push({ i, p, ttlMs, tags });
      this.#stats.notStored[refusal === "error_response" ? "errorResponse" : refusal]++;
      results[i] = { stored: false, reason: refusal };
    });
    const vectors =
      this.#options.similarityThreshold < 1
        ? await this.#gate.embed(accepted.map((a) => a.p.lookupText))
        : accepted.map(() => undefined);
    const writes = accepted.map(({ i, p, ttlMs, tags }, k): RecordWrite => {
      const vector = vectors[k];
      const record: SemanticRecord = {
        v: 1,
        ...p.scope,
        contextHash: p.contextHash,
        text: p.lookupText,
        response: items[i].response,
        embedder: vector ? this.#embedder.id : null,
        dimensions: vector ? this.#embedder.dimensions : 0,
        vector: vector ?? null,
        createdAt: now,
      };
      return { key: p.key, record, expiresAt: ttlMs > 0 ? now + ttlMs : 0, tags };
    });
    // Persist first: a value the store cannot encode throws before memory changes.
    await this.#persistence?.write(writes);
    const admitted = this.#insertRecords(writes);
    accepted.forEach(({ i, p }, k) => {
      if (!admitted[k]) return (results[i] = { stored: false, reason: "not_admitted" });
      const indexed = writes[k].record.vector !== null;
      results[i] = { stored: true, key: p.key, indexed };
      this.emit("set", { namespace: p.scope.namespace, key: p.key, indexed });
      this.#background(
        this.#persistence?.publish({ op: "put", namespace: p.scope.namespace, key: p.key }),
      );
    });
    return results;
  }

  async getSimilar(
    messages: readonly ChatMessage[],
    options: SemanticRequestOptions = {},
  ): Promise<SemanticHit<R> | undefined> {
    return (await this.getSimilarMany([{ messages, options }]))[0];
  }

  /** Looks up several requests, embedding every one that needs it in one call. */
  async getSimilarMany(
    lookups: readonly SemanticLookup[],
  ): Promise<(SemanticHit<R> | undefined)[]> {
    await this.start();
    const now = this.#options.clock.now();
    this.#maybeSweep(now);
    const prepared = lookups.map(({ messages, options = {} }) => this.#prepare(messages, options));
    const results: (SemanticHit<R> | undefined)[] = new Array(lookups.length).fill(undefined);
    const searches: number[] = [];
    prepared.forEach((p, i) => {
      const namespace = p.scope.namespace;
      if (p.bypass) {
        this.#stats.count("bypassed");
        return this.emit("bypass", { namespace });
      }
      const entry = this.#table.get(p.key, now);
      if (entry && sameScope(entry.scope, p.scope) && entry.contextHash === p.contextHash) {
        results[i] = this.#serve(entry, 1, true);
      } else if (entry) {
        this.#stats.count("scopeViolations");
        this.#miss(namespace);
      } else if (this.#options.similarityThreshold >= 1 || !this.#table.hasPartition(p.partition)) {
        // Nothing comparable is stored: no need to pay for an embedding.
        this.#miss(namespace);
      } else searches.push(i);
    });
    if (searches.length === 0) return results;
    const vectors = await this.#gate.embed(searches.map((i) => prepared[i].lookupText));
    for (let k = 0; k < searches.length; k++) {
      const i = searches[k];
      const vector = vectors[k];
      results[i] = vector ? await this.#searchSimilar(prepared[i], vector) : undefined;
      if (results[i] === undefined) this.#miss(prepared[i].scope.namespace);
    }
    return results;
  }

  /** Removes the entry stored for exactly this request; resolves true when one was removed. */
  async delete(
    messages: readonly ChatMessage[],
    options: SemanticRequestOptions = {},
  ): Promise<boolean> {
    await this.start();
    const p = this.#prepare(messages, options);
    const entry = this.#table.get(p.key, this.#options.clock.now());
    const local = entry !== undefined && this.#table.remove(entry, "delete");
    const stored = (await this.#persistence?.delete(p.key, p.scope.namespace)) ?? false;
    return local || stored;
  }

  /** Removes every entry of `namespace`, or every semantic entry when omitted (memory and store). */
  async clear(namespace?: string): Promise<void> {
    await this.start();
    for (const entry of this.#table.entries(namespace)) this.#table.remove(entry, "delete");
    await this.#persistence?.clear(namespace);
  }

  /** Removes every entry stored with `tag`; resolves to how many were in memory. */
  async invalidateTag(tag: string): Promise<number> {
    await this.start();
    const entries = this.#table.withTag(tag);
    for (const entry of entries) this.#table.remove(entry, "delete");
    await this.#persistence?.deleteTagged(
      entries.map((e) => ({ key: e.key, namespace: e.scope.namespace })),
      tag,
    );
    return entries.length;
  }

  getStats(): SemanticStats {
    return this.#stats.snapshot({
      entries: this.#table.size,
      indexedEntries: this.#table.indexedSize,
      partitions: this.#table.partitionCounts(),
    });
  }

  /**
   * Resolves when background work is done: store writes and deletes, and HNSW graphs being built
   * (until then their partitions answer from the exact flat index).
   */
  async flush(): Promise<void> {
    while (this.#pending.size > 0 || this.#builds.size > 0) {
      await Promise.allSettled([...this.#pending, ...[...this.#builds].map((b) => b.whenBuilt())]);
    }
  }

  /**
   * Waits for background store writes, stops graph builds, leaves the feed and closes the default
   * embedder. The store and an embedder passed in belong to the caller, who closes them.
   * Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready?.catch(() => undefined);
    for (const build of this.#builds) build.dispose();
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    await this.#persistence?.close();
    if (this.#ownsEmbedder) await this.#embedder.close?.();
  }

  async #start(): Promise<void> {
    const { hnswThreshold, maxSize } = this.#options;
    if (hnswThreshold <= maxSize) {
      const loaded = await loadUsearch();
      if ("module" in loaded) this.#usearch = loaded.module;
      else {
        this.#warn(
          "HNSW_UNAVAILABLE",
          `usearch could not be loaded (${loaded.error.message}); every partition stays a flat index. ` +
            "Install the optional dependency usearch@2.25 for HNSW.",
        );
      }
    }
    await this.#persistence?.start((items) => this.#insertRecords(items));
  }

  #prepare(messages: readonly ChatMessage[], options: SemanticRequestOptions): PreparedRequest {
    if (this.#closed) throw new CacheClosedError("SemanticCache");
    return prepareRequest(messages, options, { ...this.#options, embedder: this.#embedderId });
  }

  /** Puts records (new, rebuilt or received) into memory; false for those not admitted. */
  #insertRecords(items: readonly RecordWrite[]): boolean[] {
    const now = this.#options.clock.now();
    const live = items.filter(({ expiresAt }) => expiresAt === 0 || expiresAt > now);
    const admitted = this.#table.insertMany(
      live.map(({ key, record, expiresAt, tags }) => {
        const scope = { tenant: record.tenant, model: record.model, namespace: record.namespace };
        const sameEmbedder =
          record.embedder === this.#embedder.id && record.dimensions === this.#embedder.dimensions;
        const vector = record.vector && sameEmbedder ? this.#gate.check(record.vector) : undefined;
        const entry: SemanticEntry = {
          id: this.#table.nextId(),
          key,
          scope,
          contextHash: record.contextHash,
          lookupText: record.text,
          response: record.response,
          createdAt: record.createdAt,
          expiresAt,
          tags,
          partition: vector ? partitionKey(scope, this.#embedderId, record.contextHash) : undefined,
        };
        return { entry, vector };
      }),
    );
    const byItem = new Map(live.map((item, k) => [item, admitted[k]]));
    return items.map((item) => byItem.get(item) ?? false);
  }

  async #searchSimilar(
    p: PreparedRequest,
    vector: Float32Array,
  ): Promise<SemanticHit<R> | undefined> {
    const chosen = await chooseSimilar(p, vector, this.#candidateContext);
    return chosen && this.#serve(chosen.entry, chosen.similarity, false);
  }

  #serve(entry: SemanticEntry, similarity: number, exact: boolean): SemanticHit<R> {
    this.#table.touch(entry);
    this.#stats.count(exact ? "exactHits" : "similarHits");
    this.emit("hit", { namespace: entry.scope.namespace, exact, similarity });
    return { response: entry.response as R, similarity, exact };
  }

  #miss(namespace: string): void {
    this.#stats.count("misses");
    this.emit("miss", { namespace });
  }

  /**
   * Starts turning a flat partition into HNSW once it would reach `hnswThreshold` (with usearch
   * loaded). The graph is built in the background; the flat index answers until it is ready.
   */
  #promote(index: VectorIndex, incoming: number): VectorIndex | undefined {
    const { hnswThreshold, hnsw } = this.#options;
    if (!(index instanceof FlatIndex) || index.size + incoming < hnswThreshold || !this.#usearch) {
      return undefined;
    }
    const promoting = new PromotingIndex(
      index,
      new HnswIndex(this.#usearch, index.dimensions, hnsw),
    );
    this.#builds.add(promoting);
    void promoting.whenBuilt().then(() => this.#builds.delete(promoting));
    return promoting;
  }

  #onDrop(entry: SemanticEntry, reason: DropReason): void {
    if (reason === "evict") {
      this.#stats.count("evictions");
      // The store holds what memory holds: an evicted entry must not come back on restart.
      this.#background(this.#persistence?.delete(entry.key, entry.scope.namespace, false));
    } else if (reason === "expire") this.#stats.count("expirations");
    this.emit("delete", { namespace: entry.scope.namespace, key: entry.key, reason });
  }

  #onFeed(message: SemanticFeedMessage): void {
    if (message.op === "put") return; // handled by persistence, which reads the record
    const entries =
      message.op === "delete"
        ? [this.#table.get(message.key, this.#options.clock.now())].filter((e) => e !== undefined)
        : message.op === "clear"
          ? this.#table.entries(message.namespace ?? undefined)
          : this.#table.withTag(message.tag);
    for (const entry of entries) this.#table.remove(entry, "delete");
  }

  #maybeSweep(now: number): void {
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + Math.max(1, this.#options.sweepIntervalMs);
    this.#table.sweep(now);
  }

  #background(promise: Promise<unknown> | undefined): void {
    if (promise === undefined) return;
    const tracked = promise.catch(() => undefined).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Counted and emitted every time; printed as a process warning once per code when nobody listens. */
  #warn(code: string, message: string): void {
    this.#stats.count("warnings");
    if (this.hasListeners("warning")) this.emit("warning", { code, message });
    else if (!this.#printedWarnings.has(code)) {
      this.#printedWarnings.add(code);
      process.emitWarning(message, { code: `VICTOR_SEMANTIC_${code}` });
    }
  }
}

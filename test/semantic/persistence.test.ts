import { afterEach, describe, expect, it } from "vitest";
import { CacheSerializationError, CacheStoreError, ErrorCode } from "../../src/core/errors.js";
import { MemoryFeedHub } from "../../src/semantic/feed.js";
import { exactKey } from "../../src/semantic/messages.js";
import { storeNamespace } from "../../src/semantic/records.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import type { SemanticCacheOptions } from "../../src/semantic/options.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { RedisStore } from "../../src/stores/redis.js";
import type { CacheStore, StoreEntry } from "../../src/stores/store.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";
import { ManualClock, WordEmbedder, user } from "./support.js";

const Q = "how do I sort a list of numbers in place";
const NEAR = "how do I sort a list of numbers in place quickly";
const OTHER = "what is the boiling point of water at sea level";

/** Runs until `check` holds; the deadline only bounds a broken test, it measures nothing. */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Restart and sharing cases, run against every store that exists. */
function persistenceCases(makeStore: () => CacheStore | Promise<CacheStore>) {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of open.splice(0).reverse()) await c.close();
  });
  const cacheOn = (store: CacheStore, options: SemanticCacheOptions = {}) => {
    const embedder = (options.embedder as WordEmbedder | undefined) ?? new WordEmbedder();
    const cache = new SemanticCache<string>({
      embedder,
      similarityThreshold: 0.8,
      store,
      ...options,
    });
    open.push(cache);
    return { cache, embedder };
  };

  it("survives a restart: exact and similar hits, without embedding the stored texts again", async () => {
    const store = await makeStore();
    open.push(store);
    const first = cacheOn(store).cache;
    await first.put(user(Q), "sorted", { model: "m", tenant: "t1", tags: ["lists"] });
    await first.put(user(OTHER), "100 C", { model: "m", tenant: "t2" });
    await first.close();

    const { cache: second, embedder } = cacheOn(store);
    await second.start();
    expect(embedder.calls).toBe(0);
    expect(second.size).toBe(2);
    expect(await second.getSimilar(user(Q), { model: "m", tenant: "t1" })).toMatchObject({
      response: "sorted",
      exact: true,
    });
    expect(await second.getSimilar(user(NEAR), { model: "m", tenant: "t1" })).toMatchObject({
      response: "sorted",
      exact: false,
    });
    expect(await second.getSimilar(user(NEAR), { model: "m", tenant: "t2" })).toBeUndefined();
    expect(embedder.calls).toBe(2); // the two similarity lookups; the rebuild embedded nothing
    // Tags survive too.
    expect(await second.invalidateTag("lists")).toBe(1);
  });

  it("what is deleted, cleared, invalidated, evicted or expired stays gone after a restart", async () => {
    const store = await makeStore();
    open.push(store);
    const clock = new ManualClock(Date.now());
    const first = cacheOn(store, { maxSize: 4, clock }).cache;
    const q = (i: number) =>
      user(`question ${["alpha", "bravo", "charlie", "delta", "echo", "fox"][i]} here`);
    await first.put(q(0), "deleted");
    await first.put(q(1), "cleared", { namespace: "gone" });
    await first.put(q(2), "tagged", { tags: ["t"] });
    await first.put(q(3), "short-lived", { ttl: 1 });
    await first.put(q(4), "kept");
    await first.put(q(5), "kept too"); // evicts q(0)... which is then deleted anyway
    expect(first.getStats().evictions).toBeGreaterThanOrEqual(1);
    await first.delete(q(0));
    await first.clear("gone");
    await first.invalidateTag("t");
    await first.close();
    clock.advance(2_000);

    const second = cacheOn(store, { clock }).cache;
    await second.start();
    const responses = (
      await second.getSimilarMany([0, 1, 2, 3, 4, 5].map((i) => ({ messages: q(i) })))
    ).map((h) => h?.response);
    expect(responses).toEqual([undefined, undefined, undefined, undefined, "kept", "kept too"]);
  });

  it("entries of another embedder identity come back for exact matches only", async () => {
    const store = await makeStore();
    open.push(store);
    const first = cacheOn(store, { embedder: new WordEmbedder(64, "old-model") }).cache;
    await first.put(user(Q), "sorted");
    await first.close();
    const { cache: second, embedder } = cacheOn(store, {
      embedder: new WordEmbedder(64, "new-model"),
    });
    expect(await second.getSimilar(user(Q))).toMatchObject({ exact: true });
    expect(await second.getSimilar(user(NEAR))).toBeUndefined();
    expect(second.getStats().indexedEntries).toBe(0);
    expect(embedder.calls).toBe(0); // nothing comparable: no lookup was embedded
  });

  it("skips a stored record that is corrupt or whose fields do not produce its key", async () => {
    const store = await makeStore();
    open.push(store);
    const scope = { tenant: "", model: "", namespace: "default" };
    const forged = {
      v: 1,
      ...scope,
      contextHash: "x",
      text: Q,
      response: "forged",
      embedder: null,
      dimensions: 0,
      vector: null,
      createdAt: 1,
    };
    await store.set("not-the-key", storeNamespace("default"), { value: forged, expiresAt: 0 });
    await store.set(exactKey(scope, "x", "junk"), storeNamespace("default"), {
      value: "junk",
      expiresAt: 0,
    });
    const { cache } = cacheOn(store);
    const warnings: string[] = [];
    cache.on("warning", (w) => warnings.push(w.message));
    await cache.start();
    expect(cache.size).toBe(0);
    expect(warnings.join()).toMatch(/2 unreadable records skipped/);
  });

  it("shares new entries, deletions and clears with another process through a feed", async () => {
    const store = await makeStore();
    open.push(store);
    const hub = new MemoryFeedHub();
    const a = cacheOn(store, { feed: hub.feed() }).cache;
    const b = cacheOn(store, { feed: hub.feed() }).cache;
    await Promise.all([a.start(), b.start()]);
    await a.put(user(Q), "from a", { tags: ["x"] });
    await eventually(() => b.size === 1, "b receives a's entry");
    expect(await b.getSimilar(user(NEAR))).toMatchObject({ response: "from a", exact: false });
    await b.put(user(OTHER), "from b", { namespace: "n2" });
    await eventually(() => a.size === 2, "a receives b's entry");
    await a.delete(user(Q));
    await eventually(() => b.size === 1, "b drops the deleted entry");
    await a.clear("n2");
    await eventually(() => b.size === 0, "b drops the cleared namespace");
  });
}

describe("SemanticCache persistence on a MemoryStore", () => {
  persistenceCases(() => new MemoryStore({ maxSize: 10_000 }));
});

describe("SemanticCache persistence on LMDB", () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "victor-semantic-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  persistenceCases(() => new LmdbStore({ path: tempDir() }));

  it("a new process (new store, new cache on the same folder) finds the entries, vectors included", async () => {
    const path = tempDir();
    const writerStore = new LmdbStore({ path });
    const writer = new SemanticCache<string>({ embedder: new WordEmbedder(), store: writerStore });
    await writer.putMany([
      { messages: user(Q), response: "sorted", options: { tenant: "u1", ttl: "1h" } },
      { messages: user(OTHER), response: "100 C", options: { tenant: "u2" } },
    ]);
    await writer.close();
    await writerStore.close();

    const readerStore = new LmdbStore({ path });
    const embedder = new WordEmbedder();
    const reader = new SemanticCache<string>({
      embedder,
      store: readerStore,
      similarityThreshold: 0.8,
    });
    await reader.start();
    expect(reader.getStats()).toMatchObject({ entries: 2, indexedEntries: 2, storeErrors: 0 });
    expect(embedder.calls).toBe(0);
    expect(await reader.getSimilar(user(NEAR), { tenant: "u1" })).toMatchObject({
      response: "sorted",
      exact: false,
    });
    expect(await reader.getSimilar(user(NEAR), { tenant: "u2" })).toBeUndefined();
    await reader.close();
    await readerStore.close();
  });
});

describeWithRedis("SemanticCache persistence on Redis", (redis) => {
  persistenceCases(() => new RedisStore({ url: redis().url, prefix: uniquePrefix("semantic") }));

  it("refuses a response Redis cannot encode, before anything changes", async () => {
    const store = new RedisStore({ url: redis().url, prefix: uniquePrefix("semantic") });
    const cache = new SemanticCache<unknown>({ embedder: new WordEmbedder(), store });
    await expect(cache.put(user(Q), { answer: () => 1 })).rejects.toBeInstanceOf(
      CacheSerializationError,
    );
    expect(cache.size).toBe(0);
    expect(await cache.getSimilar(user(Q))).toBeUndefined();
    await cache.close();
    await store.close();
  });
});

describe("SemanticCache with a failing store", () => {
  /** A store whose writes fail with `error`; reads work. */
  class FailingStore extends MemoryStore {
    constructor(private readonly error: Error) {
      super({ maxSize: 100 });
    }
    override async set(_key: string, _namespace: string, _entry: StoreEntry): Promise<void> {
      throw this.error;
    }
  }

  it("keeps serving from memory when the store is down, and counts it", async () => {
    const cache = new SemanticCache<string>({
      embedder: new WordEmbedder(),
      store: new FailingStore(new CacheStoreError("connection refused")),
    });
    const warnings: string[] = [];
    cache.on("warning", (w) => warnings.push(w.code));
    expect(await cache.put(user(Q), "kept in memory")).toMatchObject({ stored: true });
    expect(await cache.getSimilar(user(Q))).toMatchObject({ response: "kept in memory" });
    expect(cache.getStats().storeErrors).toBe(1);
    expect(warnings).toEqual(["STORE"]);
  });

  it("fails the put when the store cannot encode the value, leaving memory unchanged", async () => {
    const cache = new SemanticCache<string>({
      embedder: new WordEmbedder(),
      store: new FailingStore(new CacheSerializationError("k", "cannot encode a function")),
    });
    await expect(cache.put(user(Q), "x")).rejects.toMatchObject({ code: ErrorCode.SERIALIZATION });
    expect(cache.size).toBe(0);
  });
});

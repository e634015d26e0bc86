import { describe, expect, it } from "vitest";
import { CacheConfigError, CacheError, ErrorCode } from "../../src/core/errors.js";
import type { Embedder } from "../../src/semantic/embedders/embedder.js";
import type { ChatMessage } from "../../src/semantic/messages.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { FaultyEmbedder, WordEmbedder, user, type Fault } from "./support.js";

const STORED = "how do I sort a list of numbers in place";
const NEAR = "how do I sort a list of numbers in place quickly";

function faultyCache() {
  const embedder = new FaultyEmbedder(new WordEmbedder());
  const cache = new SemanticCache<string>({ embedder, similarityThreshold: 0.5 });
  const warnings: string[] = [];
  cache.on("warning", (w) => warnings.push(w.code));
  return { cache, embedder, warnings };
}

describe("SemanticCache: bad input never produces a wrong hit", () => {
  it("rejects empty or malformed messages with a typed error, on every method", async () => {
    const cache = new SemanticCache<string>({ embedder: new WordEmbedder() });
    const bad: unknown[] = [
      [],
      [{ role: "assistant", content: "hi" }],
      [{ role: "root", content: "x" }],
      "hello",
      null,
    ];
    for (const messages of bad) {
      const m = messages as ChatMessage[];
      for (const call of [
        () => cache.getSimilar(m),
        () => cache.put(m, "x"),
        () => cache.delete(m),
        () => cache.getSimilarMany([{ messages: m }]),
      ]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CacheError);
        expect((error as CacheError).code).toBe(ErrorCode.REQUEST);
      }
    }
    expect(cache.size).toBe(0);
  });

  it("rejects bad scope values and temperatures with typed errors", async () => {
    const cache = new SemanticCache<string>({ embedder: new WordEmbedder() });
    await expect(
      cache.getSimilar(user("x"), { tenant: 5 as unknown as string }),
    ).rejects.toMatchObject({
      code: ErrorCode.KEY,
    });
    await expect(cache.getSimilar(user("x"), { model: "m".repeat(2000) })).rejects.toMatchObject({
      code: ErrorCode.KEY,
    });
    await expect(cache.put(user("x"), "x", { temperature: -1 })).rejects.toMatchObject({
      code: ErrorCode.REQUEST,
    });
    await expect(cache.put(user("x"), "x", { temperature: NaN })).rejects.toMatchObject({
      code: ErrorCode.REQUEST,
    });
    await expect(cache.put(user("x"), "x", { ttl: "soon" })).rejects.toMatchObject({
      code: ErrorCode.CONFIG,
    });
  });

  it("rejects a threshold outside 0-1 and other bad options with a CacheConfigError naming the option", () => {
    const cases: [object, string][] = [
      [{ similarityThreshold: 1.01 }, "similarityThreshold"],
      [{ similarityThreshold: -0.1 }, "similarityThreshold"],
      [{ similarityThreshold: NaN }, "similarityThreshold"],
      [{ similarityThreshold: "0.8" }, "similarityThreshold"],
      [{ maxSize: 0 }, "maxSize"],
      [{ maxSize: 1.5 }, "maxSize"],
      [{ maxTemperature: -1 }, "maxTemperature"],
      [{ hnswThreshold: 0 }, "hnswThreshold"],
      [{ candidates: 0 }, "candidates"],
      [{ ttl: -5 }, "ttl"],
      [{ verifier: "yes" }, "verifier"],
      [{ evictionPolicy: "random" }, "evictionPolicy"],
      [{ feed: { publish: async () => undefined } }, "feed"],
    ];
    for (const [options, path] of cases) {
      let error: unknown;
      try {
        new SemanticCache({ embedder: new WordEmbedder(), ...options });
      } catch (e) {
        error = e;
      }
      expect(error, path).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).path).toBe(path);
    }
    expect(
      () => new SemanticCache({ embedder: new WordEmbedder(), similarityThreshold: 0 }),
    ).not.toThrow();
    expect(
      () => new SemanticCache({ embedder: new WordEmbedder(), similarityThreshold: 1 }),
    ).not.toThrow();
  });

  const faults: Fault[] = ["throw", "wrong-dims", "nan", "infinite", "zero", "wrong-count"];
  for (const fault of faults) {
    it(`embedder fault "${fault}": lookups miss and are counted; puts keep the entry for exact hits`, async () => {
      const { cache, embedder, warnings } = faultyCache();
      await cache.put(user(STORED), "stored while healthy");
      embedder.fault = fault;
      // getSimilarMany with one text still exercises the count check (wrong-count returns none).
      expect(await cache.getSimilar(user(NEAR))).toBeUndefined();
      expect(
        await cache.getSimilarMany([{ messages: user(NEAR) }, { messages: user(`${NEAR} now`) }]),
      ).toEqual([undefined, undefined]);
      const stats = cache.getStats();
      expect(stats.embeddingFailures).toBeGreaterThanOrEqual(3);
      expect(stats.misses).toBe(3);
      expect(stats.similarHits + stats.exactHits).toBe(0);
      expect(warnings).toContain(ErrorCode.EMBEDDING);

      // A put while broken stores the entry unindexed: exact repeats still hit, nothing similar does.
      expect(await cache.put(user("what is the boiling point of water"), "100 C")).toEqual({
        stored: true,
        key: expect.any(String),
        indexed: false,
      });
      expect(await cache.getSimilar(user("what is the boiling point of water"))).toMatchObject({
        exact: true,
      });
      embedder.fault = "none";
      expect(
        await cache.getSimilar(user("what is the boiling point of water please")),
      ).toBeUndefined();
      // Healthy again: similar hits resume on indexed entries.
      expect(await cache.getSimilar(user(NEAR))).toMatchObject({
        response: "stored while healthy",
        exact: false,
      });
    });
  }

  it("a provider that hangs does not block exact hits", async () => {
    let release!: () => void;
    const hanging: Embedder = {
      id: "test:hanging",
      dimensions: 8,
      embed: (texts) =>
        new Promise((resolve) => {
          release = () =>
            resolve(texts.map(() => Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0))));
        }),
    };
    const cache = new SemanticCache<string>({ embedder: hanging, similarityThreshold: 1 });
    await cache.put(user(STORED), "exact only");
    expect(await cache.getSimilar(user(STORED))).toMatchObject({ exact: true });
    expect(release).toBeUndefined(); // threshold 1: the embedder was never asked
  });
});

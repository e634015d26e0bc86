import { describe, expect, it } from "vitest";
import { CacheClosedError } from "../../../src/core/errors.js";
import { CustomEmbedder } from "../../../src/semantic/embedders/custom.js";
import { EmbeddingCache } from "../../../src/semantic/embedders/embedding-cache.js";
import { CacheEmbeddingError } from "../../../src/semantic/embedders/errors.js";
import { retryAfterMs } from "../../../src/semantic/embedders/http-transport.js";

/** A user function that records its calls and answers [length, 1, 0, ...]. */
function recordingFunction(dimensions = 4) {
  const calls: string[][] = [];
  return {
    calls,
    embed: async (texts: string[]) => {
      calls.push(texts);
      return texts.map((t) => [t.length, 1, ...new Array<number>(dimensions - 2).fill(0)]);
    },
  };
}

describe("CustomEmbedder", () => {
  it("wraps a user function with validation, normalisation and its own id", async () => {
    const fn = recordingFunction();
    const embedder = new CustomEmbedder({ name: "mine", dimensions: 4, embed: fn.embed });
    const [v] = await embedder.embed(["abc"]);
    expect(embedder.id).toBe("custom:mine");
    expect(Array.from(v)).toEqual(
      Array.from(new Float32Array([3 / Math.hypot(3, 1), 1 / Math.hypot(3, 1), 0, 0])),
    );
    expect(fn.calls).toEqual([["abc"]]);
  });

  it("turns a thrown error into a typed, non-retried error naming the provider", async () => {
    let calls = 0;
    const embedder = new CustomEmbedder({
      name: "broken",
      dimensions: 4,
      maxRetries: 3,
      embed: async () => {
        calls++;
        throw new Error("model crashed");
      },
    });
    const error = await embedder.embed(["x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheEmbeddingError);
    expect((error as Error).message).toBe("custom:broken: provider failed: model crashed");
    expect(calls).toBe(1);
  });

  it("retries when the function says its failure is retryable", async () => {
    let calls = 0;
    const embedder = new CustomEmbedder({
      name: "flaky",
      dimensions: 4,
      sleep: async () => undefined,
      embed: async (texts) => {
        if (++calls === 1)
          throw new CacheEmbeddingError("custom:flaky", "busy", { retryable: true });
        return texts.map(() => [1, 0, 0, 0]);
      },
    });
    await embedder.embed(["x"]);
    expect(calls).toBe(2);
  });

  it("times out a function that ignores its abort signal", async () => {
    const embedder = new CustomEmbedder({
      name: "stuck",
      dimensions: 4,
      timeoutMs: 50,
      maxRetries: 0,
      embed: () => new Promise(() => undefined),
    });
    await expect(embedder.embed(["x"])).rejects.toThrow(
      /custom:stuck embedding request timed out after 50 ms/,
    );
  });

  it("rejects non-string texts with a typed error before calling the function", async () => {
    const fn = recordingFunction();
    const embedder = new CustomEmbedder({ name: "mine", dimensions: 4, embed: fn.embed });
    await expect(embedder.embed(["ok", 42 as unknown as string])).rejects.toThrow(
      /texts\[1\] is number/,
    );
    expect(fn.calls).toHaveLength(0);
  });

  it("returns copies: writing into a result does not corrupt the cache", async () => {
    const fn = recordingFunction();
    const embedder = new CustomEmbedder({ name: "mine", dimensions: 4, embed: fn.embed });
    const [first] = await embedder.embed(["abc"]);
    const original = Array.from(first);
    first.fill(0);
    const [again] = await embedder.embed(["abc"]);
    expect(Array.from(again)).toEqual(original);
    expect(fn.calls).toHaveLength(1);
  });

  it("shares one embedding cache between embedders without mixing their vectors", async () => {
    const cache = new EmbeddingCache(100);
    const a = recordingFunction();
    const b = recordingFunction();
    const one = new CustomEmbedder({ name: "one", dimensions: 4, embed: a.embed, cache });
    const two = new CustomEmbedder({
      name: "two",
      dimensions: 4,
      cache,
      embed: async (texts) => {
        await b.embed(texts);
        return texts.map(() => [0, 0, 0, 1]);
      },
    });
    const [v1] = await one.embed(["same text"]);
    const [v2] = await two.embed(["same text"]);
    expect(Array.from(v1)).not.toEqual(Array.from(v2));
    await one.embed(["same text"]);
    await two.embed(["same text"]);
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(1);
    expect(cache.size).toBe(2);
  });

  it("evicts the least recently used embedding when the cache is full", async () => {
    const fn = recordingFunction();
    const embedder = new CustomEmbedder({
      name: "mine",
      dimensions: 4,
      embed: fn.embed,
      cacheSize: 2,
    });
    await embedder.embed(["a"]);
    await embedder.embed(["bb"]);
    await embedder.embed(["a"]); // a is now the most recent
    await embedder.embed(["ccc"]); // evicts bb
    await embedder.embed(["a"]);
    expect(fn.calls.flat()).toEqual(["a", "bb", "ccc"]);
    await embedder.embed(["bb"]);
    expect(fn.calls.flat()).toEqual(["a", "bb", "ccc", "bb"]);
  });

  it("counts requests, cache hits and texts", async () => {
    const fn = recordingFunction();
    const embedder = new CustomEmbedder({
      name: "mine",
      dimensions: 4,
      embed: fn.embed,
      maxBatchSize: 2,
    });
    await embedder.embed(["a", "b", "c", "a"]);
    await embedder.embed(["b"]);
    expect(embedder.stats()).toEqual({
      requests: 2,
      retries: 0,
      failures: 0,
      cacheHits: 2,
      textsEmbedded: 3,
    });
  });

  it("calls the user's close once and refuses work afterwards", async () => {
    let closed = 0;
    const fn = recordingFunction();
    const embedder = new CustomEmbedder({
      name: "mine",
      dimensions: 4,
      embed: fn.embed,
      close: async () => {
        closed++;
      },
    });
    await embedder.close();
    await embedder.close();
    expect(closed).toBe(1);
    await expect(embedder.embed(["x"])).rejects.toBeInstanceOf(CacheClosedError);
  });
});

describe("retryAfterMs", () => {
  const headers = (init: Record<string, string>) => new Headers(init);
  it("reads seconds, HTTP dates and retry-after-ms", () => {
    expect(retryAfterMs(headers({ "retry-after": "3" }))).toBe(3000);
    expect(retryAfterMs(headers({ "retry-after": "0.5" }))).toBe(500);
    expect(retryAfterMs(headers({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs(headers({ "retry-after": "Wed, 01 Jan 2025 00:00:04 GMT" }), now)).toBe(
      4000,
    );
    expect(retryAfterMs(headers({ "retry-after": "Tue, 31 Dec 2024 00:00:00 GMT" }), now)).toBe(0);
  });

  it("ignores absent or unreadable values", () => {
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "-1" }))).toBeUndefined();
  });
});

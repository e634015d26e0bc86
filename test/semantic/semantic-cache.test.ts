import { describe, expect, it } from "vitest";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import type { ChatMessage } from "../../src/semantic/messages.js";
import { ConstantEmbedder, ManualClock, WordEmbedder, user } from "./support.js";

const Q = "how do I sort a list of numbers in place";
const PARAPHRASE = "how do I sort a list of numbers in place quickly";

function cache(options: ConstructorParameters<typeof SemanticCache>[0] = {}) {
  const embedder = new WordEmbedder();
  const c = new SemanticCache<string>({ embedder, similarityThreshold: 0.8, ...options });
  return { c, embedder };
}

describe("SemanticCache: exact match first", () => {
  it("answers an exact repeat without calling the embedder", async () => {
    const { c, embedder } = cache();
    await c.put(user(Q), "answer", { model: "m" });
    const callsAfterPut = embedder.calls;
    expect(callsAfterPut).toBe(1);
    for (let i = 0; i < 5; i++) {
      // Whitespace and Unicode variants are the same canonical request.
      const hit = await c.getSimilar(user(i % 2 ? `  ${Q}  ` : Q), { model: "m" });
      expect(hit).toEqual({ response: "answer", similarity: 1, exact: true });
    }
    expect(embedder.calls).toBe(callsAfterPut);
    expect(c.getStats()).toMatchObject({ exactHits: 5, similarHits: 0, misses: 0 });
  });

  it("does not embed a lookup when nothing comparable (same scope and context) is stored", async () => {
    const { c, embedder } = cache();
    await c.put(user(Q), "answer", { model: "m" });
    const calls = embedder.calls;
    expect(await c.getSimilar(user(PARAPHRASE), { model: "other" })).toBeUndefined();
    expect(embedder.calls).toBe(calls);
    expect(await c.getSimilar(user(PARAPHRASE), { model: "m" })).toMatchObject({ exact: false });
    expect(embedder.calls).toBe(calls + 1);
  });
});

describe("SemanticCache: threshold", () => {
  it("hits iff similarity >= threshold, and reports the similarity", async () => {
    const embedder = new WordEmbedder();
    const [a, b] = await embedder.embed([Q, PARAPHRASE]);
    const similarity = a.reduce((s, x, i) => s + x * b[i], 0);
    expect(similarity).toBeGreaterThan(0.5);
    expect(similarity).toBeLessThan(1);
    for (const [threshold, hits] of [
      [similarity - 0.01, true],
      [similarity + 0.01, false],
      [0, true],
    ] as const) {
      const c = new SemanticCache<string>({
        embedder,
        similarityThreshold: threshold,
        verifier: false,
      });
      await c.put(user(Q), "answer");
      const hit = await c.getSimilar(user(PARAPHRASE));
      if (hits) {
        expect(hit?.exact).toBe(false);
        expect(hit?.similarity).toBeCloseTo(similarity, 5);
      } else expect(hit).toBeUndefined();
    }
  });

  it("1 means exact matches only, even for a lookup whose vector is identical", async () => {
    const embedder = new ConstantEmbedder();
    const c = new SemanticCache<string>({ embedder, similarityThreshold: 1, verifier: false });
    await c.put(user("first question"), "first");
    expect(await c.getSimilar(user("a completely different question"))).toBeUndefined();
    expect(await c.getSimilar(user("first question"))).toMatchObject({
      exact: true,
      response: "first",
    });
    // With a threshold just below 1 the constant embedder makes everything a similar hit.
    const loose = new SemanticCache<string>({
      embedder,
      similarityThreshold: 0.999,
      verifier: false,
    });
    await loose.put(user("first question"), "first");
    expect(await loose.getSimilar(user("a completely different question"))).toMatchObject({
      exact: false,
    });
  });
});

describe("SemanticCache: what is cached", () => {
  it("bypasses requests with temperature above maxTemperature, in both directions", async () => {
    const { c } = cache({ maxTemperature: 0.7 });
    expect(await c.put(user(Q), "hot", { temperature: 0.9 })).toEqual({
      stored: false,
      reason: "temperature",
    });
    expect(c.size).toBe(0);
    await c.put(user(Q), "cool", { temperature: 0.7 });
    expect(await c.getSimilar(user(Q), { temperature: 0.71 })).toBeUndefined();
    expect(await c.getSimilar(user(Q), { temperature: 0.2 })).toMatchObject({ response: "cool" });
    expect(await c.getSimilar(user(Q))).toMatchObject({ response: "cool" });
    expect(c.getStats()).toMatchObject({ bypassed: 1, notStored: { temperature: 1 } });
  });

  it("never stores a truncated or error response, and says why", async () => {
    const { c } = cache();
    const cases: [unknown, object, string][] = [
      ["partial answer", { finishReason: "length" }, "truncated"],
      [{ choices: [{ finish_reason: "length", message: { content: "cut" } }] }, {}, "truncated"],
      [{ stop_reason: "max_tokens", content: [] }, {}, "truncated"],
      [{ error: { message: "rate limited", type: "rate_limit" } }, {}, "error_response"],
      [new Error("boom"), {}, "error_response"],
      ["x", { finishReason: "error" }, "error_response"],
    ];
    for (const [response, options, reason] of cases) {
      expect(await c.put(user(Q), response as string, options)).toEqual({ stored: false, reason });
    }
    expect(c.size).toBe(0);
    expect(await c.getSimilar(user(Q))).toBeUndefined();
    expect(c.getStats().notStored).toEqual({ truncated: 3, errorResponse: 3, temperature: 0 });
    // A complete answer is stored; an explicit finishReason wins over the response's shape.
    expect(await c.put(user(Q), "full", { finishReason: "stop" })).toMatchObject({
      stored: true,
      indexed: true,
    });
    expect(await c.getSimilar(user(Q))).toMatchObject({ response: "full" });
  });

  it("replaces the entry of an identical request", async () => {
    const { c } = cache();
    await c.put(user(Q), "old");
    await c.put(user(Q), "new");
    expect(c.size).toBe(1);
    expect(await c.getSimilar(user(Q))).toMatchObject({ response: "new" });
    expect(await c.getSimilar(user(PARAPHRASE))).toMatchObject({ response: "new", exact: false });
  });
});

describe("SemanticCache: verifier", () => {
  it("rejects a contrastive near miss that similarity alone would serve, and counts it", async () => {
    const embedder = new WordEmbedder();
    const strict = new SemanticCache<string>({ embedder, similarityThreshold: 0.5 });
    const loose = new SemanticCache<string>({
      embedder,
      similarityThreshold: 0.5,
      verifier: false,
    });
    for (const c of [strict, loose])
      await c.put(user("how do I delete a local branch in git"), "git branch -d");
    const lookup = user("how do I delete a remote branch in git");
    expect(await loose.getSimilar(lookup)).toMatchObject({ response: "git branch -d" });
    expect(await strict.getSimilar(lookup)).toBeUndefined();
    expect(strict.getStats()).toMatchObject({ rejectedByVerifier: 1, misses: 1 });
  });

  it("takes a custom verifier, sync or async, with both texts and the similarity", async () => {
    const seen: [string, string, number][] = [];
    const c = new SemanticCache<string>({
      embedder: new WordEmbedder(),
      similarityThreshold: 0.5,
      verifier: async (query, cached, similarity) => {
        seen.push([query, cached, similarity]);
        return !query.includes("never");
      },
    });
    await c.put(user(Q), "answer");
    expect(await c.getSimilar(user(PARAPHRASE))).toMatchObject({ response: "answer" });
    expect(await c.getSimilar(user(`${Q} never`))).toBeUndefined();
    expect(seen[0][0]).toBe(PARAPHRASE);
    expect(seen[0][1]).toBe(Q);
    expect(seen[0][2]).toBeGreaterThanOrEqual(0.5);
  });

  it("treats a verifier that throws as a rejection", async () => {
    const c = new SemanticCache<string>({
      embedder: new WordEmbedder(),
      similarityThreshold: 0.5,
      verifier: () => {
        throw new Error("judge unavailable");
      },
    });
    const warnings: string[] = [];
    c.on("warning", (w) => warnings.push(w.code));
    await c.put(user(Q), "answer");
    expect(await c.getSimilar(user(PARAPHRASE))).toBeUndefined();
    expect(await c.getSimilar(user(Q))).toMatchObject({ exact: true }); // exact hits are not verified
    expect(warnings).toEqual(["VERIFIER"]);
  });

  it("moves past a rejected candidate to the next one", async () => {
    const c = new SemanticCache<string>({
      embedder: new ConstantEmbedder(),
      similarityThreshold: 0.5,
      verifier: (_q, cached) => cached === "second",
    });
    await c.put(user("first"), "1");
    await c.put(user("second"), "2");
    await c.put(user("third"), "3");
    expect(await c.getSimilar(user("anything"))).toMatchObject({ response: "2", exact: false });
  });
});

describe("SemanticCache: lifetime", () => {
  it("expires entries after their TTL, per cache and per put", async () => {
    const clock = new ManualClock();
    const { c } = cache({ clock, ttl: "10s" });
    await c.put(user(Q), "default ttl");
    await c.put(user("what is the tallest mountain on earth"), "own ttl", { ttl: 60 });
    clock.advance(9_999);
    expect(await c.getSimilar(user(Q))).toMatchObject({ response: "default ttl" });
    clock.advance(1);
    expect(await c.getSimilar(user(Q))).toBeUndefined();
    expect(await c.getSimilar(user(PARAPHRASE))).toBeUndefined();
    expect(await c.getSimilar(user("what is the tallest mountain on earth"))).toMatchObject({
      response: "own ttl",
    });
    clock.advance(120_000);
    expect(await c.getSimilar(user("what is the tallest mountain on earth"))).toBeUndefined();
    expect(c.getStats()).toMatchObject({ expirations: 2, entries: 0 });
  });

  it("sweeps expired entries out of memory without a lookup touching them", async () => {
    const clock = new ManualClock();
    const { c } = cache({ clock, ttl: 5, sweepInterval: 1 });
    for (let i = 0; i < 20; i++)
      await c.put(user(`question number ${i} about topic ${i}`), `a${i}`);
    clock.advance(6_000);
    await c.put(user("a fresh question"), "fresh");
    expect(c.size).toBe(1);
    expect(c.getStats().indexedEntries).toBe(1);
  });

  it("evicts the least recently hit entry beyond maxSize, from memory and the index", async () => {
    const { c } = cache({ maxSize: 3 });
    const q = (i: number): ChatMessage[] =>
      user(`distinct question ${["alpha", "bravo", "charlie", "delta"][i]}`);
    for (let i = 0; i < 3; i++) await c.put(q(i), `a${i}`);
    await c.getSimilar(q(0)); // 0 is now more recent than 1
    await c.put(q(3), "a3");
    expect(c.size).toBe(3);
    expect(await c.getSimilar(q(1))).toBeUndefined();
    for (const i of [0, 2, 3])
      expect(await c.getSimilar(q(i))).toMatchObject({ response: `a${i}` });
    expect(c.getStats()).toMatchObject({ evictions: 1, entries: 3, indexedEntries: 3 });
  });
});

describe("SemanticCache: delete, clear, tags, batches", () => {
  it("deletes exactly one request's entry", async () => {
    const { c } = cache();
    await c.put(user(Q), "a", { namespace: "n1" });
    expect(await c.delete(user(Q), { namespace: "n2" })).toBe(false);
    expect(await c.delete(user(Q), { namespace: "n1" })).toBe(true);
    expect(await c.getSimilar(user(PARAPHRASE), { namespace: "n1" })).toBeUndefined();
  });

  it("clears one namespace, or all", async () => {
    const { c } = cache();
    for (const namespace of ["n1", "n2", "n3"]) await c.put(user(Q), namespace, { namespace });
    await c.clear("n2");
    expect(await c.getSimilar(user(Q), { namespace: "n2" })).toBeUndefined();
    expect(await c.getSimilar(user(Q), { namespace: "n1" })).toMatchObject({ response: "n1" });
    await c.clear();
    expect(c.size).toBe(0);
  });

  it("invalidates by tag", async () => {
    const { c } = cache();
    await c.put(user("question about the git repo"), "g", { tags: ["repo:a", "git"] });
    await c.put(user("question about the docs"), "d", { tags: ["repo:a"] });
    await c.put(user("question about lunch"), "l");
    expect(await c.invalidateTag("git")).toBe(1);
    expect(await c.invalidateTag("repo:a")).toBe(1);
    expect(await c.invalidateTag("repo:a")).toBe(0);
    expect(c.size).toBe(1);
    await expect(c.put(user("x"), "x", { tags: [""] })).rejects.toMatchObject({
      code: "ERR_CACHE_REQUEST",
    });
  });

  it("putMany and getSimilarMany embed each batch in one call", async () => {
    const { c, embedder } = cache();
    const questions = [
      "alpha question here",
      "bravo question there",
      "charlie question everywhere",
    ];
    const results = await c.putMany(
      questions.map((q, i) => ({ messages: user(q), response: `r${i}` })),
    );
    expect(results.every((r) => r.stored)).toBe(true);
    expect(embedder.calls).toBe(1);
    const hits = await c.getSimilarMany([
      { messages: user(questions[0]) },
      { messages: user("bravo question there please") },
      { messages: user("charlie question everywhere"), options: { model: "other" } },
      { messages: user("something unrelated entirely") },
    ]);
    expect(hits.map((h) => h?.response)).toEqual(["r0", "r1", undefined, undefined]);
    expect(hits[0]?.exact).toBe(true);
    expect(embedder.calls).toBe(2);
  });

  it("reports stats: hit kinds, histogram, embedding latency", async () => {
    const { c } = cache();
    await c.put(user(Q), "a");
    await c.getSimilar(user(Q));
    await c.getSimilar(user(PARAPHRASE));
    await c.getSimilar(user("completely unrelated words"));
    const stats = c.getStats();
    expect(stats).toMatchObject({
      exactHits: 1,
      similarHits: 1,
      misses: 1,
      entries: 1,
      scopeViolations: 0,
    });
    expect(stats.hitRate).toBeCloseTo(2 / 3);
    expect(stats.similarityHistogram).toHaveLength(20);
    expect(stats.similarityHistogram.reduce((a, b) => a + b, 0)).toBe(2);
    expect(stats.embeddingLatency.count).toBe(3);
    expect(stats.embeddingLatency.p95Ms).toBeGreaterThanOrEqual(stats.embeddingLatency.p50Ms);
    expect(stats.partitions).toEqual({ flat: 1, hnsw: 0 });
  });

  it("refuses calls after close", async () => {
    const { c } = cache();
    await c.put(user(Q), "a");
    await c.close();
    await c.close();
    await expect(c.getSimilar(user(Q))).rejects.toMatchObject({ code: "ERR_CACHE_CLOSED" });
    await expect(c.put(user(Q), "a")).rejects.toMatchObject({ code: "ERR_CACHE_CLOSED" });
  });
});

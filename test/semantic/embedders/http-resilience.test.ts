/**
 * Resilience of both HTTP providers against local servers speaking their real wire formats:
 * rate limits, server errors, hangs, resets, bad vectors, batching, concurrency and the cache.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CacheClosedError, CacheTimeoutError } from "../../../src/core/errors.js";
import type { Embedder } from "../../../src/semantic/embedders/embedder.js";
import type { EmbeddingPipelineOptions } from "../../../src/semantic/embedders/embedding-pipeline.js";
import { CacheEmbeddingError } from "../../../src/semantic/embedders/errors.js";
import { OllamaEmbedder } from "../../../src/semantic/embedders/ollama.js";
import { OpenAIEmbedder } from "../../../src/semantic/embedders/openai.js";
import {
  openAIError,
  startOllamaServer,
  startOpenAIServer,
  type FakeEmbeddingServer,
  type ScriptedResponse,
} from "../../helpers/embedding-servers.js";

interface Wire {
  name: string;
  start: typeof startOpenAIServer;
  create: (url: string, options: EmbeddingPipelineOptions) => Embedder;
  /** The provider's own error body for a status. */
  errorBody: (message: string) => unknown;
  /** Texts in a recorded request body. */
  inputOf: (body: unknown) => string[];
}

const wires: Wire[] = [
  {
    name: "openai",
    start: startOpenAIServer,
    create: (url, options) =>
      new OpenAIEmbedder({ baseUrl: url, model: "m", dimensions: 8, ...options }),
    errorBody: (message) => openAIError(message, "server_error"),
    inputOf: (body) => (body as { input: string[] }).input,
  },
  {
    name: "ollama",
    start: startOllamaServer,
    create: (url, options) =>
      new OllamaEmbedder({ baseUrl: url, model: "m", dimensions: 8, ...options }),
    errorBody: (message) => ({ error: message }),
    inputOf: (body) => (body as { input: string[] }).input,
  },
];

let server: FakeEmbeddingServer | undefined;
const open: Embedder[] = [];

afterEach(async () => {
  for (const e of open.splice(0)) await e.close?.();
  await server?.close();
  server = undefined;
});

describe.each(wires)("$name provider resilience", (wire) => {
  async function setup(
    options: EmbeddingPipelineOptions = {},
    serverOptions: Parameters<typeof startOpenAIServer>[0] = {},
  ): Promise<{ server: FakeEmbeddingServer; embedder: Embedder; delays: number[] }> {
    server = await wire.start({ dimensions: 8, ...serverOptions });
    const delays: number[] = [];
    const embedder = wire.create(server.url, {
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...options,
    });
    open.push(embedder);
    return { server, embedder, delays };
  }

  const fail = (status: number, headers?: Record<string, string>): ScriptedResponse => ({
    status,
    body: wire.errorBody(`failure ${status}`),
    headers,
  });

  it("retries a 429 after the server's Retry-After, then succeeds", async () => {
    const { server, embedder, delays } = await setup({ maxRetries: 2, retryMaxDelayMs: 5000 });
    server.script(fail(429, { "retry-after": "2" }));
    const [v] = await embedder.embed(["rate limited"]);
    expect(v).toHaveLength(8);
    expect(server.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(delays[0]).toBeLessThanOrEqual(5000);
  });

  it("fails at once when Retry-After exceeds retryMaxDelayMs", async () => {
    const { server, embedder, delays } = await setup({ maxRetries: 3, retryMaxDelayMs: 1000 });
    server.script(fail(429, { "retry-after": "60" }));
    await expect(embedder.embed(["x"])).rejects.toMatchObject({
      code: "ERR_CACHE_EMBEDDING",
      status: 429,
    });
    expect(server.requests).toHaveLength(1);
    expect(delays).toHaveLength(0);
  });

  it("retries a 500 with exponential backoff, then succeeds", async () => {
    const { server, embedder, delays } = await setup({ maxRetries: 3, retryBaseDelayMs: 100 });
    server.script(fail(500), fail(503));
    await embedder.embed(["flaky"]);
    expect(server.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
  });

  it("gives up after maxRetries with a typed error carrying the provider's message", async () => {
    const { server, embedder } = await setup({ maxRetries: 2 });
    server.script(fail(500), fail(500), fail(500), fail(500));
    const error = await embedder.embed(["down"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheEmbeddingError);
    expect(error).toMatchObject({
      code: "ERR_CACHE_EMBEDDING",
      status: 500,
      provider: embedder.id,
    });
    expect((error as Error).message).toMatch(/failure 500.*gave up after 3 attempts/);
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a 404", async () => {
    const { server, embedder } = await setup({ maxRetries: 3 });
    server.script(fail(404));
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ status: 404, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it("times out a hanging request, retries it, then reports the timeout", async () => {
    const { server, embedder } = await setup({ timeoutMs: 150, maxRetries: 1 });
    server.script("hang", "hang");
    const error = await embedder.embed(["hang"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheEmbeddingError);
    expect((error as Error).message).toMatch(/timed out after 150 ms/);
    const cause = (error as Error).cause as Error;
    expect(cause.cause).toBeInstanceOf(CacheTimeoutError);
    expect(server.requests).toHaveLength(2);
  });

  it("retries a reset connection", async () => {
    const { server, embedder } = await setup({ maxRetries: 1 });
    server.script("reset");
    const [v] = await embedder.embed(["reset"]);
    expect(v).toHaveLength(8);
    expect(server.requests).toHaveLength(2);
  });

  it("reports a server that is down as a retryable network failure", async () => {
    const { server: s, embedder } = await setup({ maxRetries: 1 });
    await s.close();
    server = undefined;
    await expect(embedder.embed(["x"])).rejects.toMatchObject({
      code: "ERR_CACHE_EMBEDDING",
      retryable: true,
    });
  });

  it.each([
    [
      "a wrong dimension",
      (v: number[][]) => v.map((x) => x.slice(0, 7)),
      /has 7 dimensions, expected 8/,
    ],
    [
      "a null (JSON's NaN)",
      (v: number[][]) => v.map((x) => [null, ...x.slice(1)]),
      /holds null at dimension 0/,
    ],
    ["a zero vector", (v: number[][]) => v.map((x) => x.map(() => 0)), /no direction/],
    ["a number instead of a vector", (v: number[][]) => v.map(() => 42), /vector 0 of 1 is number/],
  ])("rejects %s with a typed error, caches nothing, never retries", async (_, mutate, message) => {
    const { server, embedder } = await setup({ maxRetries: 3 });
    server.script({ mutate });
    const error = await embedder.embed(["bad"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheEmbeddingError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(embedder.id);
    expect(server.requests).toHaveLength(1);
    await embedder.embed(["bad"]); // a later call asks again: the bad vector was not cached
    expect(server.requests).toHaveLength(2);
  });

  it("rejects literal NaN and Infinity in the body (as Python servers write them)", async () => {
    const { server, embedder } = await setup();
    const body = (values: string): string =>
      wire.name === "openai"
        ? `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[${values}]}]}`
        : `{"model":"m","embeddings":[[${values}]]}`;
    server.script({ status: 200, rawBody: body("NaN,0,0,0,0,0,0,1") });
    await expect(embedder.embed(["nan"])).rejects.toThrow(/not JSON/);
    server.script({ status: 200, rawBody: body("1e999,0,0,0,0,0,0,1") });
    await expect(embedder.embed(["inf"])).rejects.toThrow(/holds Infinity at dimension 0/);
  });

  it("splits large inputs into batches of maxBatchSize and keeps the order", async () => {
    const { server, embedder } = await setup({ maxBatchSize: 3 });
    const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}`);
    const vectors = await embedder.embed(texts);
    expect(server.requests.map((r) => wire.inputOf(r.body).length).sort()).toEqual([1, 3, 3, 3]);
    expect(server.requests.flatMap((r) => wire.inputOf(r.body)).sort()).toEqual([...texts].sort());
    vectors.forEach((v, i) => {
      const expected = server.vectorFor(texts[i]);
      const norm = Math.hypot(...expected);
      expect(v[0]).toBeCloseTo(expected[0] / norm, 6);
    });
  });

  it("keeps at most maxConcurrency requests in flight, across concurrent calls", async () => {
    const { server, embedder } = await setup(
      { maxBatchSize: 1, maxConcurrency: 3 },
      { delayMs: 40 },
    );
    const texts = Array.from({ length: 12 }, (_, i) => `concurrent ${i}`);
    await Promise.all([embedder.embed(texts.slice(0, 6)), embedder.embed(texts.slice(6))]);
    expect(server.requests).toHaveLength(12);
    expect(server.peakConcurrency).toBeLessThanOrEqual(3);
    expect(server.peakConcurrency).toBeGreaterThan(1);
  });

  it("embeds a text once: repeated, cached and in-flight texts make no second request", async () => {
    const { server, embedder } = await setup({ maxBatchSize: 10 });
    const first = await embedder.embed(["alpha", "beta", "alpha"]);
    expect(server.textsEmbedded).toEqual(["alpha", "beta"]);
    expect(Array.from(first[2])).toEqual(Array.from(first[0]));
    const second = await embedder.embed(["beta", "gamma"]);
    expect(server.textsEmbedded).toEqual(["alpha", "beta", "gamma"]);
    expect(Array.from(second[0])).toEqual(Array.from(first[1]));
    await Promise.all([embedder.embed(["delta"]), embedder.embed(["delta"])]);
    expect(server.textsEmbedded.filter((t) => t === "delta")).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it("can turn the embedding cache off", async () => {
    const { server, embedder } = await setup({ cacheSize: 0 });
    await embedder.embed(["same"]);
    await embedder.embed(["same"]);
    expect(server.requests).toHaveLength(2);
  });

  it("aborts in-flight requests on close and refuses new ones", async () => {
    const { server, embedder } = await setup({ timeoutMs: 60_000 });
    server.script("hang");
    const pending = embedder.embed(["never"]).catch((e: unknown) => e);
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await embedder.close?.();
    expect(await pending).toBeInstanceOf(CacheClosedError);
    await expect(embedder.embed(["after"])).rejects.toBeInstanceOf(CacheClosedError);
  });
});

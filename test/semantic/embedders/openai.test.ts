import { afterEach, describe, expect, it } from "vitest";
import {
  OpenAIEmbedder,
  type OpenAIEmbedderOptions,
} from "../../../src/semantic/embedders/openai.js";
import { CacheEmbeddingError } from "../../../src/semantic/embedders/errors.js";
import {
  openAIError,
  startOpenAIServer,
  type FakeEmbeddingServer,
} from "../../helpers/embedding-servers.js";

let server: FakeEmbeddingServer | undefined;
const embedders: OpenAIEmbedder[] = [];

afterEach(async () => {
  for (const e of embedders.splice(0)) await e.close();
  await server?.close();
  server = undefined;
});

async function setup(
  options: Partial<OpenAIEmbedderOptions> = {},
  serverOptions: Parameters<typeof startOpenAIServer>[0] = {},
): Promise<{ server: FakeEmbeddingServer; embedder: OpenAIEmbedder }> {
  server = await startOpenAIServer({ dimensions: 8, ...serverOptions });
  const embedder = new OpenAIEmbedder({
    baseUrl: server.url,
    model: "bge-small",
    dimensions: 8,
    apiKey: "sk-test",
    sleep: async () => undefined,
    ...options,
  });
  embedders.push(embedder);
  return { server, embedder };
}

function unit(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}

describe("OpenAIEmbedder wire format", () => {
  it("POSTs {model, input} to /v1/embeddings with a Bearer key and returns vectors in input order", async () => {
    const { server, embedder } = await setup(
      { headers: { "openai-organization": "org-1" } },
      { reverseOrder: true },
    );
    const texts = ["first text", "second text", "third text"];
    const vectors = await embedder.embed(texts);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/v1/embeddings");
    expect(request.headers.authorization).toBe("Bearer sk-test");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["openai-organization"]).toBe("org-1");
    expect(request.body).toEqual({ model: "bge-small", input: texts });
    // The server answered data in reverse; the client sorts by index.
    vectors.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      Array.from(v).forEach((x, d) =>
        expect(x).toBeCloseTo(unit(server.vectorFor(texts[i]))[d], 6),
      );
    });
    expect(embedder.id).toBe("openai:bge-small");
  });

  it("normalises vectors a server sends unnormalised", async () => {
    const { embedder } = await setup({}, { scale: 7.5 });
    const [v] = await embedder.embed(["scaled"]);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });

  it("sends `dimensions` for text-embedding-3 models given a length, and not otherwise", async () => {
    const { server, embedder } = await setup({ model: "text-embedding-3-small", dimensions: 8 });
    await embedder.embed(["a"]);
    expect(server.requests[0].body).toEqual({
      model: "text-embedding-3-small",
      input: ["a"],
      dimensions: 8,
    });

    const plain = new OpenAIEmbedder({ baseUrl: server.url, model: "bge-small", dimensions: 8 });
    embedders.push(plain);
    await plain.embed(["b"]);
    expect(server.requests[1].body).toEqual({ model: "bge-small", input: ["b"] });
    expect(server.requests[1].headers.authorization).toBeUndefined();
  });

  it("knows the native length of OpenAI's models", () => {
    expect(new OpenAIEmbedder({ model: "text-embedding-3-large" }).dimensions).toBe(3072);
    expect(new OpenAIEmbedder({ model: "text-embedding-3-small" }).dimensions).toBe(1536);
  });

  it("speaks Azure's variant: deployment path, api-key header, api-version query", async () => {
    server = await startOpenAIServer({ dimensions: 8 });
    const embedder = new OpenAIEmbedder({
      baseUrl: `${server.url}/openai/deployments/embed-small`,
      path: "/embeddings",
      query: { "api-version": "2024-02-01" },
      apiKey: "azure-key",
      apiKeyHeader: "api-key",
      model: "text-embedding-3-small",
      dimensions: 8,
      sendDimensions: false,
    });
    embedders.push(embedder);
    await embedder.embed(["hello"]);
    const [request] = server.requests;
    expect(request.url).toBe("/openai/deployments/embed-small/embeddings?api-version=2024-02-01");
    expect(request.headers["api-key"]).toBe("azure-key");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({ model: "text-embedding-3-small", input: ["hello"] });
  });

  it("decodes base64 embeddings", async () => {
    const { server, embedder } = await setup();
    server.script({
      mutate: (vectors) =>
        vectors.map((v) => Buffer.from(new Float32Array(v).buffer).toString("base64")),
    });
    const [v] = await embedder.embed(["encoded"]);
    Array.from(v).forEach((x, d) => expect(x).toBeCloseTo(unit(server.vectorFor("encoded"))[d], 5));
  });
});

describe("OpenAIEmbedder errors", () => {
  it("quotes OpenAI's error message on 401 and does not retry", async () => {
    const { server, embedder } = await setup({ maxRetries: 3 });
    server.script({
      status: 401,
      body: openAIError(
        "Incorrect API key provided: sk-test.",
        "invalid_request_error",
        "invalid_api_key",
      ),
    });
    const error = await embedder.embed(["a"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheEmbeddingError);
    expect(error).toMatchObject({ code: "ERR_CACHE_EMBEDDING", status: 401, retryable: false });
    expect((error as Error).message).toContain("openai:bge-small");
    expect((error as Error).message).toContain("Incorrect API key provided");
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry a 400 (input too long)", async () => {
    const { server, embedder } = await setup({ maxRetries: 3 });
    server.script({
      status: 400,
      body: openAIError(
        "This model's maximum context length is 8192 tokens",
        "invalid_request_error",
      ),
    });
    await expect(embedder.embed(["long"])).rejects.toMatchObject({
      status: 400,
      code: "ERR_CACHE_EMBEDDING",
    });
    expect(server.requests).toHaveLength(1);
  });

  it("rejects an answer whose data count does not match the input", async () => {
    const { server, embedder } = await setup();
    server.script({ mutate: (vectors) => vectors.slice(1) });
    await expect(embedder.embed(["a", "b"])).rejects.toThrow(/1 embeddings for 2 texts/);
  });

  it("rejects an answer without data", async () => {
    const { server, embedder } = await setup();
    server.script({ status: 200, body: { object: "list" } });
    await expect(embedder.embed(["a"])).rejects.toThrow(/no `data` array/);
  });
});

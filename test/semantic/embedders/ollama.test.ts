import { afterEach, describe, expect, it } from "vitest";
import { CacheEmbeddingError } from "../../../src/semantic/embedders/errors.js";
import { OllamaEmbedder } from "../../../src/semantic/embedders/ollama.js";
import { startOllamaServer, type FakeEmbeddingServer } from "../../helpers/embedding-servers.js";

let server: FakeEmbeddingServer | undefined;
const embedders: OllamaEmbedder[] = [];

afterEach(async () => {
  for (const e of embedders.splice(0)) await e.close();
  await server?.close();
  server = undefined;
});

async function setup(options: Partial<ConstructorParameters<typeof OllamaEmbedder>[0]> = {}) {
  server = await startOllamaServer({ dimensions: 8 });
  const embedder = new OllamaEmbedder({
    baseUrl: server.url,
    model: "tiny-embed",
    dimensions: 8,
    ...options,
  });
  embedders.push(embedder);
  return { server, embedder };
}

describe("OllamaEmbedder wire format", () => {
  it("POSTs {model, input, truncate, keep_alive} to /api/embed and returns normalised vectors", async () => {
    const { server, embedder } = await setup({
      keepAlive: "10m",
      headers: { "x-proxy-token": "t" },
    });
    const texts = ["why is the sky blue?", "why is grass green?"];
    const vectors = await embedder.embed(texts);
    const [request] = server.requests;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/api/embed");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-proxy-token"]).toBe("t");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      model: "tiny-embed",
      input: texts,
      truncate: true,
      keep_alive: "10m",
    });
    vectors.forEach((v, i) => {
      const expected = server.vectorFor(texts[i]);
      const norm = Math.hypot(...expected);
      Array.from(v).forEach((x, d) => expect(x).toBeCloseTo(expected[d] / norm, 6));
    });
    expect(embedder.id).toBe("ollama:tiny-embed");
  });

  it("knows common models' lengths, with or without the :latest tag", () => {
    expect(new OllamaEmbedder({ model: "nomic-embed-text" }).dimensions).toBe(768);
    expect(new OllamaEmbedder({ model: "all-minilm:latest" }).dimensions).toBe(384);
  });

  it("reports Ollama's error string for a model that is not pulled, without retrying", async () => {
    const { server, embedder } = await setup({ maxRetries: 3 });
    server.script({
      status: 404,
      body: { error: 'model "tiny-embed" not found, try pulling it first' },
    });
    const error = await embedder.embed(["x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheEmbeddingError);
    expect((error as Error).message).toContain(
      'model "tiny-embed" not found, try pulling it first',
    );
    expect(server.requests).toHaveLength(1);
  });

  it("rejects an answer without embeddings", async () => {
    const { server, embedder } = await setup();
    server.script({ status: 200, body: { model: "tiny-embed" } });
    await expect(embedder.embed(["x"])).rejects.toThrow(/no `embeddings` array/);
  });

  it("rejects an answer with fewer embeddings than texts", async () => {
    const { server, embedder } = await setup();
    server.script({ mutate: (vectors) => vectors.slice(0, 1) });
    await expect(embedder.embed(["a", "b"])).rejects.toThrow(/returned 1 vectors for 2 texts/);
  });
});

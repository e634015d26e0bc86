/**
 * The transformers provider against the real @huggingface/transformers and ONNX Runtime, with a
 * tiny BERT-shaped model generated here (no download). When the optional library cannot be
 * imported, the real-model tests skip and say why on stderr; VICTOR_CACHE_REQUIRE_TRANSFORMERS=1
 * makes them fail instead. VICTOR_CACHE_TRANSFORMERS_MODULE may point at a copy installed
 * elsewhere (a path to its ESM entry).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CacheEmbeddingError } from "../../../src/semantic/embedders/errors.js";
import {
  TransformersEmbedder,
  type TransformersModule,
} from "../../../src/semantic/embedders/transformers.js";
import { writeTinyBertModel } from "../../helpers/tiny-onnx-model.js";

const specifier = process.env.VICTOR_CACHE_TRANSFORMERS_MODULE ?? "@huggingface/transformers";
const loadModule = async (): Promise<TransformersModule> =>
  (await import(specifier)) as TransformersModule;

let unavailable: string | undefined;
try {
  await loadModule();
} catch (error) {
  unavailable = error instanceof Error ? error.message.split("\n")[0] : String(error);
}
if (unavailable !== undefined) {
  const message =
    `SKIPPING transformers real-model tests: cannot import ${specifier}: ${unavailable}. ` +
    "It is an optional dependency; npm drops it when onnxruntime-node's postinstall (which " +
    "package.json's allowScripts denies) fails to download CUDA binaries.";
  if (process.env.VICTOR_CACHE_REQUIRE_TRANSFORMERS === "1") throw new Error(message);
  console.warn(`\n*** ${message} ***\n`);
}

const dir = mkdtempSync(join(tmpdir(), "victor-transformers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORDS =
  "how do i delete a local git branch remote python sort list ascending descending".split(" ");

function meanPooled(model: ReturnType<typeof writeTinyBertModel>, text: string): number[] {
  const ids = model.tokenIds(text);
  const sum = new Array<number>(model.hidden).fill(0);
  for (const id of ids) model.embedding(id).forEach((x, d) => (sum[d] += x / ids.length));
  const norm = Math.hypot(...sum);
  return sum.map((x) => x / norm);
}

describe("TransformersEmbedder without a model run", () => {
  it("reads dimensions from the model's config.json and names itself after the folder", () => {
    const model = writeTinyBertModel(dir, "tiny-config", WORDS, 12);
    const embedder = new TransformersEmbedder({ modelPath: model.path });
    expect(embedder.dimensions).toBe(12);
    expect(embedder.id).toBe("transformers:tiny-config");
  });

  it("reports a missing library as a typed error with the install hint", async () => {
    const model = writeTinyBertModel(dir, "tiny-missing", WORDS);
    const absent = "@huggingface/transformers-absent-for-test";
    const embedder = new TransformersEmbedder({
      modelPath: model.path,
      loadModule: async () => (await import(absent)) as TransformersModule,
    });
    const error = await embedder.embed(["x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheEmbeddingError);
    expect((error as Error).message).toMatch(
      /@huggingface\/transformers is not installed.*npm install/,
    );
  });
});

describe.skipIf(unavailable !== undefined)(
  "TransformersEmbedder with a generated tiny model",
  () => {
    it("embeds offline with mean pooling over the attention mask, matching a hand computation", async () => {
      const model = writeTinyBertModel(dir, "tiny-bert", WORDS);
      const embedder = new TransformersEmbedder({ modelPath: model.path, loadModule });
      // Different lengths in one batch: padding must not leak into the means.
      const texts = [
        "How do I delete a local git branch?",
        "python sort list",
        "delete remote branch",
      ];
      const vectors = await embedder.embed(texts);
      expect(vectors).toHaveLength(3);
      vectors.forEach((v, i) => {
        expect(v).toHaveLength(model.hidden);
        meanPooled(model, texts[i]).forEach((x, d) => expect(v[d]).toBeCloseTo(x, 5));
      });
      const { env } = await loadModule();
      expect(env.allowRemoteModels).toBe(false);
      await embedder.close();
    });

    it("fails with a typed error for a folder without a model, without reaching the network", async () => {
      const model = writeTinyBertModel(dir, "tiny-broken", WORDS);
      rmSync(join(model.path, "onnx"), { recursive: true });
      const embedder = new TransformersEmbedder({ modelPath: model.path, loadModule });
      const error = await embedder.embed(["x"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheEmbeddingError);
      expect((error as Error).message).toMatch(/could not load the model/);
    });
  },
);

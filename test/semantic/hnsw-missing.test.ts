import { describe, expect, it, vi } from "vitest";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { user } from "./support.js";
import { tableOf } from "./table-embedder.js";

// This file runs as if the optional dependency were not installed.
vi.mock("usearch", () => {
  throw new Error("Cannot find package 'usearch'");
});

describe("SemanticCache without usearch", () => {
  it("stays flat, warns once (counted), and keeps answering correctly", async () => {
    const embedder = tableOf(16, 400, 0.02);
    const cache = new SemanticCache<number>({
      embedder,
      hnswThreshold: 100,
      similarityThreshold: 0.5,
      verifier: false,
    });
    const warnings: { code: string; message: string }[] = [];
    cache.on("warning", (w) => warnings.push(w));
    await cache.putMany(
      Array.from({ length: 400 }, (_, i) => ({ messages: user(`s${i}`), response: i })),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0].code).toBe("HNSW_UNAVAILABLE");
    expect(warnings[0].message).toMatch(/usearch/);
    expect(cache.getStats()).toMatchObject({ warnings: 1, partitions: { flat: 1, hnsw: 0 } });
    const hits = await cache.getSimilarMany(
      Array.from({ length: 400 }, (_, i) => ({ messages: user(`q${i}`) })),
    );
    expect(hits.every((hit, i) => hit?.response === i)).toBe(true);
  });
});

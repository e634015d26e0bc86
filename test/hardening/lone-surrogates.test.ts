/**
 * Regression: LMDB and Redis store keys as UTF-8, where every lone surrogate becomes U+FFFD, so
 * "\uD800" and "\uDC00" were one entry in L2 and two in L1 (a cross-key, and across namespaces a
 * cross-tenant, hit). Keys, namespaces and tags that are not well-formed Unicode are now rejected
 * with a CacheKeyError before any tier sees them; well-formed astral characters still work.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";

describe("lone surrogates in keys, namespaces and tags", () => {
  const dir = mkdtempSync(join(tmpdir(), "victor-surrogates-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are rejected with a CacheKeyError, and nothing stored is touched", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10 }, l2: { type: "file", path: dir } });
    try {
      await cache.set("\uFFFD", "replacement character", { namespace: "\uFFFD" });
      const key = { code: ErrorCode.KEY };
      for (const lone of ["\uD800", "\uDC00", "a\uDBFFb", "\uDE00\uD83D"]) {
        await expect(cache.set(lone, 1)).rejects.toMatchObject(key);
        await expect(cache.get(lone)).rejects.toMatchObject(key);
        await expect(cache.set("k", 1, { namespace: lone })).rejects.toMatchObject(key);
        await expect(cache.set("k", 1, { tags: [lone] })).rejects.toMatchObject(key);
        await expect(cache.getOrSet(lone, () => 1)).rejects.toMatchObject(key);
        await expect(cache.delete(lone)).rejects.toMatchObject(key);
      }
      cache.l1.clearSync();
      expect(await cache.get("\uFFFD", { namespace: "\uFFFD" })).toBe("replacement character");
      // A surrogate pair is one well-formed character.
      await cache.set("\uD83D\uDE00", "grinning face", { namespace: "\uD83D\uDE00" });
      cache.l1.clearSync();
      expect(await cache.get("\uD83D\uDE00", { namespace: "\uD83D\uDE00" })).toBe("grinning face");
    } finally {
      await cache.close();
    }
  });
});

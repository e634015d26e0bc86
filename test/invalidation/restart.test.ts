/**
 * The dependency graph persists with the LMDB L2: stop, edit a file, start again, and the entries
 * that depended on it (directly and through other entries) are not served, while an entry whose
 * file was only touched is.
 */
import { appendFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CacheInvalidator, DEPENDENCY_NAMESPACE } from "../../src/invalidation/index.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { tempDir } from "./support.js";

describe("CacheInvalidator across a restart (LMDB L2)", () => {
  const dir = tempDir("restart");
  afterAll(() => dir.remove());
  const lmdbPath = join(dir.path, "l2");
  const edited = join(dir.path, "edited.ts");
  const touched = join(dir.path, "touched.ts");

  /** One "process": a cache over the LMDB folder and a started invalidator. */
  async function boot() {
    const l2 = new LmdbStore({ path: lmdbPath });
    const cache = new MultiLevelCache({ l1: { maxSize: 100 }, l2 });
    const invalidator = new CacheInvalidator({ cache });
    await invalidator.start();
    return {
      cache,
      invalidator,
      async stop() {
        await invalidator.close();
        await cache.close();
        await l2.close();
      },
    };
  }

  it("a file edited while stopped drops its dependents at start; a touched one does not", async () => {
    writeFileSync(edited, "export const a = 1;\n");
    writeFileSync(touched, "export const b = 2;\n");
    const first = await boot();
    await first.invalidator.set(
      "analysis:edited",
      { ok: 1 },
      { namespace: "analysis", dependsOn: [edited] },
    );
    await first.invalidator.set("summary", "s", {
      namespace: "report",
      dependsOn: [{ key: "analysis:edited", namespace: "analysis" }],
    });
    await first.invalidator.set(
      "analysis:touched",
      { ok: 2 },
      { namespace: "analysis", dependsOn: [touched] },
    );
    await first.stop();

    // A restart with nothing changed serves everything: the check below can only fail for a reason.
    const second = await boot();
    expect(await second.cache.get("analysis:edited", { namespace: "analysis" })).toEqual({ ok: 1 });
    expect(await second.cache.get("summary", { namespace: "report" })).toBe("s");
    expect(second.invalidator.getStats().graph).toEqual({ nodes: 5, edges: 3 });
    await second.stop();

    appendFileSync(edited, "export const c = 3;\n");
    const later = new Date(Date.now() + 60_000);
    utimesSync(touched, later, later);

    const third = await boot();
    expect(await third.cache.get("analysis:edited", { namespace: "analysis" })).toBeUndefined();
    expect(await third.cache.get("summary", { namespace: "report" })).toBeUndefined();
    expect(await third.cache.get("analysis:touched", { namespace: "analysis" })).toEqual({ ok: 2 });
    expect(third.invalidator.getStats().files).toMatchObject({ changed: 1, unchanged: 1 });
    await third.invalidator.idle();
    // The edges of the dropped entries left L2 with them.
    let records = 0;
    for await (const _ of third.cache.l2!.keys(DEPENDENCY_NAMESPACE)) records++;
    expect(records).toBe(1);
    await third.stop();

    const fourth = await boot();
    expect(fourth.invalidator.getStats().graph).toEqual({ nodes: 2, edges: 1 });
    await fourth.stop();
  });
});

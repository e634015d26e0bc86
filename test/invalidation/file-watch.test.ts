/**
 * Real files in a temp folder, watched through chokidar: edits, renames and deletions drop the
 * entries depending on them, directly and through a 3-level cascade; a touch that leaves the
 * content as it was drops nothing. The delay from the file operation to the entries being gone
 * is printed (not asserted: timing belongs to benchmarks).
 */
import { appendFileSync, renameSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheInvalidator } from "../../src/invalidation/index.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { sleep, tempDir, waitFor } from "./support.js";

const DEBOUNCE_MS = 100;
/** How long the tests wait for an expected outcome before failing (generous: 2 shared cores). */
const PATIENCE_MS = 10_000;

describe("CacheInvalidator.watchFiles on real files", () => {
  const dir = tempDir("watch");
  const cache = new MultiLevelCache({ l1: { maxSize: 1000 } });
  const invalidator = new CacheInvalidator({ cache, debounce: `${DEBOUNCE_MS}ms` });
  const delays: string[] = [];
  const file = (name: string): string => join(dir.path, name);

  /** An entry on `path`, and a 3-level chain above a second entry on it. */
  async function dependOn(name: string): Promise<string[]> {
    const path = file(name);
    await invalidator.set(`direct:${name}`, 1, { dependsOn: [path] });
    await invalidator.set(`l1:${name}`, 1, { dependsOn: [{ file: path }] });
    await invalidator.set(`l2:${name}`, 2, { dependsOn: [{ key: `l1:${name}` }] });
    await invalidator.set(`l3:${name}`, 3, { dependsOn: [{ key: `l2:${name}` }] });
    return [`direct:${name}`, `l1:${name}`, `l2:${name}`, `l3:${name}`];
  }

  async function present(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map(async (key) => (await cache.get(key)) !== undefined));
  }

  /** Runs `operation`, waits until every key is gone, and records the delay. */
  async function expectGoneAfter(
    label: string,
    keys: string[],
    operation: () => void,
  ): Promise<void> {
    expect(await present(keys)).toEqual(keys.map(() => true));
    const started = performance.now();
    operation();
    const gone = await waitFor(async () => (await present(keys)).every((p) => !p), PATIENCE_MS);
    const delay = performance.now() - started;
    delays.push(`${label} ${delay.toFixed(0)} ms`);
    expect(gone, `${label}: entries still present after ${PATIENCE_MS} ms`).toBe(true);
  }

  beforeAll(async () => {
    for (const name of ["edit.txt", "rename.txt", "delete.txt", "touch.txt", "quiet.txt"]) {
      writeFileSync(file(name), `content of ${name}\n`);
    }
  });

  afterAll(async () => {
    console.log(
      `file change -> dependents gone (debounce ${DEBOUNCE_MS} ms): ${delays.join(", ")}`,
    );
    await invalidator.close();
    await cache.close();
    dir.remove();
  });

  it("drops dependents of edited, renamed and deleted files, directly and through 3 levels", async () => {
    const edit = await dependOn("edit.txt");
    const rename = await dependOn("rename.txt");
    const remove = await dependOn("delete.txt");
    const appear = await dependOn("renamed.txt"); // does not exist yet: stamped "missing"
    const quiet = await dependOn("quiet.txt");
    await invalidator.watchFiles(dir.path);

    await expectGoneAfter("edit", edit, () => appendFileSync(file("edit.txt"), "one more line\n"));
    await expectGoneAfter("rename", [...rename, ...appear], () =>
      renameSync(file("rename.txt"), file("renamed.txt")),
    );
    await expectGoneAfter("delete", remove, () => unlinkSync(file("delete.txt")));
    expect(await present(quiet)).toEqual([true, true, true, true]);
    const stats = invalidator.getStats();
    expect(stats.files.changed).toBeGreaterThanOrEqual(4);
    expect(stats.cascades.maxSize).toBe(4);
    expect(stats.invalidations.file).toBeGreaterThanOrEqual(4);
  });

  it("a touch, or a rewrite with the same content, invalidates nothing", async () => {
    const keys = await dependOn("touch.txt");
    const path = file("touch.txt");
    const checks: boolean[] = [];
    const off = invalidator.events.on("fileChange", (e) => {
      if (e.path === path) checks.push(e.changed);
    });
    const later = new Date(Date.now() + 5_000);
    utimesSync(path, later, later);
    expect(await waitFor(async () => checks.length >= 1, PATIENCE_MS)).toBe(true);
    writeFileSync(path, "content of touch.txt\n");
    expect(await waitFor(async () => checks.length >= 2, PATIENCE_MS)).toBe(true);
    await sleep(DEBOUNCE_MS * 3);
    await invalidator.idle();
    off();
    expect(checks.every((changed) => !changed)).toBe(true);
    expect(await present(keys)).toEqual([true, true, true, true]);
    // ...and the entries really are watched: a real change drops them.
    await expectGoneAfter("edit after touches", keys, () => appendFileSync(path, "changed\n"));
  });
});

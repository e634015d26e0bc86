/**
 * MultiLevelCache over a real LMDB folder: what survives a close and reopen, typed errors for
 * folders that cannot be used, and a smaller model-based run in which "reopen" really closes and
 * reopens the LMDB environment.
 */
import fc from "fast-check";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CacheStoreError } from "../../src/core/errors.js";
import { MultiLevelCache, WritePolicy, type WritePolicyName } from "../../src/multilevel/index.js";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { assertAsyncProperty, Model, opArbitrary, replay, type Harness } from "./model.js";

const root = mkdtempSync(join(tmpdir(), "victor-multilevel-"));
let folders = 0;
const freshPath = (): string => join(root, `store-${folders++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function open(path: string, writePolicy: WritePolicyName, clock = new FakeClock()) {
  return new MultiLevelCache({
    l1: { maxSize: 2, sweepInterval: 0 },
    l2: { type: "file", path, sweepInterval: 0 },
    writePolicy,
    writeBack: { interval: "1h", batchSize: 1000 },
    clock,
  });
}

describe.each([WritePolicy.WRITE_THROUGH, WritePolicy.WRITE_BACK, WritePolicy.WRITE_AROUND])(
  "persistence across restart under %s",
  (policy) => {
    it("entries, TTLs and tags survive close() and reopen", async () => {
      const path = freshPath();
      const clock = new FakeClock();
      const before = open(path, policy, clock);
      for (let i = 0; i < 50; i++) {
        await before.set(
          `k${i}`,
          { i, text: "x".repeat(i) },
          { namespace: i % 2 ? "odd" : "even" },
        );
      }
      await before.set("short", "lived", { ttl: 10 });
      await before.set("tagged", 1, { tags: ["git"], namespace: "tool" });
      if (policy === WritePolicy.WRITE_BACK) expect(before.getStats().writeBackQueueDepth).toBe(52);
      await before.close();

      const after = open(path, policy, clock);
      for (let i = 0; i < 50; i++) {
        const namespace = i % 2 ? "odd" : "even";
        expect(await after.get(`k${i}`, { namespace })).toEqual({ i, text: "x".repeat(i) });
      }
      expect(await after.get("short")).toBe("lived");
      expect(await after.get("tagged", { namespace: "tool" })).toBe(1);
      expect(await after.invalidateTag("git")).toBe(1);
      clock.advance(11_000);
      expect(await after.get("short")).toBeUndefined();
      await after.close();
    });
  },
);

describe("LMDB folders that cannot be used", () => {
  it("a path under a regular file is a typed error naming the path", () => {
    const parent = freshPath();
    writeFileSync(parent, "not a folder");
    const path = join(parent, "cache");
    const error = (() => {
      try {
        open(path, WritePolicy.WRITE_THROUGH);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CacheStoreError);
    expect((error as Error).message).toContain(path);
  });

  it("a corrupt data file is a typed error naming the path, and the file is left as it was", () => {
    const path = freshPath();
    mkdirSync(path);
    writeFileSync(join(path, "data.mdb"), Buffer.alloc(8192, 7));
    const error = (() => {
      try {
        open(path, WritePolicy.WRITE_THROUGH);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: "ERR_CACHE_STORE_CORRUPT" });
    expect((error as Error).message).toContain(path);
  });
});

const LMDB_RUNS = Number(process.env.VICTOR_MODEL_RUNS_LMDB ?? 60);

describe.each(Object.values(WritePolicy))("model-based: MultiLevelCache %s over LMDB", (policy) => {
  it(`matches the reference model over ${LMDB_RUNS} runs, reopening the LMDB folder`, async () => {
    const ops = fc.array(opArbitrary, { minLength: 5, maxLength: 40, size: "max" });
    await assertAsyncProperty(
      `lmdb model ${policy}`,
      fc.asyncProperty(ops, fc.constantFrom(0, 2000), async (ops, graceMs) => {
        const clock = new FakeClock();
        const path = freshPath();
        const openCache = () =>
          new MultiLevelCache({
            l1: { maxSize: 3, sweepInterval: 0 },
            l2: { type: "file", path, sweepInterval: 0 },
            writePolicy: policy,
            writeBack: { interval: "1h", batchSize: 4, maxQueue: 8 },
            grace: graceMs / 1000,
            clock,
          });
        const harness: Harness = {
          cache: openCache(),
          async reopen() {
            await harness.cache.close();
            harness.cache = openCache();
          },
          async durable() {
            return new LmdbStore({ path, clock, sweepInterval: 0 });
          },
        };
        await replay(ops, harness, new Model(clock, graceMs), clock);
        rmSync(path, { recursive: true, force: true });
      }),
      LMDB_RUNS,
    );
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { CHUNK_ROWS } from "../../src/warming/access-log-store.js";
import { CacheWarmer, WARMING_NAMESPACE } from "../../src/warming/index.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { HOUR, l1Keys, names } from "./support.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function lmdbFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "victor-warming-"));
  dirs.push(dir);
  return join(dir, "l2");
}

/** A process: a cache over the LMDB folder (which it opens and closes) and its warmer. */
function processOver(path: string, clock: FakeClock, l1MaxSize = 100) {
  const cache = new MultiLevelCache({
    l1: { maxSize: l1MaxSize, sweepInterval: 0, evictionPolicy: "lru" },
    l2: { type: "lmdb", path },
    clock,
  });
  const warmer = new CacheWarmer({
    cache,
    strategy: "frequency",
    preloadCount: 10,
    timezoneOffset: 0,
  });
  return { cache, warmer };
}

async function lmdbKeys(cache: MultiLevelCache, namespace: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of cache.l2!.keys(namespace)) keys.push(k.key);
  return keys.sort();
}

describe("CacheWarmer: the access log survives a restart through a real LMDB L2", () => {
  it("a restarted process warms what the previous one used, for each user", async () => {
    const path = lmdbFolder();
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 9));
    const first = processOver(path, clock);
    const hot = names("hot-", 5);
    const cold = names("cold-", 20);
    for (const key of [...hot, ...cold]) await first.cache.set(key, `value of ${key}`);
    await first.warmer.withContext("alice", async () => {
      for (let i = 0; i < 10; i++) for (const key of hot) await first.cache.get(key);
    });
    for (const key of cold) await first.cache.get(key);
    await first.warmer.close(); // saves the log
    await first.cache.close();

    clock.advance(HOUR);
    const second = processOver(path, clock);
    expect(await l1Keys(second.cache)).toEqual([]);
    expect(await second.warmer.loadAccessLog()).toBe(25);
    const result = await second.warmer.warm();
    expect(result.fromL2).toBe(10);
    const warmed = await l1Keys(second.cache);
    expect(warmed).toEqual(expect.arrayContaining(hot));
    // The decayed counts came through: hot keys have ~10.25 reads (10 + the set's 0.25).
    const rec = second.warmer.accessLog.get("hot-0", "default")!;
    expect(second.warmer.accessLog.decayedCount(rec.freq)).toBeCloseTo(
      10.25 * Math.pow(2, -1 / 24),
      6,
    );
    expect(rec.hours[9]).toBeGreaterThan(0);
    second.cache.l1.clearSync();
    await second.warmer.warmFor("alice");
    expect(await l1Keys(second.cache)).toEqual(hot);
    await second.warmer.close();
    await second.cache.close();
  });

  it("saves large logs in chunks, replaces the previous generation, and merges on load", async () => {
    const path = lmdbFolder();
    const clock = new FakeClock();
    const first = processOver(path, clock);
    const keys = names("k", CHUNK_ROWS * 2 + 10);
    for (const key of keys) first.warmer.recordAccess(key);
    expect(await first.warmer.saveAccessLog()).toBe(true);
    const chunksOf = async () =>
      (await lmdbKeys(first.cache, WARMING_NAMESPACE)).filter((k) => !k.endsWith(":meta"));
    const generation1 = await chunksOf();
    expect(generation1).toHaveLength(3);
    first.warmer.recordAccess("one-more");
    expect(await first.warmer.saveAccessLog()).toBe(true);
    const generation2 = await chunksOf();
    expect(generation2).toHaveLength(3);
    expect(generation2.some((k) => generation1.includes(k))).toBe(false);
    await first.cache.close();

    const second = processOver(path, clock);
    second.warmer.recordAccess("k0"); // recorded before the load: counts add up
    expect(await second.warmer.loadAccessLog()).toBe(keys.length + 1);
    expect(await second.warmer.loadAccessLog()).toBe(keys.length + 1); // once only
    expect(second.warmer.accessLog.size).toBe(keys.length + 1);
    const k0 = second.warmer.accessLog.get("k0", "default")!;
    expect(second.warmer.accessLog.decayedCount(k0.freq)).toBeCloseTo(2, 9);
    await second.cache.close();
  });

  it("a damaged saved log is skipped row by row, never thrown", async () => {
    const path = lmdbFolder();
    const clock = new FakeClock();
    const first = processOver(path, clock);
    for (const key of names("k", 3)) first.warmer.recordAccess(key);
    await first.warmer.saveAccessLog();
    const l2 = first.cache.l2!;
    for await (const { key } of l2.keys(WARMING_NAMESPACE)) {
      if (!key.endsWith(":meta")) {
        const rows = (await l2.get(key, WARMING_NAMESPACE))!.value as unknown[];
        rows[1] = ["default", "k1", "not a number", 0, [], [], []];
        rows.push("garbage");
        await l2.set(key, WARMING_NAMESPACE, { value: rows, expiresAt: 0 });
      }
    }
    await first.cache.close();

    const second = processOver(path, clock);
    expect(await second.warmer.loadAccessLog()).toBe(2);
    expect(second.warmer.accessLog.get("k1", "default")).toBeUndefined();
    await second.cache.l2!.set("default:meta", WARMING_NAMESPACE, { value: "junk", expiresAt: 0 });
    const third = new CacheWarmer({ cache: second.cache });
    expect(await third.loadAccessLog()).toBe(0);
    await second.cache.close();
  });

  it("reports a failed save as an error event and false", async () => {
    const path = lmdbFolder();
    const { cache, warmer } = processOver(path, new FakeClock());
    const errors: string[] = [];
    warmer.events.on("error", (e) => errors.push(e.operation));
    warmer.recordAccess("k");
    await cache.close(); // the L2 is closed under the warmer
    expect(await warmer.saveAccessLog()).toBe(false);
    await warmer.stop();
    expect(errors).toEqual(["log-save", "log-save"]);
    expect(warmer.getStats().storeErrors).toBe(2);
  });
});

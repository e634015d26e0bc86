import { afterEach, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { RedisLock, loadWithLock } from "../../src/stores/redis-lock.js";
import { RedisStore } from "../../src/stores/redis.js";
import { ErrorCode } from "../../src/core/errors.js";
import { describeWithRedis, sleep, uniquePrefix } from "../helpers/redis-harness.js";
import { lockStampede } from "../helpers/lock-stampede.js";
import { TsxChild } from "../helpers/processes.js";

describeWithRedis("RedisLock", (redis) => {
  const open: { close(): Promise<void> }[] = [];
  const prefixes = new Set<string>();
  const lock = (prefix: string, options: ConstructorParameters<typeof RedisLock>[0] = {}) => {
    const l = new RedisLock({ url: redis().url, prefix, channel: prefix + "chan", ...options });
    open.push(l);
    prefixes.add(prefix);
    return l;
  };
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    // Locks and stored values share the test's prefix; leave nothing behind on a shared REDIS_URL.
    for (const prefix of prefixes) {
      const cleaner = new RedisStore({ url: redis().url, prefix });
      await cleaner.clear();
      await cleaner.close();
    }
    prefixes.clear();
  });

  it("one holder at a time; only the holder's token releases", async () => {
    const prefix = uniquePrefix("lock");
    const a = lock(prefix);
    const b = lock(prefix);
    const held = await a.tryAcquire("job", 10_000);
    expect(held).toBeDefined();
    expect(await b.tryAcquire("job", 10_000)).toBeUndefined();
    expect(await b.release({ ...held!, token: "forged" })).toBe(false);
    expect(await b.tryAcquire("job", 10_000)).toBeUndefined();
    expect(await a.release(held!)).toBe(true);
    expect(await a.release(held!)).toBe(false);
    expect(await b.tryAcquire("job", 10_000)).toBeDefined();
  });

  it("wakes a waiter in another client when the holder releases", async () => {
    const prefix = uniquePrefix("lock");
    const a = lock(prefix, { pollInterval: "10s", maxPollInterval: "10s" }); // only the notification can wake it
    const b = lock(prefix);
    const held = await b.tryAcquire("job", 60_000);
    const waiting = a.waitForRelease("job", 30_000);
    await sleep(50);
    await b.release(held!);
    expect(await waiting).toBe(true);
  });

  it("a dead holder's lock frees itself by expiry and waiters notice without a notification", async () => {
    const prefix = uniquePrefix("lock");
    const dead = lock(prefix);
    const waiter = lock(prefix);
    expect(await dead.tryAcquire("job", 200)).toBeDefined(); // never released
    const handle = await waiter.acquire("job", 5000, 30_000);
    expect(handle).toBeDefined();
  });

  it("waitForRelease gives up after its wait, and extend keeps a held lock alive", async () => {
    const prefix = uniquePrefix("lock");
    const a = lock(prefix);
    const b = lock(prefix);
    const held = await a.tryAcquire("job", 300);
    expect(await a.extend(held!, 60_000)).toBe(true);
    expect(await b.waitForRelease("job", 400)).toBe(false);
    expect(await b.acquire("job", 1000, 50)).toBeUndefined();
    expect(await a.extend({ ...held!, token: "other" }, 1000)).toBe(false);
  });

  it("loadWithLock runs the loader once across clients racing on a cold key", async () => {
    const prefix = uniquePrefix("lock");
    const store = new RedisStore({ url: redis().url, prefix });
    open.push(store);
    const locks = [lock(prefix), lock(prefix), lock(prefix)];
    const { runs, results } = await lockStampede(store, locks, "loaded");
    expect(runs).toBe(1);
    expect(results.every((r) => r.value === "loaded")).toBe(true);
    expect(results.filter((r) => r.loaded)).toHaveLength(1);
  });

  it("when the holder's load fails, a waiter takes over", async () => {
    const prefix = uniquePrefix("lock");
    const store = new RedisStore({ url: redis().url, prefix });
    open.push(store);
    const l = lock(prefix);
    let runs = 0;
    const read = async () => (await store.get("k", "ns"))?.value as string | undefined;
    const load = async () => {
      if (++runs === 1) throw new Error("first loader fails");
      await store.set("k", "ns", { value: "second", expiresAt: 0 });
      return "second";
    };
    const outcomes = await Promise.allSettled(
      [0, 1].map(() =>
        loadWithLock({ lock: l, name: "k", ttlMs: 10_000, waitMs: 30_000, read, load }),
      ),
    );
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(runs).toBe(2);
  });

  it("rejects a bad TTL and use after close", async () => {
    const l = lock(uniquePrefix("lock"));
    await expect(l.tryAcquire("x", 0)).rejects.toMatchObject({ code: ErrorCode.CONFIG });
    await l.close();
    await expect(l.tryAcquire("x", 100)).rejects.toMatchObject({ code: ErrorCode.CLOSED });
  });
});

describeWithRedis("RedisLock across processes", (redis) => {
  it("3 processes x 1000 concurrent loadWithLock calls on one key run the loader once", async () => {
    const fixture = fileURLToPath(new URL("./fixtures/lock-racer.ts", import.meta.url));
    const prefix = uniquePrefix("race");
    const children = [0, 1, 2].map(() => new TsxChild(fixture, [redis().url, prefix, "1000"]));
    try {
      await Promise.all(children.map((c) => c.next((m) => m.kind === "ready", "ready")));
      const replies = await Promise.all(children.map((c) => c.request({ op: "go" })));
      const runs = replies.reduce((sum, r) => sum + (r.loaderRuns as number), 0);
      const values = new Set(replies.flatMap((r) => r.values as string[]));
      console.log(`lock race: 3000 calls, loader runs ${runs}, distinct values ${values.size}`);
      expect(runs).toBe(1);
      expect(values.size).toBe(1);
      expect(replies.reduce((sum, r) => sum + (r.loaded as number), 0)).toBe(1);
    } finally {
      await Promise.all(children.map((c) => c.stop()));
      const cleanup = new RedisStore({ url: redis().url, prefix });
      await cleanup.clear();
      await cleanup.close();
    }
  });
});

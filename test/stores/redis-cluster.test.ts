import { expect, it } from "vitest";
import { RedisStore } from "../../src/stores/redis.js";
import { RedisBus } from "../../src/bus/redis.js";
import { RedisLock } from "../../src/stores/redis-lock.js";
import type { InvalidationMessage } from "../../src/bus/bus.js";
import { lockStampede } from "../helpers/lock-stampede.js";
import { describeWithCluster, sleep, uniquePrefix } from "../helpers/redis-harness.js";
import { redisCli } from "../helpers/redis-server.js";
import { describeStoreConformance, FakeClock } from "../../src/stores/testing/index.js";
import { redisFixture, registerRedisStoreCases } from "./redis-store-cases.js";

describeWithCluster("RedisStore on a local 3-master Redis Cluster", (cluster) => {
  describeStoreConformance("RedisStore on a cluster (fake clock)", async () =>
    redisFixture(() => ({ url: cluster().urls }), new FakeClock()),
  );
  describeStoreConformance("RedisStore on a cluster (real time)", async () =>
    redisFixture(() => ({ url: cluster().urls })),
  );
  registerRedisStoreCases({
    connection: () => ({ url: cluster().urls }),
    nodeUrls: () => cluster().urls,
  });

  it("spreads namespaces over every master and clears and tag-invalidates them all", async () => {
    const store = new RedisStore({
      cluster: { rootNodes: cluster().urls.map((url) => ({ url })) },
      prefix: uniquePrefix("spread"),
    });
    try {
      expect(store.isCluster).toBe(true);
      for (let n = 0; n < 60; n++)
        await store.set("k", `ns${n}`, { value: n, expiresAt: 0, tags: ["everywhere"] });
      const perNode = await Promise.all(
        cluster().ports.map(async (p) => Number(await redisCli(p, "dbsize"))),
      );
      expect(perNode.every((count) => count > 0)).toBe(true);
      expect(await store.deleteTag("everywhere")).toBe(60);
      for (let n = 0; n < 60; n++) await store.set("k", `ns${n}`, { value: n, expiresAt: 0 });
      await store.clear();
      const left = await Promise.all(
        cluster().ports.map(async (p) => Number(await redisCli(p, "dbsize"))),
      );
      expect(left).toEqual(cluster().ports.map(() => 0));
    } finally {
      await store.close();
    }
  });

  it("the bus delivers between subscribers on different nodes", async () => {
    const urls = cluster().urls;
    const channel = uniquePrefix("cluster-bus");
    // Each bus subscribes on the first URL of its list: here three different nodes.
    const buses = [0, 1, 2].map(
      (i) => new RedisBus({ url: [...urls.slice(i), ...urls.slice(0, i)], channel }),
    );
    try {
      await Promise.all(buses.map((b) => b.ready()));
      const got = buses.map(() => [] as InvalidationMessage[]);
      buses.forEach((b, i) => b.subscribe((m) => got[i].push(m)));
      for (const b of buses) await b.publish({ type: "delete", namespace: "ns", key: b.id });
      for (let i = 0; got.some((g) => g.length < 2); i++) {
        if (i > 2000) throw new Error(`delivery incomplete: ${got.map((g) => g.length)}`);
        await sleep(10);
      }
      buses.forEach((b, i) => {
        expect(got[i].map((m) => m.senderId).sort()).toEqual(
          buses
            .filter((o) => o !== b)
            .map((o) => o.id)
            .sort(),
        );
      });
    } finally {
      await Promise.all(buses.map((b) => b.close()));
    }
  });

  it("the lock makes a loader run once across clients on the cluster", async () => {
    const prefix = uniquePrefix("cluster-lock");
    const store = new RedisStore({ url: cluster().urls, prefix });
    const locks = [0, 1, 2].map(
      (i) =>
        new RedisLock({
          url: [...cluster().urls.slice(i), ...cluster().urls.slice(0, i)],
          prefix,
          channel: prefix,
        }),
    );
    try {
      const { runs, results } = await lockStampede(store, locks, "once");
      expect(runs).toBe(1);
      expect(new Set(results.map((r) => r.value))).toEqual(new Set(["once"]));
      const held = await locks[0].tryAcquire("job", 10_000);
      expect(await locks[1].tryAcquire("job", 10_000)).toBeUndefined();
      const woken = locks[2].waitForRelease("job", 30_000);
      await locks[0].release(held!);
      expect(await woken).toBe(true);
    } finally {
      await store.clear();
      await store.close();
      await Promise.all(locks.map((l) => l.close()));
    }
  });
});

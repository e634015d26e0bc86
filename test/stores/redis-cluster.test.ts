import { expect, it } from "vitest";
import { RedisStore } from "../../src/stores/redis.js";
import { describeWithCluster, uniquePrefix } from "../helpers/redis-harness.js";
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
});

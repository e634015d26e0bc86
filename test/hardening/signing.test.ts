/**
 * Signed shared values (RedisStore `signingKey`): a signed store passes the whole CacheStore
 * conformance suite; a record that is unsigned, tampered (every byte flipped in turn, truncated),
 * signed with another key, or copied under another key is rejected with a typed error and counted,
 * never returned; and a MultiLevelCache over such a store treats it as a miss.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CacheSerializationError, ErrorCode } from "../../src/core/errors.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { RedisStore, type RedisStoreOptions } from "../../src/stores/redis.js";
import { describeStoreConformance, FakeClock } from "../../src/stores/testing/index.js";
import { redisFixture } from "../stores/redis-store-cases.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";
import { openRawRedis, type RawRedis } from "../helpers/raw-redis.js";

const KEY = "a shared secret for the tests";

describeWithRedis("RedisStore signingKey", (redis) => {
  describeStoreConformance("RedisStore with signingKey (fake clock)", async () =>
    redisFixture(() => ({ url: redis().url, signingKey: KEY }), new FakeClock()),
  );

  let raw: RawRedis;
  const stores: RedisStore[] = [];
  const open = (options: Partial<RedisStoreOptions> = {}): RedisStore => {
    const store = new RedisStore({ url: redis().url, prefix: uniquePrefix("sign"), ...options });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    raw = await openRawRedis(redis().url);
  });
  afterAll(async () => {
    for (const store of stores) {
      await store.clear().catch(() => undefined);
      await store.close();
    }
    raw.close();
  });

  /** Expects `get` to reject as a signature failure and counts it. */
  async function expectRejected(store: RedisStore, key: string, ns: string): Promise<void> {
    const error = await store.get(key, ns).then(
      (entry) => new Error(`expected a rejection, got ${JSON.stringify(entry)}`),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CacheSerializationError);
    expect((error as CacheSerializationError).code).toBe(ErrorCode.SERIALIZATION);
  }

  it("rejects every single-byte flip and every truncation of a signed record", async () => {
    const store = open({ signingKey: KEY });
    await store.set("k", "ns", {
      value: { text: "hello", n: [1, 2, 3] },
      expiresAt: 0,
      tags: ["t"],
    });
    const redisKey = store.layout.entryKey("ns", "k");
    const original = (await raw.get(redisKey))!;
    let rejected = 0;
    for (let i = 0; i < original.length; i++) {
      const flipped = Buffer.from(original);
      flipped[i] ^= 1 << (i % 8);
      await raw.set(redisKey, flipped);
      await expectRejected(store, "k", "ns");
      rejected++;
    }
    for (const length of [0, 1, 21, 22, original.length - 32, original.length - 1]) {
      await raw.set(redisKey, original.subarray(0, length));
      await expectRejected(store, "k", "ns");
      rejected++;
    }
    expect(store.getStats().signatureFailures).toBe(rejected);
    // The untouched record still reads back.
    await raw.set(redisKey, original);
    expect((await store.get("k", "ns"))?.value).toEqual({ text: "hello", n: [1, 2, 3] });
    console.log(`signing: ${rejected} flipped or truncated records rejected, 0 returned`);
  });

  it("rejects unsigned records, records signed with another key and records copied under another key", async () => {
    const prefix = uniquePrefix("sign-shared");
    const signed = open({ signingKey: KEY, prefix });
    const unsigned = open({ prefix });
    const otherKey = open({ signingKey: "another secret", prefix });

    await unsigned.set("plain", "ns", { value: "written without a key", expiresAt: 0 });
    await expectRejected(signed, "plain", "ns");

    await otherKey.set("foreign", "ns", { value: "signed with another key", expiresAt: 0 });
    await expectRejected(signed, "foreign", "ns");

    // A validly signed record moved to another key, namespace or prefix is not valid there.
    await signed.set("victim", "tenant-a", { value: "tenant a's secret", expiresAt: 0 });
    const bytes = (await raw.get(signed.layout.entryKey("tenant-a", "victim")))!;
    await raw.set(signed.layout.entryKey("tenant-b", "victim"), bytes);
    await raw.set(signed.layout.entryKey("tenant-a", "other"), bytes);
    await expectRejected(signed, "victim", "tenant-b");
    await expectRejected(signed, "other", "tenant-a");
    const elsewhere = open({ signingKey: KEY });
    await raw.set(elsewhere.layout.entryKey("tenant-a", "victim"), bytes);
    await expectRejected(elsewhere, "victim", "tenant-a");

    // getMany rejects too, and the genuine record is still served on its own.
    await expect(signed.getMany(["victim", "other"], "tenant-a")).rejects.toBeInstanceOf(
      CacheSerializationError,
    );
    expect((await signed.get("victim", "tenant-a"))?.value).toBe("tenant a's secret");
    expect(signed.getStats().signatureFailures).toBe(5);
    expect(elsewhere.getStats().signatureFailures).toBe(1);
    // A store without the key cannot read signed records either: the signature is not msgpack.
    await expect(unsigned.get("victim", "tenant-a")).rejects.toBeInstanceOf(
      CacheSerializationError,
    );
    expect(unsigned.getStats()).toMatchObject({ signatureFailures: 0, decodeErrors: 1 });
  });

  it("a MultiLevelCache over a signed Redis L2 treats a forged value as a miss and loads afresh", async () => {
    const prefix = uniquePrefix("sign-cache");
    const cache = new MultiLevelCache({
      l1: { maxSize: 10 },
      l2: { type: "redis", url: redis().url, prefix, signingKey: KEY },
    });
    const forger = open({ prefix });
    try {
      await cache.set("answer", 42, { namespace: "tool" });
      await forger.set("answer", "tool", { value: "forged", expiresAt: 0 });
      cache.l1.clearSync();
      expect(await cache.get("answer", { namespace: "tool" })).toBeUndefined();
      expect(await cache.getOrSet("answer", () => 43, { namespace: "tool" })).toBe(43);
      cache.l1.clearSync();
      expect(await cache.get("answer", { namespace: "tool" })).toBe(43);
      expect(cache.getStats().l2?.errors).toBe(2);
    } finally {
      await cache.clear();
      await cache.close();
    }
  });

  it("rejects an empty or mistyped signingKey, naming the option", () => {
    for (const signingKey of ["", new Uint8Array(0), 42 as unknown as string]) {
      expect(() => new RedisStore({ signingKey }, "l2")).toThrow(
        expect.objectContaining({ code: ErrorCode.CONFIG, path: "l2.signingKey" }),
      );
    }
  });
});

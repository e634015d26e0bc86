/**
 * RedisStore behaviour that must hold on a single Redis and on a Redis Cluster alike; registered
 * by redis.test.ts and redis-cluster.test.ts. (The generic CacheStore contract is checked by the
 * conformance suite; these are the Redis-specific promises: key layout, PX, SCAN, tag sets...)
 */
import { afterEach, expect, it } from "vitest";
import { createClient, createCluster, RESP_TYPES } from "redis";
import { RedisStore, type RedisStoreOptions } from "../../src/stores/redis.js";
import { ErrorCode } from "../../src/core/errors.js";
import type { Clock } from "../../src/core/clock.js";
import { uniquePrefix } from "../helpers/redis-harness.js";
import type { FakeClock, StoreFixture } from "../../src/stores/testing/index.js";

export interface RedisCaseTarget {
  /** Connection options for the target (url, or cluster urls). */
  connection(): Pick<RedisStoreOptions, "url">;
  /** Every master's URL, to inspect keys and command stats node by node. */
  nodeUrls(): readonly string[];
}

export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
}

/** Sends a raw command to one node (no cluster routing), replies as strings. */
async function onNode(url: string, args: string[]): Promise<unknown> {
  const client = createClient({ url });
  await client.connect();
  try {
    return await client.sendCommand(args);
  } finally {
    client.destroy();
  }
}

async function countKeys(target: RedisCaseTarget, pattern: string): Promise<number> {
  let total = 0;
  for (const url of target.nodeUrls()) {
    let cursor = "0";
    do {
      const [next, keys] = (await onNode(url, [
        "SCAN",
        cursor,
        "MATCH",
        pattern,
        "COUNT",
        "1000",
      ])) as [string, string[]];
      cursor = next;
      total += keys.length;
    } while (cursor !== "0");
  }
  return total;
}

async function commandCalls(target: RedisCaseTarget, command: string): Promise<number> {
  let total = 0;
  for (const url of target.nodeUrls()) {
    const info = String(await onNode(url, ["INFO", "commandstats"]));
    const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
    total += match ? Number(match[1]) : 0;
  }
  return total;
}

/** A raw client routed like the store (cluster-aware), replies as Buffers. */
async function rawClient(target: RedisCaseTarget) {
  const url = target.connection().url;
  if (Array.isArray(url)) {
    const cluster = createCluster({ rootNodes: url.map((u) => ({ url: u })) });
    await cluster.connect();
    const buffers = cluster.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    return {
      send: (key: string, args: (string | Buffer)[]) => buffers.sendCommand(key, false, args),
      close: () => cluster.destroy(),
    };
  }
  const client = createClient({ url: url as string });
  await client.connect();
  const buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  return {
    send: (_key: string, args: (string | Buffer)[]) => buffers.sendCommand(args),
    close: () => client.destroy(),
  };
}

export function registerRedisStoreCases(target: RedisCaseTarget): void {
  const open: RedisStore[] = [];
  const makeStore = (options: Partial<RedisStoreOptions> = {}): RedisStore => {
    const store = new RedisStore({
      ...target.connection(),
      prefix: uniquePrefix("store"),
      ...options,
    });
    open.push(store);
    return store;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.clear().catch(() => undefined);
      await s.close();
    }
  });

  it("round-trips values, staleAt and tags, and keeps namespaces apart", async () => {
    const store = makeStore();
    const value = {
      text: "héllo",
      n: 42,
      nested: [1, { deep: true }],
      bytes: new Uint8Array([1, 2, 3]),
    };
    await store.set("k", "ns-a", { value, expiresAt: 0, staleAt: 123, tags: ["t1", "t2"] });
    await store.set("k", "ns-b", { value: "other", expiresAt: 0 });
    expect(await store.get("k", "ns-a")).toEqual({
      value,
      expiresAt: 0,
      staleAt: 123,
      tags: ["t1", "t2"],
    });
    expect(await store.get("k", "ns-b")).toEqual({ value: "other", expiresAt: 0 });
    expect(await store.get("missing", "ns-a")).toBeUndefined();
  });

  it("sets PX from expiresAt and hides entries the clock says expired", async () => {
    const clock = new ManualClock();
    const store = makeStore({ clock });
    await store.set("k", "ns", { value: 1, expiresAt: clock.time + 60_000 });
    const raw = await rawClient(target);
    try {
      const pttl = Number(
        await raw.send(store.layout.entryKey("ns", "k"), [
          "PTTL",
          store.layout.entryKey("ns", "k"),
        ]),
      );
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      raw.close();
    }
    expect(await store.has("k", "ns")).toBe(true);
    clock.time += 60_000;
    expect(await store.get("k", "ns")).toBeUndefined();
    expect(await store.has("k", "ns")).toBe(false);
    expect(await store.getMany(["k"], "ns")).toEqual([undefined]);
    const listed = [];
    for await (const k of store.keys("ns")) listed.push(k);
    expect(listed).toEqual([]);
    expect(await store.delete("k", "ns")).toBe(false);
  });

  it("a set whose expiresAt already passed removes the stored value", async () => {
    const clock = new ManualClock();
    const store = makeStore({ clock });
    await store.set("k", "ns", { value: 1, expiresAt: 0 });
    await store.set("k", "ns", { value: 2, expiresAt: clock.time - 1 });
    expect(await store.get("k", "ns")).toBeUndefined();
    expect(await countKeys(target, store.layout.entryPattern("ns"))).toBe(0);
  });

  it("getMany and setMany keep order and report missing keys", async () => {
    const store = makeStore();
    await store.setMany(
      [
        ["a", { value: "A", expiresAt: 0 }],
        ["b", { value: "B", expiresAt: 0, tags: ["x"] }],
        ["c", { value: "C", expiresAt: 0 }],
      ],
      "ns",
    );
    const got = await store.getMany(["c", "zzz", "a", "b"], "ns");
    expect(got.map((e) => e?.value)).toEqual(["C", undefined, "A", "B"]);
    expect(await store.getMany([], "ns")).toEqual([]);
  });

  it("rejects an unencodable value or a too-large entry and keeps what was stored", async () => {
    const store = makeStore({ maxValueBytes: 1024 });
    await store.set("k", "ns", { value: "kept", expiresAt: 0 });
    await expect(
      store.set("k", "ns", { value: { f: () => 1 }, expiresAt: 0 }),
    ).rejects.toMatchObject({
      code: ErrorCode.SERIALIZATION,
      path: "k",
    });
    const big = "x".repeat(2000);
    await expect(store.set("k", "ns", { value: big, expiresAt: 0 })).rejects.toMatchObject({
      code: ErrorCode.ENTRY_TOO_LARGE,
      message: expect.stringContaining("redis.maxValueBytes (1024 bytes)"),
    });
    await expect(
      store.setMany(
        [
          ["other", { value: 1, expiresAt: 0 }],
          ["k", { value: big, expiresAt: 0 }],
        ],
        "ns",
      ),
    ).rejects.toMatchObject({ code: ErrorCode.ENTRY_TOO_LARGE });
    expect((await store.get("k", "ns"))?.value).toBe("kept");
    expect(await store.get("other", "ns")).toBeUndefined();
  });

  it("clear(namespace) removes exactly that namespace with SCAN, never KEYS", async () => {
    const store = makeStore({ scanCount: 50 });
    const entries = Array.from(
      { length: 600 },
      (_, i) => [`k${i}`, { value: i, expiresAt: 0, tags: ["g"] }] as const,
    );
    await store.setMany(entries, "doomed");
    await store.setMany(entries.slice(0, 10), "doomed*"); // glob characters must not widen the match
    await store.set("k0", "kept", { value: "stays", expiresAt: 0 });
    const keysBefore = await commandCalls(target, "keys");
    const scansBefore = await commandCalls(target, "scan");
    await store.clear("doomed");
    expect(await commandCalls(target, "keys")).toBe(keysBefore);
    expect(await commandCalls(target, "scan")).toBeGreaterThan(scansBefore + 1);
    expect(await countKeys(target, store.layout.namespacePattern("doomed"))).toBe(0);
    expect((await store.get("k0", "kept"))?.value).toBe("stays");
    expect((await store.get("k0", "doomed*"))?.value).toBe(0);
  });

  it("clear() removes every namespace under its prefix and nothing else", async () => {
    const store = makeStore();
    const neighbour = makeStore();
    for (let n = 0; n < 20; n++)
      await store.set("k", `ns${n}`, { value: n, expiresAt: 0, tags: [`t${n}`] });
    await neighbour.set("k", "ns0", { value: "neighbour", expiresAt: 0 });
    await store.clear();
    expect(await countKeys(target, store.layout.everythingPattern())).toBe(0);
    expect((await neighbour.get("k", "ns0"))?.value).toBe("neighbour");
  });

  it("lists live keys of one namespace or all, each once, with odd namespace names", async () => {
    const store = makeStore({ scanCount: 10 });
    const odd = ["{brace}", "per%cent", "star*", "", "a:b"];
    for (const ns of odd)
      for (let i = 0; i < 15; i++) await store.set(`key:${i}`, ns, { value: i, expiresAt: 0 });
    const all: string[] = [];
    for await (const { namespace, key } of store.keys()) all.push(`${namespace}|${key}`);
    expect(all.sort()).toEqual(
      odd.flatMap((ns) => Array.from({ length: 15 }, (_, i) => `${ns}|key:${i}`)).sort(),
    );
    const one: string[] = [];
    for await (const { namespace, key } of store.keys("star*")) one.push(`${namespace}|${key}`);
    expect(one).toHaveLength(15);
    expect(one.every((k) => k.startsWith("star*|"))).toBe(true);
  });

  it("deleteTag works across clients and namespaces, and only on entries still carrying the tag", async () => {
    const prefix = uniquePrefix("tags");
    const writer = makeStore({ prefix });
    const other = makeStore({ prefix });
    for (let n = 0; n < 5; n++) {
      await writer.set("a", `ns${n}`, { value: n, expiresAt: 0, tags: ["red", "blue"] });
      await writer.set("b", `ns${n}`, { value: n, expiresAt: 0, tags: ["blue"] });
    }
    await writer.set("a", "ns0", { value: "retagged", expiresAt: 0, tags: ["green"] }); // no longer red
    expect(await other.deleteTag("red")).toBe(4);
    expect((await writer.get("a", "ns0"))?.value).toBe("retagged");
    for (let n = 1; n < 5; n++) expect(await writer.get("a", `ns${n}`)).toBeUndefined();
    // The removed entries left the blue sets too: only the b's remain tagged blue.
    expect(await other.deleteTag("blue")).toBe(5);
    expect(await other.deleteTag("red")).toBe(0);
    expect((await writer.get("a", "ns0"))?.value).toBe("retagged");
  });

  it("delete removes the entry from its tag sets", async () => {
    const store = makeStore();
    await store.set("k", "ns", { value: 1, expiresAt: 0, tags: ["t"] });
    expect(await store.delete("k", "ns")).toBe(true);
    expect(await store.delete("k", "ns")).toBe(false);
    expect(await countKeys(target, store.layout.tagSetKey("ns", "t"))).toBe(0);
  });

  it("a value that cannot be decoded throws CacheSerializationError naming the key and is counted", async () => {
    const store = makeStore();
    const seen: string[] = [];
    store.on("decodeError", ({ key }) => seen.push(key));
    const redisKey = store.layout.entryKey("ns", "broken");
    const raw = await rawClient(target);
    try {
      await raw.send(redisKey, ["SET", redisKey, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
    } finally {
      raw.close();
    }
    await expect(store.get("broken", "ns")).rejects.toMatchObject({
      code: ErrorCode.SERIALIZATION,
      path: "broken",
    });
    await expect(store.getMany(["broken"], "ns")).rejects.toMatchObject({
      code: ErrorCode.SERIALIZATION,
    });
    expect(store.getStats().decodeErrors).toBe(2);
    expect(seen).toEqual(["broken", "broken"]);
    // A set heals it.
    await store.set("broken", "ns", { value: "ok", expiresAt: 0 });
    expect((await store.get("broken", "ns"))?.value).toBe("ok");
  });

  it("rejects bad keys and use after close with typed errors", async () => {
    const store = makeStore();
    await expect(store.get(42 as unknown as string, "ns")).rejects.toMatchObject({
      code: ErrorCode.KEY,
    });
    await expect(store.set("k", "ns", { value: 1, expiresAt: -5 })).rejects.toMatchObject({
      code: ErrorCode.SERIALIZATION,
    });
    await store.close();
    await expect(store.get("k", "ns")).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    await store.close(); // idempotent
  });
}

/** A fresh store under its own prefix; cleanup clears that prefix with a second client. */
export function redisFixture(connection: () => RedisStoreOptions, clock?: FakeClock): StoreFixture {
  const prefix = uniquePrefix("conf");
  return {
    store: new RedisStore({ ...connection(), prefix, ...(clock ? { clock } : {}) }),
    ...(clock ? { clock } : {}),
    cleanup: async () => {
      const cleaner = new RedisStore({ ...connection(), prefix });
      await cleaner.clear();
      await cleaner.close();
    },
  };
}

import { describe, expect, it } from "vitest";
import { CacheConfigError, CacheKeyError, CacheSerializationError } from "../../src/core/errors.js";
import {
  MultiLevelCache,
  WritePolicy,
  type MultiLevelCacheOptions,
  type WritePolicyName,
} from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";

const POLICIES: WritePolicyName[] = Object.values(WritePolicy);

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

const UNENCODABLE: [string, unknown][] = [
  ["a function", () => 1],
  ["a nested function", { deep: [{ fn: () => 1 }] }],
  ["a symbol", Symbol("s")],
  ["a nested symbol", { s: Symbol("s") }],
  ["a cyclic object", cyclic],
  ["undefined", undefined],
];

describe.each(POLICIES)("values that cannot be encoded, under %s", (policy) => {
  it.each(UNENCODABLE)("rejects %s at set time, and nothing stored is lost", async (_name, bad) => {
    const l2 = new MemoryStore({ maxSize: 100 });
    const cache = new MultiLevelCache({ l2, writePolicy: policy });
    await cache.set("k", { good: true }, { tags: ["t"] });
    await cache.flush();
    const error = await cache.set("k", bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheSerializationError);
    expect(error).toMatchObject({ code: "ERR_CACHE_SERIALIZATION", path: "k" });
    expect((error as Error).message).toContain('key "k"');
    expect(await cache.get("k")).toEqual({ good: true });
    await cache.close();
    expect((await l2.get("k", "default"))?.value).toEqual({ good: true });
    expect(cache.getStats().droppedWrites).toBe(0);
  });
});

describe("an L1-only cache", () => {
  it("keeps references, so it accepts values only L2 would have to encode; undefined is still rejected", async () => {
    const cache = new MultiLevelCache({ l1: { maxSize: 10 } });
    const fn = () => 1;
    await cache.set("fn", fn);
    expect(await cache.get("fn")).toBe(fn);
    await expect(cache.set("u", undefined)).rejects.toBeInstanceOf(CacheSerializationError);
  });
});

describe("bad keys and call options", () => {
  const cache = new MultiLevelCache({ l2: new MemoryStore() });
  it.each([
    ["a number key", () => cache.get(1 as unknown as string)],
    ["an object key on set", () => cache.set({} as unknown as string, 1)],
    ["a key over the length limit", () => cache.set("x".repeat(2000), 1)],
    ["a bad namespace", () => cache.get("k", { namespace: 5 as unknown as string })],
    ["a bad key in getOrSet", () => cache.getOrSet(null as unknown as string, () => 1)],
    ["a bad tag", () => cache.invalidateTag(3 as unknown as string)],
  ])("%s is a CacheKeyError", async (_name, call) => {
    await expect(call()).rejects.toBeInstanceOf(CacheKeyError);
  });

  it.each([
    ["ttl", () => cache.set("k", 1, { ttl: "soon" })],
    ["ttl", () => cache.set("k", 1, { ttl: -5 })],
    ["grace", () => cache.set("k", 1, { grace: "a while" })],
    ["tags", () => cache.set("k", 1, { tags: "git" as unknown as string[] })],
    ["getOrSet.loader", () => cache.getOrSet("k", 5 as unknown as () => number)],
  ])("a bad %s is a CacheConfigError naming it, and nothing is written", async (path, call) => {
    await cache.set("k", "kept");
    await expect(call()).rejects.toMatchObject({ code: "ERR_CACHE_CONFIG", path });
    expect(await cache.get("k")).toBe("kept");
  });
});

describe("invalid config", () => {
  const store = new MemoryStore();
  it.each<[string, unknown]>([
    ["options", "fast please"],
    ["l1", { l1: 5 }],
    ["l1.maxSize", { l1: { maxSize: 0 } }],
    ["l1.maxSize", { l1: { maxSize: 2.5 } }],
    ["l1.ttl", { l1: { ttl: "forever" } }],
    ["l1.evictionPolicy", { l1: { evictionPolicy: "random" } }],
    ["l1.type", { l1: { type: "disk" } }],
    ["l2", { l2: "redis://localhost" }],
    ["l2.type", { l2: { type: "ftp" } }],
    ["l2.path", { l2: { type: "file" } }],
    ["l2.path", { l2: { type: "file", path: " " } }],
    ["l2.maxSize", { l2: { type: "file", path: "/tmp/x", maxSize: -1 } }],
    ["l2.ttl", { l2: { type: "file", path: "/tmp/x", ttl: "1 fortnight" } }],
    ["l2.url", { l2: { type: "redis", url: "http://localhost" } }],
    ["writePolicy", { writePolicy: "write_sometimes" }],
    ["writePolicy", { writePolicy: "write_back" }],
    ["writePolicy", { writePolicy: "write_around" }],
    ["writeBack.interval", { l2: store, writeBack: { interval: "often" } }],
    ["writeBack.batchSize", { l2: store, writeBack: { batchSize: 0 } }],
    ["writeBack.maxQueue", { l2: store, writeBack: { batchSize: 100, maxQueue: 10 } }],
    ["writeBack.flushOnSignals", { l2: store, writeBack: { flushOnSignals: "yes" } }],
    ["grace", { grace: -1 }],
    ["failSafe", { failSafe: "always" }],
    ["bus.type", { bus: { type: "carrier pigeon" } }],
    ["clock", { clock: {} }],
  ])("%s: %j is a CacheConfigError naming the path", (path, options) => {
    const error = (() => {
      try {
        new MultiLevelCache(options as MultiLevelCacheOptions);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error).toMatchObject({ code: "ERR_CACHE_CONFIG", path });
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
  });
});

import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCacheSystem,
  defaultConfig,
  HashingEmbedder,
  loadConfig,
  parseConfig,
  LmdbStore,
} from "../../src/index.js";

const SEED = join(import.meta.dirname, "fixtures", "seed-profiles.yaml");

// The seed's persistence_path is under ~: point HOME at a temp folder so nothing touches the real
// home (vitest runs each file in its own process).
let home: string;
const realHome = process.env.HOME;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "vc-config-home-"));
  process.env.HOME = home;
});
afterAll(() => {
  process.env.HOME = realHome;
  rmSync(home, { recursive: true, force: true });
});

describe("the seed's profiles.yaml", () => {
  it("maps every key of the seed to the camelCase API", async () => {
    const config = await loadConfig(SEED);
    expect(config.source).toBe(SEED);
    expect(config.multiLevel.l1).toMatchObject({
      type: "memory",
      maxSize: 1000,
      ttl: 300,
      evictionPolicy: "lru",
    });
    // cache_l2.pkl names a pickle file; our LMDB folder is its sibling cache_l2.lmdb.
    expect(config.multiLevel.l2).toMatchObject({
      type: "file",
      path: join(home, ".victor", "cache_l2.lmdb"),
      maxSize: 10000,
      ttl: 3600,
    });
    expect(config.multiLevel.writePolicy).toBe("write_through");
    expect(config.warming).toMatchObject({
      strategy: "hybrid",
      preloadCount: 100,
      warmInterval: 300,
      recencyWeight: 0.5,
    });
    expect(config.semantic).toMatchObject({
      similarityThreshold: 0.85,
      maxSize: 1000,
      persist: true,
    });
    expect(config.semantic?.embedder).toMatchObject({
      provider: "openai",
      model: "text-embedding-ada-002",
      maxBatchSize: 100,
    });
    expect(config.invalidation).toMatchObject({
      strategy: "ttl",
      enableTagging: true,
      enableDependencies: true,
    });
    expect(config.analytics).toMatchObject({ trackHotKeys: true, hotKeyWindow: 1000 });
    expect(config.analytics?.monitoring?.intervalSeconds).toBe(60);
  });

  it("builds a working system: set/get, getOrSet, tags, persistence across a restart", async () => {
    const config = await loadConfig(SEED);
    // The seed's embedder is OpenAI's; swap in the offline one so no request leaves the machine.
    const system = createCacheSystem(config, { embedder: new HashingEmbedder() });
    await system.start();
    expect(system.semantic && system.warmer && system.invalidator && system.analytics).toBeTruthy();
    await system.cache.set("git_status", { clean: true }, { namespace: "tool", tags: ["git"] });
    expect(await system.cache.get("git_status", { namespace: "tool" })).toEqual({ clean: true });
    let loads = 0;
    const load = () => {
      loads++;
      return "analysis";
    };
    expect(await system.cache.getOrSet("a.ts", load, { namespace: "analysis" })).toBe("analysis");
    expect(await system.cache.getOrSet("a.ts", load, { namespace: "analysis" })).toBe("analysis");
    expect(loads).toBe(1);
    expect(await system.invalidator!.invalidateTag("git")).toBe(1);
    expect(await system.cache.get("git_status", { namespace: "tool" })).toBeUndefined();
    const messages = [{ role: "user" as const, content: "How do I parse JSON in TypeScript?" }];
    await system.semantic!.put(messages, "JSON.parse(text)");
    expect((await system.semantic!.getSimilar(messages))?.response).toBe("JSON.parse(text)");
    expect(system.analytics!.getComprehensiveStats().reads).toBeGreaterThanOrEqual(3);
    await system.close();

    const folder = join(home, ".victor", "cache_l2.lmdb");
    expect(existsSync(join(folder, "data.mdb"))).toBe(true);
    expect(existsSync(join(home, ".victor", "cache_l2.pkl"))).toBe(false);
    const again = createCacheSystem(config, { embedder: new HashingEmbedder() });
    await again.start();
    expect(await again.cache.get("a.ts", { namespace: "analysis" })).toBe("analysis");
    expect(again.cache.getStats().l2?.hits).toBe(1);
    expect((await again.semantic!.getSimilar(messages))?.response).toBe("JSON.parse(text)");
    await again.close();
  });

  it("ignores the sections of other tools, even ones we would reject", () => {
    const text = readFileSync(SEED, "utf8").replace(
      "profiles:\n",
      "profiles:\n  <<: {}\n  __proto__: {}\n",
    );
    expect(() => parseConfig(text)).not.toThrow();
  });
});

describe("defaults", () => {
  it("a missing default file gives the default configuration", async () => {
    const config = await loadConfig();
    expect(config).toEqual(defaultConfig());
    expect(config.multiLevel.l2).toMatchObject({
      type: "file",
      path: join(home, ".victor", "cache_l2.lmdb"),
    });
    expect(config.semantic?.embedder).toEqual({ provider: "hashing" });
    expect(config.invalidation?.strategy).toBe("hybrid");
  });

  it("a file without a cache section, or an empty one, gives the defaults", () => {
    expect(parseConfig("profiles: {}\n")).toEqual(defaultConfig());
    expect(parseConfig("cache:\n")).toEqual(defaultConfig());
    expect(parseConfig("")).toEqual(defaultConfig());
  });

  it("a named file that does not exist is an error naming it", async () => {
    const missing = join(home, "nope.yaml");
    await expect(loadConfig(missing)).rejects.toMatchObject({
      code: "ERR_CACHE_CONFIG",
      path: missing,
    });
  });

  it("default_ttl fills the TTLs the sections leave out", () => {
    const config = parseConfig(
      "cache:\n  invalidation:\n    default_ttl: 10m\n  semantic:\n    ttl: 1h\n",
    );
    expect(config.multiLevel.l1?.ttl).toBe("10m");
    expect(config.multiLevel.l2).toMatchObject({ ttl: "10m" });
    expect(config.semantic?.ttl).toBe("1h");
  });

  it("latency_sample_every reaches the cache (default 32)", async () => {
    expect(parseConfig("cache: {}\n").multiLevel.latencySampleEvery).toBe(32);
    const config = parseConfig(
      "cache:\n  multi_level:\n    enabled: false\n    latency_sample_every: 1\n",
    );
    expect(config.multiLevel.latencySampleEvery).toBe(1);
    const system = createCacheSystem(config);
    expect(system.cache.options.latencySampleEvery).toBe(1);
    await system.close();
  });

  it("enabled: false leaves a part out; multi_level.enabled: false means no L2", () => {
    const config = parseConfig(
      "cache:\n  multi_level:\n    enabled: false\n  warming:\n    enabled: false\n  semantic:\n    enabled: false\n  analytics:\n    enabled: false\n  invalidation:\n    enabled: false\n",
    );
    expect(config.multiLevel.l2).toBeUndefined();
    expect(
      config.warming ?? config.semantic ?? config.analytics ?? config.invalidation,
    ).toBeUndefined();
    const system = createCacheSystem(config);
    expect(system.cache.l2).toBeUndefined();
    expect(
      system.warmer ?? system.semantic ?? system.analytics ?? system.invalidator,
    ).toBeUndefined();
    return system.close();
  });
});

describe("environment variables and ~", () => {
  it("substitutes ${VAR} and ${VAR:-default}, typing a value that is only a reference", () => {
    const env = { L1_SIZE: "2500", REDIS_HOST: "cache.internal" };
    const config = parseConfig(
      [
        "cache:",
        "  multi_level:",
        "    l1:",
        "      max_size: ${L1_SIZE}",
        "      ttl: ${L1_TTL:-90s}",
        "    l2:",
        "      type: redis",
        "      url: redis://${REDIS_HOST}:${REDIS_PORT:-6380}/0",
        "      prefix: $${literal}",
      ].join("\n"),
      { env },
    );
    expect(config.multiLevel.l1).toMatchObject({ maxSize: 2500, ttl: "90s" });
    expect(config.multiLevel.l2).toMatchObject({
      url: "redis://cache.internal:6380/0",
      prefix: "${literal}",
    });
  });

  it("expands ~ in paths", () => {
    const config = parseConfig(
      "cache:\n  multi_level:\n    l2:\n      type: file\n      persistence_path: ~/caches/l2\n  invalidation:\n    watch_files: [~/src]\n",
    );
    expect(config.multiLevel.l2).toMatchObject({ path: join(home, "caches", "l2") });
    expect(config.invalidation?.watchFiles).toEqual([join(home, "src")]);
  });

  it("builds a working system from the default config with a temporary L2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vc-config-l2-"));
    const config = parseConfig(
      `cache:\n  multi_level:\n    l2:\n      type: file\n      persistence_path: ${dir}/store\n`,
    );
    const system = createCacheSystem(config);
    await system.start();
    expect(system.cache.l2).toBeDefined();
    await system.cache.set("k", [1, 2, 3]);
    expect(await system.cache.get("k")).toEqual([1, 2, 3]);
    await system.close();
    const store = new LmdbStore({ path: join(dir, "store") });
    expect((await store.get("k", "default"))?.value).toEqual([1, 2, 3]);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

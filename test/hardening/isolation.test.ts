/**
 * Isolation: 100,000 adversarial probes across namespaces (tenants) in the local tier, the
 * multilevel cache over LMDB and over Redis, the Redis tier itself, and the semantic cache. Names
 * and keys are drawn from a tiny alphabet of separators (":", NUL, "/", "|", digits, braces, "%"),
 * so that many pairs collide once naively joined ("a:b"+"c" vs "a"+"b:c", length-prefix look-alikes
 * such as "1:a"). Every probe must miss or answer its own pair's value: 0 cross hits.
 *
 * Prototype pollution: values and configs carrying `__proto__` and `constructor.prototype` pass
 * through every tier and the YAML loader without touching Object.prototype.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import type { SemanticLookup } from "../../src/semantic/results.js";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { RedisStore } from "../../src/stores/redis.js";
import type { CacheStore } from "../../src/stores/store.js";
import { seededRandom } from "../helpers/chaos.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";
import { ConstantEmbedder, user } from "../semantic/support.js";

const ALPHABET = ["a", "b", ":", "\u0000", "1", "2", "/", "|", "{", "}", "%", ""];
const WRITTEN = 1500;
const PROBES_PER_TIER = 20_000;
const root = mkdtempSync(join(tmpdir(), "victor-isolation-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Pair = [namespace: string, key: string];
const id = ([ns, key]: Pair) => JSON.stringify([ns, key]);
const valueOf = (pair: Pair) => ({ owner: id(pair) });
/** The ways a careless implementation would join a namespace and a key. */
const naive = ([ns, key]: Pair) => [
  ns + key,
  `${ns}:${key}`,
  `${ns}\u0000${key}`,
  `${ns.length}:${ns}${key}`,
];

/** Distinct pairs from the tiny alphabet; many share a naive join. */
function craftedPairs(count: number, seed: number): Pair[] {
  const random = seededRandom(seed);
  const word = () => {
    let out = "";
    const length = Math.floor(random() * 5);
    for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return out;
  };
  const pairs = new Map<string, Pair>();
  for (let tries = 0; pairs.size < count && tries < count * 20; tries++) {
    const pair: Pair = [word() || "ns", word()];
    pairs.set(id(pair), pair);
  }
  return [...pairs.values()];
}

interface Tally {
  probes: number;
  crossHits: number;
  /** Probes whose naive join equals that of a different written pair. */
  adversarial: number;
  ownHits: number;
}

/**
 * Writes half the pairs, then probes random pairs (written or not) with `read`, batching
 * `batch` reads at a time. A hit must be the probe's own value.
 */
async function probeTier(
  write: (pair: Pair) => Promise<void>,
  read: (pairs: Pair[]) => Promise<unknown[]>,
  seed: number,
  probes = PROBES_PER_TIER,
): Promise<Tally> {
  const pairs = craftedPairs(WRITTEN * 2, seed);
  const written = pairs.slice(0, WRITTEN);
  for (const pair of written) await write(pair);
  const writtenIds = new Set(written.map(id));
  const joins = new Map<string, Set<string>>();
  for (const pair of written)
    for (const joined of naive(pair)) {
      if (!joins.has(joined)) joins.set(joined, new Set());
      joins.get(joined)!.add(id(pair));
    }
  const random = seededRandom(seed + 1);
  const tally: Tally = { probes: 0, crossHits: 0, adversarial: 0, ownHits: 0 };
  while (tally.probes < probes) {
    const batch = Array.from(
      { length: Math.min(1000, probes - tally.probes) },
      () => pairs[Math.floor(random() * pairs.length)],
    );
    const got = await read(batch);
    batch.forEach((pair, i) => {
      tally.probes++;
      if (
        naive(pair).some((joined) =>
          [...(joins.get(joined) ?? [])].some((other) => other !== id(pair)),
        )
      )
        tally.adversarial++;
      if (got[i] === undefined) return;
      const owner = (got[i] as { owner?: string }).owner;
      if (owner === id(pair) && writtenIds.has(owner)) tally.ownHits++;
      else tally.crossHits++;
    });
  }
  return tally;
}

/** A value whose keys would pollute prototypes if a decoder assigned them. */
const hostile = () =>
  JSON.parse(
    '{"__proto__": {"polluted": "via __proto__"}, "constructor": {"prototype": {"polluted": "via constructor"}}, "nested": [{"__proto__": {"polluted": 1}}]}',
  ) as unknown;
const clean = () => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");
};

function record(tier: string, tally: Tally): void {
  console.log(
    `isolation ${tier}: ${tally.probes} probes (${tally.adversarial} collide with another pair once naively joined), ` +
      `${tally.ownHits} own hits, ${tally.crossHits} cross hits`,
  );
  expect(tally.crossHits).toBe(0);
  expect(tally.ownHits).toBeGreaterThan(0);
  expect(tally.adversarial).toBeGreaterThan(tally.probes / 20);
}

const storeTier = (store: CacheStore) =>
  [
    (pair: Pair) => store.set(pair[1], pair[0], { value: valueOf(pair), expiresAt: 0 }),
    (pairs: Pair[]) =>
      Promise.all(pairs.map(async ([ns, key]) => (await store.get(key, ns))?.value)),
  ] as const;

const cacheTier = (cache: MultiLevelCache) =>
  [
    (pair: Pair) => cache.set(pair[1], valueOf(pair), { namespace: pair[0] }),
    (pairs: Pair[]) => Promise.all(pairs.map(([ns, key]) => cache.get(key, { namespace: ns }))),
  ] as const;

describe("isolation: local tiers", () => {
  it("the memory tier (L1)", async () => {
    const store = new MemoryStore({ maxSize: WRITTEN * 2 });
    record("memory tier", await probeTier(...storeTier(store), 1));
  });

  it("a MultiLevelCache over LMDB (a small L1, so most reads reach L2)", async () => {
    const l2 = new LmdbStore({ path: join(root, "lmdb"), sweepInterval: 0 });
    const cache = new MultiLevelCache({ l1: { maxSize: 64 }, l2 });
    try {
      record("multilevel over LMDB", await probeTier(...cacheTier(cache), 2));
    } finally {
      await cache.close();
      await l2.close();
    }
  });

  it("the semantic cache: tenants, namespaces and models, with an embedder that makes every prompt alike", async () => {
    const cache = new SemanticCache<string>({
      embedder: new ConstantEmbedder(),
      similarityThreshold: 0.5,
      verifier: false,
      maxSize: 100_000,
    });
    const scopeOf = ([tenant, namespace]: Pair, model: string) => ({
      tenant,
      namespace: namespace || "default",
      model,
    });
    const tally = await probeTier(
      async (pair) => {
        // The same prompt in every scope: only the scope can tell the entries apart.
        await cache.put(user("what is the answer?"), id(pair), scopeOf(pair, "m"));
      },
      async (pairs) => {
        const lookups: SemanticLookup[] = pairs.map((pair, i) => ({
          // Exact and similar lookups alike.
          messages: user(i % 2 === 0 ? "what is the answer?" : "what is the answer, please?"),
          options: scopeOf(pair, "m"),
        }));
        const hits = await cache.getSimilarMany(lookups);
        return hits.map((hit) => (hit === undefined ? undefined : { owner: hit.response }));
      },
      3,
    );
    record("semantic cache", tally);
    expect(cache.getStats().scopeViolations).toBe(0);
    await cache.close();
  });
});

describeWithRedis("isolation: Redis", (redis) => {
  it("the Redis tier", async () => {
    const store = new RedisStore({ url: redis().url, prefix: uniquePrefix("iso") });
    try {
      record("Redis tier", await probeTier(...storeTier(store), 4));
    } finally {
      await store.clear();
      await store.close();
    }
  });

  it("a value carrying __proto__ and constructor.prototype through Redis pollutes nothing", async () => {
    const store = new RedisStore({ url: redis().url, prefix: uniquePrefix("pollution") });
    try {
      await store.set("x", "ns", { value: hostile(), expiresAt: 0 });
      const back = (await store.get("x", "ns"))?.value as Record<string, unknown>;
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      expect((back as { polluted?: unknown }).polluted).toBeUndefined();
      clean();
    } finally {
      await store.clear();
      await store.close();
    }
  });

  it("a MultiLevelCache over Redis", async () => {
    const cache = new MultiLevelCache({
      l1: { maxSize: 64 },
      l2: { type: "redis", url: redis().url, prefix: uniquePrefix("iso-cache") },
    });
    try {
      record("multilevel over Redis", await probeTier(...cacheTier(cache), 5));
    } finally {
      await cache.clear();
      await cache.close();
    }
  });
});

describe("prototype pollution", () => {
  it("values carrying __proto__ and constructor.prototype, through every local tier", async () => {
    const l2 = new LmdbStore({ path: join(root, "pollution"), sweepInterval: 0 });
    const cache = new MultiLevelCache({ l1: { maxSize: 4 }, l2, writePolicy: "write_back" });
    try {
      await cache.set("x", hostile());
      await cache.flush();
      cache.l1.clearSync();
      const back = (await cache.get("x")) as Record<string, unknown>;
      clean();
      // Read back as data: nothing became a prototype.
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      expect((back as { polluted?: unknown }).polluted).toBeUndefined();
    } finally {
      await cache.close();
      await l2.close();
    }
  });

  it("options objects and YAML configs carrying __proto__ or constructor.prototype", () => {
    try {
      new MultiLevelCache(
        JSON.parse('{"__proto__": {"polluted": 1}, "l1": {"__proto__": {"maxSize": -1}}}'),
      );
    } catch {
      // A rejection is fine; a pollution is not.
    }
    clean();
    for (const yaml of [
      "cache:\n  __proto__:\n    polluted: 1",
      "cache:\n  multi_level:\n    constructor:\n      prototype:\n        polluted: 1",
      "cache:\n  semantic: {__proto__: {polluted: 1}}",
      "__proto__:\n  polluted: 1\ncache: {}",
    ]) {
      try {
        parseConfig(yaml, { env: {} });
      } catch (error) {
        expect((error as { code?: string }).code).toBe("ERR_CACHE_CONFIG");
      }
      clean();
    }
  });
});

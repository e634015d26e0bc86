/**
 * Damaged persisted bytes, fuzzed: a record is written through the store, then rewritten under the
 * store's own key with the raw client (lmdb / node-redis): one bit flipped, truncated, extended
 * with junk, or replaced. Reading it back (store get/getMany/has/keys/delete, and a fail-safe
 * MultiLevelCache over the store) gives a typed CacheError or a miss, 0 other exceptions, 0 hangs,
 * and every other entry is still read back exactly.
 *
 * - LMDB records carry a CRC-32 of the value: a damaged record never yields another value.
 * - Redis records without a signature have no checksum: a flip inside the msgpack bytes can decode
 *   to another plausible value (the case `signingKey` exists for); with a signing key every damaged
 *   record is rejected.
 *
 * Replay a failure with VICTOR_SEED=<seed printed by the run>.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { open } from "lmdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { storeKey } from "../../src/stores/lmdb-keys.js";
import { DB_NAMES } from "../../src/stores/lmdb-tables.js";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { RedisStore } from "../../src/stores/redis.js";
import type { CacheStore } from "../../src/stores/store.js";
import { typedOutcome, withinMs } from "../helpers/fuzz.js";
import { propertyParameters } from "../helpers/property.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";
import { openRawRedis, type RawRedis } from "../helpers/raw-redis.js";

const RUNS = Number(process.env.VICTOR_FUZZ_RUNS ?? 150);
const KEYS = ["a", "b", "c", "d"];
const valueOf = (key: string) => ({ key, text: `value of ${key} `.repeat(4), n: [1, 2.5, -3] });

type Damage =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; at: number }
  | { kind: "extend"; junk: Uint8Array }
  | { kind: "replace"; bytes: Uint8Array };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("extend" as const),
      junk: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      bytes: fc.uint8Array({ maxLength: 64 }),
    }),
  },
);

function damaged(bytes: Buffer, d: Damage): Buffer {
  switch (d.kind) {
    case "flip": {
      const out = Buffer.from(bytes);
      out[d.at % out.length] ^= 1 << d.bit;
      return out;
    }
    case "truncate":
      return Buffer.from(bytes.subarray(0, d.at % bytes.length));
    case "extend":
      return Buffer.concat([bytes, d.junk]);
    case "replace":
      return Buffer.from(d.bytes);
  }
}

/**
 * Reads the damaged key every way and the others once: typed outcomes only; the damaged key's
 * value, when one comes back, is its original unless `anyValue`; every other key is intact.
 */
async function readBack(
  store: CacheStore,
  victim: string,
  anyValue: boolean,
): Promise<{ errors: number; wrong: number }> {
  let errors = 0;
  let wrong = 0;
  const checkEntry = (value: unknown) => {
    if (value === undefined) return;
    if (!anyValue) expect(value).toEqual(valueOf(victim));
    else if (!isDeepStrictEqual(value, valueOf(victim))) wrong++;
  };
  const outcomes = [
    await typedOutcome(async () => checkEntry((await store.get(victim, "ns"))?.value), "get"),
    await typedOutcome(async () => {
      const entries = await store.getMany(KEYS, "ns");
      entries.forEach((e, i) =>
        KEYS[i] === victim ? checkEntry(e?.value) : expect(e?.value).toEqual(valueOf(KEYS[i])),
      );
    }, "getMany"),
    await typedOutcome(() => store.has(victim, "ns"), "has"),
    await typedOutcome(async () => {
      for await (const k of store.keys("ns")) expect(KEYS).toContain(k.key);
    }, "keys"),
  ];
  errors += outcomes.filter((e) => e !== undefined).length;

  // A fail-safe cache over the damaged store: a miss (counted) or the original value, never a throw.
  const cache = new MultiLevelCache({ l1: { maxSize: 10 }, l2: store });
  try {
    const got = await withinMs(cache.get(victim, { namespace: "ns" }), 5000, "cache.get");
    checkEntry(got);
    for (const key of KEYS.filter((k) => k !== victim))
      expect(await cache.get(key, { namespace: "ns" })).toEqual(valueOf(key));
    const loaded = await withinMs(
      cache.getOrSet(victim, () => "reloaded", { namespace: "ns" }),
      5000,
      "getOrSet",
    );
    if (got === undefined) expect(loaded).toBe("reloaded");
  } finally {
    await cache.close();
  }
  // The damaged record can always be removed, and is then gone.
  const removed = await typedOutcome(() => store.delete(victim, "ns"), "delete");
  expect(removed).toBeUndefined();
  expect(await store.get(victim, "ns")).toBeUndefined();
  return { errors, wrong };
}

async function fill(store: CacheStore): Promise<void> {
  await store.clear();
  for (const key of KEYS)
    await store.set(key, "ns", { value: valueOf(key), expiresAt: 0, tags: ["t"] });
}

async function fuzz(
  label: string,
  property: fc.IAsyncPropertyWithHooks<[string, Damage]>,
): Promise<void> {
  const parameters = propertyParameters(RUNS);
  console.log(
    `${label}: ${RUNS} runs, seed ${parameters.seed} (replay: VICTOR_SEED=${parameters.seed})`,
  );
  await fc.assert(property, parameters);
}

describe("damaged LMDB records", () => {
  const dir = mkdtempSync(join(tmpdir(), "victor-bad-bytes-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Rewrites the record of `key` with the raw lmdb client, the store closed meanwhile. */
  async function damageRecord(key: string, d: Damage): Promise<void> {
    const root = open({ path: dir, maxDbs: 12 });
    const entries = root.openDB<Buffer, Buffer>({
      name: DB_NAMES.entries,
      encoding: "binary",
      keyEncoding: "binary",
    });
    const k = storeKey("ns", key).bytes;
    await entries.put(k, damaged(entries.getBinary(k)!, d));
    await root.close();
  }

  it("give typed errors or misses, never another value, and lose nothing else", async () => {
    let errors = 0;
    await fuzz(
      "LMDB damaged bytes",
      fc.asyncProperty(fc.constantFrom(...KEYS), damage, async (victim, d) => {
        let store = new LmdbStore({ path: dir, sweepInterval: 0 });
        await fill(store);
        await store.close();
        await damageRecord(victim, d);
        store = new LmdbStore({ path: dir, sweepInterval: 0 });
        try {
          errors += (await readBack(store, victim, false)).errors;
        } finally {
          await store.close();
        }
      }),
    );
    console.log(
      `LMDB damaged bytes: ${RUNS} damaged records, ${errors} typed errors, 0 wrong values, 0 other entries lost`,
    );
    expect(errors).toBeGreaterThan(0);
  });
});

describeWithRedis("damaged Redis records", (redis) => {
  let raw: RawRedis;
  beforeAll(async () => {
    raw = await openRawRedis(redis().url);
  });
  afterAll(() => raw.close());

  for (const signed of [false, true]) {
    it(`${signed ? "signed" : "unsigned"}: typed errors or misses${signed ? ", every damaged record rejected" : ""}, nothing else lost`, async () => {
      const store = new RedisStore({
        url: redis().url,
        prefix: uniquePrefix("bad-bytes"),
        ...(signed ? { signingKey: "damage detector" } : {}),
      });
      let errors = 0;
      let wrong = 0;
      try {
        await fuzz(
          `Redis damaged bytes (${signed ? "signed" : "unsigned"})`,
          fc.asyncProperty(fc.constantFrom(...KEYS), damage, async (victim, d) => {
            await fill(store);
            const redisKey = store.layout.entryKey("ns", victim);
            const before = store.getStats().signatureFailures;
            await raw.set(redisKey, damaged((await raw.get(redisKey))!, d));
            // Unsigned records have no checksum: a flip may decode to another value.
            const read = await readBack(store, victim, !signed);
            errors += read.errors;
            wrong += read.wrong;
            if (signed) expect(store.getStats().signatureFailures).toBeGreaterThan(before);
          }),
        );
      } finally {
        await store.clear();
        await store.close();
      }
      console.log(
        `Redis damaged bytes (${signed ? "signed" : "unsigned"}): ${RUNS} damaged records, ${errors} typed errors, ${wrong} reads decoded to another value, 0 other entries lost`,
      );
      expect(errors).toBeGreaterThan(0);
      if (signed) expect(wrong).toBe(0);
    });
  }
});

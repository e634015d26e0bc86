/**
 * Bad input, fuzzed with fast-check: MultiLevelCache options, YAML configs (parseConfig), keys
 * and namespaces (empty, 1 MB, unicode, NUL, lone surrogates, non-strings) and values (cycles,
 * BigInt, functions, symbols, typed arrays, Maps, Dates...) through a cache over LMDB. Every
 * outcome is either success or a typed CacheError with its code: 0 other exceptions, 0 hangs
 * (each call must settle within 5 s), and nothing stored before is lost.
 *
 * Persisted bytes (damaged LMDB records and Redis payloads) are fuzzed in bad-bytes.test.ts.
 * Replay a failure with VICTOR_SEED=<seed printed by the run>.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { ErrorCode } from "../../src/core/errors.js";
import { MAX_KEY_LENGTH } from "../../src/core/keys.js";
import { MultiLevelCache, WritePolicy } from "../../src/multilevel/index.js";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { typedOutcome, withinMs } from "../helpers/fuzz.js";
import { propertyParameters } from "../helpers/property.js";

const RUNS = Number(process.env.VICTOR_FUZZ_RUNS ?? 300);
const root = mkdtempSync(join(tmpdir(), "victor-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function check<Ts extends [unknown, ...unknown[]]>(
  label: string,
  property: fc.IAsyncPropertyWithHooks<Ts>,
  runs = RUNS,
): Promise<void> {
  const parameters = propertyParameters(runs);
  console.log(
    `${label}: ${runs} runs, seed ${parameters.seed} (replay: VICTOR_SEED=${parameters.seed})`,
  );
  await fc.assert(property, parameters);
}

const junk = fc.oneof(
  fc.integer({ min: -10, max: 100_000 }),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, 0.5, 1e308, 2 ** 53),
  fc.string({ maxLength: 8 }),
  fc.constantFrom("5m", "1h", "250ms", "-1s", "1.5", "", "abc", "1e3", "90 s"),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.constant({}),
  fc.constant(() => 1),
  fc.constant(Symbol("s")),
);

describe("fuzzed MultiLevelCache options", () => {
  /** Mostly a valid value, sometimes junk: a config with one bad field among good ones. */
  const maybe = <T>(valid: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: junk });
  const duration = fc.constantFrom(0, 1, 30, "250ms", "5m", "1h");
  const l1 = fc.record(
    {
      maxSize: maybe(fc.integer({ min: 1, max: 1000 })),
      maxBytes: maybe(fc.constantFrom(0, 1024, 1 << 20)),
      ttl: maybe(duration),
      evictionPolicy: maybe(
        fc.constantFrom("lru", "lfu", "fifo", "ttl", "w_tinylfu", "s3fifo", "sieve"),
      ),
      sweepInterval: maybe(duration),
      clone: maybe(fc.boolean()),
      type: fc.constantFrom(undefined, undefined, "memory", "redis"),
      sizeCalculation: fc.constantFrom(
        undefined,
        undefined,
        () => 10,
        () => Number.NaN,
        "size",
      ),
    },
    { requiredKeys: [] },
  );
  const l2 = fc.oneof(
    { weight: 1, arbitrary: junk },
    { weight: 2, arbitrary: fc.constant(undefined) },
    {
      weight: 4,
      arbitrary: fc.record(
        {
          type: maybe(fc.constantFrom("file", "lmdb", "redis")),
          path: fc.constantFrom("l2-a", "l2-b", "l2-c", undefined, "", 42),
          url: fc.constantFrom("redis://127.0.0.1:1", undefined, "http://x", 5),
          maxSize: maybe(fc.constantFrom(0, 10, 1000)),
          ttl: maybe(duration),
          prefix: fc.constantFrom(undefined, "p:", "a{b}", 3),
          guard: fc.constantFrom(undefined, false, {}, { timeout: "x" }, 3),
        },
        { requiredKeys: ["type"] },
      ),
    },
  );
  const options = fc.record(
    {
      l1: maybe(l1),
      l2,
      writePolicy: maybe(fc.constantFrom(...Object.values(WritePolicy))),
      writeBack: maybe(
        fc.record(
          {
            interval: maybe(duration),
            batchSize: maybe(fc.integer({ min: 1, max: 100 })),
            maxQueue: maybe(fc.integer({ min: 100, max: 1000 })),
            flushOnSignals: maybe(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
      ),
      grace: maybe(duration),
      failSafe: maybe(fc.boolean()),
      bus: fc.constantFrom(undefined, undefined, { type: "memory" }, { type: "kafka" }, 5),
      clock: fc.constantFrom(undefined, undefined, { now: () => 1_700_000_000_000 }, {}),
      distributedLock: fc.constantFrom(undefined, undefined, {}, 3),
    },
    { requiredKeys: [] },
  );

  it("construct, use and close, or throw a typed error naming the option", async () => {
    let built = 0;
    let rejected = 0;
    await check(
      "options fuzz",
      fc.asyncProperty(options, async (raw) => {
        const o = raw as Record<string, unknown>;
        // Folders live under the test's temp root; nothing is written anywhere else.
        const l2 = o.l2 as Record<string, unknown> | undefined;
        if (
          typeof l2 === "object" &&
          l2 !== null &&
          typeof l2.path === "string" &&
          l2.path.trim() !== ""
        )
          o.l2 = { ...l2, path: join(root, l2.path) };
        let cache: MultiLevelCache | undefined;
        const error = await typedOutcome(() => {
          cache = new MultiLevelCache(o as ConstructorParameters<typeof MultiLevelCache>[0]);
        }, "new MultiLevelCache");
        if (error !== undefined) {
          rejected++;
          // A config error names the offending option.
          if (error.code === ErrorCode.CONFIG) expect(error.path).toBeTruthy();
          return;
        }
        built++;
        const usesRedis =
          cache!.options.l2.kind === "config" && (l2 as { type?: unknown })?.type === "redis";
        if (!usesRedis) {
          await typedOutcome(() => cache!.set("k", { v: 1 }, { ttl: 5 }), "set");
          await typedOutcome(() => cache!.get("k"), "get");
        }
        await typedOutcome(() => cache!.close(), "close");
      }),
    );
    console.log(
      `options fuzz: ${built} caches built and used, ${rejected} configs rejected with typed errors`,
    );
    expect(built).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe("fuzzed YAML configs (parseConfig)", () => {
  /** What YAML can carry: no functions, symbols or undefined. */
  const yamlJunk = fc.oneof(
    fc.integer({ min: -10, max: 100_000 }),
    fc.double(),
    fc.string({ maxLength: 8 }),
    fc.constantFrom("5m", "1h", "250ms", "-1s", "", "abc", ".inf", "~", "0x1F", "1_000"),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.constant({}),
    fc.constant({ polluted: true }),
  );
  const keys = (fields: string[]) =>
    fc.constantFrom(...fields, "unknown_key", "__proto__", "constructor", "prototype");
  const section = (fields: string[]) => fc.dictionary(keys(fields), yamlJunk, { maxKeys: 4 });
  const config = fc.record(
    {
      multi_level: fc.oneof(
        fc.record(
          {
            l1: section([
              "type",
              "max_size",
              "max_bytes",
              "ttl",
              "sweep_interval",
              "clone",
              "eviction_policy",
            ]),
            l2: section([
              "type",
              "max_size",
              "ttl",
              "persistence_path",
              "url",
              "prefix",
              "on_incompatible",
            ]),
            write_policy: fc.oneof(
              fc.constantFrom("write_back", "write_around", "bogus"),
              yamlJunk,
            ),
            write_back: section(["interval", "batch_size", "max_queue", "flush_on_signals"]),
            grace: yamlJunk,
          },
          { requiredKeys: [] },
        ),
        yamlJunk,
      ),
      semantic: section([
        "similarity_threshold",
        "max_size",
        "ttl",
        "embedding_model",
        "namespace",
      ]),
      warming: section(["strategy", "preload_count", "warm_interval", "recency_weight"]),
      invalidation: section(["strategy", "enable_tagging", "debounce", "cascade_concurrency"]),
      analytics: section(["hot_key_window", "monitoring_interval", "dashboard"]),
    },
    { requiredKeys: [] },
  );
  /** YAML text: a fuzzed tree, or garbage, or YAML's own tricks (anchors, tags, merge keys). */
  const text = fc.oneof(
    {
      weight: 6,
      arbitrary: config.map((c) => stringify({ cache: c })),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "cache: [1, 2",
        "cache: &a [*a]",
        "cache:\n  multi_level: !!binary aGVsbG8=",
        "cache:\n  <<: {multi_level: {l1: {max_size: -1}}}",
        "cache:\n  multi_level:\n    l1:\n      max_size: ${NOPE}",
        "cache: !!js/function 'function () {}'",
        "\u0000\u0001",
        "cache:\n  " + "a: b\n  ".repeat(500),
        "a: &x\n  b: *x\ncache: *x",
      ),
    },
  );
  it("a YAML alias inside the value it names is a typed error, not a stack overflow", () => {
    // Found by this fuzzer: toPlainTree recursed through the cycle until the stack overflowed.
    for (const yaml of ["a: &x\n  b: *x\ncache: *x", "cache: &c\n  multi_level: *c"]) {
      expect(() => parseConfig(yaml, { env: {} })).toThrow(
        expect.objectContaining({ code: ErrorCode.CONFIG }),
      );
    }
  });

  it("parse to a config or throw a typed error; never pollute prototypes", async () => {
    let parsed = 0;
    let rejected = 0;
    await check(
      "YAML config fuzz",
      fc.asyncProperty(text, async (yaml) => {
        const error = await typedOutcome(
          () => parseConfig(yaml, { source: "fuzz.yaml", env: {} }),
          "parseConfig",
        );
        if (error === undefined) parsed++;
        else rejected++;
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty("max_size");
      }),
    );
    console.log(`YAML config fuzz: ${parsed} parsed, ${rejected} rejected with typed errors`);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe("fuzzed keys and values through a cache over LMDB", () => {
  let store: LmdbStore;
  let cache: MultiLevelCache;
  beforeAll(() => {
    store = new LmdbStore({ path: join(root, "keys"), sweepInterval: 0 });
    cache = new MultiLevelCache({ l1: { maxSize: 50 }, l2: store });
  });
  afterAll(async () => {
    await cache.close();
    await store.close();
  });

  const SENTINEL = { kept: ["safe", 1] };
  /** After every case: the entry stored before all of them is still there, in L2 as well. */
  async function sentinelIntact(): Promise<void> {
    expect((await store.get("sentinel", "keep"))?.value).toEqual(SENTINEL);
  }

  const key = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.constantFrom(
      "",
      "\u0000",
      "a\u0000b",
      "a:b",
      "3:abc:",
      "k".repeat(MAX_KEY_LENGTH),
      "k".repeat(MAX_KEY_LENGTH + 1),
      "x".repeat(1 << 20),
      "🔑".repeat(MAX_KEY_LENGTH / 2),
      "\uD800",
      "\uFFFD",
    ),
    fc.constantFrom(42, null, undefined, {}, ["a"], Symbol("k") as unknown as string),
  );
  const isValid = (k: unknown): boolean =>
    typeof k === "string" &&
    k.length <= MAX_KEY_LENGTH &&
    (k as string & { isWellFormed(): boolean }).isWellFormed();

  it("keys and namespaces: valid ones round-trip through L1 and L2, others throw CacheKeyError", async () => {
    await cache.set("sentinel", SENTINEL, { namespace: "keep" });
    await check(
      "key fuzz",
      fc.asyncProperty(key, key, fc.nat(), async (k, ns, n) => {
        // No namespace (undefined, or null: `namespace ?? "default"`) means the default one.
        const valid = isValid(k) && (ns === undefined || ns === null || isValid(ns));
        const opts = { namespace: ns as string };
        const errors = [
          await typedOutcome(() => cache.set(k as string, n, opts), "set"),
          await typedOutcome(async () => {
            const got = await cache.get(k as string, opts);
            if (valid) expect(got).toBe(n);
          }, "get"),
          await typedOutcome(async () => {
            cache.l1.clearSync();
            const got = await cache.getOrSet(k as string, () => -1, opts);
            if (valid) expect(got).toBe(n);
          }, "get from L2"),
          await typedOutcome(() => cache.has(k as string, opts), "has"),
          await typedOutcome(() => cache.delete(k as string, opts), "delete"),
        ];
        for (const error of errors) {
          if (valid) expect(error).toBeUndefined();
          else expect(error?.code).toBe(ErrorCode.KEY);
        }
        await sentinelIntact();
      }),
    );
  });

  const cyclic = () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    return a;
  };
  const exotic = fc.constantFrom<unknown>(
    cyclic(),
    [1, [2, [3]]],
    () => 1,
    { nested: { fn: () => 1 } },
    Symbol("v"),
    [Symbol("in array")],
    10n,
    -(2n ** 70n),
    { big: 2n ** 63n },
    new Uint8Array([1, 2, 3]),
    new Float64Array([1.5, -0, NaN]),
    new Int32Array(0),
    new Map<unknown, unknown>([[{ k: 1 }, "object key"]]),
    new Set([1, "a"]),
    new Date(0),
    new Date(Number.NaN),
    /re+gex/giu,
    new Error("an error"),
    new WeakMap(),
    new WeakSet(),
    Promise.resolve(1),
    { pending: Promise.resolve(2) },
    new (class Point {
      constructor(readonly x = 1) {}
    })(),
    Object.create(null),
    JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}'),
    undefined,
    null,
    Number.NaN,
    -0,
    "x".repeat(1 << 20),
  );
  const value = fc.oneof(
    exotic,
    fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withDate: true,
      withTypedArray: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
    }),
  );

  it("a Promise or a weak collection is rejected, not stored as {} (found by this fuzzer)", async () => {
    for (const v of [
      Promise.resolve(1),
      new WeakMap(),
      new WeakSet(),
      { deep: [new WeakRef({})] },
    ]) {
      await cache.set("p", "previous", { namespace: "values" });
      await expect(cache.set("p", v, { namespace: "values" })).rejects.toMatchObject({
        code: ErrorCode.SERIALIZATION,
      });
      expect((await store.get("p", "values"))?.value).toBe("previous");
    }
  });

  it("values: encodable ones round-trip through L2, others throw CacheSerializationError and keep the old value", async () => {
    await cache.set("sentinel", SENTINEL, { namespace: "keep" });
    let stored = 0;
    let rejected = 0;
    await check(
      "value fuzz",
      fc.asyncProperty(value, async (v) => {
        await cache.set("v", "previous", { namespace: "values" });
        const error = await typedOutcome(() => cache.set("v", v, { namespace: "values" }), "set");
        cache.l1.clearSync();
        const read = await withinMs(store.get("v", "values"), 5000, "L2 read");
        if (error === undefined) {
          stored++;
          // Known, documented differences (see RELIABILITY.md): msgpack writes -0 as the integer 0
          // (as JSON does); msgpackr renames an own key "__proto__" to "__proto_" when decoding,
          // its guard against prototype pollution; an instance of a class other than the built-in
          // value types comes back as a plain object. Everything else comes back equal.
          expect(normalised(read?.value)).toEqual(normalised(v));
        } else {
          rejected++;
          expect([ErrorCode.SERIALIZATION, ErrorCode.ENTRY_TOO_LARGE]).toContain(error.code);
          expect(read?.value).toBe("previous");
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        await sentinelIntact();
      }),
    );
    console.log(
      `value fuzz: ${stored} stored, ${rejected} rejected with typed errors, previous values kept`,
    );
    expect(rejected).toBeGreaterThan(0);
  });
});

/** `value` with every -0 (outside typed arrays) replaced by 0 and own keys "__proto__" renamed. */
function normalised(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(normalised);
  if (value instanceof Map)
    return new Map([...value].map(([k, v]) => [normalised(k), normalised(v)]));
  if (value instanceof Set) return new Set([...value].map(normalised));
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  if (value instanceof Date || value instanceof RegExp || value instanceof Error) return value;
  // Instances of other classes travel as their own enumerable properties (a plain object).
  const out: Record<string, unknown> =
    Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  // defineProperty, so that no key can reach the prototype.
  for (const k of Object.keys(value)) {
    Object.defineProperty(out, k === "__proto__" ? "__proto_" : k, {
      value: normalised((value as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

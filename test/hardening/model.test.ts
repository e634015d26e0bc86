/**
 * Model check: MultiLevelCache under every write policy, over both persistent L2 kinds (LMDB in a
 * temp folder, a real Redis), together with a CacheInvalidator (tags and a persisted dependency
 * graph, `hybrid` strategy), runs random operation sequences against ONE reference model
 * (reference-model.ts) and must agree with it on every answer, on the graph after every step, and
 * on what L2 alone holds at the end. A 3-entry L1 evicts constantly; restarts reload the graph.
 *
 * VICTOR_HARDENING_MODEL_RUNS (default 1000) runs in total, split over the six configurations;
 * each prints its seed. Replay a failure with VICTOR_SEED=<seed>. One LMDB environment and one
 * redis-server serve every run of the file, cleared between runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitKey } from "../../src/core/keys.js";
import { CacheInvalidator } from "../../src/invalidation/index.js";
import { MultiLevelCache, WritePolicy, type WritePolicyName } from "../../src/multilevel/index.js";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { RedisStore } from "../../src/stores/redis.js";
import type { CacheStore } from "../../src/stores/store.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { propertyParameters } from "../helpers/property.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";
import { idOf, ReferenceModel, resourceId } from "./reference-model.js";

const TOTAL_RUNS = Number(process.env.VICTOR_HARDENING_MODEL_RUNS ?? 1000);
const POLICIES = Object.values(WritePolicy);
const RUNS_PER_CONFIG = Math.ceil(TOTAL_RUNS / (POLICIES.length * 2));
/** About 30 ms a run on a busy 2-core machine; more runs (a local soak) get more time. */
const TIMEOUT_MS = Math.max(60_000, RUNS_PER_CONFIG * 100);

const KEYS = ["a", "b", "c"];
const NAMESPACES = ["n1", "n2"];
const TAGS = ["t1", "t2"];
const RESOURCES = ["r1", "r2"];

type At = { key: string; ns: string };
type Target = { entry: At } | { resource: string };
type Op =
  | { op: "set"; at: At; value: number; ttl: number; tags: string[] }
  | { op: "get"; at: At }
  | { op: "has"; at: At }
  | { op: "getOrSet"; at: At; value: number; ttl: number }
  | { op: "getOrSetFailing"; at: At }
  | { op: "delete"; at: At }
  | { op: "clear"; ns: string | undefined }
  | { op: "keys"; ns: string | undefined }
  | { op: "cacheInvalidateTag"; tag: string }
  | { op: "invalidateTag"; tag: string }
  | { op: "tag"; at: At; tags: string[] }
  | { op: "depend"; at: At; on: Target }
  | { op: "invalidateKey"; at: At }
  | { op: "invalidateDependents"; on: Target }
  | { op: "advance"; ms: number }
  | { op: "dropFromL1"; at: At }
  | { op: "flush" }
  | { op: "reopen" };

const at = fc.record({ key: fc.constantFrom(...KEYS), ns: fc.constantFrom(...NAMESPACES) });
const ns = fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined });
const ttl = fc.constantFrom(0, 0, 3, 10);
const tags = fc.subarray(TAGS);
const tag = fc.constantFrom(...TAGS);
const target: fc.Arbitrary<Target> = fc.oneof(
  at.map((entry) => ({ entry })),
  fc.constantFrom(...RESOURCES).map((resource) => ({ resource })),
);
const value = fc.nat(1000);
const op = <T extends Op["op"]>(name: T) => fc.constant(name);
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: op("set"), at, value, ttl, tags }) },
  { weight: 5, arbitrary: fc.record({ op: op("get"), at }) },
  { weight: 1, arbitrary: fc.record({ op: op("has"), at }) },
  { weight: 3, arbitrary: fc.record({ op: op("getOrSet"), at, value, ttl }) },
  { weight: 1, arbitrary: fc.record({ op: op("getOrSetFailing"), at }) },
  { weight: 2, arbitrary: fc.record({ op: op("delete"), at }) },
  { weight: 1, arbitrary: fc.record({ op: op("clear"), ns }) },
  { weight: 1, arbitrary: fc.record({ op: op("keys"), ns }) },
  { weight: 1, arbitrary: fc.record({ op: op("cacheInvalidateTag"), tag }) },
  { weight: 1, arbitrary: fc.record({ op: op("invalidateTag"), tag }) },
  { weight: 1, arbitrary: fc.record({ op: op("tag"), at, tags }) },
  { weight: 5, arbitrary: fc.record({ op: op("depend"), at, on: target }) },
  { weight: 1, arbitrary: fc.record({ op: op("invalidateKey"), at }) },
  { weight: 2, arbitrary: fc.record({ op: op("invalidateDependents"), on: target }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: op("advance"), ms: fc.constantFrom(1000, 4000, 11000) }),
  },
  { weight: 1, arbitrary: fc.record({ op: op("dropFromL1"), at }) },
  { weight: 1, arbitrary: fc.record({ op: op("flush") }) },
  { weight: 1, arbitrary: fc.record({ op: op("reopen") }) },
);

const targetOf = (t: Target) =>
  "entry" in t ? { key: t.entry.key, namespace: t.entry.ns } : { resource: t.resource };
const targetIdOf = (t: Target): string =>
  "entry" in t ? idOf(t.entry.key, t.entry.ns) : resourceId(t.resource);
const ALL_TARGETS: Target[] = [
  ...RESOURCES.map((resource) => ({ resource })),
  ...NAMESPACES.flatMap((n) => KEYS.map((key) => ({ entry: { key, ns: n } }))),
];
const splitId = (id: string): [string, string] => {
  const { namespace, key } = splitKey(id.slice(1));
  return [namespace, key];
};

/** The invalidator's reserved namespaces are not entries. */
const isEntryNamespace = (namespace: string): boolean => !namespace.startsWith("__");

interface Tier {
  store: CacheStore;
  clock: FakeClock;
}

class Run {
  cache!: MultiLevelCache;
  invalidator!: CacheInvalidator;
  constructor(
    private readonly tier: Tier,
    private readonly policy: WritePolicyName,
    private readonly graceMs: number,
  ) {}

  async open(): Promise<void> {
    this.cache = new MultiLevelCache({
      l1: { maxSize: 3, sweepInterval: 0 },
      l2: this.tier.store,
      writePolicy: this.policy,
      writeBack: { interval: "1h", batchSize: 4, maxQueue: 8 },
      grace: `${this.graceMs}ms`,
      clock: this.tier.clock,
    });
    this.invalidator = new CacheInvalidator({
      cache: this.cache,
      strategy: "hybrid",
      sweepInterval: "1h",
    });
    await this.invalidator.start();
  }

  async close(): Promise<void> {
    await this.invalidator.close();
    await this.cache.close();
  }
}

async function replay(tier: Tier, policy: WritePolicyName, ops: Op[], graceMs: number) {
  await tier.store.clear();
  const clock = tier.clock;
  const model = new ReferenceModel(graceMs);
  const run = new Run(tier, policy, graceMs);
  await run.open();
  let closed = false;
  try {
    for (const [i, o] of ops.entries()) {
      const where = `op ${i} ${JSON.stringify(o)}`;
      const { cache, invalidator } = run;
      model.tick(clock.now());
      const opts = (a: At) => ({ namespace: a.ns });
      switch (o.op) {
        case "set":
          await cache.set(o.at.key, o.value, { ...opts(o.at), ttl: o.ttl, tags: o.tags });
          model.set(idOf(o.at.key, o.at.ns), o.value, o.ttl * 1000, o.tags);
          break;
        case "get":
          expect(await cache.get(o.at.key, opts(o.at)), where).toBe(
            model.fresh(idOf(o.at.key, o.at.ns)),
          );
          break;
        case "has":
          expect(await cache.has(o.at.key, opts(o.at)), where).toBe(
            model.fresh(idOf(o.at.key, o.at.ns)) !== undefined,
          );
          break;
        case "getOrSet": {
          const id = idOf(o.at.key, o.at.ns);
          const expected = model.fresh(id) ?? o.value;
          if (model.fresh(id) === undefined) model.set(id, o.value, o.ttl * 1000, []);
          const got = await cache.getOrSet(o.at.key, () => o.value, { ...opts(o.at), ttl: o.ttl });
          expect(got, where).toBe(expected);
          break;
        }
        case "getOrSetFailing": {
          const expected = model.entry(idOf(o.at.key, o.at.ns))?.value ?? "loader down";
          const got = await cache
            .getOrSet(o.at.key, () => Promise.reject(new Error("loader down")), opts(o.at))
            .catch((e: Error) => e.message);
          expect(got, where).toBe(expected);
          break;
        }
        case "delete":
          expect(await cache.delete(o.at.key, opts(o.at)), where).toBe(
            model.delete(idOf(o.at.key, o.at.ns)),
          );
          break;
        case "clear":
          await cache.clear(o.ns);
          model.clear(o.ns);
          break;
        case "keys": {
          const listed: string[] = [];
          for await (const k of cache.keys(o.ns))
            if (isEntryNamespace(k.namespace)) listed.push(`${k.namespace}/${k.key}`);
          expect(listed.sort(), where).toEqual(model.liveKeys(o.ns, splitId));
          break;
        }
        case "cacheInvalidateTag":
          await cache.invalidateTag(o.tag);
          model.invalidateTag(o.tag);
          break;
        case "invalidateTag":
          await invalidator.invalidateTag(o.tag);
          model.invalidateTag(o.tag);
          break;
        case "tag":
          expect(await invalidator.tag(o.at.key, o.at.ns, o.tags), where).toBe(
            model.tag(idOf(o.at.key, o.at.ns), o.tags),
          );
          break;
        case "depend":
          await invalidator.addDependency(o.at.key, o.at.ns, targetOf(o.on));
          model.addEdge(idOf(o.at.key, o.at.ns), targetIdOf(o.on));
          break;
        case "invalidateKey":
          expect(await invalidator.invalidateKey(o.at.key, o.at.ns), where).toBe(
            model.invalidateKey(idOf(o.at.key, o.at.ns)),
          );
          break;
        case "invalidateDependents":
          expect(await invalidator.invalidateDependents(targetOf(o.on)), where).toBe(
            model.invalidateDependents(targetIdOf(o.on)),
          );
          break;
        case "advance":
          clock.advance(o.ms);
          break;
        case "dropFromL1":
          cache.l1.deleteSync(o.at.key, o.at.ns);
          break;
        case "flush":
          await cache.flush();
          break;
        case "reopen":
          await run.close();
          model.reopen();
          await run.open();
          break;
      }
      await run.invalidator.idle();
      await compareGraph(run.invalidator, model, clock.now(), where);
    }
    await run.close();
    closed = true;
    // Everything is durable after close(): L2 alone holds exactly the model's live entries.
    model.tick(clock.now());
    const inL2: string[] = [];
    for await (const k of tier.store.keys())
      if (isEntryNamespace(k.namespace)) inL2.push(`${k.namespace}/${k.key}`);
    const expected = model.liveKeys(undefined, splitId);
    expect(inL2.sort(), "L2 after close").toEqual(expected);
    for (const id of expected) {
      const [n, k] = id.split("/");
      expect((await tier.store.get(k, n))?.value, `L2 value of ${id}`).toBe(
        model.entry(idOf(k, n))?.value,
      );
    }
  } finally {
    if (!closed) await run.close().catch(() => undefined);
  }
}

/** Every target's live dependents and the graph's size agree with the model. */
async function compareGraph(
  invalidator: CacheInvalidator,
  model: ReferenceModel,
  now: number,
  where: string,
): Promise<void> {
  model.tick(now);
  const actual: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  for (const t of ALL_TARGETS) {
    // dependentsOf also collects what expired, as every invalidator operation does first.
    actual[targetIdOf(t)] = (await invalidator.dependentsOf(targetOf(t)))
      .map(({ key, namespace }) => idOf(key, namespace))
      .sort();
    expected[targetIdOf(t)] = model.dependentsOf(targetIdOf(t));
  }
  actual.graph = invalidator.getStats().graph;
  expected.graph = model.graphSize();
  expect(actual, `graph after ${where}`).toEqual(expected);
}

function defineModelChecks(label: string, tier: () => Tier): void {
  for (const policy of POLICIES) {
    it(
      `${label}, ${policy}: ${RUNS_PER_CONFIG} runs agree with the reference model`,
      { timeout: TIMEOUT_MS },
      async () => {
        const parameters = propertyParameters(RUNS_PER_CONFIG);
        console.log(
          `hardening model (${label}, ${policy}): ${parameters.numRuns} runs, seed ${parameters.seed} ` +
            `(replay: VICTOR_SEED=${parameters.seed})`,
        );
        let runs = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(opArbitrary, { minLength: 5, maxLength: 24, size: "max" }),
            fc.constantFrom(0, 2000),
            async (ops, graceMs) => {
              runs++;
              await replay(tier(), policy, ops, graceMs);
            },
          ),
          parameters,
        );
        expect(runs).toBeGreaterThanOrEqual(RUNS_PER_CONFIG);
      },
    );
  }
}

describe("model check over LMDB", () => {
  const dir = mkdtempSync(join(tmpdir(), "victor-hardening-model-"));
  const clock = new FakeClock();
  let store: LmdbStore;
  beforeAll(() => {
    store = new LmdbStore({ path: dir, clock, sweepInterval: 0 });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  defineModelChecks("LMDB", () => ({ store, clock }));
});

describeWithRedis("model check over Redis", (redis) => {
  const clock = new FakeClock();
  let store: RedisStore;
  beforeAll(() => {
    store = new RedisStore({ url: redis().url, prefix: uniquePrefix("model"), clock });
  });
  afterAll(async () => {
    await store.clear();
    await store.close();
  });
  defineModelChecks("Redis", () => ({ store, clock }));
});

/**
 * Model-based test: random sequences of sets (with tags and TTLs), tag additions, dependencies on
 * entries and resources, deletes, invalidations by key, tag, namespace and dependency, and time
 * passing, run against a two-tier cache with a CacheInvalidator and against the reference model.
 * After every step, every entry, every target's live dependents, the graph's size and every
 * returned count must agree: the tag index (the stores' and the graph's) never points at a dead
 * entry nor misses a live one, and the graph never keeps an edge of a dead, unreferenced entry.
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CacheInvalidator, type InvalidationStrategyName } from "../../src/invalidation/index.js";
import { entryId } from "../../src/invalidation/targets.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { propertyParameters } from "../helpers/property.js";
import { ReferenceModel } from "./reference-model.js";

const KEYS = ["a", "b", "c", "d"];
const NAMESPACES = ["n1", "n2"];
const TAGS = ["t1", "t2", "t3"];
const RESOURCES = ["r1", "r2"];
const RUNS_PER_STRATEGY = 500;

type Entry = { key: string; ns: string };
type Target = { entry: Entry } | { resource: string };
type Op =
  | { op: "set"; at: Entry; tags: string[]; ttl: number }
  | { op: "tag"; at: Entry; tags: string[] }
  | { op: "depend"; at: Entry; on: Target }
  | { op: "delete"; at: Entry }
  | { op: "invalidateKey"; at: Entry }
  | { op: "invalidateTag"; tag: string }
  | { op: "invalidateDependents"; on: Target }
  | { op: "invalidateNamespace"; ns: string }
  | { op: "advance"; ms: number };

const entryArb = fc.record({ key: fc.constantFrom(...KEYS), ns: fc.constantFrom(...NAMESPACES) });
const tagsArb = fc.subarray(TAGS);
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  entryArb.map((entry) => ({ entry })),
  fc.constantFrom(...RESOURCES).map((resource) => ({ resource })),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("set" as const),
      at: entryArb,
      tags: tagsArb,
      ttl: fc.constantFrom(0, 5, 20),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("tag" as const), at: entryArb, tags: tagsArb }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant("depend" as const), at: entryArb, on: targetArb }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), at: entryArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("invalidateKey" as const), at: entryArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("invalidateTag" as const),
      tag: fc.constantFrom(...TAGS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("invalidateDependents" as const), on: targetArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("invalidateNamespace" as const),
      ns: fc.constantFrom(...NAMESPACES),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("advance" as const),
      ms: fc.constantFrom(1_000, 6_000, 21_000),
    }),
  },
);

const idOf = (e: Entry): string => entryId(e.key, e.ns);
const targetOf = (t: Target) =>
  "entry" in t ? { key: t.entry.key, namespace: t.entry.ns } : { resource: t.resource };
const targetIdOf = (t: Target): string => ("entry" in t ? idOf(t.entry) : "r" + t.resource);

async function runSequence(strategy: InvalidationStrategyName, ops: Op[]): Promise<void> {
  const clock = new FakeClock();
  const l2 = new MemoryStore({ maxSize: 1000, clock, sweepInterval: 0 });
  // A 4-entry L1 over 8 keys: evictions and promotions happen, and must not matter.
  const cache = new MultiLevelCache({ l1: { maxSize: 4, sweepInterval: 0 }, l2, clock });
  const invalidator = new CacheInvalidator({ cache, strategy });
  const model = new ReferenceModel();
  model.now = clock.now();
  let value = 0;
  try {
    for (const [step, op] of ops.entries()) {
      const where = `step ${step} ${JSON.stringify(op)}`;
      model.expire();
      switch (op.op) {
        case "set": {
          value++;
          const ttl = op.ttl === 0 ? undefined : op.ttl;
          await cache.set(op.at.key, value, { namespace: op.at.ns, tags: op.tags, ttl });
          model.set(idOf(op.at), value, op.tags, ttl === undefined ? 0 : model.now + ttl * 1000);
          break;
        }
        case "tag": {
          const entry = model.liveEntry(idOf(op.at));
          const done = await invalidator.tag(op.at.key, op.at.ns, op.tags);
          expect(done, where).toBe(entry !== undefined);
          if (entry !== undefined) {
            const tags = [...new Set([...entry.tags, ...op.tags])];
            model.set(idOf(op.at), entry.value, tags, entry.expiresAt);
          }
          break;
        }
        case "depend":
          await invalidator.addDependency(op.at.key, op.at.ns, targetOf(op.on));
          model.addEdge(idOf(op.at), targetIdOf(op.on));
          break;
        case "delete": {
          const id = idOf(op.at);
          expect(await cache.delete(op.at.key, { namespace: op.at.ns }), where).toBe(
            model.liveEntry(id) !== undefined,
          );
          model.entries.delete(id);
          if (strategy === "manual") model.gone(id);
          else if (model.nodes.has(id)) removeEntries(model, model.invalidate([id]));
          await invalidator.idle();
          break;
        }
        case "invalidateKey": {
          const removed = removeEntries(model, model.invalidate([idOf(op.at)]));
          expect(await invalidator.invalidateKey(op.at.key, op.at.ns), where).toBe(removed);
          break;
        }
        case "invalidateTag": {
          const roots = model.taggedNodes(op.tag);
          const reached = model.invalidate(roots);
          let removed = 0;
          for (const [id, entry] of model.entries) {
            if (model.isLive(entry) && entry.tags.includes(op.tag)) {
              model.entries.delete(id);
              removed++;
            }
          }
          removed += removeEntries(model, reached);
          expect(await invalidator.invalidateTag(op.tag), where).toBe(removed);
          break;
        }
        case "invalidateDependents": {
          const id = targetIdOf(op.on);
          const removed = removeEntries(model, model.invalidate(model.anyDependentsOf(id)));
          expect(await invalidator.invalidateDependents(targetOf(op.on)), where).toBe(removed);
          break;
        }
        case "invalidateNamespace": {
          const inNamespace = (id: string): boolean => id.startsWith(`k${op.ns.length}:${op.ns}:`);
          const reached = model.invalidate([...model.nodes.keys()].filter(inNamespace));
          for (const id of [...model.entries.keys()]) if (inNamespace(id)) model.entries.delete(id);
          removeEntries(model, reached);
          await invalidator.invalidateNamespace(op.ns);
          break;
        }
        case "advance":
          clock.advance(op.ms);
          model.now = clock.now();
          break;
      }
      model.expire();
      await compare(cache, invalidator, model, where);
    }
  } finally {
    await invalidator.close();
    await cache.close();
  }
}

/** Removes the live entries among `ids` from the model; returns how many. */
function removeEntries(model: ReferenceModel, ids: string[]): number {
  let removed = 0;
  for (const id of ids) {
    if (model.liveEntry(id) !== undefined) removed++;
    model.entries.delete(id);
  }
  return removed;
}

async function compare(
  cache: MultiLevelCache,
  invalidator: CacheInvalidator,
  model: ReferenceModel,
  where: string,
): Promise<void> {
  const actual: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  for (const ns of NAMESPACES) {
    for (const key of KEYS) {
      actual[`${ns}/${key}`] = await cache.get(key, { namespace: ns });
      expected[`${ns}/${key}`] = model.liveEntry(entryId(key, ns))?.value;
    }
  }
  const targets: Target[] = [
    ...RESOURCES.map((resource) => ({ resource })),
    ...NAMESPACES.flatMap((ns) => KEYS.map((key) => ({ entry: { key, ns } }))),
  ];
  for (const target of targets) {
    const id = targetIdOf(target);
    actual[`dependents of ${id}`] = (await invalidator.dependentsOf(targetOf(target)))
      .map(({ key, namespace }) => entryId(key, namespace))
      .sort();
    expected[`dependents of ${id}`] = model.dependentsOf(id);
  }
  actual.graph = invalidator.getStats().graph;
  expected.graph = { nodes: model.nodes.size, edges: model.edgeCount() };
  // One comparison per step: vitest's expect costs more than the whole step otherwise.
  if (!isDeepStrictEqual(actual, expected)) expect(actual, where).toEqual(expected);
}

describe("CacheInvalidator against a reference model", () => {
  for (const strategy of ["hybrid", "manual"] as const) {
    it(`${strategy}: tags and dependencies agree with the model in every step`, async () => {
      const parameters = propertyParameters(RUNS_PER_STRATEGY);
      console.log(
        `invalidation model (${strategy}): ${parameters.numRuns} runs, seed ${parameters.seed} (replay: VICTOR_SEED=${parameters.seed})`,
      );
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40, size: "max" }), (ops) =>
          runSequence(strategy, ops),
        ),
        parameters,
      );
    });
  }
});

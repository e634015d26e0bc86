/**
 * The model-based test of MultiLevelCache (model.test.ts runs it over a memory L2,
 * persistence.test.ts over LMDB): MultiLevelCache, under every write policy, must behave like one plain map with
 * TTLs and tags, whatever its tiers do underneath (a 3-entry L1 that evicts constantly, promotions,
 * demotions, background write-back batches, restarts). Each run replays random operations against
 * the cache and a reference model and compares every answer; after the run, L2 alone must hold
 * exactly the model's live entries (everything durable after close()).
 *
 * Replay a failure with VICTOR_SEED=<seed printed below>.
 */
import fc from "fast-check";
import { expect } from "vitest";
import type { MultiLevelCache } from "../../src/multilevel/index.js";
import type { CacheStore } from "../../src/stores/store.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { propertyParameters } from "../helpers/property.js";

export type Op =
  | { op: "set"; key: string; ns: string; value: number; ttl: number; tags: string[] }
  | { op: "get"; key: string; ns: string }
  | { op: "getOrSet"; key: string; ns: string; value: number; ttl: number }
  | { op: "getOrSetFailing"; key: string; ns: string }
  | { op: "has"; key: string; ns: string }
  | { op: "delete"; key: string; ns: string }
  | { op: "clear"; ns: string | undefined }
  | { op: "invalidateTag"; tag: string }
  | { op: "keys"; ns: string | undefined }
  | { op: "advance"; ms: number }
  | { op: "dropFromL1"; key: string; ns: string }
  | { op: "flush" }
  | { op: "reopen" };

const key = fc.constantFrom("a", "b", "c", "d", "e");
const ns = fc.constantFrom("n1", "n2");
const ttl = fc.constantFrom(0, 0, 1, 2, 5);

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("set" as const),
      key,
      ns,
      value: fc.nat(1000),
      ttl,
      tags: fc.subarray(["t1", "t2"]),
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("get" as const), key, ns }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("getOrSet" as const),
      key,
      ns,
      value: fc.nat(1000),
      ttl,
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("getOrSetFailing" as const), key, ns }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("has" as const), key, ns }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), key, ns }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("clear" as const),
      ns: fc.option(ns, { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("invalidateTag" as const),
      tag: fc.constantFrom("t1", "t2"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("keys" as const),
      ns: fc.option(ns, { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("advance" as const),
      ms: fc.constantFrom(500, 1000, 2500),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dropFromL1" as const), key, ns }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("flush" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reopen" as const) }) },
);

interface ModelEntry {
  value: number;
  /** End of the TTL; 0 = never. */
  freshUntil: number;
  /** freshUntil + grace: when the entry is gone. */
  expiresAt: number;
  tags: string[];
}

/** The reference: one map, TTLs, grace and tags, nothing else. */
export class Model {
  private readonly entries = new Map<string, ModelEntry>();
  constructor(
    private readonly clock: FakeClock,
    private readonly graceMs = 0,
  ) {}
  private id(key: string, namespace: string): string {
    return `${namespace}\0${key}`;
  }
  /** The entry while it exists (fresh or within grace). */
  private live(key: string, namespace: string): ModelEntry | undefined {
    const e = this.entries.get(this.id(key, namespace));
    return e !== undefined && (e.expiresAt === 0 || e.expiresAt > this.clock.now()) ? e : undefined;
  }
  get(key: string, namespace: string): number | undefined {
    const e = this.live(key, namespace);
    return e !== undefined && (e.freshUntil === 0 || e.freshUntil > this.clock.now())
      ? e.value
      : undefined;
  }
  /** What getOrSet with a failing loader gives: fresh, else stale within grace, else an error. */
  getOrStale(key: string, namespace: string): number | undefined {
    return this.live(key, namespace)?.value;
  }
  set(key: string, namespace: string, value: number, ttlSeconds: number, tags: string[]): void {
    const freshUntil = ttlSeconds > 0 ? this.clock.now() + ttlSeconds * 1000 : 0;
    const expiresAt = freshUntil === 0 ? 0 : freshUntil + this.graceMs;
    this.entries.set(this.id(key, namespace), { value, freshUntil, expiresAt, tags });
  }
  delete(key: string, namespace: string): boolean {
    const live = this.live(key, namespace) !== undefined;
    this.entries.delete(this.id(key, namespace));
    return live;
  }
  clear(namespace: string | undefined): void {
    for (const id of [...this.entries.keys()]) {
      if (namespace === undefined || id.startsWith(`${namespace}\0`)) this.entries.delete(id);
    }
  }
  invalidateTag(tag: string): void {
    for (const [id, e] of [...this.entries]) if (e.tags.includes(tag)) this.entries.delete(id);
  }
  /** Keys of existing entries, stale ones kept for grace included (as `keys()` documents). */
  keys(namespace: string | undefined): string[] {
    const out: string[] = [];
    for (const id of this.entries.keys()) {
      const [n, k] = id.split("\0");
      if ((namespace === undefined || n === namespace) && this.live(k, n) !== undefined)
        out.push(`${n}/${k}`);
    }
    return out.sort();
  }
}

export interface Harness {
  cache: MultiLevelCache;
  /** Closes the cache and opens a new one on the same L2 (a restart). */
  reopen(): Promise<void>;
  /** After the cache is closed: the L2 as it is durably stored, to check it alone. */
  durable(): Promise<CacheStore>;
}

/** Runs `ops` against the cache and the model; throws on the first divergence. */
export async function replay(
  ops: readonly Op[],
  harness: Harness,
  model: Model,
  clock: FakeClock,
): Promise<void> {
  for (const [i, o] of ops.entries()) {
    const { cache } = harness;
    const at = `op ${i} ${JSON.stringify(o)}`;
    switch (o.op) {
      case "set":
        await cache.set(o.key, o.value, { namespace: o.ns, ttl: o.ttl, tags: o.tags });
        model.set(o.key, o.ns, o.value, o.ttl, o.tags);
        break;
      case "get":
        expect(await cache.get(o.key, { namespace: o.ns }), at).toBe(model.get(o.key, o.ns));
        break;
      case "getOrSet": {
        const expected = model.get(o.key, o.ns) ?? o.value;
        if (model.get(o.key, o.ns) === undefined) model.set(o.key, o.ns, o.value, o.ttl, []);
        expect(
          await cache.getOrSet(o.key, async () => o.value, { namespace: o.ns, ttl: o.ttl }),
          at,
        ).toBe(expected);
        break;
      }
      case "getOrSetFailing": {
        const expected = model.getOrStale(o.key, o.ns);
        const failing = () => Promise.reject(new Error("loader down"));
        const got = await cache
          .getOrSet(o.key, failing, { namespace: o.ns })
          .catch((e: Error) => e.message);
        expect(got, at).toBe(expected ?? "loader down");
        break;
      }
      case "has":
        expect(await cache.has(o.key, { namespace: o.ns }), at).toBe(
          model.get(o.key, o.ns) !== undefined,
        );
        break;
      case "delete":
        expect(await cache.delete(o.key, { namespace: o.ns }), at).toBe(model.delete(o.key, o.ns));
        break;
      case "clear":
        await cache.clear(o.ns);
        model.clear(o.ns);
        break;
      case "invalidateTag":
        await cache.invalidateTag(o.tag);
        model.invalidateTag(o.tag);
        break;
      case "keys": {
        const listed: string[] = [];
        for await (const k of cache.keys(o.ns)) listed.push(`${k.namespace}/${k.key}`);
        expect(listed.sort(), at).toEqual(model.keys(o.ns));
        break;
      }
      case "advance":
        clock.advance(o.ms);
        break;
      case "dropFromL1":
        cache.l1.deleteSync(o.key, o.ns);
        break;
      case "flush":
        await cache.flush();
        break;
      case "reopen":
        await harness.reopen();
        break;
    }
  }
  // Everything is durable after close(): L2 alone holds exactly the model's live entries.
  await harness.cache.close();
  const l2 = await harness.durable();
  try {
    const inL2: string[] = [];
    for await (const k of l2.keys()) inL2.push(`${k.namespace}/${k.key}`);
    expect(inL2.sort(), "L2 after close").toEqual(model.keys(undefined));
    for (const id of model.keys(undefined)) {
      const [n, k] = id.split("/");
      expect((await l2.get(k, n))?.value, `L2 value of ${id}`).toBe(model.getOrStale(k, n));
    }
  } finally {
    await l2.close();
  }
}

/** fc.assert for an async property, with the seed printed up front and in the failure. */
export async function assertAsyncProperty<Ts>(
  label: string,
  property: fc.IAsyncProperty<Ts>,
  numRuns: number,
): Promise<void> {
  const parameters = propertyParameters(numRuns);
  console.log(
    `${label}: ${numRuns} runs, seed ${parameters.seed} (replay: VICTOR_SEED=${parameters.seed})`,
  );
  try {
    await fc.assert(property, parameters);
  } catch (error) {
    throw new Error(
      `${label}: property failed with seed ${parameters.seed}:\n${(error as Error).message}`,
      { cause: error },
    );
  }
}

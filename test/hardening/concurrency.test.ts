/**
 * Concurrency under a fast-check scheduler: the start of every call (where L1 is read and
 * written, synchronously), every L2 operation (issue and completion, separately) and every loader
 * are promises the scheduler releases in a random order. Under every write policy:
 *
 * - exactly one loader runs per key, however concurrent `getOrSet` and `get` calls interleave;
 * - a key deleted while its loader ran is never resurrected by that load: at the end, neither the
 *   cache nor L2 holds a value whose loader started before the key's last delete was called.
 *
 * Replay a failure with VICTOR_SEED=<seed printed by the run>.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MultiLevelCache, WritePolicy, type WritePolicyName } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "../../src/stores/store.js";
import { propertyParameters } from "../helpers/property.js";

const RUNS = Number(process.env.VICTOR_CONCURRENCY_RUNS ?? 150);
const KEYS = ["a", "b", "c"];

/**
 * A CacheStore whose answers come back in the scheduler's order. Operations take effect in the
 * order they are issued, as in LMDB's transaction queue and on a Redis connection: MultiLevelCache
 * relies on that (see RELIABILITY.md: with a store that also reorders the effects of one key's
 * operations, a load's write issued before a delete can land after it).
 */
class ScheduledStore implements CacheStore {
  readonly name = "scheduled";
  constructor(
    readonly inner: CacheStore,
    private readonly s: fc.Scheduler,
  ) {}
  private async step<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const result = await fn();
    return this.s.schedule(Promise.resolve(result), `l2.${label} answered`);
  }
  get(key: string, ns: string): Promise<StoreEntry | undefined> {
    return this.step(`get(${key})`, () => this.inner.get(key, ns));
  }
  set(key: string, ns: string, entry: StoreEntry): Promise<void> {
    return this.step(`set(${key}=${String(entry.value)})`, () => this.inner.set(key, ns, entry));
  }
  delete(key: string, ns: string): Promise<boolean> {
    return this.step(`delete(${key})`, () => this.inner.delete(key, ns));
  }
  has(key: string, ns: string): Promise<boolean> {
    return this.step(`has(${key})`, () => this.inner.has(key, ns));
  }
  clear(ns?: string): Promise<void> {
    return this.step("clear", () => this.inner.clear(ns));
  }
  getMany(keys: readonly string[], ns: string): Promise<(StoreEntry | undefined)[]> {
    return this.step(`getMany(${keys.join()})`, () => this.inner.getMany(keys, ns));
  }
  setMany(entries: readonly (readonly [string, StoreEntry])[], ns: string): Promise<void> {
    return this.step(`setMany(${entries.map(([k]) => k).join()})`, () =>
      this.inner.setMany(entries, ns),
    );
  }
  deleteTag(tag: string): Promise<number> {
    return this.step(`deleteTag(${tag})`, () => this.inner.deleteTag(tag));
  }
  async *keys(ns?: string): AsyncIterable<NamespacedKey> {
    const all = await this.step("keys", async () => {
      const out: NamespacedKey[] = [];
      for await (const k of this.inner.keys(ns)) out.push(k);
      return out;
    });
    yield* all;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function openCache(s: fc.Scheduler, policy: WritePolicyName) {
  const l2 = new MemoryStore({ maxSize: 100, sweepInterval: 0 });
  const cache = new MultiLevelCache({
    l1: { maxSize: 2, sweepInterval: 0 },
    l2: new ScheduledStore(l2, s),
    writePolicy: policy,
    // Batches of one: flushes start as soon as a write is queued, racing everything else.
    writeBack: { interval: "1h", batchSize: 1, maxQueue: 100 },
  });
  return { cache, l2 };
}

/** Runs `start` once the scheduler lets this call begin. */
function scheduledCall<T>(s: fc.Scheduler, label: string, start: () => Promise<T>): Promise<T> {
  return s.schedule(Promise.resolve(), label).then(start);
}

async function assertScheduled<Ts extends [unknown, ...unknown[]]>(
  label: string,
  property: fc.IAsyncPropertyWithHooks<Ts>,
): Promise<void> {
  const parameters = propertyParameters(RUNS);
  console.log(
    `${label}: ${RUNS} runs, seed ${parameters.seed} (replay: VICTOR_SEED=${parameters.seed})`,
  );
  await fc.assert(property, parameters);
}

type ReadOp = { op: "getOrSet" | "get"; key: string };
const readOps = fc.array(
  fc.record({
    op: fc.constantFrom("getOrSet" as const, "getOrSet" as const, "get" as const),
    key: fc.constantFrom(...KEYS),
  }),
  { minLength: 2, maxLength: 12 },
);

type RaceOp = { op: "getOrSet" | "delete" | "get"; key: string };
const raceOps = fc.array(
  fc.record({
    op: fc.constantFrom(
      "getOrSet" as const,
      "getOrSet" as const,
      "delete" as const,
      "get" as const,
    ),
    key: fc.constantFrom(...KEYS),
  }),
  { minLength: 2, maxLength: 14 },
);

describe.each(Object.values(WritePolicy))("concurrency under fc.scheduler, %s", (policy) => {
  it("runs exactly one loader per key, and every caller gets its value", async () => {
    await assertScheduled(
      `one loader per key (${policy})`,
      fc.asyncProperty(fc.scheduler(), readOps, async (s, ops: ReadOp[]) => {
        const { cache } = openCache(s, policy);
        const loads = new Map<string, number>();
        const results: { key: string; value: unknown }[] = [];
        const calls = ops.map((o, i) =>
          scheduledCall(s, `call ${i} ${o.op}(${o.key})`, async () => {
            if (o.op === "get") return void (await cache.get(o.key));
            const value = await cache.getOrSet(o.key, () => {
              loads.set(o.key, (loads.get(o.key) ?? 0) + 1);
              return s.schedule(
                Promise.resolve(`${o.key}#${loads.get(o.key)}`),
                `loader(${o.key})`,
              );
            });
            results.push({ key: o.key, value });
          }),
        );
        await s.waitFor(Promise.all(calls));
        for (const [key, count] of loads)
          expect(count, `loaders run for ${key}\n${String(s)}`).toBe(1);
        for (const { key, value } of results) expect(value, `getOrSet(${key})`).toBe(`${key}#1`);
        await s.waitFor(cache.close());
      }),
    );
  });

  it("never resurrects a key deleted while its loader ran", async () => {
    await assertScheduled(
      `no resurrection (${policy})`,
      fc.asyncProperty(fc.scheduler(), raceOps, async (s, ops: RaceOp[]) => {
        const { cache, l2 } = openCache(s, policy);
        let clock = 0;
        /** value -> the moment its loader started. */
        const loaderStarted = new Map<string, number>();
        /** key -> the moment its last delete was called. */
        const lastDelete = new Map<string, number>();
        let seq = 0;
        const calls = ops.map((o, i) =>
          scheduledCall(s, `call ${i} ${o.op}(${o.key})`, async () => {
            if (o.op === "get") return void (await cache.get(o.key));
            if (o.op === "delete") {
              lastDelete.set(o.key, ++clock);
              return void (await cache.delete(o.key));
            }
            await cache.getOrSet(o.key, () => {
              const value = `${o.key}#${++seq}`;
              loaderStarted.set(value, ++clock);
              return s.schedule(Promise.resolve(value), `loader(${value})`);
            });
          }),
        );
        await s.waitFor(Promise.all(calls));
        await s.waitFor(cache.flush());
        const allowed = (key: string, value: unknown): boolean =>
          value === undefined ||
          (loaderStarted.get(value as string) ?? -1) > (lastDelete.get(key) ?? 0);
        for (const key of KEYS) {
          const cached = await s.waitFor(cache.get(key));
          const stored = (await l2.get(key, "default"))?.value;
          const why = `${key}: cache ${String(cached)}, L2 ${String(stored)}, last delete at ${lastDelete.get(key)}, loaders ${JSON.stringify([...loaderStarted])}\n${String(s)}`;
          expect(allowed(key, cached), why).toBe(true);
          expect(allowed(key, stored), why).toBe(true);
        }
        await s.waitFor(cache.close());
      }),
    );
  });
});

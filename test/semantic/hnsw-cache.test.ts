import { describe, expect, it } from "vitest";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { ManualClock, user } from "./support.js";
import { tableOf } from "./table-embedder.js";

const N = 3000;

async function filled(
  embedder: ReturnType<typeof tableOf>,
  hnswThreshold: number,
  clock = new ManualClock(),
) {
  const cache = new SemanticCache<number>({
    embedder,
    hnswThreshold,
    similarityThreshold: 0.5,
    verifier: false,
    maxSize: 10_000,
    clock,
  });
  await cache.putMany(
    Array.from({ length: N }, (_, i) => ({ messages: user(`s${i}`), response: i })),
  );
  await cache.flush(); // the graph is built in the background
  return cache;
}

describe("SemanticCache: HNSW and flat partitions", () => {
  it("a partition past hnswThreshold becomes HNSW and agrees with the flat index (>= 99% of lookups)", async () => {
    const embedder = tableOf(48, N, 0.08);
    const flat = await filled(embedder, Infinity);
    const hnsw = await filled(embedder, 1000);
    expect(flat.getStats().partitions).toEqual({ flat: 1, hnsw: 0 });
    expect(hnsw.getStats().partitions).toEqual({ flat: 0, hnsw: 1 });
    const lookups = Array.from({ length: 1000 }, (_, i) => ({ messages: user(`q${(i * 7) % N}`) }));
    const [a, b] = await Promise.all([flat.getSimilarMany(lookups), hnsw.getSimilarMany(lookups)]);
    let agree = 0;
    a.forEach((hit, i) => {
      expect(hit).toBeDefined();
      if (hit?.response === b[i]?.response) agree++;
    });
    expect(agree / lookups.length).toBeGreaterThanOrEqual(0.99);
    // The flat index is exact: every near-duplicate finds its own original.
    expect(a.every((hit, i) => hit?.response === (i * 7) % N)).toBe(true);
  });

  it("deletions, TTL and maxSize apply to HNSW partitions", async () => {
    const clock = new ManualClock();
    const embedder = tableOf(32, N, 0.02, 3);
    const cache = await filled(embedder, 500, clock);
    for (let i = 0; i < 100; i++) expect(await cache.delete(user(`s${i}`))).toBe(true);
    const deleted = await cache.getSimilarMany(
      Array.from({ length: 100 }, (_, i) => ({ messages: user(`q${i}`) })),
    );
    expect(deleted.some((hit) => hit !== undefined && hit.response < 100)).toBe(false);

    const short = new SemanticCache<number>({
      embedder,
      hnswThreshold: 500,
      similarityThreshold: 0.5,
      verifier: false,
      maxSize: 1000,
      ttl: 10,
      clock,
    });
    await short.putMany(
      Array.from({ length: 1500 }, (_, i) => ({ messages: user(`s${i}`), response: i })),
    );
    await short.flush();
    expect(short.getStats()).toMatchObject({
      entries: 1000,
      evictions: 500,
      partitions: { flat: 0, hnsw: 1 },
    });
    const evicted = await short.getSimilarMany(
      Array.from({ length: 500 }, (_, i) => ({ messages: user(`q${i}`) })),
    );
    expect(evicted.some((hit) => hit !== undefined && hit.response < 500)).toBe(false);
    clock.advance(10_001);
    const expired = await short.getSimilarMany(
      Array.from({ length: 50 }, (_, i) => ({ messages: user(`q${1000 + i}`) })),
    );
    expect(expired.every((hit) => hit === undefined)).toBe(true);
  });

  it("answers exactly while the graph is built in the background, and keeps every change made meanwhile", async () => {
    const embedder = tableOf(32, 4000, 0.02, 5);
    const cache = new SemanticCache<number>({
      embedder,
      hnswThreshold: 1000,
      similarityThreshold: 0.9,
      verifier: false,
      maxSize: 10_000,
    });
    await cache.putMany(
      Array.from({ length: 2000 }, (_, i) => ({ messages: user(`s${i}`), response: i })),
    );
    // The build has started but cannot have finished: it moves 256 vectors per event-loop turn.
    expect(cache.getStats().partitions).toEqual({ flat: 1, hnsw: 0 });
    const during = await cache.getSimilarMany(
      Array.from({ length: 200 }, (_, i) => ({ messages: user(`q${i}`) })),
    );
    expect(during.every((hit, i) => hit?.response === i)).toBe(true);
    // Changes while building: new entries, deletions, a replaced answer.
    await cache.putMany(
      Array.from({ length: 1000 }, (_, k) => ({
        messages: user(`s${2000 + k}`),
        response: 2000 + k,
      })),
    );
    for (let i = 0; i < 50; i++) await cache.delete(user(`s${i}`));
    await cache.put(user("s100"), -100);
    await cache.flush();
    expect(cache.getStats().partitions).toEqual({ flat: 0, hnsw: 1 });
    expect(cache.getStats().indexedEntries).toBe(2950);
    const after = await cache.getSimilarMany(
      Array.from({ length: 3000 }, (_, i) => ({ messages: user(`q${i}`) })),
    );
    // HNSW is approximate: a lookup may miss, but at this threshold a miss is never a wrong hit.
    let right = 0;
    after.forEach((hit, i) => {
      if (i < 50) expect(hit).toBeUndefined();
      else if (i === 100) expect(hit?.response ?? -100).toBe(-100);
      else {
        expect(hit?.response ?? i).toBe(i);
        if (hit) right++;
      }
    });
    expect(right / 2949).toBeGreaterThanOrEqual(0.99);
    await cache.close();
  });
});

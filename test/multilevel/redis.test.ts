/**
 * MultiLevelCache over a real Redis: the L2 and bus built from config, L1 coherence between two
 * "processes" (two caches with their own L1s), and a loader that runs once across both with
 * `distributedLock`.
 */
import { afterEach, expect, it } from "vitest";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { describeWithRedis, sleep, uniquePrefix } from "../helpers/redis-harness.js";

describeWithRedis("MultiLevelCache over Redis", (redis) => {
  const open: MultiLevelCache[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((cache) => cache.close()));
  });

  /** Two caches sharing one Redis L2, one bus channel and one lock prefix. */
  function twoProcesses(): [MultiLevelCache, MultiLevelCache] {
    const prefix = uniquePrefix("ml");
    const make = () =>
      new MultiLevelCache({
        l1: { maxSize: 100 },
        l2: { type: "redis", url: redis().url, prefix },
        bus: { type: "redis", url: redis().url, channel: `${prefix}bus` },
        distributedLock: { url: redis().url, prefix: `${prefix}lock:`, channel: `${prefix}lock` },
      });
    const pair: [MultiLevelCache, MultiLevelCache] = [make(), make()];
    open.push(...pair);
    return pair;
  }

  /** Waits (bounded) until `check` holds: bus delivery is asynchronous. */
  async function eventually(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await sleep(10);
    }
    throw new Error("condition not reached within 2 s");
  }

  it("reads and writes through a Redis L2 built from config, with namespaces, TTL and tags", async () => {
    const [a] = twoProcesses();
    await a.set("k", { answer: 42 }, { namespace: "tool", ttl: 60, tags: ["git"] });
    a.l1.deleteSync("k", "tool");
    expect(await a.get("k", { namespace: "tool" })).toEqual({ answer: 42 });
    expect(a.getStats().promotions).toBe(1);
    expect(await a.invalidateTag("git")).toBe(1);
    expect(await a.get("k", { namespace: "tool" })).toBeUndefined();
  });

  it("keeps the other process's L1 coherent through the Redis bus", async () => {
    const [a, b] = twoProcesses();
    // B's subscriber must be listening before the test starts: wait until A's sets reach it.
    let n = 0;
    await a.set("probe", n);
    await eventually(async () => {
      await b.get("probe"); // B's L1 now holds the probe...
      await a.set("probe", ++n);
      await sleep(20);
      return b.l1.peek("probe", "default") === -1; // ...until A's invalidation arrives
    });
    await a.set("k", "v1");
    expect(await b.get("k")).toBe("v1");
    await a.set("k", "v2");
    await eventually(async () => (await b.get("k")) === "v2");
    await a.delete("k");
    await eventually(async () => (await b.get("k")) === undefined);
  });

  it("distributedLock: concurrent getOrSet in two processes runs the loader once", async () => {
    const [a, b] = twoProcesses();
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(100);
      return "loaded once";
    };
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => a.getOrSet("shared", loader, { distributedLock: true })),
      ...Array.from({ length: 20 }, () => b.getOrSet("shared", loader, { distributedLock: true })),
    ]);
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(["loaded once"]));
  });
});

import { loadWithLock, type RedisLock } from "../../src/stores/redis-lock.js";
import type { RedisStore } from "../../src/stores/redis.js";
import { sleep } from "./redis-harness.js";

/**
 * A cold-key stampede: `callers` concurrent `loadWithLock` calls for key "k" of namespace "ns",
 * spread over `locks` (one per client), each reading `store` and, when it wins the lock, loading
 * `value` slowly (50 ms) into it. Returns how many loads ran and what each caller got.
 */
export async function lockStampede(
  store: RedisStore,
  locks: readonly RedisLock[],
  value: string,
  callers = 300,
): Promise<{ runs: number; results: { value: string; loaded: boolean }[] }> {
  let runs = 0;
  const read = async () => (await store.get("k", "ns"))?.value as string | undefined;
  const load = async () => {
    runs++;
    await sleep(50);
    await store.set("k", "ns", { value, expiresAt: 0 });
    return value;
  };
  const results = await Promise.all(
    Array.from({ length: callers }, (_, i) =>
      loadWithLock({
        lock: locks[i % locks.length],
        name: "ns:k",
        ttlMs: 10_000,
        waitMs: 30_000,
        read,
        load,
      }),
    ),
  );
  return { runs, results };
}

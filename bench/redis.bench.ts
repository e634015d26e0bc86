/**
 * Redis tier: RedisStore get and set at 100 concurrent callers beside raw node-redis GET and SET
 * of the same values on the same server, in the same run. The baseline is what a hand-written
 * cache does with node-redis: SET JSON.stringify(value), JSON.parse(GET). The bytes-only rows
 * (a pre-encoded string, no decode) show the transport alone, which no store that keeps values can
 * match. The store's extra work: key layout, msgpack with its checks, the record header, the
 * expiry check, the per-command timeout. Target: >= 0.7x the baseline.
 *
 * Starts its own redis-server (nothing persisted) when the binary exists; else uses REDIS_URL.
 */
import { createClient } from "redis";
import { RedisStore } from "../src/stores/redis.js";
import {
  hasRedisBinary,
  startOwnedRedis,
  type OwnedRedisServer,
} from "../test/helpers/redis-server.js";
import { compareAsync, printRatios, sampleValue } from "./harness.js";

const KEYS = 1000;
const OPS_PER_ROUND = 20_000;
const CONCURRENCY = 100;

export default async function redisBench(): Promise<void> {
  let server: OwnedRedisServer | undefined;
  let url = process.env.REDIS_URL;
  if (hasRedisBinary()) {
    server = await startOwnedRedis();
    url = server.url;
  }
  if (!url) {
    console.log("\n## Redis tier\n\nskipped: no redis-server binary and REDIS_URL is not set\n");
    return;
  }
  const raw = createClient({ url });
  await raw.connect();
  const store = new RedisStore({ url, prefix: "victor-bench:" });
  try {
    const rawKeys = Array.from({ length: KEYS }, (_, i) => `victor-bench-raw:${i}`);
    const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
    const rawValues = Array.from({ length: KEYS }, (_, i) => JSON.stringify(sampleValue(i)));
    const values = Array.from({ length: KEYS }, (_, i) => sampleValue(i));
    for (let i = 0; i < KEYS; i++) {
      await raw.set(rawKeys[i], rawValues[i]);
      await store.set(keys[i], "bench", { value: values[i], expiresAt: 0 });
    }
    const gets = await compareAsync(
      [
        {
          name: "node-redis GET + JSON.parse",
          op: async (i) => JSON.parse((await raw.get(rawKeys[i % KEYS]))!),
        },
        { name: "node-redis GET, bytes only", op: (i) => raw.get(rawKeys[i % KEYS]) },
        { name: "RedisStore.get", op: (i) => store.get(keys[i % KEYS], "bench") },
      ],
      OPS_PER_ROUND,
      CONCURRENCY,
    );
    printRatios(
      `Redis tier: get, ${CONCURRENCY} concurrent callers`,
      gets,
      "node-redis GET + JSON.parse",
    );
    const sets = await compareAsync(
      [
        {
          name: "node-redis SET + JSON.stringify",
          op: (i) => raw.set(rawKeys[i % KEYS], JSON.stringify(values[i % KEYS])),
        },
        {
          name: "node-redis SET, pre-encoded",
          op: (i) => raw.set(rawKeys[i % KEYS], rawValues[i % KEYS]),
        },
        {
          name: "RedisStore.set",
          op: (i) => store.set(keys[i % KEYS], "bench", { value: values[i % KEYS], expiresAt: 0 }),
        },
      ],
      OPS_PER_ROUND,
      CONCURRENCY,
    );
    printRatios(
      `Redis tier: set, ${CONCURRENCY} concurrent callers`,
      sets,
      "node-redis SET + JSON.stringify",
    );
  } finally {
    await store.clear();
    await store.close();
    await raw.del(Array.from({ length: KEYS }, (_, i) => `victor-bench-raw:${i}`));
    raw.destroy();
    await server?.stop();
  }
}

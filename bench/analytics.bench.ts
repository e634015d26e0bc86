/**
 * What analytics costs on the hot path: `MultiLevelCache.get` hitting L1 (Zipf 0.99 over 10,000
 * keys), with CacheAnalytics attached vs not, measured in the same run with interleaved rounds.
 * Goal: "analytics on" at >= 0.8x of "analytics off".
 *
 * Extra rows show where the cost goes: an empty `access` listener (the cache then fills the
 * reused payload and calls the listener on every read, and times one read in
 * `latencySampleEvery`: the floor no listener goes below), counters only, and the full analytics
 * without one of its two sketches (hot keys, miss-ratio curve).
 * A second table gives the same comparison in CPU time per read, which a busy shared machine
 * distorts far less than wall-clock time.
 */
import { CacheAnalytics } from "../src/analytics/cache-analytics.js";
import type { CacheAnalyticsOptions } from "../src/analytics/types.js";
import { MultiLevelCache } from "../src/multilevel/multilevel-cache.js";
import { compareAsync, printRatios, zipfKeys, type Measurement } from "./harness.js";

const SIZE = 10_000;
const OPS = 200_000;
const CPU_ROUNDS = 7;

type Variant = { name: string; attach: (cache: MultiLevelCache) => CacheAnalytics | undefined };

const analytics =
  (options: Omit<CacheAnalyticsOptions, "cache">) =>
  (cache: MultiLevelCache): CacheAnalytics =>
    new CacheAnalytics({ cache, ...options });

const VARIANTS: Variant[] = [
  { name: "analytics off", attach: () => undefined },
  {
    name: "empty access listener",
    attach: (cache) => {
      cache.events.on("access", () => undefined);
      return undefined;
    },
  },
  { name: "analytics on", attach: analytics({}) },
  { name: "analytics on, no hot keys", attach: analytics({ trackHotKeys: false }) },
  { name: "analytics on, no MRC", attach: analytics({ trackMissRatioCurve: false }) },
  {
    name: "analytics on, counters only",
    attach: analytics({ trackHotKeys: false, trackMissRatioCurve: false }),
  },
];

/** CPU time per operation (µs of user + system per op), interleaved like the harness, median. */
async function cpuTime(
  subjects: { name: string; op: (i: number) => Promise<unknown> }[],
): Promise<Measurement[]> {
  const samples = subjects.map(() => [] as number[]);
  for (let round = 0; round <= CPU_ROUNDS; round++) {
    for (let k = 0; k < subjects.length; k++) {
      const start = process.cpuUsage();
      for (let i = 0; i < OPS; i++) await subjects[k].op(i);
      const used = process.cpuUsage(start);
      if (round > 0) samples[k].push((OPS * 1e6) / (used.user + used.system));
    }
  }
  return subjects.map((s, k) => ({
    name: s.name,
    opsPerSec: samples[k].sort((a, b) => a - b)[samples[k].length >> 1],
  }));
}

export default async function (): Promise<void> {
  const keys = Array.from({ length: SIZE }, (_, i) => `tool:read_file:/repo/src/module-${i}.ts`);
  const trace = zipfKeys(SIZE, 1 << 16);
  const mask = trace.length - 1;
  const caches: MultiLevelCache[] = [];
  const attached: CacheAnalytics[] = [];
  const subjects = [];
  for (const variant of VARIANTS) {
    const cache = new MultiLevelCache({ l1: { maxSize: SIZE } });
    for (const key of keys) await cache.set(key, { ok: true, bytes: key.length });
    const a = variant.attach(cache);
    if (a) attached.push(a);
    caches.push(cache);
    subjects.push({ name: variant.name, op: (i: number) => cache.get(keys[trace[i & mask]]) });
  }
  printRatios(
    "Analytics overhead: MultiLevelCache.get, L1 hit (wall clock)",
    await compareAsync(subjects, OPS),
    "analytics off",
  );
  printRatios(
    "Analytics overhead: MultiLevelCache.get, L1 hit (CPU time, ops per CPU-second)",
    await cpuTime(subjects),
    "analytics off",
  );
  for (const a of attached) await a.close();
  for (const c of caches) await c.close();
}

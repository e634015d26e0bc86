/**
 * Warming payoff: replays real traces through a MultiLevelCache over a real LMDB L2 with a restart
 * (a fresh L1 over the same L2) halfway through, and reports the L1 hit rate over the first 10 % of
 * the second half: cold (the peer) and after one warming run of each strategy, against the
 * steady-state L1 hit rate over the 10 % just before the restart. Every variant restarts from a
 * copy of the same LMDB folder. Fake time: 10 ms per request.
 *
 * First, what recording costs on the hot path: an L1-hit `get` (Zipf 0.99 over 10,000 keys) with a
 * warmer attached, against no warmer and against an empty `access` listener (the floor: with any
 * listener the cache times each read), interleaved in the same run.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../src/core/clock.js";
import { DEFAULT_EVICTION_POLICY } from "../src/eviction/policy.js";
import { loadTrace } from "../src/eviction/trace.js";
import { MultiLevelCache } from "../src/multilevel/multilevel-cache.js";
import { LmdbStore } from "../src/stores/lmdb.js";
import { CacheWarmer } from "../src/warming/index.js";
import { tracePath } from "../test/helpers/traces.js";
import { replayWithRestart, type ReplayVariant } from "../test/helpers/warming-replay.js";
import { compareAsync, printRatios, zipfKeys } from "./harness.js";

const CASES = [
  { trace: "cache2k-web12", l1MaxSize: 8000, requests: 0 },
  { trace: "cache2k-web07", l1MaxSize: 4000, requests: 0 },
  // The first 200,000 requests of arc-OLTP (all 914k take minutes of LMDB writes).
  { trace: "arc-OLTP", l1MaxSize: 10_000, requests: 200_000 },
  // Loops larger than L1 mixed with hot keys: recency misleads here.
  { trace: "lirs-multi3", l1MaxSize: 3000, requests: 0 },
];
const VARIANTS: ReplayVariant[] = [
  "no_restart",
  "cold",
  "frequency",
  "recency",
  "hybrid",
  "time_based",
  "user_specific",
];

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

export async function recordingCost(): Promise<void> {
  const SIZE = 10_000;
  const keys = Array.from(zipfKeys(SIZE, 200_000), (id) => `k${id}`);
  const warmers: CacheWarmer[] = [];
  const make = async (name: string, attach: (cache: MultiLevelCache) => void) => {
    const cache = new MultiLevelCache({ l1: { maxSize: SIZE } });
    for (let i = 0; i < SIZE; i++) await cache.set(`k${i}`, i);
    attach(cache);
    return { name, op: (i: number) => cache.get(keys[i % keys.length]) };
  };
  const subjects = [
    await make("no warmer", () => undefined),
    await make("empty access listener", (cache) => cache.events.on("access", () => undefined)),
    await make("warmer recording", (cache) =>
      warmers.push(new CacheWarmer({ cache, persist: false })),
    ),
    await make("warmer recording, with a user", (cache) =>
      warmers.push(new CacheWarmer({ cache, persist: false, context: () => "alice" })),
    ),
  ];
  printRatios(
    "Warming: recording cost on an L1-hit get (wall clock)",
    await compareAsync(subjects, 200_000),
    "no warmer",
  );
  // CPU time per read, interleaved, median of 7: far less distorted by a busy shared machine.
  const samples = subjects.map(() => [] as number[]);
  for (let round = 0; round < 7; round++) {
    for (let k = 0; k < subjects.length; k++) {
      const before = process.cpuUsage();
      for (let i = 0; i < 200_000; i++) await subjects[k].op(i);
      const used = process.cpuUsage(before);
      samples[k].push(((used.user + used.system) * 1000) / 200_000);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const base = median(samples[0]);
  console.log(`\n| subject | CPU ns per get | ratio vs no warmer |\n|---|---:|---:|`);
  subjects.forEach((s, k) => {
    const ns = median(samples[k]);
    console.log(`| ${s.name} | ${ns.toFixed(0)} | ${(ns / base).toFixed(2)}x |`);
  });
  for (const w of warmers) await w.close();
}

export default async function (): Promise<void> {
  await recordingCost();
  console.log(`\n## Warming payoff (\`npx tsx bench/run.ts warming\`)\n`);
  console.log(
    `L1 ${DEFAULT_EVICTION_POLICY}, L2 LMDB; restart halfway; hit rate = L1 hits over the first 10 % ` +
      `of the second half; steady = L1 hit rate over the 10 % before the restart; uninterrupted = the ` +
      `same window without a restart.\n`,
  );
  console.log(
    `| trace | L1 | variant | L1 hit rate | of steady state | of uninterrupted | vs cold | warmed | warm run |`,
  );
  console.log(`|---|---:|---|---:|---:|---:|---:|---:|---:|`);
  for (const { trace: name, l1MaxSize, requests } of CASES) {
    const full = await loadTrace(tracePath(name));
    const trace = requests > 0 ? full.subarray(0, requests) : full;
    const root = mkdtempSync(join(tmpdir(), "victor-warming-bench-"));
    let copies = 0;
    try {
      const result = await replayWithRestart({
        trace,
        l1MaxSize,
        firstL2: async (clock: Clock) => new LmdbStore({ path: join(root, "first"), clock }),
        restartL2: async (clock: Clock) => {
          const path = join(root, `restart-${copies++}`);
          cpSync(join(root, "first"), path, { recursive: true });
          return new LmdbStore({ path, clock });
        },
        variants: VARIANTS,
      });
      const cold = result.variants.find((v) => v.variant === "cold")!;
      const ceiling = result.variants.find((v) => v.variant === "no_restart")!;
      console.log(
        `| ${name} (${result.requests.toLocaleString("en-US")} req.) | ${l1MaxSize} ` +
          `| steady state (before the restart) | ${pct(result.steadyHitRate)} | 100 % | | | | |`,
      );
      for (const v of result.variants) {
        const label = v.variant === "no_restart" ? "no restart (uninterrupted)" : v.variant;
        const vsCold = cold.hitRate > 0 ? `${(v.hitRate / cold.hitRate).toFixed(2)}x` : "n/a";
        const ofCeiling = ceiling.hitRate > 0 ? pct(v.hitRate / ceiling.hitRate) : "n/a";
        const warmRun =
          v.variant === "cold" || v.variant === "no_restart" ? "" : `${v.warmMs.toFixed(0)} ms`;
        console.log(
          `| ${name} | ${l1MaxSize} | ${label} | ${pct(v.hitRate)} | ${pct(v.recovered)} ` +
            `| ${ofCeiling} | ${vsCold} | ${v.warmed} | ${warmRun} |`,
        );
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}

/**
 * Warming payoff: replays real traces through a MultiLevelCache over a real LMDB L2 with a restart
 * (a fresh L1 over the same L2) halfway through, and reports the L1 hit rate over the first 10 % of
 * the second half: cold (the peer) and after one warming run of each strategy, against the
 * steady-state L1 hit rate over the 10 % just before the restart. Every variant restarts from a
 * copy of the same LMDB folder. Fake time: 10 ms per request.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../src/core/clock.js";
import { DEFAULT_EVICTION_POLICY } from "../src/eviction/policy.js";
import { loadTrace } from "../src/eviction/trace.js";
import { LmdbStore } from "../src/stores/lmdb.js";
import { tracePath } from "../test/helpers/traces.js";
import { replayWithRestart, type ReplayVariant } from "../test/helpers/warming-replay.js";

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

export default async function (): Promise<void> {
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

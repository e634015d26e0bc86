/**
 * Replays a cache trace through a MultiLevelCache with a restart halfway through, to measure what
 * warming buys: the L1 hit rate over the first requests after the restart, cold and after one
 * warming run of each strategy, against the steady-state L1 hit rate just before the restart.
 * Shared by test/warming/trace-payoff.test.ts and bench/warming.bench.ts.
 */
import type { Clock } from "../../src/core/clock.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import type { EvictionPolicyName } from "../../src/eviction/policy.js";
import type { CacheStore } from "../../src/stores/store.js";
import { CacheWarmer, type WarmingStrategyName } from "../../src/warming/index.js";
import { FakeClock } from "./fake-clock.js";

/**
 * A warming strategy; `cold`: the restarted L1 starts empty; `no_restart`: the reference an
 * uninterrupted process would have reached (L1 rebuilt by replaying the first half again, which
 * leaves the same L1 state: an L1 miss then fills L1 from L2 instead of from a `set`).
 */
export type ReplayVariant = WarmingStrategyName | "cold" | "no_restart";

export interface ReplayOptions {
  trace: Uint32Array;
  l1MaxSize: number;
  /** L1 policy of both processes. @default the cache's default */
  evictionPolicy?: EvictionPolicyName;
  /** The L2 of the first process, on the replay's clock; it is closed when that process ends. */
  firstL2: (clock: Clock) => Promise<CacheStore>;
  /**
   * An L2 holding what the first process left, for one restarted process (a copy, so that every
   * variant starts from the same state); closed when that process ends.
   */
  restartL2: (clock: Clock) => Promise<CacheStore>;
  variants: readonly ReplayVariant[];
  /** Share of the second half measured after the restart (and before it, for the steady state). */
  windowShare?: number;
  /** Fake time per request, ms. */
  stepMs?: number;
}

export interface VariantResult {
  variant: ReplayVariant;
  /** L1 hits / requests over the window after the restart. */
  hitRate: number;
  /** hitRate / steady-state hit rate. */
  recovered: number;
  /** Entries the warming run put into L1. */
  warmed: number;
  /** L1 hits on warmed entries within the window. */
  warmedHits: number;
  /** Real time the warming run took, ms. */
  warmMs: number;
}

export interface ReplayResult {
  requests: number;
  window: number;
  steadyHitRate: number;
  variants: VariantResult[];
}

const START = Date.UTC(2024, 0, 15, 9);
const valueOf = (id: number): string => `value-${id}`;

/** Replays `trace[from, to)`; returns the L1 hits among them. */
async function replay(
  cache: MultiLevelCache,
  clock: FakeClock,
  trace: Uint32Array,
  from: number,
  to: number,
  stepMs: number,
): Promise<number> {
  const before = cache.getStats().l1.hits;
  for (let i = from; i < to; i++) {
    const id = trace[i];
    const key = `k${id}`;
    if ((await cache.get(key)) === undefined) await cache.set(key, valueOf(id));
    clock.advance(stepMs);
  }
  return cache.getStats().l1.hits - before;
}

export async function replayWithRestart(options: ReplayOptions): Promise<ReplayResult> {
  const { trace, l1MaxSize, evictionPolicy, variants } = options;
  const stepMs = options.stepMs ?? 10;
  const half = Math.floor(trace.length / 2);
  const window = Math.floor((trace.length - half) * (options.windowShare ?? 0.1));
  const l1 = { maxSize: l1MaxSize, sweepInterval: 0, ...(evictionPolicy && { evictionPolicy }) };
  const warmerOptions = { timezoneOffset: 0, preloadCount: l1MaxSize, maxKeys: 200_000 };

  // The first process: learns while serving the first half, saves its log at the end.
  const clock = new FakeClock(START);
  const firstL2 = await options.firstL2(clock);
  const first = new MultiLevelCache({ l1, l2: firstL2, clock });
  const learner = new CacheWarmer({ cache: first, ...warmerOptions });
  await replay(first, clock, trace, 0, half - window, stepMs);
  const steadyHits = await replay(first, clock, trace, half - window, half, stepMs);
  await learner.close();
  await first.close();
  await firstL2.close();
  const restartAt = clock.now();

  const results: VariantResult[] = [];
  for (const variant of variants) {
    const clock2 = new FakeClock(variant === "no_restart" ? START : restartAt);
    const l2 = await options.restartL2(clock2);
    const cache = new MultiLevelCache({ l1, l2, clock: clock2 });
    let warmed = 0;
    let warmMs = 0;
    let warmer: CacheWarmer | undefined;
    if (variant === "no_restart") {
      await replay(cache, clock2, trace, 0, half, stepMs);
    } else if (variant !== "cold") {
      warmer = new CacheWarmer({ cache, strategy: variant, ...warmerOptions });
      const started = performance.now();
      const result = await warmer.warm(); // loads the saved access log first
      warmMs = performance.now() - started;
      warmed = result.fromL2 + result.fromLoader;
    }
    const hits = await replay(cache, clock2, trace, half, half + window, stepMs);
    results.push({
      variant,
      hitRate: hits / window,
      recovered: 0,
      warmed,
      warmedHits: warmer?.getStats().warmedHits ?? 0,
      warmMs,
    });
    await warmer?.close();
    await cache.close();
    await l2.close();
  }
  const steadyHitRate = steadyHits / window;
  for (const r of results) r.recovered = steadyHitRate > 0 ? r.hitRate / steadyHitRate : 0;
  return { requests: trace.length, window, steadyHitRate, variants: results };
}

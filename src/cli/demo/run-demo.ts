/**
 * The demo: a coding agent's day through the whole system, built from the default configuration
 * and embedded (LMDB in a temp folder, the offline hashing embedder, no server, no network).
 * Session 1 starts cold; the agent then restarts (files change meanwhile, as after a `git pull`)
 * and session 2 starts from the persistent L2, the rebuilt semantic index and a warming run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../config/load.js";
import { createCacheSystem, type CacheSystem } from "../../config/system.js";
import type { CacheSystemConfig } from "../../config/types.js";
import { LATENCY_MS, PRICING, SimulatedBackend } from "./backend.js";
import { builtInTopics, type QuestionTopic } from "./questions.js";
import { quantile, Tally, type DemoResult } from "./results.js";
import { newCounters, replaySession, type SessionContext } from "./session.js";
import { planWorkload } from "./workload.js";
import { Workspace } from "./workspace.js";

export interface DemoOptions {
  /** @default 42 */
  seed?: number;
  /** @default 4 */
  users?: number;
  /** Multiplies the number of requests. @default 1 */
  scale?: number;
  /** @default the built-in coding questions */
  topics?: QuestionTopic[];
  /** Serve the dashboard while the demo runs. */
  serve?: { port: number; host?: string };
  /** Real time between steps, ms (lets a person watch the dashboard). @default 0 */
  paceMs?: number;
  /** Keep the temp folder (workspace and LMDB) instead of deleting it. @default false */
  keepData?: boolean;
  /** Called after each step with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Called once the dashboard listens. */
  onDashboard?: (url: string) => void;
  /**
   * Called with the results while the last session's system is still open (the dashboard still
   * serving); the demo closes everything when it resolves.
   */
  beforeClose?: (result: DemoResult) => Promise<void>;
}

/** Requests per user in each session, before scaling. */
const STEPS_PER_USER: readonly [number, number] = [240, 240];

/** The default configuration, with the L2 in the demo's temp folder (and the dashboard if asked). */
export function demoConfig(dataDir: string, serve: DemoOptions["serve"]): CacheSystemConfig {
  const config = defaultConfig();
  config.multiLevel.l2 = {
    ...config.multiLevel.l2!,
    type: "file",
    path: join(dataDir, "cache_l2.lmdb"),
  };
  if (serve && config.analytics)
    config.analytics.dashboard = { port: serve.port, host: serve.host ?? "127.0.0.1" };
  return config;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const seed = options.seed ?? 42;
  const scale = options.scale ?? 1;
  const topics = options.topics ?? builtInTopics();
  const dataDir = mkdtempSync(join(tmpdir(), "victor-cache-demo-"));
  const workspace = new Workspace(join(dataDir, "workspace"));
  workspace.create();
  const plan = planWorkload({
    seed,
    users: options.users ?? 4,
    stepsPerUser: [
      Math.max(1, Math.round(STEPS_PER_USER[0] * scale)),
      Math.max(1, Math.round(STEPS_PER_USER[1] * scale)),
    ],
    topics,
    files: workspace.files,
    symbols: workspace.symbols(),
  });
  const total = plan.sessions.reduce((n, s) => n + s.length, 0);
  const tally = new Tally();
  const counters = newCounters();
  const backend = new SimulatedBackend(seed);
  let serve = options.serve;
  let done = 0;
  const started = performance.now();
  let system: CacheSystem | undefined;
  try {
    for (let s = 0; s < plan.sessions.length; s++) {
      if (s > 0) {
        await system!.close();
        // Between sessions, files change while no agent watches (a `git pull`).
        for (const file of plan.offlineEdits) {
          workspace.edit(file);
          counters.edits.offline++;
          counters.editedFiles.add(file);
        }
      }
      const config = demoConfig(dataDir, serve);
      system = createCacheSystem(config);
      // start(): the semantic index is rebuilt from L2, the dependency graph loaded and checked
      // against the files (the offline edits are found here), background warming starts.
      await system.start();
      if (system.dashboard) {
        options.onDashboard?.(system.dashboard.url);
        serve = { ...serve!, port: Number(new URL(system.dashboard.url).port) };
      }
      await system.invalidator!.watchFiles(workspace.root);
      if (s > 0) await system.warmer?.warm();
      const ctx: SessionContext = {
        system,
        workspace,
        topics,
        backend,
        tally,
        counters,
        paceMs: options.paceMs ?? 0,
        onStep: () => options.onProgress?.(++done, total),
      };
      await replaySession(ctx, plan.sessions[s]);
    }
    const result = summarise(system!, tally, counters, backend, {
      seed,
      users: plan.users,
      sessions: plan.sessions.length,
      durationMs: performance.now() - started,
      l2Path: join(dataDir, "cache_l2.lmdb"),
    });
    await options.beforeClose?.(result);
    return result;
  } finally {
    await system?.close();
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
}

function summarise(
  system: CacheSystem,
  tally: Tally,
  counters: ReturnType<typeof newCounters>,
  backend: SimulatedBackend,
  run: { seed: number; users: string[]; sessions: number; durationMs: number; l2Path: string },
): DemoResult {
  const t = tally.total;
  const hits = tally.sources;
  const requests = t.requests;
  const share = (n: number) => (requests === 0 ? 0 : n / requests);
  const allHits = requests - hits.miss;
  const stats = system.analytics?.getComprehensiveStats();
  const warming = system.warmer?.getStats();
  const withoutAvg = requests === 0 ? 0 : t.latencyWithout / requests;
  const withAvg = requests === 0 ? 0 : t.latencyWith / requests;
  const times = tally.cacheTimes;
  return {
    seed: run.seed,
    users: run.users,
    sessions: run.sessions,
    requests,
    durationMs: run.durationMs,
    setup: {
      l2Path: run.l2Path,
      embedder: "offline hashing",
      similarityThreshold: system.config.semantic?.similarityThreshold ?? 0,
      config: "default (the L2 in a temp folder)",
    },
    latency: {
      withoutCacheAvgMs: withoutAvg,
      withCacheAvgMs: withAvg,
      reductionPct: withoutAvg === 0 ? 0 : (100 * (withoutAvg - withAvg)) / withoutAvg,
      cacheTime: {
        avgMs: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
        p50Ms: quantile(times, 0.5),
        p95Ms: quantile(times, 0.95),
        p99Ms: quantile(times, 0.99),
      },
      modelledBackendMs: { ...LATENCY_MS },
    },
    calls: { withoutCache: requests, withCache: backend.calls, avoided: requests - backend.calls },
    cost: {
      withoutCacheUsd: t.costWithout,
      withCacheUsd: t.costWith,
      savedUsd: t.costWithout - t.costWith,
      avoidedCallsCostUsd: t.avoidedCost,
      pricing: {
        inputPerMillionUsd: PRICING.inputPerMillion,
        outputPerMillionUsd: PRICING.outputPerMillion,
      },
    },
    hits: { ...hits },
    hitRate: {
      combined: share(allHits),
      l1: share(hits.l1),
      l2: share(hits.l2),
      semanticExact: share(hits.semanticExact),
      semanticSimilar: share(hits.semanticSimilar),
    },
    byKind: {
      llm: tally.kindReport("llm", counters.backendCalls.llm),
      tool: tally.kindReport("tool", counters.backendCalls.tool),
      analysis: tally.kindReport("analysis", counters.backendCalls.analysis),
    },
    semantic: {
      lookups: tally.kinds.llm.requests,
      paraphrasedAsks: counters.paraphrasedAsks,
      paraphraseHits: counters.paraphraseHits,
      similarShareOfHits: allHits === 0 ? 0 : hits.semanticSimilar / allHits,
      wrongAnswers: counters.wrongAnswers,
    },
    freshness: {
      edits: { ...counters.edits },
      watcherFallbacks: counters.watcherFallbacks,
      answersChecked: counters.answersChecked,
      answersAfterEdits: counters.answersAfterEdits,
      staleAnswers: counters.staleAnswers,
    },
    warming: {
      warmedFromL2: warming?.warmedFromL2 ?? 0,
      warmedFromLoader: warming?.warmedFromLoader ?? 0,
      warmedHits: warming?.warmedHits ?? 0,
      runs: warming?.runs ?? 0,
    },
    hotKeys: stats?.hotKeys ?? [],
    recommendations: stats?.recommendations ?? [],
    analyticsReads: stats?.reads ?? 0,
    ...(system.dashboard && { dashboardUrl: system.dashboard.url }),
  };
}

/** The demo's results as the tables a person reads. */
import { count, ms, percent, table, usd } from "../output.js";
import type { DemoResult } from "./results.js";

export function renderDemoReport(r: DemoResult): string {
  const out: string[] = [];
  const hitsTotal = r.requests - r.hits.miss;
  out.push(
    `victor-cache demo: ${r.users.length} users of a coding agent, ${r.sessions} sessions with a restart between them,`,
    `${count(r.requests)} requests replayed in ${(r.durationMs / 1000).toFixed(1)} s through the default configuration`,
    `(embedded: LMDB in a temp folder, the ${r.setup.embedder} embedder at similarity ${r.setup.similarityThreshold}, no server, no network).`,
    "",
  );
  out.push(
    table(
      ["Metric", "Without cache", "With cache", "Improvement"],
      [
        [
          "Avg latency",
          ms(r.latency.withoutCacheAvgMs),
          ms(r.latency.withCacheAvgMs),
          `${r.latency.reductionPct.toFixed(1)} % lower`,
        ],
        ["Hit rate", percent(0), percent(r.hitRate.combined), ""],
        [
          "API calls",
          count(r.calls.withoutCache),
          count(r.calls.withCache),
          `${count(r.calls.avoided)} avoided (${percent(r.calls.avoided / Math.max(1, r.requests))})`,
        ],
        [
          "Cost",
          usd(r.cost.withoutCacheUsd),
          usd(r.cost.withCacheUsd),
          `${usd(r.cost.savedUsd)} saved (${percent(r.cost.savedUsd / Math.max(1e-12, r.cost.withoutCacheUsd))})`,
        ],
      ],
      ["left", "right", "right", "left"],
    ),
    "",
    `Backend latency is modelled (${r.latency.modelledBackendMs.min}–${r.latency.modelledBackendMs.max} ms per call, drawn, not slept); LLM calls are priced at`,
    `$${r.cost.pricing.inputPerMillionUsd}/$${r.cost.pricing.outputPerMillionUsd} per million input/output tokens, tools at $0. Cache time is measured:`,
    `avg ${ms(r.latency.cacheTime.avgMs)}, p50 ${ms(r.latency.cacheTime.p50Ms)}, p95 ${ms(r.latency.cacheTime.p95Ms)}, p99 ${ms(r.latency.cacheTime.p99Ms)} per request (lookups, stores, dependency records).`,
    "",
  );
  const warmed = r.warming.warmedHits;
  out.push(
    "Where the answers came from:",
    "",
    table(
      ["Tier", "Requests", "Share"],
      [
        [
          `L1 (memory)${warmed > 0 ? `, ${count(warmed)} on entries warmed from L2 after the restart` : ""}`,
          count(r.hits.l1),
          percent(r.hitRate.l1),
        ],
        ["L2 (LMDB), read through", count(r.hits.l2), percent(r.hitRate.l2)],
        [
          "Semantic cache, same wording",
          count(r.hits.semanticExact),
          percent(r.hitRate.semanticExact),
        ],
        [
          "Semantic cache, paraphrase",
          count(r.hits.semanticSimilar),
          percent(r.hitRate.semanticSimilar),
        ],
        ["Backend (miss)", count(r.hits.miss), percent(r.hits.miss / Math.max(1, r.requests))],
      ],
      ["left", "right", "right"],
    ),
    "",
    `Semantic share: answers found by similarity are ${percent(r.semantic.similarShareOfHits)} of all ${count(hitsTotal)} hits. Of ${count(r.semantic.paraphrasedAsks)} asks worded`,
    `differently from a question's usual wording, ${count(r.semantic.paraphraseHits)} were answered by similarity; the others reached the backend once and`,
    `their repeats were exact hits. Answers served for a different question: ${r.semantic.wrongAnswers}.`,
    "",
    table(
      ["Requests", "Count", "Hit rate", "Backend calls", "Cost avoided"],
      (["llm", "tool", "analysis"] as const).map((kind) => {
        const k = r.byKind[kind];
        const label = { llm: "LLM questions", tool: "Tool calls", analysis: "File analyses" }[kind];
        return [
          label,
          count(k.requests),
          percent(k.hitRate),
          count(k.backendCalls),
          usd(k.avoidedCostUsd),
        ];
      }),
      ["left", "right", "right", "right", "right"],
    ),
    "",
  );
  const f = r.freshness;
  out.push(
    "Freshness after file edits:",
    "",
    table(
      [
        "Edits by the agent",
        "by the user (watcher)",
        "between sessions",
        "Answers about files checked",
        "after an edit",
        "Stale answers",
      ],
      [
        [
          count(f.edits.agent),
          count(f.edits.user),
          count(f.edits.offline),
          count(f.answersChecked),
          count(f.answersAfterEdits),
          count(f.staleAnswers),
        ],
      ],
      ["right", "right", "right", "right", "right", "right"],
    ),
    "",
    "Every answer about a file was compared with a fresh computation from the file as it was at that moment." +
      (f.watcherFallbacks > 0
        ? ` (${f.watcherFallbacks} user edits were checked explicitly after the watcher stayed silent for 5 s.)`
        : ""),
    "",
  );
  if (r.hotKeys.length > 0) {
    out.push(
      `Hot keys (session ${r.sessions}, ${count(r.analyticsReads)} reads):`,
      "",
      table(
        ["Key", "Namespace", "Share of reads"],
        r.hotKeys.slice(0, 5).map((h) => [h.key, h.namespace, percent(h.share)]),
        ["left", "left", "right"],
      ),
      "",
    );
  }
  out.push("Recommendations:");
  if (r.recommendations.length === 0)
    out.push("- none: the cache is sized right for this workload.");
  for (const rec of r.recommendations)
    out.push(`- [${rec.severity}] ${rec.message}`, `  why: ${rec.reason}`);
  if (r.dashboardUrl)
    out.push("", `Dashboard: ${r.dashboardUrl} (metrics at ${r.dashboardUrl}metrics)`);
  return out.join("\n");
}

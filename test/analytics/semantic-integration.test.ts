import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { MultiLevelCache } from "../../src/multilevel/multilevel-cache.js";
import type { ChatMessage } from "../../src/semantic/messages.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { ManualTime } from "../helpers/manual-time.js";

const ask = (content: string): ChatMessage[] => [{ role: "user", content }];

describe("CacheAnalytics with a real SemanticCache", () => {
  it("reports its exact hits, similar hits and misses, in stats and in Prometheus", async () => {
    const semantic = new SemanticCache<string>({ similarityThreshold: 0.9 });
    const cache = new MultiLevelCache({ l1: { maxSize: 10 } });
    const time = new ManualTime();
    const analytics = new CacheAnalytics({
      cache,
      semantic,
      semanticThreshold: 0.9,
      clock: time,
      scheduler: time,
    });
    const prompts = [
      "how do I sort a list in python",
      "what is a closure in javascript",
      "explain tcp slow start",
    ];
    for (const p of prompts) await semantic.put(ask(p), `answer: ${p}`, { model: "m" });
    for (const p of prompts) await semantic.getSimilar(ask(p), { model: "m" });
    await semantic.getSimilar(ask("how do I sort a list in python quickly"), { model: "m" });
    for (const p of ["best pizza in naples", "why is the sky blue", "rust borrow checker rules"]) {
      await semantic.getSimilar(ask(p), { model: "m" });
    }
    const own = semantic.getStats();
    expect(own.exactHits).toBe(3);
    expect(own.exactHits + own.similarHits + own.misses).toBe(7);
    const report = analytics.getComprehensiveStats().semantic!;
    expect(report).toEqual({
      exactHits: own.exactHits,
      similarHits: own.similarHits,
      misses: own.misses,
      hitRate: (own.exactHits + own.similarHits) / 7,
    });
    const text = await analytics.metrics();
    expect(text).toContain(
      `victor_cache_semantic_requests_total{result="exact_hit"} ${own.exactHits}`,
    );
    expect(text).toContain(
      `victor_cache_semantic_requests_total{result="similar_hit"} ${own.similarHits}`,
    );
    expect(text).toContain(`victor_cache_semantic_requests_total{result="miss"} ${own.misses}`);
    await analytics.close();
    await cache.close();
    await semantic.close();
  });
});

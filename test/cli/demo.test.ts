import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, exitOf, firstJson, REPO_ROOT, runCli, spawnCli } from "../helpers/cli.js";

interface KindReport {
  requests: number;
  hits: number;
  backendCalls: number;
  costWithoutCacheUsd: number;
  avoidedCostUsd: number;
}

let built: { cli: string; dir: string };
beforeAll(async () => {
  built = await buildCli();
});
afterAll(() => rmSync(built.dir, { recursive: true, force: true }));

describe("victor-cache demo", () => {
  it("replays the workload: hit rate above 50 %, no stale answer, savings that add up", async () => {
    const r = await runCli(["demo", "--json"], { built: built.cli });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(""); // no progress bar in a pipe
    const d = JSON.parse(r.stdout);

    expect(d.hitRate.combined).toBeGreaterThan(0.5);
    expect(d.freshness.staleAnswers).toBe(0);
    expect(d.freshness.answersAfterEdits).toBeGreaterThan(0);
    expect(
      d.freshness.edits.agent + d.freshness.edits.user + d.freshness.edits.offline,
    ).toBeGreaterThan(5);

    // Every request is a hit of one tier or a backend call, and the counts agree.
    const { l1, l2, semanticExact, semanticSimilar, miss } = d.hits;
    expect(l1 + l2 + semanticExact + semanticSimilar + miss).toBe(d.requests);
    expect(d.calls.withCache).toBe(miss);
    expect(d.calls.avoided).toBe(d.requests - d.calls.withCache);
    expect(d.hitRate.combined).toBeCloseTo(d.calls.avoided / d.requests, 12);
    const kinds = Object.values(d.byKind) as KindReport[];
    expect(kinds.reduce((n, k) => n + k.requests, 0)).toBe(d.requests);
    expect(kinds.reduce((n, k) => n + k.backendCalls, 0)).toBe(d.calls.withCache);
    expect(kinds.reduce((n, k) => n + k.requests - k.hits, 0)).toBe(miss);

    // The saving is the modelled price of exactly the avoided calls.
    expect(d.cost.savedUsd).toBeGreaterThan(0);
    expect(d.cost.savedUsd).toBeCloseTo(d.cost.avoidedCallsCostUsd, 9);
    expect(kinds.reduce((n, k) => n + k.avoidedCostUsd, 0)).toBeCloseTo(
      d.cost.avoidedCallsCostUsd,
      9,
    );
    expect(d.cost.withoutCacheUsd - d.cost.withCacheUsd).toBeCloseTo(d.cost.savedUsd, 9);
    expect(kinds.reduce((n, k) => n + k.costWithoutCacheUsd, 0)).toBeCloseTo(
      d.cost.withoutCacheUsd,
      9,
    );

    // Latency: modelled backend time in [100, 500] ms per call; the cache's own time is measured.
    expect(d.latency.withoutCacheAvgMs).toBeGreaterThanOrEqual(100);
    expect(d.latency.withoutCacheAvgMs).toBeLessThanOrEqual(500);
    expect(d.latency.withCacheAvgMs).toBeLessThan(d.latency.withoutCacheAvgMs);
    expect(d.latency.cacheTime.p50Ms).toBeGreaterThan(0);

    // Every part of the system took part.
    expect(semanticSimilar).toBeGreaterThan(0);
    expect(d.semantic.paraphraseHits).toBeGreaterThan(0);
    expect(d.warming.warmedFromL2).toBeGreaterThan(0);
    expect(d.hotKeys.length).toBeGreaterThan(0);
    expect(d.sessions).toBe(2);
  });

  it("is reproducible: the same seed replays the same requests", async () => {
    const [a, b] = await Promise.all([
      runCli(["demo", "--json", "--scale", "0.25", "--seed", "7"], { built: built.cli }),
      runCli(["demo", "--json", "--scale", "0.25", "--seed", "7"], { built: built.cli }),
    ]);
    const [x, y] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(x.requests).toBe(y.requests);
    expect(x.hits).toEqual(y.hits);
    expect(x.cost).toEqual(y.cost);
    expect(x.freshness).toEqual(y.freshness);
  });

  it("prints the tables without --json", async () => {
    const r = await runCli(["demo", "--scale", "0.25"], { built: built.cli });
    expect(r.code).toBe(0);
    for (const text of [
      "| Avg latency",
      "| Hit rate",
      "| API calls",
      "| Cost",
      "Stale answers",
      "Recommendations:",
    ]) {
      expect(r.stdout).toContain(text);
    }
  });

  it("--serve keeps the dashboard up until Ctrl-C", async () => {
    const child = spawnCli(
      ["demo", "--serve", "--port", "0", "--json", "--scale", "0.2", "--pace", "0"],
      {
        built: built.cli,
      },
    );
    const exited = exitOf(child);
    const d = (await firstJson(child)) as { dashboardUrl: string; requests: number };
    expect(d.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const stats = (await (await fetch(`${d.dashboardUrl}api/stats`)).json()) as {
      stats: { reads: number };
    };
    expect(stats.stats.reads).toBeGreaterThan(0);
    expect(await (await fetch(`${d.dashboardUrl}metrics`)).text()).toContain("victor_cache_");
    child.kill("SIGINT");
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it("--questions replaces the built-in questions with GPTCache-style pairs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vc-demo-q-"));
    const file = join(dir, "pairs.json");
    const pairs = [
      { origin: "What is a B-tree?", similar: "Can you explain what a B-tree is?" },
      { origin: "What is a B-tree?", similar: "Duplicated origins are skipped" },
      { origin: "How does TCP slow start work?", similar: "Explain TCP slow start." },
    ];
    writeFileSync(file, JSON.stringify(pairs));
    const r = await runCli(["demo", "--json", "--scale", "0.1", "--questions", file], {
      built: built.cli,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.semantic.lookups).toBeGreaterThan(0);
    expect(d.byKind.llm.requests).toBe(d.semantic.lookups);
  });

  it("bad options are usage errors (2)", async () => {
    expect((await runCli(["demo", "--scale", "-1"], { built: built.cli })).code).toBe(2);
    expect(
      (await runCli(["demo", "--questions", "/nonexistent.json"], { built: built.cli })).code,
    ).toBe(2);
  });

  it("`npm run demo` runs from the TypeScript source, with no build", async () => {
    const child = spawn("npm", ["run", "--silent", "demo", "--", "--json", "--scale", "0.1"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const d = await firstJson(child);
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect((d as { freshness: { staleAnswers: number } }).freshness.staleAnswers).toBe(0);
  });
});

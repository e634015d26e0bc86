/** The README's examples run, so what it shows works (CI runs this file like any other). */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

function runExample(
  name: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "examples", name)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

const EXPECTED: Record<string, (string | RegExp)[]> = {
  "quick-start.ts": [
    "loader calls for 3 concurrent misses: 1",
    "invalidated by tag: 1",
    "after restart: { functions: 12, todos: 3 }",
  ],
  "semantic-cache.ts": [
    /paraphrase: \{[^}]*exact: false/s,
    "other model: undefined",
    "unrelated: undefined",
    "{ exactHits: 1, similarHits: 1, misses: 2 }",
  ],
  "invalidation.ts": ["removed by tag: 1", "removed after the edit: 2", "summary now: undefined"],
  "warming-analytics.ts": [
    "warmed 5 entries from L2",
    "hit rate 100 %, L1 hits 20",
    'victor_cache_requests_total{namespace="analysis",result="l1_hit"} 20',
  ],
  "config-system.ts": [
    "get: value",
    "semantic: An embedded key-value store.",
    "removed by tag: 1",
    'cache.multi_level.l1.max_sise: unknown key; did you mean "max_size"?',
  ],
};

describe("examples/", () => {
  it.each(Object.entries(EXPECTED))(
    "%s runs and prints what the README says",
    async (name, lines) => {
      const r = await runExample(name);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      for (const line of lines) {
        if (typeof line === "string") expect(r.stdout).toContain(line);
        else expect(r.stdout).toMatch(line);
      }
    },
  );
});

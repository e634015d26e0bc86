import { describe, expect, it } from "vitest";
import type { Embedder } from "../../src/semantic/embedders/embedder.js";
import type { SemanticLookup } from "../../src/semantic/results.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { ConstantEmbedder, WordEmbedder, rng, user } from "./support.js";

const TENANTS = ["", "alice", "bob", "carol", "dave"];
const MODELS = ["", "gpt-4o", "claude-sonnet", "llama3"];
const NAMESPACES = ["default", "support", "code"];
const SCOPES = TENANTS.flatMap((tenant) =>
  MODELS.flatMap((model) => NAMESPACES.map((namespace) => ({ tenant, model, namespace }))),
);
const scopeId = (s: { tenant: string; model: string; namespace: string }): string =>
  `${s.tenant}/${s.model}/${s.namespace}`;

const SUBJECTS = [
  "a python list",
  "a git branch",
  "the docker cache",
  "a redis key",
  "the user table",
  "an s3 bucket",
];
const VERBS = ["delete", "rename", "copy", "inspect", "back up", "restore", "move", "share"];
const PROMPTS = SUBJECTS.flatMap((subject) =>
  VERBS.map((verb) => `how do I ${verb} ${subject} safely`),
);

/**
 * Stores the same prompts in a random third of the scopes (so identical prompts live in many
 * scopes at once), then probes random scopes with the stored prompts, and with slight variants
 * that can only hit by similarity. Every hit must come from the probe's own scope.
 */
async function probe(embedder: Embedder, probes: number, seed: number) {
  const next = rng(seed);
  const cache = new SemanticCache<string>({
    embedder,
    similarityThreshold: 0.75,
    verifier: false, // the verifier could only hide leaks; scopes must hold without it
    maxSize: 100_000,
  });
  const stored = new Set<string>();
  for (const scope of SCOPES) {
    const items = PROMPTS.filter(() => next() < 0.33).map((prompt) => {
      stored.add(`${scopeId(scope)}|${prompt}`);
      return { messages: user(prompt), response: `${scopeId(scope)}|${prompt}`, options: scope };
    });
    await cache.putMany(items);
  }
  let crossScope = 0;
  let hits = 0;
  let exactHits = 0;
  // Probes whose prompt is stored, word for word, in some other scope but not in theirs.
  let tempted = 0;
  const BATCH = 2000;
  for (let done = 0; done < probes; done += BATCH) {
    const lookups: SemanticLookup[] = [];
    const expected: string[] = [];
    const prompts: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      const scope = SCOPES[Math.floor(next() * SCOPES.length)];
      const prompt = PROMPTS[Math.floor(next() * PROMPTS.length)];
      const variant = next() < 0.5 ? prompt : `${prompt} please`;
      lookups.push({ messages: user(variant), options: scope });
      expected.push(scopeId(scope));
      prompts.push(prompt);
    }
    const results = await cache.getSimilarMany(lookups);
    results.forEach((hit, i) => {
      if (!stored.has(`${expected[i]}|${prompts[i]}`)) tempted++;
      if (!hit) return;
      hits++;
      if (hit.exact) exactHits++;
      if (hit.response.split("|")[0] !== expected[i]) crossScope++;
    });
  }
  return { crossScope, hits, exactHits, tempted, stats: cache.getStats() };
}

describe("SemanticCache: hard scope isolation", () => {
  it("100,000 random probes across tenants, models and namespaces give 0 cross-scope hits", async () => {
    // A realistic embedder, and one that makes every request look identical to every other:
    // with it, only the scopes stand between a probe and any stored answer.
    const realistic = await probe(new WordEmbedder(), 50_000, 1);
    const adversarial = await probe(new ConstantEmbedder(), 50_000, 2);
    for (const run of [realistic, adversarial]) {
      expect(run.crossScope).toBe(0);
      expect(run.stats.scopeViolations).toBe(0);
      // The probes did exercise both paths and the tempting case.
      expect(run.exactHits).toBeGreaterThan(5_000);
      expect(run.hits - run.exactHits).toBeGreaterThan(2_000);
      expect(run.tempted).toBeGreaterThan(20_000);
    }
  });
});

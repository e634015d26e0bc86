/**
 * LLM answers found by meaning, offline (the hashing embedder). Run: npx tsx examples/semantic-cache.ts
 */
import { SemanticCache } from "../src/index.js";

const cache = new SemanticCache<string>({ similarityThreshold: 0.85, maxSize: 1000 });
const ask = (content: string) => [{ role: "user" as const, content }];

await cache.put(
  ask("How do I undo the last git commit but keep my changes?"),
  "git reset --soft HEAD~1",
  {
    model: "gpt-4o",
  },
);

const same = await cache.getSimilar(ask("How do I undo the last git commit but keep my changes?"), {
  model: "gpt-4o",
});
console.log("same words:", same);
const paraphrase = await cache.getSimilar(
  ask("How can I undo my last git commit and keep the changes?"),
  {
    model: "gpt-4o",
  },
);
console.log("paraphrase:", paraphrase);
// Another model is a different scope: never answered from this one's entries.
console.log(
  "other model:",
  await cache.getSimilar(ask("How do I undo the last git commit but keep my changes?"), {
    model: "o3",
  }),
);
console.log(
  "unrelated:",
  await cache.getSimilar(ask("How do I add an index to a PostgreSQL table?"), { model: "gpt-4o" }),
);
const { exactHits, similarHits, misses } = cache.getStats();
console.log({ exactHits, similarHits, misses });
await cache.close();

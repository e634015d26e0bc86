/**
 * Choosing which similar entry, if any, answers a lookup: the nearest candidates at or above
 * the threshold, in order, skipping expired ones, re-checking scope and context (a bug in the
 * partitioning becomes a counted miss, never a leak), and asking the verifier.
 */
import type { EntryTable, SemanticEntry } from "./entries.js";
import type { PreparedRequest } from "./request.js";
import { sameScope } from "./request.js";
import type { SemanticStatsRecorder } from "./stats.js";
import type { HitVerifier } from "./verifier.js";

export interface CandidateContext {
  readonly table: EntryTable;
  readonly stats: SemanticStatsRecorder;
  readonly threshold: number;
  readonly candidates: number;
  readonly verifier: HitVerifier | undefined;
  readonly now: () => number;
  readonly warn: (code: string, message: string) => void;
}

export async function chooseSimilar(
  p: PreparedRequest,
  vector: Float32Array,
  ctx: CandidateContext,
): Promise<{ entry: SemanticEntry; similarity: number } | undefined> {
  const { table, stats } = ctx;
  const matches = table.search(p.partition, vector, ctx.candidates);
  if (matches.length > 0) stats.recordSimilarity(matches[0].score);
  for (const match of matches) {
    if (match.score < ctx.threshold) break;
    const entry = table.byId(match.id);
    if (entry === undefined) continue;
    if (entry.expiresAt !== 0 && entry.expiresAt <= ctx.now()) {
      table.remove(entry, "expire");
      continue;
    }
    const sameContext = entry.contextHash === p.contextHash && entry.partition === p.partition;
    if (!sameScope(entry.scope, p.scope) || !sameContext) {
      stats.count("scopeViolations");
      continue;
    }
    const similarity = Math.min(1, match.score);
    if (ctx.verifier && !(await verify(ctx, p.lookupText, entry.lookupText, similarity))) {
      stats.count("rejectedByVerifier");
      continue;
    }
    if (table.byId(entry.id) !== entry) continue; // removed while the verifier ran
    return { entry, similarity };
  }
  return undefined;
}

/** A verifier that throws rejects the hit (and warns): a broken judge must not serve guesses. */
async function verify(ctx: CandidateContext, query: string, cached: string, similarity: number) {
  try {
    return (await ctx.verifier!(query, cached, similarity)) === true;
  } catch (error) {
    ctx.warn("VERIFIER", `the verifier threw; the hit is rejected: ${(error as Error).message}`);
    return false;
  }
}

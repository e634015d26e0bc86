/**
 * Scoring: each strategy gives every key of the access log a score in 0..1 (1 = warm first), and
 * keys scoring 0 are never warmed. Scores also decide the L1 capacity rule, so an L1 resident is
 * scored by the same function as the candidates (0 when the log does not know it).
 *
 * - frequency, recency: the key's percentile rank by decayed frequency or by last access.
 * - hybrid: recencyWeight × recency + (1 − recencyWeight) × frequency, both as percentile ranks.
 *   Ranks rather than value / max, because decayed frequencies are heavy-tailed: divided by the
 *   maximum nearly every key would sit near 0 and recency alone would decide.
 * - time_based: expected accesses in the coming window from the hour-of-day histogram (each hour
 *   weighted by how much of it the window covers), divided by the largest.
 * - user_specific: the decayed count of accesses by that user, divided by the largest; without a
 *   user, the count of accesses attributed to any user.
 */
import type { AccessLog, AccessRecord } from "./access-log.js";
import { WarmingStrategy, type WarmingStrategyName } from "./types.js";

export interface RankRequest {
  strategy: WarmingStrategyName;
  recencyWeight: number;
  now: number;
  timeWindowMs: number;
  user: string | undefined;
}

/**
 * Scores every record (in `record.score`) and returns those scoring above 0, best first. Ties keep
 * the more recently accessed key first.
 */
export function rankCandidates(log: AccessLog, request: RankRequest): AccessRecord[] {
  const records = log.records();
  switch (request.strategy) {
    case WarmingStrategy.FREQUENCY:
      setPercentiles(records, (r) => r.freq, 1, false);
      break;
    case WarmingStrategy.RECENCY:
      setPercentiles(records, (r) => r.lastAccess, 1, false);
      break;
    case WarmingStrategy.HYBRID:
      setPercentiles(records, (r) => r.lastAccess, request.recencyWeight, false);
      setPercentiles(records, (r) => r.freq, 1 - request.recencyWeight, true);
      break;
    case WarmingStrategy.TIME_BASED: {
      const { now, timeWindowMs } = request;
      const coverage = log.hourOfDay.coverage(now, now + timeWindowMs);
      setShareOfMax(records, (r) => {
        let expected = 0;
        for (let h = 0; h < 24; h++) if (coverage[h] > 0) expected += coverage[h] * r.hours[h];
        return expected;
      });
      break;
    }
    case WarmingStrategy.USER_SPECIFIC: {
      const user = request.user;
      setShareOfMax(records, (r) => (user === undefined ? r.attributedWeight() : r.weightOf(user)));
      break;
    }
  }
  const candidates = records.filter((r) => r.score > 0);
  candidates.sort((a, b) => b.score - a.score || b.lastAccess - a.lastAccess);
  return candidates;
}

/**
 * Adds `weight × percentile` to each record's score (or sets it, when `add` is false). Equal
 * values share a percentile; the lowest value gets 1/n, so every record scores above 0.
 */
function setPercentiles(
  records: readonly AccessRecord[],
  value: (r: AccessRecord) => number,
  weight: number,
  add: boolean,
): void {
  const n = records.length;
  const values = new Float64Array(n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = value(records[i]);
    order[i] = i;
  }
  order.sort((a, b) => values[a] - values[b]);
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && values[order[i]] !== values[order[i - 1]]) runStart = i;
    const rec = records[order[i]];
    const part = weight * ((runStart + 1) / n);
    rec.score = add ? rec.score + part : part;
  }
}

/** Sets each record's score to its value divided by the largest value (0 when all are 0). */
function setShareOfMax(records: readonly AccessRecord[], value: (r: AccessRecord) => number): void {
  let max = 0;
  for (const r of records) {
    r.score = value(r);
    if (r.score > max) max = r.score;
  }
  for (const r of records) r.score = max > 0 ? r.score / max : 0;
}

/**
 * One warming run: rank the access log, fetch the best candidates that are not in L1 (from L2,
 * else through the loader), admit them under the L1 capacity rule, and insert them.
 *
 * Values are inserted after fetching, lowest score first, so that under recency-ordered L1
 * policies (LRU, SIEVE, S3-FIFO) the best candidates are the last ones evicted.
 */
import type { TypedEmitter } from "../core/events.js";
import { composeKey } from "../core/keys.js";
import type { StoreEntry } from "../stores/store.js";
import type { AccessLog, AccessRecord } from "./access-log.js";
import type { ChangeGuard } from "./change-guard.js";
import { L1Admission, type Reservation, type Resident } from "./l1-admission.js";
import type { LoadPool } from "./load-pool.js";
import type { ResolvedWarmerOptions } from "./options.js";
import { rankCandidates } from "./strategies.js";
import type {
  CacheWarmerEvents,
  RunReason,
  WarmingStrategyName,
  WarmRunResult,
  WarmSource,
} from "./types.js";

/** Most candidates fetched by one L2 `getMany`: bounds one call's size on Redis. */
const BATCH = 256;

export interface RunContext {
  options: ResolvedWarmerOptions;
  log: AccessLog;
  pool: LoadPool;
  events: TypedEmitter<CacheWarmerEvents>;
  guard: ChangeGuard;
  /** Ids the warmer is writing through `cache.set`, with the expiry the cache gave them. */
  selfWrites: Map<string, number>;
  /** Aborts pending loads when the warmer stops. */
  stop: AbortSignal;
  /** L2 reads and writes that failed. */
  storeError(operation: "l2-read", error: unknown): void;
}

export interface RunRequest {
  reason: RunReason;
  strategy: WarmingStrategyName;
  user: string | undefined;
}

interface Ready {
  rec: AccessRecord;
  reservation: Reservation;
  source: WarmSource;
  entry: StoreEntry;
}

interface Pending {
  rec: AccessRecord;
  reservation: Reservation;
}

export async function runWarming(ctx: RunContext, request: RunRequest): Promise<WarmRunResult> {
  const started = performance.now();
  const { cache } = ctx.options;
  const result: WarmRunResult = {
    ...request,
    fromL2: 0,
    fromLoader: 0,
    alreadyInL1: 0,
    skippedNoSource: 0,
    skippedByCapacity: 0,
    displaced: 0,
    loaderErrors: 0,
    loaderTimeouts: 0,
    durationMs: 0,
  };
  if (ctx.options.preloadCount > 0) {
    ctx.guard.begin();
    try {
      // L2 may lag the write-back queue; reading it unflushed could warm an outdated value.
      const flushed = cache.options.writePolicy !== "write_back" || (await flushQuietly(ctx));
      if (flushed) await insert(ctx, await fetchCandidates(ctx, request, result), result);
    } finally {
      ctx.guard.end();
    }
  }
  result.durationMs = performance.now() - started;
  return result;
}

async function fetchCandidates(
  ctx: RunContext,
  request: RunRequest,
  result: WarmRunResult,
): Promise<Ready[]> {
  const { options, log } = ctx;
  const l1 = options.cache.l1;
  const candidates = rankCandidates(log, {
    strategy: request.strategy,
    recencyWeight: options.recencyWeight,
    now: options.clock.now(),
    timeWindowMs: options.timeWindowMs,
    user: request.user,
  });
  const admission = new L1Admission(Math.max(0, l1.options.maxSize - l1.size), () =>
    listResidents(ctx),
  );
  const ready: Ready[] = [];
  let budget = options.preloadCount;
  let next = 0;
  let refused = false;
  while (budget > 0 && next < candidates.length && !refused && !ctx.stop.aborted) {
    const batch: Pending[] = [];
    while (batch.length < Math.min(budget, BATCH) && next < candidates.length) {
      const rec = candidates[next++];
      if (admission.isVictim(rec.key, rec.namespace)) {
        refused = true;
        break;
      }
      if (l1.peek(rec.key, rec.namespace) !== -1) {
        result.alreadyInL1++;
        budget--;
        continue;
      }
      const reservation = await admission.reserve(rec.score);
      if (reservation === undefined) {
        refused = true;
        break;
      }
      batch.push({ rec, reservation });
    }
    const missing = await fetchFromL2(ctx, batch, ready);
    const unfilled = await fetchFromLoader(ctx, missing, ready, result);
    for (const p of unfilled) admission.release(p.reservation);
    if (options.loader === undefined) result.skippedNoSource += unfilled.length;
    budget = options.preloadCount - result.alreadyInL1 - ready.length;
  }
  if (refused) result.skippedByCapacity = Math.min(budget, candidates.length - next + 1);
  return ready;
}

async function flushQuietly(ctx: RunContext): Promise<boolean> {
  try {
    return await ctx.options.cache.flush();
  } catch (error) {
    ctx.storeError("l2-read", error);
    return false;
  }
}

/** L1's residents, scored by the run's ranking (0 for keys the log does not know). */
async function listResidents(ctx: RunContext): Promise<Resident[]> {
  const residents: Resident[] = [];
  for await (const { key, namespace } of ctx.options.cache.l1.keys()) {
    residents.push({ key, namespace, score: ctx.log.get(key, namespace)?.score ?? 0 });
  }
  return residents;
}

/** Moves the batch's fresh L2 entries into `ready`; returns the rest. */
async function fetchFromL2(ctx: RunContext, batch: Pending[], ready: Ready[]): Promise<Pending[]> {
  const l2 = ctx.options.cache.l2;
  if (l2 === undefined || batch.length === 0) return batch;
  const byNamespace = new Map<string, Pending[]>();
  for (const p of batch) {
    const list = byNamespace.get(p.rec.namespace);
    if (list) list.push(p);
    else byNamespace.set(p.rec.namespace, [p]);
  }
  const missing: Pending[] = [];
  for (const [namespace, list] of byNamespace) {
    let entries: (StoreEntry | undefined)[];
    try {
      entries = await l2.getMany(
        list.map((p) => p.rec.key),
        namespace,
      );
    } catch (error) {
      ctx.storeError("l2-read", error);
      missing.push(...list);
      continue;
    }
    const now = ctx.options.clock.now();
    list.forEach((p, i) => {
      const entry = entries[i];
      if (entry !== undefined && isFresh(entry, now)) ready.push({ ...p, source: "l2", entry });
      else missing.push(p);
    });
  }
  return missing;
}

/** Loads what L2 lacked; returns the candidates that got no value. */
async function fetchFromLoader(
  ctx: RunContext,
  missing: Pending[],
  ready: Ready[],
  result: WarmRunResult,
): Promise<Pending[]> {
  const loader = ctx.options.loader;
  if (loader === undefined || missing.length === 0) return missing;
  const failed: Pending[] = [];
  await Promise.all(
    missing.map(async (p) => {
      const { key, namespace } = p.rec;
      const outcome = await ctx.pool.run((signal) => loader(key, namespace, { signal }), ctx.stop);
      if (outcome.status === "ok" && outcome.value !== undefined) {
        ready.push({ ...p, source: "loader", entry: { value: outcome.value, expiresAt: 0 } });
        return;
      }
      failed.push(p);
      if (outcome.status === "ok") result.skippedNoSource++;
      else if (outcome.status === "error" || outcome.status === "timeout") {
        if (outcome.status === "error") result.loaderErrors++;
        else result.loaderTimeouts++;
        ctx.events.emit("error", { operation: "loader", key, namespace, error: outcome.error });
      }
    }),
  );
  return failed;
}

/** Puts the fetched values into L1, lowest score first, removing the reserved victims. */
async function insert(ctx: RunContext, ready: Ready[], result: WarmRunResult): Promise<void> {
  ready.sort((a, b) => a.rec.score - b.rec.score);
  for (const item of ready) {
    const { rec, entry, reservation, source } = item;
    const l1 = ctx.options.cache.l1;
    if (ctx.guard.changed(rec.key, rec.namespace, entry.tags)) continue;
    if (l1.peek(rec.key, rec.namespace) !== -1) {
      result.alreadyInL1++;
      continue;
    }
    const victim = reservation.victim;
    if (victim !== undefined && l1.peek(victim.key, victim.namespace) !== -1) {
      l1.deleteSync(victim.key, victim.namespace);
      const victimRec = ctx.log.get(victim.key, victim.namespace);
      if (victimRec) victimRec.warmed = false;
      result.displaced++;
    }
    const placed =
      source === "l2" ? promote(ctx, rec, entry) : await storeLoaded(ctx, rec, entry, result);
    if (!placed) continue;
    rec.warmed = true;
    rec.used = false;
    if (source === "l2") result.fromL2++;
    else result.fromLoader++;
    if (ctx.events.hasListeners("warm")) {
      ctx.events.emit("warm", { key: rec.key, namespace: rec.namespace, source });
    }
  }
}

/** Copies an L2 entry into L1 with its remaining lifetime, as the cache's own promotion does. */
function promote(ctx: RunContext, rec: AccessRecord, entry: StoreEntry): boolean {
  const l1 = ctx.options.cache.l1;
  const now = ctx.options.clock.now();
  if (!isFresh(entry, now)) return false;
  const expiresAt = promotedExpiry(entry.expiresAt, now, l1.options.ttlMs);
  const staleAt =
    entry.staleAt !== undefined && (expiresAt === 0 || entry.staleAt < expiresAt)
      ? entry.staleAt
      : 0;
  try {
    l1.setSync(rec.key, rec.namespace, entry.value, expiresAt, entry.tags, staleAt);
    return true;
  } catch {
    // L1 refuses it (closed, or larger than l1.maxBytes): nothing is lost, it stays in L2.
    return false;
  }
}

/**
 * Stores a loaded value through the cache (so L2 gets it too, under the cache's write policy and
 * default TTLs), then into L1 when the policy left it out (write-around).
 */
async function storeLoaded(
  ctx: RunContext,
  rec: AccessRecord,
  entry: StoreEntry,
  result: WarmRunResult,
): Promise<boolean> {
  const { cache, clock } = ctx.options;
  const { key, namespace } = rec;
  const id = composeKey(namespace, key);
  ctx.selfWrites.set(id, 0);
  let expiresAt: number;
  try {
    await cache.set(key, entry.value, { namespace });
  } catch (error) {
    result.loaderErrors++;
    ctx.events.emit("error", { operation: "loader", key, namespace, error });
    return false;
  } finally {
    expiresAt = ctx.selfWrites.get(id) ?? 0;
    ctx.selfWrites.delete(id);
  }
  if (cache.l1.peek(key, namespace) !== -1) return true;
  if (cache.options.writePolicy !== "write_around") return false;
  const now = clock.now();
  if (expiresAt !== 0 && expiresAt <= now) return false;
  try {
    cache.l1.setSync(
      key,
      namespace,
      entry.value,
      promotedExpiry(expiresAt, now, cache.l1.options.ttlMs),
    );
    return true;
  } catch {
    return false;
  }
}

/** Epoch ms after which a promoted copy leaves L1: its own expiry, capped by L1's default TTL. */
function promotedExpiry(expiresAt: number, now: number, l1TtlMs: number): number {
  if (l1TtlMs <= 0) return expiresAt;
  const cap = now + l1TtlMs;
  return expiresAt === 0 || expiresAt > cap ? cap : expiresAt;
}

function isFresh(entry: StoreEntry, now: number): boolean {
  if (entry.expiresAt !== 0 && entry.expiresAt <= now) return false;
  return entry.staleAt === undefined || entry.staleAt === 0 || entry.staleAt > now;
}

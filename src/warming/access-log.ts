/**
 * The access log behind every warming strategy: per key a decayed frequency, the last access, a
 * 24-bucket hour-of-day histogram and the users or contexts that asked for it, for at most
 * `maxKeys` keys.
 *
 * Decay is forward decay (Cormode et al., ICDE 2009): an access at time t adds 2^((t − L)/H) to
 * the key's counters, for a landmark L and half-life H. Dividing by 2^((now − L)/H) gives the
 * exponentially decayed count as of now, so counters never need touching as time passes, and the
 * stored values of two keys compare directly (the divisor is common). The landmark moves forward
 * every 64 half-lives to keep the weights within floating-point range.
 */
import type { Clock } from "../core/clock.js";
import { HourOfDay } from "./hour-of-day.js";
import type { ResolvedAccessLogOptions } from "./options.js";

/** Keys examined to choose the one a full log forgets. */
const EVICTION_SAMPLE = 8;
/** Half-lives after which the landmark moves (2^64 is far from Float64's range). */
const REBASE_AFTER = 64;

export class AccessRecord {
  /** Forward-decayed access count (see the file comment). */
  freq = 0;
  /** Epoch ms of the last recorded access. */
  lastAccess = 0;
  /** Forward-decayed accesses per hour of day. */
  readonly hours = new Float64Array(24);
  users: string[] | undefined;
  /** Forward-decayed accesses per user, parallel to `users`. */
  userWeights: number[] | undefined;
  /** Position in the log's array, for O(1) removal. */
  slot = -1;
  /** Scratch: the score of the run being planned. */
  score = 0;
  /** In L1 because a warming run put it there; cleared when it leaves L1. */
  warmed = false;
  /** Read from L1 since it was warmed. */
  used = false;

  constructor(
    readonly namespace: string,
    readonly key: string,
  ) {}

  /** Forward-decayed count of accesses attributed to `user` (0 when unknown). */
  weightOf(user: string): number {
    const i = this.users?.indexOf(user) ?? -1;
    return i === -1 ? 0 : this.userWeights![i];
  }

  /** Forward-decayed count of accesses attributed to any user. */
  attributedWeight(): number {
    let sum = 0;
    if (this.userWeights) for (const w of this.userWeights) sum += w;
    return sum;
  }
}

/** A saved log: rows relative to `landmark` with half-life `halfLifeMs`. */
export interface AccessLogSnapshot {
  landmark: number;
  halfLifeMs: number;
  rows: AccessRow[];
}

/** [namespace, key, freq, lastAccess, hours (24), users, user weights]: compact for msgpack. */
export type AccessRow = [string, string, number, number, number[], string[], number[]];

export class AccessLog {
  readonly hourOfDay: HourOfDay;
  private readonly index = new Map<string, Map<string, AccessRecord>>();
  private readonly all: AccessRecord[] = [];
  private landmark: number;
  private lastNow = Number.NaN;
  private lastFactor = 1;

  constructor(
    readonly options: ResolvedAccessLogOptions,
    private readonly clock: Clock,
  ) {
    this.landmark = clock.now();
    this.hourOfDay = new HourOfDay(options.timezoneOffset);
  }

  get size(): number {
    return this.all.length;
  }

  /** Every remembered key, in no particular order. Do not keep it across awaits. */
  records(): readonly AccessRecord[] {
    return this.all;
  }

  get(key: string, namespace: string): AccessRecord | undefined {
    return this.index.get(namespace)?.get(key);
  }

  /** Records an access of `weight` (1 = one read) at the clock's current time. */
  record(
    key: string,
    namespace: string,
    weight: number,
    user: string | undefined,
  ): AccessRecord | undefined {
    if (weight <= 0) return this.get(key, namespace);
    const now = this.clock.now();
    const w = weight * this.factor(now);
    let rec = this.get(key, namespace);
    if (rec === undefined) rec = this.insert(key, namespace);
    rec.freq += w;
    if (now > rec.lastAccess) rec.lastAccess = now;
    rec.hours[this.hourOfDay.hourAt(now)] += w;
    if (user !== undefined) this.addUser(rec, user, w);
    return rec;
  }

  /**
   * Converts a stored (forward-decayed) value into the decayed count as of now: for display and
   * tests; rankings compare stored values directly.
   */
  decayedCount(stored: number): number {
    return stored / this.factor(this.clock.now());
  }

  snapshot(): AccessLogSnapshot {
    const rows = this.all.map((r): AccessRow => [
      r.namespace,
      r.key,
      r.freq,
      r.lastAccess,
      Array.from(r.hours),
      r.users ? [...r.users] : [],
      r.userWeights ? [...r.userWeights] : [],
    ]);
    return { landmark: this.landmark, halfLifeMs: this.options.halfLifeMs, rows };
  }

  /**
   * Adds a saved log's counts to this one (rescaled to this log's landmark), keeping the later
   * last access. Malformed rows are skipped; returns how many rows were merged.
   */
  merge(snapshot: AccessLogSnapshot): number {
    const scale = Math.pow(2, (snapshot.landmark - this.landmark) / this.options.halfLifeMs);
    if (!Number.isFinite(scale)) return 0;
    let merged = 0;
    for (const row of snapshot.rows) {
      if (!isRow(row)) continue;
      const [namespace, key, freq, lastAccess, hours, users, weights] = row;
      const rec = this.get(key, namespace) ?? this.insert(key, namespace);
      rec.freq += freq * scale;
      if (lastAccess > rec.lastAccess) rec.lastAccess = lastAccess;
      for (let h = 0; h < 24; h++) rec.hours[h] += hours[h] * scale;
      for (let i = 0; i < users.length; i++) this.addUser(rec, users[i], weights[i] * scale);
      merged++;
    }
    return merged;
  }

  /**
   * 2^((now − landmark)/H), moving the landmark first when it lags too far behind. Reused while
   * the clock moves less than H/2^16 (a relative error under 1.1e-5), which spares a Math.pow on
   * nearly every access.
   */
  private factor(now: number): number {
    const since = now - this.lastNow;
    if (since >= 0 && since < this.options.halfLifeMs / 65_536) return this.lastFactor;
    let exponent = (now - this.landmark) / this.options.halfLifeMs;
    if (exponent > REBASE_AFTER) {
      this.rebase(Math.floor(exponent));
      exponent = (now - this.landmark) / this.options.halfLifeMs;
    }
    this.lastNow = now;
    this.lastFactor = Math.pow(2, exponent);
    return this.lastFactor;
  }

  private rebase(halfLives: number): void {
    const scale = Math.pow(2, -halfLives);
    for (const rec of this.all) {
      rec.freq *= scale;
      for (let h = 0; h < 24; h++) rec.hours[h] *= scale;
      if (rec.userWeights)
        for (let i = 0; i < rec.userWeights.length; i++) rec.userWeights[i] *= scale;
    }
    this.landmark += halfLives * this.options.halfLifeMs;
    this.lastNow = Number.NaN;
  }

  private insert(key: string, namespace: string): AccessRecord {
    if (this.all.length >= this.options.maxKeys) this.evictOne();
    const rec = new AccessRecord(namespace, key);
    let keys = this.index.get(namespace);
    if (keys === undefined) this.index.set(namespace, (keys = new Map()));
    keys.set(key, rec);
    rec.slot = this.all.length;
    this.all.push(rec);
    return rec;
  }

  /** Forgets the lowest-frequency key of a random sample: O(1), close to the true minimum. */
  private evictOne(): void {
    const all = this.all;
    let victim = all[Math.floor(Math.random() * all.length)];
    for (let i = 1; i < EVICTION_SAMPLE; i++) {
      const candidate = all[Math.floor(Math.random() * all.length)];
      if (candidate.freq < victim.freq) victim = candidate;
    }
    const last = all.pop()!;
    if (last !== victim) {
      all[victim.slot] = last;
      last.slot = victim.slot;
    }
    const keys = this.index.get(victim.namespace)!;
    keys.delete(victim.key);
    if (keys.size === 0) this.index.delete(victim.namespace);
  }

  private addUser(rec: AccessRecord, user: string, w: number): void {
    if (rec.users === undefined) {
      rec.users = [user];
      rec.userWeights = [w];
      return;
    }
    const weights = rec.userWeights!;
    const i = rec.users.indexOf(user);
    if (i !== -1) {
      weights[i] += w;
      return;
    }
    if (rec.users.length < this.options.maxUsersPerKey) {
      rec.users.push(user);
      weights.push(w);
      return;
    }
    let min = 0;
    for (let j = 1; j < weights.length; j++) if (weights[j] < weights[min]) min = j;
    if (weights[min] <= w) {
      rec.users[min] = user;
      weights[min] = w;
    }
  }
}

function isRow(row: unknown): row is AccessRow {
  if (!Array.isArray(row) || row.length !== 7) return false;
  const [namespace, key, freq, last, hours, users, weights] = row as unknown[];
  return (
    typeof namespace === "string" &&
    typeof key === "string" &&
    typeof freq === "number" &&
    Number.isFinite(freq) &&
    typeof last === "number" &&
    Array.isArray(hours) &&
    hours.length === 24 &&
    hours.every((h) => typeof h === "number" && Number.isFinite(h)) &&
    Array.isArray(users) &&
    Array.isArray(weights) &&
    users.length === weights.length &&
    users.every((u) => typeof u === "string") &&
    weights.every((w) => typeof w === "number" && Number.isFinite(w))
  );
}

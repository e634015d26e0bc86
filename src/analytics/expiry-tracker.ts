import type { Tier } from "../multilevel/types.js";
import { LogLinearHistogram } from "./log-linear-histogram.js";

/** What the expiry sample shows for one tier. */
export interface ExpiryFindings {
  tier: Tier;
  /** Sampled entries that expired. */
  expired: number;
  /** Of those, how many were read again after expiring (before being written again). */
  readAfterExpiry: number;
  /** Median time from expiry to that read, ms. */
  medianDelayMs: number;
  /** 75th percentile of that time, ms. */
  p75DelayMs: number;
  /** Median TTL those entries were written with, ms; 0 when unknown. */
  medianTtlMs: number;
}

const TIERS: readonly Tier[] = ["l1", "l2"];

/**
 * Finds entries that expire shortly before they are needed again. A fixed fraction of keys
 * (chosen by hash, so a key is either always or never sampled) is followed: the TTL it was
 * written with, when it expired, and whether a read came after the expiry. Rings of fixed size
 * bound the memory; only sampled keys ever read the clock.
 */
export class ExpiryTracker {
  private readonly sampleMask: number;
  private readonly ttlSlot = new Map<number, number>();
  private readonly ttlIds: Int32Array;
  private readonly ttlValues: Float64Array;
  private ttlNext = 0;
  private readonly expiredSlot = new Map<number, number>();
  private readonly expiredIds: Int32Array;
  private readonly expiredAt: Float64Array;
  private readonly expiredTtl: Float64Array;
  private readonly expiredTier: Uint8Array;
  private expiredNext = 0;
  private readonly expired = new Float64Array(2);
  private readonly rereads = new Float64Array(2);
  private readonly delays = [new LogLinearHistogram(3, 31), new LogLinearHistogram(3, 31)];
  private readonly ttls = [new LogLinearHistogram(3, 31), new LogLinearHistogram(3, 31)];

  /**
   * @param capacity entries followed at once (per ring)
   * @param sampleShift follow keys whose hash is 0 modulo `2^sampleShift`
   */
  constructor(
    readonly capacity = 4096,
    sampleShift = 3,
  ) {
    this.sampleMask = (1 << sampleShift) - 1;
    this.ttlIds = new Int32Array(capacity).fill(-1);
    this.ttlValues = new Float64Array(capacity);
    this.expiredIds = new Int32Array(capacity).fill(-1);
    this.expiredAt = new Float64Array(capacity);
    this.expiredTtl = new Float64Array(capacity);
    this.expiredTier = new Uint8Array(capacity);
  }

  /** True when the key with this hash is followed; callers skip the clock otherwise. */
  sampled(hash: number): boolean {
    return (hash & this.sampleMask) === 0;
  }

  /** A sampled key was written; `ttlMs` 0 = no expiry. Cancels a pending expiry. */
  onSet(hash: number, ttlMs: number): void {
    const id = hash;
    const pending = this.expiredSlot.get(id);
    if (pending !== undefined) {
      this.expiredSlot.delete(id);
      this.expiredIds[pending] = -1;
    }
    let slot = this.ttlSlot.get(id);
    if (slot === undefined) {
      slot = this.ttlNext;
      this.ttlNext = (this.ttlNext + 1) % this.capacity;
      const old = this.ttlIds[slot];
      if (old !== -1 && this.ttlSlot.get(old) === slot) this.ttlSlot.delete(old);
      this.ttlIds[slot] = id;
      this.ttlSlot.set(id, slot);
    }
    this.ttlValues[slot] = ttlMs;
  }

  /** A sampled key expired from `tier` at `now`. */
  onExpire(hash: number, tier: Tier, now: number): void {
    const id = hash;
    const t = tier === "l1" ? 0 : 1;
    this.expired[t]++;
    const ttlSlot = this.ttlSlot.get(id);
    const ttl = ttlSlot === undefined ? 0 : this.ttlValues[ttlSlot];
    if (ttl > 0) this.ttls[t].record(ttl);
    let slot = this.expiredSlot.get(id);
    if (slot === undefined) {
      slot = this.expiredNext;
      this.expiredNext = (this.expiredNext + 1) % this.capacity;
      const old = this.expiredIds[slot];
      if (old !== -1 && this.expiredSlot.get(old) === slot) this.expiredSlot.delete(old);
      this.expiredIds[slot] = id;
      this.expiredSlot.set(id, slot);
    }
    this.expiredAt[slot] = now;
    this.expiredTtl[slot] = ttl;
    this.expiredTier[slot] = t;
  }

  /** True while some sampled key has expired and not been read or written since. */
  hasPending(): boolean {
    return this.expiredSlot.size > 0;
  }

  /** True when a read of this sampled key would complete a pending expiry (worth a clock read). */
  pending(hash: number): boolean {
    return this.expiredSlot.has(hash);
  }

  /** A sampled key was read at `now`. */
  onRead(hash: number, now: number): void {
    const id = hash;
    const slot = this.expiredSlot.get(id);
    if (slot === undefined) return;
    this.expiredSlot.delete(id);
    this.expiredIds[slot] = -1;
    const t = this.expiredTier[slot];
    this.rereads[t]++;
    this.delays[t].record(Math.max(0, now - this.expiredAt[slot]));
  }

  findings(): ExpiryFindings[] {
    return TIERS.map((tier, t) => ({
      tier,
      expired: this.expired[t],
      readAfterExpiry: this.rereads[t],
      medianDelayMs: this.delays[t].quantile(0.5),
      p75DelayMs: this.delays[t].quantile(0.75),
      medianTtlMs: this.ttls[t].quantile(0.5),
    }));
  }
}

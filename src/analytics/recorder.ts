import type { Clock } from "../core/clock.js";
import { MAX_DURATION_US } from "../multilevel/read-observers.js";
import type { L1HitTally } from "../multilevel/hit-tally.js";
import type { AccessResult, CacheEvents, ReadObserver } from "../multilevel/types.js";
import { Counter, ErrorCounters, NamespaceCounters, evictionCounter } from "./counters.js";
import { ExpiryTracker } from "./expiry-tracker.js";
import { HotKeyTracker } from "./hot-keys.js";
import { KeyTable } from "./key-table.js";
import { L1Slots, MAX_L1_SLOTS } from "./l1-slots.js";
import { LogLinearHistogram } from "./log-linear-histogram.js";
import { ShardsMrc } from "./shards.js";
import { TalliedHits, type TallySink } from "./tallied-hits.js";
import type { AnalyticsEventSource } from "./types.js";

/** Results of a read, in the order of {@link EventRecorder.readLatency}. */
export const READ_RESULTS = ["l1_hit", "l2_hit", "miss", "stale"] as const;

/** Latency histograms count microseconds: 16 buckets per power of two up to ~35 minutes. */
export function latencyHistogram(): LogLinearHistogram {
  return new LogLinearHistogram(4, 31);
}

export interface RecorderOptions {
  hasL2: boolean;
  maxNamespaces: number;
  hotKeys: { window: number; capacity: number } | undefined;
  mrc: { sampleKeys: number; maxSamplingRate: number } | undefined;
  clock: Clock;
}

/**
 * Turns cache events into counters, histograms and sketches. Reads arrive through
 * {@link onRead}, as a read observer of the cache (`observeReads`) or from `access` events; every
 * other listener works on the event's fields directly and keeps no reference to the payload (the
 * cache reuses it).
 *
 * An L1 hit, the read that matters for speed, mostly never reaches the recorder: while it is a
 * MultiLevelCache's only read observer, the cache tallies the hits of slots the recorder armed,
 * and {@link TalliedHits} adds them up in bulk (see L1HitTally). A hit that does arrive costs a
 * comparison of the key with the one its L1 slot held last time, a counter increment at the base
 * that slot remembers, a histogram bucket when the cache timed the read (else a count), an
 * increment of the slot's hot-key count and the SHARDS threshold test on the slot's remembered
 * hash: no lookup and no clock. Other reads look their key up once (a Map) for the same work, and
 * the expiry sample's clock read for the few keys it follows.
 */
export class EventRecorder implements ReadObserver {
  readonly counters: NamespaceCounters;
  /** {@link counters}' values, one field load nearer. */
  private readonly counterValues: Float64Array;
  readonly errors = new ErrorCounters();
  /** Read latency by result, µs (see {@link READ_RESULTS}). */
  readonly readLatency = READ_RESULTS.map(latencyHistogram);
  /** Loader latency: [ok, error], µs. */
  readonly loadLatency = [latencyHistogram(), latencyHistogram()];
  readonly hotKeys: HotKeyTracker | undefined;
  readonly mrc: ShardsMrc | undefined;
  readonly expiry = new ExpiryTracker();
  private readonly keys: KeyTable;
  private readonly slots = new L1Slots();
  /** Per read result, reads since its last timed one (see {@link timed}). */
  private readonly untimed = new Float64Array(READ_RESULTS.length);
  /** The L1 hits the cache tallies for this recorder, while it does (see {@link tallyHits}). */
  private tallied: TalliedHits | undefined;
  tagInvalidations = 0;
  private readonly hasL2: boolean;
  private readonly clock: Clock;
  private detachAll: (() => void) | undefined;

  constructor(options: RecorderOptions) {
    this.hasL2 = options.hasL2;
    this.clock = options.clock;
    this.counters = new NamespaceCounters(options.maxNamespaces);
    this.counterValues = this.counters.values;
    // One table for both sketches: a read looks its key up once.
    this.keys = new KeyTable(Math.max(16_384, 2 * (options.hotKeys?.capacity ?? 0)));
    if (options.hotKeys)
      this.hotKeys = new HotKeyTracker(
        options.hotKeys.window,
        options.hotKeys.capacity,
        this.keys,
        this.slots,
      );
    if (options.mrc !== undefined)
      this.mrc = new ShardsMrc(
        options.mrc.sampleKeys,
        options.mrc.maxSamplingRate,
        () => this.reads,
      );
  }

  /**
   * Takes the hits the cache has tallied so far, so that counters, hot keys and the miss-ratio
   * curve's reference count include every read: call before reading any of them out.
   */
  settle(): void {
    const tallied = this.tallied;
    if (tallied === undefined) return;
    tallied.catchUp();
    tallied.fold();
    tallied.allow();
  }

  /** Reads recorded (after {@link settle}): every read is an L1 hit or an L1 miss. */
  get reads(): number {
    return this.counters.total(Counter.L1_HIT) + this.counters.total(Counter.L1_MISS);
  }

  /**
   * Starts recording. `observeReads` (a MultiLevelCache's) delivers reads without an `access`
   * payload; without it reads come from `access` events.
   */
  attach(
    events: AnalyticsEventSource,
    observeReads?: (observer: ReadObserver) => () => void,
  ): void {
    const subscriptions: (() => void)[] = [];
    const on = <E extends keyof CacheEvents>(
      event: E,
      listener: (payload: CacheEvents[E]) => void,
    ): void => {
      events.on(event, listener);
      subscriptions.push(() => events.off(event, listener));
    };
    if (observeReads !== undefined) subscriptions.push(observeReads(this));
    else {
      on("access", (e) =>
        this.onRead(e.key, e.namespace, e.result, microseconds(e.durationMs), e.l1Slot ?? -1),
      );
    }
    on("set", this.onSet);
    on("delete", this.onDelete);
    on("clear", this.onClear);
    on("evict", this.onEvict);
    on("expire", this.onExpire);
    on("promote", this.onPromote);
    on("demote", this.onDemote);
    on("load", this.onLoad);
    on("error", this.onError);
    on("invalidateTag", this.onInvalidateTag);
    this.detachAll = () => subscriptions.forEach((off) => off());
  }

  detach(): void {
    this.detachAll?.();
    this.detachAll = undefined;
  }

  private hash(namespace: string, key: string): number {
    return this.keys.hashes[this.keys.id(namespace, key)];
  }

  /**
   * One read (see ReadObserver). The L1 hit of a key whose slot is known is written out here in
   * full, with the sketches' counting inline (the hot-key countdown, the SHARDS threshold): without
   * a tally (another observer shares the reads) this runs on every read, inside the cache's `get`,
   * where V8 runs out of inlining budget for anything deeper.
   */
  onRead(
    key: string,
    namespace: string,
    result: AccessResult,
    durationUs: number,
    l1Slot: number,
  ): void {
    const tallied = this.tallied;
    if (tallied !== undefined) tallied.catchUp();
    const slots = this.slots;
    if (
      l1Slot >= 0 &&
      l1Slot < slots.size &&
      slots.names[2 * l1Slot] === key &&
      slots.names[2 * l1Slot + 1] === namespace &&
      result === "l1_hit"
    ) {
      this.counterValues[slots.bases[l1Slot] + Counter.L1_HIT]++;
      if (durationUs >= 0) this.timed(0, durationUs);
      else this.untimed[0]++;
      const hotKeys = this.hotKeys;
      if (hotKeys !== undefined) {
        slots.count(l1Slot);
        if (--hotKeys.untilTurn <= 0) hotKeys.turn();
      }
      const mrc = this.mrc;
      if (mrc !== undefined) {
        const hash = slots.hashes[l1Slot];
        if (hash < mrc.threshold) mrc.sampledAccess(hash, namespace);
      }
      if (tallied !== undefined && !tallied.isArmed(l1Slot)) tallied.arm(l1Slot);
    } else if (result === "l1_hit" && l1Slot >= 0 && l1Slot < MAX_L1_SLOTS) {
      this.claim(l1Slot, key, namespace);
      this.onRead(key, namespace, result, durationUs, l1Slot);
    } else {
      this.otherRead(key, namespace, result, durationUs);
    }
    if (tallied !== undefined) tallied.allow();
  }

  /**
   * Lets the cache tally L1 hits while this is its only read observer (see L1HitTally), or stops
   * it (`undefined`), taking every hit tallied.
   */
  tallyHits(tally: L1HitTally | undefined): void {
    this.tallied?.stop();
    this.tallied = tally === undefined ? undefined : new TalliedHits(tally, this.tallySink());
  }

  /** What hits the cache tallied are added to. */
  private tallySink(): TallySink {
    return {
      counterValues: this.counterValues,
      slots: this.slots,
      l1HitLatency: this.readLatency[0],
      untimed: this.untimed,
      hotKeys: this.hotKeys,
      mrc: this.mrc,
    };
  }

  /** `slot` holds `key` now: what the hot-key tracker counted for its previous key moves on. */
  private claim(slot: number, key: string, namespace: string): void {
    const slots = this.slots;
    // Hits tallied on the slot were its previous key's: they go with it.
    this.tallied?.settle(slot);
    if (this.hotKeys !== undefined && slots.claimed(slot)) {
      this.hotKeys.releaseSlot(slot, slots.keyAt(slot), slots.namespaceAt(slot));
    }
    slots.claim(slot, key, namespace, this.counters.base(namespace), this.counters.seed(namespace));
  }

  /** A read that names no L1 slot: a miss, an L2 hit or a stale value (or an unnamed L1 hit). */
  private otherRead(
    key: string,
    namespace: string,
    result: AccessResult,
    durationUs: number,
  ): void {
    const v = this.counterValues;
    const base = this.counters.base(namespace);
    let r: number;
    if (result === "l1_hit") {
      v[base + Counter.L1_HIT]++;
      r = 0;
    } else {
      v[base + Counter.L1_MISS]++;
      if (result === "l2_hit") {
        v[base + Counter.L2_HIT]++;
        r = 1;
      } else {
        if (this.hasL2) v[base + Counter.L2_MISS]++;
        if (result === "stale") {
          v[base + Counter.STALE]++;
          r = 3;
        } else {
          v[base + Counter.MISS]++;
          r = 2;
        }
      }
    }
    if (durationUs >= 0) this.timed(r, durationUs);
    else this.untimed[r]++;
    const hotKeys = this.hotKeys;
    const mrc = this.mrc;
    // The expiry sample needs the hash on misses while an expired key awaits its read (an L1 hit
    // can never be the first read after an expiry: re-setting the key ends the wait).
    const check = r !== 0 && this.expiry.hasPending();
    if (hotKeys === undefined && mrc === undefined && !check) return;
    const id = this.keys.id(namespace, key);
    if (hotKeys !== undefined) hotKeys.recordId(id, key, namespace);
    const h = this.keys.hashes[id];
    if (mrc !== undefined && h < mrc.threshold) mrc.sampledAccess(h, namespace);
    if (check && this.expiry.sampled(h) && this.expiry.pending(h))
      this.expiry.onRead(h, this.clock.now());
  }

  /**
   * A timed read, of result `r` (see {@link READ_RESULTS}). The cache times only some reads: a
   * timed one stands for the untimed reads of its result before it, so the histograms keep the
   * true mix of results.
   */
  private timed(r: number, durationUs: number): void {
    this.readLatency[r].record(durationUs, this.untimed[r] + 1);
    this.untimed[r] = 0;
  }

  private readonly onSet = (e: CacheEvents["set"]): void => {
    // What the cache tallied came before this write.
    this.tallied?.catchUp();
    this.counters.values[this.counters.base(e.namespace) + Counter.SET]++;
    const h = this.hash(e.namespace, e.key);
    if (this.mrc !== undefined) this.mrc.touch(h, e.namespace);
    if (this.expiry.sampled(h)) {
      this.expiry.onSet(h, e.expiresAt > 0 ? Math.max(0, e.expiresAt - this.clock.now()) : 0);
    }
  };

  private readonly onDelete = (e: CacheEvents["delete"]): void => {
    this.tallied?.catchUp();
    this.counters.values[this.counters.base(e.namespace) + Counter.DELETE]++;
    if (this.mrc !== undefined) this.mrc.remove(this.hash(e.namespace, e.key));
  };

  private readonly onClear = (e: CacheEvents["clear"]): void => {
    this.tallied?.catchUp();
    if (e.namespace !== undefined)
      this.counters.values[this.counters.base(e.namespace) + Counter.CLEAR]++;
    this.mrc?.clear(e.namespace);
  };

  private readonly onEvict = (e: CacheEvents["evict"]): void => {
    this.counters.values[this.counters.base(e.namespace) + evictionCounter(e.tier, e.reason)]++;
  };

  private readonly onExpire = (e: CacheEvents["expire"]): void => {
    this.tallied?.catchUp();
    const tier = e.tier;
    this.counters.values[
      this.counters.base(e.namespace) + (tier === "l1" ? Counter.EXPIRE_L1 : Counter.EXPIRE_L2)
    ]++;
    const h = this.hash(e.namespace, e.key);
    // An expired L1 entry is gone at every L1 size: the model drops it too.
    if (tier === "l1" && this.mrc !== undefined) this.mrc.remove(h);
    if (this.expiry.sampled(h)) this.expiry.onExpire(h, tier, this.clock.now());
  };

  private readonly onPromote = (e: CacheEvents["promote"]): void => {
    this.counters.values[this.counters.base(e.namespace) + Counter.PROMOTE]++;
  };

  private readonly onDemote = (e: CacheEvents["demote"]): void => {
    this.counters.values[this.counters.base(e.namespace) + Counter.DEMOTE]++;
  };

  private readonly onLoad = (e: CacheEvents["load"]): void => {
    const base = this.counters.base(e.namespace);
    this.counters.values[base + Counter.LOAD]++;
    const failed = e.error !== undefined && e.error !== null;
    if (failed) this.counters.values[base + Counter.LOAD_ERROR]++;
    this.loadLatency[failed ? 1 : 0].record(e.durationMs * 1000);
  };

  private readonly onError = (e: CacheEvents["error"]): void => {
    this.errors.add(e.tier, e.operation);
  };

  private readonly onInvalidateTag = (): void => {
    this.tagInvalidations++;
  };
}

/** A duration in ms as whole microseconds, -1 when not timed (NaN or negative). */
export function microseconds(ms: number): number {
  return ms >= 0 ? Math.min(Math.round(ms * 1000), MAX_DURATION_US) : -1;
}

import type { Clock } from "../core/clock.js";
import type { CacheEvents } from "../multilevel/types.js";
import { Counter, ErrorCounters, NamespaceCounters, evictionCounter } from "./counters.js";
import { ExpiryTracker } from "./expiry-tracker.js";
import { HotKeyTracker } from "./hot-keys.js";
import { KeyRecord, KeyTable } from "./key-table.js";
import { LogLinearHistogram } from "./log-linear-histogram.js";
import { ShardsMrc } from "./shards.js";
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
 * Turns cache events into counters, histograms and sketches. Every listener works on the event's
 * fields directly and keeps no reference to the payload (the cache reuses it). Per read it does a
 * few typed-array increments, a histogram bucket when the cache timed the read, one look at the
 * key's record (by L1 slot on an L1 hit, else a Map lookup), a Space-Saving increment and a
 * threshold test for SHARDS; the clock is read only for the few keys the expiry sample follows.
 */
export class EventRecorder {
  readonly counters: NamespaceCounters;
  readonly errors = new ErrorCounters();
  /** Read latency by result, µs (see {@link READ_RESULTS}). */
  readonly readLatency = READ_RESULTS.map(latencyHistogram);
  /** Loader latency: [ok, error], µs. */
  readonly loadLatency = [latencyHistogram(), latencyHistogram()];
  readonly hotKeys: HotKeyTracker | undefined;
  readonly mrc: ShardsMrc | undefined;
  readonly expiry = new ExpiryTracker();
  private readonly keys: KeyTable;
  /** Per read result, reads since its last timed one (see {@link onAccess}). */
  private readonly untimed = new Float64Array(READ_RESULTS.length);
  reads = 0;
  tagInvalidations = 0;
  private readonly hasL2: boolean;
  private readonly clock: Clock;
  private detachAll: (() => void) | undefined;

  constructor(options: RecorderOptions) {
    this.hasL2 = options.hasL2;
    this.clock = options.clock;
    this.counters = new NamespaceCounters(options.maxNamespaces);
    // One table for both sketches: a read looks its key up once.
    this.keys = new KeyTable(Math.max(16_384, 2 * (options.hotKeys?.capacity ?? 0)));
    if (options.hotKeys)
      this.hotKeys = new HotKeyTracker(options.hotKeys.window, options.hotKeys.capacity, this.keys);
    if (options.mrc !== undefined)
      this.mrc = new ShardsMrc(options.mrc.sampleKeys, options.mrc.maxSamplingRate);
  }

  attach(events: AnalyticsEventSource): void {
    const subscriptions: (() => void)[] = [];
    const on = <E extends keyof CacheEvents>(
      event: E,
      listener: (payload: CacheEvents[E]) => void,
    ): void => {
      events.on(event, listener);
      subscriptions.push(() => events.off(event, listener));
    };
    on("access", this.onAccess);
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

  private readonly onAccess = (e: CacheEvents["access"]): void => {
    const { key, namespace, result } = e;
    const v = this.counters.values;
    const base = this.counters.base(namespace);
    this.reads++;
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
    // The cache times only some reads (NaN on the others): a timed read stands for the untimed
    // reads of its result before it, so the histograms keep the true mix of results.
    const ms = e.durationMs;
    if (ms >= 0) {
      // Whole microseconds: an integer stays unboxed on its way into the histogram.
      this.readLatency[r].record((ms * 1000 + 0.5) | 0, this.untimed[r] + 1);
      this.untimed[r] = 0;
    } else {
      this.untimed[r]++;
    }
    const hotKeys = this.hotKeys;
    const mrc = this.mrc;
    // The expiry sample needs the hash on misses while an expired key awaits its read (an L1 hit
    // can never be the first read after an expiry: re-setting the key ends the wait).
    const check = r !== 0 && this.expiry.hasPending();
    if (hotKeys === undefined && mrc === undefined && !check) return;
    const at = this.keys.recordAt(e.l1Slot, namespace, key);
    const record = this.keys.records;
    if (hotKeys !== undefined) {
      const hint = record[at + KeyRecord.HINT] as number;
      const counter = hotKeys.recordId(record[at + KeyRecord.ID] as number, key, namespace, hint);
      if (counter !== hint) record[at + KeyRecord.HINT] = counter;
    }
    const h = record[at + KeyRecord.HASH] as number;
    if (mrc !== undefined) mrc.access(h, namespace);
    if (check && this.expiry.sampled(h) && this.expiry.pending(h))
      this.expiry.onRead(h, this.clock.now());
  };

  private readonly onSet = (e: CacheEvents["set"]): void => {
    this.counters.values[this.counters.base(e.namespace) + Counter.SET]++;
    const h = this.hash(e.namespace, e.key);
    if (this.mrc !== undefined) this.mrc.touch(h, e.namespace);
    if (this.expiry.sampled(h)) {
      this.expiry.onSet(h, e.expiresAt > 0 ? Math.max(0, e.expiresAt - this.clock.now()) : 0);
    }
  };

  private readonly onDelete = (e: CacheEvents["delete"]): void => {
    this.counters.values[this.counters.base(e.namespace) + Counter.DELETE]++;
    if (this.mrc !== undefined) this.mrc.remove(this.hash(e.namespace, e.key));
  };

  private readonly onClear = (e: CacheEvents["clear"]): void => {
    if (e.namespace !== undefined)
      this.counters.values[this.counters.base(e.namespace) + Counter.CLEAR]++;
    this.mrc?.clear(e.namespace);
  };

  private readonly onEvict = (e: CacheEvents["evict"]): void => {
    this.counters.values[this.counters.base(e.namespace) + evictionCounter(e.tier, e.reason)]++;
  };

  private readonly onExpire = (e: CacheEvents["expire"]): void => {
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

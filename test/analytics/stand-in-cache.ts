import { TypedEmitter } from "../../src/core/events.js";
import type {
  AccessResult,
  CacheEvents,
  MultiLevelCacheStats,
} from "../../src/multilevel/types.js";

/**
 * A stand-in with the MultiLevelCache's observable surface (events, getStats, l1): unit tests feed
 * it exact event sequences. Like the real cache it reuses one `access` payload object, so a
 * listener that kept a reference would see it change.
 */
export class StandInCache {
  readonly events = new TypedEmitter<CacheEvents>();
  readonly l1: {
    options: { maxSize: number; maxBytes: number };
    getStats: () => { size: number; bytes: number };
  };
  l1Size = 0;
  l1Bytes = 0;
  l2Size = 0;
  private readonly payload: CacheEvents["access"] = {
    key: "",
    namespace: "",
    result: "miss",
    durationMs: 0,
  };

  constructor(
    maxSize = 1000,
    private readonly withL2 = true,
    maxBytes = 0,
  ) {
    this.l1 = {
      options: { maxSize, maxBytes },
      getStats: () => ({ size: this.l1Size, bytes: this.l1Bytes }),
    };
  }

  /** Emits one `access`; `l1Slot` as the real cache would name the L1 slot of an `l1_hit`. */
  read(
    key: string,
    result: AccessResult,
    durationMs = 0.01,
    namespace = "default",
    l1Slot?: number,
  ): void {
    const p = this.payload;
    p.key = key;
    p.namespace = namespace;
    p.result = result;
    p.durationMs = durationMs;
    p.l1Slot = l1Slot;
    this.events.emit("access", p);
  }

  getStats(): MultiLevelCacheStats {
    const tier = { hits: 0, misses: 0, hitRate: 0, evictions: 0 };
    return {
      l1: { ...tier, size: this.l1Size },
      l2: this.withL2 ? { ...tier, size: this.l2Size, errors: 0 } : undefined,
      combinedHitRate: 0,
      hits: 0,
      misses: 0,
      promotions: 0,
      demotions: 0,
      staleServed: 0,
      loads: 0,
      loadErrors: 0,
      writeBackQueueDepth: 0,
      droppedWrites: 0,
      flushes: 0,
      flushedEntries: 0,
    };
  }
}

import type { TypedEmitter } from "../core/events.js";
import type { InvalidationEvent } from "../bus/bus.js";
import type { MemoryStore } from "../stores/memory.js";
import type { FailSafeL2 } from "./fail-safe.js";
import type { LockSetup } from "./l2-factory.js";
import type { ResolvedMultiLevelOptions } from "./options.js";
import type { SingleFlight } from "./single-flight.js";
import type { CacheCounters } from "./stats.js";
import type { AccessResult, CacheEvents } from "./types.js";
import type { WriteBackQueue } from "./write-back.js";
import type { WriteTracker } from "./write-tracker.js";

/** What one `getOrSet` load gives every caller that waited for it. */
export interface LoadOutcome {
  value: unknown;
  result: AccessResult;
}

/** The parts of one MultiLevelCache that its read, write and load paths share. */
export interface CacheContext {
  readonly l1: MemoryStore;
  readonly l2: FailSafeL2 | undefined;
  readonly queue: WriteBackQueue | undefined;
  readonly tracker: WriteTracker;
  readonly flights: SingleFlight<LoadOutcome>;
  readonly counters: CacheCounters;
  readonly events: TypedEmitter<CacheEvents>;
  readonly options: ResolvedMultiLevelOptions;
  /** L1's default TTL in ms, which also caps how long a promoted entry stays in L1. */
  readonly l1TtlMs: number;
  /** The cross-process loader lock, when one is configured. */
  readonly lock: LockSetup | undefined;
  /** Tells the other processes what changed; absent without a bus. Never throws. */
  readonly publish: ((event: InvalidationEvent) => Promise<void>) | undefined;
}

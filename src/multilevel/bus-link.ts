/**
 * Keeps L1 coherent across processes that share an L2: every local change is published on the
 * invalidation bus, and what other processes changed is dropped from this process's L1 (never
 * from L2, which they already changed, nor from the write-back queue, which holds newer local
 * writes). While the bus is disconnected, messages may be missed, so L1 is dropped and bypassed
 * (reads go to L2) until it is back, when L1 is dropped once more.
 */
import type { InvalidationBus, InvalidationEvent, InvalidationMessage } from "../bus/bus.js";
import { MemoryBus } from "../bus/memory.js";
import { RedisBus } from "../bus/redis.js";
import type { ResolvedMultiLevelOptions } from "./options.js";
import type { MemoryStore } from "../stores/memory.js";
import type { LoadOutcome } from "./context.js";
import type { SingleFlight } from "./single-flight.js";
import type { WriteTracker } from "./write-tracker.js";

export interface BusLinkTargets {
  l1: MemoryStore;
  tracker: WriteTracker;
  flights: SingleFlight<LoadOutcome>;
  onError(operation: string, error: unknown): void;
  /** Tells the cache whether L1 may answer reads (false while invalidations may be missed). */
  setL1Trusted(trusted: boolean): void;
}

export class BusLink {
  private readonly unsubscribe: (() => void)[];

  constructor(
    readonly bus: InvalidationBus,
    private readonly targets: BusLinkTargets,
  ) {
    this.unsubscribe = [
      bus.subscribe((message) => this.apply(message)),
      bus.onDisconnect(() => {
        this.targets.setL1Trusted(false);
        this.dropAll();
      }),
      bus.onReconnect(() => {
        this.dropAll();
        this.targets.setL1Trusted(true);
      }),
    ];
  }

  /** Publishes a local change; a failure is reported, never thrown (the write itself succeeded). */
  readonly publish = async (event: InvalidationEvent): Promise<void> => {
    try {
      await this.bus.publish(event);
    } catch (error) {
      this.targets.onError("bus.publish", error);
    }
  };

  /** Stops listening; the bus itself is closed by whoever owns it. */
  detach(): void {
    for (const off of this.unsubscribe) off();
  }

  private apply(message: InvalidationMessage): void {
    const { l1, tracker, flights } = this.targets;
    const { namespace, key, tag } = message;
    switch (message.type) {
      case "set":
      case "delete":
        if (namespace === undefined || key === undefined) return;
        l1.deleteSync(key, namespace);
        tracker.record(key, namespace);
        flights.forget(key, namespace);
        return;
      case "clear":
        l1.clearSync(namespace);
        tracker.recordAll();
        flights.forgetNamespace(namespace);
        return;
      case "tag":
        if (tag === undefined) return;
        l1.deleteTagSync(tag);
        tracker.recordAll();
        return;
    }
  }

  private dropAll(): void {
    this.targets.l1.clearSync();
    this.targets.tracker.recordAll();
  }
}

/** The bus of a cache's options; `given` when the caller passed an instance (and still owns it). */
export function createBus(
  option: ResolvedMultiLevelOptions["bus"],
): { bus: InvalidationBus; given: boolean } | undefined {
  switch (option.kind) {
    case "none":
      return undefined;
    case "given":
      return { bus: option.bus, given: true };
    case "config": {
      const { config } = option;
      if (config.type === "memory")
        return { bus: new MemoryBus({ hub: config.hub }), given: false };
      return { bus: new RedisBus(config, "bus"), given: false };
    }
  }
}

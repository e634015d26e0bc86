import { TypedEmitter, type Listener } from "../core/events.js";
import type { CacheEvents } from "./types.js";

/**
 * The cache's event emitter. It tells the cache when an event gets its first listener, so the
 * cache subscribes to what L1 reports (an eviction, an expiry) only when someone wants to hear
 * it: a subscribed L1 builds an event payload for every eviction, which the L2-hit path, where
 * each promotion evicts, would otherwise pay for nothing.
 */
export class CacheEmitter extends TypedEmitter<CacheEvents> {
  constructor(private readonly firstListener: (event: keyof CacheEvents) => void) {
    super();
  }

  override on<E extends keyof CacheEvents>(
    event: E,
    listener: Listener<CacheEvents[E]>,
  ): () => void {
    const first = !this.hasListeners(event);
    const off = super.on(event, listener);
    if (first) this.firstListener(event);
    return off;
  }
}

import { TypedEmitter, type Listener } from "../core/events.js";
import type { CacheEvents } from "./types.js";

/**
 * The cache's event emitter. It tells the cache when an event gets its first listener, so the
 * cache subscribes to what L1 reports (an eviction, an expiry) only when someone wants to hear
 * it: a subscribed L1 builds an event payload for every eviction, which the L2-hit path, where
 * each promotion evicts, would otherwise pay for nothing.
 *
 * `access`, emitted on every read, has its listeners in a field of their own: the read path asks
 * {@link listensToAccess} and calls {@link emitAccess}, a field load and a loop, where the
 * general `hasListeners`/`emit` look the event up by name in an object whose shape depends on
 * which events have listeners (a slower, megamorphic lookup once a process has several caches).
 */
export class CacheEmitter extends TypedEmitter<CacheEvents> {
  private accessListeners: Listener<CacheEvents["access"]>[] = [];

  constructor(private readonly firstListener: (event: keyof CacheEvents) => void) {
    super();
  }

  override on<E extends keyof CacheEvents>(
    event: E,
    listener: Listener<CacheEvents[E]>,
  ): () => void {
    const first = !this.hasListeners(event);
    const off = super.on(event, listener);
    if (event === "access") {
      // A new array, so an emit in progress keeps calling the listeners it started with.
      this.accessListeners = [...this.accessListeners, listener as Listener<CacheEvents["access"]>];
    }
    if (first) this.firstListener(event);
    return off;
  }

  override off<E extends keyof CacheEvents>(event: E, listener: Listener<CacheEvents[E]>): void {
    super.off(event, listener);
    if (event !== "access") return;
    const index = this.accessListeners.indexOf(listener as Listener<CacheEvents["access"]>);
    if (index === -1) return;
    this.accessListeners = this.accessListeners.filter((_, i) => i !== index);
  }

  /** True while `access` has listeners. */
  get listensToAccess(): boolean {
    return this.accessListeners.length > 0;
  }

  /** Like `emit("access", payload)`. */
  emitAccess(payload: CacheEvents["access"]): void {
    const list = this.accessListeners;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](payload);
      } catch (error) {
        this.onListenerError(error, "access");
      }
    }
  }
}

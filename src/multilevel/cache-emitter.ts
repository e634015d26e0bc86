import { TypedEmitter, type Listener } from "../core/events.js";
import type { AccessResult, CacheEvents, ReadObserver } from "./types.js";

/**
 * The cache's event emitter. It tells the cache when an event gets its first listener, so the
 * cache subscribes to what L1 reports (an eviction, an expiry) only when someone wants to hear
 * it: a subscribed L1 builds an event payload for every eviction, which the L2-hit path, where
 * each promotion evicts, would otherwise pay for nothing.
 *
 * `access` is emitted on every read, so it goes through the cache's read observers instead of
 * `emit`: while `access` has listeners, this emitter is one of those observers (the cache adds it
 * on the first listener and removes it after the last), fills one reused payload per read and
 * calls the listeners from an array of their own.
 */
export class CacheEmitter extends TypedEmitter<CacheEvents> implements ReadObserver {
  private accessListeners: Listener<CacheEvents["access"]>[] = [];
  /** Reused by every `access` event (see CacheEvents). */
  private readonly payload: CacheEvents["access"] = {
    key: "",
    namespace: "",
    result: "miss",
    durationMs: 0,
    l1Slot: -1,
  };

  /**
   * @param firstListener called when an event gets its first listener
   * @param listeningToAccess called when `access` gets its first listener (true) or loses its last
   */
  constructor(
    private readonly firstListener: (event: keyof CacheEvents) => void,
    private readonly listeningToAccess: (listening: boolean) => void,
  ) {
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
      if (this.accessListeners.length === 1) this.listeningToAccess(true);
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
    if (this.accessListeners.length === 0) this.listeningToAccess(false);
  }

  /** Emits `access` for one read. */
  onRead(
    key: string,
    namespace: string,
    result: AccessResult,
    durationUs: number,
    l1Slot: number,
  ): void {
    const payload = this.payload;
    payload.key = key;
    payload.namespace = namespace;
    payload.result = result;
    payload.durationMs = durationUs >= 0 ? durationUs / 1000 : NaN;
    payload.l1Slot = l1Slot;
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

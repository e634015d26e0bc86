/**
 * A small typed event emitter. Listeners are called synchronously in registration order; a
 * listener that throws is isolated (reported through the `onListenerError` hook) so that one
 * bad subscriber can never break a cache operation.
 */
export type EventMap = { [event: string]: unknown };
export type Listener<T> = (payload: T) => void;

export class TypedEmitter<Events extends EventMap> {
  // Arrays rather than Sets: emit iterates far more often than listeners change.
  private readonly listeners: { [E in keyof Events]?: Listener<Events[E]>[] } = {};

  /** Adds a listener and returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    (this.listeners[event] ??= []).push(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    const list = this.listeners[event];
    if (!list) return;
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) delete this.listeners[event];
  }

  /** True when someone listens, so callers can skip building a payload nobody reads. */
  hasListeners(event: keyof Events): boolean {
    return this.listeners[event] !== undefined;
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.listeners[event];
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](payload);
      } catch (error) {
        this.onListenerError(error, String(event));
      }
    }
  }

  /** Called when a listener throws. Default: rethrow asynchronously so it is not swallowed. */
  protected onListenerError(error: unknown, _event: string): void {
    queueMicrotask(() => {
      throw error;
    });
  }
}

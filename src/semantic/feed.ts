/**
 * How processes that share a store tell each other about semantic entries. Events carry keys,
 * never values or vectors: a receiver reads the entry from the shared store, so the feed stays
 * small and a lost event costs a miss, never a wrong answer.
 */

export type SemanticFeedEvent =
  | { readonly op: "put"; readonly namespace: string; readonly key: string }
  | { readonly op: "delete"; readonly namespace: string; readonly key: string }
  | { readonly op: "clear"; readonly namespace: string | null }
  | { readonly op: "tag"; readonly tag: string };

/** An event with the id of the cache instance that published it (receivers skip their own). */
export type SemanticFeedMessage = SemanticFeedEvent & { readonly origin: string };

export interface SemanticFeed {
  /** Sends an event to every subscriber, possibly including the sender. */
  publish(message: SemanticFeedMessage): Promise<void>;
  /**
   * Delivers every event published after this call resolves, in order. One listener per feed.
   * The cache subscribes before it rebuilds from the store, so nothing falls in between.
   */
  subscribe(listener: (message: SemanticFeedMessage) => void): Promise<void>;
  /** Stops delivery and releases connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * An in-process feed hub: every feed it hands out sees the others' events. For tests and for
 * several caches in one process over one store.
 */
export class MemoryFeedHub {
  readonly #listeners = new Set<(message: SemanticFeedMessage) => void>();

  feed(): SemanticFeed {
    const listeners = this.#listeners;
    let mine: ((message: SemanticFeedMessage) => void) | undefined;
    return {
      async publish(message) {
        // Asynchronous, like a real transport: a receiver never runs inside the sender's call.
        for (const listener of [...listeners]) queueMicrotask(() => listener(message));
      },
      async subscribe(listener) {
        if (mine) listeners.delete(mine);
        mine = listener;
        listeners.add(listener);
      },
      async close() {
        if (mine) listeners.delete(mine);
        mine = undefined;
      },
    };
  }
}

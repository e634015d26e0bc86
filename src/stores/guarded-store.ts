/**
 * GuardedStore wraps any CacheStore with a per-operation timeout and a circuit breaker, so a slow
 * or dead tier costs callers at most the timeout (and, once the circuit opens, nothing), and the
 * cache recovers on its own when the tier comes back.
 *
 * Every operation of the inner store is observed to the end, even after its timeout fired: its
 * late rejection is caught here and can never surface as an unhandled rejection.
 */
import { optionalMillis, type Duration } from "../core/duration.js";
import { ErrorCode, type CacheError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import {
  CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
} from "./circuit-breaker.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "./store.js";
import { DeadlineQueue, invoke } from "./timeout.js";

export interface GuardedStoreOptions {
  /**
   * Longest wait for one operation of the inner store (for `keys`, for each step of the
   * iteration); seconds or a duration string. 0 = no limit.
   * @default "500ms"
   */
  timeout?: Duration;
  /** The breaker, or options for a new one (named after the store). @default new CircuitBreaker() */
  breaker?: CircuitBreaker | CircuitBreakerOptions;
  /**
   * Whether an error counts against the store's health. By default every error does, except those
   * caused by the caller's input (serialization, key, entry size, config) and use after close.
   */
  isFailure?: (error: unknown) => boolean;
}

export type GuardedStoreEvents = CircuitBreakerEvents & {
  /** An operation failed in a way that counts against the store (timeouts included). */
  failure: { store: string; operation: string; error: unknown };
};

const CALLER_ERRORS = new Set<string>([
  ErrorCode.SERIALIZATION,
  ErrorCode.KEY,
  ErrorCode.ENTRY_TOO_LARGE,
  ErrorCode.CONFIG,
  ErrorCode.CLOSED,
]);

/** The default {@link GuardedStoreOptions.isFailure}. */
export function isStoreFailure(error: unknown): boolean {
  const code = (error as CacheError | undefined)?.code;
  return !(typeof code === "string" && CALLER_ERRORS.has(code));
}

export class GuardedStore extends TypedEmitter<GuardedStoreEvents> implements CacheStore {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  readonly timeoutMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly deadlines: DeadlineQueue;

  constructor(
    readonly inner: CacheStore,
    options: GuardedStoreOptions = {},
    path = "guard",
  ) {
    super();
    this.name = inner.name;
    this.timeoutMs = optionalMillis(options.timeout, `${path}.timeout`, 500);
    // One timer for all operations; a timer each would cost more than a Redis round trip.
    this.deadlines = new DeadlineQueue(this.timeoutMs, undefined, `${inner.name} `);
    this.breaker =
      options.breaker instanceof CircuitBreaker
        ? options.breaker
        : new CircuitBreaker({ name: inner.name, ...options.breaker }, `${path}.breaker`);
    this.breaker.on("stateChange", (change) => this.emit("stateChange", change));
    this.isFailure = options.isFailure ?? isStoreFailure;
  }

  get(key: string, namespace: string): Promise<StoreEntry | undefined> {
    return this.guard("get", () => this.inner.get(key, namespace));
  }

  set(key: string, namespace: string, entry: StoreEntry): Promise<void> {
    return this.guard("set", () => this.inner.set(key, namespace, entry));
  }

  delete(key: string, namespace: string): Promise<boolean> {
    return this.guard("delete", () => this.inner.delete(key, namespace));
  }

  has(key: string, namespace: string): Promise<boolean> {
    return this.guard("has", () => this.inner.has(key, namespace));
  }

  clear(namespace?: string): Promise<void> {
    return this.guard("clear", () => this.inner.clear(namespace));
  }

  getMany(keys: readonly string[], namespace: string): Promise<(StoreEntry | undefined)[]> {
    return this.guard("getMany", () => this.inner.getMany(keys, namespace));
  }

  setMany(
    entries: readonly (readonly [key: string, entry: StoreEntry])[],
    namespace: string,
  ): Promise<void> {
    return this.guard("setMany", () => this.inner.setMany(entries, namespace));
  }

  deleteTag(tag: string): Promise<number> {
    return this.guard("deleteTag", () => this.inner.deleteTag(tag));
  }

  async *keys(namespace?: string): AsyncIterable<NamespacedKey> {
    const iterator = await this.guard("keys", async () =>
      this.inner.keys(namespace)[Symbol.asyncIterator](),
    );
    try {
      for (;;) {
        const step = await this.guard("keys", () => iterator.next());
        if (step.done) return;
        yield step.value;
      }
    } finally {
      // Stopped early (break, error): let the inner iterator release what it holds, unobserved.
      invoke(async () => iterator.return?.()).catch(() => undefined);
    }
  }

  /** Closes the inner store, bypassing the breaker: closing must always be attempted. */
  close(): Promise<void> {
    return this.inner.close();
  }

  private guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    let probe: boolean;
    try {
      probe = this.breaker.admit();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.deadlines.wrap(invoke(run), operation).then(
      (value) => {
        this.breaker.success(probe);
        return value;
      },
      (error: unknown) => {
        if (this.isFailure(error)) {
          this.breaker.failure(probe);
          this.emit("failure", { store: this.name, operation, error });
        } else {
          this.breaker.neutral(probe);
        }
        throw error;
      },
    );
  }
}

/**
 * Chaos wrappers: inject failures, delays and hangs around any CacheStore or InvalidationBus, so
 * tests can prove how the layers above behave when a tier or the bus misbehaves.
 */
import { CacheStoreError } from "../../src/core/errors.js";
import type { InvalidationBus, InvalidationEvent, InvalidationHandler } from "../../src/bus/bus.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "../../src/stores/store.js";

/** xorshift32, so a failure pattern replays exactly for a seed. */
export function seededRandom(seed = 1): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

interface Parked {
  proceed: () => void;
  fail: (error: Error) => void;
}

export class ChaosStore implements CacheStore {
  readonly name: string;
  /** Chance (0-1) that an operation fails with {@link makeError}. */
  failureRate = 0;
  /** Added before each operation, in ms (real timers; fake timers in tests work too). */
  delayMs = 0;
  /** While true, operations park until {@link release}. */
  hanging = false;
  /** Operations attempted, per operation name. */
  readonly calls = new Map<string, number>();
  /** Failures injected so far. */
  injected = 0;
  makeError: (operation: string) => Error = (op) =>
    new CacheStoreError(`chaos: injected ${op} failure`);
  private failNextCount = 0;
  private readonly parked: Parked[] = [];
  private readonly random: () => number;

  constructor(
    readonly inner: CacheStore,
    seed = 1,
  ) {
    this.name = inner.name;
    this.random = seededRandom(seed);
  }

  /** The next `n` operations fail. */
  failNext(n = 1): void {
    this.failNextCount += n;
  }

  /** Operations parked by {@link hanging}. */
  get parkedCount(): number {
    return this.parked.length;
  }

  /**
   * Settles every parked operation: runs them against the inner store, or with `fail` rejects
   * them (a late rejection, after the caller has long given up).
   */
  release(options: { fail?: boolean } = {}): void {
    for (const p of this.parked.splice(0)) {
      if (options.fail) p.fail(this.makeError("parked"));
      else p.proceed();
    }
  }

  totalCalls(): number {
    let total = 0;
    for (const n of this.calls.values()) total += n;
    return total;
  }

  private run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    if (this.failNextCount > 0 || (this.failureRate > 0 && this.random() < this.failureRate)) {
      if (this.failNextCount > 0) this.failNextCount--;
      this.injected++;
      return Promise.reject(this.makeError(operation));
    }
    if (this.hanging) {
      return new Promise<T>((resolve, reject) => {
        this.parked.push({ proceed: () => fn().then(resolve, reject), fail: reject });
      });
    }
    if (this.delayMs > 0) return new Promise((r) => setTimeout(r, this.delayMs)).then(fn);
    return fn();
  }

  get(key: string, namespace: string): Promise<StoreEntry | undefined> {
    return this.run("get", () => this.inner.get(key, namespace));
  }
  set(key: string, namespace: string, entry: StoreEntry): Promise<void> {
    return this.run("set", () => this.inner.set(key, namespace, entry));
  }
  delete(key: string, namespace: string): Promise<boolean> {
    return this.run("delete", () => this.inner.delete(key, namespace));
  }
  has(key: string, namespace: string): Promise<boolean> {
    return this.run("has", () => this.inner.has(key, namespace));
  }
  clear(namespace?: string): Promise<void> {
    return this.run("clear", () => this.inner.clear(namespace));
  }
  getMany(keys: readonly string[], namespace: string): Promise<(StoreEntry | undefined)[]> {
    return this.run("getMany", () => this.inner.getMany(keys, namespace));
  }
  setMany(
    entries: readonly (readonly [key: string, entry: StoreEntry])[],
    namespace: string,
  ): Promise<void> {
    return this.run("setMany", () => this.inner.setMany(entries, namespace));
  }
  deleteTag(tag: string): Promise<number> {
    return this.run("deleteTag", () => this.inner.deleteTag(tag));
  }
  async *keys(namespace?: string): AsyncIterable<NamespacedKey> {
    const all = await this.run("keys", async () => {
      const out: NamespacedKey[] = [];
      for await (const k of this.inner.keys(namespace)) out.push(k);
      return out;
    });
    yield* all;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Wraps a bus: drops or delays outgoing messages, fails publishes, and simulates a lost
 * subscription (incoming messages dropped until `reconnect()`, which runs the reconnect handlers).
 */
export class ChaosBus implements InvalidationBus {
  /** Chance (0-1) that a published message silently never arrives. */
  dropRate = 0;
  /** Chance (0-1) that publish rejects. */
  publishFailureRate = 0;
  /** Delay before a published message is handed to the inner bus, in ms. */
  delayMs = 0;
  /** Incoming messages dropped while disconnected. */
  droppedIncoming = 0;
  private isDown = false;
  private readonly random: () => number;
  private readonly disconnectHandlers = new Set<() => void>();
  private readonly reconnectHandlers = new Set<() => void>();

  constructor(
    readonly inner: InvalidationBus,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
    inner.onDisconnect(() => this.disconnectHandlers.forEach((h) => h()));
    inner.onReconnect(() => this.reconnectHandlers.forEach((h) => h()));
  }

  get id(): string {
    return this.inner.id;
  }

  get connected(): boolean {
    return !this.isDown && this.inner.connected;
  }

  async publish(event: InvalidationEvent): Promise<void> {
    if (this.publishFailureRate > 0 && this.random() < this.publishFailureRate) {
      throw new CacheStoreError("chaos: injected publish failure");
    }
    if (this.dropRate > 0 && this.random() < this.dropRate) return;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    await this.inner.publish(event);
  }

  subscribe(handler: InvalidationHandler): () => void {
    return this.inner.subscribe((message) => {
      if (this.isDown) {
        this.droppedIncoming++;
        return;
      }
      handler(message);
    });
  }

  onDisconnect(handler: () => void): () => void {
    this.disconnectHandlers.add(handler);
    return () => this.disconnectHandlers.delete(handler);
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  /** Simulates a lost subscription. */
  disconnect(): void {
    if (this.isDown) return;
    this.isDown = true;
    this.disconnectHandlers.forEach((h) => h());
  }

  /** Simulates the subscription coming back: the reconnect handlers run. */
  reconnect(): void {
    if (!this.isDown) return;
    this.isDown = false;
    this.reconnectHandlers.forEach((h) => h());
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

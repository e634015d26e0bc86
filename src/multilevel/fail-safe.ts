/**
 * Fail-safe access to L2: every call catches the tier's failures, counts them and reports them,
 * then either degrades (fail-safe, the default) or rethrows. Caller errors (a bad key, a value that
 * cannot be encoded, an entry too large) are the caller's to fix and are always rethrown.
 */
import { CacheEntryTooLargeError, CacheKeyError, CacheSerializationError } from "../core/errors.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "../stores/store.js";

/**
 * Errors a write can get for the caller's own input. On a read, only a bad key is the caller's:
 * a stored value that cannot be decoded is the tier's failure and degrades to a miss.
 */
export function isCallerError(error: unknown): boolean {
  return (
    error instanceof CacheSerializationError ||
    error instanceof CacheKeyError ||
    error instanceof CacheEntryTooLargeError
  );
}

export class FailSafeL2 {
  private errorCount = 0;

  constructor(
    readonly store: CacheStore,
    private readonly failSafe: boolean,
    private readonly onError: (operation: string, error: unknown) => void,
  ) {}

  /** L2 failures so far (caller errors excluded). */
  get errors(): number {
    return this.errorCount;
  }

  /** Records a failed L2 call; throws when the error must reach the caller. */
  fail(operation: string, error: unknown, isWrite = false): void {
    if (isWrite ? isCallerError(error) : error instanceof CacheKeyError) throw error;
    this.report(operation, error);
    if (!this.failSafe) throw error;
  }

  /** Counts and emits an L2 failure that has no caller to throw to (a background flush). */
  report(operation: string, error: unknown): void {
    this.errorCount++;
    this.onError(operation, error);
  }

  async get(key: string, namespace: string): Promise<StoreEntry | undefined> {
    try {
      return await this.store.get(key, namespace);
    } catch (error) {
      this.fail("get", error);
      return undefined;
    }
  }

  /** Resolves false when the write failed and was absorbed. */
  async set(key: string, namespace: string, entry: StoreEntry): Promise<boolean> {
    try {
      await this.store.set(key, namespace, entry);
      return true;
    } catch (error) {
      this.fail("set", error, true);
      return false;
    }
  }

  async delete(key: string, namespace: string): Promise<boolean> {
    try {
      return await this.store.delete(key, namespace);
    } catch (error) {
      this.fail("delete", error);
      return false;
    }
  }

  async clear(namespace: string | undefined): Promise<void> {
    try {
      await this.store.clear(namespace);
    } catch (error) {
      this.fail("clear", error);
    }
  }

  async deleteTag(tag: string): Promise<number> {
    try {
      return await this.store.deleteTag(tag);
    } catch (error) {
      this.fail("deleteTag", error);
      return 0;
    }
  }

  /** The tier's keys; a failure part-way ends the listing (fail-safe) or throws. */
  async *keys(namespace: string | undefined): AsyncIterable<NamespacedKey> {
    try {
      for await (const key of this.store.keys(namespace)) yield key;
    } catch (error) {
      this.fail("keys", error);
    }
  }
}

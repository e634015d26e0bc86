import { CacheTimeoutError } from "../core/errors.js";

/**
 * Settles like `promise`, or rejects with a {@link CacheTimeoutError} after `timeoutMs`
 * (0 = no limit). The late outcome of `promise` is always observed, so a rejection that arrives
 * after the timeout can never become an unhandled rejection.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  operation: string,
): Promise<T> {
  if (timeoutMs <= 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CacheTimeoutError(operation, timeoutMs)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Calls `fn`, turning a synchronous throw into a rejected promise. */
export function invoke<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(error);
  }
}

interface Deadline {
  at: number;
  settled: boolean;
  operation: string;
  reject: (error: unknown) => void;
}

/**
 * {@link withTimeout} for hot paths: one timeout shared by many operations, enforced by a single
 * timer instead of one timer per operation. Deadlines are added in order, so the queue's head is
 * always the next to expire; settled operations are dropped from the head as they complete.
 * A timeout fires at its deadline or up to one scheduling delay later, never early.
 */
export class DeadlineQueue {
  private items: Deadline[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `timeoutMs` 0 = no limit. `mapError` turns the operation's own rejection into the error
   * callers see; `label` prefixes the operation in timeout messages (`"redis "`).
   */
  constructor(
    readonly timeoutMs: number,
    private readonly mapError: (error: unknown, operation: string) => unknown = (e) => e,
    private readonly label = "",
  ) {}

  /** Settles like `promise`, or rejects with a CacheTimeoutError at the deadline. */
  wrap<T>(promise: Promise<T>, operation: string): Promise<T> {
    if (this.timeoutMs <= 0) {
      return promise.catch((error: unknown) => {
        throw this.mapError(error, operation);
      });
    }
    return new Promise<T>((resolve, reject) => {
      const deadline: Deadline = {
        at: performance.now() + this.timeoutMs,
        settled: false,
        operation,
        reject,
      };
      this.items.push(deadline);
      if (this.timer === undefined) this.schedule(this.timeoutMs);
      promise.then(
        (value) => {
          if (deadline.settled) return;
          deadline.settled = true;
          this.dropSettled();
          resolve(value);
        },
        (error: unknown) => {
          if (deadline.settled) return;
          deadline.settled = true;
          this.dropSettled();
          reject(this.mapError(error, operation));
        },
      );
    });
  }

  /** Operations wrapped and not settled yet (for tests). */
  get pending(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (!this.items[i].settled) n++;
    return n;
  }

  private dropSettled(): void {
    const items = this.items;
    while (this.head < items.length && items[this.head].settled) this.head++;
    if (this.head === items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(delay)));
    this.timer.unref?.();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    const items = this.items;
    while (this.head < items.length) {
      const item = items[this.head];
      if (!item.settled) {
        if (item.at > now) break;
        item.settled = true;
        item.reject(new CacheTimeoutError(this.label + item.operation, this.timeoutMs));
      }
      this.head++;
    }
    this.dropSettled();
    if (this.head < this.items.length) this.schedule(this.items[this.head].at - now);
  }
}

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

/**
 * Outcome checks for fuzz tests: every call must settle (no hang) and may only fail with a typed
 * CacheError carrying one of the stable codes.
 */
import { expect } from "vitest";
import { CacheError, ErrorCode } from "../../src/core/errors.js";

/** Settles like `promise`, or rejects as a hang after `ms`. */
export async function withinMs<T>(promise: Promise<T>, ms = 5000, what = "call"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `fn` (sync or async) within 5 s. Resolves to undefined when it succeeds and to the error
 * when it throws a CacheError with a known code; anything else (another exception, a hang) fails.
 */
export async function typedOutcome(
  fn: () => unknown,
  what: string,
): Promise<CacheError | undefined> {
  try {
    await withinMs(Promise.resolve().then(fn), 5000, what);
    return undefined;
  } catch (error) {
    if (!(error instanceof CacheError)) {
      const kind = (error as Error | undefined)?.constructor?.name ?? typeof error;
      throw new Error(`${what} threw a ${kind}, not a CacheError: ${String(error)}`, {
        cause: error,
      });
    }
    expect(Object.values(ErrorCode)).toContain(error.code);
    return error;
  }
}

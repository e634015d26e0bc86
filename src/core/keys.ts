import { CacheKeyError } from "./errors.js";

/** The namespace used when a call names none. */
export const DEFAULT_NAMESPACE = "default";

/**
 * Longest accepted key or namespace, in UTF-16 code units. Keys reach Redis and LMDB (whose
 * key limit is ~1978 bytes); longer identifiers should be hashed by the caller.
 */
export const MAX_KEY_LENGTH = 1024;

/**
 * Joins a namespace and a key into one string that can never collide with another pair: the
 * namespace's length prefixes it, so `("a:b","c")` and `("a","b:c")` stay distinct whatever
 * characters either contains (NUL included).
 */
export function composeKey(namespace: string, key: string): string {
  return namespace.length + ":" + namespace + ":" + key;
}

/** Inverse of {@link composeKey}. */
export function splitKey(composed: string): { namespace: string; key: string } {
  const colon = composed.indexOf(":");
  const length = Number(composed.slice(0, colon));
  const namespace = composed.slice(colon + 1, colon + 1 + length);
  return { namespace, key: composed.slice(colon + 2 + length) };
}

/** Throws a {@link CacheKeyError} unless `key` is an acceptable key. */
export function assertKey(key: unknown, what = "key"): asserts key is string {
  if (typeof key !== "string") throw new CacheKeyError(key, `${what} must be a string`);
  if (key.length > MAX_KEY_LENGTH) {
    throw new CacheKeyError(
      key,
      `${what} is ${key.length} characters; the limit is ${MAX_KEY_LENGTH}`,
    );
  }
  // LMDB and Redis keep keys as UTF-8, where every lone surrogate becomes U+FFFD: two such keys
  // (or namespaces) would share one L2 entry while staying apart in L1.
  if (!(key as WellFormedCheck).isWellFormed()) {
    throw new CacheKeyError(key, `${what} contains a lone surrogate, which is not valid Unicode`);
  }
}

/** `String.prototype.isWellFormed` (Node 20), which TypeScript's ES2023 library does not declare. */
type WellFormedCheck = string & { isWellFormed(): boolean };

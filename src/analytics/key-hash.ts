import { hashString, mix32 } from "../eviction/hash.js";

/**
 * Seed for {@link hashKey} from a namespace: the namespace is part of a key's identity, and
 * hashing it once per namespace keeps the per-event cost to the key's own characters.
 */
export function namespaceSeed(namespace: string): number {
  // A separator that no UTF-16 code unit equals, so ("a","bc") and ("ab","c") differ.
  return Math.imul(hashString(namespace) ^ 0x10000, 0x01000193) >>> 0;
}

/**
 * 30-bit hash of a key within a namespace, computed on every read, so it takes the key two
 * UTF-16 code units at a time (FNV-style multiply per 32-bit word, then murmur3's finaliser for
 * spread). Each step is a bijection of the running hash, so equal-length keys that differ in one
 * word never collide before the final truncation. 30 bits keep the value a small integer (a V8
 * Smi), so passing it between functions never boxes it into a heap number.
 */
export function hashKey(seed: number, key: string): number {
  const n = key.length;
  let hash = seed ^ n;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    hash = Math.imul(hash ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)), 0x01000193);
  }
  if (i < n) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return mix32(hash) >>> 2;
}

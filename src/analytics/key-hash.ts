import { hashString, mix32 } from "../eviction/hash.js";

/**
 * Seed for {@link hashKey} from a namespace: the namespace is part of a key's identity, and
 * hashing it once per namespace keeps the per-event cost to the key's own characters.
 */
export function namespaceSeed(namespace: string): number {
  // A separator that no UTF-16 code unit equals, so ("a","bc") and ("ab","c") differ.
  return Math.imul(hashString(namespace) ^ 0x10000, 0x01000193) >>> 0;
}

/** 32-bit hash of a key within a namespace (FNV-1a, then murmur3's finaliser for spread). */
export function hashKey(seed: number, key: string): number {
  let hash = seed;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

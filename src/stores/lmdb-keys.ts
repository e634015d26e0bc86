/**
 * How LmdbStore turns (namespace, key) into LMDB keys, and the layout of its index keys.
 *
 * The entry key is the UTF-8 of `composeKey(namespace, key)`, so one namespace is one contiguous
 * key range (`clear(ns)` and `keys(ns)` are prefix scans). LMDB caps keys at 1978 bytes and the
 * index keys add up to 16 bytes, so a composed key over {@link MAX_DIRECT_BYTES} is stored as its
 * first {@link CUT_BYTES} bytes followed by its SHA-256: it still sorts inside its namespace's
 * range, and the record keeps the full key so scans and reads can check it.
 */
import { createHash } from "node:crypto";
import { composeKey } from "../core/keys.js";

/** Longest composed key stored as is. */
export const MAX_DIRECT_BYTES = 1960;
/** Bytes of the composed key kept before the hash; a hashed key is MAX_DIRECT_BYTES + 1 long. */
export const CUT_BYTES = MAX_DIRECT_BYTES + 1 - 32;

export interface StoreKey {
  /** The LMDB key of the entry. */
  bytes: Buffer;
  /** The full composed key, when `bytes` holds only its hash (it is then kept in the record). */
  full: Buffer | undefined;
}

export function storeKey(namespace: string, key: string): StoreKey {
  const composed = Buffer.from(composeKey(namespace, key), "utf8");
  if (composed.length <= MAX_DIRECT_BYTES) return { bytes: composed, full: undefined };
  const hashed = Buffer.allocUnsafe(MAX_DIRECT_BYTES + 1);
  composed.copy(hashed, 0, 0, CUT_BYTES);
  createHash("sha256").update(composed).digest().copy(hashed, CUT_BYTES);
  return { bytes: hashed, full: composed };
}

/** True when an entry key holds a hash, so its full key is in the record. */
export function isHashedKey(bytes: Uint8Array): boolean {
  return bytes.length > MAX_DIRECT_BYTES;
}

/**
 * The key range to scan for one namespace: every entry key of `namespace` starts with the
 * returned prefix. Long namespaces give a truncated prefix, so callers still check each hit.
 */
export function namespacePrefix(namespace: string): Buffer {
  const prefix = Buffer.from(composeKey(namespace, ""), "utf8");
  return prefix.length > CUT_BYTES ? prefix.subarray(0, CUT_BYTES) : prefix;
}

/** The exclusive upper bound of a prefix scan, or undefined for "to the end". */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** Expiry index key: expiresAt as a big-endian float64 (positive doubles sort as bytes), then the entry key. */
export function expiryKey(expiresAt: number, entryKey: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + entryKey.length);
  out.writeDoubleBE(expiresAt, 0);
  entryKey.copy(out, 8);
  return out;
}

/** Tag index key: 16 bytes of the tag's SHA-256 (bounded length), then the entry key. */
export function tagPrefix(tag: string): Buffer {
  return createHash("sha256").update(tag, "utf8").digest().subarray(0, 16);
}

export function tagKey(prefix: Buffer, entryKey: Buffer): Buffer {
  return Buffer.concat([prefix, entryKey], prefix.length + entryKey.length);
}

/** Recency index key: the stamp as a big-endian uint64, so older stamps sort first. */
export function stampKey(stamp: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64BE(BigInt(stamp), 0);
  return out;
}

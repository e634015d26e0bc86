/**
 * The bytes LmdbStore keeps per entry: a fixed header, the tags, the full key when the LMDB key
 * is hashed, then the codec's bytes for the value.
 *
 * ```
 * offset  size  field
 * 0       1     record version (1)
 * 1       1     flags: bit 0 = staleAt present, bit 1 = value checksum present
 * 2       8     expiresAt, float64 little-endian, epoch ms, 0 = never
 * 10      8     staleAt, float64 little-endian (0 when absent)
 * 18      4     T = byte length of the tags (0 = no tags)
 * 22      4     K = byte length of the full composed key (0 unless the LMDB key is hashed)
 * 26      4     CRC-32 of the value bytes (when flagged)
 * 30      T     tags, each a uint16 little-endian byte length and that many UTF-8 bytes
 * 30+T    K     the full composed key (UTF-8)
 * 30+T+K  ...   the value, encoded by the codec
 * ```
 *
 * Expiry and tags sit before the value so sweeps, `has` and `keys` never decode values. The
 * checksum turns damaged value bytes (a bad disk, a stray write) into a CacheSerializationError
 * naming the key, where a msgpack decoder might otherwise return a different, plausible value.
 */
import zlib from "node:zlib";
import { CacheSerializationError } from "../core/errors.js";
import type { StoreEntry } from "./store.js";

export const RECORD_VERSION = 1;
export const HEADER_BYTES = 30;
const FLAG_STALE = 1;
const FLAG_CHECKSUM = 2;

// zlib.crc32 arrived in Node 20.15; older runtimes write and read records without checksums.
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export interface RecordHeader {
  expiresAt: number;
  staleAt: number | undefined;
  tagBytes: number;
  fullKeyBytes: number;
}

/** Builds a record around already-encoded value bytes. */
export function encodeRecord(
  entry: StoreEntry,
  value: Uint8Array,
  fullKey: Buffer | undefined,
): Buffer {
  const tags = entry.tags && entry.tags.length > 0 ? encodeTags(entry.tags) : undefined;
  const tagBytes = tags?.length ?? 0;
  const keyBytes = fullKey?.length ?? 0;
  const out = Buffer.allocUnsafe(HEADER_BYTES + tagBytes + keyBytes + value.length);
  const hasStale = entry.staleAt !== undefined;
  out[0] = RECORD_VERSION;
  out[1] = (hasStale ? FLAG_STALE : 0) | (crc32 ? FLAG_CHECKSUM : 0);
  out.writeDoubleLE(entry.expiresAt, 2);
  out.writeDoubleLE(hasStale ? (entry.staleAt as number) : 0, 10);
  out.writeUInt32LE(tagBytes, 18);
  out.writeUInt32LE(keyBytes, 22);
  out.writeUInt32LE(crc32 ? crc32(value) : 0, 26);
  if (tags) tags.copy(out, HEADER_BYTES);
  if (fullKey) fullKey.copy(out, HEADER_BYTES + tagBytes);
  out.set(value, HEADER_BYTES + tagBytes + keyBytes);
  return out;
}

/** Reads and checks the fixed header; throws CacheSerializationError naming `key` when malformed. */
export function readHeader(bytes: Buffer, key: string): RecordHeader {
  if (bytes.length < HEADER_BYTES || bytes[0] !== RECORD_VERSION) {
    throw new CacheSerializationError(
      key,
      `stored bytes are not a victor-cache LMDB record (length ${bytes.length}, version ${bytes[0]})`,
    );
  }
  const tagBytes = bytes.readUInt32LE(18);
  const fullKeyBytes = bytes.readUInt32LE(22);
  if (HEADER_BYTES + tagBytes + fullKeyBytes > bytes.length) {
    throw new CacheSerializationError(key, `stored record is truncated (${bytes.length} bytes)`);
  }
  return {
    expiresAt: bytes.readDoubleLE(2),
    staleAt: bytes[1] & FLAG_STALE ? bytes.readDoubleLE(10) : undefined,
    tagBytes,
    fullKeyBytes,
  };
}

/** Tags are short (callers check them like keys), so each carries a 2-byte length. */
function encodeTags(tags: readonly string[]): Buffer {
  const parts = tags.map((tag) => Buffer.from(tag, "utf8"));
  const out = Buffer.allocUnsafe(parts.reduce((sum, part) => sum + 2 + part.length, 0));
  let at = 0;
  for (const part of parts) {
    at = out.writeUInt16LE(part.length, at);
    at += part.copy(out, at);
  }
  return out;
}

export function readTags(bytes: Buffer, header: RecordHeader, key: string): string[] | undefined {
  if (header.tagBytes === 0) return undefined;
  const tags: string[] = [];
  const end = HEADER_BYTES + header.tagBytes;
  for (let at = HEADER_BYTES; at < end;) {
    const length = at + 2 <= end ? bytes.readUInt16LE(at) : -1;
    if (length < 0 || at + 2 + length > end) {
      throw new CacheSerializationError(key, "stored tags are truncated");
    }
    tags.push(bytes.toString("utf8", at + 2, at + 2 + length));
    at += 2 + length;
  }
  return tags;
}

/** The full composed key of a record stored under a hashed LMDB key. */
export function readFullKey(bytes: Buffer, header: RecordHeader): Buffer {
  const start = HEADER_BYTES + header.tagBytes;
  return bytes.subarray(start, start + header.fullKeyBytes);
}

/** The value bytes, checked against the stored checksum. */
export function readValueBytes(bytes: Buffer, header: RecordHeader, key: string): Buffer {
  // Explicit end: lmdb-js's fast read buffer is a shared 16 MiB buffer whose `length` is set per read.
  const value = bytes.subarray(HEADER_BYTES + header.tagBytes + header.fullKeyBytes, bytes.length);
  if (bytes[1] & FLAG_CHECKSUM && crc32 && crc32(value) !== bytes.readUInt32LE(26)) {
    throw new CacheSerializationError(key, "stored value bytes are damaged (checksum mismatch)");
  }
  return value;
}

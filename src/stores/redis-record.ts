/**
 * The bytes RedisStore keeps under an entry key: a fixed binary header, the tags as JSON, then the
 * codec's bytes for the value.
 *
 * ```
 * offset  size  field
 * 0       1     format version (1)
 * 1       8     expiresAt, float64 big-endian, epoch ms, 0 = never
 * 9       1     flags: bit 0 = staleAt present
 * 10      8     staleAt, float64 big-endian (0 when absent)
 * 18      4     T = byte length of the tags JSON, uint32 big-endian (0 = no tags)
 * 22      T     tags, a JSON array of strings (UTF-8)
 * 22+T    ...   the value, encoded by the codec (msgpack by default)
 * ```
 *
 * Fixed offsets let the Lua scripts read expiry and tags with `struct.unpack` and `cjson` without
 * decoding the value, and let `has` and `keys` read only the first 9 bytes (GETRANGE).
 *
 * With a signing key, a 32-byte HMAC-SHA256 follows the value (see {@link RecordSigner}); the
 * header keeps its offsets, so the Lua scripts read signed and unsigned records alike.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Codec } from "../core/codec.js";
import { CacheConfigError, CacheSerializationError } from "../core/errors.js";
import { assertKey } from "../core/keys.js";
import type { StoreEntry } from "./store.js";

export const RECORD_VERSION = 1;
export const HEADER_BYTES = 22;
/** Bytes to fetch to learn the expiry: version + expiresAt. */
export const EXPIRY_PREFIX_BYTES = 9;

const EMPTY = new Uint8Array(0);

/** Encodes an entry; throws CacheSerializationError naming `key` for values the codec rejects. */
export function encodeRecord(codec: Codec, key: string, entry: StoreEntry): Buffer {
  const value = codec.encode(entry.value, key);
  const tags =
    entry.tags && entry.tags.length > 0 ? Buffer.from(JSON.stringify(entry.tags)) : EMPTY;
  const out = Buffer.allocUnsafe(HEADER_BYTES + tags.length + value.length);
  out[0] = RECORD_VERSION;
  out.writeDoubleBE(entry.expiresAt, 1);
  const hasStale = entry.staleAt !== undefined;
  out[9] = hasStale ? 1 : 0;
  out.writeDoubleBE(hasStale ? (entry.staleAt as number) : 0, 10);
  out.writeUInt32BE(tags.length, 18);
  out.set(tags, HEADER_BYTES);
  out.set(value, HEADER_BYTES + tags.length);
  return out;
}

/** Reads the expiry from at least the first {@link EXPIRY_PREFIX_BYTES} bytes of a record. */
export function recordExpiresAt(bytes: Buffer, key: string): number {
  if (bytes.length < EXPIRY_PREFIX_BYTES || bytes[0] !== RECORD_VERSION) {
    throw new CacheSerializationError(
      key,
      `stored bytes are not a victor-cache record (version ${bytes[0]})`,
    );
  }
  return bytes.readDoubleBE(1);
}

/** Decodes a whole record; throws CacheSerializationError naming `key` when it is malformed. */
export function decodeRecord(codec: Codec, key: string, bytes: Buffer): StoreEntry {
  if (bytes.length < HEADER_BYTES || bytes[0] !== RECORD_VERSION) {
    throw new CacheSerializationError(
      key,
      `stored bytes are not a victor-cache record (length ${bytes.length}, version ${bytes[0]})`,
    );
  }
  const expiresAt = bytes.readDoubleBE(1);
  const tagBytes = bytes.readUInt32BE(18);
  if (HEADER_BYTES + tagBytes > bytes.length) {
    throw new CacheSerializationError(
      key,
      `stored record is truncated (tags of ${tagBytes} bytes)`,
    );
  }
  const entry: StoreEntry = { value: undefined, expiresAt };
  if (bytes[9] & 1) entry.staleAt = bytes.readDoubleBE(10);
  if (tagBytes > 0)
    entry.tags = parseTags(bytes.toString("utf8", HEADER_BYTES, HEADER_BYTES + tagBytes), key);
  entry.value = codec.decode(bytes.subarray(HEADER_BYTES + tagBytes), key);
  return entry;
}

function parseTags(json: string, key: string): string[] {
  let tags: unknown;
  try {
    tags = JSON.parse(json);
  } catch (error) {
    throw new CacheSerializationError(key, "stored tags are not valid JSON", { cause: error });
  }
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) {
    throw new CacheSerializationError(key, "stored tags are not a list of strings");
  }
  return tags;
}

/** Throws (naming `key`) unless `entry` is a StoreEntry this store can write. */
export function assertStorableEntry(key: string, entry: StoreEntry): void {
  if (entry === null || typeof entry !== "object")
    throw new CacheSerializationError(key, "entry must be an object");
  if (
    typeof entry.expiresAt !== "number" ||
    !Number.isFinite(entry.expiresAt) ||
    entry.expiresAt < 0
  ) {
    throw new CacheSerializationError(
      key,
      `expiresAt must be epoch milliseconds or 0, got ${String(entry.expiresAt)}`,
    );
  }
  if (
    entry.staleAt !== undefined &&
    (typeof entry.staleAt !== "number" || Number.isNaN(entry.staleAt))
  ) {
    throw new CacheSerializationError(
      key,
      `staleAt must be a number, got ${String(entry.staleAt)}`,
    );
  }
  if (entry.tags !== undefined) {
    if (!Array.isArray(entry.tags))
      throw new CacheSerializationError(key, "tags must be an array of strings");
    for (const tag of entry.tags) assertKey(tag, "tag");
  }
}

/** Bytes of the HMAC-SHA256 that ends a signed record. */
export const SIGNATURE_BYTES = 32;

/**
 * Signs records on write and checks them on read, so that a process without the key (another
 * tenant of a shared Redis, anyone with write access to it) cannot make this store return a value
 * it did not write. The MAC covers the full Redis key as well as the record, so a validly signed
 * record copied under another key (another namespace, another prefix) is rejected too.
 */
export class RecordSigner {
  private readonly key: Buffer;

  /** `path` names the option in the CacheConfigError for an empty or mistyped key. */
  constructor(key: string | Uint8Array, path: string) {
    const bytes =
      typeof key === "string" ? Buffer.from(key, "utf8") : key instanceof Uint8Array ? key : null;
    if (bytes === null || bytes.length === 0) {
      throw new CacheConfigError(path, "expected a non-empty string or byte array");
    }
    this.key = Buffer.from(bytes);
  }

  /** The record followed by its MAC. */
  sign(redisKey: string, record: Buffer): Buffer {
    return Buffer.concat([record, this.mac(redisKey, record)]);
  }

  /**
   * The record without its MAC; throws CacheSerializationError naming `key` when the MAC is
   * missing or does not match (unsigned, tampered, signed with another key, or moved).
   */
  verify(redisKey: string, bytes: Buffer, key: string): Buffer {
    if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES) {
      throw new CacheSerializationError(key, "stored record carries no signature");
    }
    const record = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
    const expected = this.mac(redisKey, record);
    if (!timingSafeEqual(expected, bytes.subarray(bytes.length - SIGNATURE_BYTES))) {
      throw new CacheSerializationError(key, "stored record's signature does not match");
    }
    return record;
  }

  private mac(redisKey: string, record: Buffer): Buffer {
    // The key's length first: (key, record) pairs can never run together ambiguously.
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(Buffer.byteLength(redisKey), 0);
    return createHmac("sha256", this.key).update(head).update(redisKey).update(record).digest();
  }
}

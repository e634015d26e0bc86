/**
 * RedisStore: the shared L2 on Redis (or a Redis Cluster) through node-redis 5.
 *
 * Entries are strings holding a small header and the msgpack-encoded value (redis-record.ts),
 * under keys that carry the prefix and the namespace as a cluster hash tag (redis-keys.ts).
 * Expiry is enforced twice: Redis drops the key after PX, and reads compare `expiresAt` with the
 * store's clock, so an injected clock decides liveness exactly as in every other store.
 */
import { systemClock, type Clock } from "../core/clock.js";
import { createMsgpackCodec, type Codec } from "../core/codec.js";
import {
  CacheClosedError,
  CacheConfigError,
  CacheEntryTooLargeError,
  CacheSerializationError,
} from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { assertKey } from "../core/keys.js";
import {
  RedisConnection,
  scanKeys,
  type RedisArg,
  type RedisConnectionOptions,
} from "./redis-connection.js";
import { RedisKeyLayout } from "./redis-keys.js";
import {
  assertStorableEntry,
  decodeRecord,
  encodeRecord,
  EXPIRY_PREFIX_BYTES,
  RecordSigner,
  recordExpiresAt,
} from "./redis-record.js";
import { ADD_TO_SET, DELETE_ENTRY, DELETE_TAG, SET_TAGGED } from "./redis-scripts.js";
import type { CacheStore, NamespacedKey, StoreEntry } from "./store.js";

export interface RedisStoreOptions extends RedisConnectionOptions {
  type?: "redis";
  /**
   * Prepended to every Redis key, so several caches (or apps) can share one Redis. Must not
   * contain `{` or `}` (they would become the cluster hash tag).
   * @default "victor:"
   */
  prefix?: string;
  /**
   * Largest stored record in bytes (encoded value plus a header of 22 bytes plus the tags, plus
   * 32 for the signature with `signingKey`);
   * larger sets throw a CacheEntryTooLargeError and leave the stored entry untouched.
   * @default 4194304 (4 MiB)
   */
  maxValueBytes?: number;
  /** Encodes values; decoding never executes code. @default the msgpack codec */
  codec?: Codec;
  /** Time source for expiry checks. @default the system clock */
  clock?: Clock;
  /** Keys asked for per SCAN round trip in `clear` and `keys`. @default 500 */
  scanCount?: number;
  /**
   * Secret for signing shared values (HMAC-SHA256 over the Redis key and the record). With it,
   * every write carries a 32-byte signature and `get`/`getMany` reject any record without a valid
   * one (unsigned, tampered, written with another key, or copied from another key): the read
   * throws a CacheSerializationError, which a MultiLevelCache treats as a miss, and
   * `getStats().signatureFailures` counts it. Every process sharing the data needs the same key.
   * `has` and `keys` read only the header and do not check signatures.
   * @default undefined (records are not signed)
   */
  signingKey?: string | Uint8Array;
}

export interface RedisStoreStats {
  /** Stored values that could not be decoded (each also threw a CacheSerializationError). */
  decodeErrors: number;
  /** Connection-level errors node-redis reported (refused, reset, timeouts). */
  connectionErrors: number;
  /** Records rejected for a missing or wrong signature (only with `signingKey`). */
  signatureFailures: number;
}

export type RedisStoreEvents = {
  /** A connection error; the store keeps reconnecting on its own. */
  connectionError: { error: Error };
  /** A stored value could not be decoded; callers treat it as a miss. */
  decodeError: { key: string; namespace: string; error: CacheSerializationError };
};

const DEFAULT_MAX_VALUE_BYTES = 4 * 1024 * 1024;

export class RedisStore extends TypedEmitter<RedisStoreEvents> implements CacheStore {
  readonly name = "redis";
  readonly layout: RedisKeyLayout;
  private readonly connection: RedisConnection;
  private readonly codec: Codec;
  private readonly clock: Clock;
  private readonly maxValueBytes: number;
  private readonly scanCount: number;
  private readonly signer: RecordSigner | undefined;
  private readonly stats: RedisStoreStats = {
    decodeErrors: 0,
    connectionErrors: 0,
    signatureFailures: 0,
  };
  private readonly path: string;
  private closed = false;

  /** `path` names this store's options in configuration errors (`l2`). */
  constructor(options: RedisStoreOptions = {}, path = "redis") {
    super();
    this.path = path;
    this.layout = new RedisKeyLayout(options.prefix ?? "victor:", `${path}.prefix`);
    this.maxValueBytes = positiveInteger(
      options.maxValueBytes,
      DEFAULT_MAX_VALUE_BYTES,
      `${path}.maxValueBytes`,
    );
    this.scanCount = positiveInteger(options.scanCount, 500, `${path}.scanCount`);
    this.codec = options.codec ?? createMsgpackCodec();
    this.signer =
      options.signingKey === undefined
        ? undefined
        : new RecordSigner(options.signingKey, `${path}.signingKey`);
    this.clock = options.clock ?? systemClock;
    this.connection = new RedisConnection(options, path, (error) => {
      this.stats.connectionErrors++;
      this.emit("connectionError", { error });
    });
  }

  /** True on a Redis Cluster connection. */
  get isCluster(): boolean {
    return this.connection.isCluster;
  }

  getStats(): RedisStoreStats {
    return { ...this.stats };
  }

  // get and set are the hot path: plain promise chains, no async frames.
  get(key: string, namespace: string): Promise<StoreEntry | undefined> {
    let redisKey: string;
    try {
      this.check(key, namespace);
      redisKey = this.layout.entryKey(namespace, key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.connection
      .send(redisKey, ["GET", redisKey], true, true)
      .then((bytes) =>
        bytes === null
          ? undefined
          : this.live(this.decode(key, namespace, bytes as Buffer, redisKey)),
      );
  }

  set(key: string, namespace: string, entry: StoreEntry): Promise<void> {
    let commands: Promise<unknown>[];
    try {
      this.check(key, namespace);
      commands = this.writeCommands(namespace, this.prepare(key, namespace, entry));
    } catch (error) {
      return Promise.reject(error);
    }
    return (commands.length === 1 ? commands[0] : Promise.all(commands)).then(ignore);
  }

  async delete(key: string, namespace: string): Promise<boolean> {
    this.check(key, namespace);
    const removed = await this.connection.evalScript(
      DELETE_ENTRY,
      [this.layout.entryKey(namespace, key)],
      [this.layout.namespaceBase(namespace), key, String(this.clock.now())],
    );
    return removed === 1;
  }

  async has(key: string, namespace: string): Promise<boolean> {
    this.check(key, namespace);
    const redisKey = this.layout.entryKey(namespace, key);
    return this.isLive(key, redisKey);
  }

  async clear(namespace?: string): Promise<void> {
    this.assertOpen();
    if (namespace !== undefined) assertKey(namespace, "namespace");
    const pattern =
      namespace === undefined
        ? this.layout.everythingPattern()
        : this.layout.namespacePattern(namespace);
    const masters = await this.connection.masters();
    await Promise.all(
      masters.map(async (node) => {
        for await (const page of scanKeys(node, pattern, this.scanCount)) await this.unlink(page);
      }),
    );
  }

  async getMany(keys: readonly string[], namespace: string): Promise<(StoreEntry | undefined)[]> {
    this.assertOpen();
    assertKey(namespace, "namespace");
    for (const key of keys) assertKey(key);
    if (keys.length === 0) return [];
    // One namespace is one hash tag, so one MGET even on a cluster.
    const redisKeys = keys.map((k) => this.layout.entryKey(namespace, k));
    const replies = (await this.connection.send(
      redisKeys[0],
      ["MGET", ...redisKeys],
      true,
      true,
    )) as (Buffer | null)[];
    let failure: CacheSerializationError | undefined;
    const entries = replies.map((bytes, i) => {
      if (bytes === null) return undefined;
      try {
        return this.live(this.decode(keys[i], namespace, bytes, redisKeys[i]));
      } catch (error) {
        failure ??= error as CacheSerializationError;
        return undefined;
      }
    });
    if (failure) throw failure;
    return entries;
  }

  async setMany(
    entries: readonly (readonly [key: string, entry: StoreEntry])[],
    namespace: string,
  ): Promise<void> {
    this.assertOpen();
    assertKey(namespace, "namespace");
    for (const [key] of entries) assertKey(key);
    // Encode everything first: one bad value rejects the batch before anything is written.
    const writes = entries.map(([key, entry]) => this.prepare(key, namespace, entry));
    // Issued in one tick, node-redis writes them to the socket as one pipeline.
    await Promise.all(writes.flatMap((w) => this.writeCommands(namespace, w)));
  }

  async deleteTag(tag: string): Promise<number> {
    this.assertOpen();
    assertKey(tag, "tag");
    const registry = this.layout.tagNamespacesKey(tag);
    const namespaces = (await this.connection.send(registry, ["SMEMBERS", registry])) as string[];
    const now = String(this.clock.now());
    const counts = await Promise.all(
      namespaces.map((ns) =>
        this.connection.evalScript(
          DELETE_TAG,
          [this.layout.tagSetKey(ns, tag)],
          [this.layout.namespaceBase(ns), tag, now],
        ),
      ),
    );
    return counts.reduce<number>((sum, n) => sum + Number(n), 0);
  }

  async *keys(namespace?: string): AsyncIterable<NamespacedKey> {
    this.assertOpen();
    if (namespace !== undefined) assertKey(namespace, "namespace");
    const pattern = this.layout.entryPattern(namespace);
    // SCAN may return a key more than once; callers expect each key once.
    const seen = new Set<string>();
    for (const node of await this.connection.masters()) {
      for await (const page of scanKeys(node, pattern, this.scanCount)) {
        const parsed = page.map((k) => ({ redisKey: k, id: this.layout.parseEntryKey(k) }));
        const candidates = parsed.filter(
          (p) => p.id && (namespace === undefined || p.id.namespace === namespace),
        );
        const live = await Promise.all(candidates.map((p) => this.isLive(p.id!.key, p.redisKey)));
        for (let i = 0; i < candidates.length; i++) {
          if (!live[i] || seen.has(candidates[i].redisKey)) continue;
          seen.add(candidates[i].redisKey);
          yield candidates[i].id!;
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connection.close();
  }

  private check(key: string, namespace: string): void {
    this.assertOpen();
    assertKey(key);
    assertKey(namespace, "namespace");
  }

  private assertOpen(): void {
    if (this.closed) throw new CacheClosedError("redis store");
  }

  private decode(key: string, namespace: string, bytes: Buffer, redisKey: string): StoreEntry {
    if (this.signer !== undefined) {
      try {
        bytes = this.signer.verify(redisKey, bytes, key);
      } catch (error) {
        this.stats.signatureFailures++;
        this.emit("decodeError", { key, namespace, error: error as CacheSerializationError });
        throw error;
      }
    }
    try {
      return decodeRecord(this.codec, key, bytes);
    } catch (error) {
      const failure =
        error instanceof CacheSerializationError
          ? error
          : new CacheSerializationError(
              key,
              `cannot decode stored value: ${(error as Error).message}`,
              { cause: error },
            );
      this.stats.decodeErrors++;
      this.emit("decodeError", { key, namespace, error: failure });
      throw failure;
    }
  }

  private live(entry: StoreEntry): StoreEntry | undefined {
    return entry.expiresAt !== 0 && entry.expiresAt <= this.clock.now() ? undefined : entry;
  }

  private async isLive(key: string, redisKey: string): Promise<boolean> {
    const head = (await this.connection.send(
      redisKey,
      ["GETRANGE", redisKey, "0", String(EXPIRY_PREFIX_BYTES - 1)],
      true,
      true,
    )) as Buffer;
    if (head.length === 0) return false;
    let expiresAt: number;
    try {
      expiresAt = recordExpiresAt(head, key);
    } catch {
      return true; // present but not ours to interpret: it exists, and a get would report why
    }
    return expiresAt === 0 || expiresAt > this.clock.now();
  }

  private prepare(key: string, namespace: string, entry: StoreEntry): PreparedWrite {
    assertStorableEntry(key, entry);
    const redisKey = this.layout.entryKey(namespace, key);
    let record = encodeRecord(this.codec, key, entry);
    if (this.signer !== undefined) record = this.signer.sign(redisKey, record);
    if (record.length > this.maxValueBytes) {
      throw new CacheEntryTooLargeError(
        key,
        record.length,
        this.maxValueBytes,
        `${this.path}.maxValueBytes`,
      );
    }
    // PX counts from the store's clock, so a fake clock and Redis agree on how long is left.
    const px = entry.expiresAt === 0 ? 0 : Math.ceil(entry.expiresAt - this.clock.now());
    const expired = entry.expiresAt !== 0 && px <= 0;
    const tags = entry.tags && entry.tags.length > 0 ? [...new Set(entry.tags)] : [];
    return { key, redisKey, record, px, expired, tags };
  }

  private writeCommands(namespace: string, w: PreparedWrite): Promise<unknown>[] {
    if (w.expired) {
      // Already expired: the set leaves nothing behind, including an older value.
      return [
        this.connection.evalScript(
          DELETE_ENTRY,
          [w.redisKey],
          [this.layout.namespaceBase(namespace), w.key, String(this.clock.now())],
        ),
      ];
    }
    if (w.tags.length === 0) {
      const args: RedisArg[] = ["SET", w.redisKey, w.record];
      if (w.px > 0) args.push("PX", String(w.px));
      return [this.connection.send(w.redisKey, args)];
    }
    const px = String(w.px);
    return [
      this.connection.evalScript(
        SET_TAGGED,
        [w.redisKey],
        [w.record, px, this.layout.namespaceBase(namespace), w.key, ...w.tags],
      ),
      ...w.tags.map((tag) =>
        this.connection.evalScript(
          ADD_TO_SET,
          [this.layout.tagNamespacesKey(tag)],
          [namespace, px],
        ),
      ),
    ];
  }

  /** UNLINKs keys in groups that share a hash tag (one slot), so a cluster accepts each call. */
  private async unlink(keys: readonly string[]): Promise<void> {
    const groups = new Map<string, string[]>();
    for (const key of keys) {
      const group = RedisKeyLayout.hashTag(key) ?? `\0${key}`;
      let list = groups.get(group);
      if (!list) groups.set(group, (list = []));
      list.push(key);
    }
    await Promise.all(
      [...groups.values()].map((group) => this.connection.send(group[0], ["UNLINK", ...group])),
    );
  }
}

interface PreparedWrite {
  key: string;
  redisKey: string;
  record: Buffer;
  /** Milliseconds left for PX; 0 = never expires. */
  px: number;
  /** expiresAt is already past: the set only removes what was stored. */
  expired: boolean;
  tags: string[];
}

function ignore(): void {}

function positiveInteger(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new CacheConfigError(path, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

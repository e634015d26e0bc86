/**
 * One small interface over a node-redis client or cluster, so RedisStore, RedisLock and RedisBus
 * share connection handling: lazy connect, fail-fast while disconnected, a per-command timeout,
 * and routing by key on a cluster.
 */
import { createHash } from "node:crypto";
import {
  createClient,
  createCluster,
  RESP_TYPES,
  type RedisClientOptions,
  type RedisClientType,
  type RedisClusterType,
} from "redis";
import { CacheConfigError, CacheError, CacheStoreError } from "../core/errors.js";
import { optionalMillis, type Duration } from "../core/duration.js";
import { DeadlineQueue, withTimeout } from "./timeout.js";

export type RedisArg = string | Buffer;

/** Where and how to connect. Shared by RedisStore, RedisBus and RedisLock. */
export interface RedisConnectionOptions {
  /**
   * `redis[s]://[[username][:password]@]host[:port][/db-number]`. `rediss://` connects over TLS;
   * username and password in the URL authenticate (ACL user or the legacy `requirepass`).
   * A list of URLs means a Redis Cluster with these root nodes.
   * @default "redis://127.0.0.1:6379"
   */
  url?: string | readonly string[];
  /** Redis Cluster root nodes (at least one reachable master); same as giving `url` a list. */
  cluster?: { rootNodes: readonly { url: string }[] };
  /**
   * Longest wait for one Redis command, including the wait for the first connection; seconds or
   * a duration string. 0 = no limit.
   * @default "1s"
   */
  commandTimeout?: Duration;
  /**
   * Longest wait for a TCP (and TLS) connection to open; seconds or a duration string.
   * @default "5s"
   */
  connectTimeout?: Duration;
  /**
   * Extra node-redis client options (TLS certificates, `database`, a reconnect strategy...),
   * applied to every connection. `url`/`rootNodes` above take precedence.
   * @default {}
   */
  clientOptions?: RedisClientOptions;
}

/** Sends one command to one node. */
export type NodeSender = (args: readonly RedisArg[]) => Promise<unknown>;

const BUFFER_REPLIES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } } as const;
const DEFAULT_URL = "redis://127.0.0.1:6379";

/** The URLs of the root nodes when the options describe a cluster, else undefined. */
export function clusterUrls(options: RedisConnectionOptions): string[] | undefined {
  if (options.cluster) return options.cluster.rootNodes.map((n) => n.url);
  if (Array.isArray(options.url)) return [...(options.url as readonly string[])];
  return undefined;
}

/** Every URL a plain (non-cluster) connection may use: the single URL, or each cluster node. */
export function nodeUrls(options: RedisConnectionOptions): string[] {
  return clusterUrls(options) ?? [typeof options.url === "string" ? options.url : DEFAULT_URL];
}

function validateUrl(url: unknown, path: string): string {
  if (typeof url !== "string" || !/^rediss?:\/\//.test(url)) {
    throw new CacheConfigError(
      path,
      `expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}`,
    );
  }
  return url;
}

/** Node-redis options for one plain client at `url`, failing fast while disconnected. */
export function plainClientOptions(
  url: string,
  options: RedisConnectionOptions,
  path: string,
  overrides: RedisClientOptions = {},
): RedisClientOptions {
  const connectTimeout = optionalMillis(options.connectTimeout, `${path}.connectTimeout`, 5000);
  const extra = options.clientOptions ?? {};
  return {
    // Queued commands would wait for a Redis that may never come back; the cache would rather
    // fail now and answer from L1 or the loader.
    disableOfflineQueue: true,
    ...extra,
    ...overrides,
    url: validateUrl(url, `${path}.url`),
    socket: {
      connectTimeout,
      ...(extra.socket ?? {}),
      ...(overrides.socket ?? {}),
    } as RedisClientOptions["socket"],
  };
}

type Client = RedisClientType;
type Cluster = RedisClusterType;
type ClusterArgs = Parameters<Cluster["sendCommand"]>[2];

export class RedisConnection {
  readonly isCluster: boolean;
  readonly commandTimeoutMs: number;
  private readonly client: Client | undefined;
  private readonly clusterClient: Cluster | undefined;
  private connected = false;
  private connecting: Promise<void> | undefined;
  private closed = false;
  // One timer for every command's timeout: a timer per command costs more than the command.
  private readonly deadlines: DeadlineQueue;

  /**
   * `path` names the options in errors (`l2`); `onError` receives connection errors, which
   * node-redis would otherwise raise as an unhandled 'error' event.
   */
  constructor(
    options: RedisConnectionOptions,
    path: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.commandTimeoutMs = optionalMillis(options.commandTimeout, `${path}.commandTimeout`, 1000);
    this.deadlines = new DeadlineQueue(this.commandTimeoutMs, toCacheError, "redis ");
    const urls = clusterUrls(options);
    this.isCluster = urls !== undefined;
    if (urls) {
      if (urls.length === 0)
        throw new CacheConfigError(`${path}.cluster.rootNodes`, "needs at least one node");
      const defaults = plainClientOptions(urls[0], options, path);
      delete defaults.url;
      this.clusterClient = createCluster({
        rootNodes: urls.map((url, i) => ({ url: validateUrl(url, `${path}.url[${i}]`) })),
        defaults: defaults as Parameters<typeof createCluster>[0]["defaults"],
      }) as unknown as Cluster;
      this.clusterClient.on("error", (e: Error) => this.onError(e));
    } else {
      this.client = createClient(plainClientOptions(nodeUrls(options)[0], options, path)) as Client;
      this.client.on("error", (e: Error) => this.onError(e));
    }
  }

  /** True once connected at least once and not closed. */
  get isReady(): boolean {
    if (this.closed || !this.connected) return false;
    return this.client ? this.client.isReady : (this.clusterClient?.isOpen ?? false);
  }

  private connect(): Promise<void> {
    if (this.closed) return Promise.reject(new CacheStoreError("redis connection is closed"));
    if (!this.connecting) {
      const opening = this.client ? this.client.connect() : this.clusterClient!.connect();
      this.connecting = opening.then(
        () => {
          this.connected = true;
        },
        (error: unknown) => {
          // Let a later command try again (a cluster's first discovery can fail while it is down).
          this.connecting = undefined;
          throw new CacheStoreError(`cannot connect to redis: ${(error as Error).message}`, {
            cause: error,
          });
        },
      );
      // Callers that gave up (timeout, close) no longer listen; the failure must not go unhandled.
      this.connecting.catch(() => undefined);
    }
    return this.connecting;
  }

  /**
   * Sends one command, routed on a cluster by `firstKey` (the node owning its slot; any node when
   * undefined). With `buffers`, bulk-string replies come back as Buffers.
   */
  send(
    firstKey: string | undefined,
    args: readonly RedisArg[],
    buffers = false,
    readonly = false,
  ): Promise<unknown> {
    const name = typeof args[0] === "string" ? args[0] : "command";
    const pending = this.connected
      ? this.dispatch(firstKey, args, buffers, readonly)
      : this.connect().then(() => this.dispatch(firstKey, args, buffers, readonly));
    return this.deadlines.wrap(pending, name);
  }

  private dispatch(
    firstKey: string | undefined,
    args: readonly RedisArg[],
    buffers: boolean,
    readonly: boolean,
  ): Promise<unknown> {
    const options = buffers ? BUFFER_REPLIES : undefined;
    if (this.client) return this.client.sendCommand(args, options);
    return this.clusterClient!.sendCommand(firstKey, readonly, args as ClusterArgs, options);
  }

  /** Runs a Lua script by SHA, loading it when the node does not know it yet. */
  async evalScript(
    script: LuaScript,
    keys: readonly RedisArg[],
    args: readonly RedisArg[],
  ): Promise<unknown> {
    const firstKey = keys.length > 0 ? keys[0].toString() : undefined;
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.send(firstKey, ["EVALSHA", script.sha1, ...tail]);
    } catch (error) {
      if (!String((error as Error).cause ?? "").includes("NOSCRIPT")) throw error;
      return this.send(firstKey, ["EVAL", script.source, ...tail]);
    }
  }

  /** One sender per master: the single server, or every master of the cluster (for SCAN). */
  async masters(): Promise<NodeSender[]> {
    if (!this.connected) await this.deadlines.wrap(this.connect(), "connect");
    if (this.client) return [(args) => this.send(undefined, args)];
    const cluster = this.clusterClient!;
    const clients = await Promise.all(cluster.masters.map((m) => cluster.nodeClient(m)));
    return clients.map(
      (c) => (args: readonly RedisArg[]) =>
        this.deadlines.wrap(c.sendCommand(args), String(args[0])),
    );
  }

  /** Closes gracefully when connected, else drops the sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const target = this.client ?? this.clusterClient!;
    if (!this.connecting) return;
    const ready =
      this.connected && (this.client ? this.client.isReady : this.clusterClient!.isOpen);
    try {
      // Graceful only when connected: close() waits for pending replies that a dead server never sends.
      if (ready) await withTimeout(target.close(), 2000, "redis close");
      else target.destroy();
    } catch {
      target.destroy();
    }
  }
}

/** node-redis errors become CacheStoreErrors (a stable `code`); CacheErrors pass through. */
export function toCacheError(error: unknown, operation: string): CacheError {
  if (error instanceof CacheError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CacheStoreError(`redis ${operation} failed: ${message}`, { cause: error });
}

/** A Lua script with its SHA-1, run with {@link RedisConnection.evalScript}. */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha1: createHash("sha1").update(source).digest("hex") };
}

/** Pages of keys matching `pattern` on one node, by SCAN (never KEYS). */
export async function* scanKeys(
  node: NodeSender,
  pattern: string,
  count: number,
): AsyncIterable<string[]> {
  let cursor = "0";
  do {
    const reply = (await node(["SCAN", cursor, "MATCH", pattern, "COUNT", String(count)])) as [
      string,
      string[],
    ];
    cursor = reply[0].toString();
    if (reply[1].length > 0) yield reply[1].map(String);
  } while (cursor !== "0");
}

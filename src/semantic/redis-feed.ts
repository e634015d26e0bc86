/**
 * RedisStreamFeed: semantic cache events over a Redis stream. Every process XADDs what it
 * stores, deletes and clears, and reads the stream from the last id it saw, so an event published
 * while a reader is briefly disconnected is delivered when it comes back (unlike pub/sub), as long
 * as the stream still holds it (`maxLength`). Events carry keys only; receivers read the entry
 * from the shared store.
 */
import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import { optionalMillis, type Duration } from "../core/duration.js";
import { CacheClosedError, CacheConfigError } from "../core/errors.js";
import {
  clusterUrls,
  nodeUrls,
  plainClientOptions,
  RedisConnection,
  type RedisConnectionOptions,
} from "../stores/redis-connection.js";
import type { SemanticFeed, SemanticFeedMessage } from "./feed.js";

export interface RedisStreamFeedOptions extends RedisConnectionOptions {
  /**
   * The stream every process of one deployment shares.
   * @default "victor:semantic:feed"
   */
  stream?: string;
  /**
   * Approximate number of events the stream keeps (`XADD MAXLEN ~`). A process away for longer
   * than it takes to publish this many events misses some; restarting it rebuilds from the store.
   * @default 10000
   */
  maxLength?: number;
  /**
   * How long one XREAD waits for new events before asking again; seconds or a duration string.
   * @default "1s"
   */
  block?: Duration;
  /** Told about connection and read errors; the feed keeps retrying on its own. */
  onError?: (error: Error) => void;
}

const READ_COUNT = "512";

export class RedisStreamFeed implements SemanticFeed {
  readonly stream: string;
  readonly #options: RedisStreamFeedOptions;
  readonly #publisher: RedisConnection;
  readonly #maxLength: number;
  readonly #blockMs: number;
  #reader: RedisClientType | undefined;
  #listener: ((message: SemanticFeedMessage) => void) | undefined;
  #lastId = "0-0";
  #closed = false;
  /** Stream entries that were not valid feed messages (ignored). */
  malformed = 0;
  /** The reader connection's CLIENT SETNAME, to find it in CLIENT LIST. */
  readonly clientName = `victor-semantic-feed-${randomUUID()}`;

  constructor(options: RedisStreamFeedOptions = {}, path = "semantic.feed") {
    if (clusterUrls(options)) {
      throw new CacheConfigError(
        `${path}.url`,
        "the semantic feed reads from one Redis node; give a single URL",
      );
    }
    this.#options = options;
    this.stream = options.stream ?? "victor:semantic:feed";
    if (typeof this.stream !== "string" || this.stream === "") {
      throw new CacheConfigError(`${path}.stream`, "must be a non-empty string");
    }
    this.#maxLength = options.maxLength ?? 10_000;
    if (!Number.isInteger(this.#maxLength) || this.#maxLength < 1) {
      throw new CacheConfigError(
        `${path}.maxLength`,
        `must be a positive integer, got ${this.#maxLength}`,
      );
    }
    this.#blockMs = optionalMillis(options.block, `${path}.block`, 1000);
    this.#publisher = new RedisConnection(options, path, (e) => options.onError?.(e));
  }

  /** The id of the last event read: where reading resumes after a reconnect. */
  get lastId(): string {
    return this.#lastId;
  }

  async publish(message: SemanticFeedMessage): Promise<void> {
    if (this.#closed) throw new CacheClosedError("semantic feed");
    await this.#publisher.send(this.stream, [
      "XADD",
      this.stream,
      "MAXLEN",
      "~",
      String(this.#maxLength),
      "*",
      "m",
      JSON.stringify(message),
    ]);
  }

  async subscribe(listener: (message: SemanticFeedMessage) => void): Promise<void> {
    if (this.#closed) throw new CacheClosedError("semantic feed");
    this.#listener = listener;
    if (this.#reader) return;
    const reader = createClient(
      plainClientOptions(nodeUrls(this.#options)[0], this.#options, "semantic.feed", {
        name: this.clientName,
      }),
    ) as RedisClientType;
    reader.on("error", (e: Error) => this.#options.onError?.(e));
    this.#reader = reader;
    await reader.connect();
    // Start after the newest event: what was published before is already in the store.
    const newest = (await reader.sendCommand([
      "XREVRANGE",
      this.stream,
      "+",
      "-",
      "COUNT",
      "1",
    ])) as unknown[];
    const first = Array.isArray(newest) ? (newest[0] as unknown[] | undefined) : undefined;
    if (first && typeof first[0] === "string") this.#lastId = first[0];
    void this.#readLoop(reader);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener = undefined;
    // destroy, not close: a blocked XREAD would hold a graceful close for up to `block`.
    this.#reader?.destroy();
    this.#reader = undefined;
    await this.#publisher.close();
  }

  async #readLoop(reader: RedisClientType): Promise<void> {
    let failures = 0;
    while (!this.#closed && this.#reader === reader) {
      try {
        const reply = await reader.sendCommand([
          "XREAD",
          "COUNT",
          READ_COUNT,
          "BLOCK",
          String(this.#blockMs),
          "STREAMS",
          this.stream,
          this.#lastId,
        ]);
        failures = 0;
        for (const [id, fields] of streamEntries(reply)) {
          this.#lastId = id;
          const message = parseMessage(fields);
          if (message) this.#listener?.(message);
          else this.malformed++;
        }
      } catch (error) {
        if (this.#closed) return;
        this.#options.onError?.(error as Error);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(1000, 25 * 2 ** failures++)).unref(),
        );
      }
    }
  }
}

/** XREAD's reply, `[[stream, [[id, [field, value, ...]], ...]]]` (null on timeout), as entries. */
function streamEntries(reply: unknown): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  if (!Array.isArray(reply)) return out;
  for (const stream of reply) {
    const entries = Array.isArray(stream) ? stream[1] : undefined;
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (Array.isArray(entry) && typeof entry[0] === "string" && Array.isArray(entry[1])) {
        out.push([entry[0], entry[1] as unknown[]]);
      }
    }
  }
  return out;
}

function parseMessage(fields: unknown[]): SemanticFeedMessage | undefined {
  const at = fields.indexOf("m");
  const raw = at >= 0 ? fields[at + 1] : undefined;
  if (typeof raw !== "string") return undefined;
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof m !== "object" || m === null || typeof m.origin !== "string") return undefined;
  const origin = m.origin;
  switch (m.op) {
    case "put":
    case "delete":
      return typeof m.namespace === "string" && typeof m.key === "string"
        ? { op: m.op, namespace: m.namespace, key: m.key, origin }
        : undefined;
    case "clear":
      return m.namespace === null || typeof m.namespace === "string"
        ? { op: "clear", namespace: m.namespace, origin }
        : undefined;
    case "tag":
      return typeof m.tag === "string" ? { op: "tag", tag: m.tag, origin } : undefined;
    default:
      return undefined;
  }
}

/**
 * RedisBus: invalidations over Redis pub/sub.
 *
 * Publishing goes through an ordinary connection (a cluster connection when given several URLs);
 * receiving uses one dedicated subscriber connection to a single node, because classic PUBLISH is
 * broadcast to every node of a Redis Cluster, so any node hears everything.
 *
 * Pub/sub is fire-and-forget: what is published while the subscriber is not subscribed is lost.
 * So the bus tracks whether it is receiving: it goes "down" on a connection error or when its own
 * heartbeat (a message it publishes to itself every `heartbeatInterval`) has not come back within
 * `heartbeatTimeout`, and "up" again once it is subscribed and hearing again, at which point the
 * reconnect handlers run (see docs/distributed.md for the guarantee this gives).
 */
import { randomUUID } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import { optionalMillis, type Duration } from "../core/duration.js";
import { CacheClosedError, CacheConfigError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import {
  nodeUrls,
  plainClientOptions,
  RedisConnection,
  type RedisConnectionOptions,
} from "../stores/redis-connection.js";
import {
  assertInvalidationEvent,
  encodeInvalidationMessage,
  parseInvalidationMessage,
  type InvalidationBus,
  type InvalidationEvent,
  type InvalidationHandler,
  type InvalidationMessage,
} from "./bus.js";

export interface RedisBusOptions extends RedisConnectionOptions {
  type?: "redis";
  /** The pub/sub channel every cache of one deployment shares. @default "victor:bus" */
  channel?: string;
  /** This instance's id (the sender id on its messages). @default a random UUID */
  id?: string;
  /**
   * How often the bus publishes a heartbeat to itself to prove it still receives; seconds or a
   * duration string. 0 disables the heartbeat (then only connection errors mark it down).
   * @default "1s"
   */
  heartbeatInterval?: Duration;
  /**
   * How long without hearing its own heartbeat before the bus counts as disconnected; seconds or
   * a duration string. Bounds how long a silently dead connection can go unnoticed.
   * @default 3 × heartbeatInterval
   */
  heartbeatTimeout?: Duration;
}

export type RedisBusState = "starting" | "up" | "down";

export type RedisBusEvents = {
  /** A connection error; the bus keeps reconnecting on its own. */
  connectionError: { error: Error };
  stateChange: { from: RedisBusState; to: RedisBusState; reason: string };
};

type Dispatch = { message: InvalidationMessage; disconnect: undefined; reconnect: undefined };

export class RedisBus extends TypedEmitter<RedisBusEvents> implements InvalidationBus {
  readonly id: string;
  readonly channel: string;
  private readonly heartbeatChannel: string;
  private readonly publisher: RedisConnection;
  private readonly options: RedisBusOptions;
  private readonly urls: string[];
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly dispatch = new TypedEmitter<Dispatch>();
  private subscriber: RedisClientType | undefined;
  private urlIndex = 0;
  private state: RedisBusState = "starting";
  private subscribed = false;
  private lastHeard = performance.now();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readyPromise: Promise<void>;
  private closed = false;
  /** Messages received that were not valid invalidations (ignored). */
  malformed = 0;

  constructor(options: RedisBusOptions = {}, path = "bus") {
    super();
    this.options = options;
    this.id = options.id ?? randomUUID();
    this.channel = options.channel ?? "victor:bus";
    if (typeof this.channel !== "string" || this.channel.length === 0) {
      throw new CacheConfigError(`${path}.channel`, "must be a non-empty string");
    }
    this.heartbeatChannel = `${this.channel}:hb:${this.id}`;
    this.heartbeatMs = optionalMillis(options.heartbeatInterval, `${path}.heartbeatInterval`, 1000);
    this.heartbeatTimeoutMs = optionalMillis(
      options.heartbeatTimeout,
      `${path}.heartbeatTimeout`,
      3 * this.heartbeatMs,
    );
    this.urls = nodeUrls(options);
    this.publisher = new RedisConnection(options, path, (error) =>
      this.emit("connectionError", { error }),
    );
    this.readyPromise = this.startSubscriber();
    this.readyPromise.catch(() => undefined);
    if (this.heartbeatMs > 0) {
      this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
      this.timer.unref();
    }
  }

  /** Resolves once the first subscription is active: from then on no invalidation goes unnoticed. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  get connected(): boolean {
    return this.state === "up" && !this.closed;
  }

  get currentState(): RedisBusState {
    return this.state;
  }

  async publish(event: InvalidationEvent): Promise<void> {
    if (this.closed) throw new CacheClosedError("redis bus");
    assertInvalidationEvent(event);
    await this.publisher.send(undefined, [
      "PUBLISH",
      this.channel,
      encodeInvalidationMessage(this.id, event),
    ]);
  }

  subscribe(handler: InvalidationHandler): () => void {
    return this.dispatch.on("message", handler);
  }

  onDisconnect(handler: () => void): () => void {
    return this.dispatch.on("disconnect", handler);
  }

  onReconnect(handler: () => void): () => void {
    return this.dispatch.on("reconnect", handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    subscriber?.destroy();
    await this.publisher.close();
  }

  private async startSubscriber(): Promise<void> {
    const url = this.urls[this.urlIndex % this.urls.length];
    const client = createClient(
      plainClientOptions(url, this.options, "bus", { name: `victor-bus-${this.id}` }),
    ) as RedisClientType;
    this.subscriber = client;
    this.subscribed = false;
    client.on("error", (error: Error) => {
      if (this.subscriber !== client) return;
      this.emit("connectionError", { error });
      this.markDown(`connection error: ${error.message}`);
    });
    client.on("reconnecting", () => this.subscriber === client && this.markDown("reconnecting"));
    // On a reconnect node-redis has *sent* the SUBSCRIBE when it emits 'ready', but Redis may not
    // have applied it yet, and a message published in between would be lost. So the bus counts as
    // up only once it hears a probe published after 'ready' (see `receive`): from then on every
    // message reaches it. Messages sent while it was away are lost, hence the reconnect handlers.
    client.on("ready", () => {
      if (this.subscriber !== client || !this.subscribed) return;
      this.markDown("reconnected; waiting to hear the subscription");
      this.probe();
    });
    await client.connect();
    await client.subscribe([this.channel, this.heartbeatChannel], (message, channel) =>
      this.receive(message, channel),
    );
    if (this.subscriber !== client) return;
    this.subscribed = true;
    this.lastHeard = performance.now();
    this.markUp("subscribed", false);
  }

  private receive(raw: string, channel: string): void {
    if (channel === this.heartbeatChannel) {
      this.lastHeard = performance.now();
      if (this.state === "down" && this.subscribed) this.markUp("heartbeat heard again", false);
      return;
    }
    const message = parseInvalidationMessage(raw);
    if (!message) {
      this.malformed++;
      return;
    }
    if (message.senderId === this.id) return;
    this.dispatch.emit("message", message);
  }

  /** Publishes to this bus's own heartbeat channel; hearing it proves the subscription is live. */
  private probe(): void {
    this.publisher.send(undefined, ["PUBLISH", this.heartbeatChannel, "1"]).catch(() => {
      // Without a periodic heartbeat nothing else would retry, and the bus would stay down.
      if (this.heartbeatMs === 0 && this.state === "down" && !this.closed) {
        setTimeout(() => this.probe(), 100).unref();
      }
    });
  }

  private heartbeat(): void {
    if (this.closed) return;
    this.probe();
    if (!this.subscribed) return;
    const silentFor = performance.now() - this.lastHeard;
    if (silentFor > this.heartbeatTimeoutMs)
      this.markDown(`no heartbeat for ${Math.round(silentFor)} ms`);
    // node-redis still believes the socket is fine but nothing arrives (a half-open TCP
    // connection, or a node that left the cluster): replace the subscriber, trying the next node.
    if (silentFor > 2 * this.heartbeatTimeoutMs && this.subscriber?.isReady) this.recycle();
  }

  private recycle(): void {
    const old = this.subscriber;
    old?.destroy();
    this.urlIndex++;
    this.readyPromise = this.startSubscriber();
    this.readyPromise.catch(() => undefined);
  }

  private markDown(reason: string): void {
    if (this.closed || this.state === "down") return;
    const from = this.state;
    this.state = "down";
    this.emit("stateChange", { from, to: "down", reason });
    this.dispatch.emit("disconnect", undefined);
  }

  /** `force`: run the reconnect handlers even when no disconnect was noticed first. */
  private markUp(reason: string, force: boolean): void {
    if (this.closed) return;
    const from = this.state;
    this.state = "up";
    this.lastHeard = performance.now();
    if (from !== "up") this.emit("stateChange", { from, to: "up", reason });
    if (from === "down" || force) this.dispatch.emit("reconnect", undefined);
  }
}

/**
 * A distributed lock on Redis, so that a loader runs once across processes (getOrSet with
 * `distributedLock: true`).
 *
 * - acquire: `SET <key> <token> NX PX <ttl>`; the random token proves ownership.
 * - release: a compare-and-delete script (only the holder's token deletes the key), then a
 *   PUBLISH of the lock name on the notification channel, which wakes waiters at once.
 * - a holder that dies never releases: the key expires after its TTL, and waiters notice it by
 *   polling (with backoff, and at the moment the key's remaining TTL runs out), so they never
 *   depend on the notification alone.
 */
import { randomBytes } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import { optionalMillis, type Duration } from "../core/duration.js";
import { CacheClosedError, CacheConfigError } from "../core/errors.js";
import { assertKey } from "../core/keys.js";
import {
  luaScript,
  nodeUrls,
  plainClientOptions,
  RedisConnection,
  type RedisConnectionOptions,
} from "./redis-connection.js";

export interface RedisLockOptions extends RedisConnectionOptions {
  /** Prepended to lock names to form their Redis keys. @default "victor:lock:" */
  prefix?: string;
  /** Channel on which releases are announced. @default "victor:lock" */
  channel?: string;
  /** First delay between polls of a held lock; doubles up to `maxPollInterval`. @default "10ms" */
  pollInterval?: Duration;
  /** Longest delay between polls of a held lock. @default "250ms" */
  maxPollInterval?: Duration;
  /** Use this connection for commands instead of opening one (it is not closed by `close`). */
  connection?: RedisConnection;
}

/** Proof of holding a lock, given back to `release` and `extend`. */
export interface LockHandle {
  readonly name: string;
  readonly key: string;
  readonly token: string;
}

const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const EXTEND = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** All in-process waiters of one lock name share one poll loop. */
interface Watch {
  waiters: Set<() => void>;
  timer: ReturnType<typeof setTimeout> | undefined;
  delay: number;
}

export class RedisLock {
  private readonly connection: RedisConnection;
  private readonly ownsConnection: boolean;
  private readonly options: RedisLockOptions;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly watches = new Map<string, Watch>();
  private subscriber: RedisClientType | undefined;
  private subscribing: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisLockOptions = {}, path = "lock") {
    this.options = options;
    this.prefix = options.prefix ?? "victor:lock:";
    this.channel = options.channel ?? "victor:lock";
    if (typeof this.prefix !== "string")
      throw new CacheConfigError(`${path}.prefix`, "must be a string");
    this.pollMs = Math.max(1, optionalMillis(options.pollInterval, `${path}.pollInterval`, 10));
    this.maxPollMs = Math.max(
      this.pollMs,
      optionalMillis(options.maxPollInterval, `${path}.maxPollInterval`, 250),
    );
    this.ownsConnection = options.connection === undefined;
    this.connection = options.connection ?? new RedisConnection(options, path);
  }

  /** Takes the lock if it is free; undefined when someone else holds it. */
  async tryAcquire(name: string, ttlMs: number): Promise<LockHandle | undefined> {
    this.assertOpen();
    assertKey(name, "lock name");
    assertTtl(ttlMs);
    const key = this.prefix + name;
    const token = randomBytes(16).toString("hex");
    const reply = await this.connection.send(key, [
      "SET",
      key,
      token,
      "NX",
      "PX",
      String(Math.ceil(ttlMs)),
    ]);
    return reply === "OK" ? { name, key, token } : undefined;
  }

  /** Takes the lock, waiting up to `waitMs` for the holder to release it; undefined on timeout. */
  async acquire(name: string, ttlMs: number, waitMs: number): Promise<LockHandle | undefined> {
    const deadline = performance.now() + waitMs;
    for (;;) {
      const handle = await this.tryAcquire(name, ttlMs);
      if (handle) return handle;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return undefined;
      await this.waitForRelease(name, remaining);
    }
  }

  /** Releases the lock if `handle` still holds it and wakes the waiters; false when it had expired. */
  async release(handle: LockHandle): Promise<boolean> {
    this.assertOpen();
    const deleted = await this.connection.evalScript(RELEASE, [handle.key], [handle.token]);
    if (deleted !== 1) return false;
    await this.connection.send(undefined, ["PUBLISH", this.channel, handle.name]);
    return true;
  }

  /** Resets the TTL of a held lock to `ttlMs`; false when it is no longer held. */
  async extend(handle: LockHandle, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    assertTtl(ttlMs);
    const reply = await this.connection.evalScript(
      EXTEND,
      [handle.key],
      [handle.token, String(Math.ceil(ttlMs))],
    );
    return reply === 1;
  }

  /**
   * Resolves true as soon as the lock is free (released, expired, or never held), false when it
   * is still held after `waitMs`. Never rejects: when Redis is unreachable it keeps polling until
   * the deadline.
   */
  async waitForRelease(name: string, waitMs: number): Promise<boolean> {
    this.assertOpen();
    assertKey(name, "lock name");
    // Subscribe before looking, so a release between the look and the subscription is not missed.
    await this.subscribe(waitMs);
    return new Promise<boolean>((resolve) => {
      let watch = this.watches.get(name);
      if (!watch) {
        watch = { waiters: new Set(), timer: undefined, delay: this.pollMs };
        this.watches.set(name, watch);
        this.poll(name, watch);
      }
      const w = watch;
      const waiter = (): void => {
        clearTimeout(deadline);
        resolve(true);
      };
      const deadline = setTimeout(
        () => {
          w.waiters.delete(waiter);
          if (w.waiters.size === 0) this.stopWatch(name, w);
          resolve(false);
        },
        Math.max(0, waitMs),
      );
      w.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [name, watch] of this.watches) this.wake(name, watch);
    this.subscriber?.destroy();
    if (this.ownsConnection) await this.connection.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new CacheClosedError("redis lock");
  }

  private subscribe(waitMs: number): Promise<void> {
    if (!this.subscribing) {
      const client = createClient(
        plainClientOptions(nodeUrls(this.options)[0], this.options, "lock", {
          name: "victor-lock",
        }),
      ) as RedisClientType;
      client.on("error", () => undefined); // polling covers a lost subscription
      this.subscriber = client;
      this.subscribing = client
        .connect()
        .then(() => client.subscribe(this.channel, (name) => this.notified(name)))
        .catch(() => undefined);
    }
    // Waiting for the subscription is worth at most the caller's budget; polling still works.
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, waitMs));
      this.subscribing!.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private notified(name: string): void {
    const watch = this.watches.get(name);
    if (watch) this.wake(name, watch);
  }

  private poll(name: string, watch: Watch): void {
    const key = this.prefix + name;
    this.connection.send(key, ["PTTL", key]).then(
      (reply) => {
        if (this.watches.get(name) !== watch) return;
        const pttl = Number(reply);
        if (pttl === -2) return this.wake(name, watch); // gone: released or expired
        this.schedule(name, watch, pttl > 0 ? pttl + 1 : watch.delay);
      },
      () => this.watches.get(name) === watch && this.schedule(name, watch, watch.delay),
    );
  }

  /** Polls again after the backoff delay, or right when the key's TTL runs out if sooner. */
  private schedule(name: string, watch: Watch, untilExpiry: number): void {
    const delay = Math.min(watch.delay, untilExpiry);
    watch.delay = Math.min(watch.delay * 2, this.maxPollMs);
    watch.timer = setTimeout(() => this.poll(name, watch), delay);
  }

  private wake(name: string, watch: Watch): void {
    this.stopWatch(name, watch);
    for (const waiter of watch.waiters) waiter();
    watch.waiters.clear();
  }

  private stopWatch(name: string, watch: Watch): void {
    clearTimeout(watch.timer);
    if (this.watches.get(name) === watch) this.watches.delete(name);
  }
}

function assertTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new CacheConfigError("lock.ttl", `expected milliseconds > 0, got ${ttlMs}`);
}

export interface LoadWithLockOptions<T> {
  lock: RedisLock;
  /** The lock's name; one per cache key (namespace included). */
  name: string;
  /** Lock TTL in ms: how long a dead holder blocks others. Renewed every ttl/2 while loading. */
  ttlMs: number;
  /** Longest wait for another process's load, in ms; after it the caller loads itself. */
  waitMs: number;
  /** Reads the shared tier; undefined = not there (yet). */
  read: () => Promise<T | undefined>;
  /** Runs the loader AND stores its value in the shared tier, so waiters find it when they wake. */
  load: () => Promise<T>;
}

/**
 * Runs `load` once across every process that calls this with the same `name` at the same time:
 * the lock holder loads (after checking the shared tier once more), the others wait for its
 * release and read what it stored. If the lock holder fails, the next waiter takes over. If the
 * lock itself is unavailable (Redis down), the caller loads on its own: a cache must not fail
 * because its lock service did.
 */
export async function loadWithLock<T>(
  options: LoadWithLockOptions<T>,
): Promise<{ value: T; loaded: boolean }> {
  const { lock, name, ttlMs, read, load } = options;
  const deadline = performance.now() + options.waitMs;
  for (;;) {
    const existing = await read();
    if (existing !== undefined) return { value: existing, loaded: false };
    let handle: LockHandle | undefined;
    try {
      handle = await lock.tryAcquire(name, ttlMs);
    } catch {
      return { value: await load(), loaded: true };
    }
    if (handle) return holdAndLoad(lock, handle, ttlMs, read, load);
    const remaining = deadline - performance.now();
    if (remaining <= 0) return { value: await load(), loaded: true };
    await lock.waitForRelease(name, remaining);
  }
}

async function holdAndLoad<T>(
  lock: RedisLock,
  handle: LockHandle,
  ttlMs: number,
  read: () => Promise<T | undefined>,
  load: () => Promise<T>,
): Promise<{ value: T; loaded: boolean }> {
  const renew = setInterval(
    () => lock.extend(handle, ttlMs).catch(() => false),
    Math.max(1, ttlMs / 2),
  );
  renew.unref();
  try {
    // The value may have landed between our read and our acquire.
    const again = await read();
    if (again !== undefined) return { value: again, loaded: false };
    return { value: await load(), loaded: true };
  } finally {
    clearInterval(renew);
    await lock.release(handle).catch(() => false);
  }
}

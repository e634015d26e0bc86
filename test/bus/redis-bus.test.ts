import { afterEach, expect, it } from "vitest";
import { createClient } from "redis";
import { RedisBus } from "../../src/bus/redis.js";
import type { InvalidationMessage } from "../../src/bus/bus.js";
import { ErrorCode } from "../../src/core/errors.js";
import { describeWithOwnedRedis, sleep, uniquePrefix } from "../helpers/redis-harness.js";

/** Polls `condition` until it holds; the test's own timeout bounds the wait. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; ; i++) {
    if (await condition()) return;
    if (i > 3000) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

describeWithOwnedRedis("RedisBus on a real Redis", (redis) => {
  const open: RedisBus[] = [];
  const bus = (options: ConstructorParameters<typeof RedisBus>[0] = {}) => {
    const b = new RedisBus({ url: redis().url, ...options });
    open.push(b);
    return b;
  };
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
  });

  it("delivers to the other instances on the channel and never to the sender", async () => {
    const channel = uniquePrefix("bus");
    const [a, b, c] = [
      bus({ channel, id: "a" }),
      bus({ channel, id: "b" }),
      bus({ channel, id: "c" }),
    ];
    const elsewhere = bus({ channel: channel + "other" });
    await Promise.all([a.ready(), b.ready(), c.ready(), elsewhere.ready()]);
    const got = {
      a: [] as InvalidationMessage[],
      b: [] as InvalidationMessage[],
      c: [] as InvalidationMessage[],
      x: 0,
    };
    a.subscribe((m) => got.a.push(m));
    b.subscribe((m) => got.b.push(m));
    c.subscribe((m) => got.c.push(m));
    elsewhere.subscribe(() => got.x++);
    await a.publish({ type: "set", namespace: "ns", key: "k" });
    await b.publish({ type: "tag", tag: "t" });
    await until(() => got.c.length === 2 && got.a.length === 1 && got.b.length === 1, "delivery");
    expect(got.a).toEqual([{ senderId: "b", type: "tag", tag: "t" }]);
    expect(got.b).toEqual([{ senderId: "a", type: "set", namespace: "ns", key: "k" }]);
    expect(got.x).toBe(0);
  });

  it("ignores malformed messages on the channel", async () => {
    const channel = uniquePrefix("bus");
    const a = bus({ channel });
    await a.ready();
    const got: InvalidationMessage[] = [];
    a.subscribe((m) => got.push(m));
    const raw = createClient({ url: redis().url });
    await raw.connect();
    await raw.publish(channel, "garbage");
    await raw.publish(channel, JSON.stringify({ senderId: "z", type: "clear" }));
    raw.destroy();
    await until(() => got.length === 1, "the valid message");
    expect(a.malformed).toBe(1);
  });

  it("a killed subscriber connection fires the disconnect and reconnect handlers", async () => {
    const channel = uniquePrefix("bus");
    const a = bus({ channel, id: "victim" });
    const b = bus({ channel });
    await Promise.all([a.ready(), b.ready()]);
    const events: string[] = [];
    a.onDisconnect(() => events.push("down"));
    a.onReconnect(() => events.push("up"));
    const admin = createClient({ url: redis().url });
    await admin.connect();
    const list = String(await admin.sendCommand(["CLIENT", "LIST"]));
    const id = /id=(\d+) [^\n]*name=victor-bus-victim/.exec(list)?.[1];
    expect(id).toBeDefined();
    await admin.sendCommand(["CLIENT", "KILL", "ID", id!]);
    admin.destroy();
    await until(() => events.includes("up"), "reconnect");
    expect(events).toEqual(["down", "up"]);
    const got: InvalidationMessage[] = [];
    a.subscribe((m) => got.push(m));
    await b.publish({ type: "clear" });
    await until(() => got.length === 1, "delivery after the reconnect");
  });

  it("survives kill -9 and restart of Redis: reconnect handlers run and delivery resumes", async () => {
    const channel = uniquePrefix("bus");
    const a = bus({ channel });
    const b = bus({ channel });
    await Promise.all([a.ready(), b.ready()]);
    const events: string[] = [];
    a.onDisconnect(() => events.push("down"));
    a.onReconnect(() => events.push("up"));
    await redis().kill();
    await until(() => events.includes("down"), "disconnect");
    expect(a.connected).toBe(false);
    await expect(b.publish({ type: "clear" })).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_CACHE_/),
    });
    await redis().restart();
    await until(() => events.includes("up") && b.connected, "reconnect");
    expect(a.connected).toBe(true);
    const got: InvalidationMessage[] = [];
    a.subscribe((m) => got.push(m));
    await b.publish({ type: "delete", namespace: "n", key: "k" });
    await until(() => got.length === 1, "delivery after restart");
  });

  it("a silent subscriber is noticed by the heartbeat", async () => {
    const channel = uniquePrefix("bus");
    const a = bus({ channel, id: "paused", heartbeatInterval: "50ms", heartbeatTimeout: "200ms" });
    await a.ready();
    const events: string[] = [];
    a.onDisconnect(() => events.push("down"));
    a.onReconnect(() => events.push("up"));
    // Paused clients keep their TCP connections but nothing flows: the bus is deaf, not disconnected.
    const admin = createClient({ url: redis().url });
    await admin.connect();
    await admin.sendCommand(["CLIENT", "PAUSE", "600", "ALL"]);
    await until(() => events.includes("down"), "heartbeat timeout");
    admin.destroy();
    await until(() => events.includes("up"), "heartbeat heard again");
    expect(events.slice(0, 2)).toEqual(["down", "up"]);
  });

  it("rejects bad events and use after close", async () => {
    const a = bus({ channel: uniquePrefix("bus") });
    await expect(a.publish({ type: "tag" })).rejects.toMatchObject({ code: ErrorCode.CONFIG });
    await a.close();
    await expect(a.publish({ type: "clear" })).rejects.toMatchObject({ code: ErrorCode.CLOSED });
  });
});

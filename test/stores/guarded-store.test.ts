import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GuardedStore } from "../../src/stores/guarded-store.js";
import { CircuitBreaker, CircuitState } from "../../src/stores/circuit-breaker.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { CacheKeyError, ErrorCode } from "../../src/core/errors.js";
import { RedisStore } from "../../src/stores/redis.js";
import { ChaosStore, seededRandom } from "../helpers/chaos.js";
import { describeWithOwnedRedis, sleep, uniquePrefix } from "../helpers/redis-harness.js";

class ManualClock {
  time = 1_000_000;
  now(): number {
    return this.time;
  }
}

/** Lets pending promise callbacks and rejection tracking run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

describe("GuardedStore", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
    vi.useRealTimers();
  });

  function setup(options: { timeout?: string; threshold?: number } = {}) {
    const clock = new ManualClock();
    const chaos = new ChaosStore(new MemoryStore({ maxSize: 1000 }));
    const breaker = new CircuitBreaker({
      name: "l2",
      failureThreshold: options.threshold ?? 3,
      cooldown: "5s",
      clock,
    });
    const store = new GuardedStore(chaos, { timeout: options.timeout ?? "100ms", breaker });
    const states: string[] = [];
    store.on("stateChange", ({ to }) => states.push(to));
    return { clock, chaos, store, states };
  }

  it("passes every operation through while healthy", async () => {
    const { store } = setup();
    await store.set("k", "ns", { value: 1, expiresAt: 0, tags: ["t"] });
    await store.setMany([["j", { value: 2, expiresAt: 0 }]], "ns");
    expect((await store.get("k", "ns"))?.value).toBe(1);
    expect((await store.getMany(["j", "x"], "ns")).map((e) => e?.value)).toEqual([2, undefined]);
    expect(await store.has("k", "ns")).toBe(true);
    const keys = [];
    for await (const k of store.keys("ns")) keys.push(k.key);
    expect(keys.sort()).toEqual(["j", "k"]);
    expect(await store.deleteTag("t")).toBe(1);
    expect(await store.delete("j", "ns")).toBe(true);
    await store.clear();
    expect(store.name).toBe("memory");
  });

  it("times out a hanging operation with CacheTimeoutError and swallows its late rejection", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { chaos, store } = setup({ timeout: "100ms" });
    chaos.hanging = true;
    const pending = store.get("k", "ns").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await pending).toMatchObject({
      code: ErrorCode.TIMEOUT,
      message: expect.stringContaining("memory get"),
    });
    chaos.release({ fail: true }); // the inner operation now rejects, long after the caller gave up
    vi.useRealTimers();
    await settle();
    expect(unhandled).toEqual([]);
  });

  it("opens after consecutive failures, then rejects without calling the store", async () => {
    const { chaos, store, states } = setup({ threshold: 3 });
    chaos.failNext(3);
    for (let i = 0; i < 3; i++)
      await expect(store.get("k", "ns")).rejects.toMatchObject({ code: ErrorCode.STORE });
    expect(store.breaker.state).toBe(CircuitState.OPEN);
    const before = chaos.totalCalls();
    await expect(store.set("k", "ns", { value: 1, expiresAt: 0 })).rejects.toMatchObject({
      code: ErrorCode.CIRCUIT_OPEN,
    });
    expect(chaos.totalCalls()).toBe(before);
    expect(states).toEqual(["open"]);
  });

  it("timeouts count as failures", async () => {
    const { chaos, store } = setup({ timeout: "20ms", threshold: 2 });
    chaos.hanging = true;
    await expect(store.get("a", "ns")).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    await expect(store.get("b", "ns")).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(store.breaker.state).toBe(CircuitState.OPEN);
    chaos.release({ fail: true });
    await settle();
    expect(unhandled).toEqual([]);
  });

  it("probes after the cooldown and closes again once the store answers", async () => {
    const { clock, chaos, store, states } = setup({ threshold: 1 });
    chaos.failNext(1);
    await expect(store.get("k", "ns")).rejects.toThrow();
    clock.time += 5000;
    await store.set("k", "ns", { value: "back", expiresAt: 0 });
    expect(store.breaker.state).toBe(CircuitState.CLOSED);
    expect((await store.get("k", "ns"))?.value).toBe("back");
    expect(states).toEqual(["open", "half_open", "closed"]);
  });

  it("does not count the caller's own errors against the store", async () => {
    const { chaos, store } = setup({ threshold: 2 });
    chaos.makeError = () => new CacheKeyError(42, "key must be a string");
    chaos.failNext(10);
    for (let i = 0; i < 10; i++)
      await expect(store.get("k", "ns")).rejects.toMatchObject({ code: ErrorCode.KEY });
    expect(store.breaker.state).toBe(CircuitState.CLOSED);
  });

  it("guards each step of keys()", async () => {
    const { chaos, store } = setup({ threshold: 1 });
    await store.set("k", "ns", { value: 1, expiresAt: 0 });
    chaos.failNext(1);
    const iterate = async () => {
      for await (const _ of store.keys()) void _;
    };
    await expect(iterate()).rejects.toMatchObject({ code: ErrorCode.STORE });
    expect(store.breaker.state).toBe(CircuitState.OPEN);
  });

  it("under random failures, delays and hangs every call settles with a typed error or a value", async () => {
    const { clock, chaos, store } = setup({ timeout: "15ms", threshold: 3 });
    const random = seededRandom(7);
    chaos.failureRate = 0.3;
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 20; round++) {
      chaos.hanging = random() < 0.3;
      chaos.delayMs = random() < 0.3 ? 30 : 0;
      const calls = Array.from({ length: 10 }, (_, i) =>
        (i % 2
          ? store.get(`k${i}`, "ns")
          : store.set(`k${i}`, "ns", { value: i, expiresAt: 0 })
        ).then(
          () => "ok",
          (e: { code?: string }) => e.code ?? "untyped",
        ),
      );
      for (const outcome of await Promise.all(calls))
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      chaos.release({ fail: random() < 0.5 });
      clock.time += 2000;
    }
    await settle();
    expect(outcomes.has("untyped")).toBe(false);
    expect(
      [...outcomes.keys()].every((c) =>
        ["ok", ErrorCode.STORE, ErrorCode.TIMEOUT, ErrorCode.CIRCUIT_OPEN].includes(c),
      ),
    ).toBe(true);
    expect(outcomes.get("ok")).toBeGreaterThan(0);
    expect(outcomes.get(ErrorCode.CIRCUIT_OPEN)).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
  });
});

describeWithOwnedRedis("GuardedStore over a Redis that is killed with -9 mid-load", (redis) => {
  it("fails fast while Redis is gone, opens, closes again after the restart, and leaks no rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const inner = new RedisStore({
      url: redis().url,
      prefix: uniquePrefix("guard"),
      commandTimeout: "1s",
    });
    const store = new GuardedStore(inner, {
      timeout: "200ms",
      breaker: { failureThreshold: 5, cooldown: "250ms" },
    });
    const transitions: string[] = [];
    let closedAt = 0;
    store.on("stateChange", ({ from, to }) => {
      transitions.push(`${from}->${to}`);
      if (to === CircuitState.CLOSED) closedAt = performance.now();
    });
    const outcomes = new Map<string, number>();
    let slowest = 0;
    let running = true;
    // Fail-safe callers: an L2 error degrades to "the loader's value" and never reaches them.
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const started = performance.now();
        const key = `k${(w * 7 + i) % 50}`;
        const op =
          i % 3 === 0 ? store.set(key, "ns", { value: i, expiresAt: 0 }) : store.get(key, "ns");
        const outcome = await op.then(
          () => "ok",
          (e: { code?: string }) => e.code ?? "untyped",
        );
        slowest = Math.max(slowest, performance.now() - started);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (outcome !== "ok") await sleep(5); // a real cache would answer from L1 or the loader here
      }
    };
    const workers = Array.from({ length: 20 }, (_, w) => worker(w));
    try {
      await until(() => (outcomes.get("ok") ?? 0) > 200, "a healthy load");
      const killedAt = performance.now();
      await redis().kill();
      await until(() => store.breaker.state === CircuitState.OPEN, "the circuit to open");
      const openedAfter = performance.now() - killedAt;
      await sleep(300); // callers keep calling while it is down
      await redis().restart();
      const restartedAt = performance.now();
      await until(
        () => store.breaker.state === CircuitState.CLOSED && transitions.length >= 3,
        "recovery",
      );
      const okBefore = outcomes.get("ok") ?? 0;
      await until(() => (outcomes.get("ok") ?? 0) > okBefore + 100, "healthy traffic again");
      running = false;
      await Promise.all(workers);
      await new Promise((r) => setImmediate(r));
      console.log(
        `breaker under kill -9: opened ${openedAfter.toFixed(0)} ms after the kill, closed ` +
          `${(closedAt - restartedAt).toFixed(0)} ms after the restart; slowest call ` +
          `${slowest.toFixed(0)} ms (timeout 200 ms); outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
          `transitions ${transitions.join(", ")}`,
      );
      expect(transitions[0]).toBe("closed->open");
      expect(transitions).toContain("half_open->closed");
      expect(transitions[transitions.length - 1]).toBe("half_open->closed");
      expect(outcomes.has("untyped")).toBe(false);
      expect(outcomes.get(ErrorCode.CIRCUIT_OPEN)).toBeGreaterThan(0);
      expect(unhandled).toEqual([]);
    } finally {
      running = false;
      await Promise.all(workers);
      process.off("unhandledRejection", onUnhandled);
      await store.clear().catch(() => undefined);
      await store.close();
    }
  });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 5000) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeadlineQueue, withTimeout } from "../../src/stores/timeout.js";
import { ErrorCode } from "../../src/core/errors.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("timeouts", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
    process.off("unhandledRejection", onUnhandled);
  });

  it("DeadlineQueue passes values and errors through, mapped", async () => {
    const queue = new DeadlineQueue(100, (e) => new Error(`mapped: ${(e as Error).message}`));
    await expect(queue.wrap(Promise.resolve(7), "op")).resolves.toBe(7);
    await expect(queue.wrap(Promise.reject(new Error("boom")), "op")).rejects.toThrow(
      "mapped: boom",
    );
    expect(queue.pending).toBe(0);
  });

  it("DeadlineQueue times out each operation at its own deadline, never early", async () => {
    const queue = new DeadlineQueue(100, undefined, "redis ");
    const first = deferred<number>();
    const second = deferred<number>();
    const a = queue.wrap(first.promise, "GET").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60);
    const b = queue.wrap(second.promise, "SET").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(39);
    expect(queue.pending).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(await a).toMatchObject({
      code: ErrorCode.TIMEOUT,
      message: "redis GET timed out after 100 ms",
    });
    expect(queue.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(59);
    expect(queue.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await b).toMatchObject({ code: ErrorCode.TIMEOUT });
    // Late outcomes of timed-out operations are observed, never unhandled.
    first.reject(new Error("late"));
    second.resolve(1);
    vi.useRealTimers();
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });

  it("DeadlineQueue keeps no settled operations around and 0 means no limit", async () => {
    const queue = new DeadlineQueue(100);
    await Promise.all(Array.from({ length: 5000 }, (_, i) => queue.wrap(Promise.resolve(i), "op")));
    expect(queue.pending).toBe(0);
    const never = new DeadlineQueue(0);
    const pending = deferred<number>();
    const wrapped = never.wrap(pending.promise, "op");
    await vi.advanceTimersByTimeAsync(1_000_000);
    pending.resolve(3);
    await expect(wrapped).resolves.toBe(3);
  });

  it("withTimeout rejects at the deadline and observes the late rejection", async () => {
    const slow = deferred<number>();
    const wrapped = withTimeout(slow.promise, 50, "store get").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await wrapped).toMatchObject({
      code: ErrorCode.TIMEOUT,
      message: "store get timed out after 50 ms",
    });
    slow.reject(new Error("late"));
    vi.useRealTimers();
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });
});

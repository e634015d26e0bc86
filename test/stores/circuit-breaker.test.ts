import { describe, expect, it } from "vitest";
import {
  CacheCircuitOpenError,
  CircuitBreaker,
  CircuitState,
} from "../../src/stores/circuit-breaker.js";
import { ErrorCode } from "../../src/core/errors.js";

class ManualClock {
  time = 1_000_000;
  now(): number {
    return this.time;
  }
}

function setup(options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker({ name: "l2", cooldown: "5s", clock, ...options });
  const changes: string[] = [];
  breaker.on("stateChange", ({ from, to }) => changes.push(`${from}->${to}`));
  const fail = (n: number) => {
    for (let i = 0; i < n; i++) breaker.failure(breaker.admit());
  };
  const succeed = (n: number) => {
    for (let i = 0; i < n; i++) breaker.success(breaker.admit());
  };
  return { clock, breaker, changes, fail, succeed };
}

describe("CircuitBreaker", () => {
  it("opens after N consecutive failures and rejects fast with ERR_CACHE_CIRCUIT_OPEN", () => {
    const { breaker, changes, fail } = setup({ failureThreshold: 3 });
    fail(2);
    expect(breaker.state).toBe(CircuitState.CLOSED);
    fail(1);
    expect(breaker.state).toBe(CircuitState.OPEN);
    expect(() => breaker.admit()).toThrow(CacheCircuitOpenError);
    expect(() => breaker.admit()).toThrow(
      expect.objectContaining({ code: ErrorCode.CIRCUIT_OPEN }),
    );
    expect(changes).toEqual(["closed->open"]);
  });

  it("a success resets the consecutive count", () => {
    const { breaker, fail, succeed } = setup({ failureThreshold: 3, failureRate: 1 });
    for (let i = 0; i < 10; i++) {
      fail(2);
      succeed(1);
    }
    expect(breaker.state).toBe(CircuitState.CLOSED);
  });

  it("opens on the failure rate over the window once enough calls were made", () => {
    const { breaker, fail, succeed } = setup({
      failureThreshold: 100,
      failureRate: 0.5,
      minimumCalls: 10,
    });
    for (let i = 0; i < 4; i++) {
      fail(1);
      succeed(1);
    }
    expect(breaker.state).toBe(CircuitState.CLOSED); // 8 calls: below minimumCalls
    fail(1);
    succeed(1);
    expect(breaker.state).toBe(CircuitState.CLOSED); // 5/10 but the last call succeeded
    fail(1);
    expect(breaker.state).toBe(CircuitState.OPEN); // 6/11 >= 0.5 on a failure
  });

  it("forgets failures older than the window", () => {
    const { clock, breaker, fail, succeed } = setup({
      failureThreshold: 100,
      failureRate: 0.5,
      minimumCalls: 10,
      window: "10s",
    });
    fail(9);
    clock.time += 11_000;
    succeed(10);
    fail(1);
    expect(breaker.state).toBe(CircuitState.CLOSED); // 1/11 in the window
  });

  it("half-opens after the cooldown, lets one probe through, and closes on its success", () => {
    const { clock, breaker, changes, fail } = setup({ failureThreshold: 1 });
    fail(1);
    clock.time += 4999;
    expect(() => breaker.admit()).toThrow(CacheCircuitOpenError);
    clock.time += 1;
    const probe = breaker.admit();
    expect(probe).toBe(true);
    expect(breaker.state).toBe(CircuitState.HALF_OPEN);
    expect(() => breaker.admit()).toThrow(CacheCircuitOpenError); // only one probe at a time
    breaker.success(probe);
    expect(breaker.state).toBe(CircuitState.CLOSED);
    expect(breaker.admit()).toBe(false);
    expect(changes).toEqual(["closed->open", "open->half_open", "half_open->closed"]);
  });

  it("a failed probe opens it again for a new cooldown", () => {
    const { clock, breaker, changes, fail } = setup({ failureThreshold: 1 });
    fail(1);
    clock.time += 5000;
    breaker.failure(breaker.admit());
    expect(breaker.state).toBe(CircuitState.OPEN);
    clock.time += 4999;
    expect(() => breaker.admit()).toThrow(CacheCircuitOpenError);
    clock.time += 1;
    breaker.success(breaker.admit());
    expect(changes).toEqual([
      "closed->open",
      "open->half_open",
      "half_open->open",
      "open->half_open",
      "half_open->closed",
    ]);
  });

  it("a neutral outcome frees the probe slot without deciding", () => {
    const { clock, breaker, fail } = setup({ failureThreshold: 1 });
    fail(1);
    clock.time += 5000;
    breaker.neutral(breaker.admit());
    expect(breaker.state).toBe(CircuitState.HALF_OPEN);
    expect(breaker.admit()).toBe(true);
  });

  it("rejects bad options naming the path", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 }, "l2.breaker")).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG, path: "l2.breaker.failureThreshold" }),
    );
    expect(() => new CircuitBreaker({ failureRate: 1.5 })).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG }),
    );
    expect(() => new CircuitBreaker({ cooldown: "-1s" })).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG }),
    );
  });
});

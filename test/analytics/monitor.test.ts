import { describe, expect, it } from "vitest";
import { CacheAnalytics } from "../../src/analytics/cache-analytics.js";
import { AlertMonitor, type Alert } from "../../src/analytics/monitor.js";
import { CacheConfigError, ErrorCode } from "../../src/core/errors.js";
import { ManualTime } from "../helpers/manual-time.js";
import { StandInCache } from "./stand-in-cache.js";

/** Reads `n` times with the given share of L1 hits (the rest miss), all within one interval. */
function traffic(cache: StandInCache, n: number, hitShare: number, durationMs = 0.05): void {
  for (let i = 0; i < n; i++)
    cache.read(`k${i % 50}`, i < n * hitShare ? "l1_hit" : "miss", durationMs);
}

function setup(options: Parameters<CacheAnalytics["startMonitoring"]>[0]) {
  const cache = new StandInCache(100);
  const time = new ManualTime();
  const analytics = new CacheAnalytics({ cache, clock: time, scheduler: time });
  const fired: Alert[] = [];
  const cleared: Alert[] = [];
  analytics.on("alert", (a) => fired.push(a));
  analytics.on("alertCleared", (a) => cleared.push(a));
  return {
    cache,
    time,
    analytics,
    fired,
    cleared,
    start: () => analytics.startMonitoring(options),
  };
}

describe("alerts under a fake clock", () => {
  it("fires a hit-rate alert after two bad intervals and clears it after two good ones, without flapping", async () => {
    const { cache, time, analytics, fired, cleared, start } = setup({
      intervalSeconds: 10,
      thresholds: { hitRateBelow: 0.8 },
      hysteresis: { fireAfter: 2, clearAfter: 2, margin: 0.1 },
    });
    await start();
    const interval = (hitShare: number): void => {
      traffic(cache, 100, hitShare);
      time.advance(10_000);
    };
    interval(0.5); // bad once: not yet
    expect(fired).toHaveLength(0);
    interval(0.9); // good: the streak resets
    interval(0.5);
    expect(fired).toHaveLength(0);
    interval(0.5); // second bad in a row: fires
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      name: "hit_rate",
      state: "firing",
      threshold: 0.8,
      firedAt: time.now(),
    });
    expect(fired[0].value).toBeCloseTo(0.5, 9);
    expect(fired[0].message).toBe("hit rate 50.0 % is below 80.0 %");
    expect(analytics.activeAlerts().map((a) => a.name)).toEqual(["hit_rate"]);
    interval(0.5); // still bad: no second alert
    interval(0.81); // above the threshold but inside the margin (clears at 0.82): still firing
    interval(0.81);
    interval(0.5);
    expect(fired).toHaveLength(1);
    expect(cleared).toHaveLength(0);
    interval(0.95);
    expect(cleared).toHaveLength(0);
    interval(0.95); // second good interval past the margin: clears
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatchObject({ name: "hit_rate", state: "cleared", clearedAt: time.now() });
    expect(analytics.activeAlerts()).toEqual([]);
    expect(analytics.alertHistory().map((a) => a.state)).toEqual(["firing", "cleared"]);
    await analytics.close();
  });

  it("leaves alert state alone in quiet intervals (fewer reads than minRequests)", async () => {
    const { cache, time, analytics, fired, cleared, start } = setup({
      intervalSeconds: 1,
      thresholds: { hitRateBelow: 0.9 },
      hysteresis: { fireAfter: 1, clearAfter: 1 },
      minRequests: 20,
    });
    await start();
    traffic(cache, 5, 0); // 5 misses: too few to judge
    time.advance(1000);
    expect(fired).toHaveLength(0);
    traffic(cache, 50, 0);
    time.advance(1000);
    expect(fired).toHaveLength(1);
    time.advance(5000); // idle: no data, still firing
    expect(cleared).toHaveLength(0);
    expect(analytics.activeAlerts()).toHaveLength(1);
    await analytics.close();
  });

  it("fires on p95 latency, error rate and memory", async () => {
    const { cache, time, analytics, fired, cleared, start } = setup({
      intervalSeconds: 5,
      thresholds: { p95LatencyMsAbove: 20, errorRateAbove: 0.05, memoryBytesAbove: 1_000_000 },
      hysteresis: { fireAfter: 1, clearAfter: 1 },
    });
    cache.l1.options.maxBytes = 10_000_000;
    await start();
    traffic(cache, 100, 1, 50);
    for (let i = 0; i < 10; i++)
      cache.events.emit("error", { tier: "l2", operation: "get", error: new Error("down") });
    cache.l1Bytes = 2_000_000;
    time.advance(5000);
    expect(fired.map((a) => a.name).sort()).toEqual(["error_rate", "memory", "p95_latency"]);
    const latency = fired.find((a) => a.name === "p95_latency")!;
    expect(latency.value).toBeGreaterThan(45);
    expect(latency.value).toBeLessThan(55);
    expect(fired.find((a) => a.name === "error_rate")!.value).toBeCloseTo(0.1, 9);
    traffic(cache, 100, 1, 1);
    cache.l1Bytes = 10;
    time.advance(5000);
    expect(cleared.map((a) => a.name).sort()).toEqual(["error_rate", "memory", "p95_latency"]);
    await analytics.close();
  });

  it("stops checking after stopMonitoring and close", async () => {
    const { cache, time, analytics, fired, start } = setup({
      intervalSeconds: 1,
      thresholds: { hitRateBelow: 0.9 },
      hysteresis: { fireAfter: 1 },
    });
    await start();
    analytics.stopMonitoring();
    traffic(cache, 100, 0);
    time.advance(5000);
    expect(fired).toHaveLength(0);
    await analytics.close();
    expect(time.pending).toBe(0);
    await expect(analytics.startMonitoring({})).rejects.toThrow(CacheConfigError);
  });
});

describe("AlertMonitor options", () => {
  it.each([
    [{ intervalSeconds: 0 }, "monitoring.intervalSeconds"],
    [{ intervalSeconds: -1 }, "monitoring.intervalSeconds"],
    [{ thresholds: { hitRateBelow: 1.5 } }, "monitoring.thresholds.hitRateBelow"],
    [{ thresholds: { p95LatencyMsAbove: Number.NaN } }, "monitoring.thresholds.p95LatencyMsAbove"],
    [{ thresholds: { errorRateAbove: -0.1 } }, "monitoring.thresholds.errorRateAbove"],
    [{ hysteresis: { fireAfter: 0 } }, "monitoring.hysteresis.fireAfter"],
    [{ hysteresis: { clearAfter: 1.5 } }, "monitoring.hysteresis.clearAfter"],
    [{ hysteresis: { margin: 2 } }, "monitoring.hysteresis.margin"],
  ])("rejects %j naming %s", (options, path) => {
    const error = (() => {
      try {
        new AlertMonitor(options);
      } catch (e) {
        return e as CacheConfigError;
      }
      throw new Error("did not throw");
    })();
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error.code).toBe(ErrorCode.CONFIG);
    expect(error.path).toBe(path);
  });

  it("clears a latency alert only below threshold × (1 − margin)", () => {
    const m = new AlertMonitor({
      thresholds: { p95LatencyMsAbove: 20 },
      hysteresis: { fireAfter: 1, clearAfter: 1, margin: 0.1 },
    });
    expect(m.evaluate({ p95LatencyMs: 25 }, 1).fired).toHaveLength(1);
    expect(m.evaluate({ p95LatencyMs: 19 }, 2).cleared).toHaveLength(0);
    expect(m.evaluate({ p95LatencyMs: 18 }, 3).cleared).toHaveLength(1);
  });
});

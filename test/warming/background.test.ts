import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CacheClosedError } from "../../src/core/errors.js";
import { CacheWarmer, WARMING_NAMESPACE } from "../../src/warming/index.js";
import { names, rig } from "./support.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => {
  rejections.push(reason);
};
beforeEach(() => {
  rejections.length = 0;
  process.on("unhandledRejection", onRejection);
});
afterEach(() => {
  process.off("unhandledRejection", onRejection);
});

/** Watches runStart/runEnd: the most runs ever in flight at once, and how many started. */
function watchRuns(warmer: CacheWarmer) {
  const seen = { active: 0, peak: 0, started: 0, ended: 0 };
  warmer.events.on("runStart", () => {
    seen.started++;
    seen.peak = Math.max(seen.peak, ++seen.active);
  });
  warmer.events.on("runEnd", () => {
    seen.active--;
    seen.ended++;
  });
  return seen;
}

describe("CacheWarmer: background warming", () => {
  it("under load, with a loader that throws and hangs: no overlap, a clean stop, nothing unhandled", async () => {
    const r = rig(50);
    const keys = names("k", 200);
    for (const key of keys.slice(0, 100))
      await r.store.set(key, "default", { value: key, expiresAt: 0 });
    let call = 0;
    const warmer = new CacheWarmer({
      cache: r.cache,
      strategy: "hybrid",
      preloadCount: 60,
      warmInterval: "5ms",
      jitter: 0.5,
      loaderTimeout: "15ms",
      loaderRate: 0,
      loaderConcurrency: 4,
      loader: async (key) => {
        const n = call++ % 4;
        if (n === 0) throw new Error(`loader failed for ${key}`);
        if (n === 1) return new Promise(() => undefined); // hangs: abandoned at the timeout
        if (n === 2) return Promise.reject(new Error("rejected"));
        await sleep(1);
        return `loaded ${key}`;
      },
    });
    const runs = watchRuns(warmer);
    const errors: string[] = [];
    warmer.events.on("error", (e) => errors.push(e.operation));
    await warmer.startBackgroundWarming();

    // Traffic: reads, writes and deletes over the same keys, and manual runs on top.
    let i = 0;
    const traffic = async () => {
      while (runs.ended < 8) {
        const key = keys[(i * 7919) % keys.length];
        if (i % 10 === 0) await r.cache.set(key, i);
        else if (i % 29 === 0) await r.cache.delete(key);
        else await r.cache.get(key);
        if (i % 50 === 0) await sleep(1);
        r.clock.advance(10);
        i++;
      }
    };
    const manual = async () => {
      for (let m = 0; m < 3; m++) {
        await warmer.warm();
        await sleep(3);
      }
    };
    await Promise.all([traffic(), traffic(), manual()]);
    await warmer.stop();

    expect(runs.peak).toBe(1);
    expect(runs.active).toBe(0);
    expect(runs.started).toBe(runs.ended);
    const after = runs.started;
    await sleep(40);
    expect(runs.started).toBe(after);

    const stats = warmer.getStats();
    expect(stats.runs).toBe(runs.ended);
    expect(stats.loaderErrors).toBeGreaterThan(0);
    expect(stats.loaderTimeouts).toBeGreaterThan(0);
    expect(errors).toContain("loader");
    expect(stats.timeMs).toBeGreaterThan(0);
    expect(stats.warmedFromL2 + stats.warmedFromLoader).toBeGreaterThan(0);
    // stop() saved the access log.
    expect(await r.store.get("default:meta", WARMING_NAMESPACE)).toBeDefined();
    await sleep(30); // let abandoned loaders settle: their late results must go nowhere
    expect(rejections).toEqual([]);
  });

  it("stop() awaits the run in flight, abandoning its pending loader calls", async () => {
    const r = rig();
    let signal: AbortSignal | undefined;
    const warmer = new CacheWarmer({
      cache: r.cache,
      loaderTimeout: "1h",
      loader: (_key, _ns, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
    });
    warmer.recordAccess("never-loads");
    const runs = watchRuns(warmer);
    await warmer.startBackgroundWarming();
    while (signal === undefined) await sleep(1);
    expect(runs.active).toBe(1);
    await warmer.stop();
    expect(runs.active).toBe(0);
    expect(signal.aborted).toBe(true);
    expect(rejections).toEqual([]);
  });

  it("a run that fails to read L2 is counted and emitted; the loop goes on", async () => {
    const r = rig();
    const broken = new Proxy(r.store, {
      get(target, prop) {
        if (prop === "getMany") return () => Promise.reject(new Error("l2 down"));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const cache = r.restart();
    Object.defineProperty(cache, "l2", { value: broken });
    const warmer = new CacheWarmer({ cache, warmInterval: "2ms", persist: false });
    warmer.recordAccess("k");
    const runs = watchRuns(warmer);
    const errors: string[] = [];
    warmer.events.on("error", (e) => errors.push(e.operation));
    await warmer.startBackgroundWarming();
    while (runs.ended < 3) await sleep(2);
    await warmer.stop();
    expect(errors.filter((op) => op === "l2-read").length).toBeGreaterThanOrEqual(3);
    expect(warmer.getStats().storeErrors).toBeGreaterThanOrEqual(3);
    expect(rejections).toEqual([]);
  });

  it("can be restarted after stop(); after close() it refuses", async () => {
    const r = rig();
    const warmer = new CacheWarmer({ cache: r.cache, warmInterval: "2ms" });
    const runs = watchRuns(warmer);
    await warmer.startBackgroundWarming();
    await warmer.startBackgroundWarming(); // idempotent
    while (runs.ended < 2) await sleep(2);
    await warmer.stop();
    const first = runs.ended;
    await warmer.startBackgroundWarming();
    while (runs.ended < first + 2) await sleep(2);
    await warmer.close();
    await warmer.close();
    await expect(warmer.startBackgroundWarming()).rejects.toBeInstanceOf(CacheClosedError);
    await expect(warmer.warm()).rejects.toBeInstanceOf(CacheClosedError);
    // Closed, it no longer listens to the cache.
    const size = warmer.accessLog.size;
    await r.cache.get("after-close");
    expect(warmer.accessLog.size).toBe(size);
  });
});

import { describe, expect, it } from "vitest";
import { CacheConfigError, CacheKeyError, ErrorCode } from "../../src/core/errors.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { CacheWarmer, type CacheWarmerOptions } from "../../src/warming/index.js";

const cache = new MultiLevelCache({ l1: { maxSize: 10 } });

function configError(options: Partial<CacheWarmerOptions> | unknown): CacheConfigError {
  try {
    new CacheWarmer({ cache, ...(options as object) } as CacheWarmerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(CacheConfigError);
    return error as CacheConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe("CacheWarmer: bad config gets a typed error naming the field", () => {
  it.each([
    [{ recencyWeight: 1.5 }, "recencyWeight"],
    [{ recencyWeight: -0.1 }, "recencyWeight"],
    [{ recencyWeight: Number.NaN }, "recencyWeight"],
    [{ recencyWeight: "0.5" }, "recencyWeight"],
    [{ preloadCount: -1 }, "preloadCount"],
    [{ preloadCount: 2.5 }, "preloadCount"],
    [{ warmInterval: -5 }, "warmInterval"],
    [{ warmInterval: 0 }, "warmInterval"],
    [{ warmInterval: "soon" }, "warmInterval"],
    [{ strategy: "psychic" }, "strategy"],
    [{ strategy: "HYBRID" }, "strategy"],
    [{ loaderConcurrency: 0 }, "loaderConcurrency"],
    [{ loaderRate: -1 }, "loaderRate"],
    [{ loaderBurst: 0 }, "loaderBurst"],
    [{ loaderTimeout: "-1s" }, "loaderTimeout"],
    [{ loader: "not a function" }, "loader"],
    [{ timeWindow: 0 }, "timeWindow"],
    [{ jitter: 1 }, "jitter"],
    [{ maxKeys: 0 }, "maxKeys"],
    [{ halfLife: "0s" }, "halfLife"],
    [{ maxUsersPerKey: 0 }, "maxUsersPerKey"],
    [{ timezoneOffset: 900 }, "timezoneOffset"],
    [{ timezoneOffset: "Europe/Paris" }, "timezoneOffset"],
    [{ setWeight: -1 }, "setWeight"],
    [{ persist: "yes" }, "persist"],
    [{ persistName: "" }, "persistName"],
    [{ context: 42 }, "context"],
    [{ cache: undefined }, "cache"],
    [{ cache: {} }, "cache"],
  ])("%j -> %s", (options, path) => {
    const error = configError(options);
    expect(error.code).toBe(ErrorCode.CONFIG);
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it("names the accepted strategies", () => {
    expect(configError({ strategy: "psychic" }).message).toContain(
      "frequency, recency, hybrid, time_based, user_specific",
    );
  });

  it("accepts the documented defaults and edge values", () => {
    const warmer = new CacheWarmer({ cache });
    expect(warmer.options).toMatchObject({
      strategy: "hybrid",
      preloadCount: 100,
      warmIntervalMs: 300_000,
      recencyWeight: 0.5,
      timeWindowMs: 3_600_000,
    });
    expect(warmer.options.log).toMatchObject({ maxKeys: 10_000, halfLifeMs: 86_400_000 });
    const edge = new CacheWarmer({
      cache,
      recencyWeight: 1,
      preloadCount: 0,
      warmInterval: "250ms",
      timezoneOffset: -300,
    });
    expect(edge.options.warmIntervalMs).toBe(250);
  });

  it("rejects bad arguments to recordAccess, withContext and warmFor", () => {
    const warmer = new CacheWarmer({ cache });
    expect(() => warmer.recordAccess(42 as unknown as string)).toThrow(CacheKeyError);
    expect(() => warmer.recordAccess("k", "default", { weight: -1 })).toThrow(
      /recordAccess\.weight/,
    );
    expect(() => warmer.withContext(7 as unknown as string, () => 1)).toThrow(CacheConfigError);
    expect(() => warmer.warmFor(undefined as unknown as string)).toThrow(/warmFor\.user/);
    expect(warmer.accessLog.size).toBe(0);
  });
});

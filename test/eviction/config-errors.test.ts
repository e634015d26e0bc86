import { describe, expect, it } from "vitest";
import { CacheConfigError, ErrorCode } from "../../src/core/errors.js";
import { createEvictionPolicy } from "../../src/eviction/factory.js";
import { LfuPolicy } from "../../src/eviction/lfu.js";
import type { EvictionPolicyName } from "../../src/eviction/policy.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("eviction policy configuration errors", () => {
  it.each(["lru", "lfu", "fifo", "ttl"] as const)("builds %s by name", (name) => {
    expect(createEvictionPolicy(name, { capacity: 3 }).name).toBe(name);
  });

  it("rejects an unknown policy with a CacheConfigError naming the option", () => {
    const error = thrown(() =>
      createEvictionPolicy("mru" as EvictionPolicyName, { capacity: 10 }, "l1.evictionPolicy"),
    );
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error).toMatchObject({ code: ErrorCode.CONFIG, path: "l1.evictionPolicy" });
    expect((error as Error).message).toMatch(/^l1\.evictionPolicy: .*"mru"/);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "rejects capacity %s with a CacheConfigError naming the option",
    (capacity) => {
      for (const name of ["lru", "lfu", "fifo", "ttl"] as const) {
        const error = thrown(() => createEvictionPolicy(name, { capacity }, "l1.evictionPolicy"));
        expect(error).toBeInstanceOf(CacheConfigError);
        expect(error).toMatchObject({ code: ErrorCode.CONFIG, path: "l1.evictionPolicy" });
        expect((error as Error).message).toContain(String(capacity));
      }
    },
  );

  it.each([-1, 1.5, Number.NaN, 9])(
    "rejects LFU agingPeriod %s (0 or an integer >= capacity)",
    (agingPeriod) => {
      const error = thrown(() => new LfuPolicy({ capacity: 10, agingPeriod }));
      expect(error).toBeInstanceOf(CacheConfigError);
      expect(error).toMatchObject({ code: ErrorCode.CONFIG, path: "agingPeriod" });
    },
  );

  it.each([0, 10, 11])("accepts LFU agingPeriod %s", (agingPeriod) => {
    expect(new LfuPolicy({ capacity: 10, agingPeriod }).size).toBe(0);
  });
});

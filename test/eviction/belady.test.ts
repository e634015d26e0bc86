import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { beladyHits } from "../../src/eviction/belady.js";
import { createEvictionPolicy } from "../../src/eviction/factory.js";
import { EVICTION_POLICY_NAMES, type EvictionPolicyName } from "../../src/eviction/policy.js";
import { simulate } from "../../src/eviction/simulator.js";
import { loadTrace } from "../../src/eviction/trace.js";
import { assertProperty } from "../helpers/property.js";
import { tracePath } from "../helpers/traces.js";

/**
 * Belady's OPT is the ceiling of the hit-ratio table, so it must be right: it matches an
 * exhaustive search on tiny traces, never loses to a real policy, and reproduces the published
 * optimum for arc-OLTP.
 */

/** The most hits any sequence of decisions (evict any resident, or do not admit) can get. */
function bruteForceHits(trace: number[], capacity: number): number {
  const memo = new Map<string, number>();
  const best = (i: number, cached: number): number => {
    if (i === trace.length) return 0;
    const memoKey = `${i}:${cached}`;
    const known = memo.get(memoKey);
    if (known !== undefined) return known;
    const bit = 1 << trace[i];
    let result: number;
    if (cached & bit) {
      result = 1 + best(i + 1, cached);
    } else {
      result = best(i + 1, cached); // not admitted
      let residents = 0;
      for (let m = cached; m !== 0; m &= m - 1) residents++;
      if (residents < capacity) {
        result = Math.max(result, best(i + 1, cached | bit));
      } else {
        for (let m = cached; m !== 0; m &= m - 1) {
          const victim = m & -m;
          result = Math.max(result, best(i + 1, (cached & ~victim) | bit));
        }
      }
    }
    memo.set(memoKey, result);
    return result;
  };
  return best(0, 0);
}

const registered = (): EvictionPolicyName[] =>
  EVICTION_POLICY_NAMES.filter((name) => {
    try {
      createEvictionPolicy(name, { capacity: 1 });
      return true;
    } catch {
      return false;
    }
  });

describe("Belady's OPT", () => {
  it("equals an exhaustive search on tiny random traces", () => {
    const tiny = fc.record({
      trace: fc.array(fc.nat(5), { minLength: 1, maxLength: 14 }),
      capacity: fc.integer({ min: 1, max: 4 }),
    });
    assertProperty(
      fc.property(tiny, ({ trace, capacity }) => {
        const hits = beladyHits(Uint32Array.from(trace), capacity);
        const optimum = bruteForceHits(trace, capacity);
        if (hits !== optimum)
          throw new Error(`OPT found ${hits} hits, exhaustive search ${optimum}`);
      }),
      500,
    );
  });

  it("is never beaten by a registered policy on lirs-gli and lirs-multi3", async () => {
    for (const name of ["lirs-gli", "lirs-multi3"]) {
      const trace = await loadTrace(tracePath(name));
      for (const capacity of [10, 100, 1000]) {
        const opt = beladyHits(trace, capacity);
        for (const policy of registered()) {
          expect(
            simulate(policy, trace, capacity).hits,
            `${policy} on ${name}@${capacity}`,
          ).toBeLessThanOrEqual(opt);
        }
      }
    }
  });

  describe("on arc-OLTP", () => {
    let trace: Uint32Array;
    beforeAll(async () => {
      trace = await loadTrace(tracePath("arc-OLTP"));
    });

    it("gives the published 53.6 % at 1000 entries", () => {
      expect(((100 * beladyHits(trace, 1000)) / trace.length).toFixed(1)).toBe("53.6");
    });
  });
});

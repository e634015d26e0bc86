import { beforeAll, describe, expect, it } from "vitest";
import { simulate } from "../../src/eviction/simulator.js";
import { loadTrace } from "../../src/eviction/trace.js";
import { tracePath } from "../helpers/traces.js";

/**
 * The published figures for the ARC paper's OLTP trace (Megiddo and Modha, FAST'03, Table IV).
 * Matching them to two decimals shows the policies, the slot allocation and the simulator are
 * exact, not merely plausible.
 */
const PUBLISHED_LRU: ReadonlyArray<[capacity: number, hitRatioPercent: string]> = [
  [1000, "32.83"],
  [2000, "42.47"],
  [5000, "53.65"],
  [10000, "60.70"],
  [15000, "64.63"],
];

const percent = (ratio: number): string => (ratio * 100).toFixed(2);

describe("arc-OLTP trace replay", () => {
  let trace: Uint32Array;
  beforeAll(async () => {
    trace = await loadTrace(tracePath("arc-OLTP"));
  });

  it("reads the whole trace", () => {
    expect(trace.length).toBe(914_145);
  });

  it.each(PUBLISHED_LRU)("LRU at %i entries gives %s %%", (capacity, expected) => {
    expect(percent(simulate("lru", trace, capacity).hitRatio)).toBe(expected);
  });

  it("FIFO at 1000 entries gives 28.53 %", () => {
    expect(percent(simulate("fifo", trace, 1000).hitRatio)).toBe("28.53");
  });
});

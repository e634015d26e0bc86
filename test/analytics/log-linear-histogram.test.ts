import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LogLinearHistogram } from "../../src/analytics/log-linear-histogram.js";

describe("LogLinearHistogram", () => {
  it("puts every value in a bucket whose bounds contain it", () => {
    const h = new LogLinearHistogram(4, 31);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 31 - 1, noNaN: true }), (v) => {
        const i = h.bucketOf(v);
        expect(h.lowerBound(i)).toBeLessThanOrEqual(v);
        expect(v).toBeLessThan(h.upperBound(i));
        // Never wider than 1/16 of the lower bound (above the unit-wide buckets).
        if (v >= 16)
          expect(h.upperBound(i) - h.lowerBound(i)).toBeLessThanOrEqual(h.lowerBound(i) / 16);
      }),
    );
  });

  it("has contiguous buckets", () => {
    const h = new LogLinearHistogram(3, 20);
    for (let i = 1; i < h.counts.length; i++) expect(h.lowerBound(i)).toBe(h.upperBound(i - 1));
  });

  it("gives quantiles within one bucket of the exact ones", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.constantFrom(0.5, 0.95, 0.99),
        (values, q) => {
          const h = new LogLinearHistogram(4, 31);
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
          const estimate = h.quantile(q);
          const i = h.bucketOf(exact);
          expect(estimate).toBeGreaterThanOrEqual(h.lowerBound(i));
          expect(estimate).toBeLessThanOrEqual(h.upperBound(i));
        },
      ),
    );
  });

  it("reads cumulative weight exactly at power-of-two bounds, and interpolates weightBelow", () => {
    const h = new LogLinearHistogram(4, 31);
    for (const v of [1, 3, 30, 31, 64, 1000]) h.record(v);
    expect(h.cumulativeAt([1, 2, 4, 32, 64, 128, 1024])).toEqual([0, 1, 2, 4, 4, 5, 6]);
    expect(h.weightBelow(32)).toBe(4);
    expect(h.count).toBe(6);
    expect(h.mean()).toBeCloseTo((1 + 3 + 30 + 31 + 64 + 1000) / 6, 9);
  });

  it("subtracts snapshots to get what happened in between", () => {
    const a = new LogLinearHistogram(4, 31);
    const before = a.emptyClone();
    a.record(5);
    a.copyTo(before);
    a.record(500);
    a.record(700);
    const delta = a.emptyClone();
    delta.setDifference(a, before);
    expect(delta.count).toBe(2);
    expect(delta.quantile(0)).toBeGreaterThanOrEqual(480);
  });
});

/**
 * Memory bounds: 1,000,000 inserts of random sizes (16 B to 2 KiB strings, byte arrays and
 * objects; a fifth of them overwrites) into a MemoryStore capped at maxBytes = 64 MiB, in a child
 * process started with --expose-gc. The accounted bytes never exceed the cap after any insert, and
 * the heap after full GCs (V8 heap plus array buffers) stays within 1.5 x cap + the baseline (the
 * process with the empty store). VICTOR_MEMORY_INSERTS overrides the count.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFixture, type BundledFixture } from "../helpers/bundle-fixture.js";

const INSERTS = Number(process.env.VICTOR_MEMORY_INSERTS ?? 1_000_000);
const MiB = 1024 * 1024;
let child: BundledFixture;

beforeAll(async () => {
  child = await bundleFixture(join(import.meta.dirname, "fixtures", "memory-inserts.ts"), {
    withoutRedis: true,
  });
});
afterAll(() => child.remove());

interface Report {
  inserts: number;
  cap: number;
  maxAccounted: number;
  overCap: number;
  heapBeforeStore: number;
  baseline: number;
  heapAfter: number;
  entries: number;
  evictions: number;
  problems: number;
}

describe("MemoryStore under maxBytes", () => {
  it(
    `${INSERTS} inserts of random sizes under 64 MiB: never over the cap, heap within 1.5 x cap + baseline`,
    { timeout: 180_000 },
    async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--expose-gc", child.file, String(INSERTS), process.env.VICTOR_SEED ?? "7"],
        { maxBuffer: 1024 * 1024 },
      );
      const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as Report;
      console.log(
        `memory: ${report.inserts} inserts, ${report.evictions} evictions, ${report.entries} entries left; ` +
          `accounted max ${(report.maxAccounted / MiB).toFixed(2)} MiB (cap ${report.cap / MiB} MiB); ` +
          `heap after GC ${(report.heapAfter / MiB).toFixed(1)} MiB = baseline ${(report.baseline / MiB).toFixed(1)} MiB ` +
          `+ ${((report.heapAfter - report.baseline) / MiB).toFixed(1)} MiB ` +
          `(bound ${((1.5 * report.cap + report.baseline) / MiB).toFixed(1)} MiB)`,
      );
      expect(report.inserts).toBe(INSERTS);
      expect(report.overCap).toBe(0);
      expect(report.maxAccounted).toBeLessThanOrEqual(report.cap);
      expect(report.evictions).toBeGreaterThan(0);
      expect(report.problems).toBe(0);
      expect(report.heapAfter).toBeLessThanOrEqual(1.5 * report.cap + report.baseline);
    },
  );
});

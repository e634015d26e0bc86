/**
 * Model-based test over a memory L2 (the fast, many-runs variant; persistence.test.ts runs the
 * same model over LMDB). Replay a failure with VICTOR_SEED=<seed printed by the run>.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MultiLevelCache, WritePolicy, type WritePolicyName } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { assertAsyncProperty, Model, opArbitrary, replay, type Harness } from "./model.js";

/** More runs on demand: VICTOR_MODEL_RUNS=5000. */
const RUNS = Number(process.env.VICTOR_MODEL_RUNS ?? 500);

describe.each(Object.values(WritePolicy))(
  "model-based: MultiLevelCache %s over a memory L2",
  (policy: WritePolicyName) => {
    it(`matches the reference model over ${RUNS} runs`, async () => {
      let runs = 0;
      const ops = fc.array(opArbitrary, { minLength: 5, maxLength: 60, size: "max" });
      await assertAsyncProperty(
        `model ${policy}`,
        fc.asyncProperty(ops, fc.constantFrom(0, 2000), async (ops, graceMs) => {
          runs++;
          const clock = new FakeClock();
          const l2 = new MemoryStore({ maxSize: 1000, clock, sweepInterval: 0 });
          const open = () =>
            new MultiLevelCache({
              l1: { maxSize: 3, sweepInterval: 0 },
              l2,
              writePolicy: policy,
              writeBack: { interval: "1h", batchSize: 4, maxQueue: 8 },
              grace: graceMs / 1000,
              clock,
            });
          const harness: Harness = {
            cache: open(),
            async reopen() {
              await harness.cache.close();
              harness.cache = open();
            },
            // A caller-owned store stays open after the cache closes.
            async durable() {
              return l2;
            },
          };
          await replay(ops, harness, new Model(clock, graceMs), clock);
          expect(harness.cache.getStats().droppedWrites).toBe(0);
        }),
        RUNS,
      );
      expect(runs).toBeGreaterThanOrEqual(RUNS);
    });
  },
);

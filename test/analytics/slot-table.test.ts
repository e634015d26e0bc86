import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SlotTable } from "../../src/analytics/slot-table.js";

describe("SlotTable", () => {
  it("finds exactly what was added and not deleted, while it grows from its small start", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        // Three adds to a delete, so the table fills up and grows, then deletes thin it out.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat()), {
          minLength: 100,
          maxLength: 2000,
        }),
        (capacity, ops) => {
          const hashOf = new Uint32Array(capacity);
          const table = new SlotTable(capacity, hashOf);
          const model = new Map<number, number>(); // hash -> slot
          const free = Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
          for (const [kind, n] of ops) {
            if (kind > 0 && free.length > 0) {
              // Few distinct low bits, so probe runs are long and deletions shift them.
              const hash = (n % 5000) * 64 + (n % 3);
              if (model.has(hash)) continue;
              const slot = free.pop()!;
              hashOf[slot] = hash;
              table.add(slot);
              model.set(hash, slot);
            } else if (model.size > 0) {
              const [hash, slot] = [...model][n % model.size];
              table.delete(slot);
              model.delete(hash);
              free.push(slot);
            }
            expect(table.size).toBe(model.size);
          }
          for (const [hash, slot] of model) expect(table.get(hash)).toBe(slot);
          expect(table.get(2 ** 30 - 1)).toBe(-1);
        },
      ),
      { numRuns: 50 },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CountMinSketch } from "../../src/eviction/count-min-sketch.js";
import { GhostQueue } from "../../src/eviction/ghost-queue.js";
import { mix32 } from "../../src/eviction/hash.js";
import { assertProperty } from "../helpers/property.js";

describe("CountMinSketch", () => {
  it("never underestimates a key before the first halving", () => {
    assertProperty(
      fc.property(fc.array(fc.nat(200), { maxLength: 300 }), (keys) => {
        const sketch = new CountMinSketch({ capacity: 64, sampleSize: 10_000, doorkeeper: false });
        const counts = new Map<number, number>();
        for (const key of keys) {
          sketch.increment(mix32(key));
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [key, count] of counts) {
          const estimate = sketch.frequency(mix32(key));
          if (estimate < Math.min(count, 15))
            throw new Error(`key ${key}: counted ${count}, estimated ${estimate}`);
        }
      }),
      500,
    );
  });

  it("is exact for a few keys in a wide table, and saturates at 15", () => {
    const sketch = new CountMinSketch({ capacity: 1024, sampleSize: 100_000, doorkeeper: false });
    for (let i = 0; i < 3; i++) sketch.increment(mix32(1));
    for (let i = 0; i < 40; i++) sketch.increment(mix32(2));
    expect(sketch.frequency(mix32(1))).toBe(3);
    expect(sketch.frequency(mix32(2))).toBe(15);
    expect(sketch.frequency(mix32(3))).toBe(0);
  });

  it("halves every counter once a sample is complete", () => {
    const sketch = new CountMinSketch({ capacity: 1024, sampleSize: 100, doorkeeper: false });
    for (let i = 0; i < 12; i++) sketch.increment(mix32(7));
    for (let i = 0; i < 87; i++) sketch.increment(mix32(1000 + i));
    expect(sketch.frequency(mix32(7))).toBe(12);
    sketch.increment(mix32(5000)); // the 100th addition
    expect(sketch.frequency(mix32(7))).toBe(6);
  });

  it("with a doorkeeper, a key's first occurrence only sets its doorkeeper bits", () => {
    const sketch = new CountMinSketch({ capacity: 1024, sampleSize: 100_000, doorkeeper: true });
    sketch.increment(mix32(1));
    expect(sketch.frequency(mix32(1))).toBe(1);
    sketch.increment(mix32(1));
    sketch.increment(mix32(1));
    expect(sketch.frequency(mix32(1))).toBe(3);
    expect(sketch.frequency(mix32(2))).toBe(0);
  });

  it("empties the doorkeeper at a halving, so one-time keys are forgotten", () => {
    const sketch = new CountMinSketch({ capacity: 1024, sampleSize: 50, doorkeeper: true });
    sketch.increment(mix32(1));
    for (let i = 0; i < 49; i++) sketch.increment(mix32(100 + i));
    expect(sketch.frequency(mix32(1))).toBe(0);
  });
});

describe("CountMinSketch slot methods", () => {
  it("incrementSlots counts exactly as increment by hash, across halvings and saturation", () => {
    // Few keys in a tiny table and short samples: counters saturate and halve often, so the
    // saturated-key skip and the halving inside a batch are both exercised.
    assertProperty(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 16, max: 80 }),
        fc.array(fc.array(fc.nat(11), { maxLength: 70 }), { maxLength: 30 }),
        (doorkeeper, sampleSize, batches) => {
          const options = { capacity: 4, sampleSize, doorkeeper };
          const bySlot = new CountMinSketch({ ...options, slots: 12 });
          const byHash = new CountMinSketch(options);
          for (let slot = 0; slot < 12; slot++) bySlot.assignSlot(slot, mix32(slot));
          const slots = new Int32Array(70);
          batches.forEach((batch, b) => {
            slots.set(batch);
            bySlot.incrementSlots(slots, batch.length);
            for (const slot of batch) byHash.increment(mix32(slot));
            for (let slot = 0; slot < 12; slot++) {
              const expected = byHash.frequency(mix32(slot));
              if (
                bySlot.slotFrequency(slot) !== expected ||
                bySlot.frequency(mix32(slot)) !== expected
              )
                throw new Error(`batch ${b}, slot ${slot}: expected frequency ${expected}`);
            }
          });
        },
      ),
      300,
    );
  });

  it("a reassigned slot counts for its new key", () => {
    const sketch = new CountMinSketch({
      capacity: 1024,
      sampleSize: 100_000,
      doorkeeper: false,
      slots: 1,
    });
    const slots = new Int32Array([0]);
    sketch.assignSlot(0, mix32(1));
    for (let i = 0; i < 20; i++) sketch.incrementSlots(slots, 1); // saturates key 1
    sketch.assignSlot(0, mix32(2));
    sketch.incrementSlots(slots, 1);
    expect(sketch.frequency(mix32(1))).toBe(15);
    expect(sketch.slotFrequency(0)).toBe(1);
    expect(sketch.slotHash(0)).toBe(mix32(2) | 0);
  });
});

describe("GhostQueue", () => {
  it("is exactly a FIFO of the last `capacity` steps for up to four distinct keys", () => {
    // Four keys fit any bucket's four cells, so nothing is overwritten early.
    const op = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), key: fc.nat(3) }),
      fc.record({ kind: fc.constant("take" as const), key: fc.nat(3) }),
      fc.constant({ kind: "tick" as const, key: 0 }),
    );
    assertProperty(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(op, { maxLength: 200 }),
        (capacity, ops) => {
          const ghosts = new GhostQueue(capacity);
          const addedAt = new Map<number, number>(); // key -> step it was added at
          let step = 0;
          ops.forEach((o, i) => {
            const hash = mix32(o.key);
            if (o.kind === "tick") {
              ghosts.tick();
              step++;
            } else if (o.kind === "add") {
              ghosts.add(hash);
              addedAt.set(o.key, ++step);
            } else {
              const at = addedAt.get(o.key);
              const expected = at !== undefined && step - at < capacity;
              if (ghosts.take(hash) !== expected)
                throw new Error(`op ${i}: take(${o.key}) should be ${expected}`);
              addedAt.delete(o.key);
            }
          });
        },
      ),
      500,
    );
  });
});

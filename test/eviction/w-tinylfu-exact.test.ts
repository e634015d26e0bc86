import fc from "fast-check";
import { describe, it } from "vitest";
import { mix32 } from "../../src/eviction/hash.js";
import { HillClimber } from "../../src/eviction/hill-climber.js";
import { WTinyLfuPolicy } from "../../src/eviction/w-tinylfu.js";
import type { WindowTuner } from "../../src/eviction/window-tuner.js";
import { GhostWindowTuner } from "../../src/eviction/window-tuner.js";
import { assertProperty } from "../helpers/property.js";
import { ReferenceWTinyLfu } from "./reference-w-tinylfu.js";

/**
 * The optimised W-TinyLFU (read buffer, per-slot sketch positions, saturated-key skip, main
 * region as one list with a boundary) must decide exactly as the plain reference does: the same
 * victim at every eviction and the same window size, whatever the commands, tuner, doorkeeper or
 * sketch sample. Bursts of hits fill the read buffer several times over between two writes.
 */

const RUNS = 300;

type Command =
  | { kind: "get"; key: number }
  | { kind: "set"; key: number }
  | { kind: "delete"; key: number }
  | { kind: "burst"; keys: number[] }
  | { kind: "evict" }
  | { kind: "window" }
  | { kind: "clear" };

const key = fc.nat(60);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("get" as const), key }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("burst" as const),
      keys: fc.array(key, { minLength: 100, maxLength: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "evict" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "window" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
);
const commands = fc.array(command, { maxLength: 300, size: "max" });
interface Setup {
  capacity: number;
  initialWindow: number;
  sampleSize: number;
  doorkeeper: boolean;
  tuner: "ghosts" | "hill-climber" | "fixed";
}
const setup: fc.Arbitrary<Setup> = fc.record({
  capacity: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 50 })),
  initialWindow: fc.double({ min: 0, max: 1, noNaN: true }),
  sampleSize: fc.integer({ min: 16, max: 300 }),
  doorkeeper: fc.boolean(),
  tuner: fc.constantFrom("ghosts" as const, "hill-climber" as const, "fixed" as const),
});

function tunerFor(kind: "ghosts" | "hill-climber" | "fixed", capacity: number): WindowTuner | null {
  if (kind === "ghosts") return new GhostWindowTuner({ capacity });
  // One-request-in-a-few samples and large steps, so the window moves between hits.
  if (kind === "hill-climber") {
    return new HillClimber({ capacity, sampleSize: 3, initialStep: 0.3, restartThreshold: 0.01 });
  }
  return null;
}

function fail(step: number, what: string): never {
  throw new Error(`step ${step}: ${what}`);
}

function compare(s: Setup, script: Command[]): void {
  const policy = new WTinyLfuPolicy({
    capacity: s.capacity,
    initialWindow: s.initialWindow,
    windowTuner: tunerFor(s.tuner, s.capacity) ?? "fixed",
    sketch: { sampleSize: s.sampleSize, doorkeeper: s.doorkeeper },
  });
  const reference = new ReferenceWTinyLfu({
    capacity: s.capacity,
    initialWindow: s.initialWindow,
    sampleSize: s.sampleSize,
    doorkeeper: s.doorkeeper,
    tuner: tunerFor(s.tuner, s.capacity),
  });
  const slotOf = new Map<number, number>();
  const keyOf = new Map<number, number>();
  const free: number[] = [];
  for (let slot = s.capacity; slot >= 0; slot--) free.push(slot);

  const evictOne = (step: number): void => {
    const victim = policy.evict();
    const expected = reference.evict();
    if (victim !== expected) fail(step, `evicted slot ${victim}, reference evicted ${expected}`);
    slotOf.delete(keyOf.get(victim)!);
    keyOf.delete(victim);
    free.push(victim);
  };
  const insert = (step: number, k: number): void => {
    const slot = free.pop()!;
    slotOf.set(k, slot);
    keyOf.set(slot, k);
    policy.insert(slot, mix32(k));
    reference.insert(slot, mix32(k));
    while (policy.size > s.capacity) evictOne(step);
  };
  const get = (step: number, k: number): void => {
    const slot = slotOf.get(k);
    if (slot !== undefined) {
      policy.access(slot);
      reference.access(slot);
      return;
    }
    policy.miss(mix32(k));
    reference.miss(mix32(k));
    insert(step, k);
  };

  script.forEach((c, step) => {
    switch (c.kind) {
      case "get":
        get(step, c.key);
        break;
      case "burst":
        for (const k of c.keys) get(step, k);
        break;
      case "set": {
        const slot = slotOf.get(c.key);
        if (slot === undefined) {
          insert(step, c.key);
        } else {
          policy.update(slot);
          reference.update(slot);
        }
        break;
      }
      case "delete": {
        const slot = slotOf.get(c.key);
        if (slot === undefined) break;
        policy.remove(slot);
        reference.remove(slot);
        slotOf.delete(c.key);
        keyOf.delete(slot);
        free.push(slot);
        break;
      }
      case "evict":
        if (policy.size > 0) evictOne(step);
        break;
      case "window":
        if (policy.windowCapacity !== reference.windowCapacity) {
          fail(step, `window ${policy.windowCapacity}, reference ${reference.windowCapacity}`);
        }
        break;
      case "clear":
        policy.clear();
        reference.clear();
        for (const slot of keyOf.keys()) free.push(slot);
        slotOf.clear();
        keyOf.clear();
        break;
    }
    if (policy.size !== reference.size) fail(step, `size ${policy.size} vs ${reference.size}`);
  });
  // Drain: the remaining slots must leave in the same order.
  while (policy.size > 0) evictOne(script.length);
}

describe("W-TinyLFU decides exactly as the plain reference", () => {
  it("same victims and window sizes over random commands", () => {
    assertProperty(fc.property(setup, commands, compare), RUNS);
  });
});

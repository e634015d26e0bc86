import fc from "fast-check";
import { describe, it } from "vitest";
import { createEvictionPolicy } from "../../src/eviction/factory.js";
import { mix32 } from "../../src/eviction/hash.js";
import type { EvictionPolicyImpl } from "../../src/eviction/policy.js";
import { HillClimber } from "../../src/eviction/hill-climber.js";
import { SievePolicy } from "../../src/eviction/sieve.js";
import { WTinyLfuPolicy } from "../../src/eviction/w-tinylfu.js";
import { assertProperty } from "../helpers/property.js";

/**
 * Model-based tests of the modern policies. Random command sequences drive a policy the way the
 * simulator and the memory store do (a miss, then insert, then evict while over capacity), and a
 * model tracks which slots are live. A policy may pick any victim, but it must never exceed its
 * capacity, never return a slot that is not live, and account for every slot exactly once: each
 * inserted slot leaves by `remove` or by being returned from `evict`, never silently.
 */

const RUNS = 500;

type Command =
  | { kind: "get"; key: number }
  | { kind: "set"; key: number }
  | { kind: "delete"; key: number }
  | { kind: "evict" }
  | { kind: "clear" };

// Few keys, so hits, ghost hits and sketch collisions are all frequent.
const key = fc.nat(60);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("get" as const), key }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("evict" as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
);
const commands = fc.array(command, { maxLength: 400, size: "max" });
const capacity = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) },
  fc.integer({ min: 9, max: 40 }),
);

function fail(step: number, what: string): never {
  throw new Error(`step ${step}: ${what}`);
}

/** A cache in miniature: key -> slot, with the policy deciding evictions. Throws on a broken rule. */
function drive(capacity: number, policy: EvictionPolicyImpl, script: Command[]): void {
  const slotOf = new Map<number, number>();
  const keyOf = new Map<number, number>();
  const free: number[] = [];
  for (let s = capacity; s >= 0; s--) free.push(s);
  const hashOf = (k: number): number => (policy.usesKeyHash ? mix32(k) : 0);

  const evictOne = (step: number): void => {
    if (policy.size === 0) fail(step, "evict called on an empty policy");
    const victim = policy.evict();
    const victimKey = keyOf.get(victim);
    if (victimKey === undefined) fail(step, `evict returned slot ${victim}, which is not live`);
    keyOf.delete(victim);
    slotOf.delete(victimKey);
    free.push(victim);
  };
  const insert = (step: number, k: number): void => {
    const slot = free.pop();
    if (slot === undefined) fail(step, "no free slot: the policy let more than capacity + 1 live");
    slotOf.set(k, slot);
    keyOf.set(slot, k);
    policy.insert(slot, hashOf(k), 0);
    while (policy.size > capacity) evictOne(step);
  };

  script.forEach((c, step) => {
    switch (c.kind) {
      case "get": {
        const slot = slotOf.get(c.key);
        if (slot !== undefined) {
          policy.access(slot);
        } else {
          if (policy.usesKeyHash) policy.miss(hashOf(c.key));
          insert(step, c.key);
        }
        break;
      }
      case "set": {
        const slot = slotOf.get(c.key);
        if (slot !== undefined) policy.update(slot, 0);
        else insert(step, c.key);
        break;
      }
      case "delete": {
        const slot = slotOf.get(c.key);
        if (slot === undefined) break;
        policy.remove(slot);
        slotOf.delete(c.key);
        keyOf.delete(slot);
        free.push(slot);
        break;
      }
      case "evict":
        if (policy.size > 0) evictOne(step);
        break;
      case "clear":
        policy.clear();
        for (const slot of keyOf.keys()) free.push(slot);
        slotOf.clear();
        keyOf.clear();
        break;
    }
    if (policy.size !== keyOf.size)
      fail(step, `policy size ${policy.size}, live entries ${keyOf.size}`);
    if (policy.size > capacity) fail(step, `size ${policy.size} exceeds capacity ${capacity}`);
  });
  // Drain: every live slot must come back from evict exactly once.
  while (keyOf.size > 0) evictOne(script.length);
  if (policy.size !== 0)
    fail(script.length, `policy still counts ${policy.size} slots after draining`);
}

describe("modern policies keep every slot accounted for", () => {
  for (const name of ["w_tinylfu", "s3fifo", "sieve"] as const) {
    it(name, () => {
      assertProperty(
        fc.property(capacity, commands, (cap, script) =>
          drive(cap, createEvictionPolicy(name, { capacity: cap }), script),
        ),
        RUNS,
      );
    });
  }

  it("w_tinylfu while the hill climber resizes the window every few requests", () => {
    // A one-request sample and whole-cache steps move entries between regions constantly.
    const tuning = fc.record({
      initialWindow: fc.double({ min: 0, max: 1, noNaN: true }),
      sampleSize: fc.integer({ min: 1, max: 6 }),
      initialStep: fc.double({ min: 0.05, max: 1, noNaN: true }),
      doorkeeper: fc.boolean(),
    });
    assertProperty(
      fc.property(capacity, tuning, commands, (cap, t, script) => {
        const climber = new HillClimber({
          capacity: cap,
          sampleSize: t.sampleSize,
          initialStep: t.initialStep,
          restartThreshold: 0.01,
        });
        const policy = new WTinyLfuPolicy({
          capacity: cap,
          initialWindow: t.initialWindow,
          windowTuner: climber,
          sketch: { sampleSize: 16, doorkeeper: t.doorkeeper },
        });
        drive(cap, policy, script);
      }),
      RUNS,
    );
  });
});

/** SIEVE spelled out with arrays: queue[0] is the oldest entry, the hand an index into it. */
class ReferenceSieve {
  private queue: number[] = [];
  private visited = new Set<number>();
  private hand = -1; // index of the next slot to examine; -1 = the oldest

  insert(slot: number): void {
    // Indexes count from the old end, so a push at the young end leaves the hand in place.
    this.queue.push(slot);
    this.visited.delete(slot);
  }
  access(slot: number): void {
    this.visited.add(slot);
  }
  remove(slot: number): void {
    const i = this.queue.indexOf(slot);
    this.queue.splice(i, 1);
    if (this.hand === i) this.hand = i < this.queue.length ? i : -1;
    else if (this.hand > i) this.hand--;
  }
  evict(): number {
    let i = this.hand === -1 ? 0 : this.hand;
    while (this.visited.has(this.queue[i])) {
      this.visited.delete(this.queue[i]);
      i = i + 1 < this.queue.length ? i + 1 : 0;
    }
    const slot = this.queue[i];
    this.queue.splice(i, 1);
    this.hand = i < this.queue.length ? i : -1;
    return slot;
  }
  clear(): void {
    this.queue = [];
    this.visited.clear();
    this.hand = -1;
  }
}

describe("sieve against its naive reference", () => {
  it("evicts exactly the slots the reference evicts", () => {
    assertProperty(
      fc.property(capacity, commands, (cap, script) => {
        const policy = new SievePolicy({ capacity: cap });
        const reference = new ReferenceSieve();
        const slotOf = new Map<number, number>();
        const free: number[] = [];
        for (let s = cap; s >= 0; s--) free.push(s);
        const evictBoth = (step: number): void => {
          const victim = policy.evict();
          const expected = reference.evict();
          if (victim !== expected)
            fail(step, `evicted slot ${victim}, reference evicts ${expected}`);
          for (const [k, s] of slotOf) if (s === victim) slotOf.delete(k);
          free.push(victim);
        };
        script.forEach((c, step) => {
          const slot =
            c.kind === "get" || c.kind === "set" || c.kind === "delete"
              ? slotOf.get(c.key)
              : undefined;
          if ((c.kind === "get" || c.kind === "set") && slot !== undefined) {
            policy.access(slot);
            reference.access(slot);
          } else if (c.kind === "get" || c.kind === "set") {
            const fresh = free.pop()!;
            slotOf.set(c.key, fresh);
            policy.insert(fresh);
            reference.insert(fresh);
            while (policy.size > cap) evictBoth(step);
          } else if (c.kind === "delete" && slot !== undefined) {
            policy.remove(slot);
            reference.remove(slot);
            slotOf.delete(c.key);
            free.push(slot);
          } else if (c.kind === "evict" && policy.size > 0) {
            evictBoth(step);
          } else if (c.kind === "clear") {
            policy.clear();
            reference.clear();
            free.push(...slotOf.values());
            slotOf.clear();
          }
        });
        while (slotOf.size > 0) evictBoth(script.length);
      }),
      RUNS,
    );
  });
});

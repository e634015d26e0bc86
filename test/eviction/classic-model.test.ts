import fc from "fast-check";
import { describe, it } from "vitest";
import { createEvictionPolicy } from "../../src/eviction/factory.js";
import { LfuPolicy } from "../../src/eviction/lfu.js";
import type { EvictionPolicyImpl } from "../../src/eviction/policy.js";
import { assertProperty } from "../helpers/property.js";
import {
  ReferenceFifo,
  ReferenceLfu,
  ReferenceLru,
  ReferenceTtl,
  type ReferencePolicy,
} from "./classic-reference.js";

/**
 * Model-based tests: random command sequences drive a policy and its naive reference side by side,
 * through the same slot allocation the simulator and the memory store use (insert, then evict while
 * over capacity). Any difference in a victim or a size fails the run, with its seed.
 */

const RUNS = 500;

type Command =
  | { kind: "insert"; expiresAt: number }
  | { kind: "access"; pick: number }
  | { kind: "update"; pick: number; expiresAt: number }
  | { kind: "remove"; pick: number }
  | { kind: "evict" }
  | { kind: "clear" };

// A handful of distinct expiry times, so equal ones (the TTL tie rule) and 0 (never) are common.
const expiresAt = fc.integer({ min: 0, max: 4 }).map((n) => n * 1000);
const pick = fc.nat(1000);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("insert" as const), expiresAt }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("access" as const), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("update" as const), pick, expiresAt }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("evict" as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
);
const commands = fc.array(command, { maxLength: 300, size: "max" });
// Mostly tiny caches, which fill and evict constantly; some larger ones for deeper heaps and buckets.
const capacity = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) },
  fc.integer({ min: 9, max: 40 }),
);

function fail(step: number, what: string): never {
  throw new Error(`step ${step}: ${what}`);
}

/** Replays `script` through both; throws at the first divergence. */
function replay(
  capacity: number,
  policy: EvictionPolicyImpl,
  reference: ReferencePolicy,
  script: Command[],
): void {
  const live: number[] = [];
  const free: number[] = [];
  for (let s = capacity; s >= 0; s--) free.push(s);
  const evictBoth = (step: number): void => {
    const victim = policy.evict();
    const expected = reference.evict();
    if (victim !== expected) fail(step, `evicted slot ${victim}, reference evicts ${expected}`);
    live.splice(live.indexOf(victim), 1);
    free.push(victim);
  };
  script.forEach((c, step) => {
    switch (c.kind) {
      case "insert": {
        const slot = free.pop()!;
        policy.insert(slot, 0, c.expiresAt);
        reference.insert(slot, c.expiresAt);
        live.push(slot);
        while (policy.size > capacity) evictBoth(step);
        break;
      }
      case "evict":
        if (live.length > 0) evictBoth(step);
        break;
      case "clear":
        policy.clear();
        reference.clear();
        free.push(...live.splice(0));
        break;
      default: {
        if (live.length === 0) break;
        const slot = live[c.pick % live.length];
        if (c.kind === "access") {
          policy.access(slot);
          reference.access(slot);
        } else if (c.kind === "update") {
          policy.update(slot, c.expiresAt);
          reference.update(slot, c.expiresAt);
        } else {
          policy.remove(slot);
          reference.remove(slot);
          live.splice(live.indexOf(slot), 1);
          free.push(slot);
        }
      }
    }
    if (policy.size !== reference.size || policy.size !== live.length) {
      fail(step, `size ${policy.size}, reference ${reference.size}, live ${live.length}`);
    }
    if (policy.size > capacity) fail(step, `size ${policy.size} exceeds capacity ${capacity}`);
  });
  // Drain: the whole remaining eviction order must agree too.
  while (live.length > 0) evictBoth(script.length);
}

describe("classic policies against their naive references", () => {
  it("lru", () => {
    assertProperty(
      fc.property(capacity, commands, (cap, script) => {
        replay(cap, createEvictionPolicy("lru", { capacity: cap }), new ReferenceLru(), script);
      }),
      RUNS,
    );
  });

  it("fifo", () => {
    assertProperty(
      fc.property(capacity, commands, (cap, script) => {
        replay(cap, createEvictionPolicy("fifo", { capacity: cap }), new ReferenceFifo(), script);
      }),
      RUNS,
    );
  });

  it("lfu with the default aging period", () => {
    assertProperty(
      fc.property(capacity, commands, (cap, script) => {
        replay(
          cap,
          createEvictionPolicy("lfu", { capacity: cap }),
          new ReferenceLfu(4 * cap),
          script,
        );
      }),
      RUNS,
    );
  });

  it("lfu with short, odd and disabled aging periods", () => {
    // Short periods age often, so bucket merges are exercised in nearly every run.
    const periodFactor = fc.constantFrom(0, 1, 1.5, 2, 3);
    assertProperty(
      fc.property(capacity, periodFactor, commands, (cap, factor, script) => {
        const agingPeriod = Math.ceil(factor * cap);
        replay(
          cap,
          new LfuPolicy({ capacity: cap, agingPeriod }),
          new ReferenceLfu(agingPeriod),
          script,
        );
      }),
      RUNS,
    );
  });

  it("ttl", () => {
    assertProperty(
      fc.property(capacity, commands, (cap, script) => {
        replay(cap, createEvictionPolicy("ttl", { capacity: cap }), new ReferenceTtl(), script);
      }),
      RUNS,
    );
  });
});

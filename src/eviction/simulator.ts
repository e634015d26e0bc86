import { mix32 } from "./hash.js";
import { createEvictionPolicy } from "./factory.js";
import type { EvictionPolicyName } from "./policy.js";
import { uniqueKeys } from "./trace.js";

export interface SimulationResult {
  policy: EvictionPolicyName;
  capacity: number;
  requests: number;
  hits: number;
  /** hits / requests, 0..1. */
  hitRatio: number;
}

/**
 * Replays a trace of integer keys through a policy at a fixed entry capacity, exactly as the
 * memory store drives it (insert, then evict while over capacity), without the store's
 * bookkeeping. Used by the trace tests, `bench/hit-ratio` and the CLI's `bench`.
 */
export function simulate(
  policyName: EvictionPolicyName,
  trace: Uint32Array,
  capacity: number,
): SimulationResult {
  const policy = createEvictionPolicy(policyName, { capacity });
  const keyToSlot = new Int32Array(uniqueKeys(trace)).fill(-1);
  const slotToKey = new Int32Array(capacity + 1).fill(-1);
  const freeSlots: number[] = [];
  for (let s = capacity; s >= 0; s--) freeSlots.push(s);
  const hashing = policy.usesKeyHash;
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const key = trace[i];
    const slot = keyToSlot[key];
    if (slot !== -1) {
      hits++;
      policy.access(slot);
      continue;
    }
    const hash = hashing ? mix32(key) : 0;
    if (hashing) policy.miss(hash);
    const fresh = freeSlots.pop()!;
    keyToSlot[key] = fresh;
    slotToKey[fresh] = key;
    policy.insert(fresh, hash, 0);
    while (policy.size > capacity) {
      const victim = policy.evict();
      keyToSlot[slotToKey[victim]] = -1;
      slotToKey[victim] = -1;
      freeSlots.push(victim);
    }
  }
  return {
    policy: policyName,
    capacity,
    requests: trace.length,
    hits,
    hitRatio: hits / trace.length,
  };
}

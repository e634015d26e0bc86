import { namespaceSeed } from "./key-hash.js";

/** The namespace label that every namespace beyond the cap is counted under. */
export const OVERFLOW_NAMESPACE = "other";

/** What is counted per namespace: one slot each in a flat typed array. */
export const Counter = {
  L1_HIT: 0,
  L1_MISS: 1,
  L2_HIT: 2,
  L2_MISS: 3,
  STALE: 4,
  SET: 5,
  DELETE: 6,
  EXPIRE_L1: 7,
  EXPIRE_L2: 8,
  PROMOTE: 9,
  DEMOTE: 10,
  LOAD: 11,
  LOAD_ERROR: 12,
  CLEAR: 13,
  /** Reads nothing answered (no tier, no stale value). */
  MISS: 14,
  /** Evictions: tier-major, then reason (see {@link EVICTION_REASONS}). */
  EVICT: 15,
} as const;

/** Eviction reasons kept apart; anything else is counted as `other`. */
export const EVICTION_REASONS = ["capacity", "bytes", "other"] as const;
export type EvictionReasonLabel = (typeof EVICTION_REASONS)[number];
const COUNTERS_PER_NAMESPACE = Counter.EVICT + 2 * EVICTION_REASONS.length;

/** Slot of an eviction counter for a tier and reason. */
export function evictionCounter(tier: "l1" | "l2", reason: string): number {
  const r = reason === "capacity" ? 0 : reason === "bytes" ? 1 : 2;
  return Counter.EVICT + (tier === "l1" ? 0 : EVICTION_REASONS.length) + r;
}

/**
 * Counters per namespace, in one Float64Array indexed by namespace slot × counter. Namespaces are
 * interned on first sight up to `maxNamespaces`; later ones share the `other` slot, so memory and
 * metric cardinality stay bounded whatever callers send.
 */
export class NamespaceCounters {
  readonly values: Float64Array;
  private readonly slotOf = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly seeds: number[] = [];
  private readonly overflow: number;
  // One-entry cache: consecutive events nearly always share a namespace.
  private lastName = "";
  private lastSlot = -1;

  constructor(readonly maxNamespaces: number) {
    this.values = new Float64Array((maxNamespaces + 1) * COUNTERS_PER_NAMESPACE);
    this.overflow = maxNamespaces;
  }

  /** Index of the first counter of `namespace` in {@link values}. */
  base(namespace: string): number {
    return this.slot(namespace) * COUNTERS_PER_NAMESPACE;
  }

  /** Hash seed of a namespace (computed once for interned namespaces). */
  seed(namespace: string): number {
    const slot = this.slot(namespace);
    return slot === this.overflow ? namespaceSeed(namespace) : this.seeds[slot];
  }

  /** True for the slot every namespace beyond the cap shares. */
  isOverflow(slot: number): boolean {
    return slot === this.overflow;
  }

  /** Hash seed of an interned (not overflow) namespace slot. */
  seedAt(slot: number): number {
    return this.seeds[slot];
  }

  slot(namespace: string): number {
    if (namespace === this.lastName && this.lastSlot >= 0) return this.lastSlot;
    let slot = this.slotOf.get(namespace);
    if (slot === undefined) {
      if (this.names.length < this.maxNamespaces && namespace !== OVERFLOW_NAMESPACE) {
        slot = this.names.length;
        this.names.push(namespace);
        this.seeds.push(namespaceSeed(namespace));
        this.slotOf.set(namespace, slot);
      } else {
        slot = this.overflow;
      }
    }
    this.lastName = namespace;
    this.lastSlot = slot;
    return slot;
  }

  /** Each labelled namespace that has counted something, with its counter base. */
  *entries(): Generator<[name: string, base: number]> {
    for (let s = 0; s <= this.names.length; s++) {
      const slot = s === this.names.length ? this.overflow : s;
      const base = slot * COUNTERS_PER_NAMESPACE;
      if (
        slot === this.overflow &&
        !this.values.subarray(base, base + COUNTERS_PER_NAMESPACE).some((v) => v > 0)
      ) {
        continue;
      }
      yield [slot === this.overflow ? OVERFLOW_NAMESPACE : this.names[slot], base];
    }
  }

  /** Sum of one counter over every namespace. */
  total(counter: number): number {
    let sum = 0;
    for (let i = counter; i < this.values.length; i += COUNTERS_PER_NAMESPACE)
      sum += this.values[i];
    return sum;
  }

  /** Sum of all eviction counters of a tier over every namespace. */
  evictions(tier: "l1" | "l2"): number {
    let sum = 0;
    for (const reason of EVICTION_REASONS) sum += this.total(evictionCounter(tier, reason));
    return sum;
  }
}

/**
 * Error counts by tier and operation. Operation names come from the cache (`get`, `set`, ...);
 * beyond `maxOperations` distinct names they are counted as `other`.
 */
export class ErrorCounters {
  private readonly counts = new Map<string, Float64Array>();

  constructor(private readonly maxOperations = 16) {}

  add(tier: "l1" | "l2", operation: string): void {
    let row = this.counts.get(operation);
    if (row === undefined) {
      if (this.counts.size >= this.maxOperations) operation = OVERFLOW_NAMESPACE;
      row = this.counts.get(operation);
      if (row === undefined) this.counts.set(operation, (row = new Float64Array(2)));
    }
    row[tier === "l1" ? 0 : 1]++;
  }

  total(tier?: "l1" | "l2"): number {
    let sum = 0;
    for (const row of this.counts.values())
      sum += tier === undefined ? row[0] + row[1] : row[tier === "l1" ? 0 : 1];
    return sum;
  }

  *entries(): Generator<{ tier: "l1" | "l2"; operation: string; count: number }> {
    for (const [operation, row] of this.counts) {
      if (row[0] > 0) yield { tier: "l1", operation, count: row[0] };
      if (row[1] > 0) yield { tier: "l2", operation, count: row[1] };
    }
  }
}

/**
 * Weighted counts of 32-bit feature hashes, in an open-addressing table that is reset, not
 * reallocated, between texts: the hashing embedder's inner loop runs ~100 updates per question,
 * where a Map's allocation and boxing cost more than the hashing itself.
 */
export class FeatureCounts {
  #keys: Uint32Array;
  #values: Float64Array;
  #used: Uint8Array;
  /** Occupied slots in insertion order, so iteration (and float summation) is deterministic. */
  #slots: number[] = [];

  constructor(capacity = 1024) {
    this.#keys = new Uint32Array(capacity);
    this.#values = new Float64Array(capacity);
    this.#used = new Uint8Array(capacity);
  }

  get size(): number {
    return this.#slots.length;
  }

  add(hash: number, weight: number): void {
    if (weight <= 0) return;
    const mask = this.#keys.length - 1;
    let slot = hash & mask;
    while (this.#used[slot] === 1 && this.#keys[slot] !== hash) slot = (slot + 1) & mask;
    if (this.#used[slot] === 1) {
      this.#values[slot] += weight;
      return;
    }
    this.#used[slot] = 1;
    this.#keys[slot] = hash;
    this.#values[slot] = weight;
    this.#slots.push(slot);
    if (this.#slots.length * 2 > this.#keys.length) this.#grow();
  }

  /** Calls `visit(hash, count)` for each feature, in insertion order. */
  forEach(visit: (hash: number, count: number) => void): void {
    for (const slot of this.#slots) visit(this.#keys[slot], this.#values[slot]);
  }

  reset(): void {
    for (const slot of this.#slots) this.#used[slot] = 0;
    this.#slots.length = 0;
  }

  #grow(): void {
    const entries = this.#slots.map((slot) => [this.#keys[slot], this.#values[slot]] as const);
    const capacity = this.#keys.length * 2;
    this.#keys = new Uint32Array(capacity);
    this.#values = new Float64Array(capacity);
    this.#used = new Uint8Array(capacity);
    this.#slots = [];
    for (const [hash, count] of entries) this.add(hash, count);
  }
}
